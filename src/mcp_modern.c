/* SPDX-License-Identifier: ISC */
/*
 * The 2026-07-28 era of MCP (SEP-2575): no initialize and no session;
 * every request carries its protocol version and the client's capabilities
 * in params._meta and is judged on its own, so any instance of a fleet can
 * answer it. server/discover says what the server offers; a listen stream
 * (subscriptions/listen) carries list changes; results say resultType, and
 * lists how long they may be cached (SEP-2549). Pure, like mcp.c: requests
 * in, replies out, no I/O.
 *
 * Validation follows the order the conformance suite checks: required
 * _meta keys (-32602), then the MCP-Protocol-Version header against them
 * (-32020, HTTP only), then the version (-32022); the HTTP transport checks
 * the header's presence before and Mcp-Method/Mcp-Name after.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "catalog.h"
#include "task.h"
#include "xmalloc.h"

#define JSONRPC_METHOD_NOT_FOUND	-32601
#define JSONRPC_INVALID_PARAMS		-32602

#define META_VERSION	"io.modelcontextprotocol/protocolVersion"
#define META_CAPS	"io.modelcontextprotocol/clientCapabilities"
#define META_LEVEL	"io.modelcontextprotocol/logLevel"
#define META_SERVER	"io.modelcontextprotocol/serverInfo"
#define META_SUB	"io.modelcontextprotocol/subscriptionId"
#define META_CLIENT	"io.modelcontextprotocol/clientInfo"

static const char *const modern_levels[] = {
	"debug", "info", "notice", "warning", "error", "critical", "alert",
	"emergency", NULL
};

/* The request's params._meta token, or -1. */
static int
modern_meta(const struct mcp_request *r)
{
	int	mt;

	if (r->params == -1 || (mt = jdoc_member(r->d, r->params, "_meta")) ==
	    -1 || r->d->t[mt].type != JT_OBJECT)
		return -1;
	return mt;
}

/* _meta's member key as a string token, or -1. */
static int
modern_meta_string(const struct mcp_request *r, const char *key)
{
	int	mt, v;

	if ((mt = modern_meta(r)) == -1 || (v = jdoc_member(r->d, mt, key)) ==
	    -1 || r->d->t[v].type != JT_STRING)
		return -1;
	return v;
}

/*
 * Which era a request belongs to, given the MCP-Protocol-Version header
 * when it came over HTTP (else NULL): a 2026 header says 2026 (an
 * initialize under it is a removed method); else initialize is 2025's;
 * server/discover or a protocol version in _meta (any: an unknown one is
 * answered -32022 there) are 2026's.
 */
enum mcp_era
mcp_era_of(const struct mcp_request *r, const char *header)
{
	if (header != NULL && strcmp(header, MCP_VERSION_2026) == 0)
		return MCP_ERA_2026;
	if (jdoc_string_eq(r->d, r->method, "initialize", 10))
		return MCP_ERA_2025;
	if (jdoc_string_eq(r->d, r->method, "server/discover", 15) ||
	    modern_meta_string(r, META_VERSION) != -1)
		return MCP_ERA_2026;
	return MCP_ERA_2025;
}

/* Every version this server speaks, newest first, as a JSON array. */
static struct json_object *
modern_supported(void)
{
	struct json_object	*a = json_object_new_array();
	size_t			 i;

	json_object_array_add(a, json_object_new_string(MCP_VERSION_2026));
	for (i = 0; mcp_versions[i] != NULL; i++)
		json_object_array_add(a, json_object_new_string(mcp_versions[i]));
	return a;
}

static int
modern_level_ok(const struct mcp_request *r, int lt)
{
	size_t	i;

	for (i = 0; modern_levels[i] != NULL; i++)
		if (jdoc_string_eq(r->d, lt, modern_levels[i],
		    strlen(modern_levels[i])))
			return 1;
	return 0;
}

static int
modern_unsupported(const struct mcp_request *r, int vt,
    struct json_object **reply)
{
	struct json_object	*data, *e;
	char			 v[64];

	jdoc_string(r->d, vt, v, sizeof(v));
	mcp_fail(reply, r->d, r->id, JSONRPC_UNSUPPORTED_VERSION, "Unsupported "
	    "protocol version '%s': this server speaks %s statelessly, and the "
	    "2025 versions after initialize", v, MCP_VERSION_2026);
	data = json_object_new_object();
	json_object_object_add(data, "supported", modern_supported());
	json_object_object_add(data, "requested", json_object_new_string(v));
	json_object_object_get_ex(*reply, "error", &e);
	json_object_object_add(e, "data", data);
	return JSONRPC_UNSUPPORTED_VERSION;
}

