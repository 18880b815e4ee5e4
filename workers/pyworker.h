/* SPDX-License-Identifier: ISC */
#ifndef PYWORKER_H
#define PYWORKER_H

#include <stdint.h>

#include "../src/msg.h"

/* pyworker.c */
char	*worker_settings_read(enum msg_chan, uint32_t *);
void	 worker_python_init(void);
void	 worker_settings_apply(char *, uint32_t);
void	 worker_isolate(void);
void	 worker_python_start(void);
void	 worker_sandbox_prepare(void);
void	 worker_serve(const char *, int) __attribute__((noreturn));
void	 worker_set_title(const char *);

/* spawner.c */
void	spawner_main(void) __attribute__((noreturn));

#endif /* PYWORKER_H */
