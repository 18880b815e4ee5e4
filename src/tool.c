/* SPDX-License-Identifier: ISC */
/*
 * The tool table: every live version of every tool, the routing table
 * (which version answers a name), and each version's FIFO call queue.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "metrics.h"
#include "tool.h"
#include "schedule.h"
#include "xmalloc.h"


static void	tool_spawn(struct tool *);
static void	tool_idle_later(struct tool *);
static void	tool_ended(struct tool *, struct worker *, int, const char *);
static const struct worker_ops tool_worker_ops;

struct tool *
tool_new(struct toolspec *spec, struct reload *r)
{
	struct tool	*t;

	t = xcalloc(1, sizeof(*t));
	t->spec = *spec;
	memset(spec, 0, sizeof(*spec));
	t->state = TOOL_LOADING;
	t->metrics = metrics_tool(t->spec.name);
	t->reload = r;		/* only a reload makes tools; it waits for us */
	t->reloading = 1;
	TAILQ_INIT(&t->queue);
	TAILQ_INSERT_TAIL(&sv.tools, t, entry);
	tool_spawn(t);
	return t;
}

static void
tool_fail_queue(struct tool *t, const char *why)
{
	call_fail_all(&t->queue, "tool '%s' is unavailable: %s", t->spec.name,
	    why);
}

/* The pool: its workers, all equal, oldest first. */
static void
tool_pool_add(struct tool *t, struct worker *w)
{
	if (t->nworkers == t->pool_size) {
		t->pool_size = t->pool_size == 0 ? 1 : 2 * t->pool_size;
		t->pool = xreallocarray(t->pool, t->pool_size,
		    sizeof(*t->pool));
	}
	t->pool[t->nworkers++] = w;
}

static void
tool_pool_remove(struct tool *t, struct worker *w)
{
	unsigned	i;

	for (i = 0; i < t->nworkers; i++)
		if (t->pool[i] == w)
			break;
	if (i == t->nworkers)
		fatalx("%s: not in its pool", __func__);
	memmove(&t->pool[i], &t->pool[i + 1],
	    (t->nworkers - i - 1) * sizeof(*t->pool));
	t->nworkers--;
}

/* w is no longer the tool's (retired, the tool gone): it leaves on EOF. */
static void
tool_let_go(struct tool *t, struct worker *w)
{
	tool_pool_remove(t, w);
	worker_let_go(w);
}

void
tool_free(struct tool *t)
{
	tool_fail_queue(t, "the tool was removed");
	while (t->nworkers > 0)
		tool_let_go(t, t->pool[0]);
	free(t->pool);
	if (t->retry != NULL)
		event_free(t->retry);
	if (t->idle != NULL)
		event_free(t->idle);
	if (t->listing != NULL)
		json_object_put(t->listing);
	schema_free(t->schema);
	schema_free(t->out_schema);
	json_object_put(t->asks);
	TAILQ_REMOVE(&sv.tools, t, entry);
	toolspec_clear(&t->spec);
	free(t->last_error);
	free(t);
}

void
tool_set_error(struct tool *t, const char *err)
{
	free(t->last_error);
	t->last_error = xstrdup(err);
}

/* One more worker; a start that fails at once is a failed start. */
static void
tool_spawn(struct tool *t)
{
	struct worker	*w;
	char		 err[512];

	if ((w = spawn_worker(t, &tool_worker_ops, err, sizeof(err))) == NULL)
		tool_ended(t, NULL, 0, err);
	else
		tool_pool_add(t, w);
}

static void
tool_retry(evutil_socket_t fd, short what, void *arg)
{
	struct tool	*t = arg;

	(void)fd;
	(void)what;
	t->restarts++;
	metrics_restart(t->metrics);
	tool_spawn(t);
}

