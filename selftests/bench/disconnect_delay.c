// SPDX-License-Identifier: GPL-2.0
/*
 * How long l2tp_core keeps a single-shot tunnel after its session is deleted:
 * from the SESSION_DELETE request to the first TUNNEL_GET that finds no
 * tunnel (polled back to back). The baseline is the same measure for a
 * plain TUNNEL_DELETE, the fastest a tunnel can go. In ipsec mode, the
 * tunnel runs over a transport-mode ESP connection (its two SAs added with
 * ip xfrm before each run), and the delay is to the second XFRM_MSG_EXPIRE
 * (hard) key managers receive: the connection's teardown. In ipdown mode,
 * the same for what is done without l2tpss: a standard tunnel over the same
 * connection, whose session's end runs a pppd ip-down script (a shell that
 * deletes the tunnel and the two SAs with ip), measured to the second
 * XFRM_MSG_DELSA. Prints each delay ("sample MODE MS"), then "MODE MEDIAN
 * P99 RUNS".
 *
 * Usage: disconnect_delay MODE RUNS [FIRST], MODE single-shot, baseline,
 * ipsec or ipdown; FIRST numbers the runs (their SPIs), default 0. Run in a
 * netns whose l2tpss defaults make tunnels single-shot (or not, for
 * baseline and ipdown), with 192.0.2.1/24 on an interface. Needs
 * l2tp_netlink, l2tp_eth, esp4.
 *
 * A tunnel is bound to the connection whose SA carried a packet of its own
 * in: in ipsec mode, L2TPSS_BENCH_PEER_NS names the netns of 192.0.2.2
 * (reachable, with an outbound policy for UDP to 192.0.2.1 over ESP reqid
 * 7), which gets the same SAs and sends a HELLO of the tunnel's over them
 * before each measure; the binding is awaited in l2tpss-ctl show.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/l2tp.h>
#include <linux/xfrm.h>
#include <netlink/genl/ctrl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netlink/genl/genl.h>

static struct nl_sock *sk;
static int family;

static int on_ack(struct nl_msg *msg, void *arg)
{
	*(int *)arg = 0;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	*(int *)arg = -err->error;
	return NL_STOP;
}

static struct nl_msg *msg_new(int cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, cmd,
		    L2TP_GENL_VERSION);
	return msg;
}

/* Sends @msg and returns the kernel's errno, reading up to the ack. */
static int run(struct nl_msg *msg)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err, result = -1;

	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &result);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &result);
	err = nl_send_auto(sk, msg);
	while (err >= 0 && result < 0)
		err = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	nlmsg_free(msg);
	return err < 0 && result < 0 ? EIO : result;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void must(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "disconnect_delay: %s: %s\n", what, strerror(err));
		exit(1);
	}
}

static void tunnel_create(void)
{
	struct nl_msg *msg = msg_new(L2TP_CMD_TUNNEL_CREATE);

	nla_put_u32(msg, L2TP_ATTR_CONN_ID, 1);
	nla_put_u32(msg, L2TP_ATTR_PEER_CONN_ID, 1);
	nla_put_u8(msg, L2TP_ATTR_PROTO_VERSION, 3);
	nla_put_u16(msg, L2TP_ATTR_ENCAP_TYPE, L2TP_ENCAPTYPE_UDP);
	nla_put_u32(msg, L2TP_ATTR_IP_SADDR, inet_addr("192.0.2.1"));
	nla_put_u32(msg, L2TP_ATTR_IP_DADDR, inet_addr("192.0.2.2"));
	nla_put_u16(msg, L2TP_ATTR_UDP_SPORT, 1701);
	nla_put_u16(msg, L2TP_ATTR_UDP_DPORT, 1701);
	must(run(msg), "tunnel create");
}

static void session_create(void)
{
	struct nl_msg *msg = msg_new(L2TP_CMD_SESSION_CREATE);

	nla_put_u32(msg, L2TP_ATTR_CONN_ID, 1);
	nla_put_u32(msg, L2TP_ATTR_SESSION_ID, 1);
	nla_put_u32(msg, L2TP_ATTR_PEER_SESSION_ID, 1);
	nla_put_u16(msg, L2TP_ATTR_PW_TYPE, L2TP_PWTYPE_ETH);
	must(run(msg), "session create");
}

static int tunnel_get(void)
{
	struct nl_msg *msg = msg_new(L2TP_CMD_TUNNEL_GET);

	nla_put_u32(msg, L2TP_ATTR_CONN_ID, 1);
	return run(msg);
}

/* A socket that hears what key managers hear of SAs: expiring or deleted. */
static int expire_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = 1 << (XFRMNLGRP_EXPIRE - 1) |
					       1 << (XFRMNLGRP_SA - 1) };
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_XFRM);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		must(errno, "xfrm socket");
	return fd;
}

/*
 * Waits for @n hard XFRM_MSG_EXPIRE messages (@delsa: XFRM_MSG_DELSA);
 * false after 5 s.
 */
static bool expires(int fd, int n, bool delsa)
{
	char buf[8192];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct nlmsghdr *h;
	ssize_t len;

	while (n > 0) {
		if (poll(&p, 1, 5000) != 1)
			return false;
		len = recv(fd, buf, sizeof(buf), 0);
		for (h = (struct nlmsghdr *)buf; len > 0 && NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len))
			if (delsa ? h->nlmsg_type == XFRM_MSG_DELSA :
			    h->nlmsg_type == XFRM_MSG_EXPIRE &&
			    ((struct xfrm_user_expire *)NLMSG_DATA(h))->hard)
				n--;
	}
	return true;
}

