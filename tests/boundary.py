# SPDX-License-Identifier: ISC
"""The worker boundary as a contract: everything a worker sends is hostile
input, checked and budgeted; a hostile client costs the supervisor no more
than its own request; a brokered socket serves only the connection the
broker made; grants bring no new code; secrets shape nothing visible.

Each part attacks one claim of SECURITY in mcp-hotd(8), as root and as
nobody, with namespaces and in the forced fallback (--no-namespaces, and
for the net claims --landlock-abi-max 2 and --no-landlock). Stalls are
bounded by a ping deadline, blow-ups by an RSS-growth threshold, so a
regression fails here instead of taking the machine down."""

import json
import os
import shutil
import socket
import tempfile
import threading
import time

from mcptest import Daemon, Server, check, finish, free_port, text_of, tool
from sse import post

USER = "nobody"
MODES = [(None, []), (None, ["--no-namespaces"]), (USER, []), (USER, ["--no-namespaces"])]


def label(user, args):
    return f"[{user or 'root'}{' ' + ' '.join(args) if args else ''}]"


def answers_ping(s, seconds=5):
    """The supervisor answers a ping within seconds (its loop is not stalled)."""
    try:
        return s.rpc("ping", {}, timeout=seconds).get("result") == {}
    except Exception:
        return False


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def call_within(s, name, args, seconds=5):
    """tools/call, answered within seconds: the response, or None."""
    try:
        return s.rpc("tools/call", {"name": name, "arguments": args}, timeout=seconds)
    except Exception:
        return None


# --- 1-4: READY is untrusted, schema checks are budgeted ------------------
# The toolhost is the tool's to rewrite: what it would send unmodified,
# its own sanitising (derived) switched off first.
REBIND = ("import sys\nth = sys.modules['mcp_hotd_toolhost']\n"
          "th.derived = lambda schema, *a, **k: schema\n")
BOMB_OUT = REBIND + """
def _out(func, warn):
    a = {"oneOf": [{"type": "array", "items": {"$ref": "#/$defs/a"}},
                   {"type": "array", "items": {"$ref": "#/$defs/a"}}, {"type": "integer"}]}
    return {"$defs": {"a": a}, "type": "object", "properties": {"r": {"$ref": "#/$defs/a"}}}
th.output_schema = _out

def bomb() -> dict:
    v = 1
    for i in range(48):
        v = [v]
    return {"r": v}
"""


def rebinding(name, change, kind="int"):
    """Tool code that rebinds the toolhost's signature_schema so READY says
    what change (lines on s, the derived schema, and warn) makes it say."""
    return REBIND + f"""
_sig = th.signature_schema
def _forged(func, doc, params, warn):
    s = _sig(func, doc, params, warn)
{change}
    return s
th.signature_schema = _forged

def {name}(a: {kind}) -> {kind}:
    return a
"""


REGEX = rebinding("regex", '    s["properties"]["a"]["pattern"] = "((((a{0,12}){0,12}){0,12}){0,12})"',
                  "str")
HUGE = rebinding("huge", '    s["properties"]["a"] = {"anyOf": [{}] * 5000}')
WARN = rebinding("warnflood", '    for i in range(10000):\n'
                 '        warn("x" * 1000 + "\\nforged: mcp-hotd: loaded")')

# An honest tool whose operator declared a recursive schema: e is a
# number, a pair of e, or a list of e. A 60-deep argument ending in a
# string fails every branch at every level: 2^60 paths without a budget.
RECURSIVE = {"type": "object", "properties": {"e": {"$ref": "#/$defs/e"}},
             "$defs": {"e": {"anyOf": [{"type": "number"},
                                       {"type": "array", "prefixItems": [{"$ref": "#/$defs/e"},
                                                                         {"$ref": "#/$defs/e"}]},
                                       {"type": "array", "items": {"$ref": "#/$defs/e"}}]}}}
