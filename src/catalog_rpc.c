/* SPDX-License-Identifier: ISC */
/*
 * The catalog's methods, both eras: prompts/list and prompts/get,
 * resources/list, resources/templates/list and resources/read,
 * completion/complete, and (2025) resources/subscribe and unsubscribe. A
 * static entry is answered here; a coded one becomes a call of its tool
 * (MCP_CALL), whose result catalog_render turns into the method's.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "clients.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "catalog.h"
#include "uritemplate.h"
#include "xmalloc.h"

#define JSONRPC_INVALID_PARAMS		-32602
#define JSONRPC_INTERNAL_ERROR		-32603
#define CATALOG_SUBS_MAX	1024	/* resources one session watches */
#define CATALOG_COMPLETE_MAX	100	/* values in one answer (the spec's) */

enum catalog_op {
	OP_PROMPTS_LIST, OP_PROMPTS_GET, OP_RESOURCES_LIST, OP_TEMPLATES_LIST,
	OP_READ, OP_COMPLETE, OP_SUBSCRIBE, OP_UNSUBSCRIBE
};

static const struct {
	const char	*method;
	int		 only2025;
} catalog_ops[] = {
	[OP_PROMPTS_LIST] = { "prompts/list", 0 },
	[OP_PROMPTS_GET] = { "prompts/get", 0 },
	[OP_RESOURCES_LIST] = { "resources/list", 0 },
	[OP_TEMPLATES_LIST] = { "resources/templates/list", 0 },
	[OP_READ] = { "resources/read", 0 },
	[OP_COMPLETE] = { "completion/complete", 0 },
	[OP_SUBSCRIBE] = { "resources/subscribe", 1 },
	[OP_UNSUBSCRIBE] = { "resources/unsubscribe", 1 },
};
#define CATALOG_NOPS	(sizeof(catalog_ops) / sizeof(*catalog_ops))

/* The method of a call of a coded entry of kind k (the access log's). */
const char *
catalog_method_of(enum entry_kind k)
{
	return k == KIND_PROMPT ? "prompts/get" : k == KIND_RESOURCE ?
	    "resources/read" : k == KIND_COMPLETION ? "completion/complete" :
	    "tools/call";
}

/*
 * The capabilities the catalog adds: prompts and resources (their changes
 * told where a session can hear them: changes), completions.
 */
void
catalog_capabilities(struct json_object *caps, int changes)
{
	struct json_object	*p = json_object_new_object();
	struct json_object	*r = json_object_new_object();

	json_object_object_add(p, "listChanged",
	    json_object_new_boolean(changes));
	json_object_object_add(r, "subscribe", json_object_new_boolean(changes));
	json_object_object_add(r, "listChanged",
	    json_object_new_boolean(changes));
	json_object_object_add(caps, "prompts", p);
	json_object_object_add(caps, "resources", r);
	json_object_object_add(caps, "completions", json_object_new_object());
}

/* Which of ours method token mt names, +1; 0 when none. */
int
catalog_method(const struct mcp_state *st, const struct jdoc *d, int mt)
{
	size_t	i;

	for (i = 0; i < CATALOG_NOPS; i++)
		if (jdoc_string_eq(d, mt, catalog_ops[i].method,
		    strlen(catalog_ops[i].method)))
			return catalog_ops[i].only2025 && st->era ==
			    MCP_ERA_2026 ? 0 : (int)i + 1;
	return 0;
}

static void
copy_str(struct json_object *to, struct json_object *from, const char *key)
{
	struct json_object	*v;

	if (json_object_object_get_ex(from, key, &v))
		json_object_object_add(to, key, json_object_get(v));
}

/* A coded entry's inputSchema, as its worker derived it. */
static struct json_object *
catalog_schema(const struct tool *t)
{
	struct json_object	*s;

	if (t == NULL || !json_object_object_get_ex(tool_listing(t),
	    "inputSchema", &s))
		return NULL;
	return s;
}

