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
#include <limits.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <seccomp.h>

#include "channel.h"
#include "frame.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "metrics.h"
#include "xmalloc.h"

#define WORKER_LOG_LINE		4096
#define WORKER_LOG_RATE		65536	/* stderr bytes a second, each */
/* Room for the result envelope around a reply of max_reply bytes. */
#define FRAME_SLACK		65536
/* Its state at the gate once the sandbox reported a syscall: its last
 * word, after which no frame is permitted. */
#define WORKER_REPORTED		8

static const char *const worker_state_names[] = {
	[WORKER_SPAWNING] = "starting",
	[WORKER_IDLE] = "idle",
	[WORKER_BUSY] = "busy"
};

/*
 * Its life (tmux's job.c): the channel closes and the process is reaped,
 * in either order; the second one finishes it (worker_finish, then freed).
 */
enum worker_life {
	WORKER_RUNNING,
	WORKER_CLOSED,		/* channel closed, not reaped yet */
	WORKER_REAPED,		/* reaped, channel still open */
	WORKER_FINISHED		/* both: worker_finish comes next */
};

/* Only this file reads or writes one (tmux keeps struct job in job.c). */
struct worker {
	TAILQ_ENTRY(worker)	 entry;		/* workers */
	const struct worker_ops	*ops;
	struct tool		*tool;		/* its owner; NULL once gone */
	struct spawn_job	*job;		/* how spawn.c starts it */
	pid_t			 pid;		/* 0 until the spawner names it */
	enum worker_state	 state;
	enum worker_life	 life;
	int			 launched;	/* a process is being started */
	int			 timeout_ms;	/* a call's, its tool's */
	int			 load_timeout_ms;
	int			 context;	/* READY: CALL_META before calls */
	struct channel		*ch;		/* the frame channel */
	struct bufferevent	*errbev;	/* its stderr, into our log */
	struct callq		 sent;		/* sent, answered in this order;
						 * the head is running */
	unsigned		 nsent;
	struct event		*deadline;
	struct timespec		 due;		/* when it fires, monotonic: it
						 * may be later than the timer */
	int			 status;	/* from waitpid */
	long			 syscall_nr;	/* from MSG_SYSCALL, or -1 */
	char			*cause;		/* why we killed it, if we did */
	char			*name;		/* the tool's, for logs */
	struct json_object	*secrets;	/* its env grants: not logged */
	int			 closing;	/* we asked it to go: no warning */
	struct json_object	*ready;		/* READY before its pid */
	time_t			 log_second;	/* stderr rate limit: */
	size_t			 log_bytes;	/* logged this second, */
	size_t			 log_dropped;	/* and dropped */
	struct event		*log_timer;	/* says what was dropped */
	struct timeval		 mark;		/* the head call began */
	int			 asking;	/* its call waits for the client:
						 * deadline paused, sent no more */
	struct timeval		 paused;	/* ... since */
	/* An async worker (READY's slots > 1) runs its sent calls at once
	 * and answers them in any order; a call stopped there (timed out,
	 * cancelled) is a stray until its RESULT says it ended. */
	unsigned		 slots;
	unsigned		 max_slots;	/* its tool's async_concurrency */
	struct stray		*strays;
	unsigned		 nstrays;
	struct event		*grace;		/* the oldest stray's */
};

/* A stopped call an async worker still runs, and until when it may. */
struct stray {
	uint64_t	id;
	struct timeval	until;
};

/* How long a stopped async call may take to end before its worker dies. */
#define WORKER_GRACE_MS		1000

/* Every worker not yet freed, READY or not, owned or let go. */
static TAILQ_HEAD(, worker) workers = TAILQ_HEAD_INITIALIZER(workers);

static void	worker_finish_later(struct worker *);
static void	worker_free(struct worker *);
static void	worker_try_reap(struct worker *);
static void	worker_reaped(struct worker *, int);
static void	worker_arm_deadline(struct worker *, int);
static void	worker_timeout(evutil_socket_t, short, void *);
static void	worker_err_read(struct bufferevent *, void *);
static void	worker_err_event(struct bufferevent *, short, void *);
static unsigned	worker_lap(struct worker *);

const char *
worker_name(const struct worker *w)
{
	return w->name;
}

pid_t
worker_pid(const struct worker *w)
{
	return w->pid;
}

