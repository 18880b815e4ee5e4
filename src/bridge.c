/* SPDX-License-Identifier: ISC */
/*
 * mcp-hotctl bridge: an MCP client's stdin/stdout to the daemon's socket,
 * line by line, surviving a restart of the daemon.
 *
 * The bridge reads what passes just enough to keep two things: the
 * client's initialize request and the ids of its requests in flight. When
 * the daemon goes away while the client is still there, each request in
 * flight is answered with an error (it may or may not have run: the client
 * decides whether to retry), the bridge reconnects with a backoff capped at
 * 1 s, replays initialize under an id of its own (whose answer the client
 * never sees) and notifications/initialized, and tells the client
 * notifications/tools/list_changed, since the tools may have changed. The
 * client's input waits meanwhile. With stdin closed, the daemon closing
 * ends the bridge as before (exit 0).
 *
 * A 2026-07-28 client has no initialize to replay, but may hold a listen
 * stream (subscriptions/listen, never answered): that request is not
 * failed but replayed as it was, its new acknowledgement kept from the
 * client (who saw one), and the client is told list_changed on it.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json.h>

#include "bridge.h"
#include "log.h"
#include "xmalloc.h"

#define BRIDGE_REINIT_ID	"\"mcp-hotctl-bridge-reinit\""
#define BRIDGE_BACKOFF_MIN_MS	50
#define BRIDGE_BACKOFF_MAX_MS	1000

struct lines {
	char	*buf;
	size_t	 len, cap;
};

static struct {
	int			 (*connect)(void);
	int			 fd;		/* the daemon, or -1 */
	char			*init;		/* the client's initialize */
	int			 initialized;	/* it sent the notification */
	int			 replaying;	/* our initialize unanswered */
	char			*listen;	/* its subscriptions/listen */
	char			*listen_id;	/* ... that request's id */
	int			 listen_tools;	/* ... asking for tools */
	int			 relistening;	/* its new ack to swallow */
	struct json_object	*inflight;	/* id text -> true */
	struct lines		 from_client, from_daemon;
} br = { .fd = -1 };

/* All of buf to fd: 0, or -1 (errno set). */
int
write_full(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* To the daemon: 0, or -1 when it is gone. */
static int
bridge_send(const char *buf, size_t len)
{
	return write_full(br.fd, buf, len);
}

static void
bridge_out(const char *buf, size_t len)
{
	if (write_full(STDOUT_FILENO, buf, len) == -1)
		fatalx("write to the client: %s", strerror(errno));
}

/* The message's id as JSON text (NULL without one). */
static const char *
bridge_id(struct json_object *m)
{
	struct json_object	*id;

	if (!json_object_object_get_ex(m, "id", &id))
		return NULL;
	return json_object_to_json_string_ext(id, JSON_C_TO_STRING_PLAIN);
}

static int
bridge_is(struct json_object *m, const char *method)
{
	struct json_object	*v;

	return json_object_object_get_ex(m, "method", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), method) == 0;
}

/* A listen stream to keep across a restart, or its end (cancelled). */
static void
bridge_note_listen(struct json_object *m, const char *line)
{
	struct json_object	*p, *n, *v;
	const char		*id;

	if (bridge_is(m, "notifications/cancelled") && br.listen_id != NULL &&
	    json_object_object_get_ex(m, "params", &p) &&
	    json_object_object_get_ex(p, "requestId", &v) &&
	    strcmp(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
	    br.listen_id) == 0) {
		free(br.listen);
		free(br.listen_id);
		br.listen = br.listen_id = NULL;
		return;
	}
	if (!bridge_is(m, "subscriptions/listen") || (id = bridge_id(m)) ==
	    NULL)
		return;
	free(br.listen);
	free(br.listen_id);
	br.listen = xstrdup(line);
	br.listen_id = xstrdup(id);
	br.listen_tools = json_object_object_get_ex(m, "params", &p) &&
	    json_object_object_get_ex(p, "notifications", &n) &&
	    json_object_object_get_ex(n, "toolsListChanged", &v) &&
	    json_object_get_boolean(v);
}

