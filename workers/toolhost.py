# SPDX-License-Identifier: ISC
"""Load one tool inside its worker: run the code, pick the function, derive
its input schema. Runs before the sandbox closes; the per-call path is C
(pyworker.c, pyconv.c)."""

import ast
import collections.abc
import enum
import inspect
import linecache
import re
import sys
import traceback
import types
import typing

MODULE = "mcp_tool"

# Loading a tool runs in each worker, forked from the spawner: every shared
# object it touches (even just to count a reference) has its page copied
# into the worker. So the common case (a plain function, plain class hints)
# keeps to the names bound here and leaves inspect and typing alone.
FunctionType = types.FunctionType
GenericAlias = types.GenericAlias
ModuleType = types.ModuleType
UnionType = types.UnionType
CO_VARARGS = inspect.CO_VARARGS
CO_VARKEYWORDS = inspect.CO_VARKEYWORDS
EMPTY = inspect.Parameter.empty
POSITIONAL_ONLY = inspect.Parameter.POSITIONAL_ONLY
POSITIONAL_OR_KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD
VAR_POSITIONAL = inspect.Parameter.VAR_POSITIONAL
KEYWORD_ONLY = inspect.Parameter.KEYWORD_ONLY
VAR_KEYWORD = inspect.Parameter.VAR_KEYWORD

_SIMPLE = {
    int: "integer", float: "number", str: "string", bool: "boolean",
    type(None): "null", list: "array", tuple: "array", dict: "object",
}

# The seed's "parameters": {"a": "int"} map, by Python or JSON Schema name.
_NAMED = {
    "int": "integer", "integer": "integer", "float": "number",
    "number": "number", "str": "string", "string": "string",
    "bool": "boolean", "boolean": "boolean", "list": "array",
    "array": "array", "dict": "object", "object": "object",
    "none": "null", "null": "null",
}

_ARRAYS = (list, set, frozenset, collections.abc.Sequence,
           collections.abc.Iterable, collections.abc.Set)
_OBJECTS = (dict, collections.abc.Mapping)


class LoadError(Exception):
    pass


def type_schema(t, warn, where):
    """JSON Schema for a type hint; {} accepts anything."""
    if type(t) is type and t in _SIMPLE:
        return {"type": _SIMPLE[t]}
    if t is EMPTY or t is typing.Any or t is object:
        return {}
    if type(t) is GenericAlias or type(t) is UnionType:
        # what typing.get_origin() and get_args() give for these
        origin = UnionType if type(t) is UnionType else t.__origin__
        args = t.__args__
    else:
        origin = typing.get_origin(t)
        args = typing.get_args(t)
    if origin is typing.Annotated:
        return type_schema(args[0], warn, where)
    if origin is typing.Union or origin is UnionType:
        subs = [type_schema(a, warn, where) for a in args]
        return {} if {} in subs else {"anyOf": subs}
    if origin is typing.Literal:
        kinds = {_SIMPLE.get(type(v)) for v in args}
        s = {"enum": list(args)}
        if len(kinds) == 1 and None not in kinds:
            s["type"] = kinds.pop()
        return s
    if origin is tuple:
        s = {"type": "array"}
        if len(args) == 2 and args[1] is Ellipsis:
            s["items"] = type_schema(args[0], warn, where)
        elif args:
            s["minItems"] = s["maxItems"] = len(args)
        return s
    if origin in _ARRAYS:
        s = {"type": "array"}
        if args and (item := type_schema(args[0], warn, where)):
            s["items"] = item
        return s
    if origin in _OBJECTS:
        s = {"type": "object"}
        if len(args) == 2 and (val := type_schema(args[1], warn, where)):
            s["additionalProperties"] = val
        return s
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return {"enum": [m.value for m in t]}
    warn(f"{where}: no JSON Schema for type {t!r}; any value is accepted")
    return {}


def named_schema(name, warn, where):
    kind = _NAMED.get(str(name).strip().lower())
    if kind is None:
        warn(f"{where}: unknown type name {name!r} in 'parameters'; "
             "any value is accepted")
        return {}
    return {"type": kind}


_ARG_LINE = re.compile(r"^\s*(?::param\s+)?(\w+)\s*(?:\([^)]*\))?\s*:\s*(.+)$")


