// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink fuzzer for the l2tpss family: COUNT messages for every command
 * (and unknown ones), built from valid templates, then mutated (bytes
 * flipped, truncated, extended, lengths and types changed) or replaced by
 * random attribute trees with wrong types, lengths, nesting and unknown
 * attributes; some as dumps. Every message must get its answer (an ack, an
 * error or a dump's end) within a second: a missing answer fails the run.
 * Whatever the kernel thinks of them is its business; the selftest around it
 * checks that the module still answers correctly afterwards, and the VM
 * fails on any kernel report.
 *
 * Usage: nlfuzz COUNT [SEED]; prints the seed and what the answers were.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include <linux/l2tpss.h>

#define MSG_MAX 1024

static uint64_t rng_state;

/* xorshift64*: fast, and the same seed gives the same messages. */
static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545F4914F6CDD1DULL) >> 32;
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

struct buf {
	unsigned char data[MSG_MAX];
	size_t len;
};

static void *put(struct buf *b, size_t len)
{
	void *p;

	if (b->len + NLA_ALIGN(len) > MSG_MAX)
		return NULL;
	p = b->data + b->len;
	memset(p, 0, NLA_ALIGN(len));
	b->len += NLA_ALIGN(len);
	return p;
}

static void attr(struct buf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = put(b, NLA_HDRLEN + len);

	if (!a)
		return;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
}

static void attr_u32(struct buf *b, uint16_t type, uint32_t v)
{
	attr(b, type, &v, sizeof(v));
}

static void attr_u8(struct buf *b, uint16_t type, uint8_t v)
{
	attr(b, type, &v, sizeof(v));
}

#define NO_NEST SIZE_MAX	/* the buffer was full */

static size_t nest_start(struct buf *b, uint16_t type)
{
	size_t at = b->len;
	struct nlattr *a = put(b, NLA_HDRLEN);

	if (!a)
		return NO_NEST;
	a->nla_type = type | NLA_F_NESTED;
	return at;
}

static struct nlattr *nest_attr(struct buf *b, size_t at)
{
	return at == NO_NEST ? NULL : (struct nlattr *)(b->data + at);
}

static void nest_end(struct buf *b, size_t at)
{
	if (at != NO_NEST)
		nest_attr(b, at)->nla_len = b->len - at;
}

/* Often-valid values, with the range edges. */
static uint32_t some_u32(void)
{
	static const uint32_t edges[] = { 0, 1, 9, 10, 60, 600, 3600, 3601,
					  86400, 86401, 0xffffffff };

	return below(4) ? edges[below(sizeof(edges) / sizeof(edges[0]))] : rnd();
}

static void settings(struct buf *b, uint16_t type)
{
	size_t nest = nest_start(b, type);

	if (below(2))
		attr_u8(b, L2TPSS_SET_SINGLE_SHOT, below(3));
	if (below(2))
		attr_u32(b, L2TPSS_SET_IDLE_TIMEOUT, some_u32());
	if (below(2))
		attr_u32(b, L2TPSS_SET_DESTRUCT_TIMEOUT, some_u32());
	if (below(2))
		attr_u8(b, L2TPSS_SET_REQUIRE_IPSEC, below(3));
	nest_end(b, nest);
}

static void profile(struct buf *b)
{
	static const char *const names[] = { "a", "b", "c", "d" };
	unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	size_t nest = nest_start(b, L2TPSS_A_PROFILE);
	const char *name = names[below(4)];

	attr(b, L2TPSS_PROFILE_A_NAME, name, strlen(name) + 1);
	if (below(2))
		attr_u32(b, L2TPSS_PROFILE_A_PEER_IP, htonl(0xc0000200 | below(256)));
	else
		attr(b, L2TPSS_PROFILE_A_PEER_IP6, v6, sizeof(v6));
	attr_u8(b, L2TPSS_PROFILE_A_PREFIXLEN, below(140));
	if (!below(4))
		attr_u32(b, L2TPSS_PROFILE_A_LOCAL_IP, htonl(0xc0000201));
	if (below(2))
		settings(b, L2TPSS_PROFILE_A_SETTINGS);
	nest_end(b, nest);
}

/* A well-formed request of @cmd, valid most of the time. */
static void template(struct buf *b, int cmd)
{
	switch (cmd) {
	case L2TPSS_CMD_TUNNEL_GET:
	case L2TPSS_CMD_TUNNEL_DISCONNECT:
		attr_u32(b, L2TPSS_A_TUNNEL_ID, below(40));
		break;
	case L2TPSS_CMD_TUNNEL_SET:
		attr_u32(b, L2TPSS_A_TUNNEL_ID, below(40));
		settings(b, L2TPSS_A_SETTINGS);
		break;
	case L2TPSS_CMD_DEFAULTS_SET:
		settings(b, L2TPSS_A_SETTINGS);
		break;
	case L2TPSS_CMD_PROFILE_ADD:
	case L2TPSS_CMD_PROFILE_REPLACE:
	case L2TPSS_CMD_PROFILE_DEL:
		profile(b);
		break;
	}
}

