# SPDX-License-Identifier: ISC
"""notifications/cancelled: a cancelled call is never answered. One still
waiting for its worker is dropped; one the worker runs, or starts later, is
stopped there (the worker lives on); over HTTP the cancelled request's POST
gets 202."""

import json
import queue
import socket
import threading
import time

from mcptest import Daemon, Server, check, finish, text_of, tool
from sse import post

TOOLS = [
    tool("sleepy", "import time\n\ndef sleepy(s: float) -> str:\n    time.sleep(s)\n    return f'slept {s}'\n"),
    tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n"),
    # catches Exception, as tools do: the cancel is not an Exception
    tool("busy", "import os, time\n\ndef busy(s: float) -> str:\n    try:\n"
         "        end = time.monotonic() + s\n        while time.monotonic() < end:\n"
         "            pass\n    except Exception:\n        return 'swallowed'\n"
         "    return 'finished'\n"),
    tool("pid", "import os\n\ndef pid() -> int:\n    return os.getpid()\n"),
    tool("crashy", "import ctypes, time\n\ndef crashy(s: float, crash: bool = False) -> str:\n"
         "    time.sleep(s)\n    if crash:\n        ctypes.string_at(0)\n    return 'ok'\n"),
]


def cancel(id):
    return {"jsonrpc": "2.0", "method": "notifications/cancelled",
            "params": {"requestId": id, "reason": "test"}}


s = Server(TOOLS)
s.initialize()
# One running, 31 sent behind it (a worker is sent 32 at a time), 2 queued.
s.request("tools/call", {"name": "sleepy", "arguments": {"s": 1.0}}, id="run")
for i in range(33):
    s.request("tools/call", {"name": "sleepy", "arguments": {"s": 0}}, id=f"q{i}")
s.request("tools/call", {"name": "sleepy", "arguments": {"s": 0}}, id=777)
for id in ("run", "q0", "q32", 777, "no-such-call"):
    s.send(cancel(id))
s.request("ping", id="after")
want = {f"q{i}" for i in range(1, 32)} | {"after"}
got = set()
deadline = time.monotonic() + 20
while not want <= got and time.monotonic() < deadline:
    try:
        got.add(s.recv(timeout=max(0.01, deadline - time.monotonic()))["id"])
    except queue.Empty:
        break
check(got == want, "every call answered but the cancelled ones (running, sent, queued)",
      sorted(map(str, got ^ want)))
time.sleep(0.5)
s.request("ping", id="last")
r = s.recv()
check(r["id"] == "last", "nothing comes for them later either", r)
check(text_of(s.call("add", {"a": 2, "b": 3})) == "5", "the session and the tools serve on")

# A running call is stopped: sleeping or computing, the worker is free at once.
for name, args in (("sleepy", {"s": 30}), ("busy", {"s": 30})):
    workers = set(s.workers())
    s.request("tools/call", {"name": name, "arguments": args}, id=f"long-{name}")
    time.sleep(0.5)
    t0 = time.monotonic()
    s.send(cancel(f"long-{name}"))
    r = s.rpc("tools/call", {"name": name, "arguments": {"s": 0}})
    check(r["result"]["isError"] is False and time.monotonic() - t0 < 3,
          f"{name}: a running call is stopped, the next one runs at once",
          f"{time.monotonic() - t0:.2f}s {r}")
    check(set(s.workers()) == workers, f"{name}: by its own worker, not a new one")
# Sent to the worker behind a running one: stopped as soon as it starts.
t0 = time.monotonic()
s.request("tools/call", {"name": "busy", "arguments": {"s": 30}}, id="first")
s.request("tools/call", {"name": "busy", "arguments": {"s": 30}}, id="second")
time.sleep(0.3)
s.send(cancel("second"))
s.send(cancel("first"))
r = s.rpc("tools/call", {"name": "busy", "arguments": {"s": 0}})
check(r["result"]["isError"] is False and time.monotonic() - t0 < 3,
      "a cancelled call not yet started is stopped when it starts",
      f"{time.monotonic() - t0:.2f}s {r}")
# A worker dies with a cancelled call waiting behind: it is not run again.
t0 = time.monotonic()
s.request("tools/call", {"name": "crashy", "arguments": {"s": 0.5, "crash": True}}, id="dies")
s.request("tools/call", {"name": "crashy", "arguments": {"s": 30}}, id="behind")
time.sleep(0.1)
s.send(cancel("behind"))
r = s.response("dies")
check(r["result"]["isError"] and "SIGSEGV" in text_of(r["result"]), "the crash is answered", r)
r = s.rpc("tools/call", {"name": "crashy", "arguments": {"s": 0}})
check(text_of(r["result"]) == "ok" and time.monotonic() - t0 < 5,
      "the cancelled call is dropped, not run by the new worker", f"{time.monotonic() - t0:.2f}s")