/* A prompt's arguments: listed, or its function's parameters. */
static struct json_object *
catalog_prompt_args(struct json_object *e)
{
	struct json_object	*a, *s, *props, *req, *o, *d;
	size_t			 i;
	int			 r;

	if (json_object_object_get_ex(e, "arguments", &a))
		return json_object_get(a);
	a = json_object_new_array();
	if ((s = catalog_schema(catalog_tool(e, NULL))) == NULL ||
	    !json_object_object_get_ex(s, "properties", &props))
		return a;
	if (!json_object_object_get_ex(s, "required", &req))
		req = NULL;
	json_object_object_foreach(props, name, p) {
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(name));
		if (json_object_object_get_ex(p, "description", &d))
			json_object_object_add(o, "description",
			    json_object_get(d));
		for (r = 0, i = 0; req != NULL &&
		    i < json_object_array_length(req); i++)
			if (strcmp(json_object_get_string(
			    json_object_array_get_idx(req, i)), name) == 0)
				r = 1;
		json_object_object_add(o, "required",
		    json_object_new_boolean(r));
		json_object_array_add(a, o);
	}
	return a;
}

/* An entry as its list shows it. */
static struct json_object *
catalog_listed(struct json_object *e, const char *kind)
{
	struct json_object	*o = json_object_new_object(), *l, *d;
	struct tool		*t;

	if (strcmp(kind, "resource") == 0)
		copy_str(o, e, "uri");
	else if (strcmp(kind, "resource_template") == 0)
		copy_str(o, e, "uriTemplate");
	copy_str(o, e, "name");
	copy_str(o, e, "title");
	copy_str(o, e, "description");
	/* No description: the function's docstring's, as for tools. */
	if (!json_object_object_get_ex(o, "description", NULL) &&
	    (t = catalog_tool(e, NULL)) != NULL && (l = tool_listing(t)) !=
	    NULL && json_object_object_get_ex(l, "description", &d))
		json_object_object_add(o, "description", json_object_get(d));
	if (strcmp(kind, "prompt") == 0)
		json_object_object_add(o, "arguments", catalog_prompt_args(e));
	else
		copy_str(o, e, "mimeType");
	return o;
}

/* A page of one kind's list: cursors are the index of the next entry. */
static enum mcp_action
catalog_list(const struct mcp_state *st, const struct mcp_request *r,
    struct json_object *params, const char *kind, const char *key,
    struct json_object **result, struct json_object **reply)
{
	struct json_object	*all = catalog_entries(), *list, *e, *v;
	const char		*s;
	char			*end, next[32];
	size_t			 off = 0, i, n, got = 0;

