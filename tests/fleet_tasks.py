# SPDX-License-Identifier: ISC
"""Tasks in a fleet: three instances (--instance-id s1..s3) behind
contrib/haproxy.cfg as shipped. A task's id begins with its instance's,
and the config routes tasks/get, tasks/update and tasks/cancel by the
taskId in the body: every poll of every task reaches the instance that
holds it, though the requests that made them were spread round-robin. A
2025 task follows its session's id. Asked directly, another instance does
not know the task (-32602): the limit of a balancer that does not route
by it (README)."""

import os
import shutil
import tempfile
import time

from mcptest import HAPROXY, Daemon, balancer, body_of as body, check, finish, post26, text_of
from sse import post

if not os.path.exists(HAPROXY):
    check(False, "HAProxy is installed (scripts/install-deps)", HAPROXY)
    finish()

TOOLS = [{"name": "slow", "description": "Sleeps, then names its instance.", "task": "optional",
          "concurrency": 4, "allow": {"env": ["INSTANCE"]},
          "code": "import os, time\n\ndef slow(seconds: float = 0.5) -> str:\n"
                  "    time.sleep(seconds)\n    return os.environ['INSTANCE']\n"}]








key_dir = tempfile.mkdtemp(prefix="mcp-hotd-fleet-tasks-")
key = os.path.join(key_dir, "state.key")
with open(key, "wb") as f:
    f.write(os.urandom(32))
os.chmod(key, 0o600)
instances = [Daemon(TOOLS, http=True, args=["--instance-id", f"s{i + 1}", "--state-key-file", key],
                    env=dict(os.environ, INSTANCE=f"s{i + 1}")) for i in range(3)]
hp, front = balancer(instances)

ids = []
for i in range(6):
    st, b = post26(front, "tools/call", {"name": "slow", "arguments": {"seconds": 0.5}}, "slow",
                   rid=i)
    ids.append((b or {}).get("result", {}).get("taskId"))
check(all(ids) and {t.split(".")[0] for t in ids} == {"s1", "s2", "s3"},
      "six tasks made round-robin: on every instance, each id naming its own", ids)
bad = 0
done = {}
for _ in range(10):
    for i, t in enumerate(ids):
        st, b = post26(front, "tasks/get", {"taskId": t}, t, rid=i)
        r = (b or {}).get("result")
        if r is None or r.get("taskId") != t:
            bad += 1
        elif r.get("status") == "completed":
            done[t] = text_of(r.get("result", {}))
    time.sleep(0.1)
check(bad == 0, "60 polls through HAProxy, each reached the task's instance", bad)
check(len(done) == 6 and all(done[t] == t.split(".")[0] for t in done),
      "each task completed where it was made", done)
st, b = post26(front, "tools/call", {"name": "slow", "arguments": {"seconds": 30}}, "slow")
long_id = b["result"]["taskId"]
st, b = post26(front, "tasks/cancel", {"taskId": long_id}, long_id)
st2, g = post26(front, "tasks/get", {"taskId": long_id}, long_id)
check(b.get("result") == {"resultType": "complete"} and
      g.get("result", {}).get("status") == "cancelled",
      "a tasks/cancel through HAProxy reaches its instance; the task is cancelled", (b, g))
home = int(ids[0].split(".")[0][1:]) - 1
other = instances[(home + 1) % 3]
st, b = post26(other.port, "tasks/get", {"taskId": ids[0]}, ids[0])
check(b.get("error", {}).get("code") == -32602,
      "another instance, asked directly, does not know it (plain round-robin's limit)", b)

# 2025: the task follows the session id's instance.
_, h, _ = post(front, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                                  "clientInfo": {"name": "fleet-tasks", "version": "1"}}})
sid = h.get("Mcp-Session-Id") or h.get("mcp-session-id")
H = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"}
post(front, {"jsonrpc": "2.0", "method": "notifications/initialized"}, H)
_, _, b = post(front, {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                       "params": {"name": "slow", "arguments": {"seconds": 0.3},
                                  "task": {}}}, H)
t25 = body(b).get("result", {}).get("task", {}).get("taskId")
_, _, b = post(front, {"jsonrpc": "2.0", "id": 3, "method": "tasks/result",
                       "params": {"taskId": t25}}, H)
check(text_of(body(b).get("result", {})) == sid.split(".")[0],
      "2025: a task made and its result fetched through HAProxy, on its session's instance",
      (sid, body(b)))

hp.terminate()
hp.wait(10)
for d in instances:
    check(d.stop() == 0, "an instance exits 0")
shutil.rmtree(key_dir, ignore_errors=True)
finish()