def doc_params(doc):
    """Argument descriptions from a Google- or Sphinx-style docstring."""
    out = {}
    in_args = False
    for line in (doc or "").splitlines():
        stripped = line.strip()
        if stripped.lower() in ("args:", "arguments:", "parameters:"):
            in_args = True
            continue
        if in_args and stripped.endswith(":") and " " not in stripped:
            in_args = False
        if in_args or stripped.startswith(":param"):
            m = _ARG_LINE.match(line)
            if m:
                out[m.group(1)] = m.group(2).strip()
    return out


def _jsonable(v):
    if v is None or isinstance(v, (bool, int, str)):
        return True
    if isinstance(v, float):
        return v == v and v not in (float("inf"), float("-inf"))
    if isinstance(v, (list, tuple)):
        return all(_jsonable(x) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _jsonable(x) for k, x in v.items())
    return False


def parameters_of(func):
    """(name, kind, default) of each parameter, in signature order. A plain
    function's are read off its code object: inspect.signature() gives the
    same for it but builds far more, and each page of shared interpreter
    memory it touches is copied into the worker (~200 KB a worker). Anything
    else (wrapped, with __signature__, not a function) goes to inspect."""
    if (type(func) is not FunctionType or hasattr(func, "__wrapped__")
            or hasattr(func, "__signature__")):
        return [(p.name, p.kind, p.default)
                for p in inspect.signature(func).parameters.values()]
    code = func.__code__
    names = code.co_varnames
    npos, nkw = code.co_argcount, code.co_kwonlyargcount
    defaults = func.__defaults__ or ()
    kwdefaults = func.__kwdefaults__ or {}
    first_default = npos - len(defaults)
    out = [(names[i],
            POSITIONAL_ONLY if i < code.co_posonlyargcount
            else POSITIONAL_OR_KEYWORD,
            defaults[i - first_default] if i >= first_default else EMPTY)
           for i in range(npos)]
    rest = npos + nkw
    if code.co_flags & CO_VARARGS:
        out.append((names[rest], VAR_POSITIONAL, EMPTY))
        rest += 1
    out += [(names[i], KEYWORD_ONLY, kwdefaults.get(names[i], EMPTY))
            for i in range(npos, npos + nkw)]
    if code.co_flags & CO_VARKEYWORDS:
        out.append((names[rest], VAR_KEYWORD, EMPTY))
    return out


def _plain(t):
    """A class, or list[int] or int | None made of classes: what
    typing.get_type_hints() hands back as it is (or an equal copy)."""
    if type(t) is type:
        return True
    if type(t) is GenericAlias:
        return not t.__unpacked__ and all(_plain(a) for a in t.__args__)
    return type(t) is UnionType and all(_plain(a) for a in t.__args__)


def type_hints(func, warn):
    """typing.get_type_hints(func, include_extras=True); when every
    annotation is plain (above), that is the annotations as they are."""
    annotations = getattr(func, "__annotations__", None) or {}
    if all(_plain(v) for v in annotations.values()):
        return annotations
    try:
        return typing.get_type_hints(func, include_extras=True)
    except Exception as e:      # unresolvable annotations: use them raw
        warn(f"type hints of {func.__name__}() unusable ({e}); "
             "using the raw annotations")
        return dict(annotations)


def doc_of(func):
    """inspect.getdoc(func), which for a function that is not a method and
    has no docstring is None."""
    doc = getattr(func, "__doc__", None)
    if type(doc) is str:
        return inspect.cleandoc(doc)
    if doc is None and "." not in getattr(func, "__qualname__", "."):
        return None
    return inspect.getdoc(func)


def signature_schema(func, doc, parameters, warn):
    hints = type_hints(func, warn)
    docs = doc_params(doc)
    props, required, extra = {}, [], False
    ctx = context_parameter(func)
    for name, kind, default in parameters_of(func):
        where = f"argument '{name}'"
        if name == ctx:
            continue        # injected at call time, not the client's
        if kind is VAR_KEYWORD:
            extra = True
            continue
        if kind is VAR_POSITIONAL:
            warn(f"*{name} cannot be passed over MCP and stays empty")
            continue
        if kind is POSITIONAL_ONLY:
            raise LoadError(f"{where} is positional-only; MCP passes "
                            "arguments by name")
        if name in hints:
            s = type_schema(hints[name], warn, where)
        elif name in parameters:
            s = named_schema(parameters[name], warn, where)
        else:
            s = {}
        if name in docs:
            s["description"] = docs[name]
        if default is EMPTY:
            required.append(name)
        elif _jsonable(default):
            s["default"] = default
        props[name] = s
    for name in parameters:
        if name not in props:
            warn(f"'parameters' names '{name}', which {func.__name__}() "
                 "does not take")
    schema = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    if not extra:
        schema["additionalProperties"] = False
    return schema