	n = all != NULL ? json_object_array_length(all) : 0;
	if (json_object_object_get_ex(params, "cursor", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		s = json_object_get_string(v);
		errno = 0;
		if (!json_object_is_type(v, json_type_string) ||
		    !isdigit((unsigned char)*s) ||
		    (off = strtoul(s, &end, 10), errno != 0) || *end != '\0' ||
		    off > n)
			return mcp_fail(reply, r->d, r->id,
			    JSONRPC_INVALID_PARAMS, "Invalid params: unknown or "
			    "stale 'cursor'");
	}
	list = json_object_new_array();
	for (i = off; i < n && got < settings.page_size; i++) {
		e = json_object_array_get_idx(all, i);
		if (strcmp(catalog_str(e, "kind"), kind) != 0 ||
		    !catalog_visible(st, e))
			continue;
		json_object_array_add(list, catalog_listed(e, kind));
		got++;
	}
	*result = json_object_new_object();
	json_object_object_add(*result, key, list);
	for (; i < n; i++) {		/* more of this kind to come? */
		e = json_object_array_get_idx(all, i);
		if (strcmp(catalog_str(e, "kind"), kind) == 0 &&
		    catalog_visible(st, e))
			break;
	}
	if (i < n) {
		snprintf(next, sizeof(next), "%zu", i);
		json_object_object_add(*result, "nextCursor",
		    json_object_new_string(next));
	}
	return MCP_REPLY;
}

/*
 * Arguments given as strings (a prompt's, a template's variables), typed as
 * the function's parameters are: "3" for an int is 3. Anything that does
 * not convert stays a string, for the schema check to name.
 */
static struct json_object *
catalog_typed(const struct tool *t, struct json_object *given)
{
	struct json_object	*out = json_object_new_object(), *s, *props;
	struct json_object	*p, *ty;
	const char		*v, *type;
	char			*end;
	long long		 ll;
	double			 dv;

	s = catalog_schema(t);
	if (s == NULL || !json_object_object_get_ex(s, "properties", &props))
		props = NULL;
	json_object_object_foreach(given, key, val) {
		type = NULL;
		if (props != NULL && json_object_object_get_ex(props, key, &p) &&
		    json_object_object_get_ex(p, "type", &ty) &&
		    json_object_is_type(ty, json_type_string))
			type = json_object_get_string(ty);
		v = json_object_is_type(val, json_type_string) ?
		    json_object_get_string(val) : NULL;
		errno = 0;
		if (v != NULL && type != NULL && *v != '\0') {
			if (strcmp(type, "integer") == 0 &&
			    (ll = strtoll(v, &end, 10), *end == '\0') &&
			    errno == 0) {
				json_object_object_add(out, key,
				    json_object_new_int64(ll));
				continue;
			}
			if (strcmp(type, "number") == 0 &&
			    (dv = strtod(v, &end), *end == '\0') && errno == 0) {
				json_object_object_add(out, key,
				    json_object_new_double(dv));
				continue;
			}
			if (strcmp(type, "boolean") == 0 &&
			    (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)) {
				json_object_object_add(out, key,
				    json_object_new_boolean(*v == 't'));
				continue;
			}
		}
		json_object_object_add(out, key, json_object_get(val));
	}
	return out;
}

/*
 * A call of coded entry e's tool t with args (taken): checked against its
 * parameters, then handed back as MCP_CALL (the call owns its text).
 */
static enum mcp_action
catalog_call(const struct mcp_state *st, const struct mcp_request *r,
    struct tool *t, struct json_object *args, const char *uri,
    const char *what, struct json_object **reply, struct mcp_call *call)
{
	struct jdoc	 jd = { 0 };
	const char	*text, *e;
	char		 why[512];
	size_t		 len, at;
	int		 bad;

	text = json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(text);
	bad = jdoc_parse(&jd, text, len, 0, &e, &at) == -1 ||
	    schema_check(tool_schema(t), &jd, 0, why, sizeof(why)) == -1;
	jdoc_free(&jd);
	if (bad) {
		json_object_put(args);
		return mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: %s: %s", what, why);
	}
	call->tool = t;
	call->id = r->d->text + r->d->t[r->id].start;
	call->idlen = r->d->t[r->id].end - r->d->t[r->id].start;
	call->owned = xstrdup(text);
	call->args = call->owned;
	call->argslen = len;
	call->uri = uri != NULL ? xstrdup(uri) : NULL;
	call->progress = NULL;
	call->progresslen = 0;
	call->log_level = st->era == MCP_ERA_2026 ? -1 : st->log_level;
	json_object_put(args);
	return MCP_CALL;
}

/* Why a coded entry named by access is not there to use. */
static enum mcp_action
catalog_unknown(const struct mcp_request *r, const char *noun,
    const char *access, const char *name, struct json_object **reply)
{
	const char	*e;

	if (access != NULL && (e = tool_failure(access)) != NULL)
		return mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: %s '%s' failed to load: %.300s", noun,
		    name, e);
	return mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
	    "Invalid params: unknown %s '%s'", noun, name);
}

/* "{arg}" in s replaced by the argument's value. */
static struct json_object *
catalog_fill(const char *s, struct json_object *args)
{
	struct json_object	*o, *v;
	const char		*p, *close;
	char			*buf, key[128];
	size_t			 len = 0, cap = strlen(s) + 1, k, vl;

	buf = xmalloc(cap);
	for (p = s; *p != '\0'; ) {
		if (*p == '{' && (close = strchr(p, '}')) != NULL &&
		    (k = (size_t)(close - p - 1)) < sizeof(key)) {
			memcpy(key, p + 1, k);
			key[k] = '\0';
			if (json_object_object_get_ex(args, key, &v)) {
				vl = (size_t)json_object_get_string_len(v);
				if (len + vl + 1 > cap) {
					cap = (len + vl + 1) * 2;
					buf = xreallocarray(buf, cap, 1);
				}
				memcpy(buf + len, json_object_get_string(v), vl);
				len += vl;
				p = close + 1;
				continue;
			}
		}
		if (len + 2 > cap) {
			cap *= 2;
			buf = xreallocarray(buf, cap, 1);
		}
		buf[len++] = *p++;
	}
	o = json_object_new_string_len(buf, (int)len);
	free(buf);
	return o;
}

