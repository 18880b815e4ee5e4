# SPDX-License-Identifier: ISC
"""Hot update over stdio: watch, diff, spawn, switch, drain, notify."""

import json
import os
import shutil
import signal
import threading
import time

from mcptest import Daemon, Server, check, finish, text_of, tool


def version_tools(v, extra=()):
    return [
        tool("echo", f"import time\n\ndef echo(x: int, sleep: float = 0) -> str:\n"
                     f"    time.sleep(sleep)\n    return 'v{v}:' + str(x)\n"),
        tool("stable", "import os\n\ndef stable() -> int:\n    return os.getpid()\n"),
        *extra,
    ]


def wait_notes(s, n, timeout=10):
    """Wait until n list_changed notifications have arrived."""
    deadline = time.monotonic() + timeout
    while changed(s) < n:
        try:
            m = json.loads(s.recv_line(max(0.01, deadline - time.monotonic())))
        except Exception:
            return False
        if "id" in m:
            s.stash[json.dumps(m["id"])] = m
        else:
            s.notes.append(m)
    return True


def changed(s):
    return len([m for m in s.notes if m["method"] == "notifications/tools/list_changed"])


s = Server(version_tools(1))
s.initialize()
stable_pid = s.call("stable")["content"][0]["text"]
check(text_of(s.call("echo", {"x": 1})) == "v1:1", "v1 serving")

# A slow call in flight across its own tool's change: old answer; next: new.
slow = s.request("tools/call", {"name": "echo", "arguments": {"x": 7, "sleep": 1.0}})
time.sleep(0.2)
s.write_tools(version_tools(2))
r = s.response(slow)
check(text_of(r["result"]) == "v1:7", "in-flight call answered by the old code", r)
check(s.wait_for(lambda: "reloaded" in s.stderr(), 10), "reload logged")
check(text_of(s.call("echo", {"x": 8})) == "v2:8", "next call gets the new code")
check(s.call("stable")["content"][0]["text"] == stable_pid, "unchanged tool keeps its worker (same pid)")
check(s.wait_for(lambda: len(s.workers()) == 2, 10), "old worker drained and gone", s.workers())

# A description change notifies; a no-op rewrite does not.
n0 = changed(s)
tools = version_tools(2)
tools[1]["description"] = "now described differently"
s.write_tools(tools)
check(wait_notes(s, n0 + 1), "list_changed after a visible change")
check(s.list_tools()[1]["description"] == "now described differently", "new description listed")
n1 = changed(s)
s.write_tools(tools)
os.kill(s.pid, signal.SIGHUP)
time.sleep(0.6)
s.rpc("ping")
check(changed(s) == n1, "no list_changed for a no-op reload", changed(s))

# SIGHUP reloads too; adding and removing tools.
add = tool("extra", "def extra() -> str:\n    return 'extra'\n")
s.write_tools(version_tools(3, [add]))
os.kill(s.pid, signal.SIGHUP)
check(s.wait_for(lambda: [t["name"] for t in s.list_tools()] == ["echo", "stable", "extra"], 10),
      "added tool listed")
check(text_of(s.call("extra")) == "extra", "added tool answers")
s.write_tools(version_tools(3))
check(s.wait_for(lambda: [t["name"] for t in s.list_tools()] == ["echo", "stable"], 10),
      "removed tool unlisted")
r = s.rpc("tools/call", {"name": "extra", "arguments": {}})
check(r.get("error", {}).get("code") == -32602, "removed tool is unknown", r)
check(s.wait_for(lambda: len(s.workers()) == 2, 10), "removed tool's worker gone")

# Failures change nothing that serves.
before = s.list_tools()
n2 = changed(s)
s.write_tools('[{"name": "echo",\n  "description": oops}]')
check(s.wait_for(lambda: ":2:" in s.stderr() and "reload failed" in s.stderr(), 10),
      "unparsable file: error with line:column, nothing changed")
check(s.list_tools() == before and text_of(s.call("echo", {"x": 1})) == "v3:1",
      "old tools still serve after a bad file")
broken = version_tools(4)
broken[0]["code"] = "def echo(x: int) -> str:\n    return 'v4' +\n"
broken.append(tool("newbroken", "def newbroken(:\n"))
s.write_tools(broken)
check(s.wait_for(lambda: "old one keeps serving" in s.stderr(), 10), "broken tool: old version kept, logged")
check(text_of(s.call("echo", {"x": 2})) == "v3:2", "old version of a broken tool answers")
check("newbroken" not in [t["name"] for t in s.list_tools()], "a new broken tool stays absent")
check(changed(s) == n2, "no list_changed for failed reloads", changed(s))
check(s.wait_for(lambda: len(s.workers()) == 2, 10), "failed workers gone", s.workers())

# Load: many calls in flight while the file is rewritten dozens of times,
# in place and by rename. Every call answered exactly once, no error.
answers, sent, lock = {}, [0], threading.Lock()
stop = threading.Event()


def writer():
    for v in range(5, 45):
        t = version_tools(v)
        if v % 2:
            s.write_tools(t)
        else:                       # in place, the way `>` does
            with open(s.path, "w") as f:
                f.write(json.dumps(t))
        time.sleep(0.05)
    stop.set()


