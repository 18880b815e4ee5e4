# SPDX-License-Identifier: ISC
"""HTTP sessions keep the bounds a stdio or unix session gets by not being
read: past 64 calls in flight, or 8 MiB of its event stream unread, a
request is refused with 429; at most 256 sessions, the longest idle one
ending to make room, 503 when every one is busy."""

import json
import os
import re
import signal
import socket
import threading
import time

from mcptest import Daemon, check, finish, tool
from sse import post

TOOLS = [
    tool("slow", "import time\n\ndef slow(s: float) -> str:\n    time.sleep(s)\n    return 'done'\n"),
    # Unannotated: an annotated str is sent twice (text, structuredContent).
    tool("big", "def big(n: int):\n    return 'x' * n\n"),
]
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "limits-test", "version": "1"}}}
PING = {"jsonrpc": "2.0", "id": "ping", "method": "ping"}


def call(i, name, args):
    return {"jsonrpc": "2.0", "id": i, "method": "tools/call",
            "params": {"name": name, "arguments": args}}


def worker_of(d, name):
    for pid in d.workers():
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if f.read().split(b"\0")[1:2] == [name.encode()]:
                return pid
    return None


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024


d = Daemon(TOOLS, http=True, args=["--no-watch"])

# 64 calls in flight on one session: the next request is refused, a
# notification still passes, and once calls are answered requests pass again.
st, h, _ = post(d.port, INIT)
H = {"Mcp-Session-Id": h["Mcp-Session-Id"]}
answers = {}


def run(i, s):
    answers[i] = post(d.port, call(i, "slow", {"s": s}), H)


threads = [threading.Thread(target=run, args=(0, 60))]
threads[0].start()
time.sleep(0.3)                 # the long call first: the others queue behind it
threads += [threading.Thread(target=run, args=(i, 0)) for i in range(1, 64)]
for t in threads[1:]:
    t.start()
deadline = time.time() + 20
while time.time() < deadline:
    st, h, r = post(d.port, PING, H)
    if st == 429:
        break
    time.sleep(0.05)
check(st == 429 and r["error"]["code"] == -32000 and "64 calls are in flight" in r["error"]["message"]
      and h.get("Retry-After") == "1", "the 65th request on a session: 429, naming the limit", (st, r))
st, _, _ = post(d.port, {"jsonrpc": "2.0", "method": "notifications/cancelled",
                         "params": {"requestId": "no-such-call"}}, H)
check(st == 202, "a notification passes at the limit", st)
os.kill(worker_of(d, "slow"), signal.SIGKILL)
for t in threads:
    t.join(30)
check(sorted(answers) == list(range(64)) and all(a[0] == 200 and a[2]["id"] == i
                                                 for i, a in answers.items()),
      "all 64 calls answered", {i: a[0] for i, a in answers.items() if a[0] != 200})
st, _, r = post(d.port, PING, H)
check(st == 200 and r["result"] == {}, "requests pass again once calls are answered", (st, r))

# A client that hangs up before its answer, and one that closes its stream:
# the session goes on (and, under the sanitizers, nothing of theirs leaks).
body = json.dumps(call("gone", "slow", {"s": 0.5})).encode()
c = socket.create_connection(("127.0.0.1", d.port), timeout=30)
c.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          b"Accept: application/json, text/event-stream\r\n"
          + f"Mcp-Session-Id: {H['Mcp-Session-Id']}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
          + body)
c.close()
c = socket.create_connection(("127.0.0.1", d.port), timeout=30)
c.sendall(f"GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
          f"Mcp-Session-Id: {H['Mcp-Session-Id']}\r\n\r\n".encode())
c.recv(1024)
c.close()
time.sleep(1)
st, _, r = post(d.port, call(99, "slow", {"s": 0}), H)
check(st == 200 and r["id"] == 99, "the session serves on after its clients hung up", (st, r))

# The old transport: answers go down the stream. A client that posts calls
# but never reads the stream is refused once 8 MiB wait there unread.
s = socket.create_connection(("127.0.0.1", d.port), timeout=30)
s.sendall(b"GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
got = b""
while b"sessionId=" not in got or b"\n\n" not in got.split(b"sessionId=", 1)[1]:
    got += s.recv(4096)
endpoint = "/messages?sessionId=" + re.search(rb"sessionId=([0-9a-f]+)", got).group(1).decode()
post(d.port, INIT, path=endpoint)
accepted = 0
for i in range(300):
    st, h, r = post(d.port, call(100 + i, "big", {"n": 1_000_000}), path=endpoint)
    if st != 202:
        break
    accepted += 1
    time.sleep(0.01)            # the answer reaches the stream
check(st == 429 and "event stream is unread" in r["error"]["message"] and accepted >= 8,
      f"an unread stream: 429 after {accepted} answers of 1 MB", (st, r))
check(rss_mb(d.pid) < 120, f"the supervisor holds the unread answers within bounds "
      f"({rss_mb(d.pid):.0f} MB)")
want = accepted * 1_000_000
s.settimeout(10)
while got.count(b"x" * 1000) * 1000 < want:      # read the stream now
    data = s.recv(1 << 20)
    if not data:
        break
    got += data
st, _, _ = post(d.port, PING, path=endpoint)
check(st == 202, "once the stream is read, requests pass again", st)
s.close()
check(d.stop() == 0, "daemon exits 0")

# At most 256 sessions: the longest idle makes room; 503 when all are busy.
d = Daemon(TOOLS, http=True, args=["--no-watch"])
sids = [post(d.port, INIT)[1]["Mcp-Session-Id"] for _ in range(256)]
st, h, _ = post(d.port, INIT)
check(st == 200, "a 257th session is opened", st)
sids.append(h["Mcp-Session-Id"])
st, _, _ = post(d.port, PING, {"Mcp-Session-Id": sids[0]})
check(st == 200, "the longest idle left the table, and its id brings it back", st)
st, _, _ = post(d.port, PING, {"Mcp-Session-Id": sids[1]})
check(st == 200, "the others stay", st)
streams, opened = [], 0
for sid in sids[1:]:
    c = socket.create_connection(("127.0.0.1", d.port), timeout=30)
    c.sendall(f"GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
              f"Mcp-Session-Id: {sid}\r\n\r\n".encode())
    opened += c.recv(1024).startswith(b"HTTP/1.1 200")      # the stream is open
    streams.append(c)
check(opened == 256, f"256 streams open ({opened})")
st, h, r = post(d.port, INIT)
check(st == 503 and "256 HTTP sessions are open and busy" in r["error"]["message"]
      and h.get("Retry-After") == "1", "no idle session to end: 503", (st, r))
for c in streams:
    c.close()
time.sleep(0.5)
st, _, _ = post(d.port, INIT)
check(st == 200, "streams closed: sessions are idle again, room is made", st)
check(d.stop() == 0, "daemon exits 0")
finish()
