/* SPDX-License-Identifier: ISC */
/*
 * mcp-hotd: the supervisor. It speaks MCP to clients, owns the tool table
 * and routes tools/call to one worker process per tool. It never runs tool
 * code and never embeds Python.
 */
#ifndef MCP_HOTD_H
#define MCP_HOTD_H

#include <sys/queue.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>
#include <json.h>

#include "jsonstr.h"
#include "log.h"
#include "msg.h"

#ifndef TAILQ_FOREACH_SAFE	/* glibc's sys/queue.h lacks it */
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#define MCP_HOTD_NAME		"mcp-hotd"
#define DEFAULT_TIMEOUT_MS	30000
#define DEFAULT_TASK_TIMEOUT_MS	(3600 * 1000)	/* a task's call */
#define DEFAULT_TASK_TTL_MS	(3600 * 1000)	/* a task kept, once done */
#define DEFAULT_MAX_TASKS	64		/* a tool's, working at once */
#define DEFAULT_LOAD_TIMEOUT_MS	10000	/* loading: imports, top level */
#define MAX_LOAD_TIMEOUT_MS	120000
#define DEFAULT_MEMORY_MB	MSG_DEFAULT(LOAD, memory_mb)
#define DEFAULT_DISK_MB		MSG_DEFAULT(LOAD, disk_mb)
#define MAX_CONCURRENCY		64	/* workers of one tool */
#define DEFAULT_IDLE_MS		60000	/* an idle pool worker retires */
#define MAX_PYTHON_PATHS	16
#define DEFAULT_MAX_REPLY	MSG_DEFAULT(LOAD, max_reply)
#define DEFAULT_MAX_REQUEST	(16 * 1024 * 1024)
#define DEFAULT_MAX_UNREAD	(96 * 1024 * 1024)
#define ANSWER_ALWAYS_SENT	(64 * 1024)	/* answers this small pass */
#define DEFAULT_PAGE_SIZE	100
#define DEFAULT_CACHE_TTL_MS	5000	/* a reload is never hidden longer */
#define NOTIFY_LOADING_MS	10000	/* a long first load says so this often */
#define NOTIFY_EXTEND_USEC	30000000	/* ... and asks for this much more */
#define DEFAULT_ASK_TIMEOUT	600	/* seconds a client may take to answer */
#define STATE_TTL		3600	/* seconds a requestState is good for */
#define SESSION_TOKEN_TTL	(7 * 24 * 3600)	/* a 2025 session id's */
#define ASK_MAX			MSG_BOUND(ASK, requests)	/* in one ask */
#define DEFAULT_HTTP_IDLE	1800
#define DEFAULT_HTTP_TIMEOUT	60
#define DEFAULT_HTTP_SESSIONS	256
#define WORKER_WINDOW		32	/* calls sent ahead to one worker */
#define WORKER_AHEAD_US		2000	/* ... at most this much work, so a
					 * newcomer's call waits for little */
#define SESSION_MAX_INFLIGHT	64	/* a session's lines wait beyond */
#define SESSION_OUTPUT_HIGH	(8 * 1024 * 1024)	/* unread output: */
#define SESSION_OUTPUT_LOW	(1024 * 1024)		/* hold / resume */

struct ask;
struct call;
TAILQ_HEAD(callq, call);
struct evbuffer;
struct frame_hdr;
struct jdoc;
struct reload;
struct schema;
struct session;
struct worker;


/*
 * What an entry of the tools file is ("kind"; none: a tool). Coded ones of
 * the other kinds run as tools of that kind (LOAD's kind, the same
 * numbers), named "prompt:NAME" and the like, never listed or called as
 * tools; catalog.c serves them.
 */
enum entry_kind {
	KIND_TOOL,
	KIND_RESOURCE,		/* a resource or a resource template */
	KIND_PROMPT,
	KIND_COMPLETION		/* a prompt's or template's argument's */
};

