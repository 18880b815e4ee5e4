/* SPDX-License-Identifier: ISC */
/*
 * The supervisor's end of a channel: framing in three styles and the one
 * gate every frame from a peer passes. A peer is hostile from its first
 * byte (tool code shares the worker's interpreter), so the gate, not each
 * handler, decides whether a frame may arrive: its type known and going
 * up this channel, permitted in the peer's state, its payload fitting the
 * spec in msg.h. Anything else ends the peer through its fail callback.
 *
 * A handler may end its own peer, freeing the channel under our feet: the
 * channel then only marks itself dead and is freed when the read returns.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <json.h>

#include "channel.h"
#include "evbuf.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "xmalloc.h"

/* A broker frame's most: a request or answer is a few hundred bytes. */
_Static_assert(FRAME_BROKER_MAX >= 8192, "RESOLVED fits a broker packet");

struct channel {
	const struct channel_peer	*peer;
	void				*arg;
	size_t				 limit;	/* for a spec's max 0 */
	int				 fd;
	struct bufferevent		*bev;	/* stream styles */
	struct event			*ev;	/* seqpacket */
	int				 busy;	/* reading: a handler runs */
	int				 dead;	/* freed meanwhile */
};

static size_t	channel_type_max(const struct channel *, uint16_t);

static int
channel_bad(char *why, size_t len, const char *fmt, const char *type,
    const char *detail)
{
	snprintf(why, len, fmt, type, detail);
	return -1;
}

static int
channel_key_ok(const struct msg_key *k, struct json_object *v)
{
	size_t	n;

	switch (k->type) {
	case MSG_K_NSTR:
		if (json_object_is_type(v, json_type_null))
			return 1;
		/* FALLTHROUGH */
	case MSG_K_STR:
		if (!json_object_is_type(v, json_type_string))
			return 0;
		n = (size_t)json_object_get_string_len(v);
		return strlen(json_object_get_string(v)) == n &&
		    n >= (size_t)k->lo && (k->hi == 0 || n <= (size_t)k->hi);
	case MSG_K_INT:
		return json_object_is_type(v, json_type_int) &&
		    json_object_get_int64(v) >= k->lo &&
		    json_object_get_int64(v) <= k->hi;
	case MSG_K_NUM:
		return json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double);
	case MSG_K_BOOL:
		return json_object_is_type(v, json_type_boolean);
	case MSG_K_OBJ:
		if (!json_object_is_type(v, json_type_object))
			return 0;
		n = (size_t)json_object_object_length(v);
		return n >= (size_t)k->lo && (k->hi == 0 || n <= (size_t)k->hi);
	case MSG_K_STRS:
	case MSG_K_ARR:
		if (!json_object_is_type(v, json_type_array))
			return 0;
		n = json_object_array_length(v);
		if (k->hi != 0 && n > (size_t)k->hi)
			return 0;
		while (k->type == MSG_K_STRS && n-- > 0)
			if (!json_object_is_type(json_object_array_get_idx(v,
			    n), json_type_string))
				return 0;
		return 1;
	case MSG_K_ANY:
		/* A string is one still: no NUL inside it. */
		if (json_object_is_type(v, json_type_string) &&
		    strlen(json_object_get_string(v)) !=
		    (size_t)json_object_get_string_len(v))
			return 0;
		return k->hi == 0 || strlen(json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN)) <= (size_t)k->hi;
	}
	return 0;
}

/*
 * m against type's keys: each member one of them and of its type and
 * bounds, every required one there. 0, or -1 with why.
 */
int
channel_check_json(uint16_t type, struct json_object *m, char *why,
    size_t len)
{
	const struct msg_key	*k;
	size_t			 i;

	json_object_object_foreach(m, key, v) {
		if ((k = msg_key_find(type, key, strlen(key))) == NULL) {
			snprintf(why, len, "'%.64s' is not one of its keys",
			    key);
			return -1;
		}
		if (!channel_key_ok(k, v)) {
			snprintf(why, len, "'%s' is not as its spec says", key);
			return -1;
		}
	}
	for (i = 0; i < MK_MAX; i++)
		if (msg_keys[i].msg == type && msg_keys[i].required &&
		    !json_object_object_get_ex(m, msg_keys[i].name, NULL)) {
			snprintf(why, len, "'%s' is missing", msg_keys[i].name);
			return -1;
		}
	return 0;
}

