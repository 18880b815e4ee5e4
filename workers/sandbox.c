/* SPDX-License-Identifier: ISC */
/*
 * The worker's containment: everything between "a process that will run
 * tool code" and the first line of it, and the narrowing after loading.
 * Tool code is hostile from its first line (its imports and top-level
 * statements run on every hot update), so both phases are default-deny.
 *
 * sandbox_prepare (once: in the spawner, or in an exec'd worker): compile
 * the two seccomp filters to BPF, open the Landlock file view, empty the
 * capability bounding set (workers inherit it).
 *
 * sandbox_enter (in the worker, before any tool code):
 *	personality reset, PDEATHSIG, own session, cwd "/", non-dumpable;
 *	every capability dropped (ambient, permitted, effective; the
 *	bounding set already empty where we may empty it);
 *	rlimits AS, FSIZE 0, CORE 0, NPROC 0, NOFILE;
 *	no_new_privs; the Landlock view (read-only: the interpreter, its
 *	libraries, CA store, zoneinfo; no TCP, no signals or abstract sockets
 *	outside); every fd but 0-3 closed; SIGSYS handler; the load filter.
 *
 * sandbox_call_phase (after loading, before READY): fds 0 and 1 on
 * /dev/null, every fd above the channel closed, the call filter.
 *
 * The two filters are one table of named groups (after systemd's
 * seccomp-util.c). The load filter's rights are the call filter's plus
 * exactly one call, seccomp(SET_MODE_FILTER, 0, &call filter), which can
 * only narrow: so tool code that skips the call phase (a forged READY)
 * keeps no right the call phase lacks. The one exception is a kernel
 * without Landlock: then file reads are allowed while loading (imports
 * need them) and refused (EACCES) at call time, as nothing else confines
 * them. Calls not in the table trap: the SIGSYS handler reports the
 * syscall on the channel and the worker dies by SIGSYS.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/capability.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <elf.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include <seccomp.h>

#include "../src/frame.h"
#include "sandbox.h"

#define SANDBOX_NOFILE	64
#define SANDBOX_NOFILE_NET 256	/* room for a net tool's connections */
#define SANDBOX_NPROC_RUN 64	/* a run tool's processes and threads */
#define OPEN_WRITE	(O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)

enum rule_arg {
	ARG_NONE,
	ARG_NO_EXEC,		/* arg 2 (prot) without PROT_EXEC */
	ARG_FILE_EXEC,		/* mmap of a file, PROT_EXEC without WRITE */
	ARG_NOT_SIGSYS,		/* arg 0 (signal) is not SIGSYS */
	ARG_SIGSYS_QUERY,	/* SIGSYS, arg 1 (new action) NULL */
	ARG_SIGSYS_SET,		/* SIGSYS, arg 1 not NULL */
	ARG_READ_ONLY,		/* open flags without a write/create bit */
	ARG_WRITE_FLAGS,	/* open flags with one: one rule per bit */
	ARG_CMD,		/* arg 1 equals the rule's value (fcntl) */
	ARG_UNIX,		/* arg 0 (domain) is AF_UNIX */
	ARG_UNIX_STREAM,	/* ... and arg 1 (type) SOCK_STREAM */
	ARG_UNIX_TYPE,		/* ... and arg 1 (type) `value` */
	ARG_DOMAIN,		/* arg 0 (domain) is `value` */
	ARG_SELF,		/* arg 0 (pid) 0 */
	ARG_NARROW,		/* seccomp(SET_MODE_FILTER, 0, &call filter) */
	ARG_THREAD,		/* clone: a thread, no namespace */
	ARG_NO_NAMESPACE,	/* clone: a thread or a child, no namespace */
	ARG_CHILD,		/* clone: not a thread */
	ARG_SEND_PLAIN,		/* sendto: no address (arg 4), no
				 * MSG_FASTOPEN (arg 3) */
	ARG_SEND_ADDRESSED,	/* sendto: an address */
	ARG_NO_FASTOPEN,	/* arg `value` (flags) without MSG_FASTOPEN */
	ARG_FASTOPEN,		/* ... with it */
	ARG_LEVEL,		/* setsockopt: arg 1 (level) is `value` */
	ARG_TCP_BELOW,		/* setsockopt: IPPROTO_TCP, optname < value */
	ARG_TCP_FROM		/* setsockopt: IPPROTO_TCP, optname >= value
				 * (64 bits: high bits set land here too) */
};

struct rule {
	const char	*name;
	enum rule_arg	 arg;
	uint64_t	 value;		/* ARG_CMD */
	uint32_t	 action;	/* 0: the group's action */
};

/* An argument comparison, every field named (libseccomp's SCMP_A* leave
 * one out, which clang -Wextra flags). */
#define CMP(n, op, a, b)	\
	((struct scmp_arg_cmp){ (n), (op), (scmp_datum_t)(a), (scmp_datum_t)(b) })

#define R(n)		{ n, ARG_NONE, 0, 0 }
#define RA(n, a)	{ n, a, 0, 0 }
#define RE(n, e)	{ n, ARG_NONE, 0, SCMP_ACT_ERRNO(e) }
#define RCMD(n, c)	{ n, ARG_CMD, c, 0 }
#define REND		{ NULL, ARG_NONE, 0, 0 }

/*
 * The channel, stderr, fds the worker or its imports opened: whatever
 * Landlock let it open, so positioned and vector I/O (SQLite's pwrite64),
 * copies between its own fds (shutil's sendfile, copy_file_range), locks
 * (flock, OFD locks), syncing, pipe sizes.
 */
static const struct rule group_io[] = {
	R("read"), R("readv"), R("pread64"), R("write"), R("writev"),
	R("pwrite64"), R("preadv"), R("pwritev"), R("preadv2"), R("pwritev2"),
	R("sendfile"), R("copy_file_range"), R("splice"), R("tee"),
	R("flock"), R("syncfs"), R("sync"), R("sync_file_range"),
	R("recvfrom"), R("close"), R("close_range"), R("dup"), R("dup2"),
	R("dup3"), R("lseek"), R("fsync"), R("fdatasync"),
	RCMD("fcntl", F_GETFD), RCMD("fcntl", F_SETFD), RCMD("fcntl", F_GETFL),
	RCMD("fcntl", F_SETFL), RCMD("fcntl", F_DUPFD),
	RCMD("fcntl", F_DUPFD_CLOEXEC), RCMD("fcntl", F_GETLK),
	RCMD("fcntl", F_SETLK), RCMD("fcntl", F_SETLKW),
	RCMD("fcntl", F_OFD_GETLK), RCMD("fcntl", F_OFD_SETLK),
	RCMD("fcntl", F_OFD_SETLKW), RCMD("fcntl", F_GETPIPE_SZ),
	RCMD("fcntl", F_SETPIPE_SZ),
	/* Python's own: non-blocking, close-on-exec, isatty, sizes. */
	RCMD("ioctl", FIONBIO), RCMD("ioctl", FIOCLEX), RCMD("ioctl", FIONCLEX),
	RCMD("ioctl", TCGETS), RCMD("ioctl", TIOCGWINSZ),
	RCMD("ioctl", FIONREAD),
	REND
};

/* Memory: nothing both writable and executable, nothing anonymous run. */
static const struct rule group_memory[] = {
	R("brk"), RA("mmap", ARG_NO_EXEC), RA("mmap", ARG_FILE_EXEC),
	RA("mprotect", ARG_NO_EXEC), R("munmap"), R("mremap"), R("madvise"),
	R("msync"), R("mincore"), R("mlock"), R("munlock"),
	REND
};

/* The GIL, randomness, time, the held results' timer. */
static const struct rule group_time[] = {
	R("futex"), R("getrandom"), R("sched_yield"), R("clock_gettime"),
	R("gettimeofday"), R("time"), R("clock_getres"), R("clock_nanosleep"),
	R("nanosleep"), R("timer_settime"), R("timer_gettime"),
	R("getitimer"), R("setitimer"), R("alarm"), R("getrusage"),
	R("times"), R("pause"),
	/* Read-only answers a program uses without checking them (an errno
	 * here would be a silent wrong answer: ARCHITECTURE.md's pitfall). */
	R("sched_getaffinity"), R("sysinfo"), R("sched_getparam"),
	R("sched_getscheduler"), R("sched_get_priority_max"),
	R("sched_get_priority_min"), R("sched_rr_get_interval"), R("getcpu"),
	REND
};

/* Own signals and exit; nobody may take SIGSYS away from the handler (a
 * refusal, not a kill: the worker's held answers to earlier calls still go
 * out). */
