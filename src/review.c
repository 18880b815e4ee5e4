/* SPDX-License-Identifier: ISC */
/*
 * Review before it serves: what a tools file would change against what
 * serves now (`mcp-hotctl diff [FILE]`), or what it holds (`mcp-hotd -t`),
 * as text for the person who is about to sign it: tools added, removed
 * and changed (which fields, the code as a line diff), and grants widened
 * or narrowed, each widened grant on a line of its own. Env grants' values
 * are never shown (only their names are in a file anyway).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "mcp-hotd.h"
#include "review.h"
#include "signature.h"
#include "xmalloc.h"

#define REVIEW_DIFF_LINES	2000	/* a code diff's lines, each side */
#define REVIEW_CONTEXT		2	/* unchanged lines around a change */

static const char *const review_grant_keys[] = { "read", "write", "env",
    "net", "run", NULL };

/* spec's code, from its LOAD payload (malloc'd), or "" when none. */
static char *
review_code(const struct toolspec *spec)
{
	struct json_object	*load, *v;
	char			*code;

	if ((load = json_tokener_parse(spec->load)) == NULL)
		return xstrdup("");
	code = xstrdup(json_object_object_get_ex(load, "code", &v) ?
	    json_object_get_string(v) : "");
	json_object_put(load);
	return code;
}

