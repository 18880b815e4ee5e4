/* SPDX-License-Identifier: ISC */
/*
 * Check tools/call arguments against a tool's inputSchema: what the worker
 * derives from Python signatures, or what a tools.json entry declares
 * (JSON Schema 2020-12 as tools use it): type, enum, const, properties,
 * required, additionalProperties, items, prefixItems, min/maxItems,
 * uniqueItems, min/maxProperties, minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, multipleOf, min/maxLength, pattern (POSIX extended),
 * format (date-time, date, time, email, uri, uuid), anyOf, oneOf, allOf,
 * not, if/then/else and $ref into $defs (a pointer or an $anchor).
 * Annotations ($schema, $id, $comment, title, description, default,
 * examples, deprecated, readOnly, writeOnly, $anchor) are kept, not checked.
 * Any other keyword cannot be checked: the schema does not compile, and
 * its tool does not load, rather than letting arguments pass unchecked.
 *
 * A schema is compiled once, when its tool becomes READY, into a tree that
 * holds exactly those keywords: a call then costs no hash lookup and no
 * string building. The arguments are tokens of the request (jsonparse.c),
 * checked where they lie. Errors name the argument, e.g. "argument 'a':
 * expected integer, got string"; an argument's path is put into words only
 * when it is wrong.
 *
 * Checking is budgeted: a client's arguments and a tool's results meet
 * schemas that can branch (anyOf, oneOf, not, if, $ref back to itself), and
 * the supervisor's one event loop must not follow 2^48 branches for them.
 * A check may take SCHEMA_STEPS_BASE steps plus SCHEMA_STEPS_PER_TOKEN per
 * token of the value (a step: one value against one subschema, one enum or
 * uniqueItems comparison, 64 bytes of a string, 50 ns of a pattern's
 * matching); past that it fails as "too complex to check against the
 * schema". Patterns are POSIX EREs without backreferences or nested
 * quantifiers, counts up to SCHEMA_COUNT_MAX, matched against at most
 * SCHEMA_SUBJECT_MAX bytes: glibc's regcomp and regexec have no budget of
 * their own, and regexec's time is quadratic in the string at worst.
 *
 * A schema a worker derived (from Python annotations) is hostile input:
 * tool code shares the interpreter that derives it. It may use only the
 * keywords the toolhost emits (schema_derived_keys), within caps on
 * nodes, depth and bytes; the rest come only from tools.json.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "xmalloc.h"

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

enum schema_format {
	FMT_NONE, FMT_DATE_TIME, FMT_DATE, FMT_TIME, FMT_EMAIL, FMT_URI,
	FMT_UUID
};

/* Numeric and size bounds: each present or not. */
enum {
	B_MIN = 1 << 0, B_MAX = 1 << 1, B_XMIN = 1 << 2, B_XMAX = 1 << 3,
	B_MULT = 1 << 4, B_MINLEN = 1 << 5, B_MAXLEN = 1 << 6,
	B_MINITEMS = 1 << 7, B_MAXITEMS = 1 << 8, B_MINPROPS = 1 << 9,
	B_MAXPROPS = 1 << 10
};

struct schema {
	int			 checked;	/* an object: else anything goes */
	int			 never;		/* the schema false */
	struct json_object	*const_value;	/* a reference, or NULL */
	int			 has_const;
	struct schema		**all_of, **one_of, **prefix;
	size_t			 nall, none, nprefix;
	struct schema		*not, *if_s, *then_s, *else_s;
	struct schema		*ref;		/* $ref's target: not owned */
	struct schema		**defs;		/* the root owns $ref targets */
	size_t			 ndefs;
	unsigned		 bounds;	/* B_* present */
	double			 min, max, xmin, xmax, mult;
	long long		 minlen, maxlen, minitems, maxitems;
	long long		 minprops, maxprops;
	int			 unique;
	regex_t			*pattern;
	char			*pattern_src;
	enum schema_format	 format;
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
	size_t			*required_len;	/* strlen of each, for the
						 * per-call lookup */
	size_t			 nrequired;
	enum schema_extra	 extra;
	struct schema		*extra_schema;
	int			 wrapped;	/* FastMCP's {"result": scalar}
						 * (schema_wrapped_type): its
						 * JT_ type + 1, or 0 */
};

static int	schema_wrapped_type(struct json_object *);

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
	unsigned		 depth;		/* schemas entered: a $ref loop
						 * that consumes no input ends */
	const char		*noun;		/* "argument", or "field" */
	uint64_t		 steps;		/* left of the budget */
	int			 over;		/* the budget ran out */
};

#define SCHEMA_DEPTH_MAX	1024

/* A check's work: see the top of this file. */
#define SCHEMA_STEPS_BASE	10000
#define SCHEMA_STEPS_PER_TOKEN	32
#define SCHEMA_SUBJECT_MAX	4096	/* bytes of a string a pattern reads */
#define SCHEMA_STEP_NS		50	/* a pattern's time, charged in steps */
#define SCHEMA_PATTERN_MAX	1024	/* bytes of a pattern */
#define SCHEMA_COUNT_MAX	255	/* {n,m} bounds in a pattern */

/* A derived schema's caps. */
#define SCHEMA_DERIVED_NODES	4096	/* schemas and enum values */
#define SCHEMA_DERIVED_DEPTH	32
#define SCHEMA_DERIVED_BYTES	65536

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
	s->want = xstrdup(want);
}

/* Compiling: the root (for $ref), the targets compiled, the first error. */
struct schema_cc {
	struct json_object	*root;
	struct schema		*top;		/* owns the $ref targets */
	struct json_object	*seen[64];	/* $ref targets, compiled as */
	struct schema		*as[64];
	size_t			 nseen;
	char			*err;
	size_t			 errlen;
};

static struct schema	*schema_compile_cc(struct schema_cc *,
			    struct json_object *);

static int
schema_bad(struct schema_cc *cc, const char *fmt, const char *what)
{
	if (cc->err[0] == '\0')
		snprintf(cc->err, cc->errlen, fmt, what);
	return -1;
}

static void
schema_compile_members(struct schema_cc *cc, struct schema *s,
    struct json_object *o)
{
	struct json_object	*v;
	size_t			 i, n;

