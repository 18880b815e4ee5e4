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
SLOW = "import time\ntime.sleep(1.5)\ndef {n}() -> str:\n    return '{n}'\n"
OK = "def ok(x: int) -> int:\n    return x + 1\n"

s = Server([tool(f"slow{i}", SLOW.format(n=f"slow{i}"), load_timeout_ms=20000)
            for i in range(N)])


def tools_running():
    """Workers by their title (the spawner is named only once it is up)."""
    out = []
    for p in s.workers():
        try:
            with open(f"/proc/{p}/cmdline") as f:
                if "--spawner" not in f.read():
                    out.append(p)
        except OSError:
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
while time.monotonic() - t0 < 8:
    w = tools_running()
    seen.update(w)
    most = max(most, len(w))
    if "ok" in s.stderr() and len(w) == 1:
        break
    time.sleep(0.01)
check(len(seen) <= SLOTS + 1, f"no waiting worker got a process once its tool was gone "
      f"({len(seen)} processes in all for {N} slow tools and ok)", len(seen))
s.initialize()
names = [t["name"] for t in s.list_tools()]
check(names == ["ok"], "only the new file's tool is listed", names)
check(text_of(s.call("ok", {"x": 1})) == "2", "it serves")
check(s.close() == 0 and not s.leftovers(), "exits 0, leaves nothing")
finish()
