/* SPDX-License-Identifier: ISC */
/*
 * The catalog: the tools file's resources, resource templates and prompts
 * (read by catalog_file.c), switched in with the tools they run on
 * (catalog_switch, from the reload's switch), and what changed told to the
 * sessions that listen (list_changed of each kind; resources/updated for
 * a resource whose entry, its text or its code, changed).
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

#include "clients.h"
#include "mcp-hotd.h"
#include "catalog.h"
#include "xmalloc.h"

static struct {
	struct json_object	*cur;		/* served: an array of entries */
	struct json_object	*want;		/* the newest file's, until its
						 * reload switches */
	uint64_t		 prompts_v;	/* versions as last told */
	uint64_t		 resources_v;
	struct json_object	*seen;		/* {uri: version} of resources */
} cat;

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
