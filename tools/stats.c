// SPDX-License-Identifier: GPL-2.0
/*
 * l2tpss-ctl stats [reset | prometheus]: the counters of the network
 * namespace, in text, JSON or the Prometheus text format.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2tpss-ctl.h"

static const struct stat {
	const char *name;	/* in text, JSON, and l2tpss_NAME_total */
	const char *help;	/* for Prometheus */
} stats[] = {
	[L2TPSS_STAT_TUNNELS] = { "tunnels", "L2TP tunnels registered" },
	[L2TPSS_STAT_SESSIONS] = { "sessions", "L2TP sessions registered" },
	[L2TPSS_STAT_SESSIONS_REFUSED] = { "sessions_refused",
		"Second sessions of single-shot tunnels refused in l2tp_core" },
	[L2TPSS_STAT_DISCONNECT_DELETED] = { "disconnect_deleted",
		"Tunnels disconnected because their daemon deleted them" },
	[L2TPSS_STAT_DISCONNECT_IDLE] = { "disconnect_idle_timeout",
		"Tunnels disconnected by the idle timeout" },
	[L2TPSS_STAT_DISCONNECT_SINGLE_SHOT] = { "disconnect_single_shot",
		"Single-shot tunnels disconnected as their session ended" },
	[L2TPSS_STAT_DISCONNECT_ADMIN] = { "disconnect_admin",
		"Tunnels disconnected by l2tpss-ctl disconnect" },
	[L2TPSS_STAT_EXPIRED] = { "expired",
		"Records dropped at the end of their destruct period" },
	[L2TPSS_STAT_UNTRACKED] = { "untracked",
		"Tunnels not followed for want of memory" },
	[L2TPSS_STAT_DISCONNECT_REFUSED] = { "disconnect_refused",
		"Tunnels deleted for coming over a used or spent IPsec connection" },
	[L2TPSS_STAT_CONNS_SPENT] = { "connections_spent",
		"IPsec connections marked spent" },
	[L2TPSS_STAT_IPSEC_TEARDOWNS] = { "ipsec_teardowns",
		"IPsec connections torn down" },
	[L2TPSS_STAT_SAS_EXPIRED] = { "sas_expired",
		"SAs hard-expired by teardowns" },
	[L2TPSS_STAT_POLICIES_DELETED] = { "policies_deleted",
		"XFRM policies deleted by teardowns" },
	[L2TPSS_STAT_DROP_MALFORMED] = { "drop_malformed",
		"Packets of tracked flows dropped as malformed" },
	[L2TPSS_STAT_DROP_PLAINTEXT] = { "drop_plaintext",
		"L2TP packets dropped for coming without IPsec" },
	[L2TPSS_STAT_DROP_SPENT] = { "drop_spent",
		"L2TP packets dropped over a spent IPsec connection" },
	[L2TPSS_STAT_DROP_SECOND_TUNNEL] = { "drop_second_tunnel",
		"SCCRQs dropped for a second tunnel over one IPsec connection" },
	[L2TPSS_STAT_DROP_SECOND_SESSION] = { "drop_second_session",
		"Call requests dropped for a second session of a single-shot tunnel" },
	[L2TPSS_STAT_DROP_DISCONNECTED] = { "drop_disconnected",
		"L2TP packets dropped for a disconnected tunnel" },
	[L2TPSS_STAT_EVICTED] = { "evicted",
		"Records dropped early to stay within max-records" },
	[L2TPSS_STAT_SAS_UNTRACKED] = { "sas_untracked",
		"SAs not followed for want of memory" },
};

/* What stats prometheus collects, one netns after the other. */
struct prom {
	uint64_t values[ARRAY_SIZE(stats)];
	bool seen[ARRAY_SIZE(stats)];
};

struct prom_all {
	unsigned int n;
	const char *names[1024];	/* NULL: the netns l2tpss-ctl is in */
	struct prom *values[1024];
};

