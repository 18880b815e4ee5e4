# SPDX-License-Identifier: ISC
"""Faults under load: while three clients keep calls in flight over the
unix socket, workers and the spawner are SIGKILLed, the tools file is
replaced by garbage, by null and by a 100 MB file, clients vanish mid-call,
one stops reading, and the descriptors run out for a moment. Every call is
answered exactly once, correctly or with an error that says what happened;
afterwards the service serves and its descriptors and processes are back
to where they were."""

import json
import os
import random
import signal
import socket
import subprocess
import threading
import time

from mcptest import Daemon, check, fd_count, finish, spawners, tool, tool_workers

TOOLS = [tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n"),
         tool("slow", "import time\ndef slow(x: int) -> int:\n    time.sleep(0.02)\n    return x\n"),
         tool("big", "def big() -> str:\n    return 'z' * (1 << 20)\n")]
CLEAR = ("killed by", "exited with", "unavailable", "timed out", "was dropped",
         "shutting down", "failed")
RUN_S = 8
random.seed(7)

d = Daemon(TOOLS)
INIT = [{"jsonrpc": "2.0", "id": "i", "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": {"name": "faults", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"}]


def client(n, stats, stop):
    s = socket.socket(socket.AF_UNIX)
    s.connect(d.sock)
    s.settimeout(30)
    f = s.makefile("rb")
    s.sendall("".join(json.dumps(m) + "\n" for m in INIT).encode())
    json.loads(f.readline())
    i = 0
    while not stop.is_set():
        batch = []
        for _ in range(8):
            i += 1
            if i % 2:
                batch.append((i, "add", {"a": i, "b": n}, str(i + n)))
            else:
                batch.append((i, "slow", {"x": i}, str(i)))
        s.sendall("".join(json.dumps({"jsonrpc": "2.0", "id": k, "method": "tools/call",
                                      "params": {"name": t, "arguments": a}}) + "\n"
                          for k, t, a, _ in batch).encode())
        want = {k: w for k, _, _, w in batch}
        for _ in batch:
            line = f.readline()
            if not line:
                stats["lost"] += len(want)
                return
            m = json.loads(line)
            w = want.pop(m["id"], None)
            r = m.get("result", {})
            text = r.get("content", [{}])[0].get("text", "")
            if w is None:
                stats["unexpected"] += 1
            elif not r.get("isError") and text == w:
                stats["ok"] += 1
            elif r.get("isError") and any(c in text for c in CLEAR):
                stats["clear_error"] += 1
            else:
                stats["wrong"].append(m)
    s.close()


def vanish():
    """A client that sends calls and leaves before their answers."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(d.sock)
    s.sendall("".join(json.dumps(m) + "\n" for m in INIT).encode())
    s.sendall((json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                           "params": {"name": "slow", "arguments": {"x": 1}}}) + "\n").encode())
    s.close()


def replace_tools(text):
    tmp = d.path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, d.path)


time.sleep(0.5)
base_fds = fd_count(d.pid)
base_procs = len(tool_workers(d.pid)) + len(spawners(d.pid))
good = json.dumps(TOOLS)
stop = threading.Event()
stats = [{"ok": 0, "clear_error": 0, "wrong": [], "lost": 0, "unexpected": 0} for _ in range(3)]
threads = [threading.Thread(target=client, args=(n, stats[n], stop)) for n in range(3)]
for t in threads:
    t.start()
# A client that stops reading: its big answers pile up until --max-unread.
hog = socket.socket(socket.AF_UNIX)
hog.connect(d.sock)
hog.sendall("".join(json.dumps(m) + "\n" for m in INIT).encode())
hog.sendall("".join(json.dumps({"jsonrpc": "2.0", "id": k, "method": "tools/call",
                                "params": {"name": "big", "arguments": {}}}) + "\n"
                    for k in range(64)).encode())
faults = []
t_end = time.monotonic() + RUN_S
while time.monotonic() < t_end:
    fault = random.choice(["kill_worker", "kill_spawner", "garbage", "null", "huge",
                           "vanish", "fds"])
    faults.append(fault)
    if fault == "kill_worker" and tool_workers(d.pid):
        os.kill(random.choice(tool_workers(d.pid)), signal.SIGKILL)
    elif fault == "kill_spawner" and spawners(d.pid):
        os.kill(spawners(d.pid)[0], signal.SIGKILL)
    elif fault == "garbage":
        replace_tools("[{\"name\": \"add\", \"code\": ")
    elif fault == "null":
        replace_tools("null")
    elif fault == "huge":
        replace_tools("[" + " " * (100 << 20) + "]")
    elif fault == "vanish":
        vanish()
    elif fault == "fds":
        subprocess.run(["prlimit", f"--pid={d.pid}", f"--nofile={fd_count(d.pid)}:"],
                       check=True)
        try:
            c = socket.socket(socket.AF_UNIX)
            c.settimeout(5)
            c.connect(d.sock)
            c.sendall((json.dumps(INIT[0]) + "\n").encode())
            try:
                line = c.makefile("rb").readline()
                faults.append("refused" if b"file descriptors" in line else
                              "served" if b"result" in line else "unclear")
            except socket.timeout:
                faults.append("hung")
            c.close()
        finally:
            subprocess.run(["prlimit", f"--pid={d.pid}", "--nofile=1024:"], check=True)
    time.sleep(0.3)
    replace_tools(good)
stop.set()
for t in threads:
    t.join(60)
hog.close()

total = {k: sum(s[k] for s in stats) for k in ("ok", "clear_error", "lost", "unexpected")}
wrong = [m for s in stats for m in s["wrong"]]
print(f"# faults: {len(faults)} ({', '.join(sorted(set(faults)))}); answers: {total}")
check(total["ok"] > 100, f"calls kept being served ({total['ok']} right)", total)
check(not wrong, "no wrong answer, no unclear error", wrong[:3])
check(total["lost"] == 0 and total["unexpected"] == 0, "no call lost, none answered twice", total)
check("hung" not in faults and "unclear" not in faults,
      "out of descriptors, a new client is refused or served at once",
      [f for f in faults if f in ("refused", "served", "hung", "unclear")])
check(d.proc.poll() is None, "the supervisor lives")
deadline = time.monotonic() + 15
while time.monotonic() < deadline and (
        fd_count(d.pid) > base_fds or
        len(tool_workers(d.pid)) + len(spawners(d.pid)) != base_procs):
    time.sleep(0.2)
check(fd_count(d.pid) <= base_fds, "descriptors back to where they were",
      (base_fds, fd_count(d.pid)))
check(len(tool_workers(d.pid)) + len(spawners(d.pid)) == base_procs,
      "one worker per tool and the spawner again", (base_procs, tool_workers(d.pid)))
check(d.ctl("status").returncode == 0, "control requests answered")
check(d.stop() == 0, "daemon exits 0")
finish()
