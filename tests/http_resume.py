# SPDX-License-Identifier: ISC
"""SSE streams that resume (SEP-1699) and HTTP for a fleet: a /mcp GET
stream starts with a priming event and a retry hint, numbers its events,
and a client that reconnects with Last-Event-ID (or opens a new stream)
gets the list change it missed; --instance-id names the instance in
session ids; --http-stateless serves 2025 clients without sessions (GET
and DELETE 405); streams get a retry hint before the server closes them."""

import http.client
import json
import signal
import subprocess
import time

from mcptest import MCP_HOTD, Daemon, check, finish, tool
from sse import Stream, post

ADD = tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n")
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "resume", "version": "1"}}}
H = {"Accept": "application/json, text/event-stream"}

d = Daemon([ADD], http=True, args=["--instance-id", "east-1"])
st, hd, _ = post(d.port, INIT, H)
sid = hd.get("Mcp-Session-Id", "")
check(st == 200 and sid.startswith("east-1.") and sid.count(".") == 2 and len(sid) <= 256,
      "--instance-id: session ids name the instance (then the signed state)", sid)
SH = dict(H, **{"Mcp-Session-Id": sid})
post(d.port, {"jsonrpc": "2.0", "method": "notifications/initialized"}, SH)

s1 = Stream(d.port, headers=SH)
time.sleep(0.3)
check(s1.status == 200 and s1.primed is not None and s1.retry == 1000,
      "a new stream is primed (an id, no data) and told when to retry", (s1.primed, s1.retry))
d.write_tools([ADD, tool("one", "def one() -> int:\n    return 1\n")])
ev = s1.next(15)
check(ev and "list_changed" in ev[1] and ev.id and int(ev.id) > int(s1.primed),
      "events carry increasing ids", ev and (ev, ev.id))
last = ev.id
s1.close()
time.sleep(0.3)
d.write_tools([ADD])                    # changed while no stream is open
time.sleep(1.0)
s2 = Stream(d.port, headers=dict(SH, **{"Last-Event-ID": last}))
ev2 = s2.next(10)
check(ev2 and "list_changed" in ev2[1] and int(ev2.id) > int(last),
      "reconnecting with Last-Event-ID replays the change missed", ev2 and (ev2, ev2.id))
s2.close()
time.sleep(0.3)
d.write_tools([ADD, tool("two", "def two() -> int:\n    return 2\n")])
time.sleep(1.0)
s3 = Stream(d.port, headers=SH)         # no Last-Event-ID: after the last delivered
ev3 = s3.next(10)
check(ev3 and "list_changed" in ev3[1], "a new stream gets a change no stream carried", ev3)
try:
    extra = s3.next(1)
except Exception:
    extra = None
check(extra is None, "... and nothing it already had", extra)
d.proc.send_signal(signal.SIGTERM)
end = s3.next(10)
check(end is None and s3.retry == 1000, "the stream gets a retry hint before the server "
      "closes it", (end, s3.retry))
check(d.stop() == 0, "the daemon exits 0")

# --http-stateless: 2025 clients need no session; GET and DELETE are 405.
d = Daemon([ADD], http=True, args=["--http-stateless"])
st, hd, body = post(d.port, INIT, H)
check(st == 200 and "Mcp-Session-Id" not in hd and
      body["result"]["capabilities"]["tools"]["listChanged"] is False,
      "stateless initialize: no session id, no list changes promised", (hd, body))
st, hd, body = post(d.port, {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                             "params": {"name": "add", "arguments": {"a": 2, "b": 3}}}, H)
check(st == 200 and body["result"]["content"][0]["text"] == "5",
      "a session-less 2025 call is served", body)
st, hd, body = post(d.port, {"jsonrpc": "2.0", "id": 3, "method": "tools/list"},
                    dict(H, **{"Mcp-Session-Id": "from-another-instance"}))
check(st == 200 and body["result"]["tools"][0]["name"] == "add",
      "a session id from elsewhere does not matter", body)
for verb in ("GET", "DELETE"):
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
    c.request(verb, "/mcp", headers=H)
    r = c.getresponse()
    r.read()
    check(r.status == 405 and r.getheader("Allow") == "POST", f"stateless: {verb} is 405", r.status)
    c.close()
check(d.stop() == 0, "the stateless daemon exits 0")
for bad in ("bad id!", "x" * 33, ""):
    p = subprocess.run([MCP_HOTD, "--instance-id", bad, "-t", "-c", "/dev/null"],
                       capture_output=True, text=True, timeout=30)
    check(p.returncode != 0 and "--instance-id" in p.stderr and "1 to 32 letters" in p.stderr,
          f"--instance-id {bad[:10]!r}: a startup error saying what is allowed", p.stderr)

# A 2026 call that reports progress and logs: its POST's response is an
# event stream of them (only what the request asked for), then the answer.
STEPS = tool("steps", "from mcp_hotd import Context\ndef steps(ctx: Context) -> str:\n"
                      "    ctx.report_progress(1, 2)\n    ctx.debug('fine detail')\n"
                      "    ctx.warning('careful')\n    ctx.report_progress(2, 2)\n    return 'ok'\n")
d = Daemon([STEPS], http=True)
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}}
H26 = dict(H, **{"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "steps"})


def call26(meta):
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
    c.request("POST", "/mcp", body=json.dumps({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                                              "params": {"name": "steps", "_meta": meta}}),
              headers=dict(H26, **{"Content-Type": "application/json"}))
    r = c.getresponse()
    body = r.read().decode()
    c.close()
    return r.getheader("Content-Type"), [json.loads(ln[5:]) for ln in body.splitlines()
                                         if ln.startswith("data:") and ln[5:].strip()] or [json.loads(body)]


ctype, msgs = call26(dict(META, **{"progressToken": 5, "io.modelcontextprotocol/logLevel": "info"}))
kinds = [m.get("method") or ("result" if "result" in m else "?") for m in msgs]
check(ctype == "text/event-stream" and kinds == ["notifications/progress", "notifications/message",
                                                  "notifications/progress", "result"] and
      msgs[1]["params"]["level"] == "warning" and msgs[-1]["id"] == 7,
      "2026: progress and logs at the request's level ride the POST's stream, then the answer",
      msgs)
ctype, msgs = call26(META)
check(ctype == "application/json" and len(msgs) == 1 and msgs[0]["result"]["content"][0]["text"] == "ok",
      "2026: without progressToken or logLevel, a plain JSON answer", (ctype, msgs))
check(d.stop() == 0, "the daemon exits 0")
finish()
