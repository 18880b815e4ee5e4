/* SPDX-License-Identifier: ISC */
/*
 * SHA-256 and HMAC-SHA256, OpenSSL's (libcrypto came in for OAuth's
 * signatures; no hand-written cryptography stays beside it): a 2026
 * requestState's and a session id's MAC, a client token's digest, an SSH
 * key's fingerprint.
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "log.h"
#include "sha256.h"

void
sha256_init(struct sha256 *s)
{
	if ((s->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1)
		fatalx("SHA-256: out of memory");
}

void
sha256_update(struct sha256 *s, const void *p, size_t len)
{
	if (EVP_DigestUpdate(s->ctx, p, len) != 1)
		fatalx("SHA-256: cannot hash");
}

void
sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN])
{
	if (EVP_DigestFinal_ex(s->ctx, out, NULL) != 1)
		fatalx("SHA-256: cannot hash");
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

void
sha256(const void *p, size_t len, uint8_t out[SHA256_LEN])
{
	if (EVP_Digest(p, len, out, NULL, EVP_sha256(), NULL) != 1)
		fatalx("SHA-256: cannot hash");
}

void
hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
    uint8_t out[SHA256_LEN])
{
	unsigned int	n = SHA256_LEN;

	if (HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &n) == NULL)
		fatalx("HMAC-SHA256: cannot compute");
}
