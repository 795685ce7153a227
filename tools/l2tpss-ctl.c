// SPDX-License-Identifier: GPL-2.0
/*
 * l2tpss-ctl: configure and inspect the l2tpss module.
 *
 *   l2tpss-ctl [-n NETNS] [-j] [-p] OBJECT COMMAND ...
 *   l2tpss-ctl [-n NETNS] -b FILE
 *
 * The options may also follow the command, as in "show -j".
 * Grammar and JSON keys follow SPEC.md; see l2tpss-ctl.8.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "l2tpss-ctl.h"

struct options opts;
struct batch batch;

void fail(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("l2tpss-ctl: ", stderr);
	if (batch.line)
		fprintf(stderr, "%s:%u: ", batch.file, batch.line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* What a batch did before it stopped, on the same line. */
	if (batch.line && opts.dry_run)
		fputs("; nothing was applied", stderr);
	else if (batch.line && batch.applied)
		fprintf(stderr, "; the %u command%s before line %u %s applied, none from it on",
			batch.applied, batch.applied == 1 ? "" : "s",
			batch.line, batch.applied == 1 ? "was" : "were");
	else if (batch.line)
		fputs("; nothing was applied", stderr);
	fputc('\n', stderr);
	exit(code);
}

bool matches(const char *arg, const char *keyword)
{
	return !strcmp(arg, keyword);
}

