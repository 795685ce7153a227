// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of kmod/parse.c, the L2TP parser the module's filter uses.
 * Known packets of each kind, then every truncation of each, then the
 * malformations the filter must refuse. TAP output.
 */
#include <stdio.h>
#include <string.h>

#include "../../kmod/parse.h"

static int failures, tests;

static void ok(int cond, const char *what)
{
	tests++;
	if (!cond)
		failures++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tests, what);
}

/* v2 control header + Message Type AVP; tunnel id @tid. */
static size_t v2_ctrl(unsigned char *b, unsigned int tid, int type)
{
	size_t len = type < 0 ? 12 : 20;
	unsigned char h[20] = {
		0xc8, 0x02, 0, (unsigned char)len, tid >> 8, tid & 0xff, 0, 0,
		0, 0, 0, 0,
		0x80, 0x08, 0, 0, 0, 0, 0, (unsigned char)type,
	};

	memcpy(b, h, len);
	return len;
}

static size_t v3_ctrl(unsigned char *b, unsigned int ccid, int type)
{
	size_t len = v2_ctrl(b, 0, type);

	b[1] = 0x03;
	b[4] = ccid >> 24;
	b[5] = ccid >> 16;
	b[6] = ccid >> 8;
	b[7] = ccid;
	return len;
}

/* Every strict prefix of a control message is malformed. */
static void truncations(const unsigned char *b, size_t len, int ip, const char *what)
{
	struct l2tpss_pkt pkt;
	char name[128];
	size_t cut;
	int bad = 0;

	for (cut = 0; cut < len; cut++)
		if ((ip ? l2tpss_parse_ip(b, cut, cut, &pkt) : l2tpss_parse_udp(b, cut, cut, &pkt)) !=
		    L2TPSS_PARSE_MALFORMED)
			bad++;
	snprintf(name, sizeof(name), "%s: every truncation is malformed", what);
	ok(!bad, name);
}

