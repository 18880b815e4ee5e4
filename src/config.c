/* SPDX-License-Identifier: ISC */
/*
 * Read and validate the tools file and build a complete new toolset. Nothing
 * here touches what is serving: the caller swaps tables only on success.
 *
 * The file is the seed's format: a JSON array of {"name","description",
 * "code"} with an optional "parameters" map. A bad entry is skipped with a
 * warning naming it and the field (the seed's behaviour); a file that is not
 * JSON, or not an array, is an error for the whole load.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "catalog.h"
#include "msg.h"
#include "signature.h"
#include "xmalloc.h"

#define CONFIG_MAX_SIZE		(64 * 1024 * 1024)
#define TOOL_NAME_MAX		((int)MSG_BOUND(LOAD, name))	/* the channel's */

struct field_range {
	const char	*name;
	int		 min, max, def;
	size_t		 offset;
};

static const struct field_range config_int_fields[] = {
	{ "timeout_ms", 1, 24 * 3600 * 1000, DEFAULT_TIMEOUT_MS,
	    offsetof(struct toolspec, timeout_ms) },
	{ "memory_mb", 32, 1024 * 1024, DEFAULT_MEMORY_MB,
	    offsetof(struct toolspec, memory_mb) },
	{ "load_timeout_ms", 1, MAX_LOAD_TIMEOUT_MS, DEFAULT_LOAD_TIMEOUT_MS,
	    offsetof(struct toolspec, load_timeout_ms) },
	{ "disk_mb", 1, 64 * 1024, DEFAULT_DISK_MB,
	    offsetof(struct toolspec, disk_mb) },
	{ "concurrency", 1, MAX_CONCURRENCY, 1,
	    offsetof(struct toolspec, concurrency) },
	{ "idle_ms", 1, 24 * 3600 * 1000, DEFAULT_IDLE_MS,
	    offsetof(struct toolspec, idle_ms) },
	{ "min_workers", 0, MAX_CONCURRENCY, 1,
	    offsetof(struct toolspec, min_workers) },
	{ "task_timeout_ms", 1, 7 * 24 * 3600 * 1000, DEFAULT_TASK_TIMEOUT_MS,
	    offsetof(struct toolspec, task_timeout_ms) },
	{ "task_ttl_ms", 1000, 7 * 24 * 3600 * 1000, DEFAULT_TASK_TTL_MS,
	    offsetof(struct toolspec, task_ttl_ms) },
	{ "max_tasks", 1, 4096, DEFAULT_MAX_TASKS,
	    offsetof(struct toolspec, max_tasks) },
	{ "async_concurrency", 1, (int)MSG_BOUND(LOAD, async_concurrency),
	    (int)MSG_DEFAULT(LOAD, async_concurrency),
	    offsetof(struct toolspec, async_concurrency) },
};

/* Fields a tool may carry; anything else draws a warning (likely a typo). */
static const char *const config_known_fields[] = {
	"name", "description", "code", "parameters", "timeout_ms",
	"load_timeout_ms", "memory_mb", "annotations", "title", "allow",
	"requires", "inputSchema", "outputSchema", "concurrency", "idle_ms",
	"min_workers", "async_concurrency",
	"disk_mb", "kind", "task", "task_timeout_ms", "task_ttl_ms", "max_tasks",
	"task_starts",
	NULL
};

uint64_t
hash_bytes(uint64_t h, const void *p, size_t len)
{
	const unsigned char	*s = p;

	if (h == 0)
		h = 14695981039346656037ULL;	/* FNV-1a 64 */
	while (len-- > 0) {
		h ^= *s++;
		h *= 1099511628211ULL;
	}
	return h;
}

char *
config_read_file(const char *path, size_t *lenp, char *err, size_t errlen)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			if (cap > CONFIG_MAX_SIZE) {
				snprintf(err, errlen, "%s: larger than %d bytes",
				    path, CONFIG_MAX_SIZE);
				goto fail;
			}
			buf = xreallocarray(buf, cap + 1, 1);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

