/* SPDX-License-Identifier: ISC */
/* JSON string decoding (supervisor and worker share it). */
#include "config.h"

#include <string.h>

#include "jsonstr.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*out;
	ssize_t	 n;

	/* Decoding never grows a string: the callers size for that. */
	if ((out = malloc(size + 1)) == NULL)
		return 0;
	n = json_unescape((const char *)data, size, out);
	FUZZ_ASSERT(n <= (ssize_t)size, "decoded text is no longer than its escape");
	free(out);
	return 0;
}
