/* SPDX-License-Identifier: ISC */
/*
 * An OAuth 2.1 resource server (--oauth-issuer URL --oauth-jwks FILE
 * --resource URL): access tokens are JWTs (RFC 9068) an authorization
 * server issued for this resource. A token is taken when OpenSSL verifies
 * its signature (RS256, ES256, EdDSA only: "none" and the HMAC algorithms
 * never, so a public key cannot serve as a shared secret) with a key of
 * the JWKS file, its typ is at+jwt, its issuer is ours, its audience is
 * our resource, and it is within its validity (60 s of skew). Its scopes
 * then name the clients of --clients it is (clients.c). The keys are read
 * at startup, on SIGHUP, and at most every OAUTH_JWKS_RETRY_S when a
 * token names a kid we do not have (the issuer rotated).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "base64.h"
#include "log.h"
#include "oauth.h"
#include "xmalloc.h"

#define OAUTH_TOKEN_MAX		8192	/* bytes of a token at most */
#define OAUTH_SKEW_S		60	/* clocks may differ by this */
#define OAUTH_JWKS_RETRY_S	10	/* an unknown kid re-reads at most so */
#define OAUTH_KEYS_MAX		64

enum oauth_kty { KTY_RSA, KTY_EC, KTY_OKP };

struct oauth_key {
	char		*kid;		/* NULL: none given */
	enum oauth_kty	 kty;
	EVP_PKEY	*pkey;
};

static struct {
	const char		*issuer, *jwks, *resource;
	int			 allow_no_typ;
	struct oauth_key	*keys;
	size_t			 nkeys;
	time_t			 last_read;
} oa;

static void
oauth_free_keys(struct oauth_key *k, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(k[i].kid);
		EVP_PKEY_free(k[i].pkey);
	}
	free(k);
}

