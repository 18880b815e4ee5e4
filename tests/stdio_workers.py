# SPDX-License-Identifier: ISC
"""One worker process per tool: parallel across tools, FIFO within one,
crashes answered and respawned, nothing left behind."""

import json
import os
import subprocess
import tempfile
import time

from mcptest import MCP_HOTD, Server, check, fd_count, finish, text_of, tool, tool_workers

TOOLS = [
    tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n"),
    tool("sleepy", "import time\n\ndef sleepy(s: float) -> str:\n    time.sleep(s)\n    return f'slept {s}'\n"),
    tool("counter", "n = 0\n\ndef counter(tag: str) -> str:\n    global n\n    n += 1\n    return f'{tag}:{n}'\n"),
    tool("crash", "import ctypes\n\ndef crash(how: str = 'segv'):\n"
         "    if how == 'segv':\n        ctypes.string_at(0)\n"
         "    if how == 'exit':\n        import os\n        os._exit(7)\n"
         "    return 'survived'\n"),
    tool("pid", "import os\n\ndef pid() -> int:\n    return os.getpid()\n"),
    tool("mixed", "import ctypes, os, signal, time\n\ndef mixed(how: str, n: int = 0) -> int:\n"
         "    if how == 'segv':\n        ctypes.string_at(0)\n"
         "    if how == 'exit':\n        os._exit(5)\n"
         "    if how == 'trap':\n        os.kill(1, 0)\n"
         "    if how == 'hang':\n        time.sleep(30)\n"
         "    if how == 'slow':\n        time.sleep(1)\n"
         "    return n\n", timeout_ms=1500),
]

s = Server(TOOLS)
s.initialize()
workers = s.workers()
check(len(workers) == len(TOOLS), "one worker process per tool", workers)
check(s.pid not in workers and all(w != s.pid for w in workers), "tool code runs outside the supervisor")

# A sleeping tool never delays another tool's reply.
slow = s.request("tools/call", {"name": "sleepy", "arguments": {"s": 1.5}})
t0 = time.monotonic()
fast = s.request("tools/call", {"name": "add", "arguments": {"a": 1, "b": 1}})
r = s.response(fast)
elapsed = time.monotonic() - t0
check(text_of(r["result"]) == "2" and elapsed < 1.0, "fast tool answers while another sleeps",
      f"{elapsed:.3f}s")
r = s.response(slow)
check(text_of(r["result"]) == "slept 1.5", "slow call answered after")

# Calls to one tool run in order (FIFO), replies matched by id.
ids = [s.request("tools/call", {"name": "counter", "arguments": {"tag": f"c{i}"}}) for i in range(20)]
outs = [text_of(s.response(i)["result"]) for i in ids]
check(outs == [f"c{i}:{i + 1}" for i in range(20)], "one tool's calls run FIFO", outs[:5])

# 200 pipelined calls, answered right, each exactly once.
base = fd_count(s.pid)
payload = "".join(json.dumps({"jsonrpc": "2.0", "id": f"p{i}", "method": "tools/call",
                              "params": {"name": "add", "arguments": {"a": i, "b": 1000}}}) + "\n"
                  for i in range(200))
s.send_raw(payload)
got = {}
for _ in range(200):
    m = s.recv()
    got.setdefault(m["id"], []).append(m)
check(len(got) == 200 and all(len(v) == 1 for v in got.values()), "200 pipelined: each answered once")
check(all(text_of(got[f"p{i}"][0]["result"]) == str(i + 1000) for i in range(200)),
      "200 pipelined: every answer right")

# A worker that dies mid-call: the call says how, the next call works.
old = s.call("pid")
r = s.call("crash", {"how": "segv"})
check(r["isError"] and "signal 11" in text_of(r) and "SIGSEGV" in text_of(r),
      "segfault answered isError naming the signal", r)
