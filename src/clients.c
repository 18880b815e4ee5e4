/* SPDX-License-Identifier: ISC */
/*
 * Who may call what (--clients FILE): a JSON array of named clients, each
 * known by a bearer token (kept as its SHA-256), by its unix-socket peer
 * (uid, gid: SO_PEERCRED, so a bridge is the user who runs it), or by an
 * OAuth scope its access tokens carry (oauth.c checks them), with the
 * tools it may see and call (names and shell globs):
 *
 *	[{"name": "support", "token_sha256": "HEX", "tools": ["lookup_*"]},
 *	 {"name": "ops", "uid": 0, "tools": ["*"], "control": true}]
 *
 * A caller matching no entry is refused. A session holds its client's
 * name, looked up again at each use: SIGHUP re-reads the file, and a
 * client taken out of it sees nothing from then on. A token with several
 * clients' scopes is all of them: "a,b" (names hold no comma), the union
 * of their tools.
 */
#include "config.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "clients.h"
#include "log.h"
#include "sha256.h"
#include "xmalloc.h"

#define CLIENTS_MAX	1024
#define CLIENT_NAME_MAX	64

struct client {
	char		*name;
	int		 has_token;
	uint8_t		 token_sha256[SHA256_LEN];
	long		 uid, gid;	/* -1: not by it */
	char		*oauth_scope;	/* or NULL */
	char		**tools;	/* names and globs */
	size_t		 ntools;
	int		 control;	/* may reload, diff, ask status */
};

static struct {
	const char	*path;		/* NULL: everyone may use everything */
	struct client	*c;
	size_t		 n;
} cl;

static void
clients_free_table(struct client *c, size_t n)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].oauth_scope);
		for (j = 0; j < c[i].ntools; j++)
			free(c[i].tools[j]);
		free(c[i].tools);
	}
	free(c);
}

static int
clients_hex(const char *s, uint8_t out[SHA256_LEN])
{
	size_t	i;
	int	hi, lo;

	if (strlen(s) != 2 * SHA256_LEN)
		return -1;
	for (i = 0; i < SHA256_LEN; i++) {
		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]))
			return -1;
		hi = isdigit((unsigned char)s[2 * i]) ? s[2 * i] - '0' :
		    tolower((unsigned char)s[2 * i]) - 'a' + 10;
		lo = isdigit((unsigned char)s[2 * i + 1]) ? s[2 * i + 1] - '0' :
		    tolower((unsigned char)s[2 * i + 1]) - 'a' + 10;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* One scope-token (RFC 6749 3.3): printable ASCII but space, " and \. */
static int
clients_scope_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 128)
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= 0x20 || *s >= 0x7f || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

/* A uid or gid member: -1 when absent, -2 when not a valid id. */
static long
clients_id(struct json_object *e, const char *key)
{
	struct json_object	*v;
	int64_t			 n;

	if (!json_object_object_get_ex(e, key, &v))
		return -1;
	if (!json_object_is_type(v, json_type_int) ||
	    (n = json_object_get_int64(v)) < 0 || n > 0x7fffffff)
		return -2;
	return (long)n;
}

