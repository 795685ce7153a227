/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared between the files of the module. Each file owns one
 * job; this header is how they call each other.
 */
#ifndef _L2TPSS_H
#define _L2TPSS_H

#include <linux/hashtable.h>
#include <linux/in6.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/netns/generic.h>

#include "uapi/linux/l2tpss.h"

struct l2tp_tunnel;
struct l2tp_session;

/* Settings in force on a tunnel (or the netns defaults), see policy.c. */
struct l2tpss_settings {
	bool single_shot;
	bool require_ipsec;
	u32 idle_timeout;
	u32 destruct_timeout;
	u8 source[L2TPSS_SET_MAX + 1];	/* enum l2tpss_source per setting */
};

/* An IPv4 or IPv6 address. */
struct l2tpss_addr {
	bool ipv6;
	union {
		__be32 ip;
		struct in6_addr ip6;
	};
};

/* A destination profile, see policy.c. */
struct l2tpss_profile {
	struct list_head node;		/* l2tpss_net.profiles */
	char name[L2TPSS_PROFILE_NAME_LEN];
	struct l2tpss_addr peer;
	u8 prefixlen;
	bool has_local;
	struct l2tpss_addr local;
	struct l2tpss_settings settings;
	bool given[L2TPSS_SET_MAX + 1];	/* which settings it sets */
};

/*
 * What the module knows of one l2tp_core tunnel, from its registration until
 * its destruct period ends, see tunnel.c. Fields change under
 * l2tpss_net.lock.
 */
struct l2tpss_tunnel {
	struct kref ref;		/* records table, sessions, queued work */
	struct rcu_head rcu;
	struct l2tpss_net *pn;
	/* l2tp_core's tunnel: identity only, never dereferenced */
	const void *key;
	u32 gen;			/* index in l2tpss_net.records */
	u32 id;
	u32 peer_id;
	u8 version;
	u8 encap;
	u8 state;			/* enum l2tpss_tunnel_state */
	u8 reason;			/* enum l2tpss_reason */
	u8 pending_reason;		/* what our own disconnect asked for */
	struct l2tpss_addr local, peer;
	__be16 local_port;
	__be16 peer_port;
	u32 sessions;			/* live */
	u32 sessions_total;
	u32 sessions_refused;
	u64 registered;			/* ktime_get_boottime_seconds() */
	unsigned long timer_expires;	/* jiffies, of the running timer */
	struct l2tpss_settings settings;
	char profile[L2TPSS_PROFILE_NAME_LEN];
	struct delayed_work idle_work;
	struct delayed_work destruct_work;
};

/* What the module knows of one l2tp_core session, see tunnel.c. */
struct l2tpss_session {
	struct hlist_node node;		/* l2tpss_net.sessions, by key */
	const void *key;		/* l2tp_core's session, never dereferenced */
	struct l2tpss_tunnel *tunnel;	/* holds a reference */
	u32 id;
};

#define L2TPSS_SESSION_HASH_BITS 10

/* Per network namespace state, see main.c for its lifetime. */
struct l2tpss_net {
	struct net *net;
	spinlock_t lock;		/* serialises every writer below */
	bool dead;			/* netns exiting: ignore late probes */
	struct xarray tunnels;		/* live tunnels by l2tp id; no ref */
	struct xarray records;		/* every record by gen; holds a ref */
	u32 next_gen;
	DECLARE_HASHTABLE(sessions, L2TPSS_SESSION_HASH_BITS);
	struct l2tpss_settings defaults;
	struct list_head profiles;
	unsigned int nr_profiles;
	u64 stats[L2TPSS_STAT_MAX + 1];
};

extern unsigned int l2tpss_net_id;

static inline struct l2tpss_net *l2tpss_pernet(const struct net *net)
{
	return net_generic(net, l2tpss_net_id);
}

