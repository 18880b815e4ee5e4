/* SPDX-License-Identifier: ISC */
/*
 * A 2026-07-28 requestState (SEP-2322): what a call that asked its client
 * back carries to the request that answers it, which may reach another
 * instance of a fleet. It holds the answers given so far, bound to the
 * tool, the version of it that asked (a hot update in between would feed
 * one version's answers to another's code) and its arguments, and
 * expires; it is signed (HMAC-SHA256) with a
 * key every instance shares (--state-key-file), so a client can replay
 * it but not change it.
 *
 *	base64url(payload) "." base64url(HMAC(key, base64url(payload)))
 *	payload: {"v":1,"tool":NAME,"ver":VERSION-HEX,"args":SHA256-HEX,
 *	    "answers":{..},"exp":T}
 */
#include "config.h"

#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "sha256.h"
#include "xmalloc.h"

#define STATE_KEY_MIN	32
#define STATE_KEY_MAX	4096

/*
 * The signing key, and the one it replaced: a SIGHUP that finds the key
 * file changed keeps the old key for verifying (never signing) as long as
 * a state it signed may come back, STATE_TTL.
 */
struct state_key {
	unsigned char	bytes[STATE_KEY_MAX];
	size_t		len;
};
static struct state_key	state_key, state_previous;
static time_t		state_previous_until;
static const char	*state_key_path;

/* The file's bytes (at least 32) into k; -1 and why if it will not do. */
static int
state_key_read(const char *path, struct state_key *k, char *why, size_t len)
{
	struct stat	st;
	ssize_t		n;
	int		fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(why, len, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(why, len, "not a regular file");
		return -1;
	}
	if (st.st_mode & 077)
		log_warnx("--state-key-file %s: readable by others than its "
		    "owner (chmod 600 it)", path);
	n = read(fd, k->bytes, sizeof(k->bytes));
	close(fd);
	if (n < STATE_KEY_MIN) {
		snprintf(why, len, "%s; it needs %d bytes or more (head -c 32 "
		    "/dev/urandom > FILE)", n < 0 ? strerror(errno) :
		    "too short", STATE_KEY_MIN);
		return -1;
	}
	k->len = (size_t)n;
	return 0;
}

/*
 * The signing key: the file's bytes (at least 32), or, without one, 32
 * random bytes, good for this instance only.
 */
void
state_key_load(const char *path)
{
	char	why[256];

	state_key_path = path;
	explicit_bzero(&state_previous, sizeof(state_previous));
	state_previous_until = 0;
	if (path == NULL) {
		if (getrandom(state_key.bytes, STATE_KEY_MIN, 0) !=
		    STATE_KEY_MIN)
			fatal("getrandom");
		state_key.len = STATE_KEY_MIN;
		return;
	}
	if (state_key_read(path, &state_key, why, sizeof(why)) == -1)
		fatalx("--state-key-file %s: %s", path, why);
}

/*
 * SIGHUP: a rotated key file signs from now on; the key before it still
 * verifies what it signed until that expires. A file that will not do
 * now keeps the key there is.
 */
void
state_key_reload(void)
{
	struct state_key	k;
	char			why[256];

	if (state_key_path == NULL)
		return;
	if (state_key_read(state_key_path, &k, why, sizeof(why)) == -1) {
		log_warnx("--state-key-file %s: %s; the key stays as it was",
		    state_key_path, why);
		return;
	}
	if (k.len == state_key.len &&
	    memcmp(k.bytes, state_key.bytes, k.len) == 0)
		return;
	state_previous = state_key;
	/* As long as what it signed may come back: a session id lives
	 * longest. */
	state_previous_until = time(NULL) + SESSION_TOKEN_TTL;
	state_key = k;
	explicit_bzero(&k, sizeof(k));
	log_info("--state-key-file %s: a new key signs; the previous one "
	    "verifies for %d s more", state_key_path, SESSION_TOKEN_TTL);
}

