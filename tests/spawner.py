# SPDX-License-Identifier: ISC
"""The spawner (zygote): workers forked from a pre-initialised CPython are
the supervisor's own children; the spawner's death costs nothing served."""

import os
import signal
import time

from mcptest import Server, check, finish, spawners, text_of, tool

TOOLS = [tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n"),
         tool("crash", "import ctypes\n\ndef crash():\n    ctypes.string_at(0)\n"),
         tool("pid", "import os\n\ndef pid() -> list:\n    return [os.getpid(), os.getppid()]\n")]


def ppid(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(") ", 1)[1].split()[1])


s = Server(TOOLS, args=["-d"])
s.initialize()
sp = spawners(s.pid)
check(len(sp) == 1, "one spawner", sp)
ws = s.workers()
check(len(ws) == 3 and all(ppid(w) == s.pid for w in ws),
      "forked workers are the supervisor's children", ws)
check("forked by the spawner" in s.stderr(), "workers came from the spawner")

r = s.call("pid")
check(r["content"][0]["text"] == "[1,0]",
      "a worker is alone in a PID namespace of its own (pid 1, no parent in sight)", r)

# Kill the spawner: serving goes on; crashes respawn by exec; it comes back.
os.kill(sp[0], signal.SIGKILL)
check(text_of(s.call("add", {"a": 1, "b": 2})) == "3", "tools serve while the spawner is down")
r = s.call("crash")
check(r["isError"] and "SIGSEGV" in text_of(r), "crash answered while the spawner is down")
check(text_of(s.call("add", {"a": 2, "b": 2})) == "4", "still serving")
check(s.wait_for(lambda: "the spawner was killed by signal 9" in s.stderr(), 5),
      "the spawner's death is logged")
check(s.wait_for(lambda: len(spawners(s.pid)) == 1 and spawners(s.pid)[0] != sp[0], 10),
      "a new spawner is started")
time.sleep(0.3)
r = s.call("crash")
check(r["isError"], "crash again after the spawner is back")
check(s.wait_for(lambda: s.stderr().count("forked by the spawner") > 3, 10),
      "respawns use the new spawner")
check(text_of(s.call("add", {"a": 3, "b": 4})) == "7", "serving")
check(s.close() == 0, "exit 0")
check(s.leftovers() == [], "nothing left, spawner included", s.leftovers())

# Without the spawner: fork + exec, same behaviour.
s = Server(TOOLS, args=["--no-spawner"])
s.initialize()
check(spawners(s.pid) == [] and len(s.workers()) == 3, "--no-spawner: exec'd workers only")
check(text_of(s.call("add", {"a": 5, "b": 5})) == "10", "--no-spawner serves")
r = s.call("crash")
check(r["isError"] and "SIGSEGV" in text_of(r), "--no-spawner crash answered")
check(text_of(s.call("add", {"a": 6, "b": 5})) == "11", "--no-spawner still serves")
check(s.close() == 0 and s.leftovers() == [], "--no-spawner exits clean")
finish()
