/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * l2tpss: JUNOSe-style single-shot L2TP tunnels and timeouts for Linux.
 *
 * Generic netlink ABI shared by the module, l2tpss-ctl and the selftests.
 * This file is the only place the ABI is defined; append, never renumber.
 */
#ifndef _UAPI_LINUX_L2TPSS_H
#define _UAPI_LINUX_L2TPSS_H

#include <linux/types.h>

#define L2TPSS_GENL_NAME	"l2tpss"
#define L2TPSS_GENL_VERSION	1
#define L2TPSS_MCGRP_EVENTS	"events"

/* Ranges and defaults of the per-tunnel settings (SPEC.md, "Words"). */
#define L2TPSS_IDLE_TIMEOUT_MAX		86400
#define L2TPSS_IDLE_TIMEOUT_DEFAULT	60
#define L2TPSS_DESTRUCT_TIMEOUT_MIN	10
#define L2TPSS_DESTRUCT_TIMEOUT_MAX	3600
#define L2TPSS_DESTRUCT_TIMEOUT_DEFAULT	600

/*
 * Records kept per netns, live tunnels and tombstones (L2TPSS_A_MAX_RECORDS
 * in DEFAULTS_GET/SET): past it the oldest tombstone goes first, its
 * destruct-end actions run early. Live tunnels are always tracked.
 */
#define L2TPSS_MAX_RECORDS_MIN		16
#define L2TPSS_MAX_RECORDS_DEFAULT	65536
#define L2TPSS_MAX_RECORDS_MAX		16777216

#define L2TPSS_PROFILE_NAME_LEN		32	/* with the final NUL */
#define L2TPSS_PROFILES_MAX		1024	/* per netns */

/*
 * Commands. Every one, reads included, needs CAP_NET_ADMIN over the netns
 * (GENL_UNS_ADMIN_PERM), as does joining the "events" group: they show
 * peers, SPIs and reqids, which ip l2tp and ip xfrm keep to that capability.
 */
enum l2tpss_cmd {
	L2TPSS_CMD_UNSPEC,
	L2TPSS_CMD_VERSION_GET,		/* reply: L2TPSS_A_VERSION */
	L2TPSS_CMD_TUNNEL_GET,		/* do: L2TPSS_A_TUNNEL_ID; or dump */
	L2TPSS_CMD_DEFAULTS_GET,	/* reply: L2TPSS_A_SETTINGS,
					 * L2TPSS_A_MAX_RECORDS
					 */
	L2TPSS_CMD_DEFAULTS_SET,	/* L2TPSS_A_SETTINGS (any subset) and/or
					 * L2TPSS_A_MAX_RECORDS
					 */
	L2TPSS_CMD_TUNNEL_SET,		/* L2TPSS_A_TUNNEL_ID, L2TPSS_A_SETTINGS */
	L2TPSS_CMD_TUNNEL_DISCONNECT,	/* L2TPSS_A_TUNNEL_ID */
	L2TPSS_CMD_PROFILE_ADD,		/* L2TPSS_A_PROFILE; -EEXIST if named */
	L2TPSS_CMD_PROFILE_DEL,		/* L2TPSS_A_PROFILE: name only */
	L2TPSS_CMD_PROFILE_GET,		/* dump */
	L2TPSS_CMD_STATS_GET,		/* reply: L2TPSS_A_STATS */
	L2TPSS_CMD_STATS_RESET,
	L2TPSS_CMD_EVENT,		/* notification on the "events" group */
	L2TPSS_CMD_CONN_GET,		/* dump: IPsec connections, L2TPSS_A_CONN */
	L2TPSS_CMD_PROFILE_REPLACE,	/* L2TPSS_A_PROFILE: adds it, or
					 * replaces the one of that name in
					 * place
					 */

	__L2TPSS_CMD_MAX,
};

#define L2TPSS_CMD_MAX (__L2TPSS_CMD_MAX - 1)