/* Entry i of the file into c; 0, or -1 and why. */
static int
clients_entry(struct json_object *e, size_t i, struct client *c, char *why,
    size_t whylen)
{
	struct json_object	*v, *tools;
	const char		*s;
	size_t			 k, n;

	memset(c, 0, sizeof(*c));
	if (!json_object_is_type(e, json_type_object) ||
	    !json_object_object_get_ex(e, "name", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    (s = json_object_get_string(v))[0] == '\0' ||
	    strlen(s) > CLIENT_NAME_MAX) {
		snprintf(why, whylen, "entry %zu: a client needs a \"name\" "
		    "(1 to %d characters)", i, CLIENT_NAME_MAX);
		return -1;
	}
	for (k = 0; s[k] != '\0'; k++)
		if (!isalnum((unsigned char)s[k]) && strchr("_.@-", s[k]) ==
		    NULL) {
			snprintf(why, whylen, "client \"%s\": a name of letters, "
			    "digits and _.@- only", s);
			return -1;
		}
	c->name = xstrdup(s);
	if (json_object_object_get_ex(e, "token_sha256", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    clients_hex(json_object_get_string(v), c->token_sha256) ==
		    -1) {
			snprintf(why, whylen, "client \"%s\": token_sha256 must "
			    "be 64 hex digits (mcp-hotctl token NAME makes one)",
			    c->name);
			return -1;
		}
		c->has_token = 1;
	}
	if ((c->uid = clients_id(e, "uid")) == -2 ||
	    (c->gid = clients_id(e, "gid")) == -2) {
		snprintf(why, whylen, "client \"%s\": uid and gid are numbers",
		    c->name);
		return -1;
	}
	if (json_object_object_get_ex(e, "oauth_scope", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    !clients_scope_ok(json_object_get_string(v))) {
			snprintf(why, whylen, "client \"%s\": oauth_scope is "
			    "one scope (printable, no space, quote or "
			    "backslash)", c->name);
			return -1;
		}
		c->oauth_scope = xstrdup(json_object_get_string(v));
	}
	if (!c->has_token && c->uid == -1 && c->gid == -1 &&
	    c->oauth_scope == NULL) {
		snprintf(why, whylen, "client \"%s\": known by nothing (give "
		    "token_sha256, uid, gid or oauth_scope)", c->name);
		return -1;
	}
	if (!json_object_object_get_ex(e, "tools", &tools) ||
	    !json_object_is_type(tools, json_type_array)) {
		snprintf(why, whylen, "client \"%s\": \"tools\" must list the "
		    "tools it may use (names and globs)", c->name);
		return -1;
	}
	n = json_object_array_length(tools);
	c->tools = xcalloc(n + 1, sizeof(*c->tools));
	for (k = 0; k < n; k++) {
		v = json_object_array_get_idx(tools, k);
		if (!json_object_is_type(v, json_type_string)) {
			snprintf(why, whylen, "client \"%s\": tools are "
			    "strings", c->name);
			return -1;
		}
		c->tools[c->ntools++] = xstrdup(json_object_get_string(v));
	}
	if (json_object_object_get_ex(e, "control", &v))
		c->control = json_object_get_boolean(v);
	return 0;
}

/* Read path into a new table; 0, or -1 and why (the old table stays). */
static int
clients_read(const char *path, char *why, size_t whylen)
{
	struct json_object	*root;
	struct client		*c;
	size_t			 i, j, n;

	if ((root = json_object_from_file(path)) == NULL) {
		snprintf(why, whylen, "%s: %s", path, json_util_get_last_err());
		return -1;
	}
	if (!json_object_is_type(root, json_type_array) ||
	    (n = json_object_array_length(root)) > CLIENTS_MAX) {
		snprintf(why, whylen, "%s: a JSON array of at most %d clients",
		    path, CLIENTS_MAX);
		json_object_put(root);
		return -1;
	}
	c = xcalloc(n + 1, sizeof(*c));
	for (i = 0; i < n; i++) {
		if (clients_entry(json_object_array_get_idx(root, i), i, &c[i],
		    why, whylen) == -1)
			goto fail;
		for (j = 0; j < i; j++)
			if (strcmp(c[j].name, c[i].name) == 0) {
				snprintf(why, whylen, "client \"%s\" is named "
				    "twice", c[i].name);
				goto fail;
			}
	}
	json_object_put(root);
	clients_free_table(cl.c, cl.n);
	cl.c = c;
	cl.n = n;
	return 0;
fail:
	json_object_put(root);
	clients_free_table(c, i + 1);
	return -1;
}

/* --clients path: read now (a bad file is fatal at startup). */
void
clients_init(const char *path)
{
	char	why[512];

	if ((cl.path = path) == NULL)
		return;
	if (clients_read(path, why, sizeof(why)) == -1)
		fatalx("--clients %s", why);
	log_info("clients: %zu from %s", cl.n, path);
}

/* SIGHUP: the file again; a bad one leaves the clients as they were. */
void
clients_reload(void)
{
	char	why[512];

	if (cl.path == NULL)
		return;
	if (clients_read(cl.path, why, sizeof(why)) == -1) {
		log_warnx("--clients %s; the clients stay as they were", why);
		return;
	}
	log_info("clients: %zu from %s", cl.n, cl.path);
}

void
clients_free(void)
{
	clients_free_table(cl.c, cl.n);
	cl.c = NULL;
	cl.n = 0;
}

/* Is access limited to the clients of a file? */
int
clients_on(void)
{
	return cl.path != NULL;
}

static const struct client *
clients_named(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < cl.n; i++)
		if (strcmp(cl.c[i].name, name) == 0)
			return &cl.c[i];
	return NULL;
}

