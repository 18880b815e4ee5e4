/* SPDX-License-Identifier: ISC */
/*
 * Readiness for systemd (Type=notify), in-tree: the protocol is one
 * datagram of NAME=value lines to the socket named in $NOTIFY_SOCKET (a
 * path, or "@name" for the abstract namespace), so libsystemd would be a
 * dependency for a sendto(2). Sent: READY=1 once the first load has
 * finished, RELOADING=1 (with MONOTONIC_USEC) then READY=1 around every
 * reload, STOPPING=1 when a drain or shutdown begins, EXTEND_TIMEOUT_USEC
 * while a long first load runs, and STATUS= with each.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "mcp-hotd.h"
#include "notify.h"

static struct {
	int			 fd;
	struct sockaddr_un	 sun;
	socklen_t		 len;
	int			 stopping;
} nt = { .fd = -1 };

/* The counts an operator reads in `systemctl status`. */
static void
notify_status_line(char *buf, size_t len, unsigned nworkers)
{
	struct session	*s;
	unsigned	 nsessions = 0;

	TAILQ_FOREACH(s, &sv.sessions, entry)
		nsessions++;
	snprintf(buf, len, "STATUS=%zu tools, %u workers, %u sessions",
	    sv.nroutes, nworkers, nsessions);
}

static void
notify_send(const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;
	int	n;

	if (nt.fd == -1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return;
	/* A datagram socket: the whole message or nothing, never blocking. */
	if (sendto(nt.fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT,
	    (struct sockaddr *)&nt.sun, nt.len) == -1)
		log_debug("notify: %s", strerror(errno));
}

void
notify_init(void)
{
	const char	*path = getenv("NOTIFY_SOCKET");
	size_t		 n;

	if (path == NULL || *path == '\0')
		return;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(nt.sun.sun_path)) {
		log_warnx("NOTIFY_SOCKET=%s: not a socket path; no readiness "
		    "notifications", path);
		unsetenv("NOTIFY_SOCKET");
		return;
	}
	memset(&nt.sun, 0, sizeof(nt.sun));
	nt.sun.sun_family = AF_UNIX;
	memcpy(nt.sun.sun_path, path, n);
	if (path[0] == '@')
		nt.sun.sun_path[0] = '\0';
	nt.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if ((nt.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		log_warn("notify: socket");
	/* Not for the workers or anything they run. */
	unsetenv("NOTIFY_SOCKET");
}

/* Serving, with nworkers workers (as `mcp-hotctl status` counts them). */
void
notify_ready(unsigned nworkers)
{
	char	status[128];

	notify_status_line(status, sizeof(status), nworkers);
	notify_send("READY=1\n%s", status);
}

void
notify_reloading(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	notify_send("RELOADING=1\nMONOTONIC_USEC=%lld\nSTATUS=reloading",
	    (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

void
notify_stopping(void)
{
	if (nt.stopping)
		return;
	nt.stopping = 1;
	notify_send("STOPPING=1\nSTATUS=stopping");
}

/*
 * The first load is still running: ask for more time than the unit's
 * TimeoutStartSec, as long as loading goes on (each tool's load timeout
 * bounds it).
 */
void
notify_loading(unsigned settled, unsigned total)
{
	notify_send("EXTEND_TIMEOUT_USEC=%u\nSTATUS=loading: %u of %u tools "
	    "settled", NOTIFY_EXTEND_USEC, settled, total);
}

void
notify_close(void)
{
	if (nt.fd != -1)
		close(nt.fd);
	nt.fd = -1;
}
