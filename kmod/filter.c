// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: netfilter hooks on IPv4 and IPv6 local input and output
 * that enforce on the wire what l2tp_core cannot see (SPEC.md items 6-9,
 * 11-14).
 *
 * What is judged: the traffic of tracked flows (the exact addresses and
 * ports of a tunnel record, live or in destruct), and L2TP control messages
 * to or from UDP/1701 or over IP protocol 115 that start new tunnels.
 * Everything else passes untouched, malformed or not: a port belongs to
 * L2TP only while a tracked flow uses it. Other traffic costs a protocol
 * test, or a protocol test and a port lookup.
 *
 * The parser reads the header and, for control messages, the Message Type;
 * the verdict reads RCU-protected tables: the tunnel records by flow, the
 * sessions by id (L2TPv3 data names a session only), the IPsec connections
 * and the profiles. Only a StopCCN or CDN that spends a connection or ends a
 * single-shot tunnel's only call takes the netns lock.
 *
 * IPv6 is judged on whole datagrams: IPv6 defragmentation (nf_defrag_ipv6,
 * as conntrack uses it) runs in every netns, since IPv6 otherwise reassembles
 * after local input. UDP GSO/GRO super-packets are judged segment by
 * segment, and dropped whole if any segment would be.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/l2tp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#endif
#include <net/xfrm.h>

#include "l2tpss.h"
#include "parse.h"

#define L2TP_PORT 1701

/* One packet's view of its tunnel: the ends as seen from this host. */
struct flow {
	struct l2tpss_addr local, peer;
	__be16 local_port, peer_port;	/* 0 for L2TPv3 over IP */
	u8 dir;				/* enum l2tpss_direction */
	struct xfrm_state *x;		/* the peer's ESP SA it came or goes by */
};

/*
 * The flows: records by the peer's address and both ports (0 over IP), as
 * laid out in a record and in a struct flow alike, compared and hashed
 * whole (rhashtable's random seed; addresses and padding zeroed past what
 * they use). A record and its tombstones share a key, newest first.
 */
#define FLOW_KEY_LEN (sizeof(struct l2tpss_addr) + 2 * sizeof(__be16))

static const struct rhashtable_params flow_params = {
	.head_offset = offsetof(struct l2tpss_tunnel, flow_node),
	.key_offset = offsetof(struct l2tpss_tunnel, peer),
	.key_len = FLOW_KEY_LEN,
	.automatic_shrinking = true,
};

/* The records of @f's key. Under RCU. */
static struct rhlist_head *flow_records(struct l2tpss_net *pn,
					const struct flow *f)
{
	return rhltable_lookup(&pn->flows, &f->peer, flow_params);
}

/* Local UDP ports in use by tracked tunnels, with a count each. */
static void port_ref(struct l2tpss_net *pn, __be16 port, int delta)
{
	void *entry = xa_load(&pn->ports, ntohs(port));
	unsigned long n = entry ? xa_to_value(entry) : 0;

	/* A store that failed for memory left the port uncounted. */
	if (delta < 0 && !n)
		return;
	n += delta;
	if (n)
		xa_store(&pn->ports, ntohs(port), xa_mk_value(n), GFP_ATOMIC);
	else
		xa_erase(&pn->ports, ntohs(port));
}

/*
 * A record joins the packet path as it registers. Caller holds the lock.
 * Out of memory, its packets go unjudged: false, and it is never in the
 * table, which l2tpss_flow_del() finds.
 */
bool l2tpss_flow_add(struct l2tpss_net *pn, struct l2tpss_tunnel *t)
{
	lockdep_assert_held(&pn->lock);
	if (rhltable_insert(&pn->flows, &t->flow_node, flow_params))
		return false;
	if (t->encap == L2TP_ENCAPTYPE_UDP)
		port_ref(pn, t->local_port, 1);
	return true;
}