static const struct rule group_signals[] = {
	R("rt_sigreturn"), R("rt_sigprocmask"), R("sigaltstack"),
	R("rt_sigpending"), RA("rt_sigaction", ARG_NOT_SIGSYS),
	RA("rt_sigaction", ARG_SIGSYS_QUERY),
	{ "rt_sigaction", ARG_SIGSYS_SET, 0, SCMP_ACT_ERRNO(EPERM) },
	R("exit"), R("exit_group"),
	REND
};

/* Who am I: harmless answers; the rest of identity is refused softly. */
static const struct rule group_identity[] = {
	R("getpid"), R("gettid"), R("getppid"), R("getuid"), R("geteuid"),
	R("getgid"), R("getegid"), R("getresuid"), R("getresgid"),
	R("getgroups"), R("getpgrp"), R("getpgid"), R("getsid"), R("uname"),
	R("umask"),
	/* Its own limits: each hard limit is its soft one and raising it
	 * needs a capability it has not, so only lowering takes. */
	RA("prlimit64", ARG_SELF), R("getrlimit"), R("setrlimit"),
	R("getpriority"),
	RE("setuid", EPERM), RE("setgid", EPERM), RE("setreuid", EPERM),
	RE("setregid", EPERM), RE("setresuid", EPERM), RE("setresgid", EPERM),
	RE("setgroups", EPERM), RE("setfsuid", EPERM), RE("setfsgid", EPERM),
	/* Libraries probe (libcap's constructor reads the bounding set);
	 * nothing here may change: PDEATHSIG, dumpable, persona stay. */
	RE("prctl", EPERM), RE("personality", EPERM),
	REND
};

/*
 * Waiting on the worker's own fds (asyncio's import probes epoll, its
 * loop wakes itself through a socketpair), and using the TCP sockets its
 * broker passed it for the connection the broker made: nothing here
 * reaches out. A socket whose connect failed is unconnected again, and TCP
 * Fast Open would connect it anywhere with the data: so no connect, no
 * sendto with an address, no MSG_FASTOPEN, no TCP_FASTOPEN_CONNECT (nor
 * any TCP option from it on: TCP_ULP, zero-copy ...), each refused with
 * EACCES. Flags are masked to the kernel's 32 bits; levels and options
 * compared in 64 bits fall on the refusing side when high bits are set.
 */
#define RSEND(n, flags_arg)						\
	{ n, ARG_NO_FASTOPEN, flags_arg, 0 },				\
	{ n, ARG_FASTOPEN, flags_arg, SCMP_ACT_ERRNO(EACCES) }
static const struct rule group_events[] = {
	R("epoll_create1"), R("epoll_ctl"), R("epoll_wait"), R("epoll_pwait"),
	R("epoll_pwait2"), R("poll"), R("ppoll"), R("select"), R("pselect6"),
	R("eventfd2"), R("pipe2"), RA("socketpair", ARG_UNIX),
	/* A unix stream socket reaches nothing (connect, bind, listen are
	 * refused; a stream sends only when connected): test.support and
	 * libraries probe with one. Any other socket is a refusal. */
	RA("socket", ARG_UNIX_STREAM),
	RA("sendto", ARG_SEND_PLAIN),
	{ "sendto", ARG_SEND_ADDRESSED, 0, SCMP_ACT_ERRNO(EACCES) },
	{ "sendto", ARG_FASTOPEN, 3, SCMP_ACT_ERRNO(EACCES) },
	RSEND("sendmsg", 2), RSEND("sendmmsg", 3),
	R("recvmsg"), R("shutdown"), R("getsockname"),
	R("getpeername"), R("getsockopt"),
	{ "setsockopt", ARG_LEVEL, SOL_SOCKET, 0 },
	{ "setsockopt", ARG_LEVEL, IPPROTO_IP, 0 },
	{ "setsockopt", ARG_LEVEL, IPPROTO_IPV6, 0 },
	{ "setsockopt", ARG_TCP_BELOW, TCP_FASTOPEN_CONNECT, 0 },
	{ "setsockopt", ARG_TCP_FROM, TCP_FASTOPEN_CONNECT,
	    SCMP_ACT_ERRNO(EACCES) },
	REND
};

/* Reading files: confined by Landlock where there is one. A working
 * directory reaches nothing: Landlock checks every open beneath it. */
static const struct rule group_files_read[] = {
	R("chdir"), R("fchdir"),
	RA("open", ARG_READ_ONLY), RA("openat", ARG_READ_ONLY),
	R("stat"), R("lstat"), R("fstat"), R("newfstatat"), R("statx"),
	R("access"), R("faccessat"), R("faccessat2"), R("readlink"),
	R("readlinkat"), R("getdents64"), R("getcwd"), R("statfs"),
	R("fstatfs"), R("fadvise64"),
	REND
};

/*
 * Writing files: where Landlock confines it (the private temp dir, write
 * grants: sandbox_enter), allowed; without Landlock refused softly (the
 * group's action then is EACCES: Python raises PermissionError).
 */
static const struct rule group_files_write[] = {
	RA("open", ARG_WRITE_FLAGS), RA("openat", ARG_WRITE_FLAGS),
	R("creat"), R("ftruncate"), R("fallocate"), R("mkdir"), R("mkdirat"),
	R("rmdir"), R("unlink"), R("unlinkat"), R("rename"), R("renameat"),
	R("renameat2"), R("link"), R("linkat"), R("symlink"), R("symlinkat"),
	REND
};

/*
 * What Landlock does not confine (modes, owners, times: root owns the
 * interpreter's files), truncate(2) by path before Landlock ABI 3, and
 * openat2 (ENOSYS): refused softly, always.
 */
static const struct rule group_files_meta[] = {
	RE("openat2", ENOSYS), R("truncate"), R("chmod"), R("fchmod"),
	R("fchmodat"), R("chown"), R("fchown"), R("lchown"), R("fchownat"),
	R("utimensat"), R("utimes"), R("utime"), R("futimesat"), R("mknod"),
	R("mknodat"),
	REND
};

/*
 * Threads (threading, executors, BLAS pools): clone with CLONE_THREAD and
 * no namespace only; clone3 says ENOSYS, so glibc falls back to clone.
 * Their number is bounded by RLIMIT_AS (each reserves its stack).
 */
static const struct rule group_threads[] = {
	RA("clone", ARG_THREAD), RE("clone3", ENOSYS), R("set_robust_list"),
	R("rseq"),
	REND
};

/*
 * Sockets beyond the socketpairs of group_events: refused softly, so a
 * library that tries (libuuid asks uuidd) falls back, and tool code gets
 * PermissionError rather than death.
 */
#define RSOCK(a, v)	{ "socket", a, v, SCMP_ACT_ERRNO(EACCES) }
static const struct rule group_net_refused[] = {
	/* Refused by rule, not by the trap: a program a run grant started
	 * has no handler after exec, and must get the errno too. */
	RSOCK(ARG_DOMAIN, AF_INET), RSOCK(ARG_DOMAIN, AF_INET6),
	RSOCK(ARG_DOMAIN, AF_NETLINK), RSOCK(ARG_DOMAIN, AF_PACKET),
	RSOCK(ARG_UNIX_TYPE, SOCK_DGRAM), RSOCK(ARG_UNIX_TYPE, SOCK_SEQPACKET),
	RE("connect", EACCES), RE("bind", EACCES),
	RE("listen", EACCES), RE("accept", EACCES), RE("accept4", EACCES),
	REND
};

/*
 * Programs (allow.run), in the run variants only: exec (of what Landlock
 * lets run: the granted files), children (fork, vfork, clone without a
 * namespace), waiting for and signalling them (the worker is its PID
 * namespace's init: they are all it can name), and what a new program's
 * start needs (the dynamic loader's arch_prctl and set_tid_address).
 */
static const struct rule group_run[] = {
	R("execve"), RA("clone", ARG_NO_NAMESPACE), R("fork"), R("vfork"),
	R("wait4"), R("waitid"), R("kill"), R("tgkill"), R("tkill"),
	R("arch_prctl"), R("set_tid_address"), R("setpgid"), R("setsid"),
	REND
};

/*
 * The same, without a run grant: refused softly (subprocess raises
 * PermissionError; the worker lives on).
 */
static const struct rule group_run_refused[] = {
	R("wait4"), R("waitid"),	/* no child to wait for: ECHILD */
	RE("execve", EACCES), RE("execveat", EACCES), RE("fork", EACCES),
	RE("vfork", EACCES), { "clone", ARG_CHILD, 0, SCMP_ACT_ERRNO(EACCES) },
	REND
};

/* The load phase's one extra right: narrowing itself to the call filter. */
static const struct rule group_narrow[] = {
	RA("seccomp", ARG_NARROW),
	REND
};

