/* SPDX-License-Identifier: ISC */
#ifndef CHANOUT_H
#define CHANOUT_H

#include <stddef.h>
#include <stdint.h>

#include "pyconv.h"

/* chanout.c: the rules for who writes it are at the top of chanout.c */
extern struct pybuf	chanout;
void	chanout_flush(void);
void	chanout_write_held(void);
void	chanout_setup(void);
void	chanout_hold_begin(void);
void	chanout_hold_end(void);
size_t	chanout_frame_begin(uint32_t, uint64_t);
void	chanout_frame_end(size_t);
void	chanout_notify(uint32_t, uint64_t, const char *, size_t);

#endif /* CHANOUT_H */
