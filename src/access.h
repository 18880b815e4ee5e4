/* SPDX-License-Identifier: ISC */
/* The access log (access.c): one line a request, never its arguments. */
#ifndef ACCESS_H
#define ACCESS_H

#include <stddef.h>

struct access_entry {
	const char	*face;		/* stdio, unix, http */
	const char	*client;	/* --clients: its name, or NULL */
	unsigned	 session;
	const char	*era;		/* 2025, 2026 or - */
	const char	*method;	/* as the client sent it */
	size_t		 methodlen;
	const char	*tool;		/* tools/call's, or NULL */
	const char	*outcome;	/* ok, isError, error -32601... */
	long		 usec;
	size_t		 bytes;		/* of the answer */
};

int	access_open(const char *);
void	access_reopen(void);
int	access_on(void);
void	access_line(const struct access_entry *);
void	access_close(void);

#endif
