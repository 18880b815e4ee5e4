/* Encoding and checking of the frame header shared by supervisor and worker. */
#include "config.h"

#include <string.h>

#include "frame.h"

static const char *const frame_names[MSG_TYPE_MAX] = {
	[MSG_LOAD] = "LOAD",
	[MSG_READY] = "READY",
	[MSG_LOAD_FAILED] = "LOAD_FAILED",
	[MSG_CALL] = "CALL",
	[MSG_RESULT] = "RESULT",
	[MSG_SYSCALL] = "SYSCALL",
	[MSG_SPAWN] = "SPAWN",
	[MSG_SPAWNED] = "SPAWNED",
};

void
frame_hdr_encode(const struct frame_hdr *h, uint8_t out[FRAME_HDR_LEN])
{
	const uint16_t	version = FRAME_VERSION;

	memcpy(out, &h->type, 2);
	memcpy(out + 2, &version, 2);
	memcpy(out + 4, &h->len, 4);
	memcpy(out + 8, &h->id, 8);
}

/*
 * Decode a header and check it against what the receiver accepts. Returns 0,
 * or -1 with *why naming the problem.
 */
int
frame_hdr_decode(const uint8_t in[FRAME_HDR_LEN], size_t max_len,
    struct frame_hdr *h, const char **why)
{
	memcpy(&h->type, in, 2);
	memcpy(&h->version, in + 2, 2);
	memcpy(&h->len, in + 4, 4);
	memcpy(&h->id, in + 8, 8);
	if (h->version != FRAME_VERSION) {
		*why = "another frame version";
		return -1;
	}
	if (h->type == 0 || h->type >= MSG_TYPE_MAX) {
		*why = "unknown message type";
		return -1;
	}
	if (h->len > max_len) {
		*why = "frame larger than allowed";
		return -1;
	}
	return 0;
}

const char *
frame_type_name(uint32_t type)
{
	if (type == 0 || type >= MSG_TYPE_MAX)
		return "UNKNOWN";
	return frame_names[type];
}