def pick_function(name, namespace, filename, warn):
    """The seed's rule: the function the code defines; with several, the
    one named like the tool, else the first (with a warning)."""
    funcs = [o for k, o in namespace.items()
             if type(o) is FunctionType and o.__name__ == k
             and o.__code__.co_filename == filename]
    if not funcs:
        raise LoadError("the code defines no function")
    for f in funcs:
        if f.__name__ == name:
            return f
    if len(funcs) > 1:
        warn(f"the code defines {len(funcs)} functions and none is named "
             f"'{name}'; using the first, {funcs[0].__name__}()")
    return funcs[0]


def summary(doc):
    """The docstring up to its first blank line or Args-like section: a
    description for an entry that has none."""
    lines = []
    for line in (doc or "").splitlines():
        if not line.strip() or line.strip().lower().rstrip(":") in (
                "args", "arguments", "parameters", "returns", "raises"):
            if lines:
                break
            continue
        lines.append(line.strip())
    return " ".join(lines) or None


def environment(env, tmp, run=False):
    """What the tool sees in os.environ: its env grants (values from the
    supervisor), and TMPDIR when it has a private temp dir. A run tool's
    subprocess forks: a vfork or posix_spawn child resets the SIGSYS
    handler, which the sandbox forbids."""
    import os
    import tempfile
    if run:
        import subprocess
        subprocess._USE_VFORK = False
        subprocess._USE_POSIX_SPAWN = False
    # The worker starts with TMPDIR=/tmp (pyworker.c), what nearly every
    # worker has: os.environ is touched only to differ from that, as even
    # reading it costs each worker pages it would share (100 idle workers:
    # 90 MB when every one set TMPDIR, 78 now).
    if env:
        os.environ.update(env)
    if not tmp:
        os.environ.pop("TMPDIR", None)
    if tempfile.tempdir is not None:
        tempfile.tempdir = None


# What tool code may return beyond str and JSON values: importable as
# mcp_hotd (from mcp_hotd import Image). Conversion is here, off the hot
# path: pyworker.c asks only for lists, bytes and objects of these kinds.
class Image:
    """An image result item: data (bytes) and its MIME type."""
    kind = "image"

    def __init__(self, data, mime_type="image/png"):
        self.data, self.mime_type = bytes(data), mime_type


class Audio(Image):
    """An audio result item: data (bytes) and its MIME type."""
    kind = "audio"

    def __init__(self, data, mime_type="audio/wav"):
        super().__init__(data, mime_type)


class Resource:
    """An embedded resource: uri, and text= or blob= (bytes)."""

    def __init__(self, uri, text=None, blob=None, mime_type=None):
        if (text is None) == (blob is None):
            raise ValueError("Resource takes text= or blob=, one of them")
        self.uri, self.text, self.blob, self.mime_type = uri, text, blob, mime_type


class ResourceLink:
    """A link to a resource the client may fetch: uri and name."""

    def __init__(self, uri, name, description=None, mime_type=None, size=None):
        self.uri, self.name, self.description = uri, name, description
        self.mime_type, self.size = mime_type, size


