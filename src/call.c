/* One tools/call from a client: created by its session, answered once. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "mcp-hotd.h"

/*
 * A call and the text it carries (its id, its arguments; args may be NULL)
 * in one allocation.
 */
struct call *
call_new(struct session *s, const char *id, size_t idlen, struct tool *t,
    const char *args, size_t argslen)
{
	struct call	*c;
	char		*p;

	if ((c = calloc(1, sizeof(*c) + idlen + argslen + 2)) == NULL)
		fatal("%s", __func__);
	p = (char *)(c + 1);
	c->idjson = p;
	memcpy(p, id, idlen);
	p += idlen + 1;
	if (args != NULL) {
		c->args = p;
		c->argslen = argslen;
		memcpy(p, args, argslen);
	}
	c->session = s;
	c->tool = t;
	c->id = ++sv.next_call_id;
	TAILQ_INSERT_TAIL(&s->calls, c, sentry);
	s->ninflight++;
	return c;
}

/*
 * Answer the call with a CallToolResult given as JSON text and free it. The
 * text is relayed as it came: the caller has checked it is one JSON object
 * on one line.
 */
void
call_answer_raw(struct call *c, const char *result, size_t len)
{
	static const char	 pre[] = "{\"jsonrpc\":\"2.0\",\"id\":";
	static const char	 mid[] = ",\"result\":";
	static char		*buf;
	static size_t		 cap;
	struct session		*s = c->session;
	size_t			 idlen, n;
	char			*p;

	if (s != NULL) {
		idlen = strlen(c->idjson);
		n = sizeof(pre) - 1 + idlen + sizeof(mid) - 1 + len + 1;
		if (n > cap) {
			cap = n > 4096 ? n : 4096;
			if ((buf = realloc(buf, cap)) == NULL)
				fatal("%s", __func__);
		}
		p = mempcpy(buf, pre, sizeof(pre) - 1);
		p = mempcpy(p, c->idjson, idlen);
		p = mempcpy(p, mid, sizeof(mid) - 1);
		p = mempcpy(p, result, len);
		*p = '}';
		session_send_raw(s, buf, n);
		session_call_done(s, c);
	}
	call_free(c);
}

/* Answer with isError and a text naming what went wrong. */
void
call_answer_error(struct call *c, const char *fmt, ...)
{
	struct json_object	*res;
	const char		*s;
	char			 msg[2048];
	size_t			 len;
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	res = mcp_tool_error(msg);
	s = mcp_to_string(res, &len);
	call_answer_raw(c, s, len);
	json_object_put(res);
}

void
call_free(struct call *c)
{
	free(c);
}
