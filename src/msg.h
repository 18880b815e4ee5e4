/* SPDX-License-Identifier: ISC */
/*
 * The channel contract: every message that crosses a socketpair between
 * the supervisor and a worker, the spawner or a worker's broker channel,
 * written once. The enum, the names, the size limits, the payload specs
 * with their defaults, and doc/channel.md (checked by tests/channel_doc)
 * all come from the two tables below; the supervisor's gate
 * (src/channel.c) and the worker's reader (workers/msgin.c) read the same
 * specs.
 *
 * MSG(NAME, number, direction, channel, form, max, doc)
 *	number		on the wire; never reused
 *	direction	DOWN: the supervisor sends it; UP: the peer does
 *			(everything UP is hostile input: see the gate)
 *	channel		WORKER (stream), SPAWNER (stream, fds ride with
 *			SPAWN), BROKER (seqpacket, an fd rides with
 *			CONNECTED), EXEC (a worker's or the spawner's)
 *	form		JSON: an object whose members are the KEYs below,
 *			no others; ARGS: the call's arguments, one JSON
 *			object (the worker's to check); RESULT: a
 *			CallToolResult (or a resource's, prompt's or
 *			completion's), checked unparsed (the hot path);
 *			NAME: a tool's name, bare ([A-Za-z0-9_.-])
 *	max		payload bytes at most; 0: the channel's limit, set
 *			at run time (--max-reply and room for the envelope)
 *
 * KEY(MSG, key, type, required, lo, hi, default, doc)
 *	type		STR (lo..hi bytes, hi 0: any; no NUL), NSTR (a STR
 *			or null), INT
 *			(lo..hi), NUM (any number), BOOL, OBJ (hi: members,
 *			0 any), ARR (hi: items, 0 any), STRS (an ARR of
 *			strings), ANY (hi: bytes of its JSON text)
 *	default		what a reader takes for an INT left out; both ends
 *			read it here (MSG_DEFAULT)
 */
#ifndef MSG_H
#define MSG_H

#include <stddef.h>
#include <stdint.h>

#define MSG_ARGS_MAX	(1024 * 1024 * 1024)	/* LOAD, CALL: the worker's
						 * bound; ours is --max-request */

#define MSG_TABLE(X)							\
	X(LOAD, 1, DOWN, WORKER, JSON, MSG_ARGS_MAX,			\
	    "load this tool; first frame on a worker's channel")	\
	X(READY, 2, UP, WORKER, JSON, 0,				\
	    "loaded and sandboxed, ready for calls")			\
	X(LOAD_FAILED, 3, UP, WORKER, JSON, 65536,			\
	    "the tool cannot load; the worker exits")			\
	X(CALL, 4, DOWN, WORKER, ARGS, MSG_ARGS_MAX,			\
	    "id: run one call with these arguments")			\
	X(RESULT, 5, UP, WORKER, RESULT, 0,				\
	    "id: the call's result (LOAD's kind: a CallToolResult, or "	\
	    "contents, messages, a completion); calls are answered in "	\
	    "the order sent")						\
	X(SYSCALL, 6, UP, WORKER, JSON, 64,				\
	    "the sandbox is about to kill the worker for syscall nr "	\
	    "(believed only if it then dies by SIGSYS)")		\
	X(SPAWN, 7, DOWN, SPAWNER, NAME, 128,				\
	    "id: fork a worker for this tool, on the two or three fds "	\
	    "that ride with it (channel, stderr pipe, broker channel)")	\
	X(SPAWNED, 8, UP, SPAWNER, JSON, 256,				\
	    "id: the answer to the SPAWN of the same id")		\
	X(RESOLVE, 9, UP, BROKER, JSON, 1024,				\
	    "a granted name's addresses, please")			\
	X(RESOLVED, 10, DOWN, BROKER, JSON, 8192,			\
	    "the addresses (or denied, or a resolver error)")		\
	X(CONNECT, 11, UP, BROKER, JSON, 1024,				\
	    "a TCP connection to a granted address")			\
	X(CONNECTED, 12, DOWN, BROKER, JSON, 1024,			\
	    "its errno; with errno 0 or EINPROGRESS the socket rides "	\
	    "with it")							\
	X(PROGRESS, 13, UP, WORKER, JSON, 65536,			\
	    "id: progress of the call that runs")			\
	X(LOG, 14, UP, WORKER, JSON, 65536,				\
	    "id: a log message of the call that runs")			\
	X(CALL_META, 15, DOWN, WORKER, JSON, MSG_ARGS_MAX,		\
	    "id: about the CALL of the same id, which follows; only to "\
	    "tools that take a Context, or with answers (replays)")	\
	X(ASK, 16, UP, WORKER, JSON, 0,					\
	    "id: the running call needs these answered by the client; "	\
	    "it waits for the ANSWER")					\
	X(ANSWER, 17, DOWN, WORKER, JSON, MSG_ARGS_MAX,			\
	    "id: the answers to the ASK, or why there are none")	\
	X(CANCEL, 18, DOWN, WORKER, JSON, 2,				\
	    "id: stop that call (an async worker's: its task is "	\
	    "cancelled; its RESULT still comes); payload {}")		\
	X(SETTINGS, 19, DOWN, EXEC, JSON, 16384,			\
	    "how this run contains its workers: the first frame on "	\
	    "every worker's and the spawner's channel, read before "	\
	    "Python starts (a worker the spawner forks has its "	\
	    "spawner's, and skips it)")

