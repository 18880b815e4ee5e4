/* SPDX-License-Identifier: ISC */
/*
 * How worker processes come to be. With the spawner (the default), a worker
 * is a fork of a process that has CPython up and the common modules
 * imported: ~0.3 ms instead of ~12 ms for exec + Py_Initialize, and pages
 * shared. Without it, or while it is down, fork + exec of the worker
 * program: the simple fallback. Either way the worker is our child, with
 * its channel on fd 3 and its stderr on a pipe into our log.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/bufferevent.h>

#include "frame.h"
#include "mcp-hotd.h"

#define SPAWNER_RETRY_MIN_MS	500
#define SPAWNER_RETRY_MAX_MS	30000
/*
 * Workers loading at once: two per core (a load is CPU-bound), at least
 * SPAWN_LOADING_MIN. The rest wait, their process not started, so a tool's
 * load_timeout_ms counts its own loading only: 1,000 tools at once would
 * otherwise share the cores a thousand ways and time out by the hundred.
 */
#define SPAWN_LOADING_MIN	4
#define SPAWN_LOADING_MAX	64
static struct {
	int		 enabled;
	uint64_t	 next_id;	/* SPAWN ids */
	struct event	*retry;
	unsigned	 failures;
	unsigned	 loading;	/* started, not READY or gone yet */
	unsigned	 loading_max;
	struct workerq	 waiting;	/* for a loading slot, FIFO */
	struct event	*admit;		/* starts the waiting, deferred */
} sp = { .waiting = TAILQ_HEAD_INITIALIZER(sp.waiting) };

/* In the child, between fork and exec: async-signal-safe calls only. */
static void __attribute__((noreturn))
spawn_exec(const struct spawn_fds *fds, pid_t parent, const char *arg)
{
	static const char	msg[] = "mcp-hotd: cannot execute the worker\n";
	/* Nothing of the supervisor's environment reaches tool code. */
	static char *const	env[] = {
		"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", NULL
	};
	/*
	 * The spawner gets room in its argv for the forked workers to write
	 * their tool's name, so ps shows them as it shows exec'd ones.
	 */
	static char		room[] = "                                "
				    "                                "
				    "                                "
				    "                                ";
	char			*argv[8 + 2 * MAX_PYTHON_PATHS];
	static char		 abi_max[16];
	size_t			 i;
	int			 null, n = 0;
	sigset_t		 all;
	pid_t			 pp;

	argv[n++] = (char *)"mcp-hotd-worker";
	if (sv.no_namespaces)
		argv[n++] = (char *)"--no-namespaces";
	if (sv.no_landlock)
		argv[n++] = (char *)"--no-landlock";
	if (sv.landlock_abi_max > 0) {
		snprintf(abi_max, sizeof(abi_max), "%d", sv.landlock_abi_max);
		argv[n++] = (char *)"--landlock-abi-max";
		argv[n++] = abi_max;
	}
	for (i = 0; i < sv.npython_paths; i++) {
		argv[n++] = (char *)"--path";
		argv[n++] = (char *)sv.python_paths[i];
	}
	argv[n++] = (char *)arg;
	argv[n++] = strcmp(arg, "--spawner") == 0 ? room : NULL;
	argv[n] = NULL;
	/* A PID namespace's init sees no parent: 0. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
	    ((pp = getppid()) != parent && pp != 0))
		_exit(126);
	if (frame_place_fds(fds->chan, fds->err, fds->broker) == -1 ||
	    (null = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(null, STDIN_FILENO) == -1)
		_exit(126);
	/* Everything else the supervisor holds stays out of the worker. */
	syscall(SYS_close_range, fds->broker == -1 ? FRAME_CHANNEL_FD + 1 :
	    FRAME_BROKER_FD + 1, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	execve(sv.worker_path, argv, env);
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(127);
}

/*
 * A worker of its own PID and IPC namespaces where we may make them (as
 * root); the spawner makes them for the workers it forks, and the
 * worker's remaining layers hold where neither can.
 */
static pid_t
spawn_clone(int namespaces)
{
	pid_t	pid;

	if (namespaces && (pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID |
	    CLONE_NEWIPC | SIGCHLD, 0, 0, 0, 0)) != -1)
		return pid;
	return fork();
}