/* ... and leaves it with its tombstone. Caller holds the lock. */
void l2tpss_flow_del(struct l2tpss_net *pn, struct l2tpss_tunnel *t)
{
	lockdep_assert_held(&pn->lock);
	if (rhltable_remove(&pn->flows, &t->flow_node, flow_params))
		return;
	if (t->encap == L2TP_ENCAPTYPE_UDP)
		port_ref(pn, t->local_port, -1);
}

/* Whether UDP between these ports may be L2TP at all (the pre-filter). */
static bool udp_may_be_l2tp(struct l2tpss_net *pn, const struct flow *f)
{
	return f->local_port == htons(L2TP_PORT) ||
	       f->peer_port == htons(L2TP_PORT) ||
	       xa_load(&pn->ports, ntohs(f->local_port));
}

static bool flow_is(const struct l2tpss_tunnel *t, const void *arg)
{
	const struct flow *f = arg;

	return t->peer_port == f->peer_port &&
	       t->local_port == f->local_port &&
	       l2tpss_addr_equal(&t->peer, &f->peer) &&
	       l2tpss_addr_equal(&t->local, &f->local);
}

/* Whether a record, live or in destruct, has exactly @f's ends. */
static bool flow_tracked(struct l2tpss_net *pn, const struct flow *f)
{
	struct l2tpss_tunnel *t;
	struct rhlist_head *pos;

	rhl_for_each_entry_rcu(t, pos, flow_records(pn, f), flow_node)
		if (flow_is(t, f))
			return true;
	return false;
}

/*
 * The record a packet of @f belongs to, and whether @f is a tracked flow
 * at all. Control messages and v2 data name the tunnel: our id inbound,
 * the peer's outbound; id 0 (an SCCRQ) names none. L2TPv3 data names a
 * session only (ours inbound, the peer's outbound): a live session of the
 * flow, else the single-shot tombstone of the flow whose one session it was.
 */
static struct l2tpss_tunnel *flow_lookup(struct l2tpss_net *pn,
					 const struct flow *f,
					 const struct l2tpss_pkt *pkt,
					 bool *tracked)
{
	bool in = f->dir == L2TPSS_DIR_IN;
	bool named = pkt->control || pkt->version == 2;
	struct l2tpss_tunnel *t, *found = NULL;
	struct rhlist_head *pos;

	*tracked = false;
	rhl_for_each_entry_rcu(t, pos, flow_records(pn, f), flow_node) {
		if (!flow_is(t, f))
			continue;
		*tracked = true;
		if (named) {
			if (pkt->tunnel_id &&
			    pkt->tunnel_id == (in ? t->id : t->peer_id))
				return t;	/* the newest comes first */
		} else if (!found &&
			   READ_ONCE(t->state) == L2TPSS_STATE_DESTRUCTING &&
			   READ_ONCE(t->settings.single_shot) &&
			   pkt->session_id == (in ? t->last_session_id :
						    t->last_peer_session_id)) {
			found = t;
		}
	}
	if (named || !*tracked)
		return NULL;
	return l2tpss_session_tunnel(pn, pkt->session_id, !in, flow_is, f) ?:
	       found;
}

/*
 * The ESP SA the packet came in (the last one that decrypted it) or goes out
 * by, if it is one with this packet's peer (item 13): another peer's SA,
 * say through a tunnel device, does not make plaintext acceptable.
 */
static struct xfrm_state *flow_sa(struct sk_buff *skb, const struct flow *f)
{
	struct xfrm_state *x = NULL;

	if (f->dir == L2TPSS_DIR_IN) {
		struct sec_path *sp = skb_sec_path(skb);

		if (sp && sp->len)
			x = sp->xvec[sp->len - 1];
	} else if (skb_dst(skb)) {
		x = skb_dst(skb)->xfrm;
	}
	return x && x->id.proto == IPPROTO_ESP &&
	       l2tpss_sa_is_peers(x, f->dir == L2TPSS_DIR_IN, &f->peer) ? x : NULL;
}

