# SPDX-License-Identifier: ISC
"""Unit test of schema derivation and function picking in workers/toolhost.py."""

import os
import sys
import typing

from mcptest import TOP_SRC, check, finish

sys.path.insert(0, os.path.join(TOP_SRC, "workers"))
import toolhost  # noqa: E402


def schema(code, name="t", parameters=None):
    func, s, warnings = toolhost.load(name, code, parameters or {})[:3]
    return s, warnings


s, w = schema("def t(a: int, b: float = 1.5, *, c: str = 'x', d: bool = False): pass")
check(s["properties"] == {"a": {"type": "integer"}, "b": {"type": "number", "default": 1.5},
                          "c": {"type": "string", "default": "x"},
                          "d": {"type": "boolean", "default": False}}, "scalars", s)
check(s["required"] == ["a"] and s["additionalProperties"] is False, "required, closed", s)
s, _ = schema("from typing import Optional, Union, Dict, List, Tuple\n"
              "def t(a: list[str], b: Dict[str, int], c: Optional[List[int]] = None,"
              " d: Union[int, str] = 1, e: tuple[int, ...] = (), f: 'int | None' = None): pass")
p = s["properties"]
check(p["a"] == {"type": "array", "items": {"type": "string"}}, "list[str]", p["a"])
check(p["b"] == {"type": "object", "additionalProperties": {"type": "integer"}}, "Dict[str,int]")
check(p["c"]["anyOf"] == [{"type": "array", "items": {"type": "integer"}}, {"type": "null"}],
      "Optional[List[int]]", p["c"])
check(p["d"]["anyOf"] == [{"type": "integer"}, {"type": "string"}], "Union", p["d"])
check(p["e"]["type"] == "array" and list(p["e"]["default"]) == [], "tuple[int, ...]", p["e"])
check(p["f"]["anyOf"] == [{"type": "integer"}, {"type": "null"}], "string annotation resolved")
s, _ = schema("def t(a: list[float], b: dict[str, list[int]], c: int | None = None,"
              " d: set[int] = set()): pass")
p = s["properties"]
check(p["a"] == {"type": "array", "items": {"type": "number"}}, "list[float]", p["a"])
check(p["b"] == {"type": "object", "additionalProperties": {"type": "array",
                                                            "items": {"type": "integer"}}},
      "dict[str, list[int]]", p["b"])
