/* SPDX-License-Identifier: ISC */
/*
 * One client session, whatever its transport: split input into lines,
 * hand each to mcp.c, send replies, track the calls in flight.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "jsonparse.h"
#include "access.h"
#include "clients.h"
#include "mcp-hotd.h"
#include "catalog.h"
#include "task.h"
#include "xmalloc.h"

static void	session_resume_later(struct session *);

struct session *
session_new(const struct session_ops *ops, void *arg)
{
	struct session	*s;

	s = xcalloc(1, sizeof(*s));
	s->ops = ops;
	s->arg = arg;
	s->id = ++sv.next_session_id;
	s->mcp.session = s;
	TAILQ_INIT(&s->calls);
	TAILQ_INSERT_TAIL(&sv.sessions, s, entry);
	return s;
}

/*
 * A session for one request that carries what it needs (an HTTP POST of
 * no session): of era, past initialize; a 2025 one has no stream for its
 * notifications. peer and the request's MCP-Protocol-Version (or NULL)
 * name it.
 */
struct session *
session_new_request(const struct session_ops *ops, void *arg,
    enum mcp_era era, const char *peer, const char *http_version)
{
	struct session	*s = session_new(ops, arg);

	s->mcp.era = era;
	s->mcp.initialized = 1;
	s->mcp.no_stream = era == MCP_ERA_2025;
	s->mcp.http_version = http_version;
	snprintf(s->peer, sizeof(s->peer), "%s", peer);
	return s;
}

/* No more input: the transport stopped reading (its headers go too). */
void
session_end_input(struct session *s)
{
	s->input_ended = 1;
	s->mcp.http_version = NULL;
}

/* Calls of its still in flight. */
unsigned
session_inflight(const struct session *s)
{
	return s->ninflight;
}

/* What is being written: a notification about a call (1), or not. */
int
session_writing_note(const struct session *s)
{
	return s->related != NULL;
}

/* ... the error code of the reply being written, or 0. */
int
session_reply_code(const struct session *s)
{
	return s->reply_code;
}

enum mcp_era
session_era(const struct session *s)
{
	return s->mcp.era;
}

/* Calls still in flight run on; their answers go nowhere. */
void
session_free(struct session *s)
{
	/* Detaching its calls must not have its transport free it again
	 * (session_check_done: a stateless request is done when its last
	 * call leaves). */
	s->freeing = 1;
	call_detach_all(s);
	task_session_gone(s);
	sv.unread_total -= s->unread;
	TAILQ_REMOVE(&sv.sessions, s, entry);
	mcp_state_clear(&s->mcp);
	if (s->resume != NULL)
		event_free(s->resume);
	free(s);
}

/* A message to the client; a reply names the id it answers (else NULL). */
void
session_send_raw(struct session *s, const char *buf, size_t len,
    const char *id, size_t idlen)
{
	s->ops->write(s, buf, len, id, idlen);
}

/* A notification about the call whose id is related (JSON text). */
void
session_send_related(struct session *s, struct json_object *msg,
    const char *related)
{
	s->related = related;
	session_send(s, msg, NULL, 0);
	s->related = NULL;
}

void
session_send(struct session *s, struct json_object *msg, const char *id,
    size_t idlen)
{
	const char	*str;
	size_t		 len;

	str = mcp_to_string(msg, &len);
	session_send_raw(s, str, len, id, idlen);
}

static void
session_check_done(struct session *s)
{
	if (s->input_ended && s->ninflight == 0 && !s->freeing)
		s->ops->done(s);
}

/*
 * May an answer of len bytes go out to s? Not when what every client has
 * yet to read would pass --max-unread: the supervisor's memory is bounded
 * by that, whoever does not read. Small answers always go (errors, a
 * ping's), so nothing is left unanswered.
 */
int
session_may_send(struct session *s, size_t len)
{
	if (len <= ANSWER_ALWAYS_SENT || sv.unread_total + len <= settings.max_unread)
		return 1;
	if (!s->dropped++)
		log_warnx("session %u (%s): answers dropped: clients hold %zu "
		    "MiB unread, the limit is %zu MiB (--max-unread)", s->id,
		    s->peer, sv.unread_total >> 20, settings.max_unread >> 20);
	return 0;
}

/* One of its calls left it (call.c): answered, cancelled or detached. */
void
session_call_done(struct session *s)
{
	session_resume_later(s);
	session_check_done(s);
	if (sv.shutting_down)
		supervisor_check_exit();
}

/*
 * notifications/cancelled: the call of that id is no longer the session's
 * and will not be answered (its answer goes nowhere, as for a client that
 * left). One still waiting for its worker is dropped; one the worker runs,
 * or starts later, is stopped there.
 */
