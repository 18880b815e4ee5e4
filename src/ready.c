/* SPDX-License-Identifier: ISC */
/*
 * What a worker's READY may say, beyond its spec, checked before the
 * supervisor believes any of it.
 *
 * READY is written by the worker's C code, but from what the toolhost
 * returned, and tool code shares the toolhost's interpreter: it can
 * rebind toolhost functions and make READY say anything the frame can
 * hold. The channel's gate has checked each member against READY's spec
 * in msg.h (its keys, types and bounds; no other member); what is left is
 * what a spec cannot say:
 *
 *	inputSchema	 a schema the toolhost derives (schema_derived_check)
 *	outputSchema	 the same, or absent
 *	asks		 the client capabilities a tool can ask for
 *
 * Anything else fails the load, saying what. Nothing in READY widens what
 * the tool may do: grants, limits and declared schemas come from
 * tools.json alone.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mcp-hotd.h"
#include "msg.h"

static int
ready_bad(char *why, size_t whylen, const char *key, const char *what)
{
	snprintf(why, whylen, "its READY is not the toolhost's: '%s' %s", key,
	    what);
	return -1;
}

static int
ready_asks(struct json_object *v)
{
	static const char *const known[] = { "elicitation", "sampling",
	    "roots", NULL };
	size_t	i, k, n = json_object_array_length(v);

	for (i = 0; i < n; i++) {
		const char *s = json_object_get_string(
		    json_object_array_get_idx(v, i));

		for (k = 0; known[k] != NULL; k++)
			if (strcmp(s, known[k]) == 0)
				break;
		if (known[k] == NULL)
			return 0;
	}
	return 1;
}

/* m passed the gate (READY's spec): 0, or -1 with why. */
int
ready_check(struct json_object *m, char *why, size_t whylen)
{
	static const char *const schemas[] = { "inputSchema", "outputSchema" };
	struct json_object	*v;
	char			 err[256];
	size_t			 i;

	for (i = 0; i < 2; i++)
		if (json_object_object_get_ex(m, schemas[i], &v) &&
		    schema_derived_check(v, err, sizeof(err)) == -1)
			return ready_bad(why, whylen, schemas[i], err);
	if (json_object_object_get_ex(m, MSG_KEY(READY, asks), &v) &&
	    !ready_asks(v))
		return ready_bad(why, whylen, "asks", "names no client "
		    "capability a tool can ask for");
	return 0;
}
