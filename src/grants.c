/* SPDX-License-Identifier: ISC */
/*
 * A tool's grants: the "allow" object of its entry (mcp-hotd.json(5)).
 *
 *	"allow": { "read": [paths], "write": [paths], "env": [names],
 *		   "net": ["host:port"], "run": [programs] }
 *
 * Checked here, enforced outside tool code: read and write become the
 * worker's Landlock rules (workers/sandbox.c), env the variables its
 * Python sees. Values of env grants never come from the tools file (it is
 * meant to be committed): from --credentials DIR (systemd's
 * $CREDENTIALS_DIRECTORY by default; file name = variable name), else the
 * supervisor's own environment. They are never logged or shown.
 *
 * net grants are "host:port": a name, "*." and a name (one or more labels
 * before it), an IPv4 literal or a bracketed IPv6 one; the port required.
 * The broker (broker.c) enforces them. run lists programs the worker may
 * execute (Landlock's execute right on exactly those files).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcp-hotd.h"
#include "xmalloc.h"

#define GRANT_VALUE_MAX		(64 * 1024)	/* a credential file */

static const char *const grant_keys[] = { "read", "write", "env", "net",
    "run", NULL };

static int
grant_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
grant_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
grant_path_ok(const char *p)
{
	return p[0] == '/' && strstr(p, "/../") == NULL &&
	    (strlen(p) < 3 || strcmp(p + strlen(p) - 3, "/..") != 0);
}

static int
grant_name_ok(const char *p)
{
	if (!isalpha((unsigned char)*p) && *p != '_')
		return 0;
	for (; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return 0;
	return 1;
}

/* Each item of allow.key a string that ok() accepts. */
static int
grant_list(struct json_object *v, const char *key, int (*ok)(const char *),
    const char *what, char *err, size_t errlen)
{
	struct json_object	*s;
	size_t			 i, n;

	if (!json_object_is_type(v, json_type_array))
		return grant_fail(err, errlen, "'allow.%s' must be an array",
		    key);
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		s = json_object_array_get_idx(v, i);
		if (!json_object_is_type(s, json_type_string) ||
		    json_object_get_string_len(s) == 0 ||
		    strlen(json_object_get_string(s)) !=
		    (size_t)json_object_get_string_len(s) ||
		    !ok(json_object_get_string(s)))
			return grant_fail(err, errlen, "'allow.%s[%zu]' must "
			    "be %s", key, i, what);
	}
	return 0;
}

/* The same address: 4 bytes of an IPv4 one, 16 of an IPv6 one. */
int
grants_addr_equal(int family, const unsigned char *a, const unsigned char *b)
{
	return memcmp(a, b, family == AF_INET ? 4 : 16) == 0;
}

/* A DNS name: labels of letters, digits, '-' and '_', at most 253 bytes. */
int
grants_name_ok(const char *p)
{
	size_t	label = 0, len = strlen(p);

	if (len == 0 || len > 253)
		return 0;
	for (; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)*p) || *p == '-' ||
		    *p == '_') {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return label > 0;
}

/* "host:port" of allow.net into *g; -1 if it is not one. */
int
grants_net_parse(const char *s, struct net_grant *g)
{
	const char	*colon, *host = s;
	char		 buf[256], *end;
	size_t		 hlen;
	long		 port;

	memset(g, 0, sizeof(*g));
	if (*s == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			return -1;
		host = s + 1;
		hlen = (size_t)(colon - host);
		colon++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return -1;
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= sizeof(buf))
		return -1;
	memcpy(buf, host, hlen);
	buf[hlen] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (!isdigit((unsigned char)colon[1]) || *end != '\0' || errno != 0 ||
	    port < 1 || port > 65535)
		return -1;
	g->port = (uint16_t)port;
	if (*s == '[') {
		g->kind = NET_ADDR;
		g->family = AF_INET6;
		return inet_pton(AF_INET6, buf, g->addr) == 1 ? 0 : -1;
	}
	if (inet_pton(AF_INET, buf, g->addr) == 1) {
		g->kind = NET_ADDR;
		g->family = AF_INET;
		return 0;
	}
	if (strchr(buf, ':') != NULL)
		return -1;	/* IPv6 without brackets: the port is ambiguous */
	g->kind = strncmp(buf, "*.", 2) == 0 ? NET_WILDCARD : NET_NAME;
	snprintf(g->host, sizeof(g->host), "%s", buf + (g->kind ==
	    NET_WILDCARD ? 2 : 0));
	for (end = g->host; *end != '\0'; end++)
		*end = (char)tolower((unsigned char)*end);
	if (!grants_name_ok(g->host) || strspn(g->host, "0123456789.") ==
	    strlen(g->host))
		return -1;	/* not a name (a partial IPv4 literal?) */
	return 0;
}

