/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared between the files of the module. Each file owns one
 * job; this header is how they call each other.
 */
#ifndef _L2TPSS_H
#define _L2TPSS_H

#include <linux/rhashtable.h>
#include <linux/hashtable.h>
#include <linux/in6.h>
#include <net/ipv6.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/netns/generic.h>

#include "uapi/linux/l2tpss.h"

struct l2tp_tunnel;
struct l2tp_session;
struct xfrm_state;

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

static inline bool l2tpss_addr_equal(const struct l2tpss_addr *a,
				     const struct l2tpss_addr *b)
{
	if (a->ipv6 != b->ipv6)
		return false;
	return a->ipv6 ? ipv6_addr_equal(&a->ip6, &b->ip6) : a->ip == b->ip;
}

/*
 * A destination profile, see policy.c. Never changed once added: the packet
 * filter reads profiles under RCU.
 */
struct l2tpss_profile {
	struct list_head node;		/* l2tpss_net.profiles */
	struct hlist_node index_node;	/* l2tpss_net.profile_index; RCU */
	struct rcu_head rcu;
	char name[L2TPSS_PROFILE_NAME_LEN];
	struct l2tpss_addr peer;
	u8 prefixlen;
	bool has_local;
	struct l2tpss_addr local;
	struct l2tpss_settings settings;
	bool given[L2TPSS_SET_MAX + 1];	/* which settings it sets */
};

/*
 * An SA of a connection, known by (destination, SPI, ESP): a change of its
 * encapsulation port (NAT rebinding), an update or a migration leaves it in
 * its connection. A deleted SA is kept SA_GRACE, "gone", for a DELSA +
 * NEWSA of the same SPI (how IKE daemons update SAs). See ipsec.c.
 */
struct l2tpss_sa {
	struct hlist_node node;		/* l2tpss_net.sa_hash, by SPI; RCU */
	struct list_head conn_node;	/* l2tpss_conn.sas */
	struct rcu_head rcu;
	struct l2tpss_conn *conn;	/* which holds it */
	struct l2tpss_addr daddr;
	__be32 spi;
	u32 mark;			/* its mark value, for the lookup */
	u8 dir;				/* enum l2tpss_direction */
	bool gone;
};

/*
 * An IPsec connection, see ipsec.c and the UAPI header. The packet path
 * reads it, and the flags, under RCU.
 */
struct l2tpss_conn {
	struct hlist_node node;		/* l2tpss_net.conn_hash while live */
	struct kref ref;		/* the tables while live, tunnels, work */
	struct rcu_head rcu;
	struct l2tpss_net *pn;
	struct l2tpss_addr peer, local;
	__be16 natt_port;		/* its SAs' current one */
	u32 reqid;
	u32 gen;			/* index in l2tpss_net.conns */
	bool live;			/* in the tables; under the lock */
	bool spent;			/* READ_ONCE() in the packet path */
	bool single_shot;		/* bound to a single-shot tunnel */
	u32 tunnel_id;			/* last tunnel bound */
	u32 tunnels;			/* connected tunnels bound */
	struct list_head sas;		/* struct l2tpss_sa, under the lock */
	u32 nr_sas;			/* ... not gone */
	u32 nr_gone;
	/* Evidence for binding: its last L2TP control message in (its SA
	 * and ports, one word, see ipsec.c).
	 */
	u64 evidence;
	/* How its last tunnel was bound: which SA, how, when. */
	__be32 bound_spi;
	u8 bound_how;			/* enum l2tpss_binding */
	u64 bound_at;			/* ktime_get_boottime_seconds() */
	atomic64_t drops;
	struct work_struct teardown_work;
	struct delayed_work grace_work;
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
	struct l2tpss_addr local;
	/* The key of l2tpss_net.flows: peer, local_port, peer_port. */
	struct l2tpss_addr peer;
	__be16 local_port;		/* UDP only: 0 over IP */
	__be16 peer_port;
	u32 sessions;			/* live */
	u32 sessions_total;
	u32 sessions_refused;
	/* Its latest session's ids: a single-shot tombstone's one session. */
	u32 last_session_id, last_peer_session_id;
	u64 registered;			/* ktime_get_boottime_seconds() */
	unsigned long timer_expires;	/* jiffies, of the running timer */
	u32 idle_seq;			/* idle timer starts and stops */
	struct l2tpss_settings settings;
	char profile[L2TPSS_PROFILE_NAME_LEN];
	/*
	 * Its IPsec connection, once a packet of its own showed which (or its
	 * flow's did as it registered); set once, holds a ref.
	 */
	struct l2tpss_conn *conn;
	__be32 bound_spi;		/* the SA that showed it */
	u8 bound_how;			/* enum l2tpss_binding */
	bool plain_first;		/* its first packet in came in the clear */
	u64 bound_at;			/* ktime_get_boottime_seconds() */
	struct rhlist_head flow_node;	/* l2tpss_net.flows, RCU */
	struct list_head tomb_node;	/* l2tpss_net.tombstones, in destruct */
	atomic64_t blocked;		/* packets the filter dropped */
	/* The idle timer while connected, the destruct timer after. */
	struct delayed_work work;
};

