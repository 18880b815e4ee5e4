/* SPDX-License-Identifier: ISC */
/*
 * The HTTP faces, on libevent's evhttp:
 *
 * Streamable HTTP (MCP 2025-03-26 and later) at /mcp: a POST carries one
 * JSON-RPC message; a request is answered in the POST's response as JSON,
 * a notification or response gets 202. initialize issues Mcp-Session-Id,
 * required on everything after. GET opens an SSE stream for the server's
 * notifications (tools/list_changed); DELETE ends the session.
 *
 * The older HTTP+SSE transport the seed served: GET /sse opens the stream
 * and names a POST endpoint (/messages?sessionId=...); everything the
 * server sends goes down the stream.
 *
 * Security per the spec: loopback by default, Origin checked against
 * local origins (or --http-origin), optional bearer token, a body size cap,
 * and idle sessions expired.
 *
 * Bounds: a stdio or unix session that has too much going on is simply
 * not read; here a body arrives whole, so a request past the same limits
 * (64 calls in flight, 8 MiB of the event stream unread) is refused with
 * 429 instead, and sessions are capped at --http-max-sessions (the longest
 * idle one makes room; 503 when every one is busy).
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "xmalloc.h"

#define HTTP_SESSION_ID_LEN	32
#define HTTP_MAX_HEADERS	(64 * 1024)	/* bytes of headers a request */
#define HTTP_PIECE		(256 * 1024)	/* of a body, in a buffer */
#define HTTP_KEEPALIVE		25	/* seconds between a quiet stream's
					 * comments: under proxies' 60 s */
#define HTTP_REPLAY		32	/* events a GET stream can resume */
#define HTTP_REPLAY_MAX		(64 * 1024)	/* bytes of one kept event */
#define HTTP_RETRY		"retry: 1000\n"	/* reconnect after 1 s */

/* A POST waiting for the answer to its request's id (as written). */
struct http_pending {
	TAILQ_ENTRY(http_pending) entry;
	struct http_session	*hs;
	struct evhttp_request	*req;
	char			*id;
	size_t			 idlen;
	int			 sse_ok;	/* it accepts text/event-stream */
	int			 streaming;	/* answered as one, already */
};

struct http_session {
	TAILQ_ENTRY(http_session) entry;
	struct session		*session;
	char			 id[33 + HTTP_SESSION_ID_LEN + 1]; /* [instance.]hex */
	int			 legacy;	/* GET /sse + POST /messages */
	struct evhttp_request	*stream;	/* open SSE stream, if any */
	TAILQ_HEAD(, http_pending) pending;
	struct event		*idle;
	struct event		*keepalive;	/* while the stream is open */
	struct timeval		 touched;	/* last request */
	/* Resumable (SEP-1699): events numbered, the last few kept. */
	uint64_t		 event_id;	/* the last one numbered */
	uint64_t		 opened;	/* event_id when the last stream
						 * opened */
	struct http_event {
		uint64_t	 id;
		char		*data;
		size_t		 len;
	}			 replay[HTTP_REPLAY];
};

static struct {
	struct evhttp		*http;
	char			*token;
	const char		*token_file;	/* re-read on SIGHUP */
	int			 inherited;	/* socket activation's */
	char			*origin;	/* --http-origin, if given */
	const char		*allow_host;	/* --http-allow-host */
	int			 loopback;	/* listening on loopback */
	int			 accepting;
	unsigned		 nsessions;
	struct listen_guard	*guard;		/* its listener, out of fds */
	struct evhttp_bound_socket *bound;	/* closed on shutdown */
	TAILQ_HEAD(, http_session) sessions;
} ht = { .sessions = TAILQ_HEAD_INITIALIZER(ht.sessions) };

static void	http_session_free(struct http_session *);
static size_t	http_stream_unread(const struct http_session *);

const char *
http_header(struct evhttp_request *req, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(req), name);
}

/*
 * Add a body in pieces: a buffer frees a piece only once all of it is
 * written, so an 8 MiB answer a client reads slowly would otherwise keep
 * all 8 MiB however much of it went out (and --max-unread counts what
 * is left, not what is held).
 */
void
http_add(struct evbuffer *b, const char *data, size_t len)
{
	size_t	n;

	for (; len > 0; data += n, len -= n) {
		n = len < HTTP_PIECE ? len : HTTP_PIECE;
		if (evbuffer_add(b, data, n) == -1)
			fatal("%s", __func__);
	}
}

void
http_reply(struct evhttp_request *req, int code, const char *reason,
    const char *type, const char *body, size_t len)
{
	struct evbuffer	*b;

	if ((b = evbuffer_new()) == NULL)
		fatal("%s", __func__);
	if (type != NULL)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", type);
	if (body != NULL)
		http_add(b, body, len);
	evhttp_send_reply(req, code, reason, b);
	evbuffer_free(b);
}

/*
 * An HTTP error with a JSON-RPC error body naming the problem, answering
 * the request r when one could be read (else id null).
 */
void
http_error_to(struct evhttp_request *req, const struct mcp_request *r,
    int code, int rpc_code, const char *msg)
{
	struct json_object	*e, *id;
	const char		*s;
	size_t			 len;

	id = r != NULL && r->id >= 0 ? mcp_id(r->d, r->id) : NULL;
	e = mcp_error(id, rpc_code, "%s", msg);
	json_object_put(id);
	s = mcp_to_string(e, &len);
	http_reply(req, code, http_reason(code), "application/json", s, len);
	json_object_put(e);
}

static void
http_error(struct evhttp_request *req, int code, const char *reason,
    int rpc_code, const char *msg)
{
	(void)reason;
	http_error_to(req, NULL, code, rpc_code, msg);
}

/* The reason phrase of the statuses we send. */
const char *
http_reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return code >= 500 ? "Internal Server Error" : "Bad Request";
	}
}