/* A static prompt's messages, its arguments filled in. */
static struct json_object *
catalog_static_prompt(struct json_object *e, struct json_object *args)
{
	struct json_object	*res = json_object_new_object(), *msgs, *out;
	struct json_object	*m, *c, *nm, *nc, *t;
	size_t			 i;

	copy_str(res, e, "description");
	json_object_object_get_ex(e, "messages", &msgs);
	out = json_object_new_array();
	for (i = 0; i < json_object_array_length(msgs); i++) {
		m = json_object_array_get_idx(msgs, i);
		json_object_object_get_ex(m, "content", &c);
		nm = json_object_new_object();
		copy_str(nm, m, "role");
		if (json_object_object_get_ex(c, "text", &t) &&
		    json_object_is_type(t, json_type_string)) {
			nc = json_object_new_object();
			json_object_object_foreach(c, k, v)
				json_object_object_add(nc, k, strcmp(k, "text")
				    == 0 ? catalog_fill(json_object_get_string(v),
				    args) : json_object_get(v));
			json_object_object_add(nm, "content", nc);
		} else
			json_object_object_add(nm, "content",
			    json_object_get(c));
		json_object_array_add(out, nm);
	}
	json_object_object_add(res, "messages", out);
	return res;
}

/* The arguments object of a request (absent or null: {}), strings only. */
static int
catalog_string_args(struct json_object *params, const char *key,
    struct json_object **args, char *why, size_t len)
{
	struct json_object	*a;

	*args = NULL;
	if (!json_object_object_get_ex(params, key, &a) ||
	    json_object_is_type(a, json_type_null)) {
		*args = json_object_new_object();
		return 0;
	}
	if (!json_object_is_type(a, json_type_object)) {
		snprintf(why, len, "'%s' must be an object of strings", key);
		return -1;
	}
	json_object_object_foreach(a, k, v) {
		if (!json_object_is_type(v, json_type_string)) {
			snprintf(why, len, "argument '%.64s' must be a string",
			    k);
			return -1;
		}
	}
	*args = json_object_get(a);
	return 0;
}

static enum mcp_action
catalog_prompt_get(const struct mcp_state *st, const struct mcp_request *r,
    struct json_object *params, struct json_object **result,
    struct json_object **reply, struct mcp_call *call)
{
	struct json_object	*e, *args, *a, *req, *typed;
	struct tool		*t;
	const char		*name = catalog_str(params, "name");
	char			 why[256], access[256], what[300];
	size_t			 i;

	if (name == NULL)
		return mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'name' must be a string naming a prompt");
	if ((e = catalog_find("prompt", name, NULL)) == NULL ||
	    !catalog_visible(st, e)) {
		snprintf(access, sizeof(access), "prompt:%s", name);
		return catalog_unknown(r, "prompt", e != NULL &&
		    clients_may(st->client, access) ? access : NULL, name,
		    reply);
	}
	if (catalog_string_args(params, "arguments", &args, why,
	    sizeof(why)) == -1)
		return mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: prompt '%s': %s", name, why);
	if ((t = catalog_tool(e, NULL)) != NULL) {
		snprintf(what, sizeof(what), "prompt '%s'", name);
		typed = catalog_typed(t, args);
		json_object_put(args);
		return catalog_call(st, r, t, typed, NULL, what, reply, call);
	}
	a = NULL;
	json_object_object_get_ex(e, "arguments", &a);
	for (i = 0; a != NULL && i < json_object_array_length(a); i++) {
		req = json_object_array_get_idx(a, i);
		if (json_object_object_get_ex(req, "required", NULL) &&
		    json_object_get_boolean(json_object_object_get(req,
		    "required")) && !json_object_object_get_ex(args,
		    catalog_str(req, "name"), NULL)) {
			json_object_put(args);
			return mcp_fail(reply, r->d, r->id,
			    JSONRPC_INVALID_PARAMS, "Invalid params: prompt "
			    "'%s' needs the argument '%s'", name,
			    catalog_str(req, "name"));
		}
	}
	*result = catalog_static_prompt(e, args);
	json_object_put(args);
	return MCP_REPLY;
}