/* The hex SHA-256 of a JSON text as json-c writes it back (no spaces). */
static void
state_args_hash(const char *args, size_t len, char hex[2 * SHA256_LEN + 1])
{
	struct json_object	*o;
	const char		*s;
	uint8_t			 d[SHA256_LEN];
	size_t			 i;

	o = json_parse_object(args, len);
	s = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) :
	    "{}";
	sha256(s, strlen(s), d);
	json_object_put(o);
	for (i = 0; i < SHA256_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* Whether a and b differ, in a time that does not say where. */
static int
state_differ(const char *a, const char *b, size_t len)
{
	unsigned char	d = 0;
	size_t		i;

	for (i = 0; i < len; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d != 0;
}

static void
state_mac(const struct state_key *k, const char *text, size_t len,
    char out[64])
{
	uint8_t	mac[SHA256_LEN];

	hmac_sha256(k->bytes, k->len, text, len, mac);
	base64_encode(mac, sizeof(mac), out, BASE64_URL);
}

/* Whether mac (len bytes) signs text under key k. */
static int
state_signed_by(const struct state_key *k, const char *text, size_t tlen,
    const char *mac, size_t len)
{
	char	want[64];

	state_mac(k, text, tlen, want);
	/* Compared in constant time: the mac is not to be guessed by timing. */
	return len == strlen(want) && !state_differ(want, mac, len);
}

/* A signed state for tool's call with args, carrying answers. */
char *
state_seal(const char *tool, uint64_t version, const char *args,
    size_t argslen, struct json_object *answers)
{
	struct json_object	*p = json_object_new_object();
	const char		*s;
	char			 hex[2 * SHA256_LEN + 1], mac[64], *out, ver[17];
	size_t			 len, n;

	state_args_hash(args, argslen, hex);
	snprintf(ver, sizeof(ver), "%016" PRIx64, version);
	json_object_object_add(p, "v", json_object_new_int(1));
	json_object_object_add(p, "tool", json_object_new_string(tool));
	json_object_object_add(p, "ver", json_object_new_string(ver));
	json_object_object_add(p, "args", json_object_new_string(hex));
	json_object_object_add(p, "answers", json_object_get(answers));
	json_object_object_add(p, "exp", json_object_new_int64(
	    (int64_t)time(NULL) + STATE_TTL));
	s = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN);
	len = strlen(s);
	out = xmalloc(base64_encoded_len(len) + 1 + sizeof(mac));
	n = base64_encode(s, len, out, BASE64_URL);
	state_mac(&state_key, out, n, mac);
	out[n] = '.';
	memcpy(out + n + 1, mac, strlen(mac) + 1);
	json_object_put(p);
	return out;
}

static int
state_fail(char *why, size_t whylen, const char *what)
{
	snprintf(why, whylen, "requestState %s", what);
	return -1;
}

/*
 * Open a state the client sent back for tool's call with args: 0 with
 * *answers (owned) when it is ours, whole, for this call and in time;
 * else -1 and why.
 */
int
state_open(const char *token, size_t len, const char *tool, uint64_t version,
    const char *args, size_t argslen, struct json_object **answers, char *why,
    size_t whylen)
{
	struct json_object	*p = NULL, *v;
	const char		*dot;
	char			 hex[2 * SHA256_LEN + 1], *text, ver[17];
	size_t			 plen;
	int			 n, rv = -1;

	*answers = NULL;
	if ((dot = memchr(token, '.', len)) == NULL)
		return state_fail(why, whylen, "is not one of this server's");
	plen = (size_t)(dot - token);
	if (!state_signed_by(&state_key, token, plen, dot + 1, len - plen - 1) &&
	    (time(NULL) > state_previous_until || !state_signed_by(
	    &state_previous, token, plen, dot + 1, len - plen - 1)))
		return state_fail(why, whylen, "fails its integrity check "
		    "(changed, or signed with another key)");
	text = xmalloc(plen + 1);
	if ((n = base64_decode(token, plen, text, plen, BASE64_URL)) == -1 ||
	    (p = json_parse_object(text, (size_t)n)) == NULL) {
		state_fail(why, whylen, "is malformed");
		goto done;
	}
	state_args_hash(args, argslen, hex);
	if (!json_object_object_get_ex(p, "tool", &v) ||
	    strcmp(json_object_get_string(v), tool) != 0 ||
	    !json_object_object_get_ex(p, "args", &v) ||
	    strcmp(json_object_get_string(v), hex) != 0)
		state_fail(why, whylen, "belongs to another tool or other "
		    "arguments");
	else if (snprintf(ver, sizeof(ver), "%016" PRIx64, version) < 0 ||
	    !json_object_object_get_ex(p, "ver", &v) ||
	    strcmp(json_object_get_string(v), ver) != 0)
		state_fail(why, whylen, "was issued by another version of the "
		    "tool, which has been updated since: call it afresh, "
		    "without requestState");
	else if (!json_object_object_get_ex(p, "exp", &v) ||
	    json_object_get_int64(v) < (int64_t)time(NULL))
		state_fail(why, whylen, "has expired; call the tool afresh");
	else if (!json_object_object_get_ex(p, "answers", &v) ||
	    !json_object_is_type(v, json_type_object))
		state_fail(why, whylen, "is malformed");
	else {
		*answers = json_object_get(v);
		rv = 0;
	}
done:
	json_object_put(p);
	free(text);
	return rv;
}

/*
 * A 2025 session's id (http_session.c): the session's initialize-time
 * state, signed with the same key, so any instance of a fleet serves it.
 *
 *	base64url(payload) "." base64url(HMAC(key, base64url(payload)))
 *
 * Malloc'd text.
 */
char *
state_session_seal(struct json_object *payload)
{
	const char	*s = json_object_to_json_string_ext(payload,
			    JSON_C_TO_STRING_PLAIN);
	char		 mac[64], *out;
	size_t		 len = strlen(s), n;

	out = xmalloc(base64_encoded_len(len) + 1 + sizeof(mac));
	n = base64_encode(s, len, out, BASE64_URL);
	state_mac(&state_key, out, n, mac);
	out[n] = '.';
	memcpy(out + n + 1, mac, strlen(mac) + 1);
	return out;
}

/*
 * A session id's payload when this fleet's key (or, within
 * SESSION_TOKEN_TTL of a rotation, the one before it) signed it and it is
 * younger than SESSION_TOKEN_TTL; else NULL.
 */
struct json_object *
state_session_open(const char *token, size_t len)
{
	struct json_object	*p, *v;
	const char		*dot;
	char			*text;
	size_t			 plen;
	int			 n;

	if ((dot = memchr(token, '.', len)) == NULL)
		return NULL;
	plen = (size_t)(dot - token);
	if (!state_signed_by(&state_key, token, plen, dot + 1, len - plen - 1) &&
	    (time(NULL) > state_previous_until || !state_signed_by(
	    &state_previous, token, plen, dot + 1, len - plen - 1)))
		return NULL;
	text = xmalloc(plen + 1);
	n = base64_decode(token, plen, text, plen, BASE64_URL);
	p = n > 0 ? json_parse_object(text, (size_t)n) : NULL;
	free(text);
	if (p == NULL || !json_object_object_get_ex(p, "i", &v) ||
	    time(NULL) - json_object_get_int64(v) > SESSION_TOKEN_TTL) {
		json_object_put(p);
		return NULL;
	}
	return p;
}