/* A replacement worker after a death, at once or after a backoff. */
static void
tool_respawn(struct tool *t)
{
	struct timeval	tv;
	unsigned	ms = sched_backoff_ms(t->deaths);

	if (ms == 0) {
		t->restarts++;
		metrics_restart(t->metrics);
		tool_spawn(t);
		return;
	}
	log_warnx("tool '%s': %u failures in a row, next start in %u ms",
	    t->spec.name, t->deaths, ms);
	if (t->retry == NULL &&
	    (t->retry = evtimer_new(sv.base, tool_retry, t)) == NULL)
		fatal("%s", __func__);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(t->retry, &tv);
}

struct tool *
tool_route_in(struct tool **routes, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(routes[i]->spec.name, name) == 0)
			return routes[i];
	return NULL;
}

struct tool *
tool_route(const char *name)
{
	return tool_route_in(sv.routes, sv.nroutes, name);
}

void
tool_set_routes(struct tool **routes, size_t n)
{
	size_t		i;
	uint64_t	h = 0;

	free(sv.routes);
	sv.routes = routes;
	sv.nroutes = n;
	for (i = 0; i < n; i++) {
		sv.routes[i]->state = TOOL_SERVING;
		if (sv.routes[i]->spec.kind == KIND_TOOL)
			h = hash_bytes(h, &sv.routes[i]->spec.version,
			    sizeof(sv.routes[i]->spec.version));
	}
	/*
	 * What this instance serves, so an operator sees a fleet converge:
	 * of the entries as the file has them, so instances serving one file
	 * agree, and no env grant's value (a secret) shapes it.
	 */
	snprintf(sv.tools_version, sizeof(sv.tools_version), "%016llx",
	    (unsigned long long)h);
}

/*
 * After a reload: why each tool of the file that serves no version did not
 * load (result's "failed" without an old version, and "skipped"), so a
 * caller hears that rather than "unknown tool".
 */
void
tool_set_failures(struct json_object *result)
{
	static const char *const lists[] = { "failed", "skipped" };
	struct json_object	*a, *f, *name, *err;
	size_t			 i, k;

	json_object_put(sv.failures);
	sv.failures = json_object_new_object();
	for (k = 0; k < 2; k++) {
		if (!json_object_object_get_ex(result, lists[k], &a))
			continue;
		for (i = 0; i < json_object_array_length(a); i++) {
			f = json_object_array_get_idx(a, i);
			if (json_object_object_get_ex(f, "name", &name) &&
			    json_object_object_get_ex(f, "error", &err) &&
			    tool_route(json_object_get_string(name)) == NULL)
				json_object_object_add(sv.failures,
				    json_object_get_string(name),
				    json_object_get(err));
		}
	}
}

/* Why the tool called name failed to load, or NULL. */
const char *
tool_failure(const char *name)
{
	struct json_object	*err;

	if (sv.failures == NULL ||
	    !json_object_object_get_ex(sv.failures, name, &err))
		return NULL;
	return json_object_get_string(err);
}

static const char *const tool_state_names[] = {
	[TOOL_LOADING] = "loading",
	[TOOL_SERVING] = "serving",
	[TOOL_DRAINING] = "draining",
	[TOOL_FAILED] = "failed",
};

/* A version as status shows it; its oldest worker speaks for the pool. */
static struct json_object *
tool_status_of(struct tool *t)
{
	struct json_object	*o;
	struct worker		*w = t->nworkers > 0 ? t->pool[0] : NULL;
	char			 hash[17];

	snprintf(hash, sizeof(hash), "%016" PRIx64, t->spec.version);
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(t->spec.name));
	json_object_object_add(o, "version", json_object_new_string(hash));
	json_object_object_add(o, "state",
	    json_object_new_string(tool_state_names[t->state]));
	json_object_object_add(o, "pid", w != NULL ?
	    json_object_new_int(worker_pid(w)) : NULL);
	json_object_object_add(o, "worker", json_object_new_string(
	    w == NULL ? "none" : worker_state_name(w)));
	json_object_object_add(o, "workers", json_object_new_int(
	    (int)t->nworkers));
	json_object_object_add(o, "calls_served",
	    json_object_new_int64((int64_t)t->calls_served));
	json_object_object_add(o, "queued",
	    json_object_new_int((int)call_count(&t->queue, 0)));
	if (t->spec.allow != NULL)
		json_object_object_add(o, "allow",
		    json_object_get(t->spec.allow));
	json_object_object_add(o, "restarts",
	    json_object_new_int64((int64_t)t->restarts));
	json_object_object_add(o, "last_error", t->last_error ?
	    json_object_new_string(t->last_error) : NULL);
	metrics_status(t->metrics, o);
	return o;
}