/* A line from the client: note what a restart would need, pass it on. */
static int
bridge_client_line(const char *line, size_t len)
{
	struct json_object	*m = json_tokener_parse(line);
	const char		*id;

	if (m != NULL && json_object_is_type(m, json_type_object)) {
		if (bridge_is(m, "initialize") && br.init == NULL)
			br.init = xstrdup(line);
		if (bridge_is(m, "notifications/initialized"))
			br.initialized = 1;
		bridge_note_listen(m, line);
		if (json_object_object_get_ex(m, "method", NULL) &&
		    !bridge_is(m, "subscriptions/listen") &&
		    (id = bridge_id(m)) != NULL)
			json_object_object_add(br.inflight, id,
			    json_object_new_boolean(1));
	}
	json_object_put(m);
	if (bridge_send(line, len) == -1)
		return -1;
	return bridge_send("\n", 1);
}

/* Our replayed initialize was answered: the session is back. */
static void
bridge_resumed(void)
{
	static const char	done[] = "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"notifications/initialized\"}\n";
	static const char	changed[] = "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"notifications/tools/list_changed\"}\n";

	br.replaying = 0;
	if (br.initialized)
		(void)bridge_send(done, sizeof(done) - 1);
	bridge_out(changed, sizeof(changed) - 1);
	log_info("reconnected to the daemon");
}

/* The replayed listen stream is acknowledged: the client hears the change. */
static void
bridge_relistened(void)
{
	char	line[512];
	int	n;

	br.relistening = 0;
	log_info("reconnected to the daemon (listen stream %s)", br.listen_id);
	if (!br.listen_tools)
		return;
	n = snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"notifications/tools/list_changed\",\"params\":{\"_meta\":"
	    "{\"io.modelcontextprotocol/subscriptionId\":%s}}}\n", br.listen_id);
	if (n > 0 && (size_t)n < sizeof(line))
		bridge_out(line, (size_t)n);
}

/* A line from the daemon: answers leave the in-flight set. */
static int
bridge_daemon_line(const char *line, size_t len)
{
	struct json_object	*m = json_tokener_parse(line);
	const char		*id;

	if (br.relistening && m != NULL &&
	    bridge_is(m, "notifications/subscriptions/acknowledged")) {
		json_object_put(m);
		bridge_relistened();
		return 0;
	}
	if (m != NULL && json_object_is_type(m, json_type_object) &&
	    !json_object_object_get_ex(m, "method", NULL) &&
	    (id = bridge_id(m)) != NULL) {
		if (br.replaying && strcmp(id, BRIDGE_REINIT_ID) == 0) {
			json_object_put(m);
			bridge_resumed();
			return 0;
		}
		json_object_object_del(br.inflight, id);
	}
	json_object_put(m);
	bridge_out(line, len);
	bridge_out("\n", 1);
	return 0;
}

/*
 * Append what was read; hand each whole line to fn, NUL in place of its
 * newline. 0, or -1 when fn failed (the daemon is gone: the rest waits).
 */
static int
bridge_lines(struct lines *l, const char *buf, size_t n,
    int (*fn)(const char *, size_t))
{
	char	*nl;
	size_t	 k;
	int	 rv = 0;

	if (l->len + n + 1 > l->cap) {
		l->cap = (l->len + n + 1) * 2;
		l->buf = xreallocarray(l->buf, l->cap, 1);
	}
	memcpy(l->buf + l->len, buf, n);
	l->len += n;
	while (rv == 0 && (nl = memchr(l->buf, '\n', l->len)) != NULL) {
		k = (size_t)(nl - l->buf) + 1;
		l->buf[k - 1] = '\0';
		rv = fn(l->buf, k - 1);
		memmove(l->buf, l->buf + k, l->len - k);
		l->len -= k;
	}
	return rv;
}