/* Top-level attributes. */
enum l2tpss_attr {
	L2TPSS_A_UNSPEC,
	L2TPSS_A_VERSION,		/* string: module version */
	L2TPSS_A_TUNNEL_ID,		/* u32: selects one tunnel */
	L2TPSS_A_TUNNEL,		/* nest: enum l2tpss_tunnel_attr */
	L2TPSS_A_SETTINGS,		/* nest: enum l2tpss_setting */
	L2TPSS_A_PROFILE,		/* nest: enum l2tpss_profile_attr */
	L2TPSS_A_STATS,			/* nest: enum l2tpss_stat, u64 each */
	L2TPSS_A_EVENT,			/* u8: enum l2tpss_event */
	L2TPSS_A_CONN,			/* nest: enum l2tpss_conn_attr */
	L2TPSS_A_DROP,			/* u8: enum l2tpss_drop, in events */
	L2TPSS_A_DIRECTION,		/* u8: enum l2tpss_direction, in events */
	L2TPSS_A_MAX_RECORDS,		/* u32: records kept in the netns */

	__L2TPSS_A_MAX,
};

#define L2TPSS_A_MAX (__L2TPSS_A_MAX - 1)

/*
 * The four settings of SPEC.md. Used as attribute types inside
 * L2TPSS_A_SETTINGS and L2TPSS_TUNNEL_A_SETTINGS (values), and inside
 * L2TPSS_TUNNEL_A_SOURCES (u8 enum l2tpss_source: where each value came from).
 */
enum l2tpss_setting {
	L2TPSS_SET_UNSPEC,
	L2TPSS_SET_SINGLE_SHOT,		/* u8: 0 or 1 */
	L2TPSS_SET_IDLE_TIMEOUT,	/* u32: seconds, 0 = persistent */
	L2TPSS_SET_DESTRUCT_TIMEOUT,	/* u32: seconds */
	L2TPSS_SET_REQUIRE_IPSEC,	/* u8: 0 or 1 */

	__L2TPSS_SET_MAX,
};

#define L2TPSS_SET_MAX (__L2TPSS_SET_MAX - 1)

enum l2tpss_source {
	L2TPSS_SOURCE_DEFAULT,		/* the netns defaults */
	L2TPSS_SOURCE_PROFILE,		/* the matching profile */
	L2TPSS_SOURCE_TUNNEL,		/* a per-tunnel override */
};

/*
 * A tunnel's life: ACTIVE <-> IDLE while l2tp_core has it, then DESTRUCTING
 * (deleted in l2tp_core; its record kept for the destruct timeout), then gone.
 */
enum l2tpss_tunnel_state {
	L2TPSS_STATE_ACTIVE,		/* carries at least one session */
	L2TPSS_STATE_IDLE,		/* no session; idle timer running if > 0 */
	L2TPSS_STATE_DESTRUCTING,	/* disconnected; record kept */
};

/* Why a tunnel was disconnected. */
enum l2tpss_reason {
	L2TPSS_REASON_NONE,		/* still connected */
	L2TPSS_REASON_DELETED,		/* by its owner (daemon, ip l2tp) */
	L2TPSS_REASON_IDLE_TIMEOUT,	/* idle timer expired */
	L2TPSS_REASON_SINGLE_SHOT,	/* its one session ended */
	L2TPSS_REASON_ADMIN,		/* L2TPSS_CMD_TUNNEL_DISCONNECT */
	L2TPSS_REASON_REFUSED,		/* registered over a used or spent
					 * IPsec connection (SPEC.md item 9, 11)
					 */

	__L2TPSS_REASON_MAX,
};

