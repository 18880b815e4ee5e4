/* SPDX-License-Identifier: ISC */
/*
 * mcp-hotd: serve hot-updatable tools over MCP. The supervisor's top level:
 * options, signals, the event loop, and an orderly exit.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "jsonparse.h"
#include "access.h"
#include "mcp-hotd.h"
#include "metrics.h"
#include "notify.h"
#include "xmalloc.h"

#define EXIT_GRACE_MS		2000
#define LOOP_SPIN		64	/* non-blocking passes before sleeping */
#define SHUTDOWN_GRACE_MS	10000
#define SHUTDOWN_SETTLE_MS	100	/* the listeners closed, before stopping */
#define DEFAULT_SOCKET		"/run/mcp-hotd/mcp-hotd.sock"

struct supervisor sv;

/* Long options without a letter take codes past every char (getopt_long). */
enum {
	OPT_ACCESS_LOG = 256
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: mcp-hotd [-dtv] -c file [--stdio | -s socket] "
	    "[--http addr:port] [--no-spawner]\n"
	    "                [--containment full|reduced] [--no-namespaces] "
	    "[--no-landlock]\n"
	    "                [--landlock-abi-max n] "
	    "[--http-token-file file]\n"
	    "                [--http-origin origin] [--http-idle seconds]\n"
	    "                [--http-timeout seconds] [--http-max-sessions n]\n"
	    "                [--http-max-connections n] [--credentials dir]\n"
	    "                [--python-path dir] [--venv dir] "
	    "[--http-allow-host name]\n"
	    "                [--drain-delay seconds] [--http-stateless] "
	    "[--instance-id id]\n"
	    "                [--worker path] [--no-watch]\n"
	    "                [--max-reply bytes] [--max-request bytes] "
	    "[--max-unread bytes]\n"
	    "                [--page-size n] [--cache-ttl ms] "
	    "[--ask-timeout seconds]\n"
	    "                [--state-key-file file] [--access-log file|-]\n");
	exit(2);
}

static size_t
parse_size(const char *opt, const char *s, size_t min, size_t max)
{
	char			*end;
	unsigned long long	 n;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s == '-' || n < min || n > max)
		fatalx("%s: '%s' is not a number from %zu to %zu", opt, s, min,
		    max);
	return (size_t)n;
}

/* --instance-id: what session ids begin with, for balancers to route by. */
static void
instance_id_set(const char *id)
{
	size_t	n = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789_-");

	if (n == 0 || n > 32 || id[n] != '\0')
		fatalx("--instance-id: '%s' must be 1 to 32 letters, digits, "
		    "'_' or '-'", id);
	sv.instance_id = id;
}

/* A directory for the workers' sys.path (and its .pth files). */
static void
python_path_add(const char *opt, const char *dir)
{
	struct stat	st;
	char		*copy, real[PATH_MAX];

	if (dir[0] != '/')
		fatalx("%s %s: an absolute path is needed", opt, dir);
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		fatalx("%s %s: not a directory", opt, dir);
	/* A worker's /tmp is a tmpfs of its own: it would see nothing. */
	if (realpath(dir, real) != NULL && (strcmp(real, "/tmp") == 0 ||
	    strncmp(real, "/tmp/", 5) == 0))
		fatalx("%s %s: under /tmp, which each worker replaces with a "
		    "private one (put it elsewhere, such as under /var/tmp or "
		    "/opt)", opt, dir);
	if (sv.npython_paths == MAX_PYTHON_PATHS)
		fatalx("%s: at most %d directories", opt, MAX_PYTHON_PATHS);
	copy = xstrdup(dir);
	sv.python_paths[sv.npython_paths++] = copy;
}

/*
 * A virtualenv's site-packages, if it was made for the Python the workers
 * embed: its compiled modules would not load in another.
 */