/*
 * Item 12: a StopCCN or CDN, in or out, on a single-shot connection before
 * or without a kernel session spends the connection.
 */
static void teardown_seen(struct l2tpss_net *pn, const struct flow *f,
			  struct l2tpss_tunnel *t, struct l2tpss_conn *c)
{
	bool single_shot = t ? READ_ONCE(t->settings.single_shot) :
		l2tpss_policy_flag(pn, &f->local, &f->peer,
				   L2TPSS_SET_SINGLE_SHOT);

	if (!single_shot && !READ_ONCE(c->single_shot))
		return;
	spin_lock_bh(&pn->lock);
	if (!pn->dead && c->live)
		l2tpss_conn_spend(pn, c);
	spin_unlock_bh(&pn->lock);
}

/*
 * Whether a StopCCN or CDN over @c ends @c's own call: that of the tunnel
 * bound to it (not one refused over it), or, with no tunnel yet, that of
 * the tunnel about to be made over a connection that carries none.
 */
static bool ends_own_call(const struct l2tpss_tunnel *t,
			  const struct l2tpss_conn *c)
{
	if (!t)
		return !READ_ONCE(c->tunnels);
	return READ_ONCE(t->conn) == c &&
	       READ_ONCE(t->pending_reason) != L2TPSS_REASON_REFUSED;
}

/* StopCCN, CDN and acks: they always pass, so that both ends can close. */
static void teardown(struct l2tpss_net *pn, const struct flow *f,
		     const struct l2tpss_pkt *pkt, struct l2tpss_tunnel *t,
		     struct l2tpss_conn *c)
{
	u16 type = pkt->msg_type;

	if (type != L2TPSS_MSG_STOPCCN && type != L2TPSS_MSG_CDN)
		return;
	if (t && READ_ONCE(t->sessions_total))
		return;		/* the session's own end counts, not this */
	if (c && ends_own_call(t, c))
		teardown_seen(pn, f, t, c);
	/* Items 7 and 12: the only call of a single-shot tunnel failed. */
	if (t && READ_ONCE(t->state) != L2TPSS_STATE_DESTRUCTING &&
	    READ_ONCE(t->settings.single_shot))
		l2tpss_tunnel_call_failed(pn, t);
}

static u8 verdict(struct l2tpss_net *pn, const struct flow *f,
		  const struct l2tpss_pkt *pkt, struct l2tpss_tunnel *t,
		  struct l2tpss_conn *c)
{
	bool in = f->dir == L2TPSS_DIR_IN, ctrl = pkt->control;
	u16 type = pkt->msg_type;

	if (!f->x) {
		/* Item 14: once over IPsec, never in the clear again. */
		if (t && READ_ONCE(t->conn))
			return L2TPSS_DROP_PLAINTEXT;
		/* require-ipsec: the tunnel's, or the one it would get. */
		if (t && READ_ONCE(t->settings.require_ipsec))
			return L2TPSS_DROP_PLAINTEXT;
		if (!t && ctrl &&
		    l2tpss_policy_flag(pn, &f->local, &f->peer,
				       L2TPSS_SET_REQUIRE_IPSEC))
			return L2TPSS_DROP_PLAINTEXT;
	}
	if (ctrl && l2tpss_msg_is_teardown(type)) {
		teardown(pn, f, pkt, t, c);
		return L2TPSS_DROP_NONE;
	}
	if (c && READ_ONCE(c->spent))
		return L2TPSS_DROP_SPENT;
	if (t && READ_ONCE(t->state) == L2TPSS_STATE_DESTRUCTING &&
	    READ_ONCE(t->settings.single_shot))
		return L2TPSS_DROP_DISCONNECTED;
	if (!ctrl)
		return L2TPSS_DROP_NONE;
	if (in && type == L2TPSS_MSG_SCCRQ && c && READ_ONCE(c->single_shot))
		return L2TPSS_DROP_SECOND_TUNNEL;
	if (t && l2tpss_msg_is_session_request(type) &&
	    READ_ONCE(t->settings.single_shot) && READ_ONCE(t->sessions_total))
		return L2TPSS_DROP_SECOND_SESSION;
	return L2TPSS_DROP_NONE;
}

