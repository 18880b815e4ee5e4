# SPDX-License-Identifier: ISC
"""Drive the real mcp-hotd over real pipes, for the tests in this folder.

Each test script starts servers with Server(...), speaks newline-delimited
JSON-RPC to them and asserts on what comes back. check() records results;
finish() prints them and exits non-zero if any failed. Every server is
stopped at the end and must leave no process behind.
"""

import atexit
import json
import os
import pwd
import queue
import shutil
import socket
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_SRC = os.path.dirname(HERE)
MCP_HOTD = os.environ.get("MCP_HOTD") or os.path.join(TOP_SRC, "src", "mcp-hotd")
SEED = os.path.join(HERE, "data", "seed-tools.json")

_results = {"passed": 0, "failed": 0}
_servers = []


def _cleanup():
    """Whatever happens to a test, no server or worker outlives it."""
    for s in list(_servers):
        s.kill()


atexit.register(_cleanup)


def check(cond, what, detail=""):
    if cond:
        _results["passed"] += 1
        print(f"ok - {what}")
    else:
        _results["failed"] += 1
        print(f"not ok - {what}" + (f": {detail}" if detail else ""))
    sys.stdout.flush()
    return cond


def finish():
    for s in list(_servers):
        s.kill()
    p, f = _results["passed"], _results["failed"]
    print(f"{p} passed, {f} failed")
    sys.exit(1 if f or not p else 0)


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def is_spawner(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip() == "mcp-hotd-spawn"
    except OSError:
        return False


def tool_workers(pid):
    """The supervisor's children that run tools (not the spawner)."""
    return [p for p in children_of(pid) if not is_spawner(p)]


def spawners(pid):
    return [p for p in children_of(pid) if is_spawner(p)]


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def kill_all(server, pids):
    """SIGKILL a server and the given children; forget the server."""
    if server.proc.poll() is None:
        server.proc.kill()
        server.proc.wait()
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    if server in _servers:
        _servers.remove(server)


def read_log(handle, path):
    """What a server wrote to its stderr file so far."""
    if not handle.closed:
        handle.flush()
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


_copies = {}


def hotd_for(user):
    """The supervisor binary to run as user: the build's own for root; for
    another user a copy (with its worker beside it, where the supervisor
    looks) in a directory anyone may enter, as the build tree may be in
    root's home. The command runs it under setpriv with no capabilities."""
    if user is None:
        return [MCP_HOTD]
    if "dir" not in _copies:
        d = tempfile.mkdtemp(prefix="mcp-hotd-bin-")
        top = os.path.dirname(os.path.dirname(os.path.abspath(MCP_HOTD)))
        for rel in ("src/mcp-hotd", "workers/mcp-hotd-worker"):
            os.makedirs(os.path.join(d, os.path.dirname(rel)), exist_ok=True)
            shutil.copy2(os.path.join(top, rel), os.path.join(d, rel))
        for root, dirs, _ in os.walk(d):
            os.chmod(root, 0o755)
        _copies["dir"] = d
        atexit.register(shutil.rmtree, d, True)
    pw = pwd.getpwnam(user)
    return ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all",
            os.path.join(_copies["dir"], "src", "mcp-hotd")]


def open_to(user, directory):
    """Let user read the tools file and make its socket in directory."""
    if user is not None:
        os.chmod(directory, 0o777)


def systemd_verify(root, units, unitdir):
    """systemd-analyze verify of units installed under root (unitdir inside
    it): with --root, verify resolves everything there, so the units go
    where it looks (a build's unitdir may be anywhere) and the host's
    targets, slices and sockets and kill(1) are copied in first. Returns
    the CompletedProcess, or None without systemd-analyze."""
    if shutil.which("systemd-analyze") is None:
        return None
    etc = root + "/etc/systemd/system"
    lib = root + "/usr/lib/systemd/system"
    os.makedirs(etc, exist_ok=True)
    os.makedirs(lib, exist_ok=True)
    for u in units:
        if os.path.realpath(root + unitdir) not in (os.path.realpath(etc),
                                                    os.path.realpath(lib)):
            shutil.copy(os.path.join(root + unitdir, u), etc)
    for f in os.listdir("/usr/lib/systemd/system"):
        if f.endswith((".target", ".slice", ".socket")) and \
                not os.path.exists(os.path.join(lib, f)):
            shutil.copy(os.path.join("/usr/lib/systemd/system", f), lib, follow_symlinks=True)
    os.makedirs(root + "/bin", exist_ok=True)
    shutil.copy(shutil.which("kill"), root + "/bin/kill")
    return subprocess.run(["systemd-analyze", "verify", "--man=no", f"--root={root}", *units],
                          capture_output=True, text=True)


