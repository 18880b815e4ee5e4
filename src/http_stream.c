/* SPDX-License-Identifier: ISC */
/*
 * Event streams: a session's GET (or legacy /sse) stream, events numbered
 * and the last few kept so a client can resume with Last-Event-ID
 * (SEP-1699), keepalive comments under proxies' timeouts, and the unread
 * bound.
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

static void	http_stream_put(struct http_session *, struct evbuffer *);
static void	http_sse_write(struct http_session *, uint64_t, const char *,
	    const char *, size_t);
static void	http_stream_closed(struct evhttp_connection *, void *);

/* Down the open stream (taking b); the session hears what is unread. */
static void
http_stream_put(struct http_session *hs, struct evbuffer *b)
{
	evhttp_send_reply_chunk(hs->stream, b);
	evbuffer_free(b);
	session_output(hs->session, http_stream_unread(hs));
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
void
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
void
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
void
http_keepalive(evutil_socket_t fd, short what, void *arg)
{
	struct http_session	*hs = arg;

	(void)fd;
	(void)what;
	if (hs->stream != NULL)
		http_stream_put(hs, http_event(0, NULL, NULL, 0));
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
void
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

/*
 * The waiting request's connection is readable: closed (EOF, or reset),
 * or a byte from its client (a pipelined request). Closed, it goes as if
 * evhttp had read it: its close callback, the owner's, frees the watch. A
 * byte is left to evhttp, and the watch ends: a close is then seen when
 * the answer is written.
 */
static void
http_closed(evutil_socket_t fd, short what, void *arg)
{
	struct evhttp_connection	*conn;
	char				 c;
	ssize_t				 n;

	(void)what;
	n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n > 0 || (n == -1 && (errno == EAGAIN || errno == EINTR)))
		return;
	if ((conn = evhttp_request_get_connection(arg)) != NULL)
		evhttp_connection_free(conn);
}

/*
 * Sees a waiting request's client close without evhttp reading its
 * connection: evhttp reads nothing while a request waits, and must not,
 * since a byte then (a pipelined request) is to it a state error it exits
 * on. One-shot: the owner frees it with the request.
 */
struct event *
http_watch_close(struct evhttp_request *req)
{
	struct evhttp_connection	*conn;
	struct event			*ev;
	evutil_socket_t			 fd;

	if ((conn = evhttp_request_get_connection(req)) == NULL ||
	    (fd = bufferevent_getfd(evhttp_connection_get_bufferevent(conn))) ==
	    -1)
		return NULL;
	if ((ev = event_new(sv.base, fd, EV_READ, http_closed, req)) == NULL)
		fatal("%s", __func__);
	event_add(ev, NULL);
	return ev;
}

void
http_unwatch_close(struct event **ev)
{
	if (*ev != NULL)
		event_free(*ev);
	*ev = NULL;
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

void
http_open_stream(struct http_session *hs, struct evhttp_request *req)
{
	if (!hs->legacy)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Mcp-Session-Id", http_session_id(hs));
	http_stream_start(req, hs->keepalive);
	hs->stream = req;
	evhttp_connection_set_closecb(evhttp_request_get_connection(req),
	    http_stream_closed, hs);
}

/* What the client has not read yet of the session's event stream. */
size_t
http_stream_unread(const struct http_session *hs)
{
	struct bufferevent	*bev;

	if (hs->stream == NULL || (bev = evhttp_connection_get_bufferevent(
	    evhttp_request_get_connection(hs->stream))) == NULL)
		return 0;
	return evbuffer_get_length(bufferevent_get_output(bev));
}
