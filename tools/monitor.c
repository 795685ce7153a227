// SPDX-License-Identifier: GPL-2.0
/*
 * l2tpss-ctl monitor: one line per event of the network namespace, until
 * interrupted. With -j, one JSON object per line with an "event" key: for
 * tunnel events the tunnel's keys (as in show -j), and "session_id" for
 * session events; for connection events the connection's keys (as in conn
 * show -j); for packet-blocked, "drop", "direction", "tunnel_id" and
 * "ipsec".
 */
#include <stdio.h>

#include "l2tpss-ctl.h"

static const char *const events[] = {
	[L2TPSS_EVENT_TUNNEL_NEW] = "tunnel-new",
	[L2TPSS_EVENT_TUNNEL_ACTIVE] = "tunnel-active",
	[L2TPSS_EVENT_TUNNEL_IDLE] = "tunnel-idle",
	[L2TPSS_EVENT_TUNNEL_DISCONNECT] = "tunnel-disconnect",
	[L2TPSS_EVENT_TUNNEL_EXPIRE] = "tunnel-expire",
	[L2TPSS_EVENT_SESSION_NEW] = "session-new",
	[L2TPSS_EVENT_SESSION_DELETE] = "session-delete",
	[L2TPSS_EVENT_SESSION_REFUSED] = "session-refused",
	[L2TPSS_EVENT_TUNNEL_SET] = "tunnel-set",
	[L2TPSS_EVENT_CONN_SPENT] = "connection-spent",
	[L2TPSS_EVENT_PACKET_BLOCKED] = "packet-blocked",
	[L2TPSS_EVENT_IPSEC_TEARDOWN] = "ipsec-teardown",
	[L2TPSS_EVENT_TUNNEL_EVICT] = "tunnel-evict",
};

static const char *const drops[] = {
	[L2TPSS_DROP_MALFORMED] = "malformed",
	[L2TPSS_DROP_PLAINTEXT] = "plaintext",
	[L2TPSS_DROP_SPENT] = "spent",
	[L2TPSS_DROP_SECOND_TUNNEL] = "second-tunnel",
	[L2TPSS_DROP_SECOND_SESSION] = "second-session",
	[L2TPSS_DROP_DISCONNECTED] = "disconnected",
};

/* An event with no tunnel: about a connection, or a blocked packet. */
static int on_other_event(struct nlattr **attrs, const char *name)
{
	const char *drop = NAME_OF(drops, attrs[L2TPSS_A_DROP] ?
				   nla_get_u8(attrs[L2TPSS_A_DROP]) : 0);
	const char *dir = attrs[L2TPSS_A_DIRECTION] &&
			  nla_get_u8(attrs[L2TPSS_A_DIRECTION]) == L2TPSS_DIR_OUT ?
			  "out" : "in";
	bool blocked = nla_get_u8(attrs[L2TPSS_A_EVENT]) ==
		       L2TPSS_EVENT_PACKET_BLOCKED;
	struct json_object *obj;

	if (!blocked && !attrs[L2TPSS_A_CONN])
		return NL_SKIP;
	if (opts.json) {
		if (blocked) {
			obj = json_object_new_object();
			json_object_object_add(obj, "drop", json_object_new_string(drop));
			json_object_object_add(obj, "direction", json_object_new_string(dir));
			json_object_object_add(obj, "tunnel_id", attrs[L2TPSS_A_TUNNEL_ID] ?
				json_object_new_int64(nla_get_u32(attrs[L2TPSS_A_TUNNEL_ID])) : NULL);
			json_object_object_add(obj, "ipsec", conn_json(attrs[L2TPSS_A_CONN]));
		} else {
			obj = conn_json(attrs[L2TPSS_A_CONN]);
			if (!obj)
				return NL_SKIP;
		}
		json_object_object_add(obj, "event", json_object_new_string(name));
		print_json(obj);
	} else if (blocked) {
		printf("%s: %s, %s", name, drop, dir);
		if (attrs[L2TPSS_A_TUNNEL_ID])
			printf(", tunnel %u", nla_get_u32(attrs[L2TPSS_A_TUNNEL_ID]));
		printf("\n");
		if (attrs[L2TPSS_A_CONN])
			conn_print(attrs[L2TPSS_A_CONN], "  ");
	} else {
		printf("%s:\n", name);
		conn_print(attrs[L2TPSS_A_CONN], "  ");
	}
	fflush(stdout);
	return NL_OK;
}

static int on_event(struct nlattr **attrs, void *arg)
{
	struct nlattr *tb[L2TPSS_TUNNEL_A_MAX + 1];
	struct json_object *obj;
	const char *name;

	if (!attrs[L2TPSS_A_EVENT])
		return NL_SKIP;
	name = NAME_OF(events, nla_get_u8(attrs[L2TPSS_A_EVENT]));
	if (!attrs[L2TPSS_A_TUNNEL])
		return on_other_event(attrs, name);
	if (!tunnel_parse(attrs[L2TPSS_A_TUNNEL], tb))
		return NL_SKIP;

	if (opts.json) {
		obj = tunnel_json(tb);
		json_object_object_add(obj, "event", json_object_new_string(name));
		if (tb[L2TPSS_TUNNEL_A_SESSION_ID])
			json_object_object_add(obj, "session_id", json_object_new_int64(
				nla_get_u32(tb[L2TPSS_TUNNEL_A_SESSION_ID])));
		print_json(obj);
	} else {
		printf("%s", name);
		if (tb[L2TPSS_TUNNEL_A_SESSION_ID])
			printf(" session %u",
			       nla_get_u32(tb[L2TPSS_TUNNEL_A_SESSION_ID]));
		printf(": ");
		tunnel_print(tb);
	}
	fflush(stdout);
	return NL_OK;
}

int do_monitor(int argc, char **argv)
{
	if (argc)
		fail(EXIT_USAGE, "unknown keyword \"%s\" after monitor", argv[0]);
	events_listen(on_event, NULL);
}
