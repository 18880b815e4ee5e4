/* SPDX-License-Identifier: ISC */
/*
 * The HTTP face's private header: its sessions, streams and state, shared
 * by transport_http.c (the listener and dispatch), http_guard.c,
 * http_session.c, http_stream.c, http_legacy.c and http_post.c. Nothing
 * else includes it.
 */
#ifndef HTTP_H
#define HTTP_H

#define HTTP_SESSION_ID_LEN	32
#define HTTP_SESSION_ID_MAX	400	/* a sealed id: instance, state, MAC */
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
	struct event		*closed;	/* its client closing, seen */
};

struct http_session {
	TAILQ_ENTRY(http_session) entry;
	struct session		*session;
	char			 id[HTTP_SESSION_ID_MAX]; /* [instance.]token, or
						 * [instance.]hex for the
						 * legacy transport */
	int			 sealed;	/* id is its signed state */
	int			 restored;	/* from its id, here: not told of
						 * a change yet */
	char			 issued[17];	/* the tools version it was
						 * told of when sealed */
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

/* The face's state (transport_http.c). */
struct http_face {
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
	int			 restore_busy;	/* the last find: a good id,
						 * no room (http_session.c) */
	const char		*client;	/* --clients: the request's, as
						 * its token says (valid while
						 * it is handled) */
	TAILQ_HEAD(, http_session) sessions;
};
extern struct http_face ht;

/* http_probe.c */
int		 http_probe(struct evhttp_request *, const char *);
void		 http_metrics(struct evhttp_request *);

/* transport_http.c */
void		 http_parse_addr(const char *, char *, size_t, int *);

/* http_guard.c */
void		 http_error(struct evhttp_request *, int, const char *, int,
		    const char *);
int		 http_origin_ok(const char *);
int		 http_host_ok(const char *);
int		 http_token_ok(struct evhttp_request *);
int		 http_authenticate(struct evhttp_request *, const char **);
const char	*http_session_id(struct http_session *);
int		 http_session_busy_answer(struct evhttp_request *,
		    const struct mcp_request *);
void		 http_session_ended(const char *);
int		 http_resource_metadata(struct evhttp_request *, const char *);
char		*http_read_token(const char *, char *, size_t);

/* http_session.c */
void		 http_touch(struct http_session *);
void		 http_idle(evutil_socket_t, short, void *);
struct http_session *http_session_find(const char *);
struct http_pending *http_pending_find(struct http_session *, const char *,
		    size_t);
void		 http_request_orphaned(struct evhttp_request *);
void		 http_pending_gone(struct evhttp_connection *, void *);
struct http_session *http_session_new(struct evhttp_request *, int);
void		 http_session_free(struct http_session *);
int		 http_session_room(struct evhttp_request *);
int		 http_session_busy(struct http_session *,
		    struct evhttp_request *, const struct mcp_request *);

/* http_stream.c */
void		 http_sse_send(struct http_session *, const char *,
		    const char *, size_t);
void		 http_sse_resume(struct http_session *, const char *);
void		 http_keepalive(evutil_socket_t, short, void *);
void		 http_stream_end(struct http_session *);
void		 http_open_stream(struct http_session *,
		    struct evhttp_request *);
size_t		 http_stream_unread(const struct http_session *);

/* http_legacy.c */
void		 http_sse(struct evhttp_request *, void *);
void		 http_messages(struct evhttp_request *, void *);

/* http_post.c */
const struct mcp_request *http_body(struct evhttp_request *, int *);
int		 http_stateless(struct evhttp_request *,
		    const struct mcp_request *, int);
void		 http_mcp(struct evhttp_request *, void *);

#endif /* HTTP_H */
