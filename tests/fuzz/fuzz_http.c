/* SPDX-License-Identifier: ISC */
/*
 * The HTTP face, end to end in one process: headers the input chooses
 * (but the framing ones) and its body, POSTed to /mcp on a session, over
 * a real loopback connection served by the real request path. Every POST
 * gets exactly one HTTP response, whatever the body holds.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "fuzz.h"

struct supervisor sv;
static struct sockaddr_in	addr;
static char			sid[64];

/* Send one raw request and collect what comes back for a while. */
static size_t
fuzz_exchange(const char *req, size_t len, char *out, size_t outlen)
{
	static uint32_t		nconn;
	struct sockaddr_in	src = { .sin_family = AF_INET };
	struct linger		reset = { 1, 0 };
	int			fd, i;
	size_t			got = 0;
	ssize_t			n;

	/*
	 * From a new loopback address each time (all of 127/8 is ours): the
	 * server closes first after some replies, and a million connections'
	 * TIME_WAITs from one address would use up its ports.
	 */
	src.sin_addr.s_addr = htonl(0x7f000000 | (++nconn % 0xfffffe + 1));
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (size_t)-1;
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) == -1 ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == -1) {
		/* Loopback had no room (not the input's doing): no verdict. */
		close(fd);
		event_base_loop(sv.base, EVLOOP_NONBLOCK);
		return (size_t)-1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	(void)!write(fd, req, len);
	/* Enough passes for libevent to accept, read, dispatch and reply. */
	for (i = 0; i < 64; i++) {
		event_base_loop(sv.base, EVLOOP_NONBLOCK);
		while (got < outlen && (n = read(fd, out + got,
		    outlen - got)) > 0)
			got += (size_t)n;
		if (got > 0 && i > 8)
			break;
	}
	/* Reset, not closed: a million connections would otherwise leave as
	 * many in TIME_WAIT and run out of loopback ports. */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
	close(fd);
	for (i = 0; i < 4; i++)
		event_base_loop(sv.base, EVLOOP_NONBLOCK);
	return got;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char body[] = "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
	    "\"2025-06-18\",\"capabilities\":{}}}";
	char		 init[512];
	char		 out[4096], *p;
	size_t		 n;
	socklen_t	 alen = sizeof(addr);
	int		 fd;

	(void)argc;
	(void)argv;
	log_init("fuzz_http", 0);
	signal(SIGPIPE, SIG_IGN);
	sv.base = event_base_new();
	settings.max_request = 1 << 20;
	settings.max_reply = 1 << 20;
	settings.page_size = 10;
	settings.http_idle = 60;
	settings.http_timeout = 60;
	settings.http_max_sessions = 256;
	TAILQ_INIT(&sv.tools);
	TAILQ_INIT(&sv.sessions);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == -1 ||
	    listen(fd, 16) == -1 ||
	    getsockname(fd, (struct sockaddr *)&addr, &alen) == -1)
		abort();
	transport_http_serve(fd);
	snprintf(init, sizeof(init), "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    sizeof(body) - 1, body);
	if ((n = fuzz_exchange(init, strlen(init), out, sizeof(out) - 1)) ==
	    (size_t)-1)
		abort();
	out[n] = '\0';
	if ((p = strcasestr(out, "Mcp-Session-Id: ")) == NULL) {
		fprintf(stderr, "fuzz_http: no session: %s\n", out);
		abort();
	}
	snprintf(sid, sizeof(sid), "%.32s", p + 16);
	return 0;
}

/* Headers that frame the request are the harness's, not the input's. */
static int
fuzz_framing(const char *line, size_t len)
{
	static const char *const names[] = { "content-length",
	    "transfer-encoding", "expect", "connection", "host", NULL };
	size_t	i, n;

	for (i = 0; names[i] != NULL; i++) {
		n = strlen(names[i]);
		if (len >= n && strncasecmp(line, names[i], n) == 0)
			return 1;
	}
	return memchr(line, '\r', len) != NULL || memchr(line, '\0', len) != NULL;
}

static size_t
fuzz_count_responses(const char *out, size_t len)
{
	size_t	n = 0, i;

	for (i = 0; i + 9 <= len; i++)
		if ((i == 0 || out[i - 1] == '\n') &&
		    memcmp(out + i, "HTTP/1.1 ", 9) == 0)
			n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	 req[1 << 17], out[1 << 17];
	const char	*p = (const char *)data, *end = p + size, *sep, *nl;
	size_t		 n, got;

	if (size > 1 << 16)
		return 0;
	/* Input: header lines, a blank line, the body (or all body). */
	n = (size_t)snprintf(req, sizeof(req), "POST /mcp HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\nMcp-Session-Id: %s\r\n", sid);
	if ((sep = memmem(p, size, "\n\n", 2)) != NULL) {
		for (; p < sep; p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(sep - p))) == NULL)
				nl = sep;
			if (nl > p && !fuzz_framing(p, (size_t)(nl - p)) &&
			    n + (size_t)(nl - p) + 2 < sizeof(req) / 2) {
				memcpy(req + n, p, (size_t)(nl - p));
				n += (size_t)(nl - p);
				memcpy(req + n, "\r\n", 2);
				n += 2;
			}
		}
		p = sep + 2;
	}
	n += (size_t)snprintf(req + n, sizeof(req) - n,
	    "Content-Length: %zu\r\n\r\n", (size_t)(end - p));
	memcpy(req + n, p, (size_t)(end - p));
	n += (size_t)(end - p);
	if ((got = fuzz_exchange(req, n, out, sizeof(out))) == (size_t)-1)
		return 0;
	FUZZ_ASSERT(fuzz_count_responses(out, got) == 1,
	    "every POST gets exactly one response");
	return 0;
}
