# SPDX-License-Identifier: ISC
"""allow.net: a tool reaches exactly the host:port pairs its entry lists,
through the supervisor's broker, by every route Python clients take
(urllib, http.client, create_connection, asyncio, requests, TLS); anything
else raises PermissionError naming the destination and the worker lives
on; names resolving to the host's own addresses are refused unless those
are listed; forged broker frames gain nothing (refused, or the worker's
death). As root and as nobody, with and without namespaces, and with
Landlock ABI 2 (no TCP rule)."""

import http.server
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import threading

from mcptest import Server, check, dry_run, finish, free_port, text_of, tool

USER = "nobody"
# Landlock ABI 2 (Debian 12's own kernel) has no TCP rule: the broker and
# the filters hold there alone.
MODES = [(None, []), (None, ["--no-namespaces"]), (USER, []), (USER, ["--no-namespaces"]),
         (None, ["--landlock-abi-max", "2"]), (USER, ["--landlock-abi-max", "2"])]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from " + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(tls_dir=None):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls_dir is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(tls_dir, "cert.pem"), os.path.join(tls_dir, "key.pem"))
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, srv.server_address[1]


def attempt(params, body, helpers=""):
    """A tool f trying body: 'ok: value' or the error; helpers after f (the
    first function defined is the tool's)."""
    return (f"import os, socket\ndef f({params}):\n    try:\n"
            f"        return 'ok: ' + str({body})\n"
            "    except Exception as e:\n        return f'{type(e).__name__}: {e}'\n" + helpers)


def has(module):
    """Debian's python3-MODULE, for the embedded (Debian) Python."""
    return subprocess.run(["/usr/bin/python3", "-c", f"import {module}"],
                          capture_output=True).returncode == 0


tls = tempfile.mkdtemp(prefix="mcp-hotd-tls-")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-keyout", os.path.join(tls, "key.pem"),
                "-out", os.path.join(tls, "cert.pem")], check=True, capture_output=True)
web, PORT = serve()
tlsweb, TLSPORT = serve(tls)
CLOSED = free_port()
LOOP = f"127.0.0.1:{PORT}"

URLLIB = attempt("url: str", "__import__('urllib.request').request.urlopen(url, timeout=5).read().decode()")
HTTPCLIENT = attempt("host: str, port: int", "(lambda c: (c.request('GET', '/hc'), "
                     "c.getresponse().read().decode())[1])(__import__('http.client').client."
                     "HTTPConnection(host, port, timeout=5))")
RAW = attempt("host: str, port: int", "_raw(host, port)",
              "def _raw(host, port):\n    s = socket.create_connection((host, port), timeout=5)\n"
              "    s.sendall(b'GET /raw HTTP/1.0\\r\\n\\r\\n')\n    d = b''\n"
              "    while (c := s.recv(4096)):\n        d += c\n    s.close()\n"
              "    return d.decode().split('\\r\\n\\r\\n', 1)[1]\n")
ASYNC = ("import asyncio\nasync def f(host: str, port: int) -> str:\n    try:\n"
         "        r, w = await asyncio.open_connection(host, port)\n"
         "        w.write(b'GET /aio HTTP/1.0\\r\\n\\r\\n')\n"
         "        d = await r.read()\n        w.close()\n"
         "        return 'ok: ' + d.decode().split('\\r\\n\\r\\n', 1)[1]\n"
         "    except Exception as e:\n        return f'{type(e).__name__}: {e}'\n")
REQUESTS = attempt("url: str", "__import__('requests').get(url, timeout=5).text")
HTTPX = attempt("url: str", "__import__('httpx').get(url, timeout=5).text")
HTTPX_ASYNC = ("import httpx\nasync def f(url: str) -> str:\n    try:\n"
               "        async with httpx.AsyncClient() as c:\n"
               "            return 'ok: ' + (await c.get(url, timeout=5)).text\n"
               "    except Exception as e:\n        return f'{type(e).__name__}: {e}'\n")
TLS_VERIFIED = attempt("url: str", "__import__('urllib.request').request.urlopen(url, timeout=5).read()")
TLS_UNVERIFIED = attempt("url: str", "__import__('urllib.request').request.urlopen(url, timeout=5, "
                         "context=__import__('ssl')._create_unverified_context()).read().decode()")