/*
 * What the module knows of one l2tp_core session, see tunnel.c. The packet
 * path finds L2TPv3 data's session by id under RCU: ours inbound, the
 * peer's outbound.
 */
struct l2tpss_session {
	struct hlist_node node;		/* l2tpss_net.sessions, by key */
	struct hlist_node id_node;	/* l2tpss_net.session_ids, by id, RCU */
	struct hlist_node peer_id_node;	/* ... and by the peer's id */
	struct rcu_head rcu;
	const void *key;		/* l2tp_core's session, never dereferenced */
	struct l2tpss_tunnel *tunnel;	/* holds a reference */
	u32 id;
	u32 peer_id;
};

#define L2TPSS_SESSION_HASH_BITS 10
#define L2TPSS_CONN_HASH_BITS 8
#define L2TPSS_SA_HASH_BITS 10
#define L2TPSS_PROFILE_HASH_BITS 8	/* for L2TPSS_PROFILES_MAX */
#define L2TPSS_PROFILE_LENS (33 + 129)

/* Per network namespace state, see main.c for its lifetime. */
struct l2tpss_net {
	struct net *net;
	spinlock_t lock;		/* serialises every writer below */
	bool dead;			/* netns exiting: ignore late probes */
	struct xarray tunnels;		/* live tunnels by l2tp id; no ref */
	struct xarray records;		/* every record by gen; holds a ref */
	u32 next_gen;
	u32 nr_records;
	u32 max_records;		/* past it, tombstones go early */
	struct list_head tombstones;	/* records in destruct, oldest first */
	DECLARE_HASHTABLE(sessions, L2TPSS_SESSION_HASH_BITS);
	/* RCU: sessions by their id and by the peer's, for the packet path */
	DECLARE_HASHTABLE(session_ids, L2TPSS_SESSION_HASH_BITS);
	DECLARE_HASHTABLE(session_peer_ids, L2TPSS_SESSION_HASH_BITS);
	u32 hash_seed;			/* of the packet path's hashes */
	struct l2tpss_settings defaults;
	struct list_head profiles;	/* in the order they were added */
	unsigned int nr_profiles;
	/*
	 * RCU: profiles by (prefix length, prefix), and which lengths are in
	 * use (IPv4's 0..32, then IPv6's 0..128) with how many of each.
	 */
	DECLARE_HASHTABLE(profile_index, L2TPSS_PROFILE_HASH_BITS);
	DECLARE_BITMAP(profile_lens, L2TPSS_PROFILE_LENS);
	u16 profile_len_count[L2TPSS_PROFILE_LENS];
	u64 stats[L2TPSS_STAT_MAX + 1];
	/* The packet path reads these under RCU, see filter.c. */
	struct rhltable flows;		/* records by peer and ports */
	struct xarray ports;		/* local UDP port -> tunnels using it */
	DECLARE_HASHTABLE(sa_hash, L2TPSS_SA_HASH_BITS); /* SAs by SPI */
	/* Connections by peer, under the lock only. */
	DECLARE_HASHTABLE(conn_hash, L2TPSS_CONN_HASH_BITS);
	struct xarray conns;		/* live connections by gen; holds a ref */
	u32 next_conn_gen;
	atomic64_t drops[__L2TPSS_DROP_MAX];
	struct ratelimit_state blocked_events;
};

extern unsigned int l2tpss_net_id;

static inline struct l2tpss_net *l2tpss_pernet(const struct net *net)
{
	return net_generic(net, l2tpss_net_id);
}

/* layout.c: refuse an l2tp_core whose structs are not as built for. */
int l2tpss_layout_check(void);

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
void l2tpss_session_refused(struct l2tp_session *session,
			    struct l2tp_tunnel *tunnel);
void l2tpss_tunnel_put(struct l2tpss_tunnel *t);
struct l2tpss_tunnel *
l2tpss_session_tunnel(struct l2tpss_net *pn, u32 id, bool peer_id,
		      bool (*match)(const struct l2tpss_tunnel *t,
				    const void *arg),
		      const void *arg);
void l2tpss_tunnel_call_failed(struct l2tpss_net *pn, struct l2tpss_tunnel *t);
void l2tpss_tunnel_refuse(struct l2tpss_net *pn, struct l2tpss_tunnel *t);
int l2tpss_tunnel_disconnect(struct l2tpss_net *pn, u32 id,
			     struct netlink_ext_ack *extack);
int l2tpss_tunnel_set(struct l2tpss_net *pn, u32 id, struct nlattr **attrs,
		      struct netlink_ext_ack *extack);
void l2tpss_tunnel_idle_expired(struct l2tpss_tunnel *t);
void l2tpss_tunnel_destruct_expired(struct l2tpss_tunnel *t);
void l2tpss_objects_count(long *tunnels, long *sessions);
void l2tpss_set_max_records(struct l2tpss_net *pn, u32 max);