static void
python_venv_add(const char *venv)
{
	char		 path[4096], other[64] = "";
	struct dirent	*de;
	DIR		*d;

	snprintf(path, sizeof(path), "%s/lib", venv);
	if ((d = opendir(path)) == NULL)
		fatalx("--venv %s: not a virtualenv (no lib directory)", venv);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "python3.", 8) == 0 &&
		    strcmp(de->d_name + 6, PYTHON_EMBED_VERSION) != 0)
			snprintf(other, sizeof(other), "%s", de->d_name + 6);
	closedir(d);
	snprintf(path, sizeof(path), "%s/lib/python%s/site-packages", venv,
	    PYTHON_EMBED_VERSION);
	if (access(path, F_OK) == -1) {
		if (other[0] != '\0')
			fatalx("--venv %s is for Python %s; the workers embed "
			    "Python %s", venv, other, PYTHON_EMBED_VERSION);
		fatalx("--venv %s: no lib/python%s/site-packages", venv,
		    PYTHON_EMBED_VERSION);
	}
	python_path_add("--venv", path);
}

static int
is_executable(const char *path)
{
	return access(path, X_OK) == 0;
}

/*
 * The worker program: next to us in a build tree (../workers/), else the
 * installed one in libexecdir. --worker overrides both.
 */
static const char *
find_worker(void)
{
	static char	path[PATH_MAX];
	char		exe[PATH_MAX - 32], *slash;
	ssize_t		n;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			snprintf(path, sizeof(path),
			    "%s/../workers/mcp-hotd-worker", exe);
			if (is_executable(path))
				return path;
		}
	}
	return WORKER_INSTALL_PATH;
}

/*
 * Keep the environment only in our heap and blank the original strings:
 * /proc/PID/environ shows those, and a tool's load phase could read it.
 */
static void
scrub_environ(void)
{
	extern char	**environ;
	/* Ours for good; held here too, as glibc's exit-time freeing (run
	 * under valgrind) clears environ, and unsetenv (NOTIFY_SOCKET,
	 * LISTEN_FDS) drops strings from it. */
	static char	**copy, **held;
	size_t		  n, i;

	for (n = 0; environ[n] != NULL; n++)
		;
	copy = xcalloc(n + 1, sizeof(*copy));
	held = xcalloc(n + 1, sizeof(*held));
	for (i = 0; i < n; i++) {
		held[i] = copy[i] = xstrdup(environ[i]);
		explicit_bzero(environ[i], strlen(environ[i]));
	}
	environ = copy;
}

/*
 * A file systemd's LoadCredential= passed us (a DynamicUser cannot read
 * the 0600 original), used where no option names one; NULL if absent.
 */
static const char *
credential(const char *name)
{
	static char	 paths[2][PATH_MAX];
	static int	 next;
	const char	*dir = getenv("CREDENTIALS_DIRECTORY");
	char		*p;
	int		 n;

	if (dir == NULL || *dir != '/')
		return NULL;
	p = paths[next++ % 2];
	n = snprintf(p, PATH_MAX, "%s/%s", dir, name);
	if (n < 0 || n >= PATH_MAX || access(p, R_OK) == -1)
		return NULL;
	log_info("%s: from $CREDENTIALS_DIRECTORY", name);
	return p;
}

/* libevent's own messages (e.g. epoll refusing a file) are ours to word. */
static void
on_libevent_log(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_ERR)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

/*
 * SIGCHLD: workers and the spawner, each by pid. With no worker waiting
 * for the spawner to name it, any other child is a stray (forked by a
 * spawner that died before naming it): reaped too.
 */
static void
on_sigchld(evutil_socket_t sig, short what, void *arg)
{
	pid_t	pid;
	int	status;

	(void)sig;
	(void)what;
	(void)arg;
	worker_reap();
	if (spawn_reap())
		return;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (!worker_reaped_pid(pid, status) &&
		    !spawn_reaped_pid(pid, status))
			log_debug("reaped process %d, no worker's", (int)pid);
}

