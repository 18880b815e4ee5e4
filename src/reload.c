/*
 * Hot update: read the whole file, diff it against what serves by name and
 * content hash, start workers for new and changed tools, and switch routing
 * once every new worker has settled (READY or failed). Old versions drain.
 * A file that cannot be read or parsed changes nothing. One reload runs at
 * a time; a trigger during one schedules exactly one more after it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

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
} rl = { .first = 1 };

static void	reload_begin(const char *);

int
reload_running(void)
{
	return rl.running;
}

void
reload_request(const char *why)
{
	if (rl.running) {
		rl.pending = 1;
		log_debug("reload (%s) queued behind the one running", why);
		return;
	}
	reload_begin(why);
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
reload_finish(void)
{
	struct tool	**routes, *t, *next;
	struct reload_slot *s;
	size_t		  n = 0, i;
	unsigned	  added = 0, changed = 0, failed = 0, removed = 0;

	if ((routes = calloc(rl.nslots ? rl.nslots : 1,
	    sizeof(*routes))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < rl.nslots; i++) {
		s = &rl.slots[i];
		if (s->new != NULL && s->new->state != TOOL_FAILED) {
			routes[n++] = s->new;
			s->old ? changed++ : added++;
		} else if (s->new != NULL) {
			failed++;
			if (s->old != NULL) {
				log_warnx("tool '%s': the new version failed "
				    "to load, the old one keeps serving: %s",
				    s->new->spec.name, s->new->last_error);
				tool_set_error(s->old, s->new->last_error);
				routes[n++] = s->old;
			} else
				log_warnx("tool '%s' failed to load: %s",
				    s->new->spec.name, s->new->last_error);
		} else
			routes[n++] = s->old;
	}
	/* Everything that served and serves no more drains. */
	for (i = 0; i < sv.nroutes; i++)
		if (!reload_in(routes, n, sv.routes[i]))
			removed++;
	removed -= changed;
	if (!rl.first && reload_listing_changed(sv.routes, sv.nroutes, routes,
	    n)) {
		tool_set_routes(routes, n);
		session_notify_all("notifications/tools/list_changed");
	} else
		tool_set_routes(routes, n);
	TAILQ_FOREACH_SAFE(t, &sv.tools, entry, next) {
		if (t->state == TOOL_FAILED)
			tool_free(t);
		else if (t->state == TOOL_SERVING && !tool_is_listed(t))
			tool_drain(t);
	}
	log_info("%s: %zu tools serving (%u new, %u changed, %u removed, "
	    "%u failed)", rl.first ? "loaded" : "reloaded", n, added, changed,
	    removed, failed);
	free(rl.slots);
	rl.slots = NULL;
	rl.nslots = 0;
	rl.running = 0;
	if (rl.first) {
		rl.first = 0;
		if (sv.ready_cb != NULL)
			sv.ready_cb();
	}
	if (rl.pending) {
		rl.pending = 0;
		reload_begin("queued trigger");
	}
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
		if (rl.first)
			fatalx("%s", err);
		log_warnx("reload failed, the %zu serving tools stay as they "
		    "were: %s", sv.nroutes, err);
		return;
	}
	rl.running = 1;
	rl.waiting = 0;
	rl.nslots = set.n;
	if ((rl.slots = calloc(set.n ? set.n : 1, sizeof(*rl.slots))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < set.n; i++) {
		old = tool_route(set.specs[i].name);
		rl.slots[i].old = old;
		if (old != NULL && old->spec.hash == set.specs[i].hash)
			continue;
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