/* Events on the "events" group: L2TPSS_A_EVENT and L2TPSS_A_TUNNEL. */
enum l2tpss_event {
	L2TPSS_EVENT_UNSPEC,
	L2TPSS_EVENT_TUNNEL_NEW,	/* registered, or found at load */
	L2TPSS_EVENT_TUNNEL_ACTIVE,	/* a session came; idle timer stopped */
	L2TPSS_EVENT_TUNNEL_IDLE,	/* no session left; idle timer runs */
	L2TPSS_EVENT_TUNNEL_DISCONNECT,	/* destruct starts; see its REASON */
	L2TPSS_EVENT_TUNNEL_EXPIRE,	/* destruct ended; record dropped */
	L2TPSS_EVENT_SESSION_NEW,	/* L2TPSS_TUNNEL_A_SESSION_ID too */
	L2TPSS_EVENT_SESSION_DELETE,	/* L2TPSS_TUNNEL_A_SESSION_ID too */
	L2TPSS_EVENT_SESSION_REFUSED,	/* a second session, single-shot */
	L2TPSS_EVENT_TUNNEL_SET,	/* per-tunnel settings changed */
	L2TPSS_EVENT_CONN_SPENT,	/* L2TPSS_A_CONN: no more L2TP over it */
	L2TPSS_EVENT_PACKET_BLOCKED,	/* L2TPSS_A_DROP, _DIRECTION; _CONN and
					 * L2TPSS_A_TUNNEL_ID when known;
					 * rate limited
					 */
	L2TPSS_EVENT_IPSEC_TEARDOWN,	/* L2TPSS_A_CONN: SAs expired, removed */
	L2TPSS_EVENT_TUNNEL_EVICT,	/* a tombstone dropped early, over the
					 * netns's max records
					 */

	__L2TPSS_EVENT_MAX,
};

/* Attributes of one tunnel, nested in L2TPSS_A_TUNNEL. */
enum l2tpss_tunnel_attr {
	L2TPSS_TUNNEL_A_UNSPEC,
	L2TPSS_TUNNEL_A_ID,		/* u32: local tunnel id */
	L2TPSS_TUNNEL_A_PEER_ID,	/* u32: peer tunnel id */
	L2TPSS_TUNNEL_A_PROTO_VERSION,	/* u8: L2TP version, 2 or 3 */
	L2TPSS_TUNNEL_A_ENCAP,		/* u8: enum l2tp_encap_type */
	L2TPSS_TUNNEL_A_STATE,		/* u8: enum l2tpss_tunnel_state */
	L2TPSS_TUNNEL_A_LOCAL_IP,	/* be32: IPv4 local address */
	L2TPSS_TUNNEL_A_PEER_IP,	/* be32: IPv4 peer address */
	L2TPSS_TUNNEL_A_LOCAL_IP6,	/* struct in6_addr */
	L2TPSS_TUNNEL_A_PEER_IP6,	/* struct in6_addr */
	L2TPSS_TUNNEL_A_LOCAL_PORT,	/* u16: UDP port, host order */
	L2TPSS_TUNNEL_A_PEER_PORT,	/* u16: UDP port, host order */
	L2TPSS_TUNNEL_A_SESSIONS,	/* u32: live sessions */
	L2TPSS_TUNNEL_A_SESSIONS_TOTAL,	/* u32: sessions ever registered */
	L2TPSS_TUNNEL_A_SETTINGS,	/* nest: enum l2tpss_setting, in force */
	L2TPSS_TUNNEL_A_SOURCES,	/* nest: enum l2tpss_setting -> u8 source */
	L2TPSS_TUNNEL_A_AGE,		/* u32: seconds since it registered */
	L2TPSS_TUNNEL_A_GENERATION,	/* u32: tells apart records of one id */
	L2TPSS_TUNNEL_A_REASON,		/* u8: enum l2tpss_reason */
	L2TPSS_TUNNEL_A_PROFILE,	/* string: the profile applied, if any */
	L2TPSS_TUNNEL_A_TIMER,		/* u32: ms until idle/destruct timer */
	L2TPSS_TUNNEL_A_SESSIONS_REFUSED, /* u32: refused by single-shot */
	L2TPSS_TUNNEL_A_SESSION_ID,	/* u32: in session events */
	L2TPSS_TUNNEL_A_IPSEC,		/* nest: enum l2tpss_conn_attr; absent
					 * for plain L2TP
					 */
	L2TPSS_TUNNEL_A_PACKETS_BLOCKED, /* u64: dropped by the filter */
	L2TPSS_TUNNEL_A_PAD,
	L2TPSS_TUNNEL_A_BOUND_SPI,	/* u32: the SA that bound it to its
					 * connection (host order)
					 */
	L2TPSS_TUNNEL_A_BOUND_HOW,	/* u8: enum l2tpss_binding */
	L2TPSS_TUNNEL_A_BOUND_AGE,	/* u32: seconds since it was bound */

