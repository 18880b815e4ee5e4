# SPDX-License-Identifier: ISC
"""The official TypeScript SDK client (StdioClientTransport) lists and calls
our tools. Skipped only when node is absent."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from mcptest import HERE, MCP_HOTD, SEED, check, finish, tool

node = os.environ.get("NODE") or shutil.which("node")
if not node:
    print("SKIP: node is not installed; the SDK client test needs it")
    sys.exit(77)
node_dir = os.environ.get("MCP_NODE_DIR") or os.path.join(HERE, "node")
if not os.path.isdir(os.path.join(node_dir, "node_modules", "@modelcontextprotocol", "sdk")):
    print(f"not ok - the SDK is missing in {node_dir}: run scripts/install-deps "
          "(npm ci in tests/node)")
    sys.exit(1)

seed = json.load(open(SEED, encoding="utf-8"))
tools = seed + [
    tool("info", "def info(word: str) -> dict:\n    return {'word': word, 'length': len(word)}\n"),
    tool("fail", "def fail():\n    raise RuntimeError('as designed')\n"),
]
d = tempfile.mkdtemp()
path = os.path.join(d, "tools.json")
json.dump(tools, open(path, "w"))
p = subprocess.run([node, os.path.join(HERE, "sdk_client.mjs"), MCP_HOTD, path],
                   capture_output=True, text=True, timeout=120)
check(p.returncode == 0, "SDK client ran", p.stderr[-2000:])
r = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else {}
check(r.get("server", {}).get("name") == "mcp-hotd", "SDK sees serverInfo", r.get("server"))
check(r.get("capabilities", {}).get("tools", {}).get("listChanged") is True,
      "SDK sees tools.listChanged")
check([t["name"] for t in r.get("tools", [])] == ["add", "info", "fail"], "SDK lists the tools")
check(r.get("add", {}).get("content") == [{"type": "text", "text": "42"}], "SDK calls add", r.get("add"))
check(r.get("structured", {}).get("structuredContent") == {"word": "héllo", "length": 5},
      "SDK receives structuredContent", r.get("structured"))
check(r.get("error", {}).get("isError") is True and
      "RuntimeError: as designed" in json.dumps(r.get("error")), "SDK sees isError")
check(r.get("badArgs", {}).get("isError") is True and "'a'" in json.dumps(r.get("badArgs")),
      "SDK sees argument errors", r.get("badArgs"))
check("nope" in r.get("unknown", ""), "SDK gets an error for an unknown tool", r.get("unknown"))
finish()
