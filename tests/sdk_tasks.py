# SPDX-License-Identifier: ISC
"""Tasks through the official TypeScript packages, over stdio and HTTP:
the v1 SDK (2025-11-25, its experimental tasks API) runs a tool as a task
polled to its result (callToolStream), cancels another (its worker's call
stops: the file it grows stops growing) and lists them; the v2 package
pinned to 2026-07-28 runs a "task": "required" tool through the tasks
extension, cancels another, and answers an ask inside a task through
tasks/update. (The v2 Client 2.4.0 refuses resultType "task" on
tools/call, SdkError UnsupportedResultType: its own transports carry the
extension's messages.)"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from mcptest import HERE, MCP_HOTD, Daemon, check, finish

node = os.environ.get("NODE") or shutil.which("node")
if not node:
    print("SKIP: node is not installed")
    sys.exit(77)

grow_dir = tempfile.mkdtemp(prefix="mcp-hotd-sdk-tasks-", dir="/var/tmp")
os.chmod(grow_dir, 0o755)
TOOLS = [
    {"name": "slow", "description": "Sleeps, then answers.", "task": "optional",
     "code": "import time\n\ndef slow(seconds: float = 1) -> str:\n    time.sleep(seconds)\n"
             "    return f'slept {seconds}'\n"},
    {"name": "slow_required", "description": "Sleeps, then answers: only as a task.",
     "task": "required",
     "code": "import time\n\ndef slow_required(seconds: float = 1) -> str:\n"
             "    time.sleep(seconds)\n    return f'slept {seconds}'\n"},
    {"name": "grow", "description": "Appends to a file until stopped.", "task": "optional",
     "allow": {"write": [grow_dir]},
     "code": "import time\n\ndef grow(path: str) -> str:\n    while True:\n"
             "        with open(path, 'a') as f:\n            f.write('x')\n"
             "        time.sleep(0.05)\n"},
    {"name": "ask_task", "description": "Asks for a name inside its task.", "task": "required",
     "code": "from mcp_hotd import Context\n\ndef ask_task(ctx: Context) -> str:\n"
             "    a = ctx.elicit('Your name?', {'type': 'object', 'properties': "
             "{'name': {'type': 'string'}}})\n    return 'hello ' + a.content['name']\n"},
]


def size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return -1


def drive(gen, face, target, n):
    grow = os.path.join(grow_dir, f"grow{n}")
    p = subprocess.run([node, os.path.join(HERE, "sdk_tasks.mjs"), gen, *target],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, GROW_PATH=grow))
    try:
        r = json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        r = {"error": (p.stdout + p.stderr)[-1500:]}
    a = size(grow)
    time.sleep(0.6)
    b = size(grow)
    L = f"{gen} over {face}"
    check("error" not in r, f"{L}: runs", r)
    if gen == "v1":
        check(r.get("serverTasks", {}).get("requests", {}).get("tools", {}).get("call") == {},
              f"{L}: the server declares tasks for tools/call, list and cancel",
              r.get("serverTasks"))
        check(["slow", "optional"] in r.get("tools", []) and
              ["slow_required", "required"] in r.get("tools", []),
              f"{L}: tools/list says each tool's execution.taskSupport", r.get("tools"))
        kinds = [m["type"] for m in r.get("stream", [])]
        res = (r.get("stream") or [{}])[-1].get("result", {})
        check(kinds[:1] == ["taskCreated"] and kinds[-1:] == ["result"] and
              res.get("content") == [{"type": "text", "text": "slept 0.5"}] and
              res.get("_meta", {}).get("io.modelcontextprotocol/related-task", {}).get("taskId")
              == r["stream"][0].get("taskId"),
              f"{L}: callToolStream: a task made, polled, its result (naming the task)",
              r.get("stream"))
        check(r.get("cancelled", {}).get("status") == "cancelled" and
              r.get("afterCancel", {}).get("status") == "cancelled",
              f"{L}: cancelTask: the task is cancelled", (r.get("cancelled"), r.get("afterCancel")))
        check(r.get("list") == ["completed", "cancelled"],
              f"{L}: listTasks: this session's tasks", r.get("list"))
    else:
        check(r.get("created", {}).get("resultType") == "task" and
              r.get("done", {}).get("status") == "completed" and
              r.get("done", {}).get("result", {}).get("content") ==
              [{"type": "text", "text": "slept 0.5"}],
              f"{L}: a required-task tool through the extension, polled to its result",
              (r.get("created"), r.get("done")))
        check(r.get("cancelAck") == {"resultType": "complete"} and
              r.get("cancelled", {}).get("status") == "cancelled",
              f"{L}: tasks/cancel: acked, the task cancelled", (r.get("cancelAck"),
                                                                 r.get("cancelled")))
        w = r.get("waiting", {})
        check(w.get("status") == "input_required" and
              list(w.get("inputRequests", {}).values())[:1] and
              list(w["inputRequests"].values())[0].get("method") == "elicitation/create",
              f"{L}: a task whose code asks waits input_required, its request inlined", w)
        check(r.get("updateAck") == {"resultType": "complete"} and
              r.get("answered", {}).get("result", {}).get("content") ==
              [{"type": "text", "text": "hello sdk"}],
              f"{L}: tasks/update answers it; the task runs on to its result",
              (r.get("updateAck"), r.get("answered")))
    check(a > 0 and a == b, f"{L}: the cancelled task's worker call stopped (its file stays at "
                            f"{a} bytes)", (a, b))


d = tempfile.mkdtemp(prefix="mcp-hotd-sdk-tasks-")
path = os.path.join(d, "tools.json")
with open(path, "w") as f:
    json.dump(TOOLS, f)
n = 0
for gen in ("v1", "v2"):
    n += 1
    drive(gen, "stdio", ["stdio", MCP_HOTD, "--stdio", "-c", path], n)
daemon = Daemon(TOOLS, http=True)
for gen in ("v1", "v2"):
    n += 1
    drive(gen, "HTTP", ["http", f"http://127.0.0.1:{daemon.port}/mcp"], n)
check(daemon.stop() == 0, "the daemon exits 0")
shutil.rmtree(d, ignore_errors=True)
shutil.rmtree(grow_dir, ignore_errors=True)
finish()
