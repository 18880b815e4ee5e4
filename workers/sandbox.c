/*
 * The worker's sandbox, in two steps.
 *
 * Load phase (before any tool code runs): the tool's top-level code and its
 * imports need the filesystem, so the filter here is a deny-list: no new
 * processes, no programs, no sockets, no signals to others, nothing written
 * or created on disk. Denied calls fail with EPERM/EACCES, so a load that
 * tries them fails with a Python error naming it. Address-space and file
 * limits apply already.
 *
 * Call phase (after the tool is loaded, before READY): every fd but the
 * channel and stderr closed, own session, the full rlimits, and a
 * default-deny allowlist that is all pure-Python work needs. Everything
 * else traps: the SIGSYS handler reports the syscall number on the channel
 * and the worker dies by SIGSYS, which the supervisor puts into words.
 * File calls fail softly (EACCES) so open() raises instead of killing.
 *
 * Seccomp filters stack, so the call phase only ever narrows the load phase.
 * The tables name syscalls as strings and libseccomp resolves them for the
 * running architecture; a name the architecture lacks is skipped.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sched.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

#include "../src/frame.h"
#include "sandbox.h"

#define SANDBOX_NOFILE	16

enum rule_arg {
	ARG_NONE,
	ARG_NO_EXEC,		/* arg 2 (prot) without PROT_EXEC */
	ARG_NOT_SIGSYS,		/* arg 0 (signal) is not SIGSYS */
	ARG_IS_SIGSYS,
	ARG_WRITE_FLAGS		/* arg `flags` has a write/create bit */
};

struct rule {
	const char	*name;
	uint32_t	 action;	/* 0: the table's action */
	enum rule_arg	 arg;
};

/* Load phase: default ALLOW, these refused. */
static const struct rule load_denied[] = {
	/* new processes and programs */
	{ "fork", 0, ARG_NONE }, { "vfork", 0, ARG_NONE },
	{ "clone", 0, ARG_NONE }, { "clone3", 0, ARG_NONE },
	{ "execve", 0, ARG_NONE }, { "execveat", 0, ARG_NONE },
	/* network */
	{ "socket", 0, ARG_NONE }, { "socketpair", 0, ARG_NONE },
	{ "connect", 0, ARG_NONE }, { "bind", 0, ARG_NONE },
	{ "listen", 0, ARG_NONE },
	/* other processes */
	{ "kill", 0, ARG_NONE }, { "tkill", 0, ARG_NONE },
	{ "tgkill", 0, ARG_NONE }, { "ptrace", 0, ARG_NONE },
	{ "process_vm_readv", 0, ARG_NONE }, { "process_vm_writev", 0, ARG_NONE },
	{ "pidfd_open", 0, ARG_NONE }, { "pidfd_send_signal", 0, ARG_NONE },
	/* the filesystem, written */
	{ "open", SCMP_ACT_ERRNO(EACCES), ARG_WRITE_FLAGS },
	{ "openat", SCMP_ACT_ERRNO(EACCES), ARG_WRITE_FLAGS },
	{ "openat2", SCMP_ACT_ERRNO(ENOSYS), ARG_NONE },
	{ "creat", 0, ARG_NONE }, { "mknod", 0, ARG_NONE },
	{ "mknodat", 0, ARG_NONE }, { "unlink", 0, ARG_NONE },
	{ "unlinkat", 0, ARG_NONE }, { "rename", 0, ARG_NONE },
	{ "renameat", 0, ARG_NONE }, { "renameat2", 0, ARG_NONE },
	{ "mkdir", 0, ARG_NONE }, { "mkdirat", 0, ARG_NONE },
	{ "rmdir", 0, ARG_NONE }, { "link", 0, ARG_NONE },
	{ "linkat", 0, ARG_NONE }, { "symlink", 0, ARG_NONE },
	{ "symlinkat", 0, ARG_NONE }, { "chmod", 0, ARG_NONE },
	{ "fchmod", 0, ARG_NONE }, { "fchmodat", 0, ARG_NONE },
	{ "chown", 0, ARG_NONE }, { "fchown", 0, ARG_NONE },
	{ "lchown", 0, ARG_NONE }, { "fchownat", 0, ARG_NONE },
	{ "truncate", 0, ARG_NONE }, { "utimensat", 0, ARG_NONE },
	{ "setxattr", 0, ARG_NONE }, { "lsetxattr", 0, ARG_NONE },
	{ "mount", 0, ARG_NONE }, { "umount2", 0, ARG_NONE },
	{ "chroot", 0, ARG_NONE }, { "pivot_root", 0, ARG_NONE },
	{ NULL, 0, ARG_NONE }
};

