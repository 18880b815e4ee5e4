/*
 * Check tools/call arguments against a tool's inputSchema, for the subset of
 * JSON Schema the worker derives from Python signatures: type (one or a
 * list), anyOf, enum, items, properties, required, additionalProperties.
 *
 * A schema is compiled once, when its tool becomes READY, into a tree that
 * holds exactly those keywords: a call then costs no hash lookup and no
 * string building. The arguments are tokens of the request (jsonparse.c),
 * checked where they lie. Errors name the argument, e.g. "argument 'a':
 * expected integer, got string"; an argument's path is put into words only
 * when it is wrong.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonparse.h"
#include "mcp-hotd.h"

#define SCHEMA_PATH_MAX		256

enum {
	T_NULL = 1 << 0, T_BOOLEAN = 1 << 1, T_INTEGER = 1 << 2,
	T_NUMBER = 1 << 3, T_STRING = 1 << 4, T_ARRAY = 1 << 5,
	T_OBJECT = 1 << 6
};

static const struct {
	const char	*name;
	unsigned	 bit;
} schema_type_names[] = {
	{ "null", T_NULL }, { "boolean", T_BOOLEAN }, { "integer", T_INTEGER },
	{ "number", T_NUMBER }, { "string", T_STRING }, { "array", T_ARRAY },
	{ "object", T_OBJECT }, { NULL, 0 }
};

enum schema_extra {
	EXTRA_ANY,		/* no additionalProperties, or true */
	EXTRA_NONE,		/* false: unknown keys refused */
	EXTRA_SCHEMA		/* unknown keys checked against extra */
};

struct schema_prop {
	char		*name;
	size_t		 len;
	struct schema	*s;
};

struct schema {
	int			 checked;	/* an object: else anything goes */
	int			 has_type;
	unsigned		 types;		/* T_* bits of "type" */
	char			*want;		/* "expected integer or null, got " */
	struct json_object	*enum_values;	/* a reference, or NULL */
	struct schema		**any_of;
	size_t			 nany;
	int			 has_any_of;
	struct schema		*items;
	struct schema_prop	*props;
	size_t			 nprops;
	char			**required;
	size_t			 nrequired;
	enum schema_extra	 extra;
	struct schema		*extra_schema;
};

/* Where a value is, for messages: a chain up to the arguments object. */
struct schema_path {
	const struct schema_path *up;
	const struct jdoc	*d;
	int			 key;		/* key token, or -1 */
	uint32_t		 index;		/* in an array, when key is -1 */
};

struct schema_ctx {
	const struct jdoc	*d;
	char			*err;
	size_t			 errlen;
};

static void *
schema_calloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n ? n : 1, size)) == NULL)
		fatal("%s", __func__);
	return p;
}

static char *
schema_strdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("%s", __func__);
	return p;
}

static unsigned
schema_type_bit(const char *name)
{
	size_t	i;

	for (i = 0; schema_type_names[i].name != NULL; i++)
		if (strcmp(name, schema_type_names[i].name) == 0)
			return schema_type_names[i].bit;
	return 0;	/* unknown: never matches */
}

static void
schema_compile_type(struct schema *s, struct json_object *t)
{
	char	want[256] = "expected ";
	size_t	i, n;

	if (json_object_is_type(t, json_type_string)) {
		s->has_type = 1;
		s->types = schema_type_bit(json_object_get_string(t));
		strncat(want, json_object_get_string(t), sizeof(want) -
		    strlen(want) - 1);
	} else if (json_object_is_type(t, json_type_array)) {
		s->has_type = 1;
		n = json_object_array_length(t);
		for (i = 0; i < n; i++) {
			const char *name = json_object_get_string(
			    json_object_array_get_idx(t, i));

			s->types |= schema_type_bit(name ? name : "");
			if (i > 0)
				strncat(want, " or ", sizeof(want) -
				    strlen(want) - 1);
			strncat(want, name ? name : "?", sizeof(want) -
			    strlen(want) - 1);
		}
	} else
		return;
	strncat(want, ", got ", sizeof(want) - strlen(want) - 1);
	s->want = schema_strdup(want);
}

