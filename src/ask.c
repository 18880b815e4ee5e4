/* SPDX-License-Identifier: ISC */
/*
 * A running call asking its client back (ctx.elicit, ctx.sample,
 * ctx.list_roots): the only code that makes, answers and frees a struct
 * ask. The worker sends ASK with its requests and waits for our ANSWER.
 *
 * On the 2025 wire each request goes to the client (elicitation/create,
 * sampling/createMessage, roots/list: on the call's own stream over HTTP);
 * the call's deadline stops while the client thinks, --ask-timeout bounds
 * that, and its worker takes no more calls meanwhile. The answers go back
 * to the worker together, or the first error: a client without the
 * capability, one that answers with an error, none in time, one gone.
 *
 * On the 2026-07-28 wire nothing waits across requests: the call is
 * answered input_required (its requests, and a signed requestState with
 * the answers it came with: state.c) and the worker is told to stop it;
 * the client calls again with the answers, and the tool runs again.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "frame.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "call.h"
#include "task.h"
#include "xmalloc.h"

/* The methods a tool may ask, and the client capability each needs. */
static const struct {
	const char	*method;
	const char	*capability;
} ask_methods[] = {
	{ "elicitation/create", "elicitation" },
	{ "sampling/createMessage", "sampling" },
	{ "roots/list", "roots" },
};
#define ASK_NMETHODS	(sizeof(ask_methods) / sizeof(*ask_methods))

struct ask_req {
	int64_t		 id;		/* our JSON-RPC id */
	const char	*key;		/* in ask->requests */
	const char	*method;
	int		 answered;
};

struct ask {
	TAILQ_ENTRY(ask)	 entry;
	struct call		*call;
	struct worker		*worker;
	struct json_object	*requests;	/* {key: {method, params}} */
	struct json_object	*answers;	/* {key: result} so far */
	struct ask_req		 req[ASK_MAX];
	size_t			 n, pending;
	struct event		*timer;
};
static TAILQ_HEAD(, ask)	asks = TAILQ_HEAD_INITIALIZER(asks);

static const char *
ask_capability(const char *method)
{
	size_t	i;

	for (i = 0; i < ASK_NMETHODS; i++)
		if (strcmp(method, ask_methods[i].method) == 0)
			return ask_methods[i].capability;
	return NULL;
}

void
ask_free(struct ask *a)
{
	if (a == NULL)
		return;
	TAILQ_REMOVE(&asks, a, entry);
	if (a->timer != NULL)
		event_free(a->timer);
	if (a->worker != NULL && worker_asking(a->worker))
		worker_resume(a->worker);
	a->call->ask = NULL;
	json_object_put(a->requests);
	json_object_put(a->answers);
	free(a);
}

/* The worker's ANSWER (reply is consumed); the ask is over. */
static void
ask_finish(struct ask *a, struct json_object *reply)
{
	const char	*s;
	size_t		 len;

	s = mcp_to_string(reply, &len);
	worker_answer(a->worker, a->call, s, len);
	json_object_put(reply);
	ask_free(a);
}

