/* SPDX-License-Identifier: ISC */
/* URI templates (RFC 6570, levels 1 to 3), matched against URIs. */
#ifndef URITEMPLATE_H
#define URITEMPLATE_H

#include <stddef.h>

struct json_object;

/* 0 when tpl is a template we can match, else -1 with why. */
int		 uritemplate_check(const char *, char *, size_t);
/* {variable: decoded value} that make tpl expand to uri, or NULL. */
struct json_object *uritemplate_match(const char *, const char *);
/* tpl's variable names, in order (a JSON array). */
struct json_object *uritemplate_vars(const char *);

#endif /* URITEMPLATE_H */
