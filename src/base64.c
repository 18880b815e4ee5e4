/* SPDX-License-Identifier: ISC */
/*
 * Base64 both ways, in the two alphabets mcp-hotd meets (base64.h).
 */
#include "config.h"

#include <string.h>

#include "base64.h"

static const char	std_abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789+/";
static const char	url_abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789-_";

/* Room base64_encode needs for len bytes, its NUL included. */
size_t
base64_encoded_len(size_t len)
{
	return (len + 2) / 3 * 4 + 1;
}

/* len bytes into out (NUL-terminated); the text's length. */
size_t
base64_encode(const void *in, size_t len, char *out, enum base64_kind kind)
{
	const char		*abc = kind == BASE64_URL ? url_abc : std_abc;
	const unsigned char	*p = in;
	unsigned		 acc = 0, bits = 0;
	size_t			 n = 0, i;

	for (i = 0; i < len; i++) {
		acc = (acc << 8) | p[i];
		for (bits += 8; bits >= 6; bits -= 6)
			out[n++] = abc[(acc >> (bits - 6)) & 63];
	}
	if (bits > 0)
		out[n++] = abc[(acc << (6 - bits)) & 63];
	while (kind == BASE64_STD && n % 4 != 0)
		out[n++] = '=';
	out[n] = '\0';
	return n;
}

/*
 * len characters of base64 into out (at most size bytes): the bytes
 * decoded, or -1 when it is not base64 of that kind or does not fit.
 */
int
base64_decode(const char *in, size_t len, char *out, size_t size,
    enum base64_kind kind)
{
	const char	*abc = kind == BASE64_URL ? url_abc : std_abc, *p;
	unsigned	 acc = 0, bits = 0;
	size_t		 n = 0, i;

	if (kind == BASE64_STD ? len % 4 != 0 : len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		if (kind == BASE64_STD && in[i] == '=') {
			if (i < len - 2 || (i == len - 2 && in[len - 1] != '='))
				return -1;
			break;
		}
		if (in[i] == '\0' || (p = strchr(abc, in[i])) == NULL)
			return -1;
		acc = (acc << 6) | (unsigned)(p - abc);
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (n == size)
				return -1;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	return (int)n;
}