UNIQUE = {"type": "object", "properties": {"a": {"type": "array", "uniqueItems": True}}}
LONGPAT = {"type": "object", "properties": {"a": {"type": "string", "pattern": "^[a-z]+$"}}}
# Allowed (no nested quantifier), but unanchored and failing: glibc tries
# it from every start, ~50 ms on 4096 bytes.
SLOWPAT = {"type": "object", "properties": {"a": {"type": "array", "items": {
    "type": "string", "pattern": "(.|..|...|....|.....|......)*c"}}}}
OK = "def ok(x: int) -> int:\n    return x + 1\n"


def echo(name):
    return f"def {name}(**kw) -> str:\n    return 'ran'\n"


def bad_pattern(name, pattern):
    return tool(name, echo(name), inputSchema={
        "type": "object", "properties": {"a": {"type": "string", "pattern": pattern}}})


def part_ready(user, args):
    L = label(user, args)
    tools = [tool("bomb", BOMB_OUT), tool("regex", REGEX), tool("huge", HUGE),
             tool("warnflood", WARN), tool("ok", OK),
             tool("deep", echo("deep"), inputSchema=RECURSIVE),
             tool("unique", echo("unique"), inputSchema=UNIQUE),
             tool("longpat", echo("longpat"), inputSchema=LONGPAT),
             tool("slowpat", echo("slowpat"), inputSchema=SLOWPAT),
             bad_pattern("backref", "^(a)\\1$"), bad_pattern("nested", "(a+)+$"),
             bad_pattern("counted", "a{1000}"), bad_pattern("repeat", "(" + "x" * 100 + "){200}")]
    s = Server(tools, args=args, user=user)
    s.initialize()
    rss0 = rss_kb(s.pid)
    names = {t["name"] for t in s.list_tools()}
    err = s.stderr()
    check("bomb" not in names and "'outputSchema' derived schema: keyword '$defs'" in err,
          f"{L} a forged derived outputSchema ($defs, oneOf) fails the load, naming the keyword",
          err[-2000:])
    check("regex" not in names and "keyword 'pattern'" in err,
          f"{L} a forged derived pattern fails the load before any regcomp", err[-2000:])
    check(rss_kb(s.pid) - rss0 < 100 * 1024,
          f"{L} ... and the supervisor did not grow", (rss0, rss_kb(s.pid)))
    check("huge" not in names and "more than 4096 nodes" in err,
          f"{L} a derived schema over its node cap fails the load", err[-2000:])
    wl = [line for line in err.splitlines() if "'warnflood'" in line]
    check("warnflood" in names and 16 <= len(wl) <= 18 and
          any("more warnings not logged" in line for line in wl) and
          all(len(line) < 4000 for line in wl) and
          not any(line.startswith("forged") for line in err.splitlines()),
          f"{L} 10000 READY warnings of 1 KB: 16 logged, each cut and escaped, the rest counted",
          (len(wl), [len(x) for x in wl][:3]))
    check(len(err) < 256 * 1024, f"{L} ... the whole log stays small", len(err))
    for name, why in (("backref", "has a backreference"), ("nested", "nested quantifiers"),
                      ("counted", "counts beyond 255"), ("repeat", "repeats more than 8192")):
        check(name not in names and f"tool '{name}'" in err and why in err,
              f"{L} an operator pattern that {why} is refused at load", err[-1500:])
    nested = "x"
    for _ in range(60):
        nested = [nested]
    t0 = time.monotonic()
    r = call_within(s, "deep", {"e": nested})
    check(r is not None and "too complex to check against the schema" in json.dumps(r) and
          time.monotonic() - t0 < 5,
          f"{L} a 60-deep argument against a recursive schema: a clear error, at once", r)
    check(answers_ping(s), f"{L} ... and the supervisor answers a ping")
    r = call_within(s, "unique", {"a": list(range(100000))})
    check(r is not None and "too complex" in json.dumps(r),
          f"{L} uniqueItems over 100000 items is budgeted", str(r)[:300])
    r = call_within(s, "unique", {"a": [1, 2, 3]})
    check(r is not None and text_of(r.get("result", {})) == "ran",
          f"{L} ... a small array still passes", r)
    r = call_within(s, "longpat", {"a": "a" * 10000})
    check(r is not None and "too long to check against its pattern: at most 4096 bytes" in
          json.dumps(r), f"{L} a pattern reads at most 4096 bytes of a string", str(r)[:300])
    t0 = time.monotonic()
    r = call_within(s, "slowpat", {"a": ["a" * 4096] * 200})
    check(r is not None and "too complex to check" in json.dumps(r) and
          time.monotonic() - t0 < 2, f"{L} a pattern slow on each of 200 strings is charged "
          "for its time: refused after the first", (str(r)[:300], time.monotonic() - t0))
    r = call_within(s, "longpat", {"a": "abc"})
    check(r is not None and text_of(r.get("result", {})) == "ran", f"{L} ... a short one matches", r)
    r = call_within(s, "ok", {"x": 1})
    check(r is not None and text_of(r["result"]) == "2", f"{L} an honest tool answers throughout", r)
    s.close()


