/* SPDX-License-Identifier: ISC */
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
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chanout.h"
#include "msgin.h"
#include "pyconv.h"
#include "pyworker.h"
#include "sandbox.h"
#include "../src/frame.h"

#define RX_SPIN		200	/* non-blocking reads before sleeping */
#define RX_SPIN_CALL_NS	200000	/* ... after a call quicker than this */
#define TX_BATCH	65536	/* held results written at this size */

static const char toolhost_source[] =
#include "toolhost.inc"
;

static const char netroute_source[] =
#include "netroute.inc"
;

/* FastMCP's and the SDK's names, built by toolhost when code imports them. */
static const char compat_source[] =
#include "compat.inc"
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
	PyObject	*net;		/* the netroute module */
	PyObject	*func;		/* the tool's function */
	PyObject	*ctx_name;	/* its Context parameter, or NULL */
	PyObject	*ctx;		/* toolhost's Context */
	PyObject	*noargs;
	const char	*name;
	size_t		 max_reply;
	unsigned long	 served;		/* calls answered */
	int		 spin;		/* the last call was quick: spin */
	int		 ctx_meta;	/* toolhost holds a call's meta */
	int		 wrap;		/* outputSchema {"result": ...}: a
					 * scalar return is wrapped so */
	int		 schema;	/* it has an outputSchema */
	int		 slots;		/* READY: calls it runs at once */
	int		 kind;		/* LOAD's kind: 0 a tool, else what
					 * toolhost.render makes of a value */
	int		 no_namespaces;	/* SETTINGS: forced fallback */
	int		 no_landlock;
	const char	**paths;	/* --python-path, a venv's; or NULL */
	PyObject	*settings;	/* SETTINGS, parsed: paths' strings */
	char		 isolation[256];	/* namespaces' failure, if any */
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
 * pipelined calls costs one read. Output frames are built in place in chanout,
 * the result's JSON written straight after its header, and a batch's
 * results leave in one write when the batch is done.
 */
static struct {
	char	*buf;
	size_t	 cap, off, len;
} rx;

/* Which call runs, for the cancel signal's handler. */
static _Atomic uint64_t		running;	/* the call running, or 0 */
static _Atomic uint64_t		cancel_next;	/* cancelled before it ran */
static _Atomic uint64_t		cancelled;	/* the call cancelled, as it runs */

/* A CALL_META frame, for the CALL of the same id that follows it. */
static struct {
	uint64_t	 id;
	PyObject	*meta;
} next_meta;

/*
 * The supervisor's WORKER_CANCEL_SIGNAL: if the call it names runs, Python
 * raises toolhost.Cancelled in it at its next instruction (or out of a
 * sleep); if it has not started yet (ids only grow), it is when it starts.
 * A cancel that comes as its call ends is dropped by call_function, never
 * left for the next call.
 */
static void
cancel_on_signal(int sig, siginfo_t *si, void *uc)
{
	uint64_t	id = (uint64_t)(uintptr_t)si->si_value.sival_ptr;

	(void)uc;
	if (si->si_code != SI_QUEUE)
		return;
	if (id == atomic_load(&running)) {
		atomic_store(&cancelled, id);
		PyErr_SetInterruptEx(sig);
	} else if (id > atomic_load(&running))
		atomic_store(&cancel_next, id);
}

static PyObject *
held_py_write(PyObject *self, PyObject *args)
{
	(void)self;
	(void)args;
	chanout_write_held();
	Py_RETURN_NONE;
}

/*
 * toolhost's Context: notify(kind, json) sends the running call a
 * progress (0) or log (1) frame at once; False when no call runs.
 */
static PyObject *
notify_py(PyObject *self, PyObject *args)
{
	uint64_t	 id = atomic_load(&running);
	const char	*json;
	Py_ssize_t	 len;
	int		 kind;

	(void)self;
	if (!PyArg_ParseTuple(args, "is#", &kind, &json, &len))
		return NULL;
	if (id == 0 || (size_t)len > 65536)
		Py_RETURN_FALSE;
	chanout_notify(kind == 0 ? MSG_PROGRESS : MSG_LOG, id, json,
	    (size_t)len);
	Py_RETURN_TRUE;
}

/* toolhost's Context.cancelled: has the client cancelled this call? */
static PyObject *
cancelled_py(PyObject *self, PyObject *args)
{
	uint64_t	id = atomic_load(&running);

	(void)self;
	(void)args;
	return PyBool_FromLong(id != 0 && atomic_load(&cancelled) == id);
}

static char	*rx_take_answer(uint64_t, size_t *);

/*
 * toolhost's Context.ask: send the running call's ASK (its requests, JSON)
 * and wait for the supervisor's ANSWER, which is returned as text. What a
 * batch holds goes out first: the supervisor reads answers in order.
 */
