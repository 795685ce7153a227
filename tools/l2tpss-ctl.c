// SPDX-License-Identifier: GPL-2.0
/*
 * l2tpss-ctl: configure and inspect the l2tpss module.
 *
 *   l2tpss-ctl [-n NETNS] [-j] [-p] OBJECT COMMAND ...
 *
 * The options may also follow the command, as in "show -j".
 * Grammar and JSON keys follow SPEC.md; see l2tpss-ctl.8.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "l2tpss-ctl.h"

struct options opts;

void fail(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("l2tpss-ctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

bool matches(const char *arg, const char *keyword)
{
	return !strcmp(arg, keyword);
}

uint32_t parse_u32(const char *what, const char *arg)
{
	unsigned long value;
	char *end;

	errno = 0;
	value = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || value > UINT32_MAX)
		fail(EXIT_USAGE, "%s: \"%s\" is not a number from 0 to %u",
		     what, arg, UINT32_MAX);
	return value;
}

bool parse_on_off(const char *what, const char *arg)
{
	if (matches(arg, "on"))
		return true;
	if (matches(arg, "off"))
		return false;
	fail(EXIT_USAGE, "%s: expected on or off, not \"%s\"", what, arg);
}

static void usage(FILE *out)
{
	fputs("Usage: l2tpss-ctl [-n NETNS] [-j] [-p] OBJECT COMMAND ...\n"
	      "       l2tpss-ctl show [tunnel ID]\n"
	      "       l2tpss-ctl set tunnel ID SETTINGS\n"
	      "       l2tpss-ctl disconnect tunnel ID\n"
	      "       l2tpss-ctl defaults [show]\n"
	      "       l2tpss-ctl defaults set SETTINGS\n"
	      "       l2tpss-ctl profile add NAME peer PREFIX [local ADDR] [SETTINGS]\n"
	      "       l2tpss-ctl profile del NAME\n"
	      "       l2tpss-ctl profile show\n"
	      "       l2tpss-ctl conn show\n"
	      "       l2tpss-ctl stats [reset]\n"
	      "       l2tpss-ctl monitor\n"
	      "       l2tpss-ctl version\n"
	      "SETTINGS: any of single-shot on|off, idle-timeout SEC,\n"
	      "          destruct-timeout SEC, require-ipsec on|off\n"
	      "Options: -n NETNS  run in the named network namespace (as ip -n)\n"
	      "         -j        JSON output\n"
	      "         -p        pretty JSON output (implies -j)\n", out);
}

static void enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (strchr(name, '/'))
		fail(EXIT_USAGE, "-n: \"%s\" is not a network namespace name",
		     name);
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail(EXIT_FAIL, "cannot open network namespace \"%s\": %s",
		     name, strerror(errno));
	if (setns(fd, CLONE_NEWNET))
		fail(EXIT_FAIL, "cannot enter network namespace \"%s\": %s",
		     name, strerror(errno));
	close(fd);
}

static int on_version(struct nlattr **attrs, void *arg)
{
	const char **module = arg;

	if (attrs[L2TPSS_A_VERSION])
		*module = strdup(nla_get_string(attrs[L2TPSS_A_VERSION]));
	return NL_OK;
}

int do_version(int argc, char **argv)
{
	const char *module = NULL;
	struct json_object *obj;

	if (argc)
		fail(EXIT_USAGE, "unknown keyword \"%s\" after version",
		     argv[0]);
	request_run(request_new(L2TPSS_CMD_VERSION_GET, false), on_version,
		    &module, "version");
	if (!module)
		fail(EXIT_FAIL, "version: the module did not say its version");

	if (opts.json) {
		obj = json_object_new_object();
		json_object_object_add(obj, "cli",
				       json_object_new_string(L2TPSS_VERSION));
		json_object_object_add(obj, "module",
				       json_object_new_string(module));
		print_json(obj);
	} else {
		printf("l2tpss-ctl %s, module %s\n", L2TPSS_VERSION, module);
	}
	return 0;
}

static const struct object {
	const char *name;
	int (*run)(int argc, char **argv);
} objects[] = {
	{ "show", do_show },
	{ "set", do_set },
	{ "disconnect", do_disconnect },
	{ "defaults", do_defaults },
	{ "profile", do_profile },
	{ "conn", do_conn },
	{ "stats", do_stats },
	{ "monitor", do_monitor },
	{ "version", do_version },
};

int main(int argc, char **argv)
{
	unsigned int i;
	int opt;

	/* Options may stand anywhere ("show -j" as well as "-j show"). */
	opterr = 0;
	while ((opt = getopt(argc, argv, "n:jph")) != -1) {
		switch (opt) {
		case 'n':
			enter_netns(optarg);
			break;
		case 'j':
			opts.json = true;
			break;
		case 'p':
			opts.json = opts.pretty = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case '?':
			if (optopt == 'n')
				fail(EXIT_USAGE, "-n needs a network namespace name");
			fail(EXIT_USAGE, "unknown option \"-%c\"; try \"l2tpss-ctl help\"",
			     optopt);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (matches(argv[0], "help")) {
		usage(stdout);
		return 0;
	}

	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (matches(argv[0], objects[i].name))
			return objects[i].run(argc - 1, argv + 1);
	fail(EXIT_USAGE, "unknown object \"%s\"; try \"l2tpss-ctl help\"",
	     argv[0]);
}