#define MSG_KEYS(K)							\
	K(SETTINGS, no_namespaces, INT, OPT, 0, 1, 0,			\
	    "1: make no namespaces (--no-namespaces)")			\
	K(SETTINGS, no_landlock, INT, OPT, 0, 1, 0,			\
	    "1: no Landlock (--no-landlock)")				\
	K(SETTINGS, landlock_abi_max, INT, OPT, 0, 64, 0,		\
	    "the highest Landlock ABI to use (0: the kernel's)")	\
	K(SETTINGS, python_path, STRS, OPT, 0, 16, 0,			\
	    "directories put on sys.path (--python-path, --venv)")	\
	K(LOAD, name, STR, REQ, 1, 128, 0, "the tool's name")		\
	K(LOAD, description, STR, OPT, 0, MSG_ARGS_MAX, 0,		\
	    "from tools.json")						\
	K(LOAD, code, STR, REQ, 0, MSG_ARGS_MAX, 0,			\
	    "the tool's Python source")					\
	K(LOAD, parameters, OBJ, OPT, 0, 0, 0,				\
	    "the seed's {name: type} map, used without type hints")	\
	K(LOAD, memory_mb, INT, OPT, 32, 1024 * 1024, 512,		\
	    "address space limit")					\
	K(LOAD, disk_mb, INT, OPT, 1, 64 * 1024, 64,			\
	    "each file written and the private /tmp, at most")		\
	K(LOAD, max_reply, INT, OPT, 1024, 1024 * 1024 * 1024,		\
	    16 * 1024 * 1024, "a result's bytes at most")		\
	K(LOAD, read, STRS, OPT, 0, 0, 0, "allow.read paths")		\
	K(LOAD, write, STRS, OPT, 0, 0, 0, "allow.write paths")		\
	K(LOAD, run, STRS, OPT, 0, 0, 0, "allow.run programs")		\
	K(LOAD, brokered, INT, OPT, 0, 1, 0,				\
	    "1: net grants, a broker channel on fd 4")			\
	K(LOAD, env, OBJ, OPT, 0, 0, 0, "allow.env names and values")	\
	K(LOAD, async_concurrency, INT, OPT, 1, 1024, 1,		\
	    "calls an async def tool may run at once")			\
	K(LOAD, kind, INT, OPT, 0, 3, 0,				\
	    "what its function's value becomes: 0 a tool's result, "	\
	    "1 a resource's contents, 2 a prompt's messages, "		\
	    "3 a completion's values")					\
	K(READY, function, STR, REQ, 0, 256, 0,				\
	    "the function it serves")					\
	K(READY, inputSchema, OBJ, REQ, 0, 0, 0,			\
	    "derived; checked against what the toolhost emits")		\
	K(READY, outputSchema, OBJ, OPT, 0, 0, 0,			\
	    "derived from the return annotation")			\
	K(READY, warnings, STRS, OPT, 0, 0, 0,				\
	    "the load's warnings (the log takes 16)")			\
	K(READY, doc, NSTR, OPT, 0, 65536, 0, "its docstring")		\
	K(READY, context, BOOL, OPT, 0, 0, 0,				\
	    "it takes a Context: CALL_META precedes its calls")		\
	K(READY, asks, STRS, OPT, 0, 3, 0,				\
	    "client capabilities it may ask for")			\
	K(READY, slots, INT, OPT, 1, 1024, 1,				\
	    "calls it runs at once: more than 1, an async worker "	\
	    "(results in any order)")					\
	K(READY, isolation, ANY, OPT, 0, 512, 0,			\
	    "the sandbox layers it runs under")				\
	K(READY, isolation_failed, ANY, OPT, 0, 512, 0,			\
	    "a layer that failed, and why")				\
	K(LOAD_FAILED, error, STR, REQ, 0, 65000, 0, "why")		\
	K(SYSCALL, nr, INT, REQ, 0, 4095, 0, "the syscall's number")	\
	K(SPAWNED, pid, INT, OPT, 1, 0x3fffffff, 0, "the worker's pid")	\
	K(SPAWNED, error, STR, OPT, 0, 200, 0, "why there is none")	\
	K(RESOLVE, host, STR, REQ, 0, 254, 0, "a name")			\
	K(RESOLVE, port, INT, REQ, 0, 65535, 0,				\
	    "the port it is for (0: none)")				\
	K(RESOLVE, family, INT, REQ, 0, 10, 0,				\
	    "AF_INET, AF_INET6, or 0 for both")				\
	K(RESOLVED, addrs, ARR, OPT, 0, 0, 0, "[[family, \"addr\"], ...]")\
	K(RESOLVED, denied, STR, OPT, 0, 512, 0, "not granted: why")	\
	K(RESOLVED, gai, INT, OPT, -100, 100, 0, "getaddrinfo's error")	\
	K(RESOLVED, error, STR, OPT, 0, 512, 0, "... in words")		\
	K(CONNECT, family, INT, REQ, 0, 10, 0, "AF_INET or AF_INET6")	\
	K(CONNECT, addr, STR, REQ, 0, 45, 0, "a numeric address")	\
	K(CONNECT, port, INT, REQ, 1, 65535, 0, "the port")		\
	K(CONNECTED, errno, INT, OPT, 0, 4095, 0, "connect's")		\
	K(CONNECTED, denied, STR, OPT, 0, 512, 0, "not granted: why")	\
	K(PROGRESS, progress, NUM, REQ, 0, 0, 0, "done so far")		\
	K(PROGRESS, total, NUM, OPT, 0, 0, 0, "of")			\
	K(PROGRESS, message, STR, OPT, 0, 65536, 0, "what it does")	\
	K(LOG, level, STR, REQ, 0, 16, 0, "an MCP log level")		\
	K(LOG, data, ANY, REQ, 0, 65536, 0,				\
	    "the message: a string, or FastMCP's {msg, extra}")		\
	K(LOG, logger, STR, OPT, 1, 128, 0, "its logger's name")	\
	K(CALL_META, request_id, ANY, REQ, 0, 0, 0,			\
	    "the client's JSON-RPC id")					\
	K(CALL_META, era, STR, REQ, 0, 16, 0, "\"2025\" or \"2026\"")	\
	K(CALL_META, client, OBJ, REQ, 0, 0, 0,				\
	    "{name, version, capabilities}")				\
	K(CALL_META, answers, OBJ, OPT, 0, 0, 0,			\
	    "answers a 2026 replay carries")				\
	K(CALL_META, session, STR, REQ, 1, 64, 0,			\
	    "the client's session, as this server run names it")	\
	K(ASK, requests, OBJ, REQ, 1, 16, 0,				\
	    "{KEY: {method, params}}: 1 to 16")				\
	K(ANSWER, answers, OBJ, OPT, 0, 0, 0, "{KEY: result}")		\
	K(ANSWER, error, STR, OPT, 0, 0, 0, "none came: why")		\
	K(ANSWER, kind, STR, OPT, 0, 0, 0,				\
	    "capability, timeout, gone, client or cancelled")		\
	K(ANSWER, stop, BOOL, OPT, 0, 0, 0,				\
	    "2026: the call ends in an input-required result")