static enum mcp_action
catalog_not_found(const struct mcp_request *r, const char *uri,
    struct json_object **reply)
{
	struct json_object	*data, *err;

	/* SEP-2164: -32602, the uri as data. */
	mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
	    "Resource not found: '%s'", uri);
	data = json_object_new_object();
	json_object_object_add(data, "uri", json_object_new_string(uri));
	json_object_object_get_ex(*reply, "error", &err);
	json_object_object_add(err, "data", data);
	return MCP_REPLY;
}

static enum mcp_action
catalog_resource_read(const struct mcp_state *st, const struct mcp_request *r,
    struct json_object *params, struct json_object **result,
    struct json_object **reply, struct mcp_call *call)
{
	struct json_object	*e, *all, *item, *contents, *vars;
	const char		*uri = catalog_str(params, "uri");
	char			 what[300];
	size_t			 i, n;

	if (uri == NULL)
		return mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'uri' must be a string naming a resource");
	if ((e = catalog_find("resource", NULL, uri)) != NULL &&
	    catalog_visible(st, e)) {
		snprintf(what, sizeof(what), "resource '%s'", uri);
		if (catalog_tool(e, NULL) != NULL)
			return catalog_call(st, r, catalog_tool(e, NULL),
			    json_object_new_object(), uri, what, reply, call);
		item = json_object_new_object();
		json_object_object_add(item, "uri", json_object_new_string(uri));
		copy_str(item, e, "mimeType");
		copy_str(item, e, "text");
		copy_str(item, e, "blob");
		contents = json_object_new_array();
		json_object_array_add(contents, item);
		*result = json_object_new_object();
		json_object_object_add(*result, "contents", contents);
		return MCP_REPLY;
	}
	all = catalog_entries();
	n = all != NULL ? json_object_array_length(all) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(all, i);
		if (strcmp(catalog_str(e, "kind"), "resource_template") != 0 ||
		    !catalog_visible(st, e) ||
		    (vars = uritemplate_match(catalog_str(e, "uriTemplate"), uri)) ==
		    NULL)
			continue;
		snprintf(what, sizeof(what), "resource '%s' (template '%s')",
		    uri, catalog_str(e, "name"));
		item = catalog_typed(catalog_tool(e, NULL), vars);
		json_object_put(vars);
		return catalog_call(st, r, catalog_tool(e, NULL), item, uri,
		    what, reply, call);
	}
	return catalog_not_found(r, uri, reply);
}

/* Subscribe (1) or not (0) this session to a resource's updates. */
static enum mcp_action
catalog_subscribe(struct mcp_state *st, const struct mcp_request *r,
    struct json_object *params, int on, struct json_object **result,
    struct json_object **reply)
{
	const char	*uri = catalog_str(params, "uri");

	if (uri == NULL || strlen(uri) > 2048)
		return mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'uri' must be a string naming a resource "
		    "(at most 2048 bytes)");
	if (st->subs == NULL)
		st->subs = json_object_new_object();
	if (!on)
		json_object_object_del(st->subs, uri);
	else if (!json_object_object_get_ex(st->subs, uri, NULL)) {
		if (json_object_object_length(st->subs) >= CATALOG_SUBS_MAX)
			return mcp_fail(reply, r->d, r->id,
			    JSONRPC_INVALID_PARAMS, "Invalid params: this "
			    "session already watches %d resources; unsubscribe "
			    "from some first", CATALOG_SUBS_MAX);
		json_object_object_add(st->subs, uri, NULL);
	}
	*result = json_object_new_object();
	return MCP_REPLY;
}

