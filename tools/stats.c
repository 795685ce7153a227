// SPDX-License-Identifier: GPL-2.0
/* l2tpss-ctl stats [reset]: the counters of the network namespace. */
#include <inttypes.h>
#include <stdio.h>

#include "l2tpss-ctl.h"

static const char *const stat_names[] = {
	[L2TPSS_STAT_TUNNELS] = "tunnels",
	[L2TPSS_STAT_SESSIONS] = "sessions",
	[L2TPSS_STAT_SESSIONS_REFUSED] = "sessions_refused",
	[L2TPSS_STAT_DISCONNECT_DELETED] = "disconnect_deleted",
	[L2TPSS_STAT_DISCONNECT_IDLE] = "disconnect_idle_timeout",
	[L2TPSS_STAT_DISCONNECT_SINGLE_SHOT] = "disconnect_single_shot",
	[L2TPSS_STAT_DISCONNECT_ADMIN] = "disconnect_admin",
	[L2TPSS_STAT_EXPIRED] = "expired",
	[L2TPSS_STAT_UNTRACKED] = "untracked",
	[L2TPSS_STAT_DISCONNECT_REFUSED] = "disconnect_refused",
	[L2TPSS_STAT_CONNS_SPENT] = "connections_spent",
	[L2TPSS_STAT_IPSEC_TEARDOWNS] = "ipsec_teardowns",
	[L2TPSS_STAT_SAS_EXPIRED] = "sas_expired",
	[L2TPSS_STAT_POLICIES_DELETED] = "policies_deleted",
	[L2TPSS_STAT_DROP_MALFORMED] = "drop_malformed",
	[L2TPSS_STAT_DROP_PLAINTEXT] = "drop_plaintext",
	[L2TPSS_STAT_DROP_SPENT] = "drop_spent",
	[L2TPSS_STAT_DROP_SECOND_TUNNEL] = "drop_second_tunnel",
	[L2TPSS_STAT_DROP_SECOND_SESSION] = "drop_second_session",
	[L2TPSS_STAT_DROP_DISCONNECTED] = "drop_disconnected",
	[L2TPSS_STAT_EVICTED] = "evicted",
	[L2TPSS_STAT_SAS_UNTRACKED] = "sas_untracked",
};

static int on_stats(struct nlattr **attrs, void *arg)
{
	struct json_object *obj = json_object_new_object();
	struct nlattr *attr;
	int rem, type;

	if (!attrs[L2TPSS_A_STATS])
		return NL_SKIP;
	nla_for_each_nested(attr, attrs[L2TPSS_A_STATS], rem) {
		type = nla_type(attr);
		if (type <= 0 || type >= (int)ARRAY_SIZE(stat_names) ||
		    !stat_names[type])
			continue;
		if (opts.json)
			json_object_object_add(obj, stat_names[type],
					       json_object_new_int64(nla_get_u64(attr)));
		else
			printf("%-24s %" PRIu64 "\n", stat_names[type],
			       (uint64_t)nla_get_u64(attr));
	}
	if (opts.json)
		print_json(obj);
	else
		json_object_put(obj);
	return NL_OK;
}

int do_stats(int argc, char **argv)
{
	if (argc == 0) {
		request_run(request_new(L2TPSS_CMD_STATS_GET, false), on_stats,
			    NULL, "stats");
		return 0;
	}
	if (matches(argv[0], "reset") && argc == 1) {
		request_run(request_new(L2TPSS_CMD_STATS_RESET, false), NULL,
			    NULL, "stats reset");
		return 0;
	}
	fail(EXIT_USAGE, "unknown keyword \"%s\" after stats; expected reset",
	     argv[0]);
}
