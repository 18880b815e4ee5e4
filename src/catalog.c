/* SPDX-License-Identifier: ISC */
/*
 * The catalog: the tools file's resources, resource templates and prompts.
 * Read here at a load (catalog_entry: each entry checked, a coded one handed
 * to config.c as a tool of its kind), switched in with the tools it runs
 * on (catalog_switch, from the reload's switch), and what changed told to
 * the sessions that listen (list_changed of each kind; resources/updated
 * for a resource whose entry, its text or its code, changed).
 *
 * An entry is kept as a JSON object: "kind", "name", "access" (the name a
 * --clients pattern matches: "prompt:NAME", "resource:NAME",
 * "template:NAME"), "version" (of the entry as written), "tool" (a coded
 * one's), and its own fields, checked and normalized.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "clients.h"
#include "mcp-hotd.h"
#include "catalog.h"
#include "uritemplate.h"
#include "xmalloc.h"

#define CATALOG_NAME_MAX	100
#define CATALOG_URI_MAX		2048
#define CATALOG_VALUES_MAX	10000	/* a static completion list */

static const char *const catalog_tool_fields[] = {
	"description", "timeout_ms", "load_timeout_ms", "memory_mb", "disk_mb",
	"concurrency", "idle_ms", "min_workers", "async_concurrency", "allow",
	"requires", NULL
};

struct catalog_kind {
	const char		*kind;		/* as the file says it */
	const char		*prefix;	/* of its access and tool names */
	enum entry_kind		 runs_as;
	const char *const	*fields;	/* its own, beyond the tool's */
};

static const char *const resource_fields[] = { "kind", "name", "uri",
	"title", "mimeType", "text", "blob", "code", NULL };
static const char *const template_fields[] = { "kind", "name",
	"uriTemplate", "title", "mimeType", "code", "complete", NULL };
static const char *const prompt_fields[] = { "kind", "name", "title",
	"code", "messages", "arguments", "complete", NULL };

static const struct catalog_kind catalog_kinds[] = {
	{ "resource", "resource:", KIND_RESOURCE, resource_fields },
	{ "resource_template", "template:", KIND_RESOURCE, template_fields },
	{ "prompt", "prompt:", KIND_PROMPT, prompt_fields },
	{ NULL, NULL, KIND_TOOL, NULL }
};

static struct {
	struct json_object	*cur;		/* served: an array of entries */
	struct json_object	*want;		/* the newest file's, until its
						 * reload switches */
	uint64_t		 prompts_v;	/* versions as last told */
	uint64_t		 resources_v;
	struct json_object	*seen;		/* {uri: version} of resources */
} cat;

