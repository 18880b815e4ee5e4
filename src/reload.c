/* SPDX-License-Identifier: ISC */
/*
 * Hot update: read the whole file, diff it against what serves by name and
 * content hash, start workers for new and changed tools, and switch routing
 * once every new worker has settled (READY or failed). Old versions drain.
 * A file that cannot be read or parsed changes nothing. One reload runs at
 * a time; a trigger during one schedules exactly one more after it.
 *
 * Each reload's outcome is kept as JSON (what was added, changed, removed,
 * what failed and why): the control request waits for it, -t prints it and
 * status shows it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcp-hotd.h"
#include "catalog.h"
#include "metrics.h"
#include "tool.h"
#include "notify.h"
#include "xmalloc.h"

/*
 * One reload: the versions it started, the control requests waiting for
 * its outcome. Reloads run side by side: a tool that loads slowly (up to
 * its load_timeout_ms) delays only the reload that started it.
 */
/* A control request (mcp-hotd/reload) answered by a reload's outcome. */
struct reload_waiter {
	TAILQ_ENTRY(reload_waiter) entry;
	struct call		*call;	/* not on any list: NEW till answered */
};
TAILQ_HEAD(reload_waiters, reload_waiter);

struct reload {
	TAILQ_ENTRY(reload)	 entry;
	struct tool		**news;		/* versions started; NULL once
						 * superseded by a later file */
	size_t			 nnews;
	unsigned		 waiting;	/* news not settled */
	struct json_object	*result;
	struct json_object	*skipped;	/* entries the file got wrong */
	struct reload_waiters	 waiters;
	int			 first;		/* the startup load */
	struct json_object	*signer;	/* its file's, or NULL */
};
TAILQ_HEAD(reloadq, reload);

/*
 * What the newest file asks for: its names in order, and for each the
 * version that should serve it (the serving one when unchanged, else the
 * one loading for it).
 */
static struct {
	struct reloadq		 running;
	char			**names;
	struct tool		**want;
	size_t			 n;
	int			 started;
	struct json_object	*last;		/* the last reload's result */
	struct json_object	*served;	/* what serves: {"loaded", and
						 * "signer" when signed} */
	struct event		*loading;	/* the first load's notices */
} rl = {
	.running = TAILQ_HEAD_INITIALIZER(rl.running),
};

static void	reload_finish(struct reload *);

/* A long first load tells the service manager it is still going. */
static void
reload_loading_notice(evutil_socket_t fd, short what, void *arg)
{
	struct reload	*r = arg;

	(void)fd;
	(void)what;
	notify_loading((unsigned)(r->nnews - r->waiting), (unsigned)r->nnews);
}

static void
reload_loading_start(struct reload *r)
{
	struct timeval	tv = { NOTIFY_LOADING_MS / 1000,
			    (NOTIFY_LOADING_MS % 1000) * 1000 };

	if ((rl.loading = event_new(sv.base, -1, EV_PERSIST,
	    reload_loading_notice, r)) == NULL)
		fatal("%s", __func__);
	evtimer_add(rl.loading, &tv);
}

static void
reload_loading_stop(void)
{
	if (rl.loading != NULL)
		event_free(rl.loading);
	rl.loading = NULL;
}

struct json_object *
reload_result(void)
{
	return rl.last;
}

/* The file that serves: when it was loaded, who signed it (or NULL). */
struct json_object *
reload_served(void)
{
	return rl.served;
}

/* r's file serves now: its provenance, for status and metrics. */
static void
reload_set_served(struct reload *r)
{
	json_object_put(rl.served);
	rl.served = json_object_new_object();
	json_object_object_add(rl.served, "loaded",
	    json_object_new_int64((int64_t)time(NULL)));
	json_object_object_add(rl.served, "signer", r->signer != NULL ?
	    json_object_get(r->signer) : NULL);
	if (r->signer != NULL)
		json_object_object_add(r->result, "signer",
		    json_object_get(r->signer));
}

static void
reload_wait(struct reload *r, struct call *c)
{
	struct reload_waiter	*w;

	if (c == NULL)
		return;
	w = xcalloc(1, sizeof(*w));
	w->call = c;
	TAILQ_INSERT_TAIL(&r->waiters, w, entry);
}

