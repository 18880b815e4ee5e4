/* SPDX-License-Identifier: ISC */
/*
 * The channel contract: the table's own consistency, doc/channel.md
 * generated from it (run with --doc to regenerate), and each peer's gate
 * refusing, with a reason naming the type, every kind of frame it must
 * refuse: unknown, the wrong way, another channel's, not permitted in the
 * peer's state, a payload off its spec; and passing what the peer's own
 * code sends. `tests/unit_channel --doc > doc/channel.md` regenerates.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "unit.h"

struct supervisor sv;

static void
to_file(const char *s, void *arg)
{
	fputs(s, arg);
}

struct grow {
	char	*p;
	size_t	 len;
};

static void
to_buf(const char *s, void *arg)
{
	struct grow	*g = arg;
	size_t		 n = strlen(s);

	if ((g->p = realloc(g->p, g->len + n + 1)) == NULL)
		abort();
	memcpy(g->p + g->len, s, n + 1);
	g->len += n;
}

/* Is the doc in the tree what the table says? */
static int
doc_matches(void)
{
	struct grow	 g = { NULL, 0 };
	char		 path[4096], *file;
	const char	*srcdir = getenv("srcdir");
	FILE		*f;
	long		 n;
	int		 same;

	msg_doc(to_buf, &g);
	snprintf(path, sizeof(path), "%s/doc/channel.md", srcdir ? srcdir :
	    ".");
	if ((f = fopen(path, "r")) == NULL) {
		printf("# cannot read %s\n", path);
		free(g.p);
		return 0;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if ((file = calloc(1, (size_t)n + 1)) == NULL ||
	    fread(file, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	same = strcmp(file, g.p) == 0;
	if (!same)
		printf("# %s differs from the table: run tests/unit_channel "
		    "--doc > doc/channel.md\n", path);
	free(file);
	free(g.p);
	return same;
}

/* The gate of peer, in state, on one frame: 0, or -1 with why. */
static int
gate(const struct channel_peer *peer, unsigned state, uint16_t type,
    const char *payload, char *why, size_t len)
{
	struct frame_hdr		 h = { .type = type, .version =
					    FRAME_VERSION, .id = 1 };
	const struct channel_handler	*hd;
	struct channel_msg		 msg;
	int				 rv;

	h.len = (uint32_t)strlen(payload);
	why[0] = '\0';
	rv = channel_gate(peer, state, &h, payload, 1 << 20, &msg, &hd, why,
	    len);
	json_object_put(msg.m);
	return rv;
}

static int
refused(const struct channel_peer *peer, unsigned state, uint16_t type,
    const char *payload, const char *reason)
{
	char	why[256];

	if (gate(peer, state, type, payload, why, sizeof(why)) != -1)
		return 0;
	if (strstr(why, reason) == NULL) {
		printf("# %s\n", why);
		return 0;
	}
	return 1;
}

static int
passed(const struct channel_peer *peer, unsigned state, uint16_t type,
    const char *payload)
{
	char	why[256];

	if (gate(peer, state, type, payload, why, sizeof(why)) == 0)
		return 1;
	printf("# %s\n", why);
	return 0;
}

#define READY_OK "{\"function\":\"f\",\"inputSchema\":{\"type\":\"object\"}," \
	"\"warnings\":[],\"doc\":null,\"isolation\":{\"seccomp\":true}}"
#define RESULT_OK "{\"content\":[{\"type\":\"text\",\"text\":\"x\"}]," \
	"\"isError\":false}"

static void
table(void)
{
	size_t		t, k, up = 0;
	int		names = 1, keys = 1;

	for (t = 1; t < MSG_TYPE_MAX; t++) {
		names &= msg_spec((uint32_t)t) != NULL &&
		    strcmp(frame_type_name((uint32_t)t),
		    msg_specs[t].name) == 0;
		up += msg_specs[t].dir == MSG_UP;
	}
	CHECK(names && msg_spec(0) == NULL && msg_spec(MSG_TYPE_MAX) == NULL &&
	    strcmp(frame_type_name(MSG_TYPE_MAX), "UNKNOWN") == 0,
	    "every number 1 .. MSG_TYPE_MAX - 1 has its name, no other");
	for (k = 0; k < MK_MAX; k++)
		keys &= msg_keys[k].msg > 0 && msg_keys[k].msg < MSG_TYPE_MAX &&
		    msg_specs[msg_keys[k].msg].form == MSG_FORM_JSON &&
		    msg_key_find(msg_keys[k].msg, msg_keys[k].name,
		    strlen(msg_keys[k].name)) == &msg_keys[k] &&
		    (msg_keys[k].type != MSG_K_INT || (msg_keys[k].lo <=
		    msg_keys[k].hi && (msg_keys[k].required ||
		    msg_keys[k].def == 0 || (msg_keys[k].def >= msg_keys[k].lo &&
		    msg_keys[k].def <= msg_keys[k].hi))));
	CHECK(keys, "each key belongs to one JSON message, once, and an "
	    "optional INT's default is within its bounds (or 0: none)");
	CHECK(MSG_DEFAULT(LOAD, memory_mb) == DEFAULT_MEMORY_MB &&
	    MSG_DEFAULT(LOAD, disk_mb) == DEFAULT_DISK_MB &&
	    MSG_DEFAULT(LOAD, max_reply) == DEFAULT_MAX_REPLY,
	    "tools.json's defaults are LOAD's (one number each)");
	CHECK(up > 0 && doc_matches(), "doc/channel.md is generated from "
	    "the table, unchanged");
}

static void
worker_gate(void)
{
	const struct channel_peer	*w = &worker_peer;

	CHECK(passed(w, WORKER_SPAWNING, MSG_READY, READY_OK),
	    "worker: READY as the toolhost writes it, while loading");
	CHECK(refused(w, WORKER_IDLE, MSG_READY, READY_OK,
	    "unexpected READY message (not permitted now)"),
	    "worker: a second READY is refused, naming it");
	CHECK(refused(w, WORKER_SPAWNING, MSG_RESULT, RESULT_OK,
	    "unexpected RESULT message (not permitted now)") &&
	    refused(w, WORKER_IDLE, MSG_RESULT, RESULT_OK,
	    "not permitted now") && passed(w, WORKER_BUSY, MSG_RESULT,
	    RESULT_OK), "worker: RESULT only while a call runs");
	CHECK(refused(w, WORKER_BUSY, MSG_RESULT, "{\"content\":3}",
	    "malformed RESULT message (not a result") &&
	    refused(w, WORKER_BUSY, MSG_RESULT, "{\"completion\":[]}",
	    "malformed RESULT message (not a result") &&
	    passed(w, WORKER_BUSY, MSG_RESULT, "{\"messages\":[]}"),
	    "worker: a RESULT that is no result of any kind");
	CHECK(refused(w, 8, MSG_LOG, "{\"level\":\"info\",\"data\":\"x\"}",
	    "not permitted now") && refused(w, 8, MSG_SYSCALL, "{\"nr\":1}",
	    "not permitted now"),
	    "worker: nothing after its sandbox's SYSCALL report");
	CHECK(refused(w, WORKER_BUSY, MSG_CALL, "{}",
	    "CALL message, which has no place on its channel") &&
	    refused(w, WORKER_BUSY, MSG_LOAD, "{}", "LOAD message, which") &&
	    refused(w, WORKER_BUSY, MSG_ANSWER, "{}", "ANSWER message, which"),
	    "worker: what goes down is never taken up");
	CHECK(refused(w, WORKER_BUSY, MSG_SPAWNED, "{\"pid\":2}",
	    "SPAWNED message, which") && refused(w, WORKER_BUSY, MSG_CONNECT,
	    "{\"family\":2,\"addr\":\"1.1.1.1\",\"port\":1}",
	    "CONNECT message, which"),
	    "worker: another channel's messages are refused");
	CHECK(refused(w, WORKER_BUSY, 0, "{}", "UNKNOWN message") &&
	    refused(w, WORKER_BUSY, MSG_TYPE_MAX, "{}", "UNKNOWN message") &&
	    refused(w, WORKER_BUSY, 0xffff, "{}", "UNKNOWN message"),
	    "worker: unknown types are refused");
	CHECK(refused(w, WORKER_BUSY, MSG_PROGRESS, "{\"progress\":\"1\"}",
	    "malformed PROGRESS message ('progress' is not as its spec "
	    "says)") && refused(w, WORKER_BUSY, MSG_PROGRESS,
	    "{\"total\":1}", "'progress' is missing") &&
	    refused(w, WORKER_BUSY, MSG_PROGRESS,
	    "{\"progress\":1,\"grant\":1}", "'grant' is not one of its keys") &&
	    passed(w, WORKER_BUSY, MSG_PROGRESS,
	    "{\"progress\":1.5,\"total\":3,\"message\":\"m\"}"),
	    "worker: PROGRESS by its spec: types, required, no other key");
	CHECK(refused(w, WORKER_BUSY, MSG_SYSCALL, "{\"nr\":4096}",
	    "'nr' is not as its spec says") && refused(w, WORKER_BUSY,
	    MSG_SYSCALL, "{\"nr\":-1}", "'nr'") && passed(w, WORKER_BUSY,
	    MSG_SYSCALL, "{\"nr\":4095}"), "worker: an INT within its bounds");
	CHECK(refused(w, WORKER_BUSY, MSG_LOG, "{\"level\":\"info\",\"data\":"
	    "\"a\\u0000b\"}", "'data' is not as its spec says"),
	    "worker: no NUL inside a string");
	CHECK(refused(w, WORKER_BUSY, MSG_ASK, "{\"requests\":{}}",
	    "'requests' is not as its spec says") && refused(w, WORKER_BUSY,
	    MSG_ASK, "[1]", "malformed ASK message (not a JSON object)"),
	    "worker: ASK's requests, one at least; a payload an object");
	CHECK(refused(w, WORKER_SPAWNING, MSG_LOAD_FAILED, "{}",
	    "'error' is missing") && passed(w, WORKER_SPAWNING,
	    MSG_LOAD_FAILED, "{\"error\":\"e\"}"), "worker: LOAD_FAILED says why");
}

static void
spawner_broker_gate(void)
{
	const struct channel_peer	*s = &spawner_peer, *b = &broker_peer;

	CHECK(passed(s, 0, MSG_SPAWNED, "{\"pid\":42}") &&
	    passed(s, 0, MSG_SPAWNED, "{\"error\":\"EAGAIN\"}") &&
	    refused(s, 0, MSG_SPAWNED, "{\"pid\":0}", "'pid'") &&
	    refused(s, 0, MSG_READY, READY_OK, "READY message, which"),
	    "spawner: SPAWNED by its spec, and nothing of a worker's");
	CHECK(passed(b, 0, MSG_RESOLVE,
	    "{\"host\":\"example.org\",\"port\":443,\"family\":0}") &&
	    refused(b, 1, MSG_RESOLVE,
	    "{\"host\":\"example.org\",\"port\":443,\"family\":0}",
	    "unexpected RESOLVE message (not permitted now)"),
	    "broker: one request at a time");
	CHECK(refused(b, 0, MSG_CONNECT, "{\"addr\":1}",
	    "malformed CONNECT message") && refused(b, 0, MSG_CONNECT,
	    "{\"family\":2,\"addr\":\"1.1.1.1\",\"port\":0}", "'port'") &&
	    refused(b, 0, MSG_RESOLVE, "{\"host\":\"a\",\"port\":70000,"
	    "\"family\":0}", "'port'"), "broker: ports and addresses by spec");
	CHECK(refused(b, 0, MSG_RESULT, RESULT_OK, "RESULT message, which") &&
	    refused(b, 0, MSG_CONNECTED, "{\"errno\":0}",
	    "CONNECTED message, which"), "broker: only requests go up");
}

int
main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], "--doc") == 0) {
		msg_doc(to_file, stdout);
		return 0;
	}
	table();
	worker_gate();
	spawner_broker_gate();
	return unit_finish();
}