w = threading.Thread(target=writer)
w.start()
i = 0
while not stop.is_set() or i < 400:
    batch = "".join(json.dumps({"jsonrpc": "2.0", "id": f"L{i + k}", "method": "tools/call",
                                "params": {"name": "echo", "arguments": {"x": i + k}}}) + "\n"
                    for k in range(20))
    s.send_raw(batch)
    i += 20
    for _ in range(20):
        m = s.recv(30)
        answers.setdefault(m["id"], []).append(m)
w.join()
dups = [k for k, v in answers.items() if len(v) != 1]
errors = [v[0] for v in answers.values() if "error" in v[0] or v[0]["result"].get("isError")]
check(len(answers) == i and not dups, f"{i} calls under 40 rewrites: each answered once",
      (len(answers), dups[:3]))
check(not errors, "no error replies under reload load", errors[:2])
check(all(text_of(answers[f"L{k}"][0]["result"]).endswith(f":{k}") for k in range(i)),
      "every answer matches its call")
s.write_tools(version_tools(99))
check(s.wait_for(lambda: text_of(s.call("echo", {"x": 0})) == "v99:0", 10), "final version serves")
check(s.wait_for(lambda: len(s.workers()) == 2, 10), "worker count back to one per tool", s.workers())
check(s.close() == 0, "exits 0")
check(s.leftovers() == [], "no worker left", s.leftovers())

# Loading cannot stall hot update: a tool whose top level sleeps holds up
# only the reload that started it, for at most its load_timeout_ms.
SLOW = tool("slow", "import time\ntime.sleep(60)\ndef slow() -> int:\n    return 1\n",
            load_timeout_ms=4000)
d = Daemon([tool("b", "def b() -> str:\n    return 'v1'\n")], args=["--no-watch"])
d.write_tools([SLOW, tool("b", "def b() -> str:\n    return 'v1'\n")])
v1 = json.loads(d.ctl("status", "--json").stdout)["tools"][0]["version"]
first = {}
t0 = time.monotonic()
th = threading.Thread(target=lambda: first.update(p=d.ctl("reload"), t=time.monotonic() - t0))
th.start()
time.sleep(0.5)
d.write_tools([SLOW, tool("b", "def b() -> str:\n    return 'v2'\n", description="b, v2")])
t1 = time.monotonic()
p = d.ctl("reload")
dt = time.monotonic() - t1
check(dt < 2 and "changed: b" in p.stdout and "loading: slow" in p.stdout,
      f"a reload proceeds while another tool loads ({dt:.2f} s)", p.stdout)
status = json.loads(d.ctl("status", "--json").stdout)["tools"]
serving = [(t["name"], t["version"] != v1) for t in status if t["state"] == "serving"]
check(serving == [("b", True)], "b's new version serves meanwhile", status)
th.join(30)
check(3.5 < first.get("t", 99) < 8 and "did not load within 4000 ms" in first["p"].stdout,
      f"the slow reload answers within the load limit ({first.get('t', 0):.2f} s)",
      first.get("p") and first["p"].stdout)
check(d.stop() == 0, "daemon exits 0")


def configmap_swap(root, n, tools):
    """What the kubelet does to a ConfigMap volume: a new timestamped
    directory, ..data_tmp -> it, renamed over ..data, the old one gone."""
    new = os.path.join(root, f"..2026_12_06_{n}")
    os.mkdir(new)
    with open(os.path.join(new, "tools.json"), "w") as f:
        json.dump(tools, f)
    os.symlink(os.path.basename(new), os.path.join(root, "..data_tmp"))
    os.rename(os.path.join(root, "..data_tmp"), os.path.join(root, "..data"))
    for old in os.listdir(root):
        if old.startswith("..2026") and old != os.path.basename(new):
            shutil.rmtree(os.path.join(root, old))


def names(d):
    return sorted(t["name"] for t in json.loads(d.ctl("status", "--json").stdout)["tools"])


def wait_names(d, want, limit=3):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit + 2:
        if names(d) == want:
            return time.monotonic() - t0
        time.sleep(0.05)
    return None


A = tool("a", "def a() -> str:\n    return 'a'\n")
B = tool("b", "def b() -> str:\n    return 'b'\n")
d = Daemon([A])
root = d.dir
os.unlink(d.path)
configmap_swap(root, 1, [A])
os.symlink("..data/tools.json", d.path)
time.sleep(0.5)     # the reload the new symlink set off is over
configmap_swap(root, 2, [A, B])
dt = wait_names(d, ["a", "b"])
check(dt is not None and dt < 3, f"a ConfigMap swap (..data renamed) reloads without SIGHUP "
      f"({dt and round(dt, 2)} s)", names(d))
configmap_swap(root, 3, [B])
dt = wait_names(d, ["b"])
check(dt is not None and dt < 3, f"... and the next one too ({dt and round(dt, 2)} s)", names(d))
# An editor's rename-over of a plain file, after the symlink is gone.
os.unlink(d.path)
d.write_tools([A, B])
dt = wait_names(d, ["a", "b"])
check(dt is not None and dt < 3, f"a rename over the path reloads ({dt and round(dt, 2)} s)", names(d))
check(d.stop() == 0, "daemon exits 0")
finish()
