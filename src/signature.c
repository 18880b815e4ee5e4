/* SPDX-License-Identifier: ISC */
/*
 * Signed tools files (--trusted-signers): a tools file serves only with a
 * detached SSH signature beside it (FILE.sig, `ssh-keygen -Y sign -n
 * mcp-hotd-tools`) by a principal of the allowed_signers file whose key
 * may sign in that namespace.
 *
 * The cryptography is OpenSSH's: ssh-keygen -Y find-principals names the
 * principal of the signature's key, ssh-keygen -Y verify checks the
 * signature over the very bytes the caller then parses (given on its
 * stdin from memory, so a file replaced meanwhile cannot slip in). What
 * is ours is reading the signature's envelope (SSHSIG: magic, version,
 * public key, namespace, hash) to say which key signed and for what, in
 * the log and in status — never to decide.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "log.h"
#include "sha256.h"
#include "signature.h"
#include "xmalloc.h"

#define SIG_MAX		(64 * 1024)	/* a signature file's bytes at most */
#define SIG_TIMEOUT_MS	10000		/* ssh-keygen's time, at most */
#define SIG_OUT_MAX	4096		/* what we keep of its output */

static const char	sig_begin[] = "-----BEGIN SSH SIGNATURE-----";
static const char	sig_end[] = "-----END SSH SIGNATURE-----";

/* A uint32-length string at *p (of *left bytes): 0, or -1 if cut short. */
static int
sig_string(const uint8_t **p, size_t *left, const uint8_t **s, size_t *len)
{
	uint32_t	n;

	if (*left < 4)
		return -1;
	n = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
	    (uint32_t)(*p)[2] << 8 | (*p)[3];
	if (*left - 4 < n)
		return -1;
	*s = *p + 4;
	*len = n;
	*p += 4 + n;
	*left -= 4 + (size_t)n;
	return 0;
}

