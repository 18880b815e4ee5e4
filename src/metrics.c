/* SPDX-License-Identifier: ISC */
/*
 * Metrics, Prometheus text exposition (version 0.0.4): counters per tool
 * name (a reload's new version counts on where the old one stopped),
 * reloads, and gauges the tool table and the faces give at each scrape.
 * Labels are bounded: tool names (the file's) times error kinds. The hot
 * path adds to a few integers of a struct the tool holds.
 */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <json.h>

#include "log.h"
#include "metrics.h"
#include "xmalloc.h"

/* Call duration buckets, in microseconds (le="0.001" ... le="10"). */
static const unsigned	metrics_buckets_us[] = {
	1000, 5000, 10000, 50000, 100000, 500000, 1000000, 5000000, 10000000
};
#define METRICS_NBUCKETS	(sizeof(metrics_buckets_us) / \
				    sizeof(*metrics_buckets_us))

#define METRICS_RECENT		256

static const char *const metrics_error_names[ME_MAX] = {
	[ME_TOOL] = "tool", [ME_TIMEOUT] = "timeout",
	[ME_WORKER_DIED] = "worker_died", [ME_ARGUMENTS] = "arguments",
	[ME_UNAVAILABLE] = "unavailable"
};

struct tool_metrics {
	TAILQ_ENTRY(tool_metrics) entry;
	char			*name;
	uint64_t		 calls;
	uint64_t		 answered;	/* by its worker: timed */
	uint64_t		 errors[ME_MAX];
	uint64_t		 buckets[METRICS_NBUCKETS];	/* each its own */
	uint64_t		 sum_us;
	uint64_t		 restarts;
	/* The last METRICS_RECENT durations, for status's p50 and p99. */
	uint32_t		 recent[METRICS_RECENT];
	unsigned		 nrecent, next;
};

static TAILQ_HEAD(, tool_metrics) metrics_tools =
    TAILQ_HEAD_INITIALIZER(metrics_tools);
static uint64_t		 metrics_reloads[2];	/* failed, ok */
static uint64_t		 metrics_brokers[MB_MAX];
static const char *const metrics_broker_names[MB_MAX] = {
	[MB_CONNECTED] = "connected", [MB_FAILED] = "failed",
	[MB_DENIED] = "denied", [MB_RESOLVE_DENIED] = "resolve_denied"
};
/* Clients a face refused (its connections' cap, out of descriptors). */
#define METRICS_FACES	4
static struct {
	const char	*face;
	uint64_t	 n;
} metrics_refusals[METRICS_FACES];
static void		(*metrics_gauges)(struct evbuffer *);

/* The counters of tool name, made on its first version. */
struct tool_metrics *
metrics_tool(const char *name)
{
	struct tool_metrics	*m;

	TAILQ_FOREACH(m, &metrics_tools, entry)
		if (strcmp(m->name, name) == 0)
			return m;
	m = xcalloc(1, sizeof(*m));
	m->name = xstrdup(name);
	TAILQ_INSERT_TAIL(&metrics_tools, m, entry);
	return m;
}

/* A call its worker answered, after usec; is_error: it said isError. */
void
metrics_call(struct tool_metrics *m, unsigned usec, int is_error)
{
	size_t	i;

	if (m == NULL)
		return;
	m->calls++;
	m->answered++;
	m->sum_us += usec;
	if (is_error)
		m->errors[ME_TOOL]++;
	for (i = 0; i < METRICS_NBUCKETS; i++)
		if (usec <= metrics_buckets_us[i]) {
			m->buckets[i]++;
			break;
		}
	m->recent[m->next] = usec;
	m->next = (m->next + 1) % METRICS_RECENT;
	if (m->nrecent < METRICS_RECENT)
		m->nrecent++;
}

static int
metrics_cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * For mcp-hotctl status: errors by kind, and p50/p99 in ms of the last
 * METRICS_RECENT calls its workers answered (null before any).
 */
void
metrics_status(const struct tool_metrics *m, struct json_object *o)
{
	struct json_object	*e, *l;
	uint32_t		 v[METRICS_RECENT];
	int			 k;

	if (m == NULL)
		return;
	e = json_object_new_object();
	for (k = 0; k < ME_MAX; k++)
		json_object_object_add(e, metrics_error_names[k],
		    json_object_new_int64((int64_t)m->errors[k]));
	json_object_object_add(o, "errors", e);
	if (m->nrecent == 0) {
		json_object_object_add(o, "latency_ms", NULL);
		return;
	}
	memcpy(v, m->recent, m->nrecent * sizeof(*v));
	qsort(v, m->nrecent, sizeof(*v), metrics_cmp_u32);
	l = json_object_new_object();
	json_object_object_add(l, "p50", json_object_new_double(
	    v[(m->nrecent - 1) / 2] / 1000.0));
	json_object_object_add(l, "p99", json_object_new_double(
	    v[(m->nrecent - 1) * 99 / 100] / 1000.0));
	json_object_object_add(o, "latency_ms", l);
}

/* A call answered with an error of kind (it counts as a call too). */
void
metrics_error(struct tool_metrics *m, enum metrics_error kind)
{
	if (m == NULL || kind >= ME_MAX)
		return;
	m->errors[kind]++;
	if (kind != ME_TOOL)
		m->calls++;
}

/* A worker started again after a death (or a failed start). */
void
metrics_restart(struct tool_metrics *m)
{
	if (m != NULL)
		m->restarts++;
}

void
metrics_reload(int ok)
{
	metrics_reloads[ok != 0]++;
}

void
metrics_broker(enum metrics_broker what)
{
	if (what < MB_MAX)
		metrics_brokers[what]++;
}

