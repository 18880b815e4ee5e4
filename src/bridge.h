/* SPDX-License-Identifier: ISC */
#ifndef BRIDGE_H
#define BRIDGE_H

/* bridge.c: relay stdin/stdout and fd; reconnect() when the daemon goes. */
int	bridge_run(int, int (*)(void));
int	write_full(int, const char *, size_t);

#endif /* BRIDGE_H */
