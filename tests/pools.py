# SPDX-License-Identifier: ISC
"""Worker pools: "concurrency": N runs up to N workers of a tool, started as
calls queue and retired after idle_ms down to min_workers (0: none, the
next call starts one). 4 clients x a 2-second tool with concurrency 4
finish in about 2 s; every pool worker shows as mcp-hotd-worker NAME; a
reload drains every worker of the old version; the workers are equal (the
oldest dying leaves the others serving, the pool refills to min_workers);
bad pool fields skip the entry, naming them."""

import json
import os
import threading
import time

from mcptest import Daemon, check, finish, tool, tool_workers, unix_client

SLOW = tool("slow", "import time\ndef slow(i: int) -> int:\n    time.sleep(2)\n    return i\n",
            concurrency=4, idle_ms=1500)
LAZY = tool("lazy", "def lazy() -> int:\n    return 7\n", min_workers=0, idle_ms=300)
BAD = [tool("zero", "def zero() -> int:\n    return 0\n", concurrency=0),
       tool("many", "def many() -> int:\n    return 0\n", concurrency=65),
       tool("minmore", "def minmore() -> int:\n    return 0\n", concurrency=2, min_workers=3)]
d = Daemon([SLOW, LAZY] + BAD)


def client():
    return unix_client(d.sock)


def call(f, id, name, args=None):
    f.write(json.dumps({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                        "params": {"name": name, "arguments": args or {}}}) + "\n")
    f.flush()
    return json.loads(f.readline())


def workers_of(name):
    st = json.loads(d.ctl("status", "--json").stdout)
    return {t["name"]: t["workers"] for t in st["tools"]}.get(name)


def titled():
    """{pid: process title} of the daemon's workers."""
    out = {}
    for pid in tool_workers(d.pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                out[pid] = fh.read().replace(b"\0", b" ").decode().strip()
        except OSError:
            pass
    return out


def eventually(pred, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


answers = []
t0 = time.monotonic()
conns = [client() for _ in range(4)]
threads = [threading.Thread(target=lambda i=i: answers.append(call(conns[i][1], 1, "slow", {"i": i})))
           for i in range(4)]
for t in threads:
    t.start()
time.sleep(1.0)
busy = workers_of("slow")
names = list(titled().values())
for t in threads:
    t.join(30)
took = time.monotonic() - t0
check(sorted(a["result"]["content"][0]["text"] for a in answers) == ["0", "1", "2", "3"] and took < 3.0,
      f"4 clients x a 2 s tool with concurrency 4: {took:.2f} s", (took, answers))
check(busy == 4 and sum(n.endswith(" slow") and n.startswith("mcp-hotd-worker") for n in names) == 4,
      "4 workers while they run, each titled mcp-hotd-worker slow", (busy, names))
check(eventually(lambda: workers_of("slow") == 1, 6),
      "idle pool workers retire after idle_ms, down to 1", workers_of("slow"))
time.sleep(1.0)
check(workers_of("lazy") == 0, "min_workers 0: an idle tool keeps no worker", workers_of("lazy"))
t1 = time.monotonic()
r = call(conns[0][1], 2, "lazy")
cold = (time.monotonic() - t1) * 1000
check(r["result"]["content"][0]["text"] == "7", f"... and its next call starts one ({cold:.1f} ms)", r)

# A reload while the pool is busy: the old version's calls finish, every
# old worker goes, the new version serves.
threads = [threading.Thread(target=lambda i=i: answers.append(call(conns[i][1], 10 + i, "slow", {"i": i})))
           for i in range(3)]
answers.clear()
for t in threads:
    t.start()
time.sleep(0.8)
old = {pid for pid, title in titled().items() if title.endswith(" slow")}
d.write_tools([tool("slow", "def slow(i: int) -> int:\n    return -i\n", concurrency=4), LAZY])
for t in threads:
    t.join(30)
check(sorted(a["result"]["content"][0]["text"] for a in answers) == ["0", "1", "2"],
      "calls running on the old pool finish with the old version", answers)
time.sleep(1.0)
r = call(conns[0][1], 20, "slow", {"i": 5})
check(r["result"]["content"][0]["text"] == "-5", "the new version serves", r)
check(len(old) == 3 and eventually(lambda: not any(os.path.exists(f"/proc/{p}") for p in old), 5),
      "every worker of the old pool (3 busy) is gone", (old, titled()))
# Workers of a pool are equal: any one dying (the oldest included) leaves
# the others serving, and the pool is back to min_workers after.
d.write_tools([tool("slow", "def slow(i: int) -> int:\n    return -i\n", concurrency=4), LAZY,
               tool("trio", "def trio() -> int:\n    return 3\n", concurrency=3, min_workers=3)])
for i in range(6):		# each dispatch grows it by one, up to min_workers
    call(conns[0][1], 40 + i, "trio")
    time.sleep(0.2)
check(eventually(lambda: workers_of("trio") == 3, 10), "min_workers 3: three workers once used",
      workers_of("trio"))
trio = sorted(pid for pid, title in titled().items() if title.endswith(" trio"))
os.kill(trio[0], 9)
eventually(lambda: trio[0] not in titled(), 5)
r = call(conns[0][1], 30, "trio")
check(r["result"]["content"][0]["text"] == "3", "one killed (the oldest): the others serve", r)
check(eventually(lambda: workers_of("trio") == 3 and trio[0] not in titled(), 10),
      "... and the pool is three again", (workers_of("trio"), titled()))
err = d.stderr()
for name, field in (("zero", "'concurrency' must be between 1 and 64"),
                    ("many", "'concurrency' must be between 1 and 64"),
                    ("minmore", "'min_workers' must be at most 'concurrency'")):
    check(f"'{name}'" in err and field in err, f"{name}: skipped, saying {field}", err[-500:])
for s, _ in conns:
    s.close()
check(d.stop() == 0, "the daemon exits 0")
finish()
