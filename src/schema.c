/*
 * Check tools/call arguments against a tool's inputSchema, for the subset of
 * JSON Schema the worker derives from Python signatures: type (one or a
 * list), anyOf, enum, items, properties, required, additionalProperties.
 * The arguments are tokens of the request (jsonparse.c), checked where they
 * lie. Errors name the argument, e.g. "argument 'a': expected integer, got
 * string".
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp-hotd.h"

#define SCHEMA_KEY_SMALL	256

struct schema_ctx {
	const struct jdoc	*d;
	char			*err;
	size_t			 errlen;
};

static const char *
schema_type_of(const struct jdoc *d, int i)
{
	switch (d->t[i].type) {
	case JT_NULL:
		return "null";
	case JT_TRUE:
	case JT_FALSE:
		return "boolean";
	case JT_NUMBER:
		return d->t[i].flags & JT_FRACTION ? "number" : "integer";
	case JT_STRING:
		return "string";
	case JT_ARRAY:
		return "array";
	case JT_OBJECT:
		return "object";
	}
	return "unknown";
}

/* 1.0 and 1e3 are integers too, as JSON Schema has it. */
static int
schema_whole_number(const struct jdoc *d, int i)
{
	char	num[64];
	size_t	n = d->t[i].end - d->t[i].start;
	double	v;

	if (n >= sizeof(num))
		return 0;
	memcpy(num, d->text + d->t[i].start, n);
	num[n] = '\0';
	v = strtod(num, NULL);
	return isfinite(v) && v == floor(v);
}

static int
schema_is_type(const struct jdoc *d, int i, const char *type)
{
	if (strcmp(type, "number") == 0)
		return d->t[i].type == JT_NUMBER;
	if (strcmp(type, "integer") == 0 && d->t[i].type == JT_NUMBER &&
	    (d->t[i].flags & JT_FRACTION))
		return schema_whole_number(d, i);
	return strcmp(type, schema_type_of(d, i)) == 0;
}

static int	schema_value(struct schema_ctx *, struct json_object *, int,
		    const char *);

static int
schema_fail(struct schema_ctx *c, const char *path, const char *what,
    const char *detail)
{
	snprintf(c->err, c->errlen, "argument '%s': %s%s", path, what, detail);
	return -1;
}

static int
schema_types(struct schema_ctx *c, struct json_object *schema, int v,
    const char *path)
{
	struct json_object	*t;
	char			 want[256] = "";
	size_t			 i, n;

	if (!json_object_object_get_ex(schema, "type", &t))
		return 0;
	if (json_object_is_type(t, json_type_string)) {
		if (schema_is_type(c->d, v, json_object_get_string(t)))
			return 0;
		snprintf(want, sizeof(want), "expected %s, got ",
		    json_object_get_string(t));
		return schema_fail(c, path, want, schema_type_of(c->d, v));
	}
	if (!json_object_is_type(t, json_type_array))
		return 0;
	n = json_object_array_length(t);
	for (i = 0; i < n; i++) {
		const char *name = json_object_get_string(
		    json_object_array_get_idx(t, i));
		if (name != NULL && schema_is_type(c->d, v, name))
			return 0;
		strncat(want, i ? " or " : "expected ",
		    sizeof(want) - strlen(want) - 1);
		strncat(want, name ? name : "?", sizeof(want) - strlen(want) - 1);
	}
	strncat(want, ", got ", sizeof(want) - strlen(want) - 1);
	return schema_fail(c, path, want, schema_type_of(c->d, v));
}

