/* SPDX-License-Identifier: ISC */
/*
 * A call's whole life, from its request to its answer: the only code that
 * moves a struct call between lists, answers it or frees it.
 *
 *	NEW ──enqueue──▶ QUEUED ──send──▶ SENT ──answer──▶ (freed)
 *	 │                 ▲                │
 *	 │                 └────requeue─────┘  (its worker died or timed out
 *	 │                                      before running it)
 *	 └──answer──▶ (freed)   (a control request waiting for its reload:
 *	                         reload.c holds it, on no list)
 *
 * Whose answer it is, apart from where it is: its session's (CALL_TO_CLIENT);
 * nobody's once the client left (CALL_TO_NOBODY: it runs on, the answer is
 * dropped); nobody's and stopped once cancelled (CALL_CANCELLED: dropped
 * from its queue, stopped in its worker, never run again). A SENT call may
 * be asking its client back (c->ask, ask.c): leaving its client ends that.
 *
 * Tool, worker, reload, control and session code call these functions;
 * each checks the state it expects.
 */
#include "config.h"

#include <sys/time.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "frame.h"
#include "access.h"
#include "mcp-hotd.h"
#include "call.h"
#include "catalog.h"
#include "task.h"
#include "schedule.h"
#include "xmalloc.h"

/*
 * Calls with short ids and small arguments (nearly all) come from blocks
 * kept for reuse: a pipelining client has dozens in flight, more than
 * malloc's per-size cache holds, and each call was a trip into the heap.
 */
#define CALL_BLOCK	512	/* bytes: the call and its text */
#define CALL_BLOCKS_KEPT 256

static void	*call_blocks[CALL_BLOCKS_KEPT];
static size_t	 call_nblocks;

static struct call *
call_alloc(size_t size)
{
	struct call	*c;

	if (size > CALL_BLOCK)
		return xcalloc(1, size);
	c = call_nblocks > 0 ? call_blocks[--call_nblocks] :
	    xmalloc(CALL_BLOCK);
	memset(c, 0, sizeof(*c));
	c->pooled = 1;
	return c;
}

static void
call_release(struct call *c)
{
	if (c->pooled && call_nblocks < CALL_BLOCKS_KEPT)
		call_blocks[call_nblocks++] = c;
	else
		free(c);
}

/* At exit: the blocks kept. */
void
call_blocks_free(void)
{
	while (call_nblocks > 0)
		free(call_blocks[--call_nblocks]);
}

/* Off whatever list its state names. */
static void
call_unlink(struct call *c)
{
	if (c->list != NULL)
		TAILQ_REMOVE(c->list, c, qentry);
	c->list = NULL;
}

/* Off its session: the client no longer waits for it. */
static void
call_leave_session(struct call *c, enum call_to to)
{
	struct session	*s = c->session;

	c->to = to;
	if (s == NULL)
		return;
	if (c->state == CALL_SENT)
		s->nsent--;
	c->session = NULL;
	TAILQ_REMOVE(&s->calls, c, sentry);
	s->ninflight--;
	ask_end(c, to == CALL_CANCELLED ? "cancelled" : "gone",
	    to == CALL_CANCELLED ? "the client cancelled this call" :
	    "the client is gone");
	session_call_done(s);
}

static void
call_free(struct call *c)
{
	ask_free(c->ask);
	call_unlink(c);
	call_leave_session(c, CALL_TO_NOBODY);
	free(c->progress);
	free(c->replace);
	free(c->uri);
	json_object_put(c->answers);
	json_object_put(c->client);
	call_release(c);
}

/*
 * A call and the text it carries (its id, its arguments; args may be NULL)
 * in one allocation, in flight for its session.
 */
