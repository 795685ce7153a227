// SPDX-License-Identifier: GPL-2.0
/*
 * l2tpss-ctl defaults [show] | defaults set SETTING VALUE...: the netns
 * defaults of the four settings, and max-records, the records the netns
 * keeps (live tunnels and tombstones; past it the oldest tombstone goes).
 */
#include <stdio.h>
#include <stdlib.h>

#include "l2tpss-ctl.h"

static int on_defaults(struct nlattr **attrs, void *arg)
{
	struct json_object *obj;

	if (!attrs[L2TPSS_A_SETTINGS])
		return NL_SKIP;
	if (opts.json) {
		obj = settings_to_json(attrs[L2TPSS_A_SETTINGS]);
		if (attrs[L2TPSS_A_MAX_RECORDS])
			json_object_object_add(obj, "max_records",
				json_object_new_int64(nla_get_u32(attrs[L2TPSS_A_MAX_RECORDS])));
		print_json(obj);
	} else {
		settings_print(attrs[L2TPSS_A_SETTINGS], NULL);
		if (attrs[L2TPSS_A_MAX_RECORDS])
			printf("max-records %u\n",
			       nla_get_u32(attrs[L2TPSS_A_MAX_RECORDS]));
	}
	return NL_OK;
}

int do_defaults(int argc, char **argv)
{
	char **words = calloc(argc + 1, sizeof(*words));
	bool max_given = false;
	struct nl_msg *msg;
	uint32_t max = 0;
	int i, n = 0;

	if (!words)
		fail(EXIT_FAIL, "out of memory");
	if (argc == 0 || (matches(argv[0], "show") && argc == 1)) {
		msg = request_new(L2TPSS_CMD_DEFAULTS_GET, false);
		request_run(msg, on_defaults, NULL, "defaults show");
		return 0;
	}
	if (!matches(argv[0], "set"))
		fail(EXIT_USAGE, "unknown keyword \"%s\" after defaults; expected show or set",
		     argv[0]);

	/* max-records is the netns's own; the rest are the four settings. */
	for (i = 1; i < argc; i++) {
		if (!matches(argv[i], "max-records")) {
			words[n++] = argv[i];
			continue;
		}
		if (max_given)
			fail(EXIT_USAGE, "max-records given twice");
		if (i + 1 == argc)
			fail(EXIT_USAGE, "max-records: missing value");
		max = parse_u32("max-records", argv[++i]);
		max_given = true;
	}
	if (!n && !max_given)
		fail(EXIT_USAGE, "defaults set: give at least one of single-shot, idle-timeout, destruct-timeout, require-ipsec, max-records");
	msg = request_new(L2TPSS_CMD_DEFAULTS_SET, false);
	if (n)
		settings_parse(n, words, msg, L2TPSS_A_SETTINGS);
	if (max_given && nla_put_u32(msg, L2TPSS_A_MAX_RECORDS, max))
		fail(EXIT_FAIL, "out of memory");
	free(words);
	request_run(msg, NULL, NULL, "defaults set");
	return 0;
}