static int
http_local_host(const char *host, size_t len)
{
	return (len == 9 && strncmp(host, "localhost", 9) == 0) ||
	    (len == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
	    (len == 5 && strncmp(host, "[::1]", 5) == 0);
}

/* The host part of "host[:port][/...]": its length, or -1 if malformed. */
static int
http_host_len(const char *host)
{
	const char	*end;

	if (*host == '[')
		end = strchr(host, ']') ? strchr(host, ']') + 1 : host;
	else
		end = host + strcspn(host, ":/");
	if (*end != '\0' && *end != ':' && *end != '/')
		return -1;
	return (int)(end - host);
}

/* No Origin (not a browser) is fine; a browser's must be local or listed. */
static int
http_origin_ok(const char *origin)
{
	const char	*host;
	int		 n;

	if (origin == NULL)
		return 1;
	if (ht.origin != NULL && strcmp(origin, ht.origin) == 0)
		return 1;
	if (strncmp(origin, "http://", 7) == 0)
		host = origin + 7;
	else if (strncmp(origin, "https://", 8) == 0)
		host = origin + 8;
	else
		return 0;
	return (n = http_host_len(host)) > 0 &&
	    http_local_host(host, (size_t)n);
}

/*
 * DNS rebinding: a page whose name now resolves to 127.0.0.1 sends its
 * own name as Host. A loopback listener takes only loopback names (or
 * --http-allow-host); any listener takes --http-allow-host. No Host (an
 * HTTP/1.0 probe) is fine.
 */
static int
http_host_ok(const char *host)
{
	int	n;

	if (host == NULL || (!ht.loopback && ht.allow_host == NULL))
		return 1;
	if ((n = http_host_len(host)) <= 0)
		return 0;
	if (ht.allow_host != NULL && strlen(ht.allow_host) == (size_t)n &&
	    strncasecmp(host, ht.allow_host, (size_t)n) == 0)
		return 1;
	return http_local_host(host, (size_t)n);
}

static int
http_token_ok(struct evhttp_request *req)
{
	const char	*auth = http_header(req, "Authorization");
	size_t		 i, n, diff = 0;

	if (ht.token == NULL)
		return 1;
	if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0)
		return 0;
	auth += 7;
	n = strlen(ht.token);
	if (strlen(auth) != n)
		return 0;
	for (i = 0; i < n; i++)		/* constant time */
		diff |= (size_t)(auth[i] ^ ht.token[i]);
	return diff == 0;
}

static void
http_touch(struct http_session *hs)
{
	struct timeval	tv = { sv.http_idle, 0 };

	evtimer_add(hs->idle, &tv);
	event_base_gettimeofday_cached(sv.base, &hs->touched);
}

/* Down the open stream (taking b); the session hears what is unread. */
static void
http_stream_put(struct http_session *hs, struct evbuffer *b)
{
	evhttp_send_reply_chunk(hs->stream, b);
	evbuffer_free(b);
	session_output(hs->session, http_stream_unread(hs));
}

/* Nothing open, nothing pending: the session may go. */
static int
http_session_idle(const struct http_session *hs)
{
	return hs->stream == NULL && TAILQ_EMPTY(&hs->pending) &&
	    hs->session->ninflight == 0;
}

static void
http_idle(evutil_socket_t fd, short what, void *arg)
{
	struct http_session	*hs = arg;

	(void)fd;
	(void)what;
	if (!http_session_idle(hs)) {
		http_touch(hs);
		return;
	}
	log_info("session %u: idle for %ld s, expired", hs->session->id,
	    (long)sv.http_idle);
	http_session_free(hs);
}

static struct http_session *
http_session_find(const char *id)
{
	struct http_session	*hs;

	if (id == NULL)
		return NULL;
	TAILQ_FOREACH(hs, &ht.sessions, entry)
		if (strcmp(hs->id, id) == 0)
			return hs;
	return NULL;
}

/* One SSE event, numbered when id is not 0, in a buffer of its own. */
struct evbuffer *
http_event(uint64_t id, const char *event, const char *data, size_t len)
{
	struct evbuffer	*b;

	if ((b = evbuffer_new()) == NULL)
		fatal("%s", __func__);
	if (id != 0)
		evbuffer_add_printf(b, "id: %llu\n", (unsigned long long)id);
	if (data == NULL)	/* a comment: proxies keep a quiet stream */
		evbuffer_add(b, ": keepalive\n\n", 13);
	else {
		evbuffer_add_printf(b, "event: %s\ndata: ", event);
		http_add(b, data, len);
		evbuffer_add(b, "\n\n", 2);
	}
	return b;
}

/* Down a stream that is not a session's (it frees b). */
void
http_chunk(struct evhttp_request *req, struct evbuffer *b)
{
	evhttp_send_reply_chunk(req, b);
	evbuffer_free(b);
}

/* One event down the session's open stream. */
static void
http_sse_write(struct http_session *hs, uint64_t id, const char *event,
    const char *data, size_t len)
{
	http_stream_put(hs, http_event(id, event, data, len));
}

/*
 * A message for the session's stream. The old transport's stream is the
 * session: without it nothing is sent. A /mcp stream's events are numbered
 * and the last few kept, so a client that reconnects (Last-Event-ID, or
 * simply a new GET) misses none of them.
 */
static void
http_sse_send(struct http_session *hs, const char *event, const char *data,
    size_t len)
{
	struct http_event	*e;

	if (hs->legacy) {
		if (hs->stream != NULL)
			http_sse_write(hs, 0, event, data, len);
		return;
	}
	e = &hs->replay[++hs->event_id % HTTP_REPLAY];
	free(e->data);
	e->data = NULL;
	e->id = hs->event_id;
	if (len <= HTTP_REPLAY_MAX) {
		e->data = xmalloc(len);
		memcpy(e->data, data, len);
		e->len = len;
	}
	if (hs->stream != NULL)
		http_sse_write(hs, hs->event_id, event, data, len);
}