struct call *
call_new(struct session *s, const char *id, size_t idlen, struct tool *t,
    const char *args, size_t argslen)
{
	struct call	*c;
	char		*p;

	c = call_alloc(sizeof(*c) + idlen + argslen + 2);
	p = (char *)(c + 1);
	c->idjson = p;
	memcpy(p, id, idlen);
	p[idlen] = '\0';
	p += idlen + 1;
	if (args != NULL) {
		c->args = p;
		c->argslen = argslen;
		memcpy(p, args, argslen);
		p[argslen] = '\0';
	}
	c->state = CALL_NEW;
	c->to = s != NULL ? CALL_TO_CLIENT : CALL_TO_NOBODY;
	c->session = s;
	c->tool = t;
	c->kind = t != NULL ? tool_spec(t)->kind : KIND_TOOL;
	c->id = ++sv.next_call_id;
	if (access_on())
		gettimeofday(&c->started, NULL);
	if (s == NULL)
		return c;
	TAILQ_INSERT_TAIL(&s->calls, c, sentry);
	s->ninflight++;
	return c;
}

/*
 * A task's call once its client answered what it asked: no session, the
 * answers so far and the client it runs for (both shared).
 */
struct call *
call_new_task(struct tool *t, const char *args, size_t argslen,
    struct json_object *answers, struct json_object *client)
{
	struct call	*c = call_new(NULL, "0", 1, t, args, argslen);

	c->answers = json_object_get(answers);
	c->client = json_object_get(client);
	c->log_level = -1;
	return c;
}

/* It runs for task now: off its session, on the task's deadline. */
void
call_to_task(struct call *c, struct task *task, int timeout_ms)
{
	call_leave_session(c, CALL_TO_NOBODY);
	c->task = task;
	c->timeout_ms = timeout_ms;
}

/* Its task let it go (cancelled, expired, shut down). */
void
call_untask(struct call *c)
{
	c->task = NULL;
}

struct task *
call_task(const struct call *c)
{
	return c->task;
}

int
call_failed(const struct call *c)
{
	return c->failed;
}

struct json_object *
call_answers(const struct call *c)
{
	return c->answers;
}

struct json_object *
call_client(const struct call *c)
{
	return c->client;
}

/* Its deadline: a task's own, else its tool's (0). */
int
call_timeout(const struct call *c)
{
	return c != NULL ? c->timeout_ms : 0;
}

/*
 * Onto list (last, or first), in the state that list stands for: only by
 * a move sched_call_move allows (any other is a bug, said and fatal).
 */
static void
call_move(struct call *c, struct callq *list, enum call_state state,
    int first)
{
	if (!sched_call_move(c->state, state))
		fatalx("call %s: no move from state %d to %d", c->idjson,
		    c->state, state);
	call_unlink(c);
	c->worker = NULL;
	if (first)
		TAILQ_INSERT_HEAD(list, c, qentry);
	else
		TAILQ_INSERT_TAIL(list, c, qentry);
	c->list = list;
	if (c->session != NULL)		/* its client's calls at a worker */
		c->session->nsent += (state == CALL_SENT) -
		    (c->state == CALL_SENT);
	c->state = state;
}

/* NEW -> QUEUED: last in its tool's queue. */
void
call_enqueue(struct call *c, struct callq *queue)
{
	call_move(c, queue, CALL_QUEUED, 0);
}

/* QUEUED -> SENT: last on worker w's sent list. */
void
call_send(struct call *c, struct callq *sent, struct worker *w)
{
	call_move(c, sent, CALL_SENT, 0);
	event_base_gettimeofday_cached(sv.base, &c->sent_at);
	c->worker = w;
}

/*
 * SENT -> QUEUED for every call on sent (a worker that never ran them is
 * gone): first in queue again, in their order; cancelled ones go.
 */
void
call_requeue(struct callq *sent, struct callq *queue)
{
	struct call	*c;

	while ((c = TAILQ_LAST(sent, callq)) != NULL) {
		if (c->to == CALL_CANCELLED)
			call_free(c);
		else
			call_move(c, queue, CALL_QUEUED, 1);
	}
}

struct call *
call_first(struct callq *q)
{
	return TAILQ_FIRST(q);
}

