/*
 * mcp-hotd: serve hot-updatable tools over MCP. The supervisor's top level:
 * options, signals, the event loop, and an orderly exit.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "mcp-hotd.h"

#define EXIT_GRACE_MS	2000

struct supervisor sv;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: mcp-hotd [-dv] --stdio -c file [--worker path] "
	    "[--max-reply bytes] [--max-request bytes] [--page-size n]\n");
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
	char		**copy;
	size_t		  n, i;

	for (n = 0; environ[n] != NULL; n++)
		;
	if ((copy = calloc(n + 1, sizeof(*copy))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < n; i++) {
		if ((copy[i] = strdup(environ[i])) == NULL)
			fatal("%s", __func__);
		explicit_bzero(environ[i], strlen(environ[i]));
	}
	environ = copy;
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

static void
on_sigchld(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	worker_reap();
}

static void
on_sighup(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	reload_request("SIGHUP");
}

static void
on_sigterm(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	(void)arg;
	log_info("%s: exiting", strsignal(sig));
	sv.shutting_down = 1;
	event_base_loopexit(sv.base, NULL);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "stdio", no_argument, NULL, 'S' },
		{ "worker", required_argument, NULL, 'W' },
		{ "max-reply", required_argument, NULL, 'R' },
		{ "max-request", required_argument, NULL, 'Q' },
		{ "page-size", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct event	*sigs[5];
	int		 ch, stdio = 0, verbose = 0;
	size_t		 i;

	sv.max_reply = DEFAULT_MAX_REPLY;
	sv.max_request = DEFAULT_MAX_REQUEST;
	sv.page_size = DEFAULT_PAGE_SIZE;
	while ((ch = getopt_long(argc, argv, "c:dv", longopts, NULL)) != -1) {
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
		case 'W':
			sv.worker_path = optarg;
			break;
		case 'R':
			sv.max_reply = parse_size("--max-reply", optarg, 1024,
			    1024UL * 1024 * 1024);
			break;
		case 'Q':
			sv.max_request = parse_size("--max-request", optarg,
			    1024, 1024UL * 1024 * 1024);
			break;
		case 'P':
			sv.page_size = parse_size("--page-size", optarg, 1,
			    100000);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || sv.config_path == NULL || !stdio)
		usage();
	scrub_environ();
	log_init(MCP_HOTD_NAME, verbose);
	if (sv.worker_path == NULL)
		sv.worker_path = find_worker();
	if (!is_executable(sv.worker_path))
		fatalx("worker program %s: %s", sv.worker_path,
		    strerror(errno));

	signal(SIGPIPE, SIG_IGN);
	event_set_log_callback(on_libevent_log);
	TAILQ_INIT(&sv.tools);
	TAILQ_INIT(&sv.workers);
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

	/* Serve only once the first load settled: tools/list is complete. */
	sv.ready_cb = transport_stdio_start;
	watch_start(sv.config_path);
	reload_request("startup");
	event_base_dispatch(sv.base);

	watch_stop();
	transport_stdio_stop();
	tool_kill_all();
	worker_wait_all(EXIT_GRACE_MS);
	for (i = 0; sigs[i] != NULL; i++)
		event_free(sigs[i]);
	event_base_free(sv.base);
	return 0;
}
