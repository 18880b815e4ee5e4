# SPDX-License-Identifier: ISC
"""JSON-RPC 2.0 and MCP lifecycle over stdio: negotiation, errors, ids,
notifications, pagination, oversized lines, clean exit."""

import json

from mcptest import Server, check, finish, tool

TOOLS = [tool(f"t{i}", f"def t{i}() -> int:\n    return {i}\n") for i in range(5)]

s = Server(TOOLS, args=["--page-size", "2", "--max-request", "65536"])

# Version negotiation: a supported version is echoed, others get the newest.
for v in ("2024-11-05", "2025-03-26", "2025-06-18"):
    r = s.rpc("initialize", {"protocolVersion": v, "capabilities": {},
                             "clientInfo": {"name": "x", "version": "1"}})
    check(r["result"]["protocolVersion"] == v, f"initialize echoes {v}", r)
r = s.initialize("1999-01-01")
res = r["result"]
check(res["protocolVersion"] == "2025-11-25", "unknown version gets the newest",
      res["protocolVersion"])
check(res["capabilities"]["tools"] == {"listChanged": True},
      "capability tools.listChanged")
check("logging" in res["capabilities"], "capability logging")
check(res["serverInfo"]["name"] == "mcp-hotd" and res["serverInfo"]["version"],
      "serverInfo name and version")
r = s.rpc("initialize", {"capabilities": {}})
check(r.get("error", {}).get("code") == -32602, "initialize without version: -32602", r)

check(s.rpc("ping")["result"] == {}, "ping answers {}")
check(s.rpc("logging/setLevel", {"level": "debug"})["result"] == {},
      "logging/setLevel accepted")
check(s.rpc("logging/setLevel", {"level": "loud"})["error"]["code"] == -32602,
      "logging/setLevel with a bad level: -32602")

# Parse errors and invalid requests.
s.send_raw("{not json\n")
r = s.recv()
check(r["error"]["code"] == -32700 and r["id"] is None, "garbage line: -32700 id null", r)
s.send_raw('{"jsonrpc":"2.0","id":1,"method":"ping"} trailing\n')
check(s.recv()["error"]["code"] == -32700, "trailing garbage: -32700")
s.send_raw('"just a string"\n')
r = s.recv()
check(r["error"]["code"] == -32600 and r["id"] is None, "non-object: -32600", r)
s.send_raw('[{"jsonrpc":"2.0","id":9,"method":"ping"}]\n')
r = s.recv()
check(r["error"]["code"] == -32600 and "batch" in r["error"]["message"],
      "batch refused with a clear -32600", r)
s.send({"jsonrpc": "2.0", "id": 7})
r = s.recv()
check(r["error"]["code"] == -32600 and r["id"] == 7, "missing method: -32600 keeps id", r)
s.send({"jsonrpc": "1.0", "id": 8, "method": "ping"})
check(s.recv()["error"]["code"] == -32600, "jsonrpc 1.0: -32600")
s.send({"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"})
r = s.recv()
check(r["error"]["code"] == -32600 and r["id"] is None, "object id: -32600", r)
s.send({"jsonrpc": "2.0", "id": 10, "method": "ping", "params": [1]})
check(s.recv()["error"]["code"] == -32602, "array params: -32602")
r = s.rpc("no/such/method")
check(r["error"]["code"] == -32601 and "no/such/method" in r["error"]["message"],
      "unknown method: -32601 naming it", r)

# Ids round-trip exactly, strings and integers alike.
for id in ("abc", "", "ünïcødé", 0, -5, 2**53 + 1):
    s.send({"jsonrpc": "2.0", "id": id, "method": "ping"})
    r = s.recv()
    check(r.get("id") == id and type(r.get("id")) is type(id), f"id {id!r} round-trips", r)

# Notifications never get a reply, known or not.
s.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}})
s.send({"jsonrpc": "2.0", "method": "ping"})
s.send({"jsonrpc": "2.0", "method": "whatever/unknown"})
s.send_raw("\n   \n")
r = s.rpc("ping")
check(r["result"] == {} and not s.stash, "notifications and blank lines get no reply", s.stash)