	if (json_object_object_get_ex(o, "properties", &v) &&
	    json_object_is_type(v, json_type_object)) {
		s->props = xcalloc((size_t)json_object_object_length(v),
		    sizeof(*s->props));
		json_object_object_foreach(v, key, sub) {
			s->props[s->nprops].name = xstrdup(key);
			s->props[s->nprops].len = strlen(key);
			s->props[s->nprops++].s = schema_compile_cc(cc, sub);
		}
	}
	if (json_object_object_get_ex(o, "required", &v) &&
	    json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		s->required = xcalloc(n, sizeof(*s->required));
		s->required_len = xcalloc(n, sizeof(*s->required_len));
		for (i = 0; i < n; i++) {
			const char *k = json_object_get_string(
			    json_object_array_get_idx(v, i));

			if (k == NULL)
				continue;
			s->required_len[s->nrequired] = strlen(k);
			s->required[s->nrequired++] = xstrdup(k);
		}
	}
	if (json_object_object_get_ex(o, "additionalProperties", &v)) {
		if (json_object_is_type(v, json_type_boolean) &&
		    !json_object_get_boolean(v))
			s->extra = EXTRA_NONE;
		else if (json_object_is_type(v, json_type_object)) {
			s->extra = EXTRA_SCHEMA;
			s->extra_schema = schema_compile_cc(cc, v);
		}
	}
}

/* An array of schemas (anyOf, oneOf, allOf, prefixItems). */
static struct schema **
schema_compile_list(struct schema_cc *cc, struct json_object *a, size_t *n)
{
	struct schema	**list;
	size_t		  i;

	*n = json_object_is_type(a, json_type_array) ?
	    json_object_array_length(a) : 0;
	if (!json_object_is_type(a, json_type_array) || *n == 0)
		schema_bad(cc, "'%s' must be a non-empty array of schemas",
		    "anyOf/oneOf/allOf/prefixItems");
	list = xcalloc(*n, sizeof(*list));
	for (i = 0; i < *n; i++)
		list[i] = schema_compile_cc(cc, json_object_array_get_idx(a, i));
	return list;
}

/* The schema "#/$defs/name", "#/definitions/name" or "#anchor" names. */
static struct json_object *
schema_ref_target(struct schema_cc *cc, const char *ref)
{
	struct json_object	*defs, *t = NULL, *a;
	const char		*name;

	if (strcmp(ref, "#") == 0)
		return cc->root;
	if (strncmp(ref, "#/$defs/", 8) == 0 || strncmp(ref,
	    "#/definitions/", 14) == 0) {
		name = strchr(ref + 2, '/') + 1;
		if ((json_object_object_get_ex(cc->root, "$defs", &defs) ||
		    json_object_object_get_ex(cc->root, "definitions", &defs)) &&
		    json_object_is_type(defs, json_type_object) &&
		    json_object_object_get_ex(defs, name, &t))
			return t;
		return NULL;
	}
	if (ref[0] != '#' || strchr(ref, '/') != NULL)
		return NULL;
	if ((!json_object_object_get_ex(cc->root, "$defs", &defs) &&
	    !json_object_object_get_ex(cc->root, "definitions", &defs)) ||
	    !json_object_is_type(defs, json_type_object))
		return NULL;	/* none, or not an object: no anchor there */
	json_object_object_foreach(defs, key, sub) {
		(void)key;
		if (json_object_is_type(sub, json_type_object) &&
		    json_object_object_get_ex(sub, "$anchor", &a) &&
		    json_object_is_type(a, json_type_string) &&
		    strcmp(json_object_get_string(a), ref + 1) == 0)
			return sub;
	}
	return NULL;
}

/* A $ref: its target compiled once (recursion allowed), owned by the top. */
static void
schema_compile_ref(struct schema_cc *cc, struct schema *s,
    struct json_object *v)
{
	struct json_object	*t;
	size_t			 i;

	if (!json_object_is_type(v, json_type_string) ||
	    (t = schema_ref_target(cc, json_object_get_string(v))) == NULL) {
		schema_bad(cc, "'$ref' %s names no schema in $defs (only local "
		    "references are followed)", json_object_to_json_string(v));
		return;
	}
	for (i = 0; i < cc->nseen; i++)
		if (cc->seen[i] == t) {
			s->ref = cc->as[i];
			return;
		}
	if (cc->nseen == sizeof(cc->seen) / sizeof(*cc->seen)) {
		schema_bad(cc, "%s: too many $ref targets", "$ref");
		return;
	}
	s->ref = xcalloc(1, sizeof(*s->ref));
	cc->seen[cc->nseen] = t;
	cc->as[cc->nseen++] = s->ref;
	cc->top->defs = xreallocarray(cc->top->defs, cc->top->ndefs + 1,
	    sizeof(*cc->top->defs));
	cc->top->defs[cc->top->ndefs++] = s->ref;
	/* Compiled in place, so a reference back to it finds it. */
	{
		struct schema	*c = schema_compile_cc(cc, t);

		*s->ref = *c;
		free(c);
	}
}

static int
schema_number(struct json_object *v, double *out)
{
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return -1;
	*out = json_object_get_double(v);
	return 0;
}

static int
schema_count(struct json_object *v, long long *out)
{
	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0)
		return -1;
	*out = json_object_get_int64(v);
	return 0;
}

/* Past a bracket expression starting at p ('['): where it ends. */
static const char *
schema_pattern_bracket(const char *p)
{
	const char	*q = p + 1;

	if (*q == '^')
		q++;
	if (*q == ']')
		q++;		/* a leading ']' is a member */
	for (; *q != '\0' && *q != ']'; q++)
		if (*q == '[' && (q[1] == ':' || q[1] == '=' || q[1] == '.')) {
			const char *end = strchr(q + 2, q[1]);

			if (end == NULL || end[1] != ']')
				return NULL;
			q = end + 1;
		}
	return *q == ']' ? q : NULL;
}

/*
 * {n}, {n,}, {n,m} and glibc's {,m} at p: its largest count (n when
 * unbounded), end; -1 when p is no count (a literal brace).
 */
static long
schema_pattern_count(const char *p, const char **end)
{
	char	*e;
	long	 n = 0, m;

	if (isdigit((unsigned char)p[1]))
		n = strtol(p + 1, &e, 10);
	else if (p[1] == ',' && isdigit((unsigned char)p[2]))
		e = (char *)p + 1;
	else
		return -1;
	m = n;
	if (*e == ',') {
		if (isdigit((unsigned char)e[1]))
			m = strtol(e + 1, &e, 10);
		else
			e++;
	}
	if (*e != '}')
		return -1;
	*end = e;
	return n > m ? n : m;
}

