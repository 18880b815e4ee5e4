# SPDX-License-Identifier: ISC
"""A fleet behind a plain balancer: three mcp-hotd instances behind Debian's
HAProxy, round-robin, with the shipped contrib/haproxy.cfg. 2026-07-28
clients and --http-stateless 2025 clients call tools all along while one
instance is stopped with SIGTERM (--drain-delay) and the tools file is
changed: every call succeeds, and every client sees the new tool. Then,
without --http-stateless, 2025 sessions reach their own instance through
--instance-id and the config's use-server rules."""

import os
import signal
import sys
import threading
import time

from mcptest import HAPROXY, Daemon, balancer, check, finish, tool
from sse import post

if not os.path.exists(HAPROXY):
    check(False, "haproxy is installed (scripts/install-deps)")
    finish()
    sys.exit(1)
ADD = tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n")
MUL = tool("mul", "def mul(a: int, b: int) -> int:\n    return a * b\n")
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}}
H26 = {"MCP-Protocol-Version": "2026-07-28"}


def rpc26(port, id, method, params):
    h = dict(H26, **{"Mcp-Method": method})
    if method == "tools/call":
        h["Mcp-Name"] = params["name"]
    return post(port, {"jsonrpc": "2.0", "id": id, "method": method,
                       "params": dict(params, _meta=META)}, h)


def rpc25(port, id, method, params, sid=None):
    return post(port, {"jsonrpc": "2.0", "id": id, "method": method, "params": params},
                {"Mcp-Session-Id": sid} if sid else None)


class Client(threading.Thread):
    def __init__(self, n, era, port):
        super().__init__(daemon=True)
        self.n, self.era, self.port = n, era, port
        self.calls = self.failures = 0
        self.errors = []
        self.saw_mul = False
        self.stop = False

    def rpc(self, i, method, params):
        if self.era == 2026:
            return rpc26(self.port, i, method, params)
        return rpc25(self.port, i, method, params)

    def run(self):
        if self.era == 2025:
            rpc25(self.port, 0, "initialize", {"protocolVersion": "2025-06-18",
                                               "capabilities": {},
                                               "clientInfo": {"name": "fleet", "version": "1"}})
        i = 0
        while not self.stop or not self.saw_mul:
            i += 1
            try:
                st, _, body = self.rpc(i, "tools/call", {"name": "add",
                                                          "arguments": {"a": i, "b": self.n}})
                ok = st == 200 and body["result"]["content"][0]["text"] == str(i + self.n)
                if i % 5 == 0 and not self.saw_mul:
                    st2, _, lst = self.rpc(-i, "tools/list", {})
                    self.saw_mul = st2 == 200 and "mul" in [
                        t["name"] for t in lst["result"]["tools"]]
            except (OSError, ValueError, KeyError, TypeError) as e:
                ok, body = False, repr(e)
            self.calls += 1
            if not ok:
                self.failures += 1
                self.errors.append(body)
            if self.stop and i > 10000:
                break


instances = [Daemon([ADD], http=True, args=["--http-stateless", "--instance-id", f"s{i + 1}",
                                            "--drain-delay", "1"]) for i in range(3)]
hp, front = balancer(instances)
clients = [Client(n, era, front) for n, era in enumerate([2026, 2026, 2025, 2025, 2026, 2025])]
for c in clients:
    c.start()
time.sleep(1.5)
instances[1].proc.send_signal(signal.SIGTERM)     # drains, then closes its port
time.sleep(1.0)
for d in (instances[0], instances[2]):
    d.write_tools([ADD, MUL])
time.sleep(2.0)
for c in clients:
    c.stop = True
for c in clients:
    c.join(30)
calls = sum(c.calls for c in clients)
fails = [e for c in clients for e in c.errors]
check(calls > 100 and not fails, f"{calls} calls through the balancer while an instance "
      "stopped and the tools changed: all succeed", fails[:3])
check(all(c.saw_mul for c in clients), "every client (2026 and --http-stateless 2025) sees "
      "the new tool", [(c.era, c.saw_mul) for c in clients])
check(instances[1].stop() == 0, "the stopped instance exited 0 after draining")
st, _, body = rpc26(front, 1, "tools/call", {"name": "mul", "arguments": {"a": 6, "b": 7}})
check(st == 200 and body["result"]["content"][0]["text"] == "42", "the new tool answers", body)
hp.send_signal(signal.SIGTERM)
hp.wait(10)
for d in (instances[0], instances[2]):
    check(d.stop() == 0, "an instance exits 0")

# 2025 sessions, routed by the instance their id names.
instances = [Daemon([ADD], http=True, args=["--instance-id", f"s{i + 1}"]) for i in range(3)]
hp, front = balancer(instances)
sessions = []
for n in range(3):
    st, hd, body = rpc25(front, 1, "initialize", {"protocolVersion": "2025-06-18",
                                                  "capabilities": {},
                                                  "clientInfo": {"name": "s", "version": "1"}})
    sessions.append({k.lower(): v for k, v in hd.items()}.get("mcp-session-id", ""))
check(sorted(s.split(".")[0] for s in sessions) == ["s1", "s2", "s3"],
      "round-robin spreads sessions over the instances, each id naming its own", sessions)
ok = 0
for i in range(30):
    sid = sessions[i % 3]
    st, _, body = rpc25(front, i + 2, "tools/call", {"name": "add", "arguments": {"a": i, "b": 1}},
                        sid)
    ok += st == 200 and body.get("result", {}).get("content", [{}])[0].get("text") == str(i + 1)
check(ok == 30, "every request of a session reaches its instance (use-server on the id)", ok)
hp.send_signal(signal.SIGTERM)
hp.wait(10)
for d in instances:
    check(d.stop() == 0, "an instance exits 0")
finish()
