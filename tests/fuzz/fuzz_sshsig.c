/* SPDX-License-Identifier: ISC */
/*
 * The SSH signature envelope (signature.c): an armoured SSHSIG read for
 * its key, namespace and hash, from a file anyone who can write beside the
 * tools file controls. Whatever it holds, the parse ends, and what it says
 * is bounded text.
 */
#include "config.h"

#include <string.h>

#include "signature.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sig_info	info;
	char		why[256];

	if (signature_parse((const char *)data, size, &info, why,
	    sizeof(why)) == -1) {
		FUZZ_ASSERT(strlen(why) > 0, "a refusal says why");
		return 0;
	}
	FUZZ_ASSERT(strncmp(info.fingerprint, "SHA256:", 7) == 0 &&
	    strlen(info.fingerprint) == 7 + 43, "a SHA256 fingerprint");
	FUZZ_ASSERT(strlen(info.ns) < sizeof(info.ns) &&
	    strlen(info.key_type) < sizeof(info.key_type) &&
	    strlen(info.hash) < sizeof(info.hash), "bounded text");
	FUZZ_ASSERT(info.ns_ok == (strcmp(info.ns, SIGNATURE_NAMESPACE) == 0),
	    "the namespace is ours only when it says so");
	return 0;
}
