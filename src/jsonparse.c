/* SPDX-License-Identifier: ISC */
/*
 * JSON text utilities for the supervisor.
 *
 * json_parse_text: one complete JSON text (the tools file, a worker's
 * payload) as json-c objects. The text is checked by jdoc_parse first, so
 * json-c's tokener only ever sees JSON that is valid: a tokener kept and
 * reset across untrusted texts carried state from one to the next (json-c
 * 0.16 keeps half a surrogate across json_tokener_reset), and json-c and
 * this parser disagreed on what is JSON. Its tokener is incremental ("42"
 * alone stays "continue": more digits could follow), so the end is made
 * explicit.
 *
 * jdoc_parse: the request path's parser. It checks the text (strict JSON,
 * UTF-8, depth) and lays it out as a flat array of tokens pointing into
 * the text, kept and reused: no object per value, no copy of a string, no
 * locale switch. A tools/call is routed, checked and relayed from these
 * tokens; its arguments go to the worker as the client wrote them.
 *
 * json_check_result: is a worker's result one JSON object with a "content"
 * array (or a resource's, prompt's or completion's), on one line? Checked with the same parser, so a result is relayed
 * as the worker wrote it without building it as objects.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstr.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "xmalloc.h"

static struct json_tokener	*json_tok;

/* Objects from a text jdoc_parse accepted. */
static struct json_object *
json_build(const char *buf, size_t len)
{
	struct json_object	*o;

	if (json_tok == NULL &&
	    (json_tok = json_tokener_new_ex(JSON_MAX_DEPTH)) == NULL)
		fatal("%s", __func__);
	json_tokener_reset(json_tok);
	o = json_tokener_parse_ex(json_tok, buf, (int)len);
	if (json_tokener_get_error(json_tok) == json_tokener_continue)
		o = json_tokener_parse_ex(json_tok, " ", 1);
	if (json_tokener_get_error(json_tok) != json_tokener_success)
		fatalx("%s: json-c refused checked JSON", __func__);
	return o;
}

/*
 * One JSON text as objects: 0 (*out may be NULL: the text was null), or
 * -1 with *why and the byte offset *at of the problem.
 */
int
json_parse_text(const char *buf, size_t len, struct json_object **out,
    const char **why, size_t *at)
{
	static struct jdoc	d;

	*out = NULL;
	if (jdoc_parse(&d, buf, len, 0, why, at) == -1) {
		jdoc_trim(&d);
		return -1;
	}
	jdoc_trim(&d);
	*out = json_build(buf, len);
	return 0;
}

/* A payload from a worker: one JSON object, or NULL. */
struct json_object *
json_parse_object(const char *p, size_t len)
{
	struct json_object	*o;
	const char		*why;
	size_t			 at;

	if (json_parse_text(p, len, &o, &why, &at) == -1)
		return NULL;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

void
json_parse_free(void)
{
	if (json_tok != NULL)
		json_tokener_free(json_tok);
	json_tok = NULL;
}

#define JDOC_KEEP_TOKENS	4096	/* more are freed after use */

struct jscan {
	struct jdoc	*d;
	const char	*p, *end;
	int		 one_line;
	const char	*why;
};


static int
jscan_fail(struct jscan *s, const char *why)
{
	if (s->why == NULL)
		s->why = why;
	return -1;
}

/* Whitespace: 1 anywhere, 2 only where newlines may be (not JDOC_ONE_LINE). */
static const unsigned char jscan_space[256] = {
	['\t'] = 1, [' '] = 1, ['\n'] = 2, ['\r'] = 2
};

/* Runs before every token; most texts are compact: one lookup, done. */
static inline void
jscan_ws(struct jscan *s)
{
	unsigned char	k;

	while (s->p < s->end &&
	    (k = jscan_space[(unsigned char)*s->p]) != 0 &&
	    (k == 1 || !s->one_line))
		s->p++;
}

/* A new token of type at p, in d (the scanner's own, with p local). */
static inline int
jscan_token_at(struct jdoc *d, enum jtype type, const char *p)
{
	size_t	cap;

	if (d->nt == d->cap) {
		cap = d->cap ? d->cap * 2 : 64;
		d->t = xreallocarray(d->t, cap, sizeof(*d->t));
		d->cap = cap;
	}
	d->t[d->nt] = (struct jtok){ .type = type,
	    .start = (uint32_t)(p - d->text) };
	return (int)d->nt++;
}

static inline int
jscan_token(struct jscan *s, enum jtype type)
{
	return jscan_token_at(s->d, type, s->p);
}

/* One UTF-8 sequence after its lead byte c; overlong and surrogates refused. */
static int
jscan_utf8(struct jscan *s, unsigned char c)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	int		n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return jscan_fail(s, "invalid UTF-8");
	for (; n > 0; n--, lo = 0x80, hi = 0xbf) {
		if (s->p >= s->end || (unsigned char)*s->p < lo ||
		    (unsigned char)*s->p > hi)
			return jscan_fail(s, "invalid UTF-8");
		s->p++;
	}
	return 0;
}

