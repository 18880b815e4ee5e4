/* SPDX-License-Identifier: ISC */
/*
 * The worker's reader of the channel contract (src/msg.h): what the
 * supervisor sends is checked against the same table the supervisor's
 * gate uses, and a key left out reads as the table's default.
 */
#ifndef MSGIN_H
#define MSGIN_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "../src/frame.h"

int		 msgin_header(const uint8_t *, enum msg_chan, struct frame_hdr *,
		    const char **);
const char	*msgin_check(uint16_t, PyObject *);
PyObject	*msgin_get(PyObject *, enum msg_key_id);
long long	 msgin_int(PyObject *, enum msg_key_id);
const char	**msgin_strings(PyObject *, enum msg_key_id);

#endif /* MSGIN_H */
