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

struct reload_slot {
	struct tool	*old;		/* serving version, if any */
	struct tool	*new;		/* version being loaded, if any */
};

static struct {
	int			 running;
	int			 pending;
	int			 first;		/* the startup load */
	struct reload_slot	*slots;
	size_t			 nslots;
	unsigned		 waiting;	/* new versions not settled */
	struct json_object	*skipped;	/* entries the file got wrong */
	struct callq		 waiters;	/* answered by this reload */
	struct callq		 next_waiters;	/* by the one after */
	struct json_object	*last;		/* the last reload's result */
} rl = {
	.first = 1,
	.waiters = TAILQ_HEAD_INITIALIZER(rl.waiters),
	.next_waiters = TAILQ_HEAD_INITIALIZER(rl.next_waiters),
};

static void	reload_begin(const char *);
static void	reload_done(void);

struct json_object *
reload_result(void)
{
	return rl.last;
}

void
reload_request(const char *why, struct call *waiter)
{
	if (rl.running) {
		rl.pending = 1;
		if (waiter != NULL)
			TAILQ_INSERT_TAIL(&rl.next_waiters, waiter, qentry);
		log_debug("reload (%s) queued behind the one running", why);
		return;
	}
	if (waiter != NULL)
		TAILQ_INSERT_TAIL(&rl.waiters, waiter, qentry);
	reload_begin(why);
}

/* Answer control requests waiting for this reload with its result. */
static void
reload_answer(struct json_object *result)
{
	struct call	*c;
	const char	*s;
	size_t		 len;

	if (rl.last != NULL)
		json_object_put(rl.last);
	rl.last = result;
	json_object_object_add(result, "time",
	    json_object_new_int64((int64_t)time(NULL)));
	s = mcp_to_string(result, &len);
	while ((c = TAILQ_FIRST(&rl.waiters)) != NULL) {
		TAILQ_REMOVE(&rl.waiters, c, qentry);
		call_answer_raw(c, s, len);
	}
}

/* The visible list changed if names, descriptions or schemas differ. */
static int
reload_listing_changed(struct tool **a, size_t na, struct tool **b, size_t nb)
{
	size_t	i;

	if (na != nb)
		return 1;
	for (i = 0; i < na; i++)
		if (a[i] != b[i] && !json_object_equal(a[i]->listing,
		    b[i]->listing))
			return 1;
	return 0;
}

static int
reload_in(struct tool **routes, size_t n, struct tool *t)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (routes[i] == t)
			return 1;
	return 0;
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