/* What status reports: "starting", "idle", "busy" or "stopping". */
const char *
worker_state_name(const struct worker *w)
{
	return w->life != WORKER_RUNNING ? "stopping" :
	    worker_state_names[w->state];
}

struct tool *
worker_tool(const struct worker *w)
{
	return w->tool;
}

struct spawn_job *
worker_job(const struct worker *w)
{
	return w->job;
}

/* Running and not READY yet. */
int
worker_loading(const struct worker *w)
{
	return w->state == WORKER_SPAWNING;
}

/* Running, READY, nothing sent. */
int
worker_idle(const struct worker *w)
{
	return w->life == WORKER_RUNNING && w->state == WORKER_IDLE;
}

/* Its process is not going away (not closed, not reaped). */
int
worker_running(const struct worker *w)
{
	return w->life == WORKER_RUNNING;
}

/* Calls it has: sent, and (async) stopped ones still running. */
unsigned
worker_nsent(const struct worker *w)
{
	return w->nsent + w->nstrays;
}

/* Its call waits for the client (ask.c): nothing more is sent. */
int
worker_asking(const struct worker *w)
{
	return w->asking;
}

/* now + ms into *due (CLOCK_MONOTONIC: a clock set back changes nothing). */
static void
worker_due_in(struct timespec *due, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, due);
	due->tv_sec += ms / 1000;
	due->tv_nsec += (long)(ms % 1000) * 1000000;
	if (due->tv_nsec >= 1000000000) {
		due->tv_sec++;
		due->tv_nsec -= 1000000000;
	}
}

static void
worker_arm_deadline(struct worker *w, int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	worker_due_in(&w->due, ms);
	evtimer_add(w->deadline, &tv);
}

/*
 * The deadline moves later (the next pipelined call runs): a timer that
 * is pending stays, and when it fires it is set again for what is left
 * (worker_timeout). One clock read a call instead of a timer's removal
 * and insertion.
 */
static void
worker_push_deadline(struct worker *w, int ms)
{
	if (!evtimer_pending(w->deadline, NULL)) {
		worker_arm_deadline(w, ms);
		return;
	}
	worker_due_in(&w->due, ms);
}

/* The timer fired before w->due (moved on since): ms left, else 0. */
static int
worker_due_left(const struct worker *w)
{
	struct timespec	now;
	long long	ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(w->due.tv_sec - now.tv_sec) * 1000 +
	    (w->due.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)(ms > INT_MAX ? INT_MAX : ms) : 0;
}

/* The channel's end: the worker sees EOF now. */
static void
worker_ch_free(struct worker *w)
{
	channel_free(w->ch);
	w->ch = NULL;
}

/* Close our end of the channel; the worker sees EOF and exits. */
static void
worker_channel_close(struct worker *w)
{
	evtimer_del(w->deadline);
	worker_ch_free(w);
	if (w->life == WORKER_RUNNING)
		w->life = WORKER_CLOSED;
	else if (w->life == WORKER_REAPED)
		worker_finish_later(w);
	/* One still waiting for a slot has no process to reap. */
	if (!w->launched && w->life == WORKER_CLOSED)
		worker_finish_later(w);
}

/* Calls may go to it: READY, its channel open (an async one: a slot). */
int
worker_usable(const struct worker *w)
{
	if (w->life != WORKER_RUNNING || w->ch == NULL ||
	    (w->state != WORKER_IDLE && w->state != WORKER_BUSY))
		return 0;
	if (w->slots > 1)
		return w->nsent + w->nstrays < w->slots;
	return !w->asking;
}

/* Calls it runs at once: 1, or an async worker's slots. */
unsigned
worker_slots(const struct worker *w)
{
	return w->slots > 1 ? w->slots : 1;
}

void
worker_close(struct worker *w)
{
	w->closing = 1;
	worker_channel_close(w);
}

/* Its owner lets it go (retired, replaced, failed): it leaves on EOF. */
void
worker_let_go(struct worker *w)
{
	w->tool = NULL;
	worker_close(w);
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

	if (!json_object_object_get_ex(m, MSG_KEY(READY, isolation), &v))
		return;
	s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	if (last != NULL && strcmp(last, s) == 0)
		return;
	free(last);
	last = xstrdup(s);
	log_info("workers' containment: %s", s);
	if (json_object_object_get_ex(m, MSG_KEY(READY, isolation_failed),
	    &v))
		log_warnx("workers' namespaces: %s",
		    json_object_get_string(v));
}