static pid_t
spawn_fork_exec(const char *arg, const struct spawn_fds *fds, char *err,
    size_t errlen)
{
	pid_t	pid, parent = getpid();

	/* The spawner itself must not be a PID namespace's init. */
	if ((pid = spawn_clone(!sv.no_namespaces &&
	    strcmp(arg, "--spawner") != 0)) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		spawn_exec(fds, parent, arg);
	return pid;
}

/* Ask the spawner; 0 if request *id is on its way, -1 to fall back. */
static int
spawn_ask(const char *name, const struct spawn_fds *fds, uint64_t *id)
{
	struct frame_hdr	 h = { .type = MSG_SPAWN };
	uint8_t			 hb[FRAME_HDR_LEN];
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(3 * sizeof(int))];
	} cm;
	struct iovec		 iov[2];
	struct msghdr		 msg = { .msg_iov = iov, .msg_iovlen = 2,
				    .msg_control = cm.buf };
	struct cmsghdr		*c;
	int			 pass[3] = { fds->chan, fds->err, fds->broker };
	size_t			 npass = fds->broker == -1 ? 2 : 3;
	ssize_t			 n;

	if (sv.spawner == NULL || sv.spawner->bev == NULL)
		return -1;
	h.len = (uint32_t)strlen(name);
	h.id = sp.next_id + 1;
	frame_hdr_encode(&h, hb);
	iov[0] = (struct iovec){ hb, sizeof(hb) };
	iov[1] = (struct iovec){ (void *)name, h.len };
	memset(&cm, 0, sizeof(cm));
	msg.msg_controllen = CMSG_SPACE(npass * sizeof(int));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(npass * sizeof(int));
	memcpy(CMSG_DATA(c), pass, npass * sizeof(int));
	n = sendmsg(bufferevent_getfd(sv.spawner->bev), &msg, MSG_NOSIGNAL);
	if (n != (ssize_t)(sizeof(hb) + h.len))
		return -1;	/* full or gone: fork + exec this one */
	*id = ++sp.next_id;
	return 0;
}

/* Close the fds of f that are open. */
static void
spawn_close(const struct spawn_fds *f)
{
	if (f->chan != -1)
		close(f->chan);
	if (f->err != -1)
		close(f->err);
	if (f->broker != -1)
		close(f->broker);
}

/* Our ends and the worker's of its channels; -1 with err on failure. */
static int
spawn_channels(int brokered, struct spawn_fds *ours, struct spawn_fds *theirs,
    char *err, size_t errlen)
{
	int	ch[2], ep[2], br[2] = { -1, -1 };

	ch[0] = ch[1] = ep[0] = ep[1] = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ch) == -1 ||
	    pipe2(ep, O_CLOEXEC) == -1 || (brokered && socketpair(AF_UNIX,
	    SOCK_SEQPACKET | SOCK_CLOEXEC, 0, br) == -1)) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		spawn_close(&(struct spawn_fds){ ch[0], ep[0], -1 });
		spawn_close(&(struct spawn_fds){ ch[1], ep[1], -1 });
		return -1;
	}
	*ours = (struct spawn_fds){ ch[0], ep[0], br[0] };
	*theirs = (struct spawn_fds){ ch[1], ep[1], br[1] };
	return 0;
}

/*
 * Start the process for arg (a tool name, or "--spawner") on theirs,
 * which are closed here: *pid, or 0 when the spawner will name it in its
 * answer to request *spawn_id; -1 with err.
 */
