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
    if isinstance(t, type):
        s = _STRINGS.get(f"{t.__module__}.{t.__qualname__}")
        if s is not None:
            return dict(s)
        s = _class_schema(t, warn, where)
        if s is not None:
            return s
    if warn:
        warn(f"{where}: no JSON Schema for type {t!r}; any value is accepted")
    return {}


# Classes a client sends as strings, by name so that datetime and uuid need
# not be imported to be recognised. A format only where the supervisor's
# check agrees with Python: a naive datetime's isoformat() is no RFC 3339
# date-time, so pydantic's "date-time" (and "time") would refuse it.
_STRINGS = {
    "datetime.datetime": {"type": "string"},
    "datetime.date": {"type": "string", "format": "date"},
    "datetime.time": {"type": "string"},
    "datetime.timedelta": {"type": "string"},
    "uuid.UUID": {"type": "string", "format": "uuid"},
    "decimal.Decimal": {"anyOf": [{"type": "number"}, {"type": "string"}]},
    "pathlib.Path": {"type": "string"},
    "pathlib.PosixPath": {"type": "string"},
}


def _pydantic_model(t):
    """t is a pydantic model class (v1 or v2), by its methods."""
    return isinstance(t, type) and (hasattr(t, "model_json_schema") or
                                    (hasattr(t, "__fields__") and hasattr(t, "parse_obj")))


