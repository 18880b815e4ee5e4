#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Socket activation, and restarts that refuse nobody: a small fd holder
(what systemd's mcp-hotd.socket does) keeps a unix and a TCP listening
socket, starts mcp-hotd with them (LISTEN_PID, LISTEN_FDS,
LISTEN_FDNAMES), stops it with SIGTERM and starts a new one on the same
sockets, twice, while clients connect in a loop on both: none is refused;
the longest wait is printed."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from mcptest import MCP_HOTD, _servers, check, finish, tool

ADD = tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n")
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "act", "version": "1"}}}


class Holder:
    """Listening sockets held across restarts of the daemon."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="mcp-hotd-act-")
        self.path = os.path.join(self.dir, "tools.json")
        with open(self.path, "w") as f:
            json.dump([ADD], f)
        self.sock_path = os.path.join(self.dir, "held.sock")
        u = socket.socket(socket.AF_UNIX)
        u.bind(self.sock_path)
        u.listen(1024)
        t = socket.socket()
        t.bind(("127.0.0.1", 0))
        t.listen(1024)
        self.port = t.getsockname()[1]
        # Far from 3 and 4, where the daemon takes them.
        self.fds = [self.high(u), self.high(t)]
        u.close()
        t.close()
        self.proc = None

    @staticmethod
    def high(s):
        import fcntl
        fd = fcntl.fcntl(s.fileno(), fcntl.F_DUPFD, 20)
        os.set_inheritable(fd, True)
        return fd

    def start(self, extra=()):
        u, t = self.fds
        # What systemd does between fork and exec: the sockets at 3 and 4,
        # LISTEN_PID the pid that will exec the daemon.
        shim = (f"import os, sys; os.dup2({u}, 3); os.dup2({t}, 4); os.close({u}); "
                f"os.close({t}); os.environ.update(LISTEN_PID=str(os.getpid()), "
                "LISTEN_FDS='2', LISTEN_FDNAMES='unix:http'); os.execv(sys.argv[1], sys.argv[1:])")
        self.err = open(os.path.join(self.dir, f"stderr.{time.monotonic_ns()}"), "w+")
        # -s names a socket the daemon must not make: the held one serves.
        self.proc = subprocess.Popen([sys.executable, "-c", shim, MCP_HOTD, "-c", self.path, "-s",
                                      os.path.join(self.dir, "unused.sock"), *extra],
                                     pass_fds=self.fds, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        self.pid = self.proc.pid
        _servers.append(self)
        deadline = time.monotonic() + 30
        while "listening on" not in self.log():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("daemon did not start: " + self.log())
            time.sleep(0.01)

    def log(self):
        self.err.seek(0)
        return self.err.read()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(30)
        _servers.remove(self)
        return code

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def unix_call(path):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(path)
    f = s.makefile("rw")
    f.write(json.dumps(INIT) + "\n")
    f.write(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                        "params": {"name": "add", "arguments": {"a": 2, "b": 3}}}) + "\n")
    f.flush()
    f.readline()
    r = json.loads(f.readline())
    s.close()
    return r["result"]["content"][0]["text"] == "5"


def http_init(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/mcp", body=json.dumps(INIT), headers={
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
    r = c.getresponse()
    r.read()
    c.close()
    return r.status == 200


class Loop(threading.Thread):
    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn, self.ok, self.bad, self.worst, self.stop = fn, 0, [], 0.0, False

    def run(self):
        while not self.stop:
            t0 = time.monotonic()
            try:
                good = self.fn()
            except Exception as e:
                good = False
                self.bad.append(repr(e))
            self.worst = max(self.worst, time.monotonic() - t0)
            if good:
                self.ok += 1
            elif not self.bad or "Error" not in self.bad[-1]:
                self.bad.append("wrong answer")
            time.sleep(0.005)


# A descriptor that is no listening socket: refused at startup, saying so.
with open(os.devnull) as null:
    fd = Holder.high(null)
    shim = (f"import os, sys; os.dup2({fd}, 3); os.environ.update(LISTEN_PID=str(os.getpid()), "
            "LISTEN_FDS='1'); os.execv(sys.argv[1], sys.argv[1:])")
    d = tempfile.mkdtemp(prefix="mcp-hotd-act-bad-")
    with open(os.path.join(d, "tools.json"), "w") as f:
        json.dump([ADD], f)
    r = subprocess.run([sys.executable, "-c", shim, MCP_HOTD, "-c", os.path.join(d, "tools.json"),
                        "-s", os.path.join(d, "sock")], pass_fds=[fd], capture_output=True,
                       text=True, timeout=30, stdin=subprocess.DEVNULL)
    os.close(fd)
    shutil.rmtree(d, ignore_errors=True)
check(r.returncode == 1 and "descriptor 3 (unnamed) is neither a unix nor a TCP stream socket"
      in r.stderr, "LISTEN_FDS naming something else: a startup error saying what", r.stderr[-300:])

h = Holder()
h.start()
# Each face logs its descriptor as it takes it: the HTTP one may come
# after the unix face's "listening on".
deadline = time.monotonic() + 10
while not ("socket activation: descriptor 3 is the unix socket face" in h.log() and
           "descriptor 4 is the HTTP face" in h.log()) and time.monotonic() < deadline:
    time.sleep(0.01)
check("socket activation: descriptor 3 is the unix socket face" in h.log() and
      "descriptor 4 is the HTTP face" in h.log(), "the handed-over sockets are taken", h.log())
check(f"HTTP endpoint http://127.0.0.1:{h.port}/mcp" in h.log(),
      "the HTTP endpoint line names the held port", h.log()[-300:])
check(f"listening on {h.sock_path}" in h.log(), "the unix face is the held socket")
check(not os.path.exists(os.path.join(h.dir, "unused.sock")), "-s made no socket of its own")
check(unix_call(h.sock_path) and http_init(h.port), "both faces serve")
loops = [Loop(lambda: unix_call(h.sock_path)), Loop(lambda: http_init(h.port))]
for lp in loops:
    lp.start()
time.sleep(0.5)
codes = []
for _ in range(2):
    codes.append(h.stop())
    check(os.path.exists(h.sock_path), "the stopped daemon left the held socket's path")
    h.start()
    time.sleep(0.5)
for lp in loops:
    lp.stop = True
    lp.join(60)
check(codes == [0, 0], "each old daemon exits 0", codes)
for name, lp in zip(("unix", "HTTP"), loops):
    check(lp.ok > 20 and not lp.bad, f"{name}: {lp.ok} connections through two restarts, "
          f"none refused or failed; the longest waited {lp.worst * 1000:.0f} ms "
          "(a restart: the old one drains, the new one loads its tools)", lp.bad[:3])
check(h.stop() == 0, "exits 0")
for fd in h.fds:
    os.close(fd)
finish()