/* Any attributes at all, nested at random, up to @depth deep. */
static void random_attrs(struct buf *b, int depth)
{
	int i, n = below(5);
	unsigned char junk[32];

	for (i = 0; i < n; i++) {
		uint16_t type = below(12) | (below(3) ? 0 : NLA_F_NESTED);

		if (depth && (type & NLA_F_NESTED || !below(4))) {
			size_t nest = nest_start(b, type & ~NLA_F_NESTED);

			if (nest == NO_NEST)
				return;
			if (!below(4))	/* sometimes a nest without its flag */
				nest_attr(b, nest)->nla_type &= ~NLA_F_NESTED;
			random_attrs(b, depth - 1);
			nest_end(b, nest);
		} else {
			size_t len = below(sizeof(junk) + 1);

			for (size_t j = 0; j < len; j++)
				junk[j] = rnd();
			attr(b, type, junk, len);
		}
	}
}

/* Flip, cut, grow, or rewrite a length or a type somewhere after @from. */
static void mutate(struct buf *b, size_t from)
{
	int i, n = 1 + below(4);

	for (i = 0; i < n && b->len > from; i++) {
		size_t at = from + below(b->len - from);

		switch (below(5)) {
		case 0:
			b->data[at] ^= 1 << below(8);
			break;
		case 1:
			b->data[at] = rnd();
			break;
		case 2:
			b->len = at;
			break;
		case 3:
			if (b->len + 8 <= MSG_MAX) {
				for (int j = 0; j < 8; j++)
					b->data[b->len + j] = rnd();
				b->len += 4 * (1 + below(2));
			}
			break;
		case 4:	/* an attribute header's length or type */
			if (at + 4 <= b->len) {
				uint16_t v = below(64);

				memcpy(b->data + at + 2 * below(2), &v, sizeof(v));
			}
			break;
		}
	}
}

static int sock_fd;
static uint32_t seq;
static unsigned long answers[4];	/* ack, error, dump done, lost */

/* Waits for the answer to @want_seq; false if none came. */
static bool answer(uint32_t want_seq)
{
	static unsigned char rx[65536];

	for (;;) {
		ssize_t n = recv(sock_fd, rx, sizeof(rx), 0);
		struct nlmsghdr *h;

		if (n < 0)
			return false;
		for (h = (struct nlmsghdr *)rx; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != want_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				answers[2]++;
				return true;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				answers[e->error ? 1 : 0]++;
				return true;
			}
		}
	}
}

int main(int argc, char **argv)
{
	unsigned long i, count = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
	struct timeval tv = { .tv_sec = 1 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nl_sock *sk;
	int family, one = 1;

	if (!count) {
		fprintf(stderr, "usage: nlfuzz COUNT [SEED]\n");
		return 2;
	}
	rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : (uint64_t)time(NULL);
	rng_state |= 1;
	setvbuf(stdout, NULL, _IOLBF, 0);	/* the seed, even if we crash */
	printf("# seed %llu\n", (unsigned long long)rng_state);

	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk))
		return 1;
	family = genl_ctrl_resolve(sk, L2TPSS_GENL_NAME);
	nl_socket_free(sk);	/* libnl only resolves the family */
	if (family < 0) {
		fprintf(stderr, "nlfuzz: l2tpss is not loaded\n");
		return 1;
	}
	sock_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (sock_fd < 0 || bind(sock_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(sock_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(sock_fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one))) {
		perror("nlfuzz: socket");
		return 1;
	}

	for (i = 0; i < count; i++) {
		struct buf b = { .len = 0 };
		struct nlmsghdr *h = put(&b, NLMSG_HDRLEN);
		struct genlmsghdr *g = put(&b, GENL_HDRLEN);
		int cmd = below(L2TPSS_CMD_MAX + 3);
		uint32_t kind = below(10);

		g->cmd = cmd;
		g->version = below(8) ? L2TPSS_GENL_VERSION : rnd();
		g->reserved = below(16) ? 0 : rnd();
		if (kind < 5)
			template(&b, cmd);
		else if (kind < 8)
			template(&b, cmd), mutate(&b, NLMSG_HDRLEN);
		else
			random_attrs(&b, 3);

		h->nlmsg_len = b.len;
		h->nlmsg_type = family;
		h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
				 (below(6) ? 0 : NLM_F_DUMP);
		h->nlmsg_seq = ++seq;
		if (send(sock_fd, b.data, b.len, 0) < 0) {
			perror("nlfuzz: send");
			return 1;
		}
		if (!answer(seq)) {
			answers[3]++;
			fprintf(stderr, "nlfuzz: no answer to message %lu (cmd %d)\n",
				i, cmd);
			return 1;
		}
	}
	printf("# %lu messages: %lu acks, %lu errors, %lu dumps\n", count,
	       answers[0], answers[1], answers[2]);
	return 0;
}
