# SPDX-License-Identifier: ISC
"""Tools as the seed defines them: loading, schemas from signatures, results,
exceptions, argument checks, skipped entries."""

import json
import shutil
import subprocess

from mcptest import MCP_HOTD, SEED, Server, check, finish, text_of, tool

# The seed's own tools.json, byte for byte (CRLF file, \r\n in the code).
s = Server(tools_text=open(SEED, encoding="utf-8", newline="").read())
s.initialize()
tools = s.list_tools()
check([t["name"] for t in tools] == ["add"], "seed file: one tool, add", tools)
check(tools[0]["description"] == "test add tools", "seed description kept")
check(tools[0]["inputSchema"]["properties"] == {"a": {"type": "integer"},
                                                "b": {"type": "integer"}},
      "seed add: integer a and b", tools[0]["inputSchema"])
check(tools[0]["inputSchema"]["required"] == ["a", "b"], "seed add: both required")
r = s.call("add", {"a": 2, "b": 40})
check(r == {"content": [{"type": "text", "text": "42"}], "structuredContent": {"result": 42},
            "isError": False}, "seed add(2, 40) = 42, and {result} for its -> int (FastMCP's)", r)
check(s.close() == 0, "seed server exits 0")

RICH = [
    tool("greet", 'def greet(name: str, greeting: str = "Hello", punct: str = "!") -> str:\n'
         '    """Greet someone.\n\n    Args:\n        name: who to greet\n    """\n'
         '    return f"{greeting}, {name}{punct}"\n'),
    tool("total", "from typing import Optional\n\n"
         "def total(xs: list[int], scale: Optional[float] = None) -> float:\n"
         "    return sum(xs) * (scale if scale is not None else 1)\n"),
    tool("info", "def info(d: dict) -> dict:\n    return {'keys': sorted(d), 'n': len(d), 'nested': {'ok': True}}\n"),
    tool("fail", "def fail(msg: str):\n    raise ValueError(msg)\n"),
    tool("boom", "class Oops(Exception):\n    pass\n\ndef boom():\n    raise Oops()\n"),
    tool("unicode", "def unicode(s: str) -> str:\n    return s[::-1] + ' ✓ 日本語 🎉'\n"),
    tool("nan", "def nan() -> float:\n    return float('nan')\n"),
    tool("setret", "def setret():\n    return {1, 2}\n"),
    tool("bigint", "def bigint() -> int:\n    return 2**100\n"),
    tool("deep", "def deep(n: int):\n    d = {}\n    for _ in range(n):\n        d = {'a': d}\n    return d\n"),
    tool("ints", "def ints():\n    return [0, 1, -1, 9, 10, -10, 2**63 - 1, -2**63, 2**63, -2**63 - 1]\n"),
    tool("floats", "def floats():\n    return [0.1, 1.0, 1e300, -0.0]\n"),
    tool("none", "def none():\n    return None\n"),
    tool("untyped", "def untyped(a, b):\n    return a * b\n", parameters={"a": "int", "b": "str"}),
    tool("helpers", "def _helper(x):\n    return x * 2\n\ndef helpers(x: int) -> int:\n    return _helper(x)\n"),
    tool("first_of_two", "def one():\n    return 1\n\ndef two():\n    return 2\n"),
    tool("kw", "def kw(a: int, **rest) -> dict:\n    return {'a': a, 'rest': rest}\n"),
    tool("lit", "from typing import Literal\n\ndef lit(mode: Literal['fast', 'slow']) -> str:\n    return mode\n"),
    tool("printer", "def printer(x: int) -> int:\n    print('hello from the tool')\n    return x\n"),
    tool("asyncy", "async def asyncy(x: int) -> int:\n    return x + 1\n"),
    {"name": "documented", "code": "def documented(x: int) -> int:\n    \"\"\"Double a number,\n"
     "    exactly.\n\n    Args:\n        x: the number\n    \"\"\"\n    return 2 * x\n"},
    {"name": "no_desc", "code": "def no_desc():\n    return 1\n"},
    {"description": "no name", "code": "def f():\n    return 1\n"},
    {"name": "no_code", "description": "missing code"},
    tool("bad_timeout", "def bad_timeout():\n    return 1\n", timeout_ms="soon"),
    tool("syntax", "def syntax(:\n    pass\n"),
    tool("nofunc", "x = 1\n"),
    tool("raises_at_load", "raise RuntimeError('load-time failure')\n"),
    tool("greet", "def greet():\n    return 'duplicate'\n"),
]
s = Server(RICH)
s.initialize()
tools = {t["name"]: t for t in s.list_tools()}
expected = ["greet", "total", "info", "fail", "boom", "unicode", "nan", "setret", "bigint", "deep", "ints",
            "floats", "none", "untyped", "helpers", "first_of_two", "kw", "lit", "printer",
            "asyncy", "documented"]
