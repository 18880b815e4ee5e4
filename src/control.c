/* SPDX-License-Identifier: ISC */
/*
 * Control requests, outside MCP's method names, on sessions allowed to make
 * them (the unix socket and stdio, never HTTP):
 *
 *	mcp-hotd/reload	reload now; answered when the reload is done, with
 *			what was added, changed, removed, failed, skipped
 *	mcp-hotd/status	every tool version and worker, every session
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "catalog.h"
#include "task.h"
#include "review.h"
#include "xmalloc.h"

static struct json_object *
control_session(struct session *s)
{
	struct json_object	*o;

	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int((int)s->id));
	json_object_object_add(o, "transport",
	    json_object_new_string(s->ops->name));
	json_object_object_add(o, "peer", json_object_new_string(s->peer));
	json_object_object_add(o, "client", s->mcp.client_name ?
	    json_object_new_string(s->mcp.client_name) : NULL);
	json_object_object_add(o, "protocol", s->mcp.protocol ?
	    json_object_new_string(s->mcp.protocol) : NULL);
	json_object_object_add(o, "in_flight",
	    json_object_new_int((int)s->ninflight));
	json_object_object_add(o, "client_id", s->mcp.client != NULL ?
	    json_object_new_string(s->mcp.client) : NULL);
	return o;
}

static struct json_object *
control_status(void)
{
	struct json_object	*st, *sessions, *served, *v;
	struct session		*s;

	st = json_object_new_object();
	json_object_object_add(st, "config",
	    json_object_new_string(settings.config_path));
	json_object_object_add(st, "started",
	    json_object_new_int64((int64_t)sv.started));
	json_object_object_add(st, "tools", tool_status());
	sessions = json_object_new_array();
	TAILQ_FOREACH(s, &sv.sessions, entry)
		json_object_array_add(sessions, control_session(s));
	json_object_object_add(st, "sessions", sessions);
	json_object_object_add(st, "tools_version",
	    json_object_new_string(sv.tools_version));
	/* Resources, templates and prompts served (their code's workers are
	 * among "tools", as prompt:NAME and the like). */
	json_object_object_add(st, "catalog", catalog_counts());
	json_object_object_add(st, "tasks", task_counts());
	/* Where it came from: loaded when, signed by whom (null: unsigned). */
	served = reload_served();
	json_object_object_add(st, "tools_loaded", served != NULL &&
	    json_object_object_get_ex(served, "loaded", &v) ?
	    json_object_get(v) : NULL);
	json_object_object_add(st, "tools_signer", served != NULL &&
	    json_object_object_get_ex(served, "signer", &v) ?
	    json_object_get(v) : NULL);
	json_object_object_add(st, "http_connections",
	    json_object_new_int64(http_conn_count()));
	json_object_object_add(st, "unread_bytes",
	    json_object_new_int64((int64_t)sv.unread_total));
	json_object_object_add(st, "last_reload", reload_result() ?
	    json_object_get(reload_result()) : NULL);
	return st;
}

static struct call *
control_call(struct session *s, const struct mcp_request *r)
{
	const struct jtok	*id = &r->d->t[r->id];

	return call_new(s, r->d->text + id->start, id->end - id->start, NULL,
	    NULL, 0);
}

/* What serves now, as specs to review against (malloc'd array). */
static const struct toolspec **
control_serving(size_t *n)
{
	const struct toolspec	**specs;
	size_t			  i;

	specs = xcalloc(sv.nroutes + 1, sizeof(*specs));
	for (i = 0; i < sv.nroutes; i++)
		specs[i] = tool_spec(sv.routes[i]);
	*n = sv.nroutes;
	return specs;
}

/*
 * diff: what a reload would change. params: "text" (a tools file's, from
 * mcp-hotctl diff FILE) named "file", with its "signature" if it has one;
 * without text, the daemon's own file, as a reload would read it.
 */
static void
control_diff(struct session *s, const struct mcp_request *r)
{
	struct json_object	*params = NULL, *v, *res;
	const char		*label = settings.config_path, *sig = NULL;
	const struct toolspec	**old;
	char			*text = NULL, *review, err[1024];
	const char		*str;
	size_t			 len, nold;
	int			 widened, servable;

	if (r->params != -1 && r->d->t[r->params].type == JT_OBJECT)
		params = jdoc_object(r->d, r->params);
	if (params != NULL && json_object_object_get_ex(params, "text", &v) &&
	    json_object_is_type(v, json_type_string)) {
		text = xstrdup(json_object_get_string(v));
		len = (size_t)json_object_get_string_len(v);
		label = json_object_object_get_ex(params, "file", &v) &&
		    json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : "(the file given)";
		if (json_object_object_get_ex(params, "signature", &v) &&
		    json_object_is_type(v, json_type_string))
			sig = json_object_get_string(v);
		else
			sig = "";	/* none came with it */
	} else if ((text = config_read_file(settings.config_path, &len, err,
	    sizeof(err))) == NULL)
		text = NULL;
	widened = servable = 0;
	if (text != NULL) {
		old = control_serving(&nold);
		review = review_file(label, text, len, sig, old, nold,
		    &widened, &servable);
		free(old);
	}
	else {
		review = xmalloc(strlen(err) + 32);
		sprintf(review, "NOT SERVABLE: %s\n", err);
	}
	res = json_object_new_object();
	json_object_object_add(res, "review", json_object_new_string(review));
	json_object_object_add(res, "widened",
	    json_object_new_boolean(widened));
	json_object_object_add(res, "servable",
	    json_object_new_boolean(servable));
	str = mcp_to_string(res, &len);
	call_answer_raw(control_call(s, r), str, len);
	json_object_put(res);
	json_object_put(params);
	free(review);
	free(text);
}

/* Returns 1 when r was a control request (answered or pending). */
int
control_handle(struct session *s, const struct mcp_request *r)
{
	struct json_object	*st;
	const char		*str;
	size_t			 len;

	if (r->id == -1)
		return 0;	/* a notification */
	if (jdoc_string_eq(r->d, r->method, "mcp-hotd/reload", 15)) {
		log_info("session %u (%s): reload requested", s->id, s->peer);
		reload_request("control request", control_call(s, r));
		return 1;
	}
	if (jdoc_string_eq(r->d, r->method, "mcp-hotd/diff", 13)) {
		control_diff(s, r);
		return 1;
	}
	if (jdoc_string_eq(r->d, r->method, "mcp-hotd/status", 15)) {
		st = control_status();
		str = mcp_to_string(st, &len);
		call_answer_raw(control_call(s, r), str, len);
		json_object_put(st);
		return 1;
	}
	return 0;	/* not ours, or unknown: mcp.c answers -32601 */
}
