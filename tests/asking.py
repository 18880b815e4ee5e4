# SPDX-License-Identifier: ISC
"""A running tool asks its client back: ctx.elicit, ctx.sample, ctx.list_roots
and ctx.ask. On the 2025 wire these are requests to the client (stdio, and
over HTTP on the call's own stream) and the call waits for the answers: its
timeout does not run meanwhile, --ask-timeout bounds the wait, the calls
queued behind it are kept, a cancel or a missing capability reaches the tool
as an exception. On the 2026-07-28 wire the call is answered input_required
with a signed requestState and replayed with the answers; a fleet shares
the key (--state-key-file)."""

import http.client
import json
import os
import tempfile
import time

from mcptest import Daemon, Server, check, finish, text_of, tool
from sse import post

H = "from mcp_hotd import Context, CapabilityError, ClientError, elicitation, sampling, roots\n"
NAME = "{'type': 'object', 'properties': {'name': {'type': 'string'}}, 'required': ['name']}"
ELICIT = (H + "def elicit(ctx: Context, q: str = 'name?') -> str:\n"
          f"    a = ctx.elicit(q, {NAME})\n"
          "    return f\"{a.action}:{(a.get('content') or {}).get('name')}\"\n")
WHO = (H + "def who(ctx: Context) -> dict:\n"
       "    c = ctx.client\n"
       "    return {'id': ctx.request_id, 'name': c.name, 'version': c.version,\n"
       "            'caps': sorted(c.capabilities), 'cancelled': ctx.cancelled}\n")
SAMPLE = (H + "def sample(ctx: Context) -> str:\n"
          "    a = ctx.sample('Say hi', max_tokens=5, systemPrompt='terse')\n"
          "    return a.content['text'] + '/' + a.model\n")
ROOTS = (H + "async def roots_(ctx: Context) -> str:\n"
         "    found = await ctx.list_roots()\n"
         "    return ','.join(r['uri'] for r in found)\n")
BOTH = (H + "def both(ctx: Context) -> str:\n"
        f"    got = ctx.ask({{'n': elicitation('name?', {NAME}), 's': sampling('hi', 5)}})\n"
        "    return got['n'].content['name'] + '+' + got['s'].content['text']\n")
MANY = (H + "def many(ctx: Context, n: int, keylen: int = 1) -> str:\n"
        "    try:\n"
        "        ctx.ask({str(i).rjust(keylen, 'k'): roots() for i in range(n)})\n"
        "    except ValueError as e:\n"
        "        return f'refused: {e}'\n"
        "    return 'asked'\n")
POLITE = (H + "def polite(ctx: Context) -> str:\n"
          "    try:\n"
          "        return ctx.sample('hi').content['text']\n"
          "    except CapabilityError as e:\n"
          "        return f'no model: {e}'\n"
          "    except ClientError as e:\n"
          "        return f'refused: {e}'\n"
          "    except TimeoutError as e:\n"
          "        return f'slow: {e}'\n")
SLOWASK = (H + "import time\n"
           "def slowask(ctx: Context, before: float, after: float) -> str:\n"
           "    time.sleep(before)\n"
           f"    a = ctx.elicit('name?', {NAME})\n"
           "    time.sleep(after)\n"
           "    return a.content['name']\n")
COUNT = "n = 0\ndef count() -> int:\n    global n\n    n += 1\n    return n\n"
FORGE = ("import os, struct\n"
         "def forge(method: str) -> str:\n"
         "    p = ('{\"requests\":{\"k\":{\"method\":\"%s\",\"params\":{}}}}' % method).encode()\n"
         "    os.write(3, struct.pack('=HHIQ', 16, 1, len(p), 1 << 40) + p)\n"
         "    return 'forged'\n")

TOOLS = [tool("elicit", ELICIT), tool("who", WHO), tool("sample", SAMPLE),
         tool("roots_", ROOTS), tool("both", BOTH), tool("polite", POLITE),
         tool("slowask", SLOWASK, timeout_ms=500), tool("count", COUNT),
         tool("forge", FORGE), tool("many", MANY),
         tool("pooled", ELICIT.replace("def elicit", "def pooled"), concurrency=2)]
