// SPDX-License-Identifier: GPL-2.0
/*
 * l2tpss-ctl profile add|replace NAME peer PREFIX [local ADDR] [SETTING VALUE]...
 * l2tpss-ctl profile del NAME
 * l2tpss-ctl profile show
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2tpss-ctl.h"

/* Puts ADDR as the IPv4 or IPv6 attribute; returns its address family. */
static int put_addr(struct nl_msg *msg, const char *what, const char *text,
		    int v4type, int v6type)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, text, buf) == 1) {
		nla_put(msg, v4type, 4, buf);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, text, buf) == 1) {
		nla_put(msg, v6type, 16, buf);
		return AF_INET6;
	}
	fail(EXIT_USAGE, "%s: \"%s\" is not an IPv4 or IPv6 address", what, text);
}

/* PREFIX is ADDR[/LEN]; a bare address is a host prefix. */
static void put_prefix(struct nl_msg *msg, const char *text)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	int family;

	if (len >= sizeof(addr))
		fail(EXIT_USAGE, "peer: \"%s\" is not a prefix", text);
	memcpy(addr, text, len);
	addr[len] = 0;
	family = put_addr(msg, "peer", addr, L2TPSS_PROFILE_A_PEER_IP,
			  L2TPSS_PROFILE_A_PEER_IP6);
	if (slash) {
		uint32_t plen = parse_u32("peer prefix length", slash + 1);

		if (plen > (family == AF_INET ? 32 : 128))
			fail(EXIT_USAGE, "peer: prefix length %u is too long for %s",
			     plen, family == AF_INET ? "IPv4" : "IPv6");
		nla_put_u8(msg, L2TPSS_PROFILE_A_PREFIXLEN, plen);
	}
}

static void put_name(struct nl_msg *msg, const char *name)
{
	const unsigned char *c;

	if (!*name || strlen(name) >= L2TPSS_PROFILE_NAME_LEN)
		fail(EXIT_USAGE, "profile name must be 1 to %d characters",
		     L2TPSS_PROFILE_NAME_LEN - 1);
	for (c = (const unsigned char *)name; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			fail(EXIT_USAGE, "profile name: no control characters");
	nla_put_string(msg, L2TPSS_PROFILE_A_NAME, name);
}

/* add fails when the name exists; replace creates or replaces in place. */
static int profile_add(int argc, char **argv, bool replace)
{
	const char *what = replace ? "profile replace" : "profile add";
	struct nl_msg *msg = request_new(replace ? L2TPSS_CMD_PROFILE_REPLACE :
					 L2TPSS_CMD_PROFILE_ADD, false);
	char **settings = calloc(argc + 1, sizeof(*settings));
	struct nlattr *nest;
	bool peer = false;
	int i, n = 0;

	if (!settings)
		fail(EXIT_FAIL, "out of memory");
	if (argc < 1)
		fail(EXIT_USAGE, "usage: %s NAME peer PREFIX [local ADDR] [SETTING VALUE]...",
		     what);
	nest = nla_nest_start(msg, L2TPSS_A_PROFILE);
	put_name(msg, argv[0]);
	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc && (matches(argv[i], "peer") ||
				      matches(argv[i], "local")))
			fail(EXIT_USAGE, "%s: missing value", argv[i]);
		if (matches(argv[i], "peer")) {
			put_prefix(msg, argv[i + 1]);
			peer = true;
		} else if (matches(argv[i], "local")) {
			put_addr(msg, "local", argv[i + 1],
				 L2TPSS_PROFILE_A_LOCAL_IP,
				 L2TPSS_PROFILE_A_LOCAL_IP6);
		} else {
			settings[n++] = argv[i];
			if (i + 1 < argc)
				settings[n++] = argv[i + 1];
		}
	}
	if (!peer)
		fail(EXIT_USAGE, "%s: peer PREFIX is required", what);
	if (n)
		settings_parse(n, settings, msg, L2TPSS_PROFILE_A_SETTINGS);
	nla_nest_end(msg, nest);
	free(settings);
	request_run(msg, NULL, NULL, what);
	return 0;
}

