// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: netfilter hooks on IPv4 and IPv6 local input and output
 * that enforce on the wire what l2tp_core cannot see (SPEC.md items 6, 8,
 * 9, 11-14).
 *
 * Only UDP to or from a port a tracked tunnel uses (and 1701, where new
 * tunnels start) and IP protocol 115 (L2TPv3 over IP) are looked at; every
 * other packet costs a protocol test, or a protocol test and a port lookup.
 * For those, the parser reads the header and, for control messages, the
 * Message Type; the verdict reads RCU-protected tables: the tunnel records
 * by flow (live and in destruct), the IPsec connections by identity and the
 * profiles. Only a StopCCN or CDN that spends a connection takes the netns
 * lock.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/l2tp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/xfrm.h>

#include "l2tpss.h"
#include "parse.h"

#define L2TP_PORT 1701

/* One packet's view of its tunnel: the ends as seen from this host. */
struct flow {
	struct l2tpss_addr local, peer;
	__be16 local_port, peer_port;	/* 0 for L2TPv3 over IP */
	u8 dir;				/* enum l2tpss_direction */
	struct xfrm_state *x;		/* the ESP SA it came in or goes out by */
};

static u32 flow_hash(const struct l2tpss_addr *peer, __be16 peer_port,
		     __be16 local_port)
{
	u32 ports = (__force u32)peer_port << 16 | (__force u32)local_port;

	if (peer->ipv6)
		return jhash(&peer->ip6, sizeof(peer->ip6), ports);
	return jhash_2words((__force u32)peer->ip, ports, 0);
}

