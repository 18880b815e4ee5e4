/*
 * mcp-hotd-worker: runs one tool. The supervisor forks and executes it with
 * the channel on fd 3 and stderr on a pipe into its log, then sends LOAD.
 * The worker brings up CPython, loads the tool under the load-phase
 * sandbox, closes the call-phase sandbox around itself, reports READY, and
 * serves calls one at a time until the channel closes.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pyconv.h"
#include "pyworker.h"
#include "sandbox.h"
#include "../src/frame.h"

#define CHAN		3
#define MAX_IN_FRAME	(1024U * 1024 * 1024)
#define RX_SPIN		200	/* non-blocking reads before sleeping */

static const char toolhost_source[] =
#include "toolhost.inc"
;

/*
 * Modules tools commonly use, imported before the sandbox closes the
 * filesystem (an import after that fails with ModuleNotFoundError).
 */
static const char preload_source[] =
	"import ast, base64, bisect, collections, copy, dataclasses, datetime,"
	" decimal, enum, fractions, functools, hashlib, heapq, itertools,"
	" json, linecache, math, operator, random, re, statistics, string,"
	" textwrap, time, traceback, typing, unicodedata, uuid, zlib\n"
	"import encodings.idna, encodings.latin_1, encodings.ascii\n";

static struct {
	PyObject	*host;		/* the toolhost module */
	PyObject	*func;		/* the tool's function */
	PyObject	*noargs;
	const char	*name;
	size_t		 max_reply;
	unsigned long	 served;		/* calls answered */
	char		 isolation[128];	/* reported in READY */
} wk;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "mcp-hotd-worker: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(1);
}

/*
 * Input is read in as large chunks as the socket holds, so a batch of
 * pipelined calls costs one read; each result is one writev, sent as soon
 * as it exists, so a worker that dies later loses no finished answer.
 */
static struct {
	char	*buf;
	size_t	 cap, off, len;
} rx;

