# SPDX-License-Identifier: ISC
"""mcp-hotd as a service: unix socket + HTTP, mcp-hotctl, reloads reaching
every session, the SDK over Streamable HTTP, security checks, SIGTERM."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time

from mcptest import (HERE, MCP_HOTCTL, MCP_HOTD, Daemon, check, finish, text_of, tool)
from sse import Stream, post, request

TOOLS = [
    tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n"),
    tool("slow", "import time\n\ndef slow(s: float) -> str:\n    time.sleep(s)\n    return 'done'\n"),
    # what tests/sdk_client.mjs calls
    tool("info", "def info(word: str) -> dict:\n    return {'word': word, 'length': len(word)}\n"),
    tool("fail", "def fail():\n    raise RuntimeError('as designed')\n"),
]
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "http-test", "version": "1"}}}


class Bridge:
    def __init__(self, d, name):
        self.p = subprocess.Popen([MCP_HOTCTL, "-s", d.sock, "bridge"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.n = 0
        self.notes = []
        r = self.rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                    "clientInfo": {"name": name, "version": "1"}})
        self.init = r
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, m):
        self.p.stdin.write((json.dumps(m) + "\n").encode())
        self.p.stdin.flush()

    def recv(self):
        while True:
            m = json.loads(self.p.stdout.readline())
            if "id" in m:
                return m
            self.notes.append(m)

    def rpc(self, method, params=None):
        self.n += 1
        self.send({"jsonrpc": "2.0", "id": self.n, "method": method, "params": params or {}})
        return self.recv()

    def wait_note(self, method):
        while not any(n["method"] == method for n in self.notes):
            line = self.p.stdout.readline()
            if not line:
                return False
            m = json.loads(line)
            if "id" not in m:
                self.notes.append(m)
        return True


# --no-watch: every reload below is asked for, so each reports its own diff.
d = Daemon(TOOLS, http=True, args=["--no-watch"])
check(oct(os.stat(d.sock).st_mode & 0o777) == "0o660", "socket mode 0660")
check(d.port is not None, "HTTP endpoint logged with its port")

# Two bridge clients and one HTTP client at once.
b1, b2 = Bridge(d, "bridge-one"), Bridge(d, "bridge-two")
check(b1.init["result"]["serverInfo"]["name"] == "mcp-hotd", "bridge 1 initialized")
st, hdrs, r = post(d.port, INIT)
sid = hdrs.get("Mcp-Session-Id")
check(st == 200 and sid and r["result"]["protocolVersion"] == "2025-06-18",
      "HTTP initialize issues Mcp-Session-Id", (st, hdrs, r))
H = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18"}
st, _, r = post(d.port, {"jsonrpc": "2.0", "method": "notifications/initialized"}, H)
check(st == 202 and r is None, "HTTP notification: 202 Accepted")
stream = Stream(d.port, headers=H)
time.sleep(0.2)
check(stream.status == 200, "GET /mcp opens an SSE stream", stream.status)
check(text_of(b1.rpc("tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}})["result"]) == "3",
      "bridge 1 calls a tool")
check(text_of(b2.rpc("tools/call", {"name": "add", "arguments": {"a": 2, "b": 2}})["result"]) == "4",
      "bridge 2 calls a tool")
st, _, r = post(d.port, {"jsonrpc": "2.0", "id": "h1", "method": "tools/call",
                         "params": {"name": "add", "arguments": {"a": 5, "b": 5}}}, H)
check(st == 200 and r["id"] == "h1" and text_of(r["result"]) == "10", "HTTP POST calls a tool", r)

# status shows tools and the three sessions.
p = d.ctl("status", "--json")
stj = json.loads(p.stdout) if p.returncode == 0 else {}
check(p.returncode == 0 and [t["name"] for t in stj["tools"]] == ["add", "slow", "info", "fail"],
      "status --json tools")
clients = sorted(s.get("client") or "" for s in stj.get("sessions", []))
check({"bridge-one", "bridge-two", "http-test"} <= set(clients), "status lists every session", clients)
check(all(t["pid"] and t["state"] == "serving" for t in stj["tools"]), "status has pids and states")
check(any("uid" in s["peer"] for s in stj["sessions"]), "unix peers identified by SO_PEERCRED")
p = d.ctl("status")
check(p.returncode == 0 and "add" in p.stdout and "serving" in p.stdout and "SESSION" in p.stdout,
      "status prints a table", p.stdout)

# A reload through mcp-hotctl reaches all three as list_changed.
d.write_tools(TOOLS + [tool("mul", "def mul(a: int, b: int) -> int:\n    return a * b\n")])
time.sleep(0.5)
names = [t["name"] for t in json.loads(d.ctl("status", "--json").stdout)["tools"]]
check("mul" not in names, "--no-watch: a changed file alone reloads nothing", names)
p = d.ctl("reload")
check(p.returncode == 0 and "added: mul" in p.stdout, "mcp-hotctl reload reports what changed", p.stdout + p.stderr)
check(b1.wait_note("notifications/tools/list_changed"), "bridge 1 got list_changed")
check(b2.wait_note("notifications/tools/list_changed"), "bridge 2 got list_changed")
ev = stream.next()
check(ev and json.loads(ev[1])["method"] == "notifications/tools/list_changed",
      "HTTP stream got list_changed", ev)
check(text_of(b1.rpc("tools/call", {"name": "mul", "arguments": {"a": 6, "b": 7}})["result"]) == "42",
      "new tool callable through the bridge")
d.write_tools(TOOLS + [tool("mul", "def mul(a: int, b: int) -> int:\n    return a *\n")])
p = d.ctl("reload")
check(p.returncode == 1 and "FAILED mul" in p.stdout and "SyntaxError" in p.stdout,
      "a failed tool: reload exits 1 naming it", p.stdout)
with open(d.path, "w") as f:
    f.write("[{")
p = d.ctl("reload")
check(p.returncode == 1 and "nothing changed" in p.stdout, "a bad file: reload exits 1", p.stdout)
d.write_tools(TOOLS + [tool("mul", "def mul(a: int, b: int) -> int:\n    return a * b\n")])
check(d.ctl("reload").returncode == 0, "the good file back")

# The official SDK over Streamable HTTP.
node = os.environ.get("NODE") or shutil.which("node")
if node:
    p = subprocess.run([node, os.path.join(HERE, "sdk_client.mjs"), "--http",
                        f"http://127.0.0.1:{d.port}/mcp"], capture_output=True, text=True,
                       timeout=120)
    rep = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else {}
    check(p.returncode == 0, "SDK over Streamable HTTP ran", p.stderr[-1500:])
    check([t["name"] for t in rep.get("tools", [])][:2] == ["add", "slow"], "SDK lists over HTTP")
    check(rep.get("add", {}).get("content") == [{"type": "text", "text": "42"}], "SDK calls over HTTP")
    check(rep.get("sessionId"), "SDK got a session id")
else:
    print("# SKIP: node absent, SDK over HTTP not run")

# HTTP security and protocol errors.
st, _, r = post(d.port, INIT, {"Origin": "http://evil.example"})
check(st == 403, "foreign Origin refused with 403", st)
st, _, r = post(d.port, INIT, {"Origin": "http://localhost:3000"})
check(st == 200, "local Origin allowed", st)
st, _, r = post(d.port, INIT, {"Host": "rebind.example:8080"})
check(st == 403 and "Host not allowed" in r["error"]["message"],
      "a foreign Host without Origin (DNS rebinding) refused with 403", (st, r))
st, _, r = post(d.port, INIT, {"Host": f"localhost:{d.port}"})
check(st == 200, "a loopback Host served", st)
raw = socket.create_connection(("127.0.0.1", d.port))
body = json.dumps(INIT).encode()
raw.sendall(b"POST /mcp HTTP/1.0\r\nContent-Type: application/json\r\n"
            b"Accept: application/json, text/event-stream\r\nContent-Length: " +
            str(len(body)).encode() + b"\r\n\r\n" + body)
got = b""
while (chunk := raw.recv(65536)):
    got += chunk
raw.close()
check(got.startswith(b"HTTP/1.0 200") or got.startswith(b"HTTP/1.1 200"),
      "a request without Host (HTTP/1.0) served", got[:60])
st, _ = request(d.port, "GET", "/.well-known/oauth-authorization-server")
check(st == 404, "/.well-known/oauth-* is 404, not an OAuth server's 401", st)
sid2 = post(d.port, INIT)[1].get("Mcp-Session-Id")
st, h, _ = post(d.port, {"jsonrpc": "2.0", "method": "notifications/initialized"},
                {"Mcp-Session-Id": sid2})
check(st == 202 and "Content-Type" not in h, "an empty 202 carries no Content-Type", h)
st, _, r = post(d.port, {"jsonrpc": "2.0", "id": 2, "method": "ping"})
check(st == 400 and "Mcp-Session-Id" in r["error"]["message"], "missing session id: 400", (st, r))
st, _, r = post(d.port, {"jsonrpc": "2.0", "id": 2, "method": "ping"}, {"Mcp-Session-Id": "nope"})
check(st == 404, "unknown session id: 404", st)
st, _, r = post(d.port, {"jsonrpc": "2.0", "id": 2, "method": "ping"},
                {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "1999-01-01"})
check(st == 400 and "MCP-Protocol-Version" in r["error"]["message"], "bad protocol version header: 400")
st, _, r = post(d.port, None, H, raw="{oops")
check(st == 400 and r["error"]["code"] == -32700, "unparsable body: 400 with -32700", (st, r))
st, _, r = post(d.port, {"jsonrpc": "2.0", "id": 3, "method": "mcp-hotd/reload"}, H)
check(st == 200 and r["error"]["code"] == -32601, "no control methods over HTTP", r)
st, _ = request(d.port, "GET", "/nowhere")
check(st == 404, "unknown path: 404")
st, _ = request(d.port, "PUT", "/mcp")
check(st in (405, 501), "PUT refused", st)
st, _ = request(d.port, "DELETE", "/mcp", {"Mcp-Session-Id": sid})
check(st == 200, "DELETE ends the session")
st, _, r = post(d.port, {"jsonrpc": "2.0", "id": 4, "method": "ping"}, H)
check(st == 404, "deleted session: 404", st)
ev = stream.next()
check(ev is None, "the deleted session's stream ends")

# The old HTTP+SSE transport the seed served.
old = Stream(d.port, path="/sse")
ev = old.next()
check(ev and ev[0] == "endpoint" and ev[1].startswith("/messages?sessionId="), "GET /sse names its endpoint", ev)
st, _, _ = post(d.port, INIT, path=ev[1])
check(st == 202, "POST /messages accepted")
ev2 = old.next()
check(ev2 and json.loads(ev2[1])["result"]["serverInfo"]["name"] == "mcp-hotd", "SSE reply on the stream", ev2)
st, _, _ = post(d.port, {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                         "params": {"name": "add", "arguments": {"a": 20, "b": 22}}}, path=ev[1])
ev3 = old.next()
check(text_of(json.loads(ev3[1])["result"]) == "42", "SSE transport calls a tool", ev3)
old.close()

# SIGTERM with a call in flight: answered, clean exit, socket removed.
b1.send({"jsonrpc": "2.0", "id": "last", "method": "tools/call",
         "params": {"name": "slow", "arguments": {"s": 1.0}}})
time.sleep(0.3)
workers = d.workers()
d.proc.send_signal(15)
r = b1.recv()
check(r["id"] == "last" and text_of(r["result"]) == "done", "in-flight call answered on SIGTERM", r)
check(d.stop() == 0, "exit 0 after SIGTERM")
check(not os.path.exists(d.sock), "socket removed")
check(all(not os.path.exists(f"/proc/{w}") or open(f"/proc/{w}/stat").read().split(") ")[1][0] == "Z"
          for w in workers), "no worker left")
time.sleep(0.3)
check(b2.p.poll() is None, "a bridge whose daemon went away waits to reconnect")
b2.p.stdin.close()
check(b2.p.wait(10) == 0 and b"closed the connection; reconnecting" in b2.p.stderr.read(),
      "... saying so, and exits 0 when its client leaves (bridge_restart.py: the rest)")
b1.p.stdin.close()
b1.p.wait(10)
stream.close()

# Bridge to nowhere; -t; stale socket; a live socket is not stolen.
p = subprocess.run([MCP_HOTCTL, "-s", "/nonexistent/sock", "bridge"], stdin=subprocess.DEVNULL,
                   capture_output=True, text=True, timeout=10)
check(p.returncode == 1 and "cannot connect" in p.stderr, "bridge without daemon: clear error", p.stderr)
tpath = os.path.join(d.dir, "t.json")
with open(tpath, "w") as f:
    json.dump(TOOLS + [tool("bad", "def bad(:\n"), {"name": "nocode", "description": "x"}], f)
p = subprocess.run([MCP_HOTD, "-t", "-c", tpath], capture_output=True, text=True, timeout=60)
check(p.returncode == 1 and "add: OK" in p.stdout and "bad: FAILED: SyntaxError" in p.stdout
      and "SKIPPED" in p.stdout, "-t prints OK/FAILED per tool, exit 1", p.stdout)
with open(tpath, "w") as f:
    json.dump(TOOLS, f)
p = subprocess.run([MCP_HOTD, "-t", "-c", tpath], capture_output=True, text=True, timeout=60)
check(p.returncode == 0 and p.stdout.count(": OK") == len(TOOLS), "-t exit 0 when all load", p.stdout)

s = socket.socket(socket.AF_UNIX)
s.bind(d.sock)          # stale: bound, nobody listening
s.close()
d2 = Daemon(TOOLS, args=[])
d2.stop()
d3 = Daemon(TOOLS)
p = subprocess.run([MCP_HOTD, "-c", d3.path, "-s", d3.sock], capture_output=True, text=True,
                   timeout=30)
check(p.returncode == 1 and "another mcp-hotd" in p.stderr, "a live socket is not taken over", p.stderr)
check(d3.stop() == 0, "daemon 3 exits 0")

# Token and body size on HTTP.
tok = os.path.join(d.dir, "token")
with open(tok, "w") as f:
    f.write("correct-horse-battery-staple\n")
d4 = Daemon(TOOLS, http=True, args=["--http-token-file", tok, "--max-request", "4096"])
st, _, _ = post(d4.port, INIT)
check(st == 401, "no bearer token: 401", st)
st, _, _ = post(d4.port, INIT, {"Authorization": "Bearer wrong-token-wrong-token"})
check(st == 401, "wrong bearer token: 401", st)
st, _, r = post(d4.port, INIT, {"Authorization": "Bearer correct-horse-battery-staple"})
check(st == 200, "right bearer token: 200", st)
st, _, _ = post(d4.port, None, {"Authorization": "Bearer correct-horse-battery-staple"},
                raw=json.dumps(dict(INIT, pad="x" * 10000)))
check(st == 413, "oversized body: 413", st)
check(d4.stop() == 0, "daemon 4 exits 0")

# An idle HTTP session leaves the table (not the client: its id brings it
# back, with what initialize set); one with an open stream stays.
d5 = Daemon(TOOLS, http=True, args=["--http-idle", "1"])
_, h1, _ = post(d5.port, INIT)
_, h2, _ = post(d5.port, INIT)
keep = Stream(d5.port, headers={"Mcp-Session-Id": h2["Mcp-Session-Id"]})
time.sleep(2.5)
st, _, r = post(d5.port, {"jsonrpc": "2.0", "id": 5, "method": "ping"},
                {"Mcp-Session-Id": h1["Mcp-Session-Id"]})
check(st == 200 and r["result"] == {},
      "an idle session leaves the table and comes back from its id", (st, r))
st, _, r = post(d5.port, {"jsonrpc": "2.0", "id": 6, "method": "ping"},
                {"Mcp-Session-Id": h2["Mcp-Session-Id"]})
check(st == 200 and r["result"] == {}, "a session with an open stream stays", (st, r))
check("idle for 1 s, out of the table" in d5.stderr(), "logged")
keep.close()
check(d5.stop() == 0, "daemon 5 exits 0")
# --http-allow-host names one more Host a loopback server answers.
d4 = Daemon(TOOLS, http=True, args=["--no-watch", "--http-allow-host", "mcp.example"])
check(post(d4.port, INIT, {"Host": "mcp.example:8443"})[0] == 200 and
      post(d4.port, INIT, {"Host": "other.example"})[0] == 403,
      "--http-allow-host: that name served, others refused")
check(d4.stop() == 0, "daemon exits 0")
finish()
