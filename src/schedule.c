/* SPDX-License-Identifier: ISC */
/*
 * The scheduling rules: no globals, no I/O, nothing but arguments in and
 * a decision out, so each can be tested in microseconds (tests/unit_sched.c)
 * and broken on purpose (`make mutate-sched`) to see its test fail.
 */
#include "config.h"

#include "schedule.h"

/*
 * How many calls go ahead to one worker: about WORKER_AHEAD_US of work.
 * Every fast call's WORKER_WINDOW; a slow tool's 2 at least, or 1 with a
 * pool (another worker takes the next); a tool not timed yet counts as
 * slow with a pool (a newcomer must not wait behind 32) and as fast alone.
 */
unsigned
sched_window(unsigned call_us, int concurrency)
{
	int	slow = call_us == 0 || call_us > WORKER_AHEAD_US / WORKER_WINDOW;

	if (concurrency > 1 && slow)
		return 1;
	if (call_us == 0 || !slow)
		return WORKER_WINDOW;
	return WORKER_AHEAD_US / call_us < 2 ? 2 : WORKER_AHEAD_US / call_us;
}

/* The usable worker with the fewest calls sent, under window (the first
 * of equals); -1 if none. */
int
sched_pick(const struct sched_worker *w, size_t n, unsigned window)
{
	size_t	i;
	int	best = -1;

	for (i = 0; i < n; i++)
		if (w[i].usable && w[i].nsent < window &&
		    (best == -1 || w[i].nsent < w[best].nsent))
			best = (int)i;
	return best;
}

/*
 * The next queued call, fairly: of the first SCHED_FAIR_SCAN, the first
 * whose client has none at a worker (busy[i] 0), else the first. One
 * client's backlog then waits behind another's single call.
 */
size_t
sched_fair(const int *busy, size_t n)
{
	size_t	i;

	for (i = 0; i < n && i < SCHED_FAIR_SCAN; i++)
		if (!busy[i])
			return i;
	return 0;
}

/*
 * After a dispatch: should the pool be looked at for growth (calls wait,
 * or fewer than min_workers)? The alternative is the idle timer.
 */
int
sched_wants_more(const struct sched_pool *p)
{
	return p->queued || (p->workers > 0 ? p->workers : 1) <
	    (unsigned)p->min_workers;
}

/*
 * Not while a backoff runs or the tool is not routed: the first worker
 * when a call waits for none (min_workers 0, or all died); one more when
 * calls wait and there is room, no death since the last result: as many
 * loading at once as calls wait, up to SCHED_STARTS_MAX (a burst fills a
 * pool of 64 in a fraction of the time one start after another takes);
 * towards min_workers, one at a time.
 */
enum sched_grow
sched_grow(const struct sched_pool *p)
{
	if (!p->serving || p->retrying)
		return SCHED_STAY;
	if (p->workers == 0)
		return p->queued ? SCHED_START : SCHED_STAY;
	if (p->workers >= (unsigned)p->concurrency || p->deaths > 0)
		return SCHED_STAY;
	if (!p->queued)
		return p->workers < (unsigned)p->min_workers && !p->starting ?
		    SCHED_GROW : SCHED_STAY;
	if (p->starting >= p->queued || p->starting >= SCHED_STARTS_MAX)
		return SCHED_STAY;
	return SCHED_GROW;
}

/*
 * May one idle worker retire? Not while calls wait; beyond min_workers,
 * and the last one only with min_workers 0 once the tool is routed.
 */
int
sched_may_retire(const struct sched_pool *p)
{
	if (p->queued || p->workers == 0)
		return 0;
	if (p->workers > 1)
		return p->workers > (unsigned)p->min_workers;
	return p->min_workers == 0 && p->serving;
}

/* A failing tool's next start: at once for the first few deaths in a
 * row, then doubling from BACKOFF_BASE_MS up to BACKOFF_MAX_MS. */
unsigned
sched_backoff_ms(unsigned deaths)
{
	unsigned	n;

	if (deaths <= BACKOFF_FREE_DEATHS)
		return 0;
	n = deaths - BACKOFF_FREE_DEATHS - 1;
	if (n >= 9)
		return BACKOFF_MAX_MS;
	return BACKOFF_BASE_MS << n < BACKOFF_MAX_MS ?
	    BACKOFF_BASE_MS << n : BACKOFF_MAX_MS;
}

/*
 * The moves a call may make (call.c makes no other): queued for its
 * tool, sent to a worker, back to the queue when that worker never ran
 * it.
 */
int
sched_call_move(enum call_state from, enum call_state to)
{
	switch (to) {
	case CALL_QUEUED:
		return from == CALL_NEW || from == CALL_SENT;
	case CALL_SENT:
		return from == CALL_QUEUED;
	default:
		return 0;
	}
}