r = s.call("crash", {"how": "no"})
check(text_of(r) == "survived", "crashed tool respawned for the next call", r)
r = s.call("crash", {"how": "exit"})
check(r["isError"] and "status 7" in text_of(r), "os._exit answered naming the status", r)
check(text_of(s.call("crash", {"how": "no"})) == "survived", "respawned again")
check(s.call("pid") == old, "other tools' workers untouched by a crash")
check(s.wait_for(lambda: fd_count(s.pid) == base, 5), "no fd leaked across crashes",
      (base, fd_count(s.pid)))
check(s.wait_for(lambda: len(s.workers()) == len(TOOLS), 5), "worker count back to one per tool")

# A worker writes a pipelined batch's results together, but a finished
# answer never waits on a later call of the batch, nor dies with it.
def batch(tag, how):
    lines = [{"jsonrpc": "2.0", "id": f"{tag}{n}", "method": "tools/call",
              "params": {"name": "mixed", "arguments": {"how": "ok", "n": n}}} for n in (1, 2, 3)]
    lines.append({"jsonrpc": "2.0", "id": f"{tag}-bad", "method": "tools/call",
                  "params": {"name": "mixed", "arguments": {"how": how}}})
    s.send_raw("".join(json.dumps(m) + "\n" for m in lines))
    t0 = time.monotonic()
    oks = [s.response(f"{tag}{n}") for n in (1, 2, 3)]
    return oks, time.monotonic() - t0, s.response(f"{tag}-bad")["result"]


# A call the sandbox refuses (kill) raises in the tool: it ends no worker.
for how, needle in (("segv", "SIGSEGV"), ("exit", "status 5"), ("trap", "PermissionError"),
                    ("hang", "timed out")):
    oks, _, bad = batch(how, how)
    check([text_of(r.get("result", {})) for r in oks] == ["1", "2", "3"],
          f"answers before a call that ends the worker ({how}) are delivered", oks)
    check(bad["isError"] and needle in text_of(bad), f"that call says why ({needle})", bad)
oks, waited, bad = batch("slow", "slow")
check([text_of(r.get("result", {})) for r in oks] == ["1", "2", "3"] and waited < 0.8,
      "answers before a slow call do not wait for it", f"{waited:.3f}s")
check(not bad["isError"] and text_of(bad) == "0", "the slow call answers too", bad)

# stdin closing with a call in flight: it is answered, then a clean exit.
slow = s.request("tools/call", {"name": "sleepy", "arguments": {"s": 0.5}})
s.proc.stdin.close()
r = s.response(slow)
check(text_of(r["result"]) == "slept 0.5", "in-flight call answered after stdin closed")
check(s.close() == 0, "exit 0 after stdin closed")
check(s.leftovers() == [], "no worker process left", s.leftovers())

# Requests from a regular file, replies to a regular file (epoll cannot poll these).
d = tempfile.mkdtemp()
tools_path = os.path.join(d, "tools.json")
json.dump(TOOLS[:1], open(tools_path, "w"))
req = os.path.join(d, "in.jsonl")
with open(req, "w") as f:
    f.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                                   "clientInfo": {"name": "f", "version": "1"}}}) + "\n")
    for i in range(50):
        f.write(json.dumps({"jsonrpc": "2.0", "id": i + 2, "method": "tools/call",
                            "params": {"name": "add", "arguments": {"a": i, "b": i}}}) + "\n")
out = os.path.join(d, "out.jsonl")
with open(req) as fin, open(out, "w") as fout:
    p = subprocess.run([MCP_HOTD, "--stdio", "-c", tools_path], stdin=fin, stdout=fout,
                       stderr=subprocess.PIPE, timeout=60)
replies = [json.loads(l) for l in open(out)]
check(p.returncode == 0 and len(replies) == 51, "stdin and stdout as regular files",
      (p.returncode, len(replies), p.stderr[-300:]))
check(sorted(text_of(r["result"]) for r in replies[1:]) == sorted(str(2 * i) for i in range(50)),
      "file mode answers right")
p = subprocess.run([MCP_HOTD, "--stdio", "-c", tools_path], stdin=subprocess.DEVNULL,
                   capture_output=True, timeout=30)