static void
session_cancel(struct session *s, const char *id, size_t idlen)
{
	struct session	*o;
	struct call	*c;

	/*
	 * A 2026-07-28 request is a session of its own: its cancel comes in
	 * another, and names a call of the same client's by its id.
	 */
	if ((c = call_find(s, id, idlen)) == NULL && s->mcp.era == MCP_ERA_2026)
		TAILQ_FOREACH(o, &sv.sessions, entry)
			if (o != s && o->mcp.era == MCP_ERA_2026 &&
			    (o->mcp.client == NULL) == (s->mcp.client == NULL) &&
			    (o->mcp.client == NULL ||
			    strcmp(o->mcp.client, s->mcp.client) == 0) &&
			    (c = call_find(o, id, idlen)) != NULL) {
				s = o;
				break;
			}
	if (c == NULL)
		return;		/* answered already, or never asked */
	log_info("session %u: call %s cancelled by the client", s->id,
	    call_idjson(c));
	if (s->ops->cancelled != NULL)
		s->ops->cancelled(s, call_idjson(c));
	call_cancel(c);
}

/*
 * Every call in flight, cancelled: the client went before its answers
 * (a 2026-07-28 request's client closing its connection). s may be freed
 * by its transport once the last is gone.
 */
void
session_cancel_all(struct session *s)
{
	struct call	*c;

	s->freeing = 1;		/* its transport waits until the loop ends */
	while ((c = TAILQ_FIRST(&s->calls)) != NULL) {
		log_info("session %u: call %s cancelled: the client went", s->id,
		    call_idjson(c));
		call_cancel(c);
	}
	s->freeing = 0;
	session_check_done(s);
}

/* One complete JSON-RPC message from the client (a line, or a body). */
void
session_input(struct session *s, const char *line, size_t len)
{
	const struct mcp_request	*r;
	struct json_object		*reply;

	if ((r = mcp_parse(line, len, &reply)) != NULL)
		session_request(s, r);
	else if (reply != NULL) {
		s->reply_code = mcp_error_code(reply);
		session_send(s, reply, "", 0);	/* answers what was sent */
		s->reply_code = 0;
		json_object_put(reply);
	}
}

/*
 * A call to run as a task (task.c): answered now with its handle, or an
 * error when a bound is reached.
 */
static struct json_object *
session_task(struct session *s, const struct mcp_request *r,
    struct mcp_call *mc)
{
	struct json_object	*reply, *id;
	struct call		*c;
	char			 why[256];

	id = mcp_id(r->d, r->id);
	if (task_room(s, mc, why, sizeof(why)) == -1)
		reply = mcp_error(id, -32603, "Internal error: no task made: %s",
		    why);
	else {
		c = call_new(s, mc->id, mc->idlen, mc->tool, mc->args,
		    mc->argslen);
		call_set_notes(c, mc);
		reply = mcp_result(id, task_begin(s, c, mc));
	}
	json_object_put(id);
	return reply;
}

/* A request or notification its transport parsed with mcp_parse. */
static void	session_access(const struct session *,
		    const struct mcp_request *, struct json_object *,
		    struct tool *);

void
session_request(struct session *s, const struct mcp_request *r)
{
	struct json_object	*reply;
	struct mcp_call		 mc = { .tool = NULL };
	const struct jtok	*id = r->id >= 0 ? &r->d->t[r->id] : NULL;
	enum mcp_action		 act;
	struct call		*c;

	if (r->method == -1) {		/* the client answers us */
		ask_response(s, r);
		return;
	}
	if (s->control && control_handle(s, r))
		return;
	switch ((act = mcp_handle(&s->mcp, r, &reply, &mc))) {
	case MCP_CALL:
		if (mc.task) {
			reply = session_task(s, r, &mc);
			break;
		}
		c = call_new(s, mc.id, mc.idlen, mc.tool, mc.args, mc.argslen);
		call_set_notes(c, &mc);
		tool_enqueue(mc.tool, c);
		break;
	case MCP_CANCEL:
		session_cancel(s, mc.id, mc.idlen);
		break;
	default:
		break;
	}
	json_object_put(mc.answers);	/* not taken: no call was made */
	json_object_put(mc.client);
	free(mc.owned);
	free(mc.uri);			/* taken: set to NULL */
	if (reply != NULL && access_on())
		session_access(s, r, reply, mc.tool);
	if (reply != NULL) {
		s->reply_code = mcp_error_code(reply);
		if (act == MCP_LISTEN)		/* a notification opens it */
			session_send(s, reply, NULL, 0);
		else
			session_send(s, reply, id ? r->d->text + id->start :
			    "", id ? id->end - id->start : 0);
		s->reply_code = 0;
		json_object_put(reply);
	}
}