static void
on_sighup(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	/* What an operator rotates: read again before the tools. */
	access_reopen();
	transport_http_reload_token();
	state_key_reload();
	reload_request("SIGHUP", NULL);
}

static void
shutdown_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	log_warnx("%u calls still in flight after %d ms: exiting anyway",
	    session_inflight_total(), SHUTDOWN_GRACE_MS);
	event_base_loopexit(sv.base, NULL);
}

/* Stop reading, answer what is in flight (SHUTDOWN_GRACE_MS at most). */
static void
supervisor_stop_serving(evutil_socket_t fd, short what, void *arg)
{
	struct timeval		 tv = { SHUTDOWN_GRACE_MS / 1000,
				    (SHUTDOWN_GRACE_MS % 1000) * 1000 };
	struct session		*s, *next;

	(void)fd;
	(void)what;
	log_info("%s: finishing %u calls in flight, then exiting",
	    (const char *)arg, session_inflight_total());
	sv.shutting_down = 1;
	transport_unix_accept(0);
	transport_http_accept(0);
	TAILQ_FOREACH_SAFE(s, &sv.sessions, entry, next)
		s->ops->stop(s);
	if ((sv.shutdown_deadline = evtimer_new(sv.base, shutdown_deadline,
	    NULL)) == NULL)
		fatal("%s", __func__);
	evtimer_add(sv.shutdown_deadline, &tv);
	supervisor_check_exit();
}

/*
 * SIGTERM: the listeners close at once; a client accepted just before
 * has SHUTDOWN_SETTLE_MS to send its request, which is answered as any
 * other (never "shutting down": under socket activation the next process
 * takes the clients the listener still holds). Then stop serving; main
 * stops the workers once the loop is left.
 */
static void
supervisor_shutdown(const char *why)
{
	struct timeval	tv = { 0, SHUTDOWN_SETTLE_MS * 1000 };

	if (sv.shutting_down || sv.settling)
		return;
	sv.settling = 1;
	notify_stopping();
	transport_unix_accept(0);
	transport_http_listen_off();
	if (event_base_once(sv.base, -1, EV_TIMEOUT, supervisor_stop_serving,
	    (void *)why, &tv) == -1)
		fatal("%s", __func__);
}

static void
drain_over(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	supervisor_shutdown("drain delay over");
}

/*
 * SIGTERM, SIGINT: with --drain-delay, first only /readyz turns 503 and
 * serving goes on that long, so balancers notice before the port closes;
 * a second signal does not wait.
 */
static void
on_sigterm(evutil_socket_t sig, short what, void *arg)
{
	struct timeval	tv = { sv.drain_delay, 0 };

	(void)what;
	(void)arg;
	if (sv.drain_delay == 0 || sv.draining) {
		supervisor_shutdown(strsignal(sig));
		return;
	}
	sv.draining = 1;
	notify_stopping();
	transport_http_drain();
	log_info("%s: draining: /readyz says 503, serving %lld s more",
	    strsignal(sig), (long long)sv.drain_delay);
	if ((sv.drain_timer = evtimer_new(sv.base, drain_over, NULL)) == NULL)
		fatal("%s", __func__);
	evtimer_add(sv.drain_timer, &tv);
}