/* The next call to send, by sched_fair: whose client has none at a worker. */
struct call *
call_fair_next(struct callq *q)
{
	struct call	*c;
	int		 busy[SCHED_FAIR_SCAN];
	size_t		 n = 0, k;

	TAILQ_FOREACH(c, q, qentry) {
		if (n == SCHED_FAIR_SCAN)
			break;
		busy[n++] = c->session != NULL && c->session->nsent > 0;
	}
	k = sched_fair(busy, n);
	TAILQ_FOREACH(c, q, qentry)
		if (k-- == 0)
			break;
	return c;
}

/* Calls on q, counted up to max (0: all). */
size_t
call_count(const struct callq *q, size_t max)
{
	const struct call	*c;
	size_t			 n = 0;

	TAILQ_FOREACH(c, q, qentry)
		if (++n == max)
			break;
	return n;
}

/* The session's call of this id (as the client wrote it), if in flight. */
struct call *
call_find(struct session *s, const char *id, size_t idlen)
{
	struct call	*c;

	TAILQ_FOREACH(c, &s->calls, sentry)
		if (strlen(c->idjson) == idlen &&
		    memcmp(c->idjson, id, idlen) == 0)
			return c;
	return NULL;
}

/* The client left: its calls run on, their answers go nowhere. */
void
call_detach_all(struct session *s)
{
	struct call	*c;

	while ((c = TAILQ_FIRST(&s->calls)) != NULL)
		call_leave_session(c, CALL_TO_NOBODY);
}

/*
 * notifications/cancelled: never answered. Still queued, it goes (and its
 * tool, if draining, may go with it); sent, its worker stops it when it
 * runs it.
 */
void
call_cancel(struct call *c)
{
	struct tool	*t = c->tool;

	call_leave_session(c, CALL_CANCELLED);
	switch (c->state) {
	case CALL_QUEUED:
		call_free(c);
		tool_call_dropped(t);
		break;
	case CALL_SENT:
		worker_cancel_call(c->worker, c);
		break;
	default:
		break;	/* a control request: its answer just goes nowhere */
	}
}

/* Its access log line, as its answer goes. */
static void
call_access(const struct call *c, const char *result, size_t len)
{
	static const char	 err[] = "\"isError\":true}";
	struct access_entry	 e = { .face = c->session->ops->name,
				    .session = c->session->id,
				    .era = session_era_name(c->session),
				    .method = "tools/call", .methodlen = 10,
				    .bytes = len,
				    .client = c->session->mcp.client };
	struct timeval		 now, d;

	if (c->kind != KIND_TOOL) {
		e.method = catalog_method_of(c->kind);
		e.methodlen = strlen(e.method);
	}

	gettimeofday(&now, NULL);
	timersub(&now, &c->started, &d);
	e.usec = d.tv_sec * 1000000L + d.tv_usec;
	e.tool = c->tool != NULL ? tool_spec(c->tool)->name : NULL;
	e.outcome = len >= sizeof(err) - 1 && memcmp(result + len -
	    (sizeof(err) - 1), err, sizeof(err) - 1) == 0 ? "isError" : "ok";
	access_line(&e);
}

