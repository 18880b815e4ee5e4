/* SPDX-License-Identifier: ISC */
/*
 * JSON string literals, shared by the supervisor's request parser and the
 * worker's text-to-Python converter: one decoder, one encoder rule.
 */
#ifndef JSONSTR_H
#define JSONSTR_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Deepest nesting of arrays and objects the supervisor reads, in requests
 * and in results; a worker refuses a return value that would exceed it
 * once wrapped in its result.
 */
#define JSON_MAX_DEPTH		128

/* jsonstr.c */
ssize_t		 json_unescape(const char *, size_t, char *);

#endif /* JSONSTR_H */