static const char *
catalog_str(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int
catalog_name_ok(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > CATALOG_NAME_MAX)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* A URI as MCP has it: a scheme, ':', the rest; no space or control. */
static int
catalog_uri_ok(const char *s)
{
	const char	*p = s;

	if (s == NULL || strlen(s) > CATALOG_URI_MAX || !isalpha((unsigned char)*p))
		return 0;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (*p != ':')
		return 0;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static void
catalog_unknown_fields(const struct catalog_kind *k, const char *access,
    struct json_object *entry)
{
	size_t	i, j;

	json_object_object_foreach(entry, key, val) {
		(void)val;
		for (i = 0; k->fields[i] != NULL; i++)
			if (strcmp(key, k->fields[i]) == 0)
				break;
		for (j = 0; catalog_tool_fields[j] != NULL; j++)
			if (strcmp(key, catalog_tool_fields[j]) == 0)
				break;
		if (k->fields[i] == NULL && catalog_tool_fields[j] == NULL)
			log_warnx("%s: unknown field '%s' ignored", access, key);
	}
}

/* A message's content: a string is text; else an item with a "type". */
static struct json_object *
catalog_content(struct json_object *c)
{
	struct json_object	*o, *t;

	if (json_object_is_type(c, json_type_string)) {
		o = json_object_new_object();
		json_object_object_add(o, "type", json_object_new_string("text"));
		json_object_object_add(o, "text", json_object_get(c));
		return o;
	}
	if (json_object_is_type(c, json_type_object) &&
	    json_object_object_get_ex(c, "type", &t) &&
	    json_object_is_type(t, json_type_string))
		return json_object_get(c);
	return NULL;
}

/* Static "messages": normalized into n, or -1 with why. */
static int
catalog_messages(struct json_object *n, struct json_object *msgs, char *why,
    size_t len)
{
	struct json_object	*out, *m, *role, *c, *o, *content;
	size_t			 i;

	if (!json_object_is_type(msgs, json_type_array) ||
	    json_object_array_length(msgs) == 0) {
		snprintf(why, len, "'messages' must be a non-empty array");
		return -1;
	}
	out = json_object_new_array();
	for (i = 0; i < json_object_array_length(msgs); i++) {
		m = json_object_array_get_idx(msgs, i);
		role = NULL;
		if (json_object_is_type(m, json_type_string)) {
			c = m;
		} else if (!json_object_is_type(m, json_type_object) ||
		    !json_object_object_get_ex(m, "content", &c) ||
		    (json_object_object_get_ex(m, "role", &role) &&
		    (!json_object_is_type(role, json_type_string) ||
		    (strcmp(json_object_get_string(role), "user") != 0 &&
		    strcmp(json_object_get_string(role), "assistant") != 0)))) {
			snprintf(why, len, "'messages[%zu]' must be a string or "
			    "{\"role\": \"user\" or \"assistant\", \"content\": "
			    "...}", i);
			json_object_put(out);
			return -1;
		}
		if ((content = catalog_content(c)) == NULL) {
			snprintf(why, len, "'messages[%zu].content' must be a "
			    "string or a content item with a \"type\"", i);
			json_object_put(out);
			return -1;
		}
		o = json_object_new_object();
		json_object_object_add(o, "role", json_object_new_string(
		    role ? json_object_get_string(role) : "user"));
		json_object_object_add(o, "content", content);
		json_object_array_add(out, o);
	}
	json_object_object_add(n, "messages", out);
	return 0;
}

/* Static "arguments": [{name, description?, required?}]. */
static int
catalog_arguments(struct json_object *n, struct json_object *args,
    char *why, size_t len)
{
	struct json_object	*a, *v;
	size_t			 i;

	if (!json_object_is_type(args, json_type_array))
		goto bad;
	for (i = 0; i < json_object_array_length(args); i++) {
		a = json_object_array_get_idx(args, i);
		if (!json_object_is_type(a, json_type_object) ||
		    !catalog_name_ok(catalog_str(a, "name")) ||
		    (json_object_object_get_ex(a, "description", &v) &&
		    !json_object_is_type(v, json_type_string)) ||
		    (json_object_object_get_ex(a, "required", &v) &&
		    !json_object_is_type(v, json_type_boolean)))
			goto bad;
	}
	json_object_object_add(n, "arguments", json_object_get(args));
	return 0;
bad:
	snprintf(why, len, "'arguments' must be an array of {\"name\": ..., "
	    "\"description\": ..., \"required\": true or false}");
	return -1;
}

/*
 * "complete": {argument: [values] or "Python source of a function"}. A
 * list is kept in n; a function is given back in *code for the caller to
 * load, after the entry itself.
 */
static int
catalog_complete(struct json_object *n, struct json_object *c, char *why,
    size_t len)
{
	struct json_object	*out, *spec;
	size_t			 i, nv;

	if (!json_object_is_type(c, json_type_object))
		goto bad;
	out = json_object_new_object();
	json_object_object_foreach(c, arg, v) {
		spec = json_object_new_object();
		if (json_object_is_type(v, json_type_string) &&
		    json_object_get_string_len(v) > 0)
			json_object_object_add(spec, "code", json_object_get(v));
		else if (json_object_is_type(v, json_type_array) &&
		    (nv = json_object_array_length(v)) <= CATALOG_VALUES_MAX) {
			for (i = 0; i < nv; i++)
				if (!json_object_is_type(
				    json_object_array_get_idx(v, i),
				    json_type_string))
					break;
			if (i < nv) {
				json_object_put(spec);
				json_object_put(out);
				goto bad;
			}
			json_object_object_add(spec, "values",
			    json_object_get(v));
		} else {
			json_object_put(spec);
			json_object_put(out);
			goto bad;
		}
		json_object_object_add(out, arg, spec);
	}
	json_object_object_add(n, "complete", out);
	return 0;
bad:
	snprintf(why, len, "'complete' must map argument names to a list of "
	    "at most %d strings or to the Python source of a function",
	    CATALOG_VALUES_MAX);
	return -1;
}

/* The fields of kind k beyond name: into n, or -1 with why. */
static int
catalog_fields(const struct catalog_kind *k, struct json_object *entry,
    struct json_object *n, char *why, size_t len)
{
	static const char *const strs[] = { "title", "description",
	    "mimeType", NULL };
	struct json_object	*v;
	const char		*s;
	size_t			 i, nsrc = 0, blen;
	char			*buf;

	for (i = 0; strs[i] != NULL; i++) {
		if (!json_object_object_get_ex(entry, strs[i], &v))
			continue;
		if (!json_object_is_type(v, json_type_string)) {
			snprintf(why, len, "'%s' must be a string", strs[i]);
			return -1;
		}
		json_object_object_add(n, strs[i], json_object_get(v));
	}
	if (json_object_object_get_ex(entry, "code", &v)) {
		if (catalog_str(entry, "code") == NULL ||
		    json_object_get_string_len(v) == 0) {
			snprintf(why, len, "'code' must be Python source");
			return -1;
		}
		nsrc++;
	}
	if (k->fields == resource_fields) {
		if (!catalog_uri_ok(s = catalog_str(entry, "uri"))) {
			snprintf(why, len, "missing or invalid 'uri' (a URI "
			    "with a scheme, at most %d bytes)", CATALOG_URI_MAX);
			return -1;
		}
		json_object_object_add(n, "uri", json_object_new_string(s));
		if (json_object_object_get_ex(entry, "text", &v)) {
			if (!json_object_is_type(v, json_type_string)) {
				snprintf(why, len, "'text' must be a string");
				return -1;
			}
			json_object_object_add(n, "text", json_object_get(v));
			nsrc++;
		}
		if (json_object_object_get_ex(entry, "blob", &v)) {
			s = catalog_str(entry, "blob");
			blen = s != NULL ? strlen(s) : 0;
			buf = xmalloc(blen + 1);
			if (s == NULL || base64_decode(s, blen, buf, blen + 1,
			    BASE64_STD) < 0) {
				free(buf);
				snprintf(why, len, "'blob' must be standard, "
				    "padded base64");
				return -1;
			}
			free(buf);
			json_object_object_add(n, "blob", json_object_get(v));
			nsrc++;
		}
		if (nsrc != 1) {
			snprintf(why, len, "a resource has one of 'text', "
			    "'blob' or 'code'");
			return -1;
		}
		return 0;
	}
	if (k->fields == template_fields) {
		s = catalog_str(entry, "uriTemplate");
		if (!catalog_uri_ok(s)) {
			snprintf(why, len, "missing or invalid 'uriTemplate'");
			return -1;
		}
		if (uritemplate_check(s, why, len) == -1)
			return -1;
		json_object_object_add(n, "uriTemplate",
		    json_object_new_string(s));
		if (nsrc != 1) {
			snprintf(why, len, "a resource template has 'code': "
			    "a function of the template's variables");
			return -1;
		}
	} else {
		if (json_object_object_get_ex(entry, "messages", &v)) {
			if (catalog_messages(n, v, why, len) == -1)
				return -1;
			nsrc++;
		}
		if (nsrc != 1) {
			snprintf(why, len, "a prompt has one of 'code' or "
			    "'messages'");
			return -1;
		}
		if (json_object_object_get_ex(entry, "arguments", &v) &&
		    catalog_arguments(n, v, why, len) == -1)
			return -1;
	}
	if (json_object_object_get_ex(entry, "complete", &v) &&
	    catalog_complete(n, v, why, len) == -1)
		return -1;
	return 0;
}

/* An entry of the catalog being built with the same access (or uri). */
static int
catalog_duplicate(struct json_object *list, struct json_object *n,
    char *why, size_t len)
{
	struct json_object	*e;
	const char		*uri = catalog_str(n, "uri"), *u;
	size_t			 i;

	for (i = 0; list != NULL && i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		if (strcmp(catalog_str(e, "access"),
		    catalog_str(n, "access")) == 0) {
			snprintf(why, len, "one of that name comes earlier in "
			    "the file");
			return 1;
		}
		if (uri != NULL && (u = catalog_str(e, "uri")) != NULL &&
		    strcmp(u, uri) == 0) {
			snprintf(why, len, "a resource of that uri comes "
			    "earlier in the file");
			return 1;
		}
	}
	return 0;
}

/* The tool entry a coded one runs as: its code and the tool's fields. */
static struct json_object *
catalog_tool_entry(struct json_object *entry, const char *name,
    struct json_object *code)
{
	struct json_object	*t = json_object_new_object(), *v;
	size_t			 i;

	json_object_object_add(t, "name", json_object_new_string(name));
	json_object_object_add(t, "code", json_object_get(code));
	for (i = 0; catalog_tool_fields[i] != NULL; i++)
		if (json_object_object_get_ex(entry, catalog_tool_fields[i],
		    &v))
			json_object_object_add(t, catalog_tool_fields[i],
			    json_object_get(v));
	return t;
}

/* The completion functions of n: each a tool; one that fails is dropped. */
static void
catalog_complete_tools(struct toolset *set, size_t idx,
    struct json_object *entry, struct json_object *n, const char *kind)
{
	struct json_object	*c, *code, *t;
	char			 name[512];

	if (!json_object_object_get_ex(n, "complete", &c))
		return;
	json_object_object_foreach(c, arg, spec) {
		if (!json_object_object_get_ex(spec, "code", &code))
			continue;
		snprintf(name, sizeof(name), "complete:%s:%s:%s", kind,
		    catalog_str(n, "name"), arg);
		t = catalog_tool_entry(entry, name, code);
		json_object_object_del(spec, "code");
		if (config_add_tool(set, idx, t, KIND_COMPLETION) == 0)
			json_object_object_add(spec, "tool",
			    json_object_new_string(name));
		json_object_put(t);
	}
}

int
catalog_entry(struct toolset *set, size_t idx, struct json_object *entry)
{
	const struct catalog_kind	*k;
	struct json_object		*n, *code, *t;
	const char			*kind, *name, *canon;
	char				 access[256], why[512], ver[17];

	if ((kind = catalog_str(entry, "kind")) == NULL)
		return config_bad(set, idx, NULL, "'kind' must be a string: "
		    "tool, resource, resource_template or prompt");
	if (strcmp(kind, "tool") == 0)
		return config_add_tool(set, idx, entry, KIND_TOOL);
	for (k = catalog_kinds; k->kind != NULL; k++)
		if (strcmp(k->kind, kind) == 0)
			break;
	if (k->kind == NULL)
		return config_bad(set, idx, NULL, "unknown kind '%.64s' (tool, "
		    "resource, resource_template or prompt)", kind);
	if (!catalog_name_ok(name = catalog_str(entry, "name")))
		return config_bad(set, idx, NULL, "a %s's 'name' must be 1 to "
		    "%d characters without control characters", kind,
		    CATALOG_NAME_MAX);
	snprintf(access, sizeof(access), "%s%s", k->prefix, name);
	catalog_unknown_fields(k, access, entry);
	n = json_object_new_object();
	json_object_object_add(n, "kind", json_object_new_string(kind));
	json_object_object_add(n, "name", json_object_new_string(name));
	json_object_object_add(n, "access", json_object_new_string(access));
	if (catalog_fields(k, entry, n, why, sizeof(why)) == -1 ||
	    catalog_duplicate(set->catalog, n, why, sizeof(why))) {
		json_object_put(n);
		return config_bad(set, idx, access, "%s", why);
	}
	if (json_object_object_get_ex(entry, "code", &code)) {
		t = catalog_tool_entry(entry, access, code);
		if (config_add_tool(set, idx, t, k->runs_as) == -1) {
			json_object_put(t);
			json_object_put(n);
			return -1;
		}
		json_object_put(t);
		json_object_object_add(n, "tool", json_object_new_string(
		    access));
	}
	catalog_complete_tools(set, idx, entry, n, k->prefix[0] == 'p' ?
	    "prompt" : "template");
	canon = json_object_to_json_string_ext(entry, JSON_C_TO_STRING_PLAIN);
	snprintf(ver, sizeof(ver), "%016" PRIx64, hash_bytes(0, canon,
	    strlen(canon)));
	json_object_object_add(n, "version", json_object_new_string(ver));
	if (set->catalog == NULL)
		set->catalog = json_object_new_array();
	json_object_array_add(set->catalog, n);
	return 0;
}

/* The newest file's catalog (taken), served from its reload's switch. */
void
catalog_want(struct json_object *entries)
{
	json_object_put(cat.want);
	cat.want = entries != NULL ? entries : json_object_new_array();
}

struct json_object *
catalog_entries(void)
{
	return cat.cur;
}

/* The routed tool an entry's code runs as (key: "tool", or a completion
 * spec's), or NULL: none, or not loaded. */
struct tool *
catalog_tool(struct json_object *e, const char *arg)
{
	struct json_object	*c, *spec;
	const char		*name;

	if (arg != NULL) {
		if (!json_object_object_get_ex(e, "complete", &c) ||
		    !json_object_object_get_ex(c, arg, &spec))
			return NULL;
		e = spec;
	}
	if ((name = catalog_str(e, "tool")) == NULL)
		return NULL;
	return tool_route(name);
}

/* May this session see and use entry e (and is it there to use)? */
int
catalog_visible(const struct mcp_state *st, struct json_object *e)
{
	if (!clients_may(st->client, catalog_str(e, "access")))
		return 0;
	return catalog_str(e, "tool") == NULL || catalog_tool(e, NULL) != NULL;
}

/* The entry of kind ("prompt", ...) with name, or with uri (resources). */
struct json_object *
catalog_find(const char *kind, const char *name, const char *uri)
{
	struct json_object	*e;
	const char		*s;
	size_t			 i, n;

	n = cat.cur != NULL ? json_object_array_length(cat.cur) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(cat.cur, i);
		if (strcmp(catalog_str(e, "kind"), kind) != 0)
			continue;
		s = catalog_str(e, uri != NULL ? (strcmp(kind, "resource") ==
		    0 ? "uri" : "uriTemplate") : "name");
		if (s != NULL && strcmp(s, uri != NULL ? uri : name) == 0)
			return e;
	}
	return NULL;
}

/* What an entry serves now: its version, and its code's (0: not routed). */
static uint64_t
catalog_served(struct json_object *e)
{
	struct tool	*t;
	uint64_t	 h = strtoull(catalog_str(e, "version"), NULL, 16);

	if (catalog_str(e, "tool") == NULL)
		return h;
	if ((t = catalog_tool(e, NULL)) == NULL)
		return 0;
	return hash_bytes(h, &tool_spec(t)->version,
	    sizeof(tool_spec(t)->version));
}

/*
 * Serve the newest catalog (if one waits), after the routes switched, and
 * tell whoever listens what changed (notify: not at the first load).
 */
void
catalog_switch(int notify)
{
	struct json_object	*e, *seen, *updated, *old;
	const char		*kind, *uri;
	uint64_t		 hp = 0, hr = 0, v;
	unsigned		 changed = 0;
	size_t			 i, n;
	char			 hex[17];

	if (cat.want != NULL) {
		json_object_put(cat.cur);
		cat.cur = cat.want;
		cat.want = NULL;
	}
	seen = json_object_new_object();
	updated = json_object_new_array();
	n = cat.cur != NULL ? json_object_array_length(cat.cur) : 0;
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(cat.cur, i);
		if ((v = catalog_served(e)) == 0)
			continue;
		kind = catalog_str(e, "kind");
		if (strcmp(kind, "prompt") == 0) {
			hp = hash_bytes(hp, &v, sizeof(v));
			continue;
		}
		hr = hash_bytes(hr, &v, sizeof(v));
		if ((uri = catalog_str(e, "uri")) == NULL)
			continue;
		snprintf(hex, sizeof(hex), "%016" PRIx64, v);
		json_object_object_add(seen, uri, json_object_new_string(hex));
		if (cat.seen != NULL &&
		    json_object_object_get_ex(cat.seen, uri, &old) &&
		    strcmp(json_object_get_string(old), hex) != 0)
			json_object_array_add(updated,
			    json_object_new_string(uri));
	}
	if (hp != cat.prompts_v)
		changed |= CATALOG_PROMPTS;
	if (hr != cat.resources_v)
		changed |= CATALOG_RESOURCES;
	cat.prompts_v = hp;
	cat.resources_v = hr;
	json_object_put(cat.seen);
	cat.seen = seen;
	if (notify && (changed != 0 || json_object_array_length(updated) > 0))
		session_catalog_changed(changed, updated);
	json_object_put(updated);
}

