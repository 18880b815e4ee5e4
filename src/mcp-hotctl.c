/* SPDX-License-Identifier: ISC */
/*
 * mcp-hotctl: talk to a running mcp-hotd over its unix socket.
 *
 *	reload		reload the tools file; prints what changed
 *	status		tools, workers and sessions (--json: as JSON)
 *	bridge		relay stdin/stdout to the daemon, so an MCP client that
 *			can only spawn a command uses the shared service
 *			(bridge.c; it survives a restart of the daemon)
 */
#include "config.h"

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

#define DEFAULT_SOCKET	"/run/mcp-hotd/mcp-hotd.sock"

static const char *ctl_socket = DEFAULT_SOCKET;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: mcp-hotctl [-s socket] reload | status "
	    "[--json] | bridge\n");
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

/* Send one control request; return its result (the reply line parsed). */
static struct json_object *
ctl_request(const char *method)
{
	struct json_object	*reply, *v;
	char			 req[128], *line = NULL;
	size_t			 cap = 0;
	FILE			*f;
	int			 fd = ctl_connect();

	snprintf(req, sizeof(req), "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"%s\"}\n", method);
	write_all(fd, req, strlen(req));
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
	printf("config %s\nHTTP connections %s, bytes unread by clients %s\n\n",
	    str_or(r, "config", "?"), str_or(r, "http_connections", "0"),
	    str_or(r, "unread_bytes", "0"));
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
	if (argc == 1 && strcmp(argv[0], "bridge") == 0)
		return bridge_run(ctl_connect(), ctl_try_connect);
	usage();
}
