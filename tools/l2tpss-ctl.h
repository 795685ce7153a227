/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared by the files of l2tpss-ctl. */
#ifndef L2TPSS_CTL_H
#define L2TPSS_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <json-c/json.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/l2tpss.h>

/* Exit codes: 1 when the command failed, 2 when it was not understood. */
#define EXIT_FAIL	1
#define EXIT_USAGE	2

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct options {
	bool json;
	bool pretty;
};

extern struct options opts;

/* l2tpss-ctl.c: messages and argument helpers. */
void fail(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
bool matches(const char *arg, const char *keyword);
uint32_t parse_u32(const char *what, const char *arg);
bool parse_on_off(const char *what, const char *arg);

/* genl.c: requests to the l2tpss family. */
typedef int (*reply_fn)(struct nlattr **attrs, void *arg);

struct nl_msg *request_new(uint8_t cmd, bool dump);
/* Sends @msg (and frees it), calls @fn for each reply; exits on error. */
void request_run(struct nl_msg *msg, reply_fn fn, void *arg,
		 const char *what);
void events_listen(reply_fn fn, void *arg) __attribute__((noreturn));

/* output.c: one place that prints text or JSON. */
void print_json(struct json_object *obj);
const char *on_off(bool value);
/* The name of @value in the table @names (of a UAPI enum), or "unknown". */
const char *table_name(const char *const *names, size_t n, unsigned int value);
#define NAME_OF(names, value)	table_name(names, ARRAY_SIZE(names), value)

/* settings.c: the four settings, parsed from words and printed. */
int settings_parse(int argc, char **argv, struct nl_msg *msg, int attrtype);
struct json_object *settings_to_json(struct nlattr *nest);
struct json_object *sources_to_json(struct nlattr *sources);
void settings_print(struct nlattr *settings, struct nlattr *sources);
const char *setting_name(int type);

/* tunnel.c: a tunnel as JSON or text, from its L2TPSS_A_TUNNEL nest. */
const char *address_text(struct nlattr *v4, struct nlattr *v6, char *buf);
bool tunnel_parse(struct nlattr *nest, struct nlattr **tb);
struct json_object *tunnel_json(struct nlattr **tb);
void tunnel_print(struct nlattr **tb);

/* conn.c: an IPsec connection as JSON or text, from its nest. */
struct json_object *conn_json(struct nlattr *nest);
void conn_print(struct nlattr *nest, const char *indent);
struct json_object *binding_json(struct nlattr *spi, struct nlattr *how,
				 struct nlattr *age);
void binding_print(struct nlattr *spi, struct nlattr *how, struct nlattr *age);

/* One function per command. */
int do_show(int argc, char **argv);
int do_set(int argc, char **argv);
int do_disconnect(int argc, char **argv);
int do_defaults(int argc, char **argv);
int do_profile(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_conn(int argc, char **argv);
int do_monitor(int argc, char **argv);
int do_version(int argc, char **argv);

#endif
