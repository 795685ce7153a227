// SPDX-License-Identifier: GPL-2.0
/*
 * Host benchmark of kmod/parse.c: the instructions the parser spends on one
 * packet of each kind. Each kind is a well-formed L2TP packet built here, in
 * memory, handed to l2tpss_parse_udp() or l2tpss_parse_ip() as the filter
 * does (the first min(length, L2TPSS_PARSE_NEED) bytes, and the length),
 * N times in a row by a noinline wrapper of its own, bench_<kind>(), so that
 * callgrind can tell the kinds apart. parse.c is its own object, built with
 * the module's code generation flags (see the Makefile); the count is taken
 * by selftests/bench/host-parse.sh, which runs one kind per callgrind run
 * with collection on inside the parser only and divides by N.
 *
 * Usage: parse_bench -l          the kinds: name, parser (udp or ip), class
 *        parse_bench -i          compiler and flags it was built with
 *        parse_bench [N [KIND]]  N calls (100000) per kind, or of KIND only
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kmod/parse.h"

#ifndef BENCH_CC
#define BENCH_CC "unknown"
#endif
#ifndef BENCH_PARSE_CFLAGS
#define BENCH_PARSE_CFLAGS "unknown"
#endif

#define noinline __attribute__((noinline))
#define barrier() __asm__ __volatile__("" : : : "memory")

/* RFC 2661 Message Types the module does not name. */
#define MSG_WEN 15
#define MSG_SLI 16

#define PAYLOAD 1400	/* bytes after the header of a data packet */
#define BUF (L2TPSS_PARSE_NEED + PAYLOAD + 16)

struct kind {
	const char *name;
	int (*run)(const struct kind *k, unsigned long n, struct l2tpss_pkt *pkt);
	const char *parser;	/* "udp" or "ip" */
	const char *class;	/* "data" or "control" */
	unsigned char buf[BUF];
	size_t total;		/* the whole L2TP payload */
	struct l2tpss_pkt want;	/* what the parser must find */
};

/* N calls of @parser on @k's packet; the last one's verdict and @pkt. */
#define BENCH(name, parser)						\
static noinline int bench_##name(const struct kind *k, unsigned long n,	\
				 struct l2tpss_pkt *pkt)		\
{									\
	size_t len = k->total < L2TPSS_PARSE_NEED ? k->total :		\
						    L2TPSS_PARSE_NEED;	\
	int r = 0;							\
									\
	while (n--) {							\
		barrier();						\
		r = parser(k->buf, len, k->total, pkt);			\
	}								\
	return r;							\
}

BENCH(v2_data, l2tpss_parse_udp)
BENCH(v2_data_l, l2tpss_parse_udp)
BENCH(v2_data_s, l2tpss_parse_udp)
BENCH(v2_data_ls, l2tpss_parse_udp)
BENCH(v2_data_lso, l2tpss_parse_udp)
BENCH(v3_udp_data, l2tpss_parse_udp)
BENCH(v3_udp_ctrl, l2tpss_parse_udp)
BENCH(v3_ip_data, l2tpss_parse_ip)
BENCH(v3_ip_ctrl, l2tpss_parse_ip)
BENCH(v2_zlb, l2tpss_parse_udp)
BENCH(v2_sccrq, l2tpss_parse_udp)
BENCH(v2_sccrp, l2tpss_parse_udp)
BENCH(v2_scccn, l2tpss_parse_udp)
BENCH(v2_stopccn, l2tpss_parse_udp)
BENCH(v2_hello, l2tpss_parse_udp)
BENCH(v2_ocrq, l2tpss_parse_udp)
BENCH(v2_ocrp, l2tpss_parse_udp)
BENCH(v2_occn, l2tpss_parse_udp)
BENCH(v2_icrq, l2tpss_parse_udp)
BENCH(v2_icrp, l2tpss_parse_udp)
BENCH(v2_iccn, l2tpss_parse_udp)
BENCH(v2_cdn, l2tpss_parse_udp)
BENCH(v2_wen, l2tpss_parse_udp)
BENCH(v2_sli, l2tpss_parse_udp)

