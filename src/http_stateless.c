/* SPDX-License-Identifier: ISC */
/*
 * A POST to /mcp served without a session: every 2026-07-28 request (no
 * Mcp-Session-Id, judged by its headers and _meta alone), and under
 * --http-stateless every 2025 one, so that any instance of a fleet behind
 * a plain balancer may answer it. It is given a session for as long as it
 * takes to answer; subscriptions/listen keeps its POST's response open as
 * an event stream of the list changes asked for, until the client closes
 * it or the server stops.
 *
 * Checked here, in the order the conformance suite expects: the
 * MCP-Protocol-Version header (-32020), _meta (mcp_modern.c), then
 * Mcp-Method and Mcp-Name against the body (-32020, SEP-2243; Mcp-Name may
 * come as =?base64?...?=). Errors carry the request's id and the status
 * their code calls for (mcp_modern_http_status). A 2025 request is served
 * as a session's would be (errors in a 200 answer), its initialize
 * answered without a session id.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>

#include "base64.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "xmalloc.h"

/* One 2026 request, from its POST to its answer (or its stream's end). */
struct modern {
	TAILQ_ENTRY(modern)	 entry;
	struct session		*session;
	struct evhttp_request	*req;		/* NULL once answered or gone */
	int			 streaming;	/* answered as an event stream */
	int			 sse_ok;	/* the client takes one */
	struct event		*keepalive;
	struct event		*closed;	/* its client closing, seen */
};
static TAILQ_HEAD(, modern) moderns = TAILQ_HEAD_INITIALIZER(moderns);

static void
modern_free(struct modern *m)
{
	struct evhttp_connection	*conn;

	if (m->req != NULL) {
		if ((conn = evhttp_request_get_connection(m->req)) != NULL)
			evhttp_connection_set_closecb(conn, NULL, NULL);
		if (m->streaming) {
			http_stream_retry(m->req);
			evhttp_send_reply_end(m->req);
		}
		else
			http_error_to(m->req, NULL, 503, -32603,
			    "the server is shutting down");
	}
	TAILQ_REMOVE(&moderns, m, entry);
	session_free(m->session);
	event_free(m->keepalive);
	http_unwatch_close(&m->closed);
	free(m);
}

/* Its client hung up: a stream ends; a call runs on, unanswered. */
static void
modern_gone(struct evhttp_connection *conn, void *arg)
{
	struct modern	*m = arg;

	(void)conn;
	if (evhttp_request_get_connection(m->req) == NULL)
		evhttp_request_free(m->req);
	m->req = NULL;
	http_unwatch_close(&m->closed);
	if (m->streaming || session_inflight(m->session) == 0) {
		modern_free(m);
		return;
	}
	/* Gone before its answer: how a 2026-07-28 client cancels (the
	 * session, and m, go with the last call). */
	session_cancel_all(m->session);
}

static void
modern_event(struct modern *m, const char *msg, size_t len)
{
	http_chunk(m->req, http_event(0, "message", msg, len));
}

/* A comment down a quiet stream: proxies keep it, a dead client shows. */
static void
modern_keepalive(evutil_socket_t fd, short what, void *arg)
{
	struct modern	*m = arg;

	(void)fd;
	(void)what;
	if (m->req != NULL && m->streaming)
		http_chunk(m->req, http_event(0, NULL, NULL, 0));
}

/*
 * What the session sends: its notifications open (and go down) an event
 * stream; its answer is the POST's response, or the stream's last event.
 */
static void
modern_write(struct session *s, const char *msg, size_t len, const char *id,
    size_t idlen)
{
	struct modern	*m = s->arg;
	int		 status;

	(void)idlen;
	if (m->req == NULL)
		return;
	if (id == NULL) {
		if (!m->streaming && !m->sse_ok && session_writing_note(s))
			return;		/* progress a client cannot take */
		if (!m->streaming) {
			m->streaming = 1;
			http_stream_start(m->req, m->keepalive);
		}
		modern_event(m, msg, len);
		return;
	}
	if (m->streaming) {
		modern_event(m, msg, len);
		evhttp_connection_set_closecb(evhttp_request_get_connection(
		    m->req), NULL, NULL);
		evhttp_send_reply_end(m->req);
		m->req = NULL;
		http_unwatch_close(&m->closed);
		return;
	}
	status = session_era(s) == MCP_ERA_2026 ?
	    mcp_modern_http_status(session_reply_code(s)) : 200;
	evhttp_connection_set_closecb(evhttp_request_get_connection(m->req),
	    NULL, NULL);
	http_reply(m->req, status, http_reason(status), "application/json",
	    msg, len);
	m->req = NULL;
	http_unwatch_close(&m->closed);
}

