/* SPDX-License-Identifier: ISC */
/* clients.c's face: who may call what (--clients FILE). */
#ifndef CLIENTS_H
#define CLIENTS_H

#include <stddef.h>

struct json_object;

void		 clients_init(const char *);
void		 clients_reload(void);
void		 clients_free(void);
int		 clients_on(void);
const char	*clients_by_token(const char *);
const char	*clients_by_peer(long, long);
int		 clients_may(const char *, const char *);
int		 clients_may_control(const char *);
const char	*clients_by_scopes(const char *, char *, size_t);
struct json_object *clients_scopes(void);

#endif /* CLIENTS_H */
