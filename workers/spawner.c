/* SPDX-License-Identifier: ISC */
/*
 * The spawner ("zygote"): CPython is brought up, the common modules
 * imported and the heap frozen once, here; each worker is then a fork of
 * this process, ready to load its tool in a fraction of a millisecond
 * instead of the ~12 ms of exec + Py_Initialize.
 *
 * The supervisor sends MSG_SPAWN with the worker's channel end and stderr
 * pipe attached (SCM_RIGHTS); we fork with CLONE_PARENT, so the worker is
 * the supervisor's child, reaped by it and killed when it dies, exactly as
 * one it had forked itself; and we answer MSG_SPAWNED with the pid.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "../src/frame.h"
#include "msgin.h"
#include "pyworker.h"
#include "sandbox.h"

static void __attribute__((noreturn))
spawner_die(const char *what)
{
	fprintf(stderr, "mcp-hotd-worker --spawner: %s: %s\n", what,
	    strerror(errno));
	_exit(1);
}

/*
 * One SPAWN: header, the tool's name (into payload, NUL-ended), its two
 * or three fds (fds[2] -1 without a broker channel). 0 at EOF, -1 on
 * garbage.
 */
static int
spawner_recv(struct frame_hdr *h, char *payload, size_t size, int fds[3])
{
	uint8_t		 buf[FRAME_HDR_LEN + MSG_MAX_SPAWN];
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(3 * sizeof(int))];
	} cm;
	struct iovec	 iov = { buf, sizeof(buf) };
	struct msghdr	 msg = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cm.buf,
			    .msg_controllen = sizeof(cm.buf) };
	struct cmsghdr	*c;
	const char	*why;
	ssize_t		 n;

	while ((n = recvmsg(FRAME_CHANNEL_FD, &msg, MSG_CMSG_CLOEXEC)) == -1 &&
	    errno == EINTR)
		;
	if (n <= 0)
		return 0;
	c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS ||
	    (msg.msg_flags & MSG_CTRUNC) ||
	    (c->cmsg_len != CMSG_LEN(2 * sizeof(int)) &&
	    c->cmsg_len != CMSG_LEN(3 * sizeof(int))))
		return -1;
	fds[2] = -1;
	memcpy(fds, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
	if ((size_t)n < FRAME_HDR_LEN ||
	    msgin_header(buf, MSG_CHAN_SPAWNER, h, &why) == -1 ||
	    h->len >= size || (size_t)n != FRAME_HDR_LEN + h->len)
		return -1;
	memcpy(payload, buf + FRAME_HDR_LEN, h->len);
	payload[h->len] = '\0';
	return 1;
}

static void
spawner_reply(uint64_t id, const char *key, long value, const char *error)
{
	struct frame_hdr	 h = { .type = MSG_SPAWNED, .id = id };
	uint8_t			 buf[FRAME_HDR_LEN + 256];
	int			 n;

	if (error != NULL)
		n = snprintf((char *)buf + FRAME_HDR_LEN, 256,
		    "{\"%s\":\"%s\"}", MSG_KEY(SPAWNED, error), error);
	else
		n = snprintf((char *)buf + FRAME_HDR_LEN, 256, "{\"%s\":%ld}",
		    key, value);
	h.len = (uint32_t)n;
	frame_hdr_encode(&h, buf);
	if (write(FRAME_CHANNEL_FD, buf, FRAME_HDR_LEN + (size_t)n) == -1)
		spawner_die("write");
}

/*
 * In the new worker: its fds in place. What else the spawner held (the
 * file view's ruleset among it) is closed by sandbox_enter, once the view
 * is on. A PID namespace's init sees getppid() 0; should the supervisor
 * be gone already, the channel's EOF ends us.
 */
static void __attribute__((noreturn))
spawner_child(const int fds[3], pid_t supervisor, const char *name)
{
	pid_t	parent = getppid();

	if (parent != supervisor && parent != 0)
		_exit(126);
	if (frame_place_fds(fds[0], fds[1], fds[2]) == -1)
		_exit(126);
	worker_set_title(name);
	prctl(PR_SET_NAME, "mcp-hotd-worker");
	worker_serve(name, 1);
}