class Context:
    """What a running call may say to its client, injected into a tool
    parameter annotated Context (never part of its schema), or had from
    mcp_hotd.context(). Progress reaches the client when its request asked
    (a progressToken); log messages per the client's level. The server
    bounds how many a call may send; outside a call these do nothing."""

    _levels = ("debug", "info", "notice", "warning", "error", "critical",
               "alert", "emergency")

    def report_progress(self, progress, total=None, message=None):
        import json
        m = {"progress": float(progress)}
        if total is not None:
            m["total"] = float(total)
        if message is not None:
            m["message"] = str(message)
        return _notify(0, json.dumps(m, allow_nan=False))

    def log(self, level, message):
        import json
        if level not in self._levels:
            raise ValueError(f"level must be one of {', '.join(self._levels)}")
        return _notify(1, json.dumps({"level": level, "data": str(message)}))

    def debug(self, message):
        return self.log("debug", message)

    def info(self, message):
        return self.log("info", message)

    def warning(self, message):
        return self.log("warning", message)

    def error(self, message):
        return self.log("error", message)

    # What the call is, and who asked.
    @property
    def request_id(self):
        """The JSON-RPC id of the tools/call this code runs for."""
        return (_CALL["meta"] or {}).get("request_id")

    @property
    def client(self):
        """The calling client: name, version, capabilities (a dict)."""
        return Client((_CALL["meta"] or {}).get("client") or {})

    @property
    def cancelled(self):
        """True once the client cancelled this call (Cancelled is raised
        in the tool as well, at its next instruction)."""
        return bool(cancelled()) if "cancelled" in globals() else False

    # Asking the client back: the call waits for its answers (2025), or is
    # answered input_required and run again with them (2026-07-28).
    def ask(self, requests):
        """Send requests ({key: elicitation(...) | sampling(...) |
        roots()}) to the client at once; returns {key: its answer}."""
        import json
        have = (_CALL["meta"] or {}).get("answers") or {}
        out, missing = {}, {}
        if len(requests) > ASK_MAX:
            raise ValueError(f"ask() takes at most {ASK_MAX} requests at once")
        for key, req in requests.items():
            if not isinstance(key, str) or not isinstance(req, Request):
                raise TypeError("ask() takes {key: mcp_hotd.elicitation(...), "
                                "sampling(...) or roots()}")
            if not 0 < len(key) <= 128:
                raise ValueError("a request's key is 1 to 128 characters")
            if key in have:
                out[key] = _answer(have[key])
            else:
                missing[key] = {"method": req.method, "params": req.params}
        if not missing:
            return out
        if _CALL["stopped"]:
            raise InputRequired("this call is answered input_required")
        if "ask" not in globals():
            raise RuntimeError("no call is running: only a call's code can ask its client")
        reply = json.loads(ask(json.dumps({"requests": missing}, allow_nan=False)))
        if reply.get("stop"):
            _CALL["stopped"] = True
            raise InputRequired("this call is answered input_required; "
                                "the client calls again with the answers")
        if "error" in reply:
            raise _ASK_ERRORS.get(reply.get("kind"), ClientError)(reply["error"])
        for key, value in reply["answers"].items():
            out[key] = _answer(value)
        return out

    def _ask_one(self, kind, key, request):
        if key is None:
            n = _CALL["counts"][kind] = _CALL["counts"].get(kind, 0) + 1
            key = f"{kind}_{n}"
        return self.ask({key: request})[key]

    def elicit(self, message, schema=None, key=None):
        """Ask the user (elicitation/create): schema is a JSON Schema of a
        flat object, a TypedDict or a dataclass. Returns the answer:
        answer.action ("accept", "decline", "cancel"), answer.content."""
        return self._ask_one("elicit", key, elicitation(message, schema))

    def sample(self, messages, max_tokens=100, key=None, **params):
        """Ask the client's model (sampling/createMessage): messages is a
        str, a list of str or of message dicts; other parameters (system
        prompt, temperature...) as the spec names them (systemPrompt=...).
        Returns the answer: answer.content ({"type": "text", "text"}),
        answer.model, answer.role."""
        return self._ask_one("sample", key, sampling(messages, max_tokens, **params))

    def list_roots(self, key=None):
        """The client's roots (roots/list): a list of {"uri", "name"}."""
        return _Roots(self._ask_one("roots", key, roots()).get("roots") or [])


def _notify(kind, payload):
    return notify(kind, payload) if "notify" in globals() else False


# What one ask may hold (the supervisor's ASK_MAX; a longer key is refused).
ASK_MAX = 16

# The running call, as CALL_META told (tools that import mcp_hotd only).
_CALL = {"meta": None, "counts": {}, "stopped": False}


def begin_call(meta):
    _CALL.update(meta=meta, counts={}, stopped=False)


def end_call():
    _CALL.update(meta=None, counts={}, stopped=False)


class Client:
    """Who called: name, version and capabilities, as the client said."""

    def __init__(self, info):
        self.name, self.version = info.get("name"), info.get("version")
        self.capabilities = info.get("capabilities") or {}

    def __repr__(self):
        return f"Client(name={self.name!r}, version={self.version!r})"


class Request:
    """One request to the client, for Context.ask."""

    def __init__(self, method, params):
        self.method, self.params = method, params


