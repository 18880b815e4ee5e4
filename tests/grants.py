# SPDX-License-Identifier: ISC
"""Grants (allow: read, write, env) allow exactly what they name, checked
from both sides, as root and as nobody, with and without namespaces; and
every tool, granted nothing, gets threads, an event loop, a private temp
dir, lazy imports and uuid1, while sockets and files outside raise
PermissionError and the worker lives on."""

import json
import os
import shutil
import signal
import subprocess
import tempfile

from mcptest import MCP_HOTD, Daemon, Server, check, dry_run, finish, text_of, tool

# Writing outside the grants: Landlock's EACCES, or, where the worker has a
# mount namespace of its own (its view read-only but for /tmp and write
# grants), the mount's EROFS first.
REFUSED_WRITE = "[Errno 30] Read-only file system"
USER = "nobody"
MODES = [(None, []), (None, ["--no-namespaces"]), (USER, []), (USER, ["--no-namespaces"])]


def attempt(body):
    """A tool function trying body, returning 'ok: value' or the error."""
    return ("import os\ndef f():\n    try:\n        return 'ok: ' + str(" + body + ")\n"
            "    except Exception as e:\n        return f'{type(e).__name__}: {e}'\n")


def pid_tool():
    return "import os\ndef pid() -> int:\n    return os.getpid()\n"


BASIC = {
    "threads": ("import threading\nfrom concurrent.futures import ThreadPoolExecutor\n"
                "def threads() -> str:\n    out = []\n"
                "    ts = [threading.Thread(target=lambda i=i: out.append(i * i)) for i in range(8)]\n"
                "    [t.start() for t in ts]\n    [t.join() for t in ts]\n"
                "    with ThreadPoolExecutor(4) as ex:\n        s = sum(ex.map(lambda x: x + 1, range(100)))\n"
                "    return f'{sorted(out)} {s}'\n", "[0, 1, 4, 9, 16, 25, 36, 49] 5050"),
    "aio": ("import asyncio\nasync def aio() -> str:\n    async def one(i):\n"
            "        await asyncio.sleep(0.01)\n        return i\n"
            "    return str(await asyncio.gather(*[one(i) for i in range(5)]))\n", "[0, 1, 2, 3, 4]"),
    "lazy": ("def lazy() -> str:\n    import zoneinfo, datetime\n"
             "    return str(datetime.datetime(2026, 1, 1, tzinfo=zoneinfo.ZoneInfo('Asia/Tokyo')).utcoffset())\n",
             "9:00:00"),
    "uuid1": ("import uuid\ndef uuid1() -> int:\n    return uuid.uuid1().version\n", "1"),
}