check(list(tools) == expected, "good tools listed in file order, bad ones skipped", list(tools))
err = s.stderr()
for needle in ("'no_desc'", "no docstring", "entry 23", "'no_code'", "'bad_timeout'", "timeout_ms",
               "'syntax'", "SyntaxError", "'nofunc'", "defines no function",
               "'raises_at_load'", "load-time failure", "comes earlier"):
    check(needle in err, f"stderr names the skipped entry: {needle}")

g = tools["greet"]["inputSchema"]
check(g["required"] == ["name"], "defaults are not required", g)
check(g["properties"]["greeting"].get("default") == "Hello", "default is in the schema", g)
check(g["properties"]["name"].get("description") == "who to greet", "docstring Args describe", g)
t = tools["total"]["inputSchema"]["properties"]
check(t["xs"] == {"type": "array", "items": {"type": "integer"}}, "list[int] schema", t)
check(t["scale"].get("anyOf") == [{"type": "number"}, {"type": "null"}], "Optional schema", t)
check(tools["lit"]["inputSchema"]["properties"]["mode"]["enum"] == ["fast", "slow"],
      "Literal becomes enum")
check(tools["untyped"]["inputSchema"]["properties"] == {"a": {"type": "integer"},
                                                         "b": {"type": "string"}},
      "seed 'parameters' map used without hints")
check(tools["kw"]["inputSchema"].get("additionalProperties") is not False,
      "**kwargs allows extra arguments")

check(text_of(s.call("greet", {"name": "Ada"})) == "Hello, Ada!", "str result is text")
r = s.call("total", {"xs": [1, 2, 3], "scale": 0.5})
check(text_of(r) == "3.0" and not r["isError"], "float result as JSON text", r)
r = s.call("info", {"d": {"b": 1, "a": [1, 2]}})
check(r.get("structuredContent") == {"keys": ["a", "b"], "n": 2, "nested": {"ok": True}},
      "dict result has structuredContent", r)
check(json.loads(text_of(r)) == r["structuredContent"], "dict result text is its JSON")
r = s.call("fail", {"msg": "bad input"})
check(r["isError"] and text_of(r) == "ValueError: bad input", "exception -> isError", r)
check(s.wait_for(lambda: "raise ValueError(msg)" in s.stderr(), 5),
      "the traceback in the log shows the tool's source line", s.stderr()[-500:])
r = s.call("boom")
check(r["isError"] and text_of(r) == "Oops", "exception without message names its type", r)
check(text_of(s.call("unicode", {"s": "héllo"})) == "olléh ✓ 日本語 🎉", "unicode both ways")
r = s.call("nan")
check(r["isError"] and "NaN" in text_of(r), "NaN return refused clearly", r)
r = s.call("setret")
check(not r["isError"] and json.loads(text_of(r)) == [1, 2],
      "a set is rendered as FastMCP renders it: an array", r)
check(text_of(s.call("bigint")) == str(2**100), "big int keeps every digit")
# Nesting: as deep as the supervisor reads results (127 in the value) is
# sent; deeper, or circular, is refused by the worker, which lives on.
r = s.call("deep", {"n": 126})
check(not r["isError"] and json.loads(text_of(r)) == r["structuredContent"], "126 levels are sent")
for n in (127, 100000):
    r = s.call("deep", {"n": n})
    check(r["isError"] and "nested deeper than 127 levels" in text_of(r), f"{n} levels refused clearly", r)
check(not s.call("deep", {"n": 1})["isError"], "the worker lives on after deep values")
check(json.loads(text_of(s.call("ints"))) == [0, 1, -1, 9, 10, -10, 2**63 - 1, -2**63, 2**63, -2**63 - 1],
      "integers at and past the 64-bit edges written exactly")
check(json.loads(text_of(s.call("floats"))) == [0.1, 1.0, 1e300, -0.0] and
      "0.1" in text_of(s.call("floats")), "floats round-trip in shortest form")
check(s.call("none")["content"] == [], "None is no content (FastMCP's rendering)")
check(text_of(s.call("untyped", {"a": 3, "b": "ab"})) == 'ababab', "untyped with parameters")
check(text_of(s.call("helpers", {"x": 21})) == "42", "helper function not picked, tool-named one is")
check(text_of(s.call("first_of_two")) == "1", "several functions: the first")
check("none is named" in s.stderr(), "several functions: a warning")
r = s.call("kw", {"a": 1, "z": 2})
check(r["structuredContent"] == {"a": 1, "rest": {"z": 2}}, "**kwargs receive extras", r)