static void
write_frame(const void *hdr, const void *payload, size_t len)
{
	struct iovec	 iov[2] = { { (void *)hdr, FRAME_HDR_LEN },
			    { (void *)payload, len } };
	ssize_t		 n;

	while (iov[0].iov_len + iov[1].iov_len > 0) {
		if ((n = writev(CHAN, iov, 2)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);	/* the supervisor is gone */
		for (int i = 0; i < 2 && n > 0; i++) {
			size_t k = (size_t)n < iov[i].iov_len ?
			    (size_t)n : iov[i].iov_len;
			iov[i].iov_base = (char *)iov[i].iov_base + k;
			iov[i].iov_len -= k;
			n -= (ssize_t)k;
		}
	}
}

static void
send_frame(uint32_t type, uint64_t id, const char *payload, size_t len)
{
	struct frame_hdr	h = { type, (uint32_t)len, id };
	uint8_t			hb[FRAME_HDR_LEN];

	frame_hdr_encode(&h, hb);
	write_frame(hb, payload, len);
}

static void
send_json(uint32_t type, uint64_t id, struct json_object *o)
{
	size_t		 len;
	const char	*s;

	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	send_frame(type, id, s, len);
}

/*
 * Read what the channel holds. Right after a call, the next one often
 * follows within microseconds: polling for a moment before sleeping saves
 * the wakeup, the largest part of a call's latency when we run on another
 * core. A worker that has served nothing yet just sleeps (a hundred of them
 * starting at once must not spin against each other).
 */
static ssize_t
rx_read(char *buf, size_t len)
{
	ssize_t	n;
	int	spin;

	for (spin = wk.served ? 0 : RX_SPIN; spin < RX_SPIN; spin++) {
		if ((n = recv(CHAN, buf, len, MSG_DONTWAIT)) >= 0 ||
		    (errno != EAGAIN && errno != EINTR))
			return n;
		sched_yield();	/* whoever shares our core goes first */
	}
	return read(CHAN, buf, len);
}

/* Make at least want bytes available in rx; 0 at EOF. */
static int
rx_fill(size_t want)
{
	ssize_t	n;

	if (rx.off > 0 && rx.off + want > rx.cap) {
		memmove(rx.buf, rx.buf + rx.off, rx.len);
		rx.off = 0;
	}
	if (rx.off + want > rx.cap) {
		rx.cap = rx.off + want > 65536 ? rx.off + want : 65536;
		if ((rx.buf = realloc(rx.buf, rx.cap)) == NULL)
			die("out of memory for a %zu-byte frame", want);
	}
	while (rx.len < want) {
		n = rx_read(rx.buf + rx.off + rx.len, rx.cap - rx.off - rx.len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		rx.len += (size_t)n;
	}
	return 1;
}

/* A frame's payload (malloc'd, NUL-terminated), or NULL at EOF. */
static char *
recv_frame(struct frame_hdr *h)
{
	const char	*why;
	char		*p;

	if (!rx_fill(FRAME_HDR_LEN))
		return NULL;
	if (frame_hdr_decode((uint8_t *)rx.buf + rx.off, MAX_IN_FRAME, h,
	    &why) == -1)
		die("bad frame from the supervisor: %s", why);
	if (!rx_fill(FRAME_HDR_LEN + (size_t)h->len))
		die("the supervisor closed the channel mid-frame");
	if ((p = malloc((size_t)h->len + 1)) == NULL)
		die("out of memory for a %u-byte frame", h->len);
	memcpy(p, rx.buf + rx.off + FRAME_HDR_LEN, h->len);
	p[h->len] = '\0';
	rx.off += FRAME_HDR_LEN + h->len;
	rx.len -= FRAME_HDR_LEN + h->len;
	return p;
}

static void __attribute__((noreturn))
load_failed(const char *error)
{
	struct json_object	*m = json_object_new_object();

	json_object_object_add(m, "error", json_object_new_string(error));
	send_json(MSG_LOAD_FAILED, 0, m);
	_exit(0);
}

/* "TypeName: message" for the pending exception; the traceback to the log. */
static char *
exception_text(void)
{
	PyObject	*type, *value, *tb, *text;
	char		*out;
	const char	*s;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	if (tb != NULL && value != NULL)
		PyException_SetTraceback(value, tb);
	PyErr_Display(type, value, tb);
	text = PyObject_CallMethod(wk.host, "describe", "O",
	    value ? value : Py_None);
	s = text ? PyUnicode_AsUTF8(text) : NULL;
	out = strdup(s ? s : "the tool raised an exception that cannot be "
	    "described");
	PyErr_Clear();
	Py_XDECREF(text);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	return out;
}

void
worker_python_start(void)
{
	PyConfig	config;
	PyStatus	st;
	PyObject	*code, *mod;

	/* Isolated: no PYTHON* environment, no user site, no cwd on path. */
	PyConfig_InitIsolatedConfig(&config);
	config.install_signal_handlers = 0;
	config.write_bytecode = 0;
	st = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(st))
		load_failed("cannot initialise Python");
	if (PyRun_SimpleString(preload_source) != 0)
		die("preloading the standard modules failed");
	code = Py_CompileString(toolhost_source, "<mcp-hotd toolhost>",
	    Py_file_input);
	if (code == NULL || (mod = PyImport_ExecCodeModule("mcp_hotd_toolhost",
	    code)) == NULL)
		die("the embedded toolhost module does not load");
	Py_DECREF(code);
	wk.host = mod;
	if ((wk.noargs = PyTuple_New(0)) == NULL)
		die("out of memory");
	/* print() goes to stderr, line by line, into the supervisor's log. */
	PyRun_SimpleString("import sys\nsys.stdout = sys.stderr\n"
	    "sys.stderr.reconfigure(line_buffering=True)\n");
}

static struct json_object *
tool_load(struct json_object *msg)
{
	struct json_object	*v, *schema, *ready;
	PyObject		*params, *res;
	const char		*code;
	char			*err, why[256];

	json_object_object_get_ex(msg, "code", &v);
	code = json_object_get_string(v);
	if (json_object_object_get_ex(msg, "parameters", &v))
		params = pyconv_from_json(v);
	else
		params = PyDict_New();
	res = PyObject_CallMethod(wk.host, "load", "ssO", wk.name, code,
	    params);
	Py_XDECREF(params);
	if (res == NULL) {
		err = exception_text();
		load_failed(err);
	}
	wk.func = PyTuple_GetItem(res, 0);
	Py_INCREF(wk.func);
	if (pyconv_to_json(PyTuple_GetItem(res, 1), &schema, why,
	    sizeof(why)) == -1) {
		snprintf(why + strlen(why), sizeof(why) - strlen(why),
		    " (in the derived input schema)");
		load_failed(why);
	}
	ready = json_object_new_object();
	json_object_object_add(ready, "function", json_object_new_string(
	    PyUnicode_AsUTF8(PyObject_GetAttrString(wk.func, "__name__"))));
	json_object_object_add(ready, "inputSchema", schema);
	pyconv_to_json(PyTuple_GetItem(res, 2), &v, why, sizeof(why));
	json_object_object_add(ready, "warnings", v);
	pyconv_to_json(PyTuple_GetItem(res, 3), &v, why, sizeof(why));
	json_object_object_add(ready, "doc", v);
	json_object_object_add(ready, "isolation",
	    json_object_new_string(wk.isolation));
	Py_DECREF(res);
	return ready;
}

static struct json_object *
result_error(const char *text)
{
	struct json_object	*r, *content, *item;

	r = json_object_new_object();
	content = json_object_new_array();
	item = json_object_new_object();
	json_object_object_add(item, "type", json_object_new_string("text"));
	json_object_object_add(item, "text", json_object_new_string(text));
	json_object_array_add(content, item);
	json_object_object_add(r, "content", content);
	json_object_object_add(r, "isError", json_object_new_boolean(1));
	return r;
}

static struct json_object *
result_too_big(size_t len)
{
	char	msg[160];

	snprintf(msg, sizeof(msg), "the reply of %zu bytes exceeds the limit "
	    "of %zu bytes", len, wk.max_reply);
	return result_error(msg);
}

/*
 * A str is one text item. Any other JSON value is a text item holding its
 * JSON, and a dict is also structuredContent.
 */
static struct json_object *
result_from(PyObject *value)
{
	struct json_object	*r, *content, *item, *j, *str;
	const char		*text;
	char			 why[256], msg[320];
	size_t			 len;
	Py_ssize_t		 slen;

	if (PyUnicode_Check(value)) {
		if ((text = PyUnicode_AsUTF8AndSize(value, &slen)) == NULL) {
			PyErr_Clear();
			return result_error("the returned string is not valid "
			    "Unicode (lone surrogate)");
		}
		j = NULL;
		len = (size_t)slen;
		if (len > wk.max_reply)
			return result_too_big(len);
	} else {
		if (pyconv_to_json(value, &j, why, sizeof(why)) == -1) {
			snprintf(msg, sizeof(msg), "the return value cannot be "
			    "sent as JSON: %s", why);
			return result_error(msg);
		}
		text = json_object_to_json_string_length(j,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		    &len);
	}
	if ((str = json_object_new_string_len(text, (int)len)) == NULL) {
		json_object_put(j);
		return result_error("out of memory building the reply");
	}
	r = json_object_new_object();
	content = json_object_new_array();
	item = json_object_new_object();
	json_object_object_add(item, "type", json_object_new_string("text"));
	json_object_object_add(item, "text", str);
	json_object_array_add(content, item);
	json_object_object_add(r, "content", content);
	if (json_object_is_type(j, json_type_object))
		json_object_object_add(r, "structuredContent", j);
	else
		json_object_put(j);
	json_object_object_add(r, "isError", json_object_new_boolean(0));
	return r;
}

static PyObject *
call_function(PyObject *kwargs)
{
	PyObject	*res, *done;

	res = PyObject_Call(wk.func, wk.noargs, kwargs);
	if (res == NULL || !PyCoro_CheckExact(res))
		return res;
	done = PyObject_CallMethod(wk.host, "run_coroutine", "O", res);
	Py_DECREF(res);
	return done;
}

static void
tool_call(uint64_t id, const char *payload, size_t len)
{
	struct json_object	*args, *r;
	PyObject		*kwargs = NULL, *res;
	const char		*out;
	char			*err;
	size_t			 outlen;

	args = json_tokener_parse(payload);
	if (args == NULL || !json_object_is_type(args, json_type_object) ||
	    (kwargs = pyconv_from_json(args)) == NULL) {
		PyErr_Clear();
		r = result_error("the arguments are not a JSON object");
	} else if ((res = call_function(kwargs)) == NULL) {
		err = exception_text();
		r = result_error(err);
		free(err);
	} else {
		r = result_from(res);
		Py_DECREF(res);
	}
	Py_XDECREF(kwargs);
	json_object_put(args);
	out = json_object_to_json_string_length(r, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &outlen);
	(void)len;
	if (out == NULL || outlen > wk.max_reply) {
		json_object_put(r);
		r = out == NULL ? result_error("out of memory serializing the "
		    "reply") : result_too_big(outlen);
		out = json_object_to_json_string_length(r,
		    JSON_C_TO_STRING_PLAIN, &outlen);
	}
	send_frame(MSG_RESULT, id, out, outlen);
	json_object_put(r);
}

/* Before Python starts, so it never sees a network. */
void
worker_isolate(void)
{
	char	why[96];

	if (sandbox_no_network(why, sizeof(why)))
		snprintf(wk.isolation, sizeof(wk.isolation), "own network "
		    "namespace, no network");
	else
		snprintf(wk.isolation, sizeof(wk.isolation), "none (%s)", why);
}

static int
json_int(struct json_object *msg, const char *key, int64_t def)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(msg, key, &v))
		return (int)def;
	return (int)json_object_get_int64(v);
}