bool is_help(const char *arg)
{
	return matches(arg, "help") || matches(arg, "-h") ||
	       matches(arg, "--help");
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

/* One line per command; "help OBJECT" prints the lines of that object. */
static const char *const commands[] = {
	"show [tunnel ID]",
	"set tunnel ID SETTINGS",
	"disconnect tunnel ID",
	"defaults [show]",
	"defaults set [SETTINGS] [max-records N]",
	"profile add NAME peer PREFIX [local ADDR] [SETTINGS]",
	"profile replace NAME peer PREFIX [local ADDR] [SETTINGS]",
	"profile del NAME",
	"profile show",
	"conn show",
	"stats [reset | prometheus]",
	"monitor",
	"save",
	"version",
};

static void usage(FILE *out, const char *object)
{
	size_t len = object ? strlen(object) : 0;
	const char *lead = "Usage:";
	bool settings = false;
	unsigned int i;

	if (!object) {
		fputs("Usage: l2tpss-ctl [OPTIONS] OBJECT COMMAND ...\n"
		      "       l2tpss-ctl [OPTIONS] -b FILE\n", out);
		lead = "      ";
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (object && (strncmp(commands[i], object, len) ||
			       (commands[i][len] && commands[i][len] != ' ')))
			continue;
		fprintf(out, "%s l2tpss-ctl %s\n", lead, commands[i]);
		settings |= !!strstr(commands[i], "SETTINGS");
		lead = "      ";
	}
	if (object && !strcmp(lead, "Usage:"))
		fail(EXIT_USAGE, "unknown object \"%s\"; try \"l2tpss-ctl help\"",
		     object);
	if (!settings)
		return;
	fputs("SETTINGS := any of single-shot on|off, idle-timeout SEC,\n"
	      "            destruct-timeout SEC, require-ipsec on|off\n", out);
	if (object)
		return;
	fputs("Options: -n, --netns NETNS  run in the named network namespace (as ip -n)\n"
	      "         -j, --json         JSON output\n"
	      "         -p, --pretty       pretty JSON output (implies -j)\n"
	      "         -b, --batch FILE   run the commands of FILE (- for stdin), one a line;\n"
	      "                            every line is checked before any is applied\n"
	      "         -a, --all-netns    save, stats prometheus: this and every named netns\n"
	      "         -V, --version      the version of l2tpss-ctl\n"
	      "         -h, --help         this text; \"OBJECT help\" for one object's\n"
	      "See l2tpss-ctl(8) and l2tpss.conf(5).\n", out);
}

/*
 * "OBJECT help", "OBJECT -h", "OBJECT COMMAND -h": that object's usage. Only
 * there: a later word may be a value ("profile replace help peer ...").
 */
static bool help_asked(int argc, char **argv)
{
	if ((argc >= 2 && is_help(argv[1])) ||
	    (argc == 3 && !matches(argv[2], "help") && is_help(argv[2]))) {
		usage(stdout, argv[0]);
		return true;
	}
	return false;
}

static void netns_path(const char *name, char *path, size_t size)
{
	if (!*name || strchr(name, '/') || matches(name, ".") ||
	    matches(name, ".."))
		fail(EXIT_USAGE, "-n: \"%s\" is not a network namespace name",
		     name);
	snprintf(path, size, "/run/netns/%s", name);
}

/* Checks that the netns @name exists, without entering it. */
void netns_check(const char *name)
{
	char path[PATH_MAX];

	netns_path(name, path, sizeof(path));
	if (access(path, F_OK))
		fail(EXIT_FAIL, "cannot open network namespace \"%s\": %s",
		     name, strerror(errno));
}

/* Enters the named netns, or with NULL the one l2tpss-ctl started in. */
void netns_enter(const char *name)
{
	static int home = -1;
	char path[PATH_MAX];
	int fd;

	if (home < 0) {
		home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (home < 0)
			fail(EXIT_FAIL, "cannot open this network namespace: %s",
			     strerror(errno));
	}
	if (!name) {
		fd = home;
		name = "(the initial one)";
	} else {
		netns_path(name, path, sizeof(path));
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fail(EXIT_FAIL, "cannot open network namespace \"%s\": %s",
			     name, strerror(errno));
	}
	if (setns(fd, CLONE_NEWNET))
		fail(EXIT_FAIL, "cannot enter network namespace \"%s\": %s",
		     name, strerror(errno));
	if (fd != home)
		close(fd);
	/* The netlink socket belongs to the netns it was opened in. */
	genl_close();
}

/*
 * Calls @fn in this netns (name NULL), then in every netns of /run/netns
 * that is another one, in name order; returns to this one.
 */
void netns_each(void (*fn)(const char *name, void *arg), void *arg)
{
	struct dirent **names;
	struct stat self, st;
	char path[PATH_MAX];
	int i, n;

	fn(NULL, arg);
	if (stat("/proc/self/ns/net", &self))
		fail(EXIT_FAIL, "cannot read this network namespace: %s",
		     strerror(errno));
	n = scandir("/run/netns", &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/run/netns/%s", names[i]->d_name);
		if (names[i]->d_name[0] != '.' && !stat(path, &st) &&
		    (st.st_dev != self.st_dev || st.st_ino != self.st_ino)) {
			netns_enter(names[i]->d_name);
			fn(names[i]->d_name, arg);
			netns_enter(NULL);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
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
	if (opts.dry_run)
		return 0;
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
	{ "save", do_save },
	{ "version", do_version },
};

/* Runs one command line (without options): from argv or from a batch. */
int run_command(int argc, char **argv)
{
	unsigned int i;

	if (matches(argv[0], "help")) {
		usage(stdout, argc > 1 ? argv[1] : NULL);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(objects); i++) {
		if (!matches(argv[0], objects[i].name))
			continue;
		if (help_asked(argc, argv))
			return 0;
		if (opts.all_netns && objects[i].run != do_save &&
		    !(objects[i].run == do_stats && argc == 2 &&
		      matches(argv[1], "prometheus")))
			fail(EXIT_USAGE, "-a is for save and stats prometheus only");
		return objects[i].run(argc - 1, argv + 1);
	}
	fail(EXIT_USAGE, "unknown object \"%s\"; try \"l2tpss-ctl help\"",
	     argv[0]);
}

static const struct option long_options[] = {
	{ "netns", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "batch", required_argument, NULL, 'b' },
	{ "all-netns", no_argument, NULL, 'a' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	const char *file = NULL;
	bool help = false;
	int opt;

	/* Options may stand anywhere ("show -j" as well as "-j show"). */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n:jpb:aVh", long_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (opts.netns)
				fail(EXIT_USAGE, "-n given twice");
			opts.netns = optarg;
			break;
		case 'j':
			opts.json = true;
			break;
		case 'p':
			opts.json = opts.pretty = true;
			break;
		case 'b':
			file = optarg;
			break;
		case 'a':
			opts.all_netns = true;
			break;
		case 'V':
			printf("l2tpss-ctl %s\n", L2TPSS_VERSION);
			return 0;
		case 'h':
			help = true;
			break;
		case '?':
			if (optopt == 'n')
				fail(EXIT_USAGE, "-n needs a network namespace name");
			if (optopt == 'b')
				fail(EXIT_USAGE, "-b needs a file name (- for stdin)");
			if (optopt)
				fail(EXIT_USAGE, "unknown option \"-%c\"; try \"l2tpss-ctl help\"",
				     optopt);
			fail(EXIT_USAGE, "unknown option \"%s\"; try \"l2tpss-ctl help\"",
			     argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (help) {
		usage(stdout, argc ? argv[0] : NULL);
		return 0;
	}
	if (opts.all_netns && opts.netns)
		fail(EXIT_USAGE, "-a and -n exclude each other");
	if (opts.netns)
		netns_enter(opts.netns);
	if (file) {
		if (argc)
			fail(EXIT_USAGE, "-b runs a file; \"%s\" after it is not understood",
			     argv[0]);
		if (opts.all_netns)
			fail(EXIT_USAGE, "-a is for save and stats prometheus only");
		return batch_run(file);
	}
	if (argc == 0) {
		usage(stderr, NULL);
		return EXIT_USAGE;
	}
	return run_command(argc, argv);
}
