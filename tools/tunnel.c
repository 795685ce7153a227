// SPDX-License-Identifier: GPL-2.0
/*
 * The tunnel object: show [tunnel ID], set tunnel ID ..., disconnect tunnel
 * ID; and a tunnel's JSON and text, which monitor shows too.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <linux/l2tp.h>

#include "l2tpss-ctl.h"

static const char *const states[] = {
	[L2TPSS_STATE_ACTIVE] = "active",
	[L2TPSS_STATE_IDLE] = "idle",
	[L2TPSS_STATE_DESTRUCTING] = "destructing",
};

static const char *const reasons[] = {
	[L2TPSS_REASON_DELETED] = "deleted",
	[L2TPSS_REASON_IDLE_TIMEOUT] = "idle-timeout",
	[L2TPSS_REASON_SINGLE_SHOT] = "single-shot",
	[L2TPSS_REASON_ADMIN] = "admin",
	[L2TPSS_REASON_REFUSED] = "refused",
};

/* Why it was disconnected, or NULL while it is connected. */
static const char *reason_name(struct nlattr *attr)
{
	uint8_t reason = attr ? nla_get_u8(attr) : 0;

	return reason ? NAME_OF(reasons, reason) : NULL;
}

static const char *encap_name(uint8_t encap)
{
	return encap == L2TP_ENCAPTYPE_UDP ? "udp" :
	       encap == L2TP_ENCAPTYPE_IP ? "ip" : "unknown";
}

/* The address in @v4 or @v6, whichever is present, as text; "" if none. */
const char *address_text(struct nlattr *v4, struct nlattr *v6, char *buf)
{
	if (v4)
		return inet_ntop(AF_INET, nla_data(v4), buf, INET6_ADDRSTRLEN);
	if (v6)
		return inet_ntop(AF_INET6, nla_data(v6), buf, INET6_ADDRSTRLEN);
	return "";
}

static void add_u32(struct json_object *obj, const char *key,
		    struct nlattr *attr)
{
	if (attr)
		json_object_object_add(obj, key,
				       json_object_new_int64(nla_get_u32(attr)));
}

static struct json_object *string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *u32_or_null(struct nlattr *attr)
{
	return attr ? json_object_new_int64(nla_get_u32(attr)) : NULL;
}

struct json_object *tunnel_json(struct nlattr **tb)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *settings, *ipsec;
	char local[INET6_ADDRSTRLEN], peer[INET6_ADDRSTRLEN];

	add_u32(obj, "tunnel_id", tb[L2TPSS_TUNNEL_A_ID]);
	add_u32(obj, "peer_tunnel_id", tb[L2TPSS_TUNNEL_A_PEER_ID]);
	json_object_object_add(obj, "state", json_object_new_string(
		NAME_OF(states, nla_get_u8(tb[L2TPSS_TUNNEL_A_STATE]))));
	json_object_object_add(obj, "version", json_object_new_int(
		nla_get_u8(tb[L2TPSS_TUNNEL_A_PROTO_VERSION])));
	json_object_object_add(obj, "encap", json_object_new_string(
		encap_name(nla_get_u8(tb[L2TPSS_TUNNEL_A_ENCAP]))));
	json_object_object_add(obj, "local", json_object_new_string(
		address_text(tb[L2TPSS_TUNNEL_A_LOCAL_IP],
			tb[L2TPSS_TUNNEL_A_LOCAL_IP6], local)));
	json_object_object_add(obj, "peer", json_object_new_string(
		address_text(tb[L2TPSS_TUNNEL_A_PEER_IP],
			tb[L2TPSS_TUNNEL_A_PEER_IP6], peer)));
	if (tb[L2TPSS_TUNNEL_A_LOCAL_PORT])
		json_object_object_add(obj, "local_port", json_object_new_int(
			nla_get_u16(tb[L2TPSS_TUNNEL_A_LOCAL_PORT])));
	if (tb[L2TPSS_TUNNEL_A_PEER_PORT])
		json_object_object_add(obj, "peer_port", json_object_new_int(
			nla_get_u16(tb[L2TPSS_TUNNEL_A_PEER_PORT])));
	add_u32(obj, "sessions", tb[L2TPSS_TUNNEL_A_SESSIONS]);
	add_u32(obj, "sessions_total", tb[L2TPSS_TUNNEL_A_SESSIONS_TOTAL]);
	add_u32(obj, "sessions_refused", tb[L2TPSS_TUNNEL_A_SESSIONS_REFUSED]);
	add_u32(obj, "age", tb[L2TPSS_TUNNEL_A_AGE]);
	add_u32(obj, "generation", tb[L2TPSS_TUNNEL_A_GENERATION]);
	json_object_object_add(obj, "reason",
			       string_or_null(reason_name(tb[L2TPSS_TUNNEL_A_REASON])));
	json_object_object_add(obj, "timer_ms",
			       u32_or_null(tb[L2TPSS_TUNNEL_A_TIMER]));
	json_object_object_add(obj, "profile", string_or_null(
		tb[L2TPSS_TUNNEL_A_PROFILE] ?
		nla_get_string(tb[L2TPSS_TUNNEL_A_PROFILE]) : NULL));

	/* The settings in force, flat, as SPEC.md's keys want them. */
	settings = settings_to_json(tb[L2TPSS_TUNNEL_A_SETTINGS]);
	json_object_object_foreach(settings, key, value)
		json_object_object_add(obj, key, json_object_get(value));
	json_object_put(settings);
	json_object_object_add(obj, "source",
			       sources_to_json(tb[L2TPSS_TUNNEL_A_SOURCES]));
	if (tb[L2TPSS_TUNNEL_A_PACKETS_BLOCKED])
		json_object_object_add(obj, "packets_blocked", json_object_new_int64(
			(int64_t)nla_get_u64(tb[L2TPSS_TUNNEL_A_PACKETS_BLOCKED])));
	ipsec = conn_json(tb[L2TPSS_TUNNEL_A_IPSEC]);
	/* How this tunnel was bound to it (the connection's is its last's). */
	if (ipsec)
		json_object_object_add(ipsec, "binding", binding_json(
			tb[L2TPSS_TUNNEL_A_BOUND_SPI], tb[L2TPSS_TUNNEL_A_BOUND_HOW],
			tb[L2TPSS_TUNNEL_A_BOUND_AGE]));
	json_object_object_add(obj, "ipsec", ipsec);
	return obj;
}

