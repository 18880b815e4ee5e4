/* SPDX-License-Identifier: ISC */
/* Unit tests of what signs a 2026 requestState: SHA-256 and HMAC-SHA256
 * against their standards' vectors, base64 both ways, and a state sealed,
 * opened, and refused when changed, moved or of another key. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "mcp-hotd.h"
#include "sha256.h"
#include "unit.h"

struct supervisor sv;

static const char *
hex(const uint8_t *d, size_t n)
{
	static char	buf[2 * SHA256_LEN + 1];
	size_t		i;

	for (i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", d[i]);
	return buf;
}

static int
sha_is(const char *msg, size_t len, const char *want)
{
	uint8_t	d[SHA256_LEN];

	sha256(msg, len, d);
	return strcmp(hex(d, sizeof(d)), want) == 0;
}

static int
hmac_is(const void *key, size_t klen, const char *msg, const char *want)
{
	uint8_t	d[SHA256_LEN];

	hmac_sha256(key, klen, msg, strlen(msg), d);
	return strcmp(hex(d, sizeof(d)), want) == 0;
}

static int
b64_round(const char *in, enum base64_kind kind, const char *want)
{
	char	enc[64], dec[64];
	int	n;

	base64_encode(in, strlen(in), enc, kind);
	n = base64_decode(enc, strlen(enc), dec, sizeof(dec), kind);
	return strcmp(enc, want) == 0 && n == (int)strlen(in) &&
	    memcmp(dec, in, (size_t)n) == 0;
}

/* The key unit tests load: KEY, 32 bytes. */
#define KEY	"0123456789abcdef0123456789abcdef"
#define KEY2	"fedcba9876543210fedcba9876543210"

/*
 * A token signed with KEY around payload (a format whose %s is the hash of
 * the arguments "{}"), opened for tool "t" and "{}".
 */
static int
signed_open(const char *fmt, char *why, size_t whylen)
{
	struct json_object	*got = NULL;
	uint8_t			 d[SHA256_LEN];
	char			 payload[512], hash[2 * SHA256_LEN + 1];
	char			 tok[1024], mac[64];
	size_t			 n;
	int			 rv;

	sha256("{}", 2, d);
	snprintf(hash, sizeof(hash), "%s", hex(d, sizeof(d)));
	snprintf(payload, sizeof(payload), fmt, hash);
	n = base64_encode(payload, strlen(payload), tok, BASE64_URL);
	hmac_sha256(KEY, 32, tok, n, d);
	base64_encode(d, sizeof(d), mac, BASE64_URL);
	tok[n] = '.';
	strcpy(tok + n + 1, mac);
	rv = state_open(tok, strlen(tok), "t", 7, "{}", 2, &got, why, whylen);
	json_object_put(got);
	return rv;
}

