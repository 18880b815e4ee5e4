/* SPDX-License-Identifier: ISC */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stddef.h>

/*
 * xmalloc.c: allocation that cannot fail. The supervisor has no useful
 * way to go on without memory, so running out is fatal in one place
 * rather than checked (and spelled differently) at every call site.
 */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);

#endif /* XMALLOC_H */
