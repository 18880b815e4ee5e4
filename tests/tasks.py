# SPDX-License-Identifier: ISC
"""Tasks as a service keeps them: a 2026 task made over one connection is
fetched over another after the first closed; a 2025 task is fetched again
on its session from a new connection, and no other session sees it;
tasks/result waits for the end; a task's deadline is its own
(task_timeout_ms), not the tool's; a reload during a running task loses
neither the task nor the new version; 64 long tasks of one tool do not
stop a second tool's calls; a tool's max_tasks refuses the next, saying
so; a task expires after task_ttl_ms; status --json counts them."""

import json
import socket
import time

from mcptest import TASKS_META as META, Daemon, body_of, check, finish, post26, text_of
from sse import post



def tools(version="v1"):
    return [
        {"name": "slow", "description": "Sleeps, then answers.", "task": "optional",
         "timeout_ms": 300, "task_timeout_ms": 3000, "concurrency": 4,
         "code": "import time\n\ndef slow(seconds: float = 1) -> str:\n"
                 "    time.sleep(seconds)\n    return f'slept {seconds}'\n"},
        {"name": "versioned", "description": "Says its version after a while.",
         "task": "optional",
         "code": f"import time\n\ndef versioned(seconds: float = 0) -> str:\n"
                 f"    time.sleep(seconds)\n    return '{version}'\n"},
        {"name": "long", "description": "A long job.", "task": "optional", "concurrency": 4,
         "max_tasks": 64,
         "code": "import time\n\ndef long() -> str:\n    time.sleep(30)\n    return 'done'\n"},
        {"name": "capped", "description": "At most two tasks.", "task": "optional",
         "max_tasks": 2,
         "code": "import time\n\ndef capped() -> str:\n    time.sleep(30)\n    return 'done'\n"},
        {"name": "brief", "description": "Kept one second once done.", "task": "optional",
         "task_ttl_ms": 1000, "code": "def brief() -> str:\n    return 'brief'\n"},
        {"name": "quick", "description": "Interactive.",
         "code": "def quick(x: int) -> int:\n    return x + 1\n"},
    ]








