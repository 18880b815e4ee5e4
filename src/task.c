/* SPDX-License-Identifier: ISC */
/*
 * Tasks: a tools/call that outlives its request. The one file that makes,
 * settles, answers and frees a struct task.
 *
 * A task is made when its request is (task_begin): its call is taken off
 * the session (call_to_task) and runs as any call of its tool, queued
 * with the others, on the entry's task_timeout_ms; the request is answered
 * at once with the task's handle. The call's answer settles the task
 * (task_answered): completed with the tool's result (an isError too: the
 * tool ran), failed when the call could not run to a result (a timeout, a
 * dead worker: a protocol error), or input_required when its code asked
 * its client (2026): tasks/update brings the answers, and once every
 * request is answered the call runs again with them, as a 2026 retry
 * does. tasks/cancel stops the call.
 *
 * Who may see a task: the client it was made for (--clients or OAuth)
 * when there is one; else, on 2025, its session; else (2026 without an
 * identity) whoever holds its id, 128 random bits, for a short TTL. What
 * is kept is bounded: tasks in all and per principal, result bytes in all
 * and per principal, tasks working per tool; past a bound a new task is
 * refused, saying which. Tasks live in memory: a restart loses them.
 */
#include "config.h"

#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/util.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "metrics.h"
#include "task.h"
#include "xmalloc.h"

#define JSONRPC_METHOD_NOT_FOUND	-32601
#define JSONRPC_INVALID_PARAMS		-32602
#define JSONRPC_INTERNAL_ERROR		-32603
#define JSONRPC_MISSING_CAPABILITY	-32021

#define TASK_ID_BYTES		16	/* 128 random bits */
#define TASK_POLL_MS		250
#define TASKS_MAX		4096	/* kept at once, in all */
#define TASKS_PRINCIPAL_MAX	1024	/* ... for one principal */
#define TASK_BYTES_MAX		((size_t)256 << 20)
#define TASK_PRINCIPAL_BYTES_MAX ((size_t)64 << 20)
#define TASK_UNBOUND_TTL_MS	(10 * 60 * 1000)
#define TASK_WAITERS_MAX	16	/* 2025 tasks/result waiting */
#define TASK_META		"io.modelcontextprotocol/related-task"

enum task_status {
	TASK_WORKING,
	TASK_INPUT_REQUIRED,
	TASK_COMPLETED,
	TASK_FAILED,
	TASK_CANCELLED
};
static const char *const task_status_names[] = {
	"working", "input_required", "completed", "failed", "cancelled"
};
#define TASK_TERMINAL(t)	((t)->status >= TASK_COMPLETED)

struct task_waiter {
	struct session	*session;
	char		*idjson;
};

struct task {
	TAILQ_ENTRY(task)	 entry;
	char			 id[96];
	enum task_status	 status;
	enum mcp_era		 era;
	char			*principal;	/* who may see it, or NULL */
	struct session		*session;	/* 2025: its session, while it
						 * lives (notifications) */
	char			*tool;
	char			*args;
	size_t			 argslen;
	struct json_object	*answers;	/* 2026: given so far */
	struct json_object	*client;	/* 2026: {name, version,
						 * capabilities} */
	struct json_object	*pending;	/* input_required: its requests
						 * not answered yet */
	struct call		*call;		/* running, or NULL */
	char			*result;	/* completed: a CallToolResult */
	struct json_object	*error;		/* failed: {code, message} */
	struct timeval		 created, updated;
	int			 ttl_ms, timeout_ms;
	size_t			 bytes;
	struct event		*expire;
	struct task_waiter	 waiters[TASK_WAITERS_MAX];
	size_t			 nwaiters;
};
static TAILQ_HEAD(, task)	tasks = TAILQ_HEAD_INITIALIZER(tasks);
static size_t			ntasks, task_bytes;