# Arguments reach the tool as the client wrote them: escapes, surrogate
# pairs, a lone surrogate, numbers of every shape, nesting, whitespace.
s.send_raw('{"jsonrpc":"2.0","id":"r\\u0031","method":"tools/call","params":'
           '{"name":"\\u006bw","arguments":{ "\\u0061" : 1 ,"s":"q\\"\\\\\\/\\b\\f\\n\\r\\t'
           '\\u00e9\\ud83c\\udf89\\ud800","big":123456789012345678901234567890,'
           '"f":-1.5e2,"n":null,"t":true,"l":[[],{},[1,[2]]],"neg":-0,'
           '"max18":999999999999999999,"min":-9223372036854775808,"é":"\\t"}}}\n')
r = s.response("r1")
want = {"a": 1, "rest": {"s": "q\"\\/\b\f\n\r\té🎉\ufffd", "big": 123456789012345678901234567890,
                         "f": -150.0, "n": None, "t": True, "l": [[], {}, [1, [2]]], "neg": 0,
                         "max18": 999999999999999999, "min": -9223372036854775808, "é": "\t"}}
check(r.get("result", {}).get("structuredContent") == want,
      "arguments text reaches the tool exactly (escapes, numbers, nesting)", r)
check(text_of(s.call("asyncy", {"x": 1})) == "2", "async def runs")
check(tools["documented"]["description"] == "Double a number, exactly.",
      "no description: the docstring's first paragraph", tools["documented"])
check(text_of(s.call("printer", {"x": 5})) == "5", "print() does not disturb the protocol")
check(s.wait_for(lambda: "hello from the tool" in s.stderr(), 5), "print() output goes to the log")

# Argument checks name the argument.
for args, needle in (({}, "missing required argument 'name'"),
                     ({"name": 3}, "argument 'name': expected string, got integer"),
                     ({"name": "x", "bogus": 1}, "unknown argument 'bogus'")):
    r = s.call("greet", args)
    check(r["isError"] and needle in text_of(r), f"argument check: {needle}", r)
r = s.call("total", {"xs": [1, "two"]})
check(r["isError"] and "xs[1]" in text_of(r), "argument check inside a list", r)
r = s.call("lit", {"mode": "medium"})
check(r["isError"] and "must be one of" in text_of(r), "argument check on Literal", r)
check(text_of(s.call("greet", {"name": "Ω"})) == "Hello, Ω!", "healthy after bad calls")

check(s.close() == 0, "exits 0")
check(s.leftovers() == [], "no worker left", s.leftovers())

# Every optional field: bad values skip the entry with a warning naming the
# tool and the field; good ones reach tools/list.
OK = "def f() -> int:\n    return 1\n"
FIELDS = [
    tool("p_bad", OK, parameters=3),
    tool("p_item", OK, parameters={"a": 1}),
    tool("ann_bad", OK, annotations=["readOnlyHint"]),
    tool("title_bad", OK, title=5),
    tool("mem_low", OK, memory_mb=1),
    tool("timeout_zero", OK, timeout_ms=0),
    tool("desc_bad", OK, description=None) | {"description": 7},
    {"name": "x" * 200, "description": "d", "code": OK},
    "not an object",
    tool("extras", OK, title="Extras", annotations={"readOnlyHint": True}, typo_field=1),
]
s = Server(FIELDS)
s.initialize()
listed = {t["name"]: t for t in s.list_tools()}
check(list(listed) == ["extras"], "only the valid entry loads", list(listed))
check(listed["extras"].get("title") == "Extras" and
      listed["extras"].get("annotations") == {"readOnlyHint": True},
      "title and annotations reach tools/list", listed["extras"])
err = s.stderr()
for needle in ("'p_bad' (entry 1): 'parameters' must be an object",
               "'p_item' (entry 2): 'parameters.a' must be a type name",
               "'ann_bad' (entry 3): 'annotations' must be an object",
               "'title_bad' (entry 4): 'title' must be a string",
               "'mem_low' (entry 5): 'memory_mb' must be between 32",
               "'timeout_zero' (entry 6): 'timeout_ms' must be between 1",
               "'desc_bad' (entry 7): 'description' must be a string",
               "entry 8: 'name' must be 1 to 128 characters",
               "entry 9: not a JSON object",
               "tool 'extras': unknown field 'typo_field' ignored"):
    check(needle in err, f"warning: {needle}", err[-600:])
