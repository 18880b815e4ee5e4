/* SPDX-License-Identifier: ISC */
/*
 * Watch the tools file for changes: inotify on its directory, so both a
 * write in place and an editor's write-to-temp-then-rename are seen, and a
 * debounce so a burst of events becomes one reload. An event that says the
 * file is complete (renamed into place, or closed after writing) settles
 * in WATCH_SETTLE_MS; one that may be mid-write (modified, created,
 * truncated) waits until the file has been quiet for WATCH_DEBOUNCE_MS.
 *
 * The file may be a symlink that changes under another name: a Kubernetes
 * ConfigMap mounts tools.json -> ..data/tools.json and swaps ..data (a
 * symlink to a timestamped directory) by renaming a new one over it. So
 * any other event in the directory compares what the path resolves to
 * (device, inode, size, mtime) with what was last seen, and the directory
 * the symlink resolves into is watched too (moved along when it changes).
 */
#include "config.h"

#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "mcp-hotd.h"
#include "xmalloc.h"

#define WATCH_DEBOUNCE_MS	75
#define WATCH_SETTLE_MS		5
#define WATCH_MASK	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | \
			 IN_DELETE | IN_MODIFY | IN_ATTRIB | IN_MOVED_FROM)

static struct {
	int		 fd;
	char		*path;
	char		*base;		/* the file's name in its directory */
	int		 wd_dir;	/* the path's directory */
	int		 wd_target;	/* the resolved file's, if another */
	char		*target_base;	/* ... and its name there */
	struct stat	 seen;		/* what the path resolved to */
	struct event	*ev;
	struct event	*debounce;
} wt = { .fd = -1, .wd_dir = -1, .wd_target = -1 };

/*
 * Where the path resolves to now; 1 if that differs from the last time.
 * Watches the resolved file's directory when it is not the path's own.
 */
static int
watch_resolve(void)
{
	struct stat	 st;
	char		 real[PATH_MAX], *dir, *base;
	int		 changed;

	if (stat(wt.path, &st) == -1)
		memset(&st, 0, sizeof(st));
	changed = st.st_dev != wt.seen.st_dev || st.st_ino != wt.seen.st_ino ||
	    st.st_size != wt.seen.st_size ||
	    st.st_mtim.tv_sec != wt.seen.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != wt.seen.st_mtim.tv_nsec;
	wt.seen = st;
	if (!changed || realpath(wt.path, real) == NULL)
		return changed;
	if (wt.wd_target != -1)
		inotify_rm_watch(wt.fd, wt.wd_target);
	wt.wd_target = -1;
	free(wt.target_base);
	wt.target_base = NULL;
	if ((base = strrchr(real, '/')) == NULL)
		return changed;
	*base++ = '\0';
	dir = real[0] != '\0' ? real : (char *)"/";
	wt.target_base = xstrdup(base);
	wt.wd_target = inotify_add_watch(wt.fd, dir, WATCH_MASK);
	if (wt.wd_target == wt.wd_dir)	/* the same directory: one watch */
		wt.wd_target = -1;
	return changed;
}

static void
watch_fire(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	(void)watch_resolve();	/* what the reload reads is seen */
	reload_request("the file changed", NULL);
}

/* name is base's signature (base.sig), watched with --trusted-signers. */
static int
watch_is_signature(const char *name, const char *base)
{
	size_t	n = strlen(base);

	return settings.trusted_signers != NULL && strncmp(name, base, n) == 0 &&
	    strcmp(name + n, ".sig") == 0;
}

/* 0: not ours; 1: ours, maybe mid-write; 2: ours and complete. */
static int
watch_concerns(const struct inotify_event *e)
{
	const char	*base = e->wd == wt.wd_target ? wt.target_base : wt.base;

	if (e->wd == wt.wd_dir && wt.wd_target == -1 && wt.target_base != NULL &&
	    e->len > 0 && strcmp(e->name, wt.target_base) == 0)
		base = wt.target_base;	/* a symlink to a sibling */

	/* A directory event without a name (e.g. overflow) may hide ours. */
	if (e->mask & IN_Q_OVERFLOW)
		return 1;
	if (e->len > 0 && base != NULL && (strcmp(e->name, base) == 0 ||
	    watch_is_signature(e->name, base)))
		return (e->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) ? 2 : 1;
	/* Another name: a symlink on the way may have been swapped. */
	if (e->mask & (IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM))
		return watch_resolve() ? 2 : 0;
	return 0;
}

static void
watch_read(evutil_socket_t fd, short what, void *arg)
{
	char			 buf[8192]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *e;
	struct timeval		 tv = { 0, 0 };
	ssize_t			 n;
	char			*p;
	int			 hit = 0, last = 0, kind;

	(void)what;
	(void)arg;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (p = buf; p < buf + n; p += sizeof(*e) + e->len) {
			e = (const struct inotify_event *)p;
			if ((kind = watch_concerns(e)) != 0) {
				hit = 1;
				last = kind;
			}
		}
	if (n == -1 && errno != EAGAIN && errno != EINTR)
		log_warn("inotify read");
	if (!hit)
		return;
	/* The newest event decides: a write may have begun after a close. */
	tv.tv_usec = (last == 2 ? WATCH_SETTLE_MS : WATCH_DEBOUNCE_MS) * 1000;
	evtimer_add(wt.debounce, &tv);	/* re-arming restarts it */
}

/* Start watching path; a failure is logged and SIGHUP still works. */
void
watch_start(const char *path)
{
	char	*d1, *d2;

	d1 = xstrdup(path);
	d2 = xstrdup(path);
	wt.path = xstrdup(path);
	wt.base = xstrdup(basename(d1));
	if ((wt.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		log_warn("inotify: the tools file is not watched (SIGHUP "
		    "reloads)");
		goto done;
	}
	if ((wt.wd_dir = inotify_add_watch(wt.fd, dirname(d2),
	    WATCH_MASK)) == -1) {
		log_warn("inotify: cannot watch %s (SIGHUP reloads)", d2);
		close(wt.fd);
		wt.fd = -1;
		goto done;
	}
	if ((wt.ev = event_new(sv.base, wt.fd, EV_READ | EV_PERSIST,
	    watch_read, NULL)) == NULL ||
	    (wt.debounce = evtimer_new(sv.base, watch_fire, NULL)) == NULL)
		fatal("%s", __func__);
	event_add(wt.ev, NULL);
	(void)watch_resolve();
done:
	free(d1);
	free(d2);
}

void
watch_stop(void)
{
	if (wt.ev != NULL)
		event_free(wt.ev);
	if (wt.debounce != NULL)
		event_free(wt.debounce);
	if (wt.fd != -1)
		close(wt.fd);
	free(wt.path);
	free(wt.base);
	free(wt.target_base);
	memset(&wt, 0, sizeof(wt));
	wt.fd = -1;
	wt.wd_dir = wt.wd_target = -1;
}