#define KIND(n, p, c) { .name = #n, .run = bench_##n, .parser = #p, .class = #c }
static struct kind kinds[] = {
	KIND(v2_data, udp, data),
	KIND(v2_data_l, udp, data),
	KIND(v2_data_s, udp, data),
	KIND(v2_data_ls, udp, data),
	KIND(v2_data_lso, udp, data),
	KIND(v3_udp_data, udp, data),
	KIND(v3_udp_ctrl, udp, control),
	KIND(v3_ip_data, ip, data),
	KIND(v3_ip_ctrl, ip, control),
	KIND(v2_zlb, udp, control),
	KIND(v2_sccrq, udp, control),
	KIND(v2_sccrp, udp, control),
	KIND(v2_scccn, udp, control),
	KIND(v2_stopccn, udp, control),
	KIND(v2_hello, udp, control),
	KIND(v2_ocrq, udp, control),
	KIND(v2_ocrp, udp, control),
	KIND(v2_occn, udp, control),
	KIND(v2_icrq, udp, control),
	KIND(v2_icrp, udp, control),
	KIND(v2_iccn, udp, control),
	KIND(v2_cdn, udp, control),
	KIND(v2_wen, udp, control),
	KIND(v2_sli, udp, control),
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static unsigned char *put16(unsigned char *b, unsigned int v)
{
	b[0] = v >> 8;
	b[1] = v;
	return b + 2;
}

static unsigned char *put32(unsigned char *b, unsigned int v)
{
	return put16(put16(b, v >> 16), v & 0xffff);
}

/*
 * v2 data: flags (L 0x40, S 0x08, O 0x02), version 2, [length], tunnel id,
 * session id, [Ns, Nr], [offset size, padding], then a PPP frame.
 */
static void v2_data(struct kind *k, unsigned int flags)
{
	unsigned char *b = k->buf, *len = NULL;

	*b++ = flags;
	*b++ = 0x02;
	if (flags & 0x40) {
		len = b;
		b += 2;
	}
	b = put16(b, 0x1234);
	b = put16(b, 0x5678);
	if (flags & 0x08) {
		b = put16(b, 7);
		b = put16(b, 3);
	}
	if (flags & 0x02) {
		b = put16(b, 2);
		b = put16(b, 0);
	}
	b = put16(b, 0xff03);	/* PPP address and control, then zeros */
	k->total = b - k->buf + PAYLOAD - 2;
	if (len)
		put16(len, k->total);
	k->want = (struct l2tpss_pkt){ .version = 2, .tunnel_id = 0x1234,
				       .session_id = 0x5678 };
}

/*
 * A control message at @b: T, L, S, version @ver; tunnel id (v2: 16 bits
 * and a session id of 0; v3: a 32-bit control connection id); Ns, Nr; the
 * Message Type AVP (none for a ZLB, @type < 0), then an Assigned Tunnel ID
 * AVP, so that it is, as real messages are, longer than the parser's head.
 */
static size_t ctrl(unsigned char *b, int ver, unsigned int tid, int type)
{
	unsigned char *p = b, *len;

	*p++ = 0xc8;
	*p++ = ver;
	len = p;
	p += 2;
	p = ver == 2 ? put16(put16(p, tid), 0) : put32(p, tid);
	p = put16(put16(p, 1), 2);
	if (type >= 0) {
		p = put16(put16(put16(p, 0x8000 | 8), 0), 0);	/* M, length 8, IETF, type 0 */
		p = put16(p, type);
		p = put16(put16(put16(p, 0x8000 | 8), 0), 9);
		p = put16(p, 0x4321);
	}
	put16(len, p - b);
	return p - b;
}

static void v2_ctrl(struct kind *k, int type)
{
	k->total = ctrl(k->buf, 2, 0x1234, type);
	k->want = (struct l2tpss_pkt){ .version = 2, .control = true,
				       .msg_type = type < 0 ? L2TPSS_MSG_ZLB : type,
				       .tunnel_id = 0x1234 };
}

static void build(void)
{
	static const int v2_types[] = {
		-1, L2TPSS_MSG_SCCRQ, L2TPSS_MSG_SCCRP, L2TPSS_MSG_SCCCN,
		L2TPSS_MSG_STOPCCN, L2TPSS_MSG_HELLO, L2TPSS_MSG_OCRQ,
		L2TPSS_MSG_OCRP, L2TPSS_MSG_OCCN, L2TPSS_MSG_ICRQ,
		L2TPSS_MSG_ICRP, L2TPSS_MSG_ICCN, L2TPSS_MSG_CDN, MSG_WEN,
		MSG_SLI,
	};
	struct kind *k = kinds;
	unsigned int i;

	v2_data(k++, 0);
	v2_data(k++, 0x40);
	v2_data(k++, 0x08);
	v2_data(k++, 0x48);
	v2_data(k++, 0x4a);

	/* v3 over UDP data: flags and version, reserved, session id; no cookie */
	put32(put32(put32(k->buf, 0x00030000), 0x89abcdef), 0xff030000);
	k->total = 8 + PAYLOAD;
	k->want = (struct l2tpss_pkt){ .version = 3, .session_id = 0x89abcdef };
	k++;
	k->total = ctrl(k->buf, 3, 0xdeadbeef, L2TPSS_MSG_ICRQ);
	k->want = (struct l2tpss_pkt){ .version = 3, .control = true,
				       .msg_type = L2TPSS_MSG_ICRQ,
				       .tunnel_id = 0xdeadbeef };
	k++;

	/* v3 over IP: a session id; 0 and a control message after it */
	put32(put32(k->buf, 0x89abcdef), 0xff030000);
	k->total = 4 + PAYLOAD;
	k->want = (struct l2tpss_pkt){ .version = 3, .session_id = 0x89abcdef };
	k++;
	put32(k->buf, 0);
	k->total = 4 + ctrl(k->buf + 4, 3, 0xdeadbeef, L2TPSS_MSG_SCCRQ);
	k->want = (struct l2tpss_pkt){ .version = 3, .control = true,
				       .msg_type = L2TPSS_MSG_SCCRQ,
				       .tunnel_id = 0xdeadbeef };
	k++;

	for (i = 0; i < sizeof(v2_types) / sizeof(v2_types[0]); i++)
		v2_ctrl(k++, v2_types[i]);
}

static int same(const struct l2tpss_pkt *a, const struct l2tpss_pkt *b)
{
	return a->version == b->version && a->control == b->control &&
	       a->msg_type == b->msg_type && a->tunnel_id == b->tunnel_id &&
	       a->session_id == b->session_id;
}

int main(int argc, char **argv)
{
	unsigned long n = 100000;
	struct l2tpss_pkt pkt;
	unsigned int i, done = 0;
	char *end;

	build();
	if (argc == 2 && !strcmp(argv[1], "-l")) {
		for (i = 0; i < NKINDS; i++)
			printf("%s %s %s\n", kinds[i].name, kinds[i].parser,
			       kinds[i].class);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "-i")) {
		printf("cc %s\nparse_cflags %s\n", BENCH_CC, BENCH_PARSE_CFLAGS);
		return 0;
	}
	if (argc > 1) {
		n = strtoul(argv[1], &end, 0);
		if (*end || !n || argc > 3) {
			fprintf(stderr, "usage: %s -l | -i | [N [KIND]]\n", argv[0]);
			return 2;
		}
	}
	for (i = 0; i < NKINDS; i++) {
		const struct kind *k = &kinds[i];

		if (argc > 2 && strcmp(argv[2], k->name))
			continue;
		memset(&pkt, 0xa5, sizeof(pkt));
		if (k->run(k, n, &pkt) != L2TPSS_PARSE_OK || !same(&pkt, &k->want)) {
			fprintf(stderr, "%s: not parsed as built\n", k->name);
			return 1;
		}
		printf("%s %s %lu calls\n", k->name, k->parser, n);
		done++;
	}
	if (!done) {
		fprintf(stderr, "%s: no such kind\n", argv[2]);
		return 2;
	}
	return 0;
}