static void
schema_compile_members(struct schema *s, struct json_object *o)
{
	struct json_object	*v;
	size_t			 i, n;

	if (json_object_object_get_ex(o, "properties", &v) &&
	    json_object_is_type(v, json_type_object)) {
		s->props = schema_calloc((size_t)json_object_object_length(v),
		    sizeof(*s->props));
		json_object_object_foreach(v, key, sub) {
			s->props[s->nprops].name = schema_strdup(key);
			s->props[s->nprops].len = strlen(key);
			s->props[s->nprops++].s = schema_compile(sub);
		}
	}
	if (json_object_object_get_ex(o, "required", &v) &&
	    json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		s->required = schema_calloc(n, sizeof(*s->required));
		for (i = 0; i < n; i++) {
			const char *k = json_object_get_string(
			    json_object_array_get_idx(v, i));

			if (k != NULL)
				s->required[s->nrequired++] = schema_strdup(k);
		}
	}
	if (json_object_object_get_ex(o, "additionalProperties", &v)) {
		if (json_object_is_type(v, json_type_boolean) &&
		    !json_object_get_boolean(v))
			s->extra = EXTRA_NONE;
		else if (json_object_is_type(v, json_type_object)) {
			s->extra = EXTRA_SCHEMA;
			s->extra_schema = schema_compile(v);
		}
	}
}

/* The checking tree of a JSON Schema object (anything else: no checks). */
struct schema *
schema_compile(struct json_object *o)
{
	struct schema		*s = schema_calloc(1, sizeof(*s));
	struct json_object	*v;
	size_t			 i;

	if (!json_object_is_type(o, json_type_object))
		return s;
	s->checked = 1;
	if (json_object_object_get_ex(o, "type", &v))
		schema_compile_type(s, v);
	if (json_object_object_get_ex(o, "enum", &v) &&
	    json_object_is_type(v, json_type_array))
		s->enum_values = json_object_get(v);
	if (json_object_object_get_ex(o, "anyOf", &v) &&
	    json_object_is_type(v, json_type_array)) {
		s->has_any_of = 1;
		s->nany = json_object_array_length(v);
		s->any_of = schema_calloc(s->nany, sizeof(*s->any_of));
		for (i = 0; i < s->nany; i++)
			s->any_of[i] = schema_compile(
			    json_object_array_get_idx(v, i));
	}
	if (json_object_object_get_ex(o, "items", &v))
		s->items = schema_compile(v);
	schema_compile_members(s, o);
	return s;
}

void
schema_free(struct schema *s)
{
	size_t	i;

	if (s == NULL)
		return;
	free(s->want);
	json_object_put(s->enum_values);
	for (i = 0; i < s->nany; i++)
		schema_free(s->any_of[i]);
	free(s->any_of);
	schema_free(s->items);
	for (i = 0; i < s->nprops; i++) {
		free(s->props[i].name);
		schema_free(s->props[i].s);
	}
	free(s->props);
	for (i = 0; i < s->nrequired; i++)
		free(s->required[i]);
	free(s->required);
	schema_free(s->extra_schema);
	free(s);
}

/* "a.b[2]": the path in words, cut to size. */
static void
schema_path_format(const struct schema_path *p, char *buf, size_t size)
{
	char	key[SCHEMA_PATH_MAX];
	size_t	len;

	if (p == NULL) {
		buf[0] = '\0';
		return;
	}
	schema_path_format(p->up, buf, size);
	len = strlen(buf);
	if (p->key == -1) {
		snprintf(buf + len, size - len, "[%u]", p->index);
		return;
	}
	jdoc_string(p->d, p->key, key, sizeof(key));
	snprintf(buf + len, size - len, "%s%s", len ? "." : "", key);
}

static int
schema_fail(struct schema_ctx *c, const struct schema_path *p,
    const char *what, const char *detail)
{
	char	path[SCHEMA_PATH_MAX];

	schema_path_format(p, path, sizeof(path));
	snprintf(c->err, c->errlen, "argument '%s': %s%s", path, what, detail);
	return -1;
}

static unsigned
schema_type_of(const struct jdoc *d, int v)
{
	switch (d->t[v].type) {
	case JT_NULL:
		return T_NULL;
	case JT_TRUE:
	case JT_FALSE:
		return T_BOOLEAN;
	case JT_NUMBER:
		return d->t[v].flags & JT_FRACTION ? T_NUMBER : T_INTEGER;
	case JT_STRING:
		return T_STRING;
	case JT_ARRAY:
		return T_ARRAY;
	}
	return T_OBJECT;
}

static const char *
schema_type_name(const struct jdoc *d, int v)
{
	unsigned	bit = schema_type_of(d, v);
	size_t		i;

	for (i = 0; schema_type_names[i].bit != bit; i++)
		;
	return schema_type_names[i].name;
}

/* 1.0 and 1e3 are integers too, as JSON Schema has it. */
static int
schema_whole_number(const struct jdoc *d, int v)
{
	char	num[64];
	size_t	n = d->t[v].end - d->t[v].start;
	double	x;

	if (n >= sizeof(num))
		return 0;
	memcpy(num, d->text + d->t[v].start, n);
	num[n] = '\0';
	x = strtod(num, NULL);
	return isfinite(x) && x == floor(x);
}