def run_mode(user, args):
    label = f"{user or 'root'}{' ' + ' '.join(args) if args else ''}"
    ns = "--no-namespaces" not in args
    top = tempfile.mkdtemp(prefix="mcp-hotd-grants-", dir="/var/tmp")
    os.chmod(top, 0o755)
    rd, wr, creds = (os.path.join(top, d) for d in ("data", "out", "creds"))
    for d in (rd, wr, creds):
        os.mkdir(d)
    with open(os.path.join(rd, "f.txt"), "w") as f:
        f.write("inside")
    secret = os.path.join(top, "secret.txt")
    with open(secret, "w") as f:
        f.write("outside")
    os.symlink(secret, os.path.join(rd, "link"))
    with open(os.path.join(creds, "API_KEY"), "w") as f:
        f.write("k-one\n")
    if user is not None:
        subprocess.run(["chown", "-R", user, top], check=True)
        os.chmod(secret, 0o644)

    tools = [tool(n, c) for n, (c, _) in BASIC.items()]
    tools += [
        tool("tmp", attempt("__import__('tempfile').mkstemp()[1].startswith('/tmp/')")),
        tool("tmpdir", attempt("(os.environ.get('TMPDIR'), __import__('tempfile').gettempdir())")),
        tool("net", "import os, socket\ndef net() -> str:\n    try:\n"
                    "        socket.create_connection(('127.0.0.1', 9), timeout=1)\n"
                    "    except OSError as e:\n        return f'{type(e).__name__} {os.getpid()}'\n"
                    "    return 'HOLE'\n"),
        tool("pid_net", pid_tool()),
        tool("tmp_mark", attempt("open('/tmp/mark-of-a-sibling', 'w').write('x')")),
        tool("tmp_look", attempt("os.path.exists('/tmp/mark-of-a-sibling')")),
        tool("reader", attempt(f"open({rd + '/f.txt'!r}).read()"), allow={"read": [rd]}),
        tool("reader_link", attempt(f"open({rd + '/link'!r}).read()"), allow={"read": [rd]}),
        tool("reader_out", attempt(f"open({secret!r}).read()"), allow={"read": [rd]}),
        tool("reader_dotdot", attempt(f"open({rd + '/../secret.txt'!r}).read()"), allow={"read": [rd]}),
        tool("reader_write", attempt(f"open({rd + '/new'!r}, 'w').write('x')"), allow={"read": [rd]}),
        tool("writer", attempt(f"open({wr + '/a.txt'!r}, 'w').write('written')"),
             allow={"write": [wr]}),
        tool("writer_big", attempt(f"open({wr + '/big'!r}, 'wb').write(b'x' * (8 << 20))"),
             allow={"write": [wr]}, disk_mb=4),
        tool("writer_out", attempt(f"open({top + '/b.txt'!r}, 'w').write('x')"), allow={"write": [wr]}),
        tool("nowrite", attempt(f"open({wr + '/c.txt'!r}, 'w').write('x')")),
        tool("env", "import os, json\ndef env() -> str:\n"
                    "    return json.dumps({k: os.environ.get(k) for k in ('GRANTED', 'API_KEY', 'NOT_GRANTED')})\n",
             allow={"env": ["GRANTED", "API_KEY"]}),
        tool("relative", pid_tool(), allow={"read": ["data"]}),
        tool("badkey", pid_tool(), allow={"exec": ["/bin/sh"]}),
        tool("missing", pid_tool(), allow={"read": [top + "/nowhere"]}),
    ]
    env = dict(os.environ, GRANTED="g-value", NOT_GRANTED="n-value")
    s = Server(tools, args=["--credentials", creds] + args, env=env, user=user)
    s.initialize()
    listed = {t["name"] for t in s.list_tools()}
    err = s.stderr()

    for name, (_, want) in BASIC.items():
        r = s.call(name)
        check(text_of(r) == want and not r.get("isError"), f"[{label}] {name}: {text_of(r)[:60]}", r)
    r = text_of(s.call("tmp"))
    d = text_of(s.call("tmpdir"))
    if ns:
        check(r == "ok: True", f"[{label}] tempfile works in a private /tmp", r)
        check(d == "ok: ('/tmp', '/tmp')", f"[{label}] TMPDIR and gettempdir() are /tmp", d)
    else:
        check(r.startswith("FileNotFoundError"), f"[{label}] no mount namespace: no temp dir, a clear error", r)
        check(d.startswith("ok: (None,") or d.startswith("FileNotFoundError"),
              f"[{label}] ... and no TMPDIR", d)
    if ns:
        r = (text_of(s.call("tmp_mark")), text_of(s.call("tmp_look")))
        check(r == ("ok: 1", "ok: False"), f"[{label}] a sibling's /tmp is out of sight", r)
    pid = s.call("pid_net")
    r = text_of(s.call("net"))
    check(r.startswith("PermissionError"), f"[{label}] a connection raises PermissionError", r)
    check(text_of(s.call("pid_net")) == text_of(pid), f"[{label}] ... and the worker lives on")

    r = text_of(s.call("reader"))
    check(r == "ok: inside", f"[{label}] a read grant reads inside", r)
    for name, what in [("reader_link", "a symlink out of the granted dir"),
                       ("reader_out", "a file outside the grant"),
                       ("reader_dotdot", "'..' out of the granted dir"),
                       ("reader_write", "writing under a read grant")]:
        r = text_of(s.call(name))
        check(r.startswith("PermissionError") or REFUSED_WRITE in r,
              f"[{label}] {what}: PermissionError (or a read-only file system)", r)
    r = text_of(s.call("writer"))
    with open(os.path.join(wr, "a.txt")) as f:
        got = f.read()
    check(r.startswith("ok") and got == "written", f"[{label}] a write grant writes inside", (r, got))
    r = text_of(s.call("writer_big"))
    check("File too large" in r, f"[{label}] a file beyond disk_mb fails: {r[:60]}", r)
    for name, what in [("writer_out", "writing outside the grant"), ("nowrite", "writing without one")]:
        r = text_of(s.call(name))
        check(r.startswith("PermissionError") or REFUSED_WRITE in r,
              f"[{label}] {what}: PermissionError (or a read-only file system)", r)
    check(not os.path.exists(os.path.join(top, "b.txt")) and
          not os.path.exists(os.path.join(wr, "c.txt")), f"[{label}] nothing written outside")

    e = json.loads(text_of(s.call("env")))
    check(e == {"GRANTED": "g-value", "API_KEY": "k-one", "NOT_GRANTED": None},
          f"[{label}] granted variables only, credentials first", e)
    for name, why in [("relative", "'allow.read[0]' must be an absolute path"),
                      ("badkey", "'allow.exec' is not a grant")]:
        check(name not in listed and f"tool '{name}' (entry" in err and why in err,
              f"[{label}] {name}: skipped, saying {why!r}", err[-600:])
    check("missing" not in listed and f"granted path {top}/nowhere: No such file" in err,
          f"[{label}] a granted path that does not exist fails the load, naming it", err[-400:])
    check("k-one" not in err and "g-value" not in err, f"[{label}] values never logged")

    # A changed credential is a changed tool on the next reload.
    with open(os.path.join(creds, "API_KEY"), "w") as f:
        f.write("k-two")
    s.write_tools(tools)
    os.kill(s.pid, signal.SIGHUP)
    check(s.wait_for(lambda: '"changed":["env"]' in s.stderr(), 20),
          f"[{label}] a changed credential restarts the tool", s.stderr()[-400:])
    e = json.loads(text_of(s.call("env")))
    check(e["API_KEY"] == "k-two", f"[{label}] ... which sees the new value", e)
    check("k-two" not in s.stderr(), f"[{label}] ... never logged")
    s.kill()
    shutil.rmtree(top, ignore_errors=True)


