/* SPDX-License-Identifier: ISC */
/*
 * Which layers of the sandbox workers will have, found out at startup by
 * trying them (a unit's RestrictNamespaces=, a container's seccomp policy
 * or an old kernel take them away without asking), and what
 * --containment makes of a missing one: `reduced` (the default) serves
 * with what there is and warns; `full` refuses to start, naming the layer
 * and why. Full is: user, mount, PID, IPC and network namespaces, seccomp
 * filters, and Landlock of any ABI.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mcp-hotd.h"

/* The namespaces a worker makes, tried one at a time after the user one. */
static const struct {
	int		 flag;
	const char	*name;
} namespaces[] = {
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mount" },
	{ CLONE_NEWPID, "PID" }, { CLONE_NEWIPC, "IPC" },
	{ CLONE_NEWNET, "network" },
};

/* What each Landlock ABI adds, so a log says what an older one costs. */
static const char *const landlock_adds[] = {
	NULL,
	"file access",
	"renaming and linking across directories (refer)",
	"truncate(2) by path",
	"TCP bind and connect rules",
	"ioctl on devices",
	"abstract unix sockets and signals scoped",
	"audit of denials",
};
#define LANDLOCK_KNOWN	(sizeof(landlock_adds) / sizeof(*landlock_adds) - 1)

/*
 * In a child (nothing here may change us): each namespace, then a seccomp
 * filter. Exits 0, or 1 with what failed in the pipe.
 */
static void
containment_try(int fd)
{
	struct sock_filter	 allow = BPF_STMT(BPF_RET | BPF_K,
				    SECCOMP_RET_ALLOW);
	struct sock_fprog	 prog = { 1, &allow };
	char			 msg[160];
	size_t			 i;

	/* The user namespace first: the others are then made inside it. */
	for (i = 0; i < sizeof(namespaces) / sizeof(*namespaces); i++) {
		if (unshare(namespaces[i].flag) == 0)
			continue;
		snprintf(msg, sizeof(msg), "the kernel refuses %s namespaces "
		    "(unshare: %s)", namespaces[i].name, strerror(errno));
		(void)write(fd, msg, strlen(msg));
		_exit(1);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == -1) {
		snprintf(msg, sizeof(msg), "no seccomp filters (%s)",
		    strerror(errno));
		(void)write(fd, msg, strlen(msg));
		_exit(1);
	}
	_exit(0);
}

/* NULL when workers can make every namespace and filter, else why not. */
static const char *
containment_probe(void)
{
	static char	why[160];
	int		p[2], status;
	ssize_t		n;
	pid_t		pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		close(p[0]);
		containment_try(p[1]);
	}
	close(p[1]);
	n = read(p[0], why, sizeof(why) - 1);
	close(p[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return NULL;
	if (n <= 0)
		snprintf(why, sizeof(why), "the probe died (status %d)",
		    status);
	else
		why[n] = '\0';
	return why;
}

/* The ABI workers will take (--landlock-abi-max caps it), or 0 and why. */
static long
containment_landlock(const char **why)
{
	long	abi;

	*why = NULL;
	if (settings.no_landlock) {
		*why = "--no-landlock";
		return 0;
	}
	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1U);
	if (abi <= 0) {
		*why = abi == -1 ? strerror(errno) : "ABI 0";
		return 0;
	}
	if (settings.landlock_abi_max > 0 && abi > settings.landlock_abi_max)
		abi = settings.landlock_abi_max;
	return abi;
}

static void
containment_refuse(const char *layer, const char *why)
{
	fatalx("--containment full: %s: %s; refusing to start with a weaker "
	    "sandbox (a unit's RestrictNamespaces= or SystemCallFilter=, a "
	    "container's seccomp profile, an old kernel?). --containment "
	    "reduced serves without it", layer, why);
}

/* At startup: which layers workers will have; refuse if full is wanted. */
void
containment_check(void)
{
	const char	*ns_why = NULL, *ll_why;
	char		 view[64];
	long		 abi, i;

	sv.seccomp_base = worker_filters_of(getpid());
	abi = containment_landlock(&ll_why);
	if (settings.no_namespaces)
		ns_why = "--no-namespaces";
	else
		ns_why = containment_probe();
	if (settings.containment_full && ns_why != NULL)
		containment_refuse("namespaces", ns_why);
	if (settings.containment_full && abi <= 0)
		containment_refuse("Landlock", ll_why);
	if (abi <= 0)
		log_warnx("sandbox: no Landlock (%s): workers read files only "
		    "while loading, as the user we run as, and none at call "
		    "time", ll_why);
	if (ns_why != NULL)
		log_warnx("sandbox: workers without namespaces: %s", ns_why);
	for (i = abi + 1; abi > 0 && i <= (long)LANDLOCK_KNOWN; i++)
		log_info("sandbox: Landlock ABI %ld lacks ABI %ld's %s", abi, i,
		    landlock_adds[i]);
	if (abi <= 0)
		snprintf(view, sizeof(view), "no Landlock");
	else
		snprintf(view, sizeof(view), "Landlock file view, ABI %ld", abi);
	log_info("sandbox: containment %s: seccomp default-deny (load and "
	    "call filters), capabilities dropped, rlimits; %s; namespaces %s",
	    settings.containment_full ? "full" : "reduced", view, ns_why != NULL ?
	    "off" : "user, mount, pid, ipc, net");
}
