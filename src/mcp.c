/*
 * JSON-RPC 2.0 and MCP request handling: parse one line, check it, answer
 * everything the supervisor can answer itself, and hand tools/call back to
 * the caller as a (tool, arguments) pair. Pure logic: no I/O here.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp-hotd.h"

#define JSONRPC_PARSE_ERROR		-32700
#define JSONRPC_INVALID_REQUEST		-32600
#define JSONRPC_METHOD_NOT_FOUND	-32601
#define JSONRPC_INVALID_PARAMS		-32602

/* Newest first: an unknown client version is answered with the first. */
static const char *const mcp_versions[] = {
	"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", NULL
};

static const char *const mcp_log_levels[] = {
	"debug", "info", "notice", "warning", "error", "critical", "alert",
	"emergency", NULL
};

typedef enum mcp_action (*mcp_method_fn)(struct mcp_state *,
    struct json_object *, struct json_object *, struct json_object **,
    struct tool **, struct json_object **);

struct mcp_method {
	const char	*name;
	mcp_method_fn	 fn;
};

const char *
mcp_to_string(struct json_object *o, size_t *len)
{
	return json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
}

struct json_object *
mcp_error(struct json_object *id, int code, const char *fmt, ...)
{
	struct json_object	*r, *e;
	char			 msg[1024];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r = json_object_new_object();
	json_object_object_add(r, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(r, "id", id ? json_object_get(id) : NULL);
	e = json_object_new_object();
	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_object_add(r, "error", e);
	return r;
}

static struct json_object *
mcp_result(struct json_object *id, struct json_object *result)
{
	struct json_object	*r;

	r = json_object_new_object();
	json_object_object_add(r, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(r, "id", json_object_get(id));
	json_object_object_add(r, "result", result);
	return r;
}

struct json_object *
mcp_notification(const char *method)
{
	struct json_object	*n;

	n = json_object_new_object();
	json_object_object_add(n, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(n, "method", json_object_new_string(method));
	return n;
}

/* A CallToolResult with isError set and text saying why. */
struct json_object *
mcp_tool_error(const char *text)
{
	struct json_object	*r, *content, *item;

	r = json_object_new_object();
	content = json_object_new_array();
	item = json_object_new_object();
	json_object_object_add(item, "type", json_object_new_string("text"));
	json_object_object_add(item, "text", json_object_new_string(text));
	json_object_array_add(content, item);
	json_object_object_add(r, "content", content);
	json_object_object_add(r, "isError", json_object_new_boolean(1));
	return r;
}

static int
mcp_blank(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	return len == 0;
}

/*
 * Parse one line of input. Returns the message, or NULL with *reply set to
 * the error to send (or NULL for a blank line, which is ignored).
 */
struct json_object *
mcp_parse(const char *line, size_t len, struct json_object **reply)
{
	struct json_object	*msg;
	enum json_tokener_error	 jerr;
	size_t			 end;

	*reply = NULL;
	if (mcp_blank(line, len))
		return NULL;
	msg = json_parse_text(line, len, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8, &jerr, &end);
	if (jerr == json_tokener_continue) {
		*reply = mcp_error(NULL, JSONRPC_PARSE_ERROR,
		    "Parse error: incomplete JSON text");
		return NULL;
	}
	if (jerr != json_tokener_success) {
		*reply = mcp_error(NULL, JSONRPC_PARSE_ERROR,
		    "Parse error: %s at byte %zu", json_tokener_error_desc(jerr),
		    end);
		return NULL;
	}
	if (!mcp_blank(line + end, len - end)) {
		json_object_put(msg);
		*reply = mcp_error(NULL, JSONRPC_PARSE_ERROR,
		    "Parse error: trailing data after the JSON value at byte %zu",
		    end);
		return NULL;
	}
	return msg;
}

static int
mcp_version_supported(const char *v)
{
	size_t	i;

	for (i = 0; mcp_versions[i] != NULL; i++)
		if (strcmp(v, mcp_versions[i]) == 0)
			return 1;
	return 0;
}

static void
mcp_set_string(char **dst, const char *s)
{
	free(*dst);
	if ((*dst = strdup(s)) == NULL)
		fatal("%s", __func__);
}

static enum mcp_action
mcp_initialize(struct mcp_state *st, struct json_object *id,
    struct json_object *params, struct json_object **reply,
    struct tool **tool, struct json_object **args)
{
	struct json_object	*v, *info, *res, *caps, *tools;
	const char		*version;

	(void)tool;
	(void)args;
	if (!json_object_object_get_ex(params, "protocolVersion", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		*reply = mcp_error(id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'protocolVersion' must be a string");
		return MCP_REPLY;
	}
	version = json_object_get_string(v);
	if (!mcp_version_supported(version))
		version = mcp_versions[0];
	mcp_set_string(&st->protocol, version);
	if (json_object_object_get_ex(params, "clientInfo", &info) &&
	    json_object_object_get_ex(info, "name", &v) &&
	    json_object_is_type(v, json_type_string))
		mcp_set_string(&st->client_name, json_object_get_string(v));

	res = json_object_new_object();
	json_object_object_add(res, "protocolVersion",
	    json_object_new_string(version));
	caps = json_object_new_object();
	tools = json_object_new_object();
	json_object_object_add(tools, "listChanged",
	    json_object_new_boolean(1));
	json_object_object_add(caps, "tools", tools);
	json_object_object_add(caps, "logging", json_object_new_object());
	json_object_object_add(res, "capabilities", caps);
	info = json_object_new_object();
	json_object_object_add(info, "name",
	    json_object_new_string(MCP_HOTD_NAME));
	json_object_object_add(info, "version",
	    json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(res, "serverInfo", info);
	*reply = mcp_result(id, res);
	return MCP_REPLY;
}

static enum mcp_action
mcp_ping(struct mcp_state *st, struct json_object *id,
    struct json_object *params, struct json_object **reply,
    struct tool **tool, struct json_object **args)
{
	(void)st;
	(void)params;
	(void)tool;
	(void)args;
	*reply = mcp_result(id, json_object_new_object());
	return MCP_REPLY;
}

static enum mcp_action
mcp_set_level(struct mcp_state *st, struct json_object *id,
    struct json_object *params, struct json_object **reply,
    struct tool **tool, struct json_object **args)
{
	struct json_object	*v;
	size_t			 i;

	(void)st;
	(void)tool;
	(void)args;
	if (json_object_object_get_ex(params, "level", &v) &&
	    json_object_is_type(v, json_type_string))
		for (i = 0; mcp_log_levels[i] != NULL; i++)
			if (strcmp(json_object_get_string(v),
			    mcp_log_levels[i]) == 0) {
				*reply = mcp_result(id,
				    json_object_new_object());
				return MCP_REPLY;
			}
	*reply = mcp_error(id, JSONRPC_INVALID_PARAMS, "Invalid params: "
	    "'level' must be one of debug, info, notice, warning, error, "
	    "critical, alert, emergency");
	return MCP_REPLY;
}

/* Cursors are the decimal offset of the next tool in routing order. */
static int
mcp_cursor(struct json_object *params, size_t *off)
{
	struct json_object	*v;
	const char		*s;
	char			*end;
	unsigned long long	 n;

	*off = 0;
	if (!json_object_object_get_ex(params, "cursor", &v) ||
	    json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || n > sv.nroutes)
		return -1;
	*off = (size_t)n;
	return 0;
}

static enum mcp_action
mcp_tools_list(struct mcp_state *st, struct json_object *id,
    struct json_object *params, struct json_object **reply,
    struct tool **tool, struct json_object **args)
{
	struct json_object	*res, *list;
	size_t			 off, i;
	char			 next[32];

	(void)st;
	(void)tool;
	(void)args;
	if (mcp_cursor(params, &off) == -1) {
		*reply = mcp_error(id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: unknown or stale 'cursor'");
		return MCP_REPLY;
	}
	res = json_object_new_object();
	list = json_object_new_array();
	for (i = off; i < sv.nroutes && i - off < sv.page_size; i++)
		json_object_array_add(list,
		    json_object_get(sv.routes[i]->listing));
	json_object_object_add(res, "tools", list);
	if (i < sv.nroutes) {
		snprintf(next, sizeof(next), "%zu", i);
		json_object_object_add(res, "nextCursor",
		    json_object_new_string(next));
	}
	*reply = mcp_result(id, res);
	return MCP_REPLY;
}

static enum mcp_action
mcp_tools_call(struct mcp_state *st, struct json_object *id,
    struct json_object *params, struct json_object **reply,
    struct tool **toolp, struct json_object **args)
{
	struct json_object	*v, *a, *schema;
	struct tool		*t;
	char			 why[512];

	(void)st;
	if (!json_object_object_get_ex(params, "name", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		*reply = mcp_error(id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'name' must be a string naming a tool");
		return MCP_REPLY;
	}
	if ((t = tool_route(json_object_get_string(v))) == NULL) {
		*reply = mcp_error(id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: unknown tool '%s'",
		    json_object_get_string(v));
		return MCP_REPLY;
	}
	if (!json_object_object_get_ex(params, "arguments", &a) ||
	    json_object_is_type(a, json_type_null))
		a = NULL;
	else if (!json_object_is_type(a, json_type_object)) {
		*reply = mcp_error(id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'arguments' must be an object");
		return MCP_REPLY;
	}
	a = a ? json_object_get(a) : json_object_new_object();
	json_object_object_get_ex(t->listing, "inputSchema", &schema);
	if (schema_check(schema, a, why, sizeof(why)) == -1) {
		json_object_put(a);
		*reply = mcp_result(id, mcp_tool_error(why));
		return MCP_REPLY;
	}
	*toolp = t;
	*args = a;
	return MCP_CALL;
}

static const struct mcp_method mcp_methods[] = {
	{ "initialize", mcp_initialize },
	{ "ping", mcp_ping },
	{ "tools/list", mcp_tools_list },
	{ "tools/call", mcp_tools_call },
	{ "logging/setLevel", mcp_set_level },
	{ NULL, NULL }
};

static void
mcp_notified(struct mcp_state *st, const char *method)
{
	if (strcmp(method, "notifications/initialized") == 0)
		st->initialized = 1;
	/* Others (cancelled, progress, roots) need nothing from us yet. */
}

static int
mcp_id_ok(struct json_object *id)
{
	return json_object_is_type(id, json_type_string) ||
	    json_object_is_type(id, json_type_int);
}

/*
 * Handle one parsed message. On MCP_REPLY *reply is set; on MCP_CALL *tool
 * and *args (a reference the caller owns) are set.
 */
enum mcp_action
mcp_handle(struct mcp_state *st, struct json_object *msg,
    struct json_object **reply, struct tool **tool, struct json_object **args)
{
	struct json_object	*id = NULL, *v, *params;
	const char		*method;
	const struct mcp_method	*m;
	int			 has_id;

	*reply = NULL;
	if (json_object_is_type(msg, json_type_array)) {
		*reply = mcp_error(NULL, JSONRPC_INVALID_REQUEST, "Invalid "
		    "Request: JSON-RPC batches are not supported; send one "
		    "request per line");
		return MCP_REPLY;
	}
	if (!json_object_is_type(msg, json_type_object)) {
		*reply = mcp_error(NULL, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: a request must be a JSON object");
		return MCP_REPLY;
	}
	has_id = json_object_object_get_ex(msg, "id", &id);
	if (has_id && !mcp_id_ok(id)) {
		*reply = mcp_error(NULL, JSONRPC_INVALID_REQUEST, "Invalid "
		    "Request: 'id' must be a string or an integer");
		return MCP_REPLY;
	}
	if (!json_object_object_get_ex(msg, "method", &v)) {
		if (json_object_object_get_ex(msg, "result", NULL) ||
		    json_object_object_get_ex(msg, "error", NULL))
			return MCP_NONE;	/* a response: we asked nothing */
		*reply = mcp_error(id, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: missing 'method'");
		return MCP_REPLY;
	}
	if (!json_object_is_type(v, json_type_string)) {
		*reply = mcp_error(id, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: 'method' must be a string");
		return MCP_REPLY;
	}
	method = json_object_get_string(v);
	if (!json_object_object_get_ex(msg, "jsonrpc", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "2.0") != 0) {
		*reply = mcp_error(id, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: 'jsonrpc' must be \"2.0\"");
		return MCP_REPLY;
	}
	params = NULL;
	if (json_object_object_get_ex(msg, "params", &params) &&
	    !json_object_is_type(params, json_type_object)) {
		if (!has_id)
			return MCP_NONE;
		*reply = mcp_error(id, json_object_is_type(params,
		    json_type_array) ? JSONRPC_INVALID_PARAMS :
		    JSONRPC_INVALID_REQUEST, "Invalid %s: 'params' must be an "
		    "object", json_object_is_type(params, json_type_array) ?
		    "params" : "Request");
		return MCP_REPLY;
	}
	if (!has_id) {
		mcp_notified(st, method);
		return MCP_NONE;
	}
	for (m = mcp_methods; m->name != NULL; m++)
		if (strcmp(m->name, method) == 0)
			return m->fn(st, id, params, reply, tool, args);
	*reply = mcp_error(id, JSONRPC_METHOD_NOT_FOUND,
	    "Method not found: '%s'", method);
	return MCP_REPLY;
}

void
mcp_state_clear(struct mcp_state *st)
{
	free(st->protocol);
	free(st->client_name);
	memset(st, 0, sizeof(*st));
}