void tunnel_print(struct nlattr **tb)
{
	char local[INET6_ADDRSTRLEN], peer[INET6_ADDRSTRLEN];
	bool udp = tb[L2TPSS_TUNNEL_A_LOCAL_PORT] && tb[L2TPSS_TUNNEL_A_PEER_PORT];
	bool v6 = tb[L2TPSS_TUNNEL_A_PEER_IP6];

	printf("tunnel %u peer-tunnel %u l2tpv%u over %s %s%s%s",
	       nla_get_u32(tb[L2TPSS_TUNNEL_A_ID]),
	       nla_get_u32(tb[L2TPSS_TUNNEL_A_PEER_ID]),
	       nla_get_u8(tb[L2TPSS_TUNNEL_A_PROTO_VERSION]),
	       encap_name(nla_get_u8(tb[L2TPSS_TUNNEL_A_ENCAP])),
	       v6 && udp ? "[" : "",
	       address_text(tb[L2TPSS_TUNNEL_A_LOCAL_IP],
		       tb[L2TPSS_TUNNEL_A_LOCAL_IP6], local),
	       v6 && udp ? "]" : "");
	if (udp)
		printf(":%u", nla_get_u16(tb[L2TPSS_TUNNEL_A_LOCAL_PORT]));
	printf(" -> %s%s%s", v6 && udp ? "[" : "",
	       address_text(tb[L2TPSS_TUNNEL_A_PEER_IP],
		       tb[L2TPSS_TUNNEL_A_PEER_IP6], peer),
	       v6 && udp ? "]" : "");
	if (udp)
		printf(":%u", nla_get_u16(tb[L2TPSS_TUNNEL_A_PEER_PORT]));
	printf("\n  state %s", NAME_OF(states, nla_get_u8(tb[L2TPSS_TUNNEL_A_STATE])));
	if (reason_name(tb[L2TPSS_TUNNEL_A_REASON]))
		printf(" (%s)", reason_name(tb[L2TPSS_TUNNEL_A_REASON]));
	if (tb[L2TPSS_TUNNEL_A_TIMER])
		printf(", %s in %.1fs",
		       nla_get_u8(tb[L2TPSS_TUNNEL_A_STATE]) ==
		       L2TPSS_STATE_DESTRUCTING ? "gone" : "idle timeout",
		       nla_get_u32(tb[L2TPSS_TUNNEL_A_TIMER]) / 1000.0);
	printf(", sessions %u (%u in total", nla_get_u32(tb[L2TPSS_TUNNEL_A_SESSIONS]),
	       nla_get_u32(tb[L2TPSS_TUNNEL_A_SESSIONS_TOTAL]));
	if (tb[L2TPSS_TUNNEL_A_SESSIONS_REFUSED] &&
	    nla_get_u32(tb[L2TPSS_TUNNEL_A_SESSIONS_REFUSED]))
		printf(", %u refused",
		       nla_get_u32(tb[L2TPSS_TUNNEL_A_SESSIONS_REFUSED]));
	printf("), age %us", nla_get_u32(tb[L2TPSS_TUNNEL_A_AGE]));
	if (tb[L2TPSS_TUNNEL_A_PROFILE])
		printf(", profile %s", nla_get_string(tb[L2TPSS_TUNNEL_A_PROFILE]));
	if (tb[L2TPSS_TUNNEL_A_PACKETS_BLOCKED] &&
	    nla_get_u64(tb[L2TPSS_TUNNEL_A_PACKETS_BLOCKED]))
		printf(", %llu packets blocked", (unsigned long long)
		       nla_get_u64(tb[L2TPSS_TUNNEL_A_PACKETS_BLOCKED]));
	printf("\n  ");
	settings_print(tb[L2TPSS_TUNNEL_A_SETTINGS],
		       tb[L2TPSS_TUNNEL_A_SOURCES]);
	if (tb[L2TPSS_TUNNEL_A_IPSEC]) {
		conn_print(tb[L2TPSS_TUNNEL_A_IPSEC], "  ");
		printf("  this tunnel:");
		binding_print(tb[L2TPSS_TUNNEL_A_BOUND_SPI],
			      tb[L2TPSS_TUNNEL_A_BOUND_HOW],
			      tb[L2TPSS_TUNNEL_A_BOUND_AGE]);
		printf("\n");
	}
}

