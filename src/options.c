/* SPDX-License-Identifier: ISC */
/*
 * The command line, from one table (after tmux's options-table.c): each
 * option's name, argument, where it goes, its bounds and its help. From
 * it: getopt_long's table (long-only options get codes past every char,
 * no spare letters), --help (every option, exit 0), --dump-config (every
 * effective setting, one a line, like sshd -T) and, through --help,
 * tests/options.py's check that the man page names each one and no other.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mcp-hotd.h"
#include "options.h"
#include "xmalloc.h"

enum opt_kind {
	O_STR,		/* const char * */
	O_SET,		/* int, set to 1 */
	O_CLEAR,	/* int, set to 0 */
	O_SIZE,		/* size_t, lo..hi */
	O_INT,		/* int, lo..hi */
	O_TIME,		/* time_t, lo..hi (seconds) */
	O_FUNC		/* fn(optarg) */
};

struct opt {
	const char	*name;		/* its long name */
	char		 letter;	/* its short one, or 0 */
	const char	*arg;		/* its argument's name, or NULL */
	enum opt_kind	 kind;
	void		*field;
	unsigned long long lo, hi;
	void		(*fn)(const char *);
	const char	*help;
};

static size_t
parse_size(const char *opt, const char *s, unsigned long long min,
    unsigned long long max)
{
	char			*end;
	unsigned long long	 n;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s == '-' || n < min || n > max)
		fatalx("--%s: '%s' is not a number from %llu to %llu", opt, s,
		    min, max);
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
	settings.instance_id = id;
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
	if (settings.npython_paths == MAX_PYTHON_PATHS)
		fatalx("%s: at most %d directories", opt, MAX_PYTHON_PATHS);
	copy = xstrdup(dir);
	settings.python_paths[settings.npython_paths++] = copy;
}

