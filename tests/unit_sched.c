/* SPDX-License-Identifier: ISC */
/*
 * The scheduling rules (src/schedule.c), each rule and its edges, in
 * microseconds: the send-ahead window, the pick among a pool's workers,
 * the fair pick among clients, pool growth and retirement, the backoff of
 * a failing tool, the moves a call may make; then the stories they make
 * together (a burst from one client beside another's call, a slow tool, a
 * dying worker, a reload mid-burst). `make mutate-sched` breaks each rule
 * in turn and expects this test to fail.
 */
#include "config.h"

#include <string.h>

#include "schedule.h"
#include "unit.h"

static void
window(void)
{
	CHECK(sched_window(0, 1) == WORKER_WINDOW,
	    "window: a lone worker of a tool not timed yet takes a full window");
	CHECK(sched_window(0, 4) == 1,
	    "window: a pool not timed yet sends one at a time");
	CHECK(sched_window(10, 1) == WORKER_WINDOW &&
	    sched_window(10, 8) == WORKER_WINDOW,
	    "window: fast calls fill the window, pool or not");
	CHECK(sched_window(WORKER_AHEAD_US / WORKER_WINDOW, 1) ==
	    WORKER_WINDOW && sched_window(WORKER_AHEAD_US / WORKER_WINDOW + 1,
	    1) == WORKER_AHEAD_US / (WORKER_AHEAD_US / WORKER_WINDOW + 1),
	    "window: about WORKER_AHEAD_US of work ahead, from the boundary on");
	CHECK(sched_window(1000, 1) == 2 && sched_window(500000, 1) == 2,
	    "window: a slow tool alone keeps two ahead, never fewer");
	CHECK(sched_window(1000, 2) == 1,
	    "window: a slow tool with a pool sends one: another worker takes "
	    "the next");
	CHECK(sched_window(134217728U, 1) == 2 &&
	    sched_window(4000000000U, 1) == 2,
	    "window: a call of minutes is slow (no overflow makes it fast)");
}

static void
pick(void)
{
	struct sched_worker	w[4];

	memset(w, 0, sizeof(w));
	CHECK(sched_pick(w, 4, 32) == -1 && sched_pick(w, 0, 32) == -1,
	    "pick: none usable, none picked");
	w[1] = (struct sched_worker){ 1, 3 };
	w[2] = (struct sched_worker){ 1, 1 };
	w[3] = (struct sched_worker){ 1, 1 };
	CHECK(sched_pick(w, 4, 32) == 2,
	    "pick: the fewest calls sent; of equals the first");
	CHECK(sched_pick(w, 4, 1) == -1,
	    "pick: a worker at its window takes no more");
	w[0] = (struct sched_worker){ 0, 0 };
	CHECK(sched_pick(w, 4, 2) == 2, "pick: an unusable worker is skipped "
	    "however idle it looks");
	w[2].usable = 0;
	CHECK(sched_pick(w, 4, 2) == 3, "pick: a dying worker's share goes "
	    "to the next");
}

static void
fair(void)
{
	int	busy[80] = { 0 };
	size_t	i;

	CHECK(sched_fair(busy, 0) == 0, "fair: an empty queue: the first");
	for (i = 0; i < 80; i++)
		busy[i] = 1;
	CHECK(sched_fair(busy, 80) == 0,
	    "fair: every client busy: first come, first served");
	busy[5] = 0;
	CHECK(sched_fair(busy, 80) == 5,
	    "fair: the first call whose client has none at a worker");
	busy[5] = 1;
	busy[SCHED_FAIR_SCAN] = 0;
	CHECK(sched_fair(busy, 80) == 0,
	    "fair: it looks at the first SCHED_FAIR_SCAN only");
	busy[SCHED_FAIR_SCAN - 1] = 0;
	CHECK(sched_fair(busy, 80) == SCHED_FAIR_SCAN - 1,
	    "fair: ... the last of them included");
}

static struct sched_pool
pool(unsigned workers, unsigned queued, int concurrency, int min_workers)
{
	return (struct sched_pool){ .workers = workers, .serving = 1,
	    .queued = queued, .concurrency = concurrency,
	    .min_workers = min_workers };
}

static void
grow(void)
{
	struct sched_pool	p;

	p = pool(2, 1, 4, 1);
	CHECK(sched_grow(&p) == SCHED_GROW,
	    "grow: calls wait, room in the pool: one more");
	p.starting = 1;
	CHECK(sched_grow(&p) == SCHED_STAY,
	    "grow: no more loading than calls wait");
	p = pool(2, 3, 64, 1);
	p.starting = 2;
	CHECK(sched_grow(&p) == SCHED_GROW,
	    "grow: a burst starts several at once ...");
	p = pool(2, SCHED_STARTS_MAX + 2, 64, 1);
	p.starting = SCHED_STARTS_MAX;
	CHECK(sched_grow(&p) == SCHED_STAY, "grow: ... SCHED_STARTS_MAX at most");
	p = pool(1, 0, 4, 3);
	p.starting = 1;
	CHECK(sched_grow(&p) == SCHED_STAY,
	    "grow: towards min_workers one at a time");
	p = pool(2, 1, 4, 1);
	p.retrying = 1;
	CHECK(sched_grow(&p) == SCHED_STAY, "grow: not while a backoff runs");
	p = pool(2, 1, 4, 1);
	p.serving = 0;
	CHECK(sched_grow(&p) == SCHED_STAY,
	    "grow: not while loading or draining (a reload mid-burst)");
	p = pool(4, 1, 4, 1);
	CHECK(sched_grow(&p) == SCHED_STAY, "grow: never past concurrency");
	p = pool(2, 1, 4, 1);
	p.deaths = 1;
	CHECK(sched_grow(&p) == SCHED_STAY,
	    "grow: no more starts after a death, until a result");
	p = pool(0, 1, 4, 0);
	CHECK(sched_grow(&p) == SCHED_START,
	    "grow: no worker and a call waits: the first starts");
	p = pool(0, 0, 4, 0);
	CHECK(sched_grow(&p) == SCHED_STAY, "grow: no worker, no call: none");
	p = pool(1, 0, 4, 3);
	CHECK(sched_grow(&p) == SCHED_GROW, "grow: up to min_workers unasked");
	p = pool(3, 0, 4, 3);
	CHECK(sched_grow(&p) == SCHED_STAY, "grow: ... not beyond it");
	p = pool(1, 1, 1, 1);
	CHECK(sched_grow(&p) == SCHED_STAY, "grow: a tool of one worker stays one");
}

