/* SPDX-License-Identifier: ISC */
/*
 * HTTP connections, counted, capped and given a deadline.
 *
 * evhttp (libevent 2.1) neither counts its connections nor bounds how long
 * a request may take to arrive: its timeout is one of inactivity, which a
 * client sending a byte now and then never meets. So every connection is
 * made here (evhttp's bufferevent callback): a filter over the socket's
 * bufferevent, whose free_context says when evhttp is done with it. That
 * gives an exact count.
 *
 * The filter writes to the socket itself, on its own write event, and
 * calls output done only once every byte is with the kernel: a stock
 * filter would hand the bytes to the socket's bufferevent and say done at
 * once, and evhttp, closing a connection when its answer is "sent", would
 * lose the tail of it. Input passes through unchanged.
 *
 * - At --http-max-connections the listener is marked full (listen.c): new
 *   clients get a plain 503 instead of waiting behind idle ones.
 * - A connection not busy with a request must complete one within
 *   --http-timeout seconds of its start or of its last answer: idle,
 *   half-sent and trickling clients are all shut down alike; and one with
 *   output waiting must take some of it that often. A request being
 *   answered (a call, an event stream) with nothing to send waits as
 *   long as it takes. One timer a connection, moved only when it fires.
 * - What the client has not read of its answers counts towards
 *   --max-unread, like every face's (an event stream's is reported by its
 *   session instead).
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>

#include "mcp-hotd.h"
#include "xmalloc.h"

struct http_conn {
	TAILQ_ENTRY(http_conn)	 entry;
	struct bufferevent	*bev;		/* the filter evhttp sees */
	struct bufferevent	*sock;		/* the socket's, under it */
	struct event		*deadline;
	struct event		*writable;	/* once the fd is known */
	int			 writing;	/* writable pending, bev held */
	int			 failed;	/* a write failed: errno */
	int			 busy;		/* a request being answered */
	int			 before_stop;	/* accepted before serving
						 * stopped: what it sends is
						 * answered as any request */
	unsigned		 answered;	/* requests answered */
	struct timeval		 last;		/* opened, request, answer,
						 * bytes written */
	int			 stream;	/* unread told by a session */
	size_t			 unread;	/* in bev's output */
};

static struct {
	TAILQ_HEAD(, http_conn)	 conns;
	unsigned		 count;
	struct listen_guard	*guard;
} hc = { .conns = TAILQ_HEAD_INITIALIZER(hc.conns) };

static void
http_conn_progress(struct http_conn *c)
{
	event_base_gettimeofday_cached(sv.base, &c->last);
}

/*
 * The deadline: nothing happened for --http-timeout and nothing is owed
 * to the client without its part (a request, or reading): shut the
 * socket, and evhttp, reading EOF, lets the connection go its usual way.
 */
static void
http_conn_expired(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn	*c = arg;
	struct timeval		 now, left, limit = { settings.http_timeout, 0 };

	(void)fd;
	(void)what;
	event_base_gettimeofday_cached(sv.base, &now);
	timeradd(&c->last, &limit, &left);
	if (timercmp(&now, &left, <)) {
		timersub(&left, &now, &left);
		evtimer_add(c->deadline, &left);
		return;
	}
	if (c->busy && c->unread == 0) {
		evtimer_add(c->deadline, &limit);
		return;
	}
	log_debug("HTTP connection fd %d: %s for %lld s, closed",
	    (int)bufferevent_getfd(c->sock), c->busy ? "its answer unread" :
	    "no request", (long long)settings.http_timeout);
	shutdown(bufferevent_getfd(c->sock), SHUT_RDWR);
}

static void	http_conn_write_cb(evutil_socket_t, short, void *);

/* Wait for the socket to take bytes, holding the filter till then. */
static void
http_conn_want_write(struct http_conn *c)
{
	int	fd;

	if (c->writing)
		return;
	if (c->writable == NULL) {
		if ((fd = bufferevent_getfd(c->sock)) == -1)
			return;
		if ((c->writable = event_new(bufferevent_get_base(c->sock), fd,
		    EV_WRITE, http_conn_write_cb, c)) == NULL)
			fatal("%s", __func__);
	}
	bufferevent_incref(c->bev);
	c->writing = 1;
	event_add(c->writable, NULL);
}

/* Output added or written: what the client has not read; write it. */
static void
http_conn_output(struct evbuffer *b, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct http_conn	*c = arg;
	size_t			 now = c->unread + info->n_added -
				    info->n_deleted;

	(void)b;
	if (!c->stream)
		sv.unread_total = sv.unread_total - c->unread + now;
	if (c->unread == 0 && now > 0)
		http_conn_progress(c);	/* the client owes a read from now */
	c->unread = now;
	if (info->n_added > 0)
		http_conn_want_write(c);
}

/*
 * The filter's output side, called by libevent: with BEV_FLUSH (ours,
 * the socket writable) write what the socket takes; BEV_OK while bytes
 * go out, so the write timeout restarts and, once nothing is left,
 * evhttp hears the answer went.
 */
static enum bufferevent_filter_result
http_conn_write(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t limit,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct http_conn	*c = arg;
	int			 n;

	(void)dst;
	(void)limit;
	if (mode == BEV_NORMAL || evbuffer_get_length(src) == 0 || c->failed)
		return BEV_NEED_MORE;
	if ((n = evbuffer_write(src, bufferevent_getfd(c->sock))) > 0) {
		http_conn_progress(c);
		return BEV_OK;
	}
	if (n == -1 && errno != EAGAIN && errno != EINTR) {
		c->failed = errno;
		return BEV_ERROR;
	}
	return BEV_NEED_MORE;
}

