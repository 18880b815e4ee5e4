/* SPDX-License-Identifier: ISC */
/*
 * What every HTTP request passes before its handler, and the replies:
 * Origin and Host checked against local names (or --http-origin, --http-
 * allow-host), the bearer token (read from its file, re-read on SIGHUP),
 * error replies in the shape each era wants.
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
#include "oauth.h"
#include "mcp-hotd.h"
#include "xmalloc.h"
#include "http.h"

static int	http_local_host(const char *, size_t);
static int	http_host_len(const char *);

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

void
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
int
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
int
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

int
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

/* --clients: the client of the request being handled, or NULL. */
const char *
http_request_client(void)
{
	return ht.client;
}

/*
 * The resource's metadata URL (RFC 9728 3.1): the well-known path put
 * between the resource's origin and its path.
 */
static void
http_metadata_url(char *buf, size_t size)
{
	const char	*r = oauth_resource(), *host, *path;

	host = (host = strstr(r, "://")) != NULL ? host + 3 : r;
	if ((path = strchr(host, '/')) == NULL)
		path = "";
	snprintf(buf, size, "%.*s/.well-known/oauth-protected-resource%s",
	    (int)((path[0] != '\0' ? path : host + strlen(host)) - r), r,
	    strcmp(path, "/") == 0 ? "" : path);
}

/* The scopes the file's clients name, space-separated, into buf. */
static void
http_scopes(char *buf, size_t size)
{
	struct json_object	*a = clients_scopes();
	size_t			 i, n = json_object_array_length(a), len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i ? " " : "", json_object_get_string(
		    json_object_array_get_idx(a, i)));
	json_object_put(a);
}

/* A challenge naming the metadata and scopes (error: NULL or its code). */
static void
http_challenge(struct evhttp_request *req, const char *error)
{
	char	h[2048], url[1024], scopes[1024];

	if (!oauth_on()) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer");
		return;
	}
	http_metadata_url(url, sizeof(url));
	http_scopes(scopes, sizeof(scopes));
	snprintf(h, sizeof(h), "Bearer %s%s%sresource_metadata=\"%s\", "
	    "scope=\"%s\"", error ? "error=\"" : "", error ? error : "",
	    error ? "\", " : "", url, scopes);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "WWW-Authenticate", h);
}

/*
 * --clients: who the request is, by its bearer token: a client's own
 * token, or (OAuth) an access token whose scopes name clients. 0 and
 * *client; or the status to answer, 401 or 403, its challenge set.
 */
int
http_authenticate(struct evhttp_request *req, const char **client)
{
	static char	 several[1024];
	const char	*auth = http_header(req, "Authorization");
	char		*scopes, why[256];

	*client = NULL;
	if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0) {
		http_challenge(req, NULL);
		return 401;
	}
	if ((*client = clients_by_token(auth + 7)) != NULL)
		return 0;
	if (!oauth_on()) {
		http_challenge(req, NULL);
		return 401;
	}
	if (oauth_verify(auth + 7, &scopes, why, sizeof(why)) == -1) {
		log_info("oauth: a token refused: %s", why);
		http_challenge(req, "invalid_token");
		return 401;
	}
	*client = clients_by_scopes(scopes, several, sizeof(several));
	free(scopes);
	if (*client == NULL) {
		http_challenge(req, "insufficient_scope");
		return 403;
	}
	return 0;
}

/* OAuth: the protected resource's metadata (RFC 9728), or 0 if none. */
int
http_resource_metadata(struct evhttp_request *req, const char *path)
{
	struct json_object	*m, *a;
	struct evbuffer		*b;
	const char		*s;
	char			 url[1024], *p;
	size_t			 len;

	if (!oauth_on() || path == NULL)
		return 0;
	http_metadata_url(url, sizeof(url));
	p = strstr(url, "/.well-known/");
	if (strcmp(path, "/.well-known/oauth-protected-resource") != 0 &&
	    (p == NULL || strcmp(path, p) != 0))
		return 0;
	m = json_object_new_object();
	json_object_object_add(m, "resource",
	    json_object_new_string(oauth_resource()));
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string(oauth_issuer()));
	json_object_object_add(m, "authorization_servers", a);
	json_object_object_add(m, "scopes_supported", clients_scopes());
	a = json_object_new_array();
	json_object_array_add(a, json_object_new_string("header"));
	json_object_object_add(m, "bearer_methods_supported", a);
	json_object_object_add(m, "resource_name",
	    json_object_new_string("mcp-hotd"));
	s = json_object_to_json_string_length(m, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if ((b = evbuffer_new()) == NULL)
		fatal("%s", __func__);
	evbuffer_add(b, s, len);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
	json_object_put(m);
	return 1;
}

/* The token: the file's first line, 16 characters or more; NULL and why. */
char *
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
