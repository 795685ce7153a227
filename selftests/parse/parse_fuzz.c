// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/parse.c: any input, through both entry points,
 * must be parsed within its bounds (ASan, UBSan) and give a consistent
 * result. Corpus in corpus/; run with `make -C selftests/parse fuzz`.
 */
#include <stdlib.h>

#include "../../kmod/parse.h"

static void check(int r, const struct l2tpss_pkt *pkt, size_t len)
{
	if (r != L2TPSS_PARSE_OK)
		return;
	if (pkt->version != 2 && pkt->version != 3)
		abort();
	/* A control message has at least its 12-byte header. */
	if (pkt->control && len < 12)
		abort();
	if (!pkt->control && pkt->msg_type)
		abort();
	if (pkt->version == 2 && (pkt->tunnel_id > 0xffff || pkt->session_id > 0xffff))
		abort();
}

/*
 * The first byte says how much of the payload the parser sees, as the
 * filter shows it only the head of a packet; the rest is the payload.
 */
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	struct l2tpss_pkt pkt;
	size_t head;

	if (!len)
		return 0;
	head = data[0] % (L2TPSS_PARSE_NEED + 1);
	data++;
	len--;
	if (head > len)
		head = len;
	check(l2tpss_parse_udp(data, len, len, &pkt), &pkt, len);
	check(l2tpss_parse_ip(data, len, len, &pkt), &pkt, len);
	check(l2tpss_parse_udp(data, head, len, &pkt), &pkt, head);
	check(l2tpss_parse_ip(data, head, len, &pkt), &pkt, head);
	return 0;
}
