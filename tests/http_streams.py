# SPDX-License-Identifier: ISC
"""An event stream lives as long as its client does: quiet for longer than
libevent's own 50 s timeouts it still carries list_changed, and it gets a
comment every 25 s so proxies keep it and a vanished client shows. A POST
waiting that long for its call is answered too."""

import time

from mcptest import Daemon, check, finish, tool
from sse import Stream, post, raw_post, read_until

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "t", "version": "1"}}}
SLOW = "import time\ndef slow() -> str:\n    time.sleep(56)\n    return 'late'\n"

d = Daemon([tool("slow", SLOW, timeout_ms=90000)], http=True)
st, hdr, _ = post(d.port, INIT)
H = {"Mcp-Session-Id": hdr.get("Mcp-Session-Id")}
post(d.port, {"jsonrpc": "2.0", "method": "notifications/initialized"}, H)
stream = Stream(d.port, headers=H)
legacy = Stream(d.port, path="/sse")
check(legacy.next(5)[0] == "endpoint", "the old transport's stream opens")
waiting = raw_post(d.port, {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                            "params": {"name": "slow", "arguments": {}}}, H)
time.sleep(58)
check(stream.comments >= 2 and legacy.comments >= 2,
      f"quiet streams got keepalive comments ({stream.comments}, {legacy.comments})")
d.write_tools([tool("slow", SLOW, description="v2", timeout_ms=90000)])
ev = stream.next(10)
check(ev is not None and "list_changed" in ev[1], "after 58 quiet seconds the stream still carries "
      "list_changed", ev)
answer = read_until(waiting, b"late")
check(b"200 OK" in answer and b"late" in answer, "a POST waiting 56 s for its call is answered",
      answer[-200:])
waiting.close()
stream.close()
legacy.close()
check(d.stop() == 0, "daemon exits 0")
finish()
