# SPDX-License-Identifier: ISC
"""An async def tool with "async_concurrency": N serves N calls at once in
one worker, on one event loop: concurrent sleeps overlap; each call has
its own timeout, cancellation, progress, log messages and asks; a call
that times out or is cancelled is stopped in the worker (its task
cancelled) and its siblings go on; one that will not stop costs its
worker, within a second, and its siblings get that said."""

import time

from mcptest import Server, check, finish, tool

NAP = ("import asyncio\nfrom fastmcp import Context\n\n"
       "async def nap(s: float, ctx: Context) -> str:\n"
       "    await ctx.info(f'nap {s}')\n"
       "    await ctx.report_progress(s, 10)\n"
       "    await asyncio.sleep(s)\n"
       "    return f'slept {s}'\n")
STUBBORN = ("import asyncio, time\n\n"
            "async def stubborn(s: float) -> str:\n"
            "    try:\n        await asyncio.sleep(s)\n"
            "    except asyncio.CancelledError:\n"
            "        time.sleep(3)      # blocks the loop: it will not stop\n"
            "    return 'done'\n")
ASK = ("from fastmcp import Context\n\n"
       "async def ask(tag: str, ctx: Context) -> str:\n"
       "    r = await ctx.elicit(f'Name for {tag}?', response_type=str)\n"
       "    return f'{tag}: {r.action} {r.data}'\n")
SYNC = "import time\n\ndef plain(s: float) -> str:\n    time.sleep(s)\n    return 'ok'\n"

s = Server([dict(tool("nap", NAP), async_concurrency=64, timeout_ms=1500),
            dict(tool("stubborn", STUBBORN), async_concurrency=4, timeout_ms=300),
            dict(tool("ask", ASK), async_concurrency=4),
            dict(tool("plain", SYNC), async_concurrency=8)])
s.send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {"elicitation": {}},
                   "clientInfo": {"name": "async-test", "version": "1"}}})
s.recv()
s.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
s.rpc("logging/setLevel", {"level": "debug"})
s.call("nap", {"s": 0.01})


def call(id_, name, args, token=None):
    p = {"name": name, "arguments": args}
    if token is not None:
        p["_meta"] = {"progressToken": token}
    s.send({"jsonrpc": "2.0", "id": id_, "method": "tools/call", "params": p})


def collect(ids, timeout=20):
    """The answers to ids, and every notification meanwhile."""
    got = {}
    deadline = time.monotonic() + timeout
    while len(got) < len(ids) and time.monotonic() < deadline:
        m = s.recv(timeout=timeout)
        if m.get("id") in ids and "method" not in m:
            got[m["id"]] = m.get("result") or m.get("error")
    notes = list(s.notes)
    s.notes.clear()
    return got, notes


def text(r):
    return "".join(c.get("text", "") for c in (r or {}).get("content", []))


def nap_pids():
    return sorted(p for p in s.workers() if "nap" in open(f"/proc/{p}/cmdline").read())


pids = nap_pids()
s.notes.clear()
t0 = time.monotonic()
for i in range(3):
    call(100 + i, "nap", {"s": 0.2}, token=f"t{i}")
got, notes = collect({100, 101, 102})
took = time.monotonic() - t0
check(len(got) == 3 and all(text(r) == "slept 0.2" for r in got.values()) and took <= 0.35
      and len(pids) == 1 and nap_pids() == pids,
      f"three 0.2 s calls at once finish in {took:.3f} s, in one worker", (got, pids))
prog = {n["params"]["progressToken"] for n in notes if n["method"] == "notifications/progress"}
logs = [n["params"]["data"]["msg"] for n in notes if n["method"] == "notifications/message"]
check(prog == {"t0", "t1", "t2"} and logs.count("nap 0.2") == 3,
      "each call's progress and log messages, as its own", (prog, logs, notes))

t0 = time.monotonic()
call(200, "nap", {"s": 30})
call(201, "nap", {"s": 0.3})
got, _ = collect({200, 201})
check("timed out after 1500 ms" in text(got.get(200)) and got[200].get("isError") and
      text(got.get(201)) == "slept 0.3" and nap_pids() == pids,
      "a call past its timeout is stopped there; its sibling and the worker go on", got)
check("told to stop the call" in s.stderr(), "the timeout is logged as a stop, not a kill")

call(300, "nap", {"s": 30})
call(301, "nap", {"s": 0.3})
time.sleep(0.1)
s.send({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 300, "reason": "changed my mind"}})
got, _ = collect({301})
check(text(got.get(301)) == "slept 0.3" and text(s.call("nap", {"s": 0.01})) == "slept 0.01"
      and nap_pids() == pids, "a cancelled call is stopped; its sibling and the worker go on",
      got)

call(400, "ask", {"tag": "a"})
call(401, "ask", {"tag": "b"})
asks = []
while len(asks) < 2:
    m = s.recv()
    if m.get("method") == "elicitation/create":
        asks.append(m)
for m in reversed(asks):        # answered in the other order
    tag = m["params"]["message"].split()[2].rstrip("?")
    s.send({"jsonrpc": "2.0", "id": m["id"],
            "result": {"action": "accept", "content": {"value": f"name-{tag}"}}})
got, _ = collect({400, 401})
check(text(got.get(400)) == "a: accept name-a" and text(got.get(401)) == "b: accept name-b",
      "two calls ask at once; each gets its own answer", got)

t0 = time.monotonic()
call(500, "stubborn", {"s": 30})
call(501, "stubborn", {"s": 30})
got, _ = collect({500, 501})
time.sleep(1.6)
err = s.stderr()
check(all("timed out after 300 ms" in text(r) for r in got.values()) and len(got) == 2 and
      "still ran 1000 ms later" in err,
      "a coroutine that will not stop costs its worker, after a 1 s grace", err[-600:])
check(text(s.call("stubborn", {"s": 0.01})) == "done", "... and the tool serves on")

t0 = time.monotonic()
call(600, "plain", {"s": 0.2})
call(601, "plain", {"s": 0.2})
got, _ = collect({600, 601})
took = time.monotonic() - t0
check(len(got) == 2 and took >= 0.38 and
      "is no async def; it serves one call at a time" in s.stderr(),
      f"async_concurrency on a plain def: a warning, one call at a time ({took:.2f} s)")
check(s.close() == 0 and not s.leftovers(), "exits 0, leaves nothing")
finish()
