# SPDX-License-Identifier: ISC
"""A client that sends many calls and does not read the answers: the
supervisor holds its lines instead of buffering without bound, other
clients are served meanwhile, and once it reads, every answer arrives."""

import json
import socket
import time

from mcptest import Daemon, Server, check, finish, small_quarantine_env, text_of, tool

MB = 1024 * 1024
# big unannotated: an annotated str is sent twice (text, structuredContent).
TOOLS = [tool("big", "def big(i: int):\n    return str(i).rjust(1048576, '.')\n"),
         tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n")]
N = 400


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(l for l in f if l.startswith("VmRSS:")).split()[1])


ENV = small_quarantine_env()
d = Daemon(TOOLS, env=ENV)
slow = socket.socket(socket.AF_UNIX)
slow.connect(d.sock)
slow.sendall("".join(json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                                 "params": {"name": "big", "arguments": {"i": i}}}) + "\n"
                     for i in range(N)).encode())
time.sleep(3)            # it reads nothing meanwhile: N MB of answers are due
peak = rss_kb(d.pid)
check(peak < 120 * 1024, f"supervisor memory stays bounded ({peak // 1024} MB for "
      f"{N} MB of unread answers)", peak)


fast = socket.socket(socket.AF_UNIX)
fast.connect(d.sock)
fast.sendall(b'{"jsonrpc":"2.0","id":"f","method":"tools/call","params":{"name":"add",'
             b'"arguments":{"a":2,"b":2}}}\n')
f = fast.makefile("rb")
r = json.loads(f.readline())
check(r["id"] == "f" and text_of(r["result"]) == "4", "another client is served meanwhile", r)

got = {}
rf = slow.makefile("rb")
for _ in range(N):
    m = json.loads(rf.readline())
    got[m["id"]] = m
check(len(got) == N, "every held call is answered once the client reads", len(got))
check(all(text_of(got[i]["result"]).endswith(str(i)) and
          len(text_of(got[i]["result"])) == MB for i in range(N)), "and every answer is right")
check(rss_kb(d.pid) < 200 * 1024, "memory released afterwards")
slow.close()
fast.close()
check(d.stop() == 0, "daemon exits 0")

# Over stdio too: held lines go on as answers are taken.
s = Server(TOOLS, env=ENV)
s.initialize()
s.send_raw("".join(json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                               "params": {"name": "big", "arguments": {"i": i}}}) + "\n"
                   for i in range(N)))
ids = set()
for _ in range(N):
    ids.add(s.recv(60)["id"])
check(ids == set(range(N)), "stdio: every answer arrives", len(ids))
check(s.close() == 0, "stdio server exits 0")
finish()