static int	worker_log_charge(struct worker *, size_t);

/* The tool cannot load (with this worker): it says why. */
static void
worker_load_failed(struct worker *w, const char *err)
{
	struct tool	*t = w->tool;
	char		 clean[65536];

	/* Its words reach the log, status and clients ("failed to load:"). */
	grants_redact(w->secrets, err, strlen(err), clean, sizeof(clean));
	worker_let_go(w);
	if (t != NULL)
		w->ops->failed(w, t, clean);
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
	char			 clean[READY_WARNING_LEN + 1];
	size_t			 i, n, len;

	if (!json_object_object_get_ex(m, MSG_KEY(READY, warnings), &v))
		return;
	n = json_object_array_length(v);
	for (i = 0; i < n && i < READY_WARNINGS_MAX; i++) {
		const char *s = json_object_get_string(
		    json_object_array_get_idx(v, i));

		if ((len = strlen(s)) > READY_WARNING_LEN)
			len = READY_WARNING_LEN;
		if (worker_log_charge(w, len) == -1)
			return;
		len = grants_redact(w->secrets, s, len, clean, sizeof(clean));
		log_vis(buf, clean, len);
		log_warnx("tool '%s': %s", worker_name(w), buf);
	}
	if (n > READY_WARNINGS_MAX && worker_log_charge(w, 64) == 0)
		log_warnx("tool '%s': %zu more warnings not logged",
		    worker_name(w), n - READY_WARNINGS_MAX);
}

static void
worker_on_ready(struct worker *w, struct json_object *m)
{
	struct json_object	*v;
	char			 why[512];

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
	w->context = json_object_object_get_ex(m, MSG_KEY(READY, context), &v) &&
	    json_object_get_boolean(v);
	/* Never more at once than its tool's async_concurrency says. */
	w->slots = 1;
	if (json_object_object_get_ex(m, MSG_KEY(READY, slots), &v))
		w->slots = (unsigned)json_object_get_int(v);
	if (w->slots > w->max_slots)
		w->slots = w->max_slots;
	log_debug("tool '%s': worker %d ready", worker_name(w), (int)w->pid);
	w->ops->ready(w, m);
}

static int
worker_on_ready_frame(void *arg, const struct channel_msg *msg)
{
	worker_on_ready(arg, msg->m);
	return 0;
}

static int
worker_on_load_failed(void *arg, const struct channel_msg *msg)
{
	struct json_object	*v;

	json_object_object_get_ex(msg->m, MSG_KEY(LOAD_FAILED, error), &v);
	worker_load_failed(arg, json_object_get_string(v));
	return 0;
}

/* A call's deadline: a task's own, else its tool's. */
static int
worker_call_ms(const struct worker *w, const struct call *c)
{
	int	ms = call_timeout(c);

	return ms > 0 ? ms : w->timeout_ms;
}

/* The head call was answered: the next one runs. */
static void
worker_popped(struct worker *w)
{
	struct call	*next;

	w->nsent--;
	if (w->nsent > 0 && w->tool != NULL)
		worker_push_deadline(w, worker_call_ms(w,
		    call_first(&w->sent)));
	else {
		evtimer_del(w->deadline);
		w->state = WORKER_IDLE;
	}
	if ((next = call_first(&w->sent)) != NULL && call_cancelled(next))
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
	unsigned	 ran;

	/* What it was running (an async worker: all of them) died with it. */
	ran = w->slots > 1 ? w->nsent : call_first(&w->sent) != NULL;
	if (ran > 0 && w->tool != NULL && !sv.shutting_down)
		w->ops->lost(w, ME_WORKER_DIED, ran);
	if ((c = call_first(&w->sent)) != NULL)
		call_answer_error(c, fmt, worker_name(w), why);
	/* An async worker ran them all: none goes back to the queue. */
	if (w->tool != NULL && !sv.shutting_down && w->slots <= 1)
		call_requeue(&w->sent, w->ops->queue(w));
	call_fail_all(&w->sent, fmt, worker_name(w), why);
	w->nsent = 0;
}

