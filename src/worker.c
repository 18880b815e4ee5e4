/* SPDX-License-Identifier: ISC */
/*
 * Worker lifecycle, supervisor side (after tmux's job.c): spawn, frames in
 * and out, the per-call deadline, and death. A worker is freed only when its
 * channel is closed *and* its pid is reaped, in either order; the status
 * from waitpid is what lets a death be put into words.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <seccomp.h>

#include "frame.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "xmalloc.h"

#define WORKER_LOG_LINE		4096
#define WORKER_LOG_RATE		65536	/* stderr bytes a second, each */
/* Room for the result envelope around a reply of max_reply bytes. */
#define FRAME_SLACK		65536

static void	worker_finish_later(struct worker *);
static void	worker_free(struct worker *);
static void	worker_try_reap(struct worker *);
static void	worker_reaped(struct worker *, int);
static void	worker_arm_deadline(struct worker *, int);
static void	worker_timeout(evutil_socket_t, short, void *);
static void	worker_read(struct bufferevent *, void *);
static void	worker_event(struct bufferevent *, short, void *);
static void	worker_err_read(struct bufferevent *, void *);
static void	worker_err_event(struct bufferevent *, short, void *);
static unsigned	worker_lap(struct worker *);

const char *
worker_name(const struct worker *w)
{
	return w->name;
}

static void
worker_send(struct worker *w, uint32_t type, uint64_t id, const char *payload,
    size_t len)
{
	struct frame_hdr	h = { .type = (uint16_t)type, .len = (uint32_t)len,
				    .id = id };
	uint8_t			hb[FRAME_HDR_LEN];
	struct evbuffer		*out;

	if (w->bev == NULL)
		return;
	frame_hdr_encode(&h, hb);
	out = bufferevent_get_output(w->bev);
	evbuffer_add(out, hb, sizeof(hb));
	evbuffer_add(out, payload, len);
}

static void
worker_arm_deadline(struct worker *w, int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(w->deadline, &tv);
}

/*
 * Free the channel's bufferevent. libevent closes the fd only when its
 * loop next runs, so shut the socket down first: the worker sees EOF now,
 * even when we are past the loop (exiting).
 */
static void
worker_bev_free(struct worker *w)
{
	if (w->bev == NULL)
		return;
	shutdown(bufferevent_getfd(w->bev), SHUT_RDWR);
	bufferevent_free(w->bev);
	w->bev = NULL;
}

/* Close our end of the channel; the worker sees EOF and exits. */
static void
worker_channel_close(struct worker *w)
{
	evtimer_del(w->deadline);
	worker_bev_free(w);
	if (w->life == WORKER_RUNNING)
		w->life = WORKER_CLOSED;
	else if (w->life == WORKER_REAPED)
		worker_finish_later(w);
	/* One still waiting for a slot has no process to reap. */
	if (spawn_loaded(w) && w->life == WORKER_CLOSED)
		worker_finish_later(w);
}

/* Calls may go to it: READY, its channel open. */
int
worker_usable(const struct worker *w)
{
	return w->life == WORKER_RUNNING && w->bev != NULL && !w->asking &&
	    (w->state == WORKER_IDLE || w->state == WORKER_BUSY);
}

void
worker_close(struct worker *w)
{
	w->closing = 1;
	worker_channel_close(w);
}

void
worker_kill(struct worker *w, const char *cause)
{
	if (w->cause == NULL)
		w->cause = xstrdup(cause);
	if (w->pid > 0 && (w->life == WORKER_RUNNING ||
	    w->life == WORKER_CLOSED))
		kill(w->pid, SIGKILL);	/* unnamed yet: when named */
	worker_channel_close(w);
}