/* Every live version, as `mcp-hotctl status` shows them. */
struct json_object *
tool_status(void)
{
	struct json_object	*a = json_object_new_array();
	struct tool		*t;

	TAILQ_FOREACH(t, &sv.tools, entry)
		json_object_array_add(a, tool_status_of(t));
	return a;
}

/* Workers of every live version (status counts them so). */
unsigned
tool_workers_total(void)
{
	struct tool	*t;
	unsigned	 n = 0;

	TAILQ_FOREACH(t, &sv.tools, entry)
		n += t->nworkers;
	return n;
}

const struct toolspec *
tool_spec(const struct tool *t)
{
	return &t->spec;
}

/* Its tools/list entry (NULL until READY). */
struct json_object *
tool_listing(const struct tool *t)
{
	return t->listing;
}

/* Its inputSchema, compiled; every call's arguments are checked by it. */
struct schema *
tool_schema(const struct tool *t)
{
	return t->schema;
}

/* The client capabilities its code asks for (READY), or NULL. */
struct json_object *
tool_asks(const struct tool *t)
{
	return t->asks;
}

/* Its code imports mcp_hotd: calls bring it CALL_META. */
int
tool_uses_context(const struct tool *t)
{
	return t->uses_context;
}

int
tool_is_listed(const struct tool *t)
{
	size_t	i;

	for (i = 0; i < sv.nroutes; i++)
		if (sv.routes[i] == t)
			return 1;
	return 0;
}

/* Every worker of the version is idle. */
static int
tool_worker_idle(const struct tool *t)
{
	unsigned	i;

	for (i = 0; i < t->nworkers; i++)
		if (!worker_idle(t->pool[i]))
			return 0;
	return 1;
}

/* A draining version is done: its queue empty, its worker idle. */
static int
tool_drained(const struct tool *t)
{
	return t->state == TOOL_DRAINING && TAILQ_EMPTY(&t->queue) &&
	    tool_worker_idle(t);
}

/* A drained version goes; its callers return right after. */
static void
tool_free_drained(struct tool *t)
{
	log_debug("tool '%s': old version drained", t->spec.name);
	tool_free(t);
}

/* The worker to send the next call to (sched_pick), or NULL. */
static struct worker *
tool_pick(struct tool *t, unsigned window)
{
	struct sched_worker	 s[MAX_CONCURRENCY];
	size_t			 i, n = t->nworkers;
	int			 k;

	if (n > MAX_CONCURRENCY)
		n = MAX_CONCURRENCY;
	for (i = 0; i < n; i++) {
		s[i].usable = worker_usable(t->pool[i]);
		s[i].nsent = worker_nsent(t->pool[i]);
	}
	if ((k = sched_pick(s, n, window)) == -1)
		return NULL;
	return t->pool[k];
}

static unsigned
tool_starting(const struct tool *t)
{
	unsigned	i, n = 0;

	for (i = 0; i < t->nworkers; i++)
		n += worker_loading(t->pool[i]) != 0;
	return n;
}

