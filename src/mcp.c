/* SPDX-License-Identifier: ISC */
/*
 * JSON-RPC 2.0 and MCP request handling: parse one line, check it, answer
 * everything the supervisor can answer itself, and hand tools/call back to
 * the caller as a tool and the text of its id and arguments. Pure logic:
 * no I/O here. Requests are read as tokens (jsonparse.c); json-c objects
 * are built only for replies and for the rarer methods' params.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonparse.h"
#include "clients.h"
#include "mcp-hotd.h"
#include "catalog.h"
#include "task.h"
#include "metrics.h"
#include "xmalloc.h"

#define JSONRPC_PARSE_ERROR		-32700
#define JSONRPC_INVALID_REQUEST		-32600
#define JSONRPC_METHOD_NOT_FOUND	-32601
#define JSONRPC_INVALID_PARAMS		-32602

/*
 * The initialize era's versions, newest first: an unknown client version
 * is answered with the first. (2026-07-28 has no initialize: mcp_modern.c.)
 */
const char *const mcp_versions[] = {
	"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", NULL
};

const char *const mcp_log_levels[] = {
	"debug", "info", "notice", "warning", "error", "critical", "alert",
	"emergency", NULL
};

typedef enum mcp_action (*mcp_method_fn)(struct mcp_state *,
    struct json_object *, struct json_object *, struct json_object **);

static int	mcp_envelope(const struct jdoc *, struct json_object **, int *,
		    int *, int *);
static int	mcp_id_ok(const struct jdoc *, int);

static struct jdoc		mcp_doc;	/* the line being handled */
static struct mcp_request	mcp_req;	/* its request */

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

