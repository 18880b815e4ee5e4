/* SPDX-License-Identifier: ISC */
/*
 * The service manager's notify protocol (sd_notify(3)): one datagram to
 * $NOTIFY_SOCKET per state change. Nothing when the variable is unset.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

void	notify_init(void);
void	notify_ready(unsigned);
void	notify_reloading(void);
void	notify_stopping(void);
void	notify_loading(unsigned, unsigned);
void	notify_close(void);

#endif