/* Each waiter gets text (len bytes): the result, or if failed an error. */
static void
reload_answer_waiters(struct reload *r, const char *text, size_t len,
    int failed)
{
	struct reload_waiter	*w;

	while ((w = TAILQ_FIRST(&r->waiters)) != NULL) {
		TAILQ_REMOVE(&r->waiters, w, entry);
		if (failed)
			call_answer_error(w->call, "%s", text);
		else
			call_answer_raw(w->call, text, len);
		free(w);
	}
}

/* Answer control requests waiting for this reload with its result. */
static void
reload_answer(struct reload *r, struct json_object *result)
{
	struct json_object	*v, *failed;
	const char		*s;
	size_t			 len;

	/* ok: the file read and every tool in it loaded. */
	metrics_reload(json_object_object_get_ex(result, "ok", &v) &&
	    json_object_get_boolean(v) && (!json_object_object_get_ex(result,
	    "failed", &failed) || json_object_array_length(failed) == 0));
	if (rl.last != NULL)
		json_object_put(rl.last);
	rl.last = result;
	json_object_object_add(result, "time",
	    json_object_new_int64((int64_t)time(NULL)));
	s = mcp_to_string(result, &len);
	reload_answer_waiters(r, s, len, 0);
}

/* The visible list changed if names, descriptions or schemas differ. */
static int
reload_listing_changed(struct tool **a, size_t na, struct tool **b, size_t nb)
{
	size_t	i, j;

	/* Tools only: prompts and resources are the catalog's to tell. */
	for (i = j = 0;; i++, j++) {
		while (i < na && a[i]->spec.kind != KIND_TOOL)
			i++;
		while (j < nb && b[j]->spec.kind != KIND_TOOL)
			j++;
		if (i == na || j == nb)
			return i != na || j != nb;
		if (a[i] != b[j] && !json_object_equal(a[i]->listing,
		    b[j]->listing))
			return 1;
	}
}

static void
reload_add_name(struct json_object *result, const char *key, const char *name)
{
	struct json_object	*a;

	json_object_object_get_ex(result, key, &a);
	json_object_array_add(a, json_object_new_string(name));
}

static void
reload_add_failure(struct json_object *result, struct tool *t, int kept)
{
	struct json_object	*a, *f;

	json_object_object_get_ex(result, "failed", &a);
	f = json_object_new_object();
	json_object_object_add(f, "name", json_object_new_string(t->spec.name));
	json_object_object_add(f, "error", json_object_new_string(
	    t->last_error ? t->last_error : "unknown error"));
	json_object_object_add(f, "old_version_serving",
	    json_object_new_boolean(kept));
	json_object_array_add(a, f);
	if (kept)
		log_warnx("tool '%s': the new version failed to load, the old "
		    "one keeps serving: %s", t->spec.name, t->last_error);
	else
		log_warnx("tool '%s' failed to load: %s", t->spec.name,
		    t->last_error);
}

static struct json_object *
reload_result_new(void)
{
	struct json_object	*r;

	r = json_object_new_object();
	json_object_object_add(r, "ok", json_object_new_boolean(1));
	json_object_object_add(r, "added", json_object_new_array());
	json_object_object_add(r, "changed", json_object_new_array());
	json_object_object_add(r, "removed", json_object_new_array());
	json_object_object_add(r, "failed", json_object_new_array());
	return r;
}

/* A version finished loading and its reload is done: it may serve. */
static int
reload_switchable(const struct tool *t)
{
	return t != NULL && (t->state == TOOL_SERVING ||
	    (t->state == TOOL_LOADING && t->ever_ready && t->reload == NULL));
}

/*
 * Route what the newest file wants, as far as it is ready: for each name,
 * its wanted version once loaded, else what serves it now. What is no
 * longer routed drains; finished failures go.
 */
static int
reload_switch(int notify)
{
	struct tool	**routes, *t, *next;
	size_t		  i, n = 0;
	int		  visible;

	routes = xcalloc(rl.n, sizeof(*routes));
	for (i = 0; i < rl.n; i++) {
		if (reload_switchable(rl.want[i]))
			routes[n++] = rl.want[i];
		else if ((t = tool_route(rl.names[i])) != NULL)
			routes[n++] = t;
	}
	visible = reload_listing_changed(sv.routes, sv.nroutes, routes, n);
	tool_set_routes(routes, n);
	TAILQ_FOREACH_SAFE(t, &sv.tools, entry, next) {
		if (t->state == TOOL_FAILED && t->reload == NULL)
			tool_free(t);
		else if (t->state == TOOL_SERVING && !tool_is_listed(t))
			tool_drain(t);
	}
	if (visible && notify)
		session_list_changed(0);
	catalog_switch(notify);
	return visible;
}

