/* SPDX-License-Identifier: ISC */
/*
 * Requests at /mcp: a POST carries one JSON-RPC message, answered in its
 * response as JSON or as a stream, 202 for a notification or response;
 * initialize issues Mcp-Session-Id; the 2026 era goes to http_stateless.c;
 * GET opens the session's stream, DELETE ends it.
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

static int	http_version_ok(struct evhttp_request *);
static void	http_rpc_error(struct evhttp_request *, struct json_object *);
static int	http_is_initialize(const struct mcp_request *);
static int	http_expect_reply(struct http_session *,
	    struct evhttp_request *, const struct mcp_request *);
static struct http_session *http_post_session(struct evhttp_request *,
	    const struct mcp_request *);
static void	http_post(struct evhttp_request *);

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
const struct mcp_request *
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
	p->closed = http_watch_close(req);
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
	if ((hs = http_session_find(sid)) == NULL &&
	    http_session_busy_answer(req, r))
		return NULL;
	if (hs == NULL || hs->legacy) {
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
int
http_stateless(struct evhttp_request *req, const struct mcp_request *r,
    int response)
{
	const char	*version = http_header(req, "MCP-Protocol-Version");
	enum mcp_era	 era;

	if (http_header(req, "Mcp-Session-Id") != NULL && !settings.http_stateless)
		return 0;
	if (response) {		/* 2026 asks in results, not requests */
		if (!settings.http_stateless && (version == NULL ||
		    strcmp(version, MCP_VERSION_2026) != 0))
			return 0;
		http_reply(req, 202, "Accepted", NULL, NULL, 0);
		return 1;
	}
	if ((era = mcp_era_of(r, version)) != MCP_ERA_2026 &&
	    !settings.http_stateless)
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
		    "Mcp-Session-Id", http_session_id(hs));
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
		    "Mcp-Session-Id", http_session_id(hs));
		http_reply(req, 202, "Accepted", NULL, NULL, 0);
	}
}

void
http_mcp(struct evhttp_request *req, void *arg)
{
	struct http_session	*hs;
	struct json_object	*n;
	const char		*sid = http_header(req, "Mcp-Session-Id");

	(void)arg;
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_POST:
		http_post(req);
		return;
	case EVHTTP_REQ_GET:
	case EVHTTP_REQ_DELETE:
		if (!settings.http_stateless)
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
		if ((hs = http_session_find(sid)) == NULL &&
		    http_session_busy_answer(req, NULL))
			return;
		if (hs == NULL || hs->legacy) {
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
		/* Issued (or last told) another version, maybe elsewhere:
		 * the client lists again (a spurious one is harmless). */
		if (hs->restored && strcmp(hs->issued, sv.tools_version) != 0 &&
		    hs->session->mcp.initialized) {
			hs->restored = 0;
			snprintf(hs->issued, sizeof(hs->issued), "%s",
			    sv.tools_version);
			if ((n = mcp_list_changed(&hs->session->mcp)) != NULL) {
				session_send(hs->session, n, NULL, 0);
				json_object_put(n);
			}
		}
		return;
	case EVHTTP_REQ_DELETE:
		if ((hs = http_session_find(sid)) == NULL &&
		    http_session_busy_answer(req, NULL))
			return;
		if (hs == NULL || hs->legacy) {
			http_error(req, 404, "Not Found", -32600,
			    "unknown or expired Mcp-Session-Id");
			return;
		}
		log_info("session %u: ended by DELETE", hs->session->id);
		http_session_ended(hs->id);	/* here: not restored again */
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
