/*
 * JSON string literals, shared by the supervisor's request parser and the
 * worker's text-to-Python converter: one decoder, one encoder rule.
 */
#ifndef JSONSTR_H
#define JSONSTR_H

#include <stddef.h>
#include <sys/types.h>

/* jsonstr.c */
ssize_t		 json_unescape(const char *, size_t, char *);

#endif /* JSONSTR_H */