def session25(port):
    _, h, b = post(port, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                          "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                                     "clientInfo": {"name": "tasks", "version": "1"}}})
    sid = h.get("Mcp-Session-Id") or h.get("mcp-session-id")
    post(port, {"jsonrpc": "2.0", "method": "notifications/initialized"},
         {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"})
    return sid


def post25(port, sid, method, params, rid=2):
    _, _, b = post(port, {"jsonrpc": "2.0", "id": rid, "method": method, "params": params},
                   {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"})
    return body_of(b)


def unix_rpc(sock_path, msgs):
    """Each message on one unix-socket connection, its replies; then closed."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    f = s.makefile("rwb")
    out = []
    for m in msgs:
        f.write((json.dumps(m) + "\n").encode())
        f.flush()
        while True:
            r = json.loads(f.readline())
            if "id" in r:
                out.append(r)
                break
    s.close()
    return out


def settle(get, until=("completed", "failed", "cancelled"), seconds=15):
    end = time.monotonic() + seconds
    t = {}
    while time.monotonic() < end:
        t = get()
        if t.get("status") in until:
            return t
        time.sleep(0.1)
    return t


d = Daemon(tools(), http=True)
port = d.port

# --- 2026: made on one connection, fetched on another --------------------
r = unix_rpc(d.sock, [{"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                       "params": {"name": "slow", "arguments": {"seconds": 1}, "_meta": META}}])
tid = r[0].get("result", {}).get("taskId")
check(r[0].get("result", {}).get("resultType") == "task" and tid and len(tid) >= 32,
      "2026 over the unix socket: a task made, its id 128 bits of hex", r)


def get26_unix():
    return unix_rpc(d.sock, [{"jsonrpc": "2.0", "id": 2, "method": "tasks/get",
                              "params": {"taskId": tid, "_meta": META}}])[0].get("result", {})


t = settle(get26_unix)
check(t.get("status") == "completed" and text_of(t.get("result", {})) == "slept 1",
      "2026: after its client left, a new connection fetches the task's result "
      "(1 s: past the tool's timeout_ms of 300 ms, within its task_timeout_ms)", t)
r = unix_rpc(d.sock, [{"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                       "params": {"name": "slow", "arguments": {"seconds": 1},
                                  "_meta": {**META, "io.modelcontextprotocol/clientCapabilities":
                                            {}}}}])[0]
check(r.get("result", {}).get("isError") is True and "timed out after 300 ms" in
      text_of(r.get("result", {})),
      "the same call not as a task times out at the tool's timeout_ms", r)
st, b = post26(port, "tools/call", {"name": "slow", "arguments": {"seconds": 5}}, "slow")
tid5 = (b or {}).get("result", {}).get("taskId")
t = settle(lambda: post26(port, "tasks/get", {"taskId": tid5}, tid5)[1].get("result", {}))
check(t.get("status") == "failed" and "timed out after 3000 ms" in
      t.get("error", {}).get("message", "") and "result" not in t,
      "2026 over HTTP: a task past its task_timeout_ms fails, saying so", t)
st, b = post26(port, "tasks/get", {"taskId": "0" * 32}, "0" * 32)
check(st == 400 and (b or {}).get("error", {}).get("code") == -32602,
      "2026: an unknown task id is -32602", (st, b))

# --- 2026: a listen stream naming a task hears its status -----------------
r = unix_rpc(d.sock, [{"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                       "params": {"name": "slow", "arguments": {"seconds": 1}, "_meta": META}}])
tl = r[0]["result"]["taskId"]
ls = socket.socket(socket.AF_UNIX)
ls.connect(d.sock)
lf = ls.makefile("rwb")
lf.write((json.dumps({"jsonrpc": "2.0", "id": "L", "method": "subscriptions/listen",
                      "params": {"notifications": {"taskIds": [tl]}, "_meta": META}}) + "\n")
         .encode())
lf.flush()
heard = []
ls.settimeout(5)
try:
    while not any(n.get("params", {}).get("status") == "completed" for n in heard):
        heard.append(json.loads(lf.readline()))
except (OSError, ValueError):
    pass
ls.close()
ack = heard[0] if heard else {}
done = [n for n in heard if n.get("method") == "notifications/tasks"]
check(ack.get("params", {}).get("notifications", {}).get("taskIds") == [tl] and done and
      done[-1]["params"]["taskId"] == tl and done[-1]["params"]["status"] == "completed" and
      text_of(done[-1]["params"].get("result", {})) == "slept 1" and
      done[-1]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "L",
      "2026: subscriptions/listen with taskIds hears notifications/tasks, the result inlined",
      heard)
r = unix_rpc(d.sock, [{"jsonrpc": "2.0", "id": 1, "method": "subscriptions/listen",
                       "params": {"notifications": {"taskIds": [tl]},
                                  "_meta": {**META, "io.modelcontextprotocol/clientCapabilities":
                                            {}}}}])
check(r[0].get("error", {}).get("code") == -32021,
      "2026: taskIds without the extension: -32021", r)

# --- 2025: its session's, from any connection; no other session's --------
sa, sb = session25(port), session25(port)
r = post25(port, sa, "tools/call", {"name": "slow", "arguments": {"seconds": 1},
                                    "task": {"ttl": 60000}})
t25 = r.get("result", {}).get("task", {})
check(t25.get("status") == "working" and t25.get("ttl") == 60000 and t25.get("pollInterval"),
      "2025: a tools/call with a task param makes a task (ttl as asked)", r)
g = post25(port, sa, "tasks/get", {"taskId": t25.get("taskId")})
check(g.get("result", {}).get("taskId") == t25.get("taskId"),
      "2025: fetched again on its session over a new connection", g)
g = post25(port, sb, "tasks/get", {"taskId": t25.get("taskId")})
check(g.get("error", {}).get("code") == -32602,
      "2025: another session does not see it (-32602, as unknown)", g)
t0 = time.monotonic()
res = post25(port, sa, "tasks/result", {"taskId": t25.get("taskId")})
check(text_of(res.get("result", {})) == "slept 1" and
      res["result"].get("_meta", {}).get("io.modelcontextprotocol/related-task") ==
      {"taskId": t25.get("taskId")},
      f"2025: tasks/result waited for the end ({time.monotonic() - t0:.1f} s), the result "
      "naming its task", res)
lst = post25(port, sa, "tasks/list", {}).get("result", {}).get("tasks", [])
check([x["taskId"] for x in lst] == [t25.get("taskId")], "2025: tasks/list: its session's", lst)
c = post25(port, sa, "tasks/cancel", {"taskId": t25.get("taskId")})
check(c.get("error", {}).get("code") == -32602 and "already completed" in
      c["error"].get("message", ""), "2025: a finished task cannot be cancelled", c)

# --- a reload while a task runs --------------------------------------------
st, b = post26(port, "tools/call", {"name": "versioned", "arguments": {"seconds": 2}},
               "versioned")
tv = b["result"]["taskId"]
time.sleep(0.5)
d.write_tools(tools("v2"))
deadline = time.monotonic() + 10
while time.monotonic() < deadline and "reloaded" not in d.stderr():
    time.sleep(0.05)
st, b = post26(port, "tools/call", {"name": "versioned", "arguments": {}}, "versioned")
new = b.get("result", {})
new_text = text_of(new) if "content" in new else text_of(settle(
    lambda: post26(port, "tasks/get", {"taskId": new["taskId"]}, new["taskId"])[1]
    .get("result", {})).get("result", {}))
t = settle(lambda: post26(port, "tasks/get", {"taskId": tv}, tv)[1].get("result", {}))
check(t.get("status") == "completed" and text_of(t.get("result", {})) == "v1" and
      new_text == "v2",
      "a reload during a running task: the task finishes on its version, new calls get "
      "the new one", (t, new_text))

# --- 64 long tasks of one tool; another tool's calls go on ----------------
ids = []
for i in range(64):
    st, b = post26(port, "tools/call", {"name": "long", "arguments": {}}, "long", rid=i)
    ids.append((b or {}).get("result", {}).get("taskId"))
check(all(ids) and len(set(ids)) == 64, "64 tasks of one tool made", ids[:3])
t0 = time.monotonic()
answers = []
for i in range(20):
    st, b = post26(port, "tools/call", {"name": "quick", "arguments": {"x": i}}, "quick", rid=i)
    answers.append(text_of((b or {}).get("result", {})))
took = time.monotonic() - t0
check(answers == [str(i + 1) for i in range(20)] and took < 5,
      f"meanwhile another tool answers 20 calls in {took:.2f} s", answers)
st, b = post26(port, "tools/call", {"name": "long", "arguments": {}}, "long", rid=99)
check((b or {}).get("error", {}).get("code") == -32603 and "max_tasks" in
      b["error"].get("message", ""), "the 65th task of that tool is refused, naming max_tasks",
      b)
stat = json.loads(d.ctl("status", "--json").stdout)
check(stat.get("tasks", {}).get("working", 0) >= 64,
      "status --json counts the tasks working", stat.get("tasks"))
for i, tid_ in enumerate(ids):
    st, b = post26(port, "tasks/cancel", {"taskId": tid_}, tid_, rid=i)
check(st == 200 and b.get("result") == {"resultType": "complete"}, "each cancelled", b)

# --- max_tasks 2 -------------------------------------------------------------
got = [post26(port, "tools/call", {"name": "capped", "arguments": {}}, "capped", rid=i)[1]
       for i in range(3)]
check([("taskId" in (g or {}).get("result", {})) for g in got] == [True, True, False] and
      "'capped' has 2 tasks running" in got[2].get("error", {}).get("message", ""),
      "max_tasks 2: a third task is refused with a clear error", got[2])

# --- task_ttl_ms -----------------------------------------------------------
st, b = post26(port, "tools/call", {"name": "brief", "arguments": {}}, "brief")
tb = b["result"]["taskId"]
t = settle(lambda: post26(port, "tasks/get", {"taskId": tb}, tb)[1].get("result", {}))
check(t.get("status") == "completed" and t.get("ttlMs") == 1000, "a task kept 1 s", t)
time.sleep(1.5)
st, b = post26(port, "tasks/get", {"taskId": tb}, tb)
check(b.get("error", {}).get("code") == -32602, "after its ttl it is gone", b)

code = d.stop()
check(code == 0, "the daemon exits 0 with tasks still running", (code, d.stderr()[-1500:]))
finish()
