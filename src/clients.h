/* SPDX-License-Identifier: ISC */
/* clients.c's face: who may call what (--clients FILE). */
#ifndef CLIENTS_H
#define CLIENTS_H

void		 clients_init(const char *);
void		 clients_reload(void);
void		 clients_free(void);
int		 clients_on(void);
const char	*clients_by_token(const char *);
const char	*clients_by_peer(long, long);
int		 clients_may(const char *, const char *);
int		 clients_may_control(const char *);

#endif /* CLIENTS_H */
