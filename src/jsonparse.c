/*
 * JSON text utilities for the supervisor.
 *
 * json_parse_text: parse one complete JSON text (a request line, the tools
 * file, a worker's payload). json-c's tokener is incremental: "42" alone
 * stays "continue" because more digits could follow, so the end of the
 * text is made explicit. One tokener is kept and reset: allocating one per
 * parse was the biggest cost on the request path.
 *
 * json_check_result: is a worker's result one compact JSON object with a
 * "content" array, on one line? A syntax check that allocates nothing, so a
 * result is relayed as the worker wrote it without being parsed.
 */
#include "config.h"

#include <string.h>

#include "mcp-hotd.h"

static struct json_tokener	*json_tok;

struct json_object *
json_parse_text(const char *buf, size_t len, int flags,
    enum json_tokener_error *err, size_t *end)
{
	struct json_object	*o;

	if (json_tok == NULL &&
	    (json_tok = json_tokener_new_ex(JSON_MAX_DEPTH)) == NULL)
		fatal("%s", __func__);
	json_tokener_reset(json_tok);
	json_tokener_set_flags(json_tok, flags);
	o = json_tokener_parse_ex(json_tok, buf, (int)len);
	*err = json_tokener_get_error(json_tok);
	*end = json_tokener_get_parse_end(json_tok);
	if (*err == json_tokener_continue) {
		o = json_tokener_parse_ex(json_tok, " ", 1);
		*err = json_tokener_get_error(json_tok);
		*end = len;
	}
	if (*err != json_tokener_success && o != NULL) {
		json_object_put(o);
		o = NULL;
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

struct scan {
	const char	*p, *end;
	int		 depth;
};

static int	scan_value(struct scan *);

static void
scan_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
		s->p++;
}

static int
scan_lit(struct scan *s, const char *lit, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

static int
scan_hex4(struct scan *s)
{
	int	i;

	for (i = 0; i < 4; i++, s->p++)
		if (s->p >= s->end || strchr("0123456789abcdefABCDEF",
		    *s->p) == NULL || *s->p == '\0')
			return -1;
	return 0;
}

/* A string: control characters (raw newlines among them) refused. */
static int
scan_string(struct scan *s)
{
	if (s->p >= s->end || *s->p++ != '"')
		return -1;
	while (s->p < s->end) {
		unsigned char c = (unsigned char)*s->p++;

		if (c == '"')
			return 0;
		if (c < 0x20)
			return -1;
		if (c != '\\')
			continue;
		if (s->p >= s->end)
			return -1;
		c = (unsigned char)*s->p++;
		if (c == 'u') {
			if (scan_hex4(s) == -1)
				return -1;
		} else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0')
			return -1;
	}
	return -1;
}

static int
scan_digits(struct scan *s)
{
	const char	*start = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start ? 0 : -1;
}

static int
scan_number(struct scan *s)
{
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (scan_digits(s) == -1)
		return -1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (scan_digits(s) == -1)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (scan_digits(s) == -1)
			return -1;
	}
	return 0;
}

/* Members or elements up to the closing bracket; keys when object. */
static int
scan_container(struct scan *s, char close, int object)
{
	if (++s->depth > JSON_MAX_DEPTH)
		return -1;
	s->p++;
	scan_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return 0;
	}
	for (;;) {
		if (object) {
			if (scan_string(s) == -1)
				return -1;
			scan_ws(s);
			if (s->p >= s->end || *s->p++ != ':')
				return -1;
		}
		if (scan_value(s) == -1)
			return -1;
		scan_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			scan_ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			s->depth--;
			return 0;
		}
		return -1;
	}
}

static int
scan_value(struct scan *s)
{
	scan_ws(s);
	if (s->p >= s->end)
		return -1;
	switch (*s->p) {
	case '{':
		return scan_container(s, '}', 1);
	case '[':
		return scan_container(s, ']', 0);
	case '"':
		return scan_string(s);
	case 't':
		return scan_lit(s, "true", 4);
	case 'f':
		return scan_lit(s, "false", 5);
	case 'n':
		return scan_lit(s, "null", 4);
	default:
		return scan_number(s);
	}
}

/*
 * 0 when buf is one JSON object on one line whose top level has a
 * "content" key with an array value, else -1.
 */
int
json_check_result(const char *buf, size_t len)
{
	struct scan	 s = { buf, buf + len, 0 };
	const char	*key;

	scan_ws(&s);
	if (s.p >= s.end || *s.p != '{' || scan_value(&s) == -1)
		return -1;
	scan_ws(&s);
	if (s.p != s.end)
		return -1;
	/* The value is valid JSON, so "content": at depth 1 is a key. */
	for (key = buf; (key = memmem(key, (size_t)(s.end - key),
	    "\"content\":", 10)) != NULL; key += 10) {
		int depth = 0, in_str = 0;
		const char *q;

		for (q = buf; q < key; q++) {
			if (in_str) {
				if (*q == '\\')
					q++;
				else if (*q == '"')
					in_str = 0;
			} else if (*q == '"')
				in_str = 1;
			else if (*q == '{' || *q == '[')
				depth++;
			else if (*q == '}' || *q == ']')
				depth--;
		}
		if (depth == 1 && !in_str)
			return key[10] == '[' ? 0 : -1;
	}
	return -1;
}