static int
spawn_launch(const char *arg, struct spawn_fds *theirs, pid_t *pid,
    uint64_t *spawn_id, char *err, size_t errlen)
{
	*pid = 0;
	*spawn_id = 0;
	if (strcmp(arg, "--spawner") == 0 ||
	    spawn_ask(arg, theirs, spawn_id) == -1)
		*pid = spawn_fork_exec(arg, theirs, err, errlen);
	spawn_close(theirs);
	*theirs = (struct spawn_fds){ -1, -1, -1 };
	return *pid == -1 ? -1 : 0;
}

/* The spawner's own process; on success *fds are our ends. */
static int
spawn_process(const char *arg, pid_t *pid, struct spawn_fds *fds, char *err,
    size_t errlen)
{
	struct spawn_fds	theirs;
	uint64_t		id;

	if (spawn_channels(0, fds, &theirs, err, errlen) == -1)
		return -1;
	if (spawn_launch(arg, &theirs, pid, &id, err, errlen) == -1) {
		spawn_close(fds);
		return -1;
	}
	return 0;
}

/* Start w's process now: it loads from here on. */
static int
spawn_start(struct worker *w, char *err, size_t errlen)
{
	uint64_t	id;
	pid_t		pid;

	if (spawn_launch(w->name, &w->theirs, &pid, &id, err, errlen) == -1)
		return -1;
	w->loading = SPAWN_LOADING;
	sp.loading++;
	if (pid == 0)
		spawn_pending(w, id);	/* the spawner names it */
	else
		worker_started(w, pid);
	return 0;
}

/* Workers waiting for a slot, started as slots free up. */
static void
spawn_admit(evutil_socket_t fd, short what, void *arg)
{
	struct worker	*w;
	char		 err[256];

	(void)fd;
	(void)what;
	(void)arg;
	while (sp.loading < sp.loading_max &&
	    (w = TAILQ_FIRST(&sp.waiting)) != NULL) {
		TAILQ_REMOVE(&sp.waiting, w, loadq);
		w->loading = 0;
		if (spawn_start(w, err, sizeof(err)) == -1)
			worker_unborn(w, err);
	}
}

/*
 * A worker for tool name, with a broker channel if brokered: started now
 * if fewer than loading_max are loading, else once one is done. NULL and
 * err if even its channels cannot be made.
 */
struct worker *
spawn_worker(struct tool *t, int brokered, char *err, size_t errlen)
{
	struct spawn_fds	 ours, theirs;
	struct worker		*w;

	if (spawn_channels(brokered, &ours, &theirs, err, errlen) == -1)
		return NULL;
	w = worker_new(t->spec.name, 0, ours.chan, ours.err, t);
	w->theirs = theirs;
	if (brokered)
		w->broker = broker_new(w, t->spec.allow, ours.broker);
	if (sp.loading < sp.loading_max && TAILQ_EMPTY(&sp.waiting)) {
		if (spawn_start(w, err, errlen) == -1) {
			worker_discard(w);
			return NULL;
		}
		return w;
	}
	w->loading = SPAWN_WAITING;
	TAILQ_INSERT_TAIL(&sp.waiting, w, loadq);
	return w;
}

/*
 * w loads no more (READY, failed, closed, gone): its slot goes to the
 * next waiting. 1 if it never started (no process will ever be reaped).
 */
int
spawn_loaded(struct worker *w)
{
	struct timeval	tv = { 0, 0 };

	if (w->loading == SPAWN_WAITING) {
		TAILQ_REMOVE(&sp.waiting, w, loadq);
		spawn_close(&w->theirs);
		w->theirs = (struct spawn_fds){ -1, -1, -1 };
		w->loading = 0;
		return 1;
	}
	if (w->loading != SPAWN_LOADING)
		return 0;
	w->loading = 0;
	sp.loading--;
	if (!TAILQ_EMPTY(&sp.waiting) && sp.admit != NULL)
		evtimer_add(sp.admit, &tv);
	return 0;
}

/* A worker the spawner is starting, named by its answer to SPAWN id. */
void
spawn_pending(struct worker *w, uint64_t id)
{
	w->spawn_id = id;
	TAILQ_INSERT_TAIL(&sv.spawnq, w, spawnq);
}