MANY = attempt("host: str, port: int", "_many(host, port)",
               "keep = []\ndef _many(host, port):\n    try:\n        while len(keep) < 1000:\n"
               "            keep.append(socket.create_connection((host, port), timeout=5))\n"
               "    except OSError as e:\n        n = len(keep)\n        [s.close() for s in keep]\n"
               "        keep.clear()\n        return f'{n} then {type(e).__name__}: {e}'\n")
PID = "import os\ndef f() -> int:\n    return os.getpid()\n"
# Forged frames on the broker channel, as hostile tool code would write them.
FORGE = ("import json, os, socket, struct\n"
         "def f(kind: int, body: str) -> str:\n"
         "    c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, 0, 4)\n"
         "    data = body.encode()\n"
         "    c.sendmsg([struct.pack('=HHIQ', kind, 1, len(data), 7) + data])\n"
         "    msg, fds, flags, _ = socket.recv_fds(c, 9000, 1)\n"
         "    c.detach()\n"
         "    return msg[16:].decode() + f' fds={len(fds)}'\n")
GARBAGE = ("import os\ndef f() -> str:\n    os.write(4, b'not a frame at all')\n"
           "    import time\n    time.sleep(5)\n    return 'still alive'\n")
NOGRANT = attempt("", "socket.getaddrinfo('example.org', 443)")
UDP = attempt("", "socket.socket(socket.AF_INET, socket.SOCK_DGRAM)")
LISTEN = attempt("", "socket.socket().bind(('127.0.0.1', 0))")