# --- 5, 6, 9: the broker -------------------------------------------------
def listener():
    """A loopback listener no tool is granted: the connections it got."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    got = []

    def accept():
        while True:
            try:
                got.append(ls.accept()[0])
            except OSError:
                return
    threading.Thread(target=accept, daemon=True).start()
    return ls, got


LS, GOT = listener()
OPEN = LS.getsockname()[1]
CLOSED = free_port()
TRY = """
def _try(what, f):
    try:
        r = f()
        return f"{what}:{r if r is not None else 'ok'}"
    except OSError as e:
        return f"{what}:{e.errno or type(e).__name__}"
"""
TFO = f"""import socket
def tfo() -> str:
    s = socket.socket()
    out = [_try("connect", lambda: s.connect(("127.0.0.1", {CLOSED})))]
    out += [_try("sendto", lambda: s.sendto(b"x", socket.MSG_FASTOPEN, ("127.0.0.1", {OPEN})))
            for _ in range(2)]
    out.append(_try("setsockopt", lambda: s.setsockopt(socket.IPPROTO_TCP, 30, 1)))
    out.append(_try("send", lambda: s.send(b"x", socket.MSG_FASTOPEN)))
    out.append(_try("nodelay", lambda: s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)))
    return " ".join(out)
""" + TRY
PORT0 = f"""import socket
def port0() -> str:
    out = [_try(f"resolve {{port}}", lambda: [a[4][0] for a in socket.getaddrinfo(
        "localhost", port, socket.AF_INET)]) for port in (None, {CLOSED}, {CLOSED}, {OPEN})]
    out.append(_try("connect", lambda: socket.socket().connect(("127.0.0.1", {OPEN}))))
    return " ".join(out)
""" + TRY


def part_broker(user, args):
    for extra in (["--landlock-abi-max", "2"], ["--no-landlock"]):
        L = label(user, args + extra)
        GOT.clear()
        s = Server([tool("tfo", TFO, allow={"net": [f"127.0.0.1:{CLOSED}"]}),
                    tool("port0", PORT0, allow={"net": [f"127.0.0.1:{CLOSED}",
                                                        f"localhost:{CLOSED}",
                                                        f"localhost:{OPEN}"]})],
                   args=args + extra, user=user)
        s.initialize()
        r = text_of(s.call("tfo"))
        check(r == "connect:111 sendto:13 sendto:13 setsockopt:13 send:13 nodelay:ok"
              and not GOT, f"{L} a socket whose connect failed cannot be re-pointed by TCP "
              "Fast Open (sendto, MSG_FASTOPEN, TCP_FASTOPEN_CONNECT: EACCES)", (r, len(GOT)))
        r = text_of(s.call("port0"))
        check(r == f"resolve None:13 resolve {CLOSED}:['127.0.0.1'] resolve {CLOSED}:"
              f"['127.0.0.1'] resolve {OPEN}:13 connect:13"
              and not GOT, f"{L} a loopback address listed on one port is reached on no "
              "other through a name, nor returned for a RESOLVE without a port", (r, len(GOT)))
        check(answers_ping(s), f"{L} the same name resolved twice: the supervisor is fine")
        s.close()


# --- 7: no new code from grants -----------------------------------------
LD = os.path.realpath("/lib64/ld-linux-x86-64.so.2")
LIBM = os.path.realpath("/usr/lib/x86_64-linux-gnu/libm.so.6")


def part_noexec(user, args):
    L = label(user, args)
    w = tempfile.mkdtemp(prefix="mcp-hotd-wgrant-", dir="/var/tmp")
    r = tempfile.mkdtemp(prefix="mcp-hotd-rgrant-", dir="/var/tmp")
    os.chmod(w, 0o777)
    os.chmod(r, 0o755)
    shutil.copy(LIBM, os.path.join(r, "libm.so.6"))
    for prog in ("prog", "other"):
        shutil.copy("/usr/bin/true", os.path.join(r, prog))
        os.chmod(os.path.join(r, prog), 0o755)
    cdll = f"""import ctypes