check(s.close() == 0, "exits 0")
r = subprocess.run([MCP_HOTD, "--stdio", "-c", s.path], stdin=subprocess.DEVNULL,
                   capture_output=True, text=True, timeout=30)
check(r.returncode == 0, "a file of mostly bad entries still starts")
with open(s.path, "w") as f:
    f.write('{"tools": []}')
r = subprocess.run([MCP_HOTD, "--stdio", "-c", s.path], stdin=subprocess.DEVNULL,
                   capture_output=True, text=True, timeout=30)
check(r.returncode == 1 and "top level must be a JSON array" in r.stderr,
      "a non-array file is refused clearly", r.stderr)

# Rich results (import mcp_hotd): images, audio, resources, links, bytes
# sniffed by their magic, lists of them in order, a Result set explicitly.
PNG = "bytes.fromhex('89504e470d0a1a0a0000000d49484452')"
RICH = [
    tool("mixed", f"import mcp_hotd\ndef mixed() -> object:\n    return ['caption', mcp_hotd.Image({PNG}),"
                  " mcp_hotd.Audio(b'RIFF0000WAVE', 'audio/wav'),"
                  " mcp_hotd.Resource('test://r', text='hi', mime_type='text/plain'),"
                  " mcp_hotd.Resource('test://b', blob=b'\\x00\\x01'),"
                  " mcp_hotd.ResourceLink('test://l', 'a link', mime_type='text/csv'), {'n': 1}]\n"),
    tool("raw_png", f"def raw_png() -> bytes:\n    return {PNG}\n"),
    tool("raw_junk", "def raw_junk() -> bytes:\n    return b'\\x01\\x02 nothing known'\n"),
    tool("explicit", "from mcp_hotd import Result\ndef explicit() -> object:\n"
                     "    return Result(['it failed', 'softly'], structured={'code': 7}, is_error=True)\n"),
    tool("big_image", "from mcp_hotd import Image\ndef big_image() -> object:\n"
                      "    return Image(b'\\x89PNG' + bytes(3 << 20))\n"),
    tool("plain_list", "def plain_list() -> list:\n    return [1, 'two']\n"),
]
s = Server(RICH, args=["--max-reply", str(2 << 20)])
s.initialize()
r = s.call("mixed")
types_ = [c["type"] for c in r["content"]]
check(types_ == ["text", "image", "audio", "resource", "resource", "resource_link", "text"] and
      r["content"][1]["mimeType"] == "image/png" and r["content"][1]["data"] == "iVBORw0KGgoAAAANSUhEUg==" and
      r["content"][4]["resource"]["blob"] == "AAE=" and r["content"][6]["text"] == '{"n":1}',
      "a list of items becomes the content array, in order", r)
r = s.call("raw_png")
check(r["content"] == [{"type": "image", "data": "iVBORw0KGgoAAAANSUhEUg==", "mimeType": "image/png"}],
      "bytes of a known image type are that image", r)
r = s.call("raw_junk")
check(r.get("isError") and "mcp_hotd.Resource" in text_of(r), "bytes of no known type: a clear error", r)
r = s.call("explicit")
check(r.get("isError") is True and r.get("structuredContent") == {"code": 7} and
      [c["text"] for c in r["content"]] == ["it failed", "softly"], "Result sets everything", r)
r = s.call("big_image")
check(r.get("isError") and "exceeds the limit" in text_of(r), "a rich result is bounded by "
      "--max-reply too", text_of(r)[:120])
r = s.call("plain_list")
check(text_of(r) == '[1,"two"]' and not r.get("isError"), "a plain JSON list stays one text item", r)
check(s.close() == 0, "exits 0")

# "requires": a 2025 client that did not declare the capability gets an
# isError result naming it; a capability unknown to us skips the entry.
s = Server([tool("asks", "def asks() -> int:\n    return 1\n", requires=["sampling"]),
            tool("odd", "def odd() -> int:\n    return 1\n", requires=["telepathy"])])
s.initialize()
r = s.call("asks")
check(r.get("isError") and "needs the client capabilities {\"sampling\":{}}" in text_of(r),
      "a tool that requires sampling, called by a client without it: isError naming it", r)
check("'requires' must be an array of client capabilities" in s.stderr() and
      "odd" not in [t["name"] for t in s.list_tools()], "an unknown capability skips the entry")
check(s.close() == 0, "exits 0")