static struct json_object *
mcp_verror(struct json_object *id, int code, const char *fmt, va_list ap)
{
	struct json_object	*r, *e;
	char			 msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	r = json_object_new_object();
	json_object_object_add(r, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(r, "id", id ? json_object_get(id) : NULL);
	e = json_object_new_object();
	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_object_add(r, "error", e);
	return r;
}

struct json_object *
mcp_error(struct json_object *id, int code, const char *fmt, ...)
{
	struct json_object	*r;
	va_list			 ap;

	va_start(ap, fmt);
	r = mcp_verror(id, code, fmt, ap);
	va_end(ap);
	return r;
}

/*
 * The id token idt for a reply, written back exactly as the client sent
 * it, as a call's answer does (json-c would clamp 2^64 and more).
 */
struct json_object *
mcp_id(const struct jdoc *d, int idt)
{
	char	num[64];
	size_t	n;

	if (idt < 0)
		return NULL;
	n = d->t[idt].end - d->t[idt].start;
	if (d->t[idt].type != JT_NUMBER || n >= sizeof(num))
		return jdoc_object(d, idt);
	memcpy(num, d->text + d->t[idt].start, n);
	num[n] = '\0';
	return json_object_new_double_s(strtod(num, NULL), num);
}

/* An error reply to the request whose id is token idt (-1: none). */
enum mcp_action
mcp_fail(struct json_object **reply, const struct jdoc *d, int idt, int code,
    const char *fmt, ...)
{
	struct json_object	*id = mcp_id(d, idt);
	va_list			 ap;

	va_start(ap, fmt);
	*reply = mcp_verror(id, code, fmt, ap);
	va_end(ap);
	json_object_put(id);
	return MCP_REPLY;
}

/* mcp_fail for the envelope check: the message goes no further. */
#define mcp_reject(...)	(mcp_fail(__VA_ARGS__), -1)

struct json_object *
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

int
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
 * Parse one line of input and check its envelope. Returns the request (a
 * response when its method is -1), or NULL with *reply set to the error to
 * send (or NULL: a blank line). It stays valid until the next call.
 */
const struct mcp_request *
mcp_parse(const char *line, size_t len, struct json_object **reply)
{
	const char	*why;
	size_t		 at;

	*reply = NULL;
	jdoc_trim(&mcp_doc);
	if (mcp_blank(line, len))
		return NULL;
	if (jdoc_parse(&mcp_doc, line, len, 0, &why, &at) == -1) {
		*reply = mcp_error(NULL, JSONRPC_PARSE_ERROR,
		    "Parse error: %s at byte %zu", why, at);
		return NULL;
	}
	mcp_req.d = &mcp_doc;
	if (mcp_envelope(&mcp_doc, reply, &mcp_req.id, &mcp_req.method,
	    &mcp_req.params) == -1)
		return NULL;
	return &mcp_req;
}

void
mcp_free(void)
{
	jdoc_free(&mcp_doc);
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
	*dst = xstrdup(s);
}

struct json_object *
mcp_server_info(void)
{
	struct json_object	*info = json_object_new_object();

	json_object_object_add(info, "name",
	    json_object_new_string(MCP_HOTD_NAME));
	json_object_object_add(info, "version",
	    json_object_new_string(PACKAGE_VERSION));
	return info;
}

static enum mcp_action
mcp_initialize(struct mcp_state *st, struct json_object *id,
    struct json_object *params, struct json_object **reply)
{
	struct json_object	*v, *info = NULL, *res, *caps, *tools;
	const char		*version;

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
	if (info != NULL && json_object_object_get_ex(info, "version", &v) &&
	    json_object_is_type(v, json_type_string))
		mcp_set_string(&st->client_version, json_object_get_string(v));
	json_object_put(st->client_caps);
	st->client_caps = NULL;
	if (json_object_object_get_ex(params, "capabilities", &v) &&
	    json_object_is_type(v, json_type_object))
		st->client_caps = json_object_get(v);

	res = json_object_new_object();
	json_object_object_add(res, "protocolVersion",
	    json_object_new_string(version));
	caps = json_object_new_object();
	tools = json_object_new_object();
	json_object_object_add(tools, "listChanged",
	    json_object_new_boolean(!st->no_stream));
	json_object_object_add(caps, "tools", tools);
	json_object_object_add(caps, "logging", json_object_new_object());
	catalog_capabilities(caps, !st->no_stream);
	if (!st->no_stream)	/* a task needs its session */
		task_capabilities_2025(caps);
	json_object_object_add(res, "capabilities", caps);
	json_object_object_add(res, "serverInfo", mcp_server_info());
	*reply = mcp_result(id, res);
	return MCP_REPLY;
}

static enum mcp_action
mcp_ping(struct mcp_state *st, struct json_object *id,
    struct json_object *params, struct json_object **reply)
{
	(void)st;
	(void)params;
	*reply = mcp_result(id, json_object_new_object());
	return MCP_REPLY;
}

/* A level's rank in mcp_log_levels, or -1. */
int
mcp_log_level(const char *name)
{
	int	i;

	for (i = 0; name != NULL && mcp_log_levels[i] != NULL; i++)
		if (strcmp(name, mcp_log_levels[i]) == 0)
			return i;
	return -1;
}

/* The session's level: its tools' log messages below it are not sent. */
static enum mcp_action
mcp_set_level(struct mcp_state *st, struct json_object *id,
    struct json_object *params, struct json_object **reply)
{
	struct json_object	*v;
	int			 level;

	if (json_object_object_get_ex(params, "level", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    (level = mcp_log_level(json_object_get_string(v))) != -1) {
		st->log_level = level;
		*reply = mcp_result(id, json_object_new_object());
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

/*
 * A page of tools/list as its result object, or NULL with *error (an
 * error reply to id) for a bad cursor. Both eras.
 */
/*
 * The version of the list client sees: the routed set's, or with
 * --clients a hash over its visible tools alone (nothing of the others
 * shows through it).
 */
uint64_t
mcp_tools_version(const char *client, char hex[17])
{
	uint64_t	h = 0;
	size_t		i;

	for (i = 0; i < sv.nroutes; i++)
		if (tool_spec(sv.routes[i])->kind == KIND_TOOL &&
		    clients_may(client, tool_spec(sv.routes[i])->name))
			h = hash_bytes(h, &tool_spec(sv.routes[i])->version,
			    sizeof(tool_spec(sv.routes[i])->version));
	if (hex != NULL)
		snprintf(hex, 17, "%016llx", (unsigned long long)h);
	return h;
}

struct json_object *
mcp_tools_page(const struct mcp_state *st, struct json_object *params,
    struct json_object **error)
{
	struct json_object	*res, *list, *meta;
	size_t			 off, i, n = 0;
	char			 next[32], version[17];

	*error = NULL;
	if (mcp_cursor(params, &off) == -1) {
		*error = mcp_error(NULL, JSONRPC_INVALID_PARAMS,
		    "Invalid params: unknown or stale 'cursor'");
		return NULL;
	}
	res = json_object_new_object();
	list = json_object_new_array();
	/* A cursor is an index into the routes: a page skips what this
	 * client may not see. */
	for (i = off; i < sv.nroutes && n < settings.page_size; i++)
		if (tool_spec(sv.routes[i])->kind == KIND_TOOL &&
		    clients_may(st->client, tool_spec(sv.routes[i])->name)) {
			json_object_array_add(list,
			    json_object_get(tool_listing(sv.routes[i])));
			n++;
		}
	json_object_object_add(res, "tools", list);
	meta = json_object_new_object();
	if (st->client != NULL)
		mcp_tools_version(st->client, version);
	json_object_object_add(meta, "io.github.mcp-hotd/toolsVersion",
	    json_object_new_string(st->client != NULL ? version :
	    sv.tools_version));
	json_object_object_add(res, "_meta", meta);
	while (i < sv.nroutes && tool_spec(sv.routes[i])->kind != KIND_TOOL)
		i++;
	if (i < sv.nroutes) {
		snprintf(next, sizeof(next), "%zu", i);
		json_object_object_add(res, "nextCursor",
		    json_object_new_string(next));
	}
	return res;
}

static enum mcp_action
mcp_tools_list(struct mcp_state *st, struct json_object *id,
    struct json_object *params, struct json_object **reply)
{
	struct json_object	*res, *e;

	if ((res = mcp_tools_page(st, params, &e)) == NULL) {
		json_object_object_add(e, "id", json_object_get(id));
		*reply = e;
		return MCP_REPLY;
	}
	*reply = mcp_result(id, res);
	return MCP_REPLY;
}

/* params._meta (token mt).progressToken, a string or an integer, as text. */
static void
mcp_progress_token(const struct jdoc *d, int mt, struct mcp_call *call)
{
	int	tt;

	call->progress = NULL;
	call->progresslen = 0;
	call->log_level = 0;
	if (mt == -1 || d->t[mt].type != JT_OBJECT ||
	    (tt = jdoc_member(d, mt, "progressToken")) == -1 ||
	    !mcp_id_ok(d, tt))
		return;
	call->progress = d->text + d->t[tt].start;
	call->progresslen = d->t[tt].end - d->t[tt].start;
}

/* tools/call, from tokens: route, check the arguments, hand the call back. */
enum mcp_action
mcp_tools_call(const struct mcp_state *st, const struct jdoc *d, int idt,
    int pt, struct json_object **reply, struct mcp_call *call)
{
	static struct jdoc	 none;	/* "{}": arguments left out or null */
	static const char *const keys[] = { "name", "arguments", "_meta" };
	static const size_t	 klen[] = { 4, 9, 5 };
	const struct jdoc	*ad = d;
	struct json_object	*id;
	struct tool		*t;
	char			 name[256], why[512];
	const char		*e;
	size_t			 len, at;
	int			 nt, at_tok, v[3];

	jdoc_members(d, pt, keys, klen, v, 3);	/* one walk, not three */
	nt = v[0];
	if (nt == -1 || d->t[nt].type != JT_STRING)
		return mcp_fail(reply, d, idt, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'name' must be a string naming a tool");
	len = jdoc_string(d, nt, name, sizeof(name));
	/* One this client may not use is as unknown to it as any. */
	if (len >= sizeof(name) || strlen(name) != len ||
	    (t = tool_route(name)) == NULL || tool_spec(t)->kind != KIND_TOOL ||
	    !clients_may(st->client, name)) {
		if (len < sizeof(name) && strlen(name) == len &&
		    (e = tool_failure(name)) != NULL)
			return mcp_fail(reply, d, idt, JSONRPC_INVALID_PARAMS,
			    "Invalid params: tool '%s' failed to load: %.300s",
			    name, e);
		return mcp_fail(reply, d, idt, JSONRPC_INVALID_PARAMS,
		    "Invalid params: unknown tool '%s'", name);
	}
	at_tok = v[1];
	if (at_tok != -1 && d->t[at_tok].type != JT_OBJECT &&
	    d->t[at_tok].type != JT_NULL)
		return mcp_fail(reply, d, idt, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'arguments' must be an object");
	if (at_tok == -1 || d->t[at_tok].type == JT_NULL) {
		if (none.nt == 0 && jdoc_parse(&none, "{}", 2, 0, &e, &at) == -1)
			fatal("%s", __func__);
		ad = &none;
		at_tok = 0;
	}
	if (schema_check(tool_schema(t), ad, at_tok, why, sizeof(why)) == -1) {
		tool_count_error(t, ME_ARGUMENTS);
		id = mcp_id(d, idt);
		*reply = mcp_result(id, mcp_tool_error(why));
		json_object_put(id);
		return MCP_REPLY;
	}
	call->tool = t;
	call->id = d->text + d->t[idt].start;
	call->idlen = d->t[idt].end - d->t[idt].start;
	mcp_progress_token(d, v[2], call);
	call->args = ad->text + ad->t[at_tok].start;
	call->argslen = ad->t[at_tok].end - ad->t[at_tok].start;
	return MCP_CALL;
}

static const struct mcp_method mcp_methods[] = {
	{ "initialize", mcp_initialize },
	{ "ping", mcp_ping },
	{ "tools/list", mcp_tools_list },
	{ "logging/setLevel", mcp_set_level },
	{ NULL, NULL }
};

static int
mcp_id_ok(const struct jdoc *d, int idt)
{
	return d->t[idt].type == JT_STRING || (d->t[idt].type == JT_NUMBER &&
	    !(d->t[idt].flags & JT_FRACTION));
}

/* A notification: initialized, or cancelled naming a request's id. */
static enum mcp_action
mcp_notified(struct mcp_state *st, const struct jdoc *d, int mt, int pt,
    struct mcp_call *call)
{
	int	rt;

	if (jdoc_string_eq(d, mt, "notifications/initialized", 25))
		st->initialized = 1;
	else if (jdoc_string_eq(d, mt, "notifications/cancelled", 23) &&
	    pt != -1 && (rt = jdoc_member(d, pt, "requestId")) != -1 &&
	    mcp_id_ok(d, rt)) {
		call->id = d->text + d->t[rt].start;
		call->idlen = d->t[rt].end - d->t[rt].start;
		return MCP_CANCEL;
	}
	/* Others (progress, roots) need nothing from us. */
	return MCP_NONE;
}

/* A method the supervisor answers itself, given json-c id and params. */
static enum mcp_action
mcp_method(struct mcp_state *st, const struct jdoc *d, int idt, int mt,
    int pt, struct json_object **reply)
{
	const struct mcp_method	*m;
	struct json_object	*id, *params;
	enum mcp_action		 act;
	char			 method[128];

	for (m = mcp_methods; m->name != NULL; m++)
		if (jdoc_string_eq(d, mt, m->name, strlen(m->name)))
			break;
	if (m->name == NULL) {
		jdoc_string(d, mt, method, sizeof(method));
		return mcp_fail(reply, d, idt, JSONRPC_METHOD_NOT_FOUND,
		    "Method not found: '%s'", method);
	}
	id = mcp_id(d, idt);
	params = pt >= 0 ? jdoc_object(d, pt) : NULL;
	act = m->fn(st, id, params, reply);
	json_object_put(params);
	json_object_put(id);
	return act;
}

/*
 * Check the JSON-RPC envelope of a parsed message. Returns 0 when it is a
 * request or notification to handle (*idt, *mt, *pt: its id, method and
 * params tokens, -1 when absent), else -1 with *reply set to the error to
 * send, or NULL when nothing is to be sent.
 */
static int
mcp_envelope(const struct jdoc *d, struct json_object **reply, int *idt,
    int *mt, int *pt)
{
	static const char *const keys[] = { "id", "method", "jsonrpc",
				    "params", "result", "error" };
	static const size_t	 klen[] = { 2, 6, 7, 6, 6, 5 };
	int			 v[6], jv;

	*reply = NULL;
	if (d->t[0].type == JT_ARRAY)
		return mcp_reject(reply, d, -1, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: JSON-RPC batches are not supported; send "
		    "one request per line");
	if (d->t[0].type != JT_OBJECT)
		return mcp_reject(reply, d, -1, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: a request must be a JSON object");
	jdoc_members(d, 0, keys, klen, v, 6);
	*idt = v[0];
	if (*idt != -1 && !mcp_id_ok(d, *idt))
		return mcp_reject(reply, d, -1, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: 'id' must be a string or an integer");
	if ((*mt = v[1]) == -1) {
		*pt = -1;
		if (v[4] != -1 || v[5] != -1)
			return 0;	/* a response: to us (ask.c) */
		return mcp_reject(reply, d, *idt, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: missing 'method'");
	}
	if (d->t[*mt].type != JT_STRING)
		return mcp_reject(reply, d, *idt, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: 'method' must be a string");
	if ((jv = v[2]) == -1 ||
	    !jdoc_string_eq(d, jv, "2.0", 3))
		return mcp_reject(reply, d, *idt, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: 'jsonrpc' must be \"2.0\"");
	*pt = v[3];
	if (*pt != -1 && d->t[*pt].type != JT_OBJECT) {
		if (*idt == -1)
			return -1;
		if (d->t[*pt].type == JT_ARRAY)
			return mcp_reject(reply, d, *idt, JSONRPC_INVALID_PARAMS,
			    "Invalid params: 'params' must be an object");
		return mcp_reject(reply, d, *idt, JSONRPC_INVALID_REQUEST,
		    "Invalid Request: 'params' must be an object");
	}
	return 0;
}

/* tasks methods (task.c), 2025's experimental form. */
static enum mcp_action
mcp_task(struct mcp_state *st, const struct mcp_request *r,
    struct json_object **reply)
{
	struct json_object	*res, *id;
	enum mcp_action		 act;

	act = task_handle(st, r, &res, reply);
	if (act == MCP_REPLY && res != NULL) {
		id = mcp_id(r->d, r->id);
		*reply = mcp_result(id, res);
		json_object_put(id);
	}
	return act;
}

/*
 * 2025: a tools/call with a "task" param ({ttl}) of a tool that may be a
 * task runs as one; a tool that must be one refuses a call without. 0, or
 * -1 with *reply.
 */
static int
mcp_task_wanted(const struct mcp_state *st, const struct mcp_request *r,
    struct mcp_call *call, struct json_object **reply)
{
	int	support = tool_spec(call->tool)->task_support, tt, ttl;

	tt = jdoc_member(r->d, r->params, "task");
	if (tt != -1 && r->d->t[tt].type == JT_OBJECT &&
	    support != TASK_FORBIDDEN && !st->no_stream) {
		call->task = 1;
		if ((ttl = jdoc_member(r->d, tt, "ttl")) != -1 &&
		    r->d->t[ttl].type == JT_NUMBER)
			call->task_ttl = strtoll(r->d->text +
			    r->d->t[ttl].start, NULL, 10);
		return 0;
	}
	if (support != TASK_REQUIRED)
		return 0;
	mcp_fail(reply, r->d, r->id, JSONRPC_METHOD_NOT_FOUND, "tool '%s' "
	    "runs only as a task: call it with a \"task\" param%s",
	    tool_spec(call->tool)->name, st->no_stream ? " (not served "
	    "without sessions: --http-stateless)" : "");
	return -1;
}

/* A catalog method (catalog_rpc.c), its result answered as 2025's are. */
static enum mcp_action
mcp_catalog(struct mcp_state *st, const struct mcp_request *r,
    struct json_object **reply, struct mcp_call *call)
{
	struct json_object	*res, *id;
	enum mcp_action		 act;

	act = catalog_handle(st, r, &res, reply, call);
	if (act == MCP_REPLY && res != NULL) {
		id = mcp_id(r->d, r->id);
		*reply = mcp_result(id, res);
		json_object_put(id);
	}
	return act;
}

/*
 * Handle one parsed request. On MCP_REPLY *reply is set; on MCP_CALL *call
 * is (its id and arguments point into the parsed text).
 */
enum mcp_action
mcp_handle(struct mcp_state *st, const struct mcp_request *r,
    struct json_object **reply, struct mcp_call *call)
{
	enum mcp_action		 act;
	struct json_object	*missing, *id;
	char			 why[256];

	*reply = NULL;
	if (r->method == -1)
		return MCP_NONE;	/* a response: the session gives it ask.c */
	if (st->era == MCP_ERA_UNKNOWN)
		st->era = mcp_era_of(r, NULL);
	if (st->era == MCP_ERA_2026)
		return mcp_modern_handle(st, r, reply, call);
	if (r->id == -1)
		return mcp_notified(st, r->d, r->method, r->params, call);
	if (catalog_method(st, r->d, r->method))
		return mcp_catalog(st, r, reply, call);
	if (task_method(st, r->d, r->method))
		return mcp_task(st, r, reply);
	if (!jdoc_string_eq(r->d, r->method, "tools/call", 10))
		return mcp_method(st, r->d, r->id, r->method, r->params, reply);
	if ((act = mcp_tools_call(st, r->d, r->id, r->params, reply, call)) !=
	    MCP_CALL)
		return act;
	call->log_level = st->log_level;
	if (mcp_task_wanted(st, r, call, reply) == -1)
		return MCP_REPLY;
	if (!mcp_missing_caps(call->tool, st->client_caps, 0, &missing))
		return act;
	/* The 2025 wire has no error for it: a result naming what is missing. */
	snprintf(why, sizeof(why), "tool '%s' needs the client capabilities "
	    "%s, which this client did not declare in initialize",
	    tool_spec(call->tool)->name, json_object_to_json_string_ext(missing,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(missing);
	id = mcp_id(r->d, r->id);
	*reply = mcp_result(id, mcp_tool_error(why));
	json_object_put(id);
	return MCP_REPLY;
}

static void
mcp_missing_of(struct json_object *need, struct json_object *caps,
    struct json_object **missing)
{
	struct json_object	*v;
	const char		*name;
	size_t			 i, n;

	n = need != NULL ? json_object_array_length(need) : 0;
	for (i = 0; i < n; i++) {
		name = json_object_get_string(json_object_array_get_idx(need, i));
		if (caps != NULL && json_object_object_get_ex(caps, name, &v))
			continue;
		if (*missing == NULL)
			*missing = json_object_new_object();
		json_object_object_add(*missing, name, json_object_new_object());
	}
}

/*
 * The client capabilities tool t requires (and, with asks, those its code
 * asks for) that caps (may be NULL) lacks: 1 with *missing set
 * ({"sampling": {}}), else 0.
 */
int
mcp_missing_caps(const struct tool *t, struct json_object *caps, int asks,
    struct json_object **missing)
{
	*missing = NULL;
	mcp_missing_of(tool_spec(t)->requires, caps, missing);
	if (asks)
		mcp_missing_of(tool_asks(t), caps, missing);
	return *missing != NULL;
}

/* The code of an error reply, or 0 for anything else. */
int
mcp_error_code(struct json_object *msg)
{
	struct json_object	*e, *c;

	if (msg == NULL || !json_object_object_get_ex(msg, "error", &e) ||
	    !json_object_object_get_ex(e, "code", &c))
		return 0;
	return json_object_get_int(c);
}

/*
 * notifications/tools/list_changed as this session should hear it: a 2025
 * session once initialized; a 2026 one only on a listen stream that asked
 * for it, tagged with the stream's id. NULL: not for this session.
 */
struct json_object *
mcp_list_changed(const struct mcp_state *st)
{
	struct json_object	*n, *params, *meta, *id;

	if (st->era != MCP_ERA_2026)
		return st->initialized && !st->no_stream ?
		    mcp_notification("notifications/tools/list_changed") : NULL;
	if (st->listen_id == NULL || !st->listen_tools)
		return NULL;
	id = json_object_get(st->listen_id);
	n = mcp_notification("notifications/tools/list_changed");
	params = json_object_new_object();
	meta = json_object_new_object();
	json_object_object_add(meta, "io.modelcontextprotocol/subscriptionId",
	    id);
	json_object_object_add(params, "_meta", meta);
	json_object_object_add(n, "params", params);
	return n;
}

void
mcp_state_clear(struct mcp_state *st)
{
	free(st->protocol);
	free(st->client);
	free(st->client_name);
	free(st->client_version);
	json_object_put(st->listen_id);
	json_object_put(st->client_caps);
	json_object_put(st->subs);
	json_object_put(st->listen_tasks);
	memset(st, 0, sizeof(*st));
}