/* Call phase: default TRAP (then death by SIGSYS), these allowed. */
static const struct rule call_allowed[] = {
	/* the channel, stderr */
	{ "read", 0, ARG_NONE }, { "write", 0, ARG_NONE },
	{ "writev", 0, ARG_NONE }, { "recvfrom", 0, ARG_NONE },
	{ "close", 0, ARG_NONE },
	/* memory, never executable */
	{ "brk", 0, ARG_NONE }, { "mmap", 0, ARG_NO_EXEC },
	{ "mprotect", 0, ARG_NO_EXEC }, { "munmap", 0, ARG_NONE },
	{ "mremap", 0, ARG_NONE }, { "madvise", 0, ARG_NONE },
	/* the GIL, randomness, time */
	{ "futex", 0, ARG_NONE }, { "getrandom", 0, ARG_NONE },
	{ "clock_gettime", 0, ARG_NONE }, { "gettimeofday", 0, ARG_NONE },
	{ "clock_nanosleep", 0, ARG_NONE }, { "nanosleep", 0, ARG_NONE },
	{ "clock_getres", 0, ARG_NONE }, { "sched_yield", 0, ARG_NONE },
	{ "timer_settime", 0, ARG_NONE },	/* held results' timer */
	/* signals and exit; nobody may take SIGSYS away from us */
	{ "rt_sigreturn", 0, ARG_NONE }, { "rt_sigprocmask", 0, ARG_NONE },
	{ "rt_sigaction", 0, ARG_NOT_SIGSYS },
	{ "rt_sigaction", SCMP_ACT_KILL_PROCESS, ARG_IS_SIGSYS },
	{ "exit", 0, ARG_NONE }, { "exit_group", 0, ARG_NONE },
	/* harmless identity */
	{ "getpid", 0, ARG_NONE }, { "gettid", 0, ARG_NONE },
	{ "getppid", 0, ARG_NONE }, { "getuid", 0, ARG_NONE },
	{ "geteuid", 0, ARG_NONE }, { "getgid", 0, ARG_NONE },
	{ "getegid", 0, ARG_NONE },
	/* soft failures where Python would otherwise die without a word */
	{ "open", SCMP_ACT_ERRNO(EACCES), ARG_NONE },
	{ "openat", SCMP_ACT_ERRNO(EACCES), ARG_NONE },
	{ "stat", SCMP_ACT_ERRNO(EACCES), ARG_NONE },
	{ "lstat", SCMP_ACT_ERRNO(EACCES), ARG_NONE },
	{ "newfstatat", SCMP_ACT_ERRNO(EACCES), ARG_NONE },
	{ "fstat", SCMP_ACT_ERRNO(EACCES), ARG_NONE },
	{ "statx", SCMP_ACT_ERRNO(EACCES), ARG_NONE },
	{ "access", SCMP_ACT_ERRNO(EACCES), ARG_NONE },
	{ "faccessat", SCMP_ACT_ERRNO(EACCES), ARG_NONE },
	{ "faccessat2", SCMP_ACT_ERRNO(EACCES), ARG_NONE },
	{ "readlink", SCMP_ACT_ERRNO(EACCES), ARG_NONE },
	{ "getcwd", SCMP_ACT_ERRNO(EACCES), ARG_NONE },
	{ "getdents64", SCMP_ACT_ERRNO(EACCES), ARG_NONE },
	{ "ioctl", SCMP_ACT_ERRNO(ENOTTY), ARG_NONE },
	{ "lseek", SCMP_ACT_ERRNO(ESPIPE), ARG_NONE },
	{ "fcntl", SCMP_ACT_ERRNO(EBADF), ARG_NONE },
	{ "sysinfo", SCMP_ACT_ERRNO(EPERM), ARG_NONE },
	{ "sched_getaffinity", SCMP_ACT_ERRNO(EPERM), ARG_NONE },
	{ NULL, 0, ARG_NONE }
};