/*
 * Whether glibc may take a pattern without blowing up: no backreference,
 * no quantifier on something already quantified ((a+)*, (a{2}){3}, a**),
 * counts up to SCHEMA_COUNT_MAX, and its expanded size (each counted atom
 * repeated) bounded. NULL when it is, else why not.
 */
static const char *
schema_pattern_unsafe(const char *src)
{
	struct {
		const char	*start;
		int		 quantified;	/* a quantifier inside */
	}		 group[32];
	const char	*p, *atom = NULL, *end;
	int		 depth = 0, last_quantified = 0;
	size_t		 size;
	long		 count;

	if ((size = strlen(src)) > SCHEMA_PATTERN_MAX)
		return "is longer than 1024 bytes";
	for (p = src; *p != '\0'; p++) {
		switch (*p) {
		case '\\':
			if (p[1] >= '1' && p[1] <= '9')
				return "has a backreference";
			atom = p;
			last_quantified = 0;
			if (p[1] != '\0')
				p++;
			break;
		case '[':
			/* Unread, the rest would go unchecked. */
			if ((end = schema_pattern_bracket(p)) == NULL)
				return "has a bracket expression mcp-hotd cannot "
				    "read";
			atom = p;
			p = end;
			last_quantified = 0;
			break;
		case '(':
			if (depth == (int)(sizeof(group) / sizeof(*group)))
				return "nests groups more than 32 deep";
			group[depth].start = p;
			group[depth++].quantified = 0;
			atom = NULL;
			last_quantified = 0;
			break;
		case ')':
			if (depth == 0) {	/* glibc: a literal ')' */
				atom = p;
				last_quantified = 0;
				break;
			}
			atom = group[--depth].start;
			last_quantified = group[depth].quantified;
			if (depth > 0)
				group[depth - 1].quantified |= last_quantified;
			break;
		case '*':
		case '+':
		case '?':
		case '{':
			count = 1;
			end = p;
			if (*p == '{' &&
			    (count = schema_pattern_count(p, &end)) == -1) {
				atom = p;	/* a literal brace */
				last_quantified = 0;
				break;
			}
			if (atom == NULL)
				break;		/* regcomp says what */
			if (last_quantified)
				return "has nested quantifiers";
			if (count > SCHEMA_COUNT_MAX)
				return "counts beyond 255";
			size += (size_t)(p - atom) * (size_t)(count > 0 ?
			    count - 1 : 0);
			if (size > 8 * SCHEMA_PATTERN_MAX)
				return "repeats more than 8192 bytes";
			if (depth > 0)
				group[depth - 1].quantified = 1;
			last_quantified = 1;
			p = end;
			break;
		case '|':
		case '^':
		case '$':
			atom = NULL;
			last_quantified = 0;
			break;
		default:
			atom = p;
			last_quantified = 0;
		}
	}
	return NULL;
}

static void
schema_compile_pattern(struct schema_cc *cc, struct schema *s,
    struct json_object *v)
{
	const char	*unsafe;
	char		 why[512];

	if (!json_object_is_type(v, json_type_string)) {
		schema_bad(cc, "'%s' must be a string", "pattern");
		return;
	}
	if ((unsafe = schema_pattern_unsafe(json_object_get_string(v))) !=
	    NULL) {
		snprintf(why, sizeof(why), "'pattern' %.200s %s (mcp-hotd "
		    "checks patterns without backreferences or nested "
		    "quantifiers, counts up to 255)",
		    json_object_to_json_string(v), unsafe);
		schema_bad(cc, "%s", why);
		return;
	}
	s->pattern = xcalloc(1, sizeof(*s->pattern));
	s->pattern_src = xstrdup(json_object_get_string(v));
	if (regcomp(s->pattern, s->pattern_src, REG_EXTENDED | REG_NOSUB) != 0) {
		free(s->pattern);
		s->pattern = NULL;
		schema_bad(cc, "'pattern' %s cannot be checked here (POSIX "
		    "extended regular expressions only)",
		    json_object_to_json_string(v));
	}
}

static void
schema_compile_format(struct schema_cc *cc, struct schema *s,
    struct json_object *v)
{
	static const struct {
		const char		*name;
		enum schema_format	 f;
	} formats[] = {
		{ "date-time", FMT_DATE_TIME }, { "date", FMT_DATE },
		{ "time", FMT_TIME }, { "email", FMT_EMAIL }, { "uri", FMT_URI },
		{ "uuid", FMT_UUID }
	};
	const char	*name = json_object_get_string(v);
	size_t		 i;

	for (i = 0; i < sizeof(formats) / sizeof(*formats); i++)
		if (name != NULL && strcmp(name, formats[i].name) == 0) {
			s->format = formats[i].f;
			return;
		}
	schema_bad(cc, "'format' %s cannot be checked here (date-time, date, "
	    "time, email, uri, uuid)", json_object_to_json_string(v));
}

/* Keywords that are annotations, or read by another keyword's code. */
static int
schema_known(const char *key)
{
	static const char *const keys[] = {
		"$schema", "$id", "$comment", "$anchor", "$defs", "definitions",
		"title", "description", "default", "examples", "deprecated",
		"readOnly", "writeOnly", "type", "enum", "const", "anyOf",
		"oneOf", "allOf", "not", "if", "then", "else", "$ref", "items",
		"prefixItems", "properties", "required", "additionalProperties",
		"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
		"multipleOf", "minLength", "maxLength", "pattern", "format",
		"minItems", "maxItems", "uniqueItems", "minProperties",
		"maxProperties", "contentMediaType", "contentEncoding", NULL
	};
	size_t	i;

	/* "x-..." is an extension's annotation (FastMCP's
	 * x-fastmcp-wrap-result): it asks nothing of a value. */
	if (strncmp(key, "x-", 2) == 0)
		return 1;
	for (i = 0; keys[i] != NULL; i++)
		if (strcmp(key, keys[i]) == 0)
			return 1;
	return 0;
}