/* Its pool, as schedule.c's rules see it. */
static struct sched_pool
tool_pool(const struct tool *t)
{
	return (struct sched_pool){
		.workers = t->nworkers,
		.starting = tool_starting(t),
		.retrying = t->retry != NULL && evtimer_pending(t->retry, NULL),
		.serving = t->state == TOOL_SERVING,
		.queued = (unsigned)call_count(&t->queue, SCHED_STARTS_MAX),
		.deaths = t->deaths,
		.concurrency = t->spec.concurrency,
		.min_workers = t->spec.min_workers
	};
}

/*
 * Grow the pool by one when calls wait and every worker is full (or to
 * reach min_workers), one start at a time, not while the tool fails; a
 * pool emptied by idleness (min_workers 0) starts again here.
 */
static void
tool_grow(struct tool *t)
{
	struct sched_pool	p = tool_pool(t);

	switch (sched_grow(&p)) {
	case SCHED_STAY:
		return;
	case SCHED_START:
		log_debug("tool '%s': started for a call", t->spec.name);
		break;
	case SCHED_GROW:
		log_debug("tool '%s': pool of %u", t->spec.name,
		    t->nworkers + 1);
		break;
	}
	tool_spawn(t);
}

static void
tool_dispatch(struct tool *t)
{
	struct worker	*w;
	struct call	*c;
	unsigned	 window = t->nworkers > 0 && worker_slots(t->pool[0]) > 1 ?
			    worker_slots(t->pool[0]) :
			    sched_window(t->call_us, t->spec.concurrency);
	struct sched_pool p;

	while ((c = window == WORKER_WINDOW ? call_first(&t->queue) :
	    call_fair_next(&t->queue)) != NULL &&
	    (w = tool_pick(t, window)) != NULL)
		worker_send_call(w, c);
	p = (struct sched_pool){ .workers = t->nworkers,
	    .queued = !TAILQ_EMPTY(&t->queue),
	    .min_workers = t->spec.min_workers };
	if (sched_wants_more(&p))
		tool_grow(t);
	else if (t->spec.concurrency > 1 || t->spec.min_workers == 0)
		tool_idle_later(t);
}

/* Idle workers beyond min_workers retire (a pool, or min_workers 0). */
static void
tool_retire(evutil_socket_t fd, short what, void *arg)
{
	struct tool		*t = arg;
	struct worker		*w;
	struct sched_pool	 p;
	unsigned		 i;

	(void)fd;
	(void)what;
	if (t->state == TOOL_LOADING) {		/* not switched in yet */
		tool_idle_later(t);
		return;
	}
	for (i = t->nworkers; i-- > 0;) {	/* the newest first */
		w = t->pool[i];
		p = tool_pool(t);
		if (!sched_may_retire(&p))
			break;
		if (!worker_idle(w))
			continue;
		if (t->nworkers == 1)
			log_debug("tool '%s': idle, its worker retires",
			    t->spec.name);
		tool_let_go(t, w);
	}
}

static void
tool_idle_later(struct tool *t)
{
	struct timeval	tv = { t->spec.idle_ms / 1000,
			    (t->spec.idle_ms % 1000) * 1000 };

	if (t->idle == NULL &&
	    (t->idle = evtimer_new(sv.base, tool_retire, t)) == NULL)
		fatal("%s", __func__);
	if (!evtimer_pending(t->idle, NULL))
		evtimer_add(t->idle, &tv);
}

/* A call took us: the average that sizes the window above. */
void
tool_call_time(struct tool *t, unsigned us)
{
	t->call_us = t->call_us == 0 ? us : (t->call_us * 3 + us) / 4;
}

/* A cancelled call left the queue (call_cancel): the tool may be done. */
void
tool_call_dropped(struct tool *t)
{
	if (tool_drained(t))
		tool_free_drained(t);
}

void
tool_enqueue(struct tool *t, struct call *c)
{
	if (t->nworkers == 0 && t->retry != NULL &&
	    evtimer_pending(t->retry, NULL)) {
		metrics_error(t->metrics, ME_UNAVAILABLE);
		call_answer_error(c, "tool '%s' is unavailable after %u "
		    "failures in a row: %s", t->spec.name, t->deaths,
		    t->last_error ? t->last_error : "unknown error");
		return;
	}
	call_enqueue(c, &t->queue);
	tool_dispatch(t);
}