def to_jsonable(v):
    """v as JSON values, as FastMCP renders a result (pydantic_core's
    to_jsonable_python, falling back to str): models and dataclasses as
    objects, datetimes ISO 8601, sets and tuples as arrays."""
    import dataclasses
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, dict):
        return {str(k) if not isinstance(k, str) else k: to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [to_jsonable(x) for x in v]
    if isinstance(v, enum.Enum):
        return to_jsonable(v.value)
    if hasattr(v, "model_dump") and not isinstance(v, type):
        return to_jsonable(v.model_dump(mode="json", by_alias=True, exclude_none=True))
    if _pydantic_model(type(v)) and hasattr(v, "json"):
        import json
        return json.loads(v.json(by_alias=True, exclude_none=True))
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {f.name: to_jsonable(getattr(v, f.name)) for f in dataclasses.fields(v)}
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", "replace")
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if _own_class(type(v)):
        return {k: to_jsonable(getattr(v, k, None)) for k in typing.get_type_hints(type(v))}
    return str(v)


def _own_class(t):
    """A plain class the tool's code defines with annotated fields (the
    SDK structures its results by them)."""
    import dataclasses
    return (isinstance(t, type) and t.__module__ == MODULE and
            bool(t.__dict__.get("__annotations__")) and not issubclass(t, enum.Enum) and
            not dataclasses.is_dataclass(t) and not typing.is_typeddict(t) and
            not _pydantic_model(t))


def from_jsonable(t, v):
    """A client's JSON value v as type t, where t says more than JSON does
    (a dataclass, a pydantic model, an Enum, a datetime, a UUID); else v."""
    import dataclasses
    if v is None or t is None or t is EMPTY:
        return v
    origin = typing.get_origin(t)
    if origin is typing.Annotated:
        return from_jsonable(typing.get_args(t)[0], v)
    if origin in (typing.Union, UnionType):
        for a in typing.get_args(t):
            if a is not type(None):
                try:
                    return from_jsonable(a, v)
                except Exception:
                    continue
        return v
    if origin in (list, tuple, set, frozenset) and isinstance(v, list):
        args = typing.get_args(t)
        items = [from_jsonable(args[0] if args else None, x) for x in v]
        return origin(items) if origin is not list else items
    if not isinstance(t, type):
        return v
    if _pydantic_model(t):
        return t.model_validate(v) if hasattr(t, "model_validate") else t.parse_obj(v)
    if dataclasses.is_dataclass(t) and isinstance(v, dict):
        hints = typing.get_type_hints(t)
        return t(**{k: from_jsonable(hints.get(k), x) for k, x in v.items()})
    if issubclass(t, enum.Enum):
        return t(v)
    name = f"{t.__module__}.{t.__qualname__}"
    if name in ("datetime.datetime", "datetime.date", "datetime.time") and isinstance(v, str):
        return t.fromisoformat(v.replace("Z", "+00:00") if name == "datetime.datetime" else v)
    if name in ("uuid.UUID", "decimal.Decimal", "pathlib.Path", "pathlib.PosixPath"):
        return t(str(v))
    return v


# What from_jsonable changes: a parameter of any other type is passed as
# the client sent it (the schema checked it), at no cost.
def _needs_conversion(t):
    import dataclasses
    if t is EMPTY or t is None or (type(t) is type and t in _SIMPLE):
        return False
    if isinstance(t, type):
        return (_pydantic_model(t) or dataclasses.is_dataclass(t) or issubclass(t, enum.Enum)
                or f"{t.__module__}.{t.__qualname__}" in _STRINGS)
    return any(_needs_conversion(a) for a in typing.get_args(t))


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
    params = parameters_of(func)
    docs = doc_params(doc)
    props, required, extra, convert = {}, [], False, False
    ctx = context_parameter(func)
    for name, kind, default in params:
        where = f"argument '{name}'"
        if name == ctx:
            continue        # injected at call time, not the client's
        if not convert and (
                type(default).__name__ == "FieldInfo" or
                (name in hints and not (type(hints[name]) is type and hints[name] in _SIMPLE))):
            convert = True  # _converting looks closer; the plain case never does
        default, factory, field_doc = _field(default)
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
        desc = field_doc or (_annotated_description(hints[name]) if name in hints
                             else None) or docs.get(name)
        if desc:
            s["description"] = desc
        if default is EMPTY and factory is None:
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
    if convert:
        func._mcp_hotd_convert = True
    return schema


# What the supervisor believes of a derived schema (schema.c's
# schema_derived_keys). A pydantic model's $refs are inlined (a model that
# holds itself, past DERIVED_REF_DEPTH, accepts any value there), oneOf
# becomes anyOf, a lone allOf its member; its other keywords (pattern,
# uniqueItems, examples...) are dropped, never sent.
DERIVED_KEYS = {"type", "properties", "required", "additionalProperties", "items",
                "minItems", "maxItems", "enum", "anyOf", "description", "default",
                "title", "format", "const", "minimum", "maximum", "exclusiveMinimum",
                "exclusiveMaximum", "minLength", "maxLength", "x-fastmcp-wrap-result"}
DERIVED_REF_DEPTH = 4


def _conforms(schema):
    """schema holds only DERIVED_KEYS already (the common case: checked
    without building anything, since each object a worker makes at load
    may cost it a page of the spawner's)."""
    if not isinstance(schema, dict):
        return True
    for k, v in schema.items():
        if k not in DERIVED_KEYS:
            return False
        if k == "properties" and isinstance(v, dict):
            if not all(_conforms(x) for x in v.values()):
                return False
        elif k == "anyOf" and isinstance(v, list):
            if not all(_conforms(x) for x in v):
                return False
        elif k in ("items", "additionalProperties") and not _conforms(v):
            return False
    return True


def derived(schema, defs=None, depth=0):
    """schema with only DERIVED_KEYS, all the way down, $refs inlined."""
    if not isinstance(schema, dict) or (depth == 0 and defs is None and _conforms(schema)):
        return schema
    local = dict(schema.get("definitions") or {}, **(schema.get("$defs") or {}))
    defs = dict(defs or {}, **local) if local else (defs or {})
    if "$ref" in schema:
        target = defs.get(str(schema["$ref"]).rsplit("/", 1)[-1])
        if target is None or depth >= DERIVED_REF_DEPTH:
            return {}
        merged = dict(target, **{k: v for k, v in schema.items() if k != "$ref"})
        return derived(merged, defs, depth + 1)
    if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
        schema = dict(schema["allOf"][0], **{k: v for k, v in schema.items() if k != "allOf"})
        return derived(schema, defs, depth)
    out = {}
    for k, v in schema.items():
        if k == "oneOf":
            k = "anyOf"
        if k not in DERIVED_KEYS:
            continue
        if k == "properties" and isinstance(v, dict):
            v = {name: derived(s, defs, depth) for name, s in v.items()}
        elif k == "anyOf" and isinstance(v, list):
            v = [derived(s, defs, depth) for s in v]
        elif k in ("items", "additionalProperties"):
            v = derived(v, defs, depth)
        out[k] = v
    return out


def _global_names(code):
    """The global names code (and the functions nested in it) reads."""
    names = set(code.co_names)
    for c in code.co_consts:
        if type(c) is type(code):
            names |= _global_names(c)
    return names


def pick_function(name, namespace, filename, warn):
    """The function the code defines; with several, the one named like the
    tool, else the one the others do not call (its helpers do not count),
    else the first of those (with a warning)."""
    funcs = [o for k, o in namespace.items()
             if type(o) is FunctionType and o.__name__ == k
             and o.__code__.co_filename == filename]
    if not funcs:
        raise LoadError("the code defines no function")
    for f in funcs:
        if f.__name__ == name:
            return f
    if len(funcs) == 1:
        return funcs[0]
    used = set()
    for f in funcs:
        used |= _global_names(f.__code__) - {f.__name__}
    top = [f for f in funcs if f.__name__ not in used] or funcs
    if len(top) > 1:
        warn(f"the code defines {len(funcs)} functions and none is named "
             f"'{name}'; using the first the others do not call, {top[0].__name__}()")
    return top[0]


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


LEVELS = ("debug", "info", "notice", "warning", "error", "critical",
          "alert", "emergency")
UNSET = object()


class Context:
    """What a running call may say to its client, injected into a tool
    parameter annotated Context (never part of its schema), or had from
    mcp_hotd.context(). Progress reaches the client when its request asked
    (a progressToken); log messages per the client's level. The server
    bounds how many a call may send; outside a call these do nothing."""

    _levels = LEVELS

    # Every method may be awaited (FastMCP's and the SDK's are coroutines)
    # or called as it is: what it returns is both (Done, Answer).
    def report_progress(self, progress, total=None, message=None):
        import json
        m = {"progress": float(progress)}
        if total is not None:
            m["total"] = float(total)
        if message is not None:
            m["message"] = str(message)
        return Done(_notify(0, json.dumps(m, allow_nan=False)))

    def log(self, level, message, *, logger_name=None, extra=None):
        """A log message to the client (notifications/message); extra
        makes its data {"message": ..., **extra}, as the SDK's does."""
        data = str(message) if not extra else dict(extra, message=str(message))
        return self._log(level, data, logger_name)

    def _log(self, level, data, logger_name=None):
        import json
        if level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}")
        m = {"level": level, "data": data}
        if logger_name:
            m["logger"] = str(logger_name)[:128]
        return Done(_notify(1, json.dumps(m, default=str, allow_nan=False)))

    def debug(self, message, logger_name=None, extra=None):
        return self.log("debug", message, logger_name=logger_name, extra=extra)

    def info(self, message, logger_name=None, extra=None):
        return self.log("info", message, logger_name=logger_name, extra=extra)

    def warning(self, message, logger_name=None, extra=None):
        return self.log("warning", message, logger_name=logger_name, extra=extra)

    def error(self, message, logger_name=None, extra=None):
        return self.log("error", message, logger_name=logger_name, extra=extra)

    # What the call is, and who asked.
    @property
    def request_id(self):
        """The JSON-RPC id of the tools/call this code runs for."""
        return (_CALL["meta"] or {}).get("request_id")

    @property
    def session_id(self):
        """The client's session, as this server run names it: the same
        for each call of one session (a 2026-07-28 request is its own)."""
        return (_CALL["meta"] or {}).get("session")

    @property
    def client_id(self):
        """The client's id, when its request named one (_meta.client_id)."""
        return None

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
        payload = json.dumps({"requests": missing}, allow_nan=False)
        if _ASYNC:      # awaited: the loop serves the other calls meanwhile
            return Pending(self._asked(_ASYNC.ask(payload), out))
        if "ask" not in globals():
            raise RuntimeError("no call is running: only a call's code can ask its client")
        return self._asked(json.loads(ask(payload)), out)

    def _asked(self, reply, out):
        """out with the ASK's reply in (a coroutine when reply is one)."""
        if hasattr(reply, "__await__"):
            async def later():
                return self._asked(await reply, out)
            return later()
        if reply.get("stop"):
            _CALL["stopped"] = True
            raise InputRequired("this call is answered input_required; "
                                "the client calls again with the answers")
        if "error" in reply:
            raise _ASK_ERRORS.get(reply.get("kind"), ClientError)(reply["error"])
        for key, value in reply["answers"].items():
            out[key] = _answer(value)
        return out

    def _ask_one(self, kind, key, request, wrap=None):
        if key is None:
            n = _CALL["counts"][kind] = _CALL["counts"].get(kind, 0) + 1
            key = f"{kind}_{n}"
        return then(self.ask({key: request}), lambda out: (wrap or _same)(out[key]))

    def elicit(self, message, schema=None, key=None, *, response_type=UNSET):
        """Ask the user (elicitation/create). schema (the second argument) is
        a JSON Schema of a flat object as a dict, or a TypedDict, dataclass
        or pydantic model; response_type= is FastMCP's (str, int, float,
        bool, a Literal or Enum, a list of choices, list[...], None for no
        data, or a class). Returns the answer: answer.action ("accept",
        "decline", "cancel"), answer.content (what the client sent) and
        answer.data (None unless accepted: a scalar unwrapped from its
        {"value": ...}, an instance of the class asked for, else the
        content)."""
        if response_type is UNSET and schema is not None and \
                not isinstance(schema, dict):
            response_type, schema = schema, None
        spec = _elicit_spec(schema, response_type)
        return self._ask_one("elicit", key, elicitation(message, spec.schema),
                             lambda a: Elicited(a, spec))

    def sample(self, messages, max_tokens=None, key=None, *, system_prompt=None,
               temperature=None, model_preferences=None, stop_sequences=None,
               include_context=None, **params):
        """Ask the client's model (sampling/createMessage): messages is a
        str, or a list of str, message dicts or SamplingMessage objects;
        system_prompt, temperature, max_tokens (default 512),
        model_preferences (a model name or a list of them) and the rest as
        FastMCP names them, or as the spec does (systemPrompt=...).
        Returns the answer: answer.text, answer.content ({"type": "text",
        "text"}), answer.model, answer.role."""
        for name, value in (("systemPrompt", system_prompt), ("temperature", temperature),
                            ("stopSequences", stop_sequences),
                            ("includeContext", include_context),
                            ("modelPreferences", _model_preferences(model_preferences))):
            if value is not None:
                params.setdefault(name, value)
        req = sampling(messages, 512 if max_tokens is None else max_tokens, **params)
        return self._ask_one("sample", key, req, Sampled)

    def list_roots(self, key=None):
        """The client's roots (roots/list): a list of {"uri", "name"}, each
        also with attributes (root.uri)."""
        return self._ask_one("roots", key, roots(),
                             lambda a: _Roots(a.get("roots") or []))