/*
 * Relay a result: the gate checked it (without parsing it) to be one JSON
 * object with a content array on one line before it reaches a client, so a
 * tool can answer its own call, never forge another message.
 */
/* A result that says isError: toolhost ends its results so; else looked up. */
static int
worker_result_error(const struct channel_msg *msg)
{
	static const char	 yes[] = "\"isError\":true}";
	static const char	 no[] = "\"isError\":false}";
	size_t			 n = msg->h->len;
	int			 v;

	if (n >= sizeof(no) - 1 && memcmp(msg->p + n - (sizeof(no) - 1), no,
	    sizeof(no) - 1) == 0)
		return 0;
	if (n >= sizeof(yes) - 1 && memcmp(msg->p + n - (sizeof(yes) - 1),
	    yes, sizeof(yes) - 1) == 0)
		return 1;
	v = jdoc_member(msg->doc, 0, "isError");
	return v != -1 && msg->doc->t[v].type == JT_TRUE;
}

/* c's answer from its RESULT (c is freed): 1 if an error. */
static int
worker_answer_result(struct worker *w, struct call *c,
    const struct channel_msg *msg)
{
	char	why[512];

	if (call_decided(c)) {		/* input_required */
		call_answer_raw(c, "", 0);
		return 0;
	}
	if (w->tool != NULL && w->ops->output(w, msg->doc, why,
	    sizeof(why)) == -1) {
		call_answer_error(c, "%s", why);
		return 1;
	}
	call_answer_raw(c, msg->p, msg->h->len);
	return worker_result_error(msg);
}

static int	worker_async_result(struct worker *,
		    const struct channel_msg *);

static int
worker_on_result(void *arg, const struct channel_msg *msg)
{
	struct worker		*w = arg;
	struct call		*c = call_first(&w->sent);
	int			 err;

	if (w->slots > 1)
		return worker_async_result(w, msg);
	/* Calls run in the order sent: the answer is the head's. */
	if (c == NULL || msg->h->id != call_id(c) || call_asking(c))
		return -1;
	err = worker_answer_result(w, c, msg);
	worker_popped(w);
	if (w->tool != NULL)
		w->ops->answered(w, worker_lap(w), err);
	return 0;
}

/*
 * An async worker's calls (READY's slots > 1): sent at once, each on its
 * own deadline (the oldest's is armed), answered in any order. A call
 * that times out or is cancelled is answered (or dropped) at once and
 * its worker told (CANCEL); it stays a stray, taking its slot, until its
 * RESULT comes, within WORKER_GRACE_MS, or the worker dies.
 */
static long
worker_ms_since(const struct timeval *t)
{
	struct timeval	now, d;

	event_base_gettimeofday_cached(sv.base, &now);
	timersub(&now, t, &d);
	return d.tv_sec * 1000 + d.tv_usec / 1000;
}

/* The oldest call's deadline, from when it was sent. */
static void
worker_async_arm(struct worker *w)
{
	struct call	*c = call_first(&w->sent);
	long		 left;

	evtimer_del(w->deadline);
	if (c == NULL || w->tool == NULL)
		return;
	left = worker_call_ms(w, c) - worker_ms_since(call_sent_at(c));
	worker_arm_deadline(w, left > 0 ? (int)left : 1);
}

static void
worker_grace_arm(struct worker *w)
{
	struct timeval	now, d;

	if (w->grace == NULL)
		return;
	evtimer_del(w->grace);
	if (w->nstrays == 0)
		return;
	event_base_gettimeofday_cached(sv.base, &now);
	if (timercmp(&w->strays[0].until, &now, <))
		d = (struct timeval){ 0, 0 };
	else
		timersub(&w->strays[0].until, &now, &d);
	evtimer_add(w->grace, &d);
}

static void
worker_grace_over(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;
	char		 cause[160];

	(void)fd;
	(void)what;
	snprintf(cause, sizeof(cause), "was killed: a call it was told to "
	    "stop still ran %d ms later", WORKER_GRACE_MS);
	log_warnx("tool '%s': worker %d %s", worker_name(w), (int)w->pid,
	    cause);
	worker_kill(w, cause);
}

