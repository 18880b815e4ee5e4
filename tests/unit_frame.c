/* SPDX-License-Identifier: ISC */
/* Frame headers: encode/decode round trip and every rejection. */
#include "config.h"

#include <string.h>

#include "frame.h"
#include "unit.h"

int
main(void)
{
	struct frame_hdr	 in = { .type = MSG_RESULT, .len = 1234,
				    .id = 0x1122334455667788ULL };
	struct frame_hdr	 out;
	uint8_t			 buf[FRAME_HDR_LEN];
	const char		*why = NULL;

	frame_hdr_encode(&in, buf);
	CHECK(frame_hdr_decode(buf, 4096, &out, &why) == 0, "valid header decodes");
	CHECK(out.type == in.type && out.len == in.len && out.id == in.id &&
	    out.version == FRAME_VERSION,
	    "round trip keeps type, length and id, and carries the version");

	buf[2] ^= 0x01;		/* the version's low byte */
	CHECK(frame_hdr_decode(buf, 4096, &out, &why) == -1 &&
	    strstr(why, "version") != NULL, "another frame version refused");

	in.len = 4097;
	frame_hdr_encode(&in, buf);
	CHECK(frame_hdr_decode(buf, 4096, &out, &why) == -1 &&
	    strstr(why, "larger") != NULL, "oversized frame refused");

	in.len = 1;
	in.type = 0;
	frame_hdr_encode(&in, buf);
	CHECK(frame_hdr_decode(buf, 4096, &out, &why) == -1 &&
	    strstr(why, "unknown") != NULL, "type 0 refused");
	in.type = MSG_TYPE_MAX;
	frame_hdr_encode(&in, buf);
	CHECK(frame_hdr_decode(buf, 4096, &out, &why) == -1,
	    "type past the enum refused");
	memset(buf, 0xff, sizeof(buf));
	CHECK(frame_hdr_decode(buf, 4096, &out, &why) == -1, "garbage refused");

	CHECK(strcmp(frame_type_name(MSG_CALL), "CALL") == 0, "names types");
	CHECK(strcmp(frame_type_name(999), "UNKNOWN") == 0, "names unknown types");
	return unit_finish();
}