static int
jscan_escape(struct jscan *s)
{
	int	i;

	if (s->p >= s->end)
		return jscan_fail(s, "unterminated string");
	switch (*s->p++) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n':
	case 'r': case 't':
		return 0;
	case 'u':
		for (i = 0; i < 4; i++, s->p++)
			if (s->p >= s->end || !isxdigit((unsigned char)*s->p))
				return jscan_fail(s, "bad \\u escape");
		return 0;
	}
	return jscan_fail(s, "unknown escape in a string");
}

/* Bytes a string may hold as they are: not '"', '\\', control or UTF-8. */
static const unsigned char jscan_plain[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* '"' */
	[0x30] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x40] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,	/* '\\' */
	[0x60] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x70] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
};

static int
jscan_string(struct jscan *s)
{
	int		 i = jscan_token(s, JT_STRING);
	const char	*p = s->p + 1, *end = s->end;
	unsigned char	 c;

	for (;;) {
		/* The common case, a run of plain ASCII: one test a byte,
		 * four bytes to a bounds check. */
		while (end - p >= 4 && jscan_plain[(unsigned char)p[0]] &&
		    jscan_plain[(unsigned char)p[1]] &&
		    jscan_plain[(unsigned char)p[2]] &&
		    jscan_plain[(unsigned char)p[3]])
			p += 4;
		while (p < end && jscan_plain[(unsigned char)*p])
			p++;
		if (p == end)
			break;
		c = (unsigned char)*p++;
		if (c == '"') {
			s->p = p;
			s->d->t[i].end = (uint32_t)(p - s->d->text);
			return i;
		}
		s->p = p;
		if (c < 0x20)
			return jscan_fail(s, "control character in a string");
		if (c == '\\') {
			s->d->t[i].flags |= JT_ESCAPED;
			if (jscan_escape(s) == -1)
				return -1;
		} else if (c >= 0x80 && jscan_utf8(s, c) == -1)
			return -1;
		p = s->p;
	}
	s->p = p;
	return jscan_fail(s, "unterminated string");
}

static int
jscan_digits(struct jscan *s)
{
	const char	*start = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start ? 0 : jscan_fail(s, "bad number");
}

static int
jscan_number(struct jscan *s)
{
	int	i = jscan_token(s, JT_NUMBER);

	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (jscan_digits(s) == -1)
		return -1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		s->d->t[i].flags |= JT_FRACTION;
		if (jscan_digits(s) == -1)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		s->d->t[i].flags |= JT_FRACTION;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (jscan_digits(s) == -1)
			return -1;
	}
	s->d->t[i].end = (uint32_t)(s->p - s->d->text);
	return i;
}

static int
jscan_literal(struct jscan *s, enum jtype type, const char *lit, size_t n)
{
	int	i = jscan_token(s, type);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return jscan_fail(s, "unexpected character");
	s->p += n;
	s->d->t[i].end = (uint32_t)(s->p - s->d->text);
	return i;
}

/* A scalar at s->p (not a container): its token, or -1. */
static int
jscan_scalar(struct jscan *s)
{
	switch (*s->p) {
	case '"':
		return jscan_string(s);
	case 't':
		return jscan_literal(s, JT_TRUE, "true", 4);
	case 'f':
		return jscan_literal(s, JT_FALSE, "false", 5);
	case 'n':
		return jscan_literal(s, JT_NULL, "null", 4);
	}
	if (*s->p != '-' && (*s->p < '0' || *s->p > '9'))
		return jscan_fail(s, "unexpected character");
	return jscan_number(s);
}

/*
 * A string at *pp: a run of plain ASCII to its quote is taken here, the
 * rest (escapes, UTF-8, errors) by jscan_string. Its token, or -1.
 */
static inline int
jscan_string_at(struct jscan *s, const char **pp)
{
	struct jdoc	*d = s->d;
	const char	*p = *pp, *q = p + 1, *end = s->end;
	int		 i;

	while (q < end && jscan_plain[(unsigned char)*q])
		q++;
	if (q < end && *q == '"') {
		i = jscan_token_at(d, JT_STRING, p);
		d->t[i].end = (uint32_t)(q + 1 - d->text);
		*pp = q + 1;
		return i;
	}
	s->p = p;
	i = jscan_string(s);
	*pp = s->p;
	return i;
}

