# SPDX-License-Identifier: ISC
"""The faces hold when clients hog them: unfinished huge headers are cut
off at 64 KiB, and with the descriptors exhausted by idle connections the
supervisor neither spins nor hangs new clients: they get a clear refusal
(HTTP 503, a JSON-RPC error on the unix socket), it is logged once, and
serving comes back when the hogs leave."""

import json
import os
import socket
import struct
import subprocess
import threading
import time

from mcptest import Daemon, check, fd_count, finish, tool
from sse import Stream, post, raw_post

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "t", "version": "1"}}}


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")


d = Daemon([tool("ok", "def ok() -> int:\n    return 1\n")], http=True)

# Five clients each sending 20 MB of a header that never ends.
before = rss_kb(d.pid)
hogs = []
for _ in range(5):
    c = socket.create_connection(("127.0.0.1", d.port))
    c.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
    hogs.append(c)
cut = 0
for c in hogs:
    try:
        for _ in range(20 * 16):
            c.sendall(b"a" * 65536)
    except OSError:
        cut += 1
grown = (rss_kb(d.pid) - before) / 1024
check(cut == 5, "each unfinished 20 MB header is cut off", cut)
check(grown < 20, f"the supervisor grew {grown:.1f} MB for them (< 20)", grown)
for c in hogs:
    c.close()
st, _, r = post(d.port, INIT)
check(st == 200, "serving goes on", st)

# Out of descriptors: a low limit, then idle connections until it is hit.
subprocess.run(["prlimit", f"--pid={d.pid}", "--nofile=48:"], check=True)
idle = []
for _ in range(60):
    idle.append(socket.create_connection(("127.0.0.1", d.port)))
# Until the supervisor holds every descriptor it may (a loaded machine may
# not have handed it all of them yet): then a new client finds none.
deadline = time.monotonic() + 10
while fd_count(d.pid) < 47 and time.monotonic() < deadline:
    idle.append(socket.create_connection(("127.0.0.1", d.port)))
    time.sleep(0.1)
time.sleep(0.5)
t0 = cpu_s(d.pid)
time.sleep(1)
spent = cpu_s(d.pid) - t0
check(spent < 0.3, f"out of fds, the supervisor does not spin ({spent:.2f} s of CPU in 1 s)")
t0 = time.monotonic()
try:
    st, hdr, body = post(d.port, INIT)
except OSError as e:
    st, body = None, str(e)
check(st == 503 and time.monotonic() - t0 < 5,
      f"a new HTTP client gets 503 at once ({time.monotonic() - t0:.2f} s)", (st, body))
u = socket.socket(socket.AF_UNIX)
u.settimeout(5)
u.connect(d.sock)
line = u.makefile("rb").readline()
u.close()
check(b"out of file descriptors" in line and json.loads(line)["error"]["code"] == -32000,
      "a new unix client gets a JSON-RPC error saying why", line)
check(d.stderr().count("HTTP: out of file descriptors") == 1 and
      d.stderr().count("unix socket: out of file descriptors") == 1,
      "logged once for each face", d.stderr()[-600:])
for c in idle:
    c.close()
subprocess.run(["prlimit", f"--pid={d.pid}", "--nofile=1024:"], check=True)
ok = False
deadline = time.monotonic() + 5
while not ok and time.monotonic() < deadline:
    try:
        ok = post(d.port, INIT)[0] == 200
    except OSError:
        time.sleep(0.1)
check(ok, "serving comes back when the idle clients leave")
check(d.ctl("status").returncode == 0, "control requests answered again")
check(d.stop() == 0, "daemon exits 0")

# Connections that send nothing are closed (--http-timeout); an event
# stream and a POST waiting for a slow call are not.
d = Daemon([tool("slow", "import time\ndef slow() -> str:\n    time.sleep(4)\n    return 'late'\n")],
           http=True, args=["--http-timeout", "2"])
