/* SPDX-License-Identifier: ISC */
/*
 * Frames between the supervisor and a worker, over one socketpair per worker
 * (its channel), and for a tool with net grants a second one (its broker
 * channel: SOCK_SEQPACKET, one frame per packet, so that threads and the
 * channel's calls never interleave, and an fd rides with its answer); and
 * between the supervisor and the spawner. Which messages there are, which
 * way each goes and what each carries is msg.h's table, and only there.
 *
 * Every frame is a fixed header followed by `len` bytes of payload:
 *
 *	uint16_t type		one of enum msg_type (msg.h)
 *	uint16_t version	FRAME_VERSION: both ends are built together,
 *				a frame of another version is refused
 *	uint32_t len		payload length in bytes (0 .. the receiver's
 *				maximum)
 *	uint64_t id		the call id for MSG_CALL / MSG_RESULT and
 *				the frames about that call, the request's
 *				for MSG_SPAWN / MSG_SPAWNED, else 0
 *
 * Both ends are on one host, so fields are in host byte order. Payloads are
 * JSON text (UTF-8, no trailing NUL). A receiver checks the type and the
 * length before it reads the payload; a bad frame from a worker is that
 * worker's death, never the supervisor's.
 */
#ifndef FRAME_H
#define FRAME_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

#define FRAME_HDR_LEN	16
#define FRAME_VERSION	1

/* A worker's (and the spawner's) end of its channel; its broker channel. */
#define FRAME_CHANNEL_FD	3
#define FRAME_BROKER_FD		4

/* A broker frame's most: a request or answer is a few hundred bytes. */
#define FRAME_BROKER_MAX	8192

/*
 * Not a frame: a worker runs one call at a time and reads no frame while it
 * does. To stop the call of id N it runs (its client cancelled it), the
 * supervisor sends it this signal with sigqueue(2) and the value N; a
 * worker running another call by then ignores it.
 */
#define WORKER_CANCEL_SIGNAL	(SIGRTMIN + 3)

/*
 * Inside a worker only: its one-shot timer's signal, which writes results
 * a pipelined batch holds while a later call runs (see workers/chanout.c).
 */
#define WORKER_HELD_SIGNAL	(SIGRTMIN + 2)

struct frame_hdr {
	uint16_t	type;
	uint16_t	version;	/* set by frame_hdr_encode */
	uint32_t	len;
	uint64_t	id;
};

/* frame.c */
void		 frame_hdr_encode(const struct frame_hdr *, uint8_t[FRAME_HDR_LEN]);
int		 frame_hdr_decode(const uint8_t[FRAME_HDR_LEN], size_t,
		    struct frame_hdr *, const char **);
const char	*frame_type_name(uint32_t);
int		 frame_place_fds(int, int, int);

#endif /* FRAME_H */