/* A base64url member of a JWK, decoded into a malloc'd buffer; NULL. */
static uint8_t *
oauth_b64_member(struct json_object *jwk, const char *key, size_t *len)
{
	struct json_object	*v;
	const char		*s;
	uint8_t			*out;
	size_t			 n;
	int			 d;

	if (!json_object_object_get_ex(jwk, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	n = strlen(s);
	out = xmalloc(n + 1);
	if ((d = base64_decode(s, n, (char *)out, n + 1, BASE64_URL)) <= 0) {
		free(out);
		return NULL;
	}
	*len = (size_t)d;
	return out;
}

/* A public key of OpenSSL's type name from the parameters bld holds. */
static EVP_PKEY *
oauth_fromdata(const char *name, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM	*params;
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pkey = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

/* An RSA public key from n and e. */
static EVP_PKEY *
oauth_rsa(struct json_object *jwk)
{
	OSSL_PARAM_BLD	*bld = NULL;
	EVP_PKEY	*pkey = NULL;
	BIGNUM		*n = NULL, *e = NULL;
	uint8_t		*nb, *eb;
	size_t		 nlen, elen;

	nb = oauth_b64_member(jwk, "n", &nlen);
	eb = oauth_b64_member(jwk, "e", &elen);
	if (nb == NULL || eb == NULL || nlen < 256)	/* 2048 bits at least */
		goto done;
	if ((n = BN_bin2bn(nb, (int)nlen, NULL)) != NULL &&
	    (e = BN_bin2bn(eb, (int)elen, NULL)) != NULL &&
	    (bld = OSSL_PARAM_BLD_new()) != NULL &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		pkey = oauth_fromdata("RSA", bld);
done:
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	free(nb);
	free(eb);
	return pkey;
}

/* A P-256 public key from x and y. */
static EVP_PKEY *
oauth_ec(struct json_object *jwk)
{
	struct json_object	*crv;
	OSSL_PARAM_BLD		*bld = NULL;
	EVP_PKEY		*pkey = NULL;
	uint8_t			*x, *y, point[65];
	size_t			 xlen = 0, ylen = 0;

	x = oauth_b64_member(jwk, "x", &xlen);
	y = oauth_b64_member(jwk, "y", &ylen);
	if (!json_object_object_get_ex(jwk, "crv", &crv) ||
	    strcmp(json_object_get_string(crv), "P-256") != 0 ||
	    x == NULL || y == NULL || xlen != 32 || ylen != 32)
		goto done;
	point[0] = 0x04;		/* uncompressed */
	memcpy(point + 1, x, 32);
	memcpy(point + 33, y, 32);
	if ((bld = OSSL_PARAM_BLD_new()) != NULL &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    point, sizeof(point)))
		pkey = oauth_fromdata("EC", bld);
done:
	OSSL_PARAM_BLD_free(bld);
	free(x);
	free(y);
	return pkey;
}

/* An Ed25519 public key from x. */
static EVP_PKEY *
oauth_okp(struct json_object *jwk)
{
	struct json_object	*crv;
	EVP_PKEY		*pkey = NULL;
	uint8_t			*x;
	size_t			 xlen = 0;

	x = oauth_b64_member(jwk, "x", &xlen);
	if (json_object_object_get_ex(jwk, "crv", &crv) &&
	    strcmp(json_object_get_string(crv), "Ed25519") == 0 &&
	    x != NULL && xlen == 32)
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x,
		    32);
	free(x);
	return pkey;
}

/* The JWKS file into a new key table; 0, or -1 and why (the old stays). */
static int
oauth_read_jwks(char *why, size_t whylen)
{
	struct json_object	*root, *keys, *jwk, *v;
	struct oauth_key	*k;
	const char		*kty;
	size_t			 i, n, nk = 0;

	oa.last_read = time(NULL);
	if ((root = json_object_from_file(oa.jwks)) == NULL) {
		snprintf(why, whylen, "%s: %s", oa.jwks,
		    json_util_get_last_err());
		return -1;
	}
	if (!json_object_object_get_ex(root, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array) ||
	    (n = json_object_array_length(keys)) > OAUTH_KEYS_MAX) {
		snprintf(why, whylen, "%s: a JWKS ({\"keys\": [...]}, at most "
		    "%d)", oa.jwks, OAUTH_KEYS_MAX);
		json_object_put(root);
		return -1;
	}
	k = xcalloc(n + 1, sizeof(*k));
	for (i = 0; i < n; i++) {
		jwk = json_object_array_get_idx(keys, i);
		if (!json_object_object_get_ex(jwk, "kty", &v))
			continue;
		kty = json_object_get_string(v);
		/* A key for encryption only is none of ours. */
		if (json_object_object_get_ex(jwk, "use", &v) &&
		    strcmp(json_object_get_string(v), "sig") != 0)
			continue;
		if (strcmp(kty, "RSA") == 0) {
			k[nk].kty = KTY_RSA;
			k[nk].pkey = oauth_rsa(jwk);
		} else if (strcmp(kty, "EC") == 0) {
			k[nk].kty = KTY_EC;
			k[nk].pkey = oauth_ec(jwk);
		} else if (strcmp(kty, "OKP") == 0) {
			k[nk].kty = KTY_OKP;
			k[nk].pkey = oauth_okp(jwk);
		}
		if (k[nk].pkey == NULL) {
			log_warnx("%s: key %zu (%s) is not a usable RSA (2048 "
			    "bits or more), P-256 or Ed25519 key; skipped",
			    oa.jwks, i, kty);
			continue;
		}
		if (json_object_object_get_ex(jwk, "kid", &v) &&
		    json_object_is_type(v, json_type_string))
			k[nk].kid = xstrdup(json_object_get_string(v));
		nk++;
	}
	json_object_put(root);
	oauth_free_keys(oa.keys, oa.nkeys);
	oa.keys = k;
	oa.nkeys = nk;
	return 0;
}

void
oauth_init(const char *issuer, const char *jwks, const char *resource,
    int allow_no_typ)
{
	char	why[512];

	if (issuer == NULL && jwks == NULL && resource == NULL)
		return;
	if (issuer == NULL || jwks == NULL || resource == NULL)
		fatalx("OAuth needs --oauth-issuer, --oauth-jwks and "
		    "--resource together");
	oa.issuer = issuer;
	oa.jwks = jwks;
	oa.resource = resource;
	oa.allow_no_typ = allow_no_typ;
	if (oauth_read_jwks(why, sizeof(why)) == -1)
		fatalx("--oauth-jwks %s", why);
	log_info("oauth: %zu keys from %s, tokens of %s for %s", oa.nkeys,
	    jwks, issuer, resource);
}

/* SIGHUP: the keys again; a file that does not read leaves them. */
void
oauth_reload(void)
{
	char	why[512];

	if (oa.jwks == NULL)
		return;
	if (oauth_read_jwks(why, sizeof(why)) == -1) {
		log_warnx("--oauth-jwks %s; the keys stay as they were", why);
		return;
	}
	log_info("oauth: %zu keys from %s", oa.nkeys, oa.jwks);
}

void
oauth_free(void)
{
	oauth_free_keys(oa.keys, oa.nkeys);
	oa.keys = NULL;
	oa.nkeys = 0;
}

int
oauth_on(void)
{
	return oa.issuer != NULL;
}

const char *
oauth_resource(void)
{
	return oa.resource;
}

const char *
oauth_issuer(void)
{
	return oa.issuer;
}

/* A base64url part of a token, decoded (malloc'd, NUL-ended); NULL. */
static char *
oauth_part(const char *s, size_t n, size_t *len)
{
	char	*out = xmalloc(n + 1);
	int	 d;

	if ((d = base64_decode(s, n, out, n + 1, BASE64_URL)) < 0) {
		free(out);
		return NULL;
	}
	out[d] = '\0';
	*len = (size_t)d;
	return out;
}

/* JWS's raw r||s (64 bytes) as the DER OpenSSL verifies; or -1. */
static int
oauth_es256_der(const uint8_t *sig, size_t len, uint8_t **der, int *derlen)
{
	ECDSA_SIG	*es;
	BIGNUM		*r, *s;

	*der = NULL;
	if (len != 64 || (es = ECDSA_SIG_new()) == NULL)
		return -1;
	r = BN_bin2bn(sig, 32, NULL);
	s = BN_bin2bn(sig + 32, 32, NULL);
	if (r == NULL || s == NULL || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return -1;
	}
	*derlen = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	return *derlen > 0 ? 0 : -1;
}

/* Does sig hold for data under key (as alg of kty)? */
static int
oauth_sig_ok(const struct oauth_key *key, const char *data, size_t dlen,
    const uint8_t *sig, size_t slen)
{
	EVP_MD_CTX	*ctx;
	uint8_t		*der = NULL;
	int		 derlen = 0, ok = 0;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return 0;
	if (key->kty == KTY_EC && oauth_es256_der(sig, slen, &der,
	    &derlen) == -1)
		goto done;
	if (EVP_DigestVerifyInit(ctx, NULL, key->kty == KTY_OKP ? NULL :
	    EVP_sha256(), NULL, key->pkey) <= 0)
		goto done;
	ok = EVP_DigestVerify(ctx, der != NULL ? der : sig, der != NULL ?
	    (size_t)derlen : slen, (const uint8_t *)data, dlen) == 1;
done:
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* The key the header names (kid) of kty, tried in turn when none. */
static int
oauth_verify_sig(const char *kid, enum oauth_kty kty, const char *data,
    size_t dlen, const uint8_t *sig, size_t slen, int *known)
{
	size_t	i;

	*known = 0;
	for (i = 0; i < oa.nkeys; i++) {
		if (oa.keys[i].kty != kty || (kid != NULL &&
		    (oa.keys[i].kid == NULL || strcmp(oa.keys[i].kid, kid) != 0)))
			continue;
		*known = 1;
		if (oauth_sig_ok(&oa.keys[i], data, dlen, sig, slen))
			return 1;
	}
	return 0;
}

static int
oauth_str_is(struct json_object *o, const char *key, const char *want)
{
	struct json_object	*v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), want) == 0;
}

/* aud is the resource, or a list holding it. */
static int
oauth_aud_ok(struct json_object *claims)
{
	struct json_object	*aud;
	size_t			 i, n;

	if (!json_object_object_get_ex(claims, "aud", &aud))
		return 0;
	if (json_object_is_type(aud, json_type_string))
		return strcmp(json_object_get_string(aud), oa.resource) == 0;
	if (!json_object_is_type(aud, json_type_array))
		return 0;
	n = json_object_array_length(aud);
	for (i = 0; i < n; i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(aud,
		    i)), oa.resource) == 0)
			return 1;
	return 0;
}

