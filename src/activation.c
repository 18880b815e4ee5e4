/* SPDX-License-Identifier: ISC */
/*
 * Socket activation (sd_listen_fds(3), in-tree like notify.c): listening
 * sockets handed to us as descriptors 3.. with LISTEN_PID (ours),
 * LISTEN_FDS (how many) and LISTEN_FDNAMES. A unix stream socket serves
 * as the unix socket face, an IPv4/IPv6 one as HTTP; FileDescriptorName=
 * "unix" or "http" says so where the family would not. Whoever handed
 * them over (systemd's mcp-hotd.socket) keeps them open across our
 * restarts, so clients connecting meanwhile wait in the backlog instead
 * of being refused.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mcp-hotd.h"
#include "xmalloc.h"

#define LISTEN_FDS_START	3
#define LISTEN_FDS_MAX		16

static struct {
	int	unix_fd;
	int	http_fd;
} ac = { -1, -1 };

/* Which face fd serves: its name if it has one we know, else its family. */
static int *
activation_slot(int fd, const char *name)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	int			type;
	socklen_t		tlen = sizeof(type);

	if (name != NULL && strcmp(name, "unix") == 0)
		return &ac.unix_fd;
	if (name != NULL && strcmp(name, "http") == 0)
		return &ac.http_fd;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1 ||
	    type != SOCK_STREAM || getsockname(fd, (struct sockaddr *)&ss,
	    &len) == -1)
		return NULL;
	if (ss.ss_family == AF_UNIX)
		return &ac.unix_fd;
	if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
		return &ac.http_fd;
	return NULL;
}

/* Take what the environment hands over, and remove it from there. */
void
activation_init(void)
{
	const char	*pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char		*names = NULL, *name, *next = NULL, *end;
	long		 n, i;
	int		 fd, *slot;

	if (pid == NULL || fds == NULL)
		goto done;
	if (strtol(pid, &end, 10) != (long)getpid() || *end != '\0')
		goto done;	/* meant for another process */
	n = strtol(fds, &end, 10);
	if (*end != '\0' || n < 1 || n > LISTEN_FDS_MAX) {
		log_warnx("LISTEN_FDS=%s: ignored", fds);
		goto done;
	}
	if (getenv("LISTEN_FDNAMES") != NULL)
		next = names = xstrdup(getenv("LISTEN_FDNAMES"));
	for (i = 0; i < n; i++) {
		fd = LISTEN_FDS_START + (int)i;
		name = next != NULL ? strsep(&next, ":") : NULL;
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
		    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
			fatal("LISTEN_FDS: descriptor %d", fd);
		if ((slot = activation_slot(fd, name)) == NULL)
			fatalx("LISTEN_FDS: descriptor %d (%s) is neither a unix "
			    "nor a TCP stream socket", fd, name ? name : "unnamed");
		if (*slot != -1)
			fatalx("LISTEN_FDS: two sockets for the %s face",
			    slot == &ac.unix_fd ? "unix socket" : "HTTP");
		*slot = fd;
		log_info("socket activation: descriptor %d is the %s face", fd,
		    slot == &ac.unix_fd ? "unix socket" : "HTTP");
	}
	free(names);
done:
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

/* The inherited listening socket of the unix face, or -1. */
int
activation_unix(void)
{
	return ac.unix_fd;
}

/* ... of the HTTP face, or -1. */
int
activation_http(void)
{
	return ac.http_fd;
}