/*
 * A new /mcp stream: a priming event (its id, no data) and the retry
 * hint, then every kept event after the client's Last-Event-ID; one lost
 * from the ring is made up for with list_changed, the only thing this
 * stream says. Without Last-Event-ID nothing says what the last stream's
 * client got: anything since that stream opened is one list_changed.
 */
static void
http_sse_resume(struct http_session *hs, const char *last)
{
	static const char	 changed[] = "{\"jsonrpc\":\"2.0\",\"method\":"
				    "\"notifications/tools/list_changed\"}";
	struct http_event	*e;
	struct evbuffer		*b;
	uint64_t		 from = hs->event_id, id;
	char			*end;
	int			 lost = 0;

	if (last != NULL) {
		id = strtoull(last, &end, 10);
		if (*last != '\0' && *end == '\0' && id <= hs->event_id)
			from = id;
	} else
		lost = hs->event_id > hs->opened;
	hs->opened = hs->event_id;
	if ((b = evbuffer_new()) == NULL)
		fatal("%s", __func__);
	evbuffer_add_printf(b, HTTP_RETRY "id: %llu\ndata: \n\n",
	    (unsigned long long)from);
	http_stream_put(hs, b);
	for (id = from + 1; id <= hs->event_id; id++) {
		e = &hs->replay[id % HTTP_REPLAY];
		if (e->id != id || e->data == NULL) {
			lost = 1;
			continue;
		}
		http_sse_write(hs, id, "message", e->data, e->len);
	}
	if (lost)
		http_sse_send(hs, "message", changed, sizeof(changed) - 1);
}

/* A comment down a quiet stream: proxies keep it, a dead client shows. */
static void
http_keepalive(evutil_socket_t fd, short what, void *arg)
{
	struct http_session	*hs = arg;

	(void)fd;
	(void)what;
	if (hs->stream != NULL)
		http_stream_put(hs, http_event(0, NULL, NULL, 0));
}

static void
http_pending_free(struct http_pending *p)
{
	struct evhttp_connection *conn;

	TAILQ_REMOVE(&p->hs->pending, p, entry);
	if (p->req != NULL &&
	    (conn = evhttp_request_get_connection(p->req)) != NULL)
		evhttp_connection_set_closecb(conn, NULL, NULL);
	free(p->id);
	free(p);
}

/* The POST waiting for the answer to the id, byte for byte as written. */
static struct http_pending *
http_pending_find(struct http_session *hs, const char *id, size_t idlen)
{
	struct http_pending	*p;

	TAILQ_FOREACH(p, &hs->pending, entry)
		if (p->idlen == idlen && memcmp(p->id, id, idlen) == 0)
			return p;
	return NULL;
}

/*
 * A request whose client hung up before it was answered: libevent leaves
 * it to us (detached from the connection) rather than free it. When the
 * connection goes for another reason, it is still attached and libevent's.
 */
static void
http_request_orphaned(struct evhttp_request *req)
{
	if (evhttp_request_get_connection(req) == NULL)
		evhttp_request_free(req);
}

/* The client hung up before its answer: forget the request. */
static void
http_pending_gone(struct evhttp_connection *conn, void *arg)
{
	struct http_pending	*p = arg;

	(void)conn;
	http_request_orphaned(p->req);
	p->req = NULL;
	http_pending_free(p);
}

/* An event on a POST's own response, which becomes a stream for it. */
static void
http_pending_event(struct http_pending *p, const char *msg, size_t len)
{
	if (!p->streaming) {
		evhttp_add_header(evhttp_request_get_output_headers(p->req),
		    "Mcp-Session-Id", p->hs->id);
		http_stream_start(p->req, NULL);
		p->streaming = 1;
	}
	http_chunk(p->req, http_event(0, "message", msg, len));
}

/*
 * A message from the session: a POST's answer; a notification about a
 * call on that call's POST (as an event stream, when the client takes
 * one); anything else onto the session's stream.
 */
static void
http_write(struct session *s, const char *msg, size_t len, const char *id,
    size_t idlen)
{
	struct http_session	*hs = s->arg;
	struct http_pending	*p;
	struct evhttp_request	*req;

	if (!hs->legacy && id == NULL && s->related != NULL &&
	    (p = http_pending_find(hs, s->related, strlen(s->related))) !=
	    NULL && p->req != NULL && p->sse_ok) {
		http_pending_event(p, msg, len);
		return;
	}
	if (hs->legacy || id == NULL) {
		http_sse_send(hs, "message", msg, len);
		return;
	}
	p = http_pending_find(hs, id, idlen);
	if (p == NULL || (req = p->req) == NULL) {
		if (p != NULL)
			http_pending_free(p);
		return;		/* its client is gone */
	}
	if (p->streaming) {	/* the answer ends its stream */
		http_pending_event(p, msg, len);
		http_pending_free(p);
		evhttp_send_reply_end(req);
		return;
	}
	http_pending_free(p);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Mcp-Session-Id", hs->id);
	http_reply(req, 200, "OK", "application/json", msg, len);
}

static void
http_done(struct session *s)
{
	(void)s;	/* sessions live until DELETE, expiry or exit */
}

static void
http_stop(struct session *s)
{
	s->input_ended = 1;
}

/*
 * A cancelled request gets no answer; its POST, which would wait for one,
 * is answered 202 as a notification's is.
 */