/* face: a static string (listen.c's), one of a handful. */
void
metrics_refused(const char *face)
{
	size_t	i;

	for (i = 0; i < METRICS_FACES; i++)
		if (metrics_refusals[i].face == NULL ||
		    metrics_refusals[i].face == face) {
			metrics_refusals[i].face = face;
			metrics_refusals[i].n++;
			return;
		}
}

void
metrics_set_gauges(void (*fn)(struct evbuffer *))
{
	metrics_gauges = fn;
}

/* A label value: backslash, quote and newline escaped. */
void
metrics_label(struct evbuffer *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			evbuffer_add_printf(b, "\\%c", *s);
		else if (*s == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, s, 1);
	}
}

static void
metrics_tool_line(struct evbuffer *b, const char *metric,
    const struct tool_metrics *m, const char *extra, uint64_t v)
{
	evbuffer_add_printf(b, "%s{tool=\"", metric);
	metrics_label(b, m->name);
	evbuffer_add_printf(b, "\"%s} %" PRIu64 "\n", extra, v);
}

static void
metrics_histogram(struct evbuffer *b, const struct tool_metrics *m)
{
	char		 le[48];
	uint64_t	 cum = 0;
	size_t		 i;

	for (i = 0; i < METRICS_NBUCKETS; i++) {
		cum += m->buckets[i];
		snprintf(le, sizeof(le), ",le=\"%g\"",
		    metrics_buckets_us[i] / 1e6);
		metrics_tool_line(b, "mcp_hotd_tool_call_duration_seconds_bucket",
		    m, le, cum);
	}
	metrics_tool_line(b, "mcp_hotd_tool_call_duration_seconds_bucket", m,
	    ",le=\"+Inf\"", m->answered);
	evbuffer_add_printf(b, "mcp_hotd_tool_call_duration_seconds_sum{tool=\"");
	metrics_label(b, m->name);
	evbuffer_add_printf(b, "\"} %.6f\n", (double)m->sum_us / 1e6);
	metrics_tool_line(b, "mcp_hotd_tool_call_duration_seconds_count", m,
	    "", m->answered);
}

/* A metric family's HELP and TYPE lines, which its samples follow. */
void
metrics_family(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

/* A counter each tool name has, one of struct tool_metrics' fields. */
static void
metrics_per_tool(struct evbuffer *b, const char *name, const char *help,
    size_t field)
{
	struct tool_metrics	*m;

	metrics_family(b, name, "counter", help);
	TAILQ_FOREACH(m, &metrics_tools, entry)
		metrics_tool_line(b, name, m, "",
		    *(const uint64_t *)(const void *)((const char *)m + field));
}

void
metrics_render(struct evbuffer *b)
{
	struct tool_metrics	*m;
	char			 kind[48];
	int			 k;

	metrics_per_tool(b, "mcp_hotd_tool_calls_total", "Calls answered, "
	    "whatever the outcome.", offsetof(struct tool_metrics, calls));
	metrics_family(b, "mcp_hotd_tool_errors_total", "counter", "Calls "
	    "answered with an error, by kind: tool (its isError), timeout, "
	    "worker_died, arguments (refused by the schema), unavailable.");
	TAILQ_FOREACH(m, &metrics_tools, entry)
		for (k = 0; k < ME_MAX; k++) {
			snprintf(kind, sizeof(kind), ",kind=\"%s\"",
			    metrics_error_names[k]);
			metrics_tool_line(b, "mcp_hotd_tool_errors_total", m,
			    kind, m->errors[k]);
		}
	metrics_family(b, "mcp_hotd_tool_call_duration_seconds", "histogram",
	    "Time its worker took to answer a call.");
	TAILQ_FOREACH(m, &metrics_tools, entry)
		metrics_histogram(b, m);
	metrics_per_tool(b, "mcp_hotd_tool_restarts_total", "Workers started "
	    "again after a death or a failed start.",
	    offsetof(struct tool_metrics, restarts));
	metrics_family(b, "mcp_hotd_reloads_total", "counter",
	    "Reloads, by result.");
	evbuffer_add_printf(b,
	    "mcp_hotd_reloads_total{result=\"ok\"} %" PRIu64 "\n"
	    "mcp_hotd_reloads_total{result=\"failed\"} %" PRIu64 "\n",
	    metrics_reloads[1], metrics_reloads[0]);
	metrics_family(b, "mcp_hotd_broker_total", "counter", "Brokered "
	    "network requests of tools with net grants, by result.");
	for (k = 0; k < MB_MAX; k++)
		evbuffer_add_printf(b, "mcp_hotd_broker_total{result=\"%s\"} %"
		    PRIu64 "\n", metrics_broker_names[k], metrics_brokers[k]);
	metrics_family(b, "mcp_hotd_refused_clients_total", "counter", "Clients "
	    "refused at once: a face's connection cap, or no descriptor left.");
	for (k = 0; k < METRICS_FACES && metrics_refusals[k].face; k++) {
		evbuffer_add_printf(b, "mcp_hotd_refused_clients_total{face=\"");
		metrics_label(b, metrics_refusals[k].face);
		evbuffer_add_printf(b, "\"} %" PRIu64 "\n",
		    metrics_refusals[k].n);
	}
	if (metrics_gauges != NULL)
		metrics_gauges(b);
}

void
metrics_free(void)
{
	struct tool_metrics	*m;

	while ((m = TAILQ_FIRST(&metrics_tools)) != NULL) {
		TAILQ_REMOVE(&metrics_tools, m, entry);
		free(m->name);
		free(m);
	}
}