/* Answered, nothing in flight: it may go (a stream stays). */
static void
modern_done(struct session *s)
{
	struct modern	*m = s->arg;

	if (!m->streaming || m->req == NULL)
		modern_free(m);
}

static void
modern_stop(struct session *s)
{
	struct modern	*m = s->arg;

	session_end_input(s);
	if (m->streaming)
		modern_free(m);
}

static const struct session_ops modern_ops = {
	"http", modern_write, modern_done, modern_stop, NULL, NULL
};

/* value, the header's, equals text: OWS trimmed, =?base64?..?= decoded. */
static int
modern_header_is(const char *value, const char *text, size_t len)
{
	char		 buf[1024];
	const char	*end;
	size_t		 n;
	int		 d;

	while (*value == ' ' || *value == '\t')
		value++;
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - value);
	if (n >= 13 && strncmp(value, "=?base64?", 9) == 0 &&
	    strncmp(end - 2, "?=", 2) == 0) {
		if ((d = base64_decode(value + 9, n - 11, buf, sizeof(buf),
		    BASE64_STD)) ==
		    -1)
			return 0;
		return (size_t)d == len && memcmp(buf, text, len) == 0;
	}
	return n == len && memcmp(value, text, len) == 0;
}

/*
 * SEP-2243: each argument a tool's inputSchema marks with x-mcp-header H
 * comes also as the header Mcp-Param-H, equal to it (a string as it is, a
 * number or boolean as its JSON text; =?base64?..?= decoded). A
 * tools/call without a value for it, or with a null, needs none.
 */
static const char *
modern_params_wrong(struct evhttp_request *req, const struct mcp_request *r,
    const char *tool, char *why, size_t whylen)
{
	struct json_object	*schema, *props, *h;
	struct tool		*t;
	const char		*value;
	char			 header[160], text[1024];
	size_t			 len;
	int			 at, vt;

	if ((t = tool_route(tool)) == NULL || tool_spec(t)->kind != KIND_TOOL ||
	    !json_object_object_get_ex(tool_listing(t), "inputSchema",
	    &schema) || !json_object_object_get_ex(schema, "properties",
	    &props) || !json_object_is_type(props, json_type_object))
		return NULL;
	at = jdoc_member(r->d, r->params, "arguments");
	if (at == -1 || r->d->t[at].type != JT_OBJECT)
		return NULL;
	json_object_object_foreach(props, name, p) {
		if (!json_object_is_type(p, json_type_object) ||
		    !json_object_object_get_ex(p, "x-mcp-header", &h) ||
		    (vt = jdoc_member(r->d, at, name)) == -1 ||
		    r->d->t[vt].type == JT_NULL)
			continue;
		snprintf(header, sizeof(header), "Mcp-Param-%s",
		    json_object_get_string(h));
		if (r->d->t[vt].type == JT_STRING)
			len = jdoc_string(r->d, vt, text, sizeof(text));
		else {
			len = r->d->t[vt].end - r->d->t[vt].start;
			if (len < sizeof(text))
				memcpy(text, r->d->text + r->d->t[vt].start,
				    len);
		}
		if ((value = http_header(req, header)) == NULL)
			snprintf(why, whylen, "the %s header is missing (the "
			    "argument '%s' is in the body)", header, name);
		else if (len >= sizeof(text) || !modern_header_is(value, text,
		    len))
			snprintf(why, whylen, "the %s header does not match "
			    "the argument '%s'", header, name);
		else
			continue;
		return why;
	}
	return NULL;
}

