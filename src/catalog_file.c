/* SPDX-License-Identifier: ISC */
/*
 * The tools file's entries of another kind, read (catalog_read): a
 * resource, a resource template or a prompt checked and normalized into
 * the catalog entry catalog.c serves, and for one with code the tool
 * entries its code runs as ("prompt:NAME" and the like), for config.c to
 * load as tools of that kind. Nothing here touches what serves.
 *
 * An entry is kept as a JSON object: "kind", "name", "access" (the name a
 * --clients pattern matches: "prompt:NAME", "resource:NAME",
 * "template:NAME"), "version" (of the entry as written, config.c's),
 * "tool" (a coded one's), and its own fields, checked and normalized.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
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

const char *
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
 * list is kept in n as "values"; a function's source as "code", which
 * catalog_read turns into a tool entry of its own.
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


/*
 * An entry of another kind than a tool, read: 0 with *out (its catalog
 * entry, "tool" naming the tool its code runs as) and *tools ([{"entry":
 * a tool entry, "kind": its enum entry_kind, "arg": the argument a
 * completion function completes}], the entry's own code first); or -1
 * with why, and access the name to report it by ("" when it has none).
 * so_far: the entries read before it (duplicates).
 */
int
catalog_read(struct json_object *entry, struct json_object *so_far,
    struct json_object **out, struct json_object **tools, char *access,
    size_t alen, char *why, size_t wlen)
{
	const struct catalog_kind	*k;
	struct json_object		*n, *code, *t, *c;
	const char			*kind, *name;
	char				 tname[512];

	*access = '\0';
	*out = *tools = NULL;
	kind = catalog_str(entry, "kind");
	for (k = catalog_kinds; kind != NULL && k->kind != NULL; k++)
		if (strcmp(k->kind, kind) == 0)
			break;
	if (kind == NULL || k->kind == NULL) {
		snprintf(why, wlen, "unknown kind: 'kind' must be tool, "
		    "resource, resource_template or prompt, not %.64s",
		    kind ? kind : "that");
		return -1;
	}
	if (!catalog_name_ok(name = catalog_str(entry, "name"))) {
		snprintf(why, wlen, "a %s's 'name' must be 1 to %d characters "
		    "without control characters", kind, CATALOG_NAME_MAX);
		return -1;
	}
	snprintf(access, alen, "%s%s", k->prefix, name);
	catalog_unknown_fields(k, access, entry);
	n = json_object_new_object();
	json_object_object_add(n, "kind", json_object_new_string(kind));
	json_object_object_add(n, "name", json_object_new_string(name));
	json_object_object_add(n, "access", json_object_new_string(access));
	if (catalog_fields(k, entry, n, why, wlen) == -1 ||
	    catalog_duplicate(so_far, n, why, wlen)) {
		json_object_put(n);
		return -1;
	}
	*tools = json_object_new_array();
	if (json_object_object_get_ex(entry, "code", &code)) {
		t = json_object_new_object();
		json_object_object_add(t, "entry", catalog_tool_entry(entry,
		    access, code));
		json_object_object_add(t, "kind", json_object_new_int(
		    (int)k->runs_as));
		json_object_array_add(*tools, t);
		json_object_object_add(n, "tool", json_object_new_string(
		    access));
	}
	if (json_object_object_get_ex(n, "complete", &c)) {
		json_object_object_foreach(c, arg, spec) {
			if (!json_object_object_get_ex(spec, "code", &code))
				continue;
			snprintf(tname, sizeof(tname), "complete:%s:%s:%s",
			    k->prefix[0] == 'p' ? "prompt" : "template", name,
			    arg);
			t = json_object_new_object();
			json_object_object_add(t, "entry", catalog_tool_entry(
			    entry, tname, code));
			json_object_object_add(t, "kind",
			    json_object_new_int(KIND_COMPLETION));
			json_object_object_add(t, "arg",
			    json_object_new_string(arg));
			json_object_array_add(*tools, t);
			json_object_object_del(spec, "code");
			json_object_object_add(spec, "tool",
			    json_object_new_string(tname));
		}
	}
	*out = n;
	return 0;
}

/* A completion function that did not load: its argument completes nothing. */
void
catalog_read_drop(struct json_object *n, const char *arg)
{
	struct json_object	*c, *spec;

	if (json_object_object_get_ex(n, "complete", &c) &&
	    json_object_object_get_ex(c, arg, &spec))
		json_object_object_del(spec, "tool");
}
