#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Loading slots: at most two workers per core load at once (at least 4, at
most 64); the others wait with no process. A tool removed while its worker
waits for a slot never gets a process: a reload that drops slow-loading
tools starts none of those still waiting, and the supervisor serves on."""

import os
import time

from mcptest import Server, check, finish, text_of, tool

SLOTS = max(4, min(64, 2 * (os.cpu_count() or 1)))
N = 2 * SLOTS + 4
# Long enough that the reload below lands while the first ones still load.
SLOW = "import time\ntime.sleep(4)\ndef {n}() -> str:\n    return '{n}'\n"
OK = "def ok(x: int) -> int:\n    return x + 1\n"

s = Server([tool(f"slow{i}", SLOW.format(n=f"slow{i}"), load_timeout_ms=20000)
            for i in range(N)])


def tools_running():
    """Workers by their title (the spawner is named only once it is up)."""
    out = []
    for p in s.workers():
        try:
            with open(f"/proc/{p}/cmdline") as f:
                title = f.read()
            if "--spawner" not in title:
                out.append((p, title.split("\0")[1].strip()))
        except (OSError, IndexError):
            pass
    return out



seen, most = set(), 0
t0 = time.monotonic()
while time.monotonic() - t0 < 0.5:
    w = tools_running()
    seen.update(w)
    most = max(most, len(w))
    time.sleep(0.01)
check(0 < most <= SLOTS, f"at most {SLOTS} workers load at once ({most} seen of {N} tools)")
# Every slow tool goes: the ones loading are stopped, the ones waiting let go.
s.write_tools([tool("ok", OK)])
changed = None
while time.monotonic() - t0 < 15:
    w = tools_running()
    seen.update(w)
    if changed is None and "(the file changed)" in s.stderr():
        changed = time.monotonic() - t0
    if changed is not None and [t for _, t in w] == ["ok"]:
        break
    time.sleep(0.01)
check(changed is not None and changed < 4, "the reload came while the first ones loaded",
      changed)
slow = sorted({t for _, t in seen if t.startswith("slow")})
check(len(slow) <= SLOTS, f"no waiting worker got a process once its tool was gone "
      f"(slow tools started: {len(slow)} of {N})", slow)
s.initialize()
# Its worker runs; READY (slower under ASan) is what lists it.
s.wait_for(lambda: [t["name"] for t in s.list_tools()] == ["ok"], timeout=20)
names = [t["name"] for t in s.list_tools()]
check(names == ["ok"], "only the new file's tool is listed", names)
check(text_of(s.call("ok", {"x": 1})) == "2", "it serves")
check(s.close() == 0 and not s.leftovers(), "exits 0, leaves nothing")
finish()