CAPS = {"elicitation": {}, "sampling": {}, "roots": {}}


def start(caps=CAPS, args=()):
    s = Server(TOOLS, args=args)
    s.rpc("initialize", {"protocolVersion": "2025-11-25", "capabilities": caps,
                         "clientInfo": {"name": "asker", "version": "2.5"}})
    s.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    return s


def call(s, name, args=None, id=None):
    return s.request("tools/call", {"name": name, "arguments": args or {}}, id=id)


def next_msg(s, timeout=20):
    return json.loads(s.recv_line(timeout))


def next_request(s, timeout=20):
    """The next request the server sends us (notifications are kept)."""
    while True:
        m = next_msg(s, timeout)
        if "method" in m and "id" in m:
            return m
        if "method" in m:
            s.notes.append(m)
            continue
        s.stash[json.dumps(m.get("id"))] = m


def answer(s, req, result=None, error=None):
    msg = {"jsonrpc": "2.0", "id": req["id"]}
    msg.update({"error": error} if error else {"result": result})
    s.send(msg)


# --- 2025 over stdio -------------------------------------------------------
s = start()
cid = call(s, "elicit", {"q": "Who are you?"}, id="e-1")
req = next_request(s)
check(req["method"] == "elicitation/create" and req["params"]["message"] == "Who are you?" and
      req["params"]["requestedSchema"]["required"] == ["name"],
      "ctx.elicit sends elicitation/create with the message and schema", req)
answer(s, req, {"action": "accept", "content": {"name": "Ann"}})
r = s.response(cid)
check(text_of(r["result"]) == "accept:Ann", "the answer reaches the tool, which returns it", r)

cid = call(s, "elicit")
req = next_request(s)
answer(s, req, {"action": "decline"})
check(text_of(s.response(cid)["result"]) == "decline:None", "a declined elicitation is an answer too")

r = s.call("who")
sc = r.get("structuredContent") or {}
check(sc.get("name") == "asker" and sc.get("version") == "2.5" and
      sc.get("caps") == ["elicitation", "roots", "sampling"] and sc.get("cancelled") is False and
      sc.get("id") == s.next_id, "ctx.client, ctx.request_id and ctx.cancelled describe the call", sc)

cid = call(s, "sample")
req = next_request(s)
p = req["params"]
check(req["method"] == "sampling/createMessage" and p["maxTokens"] == 5 and
      p["systemPrompt"] == "terse" and
      p["messages"] == [{"role": "user", "content": {"type": "text", "text": "Say hi"}}],
      "ctx.sample sends sampling/createMessage: messages from a str, maxTokens, other params", p)
answer(s, req, {"role": "assistant", "content": {"type": "text", "text": "hi!"}, "model": "m1"})
check(text_of(s.response(cid)["result"]) == "hi!/m1", "the model's answer reaches the tool")

cid = call(s, "roots_")
req = next_request(s)
check(req["method"] == "roots/list", "ctx.list_roots sends roots/list, awaited in async code", req)
answer(s, req, {"roots": [{"uri": "file:///a", "name": "a"}, {"uri": "file:///b"}]})
check(text_of(s.response(cid)["result"]) == "file:///a,file:///b", "the roots reach the tool")

cid = call(s, "both")
r1, r2 = next_request(s), next_request(s)
check({r1["method"], r2["method"]} == {"elicitation/create", "sampling/createMessage"} and
      r1["id"] != r2["id"], "ctx.ask sends its requests at once, each with its own id")
answer(s, r2 if r2["method"].startswith("sampling") else r1,
       {"role": "assistant", "content": {"type": "text", "text": "yo"}, "model": "m"})
answer(s, r1 if r1["method"].startswith("elicitation") else r2,
       {"action": "accept", "content": {"name": "Bo"}})
check(text_of(s.response(cid)["result"]) == "Bo+yo", "answers in any order are matched by id")

# A client error, a response to nothing, a response with a forged id.
cid = call(s, "polite")
req = next_request(s)
s.send({"jsonrpc": "2.0", "id": req["id"] + 1000, "result": {"bogus": True}})
s.send({"jsonrpc": "2.0", "id": "not-ours", "result": {}})
answer(s, req, error={"code": -1, "message": "User rejected sampling"})
r = s.response(cid)
check("refused:" in text_of(r["result"]) and "User rejected sampling" in text_of(r["result"]),
      "an error answer is ClientError in the tool; stray responses are ignored", r)

