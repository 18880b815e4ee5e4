# SPDX-License-Identifier: ISC
"""One parse per POST, one answer per POST: bodies that once left a POST
waiting forever (the HTTP face parsed with json-c and then again, and
matched replies on json-c's text of the id) are each answered at once,
with what stdio would say; nothing stays in flight."""

import json

from mcptest import Daemon, check, finish, tool
from sse import post

d = Daemon([tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n")], http=True)
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "t", "version": "1"}}}
st, hdr, r = post(d.port, INIT)
sid = hdr.get("Mcp-Session-Id")
H = {"Mcp-Session-Id": sid}
check(st == 200 and sid, "a session", (st, r))

CASES = [
    ("fractional id", '{"jsonrpc":"2.0","id":1.5,"method":"ping"}', 400),
    ("boolean id", '{"jsonrpc":"2.0","id":true,"method":"ping"}', 400),
    ("raw control character in a string", '{"jsonrpc":"2.0","id":"a\x01","method":"ping"}', 400),
    ("trailing NUL", '{"jsonrpc":"2.0","id":7,"method":"ping"}\x00', 400),
    ("number '1.'", '{"jsonrpc":"2.0","id":1.,"method":"ping"}', 400),
    ("half a surrogate", '{"jsonrpc":"2.0","id":"\\ud83d\\u00', 400),
    ("key id\\u0000", '{"jsonrpc":"2.0","id\\u0000":5,"method":"ping"}', 202),
]
for what, body, want in CASES:
    st, _, r = post(d.port, None, H, raw=body.encode("utf-8", "surrogatepass"))
    check(st == want and (want == 202 or r["error"]["code"] in (-32700, -32600)),
          f"{what}: answered {want}", (st, r))
# After a half-decoded surrogate, another session's escaped id is answered.
st, _, r = post(d.port, None, H, raw=b'{"jsonrpc":"2.0","id":"\\u0041","method":"ping"}')
check(st == 200 and r.get("id") == "A" and r.get("result") == {},
      "an escaped id is answered, after garbage", (st, r))
st, _, r = post(d.port, None, H, raw=b'{"jsonrpc":"2.0","id":18446744073709551616,'
                b'"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}')
check(st == 200 and r["result"]["content"][0]["text"] == "3",
      "a call with an id past 64 bits is answered on its POST", (st, r))
# A body spread over lines is one message here, as a pretty-printer writes it.
st, _, r = post(d.port, None, H, raw=json.dumps({"jsonrpc": "2.0", "id": 9, "method": "ping"},
                                                indent=2).encode())
check(st == 200 and r.get("id") == 9, "a pretty-printed body is accepted", (st, r))
status = json.loads(d.ctl("status", "--json").stdout)
check(all(s["in_flight"] == 0 for s in status["sessions"]), "nothing left in flight",
      status["sessions"])
check(d.stop() == 0, "daemon exits 0")
finish()
