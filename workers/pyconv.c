/* SPDX-License-Identifier: ISC */
/*
 * JSON text <-> Python objects, directly: the per-call hot path, with no
 * json module and no intermediate tree in between. Arguments arrive as the
 * text the supervisor has already checked; results leave as the text the
 * supervisor relays. JSON numbers keep their meaning both ways: integers of
 * any size (big ones as their exact digits), floats in Python's shortest
 * round-trip form, and NaN/Infinity refused since JSON has none.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyconv.h"
#include "../src/jsonstr.h"

/* A value sits one level down in its result: {"structuredContent": v}. */
#define PYCONV_MAX_DEPTH	(JSON_MAX_DEPTH - 1)

/* Text -> Python */

struct parse {
	const char	*p, *end;
	int		 depth;
};

static PyObject	*parse_value(struct parse *);

static PyObject *
parse_fail(const char *what)
{
	if (!PyErr_Occurred())
		PyErr_Format(PyExc_ValueError, "bad JSON: %s", what);
	return NULL;
}

static void
parse_ws(struct parse *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* A string with escapes, decoded into a scratch buffer. */
static PyObject *
parse_string_escaped(struct parse *s, const char *start)
{
	static char	*buf;
	static size_t	 cap;
	ssize_t		 n;
	char		*o;

	while (s->p < s->end && *s->p != '"')
		s->p += *s->p == '\\' && s->p + 1 < s->end ? 2 : 1;
	if (s->p >= s->end)
		return parse_fail("unterminated string");
	if ((size_t)(s->p - start) > cap) {
		if ((o = realloc(buf, (size_t)(s->p - start))) == NULL)
			return PyErr_NoMemory();
		buf = o;
		cap = (size_t)(s->p - start);
	}
	if ((n = json_unescape(start, (size_t)(s->p - start), buf)) == -1)
		return parse_fail("bad escape");
	s->p++;
	return PyUnicode_DecodeUTF8(buf, n, "replace");
}

static PyObject *
parse_string(struct parse *s)
{
	const char	*start = ++s->p;

	while (s->p < s->end && *s->p != '"' && *s->p != '\\')
		s->p++;
	if (s->p >= s->end)
		return parse_fail("unterminated string");
	if (*s->p == '\\')
		return parse_string_escaped(s, start);
	s->p++;
	return PyUnicode_DecodeUTF8(start, s->p - 1 - start, "replace");
}

static PyObject *
parse_number(struct parse *s)
{
	const char	*start = s->p;
	char		 small[64], *copy;
	int		 isfloat = 0;
	long long	 v = 0;
	PyObject	*o;
	size_t		 n;

	if (s->p < s->end && *s->p == '-')
		s->p++;
	while (s->p < s->end && ((*s->p >= '0' && *s->p <= '9') ||
	    *s->p == '.' || *s->p == 'e' || *s->p == 'E' || *s->p == '+' ||
	    *s->p == '-')) {
		if (*s->p < '0' || *s->p > '9')
			isfloat = 1;
		s->p++;
	}
	n = (size_t)(s->p - start);
	if (n == 0 || (n == 1 && *start == '-'))
		return parse_fail("bad number");
	if (!isfloat && n <= 18) {
		const char *q = start + (*start == '-');

		for (; q < s->p; q++)
			v = v * 10 + (*q - '0');
		return PyLong_FromLongLong(*start == '-' ? -v : v);
	}
	copy = n < sizeof(small) ? small : malloc(n + 1);
	if (copy == NULL)
		return PyErr_NoMemory();
	memcpy(copy, start, n);
	copy[n] = '\0';
	if (isfloat) {
		double d = PyOS_string_to_double(copy, NULL, NULL);

		o = d == -1.0 && PyErr_Occurred() ? NULL :
		    PyFloat_FromDouble(d);
	} else
		o = PyLong_FromString(copy, NULL, 10);
	if (copy != small)
		free(copy);
	return o;
}

static PyObject *
parse_literal(struct parse *s, const char *lit, PyObject *value)
{
	size_t	n = strlen(lit);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return parse_fail("unknown literal");
	s->p += n;
	Py_INCREF(value);
	return value;
}

/* After an element: 1 for ',', 0 for the closing bracket, -1 otherwise. */
static int
parse_next(struct parse *s, char close)
{
	parse_ws(s);
	if (s->p < s->end && *s->p == ',') {
		s->p++;
		return 1;
	}
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	return -1;
}

static PyObject *
parse_array(struct parse *s)
{
	PyObject	*list, *item;
	int		 more;

	if ((list = PyList_New(0)) == NULL)
		return NULL;
	s->p++;
	parse_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return list;
	}
	do {
		if ((item = parse_value(s)) == NULL ||
		    PyList_Append(list, item) == -1) {
			Py_XDECREF(item);
			Py_DECREF(list);
			return NULL;
		}
		Py_DECREF(item);
	} while ((more = parse_next(s, ']')) == 1);
	if (more == -1) {
		Py_DECREF(list);
		return parse_fail("expected ',' or ']'");
	}
	return list;
}

