#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>

/* sandbox.c */
int	sandbox_no_network(char *, size_t);
int	sandbox_prepare(char *, size_t);
int	sandbox_load_phase(int, char *, size_t);
int	sandbox_call_phase(int, void (*)(void), char *, size_t);

#endif /* SANDBOX_H */
