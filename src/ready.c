/* SPDX-License-Identifier: ISC */
/*
 * What a worker's READY may say, checked before the supervisor believes
 * any of it.
 *
 * READY is written by the worker's C code, but from what the toolhost
 * returned, and tool code shares the toolhost's interpreter: it can
 * rebind toolhost functions and make READY say anything the frame can
 * hold. So every member is checked against what the toolhost emits
 * (workers/pyworker.c tool_load, workers/toolhost.py load), with bounds:
 *
 *	function	 a string of at most READY_NAME_MAX bytes
 *	inputSchema	 a schema the toolhost derives (schema_derived_check)
 *	outputSchema	 the same, or absent
 *	warnings	 strings; the log takes READY_WARNINGS_MAX of them,
 *			 each cut to a log line, charged to the worker's
 *			 log budget (worker.c)
 *	doc		 a string of at most READY_DOC_MAX bytes, or null
 *	context		 a boolean
 *	asks		 the client capabilities a tool can ask for
 *	isolation	 the worker's report of its layers, for the log only
 *	isolation_failed a string, for the log only
 *
 * Anything else fails the load, saying what. Nothing in READY widens what
 * the tool may do: grants, limits and declared schemas come from
 * tools.json alone.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mcp-hotd.h"

#define READY_NAME_MAX		256
#define READY_DOC_MAX		65536
#define READY_REPORT_MAX	512

static int
ready_bad(char *why, size_t whylen, const char *key, const char *what)
{
	snprintf(why, whylen, "its READY is not the toolhost's: '%s' %s", key,
	    what);
	return -1;
}

static int
ready_string(struct json_object *v, size_t max)
{
	return json_object_is_type(v, json_type_string) &&
	    (size_t)json_object_get_string_len(v) <= max;
}

static int
ready_asks(struct json_object *v)
{
	static const char *const known[] = { "elicitation", "sampling",
	    "roots", NULL };
	size_t	i, k, n;

	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > 3)
		return 0;
	for (i = 0; i < n; i++) {
		const char *s = json_object_get_string(
		    json_object_array_get_idx(v, i));

		for (k = 0; known[k] != NULL; k++)
			if (s != NULL && json_object_is_type(
			    json_object_array_get_idx(v, i), json_type_string) &&
			    strcmp(s, known[k]) == 0)
				break;
		if (known[k] == NULL)
			return 0;
	}
	return 1;
}

static int
ready_warnings(struct json_object *v)
{
	size_t	i, n;

	if (!json_object_is_type(v, json_type_array))
		return 0;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(v, i),
		    json_type_string))
			return 0;
	return 1;
}

/* 0 when READY (m) says only what the toolhost says; else -1 and why. */
int
ready_check(struct json_object *m, char *why, size_t whylen)
{
	char	err[256];

	json_object_object_foreach(m, key, v) {
		if (strcmp(key, "function") == 0) {
			if (!ready_string(v, READY_NAME_MAX))
				return ready_bad(why, whylen, key, "is not a "
				    "function's name");
		} else if (strcmp(key, "inputSchema") == 0 ||
		    strcmp(key, "outputSchema") == 0) {
			if (schema_derived_check(v, err, sizeof(err)) == -1)
				return ready_bad(why, whylen, key, err);
		} else if (strcmp(key, "warnings") == 0) {
			if (!ready_warnings(v))
				return ready_bad(why, whylen, key, "is not a "
				    "list of strings");
		} else if (strcmp(key, "doc") == 0) {
			if (!json_object_is_type(v, json_type_null) &&
			    !ready_string(v, READY_DOC_MAX))
				return ready_bad(why, whylen, key, "is not a "
				    "docstring of at most 65536 bytes");
		} else if (strcmp(key, "context") == 0) {
			if (!json_object_is_type(v, json_type_boolean))
				return ready_bad(why, whylen, key, "is not a "
				    "boolean");
		} else if (strcmp(key, "asks") == 0) {
			if (!ready_asks(v))
				return ready_bad(why, whylen, key, "names no "
				    "client capability a tool can ask for");
		} else if (strcmp(key, "isolation") == 0 ||
		    strcmp(key, "isolation_failed") == 0) {
			if (strlen(json_object_to_json_string_ext(v,
			    JSON_C_TO_STRING_PLAIN)) > READY_REPORT_MAX)
				return ready_bad(why, whylen, key, "is longer "
				    "than a report of layers");
		} else
			return ready_bad(why, whylen, key, "is unknown");
	}
	if (!json_object_object_get_ex(m, "inputSchema", NULL))
		return ready_bad(why, whylen, "inputSchema", "is missing");
	return 0;
}
