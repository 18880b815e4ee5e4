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

#include <event2/event.h>

#include "channel.h"
#include "frame.h"
#include "mcp-hotd.h"
#include "xmalloc.h"

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
#define SPAWNER_EXIT_MS		1000	/* at exit, before SIGKILL */

/* A worker's ends of its channels: frames, stderr, broker (or -1). */
struct spawn_fds {
	int	chan, err, broker;
};

/* Where a worker is in the admission to loading. */
enum spawn_loading {
	SPAWN_NONE,
	SPAWN_WAITING,		/* for a slot; no process yet */
	SPAWN_LOADING		/* started, not READY or gone yet */
};

/*
 * A worker's start, from spawn_worker to its freeing (spawn_forget): its
 * place in the admission, its SPAWN request, its broker.
 */
struct spawn_job {
	struct worker		*w;
	enum spawn_loading	 loading;
	TAILQ_ENTRY(spawn_job)	 loadq;		/* waiting for a slot */
	struct spawn_fds	 theirs;	/* ... with the ends it will get */
	uint64_t		 spawn_id;	/* its SPAWN request, if any */
	TAILQ_ENTRY(spawn_job)	 namingq;	/* waiting for the spawner */
	struct broker		*broker;	/* net grants: its broker */
};
TAILQ_HEAD(spawn_jobq, spawn_job);

/* The spawner: a peer of its own on its channel, not a worker. */
struct spawner {
	pid_t		 pid;
	struct channel	*ch;
	int		 closed;	/* its channel */
	int		 reaped;
	int		 status;
};

static struct {
	int		 enabled;
	uint64_t	 next_id;	/* SPAWN ids */
	struct event	*retry;
	unsigned	 failures;
	unsigned	 loading;	/* started, not READY or gone yet */
	unsigned	 loading_max;
	struct spawn_jobq waiting;	/* for a loading slot, FIFO */
	struct event	*admit;		/* starts the waiting, deferred */
	struct spawner	*spawner;	/* when running */
	struct spawn_jobq naming;	/* workers it is starting */
} sp = { .waiting = TAILQ_HEAD_INITIALIZER(sp.waiting),
    .naming = TAILQ_HEAD_INITIALIZER(sp.naming) };

static void	spawn_spawner_gone(const char *);

/*
 * SETTINGS (msg.h): how this run contains its workers, the same for
 * every process it executes; built once, the first frame on each
 * channel. Keys at their default are left out.
 */
