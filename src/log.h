/* SPDX-License-Identifier: ISC */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>

/* log.c */
void	log_init(const char *, int);
void	log_setverbose(int);
size_t	log_vis(char *, const char *, size_t);
int	log_getverbose(void);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* LOG_H */