/* Line and column (1-based) of byte offset off, for error messages. */
static void
config_position(const char *buf, size_t off, int *line, int *col)
{
	size_t	i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}

/* The whole file as objects, or NULL with err (line:column) set. */
static struct json_object *
config_parse(const char *path, const char *buf, size_t len, char *err,
    size_t errlen)
{
	struct json_object	*root;
	const char		*why;
	size_t			 at;
	int			 line, col;

	if (json_parse_text(buf, len, &root, &why, &at) == 0)
		return root;	/* NULL for a file of null: the caller says */
	if (at >= len && strcmp(why, "incomplete JSON text") == 0) {
		snprintf(err, errlen, "%s: unexpected end of file", path);
		return NULL;
	}
	config_position(buf, at, &line, &col);
	snprintf(err, errlen, "%s:%d:%d: invalid JSON: %s", path, line, col,
	    why);
	return NULL;
}

/* Skip an entry: warn, and keep the reason for reload results and -t. */
int
config_bad(struct toolset *set, size_t idx, const char *name,
    const char *fmt, ...)
{
	struct json_object	*p;
	char			 msg[512];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p = json_object_new_object();
	json_object_object_add(p, "entry", json_object_new_int((int)idx + 1));
	if (name != NULL)
		json_object_object_add(p, "name", json_object_new_string(name));
	json_object_object_add(p, "error", json_object_new_string(msg));
	json_object_array_add(set->skipped, p);
	if (name != NULL)
		log_warnx("skipping tool '%s' (entry %zu): %s", name, idx + 1,
		    msg);
	else
		log_warnx("skipping entry %zu: %s", idx + 1, msg);
	return -1;
}

static const char *
config_string(struct json_object *entry, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(entry, key, &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0)
		return NULL;
	return json_object_get_string(v);
}