	__L2TPSS_TUNNEL_A_MAX,
};

#define L2TPSS_TUNNEL_A_MAX (__L2TPSS_TUNNEL_A_MAX - 1)

/*
 * A profile (JUNOSe destination profile): tunnels whose peer is in the
 * prefix (and whose local address matches, if given) get its settings when
 * they register. The longest matching prefix wins.
 */
enum l2tpss_profile_attr {
	L2TPSS_PROFILE_A_UNSPEC,
	L2TPSS_PROFILE_A_NAME,		/* string */
	L2TPSS_PROFILE_A_PEER_IP,	/* be32 */
	L2TPSS_PROFILE_A_PEER_IP6,	/* struct in6_addr */
	L2TPSS_PROFILE_A_PREFIXLEN,	/* u8: 0..32 or 0..128 */
	L2TPSS_PROFILE_A_LOCAL_IP,	/* be32, optional */
	L2TPSS_PROFILE_A_LOCAL_IP6,	/* struct in6_addr, optional */
	L2TPSS_PROFILE_A_SETTINGS,	/* nest: the settings it gives */

	__L2TPSS_PROFILE_A_MAX,
};

#define L2TPSS_PROFILE_A_MAX (__L2TPSS_PROFILE_A_MAX - 1)

/* Per-netns counters, u64 each, nested in L2TPSS_A_STATS. */
enum l2tpss_stat {
	L2TPSS_STAT_UNSPEC,
	L2TPSS_STAT_TUNNELS,		/* tunnels registered */
	L2TPSS_STAT_SESSIONS,		/* sessions registered */
	L2TPSS_STAT_SESSIONS_REFUSED,	/* by single-shot */
	L2TPSS_STAT_DISCONNECT_DELETED,	/* disconnects, by reason */
	L2TPSS_STAT_DISCONNECT_IDLE,
	L2TPSS_STAT_DISCONNECT_SINGLE_SHOT,
	L2TPSS_STAT_DISCONNECT_ADMIN,
	L2TPSS_STAT_EXPIRED,		/* records dropped after destruct */
	L2TPSS_STAT_UNTRACKED,		/* tunnels missed: out of memory */
	L2TPSS_STAT_PAD,
	L2TPSS_STAT_DISCONNECT_REFUSED,	/* over a used or spent connection */
	L2TPSS_STAT_CONNS_SPENT,	/* IPsec connections marked spent */
	L2TPSS_STAT_IPSEC_TEARDOWNS,	/* connections torn down */
	L2TPSS_STAT_SAS_EXPIRED,	/* SAs hard-expired by teardowns */
	L2TPSS_STAT_POLICIES_DELETED,	/* XFRM policies removed by them */
	L2TPSS_STAT_DROP_MALFORMED,	/* packets dropped, by enum l2tpss_drop */
	L2TPSS_STAT_DROP_PLAINTEXT,
	L2TPSS_STAT_DROP_SPENT,
	L2TPSS_STAT_DROP_SECOND_TUNNEL,
	L2TPSS_STAT_DROP_SECOND_SESSION,
	L2TPSS_STAT_DROP_DISCONNECTED,
	L2TPSS_STAT_EVICTED,		/* tombstones dropped early (max records) */
	L2TPSS_STAT_SAS_UNTRACKED,	/* SAs not followed: out of memory */

	__L2TPSS_STAT_MAX,
};

#define L2TPSS_STAT_MAX (__L2TPSS_STAT_MAX - 1)

/*
 * An IPsec connection: the transport-mode ESP SAs with one identity (peer
 * address, the peer's NAT-T port or 0, reqid), from the first SA until the
 * last one is gone. A rekey keeps the connection; SAs that appear when none
 * of that identity is left start a new one (a new generation). An SA is
 * known by its destination and SPI: a change of its NAT-T port, an update,
 * a migration or a delete and add of the same SPI keep it in its
 * connection (L2TPSS_CONN_A_NATT_PORT is then its current port). A tunnel
 * is bound to the connection whose SA carried its own packets in.
 */
