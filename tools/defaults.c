// SPDX-License-Identifier: GPL-2.0
/* l2tpss-ctl defaults [show] | defaults set SETTING VALUE...: netns defaults. */
#include <stdio.h>

#include "l2tpss-ctl.h"

static int on_defaults(struct nlattr **attrs, void *arg)
{
	if (!attrs[L2TPSS_A_SETTINGS])
		return NL_SKIP;
	if (opts.json)
		print_json(settings_to_json(attrs[L2TPSS_A_SETTINGS]));
	else
		settings_print(attrs[L2TPSS_A_SETTINGS], NULL);
	return NL_OK;
}

int do_defaults(int argc, char **argv)
{
	struct nl_msg *msg;

	if (argc == 0 || (matches(argv[0], "show") && argc == 1)) {
		msg = request_new(L2TPSS_CMD_DEFAULTS_GET, false);
		request_run(msg, on_defaults, NULL, "defaults show");
		return 0;
	}
	if (!matches(argv[0], "set"))
		fail(EXIT_USAGE, "unknown keyword \"%s\" after defaults; expected show or set",
		     argv[0]);

	msg = request_new(L2TPSS_CMD_DEFAULTS_SET, false);
	if (!settings_parse(argc - 1, argv + 1, msg, L2TPSS_A_SETTINGS))
		fail(EXIT_USAGE, "defaults set: give at least one of single-shot, idle-timeout, destruct-timeout, require-ipsec");
	request_run(msg, NULL, NULL, "defaults set");
	return 0;
}