static unsigned int drop(struct l2tpss_net *pn, const struct flow *f,
			 struct l2tpss_tunnel *t, struct l2tpss_conn *c, u8 why)
{
	atomic64_inc(&pn->drops[why]);
	if (t)
		atomic64_inc(&t->blocked);
	if (c)
		atomic64_inc(&c->drops);
	if (__ratelimit(&pn->blocked_events))
		l2tpss_notify_blocked(pn, why, f->dir, t ? t->id : 0, c);
	return NF_DROP;
}

/*
 * The verdict on one L2TP message of @len bytes at @off (@udp: over UDP),
 * and the record it belongs to in @tp.
 */
static u8 judge(struct l2tpss_net *pn, struct sk_buff *skb, unsigned int off,
		unsigned int len, bool udp, const struct flow *f,
		struct l2tpss_conn *c, struct l2tpss_tunnel **tp)
{
	u8 buf[L2TPSS_PARSE_NEED];
	struct l2tpss_pkt pkt;
	bool tracked, judged;
	const u8 *p;
	int err;

	*tp = NULL;
	p = skb_header_pointer(skb, off, min_t(unsigned int, len, sizeof(buf)),
			       buf);
	if (!p)
		return L2TPSS_DROP_NONE;
	if (udp)
		err = l2tpss_parse_udp(p, min_t(unsigned int, len, sizeof(buf)),
				       len, &pkt);
	else
		err = l2tpss_parse_ip(p, min_t(unsigned int, len, sizeof(buf)),
				      len, &pkt);
	if (err)	/* a tracked flow's: anything else is not ours to judge */
		return flow_tracked(pn, f) ? L2TPSS_DROP_MALFORMED :
					     L2TPSS_DROP_NONE;
	*tp = flow_lookup(pn, f, &pkt, &tracked);
	/* New tunnels start with control messages on 1701 or over IP. */
	judged = tracked ||
		 (pkt.control && (!udp || f->local_port == htons(L2TP_PORT) ||
				  f->peer_port == htons(L2TP_PORT)));
	if (!judged)
		return L2TPSS_DROP_NONE;
	if (c && f->dir == L2TPSS_DIR_IN) {
		/* The evidence that binds a tunnel registering on this flow. */
		if (pkt.control)
			l2tpss_conn_evidence(c, f->peer_port, f->local_port,
					     f->x->id.spi);
		/*
		 * A tunnel's first packet in binds it (item 9), if it came
		 * over an SA: one that began in the clear stays plain.
		 */
		if (*tp && !READ_ONCE((*tp)->conn) &&
		    !READ_ONCE((*tp)->plain_first) &&
		    !l2tpss_conn_bind_packet(pn, *tp, c, f->x->id.spi)) {
			l2tpss_tunnel_refuse(pn, *tp);
			if (pkt.control && l2tpss_msg_is_teardown(pkt.msg_type))
				return L2TPSS_DROP_NONE;
			return READ_ONCE(c->spent) ? L2TPSS_DROP_SPENT :
						     L2TPSS_DROP_SECOND_TUNNEL;
		}
	}
	return verdict(pn, f, &pkt, *tp, c);
}