enum l2tpss_conn_attr {
	L2TPSS_CONN_A_UNSPEC,
	L2TPSS_CONN_A_PEER_IP,		/* be32 */
	L2TPSS_CONN_A_PEER_IP6,		/* struct in6_addr */
	L2TPSS_CONN_A_LOCAL_IP,		/* be32 */
	L2TPSS_CONN_A_LOCAL_IP6,	/* struct in6_addr */
	L2TPSS_CONN_A_NATT_PORT,	/* u16: peer's NAT-T port, 0 if none */
	L2TPSS_CONN_A_REQID,		/* u32 */
	L2TPSS_CONN_A_GENERATION,	/* u32: tells connections apart */
	L2TPSS_CONN_A_LIVE,		/* u8: 1 while it has SAs */
	L2TPSS_CONN_A_SPENT,		/* u8: refuses all L2TP (item 11) */
	L2TPSS_CONN_A_SINGLE_SHOT,	/* u8: carried a single-shot tunnel */
	L2TPSS_CONN_A_TUNNEL_ID,	/* u32: last tunnel bound to it */
	L2TPSS_CONN_A_TUNNELS,		/* u32: connected tunnels bound to it */
	L2TPSS_CONN_A_SA,		/* nest, repeated: enum l2tpss_sa_attr */
	L2TPSS_CONN_A_DROPS,		/* u64: packets dropped over it */
	L2TPSS_CONN_A_PAD,
	L2TPSS_CONN_A_NR_SAS,		/* u32: its SAs (L2TPSS_CONN_A_SA lists
					 * at most L2TPSS_CONN_SAS_LISTED)
					 */
	L2TPSS_CONN_A_BOUND_SPI,	/* u32: the SA that bound its last
					 * tunnel (host order)
					 */
	L2TPSS_CONN_A_BOUND_HOW,	/* u8: enum l2tpss_binding */
	L2TPSS_CONN_A_BOUND_AGE,	/* u32: seconds since */

	__L2TPSS_CONN_A_MAX,
};

#define L2TPSS_CONN_A_MAX (__L2TPSS_CONN_A_MAX - 1)

enum l2tpss_sa_attr {
	L2TPSS_SA_A_UNSPEC,
	L2TPSS_SA_A_SPI,		/* u32, host order */
	L2TPSS_SA_A_DIRECTION,		/* u8: enum l2tpss_direction */

	__L2TPSS_SA_A_MAX,
};

#define L2TPSS_SA_A_MAX (__L2TPSS_SA_A_MAX - 1)

/* At most this many SAs of a connection are listed; all are tracked. */
#define L2TPSS_CONN_SAS_LISTED	64

/*
 * How a tunnel was bound to its IPsec connection: by the SA that carried
 * the L2TP control message of its flow as it registered, or by the SA that
 * carried a packet of its own (a control message naming it, or for
 * L2TPv3, data of its session).
 */
enum l2tpss_binding {
	L2TPSS_BIND_NONE,
	L2TPSS_BIND_FLOW,
	L2TPSS_BIND_PACKET,
};

enum l2tpss_direction {
	L2TPSS_DIR_IN,
	L2TPSS_DIR_OUT,
};

/* Why the filter dropped a packet (SPEC.md items 6, 8, 9, 11, 13, 14). */
enum l2tpss_drop {
	L2TPSS_DROP_NONE,
	L2TPSS_DROP_MALFORMED,		/* not valid L2TP on a tracked flow */
	L2TPSS_DROP_PLAINTEXT,		/* require-ipsec, or a tunnel that was
					 * established over IPsec
					 */
	L2TPSS_DROP_SPENT,		/* over a spent connection */
	L2TPSS_DROP_SECOND_TUNNEL,	/* SCCRQ over a connection that carried
					 * a single-shot tunnel
					 */
	L2TPSS_DROP_SECOND_SESSION,	/* ICRQ/OCRQ on a single-shot tunnel
					 * that had its session
					 */
	L2TPSS_DROP_DISCONNECTED,	/* a disconnected single-shot tunnel:
					 * all but StopCCN, CDN and ZLB
					 */

	__L2TPSS_DROP_MAX,
};

#endif /* _UAPI_LINUX_L2TPSS_H */