static int	sandbox_chan = -1;
static void	(*sandbox_last_words)(void);

static int
sandbox_fail(char *err, size_t errlen, const char *what, int e)
{
	snprintf(err, errlen, "sandbox: %s: %s", what, strerror(e < 0 ?
	    -e : e));
	return -1;
}

static int
sandbox_add(scmp_filter_ctx ctx, const struct rule *r, uint32_t action)
{
	int	nr, rv;

	if ((nr = seccomp_syscall_resolve_name(r->name)) == __NR_SCMP_ERROR)
		return 0;	/* not on this architecture */
	if (r->action != 0)
		action = r->action;
	switch (r->arg) {
	case ARG_NONE:
		return seccomp_rule_add(ctx, action, nr, 0);
	case ARG_NO_EXEC:
		return seccomp_rule_add(ctx, action, nr, 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	case ARG_NOT_SIGSYS:
		return seccomp_rule_add(ctx, action, nr, 1,
		    SCMP_A0(SCMP_CMP_NE, SIGSYS));
	case ARG_IS_SIGSYS:
		return seccomp_rule_add(ctx, action, nr, 1,
		    SCMP_A0(SCMP_CMP_EQ, SIGSYS));
	case ARG_WRITE_FLAGS:
		/* Any of these bits makes it a write: one rule per bit. */
		{
			static const int bits[] = { O_WRONLY, O_RDWR, O_CREAT,
			    O_TRUNC, O_APPEND };
			struct scmp_arg_cmp cmp;
			size_t i;
			unsigned argn = strcmp(r->name, "open") == 0 ? 1 : 2;

			for (i = 0; i < sizeof(bits) / sizeof(*bits); i++) {
				cmp = (struct scmp_arg_cmp){ argn,
				    SCMP_CMP_MASKED_EQ, bits[i], bits[i] };
				if ((rv = seccomp_rule_add_array(ctx, action,
				    nr, 1, &cmp)) < 0)
					return rv;
			}
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * The two filters, compiled to BPF once (in the spawner, before it forks
 * any worker) and only loaded per worker: compiling with libseccomp is
 * most of what a sandbox costs.
 */
struct bpf {
	struct sock_fprog	prog;
	int			ready;
};
static struct bpf	load_bpf, call_bpf;

static int
sandbox_compile(struct bpf *out, uint32_t def, const struct rule *table,
    uint32_t action, char *err, size_t errlen)
{
	scmp_filter_ctx	 ctx;
	const struct rule *r;
	struct stat	 st;
	int		 rv, fd;

	if (out->ready)
		return 0;
	if ((ctx = seccomp_init(def)) == NULL)
		return sandbox_fail(err, errlen, "seccomp_init", ENOMEM);
	for (r = table; r->name != NULL; r++)
		if ((rv = sandbox_add(ctx, r, action)) < 0) {
			seccomp_release(ctx);
			return sandbox_fail(err, errlen, r->name, rv);
		}
	if ((fd = memfd_create("mcp-hotd-bpf", MFD_CLOEXEC)) == -1) {
		seccomp_release(ctx);
		return sandbox_fail(err, errlen, "memfd_create", errno);
	}
	rv = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (rv < 0 || fstat(fd, &st) == -1 || st.st_size <= 0 ||
	    (out->prog.filter = malloc((size_t)st.st_size)) == NULL ||
	    pread(fd, out->prog.filter, (size_t)st.st_size, 0) != st.st_size) {
		close(fd);
		return sandbox_fail(err, errlen, "seccomp_export_bpf",
		    rv < 0 ? rv : EIO);
	}
	close(fd);
	out->prog.len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	out->ready = 1;
	return 0;
}

/* Compile both filters now, so forked workers only load them. */
int
sandbox_prepare(char *err, size_t errlen)
{
	if (sandbox_compile(&load_bpf, SCMP_ACT_ALLOW, load_denied,
	    SCMP_ACT_ERRNO(EPERM), err, errlen) == -1 ||
	    sandbox_compile(&call_bpf, SCMP_ACT_TRAP, call_allowed,
	    SCMP_ACT_ALLOW, err, errlen) == -1)
		return -1;
	return 0;
}

static int
sandbox_install(struct bpf *b, char *err, size_t errlen)
{
	if (sandbox_prepare(err, errlen) == -1)
		return -1;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &b->prog) == -1)
		return sandbox_fail(err, errlen, "PR_SET_SECCOMP", errno);
	return 0;
}

static int
sandbox_limit(int resource, rlim_t value)
{
	struct rlimit	rl = { value, value };

	return setrlimit(resource, &rl);
}

/* Tell the supervisor which syscall the filter caught, then die by SIGSYS. */
static void
sandbox_on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char		 json[64];
	uint8_t		 buf[FRAME_HDR_LEN + sizeof(json)];
	struct frame_hdr h = { MSG_SYSCALL, 0, 0 };
	int		 n;

	(void)sig;
	(void)ctx;
	if (sandbox_last_words != NULL)
		sandbox_last_words();
	n = snprintf(json, sizeof(json), "{\"nr\":%d}", si->si_syscall);
	h.len = (uint32_t)n;
	frame_hdr_encode(&h, buf);
	memcpy(buf + FRAME_HDR_LEN, json, (size_t)n);
	(void)!write(sandbox_chan, buf, FRAME_HDR_LEN + (size_t)n);
	/* SA_RESETHAND made SIGSYS fatal again; a trapped call delivers it. */
	syscall(SYS_kill, 0, SIGSYS);
	_exit(128 + SIGSYS);
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

/*
 * Extra isolation where the kernel allows it: a network namespace of our
 * own, so the worker has no network at all (not even loopback up). Root
 * gets one directly; others through an unprivileged user namespace that
 * maps their own uid and gid, so file access is unchanged. Returns 1 when
 * isolated, 0 with why when not (never an error: seccomp still applies).
 */
int
sandbox_no_network(char *why, size_t whylen)
{
	char	map[64];
	uid_t	uid = getuid();
	gid_t	gid = getgid();

	if (unshare(CLONE_NEWNET) == 0)
		return 1;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == -1) {
		snprintf(why, whylen, "unshare: %s", strerror(errno));
		return 0;
	}
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (sandbox_write_file("/proc/self/uid_map", map) == -1)
		return 1;	/* isolated, though as the overflow user */
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	if (sandbox_write_file("/proc/self/setgroups", "deny") == 0)
		sandbox_write_file("/proc/self/gid_map", map);
	return 1;
}

int
sandbox_load_phase(int memory_mb, char *err, size_t errlen)
{
	/* Compiled before the limits: exporting BPF writes a memfd. */
	if (sandbox_prepare(err, errlen) == -1)
		return -1;
	if (sandbox_limit(RLIMIT_AS, (rlim_t)memory_mb << 20) == -1 ||
	    sandbox_limit(RLIMIT_FSIZE, 0) == -1 ||
	    sandbox_limit(RLIMIT_CORE, 0) == -1)
		return sandbox_fail(err, errlen, "setrlimit", errno);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return sandbox_fail(err, errlen, "no_new_privs", errno);
	return sandbox_install(&load_bpf, err, errlen);
}

/* last_words runs in the SIGSYS handler, before the worker dies. */
int
sandbox_call_phase(int chan, void (*last_words)(void), char *err,
    size_t errlen)
{
	struct sigaction	sa;

	if (syscall(SYS_close_range, chan + 1, ~0U, 0) == -1)
		return sandbox_fail(err, errlen, "close_range", errno);
	if (chdir("/") == -1)
		return sandbox_fail(err, errlen, "chdir", errno);
	if (setsid() == -1)
		return sandbox_fail(err, errlen, "setsid", errno);
	if (sandbox_limit(RLIMIT_NPROC, 0) == -1 ||
	    sandbox_limit(RLIMIT_NOFILE, SANDBOX_NOFILE) == -1)
		return sandbox_fail(err, errlen, "setrlimit", errno);
	sandbox_chan = chan;
	sandbox_last_words = last_words;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_on_sigsys;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) == -1)
		return sandbox_fail(err, errlen, "sigaction", errno);
	return sandbox_install(&call_bpf, err, errlen);
}