# The call's own timeout stops while the client thinks; the tool's time counts.
cid = call(s, "slowask", {"before": 0.1, "after": 0.1})
req = next_request(s)
time.sleep(1.2)      # more than twice the tool's timeout_ms
answer(s, req, {"action": "accept", "content": {"name": "Cy"}})
r = s.response(cid)
check(text_of(r["result"]) == "Cy" and not r["result"]["isError"],
      "timeout_ms does not count the wait for the client", r)
cid = call(s, "slowask", {"before": 0.3, "after": 0.3})
req = next_request(s)
answer(s, req, {"action": "accept", "content": {"name": "Cy"}})
r = s.response(cid)
check("timed out after 500 ms" in text_of(r["result"]),
      "... the tool's own time before and after the wait does count", r)

# Calls queued behind one that waits are kept, and answered in order.
cid = call(s, "elicit")
req = next_request(s)
queued = [call(s, "elicit") for _ in range(3)]
time.sleep(0.3)
check(not s.stash, "calls queued behind a waiting one wait too (one worker)", s.stash)
answer(s, req, {"action": "accept", "content": {"name": "first"}})
check(text_of(s.response(cid)["result"]) == "accept:first", "the waiting call is answered")
for i, q in enumerate(queued):
    req = next_request(s)
    answer(s, req, {"action": "accept", "content": {"name": f"q{i}"}})
    check(text_of(s.response(q)["result"]) == f"accept:q{i}",
          f"queued call {i + 1} ran after it, its ask answered")

# Too many requests, or too long a key: an error in the tool, not its death.
for args, want in (({"n": 17}, "at most 16"), ({"n": 1, "keylen": 129}, "1 to 128")):
    r = s.call("many", args)
    check(want in text_of(r), f"ask() refuses {args} in the tool: {text_of(r)}", r)
cid = call(s, "many", {"n": 16})
reqs = [next_request(s) for _ in range(16)]
for q in reqs:
    answer(s, q, {"roots": []})
check(text_of(s.response(cid)["result"]) == "asked", "16 requests at once are asked and answered")

# A pool: while one worker waits, the next call goes to another.
p1 = call(s, "pooled")
req1 = next_request(s)
p2 = call(s, "pooled")
req2 = next_request(s)
check(req1["id"] != req2["id"], "a pool's second worker serves a call while the first waits")
answer(s, req2, {"action": "accept", "content": {"name": "two"}})
answer(s, req1, {"action": "accept", "content": {"name": "one"}})
check(text_of(s.response(p2)["result"]) == "accept:two" and
      text_of(s.response(p1)["result"]) == "accept:one", "... each call gets its own answer")

# Cancel while waiting: no answer; the worker serves the next call.
cid = call(s, "elicit", id="gone")
req = next_request(s)
s.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "gone"}})
time.sleep(0.3)
answer(s, req, {"action": "accept", "content": {"name": "late"}})
r = s.call("count")
check(r["content"][0]["text"] == "1" and '"gone"' not in json.dumps(list(s.stash)),
      "a call cancelled while it waits is never answered; the next call runs", r)
check("cancelled by the client" in s.stderr(), "the cancel is logged")

# A worker that forges an ASK is killed; the supervisor serves on.
r = s.call("forge", {"method": "elicitation/create"})
check(r["isError"] and "malformed ASK" in text_of(r), "a forged ASK (not its call's) kills "
      "only its worker", r)
r = s.call("forge", {"method": "tools/call"})
check(r["isError"] and "malformed ASK" in text_of(r), "an ASK for another method kills it too", r)
check(s.call("count")["content"][0]["text"] == "2", "the supervisor and other tools serve on")
check(s.close() == 0 and not s.leftovers(), "exits 0, leaves nothing")

# A client without the capability: an exception in the tool.
s = start(caps={})
r = s.call("elicit")
check(r["isError"] and "CapabilityError" in text_of(r) and "'elicitation'" in text_of(r),
      "2025, no elicitation capability: isError naming it (the tool did not catch it)", r)
