# SPDX-License-Identifier: ISC
"""GET /metrics on the HTTP face: Prometheus text that promtool accepts,
whose counters match what was done: 20 calls, 2 tool errors, a timeout,
a worker killed under its call, arguments refused, a reload; behind the
token like /mcp."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

from mcptest import Daemon, check, finish, tool

TOKEN = "metrics-test-token"
# A local port a net-granted tool may reach, and one it may not.
lsock = __import__("socket").socket()
lsock.bind(("127.0.0.1", 0))
lsock.listen(8)
PORT = lsock.getsockname()[1]
NET = (f"import socket\ndef net(port: int) -> str:\n"
       f"    try:\n        socket.create_connection(('127.0.0.1', port), timeout=5).close()\n"
       f"        return 'connected'\n    except PermissionError as e:\n        return 'denied'\n")
TOOLS = [tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n"),
         tool("fail", "def fail(x: int) -> str:\n    raise ValueError('no')\n"),
         dict(tool("nap", "import time\ndef nap(s: float) -> str:\n    time.sleep(s)\n"
                          "    return 'ok'\n"), timeout_ms=300),
         tool("die", "import os\ndef die() -> str:\n    os._exit(3)\n"),
         tool("net", NET, allow={"net": [f"127.0.0.1:{PORT}"]})]

tokfile = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"metrics-token-{os.getpid()}")
with open(tokfile, "w") as f:
    f.write(TOKEN + "\n")
d = Daemon(TOOLS, http=True, args=["--http-token-file", tokfile])
base = f"http://127.0.0.1:{d.port}"


def post(body, sid=None):
    h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
         "Authorization": f"Bearer {TOKEN}", "MCP-Protocol-Version": "2025-06-18"}
    if sid:
        h["Mcp-Session-Id"] = sid
    req = urllib.request.Request(base + "/mcp", data=body.encode(), headers=h)
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.headers.get("Mcp-Session-Id"), r.read().decode()


sid, _ = post('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":'
              '"2025-06-18","capabilities":{},"clientInfo":{"name":"m","version":"1"}}}')
post('{"jsonrpc":"2.0","method":"notifications/initialized"}', sid)
n = 1


def call(name, args):
    global n
    n += 1
    return post(f'{{"jsonrpc":"2.0","id":{n},"method":"tools/call","params":{{"name":"{name}",'
                f'"arguments":{args}}}}}', sid)[1]


for i in range(16):
    call("add", f'{{"a":{i},"b":1}}')
call("fail", '{"x":1}')
call("fail", '{"x":2}')
call("nap", '{"s":5}')                  # times out: its worker is killed
call("die", "{}")                       # its worker dies under it
call("add", '{"a":"x","b":1}')          # refused by the schema
netres = [call("net", f'{{"port":{PORT}}}'), call("net", f'{{"port":{PORT + 1}}}')]
d.write_tools(TOOLS + [tool("extra", "def extra() -> int:\n    return 1\n")])
d_deadline = time.monotonic() + 20
while time.monotonic() < d_deadline and d.stderr().count("loaded: ") < 2:
    time.sleep(0.05)


def scrape(token=TOKEN):
    h = {"Authorization": f"Bearer {token}"} if token else {}
    req = urllib.request.Request(base + "/metrics", headers=h)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, None, ""


code, ctype, text = scrape(None)
check(code == 401, "/metrics wants the token", code)
code, ctype, text = scrape()
check(code == 200 and ctype.startswith("text/plain; version=0.0.4"), "/metrics answers", code)


def value(line):
    m = re.search(r"^" + re.escape(line) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


check(value('mcp_hotd_tool_calls_total{tool="add"}') == 17 and
      value('mcp_hotd_tool_errors_total{tool="add",kind="arguments"}') == 1,
      "add: 16 answered calls and 1 refused by the schema", text[:600])
check(value('mcp_hotd_tool_calls_total{tool="fail"}') == 2 and
      value('mcp_hotd_tool_errors_total{tool="fail",kind="tool"}') == 2,
      "fail: 2 calls, 2 tool errors")
check(value('mcp_hotd_tool_errors_total{tool="nap",kind="timeout"}') == 1 and
      value('mcp_hotd_tool_errors_total{tool="die",kind="worker_died"}') == 1,
      "a timeout and a worker that died under its call, by kind")
check(value('mcp_hotd_tool_call_duration_seconds_count{tool="add"}') == 16 and
      value('mcp_hotd_tool_call_duration_seconds_bucket{tool="add",le="+Inf"}') == 16,
      "add's latency histogram counts its 16 answered calls")
check(value('mcp_hotd_reloads_total{result="ok"}') == 2 and value("mcp_hotd_tools") == 6,
      "two reloads (startup and the file's change), six tools served")
check("connected" in netres[0] and "denied" in netres[1] and
      value('mcp_hotd_broker_total{result="connected"}') == 1 and
      value('mcp_hotd_broker_total{result="denied"}') == 1,
      "the broker's connects: one made, one not granted", netres)
check(value('mcp_hotd_tool_workers{tool="add"}') == 1 and value("mcp_hotd_sessions") >= 1,
      "gauges: workers, sessions")
check(value('mcp_hotd_tasks{status="working"}') == 0 and
      value('mcp_hotd_tasks{status="completed"}') == 0,
      "gauges: tasks kept, by status (none here)")
check(value('mcp_hotd_tool_restarts_total{tool="nap"}') >= 1 and
      value('mcp_hotd_tool_restarts_total{tool="die"}') >= 1 and
      value('mcp_hotd_tool_restarts_total{tool="add"}') == 0,
      "restarts: a worker each for the killed and the dead one")
promtool = shutil.which("promtool")
if promtool:
    p = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                       text=True)
    check(p.returncode == 0, "promtool check metrics passes", p.stdout + p.stderr)
else:
    check(os.environ.get("CI") is None, "promtool (Debian's prometheus) is installed in CI")
st = json.loads(d.ctl("status", "--json").stdout)
byname = {t["name"]: t for t in st["tools"]}
check(byname["fail"]["errors"]["tool"] == 2 and byname["nap"]["errors"]["timeout"] == 1 and
      byname["add"]["latency_ms"]["p50"] >= 0 and
      byname["add"]["latency_ms"]["p99"] >= byname["add"]["latency_ms"]["p50"] and
      "exited with status 3" in (byname["die"]["last_error"] or ""),
      "status: errors by kind, p50/p99, and the crash in last_error", byname)
human = d.ctl("status").stdout
check("P50/P99 MS" in human and "ERRORS" in human, "mcp-hotctl status shows them too", human)
check(d.stop() == 0, "the daemon exits 0")

# --metrics-listen: /metrics alone on an address of its own, no token.
m = Daemon(TOOLS[:1], args=["--metrics-listen", "127.0.0.1:0"])
mport = int(re.search(r"metrics endpoint http://127\.0\.0\.1:(\d+)/metrics",
                      m.stderr()).group(1))
with urllib.request.urlopen(f"http://127.0.0.1:{mport}/metrics", timeout=10) as r:
    alone = r.read().decode()
try:
    urllib.request.urlopen(f"http://127.0.0.1:{mport}/mcp", timeout=10)
    other = 200
except urllib.error.HTTPError as e:
    other = e.code
check('mcp_hotd_tool_calls_total{tool="add"} 0' in alone and other == 404,
      "--metrics-listen serves /metrics, and nothing else", other)
check(m.stop() == 0, "that daemon exits 0")
os.unlink(tokfile)
finish()
