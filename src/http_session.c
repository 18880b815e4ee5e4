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

#include "base64.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "xmalloc.h"
#include "http.h"

static int	http_session_idle(const struct http_session *);
static int	http_session_evict(void);
static struct http_session *http_session_restore(const char *);
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
	log_info("session %u: idle for %ld s, out of the table (its id "
	    "still serves)", hs->session->id,
	    (long)settings.http_idle);
	http_session_free(hs);
}

struct http_session *
http_session_find(const char *id)
{
	struct http_session	*hs;

	ht.restore_busy = 0;
	if (id == NULL)
		return NULL;
	TAILQ_FOREACH(hs, &ht.sessions, entry)
		if (strcmp(hs->id, id) == 0)
			break;
	if (hs == NULL)
		return http_session_restore(id);
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
	http_unwatch_close(&p->closed);
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
		    "Mcp-Session-Id", http_session_id(p->hs));
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
	    "Mcp-Session-Id", http_session_id(hs));
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
	    "Mcp-Session-Id", http_session_id(hs));
	http_reply(req, 202, "Accepted", NULL, NULL, 0);
}

static const struct session_ops http_ops = {
	"http", http_write, http_done, http_stop, NULL, http_cancelled
};

/* A session of the table, its id not set yet. */
static struct http_session *
http_session_alloc(int legacy)
{
	struct http_session	*hs;

	hs = xcalloc(1, sizeof(*hs));
	if ((hs->idle = evtimer_new(sv.base, http_idle, hs)) == NULL ||
	    (hs->keepalive = event_new(sv.base, -1, EV_PERSIST, http_keepalive,
	    hs)) == NULL)
		fatal("%s", __func__);
	hs->legacy = legacy;
	TAILQ_INIT(&hs->pending);
	hs->session = session_new(&http_ops, hs);
	hs->session->mcp.key = hs->id;	/* a 2025 task's owner */
	if (ht.client != NULL)
		session_set_client(hs->session, ht.client);
	TAILQ_INSERT_TAIL(&ht.sessions, hs, entry);
	ht.nsessions++;
	http_touch(hs);
	return hs;
}

struct http_session *
http_session_new(struct evhttp_request *req, int legacy)
{
	struct http_session	*hs;
	unsigned char		 rnd[HTTP_SESSION_ID_LEN / 2];
	char			*host = NULL;
	ev_uint16_t		 port = 0;
	size_t			 i, off = 0;

	hs = http_session_alloc(legacy);
	/* Until initialize is answered (the legacy transport: for good) a
	 * random id, named for its instance: a balancer routes it without a
	 * table. */
	evutil_secure_rng_get_bytes(rnd, sizeof(rnd));
	if (settings.instance_id != NULL)
		off = (size_t)snprintf(hs->id, sizeof(hs->id), "%s.",
		    settings.instance_id);
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(hs->id + off + 2 * i, 3, "%02x", rnd[i]);
	evhttp_connection_get_peer(evhttp_request_get_connection(req), &host,
	    &port);
	snprintf(hs->session->peer, sizeof(hs->session->peer), "http %s:%u%s",
	    host ? host : "?", (unsigned)port, legacy ? " (sse)" : "");
	log_info("session %u: %s", hs->session->id, hs->session->peer);
	return hs;
}

/* What the session's id carries of a text: at most max bytes of it. */
static struct json_object *
http_cut(const char *s, size_t max)
{
	return json_object_new_string_len(s, (int)(strlen(s) < max ?
	    strlen(s) : max));
}

/*
 * A 2025 session's id, once initialize set what it carries: its state at
 * initialize (protocol version, client name, version and capabilities,
 * its --clients client, the tools version told, when), signed with the
 * fleet's key (--state-key-file): any instance holding the key serves
 * it as if it had issued it (http_session_find). What changes later
 * (logging/setLevel, an open stream, an ask, calls in flight) stays with
 * the instance that has it.
 */
const char *
http_session_id(struct http_session *hs)
{
	const struct mcp_state	*st = &hs->session->mcp;
	struct json_object	*p, *caps, *v;
	unsigned char		 rnd[12];
	char			*token, nonce[24];
	size_t			 off = 0;

	if (hs->sealed || hs->legacy || st->era == MCP_ERA_2026 ||
	    st->protocol == NULL)
		return hs->id;
	p = json_object_new_object();
	json_object_object_add(p, "v", json_object_new_string(st->protocol));
	if (st->client_name != NULL)
		json_object_object_add(p, "n", http_cut(st->client_name, 40));
	if (st->client_version != NULL)
		json_object_object_add(p, "r", http_cut(st->client_version, 20));
	/* The capabilities the server acts on, not whatever else came. */
	caps = json_object_new_object();
	if (st->client_caps != NULL) {
		if (json_object_object_get_ex(st->client_caps, "elicitation",
		    &v))
			json_object_object_add(caps, "elicitation",
			    json_object_new_object());
		if (json_object_object_get_ex(st->client_caps, "sampling", &v))
			json_object_object_add(caps, "sampling",
			    json_object_new_object());
		if (json_object_object_get_ex(st->client_caps, "roots", &v))
			json_object_object_add(caps, "roots",
			    json_object_new_object());
	}
	json_object_object_add(p, "c", caps);
	if (st->client != NULL)
		json_object_object_add(p, "u", json_object_new_string(
		    st->client));
	json_object_object_add(p, "t", json_object_new_string(
	    sv.tools_version));
	json_object_object_add(p, "i", json_object_new_int64(
	    (int64_t)time(NULL)));
	/* Its own: two clients alike, initialized in one second, differ. */
	evutil_secure_rng_get_bytes(rnd, sizeof(rnd));
	base64_encode(rnd, sizeof(rnd), nonce, BASE64_URL);
	json_object_object_add(p, "s", json_object_new_string(nonce));
	token = state_session_seal(p);
	json_object_put(p);
	if (settings.instance_id != NULL)
		off = (size_t)snprintf(hs->id, sizeof(hs->id), "%s.",
		    settings.instance_id);
	if (off + strlen(token) < sizeof(hs->id)) {
		memcpy(hs->id + off, token, strlen(token) + 1);
		snprintf(hs->issued, sizeof(hs->issued), "%s", sv.tools_version);
		hs->sealed = 1;
	}
	free(token);
	return hs->id;
}

