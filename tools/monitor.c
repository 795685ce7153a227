// SPDX-License-Identifier: GPL-2.0
/*
 * l2tpss-ctl monitor: one line per event of the network namespace, until
 * interrupted. With -j, one JSON object per line: the tunnel's keys (as in
 * show -j) plus "event", and "session_id" for session events.
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
};

static int on_event(struct nlattr **attrs, void *arg)
{
	struct nlattr *tb[L2TPSS_TUNNEL_A_MAX + 1];
	struct json_object *obj;
	const char *name = "unknown";
	uint8_t event;

	if (!attrs[L2TPSS_A_EVENT] || !tunnel_parse(attrs[L2TPSS_A_TUNNEL], tb))
		return NL_SKIP;
	event = nla_get_u8(attrs[L2TPSS_A_EVENT]);
	if (event < sizeof(events) / sizeof(events[0]) && events[event])
		name = events[event];

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
