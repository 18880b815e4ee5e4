#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Refusals at once: at NOFILE 1024 (so at most 512 HTTP connections),
1,100 idle connections; a new HTTP client's 503 arrives within 100 ms (it
used to wait its turn, one refusal per 100 ms: 8 s), every connection past
the cap was told why, and a client served on a kept-alive connection meanwhile
keeps a p99 under 50 ms."""

import http.client
import json
import re
import resource
import socket
import time

from mcptest import Daemon, check, finish, tool

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "flood", "version": "1"}}}
HDR = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 4096), hard), hard))
d = Daemon([tool("ok", "def ok() -> int:\n    return 1\n")], http=True,
           wrap=["prlimit", "--nofile=1024:1024", "--"])
check("at most 512 connections" in d.stderr(), "NOFILE 1024: at most 512 HTTP connections")

served = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
served.request("POST", "/mcp", json.dumps(INIT), HDR)
r = served.getresponse()
r.read()
H = dict(HDR, **{"Mcp-Session-Id": r.getheader("Mcp-Session-Id")})


def ping(n):
    t0 = time.monotonic()
    served.request("POST", "/mcp", json.dumps({"jsonrpc": "2.0", "id": n, "method": "ping"}), H)
    r = served.getresponse()
    r.read()
    return r.status, time.monotonic() - t0


idle = []
for _ in range(1100):
    idle.append(socket.create_connection(("127.0.0.1", d.port), timeout=5))
time.sleep(0.5)
told = 0
for c in idle[-50:]:
    c.settimeout(2)
    try:
        told += b"503" in c.recv(4096)
    except OSError:
        pass
check(told == 50, f"connections past the cap are told 503 ({told} of the last 50)")

worst = 0.0
statuses = []
for _ in range(10):
    t0 = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
    try:
        c.request("POST", "/mcp", json.dumps(INIT), HDR)
        statuses.append(c.getresponse().status)
    except OSError as e:
        statuses.append(repr(e))
    c.close()
    worst = max(worst, time.monotonic() - t0)
check(statuses == [503] * 10 and worst < 0.1,
      f"a new HTTP client's 503 arrives within 100 ms (worst {worst * 1000:.1f} ms)", statuses)

lat = []
for i in range(200):
    st, dt = ping(100 + i)
    if st != 200:
        lat.append(99)
    lat.append(dt)
    if i % 20 == 0:   # more clients arrive meanwhile, and are refused
        for _ in range(5):
            try:
                socket.create_connection(("127.0.0.1", d.port), timeout=2).close()
            except OSError:
                pass
lat.sort()
p99 = lat[int(len(lat) * 0.99) - 1]
check(p99 < 0.05, f"the client served meanwhile: p99 {p99 * 1000:.1f} ms (< 50)")
for c in idle:
    c.close()
served.close()
# /metrics counts them (a connection of its own, now that there is room).
time.sleep(0.3)
scrape = b""
with socket.create_connection(("127.0.0.1", d.port), timeout=5) as c:
    c.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    while (chunk := c.recv(65536)):
        scrape += chunk
m = re.search(rb'mcp_hotd_refused_clients_total\{face="HTTP"\} (\d+)', scrape)
check(m is not None and int(m.group(1)) >= 60,
      f"/metrics counts the clients refused ({m.group(1).decode() if m else None})",
      scrape[-400:])
check(d.stop() == 0, "daemon exits 0")
finish()
