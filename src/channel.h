/* SPDX-License-Identifier: ISC */
/*
 * A channel: the supervisor's end of one socketpair to a peer (a worker,
 * the spawner, a worker's broker channel), owning its framing in the
 * peer's style, and its gate. Each peer gives a dispatch table of
 * {type, states it is permitted in, handler}; a frame whose type is
 * unknown, goes the wrong way, is not permitted in the peer's state now,
 * or whose payload does not fit its spec (msg.h) never reaches a handler:
 * the peer's fail callback ends that peer, naming the type. Handlers see
 * only payloads the table allows (OpenSSH's monitor_read).
 */
#ifndef CHANNEL_H
#define CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct channel;
struct json_object;
struct jdoc;

enum channel_style {
	CHANNEL_STREAM,		/* SOCK_STREAM, buffered */
	CHANNEL_STREAM_FDS,	/* ... and a frame may carry fds out */
	CHANNEL_SEQPACKET	/* one frame a packet; an fd may ride along */
};

/* One frame through the gate. */
struct channel_msg {
	const struct frame_hdr	*h;
	const char		*p;	/* the payload, h->len bytes */
	struct json_object	*m;	/* JSON: the object, checked */
	const struct jdoc	*doc;	/* RESULT: the result, checked */
};

#define CHANNEL_ANY_STATE	(~0U)

struct channel_handler {
	uint16_t	 type;
	unsigned	 states;	/* mask of 1 << the peer's state */
	/* 0, or -1: the frame fit its spec but not the moment (not its
	 * call's, say): the peer is ended as for a malformed one. */
	int		(*fn)(void *, const struct channel_msg *);
};

struct channel_peer {
	const char			*what;		/* for messages */
	enum msg_chan			 chan;
	const struct channel_handler	*handlers;	/* ends with type 0 */
	unsigned			(*state)(void *);	/* now, 0..31 */
	void				(*fail)(void *, const char *);
	void				(*closed)(void *);	/* EOF, error */
};

struct channel	*channel_new(int, enum channel_style,
		    const struct channel_peer *, void *, size_t);
void		 channel_free(struct channel *);
void		 channel_send(struct channel *, uint16_t, uint64_t,
		    const void *, size_t);
int		 channel_send_fds(struct channel *, uint16_t, uint64_t,
		    const void *, size_t, const int *, size_t);

/* The peers, each in its own module (worker.c, spawn.c, broker.c). */
extern const struct channel_peer	worker_peer, spawner_peer, broker_peer;

/* The gate alone (channel_read uses it; the fuzzer drives it). */
int		 channel_gate(const struct channel_peer *, unsigned,
		    const struct frame_hdr *, const char *, size_t,
		    struct channel_msg *, const struct channel_handler **,
		    char *, size_t);
int		 channel_check_json(uint16_t, struct json_object *, char *,
		    size_t);

#endif /* CHANNEL_H */
