// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal L2TPv2 peer for the IPsec selftest: sends one control or data
 * message, counts datagrams that arrive on a port (what the filter let
 * through, seen from outside the module), or holds a NAT-T socket open so
 * that ESP in UDP is received.
 *
 *   l2tp_peer send [-b SRC_ADDR] [-s SIZE] [-n COUNT] [-g] [-u ULEN]
 *                  SRC_PORT DST_ADDR DST_PORT KIND[,KIND...]
 *                  [TUNNEL_ID [SESSION_ID]]
 *       KIND: sccrq, sccrp, scccn, stopccn, hello, ocrq, ocrp, occn, icrq,
 *       icrp, iccn, cdn, zlb, data (L2TPv2), data3 (L2TPv3 over UDP, an
 *       Ethernet frame for SESSION_ID).
 *       Exit 0 when sent, 1 when the kernel refused (a drop on output).
 *       -s pads each message to SIZE bytes (a large one is fragmented),
 *       -n sends the list COUNT times, -g sends it as one UDP GSO
 *       super-packet of SIZE-byte segments, -u sends each through a raw
 *       socket with ULEN in its UDP length field (IPv4, with -b).
 *   l2tp_peer send-ip [-b SRC_ADDR] DST_ADDR KIND ID
 *       The same as L2TPv3 over IP (protocol 115), IPv4: ID is the CCID of
 *       a control message, or the session id of data.
 *   l2tp_peer count PORT FILE    write the number received to FILE, and the
 *                                kind and tunnel id of each to FILE.log, forever
 *   l2tp_peer natt PORT          an ESP-in-UDP socket on PORT, forever
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/udp.h>
#include <linux/xfrm.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

static const struct {
	const char *name;
	int type;		/* Message Type; 0: ZLB; -1: data */
} kinds[] = {
	{ "sccrq", 1 }, { "sccrp", 2 }, { "scccn", 3 }, { "stopccn", 4 },
	{ "hello", 6 }, { "ocrq", 7 }, { "ocrp", 8 }, { "occn", 9 },
	{ "icrq", 10 }, { "icrp", 11 }, { "iccn", 12 }, { "cdn", 14 },
	{ "zlb", 0 }, { "data", -1 }, { "data3", -3 },
};

static const char *kind_name(int type)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].type == type)
			return kinds[i].name;
	return "other";
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void put16(unsigned char *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/*
 * One message of @type into @b: a control message (or ZLB) with its Message
 * Type AVP, or v2 data; padded to @size bytes if larger (control messages
 * with non-mandatory vendor AVPs, counted in their length field).
 */
static size_t build(unsigned char *b, int type, unsigned int tid,
		    unsigned int sid, size_t size)
{
	size_t len, avp;

	if (type == -3) {	/* L2TPv3 data over UDP: an Ethernet frame */
		memset(b, 0, 72);
		put16(b, 0x0003);
		put16(b + 4, sid >> 16);
		put16(b + 6, sid);
		/* (a default sublayer, 4 bytes; then a broadcast frame) */
		memset(b + 12, 0xff, 6);
		memcpy(b + 18, "\x02\x00\x00\x00\x00\x01\x08\x00", 8);
		return 72;
	}
	if (type < 0) {		/* data: plain header, then a few bytes */
		put16(b, 0x0002);
		put16(b + 2, tid);
		put16(b + 4, sid);
		memcpy(b + 6, "\xff\x03\x00\x21", 4);
		len = 10;
		if (size > len) {
			memset(b + len, 0x55, size - len);
			len = size;
		}
		return len;
	}
	memset(b, 0, 20);
	put16(b, 0xc802);	/* T, L, S; version 2 */
	put16(b + 4, tid);
	put16(b + 6, sid);
	if (!type) {
		put16(b + 2, 12);
		return 12;
	}
	put16(b + 12, 0x8008);	/* M, length 8: Message Type */
	put16(b + 18, type);
	for (len = 20; len + 6 <= size; len += avp) {
		avp = size - len > 1023 ? 1023 : size - len;
		put16(b + len, avp);		/* no M bit: ignorable */
		put16(b + len + 2, 9);		/* a vendor's */
		put16(b + len + 4, 0);
		memset(b + len + 6, 0x55, avp - 6);
	}
	put16(b + 2, len);
	return len;
}

static int kind_type(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(name, kinds[i].name))
			return kinds[i].type;
	return -4;
}