/*
 * Never in any group, so they trap: the SIGSYS handler makes the call fail
 * with an errno and logs one line naming it (sandbox_on_sigsys); tool code
 * raises at the line that did it and the worker lives. ENOSYS unless named
 * here: what a program should take as "not on this kernel" and fall back
 * from (glibc and CPython do; EPERM reads as final). Among them, never
 * allowed to tool code: io_uring_*, userfaultfd, pidfd_open, ptrace,
 * process_vm_*, open_by_handle_at, name_to_handle_at, the mount API,
 * chroot, unshare, setns, bpf, perf_event_open, keyctl, add_key,
 * request_key, shmget, msgget, semget, mq_open, capset, landlock_*,
 * seccomp (but the one narrowing call while loading), personality and
 * prctl (EPERM above), clone but for a thread and exec (EACCES, unless a
 * run grant), taking SIGSYS from the handler (EPERM: group_signals).
 * Killed: only a thread that blocked SIGSYS and then made a refused call
 * (the kernel's own rule for a trap it cannot deliver).
 */
static const struct refusal {
	const char	*name;
	int		 err;
} refusals[] = {
	/* Signals reach no other process (in its PID namespace there is
	 * none to name): as the kernel says for another user's. */
	{ "kill", EPERM }, { "tkill", EPERM }, { "tgkill", EPERM },
	{ "rt_sigqueueinfo", EPERM }, { "rt_tgsigqueueinfo", EPERM },
	{ "pidfd_send_signal", EPERM },
	/* No other process's memory, nobody to debug. */
	{ "ptrace", EPERM }, { "process_vm_readv", EPERM },
	{ "process_vm_writev", EPERM },
	/* Extended attributes: shutil.copy2 and tarfile skip them on this. */
	{ "getxattr", EOPNOTSUPP }, { "lgetxattr", EOPNOTSUPP },
	{ "fgetxattr", EOPNOTSUPP }, { "listxattr", EOPNOTSUPP },
	{ "llistxattr", EOPNOTSUPP }, { "flistxattr", EOPNOTSUPP },
	{ "setxattr", EOPNOTSUPP }, { "lsetxattr", EOPNOTSUPP },
	{ "fsetxattr", EOPNOTSUPP }, { "removexattr", EOPNOTSUPP },
	{ "lremovexattr", EOPNOTSUPP }, { "fremovexattr", EOPNOTSUPP },
	/* Sockets of a family group_net_refused does not name (inet, netlink,
	 * packet and unix ones are refused by rule there). */
	{ "socket", EACCES },
	/* An anonymous file could be mapped as code: os.memfd_create raises. */
	{ "memfd_create", EACCES },
	/* The host's, not a tool's: time, names, mounts, priorities. */
	{ "clock_settime", EPERM }, { "settimeofday", EPERM },
	{ "adjtimex", EPERM }, { "clock_adjtime", EPERM },
	{ "sethostname", EPERM }, { "setdomainname", EPERM },
	{ "chroot", EPERM }, { "mount", EPERM }, { "umount2", EPERM },
	{ "pivot_root", EPERM }, { "unshare", EPERM }, { "setns", EPERM },
	{ "setpriority", EACCES }, { "sched_setaffinity", EPERM },
	{ "sched_setscheduler", EPERM }, { "sched_setparam", EPERM },
	{ "ioprio_set", EPERM }, { "mlockall", EPERM }, { "swapon", EPERM },
	{ "reboot", EPERM }, { "acct", EPERM }, { "syslog", EPERM },
	{ "vhangup", EPERM }, { "quotactl", EPERM },
};

/* Syscall numbers the refusal table covers (x86_64's run to ~460). */
#define SANDBOX_NR_MAX	512

struct group {
	const struct rule	*rules;
	uint32_t		 action;	/* where a rule names none */
};

struct bpf {
	struct sock_fprog	prog;
	int			ready;
};

/*
 * The filters come in variants: with group_run or without, and with the
 * metadata calls (chmod, utime, truncate by path ...) allowed, for a worker
 * whose whole mount view is read-only but for its /tmp and its write
 * grants (they fail with EROFS elsewhere: sandbox_mount_view), or refused.
 */
enum variant { PLAIN, RUN, META, META_RUN, VARIANTS };
#define VARIANT_RUN	1
#define VARIANT_META	2

static struct {
	struct bpf	 load[VARIANTS], call[VARIANTS];
	struct sock_fprog *narrow_to;	/* while compiling a load filter */
	int		 landlock_abi;	/* 0: none (or refused) */
	int		 landlock_max;	/* --landlock-abi-max, or 0 */
	struct view_path {
		int		 fd;		/* O_PATH, kept till enter */
		uint64_t	 allowed;
		char		*mapped;	/* the real path, where code is
						 * mapped from it: no write
						 * grant may overlap it */
	}		 view[256];
	size_t		 nview;
	int		 tmp;		/* /tmp is our own tmpfs */
	int		 no_namespaces;
	int		 no_landlock;
	int		 namespaces;	/* SANDBOX_NS_* the worker got */
	int		 caps_dropped;	/* 2: and the bounding set */
	int		 chan;
	int		 last_fd;	/* the channel, or the broker's */
	enum variant	 variant;	/* VARIANT_RUN with run grants,
					 * VARIANT_META in a read-only view */
	void		(*last_words)(void);
	/* For the SIGSYS handler, which may only look things up: each
	 * syscall's name and the errno its refusal returns (0: ENOSYS). */
	char		*nr_name[SANDBOX_NR_MAX];
	uint8_t		 nr_err[SANDBOX_NR_MAX];
} sb = { .chan = -1 };

static int	sandbox_drop_bounding(void);

static int
sandbox_fail(char *err, size_t errlen, const char *what, int e)
{
	snprintf(err, errlen, "sandbox: %s: %s", what, strerror(e < 0 ?
	    -e : e));
	return -1;
}

static int
sandbox_add_cmp(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned n,
    const struct scmp_arg_cmp *cmp)
{
	return seccomp_rule_add_array(ctx, action, nr, n, cmp);
}

static int
sandbox_add_write_flags(scmp_filter_ctx ctx, uint32_t action, int nr,
    unsigned argn)
{
	static const int	bits[] = { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC,
				    O_APPEND };
	struct scmp_arg_cmp	cmp;
	size_t			i;
	int			rv;

	for (i = 0; i < sizeof(bits) / sizeof(*bits); i++) {
		cmp = (struct scmp_arg_cmp){ argn, SCMP_CMP_MASKED_EQ,
		    bits[i], bits[i] };
		if ((rv = sandbox_add_cmp(ctx, action, nr, 1, &cmp)) < 0)
			return rv;
	}
	return 0;
}

