# SPDX-License-Identifier: ISC
"""Tools written as FastMCP users and the official SDK's examples write
them (decorators and all), driven by the official TypeScript SDK client
over stdio and over HTTP: awaited and plain Context calls, progress and
logs as FastMCP sends them, elicit(response_type=...) and the SDK's
elicit(schema=Model) answered by the client, sampling, roots, Image,
ToolError, ToolResult, mcp.types content, pydantic and dataclass
arguments and results, Field(...) defaults, helper functions, None; and
the real packages' classes (a stand-in package of their layout on
--python-path: PyPI is out of reach here) recognised by name."""

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

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"

FASTMCP = "from fastmcp import FastMCP, Context\n\nmcp = FastMCP(\"Demo\")\n\n"
SDK = ("from mcp.server.fastmcp import FastMCP, Context\n"
       "from mcp.server.session import ServerSession\n\nmcp = FastMCP(name=\"Example\")\n\n")

TOOLS = {
    "process_data": FASTMCP + '''@mcp.tool
async def process_data(data_uri: str, ctx: Context) -> dict:
    """Process data from a resource with progress reporting."""
    await ctx.info(f"Processing data from {data_uri}")
    await ctx.report_progress(progress=50, total=100)
    await ctx.debug("halfway there")
    ctx.warning("and a plain call works too")
    return {"length": len(data_uri), "request": ctx.request_id}
''',
    "collect_user_info": FASTMCP + '''@mcp.tool
async def collect_user_info(ctx: Context) -> str:
    """Collect user information through interactive prompts."""
    result = await ctx.elicit(message="Please provide your name", response_type=str)
    if result.action == "accept":
        return f"Hello, {result.data}!"
    elif result.action == "decline":
        return "Information not provided"
    else:
        return "Operation cancelled"
''',
    "decline_me": FASTMCP + '''@mcp.tool
async def decline_me(ctx: Context) -> str:
    result = await ctx.elicit("Please decline this", response_type=int)
    return f"{result.action} {result.data}"
''',
    "collect_info": FASTMCP + '''from dataclasses import dataclass

@dataclass
class UserInfo:
    name: str
    age: int

@mcp.tool
async def collect_info(ctx: Context) -> str:
    result = await ctx.elicit("Please provide your information", response_type=UserInfo)
    if result.action == "accept":
        user = result.data
        return f"{user.name} is {user.age} ({type(user).__name__})"
    return "Information not provided"
''',
    "set_priority": FASTMCP + '''@mcp.tool
async def set_priority(ctx: Context) -> str:
    result = await ctx.elicit("What priority level?", response_type=["low", "medium", "high"])
    if result.action == "accept":
        return f"Priority set to: {result.data}"
    return "no priority"
''',
    "pick_number": FASTMCP + '''@mcp.tool
async def pick_number(ctx: Context) -> int:
    result = await ctx.elicit("Pick a number", response_type=int)
    return result.data + 1
''',
    "analyze": FASTMCP + '''@mcp.tool
async def analyze(text: str, ctx: Context) -> str:
    response = await ctx.sample(f"Analyze: {text}", system_prompt="You are an expert",
                                temperature=0.3, max_tokens=100)
    return response.text
''',
    "show_roots": FASTMCP + '''@mcp.tool
async def show_roots(ctx: Context) -> list[str]:
    roots = await ctx.list_roots()
    return [f"{r.name}={r.uri}" for r in roots]
''',
    "make_image": f'''from fastmcp.utilities.types import Image
import base64

def make_image() -> Image:
    return Image(data=base64.b64decode("{PNG}"), format="png")
''',
    "divide": '''from fastmcp.exceptions import ToolError

def divide(a: float, b: float) -> float:
    """Divide a by b."""
    if b == 0:
        raise ToolError("Division by zero is not allowed.")
    return a / b
''',
    "long_running_task": SDK + '''@mcp.tool()
async def long_running_task(task_name: str, ctx: Context[ServerSession, None], steps: int = 3) -> str:
    """Execute a task with progress updates."""
    await ctx.info(f"Starting: {task_name}")
    for i in range(steps):
        progress = (i + 1) / steps
        await ctx.report_progress(progress=progress, total=1.0, message=f"Step {i + 1}/{steps}")
        await ctx.debug(f"Completed step {i + 1}")
    return f"Task '{task_name}' completed"
''',
    "generate_poem": SDK + '''from mcp.types import SamplingMessage, TextContent

@mcp.tool()
async def generate_poem(topic: str, ctx: Context[ServerSession, None]) -> str:
    """Generate a poem using LLM sampling."""
    prompt = f"Write a short poem about {topic}"
    result = await ctx.session.create_message(
        messages=[SamplingMessage(role="user", content=TextContent(type="text", text=prompt))],
        max_tokens=100,
    )
    if result.content.type == "text":
        return result.content.text
    return str(result.content)
''',
    "book_table": SDK + '''from pydantic import BaseModel, Field

class BookingPreferences(BaseModel):
    """Schema for collecting user preferences."""
    checkAlternative: bool = Field(description="Would you like to check another date?")
    alternativeDate: str = Field(default="2024-12-26", description="Alternative date (YYYY-MM-DD)")

@mcp.tool()
async def book_table(date: str, time: str, party_size: int, ctx: Context[ServerSession, None]) -> str:
    """Book a table with date availability check."""
    if date == "2024-12-25":
        result = await ctx.elicit(
            message=f"No tables available for {party_size} on {date}. Would you like to try another date?",
            schema=BookingPreferences,
        )
        if result.action == "accept" and result.data:
            if result.data.checkAlternative:
                return f"[SUCCESS] Booked for {result.data.alternativeDate}"
            return "[CANCELLED] No booking made"
        return "[CANCELLED] Booking cancelled"
    return f"[SUCCESS] Booked for {date} at {time}"
''',
    "weather": '''from pydantic import BaseModel

class Weather(BaseModel):
    temperature: float
    condition: str

def _fetch(city):
    return {"temperature": 21.5, "condition": f"sunny in {city}"}

def get_weather(city: str) -> Weather:
    """Weather for a city."""
    return Weather(**_fetch(city))
''',
    "events": '''from dataclasses import dataclass
from datetime import datetime

@dataclass
class Event:
    title: str
    at: datetime

def events() -> list[Event]:
    return [Event("launch", datetime(2025, 1, 2, 3, 4, 5))]
''',
    "search": '''from typing import Annotated
from pydantic import Field

def search(query: Annotated[str, Field(description="What to find")],
           limit: int = Field(10, description="How many results")) -> str:
    return f"{query}:{limit}"
''',
    "create_user": '''from pydantic import BaseModel

class User(BaseModel):
    name: str
    email: str

def create_user(user: User) -> str:
    return f"{user.name} <{user.email}> ({type(user).__name__})"
''',
    "nothing": "def nothing(x: int):\n    pass\n",
    "advanced": '''from fastmcp.tools.tool import ToolResult
from mcp.types import TextContent

def advanced() -> ToolResult:
    return ToolResult(content=[TextContent(type="text", text="Human-readable summary")],
                      structured_content={"data": "value", "count": 42})
''',
    "blocks": f'''from mcp.types import TextContent, ImageContent

def blocks():
    return [TextContent(type="text", text="a picture:"),
            ImageContent(type="image", data="{PNG}", mimeType="image/png")]
''',
    # The SDK since its v2: MCPServer, CallToolResult, plain classes.
    "notify_v2": '''from mcp.server.mcpserver import Context, MCPServer

mcp = MCPServer(name="Notifications Example")

@mcp.tool()
async def process_data(data: str, ctx: Context) -> str:
    """Process data with logging."""
    await ctx.debug(f"Debug: Processing '{data}'")
    await ctx.info("Info: Starting processing")
    await ctx.session.send_resource_list_changed()
    return f"Processed: {data}"
''',
    "validated_tool": '''from typing import Annotated
from pydantic import BaseModel
from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent

mcp = MCPServer("CallToolResult Example")

class ValidationModel(BaseModel):
    status: str
    data: dict[str, int]

@mcp.tool()
def validated_tool() -> Annotated[CallToolResult, ValidationModel]:
    """Return CallToolResult with structured output validation."""
    return CallToolResult(
        content=[TextContent(type="text", text="Validated response")],
        structured_content={"status": "success", "data": {"result": 42}},
        _meta={"internal": "metadata"},
    )

@mcp.tool()
def empty_result_tool() -> CallToolResult:
    return CallToolResult(content=[])
''',
    "get_user": '''class UserProfile:
    name: str
    age: int
    email: str | None = None

    def __init__(self, name: str, age: int, email: str | None = None):
        self.name = name
        self.age = age
        self.email = email

def get_user(user_id: str) -> UserProfile:
    """Get user profile - returns structured data"""
    return UserProfile(name="Alice", age=30, email="alice@example.com")
''',
    "remember": FASTMCP + '''@mcp.tool
async def remember(value: str, ctx: Context) -> str:
    before = await ctx.get_state("last")
    await ctx.set_state("last", value)
    return f"{before} -> {value}"
''',
    "who": '''from fastmcp.server.dependencies import get_context

def who() -> str:
    ctx = get_context()
    ctx.info("who asked")
    return f"session {bool(ctx.session_id)}"
''',
}