/* A UDP socket bound to @port, and to @addr unless it is NULL. */
static int udp_socket(int family, const char *addr, unsigned int port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(family, SOCK_DGRAM, 0), on = 1, off = 0;

	if (fd < 0)
		die("socket");
	if (addr && (family == AF_INET6 ? inet_pton(AF_INET6, addr, &a6.sin6_addr) :
					  inet_pton(AF_INET, addr, &a4.sin_addr)) != 1) {
		fprintf(stderr, "bad address %s\n", addr);
		exit(2);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (family == AF_INET6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6)) :
				 bind(fd, (struct sockaddr *)&a4, sizeof(a4)))
		die("bind");
	return fd;
}

/* The UDP checksum of IPv4 @src to @dst over @len bytes at @udp. */
static unsigned short udp4_sum(const struct in_addr *src,
			       const struct in_addr *dst,
			       const unsigned char *udp, size_t len)
{
	unsigned long sum = 0;
	size_t i;

	sum += ntohl(src->s_addr) >> 16;
	sum += ntohl(src->s_addr) & 0xffff;
	sum += ntohl(dst->s_addr) >> 16;
	sum += ntohl(dst->s_addr) & 0xffff;
	sum += IPPROTO_UDP + len;
	for (i = 0; i + 1 < len; i += 2)
		sum += udp[i] << 8 | udp[i + 1];
	if (len & 1)
		sum += udp[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff ?: 0xffff;
}

/*
 * -u ULEN: the datagram with a UDP header of its own whose length field
 * says ULEN bytes (header included), whatever follows; a raw socket (with
 * -b). IPv4: its checksum over the bytes the length names; IPv6: the
 * kernel's, over all of it (IPV6_CHECKSUM), as a length of 0 means there.
 */
static int send_udplen(const char *src, unsigned int sport,
		       const struct sockaddr *dst, socklen_t dstlen,
		       const unsigned char *msg, size_t len, unsigned int ulen)
{
	struct sockaddr_in6 from6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in from = { .sin_family = AF_INET };
	bool v6 = dst->sa_family == AF_INET6;
	unsigned char pkt[65536];
	int fd, off = 6;

	fd = socket(dst->sa_family, SOCK_RAW, IPPROTO_UDP);
	if (fd < 0 || !src ||
	    (v6 ? inet_pton(AF_INET6, src, &from6.sin6_addr) :
		  inet_pton(AF_INET, src, &from.sin_addr)) != 1 ||
	    (v6 ? bind(fd, (struct sockaddr *)&from6, sizeof(from6)) :
		  bind(fd, (struct sockaddr *)&from, sizeof(from))) ||
	    (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof(off))))
		die("raw UDP socket (-u needs -b ADDR)");
	put16(pkt, sport);
	put16(pkt + 2, v6 ? ntohs(((const struct sockaddr_in6 *)dst)->sin6_port) :
			    ntohs(((const struct sockaddr_in *)dst)->sin_port));
	put16(pkt + 4, ulen);
	put16(pkt + 6, 0);
	memcpy(pkt + 8, msg, len);
	if (!v6)
		put16(pkt + 6, udp4_sum(&from.sin_addr,
					&((const struct sockaddr_in *)dst)->sin_addr,
					pkt, ulen < 8 + len ? ulen : 8 + len));
	/* (A raw IPv6 socket takes sin6_port for the protocol: none.) */
	if (v6) {
		struct sockaddr_in6 to = *(const struct sockaddr_in6 *)dst;

		to.sin6_port = 0;
		if (sendto(fd, pkt, 8 + len, 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0)
			goto err;
	} else if (sendto(fd, pkt, 8 + len, 0, dst, dstlen) < 0) {
		goto err;
	}
	return 0;
err:
	fprintf(stderr, "send: %s\n", strerror(errno));
	return 1;
}

/*
 * send [-b ADDR] [-s SIZE] [-n COUNT] [-g] [-u ULEN] SRC_PORT DST DST_PORT
 *      KIND[,KIND...] [TUNNEL_ID [SESSION_ID]]
 * Each KIND a datagram (COUNT times over); -g: all in one UDP GSO
 * super-packet (UDP_SEGMENT, SIZE bytes a segment).
 */
static int do_send(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	static unsigned char msg[65536], all[65536];
	unsigned int tid, sid, count = 1, ulen = 0, n;
	size_t size = 0, len, total = 0;
	const char *src = NULL;
	char *kind, *list, *save;
	struct addrinfo *ai;
	int fd, type, opt, gso = 0, ulen_given = 0;

	optind = 1;
	while ((opt = getopt(argc, argv, "+b:s:n:gu:")) != -1) {
		switch (opt) {
		case 'b': src = optarg; break;
		case 's': size = strtoul(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'g': gso = 1; break;
		case 'u': ulen = strtoul(optarg, NULL, 0); ulen_given = 1; break;
		default: return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 4 || size > 60000)
		return 2;
	tid = argc > 4 ? atoi(argv[4]) : 0;
	sid = argc > 5 ? atoi(argv[5]) : 0;
	if (getaddrinfo(argv[1], argv[2], &hints, &ai))
		return 2;
	fd = udp_socket(ai->ai_family, src, atoi(argv[0]));
	if (gso && setsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &(int){ size },
			      sizeof(int)))
		die("UDP_SEGMENT");
	for (n = 0; n < count; n++) {
		list = strdup(argv[3]);
		for (kind = strtok_r(list, ",", &save); kind;
		     kind = strtok_r(NULL, ",", &save)) {
			type = kind_type(kind);
			if (type < -3)
				return 2;
			len = build(msg, type, tid, sid, size);
			if (gso) {
				/* Every segment but the last is SIZE bytes. */
				if (total + size > sizeof(all))
					return 2;
				memcpy(all + total, msg, len);
				total += size;
				continue;
			}
			if (ulen_given) {
				if (send_udplen(src, atoi(argv[0]), ai->ai_addr,
						ai->ai_addrlen, msg, len, ulen))
					return 1;
				continue;
			}
			if (sendto(fd, msg, len, 0, ai->ai_addr, ai->ai_addrlen) < 0) {
				fprintf(stderr, "send: %s\n", strerror(errno));
				return 1;
			}
		}
		free(list);
	}
	if (gso && sendto(fd, all, total, 0, ai->ai_addr, ai->ai_addrlen) < 0) {
		fprintf(stderr, "send: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/* L2TPv3 over IP: session id 0 and a control header, or a session's data. */
static size_t build_ip(unsigned char *b, int type, unsigned int id)
{
	size_t len;

	memset(b, 0, 4);
	if (type < 0) {
		b[0] = id >> 24;
		b[1] = id >> 16;
		b[2] = id >> 8;
		b[3] = id;
		memcpy(b + 4, "\xff\x03\x00\x21", 4);
		return 8;
	}
	len = build(b + 4, type, 0, 0, 0);
	b[5] = 0x03;		/* version 3; bytes 8-11: the CCID */
	b[8] = id >> 24;
	b[9] = id >> 16;
	b[10] = id >> 8;
	b[11] = id;
	return len + 4;
}

static int do_send_ip(int argc, char **argv)
{
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct sockaddr_in dst = { .sin_family = AF_INET };
	unsigned char msg[40];
	size_t i, len;
	int fd;

	if (argc > 2 && !strcmp(argv[1], "-b")) {
		if (inet_pton(AF_INET, argv[2], &src.sin_addr) != 1)
			return 2;
		argc -= 2;
		argv += 2;
	}
	if (argc != 4 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1)
		return 2;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(argv[2], kinds[i].name))
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return 2;
	fd = socket(AF_INET, SOCK_RAW, 115);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)))
		die("raw socket");
	len = build_ip(msg, kinds[i].type, strtoul(argv[3], NULL, 0));
	if (sendto(fd, msg, len, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		fprintf(stderr, "send: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/* What one datagram is, as the kinds above name it (L2TPv2 as built here). */
static const char *classify(const unsigned char *b, ssize_t len)
{
	if (len < 6 || (b[1] & 0x0f) != 2)
		return "other";
	if (!(b[0] & 0x80))
		return "data";
	if (len == 12)
		return "zlb";
	if (len >= 20)
		return kind_name(b[18] << 8 | b[19]);
	return "other";
}

/*
 * Counts the datagrams arriving on @port: their number in FILE (replaced
 * atomically), and one line each in FILE.log: its kind and tunnel id.
 */
static void __attribute__((noreturn)) do_count(const char *port, const char *file)
{
	int fd = udp_socket(AF_INET6, NULL, atoi(port));
	unsigned char buf[2048];
	char tmp[4096];
	FILE *f, *log;
	ssize_t len;
	long n = 0;

	snprintf(tmp, sizeof(tmp), "%s.log", file);
	log = fopen(tmp, "w");
	if (!log)
		die(tmp);
	setvbuf(log, NULL, _IOLBF, 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	for (;;) {
		f = fopen(tmp, "w");
		if (!f)
			die(tmp);
		fprintf(f, "%ld\n", n);
		fclose(f);
		if (rename(tmp, file))
			die("rename");
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			continue;
		fprintf(log, "%s %u\n", classify(buf, len),
			len >= 6 ? (unsigned int)(buf[0] & 0x40 ? buf[4] << 8 | buf[5] :
								  buf[2] << 8 | buf[3]) : 0);
		n++;
	}
}

/*
 * As an IKE daemon does: ESP in UDP arrives on this socket, which the
 * kernel's IPsec policies must not apply to (since 6.x the policy check
 * comes before the decapsulation).
 */
static int do_natt(const char *port)
{
	int fd = udp_socket(AF_INET, NULL, atoi(port)), encap = UDP_ENCAP_ESPINUDP;
	struct xfrm_userpolicy_info bypass = {
		.action = XFRM_POLICY_ALLOW,
		.sel.family = AF_INET,
		.lft = { XFRM_INF, XFRM_INF, XFRM_INF, XFRM_INF },
	};
	int dir;

	for (dir = XFRM_POLICY_IN; dir <= XFRM_POLICY_OUT; dir++) {
		bypass.dir = dir;
		if (setsockopt(fd, IPPROTO_IP, IP_XFRM_POLICY, &bypass, sizeof(bypass)))
			die("IP_XFRM_POLICY");
	}
	if (setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof(encap)))
		die("UDP_ENCAP");
	pause();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[1], "send"))
		return do_send(argc - 1, argv + 1);
	if (argc >= 5 && !strcmp(argv[1], "send-ip"))
		return do_send_ip(argc - 1, argv + 1);
	if (argc == 4 && !strcmp(argv[1], "count"))
		do_count(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "natt"))
		return do_natt(argv[2]);
	fprintf(stderr, "usage: l2tp_peer send [-b SRC_ADDR] [-s SIZE] [-n COUNT] [-g] [-u ULEN] SRC_PORT DST_ADDR DST_PORT KIND[,KIND...] [TUNNEL_ID [SESSION_ID]]\n"
		"       l2tp_peer send-ip [-b SRC_ADDR] DST_ADDR KIND ID\n"
		"       l2tp_peer count PORT FILE\n"
		"       l2tp_peer natt PORT\n");
	return 2;
}