/* -t: one line per tool, OK or why not; exit 1 if anything failed. */
static void
config_test_report(void)
{
	struct json_object	*r = reload_result(), *a, *e, *v;
	const struct toolspec	*spec;
	char			 grants[1024], unset[512];
	size_t			 i, n;
	int			 bad = 0;

	for (i = 0; i < sv.nroutes; i++) {
		spec = tool_spec(sv.routes[i]);
		grants_describe(spec->allow, grants, sizeof(grants));
		/* It loads, but its code will not find what it was granted. */
		if (grants_env_unset(spec->allow, unset, sizeof(unset)) > 0) {
			printf("%s: UNSET: granted env %s has no value (neither "
			    "a credential nor in the environment)\n",
			    spec->name, unset);
			bad++;
			continue;
		}
		printf("%s: OK%s%s%s\n", spec->name,
		    grants[0] ? " (allow " : "", grants, grants[0] ? ")" : "");
	}
	json_object_object_get_ex(r, "failed", &a);
	n = json_object_array_length(a);
	for (i = 0; i < n; i++, bad++) {
		e = json_object_array_get_idx(a, i);
		json_object_object_get_ex(e, "name", &v);
		printf("%s: FAILED: ", json_object_get_string(v));
		json_object_object_get_ex(e, "error", &v);
		printf("%s\n", json_object_get_string(v));
	}
	json_object_object_get_ex(r, "skipped", &a);
	n = json_object_array_length(a);
	for (i = 0; i < n; i++, bad++) {
		e = json_object_array_get_idx(a, i);
		printf("entry %d", json_object_get_int(
		    json_object_object_get(e, "entry")));
		if (json_object_object_get_ex(e, "name", &v))
			printf(" (%s)", json_object_get_string(v));
		printf(": SKIPPED: %s\n", json_object_get_string(
		    json_object_object_get(e, "error")));
	}
	printf("%s: %zu tools OK, %d problems\n", sv.config_path, sv.nroutes,
	    bad);
	fflush(stdout);
	sv.exit_status = bad ? 1 : 0;
	event_base_loopexit(sv.base, NULL);
}

/*
 * The event loop. Before sleeping in epoll, a few non-blocking passes: the
 * next request or result usually comes within microseconds under load, and
 * catching it saves a cross-core wakeup (tens of microseconds on a VM).
 */
static void
supervisor_loop(void)
{
	int	i;

	while (!event_base_got_exit(sv.base) && !event_base_got_break(sv.base)) {
		for (i = 0; i < LOOP_SPIN; i++) {
			if (event_base_loop(sv.base, EVLOOP_NONBLOCK) == 1 ||
			    event_base_got_exit(sv.base))
				break;
			sched_yield();	/* never starve a worker of our core */
		}
		if (event_base_got_exit(sv.base) ||
		    event_base_loop(sv.base, EVLOOP_ONCE) == 1)
			break;
	}
}