/*
 * One value, containers and all, without recursion: open containers on
 * a stack of their tokens. Every request and every result comes through
 * here, so the loop keeps its place in a local pointer (s->p is written
 * for the helpers and for an error's offset) and jumps between the
 * grammar's states: a value, after a value, a member's key.
 */
static int
jscan_value(struct jscan *s)
{
	struct jdoc	*d = s->d;
	const char	*p = s->p, *end = s->end;
	uint32_t	 open[JSON_MAX_DEPTH];
	struct jtok	*t;
	int		 depth = 0, i, first, one_line = s->one_line;
	unsigned char	 k;
	char		 close;

#define JSCAN_WS()							\
	while (p < end && (k = jscan_space[(unsigned char)*p]) != 0 &&	\
	    (k == 1 || !one_line))					\
		p++
#define JSCAN_FAIL(why)	(s->p = p, jscan_fail(s, (why)))

value:
	JSCAN_WS();
	if (p >= end)
		return JSCAN_FAIL("incomplete JSON text");
	if (*p == '{' || *p == '[') {
		if (depth == JSON_MAX_DEPTH)
			return JSCAN_FAIL("nested too deep");
		i = jscan_token_at(d, *p == '{' ? JT_OBJECT : JT_ARRAY, p);
		open[depth++] = (uint32_t)i;
		close = *p == '{' ? '}' : ']';
		p++;
		JSCAN_WS();
		if (p < end && *p == close)
			goto closed;
		if (close == '}')
			goto key;
		goto value;
	}
	if (*p == '"')
		i = jscan_string_at(s, &p);
	else {
		s->p = p;
		i = jscan_scalar(s);
		p = s->p;
	}
	if (i == -1)
		return -1;
	d->t[i].next = (uint32_t)d->nt;
after:
	if (depth == 0) {
		s->p = p;
		return 0;
	}
	t = &d->t[open[depth - 1]];
	t->n++;
	JSCAN_WS();
	close = t->type == JT_OBJECT ? '}' : ']';
	if (p < end && *p == ',') {
		p++;
		JSCAN_WS();
		if (close == '}')
			goto key;
		goto value;
	}
	if (p >= end || *p != close)
		return JSCAN_FAIL(close == '}' ? "expected ',' or '}'" :
		    "expected ',' or ']'");
closed:
	p++;
	first = (int)open[--depth];
	d->t[first].end = (uint32_t)(p - d->text);
	d->t[first].next = (uint32_t)d->nt;
	goto after;
key:
	if (p >= end || *p != '"')
		return JSCAN_FAIL("expected a string key");
	if (jscan_string_at(s, &p) == -1)
		return -1;
	if (p < end && *p == ':')	/* compact */
		p++;
	else {
		JSCAN_WS();
		if (p >= end || *p++ != ':')
			return JSCAN_FAIL("expected ':'");
	}
	goto value;
#undef JSCAN_WS
#undef JSCAN_FAIL
}

/*
 * Parse one JSON text into d (its tokens reused from the last parse).
 * JDOC_ONE_LINE refuses raw newlines between tokens. Returns 0, or -1 with
 * *why and *at saying what is wrong where.
 */
int
jdoc_parse(struct jdoc *d, const char *text, size_t len, int flags,
    const char **why, size_t *at)
{
	struct jscan	s = { d, text, text + len, flags & JDOC_ONE_LINE, NULL };

	d->text = text;
	d->nt = 0;
	if (len > UINT32_MAX)
		s.why = "text too long";
	else if (jscan_value(&s) == 0) {
		jscan_ws(&s);
		if (s.p == s.end)
			return 0;
		s.why = "trailing data after the JSON value";
	}
	*why = s.why;
	*at = (size_t)(s.p - text);
	return -1;
}

void
jdoc_free(struct jdoc *d)
{
	free(d->t);
	memset(d, 0, sizeof(*d));
}

/* After a huge text: give its tokens back rather than keep them. */
void
jdoc_trim(struct jdoc *d)
{
	if (d->cap > JDOC_KEEP_TOKENS)
		jdoc_free(d);
}

