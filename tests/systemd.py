#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""mcp-hotd as systemd runs it: the installed unit (paths substituted,
accepted by systemd-analyze verify), the notify protocol (READY only after
the first load, RELOADING/READY around a reload, STOPPING on SIGTERM and on
a drain) against a NOTIFY_SOCKET of our own, credentials read from
$CREDENTIALS_DIRECTORY, the token re-read on SIGHUP, and --containment full refusing to start where a
unit's RestrictNamespaces= took the namespaces away (emulated by
tests/nsdeny), as root and as nobody."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from mcptest import (MCP_HOTD, Daemon, check, finish, hotd_for, systemd_verify, text_of, tool,
                     unix_client)

BUILD = os.path.dirname(os.path.dirname(os.path.abspath(MCP_HOTD)))
NSDENY = os.path.join(BUILD, "tests", "nsdeny")
ADD = tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n")
SLOW = tool("slow", "import time\ntime.sleep(1.5)\n\ndef slow() -> str:\n    return 'up'\n")


def install_check():
    """make install into a DESTDIR: a unit with no @var@ left, whose
    ExecStart exists there, and which systemd-analyze verify accepts
    (the host's targets and kill(1) copied in: verify --root resolves
    everything inside the root)."""
    d = tempfile.mkdtemp(prefix="mcp-hotd-install-")
    try:
        r = subprocess.run(["make", "-s", "-C", BUILD, "install", f"DESTDIR={d}"],
                           capture_output=True, text=True, timeout=300)
        check(r.returncode == 0, "make install into a DESTDIR", r.stderr[-500:])
        units = [os.path.join(root, f) for root, _, files in os.walk(d) for f in files
                 if f.endswith(".service")]
        check(len(units) == 1, "one unit installed", units)
        if not units:
            return
        text = open(units[0]).read()
        check("@" not in text.replace("user@", ""), "no @variable@ left in the unit",
              [l for l in text.splitlines() if "@" in l])
        exe = [l.split("=", 1)[1].split()[0] for l in text.splitlines()
               if l.startswith("ExecStart=")][0]
        check(os.access(d + exe, os.X_OK), f"ExecStart {exe} installed and executable")
        check("--containment full" in text, "the unit asks for full containment")
        unitdir = os.path.dirname(units[0])[len(d):]
        check(os.path.exists(d + unitdir + "/mcp-hotd.socket"), "mcp-hotd.socket installed")
        r = systemd_verify(d, ["mcp-hotd.service", "mcp-hotd.socket"], unitdir)
        if r is None:
            print("# systemd-analyze absent: verify skipped")
            return
        check(r.returncode == 0 and r.stderr.strip() == "",
              "systemd-analyze verify accepts the installed units", r.stderr[-800:])
    finally:
        shutil.rmtree(d, ignore_errors=True)


class Notify:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="mcp-hotd-notify-")
        os.chmod(self.dir, 0o777)
        self.path = os.path.join(self.dir, "notify")
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(self.path)
        os.chmod(self.path, 0o777)

    def next(self, timeout=15):
        self.s.settimeout(timeout)
        try:
            data = self.s.recv(4096).decode()
        except socket.timeout:
            return {}
        return dict(l.split("=", 1) for l in data.splitlines() if "=" in l)

    def close(self):
        self.s.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def call_add(d):
    s, f = unix_client(d.sock)
    f.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                        "params": {"name": "add", "arguments": {"a": 2, "b": 3}}}) + "\n")
    f.flush()
    r = json.loads(f.readline())
    s.close()
    return text_of(r.get("result", r))


def notify_check(user):
    n = Notify()
    env = dict(os.environ, NOTIFY_SOCKET=n.path)
    t0 = time.monotonic()
    d = Daemon([ADD, SLOW], env=env, user=user, args=["--drain-delay", "1"])
    m = n.next()
    check(m.get("READY") == "1", f"{user or 'root'}: READY=1 sent", m)
    check("loaded: " in d.stderr() and time.monotonic() - t0 >= 1.4,
          "READY only after the first load (a tool sleeping 1.5 s at load)")
    check(m.get("STATUS", "").startswith("2 tools, 2 workers, 0 sessions"),
          "STATUS= counts tools, workers, sessions", m)
    check(call_add(d) == "5", "serving once READY")
    os.kill(d.pid, signal.SIGHUP)
    m1, m2 = n.next(), n.next()
    check(m1.get("RELOADING") == "1" and m1.get("MONOTONIC_USEC", "").isdigit(),
          "SIGHUP: RELOADING=1 with MONOTONIC_USEC", m1)
    check(m2.get("READY") == "1", "then READY=1 once the reload finished", m2)
    os.kill(d.pid, signal.SIGTERM)
    m = n.next()
    check(m.get("STOPPING") == "1", "SIGTERM with a drain delay: STOPPING=1 at once", m)
    check(d.stop() == 0, "exits 0 after the drain")
    check(n.next(timeout=0.5) == {}, "STOPPING sent once")
    n.close()