/* c stops: CANCEL to the worker, c off its list (answered: freed). */
static void
worker_stray(struct worker *w, struct call *c, const char *why)
{
	struct timeval	 now, g = { WORKER_GRACE_MS / 1000,
			    (WORKER_GRACE_MS % 1000) * 1000 };
	struct stray	*s;
	int		 head = c == call_first(&w->sent);

	if (w->grace == NULL &&
	    (w->grace = evtimer_new(sv.base, worker_grace_over, w)) == NULL)
		fatal("%s", __func__);
	w->strays = xreallocarray(w->strays, w->nstrays + 1,
	    sizeof(*w->strays));
	s = &w->strays[w->nstrays++];
	s->id = call_id(c);
	event_base_gettimeofday_cached(sv.base, &now);
	timeradd(&now, &g, &s->until);
	if (w->ch != NULL)
		channel_send(w->ch, MSG_CANCEL, s->id, "{}", 2);
	call_answer_error(c, "%s", why);
	w->nsent--;
	if (head)
		worker_async_arm(w);
	if (w->nstrays == 1)
		worker_grace_arm(w);
}

/* A stray's RESULT: it ended, its slot is free. 0 if id is none. */
static int
worker_stray_ended(struct worker *w, uint64_t id)
{
	unsigned	i;

	for (i = 0; i < w->nstrays; i++)
		if (w->strays[i].id == id)
			break;
	if (i == w->nstrays)
		return 0;
	memmove(&w->strays[i], &w->strays[i + 1],
	    (w->nstrays - i - 1) * sizeof(*w->strays));
	if (--w->nstrays == 0 || i == 0)
		worker_grace_arm(w);
	return 1;
}

static void
worker_async_idle(struct worker *w)
{
	if (w->nsent + w->nstrays == 0) {
		w->state = WORKER_IDLE;
		evtimer_del(w->deadline);
	}
}

static int
worker_async_result(struct worker *w, const struct channel_msg *msg)
{
	struct call	*c = call_with_id(&w->sent, msg->h->id);
	unsigned	 us;
	long		 ms;
	int		 head, err;

	if (c == NULL) {
		if (!worker_stray_ended(w, msg->h->id))
			return -1;	/* a result for no call of its */
		worker_async_idle(w);
		if (w->tool != NULL)
			w->ops->room(w);
		return 0;
	}
	if (call_asking(c))
		return -1;
	head = c == call_first(&w->sent);
	ms = worker_ms_since(call_sent_at(c));
	us = ms > 3600 * 1000 ? 3600U * 1000000 : (unsigned)ms * 1000;
	err = worker_answer_result(w, c, msg);
	w->nsent--;
	if (head)
		worker_async_arm(w);
	worker_async_idle(w);
	if (w->tool != NULL)
		w->ops->answered(w, us, err);
	return 0;
}

/* Believed only if the worker then dies by SIGSYS. */
static int
worker_on_syscall(void *arg, const struct channel_msg *msg)
{
	struct worker		*w = arg;
	struct json_object	*v;

	json_object_object_get_ex(msg->m, MSG_KEY(SYSCALL, nr), &v);
	w->syscall_nr = (long)json_object_get_int64(v);
	return 0;
}

static int
worker_on_ask(void *arg, const struct channel_msg *msg)
{
	struct worker	*w = arg;

	if (w->slots > 1)
		return ask_start(w, call_with_id(&w->sent, msg->h->id),
		    msg->h, msg->m);
	return ask_start(w, w->state == WORKER_BUSY ? call_first(&w->sent) :
	    NULL, msg->h, msg->m);
}

static int
worker_on_note(void *arg, const struct channel_msg *msg)
{
	struct worker	*w = arg;

	return call_notify(&w->sent, msg->h, msg->m, w->slots > 1);
}

static unsigned
worker_gate_state(void *arg)
{
	struct worker	*w = arg;

	return w->syscall_nr >= 0 ? WORKER_REPORTED : w->state;
}

static void
worker_gate_fail(void *arg, const char *why)
{
	worker_kill(arg, why);
}

static void
worker_closed(void *arg)
{
	worker_channel_close(arg);
}