/* The _meta members that matter, found in one pass: tokens, or -1. */
struct modern_keys {
	int	version, caps, level;
};

static int
modern_keys(const struct mcp_request *r, struct modern_keys *k)
{
	unsigned	n;
	int		mt, key;

	k->version = k->caps = k->level = -1;
	if ((mt = modern_meta(r)) == -1)
		return -1;
	JDOC_FOREACH_MEMBER(r->d, mt, key, n) {
		if (jdoc_string_eq(r->d, key, META_VERSION,
		    sizeof(META_VERSION) - 1))
			k->version = key + 1;
		else if (jdoc_string_eq(r->d, key, META_CAPS,
		    sizeof(META_CAPS) - 1))
			k->caps = key + 1;
		else if (jdoc_string_eq(r->d, key, META_LEVEL,
		    sizeof(META_LEVEL) - 1))
			k->level = key + 1;
	}
	return 0;
}

/*
 * A request's _meta, checked (header: MCP-Protocol-Version over HTTP, else
 * NULL). 0, or the error code with *reply set.
 */
int
mcp_modern_check(const struct mcp_request *r, const char *header,
    struct json_object **reply)
{
	struct modern_keys	k;
	char			v[64];

	*reply = NULL;
	if (modern_keys(r, &k) == -1 || k.version == -1 ||
	    r->d->t[k.version].type != JT_STRING || k.caps == -1 ||
	    r->d->t[k.caps].type != JT_OBJECT) {
		mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS, "Invalid "
		    "params: MCP %s requests carry params._meta with '%s' (a "
		    "string) and '%s' (an object)", MCP_VERSION_2026,
		    META_VERSION, META_CAPS);
		return JSONRPC_INVALID_PARAMS;
	}
	if (header != NULL && !jdoc_string_eq(r->d, k.version, header,
	    strlen(header))) {
		jdoc_string(r->d, k.version, v, sizeof(v));
		mcp_fail(reply, r->d, r->id, JSONRPC_HEADER_MISMATCH, "Header "
		    "mismatch: MCP-Protocol-Version is '%s', _meta says '%s'",
		    header, v);
		return JSONRPC_HEADER_MISMATCH;
	}
	if (!jdoc_string_eq(r->d, k.version, MCP_VERSION_2026,
	    sizeof(MCP_VERSION_2026) - 1))
		return modern_unsupported(r, k.version, reply);
	if (k.level != -1 && (r->d->t[k.level].type != JT_STRING ||
	    !modern_level_ok(r, k.level))) {
		mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS, "Invalid "
		    "params: '%s' must be one of debug, info, notice, warning, "
		    "error, critical, alert, emergency", META_LEVEL);
		return JSONRPC_INVALID_PARAMS;
	}
	return 0;
}

/* HTTP's status for a 2026 reply carrying JSON-RPC error code (0: none). */
int
mcp_modern_http_status(int code)
{
	switch (code) {
	case 0:
		return 200;
	case JSONRPC_METHOD_NOT_FOUND:
		return 404;
	case -32603:
		return 500;
	default:
		return 400;
	}
}

/* A 2026 result: resultType, and caching hints for what may be cached. */
static enum mcp_action
modern_reply(const struct mcp_request *r, struct json_object *res,
    int cacheable, struct json_object **reply)
{
	struct json_object	*id = mcp_id(r->d, r->id);

	json_object_object_add(res, "resultType",
	    json_object_new_string("complete"));
	if (cacheable) {
		json_object_object_add(res, "ttlMs",
		    json_object_new_int(settings.cache_ttl_ms));
		json_object_object_add(res, "cacheScope",
		    json_object_new_string("public"));
	}
	*reply = mcp_result(id, res);
	json_object_put(id);
	return MCP_REPLY;
}

static struct json_object *
modern_capabilities(void)
{
	struct json_object	*caps = json_object_new_object();
	struct json_object	*tools = json_object_new_object(), *ext;

	json_object_object_add(tools, "listChanged",
	    json_object_new_boolean(1));
	json_object_object_add(caps, "tools", tools);
	catalog_capabilities(caps, 1);
	ext = json_object_new_object();
	json_object_object_add(ext, TASKS_EXTENSION, json_object_new_object());
	json_object_object_add(caps, "extensions", ext);
	return caps;
}

