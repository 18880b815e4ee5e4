/* SPDX-License-Identifier: ISC */
/*
 * Frames between the supervisor and a worker, over one socketpair per worker
 * (its channel), and for a tool with net grants a second one (its broker
 * channel: SOCK_SEQPACKET, one frame per packet, so that threads and the
 * channel's calls never interleave, and an fd rides with its answer).
 *
 * Every frame is a fixed header followed by `len` bytes of payload:
 *
 *	uint16_t type		one of enum msg_type
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

enum msg_type {
	MSG_LOAD = 1,	/* S->W {"name","description","code","parameters",
			 *       "memory_mb","max_reply"}: load this tool */
	MSG_READY,	/* W->S {"function","inputSchema","warnings":[..],"doc"}:
			 *       loaded and sandboxed, ready for calls */
	MSG_LOAD_FAILED,/* W->S {"error"}: the tool cannot load; worker exits */
	MSG_CALL,	/* S->W id, the arguments object: run one call */
	MSG_RESULT,	/* W->S id, a CallToolResult object: the call's answer */
	MSG_SYSCALL,	/* W->S {"nr":N}: the sandbox is about to kill the
			 *       worker for calling syscall N (only where the
			 *       SIGSYS handler cannot set a return value: not
			 *       x86_64, whose refusals return an errno) */
	MSG_SPAWN,	/* S->spawner NAME (the tool's name, bare: names are
			 *       [A-Za-z0-9_.-]), with two or three fds
			 *       (SCM_RIGHTS): the worker's channel end, its
			 *       stderr pipe, and its broker channel's end */
	MSG_SPAWNED,	/* spawner->S {"pid"} or {"error"}: the answer to
			 *       the SPAWN of the same id */
	/* The broker channel (src/broker.c): one request at a time. */
	MSG_RESOLVE,	/* W->S {"host","port","family"}: a granted name's
			 *       addresses, please */
	MSG_RESOLVED,	/* S->W {"addrs":[[family,"addr"],..]}, or
			 *       {"denied"} or {"gai":code,"error"} */
	MSG_CONNECT,	/* W->S {"family","addr","port"}: a TCP connection */
	MSG_CONNECTED,	/* S->W {"errno":0|EINPROGRESS} with the socket
			 *       (SCM_RIGHTS), or {"errno":N} without,
			 *       or {"denied"} */
	/* While call id runs, on the channel (src/call.c relays them). */
	MSG_PROGRESS,	/* W->S {"progress","total"?,"message"?} */
	MSG_LOG,	/* W->S {"level","data"}: a log message */
	/* Asking the client back (src/ask.c). */
	MSG_CALL_META,	/* S->W id, {"request_id","era","client":{"name",
			 *       "version","capabilities"},"answers"?}: about
			 *       the CALL of the same id, which follows; sent
			 *       only to tools that import mcp_hotd, and with
			 *       answers (2026 replays) */
	MSG_ASK,	/* W->S id, {"requests":{KEY:{"method","params"}}}:
			 *       the running call needs these answered; it
			 *       waits for the ANSWER, holding the calls sent
			 *       behind it unread */
	MSG_ANSWER,	/* S->W id, {"answers":{KEY:result}}, or {"error",
			 *       "kind"} (capability, timeout, gone, client,
			 *       cancelled), or {"stop":true} (2026: the answer
			 *       is an input-required result; end the call) */
	MSG_TYPE_MAX
};

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
