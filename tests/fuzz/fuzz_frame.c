/* SPDX-License-Identifier: ISC */
/*
 * Frames from a worker: the header checked, then the payload as the
 * supervisor reads it (RESULT checked unparsed, the rest as one JSON
 * object). Nothing a worker writes may crash the supervisor.
 */
#include "config.h"

#include <string.h>

#include "frame.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "fuzz.h"

struct supervisor sv;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_hdr	 h;
	struct json_object	*o;
	const char		*why;
	size_t			 at;

	while (size >= FRAME_HDR_LEN) {
		if (frame_hdr_decode(data, 1 << 16, &h, &why) == -1)
			return 0;
		FUZZ_ASSERT(h.version == FRAME_VERSION && h.type > 0 &&
		    h.type < MSG_TYPE_MAX && h.len <= 1 << 16,
		    "a decoded header is in range");
		data += FRAME_HDR_LEN;
		size -= FRAME_HDR_LEN;
		if (h.len > size)
			return 0;
		if (h.type == MSG_RESULT)
			(void)json_check_result((const char *)data, h.len);
		else if (json_parse_text((const char *)data, h.len, &o, &why,
		    &at) == 0)
			json_object_put(o);
		else
			FUZZ_ASSERT(why != NULL && at <= h.len,
			    "a refusal says why and where");
		data += h.len;
		size -= h.len;
	}
	return 0;
}