static void
daemon_ready(void)
{
	transport_unix_accept(1);
	transport_http_accept(1);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "stdio", no_argument, NULL, 'S' },
		{ "socket", required_argument, NULL, 's' },
		{ "test", no_argument, NULL, 't' },
		{ "http", required_argument, NULL, 'H' },
		{ "http-token-file", required_argument, NULL, 'T' },
		{ "http-origin", required_argument, NULL, 'O' },
		{ "http-idle", required_argument, NULL, 'I' },
		{ "http-timeout", required_argument, NULL, 'J' },
		{ "http-max-sessions", required_argument, NULL, 'M' },
		{ "http-max-connections", required_argument, NULL, 'K' },
		{ "credentials", required_argument, NULL, 'C' },
		{ "python-path", required_argument, NULL, 'Y' },
		{ "venv", required_argument, NULL, 'V' },
		{ "http-allow-host", required_argument, NULL, 'A' },
		{ "drain-delay", required_argument, NULL, 'D' },
		{ "containment", required_argument, NULL, 'E' },
		{ "worker", required_argument, NULL, 'W' },
		{ "max-reply", required_argument, NULL, 'R' },
		{ "max-request", required_argument, NULL, 'Q' },
		{ "max-unread", required_argument, NULL, 'U' },
		{ "page-size", required_argument, NULL, 'P' },
		{ "cache-ttl", required_argument, NULL, 'B' },
		{ "ask-timeout", required_argument, NULL, 'a' },
		{ "state-key-file", required_argument, NULL, 'k' },
		{ "http-stateless", no_argument, NULL, 'G' },
		{ "instance-id", required_argument, NULL, 'i' },
		{ "no-spawner", no_argument, NULL, 'Z' },
		{ "no-watch", no_argument, NULL, 'N' },
		{ "no-namespaces", no_argument, NULL, 'X' },
		{ "no-landlock", no_argument, NULL, 'L' },
		{ "landlock-abi-max", required_argument, NULL, 'l' },
		{ "access-log", required_argument, NULL, OPT_ACCESS_LOG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct event	*sigs[5];
	const char	*socket_path = NULL, *http = NULL, *token_file = NULL;
	const char	*origin = NULL, *state_key_file = NULL;
	const char	*access_log = NULL;
	int		 ch, stdio = 0, test = 0, verbose = 0, spawner = 1;
	int		 watch = 1;
	size_t		 i;

	sv.max_reply = DEFAULT_MAX_REPLY;
	sv.max_request = DEFAULT_MAX_REQUEST;
	sv.max_unread = DEFAULT_MAX_UNREAD;
	sv.page_size = DEFAULT_PAGE_SIZE;
	sv.cache_ttl_ms = DEFAULT_CACHE_TTL_MS;
	sv.ask_timeout = DEFAULT_ASK_TIMEOUT;
	sv.http_idle = DEFAULT_HTTP_IDLE;
	sv.http_timeout = DEFAULT_HTTP_TIMEOUT;
	sv.http_max_sessions = DEFAULT_HTTP_SESSIONS;
	/* systemd's LoadCredential= puts them here. */
	sv.credentials_dir = getenv("CREDENTIALS_DIRECTORY");
	while ((ch = getopt_long(argc, argv, "c:dvs:t", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			sv.config_path = optarg;
			break;
		case 'd':
		case 'v':
			verbose = 1;
			break;
		case 'S':
			stdio = 1;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'H':
			http = optarg;
			break;
		case 'T':
			token_file = optarg;
			break;
		case 'O':
			origin = optarg;
			break;
		case 'M':
			sv.http_max_sessions = parse_size("--http-max-sessions",
			    optarg, 1, 100000);
			break;
		case 'C':
			sv.credentials_dir = optarg;
			break;
		case 'Y':
			python_path_add("--python-path", optarg);
			break;
		case 'V':
			python_venv_add(optarg);
			break;
		case 'A':
			sv.http_allow_host = optarg;
			break;
		case 'E':
			if (strcmp(optarg, "full") == 0)
				sv.containment_full = 1;
			else if (strcmp(optarg, "reduced") == 0)
				sv.containment_full = 0;
			else
				fatalx("--containment: full or reduced, not "
				    "'%s'", optarg);
			break;
		case 'D':
			sv.drain_delay = (time_t)parse_size("--drain-delay",
			    optarg, 0, 3600);
			break;
		case 'K':
			sv.http_max_connections = parse_size(
			    "--http-max-connections", optarg, 1, 1000000);
			break;
		case 'J':
			sv.http_timeout = (time_t)parse_size("--http-timeout",
			    optarg, 1, 3600);
			break;
		case 'I':
			sv.http_idle = (time_t)parse_size("--http-idle", optarg,
			    1, 7 * 24 * 3600);
			break;
		case 'W':
			sv.worker_path = optarg;
			break;
		case 'R':
			sv.max_reply = parse_size("--max-reply", optarg, 1024,
			    1024UL * 1024 * 1024);
			break;
		case 'U':
			sv.max_unread = parse_size("--max-unread", optarg,
			    1024 * 1024, (size_t)1 << 40);
			break;
		case 'Q':
			sv.max_request = parse_size("--max-request", optarg,
			    1024, 1024UL * 1024 * 1024);
			break;
		case 'G':
			sv.http_stateless = 1;
			break;
		case 'i':
			instance_id_set(optarg);
			break;
		case 'B':
			sv.cache_ttl_ms = (int)parse_size("--cache-ttl", optarg,
			    0, 24 * 3600 * 1000);
			break;
		case 'a':
			sv.ask_timeout = (int)parse_size("--ask-timeout", optarg,
			    1, 24 * 3600);
			break;
		case 'k':
			state_key_file = optarg;
			break;
		case 'Z':
			spawner = 0;
			break;
		case 'N':
			watch = 0;
			break;
		case 'X':
			sv.no_namespaces = 1;
			break;
		case 'L':
			sv.no_landlock = 1;
			break;
		case 'l':
			sv.landlock_abi_max = (int)parse_size("--landlock-abi-max",
			    optarg, 1, 64);
			break;
		case OPT_ACCESS_LOG:
			access_log = optarg;
			break;
		case 'P':
			sv.page_size = parse_size("--page-size", optarg, 1,
			    100000);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || sv.config_path == NULL ||
	    (stdio && (socket_path || http)) || (test && (stdio || socket_path ||
	    http)))
		usage();
	/*
	 * Nothing of our uid reads or writes our memory through /proc (the
	 * token, clients' data), before anything worth reading is in it.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_DUMPABLE)");
	scrub_environ();
	log_init(MCP_HOTD_NAME, verbose);
	notify_init();
	activation_init();
	if (state_key_file == NULL)
		state_key_file = credential("mcp-hotd.state-key");
	if (token_file == NULL && (http != NULL || activation_http() != -1))
		token_file = credential("mcp-hotd.http-token");
	state_key_load(state_key_file);
	if (access_log != NULL && access_open(access_log) == -1)
		fatal("--access-log %s", access_log);
	if (sv.worker_path == NULL)
		sv.worker_path = find_worker();
	if (!is_executable(sv.worker_path))
		fatalx("worker program %s: %s", sv.worker_path,
		    strerror(errno));

	signal(SIGPIPE, SIG_IGN);
	event_set_log_callback(on_libevent_log);
	TAILQ_INIT(&sv.tools);
	TAILQ_INIT(&sv.sessions);
	if ((sv.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	sigs[0] = evsignal_new(sv.base, SIGCHLD, on_sigchld, NULL);
	sigs[1] = evsignal_new(sv.base, SIGHUP, on_sighup, NULL);
	sigs[2] = evsignal_new(sv.base, SIGTERM, on_sigterm, NULL);
	sigs[3] = evsignal_new(sv.base, SIGINT, on_sigterm, NULL);
	sigs[4] = NULL;
	for (i = 0; sigs[i] != NULL; i++)
		evsignal_add(sigs[i], NULL);

	sv.started = time(NULL);
	containment_check();
	spawn_init(spawner);
	metrics_set_gauges(tool_metrics_gauges);

	/* Serve only once the first load settled: tools/list is complete. */
	if (test)
		sv.ready_cb = config_test_report;
	else if (stdio)
		sv.ready_cb = transport_stdio_start;
	else {
		transport_unix_listen(socket_path ? socket_path :
		    DEFAULT_SOCKET);
		if (http != NULL || activation_http() != -1)
			transport_http_listen(http, token_file, origin);
		sv.ready_cb = daemon_ready;
	}
	if (!test && watch)
		watch_start(sv.config_path);
	reload_request("startup", NULL);
	supervisor_loop();

	watch_stop();
	reload_shutdown();
	transport_stdio_stop();
	notify_close();
	transport_unix_close();
	transport_http_close();
	spawn_stop();
	tool_kill_all();
	worker_wait_all(EXIT_GRACE_MS);
	broker_shutdown();
	for (i = 0; sigs[i] != NULL; i++)
		event_free(sigs[i]);
	if (sv.shutdown_deadline != NULL)
		event_free(sv.shutdown_deadline);
	if (sv.drain_timer != NULL)
		event_free(sv.drain_timer);
	event_base_free(sv.base);
	json_parse_free();
	metrics_free();
	access_close();
	mcp_free();
	return sv.exit_status;
}