def frame_types():
    """MSG_RESOLVE and MSG_CONNECT, from the one table that numbers them."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src",
                           "msg.h")) as f:
        table = f.read()
    return {"MSG_" + n: int(num) for n, num in re.findall(r"X\((\w+), (\d+),", table)}


TYPES = frame_types()


# Descriptors until the limit: the lowest free one each time, so the last
# is the limit less one.
FDS = ("import os\ndef f() -> str:\n    got = []\n    try:\n        while len(got) < 5000:\n"
       "            got.append(os.dup(2))\n    except OSError as e:\n        why = e.errno\n"
       "    for fd in got:\n        os.close(fd)\n    return f'{max(got) + 1} {why}'\n")


def run_mode(user, args):
    label = f"{user or 'root'}{' ' + ' '.join(args) if args else ''}"
    grant = {"net": [LOOP]}
    tools = [
        tool("urllib", URLLIB, allow=grant),
        tool("httpclient", HTTPCLIENT, allow=grant),
        tool("raw", RAW, allow=grant),
        tool("aio", ASYNC, allow=grant),
        tool("requests", REQUESTS, allow=grant),
        tool("httpx", HTTPX, allow=grant),
        tool("httpx_async", HTTPX_ASYNC, allow=grant),
        tool("pid", PID, allow=grant),
        tool("byname", URLLIB, allow={"net": [f"localhost:{PORT}", LOOP]}),
        tool("rebind", URLLIB, allow={"net": [f"localhost:{PORT}"]}),
        tool("refused", RAW, allow={"net": [f"127.0.0.1:{CLOSED}"]}),
        tool("tls", TLS_VERIFIED, allow={"net": [f"127.0.0.1:{TLSPORT}"]}),
        tool("tls_unverified", TLS_UNVERIFIED, allow={"net": [f"127.0.0.1:{TLSPORT}"]}),
        tool("many", MANY, allow=grant),
        tool("forge", FORGE, allow=grant),
        tool("garbage", GARBAGE, allow=grant),
        tool("nogrant", NOGRANT),
        tool("fds", FDS, allow=grant),
        tool("fds0", FDS),
        tool("udp", UDP, allow=grant),
        tool("listen", LISTEN, allow=grant),
        tool("wild", PID, allow={"net": ["*.example.org:443", "[::1]:8080", "10.0.0.1:5432"]}),
        tool("badnet", PID, allow={"net": ["example.org"]}),
        tool("badnet6", PID, allow={"net": ["::1:80"]}),
    ]
    s = Server(tools, args=args, user=user)
    s.initialize()
    listed = {t["name"] for t in s.list_tools()}
    url = f"http://{LOOP}/u"

    r = text_of(s.call("urllib", {"url": url}))
    check(r == "ok: hello from /u", f"[{label}] urllib fetches a listed address", r)
    r = text_of(s.call("httpclient", {"host": "127.0.0.1", "port": PORT}))
    check(r == "ok: hello from /hc", f"[{label}] http.client too", r)
    r = text_of(s.call("raw", {"host": "127.0.0.1", "port": PORT}))
    check(r == "ok: hello from /raw", f"[{label}] socket.create_connection too", r)
    r = text_of(s.call("aio", {"host": "127.0.0.1", "port": PORT}))
    check(r == "ok: hello from /aio", f"[{label}] asyncio.open_connection too", r)
    r = text_of(s.call("fds")), text_of(s.call("fds0"))
    check(r == ("256 24", "64 24"), f"[{label}] 256 descriptors with a net grant, 64 without", r)
    for name in ("requests", "httpx", "httpx_async"):
        if not has(name.split("_")[0]):
            check(False, f"[{label}] python3-{name} is installed (scripts/install-deps)")
            continue
        r = text_of(s.call(name, {"url": url}))
        check(r == "ok: hello from /u", f"[{label}] {name} too", r)

    pid = text_of(s.call("pid"))
    for name, a, want in [
        ("urllib", {"url": f"http://127.0.0.1:{CLOSED}/"}, f"a connection to 127.0.0.1:{CLOSED} is not granted"),
        ("raw", {"host": "127.0.0.2", "port": PORT}, f"a connection to 127.0.0.2:{PORT} is not granted"),
        ("raw", {"host": "::1", "port": PORT}, f"a connection to [::1]:{PORT} is not granted"),
        ("raw", {"host": "example.org", "port": 80}, "resolving example.org for port 80 is not granted"),
        ("aio", {"host": "127.0.0.1", "port": CLOSED}, f"a connection to 127.0.0.1:{CLOSED} is not granted"),
    ]:
        r = text_of(s.call(name, a))
        check(("PermissionError" in r or "[Errno 13]" in r) and want in r,
              f"[{label}] {name} {a}: PermissionError naming it", r)
    check(text_of(s.call("pid")) == pid, f"[{label}] ... and the worker lives on")

    r = text_of(s.call("byname", {"url": f"http://localhost:{PORT}/n"}))
    check(r == "ok: hello from /n", f"[{label}] a listed name resolves (loopback listed too)", r)
    r = text_of(s.call("rebind", {"url": f"http://localhost:{PORT}/n"}))
    check("[Errno 13]" in r and "resolves only to addresses that are not global" in r and
          "127.0.0.1" in r, f"[{label}] a listed name resolving to loopback is refused", r)
    r = text_of(s.call("refused", {"host": "127.0.0.1", "port": CLOSED}))
    check(r.startswith("ConnectionRefusedError"), f"[{label}] a granted port with no server: "
          "ConnectionRefusedError, as without mcp-hotd", r)
    r = text_of(s.call("tls", {"url": f"https://127.0.0.1:{TLSPORT}/t"}))
    check("CERTIFICATE_VERIFY_FAILED" in r, f"[{label}] TLS verifies (a self-signed server fails)", r)
    r = text_of(s.call("tls_unverified", {"url": f"https://127.0.0.1:{TLSPORT}/t"}))
    check(r == "ok: hello from /t", f"[{label}] TLS runs over a brokered socket", r)
    r = text_of(s.call("many", {"host": "127.0.0.1", "port": PORT}))
    n = int(r.split(" ")[1]) if r.startswith("ok: ") else 0
    check(n >= 100 and "Too many open files" in r, f"[{label}] 100+ connections at once, then "
          "a clear error", r)
    check(text_of(s.call("many", {"host": "127.0.0.1", "port": PORT})) == r,
          f"[{label}] ... and the worker lives on, able to connect again")

    forged = [
        (TYPES["MSG_CONNECT"], '{"family":2,"addr":"127.0.0.1","port":%d}' % CLOSED,
         "is not granted", "fds=0", "a forged CONNECT the grant does not cover"),
        (TYPES["MSG_CONNECT"], '{"family":2,"addr":"127.0.0.1","port":%d}' % PORT,
         '"errno"', "fds=1", "a forged CONNECT it does cover (what its Python would ask)"),
        (TYPES["MSG_RESOLVE"], '{"host":"exfiltrate.example.com","port":0,"family":0}',
         "resolving exfiltrate.example.com is not granted", "fds=0",
         "a forged RESOLVE of a name no grant covers"),
        (TYPES["MSG_RESOLVE"], '{"host":"127.0.0.1","port":0,"family":0}',
         "is not granted", "fds=0", "a RESOLVE of an address"),
    ]
    for kind, body, want, fds, what in forged:
        r = text_of(s.call("forge", {"kind": kind, "body": body}))
        check(want in r and r.endswith(fds), f"[{label}] {what}: answered as it deserves", r)
    forge_pid = [w for w in s.workers()]
    r = s.call("forge", {"kind": TYPES["MSG_CONNECT"], "body": '{"addr":1}'})
    check(r.get("isError") and "worker" in text_of(r), f"[{label}] a malformed request is "
          "that worker's death", r)
    r = s.call("garbage")
    check(r.get("isError") and "still alive" not in text_of(r), f"[{label}] garbage on the "
          "broker channel: the worker dies", r)
    check(s.wait_for(lambda: "its broker channel sent a malformed" in s.stderr(), 10),
          f"[{label}] ... and the log says why", s.stderr()[-500:])
    r = text_of(s.call("urllib", {"url": url}))
    check(r == "ok: hello from /u", f"[{label}] the supervisor serves on", r)
    del forge_pid

    for name, want in [("nogrant", "PermissionError: [Errno 13] mcp-hotd: resolving example.org is "
                                   "not granted (this tool has no allow.net grant)"),
                       ("udp", "PermissionError"), ("listen", "PermissionError")]:
        r = text_of(s.call(name))
        check(r.startswith(want), f"[{label}] {name}: {want[:40]}", r)
    err = s.stderr()
    check("wild" in listed, f"[{label}] wildcard, IPv6 and IPv4 grants parse")
    for name in ("badnet", "badnet6"):
        check(name not in listed and f"tool '{name}' (entry" in err and "'allow.net[0]' must be" in err,
              f"[{label}] {name}: skipped, naming the field", err[-600:])
    s.kill()


for user, args in MODES:
    run_mode(user, args)

# The forced fallback: no namespaces, no Landlock (no file reads at call
# time, so no lazy imports or TLS): the broker's checks alone hold.
for user in (None, USER):
    label = f"fallback, {user or 'root'}"
    s = Server([tool("raw", RAW, allow={"net": [LOOP]}), tool("forge", FORGE, allow={"net": [LOOP]}),
                tool("udp", UDP, allow={"net": [LOOP]})],
               args=["--no-namespaces", "--no-landlock"], user=user)
    s.initialize()
    r = text_of(s.call("raw", {"host": "127.0.0.1", "port": PORT}))
    check(r == "ok: hello from /raw", f"[{label}] a listed address connects", r)
    r = text_of(s.call("raw", {"host": "127.0.0.1", "port": CLOSED}))
    check("PermissionError" in r and "is not granted" in r, f"[{label}] an unlisted one is refused", r)
    r = text_of(s.call("forge", {"kind": TYPES["MSG_CONNECT"],
                                 "body": '{"family":2,"addr":"127.0.0.1","port":%d}' % CLOSED}))
    check("is not granted" in r and r.endswith("fds=0"), f"[{label}] a forged CONNECT is refused", r)
    r = text_of(s.call("udp"))
    check(r.startswith("PermissionError"), f"[{label}] no UDP socket", r)
    s.kill()

# -t shows the grant.
r = dry_run([tool("g", PID, allow={"net": ["api.github.com:443"]})])
check(r.returncode == 0 and "g: OK (allow net api.github.com:443)" in r.stdout, "-t prints a net grant",
      r.stdout + r.stderr)
web.shutdown()
tlsweb.shutdown()
shutil.rmtree(tls)
finish()
