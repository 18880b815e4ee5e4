# SPDX-License-Identifier: ISC
"""allow.run: a tool runs exactly the programs its entry lists (Landlock's
execute right on those files), its children inherit the sandbox and die
with the worker (its PID namespace's init) and at its timeout; anything
else raises PermissionError and the worker lives on. Without a PID
namespace or Landlock a run tool does not load, saying why. As root and as
nobody (where RLIMIT_NPROC in a user namespace of its own bounds them)."""

import os
import shutil
import subprocess
import tempfile

from mcptest import Server, check, dry_run, finish, text_of, tool

USER = "nobody"


def attempt(body, helpers=""):
    return ("import os, subprocess\ndef f():\n    try:\n"
            f"        return 'ok: ' + str({body})\n"
            "    except Exception as e:\n        return f'{type(e).__name__}: {e}'\n" + helpers)


def out(argv):
    return f"(lambda r: (r.returncode, r.stdout.strip()))(subprocess.run({argv!r}, " \
        "capture_output=True, text=True))"


def sleepers(mark):
    p = subprocess.run(["pgrep", "-f", f"sleep {mark}"], capture_output=True, text=True)
    return p.stdout.split()


GIT = "/usr/bin/git"
PY = os.path.realpath("/usr/bin/python3")
# What a granted program inherits: no file outside the view, no socket.
CHILD = ("import socket\ntry:\n    open('/etc/shadow')\nexcept OSError as e:\n"
         "    print(type(e).__name__, end=' ')\ntry:\n"
         "    socket.create_connection(('127.0.0.1', 9))\nexcept OSError as e:\n"
         "    print(type(e).__name__, end='')\n")
SLEEP = "/usr/bin/sleep"
PID = "import os\ndef f() -> int:\n    return os.getpid()\n"
MANY = attempt("_many()", "def _many():\n    ps = []\n    try:\n        while len(ps) < 500:\n"
               "            ps.append(subprocess.Popen(['sleep', '30']))\n"
               "    except OSError as e:\n        err = f'{type(e).__name__}: {e}'\n"
               "    else:\n        err = 'no limit'\n"
               "    n = len(ps)\n    [p.kill() for p in ps]\n    [p.wait() for p in ps]\n"
               "    return f'{n} {err}'\n")