/* Seccomp_filters of a process, from /proc; -1 if it cannot be read. */
int
worker_filters_of(pid_t pid)
{
	char	 path[64], line[256];
	FILE	*f;
	int	 n = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Seccomp_filters: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * Tool code can write a READY of its own while it loads. Believe one only
 * from a worker whose C code went on to close the call filter: it then has
 * our filters (inherited, as the spawner's are) plus load and call.
 */
static int
worker_ready_believed(struct worker *w)
{
	int	n;

	if (sv.seccomp_base < 0)
		return 1;	/* a kernel that does not tell */
	n = worker_filters_of(w->pid);
	return n == sv.seccomp_base + 2;
}

/* Each new kind of containment a worker reports is logged once. */
static void
worker_log_isolation(struct json_object *m)
{
	static char		*last;
	struct json_object	*v;
	const char		*s;

	if (!json_object_object_get_ex(m, "isolation", &v))
		return;
	s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	if (last != NULL && strcmp(last, s) == 0)
		return;
	free(last);
	last = xstrdup(s);
	log_info("workers' containment: %s", s);
	if (json_object_object_get_ex(m, "isolation_failed", &v))
		log_warnx("workers' namespaces: %s",
		    json_object_get_string(v));
}

static int	worker_log_charge(struct worker *, size_t);

/* The tool cannot load (with this worker): it says why. */
static void
worker_load_failed(struct worker *w, const char *err)
{
	struct tool	*t = w->tool;

	w->tool = NULL;
	worker_close(w);
	if (t != NULL && !tool_extra_gone(t, w, 1))
		tool_worker_failed(t, err);
}


/*
 * The load's warnings (tool code can make as many as it likes, of any
 * length, on every load): READY_WARNINGS_MAX of them, each one escaped
 * line, charged to the worker's log budget like its stderr.
 */
static void
worker_log_warnings(struct worker *w, struct json_object *m)
{
	struct json_object	*v;
	char			 buf[READY_WARNING_LEN * 4 + 1];
	size_t			 i, n, len;

	if (!json_object_object_get_ex(m, "warnings", &v))
		return;
	n = json_object_array_length(v);
	for (i = 0; i < n && i < READY_WARNINGS_MAX; i++) {
		const char *s = json_object_get_string(
		    json_object_array_get_idx(v, i));

		if ((len = strlen(s)) > READY_WARNING_LEN)
			len = READY_WARNING_LEN;
		if (worker_log_charge(w, len) == -1)
			return;
		log_vis(buf, s, len);
		log_warnx("tool '%s': %s", worker_name(w), buf);
	}
	if (n > READY_WARNINGS_MAX && worker_log_charge(w, 64) == 0)
		log_warnx("tool '%s': %zu more warnings not logged",
		    worker_name(w), n - READY_WARNINGS_MAX);
}

static void
worker_on_ready(struct worker *w, struct json_object *m)
{
	char	why[512];

	if (w->pid <= 0) {	/* the spawner has yet to name it */
		w->ready = json_object_get(m);
		return;
	}
	if (!worker_ready_believed(w)) {
		worker_kill(w, "sent READY before its call-phase sandbox was "
		    "on (forged by the tool's code)");
		return;
	}
	if (ready_check(m, why, sizeof(why)) == -1) {
		worker_load_failed(w, why);	/* which logs why */
		return;
	}
	worker_log_warnings(w, m);
	worker_log_isolation(m);
	evtimer_del(w->deadline);
	w->state = WORKER_IDLE;
	(void)spawn_loaded(w);
	log_debug("tool '%s': worker %d ready", worker_name(w), (int)w->pid);
	if (w->tool != NULL)
		tool_worker_ready(w->tool, m);
}

static void
worker_on_load_failed(struct worker *w, struct json_object *m)
{
	struct json_object	*v;
	const char		*err = "unknown error";

	if (json_object_object_get_ex(m, "error", &v))
		err = json_object_get_string(v);
	worker_load_failed(w, err);
}

/*
 * Relay a result. The worker is ours but runs untrusted code that can write
 * to the channel, so the payload is checked (without parsing it) to be one
 * JSON object with a content array on one line before it reaches a client:
 * a tool can answer its own call, never forge another message.
 */
/* The head call was answered: the next one runs. */
static void
worker_popped(struct worker *w)
{
	struct call	*next;

	w->nsent--;
	evtimer_del(w->deadline);
	if (w->nsent > 0 && w->tool != NULL)
		worker_arm_deadline(w, w->tool->spec.timeout_ms);
	else
		w->state = WORKER_IDLE;
	if ((next = call_first(&w->sent)) != NULL && next->to == CALL_CANCELLED)
		worker_cancel_call(w, next);
}

/*
 * The worker is gone or going: the call it was running gets why; those it
 * had not started go back to the front of the tool's queue (or, with no
 * tool left, get why too).
 */
static void
worker_hand_back(struct worker *w, const char *fmt, const char *why)
{
	struct call	*c;

	if ((c = call_first(&w->sent)) != NULL)
		call_answer_error(c, fmt, worker_name(w), why);
	if (w->tool != NULL && !sv.shutting_down)
		call_requeue(&w->sent, &w->tool->queue);
	call_fail_all(&w->sent, fmt, worker_name(w), why);
	w->nsent = 0;
}

static int
worker_on_result(struct worker *w, const struct frame_hdr *h, const char *p)
{
	struct call		*c = call_first(&w->sent);
	const struct jdoc	*d;
	char			 why[512];

	/* Calls run in the order sent: the answer is the head's. */
	if (w->state != WORKER_BUSY || c == NULL || h->id != c->id ||
	    c->ask != NULL || (d = json_check_result(p, h->len)) == NULL)
		return -1;
	if (c->replace != NULL)		/* input_required: decided */
		call_answer_raw(c, "", 0);
	else if (w->tool != NULL && tool_check_output(w->tool, d, why,
	    sizeof(why)) == -1)
		call_answer_error(c, "%s", why);
	else
		call_answer_raw(c, p, h->len);
	worker_popped(w);
	if (w->tool != NULL) {
		tool_call_time(w->tool, worker_lap(w));
		tool_result(w->tool);
	}
	return 0;
}

static int
worker_dispatch(struct worker *w, const struct frame_hdr *h, const char *p)
{
	struct json_object	*m, *v;
	int			 rv = 0;

	if (w->syscall_nr >= 0)
		return -1;	/* the sandbox's report is a worker's last word */
	if (h->type == MSG_RESULT)	/* the hot path: relayed unparsed */
		return worker_on_result(w, h, p);
	if ((m = json_parse_object(p, h->len)) == NULL)
		return -1;
	switch (h->type) {
	case MSG_READY:
		if (w->state != WORKER_SPAWNING)
			rv = -1;
		else
			worker_on_ready(w, m);
		break;
	case MSG_LOAD_FAILED:
		if (w->state != WORKER_SPAWNING)
			rv = -1;
		else
			worker_on_load_failed(w, m);
		break;
	case MSG_SYSCALL:
		/* Believed only if the worker then dies by SIGSYS. */
		if (!json_object_object_get_ex(m, "nr", &v) ||
		    json_object_get_int64(v) < 0 ||
		    json_object_get_int64(v) > 4095)
			rv = -1;
		else
			w->syscall_nr = (long)json_object_get_int64(v);
		break;
	case MSG_SPAWNED:
		rv = w == sv.spawner ? spawn_answered(h->id, m) : -1;
		break;
	case MSG_ASK:
		rv = w == sv.spawner ? -1 : ask_start(w, h, m);
		break;
	case MSG_PROGRESS:
	case MSG_LOG:
		rv = w == sv.spawner || w->state == WORKER_SPAWNING ? -1 :
		    call_notify(&w->sent, h, m);
		break;
	default:
		rv = -1;
		break;
	}
	json_object_put(m);
	return rv;
}

static void
worker_read(struct bufferevent *bev, void *arg)
{
	struct worker		*w = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct frame_hdr	 h;
	uint8_t			 hb[FRAME_HDR_LEN];
	const char		*why, *p;
	char			 cause[256];

	while (w->bev != NULL && evbuffer_get_length(in) >= FRAME_HDR_LEN) {
		evbuffer_copyout(in, hb, sizeof(hb));
		if (frame_hdr_decode(hb, sv.max_reply + FRAME_SLACK, &h,
		    &why) == -1) {
			snprintf(cause, sizeof(cause), "sent a bad frame (%s%s)",
			    why, h.len > sv.max_reply + FRAME_SLACK ?
			    ": the reply exceeds the size limit" : "");
			worker_kill(w, cause);
			return;
		}
		if (evbuffer_get_length(in) < FRAME_HDR_LEN + (size_t)h.len)
			return;
		evbuffer_drain(in, FRAME_HDR_LEN);
		p = (const char *)evbuffer_pullup(in, h.len);
		if (worker_dispatch(w, &h, p ? p : "") == -1) {
			snprintf(cause, sizeof(cause), "sent an unexpected or "
			    "malformed %s message", frame_type_name(h.type));
			worker_kill(w, cause);
			return;
		}
		if (w->bev != NULL)
			evbuffer_drain(in, h.len);
	}
}

static void
worker_event(struct bufferevent *bev, short what, void *arg)
{
	struct worker	*w = arg;

	(void)bev;
	(void)what;
	worker_channel_close(w);
}

/* What a worker's stderr lost to the rate limit, said once. */
static void
worker_log_dropped(struct worker *w)
{
	if (w->log_timer != NULL)
		evtimer_del(w->log_timer);
	if (w->log_dropped == 0)
		return;
	log_warnx("%s[%d]: %zu bytes of its output dropped (over %d bytes a "
	    "second)", worker_name(w), (int)w->pid, w->log_dropped,
	    WORKER_LOG_RATE);
	w->log_dropped = 0;
}

static void
worker_log_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	worker_log_dropped(arg);
}

/* Say what was dropped when this second is over, even if all goes quiet. */
static void
worker_log_dropped_later(struct worker *w)
{
	struct timeval	tv = { 1, 0 };

	if (w->log_timer == NULL &&
	    (w->log_timer = evtimer_new(sv.base, worker_log_timer, w)) == NULL)
		fatal("%s", __func__);
	evtimer_add(w->log_timer, &tv);
}

/* len bytes of the worker's log budget: 0, or -1 when over (dropped). */
static int
worker_log_charge(struct worker *w, size_t len)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec != w->log_second) {
		worker_log_dropped(w);
		w->log_second = ts.tv_sec;
		w->log_bytes = 0;
	}
	if (w->log_bytes + len > WORKER_LOG_RATE) {
		if (w->log_dropped == 0)
			worker_log_dropped_later(w);
		w->log_dropped += len + 1;
		return -1;
	}
	w->log_bytes += len + 1;
	return 0;
}