/* A completion from a static list: the values that start as value does. */
static struct json_object *
catalog_values(struct json_object *values, const char *value)
{
	struct json_object	*out = json_object_new_array(), *c, *s;
	size_t			 i, n, total = 0, vl = strlen(value);

	n = json_object_array_length(values);
	for (i = 0; i < n; i++) {
		s = json_object_array_get_idx(values, i);
		if (strncasecmp(json_object_get_string(s), value, vl) != 0)
			continue;
		if (total++ < CATALOG_COMPLETE_MAX)
			json_object_array_add(out, json_object_get(s));
	}
	c = json_object_new_object();
	json_object_object_add(c, "values", out);
	json_object_object_add(c, "total", json_object_new_int64((int64_t)total));
	json_object_object_add(c, "hasMore", json_object_new_boolean(total >
	    CATALOG_COMPLETE_MAX));
	out = json_object_new_object();
	json_object_object_add(out, "completion", c);
	return out;
}

static enum mcp_action
catalog_complete(const struct mcp_state *st, const struct mcp_request *r,
    struct json_object *params, struct json_object **result,
    struct json_object **reply, struct mcp_call *call)
{
	struct json_object	*ref, *arg, *e = NULL, *c, *spec, *v, *args, *ctx;
	struct json_object	*s, *props;
	const char		*type, *name, *aname, *value;
	struct tool		*t;
	char			 what[300];

	if (!json_object_object_get_ex(params, "ref", &ref) ||
	    (type = catalog_str(ref, "type")) == NULL ||
	    !json_object_object_get_ex(params, "argument", &arg) ||
	    (aname = catalog_str(arg, "name")) == NULL ||
	    (value = catalog_str(arg, "value")) == NULL)
		return mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: completion/complete needs 'ref' "
		    "({\"type\": \"ref/prompt\", \"name\"} or {\"type\": "
		    "\"ref/resource\", \"uri\"}) and 'argument' ({\"name\", "
		    "\"value\"}: strings)");
	if (strcmp(type, "ref/prompt") == 0 &&
	    (name = catalog_str(ref, "name")) != NULL)
		e = catalog_find("prompt", name, NULL);
	else if (strcmp(type, "ref/resource") == 0 &&
	    (name = catalog_str(ref, "uri")) != NULL) {
		e = catalog_find("resource_template", NULL, name);
		if (e == NULL && catalog_find("resource", NULL, name) != NULL)
			e = NULL;	/* a plain resource: nothing to complete */
	} else
		return mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'ref' must be {\"type\": \"ref/prompt\", "
		    "\"name\": ...} or {\"type\": \"ref/resource\", \"uri\": "
		    "...}");
	if (e == NULL || !catalog_visible(st, e)) {
		if (strcmp(type, "ref/resource") == 0 &&
		    (e = catalog_find("resource", NULL, name)) != NULL &&
		    catalog_visible(st, e)) {
			*result = catalog_values(json_object_new_array(), "");
			return MCP_REPLY;
		}
		return mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: unknown %s '%s'", strcmp(type,
		    "ref/prompt") == 0 ? "prompt" : "resource template", name);
	}
	if (!json_object_object_get_ex(e, "complete", &c) ||
	    !json_object_object_get_ex(c, aname, &spec)) {
		v = json_object_new_array();
		*result = catalog_values(v, "");
		json_object_put(v);
		return MCP_REPLY;
	}
	if (json_object_object_get_ex(spec, "values", &v)) {
		*result = catalog_values(v, value);
		return MCP_REPLY;
	}
	if ((t = catalog_tool(e, aname)) == NULL)
		return catalog_unknown(r, "completion function", catalog_str(spec,
		    "tool"), aname, reply);
	args = json_object_new_object();
	json_object_object_add(args, "value", json_object_new_string(value));
	/* The other arguments, for a function that takes them. */
	if ((s = catalog_schema(t)) != NULL &&
	    json_object_object_get_ex(s, "properties", &props) &&
	    json_object_object_get_ex(props, "arguments", NULL)) {
		if (json_object_object_get_ex(params, "context", &ctx) &&
		    json_object_object_get_ex(ctx, "arguments", &v) &&
		    json_object_is_type(v, json_type_object))
			json_object_object_add(args, "arguments",
			    json_object_get(v));
		else
			json_object_object_add(args, "arguments",
			    json_object_new_object());
	}
	snprintf(what, sizeof(what), "completion of '%s'", aname);
	return catalog_call(st, r, t, args, NULL, what, reply, call);
}