def elicitation(message, schema=None):
    """An elicitation/create request (see Context.elicit)."""
    if schema is None:
        schema = {"type": "object", "properties": {}}
    elif not isinstance(schema, dict):
        schema = _class_schema(schema, None, "the elicitation schema")
        if schema is None:
            raise TypeError("an elicitation schema is a JSON Schema dict, a TypedDict "
                            "or a dataclass")
    return Request("elicitation/create", {"message": str(message), "requestedSchema": schema})


def sampling(messages, max_tokens=100, **params):
    """A sampling/createMessage request (see Context.sample)."""
    if isinstance(messages, str):
        messages = [messages]
    messages = [{"role": "user", "content": {"type": "text", "text": m}}
                if isinstance(m, str) else m for m in messages]
    return Request("sampling/createMessage",
                   dict(params, messages=messages, maxTokens=int(max_tokens)))


def roots():
    """A roots/list request (see Context.list_roots)."""
    return Request("roots/list", {})


class _Awaitable:
    """An answer that async code may also await (the call waits either way)."""

    def __await__(self):
        return self
        yield   # noqa: a generator: `await answer` gives the answer


class Answer(_Awaitable, dict):
    """The client's answer: a dict, its keys also attributes."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class _Roots(_Awaitable, list):
    pass


def _answer(value):
    return Answer(value) if isinstance(value, dict) else value


class CapabilityError(Exception):
    """The client did not declare the capability a request needs."""


class ClientError(Exception):
    """The client answered a request with an error, or is gone."""


class InputRequired(BaseException):
    """Ends a call whose answer is input_required (2026-07-28): the client
    calls again with the answers, and the tool runs again. A BaseException,
    so `except Exception` lets it by."""


_ASK_ERRORS = {"capability": CapabilityError, "timeout": TimeoutError}


_CONTEXT = Context()


def context():
    """The running call's Context (for code that cannot take a parameter)."""
    return _CONTEXT


def context_parameter(func):
    """The name of func's parameter annotated Context, or None."""
    for name, hint in (getattr(func, "__annotations__", None) or {}).items():
        if hint is Context or hint in ("Context", "mcp_hotd.Context"):
            return name
    return None


class Result:
    """The whole CallToolResult: content (an item or a list), structured
    (a dict: structuredContent), is_error."""

    def __init__(self, content=(), structured=None, is_error=False):
        self.content, self.structured, self.is_error = content, structured, is_error


_RICH = (Image, Resource, ResourceLink, Result, bytes, bytearray)
_SNIFF = [(b"\x89PNG\r\n\x1a\n", "image", "image/png"), (b"\xff\xd8\xff", "image", "image/jpeg"),
          (b"GIF87a", "image", "image/gif"), (b"GIF89a", "image", "image/gif"),
          (b"OggS", "audio", "audio/ogg"), (b"fLaC", "audio", "audio/flac"),
          (b"ID3", "audio", "audio/mpeg")]


def _sniff(data):
    """(kind, mime type) of bytes by their magic, or None."""
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE"):
        return ("image", "image/webp") if data[8:12] == b"WEBP" else ("audio", "audio/wav")
    for magic, kind, mime in _SNIFF:
        if data.startswith(magic):
            return kind, mime
    return None


def _b64(data):
    import base64
    return base64.b64encode(bytes(data)).decode("ascii")


def _item(v):
    """One content item (a dict) for one returned value."""
    import json
    if isinstance(v, str):
        return {"type": "text", "text": v}
    if isinstance(v, Image):
        return {"type": v.kind, "data": _b64(v.data), "mimeType": v.mime_type}
    if isinstance(v, (bytes, bytearray)):
        sniffed = _sniff(bytes(v[:16]))
        if sniffed is None:
            raise TypeError("bytes of no image or audio type known: return "
                            "mcp_hotd.Resource(uri, blob=..., mime_type=...)")
        return {"type": sniffed[0], "data": _b64(v), "mimeType": sniffed[1]}
    if isinstance(v, Resource):
        r = {"uri": v.uri}
        if v.mime_type:
            r["mimeType"] = v.mime_type
        if v.text is not None:
            r["text"] = v.text
        else:
            r["blob"] = _b64(v.blob)
        return {"type": "resource", "resource": r}
    if isinstance(v, ResourceLink):
        r = {"type": "resource_link", "uri": v.uri, "name": v.name}
        for key, val in (("description", v.description), ("mimeType", v.mime_type),
                         ("size", v.size)):
            if val is not None:
                r[key] = val
        return r
    return {"type": "text", "text": json.dumps(v, ensure_ascii=False, allow_nan=False)}


