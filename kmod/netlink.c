// SPDX-License-Identifier: GPL-2.0
/*
 * The "l2tpss" generic netlink family: policies, commands, dumps and the
 * "events" multicast group. Every command works on the caller's netns and
 * every event goes to listeners in the tunnel's netns only. Like ip l2tp and
 * ip xfrm, every command, reads included, and listening to the events need
 * CAP_NET_ADMIN over the netns: they show peers, SPIs and reqids.
 */
#include <linux/jiffies.h>
#include <linux/l2tp.h>
#include <linux/module.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "l2tpss.h"

static struct genl_family l2tpss_family;

static const struct nla_policy tunnel_id_policy[L2TPSS_A_TUNNEL_ID + 1] = {
	[L2TPSS_A_TUNNEL_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy settings_set_policy[L2TPSS_A_SETTINGS + 1] = {
	[L2TPSS_A_TUNNEL_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[L2TPSS_A_SETTINGS] = NLA_POLICY_NESTED(l2tpss_settings_policy),
};

/* Not const: 6.1's nla_policy points to a mutable range. */
static struct netlink_range_validation max_records_range = {
	.min = L2TPSS_MAX_RECORDS_MIN,
	.max = L2TPSS_MAX_RECORDS_MAX,
};

static const struct nla_policy defaults_set_policy[L2TPSS_A_MAX_RECORDS + 1] = {
	[L2TPSS_A_SETTINGS] = NLA_POLICY_NESTED(l2tpss_settings_policy),
	[L2TPSS_A_MAX_RECORDS] = NLA_POLICY_FULL_RANGE(NLA_U32,
						       &max_records_range),
};

static const struct nla_policy profile_policy[L2TPSS_A_PROFILE + 1] = {
	[L2TPSS_A_PROFILE] = NLA_POLICY_NESTED(l2tpss_profile_policy),
};

/* Events show peers and SPIs: listening needs CAP_NET_ADMIN too. */
static const struct genl_multicast_group l2tpss_mcgrps[] = {
	{ .name = L2TPSS_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

/*
 * Events may be sent while the family is registered only: the hooks and
 * timers run before it is and after it is gone.
 */
static bool events_on;

static int put_addr(struct sk_buff *skb, int v4type, int v6type,
		    const struct l2tpss_addr *a)
{
	return a->ipv6 ? nla_put_in6_addr(skb, v6type, &a->ip6) :
			 nla_put_in_addr(skb, v4type, a->ip);
}

static int put_ports(struct sk_buff *skb, const struct l2tpss_tunnel *t)
{
	if (t->encap != L2TP_ENCAPTYPE_UDP)
		return 0;
	return nla_put_u16(skb, L2TPSS_TUNNEL_A_LOCAL_PORT,
			   ntohs(t->local_port)) ||
	       nla_put_u16(skb, L2TPSS_TUNNEL_A_PEER_PORT,
			   ntohs(t->peer_port));
}

/* Seconds since @when (ktime_get_boottime_seconds()), for ages. */
static u32 age_of(u64 when)
{
	return min_t(u64, ktime_get_boottime_seconds() - when, U32_MAX);
}

/*
 * A connection's identity and state. Its SAs change under the netns lock:
 * only callers holding it ask for them (the first L2TPSS_CONN_SAS_LISTED;
 * L2TPSS_CONN_A_NR_SAS counts them all).
 */
static int conn_fill(struct sk_buff *skb, int attrtype,
		     const struct l2tpss_conn *c, bool with_sas)
{
	struct nlattr *nest = nla_nest_start(skb, attrtype), *sa;
	const struct l2tpss_sa *s;
	unsigned int listed = 0;

	if (!nest ||
	    put_addr(skb, L2TPSS_CONN_A_PEER_IP, L2TPSS_CONN_A_PEER_IP6,
		     &c->peer) ||
	    put_addr(skb, L2TPSS_CONN_A_LOCAL_IP, L2TPSS_CONN_A_LOCAL_IP6,
		     &c->local) ||
	    nla_put_u16(skb, L2TPSS_CONN_A_NATT_PORT, ntohs(c->natt_port)) ||
	    nla_put_u32(skb, L2TPSS_CONN_A_REQID, c->reqid) ||
	    nla_put_u32(skb, L2TPSS_CONN_A_GENERATION, c->gen) ||
	    nla_put_u8(skb, L2TPSS_CONN_A_LIVE, READ_ONCE(c->live)) ||
	    nla_put_u8(skb, L2TPSS_CONN_A_SPENT, READ_ONCE(c->spent)) ||
	    nla_put_u8(skb, L2TPSS_CONN_A_SINGLE_SHOT,
		       READ_ONCE(c->single_shot)) ||
	    (c->tunnel_id &&
	     (nla_put_u32(skb, L2TPSS_CONN_A_TUNNEL_ID, c->tunnel_id) ||
	      nla_put_u32(skb, L2TPSS_CONN_A_BOUND_SPI, ntohl(c->bound_spi)) ||
	      nla_put_u8(skb, L2TPSS_CONN_A_BOUND_HOW, c->bound_how) ||
	      nla_put_u32(skb, L2TPSS_CONN_A_BOUND_AGE, age_of(c->bound_at)))) ||
	    nla_put_u32(skb, L2TPSS_CONN_A_TUNNELS, READ_ONCE(c->tunnels)) ||
	    nla_put_u64_64bit(skb, L2TPSS_CONN_A_DROPS,
			      atomic64_read(&c->drops), L2TPSS_CONN_A_PAD))
		goto nospace;
	if (!with_sas)
		goto done;
	if (nla_put_u32(skb, L2TPSS_CONN_A_NR_SAS, c->nr_sas))
		goto nospace;
	list_for_each_entry(s, &c->sas, conn_node) {
		if (s->gone || listed++ == L2TPSS_CONN_SAS_LISTED)
			continue;
		sa = nla_nest_start(skb, L2TPSS_CONN_A_SA);
		if (!sa ||
		    nla_put_u32(skb, L2TPSS_SA_A_SPI, ntohl(s->spi)) ||
		    nla_put_u8(skb, L2TPSS_SA_A_DIRECTION, s->dir))
			goto nospace;
		nla_nest_end(skb, sa);
	}
done:
	nla_nest_end(skb, nest);
	return 0;

nospace:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* Milliseconds until the idle or destruct timer fires, if one runs. */
static int put_timer(struct sk_buff *skb, const struct l2tpss_tunnel *t)
{
	long left = (long)(t->timer_expires - jiffies);

	if (!delayed_work_pending(&t->work))
		return 0;
	return nla_put_u32(skb, L2TPSS_TUNNEL_A_TIMER,
			   left > 0 ? jiffies_to_msecs(left) : 0);
}

/* The L2TPSS_A_TUNNEL nest. Caller holds the netns lock: one snapshot. */
static int tunnel_put(struct sk_buff *skb, const struct l2tpss_tunnel *t,
		      u32 session_id)
{
	struct nlattr *nest = nla_nest_start(skb, L2TPSS_A_TUNNEL);

	if (!nest ||
	    nla_put_u32(skb, L2TPSS_TUNNEL_A_ID, t->id) ||
	    nla_put_u32(skb, L2TPSS_TUNNEL_A_PEER_ID, t->peer_id) ||
	    nla_put_u32(skb, L2TPSS_TUNNEL_A_GENERATION, t->gen) ||
	    nla_put_u8(skb, L2TPSS_TUNNEL_A_PROTO_VERSION, t->version) ||
	    nla_put_u8(skb, L2TPSS_TUNNEL_A_ENCAP, t->encap) ||
	    nla_put_u8(skb, L2TPSS_TUNNEL_A_STATE, t->state) ||
	    nla_put_u8(skb, L2TPSS_TUNNEL_A_REASON, t->reason) ||
	    put_addr(skb, L2TPSS_TUNNEL_A_LOCAL_IP, L2TPSS_TUNNEL_A_LOCAL_IP6,
		     &t->local) ||
	    put_addr(skb, L2TPSS_TUNNEL_A_PEER_IP, L2TPSS_TUNNEL_A_PEER_IP6,
		     &t->peer) ||
	    put_ports(skb, t) ||
	    nla_put_u32(skb, L2TPSS_TUNNEL_A_SESSIONS, t->sessions) ||
	    nla_put_u32(skb, L2TPSS_TUNNEL_A_SESSIONS_TOTAL,
			t->sessions_total) ||
	    nla_put_u32(skb, L2TPSS_TUNNEL_A_SESSIONS_REFUSED,
			t->sessions_refused) ||
	    nla_put_u32(skb, L2TPSS_TUNNEL_A_AGE, age_of(t->registered)) ||
	    put_timer(skb, t) ||
	    (t->profile[0] &&
	     nla_put_string(skb, L2TPSS_TUNNEL_A_PROFILE, t->profile)) ||
	    (session_id &&
	     nla_put_u32(skb, L2TPSS_TUNNEL_A_SESSION_ID, session_id)) ||
	    l2tpss_settings_put(skb, L2TPSS_TUNNEL_A_SETTINGS, &t->settings,
				NULL) ||
	    l2tpss_sources_put(skb, L2TPSS_TUNNEL_A_SOURCES, &t->settings) ||
	    nla_put_u64_64bit(skb, L2TPSS_TUNNEL_A_PACKETS_BLOCKED,
			      atomic64_read(&t->blocked), L2TPSS_TUNNEL_A_PAD) ||
	    (t->conn &&
	     (nla_put_u32(skb, L2TPSS_TUNNEL_A_BOUND_SPI, ntohl(t->bound_spi)) ||
	      nla_put_u8(skb, L2TPSS_TUNNEL_A_BOUND_HOW, t->bound_how) ||
	      nla_put_u32(skb, L2TPSS_TUNNEL_A_BOUND_AGE, age_of(t->bound_at)) ||
	      conn_fill(skb, L2TPSS_TUNNEL_A_IPSEC, t->conn, true)))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int tunnel_fill(struct sk_buff *skb, const struct l2tpss_tunnel *t,
		       u32 portid, u32 seq, int flags)
{
	void *hdr = genlmsg_put(skb, portid, seq, &l2tpss_family, flags,
				L2TPSS_CMD_TUNNEL_GET);

	if (!hdr)
		return -EMSGSIZE;
	if (tunnel_put(skb, t, 0)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * A new event message for the listeners of @pn's netns, or NULL when there
 * is none (or no memory). Caller is in an RCU read-side section, often in
 * atomic context.
 */
static struct sk_buff *event_new(struct l2tpss_net *pn, u8 event, void **hdr)
{
	struct sk_buff *skb;

	if (!READ_ONCE(events_on) ||
	    !genl_has_listeners(&l2tpss_family, pn->net, 0))
		return NULL;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &l2tpss_family, 0, L2TPSS_CMD_EVENT);
	if (!*hdr || nla_put_u8(skb, L2TPSS_A_EVENT, event)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

/* Sends what event_new() began, or drops it if filling it failed. */
static void event_send(struct l2tpss_net *pn, struct sk_buff *skb, void *hdr,
		       int err)
{
	if (err) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&l2tpss_family, pn->net, skb, 0, 0,
				GFP_ATOMIC);
}

/* An event about @t. Called with the netns lock held. */
void l2tpss_notify(struct l2tpss_net *pn, const struct l2tpss_tunnel *t,
		   u8 event, u32 session_id)
{
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	skb = event_new(pn, event, &hdr);
	if (skb)
		event_send(pn, skb, hdr, tunnel_put(skb, t, session_id));
	rcu_read_unlock();
}

/* An event about a connection. Called with the netns lock held. */
void l2tpss_notify_conn(struct l2tpss_net *pn, const struct l2tpss_conn *c,
			u8 event)
{
	struct sk_buff *skb;
	void *hdr;

	rcu_read_lock();
	skb = event_new(pn, event, &hdr);
	if (skb)
		event_send(pn, skb, hdr, conn_fill(skb, L2TPSS_A_CONN, c, true));
	rcu_read_unlock();
}

/*
 * A packet the filter dropped, from the packet path (rate limited by the
 * caller): why, which way, and its tunnel and connection when known.
 */
void l2tpss_notify_blocked(struct l2tpss_net *pn, u8 drop, u8 dir, u32 tunnel_id,
			   const struct l2tpss_conn *c)
{
	struct sk_buff *skb;
	void *hdr;

	skb = event_new(pn, L2TPSS_EVENT_PACKET_BLOCKED, &hdr);
	if (!skb)
		return;
	event_send(pn, skb, hdr,
		   nla_put_u8(skb, L2TPSS_A_DROP, drop) ||
		   nla_put_u8(skb, L2TPSS_A_DIRECTION, dir) ||
		   (tunnel_id && nla_put_u32(skb, L2TPSS_A_TUNNEL_ID, tunnel_id)) ||
		   (c && conn_fill(skb, L2TPSS_A_CONN, c, false)));
}

static struct sk_buff *reply_new(struct genl_info *info, u8 cmd, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &l2tpss_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int l2tpss_version_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = reply_new(info, L2TPSS_CMD_VERSION_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, L2TPSS_A_VERSION, L2TPSS_VERSION)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * Live IPsec connections, oldest first; resumes at the generation in
 * cb->args[0]; cb->args[1] says the end was reached.
 */
static int l2tpss_conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct l2tpss_net *pn = l2tpss_pernet(sock_net(skb->sk));
	unsigned long gen = cb->args[0];
	struct l2tpss_conn *c;
	int err = 0;
	void *hdr;

	if (cb->args[1])
		return 0;
	spin_lock_bh(&pn->lock);
	xa_for_each_start(&pn->conns, gen, c, gen) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &l2tpss_family,
				  NLM_F_MULTI, L2TPSS_CMD_CONN_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		err = conn_fill(skb, L2TPSS_A_CONN, c, true);
		if (err) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	spin_unlock_bh(&pn->lock);

	if (err && !skb->len)
		return err;
	/* Resume at @gen, or end: a flag, since gen + 1 may wrap. */
	if (err)
		cb->args[0] = gen;
	else
		cb->args[1] = 1;
	return skb->len;
}

/*
 * The generation of the connected tunnel of that id, else of its newest
 * record in destruct; 0 if none. The records are walked under RCU, not the
 * lock (there may be many); the caller checks the one it found still is.
 */
static u32 tunnel_find(struct l2tpss_net *pn, u32 id)
{
	struct l2tpss_tunnel *t;
	unsigned long gen;
	u32 found = 0;

	rcu_read_lock();
	t = xa_load(&pn->tunnels, id);
	if (t) {
		found = t->gen;
	} else {
		xa_for_each(&pn->records, gen, t)
			if (t->id == id)
				found = gen;
	}
	rcu_read_unlock();
	return found;
}

static int l2tpss_tunnel_get(struct sk_buff *skb, struct genl_info *info)
{
	struct l2tpss_net *pn = l2tpss_pernet(genl_info_net(info));
	struct l2tpss_tunnel *t;
	struct sk_buff *msg;
	int err = -ENOENT;
	u32 id, gen;

	if (GENL_REQ_ATTR_CHECK(info, L2TPSS_A_TUNNEL_ID))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	id = nla_get_u32(info->attrs[L2TPSS_A_TUNNEL_ID]);
	gen = tunnel_find(pn, id);
	spin_lock_bh(&pn->lock);
	t = gen ? xa_load(&pn->records, gen) : NULL;
	if (t && t->id == id)
		err = tunnel_fill(msg, t, info->snd_portid, info->snd_seq, 0);
	spin_unlock_bh(&pn->lock);

	if (err) {
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[L2TPSS_A_TUNNEL_ID],
					    "no such tunnel");
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Every record, connected or in destruct, in registration order. Resumes at
 * the generation kept in cb->args[0]; cb->args[1] says the end was reached.
 */
static int l2tpss_tunnel_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct l2tpss_net *pn = l2tpss_pernet(sock_net(skb->sk));
	unsigned long gen = cb->args[0];
	struct l2tpss_tunnel *t;
	int err = 0;

	if (cb->args[1])
		return 0;
	spin_lock_bh(&pn->lock);
	xa_for_each_start(&pn->records, gen, t, gen) {
		err = tunnel_fill(skb, t, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (err)
			break;
	}
	spin_unlock_bh(&pn->lock);

	if (err && !skb->len)
		return err;	/* one record larger than a whole message */
	if (err)
		cb->args[0] = gen;
	else
		cb->args[1] = 1;	/* gen + 1 may wrap: a flag ends it */
	return skb->len;
}

static int l2tpss_tunnel_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct l2tpss_net *pn = l2tpss_pernet(genl_info_net(info));
	struct nlattr *attrs[L2TPSS_SET_MAX + 1];
	int err;

	if (GENL_REQ_ATTR_CHECK(info, L2TPSS_A_TUNNEL_ID) ||
	    GENL_REQ_ATTR_CHECK(info, L2TPSS_A_SETTINGS))
		return -EINVAL;
	err = l2tpss_settings_parse(info->attrs[L2TPSS_A_SETTINGS], attrs,
				    info->extack);
	if (err)
		return err;
	err = l2tpss_tunnel_set(pn, nla_get_u32(info->attrs[L2TPSS_A_TUNNEL_ID]),
				attrs, info->extack);
	if (err == -ENOENT)
		NL_SET_BAD_ATTR(info->extack, info->attrs[L2TPSS_A_TUNNEL_ID]);
	return err;
}

static int l2tpss_tunnel_disconnect_doit(struct sk_buff *skb,
					 struct genl_info *info)
{
	struct l2tpss_net *pn = l2tpss_pernet(genl_info_net(info));
	int err;

	if (GENL_REQ_ATTR_CHECK(info, L2TPSS_A_TUNNEL_ID))
		return -EINVAL;
	err = l2tpss_tunnel_disconnect(pn,
				       nla_get_u32(info->attrs[L2TPSS_A_TUNNEL_ID]),
				       info->extack);
	if (err == -ENOENT)
		NL_SET_BAD_ATTR(info->extack, info->attrs[L2TPSS_A_TUNNEL_ID]);
	return err;
}

static int l2tpss_defaults_get(struct sk_buff *skb, struct genl_info *info)
{
	struct l2tpss_net *pn = l2tpss_pernet(genl_info_net(info));
	struct l2tpss_settings defaults;
	struct sk_buff *msg;
	u32 max_records;
	void *hdr;

	msg = reply_new(info, L2TPSS_CMD_DEFAULTS_GET, &hdr);
	if (!msg)
		return -ENOMEM;

	spin_lock_bh(&pn->lock);
	defaults = pn->defaults;
	max_records = pn->max_records;
	spin_unlock_bh(&pn->lock);

	if (l2tpss_settings_put(msg, L2TPSS_A_SETTINGS, &defaults, NULL) ||
	    nla_put_u32(msg, L2TPSS_A_MAX_RECORDS, max_records)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int l2tpss_defaults_set(struct sk_buff *skb, struct genl_info *info)
{
	struct l2tpss_net *pn = l2tpss_pernet(genl_info_net(info));
	struct nlattr *attrs[L2TPSS_SET_MAX + 1], *attr;
	int err;

	if (!info->attrs[L2TPSS_A_SETTINGS] &&
	    !info->attrs[L2TPSS_A_MAX_RECORDS]) {
		NL_SET_ERR_MSG(info->extack, "no setting given");
		return -EINVAL;
	}
	/* Everything is checked before anything changes. */
	if (info->attrs[L2TPSS_A_SETTINGS]) {
		err = l2tpss_settings_parse(info->attrs[L2TPSS_A_SETTINGS],
					    attrs, info->extack);
		if (err)
			return err;
		l2tpss_policy_set_defaults(pn, attrs);
	}
	attr = info->attrs[L2TPSS_A_MAX_RECORDS];
	if (attr)
		l2tpss_set_max_records(pn, nla_get_u32(attr));
	return 0;
}

static int parse_profile(struct genl_info *info, struct nlattr **attrs)
{
	if (GENL_REQ_ATTR_CHECK(info, L2TPSS_A_PROFILE))
		return -EINVAL;
	return nla_parse_nested(attrs, L2TPSS_PROFILE_A_MAX,
				info->attrs[L2TPSS_A_PROFILE],
				l2tpss_profile_policy, info->extack);
}

static int l2tpss_profile_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	bool replace = info->genlhdr->cmd == L2TPSS_CMD_PROFILE_REPLACE;
	struct nlattr *attrs[L2TPSS_PROFILE_A_MAX + 1];
	int err = parse_profile(info, attrs);

	return err ?: l2tpss_profile_add(l2tpss_pernet(genl_info_net(info)),
					 attrs, replace, info->extack);
}

static int l2tpss_profile_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attrs[L2TPSS_PROFILE_A_MAX + 1];
	int err = parse_profile(info, attrs);

	return err ?: l2tpss_profile_del(l2tpss_pernet(genl_info_net(info)),
					 attrs, info->extack);
}

/* Profiles in the order they were added; resumes after cb->args[0] of them. */
static int l2tpss_profile_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct l2tpss_net *pn = l2tpss_pernet(sock_net(skb->sk));
	struct l2tpss_profile *p;
	long i = 0, done = cb->args[0];
	void *hdr;

	spin_lock_bh(&pn->lock);
	list_for_each_entry(p, &pn->profiles, node) {
		if (i++ < done)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &l2tpss_family,
				  NLM_F_MULTI, L2TPSS_CMD_PROFILE_GET);
		if (!hdr)
			break;
		if (l2tpss_profile_put(skb, p)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		done++;
	}
	spin_unlock_bh(&pn->lock);

	cb->args[0] = done;
	return skb->len;
}

static const u8 drop_stat[__L2TPSS_DROP_MAX] = {
	[L2TPSS_DROP_MALFORMED] = L2TPSS_STAT_DROP_MALFORMED,
	[L2TPSS_DROP_PLAINTEXT] = L2TPSS_STAT_DROP_PLAINTEXT,
	[L2TPSS_DROP_SPENT] = L2TPSS_STAT_DROP_SPENT,
	[L2TPSS_DROP_SECOND_TUNNEL] = L2TPSS_STAT_DROP_SECOND_TUNNEL,
	[L2TPSS_DROP_SECOND_SESSION] = L2TPSS_STAT_DROP_SECOND_SESSION,
	[L2TPSS_DROP_DISCONNECTED] = L2TPSS_STAT_DROP_DISCONNECTED,
};

static int l2tpss_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct l2tpss_net *pn = l2tpss_pernet(genl_info_net(info));
	u64 stats[L2TPSS_STAT_MAX + 1];
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int i;

	msg = reply_new(info, L2TPSS_CMD_STATS_GET, &hdr);
	if (!msg)
		return -ENOMEM;

	spin_lock_bh(&pn->lock);
	memcpy(stats, pn->stats, sizeof(stats));
	spin_unlock_bh(&pn->lock);
	for (i = L2TPSS_DROP_MALFORMED; i < __L2TPSS_DROP_MAX; i++)
		stats[drop_stat[i]] = atomic64_read(&pn->drops[i]);

	nest = nla_nest_start(msg, L2TPSS_A_STATS);
	if (!nest)
		goto nospace;
	for (i = L2TPSS_STAT_TUNNELS; i <= L2TPSS_STAT_MAX; i++)
		if (i != L2TPSS_STAT_PAD &&
		    nla_put_u64_64bit(msg, i, stats[i], L2TPSS_STAT_PAD))
			goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int l2tpss_stats_reset(struct sk_buff *skb, struct genl_info *info)
{
	struct l2tpss_net *pn = l2tpss_pernet(genl_info_net(info));

	int i;

	spin_lock_bh(&pn->lock);
	memset(pn->stats, 0, sizeof(pn->stats));
	spin_unlock_bh(&pn->lock);
	for (i = 0; i < __L2TPSS_DROP_MAX; i++)
		atomic64_set(&pn->drops[i], 0);
	return 0;
}

static const struct genl_ops l2tpss_ops[] = {
	{
		.cmd = L2TPSS_CMD_VERSION_GET,
		.doit = l2tpss_version_get,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L2TPSS_CMD_TUNNEL_GET,
		.doit = l2tpss_tunnel_get,
		.dumpit = l2tpss_tunnel_dump,
		.policy = tunnel_id_policy,
		.maxattr = ARRAY_SIZE(tunnel_id_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L2TPSS_CMD_DEFAULTS_GET,
		.doit = l2tpss_defaults_get,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L2TPSS_CMD_DEFAULTS_SET,
		.doit = l2tpss_defaults_set,
		.policy = defaults_set_policy,
		.maxattr = ARRAY_SIZE(defaults_set_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L2TPSS_CMD_TUNNEL_SET,
		.doit = l2tpss_tunnel_set_doit,
		.policy = settings_set_policy,
		.maxattr = ARRAY_SIZE(settings_set_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L2TPSS_CMD_TUNNEL_DISCONNECT,
		.doit = l2tpss_tunnel_disconnect_doit,
		.policy = tunnel_id_policy,
		.maxattr = ARRAY_SIZE(tunnel_id_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L2TPSS_CMD_PROFILE_ADD,
		.doit = l2tpss_profile_add_doit,
		.policy = profile_policy,
		.maxattr = ARRAY_SIZE(profile_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L2TPSS_CMD_PROFILE_REPLACE,
		.doit = l2tpss_profile_add_doit,
		.policy = profile_policy,
		.maxattr = ARRAY_SIZE(profile_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L2TPSS_CMD_PROFILE_DEL,
		.doit = l2tpss_profile_del_doit,
		.policy = profile_policy,
		.maxattr = ARRAY_SIZE(profile_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L2TPSS_CMD_PROFILE_GET,
		.dumpit = l2tpss_profile_dump,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L2TPSS_CMD_STATS_GET,
		.doit = l2tpss_stats_get,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L2TPSS_CMD_STATS_RESET,
		.doit = l2tpss_stats_reset,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L2TPSS_CMD_CONN_GET,
		.dumpit = l2tpss_conn_dump,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family l2tpss_family __ro_after_init = {
	.name = L2TPSS_GENL_NAME,
	.version = L2TPSS_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = l2tpss_ops,
	.n_ops = ARRAY_SIZE(l2tpss_ops),
	.mcgrps = l2tpss_mcgrps,
	.n_mcgrps = ARRAY_SIZE(l2tpss_mcgrps),
	.resv_start_op = L2TPSS_CMD_UNSPEC,
};

int __init l2tpss_netlink_init(void)
{
	int err = genl_register_family(&l2tpss_family);

	if (!err)
		WRITE_ONCE(events_on, true);
	return err;
}

void l2tpss_netlink_exit(void)
{
	WRITE_ONCE(events_on, false);
	synchronize_rcu();	/* no l2tpss_notify() still sending */
	genl_unregister_family(&l2tpss_family);
}