static int
schema_enum(struct schema_ctx *c, struct json_object *schema, int v,
    const char *path)
{
	struct json_object	*e, *val;
	size_t			 i, n;
	int			 found = 0;

	if (!json_object_object_get_ex(schema, "enum", &e) ||
	    !json_object_is_type(e, json_type_array))
		return 0;
	val = jdoc_object(c->d, v);
	n = json_object_array_length(e);
	for (i = 0; i < n && !found; i++)
		found = json_object_equal(json_object_array_get_idx(e, i), val);
	json_object_put(val);
	if (found)
		return 0;
	return schema_fail(c, path, "must be one of ",
	    json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
}

static int
schema_any_of(struct schema_ctx *c, struct json_object *schema, int v,
    const char *path)
{
	struct json_object	*a;
	size_t			 i, n;

	if (!json_object_object_get_ex(schema, "anyOf", &a) ||
	    !json_object_is_type(a, json_type_array))
		return 0;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		if (schema_value(c, json_object_array_get_idx(a, i), v,
		    path) == 0)
			return 0;
	return schema_fail(c, path, "matches none of the allowed types, got ",
	    schema_type_of(c->d, v));
}

static int
schema_items(struct schema_ctx *c, struct json_object *schema, int v,
    const char *path)
{
	struct json_object	*items;
	char			 sub[256];
	uint32_t		 m;
	int			 e;

	if (c->d->t[v].type != JT_ARRAY ||
	    !json_object_object_get_ex(schema, "items", &items))
		return 0;
	JDOC_FOREACH_ELEMENT(c->d, v, e, m) {
		snprintf(sub, sizeof(sub), "%s[%u]", path, m);
		if (schema_value(c, items, e, sub) == -1)
			return -1;
	}
	return 0;
}

static int
schema_required(struct schema_ctx *c, struct json_object *schema, int v,
    const char *path)
{
	struct json_object	*req;
	const char		*k;
	size_t			 i, n;

	if (!json_object_object_get_ex(schema, "required", &req) ||
	    !json_object_is_type(req, json_type_array))
		return 0;
	n = json_object_array_length(req);
	for (i = 0; i < n; i++) {
		k = json_object_get_string(json_object_array_get_idx(req, i));
		if (k == NULL || jdoc_member(c->d, v, k) != -1)
			continue;
		if (*path == '\0')
			snprintf(c->err, c->errlen, "missing required argument "
			    "'%s'", k);
		else
			snprintf(c->err, c->errlen, "argument '%s': missing "
			    "required key '%s'", path, k);
		return -1;
	}
	return 0;
}

/* One member of an object value, against properties/additionalProperties. */
static int
schema_member(struct schema_ctx *c, struct json_object *props,
    struct json_object *extra, int k, const char *key, const char *path)
{
	struct json_object	*s;
	char			 sub[256];

	snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
	if (props != NULL && json_object_object_get_ex(props, key, &s))
		return schema_value(c, s, k + 1, sub);
	if (extra != NULL && json_object_is_type(extra, json_type_boolean) &&
	    !json_object_get_boolean(extra)) {
		if (*path == '\0')
			snprintf(c->err, c->errlen, "unknown argument '%s'", key);
		else
			snprintf(c->err, c->errlen, "argument '%s': unknown key "
			    "'%s'", path, key);
		return -1;
	}
	if (extra != NULL && json_object_is_type(extra, json_type_object))
		return schema_value(c, extra, k + 1, sub);
	return 0;
}

/* properties / required / additionalProperties of an object value. */
static int
schema_members(struct schema_ctx *c, struct json_object *schema, int v,
    const char *path)
{
	struct json_object	*props = NULL, *extra = NULL;
	char			 small[SCHEMA_KEY_SMALL], *key;
	size_t			 len;
	uint32_t		 m;
	int			 k, rv = 0;

	if (c->d->t[v].type != JT_OBJECT)
		return 0;
	json_object_object_get_ex(schema, "properties", &props);
	json_object_object_get_ex(schema, "additionalProperties", &extra);
	if (schema_required(c, schema, v, path) == -1)
		return -1;
	JDOC_FOREACH_MEMBER(c->d, v, k, m) {
		key = small;
		if ((len = jdoc_string(c->d, k, small, sizeof(small))) >=
		    sizeof(small)) {
			if ((key = malloc(len + 1)) == NULL)
				fatal("%s", __func__);
			jdoc_string(c->d, k, key, len + 1);
		}
		/* "a\u0000b" is not the property "a". */
		rv = schema_member(c, strlen(key) == len ? props : NULL, extra,
		    k, key, path);
		if (key != small)
			free(key);
		if (rv == -1)
			return -1;
	}
	return 0;
}

static int
schema_value(struct schema_ctx *c, struct json_object *schema, int v,
    const char *path)
{
	if (schema == NULL || !json_object_is_type(schema, json_type_object))
		return 0;
	if (schema_types(c, schema, v, path) == -1 ||
	    schema_enum(c, schema, v, path) == -1 ||
	    schema_any_of(c, schema, v, path) == -1 ||
	    schema_items(c, schema, v, path) == -1 ||
	    schema_members(c, schema, v, path) == -1)
		return -1;
	return 0;
}

/*
 * Returns 0 when token v of d fits schema, else -1 with err naming the
 * argument.
 */
int
schema_check(struct json_object *schema, const struct jdoc *d, int v,
    char *err, size_t errlen)
{
	struct schema_ctx	c = { d, err, errlen };

	return schema_value(&c, schema, v, "");
}