static void
http_cancelled(struct session *s, const char *idjson)
{
	struct http_session	*hs = s->arg;
	struct http_pending	*p;
	struct evhttp_request	*req;
	int			 streaming;

	if ((p = http_pending_find(hs, idjson, strlen(idjson))) == NULL)
		return;
	req = p->req;
	streaming = p->streaming;
	http_pending_free(p);
	if (req == NULL)
		return;
	if (streaming) {	/* its events went out: the stream just ends */
		evhttp_send_reply_end(req);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Mcp-Session-Id", hs->id);
	http_reply(req, 202, "Accepted", NULL, NULL, 0);
}

static const struct session_ops http_ops = {
	"http", http_write, http_done, http_stop, NULL, http_cancelled
};

static struct http_session *
http_session_new(struct evhttp_request *req, int legacy)
{
	struct http_session	*hs;
	unsigned char		 rnd[HTTP_SESSION_ID_LEN / 2];
	char			*host = NULL;
	ev_uint16_t		 port = 0;
	size_t			 i, off = 0;

	hs = xcalloc(1, sizeof(*hs));
	if ((hs->idle = evtimer_new(sv.base, http_idle, hs)) == NULL ||
	    (hs->keepalive = event_new(sv.base, -1, EV_PERSIST, http_keepalive,
	    hs)) == NULL)
		fatal("%s", __func__);
	evutil_secure_rng_get_bytes(rnd, sizeof(rnd));
	/* Named for its instance, a balancer routes it without a table. */
	if (sv.instance_id != NULL)
		off = (size_t)snprintf(hs->id, sizeof(hs->id), "%s.",
		    sv.instance_id);
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(hs->id + off + 2 * i, 3, "%02x", rnd[i]);
	hs->legacy = legacy;
	TAILQ_INIT(&hs->pending);
	hs->session = session_new(&http_ops, hs);
	evhttp_connection_get_peer(evhttp_request_get_connection(req), &host,
	    &port);
	snprintf(hs->session->peer, sizeof(hs->session->peer), "http %s:%u%s",
	    host ? host : "?", (unsigned)port, legacy ? " (sse)" : "");
	TAILQ_INSERT_TAIL(&ht.sessions, hs, entry);
	ht.nsessions++;
	http_touch(hs);
	log_info("session %u: %s", hs->session->id, hs->session->peer);
	return hs;
}

static void
http_stream_closed(struct evhttp_connection *conn, void *arg)
{
	struct http_session	*hs = arg;

	(void)conn;
	http_request_orphaned(hs->stream);
	hs->stream = NULL;
	event_del(hs->keepalive);
	if (hs->legacy)		/* the old transport's session is its stream */
		http_session_free(hs);
}

/* The session's stream ends here (the session lives on). */
static void
http_stream_end(struct http_session *hs)
{
	struct evhttp_request	*req = hs->stream;

	evhttp_connection_set_closecb(evhttp_request_get_connection(req),
	    NULL, NULL);
	hs->stream = NULL;
	event_del(hs->keepalive);
	http_stream_retry(req);
	evhttp_send_reply_end(req);
}

static void
http_session_free(struct http_session *hs)
{
	struct http_pending	*p;
	struct evhttp_request	*req;
	size_t			 i;

	while ((p = TAILQ_FIRST(&hs->pending)) != NULL) {
		req = p->req;
		i = (size_t)p->streaming;
		http_pending_free(p);
		if (req != NULL && i)
			evhttp_send_reply_end(req);
		else if (req != NULL)
			http_error(req, 404, "Not Found", -32600,
			    "the session ended");
	}
	if (hs->stream != NULL)
		http_stream_end(hs);
	for (i = 0; i < HTTP_REPLAY; i++)
		free(hs->replay[i].data);
	TAILQ_REMOVE(&ht.sessions, hs, entry);
	ht.nsessions--;
	session_free(hs->session);
	event_free(hs->idle);
	event_free(hs->keepalive);
	free(hs);
}

/*
 * A request whose answer takes as long as it takes: no libevent timeouts
 * (evhttp has no "none": -1 means its default 50 s). A client that stops
 * reading still meets --http-timeout (http_conn.c).
 */
void
http_wait_forever(struct evhttp_request *req)
{
	struct evhttp_connection	*conn;

	if ((conn = evhttp_request_get_connection(req)) != NULL)
		bufferevent_set_timeouts(evhttp_connection_get_bufferevent(conn),
		    NULL, NULL);
}

/* Before a stream ends: when to come back (to whichever instance). */
void
http_stream_retry(struct evhttp_request *req)
{
	struct evbuffer	*b;

	if ((b = evbuffer_new()) == NULL)
		fatal("%s", __func__);
	evbuffer_add(b, HTTP_RETRY "\n", sizeof(HTTP_RETRY));
	evhttp_send_reply_chunk(req, b);
	evbuffer_free(b);
}

/* A 200 event stream on req, which waits as long as it is open (with
 * comments on a quiet one when keepalive is given). */
void
http_stream_start(struct evhttp_request *req, struct event *keepalive)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	struct timeval		 tv = { HTTP_KEEPALIVE, 0 };

	evhttp_add_header(h, "Content-Type", "text/event-stream");
	evhttp_add_header(h, "Cache-Control", "no-cache");
	evhttp_send_reply_start(req, 200, "OK");
	http_wait_forever(req);
	http_conn_stream(req);
	if (keepalive != NULL)
		evtimer_add(keepalive, &tv);
}

static void
http_open_stream(struct http_session *hs, struct evhttp_request *req)
{
	if (!hs->legacy)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Mcp-Session-Id", hs->id);
	http_stream_start(req, hs->keepalive);
	hs->stream = req;
	evhttp_connection_set_closecb(evhttp_request_get_connection(req),
	    http_stream_closed, hs);
}

/*
 * Room for one more session: at the cap, the idle session touched longest
 * ago goes. 0 after answering 503 when every session is busy.
 */
