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

/* Ranges and defaults of the per-tunnel settings (SPEC.md, "Words"). */
#define L2TPSS_IDLE_TIMEOUT_MAX		86400
#define L2TPSS_IDLE_TIMEOUT_DEFAULT	60
#define L2TPSS_DESTRUCT_TIMEOUT_MIN	10
#define L2TPSS_DESTRUCT_TIMEOUT_MAX	3600
#define L2TPSS_DESTRUCT_TIMEOUT_DEFAULT	600

/*
 * Commands. Reads are open to any caller in the netns; every write needs
 * CAP_NET_ADMIN over the netns (GENL_UNS_ADMIN_PERM).
 */
enum l2tpss_cmd {
	L2TPSS_CMD_UNSPEC,
	L2TPSS_CMD_VERSION_GET,		/* reply: L2TPSS_A_VERSION */
	L2TPSS_CMD_TUNNEL_GET,		/* do: L2TPSS_A_TUNNEL_ID; or dump */
	L2TPSS_CMD_DEFAULTS_GET,	/* reply: L2TPSS_A_SETTINGS */
	L2TPSS_CMD_DEFAULTS_SET,	/* L2TPSS_A_SETTINGS, any subset */

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

enum l2tpss_tunnel_state {
	L2TPSS_STATE_ACTIVE,		/* carries at least one session */
	L2TPSS_STATE_IDLE,		/* no session */
	L2TPSS_STATE_DESTRUCTING,	/* disconnected; record kept */
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

	__L2TPSS_TUNNEL_A_MAX,
};

#define L2TPSS_TUNNEL_A_MAX (__L2TPSS_TUNNEL_A_MAX - 1)

#endif /* _UAPI_LINUX_L2TPSS_H */
