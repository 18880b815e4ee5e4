/* SPDX-License-Identifier: ISC */
/*
 * SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), OpenSSL's behind a
 * small face: what signs a 2026 requestState and a session id (state.c),
 * a client token's digest, an SSH key's fingerprint. Checked against the
 * standards' test vectors in tests/unit_state.c.
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32
#define SHA256_BLOCK	64

struct sha256 {
	struct evp_md_ctx_st	*ctx;		/* OpenSSL's EVP_MD_CTX */
};

void	sha256_init(struct sha256 *);
void	sha256_update(struct sha256 *, const void *, size_t);
void	sha256_final(struct sha256 *, uint8_t[SHA256_LEN]);
void	sha256(const void *, size_t, uint8_t[SHA256_LEN]);
void	hmac_sha256(const void *, size_t, const void *, size_t,
	    uint8_t[SHA256_LEN]);

#endif /* SHA256_H */
