# SPDX-License-Identifier: ISC
"""2025 sessions any instance of a fleet serves: a session id carries its
initialize-time state, signed with the key the fleet shares
(--state-key-file). Three instances behind the shipped contrib/haproxy.cfg;
the official v1 SDK client (MCP 2025) makes 500 calls while the instance
that issued its session stops (SIGTERM), another is killed (SIGKILL) and
the tools file changes: no call fails but one in flight on the killed
instance, no 404 ever, and the client hears list_changed and sees the new
tool. The Inspector CLI's client makes 500 calls or more meanwhile, a
session each. A forged, a tampered and another key's id get 404; 10,000 sessions
opened on one instance all stay usable, the supervisor holding the state of
256 at most."""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from mcptest import HERE, Daemon, balancer, check, finish, tool
from sse import post

ADD = tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n")
MUL = tool("mul", "def mul(a: int, b: int) -> int:\n    return a * b\n")
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "fleet", "version": "1"}}}
work = tempfile.mkdtemp(prefix="mcp-hotd-fleet-", dir="/var/tmp")
key = os.path.join(work, "state.key")
with open(key, "wb") as f:
    f.write(os.urandom(32))
os.chmod(key, 0o600)


def ping(port, sid, i=2):
    return post(port, {"jsonrpc": "2.0", "id": i, "method": "ping"},
                {"Mcp-Session-Id": sid})[0]


# A forged, a tampered and another key's session id: 404.
a = Daemon([ADD], http=True, args=["--state-key-file", key])
other_key = os.path.join(work, "other.key")
with open(other_key, "wb") as f:
    f.write(os.urandom(32))
b = Daemon([ADD], http=True, args=["--state-key-file", other_key])
sid = post(a.port, INIT)[1]["Mcp-Session-Id"]
payload, mac = sid.rsplit(".", 1)
tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + mac
forged = "eyJ2IjoiMjAyNS0wNi0xOCJ9." + mac
check(ping(a.port, sid) == 200, "a session id serves on its instance")
check(ping(a.port, tampered) == 404 and ping(a.port, forged) == 404,
      "a tampered or forged id: 404")
check(ping(b.port, sid) == 404, "an id signed with another key: 404")
c = Daemon([ADD], http=True, args=["--state-key-file", key])
check(ping(c.port, sid) == 200, "another instance with the fleet's key serves it")
r = post(c.port, {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                  "params": {"name": "add", "arguments": {"a": 2, "b": 3}}},
         {"Mcp-Session-Id": sid})
check(r[0] == 200 and r[2]["result"]["content"][0]["text"] == "5", "... and calls on it", r)
conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=10)
conn.request("DELETE", "/mcp", headers={"Mcp-Session-Id": sid})
deleted = conn.getresponse().status
check(deleted == 200 and ping(a.port, sid) == 404,
      "DELETE ends it on the instance that gets it", deleted)
for d in (a, b, c):
    d.stop()

# 10,000 sessions on one instance: all usable, its table bounded.
d = Daemon([ADD], http=True, args=["--state-key-file", key])
conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)


def keep_post(body, headers=None):
    h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    h.update(headers or {})
    conn.request("POST", "/mcp", body=json.dumps(body), headers=h)
    r = conn.getresponse()
    r.read()
    return r.status, r.getheader("Mcp-Session-Id")


sids = [keep_post(INIT)[1] for _ in range(10000)]
ok = sum(keep_post({"jsonrpc": "2.0", "id": 2, "method": "ping"},
                   {"Mcp-Session-Id": s})[0] == 200 for s in sids)
with open(f"/proc/{d.pid}/status") as f:
    rss = int([x for x in f if x.startswith("VmRSS")][0].split()[1]) // 1024
held = sum(s["transport"] == "http" for s in json.loads(d.ctl("status", "--json").stdout)
           ["sessions"])
check(len(set(sids)) == 10000 and ok == 10000 and held <= 256,
      f"10,000 sessions all usable, {held} held, supervisor RSS {rss} MB", (ok, held))
with open(f"/proc/{d.pid}/maps") as f:
    asan = "libasan" in f.read()       # its quarantine keeps what was freed
check(rss < 64 or asan, f"... in bounded memory ({rss} MB"
      + (", under ASan: not judged)" if asan else ")"))