static int
config_name_ok(const char *name)
{
	const unsigned char	*p;

	if (strlen(name) > TOOL_NAME_MAX)
		return 0;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static int
config_ints(struct toolset *set, size_t idx, struct json_object *entry, struct toolspec *ts)
{
	const struct field_range	*f;
	struct json_object		*v;
	int64_t				 n;
	size_t				 i;

	for (i = 0; i < sizeof(config_int_fields) / sizeof(*f); i++) {
		f = &config_int_fields[i];
		*(int *)((char *)ts + f->offset) = f->def;
		if (!json_object_object_get_ex(entry, f->name, &v))
			continue;
		if (!json_object_is_type(v, json_type_int))
			return config_bad(set, idx, ts->name, "'%s' must be an "
			    "integer", f->name);
		n = json_object_get_int64(v);
		if (n < f->min || n > f->max)
			return config_bad(set, idx, ts->name, "'%s' must be between "
			    "%d and %d", f->name, f->min, f->max);
		*(int *)((char *)ts + f->offset) = (int)n;
	}
	if (ts->min_workers > ts->concurrency)
		return config_bad(set, idx, ts->name, "'min_workers' must be at "
		    "most 'concurrency' (%d)", ts->concurrency);
	return 0;
}

static int
config_parameters(struct toolset *set, size_t idx, const char *name, struct json_object *entry)
{
	struct json_object	*p;

	if (!json_object_object_get_ex(entry, "parameters", &p))
		return 0;
	if (!json_object_is_type(p, json_type_object))
		return config_bad(set, idx, name, "'parameters' must be an object "
		    "mapping argument names to type names");
	json_object_object_foreach(p, key, val) {
		if (!json_object_is_type(val, json_type_string))
			return config_bad(set, idx, name, "'parameters.%s' must be "
			    "a type name such as \"int\"", key);
	}
	return 0;
}

static void
config_unknown_fields(const char *name, struct json_object *entry)
{
	size_t	i;

	json_object_object_foreach(entry, key, val) {
		(void)val;
		for (i = 0; config_known_fields[i] != NULL; i++)
			if (strcmp(key, config_known_fields[i]) == 0)
				break;
		if (config_known_fields[i] == NULL)
			log_warnx("tool '%s': unknown field '%s' ignored",
			    name, key);
	}
}

/*
 * The LOAD message a worker gets: the entry's own fields plus our limits
 * and the values of its env grants (folded into the tool's hash).
 */
static char *
config_load_message(struct json_object *entry, struct toolspec *ts)
{
	struct json_object	*m, *v, *env;
	static const char *const copy[] = {
		MSG_KEY(LOAD, name), MSG_KEY(LOAD, description),
		MSG_KEY(LOAD, code), MSG_KEY(LOAD, parameters), NULL
	};
	static const char *const grants[] = {
		MSG_KEY(LOAD, read), MSG_KEY(LOAD, write), MSG_KEY(LOAD, run),
		NULL
	};
	char			*s;
	size_t			 i;

	m = json_object_new_object();
	for (i = 0; copy[i] != NULL; i++)
		if (json_object_object_get_ex(entry, copy[i], &v))
			json_object_object_add(m, copy[i], json_object_get(v));
	json_object_object_add(m, MSG_KEY(LOAD, memory_mb),
	    json_object_new_int(ts->memory_mb));
	json_object_object_add(m, MSG_KEY(LOAD, max_reply),
	    json_object_new_int64((int64_t)settings.max_reply));
	json_object_object_add(m, MSG_KEY(LOAD, disk_mb),
	    json_object_new_int(ts->disk_mb));
	if (ts->async_concurrency > 1)
		json_object_object_add(m, MSG_KEY(LOAD, async_concurrency),
		    json_object_new_int(ts->async_concurrency));
	if (ts->kind != KIND_TOOL)
		json_object_object_add(m, MSG_KEY(LOAD, kind),
		    json_object_new_int((int)ts->kind));
	for (i = 0; ts->allow != NULL && grants[i] != NULL; i++)
		if (json_object_object_get_ex(ts->allow, grants[i], &v))
			json_object_object_add(m, grants[i], json_object_get(v));
	if (ts->allow != NULL && json_object_object_get_ex(ts->allow, "net",
	    &v) && json_object_array_length(v) > 0)
		json_object_object_add(m, MSG_KEY(LOAD, brokered),
		    json_object_new_int(1));
	if ((env = grants_env(ts->allow, ts->name, &ts->hash)) != NULL) {
		json_object_put(ts->secrets);
		ts->secrets = json_object_get(env);
		json_object_object_add(m, MSG_KEY(LOAD, env), env);
	}
	s = xstrdup(json_object_to_json_string_ext(m,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(m);
	return s;
}

/*
 * x-mcp-header (SEP-2243) on the top-level properties of an inputSchema:
 * a header name's token, on a string, integer or boolean, none twice
 * (case-insensitively). Clients drop a tool that breaks this; a file
 * that would serve one is told so here.
 */
static int
config_param_headers(struct json_object *schema, char *why, size_t len)
{
	static const char	 tchar[] = "!#$%&'*+-.^_`|~";
	struct json_object	*props, *h, *ty;
	const char		*name, *type, *p;
	char			 seen[64][128];
	size_t			 n = 0, i;

	if (!json_object_object_get_ex(schema, "properties", &props) ||
	    !json_object_is_type(props, json_type_object))
		return 0;
	json_object_object_foreach(props, key, prop) {
		if (!json_object_is_type(prop, json_type_object) ||
		    !json_object_object_get_ex(prop, "x-mcp-header", &h))
			continue;
		name = json_object_is_type(h, json_type_string) ?
		    json_object_get_string(h) : "";
		for (p = name; *p != '\0' && (isalnum((unsigned char)*p) ||
		    strchr(tchar, *p) != NULL); p++)
			;
		if (*name == '\0' || *p != '\0' || p - name >= 128) {
			snprintf(why, len, "'inputSchema.properties.%.64s': "
			    "x-mcp-header must be a header name (letters, digits "
			    "and %s, no space or colon)", key, tchar);
			return -1;
		}
		type = json_object_object_get_ex(prop, "type", &ty) &&
		    json_object_is_type(ty, json_type_string) ?
		    json_object_get_string(ty) : "";
		if (strcmp(type, "string") != 0 && strcmp(type, "integer") != 0 &&
		    strcmp(type, "boolean") != 0) {
			snprintf(why, len, "'inputSchema.properties.%.64s': "
			    "x-mcp-header is for a string, integer or boolean",
			    key);
			return -1;
		}
		for (i = 0; i < n; i++)
			if (strcasecmp(seen[i], name) == 0) {
				snprintf(why, len, "'inputSchema': x-mcp-header "
				    "'%.64s' on two properties", name);
				return -1;
			}
		if (n < sizeof(seen) / sizeof(*seen))
			snprintf(seen[n++], sizeof(*seen), "%s", name);
	}
	return 0;
}

/*
 * Declared schemas, kept as written: objects, and an inputSchema only when
 * every keyword in it can be checked (schema.c): never a silent pass.
 */
static int
config_schemas(struct json_object *entry, char *why, size_t len)
{
	struct json_object	*v, *t;
	struct schema		*s;
	char			 e[200];

	if (json_object_object_get_ex(entry, "outputSchema", &v) &&
	    (!json_object_is_type(v, json_type_object) ||
	    !json_object_object_get_ex(v, "type", &t) ||
	    strcmp(json_object_get_string(t), "object") != 0)) {
		snprintf(why, len, "'outputSchema' must be an object schema "
		    "(\"type\": \"object\"): structuredContent is an object");
		return -1;
	}
	if (!json_object_object_get_ex(entry, "inputSchema", &v))
		return 0;
	if (!json_object_is_type(v, json_type_object) ||
	    !json_object_object_get_ex(v, "type", &t) ||
	    strcmp(json_object_get_string(t), "object") != 0) {
		snprintf(why, len, "'inputSchema' must be an object schema "
		    "(\"type\": \"object\")");
		return -1;
	}
	if ((s = schema_compile(v, e, sizeof(e))) == NULL) {
		snprintf(why, len, "'inputSchema': %s", e);
		return -1;
	}
	schema_free(s);
	return config_param_headers(v, why, len);
}

/*
 * "requires": the client capabilities a tool needs (a tool that asks back
 * the client's model or user cannot run without them).
 */
static int
config_requires(struct json_object *entry, char *why, size_t len)
{
	static const char *const known[] = { "sampling", "elicitation",
	    "roots", NULL };
	struct json_object	*v, *s;
	size_t			 i, k;

	if (!json_object_object_get_ex(entry, "requires", &v))
		return 0;
	if (!json_object_is_type(v, json_type_array))
		goto bad;
	for (i = 0; i < json_object_array_length(v); i++) {
		s = json_object_array_get_idx(v, i);
		for (k = 0; known[k] != NULL; k++)
			if (json_object_is_type(s, json_type_string) &&
			    strcmp(json_object_get_string(s), known[k]) == 0)
				break;
		if (known[k] == NULL)
			goto bad;
	}
	return 0;
bad:
	snprintf(why, len, "'requires' must be an array of client "
	    "capabilities: sampling, elicitation, roots");
	return -1;
}

/* "task": forbidden (the default), optional or required. */
static int
config_task(struct json_object *entry, struct toolspec *ts, char *why,
    size_t len)
{
	static const char *const names[] = { "forbidden", "optional",
	    "required" };
	struct json_object	*v;
	size_t			 i;

	ts->task_support = TASK_FORBIDDEN;
	if (json_object_object_get_ex(entry, "task_starts", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    (strcmp(json_object_get_string(v), "at_once") != 0 &&
		    strcmp(json_object_get_string(v), "after_input") != 0)) {
			snprintf(why, len, "'task_starts' must be \"at_once\" "
			    "or \"after_input\"");
			return -1;
		}
		ts->task_after_input = strcmp(json_object_get_string(v),
		    "after_input") == 0;
	}
	if (!json_object_object_get_ex(entry, "task", &v))
		return 0;
	for (i = 0; i < 3; i++)
		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), names[i]) == 0) {
			ts->task_support = (int)i;
			return 0;
		}
	snprintf(why, len, "'task' must be \"forbidden\", \"optional\" or "
	    "\"required\"");
	return -1;
}