enum task_op { OP_GET, OP_UPDATE, OP_CANCEL, OP_RESULT, OP_LIST };
static const struct {
	const char	*method;
	int		 era2025, era2026;
} task_ops[] = {
	[OP_GET] = { "tasks/get", 1, 1 },
	[OP_UPDATE] = { "tasks/update", 0, 1 },
	[OP_CANCEL] = { "tasks/cancel", 1, 1 },
	[OP_RESULT] = { "tasks/result", 1, 0 },
	[OP_LIST] = { "tasks/list", 1, 0 },
};
#define TASK_NOPS	(sizeof(task_ops) / sizeof(*task_ops))

/* Who the requests of st come from, as a task records it; NULL: anyone. */
static const char *
task_principal(const struct mcp_state *st, char *buf, size_t len)
{
	if (st->client != NULL) {
		snprintf(buf, len, "client %s", st->client);
		return buf;
	}
	if (st->era == MCP_ERA_2026)
		return NULL;
	if (st->key != NULL)
		snprintf(buf, len, "session %s", st->key);
	else
		snprintf(buf, len, "session %u", st->session != NULL ?
		    st->session->id : 0);
	return buf;
}

static int
task_visible(const struct task *t, const char *principal)
{
	return t->principal == NULL || (principal != NULL &&
	    strcmp(t->principal, principal) == 0);
}

static struct task *
task_find(const char *id, const char *principal)
{
	struct task	*t;

	TAILQ_FOREACH(t, &tasks, entry)
		if (strcmp(t->id, id) == 0)
			return task_visible(t, principal) ? t : NULL;
	return NULL;
}

