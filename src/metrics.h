/* SPDX-License-Identifier: ISC */
/*
 * Counters for Prometheus (metrics.c): per tool name, kept across its
 * versions; rendered as the text exposition format at GET /metrics.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Why a call ended as an error (the "kind" label). */
enum metrics_error {
	ME_TOOL,		/* the tool answered isError */
	ME_TIMEOUT,		/* past its timeout_ms */
	ME_WORKER_DIED,		/* its worker died under it */
	ME_ARGUMENTS,		/* its arguments failed the schema */
	ME_UNAVAILABLE,		/* the tool was failing: not run */
	ME_MAX
};

/* A brokered connect's end, or a name's resolution refused. */
enum metrics_broker {
	MB_CONNECTED,		/* connected, or under way */
	MB_FAILED,		/* connect failed (refused, unreachable...) */
	MB_DENIED,		/* not granted: the tool's PermissionError */
	MB_RESOLVE_DENIED,	/* a name not granted */
	MB_MAX
};

struct evbuffer;
struct tool_metrics;

struct tool_metrics	*metrics_tool(const char *);
void			 metrics_call(struct tool_metrics *, unsigned, int);
void			 metrics_error(struct tool_metrics *, enum metrics_error);
void			 metrics_restart(struct tool_metrics *);
void			 metrics_reload(int);
void			 metrics_broker(enum metrics_broker);
void			 metrics_refused(const char *);
/* What only the tool table knows, rendered at each scrape. */
void			 metrics_set_gauges(void (*)(struct evbuffer *));
void			 metrics_render(struct evbuffer *);
void			 metrics_label(struct evbuffer *, const char *);
void			 metrics_family(struct evbuffer *, const char *,
			    const char *, const char *);
void			 metrics_free(void);
struct json_object;
void			 metrics_status(const struct tool_metrics *,
			    struct json_object *);

#endif