/*
 * Serve one tool on the channel at fd 3: LOAD, load phase, call phase,
 * READY, then calls until the channel closes. Python is already up.
 */
void
worker_serve(const char *name)
{
	struct frame_hdr	 h;
	struct json_object	*msg, *ready;
	char			*payload, err[256];

	wk.name = name;
	if ((payload = recv_frame(&h)) == NULL)
		_exit(0);
	if (h.type != MSG_LOAD || (msg = json_tokener_parse(payload)) == NULL)
		die("expected a LOAD message first");
	free(payload);
	wk.max_reply = (size_t)json_object_get_int64(
	    json_object_object_get(msg, "max_reply"));
	if (sandbox_load_phase(json_int(msg, "memory_mb", 512), err,
	    sizeof(err)) == -1)
		load_failed(err);
	ready = tool_load(msg);
	json_object_put(msg);
	if (sandbox_call_phase(CHAN, err, sizeof(err)) == -1)
		load_failed(err);
	send_json(MSG_READY, 0, ready);
	json_object_put(ready);

	while ((payload = recv_frame(&h)) != NULL) {
		if (h.type != MSG_CALL)
			die("unexpected %s message", frame_type_name(h.type));
		tool_call(h.id, payload, h.len);
		wk.served++;
		free(payload);
	}
	_exit(0);
}

static char	*title_start, *title_end;	/* our argv, for ps */

/* Show "mcp-hotd-worker NAME" in ps, in what room argv has. */
void
worker_set_title(const char *name)
{
	size_t	room, len;
	char	*p;

	if (title_start == NULL)
		return;
	p = title_start + strlen(title_start) + 1;	/* after argv[0] */
	if (p >= title_end)
		return;
	room = (size_t)(title_end - p);
	len = strlen(name);
	if (len >= room)
		len = room - 1;
	memset(p, 0, room);
	memcpy(p, name, len);
}

int
main(int argc, char *argv[])
{
	title_start = argv[0];
	title_end = argv[argc - 1] + strlen(argv[argc - 1]);
	if (argc >= 2 && strcmp(argv[1], "--spawner") == 0) {
		worker_isolate();
		worker_python_start();
		spawner_main();
	}
	if (argc != 2 || argv[1][0] == '-')
		die("usage: mcp-hotd-worker TOOL | --spawner (started by "
		    "mcp-hotd, with its channel on fd 3)");
	worker_isolate();
	worker_python_start();
	worker_serve(argv[1]);
}