static void
task_iso8601(const struct timeval *tv, char *buf, size_t len)
{
	struct tm	tm;
	char		s[24];

	gmtime_r(&tv->tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%.19s.%03dZ", s, (int)(tv->tv_usec / 1000) % 1000);
}

/* The task as its era's wire has it (detailed: tasks/get's, 2026). */
static struct json_object *
task_json(const struct task *t, int detailed)
{
	struct json_object	*o = json_object_new_object(), *r;
	char			 when[40];
	int			 modern = t->era == MCP_ERA_2026;

	json_object_object_add(o, "taskId", json_object_new_string(t->id));
	json_object_object_add(o, "status",
	    json_object_new_string(task_status_names[t->status]));
	task_iso8601(&t->created, when, sizeof(when));
	json_object_object_add(o, "createdAt", json_object_new_string(when));
	task_iso8601(&t->updated, when, sizeof(when));
	json_object_object_add(o, "lastUpdatedAt",
	    json_object_new_string(when));
	json_object_object_add(o, modern ? "ttlMs" : "ttl",
	    json_object_new_int(t->ttl_ms));
	json_object_object_add(o, modern ? "pollIntervalMs" : "pollInterval",
	    json_object_new_int(TASK_POLL_MS));
	if (t->error != NULL)
		json_object_object_add(o, "statusMessage", json_object_get(
		    json_object_object_get(t->error, "message")));
	if (!detailed)
		return o;
	if (t->status == TASK_COMPLETED && t->result != NULL &&
	    (r = json_parse_object(t->result, strlen(t->result))) != NULL)
		json_object_object_add(o, "result", r);
	if (t->status == TASK_FAILED && t->error != NULL)
		json_object_object_add(o, "error", json_object_get(t->error));
	if (t->status == TASK_INPUT_REQUIRED && t->pending != NULL)
		json_object_object_add(o, "inputRequests",
		    json_object_get(t->pending));
	return o;
}

/* Principal p's tasks and their bytes. */
static void
task_usage(const char *p, size_t *n, size_t *bytes, const char *tool,
    size_t *working)
{
	struct task	*t;

	*n = *bytes = 0;
	if (working != NULL)
		*working = 0;
	TAILQ_FOREACH(t, &tasks, entry) {
		if ((p == NULL) == (t->principal == NULL) && (p == NULL ||
		    strcmp(p, t->principal) == 0)) {
			(*n)++;
			*bytes += t->bytes;
		}
		if (working != NULL && !TASK_TERMINAL(t) &&
		    strcmp(t->tool, tool) == 0)
			(*working)++;
	}
}

/* May this call become a task? 0, or -1 with why (a bound reached). */
int
task_room(const struct session *s, const struct mcp_call *mc, char *why,
    size_t len)
{
	const struct toolspec	*ts = tool_spec(mc->tool);
	const char		*p;
	char			 buf[160];
	size_t			 n, bytes, working;

	p = task_principal(&s->mcp, buf, sizeof(buf));
	task_usage(p, &n, &bytes, ts->name, &working);
	if (working >= (size_t)ts->max_tasks)
		snprintf(why, len, "tool '%s' has %zu tasks running, its "
		    "max_tasks; try again when one ends", ts->name, working);
	else if (ntasks >= TASKS_MAX)
		snprintf(why, len, "the server keeps %d tasks, its most; try "
		    "again when some expire", TASKS_MAX);
	else if (n >= TASKS_PRINCIPAL_MAX)
		snprintf(why, len, "this client has %zu tasks kept, its most "
		    "(%d); try again when some expire", n, TASKS_PRINCIPAL_MAX);
	else if (task_bytes >= TASK_BYTES_MAX ||
	    bytes >= TASK_PRINCIPAL_BYTES_MAX)
		snprintf(why, len, "the results of %s tasks fill the room "
		    "kept for them (%zu MiB); try again when some expire",
		    bytes >= TASK_PRINCIPAL_BYTES_MAX ? "this client's" :
		    "all", (bytes >= TASK_PRINCIPAL_BYTES_MAX ?
		    TASK_PRINCIPAL_BYTES_MAX : TASK_BYTES_MAX) >> 20);
	else
		return 0;
	return -1;
}

static void
task_free(struct task *t)
{
	size_t	i;

	TAILQ_REMOVE(&tasks, t, entry);
	ntasks--;
	task_bytes -= t->bytes;
	if (t->call != NULL)
		call_untask(t->call);
	if (t->expire != NULL)
		event_free(t->expire);
	for (i = 0; i < t->nwaiters; i++)
		free(t->waiters[i].idjson);
	free(t->principal);
	free(t->tool);
	free(t->args);
	free(t->result);
	json_object_put(t->answers);
	json_object_put(t->client);
	json_object_put(t->pending);
	json_object_put(t->error);
	free(t);
}

static void
task_expired(evutil_socket_t fd, short what, void *arg)
{
	struct task	*t = arg;

	(void)fd;
	(void)what;
	log_debug("task %s (%s) expired", t->id, t->tool);
	task_free(t);
}

/* Its TTL runs from now (it waits: done, or for its client). */
static void
task_arm(struct task *t)
{
	struct timeval	tv = { t->ttl_ms / 1000, (t->ttl_ms % 1000) * 1000 };

	if (t->expire == NULL &&
	    (t->expire = evtimer_new(sv.base, task_expired, t)) == NULL)
		fatal("%s", __func__);
	evtimer_add(t->expire, &tv);
}

/* 2025: tasks/result's answer for a terminal task. */
static struct json_object *
task_result_2025(const struct task *t, struct json_object *id)
{
	struct json_object	*r, *meta, *rel;

	if (t->status == TASK_FAILED)
		return mcp_error(id, json_object_get_int(json_object_object_get(
		    t->error, "code")), "%s", json_object_get_string(
		    json_object_object_get(t->error, "message")));
	if (t->status == TASK_CANCELLED || t->result == NULL ||
	    (r = json_parse_object(t->result, strlen(t->result))) == NULL)
		return mcp_error(id, JSONRPC_INTERNAL_ERROR, "task %s was "
		    "cancelled: it has no result", t->id);
	if (!json_object_object_get_ex(r, "_meta", &meta)) {
		meta = json_object_new_object();
		json_object_object_add(r, "_meta", meta);
	}
	rel = json_object_new_object();
	json_object_object_add(rel, "taskId", json_object_new_string(t->id));
	json_object_object_add(meta, TASK_META, rel);
	return mcp_result(id, r);
}

/*
 * 2026: notifications/tasks, the task as tasks/get has it, on each listen
 * stream that named it in taskIds and may see it.
 */
static void
task_tell_listeners(const struct task *t)
{
	struct session		*s;
	struct json_object	*n, *params, *meta;
	const char		*p;
	char			 buf[160];

	TAILQ_FOREACH(s, &sv.sessions, entry) {
		if (s->mcp.listen_id == NULL || s->mcp.listen_tasks == NULL ||
		    !json_object_object_get_ex(s->mcp.listen_tasks, t->id,
		    NULL))
			continue;
		p = task_principal(&s->mcp, buf, sizeof(buf));
		if (!task_visible(t, p))
			continue;
		params = task_json(t, 1);
		meta = json_object_new_object();
		json_object_object_add(meta,
		    "io.modelcontextprotocol/subscriptionId",
		    json_object_get(s->mcp.listen_id));
		json_object_object_add(params, "_meta", meta);
		n = mcp_notification("notifications/tasks");
		json_object_object_add(n, "params", params);
		session_send(s, n, NULL, 0);
		json_object_put(n);
	}
}

/* Its status changed: tell its 2025 session; answer who waits. */
static void
task_changed(struct task *t)
{
	struct json_object	*n, *reply, *id;
	size_t			 i;

	gettimeofday(&t->updated, NULL);
	if (t->era == MCP_ERA_2026)
		task_tell_listeners(t);
	if (t->session != NULL && t->era != MCP_ERA_2026) {
		n = mcp_notification("notifications/tasks/status");
		json_object_object_add(n, "params", task_json(t, 0));
		session_send(t->session, n, NULL, 0);
		json_object_put(n);
	}
	if (!TASK_TERMINAL(t))
		return;
	for (i = 0; i < t->nwaiters; i++) {
		id = json_tokener_parse(t->waiters[i].idjson);
		reply = task_result_2025(t, id);
		session_send(t->waiters[i].session, reply,
		    t->waiters[i].idjson, strlen(t->waiters[i].idjson));
		json_object_put(reply);
		json_object_put(id);
		free(t->waiters[i].idjson);
	}
	t->nwaiters = 0;
}

struct json_object *
task_begin(struct session *s, struct call *c, const struct mcp_call *mc)
{
	const struct toolspec	*ts = tool_spec(mc->tool);
	struct task		*t;
	unsigned char		 rnd[TASK_ID_BYTES];
	const char		*p, *args;
	char			 buf[160];
	size_t			 i, off = 0;
	struct json_object	*res, *wrap;

	t = xcalloc(1, sizeof(*t));
	evutil_secure_rng_get_bytes(rnd, sizeof(rnd));
	/* Named for its instance, as a session id is: a balancer routes
	 * tasks methods by it (contrib/haproxy.cfg). */
	if (settings.instance_id != NULL)
		off = (size_t)snprintf(t->id, sizeof(t->id), "%s.",
		    settings.instance_id);
	for (i = 0; i < sizeof(rnd) && off + 2 * i + 3 <= sizeof(t->id); i++)
		snprintf(t->id + off + 2 * i, 3, "%02x", rnd[i]);
	t->era = s->mcp.era == MCP_ERA_2026 ? MCP_ERA_2026 : MCP_ERA_2025;
	if ((p = task_principal(&s->mcp, buf, sizeof(buf))) != NULL)
		t->principal = xstrdup(p);
	t->session = t->era == MCP_ERA_2026 ? NULL : s;
	t->tool = xstrdup(ts->name);
	args = call_args(c, &t->argslen);
	t->args = xmalloc(t->argslen + 1);
	memcpy(t->args, args, t->argslen);
	t->args[t->argslen] = '\0';
	t->ttl_ms = ts->task_ttl_ms;
	if (mc->task_ttl > 0 && mc->task_ttl < t->ttl_ms)
		t->ttl_ms = (int)mc->task_ttl;
	if (t->principal == NULL && t->ttl_ms > TASK_UNBOUND_TTL_MS)
		t->ttl_ms = TASK_UNBOUND_TTL_MS;
	t->timeout_ms = ts->task_timeout_ms;
	gettimeofday(&t->created, NULL);
	t->updated = t->created;
	TAILQ_INSERT_TAIL(&tasks, t, entry);
	ntasks++;
	t->call = c;
	t->answers = json_object_get(call_answers(c));
	t->client = json_object_get(call_client(c));
	call_to_task(c, t, t->timeout_ms);
	tool_enqueue(mc->tool, c);
	log_info("task %s: tool '%s' for %s", t->id, t->tool,
	    t->principal ? t->principal : "whoever holds its id");
	res = task_json(t, 0);
	if (t->era == MCP_ERA_2026) {
		json_object_object_add(res, "resultType",
		    json_object_new_string("task"));
		return res;
	}
	wrap = json_object_new_object();	/* 2025: {"task": ...} */
	json_object_object_add(wrap, "task", res);
	return wrap;
}

/* Its result, kept: counted against the bounds. */
static void
task_keep(struct task *t, const char *result, size_t len)
{
	free(t->result);
	task_bytes -= t->bytes;
	t->result = xmalloc(len + 1);
	memcpy(t->result, result, len);
	t->result[len] = '\0';
	t->bytes = len;
	task_bytes += len;
}

static void
task_fail(struct task *t, int code, const char *msg)
{
	json_object_put(t->error);
	t->error = json_object_new_object();
	json_object_object_add(t->error, "code", json_object_new_int(code));
	json_object_object_add(t->error, "message",
	    json_object_new_string(msg));
	t->status = TASK_FAILED;
}

/*
 * The call of task t answered (c is freed after): result is its
 * CallToolResult, or with input its input_required answer (2026: its code
 * asked); failed: it could not run to a result.
 */
void
task_answered(struct call *c, const char *result, size_t len, int input)
{
	struct task		*t = call_task(c);
	struct json_object	*r, *reqs, *content;
	const char		*text = NULL;

	t->call = NULL;
	if (input && (r = json_parse_object(result, len)) != NULL &&
	    json_object_object_get_ex(r, "inputRequests", &reqs)) {
		json_object_put(t->pending);
		t->pending = json_object_get(reqs);
		t->status = TASK_INPUT_REQUIRED;
		json_object_put(r);
	} else if (call_failed(c)) {
		if ((r = json_parse_object(result, len)) != NULL &&
		    json_object_object_get_ex(r, "content", &content) &&
		    json_object_array_length(content) > 0)
			text = json_object_get_string(json_object_object_get(
			    json_object_array_get_idx(content, 0), "text"));
		task_fail(t, JSONRPC_INTERNAL_ERROR, text != NULL ? text :
		    "the call failed");
		json_object_put(r);
	} else {
		task_keep(t, result, len);
		t->status = TASK_COMPLETED;
	}
	log_info("task %s: %s", t->id, task_status_names[t->status]);
	task_changed(t);
	task_arm(t);
}

/* A 2026 task's code may ask its client (tasks/update answers). */
int
task_asks(const struct call *c)
{
	return call_task(c) != NULL && call_task(c)->era == MCP_ERA_2026;
}

/* Every request answered: the call runs again, with the answers. */
static void
task_resume(struct task *t)
{
	struct tool	*tool = tool_route(t->tool);
	struct call	*c;

	if (tool == NULL || tool_spec(tool)->kind != KIND_TOOL) {
		task_fail(t, JSONRPC_INTERNAL_ERROR, "its tool is no longer "
		    "served");
		task_changed(t);
		task_arm(t);
		return;
	}
	if (t->expire != NULL)
		evtimer_del(t->expire);
	t->status = TASK_WORKING;
	c = call_new_task(tool, t->args, t->argslen, t->answers, t->client);
	t->call = c;
	call_to_task(c, t, t->timeout_ms);
	task_changed(t);
	tool_enqueue(tool, c);
}

static enum mcp_action
task_fail_reply(const struct mcp_request *r, struct json_object **reply,
    int code, const char *fmt, const char *arg)
{
	return mcp_fail(reply, r->d, r->id, code, fmt, arg);
}

/* 2026: tasks methods only for a request that declares the extension. */
int
task_declared(const struct mcp_request *r)
{
	struct json_object	*params, *meta, *caps, *ext;
	int			 yes;

	if (r->params < 0)
		return 0;
	params = jdoc_object(r->d, r->params);
	yes = json_object_object_get_ex(params, "_meta", &meta) &&
	    json_object_object_get_ex(meta,
	    "io.modelcontextprotocol/clientCapabilities", &caps) &&
	    json_object_object_get_ex(caps, "extensions", &ext) &&
	    json_object_object_get_ex(ext, TASKS_EXTENSION, NULL);
	json_object_put(params);
	return yes;
}

/* The -32021 of a 2026 request without the extension. */
enum mcp_action
task_missing_extension(const struct mcp_request *r, const char *what,
    struct json_object **reply)
{
	struct json_object	*data, *caps, *ext, *err;

	mcp_fail(reply, r->d, r->id, JSONRPC_MISSING_CAPABILITY, "Missing "
	    "required client capability: %s needs the extension "
	    TASKS_EXTENSION, what);
	ext = json_object_new_object();
	json_object_object_add(ext, TASKS_EXTENSION, json_object_new_object());
	caps = json_object_new_object();
	json_object_object_add(caps, "extensions", ext);
	data = json_object_new_object();
	json_object_object_add(data, "requiredCapabilities", caps);
	json_object_object_get_ex(*reply, "error", &err);
	json_object_object_add(err, "data", data);
	return MCP_REPLY;
}

int
task_method(const struct mcp_state *st, const struct jdoc *d, int mt)
{
	size_t	i;

	for (i = 0; i < TASK_NOPS; i++)
		if (jdoc_string_eq(d, mt, task_ops[i].method,
		    strlen(task_ops[i].method)))
			return (st->era == MCP_ERA_2026 ? task_ops[i].era2026 :
			    task_ops[i].era2025) ? (int)i + 1 : 0;
	return 0;
}

static enum mcp_action
task_update(struct task *t, const struct mcp_request *r,
    struct json_object *params, struct json_object **result,
    struct json_object **reply)
{
	struct json_object	*given;

	if (!json_object_object_get_ex(params, "inputResponses", &given) ||
	    !json_object_is_type(given, json_type_object))
		return task_fail_reply(r, reply, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'inputResponses' must be an object of "
		    "answers by key%s", "");
	if (t->status != TASK_INPUT_REQUIRED)
		return task_fail_reply(r, reply, JSONRPC_INVALID_PARAMS,
		    "Invalid params: the task is %s, not waiting for input",
		    task_status_names[t->status]);
	if (t->answers == NULL)
		t->answers = json_object_new_object();
	json_object_object_foreach(given, key, v) {
		if (!json_object_object_get_ex(t->pending, key, NULL) ||
		    !json_object_is_type(v, json_type_object))
			continue;	/* not asked (or no result): ignored */
		json_object_object_add(t->answers, key, json_object_get(v));
		json_object_object_del(t->pending, key);
	}
	if (json_object_object_length(t->pending) == 0)
		task_resume(t);
	*result = json_object_new_object();
	return MCP_REPLY;
}

static enum mcp_action
task_cancel(struct task *t, const struct mcp_request *r,
    struct json_object **result, struct json_object **reply)
{
	struct call	*c = t->call;

	if (TASK_TERMINAL(t)) {
		if (t->era != MCP_ERA_2026)	/* 2025: not twice */
			return task_fail_reply(r, reply,
			    JSONRPC_INVALID_PARAMS, "Invalid params: the task "
			    "is already %s", task_status_names[t->status]);
		*result = json_object_new_object();
		return MCP_REPLY;
	}
	t->call = NULL;
	if (c != NULL) {
		call_untask(c);
		call_cancel(c);
	}
	t->status = TASK_CANCELLED;
	log_info("task %s: cancelled", t->id);
	task_changed(t);
	task_arm(t);
	*result = t->era == MCP_ERA_2026 ? json_object_new_object() :
	    task_json(t, 0);
	return MCP_REPLY;
}

/* 2025 tasks/result: the result now if it is done, else when it is. */
static enum mcp_action
task_result(struct task *t, struct mcp_state *st, const struct mcp_request *r,
    struct json_object **reply)
{
	struct json_object	*id;
	const struct jtok	*it = &r->d->t[r->id];

	if (TASK_TERMINAL(t)) {
		id = mcp_id(r->d, r->id);
		*reply = task_result_2025(t, id);
		json_object_put(id);
		return MCP_REPLY;
	}
	if (t->nwaiters == TASK_WAITERS_MAX || st->session == NULL)
		return task_fail_reply(r, reply, JSONRPC_INTERNAL_ERROR,
		    "Internal error: %d requests already wait for this task's "
		    "result; poll tasks/get%s", "");
	t->waiters[t->nwaiters].session = st->session;
	t->waiters[t->nwaiters].idjson = xmalloc(it->end - it->start + 1);
	memcpy(t->waiters[t->nwaiters].idjson, r->d->text + it->start,
	    it->end - it->start);
	t->waiters[t->nwaiters].idjson[it->end - it->start] = '\0';
	t->nwaiters++;
	return MCP_NONE;	/* answered when it ends (task_changed) */
}

static enum mcp_action
task_list(const char *principal,
    struct json_object *params, const struct mcp_request *r,
    struct json_object **result, struct json_object **reply)
{
	struct json_object	*list = json_object_new_array(), *v = NULL;
	struct task		*t;
	size_t			 off = 0, i = 0, n = 0;
	char			 next[32];

	if (json_object_object_get_ex(params, "cursor", &v) &&
	    json_object_is_type(v, json_type_string))
		off = strtoul(json_object_get_string(v), NULL, 10);
	else if (v != NULL && !json_object_is_type(v, json_type_null)) {
		json_object_put(list);
		return task_fail_reply(r, reply, JSONRPC_INVALID_PARAMS,
		    "Invalid params: unknown 'cursor'%s", "");
	}
	*result = json_object_new_object();
	TAILQ_FOREACH(t, &tasks, entry) {
		if (t->principal == NULL || principal == NULL ||
		    strcmp(t->principal, principal) != 0 || i++ < off)
			continue;
		if (n++ == settings.page_size) {
			snprintf(next, sizeof(next), "%zu", i - 1);
			json_object_object_add(*result, "nextCursor",
			    json_object_new_string(next));
			break;
		}
		json_object_array_add(list, task_json(t, 0));
	}
	json_object_object_add(*result, "tasks", list);
	return MCP_REPLY;
}

/*
 * One of task_method's: MCP_REPLY with *result (the caller wraps it as its
 * era does) or *reply (whole), or MCP_NONE (answered later).
 */
enum mcp_action
task_handle(struct mcp_state *st, const struct mcp_request *r,
    struct json_object **result, struct json_object **reply)
{
	struct json_object	*params;
	struct task		*t = NULL;
	enum mcp_action		 act;
	const char		*p, *id = NULL;
	char			 buf[160];
	int			 op = task_method(st, r->d, r->method) - 1;

	*result = *reply = NULL;
	if (st->era == MCP_ERA_2026 && !task_declared(r))
		return task_missing_extension(r, task_ops[op].method, reply);
	params = r->params >= 0 ? jdoc_object(r->d, r->params) :
	    json_object_new_object();
	p = task_principal(st, buf, sizeof(buf));
	if (op == OP_LIST) {
		act = task_list(p, params, r, result, reply);
		json_object_put(params);
		return act;
	}
	if ((id = json_object_get_string(json_object_object_get(params,
	    "taskId"))) == NULL || !json_object_is_type(json_object_object_get(
	    params, "taskId"), json_type_string)) {
		json_object_put(params);
		return task_fail_reply(r, reply, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'taskId' must be a string%s", "");
	}
	if ((t = task_find(id, p)) == NULL) {
		act = task_fail_reply(r, reply, JSONRPC_INVALID_PARAMS,
		    "Invalid params: unknown task '%.100s' (expired, of "
		    "another client, or never made here)", id);
		json_object_put(params);
		return act;
	}
	switch (op) {
	case OP_GET:
		*result = task_json(t, st->era == MCP_ERA_2026);
		act = MCP_REPLY;
		break;
	case OP_UPDATE:
		act = task_update(t, r, params, result, reply);
		break;
	case OP_CANCEL:
		act = task_cancel(t, r, result, reply);
		break;
	default:
		act = task_result(t, st, r, reply);
		break;
	}
	json_object_put(params);
	return act;
}

/* The session is gone: its tasks stay (for their TTL), unheard. */
void
task_session_gone(struct session *s)
{
	struct task	*t;
	size_t		 i, k;

	TAILQ_FOREACH(t, &tasks, entry) {
		if (t->session == s)
			t->session = NULL;
		for (i = k = 0; i < t->nwaiters; i++) {
			if (t->waiters[i].session == s)
				free(t->waiters[i].idjson);
			else
				t->waiters[k++] = t->waiters[i];
		}
		t->nwaiters = k;
	}
}

void
task_shutdown(void)
{
	struct task	*t;

	while ((t = TAILQ_FIRST(&tasks)) != NULL)
		task_free(t);
}

/* How many tasks are in each status: status's. */
struct json_object *
task_counts(void)
{
	struct json_object	*o = json_object_new_object();
	struct task		*t;
	size_t			 n[5] = { 0 }, i;

	TAILQ_FOREACH(t, &tasks, entry)
		n[t->status]++;
	for (i = 0; i < 5; i++)
		json_object_object_add(o, task_status_names[i],
		    json_object_new_int64((int64_t)n[i]));
	return o;
}

/* /metrics: tasks kept, by status. */
void
task_metrics(struct evbuffer *b)
{
	struct task	*t;
	size_t		 n[5] = { 0 }, i;

	TAILQ_FOREACH(t, &tasks, entry)
		n[t->status]++;
	metrics_family(b, "mcp_hotd_tasks", "gauge",
	    "Tasks kept (a restart loses them), by status.");
	for (i = 0; i < 5; i++)
		evbuffer_add_printf(b, "mcp_hotd_tasks{status=\"%s\"} %zu\n",
		    task_status_names[i], n[i]);
}

/* 2025's experimental capability: tools/call as a task, list, cancel. */
void
task_capabilities_2025(struct json_object *caps)
{
	struct json_object	*t = json_object_new_object(), *req, *tools;

	tools = json_object_new_object();
	json_object_object_add(tools, "call", json_object_new_object());
	req = json_object_new_object();
	json_object_object_add(req, "tools", tools);
	json_object_object_add(t, "list", json_object_new_object());
	json_object_object_add(t, "cancel", json_object_new_object());
	json_object_object_add(t, "requests", req);
	json_object_object_add(caps, "tasks", t);
}