/* "task" of an entry: may its calls be tasks (task.c)? */
enum task_support {
	TASK_FORBIDDEN,
	TASK_OPTIONAL,
	TASK_REQUIRED
};

/* One entry of the tools file, validated. */
struct toolspec {
	char			*name;
	enum entry_kind		 kind;
	char			*description;
	char			*load;		/* MSG_LOAD payload */
	struct json_object	*annotations;	/* optional, owned */
	char			*title;		/* optional */
	uint64_t		 hash;		/* of the whole entry and its
						 * env grants' values: what a
						 * reload compares, never shown */
	uint64_t		 version;	/* of the entry alone: what
						 * status, tools/list and HTTP
						 * show (no secret shapes it) */
	int			 timeout_ms;
	int			 load_timeout_ms;
	int			 memory_mb;
	int			 disk_mb;
	int			 concurrency;	/* workers at most (a pool) */
	int			 async_concurrency; /* calls one worker of an
						 * async def runs at once */
	int			 idle_ms;	/* ... an idle one retires after */
	int			 min_workers;	/* ... down to (0: none idle) */
	int			 task_support;	/* TASK_FORBIDDEN, ... */
	int			 task_after_input; /* "task_starts": "after_input":
						 * the round that brings
						 * answers becomes the task */
	int			 task_timeout_ms; /* a task's call, at most */
	int			 task_ttl_ms;	/* a task kept, once it waits */
	int			 max_tasks;	/* working at once */
	struct json_object	*allow;		/* grants, or NULL; owned */
	struct json_object	*secrets;	/* env grants' values, by name,
						 * kept out of the log; or NULL */
	struct json_object	*requires;	/* client capabilities it needs
						 * (["sampling"]), or NULL */
	struct json_object	*input_schema;	/* declared, or NULL: derived */
	struct json_object	*output_schema;	/* declared, or NULL */
};

struct toolset {
	struct toolspec		*specs;
	size_t			 n, specs_cap;
	struct json_object	*catalog;	/* resources, templates and
						 * prompts (catalog.c), or
						 * NULL */
	struct json_object	*skipped;	/* [{"entry","name","error"}] */
	struct json_object	*signer;	/* {"principal","key"}: who
						 * signed it, or NULL */
};

/*
 * Where a call from a client is, from tools/call to its answer: call.c
 * moves it (struct call is call.c's, in call.h) as schedule.c's
 * sched_call_move permits.
 */
enum call_state {
	CALL_NEW,		/* made by its session, on no list yet */
	CALL_QUEUED,		/* in its tool's queue */
	CALL_SENT		/* on its worker's sent list; the head runs */
};

TAILQ_HEAD(toolq, tool);	/* struct tool is tool.c's (tool.h) */

/*
 * What a worker does, as far as the channel tells; kept once it ends. Its
 * channel's gate permits each message in some of these (worker.c's table).
 */
enum worker_state {
	WORKER_SPAWNING,	/* forked, LOAD sent, waiting for READY */
	WORKER_IDLE,
	WORKER_BUSY		/* calls sent; the head's deadline armed */
};

/*
 * What a worker tells its owner (tmux's job.c callbacks): worker.c names
 * no function of the tool table, the spawner or the broker.
 */
struct jdoc;
struct worker_ops {
	/* READY, believed and checked. */
	void		(*ready)(struct worker *, struct json_object *);
	/* It will never be READY: why (to its owner, which it left). */
	void		(*failed)(struct worker *, struct tool *, const char *);
	/* A result's structuredContent against the declared schema. */
	int		(*output)(struct worker *, const struct jdoc *, char *,
			    size_t);
	/* A call answered by its RESULT, after this many microseconds;
	 * 1 when the result is an error (isError, a broken outputSchema). */
	void		(*answered)(struct worker *, unsigned, int);
	/* Calls answered with an error of its: timed out, or it died under
	 * them (enum metrics_error). */
	void		(*lost)(struct worker *, int, unsigned);
	/* Where calls it had not started go back to. */
	struct callq	*(*queue)(struct worker *);
	/* Closed and reaped, READY before or not: how it ended. */
	void		(*gone)(struct worker *, int, const char *);
	/* About to be freed: whatever else the owner keeps for it. */
	void		(*freed)(struct worker *);
	/* A slot came free: a stopped call of an async worker ended. */
	void		(*room)(struct worker *);
};

