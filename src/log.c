/*
 * Logging to stderr, one line per message. Under systemd (JOURNAL_STREAM
 * set) each line starts with a sd-daemon priority prefix ("<4>") so the
 * journal keeps the level; on a terminal it reads "mcp-hotd: warning: ...".
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char	*log_procname = "mcp-hotd";
static int		 log_verbose;
static int		 log_prefix_priority;

void
log_init(const char *procname, int verbose)
{
	log_procname = procname;
	log_verbose = verbose;
	log_prefix_priority = getenv("JOURNAL_STREAM") != NULL;
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return log_verbose;
}

static const char *
log_level_word(int pri)
{
	switch (pri) {
	case LOG_CRIT:
		return "fatal: ";
	case LOG_WARNING:
		return "warning: ";
	case LOG_DEBUG:
		return "debug: ";
	default:
		return "";
	}
}

static void
log_vwrite(int pri, const char *err, const char *fmt, va_list ap)
{
	char	msg[8192];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_prefix_priority)
		fprintf(stderr, "<%d>%s%s%s\n", pri, msg, err ? ": " : "",
		    err ? err : "");
	else
		fprintf(stderr, "%s: %s%s%s%s\n", log_procname,
		    log_level_word(pri), msg, err ? ": " : "", err ? err : "");
	fflush(stderr);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, strerror(saved), fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