/* The era a session speaks, as the access log and CALL_META say it. */
const char *
session_era_name(const struct session *s)
{
	return s->mcp.era == MCP_ERA_2026 ? "2026" :
	    s->mcp.era == MCP_ERA_2025 ? "2025" : "-";
}

/* A request answered at once: its access log line. */
static void
session_access(const struct session *s, const struct mcp_request *r,
    struct json_object *reply, struct tool *t)
{
	struct access_entry	 e = { .face = s->ops->name, .session = s->id,
				    .client = s->mcp.client,
				    .era = session_era_name(s) };
	struct json_object	*res, *ie;
	char			 outcome[32], name[128], method[128];
	size_t			 len;
	int			 code = mcp_error_code(reply), nt;

	e.methodlen = jdoc_string(r->d, r->method, method, sizeof(method));
	if (e.methodlen >= sizeof(method))
		e.methodlen = sizeof(method) - 1;
	e.method = method;
	e.tool = t != NULL ? tool_spec(t)->name : NULL;
	/* A tools/call answered here (its arguments refused...): its name. */
	if (t == NULL && jdoc_string_eq(r->d, r->method, "tools/call", 10) &&
	    (nt = jdoc_member(r->d, r->params, "name")) != -1 &&
	    r->d->t[nt].type == JT_STRING) {
		jdoc_string(r->d, nt, name, sizeof(name));
		e.tool = name;
	}
	if (code != 0)
		snprintf(outcome, sizeof(outcome), "error%d", code);
	else
		snprintf(outcome, sizeof(outcome), "%s",
		    json_object_object_get_ex(reply, "result", &res) &&
		    json_object_object_get_ex(res, "isError", &ie) &&
		    json_object_get_boolean(ie) ? "isError" : "ok");
	e.outcome = outcome;
	mcp_to_string(reply, &len);
	e.bytes = len;
	access_line(&e);
}

static void
session_too_long(struct session *s, size_t len)
{
	struct json_object	*e;

	e = mcp_error(NULL, -32600, "Invalid Request: request of %s%zu bytes "
	    "exceeds the limit of %zu bytes", len > settings.max_request ?
	    "more than " : "", settings.max_request, settings.max_request);
	session_send(s, e, "", 0);
	json_object_put(e);
}

/* Backpressure: a session's lines wait while it has too much going on. */
static int
session_must_wait(const struct session *s)
{
	return s->ninflight >= SESSION_MAX_INFLIGHT || s->output_full;
}

static void
session_hold(struct session *s, int on)
{
	if (s->held == on)
		return;
	s->held = on;
	if (on)
		log_debug("session %u: holding input (%u in flight%s)", s->id,
		    s->ninflight, s->output_full ? ", client not reading" : "");
	if (s->ops->hold != NULL && !s->eof_seen)
		s->ops->hold(s, on);
}

static void	session_drain(struct session *);

static void
session_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	session_drain(arg);
}

/* Held lines go on from the event loop, never from inside an answer. */
static void
session_resume_later(struct session *s)
{
	if (!s->held || session_must_wait(s) || s->in == NULL)
		return;
	if (s->resume == NULL &&
	    (s->resume = event_new(sv.base, -1, 0, session_resume_cb, s)) == NULL)
		fatal("%s", __func__);
	event_active(s->resume, EV_READ, 0);
}

/* The transport reports how much output the client has not taken yet. */
void
session_output(struct session *s, size_t pending)
{
	sv.unread_total = sv.unread_total - s->unread + pending;
	s->unread = pending;
	if (!s->output_full && pending > SESSION_OUTPUT_HIGH)
		s->output_full = 1;
	else if (s->output_full && pending <= SESSION_OUTPUT_LOW) {
		s->output_full = 0;
		session_resume_later(s);
	}
}

/*
 * The complete lines at the front of in's first chunk, handled where they
 * lie and drained at once (a pipelining client's lines, the hot path);
 * whatever else (a line across chunks, one too long) is left to
 * session_drain's general loop. 1 if any was taken.
 */
static int
session_drain_chunk(struct session *s, struct evbuffer *in)
{
	size_t		 avail = evbuffer_get_contiguous_space(in), done = 0;
	const char	*b, *nl;

	if (s->discarding || avail == 0)
		return 0;
	b = (const char *)evbuffer_pullup(in, (ev_ssize_t)avail);
	while (done < avail && !session_must_wait(s) && !s->closed &&
	    (nl = memchr(b + done, '\n', avail - done)) != NULL &&
	    (size_t)(nl - b) - done <= settings.max_request) {
		session_input(s, b + done, (size_t)(nl - b) - done);
		done = (size_t)(nl - b) + 1;
	}
	if (done == 0)
		return 0;
	evbuffer_drain(in, done);
	s->scanned = 0;
	return 1;
}