/* One bound keyword into s, or an error naming it. */
static void
schema_compile_bound(struct schema_cc *cc, struct schema *s, const char *key,
    struct json_object *v)
{
	static const struct {
		const char	*key;
		unsigned	 bit;
		int		 count;
		size_t		 off;
	} b[] = {
		{ "minimum", B_MIN, 0, offsetof(struct schema, min) },
		{ "maximum", B_MAX, 0, offsetof(struct schema, max) },
		{ "exclusiveMinimum", B_XMIN, 0, offsetof(struct schema, xmin) },
		{ "exclusiveMaximum", B_XMAX, 0, offsetof(struct schema, xmax) },
		{ "multipleOf", B_MULT, 0, offsetof(struct schema, mult) },
		{ "minLength", B_MINLEN, 1, offsetof(struct schema, minlen) },
		{ "maxLength", B_MAXLEN, 1, offsetof(struct schema, maxlen) },
		{ "minItems", B_MINITEMS, 1, offsetof(struct schema, minitems) },
		{ "maxItems", B_MAXITEMS, 1, offsetof(struct schema, maxitems) },
		{ "minProperties", B_MINPROPS, 1,
		    offsetof(struct schema, minprops) },
		{ "maxProperties", B_MAXPROPS, 1,
		    offsetof(struct schema, maxprops) }
	};
	size_t	i;
	int	rv;

	for (i = 0; i < sizeof(b) / sizeof(*b); i++) {
		if (strcmp(key, b[i].key) != 0)
			continue;
		rv = b[i].count ? schema_count(v, (long long *)(void *)
		    ((char *)s + b[i].off)) : schema_number(v, (double *)(void *)
		    ((char *)s + b[i].off));
		if (rv == -1 || (b[i].bit == B_MULT && s->mult <= 0))
			schema_bad(cc, "'%s' must be a number (a count: a "
			    "non-negative integer; multipleOf: positive)", key);
		s->bounds |= b[i].bit;
		return;
	}
}

static void
schema_compile_keywords(struct schema_cc *cc, struct schema *s,
    struct json_object *o)
{
	json_object_object_foreach(o, key, v) {
		if (!schema_known(key))
			schema_bad(cc, "keyword '%s' cannot be checked by "
			    "mcp-hotd", key);
		else if (strcmp(key, "const") == 0) {
			s->has_const = 1;
			s->const_value = json_object_get(v);
		} else if (strcmp(key, "allOf") == 0)
			s->all_of = schema_compile_list(cc, v, &s->nall);
		else if (strcmp(key, "oneOf") == 0)
			s->one_of = schema_compile_list(cc, v, &s->none);
		else if (strcmp(key, "prefixItems") == 0)
			s->prefix = schema_compile_list(cc, v, &s->nprefix);
		else if (strcmp(key, "not") == 0)
			s->not = schema_compile_cc(cc, v);
		else if (strcmp(key, "if") == 0)
			s->if_s = schema_compile_cc(cc, v);
		else if (strcmp(key, "then") == 0)
			s->then_s = schema_compile_cc(cc, v);
		else if (strcmp(key, "else") == 0)
			s->else_s = schema_compile_cc(cc, v);
		else if (strcmp(key, "$ref") == 0)
			schema_compile_ref(cc, s, v);
		else if (strcmp(key, "pattern") == 0)
			schema_compile_pattern(cc, s, v);
		else if (strcmp(key, "format") == 0)
			schema_compile_format(cc, s, v);
		else if (strcmp(key, "uniqueItems") == 0)
			s->unique = json_object_get_boolean(v);
		else
			schema_compile_bound(cc, s, key, v);
	}
}

static struct schema *
schema_compile_cc(struct schema_cc *cc, struct json_object *o)
{
	struct schema		*s = xcalloc(1, sizeof(*s));
	struct json_object	*v;

	if (json_object_is_type(o, json_type_boolean)) {
		s->checked = s->never = !json_object_get_boolean(o);
		return s;
	}
	if (!json_object_is_type(o, json_type_object))
		return s;
	if (cc->top == NULL)
		cc->top = s;
	s->checked = 1;
	if (json_object_object_get_ex(o, "type", &v))
		schema_compile_type(s, v);
	if (json_object_object_get_ex(o, "enum", &v) &&
	    json_object_is_type(v, json_type_array))
		s->enum_values = json_object_get(v);
	if (json_object_object_get_ex(o, "anyOf", &v) &&
	    json_object_is_type(v, json_type_array)) {
		s->has_any_of = 1;
		s->any_of = schema_compile_list(cc, v, &s->nany);
	}
	if (json_object_object_get_ex(o, "items", &v))
		s->items = schema_compile_cc(cc, v);
	schema_compile_members(cc, s, o);
	schema_compile_keywords(cc, s, o);
	return s;
}

/*
 * What the toolhost emits when it derives a schema from annotations
 * (workers/toolhost.py: type_schema, signature_schema, _class_schema,
 * output_schema): nothing else is believed from a worker. Which of a
 * schema's members are schemas themselves, and which are values.
 */
enum derived_kind { D_VALUE, D_SCHEMA, D_SCHEMAS, D_SCHEMA_MAP, D_NAMES,
    D_TYPE, D_COUNT, D_TEXT, D_BOOL, D_NUMBER };

static const struct {
	const char		*key;
	enum derived_kind	 kind;
} schema_derived_keys[] = {
	{ "type", D_TYPE }, { "properties", D_SCHEMA_MAP },
	{ "required", D_NAMES }, { "additionalProperties", D_SCHEMA },
	{ "items", D_SCHEMA }, { "minItems", D_COUNT },
	{ "maxItems", D_COUNT }, { "enum", D_VALUE }, { "anyOf", D_SCHEMAS },
	{ "description", D_TEXT }, { "default", D_VALUE },
	/*
	 * pydantic's plain keywords, as FastMCP derives them (toolhost's
	 * DERIVED_KEYS; it inlines a model's $refs): never $ref, $defs,
	 * oneOf, allOf or pattern, whose cost a worker could choose.
	 */
	{ "title", D_TEXT }, { "format", D_TEXT }, { "const", D_VALUE },
	{ "minimum", D_NUMBER }, { "maximum", D_NUMBER },
	{ "exclusiveMinimum", D_NUMBER }, { "exclusiveMaximum", D_NUMBER },
	{ "minLength", D_COUNT }, { "maxLength", D_COUNT },
	{ "x-fastmcp-wrap-result", D_BOOL }
};

struct derived_walk {
	size_t	 nodes;
	char	*err;
	size_t	 errlen;
};

static int	schema_derived_node(struct derived_walk *, struct json_object *,
		    unsigned);

