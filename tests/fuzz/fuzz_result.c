/* SPDX-License-Identifier: ISC */
/* A worker's result check: never crashes, and what it accepts is JSON. */
#include "config.h"

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "fuzz.h"

struct supervisor sv;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*o;
	const char		*why;
	size_t			 at;

	if (json_check_result((const char *)data, size) != NULL) {
		FUZZ_ASSERT(json_parse_text((const char *)data, size, &o, &why,
		    &at) == 0 && json_object_is_type(o, json_type_object),
		    "an accepted result is a JSON object");
		json_object_put(o);
	}
	return 0;
}