/* Keys are interned: as keyword arguments they then match by pointer. */
static int
parse_member(struct parse *s, PyObject *dict)
{
	PyObject	*key, *val;
	int		 rv;

	parse_ws(s);
	if (s->p >= s->end || *s->p != '"') {
		parse_fail("expected a key");
		return -1;
	}
	if ((key = parse_string(s)) == NULL)
		return -1;
	PyUnicode_InternInPlace(&key);
	parse_ws(s);
	if (s->p >= s->end || *s->p++ != ':') {
		Py_DECREF(key);
		parse_fail("expected ':'");
		return -1;
	}
	if ((val = parse_value(s)) == NULL) {
		Py_DECREF(key);
		return -1;
	}
	rv = PyDict_SetItem(dict, key, val);
	Py_DECREF(key);
	Py_DECREF(val);
	return rv;
}

static PyObject *
parse_object(struct parse *s)
{
	PyObject	*dict;
	int		 more;

	if ((dict = PyDict_New()) == NULL)
		return NULL;
	s->p++;
	parse_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return dict;
	}
	do {
		if (parse_member(s, dict) == -1) {
			Py_DECREF(dict);
			return NULL;
		}
	} while ((more = parse_next(s, '}')) == 1);
	if (more == -1) {
		Py_DECREF(dict);
		return parse_fail("expected ',' or '}'");
	}
	return dict;
}

static PyObject *
parse_value(struct parse *s)
{
	PyObject	*o;

	parse_ws(s);
	if (s->p >= s->end)
		return parse_fail("unexpected end");
	if (++s->depth > PYCONV_MAX_DEPTH)
		return parse_fail("nested too deep");
	switch (*s->p) {
	case '{':
		o = parse_object(s);
		break;
	case '[':
		o = parse_array(s);
		break;
	case '"':
		o = parse_string(s);
		break;
	case 't':
		o = parse_literal(s, "true", Py_True);
		break;
	case 'f':
		o = parse_literal(s, "false", Py_False);
		break;
	case 'n':
		o = parse_literal(s, "null", Py_None);
		break;
	default:
		o = parse_number(s);
		break;
	}
	s->depth--;
	return o;
}

/* A new reference, or NULL with a Python exception set. */
PyObject *
pyconv_parse(const char *text, size_t len)
{
	struct parse	 s = { text, text + len, 0 };
	PyObject	*o;

	if ((o = parse_value(&s)) == NULL)
		return NULL;
	parse_ws(&s);
	if (s.p != s.end) {
		Py_DECREF(o);
		return parse_fail("trailing data");
	}
	return o;
}

/* Python -> text */

void
pybuf_reserve(struct pybuf *b, size_t n)
{
	size_t	cap;
	char	*p;

	if (b->len + n <= b->cap)
		return;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		fprintf(stderr, "mcp-hotd-worker: out of memory (%zu bytes)\n",
		    cap);
		_exit(1);
	}
	b->p = p;
	b->cap = cap;
}

void
pybuf_add(struct pybuf *b, const void *p, size_t n)
{
	pybuf_reserve(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* s as a JSON string literal: '"', '\' and control characters escaped. */
void
pybuf_add_string(struct pybuf *b, const char *s, size_t n)
{
	static const char	hex[] = "0123456789abcdef";
	const char		*run = s, *end = s + n;
	char			*o;

	pybuf_reserve(b, n + 2);
	b->p[b->len++] = '"';
	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		pybuf_add(b, run, (size_t)(s - run));
		run = s + 1;
		pybuf_reserve(b, 6);
		o = b->p + b->len;
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
			break;
		}
		b->len = (size_t)(o - b->p);
	}
	pybuf_add(b, run, (size_t)(s - run));
	pybuf_add(b, "\"", 1);
}

struct dump {
	struct pybuf	*b;
	char		*err;
	size_t		 errlen;
};

static int	dump_value(struct dump *, PyObject *, int);

static int
dump_fail(struct dump *c, const char *fmt, const char *arg)
{
	snprintf(c->err, c->errlen, fmt, arg);
	PyErr_Clear();
	return -1;
}

static int
dump_text(struct dump *c, PyObject *o)
{
	PyObject	*s;
	const char	*t;
	Py_ssize_t	 n;

	if ((s = PyObject_Str(o)) == NULL ||
	    (t = PyUnicode_AsUTF8AndSize(s, &n)) == NULL) {
		Py_XDECREF(s);
		return dump_fail(c, "%s", "a number cannot be formatted");
	}
	pybuf_add(c->b, t, (size_t)n);
	Py_DECREF(s);
	return 0;
}