def small_quarantine_env():
    """The environment with AddressSanitizer's quarantine kept small: freed
    buffers sit in a 256 MB one by default, which RSS would count as held
    (a no-op without ASan)."""
    return dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") +
                ":quarantine_size_mb=8:thread_local_quarantine_size_kb=64")


def tool(name, code, description=None, **extra):
    entry = {"name": name, "description": description or f"test tool {name}",
             "code": code}
    entry.update(extra)
    return entry


def free_port():
    """A loopback TCP port nothing listens on (now)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def unix_client(path):
    """An initialized MCP session on the daemon's unix socket: (socket,
    file for reading and writing lines)."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    f = s.makefile("rw")
    f.write(json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                                   "clientInfo": {"name": "mcptest", "version": "1"}}}) + "\n")
    f.flush()
    f.readline()
    return s, f


def dry_run(tools, *args):
    """mcp-hotd -t on a tools file holding tools (a list): loads every tool
    and exits; the finished process."""
    d = tempfile.mkdtemp(prefix="mcp-hotd-dry-")
    path = os.path.join(d, "tools.json")
    with open(path, "w") as f:
        json.dump(tools, f)
    try:
        return subprocess.run([MCP_HOTD, "-t", "-c", path, *args], capture_output=True,
                              text=True, timeout=60)
    finally:
        shutil.rmtree(d, ignore_errors=True)


