/* SPDX-License-Identifier: ISC */
/*
 * The unix socket face: each connection is one MCP session, newline-
 * delimited, which may also make control requests (reload, status). The
 * socket is mode 0660: who may connect is decided by its owner and group.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "clients.h"
#include "mcp-hotd.h"
#include "metrics.h"
#include "xmalloc.h"

struct unix_conn {
	struct bufferevent	*bev;
	struct session		*session;
};

static struct {
	struct evconnlistener	*listener;
	struct listen_guard	*guard;
	char			*path;
	int			 inherited;	/* socket activation's */
} ux;

/* At exit: what is still buffered goes out, waiting a second at most. */
static void
unix_flush(struct unix_conn *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	struct timeval	 tv = { 1, 0 };
	int		 fd = bufferevent_getfd(c->bev);

	if (evbuffer_get_length(out) == 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	while (evbuffer_get_length(out) > 0)
		if (evbuffer_write(out, fd) <= 0)
			break;
}

static void
unix_close(struct unix_conn *c)
{
	log_debug("session %u (%s) closed", c->session->id, c->session->peer);
	session_free(c->session);
	bufferevent_free(c->bev);
	free(c);
}

static void
unix_write(struct session *s, const char *buf, size_t len, const char *id,
    size_t idlen)
{
	struct unix_conn	*c = s->arg;
	struct evbuffer		*out = bufferevent_get_output(c->bev);

	(void)id;		/* lines carry their ids */
	(void)idlen;
	bufferevent_write(c->bev, buf, len);
	bufferevent_write(c->bev, "\n", 1);
	session_output(s, evbuffer_get_length(out));
}

/* Output went out (down to the low mark, or all of it). */
static void
unix_drained(struct bufferevent *bev, void *arg)
{
	struct unix_conn	*c = arg;
	size_t			 pending;

	pending = evbuffer_get_length(bufferevent_get_output(bev));
	session_output(c->session, pending);
	if (pending == 0 && c->session->input_ended &&
	    c->session->ninflight == 0)
		unix_close(c);
}

static void
unix_hold(struct session *s, int on)
{
	struct unix_conn	*c = s->arg;

	if (on)
		bufferevent_disable(c->bev, EV_READ);
	else
		bufferevent_enable(c->bev, EV_READ);
}

/* Input ended and every call is answered: flush, then close. */
static void
unix_done(struct session *s)
{
	struct unix_conn	*c = s->arg;

	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		unix_close(c);
	/* else unix_drained closes once the output is written */
}

static void
unix_stop(struct session *s)
{
	struct unix_conn	*c = s->arg;

	bufferevent_disable(c->bev, EV_READ);
	session_feed(s, bufferevent_get_input(c->bev), 1);
}

static const struct session_ops unix_ops = {
	"unix", unix_write, unix_done, unix_stop, unix_hold, NULL
};

static void
unix_read(struct bufferevent *bev, void *arg)
{
	struct unix_conn	*c = arg;

	session_feed(c->session, bufferevent_get_input(bev), 0);
}

static void
unix_event(struct bufferevent *bev, short what, void *arg)
{
	struct unix_conn	*c = arg;

	if (what & BEV_EVENT_ERROR) {
		/* The peer is gone: nobody to answer; calls run on. */
		unix_close(c);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		bufferevent_disable(bev, EV_READ);
		session_feed(c->session, bufferevent_get_input(bev), 1);
	}
}

/*
 * --clients, and the peer is none of them: one JSON-RPC error saying so,
 * then the connection closes (nothing of it reaches a session).
 */
static void
unix_refuse(int fd, const struct ucred *cred)
{
	char	line[256];
	int	n;

	n = snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":null,"
	    "\"error\":{\"code\":-32600,\"message\":\"Unauthorized: uid %ld "
	    "gid %ld is no client of this server (--clients)\"}}\n",
	    cred->uid == (uid_t)-1 ? -1L : (long)cred->uid,
	    cred->gid == (gid_t)-1 ? -1L : (long)cred->gid);
	(void)!write(fd, line, (size_t)n);
	log_warnx("unix pid %d uid %ld: refused, no client of --clients",
	    (int)cred->pid, cred->uid == (uid_t)-1 ? -1L : (long)cred->uid);
	metrics_refused("unix");
	close(fd);
}

