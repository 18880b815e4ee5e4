# SPDX-License-Identifier: ISC
"""--access-log: one line per request (a call's when it is answered), in
logfmt, with face, session, era, method, tool, outcome, duration and
bytes; never an argument value; a client's odd method name escaped onto
one line; SIGHUP reopens the file (logrotate moves the old one)."""

import json
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.request

from mcptest import MCP_HOTD, Daemon, check, finish, tool

SECRET = "ARGUMENT-VALUE-7731"
d0 = tempfile.mkdtemp(prefix="mcp-hotd-access-")
path = os.path.join(d0, "access.log")
d = Daemon([tool("echo", "def echo(s: str) -> str:\n    return s\n"),
            tool("boom", "def boom() -> str:\n    raise ValueError('x')\n")],
           http=True, args=["--access-log", path])
base = f"http://127.0.0.1:{d.port}/mcp"


def post(msg, sid=None):
    h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
         "MCP-Protocol-Version": "2025-06-18"}
    if sid:
        h["Mcp-Session-Id"] = sid
    req = urllib.request.Request(base, data=json.dumps(msg).encode(), headers=h)
    with urllib.request.urlopen(req, timeout=30) as r:
        r.read()
        return r.headers.get("Mcp-Session-Id")


sid = post({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "a", "version": "1"}}})
post({"jsonrpc": "2.0", "method": "notifications/initialized"}, sid)
post({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, sid)
post({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
      "params": {"name": "echo", "arguments": {"s": SECRET}}}, sid)
post({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "boom"}}, sid)
post({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
      "params": {"name": "echo", "arguments": {"s": 5}}}, sid)
post({"jsonrpc": "2.0", "id": 6, "method": "no such\nmethod \"x\""}, sid)


def lines(p):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open(p) as f:
                out = f.read().splitlines()
        except FileNotFoundError:
            out = []
        if len(out) >= 6:
            return out
        time.sleep(0.05)
    return out


got = lines(path)
fields = [dict(kv.split("=", 1) for kv in line.split(" ")) for line in got]
check(len(got) == 6, "one line per request, none for a notification", got)
check([f.get("method") for f in fields] ==
      ["initialize", "tools/list", "tools/call", "tools/call", "tools/call",
       "no\\x20such\\x0amethod\\x20\\x22x\\x22"],
      "the methods in order, a client's odd one escaped onto its line",
      [f.get("method") for f in fields])
calls = fields[2:5]
check([c.get("tool") for c in calls] == ["echo", "boom", "echo"] and
      [c.get("outcome") for c in calls] == ["ok", "isError", "isError"] and
      fields[5].get("outcome") == "error-32601",
      "tools and outcomes: ok, the tool's error, refused arguments, an unknown method",
      calls)
check(all(f.get("face") == "http" and f.get("era") == "2025" and f.get("session") and
          re.fullmatch(r"\d+\.\d{3}", f.get("ms", "")) and int(f.get("bytes", "0")) > 0 and
          re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", f.get("time", ""))
          for f in fields), "face, era, session, duration, bytes, UTC time on each", fields)
check(SECRET not in open(path).read(), "no argument value in the log")
# logrotate: move it, SIGHUP, the next line goes to a new file.
os.rename(path, path + ".1")
os.kill(d.pid, signal.SIGHUP)
time.sleep(0.3)
post({"jsonrpc": "2.0", "id": 7, "method": "tools/list"}, sid)
deadline = time.monotonic() + 10
while time.monotonic() < deadline and not os.path.exists(path):
    time.sleep(0.05)
new = open(path).read().splitlines() if os.path.exists(path) else []
check(len(new) == 1 and "method=tools/list" in new[0] and
      len(open(path + ".1").read().splitlines()) == 6,
      "SIGHUP reopens it: the rotated file keeps its lines, the new one gets the next", new)
check(d.stop() == 0, "the daemon exits 0")
# A file that cannot be opened is a startup error, naming it.
p = subprocess.run([MCP_HOTD, "-c", "/dev/null", "--stdio", "--access-log",
                    "/nonexistent-dir/access.log"], capture_output=True, text=True,
                   timeout=30, stdin=subprocess.DEVNULL)
check(p.returncode != 0 and "--access-log /nonexistent-dir/access.log" in p.stderr,
      "an access log that cannot be opened: a startup error naming it", p.stderr[-300:])
finish()
