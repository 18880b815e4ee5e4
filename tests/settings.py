# SPDX-License-Identifier: ISC
"""Workers get this run's settings from one SETTINGS frame, the first on
their channel (src/msg.h), not from argv: with the spawner and without
it, --python-path, --landlock-abi-max, --no-landlock and --no-namespaces
reach the worker that serves the call, while every worker's argv is its
title alone. The worker refuses a channel that does not begin with a
SETTINGS it can read, and the old argv options."""

import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile

from mcptest import MCP_HOTD, Server, check, finish, text_of, tool

WORKER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(MCP_HOTD))),
                      "workers", "mcp-hotd-worker")
SETTINGS, LOAD = 19, 1

d = tempfile.mkdtemp(prefix="mcp-hotd-settings-", dir="/var/tmp")
os.chmod(d, 0o755)
pp = os.path.join(d, "pp")
os.mkdir(pp)
with open(os.path.join(pp, "mod_settings.py"), "w") as f:
    f.write("VALUE = 19\n")

TOOL = tool("value", "import mod_settings\ndef value() -> int:\n"
                     "    return mod_settings.VALUE\n")


def argvs(pid):
    """Each child's argv, blanks (the spawner's room for titles) dropped."""
    out = []
    for c in open(f"/proc/{pid}/task/{pid}/children").read().split():
        with open(f"/proc/{c}/cmdline", "rb") as f:
            args = [a.decode() for a in f.read().split(b"\0") if a.strip(b" \0")]
        out.append(args)
    return out


def containment(s):
    for line in s.stderr().splitlines():
        if "workers' containment: " in line:
            return json.loads(line.split("workers' containment: ", 1)[1])
    return None


for spawner in ([], ["--no-spawner"]):
    for extra, want in ((["--landlock-abi-max", "2"], lambda c: c.get("landlock") == 2 and
                         "net" in c.get("namespaces", "")),
                        (["--no-landlock", "--no-namespaces"],
                         lambda c: not c.get("landlock") and
                         c.get("namespaces") in (None, "", "none"))):
        how = " ".join(spawner + extra)
        s = Server([TOOL], args=["-v", "--python-path", pp, *spawner, *extra])
        s.initialize()
        r = s.call("value")
        check(text_of(r) == "19", f"{how}: --python-path reaches the worker", r)
        c = containment(s)
        check(c is not None and want(c), f"{how}: the worker is contained as the options say",
              c)
        a = argvs(s.pid)
        titles = [x for x in a if x[:2] != ["mcp-hotd-worker", "--spawner"]]
        check(len(a) == (1 if spawner else 2) and
              all(x == ["mcp-hotd-worker", "value"] for x in titles) and
              not any(o in " ".join(sum(a, [])) for o in ("--path", "landlock", "namespaces")),
              f"{how}: workers' argv holds their titles, no settings", a)
        s.close()


def frame(t, payload):
    return struct.pack("=HHIQ", t, 1, len(payload), 0) + payload


def raw_worker(data, args=("value",)):
    """The worker binary on a channel that carries data, then closes."""
    ours, theirs = socket.socketpair()
    p = subprocess.Popen([WORKER, *args], pass_fds=[3], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         preexec_fn=lambda: os.dup2(theirs.fileno(), 3))
    theirs.close()
    try:
        ours.sendall(data)
    except BrokenPipeError:
        pass
    ours.shutdown(socket.SHUT_WR)
    _, err = p.communicate(timeout=30)
    ours.close()
    return p.returncode, err.decode()


rc, err = raw_worker(frame(LOAD, b'{"name":"value","code":""}'))
check(rc == 1 and "expected SETTINGS first, not LOAD" in err, "LOAD before SETTINGS: refused", err)
rc, err = raw_worker(frame(SETTINGS, b'{"python_path":"/x"}'))
check(rc == 1 and "SETTINGS:" in err and "python_path" in err,
      "a SETTINGS key of the wrong type: refused, naming it", err)
rc, err = raw_worker(frame(SETTINGS, b'{"verbose":1}'))
check(rc == 1 and "SETTINGS:" in err and "verbose" in err, "an unknown SETTINGS key: refused",
      err)
rc, err = raw_worker(frame(SETTINGS, b'{"landlock_abi_max":99}'))
check(rc == 1 and "landlock_abi_max" in err, "a SETTINGS value out of range: refused", err)
rc, err = raw_worker(b"", args=("--no-namespaces", "value"))
check(rc == 1 and "usage" in err, "settings on argv: a usage error", err)
rc, err = raw_worker(b"")
check(rc == 0 and err == "", "a channel closed before SETTINGS: a quiet exit", err)
shutil.rmtree(d, True)
finish()