static int
sandbox_add(scmp_filter_ctx ctx, const struct rule *r, uint32_t action)
{
	struct scmp_arg_cmp	cmp[3];
	unsigned		flags_arg;
	int			nr;

	if ((nr = seccomp_syscall_resolve_name(r->name)) == __NR_SCMP_ERROR)
		return 0;	/* not on this architecture */
	if (r->action != 0)
		action = r->action;
	flags_arg = strcmp(r->name, "open") == 0 ? 1 : 2;
	switch (r->arg) {
	case ARG_NONE:
		return seccomp_rule_add(ctx, action, nr, 0);
	case ARG_NO_EXEC:
		cmp[0] = CMP(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
		return sandbox_add_cmp(ctx, action, nr, 1, cmp);
	case ARG_FILE_EXEC:
		cmp[0] = CMP(2, SCMP_CMP_MASKED_EQ, PROT_EXEC | PROT_WRITE,
		    PROT_EXEC);
		cmp[1] = CMP(3, SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS, 0);
		return sandbox_add_cmp(ctx, action, nr, 2, cmp);
	case ARG_NOT_SIGSYS:
		cmp[0] = CMP(0, SCMP_CMP_NE, SIGSYS, 0);
		return sandbox_add_cmp(ctx, action, nr, 1, cmp);
	case ARG_SIGSYS_QUERY:
	case ARG_SIGSYS_SET:
		cmp[0] = CMP(0, SCMP_CMP_EQ, SIGSYS, 0);
		cmp[1] = CMP(1, r->arg == ARG_SIGSYS_SET ? SCMP_CMP_NE :
		    SCMP_CMP_EQ, 0, 0);
		return sandbox_add_cmp(ctx, action, nr, 2, cmp);
	case ARG_READ_ONLY:
		cmp[0] = (struct scmp_arg_cmp){ flags_arg, SCMP_CMP_MASKED_EQ,
		    OPEN_WRITE, 0 };
		return sandbox_add_cmp(ctx, action, nr, 1, cmp);
	case ARG_WRITE_FLAGS:
		return sandbox_add_write_flags(ctx, action, nr, flags_arg);
	case ARG_CMD:
		cmp[0] = CMP(1, SCMP_CMP_EQ, r->value, 0);
		return sandbox_add_cmp(ctx, action, nr, 1, cmp);
	case ARG_UNIX:
		cmp[0] = CMP(0, SCMP_CMP_EQ, AF_UNIX, 0);
		return sandbox_add_cmp(ctx, action, nr, 1, cmp);
	case ARG_UNIX_STREAM:
	case ARG_UNIX_TYPE:
		cmp[0] = CMP(0, SCMP_CMP_EQ, AF_UNIX, 0);
		cmp[1] = CMP(1, SCMP_CMP_MASKED_EQ, 0xf, r->arg == ARG_UNIX_STREAM ?
		    SOCK_STREAM : r->value);
		return sandbox_add_cmp(ctx, action, nr, 2, cmp);
	case ARG_DOMAIN:
		cmp[0] = CMP(0, SCMP_CMP_EQ, r->value, 0);
		return sandbox_add_cmp(ctx, action, nr, 1, cmp);
	case ARG_SELF:
		cmp[0] = CMP(0, SCMP_CMP_EQ, 0, 0);
		return sandbox_add_cmp(ctx, action, nr, 1, cmp);
	case ARG_THREAD:
		cmp[0] = CMP(0, SCMP_CMP_MASKED_EQ, CLONE_THREAD | CLONE_NEWNS |
		    CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
		    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET, CLONE_THREAD);
		return sandbox_add_cmp(ctx, action, nr, 1, cmp);
	case ARG_CHILD:
		cmp[0] = CMP(0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0);
		return sandbox_add_cmp(ctx, action, nr, 1, cmp);
	case ARG_NO_NAMESPACE:
		cmp[0] = CMP(0, SCMP_CMP_MASKED_EQ, CLONE_NEWNS |
		    CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
		    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET, 0);
		return sandbox_add_cmp(ctx, action, nr, 1, cmp);
	case ARG_SEND_PLAIN:
		cmp[0] = CMP(4, SCMP_CMP_EQ, 0, 0);
		cmp[1] = CMP(3, SCMP_CMP_MASKED_EQ, MSG_FASTOPEN, 0);
		return sandbox_add_cmp(ctx, action, nr, 2, cmp);
	case ARG_SEND_ADDRESSED:
		cmp[0] = CMP(4, SCMP_CMP_NE, 0, 0);
		return sandbox_add_cmp(ctx, action, nr, 1, cmp);
	case ARG_NO_FASTOPEN:
	case ARG_FASTOPEN:
		cmp[0] = CMP((unsigned)r->value, SCMP_CMP_MASKED_EQ,
		    MSG_FASTOPEN, r->arg == ARG_FASTOPEN ? MSG_FASTOPEN : 0);
		/* sendto's refusal is for a NULL address (the rest is
		 * ARG_SEND_ADDRESSED's): rules must not overlap. */
		if (r->arg == ARG_FASTOPEN && r->value == 3 &&
		    strcmp(r->name, "sendto") == 0) {
			cmp[1] = CMP(4, SCMP_CMP_EQ, 0, 0);
			return sandbox_add_cmp(ctx, action, nr, 2, cmp);
		}
		return sandbox_add_cmp(ctx, action, nr, 1, cmp);
	case ARG_LEVEL:
		cmp[0] = CMP(1, SCMP_CMP_MASKED_EQ, 0xffffffffU, r->value);
		return sandbox_add_cmp(ctx, action, nr, 1, cmp);
	case ARG_TCP_BELOW:
	case ARG_TCP_FROM:
		cmp[0] = CMP(1, SCMP_CMP_MASKED_EQ, 0xffffffffU, IPPROTO_TCP);
		cmp[1] = CMP(2, r->arg == ARG_TCP_BELOW ? SCMP_CMP_LT :
		    SCMP_CMP_GE, r->value, 0);
		return sandbox_add_cmp(ctx, action, nr, 2, cmp);
	case ARG_NARROW:
		cmp[0] = CMP(0, SCMP_CMP_EQ, SECCOMP_SET_MODE_FILTER, 0);
		cmp[1] = CMP(1, SCMP_CMP_EQ, 0, 0);
		cmp[2] = CMP(2, SCMP_CMP_EQ, (uintptr_t)sb.narrow_to, 0);
		return sandbox_add_cmp(ctx, action, nr, 3, cmp);
	}
	return -EINVAL;
}

static int
sandbox_export(scmp_filter_ctx ctx, struct bpf *out)
{
	struct stat	st;
	int		fd, rv;

	if ((fd = memfd_create("mcp-hotd-bpf", MFD_CLOEXEC)) == -1)
		return -errno;
	rv = seccomp_export_bpf(ctx, fd);
	if (rv < 0 || fstat(fd, &st) == -1 || st.st_size <= 0 ||
	    (out->prog.filter = malloc((size_t)st.st_size)) == NULL ||
	    pread(fd, out->prog.filter, (size_t)st.st_size, 0) != st.st_size) {
		close(fd);
		return rv < 0 ? rv : -EIO;
	}
	close(fd);
	out->prog.len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	out->ready = 1;
	return 0;
}

/*
 * Compiled to BPF once (in the spawner, before it forks any worker) and
 * only loaded per worker: compiling with libseccomp is most of what a
 * sandbox costs.
 */
static int
sandbox_compile(struct bpf *out, const struct group *groups, size_t ngroups,
    char *err, size_t errlen)
{
	scmp_filter_ctx		 ctx;
	const struct group	*g;
	const struct rule	*r;
	int			 rv = 0;

	if ((ctx = seccomp_init(SCMP_ACT_TRAP)) == NULL)
		return sandbox_fail(err, errlen, "seccomp_init", ENOMEM);
	/*
	 * A binary tree rather than a list: the kernel runs the filter for
	 * every syscall number when a worker loads it (to cache the ones it
	 * always allows), so its length is most of a worker's start.
	 */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (g = groups; g < groups + ngroups && rv == 0; g++)
		for (r = g->rules; r != NULL && r->name != NULL && rv == 0; r++)
			if ((rv = sandbox_add(ctx, r, g->action)) < 0)
				snprintf(err, errlen, "sandbox: rule %s: %s",
				    r->name, strerror(-rv));
	if (rv == 0 && (rv = sandbox_export(ctx, out)) < 0)
		sandbox_fail(err, errlen, "seccomp_export_bpf", rv);
	seccomp_release(ctx);
	return rv < 0 ? -1 : 0;
}

/* The refusal table by syscall number, and every number's name. */
static void
sandbox_refusals_index(void)
{
	size_t	i;
	int	nr;

	for (nr = 0; nr < SANDBOX_NR_MAX; nr++)
		sb.nr_name[nr] = seccomp_syscall_resolve_num_arch(
		    SCMP_ARCH_NATIVE, nr);
	for (i = 0; i < sizeof(refusals) / sizeof(*refusals); i++)
		if ((nr = seccomp_syscall_resolve_name(refusals[i].name)) >= 0 &&
		    nr < SANDBOX_NR_MAX)
			sb.nr_err[nr] = (uint8_t)refusals[i].err;
}

static int
sandbox_compile_filters(char *err, size_t errlen)
{
	enum { READS = 6, WRITES = 7, METAS = 8, RUNS = 11, NARROW = 12,
	    NGROUPS };
	struct group	groups[NGROUPS] = {
		{ group_io, SCMP_ACT_ALLOW }, { group_memory, SCMP_ACT_ALLOW },
		{ group_time, SCMP_ACT_ALLOW },
		{ group_signals, SCMP_ACT_ALLOW },
		{ group_identity, SCMP_ACT_ALLOW },
		{ group_events, SCMP_ACT_ALLOW },
		[READS] = { group_files_read, SCMP_ACT_ALLOW },
		[WRITES] = { group_files_write, SCMP_ACT_ERRNO(EACCES) },
		[METAS] = { group_files_meta, SCMP_ACT_ERRNO(EACCES) },
		{ group_threads, SCMP_ACT_ALLOW },
		{ group_net_refused, SCMP_ACT_ALLOW },
		[RUNS] = { NULL, SCMP_ACT_ALLOW },	/* per variant */
		[NARROW] = { NULL, SCMP_ACT_ALLOW }
	};
	int		v;

	if (sb.call[PLAIN].ready)
		return 0;
	sandbox_refusals_index();
	if (sb.landlock_abi > 0)
		groups[WRITES].action = SCMP_ACT_ALLOW;
	for (v = PLAIN; v < VARIANTS; v++) {
		/* Run variants only where Landlock says what may run; metadata
		 * ones only where a mount namespace can make the view read-only
		 * (and Landlock, the only source of anything writable). */
		if (((v & VARIANT_RUN) || (v & VARIANT_META)) &&
		    sb.landlock_abi == 0)
			continue;
		if ((v & VARIANT_META) && sb.no_namespaces)
			continue;
		groups[RUNS].rules = v & VARIANT_RUN ? group_run :
		    group_run_refused;
		groups[METAS].action = v & VARIANT_META ? SCMP_ACT_ALLOW :
		    SCMP_ACT_ERRNO(EACCES);
		/* Loading: every group, and narrowing to this variant's call
		 * filter. */
		groups[READS].action = SCMP_ACT_ALLOW;
		groups[NARROW].rules = group_narrow;
		sb.narrow_to = &sb.call[v].prog;
		if (sandbox_compile(&sb.load[v], groups, NGROUPS, err,
		    errlen) == -1)
			return -1;
		/* Calls: the same but the narrowing, and reads only in a view. */
		groups[NARROW].rules = NULL;
		if (sb.landlock_abi == 0)
			groups[READS].action = SCMP_ACT_ERRNO(EACCES);
		if (sandbox_compile(&sb.call[v], groups, NGROUPS, err,
		    errlen) == -1)
			return -1;
	}
	return 0;
}

/* Landlock, by hand: Debian 12's headers stop at ABI 2. */
#define LL_CREATE_RULESET_VERSION	(1U << 0)
#define LL_RULE_PATH_BENEATH		1
#define LL_FS_EXECUTE			(1ULL << 0)
#define LL_FS_WRITE_FILE		(1ULL << 1)
#define LL_FS_READ_FILE			(1ULL << 2)
#define LL_FS_READ_DIR			(1ULL << 3)
#define LL_FS_ABI1			((1ULL << 13) - 1)
#define LL_FS_REFER			(1ULL << 13)	/* ABI 2 */
#define LL_FS_TRUNCATE			(1ULL << 14)	/* ABI 3 */
#define LL_FS_IOCTL_DEV			(1ULL << 15)	/* ABI 5 */
#define LL_NET_ALL			3ULL		/* ABI 4 */
#define LL_SCOPE_ALL			3ULL		/* ABI 6 */

struct ll_ruleset_attr {
	uint64_t	fs, net, scoped;
};

struct ll_path_beneath {
	uint64_t	allowed;
	int32_t		parent_fd;
} __attribute__((packed));

int
sandbox_landlock_abi(void)
{
	long	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
		    LL_CREATE_RULESET_VERSION);

	if (abi < 0)
		return 0;
	return sb.landlock_max > 0 && abi > sb.landlock_max ? sb.landlock_max :
	    (int)abi;
}

