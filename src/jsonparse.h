/* SPDX-License-Identifier: ISC */
/*
 * The request parser's face: a JSON text checked (strict JSON, UTF-8,
 * depth) into a reused array of tokens pointing into the text, and the
 * few json-c entry points the supervisor keeps for whole documents.
 */
#ifndef JSONPARSE_H
#define JSONPARSE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>		/* jdoc_member */

#include <json.h>

/* jsonparse.c: a parsed text as tokens pointing into it */
enum jtype {
	JT_OBJECT, JT_ARRAY, JT_STRING, JT_NUMBER, JT_TRUE, JT_FALSE, JT_NULL
};
#define JT_ESCAPED	0x01	/* a string with backslash escapes */
#define JT_FRACTION	0x02	/* a number with a fraction or exponent */
struct jtok {
	uint8_t		 type;		/* enum jtype */
	uint8_t		 flags;
	uint32_t	 start, end;	/* the value's bytes, quotes included */
	uint32_t	 next;		/* the token after this whole value */
	uint32_t	 n;		/* members or elements */
};
struct jdoc {
	const char	*text;
	struct jtok	*t;		/* t[0] is the top value */
	size_t		 nt, cap;
};
#define JDOC_ONE_LINE	0x01
int		 jdoc_escaped_eq(const struct jdoc *, int, const char *, size_t);

/* The token after key k's value: the next key of the same object. */
static inline int
jdoc_next_member(const struct jdoc *d, int k)
{
	return (int)d->t[k + 1].next;
}

/* a (alen bytes) is b (blen)? Lengths and first bytes settle most. */
static inline int
jdoc_bytes_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || (a[0] == b[0] &&
	    memcmp(a, b, alen) == 0));
}

/* Is string token i exactly s (n bytes)? Run per request: in place. */
static inline int
jdoc_string_eq(const struct jdoc *d, int i, const char *s, size_t n)
{
	const struct jtok	*t = &d->t[i];

	if (t->type != JT_STRING)
		return 0;
	if (t->flags & JT_ESCAPED)
		return jdoc_escaped_eq(d, i, s, n);
	return jdoc_bytes_eq(d->text + t->start + 1, t->end - t->start - 2,
	    s, n);
}

/* Members of object token i: key k, value k + 1. */
#define JDOC_FOREACH_MEMBER(d, i, k, m)					\
	for ((m) = 0, (k) = (i) + 1; (m) < (d)->t[i].n;			\
	    (m)++, (k) = jdoc_next_member(d, k))
#define JDOC_FOREACH_ELEMENT(d, i, e, m)				\
	for ((m) = 0, (e) = (i) + 1; (m) < (d)->t[i].n;			\
	    (m)++, (e) = (int)(d)->t[e].next)
int		 json_parse_text(const char *, size_t, struct json_object **,
		    const char **, size_t *);
struct json_object *json_parse_object(const char *, size_t);
void		 json_parse_free(void);
const struct jdoc *json_check_result(const char *, size_t);
int		 jdoc_parse(struct jdoc *, const char *, size_t, int,
		    const char **, size_t *);
void		 jdoc_free(struct jdoc *);
void		 jdoc_trim(struct jdoc *);
int		 jdoc_member_n(const struct jdoc *, int, const char *, size_t);
#define jdoc_member(d, i, key)	jdoc_member_n((d), (i), (key), strlen(key))
void		 jdoc_members(const struct jdoc *, int, const char *const *,
		    const size_t *, int *, size_t);
size_t		 jdoc_string(const struct jdoc *, int, char *, size_t);
struct json_object *jdoc_object(const struct jdoc *, int);

#endif /* JSONPARSE_H */