/*
 * The protocol era a session speaks (mcp.c): 2025 (initialize, sessions)
 * or 2026-07-28 (stateless: every request carries its _meta). stdio and
 * unix sessions take it from their first message; an HTTP request from
 * its headers and body.
 */
enum mcp_era {
	MCP_ERA_UNKNOWN,
	MCP_ERA_2025,
	MCP_ERA_2026
};

/* Per-session protocol state (mcp.c, mcp_modern.c). */
struct mcp_state {
	enum mcp_era		 era;
	int			 initialized;
	int			 no_stream;	/* --http-stateless: nothing can
						 * reach it but answers */
	int			 log_level;	/* logging/setLevel (0: debug) */
	char			*protocol;
	char			*client_name;
	char			*client_version;
	struct json_object	*client_caps;	/* initialize's capabilities */
	const char		*http_version;	/* 2026 over HTTP: the header */
	struct json_object	*listen_id;	/* subscriptions/listen: its id */
	int			 listen_tools;	/* ... wants tools list_changed */
	struct session		*session;	/* whose state this is */
	const char		*key;		/* HTTP: the Mcp-Session-Id (a
						 * 2025 task's owner), or NULL */
	int			 listen_prompts;	/* ... prompts' */
	int			 listen_resources; /* ... resources' */
	struct json_object	*subs;		/* {uri: null}: resources it
						 * wants updates of, or NULL */
	struct json_object	*listen_tasks;	/* {taskId: null}: tasks whose
						 * status it wants, or NULL */
	char			*client;	/* --clients: who it is (NULL:
						 * everything, as stdio) */
	uint64_t		 listed;	/* the version of its list it
						 * was last told of */
};

struct session_ops {
	const char	*name;
	/*
	 * Send one complete JSON-RPC message; the transport frames it. A
	 * reply comes with the id it answers, as the client wrote it (id,
	 * idlen); anything else with id NULL. No transport parses a reply.
	 */
	void		(*write)(struct session *, const char *, size_t,
			    const char *, size_t);
	/* Input ended and every call is answered: the transport may go. */
	void		(*done)(struct session *);
	/* Stop reading (shutdown); answer what is in flight, then done. */
	void		(*stop)(struct session *);
	/* Stop (1) or resume (0) reading input: backpressure. May be NULL. */
	void		(*hold)(struct session *, int);
	/* The call of this id was cancelled: no answer will come. May be NULL. */
	void		(*cancelled)(struct session *, const char *);
};

struct session {
	TAILQ_ENTRY(session)	 entry;
	const struct session_ops *ops;
	void			*arg;		/* the transport's */
	unsigned		 id;
	char			 peer[64];	/* who is on the other end */
	int			 control;	/* may reload and ask status */
	struct mcp_state	 mcp;
	struct callq		 calls;		/* in flight */
	unsigned		 ninflight;
	unsigned		 nsent;		/* of those, sent to a worker */
	size_t			 scanned;	/* input searched for a newline */
	int			 discarding;	/* skipping an overlong line */
	int			 input_ended;
	int			 closed;	/* the transport is gone */
	int			 freeing;	/* session_free is under way */
	struct evbuffer		*in;		/* the transport's input */
	int			 reply_code;	/* of the error being written,
						 * for HTTP's status: else 0 */
	const char		*related;	/* the id (JSON text) of the call
						 * a notification is about */
	int			 eof_seen;
	int			 held;		/* lines wait: backpressure */
	int			 output_full;	/* the client reads too slowly */
	size_t			 unread;	/* bytes sent, not yet read */
	int			 dropped;	/* an answer was dropped: logged */
	struct event		*resume;
};
TAILQ_HEAD(sessionq, session);

