/* SPDX-License-Identifier: ISC */
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

/* The length of the UTF-8 sequence at p (of len bytes), 0 if invalid. */
static size_t
log_utf8_len(const unsigned char *p, size_t len)
{
	size_t	n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * Text from elsewhere (a tool's stderr) made safe for a log line, after
 * OpenBSD's strvis(3): control characters, C1 controls and bytes that are
 * not UTF-8 become \xNN, so nothing reaches a terminal or a journal as a
 * command. dst holds 4 * len + 1 bytes.
 */
size_t
log_vis(char *dst, const char *src, size_t len)
{
	const unsigned char	*p = (const unsigned char *)src;
	char			*o = dst;
	size_t			 i = 0, n;

	while (i < len) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			*o++ = (char)p[i++];
			continue;
		}
		n = p[i] >= 0x80 ? log_utf8_len(p + i, len - i) : 0;
		if (n > 0 && !(p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			memcpy(o, p + i, n);
			o += n;
			i += n;
		} else if (p[i] == '\t')
			*o++ = (char)p[i++];
		else
			o += sprintf(o, "\\x%02x", p[i++]);
	}
	*o = '\0';
	return (size_t)(o - dst);
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