/* Its tools/list entry, or NULL when it has no description at all. */
static struct json_object *
tool_make_listing(struct tool *t, struct json_object *ready)
{
	struct json_object	*l, *schema, *doc = NULL, *exec;
	const char		*desc = t->spec.description;

	if (desc == NULL && json_object_object_get_ex(ready, "doc", &doc) &&
	    json_object_is_type(doc, json_type_string) &&
	    json_object_get_string_len(doc) > 0)
		desc = json_object_get_string(doc);
	if (desc == NULL && t->spec.kind == KIND_TOOL)
		return NULL;	/* a prompt's or resource's is optional */
	l = json_object_new_object();
	json_object_object_add(l, "name",
	    json_object_new_string(t->spec.name));
	if (t->spec.title != NULL)
		json_object_object_add(l, "title",
		    json_object_new_string(t->spec.title));
	if (desc != NULL)
		json_object_object_add(l, "description",
		    json_object_new_string(desc));
	/* A declared schema is kept as written; else the derived one. */
	if ((schema = t->spec.input_schema) == NULL &&
	    !json_object_object_get_ex(ready, "inputSchema", &schema))
		schema = NULL;
	json_object_object_add(l, "inputSchema", schema ?
	    json_object_get(schema) : json_object_new_object());
	if ((schema = t->spec.output_schema) != NULL ||
	    json_object_object_get_ex(ready, "outputSchema", &schema))
		json_object_object_add(l, "outputSchema",
		    json_object_get(schema));
	if (t->spec.annotations != NULL)
		json_object_object_add(l, "annotations",
		    json_object_get(t->spec.annotations));
	if (t->spec.task_support != TASK_FORBIDDEN) {
		exec = json_object_new_object();
		json_object_object_add(exec, "taskSupport",
		    json_object_new_string(t->spec.task_support ==
		    TASK_REQUIRED ? "required" : "optional"));
		json_object_object_add(l, "execution", exec);
	}
	return l;
}

/*
 * What READY says of the tool's Context: whether it uses one (its calls
 * then come with CALL_META) and which client capabilities its code asks
 * for (a 2026 client lacking one hears it before the call runs).
 */
static void
tool_read_context(struct tool *t, struct json_object *ready)
{
	struct json_object	*v;
	size_t			 i;

	if (t->ever_ready)
		return;
	t->uses_context = json_object_object_get_ex(ready, "context", &v) &&
	    json_object_get_boolean(v);
	if (!json_object_object_get_ex(ready, "asks", &v) ||
	    !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) == 0)
		return;
	for (i = 0; i < json_object_array_length(v); i++)
		if (!json_object_is_type(json_object_array_get_idx(v, i),
		    json_type_string))
			return;		/* not from our toolhost: ignored */
	t->asks = json_object_get(v);
}

/* w of t is READY: the first one makes its listing and schemas. */
static void
tool_worker_ready(struct tool *t, struct worker *w, struct json_object *ready)
{
	struct json_object	*schema;
	char			 why[256];

	if (t->listing == NULL &&
	    (t->listing = tool_make_listing(t, ready)) == NULL) {
		tool_let_go(t, w);
		tool_ended(t, NULL, 0, "no 'description' in the entry and the "
		    "function has no docstring");
		return;
	}
	if (t->schema == NULL) {
		json_object_object_get_ex(t->listing, "inputSchema", &schema);
		if ((t->schema = schema_compile(schema, why,
		    sizeof(why))) == NULL ||
		    (json_object_object_get_ex(t->listing, "outputSchema",
		    &schema) && (t->out_schema = schema_compile(schema, why,
		    sizeof(why))) == NULL)) {
			tool_let_go(t, w);
			tool_ended(t, NULL, 0, why);
			return;
		}
	}
	tool_read_context(t, ready);
	t->ever_ready = 1;
	if (t->spec.concurrency > 1 || t->spec.min_workers == 0)
		tool_idle_later(t);
	if (t->state == TOOL_LOADING) {
		reload_tool_settled(t);
		return;
	}
	if (tool_drained(t)) {
		tool_free_drained(t);
		return;
	}
	tool_dispatch(t);
}

