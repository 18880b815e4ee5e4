/* SPDX-License-Identifier: ISC */
/*
 * Decoding the inside of a JSON string literal to UTF-8. A surrogate pair
 * written as two \u escapes becomes one character; a lone surrogate, which
 * UTF-8 cannot hold, becomes U+FFFD.
 */
#include "config.h"

#include "jsonstr.h"

static int
hex4(const char *p, unsigned *out)
{
	unsigned	v = 0;
	int		i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *
put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80)
		*o++ = (char)cp;
	else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* One \uXXXX at p (after the "\u"), with its low half if it has one. */
static const char *
unescape_u(const char *p, const char *end, char **o)
{
	unsigned	cp, lo;

	if (end - p < 4 || hex4(p, &cp) == -1)
		return NULL;
	p += 4;
	if (cp >= 0xd800 && cp <= 0xdbff && end - p >= 6 && p[0] == '\\' &&
	    p[1] == 'u' && hex4(p + 2, &lo) == 0 && lo >= 0xdc00 &&
	    lo <= 0xdfff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p += 6;
	} else if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd;
	*o = put_utf8(*o, cp);
	return p;
}

/*
 * Decode the len bytes between a string's quotes into out, which has room
 * for len bytes (decoding never grows a string). Returns the decoded
 * length, or -1 for a bad escape.
 */
ssize_t
json_unescape(const char *in, size_t len, char *out)
{
	const char	*p = in, *end = in + len;
	char		*o = out;

	while (p < end) {
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		if (++p >= end)
			return -1;
		switch (*p++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if ((p = unescape_u(p, end, &o)) == NULL)
				return -1;
			break;
		default:
			return -1;
		}
	}
	return o - out;
}
