/* SPDX-License-Identifier: ISC */
/*
 * Base64 (RFC 4648): the standard alphabet, padded, as MCP headers carry
 * it (=?base64?...?=), and the URL-safe one without padding, as a
 * requestState carries its parts.
 */
#ifndef BASE64_H
#define BASE64_H

#include <stddef.h>

enum base64_kind {
	BASE64_STD,		/* A-Z a-z 0-9 + /, padded with = */
	BASE64_URL		/* A-Z a-z 0-9 - _, no padding */
};

size_t	base64_encoded_len(size_t);
size_t	base64_encode(const void *, size_t, char *, enum base64_kind);
int	base64_decode(const char *, size_t, char *, size_t, enum base64_kind);

#endif /* BASE64_H */
