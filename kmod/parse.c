// SPDX-License-Identifier: GPL-2.0
/*
 * L2TP headers, RFC 2661 (v2) and RFC 3931 (v3): enough to tell control
 * from data, find the tunnel or session id, and read a control message's
 * type from its first AVP. No kernel dependency: see parse.h.
 */
#include "parse.h"

#define HDR_T		0x80	/* control message */
#define HDR_L		0x40	/* length field present */
#define HDR_S		0x08	/* Ns and Nr present */
#define HDR_O		0x02	/* offset size present (v2 data) */
#define HDR_VER_MASK	0x0f

#define CTRL_HDR_LEN	12	/* flags, length, ids, Ns, Nr */
#define AVP_HDR_LEN	6	/* flags+length, vendor id, attribute type */
#define AVP_M		0x8000	/* mandatory */
#define AVP_H		0x4000	/* hidden */
#define AVP_RSVD	0x3c00
#define AVP_LEN_MASK	0x03ff
#define AVP_MSG_TYPE_LEN 8

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

/*
 * A control message: T, L and S set, O clear; its length field covers the
 * header and its AVPs. With no AVP it is a ZLB acknowledgment; otherwise
 * the first AVP must be a visible, mandatory Message Type.
 */
static int parse_control(const __u8 *p, size_t len, size_t total,
			 struct l2tpss_pkt *pkt)
{
	__u16 msg_len, avp;

	if (len < CTRL_HDR_LEN || (p[0] & (HDR_L | HDR_S | HDR_O)) != (HDR_L | HDR_S))
		return L2TPSS_PARSE_MALFORMED;
	msg_len = get16(p + 2);
	if (msg_len < CTRL_HDR_LEN || msg_len > total)
		return L2TPSS_PARSE_MALFORMED;
	pkt->control = true;
	if (pkt->version == 2)
		pkt->tunnel_id = get16(p + 4);
	else
		pkt->tunnel_id = get32(p + 4);
	if (msg_len == CTRL_HDR_LEN) {
		pkt->msg_type = L2TPSS_MSG_ZLB;
		return L2TPSS_PARSE_OK;
	}
	if (msg_len < CTRL_HDR_LEN + AVP_MSG_TYPE_LEN ||
	    len < CTRL_HDR_LEN + AVP_MSG_TYPE_LEN)
		return L2TPSS_PARSE_MALFORMED;
	p += CTRL_HDR_LEN;
	avp = get16(p);
	if ((avp & (AVP_M | AVP_H | AVP_RSVD)) != AVP_M ||
	    (avp & AVP_LEN_MASK) != AVP_MSG_TYPE_LEN ||
	    get16(p + 2) != 0 || get16(p + 4) != 0)
		return L2TPSS_PARSE_MALFORMED;
	pkt->msg_type = get16(p + AVP_HDR_LEN);
	/* Type 0 would be mistaken for a ZLB, which may pass everywhere. */
	if (pkt->msg_type == L2TPSS_MSG_ZLB)
		return L2TPSS_PARSE_MALFORMED;
	return L2TPSS_PARSE_OK;
}

/*
 * v2 data: the optional length, then the ids, the optional Ns/Nr and offset
 * size. The offset padding is l2tp_core's to check.
 */
static int parse_v2_data(const __u8 *p, size_t len, size_t total,
			 struct l2tpss_pkt *pkt)
{
	__u8 flags = p[0];
	size_t off = 2;

	if (flags & HDR_L) {
		if (len < 4 || get16(p + 2) > total)
			return L2TPSS_PARSE_MALFORMED;
		off = 4;
	}
	/* The ids, then Ns and Nr (HDR_S >> 1 bytes), offset size (HDR_O). */
	if (len < off + 4 + ((flags & HDR_S) >> 1) + (flags & HDR_O))
		return L2TPSS_PARSE_MALFORMED;
	pkt->tunnel_id = get16(p + off);
	pkt->session_id = get16(p + off + 2);
	return L2TPSS_PARSE_OK;
}

int l2tpss_parse_udp(const __u8 *p, size_t len, size_t total,
		     struct l2tpss_pkt *pkt)
{
	*pkt = (struct l2tpss_pkt){ 0 };
	if (len < 2 || len > total)
		return L2TPSS_PARSE_MALFORMED;
	pkt->version = p[1] & HDR_VER_MASK;
	if (pkt->version != 2 && pkt->version != 3)
		return L2TPSS_PARSE_MALFORMED;
	if (p[0] & HDR_T)
		return parse_control(p, len, total, pkt);
	if (pkt->version == 2)
		return parse_v2_data(p, len, total, pkt);
	/* v3 data over UDP: flags and version, reserved, session id. */
	if (len < 8)
		return L2TPSS_PARSE_MALFORMED;
	pkt->session_id = get32(p + 4);
	return pkt->session_id ? L2TPSS_PARSE_OK : L2TPSS_PARSE_MALFORMED;
}

int l2tpss_parse_ip(const __u8 *p, size_t len, size_t total,
		    struct l2tpss_pkt *pkt)
{
	*pkt = (struct l2tpss_pkt){ 0 };
	if (len < 4 || len > total)
		return L2TPSS_PARSE_MALFORMED;
	pkt->version = 3;
	pkt->session_id = get32(p);
	if (pkt->session_id)
		return L2TPSS_PARSE_OK;
	/* Session id 0: a control message follows. */
	p += 4;
	len -= 4;
	total -= 4;
	if (len < 2 || !(p[0] & HDR_T) || (p[1] & HDR_VER_MASK) != 3)
		return L2TPSS_PARSE_MALFORMED;
	return parse_control(p, len, total, pkt);
}