/*
 * A directory a tool may read is code when it imports from it, which a
 * signature does not cover: one others may write is refused with
 * --trusted-signers, a warning without (sshd's StrictModes, as for
 * --python-path). A path that does not exist yet is not judged here.
 */
static int
config_read_grants_safe(const char *name, struct json_object *allow,
    char *why, size_t whylen)
{
	struct json_object	*read;
	const char		*path;
	char			 unsafe[1024];
	size_t			 i, n;

	if (allow == NULL || !json_object_object_get_ex(allow, "read", &read))
		return 0;
	n = json_object_array_length(read);
	for (i = 0; i < n; i++) {
		path = json_object_get_string(json_object_array_get_idx(read, i));
		if (access(path, F_OK) == -1 ||
		    signature_path_safe(path, unsafe, sizeof(unsafe)) == 0)
			continue;
		if (settings.trusted_signers != NULL) {
			snprintf(why, whylen, "read grant %.256s: %.512s, and "
			    "signing does not cover what it holds", path, unsafe);
			return -1;
		}
		log_warnx("tool '%s': read grant %s: %s; whoever may write there "
		    "may change what the tool imports or reads", name, path,
		    unsafe);
	}
	return 0;
}

static int
config_entry(struct toolset *set, size_t idx, struct json_object *entry,
    struct toolspec *ts, enum entry_kind kind)
{
	struct json_object	*v, *allow = NULL;
	const char		*name, *desc, *canon;
	char			 why[1024];