#define W_LOADING	(1U << WORKER_SPAWNING)
#define W_READY		(1U << WORKER_IDLE | 1U << WORKER_BUSY)
static const struct channel_handler worker_handlers[] = {
	{ MSG_READY, W_LOADING, worker_on_ready_frame },
	{ MSG_LOAD_FAILED, W_LOADING, worker_on_load_failed },
	{ MSG_RESULT, 1U << WORKER_BUSY, worker_on_result },
	{ MSG_SYSCALL, W_LOADING | W_READY, worker_on_syscall },
	{ MSG_PROGRESS, W_READY, worker_on_note },
	{ MSG_LOG, W_READY, worker_on_note },
	{ MSG_ASK, W_READY, worker_on_ask },
	{ 0, 0, NULL }
};

const struct channel_peer worker_peer = {
	"worker", MSG_CHAN_WORKER, worker_handlers, worker_gate_state,
	worker_gate_fail, worker_closed
};

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
	char		buf[WORKER_LOG_LINE * 4 + 1], clean[WORKER_LOG_LINE + 1];

	if (len > WORKER_LOG_LINE)
		len = WORKER_LOG_LINE;
	if (worker_log_charge(w, len) == -1)
		return;
	if (w->secrets != NULL) {
		len = grants_redact(w->secrets, line, len, clean,
		    sizeof(clean));
		line = clean;
	}
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
	if ((ms = worker_due_left(w)) > 0) {	/* pushed on meanwhile */
		worker_arm_deadline(w, ms);
		return;
	}
	if (c != NULL && w->slots > 1) {
		snprintf(cause, sizeof(cause), "tool '%s' timed out after %d ms",
		    worker_name(w), worker_call_ms(w, c));
		log_info("%s; its worker %d is told to stop the call", cause,
		    (int)w->pid);
		if (w->tool != NULL)
			w->ops->lost(w, ME_TIMEOUT, 1);
		worker_stray(w, c, cause);
		return;
	}
	if (c != NULL) {
		ms = worker_call_ms(w, c);
		if (w->tool != NULL)
			w->ops->lost(w, ME_TIMEOUT, 1);
		call_answer_error(c, "tool '%s' timed out after %d ms",
		    worker_name(w), ms);
		evtimer_del(w->deadline);
		/* The others never ran: they wait for the next worker. */
		if (w->tool != NULL)
			call_requeue(&w->sent, w->ops->queue(w));
		w->nsent = 0;
		snprintf(cause, sizeof(cause), "was killed after the call "
		    "timed out (%d ms)", ms);
	} else {
		ms = w->load_timeout_ms;
		snprintf(cause, sizeof(cause), "did not load within %d ms", ms);
	}
	log_warnx("tool '%s': worker %d %s", worker_name(w), (int)w->pid,
	    cause);
	worker_kill(w, cause);
}

/*
 * A worker for spec's tool, to be started on these fds (its channel, its
 * stderr), answering to its owner t through ops.
 */