static int
channel_name_ok(const char *p, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789_.-", p[i]) == NULL || p[i] == '\0')
			return 0;
	return len > 0;
}

/* The payload against its form; *out filled. */
static int
channel_payload(const struct msg_spec *s, const struct frame_hdr *h,
    const char *p, struct channel_msg *out, char *why, size_t len)
{
	char	detail[160];

	switch (s->form) {
	case MSG_FORM_RESULT:
		if ((out->doc = json_check_result(p, h->len)) == NULL)
			return channel_bad(why, len, "sent a malformed %s "
			    "message (%s)", s->name, "not a result: no content, "
			    "contents, messages or completion");
		return 0;
	case MSG_FORM_NAME:
		if (!channel_name_ok(p, h->len))
			return channel_bad(why, len, "sent a malformed %s "
			    "message (%s)", s->name, "not a tool's name");
		return 0;
	case MSG_FORM_ARGS:
	case MSG_FORM_JSON:
		if ((out->m = json_parse_object(p, h->len)) == NULL)
			return channel_bad(why, len, "sent a malformed %s "
			    "message (%s)", s->name, "not a JSON object");
		if (s->form == MSG_FORM_ARGS || channel_check_json(h->type,
		    out->m, detail, sizeof(detail)) == 0)
			return 0;
		json_object_put(out->m);
		out->m = NULL;
		return channel_bad(why, len, "sent a malformed %s message "
		    "(%s)", s->name, detail);
	}
	return -1;
}

/*
 * The gate: may this frame reach a handler of peer, in state? 0 with
 * *out (its JSON object the caller's to put) and *hp, or -1 with why.
 */
int
channel_gate(const struct channel_peer *peer, unsigned state,
    const struct frame_hdr *h, const char *p, size_t max,
    struct channel_msg *out, const struct channel_handler **hp, char *why,
    size_t len)
{
	const struct msg_spec		*s = msg_spec(h->type);
	const struct channel_handler	*hd;

	memset(out, 0, sizeof(*out));
	out->h = h;
	out->p = p;
	if (s == NULL || s->dir != MSG_UP || s->chan != peer->chan)
		return channel_bad(why, len, "sent a %s message, which has no "
		    "place on its channel%s", frame_type_name(h->type), "");
	if (h->len > (s->max != 0 ? s->max : max))
		return channel_bad(why, len, "sent a bad frame (a %s message "
		    "that exceeds the limit%s)", s->name, "");
	for (hd = peer->handlers; hd->type != 0; hd++)
		if (hd->type == h->type)
			break;
	if (hd->type == 0 || state >= 32 || !(hd->states & (1U << state)))
		return channel_bad(why, len, "sent an unexpected %s message "
		    "(not permitted %s)", s->name, hd->type == 0 ? "at all" :
		    "now");
	*hp = hd;
	return channel_payload(s, h, p, out, why, len);
}

/* A frame's payload limit on this channel. */
static size_t
channel_type_max(const struct channel *ch, uint16_t type)
{
	const struct msg_spec	*s = msg_spec(type);

	if (s == NULL)
		return 0;
	return s->max != 0 ? s->max : ch->limit;
}

/* One frame in: through the gate to its handler. -1: the peer is ended. */
static int
channel_deliver(struct channel *ch, const struct frame_hdr *h, const char *p)
{
	const struct channel_handler	*hd = NULL;
	struct channel_msg		 msg;
	char				 why[256];
	int				 rv;

	if (channel_gate(ch->peer, ch->peer->state(ch->arg), h, p, ch->limit,
	    &msg, &hd, why, sizeof(why)) == -1) {
		ch->peer->fail(ch->arg, why);
		return -1;
	}
	rv = hd->fn(ch->arg, &msg);
	json_object_put(msg.m);
	if (rv == -1 && !ch->dead) {
		snprintf(why, sizeof(why), "sent an unexpected or malformed %s "
		    "message", frame_type_name(h->type));
		ch->peer->fail(ch->arg, why);
	}
	return rv;
}