CALLS = [
    ["process_data", {"data_uri": "resource://x"}],
    ["collect_user_info", {}],
    ["decline_me", {}],
    ["collect_info", {}],
    ["set_priority", {}],
    ["pick_number", {}],
    ["analyze", {"text": "the sky"}],
    ["show_roots", {}],
    ["make_image", {}],
    ["divide", {"a": 1, "b": 0}],
    ["divide", {"a": 3, "b": 2}],
    ["long_running_task", {"task_name": "t"}],
    ["generate_poem", {"topic": "tea"}],
    ["book_table", {"date": "2024-12-25", "time": "19:00", "party_size": 2}],
    ["weather", {"city": "Oslo"}],
    ["events", {}],
    ["search", {"query": "q"}],
    ["create_user", {"user": {"name": "Ada", "email": "ada@example.org"}}],
    ["nothing", {"x": 1}],
    ["advanced", {}],
    ["blocks", {}],
    ["who", {}],
    ["notify_v2", {"data": "d"}],
    ["validated_tool", {}],
    ["get_user", {"user_id": "1"}],
    ["remember", {"value": "a"}],
    ["remember", {"value": "b"}],
]


def text(call):
    r = call.get("result") or {}
    return "".join(c.get("text", "") for c in r.get("content", []) if c.get("type") == "text")