static int on_stats(struct nlattr **attrs, void *arg)
{
	struct json_object *obj = json_object_new_object();
	struct prom *prom = arg;
	struct nlattr *attr;
	int rem, type;

	if (!attrs[L2TPSS_A_STATS])
		return NL_SKIP;
	nla_for_each_nested(attr, attrs[L2TPSS_A_STATS], rem) {
		type = nla_type(attr);
		if (type <= 0 || type >= (int)ARRAY_SIZE(stats) ||
		    !stats[type].name)
			continue;
		if (prom) {
			prom->values[type] = nla_get_u64(attr);
			prom->seen[type] = true;
		} else if (opts.json)
			json_object_object_add(obj, stats[type].name,
					       json_object_new_int64(nla_get_u64(attr)));
		else
			printf("%-24s %" PRIu64 "\n", stats[type].name,
			       (uint64_t)nla_get_u64(attr));
	}
	if (opts.json && !prom)
		print_json(obj);
	else
		json_object_put(obj);
	return NL_OK;
}

static void prom_collect(const char *netns, void *arg)
{
	struct prom_all *all = arg;
	struct prom *prom;

	if (all->n == ARRAY_SIZE(all->names))
		fail(EXIT_FAIL, "stats prometheus: more than %zu network namespaces",
		     ARRAY_SIZE(all->names));
	prom = calloc(1, sizeof(*prom));
	if (!prom || (netns && !(all->names[all->n] = strdup(netns))))
		fail(EXIT_FAIL, "out of memory");
	request_run(request_new(L2TPSS_CMD_STATS_GET, false), on_stats, prom,
		    "stats prometheus");
	all->values[all->n++] = prom;
}

/* A label value: \, " and newline escaped, as the text format wants. */
static void print_label(const char *value)
{
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			putchar('\\');
		if (*value == '\n')
			fputs("\\n", stdout);
		else
			putchar(*value);
	}
}

/*
 * The Prometheus text format (node_exporter's textfile collector reads it):
 * each counter once with HELP and TYPE, then a sample per netns, labelled
 * netns="NAME" for a named one and without the label for l2tpss-ctl's own.
 */
static int stats_prometheus(void)
{
	struct prom_all *all = calloc(1, sizeof(*all));
	unsigned int i, type;

	if (!all)
		fail(EXIT_FAIL, "out of memory");
	if (opts.all_netns)
		netns_each(prom_collect, all);
	else
		prom_collect(opts.netns, all);
	for (type = 1; !opts.dry_run && type < ARRAY_SIZE(stats); type++) {
		if (!stats[type].name)
			continue;
		printf("# HELP l2tpss_%s_total %s.\n", stats[type].name,
		       stats[type].help);
		printf("# TYPE l2tpss_%s_total counter\n", stats[type].name);
		for (i = 0; i < all->n; i++) {
			if (!all->values[i]->seen[type])
				continue;
			printf("l2tpss_%s_total", stats[type].name);
			if (all->names[i]) {
				fputs("{netns=\"", stdout);
				print_label(all->names[i]);
				fputs("\"}", stdout);
			}
			printf(" %" PRIu64 "\n", all->values[i]->values[type]);
		}
	}
	for (i = 0; i < all->n; i++) {
		free(all->values[i]);
		free((char *)all->names[i]);
	}
	free(all);
	return 0;
}

int do_stats(int argc, char **argv)
{
	if (argc == 0) {
		request_run(request_new(L2TPSS_CMD_STATS_GET, false), on_stats,
			    NULL, "stats");
		return 0;
	}
	if (matches(argv[0], "prometheus") && argc == 1)
		return stats_prometheus();
	if (matches(argv[0], "reset") && argc == 1) {
		request_run(request_new(L2TPSS_CMD_STATS_RESET, false), NULL,
			    NULL, "stats reset");
		return 0;
	}
	fail(EXIT_USAGE, "unknown keyword \"%s\" after stats; expected reset or prometheus",
	     argv[0]);
}
