/* SPDX-License-Identifier: ISC */
/*
 * A call as call.c and ask.c see it (asking its client back is part of a
 * call's life); everyone else holds a struct call * and uses call.c's
 * functions (mcp-hotd.h). After mcp-hotd.h.
 */
#ifndef CALL_H
#define CALL_H

enum call_to {
	CALL_TO_CLIENT,		/* its session waits for the answer */
	CALL_TO_NOBODY,		/* the client left: it runs, unanswered */
	CALL_CANCELLED		/* cancelled: stopped, never run again */
};
struct call {
	TAILQ_ENTRY(call)	 qentry;	/* on *list: call.c only */
	TAILQ_ENTRY(call)	 sentry;	/* session's: call.c only */
	struct callq		*list;		/* the list its state names */
	struct worker		*worker;	/* CALL_SENT: the one it is at */
	enum call_state		 state;
	enum call_to		 to;
	struct session		*session;	/* NULL unless CALL_TO_CLIENT */
	struct tool		*tool;
	char			*idjson;	/* the JSON-RPC id, as sent */
	char			*args;		/* the arguments, JSON text */
	size_t			 argslen;
	uint64_t		 id;		/* frame id towards the worker */
	struct timeval		 sent_at;	/* CALL_SENT: since */
	struct timeval		 started;	/* made: the access log's */
	char			*progress;	/* the client's progressToken */
	int			 log_level;	/* as in struct mcp_call */
	unsigned		 notes;		/* progress and log sent */
	time_t			 note_second;	/* ... rate: this second's */
	unsigned		 note_burst;
	unsigned		 notes_dropped;
	struct ask		*ask;		/* asking its client: ask.c */
	char			*replace;	/* its answer, whatever the worker
						 * says (2026: input_required) */
	struct json_object	*answers;	/* 2026: answers it comes with */
	struct json_object	*client;	/* 2026: the request's client
						 * {name,version,capabilities} */
	char			*uri;		/* resources/read's (catalog.c) */
	struct task		*task;		/* the task it runs for, or
						 * NULL (task.c) */
	int			 timeout_ms;	/* its own (a task's), or 0: its
						 * tool's */
	int			 failed;	/* answered by us: it could not
						 * run to a result */
	enum entry_kind		 kind;		/* its tool's, as it was made (a
						 * tool may go before its calls
						 * are failed, at exit) */
	int			 pooled;	/* a CALL_BLOCK, call.c's to reuse */
};

#endif