/* Does g's name or pattern cover name (lower case, no trailing dot)? */
int
grants_net_covers(const struct net_grant *g, const char *name)
{
	size_t	n = strlen(name), h = strlen(g->host);

	if (g->kind == NET_NAME)
		return strcmp(g->host, name) == 0;
	if (g->kind != NET_WILDCARD || n < h + 2)
		return 0;	/* "*.example.org" wants a label before */
	return name[n - h - 1] == '.' && strcmp(name + n - h, g->host) == 0;
}

static int
grant_net_ok(const char *s)
{
	struct net_grant	g;

	return grants_net_parse(s, &g) == 0;
}

/* 0 when allow (may be NULL) is well formed and grantable here. */
int
grants_check(struct json_object *allow, char *err, size_t errlen)
{
	size_t	i;

	if (allow == NULL)
		return 0;
	if (!json_object_is_type(allow, json_type_object))
		return grant_fail(err, errlen, "'allow' must be an object");
	json_object_object_foreach(allow, key, v) {
		for (i = 0; grant_keys[i] != NULL; i++)
			if (strcmp(key, grant_keys[i]) == 0)
				break;
		if (grant_keys[i] == NULL)
			return grant_fail(err, errlen, "'allow.%s' is not a "
			    "grant (read, write, env, net, run)", key);
		if ((strcmp(key, "read") == 0 || strcmp(key, "write") == 0) &&
		    grant_list(v, key, grant_path_ok, "an absolute path "
		    "without '..'", err, errlen) == -1)
			return -1;
		if (strcmp(key, "env") == 0 && grant_list(v, key,
		    grant_name_ok, "a variable name", err, errlen) == -1)
			return -1;
		if (strcmp(key, "net") == 0 && grant_list(v, key,
		    grant_net_ok, "\"host:port\" (a name, *.name, an IPv4 "
		    "address or [an IPv6 one], and a port)", err, errlen) == -1)
			return -1;
		if (strcmp(key, "run") == 0 && grant_list(v, key,
		    grant_path_ok, "an absolute path without '..'", err,
		    errlen) == -1)
			return -1;
	}
	return 0;
}

/* The parsed allow.net of a checked allow (NULL, 0 when none). */
struct net_grant *
grants_net(struct json_object *allow, size_t *n)
{
	struct json_object	*v;
	struct net_grant	*g;
	size_t			 i;

	*n = 0;
	if (allow == NULL || !json_object_object_get_ex(allow, "net", &v) ||
	    json_object_array_length(v) == 0)
		return NULL;
	*n = json_object_array_length(v);
	g = xcalloc(*n, sizeof(*g));
	for (i = 0; i < *n; i++)
		(void)grants_net_parse(json_object_get_string(
		    json_object_array_get_idx(v, i)), &g[i]);
	return g;
}