/* Copy a string of the envelope into buf as text (cut, NUL-ended). */
static void
sig_text(char *buf, size_t size, const uint8_t *s, size_t len)
{
	size_t	i, n = len < size - 1 ? len : size - 1;

	for (i = 0; i < n; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	buf[n] = '\0';
}

/*
 * The envelope of an armoured SSH signature (text, len bytes): its key's
 * type and SHA256 fingerprint, its namespace and hash. 0, or -1 and why.
 */
int
signature_parse(const char *text, size_t len, struct sig_info *info,
    char *why, size_t whylen)
{
	const char	*b, *e, *p;
	const uint8_t	*q, *s, *k;
	char		*b64, *bin;
	size_t		 n = 0, left, slen, klen;
	uint8_t		 digest[SHA256_LEN];
	uint32_t	 version;
	int		 dec;

	memset(info, 0, sizeof(*info));
	/* The end marker is looked for after the begin marker's last byte
	 * (the two share dashes: "...--------END..." must not match). */
	if ((b = memmem(text, len, sig_begin, sizeof(sig_begin) - 1)) == NULL ||
	    (b += sizeof(sig_begin) - 1, (e = memmem(b, len - (size_t)(b -
	    text), sig_end, sizeof(sig_end) - 1)) == NULL)) {
		snprintf(why, whylen, "not an armoured SSH signature");
		return -1;
	}
	b64 = xmalloc((size_t)(e - b) + 1);
	for (p = b; p < e; p++)		/* the base64 lines, joined */
		if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
			b64[n++] = *p;
	bin = xmalloc(n + 1);
	dec = base64_decode(b64, n, bin, n + 1, BASE64_STD);
	free(b64);
	q = (const uint8_t *)bin;
	left = dec > 0 ? (size_t)dec : 0;
	if (dec < 0 || left < 10 || memcmp(q, "SSHSIG", 6) != 0) {
		snprintf(why, whylen, "not an SSH signature (no SSHSIG magic)");
		goto fail;
	}
	version = (uint32_t)q[6] << 24 | (uint32_t)q[7] << 16 |
	    (uint32_t)q[8] << 8 | q[9];
	q += 10;
	left -= 10;
	if (version != 1) {
		snprintf(why, whylen, "an SSH signature of version %u, not 1",
		    version);
		goto fail;
	}
	if (sig_string(&q, &left, &k, &klen) == -1 || klen == 0) {
		snprintf(why, whylen, "an SSH signature cut short (its key)");
		goto fail;
	}
	/* The key's wire form begins with its type; the fingerprint is
	 * OpenSSH's: SHA256 of that form, base64 without padding. */
	q = k;
	left = klen;
	if (sig_string(&q, &left, &s, &slen) == -1) {
		snprintf(why, whylen, "an SSH signature with a malformed key");
		goto fail;
	}
	sig_text(info->key_type, sizeof(info->key_type), s, slen);
	sha256(k, klen, digest);
	memcpy(info->fingerprint, "SHA256:", 7);
	n = base64_encode(digest, sizeof(digest), info->fingerprint + 7,
	    BASE64_STD);
	while (n > 0 && info->fingerprint[7 + n - 1] == '=')
		n--;
	info->fingerprint[7 + n] = '\0';
	q = k + klen;
	left = (size_t)dec - 10 - 4 - klen;
	if (sig_string(&q, &left, &s, &slen) == -1) {
		snprintf(why, whylen, "an SSH signature cut short (namespace)");
		goto fail;
	}
	sig_text(info->ns, sizeof(info->ns), s, slen);
	info->ns_ok = slen == strlen(SIGNATURE_NAMESPACE) &&
	    memcmp(s, SIGNATURE_NAMESPACE, slen) == 0;
	if (sig_string(&q, &left, &s, &slen) == -1 ||	/* reserved */
	    sig_string(&q, &left, &s, &slen) == -1) {
		snprintf(why, whylen, "an SSH signature cut short (hash)");
		goto fail;
	}
	sig_text(info->hash, sizeof(info->hash), s, slen);
	if (sig_string(&q, &left, &s, &slen) == -1 || slen == 0 ||
	    left != 0) {
		snprintf(why, whylen, "an SSH signature cut short or with "
		    "trailing bytes");
		goto fail;
	}
	free(bin);
	return 0;
fail:
	free(bin);
	return -1;
}

/* An anonymous file holding len bytes of p, at offset 0; or -1. */
static int
sig_memfd(const char *name, const void *p, size_t len)
{
	const char	*c = p;
	ssize_t		 w;
	int		 fd;

	if ((fd = memfd_create(name, MFD_CLOEXEC)) == -1)
		return -1;
	while (len > 0) {
		if ((w = write(fd, c, len)) == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		c += w;
		len -= (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static long
sig_ms_since(const struct timespec *t0)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Run ssh-keygen with args (after "ssh-keygen"), stdin from fd in, the
 * signature readable as /dev/fd/SIGFD: its exit status (-1: it could
 * not run, or took too long) and its output (stdout and stderr) in out.
 */
static int
sig_run(const char *const *args, int in, int sigfd, char *out, size_t outlen)
{
	const char	*argv[16];
	char		 skip[512];
	struct timespec	 t0;
	struct pollfd	 pfd;
	size_t		 n = 0, i;
	ssize_t		 r;
	pid_t		 pid;
	int		 pipefd[2], status, timeout;

	argv[0] = "ssh-keygen";
	for (i = 0; args[i] != NULL && i + 2 < sizeof(argv) / sizeof(*argv);
	    i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	out[0] = '\0';
	if (pipe2(pipefd, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(in, STDIN_FILENO) == -1 ||
		    dup2(pipefd[1], STDOUT_FILENO) == -1 ||
		    dup2(pipefd[1], STDERR_FILENO) == -1 ||
		    (sigfd == 3 ? fcntl(3, F_SETFD, 0) : dup2(sigfd, 3)) == -1)
			_exit(127);
		/* Nothing else of ours goes to it. */
		syscall(SYS_close_range, 4, ~0U, 0);
		signal(SIGPIPE, SIG_DFL);
		execvp("ssh-keygen", (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pfd = (struct pollfd){ pipefd[0], POLLIN, 0 };
	for (;;) {
		timeout = SIG_TIMEOUT_MS - (int)sig_ms_since(&t0);
		if (timeout <= 0 || (poll(&pfd, 1, timeout) == -1 &&
		    errno != EINTR)) {
			kill(pid, SIGKILL);
			n = 0;
			snprintf(out, outlen, "ssh-keygen took longer than "
			    "%d ms", SIG_TIMEOUT_MS);
			break;
		}
		/* What does not fit is read and dropped: it must not block. */
		if (n < outlen - 1)
			r = read(pipefd[0], out + n, outlen - 1 - n);
		else
			r = read(pipefd[0], skip, sizeof(skip));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (n < outlen - 1)
			n += (size_t)r;
	}
	close(pipefd[0]);
	if (n > 0)
		out[n] = '\0';
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
		return -1;
	return WEXITSTATUS(status);
}

/* The first line of s that is not "Could not verify signature.", trimmed. */
static void
sig_reason(const char *s, char *buf, size_t size)
{
	const char	*nl;
	size_t		 n;

	while (*s != '\0') {
		nl = strchr(s, '\n');
		n = nl != NULL ? (size_t)(nl - s) : strlen(s);
		if (n > 0 && strncmp(s, "Could not verify signature.", n) != 0) {
			snprintf(buf, size, "%.*s", (int)n, s);
			return;
		}
		s += n + (nl != NULL);
	}
	snprintf(buf, size, "ssh-keygen did not verify it");
}

/* path.sig's bytes (malloc'd, NUL-ended), or NULL and why. */
static char *
sig_read(const char *path, size_t *len, char *why, size_t whylen)
{
	struct stat	 st;
	char		 sigpath[4096], *buf;
	ssize_t		 n;
	int		 fd;

	snprintf(sigpath, sizeof(sigpath), "%s.sig", path);
	if ((fd = open(sigpath, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "%s: %s", sigpath, errno == ENOENT ?
		    "no signature beside it (--trusted-signers is set)" :
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > SIG_MAX) {
		snprintf(why, whylen, "%s: not a signature file", sigpath);
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n < 0) {
		snprintf(why, whylen, "%s: %s", sigpath, strerror(errno));
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/*
 * Is data (len bytes, read from path) signed, in path.sig, by a trusted
 * signer (signers: an allowed_signers file)? 0 and who signed in *info;
 * -1 and why, naming the key when there is one.
 */
int
signature_verify(const char *signers, const char *path, const char *data,
    size_t len, struct sig_info *info, char *why, size_t whylen)
{
	char	*sig;
	size_t	 siglen;
	int	 rv;

	memset(info, 0, sizeof(*info));
	if ((sig = sig_read(path, &siglen, why, whylen)) == NULL)
		return -1;
	rv = signature_verify_text(signers, path, data, len, sig, siglen, info,
	    why, whylen);
	free(sig);
	return rv;
}

/* signature_verify with the signature's text given (sig, siglen). */
int
signature_verify_text(const char *signers, const char *path,
    const char *data, size_t len, const char *sig, size_t siglen,
    struct sig_info *info, char *why, size_t whylen)
{
	static const char *const find[] = { "-Y", "find-principals", "-s",
	    "/dev/fd/3", "-f", NULL, NULL };
	const char	*verify[] = { "-Y", "verify", "-f", signers, "-I",
			    NULL, "-n", SIGNATURE_NAMESPACE, "-s", "/dev/fd/3",
			    NULL };
	const char	*args[sizeof(find) / sizeof(*find)];
	char		 out[SIG_OUT_MAX], reason[512], *nl;
	int		 sigfd = -1, datafd = -1, nullfd = -1, rv = -1, st;

	if (siglen > SIG_MAX) {
		snprintf(why, whylen, "%s.sig: not a signature file", path);
		return -1;
	}
	if (signature_parse(sig, siglen, info, reason, sizeof(reason)) == -1) {
		snprintf(why, whylen, "%s.sig: %s", path, reason);
		goto done;
	}
	if (!info->ns_ok) {
		snprintf(why, whylen, "%s.sig: signed by %s key %s for "
		    "namespace \"%s\", not \"%s\"", path, info->key_type,
		    info->fingerprint, info->ns, SIGNATURE_NAMESPACE);
		goto done;
	}
	if ((sigfd = sig_memfd("sig", sig, siglen)) == -1 ||
	    (datafd = sig_memfd("data", data, len)) == -1 ||
	    (nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "%s: cannot check its signature: %s",
		    path, strerror(errno));
		goto done;
	}
	memcpy(args, find, sizeof(find));
	args[5] = signers;
	if ((st = sig_run(args, nullfd, sigfd, out, sizeof(out))) != 0) {
		if (st == -1)
			snprintf(why, whylen, "%s: cannot run ssh-keygen to "
			    "check its signature (%s)", path, out[0] ? out :
			    "not found");
		else
			snprintf(why, whylen, "%s.sig: %s key %s is not a "
			    "trusted signer (%s)", path, info->key_type,
			    info->fingerprint, signers);
		goto done;
	}
	if ((nl = strchr(out, '\n')) != NULL)
		*nl = '\0';
	if (strlen(out) >= sizeof(info->principal)) {
		snprintf(why, whylen, "%s.sig: its principal in %s is longer "
		    "than %zu bytes", path, signers, sizeof(info->principal) - 1);
		goto done;
	}
	memcpy(info->principal, out, strlen(out) + 1);
	verify[5] = info->principal;
	if (lseek(sigfd, 0, SEEK_SET) == -1 ||
	    (st = sig_run(verify, datafd, sigfd, out, sizeof(out))) != 0) {
		sig_reason(out, reason, sizeof(reason));
		snprintf(why, whylen, "%s.sig: the signature by %s (%s key %s) "
		    "does not hold for this file: %s", path, info->principal,
		    info->key_type, info->fingerprint, reason);
		goto done;
	}
	rv = 0;
done:
	if (sigfd != -1)
		close(sigfd);
	if (datafd != -1)
		close(datafd);
	if (nullfd != -1)
		close(nullfd);
	return rv;
}

/*
 * sshd's StrictModes for what signing does not cover: path and each
 * directory above it owned by root or us and writable by neither group
 * nor others (but for a root-owned sticky directory, as /tmp). 0, or -1
 * with why naming the first that is not.
 */
int
signature_path_safe(const char *path, char *why, size_t whylen)
{
	struct stat	 st;
	char		 real[4096], *slash;

	if (realpath(path, real) == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (stat(real, &st) == -1) {
			snprintf(why, whylen, "%s: %s", real, strerror(errno));
			return -1;
		}
		/* A root-owned sticky directory (/tmp) lets nobody replace
		 * what is ours in it. */
		if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
		    ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
		    !(S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) &&
		    st.st_uid == 0))) {
			snprintf(why, whylen, "%s is %s", real,
			    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ?
			    "writable by its group or by anyone" :
			    "owned by another user");
			return -1;
		}
		if (strcmp(real, "/") == 0)
			return 0;
		if ((slash = strrchr(real, '/')) == real)
			real[1] = '\0';
		else
			*slash = '\0';
	}
}

/*
 * At startup: the signers file and the workers' code directories
 * (--python-path, --venv), which a signature does not cover, are checked
 * as sshd checks authorized_keys. With --trusted-signers a loose one is
 * fatal; without, a warning.
 */
void
signature_check_paths(const char *signers, const char *const *dirs,
    size_t ndirs)
{
	char	why[4200];
	size_t	i;

	if (signers != NULL && signature_path_safe(signers, why,
	    sizeof(why)) == -1)
		fatalx("--trusted-signers %s: %s", signers, why);
	for (i = 0; i < ndirs; i++) {
		if (signature_path_safe(dirs[i], why, sizeof(why)) == 0)
			continue;
		if (signers != NULL)
			fatalx("%s is on the workers' sys.path, which signing "
			    "does not cover: %s", dirs[i], why);
		log_warnx("%s is on the workers' sys.path: %s; whoever may "
		    "write there runs code in every tool", dirs[i], why);
	}
}