void
catalog_clear(void)
{
	json_object_put(cat.cur);
	json_object_put(cat.want);
	json_object_put(cat.seen);
	memset(&cat, 0, sizeof(cat));
}

/* One notification, for a 2026 listen stream tagged with its id. */
static void
catalog_note(const struct mcp_state *st, struct json_object *out,
    const char *method, const char *uri)
{
	struct json_object	*n = mcp_notification(method), *params, *meta;

	params = json_object_new_object();
	if (uri != NULL)
		json_object_object_add(params, "uri",
		    json_object_new_string(uri));
	if (st->era == MCP_ERA_2026) {
		meta = json_object_new_object();
		json_object_object_add(meta,
		    "io.modelcontextprotocol/subscriptionId",
		    json_object_get(st->listen_id));
		json_object_object_add(params, "_meta", meta);
	}
	if (json_object_object_length(params) > 0)
		json_object_object_add(n, "params", params);
	else
		json_object_put(params);
	json_object_array_add(out, n);
}

/*
 * What session st hears of a switch (changed: CATALOG_*, updated: the
 * uris of resources whose entry changed): a 2025 session once initialized
 * (and one it subscribed to); a 2026 one on a listen stream that asked.
 */
struct json_object *
catalog_notes(const struct mcp_state *st, unsigned changed,
    struct json_object *updated)
{
	struct json_object	*out = json_object_new_array(), *e;
	const char		*uri;
	int			 modern = st->era == MCP_ERA_2026;
	size_t			 i;