/* Answer with a JSON-RPC error (a prompt's or resource's code failed). */
static void
call_answer_rpc_error(struct call *c, int code, const char *msg)
{
	static const char	 fmt[] = "{\"jsonrpc\":\"2.0\",\"id\":%s,"
				    "\"error\":%s}";
	struct session		*s = c->session;
	struct json_object	*err;
	const char		*text;
	char			*reply;
	size_t			 len;

	if (s != NULL) {
		err = json_object_new_object();
		json_object_object_add(err, "code", json_object_new_int(code));
		json_object_object_add(err, "message",
		    json_object_new_string(msg));
		text = json_object_to_json_string_ext(err,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		len = sizeof(fmt) + strlen(c->idjson) + strlen(text);
		reply = xmalloc(len);
		len = (size_t)snprintf(reply, len, fmt, c->idjson, text);
		if (access_on())
			call_access(c, "", 0);
		s->reply_code = code;
		session_send_raw(s, reply, len, c->idjson, strlen(c->idjson));
		s->reply_code = 0;
		free(reply);
		json_object_put(err);
	}
	call_free(c);
}

static void	call_answer_json(struct call *, const char *, size_t);

/*
 * A coded prompt's, resource's or completion's answer: its worker's result
 * made the method's (catalog_render), or an error reply. 1 when answered.
 */
static int
call_answer_catalog(struct call *c, const char *result, size_t len)
{
	char	*out, why[2048];
	size_t	 outlen;
	int	 code;

	/* No one to answer: its tool may be gone already (exit). */
	if (c->replace != NULL || c->kind == KIND_TOOL || c->session == NULL)
		return 0;
	if ((out = catalog_render(c->tool, c->uri, c->session != NULL &&
	    c->session->mcp.era == MCP_ERA_2026, result, len, &outlen,
	    &code, why, sizeof(why))) == NULL) {
		call_answer_rpc_error(c, code, why);
		return 1;
	}
	call_answer_json(c, out, outlen);
	free(out);
	return 1;
}

/*
 * Answer the call with a CallToolResult given as JSON text and free it. The
 * text is relayed as it came: the caller has checked it is one JSON object
 * on one line.
 */
void
call_answer_raw(struct call *c, const char *result, size_t len)
{
	if (c->task != NULL) {		/* kept for tasks/get */
		task_answered(c, c->replace ? c->replace : result,
		    c->replace ? strlen(c->replace) : len, c->replace != NULL);
		call_free(c);
		return;
	}
	if (!call_answer_catalog(c, result, len))
		call_answer_json(c, result, len);
}

static void
call_answer_json(struct call *c, const char *result, size_t len)
{
	static const char	 pre[] = "{\"jsonrpc\":\"2.0\",\"id\":";
	static const char	 mid[] = ",\"result\":";
	/* 2026-07-28 results say they are complete: spliced in, not parsed. */
	static const char	 mid26[] = ",\"result\":{\"resultType\":"
				    "\"complete\"";
	static char		*buf;
	static size_t		 cap;
	struct session		*s = c->session;
	size_t			 idlen, n;
	char			*p;
	int			 complete = 1;

	if (c->replace != NULL) {	/* the answer was decided (ask.c) */
		result = c->replace;
		len = strlen(result);
		complete = 0;
	}
	if (s != NULL && !session_may_send(s, len)) {
		call_answer_error(c, "the answer of %zu bytes was dropped: "
		    "clients have too much unread (--max-unread %zu bytes); "
		    "read your answers", len, settings.max_unread);
		return;
	}
	if (s != NULL && access_on())
		call_access(c, result, len);
	if (s != NULL) {
		idlen = strlen(c->idjson);
		n = sizeof(pre) - 1 + idlen + sizeof(mid26) + len + 1;
		if (n > cap) {
			cap = n > 4096 ? n : 4096;
			buf = xreallocarray(buf, cap, 1);
		}
		p = mempcpy(buf, pre, sizeof(pre) - 1);
		p = mempcpy(p, c->idjson, idlen);
		if (s->mcp.era == MCP_ERA_2026 && len >= 2 && complete) {
			p = mempcpy(p, mid26, sizeof(mid26) - 1);
			if (result[1] != '}')	/* not "{}" */
				*p++ = ',';
			p = mempcpy(p, result + 1, len - 1);
		} else {
			p = mempcpy(p, mid, sizeof(mid) - 1);
			p = mempcpy(p, result, len);
		}
		*p++ = '}';
		session_send_raw(s, buf, (size_t)(p - buf), c->idjson, idlen);
	}
	call_free(c);
}

static void
call_answer_text(struct call *c, const char *msg)
{
	struct json_object	*res = mcp_tool_error(msg);
	const char		*s;
	size_t			 len;

	s = mcp_to_string(res, &len);
	call_answer_raw(c, s, len);
	json_object_put(res);
}

/* Answer with isError and a text naming what went wrong. */
void
call_answer_error(struct call *c, const char *fmt, ...)
{
	char	msg[2048];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->failed = 1;
	call_answer_text(c, msg);
}

/* Every call on q gets the same isError. */
void
call_fail_all(struct callq *q, const char *fmt, ...)
{
	struct call	*c;
	char		 msg[2048];
	va_list		 ap;

	if (TAILQ_EMPTY(q))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	while ((c = TAILQ_FIRST(q)) != NULL) {
		c->failed = 1;
		call_answer_text(c, msg);
	}
}

/*
 * What the client asked to hear while it runs (progress, log messages) and,
 * in 2026, who it is and what it answered: mc's objects are taken.
 */
void
call_set_notes(struct call *c, struct mcp_call *mc)
{
	c->answers = mc->answers;
	c->client = mc->client;
	mc->answers = mc->client = NULL;
	c->uri = mc->uri;
	mc->uri = NULL;
	c->log_level = mc->log_level;
	if (mc->progress == NULL)
		return;
	c->progress = xmalloc(mc->progresslen + 1);
	memcpy(c->progress, mc->progress, mc->progresslen);
	c->progress[mc->progresslen] = '\0';
}

/* Its frame id towards the worker. */
uint64_t
call_id(const struct call *c)
{
	return c->id;
}

/* When it was sent to its worker. */
const struct timeval *
call_sent_at(const struct call *c)
{
	return &c->sent_at;
}

/* The call of frame id on q (an async worker's: any of them), or NULL. */
struct call *
call_with_id(struct callq *q, uint64_t id)
{
	struct call	*c;

	TAILQ_FOREACH(c, q, qentry)
		if (c->id == id)
			break;
	return c;
}

/* Its JSON-RPC id, as the client sent it. */
const char *
call_idjson(const struct call *c)
{
	return c->idjson;
}

/* Its arguments: JSON text, what CALL carries. */
const char *
call_args(const struct call *c, size_t *len)
{
	*len = c->argslen;
	return c->args;
}

/* Cancelled: stop it where it runs; never run it again. */
int
call_cancelled(const struct call *c)
{
	return c->to == CALL_CANCELLED;
}

/* Asking its client back: its worker's result is not due now. */
int
call_asking(const struct call *c)
{
	return c->ask != NULL;
}

/* Answered already, whatever its worker says (2026: input_required). */
int
call_decided(const struct call *c)
{
	return c->replace != NULL;
}

/*
 * CALL_META's payload for c (valid until the next): its request id, its
 * era, its client (the request's in 2026, the session's in 2025) and the
 * answers it came with. NULL when the tool has no use for it: it takes no
 * context (uses_context 0) and c brings no answers.
 */
const char *
call_meta(const struct call *c, int uses_context, size_t *len)
{
	static struct json_object	*m;
	struct json_object		*client;
	const struct mcp_state		*st = c->session ? &c->session->mcp : NULL;
	char				 session[48];

	if (!uses_context && c->answers == NULL)
		return NULL;
	json_object_put(m);
	m = json_object_new_object();
	json_object_object_add(m, MSG_KEY(CALL_META, request_id),
	    json_tokener_parse(c->idjson));
	json_object_object_add(m, MSG_KEY(CALL_META, era), json_object_new_string(st != NULL &&
	    st->era == MCP_ERA_2026 ? MCP_VERSION_2026 : "2025-11-25"));
	snprintf(session, sizeof(session), "%llx-%u",
	    (unsigned long long)sv.started, c->session ? c->session->id : 0);
	json_object_object_add(m, MSG_KEY(CALL_META, session),
	    json_object_new_string(session));
	if (c->client != NULL)
		client = json_object_get(c->client);
	else {
		client = json_object_new_object();
		if (st != NULL && st->client_name != NULL)
			json_object_object_add(client, "name",
			    json_object_new_string(st->client_name));
		if (st != NULL && st->client_version != NULL)
			json_object_object_add(client, "version",
			    json_object_new_string(st->client_version));
		json_object_object_add(client, "capabilities",
		    st != NULL && st->client_caps != NULL ?
		    json_object_get(st->client_caps) : json_object_new_object());
	}
	json_object_object_add(m, MSG_KEY(CALL_META, client), client);
	if (c->answers != NULL)
		json_object_object_add(m, MSG_KEY(CALL_META, answers),
		    json_object_get(c->answers));
	return mcp_to_string(m, len);
}

/* A tool cannot flood its client: so many notes a call, so many a second. */
#define CALL_NOTES_MAX		1000
#define CALL_NOTES_PER_SECOND	50

static int
call_note_allowed(struct call *c)
{
	time_t	now = time(NULL);

	if (now != c->note_second) {
		c->note_second = now;
		c->note_burst = 0;
	}
	if (c->notes >= CALL_NOTES_MAX || c->note_burst >= CALL_NOTES_PER_SECOND) {
		if (c->notes_dropped++ == 0)
			log_info("tool '%s': progress and log messages of call "
			    "%s beyond %d a second or %d in all are dropped",
			    c->tool ? tool_spec(c->tool)->name : "?", c->idjson,
			    CALL_NOTES_PER_SECOND, CALL_NOTES_MAX);
		return 0;
	}
	c->notes++;
	c->note_burst++;
	return 1;
}

/* PROGRESS passed the gate: its members are the notification's. */
static struct json_object *
call_progress(const struct call *c, struct json_object *m)
{
	struct json_object	*n, *params;

	params = json_object_new_object();
	json_object_object_add(params, "progressToken",
	    json_tokener_parse(c->progress));
	json_object_object_foreach(m, key, val)
		json_object_object_add(params, key, json_object_get(val));
	n = mcp_notification("notifications/progress");
	json_object_object_add(n, "params", params);
	return n;
}

static struct json_object *
call_log(const struct call *c, struct json_object *m, int *level)
{
	struct json_object	*n, *params, *l, *data, *logger;

	/* The gate saw to their types; a level must be one MCP names. */
	json_object_object_get_ex(m, MSG_KEY(LOG, level), &l);
	json_object_object_get_ex(m, MSG_KEY(LOG, data), &data);
	if ((*level = mcp_log_level(json_object_get_string(l))) == -1)
		return NULL;
	params = json_object_new_object();
	json_object_object_add(params, "level", json_object_get(l));
	if (json_object_object_get_ex(m, MSG_KEY(LOG, logger), &logger))
		json_object_object_add(params, "logger",
		    json_object_get(logger));
	else
		json_object_object_add(params, "logger", json_object_new_string(
		    c != NULL && c->tool ? tool_spec(c->tool)->name :
		    "mcp-hotd"));
	json_object_object_add(params, "data", json_object_get(data));
	n = mcp_notification("notifications/message");
	json_object_object_add(n, "params", params);
	return n;
}

/*
 * A PROGRESS or LOG frame from the worker running the calls sent: for the
 * one that runs (the head), to its client when it asked for such, within
 * bounds. 0, or -1 for a malformed one (that worker's death).
 */
int
call_notify(struct callq *sent, const struct frame_hdr *h,
    struct json_object *m, int any)
{
	struct call		*c = any ? call_with_id(sent, h->id) :
				    TAILQ_FIRST(sent);
	struct json_object	*n;
	int			 level = 0;

	n = h->type == MSG_PROGRESS ? (c != NULL && c->progress != NULL ?
	    call_progress(c, m) : json_object_new_object()) :
	    call_log(c, m, &level);
	if (n == NULL)
		return -1;
	if (c == NULL || c->id != h->id || c->session == NULL ||
	    (h->type == MSG_PROGRESS && c->progress == NULL) ||
	    (h->type == MSG_LOG && (c->log_level == -1 ||
	    level < c->log_level)) || !call_note_allowed(c)) {
		json_object_put(n);	/* late, unasked for, or too many */
		return 0;
	}
	session_send_related(c->session, n, c->idjson);
	json_object_put(n);
	return 0;
}
