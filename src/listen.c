/* SPDX-License-Identifier: ISC */
/*
 * Listening sockets that hold up when the descriptors run out. accept(2)
 * failing with EMFILE leaves the connection queued and the socket
 * readable: libevent would call us again at once, forever (half a core,
 * nobody served). So on such an error a listener gives up the reserve
 * descriptor it keeps, takes the waiting client, tells it plainly why it
 * is refused (the face's refusal text), lets it go and takes the reserve
 * back, for every client waiting, as fast as the kernel hands them over
 * (up to LISTEN_BURST a turn of the loop, so served clients are not
 * starved); logged at most once a minute. The last one refused is held
 * open until the next refusal or LISTEN_HOLD_MS, so that its request, if
 * still on the way, is read before we close (a close with a request
 * unread resets the connection, and the client might never see why).
 *
 * A face that caps its connections (HTTP) marks its guard full at the
 * cap: its clients are then refused the same way, rather than left
 * waiting in the backlog for a slot idle clients may hold.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/listener.h>

#include "mcp-hotd.h"
#include "metrics.h"
#include "xmalloc.h"

#define LISTEN_HOLD_MS	100
#define LISTEN_BURST	64

struct listen_guard {
	struct evconnlistener	*lev;
	struct event		*release;	/* the held client's time */
	struct event		*refuser;	/* the listening fd, when full */
	const char		*face;		/* for the log */
	const char		*refusal;	/* written to a refused client */
	int			 wanted;	/* accepting, as the face asked */
	int			 full;		/* at the face's cap */
	time_t			 logged;	/* when we last said so */
	int			 held;		/* a refused client, or -1 */
};

static int			 listen_reserve = -1;
/* libevent hands the error callback the listener's own user data (for
 * evhttp's listener, evhttp's): so guards are found by listener. */
static struct listen_guard	*listen_guards[4];

static void
listen_take_reserve(void)
{
	if (listen_reserve == -1)
		listen_reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void	listen_release(struct listen_guard *);

/* Who takes the next client: libevent's listener, our refuser or nobody. */
static void
listen_update(struct listen_guard *g)
{
	if (g->wanted && !g->full)
		evconnlistener_enable(g->lev);
	else
		evconnlistener_disable(g->lev);
	if (g->wanted && g->full)
		event_add(g->refuser, NULL);
	else
		event_del(g->refuser);
}

static void
listen_release_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	listen_release(arg);
}

/* The refused client we held has read its refusal by now: let it go. */
static void
listen_release(struct listen_guard *g)
{
	char	buf[4096];

	if (g->held == -1)
		return;
	while (recv(g->held, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	close(g->held);
	g->held = -1;
	listen_take_reserve();
}

/* The client at the head of the queue, through the reserve if need be. */
static int
listen_accept(struct listen_guard *g)
{
	int	fd, lfd = evconnlistener_get_fd(g->lev);

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd != -1 || (errno != EMFILE && errno != ENFILE) ||
	    listen_reserve == -1)
		return fd;
	close(listen_reserve);
	listen_reserve = -1;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC |
	    SOCK_NONBLOCK)) == -1)
		listen_take_reserve();
	return fd;
}

/*
 * Refuse the client at the head of the queue: the refusal written, our
 * side shut, and the socket held until the next refusal or LISTEN_HOLD_MS.
 * -1 when no client was waiting (or none could be taken).
 */
static int
listen_refuse(struct listen_guard *g)
{
	struct timeval	tv = { 0, LISTEN_HOLD_MS * 1000 };
	struct pollfd	pfd = { evconnlistener_get_fd(g->lev), POLLIN, 0 };
	char		buf[4096];
	int		fd;

	/* Nobody waiting: the one held keeps its time. */
	if (poll(&pfd, 1, 0) != 1)
		return -1;
	listen_release(g);
	if ((fd = listen_accept(g)) == -1)
		return -1;
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	(void)!write(fd, g->refusal, strlen(g->refusal));
	shutdown(fd, SHUT_WR);
	metrics_refused(g->face);
	g->held = fd;
	evtimer_add(g->release, &tv);
	return 0;
}

/* Every client waiting, up to LISTEN_BURST this turn. */
static void
listen_refuse_all(struct listen_guard *g)
{
	int	i;

	for (i = 0; i < LISTEN_BURST; i++)
		if (listen_refuse(g) == -1)
			return;
}

/* Full: clients are waiting; refuse them. */
static void
listen_full_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	listen_refuse_all(arg);
}

static void
listen_error(struct evconnlistener *lev, void *arg)
{
	struct listen_guard	*g = NULL;
	int			 e = EVUTIL_SOCKET_ERROR();
	size_t			 i;

	(void)arg;
	for (i = 0; i < sizeof(listen_guards) / sizeof(*listen_guards); i++)
		if (listen_guards[i] != NULL && listen_guards[i]->lev == lev)
			g = listen_guards[i];
	if (g == NULL)
		return;

	if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM) {
		log_warnx("%s: accept: %s", g->face, strerror(e));
		return;
	}
	if (time(NULL) - g->logged >= 60 && (g->logged = time(NULL)))
		log_warnx("%s: out of file descriptors (%s): refusing new "
		    "clients until some close", g->face, strerror(e));
	listen_refuse_all(g);
}

/* Guard lev; its connections are refused with refusal when out of fds. */
struct listen_guard *
listen_guard_new(struct evconnlistener *lev, const char *face,
    const char *refusal, int wanted)
{
	struct listen_guard	*g;
	size_t			 i;

	listen_take_reserve();
	g = xcalloc(1, sizeof(*g));
	if ((g->release = evtimer_new(sv.base, listen_release_cb, g)) == NULL ||
	    (g->refuser = event_new(sv.base, evconnlistener_get_fd(lev),
	    EV_READ | EV_PERSIST, listen_full_cb, g)) == NULL)
		fatal("%s", __func__);
	g->lev = lev;
	g->face = face;
	g->refusal = refusal;
	g->wanted = wanted;
	g->held = -1;
	for (i = 0; i < sizeof(listen_guards) / sizeof(*listen_guards); i++)
		if (listen_guards[i] == NULL) {
			listen_guards[i] = g;
			break;
		}
	evconnlistener_set_error_cb(lev, listen_error);
	return g;
}

void
listen_guard_enable(struct listen_guard *g, int on)
{
	g->wanted = on;
	listen_update(g);
}

/* At the face's cap on connections (or below it again). */
void
listen_guard_full(struct listen_guard *g, int full)
{
	if (g == NULL || g->full == full)
		return;
	g->full = full;
	listen_update(g);
}

void
listen_guard_free(struct listen_guard *g)
{
	size_t	i;

	if (g == NULL)
		return;
	listen_release(g);
	for (i = 0; i < sizeof(listen_guards) / sizeof(*listen_guards); i++)
		if (listen_guards[i] == g)
			listen_guards[i] = NULL;
	event_free(g->release);
	event_free(g->refuser);
	free(g);
}