check(text_of(s.call("polite")).startswith("no model:"), "... a tool may catch CapabilityError")
check(s.close() == 0, "exits 0")

# --ask-timeout: the tool hears TimeoutError, the client notifications/cancelled.
s = start(args=("--ask-timeout", "1"))
cid = call(s, "polite")
req = next_request(s)
r = s.response(cid, timeout=10)
check(text_of(r["result"]).startswith("slow: the client did not answer sampling/createMessage "
                                      "within 1 s"), "an unanswered ask ends after --ask-timeout", r)
check(any(n["method"] == "notifications/cancelled" and n["params"]["requestId"] == req["id"]
          for n in s.notes), "... and the client hears the request is cancelled", s.notes)
# The client leaving while a call waits ends the wait.
call(s, "elicit")
next_request(s)
workers = s.workers()
check(s.close() == 0 and not s.leftovers(), "a client leaving mid-ask: exits 0, leaves nothing")

# The SECURITY claim, attacked in each mode: a forged ASK (another call's id,
# another method) kills only its worker, as root and as nobody, with and
# without namespaces.
for user, args in ((None, ()), ("nobody", ()), (None, ("--no-namespaces",)),
                   ("nobody", ("--no-namespaces", "--no-landlock"))):
    mode = f"{user or 'root'}{' ' + ' '.join(args) if args else ''}"
    s = Server(TOOLS, args=args, user=user)
    s.rpc("initialize", {"protocolVersion": "2025-11-25", "capabilities": CAPS,
                         "clientInfo": {"name": "m", "version": "1"}})
    bad = [s.call("forge", {"method": m}) for m in ("elicitation/create", "notifications/message")]
    check(all(r["isError"] and "malformed ASK" in text_of(r) for r in bad),
          f"{mode}: forged ASK frames kill their worker", bad)
    cid = call(s, "elicit")
    req = next_request(s)
    answer(s, req, {"action": "accept", "content": {"name": "m"}})
    check(text_of(s.response(cid)["result"]) == "accept:m", f"{mode}: a real ask still works")
    check(s.close() == 0 and not s.leftovers(), f"{mode}: exits 0, leaves nothing")

# Two clients of one daemon: the request reaches only the caller's, and only
# the caller's response counts.
d = Daemon(TOOLS)


def unix_session(caps):
    import socket
    c = socket.socket(socket.AF_UNIX)
    c.connect(d.sock)
    f = c.makefile("rw")
    f.write(json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": caps,
        "clientInfo": {"name": "u", "version": "1"}}}) + "\n")
    f.flush()
    f.readline()
    return c, f


ca, fa = unix_session(CAPS)
cb, fb = unix_session(CAPS)
fa.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                     "params": {"name": "elicit", "arguments": {}}}) + "\n")
fa.flush()
req = json.loads(fa.readline())
cb.settimeout(0.5)
try:
    stray = fb.readline()
except OSError:
    stray = ""
check(req.get("method") == "elicitation/create" and not stray,
      "the request reaches the caller's session only", (req, stray))
fb.write(json.dumps({"jsonrpc": "2.0", "id": req["id"],
                     "result": {"action": "accept", "content": {"name": "intruder"}}}) + "\n")
fb.flush()
time.sleep(0.2)
fa.write(json.dumps({"jsonrpc": "2.0", "id": req["id"],
                     "result": {"action": "accept", "content": {"name": "owner"}}}) + "\n")
fa.flush()
r = json.loads(fa.readline())
check(text_of(r.get("result", {})) == "accept:owner",
      "another session's response to the request is ignored", r)
for c in (ca, cb):
    c.close()
check(d.stop() == 0, "daemon exits 0")

# --- 2025 over HTTP: the request rides the call's stream ---------------------
d = Daemon(TOOLS, http=True)
st, hdr, _ = post(d.port, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                           "params": {"protocolVersion": "2025-11-25", "capabilities": CAPS,
                                      "clientInfo": {"name": "web", "version": "1"}}})