static int
schema_derived_bad(struct derived_walk *dw, const char *fmt, const char *what)
{
	snprintf(dw->err, dw->errlen, fmt, what);
	return -1;
}

static int
schema_derived_member(struct derived_walk *dw, enum derived_kind kind,
    const char *key, struct json_object *v, unsigned depth)
{
	size_t	i, n;

	switch (kind) {
	case D_VALUE:
		n = json_object_is_type(v, json_type_array) ?
		    json_object_array_length(v) : 1;
		if ((dw->nodes += n) > SCHEMA_DERIVED_NODES)
			return schema_derived_bad(dw, "too many %s", "values");
		return 0;
	case D_SCHEMA:
		if (json_object_is_type(v, json_type_boolean))
			return 0;
		return schema_derived_node(dw, v, depth + 1);
	case D_SCHEMAS:
		if (!json_object_is_type(v, json_type_array))
			break;
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if (schema_derived_node(dw, json_object_array_get_idx(v,
			    i), depth + 1) == -1)
				return -1;
		return 0;
	case D_SCHEMA_MAP:
		if (!json_object_is_type(v, json_type_object))
			break;
		json_object_object_foreach(v, name, sub) {
			(void)name;
			if (schema_derived_node(dw, sub, depth + 1) == -1)
				return -1;
		}
		return 0;
	case D_NAMES:
		if (!json_object_is_type(v, json_type_array))
			break;
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if (!json_object_is_type(json_object_array_get_idx(v, i),
			    json_type_string))
				break;
		if (i < n)
			break;
		dw->nodes += n;
		return 0;
	case D_TYPE:
		if (json_object_is_type(v, json_type_string) &&
		    schema_type_bit(json_object_get_string(v)) != 0)
			return 0;
		break;
	case D_COUNT:
		if (json_object_is_type(v, json_type_int) &&
		    json_object_get_int64(v) >= 0)
			return 0;
		break;
	case D_TEXT:
		if (json_object_is_type(v, json_type_string))
			return 0;
		break;
	case D_BOOL:
		if (json_object_is_type(v, json_type_boolean))
			return 0;
		break;
	case D_NUMBER:
		if (json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double))
			return 0;
		break;
	}
	return schema_derived_bad(dw, "keyword '%s' has a value the toolhost "
	    "never derives", key);
}

static int
schema_derived_node(struct derived_walk *dw, struct json_object *o,
    unsigned depth)
{
	size_t	i, n = sizeof(schema_derived_keys) /
		    sizeof(*schema_derived_keys);

	if (!json_object_is_type(o, json_type_object))
		return schema_derived_bad(dw, "%s", "a schema that is not an "
		    "object");
	if (depth > SCHEMA_DERIVED_DEPTH)
		return schema_derived_bad(dw, "nesting deeper than %s",
		    "32 schemas");
	if (++dw->nodes > SCHEMA_DERIVED_NODES)
		return schema_derived_bad(dw, "more than %s", "4096 nodes");
	json_object_object_foreach(o, key, v) {
		for (i = 0; i < n; i++)
			if (strcmp(key, schema_derived_keys[i].key) == 0)
				break;
		if (i == n)
			return schema_derived_bad(dw, "keyword '%s', which only "
			    "a schema declared in tools.json may use", key);
		if (schema_derived_member(dw, schema_derived_keys[i].kind, key,
		    v, depth) == -1)
			return -1;
	}
	return 0;
}

/*
 * Whether a schema a worker reported is one the toolhost could have
 * derived; -1 with err naming what is not.
 */
int
schema_derived_check(struct json_object *o, char *err, size_t errlen)
{
	struct derived_walk	dw = { 0, err, errlen };
	char			why[256];

	if (strlen(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) >
	    SCHEMA_DERIVED_BYTES) {
		snprintf(err, errlen, "derived schema: larger than %d bytes",
		    SCHEMA_DERIVED_BYTES);
		return -1;
	}
	dw.err = why;
	dw.errlen = sizeof(why);
	if (schema_derived_node(&dw, o, 0) == 0)
		return 0;
	snprintf(err, errlen, "derived schema: %s", why);
	return -1;
}

/*
 * The checking tree of a JSON Schema (an object, or true/false), or NULL
 * with err naming what cannot be checked.
 */
struct schema *
schema_compile(struct json_object *o, char *err, size_t errlen)
{
	struct schema_cc	 cc = { .root = o, .err = err, .errlen = errlen };
	struct schema		*s;

	err[0] = '\0';
	s = schema_compile_cc(&cc, o);
	if (err[0] != '\0') {
		schema_free(s);
		return NULL;
	}
	s->wrapped = schema_wrapped_type(o);
	return s;
}

/*
 * Exactly the schema FastMCP derives for a scalar return, {"type":
 * "object", "properties": {"result": {"type": T}}, "required":
 * ["result"], "x-fastmcp-wrap-result": true} with T a string, number,
 * integer or boolean: the JT_ type its value has, + 1 (integer: the
 * same, negated; its number has no fraction). Every annotated `-> int`
 * result is checked against it: the full walk, in a few compares.
 */
static int
schema_wrapped_type(struct json_object *o)
{
	static const struct {
		const char	*name;
		int		 jt;
	} kinds[] = {
		{ "string", JT_STRING + 1 }, { "number", JT_NUMBER + 1 },
		{ "integer", -(JT_NUMBER + 1) }, { "boolean", JT_TRUE + 1 }
	};
	struct json_object	*v, *p, *t;
	const char		*name;
	size_t			 i;

	if (!json_object_is_type(o, json_type_object) ||
	    json_object_object_length(o) != 4 ||
	    !json_object_object_get_ex(o, "x-fastmcp-wrap-result", &v) ||
	    !json_object_is_type(v, json_type_boolean) ||
	    !json_object_get_boolean(v) ||
	    !json_object_object_get_ex(o, "type", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "object") != 0 ||
	    !json_object_object_get_ex(o, "required", &v) ||
	    !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) != 1 ||
	    !json_object_is_type(json_object_array_get_idx(v, 0),
	    json_type_string) ||
	    strcmp(json_object_get_string(json_object_array_get_idx(v, 0)),
	    "result") != 0 ||
	    !json_object_object_get_ex(o, "properties", &v) ||
	    !json_object_is_type(v, json_type_object) ||
	    json_object_object_length(v) != 1 ||
	    !json_object_object_get_ex(v, "result", &p) ||
	    !json_object_is_type(p, json_type_object) ||
	    json_object_object_length(p) != 1 ||
	    !json_object_object_get_ex(p, "type", &t) ||
	    !json_object_is_type(t, json_type_string))
		return 0;
	name = json_object_get_string(t);
	for (i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (strcmp(name, kinds[i].name) == 0)
			return kinds[i].jt;
	return 0;
}