_WRAP = False       # the tool's outputSchema wraps its list as {"result"}


def _json_text(v):
    import json
    return json.dumps(v, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def rich(value):
    """The CallToolResult (a dict) for a rich return value, or None when it
    is plain JSON (pyworker.c sends that itself, as before)."""
    import dataclasses
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        d = dataclasses.asdict(value)
        return {"content": [{"type": "text", "text": _json_text(d)}],
                "structuredContent": d, "isError": False}
    if isinstance(value, (list, tuple)) and _WRAP and \
            not any(isinstance(v, _RICH) for v in value):
        return {"content": [{"type": "text", "text": _json_text(list(value))}],
                "structuredContent": {"result": list(value)}, "isError": False}
    if isinstance(value, Result):
        items = value.content if isinstance(value.content, (list, tuple)) else [value.content]
        out = {"content": [_item(v) for v in items], "isError": bool(value.is_error)}
        if value.structured is not None:
            if not isinstance(value.structured, dict):
                raise TypeError("Result(structured=...) must be a dict")
            out["structuredContent"] = value.structured
        return out
    if isinstance(value, (list, tuple)):
        if not any(isinstance(v, _RICH) for v in value):
            return None
        return {"content": [_item(v) for v in value], "isError": False}
    if isinstance(value, _RICH):
        return {"content": [_item(value)], "isError": False}
    return None


def _public_module():
    """mcp_hotd, the module tool code imports."""
    m = ModuleType("mcp_hotd")
    m.__doc__ = ("For mcp-hotd tools: rich results (Image, Audio, Resource, "
                 "ResourceLink, Result) and the call's Context.")
    for cls in (Image, Audio, Resource, ResourceLink, Result, Context, Client, Request,
                Answer, CapabilityError, ClientError, InputRequired):
        setattr(m, cls.__name__, cls)
        cls.__module__ = "mcp_hotd"
    for fn in (context, elicitation, sampling, roots):
        setattr(m, fn.__name__, fn)
    sys.modules["mcp_hotd"] = m


_public_module()


def _class_schema(t, warn, where):
    """The object schema of a TypedDict or a dataclass, else None."""
    import dataclasses
    warn = warn or (lambda w: None)
    if isinstance(t, type) and typing.is_typeddict(t):
        hints = typing.get_type_hints(t)
        return {"type": "object",
                "properties": {k: type_schema(v, warn, where) for k, v in hints.items()},
                "required": sorted(t.__required_keys__)}
    if isinstance(t, type) and dataclasses.is_dataclass(t):
        hints = typing.get_type_hints(t)
        fields = dataclasses.fields(t)
        return {"type": "object",
                "properties": {f.name: type_schema(hints.get(f.name, EMPTY), warn, where)
                               for f in fields},
                "required": [f.name for f in fields
                             if f.default is dataclasses.MISSING
                             and f.default_factory is dataclasses.MISSING]}
    return None


def output_schema(func, warn):
    """outputSchema from the return annotation: TypedDict, dataclass and
    dict[str, X] describe structuredContent itself; list[...] and tuples
    are wrapped as {"result": [...]}, structuredContent being an object.
    None for anything else (a str, an int: no structured content)."""
    global _WRAP
    import dataclasses
    ret = (getattr(func, "__annotations__", None) or {}).get("return", EMPTY)
    if ret is EMPTY or isinstance(ret, str):
        return None
    where = "the return value"
    schema = _class_schema(ret, warn, where)
    if schema is not None:
        return schema
    origin = getattr(ret, "__origin__", ret)
    if origin in _OBJECTS or ret in _OBJECTS:
        return type_schema(ret, warn, where)
    if origin in (list, tuple) or ret in (list, tuple):
        _WRAP = True
        return {"type": "object", "properties": {"result": type_schema(ret, warn, where)},
                "required": ["result"]}
    return None


def load(name, code, parameters, env=None, tmp=False, run=False):
    """Returns (function, inputSchema, warnings, docstring summary, the
    name of its Context parameter or None, outputSchema or None, whether
    it may use its Context, the client capabilities it asks for)."""
    environment(env, tmp, run)
    warnings = []
    filename = f"<tool:{name}>"
    # Tracebacks read source through linecache; keep it in memory so they
    # never need the disk (which the sandbox closes).
    linecache.cache[filename] = (len(code), None,
                                 code.splitlines(True), filename)
    module = ModuleType(MODULE)
    module.__file__ = filename
    sys.modules[MODULE] = module
    exec(compile(code, filename, "exec"), module.__dict__)
    func = pick_function(name, module.__dict__, filename, warnings.append)
    doc = doc_of(func)
    schema = signature_schema(func, doc, parameters or {}, warnings.append)
    ctx = context_parameter(func)
    uses = ctx is not None or "mcp_hotd" in code
    return (func, schema, warnings, summary(doc), ctx,
            output_schema(func, warnings.append), uses, asks_of(code) if uses else [])


_ASKS = {"elicit": "elicitation", "elicitation": "elicitation", "sample": "sampling",
         "sampling": "sampling", "list_roots": "roots", "roots": "roots"}


def asks_of(code):
    """The client capabilities code asks for (ctx.elicit, sample,
    list_roots, or their requests for ctx.ask), for a 2026-07-28 client
    to hear before the call runs that it lacks one. None when the code
    reads the client's capabilities itself: it decides as it runs."""
    names, asks = set(), set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Name):
            names.add(node.id)
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if name in _ASKS:
                asks.add(_ASKS[name])
    if "capabilities" in names or "CapabilityError" in names:
        return []
    return sorted(asks)