static int
http_session_room(struct evhttp_request *req)
{
	struct http_session	*hs, *oldest = NULL;
	char			 why[160];

	if (ht.nsessions < (unsigned)sv.http_max_sessions)
		return 1;
	TAILQ_FOREACH(hs, &ht.sessions, entry)
		if (http_session_idle(hs) && (oldest == NULL ||
		    timercmp(&hs->touched, &oldest->touched, <)))
			oldest = hs;
	if (oldest == NULL) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", "1");
		snprintf(why, sizeof(why), "Service Unavailable: %d HTTP "
		    "sessions are open and busy; end one (DELETE) or retry",
		    (unsigned)sv.http_max_sessions);
		http_error(req, 503, "Service Unavailable", -32000, why);
		return 0;
	}
	log_info("session %u: idle, ended to make room (%d HTTP sessions)",
	    oldest->session->id, (unsigned)sv.http_max_sessions);
	http_session_free(oldest);
	return 1;
}

/* What the client has not read yet of the session's event stream. */
static size_t
http_stream_unread(const struct http_session *hs)
{
	struct bufferevent	*bev;

	if (hs->stream == NULL || (bev = evhttp_connection_get_bufferevent(
	    evhttp_request_get_connection(hs->stream))) == NULL)
		return 0;
	return evbuffer_get_length(bufferevent_get_output(bev));
}

/*
 * A request past the session's limits (the ones a stdio session meets by
 * not being read) is answered 429. Notifications and responses pass: a
 * client at the limit may still cancel.
 */
static int
http_session_busy(struct http_session *hs, struct evhttp_request *req,
    const struct mcp_request *r)
{
	char	why[160];

	if (r->id == -1)
		return 0;
	if (hs->session->ninflight >= SESSION_MAX_INFLIGHT)
		snprintf(why, sizeof(why), "Too Many Requests: %d calls are in "
		    "flight on this session; retry when one is answered",
		    SESSION_MAX_INFLIGHT);
	else if (http_stream_unread(hs) > SESSION_OUTPUT_HIGH)
		snprintf(why, sizeof(why), "Too Many Requests: more than %d MiB "
		    "of this session's event stream is unread; read it, then "
		    "retry", SESSION_OUTPUT_HIGH / (1024 * 1024));
	else
		return 0;
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Retry-After", "1");
	http_error_to(req, r, 429, -32000, why);
	return 1;
}

static int
http_version_ok(struct evhttp_request *req)
{
	const char	*v = http_header(req, "MCP-Protocol-Version");

	return v == NULL || strcmp(v, "2025-11-25") == 0 ||
	    strcmp(v, "2025-06-18") == 0 || strcmp(v, "2025-03-26") == 0 ||
	    strcmp(v, "2024-11-05") == 0;
}

/* A JSON-RPC error for the whole POST: 400, the error as the body. */
static void
http_rpc_error(struct evhttp_request *req, struct json_object *e)
{
	const char	*str;
	size_t		 len;

	str = mcp_to_string(e, &len);
	http_reply(req, 400, "Bad Request", "application/json", str, len);
	json_object_put(e);
}

/*
 * The body, parsed once with the parser stdio lines go through: the
 * request (valid until the next parse; *response set when it is the
 * client's response to a request of ours), or NULL when it was answered
 * here (400).
 */
static const struct mcp_request *
http_body(struct evhttp_request *req, int *response)
{
	struct evbuffer			*in = evhttp_request_get_input_buffer(req);
	const struct mcp_request	*r;
	struct json_object		*e;
	size_t				 len = evbuffer_get_length(in);
	const char			*text;

	*response = 0;
	text = (const char *)evbuffer_pullup(in, -1);
	if ((r = mcp_parse(text ? text : "", len, &e)) != NULL) {
		*response = r->method == -1;
		return r;
	}
	if (e != NULL)
		http_rpc_error(req, e);
	else
		http_error(req, 400, "Bad Request", -32700,
		    "Parse error: the body is empty");
	return NULL;
}

static int
http_is_initialize(const struct mcp_request *r)
{
	return r != NULL && jdoc_string_eq(r->d, r->method, "initialize", 10);
}

/* Register the POST as waiting for the answer to the request's id. */
static int
http_expect_reply(struct http_session *hs, struct evhttp_request *req,
    const struct mcp_request *r)
{
	const struct jtok	*t;
	struct http_pending	*p;

	if (r == NULL || r->id == -1)
		return 0;	/* notification or response: 202 */
	t = &r->d->t[r->id];
	if (http_pending_find(hs, r->d->text + t->start, t->end - t->start))
		return -1;
	p = xcalloc(1, sizeof(*p));
	p->id = xmalloc(t->end - t->start + 1);
	p->idlen = t->end - t->start;
	memcpy(p->id, r->d->text + t->start, p->idlen);
	p->id[p->idlen] = '\0';
	p->hs = hs;
	p->req = req;
	p->sse_ok = http_header(req, "Accept") != NULL &&
	    strstr(http_header(req, "Accept"), "text/event-stream") != NULL;
	TAILQ_INSERT_TAIL(&hs->pending, p, entry);
	evhttp_connection_set_closecb(evhttp_request_get_connection(req),
	    http_pending_gone, p);
	http_wait_forever(req);
	return 1;
}

/* The session a POST to /mcp is for, or NULL when answered here. */
static struct http_session *
http_post_session(struct evhttp_request *req, const struct mcp_request *r)
{
	struct http_session	*hs;
	const char		*sid = http_header(req, "Mcp-Session-Id");

	if (sid == NULL && http_is_initialize(r))
		return http_session_room(req) ? http_session_new(req, 0) : NULL;
	if (sid == NULL) {
		http_error_to(req, r, 400, -32600, "Bad Request: the "
		    "Mcp-Session-Id header is required after initialize (or, "
		    "for MCP " MCP_VERSION_2026 ", an MCP-Protocol-Version "
		    "header and params._meta)");
		return NULL;
	}
	if ((hs = http_session_find(sid)) == NULL || hs->legacy) {
		http_error_to(req, r, 404, -32600, "Not Found: unknown or "
		    "expired Mcp-Session-Id; initialize a new session");
		return NULL;
	}
	return hs;
}