log = s.stderr()
check('call "long-busy" cancelled by the client' in log and "Cancelled" not in log,
      "each cancel is logged once, without a traceback", log[-600:])
# A cancel that arrives as its call ends never reaches the next call.
for i in range(200):
    s.request("tools/call", {"name": "pid", "arguments": {}}, id=f"r{i}")
    s.send(cancel(f"r{i}"))
r = s.rpc("tools/call", {"name": "pid", "arguments": {}})
check(r["result"]["isError"] is False, "a late cancel is dropped, not left for the next call", r)
check(s.close() == 0, "stdio server exits 0")

# Over HTTP: the waiting POST is answered 202, with no body.
d = Daemon(TOOLS, http=True, args=["--no-watch"])
st, h, _ = post(d.port, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                         "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                                    "clientInfo": {"name": "cancel-test", "version": "1"}}})
H = {"Mcp-Session-Id": h["Mcp-Session-Id"]}
answer = []
t = threading.Thread(target=lambda: answer.append(post(d.port, {
    "jsonrpc": "2.0", "id": 7, "method": "tools/call",
    "params": {"name": "sleepy", "arguments": {"s": 2.0}}}, H)))
t0 = time.monotonic()
t.start()
time.sleep(0.3)
st, _, _ = post(d.port, cancel(7), H)
check(st == 202, "the cancellation itself: 202", st)
t.join(10)
check(answer and answer[0][0] == 202 and answer[0][2] is None and time.monotonic() - t0 < 1.5,
      "the cancelled request's POST: 202 at once, no body", answer)
st, _, r = post(d.port, {"jsonrpc": "2.0", "id": 8, "method": "tools/call",
                         "params": {"name": "add", "arguments": {"a": 1, "b": 1}}}, H)
check(st == 200 and text_of(r["result"]) == "2", "the HTTP session serves on", (st, r))
check(d.stop() == 0, "daemon exits 0")
# MCP 2026-07-28 over HTTP: a client cancels by closing its request. The
# call stops (its worker serves the next at once), and the server exits
# cleanly after (it once freed such a request's session twice).
NAP = tool("nap", "import time\ndef nap(s: float) -> str:\n    time.sleep(s)\n"
                  "    return 'woke'\n")
d = Daemon([NAP], http=True)
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}}
H26 = {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "nap"}
body = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                   "params": {"name": "nap", "arguments": {"s": 30}, "_meta": META}})
c = socket.create_connection(("127.0.0.1", d.port))
c.sendall((f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           f"Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n"
           f"Mcp-Method: tools/call\r\nMcp-Name: nap\r\nContent-Length: {len(body)}\r\n\r\n"
           f"{body}").encode())
time.sleep(0.5)
c.close()
time.sleep(0.3)
t0 = time.monotonic()
st, _, r = post(d.port, {"jsonrpc": "2.0", "id": 8, "method": "tools/call",
                         "params": {"name": "nap", "arguments": {"s": 0}, "_meta": META}}, H26)
took = time.monotonic() - t0
check(st == 200 and text_of(r["result"]) == "woke" and took < 5 and
      "call 7 cancelled: the client went" in d.stderr(),
      f"2026: a closed request cancels its call (the next answered in {took:.1f} s)", (st, r))
# A client that pipelines a second request while the first waits: the
# first is answered and the server lives (it once read the waiting
# connection, and libevent took the bytes for a protocol error and exited).
NAP_SLOW = json.dumps({"jsonrpc": "2.0", "id": 9, "method": "tools/call",
                       "params": {"name": "nap", "arguments": {"s": 0.5}, "_meta": META}})
head = (f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nMCP-Protocol-Version: 2026-07-28\r\n"
        f"Mcp-Method: tools/call\r\nMcp-Name: nap\r\n")
c = socket.create_connection(("127.0.0.1", d.port))
c.sendall(f"{head}Content-Length: {len(NAP_SLOW)}\r\n\r\n{NAP_SLOW}".encode())
time.sleep(0.2)
c.sendall(f"{head}Content-Length: {len(NAP_SLOW)}\r\n\r\n{NAP_SLOW}".encode())
c.settimeout(10)
got = b""
while b'"woke"' not in got:
    data = c.recv(65536)
    if not data:
        break
    got += data
c.close()
time.sleep(0.3)
check(b'"woke"' in got and d.proc.poll() is None,
      "2026: a request pipelined behind a waiting one: the first answered, the server lives",
      got[:200])
check(d.stop() == 0, "the daemon exits 0 after it")
finish()