/*
 * One of catalog_method's: MCP_REPLY with *result (the caller wraps it as
 * its era does) or *reply (an error, whole), or MCP_CALL.
 */
enum mcp_action
catalog_handle(struct mcp_state *st, const struct mcp_request *r,
    struct json_object **result, struct json_object **reply,
    struct mcp_call *call)
{
	struct json_object	*params;
	enum mcp_action		 act = MCP_REPLY;
	int			 op = catalog_method(st, r->d, r->method) - 1;

	*result = NULL;
	*reply = NULL;
	params = r->params >= 0 ? jdoc_object(r->d, r->params) :
	    json_object_new_object();
	switch (op) {
	case OP_PROMPTS_LIST:
		act = catalog_list(st, r, params, "prompt", "prompts", result,
		    reply);
		break;
	case OP_RESOURCES_LIST:
		act = catalog_list(st, r, params, "resource", "resources",
		    result, reply);
		break;
	case OP_TEMPLATES_LIST:
		act = catalog_list(st, r, params, "resource_template",
		    "resourceTemplates", result, reply);
		break;
	case OP_PROMPTS_GET:
		act = catalog_prompt_get(st, r, params, result, reply, call);
		break;
	case OP_READ:
		act = catalog_resource_read(st, r, params, result, reply, call);
		break;
	case OP_COMPLETE:
		act = catalog_complete(st, r, params, result, reply, call);
		break;
	case OP_SUBSCRIBE:
	case OP_UNSUBSCRIBE:
		act = catalog_subscribe(st, r, params, op == OP_SUBSCRIBE,
		    result, reply);
		break;
	default:
		fatalx("%s: not a catalog method", __func__);
	}
	json_object_put(params);
	return act;
}

/* A worker's result item, checked: each is an object, strings where said. */
static int
catalog_strings(struct json_object *o, const char *const *keys)
{
	struct json_object	*v;

	if (!json_object_is_type(o, json_type_object))
		return 0;
	for (; *keys != NULL; keys++)
		if (json_object_object_get_ex(o, *keys, &v) &&
		    !json_object_is_type(v, json_type_string))
			return 0;
	return 1;
}

/* A resource's contents from its code: uri and mimeType filled in. */
static int
catalog_contents(struct json_object *res, const char *uri,
    struct json_object *e, char *why, size_t len)
{
	static const char *const keys[] = { "uri", "mimeType", "text", "blob",
	    NULL };
	struct json_object	*c, *item;
	const char		*mime = catalog_str(e, "mimeType");
	size_t			 i, n;
	int			 text, blob;

	if (!json_object_object_get_ex(res, "contents", &c) ||
	    !json_object_is_type(c, json_type_array) ||
	    (n = json_object_array_length(c)) == 0)
		goto bad;
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(c, i);
		if (!catalog_strings(item, keys))
			goto bad;
		text = json_object_object_get_ex(item, "text", NULL);
		blob = json_object_object_get_ex(item, "blob", NULL);
		if (text == blob)
			goto bad;
		if (!json_object_object_get_ex(item, "uri", NULL))
			json_object_object_add(item, "uri",
			    json_object_new_string(uri != NULL ? uri : ""));
		if (!json_object_object_get_ex(item, "mimeType", NULL))
			json_object_object_add(item, "mimeType",
			    json_object_new_string(mime != NULL ? mime : text ?
			    "text/plain" : "application/octet-stream"));
	}
	return 0;
bad:
	snprintf(why, len, "its worker sent no resource contents (a list of "
	    "{\"text\"} or {\"blob\"} items)");
	return -1;
}

static int
catalog_messages_ok(struct json_object *res, struct json_object *e, char *why,
    size_t len)
{
	static const char *const keys[] = { "role", "type", NULL };
	struct json_object	*m, *item, *c;
	const char		*role;
	size_t			 i, n;

	if (!json_object_object_get_ex(res, "messages", &m) ||
	    !json_object_is_type(m, json_type_array) ||
	    (n = json_object_array_length(m)) == 0)
		goto bad;
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(m, i);
		if (!catalog_strings(item, keys) ||
		    (role = catalog_str(item, "role")) == NULL ||
		    (strcmp(role, "user") != 0 &&
		    strcmp(role, "assistant") != 0) ||
		    !json_object_object_get_ex(item, "content", &c) ||
		    catalog_str(c, "type") == NULL)
			goto bad;
	}
	if (!json_object_object_get_ex(res, "description", NULL) &&
	    e != NULL)
		copy_str(res, e, "description");
	return 0;
