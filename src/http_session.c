/* SPDX-License-Identifier: ISC */
/*
 * The HTTP session table: a session per Mcp-Session-Id (or legacy
 * sessionId), its POSTs waiting for their answers, idle expiry, the cap of
 * --http-max-sessions (the longest idle makes room), and the session_ops a
 * session writes through.
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
#include "http.h"

static int	http_session_idle(const struct http_session *);
static void	http_pending_free(struct http_pending *);
static void	http_pending_event(struct http_pending *, const char *, size_t);
static void	http_write(struct session *, const char *, size_t, const char *,
	    size_t);
static void	http_done(struct session *);
static void	http_stop(struct session *);
static void	http_cancelled(struct session *, const char *);

void
http_touch(struct http_session *hs)
{
	struct timeval	tv = { settings.http_idle, 0 };

	evtimer_add(hs->idle, &tv);
	event_base_gettimeofday_cached(sv.base, &hs->touched);
}

/* Nothing open, nothing pending: the session may go. */
static int
http_session_idle(const struct http_session *hs)
{
	return hs->stream == NULL && TAILQ_EMPTY(&hs->pending) &&
	    hs->session->ninflight == 0;
}

void
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
	    (long)settings.http_idle);
	http_session_free(hs);
}

struct http_session *
http_session_find(const char *id)
{
	struct http_session	*hs;

	if (id == NULL)
		return NULL;
	TAILQ_FOREACH(hs, &ht.sessions, entry)
		if (strcmp(hs->id, id) == 0)
			break;
	/* Another client's session is no session to this one. */
	if (hs != NULL && ht.client != NULL && (hs->session->mcp.client ==
	    NULL || strcmp(hs->session->mcp.client, ht.client) != 0))
		return NULL;
	return hs;
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
struct http_pending *
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
void
http_request_orphaned(struct evhttp_request *req)
{
	if (evhttp_request_get_connection(req) == NULL)
		evhttp_request_free(req);
}

/* The client hung up before its answer: forget the request. */
void
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

struct http_session *
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
	if (settings.instance_id != NULL)
		off = (size_t)snprintf(hs->id, sizeof(hs->id), "%s.",
		    settings.instance_id);
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(hs->id + off + 2 * i, 3, "%02x", rnd[i]);
	hs->legacy = legacy;
	TAILQ_INIT(&hs->pending);
	hs->session = session_new(&http_ops, hs);
	if (ht.client != NULL)
		session_set_client(hs->session, ht.client);
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

void
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
 * Room for one more session: at the cap, the idle session touched longest
 * ago goes. 0 after answering 503 when every session is busy.
 */
int
http_session_room(struct evhttp_request *req)
{
	struct http_session	*hs, *oldest = NULL;
	char			 why[160];

	if (ht.nsessions < (unsigned)settings.http_max_sessions)
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
		    (unsigned)settings.http_max_sessions);
		http_error(req, 503, "Service Unavailable", -32000, why);
		return 0;
	}
	log_info("session %u: idle, ended to make room (%d HTTP sessions)",
	    oldest->session->id, (unsigned)settings.http_max_sessions);
	http_session_free(oldest);
	return 1;
}

/*
 * A request past the session's limits (the ones a stdio session meets by
 * not being read) is answered 429. Notifications and responses pass: a
 * client at the limit may still cancel.
 */
int
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
