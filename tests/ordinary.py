# SPDX-License-Identifier: ISC
"""Ordinary Python works in the box, and what the sandbox refuses raises at
the line that did it: SQLite commits in the private /tmp and in a write
grant (and fails one step beyond with sqlite3's own error), a working
directory, subprocess(cwd=...) and git -C in a granted repository with a
run grant, non-ASCII file names (UTF-8 mode), named pipes, file copies, mmap.flush, locks, waitpid without children,
setrlimit to its own values. keyctl, perf_event_open, bpf and pidfd_open
return -1 with an errno in a live worker and the log names each;
os.memfd_create raises. As root and as nobody, with and without
namespaces."""

import json
import os
import shutil
import subprocess
import tempfile

from mcptest import MCP_HOTD, SEED, Server, check, dry_run, finish, text_of, tool

USER = "nobody"
MODES = [(None, []), (None, ["--no-namespaces"]), (USER, []), (USER, ["--no-namespaces"])]

# Each probe: a name and an expression; the tool answers {name: value or
# "ExceptionName:errno"}.
PROBES = r'''
import ctypes, errno, fcntl, mmap, os, resource, shutil, signal, sqlite3, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)


def _raw(nr, *args):
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    return f"{r}:{errno.errorcode.get(ctypes.get_errno(), '?')}" if r == -1 else str(r)


def _try(f):
    try:
        r = f()
        return "ok" if r is None else str(r)
    except BaseException as e:
        code = errno.errorcode.get(getattr(e, "errno", None) or 0, "")
        return f"{type(e).__name__}:{code}"


def _notes(where):
    db = sqlite3.connect(os.path.join(where, "notes.db"))
    db.execute("create table if not exists notes (text)")
    db.execute("insert into notes values ('remember')")
    db.commit()
    n = db.execute("select count(*) from notes").fetchone()[0]
    db.close()
    return "commit" if n >= 1 else "empty"


def _files(where):
    a = os.path.join(where, "a")
    with open(a, "wb") as f:
        f.write(b"x" * 200000)
    shutil.copyfile(a, a + ".copy")
    with open(a, "r+b") as f:
        m = mmap.mmap(f.fileno(), 0)
        m[0:1] = b"y"
        m.flush()
        m.close()
        fcntl.flock(f, fcntl.LOCK_EX)
        fcntl.lockf(f, fcntl.LOCK_UN)
    return os.path.getsize(a + ".copy")


def _unicode(where):
    name = os.path.join(where, "café-€.txt")
    with open(name, "w") as f:
        f.write("ü")
    return "café-€.txt" in os.listdir(where) and open(name).read() == "ü"


def _fifo(where):
    name = os.path.join(where, "pipe")
    os.mkfifo(name)
    is_fifo = os.path.exists(name) and __import__("stat").S_ISFIFO(os.stat(name).st_mode)
    os.unlink(name)
    return is_fifo


def ordinary(where: str, beyond: str) -> dict:
    return {
        "utf8": sys.getfilesystemencoding(),
        "unicode": _try(lambda: _unicode(where)),
        "fifo": _try(lambda: _fifo(where)),
        "notes": _try(lambda: _notes(where)),
        "beyond": _try(lambda: _notes(beyond)),
        "files": _try(lambda: _files(where)),
        "chdir": _try(lambda: (os.chdir(where), os.getcwd())[1] == os.path.realpath(where)),
        "waitpid": _try(lambda: os.waitpid(-1, os.WNOHANG)),
        "setrlimit": _try(lambda: resource.setrlimit(
            resource.RLIMIT_NOFILE, resource.getrlimit(resource.RLIMIT_NOFILE))),
        "keyctl": _raw(250, 0, 0, 0, 0, 0),
        "perf_event_open": _raw(298, 0, 0, 0, 0, 0),
        "bpf": _raw(321, 0, 0, 0, 0, 0),
        "pidfd_open": _raw(434, os.getpid(), 0),
        "memfd": _try(lambda: os.memfd_create("x")),
        "sigsys": _try(lambda: signal.signal(signal.SIGSYS, signal.SIG_IGN)),
        "copy2": _try(lambda: shutil.copy2(os.path.join(where, "a"),
                                           os.path.join(where, "a.2"))),
        "chmod_outside": _try(lambda: os.chmod(os.__file__, 0o777)),
        "fifo_outside": _try(lambda: os.mkfifo(os.path.join(os.path.dirname(os.__file__),
                                                             "mcp-hotd-fifo"))),
        "alive": os.getpid() > 0,
    }
'''