static enum mcp_action
modern_discover(const struct mcp_request *r, struct json_object **reply)
{
	struct json_object	*res = json_object_new_object();
	struct json_object	*meta = json_object_new_object();

	json_object_object_add(res, "supportedVersions", modern_supported());
	json_object_object_add(res, "capabilities", modern_capabilities());
	json_object_object_add(meta, META_SERVER, mcp_server_info());
	json_object_object_add(res, "_meta", meta);
	return modern_reply(r, res, 1, reply);
}

static enum mcp_action
modern_tools_list(const struct mcp_state *st, const struct mcp_request *r,
    struct json_object **reply)
{
	struct json_object	*params, *res, *e;

	params = r->params >= 0 ? jdoc_object(r->d, r->params) : NULL;
	res = mcp_tools_page(st, params, &e);
	json_object_put(params);
	if (res == NULL) {
		json_object_object_add(e, "id", mcp_id(r->d, r->id));
		*reply = e;
		return MCP_REPLY;
	}
	return modern_reply(r, res, 1, reply);
}

static enum mcp_action	modern_call(const struct mcp_request *,
			    struct json_object **, struct mcp_call *);
static struct json_object *modern_client(struct json_object *,
			    struct json_object *);

/*
 * The tasks extension: a tool that may be a task is one for a request
 * that declares the extension (the server decides; a legacy "task" param
 * changes nothing); one that must be is refused -32021 to any other.
 */
static enum mcp_action
modern_task_wanted(const struct mcp_request *r, struct json_object **reply,
    struct mcp_call *call)
{
	struct json_object	*meta, *caps = NULL;
	int			 support = tool_spec(call->tool)->task_support;
	int			 mt, declared;

	if (support == TASK_FORBIDDEN)
		return MCP_CALL;
	if ((declared = task_declared(r)) && call->client == NULL &&
	    (mt = modern_meta(r)) != -1) {	/* its code may ask */
		meta = jdoc_object(r->d, mt);
		json_object_object_get_ex(meta, META_CAPS, &caps);
		call->client = modern_client(meta, caps);
		json_object_put(meta);
	}
	/* after_input: a first round may ask (input_required, no task);
	 * the round that brings its answers is the task. */
	if (declared && (!tool_spec(call->tool)->task_after_input ||
	    jdoc_member(r->d, r->params, "inputResponses") != -1 ||
	    jdoc_member(r->d, r->params, "requestState") != -1)) {
		call->task = 1;
		return MCP_CALL;
	}
	if (declared)
		return MCP_CALL;
	if (support == TASK_OPTIONAL)
		return MCP_CALL;
	json_object_put(call->answers);
	call->answers = NULL;
	json_object_put(call->client);
	call->client = NULL;
	return task_missing_extension(r, "this tool (\"task\": \"required\")",
	    reply);
}

/* tasks methods (task.c), the extension's: every answer says it is complete. */
static enum mcp_action
modern_task(struct mcp_state *st, const struct mcp_request *r,
    struct json_object **reply)
{
	struct json_object	*res;
	enum mcp_action		 act;

	act = task_handle(st, r, &res, reply);
	if (act != MCP_REPLY || res == NULL)
		return act;
	return modern_reply(r, res, 0, reply);
}

/* A catalog method (catalog_rpc.c), its result answered as 2026's are. */
static enum mcp_action
modern_catalog(struct mcp_state *st, const struct mcp_request *r,
    struct json_object **reply, struct mcp_call *call)
{
	struct json_object	*res;
	enum mcp_action		 act;
	int			 list;

	act = catalog_handle(st, r, &res, reply, call);
	if (act == MCP_CALL)
		return modern_call(r, reply, call);
	if (act != MCP_REPLY || res == NULL)
		return act;
	/* Lists, and a static resource, may be cached as tools/list is. */
	list = json_object_object_get_ex(res, "prompts", NULL) ||
	    json_object_object_get_ex(res, "resources", NULL) ||
	    json_object_object_get_ex(res, "resourceTemplates", NULL) ||
	    json_object_object_get_ex(res, "contents", NULL);
	return modern_reply(r, res, list, reply);
}

/*
 * The answers a call comes with (SEP-2322): those its requestState carries,
 * if it is ours and intact, and its inputResponses. 0, or -1 with *reply.
 */