def _notify(kind, payload):
    if _ASYNC:
        return _ASYNC.notify(kind, payload)
    return notify(kind, payload) if "notify" in globals() else False


def _same(x):
    return x


class Pending:
    """An answer an async worker's call awaits (the others run meanwhile)."""
    __slots__ = ("coro",)

    def __init__(self, coro):
        self.coro = coro

    def __await__(self):
        return self.coro.__await__()


def then(x, f):
    """f(x), or, when x is Pending, a Pending of f of what it gives."""
    if isinstance(x, Pending):
        async def later():
            return f(await x)
        return Pending(later())
    return f(x)


# What one ask may hold (the supervisor's ASK_MAX; a longer key is refused).
ASK_MAX = 16

class _CallState:
    """The running call, as CALL_META told (tools that use a Context): the
    one call's, or, in an async worker, the running task's (a context
    variable each task has its own of)."""

    def __init__(self):
        import contextvars
        self.one = {"meta": None, "counts": {}, "stopped": False, "id": 0}
        self.var = contextvars.ContextVar("mcp_hotd_call", default=None)

    def _d(self):
        return self.var.get() or self.one

    def __getitem__(self, key):
        return self._d()[key]

    def __setitem__(self, key, value):
        self._d()[key] = value

    def update(self, **kw):
        self._d().update(kw)