# /etc/gitconfig is outside the view: git reads none (as the man page's
# git_log example does).
GIT = r'''
import os, subprocess
ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1")
def gitlog(repo: str, beyond: str) -> dict:
    os.chdir(repo)
    here = subprocess.run(["git", "log", "--format=%s"], capture_output=True, text=True,
                          env=ENV)
    there = subprocess.run(["git", "-C", repo, "log", "--format=%s"], capture_output=True,
                           text=True, env=ENV)
    cwd = subprocess.run(["git", "log", "--format=%s"], cwd=repo, capture_output=True,
                         text=True, env=ENV)
    out = subprocess.run(["git", "-C", beyond, "log"], capture_output=True, text=True,
                         env=ENV)
    return {"here": here.stdout.strip(), "there": there.stdout.strip(),
            "cwd": cwd.stdout.strip(), "beyond": out.returncode,
            "beyond_says": out.stderr.strip()[-200:]}
'''


def make_repo():
    repo = tempfile.mkdtemp(prefix="mcp-hotd-repo-", dir="/var/tmp")
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@e")
    subprocess.run(["git", "init", "-q", repo], check=True, env=env)
    with open(os.path.join(repo, "f"), "w") as f:
        f.write("x")
    subprocess.run(["git", "-C", repo, "add", "f"], check=True, env=env)
    subprocess.run(["git", "-C", repo, "commit", "-qm", "first commit"], check=True, env=env)
    # safe.directory for whoever runs git there (the repo is root's).
    with open(os.path.join(repo, ".git", "config"), "a") as f:
        f.write("[safe]\n\tdirectory = *\n")
    for root, dirs, files in os.walk(repo):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
    os.chmod(repo, 0o755)
    return repo


def answer(s, name, args):
    """The tool's dict, or {"died": text} when the call ended its worker."""
    txt = text_of(s.call(name, args))
    try:
        return json.loads(txt)
    except ValueError:
        return {"died": txt}


