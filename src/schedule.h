/* SPDX-License-Identifier: ISC */
/*
 * The scheduling rules, as pure functions (schedule.c): how many calls go
 * ahead to a worker, which worker takes the next, which call goes next,
 * when a pool grows or retires a worker, how long a failing tool waits,
 * and which moves a call may make. tool.c and call.c decide by them;
 * tests/unit_sched.c checks each rule, `make mutate-sched` each test.
 */
#ifndef SCHEDULE_H
#define SCHEDULE_H

#include <stddef.h>

#include "mcp-hotd.h"

/* A worker as the pick sees it. */
struct sched_worker {
	int		usable;		/* READY, open, not waiting on a client */
	unsigned	nsent;		/* calls sent to it, unanswered */
};

/* A tool's pool as growth and retirement see it. */
struct sched_pool {
	unsigned	workers;	/* alive, loading ones included */
	unsigned	starting;	/* of them loading */
	int		retrying;	/* a backoff runs */
	int		serving;	/* routed (not loading, not draining) */
	unsigned	queued;		/* calls waiting in its queue, counted
					 * up to SCHED_STARTS_MAX */
	unsigned	deaths;		/* in a row */
	int		concurrency;	/* workers at most */
	int		min_workers;
};

enum sched_grow {
	SCHED_STAY,		/* nothing to start */
	SCHED_START,		/* the first worker, for a waiting call */
	SCHED_GROW		/* one more beside the others */
};

unsigned	 sched_window(unsigned, int);
int		 sched_pick(const struct sched_worker *, size_t, unsigned);
size_t		 sched_fair(const int *, size_t);
enum sched_grow	 sched_grow(const struct sched_pool *);
int		 sched_wants_more(const struct sched_pool *);
int		 sched_may_retire(const struct sched_pool *);
unsigned	 sched_backoff_ms(unsigned);
int		 sched_call_move(enum call_state, enum call_state);

#define SCHED_FAIR_SCAN		64	/* queued calls the fair pick looks at */
#define SCHED_STARTS_MAX	4	/* a pool's workers loading at once */
#define BACKOFF_FREE_DEATHS	2	/* deaths in a row restarted at once */
#define BACKOFF_BASE_MS		100
#define BACKOFF_MAX_MS		30000

#endif /* SCHEDULE_H */
