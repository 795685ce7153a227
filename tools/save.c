// SPDX-License-Identifier: GPL-2.0
/*
 * l2tpss-ctl save: the running configuration of the network namespace (its
 * defaults, max-records and profiles, in their order) as lines that
 * "l2tpss-ctl -b" reads back, so that save, then -b on a freshly loaded
 * module, then save again prints the same text. With -n NETNS every line
 * starts with "-n NETNS"; with -a, this netns's lines come first, then every
 * named netns's. Profiles are saved as "profile replace", so that applying
 * the file again (systemctl reload l2tpss) updates them in place. Tunnels
 * and their own settings are not configuration: they go with the tunnel.
 */
#include <stdio.h>

#include "l2tpss-ctl.h"

static void line_start(const char *netns)
{
	if (!netns)
		return;
	fputs("-n ", stdout);
	print_word(netns);
	putchar(' ');
}

static int on_defaults(struct nlattr **attrs, void *arg)
{
	if (!attrs[L2TPSS_A_SETTINGS])
		return NL_SKIP;
	line_start(arg);
	fputs("defaults set", stdout);
	settings_words(attrs[L2TPSS_A_SETTINGS]);
	if (attrs[L2TPSS_A_MAX_RECORDS])
		printf(" max-records %u", nla_get_u32(attrs[L2TPSS_A_MAX_RECORDS]));
	putchar('\n');
	return NL_OK;
}

static int on_profile(struct nlattr **attrs, void *arg)
{
	struct nlattr *tb[L2TPSS_PROFILE_A_MAX + 1];
	char text[INET6_ADDRSTRLEN + 8];

	if (!attrs[L2TPSS_A_PROFILE] ||
	    nla_parse_nested(tb, L2TPSS_PROFILE_A_MAX, attrs[L2TPSS_A_PROFILE],
			     NULL) ||
	    !tb[L2TPSS_PROFILE_A_NAME] ||
	    (!tb[L2TPSS_PROFILE_A_PEER_IP] && !tb[L2TPSS_PROFILE_A_PEER_IP6]))
		return NL_SKIP;
	line_start(arg);
	fputs("profile replace ", stdout);
	print_word(nla_get_string(tb[L2TPSS_PROFILE_A_NAME]));
	printf(" peer %s", prefix_text(tb[L2TPSS_PROFILE_A_PEER_IP],
				       tb[L2TPSS_PROFILE_A_PEER_IP6],
				       tb[L2TPSS_PROFILE_A_PREFIXLEN],
				       text, sizeof(text)));
	if (tb[L2TPSS_PROFILE_A_LOCAL_IP] || tb[L2TPSS_PROFILE_A_LOCAL_IP6])
		printf(" local %s",
		       prefix_text(tb[L2TPSS_PROFILE_A_LOCAL_IP],
				   tb[L2TPSS_PROFILE_A_LOCAL_IP6], NULL,
				   text, sizeof(text)));
	if (tb[L2TPSS_PROFILE_A_SETTINGS])
		settings_words(tb[L2TPSS_PROFILE_A_SETTINGS]);
	putchar('\n');
	return NL_OK;
}

static void save_netns(const char *netns, void *arg)
{
	request_run(request_new(L2TPSS_CMD_DEFAULTS_GET, false), on_defaults,
		    (void *)netns, "save: defaults");
	request_run(request_new(L2TPSS_CMD_PROFILE_GET, true), on_profile,
		    (void *)netns, "save: profiles");
}

int do_save(int argc, char **argv)
{
	if (argc)
		fail(EXIT_USAGE, "unknown keyword \"%s\" after save", argv[0]);
	if (opts.json)
		fail(EXIT_USAGE, "save prints l2tpss-ctl's own grammar, not JSON");
	if (opts.all_netns)
		netns_each(save_netns, NULL);
	else
		save_netns(opts.netns, NULL);
	return 0;
}
