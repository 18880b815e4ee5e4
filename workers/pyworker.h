/* SPDX-License-Identifier: ISC */
#ifndef PYWORKER_H
#define PYWORKER_H

/* pyworker.c */
void	worker_isolate(void);
void	worker_python_start(void);
void	worker_sandbox_prepare(void);
void	worker_serve(const char *) __attribute__((noreturn));
void	worker_set_title(const char *);

/* spawner.c */
void	spawner_main(void) __attribute__((noreturn));

#endif /* PYWORKER_H */