def credentials_check():
    """$CREDENTIALS_DIRECTORY/mcp-hotd.http-token is the HTTP token when no
    --http-token-file names one."""
    creds = tempfile.mkdtemp(prefix="mcp-hotd-creds-")
    with open(os.path.join(creds, "mcp-hotd.http-token"), "w") as f:
        f.write("s3cret-from-systemd\n")
    env = dict(os.environ, CREDENTIALS_DIRECTORY=creds)
    d = Daemon([ADD], http=True, env=env)
    import urllib.request
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "creds", "version": "1"}}}).encode()

    def post(token):
        req = urllib.request.Request(f"http://127.0.0.1:{d.port}/mcp", data=body, headers={
            "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
            **({"Authorization": f"Bearer {token}"} if token else {})})
        try:
            return urllib.request.urlopen(req, timeout=10).status
        except urllib.error.HTTPError as e:
            return e.code
    check(post(None) == 401, "credential token: a request without it is 401")
    check(post("s3cret-from-systemd") == 200, "credential token: with it, 200")
    check("mcp-hotd.http-token: from $CREDENTIALS_DIRECTORY" in d.stderr(),
          "the log says where the token came from")
    d.stop()
    shutil.rmtree(creds, ignore_errors=True)


def http_status(port, token):
    import urllib.request
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/mcp", data=body, headers={
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
        "Authorization": f"Bearer {token}"})
    try:
        return urllib.request.urlopen(req, timeout=10).status
    except urllib.error.HTTPError as e:
        return e.code


def rotation_check():
    """SIGHUP re-reads the token file: the new token is taken, the old one
    refused; a file that will not do keeps the token there is."""
    tdir = tempfile.mkdtemp(prefix="mcp-hotd-rot-")
    token = os.path.join(tdir, "token")
    with open(token, "w") as f:
        f.write("old-token-0123456789\n")
    d = Daemon([ADD], http=True, args=["--http-token-file", token])
    check(http_status(d.port, "old-token-0123456789") == 200, "the first token serves")
    with open(token + ".new", "w") as f:
        f.write("new-token-9876543210\n")
    os.rename(token + ".new", token)
    os.kill(d.pid, signal.SIGHUP)
    time.sleep(0.5)
    check(http_status(d.port, "new-token-9876543210") == 200, "SIGHUP: the new token serves")
    check(http_status(d.port, "old-token-0123456789") == 401, "... and the old one is refused")
    with open(token, "w") as f:
        f.write("short\n")
    os.kill(d.pid, signal.SIGHUP)
    time.sleep(0.5)
    check(http_status(d.port, "new-token-9876543210") == 200,
          "a token file that will not do keeps the token there is")
    check("the token stays as it was" in d.stderr(), "... and says so")
    check(d.stop() == 0, "exits 0")
    shutil.rmtree(tdir, ignore_errors=True)


def containment_check(user):
    who = user or "root"
    tools = tempfile.mkdtemp(prefix="mcp-hotd-cont-")
    os.chmod(tools, 0o777)
    path = os.path.join(tools, "tools.json")
    with open(path, "w") as f:
        json.dump([ADD], f)
    r = subprocess.run([NSDENY, *hotd_for(user), "--containment", "full", "-c", path, "-s",
                        os.path.join(tools, "sock")], capture_output=True, text=True,
                       timeout=30, stdin=subprocess.DEVNULL)
    check(r.returncode == 1, f"{who}: --containment full without namespaces: exit 1",
          r.returncode)
    check("--containment full: namespaces: the kernel refuses user namespaces" in r.stderr,
          f"{who}: the refusal names the missing layer and why", r.stderr[-400:])
    check("listening on" not in r.stderr, f"{who}: nothing served")
    shutil.rmtree(tools, ignore_errors=True)
    d = Daemon([ADD], user=user, wrap=[NSDENY], args=["--containment", "reduced"])
    check(call_add(d) == "5", f"{who}: reduced under the same filter serves")
    check("workers without namespaces" in d.stderr(), f"{who}: ... and warns", d.stderr()[-300:])
    d.stop()
    d = Daemon([ADD], user=user, args=["--containment", "full"])
    check(call_add(d) == "5", f"{who}: --containment full with every layer serves")
    check("containment full:" in d.stderr() and "namespaces user, mount, pid, ipc, net"
          in d.stderr(), f"{who}: the log names the layers", d.stderr()[-300:])
    d.stop()
    d = Daemon([ADD], user=user, args=["--containment", "full", "--landlock-abi-max", "2"])
    check("Landlock ABI 2 lacks ABI 3's truncate(2) by path" in d.stderr(),
          f"{who}: an older Landlock ABI: the log says what it costs")
    d.stop()
    r = subprocess.run([*hotd_for(user), "--containment", "full", "--no-landlock", "-c", "x"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 1 and "--containment full: Landlock: --no-landlock" in r.stderr,
          f"{who}: full and --no-landlock contradict: refused", r.stderr[-300:])
    r = subprocess.run([*hotd_for(user), "--containment", "most", "-c", "x"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode != 0 and "full or reduced" in r.stderr, "a bad --containment: refused")


install_check()
for u in (None, "nobody"):
    notify_check(u)
    containment_check(u)
credentials_check()
rotation_check()
finish()