static __be16 tunnel_port(const struct l2tpss_tunnel *t, __be16 port)
{
	return t->encap == L2TP_ENCAPTYPE_UDP ? port : 0;
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

/* A record joins the packet path as it registers. Caller holds the lock. */
void l2tpss_flow_add(struct l2tpss_net *pn, struct l2tpss_tunnel *t)
{
	lockdep_assert_held(&pn->lock);
	hash_add_rcu(pn->flows, &t->flow_node,
		     flow_hash(&t->peer, tunnel_port(t, t->peer_port),
			       tunnel_port(t, t->local_port)));
	if (t->encap == L2TP_ENCAPTYPE_UDP)
		port_ref(pn, t->local_port, 1);
}

/* ... and leaves it with its tombstone. Caller holds the lock. */
void l2tpss_flow_del(struct l2tpss_net *pn, struct l2tpss_tunnel *t)
{
	lockdep_assert_held(&pn->lock);
	hash_del_rcu(&t->flow_node);
	if (t->encap == L2TP_ENCAPTYPE_UDP)
		port_ref(pn, t->local_port, -1);
}

static bool port_tracked(struct l2tpss_net *pn, __be16 port)
{
	return port == htons(L2TP_PORT) || xa_load(&pn->ports, ntohs(port));
}

/*
 * The record a packet belongs to. Control messages and v2 data name the
 * tunnel: our id inbound, the peer's outbound; id 0 (an SCCRQ) names none.
 * L2TPv3 data names a session only: the newest record of the flow.
 */
static struct l2tpss_tunnel *flow_lookup(struct l2tpss_net *pn,
					 const struct flow *f,
					 const struct l2tpss_pkt *pkt)
{
	bool named = pkt->control || pkt->version == 2;
	struct l2tpss_tunnel *t;

	if (named && !pkt->tunnel_id)
		return NULL;
	hash_for_each_possible_rcu(pn->flows, t, flow_node,
				   flow_hash(&f->peer, f->peer_port,
					     f->local_port)) {
		if (tunnel_port(t, t->peer_port) != f->peer_port ||
		    tunnel_port(t, t->local_port) != f->local_port ||
		    !l2tpss_addr_equal(&t->peer, &f->peer) ||
		    !l2tpss_addr_equal(&t->local, &f->local))
			continue;
		if (!named ||
		    pkt->tunnel_id == (f->dir == L2TPSS_DIR_IN ? t->id : t->peer_id))
			return t;
	}
	return NULL;
}

static struct xfrm_state *flow_sa(struct sk_buff *skb, u8 dir)
{
	struct xfrm_state *x = NULL;

	if (dir == L2TPSS_DIR_IN) {
		struct sec_path *sp = skb_sec_path(skb);

		if (sp && sp->len)
			x = sp->xvec[sp->len - 1];
	} else if (skb_dst(skb)) {
		x = skb_dst(skb)->xfrm;
	}
	return x && x->id.proto == IPPROTO_ESP ? x : NULL;
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

static u8 verdict(struct l2tpss_net *pn, const struct flow *f,
		  const struct l2tpss_pkt *pkt, struct l2tpss_tunnel *t,
		  struct l2tpss_conn *c)
{
	bool in = f->dir == L2TPSS_DIR_IN, ctrl = pkt->control;
	u16 type = pkt->msg_type;

	if (!f->x) {
		/* Item 14: once over IPsec, never in the clear again. */
		if (t && t->conn)
			return L2TPSS_DROP_PLAINTEXT;
		/* require-ipsec: the tunnel's, or the one it would get. */
		if (t && READ_ONCE(t->settings.require_ipsec))
			return L2TPSS_DROP_PLAINTEXT;
		if (!t && ctrl &&
		    l2tpss_policy_flag(pn, &f->local, &f->peer,
				       L2TPSS_SET_REQUIRE_IPSEC))
			return L2TPSS_DROP_PLAINTEXT;
	}
	if (c && READ_ONCE(c->spent))
		return L2TPSS_DROP_SPENT;
	if (t && READ_ONCE(t->state) == L2TPSS_STATE_DESTRUCTING &&
	    READ_ONCE(t->settings.single_shot) &&
	    !(ctrl && l2tpss_msg_is_teardown(type)))
		return L2TPSS_DROP_DISCONNECTED;
	if (!ctrl)
		return L2TPSS_DROP_NONE;
	if (in && type == L2TPSS_MSG_SCCRQ && c && READ_ONCE(c->single_shot))
		return L2TPSS_DROP_SECOND_TUNNEL;
	if (t && l2tpss_msg_is_session_request(type) &&
	    READ_ONCE(t->settings.single_shot) && READ_ONCE(t->sessions_total))
		return L2TPSS_DROP_SECOND_SESSION;
	if (c && (type == L2TPSS_MSG_STOPCCN || type == L2TPSS_MSG_CDN) &&
	    (!t || !READ_ONCE(t->sessions_total)))
		teardown_seen(pn, f, t, c);
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

/* @off: where the IP payload of protocol @proto starts. */
static unsigned int filter(struct net *net, struct sk_buff *skb,
			   unsigned int off, u8 proto, struct flow *f)
{
	struct l2tpss_net *pn = l2tpss_pernet(net);
	u8 buf[L2TPSS_PARSE_NEED];
	struct l2tpss_tunnel *t;
	struct l2tpss_pkt pkt;
	struct l2tpss_conn *c;
	unsigned int total, len;
	const u8 *p;
	u8 why;
	int err;

	if (proto == IPPROTO_UDP) {
		const struct udphdr *uh;
		struct udphdr _uh;

		uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
		if (!uh)
			return NF_ACCEPT;
		f->local_port = f->dir == L2TPSS_DIR_IN ? uh->dest : uh->source;
		f->peer_port = f->dir == L2TPSS_DIR_IN ? uh->source : uh->dest;
		if (!port_tracked(pn, f->local_port))
			return NF_ACCEPT;
		off += sizeof(*uh);
	}
	if (skb->len < off)
		return NF_ACCEPT;
	total = skb->len - off;
	len = min_t(unsigned int, total, sizeof(buf));
	p = skb_header_pointer(skb, off, len, buf);
	if (!p)
		return NF_ACCEPT;

	f->x = flow_sa(skb, f->dir);
	c = f->x ? l2tpss_conn_lookup(pn, f->x, f->dir == L2TPSS_DIR_IN) : NULL;
	if (proto == IPPROTO_UDP)
		err = l2tpss_parse_udp(p, len, total, &pkt);
	else
		err = l2tpss_parse_ip(p, len, total, &pkt);
	if (err)
		return drop(pn, f, NULL, c, L2TPSS_DROP_MALFORMED);

	t = flow_lookup(pn, f, &pkt);
	why = verdict(pn, f, &pkt, t, c);
	if (why)
		return drop(pn, f, t, c, why);
	if (c && f->dir == L2TPSS_DIR_IN)
		WRITE_ONCE(c->last_rx, jiffies);
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

int l2tpss_filter_init(struct l2tpss_net *pn)
{
	hash_init(pn->flows);
	xa_init(&pn->ports);
	ratelimit_state_init(&pn->blocked_events, HZ, 10);
	ratelimit_set_flags(&pn->blocked_events, RATELIMIT_MSG_ON_RELEASE);
	return nf_register_net_hooks(pn->net, l2tpss_nf_ops,
				     ARRAY_SIZE(l2tpss_nf_ops));
}

/*
 * First in netns exit: no packet sees the tables once this returns. (A
 * netns whose init failed gets no exit call, so the hooks are there.)
 */
void l2tpss_filter_exit(struct l2tpss_net *pn)
{
	nf_unregister_net_hooks(pn->net, l2tpss_nf_ops,
				ARRAY_SIZE(l2tpss_nf_ops));
}

/* After l2tpss_tunnels_exit(), which takes every record off the flows. */
void l2tpss_filter_destroy(struct l2tpss_net *pn)
{
	xa_destroy(&pn->ports);
}