# Ids come back exactly as sent, on every path: past 64 bits, escaped.
big = 2**70 + 1
for line, what in ((f'{{"jsonrpc":"2.0","id":{big},"method":"ping"}}', "ping"),
                   (f'{{"jsonrpc":"2.0","id":{big},"method":"no/such"}}', "an error"),
                   (f'{{"jsonrpc":"2.0","id":{big},"method":"tools/call","params":'
                    '{"name":"t1","arguments":{}}}', "a call")):
    s.send_raw(line + "\n")
    raw = s.recv_line().decode()
    check(f'"id":{big},' in raw, f"a {big.bit_length()}-bit id is echoed exactly ({what})", raw)
s.send_raw('{"jsonrpc":"2.0","id":"\\u0041b","method":"ping"}\n')
r = json.loads(s.recv_line())
check(r.get("id") == "Ab", "an escaped string id means the same string", r)

# tools/call errors.
r = s.rpc("tools/call", {"name": "nope", "arguments": {}})
check(r["error"]["code"] == -32602 and "nope" in r["error"]["message"], "unknown tool: -32602", r)
r = s.rpc("tools/call", {"arguments": {}})
check(r["error"]["code"] == -32602, "tools/call without name: -32602", r)
r = s.rpc("tools/call", {"name": "t1", "arguments": [1]})
check(r["error"]["code"] == -32602, "non-object arguments: -32602", r)

# Pagination with --page-size 2: 5 tools over 3 pages.
pages, cursor, names = 0, None, []
while True:
    r = s.rpc("tools/list", {"cursor": cursor} if cursor else {})
    pages += 1
    names += [t["name"] for t in r["result"]["tools"]]
    cursor = r["result"].get("nextCursor")
    if not cursor:
        break
check(pages == 3 and names == [f"t{i}" for i in range(5)], "tools/list pages by cursor",
      (pages, names))
r = s.rpc("tools/list", {"cursor": "bogus"})
check(r["error"]["code"] == -32602, "invalid cursor: -32602", r)

# An oversized line (limit 64 KiB here) is refused once, then service goes on.
s.send_raw('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + "x" * 300000 + '"}}\n')
r = s.recv()
check(r["error"]["code"] == -32600 and "exceeds the limit" in r["error"]["message"],
      "oversized line refused with a clear error", r)
check(s.rpc("ping")["result"] == {}, "service continues after an oversized line")
check(s.call("t3")["content"][0]["text"] == "3", "tools still answer")

check(s.close() == 0, "exit status 0 when stdin closes")
check(s.leftovers() == [], "no worker left after exit", s.leftovers())

# A multi-megabyte line under the default limit is handled.
s = Server([tool("size", "def size(s: str) -> int:\n    return len(s)\n")])
s.initialize()
big = "é" * (3 * 1024 * 1024)
r = s.call("size", {"s": big}, timeout=60)
check(r["content"][0]["text"] == str(len(big)), "a 6 MB request line is handled", r)
# Invalid UTF-8 is a parse error, not a crash.
s.send_raw(b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"\xff\xfe"}}\n')
check(s.recv()["error"]["code"] == -32700, "invalid UTF-8: -32700")
# The last line needs no newline.
s.send_raw('{"jsonrpc":"2.0","id":"last","method":"ping"}')
s.proc.stdin.close()
r = s.recv()
check(r.get("id") == "last", "a final line without newline is answered", r)
check(s.close() == 0, "clean exit after unterminated last line")

# A prompt or resource not in the file is unknown (-32602, naming it), in
# both eras; a 2026 method-not-found explains the 2025 habits only when it
# is one.
s = Server([])
s.initialize()
r = s.rpc("prompts/get", {"name": "greet"})
check(r.get("error", {}).get("code") == -32602 and "unknown prompt 'greet'" in
      r["error"]["message"], "2025: prompts/get of an unknown name: -32602, naming it", r)
META26 = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {}}
r = s.rpc("prompts/get", {"name": "greet", "_meta": META26})
check(r.get("error", {}).get("code") == -32602, "2026: the same", r)
s.close()
s = Server([])
r = s.rpc("resources/subscribe", {"uri": "a:b", "_meta": META26})
check(r.get("error", {}).get("code") == -32601 and "has no initialize" not in
      r["error"]["message"], "2026: an unknown method is just that (resources/subscribe "
      "is 2025's)", r)
r = s.rpc("ping", {"_meta": META26})
check(r.get("error", {}).get("code") == -32601 and "has no initialize" in r["error"]["message"],
      "2026: ping says why it is unknown", r)
check(s.close() == 0, "that server exits 0")

finish()