static void
wants_more(void)
{
	struct sched_pool	p;

	p = pool(1, 1, 4, 1);
	CHECK(sched_wants_more(&p), "more: calls wait");
	p = pool(1, 0, 4, 2);
	CHECK(sched_wants_more(&p), "more: fewer than min_workers");
	p = pool(2, 0, 4, 2);
	CHECK(!sched_wants_more(&p), "more: at min_workers, nothing waits");
	p = pool(0, 0, 4, 1);
	CHECK(!sched_wants_more(&p), "more: a tool without workers counts "
	    "its first (respawned, not grown)");
}

static void
retire(void)
{
	struct sched_pool	p;

	p = pool(3, 0, 4, 1);
	CHECK(sched_may_retire(&p), "retire: idle beyond min_workers");
	p = pool(3, 1, 4, 1);
	CHECK(!sched_may_retire(&p), "retire: not while calls wait (a burst)");
	p = pool(2, 0, 4, 2);
	CHECK(!sched_may_retire(&p), "retire: never below min_workers");
	p = pool(1, 0, 4, 0);
	CHECK(sched_may_retire(&p), "retire: the last one with min_workers 0");
	p.serving = 0;
	CHECK(!sched_may_retire(&p), "retire: ... not before the tool is routed");
	p = pool(1, 0, 4, 1);
	CHECK(!sched_may_retire(&p), "retire: the last one stays with "
	    "min_workers 1");
	p = pool(0, 0, 4, 0);
	CHECK(!sched_may_retire(&p), "retire: none left, none retires");
}

static void
backoff(void)
{
	CHECK(sched_backoff_ms(0) == 0 && sched_backoff_ms(BACKOFF_FREE_DEATHS)
	    == 0, "backoff: the first deaths in a row restart at once");
	CHECK(sched_backoff_ms(BACKOFF_FREE_DEATHS + 1) == BACKOFF_BASE_MS &&
	    sched_backoff_ms(BACKOFF_FREE_DEATHS + 2) == 2 * BACKOFF_BASE_MS &&
	    sched_backoff_ms(BACKOFF_FREE_DEATHS + 9) == 256 * BACKOFF_BASE_MS,
	    "backoff: then doubling from BACKOFF_BASE_MS");
	CHECK(sched_backoff_ms(BACKOFF_FREE_DEATHS + 10) == BACKOFF_MAX_MS &&
	    sched_backoff_ms(1000000) == BACKOFF_MAX_MS,
	    "backoff: capped at BACKOFF_MAX_MS however many");
}

static void
moves(void)
{
	static const enum call_state all[] = { CALL_NEW, CALL_QUEUED,
	    CALL_SENT };
	static const int legal[3][3] = {
		/* to:	  NEW QUEUED SENT */
		[CALL_NEW] =	{ 0, 1, 0 },
		[CALL_QUEUED] =	{ 0, 0, 1 },
		[CALL_SENT] =	{ 0, 1, 0 },
	};
	size_t	f, t;
	int	ok = 1;

	for (f = 0; f < 3; f++)
		for (t = 0; t < 3; t++)
			ok &= sched_call_move(all[f], all[t]) ==
			    legal[all[f]][all[t]];
	CHECK(ok, "moves: queued, sent, back to the queue when its worker "
	    "never ran it: no other");
}

/* Together: a client's burst of 40 beside another client's one call. */
static void
stories(void)
{
	struct sched_worker	w[2] = { { 1, 0 }, { 1, 0 } };
	int			busy[41];
	size_t			i, next;
	unsigned		win = sched_window(5000, 2);

	for (i = 0; i < 40; i++)
		busy[i] = 1;		/* the burst's client is at a worker */
	busy[40] = 0;			/* the other client's call, last */
	next = sched_fair(busy, 41);
	CHECK(next == 40, "story: behind a burst, another client's call goes "
	    "next");
	w[0].nsent = win;
	CHECK(sched_pick(w, 2, win) == 1,
	    "story: a slow tool's full worker: the next worker takes it");
	w[1].usable = 0;
	CHECK(sched_pick(w, 2, win) == -1,
	    "story: its only other worker died: the call waits in the queue");
}

int
main(void)
{
	window();
	pick();
	fair();
	grow();
	wants_more();
	retire();
	backoff();
	moves();
	stories();
	return unit_finish();
}
