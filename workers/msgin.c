/* SPDX-License-Identifier: ISC */
/*
 * The worker's side of the channel contract: headers checked against the
 * table (a type that goes down this channel, within its size), payloads
 * (as the dict pyconv made of them) against their keys. The supervisor is
 * trusted, but a frame that does not fit means the two ends disagree:
 * better said at once than guessed at.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msgin.h"

/* A header from the supervisor on chan: 0, or -1 with why. */
int
msgin_header(const uint8_t *hb, enum msg_chan chan, struct frame_hdr *h,
    const char **why)
{
	const struct msg_spec	*s;

	if (frame_hdr_decode(hb, MSG_ARGS_MAX, h, why) == -1)
		return -1;
	if (!msg_allowed(h->type, MSG_DOWN, chan)) {
		*why = "a message that does not come this way";
		return -1;
	}
	s = msg_spec(h->type);
	if (s->max != 0 && h->len > s->max) {
		*why = "a frame larger than its spec allows";
		return -1;
	}
	return 0;
}

static int
msgin_key_ok(const struct msg_key *k, PyObject *v)
{
	Py_ssize_t	n, i;

	switch (k->type) {
	case MSG_K_NSTR:
		if (v == Py_None)
			return 1;
		/* FALLTHROUGH */
	case MSG_K_STR:
		if (!PyUnicode_Check(v) || PyUnicode_AsUTF8AndSize(v, &n) ==
		    NULL)
			return 0;
		return n >= k->lo && (k->hi == 0 || n <= k->hi);
	case MSG_K_INT:
		if (!PyLong_Check(v) || PyBool_Check(v))
			return 0;
		n = (Py_ssize_t)PyLong_AsLongLong(v);
		return !PyErr_Occurred() && n >= k->lo && n <= k->hi;
	case MSG_K_NUM:
		return (PyLong_Check(v) && !PyBool_Check(v)) ||
		    PyFloat_Check(v);
	case MSG_K_BOOL:
		return PyBool_Check(v);
	case MSG_K_OBJ:
		return PyDict_Check(v) && PyDict_Size(v) >= k->lo &&
		    (k->hi == 0 || PyDict_Size(v) <= k->hi);
	case MSG_K_ARR:
	case MSG_K_STRS:
		if (!PyList_Check(v) || (k->hi != 0 && PyList_Size(v) > k->hi))
			return 0;
		for (i = 0; k->type == MSG_K_STRS && i < PyList_Size(v); i++)
			if (!PyUnicode_Check(PyList_GetItem(v, i)))
				return 0;
		return 1;
	case MSG_K_ANY:
		return 1;
	}
	return 0;
}

/* msg (a dict) against type's keys: NULL, or what does not fit, named. */
const char *
msgin_check(uint16_t type, PyObject *msg)
{
	static char		 why[128];
	const struct msg_key	*k;
	PyObject		*key, *v;
	Py_ssize_t		 pos = 0, len;
	const char		*name;
	size_t			 i;

	if (!PyDict_Check(msg))
		return "not a JSON object";
	while (PyDict_Next(msg, &pos, &key, &v)) {
		if ((name = PyUnicode_AsUTF8AndSize(key, &len)) == NULL) {
			PyErr_Clear();
			return "a key that is not UTF-8";
		}
		if ((k = msg_key_find(type, name, (size_t)len)) == NULL) {
			snprintf(why, sizeof(why), "'%.64s' is not one of its "
			    "keys", name);
			return why;
		}
		if (!msgin_key_ok(k, v)) {
			PyErr_Clear();
			snprintf(why, sizeof(why), "'%s' is not as its spec "
			    "says", k->name);
			return why;
		}
	}
	for (i = 0; i < MK_MAX; i++)
		if (msg_keys[i].msg == type && msg_keys[i].required &&
		    PyDict_GetItemString(msg, msg_keys[i].name) == NULL) {
			snprintf(why, sizeof(why), "'%s' is missing",
			    msg_keys[i].name);
			return why;
		}
	return NULL;
}

/* A checked message's member (borrowed), or NULL when left out. */
PyObject *
msgin_get(PyObject *msg, enum msg_key_id k)
{
	return PyDict_GetItemString(msg, msg_keys[k].name);
}

long long
msgin_int(PyObject *msg, enum msg_key_id k)
{
	PyObject	*v = msgin_get(msg, k);

	return v != NULL ? PyLong_AsLongLong(v) : (long long)msg_keys[k].def;
}

/* A STRS member as a NULL-ended array (its strings borrowed), or NULL. */
const char **
msgin_strings(PyObject *msg, enum msg_key_id k)
{
	PyObject	*v = msgin_get(msg, k);
	const char	**a;
	Py_ssize_t	 i, n;

	if (v == NULL)
		return NULL;
	n = PyList_Size(v);
	if ((a = calloc((size_t)n + 1, sizeof(*a))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		a[i] = PyUnicode_AsUTF8(PyList_GetItem(v, i));
	return a;
}