SID = {"Mcp-Session-Id": hdr.get("Mcp-Session-Id")}
post(d.port, {"jsonrpc": "2.0", "method": "notifications/initialized"}, SID)
c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=20)
c.request("POST", "/mcp", json.dumps({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                                      "params": {"name": "elicit", "arguments": {}}}),
          dict(SID, **{"Content-Type": "application/json",
                       "Accept": "application/json, text/event-stream"}))
resp = c.getresponse()


def next_event(resp):
    data = []
    while True:
        line = resp.fp.readline().decode()
        if line.startswith("data:"):
            data.append(line[5:].strip())
        elif line in ("\r\n", "\n") and data:
            return json.loads("".join(data))
        elif line == "":
            return None


ev = next_event(resp)
check(resp.status == 200 and resp.getheader("Content-Type", "").startswith("text/event-stream") and
      ev and ev.get("method") == "elicitation/create", "HTTP: the request to the client comes on "
      "the call's own stream", ev)
st, _, body = post(d.port, {"jsonrpc": "2.0", "id": ev["id"],
                            "result": {"action": "accept", "content": {"name": "Web"}}}, SID)
check(st == 202, "the client POSTs its answer: 202", st)
ev = next_event(resp)
check(ev and ev.get("id") == 7 and text_of(ev["result"]) == "accept:Web",
      "the call's answer ends the stream", ev)
c.close()
st, _, body = post(d.port, {"jsonrpc": "2.0", "id": 99, "result": {}})
check(st == 400, "an answer without a session is refused (400)", st)
st, _, body = post(d.port, {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {
    "name": "elicit", "arguments": {}, "_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"sampling": {}}}}},
    {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "elicit"})
check(st == 400 and isinstance(body, dict) and body.get("id") == 5 and
      body.get("error", {}).get("code") == -32021 and
      body["error"].get("data", {}).get("requiredCapabilities") == {"elicitation": {}},
      "HTTP 2026, a tool that asks and a client without the capability: 400, -32021, "
      "data.requiredCapabilities, before the tool runs", (st, body))
check(d.stop() == 0, "daemon exits 0")

# Served without sessions (--http-stateless), a 2025 client cannot be asked.
d = Daemon(TOOLS, http=True, args=("--http-stateless",))
st, _, body = post(d.port, {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                            "params": {"name": "elicit", "arguments": {}}})
check(st == 200 and body["result"]["isError"] and "ClientError" in text_of(body["result"]) and
      "--http-stateless" in text_of(body["result"]),
      "--http-stateless: an ask is a ClientError saying why, at once", body)
check(d.stop() == 0, "daemon exits 0")

# --- 2026-07-28: input_required, replayed --------------------------------------
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": CAPS,
        "io.modelcontextprotocol/clientInfo": {"name": "c26", "version": "26"}}


def call26(s, name, args=None, meta=META, **extra):
    params = {"name": name, "arguments": args or {}, "_meta": meta}
    params.update(extra)
    s.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params})
    return next_msg(s)


s = Server(TOOLS)
r = call26(s, "elicit")
res = r.get("result", {})
reqs = res.get("inputRequests", {})
check(res.get("resultType") == "input_required" and list(reqs) == ["elicit_1"] and
      reqs["elicit_1"]["method"] == "elicitation/create" and isinstance(res.get("requestState"), str),
      "2026: an ask answers input_required with its request and a requestState", r)
ok = {"elicit_1": {"action": "accept", "content": {"name": "Dee"}}}
r = call26(s, "elicit", inputResponses=ok, requestState=res["requestState"])
check(r.get("result", {}).get("resultType") == "complete" and text_of(r["result"]) == "accept:Dee",
      "replayed with the answer, the tool completes", r)
r = call26(s, "elicit", inputResponses=ok)
check(text_of(r.get("result", {})) == "accept:Dee", "answers without a requestState are taken too "
      "(they are the client's own)", r)
r = call26(s, "both")
state = r["result"]["requestState"]
check(sorted(r["result"]["inputRequests"]) == ["n", "s"], "ctx.ask: every request in one result", r)
r = call26(s, "both", inputResponses={"n": {"action": "accept", "content": {"name": "Ed"}}},
           requestState=state)