def run_coroutine(coro):
    """An async tool runs on an event loop of its own for the call
    (asyncio.run: sleep, gather, executors; a fresh loop each call, so a
    cancelled call leaves nothing pending behind)."""
    import asyncio
    return asyncio.run(coro)


def describe(exc):
    """'ValueError: message', as a call's isError text; the traceback, with
    the tool's source lines (from linecache), goes to the log (not for a
    cancelled call: the supervisor logs the cancel; nor for one answered
    input_required)."""
    try:
        if not isinstance(exc, (Cancelled, InputRequired)):
            traceback.print_exception(exc, file=sys.stderr)
    except Exception:   # a hostile __str__ or a broken stderr: text only
        pass
    text = str(exc)
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


class Cancelled(BaseException):
    """Raised in a running tool when its client cancels the call. A
    BaseException, as KeyboardInterrupt: `except Exception` lets it by."""


def _cancelled(signum, frame):
    raise Cancelled("the client cancelled this call")


def arm_cancel(signum):
    """Python's side of the supervisor's cancel signal: the worker's C
    handler (pyworker.c) passes it on only for the call it names."""
    import signal
    signal.signal(signum, _cancelled)


def guard_exit():
    """os._exit() writes the results a batch still holds, then exits: they
    are finished answers to other calls. Wrapped before any tool loads, so
    `from os import _exit` gets the wrapper too."""
    import os
    import posix
    real = posix._exit
    write_held = sys.modules[__name__].write_held

    def _exit(status):
        write_held()
        real(status)

    _exit.__doc__ = real.__doc__
    os._exit = posix._exit = _exit


WARM_UP = '''from typing import Literal, Optional


def warm(a: int, b: str = "x", c: Optional[float] = None, d: list[int] = [],
         e: dict = {}, f: Literal["x", "y"] = "x", g: bool = False) -> dict:
    """Run the loading code once.

    Args:
        a: so that the spawner's forks find it warmed up
    """
    return {"a": a}
'''

# The shapes tools most often have after it, the last one the commonest:
# an instruction specialised for one shape writes to its code object when
# another comes (a page each worker copies); seen here, they stay shared.
WARM_UPS = (WARM_UP,
            "def warm(a, b):\n    return a\n",
            "def warm(text: str) -> str:\n    \"\"\"Doc.\"\"\"\n    return text\n",
            "def warm(x: int) -> int:\n    return x\n")


# CPython 3.11 quickens a function after 8 calls and specialises its
# instructions after a few more runs; until then each run writes counters
# into the code object, a page the worker would copy.
WARM_UP_ROUNDS = 20


def warm_up():
    """In the spawner, before it forks: load a tool once, so that what
    loading builds on first use (caches, specialised bytecode) is built
    once, in pages the workers share, rather than in each of them."""
    for _ in range(WARM_UP_ROUNDS):
        for code in WARM_UPS:
            load("warm_up", code, {}, tmp=True)
    sys.modules.pop(MODULE, None)
    linecache.cache.pop("<tool:warm_up>", None)