def examine(r, label):
    check("error" not in r and len(r.get("calls", [])) == len(CALLS),
          f"{label}: the client ran every call", r.get("error"))
    calls = {}
    for c in r.get("calls", []):
        calls.setdefault(c["name"], []).append(c)
    one = {k: v[0] for k, v in calls.items()}
    listed = {t["name"]: t for t in r.get("tools", [])}
    p = one.get("process_data", {})
    check(p.get("result", {}).get("structuredContent", {}).get("length") == 12 and
          p["result"]["structuredContent"].get("request") is not None,
          f"{label}: an async FastMCP tool with awaited ctx calls", p)
    check([(m["level"], m["data"]) for m in p.get("logs", [])] ==
          [("info", {"msg": "Processing data from resource://x", "extra": None}),
           ("debug", {"msg": "halfway there", "extra": None}),
           ("warning", {"msg": "and a plain call works too", "extra": None})],
          f"{label}: its logs as FastMCP sends them ({{msg, extra}}), awaited or not",
          p.get("logs"))
    check([(x.get("progress"), x.get("total")) for x in p.get("progress", [])] == [(50, 100)],
          f"{label}: its progress", p.get("progress"))
    u = one.get("collect_user_info", {})
    req = (u.get("requests") or [{}])[0].get("params", {})
    check(text(u) == "Hello, Ada!" and
          req.get("requestedSchema", {}).get("properties", {}).get("value", {}).get("type")
          == "string", f"{label}: elicit(response_type=str) asks for a value, data unwrapped",
          (text(u), req))
    check(text(one.get("decline_me", {})) == "decline None",
          f"{label}: a declined elicitation has no data", one.get("decline_me"))
    check(text(one.get("collect_info", {})) == "Ada is 36 (UserInfo)",
          f"{label}: elicit(response_type=dataclass) gives an instance", one.get("collect_info"))
    check(text(one.get("set_priority", {})) == "Priority set to: high",
          f"{label}: elicit with a list of choices", one.get("set_priority"))
    check(one.get("pick_number", {}).get("result", {}).get("structuredContent") == {"result": 37},
          f"{label}: elicit(response_type=int); an int result wrapped as FastMCP does",
          one.get("pick_number"))
    a = one.get("analyze", {})
    sp = (a.get("requests") or [{}])[0].get("params", {})
    check(text(a) == "sampled: Analyze: the sky" and sp.get("systemPrompt") == "You are an expert"
          and sp.get("temperature") == 0.3 and sp.get("maxTokens") == 100,
          f"{label}: ctx.sample(...) with FastMCP's keywords; response.text", (text(a), sp))
    check(one.get("show_roots", {}).get("result", {}).get("structuredContent") ==
          {"result": ["data=file:///srv/data"]}, f"{label}: ctx.list_roots()", one.get("show_roots"))
    img = ((one.get("make_image", {}).get("result") or {}).get("content") or [{}])[0]
    check(img.get("type") == "image" and img.get("mimeType") == "image/png" and
          img.get("data") == PNG and "outputSchema" not in listed.get("make_image", {}),
          f"{label}: Image(data=..., format='png')", img)
    d0, d1 = calls.get("divide", [{}, {}])[:2]
    check(d0.get("result", {}).get("isError") is True and
          text(d0) == "Division by zero is not allowed.", f"{label}: ToolError's message, as is", d0)
    check(d1.get("result", {}).get("structuredContent") == {"result": 1.5} and text(d1) == "1.5",
          f"{label}: a float result: text and {{result}}", d1)
    lr = one.get("long_running_task", {})
    check(text(lr) == "Task 't' completed" and
          [x.get("message") for x in lr.get("progress", [])] == ["Step 1/3", "Step 2/3", "Step 3/3"]
          and [m["data"] for m in lr.get("logs", [])] ==
          ["Starting: t", "Completed step 1", "Completed step 2", "Completed step 3"],
          f"{label}: the SDK's Context[ServerSession, None]: progress, logs as strings", lr)
    gp = one.get("generate_poem", {})
    check(text(gp) == "sampled: Write a short poem about tea" and
          (gp.get("requests") or [{}])[0].get("params", {}).get("maxTokens") == 100,
          f"{label}: ctx.session.create_message with SamplingMessage", gp)
    bt = one.get("book_table", {})
    schema = ((bt.get("requests") or [{}])[0].get("params") or {}).get("requestedSchema", {})
    check(text(bt) == "[SUCCESS] Booked for 2024-12-26" and
          "checkAlternative" in schema.get("properties", {}),
          f"{label}: the SDK's elicit(schema=BaseModel): result.data is the model", (bt, schema))
    w = one.get("weather", {})
    check(text(w) == '{"temperature":21.5,"condition":"sunny in Oslo"}' and
          w.get("result", {}).get("structuredContent") ==
          {"temperature": 21.5, "condition": "sunny in Oslo"} and
          "temperature" in listed.get("weather", {}).get("outputSchema", {}).get("properties", {}),
          f"{label}: a pydantic result, from the function its helper is not", w)
    ev = one.get("events", {})
    check(text(ev) == '[{"title":"launch","at":"2025-01-02T03:04:05"}]' and
          ev.get("result", {}).get("structuredContent") ==
          {"result": [{"title": "launch", "at": "2025-01-02T03:04:05"}]},
          f"{label}: a list of dataclasses with a datetime", ev)
    se = listed.get("search", {}).get("inputSchema", {}).get("properties", {})
    check(text(one.get("search", {})) == "q:10" and se.get("query", {}).get("description") ==
          "What to find" and se.get("limit", {}).get("default") == 10 and
          se.get("limit", {}).get("description") == "How many results",
          f"{label}: Field(...) and Annotated[..., Field(...)]", (se, one.get("search")))
    check(text(one.get("create_user", {})) == "Ada <ada@example.org> (User)",
          f"{label}: a pydantic model argument arrives as the model", one.get("create_user"))
    check(one.get("nothing", {}).get("result", {}).get("content") == [],
          f"{label}: None is no content", one.get("nothing"))
    ad = one.get("advanced", {}).get("result", {})
    check(ad.get("content") == [{"type": "text", "text": "Human-readable summary"}] and
          ad.get("structuredContent") == {"data": "value", "count": 42},
          f"{label}: ToolResult(content, structured_content)", ad)
    bl = one.get("blocks", {}).get("result", {}).get("content", [])
    check([b.get("type") for b in bl] == ["text", "image"] and bl[1].get("data") == PNG,
          f"{label}: mcp.types content blocks", bl)
    nv = one.get("notify_v2", {})
    check(text(nv) == "Processed: d" and [m["data"] for m in nv.get("logs", [])] ==
          ["Debug: Processing 'd'", "Info: Starting processing"],
          f"{label}: the SDK v2's MCPServer and Context", nv)
    vt = one.get("validated_tool", {}).get("result", {})
    check(vt.get("structuredContent") == {"status": "success", "data": {"result": 42}} and
          vt.get("_meta") == {"internal": "metadata"} and
          listed.get("validated_tool", {}).get("outputSchema", {}).get("required") ==
          ["status", "data"], f"{label}: a CallToolResult, its Annotated model the schema", vt)
    gu = one.get("get_user", {}).get("result", {})
    check(gu.get("structuredContent") == {"name": "Alice", "age": 30, "email": "alice@example.com"}
          and listed.get("get_user", {}).get("outputSchema", {}).get("required") == ["name", "age"],
          f"{label}: a plain class with annotated fields structures the result", gu)
    rm = calls.get("remember", [{}, {}])
    check([text(x) for x in rm[:2]] == ["None -> a", "a -> b"],
          f"{label}: ctx.set_state/get_state across a session's calls", rm)
    wh = one.get("who", {})
    check(text(wh) == "session True" and [m["data"]["msg"] for m in wh.get("logs", [])] ==
          ["who asked"], f"{label}: get_context() outside the signature", wh)