bad:
	snprintf(why, len, "its worker sent no messages (a list of {\"role\": "
	    "\"user\" or \"assistant\", \"content\": {\"type\": ...}})");
	return -1;
}

static int
catalog_completion_ok(struct json_object *res, char *why, size_t len)
{
	struct json_object	*c, *v;
	size_t			 i, n;

	if (!json_object_object_get_ex(res, "completion", &c) ||
	    !json_object_object_get_ex(c, "values", &v) ||
	    !json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > CATALOG_COMPLETE_MAX)
		goto bad;
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(v, i),
		    json_type_string))
			goto bad;
	return 0;
bad:
	snprintf(why, len, "its worker sent no completion (at most %d "
	    "string values)", CATALOG_COMPLETE_MAX);
	return -1;
}

/* The entry whose code (or completion function) tool name is. */
static struct json_object *
catalog_of_tool(const char *name)
{
	struct json_object	*all = catalog_entries(), *e, *c;
	const char		*t;
	size_t			 i, n;

	n = all != NULL ? json_object_array_length(all) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(all, i);
		if ((t = catalog_str(e, "tool")) != NULL && strcmp(t, name) == 0)
			return e;
		if (!json_object_object_get_ex(e, "complete", &c))
			continue;
		json_object_object_foreach(c, k, spec) {
			(void)k;
			if ((t = catalog_str(spec, "tool")) != NULL &&
			    strcmp(t, name) == 0)
				return e;
		}
	}
	return NULL;
}

/*
 * The answer to a call of a coded entry, from its worker's result (any
 * JSON object: a worker is not trusted): the method's result as JSON text
 * (*outlen), or NULL with *code and why for an error reply. A tool's
 * isError (its code raised, it timed out, it died) is an error reply.
 * modern: for a 2026 session (a read's caching hints).
 */
char *
catalog_render(const struct tool *t, const char *uri, int modern,
    const char *result, size_t len, size_t *outlen, int *code, char *why,
    size_t whylen)
{
	const struct toolspec	*ts = tool_spec(t);
	struct json_object	*res, *ie, *c, *e = catalog_of_tool(ts->name);
	const char		*text = NULL, *s;
	char			 err[256];
	char			*out = NULL;
	int			 bad;

	*code = JSONRPC_INTERNAL_ERROR;
	if ((res = json_parse_object(result, len)) == NULL) {
		snprintf(why, whylen, "%s: its worker sent no JSON object",
		    ts->name);
		return NULL;
	}
	if (json_object_object_get_ex(res, "isError", &ie) &&
	    json_object_get_boolean(ie)) {
		if (json_object_object_get_ex(res, "content", &c) &&
		    json_object_is_type(c, json_type_array) &&
		    json_object_array_length(c) > 0)
			text = catalog_str(json_object_array_get_idx(c, 0), "text");
		snprintf(why, whylen, "%s failed: %s", ts->name,
		    text != NULL ? text : "(no reason given)");
		json_object_put(res);
		return NULL;
	}
	switch (ts->kind) {
	case KIND_RESOURCE:
		bad = catalog_contents(res, uri, e, err, sizeof(err));
		if (modern) {	/* 2026: made by code now, for this caller */
			json_object_object_add(res, "ttlMs",
			    json_object_new_int(0));
			json_object_object_add(res, "cacheScope",
			    json_object_new_string("private"));
		}
		break;
	case KIND_PROMPT:
		bad = catalog_messages_ok(res, e, err, sizeof(err));
		break;
	default:
		bad = catalog_completion_ok(res, err, sizeof(err));
		break;
	}
	if (bad == -1)
		snprintf(why, whylen, "%s: %s", ts->name, err);
	else {
		s = json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
		*outlen = strlen(s);
		out = xstrdup(s);
	}
	json_object_put(res);
	return out;
}
