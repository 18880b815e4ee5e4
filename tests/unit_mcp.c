/* SPDX-License-Identifier: ISC */
/* JSON-RPC handling in mcp.c, with no process and no I/O. */
#include "config.h"

#include <string.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "unit.h"

struct supervisor sv;

static int
error_code(struct json_object *reply)
{
	struct json_object	*e, *c;

	if (!json_object_object_get_ex(reply, "error", &e) ||
	    !json_object_object_get_ex(e, "code", &c))
		return 0;
	return json_object_get_int(c);
}

static char	cancelled[64];		/* the id of the last MCP_CANCEL */
static size_t	cancelled_len;

/* Parse + handle one line; returns the reply's error code (0: none). */
static int
run(struct mcp_state *st, const char *line, enum mcp_action *act,
    struct json_object **replyp)
{
	const struct mcp_request	*r;
	struct json_object		*reply = NULL;
	struct mcp_call			 call;
	int				 code;

	*act = MCP_NONE;
	if ((r = mcp_parse(line, strlen(line), &reply)) != NULL)
		*act = mcp_handle(st, r, &reply, &call);
	if (*act == MCP_CANCEL) {
		cancelled_len = call.idlen < sizeof(cancelled) ? call.idlen :
		    sizeof(cancelled);
		memcpy(cancelled, call.id, cancelled_len);
	}
	else if (reply != NULL)
		*act = MCP_REPLY;
	code = reply ? error_code(reply) : 0;
	if (replyp != NULL)
		*replyp = reply;
	else if (reply != NULL)
		json_object_put(reply);
	return code;
}

int
main(void)
{
	struct mcp_state	 st = { 0 };
	const struct mcp_request *r;
	struct json_object	*reply, *v;
	enum mcp_action		 act;

	settings.page_size = 10;
	CHECK(run(&st, "{", &act, NULL) == -32700, "incomplete JSON: -32700");
	CHECK(run(&st, "nope", &act, NULL) == -32700, "not JSON: -32700");
	CHECK(run(&st, "{\"a\":1} x", &act, NULL) == -32700, "trailing data: -32700");
	CHECK(run(&st, "   ", &act, NULL) == 0 && act == MCP_NONE,
	    "blank line ignored");
	CHECK(run(&st, "42", &act, NULL) == -32600, "number: -32600");
	CHECK(run(&st, "[]", &act, NULL) == -32600, "batch: -32600");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}",
	    &act, NULL) == -32600, "boolean id: -32600");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
	    &act, NULL) == -32600, "null id: -32600");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}", &act,
	    NULL) == -32600, "numeric method: -32600");
	CHECK(run(&st, "{\"id\":1,\"method\":\"ping\"}", &act, NULL) == -32600,
	    "missing jsonrpc: -32600");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\","
	    "\"params\":3}", &act, NULL) == -32600, "scalar params: -32600");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x/y\"}",
	    &act, NULL) == -32601, "unknown method: -32601");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"method\":\"x/y\"}", &act,
	    NULL) == 0 && act == MCP_NONE, "unknown notification: no reply");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", &act,
	    NULL) == 0 && act == MCP_NONE, "a response is not handled as a "
	    "request");
	CHECK((r = mcp_parse("{\"id\":3,\"error\":{}}", 19, &reply)) != NULL &&
	    r->method == -1 && r->id != -1 && reply == NULL,
	    "a response parses as one (no method), for ask.c");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
	    "cancelled\",\"params\":{\"requestId\":\"a\\\"b\"}}", &act, NULL) == 0 &&
	    act == MCP_CANCEL && cancelled_len == 6 &&
	    memcmp(cancelled, "\"a\\\"b\"", 6) == 0,
	    "cancelled: the request id as written");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
	    "cancelled\",\"params\":{\"requestId\":12}}", &act, NULL) == 0 &&
	    act == MCP_CANCEL && cancelled_len == 2, "cancelled: an integer id");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
	    "cancelled\",\"params\":{\"requestId\":1.5}}", &act, NULL) == 0 &&
	    act == MCP_NONE, "cancelled: no id that a request may have, ignored");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
	    "cancelled\"}", &act, NULL) == 0 && act == MCP_NONE,
	    "cancelled without params: ignored");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"ghost\"}}", &act, NULL) == -32602,
	    "unknown tool: -32602");

	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}",
	    &act, NULL) == -32600, "fractional id: -32600");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\","
	    "\"params\":null}", &act, NULL) == -32600, "null params: -32600");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\","
	    "\"x\":\"\xc3\x28\"}", &act, NULL) == -32700,
	    "invalid UTF-8 in a string: -32700");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\","
	    "\"x\":\"\xed\xa0\x80\"}", &act, NULL) == -32700,
	    "UTF-8 surrogate: -32700");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\","
	    "\"x\":\"a\tb\"}", &act, NULL) == -32700,
	    "raw control character in a string: -32700");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\","
	    "\"x\":01}", &act, NULL) == -32700, "leading zero: -32700");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"a\\u0000b\"}}", &act, NULL) == -32602,
	    "tool name with a NUL: unknown tool");
	{
		char	line[1024], name[301];

		memset(name, 'n', 300);
		name[300] = '\0';
		snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":1,"
		    "\"method\":\"tools/call\",\"params\":{\"name\":\"\\u006e%s\"}}",
		    name);
		CHECK(run(&st, line, &act, &reply) == -32602 &&
		    json_object_object_get_ex(reply, "error", &v) &&
		    json_object_object_get_ex(v, "message", &v) &&
		    strstr(json_object_get_string(v), "unknown tool 'nnnn") != NULL,
		    "a 301-byte escaped tool name: unknown tool, cut short");
		json_object_put(reply);
	}
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":\"\\u0041\",\"method\":"
	    "\"p\\u0069ng\"}", &act, &reply) == 0 &&
	    json_object_object_get_ex(reply, "id", &v) &&
	    strcmp(json_object_get_string(v), "A") == 0,
	    "escaped id and method understood");
	json_object_put(reply);

	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":\"i\",\"method\":"
	    "\"initialize\",\"params\":{\"protocolVersion\":\"2024-11-05\","
	    "\"clientInfo\":{\"name\":\"unit\"}}}", &act, &reply) == 0,
	    "initialize succeeds");
	CHECK(json_object_object_get_ex(reply, "result", &v) &&
	    json_object_object_get_ex(v, "protocolVersion", &v) &&
	    strcmp(json_object_get_string(v), "2024-11-05") == 0,
	    "initialize echoes a supported version");
	json_object_put(reply);
	CHECK(st.client_name && strcmp(st.client_name, "unit") == 0,
	    "client name kept");
	CHECK(!st.initialized, "not initialized before the notification");
	run(&st, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
	    &act, NULL);
	CHECK(st.initialized, "initialized after the notification");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\","
	    "\"params\":{\"cursor\":\"7\"}}", &act, NULL) == -32602,
	    "cursor past the end: -32602");
	CHECK(run(&st, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
	    &act, &reply) == 0 && act == MCP_REPLY, "tools/list on no tools");
	json_object_put(reply);
	mcp_state_clear(&st);
	mcp_free();
	return unit_finish();
}
