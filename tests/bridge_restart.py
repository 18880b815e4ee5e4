# SPDX-License-Identifier: ISC
"""mcp-hotctl bridge survives a restart of the service: a request in flight
when the daemon goes is answered with an error, the bridge reconnects,
replays the client's initialize (whose answer the client never sees),
tells the client list_changed, and calls work again, with the new tools.
A 2026-07-28 client's listen stream is kept: replayed, not failed, and
told list_changed on its subscription id."""

import json
import os
import queue
import signal
import subprocess
import threading
import time

from mcptest import MCP_HOTCTL, MCP_HOTD, Daemon, check, finish, tool

TOOLS = [tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n"),
         tool("slow", "import time\ndef slow() -> str:\n    time.sleep(60)\n    return 'late'\n",
              timeout_ms=90000)]
d = Daemon(TOOLS)
br = subprocess.Popen([MCP_HOTCTL, "-s", d.sock, "bridge"], stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
lines = queue.Queue()
threading.Thread(target=lambda: [lines.put(json.loads(l)) for l in br.stdout] + [lines.put(None)],
                 daemon=True).start()


def send(m):
    br.stdin.write(json.dumps(m) + "\n")
    br.stdin.flush()


def recv(pred, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            m = lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if m is None or pred(m):
            return m
    return None


def call(id, name, args=None):
    send({"jsonrpc": "2.0", "id": id, "method": "tools/call",
          "params": {"name": name, "arguments": args or {}}})


send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
      "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                 "clientInfo": {"name": "bridged", "version": "1"}}})
check(recv(lambda m: m.get("id") == 1) is not None, "initialize through the bridge")
send({"jsonrpc": "2.0", "method": "notifications/initialized"})
call(2, "add", {"a": 1, "b": 2})
r = recv(lambda m: m.get("id") == 2)
check(r and r["result"]["content"][0]["text"] == "3", "a call through the bridge", r)

# The service dies with a call in flight, and comes back with a new tool.
call(3, "slow")
time.sleep(0.5)
d.proc.send_signal(signal.SIGKILL)
d.proc.wait(10)
r = recv(lambda m: m.get("id") == 3)
check(r and r.get("error") and "went away" in r["error"]["message"],
      "the call in flight gets an error saying why", r)
d.write_tools(TOOLS + [tool("mul", "def mul(a: int, b: int) -> int:\n    return a * b\n")])
time.sleep(0.7)                 # the bridge retries meanwhile
check(br.poll() is None, "the bridge waits for the service")
d2 = subprocess.Popen([MCP_HOTD, "-c", d.path, "-s", d.sock], stdin=subprocess.DEVNULL,
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
n = recv(lambda m: m.get("method") == "notifications/tools/list_changed", 15)
check(n is not None, "after reconnecting, the client is told list_changed")
call(4, "mul", {"a": 6, "b": 7})
r = recv(lambda m: "id" in m)
check(r and r.get("id") == 4 and r["result"]["content"][0]["text"] == "42",
      "the next answer is the client's own (the replayed initialize's is not shown), "
      "and the new tool works", r)
br.stdin.close()
check(br.wait(15) == 0, "the bridge exits 0 when its client is done")
check("reconnected to the daemon" in br.stderr.read(), "the reconnection is logged")

# A 2026-07-28 client: no initialize, a listen stream that must survive.
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}}
br = subprocess.Popen([MCP_HOTCTL, "-s", d.sock, "bridge"], stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
lines = queue.Queue()
threading.Thread(target=lambda: [lines.put(json.loads(l)) for l in br.stdout] + [lines.put(None)],
                 daemon=True).start()
send({"jsonrpc": "2.0", "id": "L", "method": "subscriptions/listen",
      "params": {"_meta": META, "notifications": {"toolsListChanged": True}}})
ack = recv(lambda m: m.get("method") == "notifications/subscriptions/acknowledged")
check(ack and ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "L",
      "2026: the listen stream is acknowledged through the bridge", ack)
d2.send_signal(signal.SIGKILL)
d2.wait(10)
d3 = subprocess.Popen([MCP_HOTD, "-c", d.path, "-s", d.sock], stdin=subprocess.DEVNULL,
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seen = []
n = recv(lambda m: seen.append(m) or m.get("method") == "notifications/tools/list_changed", 15)
check(n and n.get("params", {}).get("_meta", {}).get("io.modelcontextprotocol/subscriptionId") == "L",
      "2026: after the restart the listen stream hears list_changed on its id", n)
check(not any(m.get("id") == "L" for m in seen) and
      not any(m.get("method") == "notifications/subscriptions/acknowledged" for m in seen),
      "2026: the listen request is neither failed nor acknowledged twice", seen)
send({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
      "params": {"name": "mul", "arguments": {"a": 2, "b": 21}, "_meta": META}})
r = recv(lambda m: m.get("id") == 5)
check(r and r["result"]["content"][0]["text"] == "42", "2026: calls work after the restart", r)
d.write_tools(TOOLS)
n = recv(lambda m: m.get("method") == "notifications/tools/list_changed", 15)
check(n and n["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == "L",
      "2026: the replayed stream carries the next reload's list change", n)
br.stdin.close()
check(br.wait(15) == 0, "the bridge exits 0")
d3.send_signal(signal.SIGTERM)
check(d3.wait(30) == 0, "the restarted daemon exits 0")
d.kill()
finish()
