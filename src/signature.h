/* SPDX-License-Identifier: ISC */
/*
 * signature.c's face: is a tools file signed by a trusted signer
 * (--trusted-signers, OpenSSH's allowed_signers format)?
 */
#ifndef SIGNATURE_H
#define SIGNATURE_H

#include <stddef.h>

#define SIGNATURE_NAMESPACE	"mcp-hotd-tools"

/* What a signature's envelope says, and who signed (once verified). */
struct sig_info {
	char	key_type[32];		/* "ssh-ed25519" */
	char	fingerprint[64];	/* "SHA256:..." */
	char	ns[64];			/* the namespace signed for */
	int	ns_ok;			/* ... is SIGNATURE_NAMESPACE */
	char	hash[16];		/* "sha512" */
	char	principal[256];		/* the allowed_signers principal */
};

int	signature_parse(const char *, size_t, struct sig_info *, char *,
	    size_t);
int	signature_verify(const char *, const char *, const char *, size_t,
	    struct sig_info *, char *, size_t);
int	signature_verify_text(const char *, const char *, const char *, size_t,
	    const char *, size_t, struct sig_info *, char *, size_t);
int	signature_path_safe(const char *, char *, size_t);
void	signature_check_paths(const char *, const char *const *, size_t);

#endif /* SIGNATURE_H */