/* The file at path now holds text (a rotated key, or a bad one). */
static int
rewrite(const char *path, const char *text)
{
	int	fd, ok;

	if ((fd = open(path, O_WRONLY | O_TRUNC)) == -1)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

int
main(void)
{
	struct json_object	*ans = json_object_new_object(), *got = NULL;
	uint8_t			 k20[20], k131[131];
	char			 million[1000], why[256], *st, *bad, path[] =
				    "/tmp/unit-state-XXXXXX";
	struct sha256		 s;
	uint8_t			 d[SHA256_LEN];
	int			 i, fd;

	/* FIPS 180-4 examples. */
	CHECK(sha_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
	    "SHA-256 of the empty string");
	CHECK(sha_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
	    "SHA-256 of abc");
	CHECK(sha_is("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
	    "SHA-256 of the two-block message");
	memset(million, 'a', sizeof(million));
	sha256_init(&s);
	for (i = 0; i < 1000; i++)
		sha256_update(&s, million, sizeof(million));
	sha256_final(&s, d);
	CHECK(strcmp(hex(d, sizeof(d)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0,
	    "SHA-256 of a million a's, fed in pieces");
	/* RFC 4231 test cases 1, 2 and 6 (a key longer than a block). */
	memset(k20, 0x0b, sizeof(k20));
	CHECK(hmac_is(k20, sizeof(k20), "Hi There",
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
	    "HMAC-SHA256, RFC 4231 case 1");
	CHECK(hmac_is("Jefe", 4, "what do ya want for nothing?",
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
	    "HMAC-SHA256, RFC 4231 case 2");
	memset(k131, 0xaa, sizeof(k131));
	CHECK(hmac_is(k131, sizeof(k131),
	    "Test Using Larger Than Block-Size Key - Hash Key First",
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
	    "HMAC-SHA256, RFC 4231 case 6 (a key longer than a block)");
	/* RFC 4648 section 10, both alphabets. */
	CHECK(b64_round("f", BASE64_STD, "Zg==") && b64_round("fo", BASE64_STD,
	    "Zm8=") && b64_round("foobar", BASE64_STD, "Zm9vYmFy"),
	    "base64 encodes and decodes the RFC's vectors, padded");
	CHECK(b64_round("f", BASE64_URL, "Zg") && b64_round("\xfb\xff", BASE64_URL,
	    "-_8"), "base64url: no padding, - and _");
	CHECK(base64_decode("Zg=", 3, why, sizeof(why), BASE64_STD) == -1 &&
	    base64_decode("Z", 1, why, sizeof(why), BASE64_URL) == -1 &&
	    base64_decode("Z+", 2, why, sizeof(why), BASE64_URL) == -1,
	    "base64 refuses bad lengths and the other alphabet");

	/* A state: sealed and opened with one key, refused otherwise. */
	state_key_load(NULL);
	json_object_object_add(ans, "k", json_object_new_string("v"));
	st = state_seal("t", 7, "{\"a\": 1}", 8, ans);
	CHECK(state_open(st, strlen(st), "t", 7, "{\"a\":1}", 7, &got, why,
	    sizeof(why)) == 0 && got != NULL && strcmp(json_object_get_string(
	    json_object_object_get(got, "k")), "v") == 0,
	    "a sealed state opens for its tool and arguments (spacing aside)");
	json_object_put(got);
	CHECK(state_open(st, strlen(st), "u", 7, "{\"a\":1}", 7, &got, why,
	    sizeof(why)) == -1 && strstr(why, "another tool") != NULL,
	    "... not for another tool");
	CHECK(state_open(st, strlen(st), "t", 7, "{\"a\":2}", 7, &got, why,
	    sizeof(why)) == -1 && strstr(why, "other arguments") != NULL,
	    "... nor for other arguments");
	CHECK(state_open(st, strlen(st), "t", 8, "{\"a\":1}", 7, &got, why,
	    sizeof(why)) == -1 && strstr(why, "another version") != NULL,
	    "... nor for another version of the tool (a hot update since)");
	bad = strdup(st);
	bad[3] = bad[3] == 'A' ? 'B' : 'A';
	CHECK(state_open(bad, strlen(bad), "t", 7, "{\"a\":1}", 7, &got, why,
	    sizeof(why)) == -1 && strstr(why, "integrity") != NULL,
	    "a state changed anywhere fails its integrity check");
	CHECK(state_open("nodot", 5, "t", 7, "{}", 2, &got, why, sizeof(why)) == -1,
	    "a state that is not ours is refused");
	fd = mkstemp(path);
	CHECK(fd != -1 && write(fd, KEY, 32) == 32,
	    "a key file is written");
	close(fd);
	state_key_load(path);
	CHECK(state_open(st, strlen(st), "t", 7, "{\"a\":1}", 7, &got, why,
	    sizeof(why)) == -1, "a state of another key is refused");
	free(st);
	st = state_seal("t", 7, "{}", 2, ans);
	state_key_load(path);
	CHECK(state_open(st, strlen(st), "t", 7, "{}", 2, &got, why,
	    sizeof(why)) == 0, "the same key file, loaded again, opens it");
	json_object_put(got);
	/* Signed with the key, but expired, or not a state at all. */
	CHECK(signed_open("{\"v\":1,\"tool\":\"t\",\"ver\":\"0000000000000007\","
	    "\"args\":\"%s\","
	    "\"answers\":{},\"exp\":1}", why, sizeof(why)) == -1 &&
	    strstr(why, "expired") != NULL, "an expired state is refused");
	CHECK(signed_open("{\"v\":1,\"tool\":\"t\",\"ver\":\"0000000000000007\","
	    "\"args\":\"%s\","
	    "\"answers\":[],\"exp\":9999999999}", why, sizeof(why)) == -1 &&
	    strstr(why, "malformed") != NULL, "answers not an object: refused");
	CHECK(signed_open("not json %s", why, sizeof(why)) == -1 &&
	    strstr(why, "malformed") != NULL, "a signed text that is not a "
	    "state is refused");
	CHECK(signed_open("{\"v\":1,\"tool\":\"t\",\"ver\":\"0000000000000007\","
	    "\"args\":\"%s\","
	    "\"answers\":{},\"exp\":9999999999}", why, sizeof(why)) == 0,
	    "... the same, well formed and in time, opens (the harness "
	    "signs as state.c does)");
	/* SIGHUP with a rotated key file: new states are signed with the
	 * new key, old ones still open (until they expire). */
	CHECK(rewrite(path, KEY2) == 0, "the key file rotated");
	state_key_reload();
	CHECK(state_open(st, strlen(st), "t", 7, "{}", 2, &got, why,
	    sizeof(why)) == 0, "after the rotation the previous key verifies");
	json_object_put(got);
	free(bad);
	bad = state_seal("t", 7, "{}", 2, ans);
	state_key_load(path);	/* as another instance with only the new key */
	CHECK(state_open(bad, strlen(bad), "t", 7, "{}", 2, &got, why,
	    sizeof(why)) == 0, "a new state is signed with the new key");
	json_object_put(got);
	CHECK(state_open(st, strlen(st), "t", 7, "{}", 2, &got, why,
	    sizeof(why)) == -1, "... which alone does not open an old one");
	CHECK(rewrite(path, "short") == 0, "a bad key file");
	state_key_reload();
	CHECK(state_open(bad, strlen(bad), "t", 7, "{}", 2, &got, why,
	    sizeof(why)) == 0, "a rotation to a bad file keeps the key");
	json_object_put(got);
	unlink(path);
	free(st);
	free(bad);
	json_object_put(ans);
	return unit_finish();
}