static void
ask_fail(struct ask *a, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
ask_fail(struct ask *a, const char *kind, const char *fmt, ...)
{
	struct json_object	*r = json_object_new_object();
	char			 msg[1024];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(r, MSG_KEY(ANSWER, error),
	    json_object_new_string(msg));
	json_object_object_add(r, MSG_KEY(ANSWER, kind),
	    json_object_new_string(kind));
	ask_finish(a, r);
}

/* The call's client left, or cancelled it: the worker hears why. */
void
ask_end(struct call *c, const char *kind, const char *why)
{
	if (c->ask != NULL)
		ask_fail(c->ask, kind, "%s", why);
}

/*
 * ASK's requests (the gate saw an object of 1..ASK_MAX members), each
 * {"method": one we know, "params": an object}. NULL if malformed.
 */
static struct json_object *
ask_requests(struct json_object *m)
{
	struct json_object	*reqs, *v;

	json_object_object_get_ex(m, MSG_KEY(ASK, requests), &reqs);
	json_object_object_foreach(reqs, key, r) {
		if (strlen(key) == 0 || strlen(key) > 128 ||
		    !json_object_is_type(r, json_type_object) ||
		    json_object_object_length(r) != 2 ||
		    !json_object_object_get_ex(r, "method", &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    ask_capability(json_object_get_string(v)) == NULL ||
		    !json_object_object_get_ex(r, "params", &v) ||
		    !json_object_is_type(v, json_type_object))
			return NULL;
	}
	return reqs;
}

/* The client capabilities of the call's client. */
static struct json_object *
ask_client_caps(const struct call *c)
{
	struct json_object	*caps;

	if (c->client != NULL)
		return json_object_object_get_ex(c->client, "capabilities",
		    &caps) ? caps : NULL;
	return c->session != NULL ? c->session->mcp.client_caps : NULL;
}

/* 2026: the call's answer is input_required; the worker stops it. */
static void
ask_input_required(struct ask *a)
{
	struct call		*c = a->call;
	struct json_object	*res, *stop, *none = NULL;
	const char		*s;
	char			*state;
	size_t			 len;

	if (c->answers == NULL)
		none = json_object_new_object();
	state = state_seal(tool_spec(c->tool)->name, tool_spec(c->tool)->version,
	    c->args ? c->args : "{}",
	    c->args ? c->argslen : 2, c->answers ? c->answers : none);
	res = json_object_new_object();
	json_object_object_add(res, "resultType",
	    json_object_new_string("input_required"));
	json_object_object_add(res, "inputRequests",
	    json_object_get(a->requests));
	json_object_object_add(res, "requestState",
	    json_object_new_string(state));
	s = mcp_to_string(res, &len);
	free(c->replace);
	c->replace = xstrdup(s);
	json_object_put(res);
	json_object_put(none);
	free(state);
	stop = json_object_new_object();
	json_object_object_add(stop, MSG_KEY(ANSWER, stop),
	    json_object_new_boolean(1));
	ask_finish(a, stop);
}

static void
ask_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct ask		*a = arg;
	struct session		*s = a->call->session;
	struct json_object	*n, *params;
	size_t			 i;

	(void)fd;
	(void)what;
	for (i = 0; i < a->n && s != NULL; i++) {
		if (a->req[i].answered)
			continue;
		n = mcp_notification("notifications/cancelled");
		params = json_object_new_object();
		json_object_object_add(params, "requestId",
		    json_object_new_int64(a->req[i].id));
		json_object_object_add(params, "reason", json_object_new_string(
		    "not answered in time (--ask-timeout)"));
		json_object_object_add(n, "params", params);
		session_send_related(s, n, a->call->idjson);
		json_object_put(n);
	}
	for (i = 0; i < a->n && a->req[i].answered; i++)
		;
	ask_fail(a, "timeout", "the client did not answer %s within %d s",
	    i < a->n ? a->req[i].method : "", settings.ask_timeout);
}

/* 2025: each request to the client, on the call's stream. */
static void
ask_send(struct ask *a)
{
	struct session		*s = a->call->session;
	struct json_object	*msg, *r, *v;
	struct timeval		 tv = { settings.ask_timeout, 0 };

	json_object_object_foreach(a->requests, key, req) {
		r = json_object_new_object();
		json_object_object_add(r, "jsonrpc", json_object_new_string("2.0"));
		a->req[a->n].id = ++sv.next_ask_id;
		a->req[a->n].key = key;
		json_object_object_get_ex(req, "method", &v);
		a->req[a->n].method = json_object_get_string(v);
		json_object_object_add(r, "id", json_object_new_int64(
		    a->req[a->n].id));
		json_object_object_add(r, "method", json_object_get(v));
		json_object_object_get_ex(req, "params", &v);
		json_object_object_add(r, "params", json_object_get(v));
		a->n++;
		msg = r;
		session_send_related(s, msg, a->call->idjson);
		json_object_put(msg);
	}
	a->pending = a->n;
	if ((a->timer = evtimer_new(sv.base, ask_timeout, a)) == NULL)
		fatal("%s", __func__);
	evtimer_add(a->timer, &tv);
	worker_pause(a->worker);
}

/*
 * An ASK frame from w, whose running call is c (NULL: none): -1 when it
 * is malformed or not c's (that worker's death), else 0, the ask under way
 * or already answered.
 */
int
ask_start(struct worker *w, struct call *c, const struct frame_hdr *h,
    struct json_object *m)
{
	struct json_object	*reqs, *caps, *v;
	struct ask		*a;
	const char		*cap;

	if (c == NULL || c->id != h->id ||
	    c->ask != NULL || (reqs = ask_requests(m)) == NULL)
		return -1;
	a = xcalloc(1, sizeof(*a));
	a->call = c;
	a->worker = w;
	a->requests = json_object_get(reqs);
	a->answers = json_object_new_object();
	c->ask = a;
	TAILQ_INSERT_TAIL(&asks, a, entry);
	if (c->task != NULL && !task_asks(c)) {
		ask_fail(a, "gone", "a 2025 task cannot ask its client (the "
		    "2026-07-28 tasks extension can: tasks/update)");
		return 0;
	}
	if (c->replace != NULL || (c->session == NULL && c->task == NULL)) {
		ask_fail(a, "gone", "the client is gone: it left, or "
		    "cancelled this call");
		return 0;
	}
	if (c->task == NULL && c->session->mcp.era != MCP_ERA_2026 &&
	    c->session->mcp.no_stream) {
		ask_fail(a, "gone", "this client cannot be asked: served "
		    "without sessions (--http-stateless), nothing reaches it "
		    "but answers");
		return 0;
	}
	caps = ask_client_caps(c);
	json_object_object_foreach(reqs, key, r) {
		json_object_object_get_ex(r, "method", &v);
		cap = ask_capability(json_object_get_string(v));
		if (caps == NULL || !json_object_object_get_ex(caps, cap, &v)) {
			ask_fail(a, "capability", "the client did not declare "
			    "the '%s' capability, which %s (request '%s') "
			    "needs", cap, json_object_get_string(
			    json_object_object_get(r, "method")), key);
			return 0;
		}
	}
	/* A 2026 task waits input_required too: tasks/update answers. */
	if (c->task != NULL || c->session->mcp.era == MCP_ERA_2026)
		ask_input_required(a);
	else
		ask_send(a);
	return 0;
}

/* The error object of a client's response, as text for the tool. */
static void
ask_client_error(struct ask *a, const struct ask_req *q,
    struct json_object *err)
{
	struct json_object	*v;
	const char		*msg = "";
	int			 code = 0;

	if (json_object_object_get_ex(err, "message", &v))
		msg = json_object_get_string(v);
	if (json_object_object_get_ex(err, "code", &v))
		code = json_object_get_int(v);
	ask_fail(a, "client", "the client answered %s with an error: %s (%d)",
	    q->method, msg, code);
}

/* A response's id, when it can be one of ours (a positive integer). */
static int64_t
ask_id_of(const struct jdoc *d, int t)
{
	char		 buf[24], *end;
	long long	 v;
	size_t		 len = d->t[t].end - d->t[t].start;

	if (d->t[t].type != JT_NUMBER || len >= sizeof(buf))
		return -1;
	memcpy(buf, d->text + d->t[t].start, len);
	buf[len] = '\0';
	v = strtoll(buf, &end, 10);
	return *end == '\0' ? (int64_t)v : -1;
}

/*
 * A response from the client of session s: the answer to one of our
 * requests, taken when it is for a call of this session; anything else is
 * dropped (a late answer, or to nothing we asked).
 */
void
ask_response(struct session *s, const struct mcp_request *r)
{
	const struct jdoc	*d = r->d;
	struct json_object	*reply, *res;
	struct ask		*a;
	size_t			 i;
	int64_t			 id;
	int			 t;

	if (r->id == -1 || (id = ask_id_of(d, r->id)) <= 0)
		return;
	TAILQ_FOREACH(a, &asks, entry)
		for (i = 0; i < a->n; i++)
			if (a->req[i].id == id && !a->req[i].answered &&
			    a->call->session == s)
				goto found;
	log_debug("session %u: a response to nothing we asked", s->id);
	return;
found:
	a->req[i].answered = 1;
	if ((t = jdoc_member(d, 0, "result")) == -1) {
		res = (t = jdoc_member(d, 0, "error")) != -1 ?
		    jdoc_object(d, t) : NULL;
		ask_client_error(a, &a->req[i], res);
		json_object_put(res);
		return;
	}
	json_object_object_add(a->answers, a->req[i].key, jdoc_object(d, t));
	if (--a->pending > 0)
		return;
	reply = json_object_new_object();
	json_object_object_add(reply, MSG_KEY(ANSWER, answers),
	    json_object_get(a->answers));
	ask_finish(a, reply);
}
