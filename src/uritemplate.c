/* SPDX-License-Identifier: ISC */
/*
 * URI templates (RFC 6570) read backwards: which variables' values make a
 * template expand to a given URI. Levels 1 to 3: simple {x}, reserved {+x},
 * fragment {#x}, label {.x}, path {/x}, path-style {;x}, query {?x,y} and
 * continuation {&x}; several variables in one expression. Level 4's prefix
 * (:n) and explode (*) modifiers are refused when the file is read.
 *
 * An expression's value runs to where the template's next literal starts
 * (the first place it does, as FastMCP and the SDKs match) and holds no
 * character its operator would have percent-encoded; values are decoded.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "uritemplate.h"

#define UT_MAX_VARS	32

struct ut_expr {
	char		 op;		/* 0 for simple, else + # . / ; ? & */
	const char	*names[UT_MAX_VARS];
	size_t		 lens[UT_MAX_VARS];
	size_t		 n;
};

static int
ut_varchar(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '%';
}

/* The expression from p (after '{') to '}': 0, or -1 with why. */
static int
ut_expr(const char *p, const char **end, struct ut_expr *e, char *why,
    size_t len)
{
	const char	*s;

	memset(e, 0, sizeof(*e));
	if (strchr("+#./;?&", *p) != NULL && *p != '\0')
		e->op = *p++;
	else if (strchr("=,!@|", *p) != NULL && *p != '\0') {
		snprintf(why, len, "operator '%c' is reserved by RFC 6570", *p);
		return -1;
	}
	for (;;) {
		for (s = p; ut_varchar((unsigned char)*p); p++)
			;
		if (p == s) {
			snprintf(why, len, "a variable name expected at '%.20s'",
			    p);
			return -1;
		}
		if (*p == ':' || *p == '*') {
			snprintf(why, len, "the prefix and explode modifiers "
			    "(level 4) are not supported");
			return -1;
		}
		if (e->n == UT_MAX_VARS) {
			snprintf(why, len, "more than %d variables in one "
			    "expression", UT_MAX_VARS);
			return -1;
		}
		e->names[e->n] = s;
		e->lens[e->n++] = (size_t)(p - s);
		if (*p == '}')
			break;
		if (*p != ',') {
			snprintf(why, len, "',' or '}' expected at '%.20s'", p);
			return -1;
		}
		p++;
	}
	*end = p + 1;
	return 0;
}

int
uritemplate_check(const char *tpl, char *why, size_t len)
{
	struct ut_expr	 e;
	const char	*p = tpl;

	while (*p != '\0') {
		if (*p == '}') {
			snprintf(why, len, "'}' with no '{'");
			return -1;
		}
		if (*p != '{') {
			p++;
			continue;
		}
		if (ut_expr(p + 1, &p, &e, why, len) == -1)
			return -1;
	}
	return 0;
}

/* Percent-decode s[0..n) into a new JSON string, or NULL if malformed. */
static struct json_object *
ut_decode(const char *s, size_t n)
{
	struct json_object	*o;
	char			 buf[2048], hex[3] = "";
	size_t			 i, k = 0;

	if (n >= sizeof(buf))
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			buf[k++] = s[i];
			continue;
		}
		if (i + 2 >= n)
			return NULL;
		if (!isxdigit((unsigned char)s[i + 1]) ||
		    !isxdigit((unsigned char)s[i + 2]))
			return NULL;
		hex[0] = s[i + 1];
		hex[1] = s[i + 2];
		buf[k++] = (char)strtol(hex, NULL, 16);
		i += 2;
	}
	o = json_object_new_string_len(buf, (int)k);
	return o;
}

/* May c appear unencoded in a value of an expression with operator op? */
static int
ut_allowed(char op, int c)
{
	if (isalnum(c) || strchr("-._~%", c) != NULL)
		return 1;
	if (op == '+' || op == '#')	/* reserved characters pass */
		return strchr(":/?#[]@!$&'()*+,;=", c) != NULL;
	return 0;
}

/* One variable's value, u[0..n): into vars under its name. */
static int
ut_bind(struct json_object *vars, const char *name, size_t nlen,
    const char *u, size_t n)
{
	struct json_object	*v;
	char			 key[256];

	if (nlen >= sizeof(key) || (v = ut_decode(u, n)) == NULL)
		return -1;
	memcpy(key, name, nlen);
	key[nlen] = '\0';
	json_object_object_add(vars, key, v);
	return 0;
}

/*
 * A query or continuation expression's part of the URI, u[0..n): its
 * "name=value" pairs, '&'-separated; names it lacks are left out.
 */
static int
ut_query(const struct ut_expr *e, const char *u, size_t n,
    struct json_object *vars)
{
	const char	*p = u, *amp, *eq;
	size_t		 i;