/* A wanted version failed: the name keeps what served it (if any). */
static void
reload_unwant(struct tool *t)
{
	size_t	i;

	for (i = 0; i < rl.n; i++)
		if (rl.want[i] == t)
			rl.want[i] = tool_route(rl.names[i]);
}

static void
reload_record(struct reload *r, struct tool *t)
{
	struct tool	*old = tool_route(t->spec.name);

	t->reload = NULL;
	if (t->state != TOOL_FAILED) {
		reload_add_name(r->result, old ? "changed" : "added",
		    t->spec.name);
		return;
	}
	reload_add_failure(r->result, t, old != NULL);
	if (old != NULL)
		tool_set_error(old, t->last_error);
	reload_unwant(t);
}

/* Names the file wants whose version an earlier reload still loads. */
static void
reload_loading(struct reload *r)
{
	struct json_object	*a = NULL;
	size_t			 i;

	for (i = 0; i < rl.n; i++) {
		if (rl.want[i] == NULL || rl.want[i]->reload == NULL ||
		    rl.want[i]->reload == r)
			continue;
		if (a == NULL)
			a = json_object_new_array();
		json_object_array_add(a, json_object_new_string(rl.names[i]));
	}
	if (a != NULL)
		json_object_object_add(r->result, "loading", a);
}