/* A credential: the file's bytes, one trailing newline dropped. */
static char *
grant_credential(const char *name)
{
	const char	*dir = settings.credentials_dir;
	char		 path[4096], *buf;
	ssize_t		 n;
	int		 fd;

	if (dir == NULL || snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path) || (fd = open(path, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return NULL;
	buf = xmalloc(GRANT_VALUE_MAX + 1);
	n = read(fd, buf, GRANT_VALUE_MAX + 1);
	close(fd);
	if (n < 0 || n > GRANT_VALUE_MAX || memchr(buf, '\0', (size_t)n)) {
		log_warnx("credential %s: unreadable, over %d bytes or "
		    "holding a NUL byte: not used", name, GRANT_VALUE_MAX);
		free(buf);
		return NULL;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return buf;
}

/*
 * The env grant's values, {"NAME":"value"}, for the worker's LOAD; their
 * bytes are folded into *hash, so a changed value is a changed tool. A
 * name with no value anywhere is warned about (by name) and left out.
 */
struct json_object *
grants_env(struct json_object *allow, const char *tool, uint64_t *hash)
{
	struct json_object	*names, *env;
	const char		*name, *value;
	char			*cred;
	size_t			 i, n;

	if (allow == NULL || !json_object_object_get_ex(allow, "env", &names))
		return NULL;
	env = json_object_new_object();
	n = json_object_array_length(names);
	for (i = 0; i < n; i++) {
		name = json_object_get_string(json_object_array_get_idx(names,
		    i));
		cred = grant_credential(name);
		if ((value = cred) == NULL && (value = getenv(name)) == NULL) {
			log_warnx("tool '%s': granted variable %s is not set "
			    "(neither a credential nor in the environment)",
			    tool, name);
			continue;
		}
		json_object_object_add(env, name, json_object_new_string(value));
		*hash = hash_bytes(*hash, name, strlen(name) + 1);
		*hash = hash_bytes(*hash, value, strlen(value) + 1);
		free(cred);
	}
	return env;
}

/*
 * in (len bytes) into out (NUL-terminated, cut to outlen) with each
 * secret's value (env grants: name -> value) as "[redacted:NAME]": what a
 * worker writes to the log (its tracebacks, warnings, a failed load) never
 * shows one. Values shorter than GRANT_REDACT_MIN would blot out ordinary
 * text and are left. Returns the length written.
 */
size_t
grants_redact(struct json_object *secrets, const char *in, size_t len,
    char *out, size_t outlen)
{
	const char	*v;
	size_t		 i = 0, o = 0, vlen, n;
	int		 hit;

	if (outlen == 0)
		return 0;
	while (i < len && o + 1 < outlen) {
		hit = 0;
		if (secrets != NULL) {
			json_object_object_foreach(secrets, name, value) {
				v = json_object_get_string(value);
				vlen = (size_t)json_object_get_string_len(value);
				if (vlen < GRANT_REDACT_MIN || vlen > len - i ||
				    memcmp(in + i, v, vlen) != 0)
					continue;
				n = (size_t)snprintf(out + o, outlen - o,
				    "[redacted:%s]", name);
				o = n < outlen - o ? o + n : outlen - 1;
				i += vlen;
				hit = 1;
				break;
			}
		}
		if (!hit)
			out[o++] = in[i++];
	}
	out[o] = '\0';
	return o;
}

/* The env grant's names that have no value anywhere, into buf; how many. */
int
grants_env_unset(struct json_object *allow, char *buf, size_t len)
{
	struct json_object	*names;
	const char		*name;
	char			*cred;
	size_t			 i, off = 0;
	int			 n = 0;

	buf[0] = '\0';
	if (allow == NULL || !json_object_object_get_ex(allow, "env", &names))
		return 0;
	for (i = 0; i < json_object_array_length(names); i++) {
		name = json_object_get_string(json_object_array_get_idx(names,
		    i));
		if ((cred = grant_credential(name)) != NULL || getenv(name) !=
		    NULL) {
			free(cred);
			continue;
		}
		n++;
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    off ? ", " : "", name);
	}
	return n;
}

/* "read /a, /b; write /c; env K" for -t and the log: names, no values. */
void
grants_describe(struct json_object *allow, char *buf, size_t len)
{
	struct json_object	*v;
	size_t			 i, n, k, off = 0;

	buf[0] = '\0';
	if (allow == NULL)
		return;
	for (k = 0; grant_keys[k] != NULL; k++) {
		if (!json_object_object_get_ex(allow, grant_keys[k], &v) ||
		    (n = json_object_array_length(v)) == 0)
			continue;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
		    "%s%s ", off ? "; " : "", grant_keys[k]);
		for (i = 0; i < n; i++)
			off += (size_t)snprintf(buf + off, off < len ?
			    len - off : 0, "%s%s", i ? ", " : "",
			    json_object_get_string(json_object_array_get_idx(v,
			    i)));
	}
}