/* Use no Landlock ABI above max: an older kernel's view, on a newer one
 * (--landlock-abi-max 2 is Debian 12's own kernel). */
void
sandbox_landlock_cap(int max)
{
	sb.landlock_max = max;
}

static int
sandbox_view_ruleset(int abi)
{
	struct ll_ruleset_attr	attr = { LL_FS_ABI1, 0, 0 };
	size_t			size = sizeof(attr.fs);

	if (abi >= 2)
		attr.fs |= LL_FS_REFER;
	if (abi >= 3)
		attr.fs |= LL_FS_TRUNCATE;
	if (abi >= 5)
		attr.fs |= LL_FS_IOCTL_DEV;
	if (abi >= 4) {
		attr.net = LL_NET_ALL;	/* no TCP bind or connect at all */
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		/* No signals, no abstract sockets, beyond the worker. */
		attr.scoped = LL_SCOPE_ALL;
		size = sizeof(attr);
	}
	return (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
}

#define LL_FS_REMOVE_DIR		(1ULL << 4)
#define LL_FS_REMOVE_FILE		(1ULL << 5)
#define LL_FS_MAKE_DIR			(1ULL << 7)
#define LL_FS_MAKE_REG			(1ULL << 8)
#define LL_FS_MAKE_FIFO			(1ULL << 10)
#define LL_FS_MAKE_SYM			(1ULL << 12)

/* What a path may be used for: read, or read and write beneath it. */
static uint64_t
sandbox_access(int isdir, int writable)
{
	uint64_t	a = LL_FS_READ_FILE;

	if (isdir)
		a |= LL_FS_READ_DIR;
	if (!writable)
		return a;
	a |= LL_FS_WRITE_FILE;
	if (sb.landlock_abi >= 3)
		a |= LL_FS_TRUNCATE;
	if (isdir) {
		a |= LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_DIR |
		    LL_FS_MAKE_REG | LL_FS_MAKE_SYM | LL_FS_MAKE_FIFO;
		if (sb.landlock_abi >= 2)
			a |= LL_FS_REFER;
	}
	return a;
}

/*
 * One path into the view, kept open (O_PATH) for the workers: each builds
 * its own ruleset from these and its grants (rules added to a ruleset
 * the spawner's forks share would be every worker's).
 */
static void
sandbox_view_add(const char *path, int writable, int code)
{
	struct stat	st;
	int		fd, high;
	char		real[PATH_MAX];

	if (sb.nview == sizeof(sb.view) / sizeof(*sb.view) ||
	    (fd = open(path, O_PATH | O_CLOEXEC)) == -1)
		return;		/* absent here: nothing to see */
	/* Above a forked worker's channels, which land on fds 3 and 4. */
	high = fcntl(fd, F_DUPFD_CLOEXEC, FRAME_BROKER_FD + 1);
	close(fd);
	if ((fd = high) == -1)
		return;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return;
	}
	sb.view[sb.nview].fd = fd;
	sb.view[sb.nview].mapped = code && realpath(path, real) != NULL ?
	    strdup(real) : NULL;
	sb.view[sb.nview++].allowed = sandbox_access(S_ISDIR(st.st_mode),
	    writable);
}

/* What every interpreter reads, wherever it is (symlinks resolve). */
static const char *const view_fixed[] = {
	"/etc/ld.so.cache", "/etc/localtime", "/etc/timezone", "/etc/ssl",
	"/usr/lib/ssl", "/usr/share/ca-certificates",
	"/usr/local/share/ca-certificates", "/usr/share/zoneinfo",
	"/usr/lib/locale", "/etc/mime.types", "/dev/urandom", "/dev/random",
	NULL
};

/* The directories of the shared objects mapped now: their neighbours are
 * what lazily imported C extensions link against. */
static void
sandbox_view_add_libdirs(void)
{
	char	 line[4096], *path, *slash;
	FILE	*f;

	if ((f = fopen("/proc/self/maps", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((path = strchr(line, '/')) == NULL ||
		    strstr(path, ".so") == NULL)
			continue;
		path[strcspn(path, "\n")] = '\0';
		if ((slash = strrchr(path, '/')) != NULL && slash != path)
			*slash = '\0';
		sandbox_view_add(path, 0, 1);
	}
	fclose(f);
}

static int
sandbox_view_open(const char *const *paths, int no_landlock)
{
	const char *const	*p;
	int			 fd;

	if (no_landlock || (sb.landlock_abi = sandbox_landlock_abi()) <= 0) {
		sb.landlock_abi = 0;
		return 0;
	}
	if ((fd = sandbox_view_ruleset(sb.landlock_abi)) == -1)
		return -1;	/* enabled but refused: say so now */
	close(fd);
	for (p = view_fixed; *p != NULL; p++)
		sandbox_view_add(*p, 0, 0);
	sandbox_view_add("/dev/null", 1, 0);
	for (p = paths; p != NULL && *p != NULL; p++)
		sandbox_view_add(*p, 0, 1);
	sandbox_view_add_libdirs();
	return 0;
}

/*
 * Once per process that forks or is a worker: the file view (paths:
 * the interpreter's sys.path) and both filters.
 */
int
sandbox_prepare(const char *const *paths, int no_landlock, int no_namespaces,
    char *err, size_t errlen)
{
	sb.no_namespaces = no_namespaces;
	sb.no_landlock = no_landlock;
	if (sb.call[PLAIN].ready)
		return 0;
	(void)sandbox_drop_bounding();	/* for every worker forked from here */
	if (sandbox_view_open(paths, no_landlock) == -1)
		return sandbox_fail(err, errlen, "landlock_create_ruleset",
		    errno);
	return sandbox_compile_filters(err, errlen);
}

/*
 * Fork a worker (CLONE_PARENT: the supervisor's child) alone in new PID
 * and IPC namespaces, or without them where the kernel refuses (for
 * whatever reason: the remaining layers hold on their own).
 */
pid_t
sandbox_fork(void)
{
	static const struct {
		int	flags, made;
	} tries[] = {
		{ CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNS,
		    SANDBOX_NS_PID | SANDBOX_NS_IPC | SANDBOX_NS_MNT },
		{ CLONE_NEWPID | CLONE_NEWIPC, SANDBOX_NS_PID | SANDBOX_NS_IPC },
	};
	pid_t	pid;
	size_t	i;

	for (i = 0; !sb.no_namespaces && i < sizeof(tries) / sizeof(*tries);
	    i++) {
		pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | tries[i].flags |
		    SIGCHLD, 0, 0, 0, 0);
		if (pid == 0)
			sb.namespaces |= tries[i].made;
		if (pid != -1 || (errno != EPERM && errno != EINVAL &&
		    errno != ENOSPC && errno != EUSERS && errno != ENOSYS))
			return pid;
	}
	return (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
}

static int
sandbox_write_file(const char *path, const char *text)
{
	int	fd, ok;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/* Map our own uid and gid into the user namespace just made. */
static void
sandbox_map_self(uid_t uid, gid_t gid)
{
	char	map[64];

	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (sandbox_write_file("/proc/self/uid_map", map) == -1)
		return;		/* isolated, though as the overflow user */
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	if (sandbox_write_file("/proc/self/setgroups", "deny") == 0)
		sandbox_write_file("/proc/self/gid_map", map);
}

/*
 * The spawner's (or an exec'd worker's) own namespaces, before Python
 * starts: a network namespace with no interfaces and private IPC; a user
 * namespace first where we are not root. Then nothing of the same uid may
 * read or write our memory. Returns the SANDBOX_NS_* made; *why says what
 * failed.
 */
int
sandbox_isolate(int no_namespaces, char *why, size_t whylen)
{
	uid_t	uid = getuid();
	gid_t	gid = getgid();
	int	made = 0;

	if (no_namespaces)
		;	/* forced: the supervisor said so already */
	else if (unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWNS) == 0)
		made = SANDBOX_NS_NET | SANDBOX_NS_IPC | SANDBOX_NS_MNT;
	else if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWIPC |
	    CLONE_NEWNS) == 0) {
		sandbox_map_self(uid, gid);
		made = SANDBOX_NS_USER | SANDBOX_NS_NET | SANDBOX_NS_IPC |
		    SANDBOX_NS_MNT;
	} else if (unshare(CLONE_NEWNET | CLONE_NEWIPC) == 0)
		made = SANDBOX_NS_NET | SANDBOX_NS_IPC;
	else
		snprintf(why, whylen, "unshare: %s", strerror(errno));
	/* Our mounts are ours: nothing mounted below reaches the host. */
	if ((made & SANDBOX_NS_MNT) &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		made &= ~SANDBOX_NS_MNT;
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);	/* after the uid_map */
	if (getpid() == 1)	/* an exec'd worker, cloned into its own */
		made |= SANDBOX_NS_PID | SANDBOX_NS_IPC;
	else
		made &= ~SANDBOX_NS_MNT;	/* the spawner's: workers get
						 * their own (sandbox_fork) */
	sb.namespaces = made;
	return made;
}

