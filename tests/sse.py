# SPDX-License-Identifier: ISC
"""A tiny HTTP client for the tests: JSON POSTs and an SSE reader."""

import http.client
import json
import queue
import socket
import threading


def post(port, body, headers=None, path="/mcp", raw=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    h.update(headers or {})
    c.request("POST", path, body=raw if raw is not None else json.dumps(body), headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        body = json.loads(data) if data.strip() else None
    except ValueError:
        body = data.decode(errors="replace")     # libevent's own HTML errors
    return r.status, dict(r.getheaders()), body


def raw_post(port, body, headers=None, rcvbuf=None):
    """A POST to /mcp on a socket of its own, left unread: the socket."""
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    data = json.dumps(body)
    h = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    s.sendall(f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              f"Accept: application/json\r\n{h}Content-Length: {len(data)}\r\n\r\n{data}"
              .encode())
    return s


def read_until(s, needle, timeout=10):
    """What s sends until needle arrives or it closes."""
    s.settimeout(timeout)
    got = b""
    while needle not in got:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    return got


def request(port, method, path="/mcp", headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, path, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        return r.status, json.loads(data)
    except ValueError:
        return r.status, None


class Event(tuple):
    """(event, data), with the SSE id it carried (or None) as .id."""
    id = None


class Stream:
    """GET an SSE stream; events arrive on self.events as (event, data)
    (Event: .id is the event's id); the last retry: hint is self.retry,
    the id of a priming event (no data) self.primed."""

    def __init__(self, port, path="/mcp", headers=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        h = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          f"Accept: text/event-stream\r\n{h}\r\n".encode())
        self.events = queue.Queue()
        self.comments = 0
        self.status = None
        self.retry = None
        self.primed = None
        self.headers = {}
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        f = self.sock.makefile("rb")
        self.status = int(f.readline().split()[1])
        while (line := f.readline().strip()):
            k, _, v = line.decode().partition(":")
            self.headers[k.strip().lower()] = v.strip()
        event, data, eid = "message", [], None
        buf = b""
        try:
            while True:
                size = f.readline().strip()      # chunked encoding
                if not size:
                    break
                n = int(size, 16)
                if n == 0:
                    break
                buf += f.read(n)
                f.readline()
                while b"\n\n" in buf:
                    block, buf = buf.split(b"\n\n", 1)
                    for line in block.decode().splitlines():
                        if line.startswith("event:"):
                            event = line[6:].strip()
                        elif line.startswith("data:"):
                            data.append(line[5:].strip())
                        elif line.startswith("id:"):
                            eid = line[3:].strip()
                        elif line.startswith("retry:"):
                            self.retry = int(line[6:].strip())
                        elif line.startswith(":"):
                            self.comments += 1
                    if data == [""]:
                        self.primed = eid       # SEP-1699: an id, no data
                    elif data:
                        ev = Event((event, "\n".join(data)))
                        ev.id = eid
                        self.events.put(ev)
                    event, data, eid = "message", [], None
        except OSError:
            pass
        self.events.put(None)

    def next(self, timeout=10):
        return self.events.get(timeout=timeout)

    def close(self):
        self.sock.close()
