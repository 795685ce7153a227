// SPDX-License-Identifier: GPL-2.0
/*
 * The IPsec connection object: conn show; and a connection's JSON and text,
 * which show (a tunnel's "ipsec") and monitor use too.
 */
#include <inttypes.h>
#include <stdio.h>

#include "l2tpss-ctl.h"

static const char *direction_name(uint8_t dir)
{
	return dir == L2TPSS_DIR_IN ? "in" : dir == L2TPSS_DIR_OUT ? "out" : "unknown";
}

/* Attributes every connection carries. */
static const int required[] = {
	L2TPSS_CONN_A_NATT_PORT, L2TPSS_CONN_A_REQID, L2TPSS_CONN_A_GENERATION,
	L2TPSS_CONN_A_LIVE, L2TPSS_CONN_A_SPENT, L2TPSS_CONN_A_SINGLE_SHOT,
	L2TPSS_CONN_A_TUNNELS, L2TPSS_CONN_A_DROPS,
};

static bool conn_parse(struct nlattr *nest, struct nlattr **tb)
{
	unsigned int i;

	if (!nest || nla_parse_nested(tb, L2TPSS_CONN_A_MAX, nest, NULL))
		return false;
	for (i = 0; i < ARRAY_SIZE(required); i++)
		if (!tb[required[i]])
			return false;
	return (tb[L2TPSS_CONN_A_PEER_IP] || tb[L2TPSS_CONN_A_PEER_IP6]) &&
	       (tb[L2TPSS_CONN_A_LOCAL_IP] || tb[L2TPSS_CONN_A_LOCAL_IP6]);
}

static struct json_object *sas_json(struct nlattr *nest)
{
	struct json_object *list = json_object_new_array();
	struct nlattr *tb[L2TPSS_SA_A_MAX + 1], *attr;
	struct json_object *sa;
	char spi[16];
	int rem;

	nla_for_each_nested(attr, nest, rem) {
		if (nla_type(attr) != L2TPSS_CONN_A_SA ||
		    nla_parse_nested(tb, L2TPSS_SA_A_MAX, attr, NULL) ||
		    !tb[L2TPSS_SA_A_SPI] || !tb[L2TPSS_SA_A_DIRECTION])
			continue;
		sa = json_object_new_object();
		snprintf(spi, sizeof(spi), "0x%08x", nla_get_u32(tb[L2TPSS_SA_A_SPI]));
		json_object_object_add(sa, "spi", json_object_new_string(spi));
		json_object_object_add(sa, "direction", json_object_new_string(
			direction_name(nla_get_u8(tb[L2TPSS_SA_A_DIRECTION]))));
		json_object_array_add(list, sa);
	}
	return list;
}

static const char *const bindings[] = {
	[L2TPSS_BIND_NONE] = "none",
	[L2TPSS_BIND_FLOW] = "flow",
	[L2TPSS_BIND_PACKET] = "packet",
};

/*
 * How a tunnel was bound: {"spi": "0x...", "how": "flow" or "packet",
 * "age": seconds}, or NULL when it was not.
 */
struct json_object *binding_json(struct nlattr *spi, struct nlattr *how,
				 struct nlattr *age)
{
	struct json_object *obj;
	char buf[16];

	if (!spi || !how || !age)
		return NULL;
	obj = json_object_new_object();
	snprintf(buf, sizeof(buf), "0x%08x", nla_get_u32(spi));
	json_object_object_add(obj, "spi", json_object_new_string(buf));
	json_object_object_add(obj, "how", json_object_new_string(
		NAME_OF(bindings, nla_get_u8(how))));
	json_object_object_add(obj, "age", json_object_new_int64(nla_get_u32(age)));
	return obj;
}

void binding_print(struct nlattr *spi, struct nlattr *how, struct nlattr *age)
{
	if (spi && how && age)
		printf(" bound by SA 0x%08x (%s, %us ago)", nla_get_u32(spi),
		       NAME_OF(bindings, nla_get_u8(how)), nla_get_u32(age));
}

/* The connection in @nest as JSON; NULL (JSON null) if it is incomplete. */
struct json_object *conn_json(struct nlattr *nest)
{
	struct nlattr *tb[L2TPSS_CONN_A_MAX + 1];
	char local[INET6_ADDRSTRLEN], peer[INET6_ADDRSTRLEN];
	struct json_object *obj;