/*
 * The bounding set, emptied once where workers are forked (each drop
 * commits new credentials: 64 of them per worker were a tenth of its
 * start). It limits what exec could grant; what a process holds now is
 * capset's business. 0, or -1 without CAP_SETPCAP (nothing to drop then).
 */
static int
sandbox_drop_bounding(void)
{
	int	cap;

	for (cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1)
			return -1;
	return 0;
}

/* Every capability gone: CAP_SYS_PTRACE would beat non-dumpable. */
static int
sandbox_drop_caps(void)
{
	struct __user_cap_header_struct	h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	d[2];
	int				bounding;

	bounding = sandbox_drop_bounding() == 0;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		return -1;
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) == -1)
		return -1;
	sb.caps_dropped = bounding ? 2 : 1;
	return 0;
}

static int
sandbox_limit(int resource, rlim_t value)
{
	struct rlimit	rl = { value, value };

	return setrlimit(resource, &rl);
}

/*
 * No RLIMIT_NPROC: root is exempt from it, and for anyone else it counts
 * every process of the uid; no clone but a thread's passes the filter,
 * and threads are bounded by RLIMIT_AS.
 */
static int
sandbox_rlimits(int memory_mb, const struct sandbox_grants *g)
{
	if (sandbox_limit(RLIMIT_AS, (rlim_t)memory_mb << 20) == -1 ||
	    sandbox_limit(RLIMIT_FSIZE, (rlim_t)g->disk_mb << 20) == -1 ||
	    sandbox_limit(RLIMIT_CORE, 0) == -1 ||
	    sandbox_limit(RLIMIT_NOFILE, g->brokered ? SANDBOX_NOFILE_NET :
	    SANDBOX_NOFILE) == -1)
		return -1;
	return 0;
}

/* n as decimal digits into buf (async-signal-safe); their count. */
static size_t
sandbox_itoa(char *buf, long n)
{
	char	tmp[24];
	size_t	len = 0, i;

	if (n < 0)
		n = 0;
	do
		tmp[len++] = (char)('0' + n % 10);
	while ((n /= 10) > 0 && len < sizeof(tmp));
	for (i = 0; i < len; i++)
		buf[i] = tmp[len - 1 - i];
	return len;
}

/*
 * One line on stderr (which the supervisor logs, escaped and rate-limited)
 * naming a refused call. It comes from the tool's own process, so it is for
 * the log only. One write below PIPE_BUF: never torn by another thread's.
 */
static void
sandbox_report_refusal(int nr, int err)
{
	static const char	 head[] = "sandbox: refused syscall ";
	char			 line[160];
	const char		*name = nr >= 0 && nr < SANDBOX_NR_MAX &&
				    sb.nr_name[nr] != NULL ? sb.nr_name[nr] : "?";
	size_t			 n = sizeof(head) - 1, k;

	memcpy(line, head, n);
	k = strnlen(name, 64);
	memcpy(line + n, name, k);
	n += k;
	line[n++] = ' ';
	line[n++] = '(';
	n += sandbox_itoa(line + n, nr);
	memcpy(line + n, "), errno ", 9);
	n += 9;
	n += sandbox_itoa(line + n, err);
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

/*
 * A call no group allows: refused, not fatal. The kernel stopped it
 * before it ran; the handler sets its return value to -errno and the tool
 * gets an ordinary OSError at the line that made it.
 */
static void
sandbox_on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	int	saved = errno, nr = si->si_syscall, err = ENOSYS;

	(void)sig;
	if (nr >= 0 && nr < SANDBOX_NR_MAX && sb.nr_err[nr] != 0)
		err = sb.nr_err[nr];
#if defined(__x86_64__)
	((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RAX] = -err;
	sandbox_report_refusal(nr, err);
	errno = saved;
#else
	/* No register to set here: tell the supervisor and die, as before. */
	{
		char		 json[64];
		uint8_t		 buf[FRAME_HDR_LEN + sizeof(json)];
		struct frame_hdr h = { .type = MSG_SYSCALL };
		int		 n;

		(void)ctx;
		(void)saved;
		if (sb.last_words != NULL)
			sb.last_words();
		n = snprintf(json, sizeof(json), "{\"nr\":%d}", nr);
		h.len = (uint32_t)n;
		frame_hdr_encode(&h, buf);
		memcpy(buf + FRAME_HDR_LEN, json, (size_t)n);
		(void)!write(sb.chan, buf, FRAME_HDR_LEN + (size_t)n);
		signal(SIGSYS, SIG_DFL);
		syscall(SYS_kill, 0, SIGSYS);
		_exit(128 + SIGSYS);
	}
#endif
}

static int
sandbox_on_sigsys_install(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_on_sigsys;
	/* Every trap is handled (no SA_RESETHAND); a call the handler makes
	 * is allowed, so it never traps itself. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL);
}

static int
sandbox_rule(int ruleset, int fd, uint64_t allowed)
{
	struct ll_path_beneath	pb = { allowed, fd };

	return (int)syscall(SYS_landlock_add_rule, ruleset,
	    LL_RULE_PATH_BENEATH, &pb, 0);
}

/* A granted path: it must exist (a typo is an error, not a silent no). */
static int
sandbox_grant(int ruleset, const char *path, int writable, char *err,
    size_t errlen)
{
	struct stat	st;
	int		fd, rv;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1 || fstat(fd, &st) ==
	    -1) {
		snprintf(err, errlen, "sandbox: granted path %s: %s%s", path,
		    strerror(errno), sb.tmp && strncmp(path, "/tmp/", 5) == 0 ?
		    " (the tool's /tmp is a private one: grant a directory "
		    "elsewhere, such as under /var/tmp)" : "");
		if (fd != -1)
			close(fd);
		return -1;
	}
	rv = sandbox_rule(ruleset, fd, sandbox_access(S_ISDIR(st.st_mode),
	    writable));
	close(fd);
	if (rv == -1)
		return sandbox_fail(err, errlen, path, errno);
	return 0;
}

/*
 * An ELF program's interpreter (the dynamic loader), into buf; -1 when it
 * has none (static, a script: a script's interpreter is granted or not).
 */
static int
sandbox_elf_interp(int fd, char *buf, size_t len)
{
	Elf64_Ehdr	eh;
	Elf64_Phdr	ph;
	int		i;

	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(ph))
		return -1;
	for (i = 0; i < eh.e_phnum && i < 64; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf64_Off)i *
		    sizeof(ph))) != sizeof(ph))
			return -1;
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz == 0 || ph.p_filesz >= len ||
		    pread(fd, buf, ph.p_filesz, (off_t)ph.p_offset) !=
		    (ssize_t)ph.p_filesz)
			return -1;
		buf[ph.p_filesz - 1] = '\0';
		return 0;
	}
	return -1;
}