static void
channel_destroy(struct channel *ch)
{
	if (ch->bev != NULL)
		bufferevent_free(ch->bev);
	if (ch->ev != NULL) {
		event_free(ch->ev);
		close(ch->fd);
	}
	free(ch);
}

/* The header of a frame at hb: -1 (and the peer ended) if bad. */
static int
channel_header(struct channel *ch, const uint8_t *hb, struct frame_hdr *h)
{
	const char	*why;
	char		 cause[256];

	if (frame_hdr_decode(hb, UINT32_MAX, h, &why) == 0 &&
	    h->len <= channel_type_max(ch, h->type))
		return 0;
	if (h->version == FRAME_VERSION && h->type > 0 &&
	    h->type < MSG_TYPE_MAX)
		snprintf(cause, sizeof(cause), "sent a bad frame (a %s of %u "
		    "bytes exceeds the limit of %zu bytes)",
		    frame_type_name(h->type), h->len,
		    channel_type_max(ch, h->type));
	else
		snprintf(cause, sizeof(cause), "sent a bad frame (%s)", why);
	ch->peer->fail(ch->arg, cause);
	return -1;
}

static void
channel_stream_read(struct bufferevent *bev, void *arg)
{
	struct channel		*ch = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct frame_hdr	 h;
	uint8_t			 hb[FRAME_HDR_LEN];
	const char		*p;

	ch->busy++;
	while (!ch->dead && evbuffer_get_length(in) >= FRAME_HDR_LEN) {
		evbuffer_copyout(in, hb, sizeof(hb));
		if (channel_header(ch, hb, &h) == -1)
			break;
		if (evbuffer_get_length(in) < FRAME_HDR_LEN + (size_t)h.len)
			break;
		/* Header and payload contiguous, drained as one. */
		p = (const char *)evbuffer_pullup(in, FRAME_HDR_LEN + h.len);
		if (channel_deliver(ch, &h, p + FRAME_HDR_LEN) == -1)
			break;
		if (!ch->dead)
			evbuffer_drain(in, FRAME_HDR_LEN + h.len);
	}
	if (--ch->busy == 0 && ch->dead)
		channel_destroy(ch);
}

static void
channel_stream_event(struct bufferevent *bev, short what, void *arg)
{
	struct channel	*ch = arg;

	(void)bev;
	(void)what;
	ch->peer->closed(ch->arg);
}

static void
channel_packet_read(evutil_socket_t fd, short what, void *arg)
{
	struct channel		*ch = arg;
	uint8_t			 buf[FRAME_HDR_LEN + FRAME_BROKER_MAX];
	struct frame_hdr	 h;
	const char		*why;
	char			 cause[128];
	ssize_t			 n;

	(void)what;
	if ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC)) == -1 &&
	    (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {		/* the peer is gone, or closed it */
		event_del(ch->ev);
		if (ch->peer->closed != NULL)
			ch->peer->closed(ch->arg);
		return;
	}
	why = NULL;
	if ((size_t)n < FRAME_HDR_LEN || (size_t)n > sizeof(buf))
		why = "not one frame a packet";
	else if (frame_hdr_decode(buf, FRAME_BROKER_MAX, &h, &why) == 0 &&
	    (size_t)n != FRAME_HDR_LEN + h.len)
		why = "its length is not its packet's";
	if (why != NULL) {
		snprintf(cause, sizeof(cause), "sent a malformed frame (%s)",
		    why);
		event_del(ch->ev);
		ch->peer->fail(ch->arg, cause);
		return;
	}
	ch->busy++;
	if (h.len > channel_type_max(ch, h.type))
		(void)channel_header(ch, buf, &h);
	else
		(void)channel_deliver(ch, &h, (const char *)buf +
		    FRAME_HDR_LEN);
	if (--ch->busy == 0 && ch->dead)
		channel_destroy(ch);
}