/*
 * A POST served without a session (http_stateless.c): one of the
 * 2026-07-28 era (a 2026 MCP-Protocol-Version header, a protocol version
 * in _meta, or server/discover), or under --http-stateless any. 1 when it
 * was taken.
 */
static int
http_stateless(struct evhttp_request *req, const struct mcp_request *r,
    int response)
{
	const char	*version = http_header(req, "MCP-Protocol-Version");
	enum mcp_era	 era;

	if (http_header(req, "Mcp-Session-Id") != NULL && !sv.http_stateless)
		return 0;
	if (response) {		/* 2026 asks in results, not requests */
		if (!sv.http_stateless && (version == NULL ||
		    strcmp(version, MCP_VERSION_2026) != 0))
			return 0;
		http_reply(req, 202, "Accepted", NULL, NULL, 0);
		return 1;
	}
	if ((era = mcp_era_of(r, version)) != MCP_ERA_2026 &&
	    !sv.http_stateless)
		return 0;
	http_stateless_post(req, r, era);
	return 1;
}

static void
http_post(struct evhttp_request *req)
{
	const struct mcp_request	*r;
	struct http_session		*hs;
	int				 response, wait;

	if ((r = http_body(req, &response)) == NULL)
		return;
	if (http_stateless(req, r, response))
		return;
	if ((hs = http_post_session(req, response ? NULL : r)) == NULL)
		return;
	if (!http_version_ok(req)) {
		http_error_to(req, r, 400, -32600, "Bad Request: "
		    "unsupported MCP-Protocol-Version header");
		return;
	}
	http_touch(hs);
	if (response) {		/* an answer to a call's ask (ask.c) */
		session_request(hs->session, r);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Mcp-Session-Id", hs->id);
		http_reply(req, 202, "Accepted", NULL, NULL, 0);
		return;
	}
	if (http_session_busy(hs, req, r))
		return;
	if ((wait = http_expect_reply(hs, req, r)) == -1) {
		http_error_to(req, r, 400, -32600, "Invalid Request: "
		    "a request with this id is already in flight");
		return;
	}
	session_request(hs->session, r);
	if (!wait) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Mcp-Session-Id", hs->id);
		http_reply(req, 202, "Accepted", NULL, NULL, 0);
	}
}

static void
http_mcp(struct evhttp_request *req, void *arg)
{
	struct http_session	*hs;
	const char		*sid = http_header(req, "Mcp-Session-Id");

	(void)arg;
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_POST:
		http_post(req);
		return;
	case EVHTTP_REQ_GET:
	case EVHTTP_REQ_DELETE:
		if (!sv.http_stateless)
			break;
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "POST");
		http_error(req, 405, "Method Not Allowed", -32600, "this "
		    "server is stateless (--http-stateless): no sessions, no "
		    "event stream; POST each request");
		return;
	default:
		break;
	}
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
		if ((hs = http_session_find(sid)) == NULL || hs->legacy) {
			http_error(req, sid ? 404 : 400, sid ? "Not Found" :
			    "Bad Request", -32600, "a valid Mcp-Session-Id "
			    "header is required for the event stream");
			return;
		}
		/* A client reconnecting may find its old stream not yet
		 * seen dead here: the new one takes over (SEP-1699). */
		if (hs->stream != NULL)
			http_stream_end(hs);
		http_touch(hs);
		http_open_stream(hs, req);
		http_sse_resume(hs, http_header(req, "Last-Event-ID"));
		return;
	case EVHTTP_REQ_DELETE:
		if ((hs = http_session_find(sid)) == NULL || hs->legacy) {
			http_error(req, 404, "Not Found", -32600,
			    "unknown or expired Mcp-Session-Id");
			return;
		}
		log_info("session %u: ended by DELETE", hs->session->id);
		http_session_free(hs);
		http_reply(req, 200, "OK", NULL, NULL, 0);
		return;
	default:
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, POST, DELETE");
		http_error(req, 405, "Method Not Allowed", -32600,
		    "use POST, GET or DELETE on /mcp");
	}
}

static void
http_sse(struct evhttp_request *req, void *arg)
{
	struct http_session	*hs;
	char			 endpoint[128];

	(void)arg;
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		http_error(req, 405, "Method Not Allowed", -32600,
		    "use GET on /sse");
		return;
	}
	if (!http_session_room(req))
		return;
	hs = http_session_new(req, 1);
	hs->session->control = 0;
	http_open_stream(hs, req);
	snprintf(endpoint, sizeof(endpoint), "/messages?sessionId=%s", hs->id);
	http_sse_send(hs, "endpoint", endpoint, strlen(endpoint));
}

static void
http_messages(struct evhttp_request *req, void *arg)
{
	const struct mcp_request	*r;
	struct http_session		*hs = NULL;
	struct evkeyvalq		 q;
	const char			*query;
	int				 response;

	(void)arg;
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		http_error(req, 405, "Method Not Allowed", -32600,
		    "use POST on /messages");
		return;
	}
	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	TAILQ_INIT(&q);
	if (query != NULL && evhttp_parse_query_str(query, &q) == 0)
		hs = http_session_find(evhttp_find_header(&q, "sessionId"));
	evhttp_clear_headers(&q);
	if (hs == NULL || !hs->legacy) {
		http_error(req, 404, "Not Found", -32600,
		    "unknown sessionId: open GET /sse first");
		return;
	}
	if ((r = http_body(req, &response)) == NULL && !response)
		return;
	http_touch(hs);
	if (r != NULL && http_session_busy(hs, req, r))
		return;
	if (r != NULL)
		session_request(hs->session, r);
	http_reply(req, 202, "Accepted", NULL, NULL, 0);
}

/* Checks every request passes before its path's handler. */
/*
 * Probes for balancers, before Origin, Host and token checks (they send
 * none of those): /healthz while the process runs, /readyz while it
 * takes new work (503 from SIGTERM on, through any --drain-delay).
 * 1 when req was one of them.
 */