def drive(target, label):
    p = subprocess.run([node, os.path.join(HERE, "fastmcp_client.mjs"), json.dumps(CALLS),
                        *target], capture_output=True, text=True, timeout=180)
    try:
        r = json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        r = {"error": (p.stdout + p.stderr)[-2000:]}
    examine(r, label)


tools = [tool(name, code) for name, code in TOOLS.items()]
d = tempfile.mkdtemp(prefix="mcp-hotd-fastmcp-")
path = os.path.join(d, "tools.json")
with open(path, "w") as f:
    json.dump(tools, f)
drive(["stdio", MCP_HOTD, "--stdio", "-c", path], "stdio")
daemon = Daemon(tools, http=True)
drive(["http", f"http://127.0.0.1:{daemon.port}/mcp"], "HTTP")
check(daemon.stop() == 0, "the daemon exits 0")

# The real packages, installed: their classes are recognised by name. A
# stand-in of their layout (fastmcp/__init__.py, utilities/types.py).
# Not under /tmp: each worker has a private one (--python-path refuses it).
real = tempfile.mkdtemp(prefix="mcp-hotd-fastmcp-site-", dir="/var/tmp")
os.makedirs(os.path.join(real, "fastmcp", "utilities"))
os.chmod(real, 0o755)
with open(os.path.join(real, "fastmcp", "__init__.py"), "w") as f:
    f.write("REAL = True\n\nclass Context:\n    def __init__(self, fastmcp=None):\n"
            "        raise RuntimeError('a real Context needs a real server')\n")