/* Every request in flight when the daemon went: answered, as an error. */
static void
bridge_fail_inflight(void)
{
	char	line[512];
	int	n;

	json_object_object_foreach(br.inflight, id, v) {
		(void)v;
		n = snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":%s,"
		    "\"error\":{\"code\":-32603,\"message\":\"the mcp-hotd "
		    "service went away while this request was in flight (a "
		    "restart?); it may or may not have run\"}}\n", id);
		if (n > 0 && (size_t)n < sizeof(line))
			bridge_out(line, (size_t)n);
	}
	json_object_put(br.inflight);
	br.inflight = json_object_new_object();
}

/* Wait ms, or return 1 at once if the client hung up meanwhile. */
static int
bridge_wait(int ms)
{
	struct pollfd	p = { STDIN_FILENO, 0, 0 };

	return poll(&p, 1, ms) == 1 && (p.revents & (POLLHUP | POLLERR));
}

/* The initialize the client sent, under our own id. */
static void
bridge_replay(void)
{
	struct json_object	*m;
	const char		*s;

	if (br.init == NULL || (m = json_tokener_parse(br.init)) == NULL)
		return;
	json_object_object_add(m, "id", json_object_new_string(
	    "mcp-hotctl-bridge-reinit"));
	s = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN);
	if (bridge_send(s, strlen(s)) == 0 && bridge_send("\n", 1) == 0)
		br.replaying = 1;
	json_object_put(m);
}

/*
 * The daemon went away under a client still there: answer what was in
 * flight, reconnect, replay. 0, or 1 when the client left meanwhile.
 */
static int
bridge_reconnect(void)
{
	int	ms = BRIDGE_BACKOFF_MIN_MS;

	log_warnx("the daemon closed the connection; reconnecting");
	do {
		close(br.fd);
		br.fd = -1;
		br.from_daemon.len = 0;
		br.replaying = 0;
		bridge_fail_inflight();
		while ((br.fd = br.connect()) == -1) {
			if (bridge_wait(ms))
				return 1;
			ms = ms * 2 > BRIDGE_BACKOFF_MAX_MS ?
			    BRIDGE_BACKOFF_MAX_MS : ms * 2;
		}
		bridge_replay();
	} while (br.init != NULL && !br.replaying);
	if (br.listen != NULL && bridge_send(br.listen, strlen(br.listen)) ==
	    0 && bridge_send("\n", 1) == 0)
		br.relistening = 1;
	if (br.init == NULL && !br.relistening)
		log_info("reconnected to the daemon");
	return 0;
}

int
bridge_run(int fd, int (*reconnect)(void))
{
	struct pollfd	 p[2];
	char		 buf[65536];
	ssize_t		 n;
	int		 in_open = 1;

	br.fd = fd;
	br.connect = reconnect;
	br.inflight = json_object_new_object();
	for (;;) {
		/* Lines held while the daemon was away go first. */
		if (!br.replaying && br.from_client.len > 0 &&
		    memchr(br.from_client.buf, '\n', br.from_client.len) &&
		    bridge_lines(&br.from_client, "", 0, bridge_client_line) ==
		    -1 && bridge_reconnect())
			return 0;
		p[0].fd = STDIN_FILENO;
		p[0].events = in_open && !br.replaying ? POLLIN : 0;
		p[1].fd = br.fd;
		p[1].events = POLLIN;
		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatalx("poll: %s", strerror(errno));
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if ((n = read(br.fd, buf, sizeof(buf))) <= 0) {
				if (!in_open)
					return 0;
				if (bridge_reconnect())
					return 0;
				continue;
			}
			(void)bridge_lines(&br.from_daemon, buf, (size_t)n,
			    bridge_daemon_line);
		}
		if (in_open && !br.replaying &&
		    (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			if ((n = read(STDIN_FILENO, buf, sizeof(buf))) <= 0) {
				in_open = 0;
				shutdown(br.fd, SHUT_WR);
			} else if (bridge_lines(&br.from_client, buf,
			    (size_t)n, bridge_client_line) == -1 &&
			    bridge_reconnect())
				return 0;
		}
	}
}