static int
http_probe(struct evhttp_request *req, const char *path)
{
	int		 ready = ht.accepting && !sv.draining &&
			    !sv.shutting_down;
	const char	*why;

	if (strcmp(path, "/healthz") == 0) {
		http_reply(req, 200, "OK", "text/plain", "ok\n", 3);
		return 1;
	}
	if (strcmp(path, "/readyz") != 0)
		return 0;
	why = sv.draining || sv.shutting_down ? "draining\n" : "starting\n";
	if (ready)
		http_reply(req, 200, "OK", "text/plain", "ready\n", 6);
	else
		http_reply(req, 503, "Service Unavailable", "text/plain", why,
		    strlen(why));
	return 1;
}

/*
 * The tools version, for an answer to a client that may see it: one that
 * passed the token check (probes pass it only where there is no token).
 * A refused client learns nothing of what is served.
 */
static void
http_version_header(struct evhttp_request *req)
{
	if (sv.tools_version[0] != '\0')
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Mcp-Hotd-Tools-Version", sv.tools_version);
}

static void
http_dispatch(struct evhttp_request *req, void *arg)
{
	const char	*path;

	(void)arg;
	http_conn_request(req);
	/* Draining: answered, then the connection closes (proxies reopen
	 * one to an instance that stays). */
	if (sv.draining || sv.shutting_down)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");
	path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (ht.token == NULL)
		http_version_header(req);
	if (path != NULL && http_probe(req, path))
		return;
	if (!ht.accepting) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", "1");
		http_error(req, 503, "Service Unavailable", -32603,
		    sv.shutting_down ? "the server is shutting down" :
		    "the server is starting");
		return;
	}
	if (!http_origin_ok(http_header(req, "Origin"))) {
		http_error(req, 403, "Forbidden", -32600, "Forbidden: Origin "
		    "not allowed");
		return;
	}
	if (!http_host_ok(http_header(req, "Host"))) {
		http_error(req, 403, "Forbidden", -32600, "Forbidden: Host not "
		    "allowed (a loopback server answers loopback names; see "
		    "--http-allow-host)");
		return;
	}
	/* Not an OAuth server: clients that probe for one must not take a
	 * 401 here for one that refuses them. */
	if (path != NULL && strncmp(path, "/.well-known/", 13) == 0) {
		http_error(req, 404, "Not Found", -32600, "Not Found: no OAuth "
		    "here; this server takes a static bearer token, if any");
		return;
	}
	if (!http_token_ok(req)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer");
		http_error(req, 401, "Unauthorized", -32600, "Unauthorized: "
		    "a valid bearer token is required");
		return;
	}
	if (ht.token != NULL)
		http_version_header(req);
	if (path != NULL && strcmp(path, "/mcp") == 0)
		http_mcp(req, NULL);
	else if (path != NULL && strcmp(path, "/sse") == 0)
		http_sse(req, NULL);
	else if (path != NULL && strcmp(path, "/messages") == 0)
		http_messages(req, NULL);
	else
		http_error(req, 404, "Not Found", -32600, "no such path: the "
		    "MCP endpoint is /mcp (or /sse for the old transport)");
}

/* The token: the file's first line, 16 characters or more; NULL and why. */
static char *
http_read_token(const char *path, char *why, size_t whylen)
{
	FILE	*f;
	char	 line[1024];
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, whylen, "%s", strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		snprintf(why, whylen, "empty");
		return NULL;
	}
	fclose(f);
	n = strlen(line);
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	if (n < 16) {
		explicit_bzero(line, sizeof(line));
		snprintf(why, whylen, "a token needs 16 characters or more");
		return NULL;
	}
	return xstrdup(line);
}

/*
 * SIGHUP: the token file again, so a rotated token takes effect without
 * a restart (the old one is refused from then on). A file that will not
 * do keeps the token there is.
 */
void
transport_http_reload_token(void)
{
	char	*t, why[256];

	if (ht.token_file == NULL)
		return;
	if ((t = http_read_token(ht.token_file, why, sizeof(why))) == NULL) {
		log_warnx("--http-token-file %s: %s; the token stays as it "
		    "was", ht.token_file, why);
		return;
	}
	if (strcmp(t, ht.token) != 0)
		log_info("--http-token-file %s: a new token", ht.token_file);
	explicit_bzero(ht.token, strlen(ht.token));
	free(ht.token);
	ht.token = t;
}

/* "PORT", "ADDR:PORT" or "[V6]:PORT"; the address defaults to loopback. */
static void
http_parse_addr(const char *spec, char *addr, size_t addrlen, int *port)
{
	const char	*colon = strrchr(spec, ':');
	char		*end;
	long		 p;

	snprintf(addr, addrlen, "127.0.0.1");
	if (colon != NULL) {
		if (colon > spec) {
			if (spec[0] == '[' && colon[-1] == ']')
				snprintf(addr, addrlen, "%.*s",
				    (int)(colon - spec - 2), spec + 1);
			else
				snprintf(addr, addrlen, "%.*s",
				    (int)(colon - spec), spec);
		}
		spec = colon + 1;
	}
	p = strtol(spec, &end, 10);
	if (*spec == '\0' || *end != '\0' || p < 0 || p > 65535)
		fatalx("--http: '%s' is not ADDR:PORT", spec);
	*port = (int)p;
}