/* Mcp-Method and (for what names one) Mcp-Name, against the body. */
static const char *
modern_headers_wrong(struct evhttp_request *req, const struct mcp_request *r,
    char *why, size_t whylen)
{
	static const struct {
		const char	*method, *field;
	} named[] = {
		{ "tools/call", "name" }, { "prompts/get", "name" },
		{ "resources/read", "uri" }, { "tasks/get", "taskId" },
		{ "tasks/update", "taskId" }, { "tasks/cancel", "taskId" }
	};
	const char	*method = http_header(req, "Mcp-Method");
	const char	*name = http_header(req, "Mcp-Name");
	char		 text[1024];
	size_t		 i, len;
	int		 nt;

	len = jdoc_string(r->d, r->method, text, sizeof(text));
	if (method == NULL)
		return "the Mcp-Method header is missing";
	if (len >= sizeof(text) || !modern_header_is(method, text, len))
		return "the Mcp-Method header does not match the body's method";
	for (i = 0; i < sizeof(named) / sizeof(*named); i++) {
		if (strcmp(text, named[i].method) != 0)
			continue;
		if (r->params == -1 || (nt = jdoc_member(r->d, r->params,
		    named[i].field)) == -1 || r->d->t[nt].type != JT_STRING)
			return NULL;	/* the body's own error comes next */
		len = jdoc_string(r->d, nt, text, sizeof(text));
		if (name == NULL)
			return "the Mcp-Name header is missing";
		if (len >= sizeof(text) || !modern_header_is(name, text, len))
			return "the Mcp-Name header does not match the body";
		if (i == 0)
			return modern_params_wrong(req, r, text, why, whylen);
	}
	return NULL;
}

static int
modern_refuse(struct evhttp_request *req, const struct mcp_request *r,
    int rpc, const char *fmt, const char *what)
{
	char	msg[768];

	snprintf(msg, sizeof(msg), fmt, what);
	http_error_to(req, r, mcp_modern_http_status(rpc), rpc, msg);
	return -1;
}

/* The checks before a request reaches its session: 0, or answered. */
static int
modern_admit(struct evhttp_request *req, const struct mcp_request *r)
{
	const char		*version = http_header(req,
				    "MCP-Protocol-Version");
	struct json_object	*e;
	const char		*wrong, *body;
	char			 why[512];
	size_t			 len;
	int			 code, status;

	if (version == NULL)
		return modern_refuse(req, r, JSONRPC_HEADER_MISMATCH, "Header "
		    "mismatch: %s requests carry an MCP-Protocol-Version "
		    "header", MCP_VERSION_2026);
	if (r->id != -1 && (code = mcp_modern_check(r, version, &e)) != 0) {
		body = mcp_to_string(e, &len);
		status = mcp_modern_http_status(code);
		http_reply(req, status, http_reason(status), "application/json",
		    body, len);
		json_object_put(e);
		return -1;
	}
	if (r->id != -1 && (wrong = modern_headers_wrong(req, r, why,
	    sizeof(why))) != NULL)
		return modern_refuse(req, r, JSONRPC_HEADER_MISMATCH,
		    "Header mismatch: %s", wrong);
	return 0;
}

/* A POST to /mcp served without a session, in era 2025 or 2026. */
void
http_stateless_post(struct evhttp_request *req, const struct mcp_request *r,
    enum mcp_era era)
{
	struct modern	*m;
	char		*host = NULL, peer[64];
	ev_uint16_t	 port = 0;

	if (era == MCP_ERA_2026 && modern_admit(req, r) == -1)
		return;
	m = xcalloc(1, sizeof(*m));
	if ((m->keepalive = event_new(sv.base, -1, EV_PERSIST,
	    modern_keepalive, m)) == NULL)
		fatal("%s", __func__);
	evhttp_connection_get_peer(evhttp_request_get_connection(req), &host,
	    &port);
	snprintf(peer, sizeof(peer), "http %s:%u (%s, stateless)",
	    host ? host : "?", (unsigned)port,
	    era == MCP_ERA_2026 ? MCP_VERSION_2026 : "2025");
	m->session = session_new_request(&modern_ops, m, era, peer,
	    http_header(req, "MCP-Protocol-Version"));
	if (http_request_client() != NULL)
		session_set_client(m->session, http_request_client());
	TAILQ_INSERT_TAIL(&moderns, m, entry);
	m->sse_ok = http_header(req, "Accept") != NULL &&
	    strstr(http_header(req, "Accept"), "text/event-stream") != NULL;
	if (r->id != -1) {
		m->req = req;
		http_wait_forever(req);
		evhttp_connection_set_closecb(evhttp_request_get_connection(
		    req), modern_gone, m);
		m->closed = http_watch_close(req);
	}
	session_request(m->session, r);
	session_end_input(m->session);	/* one request: the POST's */
	if (r->id == -1)
		http_reply(req, 202, "Accepted", NULL, NULL, 0);
	if (session_inflight(m->session) == 0 &&
	    (!m->streaming || m->req == NULL))
		modern_free(m);
}

/* At exit (or shutdown): every stream ends, every request is let go. */
void
http_stateless_close(void)
{
	struct modern	*m;

	while ((m = TAILQ_FIRST(&moderns)) != NULL)
		modern_free(m);
}