static int
modern_answers(const struct mcp_request *r, int ir, int rs,
    struct mcp_call *call, struct json_object **reply)
{
	const struct jtok	*t;
	struct json_object	*answers = NULL, *given;
	char			 why[256], *state;
	size_t			 len;
	int			 rv;

	if (rs != -1 && r->d->t[rs].type != JT_STRING)
		return mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'requestState' must be a string"), -1;
	if (ir != -1 && r->d->t[ir].type != JT_OBJECT)
		return mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'inputResponses' must be an object of "
		    "answers by key"), -1;
	if (rs != -1) {
		t = &r->d->t[rs];
		state = xmalloc(t->end - t->start);
		len = jdoc_string(r->d, rs, state, t->end - t->start);
		rv = state_open(state, len, tool_spec(call->tool)->name,
		    tool_spec(call->tool)->version, call->args, call->argslen,
		    &answers, why, sizeof(why));
		free(state);
		if (rv == -1)
			return mcp_fail(reply, r->d, r->id,
			    JSONRPC_INVALID_PARAMS, "Invalid params: %s", why),
			    -1;
	}
	if (ir != -1) {
		given = jdoc_object(r->d, ir);
		if (answers == NULL)
			answers = json_object_new_object();
		json_object_object_foreach(given, key, v) {
			if (!json_object_is_type(v, json_type_object)) {
				mcp_fail(reply, r->d, r->id,
				    JSONRPC_INVALID_PARAMS, "Invalid params: "
				    "inputResponses['%.64s'] must be an object "
				    "(the client's result)", key);
				json_object_put(given);
				json_object_put(answers);
				return -1;
			}
			json_object_object_add(answers, key, json_object_get(v));
		}
		json_object_put(given);
	}
	call->answers = answers;
	return 0;
}

/* The request's client, for the tool's Context: {name,version,capabilities}. */
static struct json_object *
modern_client(struct json_object *meta, struct json_object *caps)
{
	struct json_object	*c = json_object_new_object(), *info, *v;

	if (json_object_object_get_ex(meta, META_CLIENT, &info) &&
	    json_object_is_type(info, json_type_object)) {
		if (json_object_object_get_ex(info, "name", &v))
			json_object_object_add(c, "name", json_object_get(v));
		if (json_object_object_get_ex(info, "version", &v))
			json_object_object_add(c, "version", json_object_get(v));
	}
	json_object_object_add(c, "capabilities", caps != NULL &&
	    json_object_is_type(caps, json_type_object) ?
	    json_object_get(caps) : json_object_new_object());
	return c;
}

/*
 * tools/call: as in 2025, but the capabilities a tool requires or its code
 * asks for are checked first, and the call may answer an input_required
 * result (inputResponses, requestState).
 */
static enum mcp_action
modern_tools_call(const struct mcp_state *st, const struct mcp_request *r,
    struct json_object **reply, struct mcp_call *call)
{
	enum mcp_action		 act;

	if ((act = mcp_tools_call(st, r->d, r->id, r->params, reply, call)) !=
	    MCP_CALL)
		return act;
	if ((act = modern_call(r, reply, call)) != MCP_CALL)
		return act;
	return modern_task_wanted(r, reply, call);
}

/*
 * A call made (tools/call, or a coded prompt's or resource's): its log
 * level, and for code that may ask its client, the answers it comes with
 * and the capabilities it needs.
 */
static enum mcp_action
modern_call(const struct mcp_request *r, struct json_object **reply,
    struct mcp_call *call)
{
	struct json_object	*meta, *caps = NULL, *missing, *data, *err;
	struct modern_keys	 k;
	const struct tool	*t;
	enum mcp_action		 act = MCP_CALL;
	char			 level[16];
	int			 ir, rs, mt;