/* The wrapped scalar's check: 1 it fits, -1 the full check decides. */
static int
schema_wrapped_check(const struct schema *s, const struct jdoc *d, int v)
{
	const struct jtok	*t = &d->t[v], *val;
	int			 want = s->wrapped < 0 ? -s->wrapped : s->wrapped;

	if (t->type != JT_OBJECT || t->n != 1 ||
	    !jdoc_string_eq(d, v + 1, "result", 6))
		return -1;
	val = &d->t[v + 2];
	if (want == JT_TRUE + 1)
		return val->type == JT_TRUE || val->type == JT_FALSE ? 1 : -1;
	if (val->type + 1 != want)
		return -1;
	if (s->wrapped < 0 && (val->flags & JT_FRACTION))
		return -1;	/* 1.0 is an integer too: the full check says */
	return 1;
}

static void
schema_free_list(struct schema **list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		schema_free(list[i]);
	free(list);
}

void
schema_free(struct schema *s)
{
	size_t	i;

	if (s == NULL)
		return;
	free(s->want);
	json_object_put(s->enum_values);
	schema_free_list(s->any_of, s->nany);
	schema_free(s->items);
	for (i = 0; i < s->nprops; i++) {
		free(s->props[i].name);
		schema_free(s->props[i].s);
	}
	free(s->props);
	for (i = 0; i < s->nrequired; i++)
		free(s->required[i]);
	free(s->required);
	free(s->required_len);
	schema_free(s->extra_schema);
	json_object_put(s->const_value);
	schema_free_list(s->all_of, s->nall);
	schema_free_list(s->one_of, s->none);
	schema_free_list(s->prefix, s->nprefix);
	schema_free_list(s->defs, s->ndefs);
	schema_free(s->not);
	schema_free(s->if_s);
	schema_free(s->then_s);
	schema_free(s->else_s);
	if (s->pattern != NULL) {
		regfree(s->pattern);
		free(s->pattern);
	}
	free(s->pattern_src);
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
	snprintf(c->err, c->errlen, "%s '%s': %s%s", c->noun, path, what,
	    detail);
	return -1;
}

/*
 * n steps of the check's budget; -1 once it is spent (and from then on:
 * no branch may read the failure as a mismatch and go on).
 */
static int
schema_spend(struct schema_ctx *c, uint64_t n, const struct schema_path *p)
{
	if (c->over)
		return -1;
	if (c->steps >= n) {
		c->steps -= n;
		return 0;
	}
	c->over = 1;
	if (p == NULL)
		snprintf(c->err, c->errlen, "the %ss are too complex to check "
		    "against the schema (more than %d steps, and %d for each "
		    "JSON token)", c->noun, SCHEMA_STEPS_BASE,
		    SCHEMA_STEPS_PER_TOKEN);
	else
		schema_fail(c, p, "is too complex to check against the schema",
		    "");
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
	n = json_object_array_length(s->enum_values);
	if (schema_spend(c, n + (c->d->t[v].next - (uint32_t)v), p) == -1)
		return -1;
	val = jdoc_object(c->d, v);
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
static int	schema_value_in(struct schema_ctx *, const struct schema *,
		    int, const struct schema_path *);

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
		else if (c->over)
			return -1;
	return schema_fail(c, p, "matches none of the allowed types, got ",
	    schema_type_name(c->d, v));
}

static int
schema_items(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	struct schema_path	sub = { p, c->d, -1, 0 };
	const struct schema	*each;
	uint32_t		m;
	int			e;

	if ((s->items == NULL && s->nprefix == 0) ||
	    c->d->t[v].type != JT_ARRAY)
		return 0;
	JDOC_FOREACH_ELEMENT(c->d, v, e, m) {
		sub.index = m;
		each = m < s->nprefix ? s->prefix[m] : s->items;
		if (schema_value(c, each, e, &sub) == -1)
			return -1;
	}
	return 0;
}

/* allOf, oneOf, not, if/then/else, $ref, const: the composing keywords. */
static int
schema_compose(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	struct json_object	*val;
	char			 saved[512];
	size_t			 i, n = 0;
	int			 eq, branches;

	/* Branches may fail on the way to a match: their errors are not the
	 * value's, so the error so far is kept around them (only then: this
	 * runs for every value checked). */
	branches = s->none > 0 || s->not != NULL || s->if_s != NULL;
	if (!branches && s->nall == 0 && !s->has_const && s->ref == NULL)
		return 0;
	for (i = 0; i < s->nall; i++)
		if (schema_value(c, s->all_of[i], v, p) == -1)
			return -1;
	if (s->has_const) {
		if (schema_spend(c, c->d->t[v].next - (uint32_t)v, p) == -1)
			return -1;
		val = jdoc_object(c->d, v);
		eq = json_object_equal(val, s->const_value);
		json_object_put(val);
		if (!eq)
			return schema_fail(c, p, "must be ",
			    json_object_to_json_string_ext(s->const_value,
			    JSON_C_TO_STRING_PLAIN));
	}
	if (s->ref != NULL && schema_value(c, s->ref, v, p) == -1)
		return -1;
	if (!branches)
		return 0;
	snprintf(saved, sizeof(saved), "%s", c->err);
	/* oneOf: a second match decides; the rest need not be tried. */
	for (i = 0; i < s->none && n < 2; i++)
		n += schema_value(c, s->one_of[i], v, p) == 0;
	if (c->over)
		return -1;
	if (s->none > 0 && n != 1)
		return schema_fail(c, p, n ? "matches more than one of the "
		    "allowed forms" : "matches none of the allowed forms", "");
	if (s->not != NULL && schema_value(c, s->not, v, p) == 0)
		return schema_fail(c, p, "matches a form it must not", "");
	if (c->over)
		return -1;
	if (s->if_s != NULL) {
		if (schema_value(c, s->if_s, v, p) == 0) {
			if (s->then_s != NULL &&
			    schema_value(c, s->then_s, v, p) == -1)
				return -1;
		} else if (c->over || (s->else_s != NULL &&
		    schema_value(c, s->else_s, v, p) == -1))
			return -1;
	}
	snprintf(c->err, c->errlen, "%s", saved);
	return 0;
}

