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
 *
 * This file is the face itself: listening (or a socket handed over),
 * dispatch by path, shutdown. By concern, the rest:
 * http_conn.c (connections: counted, capped, deadlines), http_guard.c
 * (Origin, Host, token; error replies), http_probe.c (/healthz, /readyz,
 * /metrics), http_session.c (the session
 * table), http_stream.c (event streams and replay), http_post.c (requests
 * at /mcp), http_stateless.c (the 2026 era), http_legacy.c (/sse and
 * /messages). http.h is their private header.
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
#include "clients.h"
#include "mcp-hotd.h"
#include "xmalloc.h"
#include "http.h"

struct http_face ht = { .sessions = TAILQ_HEAD_INITIALIZER(ht.sessions) };

static void	http_version_header(struct evhttp_request *);
static void	http_dispatch(struct evhttp_request *, void *);
static void	http_setup(void);
static void	http_max_connections(void);

/*
 * The tools version, for an answer to a client that may see it: one that
 * passed the token check (probes pass it only where there is no token).
 * A refused client learns nothing of what is served.
 */
static void
http_version_header(struct evhttp_request *req)
{
	char	version[17];

	if (sv.tools_version[0] == '\0')
		return;
	/* A client of --clients: the version of what it may see. */
	if (ht.client != NULL)
		mcp_tools_version(ht.client, version);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Mcp-Hotd-Tools-Version", ht.client != NULL ? version :
	    sv.tools_version);
}

static void
http_dispatch(struct evhttp_request *req, void *arg)
{
	const char	*path;
	int		 st;

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
	if (!ht.accepting && !(sv.shutting_down && ht.http != NULL &&
	    http_conn_before_stop(req))) {
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
	/* The resource's metadata (OAuth), before any token; without
	 * OAuth, clients that probe for it must not take a 401 here for one
	 * that refuses them. */
	if (http_resource_metadata(req, path))
		return;
	if (path != NULL && strncmp(path, "/.well-known/", 13) == 0) {
		http_error(req, 404, "Not Found", -32600, "Not Found: no OAuth "
		    "here; this server takes a static bearer token, if any");
		return;
	}
	/* --clients: the token says which client this is; else the one
	 * token, if any. */
	if (clients_on() && (st = http_authenticate(req, &ht.client)) != 0) {
		http_error(req, st, st == 403 ? "Forbidden" : "Unauthorized",
		    -32600, st == 403 ? "Forbidden: the token's scopes name "
		    "no client of this server" : "Unauthorized: a valid "
		    "bearer token is required");
		return;
	}
	if (!clients_on() && !http_token_ok(req)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer");
		http_error(req, 401, "Unauthorized", -32600, "Unauthorized: "
		    "a valid bearer token is required");
		return;
	}
	if (ht.token != NULL || ht.client != NULL)
		http_version_header(req);
	if (path != NULL && strcmp(path, "/metrics") == 0)
		http_metrics(req);
	else if (path != NULL && strcmp(path, "/mcp") == 0)
		http_mcp(req, NULL);
	else if (path != NULL && strcmp(path, "/sse") == 0)
		http_sse(req, NULL);
	else if (path != NULL && strcmp(path, "/messages") == 0)
		http_messages(req, NULL);
	else
		http_error(req, 404, "Not Found", -32600, "no such path: the "
		    "MCP endpoint is /mcp (or /sse for the old transport)");
	ht.client = NULL;	/* the clients table may change before the next */
}

/* "PORT", "ADDR:PORT" or "[V6]:PORT"; the address defaults to loopback. */
void
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
	evhttp_set_max_body_size(ht.http, (ev_ssize_t)settings.max_request);
	/* An unfinished header is buffered whole: bound it (libevent 400s). */
	evhttp_set_max_headers_size(ht.http, HTTP_MAX_HEADERS);
	/*
	 * A connection that sends nothing for this long is closed: idle
	 * keep-alives and requests left half-sent. Event streams and POSTs
	 * waiting for a call's answer are exempt (http_wait_forever).
	 */
	evhttp_set_timeout(ht.http, (int)settings.http_timeout);
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

	if (settings.http_max_connections == 0) {
		settings.http_max_connections = 512;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    rl.rlim_cur != RLIM_INFINITY)
			settings.http_max_connections = rl.rlim_cur / 2;
		if (settings.http_max_connections > 4096)
			settings.http_max_connections = 4096;
		if (settings.http_max_connections < 8)
			settings.http_max_connections = 8;
	}
	log_info("HTTP: at most %zu connections, %zu sessions",
	    settings.http_max_connections, settings.http_max_sessions);
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
	ht.allow_host = settings.http_allow_host;
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

/*
 * Shutting down: under socket activation no new connection, those in the
 * backlog are the next process's. A port of our own is accepted on until
 * it closes: what waits in its backlog then is reset, and a balancer that
 * sent a request there reports a failure (it will not send a POST twice).
 */
void
transport_http_listen_off(void)
{
	if (ht.guard != NULL && ht.inherited)
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