/* One file that may be executed (and read, as exec reads it). */
static int
sandbox_rule_exec(int ruleset, const char *path, char *err, size_t errlen)
{
	struct stat	st;
	int		fd, rv;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1 || fstat(fd, &st) ==
	    -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "sandbox: granted program %s: %s", path,
		    fd == -1 ? strerror(errno) : "not a regular file");
		if (fd != -1)
			close(fd);
		return -1;
	}
	rv = sandbox_rule(ruleset, fd, LL_FS_EXECUTE | LL_FS_READ_FILE);
	close(fd);
	if (rv == -1)
		return sandbox_fail(err, errlen, path, errno);
	return 0;
}

/* A run grant: the program, and its dynamic loader (implied). */
static int
sandbox_grant_run(int ruleset, const char *path, char *err, size_t errlen)
{
	char	interp[PATH_MAX];
	int	fd, has;

	if (sandbox_rule_exec(ruleset, path, err, errlen) == -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;	/* executable, unreadable: the kernel decides */
	has = sandbox_elf_interp(fd, interp, sizeof(interp)) == 0;
	close(fd);
	return has ? sandbox_rule_exec(ruleset, interp, err, errlen) : 0;
}

/* Is one of a and b (real paths) the other, or beneath it? */
static int
sandbox_overlap(const char *a, const char *b)
{
	size_t	na = strlen(a), nb = strlen(b), n = na < nb ? na : nb;

	if (strncmp(a, b, n) != 0)
		return 0;
	return na == nb || (na < nb ? b[na] == '/' || n == 1 :
	    a[nb] == '/' || n == 1);
}

/*
 * A write grant must not reach what the tool maps as code: sys.path
 * (--venv, --python-path), the libraries' directories, the programs it may
 * run. Else it would write its own code there, past every noexec.
 */
static int
sandbox_writes_apart(const struct sandbox_grants *g, char *err, size_t errlen)
{
	const char *const	*w, *const *r;
	char			 real[PATH_MAX], prog[PATH_MAX];
	size_t			 i;

	for (w = g->write; w != NULL && *w != NULL; w++) {
		if (realpath(*w, real) == NULL)
			continue;	/* sandbox_grant says why */
		for (i = 0; i < sb.nview; i++)
			if (sb.view[i].mapped != NULL &&
			    sandbox_overlap(real, sb.view[i].mapped))
				goto overlap;
		for (r = g->run; r != NULL && *r != NULL; r++)
			if (realpath(*r, prog) != NULL &&
			    sandbox_overlap(real, prog)) {
				snprintf(err, errlen, "sandbox: write grant %s "
				    "overlaps run grant %s: the tool could "
				    "change the program it runs", *w, *r);
				return -1;
			}
	}
	return 0;
overlap:
	snprintf(err, errlen, "sandbox: write grant %s overlaps %s, where the "
	    "tool's code is mapped from (sys.path, --venv, --python-path, "
	    "libraries): it could write code there", *w, sb.view[i].mapped);
	return -1;
}

/* mount_setattr(2), by hand: Debian 12's headers predate it. */
#ifndef SYS_mount_setattr
#define SYS_mount_setattr	442
#endif
#define MNT_ATTR_RDONLY		0x01
#define MNT_ATTR_NOSUID		0x02
#define MNT_ATTR_NODEV		0x04
#define MNT_ATTR_NOEXEC		0x08
#define MNT_AT_RECURSIVE	0x8000

struct mnt_attr {
	uint64_t	attr_set, attr_clr, propagation, userns_fd;
};

static int
sandbox_mount_attr(const char *path, uint64_t set, uint64_t clr)
{
	struct mnt_attr	a = { set, clr, 0, 0 };

	return (int)syscall(SYS_mount_setattr, AT_FDCWD, path,
	    MNT_AT_RECURSIVE, &a, sizeof(a));
}

/* path (a grant) on itself, noexec, nosuid, nodev, with what it holds. */
static int
sandbox_bind(const char *path, uint64_t set, uint64_t clr, char *err,
    size_t errlen)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;	/* sandbox_grant says why */
		return sandbox_fail(err, errlen, path, errno);
	}
	if (sandbox_mount_attr(path, set, clr) == -1)
		return sandbox_fail(err, errlen, path, errno);
	return 0;
}

/*
 * The worker's own mount view. No new code from grants: every read and
 * write grant is bound onto itself noexec (neither mmap(PROT_EXEC) of a
 * file there, ctypes.CDLL, nor the dynamic loader running one works),
 * nosuid and nodev; a program it may run that lies inside one is bound
 * again, executable. And everything read-only but its /tmp and its write
 * grants, so the metadata calls Landlock does not confine (chmod, utime,
 * truncate by path) can be allowed: they fail with EROFS anywhere else.
 * Without a mount namespace there is nothing to bind in: SECURITY in
 * mcp-hotd(8) says what is left, and the metadata calls stay refused.
 */
static int
sandbox_mount_view(const struct sandbox_grants *g, char *err, size_t errlen)
{
	const uint64_t		 attrs = MNT_ATTR_NOEXEC | MNT_ATTR_NOSUID |
				    MNT_ATTR_NODEV;
	const char *const	*p;
	int			 any = 0, ro;

	if (!(sb.namespaces & SANDBOX_NS_MNT))
		return 0;
	ro = sandbox_mount_attr("/", MNT_ATTR_RDONLY, 0) == 0;
	if (ro && sb.tmp && sandbox_mount_attr("/tmp", 0, MNT_ATTR_RDONLY) == -1)
		return sandbox_fail(err, errlen, "/tmp read-write", errno);
	for (p = g->read; p != NULL && *p != NULL; p++, any = 1)
		if (sandbox_bind(*p, attrs, 0, err, errlen) == -1)
			return -1;
	for (p = g->write; p != NULL && *p != NULL; p++, any = 1)
		if (sandbox_bind(*p, attrs, ro ? MNT_ATTR_RDONLY : 0, err,
		    errlen) == -1)
			return -1;
	for (p = g->run; any && p != NULL && *p != NULL; p++)
		if (sandbox_bind(*p, 0, MNT_ATTR_NOEXEC, err, errlen) == -1)
			return -1;
	if (ro && sb.load[sb.variant | VARIANT_META].ready)
		sb.variant |= VARIANT_META;
	return 0;
}

/*
 * The worker's own ruleset: the view (whose fds go now, before the fd
 * limit), its /tmp, its grants. -1 on error; 0 without Landlock.
 */
static int
sandbox_landlock_build(const struct sandbox_grants *g, int *rsp, char *err,
    size_t errlen)
{
	const char *const	*p;
	size_t			 i;
	int			 rs, fd, rv;

	*rsp = -1;
	if (sb.landlock_abi == 0)
		return 0;
	if ((rs = sandbox_view_ruleset(sb.landlock_abi)) == -1)
		return sandbox_fail(err, errlen, "landlock_create_ruleset",
		    errno);
	for (i = 0; i < sb.nview; i++) {
		(void)sandbox_rule(rs, sb.view[i].fd, sb.view[i].allowed);
		close(sb.view[i].fd);
		/* mapped stays: freeing it in a worker would write the heap
		 * pages it shares with the spawner (~130 KB a worker). */
	}
	sb.nview = 0;
	if (sb.tmp && (fd = open("/tmp", O_PATH | O_CLOEXEC)) != -1) {
		(void)sandbox_rule(rs, fd, sandbox_access(1, 1));
		close(fd);
	}
	rv = 0;
	for (p = g->read; rv == 0 && p != NULL && *p != NULL; p++)
		rv = sandbox_grant(rs, *p, 0, err, errlen);
	for (p = g->write; rv == 0 && p != NULL && *p != NULL; p++)
		rv = sandbox_grant(rs, *p, 1, err, errlen);
	for (p = g->run; rv == 0 && p != NULL && *p != NULL; p++)
		rv = sandbox_grant_run(rs, *p, err, errlen);
	if (rv == -1)
		close(rs);
	else
		*rsp = rs;
	return rv;
}

/* After no_new_privs: the ruleset built, on us for good. */
static int
sandbox_landlock_enter(int rs, char *err, size_t errlen)
{
	int	rv = 0;

	if (rs == -1)
		return 0;
	if (syscall(SYS_landlock_restrict_self, rs, 0) == -1)
		rv = sandbox_fail(err, errlen, "landlock_restrict_self", errno);
	close(rs);
	return rv;
}

