# SPDX-License-Identifier: ISC
"""The official TypeScript clients on mcp-hotd's resources, templates,
prompts and completions: the v1 SDK (2025-11-25) over stdio and HTTP, the
v2 client pinned to 2026-07-28 over HTTP. Each lists and reads resources
(static, coded, through a template), gets a prompt with arguments,
completes an argument; then the tools file is edited (the note's text
changes, a prompt is added) and each hears the prompts list change and the
subscribed resource's update, and reads and gets the new content."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from mcptest import HERE, MCP_HOTD, Daemon, check, finish, tool

node = os.environ.get("NODE") or shutil.which("node")
if not node:
    print("SKIP: node is not installed")
    sys.exit(77)


def entries(note, extra=()):
    return [
        tool("add", "def add(a: int, b: int) -> int:\n    return a + b\n"),
        {"kind": "resource", "name": "note", "uri": "note://today", "mimeType": "text/plain",
         "text": note},
        {"kind": "resource", "name": "answer", "uri": "calc://answer",
         "code": "def answer() -> str:\n    return str(6 * 7)\n"},
        {"kind": "resource_template", "name": "double", "uriTemplate": "calc://double/{n}",
         "code": "def double(n: int) -> str:\n    return str(n * 2)\n"},
        {"kind": "prompt", "name": "greet", "description": "Greets someone.",
         "code": "def greet(who: str, style: str = 'plain') -> str:\n"
                 "    return f'Greet {who}, {style}ly.'\n",
         "complete": {"style": ["warm", "witty", "plain"]}},
        *extra]


def write(path, data):
    with open(path + ".tmp", "w") as f:
        json.dump(data, f)
    os.rename(path + ".tmp", path)


FAREWELL = {"kind": "prompt", "name": "farewell", "messages": ["Say goodbye."]}


def drive(gen, face, target, path):
    write(path, entries("first"))
    p = subprocess.Popen([node, os.path.join(HERE, "sdk_catalog.mjs"), gen, *target],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline()
    if first.strip() == "ready":
        write(path, entries("second", [FAREWELL]))
    out, err = p.communicate(timeout=90)
    lines = (first + out).strip().splitlines()
    try:
        r = json.loads(lines[-1])
    except (IndexError, ValueError):
        r = {"error": (first + out + err)[-1500:]}
    L = f"{gen} over {face}"
    check("error" not in r, f"{L}: connects and runs", r)
    check(r.get("resources") == ["note://today", "calc://answer"] and
          r.get("templates") == ["calc://double/{n}"] and r.get("prompts") == ["greet"],
          f"{L}: lists resources, templates and prompts", r)
    check((r.get("note") or [{}])[0].get("text") == "first", f"{L}: reads a static resource",
          r.get("note"))
    check((r.get("coded") or [{}])[0].get("text") == "42", f"{L}: reads a coded resource",
          r.get("coded"))
    check((r.get("template") or [{}])[0] == {"uri": "calc://double/21", "text": "42",
                                             "mimeType": "text/plain"},
          f"{L}: reads through a template", r.get("template"))
    check(r.get("prompt") == [{"role": "user", "content": {"type": "text",
                                                          "text": "Greet Ada, warmly."}}],
          f"{L}: gets a prompt with arguments", r.get("prompt"))
    check((r.get("complete") or {}).get("values") == ["warm", "witty"],
          f"{L}: completes an argument", r.get("complete"))
    check(r.get("promptsChanged") == ["greet", "farewell"],
          f"{L}: hears the prompts list change after the edit", r.get("promptsChanged"))
    check(r.get("updated") == "note://today", f"{L}: hears the subscribed resource's update",
          r.get("updated"))
    check((r.get("note2") or [{}])[0].get("text") == "second" and
          (r.get("prompt2") or [{}])[0].get("content", {}).get("text") == "Say goodbye.",
          f"{L}: reads the new content, gets the new prompt", (r.get("note2"), r.get("prompt2")))


d = tempfile.mkdtemp(prefix="mcp-hotd-sdk-catalog-")
path = os.path.join(d, "tools.json")
drive("v1", "stdio", ["stdio", MCP_HOTD, "--stdio", "-c", path], path)
daemon = Daemon(entries("first"), http=True)
for gen in ("v1", "v2"):
    drive(gen, "HTTP", ["http", f"http://127.0.0.1:{daemon.port}/mcp"], daemon.path)
check(daemon.stop() == 0, "the daemon exits 0")
shutil.rmtree(d, ignore_errors=True)
finish()
