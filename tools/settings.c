// SPDX-License-Identifier: GPL-2.0
/*
 * The four settings (single-shot, idle-timeout, destruct-timeout,
 * require-ipsec): parsed from the command line into a nest, printed back.
 * Ranges are the kernel's to check; its answer names the setting.
 */
#include <stdio.h>
#include <string.h>

#include "l2tpss-ctl.h"

static const struct setting {
	const char *word;	/* on the command line and in text output */
	const char *key;	/* in JSON output */
	bool flag;		/* on|off rather than seconds */
} settings[L2TPSS_SET_MAX + 1] = {
	[L2TPSS_SET_SINGLE_SHOT] = { "single-shot", "single_shot", true },
	[L2TPSS_SET_IDLE_TIMEOUT] = { "idle-timeout", "idle_timeout", false },
	[L2TPSS_SET_DESTRUCT_TIMEOUT] = { "destruct-timeout",
					  "destruct_timeout", false },
	[L2TPSS_SET_REQUIRE_IPSEC] = { "require-ipsec", "require_ipsec", true },
};

static const char *const source_names[] = {
	[L2TPSS_SOURCE_DEFAULT] = "default",
	[L2TPSS_SOURCE_PROFILE] = "profile",
	[L2TPSS_SOURCE_TUNNEL] = "tunnel",
};

const char *setting_name(int type)
{
	return type > 0 && type <= L2TPSS_SET_MAX ? settings[type].word : "?";
}

static int setting_lookup(const char *word)
{
	int i;

	for (i = 1; i <= L2TPSS_SET_MAX; i++)
		if (!strcmp(word, settings[i].word))
			return i;
	return 0;
}

/*
 * Parses "WORD VALUE" pairs into a nest of type @attrtype; returns how many.
 * Exits with a usage error on an unknown word, a missing or bad value, or a
 * setting given twice.
 */
int settings_parse(int argc, char **argv, struct nl_msg *msg, int attrtype)
{
	struct nlattr *nest = nla_nest_start(msg, attrtype);
	bool seen[L2TPSS_SET_MAX + 1] = { false };
	int type, count = 0;

	for (; argc > 0; argc -= 2, argv += 2) {
		type = setting_lookup(argv[0]);
		if (!type)
			fail(EXIT_USAGE, "unknown keyword \"%s\"; expected single-shot, idle-timeout, destruct-timeout or require-ipsec",
			     argv[0]);
		if (argc < 2)
			fail(EXIT_USAGE, "%s: missing value", argv[0]);
		if (seen[type])
			fail(EXIT_USAGE, "%s given twice", argv[0]);
		seen[type] = true;
		if (settings[type].flag)
			nla_put_u8(msg, type, parse_on_off(argv[0], argv[1]));
		else
			nla_put_u32(msg, type, parse_u32(argv[0], argv[1]));
		count++;
	}
	nla_nest_end(msg, nest);
	return count;
}

static struct json_object *value_json(int type, struct nlattr *attr)
{
	if (settings[type].flag)
		return json_object_new_boolean(nla_get_u8(attr));
	return json_object_new_int64(nla_get_u32(attr));
}

/* Adds the settings of @nest to @obj, one key each. */
struct json_object *settings_to_json(struct nlattr *nest)
{
	struct json_object *obj = json_object_new_object();
	struct nlattr *attr;
	int rem, type;

	nla_for_each_nested(attr, nest, rem) {
		type = nla_type(attr);
		if (type > 0 && type <= L2TPSS_SET_MAX)
			json_object_object_add(obj, settings[type].key,
					       value_json(type, attr));
	}
	return obj;
}

static const char *source_name(struct nlattr *sources, int type)
{
	struct nlattr *attr;
	int rem;

	if (!sources)
		return NULL;
	nla_for_each_nested(attr, sources, rem)
		if (nla_type(attr) == type &&
		    nla_get_u8(attr) < ARRAY_SIZE(source_names))
			return source_names[nla_get_u8(attr)];
	return NULL;
}

/*
 * Prints the settings of @nest, each as "WORD VALUE" after @sep (the first
 * after @first); seconds get @unit. With @source_nest, a value that is not
 * the default's says where it came from.
 */
static void settings_out(struct nlattr *nest, struct nlattr *source_nest,
			 const char *first, const char *sep, const char *unit)
{
	struct nlattr *attr;
	const char *source;
	int rem, type;

	nla_for_each_nested(attr, nest, rem) {
		type = nla_type(attr);
		if (type <= 0 || type > L2TPSS_SET_MAX)
			continue;
		if (settings[type].flag)
			printf("%s%s %s", first, settings[type].word,
			       on_off(nla_get_u8(attr)));
		else
			printf("%s%s %u%s", first, settings[type].word,
			       nla_get_u32(attr), unit);
		source = source_name(source_nest, type);
		if (source && strcmp(source, "default"))
			printf(" (%s)", source);
		first = sep;
	}
}

/* "single-shot off, idle-timeout 60s (profile), ..." on one line. */
void settings_print(struct nlattr *nest, struct nlattr *source_nest)
{
	settings_out(nest, source_nest, "", ", ", "s");
	printf("\n");
}

/* The settings of @nest as words of the command line, each after a blank. */
void settings_words(struct nlattr *nest)
{
	settings_out(nest, NULL, " ", " ", "");
}

/* JSON of where each setting came from: { "idle_timeout": "profile", ... } */
struct json_object *sources_to_json(struct nlattr *source_nest)
{
	struct json_object *obj = json_object_new_object();
	const char *source;
	int type;

	for (type = 1; type <= L2TPSS_SET_MAX; type++) {
		source = source_name(source_nest, type);
		if (source)
			json_object_object_add(obj, settings[type].key,
					       json_object_new_string(source));
	}
	return obj;
}
