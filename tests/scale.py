#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Scale that tells the truth: 1,000 tools (SCALE_TOOLS) load, every one
of them, because at most two per core load at once and each one's
load_timeout_ms counts from when its worker started, not from when it was
queued; /readyz is 503 until the first load has finished and 200 after.
Prints the time and the workers' PSS."""

import http.client
import json
import os
import subprocess
import tempfile
import time

from mcptest import MCP_HOTCTL, MCP_HOTD, _servers, check, finish, kill_all, children_of

N = int(os.environ.get("SCALE_TOOLS", "1000"))
d = tempfile.mkdtemp(prefix="mcp-hotd-scale-")
path = os.path.join(d, "tools.json")
with open(path, "w") as f:
    json.dump([{"name": f"t{i}", "description": f"tool {i}",
                "code": f"def t{i}(x: int) -> int:\n    return x + {i}\n"} for i in range(N)], f)
sock = os.path.join(d, "sock")
err = open(os.path.join(d, "stderr"), "w+")
t0 = time.monotonic()
p = subprocess.Popen([MCP_HOTD, "-c", path, "-s", sock, "--http", "127.0.0.1:0"],
                     stdin=subprocess.DEVNULL, stderr=err)


class Handle:
    pid = p.pid
    proc = p

    def kill(self):
        kill_all(self, children_of(p.pid))


_servers.append(Handle())


def log():
    err.seek(0)
    return err.read()


port = None
while port is None and time.monotonic() - t0 < 30:
    for line in log().splitlines():
        if "HTTP endpoint http://" in line:
            port = int(line.split("http://")[1].split("/")[0].rsplit(":", 1)[1])
    time.sleep(0.01)
check(port is not None, "the HTTP port is bound at once")
seen, ready_at, loaded_first = [], None, None
while ready_at is None and time.monotonic() - t0 < 300:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/readyz")
    st = c.getresponse().status
    c.close()
    if st == 200:
        ready_at = time.monotonic() - t0
        loaded_first = "loaded: " in log()
    seen.append(st)
    time.sleep(0.05)
check(seen and seen[0] == 503 and set(seen[:-1]) == {503} and seen[-1] == 200,
      f"/readyz: 503 while loading ({len(seen) - 1} probes), then 200", seen[:5])
check(loaded_first, "... and 200 only once the first load has finished")
st = json.loads(subprocess.run([MCP_HOTCTL, "-s", sock, "status", "--json"],
                               capture_output=True, text=True, timeout=60).stdout)
serving = sum(t["state"] == "serving" for t in st["tools"])
check(serving == N, f"all {N} tools serving", serving)
check("did not load within" not in log(), "no load timed out")
pss = 0
for k in children_of(p.pid):
    try:
        with open(f"/proc/{k}/smaps_rollup") as f:
            pss += sum(int(l.split()[1]) for l in f if l.startswith("Pss:"))
    except OSError:
        pass
print(f"# {N} tools: ready after {ready_at:.2f} s; workers and spawner {pss / 1024:.0f} MB PSS")
p.terminate()
check(p.wait(60) == 0, "exits 0")
_servers.clear()
finish()