def cdll() -> str:
    open("{w}/libx.so", "wb").write(open("{LIBM}", "rb").read())
    out = []
    for p in ("{w}/libx.so", "{r}/libm.so.6"):
        try:
            ctypes.CDLL(p)
            out.append("loaded")
        except OSError as e:
            out.append("refused" if "failed to map segment" in str(e) else str(e))
    return " ".join(out)
"""
    ldso = f"""import subprocess
def ldso() -> str:
    open("{w}/t", "wb").write(open("/usr/bin/true", "rb").read())
    a = subprocess.run(["/usr/bin/true"]).returncode
    b = subprocess.run(["{LD}", "{w}/t"], capture_output=True)
    c = subprocess.run(["{r}/prog"]).returncode
    try:
        d = subprocess.run(["{r}/other"]).returncode
    except PermissionError:
        d = "refused"
    return f"{{a}} {{b.returncode}} {{b'failed to map segment' in b.stderr}} {{c}} {{d}}"
"""
    ok = "def ok() -> int:\n    return 1\n"
    s = Server([tool("cdll", cdll, allow={"write": [w], "read": [r]}),
                tool("ldso", ldso, allow={"write": [w], "read": [r],
                                          "run": ["/usr/bin/true", f"{r}/prog"]}),
                tool("overlap_path", ok, allow={"write": ["/usr/lib/python3/dist-packages"]}),
                tool("overlap_lib", ok, allow={"write": [os.path.dirname(LIBM)]}),
                tool("overlap_run", ok, allow={"write": [r], "run": [f"{r}/prog"]})],
              args=args, user=user)
    s.initialize()
    names = {t["name"] for t in s.list_tools()}
    err = s.stderr()
    for name, what in (("overlap_path", "sys.path"), ("overlap_lib", "the libraries"),
                       ("overlap_run", "a run-granted program")):
        check(name not in names and f"tool '{name}'" in err and "overlaps" in err,
              f"{L} a write grant overlapping {what} fails the load, saying so", err[-1500:])
    if "--no-namespaces" in args:
        # No mount namespace to bind in: SECURITY says what is left.
        check("cdll" in names, f"{L} grants still load without a mount namespace")
        check("ldso" not in names and "run grants beside write grants need a mount "
              "namespace" in err, f"{L} ... but not run grants beside write grants (the "
              "dynamic loader would run a file the tool wrote)", err[-1500:])
    else:
        res = text_of(s.call("cdll"))
        check(res == "refused refused", f"{L} ctypes.CDLL of a library the tool wrote, or one "
              "in a read grant: refused (grants are noexec)", res)
        res = text_of(s.call("ldso"))
        check(res == "0 127 True 0 refused", f"{L} the dynamic loader cannot run a program "
              "from a grant; a run-granted program inside a read grant still runs",
              res)
    s.close()
    shutil.rmtree(w, ignore_errors=True)
    shutil.rmtree(r, ignore_errors=True)


# --- 8: secrets shape nothing visible --------------------------------------
def part_version():
    SECRETS = [tool("envy", "import os\ndef envy() -> int:\n    return len(os.environ['MCP_HOTD_SECRET'])\n",
                    allow={"env": ["MCP_HOTD_SECRET"]})]
    token = tempfile.NamedTemporaryFile("w", delete=False, prefix="mcp-hotd-token-")
    token.write("t" * 32 + "\n")
    token.close()
    AUTH = {"Authorization": "Bearer " + "t" * 32}
    versions, tools = [], []
    for secret in ("1234", "9876"):
        d = Daemon(SECRETS, http=True, args=("--http-token-file", token.name),
                   env=dict(os.environ, MCP_HOTD_SECRET=secret))
        st = json.loads(d.ctl("status", "--json").stdout)
        versions.append(st["tools_version"])
        tools.append([t["version"] for t in st["tools"]])
        code, h, body = post(d.port, {"jsonrpc": "2.0", "id": 1, "method": "ping"})
        check(code == 401 and "Mcp-Hotd-Tools-Version" not in h,
              "an answer that failed authentication carries no tools version", (code, h))
        code, h, body = post(d.port, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                      "params": {"protocolVersion": "2025-11-25",
                                                 "capabilities": {},
                                                 "clientInfo": {"name": "t", "version": "1"}}},
                             AUTH)
        check(code == 200 and h.get("Mcp-Hotd-Tools-Version") == st["tools_version"],
              "an authenticated answer carries it", (code, h))
        d.stop()
    check(versions[0] == versions[1] and tools[0] == tools[1],
          "two instances serving one file with different secrets publish the same version",
          (versions, tools))
    os.unlink(token.name)


# --- 10: a requestState is bound to the tool's version ---------------------
ASKER = ("from mcp_hotd import Context\n"
         "def asker(ctx: Context) -> str:\n"
         "    a = ctx.elicit('name?', {'type': 'object', 'properties': "
         "{'name': {'type': 'string'}}})\n"
         "    return 'hello ' + a.content['name']\n")
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}},
        "io.modelcontextprotocol/clientInfo": {"name": "c26", "version": "26"}}


def part_state():
    s = Server([tool("asker", ASKER)])
    r = s.rpc("tools/call", {"name": "asker", "arguments": {}, "_meta": META})["result"]
    state = r.get("requestState")
    check(r.get("resultType") == "input_required" and state, "2026: an ask answers "
          "input_required with a requestState", r)
    answer = {"elicit_1": {"action": "accept", "content": {"name": "Ada"}}}
    s.write_tools([tool("asker", ASKER, description="a new version")])
    s.wait_for(lambda: '"changed":["asker"]' in s.stderr(), timeout=10)
    s.send({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {
        "name": "asker", "arguments": {}, "_meta": META, "inputResponses": answer,
        "requestState": state}})
    r = s.response(9)
    check(r.get("error", {}).get("code") == -32602 and
          "another version of the tool" in r["error"]["message"],
          "a requestState replayed after a hot update of its tool: -32602, call afresh", r)
    r = s.rpc("tools/call", {"name": "asker", "arguments": {}, "_meta": META})["result"]
    s.send({"jsonrpc": "2.0", "id": 10, "method": "tools/call", "params": {
        "name": "asker", "arguments": {}, "_meta": META, "inputResponses": answer,
        "requestState": r.get("requestState")}})
    r = s.response(10)
    check(text_of(r.get("result", {})) == "hello Ada", "... a fresh one works", r)
    s.close()


# BOUNDARY_PARTS=broker,noexec runs some (to show a part failing on an older
# tree without waiting out another part's stall there).
PARTS = os.environ.get("BOUNDARY_PARTS", "ready,broker,noexec,version,state").split(",")
for user, args in MODES:
    for part in ("ready", "broker", "noexec"):
        if part in PARTS:
            globals()["part_" + part](user, args)
for part in ("version", "state"):
    if part in PARTS:
        globals()["part_" + part]()
LS.close()
finish()
