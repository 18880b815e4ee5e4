/* SPDX-License-Identifier: ISC */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <sys/types.h>

#include <stddef.h>

/* Namespaces a worker is in (sandbox_isolate, sandbox_fork). */
#define SANDBOX_NS_PID	0x01
#define SANDBOX_NS_IPC	0x02
#define SANDBOX_NS_NET	0x04
#define SANDBOX_NS_USER	0x08
#define SANDBOX_NS_MNT	0x10	/* the worker's own: its /tmp a tmpfs */

/* What a tool's entry grants beyond the view (mcp-hotd.json(5) "allow"). */
struct sandbox_grants {
	const char	*const *read;	/* NULL-terminated, or NULL */
	const char	*const *write;
	const char	*const *run;	/* programs it may execute */
	int		 disk_mb;	/* each file, and the temp dir */
	int		 brokered;	/* net: its broker channel on fd 4 */
};

/* sandbox.c */
int	sandbox_landlock_abi(void);
void	sandbox_landlock_cap(int);
int	sandbox_isolate(int, char *, size_t);
int	sandbox_prepare(const char *const *, int, int, char *, size_t);
pid_t	sandbox_fork(void);
int	sandbox_enter(int, void (*)(void), int, const struct sandbox_grants *,
	    char *, size_t);
int	sandbox_has_tmp(void);
int	sandbox_call_phase(char *, size_t);
void	sandbox_report(char *, size_t);

#endif /* SANDBOX_H */
