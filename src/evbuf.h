/* SPDX-License-Identifier: ISC */
/*
 * Output that goes out in two pieces (a frame's header and payload, a
 * line and its newline) added as one: an output buffer runs its
 * bufferevent's callbacks (watermarks, the write event) on every
 * addition, and on the hot path that is a good part of a call's cost.
 */
#ifndef EVBUF_H
#define EVBUF_H

#include <string.h>

#include <event2/buffer.h>

static inline void
evbuf_add2(struct evbuffer *out, const void *a, size_t alen, const void *b,
    size_t blen)
{
	struct evbuffer_iovec	v;

	if (evbuffer_reserve_space(out, (ev_ssize_t)(alen + blen), &v, 1) ==
	    1 && v.iov_len >= alen + blen) {
		memcpy(v.iov_base, a, alen);
		memcpy((char *)v.iov_base + alen, b, blen);
		v.iov_len = alen + blen;
		if (evbuffer_commit_space(out, &v, 1) == 0)
			return;
	}
	evbuffer_add(out, a, alen);
	evbuffer_add(out, b, blen);
}

#endif /* EVBUF_H */