/* A worker that will never be named: it failed before it began. */
static void
spawn_fail(struct worker *w, const char *why)
{
	char	cause[256];

	snprintf(cause, sizeof(cause), "could not be started by the spawner "
	    "(%s)", why);
	worker_unborn(w, cause);
}

/* MSG_SPAWNED: the answer to the SPAWN of the same id. */
int
spawn_answered(uint64_t id, struct json_object *m)
{
	struct json_object	*v;
	struct worker		*w;

	TAILQ_FOREACH(w, &sv.spawnq, spawnq)
		if (w->spawn_id == id)
			break;
	if (w == NULL)
		return -1;	/* no such request: the spawner is broken */
	TAILQ_REMOVE(&sv.spawnq, w, spawnq);
	if (!json_object_object_get_ex(m, "pid", &v) ||
	    json_object_get_int(v) <= 0) {
		spawn_fail(w, json_object_object_get_ex(m, "error", &v) ?
		    json_object_get_string(v) : "no pid");
		return 0;
	}
	sp.failures = 0;
	log_debug("tool '%s': worker %d forked by the spawner", w->name,
	    json_object_get_int(v));
	worker_named(w, (pid_t)json_object_get_int(v));
	return 0;
}

static void
spawn_start_spawner(evutil_socket_t fd, short what, void *arg)
{
	struct spawn_fds fds;
	pid_t		 pid;
	char		 err[256];

	(void)fd;
	(void)what;
	(void)arg;
	if (spawn_process("--spawner", &pid, &fds, err, sizeof(err)) == -1) {
		log_warnx("cannot start the spawner: %s", err);
		return;
	}
	sv.spawner = worker_new("spawner", pid, fds.chan, fds.err, NULL);
	sv.spawner->state = WORKER_IDLE;
	log_debug("spawner %d started", (int)pid);
}

/*
 * The spawner died: what it was starting failed (their tools retry, by
 * fork + exec meanwhile); a new spawner comes after a growing pause.
 */
void
spawn_spawner_gone(const char *how)
{
	struct worker	*w;
	struct timeval	 tv;
	unsigned	 ms;

	sv.spawner = NULL;
	while ((w = TAILQ_FIRST(&sv.spawnq)) != NULL) {
		TAILQ_REMOVE(&sv.spawnq, w, spawnq);
		spawn_fail(w, "it died");
	}
	if (!sp.enabled || sv.shutting_down)
		return;
	ms = SPAWNER_RETRY_MIN_MS << (sp.failures < 6 ? sp.failures : 6);
	if (ms > SPAWNER_RETRY_MAX_MS)
		ms = SPAWNER_RETRY_MAX_MS;
	sp.failures++;
	log_warnx("the spawner %s; workers start by exec until it is back "
	    "(in %u ms)", how, ms);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(sp.retry, &tv);
}

void
spawn_init(int enabled)
{
	long	cores = sysconf(_SC_NPROCESSORS_ONLN);

	TAILQ_INIT(&sv.spawnq);
	sp.loading_max = cores > 0 ? 2 * (unsigned)cores : SPAWN_LOADING_MIN;
	if (sp.loading_max < SPAWN_LOADING_MIN)
		sp.loading_max = SPAWN_LOADING_MIN;
	if (sp.loading_max > SPAWN_LOADING_MAX)
		sp.loading_max = SPAWN_LOADING_MAX;
	if ((sp.admit = evtimer_new(sv.base, spawn_admit, NULL)) == NULL)
		fatal("%s", __func__);
	sp.enabled = enabled;
	if (!enabled)
		return;
	if ((sp.retry = evtimer_new(sv.base, spawn_start_spawner,
	    NULL)) == NULL)
		fatal("%s", __func__);
	spawn_start_spawner(-1, 0, NULL);
}

void
spawn_stop(void)
{
	sp.enabled = 0;
	if (sp.admit != NULL)
		event_free(sp.admit);
	sp.admit = NULL;
	if (sp.retry != NULL)
		event_free(sp.retry);
	sp.retry = NULL;
}