static void
http_conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn	*c = arg;
	struct bufferevent	*bev = c->bev;
	void			*alive;

	(void)fd;
	(void)what;
	c->writing = 0;
	/* evhttp has let go of it: the last reference is ours. */
	bufferevent_getcb(bev, NULL, NULL, NULL, &alive);
	if (alive != NULL) {
		bufferevent_flush(bev, EV_WRITE, BEV_FLUSH);
		if (c->failed)
			bufferevent_trigger_event(bev, BEV_EVENT_WRITING |
			    BEV_EVENT_ERROR, 0);
		else if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
			http_conn_want_write(c);
	}
	bufferevent_decref(bev);
}

/* evhttp freed the connection (and with it the filter and the socket). */
static void
http_conn_gone(void *arg)
{
	struct http_conn	*c = arg;

	if (!c->stream)
		sv.unread_total -= c->unread;
	TAILQ_REMOVE(&hc.conns, c, entry);
	event_free(c->deadline);
	if (c->writable != NULL)
		event_free(c->writable);
	free(c);
	if (hc.count-- == settings.http_max_connections)
		listen_guard_full(hc.guard, 0);
}

/* At the cap: refuse new clients; say so at most once a minute. */
static void
http_conn_full(void)
{
	static time_t	logged;

	if (hc.guard == NULL)
		return;
	listen_guard_full(hc.guard, 1);
	if (time(NULL) - logged < 60)
		return;
	logged = time(NULL);
	log_warnx("HTTP: %u connections open, the limit "
	    "(--http-max-connections): new clients are refused until some "
	    "close", hc.count);
}

static struct bufferevent *
http_conn_new(struct event_base *base, void *arg)
{
	struct http_conn	*c;
	struct timeval		 tv = { 0, 0 };

	(void)arg;
	c = xcalloc(1, sizeof(*c));
	if ((c->deadline = evtimer_new(base, http_conn_expired, c)) == NULL ||
	    (c->sock = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (c->bev = bufferevent_filter_new(c->sock, NULL, http_conn_write,
	    BEV_OPT_CLOSE_ON_FREE, http_conn_gone, c)) == NULL)
		fatal("%s", __func__);
	if (evbuffer_add_cb(bufferevent_get_output(c->bev), http_conn_output,
	    c) == NULL)
		fatal("%s", __func__);
	c->before_stop = !sv.shutting_down;
	TAILQ_INSERT_HEAD(&hc.conns, c, entry);
	if (++hc.count == settings.http_max_connections)
		http_conn_full();
	http_conn_progress(c);
	tv.tv_sec = settings.http_timeout;
	evtimer_add(c->deadline, &tv);
	return c->bev;
}

static struct http_conn *
http_conn_find(struct evhttp_request *req)
{
	struct evhttp_connection	*conn;
	struct bufferevent		*bev;
	struct http_conn		*c;

	if ((conn = evhttp_request_get_connection(req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(conn)) == NULL)
		return NULL;
	TAILQ_FOREACH(c, &hc.conns, entry)
		if (c->bev == bev)
			return c;
	return NULL;
}

/* Its answer went out: the deadline for the next request starts. */
static void
http_conn_answered(struct evhttp_request *req, void *arg)
{
	struct http_conn	*c = arg;

	(void)req;
	c->busy = 0;
	c->answered++;
	http_conn_progress(c);
}

/*
 * Draining: a kept-alive connection waiting for its next request is
 * closed now, so a proxy does not send one into the closing listener's
 * wake; one never used yet has its first request on the way, and one
 * busy is answered (with Connection: close).
 */
void
http_conn_close_idle(void)
{
	struct http_conn	*c;

	TAILQ_FOREACH(c, &hc.conns, entry)
		if (!c->busy && c->answered > 0)
			shutdown(bufferevent_getfd(c->sock), SHUT_RDWR);
}

/*
 * Connections through evhttp; at the cap, guard is marked full (NULL:
 * uncapped, for a socket served without one).
 */
void
http_conn_setup(struct evhttp *http, struct listen_guard *guard)
{
	hc.guard = guard;
	evhttp_set_bevcb(http, http_conn_new, NULL);
}

/* Before the listener's guard goes. */
void
http_conn_stop(void)
{
	hc.guard = NULL;
}

/* A request arrived whole: while nothing is owed to it, it may wait. */
void
http_conn_request(struct evhttp_request *req)
{
	struct http_conn	*c;

	if ((c = http_conn_find(req)) == NULL)
		return;
	c->busy = 1;
	http_conn_progress(c);
	evhttp_request_set_on_complete_cb(req, http_conn_answered, c);
}

/*
 * Was req's connection accepted before serving stopped? Its request, read
 * after (it came in the same loop pass, or just after), is answered as
 * any other: the decision is the accept's, not the read's.
 */
int
http_conn_before_stop(struct evhttp_request *req)
{
	struct http_conn	*c = http_conn_find(req);

	return c != NULL && c->before_stop;
}

/* req's connection carries an event stream whose session counts unread. */
void
http_conn_stream(struct evhttp_request *req)
{
	struct http_conn	*c;

	if ((c = http_conn_find(req)) == NULL || c->stream)
		return;
	sv.unread_total -= c->unread;
	c->stream = 1;
}

unsigned
http_conn_count(void)
{
	return hc.count;
}