static void
reload_finish(struct reload *r)
{
	size_t	i;
	int	visible;

	for (i = 0; i < r->nnews; i++)
		if (r->news[i] != NULL)
			reload_record(r, r->news[i]);
	visible = reload_switch(!r->first);
	reload_loading(r);
	json_object_object_add(r->result, "tools",
	    json_object_new_int((int)sv.nroutes));
	json_object_object_add(r->result, "skipped", r->skipped);
	r->skipped = NULL;
	json_object_object_add(r->result, "list_changed",
	    json_object_new_boolean(visible && !r->first));
	tool_set_failures(r->result);
	reload_set_served(r);
	log_info("%s: %s", r->first ? "loaded" : "reloaded",
	    json_object_to_json_string_ext(r->result, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	TAILQ_REMOVE(&rl.running, r, entry);
	reload_answer(r, r->result);
	if (r->first)
		reload_loading_stop();
	if (r->first && sv.ready_cb != NULL)
		sv.ready_cb();
	notify_ready(tool_workers_total());
	json_object_put(r->signer);
	free(r->news);
	free(r);
}

static void
reload_failed(struct call *waiter, const char *err)
{
	struct json_object	*result = json_object_new_object();
	struct reload		 r = { .waiters = TAILQ_HEAD_INITIALIZER(
				    r.waiters) };

	log_warnx("reload failed, the %zu serving tools stay as they were: %s",
	    sv.nroutes, err);
	json_object_object_add(result, "ok", json_object_new_boolean(0));
	json_object_object_add(result, "error", json_object_new_string(err));
	json_object_object_add(result, "tools",
	    json_object_new_int((int)sv.nroutes));
	reload_wait(&r, waiter);
	reload_answer(&r, result);
}

/* Names the file drops: they leave at this reload's switch. */
static void
reload_removed(struct reload *r, const struct toolset *set)
{
	size_t	i, j;

	for (i = 0; i < sv.nroutes; i++) {
		for (j = 0; j < set->n; j++)
			if (strcmp(set->specs[j].name,
			    sv.routes[i]->spec.name) == 0)
				break;
		if (j == set->n)
			reload_add_name(r->result, "removed",
			    sv.routes[i]->spec.name);
	}
}

/*
 * The wishes of the file before this one that this one drops: versions
 * still loading for them are stopped; their reloads no longer wait.
 */
static void
reload_supersede(char **names, struct tool **want, size_t n)
{
	struct reload	*owner;
	struct tool	*t;
	size_t		 i, j, k;

	for (i = 0; i < n; i++) {
		t = want[i];
		for (j = 0; j < rl.n && rl.want[j] != t; j++)
			;
		free(names[i]);
		if (t == NULL || j < rl.n || t->reload == NULL)
			continue;
		owner = t->reload;
		for (k = 0; k < owner->nnews; k++)
			if (owner->news[k] == t)
				owner->news[k] = NULL;
		log_info("tool '%s': a newer file replaced the version still "
		    "loading", t->spec.name);
		if (t->reloading) {
			t->reloading = 0;
			owner->waiting--;
		}
		tool_free(t);
		if (owner->waiting == 0)
			reload_finish(owner);
	}
	free(names);
	free(want);
}

/* The newest file's wishes, new versions started for what changed. */
static void
reload_want(struct reload *r, struct toolset *set)
{
	char		**names = rl.names;
	struct tool	**want = rl.want, *cur;
	size_t		  i, j, n = rl.n;

	rl.names = xcalloc(set->n + 1, sizeof(*rl.names));
	rl.want = xcalloc(set->n + 1, sizeof(*rl.want));
	r->news = xcalloc(set->n + 1, sizeof(*r->news));
	for (i = 0; i < set->n; i++) {
		rl.names[i] = xstrdup(set->specs[i].name);
		cur = NULL;
		for (j = 0; j < n && cur == NULL; j++)
			if (strcmp(names[j], rl.names[i]) == 0)
				cur = want[j];
		if (cur == NULL)
			cur = tool_route(rl.names[i]);
		rl.want[i] = cur;
	}
	rl.n = set->n;
	r->waiting = 1;		/* none settles us while we start them */
	for (i = 0; i < set->n; i++)
		if (rl.want[i] == NULL ||
		    rl.want[i]->spec.hash != set->specs[i].hash) {
			r->waiting++;
			rl.want[i] = r->news[r->nnews++] =
			    tool_new(&set->specs[i], r);
		}
	reload_supersede(names, want, n);
}

static void
reload_begin(const char *why, struct call *waiter)
{
	struct toolset	 set;
	struct reload	*r;
	char		 err[1024];

	log_info("reloading %s (%s)", settings.config_path, why);
	if (config_load(settings.config_path, &set, err, sizeof(err)) == -1) {
		toolset_clear(&set);
		if (!rl.started)
			fatalx("%s", err);
		reload_failed(waiter, err);
		return;
	}
	if (rl.started)
		notify_reloading();
	r = xcalloc(1, sizeof(*r));
	TAILQ_INIT(&r->waiters);
	reload_wait(r, waiter);
	r->first = !rl.started;
	rl.started = 1;
	r->result = reload_result_new();
	r->skipped = json_object_get(set.skipped);
	r->signer = json_object_get(set.signer);
	reload_removed(r, &set);
	catalog_want(set.catalog);
	set.catalog = NULL;
	TAILQ_INSERT_TAIL(&rl.running, r, entry);
	reload_want(r, &set);
	toolset_clear(&set);
	if (r->first && r->waiting > 1)
		reload_loading_start(r);
	if (--r->waiting == 0)
		reload_finish(r);
}

/*
 * Every trigger reloads at once: a reload that waits for a slow tool
 * holds up no other (see struct reload).
 */
void
reload_request(const char *why, struct call *waiter)
{
	reload_begin(why, waiter);
}

void
reload_tool_settled(struct tool *t)
{
	struct reload	*r = t->reload;

	if (!t->reloading || r == NULL)
		return;
	t->reloading = 0;
	if (--r->waiting == 0)
		reload_finish(r);
}

/* Control requests still waiting get an answer before we exit. */
void
reload_shutdown(void)
{
	struct reload	*r;
	size_t		 i;

	reload_loading_stop();
	while ((r = TAILQ_FIRST(&rl.running)) != NULL) {
		TAILQ_REMOVE(&rl.running, r, entry);
		reload_answer_waiters(r, "the server is shutting down", 0, 1);
		for (i = 0; i < r->nnews; i++)
			if (r->news[i] != NULL)
				r->news[i]->reload = NULL;
		json_object_put(r->result);
		json_object_put(r->skipped);
		json_object_put(r->signer);
		free(r->news);
		free(r);
	}
	for (i = 0; i < rl.n; i++)
		free(rl.names[i]);
	free(rl.names);
	free(rl.want);
	rl.names = NULL;
	rl.want = NULL;
	rl.n = 0;
	if (rl.last != NULL)
		json_object_put(rl.last);
	rl.last = NULL;
	json_object_put(rl.served);
	rl.served = NULL;
	catalog_clear();
}
