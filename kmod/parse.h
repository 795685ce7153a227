/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The L2TP header and control message parser. It needs nothing but the
 * types of <linux/types.h>, so the same source is built into the module,
 * into a host unit test and into a libFuzzer target (selftests/parse/).
 */
#ifndef _L2TPSS_PARSE_H
#define _L2TPSS_PARSE_H

#include <linux/types.h>	/* the UAPI one, on the host */
#ifndef __KERNEL__
#include <stdbool.h>
#include <stddef.h>
#endif

/* Control message types (RFC 2661 section 3.2, RFC 3931 section 6). */
enum l2tpss_msg_type {
	L2TPSS_MSG_ZLB = 0,	/* no Message Type AVP: an acknowledgment */
	L2TPSS_MSG_SCCRQ = 1,
	L2TPSS_MSG_SCCRP = 2,
	L2TPSS_MSG_SCCCN = 3,
	L2TPSS_MSG_STOPCCN = 4,
	L2TPSS_MSG_HELLO = 6,
	L2TPSS_MSG_OCRQ = 7,
	L2TPSS_MSG_OCRP = 8,
	L2TPSS_MSG_OCCN = 9,
	L2TPSS_MSG_ICRQ = 10,
	L2TPSS_MSG_ICRP = 11,
	L2TPSS_MSG_ICCN = 12,
	L2TPSS_MSG_CDN = 14,
	L2TPSS_MSG_ACK = 20,	/* L2TPv3 explicit acknowledgment */
};

/* What the filter needs to know of one L2TP packet. */
struct l2tpss_pkt {
	__u8 version;		/* 2 or 3 */
	bool control;
	__u16 msg_type;		/* enum l2tpss_msg_type; control only */
	__u32 tunnel_id;		/* v2: header tunnel id; v3 control: CCID */
	__u32 session_id;		/* v2: header session id; v3 data: session id */
};

enum l2tpss_parse_result {
	L2TPSS_PARSE_OK = 0,
	L2TPSS_PARSE_MALFORMED = -1,	/* not a valid L2TP packet */
};

/*
 * @p holds the first @len bytes of a payload of @total bytes: the UDP
 * payload, or the IP payload of protocol 115 (L2TPv3 over IP). The parser
 * reads no byte past @len; 24 bytes are enough for any verdict.
 */
#define L2TPSS_PARSE_NEED 24
int l2tpss_parse_udp(const __u8 *p, size_t len, size_t total,
		     struct l2tpss_pkt *pkt);
int l2tpss_parse_ip(const __u8 *p, size_t len, size_t total,
		    struct l2tpss_pkt *pkt);

/* Setup messages a disconnected single-shot tunnel must not pass (item 8). */
static inline bool l2tpss_msg_is_teardown(__u16 type)
{
	return type == L2TPSS_MSG_ZLB || type == L2TPSS_MSG_STOPCCN ||
	       type == L2TPSS_MSG_CDN || type == L2TPSS_MSG_ACK;
}

static inline bool l2tpss_msg_is_session_request(__u16 type)
{
	return type == L2TPSS_MSG_ICRQ || type == L2TPSS_MSG_OCRQ;
}

#endif /* _L2TPSS_PARSE_H */