	/* Log messages only when this request asked, at its level. */
	call->log_level = -1;
	if (modern_keys(r, &k) == 0 && k.level != -1) {
		jdoc_string(r->d, k.level, level, sizeof(level));
		call->log_level = mcp_log_level(level);
	}
	/* The hot path builds no object: a tool that cannot ask (it does not
	 * import mcp_hotd) has nothing to learn from answers either. */
	t = call->tool;
	if ((tool_spec(t)->requires == NULL && !tool_uses_context(t)) ||
	    (mt = modern_meta(r)) == -1)
		return act;
	ir = jdoc_member(r->d, r->params, "inputResponses");
	rs = jdoc_member(r->d, r->params, "requestState");
	meta = jdoc_object(r->d, mt);
	json_object_object_get_ex(meta, META_CAPS, &caps);
	if (modern_answers(r, ir, rs, call, reply) == -1)
		act = MCP_REPLY;
	else if (mcp_missing_caps(call->tool, caps, 1, &missing)) {
		mcp_fail(reply, r->d, r->id, JSONRPC_MISSING_CAPABILITY,
		    "Missing required client capability: tool '%s' needs %s",
		    tool_spec(call->tool)->name, json_object_to_json_string_ext(
		    missing, JSON_C_TO_STRING_PLAIN));
		data = json_object_new_object();
		json_object_object_add(data, "requiredCapabilities", missing);
		json_object_object_get_ex(*reply, "error", &err);
		json_object_object_add(err, "data", data);
		act = MCP_REPLY;
	} else if (tool_uses_context(t) || call->answers != NULL)
		call->client = modern_client(meta, caps);
	json_object_put(meta);
	if (act != MCP_CALL) {
		json_object_put(call->answers);
		call->answers = NULL;
	}
	return act;
}

static int
modern_flag(const struct mcp_request *r, int nt, const char *key)
{
	int	t = jdoc_member(r->d, nt, key);

	return t != -1 && r->d->t[t].type == JT_TRUE;
}

/*
 * A listen filter's list of strings (token t: an array of at most 1024,
 * each at most maxlen bytes) as a set {string: null} in *set: 0, or -1
 * with *reply naming key and what it lists.
 */
static int
modern_listen_set(const struct mcp_request *r, int t, const char *key,
    const char *what, int maxlen, struct json_object **set,
    struct json_object **reply)
{
	struct json_object	*a, *v;
	size_t			 i, n;

	a = jdoc_object(r->d, t);
	n = json_object_is_type(a, json_type_array) ?
	    json_object_array_length(a) : 0;
	*set = json_object_new_object();
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(a, i);
		if (!json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) > maxlen)
			break;
		json_object_object_add(*set, json_object_get_string(v), NULL);
	}
	if (!json_object_is_type(a, json_type_array) || i < n || n > 1024) {
		json_object_put(a);
		json_object_put(*set);
		*set = NULL;
		mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: '%s' must be an array of at most 1024 %s",
		    key, what);
		return -1;
	}
	json_object_put(a);
	return 0;
}

/*
 * What a listen stream wants beyond list changes: resource updates
 * (resourceSubscriptions), task status (taskIds, the tasks extension's:
 * -32021 without it). 0, or -1 with *reply.
 */
static int
modern_listen_sets(struct mcp_state *st, const struct mcp_request *r, int nt,
    struct json_object **reply)
{
	int	rt = jdoc_member(r->d, nt, "resourceSubscriptions");
	int	tt = jdoc_member(r->d, nt, "taskIds");

	json_object_put(st->subs);
	json_object_put(st->listen_tasks);
	st->subs = st->listen_tasks = NULL;
	if (tt != -1 && !task_declared(r)) {
		task_missing_extension(r, "'taskIds'", reply);
		return -1;
	}
	if (rt != -1 && modern_listen_set(r, rt, "resourceSubscriptions",
	    "resource uris", 2048, &st->subs, reply) == -1)
		return -1;
	if (tt != -1 && modern_listen_set(r, tt, "taskIds", "task ids", 128,
	    &st->listen_tasks, reply) == -1)
		return -1;
	return 0;
}

/*
 * subscriptions/listen: this session becomes a listen stream for what it
 * asks (list changes of tools, prompts, resources; resource updates; task
 * status). *reply is the acknowledgement, its first message.
 */
static enum mcp_action
modern_listen(struct mcp_state *st, const struct mcp_request *r,
    struct json_object **reply)
{
	struct json_object	*params, *agreed, *meta, *uris;
	int			 nt;

