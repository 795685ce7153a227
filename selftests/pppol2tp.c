// SPDX-License-Identifier: GPL-2.0
/*
 * An L2TPv2 tunnel and its PPP sessions made the way xl2tpd and pppd make
 * them: a UDP socket connected to the peer, a PPPoL2TP socket connected with
 * session 0 (the tunnel), then one PPPoL2TP socket per session.
 *
 *   pppol2tp LOCAL_ADDR LOCAL_PORT PEER_ADDR PEER_PORT TUNNEL_ID PEER_TUNNEL_ID
 *
 * IPv4. Then reads commands from stdin, one a line, and answers each with
 * one line on stdout:
 *   session ID   connect a session (peer session id ID too): "session ID ok"
 *                or "session ID error ENAME: text"
 *   close ID     close that session's socket: "close ID ok"
 * At the end of input it closes everything and exits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_pppol2tp.h>
#include <linux/if_pppox.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_SESSIONS 64

/* The address of every PPPoL2TP connect; a union, as it is packed. */
static union {
	struct sockaddr sa;
	struct sockaddr_pppol2tp px;
} to;
static int session_fd[MAX_SESSIONS], session_id[MAX_SESSIONS];

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static const char *errno_name(int err)
{
	switch (err) {
	case ENODEV: return "ENODEV";
	case EEXIST: return "EEXIST";
	case EBUSY: return "EBUSY";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	default: return "E?";
	}
}

/* A PPPoL2TP socket connected to @sid of the tunnel (0: the tunnel itself). */
static int pppol2tp_connect(int sid)
{
	int fd = socket(AF_PPPOX, SOCK_DGRAM, PX_PROTO_OL2TP);

	if (fd < 0)
		die("socket(AF_PPPOX)");
	to.px.pppol2tp.s_session = sid;
	to.px.pppol2tp.d_session = sid;
	if (connect(fd, &to.sa, sizeof(to.px))) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static int slot_of(int sid)
{
	int i;

	for (i = 0; i < MAX_SESSIONS; i++)
		if (session_fd[i] > 0 && session_id[i] == sid)
			return i;
	return -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in local = { .sin_family = AF_INET };
	struct sockaddr_in peer = { .sin_family = AF_INET };
	char line[128], cmd[16];
	int udp, tunnel, sid, i;

	if (argc != 7) {
		fprintf(stderr, "usage: pppol2tp LOCAL_ADDR LOCAL_PORT PEER_ADDR PEER_PORT TUNNEL_ID PEER_TUNNEL_ID\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	local.sin_port = htons(atoi(argv[2]));
	peer.sin_port = htons(atoi(argv[4]));
	if (inet_pton(AF_INET, argv[1], &local.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[3], &peer.sin_addr) != 1) {
		fprintf(stderr, "bad address\n");
		return 2;
	}
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	if (udp < 0 || bind(udp, (struct sockaddr *)&local, sizeof(local)) ||
	    connect(udp, (struct sockaddr *)&peer, sizeof(peer)))
		die("udp socket");
	memcpy(&to.px.pppol2tp.addr, &peer, sizeof(peer));
	to.px.sa_family = AF_PPPOX;
	to.px.sa_protocol = PX_PROTO_OL2TP;
	to.px.pppol2tp.fd = udp;
	to.px.pppol2tp.s_tunnel = atoi(argv[5]);
	to.px.pppol2tp.d_tunnel = atoi(argv[6]);
	tunnel = pppol2tp_connect(0);
	if (tunnel < 0)
		die("tunnel connect");
	printf("tunnel ok\n");

	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "%15s %d", cmd, &sid) != 2 || sid <= 0) {
			printf("? %s", line);
			continue;
		}
		if (!strcmp(cmd, "session")) {
			for (i = 0; i < MAX_SESSIONS && session_fd[i] > 0; i++)
				;
			if (i == MAX_SESSIONS) {
				printf("session %d error E?: too many\n", sid);
				continue;
			}
			session_fd[i] = pppol2tp_connect(sid);
			if (session_fd[i] < 0) {
				printf("session %d error %s: %s\n", sid,
				       errno_name(errno), strerror(errno));
				session_fd[i] = 0;
				continue;
			}
			session_id[i] = sid;
			printf("session %d ok\n", sid);
		} else if (!strcmp(cmd, "close") && (i = slot_of(sid)) >= 0) {
			close(session_fd[i]);
			session_fd[i] = 0;
			printf("close %d ok\n", sid);
		} else {
			printf("? %s", line);
		}
	}
	return 0;
}