static int
dump_long(struct dump *c, PyObject *o)
{
	long long		v;
	unsigned long long	u;
	int			overflow;
	char			num[24], *p = num + sizeof(num);

	v = PyLong_AsLongLongAndOverflow(o, &overflow);
	if (overflow)	/* JSON numbers have no size limit: exact digits */
		return dump_text(c, o);
	if (v == -1 && PyErr_Occurred())
		return dump_fail(c, "%s", "an integer cannot be read");
	/* By hand: printf's machinery was a tenth of a call's cost. */
	u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		*--p = '-';
	pybuf_add(c->b, p, (size_t)(num + sizeof(num) - p));
	return 0;
}

static int
dump_float(struct dump *c, PyObject *o)
{
	double	 d = PyFloat_AS_DOUBLE(o);
	char	*repr;

	if (!Py_IS_FINITE(d))
		return dump_fail(c, "%s is not a JSON number", Py_IS_NAN(d) ?
		    "NaN" : "Infinity");
	if ((repr = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0,
	    NULL)) == NULL)
		return dump_fail(c, "%s", "a float cannot be formatted");
	pybuf_add(c->b, repr, strlen(repr));
	PyMem_Free(repr);
	return 0;
}

static int
dump_str(struct dump *c, PyObject *o)
{
	const char	*s;
	Py_ssize_t	 len;

	if ((s = PyUnicode_AsUTF8AndSize(o, &len)) == NULL)
		return dump_fail(c, "%s", "a string is not valid Unicode "
		    "(lone surrogate)");
	pybuf_add_string(c->b, s, (size_t)len);
	return 0;
}

static int
dump_seq(struct dump *c, PyObject *o, int depth)
{
	PyObject	*fast;
	Py_ssize_t	 i, n;

	if ((fast = PySequence_Fast(o, "")) == NULL)
		return dump_fail(c, "%s", "a sequence cannot be read");
	n = PySequence_Fast_GET_SIZE(fast);
	pybuf_add(c->b, "[", 1);
	for (i = 0; i < n; i++) {
		if (i > 0)
			pybuf_add(c->b, ",", 1);
		if (dump_value(c, PySequence_Fast_GET_ITEM(fast, i),
		    depth + 1) == -1) {
			Py_DECREF(fast);
			return -1;
		}
	}
	Py_DECREF(fast);
	pybuf_add(c->b, "]", 1);
	return 0;
}

/* Keys as json.dumps takes them: str, or int/float/bool/None as text. */
static PyObject *
dump_key(PyObject *k)
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
dump_dict(struct dump *c, PyObject *o, int depth)
{
	PyObject	*k, *v, *ks;
	Py_ssize_t	 pos = 0;
	int		 first = 1, rv;

	pybuf_add(c->b, "{", 1);
	while (PyDict_Next(o, &pos, &k, &v)) {
		if ((ks = dump_key(k)) == NULL)
			return dump_fail(c, "a dict key of type %s is not a "
			    "string", Py_TYPE(k)->tp_name);
		if (!first)
			pybuf_add(c->b, ",", 1);
		first = 0;
		rv = dump_str(c, ks);
		Py_DECREF(ks);
		if (rv == -1)
			return -1;
		pybuf_add(c->b, ":", 1);
		if (dump_value(c, v, depth + 1) == -1)
			return -1;
	}
	pybuf_add(c->b, "}", 1);
	return 0;
}

static int
dump_value(struct dump *c, PyObject *o, int depth)
{
	if (depth >= PYCONV_MAX_DEPTH && (PyList_Check(o) || PyTuple_Check(o) ||
	    PyDict_Check(o)))
		return dump_fail(c, "nested deeper than %s levels (or "
		    "circular)", "127");
	if (o == Py_None) {
		pybuf_add(c->b, "null", 4);
		return 0;
	}
	if (PyBool_Check(o)) {
		if (o == Py_True)
			pybuf_add(c->b, "true", 4);
		else
			pybuf_add(c->b, "false", 5);
		return 0;
	}
	if (PyLong_Check(o))
		return dump_long(c, o);
	if (PyFloat_Check(o))
		return dump_float(c, o);
	if (PyUnicode_Check(o))
		return dump_str(c, o);
	if (PyList_Check(o) || PyTuple_Check(o))
		return dump_seq(c, o, depth);
	if (PyDict_Check(o))
		return dump_dict(c, o, depth);
	return dump_fail(c, "a value of type %s is not JSON-serializable",
	    Py_TYPE(o)->tp_name);
}

/*
 * Append o as JSON text to b. Returns 0, or -1 with err saying what could
 * not be converted (b then holds a partial text the caller cuts off).
 */
int
pyconv_dump(struct pybuf *b, PyObject *o, char *err, size_t errlen)
{
	struct dump	c = { b, err, errlen };

	return dump_value(&c, o, 0);
}