/* hooks.c: attach to and detach from l2tp_core's tracepoints. */
int l2tpss_hooks_attach(void);
void l2tpss_hooks_detach(void);

/* tunnel.c: the per-netns tables and the state machine. */
void l2tpss_tunnels_init(struct l2tpss_net *pn, struct net *net);
void l2tpss_tunnels_exit(struct l2tpss_net *pn);
void l2tpss_tunnels_scan(void);
void l2tpss_tunnel_registered(struct l2tp_tunnel *tunnel);
void l2tpss_tunnel_deleted(struct l2tp_tunnel *tunnel);
void l2tpss_session_registered(struct l2tp_session *session);
void l2tpss_session_deleted(struct l2tp_session *session);
void l2tpss_tunnel_put(struct l2tpss_tunnel *t);
int l2tpss_tunnel_disconnect(struct l2tpss_net *pn, u32 id,
			     struct netlink_ext_ack *extack);
int l2tpss_tunnel_set(struct l2tpss_net *pn, u32 id, struct nlattr **attrs,
		      struct netlink_ext_ack *extack);
void l2tpss_tunnel_idle_expired(struct l2tpss_tunnel *t);
void l2tpss_tunnel_destruct_expired(struct l2tpss_tunnel *t);
void l2tpss_objects_count(long *tunnels, long *sessions);

/* timers.c: the module's workqueue; idle and destruct timers, deferred work. */
int l2tpss_timers_init(void);
void l2tpss_timers_exit(void);
void l2tpss_timers_setup(struct l2tpss_tunnel *t);
void l2tpss_idle_timer_start(struct l2tpss_tunnel *t, unsigned long delay);
void l2tpss_idle_timer_stop(struct l2tpss_tunnel *t);
void l2tpss_destruct_timer_start(struct l2tpss_tunnel *t);
void l2tpss_timers_stop_sync(struct l2tpss_tunnel *t);
bool l2tpss_defer(struct work_struct *work);
void l2tpss_timers_flush(void);

/* policy.c: defaults, profiles and the settings a new tunnel gets. */
extern const struct nla_policy l2tpss_settings_policy[L2TPSS_SET_MAX + 1];
extern const struct nla_policy l2tpss_profile_policy[L2TPSS_PROFILE_A_MAX + 1];
void l2tpss_policy_init(struct l2tpss_net *pn);
void l2tpss_policy_exit(struct l2tpss_net *pn);
void l2tpss_policy_resolve(struct l2tpss_net *pn, struct l2tpss_tunnel *t);
int l2tpss_settings_parse(const struct nlattr *nest, struct nlattr **attrs,
			  struct netlink_ext_ack *extack);
void l2tpss_settings_apply(struct l2tpss_settings *s, struct nlattr **attrs,
			   u8 source);
void l2tpss_policy_set_defaults(struct l2tpss_net *pn, struct nlattr **attrs);
int l2tpss_profile_add(struct l2tpss_net *pn, struct nlattr **attrs,
		       struct netlink_ext_ack *extack);
int l2tpss_profile_del(struct l2tpss_net *pn, struct nlattr **attrs,
		       struct netlink_ext_ack *extack);
int l2tpss_settings_put(struct sk_buff *skb, int attrtype,
			const struct l2tpss_settings *s, const bool *given);
int l2tpss_sources_put(struct sk_buff *skb, int attrtype,
		       const struct l2tpss_settings *s);
int l2tpss_profile_put(struct sk_buff *skb, const struct l2tpss_profile *p);

/* netlink.c: the generic netlink family and its events. */
int l2tpss_netlink_init(void);
void l2tpss_netlink_exit(void);
void l2tpss_notify(struct l2tpss_net *pn, const struct l2tpss_tunnel *t,
		   u8 event, u32 session_id);

/* debugfs.c: object counters for leak checks. */
void l2tpss_debugfs_init(void);
void l2tpss_debugfs_exit(void);

#endif /* _L2TPSS_H */