# outputSchema from return annotations, structuredContent matching it.
s = Server([tool("td", "from typing import TypedDict\nclass P(TypedDict):\n    x: int\n    name: str\n"
                       "def td() -> P:\n    return {'x': 1, 'name': 'a'}\n"),
            tool("dc", "from dataclasses import dataclass\n@dataclass\nclass Q:\n    a: int\n"
                       "    b: str = 'z'\ndef dc() -> Q:\n    return Q(3)\n"),
            tool("lst", "def lst() -> list[int]:\n    return [1, 2]\n"),
            tool("num", "def num() -> int:\n    return 7\n"),
            tool("td_broken", "from typing import TypedDict\nclass P(TypedDict):\n    x: int\n"
                              "def td_broken() -> P:\n    return {'y': 1}\n")])
s.initialize()
out = {t["name"]: t.get("outputSchema") for t in s.list_tools()}
out.pop("td_broken", None)
check(out["td"] == {"type": "object", "properties": {"x": {"type": "integer"},
                                                     "name": {"type": "string"}},
                    "required": ["name", "x"]} and
      out["dc"]["required"] == ["a"] and out["lst"]["properties"]["result"]["type"] == "array" and
      out["num"] == {"type": "object", "properties": {"result": {"type": "integer"}},
                     "required": ["result"], "x-fastmcp-wrap-result": True},
      "outputSchema derived from TypedDict, dataclass, list and int (wrapped, as FastMCP does)",
      out)
r = s.call("td_broken")
check(r.get("isError") and "broke its outputSchema: missing required field 'x'" in text_of(r),
      "a result that breaks its outputSchema becomes an error naming the field", r)
check(s.call("dc").get("structuredContent") == {"a": 3, "b": "z"} and
      s.call("lst").get("structuredContent") == {"result": [1, 2]} and
      s.call("num").get("structuredContent") == {"result": 7}, "structuredContent matches the schema",
      out)
check(s.close() == 0, "exits 0")

# Declared schemas: kept as written, enforced by the supervisor; a keyword
# that cannot be checked keeps the tool out, naming it.
DECLARED = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "$defs": {"pos": {"type": "integer", "minimum": 1}},
            "properties": {"n": {"$ref": "#/$defs/pos"},
                           "tag": {"type": "string", "pattern": "^[a-z]+$"}},
            "required": ["n"], "additionalProperties": False}
OUT = {"type": "object", "properties": {"double": {"type": "integer"}}, "required": ["double"]}
s = Server([tool("declared", "def declared(**kw) -> dict:\n    return {'double': 2 * kw['n']}\n",
                 inputSchema=DECLARED, outputSchema=OUT),
            tool("bare", "import mcp_hotd\ndef bare(**kw):\n    return mcp_hotd.Result('no structure')\n",
                 outputSchema=OUT),
            tool("raises", "def raises(**kw) -> dict:\n    raise ValueError('nope')\n", outputSchema=OUT),
            tool("uncheckable", "def uncheckable(**kw) -> int:\n    return 1\n",
                 inputSchema={"type": "object", "propertyNames": {"pattern": "^a"}}),
            tool("not_object", "def not_object(x) -> int:\n    return 1\n",
                 inputSchema={"type": "string"})])
s.initialize()
listed = {t["name"]: t for t in s.list_tools()}
check(list(listed) == ["declared", "bare", "raises"] and listed["declared"]["inputSchema"] == DECLARED and
      listed["declared"]["outputSchema"] == OUT, "a declared schema is listed as written", listed)
r = s.call("declared", {"n": 21})
check(r.get("structuredContent") == {"double": 42}, "and a call that fits it runs", r)
for args, want in [({"n": 0}, "argument 'n': must be at least 1"),
                   ({"n": 2, "tag": "X"}, "must match the pattern"),
                   ({"n": 2, "z": 1}, "unknown argument 'z'"), ({}, "missing required argument 'n'")]:
    r = s.call("declared", args)
    check(r.get("isError") and want in text_of(r), f"declared schema enforced: {want}", r)
r = s.call("bare")
check(r.get("isError") and "tool 'bare' broke its outputSchema: its result has no structuredContent"
      in text_of(r), "a result without structuredContent breaks a declared outputSchema", r)
r = s.call("raises")
check(r.get("isError") and "nope" in text_of(r) and "outputSchema" not in text_of(r),
      "an error result is relayed as it is, not checked against the outputSchema", r)
err = s.stderr()
check("keyword 'propertyNames' cannot be checked" in err and
      "'inputSchema' must be an object schema" in err,
      "a schema that cannot be checked keeps its tool out, saying why", err[-600:])
check(s.close() == 0, "exits 0")
finish()
