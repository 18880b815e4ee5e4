/* SPDX-License-Identifier: ISC */
/*
 * A worker's output on its channel: frames built in place in one buffer
 * (chanout), a pipelined batch's results written in one go, and results
 * held while a later call runs written from signal handlers.
 *
 * The rules, since signal handlers write this buffer too:
 * - Normal code appends frames only between calls (held == 0), with
 *   chanout_frame_begin/_end and pybuf_add, and flushes with
 *   chanout_flush.
 * - Around a tool's code (chanout_hold_begin/_end) held is 1: the buffer is
 *   whole and nobody appends; a handler may then write it out, and only
 *   through chanout_write_held, which uses write(2) and nothing else.
 * - The handlers that do: the one-shot timer (WORKER_HELD_SIGNAL, after
 *   HELD_MAX_NS, so a slow call never makes a finished one look timed
 *   out), the crash signals, the sandbox's SIGSYS and os._exit(). Only a
 *   raw exit syscall loses held results; the supervisor then answers those
 *   calls with the worker's death.
 * - A running call's progress and log frames (chanout_notify) go out at
 *   once, whole, with every signal blocked, so no handler writes between
 *   their bytes.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/frame.h"
#include "chanout.h"

#define HELD_MAX_NS	1000000	/* a held result waits on a call at most */

struct pybuf			chanout;

static volatile sig_atomic_t	held;		/* a call runs; chanout whole */
static volatile sig_atomic_t	held_timer_armed;
static timer_t			held_timer;
static int			held_timer_ok;

/* Write it all; the supervisor gone, we go. */
void
chanout_flush(void)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < chanout.len) {
		if ((n = write(FRAME_CHANNEL_FD, chanout.p + off,
		    chanout.len - off)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
		off += (size_t)n;
	}
	chanout.len = 0;
}

/* Async-signal-safe: write what is held, if a call is running. */
void
chanout_write_held(void)
{
	int	saved = errno;

	if (held && chanout.len > 0) {
		held = 0;
		chanout_flush();
		held = 1;
	}
	errno = saved;
}

static void
held_on_timer(int sig)
{
	(void)sig;
	held_timer_armed = 0;
	chanout_write_held();
}

/* A fault re-raises itself once we return (SA_RESETHAND); abort() too. */
static void
held_on_crash(int sig)
{
	(void)sig;
	chanout_write_held();
}

/* Before the sandbox closes: the timer, the handlers, their stack. */
void
chanout_setup(void)
{
	static char		 altstack[65536];
	static const int	 crash[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				    SIGABRT };
	struct sigevent		 sev;
	struct sigaction	 sa;
	stack_t			 ss = { .ss_sp = altstack,
				    .ss_size = sizeof(altstack) };
	size_t			 i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = held_on_timer;
	sa.sa_flags = SA_RESTART;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = WORKER_HELD_SIGNAL;
	if (sigaction(WORKER_HELD_SIGNAL, &sa, NULL) == 0 &&
	    timer_create(CLOCK_MONOTONIC, &sev, &held_timer) == 0)
		held_timer_ok = 1;
	sigaltstack(&ss, NULL);
	sa.sa_handler = held_on_crash;
	sa.sa_flags = SA_RESETHAND | SA_ONSTACK | SA_NODEFER;
	for (i = 0; i < sizeof(crash) / sizeof(*crash); i++)
		sigaction(crash[i], &sa, NULL);
}

/* Around a tool's code: what chanout holds may be written by a handler. */
void
chanout_hold_begin(void)
{
	struct itimerspec	its = { { 0, 0 }, { 0, HELD_MAX_NS } };

	if (chanout.len == 0)
		return;
	if (held_timer_ok && !held_timer_armed) {
		held_timer_armed = 1;
		timer_settime(held_timer, 0, &its, NULL);
	}
	atomic_signal_fence(memory_order_seq_cst);
	held = 1;
}

void
chanout_hold_end(void)
{
	held = 0;
	atomic_signal_fence(memory_order_seq_cst);
}

/* Start a frame; its length is set by chanout_frame_end. */
size_t
chanout_frame_begin(uint32_t type, uint64_t id)
{
	struct frame_hdr	h = { .type = (uint16_t)type, .id = id };
	size_t			start = chanout.len;

	pybuf_reserve(&chanout, FRAME_HDR_LEN);
	frame_hdr_encode(&h, (uint8_t *)chanout.p + chanout.len);
	chanout.len += FRAME_HDR_LEN;
	return start;
}

void
chanout_frame_end(size_t start)
{
	uint32_t	len = (uint32_t)(chanout.len - start - FRAME_HDR_LEN);

	memcpy(chanout.p + start + 4, &len, sizeof(len));
}

/* A frame of the running call, written now and whole (see the rules). */
void
chanout_notify(uint32_t type, uint64_t id, const char *json, size_t len)
{
	struct frame_hdr	 h = { .type = type, .id = id };
	uint8_t			 hdr[FRAME_HDR_LEN];
	sigset_t		 all, old;
	const char		*part[2];
	size_t			 n[2], off, i;
	ssize_t			 w;

	h.len = (uint32_t)len;
	frame_hdr_encode(&h, hdr);
	part[0] = (const char *)hdr;
	n[0] = sizeof(hdr);
	part[1] = json;
	n[1] = len;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < 2; i++)
		for (off = 0; off < n[i]; off += (size_t)w)
			if ((w = write(FRAME_CHANNEL_FD, part[i] + off,
			    n[i] - off)) <= 0) {
				if (w == -1 && errno == EINTR) {
					w = 0;
					continue;
				}
				_exit(0);	/* the supervisor is gone */
			}
	sigprocmask(SIG_SETMASK, &old, NULL);
}