enum msg_type {
#define MSG_ENUM(n, num, dir, chan, form, max, doc)	MSG_##n = num,
	MSG_TABLE(MSG_ENUM)
#undef MSG_ENUM
};

/* Each type's payload limit, for buffers: MSG_MAX_SPAWN. */
enum msg_max {
#define MSG_MAXLEN(n, num, dir, chan, form, max, doc)	MSG_MAX_##n = max,
	MSG_TABLE(MSG_MAXLEN)
#undef MSG_MAXLEN
};

/* One past the highest number: a union of arrays as long as each. */
union msg_numbers {
#define MSG_NUMBER(n, num, dir, chan, form, max, doc)	char n[num];
	MSG_TABLE(MSG_NUMBER)
#undef MSG_NUMBER
};
#define MSG_TYPE_MAX	(sizeof(union msg_numbers) + 1)

enum msg_key_id {
#define MSG_KEY_ENUM(m, k, type, req, lo, hi, def, doc)	MK_##m##_##k,
	MSG_KEYS(MSG_KEY_ENUM)
#undef MSG_KEY_ENUM
	MK_MAX
};

/* Compile-time defaults: MSG_DEFAULT(LOAD, memory_mb). */
enum msg_key_default {
#define MSG_KEY_DEF(m, k, type, req, lo, hi, def, doc)	MD_##m##_##k = def,
	MSG_KEYS(MSG_KEY_DEF)
#undef MSG_KEY_DEF
};
#define MSG_DEFAULT(m, k)	((int64_t)MD_##m##_##k)
/* ... and upper bounds: MSG_BOUND(ASK, requests). */
enum msg_key_bound {
#define MSG_KEY_HI(m, k, type, req, lo, hi, def, doc)	MB_##m##_##k = hi,
	MSG_KEYS(MSG_KEY_HI)
#undef MSG_KEY_HI
};
#define MSG_BOUND(m, k)		((int64_t)MB_##m##_##k)
/* A key's name, spelled once: a typo does not compile (a constant). */
#define MSG_KEY(m, k)		(&(#k)[0 * MK_##m##_##k])