	memset(ts, 0, sizeof(*ts));
	ts->kind = kind;
	if (!json_object_is_type(entry, json_type_object))
		return config_bad(set, idx, NULL, "not a JSON object");
	if ((name = config_string(entry, "name")) == NULL)
		return config_bad(set, idx, NULL, "missing or invalid 'name'");
	if (!config_name_ok(name))
		return config_bad(set, idx, NULL, "'name' must be 1 to %d characters "
		    "without control characters", TOOL_NAME_MAX);
	ts->name = (char *)name;
	if (config_string(entry, "code") == NULL)
		return config_bad(set, idx, name, "missing or invalid 'code'");
	/* No description: the function's docstring will do (tool.c). */
	desc = config_string(entry, "description");
	if (desc == NULL && json_object_object_get_ex(entry, "description", &v) &&
	    !json_object_is_type(v, json_type_string))
		return config_bad(set, idx, name, "'description' must be a string");
	if (config_ints(set, idx, entry, ts) == -1 ||
	    config_parameters(set, idx, name, entry) == -1)
		return -1;
	if (json_object_object_get_ex(entry, "annotations", &v) &&
	    !json_object_is_type(v, json_type_object))
		return config_bad(set, idx, name, "'annotations' must be an object");
	if (json_object_object_get_ex(entry, "title", &v) &&
	    !json_object_is_type(v, json_type_string))
		return config_bad(set, idx, name, "'title' must be a string");
	(void)json_object_object_get_ex(entry, "allow", &allow);
	if (grants_check(allow, why, sizeof(why)) == -1)
		return config_bad(set, idx, name, "%s", why);
	if (config_read_grants_safe(name, allow, why, sizeof(why)) == -1)
		return config_bad(set, idx, name, "%s", why);
	if (config_requires(entry, why, sizeof(why)) == -1 ||
	    config_schemas(entry, why, sizeof(why)) == -1 ||
	    config_task(entry, ts, why, sizeof(why)) == -1)
		return config_bad(set, idx, name, "%s", why);
	config_unknown_fields(name, entry);