open(os.path.join(real, "fastmcp", "utilities", "__init__.py"), "w").close()
with open(os.path.join(real, "fastmcp", "utilities", "types.py"), "w") as f:
    f.write("class ImageContent:\n    def __init__(self, **kw):\n        self.__dict__.update(kw)\n"
            "    def model_dump(self, **kw):\n        return dict(self.__dict__)\n\n"
            "class Image:\n    def __init__(self, path=None, data=None, format=None):\n"
            "        self.data, self.format = data, format\n"
            "    def to_image_content(self):\n        import base64\n"
            "        return ImageContent(type='image', data=base64.b64encode(self.data).decode(),"
            " mimeType='image/' + self.format)\n")
real_tools = [tool("real_ctx", "import fastmcp\nfrom fastmcp import Context\n\n"
                   "async def real_ctx(x: int, ctx: Context) -> str:\n"
                   "    await ctx.info('from the real Context annotation')\n"
                   "    return f'real={fastmcp.REAL} x={x}'\n"),
              tool("real_image", "from fastmcp.utilities.types import Image\n\n"
                   "def real_image():\n    return Image(data=b'hi', format='gif')\n")]
with open(path, "w") as f:
    json.dump(real_tools, f)
p = subprocess.run([node, os.path.join(HERE, "fastmcp_client.mjs"),
                    json.dumps([["real_ctx", {"x": 2}], ["real_image", {}]]),
                    "stdio", MCP_HOTD, "--stdio", "-c", path, "--python-path", real],
                   capture_output=True, text=True, timeout=120)
try:
    r = json.loads(p.stdout.strip().splitlines()[-1])
except (IndexError, ValueError):
    r = {"error": (p.stdout + p.stderr)[-2000:]}
c = {x["name"]: x for x in r.get("calls", [])}
rc = c.get("real_ctx", {})
check(text(rc) == "real=True x=2" and [m["data"] for m in rc.get("logs", [])] ==
      [{"msg": "from the real Context annotation", "extra": None}],
      "an installed fastmcp: its Context parameter gets mcp-hotd's", (rc, r.get("error")))
ri = ((c.get("real_image", {}).get("result") or {}).get("content") or [{}])[0]
check(ri == {"type": "image", "data": "aGk=", "mimeType": "image/gif"},
      "an installed fastmcp: its Image converted (to_image_content, by name)", ri)
shutil.rmtree(d, ignore_errors=True)
shutil.rmtree(real, ignore_errors=True)
finish()
