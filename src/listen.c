/*
 * Listening sockets that hold up when the descriptors run out. accept(2)
 * failing with EMFILE leaves the connection queued and the socket
 * readable: libevent would call us again at once, forever (half a core,
 * nobody served). So on such an error a listener gives up the reserve
 * descriptor it keeps, takes the waiting clients one by one, tells each
 * plainly why it is refused (the face's refusal text) and closes it, takes
 * the reserve back, and rests for LISTEN_PAUSE_MS; logged at most once a
 * minute.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/listener.h>

#include "mcp-hotd.h"

#define LISTEN_PAUSE_MS	100
#define LISTEN_REFUSE	64	/* queued clients refused per pause */

struct listen_guard {
	struct evconnlistener	*lev;
	struct event		*rest;
	const char		*face;		/* for the log */
	const char		*refusal;	/* written to a refused client */
	int			 wanted;	/* accepting, as the face asked */
	int			 resting;
	time_t			 logged;	/* when we last said so */
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

static void
listen_wake(evutil_socket_t fd, short what, void *arg)
{
	struct listen_guard	*g = arg;

	(void)fd;
	(void)what;
	g->resting = 0;
	if (g->wanted)
		evconnlistener_enable(g->lev);
}

/*
 * Refuse the clients waiting in the queue (LISTEN_REFUSE at most), each
 * with a reason it can read, through the one descriptor the reserve frees.
 */
static void
listen_refuse(struct listen_guard *g)
{
	char	buf[4096];
	int	fd, n;

	if (listen_reserve == -1)
		return;
	close(listen_reserve);
	listen_reserve = -1;
	for (n = 0; n < LISTEN_REFUSE && (fd = accept4(evconnlistener_get_fd(
	    g->lev), NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) != -1; n++) {
		/* What it sent already, read: else the close resets the
		 * connection and the client may not see the reason. */
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
		(void)!write(fd, g->refusal, strlen(g->refusal));
		shutdown(fd, SHUT_WR);
		close(fd);
	}
	listen_take_reserve();
}

static void
listen_error(struct evconnlistener *lev, void *arg)
{
	struct listen_guard	*g = NULL;
	struct timeval		 tv = { 0, LISTEN_PAUSE_MS * 1000 };
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
	listen_refuse(g);
	evconnlistener_disable(lev);
	g->resting = 1;
	evtimer_add(g->rest, &tv);
}

/* Guard lev; its connections are refused with refusal when out of fds. */
struct listen_guard *
listen_guard_new(struct evconnlistener *lev, const char *face,
    const char *refusal, int wanted)
{
	struct listen_guard	*g;
	size_t			 i;

	listen_take_reserve();
	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (g->rest = evtimer_new(sv.base, listen_wake, g)) == NULL)
		fatal("%s", __func__);
	g->lev = lev;
	g->face = face;
	g->refusal = refusal;
	g->wanted = wanted;
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
	if (on && !g->resting)
		evconnlistener_enable(g->lev);
	else if (!on)
		evconnlistener_disable(g->lev);
}

void
listen_guard_free(struct listen_guard *g)
{
	size_t	i;

	if (g == NULL)
		return;
	for (i = 0; i < sizeof(listen_guards) / sizeof(*listen_guards); i++)
		if (listen_guards[i] == g)
			listen_guards[i] = NULL;
	event_free(g->rest);
	free(g);
}
