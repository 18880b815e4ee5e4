# SPDX-License-Identifier: ISC
"""The official MCP Inspector CLI lists and calls tools through
`mcp-hotctl bridge` to a running daemon. Skipped only when node is absent."""

import json
import os
import shutil
import subprocess
import sys

from mcptest import HERE, MCP_HOTCTL, Daemon, check, finish, tool

node = os.environ.get("NODE") or shutil.which("node")
if not node:
    print("SKIP: node is not installed; the Inspector test needs it")
    sys.exit(77)
node_dir = os.environ.get("MCP_NODE_DIR") or os.path.join(HERE, "node")
cli = os.path.join(node_dir, "node_modules", "@modelcontextprotocol", "inspector", "cli",
                   "build", "cli.js")
if not os.path.exists(cli):
    print(f"not ok - the Inspector is missing in {node_dir}: run scripts/install-deps")
    sys.exit(1)

d = Daemon([tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n"),
            tool("greet", "def greet(name: str) -> str:\n    return f'hi {name}'\n")])


def inspector(*args):
    p = subprocess.run([node, cli, "--cli", MCP_HOTCTL, "-s", d.sock, "bridge", *args],
                       capture_output=True, text=True, timeout=120)
    out = p.stdout[p.stdout.find("{"):]
    try:
        return p.returncode, json.loads(out)
    except ValueError:
        return p.returncode, {"raw": p.stdout + p.stderr}


rc, r = inspector("--method", "tools/list")
check(rc == 0 and [t["name"] for t in r.get("tools", [])] == ["add", "greet"],
      "Inspector lists tools through the bridge", r)
rc, r = inspector("--method", "tools/call", "--tool-name", "add", "--tool-arg", "a=2",
                  "--tool-arg", "b=40")
check(rc == 0 and r.get("content") == [{"type": "text", "text": "42"}],
      "Inspector calls a tool through the bridge", r)
rc, r = inspector("--method", "tools/call", "--tool-name", "greet", "--tool-arg", "name=Ada")
check(rc == 0 and r.get("content", [{}])[0].get("text") == "hi Ada", "Inspector passes strings", r)
check(d.stop() == 0, "daemon exits 0")
finish()
