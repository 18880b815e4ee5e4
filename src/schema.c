/*
 * Check tools/call arguments against a tool's inputSchema, for the subset of
 * JSON Schema the worker derives from Python signatures: type (one or a
 * list), anyOf, enum, items, properties, required, additionalProperties.
 * Errors name the argument, e.g. "argument 'a': expected integer, got string".
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mcp-hotd.h"

static const char *
schema_type_of(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "boolean";
	case json_type_int:
		return "integer";
	case json_type_double:
		return "number";
	case json_type_string:
		return "string";
	case json_type_array:
		return "array";
	case json_type_object:
		return "object";
	}
	return "unknown";
}

static int
schema_is_type(struct json_object *v, const char *type)
{
	double	d;

	if (strcmp(type, "number") == 0)
		return json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double);
	if (strcmp(type, "integer") == 0 &&
	    json_object_is_type(v, json_type_double)) {
		d = json_object_get_double(v);
		return isfinite(d) && d == floor(d);
	}
	return strcmp(type, schema_type_of(v)) == 0;
}

static int	schema_value(struct json_object *, struct json_object *,
		    const char *, char *, size_t);

static int
schema_fail(char *err, size_t errlen, const char *path, const char *what,
    const char *detail)
{
	snprintf(err, errlen, "argument '%s': %s%s", path, what, detail);
	return -1;
}

static int
schema_types(struct json_object *schema, struct json_object *v,
    const char *path, char *err, size_t errlen)
{
	struct json_object	*t;
	char			 want[256] = "";
	size_t			 i, n;

	if (!json_object_object_get_ex(schema, "type", &t))
		return 0;
	if (json_object_is_type(t, json_type_string)) {
		if (schema_is_type(v, json_object_get_string(t)))
			return 0;
		snprintf(want, sizeof(want), "expected %s, got ",
		    json_object_get_string(t));
		return schema_fail(err, errlen, path, want, schema_type_of(v));
	}
	if (!json_object_is_type(t, json_type_array))
		return 0;
	n = json_object_array_length(t);
	for (i = 0; i < n; i++) {
		const char *name = json_object_get_string(
		    json_object_array_get_idx(t, i));
		if (schema_is_type(v, name))
			return 0;
		strncat(want, i ? " or " : "expected ",
		    sizeof(want) - strlen(want) - 1);
		strncat(want, name, sizeof(want) - strlen(want) - 1);
	}
	strncat(want, ", got ", sizeof(want) - strlen(want) - 1);
	return schema_fail(err, errlen, path, want, schema_type_of(v));
}

static int
schema_enum(struct json_object *schema, struct json_object *v,
    const char *path, char *err, size_t errlen)
{
	struct json_object	*e;
	size_t			 i, n;

	if (!json_object_object_get_ex(schema, "enum", &e) ||
	    !json_object_is_type(e, json_type_array))
		return 0;
	n = json_object_array_length(e);
	for (i = 0; i < n; i++)
		if (json_object_equal(json_object_array_get_idx(e, i), v))
			return 0;
	return schema_fail(err, errlen, path, "must be one of ",
	    json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
}

static int
schema_any_of(struct json_object *schema, struct json_object *v,
    const char *path, char *err, size_t errlen)
{
	struct json_object	*a;
	size_t			 i, n;

	if (!json_object_object_get_ex(schema, "anyOf", &a) ||
	    !json_object_is_type(a, json_type_array))
		return 0;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++)
		if (schema_value(json_object_array_get_idx(a, i), v, path,
		    err, errlen) == 0)
			return 0;
	return schema_fail(err, errlen, path, "matches none of the allowed "
	    "types, got ", schema_type_of(v));
}

static int
schema_items(struct json_object *schema, struct json_object *v,
    const char *path, char *err, size_t errlen)
{
	struct json_object	*items;
	char			 sub[256];
	size_t			 i, n;

	if (!json_object_is_type(v, json_type_array) ||
	    !json_object_object_get_ex(schema, "items", &items))
		return 0;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if (schema_value(items, json_object_array_get_idx(v, i), sub,
		    err, errlen) == -1)
			return -1;
	}
	return 0;
}

/* properties / required / additionalProperties of an object value. */
static int
schema_members(struct json_object *schema, struct json_object *v,
    const char *path, char *err, size_t errlen)
{
	struct json_object	*props = NULL, *req, *extra = NULL, *s;
	char			 sub[256];
	size_t			 i, n;

	if (!json_object_is_type(v, json_type_object))
		return 0;
	json_object_object_get_ex(schema, "properties", &props);
	json_object_object_get_ex(schema, "additionalProperties", &extra);
	if (json_object_object_get_ex(schema, "required", &req) &&
	    json_object_is_type(req, json_type_array)) {
		n = json_object_array_length(req);
		for (i = 0; i < n; i++) {
			const char *k = json_object_get_string(
			    json_object_array_get_idx(req, i));
			if (json_object_object_get_ex(v, k, NULL))
				continue;
			if (*path == '\0')
				snprintf(err, errlen, "missing required "
				    "argument '%s'", k);
			else
				snprintf(err, errlen, "argument '%s': missing "
				    "required key '%s'", path, k);
			return -1;
		}
	}
	json_object_object_foreach(v, key, val) {
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "",
		    key);
		if (props != NULL && json_object_object_get_ex(props, key, &s)) {
			if (schema_value(s, val, sub, err, errlen) == -1)
				return -1;
			continue;
		}
		if (extra != NULL && json_object_is_type(extra,
		    json_type_boolean) && !json_object_get_boolean(extra)) {
			if (*path == '\0')
				snprintf(err, errlen, "unknown argument '%s'",
				    key);
			else
				snprintf(err, errlen, "argument '%s': unknown "
				    "key '%s'", path, key);
			return -1;
		}
		if (extra != NULL && json_object_is_type(extra,
		    json_type_object) &&
		    schema_value(extra, val, sub, err, errlen) == -1)
			return -1;
	}
	return 0;
}

static int
schema_value(struct json_object *schema, struct json_object *v,
    const char *path, char *err, size_t errlen)
{
	if (schema == NULL || !json_object_is_type(schema, json_type_object))
		return 0;
	if (schema_types(schema, v, path, err, errlen) == -1 ||
	    schema_enum(schema, v, path, err, errlen) == -1 ||
	    schema_any_of(schema, v, path, err, errlen) == -1 ||
	    schema_items(schema, v, path, err, errlen) == -1 ||
	    schema_members(schema, v, path, err, errlen) == -1)
		return -1;
	return 0;
}

/* Returns 0 when args fit schema, else -1 with err naming the argument. */
int
schema_check(struct json_object *schema, struct json_object *args, char *err,
    size_t errlen)
{
	return schema_value(schema, args, "", err, errlen);
}