def run_mode(user, args):
    label = f"{user or 'root'}{' ' + ' '.join(args) if args else ''}"
    mark = f"{os.getpid() % 1000}.{len(label)}17"
    script_dir = tempfile.mkdtemp(prefix="mcp-hotd-run-", dir="/var/tmp")
    os.chmod(script_dir, 0o755)
    script = os.path.join(script_dir, "hello.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\necho hello\n")
    os.chmod(script, 0o755)
    tools = [
        tool("git", attempt(out(["git", "--version"])), allow={"run": [GIT]}),
        tool("git_abs", attempt(out([GIT, "--version"])), allow={"run": [GIT]}),
        tool("sh", attempt(out(["/bin/sh", "-c", "echo hi"])), allow={"run": [GIT]}),
        tool("script", attempt(out([script])), allow={"run": [script]}),
        tool("script_sh", attempt(out([script])), allow={"run": [script, "/bin/sh"]}),
        tool("nogrant", attempt(out(["git", "--version"]))),
        tool("pid", PID, allow={"run": [GIT]}),
        tool("sleeper", attempt(out(["sleep", mark])), allow={"run": [SLEEP]}, timeout_ms=1500),
        tool("escaper", "import subprocess, time\ndef f() -> str:\n"
                        f"    subprocess.Popen(['sleep', '{mark}1'], start_new_session=True)\n"
                        "    time.sleep(60)\n    return 'slept'\n",
             allow={"run": [SLEEP]}, timeout_ms=1500),
        tool("many", MANY, allow={"run": [SLEEP]}),
        tool("child_python", attempt(out([PY, "-c", CHILD])), allow={"run": [PY]}),
        tool("kill_out", "import os\ndef f(sv: int) -> str:\n    try:\n        os.kill(sv, 9)\n"
                         "        return 'HOLE'\n    except Exception as e:\n"
                         "        return f'{type(e).__name__}: {e}'\n", allow={"run": [GIT]}),
        tool("kill_all", attempt("os.kill(-1, 9)"), allow={"run": [GIT]}),
        tool("missing", PID, allow={"run": ["/usr/bin/no-such-program"]}),
        tool("relative", PID, allow={"run": ["git"]}),
    ]
    s = Server(tools, args=args, user=user)
    s.initialize()
    listed = {t["name"] for t in s.list_tools()}
    err = s.stderr()
    if "--no-namespaces" in args:
        check("git" not in listed and "run grants need a PID namespace" in err and
              "--no-namespaces" in err, f"[{label}] without a PID namespace a run tool does "
              "not load, saying why", err[-500:])
        r = text_of(s.call("nogrant"))
        check(r.startswith("PermissionError"), f"[{label}] no grant: PermissionError", r)
        s.kill()
        shutil.rmtree(script_dir)
        return

    r = text_of(s.call("git"))
    check(r.startswith("ok: (0, 'git version "), f"[{label}] git --version runs, found on PATH", r)
    r = text_of(s.call("git_abs"))
    check(r.startswith("ok: (0, 'git version "), f"[{label}] ... and by its path", r)
    pid = text_of(s.call("pid"))
    r = text_of(s.call("sh"))
    check(r.startswith("PermissionError"), f"[{label}] /bin/sh is not implied: PermissionError", r)
    r = text_of(s.call("script"))
    check(r.startswith("PermissionError") or "Permission denied" in r,
          f"[{label}] a granted script without its interpreter does not run", r)
    r = text_of(s.call("script_sh"))
    check(r == "ok: (0, 'hello')", f"[{label}] ... and runs with its interpreter granted", r)
    r = text_of(s.call("nogrant"))
    check(r.startswith("PermissionError"), f"[{label}] without a run grant: PermissionError", r)
    check(text_of(s.call("pid")) == pid, f"[{label}] ... and the worker lives on")

    r = text_of(s.call("child_python"))
    check(r == "ok: (0, 'PermissionError PermissionError')", f"[{label}] a granted program "
          "inherits the sandbox: no file outside the view, no socket", r)
    r = text_of(s.call("kill_out", {"sv": s.pid}))
    check(r.startswith("ProcessLookupError") or r.startswith("PermissionError"),
          f"[{label}] a run tool cannot name the supervisor", r)
    text_of(s.call("kill_all"))
    check(s.proc.poll() is None and text_of(s.call("pid")) == pid,
          f"[{label}] kill(-1) reaches only its own namespace", pid)
    r = s.call("sleeper")
    check(r.get("isError") and "timed out" in text_of(r), f"[{label}] a call running a program "
          "times out", r)
    gone = s.wait_for(lambda: not sleepers(mark), 5)
    check(gone, f"[{label}] ... and its child is killed with the worker", sleepers(mark))
    r = s.call("escaper")
    check(r.get("isError") and "timed out" in text_of(r) and
          s.wait_for(lambda: not sleepers(f"{mark}1"), 5),
          f"[{label}] a child in a session of its own (setsid) dies with the worker too",
          (r, sleepers(f"{mark}1")))
    r = text_of(s.call("many"))
    if user is not None:
        n = int(r.split()[1]) if r.startswith("ok: ") and r.split()[1].isdigit() else -1
        check(0 < n < 64 and "Resource temporarily unavailable" in r,
              f"[{label}] processes bounded by RLIMIT_NPROC in its own user namespace", r)
    else:
        check(r.startswith("ok: "), f"[{label}] as root, many children (bounded only by the "
              "timeout: documented)", r)
    check("missing" not in listed and "granted program /usr/bin/no-such-program" in err,
          f"[{label}] a granted program that does not exist fails the load, naming it", err[-400:])
    check("relative" not in listed and "'allow.run[0]' must be an absolute path" in err,
          f"[{label}] a relative program is skipped, naming the field", err[-400:])
    s.kill()
    shutil.rmtree(script_dir)


if not os.path.exists(GIT):
    check(False, "git is installed (scripts/install-deps)")
for user, args in [(None, []), (None, ["--no-namespaces"]), (USER, []),
                   (USER, ["--no-namespaces"])]:
    run_mode(user, args)

# -t shows it; without Landlock a run tool does not load, saying why.
p = dry_run([tool("g", PID, allow={"run": [GIT]})])
check(p.returncode == 0 and f"g: OK (allow run {GIT})" in p.stdout, "-t prints a run grant",
      p.stdout + p.stderr)
p = dry_run([tool("g", PID, allow={"run": [GIT]})], "--no-landlock")
check(p.returncode == 1 and "run grants need Landlock" in p.stdout,
      "without Landlock a run tool does not load, saying why", p.stdout)
finish()