/* The two SAs of a connection to the tunnel's peer, fresh SPIs each run. */
#define SPI(run, out) (0x1000 + 2 * (run) + (out))

static const char *peer_ns;

/* Runs a shell command; its exit status. */
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void sas_add(int run)
{
	static const char *const fmt =
		"ip %s%s xfrm state add src %s dst %s proto esp spi %d reqid 7 "
		"mode transport aead 'rfc4106(gcm(aes))' 0x%040d 128";
	int i, n = peer_ns ? 2 : 1;

	/* The peer's SAs of earlier runs go: its policy is to use these. */
	if (peer_ns && sh("ip -n %s xfrm state flush", peer_ns))
		must(EIO, "ip xfrm state flush");
	for (i = 0; i < n; i++) {
		const char *ns = i ? peer_ns : "";

		if (sh(fmt, i ? "-n " : "", ns, "192.0.2.2", "192.0.2.1",
		       SPI(run, 0), 1) ||
		    sh(fmt, i ? "-n " : "", ns, "192.0.2.1", "192.0.2.2",
		       SPI(run, 1), 2))
			must(EIO, "ip xfrm state add");
	}
}

/*
 * The peer sends a HELLO of tunnel 1 (L2TPv3 control: T, L, S; connection
 * 1; Message Type 6) over its SA, which binds the tunnel; awaited 5 s.
 */
static void bind_by_peer(void)
{
	double t0 = now_ms();

	if (sh("ip netns exec %s build/selftests/udp_flood 192.0.2.1 1701 1 1701 "
	       "c803001400000001000000008008000000000006 >/dev/null", peer_ns))
		must(EIO, "udp_flood");
	while (sh("tools/l2tpss-ctl show tunnel 1 -j | grep -q '\"binding\"'")) {
		if (now_ms() - t0 > 5000) {
			fprintf(stderr, "disconnect_delay: tunnel not bound after 5 s\n");
			exit(1);
		}
	}
}

/* What pppd's ip-down does without l2tpss: a shell, and ip for each step. */
static void ip_down(int run)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "/bin/sh -c 'ip l2tp del tunnel tunnel_id 1 && "
		 "ip xfrm state delete src 192.0.2.2 dst 192.0.2.1 proto esp spi %d && "
		 "ip xfrm state delete src 192.0.2.1 dst 192.0.2.2 proto esp spi %d'",
		 SPI(run, 0), SPI(run, 1));
	if (system(cmd))
		must(EIO, "ip-down");
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	bool args = argc == 3 || argc == 4;
	bool ipdown = args && !strcmp(argv[1], "ipdown");
	bool ipsec = args && !strcmp(argv[1], "ipsec");
	bool single_shot = ipsec || (args && !strcmp(argv[1], "single-shot"));
	int i, xfrm = -1, runs = args ? atoi(argv[2]) : 0;
	int first = argc == 4 ? atoi(argv[3]) : 0;
	struct nl_msg *msg;
	double *delay, t0;

	if (runs <= 0 || first < 0 ||
	    (!single_shot && !ipdown && strcmp(argv[1], "baseline"))) {
		fprintf(stderr, "usage: disconnect_delay single-shot|baseline|ipsec|ipdown RUNS [FIRST]\n");
		return 2;
	}
	if (ipsec || ipdown)
		xfrm = expire_socket();
	if (ipsec)
		peer_ns = getenv("L2TPSS_BENCH_PEER_NS");
	delay = calloc(runs, sizeof(*delay));
	sk = nl_socket_alloc();
	if (!delay || !sk || genl_connect(sk))
		return 1;
	family = genl_ctrl_resolve(sk, L2TP_GENL_NAME);
	if (family < 0) {
		fprintf(stderr, "disconnect_delay: no l2tp genl family\n");
		return 1;
	}

	for (i = 0; i < runs; i++) {
		if (ipsec || ipdown)
			sas_add(first + i);
		tunnel_create();
		session_create();
		if (peer_ns)
			bind_by_peer();
		if (single_shot || ipdown) {
			msg = msg_new(L2TP_CMD_SESSION_DELETE);
			nla_put_u32(msg, L2TP_ATTR_CONN_ID, 1);
			nla_put_u32(msg, L2TP_ATTR_SESSION_ID, 1);
		} else {
			msg = msg_new(L2TP_CMD_TUNNEL_DELETE);
			nla_put_u32(msg, L2TP_ATTR_CONN_ID, 1);
		}
		t0 = now_ms();
		must(run(msg), "delete");
		if (ipdown)
			ip_down(first + i);
		if ((ipsec || ipdown) && !expires(xfrm, 2, ipdown)) {
			fprintf(stderr, "disconnect_delay: SAs not gone after 5 s\n");
			return 1;
		}
		if (ipsec || ipdown)
			delay[i] = now_ms() - t0;
		while (!tunnel_get()) {	/* l2tp says ENODEV once it is gone */
			if (now_ms() - t0 > 5000) {
				fprintf(stderr, "disconnect_delay: tunnel still there after 5 s\n");
				return 1;
			}
		}
		if (!ipsec && !ipdown)
			delay[i] = now_ms() - t0;
		printf("sample %s %.3f\n", argv[1], delay[i]);
	}
	qsort(delay, runs, sizeof(*delay), cmp);
	printf("%s %.3f %.3f %d\n", argv[1], delay[runs / 2],
	       delay[(runs * 99) / 100 - (runs >= 100)], runs);
	return 0;
}