enum msg_dir { MSG_DOWN, MSG_UP };
enum msg_chan {
	MSG_CHAN_WORKER, MSG_CHAN_SPAWNER, MSG_CHAN_BROKER,
	MSG_CHAN_EXEC		/* in the table only: WORKER or SPAWNER */
};
enum msg_form { MSG_FORM_JSON, MSG_FORM_ARGS, MSG_FORM_RESULT, MSG_FORM_NAME };
enum msg_ktype {
	MSG_K_STR, MSG_K_NSTR, MSG_K_INT, MSG_K_NUM, MSG_K_BOOL, MSG_K_OBJ,
	MSG_K_ARR, MSG_K_STRS, MSG_K_ANY
};

struct msg_spec {
	const char	*name;		/* NULL: no such type */
	enum msg_dir	 dir;
	enum msg_chan	 chan;
	enum msg_form	 form;
	uint32_t	 max;		/* 0: the channel's limit */
	const char	*doc;
};

struct msg_key {
	enum msg_type	 msg;
	const char	*name;
	enum msg_ktype	 type;
	int		 required;
	int64_t		 lo, hi, def;
	const char	*doc;
};

extern const struct msg_spec	msg_specs[MSG_TYPE_MAX];
extern const struct msg_key	msg_keys[MK_MAX];

const struct msg_spec	*msg_spec(uint32_t);
const struct msg_key	*msg_key_find(uint32_t, const char *, size_t);
int			 msg_allowed(uint32_t, enum msg_dir, enum msg_chan);
void			 msg_doc(void (*)(const char *, void *), void *);

#endif /* MSG_H */