_CALL = _CallState()
_ASYNC = None       # an async worker's server (serve_async), once it serves


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
                if isinstance(m, str) else to_jsonable(m) for m in messages]
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


class Done:
    """What a Context method with nothing to give returns: `await`ed it is
    None (as FastMCP's coroutines are); as it is, true when it was sent."""
    __slots__ = ("sent",)

    def __init__(self, sent):
        self.sent = bool(sent)

    def __await__(self):
        return None
        yield   # noqa: a generator

    def __bool__(self):
        return self.sent

    def __repr__(self):
        return f"Done({self.sent})"


class Ready:
    """A value a Context method gives that FastMCP's gives as a coroutine:
    `await`ed it is the value."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __await__(self):
        return self.value
        yield   # noqa: a generator


class Answer(_Awaitable, dict):
    """The client's answer: a dict, its keys also attributes (and so are
    those of the dicts it holds: answer.content.text)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class _Roots(_Awaitable, list):
    """The client's roots, each a dict whose keys are attributes too."""


def _answer(value):
    if isinstance(value, dict):
        return Answer({k: _answer(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_answer(v) for v in value]
    return value


class Sampled(Answer):
    """A sampling answer; .text is its text (FastMCP's SamplingResult)."""

    @property
    def text(self):
        c = self.get("content")
        return c.get("text") if isinstance(c, dict) else None

    result = text

    @property
    def history(self):
        return []


class Elicited(Answer):
    """An elicitation answer: .action, .content as the client sent them,
    .data as the tool asked for it (None unless accepted)."""

    def __init__(self, answer, spec):
        super().__init__(answer)
        self._spec = spec

    @property
    def data(self):
        if self.get("action") != "accept":
            return None
        return self._spec.convert(self.get("content") or {})


class _ElicitSpec:
    """The requested schema for elicit's schema= or response_type=, and
    how an accepted content becomes .data."""

    def __init__(self, schema, convert):
        self.schema, self.convert = schema, convert


_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _value_schema(t):
    """The {"value": ...} property for a scalar response_type, or None."""
    if t in _SCALARS:
        return {"type": _SCALARS[t]}
    if typing.get_origin(t) is typing.Literal:
        return type_schema(t, None, "response_type")
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return {"enum": [m.value for m in t]}
    if typing.get_origin(t) is list:
        args = typing.get_args(t)
        return {"type": "array", "items": _value_schema(args[0]) if args else {}}
    return None


def _elicit_spec(schema, response_type):
    """elicit's schema (a dict, as before) or response_type (FastMCP's)."""
    if response_type is UNSET:
        return _ElicitSpec(schema, lambda c: c)
    if response_type is None:
        return _ElicitSpec({"type": "object", "properties": {}}, lambda c: {})
    if isinstance(response_type, dict):         # {"low": {"title": ...}}
        one = {"type": "string", "oneOf": [{"const": k, "title": (v or {}).get("title", k)}
                                           for k, v in response_type.items()]}
        return _wrapped_spec(one, None)
    if isinstance(response_type, list):
        if len(response_type) == 1 and isinstance(response_type[0], list):
            return _wrapped_spec({"type": "array", "items": {"enum": response_type[0]}}, None)
        if len(response_type) == 1 and isinstance(response_type[0], dict):
            items = {"anyOf": [{"const": k, "title": (v or {}).get("title", k)}
                               for k, v in response_type[0].items()]}
            return _wrapped_spec({"type": "array", "items": items}, None)
        if response_type and all(isinstance(v, str) for v in response_type):
            return _wrapped_spec({"type": "string", "enum": list(response_type)}, None)
        raise TypeError("a list response_type is choices: ['a', 'b'], [['a', 'b']] "
                        "(several) or [{'a': {'title': ...}}]")
    value = _value_schema(response_type)
    if value is not None:
        return _wrapped_spec(value, response_type)
    obj = _class_schema(response_type, None, "the elicitation schema")
    if obj is None:
        raise TypeError(f"no elicitation schema for {response_type!r}: a scalar type, "
                        "a Literal or Enum, a list of choices, a TypedDict, a "
                        "dataclass or a pydantic model")
    return _ElicitSpec(obj, lambda c: from_jsonable(response_type, c))


def _wrapped_spec(value, t):
    """A single answer, as {"value": ...} on the wire; .data unwraps it."""
    schema = {"type": "object", "properties": {"value": value}, "required": ["value"]}

    def convert(content):
        v = content.get("value") if isinstance(content, dict) else None
        return from_jsonable(t, v) if t is not None else v
    return _ElicitSpec(schema, convert)


def _model_preferences(p):
    """FastMCP's model_preferences: a name or names become hints."""
    if p is None or isinstance(p, dict):
        return p
    if isinstance(p, str):
        p = [p]
    if isinstance(p, (list, tuple)):
        return {"hints": [{"name": str(n)} for n in p]}
    return to_jsonable(p)


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
    return context_of(func)[0]


def context_of(func):
    """(name, the Context object to pass) of func's parameter annotated
    Context: mcp_hotd's, FastMCP's or the SDK's (Context[...], Optional,
    a string annotation too; the real packages' by name); else (None, None)."""
    for name, hint in (getattr(func, "__annotations__", None) or {}).items():
        if type(hint) is type and hint is not Context and hint.__name__ != "Context":
            continue        # int, str...: the common case, at no cost
        if name != "return" and (ctx := _context_for(hint, func)) is not None:
            return name, ctx
    return None, None


def _context_for(hint, func, depth=0):
    if hint is Context:
        return _CONTEXT
    if isinstance(hint, str):
        base = hint.split("[")[0].split("|")[0].strip()
        if base in ("Context", "mcp_hotd.Context") and \
                (getattr(func, "__globals__", None) or {}).get("Context") in (None, Context):
            return _CONTEXT
        hint = (getattr(func, "__globals__", None) or {}).get(base.rsplit(".", 1)[-1])
        if hint is None:
            return None
    if depth < 3 and not isinstance(hint, type):
        for a in (getattr(hint, "__args__", None) or ()):     # Optional[Context]
            if (ctx := _context_for(a, func, depth + 1)) is not None:
                return ctx
        hint = getattr(hint, "__origin__", None)                # Context[S, None]
    if not isinstance(hint, type) or hint.__name__ != "Context":
        return None
    if issubclass(hint, Context):
        return hint()
    module = hint.__module__ or ""
    if module.split(".")[0] in ("fastmcp", "mcp"):      # the real packages'
        return compat().context_like(module)
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


# Content as FastMCP and the SDK spell it (their mcp.types classes, real or
# ours), known by type name; and FastMCP's Image, Audio and File, by the
# method that makes their content.
_CONTENT_TYPES = ("TextContent", "ImageContent", "AudioContent", "EmbeddedResource",
                  "ResourceLink")
_RESULT_TYPES = ("CallToolResult", "ToolResult")
_TO_CONTENT = ("to_image_content", "to_audio_content", "to_resource_content")


def _content_like(v):
    return isinstance(v, _RICH) or type(v).__name__ in _CONTENT_TYPES or \
        any(hasattr(v, m) for m in _TO_CONTENT)


def _item(v):
    """One content item (a dict) for one returned value."""
    import json
    if not isinstance(v, _RICH):        # mcp_hotd's own are below
        if type(v).__name__ in _CONTENT_TYPES:
            return to_jsonable(v)
        for m in _TO_CONTENT:
            if hasattr(v, m) and callable(getattr(v, m)):
                return to_jsonable(getattr(v, m)())
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
    return {"type": "text", "text": _json_text(to_jsonable(v))}




def _json_text(v):
    import json
    return json.dumps(v, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _rich_item(v):
    return isinstance(v, _RICH) or _content_like(v)


def _contents(value):
    """FastMCP's content for a value: None none; a list holding content
    items each; any other list one text of its JSON."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        return [_item(value)]
    if any(_rich_item(v) for v in value):
        return [_item(v) for v in value]
    return [{"type": "text", "text": _json_text(to_jsonable(list(value)))}]


def rich(value, wrap=False, schema=False):
    """The CallToolResult (a dict) for a return value pyworker.c does not
    send itself, rendered as FastMCP does: content (above), and as
    structuredContent its JSON when the tool has an outputSchema (schema;
    {"result": ...} when it wraps) or, without one, when it is an object."""
    if isinstance(value, Result):
        items = value.content if isinstance(value.content, (list, tuple)) else [value.content]
        out = {"content": [_item(v) for v in items], "isError": bool(value.is_error)}
        if value.structured is not None:
            if not isinstance(value.structured, dict):
                raise TypeError("Result(structured=...) must be a dict")
            out["structuredContent"] = value.structured
        return out
    if type(value).__name__ == "CallToolResult":        # the SDK's, whole
        g = lambda *names: next((getattr(value, n) for n in names  # noqa: E731
                                 if getattr(value, n, None) is not None), None)
        out = {"content": [_item(v) for v in (g("content") or [])],
               "isError": bool(g("isError", "is_error"))}
        structured = g("structuredContent", "structured_content")
        if structured is not None:
            out["structuredContent"] = to_jsonable(structured)
        meta = g("_meta", "meta")
        if meta is not None:
            out["_meta"] = to_jsonable(meta)
        return out
    if type(value).__name__ == "ToolResult" and hasattr(value, "structured_content"):
        content, structured = value.content, value.structured_content
        out = {"content": _contents(structured if content is None else content),
               "isError": False}
        if structured is not None:
            structured = to_jsonable(structured)
            if not isinstance(structured, dict):
                raise TypeError("ToolResult(structured_content=...) must be a dict")
            out["structuredContent"] = structured
        if getattr(value, "meta", None) is not None:
            out["_meta"] = to_jsonable(value.meta)
        return out
    out = {"content": _contents(value), "isError": False}
    if not schema and (_rich_item(value) or (isinstance(value, (list, tuple)) and
                                              any(_rich_item(v) for v in value))):
        return out
    j = to_jsonable(value)
    if wrap:
        out["structuredContent"] = {"result": j}
    elif isinstance(j, dict):
        out["structuredContent"] = j
    return out


RESOURCE, PROMPT, COMPLETION = 1, 2, 3
_ROLES = ("user", "assistant")


def _resource_content(v):
    """One item of a resource's contents: the supervisor adds its uri and
    the entry's mimeType where the item names none."""
    if isinstance(v, str):
        return {"text": v}
    if isinstance(v, (bytes, bytearray)):
        return {"blob": _b64(v)}
    if isinstance(v, Resource):
        r = {"uri": v.uri} if v.uri else {}
        if v.mime_type:
            r["mimeType"] = v.mime_type
        if v.text is not None:
            r["text"] = v.text
        else:
            r["blob"] = _b64(v.blob or b"")
        return r
    if isinstance(v, Image):
        return {"blob": _b64(v.data), "mimeType": v.mime_type}
    return {"text": _json_text(to_jsonable(v)), "mimeType": "application/json"}


def _message(m):
    """One PromptMessage: a str is the user's text; a dict or an object
    with role and content is a message (its content a str, an item or
    content as tools return it); anything else is user content."""
    role, content = "user", m
    if isinstance(m, dict) and "role" in m:
        role, content = m["role"], m.get("content")
    elif not isinstance(m, (str, dict)) and hasattr(m, "role") and hasattr(m, "content"):
        role, content = m.role, m.content
    if role not in _ROLES:
        raise ValueError(f"a message's role must be 'user' or 'assistant', not {role!r}")
    if isinstance(content, dict) and "type" in content:
        return {"role": role, "content": content}
    if isinstance(content, (list, tuple)):
        raise TypeError("a message has one content item; return several messages")
    return {"role": role, "content": _item(content)}


def render(kind, value):
    """A resource's, prompt's or completion's value as that kind's result
    (pyworker.c sends it; the supervisor checks its shape and fills in the
    resource's uri and mimeType)."""
    if kind == RESOURCE:
        items = value if isinstance(value, (list, tuple)) else [value]
        return {"contents": [_resource_content(v) for v in items]}
    if kind == PROMPT:
        if isinstance(value, dict) and "messages" in value:
            out = {"messages": [_message(m) for m in value["messages"]]}
            if isinstance(value.get("description"), str):
                out["description"] = value["description"]
            return out
        items = value if isinstance(value, (list, tuple)) else [value]
        return {"messages": [_message(m) for m in items]}
    if kind == COMPLETION:
        if isinstance(value, dict):
            value = value.get("values", [])
        values = [v if isinstance(v, str) else str(v) for v in (value or [])]
        return {"completion": {"values": values[:100], "total": len(values),
                               "hasMore": len(values) > 100}}
    raise ValueError(f"unknown kind {kind}")


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


# FastMCP's and the SDK's names (workers/compat.py, embedded by pyworker.c
# as COMPAT_SOURCE), built on the first import of one of them.
COMPAT_SOURCE = None
_COMPAT = []


def compat():
    """The compat module, built once."""
    if not _COMPAT:
        source = COMPAT_SOURCE
        if source is None:      # toolhost run from the source tree (tests)
            import os
            with open(os.path.join(os.path.dirname(__file__), "compat.py")) as f:
                source = f.read()
        m = ModuleType("mcp_hotd_compat")
        m.host = sys.modules[__name__]
        exec(compile(source, "<mcp_hotd_compat>", "exec"), m.__dict__)
        _COMPAT.append(m)
    return _COMPAT[0]


class _CompatFinder:
    """Last on sys.meta_path: fastmcp, mcp.server.fastmcp, mcp.types...
    when no real package answers first."""
    _names = ("fastmcp", "mcp")

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.split(".")[0] not in cls._names or name not in compat().MODULES:
            return None
        import importlib.machinery
        return importlib.machinery.ModuleSpec(name, cls, is_package=True)

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        compat().fill(module)


sys.meta_path.append(_CompatFinder)


def _class_schema(t, warn, where):
    """The object schema of a TypedDict, a dataclass or a pydantic model,
    else None."""
    import dataclasses
    warn = warn or (lambda w: None)
    if _pydantic_model(t):
        return t.model_json_schema() if hasattr(t, "model_json_schema") else t.schema()
    if isinstance(t, type) and typing.is_typeddict(t):
        hints = typing.get_type_hints(t)
        return {"type": "object",
                "properties": {k: type_schema(v, warn, where) for k, v in hints.items()},
                "required": sorted(t.__required_keys__)}
    if _own_class(t):       # a class of the tool's code, its fields annotated
        hints = typing.get_type_hints(t)
        return {"type": "object",
                "properties": {k: type_schema(v, warn, where) for k, v in hints.items()},
                "required": [k for k in hints if not hasattr(t, k)]}
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


def _mentions_content(t, depth=0):
    """t is, or holds, a content type (an image...): no structured content."""
    if isinstance(t, type) and (t.__name__ in _CONTENT_TYPES or t in _RICH or
                                t.__name__ in ("Image", "Audio", "File") + _RESULT_TYPES):
        return True
    return depth < 4 and any(_mentions_content(a, depth + 1)
                             for a in (getattr(t, "__args__", None) or ()))


def output_schema(func, warn):
    """outputSchema from the return annotation, as FastMCP derives it: a
    TypedDict, dataclass, pydantic model or dict describes
    structuredContent itself; any other type (int, str, list[...],
    Optional[...]) is wrapped as {"result": ...}. None without an
    annotation, for -> None and for content types (Image...)."""
    ret = (getattr(func, "__annotations__", None) or {}).get("return", EMPTY)
    if isinstance(ret, str):
        ret = type_hints(func, warn).get("return", EMPTY)
        if isinstance(ret, str):
            return None
    if ret is EMPTY:
        return None
    if type(ret) is type and ret in _WRAPPED:       # int, str...: shared, built once
        return _WRAPPED[ret]
    if typing.get_origin(ret) is typing.Annotated:      # [CallToolResult, Model]
        args = typing.get_args(ret)
        if getattr(args[0], "__name__", "") == "CallToolResult" and len(args) > 1:
            return _class_schema(args[1], warn, "the return value")
    if ret in (EMPTY, None, type(None), typing.Any, object) or _mentions_content(ret):
        return None
    where = "the return value"
    schema = _class_schema(ret, warn, where)
    origin = getattr(ret, "__origin__", ret)
    if schema is None and (origin in _OBJECTS or ret in _OBJECTS):
        schema = type_schema(ret, warn, where)
    if schema is None:
        schema = {"type": "object", "properties": {"result": type_schema(ret, warn, where)},
                  "required": ["result"], "x-fastmcp-wrap-result": True}
    return schema


# The outputSchema of a scalar return, made once, in the spawner.
_WRAPPED = {t: {"type": "object", "properties": {"result": {"type": _SIMPLE[t]}},
                "required": ["result"], "x-fastmcp-wrap-result": True}
            for t in (int, float, str, bool)}
# ... known to conform: derived() would walk them, touching (so copying)
# the spawner's pages their items live in.
_WRAPPED_SCHEMAS = tuple(_WRAPPED.values())


def _field(default):
    """A pydantic Field(...) default: (its default or EMPTY when required,
    its factory or None, its description or None); else (default, None, None)."""
    if type(default).__name__ != "FieldInfo":
        return default, None, None
    d = getattr(default, "default", EMPTY)
    factory = getattr(default, "default_factory", None)
    if d is Ellipsis or type(d).__name__ == "PydanticUndefinedType":
        d = EMPTY
    if factory is not None:
        d = EMPTY
    return d, factory, getattr(default, "description", None)


def _annotated_description(hint):
    """Annotated[T, Field(description=...)]'s description, or None."""
    if type(hint) is type or typing.get_origin(hint) is not typing.Annotated:
        return None
    for meta in typing.get_args(hint)[1:]:
        if type(meta).__name__ == "FieldInfo" and getattr(meta, "description", None):
            return meta.description
    return None


def _converting(func, ctx, warn, hints, params):
    """func, or a function that first turns arguments into what its hints
    ask for (from_jsonable) and fills in Field(...) defaults; the plain
    case pays nothing."""
    import functools
    if all(type(h) is type and h in _SIMPLE for h in hints.values()) and \
            not any(type(d).__name__ == "FieldInfo" for _, _, d in params):
        return func     # plain parameters: nothing to convert
    conv, fill = {}, {}
    for name, kind, default in params:
        if name == ctx:
            continue
        if name in hints and _needs_conversion(hints[name]):
            conv[name] = hints[name]
        if type(default).__name__ == "FieldInfo":
            value, factory, _ = _field(default)
            fill[name] = (value, factory)
    if not conv and not fill:
        return func

    @functools.wraps(func)
    def call(**kwargs):
        for name, t in conv.items():
            if name in kwargs:
                kwargs[name] = from_jsonable(t, kwargs[name])
        for name, (value, factory) in fill.items():
            if name not in kwargs and (factory is not None or value is not EMPTY):
                kwargs[name] = factory() if factory is not None else value
        return func(**kwargs)
    return call


def load(name, code, parameters, env=None, tmp=False, run=False, async_concurrency=1):
    """Returns (function, inputSchema, warnings, docstring summary, the
    name of its Context parameter or None, outputSchema or None, whether
    it may use its Context, the client capabilities it asks for, the
    Context object to pass, whether a scalar result is wrapped as
    {"result": ...}, the calls it may run at once)."""
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
    ctx, ctx_object = context_of(func)
    uses = ctx is not None or any(m in code for m in _CONTEXT_MODULES)
    out = output_schema(func, warnings.append)
    shared = type(out) is dict and any(out is w for w in _WRAPPED_SCHEMAS)
    wrap = shared or (isinstance(out, dict) and out.get("x-fastmcp-wrap-result") is True)
    slots = 1
    if async_concurrency > 1:
        if inspect.iscoroutinefunction(func):
            slots = async_concurrency
        else:
            warnings.append(f"async_concurrency {async_concurrency}: {func.__name__}() "
                            "is no async def; it serves one call at a time")
    call = func
    if func.__dict__.get("_mcp_hotd_convert"):
        call = _converting(func, ctx, warnings.append, type_hints(func, warnings.append),
                           parameters_of(func))
    return (call, derived(schema), warnings,
            summary(doc), ctx, out if shared else derived(out), uses,
            asks_of(code) if uses else [],
            ctx_object, wrap, slots)


# Code naming one of these may reach its call's Context (get_context()...).
_CONTEXT_MODULES = ("mcp_hotd", "fastmcp", "mcp.server")


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


class AsyncServer:
    """An async worker's calls, each a task on one asyncio loop (its tool
    an async def with async_concurrency > 1): CALL starts one, CANCEL
    cancels it, ANSWER resumes its ask; each RESULT goes out as its task
    ends. The channel is read when readable, written a frame at once."""

    def __init__(self, func, ctx_name, ctx, slots, types):
        self.func, self.ctx_name, self.ctx = func, ctx_name, ctx
        self.slots, self.T = slots, types
        self.tasks, self.meta, self.answers = {}, {}, {}

    def run(self):
        import asyncio
        global _ASYNC
        _ASYNC = self
        asyncio.run(self.serve())

    async def serve(self):
        import asyncio
        self.loop = asyncio.get_running_loop()
        self.done = self.loop.create_future()
        self.loop.add_reader(3, self.readable)
        self.readable()
        await self.done
        self.loop.remove_reader(3)
        for t in list(self.tasks.values()):
            t.cancel()

    def readable(self):
        frames = async_frames()
        if frames is None:
            if not self.done.done():
                self.done.set_result(None)
            return
        T = self.T
        for kind, id_, payload in frames:
            if kind == T["CALL"]:
                self.tasks[id_] = self.loop.create_task(self.call(id_, payload))
            elif kind == T["CALL_META"]:
                self.meta[id_] = async_parse(payload)
            elif kind == T["CANCEL"]:
                if id_ in self.tasks:
                    self.tasks[id_].cancel()
            elif kind == T["ANSWER"]:
                f = self.answers.pop(id_, None)
                if f is not None and not f.done():
                    f.set_result(payload)
            else:
                raise RuntimeError(f"unexpected message {kind} for an async worker")

    async def call(self, id_, payload):
        import asyncio
        _CALL.var.set({"meta": self.meta.pop(id_, None), "counts": {}, "stopped": False,
                       "id": id_})
        value = error = None
        try:
            kwargs = async_parse(payload)
            if not isinstance(kwargs, dict):
                raise TypeError("the arguments are not a JSON object")
            if self.ctx_name is not None:
                kwargs[self.ctx_name] = self.ctx
            value = self.func(**kwargs)
            if hasattr(value, "__await__"):
                value = await value
        except asyncio.CancelledError:
            error = "Cancelled: the call was stopped (cancelled, or timed out)"
        except BaseException as e:  # noqa: the call's error, as isError
            error = describe(e)
        finally:
            self.tasks.pop(id_, None)
            self.answers.pop(id_, None)
        async_result(id_, value, error)

    def notify(self, kind, payload):
        id_ = _CALL["id"]
        if not id_ or len(payload) > 65536:
            return False
        async_send(self.T["PROGRESS"] if kind == 0 else self.T["LOG"], id_, payload)
        return True

    async def ask(self, payload):
        import json
        id_ = _CALL["id"]
        if not id_:
            raise RuntimeError("no call is running: only a call's code can ask its client")
        f = self.loop.create_future()
        self.answers[id_] = f
        async_send(self.T["ASK"], id_, payload)
        return json.loads(await f)


def serve_async(func, ctx_name, ctx, slots, types):
    """pyworker.c, for a worker whose READY said slots > 1."""
    AsyncServer(func, ctx_name, ctx, slots, types).run()


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
    name = type(exc).__name__
    if name == "ToolError":     # FastMCP's and the SDK's: the message is the text
        return str(exc) or name
    try:
        if not isinstance(exc, (Cancelled, InputRequired)):
            traceback.print_exception(exc, file=sys.stderr)
    except Exception:   # a hostile __str__ or a broken stderr: text only
        pass
    text = str(exc)
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
