#ifndef PYCONV_H
#define PYCONV_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <json.h>

/* pyconv.c */
PyObject	*pyconv_from_json(struct json_object *);
int		 pyconv_to_json(PyObject *, struct json_object **, char *,
		    size_t);

#endif /* PYCONV_H */