	if (modern ? st->listen_id == NULL :
	    !st->initialized || st->no_stream)
		return out;
	if ((changed & CATALOG_PROMPTS) && (!modern || st->listen_prompts))
		catalog_note(st, out, "notifications/prompts/list_changed",
		    NULL);
	if ((changed & CATALOG_RESOURCES) &&
	    (!modern || st->listen_resources))
		catalog_note(st, out, "notifications/resources/list_changed",
		    NULL);
	for (i = 0; st->subs != NULL &&
	    i < json_object_array_length(updated); i++) {
		uri = json_object_get_string(json_object_array_get_idx(updated,
		    i));
		if (json_object_object_get_ex(st->subs, uri, NULL) &&
		    (e = catalog_find("resource", NULL, uri)) != NULL &&
		    catalog_visible(st, e))
			catalog_note(st, out, "notifications/resources/updated",
			    uri);
	}
	return out;
}

/* How many of each kind serve: status's. */
struct json_object *
catalog_counts(void)
{
	struct json_object	*o = json_object_new_object(), *e, *v;
	const char		*kind;
	size_t			 i, n;

	n = cat.cur != NULL ? json_object_array_length(cat.cur) : 0;
	json_object_object_add(o, "resources", json_object_new_int(0));
	json_object_object_add(o, "resource_templates", json_object_new_int(0));
	json_object_object_add(o, "prompts", json_object_new_int(0));
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(cat.cur, i);
		if (catalog_served(e) == 0)
			continue;
		kind = catalog_str(e, "kind");
		kind = strcmp(kind, "resource") == 0 ? "resources" :
		    strcmp(kind, "prompt") == 0 ? "prompts" :
		    "resource_templates";
		json_object_object_get_ex(o, kind, &v);
		json_object_set_int(v, json_object_get_int(v) + 1);
	}
	return o;
}