/*
 * A line of a worker's stderr (tool code writes there at will): escaped,
 * and at most WORKER_LOG_RATE bytes a second of it, so it can neither
 * forge log lines nor flood the log.
 */
static void
worker_log_line(struct worker *w, const char *line, size_t len)
{
	char		buf[WORKER_LOG_LINE * 4 + 1];

	if (len > WORKER_LOG_LINE)
		len = WORKER_LOG_LINE;
	if (worker_log_charge(w, len) == -1)
		return;
	log_vis(buf, line, len);
	log_info("%s[%d]: %s", worker_name(w), (int)w->pid, buf);
}

/* The worker's stderr (tracebacks, print()) goes to our log, line by line. */
static void
worker_err_read(struct bufferevent *bev, void *arg)
{
	struct worker	*w = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 n;

	while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
		worker_log_line(w, line, n);
		free(line);
	}
	if ((n = evbuffer_get_length(in)) >= WORKER_LOG_LINE) {
		worker_log_line(w, (const char *)evbuffer_pullup(in, n), n);
		evbuffer_drain(in, n);
	}
}

static void
worker_err_event(struct bufferevent *bev, short what, void *arg)
{
	struct worker	*w = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 n;

	(void)what;
	worker_err_read(bev, arg);
	if ((n = evbuffer_get_length(in)) > 0)
		worker_log_line(w, (const char *)evbuffer_pullup(in, n), n);
	worker_log_dropped(w);
	bufferevent_free(w->errbev);
	w->errbev = NULL;
}

