# SPDX-License-Identifier: ISC
"""A client that never reads cannot grow the supervisor without bound: on
every face (stdio, the unix socket, HTTP POSTs and streams), past --max-unread bytes of answers waiting to be read (96 MiB
by default), answers over 64 KiB are dropped, each replaced by an isError
that says why, logged once; every call is still answered exactly once."""

import json
import socket
import time

from mcptest import Daemon, check, finish, small_quarantine_env, tool
from sse import raw_post

# Unannotated: an annotated str is sent twice (text, structuredContent).
BIG = "def big():\n    return 'x' * (8 * 1024 * 1024)\n"


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024


ENV = small_quarantine_env()
d = Daemon([tool("big", BIG, timeout_ms=60000)], args=["--max-reply", str(10 << 20)], env=ENV)
before = rss_mb(d.pid)
c = socket.socket(socket.AF_UNIX)
c.connect(d.sock)
c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
msgs = [{"jsonrpc": "2.0", "id": 0, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": {"name": "t", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"}]
msgs += [{"jsonrpc": "2.0", "id": i, "method": "tools/call",
          "params": {"name": "big", "arguments": {}}} for i in range(1, 41)]
c.sendall("".join(json.dumps(m) + "\n" for m in msgs).encode())


deadline = time.monotonic() + 120
peak = 0
while time.monotonic() < deadline:
    peak = max(peak, rss_mb(d.pid))
    if "answers dropped" in d.stderr():
        break
    time.sleep(0.2)
time.sleep(2)
peak = max(peak, rss_mb(d.pid))
check(peak - before < 150, f"40 unread 8 MB answers grew the supervisor by {peak - before:.0f} MB "
      "(cap 96 MiB)", (before, peak))
check(d.stderr().count("answers dropped") == 1, "dropping is logged once")
f = c.makefile("rb")
answers = {}
for _ in range(41):
    m = json.loads(f.readline())
    answers[m["id"]] = m
texts = [answers[i]["result"]["content"][0]["text"] for i in range(1, 41)]
full = sum(1 for t in texts if len(t) == 8 * 1024 * 1024)
dropped = sum(1 for t in texts if "was dropped" in t)
check(full + dropped == 40 and 6 <= full <= 16 and dropped >= 24,
      f"every call answered once: {full} whole, {dropped} dropped with a reason", (full, dropped))
check(all(answers[i]["result"]["isError"] for i in range(1, 41) if "was dropped" in texts[i - 1]),
      "a dropped answer is an isError")
c.close()
check(d.stop() == 0, "daemon exits 0")

# The same over HTTP: 40 POSTs, each on its own connection, none read.
d = Daemon([tool("big", BIG, timeout_ms=60000)], args=["--max-reply", str(10 << 20)], env=ENV,
           http=True)
c = raw_post(d.port, msgs[0])
head = c.recv(65536).decode()
sid = next(l.split(":", 1)[1].strip() for l in head.split("\r\n")
           if l.lower().startswith("mcp-session-id:"))
c.close()
before = rss_mb(d.pid)
posts = []
for m in msgs[2:]:
    posts.append(raw_post(d.port, m, {"Mcp-Session-Id": sid}))
deadline = time.monotonic() + 120
peak = 0
while time.monotonic() < deadline and "answers dropped" not in d.stderr():
    peak = max(peak, rss_mb(d.pid))
    time.sleep(0.2)
time.sleep(2)
peak = max(peak, rss_mb(d.pid))
unread = json.loads(d.ctl("status", "--json").stdout)["unread_bytes"]
check(64 << 20 < unread <= 96 << 20, f"mcp-hotctl status counts {unread >> 20} MiB unread")
check(peak - before < 150, f"40 unread 8 MB answers to HTTP POSTs grew the supervisor by "
      f"{peak - before:.0f} MB (cap 96 MiB)", (before, peak))
full = dropped = 0
for c in posts:
    c.settimeout(30)
    f = c.makefile("rb")
    status = f.readline()
    length = 0
    while (line := f.readline().strip()):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    text = json.loads(f.read(length))["result"]["content"][0]["text"]
    full += len(text) == 8 * 1024 * 1024 and b" 200 " in status
    dropped += "was dropped" in text
    c.close()
check(full + dropped == 40 and dropped >= 10,
      f"every POST answered once: {full} whole, {dropped} dropped with a reason", (full, dropped))
check(d.stop() == 0, "daemon exits 0")
finish()