	while (p < u + n) {
		amp = memchr(p, '&', (size_t)(u + n - p));
		if (amp == NULL)
			amp = u + n;
		eq = memchr(p, '=', (size_t)(amp - p));
		for (i = 0; eq != NULL && i < e->n; i++)
			if ((size_t)(eq - p) == e->lens[i] &&
			    memcmp(p, e->names[i], e->lens[i]) == 0)
				break;
		if (eq == NULL || i == e->n ||
		    ut_bind(vars, e->names[i], e->lens[i], eq + 1,
		    (size_t)(amp - eq - 1)) == -1)
			return -1;
		p = amp + 1;
	}
	return 0;
}

/* The values of one expression, matched to u[0..n). */
static int
ut_values(const struct ut_expr *e, const char *u, size_t n,
    struct json_object *vars)
{
	const char	*p = u, *sep, *eq;
	size_t		 i, k;
	char		 lead = e->op == '+' || e->op == 0 ? 0 : e->op;
	char		 comma = e->op == '.' ? '.' : e->op == '/' ? '/' :
			    e->op == ';' ? ';' : ',';

	if (e->op == '?' || e->op == '&') {
		if (n == 0)
			return 0;	/* all undefined */
		if (*u != e->op)
			return -1;
		return ut_query(e, u + 1, n - 1, vars);
	}
	if (lead != 0) {
		if (n == 0)
			return 0;
		if (*p != lead)
			return -1;
		p++;
	}
	for (i = 0; i < e->n && p <= u + n; i++) {
		sep = e->n > 1 ? memchr(p, comma, (size_t)(u + n - p)) : NULL;
		if (sep == NULL || i == e->n - 1)
			sep = u + n;
		if (e->op == ';') {	/* ;name=value, or ;name when empty */
			eq = memchr(p, '=', (size_t)(sep - p));
			k = (size_t)((eq ? eq : sep) - p);
			if (k != e->lens[i] || memcmp(p, e->names[i], k) != 0)
				return -1;
			p = eq ? eq + 1 : sep;
		}
		if (ut_bind(vars, e->names[i], e->lens[i], p,
		    (size_t)(sep - p)) == -1)
			return -1;
		p = sep + 1;
	}
	return 0;
}

/* Where the expression's text ends in u: before the next literal. */
static const char *
ut_span(const struct ut_expr *e, const char *u, const char *lit,
    size_t litlen)
{
	const char	*p = u;
	char		 buf[256];

	if (e->op == '?' || e->op == '&' || e->op == '#') {
		/* the rest, or up to the literal that follows */
		if (litlen == 0 || litlen >= sizeof(buf))
			return u + strlen(u);
		memcpy(buf, lit, litlen);
		buf[litlen] = '\0';
		p = strstr(u, buf);
		return p != NULL ? p : u + strlen(u);
	}
	for (; *p != '\0'; p++) {
		if (litlen > 0 && strncmp(p, lit, litlen) == 0)
			break;
		if (!ut_allowed(e->op, (unsigned char)*p) && *p != e->op &&
		    !(e->n > 1 && *p == ',') &&
		    !(e->op == ';' && (*p == '=' || *p == ';')))
			break;
	}
	return p;
}

struct json_object *
uritemplate_match(const char *tpl, const char *uri)
{
	struct json_object	*vars = json_object_new_object();
	struct ut_expr		 e;
	const char		*t = tpl, *u = uri, *lit, *end;
	char			 why[128];
	size_t			 litlen;

	while (*t != '\0') {
		if (*t != '{') {
			if (*u != *t)
				goto no;
			t++;
			u++;
			continue;
		}
		if (ut_expr(t + 1, &t, &e, why, sizeof(why)) == -1)
			goto no;
		lit = t;
		litlen = strcspn(lit, "{");
		end = ut_span(&e, u, lit, litlen);
		if (ut_values(&e, u, (size_t)(end - u), vars) == -1)
			goto no;
		u = end;
	}
	if (*u == '\0')
		return vars;
no:
	json_object_put(vars);
	return NULL;
}

/* The variables of tpl, in order, as a JSON array of names. */
struct json_object *
uritemplate_vars(const char *tpl)
{
	struct json_object	*a = json_object_new_array();
	struct ut_expr		 e;
	const char		*p = tpl;
	char			 why[128];
	size_t			 i;

	while ((p = strchr(p, '{')) != NULL) {
		if (ut_expr(p + 1, &p, &e, why, sizeof(why)) == -1)
			break;
		for (i = 0; i < e.n; i++)
			json_object_array_add(a, json_object_new_string_len(
			    e.names[i], (int)e.lens[i]));
	}
	return a;
}