static void
python_path_opt(const char *dir)
{
	python_path_add("--python-path", dir);
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

static void
containment_set(const char *how)
{
	if (strcmp(how, "full") == 0)
		settings.containment_full = 1;
	else if (strcmp(how, "reduced") == 0)
		settings.containment_full = 0;
	else
		fatalx("--containment: full or reduced, not '%s'", how);
}

static void	options_help(void) __attribute__((noreturn));
static void	options_version(void) __attribute__((noreturn));

static void
help_opt(const char *arg)
{
	(void)arg;
	options_help();
}

static void
version_opt(const char *arg)
{
	(void)arg;
	options_version();
}

struct settings		 settings;
static struct cli	 the_cli = { .spawner = 1, .watch = 1 };

#define F(x)	((void *)&(x))

static const struct opt opts[] = {
	{ "config", 'c', "file", O_STR, F(settings.config_path), 0, 0, NULL,
	    "the tools file (tools.json); required" },
	{ "stdio", 0, NULL, O_SET, F(the_cli.stdio), 0, 0, NULL,
	    "serve one client on standard input and output" },
	{ "socket", 's', "path", O_STR, F(the_cli.socket_path), 0, 0, NULL,
	    "serve clients (and mcp-hotctl) on this unix socket" },
	{ "http", 0, "addr:port", O_STR, F(the_cli.http), 0, 0, NULL,
	    "serve Streamable HTTP (and the legacy SSE transport)" },
	{ "test", 't', NULL, O_SET, F(the_cli.test), 0, 0, NULL,
	    "load the tools, say which load, exit (1 if one does not)" },
	{ "debug", 'd', NULL, O_SET, F(the_cli.verbose), 0, 0, NULL,
	    "log debug messages too (also -v)" },
	{ "http-token-file", 0, "file", O_STR, F(the_cli.token_file), 0, 0,
	    NULL, "bearer token HTTP clients must send (reread on SIGHUP)" },
	{ "http-origin", 0, "origin", O_STR, F(the_cli.origin), 0, 0, NULL,
	    "an Origin allowed besides loopback ones" },
	{ "http-allow-host", 0, "name", O_STR, F(settings.http_allow_host), 0, 0,
	    NULL, "a Host name answered besides loopback ones" },
	{ "http-idle", 0, "seconds", O_TIME, F(settings.http_idle), 1,
	    7 * 24 * 3600, NULL, "an idle HTTP session expires after" },
	{ "http-timeout", 0, "seconds", O_TIME, F(settings.http_timeout), 1, 3600,
	    NULL, "an HTTP connection may send nothing for" },
	{ "http-max-sessions", 0, "n", O_SIZE, F(settings.http_max_sessions), 1,
	    100000, NULL, "HTTP sessions at once" },
	{ "http-max-connections", 0, "n", O_SIZE,
	    F(settings.http_max_connections), 1, 1000000, NULL,
	    "HTTP connections at once (default: from the descriptor limit)" },
	{ "http-stateless", 0, NULL, O_SET, F(settings.http_stateless), 0, 0, NULL,
	    "2025 POSTs without sessions too (behind a plain balancer)" },
	{ "instance-id", 0, "id", O_FUNC, F(settings.instance_id), 0, 0,
	    instance_id_set, "session ids begin with it and a dot" },
	{ "drain-delay", 0, "seconds", O_TIME, F(settings.drain_delay), 0, 3600,
	    NULL, "after SIGTERM, keep serving while balancers notice" },
	{ "credentials", 0, "dir", O_STR, F(settings.credentials_dir), 0, 0, NULL,
	    "env grants' values, a file each ($CREDENTIALS_DIRECTORY)" },
	{ "oauth-issuer", 0, "url", O_STR, F(settings.oauth_issuer), 0, 0, NULL,
	    "take OAuth access tokens (JWT) this authorization server issued" },
	{ "oauth-jwks", 0, "file", O_STR, F(settings.oauth_jwks), 0, 0, NULL,
	    "... signed by a key of this JWKS (re-read on SIGHUP)" },
	{ "resource", 0, "url", O_STR, F(settings.resource), 0, 0, NULL,
	    "... for this resource (the /mcp URL clients use)" },
	{ "oauth-allow-no-typ", 0, NULL, O_SET, F(settings.oauth_allow_no_typ),
	    0, 0, NULL, "take access tokens without typ at+jwt" },
	{ "clients", 0, "file", O_STR, F(settings.clients_path), 0, 0, NULL,
	    "who may call what: named clients, their tools (re-read on "
	    "SIGHUP)" },
	{ "trusted-signers", 0, "file", O_STR, F(settings.trusted_signers), 0, 0,
	    NULL, "serve a tools file only signed by one of these "
	    "(allowed_signers)" },
	{ "python-path", 0, "dir", O_FUNC, NULL, 0, 0, python_path_opt,
	    "a directory on the workers' sys.path (repeatable)" },
	{ "venv", 0, "dir", O_FUNC, NULL, 0, 0, python_venv_add,
	    "a virtualenv's site-packages on the workers' sys.path" },
	{ "containment", 0, "full|reduced", O_FUNC, F(settings.containment_full), 0,
	    0, containment_set, "full: refuse to start without every layer" },
	{ "no-namespaces", 0, NULL, O_SET, F(settings.no_namespaces), 0, 0, NULL,
	    "workers without namespaces (tests)" },
	{ "no-landlock", 0, NULL, O_SET, F(settings.no_landlock), 0, 0, NULL,
	    "workers without Landlock (tests)" },
	{ "landlock-abi-max", 0, "n", O_INT, F(settings.landlock_abi_max), 1, 64,
	    NULL, "use no Landlock ABI above n (tests)" },
	{ "worker", 0, "path", O_STR, F(settings.worker_path), 0, 0, NULL,
	    "the worker program" },
	{ "no-spawner", 0, NULL, O_CLEAR, F(the_cli.spawner), 0, 0, NULL,
	    "start workers by fork and exec, without the spawner" },
	{ "no-watch", 0, NULL, O_CLEAR, F(the_cli.watch), 0, 0, NULL,
	    "do not reload when the tools file changes" },
	{ "max-reply", 0, "bytes", O_SIZE, F(settings.max_reply), 1024,
	    1024ULL * 1024 * 1024, NULL, "a tool's result at most" },
	{ "max-request", 0, "bytes", O_SIZE, F(settings.max_request), 1024,
	    1024ULL * 1024 * 1024, NULL, "a request at most" },
	{ "max-unread", 0, "bytes", O_SIZE, F(settings.max_unread), 1024 * 1024,
	    1ULL << 40, NULL, "answers all clients may leave unread" },
	{ "page-size", 0, "n", O_SIZE, F(settings.page_size), 1, 100000, NULL,
	    "tools per tools/list page" },
	{ "cache-ttl", 0, "ms", O_INT, F(settings.cache_ttl_ms), 0,
	    24 * 3600 * 1000, NULL, "2026 lists' ttlMs" },
	{ "ask-timeout", 0, "seconds", O_INT, F(settings.ask_timeout), 1, 24 * 3600,
	    NULL, "a client may take to answer a tool's ask" },
	{ "state-key-file", 0, "file", O_STR, F(the_cli.state_key_file), 0, 0,
	    NULL, "the key signing 2026 requestState (a fleet shares it)" },
	{ "access-log", 0, "file|-", O_STR, F(the_cli.access_log), 0, 0, NULL,
	    "one line per request (- : standard error)" },
	{ "metrics-listen", 0, "addr:port", O_STR, F(the_cli.metrics_listen),
	    0, 0, NULL, "serve /metrics alone there (no token: keep it private)" },
	{ "dump-config", 0, NULL, O_SET, F(the_cli.dump), 0, 0, NULL,
	    "print every effective setting and exit" },
	{ "version", 0, NULL, O_FUNC, NULL, 0, 0, version_opt,
	    "print the version and exit" },
	{ "help", 'h', NULL, O_FUNC, NULL, 0, 0, help_opt,
	    "print this and exit" },
};
#define NOPTS	(sizeof(opts) / sizeof(*opts))

static void
options_version(void)
{
	printf("mcp-hotd %s\n", PACKAGE_VERSION);
	exit(0);
}

static void
options_help(void)
{
	char	left[64];
	size_t	i;

	printf("usage: mcp-hotd -c file [--stdio | -s path] [--http addr:port] "
	    "[option ...]\n\n");
	for (i = 0; i < NOPTS; i++) {
		snprintf(left, sizeof(left), "%s%c%s--%s%s%s",
		    opts[i].letter ? "-" : "", opts[i].letter ? opts[i].letter :
		    ' ', opts[i].letter ? ", " : "  ", opts[i].name,
		    opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
		printf("  %-34s %s\n", opts[i].letter ? left : left + 1,
		    opts[i].help);
	}
	printf("\nSee mcp-hotd(8).\n");
	exit(0);
}

static void __attribute__((noreturn))
options_usage(void)
{
	fprintf(stderr, "usage: mcp-hotd -c file [--stdio | -s path] "
	    "[--http addr:port] [option ...]\n"
	    "       mcp-hotd --help | --version\n");
	exit(2);
}

static void
options_set(const struct opt *o, const char *arg)
{
	switch (o->kind) {
	case O_STR:
		*(const char **)o->field = arg;
		break;
	case O_SET:
		*(int *)o->field = 1;
		break;
	case O_CLEAR:
		*(int *)o->field = 0;
		break;
	case O_SIZE:
		*(size_t *)o->field = parse_size(o->name, arg, o->lo, o->hi);
		break;
	case O_INT:
		*(int *)o->field = (int)parse_size(o->name, arg, o->lo, o->hi);
		break;
	case O_TIME:
		*(time_t *)o->field = (time_t)parse_size(o->name, arg, o->lo,
		    o->hi);
		break;
	case O_FUNC:
		o->fn(arg);
		break;
	}
}

/* Defaults first, then the command line; *cli is what main acts on. */
void
options_parse(int argc, char *argv[], struct cli *cli)
{
	struct option	 longopts[NOPTS + 1];
	char		 shortopts[2 * NOPTS + 2];
	size_t		 i, n = 0;
	int		 ch;

	settings.max_reply = DEFAULT_MAX_REPLY;
	settings.max_request = DEFAULT_MAX_REQUEST;
	settings.max_unread = DEFAULT_MAX_UNREAD;
	settings.page_size = DEFAULT_PAGE_SIZE;
	settings.cache_ttl_ms = DEFAULT_CACHE_TTL_MS;
	settings.ask_timeout = DEFAULT_ASK_TIMEOUT;
	settings.http_idle = DEFAULT_HTTP_IDLE;
	settings.http_timeout = DEFAULT_HTTP_TIMEOUT;
	settings.http_max_sessions = DEFAULT_HTTP_SESSIONS;
	/* systemd's LoadCredential= puts them here. */
	settings.credentials_dir = getenv("CREDENTIALS_DIRECTORY");
	for (i = 0; i < NOPTS; i++) {
		longopts[i] = (struct option){ opts[i].name, opts[i].arg ?
		    required_argument : no_argument, NULL, 256 + (int)i };
		if (opts[i].letter) {
			shortopts[n++] = opts[i].letter;
			if (opts[i].arg)
				shortopts[n++] = ':';
		}
	}
	longopts[NOPTS] = (struct option){ NULL, 0, NULL, 0 };
	shortopts[n++] = 'v';		/* -v, as -d */
	shortopts[n] = '\0';
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) !=
	    -1) {
		if (ch == 'v')
			ch = 'd';
		for (i = 0; i < NOPTS; i++)
			if (ch == 256 + (int)i || (opts[i].letter &&
			    ch == opts[i].letter))
				break;
		if (i == NOPTS)
			options_usage();
		options_set(&opts[i], optarg);
	}
	*cli = the_cli;
	if (optind != argc || (settings.config_path == NULL && !cli->dump) ||
	    (cli->stdio && (cli->socket_path || cli->http)) ||
	    (cli->test && (cli->stdio || cli->socket_path || cli->http)))
		options_usage();
}