/*
 * Worker w of t (or a start that made none: w NULL) ended: it failed to
 * load (was_ready 0) or died after READY, saying why. The first load's
 * failure is the tool's; after that a death counts towards the backoff,
 * and an empty pool (or one below min_workers) gets a new worker.
 */
static void
tool_ended(struct tool *t, struct worker *w, int was_ready, const char *why)
{
	char	msg[512];

	if (w != NULL)
		tool_pool_remove(t, w);
	if (t->state == TOOL_LOADING && !t->ever_ready && t->nworkers == 0) {
		tool_set_error(t, why);
		t->state = TOOL_FAILED;
		reload_tool_settled(t);
		return;
	}
	t->deaths++;
	if (was_ready) {
		snprintf(msg, sizeof(msg), "its last worker %s", why);
		tool_set_error(t, msg);
	} else {
		log_warnx("tool '%s': worker failed to start: %s",
		    t->spec.name, why);
		tool_set_error(t, why);
		if (t->nworkers == 0)
			tool_fail_queue(t, why);
	}
	if (tool_drained(t)) {
		tool_free_drained(t);
		return;
	}
	if (t->nworkers == 0 || t->nworkers < (unsigned)t->spec.min_workers)
		tool_respawn(t);
	else
		tool_dispatch(t);
}

void
tool_result(struct tool *t)
{
	t->deaths = 0;
	t->calls_served++;
	if (tool_drained(t)) {
		tool_free_drained(t);
		return;
	}
	tool_dispatch(t);
}

void
tool_drain(struct tool *t)
{
	t->state = TOOL_DRAINING;
	if (t->retry != NULL)
		evtimer_del(t->retry);
	if (t->nworkers == 0)
		tool_fail_queue(t, t->last_error ? t->last_error :
		    "the tool was replaced");
	if (tool_drained(t))
		tool_free_drained(t);
}

void
tool_kill_all(void)
{
	struct tool	*t;

	free(sv.routes);
	sv.routes = NULL;
	sv.nroutes = 0;
	while ((t = TAILQ_FIRST(&sv.tools)) != NULL)
		tool_free(t);
}

/*
 * A result of a tool with an outputSchema (d: its tokens, a checked result
 * object): 0 when it is an error or its structuredContent fits, else -1
 * with why. The spec has servers keep that promise.
 */
int
tool_check_output(struct tool *t, const struct jdoc *d, char *why,
    size_t whylen)
{
	static const char *const keys[] = { "isError", "structuredContent" };
	static const size_t	 klen[] = { 7, 17 };
	int			 v[2], sc, ie;
	char			 err[400];

	if (t->spec.kind != KIND_TOOL)
		return 0;	/* catalog_render checks the others */
	if ((sc = jdoc_member(d, 0, "content")) == -1 ||
	    d->t[sc].type != JT_ARRAY) {
		snprintf(why, whylen, "tool '%s' sent no CallToolResult (no "
		    "content)", t->spec.name);
		return -1;
	}
	if (t->out_schema == NULL)
		return 0;
	jdoc_members(d, 0, keys, klen, v, 2);
	ie = v[0];
	if (ie != -1 && d->t[ie].type == JT_TRUE)
		return 0;
	if ((sc = v[1]) == -1)
		snprintf(why, whylen, "tool '%s' broke its outputSchema: its "
		    "result has no structuredContent", t->spec.name);
	else if (schema_check_output(t->out_schema, d, sc, err,
	    sizeof(err)) == -1)
		snprintf(why, whylen, "tool '%s' broke its outputSchema: %s",
		    t->spec.name, err);
	else
		return 0;
	return -1;
}

