# SPDX-License-Identifier: ISC
"""A service behind a balancer: /healthz and /readyz answer probes that
carry no token, Origin or Host (HEAD as GET); SIGTERM turns /readyz 503 at once, serving
goes on for --drain-delay (answers with Connection: close, idle kept-alive
connections closed, so a proxy reconnects elsewhere), then the port closes while calls in flight are
still answered; every instance says which tools version it serves (tools/list
_meta, a response header, mcp-hotctl status), and a reload changes it."""

import http.client
import json
import os
import signal
import socket
import tempfile
import time

from mcptest import Daemon, check, finish, tool
from sse import post, raw_post, read_until, request

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "t", "version": "1"}}}
SLOW = "import time\ndef slow() -> str:\n    time.sleep(4)\n    return 'late'\n"

token = os.path.join(tempfile.mkdtemp(prefix="mcp-hotd-token-"), "token")
with open(token, "w") as f:
    f.write("t" * 32 + "\n")
d = Daemon([tool("slow", SLOW)], http=True,
           args=["--drain-delay", "2", "--http-token-file", token])
AUTH = {"Authorization": "Bearer " + "t" * 32}
st, _ = request(d.port, "GET", "/healthz", {"Host": "balancer.internal"})
check(st == 200, "/healthz: 200 without token or a loopback Host", st)
st, _ = request(d.port, "GET", "/readyz")
check(st == 200, "/readyz: 200 while serving", st)
st, _, _ = post(d.port, INIT)
check(st == 401, "/mcp still wants the token", st)
for probe in ("/healthz", "/readyz"):
    st, _ = request(d.port, "HEAD", probe)
    check(st == 200, f"HEAD {probe}: 200 like GET", st)

st, h, r = post(d.port, INIT, AUTH)
sid = h.get("Mcp-Session-Id")
H = dict(AUTH, **{"Mcp-Session-Id": sid})
st, h, r = post(d.port, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, H)
v1 = r["result"]["_meta"]["io.github.mcp-hotd/toolsVersion"]
status = json.loads(d.ctl("status", "--json").stdout)
check(len(v1) == 16 and h.get("Mcp-Hotd-Tools-Version") == v1 == status["tools_version"],
      "the tools version: in tools/list _meta, a response header and status", (v1, h, status))
d.write_tools([tool("slow", SLOW, description="v2")])
deadline = time.monotonic() + 10
while time.monotonic() < deadline and \
        json.loads(d.ctl("status", "--json").stdout)["tools_version"] == v1:
    time.sleep(0.1)
st, h, r = post(d.port, {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}, H)
v2 = r["result"]["_meta"]["io.github.mcp-hotd/toolsVersion"]
check(v2 != v1 and h.get("Mcp-Hotd-Tools-Version") == v2, "a reload changes it", (v1, v2))

# A kept-alive connection, idle when SIGTERM comes.
idle = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
idle.request("GET", "/healthz")
idle.getresponse().read()

# A call in flight, then SIGTERM.
c = raw_post(d.port, {"jsonrpc": "2.0", "id": 4, "method": "tools/call",
                      "params": {"name": "slow", "arguments": {}}}, H)
time.sleep(0.3)
t0 = time.monotonic()
d.proc.send_signal(signal.SIGTERM)
time.sleep(0.3)
st, _ = request(d.port, "GET", "/readyz")
check(st == 503, "SIGTERM: /readyz says 503 at once", st)
st, _ = request(d.port, "HEAD", "/readyz")
check(st == 503, "HEAD /readyz: 503 too", st)
st, h, _ = post(d.port, INIT, AUTH)
check(st == 200, "... while serving goes on through --drain-delay", st)
check(h.get("Connection") == "close", "answers during the drain carry Connection: close", h)
idle.sock.settimeout(2)
try:
    gone = idle.sock.recv(1) == b""
except OSError:
    gone = True
check(gone, "an idle kept-alive connection is closed when the drain begins")
refused = False
while time.monotonic() - t0 < 4:
    try:
        socket.create_connection(("127.0.0.1", d.port), timeout=1).close()
    except OSError:
        refused = True
        break
    time.sleep(0.1)
closed_at = time.monotonic() - t0
check(refused and 1.9 < closed_at < 3.5, f"the port closes after the delay ({closed_at:.1f} s)")
got = read_until(c, b"late")
check(b"200 OK" in got and b"late" in got, "the call in flight is answered after the port closed",
      got[-120:])
check(d.stop() == 0, "daemon exits 0")

# A connection accepted before the port closed is served whenever its
# request comes: the decision is the accept's, not the read's (a request
# read in the loop pass after was once refused 503, and a balancer does not
# send a POST twice).
d = Daemon([tool("slow", SLOW.replace("4", "2"))], http=True)
busy = raw_post(d.port, {"jsonrpc": "2.0", "id": 9, "method": "tools/call",
                         "params": {"name": "slow", "arguments": {},
                                    "_meta": {"io.modelcontextprotocol/protocolVersion":
                                              "2026-07-28",
                                              "io.modelcontextprotocol/clientCapabilities": {}}}},
                headers={"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call",
                         "Mcp-Name": "slow"})
time.sleep(0.3)
early = socket.create_connection(("127.0.0.1", d.port))
time.sleep(0.2)                         # accepted, nothing sent yet
d.proc.send_signal(signal.SIGTERM)
time.sleep(0.5)                         # past the settle: serving stopped
body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list",
                   "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                                        "io.modelcontextprotocol/clientCapabilities": {}}}})
early.sendall(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               "Accept: application/json\r\nMCP-Protocol-Version: 2026-07-28\r\n"
               f"Mcp-Method: tools/list\r\nContent-Length: {len(body)}\r\n\r\n{body}").encode())
got = read_until(early, b'"tools"')
check(b"200 OK" in got and b'"slow"' in got,
      "a request on a connection accepted before SIGTERM, sent after the settle, is answered",
      got[-200:])
got = read_until(busy, b"late")
check(b"late" in got, "the call in flight then is answered too", got[-120:])
check(d.stop() == 0, "daemon exits 0")
finish()
