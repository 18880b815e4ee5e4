/* SPDX-License-Identifier: ISC */
/*
 * mcp-hotctl: talk to a running mcp-hotd over its unix socket.
 *
 *	reload		reload the tools file; prints what changed
 *	status		tools, workers and sessions (--json: as JSON)
 *	token NAME	a new bearer token for a client of --clients, and
 *			its line for that file (the token is shown once)
 *	diff [FILE]	what a reload of FILE (default: the daemon's own
 *			file) would change, before it is signed or served
 *	bridge		relay stdin/stdout to the daemon, so an MCP client that
 *			can only spawn a command uses the shared service
 *			(bridge.c; it survives a restart of the daemon)
 */
#include "config.h"

#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>

#include "bridge.h"
#include "log.h"
#include "sha256.h"

#define DEFAULT_SOCKET	"/run/mcp-hotd/mcp-hotd.sock"

static const char *ctl_socket = DEFAULT_SOCKET;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: mcp-hotctl [-s socket] reload | status "
	    "[--json] | diff [file] | token name | bridge\n");
	exit(2);
}

/* The daemon's socket, or -1 (errno set). */
static int
ctl_try_connect(void)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd;

	if (strlen(ctl_socket) >= sizeof(sun.sun_path))
		fatalx("%s: socket path too long", ctl_socket);
	strncpy(sun.sun_path, ctl_socket, sizeof(sun.sun_path) - 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatalx("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
ctl_connect(void)
{
	int	fd;

	if ((fd = ctl_try_connect()) == -1)
		fatalx("cannot connect to %s: %s (is mcp-hotd running?)",
		    ctl_socket, strerror(errno));
	return fd;
}

static void
write_all(int fd, const char *buf, size_t len)
{
	if (write_full(fd, buf, len) == -1)
		fatalx("write: %s", strerror(errno));
}

/*
 * Send one control request (params: taken, or NULL); return its result
 * (the reply line parsed).
 */
static struct json_object *
ctl_request_params(const char *method, struct json_object *params)
{
	struct json_object	*reply, *v, *req;
	const char		*s;
	char			*line = NULL;
	size_t			 cap = 0, len;
	FILE			*f;
	int			 fd = ctl_connect();

	req = json_object_new_object();
	json_object_object_add(req, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(req, "id", json_object_new_int(1));
	json_object_object_add(req, "method", json_object_new_string(method));
	if (params != NULL)
		json_object_object_add(req, "params", params);
	s = json_object_to_json_string_length(req, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	write_all(fd, s, len);
	write_all(fd, "\n", 1);
	json_object_put(req);
	shutdown(fd, SHUT_WR);
	if ((f = fdopen(fd, "r")) == NULL)
		fatalx("fdopen: %s", strerror(errno));
	if (getline(&line, &cap, f) == -1)
		fatalx("the daemon closed the connection without answering");
	fclose(f);
	if ((reply = json_tokener_parse(line)) == NULL)
		fatalx("unreadable reply: %s", line);
	free(line);
	if (json_object_object_get_ex(reply, "error", &v))
		fatalx("%s", json_object_get_string(json_object_object_get(v,
		    "message")));
	if (!json_object_object_get_ex(reply, "result", &v))
		fatalx("reply without a result");
	json_object_get(v);
	json_object_put(reply);
	return v;
}

static struct json_object *
ctl_request(const char *method)
{
	return ctl_request_params(method, NULL);
}

/* path's whole text (malloc'd, NUL-ended), or NULL when it is absent. */
static char *
read_text(const char *path, int must)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;

	if ((f = fopen(path, "r")) == NULL) {
		if (must || errno != ENOENT)
			fatalx("%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - len < 65536 &&
		    (buf = realloc(buf, cap = cap ? cap * 2 : 65536)) == NULL)
			fatalx("out of memory");
		if ((n = fread(buf + len, 1, cap - len - 1, f)) == 0)
			break;
		len += n;
	}
	if (ferror(f))
		fatalx("%s: %s", path, strerror(errno));
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/*
 * diff [FILE]: the daemon's review of FILE (with FILE.sig, if there is
 * one) against what serves, or of its own file; printed as it says it.
 */
static int
cmd_diff(const char *file)
{
	struct json_object	*params = NULL, *r, *v;
	char			 real[4096], sigpath[4200], *text, *sig;

	if (file != NULL) {
		if (realpath(file, real) == NULL)
			fatalx("%s: %s", file, strerror(errno));
		snprintf(sigpath, sizeof(sigpath), "%s.sig", real);
		text = read_text(real, 1);
		params = json_object_new_object();
		json_object_object_add(params, "file",
		    json_object_new_string(real));
		json_object_object_add(params, "text",
		    json_object_new_string(text));
		if ((sig = read_text(sigpath, 0)) != NULL)
			json_object_object_add(params, "signature",
			    json_object_new_string(sig));
		free(text);
		free(sig);
	}
	r = ctl_request_params("mcp-hotd/diff", params);
	if (json_object_object_get_ex(r, "review", &v))
		fputs(json_object_get_string(v), stdout);
	json_object_put(r);
	return 0;
}

/*
 * token NAME: 256 random bits as 64 hex digits, and the --clients entry
 * that knows it by its SHA-256 (the file never holds the token). Needs
 * no daemon.
 */
static int
cmd_token(const char *name)
{
	struct json_object	*e;
	uint8_t			 rnd[32], d[SHA256_LEN];
	char			 token[2 * sizeof(rnd) + 1], hex[2 * SHA256_LEN + 1];
	size_t			 i;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		fatalx("getrandom: %s", strerror(errno));
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(token + 2 * i, 3, "%02x", rnd[i]);
	explicit_bzero(rnd, sizeof(rnd));
	sha256(token, strlen(token), d);
	for (i = 0; i < SHA256_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	e = json_object_new_object();
	json_object_object_add(e, "name", json_object_new_string(name));
	json_object_object_add(e, "token_sha256", json_object_new_string(hex));
	json_object_object_add(e, "tools", json_object_new_array());
	printf("token %s\n%s\n", token, json_object_to_json_string_ext(e,
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(e);
	explicit_bzero(token, sizeof(token));
	return 0;
}

static const char *
str_or(struct json_object *o, const char *key, const char *def)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return def;
	return json_object_get_string(v);
}

static void
print_names(struct json_object *r, const char *key)
{
	struct json_object	*a;
	size_t			 i, n;

	if (!json_object_object_get_ex(r, key, &a) ||
	    (n = json_object_array_length(a)) == 0)
		return;
	printf("%s:", key);
	for (i = 0; i < n; i++)
		printf(" %s", json_object_get_string(
		    json_object_array_get_idx(a, i)));
	printf("\n");
}

static int
print_problems(struct json_object *r, const char *key, const char *word)
{
	struct json_object	*a, *e;
	size_t			 i, n = 0;

	if (!json_object_object_get_ex(r, key, &a))
		return 0;
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(a, i);
		printf("%s %s: %s\n", word, str_or(e, "name", "(unnamed)"),
		    str_or(e, "error", "?"));
	}
	return (int)n;
}

static int
cmd_reload(void)
{
	struct json_object	*r = ctl_request("mcp-hotd/reload");
	int			 bad;

	if (!json_object_get_boolean(json_object_object_get(r, "ok"))) {
		printf("reload failed, nothing changed: %s\n",
		    str_or(r, "error", "?"));
		json_object_put(r);
		return 1;
	}
	printf("reloaded: %d tools serving\n",
	    json_object_get_int(json_object_object_get(r, "tools")));
	print_names(r, "added");
	print_names(r, "changed");
	print_names(r, "removed");
	print_names(r, "loading");	/* still, by an earlier reload */
	bad = print_problems(r, "failed", "FAILED");
	bad += print_problems(r, "skipped", "SKIPPED");
	json_object_put(r);
	return bad ? 1 : 0;
}

/* A tool's errors, every kind, in one number. */
static long long
status_errors(struct json_object *t)
{
	struct json_object	*e;
	long long		 n = 0;

	if (!json_object_object_get_ex(t, "errors", &e) ||
	    !json_object_is_type(e, json_type_object))
		return 0;
	json_object_object_foreach(e, kind, v) {
		(void)kind;
		n += json_object_get_int64(v);
	}
	return n;
}

/* "p50/p99" in ms, or "-" before any call. */
static const char *
status_latency(struct json_object *t, char *buf, size_t len)
{
	struct json_object	*l, *p50, *p99;

	if (!json_object_object_get_ex(t, "latency_ms", &l) ||
	    !json_object_object_get_ex(l, "p50", &p50) ||
	    !json_object_object_get_ex(l, "p99", &p99))
		return "-";
	snprintf(buf, len, "%.1f/%.1f", json_object_get_double(p50),
	    json_object_get_double(p99));
	return buf;
}

static int
cmd_status(int json)
{
	struct json_object	*r = ctl_request("mcp-hotd/status"), *a, *t;
	size_t			 i, n;
	char			 lat[32];

	if (json) {
		printf("%s\n", json_object_to_json_string_ext(r,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(r);
		return 0;
	}
	printf("config %s\nHTTP connections %s, bytes unread by clients %s\n",
	    str_or(r, "config", "?"), str_or(r, "http_connections", "0"),
	    str_or(r, "unread_bytes", "0"));
	if (json_object_object_get_ex(r, "tools_signer", &t) && t != NULL)
		printf("tools version %s signed by %s (key %s)\n",
		    str_or(r, "tools_version", "?"), str_or(t, "principal", "?"),
		    str_or(t, "key", "?"));
	else
		printf("tools version %s, unsigned\n",
		    str_or(r, "tools_version", "?"));
	printf("\n");
	printf("%-24s %-9s %-8s %-9s %8s %7s %-13s %8s %-16s %s\n", "TOOL",
	    "STATE", "PID", "WORKER", "CALLS", "ERRORS", "P50/P99 MS",
	    "RESTARTS", "VERSION", "LAST ERROR");
	json_object_object_get_ex(r, "tools", &a);
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		t = json_object_array_get_idx(a, i);
		printf("%-24s %-9s %-8s %-9s %8s %7lld %-13s %8s %-16s %s\n",
		    str_or(t, "name", "?"), str_or(t, "state", "?"),
		    str_or(t, "pid", "-"), str_or(t, "worker", "?"),
		    str_or(t, "calls_served", "0"), status_errors(t),
		    status_latency(t, lat, sizeof(lat)),
		    str_or(t, "restarts", "0"), str_or(t, "version", "?"),
		    str_or(t, "last_error", ""));
	}
	printf("\n%-8s %-10s %-28s %-20s %s\n", "SESSION", "TRANSPORT", "PEER",
	    "CLIENT", "IN FLIGHT");
	json_object_object_get_ex(r, "sessions", &a);
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		t = json_object_array_get_idx(a, i);
		printf("%-8s %-10s %-28s %-20s %s\n", str_or(t, "id", "?"),
		    str_or(t, "transport", "?"), str_or(t, "peer", "?"),
		    str_or(t, "client", "-"), str_or(t, "in_flight", "0"));
	}
	json_object_put(r);
	return 0;
}

int
main(int argc, char *argv[])
{
	int	ch;

	signal(SIGPIPE, SIG_IGN);
	log_init("mcp-hotctl", 0);
	if (getenv("MCP_HOTD_SOCKET") != NULL)
		ctl_socket = getenv("MCP_HOTD_SOCKET");
	while ((ch = getopt(argc, argv, "+s:")) != -1) {
		switch (ch) {
		case 's':
			ctl_socket = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 1 && strcmp(argv[0], "reload") == 0)
		return cmd_reload();
	if (argc == 1 && strcmp(argv[0], "status") == 0)
		return cmd_status(0);
	if (argc == 2 && strcmp(argv[0], "status") == 0 &&
	    strcmp(argv[1], "--json") == 0)
		return cmd_status(1);
	if (argc == 2 && strcmp(argv[0], "token") == 0)
		return cmd_token(argv[1]);
	if ((argc == 1 || argc == 2) && strcmp(argv[0], "diff") == 0)
		return cmd_diff(argc == 2 ? argv[1] : NULL);
	if (argc == 1 && strcmp(argv[0], "bridge") == 0)
		return bridge_run(ctl_connect(), ctl_try_connect);
	usage();
}