d.stop()

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx(instances):
    """nginx with the shipped contrib/nginx.conf (its ports replaced) in
    front of instances: (its process, its port)."""
    from mcptest import free_port
    front = free_port()
    with open(os.path.join(HERE, "..", "contrib", "nginx.conf")) as f:
        conf = f.read().replace("127.0.0.1:8765", f"127.0.0.1:{front}")
    for i, inst in enumerate(instances):
        conf = conf.replace(f"127.0.0.1:880{i + 1}", f"127.0.0.1:{inst.port}")
    ndir = tempfile.mkdtemp(prefix="mcp-hotd-nginx-", dir=work)
    with open(os.path.join(ndir, "nginx.conf"), "w") as f:
        f.write(conf)
    ng = subprocess.Popen([NGINX, "-p", ndir, "-c", os.path.join(ndir, "nginx.conf"), "-g",
                           "daemon off;"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            post(front, {}, path="/healthz")
            break
        except OSError:
            time.sleep(0.05)
    return ng, front


if not os.path.exists(NGINX):
    check(False, "nginx is installed (scripts/install-deps)")
    finish()
node = os.environ.get("NODE") or shutil.which("node")
if node is None:
    print("# SKIP: node absent, the fleet runs with the official clients not done")
    finish()
    sys.exit(0)
ASK = tool("ask", "from mcp_hotd import Context\n"
                  "def ask(ctx: Context) -> str:\n"
                  "    a = ctx.elicit('name?', {'type': 'object', 'properties': "
                  "{'name': {'type': 'string'}}, 'required': ['name']})\n"
                  "    return f\"{a.action}:{(a.get('content') or {}).get('name')}\"\n")
NAP = tool("nap", "import time\ndef nap(s: float) -> str:\n    time.sleep(s)\n"
                  "    return 'woke'\n")
FLEET = [ADD, ASK, NAP]


class Run:
    """One official client's run of fleet_sdk.mjs, read as it goes."""

    def __init__(self, gen, front, asks):
        self.gen, self.owner, self.progress, self.report = gen, None, 0, {}
        self.p = subprocess.Popen([node, os.path.join(HERE, "fleet_sdk.mjs"), gen,
                                   f"http://127.0.0.1:{front}/mcp", "500", asks],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.t = threading.Thread(target=self.read)
        self.t.start()

    def read(self):
        for line in self.p.stdout:
            if line.startswith("sid ") and line.split()[1][:1] == "s":
                self.owner = int(line.split()[1].split(".")[0][1:]) - 1
            elif line.startswith("n "):
                self.progress = int(line.split()[1])
            elif line.startswith("{"):
                self.report = json.loads(line)

    def wait_for(self, n, timeout=60):
        deadline = time.monotonic() + timeout
        while self.progress < n and time.monotonic() < deadline and self.p.poll() is None:
            time.sleep(0.02)

    def finish(self):
        self.p.wait(240)
        self.t.join(10)
        self.err = self.p.stderr.read()
        return self.report


INSPECTOR = os.path.join(os.environ.get("MCP_NODE_DIR") or os.path.join(HERE, "node"),
                         "node_modules", "@modelcontextprotocol", "inspector", "cli", "build",
                         "cli.js")


class Inspector:
    """The Inspector CLI's client calling add through the balancer, a session
    a call as each `--cli` run makes (tests/inspector_calls.mjs: its own
    modules, in one process), at least 500 calls and on until told."""

    def __init__(self, front):
        self.p = subprocess.Popen([node, os.path.join(HERE, "inspector_calls.mjs"),
                                   f"http://127.0.0.1:{front}/mcp", "500"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)

    def finish(self):
        out, err = self.p.communicate(timeout=240)
        try:
            return json.loads(out.strip().splitlines()[-1])
        except (IndexError, ValueError):
            return {"calls": 0, "failures": [(out + err)[-600:]]}


def fleet_run(kind, start):
    """The official clients (v1 SDK on 2025, v2 pinned to 2026-07-28), 500
    calls each, through a balancer while the instance that issued the v1
    session stops (SIGTERM), another is killed (SIGKILL) and the tools file
    changes; through HAProxy they answer a tool's question and cancel a
    call at the end (round-robin cannot promise that: shown apart)."""
    instances = [Daemon(FLEET, http=True, args=["--instance-id", f"s{i + 1}",
                                                "--state-key-file", key, "--drain-delay", "1"])
                 for i in range(3)]
    lb, front = start(instances)
    asks = "asks" if kind == "HAProxy" else "no-asks"
    v1, v2 = Run("v1", front, asks), Run("v2", front, asks)
    inspector = Inspector(front)
    v1.wait_for(100)
    owner = v1.owner
    instances[owner].proc.send_signal(signal.SIGTERM)     # the one that issued the session
    v1.wait_for(225)
    killed = (owner + 1) % 3
    instances[killed].proc.kill()
    v1.wait_for(350)
    survivor = 3 - owner - killed
    instances[survivor].write_tools(FLEET + [MUL])
    for run, era in ((v1, "v1 SDK, 2025"), (v2, "v2 client pinned to 2026-07-28")):
        report = run.finish()
        era = f"{kind}, {era}"
        fails = report.get("failures", [])
        check(run.p.returncode == 0 and report.get("calls") == 500,
              f"{era}: 500 calls made", run.err[-800:])
        check(len(fails) <= 1 and not any("404" in f for f in fails),
              f"{era}: none failed but one in flight on the killed instance "
              f"({len(fails)}), no 404", fails[:3])
        # A session client hears list_changed; the 2026 one hears it on the
        # subscriptions/listen stream of an instance that may have died, and
        # sees the tool when it lists.
        check((report.get("listChanged", 0) >= 1 or run.gen == "v2") and
              "mul" in report.get("tools", []),
              f"{era}: " + ("heard list_changed and sees" if run.gen == "v1" else "sees") +
              " the new tool", report)
        if asks != "asks":
            continue
        check(report.get("ask") == "accept:fleet",
              f"{era}: a tool's question reaches the client and its answer the call",
              report.get("ask"))
        ms = int(report["cancel"].split()[2]) if report.get("cancel", "").split()[1:2] == [
            "after"] else -1
        check(0 <= ms < 5000 and report.get("after") == "woke" and
              report.get("afterMs", 1e9) < 5000,
              f"{era}: a cancel reaches the call and stops it: the next call is answered at "
              "once", (report.get("cancel"), report.get("after"), report.get("afterMs")))
    ins = inspector.finish()
    fails = ins.get("failures", [])
    check(ins.get("calls", 0) >= 500 and len(fails) <= 1 and not any("404" in f for f in fails),
          f"{kind}, the Inspector CLI's client: {ins.get('calls')} calls (a session each), "
          f"{len(fails)} failed (in flight at the kill), no 404", fails[:2])
    check("mul" in ins.get("tools", []), f"{kind}, the Inspector CLI's client sees the new tool",
          ins)
    p = subprocess.run([node, INSPECTOR, "--cli", f"http://127.0.0.1:{front}/mcp", "--transport",
                        "http", "--method", "tools/list"], capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 0 and '"mul"' in p.stdout, f"{kind}, the Inspector CLI sees the new "
          "tool", p.stdout[-300:] + p.stderr[-300:])
    lb.send_signal(signal.SIGTERM)
    lb.wait(10)
    check(instances[owner].stop() == 0, f"{kind}: the stopped instance exited 0")
    instances[killed].stop()
    code = instances[survivor].stop()
    check(code == 0, f"{kind}: the last one exits 0", (code, instances[survivor].stderr()[-600:]))


fleet_run("HAProxy", balancer)
fleet_run("nginx", nginx)

# What round-robin cannot route: a client's answer to a tool's question may
# reach another instance, which takes it and has no question to match. The
# call then ends at --ask-timeout with a clear error, never a hang.
instances = [Daemon(FLEET, http=True, args=["--instance-id", f"s{i + 1}", "--state-key-file",
                                            key, "--ask-timeout", "2"]) for i in range(3)]
ng, front = nginx(instances)
p = subprocess.run([node, os.path.join(HERE, "fleet_sdk.mjs"), "v1", f"http://127.0.0.1:{front}/mcp",
                    "0", "asks"], capture_output=True, text=True, timeout=120)
rep = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else {}
ask = rep.get("ask", "")
check(ask == "accept:fleet" or ("did not answer" in ask or "2 s" in ask or "timed out" in ask),
      "through round-robin, a tool's question is answered or ends with a clear error "
      f"(the documented limit): {ask[:120]}", p.stderr[-600:])
ng.terminate()
ng.wait(10)
for inst in instances:
    inst.stop()
shutil.rmtree(work, True)
finish()