/*
 * Take every complete line out of the input, while the session may. A
 * line longer than the limit is refused with one error and skipped up to
 * its newline, without buffering it. At eof, a last line without a newline
 * still counts.
 */
static void
session_drain(struct session *s)
{
	struct evbuffer		*in = s->in;
	struct evbuffer_ptr	 p, start;
	size_t			 eol, len;

	for (;;) {
		if (session_must_wait(s)) {
			session_hold(s, 1);
			return;
		}
		if (session_drain_chunk(s, in)) {
			if (s->closed)
				return;
			continue;
		}
		len = evbuffer_get_length(in);
		evbuffer_ptr_set(in, &start, s->scanned < len ? s->scanned : 0,
		    EVBUFFER_PTR_SET);
		p = evbuffer_search_eol(in, &start, &eol, EVBUFFER_EOL_LF);
		if (p.pos == -1)
			break;
		s->scanned = 0;
		if (s->discarding || (size_t)p.pos > settings.max_request) {
			if (!s->discarding)
				session_too_long(s, (size_t)p.pos);
			s->discarding = 0;
			evbuffer_drain(in, p.pos + eol);
			continue;
		}
		session_input(s, (const char *)evbuffer_pullup(in, p.pos),
		    p.pos);
		evbuffer_drain(in, p.pos + eol);
		if (s->closed)
			return;
	}
	session_hold(s, 0);
	len = evbuffer_get_length(in);
	s->scanned = len;
	if (len > settings.max_request) {
		if (!s->discarding)
			session_too_long(s, len);
		s->discarding = 1;
		evbuffer_drain(in, len);
		s->scanned = 0;
	}
	if (!s->eof_seen || s->input_ended)
		return;
	if (len > 0 && !s->discarding)
		session_input(s, (const char *)evbuffer_pullup(in, -1), len);
	evbuffer_drain(in, evbuffer_get_length(in));
	s->input_ended = 1;
	session_check_done(s);
}

void
session_feed(struct session *s, struct evbuffer *in, int eof)
{
	s->in = in;
	s->eof_seen |= eof;
	if (!s->held)
		session_drain(s);
}

/*
 * Once shutting down: leave the loop when nothing is in flight, a moment
 * later, so the last answers still buffered reach their clients.
 */
void
supervisor_check_exit(void)
{
	struct timeval	tv = { 0, 100 * 1000 };

	if (sv.shutting_down && session_inflight_total() == 0)
		event_base_loopexit(sv.base, &tv);
}

unsigned
session_inflight_total(void)
{
	struct session	*s;
	unsigned	 n = 0;

	TAILQ_FOREACH(s, &sv.sessions, entry)
		n += s->ninflight;
	return n;
}

/*
 * The tool list changed (clients_only: the clients file did, and only
 * what a client of it sees may differ): every session that should hear
 * it, as it should.
 */
void
session_list_changed(int clients_only)
{
	struct session		*s;
	struct json_object	*n;

	uint64_t		 v;

	TAILQ_FOREACH(s, &sv.sessions, entry) {
		/* A client of --clients hears of its own list only. */
		if (s->mcp.client != NULL) {
			if ((v = mcp_tools_version(s->mcp.client, NULL)) ==
			    s->mcp.listed)
				continue;
			s->mcp.listed = v;
		} else if (clients_only)
			continue;
		if ((n = mcp_list_changed(&s->mcp)) != NULL) {
			session_send(s, n, NULL, 0);
			json_object_put(n);
		}
	}
}

/*
 * Prompts or resources changed at a switch (catalog.h's CATALOG_*, and the
 * uris of resources updated): every session hears what it listens for.
 */
void
session_catalog_changed(unsigned changed, struct json_object *updated)
{
	struct session		*s;
	struct json_object	*notes;
	size_t			 i;

	TAILQ_FOREACH(s, &sv.sessions, entry) {
		notes = catalog_notes(&s->mcp, changed, updated);
		for (i = 0; i < json_object_array_length(notes); i++)
			session_send(s, json_object_array_get_idx(notes, i),
			    NULL, 0);
		json_object_put(notes);
	}
}

/*
 * The session is client name's (--clients): it sees that client's tools
 * and may use the control requests only if the client may.
 */
void
session_set_client(struct session *s, const char *name)
{
	free(s->mcp.client);
	s->mcp.client = xstrdup(name);
	s->mcp.listed = mcp_tools_version(name, NULL);
	s->control = s->control && clients_may_control(name);
}