/*
 * The client a bearer token is, or NULL. Every entry's digest is compared
 * in full, whatever matched: the time says nothing of the token.
 */
const char *
clients_by_token(const char *token)
{
	uint8_t		 d[SHA256_LEN];
	const char	*who = NULL;
	size_t		 i, k;
	unsigned	 diff;

	sha256(token, strlen(token), d);
	for (i = 0; i < cl.n; i++) {
		diff = !cl.c[i].has_token;
		for (k = 0; k < SHA256_LEN; k++)
			diff |= (unsigned)(d[k] ^ cl.c[i].token_sha256[k]);
		if (diff == 0 && who == NULL)
			who = cl.c[i].name;
	}
	explicit_bzero(d, sizeof(d));
	return who;
}

/* The client a unix-socket peer is (by uid first, then gid), or NULL. */
const char *
clients_by_peer(long uid, long gid)
{
	size_t	i;

	for (i = 0; i < cl.n; i++)
		if (cl.c[i].uid != -1 && cl.c[i].uid == uid)
			return cl.c[i].name;
	for (i = 0; i < cl.n; i++)
		if (cl.c[i].uid == -1 && cl.c[i].gid != -1 &&
		    cl.c[i].gid == gid)
			return cl.c[i].name;
	return NULL;
}

/* The entry of one name of client ("a" or "a,b": the n bytes at s). */
static const struct client *
clients_named_n(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < cl.n; i++)
		if (strlen(cl.c[i].name) == n && memcmp(cl.c[i].name, s, n) == 0)
			return &cl.c[i];
	return NULL;
}

/*
 * May client (a name from clients_by_*, "a,b" for several, NULL for a
 * session without one: stdio, or no --clients) see and call tool?
 */
int
clients_may(const char *client, const char *tool)
{
	const struct client	*c;
	const char		*p, *comma;
	size_t			 i, n;

	if (!clients_on() || client == NULL)
		return 1;
	for (p = client; *p != '\0'; p = comma + (*comma != '\0')) {
		comma = strchrnul(p, ',');
		n = (size_t)(comma - p);
		if ((c = clients_named_n(p, n)) == NULL)
			continue;
		for (i = 0; i < c->ntools; i++)
			if (fnmatch(c->tools[i], tool, 0) == 0)
				return 1;
	}
	return 0;
}

/* May client use the control requests (reload, diff, status)? */
int
clients_may_control(const char *client)
{
	const struct client	*c;

	if (!clients_on() || client == NULL)
		return 1;
	return strchr(client, ',') == NULL &&
	    (c = clients_named(client)) != NULL && c->control;
}

/*
 * The clients an access token's scopes (space-separated) make it, as
 * "a" or "a,b" in buf; NULL when none.
 */
const char *
clients_by_scopes(const char *scopes, char *buf, size_t size)
{
	const char	*p, *sp;
	size_t		 i, n, len = 0;

	buf[0] = '\0';
	for (i = 0; i < cl.n; i++) {
		if (cl.c[i].oauth_scope == NULL)
			continue;
		n = strlen(cl.c[i].oauth_scope);
		for (p = scopes; *p != '\0'; p = sp + (*sp != '\0')) {
			sp = strchrnul(p, ' ');
			if ((size_t)(sp - p) == n &&
			    memcmp(p, cl.c[i].oauth_scope, n) == 0)
				break;
		}
		if (*p == '\0' || len + strlen(cl.c[i].name) + 2 > size)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    len > 0 ? "," : "", cl.c[i].name);
	}
	return len > 0 ? buf : NULL;
}

/* The scopes of the file's clients, for the resource's metadata. */
struct json_object *
clients_scopes(void)
{
	struct json_object	*a = json_object_new_array();
	size_t			 i;

	for (i = 0; i < cl.n; i++)
		if (cl.c[i].oauth_scope != NULL)
			json_object_array_add(a,
			    json_object_new_string(cl.c[i].oauth_scope));
	return a;
}
