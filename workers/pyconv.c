/*
 * json-c <-> Python objects, directly: the per-call hot path, with no json
 * module in between. JSON numbers keep their meaning both ways: integers of
 * any size (big ones are written as their exact digits), floats in Python's
 * shortest round-trip form, and NaN/Infinity refused since JSON has none.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "pyconv.h"

#define PYCONV_MAX_DEPTH	200

static PyObject	*pyconv_value(struct json_object *);

static PyObject *
pyconv_int(struct json_object *j)
{
	int64_t	v = json_object_get_int64(j);

	/* json-c keeps integers above INT64_MAX as uint64. */
	if (v == INT64_MAX)
		return PyLong_FromUnsignedLongLong(json_object_get_uint64(j));
	return PyLong_FromLongLong(v);
}

static PyObject *
pyconv_array(struct json_object *j)
{
	PyObject	*list, *item;
	size_t		 i, n = json_object_array_length(j);

	if ((list = PyList_New((Py_ssize_t)n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((item = pyconv_value(json_object_array_get_idx(j,
		    i))) == NULL) {
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, item);
	}
	return list;
}

static PyObject *
pyconv_object(struct json_object *j)
{
	PyObject	*dict, *val;
	int		 rv;

	if ((dict = PyDict_New()) == NULL)
		return NULL;
	json_object_object_foreach(j, key, v) {
		if ((val = pyconv_value(v)) == NULL) {
			Py_DECREF(dict);
			return NULL;
		}
		rv = PyDict_SetItemString(dict, key, val);
		Py_DECREF(val);
		if (rv == -1) {
			Py_DECREF(dict);
			return NULL;
		}
	}
	return dict;
}

static PyObject *
pyconv_value(struct json_object *j)
{
	switch (json_object_get_type(j)) {
	case json_type_null:
		Py_RETURN_NONE;
	case json_type_boolean:
		return PyBool_FromLong(json_object_get_boolean(j));
	case json_type_int:
		return pyconv_int(j);
	case json_type_double:
		return PyFloat_FromDouble(json_object_get_double(j));
	case json_type_string:
		return PyUnicode_DecodeUTF8(json_object_get_string(j),
		    json_object_get_string_len(j), "replace");
	case json_type_array:
		return pyconv_array(j);
	case json_type_object:
		return pyconv_object(j);
	}
	PyErr_SetString(PyExc_TypeError, "unknown JSON type");
	return NULL;
}

/* A new reference, or NULL with a Python exception set. */
PyObject *
pyconv_from_json(struct json_object *j)
{
	return pyconv_value(j);
}

struct tojson {
	char	*err;
	size_t	 errlen;
};

static int	tojson_value(struct tojson *, PyObject *, int,
		    struct json_object **);

static int
tojson_fail(struct tojson *c, const char *fmt, const char *arg)
{
	snprintf(c->err, c->errlen, fmt, arg);
	PyErr_Clear();
	return -1;
}

static int
tojson_long(struct tojson *c, PyObject *o, struct json_object **out)
{
	long long	v;
	int		overflow;
	PyObject	*s;

	v = PyLong_AsLongLongAndOverflow(o, &overflow);
	if (!overflow) {
		*out = json_object_new_int64(v);
		return 0;
	}
	/* JSON numbers have no size limit: write the exact digits. */
	if ((s = PyObject_Str(o)) == NULL)
		return tojson_fail(c, "%s", "integer cannot be formatted");
	*out = json_object_new_double_s(PyLong_AsDouble(o),
	    PyUnicode_AsUTF8(s));
	PyErr_Clear();		/* AsDouble overflows past 1e308: harmless */
	Py_DECREF(s);
	return 0;
}

static int
tojson_float(struct tojson *c, PyObject *o, struct json_object **out)
{
	double	 d = PyFloat_AS_DOUBLE(o);
	char	*repr;

	if (!Py_IS_FINITE(d))
		return tojson_fail(c, "%s is not a JSON number", Py_IS_NAN(d) ?
		    "NaN" : "Infinity");
	if ((repr = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0,
	    NULL)) == NULL)
		return tojson_fail(c, "%s", "float cannot be formatted");
	*out = json_object_new_double_s(d, repr);
	PyMem_Free(repr);
	return 0;
}

static int
tojson_str(struct tojson *c, PyObject *o, struct json_object **out)
{
	const char	*s;
	Py_ssize_t	 len;

	if ((s = PyUnicode_AsUTF8AndSize(o, &len)) == NULL)
		return tojson_fail(c, "%s", "a string is not valid Unicode "
		    "(lone surrogate)");
	*out = json_object_new_string_len(s, (int)len);
	return 0;
}

static int
tojson_seq(struct tojson *c, PyObject *o, int depth, struct json_object **out)
{
	PyObject		*fast;
	struct json_object	*a, *item;
	Py_ssize_t		 i, n;

	if ((fast = PySequence_Fast(o, "")) == NULL)
		return tojson_fail(c, "%s", "sequence cannot be read");
	n = PySequence_Fast_GET_SIZE(fast);
	a = json_object_new_array_ext((int)n);
	for (i = 0; i < n; i++) {
		if (tojson_value(c, PySequence_Fast_GET_ITEM(fast, i),
		    depth + 1, &item) == -1) {
			json_object_put(a);
			Py_DECREF(fast);
			return -1;
		}
		json_object_array_add(a, item);
	}
	Py_DECREF(fast);
	*out = a;
	return 0;
}

/* Keys as json.dumps takes them: str, or int/float/bool/None as text. */
static PyObject *
tojson_key(PyObject *k)
{
	if (PyUnicode_Check(k)) {
		Py_INCREF(k);
		return k;
	}
	if (k == Py_True)
		return PyUnicode_FromString("true");
	if (k == Py_False)
		return PyUnicode_FromString("false");
	if (k == Py_None)
		return PyUnicode_FromString("null");
	if (PyLong_Check(k) || PyFloat_Check(k))
		return PyObject_Str(k);
	return NULL;
}

static int
tojson_dict(struct tojson *c, PyObject *o, int depth, struct json_object **out)
{
	struct json_object	*obj, *val;
	PyObject		*k, *v, *ks;
	Py_ssize_t		 pos = 0;
	const char		*key;

	obj = json_object_new_object();
	while (PyDict_Next(o, &pos, &k, &v)) {
		if ((ks = tojson_key(k)) == NULL) {
			json_object_put(obj);
			return tojson_fail(c, "a dict key of type %s is not a "
			    "string", Py_TYPE(k)->tp_name);
		}
		if ((key = PyUnicode_AsUTF8(ks)) == NULL ||
		    tojson_value(c, v, depth + 1, &val) == -1) {
			Py_DECREF(ks);
			json_object_put(obj);
			return key == NULL ? tojson_fail(c, "%s", "a dict key "
			    "is not valid Unicode") : -1;
		}
		json_object_object_add(obj, key, val);
		Py_DECREF(ks);
	}
	*out = obj;
	return 0;
}

static int
tojson_value(struct tojson *c, PyObject *o, int depth, struct json_object **out)
{
	*out = NULL;
	if (depth > PYCONV_MAX_DEPTH)
		return tojson_fail(c, "nested deeper than %s levels (or "
		    "circular)", "200");
	if (o == Py_None)
		return 0;
	if (PyBool_Check(o)) {
		*out = json_object_new_boolean(o == Py_True);
		return 0;
	}
	if (PyLong_Check(o))
		return tojson_long(c, o, out);
	if (PyFloat_Check(o))
		return tojson_float(c, o, out);
	if (PyUnicode_Check(o))
		return tojson_str(c, o, out);
	if (PyList_Check(o) || PyTuple_Check(o))
		return tojson_seq(c, o, depth, out);
	if (PyDict_Check(o))
		return tojson_dict(c, o, depth, out);
	return tojson_fail(c, "a value of type %s is not JSON-serializable",
	    Py_TYPE(o)->tp_name);
}

/*
 * Convert o; *out is NULL for None. Returns 0, or -1 with err saying what
 * could not be converted.
 */
int
pyconv_to_json(PyObject *o, struct json_object **out, char *err, size_t errlen)
{
	struct tojson	c = { err, errlen };

	return tojson_value(&c, o, 0, out);
}