/* Attributes every tunnel reply carries; the rest are optional. */
static const int required[] = {
	L2TPSS_TUNNEL_A_ID, L2TPSS_TUNNEL_A_PEER_ID,
	L2TPSS_TUNNEL_A_PROTO_VERSION, L2TPSS_TUNNEL_A_ENCAP,
	L2TPSS_TUNNEL_A_STATE, L2TPSS_TUNNEL_A_SESSIONS,
	L2TPSS_TUNNEL_A_SESSIONS_TOTAL, L2TPSS_TUNNEL_A_AGE,
	L2TPSS_TUNNEL_A_SETTINGS,
};

/* Parses the L2TPSS_A_TUNNEL nest into @tb; false if it is incomplete. */
bool tunnel_parse(struct nlattr *nest, struct nlattr **tb)
{
	unsigned int i;

	if (!nest || nla_parse_nested(tb, L2TPSS_TUNNEL_A_MAX, nest, NULL))
		return false;
	for (i = 0; i < ARRAY_SIZE(required); i++)
		if (!tb[required[i]])
			return false;
	return true;
}

static int on_tunnel(struct nlattr **attrs, void *arg)
{
	struct nlattr *tb[L2TPSS_TUNNEL_A_MAX + 1];
	struct json_object *list = arg;

	if (!tunnel_parse(attrs[L2TPSS_A_TUNNEL], tb))
		return NL_SKIP;
	if (list)
		json_object_array_add(list, tunnel_json(tb));
	else
		tunnel_print(tb);
	return NL_OK;
}

int do_show(int argc, char **argv)
{
	struct json_object *list = opts.json ? json_object_new_array() : NULL;
	struct nl_msg *msg;

	if (argc == 0) {
		msg = request_new(L2TPSS_CMD_TUNNEL_GET, true);
	} else if (matches(argv[0], "tunnel") && argc == 2) {
		msg = request_new(L2TPSS_CMD_TUNNEL_GET, false);
		nla_put_u32(msg, L2TPSS_A_TUNNEL_ID,
			    parse_u32("tunnel", argv[1]));
	} else if (matches(argv[0], "tunnel")) {
		fail(EXIT_USAGE, "usage: show [tunnel ID]");
	} else {
		fail(EXIT_USAGE, "unknown keyword \"%s\" after show; try \"show tunnel ID\"",
		     argv[0]);
	}

	request_run(msg, on_tunnel, list, "show");
	if (list)
		print_json(list);
	return 0;
}

/* "tunnel ID" at the start of @argv, for set and disconnect. */
static uint32_t tunnel_id_arg(int argc, char **argv, const char *usage)
{
	if (argc < 2 || !matches(argv[0], "tunnel"))
		fail(EXIT_USAGE, "usage: %s", usage);
	return parse_u32("tunnel", argv[1]);
}

int do_set(int argc, char **argv)
{
	static const char usage[] = "set tunnel ID [single-shot on|off] [idle-timeout SEC] [destruct-timeout SEC] [require-ipsec on|off]";
	struct nl_msg *msg = request_new(L2TPSS_CMD_TUNNEL_SET, false);

	nla_put_u32(msg, L2TPSS_A_TUNNEL_ID, tunnel_id_arg(argc, argv, usage));
	if (!settings_parse(argc - 2, argv + 2, msg, L2TPSS_A_SETTINGS))
		fail(EXIT_USAGE, "usage: %s", usage);
	request_run(msg, NULL, NULL, "set");
	return 0;
}

int do_disconnect(int argc, char **argv)
{
	static const char usage[] = "disconnect tunnel ID";
	struct nl_msg *msg = request_new(L2TPSS_CMD_TUNNEL_DISCONNECT, false);

	nla_put_u32(msg, L2TPSS_A_TUNNEL_ID, tunnel_id_arg(argc, argv, usage));
	if (argc != 2)
		fail(EXIT_USAGE, "usage: %s", usage);
	request_run(msg, NULL, NULL, "disconnect");
	return 0;
}