static int profile_del(int argc, char **argv)
{
	struct nl_msg *msg = request_new(L2TPSS_CMD_PROFILE_DEL, false);
	struct nlattr *nest;

	if (argc != 1)
		fail(EXIT_USAGE, "usage: profile del NAME");
	nest = nla_nest_start(msg, L2TPSS_A_PROFILE);
	put_name(msg, argv[0]);
	nla_nest_end(msg, nest);
	request_run(msg, NULL, NULL, "profile del");
	return 0;
}

/* "192.0.2.0/24" from the address attributes and the prefix length. */
const char *prefix_text(struct nlattr *v4, struct nlattr *v6,
			       struct nlattr *plen, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN] = "";

	if (v4)
		inet_ntop(AF_INET, nla_data(v4), addr, sizeof(addr));
	else if (v6)
		inet_ntop(AF_INET6, nla_data(v6), addr, sizeof(addr));
	if (plen)
		snprintf(buf, size, "%s/%u", addr, nla_get_u8(plen));
	else
		snprintf(buf, size, "%s", addr);
	return buf;
}

static int on_profile(struct nlattr **attrs, void *arg)
{
	struct nlattr *tb[L2TPSS_PROFILE_A_MAX + 1];
	char peer[INET6_ADDRSTRLEN + 8], local[INET6_ADDRSTRLEN + 8];
	struct json_object *list = arg, *obj, *settings;
	bool has_local;

	if (!attrs[L2TPSS_A_PROFILE] ||
	    nla_parse_nested(tb, L2TPSS_PROFILE_A_MAX, attrs[L2TPSS_A_PROFILE],
			     NULL) ||
	    !tb[L2TPSS_PROFILE_A_NAME] || !tb[L2TPSS_PROFILE_A_SETTINGS])
		return NL_SKIP;
	prefix_text(tb[L2TPSS_PROFILE_A_PEER_IP], tb[L2TPSS_PROFILE_A_PEER_IP6],
		    tb[L2TPSS_PROFILE_A_PREFIXLEN], peer, sizeof(peer));
	has_local = tb[L2TPSS_PROFILE_A_LOCAL_IP] || tb[L2TPSS_PROFILE_A_LOCAL_IP6];
	prefix_text(tb[L2TPSS_PROFILE_A_LOCAL_IP],
		    tb[L2TPSS_PROFILE_A_LOCAL_IP6], NULL, local, sizeof(local));

	if (!list) {
		printf("profile %s peer %s", nla_get_string(tb[L2TPSS_PROFILE_A_NAME]),
		       peer);
		if (has_local)
			printf(" local %s", local);
		printf("\n  ");
		settings_print(tb[L2TPSS_PROFILE_A_SETTINGS], NULL);
		return NL_OK;
	}
	obj = json_object_new_object();
	json_object_object_add(obj, "name", json_object_new_string(
		nla_get_string(tb[L2TPSS_PROFILE_A_NAME])));
	json_object_object_add(obj, "peer", json_object_new_string(peer));
	json_object_object_add(obj, "local",
			       has_local ? json_object_new_string(local) : NULL);
	settings = settings_to_json(tb[L2TPSS_PROFILE_A_SETTINGS]);
	json_object_object_foreach(settings, key, value)
		json_object_object_add(obj, key, json_object_get(value));
	json_object_put(settings);
	json_object_array_add(list, obj);
	return NL_OK;
}

static int profile_show(int argc, char **argv)
{
	struct json_object *list = opts.json ? json_object_new_array() : NULL;

	if (argc)
		fail(EXIT_USAGE, "unknown keyword \"%s\" after profile show",
		     argv[0]);
	request_run(request_new(L2TPSS_CMD_PROFILE_GET, true), on_profile,
		    list, "profile show");
	if (list)
		print_json(list);
	return 0;
}

int do_profile(int argc, char **argv)
{
	if (argc == 0 || matches(argv[0], "show"))
		return profile_show(argc ? argc - 1 : 0, argv + !!argc);
	if (matches(argv[0], "add"))
		return profile_add(argc - 1, argv + 1, false);
	if (matches(argv[0], "replace"))
		return profile_add(argc - 1, argv + 1, true);
	if (matches(argv[0], "del"))
		return profile_del(argc - 1, argv + 1);
	fail(EXIT_USAGE, "unknown keyword \"%s\" after profile; expected add, replace, del or show",
	     argv[0]);
}