/*
 * A channel on fd (ours now) to peer, whose callbacks get arg; limit
 * bounds the frames whose spec leaves it to the channel.
 */
struct channel *
channel_new(int fd, enum channel_style style, const struct channel_peer *peer,
    void *arg, size_t limit)
{
	struct channel	*ch;

	ch = xcalloc(1, sizeof(*ch));
	ch->peer = peer;
	ch->arg = arg;
	ch->limit = limit;
	ch->fd = fd;
	evutil_make_socket_nonblocking(fd);
	if (style == CHANNEL_SEQPACKET) {
		if ((ch->ev = event_new(sv.base, fd, EV_READ | EV_PERSIST,
		    channel_packet_read, ch)) == NULL ||
		    event_add(ch->ev, NULL) == -1)
			fatal("%s", __func__);
		return ch;
	}
	if ((ch->bev = bufferevent_socket_new(sv.base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatal("%s", __func__);
	bufferevent_setcb(ch->bev, channel_stream_read, NULL,
	    channel_stream_event, ch);
	bufferevent_enable(ch->bev, EV_READ | EV_WRITE);
	return ch;
}

/*
 * Close it: the peer sees EOF now (libevent would close the fd only when
 * its loop next runs, and we may be past the loop, exiting).
 */
void
channel_free(struct channel *ch)
{
	if (ch == NULL || ch->dead)
		return;
	shutdown(ch->fd, SHUT_RDWR);
	ch->dead = 1;
	if (ch->bev != NULL)
		bufferevent_disable(ch->bev, EV_READ | EV_WRITE);
	if (ch->ev != NULL)
		event_del(ch->ev);
	if (ch->busy == 0)
		channel_destroy(ch);
}

/* A frame out on a stream, buffered (never blocks). */
void
channel_send(struct channel *ch, uint16_t type, uint64_t id, const void *p,
    size_t len)
{
	struct frame_hdr	 h = { .type = type, .len = (uint32_t)len,
				    .id = id };
	uint8_t			 hb[FRAME_HDR_LEN];
	struct evbuffer		*out;

	if (ch == NULL || ch->dead || ch->bev == NULL)
		return;
	frame_hdr_encode(&h, hb);
	out = bufferevent_get_output(ch->bev);
	evbuf_add2(out, hb, sizeof(hb), p, len);
}

/*
 * A frame out with nfds fds riding along, in one sendmsg: 0, or -1 (and
 * errno) if it could not go whole now: a stream with output still
 * buffered, a full socket, a peer gone.
 */
int
channel_send_fds(struct channel *ch, uint16_t type, uint64_t id,
    const void *p, size_t len, const int *fds, size_t nfds)
{
	struct frame_hdr	 h = { .type = type, .len = (uint32_t)len,
				    .id = id };
	uint8_t			 hb[FRAME_HDR_LEN];
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(3 * sizeof(int))];
	} cm;
	struct iovec		 iov[2];
	struct msghdr		 msg = { .msg_iov = iov, .msg_iovlen = 2 };
	struct cmsghdr		*c;
	ssize_t			 n;

	if (ch == NULL || ch->dead || nfds > 3 || (ch->bev != NULL &&
	    evbuffer_get_length(bufferevent_get_output(ch->bev)) > 0)) {
		errno = EAGAIN;
		return -1;
	}
	frame_hdr_encode(&h, hb);
	iov[0] = (struct iovec){ hb, sizeof(hb) };
	iov[1] = (struct iovec){ (void *)(uintptr_t)p, len };
	if (nfds > 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	if ((n = sendmsg(ch->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL)) == -1)
		return -1;
	if (n != (ssize_t)(sizeof(hb) + len)) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}