	ts->name = xstrdup(name);
	if (desc != NULL)
		ts->description = xstrdup(desc);
	if (json_object_object_get_ex(entry, "annotations", &v))
		ts->annotations = json_object_get(v);
	if (json_object_object_get_ex(entry, "title", &v))
		ts->title = xstrdup(json_object_get_string(v));
	if (allow != NULL)
		ts->allow = json_object_get(allow);
	if (json_object_object_get_ex(entry, "requires", &v))
		ts->requires = json_object_get(v);
	if (json_object_object_get_ex(entry, "inputSchema", &v))
		ts->input_schema = json_object_get(v);
	if (json_object_object_get_ex(entry, "outputSchema", &v))
		ts->output_schema = json_object_get(v);
	canon = json_object_to_json_string_ext(entry, JSON_C_TO_STRING_PLAIN);
	ts->hash = ts->version = hash_bytes(0, canon, strlen(canon));
	ts->load = config_load_message(entry, ts);
	return 0;
}

static int
config_duplicate(const struct toolset *set, const char *name)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->specs[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * --trusted-signers: buf (path's bytes) is signed, by path.sig, by one of
 * them: the signer, or NULL and why.
 */
struct json_object *
config_signer(const char *path, const char *buf, size_t len, char *why,
    size_t whylen)
{
	struct json_object	*signer;
	struct sig_info		 info;

	if (signature_verify(settings.trusted_signers, path, buf, len, &info,
	    why, whylen) == -1)
		return NULL;
	signer = json_object_new_object();
	json_object_object_add(signer, "principal",
	    json_object_new_string(info.principal));
	json_object_object_add(signer, "key",
	    json_object_new_string(info.fingerprint));
	return signer;
}

/*
 * Load path into *set. Returns 0 (bad entries were skipped with warnings),
 * or -1 with err describing why the file as a whole is unusable.
 */
int
config_load(const char *path, struct toolset *set, char *err, size_t errlen)
{
	struct json_object	*signer = NULL;
	char			*buf, why[1024];
	size_t			 len;
	int			 rv;

	memset(set, 0, sizeof(*set));
	set->skipped = json_object_new_array();
	if ((buf = config_read_file(path, &len, err, errlen)) == NULL)
		return -1;
	/* The bytes checked are the bytes parsed: a file replaced between
	 * the two cannot serve with another's signature. */
	if (settings.trusted_signers != NULL &&
	    (signer = config_signer(path, buf, len, why, sizeof(why))) ==
	    NULL) {
		snprintf(err, errlen, "%s: refused, not signed by a trusted "
		    "signer: %s", path, why);
		free(buf);
		return -1;
	}
	rv = config_load_text(path, buf, len, set, err, errlen);
	free(buf);
	set->signer = signer;
	return rv;
}

static int	config_catalog_entry(struct toolset *, size_t,
		    struct json_object *);

/* A tools file's text (buf, len; path names it in errors) into *set. */
int
config_load_text(const char *path, const char *buf, size_t len,
    struct toolset *set, char *err, size_t errlen)
{
	struct json_object	*root, *entry, *kind;
	size_t			 i, n;

	if (set->skipped == NULL)
		set->skipped = json_object_new_array();
	*err = '\0';
	root = config_parse(path, buf, len, err, errlen);
	if (root == NULL && *err != '\0')
		return -1;
	/* json-c's null is a NULL object: not a parse error, not an array. */
	if (!json_object_is_type(root, json_type_array)) {
		snprintf(err, errlen, "%s: the top level must be a JSON array "
		    "of tools", path);
		json_object_put(root);
		return -1;
	}
	n = json_object_array_length(root);
	set->specs_cap = n;
	set->specs = xcalloc(n, sizeof(*set->specs));
	for (i = 0; i < n; i++) {
		entry = json_object_array_get_idx(root, i);
		if (json_object_is_type(entry, json_type_object) &&
		    json_object_object_get_ex(entry, "kind", &kind) &&
		    (!json_object_is_type(kind, json_type_string) ||
		    strcmp(json_object_get_string(kind), "tool") != 0))
			(void)config_catalog_entry(set, i, entry);
		else
			(void)config_add_tool(set, i, entry, KIND_TOOL);
	}
	json_object_put(root);
	return 0;
}

/*
 * A resource, template or prompt (catalog_file.c reads it) into the
 * catalog of *set, and the tools its code runs as: 0, or -1 when it was
 * skipped. A completion function that does not load is left out alone.
 */
static int
config_catalog_entry(struct toolset *set, size_t idx,
    struct json_object *entry)
{
	struct json_object	*n, *tools, *t, *e, *k, *arg;
	const char		*canon;
	char			 access[256], why[512], ver[17];
	size_t			 i;

	if (catalog_read(entry, set->catalog, &n, &tools, access,
	    sizeof(access), why, sizeof(why)) == -1)
		return config_bad(set, idx, *access ? access : NULL, "%s", why);
	for (i = 0; i < json_object_array_length(tools); i++) {
		t = json_object_array_get_idx(tools, i);
		json_object_object_get_ex(t, "entry", &e);
		json_object_object_get_ex(t, "kind", &k);
		if (config_add_tool(set, idx, e, (enum entry_kind)
		    json_object_get_int(k)) == 0)
			continue;
		if (!json_object_object_get_ex(t, "arg", &arg)) {
			json_object_put(tools);
			json_object_put(n);
			return -1;	/* its own code: the entry goes */
		}
		catalog_read_drop(n, json_object_get_string(arg));
	}
	json_object_put(tools);
	canon = json_object_to_json_string_ext(entry, JSON_C_TO_STRING_PLAIN);
	snprintf(ver, sizeof(ver), "%016" PRIx64, hash_bytes(0, canon,
	    strlen(canon)));
	json_object_object_add(n, "version", json_object_new_string(ver));
	if (set->catalog == NULL)
		set->catalog = json_object_new_array();
	json_object_array_add(set->catalog, n);
	return 0;
}

/*
 * One tool (or a coded entry of another kind, as catalog_file.c makes it)
 * into *set: 0, or -1 when it was skipped.
 */
int
config_add_tool(struct toolset *set, size_t idx, struct json_object *entry,
    enum entry_kind kind)
{
	struct toolspec	 ts;

	if (config_entry(set, idx, entry, &ts, kind) == -1)
		return -1;
	if (config_duplicate(set, ts.name)) {
		config_bad(set, idx, ts.name, "a tool of that name comes "
		    "earlier in the file");
		toolspec_clear(&ts);
		return -1;
	}
	if (set->n == set->specs_cap) {
		set->specs_cap = set->specs_cap ? set->specs_cap * 2 : 8;
		set->specs = xreallocarray(set->specs, set->specs_cap,
		    sizeof(*set->specs));
	}
	set->specs[set->n++] = ts;
	return 0;
}

void
toolspec_clear(struct toolspec *ts)
{
	free(ts->name);
	free(ts->description);
	free(ts->load);
	free(ts->title);
	if (ts->annotations != NULL)
		json_object_put(ts->annotations);
	if (ts->allow != NULL)
		json_object_put(ts->allow);
	json_object_put(ts->requires);
	json_object_put(ts->secrets);
	json_object_put(ts->input_schema);
	json_object_put(ts->output_schema);
	memset(ts, 0, sizeof(*ts));
}

void
toolset_clear(struct toolset *set)
{
	size_t	i;

	for (i = 0; i < set->n; i++)
		toolspec_clear(&set->specs[i]);
	free(set->specs);
	if (set->skipped != NULL)
		json_object_put(set->skipped);
	json_object_put(set->signer);
	json_object_put(set->catalog);
	memset(set, 0, sizeof(*set));
}