static PyObject *
ask_py(PyObject *self, PyObject *args)
{
	uint64_t	 id = atomic_load(&running);
	const char	*json;
	Py_ssize_t	 len;
	sigset_t	 all, old;
	PyObject	*res;
	char		*answer;
	size_t		 alen;

	(void)self;
	if (!PyArg_ParseTuple(args, "s#", &json, &len))
		return NULL;
	if (id == 0) {
		PyErr_SetString(PyExc_RuntimeError, "no call is running: only "
		    "a call's code can ask its client");
		return NULL;
	}
	if ((size_t)len > wk.max_reply) {
		PyErr_Format(PyExc_ValueError, "the request of %zd bytes "
		    "exceeds the limit of %zu bytes", len, wk.max_reply);
		return NULL;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	chanout_write_held();
	sigprocmask(SIG_SETMASK, &old, NULL);
	chanout_notify(MSG_ASK, id, json, (size_t)len);
	/* The GIL stays held: no other thread of the tool asks or reads the
	 * channel meanwhile (the call waits as a whole). */
	answer = rx_take_answer(id, &alen);
	res = PyUnicode_DecodeUTF8(answer, (Py_ssize_t)alen, "strict");
	free(answer);
	return res;
}

static PyObject	*async_frames_py(PyObject *, PyObject *);
static PyObject	*async_send_py(PyObject *, PyObject *);
static PyObject	*async_result_py(PyObject *, PyObject *);
static PyObject	*async_parse_py(PyObject *, PyObject *);

static PyMethodDef held_methods[] = {
	{ "write_held", held_py_write, METH_NOARGS, NULL },
	{ "notify", notify_py, METH_VARARGS, NULL },
	{ "cancelled", cancelled_py, METH_NOARGS, NULL },
	{ "ask", ask_py, METH_VARARGS, NULL },
	{ "async_frames", async_frames_py, METH_NOARGS, NULL },
	{ "async_send", async_send_py, METH_VARARGS, NULL },
	{ "async_result", async_result_py, METH_VARARGS, NULL },
	{ "async_parse", async_parse_py, METH_O, NULL },
	{ NULL, NULL, 0, NULL }
};

/* Over Python's own handler, which toolhost.arm_cancel installed. */
static void
cancel_setup(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = cancel_on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(WORKER_CANCEL_SIGNAL, &sa, NULL);
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

	/* Spin only after a quick call, when the next is likely on its way
	 * (a pipelined burst); a slow tool's pool would only burn the CPU its
	 * siblings wait on. */
	for (spin = wk.spin ? 0 : RX_SPIN; spin < RX_SPIN; spin++) {
		if ((n = recv(FRAME_CHANNEL_FD, buf, len, MSG_DONTWAIT)) >= 0 ||
		    (errno != EAGAIN && errno != EINTR))
			return n;
		sched_yield();	/* whoever shares our core goes first */
	}
	return read(FRAME_CHANNEL_FD, buf, len);
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

/*
 * Wait for the ANSWER to call id's ASK and return its payload (malloc'd,
 * *lenp bytes). The frames before it, calls sent ahead, stay in rx as they
 * were, to be read after this call: only the ANSWER is taken out.
 */
static char *
rx_take_answer(uint64_t id, size_t *lenp)
{
	struct frame_hdr	 h;
	const char		*why;
	char			*at, *copy;
	size_t			 pos = 0, flen;

	for (;;) {
		if (!rx_fill(pos + FRAME_HDR_LEN))
			die("the supervisor closed the channel during an ask");
		if (msgin_header((uint8_t *)rx.buf + rx.off + pos,
		    MSG_CHAN_WORKER, &h, &why) == -1)
			die("bad frame from the supervisor: %s", why);
		flen = FRAME_HDR_LEN + (size_t)h.len;
		if (!rx_fill(pos + flen))
			die("the supervisor closed the channel mid-frame");
		at = rx.buf + rx.off + pos;
		if (h.type == MSG_ANSWER && h.id == id)
			break;
		if (h.type != MSG_CALL && h.type != MSG_CALL_META)
			die("unexpected %s message during an ask",
			    frame_type_name(h.type));
		pos += flen;
	}
	if ((copy = malloc(h.len + 1)) == NULL)
		die("out of memory for an answer of %u bytes", h.len);
	memcpy(copy, at + FRAME_HDR_LEN, h.len);
	memmove(at, at + flen, rx.len - pos - flen);
	rx.len -= flen;
	*lenp = h.len;
	return copy;
}

/*
 * The next frame, its payload left in rx (valid until the next call), or
 * NULL at EOF. Before waiting for input, what is in chanout goes out.
 */
static const char *
recv_frame(struct frame_hdr *h)
{
	const char	*why, *p;

	if (rx.len < FRAME_HDR_LEN)
		chanout_flush();	/* the batch is done */
	if (!rx_fill(FRAME_HDR_LEN))
		return NULL;
	if (msgin_header((uint8_t *)rx.buf + rx.off, MSG_CHAN_WORKER, h,
	    &why) == -1)
		die("bad frame from the supervisor: %s", why);
	if (rx.len < FRAME_HDR_LEN + (size_t)h->len)
		chanout_flush();
	if (!rx_fill(FRAME_HDR_LEN + (size_t)h->len))
		die("the supervisor closed the channel mid-frame");
	p = rx.buf + rx.off + FRAME_HDR_LEN;
	rx.off += FRAME_HDR_LEN + h->len;
	rx.len -= FRAME_HDR_LEN + h->len;
	return p;
}

/* `{"key":` (first) or `,"key":` in chanout: keys as msg.h names them. */
static void
chanout_key(const char *key, int first)
{
	pybuf_add(&chanout, first ? "{\"" : ",\"", 2);
	pybuf_add(&chanout, key, strlen(key));
	pybuf_add(&chanout, "\":", 2);
}

static void __attribute__((noreturn))
load_failed(const char *error)
{
	size_t	f;

	chanout.len = 0;	/* a READY being built, if any */
	f = chanout_frame_begin(MSG_LOAD_FAILED, 0);
	chanout_key(MSG_KEY(LOAD_FAILED, error), 1);
	pybuf_add_string(&chanout, error, strlen(error));
	pybuf_add(&chanout, "}", 1);
	chanout_frame_end(f);
	chanout_flush();
	_exit(0);
}

/* "TypeName: message" for the pending exception; toolhost logs the traceback. */
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

/*
 * The service's --python-path and --venv directories, on sys.path before
 * the sandbox's view is drawn from it (their .pth files honoured).
 */
static void
worker_add_paths(void)
{
	PyObject	*site, *r;
	size_t		 i;

	if (wk.paths == NULL)
		return;
	if ((site = PyImport_ImportModule("site")) == NULL)
		die("cannot import site");
	for (i = 0; wk.paths[i] != NULL; i++) {
		if ((r = PyObject_CallMethod(site, "addsitedir", "s",
		    wk.paths[i])) == NULL)
			die("cannot add %s to sys.path", wk.paths[i]);
		Py_DECREF(r);
	}
	Py_DECREF(site);
}

static PyObject *
embedded_module(const char *name, const char *source)
{
	PyObject	*code, *mod;
	char		 file[64];

	snprintf(file, sizeof(file), "<%s>", name);
	if ((code = Py_CompileString(source, file, Py_file_input)) == NULL ||
	    (mod = PyImport_ExecCodeModule(name, code)) == NULL)
		die("the embedded module %s does not load", name);
	Py_DECREF(code);
	return mod;
}

/*
 * Python's socket layer routed through a broker (workers/netroute.py),
 * once, before any worker is forked; each worker with a net grant then
 * attaches its broker channel.
 */
static void
net_install(void)
{
	PyObject	*r;

	r = PyObject_CallMethod(wk.net, "install", "({sisisisisi})", "fd",
	    FRAME_BROKER_FD, "version", FRAME_VERSION, "resolve", MSG_RESOLVE,
	    "connect", MSG_CONNECT, "max", FRAME_BROKER_MAX);
	if (r == NULL)
		die("the embedded netroute module does not start");
	Py_DECREF(r);
}

static void
net_attach(void)
{
	PyObject	*r;

	if ((r = PyObject_CallMethod(wk.net, "attach", NULL)) == NULL)
		load_failed(exception_text());
	Py_DECREF(r);
}

/* The interpreter itself: nothing imported yet, nothing of the tool's. */
void
worker_python_init(void)
{
	PyConfig	config;
	PyStatus	st;
	PyPreConfig	 pre;

	/*
	 * UTF-8 mode (PEP 540), as python3 takes it in the C locale workers
	 * run in, and the locale coerced to C.UTF-8 so locale.getencoding()
	 * agrees: file names, os.environ and pipes in UTF-8, not ASCII (an
	 * isolated embedded interpreter would not switch by itself, and
	 * open("café.txt") would raise).
	 */
	PyPreConfig_InitIsolatedConfig(&pre);
	pre.utf8_mode = 1;
	pre.coerce_c_locale = 1;	/* LC_CTYPE C.UTF-8, as python3 (PEP 538) */
	pre.coerce_c_locale_warn = 0;
	if (PyStatus_Exception(Py_PreInitialize(&pre)))
		load_failed("cannot initialise Python");
	/* Isolated: no PYTHON* environment, no user site, no cwd on path. */
	PyConfig_InitIsolatedConfig(&config);
	config.install_signal_handlers = 0;
	config.write_bytecode = 0;
	st = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(st))
		load_failed("cannot initialise Python");
}

/* Once isolated: the standard modules, the toolhost, sys.path. */
void
worker_python_start(void)
{
	PyObject	*mod;

	if (PyRun_SimpleString(preload_source) != 0)
		die("preloading the standard modules failed");
	mod = embedded_module("mcp_hotd_toolhost", toolhost_source);
	wk.net = embedded_module("mcp_hotd_net", netroute_source);
	net_install();
	if (PyModule_AddFunctions(mod, held_methods) == -1 ||
	    PyObject_CallMethod(mod, "guard_exit", NULL) == NULL ||
	    PyObject_CallMethod(mod, "arm_cancel", "i", WORKER_CANCEL_SIGNAL) ==
	    NULL)
		die("the embedded toolhost module does not start");
	if (PyModule_AddStringConstant(mod, "COMPAT_SOURCE", compat_source) ==
	    -1)
		die("the embedded toolhost module does not start");
	wk.host = mod;
	if ((wk.noargs = PyTuple_New(0)) == NULL)
		die("out of memory");
	worker_add_paths();
	/* print() goes to stderr, line by line, into the supervisor's log. */
	PyRun_SimpleString("import sys\nsys.stdout = sys.stderr\n"
	    "sys.stderr.reconfigure(line_buffering=True)\n");
}

/* Append `,"key":` and o's JSON to chanout, or fail the load naming key. */
static void
ready_member(const char *key, PyObject *o)
{
	char	why[256], msg[320];

	chanout_key(key, 0);
	if (pyconv_dump(&chanout, o, why, sizeof(why)) == -1) {
		snprintf(msg, sizeof(msg), "%s (in the derived %s)", why, key);
		load_failed(msg);
	}
}

/* Load the tool and put its READY (msg.h) in chanout. */
static void
tool_load(PyObject *msg)
{
	PyObject	*code, *params, *env, *res, *fname;
	const char	*s;
	char		*err, layers[256];
	size_t		 f;

	code = msgin_get(msg, MK_LOAD_code);
	if ((params = msgin_get(msg, MK_LOAD_parameters)) == NULL)
		params = Py_None;
	if ((env = msgin_get(msg, MK_LOAD_env)) == NULL)
		env = Py_None;
	res = PyObject_CallMethod(wk.host, "load", "sOOOiii", wk.name, code,
	    params, env, sandbox_has_tmp(), msgin_get(msg, MK_LOAD_run) != NULL,
	    (int)msgin_int(msg, MK_LOAD_async_concurrency));
	if (res == NULL) {
		err = exception_text();
		load_failed(err);
	}
	wk.func = PyTuple_GetItem(res, 0);
	Py_INCREF(wk.func);
	/* (function, inputSchema, warnings, doc, Context parameter,
	 * outputSchema, uses a Context, asks, the Context to pass, wrap) */
	if (PyTuple_Size(res) != 11)
		load_failed("toolhost.load() gave no 11-tuple");
	if (PyTuple_GetItem(res, 4) != Py_None) {
		wk.ctx_name = PyTuple_GetItem(res, 4);
		Py_INCREF(wk.ctx_name);
		wk.ctx = PyTuple_GetItem(res, 8);
		Py_INCREF(wk.ctx);
	}
	wk.wrap = PyObject_IsTrue(PyTuple_GetItem(res, 9)) == 1;
	wk.schema = PyTuple_GetItem(res, 5) != Py_None;
	wk.slots = (int)PyLong_AsLong(PyTuple_GetItem(res, 10));
	if (wk.slots < 1 || wk.slots > MSG_BOUND(LOAD, async_concurrency)) {
		PyErr_Clear();
		wk.slots = 1;
	}
	f = chanout_frame_begin(MSG_READY, 0);
	chanout_key(MSG_KEY(READY, function), 1);
	fname = PyObject_GetAttrString(wk.func, "__name__");
	s = fname ? PyUnicode_AsUTF8(fname) : NULL;
	PyErr_Clear();
	pybuf_add_string(&chanout, s ? s : wk.name, strlen(s ? s : wk.name));
	Py_XDECREF(fname);
	ready_member(MSG_KEY(READY, inputSchema), PyTuple_GetItem(res, 1));
	ready_member(MSG_KEY(READY, warnings), PyTuple_GetItem(res, 2));
	ready_member(MSG_KEY(READY, doc), PyTuple_GetItem(res, 3));
	if (PyTuple_GetItem(res, 5) != Py_None)
		ready_member(MSG_KEY(READY, outputSchema),
		    PyTuple_GetItem(res, 5));
	ready_member(MSG_KEY(READY, context), PyTuple_GetItem(res, 6));
	ready_member(MSG_KEY(READY, asks), PyTuple_GetItem(res, 7));
	if (wk.slots > 1)
		ready_member(MSG_KEY(READY, slots), PyTuple_GetItem(res, 10));
	sandbox_report(layers, sizeof(layers));
	chanout_key(MSG_KEY(READY, isolation), 0);
	pybuf_add(&chanout, layers, strlen(layers));
	if (wk.isolation[0] != '\0') {
		chanout_key(MSG_KEY(READY, isolation_failed), 0);
		pybuf_add_string(&chanout, wk.isolation, strlen(wk.isolation));
	}
	pybuf_add(&chanout, "}", 1);
	chanout_frame_end(f);
	Py_DECREF(res);
}

/* A CallToolResult in chanout: one text item holding text, len bytes. */
static void
result_text(const char *text, size_t len, const char *structured,
    size_t slen, int is_error)
{
	pybuf_add(&chanout, "{\"content\":[{\"type\":\"text\",\"text\":", 34);
	pybuf_add_string(&chanout, text, len);
	pybuf_add(&chanout, "}]", 2);
	if (structured != NULL) {
		pybuf_add(&chanout, ",\"structuredContent\":", 21);
		pybuf_add(&chanout, structured, slen);
	}
	if (is_error)
		pybuf_add(&chanout, ",\"isError\":true}", 16);
	else
		pybuf_add(&chanout, ",\"isError\":false}", 17);
}

static void
result_error(const char *text)
{
	result_text(text, strlen(text), NULL, 0, 1);
}

static void
result_too_big(size_t len)
{
	char	msg[160];

	snprintf(msg, sizeof(msg), "the reply of %zu bytes exceeds the limit "
	    "of %zu bytes", len, wk.max_reply);
	result_error(msg);
}

/* Plain JSON the fast path sends itself, without asking toolhost. */
static int
result_plain(PyObject *value)
{
	return (PyDict_Check(value) && !wk.wrap) || PyLong_Check(value) ||
	    PyFloat_Check(value);
}

/* A scalar's JSON as the structuredContent {"result": ...} (wk.wrap). */
static const char *
result_wrapped(struct pybuf *b, const char *json, size_t len, int string,
    size_t *outlen)
{
	b->len = 0;
	PYBUF_ADD_LITERAL(b, "{\"result\":");
	if (string)
		pybuf_add_string(b, json, len);
	else
		pybuf_add(b, json, len);
	PYBUF_ADD_LITERAL(b, "}");
	*outlen = b->len;
	return b->p;
}

/* None: no content (FastMCP's rendering), {"result": null} if wrapped. */
static void
result_none(void)
{
	PYBUF_ADD_LITERAL(&chanout, "{\"content\":[]");
	if (wk.wrap)
		PYBUF_ADD_LITERAL(&chanout,
		    ",\"structuredContent\":{\"result\":null}");
	PYBUF_ADD_LITERAL(&chanout, ",\"isError\":false}");
}

/*
 * A rich result (toolhost.rich: images, resources, a list of items, a
 * Result, objects rendered as FastMCP does) into chanout: 1 when it was
 * one (sent, or its error), 0 when value is plain JSON after all. plain:
 * why the fast path could not send it, the better error when toolhost
 * cannot either (NaN, nesting too deep).
 */
static int
result_rich(PyObject *value, struct pybuf *json, const char *plain)
{
	PyObject	*rich;
	char		*err, why[256], msg[512];

	if ((rich = PyObject_CallMethod(wk.host, "rich", "OOO", value,
	    wk.wrap ? Py_True : Py_False, wk.schema ? Py_True : Py_False)) ==
	    NULL) {
		err = exception_text();
		if (plain != NULL)
			snprintf(msg, sizeof(msg), "the return value cannot "
			    "be sent as JSON: %s", plain);
		else
			snprintf(msg, sizeof(msg), "the return value cannot "
			    "be a result: %s", err);
		free(err);
		result_error(msg);
		return 1;
	}
	if (rich == Py_None) {
		Py_DECREF(rich);
		return 0;
	}
	json->len = 0;
	if (pyconv_dump(json, rich, why, sizeof(why)) == -1) {
		snprintf(msg, sizeof(msg), "the return value cannot be sent as "
		    "JSON: %s", why);
		result_error(msg);
	} else if (json->len > wk.max_reply)
		result_too_big(json->len);
	else
		pybuf_add(&chanout, json->p, json->len);
	Py_DECREF(rich);
	return 1;
}

/*
 * A str is one text item. Any other JSON value is a text item holding its
 * JSON, and a dict is also structuredContent. Images, audio, resources,
 * bytes and lists holding them are content items (toolhost.rich).
 */
/*
 * A resource's, prompt's or completion's value (LOAD's kind), rendered by
 * toolhost.render as that kind's result; the supervisor checks its shape.
 */
static void
result_kind(PyObject *value)
{
	static struct pybuf	 json;
	PyObject		*r;
	char			*err, why[256], msg[512];

	if ((r = PyObject_CallMethod(wk.host, "render", "iO", wk.kind,
	    value)) == NULL) {
		err = exception_text();
		snprintf(msg, sizeof(msg), "the return value cannot be a "
		    "result: %s", err);
		free(err);
		result_error(msg);
		return;
	}
	json.len = 0;
	if (pyconv_dump(&json, r, why, sizeof(why)) == -1) {
		snprintf(msg, sizeof(msg), "the return value cannot be sent as "
		    "JSON: %s", why);
		result_error(msg);
	} else if (json.len > wk.max_reply)
		result_too_big(json.len);
	else
		pybuf_add(&chanout, json.p, json.len);
	Py_DECREF(r);
}

static void
result_from(PyObject *value)
{
	static struct pybuf	 json, wrapped;
	const char		*text, *sc;
	char			 why[256], msg[320];
	Py_ssize_t		 slen;
	size_t			 sclen = 0;

	if (wk.kind != 0) {
		result_kind(value);
		return;
	}
	if (PyUnicode_Check(value)) {
		if ((text = PyUnicode_AsUTF8AndSize(value, &slen)) == NULL) {
			PyErr_Clear();
			result_error("the returned string is not valid Unicode "
			    "(lone surrogate)");
		} else if ((size_t)slen > wk.max_reply)
			result_too_big((size_t)slen);
		else {
			sc = wk.wrap ? result_wrapped(&wrapped, text,
			    (size_t)slen, 1, &sclen) : NULL;
			result_text(text, (size_t)slen, sc, sclen, 0);
		}
		return;
	}
	if (value == Py_None) {
		result_none();
		return;
	}
	json.len = 0;
	why[0] = '\0';
	/* Plain JSON here; anything else, or a dict holding what JSON has
	 * no word for (a datetime), rendered by toolhost as FastMCP does. */
	if (!result_plain(value) || pyconv_dump(&json, value, why,
	    sizeof(why)) == -1) {
		PyErr_Clear();
		if (result_rich(value, &json, why[0] ? why : NULL))
			goto done;
		json.len = 0;
		if (pyconv_dump(&json, value, why, sizeof(why)) == -1) {
			snprintf(msg, sizeof(msg), "the return value cannot "
			    "be sent as JSON: %s", why);
			result_error(msg);
			goto done;
		}
	}
	if (json.len > wk.max_reply)
		result_too_big(json.len);
	else {
		if (PyDict_Check(value)) {
			sc = json.p;
			sclen = json.len;
		} else
			sc = wk.wrap ? result_wrapped(&wrapped, json.p,
			    json.len, 0, &sclen) : NULL;
		result_text(json.p, json.len, sc, sclen, 0);
	}
done:
	if (wrapped.cap > 1024 * 1024) {
		free(wrapped.p);
		memset(&wrapped, 0, sizeof(wrapped));
	}
	if (json.cap > 1024 * 1024) {	/* keep no huge buffer around */
		free(json.p);
		memset(&json, 0, sizeof(json));
	}
}

static PyObject *
call_function_now(PyObject *kwargs)
{
	PyObject	*res, *done;

	res = PyObject_Call(wk.func, wk.noargs, kwargs);
	if (res == NULL || !PyCoro_CheckExact(res))
		return res;
	done = PyObject_CallMethod(wk.host, "run_coroutine", "O", res);
	Py_DECREF(res);
	return done;
}

/* Call the tool as call id, which a cancel signal may stop. */
static PyObject *
call_function(uint64_t id, PyObject *kwargs)
{
	PyObject	*res, *type, *value, *tb;

	atomic_store(&running, id);
	if (atomic_load(&cancel_next) == id)
		PyErr_SetInterruptEx(WORKER_CANCEL_SIGNAL);
	res = call_function_now(kwargs);
	atomic_store(&running, 0);
	PyErr_Fetch(&type, &value, &tb);	/* the call's own error, if any */
	if (PyErr_CheckSignals() == -1)		/* a cancel too late: moot */
		PyErr_Clear();
	PyErr_Restore(type, value, tb);
	return res;
}

/* A CALL_META frame: kept for the CALL of its id, which comes next. */
static void
call_meta_keep(uint64_t id, const char *payload, size_t len)
{
	Py_CLEAR(next_meta.meta);
	if ((next_meta.meta = pyconv_parse(payload, len)) == NULL ||
	    !PyDict_Check(next_meta.meta))
		die("a malformed CALL_META message");
	next_meta.id = id;
}

/* toolhost learns what it knows of the call (its Context's). */
static void
call_meta_begin(uint64_t id)
{
	PyObject	*r;

	if (next_meta.meta == NULL)
		return;
	if (next_meta.id == id) {
		if ((r = PyObject_CallMethod(wk.host, "begin_call", "O",
		    next_meta.meta)) == NULL)
			PyErr_Clear();
		Py_XDECREF(r);
		wk.ctx_meta = 1;
	}
	if (next_meta.id <= id)
		Py_CLEAR(next_meta.meta);
}

/* After the call, whose exception (if any) is kept for its result. */
static void
call_meta_end(void)
{
	PyObject	*r, *type, *value, *tb;

	if (wk.ctx_meta == 0)
		return;
	wk.ctx_meta = 0;
	PyErr_Fetch(&type, &value, &tb);
	if ((r = PyObject_CallMethod(wk.host, "end_call", NULL)) == NULL)
		PyErr_Clear();
	Py_XDECREF(r);
	PyErr_Restore(type, value, tb);
}

/* Run one call; its RESULT frame goes into chanout. */
static void
tool_call(uint64_t id, const char *payload, size_t len)
{
	PyObject	*kwargs, *res = NULL;
	char		*err;
	size_t		 f, outlen;

	if ((kwargs = pyconv_parse(payload, len)) != NULL &&
	    PyDict_Check(kwargs)) {
		/* The Context, never the client's: the schema has no such
		 * argument, so the supervisor let none through. */
		if (wk.ctx_name != NULL && PyDict_SetItem(kwargs, wk.ctx_name,
		    wk.ctx) == -1)
			PyErr_Clear();
		call_meta_begin(id);
		chanout_hold_begin();
		res = call_function(id, kwargs);
		chanout_hold_end();
		call_meta_end();
	}
	f = chanout_frame_begin(MSG_RESULT, id);
	if (kwargs == NULL || !PyDict_Check(kwargs)) {
		PyErr_Clear();
		result_error("the arguments are not a JSON object");
	} else if (res == NULL) {
		err = exception_text();
		result_error(err);
		free(err);
	} else {
		result_from(res);
		Py_DECREF(res);
	}
	Py_XDECREF(kwargs);
	if ((outlen = chanout.len - f - FRAME_HDR_LEN) > wk.max_reply) {
		chanout.len = f + FRAME_HDR_LEN;
		result_too_big(outlen);
	}
	chanout_frame_end(f);
}

/*
 * Async serving (READY's slots > 1): toolhost.serve_async runs each call
 * as a task on one asyncio loop, reading the channel when it is readable
 * (async_frames) and writing each frame at once (async_send, the RESULT
 * by async_result); cancel is a CANCEL frame, not a signal. The frames:
 * msg.h's, their numbers handed to toolhost by name.
 */
static PyObject *
async_frames_py(PyObject *self, PyObject *noargs)
{
	struct frame_hdr	 h;
	const char		*why;
	PyObject		*list, *item;
	ssize_t			 n;
	size_t			 need = 65536;

	(void)self;
	(void)noargs;
	for (;;) {
		if (rx.off > 0 && rx.off + rx.len + need > rx.cap) {
			memmove(rx.buf, rx.buf + rx.off, rx.len);
			rx.off = 0;
		}
		if (rx.len + need > rx.cap) {
			rx.cap = rx.len + need;
			if ((rx.buf = realloc(rx.buf, rx.cap)) == NULL)
				die("out of memory for a frame");
		}
		n = recv(FRAME_CHANNEL_FD, rx.buf + rx.off + rx.len,
		    rx.cap - rx.off - rx.len, MSG_DONTWAIT);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			Py_RETURN_NONE;		/* the supervisor is gone */
		if (n > 0)
			rx.len += (size_t)n;
		if (n <= 0 || rx.off + rx.len < rx.cap)
			break;
	}
	if ((list = PyList_New(0)) == NULL)
		return NULL;
	while (rx.len >= FRAME_HDR_LEN) {
		if (msgin_header((uint8_t *)rx.buf + rx.off, MSG_CHAN_WORKER,
		    &h, &why) == -1)
			die("bad frame from the supervisor: %s", why);
		if (rx.len < FRAME_HDR_LEN + (size_t)h.len)
			break;		/* the rest comes with the next read */
		item = Py_BuildValue("(IKy#)", (unsigned)h.type,
		    (unsigned long long)h.id, rx.buf + rx.off + FRAME_HDR_LEN,
		    (Py_ssize_t)h.len);
		if (item == NULL || PyList_Append(list, item) == -1) {
			Py_XDECREF(item);
			Py_DECREF(list);
			return NULL;
		}
		Py_DECREF(item);
		rx.off += FRAME_HDR_LEN + h.len;
		rx.len -= FRAME_HDR_LEN + h.len;
	}
	return list;
}

/* async_send(type, id, json): one frame, written now. */
static PyObject *
async_send_py(PyObject *self, PyObject *args)
{
	unsigned long long	 id;
	const char		*json;
	Py_ssize_t		 len;
	unsigned		 type;

	(void)self;
	if (!PyArg_ParseTuple(args, "IKs#", &type, &id, &json, &len))
		return NULL;
	if ((size_t)len > wk.max_reply) {
		PyErr_Format(PyExc_ValueError, "a message of %zd bytes exceeds "
		    "the limit of %zu bytes", len, wk.max_reply);
		return NULL;
	}
	chanout_notify(type, id, json, (size_t)len);
	Py_RETURN_NONE;
}

/* async_result(id, value, error): call id's RESULT, written now. */
static PyObject *
async_result_py(PyObject *self, PyObject *args)
{
	unsigned long long	 id;
	PyObject		*value, *error;
	size_t			 f, outlen;

	(void)self;
	if (!PyArg_ParseTuple(args, "KOO", &id, &value, &error))
		return NULL;
	f = chanout_frame_begin(MSG_RESULT, id);
	if (error != Py_None)
		result_error(PyUnicode_Check(error) ?
		    PyUnicode_AsUTF8(error) : "the call failed");
	else
		result_from(value);
	PyErr_Clear();
	if ((outlen = chanout.len - f - FRAME_HDR_LEN) > wk.max_reply) {
		chanout.len = f + FRAME_HDR_LEN;
		result_too_big(outlen);
	}
	chanout_frame_end(f);
	chanout_flush();
	Py_RETURN_NONE;
}

/* async_parse(bytes): JSON as Python, as a CALL's arguments are read. */
static PyObject *
async_parse_py(PyObject *self, PyObject *b)
{
	PyObject	*o;

	(void)self;
	if (!PyBytes_Check(b))
		return PyErr_Format(PyExc_TypeError, "bytes expected");
	if ((o = pyconv_parse(PyBytes_AS_STRING(b),
	    (size_t)PyBytes_GET_SIZE(b))) == NULL && !PyErr_Occurred())
		PyErr_SetString(PyExc_ValueError, "not JSON");
	return o;
}

/* READY said slots > 1: toolhost serves until the channel closes. */
static void __attribute__((noreturn))
serve_async(void)
{
	PyObject	*r;

	r = PyObject_CallMethod(wk.host, "serve_async", "OOOi{sIsIsIsIsIsIsIsI}",
	    wk.func, wk.ctx_name ? wk.ctx_name : Py_None,
	    wk.ctx ? wk.ctx : Py_None, wk.slots,
	    "CALL", (unsigned)MSG_CALL, "CALL_META", (unsigned)MSG_CALL_META,
	    "CANCEL", (unsigned)MSG_CANCEL, "ANSWER", (unsigned)MSG_ANSWER,
	    "ASK", (unsigned)MSG_ASK, "PROGRESS", (unsigned)MSG_PROGRESS,
	    "LOG", (unsigned)MSG_LOG, "RESULT", (unsigned)MSG_RESULT);
	if (r == NULL)
		PyErr_Print();
	Py_XDECREF(r);
	chanout_flush();
	_exit(0);
}

/* 1 when len bytes are in buf, 0 at EOF first. */
static int
read_exactly(int fd, void *buf, size_t len)
{
	size_t	got = 0;
	ssize_t	n;

	while (got < len) {
		if ((n = read(fd, (char *)buf + got, len - got)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		got += (size_t)n;
	}
	return 1;
}

/*
 * SETTINGS, the first frame on chan (fd 3), read to its last byte and no
 * further: on the spawner's channel the next frame carries fds, which a
 * longer read would drop. Malloc'd payload; *len its length.
 */
char *
worker_settings_read(enum msg_chan chan, uint32_t *len)
{
	struct frame_hdr	 h;
	uint8_t			 hb[FRAME_HDR_LEN];
	const char		*why;
	char			*p;

	if (!read_exactly(FRAME_CHANNEL_FD, hb, sizeof(hb)))
		_exit(0);	/* the supervisor is gone before we began */
	if (msgin_header(hb, chan, &h, &why) == -1)
		die("bad frame from the supervisor: %s", why);
	if (h.type != MSG_SETTINGS)
		die("expected SETTINGS first, not %s", msg_spec(h.type)->name);
	if ((p = malloc((size_t)h.len + 1)) == NULL)
		die("out of memory");
	if (!read_exactly(FRAME_CHANNEL_FD, p, h.len))
		die("the supervisor closed the channel mid-frame");
	p[h.len] = '\0';
	*len = h.len;
	return p;
}

/* Take SETTINGS (read before Python started, parsed now it has). */
void
worker_settings_apply(char *payload, uint32_t len)
{
	const char	*bad;

	if ((wk.settings = pyconv_parse(payload, len)) == NULL)
		die("SETTINGS: not a JSON object");
	free(payload);
	if ((bad = msgin_check(MSG_SETTINGS, wk.settings)) != NULL)
		die("SETTINGS: %s", bad);
	wk.no_namespaces = msgin_int(wk.settings, MK_SETTINGS_no_namespaces);
	wk.no_landlock = msgin_int(wk.settings, MK_SETTINGS_no_landlock);
	sandbox_landlock_cap((int)msgin_int(wk.settings,
	    MK_SETTINGS_landlock_abi_max));
	wk.paths = msgin_strings(wk.settings, MK_SETTINGS_python_path);
	if (wk.paths == NULL && msgin_get(wk.settings,
	    MK_SETTINGS_python_path) != NULL)
		die("out of memory");
}

/* Before Python imports anything, so nothing of it sees a network. */
void
worker_isolate(void)
{
	sandbox_isolate(wk.no_namespaces, wk.isolation, sizeof(wk.isolation));
}

/*
 * Once Python is up (in the spawner, or an exec'd worker): the sandbox's
 * file view is what the interpreter's sys.path names, plus its libraries.
 */
void
worker_sandbox_prepare(void)
{
	PyObject	*path = PySys_GetObject("path");
	const char	*paths[64];
	char		 err[256];
	Py_ssize_t	 i, n = path ? PyList_Size(path) : 0;
	size_t		 k = 0;

	for (i = 0; i < n && k + 1 < sizeof(paths) / sizeof(*paths); i++)
		if ((paths[k] = PyUnicode_AsUTF8(PyList_GetItem(path, i))) !=
		    NULL && paths[k][0] == '/')
			k++;
	PyErr_Clear();
	paths[k] = NULL;
	if (sandbox_prepare(paths, wk.no_landlock, wk.no_namespaces, err,
	    sizeof(err)) == -1)
		load_failed(err);
}

/* LOAD's list of strings k, NULL-ended (NULL when left out). */
static const char **
load_strings(PyObject *msg, enum msg_key_id k)
{
	const char	**a = msgin_strings(msg, k);

	if (a == NULL && msgin_get(msg, k) != NULL)
		die("out of memory");
	return a;
}

/*
 * Serve one tool on the channel at fd 3: LOAD, load phase, call phase,
 * READY, then calls until the channel closes. Python is already up.
 */
void
worker_serve(const char *name, int forked)
{
	struct frame_hdr	 h;
	struct sandbox_grants	 g;
	struct timespec		 t0, t1;
	PyObject		*msg;
	const char		*payload, *bad;
	char			 err[256];

	wk.name = name;
	/* Forked by the spawner: its SETTINGS are ours already. */
	if ((payload = recv_frame(&h)) != NULL && forked &&
	    h.type == MSG_SETTINGS)
		payload = recv_frame(&h);
	if (payload == NULL)
		_exit(0);
	if (h.type != MSG_LOAD || (msg = pyconv_parse(payload, h.len)) == NULL)
		die("expected a LOAD message first");
	if ((bad = msgin_check(MSG_LOAD, msg)) != NULL)
		die("LOAD: %s", bad);
	wk.max_reply = (size_t)msgin_int(msg, MK_LOAD_max_reply);
	wk.kind = (int)msgin_int(msg, MK_LOAD_kind);
	chanout_setup();
	cancel_setup();
	g.read = load_strings(msg, MK_LOAD_read);
	g.write = load_strings(msg, MK_LOAD_write);
	g.run = load_strings(msg, MK_LOAD_run);
	g.disk_mb = (int)msgin_int(msg, MK_LOAD_disk_mb);
	g.brokered = msgin_int(msg, MK_LOAD_brokered) != 0;
	if (sandbox_enter(FRAME_CHANNEL_FD, chanout_write_held,
	    (int)msgin_int(msg, MK_LOAD_memory_mb), &g, err, sizeof(err)) == -1)
		load_failed(err);
	if (g.brokered)
		net_attach();
	/* From here on, tool code: the load filter holds. */
	tool_load(msg);
	Py_DECREF(msg);
	if (sandbox_call_phase(err, sizeof(err)) == -1)
		load_failed(err);
	chanout_flush();	/* READY */
	if (wk.slots > 1)
		serve_async();

	while ((payload = recv_frame(&h)) != NULL) {
		if (h.type == MSG_CALL_META) {
			call_meta_keep(h.id, payload, h.len);
			continue;
		}
		if (h.type != MSG_CALL)
			die("unexpected %s message", frame_type_name(h.type));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		tool_call(h.id, payload, h.len);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		wk.spin = (t1.tv_sec - t0.tv_sec) * 1000000000L +
		    (t1.tv_nsec - t0.tv_nsec) < RX_SPIN_CALL_NS;
		wk.served++;
		if (chanout.len >= TX_BATCH)
			chanout_flush();
	}
	chanout_flush();
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
	enum msg_chan	 chan;
	uint32_t	 len;
	char		*settings;

	/* What nearly every worker's environment holds (its private /tmp),
	 * there before Python reads it: toolhost.environment then reads
	 * and writes nothing (either costs each worker pages it would share). */
	if (setenv("TMPDIR", "/tmp", 1) == -1)
		die("setenv");
	title_start = argv[0];
	title_end = argv[argc - 1] + strlen(argv[argc - 1]);
	/* The spawner's argv has room after its role for workers' titles. */
	if (argc < 2 || (strcmp(argv[1], "--spawner") != 0 && (argc != 2 ||
	    argv[1][0] == '-')))
		die("usage: mcp-hotd-worker TOOL | --spawner (started by "
		    "mcp-hotd, with its channel on fd 3: SETTINGS first)");
	chan = strcmp(argv[1], "--spawner") == 0 ? MSG_CHAN_SPAWNER :
	    MSG_CHAN_WORKER;
	settings = worker_settings_read(chan, &len);
	worker_python_init();
	worker_settings_apply(settings, len);
	worker_isolate();
	worker_python_start();
	worker_sandbox_prepare();
	if (chan == MSG_CHAN_SPAWNER)
		spawner_main();
	worker_serve(argv[1], 0);
}
