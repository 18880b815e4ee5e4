/* SPDX-License-Identifier: ISC */
/* oauth.c's face: OAuth 2.1 access tokens (JWT) for the HTTP face. */
#ifndef OAUTH_H
#define OAUTH_H

#include <stddef.h>

void		 oauth_init(const char *, const char *, const char *, int);
void		 oauth_reload(void);
void		 oauth_free(void);
int		 oauth_on(void);
const char	*oauth_resource(void);
const char	*oauth_issuer(void);
int		 oauth_verify(const char *, char **, char *, size_t);

#endif /* OAUTH_H */
