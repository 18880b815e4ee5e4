/* SPDX-License-Identifier: ISC */
/*
 * loadgen: drive an MCP server with tools/call "add" and measure it.
 *
 *	loadgen [-2] [-k call|read|get] [-n calls] [-w window]
 *	        [-m pipelined|sequential] (-u socket | -- command args...)
 *
 * Speaks newline-delimited JSON-RPC over the command's stdin/stdout (stdio)
 * or a unix socket. pipelined keeps `window` calls in flight; sequential
 * sends one, waits, sends the next and records each latency. Every reply is
 * checked (id and sum). Prints one JSON line of results. -2 speaks MCP
 * 2026-07-28: no initialize, every request with its _meta. -k read sends
 * resources/read of bench://next/ID instead, -k get prompts/get of the
 * prompt "next" with {"n": "ID"}: each answers ID + 1 as its text.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int	 in_fd = -1, out_fd = -1, modern;
static char	 kind = 'c';		/* -k: call, read, get */
static char	 rbuf[1 << 20];
static size_t	 rlen, rpos;

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *msg)
{
	fprintf(stderr, "loadgen: %s: %s\n", msg, strerror(errno));
	exit(1);
}

static void
send_all(const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(out_fd, p, n)) <= 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

/*
 * Next line from the server, NUL-terminated in place (valid until the
 * next call). Lines are taken from rbuf at rpos; what is left moves to the
 * front only before a read, so a batch of replies costs no copying.
 */
static char *
next_line(void)
{
	char		*nl, *line;
	ssize_t		 r;

	while ((nl = memchr(rbuf + rpos, '\n', rlen - rpos)) == NULL) {
		if (rpos > 0) {
			memmove(rbuf, rbuf + rpos, rlen - rpos);
			rlen -= rpos;
			rpos = 0;
		}
		if (rlen == sizeof(rbuf) - 1)
			die("line too long");
		if ((r = read(in_fd, rbuf + rlen, sizeof(rbuf) - 1 - rlen)) <= 0)
			die("read (server closed?)");
		rlen += (size_t)r;
	}
	line = rbuf + rpos;
	*nl = '\0';
	rpos = (size_t)(nl - rbuf) + 1;
	return line;
}

/* A complete line waits in rbuf. */
static int
line_ready(void)
{
	return memchr(rbuf + rpos, '\n', rlen - rpos) != NULL;
}

static size_t
call_line(char *buf, size_t size, long id)
{
	const char	*meta = modern ?
	    ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":"
	    "\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}" :
	    "";

	if (kind == 'r')
		return (size_t)snprintf(buf, size, "{\"jsonrpc\":\"2.0\","
		    "\"id\":%ld,\"method\":\"resources/read\",\"params\":"
		    "{\"uri\":\"bench://next/%ld\"%s}}\n", id, id, meta);
	if (kind == 'g')
		return (size_t)snprintf(buf, size, "{\"jsonrpc\":\"2.0\","
		    "\"id\":%ld,\"method\":\"prompts/get\",\"params\":"
		    "{\"name\":\"next\",\"arguments\":{\"n\":\"%ld\"}%s}}\n",
		    id, id, meta);
	return (size_t)snprintf(buf, size, "{\"jsonrpc\":\"2.0\",\"id\":%ld,"
	    "\"method\":\"tools/call\",\"params\":{\"name\":\"add\","
	    "\"arguments\":{\"a\":%ld,\"b\":1}%s}}\n", id, id, meta);
}

/* Check the reply to call id: {"id":id ... "text":"id+1" ...}. */
static long
check_reply(const char *line)
{
	const char	*p, *q;
	char		 want[32], *w = want + sizeof(want);
	long		 id, sum;
	unsigned long	 v;

	if ((p = strstr(line, "\"id\":")) == NULL)
		return -1;
	id = strtol(p + 5, NULL, 10);
	/* "text":"id+1" without printf: this runs for every reply. */
	*--w = '\0';
	*--w = '"';
	v = (unsigned long)(id + 1);
	do
		*--w = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	w -= 8;
	memcpy(w, "\"text\":\"", 8);
	if (id + 1 < 0 || (q = strstr(line, w)) == NULL)
		return -1;
	sum = strstr(line, "\"isError\":true") == NULL &&
	    strstr(line, "\"error\":") == NULL;
	return sum ? id : -1;
}

