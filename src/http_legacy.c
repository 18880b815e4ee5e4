/* SPDX-License-Identifier: ISC */
/*
 * The older HTTP+SSE transport the seed served: GET /sse opens the stream
 * and names a POST endpoint (/messages?sessionId=...); everything the
 * server sends goes down the stream.
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

void
http_sse(struct evhttp_request *req, void *arg)
{
	struct http_session	*hs;
	char			 endpoint[32 + HTTP_SESSION_ID_MAX];

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

void
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
