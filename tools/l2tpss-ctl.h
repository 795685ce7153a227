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
	bool all_netns;		/* -a: save and stats prometheus, every netns */
	bool dry_run;		/* a batch's first pass: check, send nothing */
	const char *netns;	/* -n */
};

/* Where a batch is (batch.c); line 0 when l2tpss-ctl runs one command. */
struct batch {
	const char *file;
	unsigned int line;
	unsigned int applied;	/* commands sent without error */
};

extern struct options opts;
extern struct batch batch;

/* l2tpss-ctl.c: messages and argument helpers. */
void fail(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
bool matches(const char *arg, const char *keyword);
bool is_help(const char *arg);
int run_command(int argc, char **argv);
void netns_check(const char *name);
void netns_enter(const char *name);
void netns_each(void (*fn)(const char *name, void *arg), void *arg);

/* batch.c: -b FILE, and the quoting of words that save prints. */
int batch_run(const char *file);
void print_word(const char *word);
uint32_t parse_u32(const char *what, const char *arg);
bool parse_on_off(const char *what, const char *arg);

/* genl.c: requests to the l2tpss family. */
typedef int (*reply_fn)(struct nlattr **attrs, void *arg);

struct nl_msg *request_new(uint8_t cmd, bool dump);
/* Sends @msg (and frees it), calls @fn for each reply; exits on error. */
void request_run(struct nl_msg *msg, reply_fn fn, void *arg,
		 const char *what);
void events_listen(reply_fn fn, void *arg) __attribute__((noreturn));
/* Closes the socket: the next request opens one in the current netns. */
void genl_close(void);

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

/* profile.c: "192.0.2.0/24" from the attributes of a profile. */
const char *prefix_text(struct nlattr *v4, struct nlattr *v6,
			struct nlattr *plen, char *buf, size_t size);
/* settings.c: " idle-timeout 60 single-shot on" as the command line says it. */
void settings_words(struct nlattr *nest);

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
int do_save(int argc, char **argv);

#endif