check(p.returncode == 0 and p.stdout == b"", "stdin /dev/null: exits 0 at once")

# An endless stdin (/dev/zero: one line that never ends) never starves the
# loop: SIGTERM still ends the server, at once, and its workers leave on
# their own when their channel closes (no SIGKILL after a grace period).
p = subprocess.Popen([MCP_HOTD, "--stdio", "-c", tools_path], stdin=open("/dev/zero", "rb"),
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
deadline = time.monotonic() + 20
while len(tool_workers(p.pid)) < 1 and time.monotonic() < deadline:
    time.sleep(0.05)
time.sleep(0.3)
t0 = time.monotonic()
p.send_signal(15)
try:
    rc = p.wait(10)
except subprocess.TimeoutExpired:
    p.kill()
    rc = p.wait()
waited = time.monotonic() - t0
log = p.stderr.read().decode()
# Workers not gone within 2 s (EXIT_GRACE_MS) would be SIGKILLed: well
# under that means they left on EOF (a worker still loading finishes its
# load first, which on a busy machine takes a while).
check(rc == 0 and waited < 1.8, "endless stdin: SIGTERM exits 0 promptly, workers leave on EOF",
      (rc, f"{waited:.3f}s", log[-300:]))

# Startup failures are clear.
p = subprocess.run([MCP_HOTD, "--stdio", "-c", os.path.join(d, "missing.json")],
                   stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
check(p.returncode == 1 and b"missing.json" in p.stderr, "missing file: exit 1 naming it", p.stderr)
bad = os.path.join(d, "bad.json")
open(bad, "w").write('[\n  {"name": "x",\n   "code": }\n]\n')
p = subprocess.run([MCP_HOTD, "--stdio", "-c", bad], stdin=subprocess.DEVNULL,
                   capture_output=True, timeout=30)
check(p.returncode == 1 and b"bad.json:3:" in p.stderr, "bad JSON: exit 1 with line:column",
      p.stderr)
# A file holding just null (json-c's NULL object) is an error that says so,
# at startup and on reload, never uninitialised bytes.
open(bad, "w").write("null\n")
p = subprocess.run([MCP_HOTD, "--stdio", "-c", bad], stdin=subprocess.DEVNULL,
                   capture_output=True, timeout=30)
check(p.returncode == 1 and b"bad.json: the top level must be a JSON array" in p.stderr,
      "a file of null: exit 1, said plainly", p.stderr)
s = Server([tool("ok", "def ok() -> int:\n    return 1\n")], args=["--no-watch"])
s.initialize()
s.write_tools("null")
os.kill(s.pid, 1)
check(s.wait_for(lambda: "top level must be a JSON array" in s.stderr(), 10) and
      text_of(s.call("ok")) == "1", "a reload to null keeps serving and says why",
      s.stderr()[-300:])
s.close()
p = subprocess.run([MCP_HOTD, "--bogus"], capture_output=True, timeout=30)
check(p.returncode == 2 and b"usage" in p.stderr, "bad option: usage, exit 2")
# The supervisor's environment reaches no tool, at load or at call time.
env = dict(os.environ, MCP_HOTD_TEST_SECRET="hunter2-secret")
s = Server([tool("env", "import os\nLOADED = dict(os.environ)\n"
                 "try:\n    PARENT = open(f'/proc/{os.getppid()}/environ', 'rb').read()\n"
                 "except OSError as e:\n    PARENT = str(e).encode()\n\n"
                 "def env() -> dict:\n    return {'load': LOADED, 'call': dict(os.environ),"
                 " 'parent': PARENT.decode('latin-1')}\n")], env=env)
s.initialize()
r = s.call("env")
blob = json.dumps(r)
check("hunter2" not in blob and "MCP_HOTD_TEST_SECRET" not in blob,
      "no secret from the supervisor's environment visible to a tool", blob[:300])
check(set(r["structuredContent"]["call"]) <= {"PATH", "LANG", "TMPDIR"}, "worker environment is minimal",
      r["structuredContent"]["call"])
check(s.close() == 0, "env server exits 0")
finish()