/* text split into lines, in place (NUL where the newlines were). */
static char **
review_lines(char *text, size_t *n)
{
	char	**lines = NULL, *p = text, *nl;
	size_t	  cap = 0;

	*n = 0;
	while (*p != '\0') {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			lines = xreallocarray(lines, cap, sizeof(*lines));
		}
		lines[(*n)++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return lines;
}

/* One line of the diff: ' ', '-' or '+', indented under its tool. */
static void
review_diff_line(struct evbuffer *out, char mark, const char *line)
{
	evbuffer_add_printf(out, "    %c %s\n", mark, line);
}

/*
 * The code's change as a line diff (the longest common subsequence),
 * unchanged runs cut to REVIEW_CONTEXT lines around each change.
 */
static void
review_code_diff(struct evbuffer *out, char *a, char *b)
{
	char		**x, **y;
	size_t		  nx, ny, i, j, k, same = 0;
	uint16_t	 *L;
	struct {
		char		 mark;
		const char	*line;
	}		 *ops;
	size_t		  nops = 0;

	x = review_lines(a, &nx);
	y = review_lines(b, &ny);
	if (nx > REVIEW_DIFF_LINES || ny > REVIEW_DIFF_LINES) {
		evbuffer_add_printf(out, "    (code of %zu lines, now %zu: too "
		    "long to show line by line)\n", nx, ny);
		goto done;
	}
	/* L[i][j]: the common subsequence of x[i..] and y[j..]. */
	L = xcalloc((nx + 1) * (ny + 1), sizeof(*L));
	for (i = nx; i-- > 0;)
		for (j = ny; j-- > 0;)
			L[i * (ny + 1) + j] = strcmp(x[i], y[j]) == 0 ?
			    L[(i + 1) * (ny + 1) + j + 1] + 1 :
			    (L[(i + 1) * (ny + 1) + j] > L[i * (ny + 1) + j + 1] ?
			    L[(i + 1) * (ny + 1) + j] : L[i * (ny + 1) + j + 1]);
	ops = xcalloc(nx + ny + 1, sizeof(*ops));
	for (i = 0, j = 0; i < nx || j < ny;) {
		if (i < nx && j < ny && strcmp(x[i], y[j]) == 0) {
			ops[nops].mark = ' ';
			ops[nops++].line = x[i];
			i++, j++;
		} else if (j < ny && (i == nx || L[i * (ny + 1) + j + 1] >=
		    L[(i + 1) * (ny + 1) + j])) {
			ops[nops].mark = '+';
			ops[nops++].line = y[j++];
		} else {
			ops[nops].mark = '-';
			ops[nops++].line = x[i++];
		}
	}
	free(L);
	for (k = 0; k < nops; k++) {
		if (ops[k].mark != ' ') {
			same = 0;
			review_diff_line(out, ops[k].mark, ops[k].line);
			continue;
		}
		/* Unchanged: shown near a change, else one "..." a run. */
		for (i = k; i < nops && ops[i].mark == ' '; i++)
			;
		for (j = k; j < i; j++)
			if (j - k < REVIEW_CONTEXT && k > 0)
				review_diff_line(out, ' ', ops[j].line);
			else if (i - j <= REVIEW_CONTEXT && i < nops)
				review_diff_line(out, ' ', ops[j].line);
			else if (!same++)
				evbuffer_add_printf(out, "    ...\n");
		k = i - 1;
		same = 0;
	}
	free(ops);
done:
	free(x);
	free(y);
}

/* The strings of grant key in allow (NULL: none). */
static struct json_object *
review_grant(const struct json_object *allow, const char *key)
{
	struct json_object	*v;

	if (allow == NULL || !json_object_object_get_ex(allow, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

static int
review_has(const struct json_object *a, const char *s)
{
	size_t	i, n = a != NULL ? json_object_array_length(a) : 0;

	for (i = 0; i < n; i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(a,
		    i)), s) == 0)
			return 1;
	return 0;
}

/*
 * Grants of new against old, per kind: what new adds is widened, each on
 * its own line ("widened: tool 'x' gains net api.example.com:443"); what
 * it drops is narrowed. 1 if any widened.
 */
static int
review_grants(struct evbuffer *out, const char *name,
    const struct json_object *old, const struct json_object *new)
{
	struct json_object	*a, *b;
	const char		*s;
	size_t			 k, i, n;
	int			 widened = 0;

	for (k = 0; review_grant_keys[k] != NULL; k++) {
		a = review_grant(old, review_grant_keys[k]);
		b = review_grant(new, review_grant_keys[k]);
		n = b != NULL ? json_object_array_length(b) : 0;
		for (i = 0; i < n; i++) {
			s = json_object_get_string(json_object_array_get_idx(b,
			    i));
			if (review_has(a, s))
				continue;
			evbuffer_add_printf(out, "widened: tool '%s' gains %s "
			    "%s\n", name, review_grant_keys[k], s);
			widened = 1;
		}
		n = a != NULL ? json_object_array_length(a) : 0;
		for (i = 0; i < n; i++) {
			s = json_object_get_string(json_object_array_get_idx(a,
			    i));
			if (!review_has(b, s))
				evbuffer_add_printf(out, "narrowed: tool '%s' "
				    "loses %s %s\n", name,
				    review_grant_keys[k], s);
		}
	}
	return widened;
}

static int
review_json_eq(struct json_object *a, struct json_object *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return json_object_equal(a, b);
}

static int
review_str_eq(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* The fields of a tool's entry that differ, named as the file names them. */
static void
review_fields(struct evbuffer *out, const struct toolspec *a,
    const struct toolspec *b, int code)
{
	const char	*sep = "";

#define REVIEW_FIELD(changed, name)					\
	do {								\
		if (changed) {						\
			evbuffer_add_printf(out, "%s%s", sep, name);	\
			sep = ", ";					\
		}							\
	} while (0)
	REVIEW_FIELD(code, "code");
	REVIEW_FIELD(!review_str_eq(a->description, b->description),
	    "description");
	REVIEW_FIELD(!review_str_eq(a->title, b->title), "title");
	REVIEW_FIELD(!review_json_eq(a->allow, b->allow), "allow");
	REVIEW_FIELD(!review_json_eq(a->input_schema, b->input_schema),
	    "inputSchema");
	REVIEW_FIELD(!review_json_eq(a->output_schema, b->output_schema),
	    "outputSchema");
	REVIEW_FIELD(!review_json_eq(a->annotations, b->annotations),
	    "annotations");
	REVIEW_FIELD(!review_json_eq(a->requires, b->requires), "requires");
	REVIEW_FIELD(a->timeout_ms != b->timeout_ms, "timeout_ms");
	REVIEW_FIELD(a->load_timeout_ms != b->load_timeout_ms,
	    "load_timeout_ms");
	REVIEW_FIELD(a->memory_mb != b->memory_mb, "memory_mb");
	REVIEW_FIELD(a->disk_mb != b->disk_mb, "disk_mb");
	REVIEW_FIELD(a->concurrency != b->concurrency, "concurrency");
	REVIEW_FIELD(a->async_concurrency != b->async_concurrency,
	    "async_concurrency");
	REVIEW_FIELD(a->idle_ms != b->idle_ms, "idle_ms");
	REVIEW_FIELD(a->min_workers != b->min_workers, "min_workers");
#undef REVIEW_FIELD
	if (*sep == '\0')
		evbuffer_add_printf(out, "its env grants' values");
}

static const struct toolspec *
review_find(const struct toolspec *const *specs, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(specs[i]->name, name) == 0)
			return specs[i];
	return NULL;
}

/* One tool the file changes: its fields, its code's diff, its grants. */
static int
review_changed(struct evbuffer *out, const struct toolspec *old,
    const struct toolspec *new)
{
	char	*a = review_code(old), *b = review_code(new);
	int	 code = strcmp(a, b) != 0, widened;

	evbuffer_add_printf(out, "changed tool '%s': ", new->name);
	review_fields(out, old, new, code);
	evbuffer_add_printf(out, "\n");
	if (code)
		review_code_diff(out, a, b);
	free(a);
	free(b);
	widened = review_grants(out, new->name, old->allow, new->allow);
	return widened;
}

/*
 * The review of the specs a file holds (new, nnew) against those that
 * serve (old, nold; none for -t), with a first line about its signature
 * (signer: {"principal","key"}, or why it is not trusted, or neither).
 * Malloc'd text; *widened set when any grant widens.
 */
char *
review_text(const char *file, const struct toolspec *const *old, size_t nold,
    const struct toolspec *const *new, size_t nnew,
    struct json_object *signer, const char *unsigned_why, int *widened)
{
	struct evbuffer		*out = evbuffer_new();
	const struct toolspec	*o;
	struct json_object	*v;
	char			 grants[1024], *text;
	size_t			 i, n, same = 0;

	if (out == NULL)
		fatal("%s", __func__);
	*widened = 0;
	evbuffer_add_printf(out, "review of %s: %zu tools, against %zu "
	    "serving\n", file, nnew, nold);
	if (signer != NULL)
		evbuffer_add_printf(out, "signed by %s (key %s)\n",
		    json_object_object_get_ex(signer, "principal", &v) ?
		    json_object_get_string(v) : "?",
		    json_object_object_get_ex(signer, "key", &v) ?
		    json_object_get_string(v) : "?");
	else if (unsigned_why != NULL)
		evbuffer_add_printf(out, "NOT SERVABLE: %s\n", unsigned_why);
	for (i = 0; i < nnew; i++) {
		if ((o = review_find(old, nold, new[i]->name)) == NULL) {
			grants_describe(new[i]->allow, grants, sizeof(grants));
			evbuffer_add_printf(out, "added tool '%s'%s%s%s\n",
			    new[i]->name, grants[0] ? " (allow " : "", grants,
			    grants[0] ? ")" : "");
			*widened |= review_grants(out, new[i]->name, NULL,
			    new[i]->allow);
		} else if (o->hash != new[i]->hash)
			*widened |= review_changed(out, o, new[i]);
		else
			same++;
	}
	for (i = 0; i < nold; i++)
		if (review_find(new, nnew, old[i]->name) == NULL)
			evbuffer_add_printf(out, "removed tool '%s'\n",
			    old[i]->name);
	if (same > 0)
		evbuffer_add_printf(out, "unchanged: %zu tools\n", same);
	n = evbuffer_get_length(out);
	text = xmalloc(n + 1);
	evbuffer_remove(out, text, n);
	text[n] = '\0';
	evbuffer_free(out);
	return text;
}

/*
 * The review of a tools file's text (label names it) against the specs
 * that serve (old, nold: none for -t). With --trusted-signers its
 * signature is checked too: sig, its text, or NULL to read label.sig (the
 * daemon's own file). *servable: a reload would take it.
 */
char *
review_file(const char *label, const char *text, size_t len, const char *sig,
    const struct toolspec *const *old, size_t nold, int *widened,
    int *servable)
{
	const struct toolspec	**new;
	struct json_object	 *signer = NULL;
	struct toolset		  set;
	struct sig_info		  info;
	char			  why[1024], err[1024], *out;
	size_t			  i;
	int			  bad = 0;

	memset(&set, 0, sizeof(set));
	*servable = 0;
	if (settings.trusted_signers != NULL && sig != NULL && *sig == '\0') {
		snprintf(why, sizeof(why), "%s.sig: none came with it "
		    "(--trusted-signers is set)", label);
		bad = 1;
	} else if (settings.trusted_signers != NULL) {
		if ((sig != NULL ? signature_verify_text(settings.trusted_signers,
		    label, text, len, sig, strlen(sig), &info, why,
		    sizeof(why)) : signature_verify(settings.trusted_signers,
		    label, text, len, &info, why, sizeof(why))) == -1)
			bad = 1;
		else {
			signer = json_object_new_object();
			json_object_object_add(signer, "principal",
			    json_object_new_string(info.principal));
			json_object_object_add(signer, "key",
			    json_object_new_string(info.fingerprint));
		}
	}
	if (config_load_text(label, text, len, &set, err, sizeof(err)) == -1) {
		toolset_clear(&set);
		json_object_put(signer);
		out = xmalloc(strlen(label) + strlen(err) + 40);
		sprintf(out, "review of %s: NOT SERVABLE: %s\n", label, err);
		*widened = 0;
		return out;
	}
	new = xcalloc(set.n + 1, sizeof(*new));
	for (i = 0; i < set.n; i++)
		new[i] = &set.specs[i];
	out = review_text(label, old, nold, new, set.n, signer,
	    bad ? why : NULL, widened);
	*servable = !bad;
	free(new);
	json_object_put(signer);
	toolset_clear(&set);
	return out;
}