static double
schema_number_of(const struct jdoc *d, int v)
{
	char	num[64];
	size_t	n = d->t[v].end - d->t[v].start;

	if (n >= sizeof(num))
		n = sizeof(num) - 1;
	memcpy(num, d->text + d->t[v].start, n);
	num[n] = '\0';
	return strtod(num, NULL);
}

static int
schema_numeric(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	char	bound[64];
	double	x, q;

	if (c->d->t[v].type != JT_NUMBER ||
	    !(s->bounds & (B_MIN | B_MAX | B_XMIN | B_XMAX | B_MULT)))
		return 0;
	x = schema_number_of(c->d, v);
	if ((s->bounds & B_MIN) && x < s->min)
		return snprintf(bound, sizeof(bound), "%g", s->min),
		    schema_fail(c, p, "must be at least ", bound);
	if ((s->bounds & B_MAX) && x > s->max)
		return snprintf(bound, sizeof(bound), "%g", s->max),
		    schema_fail(c, p, "must be at most ", bound);
	if ((s->bounds & B_XMIN) && x <= s->xmin)
		return snprintf(bound, sizeof(bound), "%g", s->xmin),
		    schema_fail(c, p, "must be more than ", bound);
	if ((s->bounds & B_XMAX) && x >= s->xmax)
		return snprintf(bound, sizeof(bound), "%g", s->xmax),
		    schema_fail(c, p, "must be less than ", bound);
	q = x / s->mult;
	if ((s->bounds & B_MULT) && fabs(q - nearbyint(q)) > 1e-9)
		return snprintf(bound, sizeof(bound), "%g", s->mult),
		    schema_fail(c, p, "must be a multiple of ", bound);
	return 0;
}