/*
 * A worker's owner, as worker.c sees it: the tool it serves (worker_tool,
 * NULL once the tool let it go).
 */
static void
tool_on_ready(struct worker *w, struct json_object *ready)
{
	spawn_loaded(w);
	if (worker_tool(w) != NULL)
		tool_worker_ready(worker_tool(w), w, ready);
}

static void
tool_on_failed(struct worker *w, struct tool *t, const char *err)
{
	tool_ended(t, w, 0, err);
}

static int
tool_on_output(struct worker *w, const struct jdoc *d, char *why, size_t len)
{
	struct tool	*t = worker_tool(w);

	return t != NULL ? tool_check_output(t, d, why, len) : 0;
}

static void
tool_on_answered(struct worker *w, unsigned usec, int is_error)
{
	metrics_call(worker_tool(w)->metrics, usec, is_error);
	tool_call_time(worker_tool(w), usec);
	tool_result(worker_tool(w));
}

static void
tool_on_lost(struct worker *w, int kind, unsigned n)
{
	while (n-- > 0)
		metrics_error(worker_tool(w)->metrics, kind);
}

/* A call of t answered with an error before any worker ran it. */
void
tool_count_error(struct tool *t, int kind)
{
	metrics_error(t->metrics, kind);
}

/*
 * Per tool name, at each scrape: its workers and calls waiting, summed
 * over its live versions (a reload's old one draining included).
 */
void
tool_metrics_gauges(struct evbuffer *b)
{
	static const struct {
		const char	*name, *help, *type;
	} g[] = {
		{ "mcp_hotd_tool_workers", "Worker processes.", "gauge" },
		{ "mcp_hotd_tool_queued", "Calls waiting for a worker.",
		    "gauge" }
	};
	struct tool	*t, *u;
	uint64_t	 v;
	size_t		 i;

	for (i = 0; i < sizeof(g) / sizeof(*g); i++) {
		metrics_family(b, g[i].name, g[i].type, g[i].help);
		TAILQ_FOREACH(t, &sv.tools, entry) {
			for (u = TAILQ_FIRST(&sv.tools); u != t;
			    u = TAILQ_NEXT(u, entry))
				if (strcmp(u->spec.name, t->spec.name) == 0)
					break;
			if (u != t)
				continue;	/* its name was said */
			for (v = 0, u = t; u != NULL; u = TAILQ_NEXT(u, entry)) {
				if (strcmp(u->spec.name, t->spec.name) != 0)
					continue;
				v += i == 0 ? u->nworkers :
				    call_count(&u->queue, 0);
			}
			evbuffer_add_printf(b, "%s{tool=\"", g[i].name);
			metrics_label(b, t->spec.name);
			evbuffer_add_printf(b, "\"} %" PRIu64 "\n", v);
		}
	}
}

static struct callq *
tool_on_queue(struct worker *w)
{
	return &worker_tool(w)->queue;
}

static void
tool_on_gone(struct worker *w, int was_ready, const char *how)
{
	tool_ended(worker_tool(w), w, was_ready, how);
}

/* A stopped async call ended: its slot takes the next call. */
static void
tool_on_room(struct worker *w)
{
	struct tool	*t = worker_tool(w);

	if (tool_drained(t))
		tool_free_drained(t);
	else
		tool_dispatch(t);
}

static const struct worker_ops tool_worker_ops = {
	.ready = tool_on_ready,
	.failed = tool_on_failed,
	.output = tool_on_output,
	.answered = tool_on_answered,
	.queue = tool_on_queue,
	.gone = tool_on_gone,
	.freed = spawn_forget,
	.room = tool_on_room,
	.lost = tool_on_lost
};
