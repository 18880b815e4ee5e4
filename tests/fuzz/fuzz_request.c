/* SPDX-License-Identifier: ISC */
/*
 * The request path: input split into lines as a session splits it, each
 * parsed and handled (one session's state across lines, one tool routed
 * with a schema, as tools/call needs). Every reply is one JSON object.
 */
#include "config.h"

#include <string.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "tool.h"	/* a routed tool of its own */
#include "fuzz.h"

struct supervisor sv;
static struct tool	 add;
static struct tool	*routes[1] = { &add };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char		 cerr[256];
	struct json_object	*schema;

	(void)argc;
	(void)argv;
	settings.page_size = 2;
	settings.max_reply = 1 << 20;
	add.spec.name = (char *)"add";
	add.spec.description = (char *)"add two numbers";
	add.state = TOOL_SERVING;
	add.listing = json_tokener_parse("{\"name\":\"add\",\"description\":"
	    "\"add\",\"inputSchema\":{\"type\":\"object\",\"properties\":{"
	    "\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"},"
	    "\"xs\":{\"type\":\"array\",\"items\":{\"type\":\"number\"}}},"
	    "\"required\":[\"a\",\"b\"],\"additionalProperties\":false}}");
	json_object_object_get_ex(add.listing, "inputSchema", &schema);
	add.schema = schema_compile(schema, cerr, sizeof(cerr));
	sv.routes = routes;
	sv.nroutes = 1;
	return 0;
}

static void
fuzz_line(struct mcp_state *st, const char *line, size_t len)
{
	const struct mcp_request	*r;
	struct json_object		*reply = NULL;
	struct mcp_call			 call;

	if ((r = mcp_parse(line, len, &reply)) != NULL)
		(void)mcp_handle(st, r, &reply, &call);
	if (reply != NULL) {
		FUZZ_ASSERT(json_object_is_type(reply, json_type_object),
		    "a reply is an object");
		json_object_put(reply);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcp_state	 st = { 0 };
	const char		*p = (const char *)data, *end = p + size, *nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		fuzz_line(&st, p, (size_t)(nl - p));
		p = nl + 1;
	}
	mcp_state_clear(&st);
	return 0;
}