/* Decode string token i into buf (NUL-terminated, cut to size); its length. */
size_t
jdoc_string(const struct jdoc *d, int i, char *buf, size_t size)
{
	const char	*p = d->text + d->t[i].start + 1;
	size_t		 raw = d->t[i].end - d->t[i].start - 2;
	char		*tmp = buf;
	ssize_t		 n;

	if (raw >= size)
		tmp = xmalloc(raw + 1);
	if ((n = json_unescape(p, raw, tmp)) == -1)	/* checked: never */
		n = 0;
	if (tmp != buf) {
		if (size > 0) {
			memcpy(buf, tmp, (size_t)n < size ? (size_t)n :
			    size - 1);
			buf[(size_t)n < size ? (size_t)n : size - 1] = '\0';
		}
		free(tmp);
	} else
		buf[n] = '\0';
	return (size_t)n;
}

/* jdoc_string_eq's slow path: string token i has escapes. */
int
jdoc_escaped_eq(const struct jdoc *d, int i, const char *s, size_t n)
{
	char	small[256], *buf;
	size_t	len;
	int	eq;

	if (n >= sizeof(small)) {
		buf = xmalloc(n + 1);
	} else
		buf = small;
	len = jdoc_string(d, i, buf, n + 1);
	eq = len == n && memcmp(buf, s, n) == 0;
	if (buf != small)
		free(buf);
	return eq;
}

/*
 * The value of member key (n bytes) in object token i (the last, like
 * json-c), or -1. jdoc_member(d, i, "literal") passes n as a constant.
 */
int
jdoc_member_n(const struct jdoc *d, int i, const char *key, size_t n)
{
	const struct jtok	*t;
	int			 k, found = -1;
	uint32_t		 m;

	if (i < 0 || d->t[i].type != JT_OBJECT)
		return -1;
	for (m = 0, k = i + 1; m < d->t[i].n; m++, k = jdoc_next_member(d, k)) {
		t = &d->t[k];
		/* Most keys have no escapes: compared in place, and only
		 * when the lengths agree (this runs for every request). */
		if (!(t->flags & JT_ESCAPED)) {
			if (jdoc_bytes_eq(d->text + t->start + 1,
			    t->end - t->start - 2, key, n))
				found = k + 1;
		} else if (jdoc_escaped_eq(d, k, key, n))
			found = k + 1;
	}
	return found;
}

/*
 * Several members of object token i in one walk: out[k] the value of
 * keys[k] (the last, as jdoc_member), or -1; n keys, each key[k] klen[k]
 * bytes. A request's envelope asks for four: one pass, not four.
 */
void
jdoc_members(const struct jdoc *d, int i, const char *const *keys,
    const size_t *klen, int *out, size_t n)
{
	const struct jtok	*t;
	uint32_t		 m;
	size_t			 j, len;
	int			 k;

	for (j = 0; j < n; j++)
		out[j] = -1;
	if (i < 0 || d->t[i].type != JT_OBJECT)
		return;
	for (m = 0, k = i + 1; m < d->t[i].n; m++, k = jdoc_next_member(d, k)) {
		t = &d->t[k];
		len = t->end - t->start - 2;
		for (j = 0; j < n; j++) {
			if (!(t->flags & JT_ESCAPED) ? jdoc_bytes_eq(d->text +
			    t->start + 1, len, keys[j], klen[j]) :
			    jdoc_escaped_eq(d, k, keys[j], klen[j])) {
				out[j] = k + 1;
				break;
			}
		}
	}
}

/* The value of token i as a json-c object, for the paths that want one. */
struct json_object *
jdoc_object(const struct jdoc *d, int i)
{
	return json_build(d->text + d->t[i].start,
	    d->t[i].end - d->t[i].start);
}

/*
 * buf's tokens when it is one JSON object on one line whose top level has
 * a "content" key with an array value, else NULL. The tokens are this
 * module's, valid until the next call: a caller that looks further into
 * the result (its structuredContent) does not parse it again.
 */
const struct jdoc *
json_check_result(const char *buf, size_t len)
{
	static struct jdoc	 d;
	const char		*why;
	size_t			 at;
	int			 v;

	jdoc_trim(&d);		/* the last result's, when it was huge */
	if (jdoc_parse(&d, buf, len, JDOC_ONE_LINE, &why, &at) == -1 ||
	    d.t[0].type != JT_OBJECT)
		return NULL;
	/* A tool's content, a resource's contents, a prompt's messages, a
	 * completion: which one its kind sends is its owner's to check. */
	if (((v = jdoc_member(&d, 0, "content")) != -1 ||
	    (v = jdoc_member(&d, 0, "contents")) != -1 ||
	    (v = jdoc_member(&d, 0, "messages")) != -1) &&
	    d.t[v].type == JT_ARRAY)
		return &d;
	if ((v = jdoc_member(&d, 0, "completion")) != -1 &&
	    d.t[v].type == JT_OBJECT)
		return &d;
	return NULL;
}