static void
http_setup(void)
{
	if ((ht.http = evhttp_new(sv.base)) == NULL)
		fatalx("evhttp_new failed");
	evhttp_set_max_body_size(ht.http, (ev_ssize_t)sv.max_request);
	/* An unfinished header is buffered whole: bound it (libevent 400s). */
	evhttp_set_max_headers_size(ht.http, HTTP_MAX_HEADERS);
	/*
	 * A connection that sends nothing for this long is closed: idle
	 * keep-alives and requests left half-sent. Event streams and POSTs
	 * waiting for a call's answer are exempt (http_wait_forever).
	 */
	evhttp_set_timeout(ht.http, (int)sv.http_timeout);
	evhttp_set_allowed_methods(ht.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
	    EVHTTP_REQ_HEAD);
	evhttp_set_gencb(ht.http, http_dispatch, NULL);
	/* An empty 202 is not text/html: a body says its own type. */
	evhttp_set_default_content_type(ht.http, NULL);
	http_conn_setup(ht.http, NULL);
}

/*
 * Serve HTTP on a socket already listening (the fuzz harness's way in:
 * the same request path, its own loopback socket).
 */
void
transport_http_serve(int fd)
{
	http_setup();
	if (evhttp_accept_socket(ht.http, fd) == -1)
		fatalx("evhttp_accept_socket failed");
	ht.accepting = 1;
}

/*
 * Unless told, HTTP may hold half the descriptors (at most 4096): the rest
 * stay for workers, the unix socket and stdio.
 */
static void
http_max_connections(void)
{
	struct rlimit	rl;

	if (sv.http_max_connections == 0) {
		sv.http_max_connections = 512;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur != RLIM_INFINITY)
			sv.http_max_connections = rl.rlim_cur / 2;
		if (sv.http_max_connections > 4096)
			sv.http_max_connections = 4096;
		if (sv.http_max_connections < 8)
			sv.http_max_connections = 8;
	}
	log_info("HTTP: at most %zu connections, %zu sessions",
	    sv.http_max_connections, sv.http_max_sessions);
}

void
transport_http_listen(const char *spec, const char *token_file,
    const char *origin)
{
	struct evhttp_bound_socket	*bound;
	struct sockaddr_storage		 ss;
	socklen_t			 sslen = sizeof(ss);
	char				 addr[128], host[136] = "?";
	char				 why[256];
	int				 port = 0, fd;

	http_setup();
	if ((fd = activation_http()) != -1) {
		/* Handed over: its address is what it is bound to. */
		if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1 ||
		    getnameinfo((struct sockaddr *)&ss, sslen, addr,
		    sizeof(addr), NULL, 0, NI_NUMERICHOST) != 0)
			fatal("LISTEN_FDS: the HTTP socket");
		if ((bound = evhttp_accept_socket_with_handle(ht.http,
		    fd)) == NULL)
			fatal("LISTEN_FDS: cannot serve HTTP on it");
		/* Across a restart, clients wait in the backlog until the
		 * first load is done, rather than meet a 503. */
		evconnlistener_disable(evhttp_bound_socket_get_listener(bound));
		ht.inherited = 1;
	} else {
		http_parse_addr(spec, addr, sizeof(addr), &port);
		if ((bound = evhttp_bind_socket_with_handle(ht.http, addr,
		    (ev_uint16_t)port)) == NULL)
			fatal("--http: cannot listen on %s port %d", addr,
			    port);
	}
	ht.bound = bound;
	ht.guard = listen_guard_new(evhttp_bound_socket_get_listener(bound),
	    "HTTP", "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
	    "Content-Type: text/plain\r\nContent-Length: 51\r\n"
	    "Connection: close\r\n\r\n"
	    "the server cannot take more connections now; retry\n", ht.inherited ? 0 : 1);
	http_conn_setup(ht.http, ht.guard);
	http_max_connections();
	sslen = sizeof(ss);
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&ss, &sslen) == 0) {
		if (ss.ss_family == AF_INET6) {
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
			snprintf(host, sizeof(host), "[%s]", addr);
		} else {
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
			snprintf(host, sizeof(host), "%s", addr);
		}
	}
	if (token_file != NULL &&
	    (ht.token = http_read_token(token_file, why, sizeof(why))) == NULL)
		fatalx("--http-token-file %s: %s", token_file, why);
	ht.token_file = token_file;
	if (origin != NULL)
		ht.origin = xstrdup(origin);
	ht.loopback = strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") ==
	    0 || strcmp(addr, "localhost") == 0;
	ht.allow_host = sv.http_allow_host;
	if (!ht.loopback && ht.token == NULL)
		log_warnx("HTTP on %s without --http-token-file: anyone who "
		    "can reach it may call the tools", addr);
	log_info("HTTP endpoint http://%s:%d/mcp (and /sse)", host, port);
}

/*
 * Serving starts (1) or ends (0). At the end the port closes at once, so
 * balancers stop sending here; connections open already are answered.
 */
void
transport_http_accept(int on)
{
	ht.accepting = on && ht.http != NULL;
	if (on && ht.inherited && ht.guard != NULL)
		listen_guard_enable(ht.guard, 1);
	if (on || ht.bound == NULL)
		return;
	http_conn_close_idle();
	http_conn_stop();
	listen_guard_free(ht.guard);
	ht.guard = NULL;
	evhttp_del_accept_socket(ht.http, ht.bound);
	ht.bound = NULL;
}

/* Shutting down: no new connection; those open are served still. */
void
transport_http_listen_off(void)
{
	if (ht.guard != NULL)
		listen_guard_enable(ht.guard, 0);
}

/* SIGTERM with --drain-delay: serving goes on, connection by connection
 * closing. */
void
transport_http_drain(void)
{
	http_conn_close_idle();
}

void
transport_http_close(void)
{
	struct http_session	*hs;

	while ((hs = TAILQ_FIRST(&ht.sessions)) != NULL)
		http_session_free(hs);
	http_stateless_close();
	http_conn_stop();
	listen_guard_free(ht.guard);
	ht.guard = NULL;
	ht.bound = NULL;
	if (ht.http != NULL)
		evhttp_free(ht.http);
	free(ht.token);
	free(ht.origin);
	ht.http = NULL;
	ht.token = ht.origin = NULL;
	ht.accepting = 0;
}