int main(void)
{
	unsigned char b[64], ip[68];
	struct l2tpss_pkt pkt;
	size_t len;
	int r;

	printf("TAP version 13\n");

	len = v2_ctrl(b, 0, L2TPSS_MSG_SCCRQ);
	r = l2tpss_parse_udp(b, len, len, &pkt);
	ok(!r && pkt.version == 2 && pkt.control && pkt.msg_type == L2TPSS_MSG_SCCRQ &&
	   pkt.tunnel_id == 0, "v2 SCCRQ");
	truncations(b, len, 0, "v2 SCCRQ");

	len = v2_ctrl(b, 0x1234, L2TPSS_MSG_ICRQ);
	memset(b + len, 0xab, 8);	/* trailing bytes beyond Length */
	r = l2tpss_parse_udp(b, len + 8, len + 8, &pkt);
	ok(!r && pkt.msg_type == L2TPSS_MSG_ICRQ && pkt.tunnel_id == 0x1234,
	   "v2 ICRQ with trailing bytes: tunnel id and type");

	/* The filter hands over only the head of a long message. */
	len = v2_ctrl(b, 0, L2TPSS_MSG_SCCRQ);
	b[2] = 1;	/* Length 276 */
	r = l2tpss_parse_udp(b, len, 300, &pkt);
	ok(!r && pkt.msg_type == L2TPSS_MSG_SCCRQ, "head of a long SCCRQ");
	ok(l2tpss_parse_udp(b, len, 200, &pkt) == L2TPSS_PARSE_MALFORMED,
	   "Length beyond the whole payload");
	ok(l2tpss_parse_udp(b, 16, 300, &pkt) == L2TPSS_PARSE_MALFORMED,
	   "head too short for the Message Type AVP");

	len = v2_ctrl(b, 7, -1);
	r = l2tpss_parse_udp(b, len, len, &pkt);
	ok(!r && pkt.control && pkt.msg_type == L2TPSS_MSG_ZLB && pkt.tunnel_id == 7,
	   "v2 ZLB");
	ok(l2tpss_msg_is_teardown(pkt.msg_type), "ZLB counts as teardown traffic");
	truncations(b, len, 0, "v2 ZLB");

	len = v2_ctrl(b, 7, L2TPSS_MSG_STOPCCN);
	r = l2tpss_parse_udp(b, len, len, &pkt);
	ok(!r && l2tpss_msg_is_teardown(pkt.msg_type), "v2 StopCCN is teardown");
	len = v2_ctrl(b, 7, L2TPSS_MSG_CDN);
	r = l2tpss_parse_udp(b, len, len, &pkt);
	ok(!r && l2tpss_msg_is_teardown(pkt.msg_type), "v2 CDN is teardown");
	len = v2_ctrl(b, 7, L2TPSS_MSG_HELLO);
	r = l2tpss_parse_udp(b, len, len, &pkt);
	ok(!r && !l2tpss_msg_is_teardown(pkt.msg_type), "v2 HELLO is not teardown");
	len = v2_ctrl(b, 7, L2TPSS_MSG_OCRQ);
	r = l2tpss_parse_udp(b, len, len, &pkt);
	ok(!r && l2tpss_msg_is_session_request(pkt.msg_type), "v2 OCRQ is a session request");

	len = v2_ctrl(b, 7, L2TPSS_MSG_SCCRQ);
	b[12] |= 0x40;
	ok(l2tpss_parse_udp(b, len, len, &pkt) == L2TPSS_PARSE_MALFORMED, "hidden Message Type AVP");
	len = v2_ctrl(b, 7, L2TPSS_MSG_SCCRQ);
	b[14] = 1;
	ok(l2tpss_parse_udp(b, len, len, &pkt) == L2TPSS_PARSE_MALFORMED, "vendor-specific first AVP");
	len = v2_ctrl(b, 7, L2TPSS_MSG_SCCRQ);
	b[17] = 9;
	ok(l2tpss_parse_udp(b, len, len, &pkt) == L2TPSS_PARSE_MALFORMED, "first AVP is not Message Type");
	len = v2_ctrl(b, 7, 0);
	ok(l2tpss_parse_udp(b, len, len, &pkt) == L2TPSS_PARSE_MALFORMED,
	   "Message Type 0 is not taken for a ZLB");
	len = v2_ctrl(b, 7, L2TPSS_MSG_SCCRQ);
	b[3] = 40;
	ok(l2tpss_parse_udp(b, len, len, &pkt) == L2TPSS_PARSE_MALFORMED, "Length beyond the packet");
	len = v2_ctrl(b, 7, L2TPSS_MSG_SCCRQ);
	b[3] = 14;
	ok(l2tpss_parse_udp(b, len, len, &pkt) == L2TPSS_PARSE_MALFORMED, "Length cuts the first AVP");
	len = v2_ctrl(b, 7, L2TPSS_MSG_SCCRQ);
	b[0] &= ~0x08;
	ok(l2tpss_parse_udp(b, len, len, &pkt) == L2TPSS_PARSE_MALFORMED, "control without sequence numbers");
	len = v2_ctrl(b, 7, L2TPSS_MSG_SCCRQ);
	b[1] = 1;
	ok(l2tpss_parse_udp(b, len, len, &pkt) == L2TPSS_PARSE_MALFORMED, "version 1 (L2F)");

	/* v2 data: no optional field, then length + sequence + offset. */
	memcpy(b, "\x00\x02\x00\x05\x00\x09", 6);
	r = l2tpss_parse_udp(b, 6, 6, &pkt);
	ok(!r && !pkt.control && pkt.tunnel_id == 5 && pkt.session_id == 9, "v2 data, plain header");
	truncations(b, 6, 0, "v2 data");
	memcpy(b, "\x4a\x02\x00\x10\x00\x05\x00\x09\x00\x00\x00\x00\x00\x02\xff\xff", 16);
	r = l2tpss_parse_udp(b, 16, 16, &pkt);
	ok(!r && pkt.tunnel_id == 5 && pkt.session_id == 9, "v2 data with L, S and O");
	truncations(b, 16, 0, "v2 data with L, S and O");
	b[3] = 0x40;
	ok(l2tpss_parse_udp(b, 16, 16, &pkt) == L2TPSS_PARSE_MALFORMED, "v2 data Length beyond the packet");

	len = v3_ctrl(b, 0xdeadbeef, L2TPSS_MSG_ICRQ);
	r = l2tpss_parse_udp(b, len, len, &pkt);
	ok(!r && pkt.version == 3 && pkt.control && pkt.tunnel_id == 0xdeadbeef &&
	   pkt.msg_type == L2TPSS_MSG_ICRQ, "v3 over UDP: ICRQ and its CCID");
	truncations(b, len, 0, "v3 over UDP control");

	memcpy(b, "\x00\x03\x00\x00\x00\x01\x02\x03", 8);
	r = l2tpss_parse_udp(b, 8, 8, &pkt);
	ok(!r && pkt.version == 3 && !pkt.control && pkt.session_id == 0x10203,
	   "v3 over UDP: data and its session id");
	truncations(b, 8, 0, "v3 over UDP data");
	memcpy(b, "\x00\x03\x00\x00\x00\x00\x00\x00", 8);
	ok(l2tpss_parse_udp(b, 8, 8, &pkt) == L2TPSS_PARSE_MALFORMED, "v3 over UDP: data session id 0");

	memset(ip, 0, 4);
	len = v3_ctrl(ip + 4, 42, L2TPSS_MSG_SCCRQ);
	r = l2tpss_parse_ip(ip, len + 4, len + 4, &pkt);
	ok(!r && pkt.control && pkt.tunnel_id == 42 && pkt.msg_type == L2TPSS_MSG_SCCRQ,
	   "v3 over IP: control after session id 0");
	truncations(ip, len + 4, 1, "v3 over IP control");
	ip[5] = 0x02;
	ok(l2tpss_parse_ip(ip, len + 4, len + 4, &pkt) == L2TPSS_PARSE_MALFORMED, "v3 over IP: control with version 2");
	memcpy(ip, "\x00\x00\x01\x00", 4);
	r = l2tpss_parse_ip(ip, 4, 4, &pkt);
	ok(!r && !pkt.control && pkt.session_id == 256, "v3 over IP: data");
	truncations(ip, 4, 1, "v3 over IP data");

	printf("1..%d\n", tests);
	printf("# %d passed, %d failed\n", tests - failures, failures);
	return failures ? 1 : 0;
}