/* --dump-config: every setting an option has, as now in effect. */
void
options_dump(const struct cli *cli)
{
	const struct opt	*o;
	const char		*s;
	size_t			 i;

	(void)cli;
	for (i = 0; i < NOPTS; i++) {
		o = &opts[i];
		if ((o->field == NULL && o->kind == O_FUNC &&
		    strcmp(o->name, "python-path") != 0) ||
		    o->field == &the_cli.dump)
			continue;	/* --help, --version, --venv, itself */
		printf("%s ", o->name);
		switch (o->kind) {
		case O_STR:
			s = *(const char **)o->field;
			printf("%s\n", s ? s : "-");
			break;
		case O_SET:
			printf("%s\n", *(int *)o->field ? "yes" : "no");
			break;
		case O_CLEAR:
			printf("%s\n", *(int *)o->field ? "no" : "yes");
			break;
		case O_SIZE:
			printf("%zu\n", *(size_t *)o->field);
			break;
		case O_INT:
			printf("%d\n", *(int *)o->field);
			break;
		case O_TIME:
			printf("%lld\n", (long long)*(time_t *)o->field);
			break;
		case O_FUNC:
			if (strcmp(o->name, "instance-id") == 0)
				printf("%s\n", settings.instance_id ?
				    settings.instance_id : "-");
			else if (strcmp(o->name, "containment") == 0)
				printf("%s\n", settings.containment_full ? "full" :
				    "reduced");
			else {
				for (size_t k = 0; k < settings.npython_paths; k++)
					printf("%s%s", k ? " " : "",
					    settings.python_paths[k]);
				printf("%s\n", settings.npython_paths ? "" : "-");
			}
			break;
		}
	}
	exit(0);
}