/* @off: where the IP payload of protocol @proto starts. */
static unsigned int filter(struct net *net, struct sk_buff *skb,
			   unsigned int off, u8 proto, struct flow *f)
{
	struct l2tpss_net *pn = l2tpss_pernet(net);
	unsigned int len, seg, segs = 1, i, ulen;
	struct l2tpss_tunnel *t = NULL, *seg_t;
	struct l2tpss_conn *c;
	u8 why = L2TPSS_DROP_NONE, seg_why;

	if (skb->len < off)
		return NF_ACCEPT;
	len = skb->len - off;
	seg = len;
	if (proto == IPPROTO_UDP) {
		const struct udphdr *uh;
		struct udphdr _uh;

		uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
		if (!uh)
			return NF_ACCEPT;
		f->local_port = f->dir == L2TPSS_DIR_IN ? uh->dest : uh->source;
		f->peer_port = f->dir == L2TPSS_DIR_IN ? uh->source : uh->dest;
		if (!udp_may_be_l2tp(pn, f))
			return NF_ACCEPT;
		off += sizeof(*uh);
		len -= min_t(unsigned int, len, sizeof(*uh));
		if (skb_is_gso(skb) &&
		    (skb_shinfo(skb)->gso_type & SKB_GSO_UDP_L4)) {
			/* Datagrams of gso_size bytes, the last one shorter. */
			seg = skb_shinfo(skb)->gso_size;
			if (!seg)
				return NF_ACCEPT;
			segs = DIV_ROUND_UP(len, seg);
		} else {
			/*
			 * Item 6: the UDP length, not the buffer's, bounds it;
			 * IPv6's UDP takes a length of 0 as "all of it".
			 */
			ulen = ntohs(uh->len);
			if (!ulen && f->peer.ipv6)
				ulen = len + sizeof(*uh);
			if (ulen < sizeof(*uh) || ulen - sizeof(*uh) > len)
				return NF_ACCEPT;	/* UDP drops it itself */
			len = ulen - sizeof(*uh);
			seg = len;
		}
	}

	f->x = flow_sa(skb, f);
	c = f->x ? l2tpss_conn_lookup(pn, f->x) : NULL;
	for (i = 0; i < segs; i++) {
		seg_why = judge(pn, skb, off + i * seg,
				min(seg, len - i * seg), proto == IPPROTO_UDP,
				f, c, &seg_t);
		if (!t)
			t = seg_t;
		if (seg_why && !why) {
			why = seg_why;
			t = seg_t;
		}
	}
	if (why)
		return drop(pn, f, t, c, why);
	if (t && !f->x && f->dir == L2TPSS_DIR_IN && !READ_ONCE(t->conn) &&
	    !READ_ONCE(t->plain_first))
		WRITE_ONCE(t->plain_first, true);
	return NF_ACCEPT;
}

static void flow_set_v4(struct flow *f, const struct iphdr *iph, u8 dir)
{
	memset(f, 0, sizeof(*f));
	f->dir = dir;
	f->local.ip = dir == L2TPSS_DIR_IN ? iph->daddr : iph->saddr;
	f->peer.ip = dir == L2TPSS_DIR_IN ? iph->saddr : iph->daddr;
}

static unsigned int l2tpss_ipv4_hook(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct flow f;

	/* Local input is reassembled; local output is not fragmented yet. */
	if ((iph->protocol != IPPROTO_UDP && iph->protocol != IPPROTO_L2TP) ||
	    ip_is_fragment(iph))
		return NF_ACCEPT;
	flow_set_v4(&f, iph, state->hook == NF_INET_LOCAL_IN ?
			     L2TPSS_DIR_IN : L2TPSS_DIR_OUT);
	return filter(state->net, skb, skb_network_offset(skb) + ip_hdrlen(skb),
		      iph->protocol, &f);
}