for user, args in MODES:
    run_mode(user, args)

# -t prints each tool's grants; without Landlock a read grant cannot load.
READER = [tool("g", pid_tool(), allow={"read": ["/usr/share"], "env": ["HOME"]})]
p = dry_run(READER)
check(p.returncode == 0 and "g: OK (allow read /usr/share; env HOME)" in p.stdout,
      "-t prints the grants", p.stdout + p.stderr)
p = dry_run(READER, "--no-landlock")
check(p.returncode == 1 and "read and write grants need Landlock" in p.stdout,
      "without Landlock a read grant does not load, saying why", p.stdout)

# --python-path and --venv: modules found while loading and lazily at call
# time (the sandbox's view follows sys.path); a venv of another Python is
# a startup error naming both versions.
d = tempfile.mkdtemp(prefix="mcp-hotd-paths-", dir="/var/tmp")
os.chmod(d, 0o755)
pp = os.path.join(d, "pp")
os.mkdir(pp)
with open(os.path.join(pp, "mod_pp.py"), "w") as f:
    f.write("VALUE = 7\n")
ver = subprocess.run(["pkg-config", "--modversion", "python3-embed"], capture_output=True,
                     text=True).stdout.strip()
venv = os.path.join(d, "venv")
os.makedirs(os.path.join(venv, "lib", f"python{ver}", "site-packages"))
with open(os.path.join(venv, "lib", f"python{ver}", "site-packages", "mod_venv.py"), "w") as f:
    f.write("VALUE = 35\n")
s = Server([tool("paths", "import mod_pp\ndef paths() -> int:\n    import mod_venv\n"
                          "    return mod_pp.VALUE + mod_venv.VALUE\n")],
           args=["--python-path", pp, "--venv", venv])
s.initialize()
r = s.call("paths")
check(text_of(r) == "42", "--python-path and --venv modules import, at load and at call time", r)
s.kill()
other = os.path.join(d, "other")
os.makedirs(os.path.join(other, "lib", "python3.9", "site-packages"))
p = dry_run([], "--venv", other)
check(p.returncode != 0 and f"is for Python 3.9; the workers embed Python {ver}" in p.stderr,
      "a venv of another Python: a startup error naming both", p.stderr)
p = subprocess.run([MCP_HOTD, "-t", "-c", "/dev/null", "--python-path", "rel/dir"],
                   capture_output=True, text=True, timeout=30)
check(p.returncode != 0 and "an absolute path is needed" in p.stderr,
      "a relative --python-path: a startup error", p.stderr)
shutil.rmtree(d)

# mcp-hotctl status shows them (names, never values).
d = Daemon([tool("g", pid_tool(), allow={"read": ["/usr/share"], "env": ["HOME"]})],
           env=dict(os.environ, HOME="/home/secret-home"))
st = d.ctl("status", "--json")
allow = json.loads(st.stdout)["tools"][0].get("allow")
check(allow == {"read": ["/usr/share"], "env": ["HOME"]} and "secret-home" not in st.stdout,
      "mcp-hotctl status shows the grants", st.stdout[-300:])
check(d.stop() == 0, "daemon exits 0")

# A granted secret a tool prints, raises or fails to load with never
# reaches the log: "[redacted:NAME]" stands in for it.
SECRET = "s3cr3t-v4lue-9f2c"
LEAKY = [tool("leak", "import os, sys\ndef leak(what: str) -> str:\n"
                      "    print('token is', os.environ['API_TOKEN'], file=sys.stderr)\n"
                      "    raise RuntimeError('bad token ' + os.environ['API_TOKEN'])\n",
              allow={"env": ["API_TOKEN"]}),
         tool("leakload", "import os\nraise ValueError('cannot use ' + os.environ['API_TOKEN'])\n"
                          "def leakload() -> int:\n    return 1\n", allow={"env": ["API_TOKEN"]})]
s = Server(LEAKY, env=dict(os.environ, API_TOKEN=SECRET))
s.initialize()
r = s.call("leak", {"what": "x"})
s.wait_for(lambda: "redacted:API_TOKEN" in s.stderr(), 5)
err = s.stderr()
check(SECRET not in err and "token is [redacted:API_TOKEN]" in err and
      "RuntimeError: bad token [redacted:API_TOKEN]" in err,
      "a secret printed or in a traceback is redacted in the log", err[-800:])
f = s.rpc("tools/call", {"name": "leakload", "arguments": {}})
err = s.stderr()
check(SECRET not in err and SECRET not in json.dumps(f) and
      "cannot use [redacted:API_TOKEN]" in json.dumps(f),
      "... and in a failed load's error, to the log and to clients", f)
check(s.close() == 0, "exits 0")
finish()