	if (!conn_parse(nest, tb))
		return NULL;
	obj = json_object_new_object();
	json_object_object_add(obj, "generation", json_object_new_int64(
		nla_get_u32(tb[L2TPSS_CONN_A_GENERATION])));
	json_object_object_add(obj, "peer", json_object_new_string(
		address_text(tb[L2TPSS_CONN_A_PEER_IP], tb[L2TPSS_CONN_A_PEER_IP6], peer)));
	json_object_object_add(obj, "local", json_object_new_string(
		address_text(tb[L2TPSS_CONN_A_LOCAL_IP], tb[L2TPSS_CONN_A_LOCAL_IP6], local)));
	json_object_object_add(obj, "natt_port", json_object_new_int(
		nla_get_u16(tb[L2TPSS_CONN_A_NATT_PORT])));
	json_object_object_add(obj, "reqid", json_object_new_int64(
		nla_get_u32(tb[L2TPSS_CONN_A_REQID])));
	json_object_object_add(obj, "live", json_object_new_boolean(
		nla_get_u8(tb[L2TPSS_CONN_A_LIVE])));
	json_object_object_add(obj, "spent", json_object_new_boolean(
		nla_get_u8(tb[L2TPSS_CONN_A_SPENT])));
	json_object_object_add(obj, "single_shot", json_object_new_boolean(
		nla_get_u8(tb[L2TPSS_CONN_A_SINGLE_SHOT])));
	json_object_object_add(obj, "tunnel_id", tb[L2TPSS_CONN_A_TUNNEL_ID] ?
		json_object_new_int64(nla_get_u32(tb[L2TPSS_CONN_A_TUNNEL_ID])) : NULL);
	json_object_object_add(obj, "tunnels", json_object_new_int64(
		nla_get_u32(tb[L2TPSS_CONN_A_TUNNELS])));
	json_object_object_add(obj, "binding", binding_json(
		tb[L2TPSS_CONN_A_BOUND_SPI], tb[L2TPSS_CONN_A_BOUND_HOW],
		tb[L2TPSS_CONN_A_BOUND_AGE]));
	json_object_object_add(obj, "sas", sas_json(nest));
	if (tb[L2TPSS_CONN_A_NR_SAS])
		json_object_object_add(obj, "nr_sas", json_object_new_int64(
			nla_get_u32(tb[L2TPSS_CONN_A_NR_SAS])));
	json_object_object_add(obj, "drops", json_object_new_int64(
		(int64_t)nla_get_u64(tb[L2TPSS_CONN_A_DROPS])));
	return obj;
}

/* One or two lines of text for the connection in @nest, after @indent. */
void conn_print(struct nlattr *nest, const char *indent)
{
	struct nlattr *tb[L2TPSS_CONN_A_MAX + 1];
	char local[INET6_ADDRSTRLEN], peer[INET6_ADDRSTRLEN];
	struct nlattr *attr, *sa[L2TPSS_SA_A_MAX + 1];
	const char *sep = " spi";
	int rem;

	if (!conn_parse(nest, tb))
		return;
	printf("%sipsec %s -> %s natt-port %u reqid %u%s%s%s", indent,
	       address_text(tb[L2TPSS_CONN_A_LOCAL_IP], tb[L2TPSS_CONN_A_LOCAL_IP6], local),
	       address_text(tb[L2TPSS_CONN_A_PEER_IP], tb[L2TPSS_CONN_A_PEER_IP6], peer),
	       nla_get_u16(tb[L2TPSS_CONN_A_NATT_PORT]),
	       nla_get_u32(tb[L2TPSS_CONN_A_REQID]),
	       nla_get_u8(tb[L2TPSS_CONN_A_LIVE]) ? "" : " ended",
	       nla_get_u8(tb[L2TPSS_CONN_A_SPENT]) ? " spent" : "",
	       nla_get_u8(tb[L2TPSS_CONN_A_SINGLE_SHOT]) ? " single-shot" : "");
	if (tb[L2TPSS_CONN_A_TUNNEL_ID])
		printf(" tunnel %u", nla_get_u32(tb[L2TPSS_CONN_A_TUNNEL_ID]));
	binding_print(tb[L2TPSS_CONN_A_BOUND_SPI], tb[L2TPSS_CONN_A_BOUND_HOW],
		      tb[L2TPSS_CONN_A_BOUND_AGE]);
	printf(" drops %" PRIu64, (uint64_t)nla_get_u64(tb[L2TPSS_CONN_A_DROPS]));
	nla_for_each_nested(attr, nest, rem) {
		if (nla_type(attr) != L2TPSS_CONN_A_SA ||
		    nla_parse_nested(sa, L2TPSS_SA_A_MAX, attr, NULL) ||
		    !sa[L2TPSS_SA_A_SPI] || !sa[L2TPSS_SA_A_DIRECTION])
			continue;
		printf("%s 0x%08x/%s", sep, nla_get_u32(sa[L2TPSS_SA_A_SPI]),
		       direction_name(nla_get_u8(sa[L2TPSS_SA_A_DIRECTION])));
		sep = "";
	}
	printf("\n");
}

static int on_conn(struct nlattr **attrs, void *arg)
{
	struct json_object *list = arg, *obj;

	if (list) {
		obj = conn_json(attrs[L2TPSS_A_CONN]);
		if (!obj)
			return NL_SKIP;
		json_object_array_add(list, obj);
	} else {
		conn_print(attrs[L2TPSS_A_CONN], "");
	}
	return NL_OK;
}

int do_conn(int argc, char **argv)
{
	struct json_object *list = opts.json ? json_object_new_array() : NULL;

	if (argc && !matches(argv[0], "show"))
		fail(EXIT_USAGE, "unknown keyword \"%s\" after conn; expected show",
		     argv[0]);
	if (argc > 1)
		fail(EXIT_USAGE, "unknown keyword \"%s\" after conn show", argv[1]);
	request_run(request_new(L2TPSS_CMD_CONN_GET, true), on_conn, list,
		    "conn show");
	if (list)
		print_json(list);
	return 0;
}
