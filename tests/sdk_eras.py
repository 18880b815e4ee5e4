# SPDX-License-Identifier: ISC
"""Both generations of the official TypeScript client against mcp-hotd: the
v2 client (@modelcontextprotocol/client 2.4.0) pinned to 2026-07-28 and the
v1 SDK (1.32.2, initialize), each over stdio, through mcp-hotctl bridge
and over HTTP: list, call, an unknown tool's error, a tool's elicitation
answered by the client's handler (v1: a request to it; v2: an input_required
result it fulfils and retries), an image result, and a reload's list change
reaching the client (a listen stream for v2, the session for v1)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from mcptest import HERE, MCP_HOTCTL, MCP_HOTD, Daemon, check, finish, tool

node = os.environ.get("NODE") or shutil.which("node")
if not node:
    print("SKIP: node is not installed")
    sys.exit(77)

ADD = [tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n"),
       tool("steps", "from mcp_hotd import Context\nimport time\n"
                     "def steps(n: int, ctx: Context) -> str:\n"
                     "    for i in range(n):\n        ctx.report_progress(i + 1, n)\n"
                     "        ctx.info(f'step {i + 1}')\n        ctx.debug('hidden by the level')\n"
                     "        time.sleep(0.02)\n    return 'stepped'\n"),
       tool("ask", "from mcp_hotd import Context\n"
                   "def ask(ctx: Context) -> str:\n"
                   "    a = ctx.elicit('Your name?', {'type': 'object', 'properties': "
                   "{'name': {'type': 'string'}}, 'required': ['name']})\n"
                   "    return f\"{a.action}: hello {a.content['name']}\"\n"),
       tool("picture", "import base64\n"
                       "PNG = base64.b64decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4"
                       "nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC')\n"
                       "def picture() -> bytes:\n    return PNG\n")]


def toggle(path, name):
    """The tools file with one more tool (as an editor writes it)."""
    with open(path) as f:
        tools = json.load(f)
    tools.append(tool(name, f"def {name}() -> int:\n    return 1\n"))
    with open(path + ".tmp", "w") as f:
        json.dump(tools, f)
    os.rename(path + ".tmp", path)


def drive(gen, face, target, path, name):
    p = subprocess.Popen([node, os.path.join(HERE, "sdk_eras.mjs"), gen, *target],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline()
    if first.strip() == "ready":
        toggle(path, name)
    out, err = p.communicate(timeout=60)
    lines = (first + out).strip().splitlines()
    try:
        r = json.loads(lines[-1])
    except (IndexError, ValueError):
        r = {"error": (first + out + err)[-1500:]}
    label = f"{gen} over {face}"
    era = "modern" if gen == "v2" else "legacy"
    check(r.get("era") == era and "error" not in r, f"{label}: connects ({era} era)", r)
    check("add" in r.get("tools", []) and
          r.get("add", {}).get("content") == [{"type": "text", "text": "42"}],
          f"{label}: lists and calls", r)
    check(r.get("elicited") == ["Your name?"] and
          r.get("ask", {}).get("content") == [{"type": "text", "text": "accept: hello sdk"}],
          f"{label}: the client's handler answers the tool's elicitation",
          (r.get("elicited"), r.get("ask")))
    pic = (r.get("picture", {}).get("content") or [{}])[0]
    check(pic.get("type") == "image" and pic.get("mimeType") == "image/png" and
          pic.get("data", "").startswith("iVBORw0KGgo"), f"{label}: an image result arrives", pic)
    check("unknown tool 'nope'" in r.get("unknown", ""), f"{label}: an unknown tool is an error",
          r.get("unknown"))
    check(isinstance(r.get("changed"), list) and name in r["changed"],
          f"{label}: a reload's list change reaches it", r.get("changed"))
    if gen == "v1":
        check(r.get("progress") == [1, 2, 3] and r.get("logs") == ["step 1", "step 2", "step 3"],
              f"{label}: progress and log messages (at the session's level) arrive",
              (r.get("progress"), r.get("logs")))


d = tempfile.mkdtemp(prefix="mcp-hotd-eras-")
path = os.path.join(d, "tools.json")
n = 0
for gen in ("v2", "v1"):
    with open(path, "w") as f:
        json.dump(ADD, f)
    n += 1
    drive(gen, "stdio", ["stdio", MCP_HOTD, "--stdio", "-c", path], path, f"new{n}")

daemon = Daemon(ADD, http=True)
for gen in ("v2", "v1"):
    for face, target in (("the bridge", ["stdio", MCP_HOTCTL, "-s", daemon.sock, "bridge"]),
                         ("HTTP", ["http", f"http://127.0.0.1:{daemon.port}/mcp"])):
        n += 1
        drive(gen, face, target, daemon.path, f"new{n}")
check(daemon.stop() == 0, "the daemon exits 0")
shutil.rmtree(d, ignore_errors=True)
finish()