static int
schema_digits(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* RFC 3339 full-date, partial-time + offset. */
static int
schema_is_date(const char *s)
{
	int	m, d;

	if (strlen(s) < 10 || !schema_digits(s, 4) || s[4] != '-' ||
	    !schema_digits(s + 5, 2) || s[7] != '-' || !schema_digits(s + 8, 2))
		return 0;
	m = atoi(s + 5);
	d = atoi(s + 8);
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static int
schema_is_time(const char *s)
{
	if (!schema_digits(s, 2) || s[2] != ':' || !schema_digits(s + 3, 2) ||
	    s[5] != ':' || !schema_digits(s + 6, 2) || atoi(s) > 23 ||
	    atoi(s + 3) > 59 || atoi(s + 6) > 60)
		return 0;
	s += 8;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'Z' || *s == 'z')
		return s[1] == '\0';
	return (*s == '+' || *s == '-') && schema_digits(s + 1, 2) &&
	    s[3] == ':' && schema_digits(s + 4, 2) && s[6] == '\0';
}

static int
schema_format_ok(enum schema_format f, const char *s)
{
	const char	*at, *colon;
	size_t		 i;

	switch (f) {
	case FMT_NONE:
		return 1;
	case FMT_DATE:
		return schema_is_date(s) && s[10] == '\0';
	case FMT_TIME:
		return schema_is_time(s);
	case FMT_DATE_TIME:
		return schema_is_date(s) && (s[10] == 'T' || s[10] == 't') &&
		    schema_is_time(s + 11);
	case FMT_EMAIL:
		at = strchr(s, '@');
		return at != NULL && at > s && strchr(at + 1, '@') == NULL &&
		    strchr(at + 1, '.') != NULL && at[1] != '.' &&
		    strpbrk(s, " \t\r\n") == NULL;
	case FMT_URI:
		colon = strchr(s, ':');
		if (colon == NULL || colon == s || !isalpha((unsigned char)*s) ||
		    strpbrk(s, " \t\r\n<>\"") != NULL)
			return 0;
		for (i = 1; s + i < colon; i++)
			if (!isalnum((unsigned char)s[i]) && strchr("+-.",
			    s[i]) == NULL)
				return 0;
		return colon[1] != '\0';
	case FMT_UUID:
		for (i = 0; i < 36; i++)
			if ((i == 8 || i == 13 || i == 18 || i == 23) ?
			    s[i] != '-' : !isxdigit((unsigned char)s[i]))
				return 0;
		return s[36] == '\0';
	}
	return 0;
}

/*
 * A pattern against a string: glibc's regexec can take time quadratic in
 * the string (an unanchored pattern fails from every start), so it is
 * charged by the time it took, a step per SCHEMA_STEP_NS. 0 on a match.
 */
static int
schema_regexec(struct schema_ctx *c, const struct schema *s, const char *buf,
    const struct schema_path *p)
{
	struct timespec	t0, t1;
	int		rv;
	int64_t		ns;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rv = regexec(s->pattern, buf, 0, NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000 +
	    (t1.tv_nsec - t0.tv_nsec);
	if (schema_spend(c, ns > 0 ? (uint64_t)ns / SCHEMA_STEP_NS : 0, p) == -1)
		return -1;
	return rv;
}

static int
schema_string(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	static const char *const names[] = { "", "a date-time (RFC 3339)",
	    "a date (YYYY-MM-DD)", "a time (RFC 3339)", "an email address",
	    "a URI", "a UUID" };
	char		 bound[64], *buf;
	size_t		 n, len, i;
	long long	 cps = 0;
	int		 rv = 0;

	if (c->d->t[v].type != JT_STRING || (!(s->bounds & (B_MINLEN |
	    B_MAXLEN)) && s->pattern == NULL && s->format == FMT_NONE))
		return 0;
	n = c->d->t[v].end - c->d->t[v].start;
	if (schema_spend(c, n / 64, p) == -1)
		return -1;
	buf = xcalloc(n + 1, 1);
	len = jdoc_string(c->d, v, buf, n + 1);
	if (s->pattern != NULL && len > SCHEMA_SUBJECT_MAX) {
		free(buf);
		return snprintf(bound, sizeof(bound), "%d bytes",
		    SCHEMA_SUBJECT_MAX), schema_fail(c, p, "is too long to "
		    "check against its pattern: at most ", bound);
	}
	for (i = 0; i < len; i++)
		cps += ((unsigned char)buf[i] & 0xc0) != 0x80;
	snprintf(bound, sizeof(bound), "%lld characters", cps <
	    s->minlen ? s->minlen : s->maxlen);
	if ((s->bounds & B_MINLEN) && cps < s->minlen)
		rv = schema_fail(c, p, "must be at least ", bound);
	else if ((s->bounds & B_MAXLEN) && cps > s->maxlen)
		rv = schema_fail(c, p, "must be at most ", bound);
	else if (s->pattern != NULL && (strlen(buf) != len ||
	    schema_regexec(c, s, buf, p) != 0))
		rv = c->over ? -1 : schema_fail(c, p, "must match the pattern ",
		    s->pattern_src);
	else if (!schema_format_ok(s->format, buf) || strlen(buf) != len)
		rv = schema_fail(c, p, "must be ", names[s->format]);
	free(buf);
	return rv;
}

/* A count against its bounds (minItems/maxItems, min/maxProperties). */
static int
schema_count_bounds(struct schema_ctx *c, const struct schema_path *p,
    long long n, int has_min, long long min, int has_max, long long max,
    const char *unit)
{
	char	bound[64];

	if (has_min && n < min) {
		snprintf(bound, sizeof(bound), "%lld %s", min, unit);
		return schema_fail(c, p, "must have at least ", bound);
	}
	if (has_max && n > max) {
		snprintf(bound, sizeof(bound), "%lld %s", max, unit);
		return schema_fail(c, p, "must have at most ", bound);
	}
	return 0;
}

/* uniqueItems: no two items equal (as JSON values). */
static int
schema_unique(struct schema_ctx *c, int v, const struct schema_path *p)
{
	struct json_object	*a, *b;
	uint32_t		 i = 0, j, m, k;
	int			 e, f, dup = 0;

	/* Each pair compared, each item rebuilt per pair: paid for first. */
	if (schema_spend(c, (uint64_t)c->d->t[v].n * c->d->t[v].n / 2 +
	    (c->d->t[v].next - (uint32_t)v), p) == -1)
		return -1;
	JDOC_FOREACH_ELEMENT(c->d, v, e, m) {
		a = jdoc_object(c->d, e);
		j = 0;
		JDOC_FOREACH_ELEMENT(c->d, v, f, k) {
			if (j++ <= i)
				continue;
			b = jdoc_object(c->d, f);
			dup |= json_object_equal(a, b);
			json_object_put(b);
		}
		json_object_put(a);
		i++;
	}
	return dup ? schema_fail(c, p, "must not repeat an item", "") : 0;
}

static int
schema_sizes(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	const struct jtok	*t = &c->d->t[v];

	if (t->type == JT_ARRAY) {
		if (schema_count_bounds(c, p, t->n, s->bounds & B_MINITEMS,
		    s->minitems, s->bounds & B_MAXITEMS, s->maxitems,
		    "items") == -1)
			return -1;
		return s->unique ? schema_unique(c, v, p) : 0;
	}
	if (t->type == JT_OBJECT)
		return schema_count_bounds(c, p, t->n, s->bounds & B_MINPROPS,
		    s->minprops, s->bounds & B_MAXPROPS, s->maxprops, "keys");
	return 0;
}

static int
schema_required(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	char	path[SCHEMA_PATH_MAX];
	size_t	i;

	for (i = 0; i < s->nrequired; i++) {
		if (jdoc_member_n(c->d, v, s->required[i],
		    s->required_len[i]) != -1)
			continue;
		schema_path_format(p, path, sizeof(path));
		if (path[0] == '\0')
			snprintf(c->err, c->errlen, "missing required %s "
			    "'%s'", c->noun, s->required[i]);
		else
			snprintf(c->err, c->errlen, "%s '%s': missing "
			    "required key '%s'", c->noun, path, s->required[i]);
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
		snprintf(c->err, c->errlen, "unknown %s '%s'", c->noun, key);
	else
		snprintf(c->err, c->errlen, "%s '%s': unknown key '%s'",
		    c->noun, path, key);
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
	int	rv;

	if (s == NULL || !s->checked)
		return 0;
	if (schema_spend(c, 1, p) == -1)
		return -1;
	if (s->never)
		return schema_fail(c, p, "is not allowed", "");
	if (++c->depth > SCHEMA_DEPTH_MAX) {
		c->depth--;
		return schema_fail(c, p, "cannot be checked: the schema refers "
		    "to itself without end", "");
	}
	rv = schema_value_in(c, s, v, p);
	c->depth--;
	return rv;
}

static int
schema_value_in(struct schema_ctx *c, const struct schema *s, int v,
    const struct schema_path *p)
{
	if (schema_types(c, s, v, p) == -1 ||
	    schema_enum(c, s, v, p) == -1 ||
	    schema_any_of(c, s, v, p) == -1 ||
	    schema_compose(c, s, v, p) == -1 ||
	    schema_numeric(c, s, v, p) == -1 ||
	    schema_string(c, s, v, p) == -1 ||
	    schema_sizes(c, s, v, p) == -1 ||
	    schema_items(c, s, v, p) == -1 ||
	    schema_members(c, s, v, p) == -1)
		return -1;
	return 0;
}

/*
 * Returns 0 when token v of d fits schema, else -1 with err naming the
 * argument.
 */
static int
schema_check_as(const struct schema *s, const struct jdoc *d, int v,
    const char *noun, char *err, size_t errlen)
{
	struct schema_ctx	c = { d, err, errlen, 0, noun, 0, 0 };

	c.steps = SCHEMA_STEPS_BASE + (uint64_t)SCHEMA_STEPS_PER_TOKEN *
	    (d->t[v].next - (uint32_t)v);
	if (schema_value(&c, s, v, NULL) == 0)
		return 0;
	if (c.over && strstr(err, "too complex") == NULL) {
		c.over = 0;			/* say so, whatever came last */
		c.steps = 0;
		schema_spend(&c, 1, NULL);
	}
	return -1;
}

int
schema_check(const struct schema *s, const struct jdoc *d, int v, char *err,
    size_t errlen)
{
	return schema_check_as(s, d, v, "argument", err, errlen);
}

/* The same for a result's structuredContent: errors name the field. */
int
schema_check_output(const struct schema *s, const struct jdoc *d, int v,
    char *err, size_t errlen)
{
	if (s->wrapped != 0 && schema_wrapped_check(s, d, v) == 1)
		return 0;
	return schema_check_as(s, d, v, "field", err, errlen);
}