struct worker *
worker_new(const struct toolspec *spec, int chan, int errfd,
    const struct worker_ops *ops, struct tool *t, struct spawn_job *job)
{
	struct worker	*w;

	w = xcalloc(1, sizeof(*w));
	w->name = xstrdup(spec->name);
	w->secrets = spec->secrets != NULL ? json_object_get(spec->secrets) :
	    NULL;
	w->ops = ops;
	w->tool = t;
	w->job = job;
	w->timeout_ms = spec->timeout_ms;
	w->load_timeout_ms = spec->load_timeout_ms;
	w->max_slots = spec->async_concurrency > 1 ?
	    (unsigned)spec->async_concurrency : 1;
	w->syscall_nr = -1;
	TAILQ_INIT(&w->sent);
	w->state = WORKER_SPAWNING;
	w->life = WORKER_RUNNING;
	w->ch = channel_new(chan, CHANNEL_STREAM, &worker_peer, w,
	    settings.max_reply + FRAME_SLACK);
	evutil_make_socket_nonblocking(errfd);
	if ((w->errbev = bufferevent_socket_new(sv.base, errfd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (w->deadline = evtimer_new(sv.base, worker_timeout, w)) == NULL)
		fatal("%s", __func__);
	bufferevent_setcb(w->errbev, worker_err_read, NULL, worker_err_event, w);
	bufferevent_enable(w->errbev, EV_READ);
	TAILQ_INSERT_TAIL(&workers, w, entry);
	return w;
}

/*
 * Its SETTINGS and LOAD, read once it runs: one waiting for its slot has
 * them buffered.
 */
void
worker_load(struct worker *w, const char *settings_text, size_t settings_len,
    const char *load)
{
	channel_send(w->ch, MSG_SETTINGS, 0, settings_text, settings_len);
	channel_send(w->ch, MSG_LOAD, 0, load, strlen(load));
}

/* Its process is being started: it has one to reap from now on. */
void
worker_launched(struct worker *w)
{
	w->launched = 1;
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
		worker_arm_deadline(w, w->load_timeout_ms);
	log_debug("tool '%s': worker %d started", w->name, (int)w->pid);
}

/* A worker that never got going (it could not be launched): gone now. */
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
	union sigval	v = { .sival_ptr = (void *)(uintptr_t)call_id(c) };

	if (w->slots > 1) {
		worker_stray(w, c, "cancelled");
		worker_async_idle(w);
		return;
	}
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
	const char	*meta, *args;
	size_t		 len;

	call_send(c, &w->sent, w);
	if (w->nsent == 0)
		event_base_gettimeofday_cached(sv.base, &w->mark);
	if (w->nsent++ == 0)
		worker_arm_deadline(w, worker_call_ms(w, c));
	w->state = WORKER_BUSY;
	if ((meta = call_meta(c, w->context, &len)) != NULL)
		channel_send(w->ch, MSG_CALL_META, call_id(c), meta, len);
	args = call_args(c, &len);
	channel_send(w->ch, MSG_CALL, call_id(c), args, len);
}

/* The ANSWER to the ASK of call c, which w runs. */
void
worker_answer(struct worker *w, const struct call *c, const char *answer,
    size_t len)
{
	channel_send(w->ch, MSG_ANSWER, call_id(c), answer, len);
}

/*
 * Its call waits for the client: that time is not the tool's (--ask-timeout
 * bounds it), and calls wait for another worker meanwhile.
 */
void
worker_pause(struct worker *w)
{
	if (w->slots > 1)	/* its other calls run on; this one's timeout
				 * runs too (--ask-timeout bounds the wait) */
		return;
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
	if (w->ch == NULL || w->tool == NULL || call_first(&w->sent) == NULL)
		return;
	timersub(&now, &w->mark, &d);
	left = worker_call_ms(w, call_first(&w->sent)) -
	    (d.tv_sec * 1000 + d.tv_usec / 1000);
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
	worker_hand_back(w, "tool '%s': %s", "the server is shutting down");
	w->ops->freed(w);
	TAILQ_REMOVE(&workers, w, entry);
	worker_ch_free(w);
	if (w->errbev != NULL)
		bufferevent_free(w->errbev);
	event_free(w->deadline);
	if (w->grace != NULL)
		event_free(w->grace);
	free(w->strays);
	json_object_put(w->ready);
	worker_log_dropped(w);
	if (w->log_timer != NULL)
		event_free(w->log_timer);
	free(w->cause);
	free(w->name);
	json_object_put(w->secrets);
	free(w);
}

/* Both EOF and the reaped status are in: answer, log, tell the tool. */
static void
worker_finish(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w = arg;
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
	if (w->tool != NULL)
		w->ops->gone(w, w->state != WORKER_SPAWNING,
		    w->cause ? w->cause : how);
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

/* SIGCHLD: collect every exited worker that has a name. */
void
worker_reap(void)
{
	struct worker	*w, *next;

	TAILQ_FOREACH_SAFE(w, &workers, entry, next)
		worker_try_reap(w);
}

/* A child reaped by pid: 1 if it was a worker's. */
int
worker_reaped_pid(pid_t pid, int status)
{
	struct worker	*w;

	TAILQ_FOREACH(w, &workers, entry)
		if (w->pid == pid && (w->life == WORKER_RUNNING ||
		    w->life == WORKER_CLOSED)) {
			worker_reaped(w, status);
			return 1;
		}
	return 0;
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

	TAILQ_FOREACH(w, &workers, entry) {
		w->closing = 1;
		worker_ch_free(w);
	}
	for (waited = 0;; waited += 5) {
		left = 0;
		TAILQ_FOREACH(w, &workers, entry) {
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
	while ((w = TAILQ_FIRST(&workers)) != NULL)
		worker_free(w);
	while (waitpid(-1, &status, WNOHANG) > 0)
		;
}