/* Everything the supervisor changes at run time lives here. */
/*
 * What the command line sets (options.c's table), apart from run-time
 * state: read everywhere, written at startup only.
 */
struct settings {
	const char		*config_path;
	const char		*worker_path;
	size_t			 max_reply;
	size_t			 max_request;
	size_t			 max_unread;	/* all sessions' unread bytes */
	int			 cache_ttl_ms;	/* 2026 lists' ttlMs */
	int			 http_stateless; /* 2025 POSTs too, no sessions */
	int			 ask_timeout;	/* seconds for a client's answer */
	const char		*instance_id;	/* session ids begin "ID." */
	size_t			 page_size;
	time_t			 http_idle;	/* seconds before an idle HTTP
						 * session expires */
	time_t			 http_timeout;	/* seconds a connection may
						 * send nothing */
	size_t			 http_max_sessions;
	size_t			 http_max_connections;	/* 0: from NOFILE */
	time_t			 drain_delay;	/* --drain-delay */
	const char		*http_allow_host;	/* a Host name besides
							 * loopback ones */
	int			 no_namespaces;	/* forced fallback (tests) */
	int			 no_landlock;
	int			 landlock_abi_max;	/* 0: no cap */
	int			 containment_full;	/* refuse a missing layer */
	const char		*credentials_dir;	/* env grants' values */
	const char		*oauth_issuer;	/* OAuth: tokens of it, */
	const char		*oauth_jwks;	/* signed by these keys, */
	const char		*resource;	/* for this resource */
	int			 oauth_allow_no_typ;
	const char		*clients_path;	/* --clients: who may call
						 * what (NULL: everyone all) */
	const char		*trusted_signers;	/* allowed_signers: a
							 * tools file serves
							 * only signed */
	const char		*python_paths[MAX_PYTHON_PATHS];	/* --python-path,
						 * a --venv's site-packages */
	size_t			 npython_paths;
};
extern struct settings settings;

struct supervisor {
	struct event_base	*base;
	struct toolq		 tools;
	struct sessionq		 sessions;
	struct tool		**routes;	/* serving tools, file order */
	size_t			 nroutes;
	uint64_t		 next_call_id;
	unsigned		 next_session_id;
	time_t			 started;
	int64_t			 next_ask_id;	/* our requests to clients */
	size_t			 unread_total;
	char			 tools_version[17];	/* of the routed set */
	struct json_object	*failures;	/* name: why, of the tools the
						 * file has that serve nothing */
	int			 draining;	/* SIGTERM seen, still serving */
	int			 settling;	/* listeners closed, stopping */
	int			 shutting_down;
	struct event		*shutdown_deadline;
	struct event		*drain_timer;	/* --drain-delay, running */
	int			 exit_status;
	void			(*ready_cb)(void);	/* first load done */
	int			 seccomp_base;	/* our own filters: workers
						 * have two more; -1: unknown */
};
extern struct supervisor sv;

/* config.c */
int		 config_load(const char *, struct toolset *, char *, size_t);
char		*config_read_file(const char *, size_t *, char *, size_t);
int		 config_load_text(const char *, const char *, size_t,
		    struct toolset *, char *, size_t);
struct json_object *config_signer(const char *, const char *, size_t, char *,
		    size_t);