static void
unix_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct unix_conn	*c;
	struct ucred		 cred;
	socklen_t		 len = sizeof(cred);
	const char		*who = NULL;

	(void)l;
	(void)sa;
	(void)salen;
	(void)arg;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		cred = (struct ucred){ 0, (uid_t)-1, (gid_t)-1 };
	if (clients_on() && (who = clients_by_peer((long)cred.uid,
	    (long)cred.gid)) == NULL) {
		unix_refuse(fd, &cred);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	if ((c->bev = bufferevent_socket_new(sv.base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatal("%s", __func__);
	c->session = session_new(&unix_ops, c);
	c->session->control = 1;
	if (cred.uid != (uid_t)-1)
		snprintf(c->session->peer, sizeof(c->session->peer),
		    "unix pid %d uid %u", (int)cred.pid, (unsigned)cred.uid);
	else
		snprintf(c->session->peer, sizeof(c->session->peer), "unix");
	if (who != NULL)
		session_set_client(c->session, who);
	log_info("session %u: %s connected%s%s", c->session->id,
	    c->session->peer, who != NULL ? " as client " : "",
	    who != NULL ? who : "");
	bufferevent_setcb(c->bev, unix_read, unix_drained, unix_event, c);
	bufferevent_setwatermark(c->bev, EV_WRITE, SESSION_OUTPUT_LOW, 0);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* A path left by a daemon that died is reused; a live daemon's is not. */
static void
unix_check_path(const char *path)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	struct stat		 st;
	int			 fd, live;

	if (lstat(path, &st) == -1)
		return;
	if (!S_ISSOCK(st.st_mode))
		fatalx("%s exists and is not a socket", path);
	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	live = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	if (live)
		fatalx("%s: another mcp-hotd is listening there", path);
	if (unlink(path) == -1)
		fatal("unlink %s", path);
}

/* Serve fd, bound to path, once accepting is turned on. */
static void
unix_listen_fd(int fd, const char *path)
{
	ux.path = xstrdup(path);
	if ((ux.listener = evconnlistener_new(sv.base, unix_accept, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_DISABLED,
	    128, fd)) == NULL)
		fatal("listen %s", path);
	ux.guard = listen_guard_new(ux.listener, "unix socket",
	    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,"
	    "\"message\":\"the server is out of file descriptors; retry "
	    "later\"}}\n", 0);
}

/*
 * Bind now (so a bad path fails at once); accept after the first load.
 * A socket handed over by socket activation is served as it is.
 */
void
transport_unix_listen(const char *path)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	char			*dir;
	mode_t			 old;
	socklen_t		 len;
	int			 fd;

	if ((fd = activation_unix()) != -1) {
		len = sizeof(sun);
		if (getsockname(fd, (struct sockaddr *)&sun, &len) == 0 &&
		    len > offsetof(struct sockaddr_un, sun_path) &&
		    sun.sun_path[0] != '\0')
			path = sun.sun_path;	/* what clients know it by */
		unix_listen_fd(fd, path);
		ux.inherited = 1;	/* its owner keeps it, and its path */
		return;
	}
	if (strlen(path) >= sizeof(sun.sun_path))
		fatalx("%s: socket path too long", path);
	dir = xstrdup(path);
	if (mkdir(dirname(dir), 0755) == -1 && errno != EEXIST)
		fatal("mkdir %s", dir);
	free(dir);
	unix_check_path(path);
	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		fatal("socket");
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", path);
	umask(old);
	unix_listen_fd(fd, path);
}

void
transport_unix_accept(int on)
{
	if (ux.listener == NULL)
		return;
	listen_guard_enable(ux.guard, on);
	if (on)
		log_info("listening on %s", ux.path);
}

void
transport_unix_close(void)
{
	struct session	*s, *next;

	TAILQ_FOREACH_SAFE(s, &sv.sessions, entry, next)
		if (s->ops == &unix_ops) {
			unix_flush(s->arg);
			unix_close(s->arg);
		}
	if (ux.listener != NULL) {
		listen_guard_free(ux.guard);
		ux.guard = NULL;
		evconnlistener_free(ux.listener);
		if (!ux.inherited && unlink(ux.path) == -1 && errno != ENOENT)
			log_warn("unlink %s", ux.path);
	}
	free(ux.path);
	memset(&ux, 0, sizeof(ux));
}
