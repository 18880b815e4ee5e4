# SPDX-License-Identifier: ISC
"""One tool, one worker, two clients: the first queues a backlog of slow
calls, the second sends one; the second is answered after a few of the
first's calls (the send-ahead window shrinks for slow tools, and calls are
picked fairly across clients), not after the whole backlog. Fast tools
keep the full window (bench/run measures their throughput)."""

import json
import time

from mcptest import Daemon, check, finish, tool, unix_client

SLOW = tool("slow", "import time\ndef slow(i: int) -> int:\n    time.sleep(0.1)\n    return i\n")
d = Daemon([SLOW])


def client():
    return unix_client(d.sock)


def call(f, id, i):
    f.write(json.dumps({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                        "params": {"name": "slow", "arguments": {"i": i}}}) + "\n")


sa, a = client()
sb, b = client()
call(a, "warm", 0)                      # the tool's call time is learned
a.flush()
a.readline()
t0 = time.monotonic()
for i in range(20):
    call(a, i, i)
a.flush()
time.sleep(0.05)
call(b, "B", 99)
b.flush()
rb = json.loads(b.readline())
tb = time.monotonic() - t0
check(rb["result"]["content"][0]["text"] == "99" and tb < 0.7,
      f"the second client's call is answered after {tb:.2f} s, not behind the first's "
      "2 s backlog", (tb, rb))
got = [json.loads(a.readline())["id"] for _ in range(20)]
check(got == list(range(20)), "the first client's calls are all answered, in order", got)
sa.close()
sb.close()
check(d.stop() == 0, "the daemon exits 0")
finish()
