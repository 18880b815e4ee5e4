/* SPDX-License-Identifier: ISC */
/*
 * The channel contract's tables, from msg.h's two lists; shared by the
 * supervisor and the worker. Nothing here parses: the supervisor's gate
 * (channel.c) and the worker's reader (workers/msgin.c) read these specs.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "msg.h"

/* Numbers unique (a duplicate case does not compile) ... */
static inline void __attribute__((unused))
msg_numbers_unique(int n)
{
	switch (n) {
#define MSG_CASE(m, num, dir, chan, form, max, doc)	case num:
	MSG_TABLE(MSG_CASE)
#undef MSG_CASE
		break;
	}
}

/* ... and as many as 1 .. MSG_TYPE_MAX - 1: the names cover the enum. */
enum {
#define MSG_COUNT(m, num, dir, chan, form, max, doc)	MSG_COUNT_##m,
	MSG_TABLE(MSG_COUNT)
#undef MSG_COUNT
	MSG_COUNT
};
_Static_assert(MSG_COUNT == MSG_TYPE_MAX - 1,
    "message numbers are 1 .. MSG_TYPE_MAX - 1, each once");

const struct msg_spec msg_specs[MSG_TYPE_MAX] = {
#define MSG_SPEC(m, num, dir, chan, form, max, doc)			\
	[num] = { #m, MSG_##dir, MSG_CHAN_##chan, MSG_FORM_##form, max, doc },
	MSG_TABLE(MSG_SPEC)
#undef MSG_SPEC
};

const struct msg_key msg_keys[MK_MAX] = {
#define MSG_KEY_SPEC(m, k, type, req, lo, hi, def, doc)			\
	[MK_##m##_##k] = { MSG_##m, #k, MSG_K_##type, MSG_REQ_##req, lo, hi,\
	    def, doc },
#define MSG_REQ_REQ	1
#define MSG_REQ_OPT	0
	MSG_KEYS(MSG_KEY_SPEC)
#undef MSG_KEY_SPEC
};

const struct msg_spec *
msg_spec(uint32_t type)
{
	if (type == 0 || type >= MSG_TYPE_MAX)
		return NULL;
	return &msg_specs[type];
}

/* May a frame of type go this way on this channel? */
int
msg_allowed(uint32_t type, enum msg_dir dir, enum msg_chan chan)
{
	const struct msg_spec	*s = msg_spec(type);

	return s != NULL && s->dir == dir && (s->chan == chan ||
	    (s->chan == MSG_CHAN_EXEC && chan != MSG_CHAN_BROKER));
}

/* type's key named name (len bytes), or NULL. */
const struct msg_key *
msg_key_find(uint32_t type, const char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < MK_MAX; i++)
		if (msg_keys[i].msg == type && strlen(msg_keys[i].name) == len &&
		    memcmp(msg_keys[i].name, name, len) == 0)
			return &msg_keys[i];
	return NULL;
}

static size_t
msg_nkeys(uint32_t type)
{
	size_t	i, n = 0;

	for (i = 0; i < MK_MAX; i++)
		n += msg_keys[i].msg == type;
	return n;
}

static const char *const msg_ktype_names[] = {
	[MSG_K_STR] = "string", [MSG_K_NSTR] = "string or null",
	[MSG_K_INT] = "integer", [MSG_K_NUM] = "number",
	[MSG_K_BOOL] = "boolean", [MSG_K_OBJ] = "object",
	[MSG_K_ARR] = "array", [MSG_K_STRS] = "array of strings",
	[MSG_K_ANY] = "any JSON"
};

static void
msg_doc_key(const struct msg_key *k, void (*out)(const char *, void *),
    void *arg)
{
	char	line[512], bounds[96] = "";

	switch (k->type) {
	case MSG_K_INT:
		snprintf(bounds, sizeof(bounds), " %lld..%lld",
		    (long long)k->lo, (long long)k->hi);
		if (k->def != 0 || !k->required)
			snprintf(bounds + strlen(bounds), sizeof(bounds) -
			    strlen(bounds), ", default %lld", (long long)k->def);
		break;
	case MSG_K_STR:
	case MSG_K_NSTR:
	case MSG_K_ANY:
		if (k->hi > 0)
			snprintf(bounds, sizeof(bounds), ", at most %lld bytes",
			    (long long)k->hi);
		break;
	case MSG_K_OBJ:
	case MSG_K_ARR:
	case MSG_K_STRS:
		if (k->hi > 0)
			snprintf(bounds, sizeof(bounds), ", at most %lld",
			    (long long)k->hi);
		break;
	default:
		break;
	}
	snprintf(line, sizeof(line), "| `%s` | %s%s | %s | %s |\n", k->name,
	    msg_ktype_names[k->type], bounds, k->required ? "required" :
	    "optional", k->doc);
	out(line, arg);
}

/* The channel's documentation (doc/channel.md), from the tables alone. */
void
msg_doc(void (*out)(const char *, void *), void *arg)
{
	static const char *const dirs[] = { "supervisor → peer",
	    "peer → supervisor" };
	static const char *const chans[] = { "worker", "spawner", "broker",
	    "worker's or spawner's" };
	static const char *const forms[] = {
		"JSON object",
		"the arguments (a JSON object)",
		"a result object (checked unparsed)",
		"a tool's name"
	};
	const struct msg_spec	*s;
	char			 line[1024], max[64];
	uint32_t		 t;
	size_t			 i;

	out("# The channel (generated from src/msg.h: do not edit)\n\n"
	    "Every frame: a 16-byte header (uint16 type, uint16 version, "
	    "uint32 payload length, uint64 id; host byte order), then the "
	    "payload. Frames going up are hostile input: the supervisor's "
	    "gate ends the peer (never itself) for a type unknown, going the "
	    "wrong way, not permitted in the peer's state, or whose payload "
	    "does not fit its spec.\n\n", arg);
	for (t = 1; t < MSG_TYPE_MAX; t++) {
		s = &msg_specs[t];
		if (s->max == 0)
			snprintf(max, sizeof(max), "the channel's limit");
		else
			snprintf(max, sizeof(max), "%u bytes", s->max);
		snprintf(line, sizeof(line), "## %u %s\n\n%s, %s channel; "
		    "payload: %s, at most %s. %s.\n\n", t, s->name,
		    dirs[s->dir], chans[s->chan], forms[s->form], max, s->doc);
		out(line, arg);
		if (msg_nkeys(t) == 0)
			continue;
		out("| key | type | | |\n|---|---|---|---|\n", arg);
		for (i = 0; i < MK_MAX; i++)
			if (msg_keys[i].msg == t)
				msg_doc_key(&msg_keys[i], out, arg);
		out("\n", arg);
	}
}