check(list(r["result"].get("inputRequests", {})) == ["s"] and r["result"]["requestState"] != state,
      "a partial answer: asked again for the rest, with a new state", r)
r2 = call26(s, "both", inputResponses={"s": {"role": "assistant", "model": "m",
                                              "content": {"type": "text", "text": "hey"}}},
            requestState=r["result"]["requestState"])
check(text_of(r2.get("result", {})) == "Ed+hey", "the state carries the earlier answer", r2)
bad = state[:-2] + ("AA" if not state.endswith("AA") else "BB")
r = call26(s, "both", inputResponses=ok, requestState=bad)
check(r.get("error", {}).get("code") == -32602 and "integrity" in r["error"]["message"],
      "a tampered requestState: -32602", r)
payload = state.split(".")[0]
r = call26(s, "elicit", inputResponses=ok, requestState=state)
check(r.get("error", {}).get("code") == -32602 and "another tool" in r["error"]["message"],
      "a state of another tool's call: -32602", r)
r = call26(s, "elicit", inputResponses={"elicit_1": "yes"})
check(r.get("error", {}).get("code") == -32602, "an answer that is not an object: -32602", r)
r = call26(s, "elicit", meta=dict(META, **{"io.modelcontextprotocol/clientCapabilities": {}}))
e = r.get("error", {})
check(e.get("code") == -32021 and e.get("data", {}).get("requiredCapabilities") == {"elicitation": {}},
      "2026, code that asks for elicitation, a client without it: -32021 before the tool runs", r)
r = call26(s, "polite", meta=dict(META, **{"io.modelcontextprotocol/clientCapabilities": {}}))
check(text_of(r.get("result", {})).startswith("no model:"), "a tool that checks for itself runs", r)
r = call26(s, "who")
sc = r.get("result", {}).get("structuredContent") or {}
check(sc.get("name") == "c26" and sc.get("version") == "26" and sc.get("id") == 1 and
      sc.get("caps") == ["elicitation", "roots", "sampling"], "2026: ctx.client is the request's", sc)
check(s.close() == 0 and not s.leftovers(), "exits 0, leaves nothing")

# A fleet: any instance with the same key takes the state; another key does not.
kd = tempfile.mkdtemp(prefix="mcp-hotd-key-")
key, other, short = (os.path.join(kd, n) for n in ("key", "other", "short"))
for path, data in ((key, os.urandom(32)), (other, os.urandom(48)), (short, b"tiny")):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)
a = Server(TOOLS, args=("--state-key-file", key))
b = Server(TOOLS, args=("--state-key-file", key))
o = Server(TOOLS, args=("--state-key-file", other))
r = call26(a, "elicit")
state = r["result"]["requestState"]
r = call26(b, "elicit", inputResponses=ok, requestState=state)
check(text_of(r.get("result", {})) == "accept:Dee", "another instance with the same key takes "
      "the requestState", r)
r = call26(o, "elicit", inputResponses=ok, requestState=state)
check(r.get("error", {}).get("code") == -32602, "one with another key refuses it", r)
for x in (a, b, o):
    x.close()
bad = Server(TOOLS, args=("--state-key-file", short))
code = bad.proc.wait(10)
check(code != 0 and "32 bytes" in bad.stderr(), "a key shorter than 32 bytes: the daemon does "
      "not start, saying why", bad.stderr()[-300:])
bad.close()
for path, why in ((os.path.join(kd, "missing"), "No such file"), (kd, "not a regular file")):
    bad = Server(TOOLS, args=("--state-key-file", path))
    code = bad.proc.wait(10)
    check(code != 0 and why in bad.stderr(), f"a key file that is {why.lower()}: the daemon "
          "does not start, saying so", bad.stderr()[-300:])
    bad.close()
os.chmod(key, 0o644)
loose = Server(TOOLS, args=("--state-key-file", key))
r = call26(loose, "elicit")
check("requestState" in r.get("result", {}) and "readable by others" in loose.stderr(),
      "a key file others can read works, with a warning to chmod 600 it", loose.stderr()[-300:])
loose.close()
for path in (key, other, short):
    os.unlink(path)
os.rmdir(kd)
finish()
