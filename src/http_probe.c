/* SPDX-License-Identifier: ISC */
/*
 * What the HTTP face answers monitors rather than clients: the probes
 * balancers send (/healthz, /readyz: before any Origin, Host or token
 * check, as they send none) and Prometheus's scrape (/metrics: behind the
 * token, like /mcp).
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "log.h"
#include "clients.h"
#include "mcp-hotd.h"
#include "http.h"
#include "metrics.h"

/*
 * Probes for balancers, before Origin, Host and token checks (they send
 * none of those): /healthz while the process runs, /readyz while it
 * takes new work (503 from SIGTERM on, through any --drain-delay).
 * 1 when req was one of them.
 */
int
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

/* --clients: sessions open per client (label set: the file's names). */
static void
http_metrics_clients(struct evbuffer *b)
{
	struct session	*s, *t;
	unsigned	 n;

	if (!clients_on())
		return;
	metrics_family(b, "mcp_hotd_client_sessions", "gauge",
	    "Sessions open, per client of --clients.");
	TAILQ_FOREACH(s, &sv.sessions, entry) {
		if (s->mcp.client == NULL)
			continue;
		/* Once per name: the first session of it counts them all. */
		for (t = TAILQ_FIRST(&sv.sessions); t != s; t = TAILQ_NEXT(t,
		    entry))
			if (t->mcp.client != NULL &&
			    strcmp(t->mcp.client, s->mcp.client) == 0)
				break;
		if (t != s)
			continue;
		for (n = 0, t = s; t != NULL; t = TAILQ_NEXT(t, entry))
			n += t->mcp.client != NULL &&
			    strcmp(t->mcp.client, s->mcp.client) == 0;
		evbuffer_add_printf(b, "mcp_hotd_client_sessions{client=\"");
		metrics_label(b, s->mcp.client);
		evbuffer_add_printf(b, "\"} %u\n", n);
	}
}

/*
 * The tools version served (tools/list's _meta), its signer's principal
 * and key when --trusted-signers is set, and when its file was loaded.
 */
static void
http_metrics_served(struct evbuffer *b)
{
	struct json_object	*served = reload_served(), *signer = NULL, *v;
	const char		*principal = "", *key = "";

	if (served != NULL &&
	    json_object_object_get_ex(served, "signer", &signer) &&
	    signer != NULL) {
		if (json_object_object_get_ex(signer, "principal", &v))
			principal = json_object_get_string(v);
		if (json_object_object_get_ex(signer, "key", &v))
			key = json_object_get_string(v);
	}
	metrics_family(b, "mcp_hotd_tools_info", "gauge",
	    "The tools version served (tools/list's _meta) and who signed "
	    "its file (empty: unsigned).");
	evbuffer_add_printf(b, "mcp_hotd_tools_info{version=\"%s\",signer=\"",
	    sv.tools_version);
	metrics_label(b, principal);
	evbuffer_add_printf(b, "\",key=\"");
	metrics_label(b, key);
	evbuffer_add_printf(b, "\"} 1\n");
	metrics_family(b, "mcp_hotd_tools_loaded_timestamp_seconds", "gauge",
	    "When the tools file that serves was loaded.");
	evbuffer_add_printf(b, "mcp_hotd_tools_loaded_timestamp_seconds %lld\n",
	    served != NULL && json_object_object_get_ex(served, "loaded", &v) ?
	    (long long)json_object_get_int64(v) : 0LL);
}

/*
 * GET /metrics: Prometheus text (metrics.c), behind the token like /mcp:
 * the names of the tools and their counts are the operator's to see.
 */
void
http_metrics(struct evhttp_request *req)
{
	struct evbuffer	*b;
	struct session	*s;
	unsigned	 n = 0;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		http_error(req, 405, "Method Not Allowed", -32600,
		    "GET /metrics");
		return;
	}
	if ((b = evbuffer_new()) == NULL)
		fatal("%s", __func__);
	metrics_render(b);
	TAILQ_FOREACH(s, &sv.sessions, entry)
		n++;
	metrics_family(b, "mcp_hotd_sessions", "gauge",
	    "Client sessions open, every face.");
	evbuffer_add_printf(b, "mcp_hotd_sessions %u\n", n);
	metrics_family(b, "mcp_hotd_http_connections", "gauge",
	    "HTTP connections open.");
	evbuffer_add_printf(b, "mcp_hotd_http_connections %u\n",
	    http_conn_count());
	http_metrics_clients(b);
	metrics_family(b, "mcp_hotd_tools", "gauge", "Tools served.");
	evbuffer_add_printf(b, "mcp_hotd_tools %zu\n", sv.nroutes);
	http_metrics_served(b);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/*
 * --metrics-listen ADDR:PORT: /metrics alone, for a monitor, on a listener
 * of its own (no MCP there, and no token: bind it where only the monitor
 * reaches, as the man page says). A connection idle METRICS_TIMEOUT
 * seconds is closed.
 */
#define METRICS_TIMEOUT		10

static void
http_metrics_only(struct evhttp_request *req, void *arg)
{
	const char	*path;

	(void)arg;
	path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (path != NULL && strcmp(path, "/metrics") == 0)
		http_metrics(req);
	else
		http_reply(req, 404, "Not Found", "text/plain",
		    "only /metrics here\n", 19);
}

static struct evhttp	*metrics_http;

/* At exit: the listener closed, its connections freed. */
void
http_metrics_close(void)
{
	if (metrics_http != NULL)
		evhttp_free(metrics_http);
	metrics_http = NULL;
}

void
http_metrics_listen(const char *spec)
{
	struct evhttp			*h;
	struct evhttp_bound_socket	*bound;
	struct sockaddr_storage		 ss;
	socklen_t			 sl = sizeof(ss);
	char				 addr[256];
	int				 port;

	http_parse_addr(spec, addr, sizeof(addr), &port);
	if ((h = evhttp_new(sv.base)) == NULL)
		fatal("%s", __func__);
	evhttp_set_allowed_methods(h, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_timeout(h, METRICS_TIMEOUT);
	evhttp_set_gencb(h, http_metrics_only, NULL);
	metrics_http = h;
	if ((bound = evhttp_bind_socket_with_handle(h, addr,
	    (uint16_t)port)) == NULL)
		fatal("--metrics-listen %s", spec);
	/* Port 0 took one: say which. */
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&ss, &sl) == 0)
		port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	log_info("metrics endpoint http://%s%s%s:%d/metrics",
	    strchr(addr, ':') ? "[" : "", addr, strchr(addr, ':') ? "]" : "",
	    port);
}
