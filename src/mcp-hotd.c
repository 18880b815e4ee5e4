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
#include "task.h"
#include "options.h"
#include "clients.h"
#include "metrics.h"
#include "notify.h"
#include "oauth.h"
#include "review.h"
#include "signature.h"
#include "xmalloc.h"

#define EXIT_GRACE_MS		2000
#define LOOP_SPIN		64	/* non-blocking passes before sleeping */
#define SHUTDOWN_GRACE_MS	10000
#define SHUTDOWN_SETTLE_MS	100	/* the listeners closed, before stopping */
#define DEFAULT_SOCKET		"/run/mcp-hotd/mcp-hotd.sock"

struct supervisor sv;

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
 * --trusted-signers, made absolute (ssh-keygen reads it at each reload),
 * and what signing does not cover checked as sshd's StrictModes would.
 */
static void
trust_init(void)
{
	static char	signers[PATH_MAX];

	if (settings.trusted_signers != NULL) {
		if (realpath(settings.trusted_signers, signers) == NULL)
			fatal("--trusted-signers %s", settings.trusted_signers);
		settings.trusted_signers = signers;
	}
	signature_check_paths(settings.trusted_signers, settings.python_paths,
	    settings.npython_paths);
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
	clients_reload();
	oauth_reload();
	session_list_changed(1);		/* a client's list may differ now */
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
	struct timeval	tv = { settings.drain_delay, 0 };

	(void)what;
	(void)arg;
	if (settings.drain_delay == 0 || sv.draining) {
		supervisor_shutdown(strsignal(sig));
		return;
	}
	sv.draining = 1;
	notify_stopping();
	transport_http_drain();
	log_info("%s: draining: /readyz says 503, serving %lld s more",
	    strsignal(sig), (long long)settings.drain_delay);
	if ((sv.drain_timer = evtimer_new(sv.base, drain_over, NULL)) == NULL)
		fatal("%s", __func__);
	evtimer_add(sv.drain_timer, &tv);
}

/*
 * -t, first: the reviewer's view of the file (what mcp-hotctl diff shows
 * against what serves, here against nothing), signature included.
 */
static void
config_test_review(void)
{
	char	*text, *review, err[1024];
	size_t	 len;
	int	 widened, servable;

	if ((text = config_read_file(settings.config_path, &len, err,
	    sizeof(err))) == NULL)
		return;		/* the load says why */
	review = review_file(settings.config_path, text, len, NULL, NULL, 0,
	    &widened, &servable);
	fputs(review, stdout);
	fflush(stdout);
	free(review);
	free(text);
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
	printf("%s: %zu tools OK, %d problems\n", settings.config_path, sv.nroutes,
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

/* The gauges /metrics reads when asked: the tools', the tasks'. */
static void
supervisor_gauges(struct evbuffer *b)
{
	tool_metrics_gauges(b);
	task_metrics(b);
}

int
main(int argc, char *argv[])
{
	struct event	*sigs[5];
	struct cli	 cli;
	size_t		 i;

	options_parse(argc, argv, &cli);
	if (cli.dump)
		options_dump(&cli);
	/*
	 * Nothing of our uid reads or writes our memory through /proc (the
	 * token, clients' data), before anything worth reading is in it.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_DUMPABLE)");
	scrub_environ();
	log_init(MCP_HOTD_NAME, cli.verbose);
	notify_init();
	activation_init();
	if (cli.state_key_file == NULL)
		cli.state_key_file = credential("mcp-hotd.state-key");
	if (cli.token_file == NULL && (cli.http != NULL ||
	    activation_http() != -1))
		cli.token_file = credential("mcp-hotd.http-token");
	state_key_load(cli.state_key_file);
	if (cli.access_log != NULL && access_open(cli.access_log) == -1)
		fatal("--access-log %s", cli.access_log);
	if (settings.worker_path == NULL)
		settings.worker_path = find_worker();
	if (!is_executable(settings.worker_path))
		fatalx("worker program %s: %s", settings.worker_path,
		    strerror(errno));
	trust_init();
	clients_init(settings.clients_path);
	oauth_init(settings.oauth_issuer, settings.oauth_jwks, settings.resource,
	    settings.oauth_allow_no_typ);
	if (oauth_on() && !clients_on())
		fatalx("OAuth needs --clients: a token's scopes name the "
		    "clients it is (oauth_scope)");

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
	spawn_init(cli.spawner);
	metrics_set_gauges(supervisor_gauges);

	/* Serve only once the first load settled: tools/list is complete. */
	if (cli.test) {
		config_test_review();
		sv.ready_cb = config_test_report;
	}
	else if (cli.stdio)
		sv.ready_cb = transport_stdio_start;
	else {
		transport_unix_listen(cli.socket_path ? cli.socket_path :
		    DEFAULT_SOCKET);
		if (cli.http != NULL || activation_http() != -1)
			transport_http_listen(cli.http, cli.token_file,
			    cli.origin);
		sv.ready_cb = daemon_ready;
	}
	if (!cli.test && cli.metrics_listen != NULL)
		http_metrics_listen(cli.metrics_listen);
	if (!cli.test && cli.watch)
		watch_start(settings.config_path);
	reload_request("startup", NULL);
	supervisor_loop();

	watch_stop();
	reload_shutdown();
	task_shutdown();	/* before the calls they run are failed */
	transport_stdio_stop();
	notify_close();
	transport_unix_close();
	transport_http_close();
	http_metrics_close();
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
	call_blocks_free();
	clients_free();
	oauth_free();
	metrics_free();
	access_close();
	mcp_free();
	return sv.exit_status;
}