void		 toolspec_clear(struct toolspec *);
void		 toolset_clear(struct toolset *);
int		 config_bad(struct toolset *, size_t, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
int		 config_add_tool(struct toolset *, size_t,
		    struct json_object *, enum entry_kind);
uint64_t	 hash_bytes(uint64_t, const void *, size_t);

/* tool.c */
struct tool	*tool_new(struct toolspec *, struct reload *);
void		 tool_free(struct tool *);
struct tool	*tool_route(const char *);
struct tool	*tool_route_in(struct tool **, size_t, const char *);
void		 tool_set_routes(struct tool **, size_t);
void		 tool_set_failures(struct json_object *);
const char	*tool_failure(const char *);
void		 tool_enqueue(struct tool *, struct call *);
void		 tool_call_dropped(struct tool *);
void		 tool_call_time(struct tool *, unsigned);
int		 tool_check_output(struct tool *, const struct jdoc *, char *,
		    size_t);
void		 tool_result(struct tool *);
void		 tool_drain(struct tool *);
void		 tool_set_error(struct tool *, const char *);
int		 tool_is_listed(const struct tool *);
void		 tool_count_error(struct tool *, int);
struct evbuffer;
void		 tool_metrics_gauges(struct evbuffer *);
const struct toolspec *tool_spec(const struct tool *);
struct schema	*tool_schema(const struct tool *);
struct json_object *tool_listing(const struct tool *);
struct json_object *tool_asks(const struct tool *);
int		 tool_uses_context(const struct tool *);
struct json_object *tool_status(void);
unsigned	 tool_workers_total(void);
void		 tool_kill_all(void);

/* worker.c */
struct spawn_job;
struct worker	*worker_new(const struct toolspec *, int, int,
		    const struct worker_ops *, struct tool *,
		    struct spawn_job *);
void		 worker_load(struct worker *, const char *, size_t, const char *);
void		 worker_launched(struct worker *);
const char	*worker_name(const struct worker *);
pid_t		 worker_pid(const struct worker *);
const char	*worker_state_name(const struct worker *);
struct tool	*worker_tool(const struct worker *);
struct spawn_job *worker_job(const struct worker *);
int		 worker_loading(const struct worker *);
int		 worker_idle(const struct worker *);
int		 worker_running(const struct worker *);
unsigned	 worker_nsent(const struct worker *);
int		 worker_asking(const struct worker *);
void		 worker_named(struct worker *, pid_t);
void		 worker_started(struct worker *, pid_t);
void		 worker_discard(struct worker *);
void		 worker_unborn(struct worker *, const char *);
int		 worker_usable(const struct worker *);
unsigned	 worker_slots(const struct worker *);
void		 worker_send_call(struct worker *, struct call *);
void		 worker_answer(struct worker *, const struct call *,
		    const char *, size_t);
void		 worker_pause(struct worker *);
void		 worker_resume(struct worker *);
void		 worker_cancel_call(struct worker *, struct call *);
void		 worker_close(struct worker *);
void		 worker_let_go(struct worker *);
void		 worker_kill(struct worker *, const char *);
void		 worker_reap(void);
int		 worker_reaped_pid(pid_t, int);
void		 worker_wait_all(int);
void		 worker_describe_death(int, long, char *, size_t);
int		 worker_filters_of(pid_t);

/* activation.c */
void		 activation_init(void);
int		 activation_unix(void);
int		 activation_http(void);

/* containment.c */
void		 containment_check(void);

/* spawn.c */
void		 spawn_init(int);
/* A new worker's ends: its channel, its stderr, its broker channel or -1. */
struct worker	*spawn_worker(struct tool *, const struct worker_ops *, char *,
		    size_t);
void		 spawn_loaded(struct worker *);
void		 spawn_forget(struct worker *);
int		 spawn_reap(void);
int		 spawn_reaped_pid(pid_t, int);
void		 spawn_stop(void);

/* call.c */
struct call	*call_new(struct session *, const char *, size_t,
		    struct tool *, const char *, size_t);
void		 call_enqueue(struct call *, struct callq *);
void		 call_send(struct call *, struct callq *, struct worker *);
void		 call_requeue(struct callq *, struct callq *);
struct call	*call_first(struct callq *);
struct call	*call_fair_next(struct callq *);
size_t		 call_count(const struct callq *, size_t);
struct call	*call_find(struct session *, const char *, size_t);
void		 call_detach_all(struct session *);
void		 call_cancel(struct call *);
void		 call_answer_raw(struct call *, const char *, size_t);
void		 call_answer_error(struct call *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 call_fail_all(struct callq *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
struct mcp_call;
void		 call_set_notes(struct call *, struct mcp_call *);
void		 call_blocks_free(void);
struct task;
struct call	*call_new_task(struct tool *, const char *, size_t,
		    struct json_object *, struct json_object *);
void		 call_to_task(struct call *, struct task *, int);
void		 call_untask(struct call *);
struct task	*call_task(const struct call *);
int		 call_failed(const struct call *);
struct json_object *call_answers(const struct call *);
struct json_object *call_client(const struct call *);
int		 call_timeout(const struct call *);
uint64_t	 call_id(const struct call *);
const struct timeval *call_sent_at(const struct call *);
struct call	*call_with_id(struct callq *, uint64_t);
const char	*call_idjson(const struct call *);
const char	*call_args(const struct call *, size_t *);
int		 call_cancelled(const struct call *);
int		 call_asking(const struct call *);
int		 call_decided(const struct call *);
const char	*call_meta(const struct call *, int, size_t *);
int		 call_notify(struct callq *, const struct frame_hdr *,
		    struct json_object *, int);

/* mcp.c */
enum mcp_action {
	MCP_NONE,		/* nothing to send (a notification) */
	MCP_REPLY,		/* send *reply */
	MCP_CALL,		/* dispatch the call */
	MCP_CANCEL,		/* forget the call whose id is call->id */
	MCP_LISTEN		/* *reply: a listen stream's first message */
};
struct mcp_call {
	struct tool	*tool;
	const char	*id, *args;	/* JSON text, in the request */
	size_t		 idlen, argslen;
	const char	*progress;	/* _meta.progressToken's text, or NULL */
	size_t		 progresslen;
	int		 log_level;	/* least level sent (mcp_log_levels), or
					 * -1: no log messages */
	struct json_object *answers;	/* 2026: inputResponses and those of
					 * its requestState (owned), or NULL */
	struct json_object *client;	/* 2026: the request's client (owned),
					 * or NULL */
	char		*owned;		/* args made here, not in the request
					 * (catalog.c's calls; owned), or NULL */
	char		*uri;		/* resources/read: the uri (owned) */
	int		 task;		/* run it as a task (task.c) */
	int64_t		 task_ttl;	/* 2025: the ttl the client asked */
};
/*
 * A message whose envelope is checked: its id, method, params tokens. A
 * response of the client's to a request of ours has no method.
 */
struct mcp_request {
	const struct jdoc	*d;
	int			 id;		/* -1: a notification */
	int			 method;	/* -1: a response */
	int			 params;	/* -1: none */
};
const struct mcp_request *mcp_parse(const char *, size_t,
		    struct json_object **);
void		 mcp_free(void);
int		 mcp_blank(const char *, size_t);
enum mcp_action	 mcp_handle(struct mcp_state *, const struct mcp_request *,
		    struct json_object **, struct mcp_call *);
struct json_object *mcp_error(struct json_object *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
struct json_object *mcp_notification(const char *);
struct json_object *mcp_tool_error(const char *);
const char	*mcp_to_string(struct json_object *, size_t *);
void		 mcp_state_clear(struct mcp_state *);
int		 mcp_error_code(struct json_object *);
struct json_object *mcp_list_changed(const struct mcp_state *);
/* ... shared with mcp_modern.c */
struct json_object *mcp_id(const struct jdoc *, int);
enum mcp_action	 mcp_fail(struct json_object **, const struct jdoc *, int,
		    int, const char *, ...) __attribute__((format(printf, 5, 6)));
struct json_object *mcp_result(struct json_object *, struct json_object *);
struct json_object *mcp_server_info(void);
struct json_object *mcp_tools_page(const struct mcp_state *,
		    struct json_object *, struct json_object **);
enum mcp_action	 mcp_tools_call(const struct mcp_state *, const struct jdoc *,
		    int, int, struct json_object **, struct mcp_call *);
uint64_t	 mcp_tools_version(const char *, char[17]);
int		 mcp_missing_caps(const struct tool *, struct json_object *,
		    int, struct json_object **);
extern const char *const mcp_versions[];
extern const char *const mcp_log_levels[];
int		 mcp_log_level(const char *);

/* mcp_modern.c */
#define MCP_VERSION_2026	"2026-07-28"
#define JSONRPC_HEADER_MISMATCH		-32020
#define JSONRPC_MISSING_CAPABILITY	-32021
#define JSONRPC_UNSUPPORTED_VERSION	-32022
enum mcp_era	 mcp_era_of(const struct mcp_request *, const char *);
int		 mcp_modern_check(const struct mcp_request *, const char *,
		    struct json_object **);
enum mcp_action	 mcp_modern_handle(struct mcp_state *,
		    const struct mcp_request *, struct json_object **,
		    struct mcp_call *);
int		 mcp_modern_http_status(int);

/* ready.c */
#define READY_WARNINGS_MAX	16	/* a load's warnings that reach the log */
#define READY_WARNING_LEN	512	/* bytes of each */
int		 ready_check(struct json_object *, char *, size_t);

/* schema.c */
struct schema	*schema_compile(struct json_object *, char *, size_t);
int		 schema_derived_check(struct json_object *, char *, size_t);
void		 schema_free(struct schema *);
int		 schema_check(const struct schema *, const struct jdoc *, int,
		    char *, size_t);
int		 schema_check_output(const struct schema *, const struct jdoc *,
		    int, char *, size_t);

/* session.c */
struct session	*session_new_request(const struct session_ops *, void *,
		    enum mcp_era, const char *, const char *);
void		 session_end_input(struct session *);
unsigned	 session_inflight(const struct session *);
int		 session_writing_note(const struct session *);
int		 session_reply_code(const struct session *);
enum mcp_era	 session_era(const struct session *);
const char	*session_era_name(const struct session *);
struct session	*session_new(const struct session_ops *, void *);
void		 session_free(struct session *);
void		 session_feed(struct session *, struct evbuffer *, int);
void		 session_input(struct session *, const char *, size_t);
void		 session_request(struct session *, const struct mcp_request *);
void		 session_output(struct session *, size_t);
unsigned	 session_inflight_total(void);
void		 supervisor_check_exit(void);
void		 session_send(struct session *, struct json_object *,
		    const char *, size_t);
void		 session_send_raw(struct session *, const char *, size_t,
		    const char *, size_t);
void		 session_send_related(struct session *, struct json_object *,
		    const char *);
void		 session_call_done(struct session *);
int		 session_may_send(struct session *, size_t);
void		 session_list_changed(int);
void		 session_catalog_changed(unsigned, struct json_object *);
void		 session_set_client(struct session *, const char *);
void		 session_cancel_all(struct session *);

/* ask.c */
int		 ask_start(struct worker *, struct call *,
		    const struct frame_hdr *, struct json_object *);
void		 ask_response(struct session *, const struct mcp_request *);
void		 ask_end(struct call *, const char *, const char *);
void		 ask_free(struct ask *);

/* state.c */
void		 state_key_load(const char *);
char		*state_session_seal(struct json_object *);
struct json_object *state_session_open(const char *, size_t);
void		 state_key_reload(void);
char		*state_seal(const char *, uint64_t, const char *, size_t,
		    struct json_object *);
int		 state_open(const char *, size_t, const char *, uint64_t,
		    const char *, size_t, struct json_object **, char *,
		    size_t);

/* control.c */
int		 control_handle(struct session *, const struct mcp_request *);

/* reload.c */
void		 reload_request(const char *, struct call *);
void		 reload_tool_settled(struct tool *);
struct json_object *reload_result(void);
struct json_object *reload_served(void);
void		 reload_shutdown(void);

/* watch.c */
void		 watch_start(const char *);
void		 watch_stop(void);

/* listen.c */
struct evconnlistener;
struct listen_guard;
struct listen_guard *listen_guard_new(struct evconnlistener *, const char *,
		    const char *, int);
void		 listen_guard_enable(struct listen_guard *, int);
void		 listen_guard_full(struct listen_guard *, int);
void		 listen_guard_free(struct listen_guard *);

/* grants.c */
/* One "host:port" of allow.net: what the broker lets a tool connect to. */
enum net_kind {
	NET_NAME,		/* host: that name */
	NET_WILDCARD,		/* host: names one or more labels below it */
	NET_ADDR		/* addr: that address */
};
struct net_grant {
	enum net_kind	 kind;
	int		 family;	/* NET_ADDR: AF_INET or AF_INET6 */
	unsigned char	 addr[16];
	char		 host[254];	/* lower case */
	uint16_t	 port;
};
int		 grants_check(struct json_object *, char *, size_t);
int		 grants_name_ok(const char *);
int		 grants_env_unset(struct json_object *, char *, size_t);
int		 grants_addr_equal(int, const unsigned char *,
		    const unsigned char *);
int		 grants_net_parse(const char *, struct net_grant *);
int		 grants_net_covers(const struct net_grant *, const char *);
struct net_grant *grants_net(struct json_object *, size_t *);
struct json_object *grants_env(struct json_object *, const char *, uint64_t *);
#define GRANT_REDACT_MIN	4	/* bytes of a secret worth redacting */
size_t		 grants_redact(struct json_object *, const char *, size_t,
		    char *, size_t);
void		 grants_describe(struct json_object *, char *, size_t);

/* broker.c */
struct broker	*broker_new(const char *, struct json_object *, int,
		    void (*)(void *, const char *), void *);
void		 broker_free(struct broker *);
void		 broker_shutdown(void);
int		 broker_addr_global(int, const unsigned char *);

/* http_conn.c */
struct evhttp;
struct evhttp_request;
void		 http_conn_setup(struct evhttp *, struct listen_guard *);
void		 http_conn_stop(void);
void		 http_conn_close_idle(void);
void		 http_conn_request(struct evhttp_request *);
void		 http_conn_stream(struct evhttp_request *);
int		 http_conn_before_stop(struct evhttp_request *);
unsigned	 http_conn_count(void);

/* transport_unix.c */
void		 transport_unix_listen(const char *);
void		 transport_unix_accept(int);
void		 transport_unix_close(void);

/* transport_http.c: the faces on /mcp share these */
struct evhttp_request;
struct evbuffer;
struct event;
const char	*http_header(struct evhttp_request *, const char *);
void		 http_add(struct evbuffer *, const char *, size_t);
void		 http_reply(struct evhttp_request *, int, const char *,
		    const char *, const char *, size_t);
void		 http_error_to(struct evhttp_request *,
		    const struct mcp_request *, int, int, const char *);
const char	*http_reason(int);
void		 http_wait_forever(struct evhttp_request *);
struct event	*http_watch_close(struct evhttp_request *);
void		 http_unwatch_close(struct event **);
const char	*http_request_client(void);
void		 http_stream_start(struct evhttp_request *, struct event *);
void		 http_stream_retry(struct evhttp_request *);
struct evbuffer	*http_event(uint64_t, const char *, const char *, size_t);
void		 http_chunk(struct evhttp_request *, struct evbuffer *);

/* http_stateless.c */
void		 http_stateless_post(struct evhttp_request *,
		    const struct mcp_request *, enum mcp_era);
void		 http_stateless_close(void);

/* transport_http.c */
void		 transport_http_listen(const char *, const char *, const char *);
void		 transport_http_accept(int);
void		 transport_http_serve(int);
void		 transport_http_close(void);
void		 transport_http_drain(void);
void		 transport_http_listen_off(void);
void		 http_metrics_listen(const char *);
void		 http_metrics_close(void);
void		 transport_http_reload_token(void);

/* transport_stdio.c */
void		 transport_stdio_start(void);
void		 transport_stdio_stop(void);

#endif /* MCP_HOTD_H */
