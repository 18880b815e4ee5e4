/* SPDX-License-Identifier: ISC */
/* Encoding and checking of the frame header shared by supervisor and worker. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"

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
	const struct msg_spec	*s = msg_spec(type);

	return s != NULL ? s->name : "UNKNOWN";
}

/*
 * In a new worker, after fork (async-signal-safe): its stderr pipe on 1 and
 * 2, its channel on FRAME_CHANNEL_FD, its broker channel (or -1) on
 * FRAME_BROKER_FD, wherever they were; the originals closed. Each goes
 * above the targets first, so no dup2 lands on one still to be moved.
 */
int
frame_place_fds(int chan, int err, int broker)
{
	int	fd[3] = { chan, err, broker }, i;

	for (i = 0; i < 3; i++) {
		if (fd[i] == -1)
			continue;
		chan = fcntl(fd[i], F_DUPFD_CLOEXEC, FRAME_BROKER_FD + 1);
		close(fd[i]);
		if ((fd[i] = chan) == -1)
			return -1;
	}
	if (dup2(fd[1], STDOUT_FILENO) == -1 ||
	    dup2(fd[1], STDERR_FILENO) == -1 ||
	    dup2(fd[0], FRAME_CHANNEL_FD) == -1 ||
	    (fd[2] != -1 && dup2(fd[2], FRAME_BROKER_FD) == -1))
		return -1;
	for (i = 0; i < 3; i++)
		if (fd[i] != -1)
			close(fd[i]);
	return 0;
}
