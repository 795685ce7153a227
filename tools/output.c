// SPDX-License-Identifier: GPL-2.0
/* Output helpers shared by every object. */
#include <stdio.h>

#include "l2tpss-ctl.h"

/* Prints @obj on one line (or pretty with -p) and releases it. */
void print_json(struct json_object *obj)
{
	int flags = opts.pretty ? JSON_C_TO_STRING_PRETTY |
				  JSON_C_TO_STRING_SPACED :
				  JSON_C_TO_STRING_PLAIN;

	printf("%s\n", json_object_to_json_string_ext(obj, flags |
			JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

const char *on_off(bool value)
{
	return value ? "on" : "off";
}

/* A kernel newer than this tool may send values it has no name for. */
const char *table_name(const char *const *names, size_t n, unsigned int value)
{
	return value < n && names[value] ? names[value] : "unknown";
}