check(p["c"] == {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
      "int | None", p["c"])
check(p["d"] == {"type": "array", "items": {"type": "integer"}}, "set[int]", p["d"])
s, w = schema("class X: pass\ndef t(x: X, y=object()): pass")
check(s["properties"]["x"] == {} and any("no JSON Schema" in m for m in w),
      "unknown class: any value, with a warning", w)
check("default" not in s["properties"]["y"], "unencodable default left out")
s, w = schema("def t(a, b): pass", parameters={"a": "int", "b": "weird", "c": "str"})
check(s["properties"]["a"] == {"type": "integer"} and s["properties"]["b"] == {},
      "parameters map", s)
check(any("'c'" in m for m in w) and any("weird" in m for m in w), "parameters warnings", w)
s, _ = schema('def t(a: int):\n    """Do.\n\n    :param a: the a\n    """')
check(s["properties"]["a"].get("description") == "the a", "sphinx docstring")
try:
    schema("def t(a, /): pass")
    check(False, "positional-only refused")
except toolhost.LoadError as e:
    check("positional-only" in str(e), "positional-only refused", e)
try:
    schema("import os")
    check(False, "no function refused")
except toolhost.LoadError as e:
    check("no function" in str(e), "no function refused")
func, _, w = toolhost.load("pick", "from os.path import join\ndef a(): pass\ndef pick(): pass", {})[:3]
check(func.__name__ == "pick" and not w, "tool-named function preferred silently")
func, _, w = toolhost.load("zz", "from os.path import join\ndef a(): pass\ndef b(): pass", {})[:3]
check(func.__name__ == "a" and w, "imported functions never picked; first with warning")
check(toolhost.describe(ValueError("m")) == "ValueError: m", "describe")
func, _, w = toolhost.load("entry", "def helper(x):\n    return x * 2\n"
                           "def tool(x: int) -> int:\n    return helper(x)\n", {})[:3]
check(func.__name__ == "tool" and not w, "the function the others do not call, not its helper")
func, _, w = toolhost.load("entry", "def a(x):\n    return b(x)\n"
                           "def b(x):\n    return x\n", {})[:3]
check(func.__name__ == "a" and not w, "... whatever the order", (func.__name__, w))
ToolError = type("ToolError", (Exception,), {})
check(toolhost.describe(ToolError("as is")) == "as is", "a ToolError's message is the text")
compat = toolhost.compat()
compat.STATE_SESSIONS, kept = 3, compat.STATE_SESSIONS
for i in range(5):      # ctx.set_state keeps the newest sessions' state only
    toolhost._CALL.one["meta"] = {"session": f"s{i}"}
    compat.Context().set_state("k", i)
check(list(compat._STATE) == ["s2", "s3", "s4"], "set_state: a bounded number of sessions",
      list(compat._STATE))
compat.STATE_SESSIONS, toolhost._CALL.one["meta"] = kept, None
check(toolhost.derived({"$defs": {"P": {"type": "object", "properties": {
    "x": {"type": "string", "pattern": "(a+)+", "title": "X"}}}},
    "properties": {"p": {"$ref": "#/$defs/P"}}, "type": "object"}) ==
    {"properties": {"p": {"type": "object", "properties": {"x": {"type": "string", "title": "X"}}}},
     "type": "object"}, "derived: $ref inlined, pattern and $defs dropped")
check(toolhost.derived({"oneOf": [{"const": 1}], "allOf": [{}, {}]}) == {"anyOf": [{"const": 1}]},
      "derived: oneOf as anyOf, a list allOf dropped")
import dataclasses  # noqa: E402
import datetime  # noqa: E402
import enum  # noqa: E402


@dataclasses.dataclass
class Ev:
    at: datetime.datetime
    tags: set


Color = enum.Enum("Color", {"RED": "red"})
check(toolhost.to_jsonable([Ev(datetime.datetime(2025, 1, 2, 3, 4, 5), {1}), Color.RED, (1, 2)]) ==
      [{"at": "2025-01-02T03:04:05", "tags": [1]}, "red", [1, 2]], "to_jsonable: FastMCP's rendering")
check(toolhost.from_jsonable(Ev, {"at": "2025-01-02T03:04:05", "tags": [1]}).at.year == 2025 and
      toolhost.from_jsonable(Color, "red") is Color.RED, "from_jsonable: dataclass, datetime, Enum")
# The light parameter reader agrees with inspect.signature on every shape.
import functools  # noqa: E402
import inspect  # noqa: E402

SHAPES = [
    "def f(): pass",
    "def f(a, b=1, *args, c, d=2, **kw): pass",
    "def f(a, /, b, *, c=3): pass",
    "def f(a=1, b=None, *, c): pass",
    "def f(*, a, b='x'): pass",
    "def f(*args): pass",
    "def f(**kw): pass",
    "def f(a, b, /, c=1, *d, e, f=2, **g): pass",
    "async def f(a: int, b: str = 'x') -> int: pass",
    "def f(a, b):\n    x = 1\n    y = a + b\n    return x + y",
]
for shape in SHAPES:
    ns = {}
    exec(shape, ns)
    want = [(p.name, p.kind, p.default) for p in inspect.signature(ns["f"]).parameters.values()]
    check(toolhost.parameters_of(ns["f"]) == want, f"parameters_of: {shape.splitlines()[0]}",
          toolhost.parameters_of(ns["f"]))
ns = {}
exec("def f(a, b=2): pass", ns)
wrapped = functools.wraps(ns["f"])(lambda *a, **k: None)
check(toolhost.parameters_of(wrapped) == [("a", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                            inspect.Parameter.empty),
                                           ("b", inspect.Parameter.POSITIONAL_OR_KEYWORD, 2)],
      "a functools.wraps wrapper: the wrapped function's parameters")
check([n for n, _, _ in toolhost.parameters_of(functools.partial(ns["f"], 1))] == ["b"],
      "a partial: through inspect")

# The light hint and docstring readers agree with typing and inspect.
HINTED = [
    "def f(a: int, b: str, c: float = 1.0) -> dict: pass",
    "def f(a, b: list, c: dict = None): pass",
    "def f(a: 'int', b: int): pass",
    "def f(a: None, b: int | None = None): pass",
    "from typing import Optional\ndef f(a: Optional[int], b: bool): pass",
    "def f(a: list[float], b: dict[str, list[int]], c: int | None = None): pass",
    "def f(a: tuple[int, ...], b: list['int'], c: set[int]): pass",
    "from typing import Literal\ndef f(a: Literal['x'], b: list[Literal['y']]): pass",
    "import enum\nclass E(enum.Enum):\n    A = 1\ndef f(a: E, b: int): pass",
]
for shape in HINTED:
    ns = {}
    exec(shape, ns)
    got = toolhost.type_hints(ns["f"], lambda m: None)
    check(got == typing.get_type_hints(ns["f"], include_extras=True),
          f"type_hints: {shape.splitlines()[-1]}", got)
DOCS = {
    "no docstring": "def f(): pass",
    "docstring": 'def f():\n    """First.\n\n      Indented.\n    """',
    "nested": "def g():\n    def f(): pass\n    return f\nf = g()",
    "method, doc inherited": 'class A:\n    def f(self):\n        """From A."""\n'
                             "class B(A):\n    def f(self): pass\nf = B.f",
}
for what, code in DOCS.items():
    ns = {}
    exec(code, ns)
    check(toolhost.doc_of(ns["f"]) == inspect.getdoc(ns["f"]), f"doc_of: {what}",
          toolhost.doc_of(ns["f"]))
s, w = schema("def t(a: [int]): pass")
check(s["properties"]["a"] == {} and w, "an unhashable annotation: any value, a warning", w)

finish()