/* A numeric claim (NumericDate), or -1 when absent or not a number. */
static long long
oauth_time(struct json_object *claims, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(claims, key, &v) ||
	    (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double)))
		return -1;
	return (long long)json_object_get_double(v);
}

/* scope (a string) or scp (a list) as one space-separated string. */
static char *
oauth_scopes(struct json_object *claims)
{
	struct json_object	*v;
	char			*out;
	size_t			 i, n, len = 0;

	if (json_object_object_get_ex(claims, "scope", &v) &&
	    json_object_is_type(v, json_type_string))
		return xstrdup(json_object_get_string(v));
	if (!json_object_object_get_ex(claims, "scp", &v) ||
	    !json_object_is_type(v, json_type_array))
		return xstrdup("");
	n = json_object_array_length(v);
	for (i = 0; i < n; i++)
		len += strlen(json_object_get_string(
		    json_object_array_get_idx(v, i))) + 1;
	out = xcalloc(1, len + 1);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, " ");
		strcat(out, json_object_get_string(json_object_array_get_idx(v,
		    i)));
	}
	return out;
}

/*
 * An access token, checked: 0 and its scopes (malloc'd, space-separated),
 * or -1 and why (for the log: the client hears only invalid_token).
 */
int
oauth_verify(const char *token, char **scopes, char *why, size_t whylen)
{
	struct json_object	*header = NULL, *claims = NULL, *v;
	const char		*d1, *d2, *alg, *kid = NULL, *typ;
	char			*hjson = NULL, *cjson = NULL, *sig = NULL;
	size_t			 len = strlen(token), hl, cl, sl;
	enum oauth_kty		 kty;
	long long		 exp, nbf, now = (long long)time(NULL);
	int			 rv = -1, known;

	*scopes = NULL;
	if (len > OAUTH_TOKEN_MAX || (d1 = strchr(token, '.')) == NULL ||
	    (d2 = strchr(d1 + 1, '.')) == NULL || strchr(d2 + 1, '.') != NULL) {
		snprintf(why, whylen, "not a JWS compact token");
		return -1;
	}
	if ((hjson = oauth_part(token, (size_t)(d1 - token), &hl)) == NULL ||
	    (cjson = oauth_part(d1 + 1, (size_t)(d2 - d1 - 1), &cl)) == NULL ||
	    (sig = oauth_part(d2 + 1, strlen(d2 + 1), &sl)) == NULL ||
	    strlen(hjson) != hl || strlen(cjson) != cl ||
	    (header = json_tokener_parse(hjson)) == NULL ||
	    (claims = json_tokener_parse(cjson)) == NULL ||
	    !json_object_is_type(header, json_type_object) ||
	    !json_object_is_type(claims, json_type_object)) {
		snprintf(why, whylen, "a token that does not decode");
		goto done;
	}
	if (!json_object_object_get_ex(header, "alg", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(why, whylen, "a token without alg");
		goto done;
	}
	alg = json_object_get_string(v);
	if (strcmp(alg, "RS256") == 0)
		kty = KTY_RSA;
	else if (strcmp(alg, "ES256") == 0)
		kty = KTY_EC;
	else if (strcmp(alg, "EdDSA") == 0)
		kty = KTY_OKP;
	else {
		snprintf(why, whylen, "alg %.32s is not taken (RS256, ES256, "
		    "EdDSA only)", alg);
		goto done;
	}
	if (json_object_object_get_ex(header, "typ", &v)) {
		typ = json_object_get_string(v);
		if (strcasecmp(typ, "at+jwt") != 0 &&
		    strcasecmp(typ, "application/at+jwt") != 0) {
			snprintf(why, whylen, "typ %.32s is not at+jwt", typ);
			goto done;
		}
	} else if (!oa.allow_no_typ) {
		snprintf(why, whylen, "no typ (at+jwt; --oauth-allow-no-typ "
		    "takes such tokens)");
		goto done;
	}
	if (json_object_object_get_ex(header, "kid", &v))
		kid = json_object_get_string(v);
	if (!oauth_verify_sig(kid, kty, token, (size_t)(d2 - token),
	    (const uint8_t *)sig, sl, &known)) {
		/* An unknown kid: the issuer may have rotated its keys. */
		if (!known && kid != NULL &&
		    time(NULL) - oa.last_read >= OAUTH_JWKS_RETRY_S) {
			oauth_reload();
			if (oauth_verify_sig(kid, kty, token,
			    (size_t)(d2 - token), (const uint8_t *)sig, sl,
			    &known))
				goto signed_ok;
		}
		snprintf(why, whylen, known ? "a signature that does not hold" :
		    "no key %.64s of its type in the JWKS", kid != NULL ? kid :
		    "(no kid)");
		goto done;
	}
signed_ok:
	if (!oauth_str_is(claims, "iss", oa.issuer)) {
		snprintf(why, whylen, "another issuer");
		goto done;
	}
	if (!oauth_aud_ok(claims)) {
		snprintf(why, whylen, "another audience than %s", oa.resource);
		goto done;
	}
	if ((exp = oauth_time(claims, "exp")) == -1 ||
	    now > exp + OAUTH_SKEW_S) {
		snprintf(why, whylen, exp == -1 ? "no exp" : "expired");
		goto done;
	}
	if ((nbf = oauth_time(claims, "nbf")) != -1 &&
	    now + OAUTH_SKEW_S < nbf) {
		snprintf(why, whylen, "not valid yet (nbf)");
		goto done;
	}
	*scopes = oauth_scopes(claims);
	rv = 0;
done:
	json_object_put(header);
	json_object_put(claims);
	free(hjson);
	free(cjson);
	free(sig);
	return rv;
}