def run_mode(user, args):
    label = f"[{user or 'root'}{' ' + ' '.join(args) if args else ''}]"
    grant = tempfile.mkdtemp(prefix="mcp-hotd-grant-", dir="/var/tmp")
    beyond = tempfile.mkdtemp(prefix="mcp-hotd-beyond-", dir="/var/tmp")
    os.chmod(grant, 0o777)
    os.chmod(beyond, 0o777)
    repo, other = make_repo(), make_repo()
    git = shutil.which("git")
    s = Server([tool("ordinary", PROBES, allow={"write": [grant]}),
                tool("gitlog", GIT, allow={"read": [repo], "run": [git]})],
               args=args, user=user)
    s.initialize()
    names = {t["name"] for t in s.list_tools()}
    spots = [grant] if "--no-namespaces" in args else ["/tmp", grant]
    for where in spots:
        r = answer(s, "ordinary", {"where": where, "beyond": beyond})
        check(r.get("notes") == "commit", f"{label} a SQLite notes tool commits in {where}", r)
        check(r.get("beyond") == "OperationalError:", f"{label} ... one step beyond its grant, "
              "sqlite3's own error (not SIGSYS)", r)
        check(r.get("files") == "200000", f"{label} copyfile, mmap.flush, flock, lockf in {where}",
              r)
        check(r.get("chdir") == "True", f"{label} chdir into {where}", r)
        check(r.get("utf8") == "utf-8" and r.get("unicode") == "True",
              f"{label} file names in UTF-8 (café-€.txt) in {where}", r)
        if "--no-namespaces" in args:
            check(r.get("fifo") == "PermissionError:EACCES" and
                  r.get("fifo_outside") == "PermissionError:EACCES",
                  f"{label} without a mount namespace, mkfifo stays refused", r)
        else:
            check(r.get("fifo") == "True", f"{label} os.mkfifo in {where}", r)
            check(r.get("fifo_outside") == "OSError:EROFS",
                  f"{label} ... and beside os.py, EROFS", r)
        check(r.get("waitpid") == "ChildProcessError:ECHILD" and r.get("setrlimit") == "ok",
              f"{label} waitpid without children, setrlimit to its own values", r)
        check(all(r.get(k) == "-1:ENOSYS" for k in ("keyctl", "perf_event_open", "bpf",
                                                "pidfd_open")),
              f"{label} keyctl, perf_event_open, bpf, pidfd_open: -1, ENOSYS", r)
        check(r.get("memfd") == "PermissionError:EACCES", f"{label} os.memfd_create raises", r)
        check(r.get("sigsys") == "PermissionError:EPERM",
              f"{label} taking SIGSYS from the sandbox's handler raises", r)
        if "--no-namespaces" in args:
            check(r.get("copy2") == "PermissionError:EACCES" and
                  r.get("chmod_outside") == "PermissionError:EACCES",
                  f"{label} without a mount namespace, modes and times stay refused", r)
        else:
            check(r.get("copy2", "").startswith(where) and
                  r.get("chmod_outside") == "OSError:EROFS",
                  f"{label} shutil.copy2 (chmod, utime) in {where}; outside, EROFS", r)
    err = s.stderr()
    check(all(f"refused syscall {n} (" in err for n in ("keyctl", "perf_event_open", "bpf",
                                                         "pidfd_open", "memfd_create")),
          f"{label} the log names each refused call", err[-1500:])
    check("killed by the sandbox" not in err, f"{label} no worker was killed", err[-1500:])
    if "--no-namespaces" in args:
        check("gitlog" not in names, f"{label} a run grant needs a PID namespace")
    else:
        r = answer(s, "gitlog", {"repo": repo, "beyond": other})
        check(r.get("here") == r.get("there") == r.get("cwd") == "first commit",
              f"{label} git log in a chdir'd, -C and cwd= granted repository", r)
        says = r.get("beyond_says", "")
        check(r.get("beyond") not in (None, 0) and ("Permission denied" in says or
                                                    "not a git repository" in says),
              f"{label} ... one step beyond: git's own error", r)
    s.close()
    for d in (grant, beyond, repo, other):
        shutil.rmtree(d, ignore_errors=True)


for user, args in MODES:
    run_mode(user, args)

# A tool that failed to load: its callers hear why (no traceback, no code).
s = Server([tool("broken", "import no_such_module\ndef broken() -> int:\n    return 1\n"),
            tool("fine", "def fine() -> int:\n    return 1\n")])
s.initialize()
r = s.rpc("tools/call", {"name": "broken", "arguments": {}})
msg = r.get("error", {}).get("message", "")
check(r.get("error", {}).get("code") == -32602 and "tool 'broken' failed to load: "
      "ModuleNotFoundError: No module named 'no_such_module'" in msg and "import" not in msg,
      "a tool that failed to load: its callers hear why, not 'unknown tool'", r)
r = s.rpc("tools/call", {"name": "nothing", "arguments": {}})
check("unknown tool 'nothing'" in r.get("error", {}).get("message", ""),
      "... a name the file does not have is still an unknown tool", r)
s.write_tools([tool("broken", "def broken() -> int:\n    return 2\n")])
s.wait_for(lambda: '"added":["broken"]' in s.stderr(), 10)
check(text_of(s.call("broken")) == "2", "... and once fixed it serves")
s.close()

# --venv and --python-path under /tmp: each worker's /tmp is its own.
venv = tempfile.mkdtemp(prefix="mcp-hotd-venv-", dir="/tmp")
p = subprocess.run([MCP_HOTD, "-t", "-c", SEED, "--python-path", venv], capture_output=True,
                   text=True, timeout=30)
check(p.returncode != 0 and "under /tmp" in p.stderr, "--python-path under /tmp is refused "
      "at startup, saying why", p.stderr)
shutil.rmtree(venv, ignore_errors=True)

# -t: a tool whose env grant has no value is marked, and -t fails.
envy = [tool("envy", "import os\ndef envy() -> str:\n    return os.environ['MCP_HOTD_UNSET_X']\n",
             allow={"env": ["MCP_HOTD_UNSET_X"]})]
p = dry_run(envy)
check(p.returncode == 1 and "envy: UNSET: granted env MCP_HOTD_UNSET_X" in p.stdout,
      "-t marks a tool whose env grant is unset", p.stdout + p.stderr)
finish()