/*
 * The private temp dir: a tmpfs of disk_mb on /tmp in the worker's own
 * mount namespace (gone with it), only where Landlock confines writes.
 */
static void
sandbox_tmp(int disk_mb)
{
	char	opts[64];
	int	fd;

	if (!(sb.namespaces & SANDBOX_NS_MNT) || sb.landlock_abi == 0)
		return;
	snprintf(opts, sizeof(opts), "size=%dm,mode=0700,nr_inodes=4096",
	    disk_mb);
	if (mount("mcp-hotd-tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV |
	    MS_NOEXEC, opts) == -1)
		return;
	/* Unmapped in a user namespace (root without CAP_SETFCAP cannot map
	 * itself), we could create nothing there: then no temp dir. */
	if ((fd = open("/tmp/.probe", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		(void)umount2("/tmp", MNT_DETACH);
		return;
	}
	close(fd);
	(void)unlink("/tmp/.probe");
	sb.tmp = 1;
}

int
sandbox_has_tmp(void)
{
	return sb.tmp;
}

static int
sandbox_any(const char *const *list)
{
	return list != NULL && list[0] != NULL;
}

/*
 * Grants that need a layer this worker lacks do not load: never a tool
 * less confined than its entry says. Picks the filter variant.
 */
static int
sandbox_grantable(const struct sandbox_grants *g, char *err, size_t errlen)
{
	const char	*why = sb.no_landlock ? "--no-landlock turned off" :
			    "this kernel does not offer";

	if (sb.landlock_abi == 0 && (sandbox_any(g->read) ||
	    sandbox_any(g->write) || sandbox_any(g->run))) {
		snprintf(err, errlen, "sandbox: %s grants need Landlock, which "
		    "%s", sandbox_any(g->run) ? "run" : "read and write", why);
		return -1;
	}
	/* The dynamic loader would run a file the tool wrote. */
	if (sandbox_any(g->run) && sandbox_any(g->write) &&
	    !(sb.namespaces & SANDBOX_NS_MNT)) {
		snprintf(err, errlen, "sandbox: run grants beside write grants "
		    "need a mount namespace (to keep written files from being "
		    "run), which %s", sb.no_namespaces ?
		    "--no-namespaces turned off" : "this kernel refused");
		return -1;
	}
	if (sandbox_any(g->run) && !(sb.namespaces & SANDBOX_NS_PID)) {
		snprintf(err, errlen, "sandbox: run grants need a PID namespace "
		    "(so the tool's programs die with it), which %s",
		    sb.no_namespaces ? "--no-namespaces turned off" :
		    "this kernel refused");
		return -1;
	}
	sb.variant = sandbox_any(g->run) ? RUN : PLAIN;	/* META: later */
	return 0;
}

/*
 * A run tool's processes (and threads) are bounded by RLIMIT_NPROC, which
 * counts per user and user namespace: so in a user namespace of its own.
 * Root is exempt from the limit (only a pids cgroup would bound it); its
 * programs still die with the worker and at its timeout.
 */
static int
sandbox_run_bound(char *err, size_t errlen)
{
	uid_t	uid = getuid();
	gid_t	gid = getgid();

	if (uid == 0)
		return 0;
	if (unshare(CLONE_NEWUSER) == -1)
		return sandbox_fail(err, errlen, "run grants: a user namespace "
		    "to bound the tool's processes", errno);
	/* /proc/self/uid_map is ours to write only while dumpable; no tool
	 * code runs yet, and nothing outside may ptrace a worker's userns. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	sandbox_map_self(uid, gid);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (sandbox_limit(RLIMIT_NPROC, SANDBOX_NPROC_RUN) == -1)
		return sandbox_fail(err, errlen, "RLIMIT_NPROC", errno);
	return 0;
}

/* Installing a filter needs no prctl: the narrowing call is seccomp(2). */
static int
sandbox_install(struct bpf *b)
{
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &b->prog);
}

/*
 * Everything before the first line of tool code, in the worker. chan is
 * the channel (fd 3); last_words runs in the SIGSYS handler first.
 */
int
sandbox_enter(int chan, void (*last_words)(void), int memory_mb,
    const struct sandbox_grants *g, char *err, size_t errlen)
{
	int	rs;

	if (sandbox_grantable(g, err, errlen) == -1)
		return -1;
	sb.chan = chan;
	sb.last_fd = g->brokered ? FRAME_BROKER_FD : chan;
	sb.last_words = last_words;
	if (personality(PER_LINUX) == -1)
		return sandbox_fail(err, errlen, "personality", errno);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return sandbox_fail(err, errlen, "prctl", errno);
	(void)setsid();		/* already a leader as a namespace's init */
	/* As a PID namespace's init, orphans would be ours: none can exist
	 * (no group allows clone), and any would be reaped at once. A run
	 * tool waits for its children: their status must reach it. */
	signal(SIGCHLD, sb.variant & VARIANT_RUN ? SIG_DFL : SIG_IGN);
	/* A write past disk_mb fails with EFBIG (an OSError in the tool). */
	signal(SIGXFSZ, SIG_IGN);
	if (chdir("/") == -1)
		return sandbox_fail(err, errlen, "chdir", errno);
	sandbox_tmp(g->disk_mb);
	if (sandbox_writes_apart(g, err, errlen) == -1 ||
	    sandbox_mount_view(g, err, errlen) == -1)
		return -1;
	if ((sb.variant & VARIANT_RUN) && sandbox_run_bound(err, errlen) == -1)
		return -1;
	if (sandbox_landlock_build(g, &rs, err, errlen) == -1)
		return -1;
	if (sandbox_drop_caps() == -1)
		return sandbox_fail(err, errlen, "dropping capabilities", errno);
	if (sandbox_rlimits(memory_mb, g) == -1)
		return sandbox_fail(err, errlen, "setrlimit", errno);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return sandbox_fail(err, errlen, "no_new_privs", errno);
	if (sandbox_landlock_enter(rs, err, errlen) == -1)
		return -1;
	/* Fds the spawner (or the exec) left bypass the view: none stays. */
	if (syscall(SYS_close_range, sb.last_fd + 1, ~0U, 0) == -1)
		return sandbox_fail(err, errlen, "close_range", errno);
	if (sandbox_on_sigsys_install() == -1)
		return sandbox_fail(err, errlen, "sigaction", errno);
	if (!sb.load[sb.variant].ready ||
	    sandbox_install(&sb.load[sb.variant]) == -1)
		return sandbox_fail(err, errlen, "seccomp (load filter)",
		    sb.load[sb.variant].ready ? errno : EINVAL);
	return 0;
}

/*
 * After loading: whatever tool code did to fds 0 and 1 or left open, the
 * call phase starts with /dev/null on both and nothing but stderr and the
 * channel besides; then the call filter.
 */
int
sandbox_call_phase(char *err, size_t errlen)
{
	int	null;

	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		return sandbox_fail(err, errlen, "/dev/null", errno);
	if ((null != STDIN_FILENO && dup2(null, STDIN_FILENO) == -1) ||
	    (null != STDOUT_FILENO && dup2(null, STDOUT_FILENO) == -1))
		return sandbox_fail(err, errlen, "dup2", errno);
	if (syscall(SYS_close_range, sb.last_fd + 1, ~0U, 0) == -1)
		return sandbox_fail(err, errlen, "close_range", errno);
	if (sandbox_install(&sb.call[sb.variant]) == -1)
		return sandbox_fail(err, errlen, "seccomp (call filter)", errno);
	return 0;
}

/* The worker's layers, as JSON for READY (and the supervisor's log). */
void
sandbox_report(char *buf, size_t len)
{
	static const struct {
		int		 bit;
		const char	*name;
	} ns[] = {
		{ SANDBOX_NS_PID, "pid" }, { SANDBOX_NS_IPC, "ipc" },
		{ SANDBOX_NS_NET, "net" }, { SANDBOX_NS_USER, "user" },
		{ SANDBOX_NS_MNT, "mnt" }
	};
	char	names[40] = "";
	size_t	i, n = 0;

	for (i = 0; i < sizeof(ns) / sizeof(*ns); i++)
		if (sb.namespaces & ns[i].bit)
			n += (size_t)snprintf(names + n, sizeof(names) - n,
			    "%s%s", n ? "," : "", ns[i].name);
	snprintf(buf, len, "{\"seccomp\":\"load+call\",\"landlock\":%d,"
	    "\"namespaces\":\"%s\",\"capabilities\":\"%s\","
	    "\"tmp\":%s}", sb.landlock_abi, n ? names : "none",
	    sb.caps_dropped == 2 ? "none" : "none (bounding set kept)",
	    sb.tmp ? "true" : "false");
}