st, hdr, r = post(d.port, INIT)
H = {"Mcp-Session-Id": hdr.get("Mcp-Session-Id")}
post(d.port, {"jsonrpc": "2.0", "method": "notifications/initialized"}, H)
stream = Stream(d.port, headers=H)
idle = socket.create_connection(("127.0.0.1", d.port))
half = socket.create_connection(("127.0.0.1", d.port))
half.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{")
trickle = socket.create_connection(("127.0.0.1", d.port))
trickled = {"closed": None}


def trickling():
    t = time.monotonic()
    for b in b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100:
        try:
            trickle.sendall(bytes([b]))
        except OSError:
            trickled["closed"] = time.monotonic() - t
            return
        time.sleep(0.25)


tt = threading.Thread(target=trickling)
tt.start()
t0 = time.monotonic()
st, _, r = post(d.port, {"jsonrpc": "2.0", "id": 5, "method": "tools/call",
                         "params": {"name": "slow", "arguments": {}}}, H)
check(st == 200 and r["result"]["content"][0]["text"] == "late",
      f"a POST waiting 4 s for its call is answered ({time.monotonic() - t0:.1f} s)", (st, r))


def closed(c):
    c.settimeout(0.2)
    try:
        return c.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


check(closed(idle), "an idle connection is closed after --http-timeout")
check(closed(half), "a half-sent request is closed after --http-timeout")
tt.join()
check(trickled["closed"] is not None and trickled["closed"] < 4,
      "a request trickling a byte every 0.25 s is closed after --http-timeout 2 "
      f"({trickled['closed']} s)", trickled)
d.write_tools([tool("slow", "def slow() -> str:\n    return 'v2'\n", description="v2")])
ev = stream.next(10)
check(ev is not None and "list_changed" in ev[1], "the event stream outlived the timeout", ev)
idle.close()
half.close()
trickle.close()
stream.close()
check(d.stop() == 0, "daemon exits 0")

# A cap on connections in all (--http-max-connections): past it new HTTP
# clients get a plain 503 at once, the unix socket keeps its room, and
# every answer still goes out whole (the connection's writer holds the
# close until the last byte is with the kernel).
d = Daemon([tool("big", "def big() -> str:\n    return 'y' * (3 << 20)\n")], http=True,
           args=["--http-max-connections", "8"])
st, hdr, r = post(d.port, INIT)
H = {"Mcp-Session-Id": hdr.get("Mcp-Session-Id"), "Connection": "close"}
st, _, r = post(d.port, {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                         "params": {"name": "big", "arguments": {}}}, H)
check(st == 200 and len(r["result"]["content"][0]["text"]) == 3 << 20,
      "a 3 MiB answer on a connection that closes after it arrives whole", st)
# A client that resets its connection mid-answer: the write fails, the
# connection goes, nothing is left behind.
base = fd_count(d.pid)
for _ in range(3):
    c = raw_post(d.port, {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                          "params": {"name": "big", "arguments": {}}},
                 {"Mcp-Session-Id": H["Mcp-Session-Id"]}, rcvbuf=4096)
    c.recv(100)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
deadline = time.monotonic() + 5
while fd_count(d.pid) != base and time.monotonic() < deadline:
    time.sleep(0.05)
check(fd_count(d.pid) == base,
      "clients resetting mid-answer leave no descriptor behind", (base, fd_count(d.pid)))
check(post(d.port, INIT)[0] == 200, "and serving goes on")
hogs = [socket.create_connection(("127.0.0.1", d.port)) for _ in range(8)]
time.sleep(0.3)
t0 = time.monotonic()
try:
    st, _, body = post(d.port, INIT)
except OSError as e:
    st, body = None, str(e)
check(st == 503 and "cannot take more connections" in str(body) and
      time.monotonic() - t0 < 5, "the ninth connection gets 503 at once", (st, body))
st = d.ctl("status", "--json")
check(st.returncode == 0 and json.loads(st.stdout)["http_connections"] == 8,
      "the unix socket is served meanwhile; status counts 8 HTTP connections", st.stdout[-300:])
check(d.stderr().count("connections open, the limit (--http-max-connections)") == 1,
      "the cap is logged", d.stderr()[-400:])
hogs.pop().close()
time.sleep(0.3)
check(post(d.port, INIT)[0] == 200, "below the cap again, clients are served")
for c in hogs:
    c.close()
check(d.stop() == 0, "daemon exits 0")

# A client that stops reading its answer is closed after --http-timeout
# (a POST waiting for its call is exempt only while nothing is owed).
d = Daemon([tool("big", "def big() -> str:\n    return 'y' * (8 << 20)\n")], http=True,
           args=["--http-timeout", "2", "--max-reply", str(10 << 20)])
st, hdr, r = post(d.port, INIT)
stuck = raw_post(d.port, {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                          "params": {"name": "big", "arguments": {}}},
                 {"Mcp-Session-Id": hdr.get("Mcp-Session-Id")}, rcvbuf=4096)
time.sleep(5)
got, ended = 0, False
stuck.settimeout(2)
try:
    while (chunk := stuck.recv(1 << 20)):
        got += len(chunk)
    ended = True
except socket.timeout:
    pass
except OSError:
    ended = True
check(ended and got < 8 << 20, f"a client not reading its 8 MiB answer was closed ({got} bytes "
      "taken)", (ended, got))
check(post(d.port, INIT)[0] == 200, "serving goes on")
check(d.stop() == 0, "daemon exits 0")

# The session cap is the operator's (--http-max-sessions).
d = Daemon([tool("ok", "def ok() -> int:\n    return 1\n")], http=True,
           args=["--http-max-sessions", "3"])
sids = [post(d.port, INIT)[1].get("Mcp-Session-Id") for _ in range(4)]
st, _, _ = post(d.port, {"jsonrpc": "2.0", "id": 2, "method": "ping"},
                {"Mcp-Session-Id": sids[0]})
status = json.loads(d.ctl("status", "--json").stdout)
check(len(set(sids)) == 4 and st == 200 and
      sum(s["transport"] == "http" for s in status["sessions"]) <= 3,
      "--http-max-sessions 3: four sessions stay usable, at most 3 held (an idle one "
      "leaves the table and comes back from its id)", (st, status["sessions"]))
# The ping brought sids[0] back in place of the longest idle: now the held
# three each get a stream (busy), and the one left out cannot come back
# now: 503 and Retry-After, not a 404 that would lose it; a stream closed,
# it does.
held = [s for s in sids if s != sids[1]]
streams = [Stream(d.port, headers={"Mcp-Session-Id": s}) for s in held]
PING = {"jsonrpc": "2.0", "id": 3, "method": "ping"}
st, hd, r = post(d.port, PING, {"Mcp-Session-Id": sids[1]})
check(st == 503 and hd.get("Retry-After") == "1" and "busy" in r["error"]["message"],
      "a good id with every held session busy: 503, retry", (st, r))
streams[0].sock.shutdown(socket.SHUT_RDWR)     # its reader thread holds it open
streams[0].close()
time.sleep(0.5)
st, _, _ = post(d.port, PING, {"Mcp-Session-Id": sids[1]})
check(st == 200, "... and once one is idle, it is served", st)
for s in streams[1:]:
    s.close()
check(d.stop() == 0, "daemon exits 0")
finish()
