/* SPDX-License-Identifier: ISC */
/*
 * Each peer's gate (worker, spawner, broker) with arbitrary frames in
 * arbitrary states: the input's first byte picks the peer and its state,
 * the rest is frames as the peer would write them. Whatever the gate lets
 * through is a type that goes up that peer's channel, permitted in that
 * state by the peer's own table, within its size, its payload fitting its
 * spec; whatever it refuses says why, naming the type.
 */
#include "config.h"

#include <string.h>

#include "channel.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "fuzz.h"

struct supervisor sv;

#define FUZZ_GATE_LIMIT	(1 << 16)

static const struct channel_peer *const peers[] = {
	&worker_peer, &spawner_peer, &broker_peer
};

static void
fuzz_accepted(const struct channel_peer *peer, unsigned state,
    const struct frame_hdr *h, const struct channel_handler *hd,
    const struct channel_msg *msg)
{
	const struct msg_spec	*s = msg_spec(h->type);
	char			 why[256];

	FUZZ_ASSERT(s != NULL && s->dir == MSG_UP && s->chan == peer->chan,
	    "what passes goes up this peer's channel");
	FUZZ_ASSERT(hd != NULL && hd->type == h->type &&
	    (hd->states & (1U << state)), "... permitted now by its table");
	FUZZ_ASSERT(h->len <= (s->max ? s->max : FUZZ_GATE_LIMIT),
	    "... within its size");
	if (s->form == MSG_FORM_JSON)
		FUZZ_ASSERT(msg->m != NULL && channel_check_json(h->type,
		    msg->m, why, sizeof(why)) == 0, "... fitting its spec");
	if (s->form == MSG_FORM_RESULT)
		FUZZ_ASSERT(msg->doc != NULL, "... a checked result");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct channel_peer	*peer;
	const struct channel_handler	*hd;
	struct channel_msg		 msg;
	struct frame_hdr		 h;
	const char			*why;
	char				 reason[256];
	unsigned			 state;

	if (size < 1)
		return 0;
	peer = peers[(data[0] & 3) % 3];
	state = (data[0] >> 2) & 31;
	data++;
	size--;
	while (size >= FRAME_HDR_LEN) {
		if (frame_hdr_decode(data, FUZZ_GATE_LIMIT, &h, &why) == -1)
			return 0;
		data += FRAME_HDR_LEN;
		size -= FRAME_HDR_LEN;
		if (h.len > size)	/* the rest is its payload */
			h.len = (uint32_t)size;
		hd = NULL;
		reason[0] = '\0';
		if (channel_gate(peer, state, &h, (const char *)data,
		    FUZZ_GATE_LIMIT, &msg, &hd, reason, sizeof(reason)) == 0)
			fuzz_accepted(peer, state, &h, hd, &msg);
		else
			FUZZ_ASSERT(reason[0] != '\0' && msg.m == NULL &&
			    strstr(reason, "message") != NULL,
			    "a refusal says why, naming the message");
		json_object_put(msg.m);
		data += h.len;
		size -= h.len;
	}
	return 0;
}
