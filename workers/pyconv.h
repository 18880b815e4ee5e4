/* SPDX-License-Identifier: ISC */
#ifndef PYCONV_H
#define PYCONV_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* A growing byte buffer; out of memory ends the worker. */
struct pybuf {
	char	*p;
	size_t	 len, cap;
};

/* pyconv.c */
PyObject	*pyconv_parse(const char *, size_t);
int		 pyconv_dump(struct pybuf *, PyObject *, char *, size_t);
void		 pybuf_reserve(struct pybuf *, size_t);
void		 pybuf_add(struct pybuf *, const void *, size_t);
void		 pybuf_add_string(struct pybuf *, const char *, size_t);
#define PYBUF_ADD_LITERAL(b, s)	pybuf_add((b), (s), sizeof(s) - 1)

#endif /* PYCONV_H */