class Server:
    def __init__(self, tools=None, args=(), tools_text=None, stdin=None,
                 env=None, user=None):
        self.dir = tempfile.mkdtemp(prefix="mcp-hotd-test-")
        open_to(user, self.dir)
        self.path = os.path.join(self.dir, "tools.json")
        if tools_text is None:
            tools_text = json.dumps(tools if tools is not None else [])
        self.write_tools(tools_text)
        self.errpath = os.path.join(self.dir, "stderr.log")
        self.err = open(self.errpath, "wb")
        self.proc = subprocess.Popen(
            [*hotd_for(user), "--stdio", "-c", self.path, *args],
            stdin=stdin if stdin is not None else subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.err, env=env)
        self.pid = self.proc.pid
        self.lines = queue.Queue()
        self.stash = {}
        self.notes = []
        self.next_id = 0
        self.workers_seen = set()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        _servers.append(self)

    def write_tools(self, text):
        """Write the tools file the way an editor does: temp, then rename."""
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text if isinstance(text, str) else json.dumps(text))
        os.rename(tmp, self.path)

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def stderr(self):
        return read_log(self.err, self.errpath)

    def workers(self):
        self.workers_seen.update(children_of(self.pid))
        return tool_workers(self.pid)

    def send_raw(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg):
        self.send_raw(json.dumps(msg, ensure_ascii=False) + "\n")

    def recv_line(self, timeout=20):
        line = self.lines.get(timeout=timeout)
        if line is None:
            raise EOFError("server closed stdout")
        return line

    def recv(self, timeout=20):
        """Next message that is not a notification (those go to notes)."""
        while True:
            msg = json.loads(self.recv_line(timeout))
            if "id" not in msg and "method" in msg:
                self.notes.append(msg)
                continue
            return msg

    def request(self, method, params=None, id=None):
        if id is None:
            self.next_id += 1
            id = self.next_id
        msg = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return id

    def response(self, id, timeout=30):
        key = json.dumps(id)
        deadline = time.monotonic() + timeout
        while key not in self.stash:
            msg = self.recv(max(0.01, deadline - time.monotonic()))
            self.stash[json.dumps(msg.get("id"))] = msg
        return self.stash.pop(key)

    def rpc(self, method, params=None, timeout=30):
        return self.response(self.request(method, params), timeout)

    def initialize(self, version="2025-06-18"):
        r = self.rpc("initialize", {"protocolVersion": version,
                                    "capabilities": {},
                                    "clientInfo": {"name": "mcptest",
                                                   "version": "1"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return r

    def call(self, name, arguments=None, timeout=30):
        params = {"name": name}
        if arguments is not None:
            params["arguments"] = arguments
        r = self.rpc("tools/call", params, timeout)
        if "result" not in r:
            raise AssertionError(f"tools/call {name}: {r}")
        return r["result"]

    def list_tools(self):
        tools, cursor = [], None
        while True:
            r = self.rpc("tools/list", {"cursor": cursor} if cursor else {})
            tools += r["result"]["tools"]
            cursor = r["result"].get("nextCursor")
            if not cursor:
                return tools

    def wait_for(self, pred, timeout=10, step=0.02):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred():
                return True
            time.sleep(step)
        return pred()

    def close(self, timeout=30):
        """Close stdin; returns the exit code. Checks nothing is left."""
        self.workers()
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        code = self.proc.wait(timeout)
        self.reader.join(5)
        self.err.close()
        _servers.remove(self)
        return code

    def leftovers(self):
        return [p for p in self.workers_seen if alive(p)]

    def kill(self):
        self.workers_seen.update(children_of(self.pid))
        kill_all(self, self.workers_seen)


def text_of(result):
    return "".join(c.get("text", "") for c in result.get("content", []))


MCP_HOTCTL = os.environ.get("MCP_HOTCTL") or os.path.join(os.path.dirname(MCP_HOTD), "mcp-hotctl")


class Daemon:
    """mcp-hotd as a service: unix socket (and HTTP when http=True)."""

    def __init__(self, tools, http=False, args=(), env=None, user=None, workdir=None,
                 wrap=()):
        self.dir = workdir or tempfile.mkdtemp(prefix="mcp-hotd-daemon-")
        open_to(user, self.dir)
        self.path = os.path.join(self.dir, "tools.json")
        self.sock = os.path.join(self.dir, "run", "mcp-hotd.sock")
        with open(self.path, "w") as f:
            json.dump(tools, f)
        self.errpath = os.path.join(self.dir, "stderr.log")
        self.err = open(self.errpath, "wb")
        cmd = [*wrap, *hotd_for(user), "-c", self.path, "-s", self.sock]
        if http:
            cmd += ["--http", "127.0.0.1:0"]
        self.proc = subprocess.Popen(cmd + list(args), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.err, env=env)
        self.pid = self.proc.pid
        _servers.append(self)
        self.port = None
        deadline = time.monotonic() + 30
        while "listening on" not in self.stderr():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("daemon did not start: " + self.stderr())
            time.sleep(0.02)
        for line in self.stderr().splitlines():
            if "HTTP endpoint http://" in line:
                self.port = int(line.split("http://")[1].split("/")[0].rsplit(":", 1)[1])

    def stderr(self):
        return read_log(self.err, self.errpath)

    def write_tools(self, tools):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(tools, f)
        os.rename(tmp, self.path)

    def hup(self, needle, timeout=10):
        """SIGHUP, then what the log says after it, once it says needle
        (or timeout seconds passed)."""
        since = len(self.stderr())
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and needle not in self.stderr()[since:]:
            time.sleep(0.05)
        return self.stderr()[since:]

    def ctl(self, *args, timeout=30):
        return subprocess.run([MCP_HOTCTL, "-s", self.sock, *args], capture_output=True,
                              text=True, timeout=timeout)

    def workers(self):
        return tool_workers(self.pid)

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        self.err.close()
        if self in _servers:
            _servers.remove(self)
        return code

    def kill(self):
        kill_all(self, children_of(self.pid))


HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


def balancer(instances):
    """Debian's HAProxy with the shipped contrib/haproxy.cfg in front of
    instances (s1, s2, s3): (its process, its port), every server up."""
    from sse import post
    front = free_port()
    env = dict(os.environ, MCP_FRONT=f"127.0.0.1:{front}",
               **{f"MCP_S{i + 1}": f"127.0.0.1:{d.port}" for i, d in enumerate(instances)})
    p = subprocess.Popen([HAPROXY, "-db", "-f", os.path.join(TOP_SRC, "contrib", "haproxy.cfg")],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if post(front, {}, path="/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.05)
    time.sleep(1.0)                     # every server checked up (rise 2)
    return p, front


TASKS_META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
              "io.modelcontextprotocol/clientCapabilities":
              {"extensions": {"io.modelcontextprotocol/tasks": {}}}}


def body_of(b):
    """A reply body: JSON, or the first JSON data line of an event stream."""
    if isinstance(b, str):
        for line in b.splitlines():
            if line.startswith("data:"):
                try:
                    return json.loads(line[5:])
                except ValueError:
                    pass
    return b


def post26(port, method, params, name=None, rid=1, meta=TASKS_META, headers=None):
    """A 2026-07-28 POST to /mcp with its headers (Mcp-Name: name; and
    headers) and _meta (the tasks extension declared): (status, body)."""
    from sse import post
    h = {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method, **(headers or {})}
    if name is not None:
        h["Mcp-Name"] = name
    status, _, b = post(port, {"jsonrpc": "2.0", "id": rid, "method": method,
                               "params": {**params, "_meta": meta}}, h)
    return status, body_of(b)
