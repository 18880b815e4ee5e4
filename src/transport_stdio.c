/* SPDX-License-Identifier: ISC */
/*
 * The stdio face: one MCP session on stdin/stdout, newline-delimited. A
 * client that spawns us closes stdin to say goodbye; we answer what is in
 * flight, flush, and leave the event loop.
 *
 * epoll refuses regular files and /dev/null, so when stdin or stdout is one
 * of those the transport falls back to plain read()/write(), which never
 * block on such files anyway.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "evbuf.h"
#include "mcp-hotd.h"

#define STDIO_FILE_CHUNK	65536

static struct {
	struct session		*session;
	struct bufferevent	*in;		/* NULL: stdin is a file */
	struct event		*in_file;	/* reads a file chunk by chunk */
	struct evbuffer		*in_buf;
	struct bufferevent	*out;		/* NULL: stdout is a file */
	int			 done;
} stdio;

static void	stdio_stop_input(void);

/*
 * Read the next chunk of a file on the next loop pass, not in this one:
 * an event activated from its own callback runs again before the loop
 * looks at anything else, and an endless file (/dev/zero) would then
 * starve signals and every other event.
 */
static void
stdio_read_file_later(void)
{
	struct timeval	now = { 0, 0 };

	if (stdio.in_file != NULL && !stdio.done)
		event_add(stdio.in_file, &now);
}

static void	stdio_write_file(const char *, size_t);

static void
stdio_write(struct session *s, const char *buf, size_t len, const char *id,
    size_t idlen)
{
	(void)id;		/* lines carry their ids */
	(void)idlen;
	if (stdio.out != NULL) {
		evbuf_add2(bufferevent_get_output(stdio.out), buf, len, "\n",
		    1);
		session_output(s, evbuffer_get_length(
		    bufferevent_get_output(stdio.out)));
		return;
	}
	stdio_write_file(buf, len);
	stdio_write_file("\n", 1);
}

static void
stdio_write_file(const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(STDOUT_FILENO, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("stdout");
			stdio_stop_input();
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void
stdio_exit(void)
{
	event_base_loopexit(sv.base, NULL);
}

static void
stdio_out_drained(struct bufferevent *bev, void *arg)
{
	size_t	pending = evbuffer_get_length(bufferevent_get_output(bev));

	(void)arg;
	if (stdio.session != NULL)
		session_output(stdio.session, pending);
	if (stdio.done && pending == 0)
		stdio_exit();
}

static void
stdio_out_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)arg;
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
		log_warnx("stdout closed: the client is gone");
		stdio_stop_input();
		stdio_exit();
	}
}

static void
stdio_done(struct session *s)
{
	(void)s;
	stdio.done = 1;
	if (stdio.out == NULL ||
	    evbuffer_get_length(bufferevent_get_output(stdio.out)) == 0)
		stdio_exit();
}

static void
stdio_hold(struct session *s, int on)
{
	(void)s;
	if (stdio.in != NULL && on)
		bufferevent_disable(stdio.in, EV_READ);
	else if (stdio.in != NULL)
		bufferevent_enable(stdio.in, EV_READ);
	else if (!on)	/* a file: read on where we paused */
		stdio_read_file_later();
}

static void
stdio_stop(struct session *s)
{
	(void)s;
	stdio_stop_input();
}

static const struct session_ops stdio_ops = {
	"stdio", stdio_write, stdio_done, stdio_stop, stdio_hold, NULL
};

/* No more requests will be read; in-flight calls still get answered. */
static void
stdio_stop_input(void)
{
	if (stdio.in != NULL)
		bufferevent_disable(stdio.in, EV_READ);
	if (stdio.in_file != NULL)
		event_del(stdio.in_file);
	if (stdio.session != NULL && !stdio.session->input_ended) {
		stdio.session->input_ended = 1;
		if (stdio.session->ninflight == 0)
			stdio_done(stdio.session);
	}
}

static void
stdio_read(struct bufferevent *bev, void *arg)
{
	(void)arg;
	session_feed(stdio.session, bufferevent_get_input(bev), 0);
}

static void
stdio_in_event(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (what & BEV_EVENT_ERROR)
		log_warn("stdin");
	bufferevent_disable(bev, EV_READ);
	session_feed(stdio.session, bufferevent_get_input(bev), 1);
}

static void
stdio_read_file(evutil_socket_t fd, short what, void *arg)
{
	int	n;

	(void)fd;
	(void)what;
	(void)arg;
	n = evbuffer_read(stdio.in_buf, STDIN_FILENO, STDIO_FILE_CHUNK);
	if (n == -1 && errno == EINTR) {
		stdio_read_file_later();
		return;
	}
	if (n == -1)
		log_warn("stdin");
	session_feed(stdio.session, stdio.in_buf, n <= 0);
	if (n > 0 && !stdio.session->held && !stdio.session->input_ended)
		stdio_read_file_later();
}

static struct bufferevent *
stdio_bufferevent(int fd, short what)
{
	struct bufferevent	*bev;

	evutil_make_socket_nonblocking(fd);
	if ((bev = bufferevent_socket_new(sv.base, fd, 0)) == NULL)
		fatal("%s", __func__);
	if (bufferevent_enable(bev, what) == 0)
		return bev;
	/* Not pollable: a regular file or /dev/null. */
	bufferevent_free(bev);
	return NULL;
}

void
transport_stdio_start(void)
{
	stdio.session = session_new(&stdio_ops, NULL);
	stdio.session->control = 1;	/* whoever spawned us owns us */
	snprintf(stdio.session->peer, sizeof(stdio.session->peer), "stdio");
	if ((stdio.out = stdio_bufferevent(STDOUT_FILENO, EV_WRITE)) != NULL) {
		bufferevent_setcb(stdio.out, NULL, stdio_out_drained,
		    stdio_out_event, NULL);
		bufferevent_setwatermark(stdio.out, EV_WRITE,
		    SESSION_OUTPUT_LOW, 0);
	}
	if ((stdio.in = stdio_bufferevent(STDIN_FILENO, EV_READ)) != NULL) {
		bufferevent_setcb(stdio.in, stdio_read, NULL, stdio_in_event,
		    NULL);
		return;
	}
	log_debug("stdin is not pollable: reading it as a file");
	if ((stdio.in_buf = evbuffer_new()) == NULL ||
	    (stdio.in_file = event_new(sv.base, -1, 0, stdio_read_file,
	    NULL)) == NULL)
		fatal("%s", __func__);
	stdio_read_file_later();
}

void
transport_stdio_stop(void)
{
	if (stdio.session != NULL)
		session_free(stdio.session);
	if (stdio.in != NULL)
		bufferevent_free(stdio.in);
	if (stdio.out != NULL)
		bufferevent_free(stdio.out);
	if (stdio.in_file != NULL)
		event_free(stdio.in_file);
	if (stdio.in_buf != NULL)
		evbuffer_free(stdio.in_buf);
	memset(&stdio, 0, sizeof(stdio));
}