static const char *
spawn_settings(size_t *len)
{
	static struct json_object	*o;
	struct json_object		*paths;
	size_t				 i;

	if (o == NULL) {
		o = json_object_new_object();
		if (settings.no_namespaces)
			json_object_object_add(o, MSG_KEY(SETTINGS,
			    no_namespaces), json_object_new_int(1));
		if (settings.no_landlock)
			json_object_object_add(o, MSG_KEY(SETTINGS,
			    no_landlock), json_object_new_int(1));
		if (settings.landlock_abi_max > 0)
			json_object_object_add(o, MSG_KEY(SETTINGS,
			    landlock_abi_max), json_object_new_int(
			    settings.landlock_abi_max));
		if (settings.npython_paths > 0) {
			paths = json_object_new_array();
			for (i = 0; i < settings.npython_paths; i++)
				json_object_array_add(paths,
				    json_object_new_string(
				    settings.python_paths[i]));
			json_object_object_add(o, MSG_KEY(SETTINGS,
			    python_path), paths);
		}
	}
	return json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN,
	    len);
}

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
	char			*argv[4];
	int			 null, n = 0;
	sigset_t		 all;
	pid_t			 pp;

	/* Settings come as the channel's first frame (SETTINGS), not here. */
	argv[n++] = (char *)"mcp-hotd-worker";
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
	execve(settings.worker_path, argv, env);
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
	if ((pid = spawn_clone(!settings.no_namespaces &&
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
	int	pass[3] = { fds->chan, fds->err, fds->broker };

	if (sp.spawner == NULL || sp.spawner->closed ||
	    channel_send_fds(sp.spawner->ch, MSG_SPAWN, sp.next_id + 1, name,
	    strlen(name), pass, fds->broker == -1 ? 2 : 3) == -1)
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

/*
 * The spawner's own process; on success *chan is our end of its channel.
 * Its stderr is ours: what it says before it dies goes to our log as is.
 */
static int
spawn_process(const char *arg, pid_t *pid, int *chan, char *err,
    size_t errlen)
{
	struct spawn_fds	ours, theirs;
	uint64_t		id;

	if (spawn_channels(0, &ours, &theirs, err, errlen) == -1)
		return -1;
	close(ours.err);
	close(theirs.err);
	if ((theirs.err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0)) == -1 ||
	    spawn_launch(arg, &theirs, pid, &id, err, errlen) == -1) {
		if (theirs.err == -1)
			snprintf(err, errlen, "dup: %s", strerror(errno));
		spawn_close(&theirs);
		close(ours.chan);
		return -1;
	}
	*chan = ours.chan;
	return 0;
}

static void
spawn_job_close(struct spawn_job *j)
{
	spawn_close(&j->theirs);
	j->theirs = (struct spawn_fds){ -1, -1, -1 };
}

/* Start its process now: it loads from here on. */
static int
spawn_start(struct spawn_job *j, char *err, size_t errlen)
{
	uint64_t	id;
	pid_t		pid;

	worker_launched(j->w);
	if (spawn_launch(worker_name(j->w), &j->theirs, &pid, &id, err,
	    errlen) == -1)
		return -1;
	j->loading = SPAWN_LOADING;
	sp.loading++;
	if (pid == 0) {		/* the spawner names it */
		j->spawn_id = id;
		TAILQ_INSERT_TAIL(&sp.naming, j, namingq);
	} else
		worker_started(j->w, pid);
	return 0;
}

/* Workers waiting for a slot, started as slots free up. */
static void
spawn_admit(evutil_socket_t fd, short what, void *arg)
{
	struct spawn_job	*j;
	char			 err[256];

	(void)fd;
	(void)what;
	(void)arg;
	while (sp.loading < sp.loading_max &&
	    (j = TAILQ_FIRST(&sp.waiting)) != NULL) {
		TAILQ_REMOVE(&sp.waiting, j, loadq);
		j->loading = SPAWN_NONE;
		if (!worker_running(j->w)) {	/* let go while it waited */
			spawn_job_close(j);
			continue;
		}
		if (spawn_start(j, err, sizeof(err)) == -1)
			worker_unborn(j->w, err);
	}
}

/* Its broker channel sent what its own code never sends: it dies. */
static void
spawn_broker_violated(void *arg, const char *cause)
{
	struct worker	*w = arg;

	log_warnx("tool '%s': worker %d %s", worker_name(w),
	    (int)worker_pid(w), cause);
	worker_kill(w, cause);
}

/*
 * A worker for tool t, answering to ops, with a broker channel if t has
 * net grants: started now if fewer than loading_max are loading, else
 * once one is done. NULL and err if even its channels cannot be made.
 */
struct worker *
spawn_worker(struct tool *t, const struct worker_ops *ops, char *err,
    size_t errlen)
{
	const struct toolspec	*spec = tool_spec(t);
	struct spawn_fds	 ours;
	struct spawn_job	*j;
	struct json_object	*net;
	const char		*settings_text;
	size_t			 settings_len;
	int			 brokered;

	brokered = spec->allow != NULL && json_object_object_get_ex(
	    spec->allow, "net", &net) && json_object_array_length(net) > 0;
	j = xcalloc(1, sizeof(*j));
	if (spawn_channels(brokered, &ours, &j->theirs, err, errlen) == -1) {
		free(j);
		return NULL;
	}
	j->w = worker_new(spec, ours.chan, ours.err, ops, t, j);
	if (brokered)
		j->broker = broker_new(spec->name, spec->allow, ours.broker,
		    spawn_broker_violated, j->w);
	settings_text = spawn_settings(&settings_len);
	worker_load(j->w, settings_text, settings_len, spec->load);
	if (sp.loading < sp.loading_max && TAILQ_EMPTY(&sp.waiting)) {
		if (spawn_start(j, err, errlen) == -1) {
			worker_discard(j->w);	/* spawn_forget frees j */
			return NULL;
		}
		return j->w;
	}
	j->loading = SPAWN_WAITING;
	TAILQ_INSERT_TAIL(&sp.waiting, j, loadq);
	return j->w;
}

/* w loads no more (READY, failed, gone): its slot goes to the next. */
void
spawn_loaded(struct worker *w)
{
	struct spawn_job	*j = worker_job(w);
	struct timeval		 tv = { 0, 0 };

	switch (j->loading) {
	case SPAWN_NONE:
		return;
	case SPAWN_WAITING:
		TAILQ_REMOVE(&sp.waiting, j, loadq);
		spawn_job_close(j);
		break;
	case SPAWN_LOADING:
		sp.loading--;
		if (!TAILQ_EMPTY(&sp.waiting) && sp.admit != NULL)
			evtimer_add(sp.admit, &tv);
		break;
	}
	j->loading = SPAWN_NONE;
}

/* w is being freed: nothing of it stays here. */
void
spawn_forget(struct worker *w)
{
	struct spawn_job	*j = worker_job(w);

	spawn_loaded(w);
	if (j->spawn_id != 0)
		TAILQ_REMOVE(&sp.naming, j, namingq);
	spawn_job_close(j);
	broker_free(j->broker);
	free(j);
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

/* The worker a SPAWN of this id is for, off the naming list; or NULL. */
static struct worker *
spawn_named(uint64_t id)
{
	struct spawn_job	*j;

	TAILQ_FOREACH(j, &sp.naming, namingq)
		if (j->spawn_id == id)
			break;
	if (j == NULL)
		return NULL;
	TAILQ_REMOVE(&sp.naming, j, namingq);
	j->spawn_id = 0;
	return j->w;
}

/* SPAWNED: the answer to the SPAWN of the same id. */
static int
spawn_on_spawned(void *arg, const struct channel_msg *msg)
{
	struct json_object	*v;
	struct worker		*w;

	(void)arg;
	if ((w = spawn_named(msg->h->id)) == NULL)
		return -1;	/* no such request: the spawner is broken */
	if (!json_object_object_get_ex(msg->m, MSG_KEY(SPAWNED, pid), &v)) {
		spawn_fail(w, json_object_object_get_ex(msg->m,
		    MSG_KEY(SPAWNED, error), &v) ? json_object_get_string(v) :
		    "no pid");
		return 0;
	}
	sp.failures = 0;
	log_debug("tool '%s': worker %d forked by the spawner", worker_name(w),
	    json_object_get_int(v));
	worker_named(w, (pid_t)json_object_get_int(v));
	return 0;
}

/* Closed and reaped: it is gone, and says how. */
static void
spawn_spawner_check(struct spawner *s)
{
	char	how[256];

	if (!s->closed || !s->reaped)
		return;
	worker_describe_death(s->status, -1, how, sizeof(how));
	sp.spawner = NULL;
	free(s);
	spawn_spawner_gone(how);
}

static void
spawn_spawner_closed(void *arg)
{
	struct spawner	*s = arg;

	channel_free(s->ch);
	s->ch = NULL;
	s->closed = 1;
	spawn_spawner_check(s);
}

static void
spawn_spawner_fail(void *arg, const char *why)
{
	struct spawner	*s = arg;

	log_warnx("the spawner %s: it is killed", why);
	kill(s->pid, SIGKILL);
	spawn_spawner_closed(s);
}

static unsigned
spawn_spawner_state(void *arg)
{
	(void)arg;
	return 0;
}

static const struct channel_handler spawner_handlers[] = {
	{ MSG_SPAWNED, CHANNEL_ANY_STATE, spawn_on_spawned },
	{ 0, 0, NULL }
};

const struct channel_peer spawner_peer = {
	"spawner", MSG_CHAN_SPAWNER, spawner_handlers, spawn_spawner_state,
	spawn_spawner_fail, spawn_spawner_closed
};

static void
spawn_start_spawner(evutil_socket_t fd, short what, void *arg)
{
	const char	*settings_text;
	size_t		 settings_len;
	pid_t		 pid;
	int		 chan;
	char		 err[256];

	(void)fd;
	(void)what;
	(void)arg;
	if (spawn_process("--spawner", &pid, &chan, err, sizeof(err)) == -1) {
		log_warnx("cannot start the spawner: %s", err);
		return;
	}
	sp.spawner = xcalloc(1, sizeof(*sp.spawner));
	sp.spawner->pid = pid;
	sp.spawner->ch = channel_new(chan, CHANNEL_STREAM_FDS,
	    &spawner_peer, sp.spawner, 0);
	settings_text = spawn_settings(&settings_len);
	/* Into an empty socket it goes whole, or the spawner is of no use. */
	if (channel_send_fds(sp.spawner->ch, MSG_SETTINGS, 0, settings_text,
	    settings_len, NULL, 0) == -1) {
		spawn_spawner_fail(sp.spawner, "cannot take its SETTINGS");
		return;
	}
	log_debug("spawner %d started", (int)pid);
}

/*
 * SIGCHLD: the spawner, if it exited. 1 while it is starting workers:
 * their exit statuses wait for their names (no stray reaping then).
 */
int
spawn_reap(void)
{
	int	status;

	if (sp.spawner != NULL && !sp.spawner->reaped &&
	    waitpid(sp.spawner->pid, &status, WNOHANG) == sp.spawner->pid)
		(void)spawn_reaped_pid(sp.spawner->pid, status);
	return !TAILQ_EMPTY(&sp.naming);
}

/* A child reaped by pid: 1 if it was the spawner. */
int
spawn_reaped_pid(pid_t pid, int status)
{
	struct spawner	*s = sp.spawner;

	if (s == NULL || s->reaped || s->pid != pid)
		return 0;
	s->reaped = 1;
	s->status = status;
	spawn_spawner_check(s);
	return 1;
}

/*
 * The spawner died: what it was starting failed (their tools retry, by
 * fork + exec meanwhile); a new spawner comes after a growing pause.
 */
static void
spawn_spawner_gone(const char *how)
{
	struct spawn_job	*j;
	struct timeval		 tv;
	unsigned		 ms;

	while ((j = TAILQ_FIRST(&sp.naming)) != NULL)
		spawn_fail(spawn_named(j->spawn_id), "it died");
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

/* At exit: the spawner leaves on EOF, or is killed; either way reaped. */
static void
spawn_stop_spawner(void)
{
	struct spawner	*s = sp.spawner;
	struct timespec	 ts = { 0, 5 * 1000 * 1000 };
	int		 ms, status;

	if (s == NULL)
		return;
	channel_free(s->ch);
	s->ch = NULL;
	for (ms = 0; !s->reaped && ms < SPAWNER_EXIT_MS; ms += 5) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid)
			s->reaped = 1;
		else
			nanosleep(&ts, NULL);
	}
	if (!s->reaped && kill(s->pid, SIGKILL) == 0)
		(void)waitpid(s->pid, &status, 0);
	sp.spawner = NULL;
	free(s);
}

void
spawn_stop(void)
{
	spawn_stop_spawner();
	sp.enabled = 0;
	if (sp.admit != NULL)
		event_free(sp.admit);
	sp.admit = NULL;
	if (sp.retry != NULL)
		event_free(sp.retry);
	sp.retry = NULL;
}