static int
schema_types(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	unsigned	have = schema_type_of(c->d, v);

	if (!s->has_type || (s->types & have) ||
	    (have == T_INTEGER && (s->types & T_NUMBER)) ||
	    (have == T_NUMBER && (s->types & T_INTEGER) &&
	    schema_whole_number(c->d, v)))
		return 0;
	return schema_fail(c, p, s->want, schema_type_name(c->d, v));
}

static int
schema_enum(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	struct json_object	*val;
	size_t			 i, n;
	int			 found = 0;

	if (s->enum_values == NULL)
		return 0;
	val = jdoc_object(c->d, v);
	n = json_object_array_length(s->enum_values);
	for (i = 0; i < n && !found; i++)
		found = json_object_equal(json_object_array_get_idx(
		    s->enum_values, i), val);
	json_object_put(val);
	if (found)
		return 0;
	return schema_fail(c, p, "must be one of ",
	    json_object_to_json_string_ext(s->enum_values,
	    JSON_C_TO_STRING_PLAIN));
}

static int	schema_value(struct schema_ctx *, const struct schema *, int,
		    const struct schema_path *);

static int
schema_any_of(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	size_t	i;

	if (!s->has_any_of)
		return 0;
	for (i = 0; i < s->nany; i++)
		if (schema_value(c, s->any_of[i], v, p) == 0)
			return 0;
	return schema_fail(c, p, "matches none of the allowed types, got ",
	    schema_type_name(c->d, v));
}

static int
schema_items(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	struct schema_path	sub = { p, c->d, -1, 0 };
	uint32_t		m;
	int			e;

	if (s->items == NULL || c->d->t[v].type != JT_ARRAY)
		return 0;
	JDOC_FOREACH_ELEMENT(c->d, v, e, m) {
		sub.index = m;
		if (schema_value(c, s->items, e, &sub) == -1)
			return -1;
	}
	return 0;
}

static int
schema_required(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	char	path[SCHEMA_PATH_MAX];
	size_t	i;

	for (i = 0; i < s->nrequired; i++) {
		if (jdoc_member(c->d, v, s->required[i]) != -1)
			continue;
		schema_path_format(p, path, sizeof(path));
		if (path[0] == '\0')
			snprintf(c->err, c->errlen, "missing required argument "
			    "'%s'", s->required[i]);
		else
			snprintf(c->err, c->errlen, "argument '%s': missing "
			    "required key '%s'", path, s->required[i]);
		return -1;
	}
	return 0;
}

static const struct schema_prop *
schema_prop(const struct schema *s, const struct jdoc *d, int k)
{
	size_t	i;

	for (i = 0; i < s->nprops; i++)
		if (jdoc_string_eq(d, k, s->props[i].name, s->props[i].len))
			return &s->props[i];
	return NULL;
}

static int
schema_unknown(struct schema_ctx *c, const struct schema_path *p, int k)
{
	char	path[SCHEMA_PATH_MAX], key[SCHEMA_PATH_MAX];

	schema_path_format(p, path, sizeof(path));
	jdoc_string(c->d, k, key, sizeof(key));
	if (path[0] == '\0')
		snprintf(c->err, c->errlen, "unknown argument '%s'", key);
	else
		snprintf(c->err, c->errlen, "argument '%s': unknown key '%s'",
		    path, key);
	return -1;
}

/* properties / required / additionalProperties of an object value. */
static int
schema_members(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	const struct schema_prop	*prop;
	struct schema_path		 sub = { p, c->d, -1, 0 };
	uint32_t			 m;
	int				 k;

	if (c->d->t[v].type != JT_OBJECT)
		return 0;
	if (schema_required(c, s, v, p) == -1)
		return -1;
	JDOC_FOREACH_MEMBER(c->d, v, k, m) {
		sub.key = k;
		if ((prop = schema_prop(s, c->d, k)) != NULL) {
			if (schema_value(c, prop->s, k + 1, &sub) == -1)
				return -1;
		} else if (s->extra == EXTRA_NONE)
			return schema_unknown(c, p, k);
		else if (s->extra == EXTRA_SCHEMA &&
		    schema_value(c, s->extra_schema, k + 1, &sub) == -1)
			return -1;
	}
	return 0;
}

static int
schema_value(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	if (s == NULL || !s->checked)
		return 0;
	if (schema_types(c, s, v, p) == -1 ||
	    schema_enum(c, s, v, p) == -1 ||
	    schema_any_of(c, s, v, p) == -1 ||
	    schema_items(c, s, v, p) == -1 ||
	    schema_members(c, s, v, p) == -1)
		return -1;
	return 0;
}

/*
 * Returns 0 when token v of d fits schema, else -1 with err naming the
 * argument.
 */
int
schema_check(const struct schema *s, const struct jdoc *d, int v, char *err,
    size_t errlen)
{
	struct schema_ctx	c = { d, err, errlen };

	return schema_value(&c, s, v, NULL);
}