/* obmalloc (CPython 3.10+): 16 KiB pools, blocks after a 48-byte header. */
#define OBMALLOC_POOL_SIZE	16384
#define OBMALLOC_POOL_OVERHEAD	48

/*
 * Take up the free blocks of partly used obmalloc pools, for good: a
 * worker's new objects then go to fresh pools of its own, packed, rather
 * than into gaps scattered over shared pages, each of which the kernel
 * would copy whole on the first write. A few thousand blocks, once.
 */
static void
spawner_fill_pools(void)
{
	size_t	size;
	void	*p;
	int	i;

	/*
	 * At most 64 pools' worth per size: should the layout assumption
	 * ever fail (another CPython), this stays a bounded waste.
	 */
	for (size = 16; size <= 512; size += 16)
		for (i = 0; (size_t)i < 64 * OBMALLOC_POOL_SIZE / size; i++) {
			if ((p = PyObject_Malloc(size)) == NULL)
				break;
			if (((uintptr_t)p & (OBMALLOC_POOL_SIZE - 1)) ==
			    OBMALLOC_POOL_OVERHEAD) {
				PyObject_Free(p);	/* a fresh pool: done */
				break;
			}
		}
}

/* Take up free chunks of size until one comes from the top chunk. */
static void
spawner_fill_holes_of(size_t size, size_t *budget)
{
	char	*top, *p;

	while (*budget >= size) {
		/* The top chunk, the never used end of the heap, starts here. */
		top = (char *)sbrk(0) - mallinfo2().keepcost;
		if ((p = malloc(size)) == NULL || p >= top)
			return;		/* no hole of this size left */
		*budget -= size;
	}
}

/*
 * The same for malloc's free chunks (objects over 512 bytes, and what
 * CPython allocates raw): a worker's first mallocs reused them, each in a
 * shared page it then copied (~15 pages a worker). Take them up, for good,
 * largest first; what workers allocate then comes from the top chunk,
 * fresh pages of their own. Never more than the free space there was: what
 * mallinfo2 counts, plus what the thread cache may hold (7 chunks of each
 * size up to 1040 bytes), which it counts as in use.
 */
static void
spawner_fill_holes(void)
{
	static const size_t	 large[] = { 65536, 16384, 4096, 2048 };
	struct mallinfo2	 mi = mallinfo2();
	size_t			 budget, i, size;

	budget = mi.fordblks - mi.keepcost + 7 * 64 * 1040;
	for (i = 0; i < sizeof(large) / sizeof(*large); i++)
		spawner_fill_holes_of(large[i], &budget);
	for (size = 1032; size >= 24; size -= 16)	/* chunks 1040 .. 32 */
		spawner_fill_holes_of(size, &budget);
}

void
spawner_main(void)
{
	struct frame_hdr	 h;
	char			 name[MSG_MAX_SPAWN + 1];
	pid_t			 pid, supervisor = getppid();
	int			 fds[3], rv;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		spawner_die("prctl");
	prctl(PR_SET_NAME, "mcp-hotd-spawn");
	/*
	 * Children share these pages until they write them: so load a tool
	 * once (caches, specialised bytecode), fill the pools, freeze the heap,
	 * fill malloc's holes.
	 */
	PyRun_SimpleString("import mcp_hotd_toolhost\n"
	    "mcp_hotd_toolhost.warm_up()\n"
	    "import gc\ngc.collect()\n");
	spawner_fill_pools();
	PyRun_SimpleString("import gc\ngc.freeze()\n");
	spawner_fill_holes();
	while ((rv = spawner_recv(&h, name, sizeof(name), fds)) != 0) {
		if (rv == -1) {
			fprintf(stderr, "mcp-hotd-worker --spawner: malformed "
			    "SPAWN request\n");
			_exit(1);
		}
		PyOS_BeforeFork();
		pid = sandbox_fork();
		if (pid == 0) {
			PyOS_AfterFork_Child();
			spawner_child(fds, supervisor, name);
		}
		PyOS_AfterFork_Parent();
		close(fds[0]);
		close(fds[1]);
		if (fds[2] != -1)
			close(fds[2]);
		if (pid == -1)
			spawner_reply(h.id, NULL, 0, strerror(errno));
		else
			spawner_reply(h.id, MSG_KEY(SPAWNED, pid), (long)pid,
			    NULL);
	}
	_exit(0);
}
