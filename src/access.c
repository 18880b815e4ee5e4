/* SPDX-License-Identifier: ISC */
/*
 * The access log (--access-log FILE, or - for standard error): one line a
 * request when its answer goes, in logfmt,
 *
 *	time=2026-12-06T09:50:01.123Z face=http session=3 era=2025
 *	method=tools/call tool=add outcome=ok ms=1.234 bytes=93
 *
 * never an argument or a result. What a client names (a method, a tool)
 * is cut to 64 bytes and escaped: no space, quote, backslash or control
 * byte reaches the file unescaped, so one request is one line. SIGHUP
 * reopens the file (logrotate). Off, it costs one test a request.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "log.h"
#include "xmalloc.h"

#define ACCESS_VALUE_MAX	64

static struct {
	char	*path;		/* NULL: off */
	int	 fd;
} ac = { NULL, -1 };

static int
access_fd(const char *path)
{
	int	fd;

	if (strcmp(path, "-") == 0)
		return fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	return fd;
}

/* At startup: a file that cannot be opened is a startup error. */
int
access_open(const char *path)
{
	if ((ac.fd = access_fd(path)) == -1)
		return -1;
	ac.path = xstrdup(path);
	return 0;
}

/* SIGHUP: a rotated file is let go, its successor opened. */
void
access_reopen(void)
{
	int	fd;

	if (ac.path == NULL)
		return;
	if ((fd = access_fd(ac.path)) == -1) {
		log_warn("access log %s: cannot reopen; keeping the old one",
		    ac.path);
		return;
	}
	close(ac.fd);
	ac.fd = fd;
}

int
access_on(void)
{
	return ac.path != NULL;
}

/* A client's word, safe in one logfmt value. */
static size_t
access_value(char *out, const char *in, size_t len)
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		c;
	size_t			i, o = 0;

	if (len > ACCESS_VALUE_MAX)
		len = ACCESS_VALUE_MAX;
	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		if (c > ' ' && c < 0x7f && c != '"' && c != '\\' && c != '=')
			out[o++] = (char)c;
		else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o == 0)
		out[o++] = '-';
	out[o] = '\0';
	return o;
}

void
access_line(const struct access_entry *e)
{
	char		 line[1024], method[ACCESS_VALUE_MAX * 4 + 2];
	char		 tool[ACCESS_VALUE_MAX * 4 + 2], when[32];
	struct timeval	 now;
	struct tm	 tm;
	int		 n;

	if (ac.path == NULL)
		return;
	gettimeofday(&now, NULL);
	gmtime_r(&now.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	access_value(method, e->method, e->methodlen);
	access_value(tool, e->tool ? e->tool : "", e->tool ? strlen(e->tool) :
	    0);
	/* client= only with --clients: its names are the file's (letters,
	 * digits, _.@-), nothing to escape. */
	n = snprintf(line, sizeof(line), "time=%s.%03ldZ face=%s session=%u "
	    "era=%s method=%s tool=%s outcome=%s ms=%.3f bytes=%zu%s%s\n",
	    when, (long)now.tv_usec / 1000, e->face, e->session, e->era,
	    method, tool, e->outcome, e->usec / 1000.0, e->bytes,
	    e->client != NULL ? " client=" : "", e->client != NULL ?
	    e->client : "");
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	/* One write a line, appended whole; a full disk loses lines, never
	 * the server's time. */
	if (write(ac.fd, line, (size_t)n) == -1 && errno != EAGAIN)
		return;
}

void
access_close(void)
{
	if (ac.fd != -1)
		close(ac.fd);
	ac.fd = -1;
	free(ac.path);
	ac.path = NULL;
}
