#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The channel contract, attacked from a live worker: tool code writes frames
on its own channel (fd 3) that the gate must refuse, each kind once. Each is
that worker's death with a reason naming the message, never the
supervisor's; the tool answers again after. As root and as nobody, with and
without namespaces. The message numbers come from the one table (msg.h)."""

import os
import re

from mcptest import Server, check, finish, text_of, tool

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "msg.h")) as f:
    T = {n: int(num) for n, num in re.findall(r"X\((\w+), (\d+),", f.read())}

FORGE = ("import os, struct, time\n"
         "def forge(kind: int, body: str, then: int = 0, then_body: str = '') -> str:\n"
         "    p = body.encode()\n"
         "    frames = struct.pack('=HHIQ', kind, 1, len(p), 0) + p\n"
         "    if then:\n"
         "        q = then_body.encode()\n"
         "        frames += struct.pack('=HHIQ', then, 1, len(q), 0) + q\n"
         "    os.write(3, frames)\n"
         "    time.sleep(5)\n"
         "    return 'still alive'\n")
OK = "def ok(x: int) -> int:\n    return x + 1\n"
READY = ('{"function":"f","inputSchema":{"type":"object"},"warnings":[],'
         '"doc":null,"isolation":{}}')

# (what, frame type, payload, a second frame, the reason the call must give)
ATTACKS = [
    ("a second READY while a call runs", T["READY"], READY, 0, "",
     "sent an unexpected READY message (not permitted now)"),
    ("a LOAD, which only goes down", T["LOAD"], '{"name":"x","code":""}', 0, "",
     "sent a LOAD message, which has no place on its channel"),
    ("the spawner's SPAWNED", T["SPAWNED"], '{"pid":1}', 0, "",
     "sent a SPAWNED message, which has no place on its channel"),
    ("a broker's CONNECT on the worker channel", T["CONNECT"],
     '{"family":2,"addr":"127.0.0.1","port":22}', 0, "",
     "sent a CONNECT message, which has no place on its channel"),
    ("an unknown type", 999, "{}", 0, "", "sent a bad frame (unknown message type)"),
    ("a PROGRESS with a key not in its spec", T["PROGRESS"],
     '{"progress":1,"grant":{"net":["*:*"]}}', 0, "",
     "sent a malformed PROGRESS message ('grant' is not one of its keys)"),
    ("a LOG without its data", T["LOG"], '{"level":"info"}', 0, "",
     "sent a malformed LOG message ('data' is missing)"),
    ("a SYSCALL number out of bounds", T["SYSCALL"], '{"nr":100000}', 0, "",
     "sent a malformed SYSCALL message ('nr' is not as its spec says)"),
    ("a frame after its SYSCALL report", T["SYSCALL"], '{"nr":1}', T["LOG"],
     '{"level":"error","data":"x"}', "sent an unexpected LOG message (not permitted now)"),
    ("an ASK that is not an object", T["ASK"], "[1,2]", 0, "",
     "sent a malformed ASK message (not a JSON object)"),
    ("a LOAD_FAILED after loading", T["LOAD_FAILED"], '{"error":"x"}', 0, "",
     "sent an unexpected LOAD_FAILED message (not permitted now)"),
]

# One tool each: a tool whose worker dies three times in a row backs off.
TOOLS = [tool(f"forge{i}", FORGE, timeout_ms=20000) for i in range(len(ATTACKS) + 1)]
TOOLS.append(tool("ok", OK))
for user, args in ((None, ()), ("nobody", ()), (None, ("--no-namespaces",)),
                   ("nobody", ("--no-namespaces", "--no-landlock"))):
    mode = f"{user or 'root'}{' ' + ' '.join(args) if args else ''}"
    s = Server(TOOLS, args=args, user=user)
    s.initialize()
    for i, (what, kind, body, then, then_body, reason) in enumerate(ATTACKS):
        r = s.call(f"forge{i}", {"kind": kind, "body": body, "then": then, "then_body": then_body},
                   timeout=30)
        check(r.get("isError") and reason in text_of(r),
              f"{mode}: {what}: the worker dies, the reason names it", text_of(r)[:300])
        check(text_of(s.call("ok", {"x": 1})) == "2", f"{mode}: ... the supervisor serves on")
    check(s.wait_for(lambda: "sent a malformed PROGRESS message" in s.stderr(), 5),
          f"{mode}: the log says why", s.stderr()[-500:])
    r = s.call(f"forge{len(ATTACKS)}", {"kind": T["PROGRESS"], "body": '{"progress":1}'},
               timeout=30)
    check(text_of(r) == "still alive", f"{mode}: a PROGRESS by its spec is taken (and "
          "dropped: the client asked for none)", r)
    check(s.close() == 0 and not s.leftovers(), f"{mode}: exits 0, leaves nothing")
finish()
