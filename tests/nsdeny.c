/* SPDX-License-Identifier: ISC */
/*
 * nsdeny PROGRAM [ARG...]: run PROGRAM as systemd's RestrictNamespaces=
 * (without namespaces) leaves it: a seccomp filter under which unshare,
 * setns and clone with any CLONE_NEW* flag fail with EPERM (clone3 with
 * ENOSYS, so glibc falls back to clone, which the filter can read).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <seccomp.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#define NS_FLAGS	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
			 CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

int
main(int argc, char *argv[])
{
	scmp_filter_ctx	ctx;

	if (argc < 2) {
		fprintf(stderr, "usage: nsdeny program [arg ...]\n");
		return 2;
	}
	/* One rule per flag: "this flag set" (libseccomp ORs the rules). */
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return 1;
	for (unsigned long f = 1; f; f <<= 1) {
		if (!(f & NS_FLAGS))
			continue;
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    SCMP_SYS(unshare), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, f, f)) < 0 ||
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, f, f)) < 0)
			return 1;
	}
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setns), 0) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) < 0 ||
	    seccomp_load(ctx) < 0) {
		perror("nsdeny: seccomp");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
