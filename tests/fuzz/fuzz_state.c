/* SPDX-License-Identifier: ISC */
/*
 * A 2026 requestState is what a client sends back: any bytes. Anything
 * not sealed here is refused, never a crash; a state sealed around any
 * answers opens to them, and changed in any one character it does not.
 * base64 round-trips any bytes in both alphabets.
 */
#include "config.h"

#include <string.h>

#include "base64.h"
#include "mcp-hotd.h"
#include "fuzz.h"

struct supervisor sv;

static void
fuzz_base64(const uint8_t *data, size_t size, enum base64_kind kind)
{
	char	*enc = malloc(base64_encoded_len(size)), *dec = malloc(size + 1);
	size_t	 n;

	n = base64_encode(data, size, enc, kind);
	FUZZ_ASSERT(base64_decode(enc, n, dec, size, kind) == (int)size &&
	    memcmp(dec, data, size) == 0, "base64 round-trips any bytes");
	free(enc);
	free(dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 keyed;
	struct json_object	*ans, *got = NULL, *v;
	char			 why[256], *hex, *st;
	size_t			 i, len;

	if (!keyed) {
		state_key_load(NULL);
		keyed = 1;
	}
	fuzz_base64(data, size, BASE64_STD);
	fuzz_base64(data, size, BASE64_URL);
	FUZZ_ASSERT(state_open((const char *)data, size, "t", 7, "{}", 2, &got,
	    why, sizeof(why)) == -1 && got == NULL && why[0] != '\0',
	    "a state not sealed here is refused, saying why");

	hex = malloc(2 * size + 1);
	for (i = 0; i < size; i++)
		snprintf(hex + 2 * i, 3, "%02x", data[i]);
	hex[2 * size] = '\0';
	ans = json_object_new_object();
	json_object_object_add(ans, "k", json_object_new_string(hex));
	st = state_seal("t", 7, "{\"a\":[1]}", 9, ans);
	len = strlen(st);
	FUZZ_ASSERT(state_open(st, len, "t", 7, "{\"a\": [1]}", 10, &got, why,
	    sizeof(why)) == 0 && json_object_object_get_ex(got, "k", &v) &&
	    strcmp(json_object_get_string(v), hex) == 0,
	    "a sealed state opens to its answers");
	json_object_put(got);
	got = NULL;
	if (size > 0) {
		st[data[0] % len] ^= 1;
		FUZZ_ASSERT(state_open(st, len, "t", 7, "{\"a\":[1]}", 9, &got,
		    why, sizeof(why)) == -1 && got == NULL,
		    "a state changed in one character is refused");
	}
	free(st);
	free(hex);
	json_object_put(ans);
	return 0;
}