/* The new routing table, in file order, recording what happened. */
static struct tool **
reload_routes(struct json_object *result, size_t *np)
{
	struct tool		**routes;
	struct reload_slot	 *s;
	size_t			  i, n = 0;

	if ((routes = calloc(rl.nslots ? rl.nslots : 1,
	    sizeof(*routes))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < rl.nslots; i++) {
		s = &rl.slots[i];
		if (s->new != NULL && s->new->state != TOOL_FAILED) {
			routes[n++] = s->new;
			reload_add_name(result, s->old ? "changed" : "added",
			    s->new->spec.name);
		} else if (s->new != NULL) {
			reload_add_failure(result, s->new, s->old != NULL);
			if (s->old != NULL) {
				tool_set_error(s->old, s->new->last_error);
				routes[n++] = s->old;
			}
		} else
			routes[n++] = s->old;
	}
	*np = n;
	return routes;
}

static void
reload_finish(void)
{
	struct json_object	*result = reload_result_new();
	struct tool		**routes, *t, *next;
	size_t			  n, i;
	int			  visible;

	routes = reload_routes(result, &n);
	for (i = 0; i < sv.nroutes; i++)
		if (!reload_in(routes, n, sv.routes[i]) &&
		    tool_route_in(routes, n, sv.routes[i]->spec.name) == NULL)
			reload_add_name(result, "removed",
			    sv.routes[i]->spec.name);
	visible = reload_listing_changed(sv.routes, sv.nroutes, routes, n);
	tool_set_routes(routes, n);
	TAILQ_FOREACH_SAFE(t, &sv.tools, entry, next) {
		if (t->state == TOOL_FAILED)
			tool_free(t);
		else if (t->state == TOOL_SERVING && !tool_is_listed(t))
			tool_drain(t);
	}
	json_object_object_add(result, "tools", json_object_new_int((int)n));
	json_object_object_add(result, "skipped", rl.skipped);
	rl.skipped = NULL;
	json_object_object_add(result, "list_changed",
	    json_object_new_boolean(visible && !rl.first));
	log_info("%s: %s", rl.first ? "loaded" : "reloaded",
	    json_object_to_json_string_ext(result, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	if (visible && !rl.first)
		session_notify_all("notifications/tools/list_changed");
	free(rl.slots);
	rl.slots = NULL;
	rl.nslots = 0;
	rl.running = 0;
	reload_answer(result);
	reload_done();
}

/* After a reload (or a failed one): the first load's hook, the next one. */
static void
reload_done(void)
{
	if (rl.first) {
		rl.first = 0;
		if (sv.ready_cb != NULL)
			sv.ready_cb();
	}
	if (rl.pending) {
		rl.pending = 0;
		TAILQ_CONCAT(&rl.waiters, &rl.next_waiters, qentry);
		reload_begin("queued trigger");
	}
}

static void
reload_failed(const char *err)
{
	struct json_object	*result = json_object_new_object();

	log_warnx("reload failed, the %zu serving tools stay as they were: %s",
	    sv.nroutes, err);
	json_object_object_add(result, "ok", json_object_new_boolean(0));
	json_object_object_add(result, "error", json_object_new_string(err));
	json_object_object_add(result, "tools",
	    json_object_new_int((int)sv.nroutes));
	reload_answer(result);
	reload_done();
}

static void
reload_begin(const char *why)
{
	struct toolset	 set;
	struct tool	*old;
	char		 err[1024];
	size_t		 i;

	log_info("reloading %s (%s)", sv.config_path, why);
	if (config_load(sv.config_path, &set, err, sizeof(err)) == -1) {
		toolset_clear(&set);
		if (rl.first)
			fatalx("%s", err);
		reload_failed(err);
		return;
	}
	rl.running = 1;
	rl.waiting = 0;
	rl.skipped = json_object_get(set.skipped);
	rl.nslots = set.n;
	if ((rl.slots = calloc(set.n ? set.n : 1, sizeof(*rl.slots))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < set.n; i++) {
		old = tool_route(set.specs[i].name);
		rl.slots[i].old = old;
		if (old == NULL || old->spec.hash != set.specs[i].hash)
			rl.waiting++;
	}
	/* Count first: a worker that fails at once settles synchronously. */
	for (i = 0; i < set.n; i++)
		if (rl.slots[i].old == NULL ||
		    rl.slots[i].old->spec.hash != set.specs[i].hash)
			rl.slots[i].new = tool_new(&set.specs[i]);
	toolset_clear(&set);
	if (rl.waiting == 0)
		reload_finish();
}

void
reload_tool_settled(struct tool *t)
{
	if (!t->reloading)
		return;
	t->reloading = 0;
	if (--rl.waiting == 0)
		reload_finish();
}

/* Control requests still waiting get an answer before we exit. */
void
reload_shutdown(void)
{
	struct call	*c;

	TAILQ_CONCAT(&rl.waiters, &rl.next_waiters, qentry);
	while ((c = TAILQ_FIRST(&rl.waiters)) != NULL) {
		TAILQ_REMOVE(&rl.waiters, c, qentry);
		call_answer_error(c, "the server is shutting down");
	}
	if (rl.last != NULL)
		json_object_put(rl.last);
	rl.last = NULL;
}
