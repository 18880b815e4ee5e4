/* SPDX-License-Identifier: ISC */
/*
 * Tasks: a tool call that outlives its request (task.c). 2026-07-28: the
 * io.modelcontextprotocol/tasks extension (tasks/get, tasks/update,
 * tasks/cancel); 2025-11-25: the experimental form (a "task" param on
 * tools/call; tasks/get, tasks/result, tasks/list, tasks/cancel). After
 * mcp-hotd.h.
 */
#ifndef TASK_H
#define TASK_H

#define TASKS_EXTENSION		"io.modelcontextprotocol/tasks"

struct call;

int		 task_method(const struct mcp_state *, const struct jdoc *, int);
enum mcp_action	 task_handle(struct mcp_state *, const struct mcp_request *,
		    struct json_object **, struct json_object **);
int		 task_room(const struct session *, const struct mcp_call *,
		    char *, size_t);
struct json_object *task_begin(struct session *, struct call *,
		    const struct mcp_call *);
void		 task_answered(struct call *, const char *, size_t, int);
int		 task_asks(const struct call *);
int		 task_declared(const struct mcp_request *);
enum mcp_action	 task_missing_extension(const struct mcp_request *,
		    const char *, struct json_object **);
void		 task_session_gone(struct session *);
void		 task_shutdown(void);
struct json_object *task_counts(void);
void		 task_capabilities_2025(struct json_object *);
struct evbuffer;
void		 task_metrics(struct evbuffer *);

#endif /* TASK_H */
