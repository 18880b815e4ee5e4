/* SPDX-License-Identifier: ISC */
/*
 * A tool version as tool.c and reload.c see it (a reload makes versions,
 * switches them in and settles them); everyone else holds a struct tool *
 * and uses tool.c's functions (mcp-hotd.h). After mcp-hotd.h.
 */
#ifndef TOOL_H
#define TOOL_H

enum tool_state {
	TOOL_LOADING,		/* first worker starting; not routed yet */
	TOOL_SERVING,		/* in the routing table */
	TOOL_DRAINING,		/* replaced or removed: finishing its queue */
	TOOL_FAILED		/* never became READY; freed after the reload */
};

/* One loaded version of a tool and the workers that run it. */
struct tool {
	TAILQ_ENTRY(tool)	 entry;		/* sv.tools: every live version */
	struct toolspec		 spec;
	enum tool_state		 state;
	struct json_object	*listing;	/* its tools/list entry, once READY */
	struct schema		*schema;	/* its inputSchema, compiled */
	struct schema		*out_schema;	/* its outputSchema, or NULL */
	struct tool_metrics	*metrics;	/* its name's counters */
	struct worker		**pool;		/* its workers, all equal */
	unsigned		 nworkers;
	unsigned		 pool_size;	/* ... room for */
	struct callq		 queue;		/* waiting for a worker */
	struct event		*retry;		/* backoff before a respawn */
	struct event		*idle;		/* retires idle pool workers */
	char			*last_error;
	unsigned		 deaths;	/* in a row, reset by a result */
	unsigned long		 calls_served;
	unsigned long		 restarts;
	struct reload		*reload;	/* the reload that started it,
						 * until that one finishes */
	int			 reloading;	/* which waits for it to settle */
	int			 ever_ready;
	unsigned		 call_us;	/* a call's time, averaged */
	int			 uses_context;	/* imports mcp_hotd: CALL_META */
	struct json_object	*asks;		/* capabilities its code asks
						 * for (READY), or NULL */
};

#endif