	nt = r->params >= 0 ? jdoc_member(r->d, r->params, "notifications") :
	    -1;
	if (nt == -1 || r->d->t[nt].type != JT_OBJECT)
		return mcp_fail(reply, r->d, r->id, JSONRPC_INVALID_PARAMS,
		    "Invalid params: 'notifications' must be an object naming "
		    "the notifications wanted");
	if (modern_listen_sets(st, r, nt, reply) == -1)
		return MCP_REPLY;
	json_object_put(st->listen_id);
	st->listen_id = mcp_id(r->d, r->id);
	st->listen_tools = modern_flag(r, nt, "toolsListChanged");
	st->listen_prompts = modern_flag(r, nt, "promptsListChanged");
	st->listen_resources = modern_flag(r, nt, "resourcesListChanged");
	agreed = json_object_new_object();
	if (st->listen_tools)
		json_object_object_add(agreed, "toolsListChanged",
		    json_object_new_boolean(1));
	if (st->listen_prompts)
		json_object_object_add(agreed, "promptsListChanged",
		    json_object_new_boolean(1));
	if (st->listen_resources)
		json_object_object_add(agreed, "resourcesListChanged",
		    json_object_new_boolean(1));
	if (st->subs != NULL) {
		uris = json_object_new_array();
		json_object_object_foreach(st->subs, uri, v) {
			(void)v;
			json_object_array_add(uris,
			    json_object_new_string(uri));
		}
		json_object_object_add(agreed, "resourceSubscriptions", uris);
	}
	if (st->listen_tasks != NULL) {
		uris = json_object_new_array();
		json_object_object_foreach(st->listen_tasks, id, v) {
			(void)v;
			json_object_array_add(uris, json_object_new_string(id));
		}
		json_object_object_add(agreed, "taskIds", uris);
	}
	*reply = mcp_notification("notifications/subscriptions/acknowledged");
	params = json_object_new_object();
	json_object_object_add(params, "notifications", agreed);
	meta = json_object_new_object();
	json_object_object_add(meta, META_SUB, json_object_get(st->listen_id));
	json_object_object_add(params, "_meta", meta);
	json_object_object_add(*reply, "params", params);
	return MCP_LISTEN;
}

/* A notification: cancelled (a call, or this session's listen stream). */
static enum mcp_action
modern_notified(struct mcp_state *st, const struct mcp_request *r,
    struct mcp_call *call)
{
	struct json_object	*id;
	int			 rt, same;

	if (!jdoc_string_eq(r->d, r->method, "notifications/cancelled", 23) ||
	    r->params == -1 || (rt = jdoc_member(r->d, r->params,
	    "requestId")) == -1)
		return MCP_NONE;
	if (st->listen_id != NULL) {
		id = mcp_id(r->d, rt);
		same = json_object_equal(id, st->listen_id);
		json_object_put(id);
		if (same) {
			json_object_put(st->listen_id);
			st->listen_id = NULL;
			return MCP_NONE;
		}
	}
	call->id = r->d->text + r->d->t[rt].start;
	call->idlen = r->d->t[rt].end - r->d->t[rt].start;
	return MCP_CANCEL;
}

enum mcp_action
mcp_modern_handle(struct mcp_state *st, const struct mcp_request *r,
    struct json_object **reply, struct mcp_call *call)
{
	char	method[128];

	if (r->id == -1)
		return modern_notified(st, r, call);
	if (mcp_modern_check(r, st->http_version, reply) != 0)
		return MCP_REPLY;
	if (jdoc_string_eq(r->d, r->method, "tools/call", 10))
		return modern_tools_call(st, r, reply, call);
	if (jdoc_string_eq(r->d, r->method, "tools/list", 10))
		return modern_tools_list(st, r, reply);
	if (jdoc_string_eq(r->d, r->method, "server/discover", 15))
		return modern_discover(r, reply);
	if (jdoc_string_eq(r->d, r->method, "subscriptions/listen", 20))
		return modern_listen(st, r, reply);
	if (catalog_method(st, r->d, r->method))
		return modern_catalog(st, r, reply, call);
	if (task_method(st, r->d, r->method))
		return modern_task(st, r, reply);
	jdoc_string(r->d, r->method, method, sizeof(method));
	/* Say why only where a 2025 habit is the likely cause. */
	if (strcmp(method, "initialize") == 0 || strcmp(method, "ping") == 0 ||
	    strcmp(method, "logging/setLevel") == 0)
		return mcp_fail(reply, r->d, r->id, JSONRPC_METHOD_NOT_FOUND,
		    "Method not found: '%s' (MCP %s has no initialize, ping or "
		    "logging/setLevel)", method, MCP_VERSION_2026);
	return mcp_fail(reply, r->d, r->id, JSONRPC_METHOD_NOT_FOUND,
	    "Method not found: '%s'", method);
}