#if IS_ENABLED(CONFIG_IPV6)
static unsigned int l2tpss_ipv6_hook(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	u8 dir = state->hook == NF_INET_LOCAL_IN ? L2TPSS_DIR_IN : L2TPSS_DIR_OUT;
	u8 nexthdr = ip6h->nexthdr;
	__be16 frag_off;
	struct flow f;
	int off;

	/*
	 * nf_defrag_ipv6 has reassembled what comes in, before local input;
	 * what goes out is not fragmented yet.
	 */
	off = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
			       &nexthdr, &frag_off);
	if (off < 0 || (nexthdr != IPPROTO_UDP && nexthdr != IPPROTO_L2TP) ||
	    frag_off)
		return NF_ACCEPT;
	memset(&f, 0, sizeof(f));
	f.dir = dir;
	f.local.ipv6 = true;
	f.peer.ipv6 = true;
	f.local.ip6 = dir == L2TPSS_DIR_IN ? ip6h->daddr : ip6h->saddr;
	f.peer.ip6 = dir == L2TPSS_DIR_IN ? ip6h->saddr : ip6h->daddr;
	return filter(state->net, skb, off, nexthdr, &f);
}
#endif

static const struct nf_hook_ops l2tpss_nf_ops[] = {
	{
		.hook = l2tpss_ipv4_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_FILTER - 1,
	},
	{
		.hook = l2tpss_ipv4_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_FILTER - 1,
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.hook = l2tpss_ipv6_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP6_PRI_FILTER - 1,
	},
	{
		.hook = l2tpss_ipv6_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_FILTER - 1,
	},
#endif
};

/*
 * IPv6 reassembly before local input, in this netns (every Debian kernel
 * has nf_defrag_ipv6; without it IPv6 fragments pass unjudged).
 */
#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
static int defrag_enable(struct net *net)
{
	return nf_defrag_ipv6_enable(net);
}

static void defrag_disable(struct net *net)
{
	nf_defrag_ipv6_disable(net);
}
#else
static int defrag_enable(struct net *net)
{
	pr_warn_once("l2tpss: no CONFIG_NF_DEFRAG_IPV6: IPv6 fragments are not judged\n");
	return 0;
}

static void defrag_disable(struct net *net)
{
}
#endif

int l2tpss_filter_init(struct l2tpss_net *pn)
{
	int err;

	/* The flow key's layout, in a record and in a packet's flow. */
	BUILD_BUG_ON(offsetof(struct l2tpss_tunnel, local_port) !=
		     offsetof(struct l2tpss_tunnel, peer) +
		     sizeof(struct l2tpss_addr));
	BUILD_BUG_ON(offsetof(struct l2tpss_tunnel, peer_port) !=
		     offsetof(struct l2tpss_tunnel, local_port) + 2);
	BUILD_BUG_ON(offsetof(struct flow, local_port) !=
		     offsetof(struct flow, peer) + sizeof(struct l2tpss_addr));
	BUILD_BUG_ON(offsetof(struct flow, peer_port) !=
		     offsetof(struct flow, local_port) + 2);
	err = rhltable_init(&pn->flows, &flow_params);
	if (err)
		return err;
	xa_init(&pn->ports);
	ratelimit_state_init(&pn->blocked_events, HZ, 10);
	ratelimit_set_flags(&pn->blocked_events, RATELIMIT_MSG_ON_RELEASE);
	err = defrag_enable(pn->net);
	if (err)
		goto err_flows;
	err = nf_register_net_hooks(pn->net, l2tpss_nf_ops,
				    ARRAY_SIZE(l2tpss_nf_ops));
	if (!err)
		return 0;
	defrag_disable(pn->net);
err_flows:
	rhltable_destroy(&pn->flows);
	return err;
}

/*
 * First in netns exit: no packet sees the tables once this returns. (A
 * netns whose init failed gets no exit call, so the hooks are there.)
 */
void l2tpss_filter_exit(struct l2tpss_net *pn)
{
	nf_unregister_net_hooks(pn->net, l2tpss_nf_ops,
				ARRAY_SIZE(l2tpss_nf_ops));
	defrag_disable(pn->net);
}

/* After l2tpss_tunnels_exit(): no record is left to use a port. */
void l2tpss_filter_destroy(struct l2tpss_net *pn)
{
	rhltable_destroy(&pn->flows);
	xa_destroy(&pn->ports);
}