static void
worker_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;
	struct call	*c = call_first(&w->sent);
	int		 ms = 0;
	char		 cause[128];

	(void)fd;
	(void)what;
	if (c != NULL) {
		ms = w->tool ? w->tool->spec.timeout_ms : 0;
		call_answer_error(c, "tool '%s' timed out after %d ms",
		    worker_name(w), ms);
		evtimer_del(w->deadline);
		/* The others never ran: they wait for the next worker. */
		if (w->tool != NULL)
			call_requeue(&w->sent, &w->tool->queue);
		w->nsent = 0;
		snprintf(cause, sizeof(cause), "was killed after the call "
		    "timed out (%d ms)", ms);
	} else {
		ms = w->tool ? w->tool->spec.load_timeout_ms : 0;
		snprintf(cause, sizeof(cause), "did not load within %d ms", ms);
	}
	log_warnx("tool '%s': worker %d %s", worker_name(w), (int)w->pid,
	    cause);
	worker_kill(w, cause);
}

/* A worker process started (or being started) on these fds. */
struct worker *
worker_new(const char *name, pid_t pid, int chan, int errfd, struct tool *t)
{
	struct worker	*w;

	w = xcalloc(1, sizeof(*w));
	w->name = xstrdup(name);
	w->tool = t;
	w->pid = pid;
	w->syscall_nr = -1;
	w->theirs = (struct spawn_fds){ -1, -1, -1 };
	TAILQ_INIT(&w->sent);
	w->state = WORKER_SPAWNING;
	w->life = WORKER_RUNNING;
	evutil_make_socket_nonblocking(chan);
	evutil_make_socket_nonblocking(errfd);
	if ((w->bev = bufferevent_socket_new(sv.base, chan,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (w->errbev = bufferevent_socket_new(sv.base, errfd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (w->deadline = evtimer_new(sv.base, worker_timeout, w)) == NULL)
		fatal("%s", __func__);
	bufferevent_setcb(w->bev, worker_read, NULL, worker_event, w);
	bufferevent_enable(w->bev, EV_READ | EV_WRITE);
	bufferevent_setcb(w->errbev, worker_err_read, NULL, worker_err_event, w);
	bufferevent_enable(w->errbev, EV_READ);
	TAILQ_INSERT_TAIL(&sv.workers, w, entry);
	return w;
}

struct worker *
worker_spawn(struct tool *t, char *err, size_t errlen)
{
	struct worker		*w;
	struct json_object	*net;
	int			 brokered;

	brokered = t->spec.allow != NULL && json_object_object_get_ex(
	    t->spec.allow, "net", &net) && json_object_array_length(net) > 0;
	if ((w = spawn_worker(t, brokered, err, errlen)) == NULL)
		return NULL;
	/* Read once it runs: a worker waiting for its slot has it buffered. */
	worker_send(w, MSG_LOAD, 0, t->spec.load, strlen(t->spec.load));
	return w;
}

/*
 * Its process runs (pid, or 0 while the spawner has yet to name it): the
 * load deadline counts from here, not from when it was queued.
 */
void
worker_started(struct worker *w, pid_t pid)
{
	if (pid > 0)
		w->pid = pid;
	if (w->tool != NULL && w->state == WORKER_SPAWNING &&
	    w->life == WORKER_RUNNING)
		worker_arm_deadline(w, w->tool->spec.load_timeout_ms);
	log_debug("tool '%s': worker %d started", w->name, (int)w->pid);
}

/* A worker that never got going (spawn_worker failed): gone at once. */
void
worker_discard(struct worker *w)
{
	worker_free(w);
}

/* The spawner named a worker: a READY that came first counts now. */
void
worker_named(struct worker *w, pid_t pid)
{
	struct json_object	*m = w->ready;

	w->pid = pid;
	w->ready = NULL;
	worker_started(w, 0);
	if (w->life != WORKER_RUNNING && w->cause != NULL)
		kill(pid, SIGKILL);	/* killed before it had a name */
	else if (m != NULL && w->state == WORKER_SPAWNING)
		worker_on_ready(w, m);
	json_object_put(m);
	worker_try_reap(w);
}

/*
 * A cancelled call the worker runs is stopped there (see
 * WORKER_CANCEL_SIGNAL); one it has yet to start, when it comes to run.
 */
void
worker_cancel_call(struct worker *w, struct call *c)
{
	union sigval	v = { .sival_ptr = (void *)(uintptr_t)c->id };

	if (call_first(&w->sent) != c || w->pid <= 0)
		return;
	if (sigqueue(w->pid, WORKER_CANCEL_SIGNAL, v) == -1)
		log_warn("%s: cannot signal the cancel", worker_name(w));
}

/* Microseconds since the head call began; the next begins now. */
static unsigned
worker_lap(struct worker *w)
{
	struct timeval	now, d;

	event_base_gettimeofday_cached(sv.base, &now);
	timersub(&now, &w->mark, &d);
	w->mark = now;
	if (d.tv_sec > 3600 || d.tv_sec < 0)
		return 3600U * 1000000;
	return (unsigned)(d.tv_sec * 1000000 + d.tv_usec);
}

void
worker_send_call(struct worker *w, struct call *c)
{
	const char	*meta;
	size_t		 len;

	call_send(c, &w->sent);
	if (w->nsent == 0)
		event_base_gettimeofday_cached(sv.base, &w->mark);
	if (w->nsent++ == 0)
		worker_arm_deadline(w, w->tool->spec.timeout_ms);
	w->state = WORKER_BUSY;
	if (w->tool->uses_context || c->answers != NULL) {
		meta = call_meta(c, &len);
		worker_send(w, MSG_CALL_META, c->id, meta, len);
	}
	worker_send(w, MSG_CALL, c->id, c->args, c->argslen);
}

/* The ANSWER to the ASK of call c, which w runs. */
void
worker_answer(struct worker *w, const struct call *c, const char *answer,
    size_t len)
{
	worker_send(w, MSG_ANSWER, c->id, answer, len);
}

/*
 * Its call waits for the client: that time is not the tool's (--ask-timeout
 * bounds it), and calls wait for another worker meanwhile.
 */
void
worker_pause(struct worker *w)
{
	w->asking = 1;
	event_base_gettimeofday_cached(sv.base, &w->paused);
	evtimer_del(w->deadline);
}

/* The answer went: the call's deadline runs on from where it stopped. */
void
worker_resume(struct worker *w)
{
	struct timeval	now, d;
	long		left;

	w->asking = 0;
	event_base_gettimeofday_cached(sv.base, &now);
	timersub(&now, &w->paused, &d);
	timeradd(&w->mark, &d, &w->mark);
	if (w->bev == NULL || w->tool == NULL || call_first(&w->sent) == NULL)
		return;
	timersub(&now, &w->mark, &d);
	left = w->tool->spec.timeout_ms - (d.tv_sec * 1000 + d.tv_usec / 1000);
	worker_arm_deadline(w, left > 0 ? (int)left : 1);
}

void
worker_describe_death(int status, long nr, char *buf, size_t len)
{
	char	*name;

	if (nr >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
		    (int)nr);
		snprintf(buf, len, "was killed by the sandbox (SIGSYS, syscall "
		    "%s)", name ? name : "unknown");
		free(name);
	} else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		/* SIGSYS was blocked, so the kernel killed before our handler. */
		snprintf(buf, len, "was killed by the sandbox (SIGSYS)");
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d (SIG%s)",
		    WTERMSIG(status), sigabbrev_np(WTERMSIG(status)) ?
		    sigabbrev_np(WTERMSIG(status)) : "UNKNOWN");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else
		snprintf(buf, len, "ended with wait status %#x", status);
}

static void
worker_free(struct worker *w)
{
	(void)spawn_loaded(w);
	worker_hand_back(w, "tool '%s': %s", "the server is shutting down");
	TAILQ_REMOVE(&sv.workers, w, entry);
	worker_bev_free(w);
	broker_free(w->broker);
	if (w->errbev != NULL)
		bufferevent_free(w->errbev);
	event_free(w->deadline);
	json_object_put(w->ready);
	worker_log_dropped(w);
	if (w->log_timer != NULL)
		event_free(w->log_timer);
	free(w->cause);
	free(w->name);
	free(w);
}

/* Both EOF and the reaped status are in: answer, log, tell the tool. */
static void
worker_finish(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;
	struct tool	*t = w->tool;
	char		 how[256];

	(void)fd;
	(void)what;
	worker_describe_death(w->status, w->syscall_nr, how, sizeof(how));
	worker_hand_back(w, "tool '%s' failed: its worker %s",
	    w->cause ? w->cause : how);
	if (!w->closing || w->status != 0)
		log_warnx("tool '%s': worker %d %s%s%s", worker_name(w),
		    (int)w->pid, how, w->cause ? " after it " : "",
		    w->cause ? w->cause : "");
	if (t != NULL && t->worker == w) {
		if (w->state != WORKER_SPAWNING)	/* it was READY */
			tool_worker_gone(t);
		else
			tool_worker_failed(t, w->cause ? w->cause : how);
	} else if (t != NULL)
		(void)tool_extra_gone(t, w, 1);
	if (w == sv.spawner)
		spawn_spawner_gone(how);
	worker_free(w);
}

/* Closed and reaped: finished on the next pass of the loop. */
static void
worker_finish_later(struct worker *w)
{
	w->life = WORKER_FINISHED;
	if (event_base_once(sv.base, -1, EV_TIMEOUT, worker_finish, w,
	    NULL) == -1)
		fatal("%s", __func__);
}

/*
 * Reap it if it exited. Only named workers are asked: one the spawner
 * forked stays a zombie until its SPAWNED names it (worker_named asks
 * then), so no exit status is ever without its worker.
 */
static void
worker_try_reap(struct worker *w)
{
	int	status;

	if (w->pid <= 0 || (w->life != WORKER_RUNNING &&
	    w->life != WORKER_CLOSED) ||
	    waitpid(w->pid, &status, WNOHANG) != w->pid)
		return;
	worker_reaped(w, status);
}

static void
worker_reaped(struct worker *w, int status)
{
	w->status = status;
	if (w->life == WORKER_CLOSED)
		worker_finish_later(w);		/* both in */
	else
		w->life = WORKER_REAPED;
}

/* A worker the spawner could not start: there is no process to reap. */
void
worker_unborn(struct worker *w, const char *cause)
{
	worker_kill(w, cause);
	w->status = 127 << 8;
	worker_finish_later(w);
}

/*
 * SIGCHLD: collect every exited worker. With no worker waiting for its
 * name, any other child is a stray (forked by a spawner that died before
 * naming it): reaped too.
 */
void
worker_reap(void)
{
	struct worker	*w, *next;
	pid_t		 pid;
	int		 status;

	TAILQ_FOREACH_SAFE(w, &sv.workers, entry, next)
		worker_try_reap(w);
	if (!TAILQ_EMPTY(&sv.spawnq))
		return;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		TAILQ_FOREACH(w, &sv.workers, entry)
			if (w->pid == pid && (w->life == WORKER_RUNNING ||
			    w->life == WORKER_CLOSED))
				break;
		if (w != NULL)
			worker_reaped(w, status);
		else
			log_debug("reaped process %d, no worker's", (int)pid);
	}
}

/*
 * At exit: close every channel so idle workers leave on EOF, give them
 * grace_ms, then SIGKILL what is left. No worker outlives the supervisor.
 */
void
worker_wait_all(int grace_ms)
{
	struct worker	*w;
	struct timespec	 ts = { 0, 5 * 1000 * 1000 };
	int		 waited, status, left;

	TAILQ_FOREACH(w, &sv.workers, entry) {
		w->closing = 1;
		worker_bev_free(w);
	}
	for (waited = 0;; waited += 5) {
		left = 0;
		TAILQ_FOREACH(w, &sv.workers, entry) {
			if (w->pid <= 0)	/* never named: exits on EOF */
				w->life = WORKER_FINISHED;
			if (w->life != WORKER_FINISHED &&
			    w->life != WORKER_REAPED &&
			    waitpid(w->pid, &status, WNOHANG) == w->pid)
				w->life = WORKER_REAPED;
			if (w->life != WORKER_FINISHED &&
			    w->life != WORKER_REAPED) {
				left++;
				if (waited >= grace_ms)
					kill(w->pid, SIGKILL);
			}
		}
		if (left == 0)
			break;
		nanosleep(&ts, NULL);
	}
	while ((w = TAILQ_FIRST(&sv.workers)) != NULL)
		worker_free(w);
	sv.spawner = NULL;
	while (waitpid(-1, &status, WNOHANG) > 0)
		;
}