static void
handshake(void)
{
	static const char init[] = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":"
	    "\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
	    "\"capabilities\":{},\"clientInfo\":{\"name\":\"loadgen\","
	    "\"version\":\"1\"}}}\n{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"notifications/initialized\"}\n";

	send_all(init, sizeof(init) - 1);
	if (strstr(next_line(), "protocolVersion") == NULL)
		die("initialize failed");
}

/*
 * One call answered before the clock starts, in both eras: the tool is
 * loaded (an initialize's answer does not wait for that; a 2026 client
 * has no initialize at all).
 */
static void
warm_up(void)
{
	char	line[512];
	size_t	n = call_line(line, sizeof(line), 0);

	send_all(line, n);
	if (check_reply(next_line()) != 0)
		die("the warm-up call failed");
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	const char	*mode = "pipelined", *sock = NULL;
	long		 calls = 100000, window = 64, sent = 0, got = 0, i;
	char		*buf;
	size_t		 blen, cap;
	double		 t0, t1, *lat = NULL;
	pid_t		 pid = -1;
	int		 ch, p_in[2], p_out[2], bad = 0;

	while ((ch = getopt(argc, argv, "+2k:n:w:m:u:")) != -1) {
		switch (ch) {
		case '2': modern = 1; break;
		case 'k': kind = optarg[0]; break;
		case 'n': calls = atol(optarg); break;
		case 'w': window = atol(optarg); break;
		case 'm': mode = optarg; break;
		case 'u': sock = optarg; break;
		default:
			fprintf(stderr, "usage: loadgen [-2] [-k call|read|get] [-n calls] [-w window] "
			    "[-m pipelined|sequential] (-u socket | -- cmd ...)\n");
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (sock != NULL) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		strncpy(sun.sun_path, sock, sizeof(sun.sun_path) - 1);
		if (fd == -1 || connect(fd, (struct sockaddr *)&sun,
		    sizeof(sun)) == -1)
			die("connect");
		in_fd = out_fd = fd;
	} else {
		if (optind >= argc || pipe(p_in) == -1 || pipe(p_out) == -1)
			die("need a command");
		if ((pid = fork()) == 0) {
			dup2(p_out[0], 0);
			dup2(p_in[1], 1);
			close(p_in[0]);
			close(p_out[1]);
			execvp(argv[optind], argv + optind);
			_exit(127);
		}
		close(p_out[0]);
		close(p_in[1]);
		in_fd = p_in[0];
		out_fd = p_out[1];
	}
	if (!modern)
		handshake();
	warm_up();
	cap = (size_t)window * 320 + 256;	/* a -2 line is ~230 bytes */
	if ((buf = malloc(cap)) == NULL ||
	    (lat = calloc((size_t)calls, sizeof(*lat))) == NULL)
		die("malloc");

	t0 = now();
	if (strcmp(mode, "sequential") == 0) {
		for (i = 1; i <= calls; i++) {
			double s = now();

			blen = call_line(buf, cap, i);
			send_all(buf, blen);
			if (check_reply(next_line()) != i)
				bad++;
			lat[i - 1] = now() - s;
		}
		got = calls;
	} else {
		while (got < calls) {
			blen = 0;
			while (sent < calls && sent - got < window)
				blen += call_line(buf + blen, cap - blen, ++sent);
			if (blen > 0)
				send_all(buf, blen);
			do {
				if (check_reply(next_line()) < 0)
					bad++;
				got++;
			} while (got < sent && line_ready());
		}
	}
	t1 = now();

	printf("{\"mode\":\"%s\",\"calls\":%ld,\"window\":%ld,\"seconds\":%.4f,"
	    "\"calls_per_s\":%.0f,\"bad\":%d", mode, calls, window, t1 - t0,
	    calls / (t1 - t0), bad);
	if (strcmp(mode, "sequential") == 0) {
		qsort(lat, (size_t)calls, sizeof(*lat), cmp_double);
		printf(",\"p50_us\":%.1f,\"p99_us\":%.1f",
		    lat[calls / 2] * 1e6, lat[calls * 99 / 100] * 1e6);
	}
	printf("}\n");
	close(out_fd);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return bad ? 1 : 0;
}