/* Ids DELETE ended here: this instance serves them no more. */
#define HTTP_ENDED	1024
static uint64_t	http_ended[HTTP_ENDED];
static size_t	http_nended;

static uint64_t
http_id_hash(const char *id)
{
	return hash_bytes(0, id, strlen(id));
}

void
http_session_ended(const char *id)
{
	http_ended[http_nended++ % HTTP_ENDED] = http_id_hash(id);
}

static int
http_was_ended(const char *id)
{
	uint64_t	h = http_id_hash(id);
	size_t		i;

	for (i = 0; i < HTTP_ENDED && i < http_nended; i++)
		if (http_ended[i] == h)
			return 1;
	return 0;
}

/*
 * A session another instance issued (or this one, before it let the
 * session go): its state from its id, served from here on. NULL when the
 * id is not a sealed one of this fleet's key.
 */
static struct http_session *
http_session_restore(const char *id)
{
	struct http_session	*hs;
	struct json_object	*p, *v;
	const char		*token = id;
	size_t			 len = strlen(id);

	/* [instance.]payload.mac: the instance hint is for balancers. */
	if (len >= HTTP_SESSION_ID_MAX || http_was_ended(id))
		return NULL;
	if ((v = NULL, strchr(id, '.') != strrchr(id, '.')))
		token = strchr(id, '.') + 1;
	if ((p = state_session_open(token, strlen(token))) == NULL)
		return NULL;
	/* Its client, if any, must be the one asking now. */
	if (json_object_object_get_ex(p, "u", &v) != (ht.client != NULL) ||
	    (v != NULL && ht.client != NULL &&
	    strcmp(json_object_get_string(v), ht.client) != 0)) {
		json_object_put(p);
		return NULL;
	}
	if (ht.nsessions >= settings.http_max_sessions &&
	    !http_session_evict()) {
		ht.restore_busy = 1;	/* a good id, no room now: 503 */
		json_object_put(p);
		return NULL;
	}
	hs = http_session_alloc(0);
	memcpy(hs->id, id, len + 1);
	hs->sealed = hs->restored = 1;
	hs->session->mcp.era = MCP_ERA_2025;
	hs->session->mcp.initialized = 1;
	json_object_object_get_ex(p, "v", &v);
	hs->session->mcp.protocol = xstrdup(json_object_get_string(v));
	if (json_object_object_get_ex(p, "n", &v))
		hs->session->mcp.client_name = xstrdup(json_object_get_string(v));
	if (json_object_object_get_ex(p, "r", &v))
		hs->session->mcp.client_version =
		    xstrdup(json_object_get_string(v));
	if (json_object_object_get_ex(p, "c", &v))
		hs->session->mcp.client_caps = json_object_get(v);
	if (json_object_object_get_ex(p, "t", &v))
		snprintf(hs->issued, sizeof(hs->issued), "%s",
		    json_object_get_string(v));
	snprintf(hs->session->peer, sizeof(hs->session->peer),
	    "http (a session issued elsewhere)");
	log_info("session %u: a session issued elsewhere, served here",
	    hs->session->id);
	json_object_put(p);
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
/*
 * The idle session touched longest ago leaves the table: 1, or 0 when
 * every one is busy. A sealed one is not lost: its next request restores
 * it (the cap bounds live state, not the sessions clients hold).
 */
static int
http_session_evict(void)
{
	struct http_session	*hs, *oldest = NULL;

	TAILQ_FOREACH(hs, &ht.sessions, entry)
		if (http_session_idle(hs) && (oldest == NULL ||
		    timercmp(&hs->touched, &oldest->touched, <)))
			oldest = hs;
	if (oldest == NULL)
		return 0;
	log_debug("session %u: idle, out of the table to make room (%zu "
	    "HTTP sessions)", oldest->session->id, settings.http_max_sessions);
	http_session_free(oldest);
	return 1;
}

/* 503: every held session busy (streams open), nothing to let go. */
static void
http_session_full(struct evhttp_request *req, const struct mcp_request *r)
{
	char	why[160];

	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Retry-After", "1");
	snprintf(why, sizeof(why), "Service Unavailable: %zu HTTP sessions are "
	    "open and busy; end one (DELETE) or retry",
	    settings.http_max_sessions);
	http_error_to(req, r, 503, -32000, why);
}

int
http_session_room(struct evhttp_request *req)
{
	if (ht.nsessions < settings.http_max_sessions ||
	    http_session_evict())
		return 1;
	http_session_full(req, NULL);
	return 0;
}

/*
 * After http_session_find found nothing: 1 when that was a good id with
 * no room to serve it now (every held session busy), answered 503 so the
 * client retries rather than losing its session to a 404.
 */
int
http_session_busy_answer(struct evhttp_request *req,
    const struct mcp_request *r)
{
	if (!ht.restore_busy)
		return 0;
	http_session_full(req, r);
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
