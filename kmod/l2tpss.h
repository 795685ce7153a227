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
#include <linux/spinlock.h>
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

/* What the module knows of one l2tp_core tunnel, see tunnel.c. */
struct l2tpss_tunnel {
	struct kref ref;		/* the live table, and each session */
	struct rcu_head rcu;
	/* l2tp_core's tunnel: identity only, never dereferenced */
	const void *key;
	u32 id;
	u32 peer_id;
	u8 version;
	u8 encap;
	u8 state;			/* enum l2tpss_tunnel_state */
	bool ipv6;
	union {
		__be32 ip;
		struct in6_addr ip6;
	} local, peer;
	__be16 local_port;
	__be16 peer_port;
	u32 sessions;			/* live, under l2tpss_net.lock */
	u32 sessions_total;
	u64 registered;			/* ktime_get_boottime_seconds() */
	struct l2tpss_settings settings;
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
	spinlock_t lock;		/* serialises every writer below */
	bool dead;			/* netns exiting: ignore late probes */
	struct xarray tunnels;		/* live tunnels by id, RCU readable */
	DECLARE_HASHTABLE(sessions, L2TPSS_SESSION_HASH_BITS);
	struct l2tpss_settings defaults;
};

extern unsigned int l2tpss_net_id;

static inline struct l2tpss_net *l2tpss_pernet(const struct net *net)
{
	return net_generic(net, l2tpss_net_id);
}

/* hooks.c: attach to and detach from l2tp_core's tracepoints. */
int l2tpss_hooks_attach(void);
void l2tpss_hooks_detach(void);

/* tunnel.c: the per-netns tables, fed by the hooks. */
void l2tpss_tunnels_init(struct l2tpss_net *pn);
void l2tpss_tunnels_exit(struct l2tpss_net *pn);
void l2tpss_tunnels_scan(void);
void l2tpss_tunnel_registered(struct l2tp_tunnel *tunnel);
void l2tpss_tunnel_deleted(struct l2tp_tunnel *tunnel);
void l2tpss_session_registered(struct l2tp_session *session);
void l2tpss_session_deleted(struct l2tp_session *session);
void l2tpss_objects_count(long *tunnels, long *sessions);

/* policy.c: defaults and the settings a new tunnel gets. */
extern const struct nla_policy l2tpss_settings_policy[L2TPSS_SET_MAX + 1];
void l2tpss_policy_init(struct l2tpss_net *pn);
void l2tpss_policy_resolve(struct l2tpss_net *pn, struct l2tpss_settings *s);
int l2tpss_policy_set_defaults(struct l2tpss_net *pn, struct nlattr **attrs,
			       struct netlink_ext_ack *extack);
int l2tpss_settings_put(struct sk_buff *skb, int attrtype,
			const struct l2tpss_settings *s);
int l2tpss_sources_put(struct sk_buff *skb, int attrtype,
		       const struct l2tpss_settings *s);

/* netlink.c: the generic netlink family. */
int l2tpss_netlink_init(void);
void l2tpss_netlink_exit(void);

/* debugfs.c: object counters for leak checks. */
void l2tpss_debugfs_init(void);
void l2tpss_debugfs_exit(void);

#endif /* _L2TPSS_H */