/* timers.c: the module's workqueue; idle and destruct timers, deferred work. */
int l2tpss_timers_init(void);
void l2tpss_timers_exit(void);
void l2tpss_timers_setup(struct l2tpss_tunnel *t);
int l2tpss_tunnels_cache_init(void);
void l2tpss_tunnels_cache_exit(void);
void l2tpss_idle_timer_start(struct l2tpss_tunnel *t, unsigned long delay);
void l2tpss_idle_timer_stop(struct l2tpss_tunnel *t);
void l2tpss_destruct_timer_start(struct l2tpss_tunnel *t);
void l2tpss_destruct_timer_stop(struct l2tpss_tunnel *t);
void l2tpss_timers_stop_sync(struct l2tpss_tunnel *t);
bool l2tpss_defer(struct work_struct *work);
bool l2tpss_defer_delayed(struct delayed_work *dwork, unsigned long delay);
void l2tpss_timers_flush(void);

/* policy.c: defaults, profiles and the settings a new tunnel gets. */
extern const struct nla_policy l2tpss_settings_policy[L2TPSS_SET_MAX + 1];
extern const struct nla_policy l2tpss_profile_policy[L2TPSS_PROFILE_A_MAX + 1];
void l2tpss_policy_init(struct l2tpss_net *pn);
void l2tpss_policy_exit(struct l2tpss_net *pn);
long l2tpss_profiles_count(void);
void l2tpss_policy_resolve(struct l2tpss_net *pn, struct l2tpss_tunnel *t);
bool l2tpss_policy_flag(struct l2tpss_net *pn, const struct l2tpss_addr *local,
			const struct l2tpss_addr *peer, int type);
int l2tpss_settings_parse(const struct nlattr *nest, struct nlattr **attrs,
			  struct netlink_ext_ack *extack);
void l2tpss_settings_apply(struct l2tpss_settings *s, struct nlattr **attrs,
			   u8 source);
void l2tpss_policy_set_defaults(struct l2tpss_net *pn, struct nlattr **attrs);
int l2tpss_profile_add(struct l2tpss_net *pn, struct nlattr **attrs,
		       bool replace, struct netlink_ext_ack *extack);
int l2tpss_profile_del(struct l2tpss_net *pn, struct nlattr **attrs,
		       struct netlink_ext_ack *extack);
int l2tpss_settings_put(struct sk_buff *skb, int attrtype,
			const struct l2tpss_settings *s, const bool *given);
int l2tpss_sources_put(struct sk_buff *skb, int attrtype,
		       const struct l2tpss_settings *s);
int l2tpss_profile_put(struct sk_buff *skb, const struct l2tpss_profile *p);

/* ipsec.c: connections, binding, teardown, the key manager. */
void l2tpss_ipsec_init(void);
void l2tpss_ipsec_exit(void);
void l2tpss_conns_init(struct l2tpss_net *pn);
void l2tpss_conns_exit(struct l2tpss_net *pn);
void l2tpss_conns_scan(void);
void l2tpss_conn_put(struct l2tpss_conn *c);
bool l2tpss_sa_is_peers(const struct xfrm_state *x, bool in,
			const struct l2tpss_addr *peer);
struct l2tpss_conn *l2tpss_conn_lookup(struct l2tpss_net *pn,
				       const struct xfrm_state *x);
bool l2tpss_conn_bind(struct l2tpss_net *pn, struct l2tpss_tunnel *t);
bool l2tpss_conn_bind_packet(struct l2tpss_net *pn, struct l2tpss_tunnel *t,
			     struct l2tpss_conn *c, __be32 spi);
void l2tpss_conn_evidence(struct l2tpss_conn *c, __be16 peer_port,
			  __be16 local_port, __be32 spi);
void l2tpss_conn_tunnel_gone(struct l2tpss_net *pn, struct l2tpss_tunnel *t);
void l2tpss_conn_tunnel_expired(struct l2tpss_net *pn, struct l2tpss_tunnel *t);
void l2tpss_conn_spend(struct l2tpss_net *pn, struct l2tpss_conn *c);
long l2tpss_conns_count(void);

/* filter.c: the netfilter hooks that enforce it all on the wire. */
int l2tpss_filter_init(struct l2tpss_net *pn);
void l2tpss_filter_exit(struct l2tpss_net *pn);
void l2tpss_filter_destroy(struct l2tpss_net *pn);
bool l2tpss_flow_add(struct l2tpss_net *pn, struct l2tpss_tunnel *t);
void l2tpss_flow_del(struct l2tpss_net *pn, struct l2tpss_tunnel *t);

/* netlink.c: the generic netlink family and its events. */
int l2tpss_netlink_init(void);
void l2tpss_netlink_exit(void);
void l2tpss_notify(struct l2tpss_net *pn, const struct l2tpss_tunnel *t,
		   u8 event, u32 session_id);
void l2tpss_notify_conn(struct l2tpss_net *pn, const struct l2tpss_conn *c,
			u8 event);
void l2tpss_notify_blocked(struct l2tpss_net *pn, u8 drop, u8 dir, u32 tunnel_id,
			   const struct l2tpss_conn *c);

/* debugfs.c: object counters for leak checks. */
void l2tpss_debugfs_init(void);
void l2tpss_debugfs_exit(void);

#endif /* _L2TPSS_H */
