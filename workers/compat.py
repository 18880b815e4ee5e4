# SPDX-License-Identifier: ISC
"""FastMCP's and the official Python SDK's names, for tool code written
against them: `from fastmcp import Context`, `from mcp.server.fastmcp
import FastMCP, Image`, `mcp.types.TextContent`... When the real packages
are importable (a --venv), they are used instead: toolhost's finder comes
last on sys.meta_path, and the real classes are recognised by name.

Built once per worker, and only in one whose code imports these names
(toolhost.compat()); `host` is the toolhost module."""

import base64
import os

host = globals()["host"]        # set by toolhost before this runs


# --- FastMCP, mcp.server.fastmcp and mcp.server.mcpserver -----------------

class FastMCP:
    """Enough of a server object for tool code to decorate its function:
    @mcp.tool, @mcp.tool(), @mcp.tool(name=...) leave it as it is (the
    entry's name and description are mcp-hotd's); run() does nothing."""

    def __init__(self, name=None, instructions=None, *args, **kwargs):
        self.name, self.instructions = name or "mcp-hotd", instructions

    def _decorator(self, name_or_fn=None, *args, **kwargs):
        if callable(name_or_fn):
            return name_or_fn
        return lambda fn: fn

    tool = resource = prompt = _decorator

    def add_tool(self, fn, *args, **kwargs):
        return fn

    def run(self, *args, **kwargs):
        return None

    def __repr__(self):
        return f"FastMCP({self.name!r})"


MCPServer = FastMCP     # the SDK's name for it since its v2


class _RequestContext:
    """ctx.request_context: the request's id and meta, its session."""

    def __init__(self, ctx):
        meta = host._CALL["meta"] or {}
        self.request_id = meta.get("request_id")
        self.meta = None
        self.session = ctx.session
        self.lifespan_context = {}
        self.request = None


class ServerSession:
    """ctx.session: the SDK's ServerSession methods a tool uses, each
    through the running call's Context (awaitable or plain)."""

    def __init__(self, ctx=None):
        self._ctx = ctx or host.context()

    def create_message(self, messages, max_tokens=None, system_prompt=None,
                       include_context=None, temperature=None, stop_sequences=None,
                       model_preferences=None, **kwargs):
        return self._ctx.sample(messages, max_tokens, system_prompt=system_prompt,
                                include_context=include_context, temperature=temperature,
                                stop_sequences=stop_sequences,
                                model_preferences=model_preferences)

    def elicit(self, message, requestedSchema=None, **kwargs):
        return self._ctx.elicit(message, requestedSchema or kwargs.get("requested_schema"))

    def list_roots(self):
        return host.Answer(roots=self._ctx.list_roots())

    def send_log_message(self, level, data, logger=None, **kwargs):
        return self._ctx._log(level, host.to_jsonable(data), logger)

    def send_progress_notification(self, progress_token=None, progress=0.0, total=None,
                                   message=None, **kwargs):
        return self._ctx.report_progress(progress, total, message)

    # Lists mcp-hotd keeps itself (its reloads say when tools change).
    def _nothing(self, *args, **kwargs):
        return host.Done(False)

    send_resource_list_changed = send_tool_list_changed = _nothing
    send_prompt_list_changed = send_resource_updated = _nothing


class _FlavouredContext(host.Context):
    """FastMCP's Context, or the SDK's: mcp_hotd's with their spellings."""

    def __init__(self, *args, **kwargs):
        pass

    def __class_getitem__(cls, item):      # Context[ServerSession, None]
        return cls

    @property
    def request_id(self):
        rid = (host._CALL["meta"] or {}).get("request_id")
        return None if rid is None else str(rid)

    @property
    def session(self):
        return ServerSession(self)

    @property
    def request_context(self):
        return _RequestContext(self)

    @property
    def fastmcp(self):
        return FastMCP()

    # What the running call's session keeps across its calls: in this
    # worker (a pool's workers each keep their own), until it ends.
    def set_state(self, key, value):
        if self.session_id not in _STATE and len(_STATE) >= STATE_SESSIONS:
            del _STATE[next(iter(_STATE))]     # the oldest session's goes
        _STATE.setdefault(self.session_id, {})[key] = value
        return host.Done(True)

    def get_state(self, key):
        return host.Ready(_STATE.get(self.session_id, {}).get(key))

    def delete_state(self, key):
        _STATE.get(self.session_id, {}).pop(key, None)
        return host.Done(True)

    @property
    def transport(self):
        return None         # not told to the worker

    @property
    def client_capabilities(self):
        return self.client.capabilities

    def send_notification(self, notification):
        return host.Done(False)

    def elicit_url(self, message, url, elicitation_id, key=None):
        """URL-mode elicitation: the user is sent to url; .action says
        whether they went."""
        req = host.Request("elicitation/create", {"mode": "url", "message": str(message),
                                                  "url": str(url),
                                                  "elicitationId": str(elicitation_id)})
        return self._ask_one("elicit", key, req)

    def _tools_only(self, *args, **kwargs):
        raise host.ClientError("mcp-hotd serves tools only: no resources or prompts "
                               "to read from a tool")

    read_resource = list_resources = list_prompts = get_prompt = _tools_only


class Context(_FlavouredContext):
    """FastMCP's Context. log(message, level=None, logger_name=None,
    extra=None) sends {"msg", "extra"} as FastMCP does; debug/info/
    warning/error(message); report_progress, elicit(message,
    response_type=...), sample(...), list_roots(); request_id,
    client_id, session_id."""

    def log(self, message, level=None, logger_name=None, extra=None):
        if level is not None and message in host.LEVELS and level not in host.LEVELS:
            message, level = level, message     # the SDK's order
        return self._log(level or "info", {"msg": str(message), "extra": extra}, logger_name)

    def debug(self, message, logger_name=None, extra=None):
        return self.log(message, "debug", logger_name, extra)

    def info(self, message, logger_name=None, extra=None):
        return self.log(message, "info", logger_name, extra)

    def warning(self, message, logger_name=None, extra=None):
        return self.log(message, "warning", logger_name, extra)

    def error(self, message, logger_name=None, extra=None):
        return self.log(message, "error", logger_name, extra)


class SDKContext(_FlavouredContext):
    """mcp.server.fastmcp's (and mcp.server.mcpserver's) Context:
    log(level, data, *, logger_name, extra), data any JSON value;
    elicit(message, schema=Model)."""

    def log(self, level, message, *, logger_name=None, extra=None):
        data = host.to_jsonable(message) if not extra else \
            dict(host.to_jsonable(extra), message=str(message))
        return self._log(level, data, logger_name)


_STATE = {}         # ctx.set_state's, by session, oldest first
STATE_SESSIONS = 1024   # sessions a worker keeps state for, at most


SDKContext.__name__ = SDKContext.__qualname__ = "Context"


def context_like(module):
    """The Context to pass a parameter annotated with the real package's
    Context (from module)."""
    return Context() if module.split(".")[0] == "fastmcp" else SDKContext()


def get_context():
    """fastmcp.server.dependencies.get_context: the running call's."""
    return Context()


# --- Results: Image, Audio, File, ToolResult, ToolError ------------------

def _read(path):
    with open(os.path.expandvars(os.path.expanduser(str(path))), "rb") as f:
        return f.read()


class _Media:
    def __init__(self, path=None, data=None, format=None, annotations=None):
        if path is None and data is None:
            raise ValueError("Either path or data must be provided")
        if path is not None and data is not None:
            raise ValueError("Only one of path or data can be provided")
        self.path, self.data, self._format = path, data, format
        self.annotations = annotations
        self._mime_type = self._get_mime_type()

    def _get_data(self):
        raw = _read(self.path) if self.path is not None else bytes(self.data)
        return base64.b64encode(raw).decode()

    def _content(self, kind, mime_type=None):
        c = {"type": kind, "data": self._get_data(), "mimeType": mime_type or self._mime_type}
        if self.annotations is not None:
            c["annotations"] = host.to_jsonable(self.annotations)
        return c


_IMAGE_SUFFIXES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                   ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml",
                   ".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff"}
_AUDIO_SUFFIXES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg",
                   ".m4a": "audio/mp4", ".flac": "audio/flac"}
_FILE_SUFFIXES = {".txt": "text/plain", ".md": "text/markdown", ".csv": "text/csv",
                  ".json": "application/json", ".html": "text/html", ".pdf": "application/pdf",
                  ".xml": "application/xml", ".zip": "application/zip"}


def _suffix(path):
    return os.path.splitext(str(path))[1].lower()


class Image(_Media):
    """FastMCP's Image(path=None, data=None, format=None): format "png"
    makes image/png; a path's suffix says it; raw data is image/png."""

    def _get_mime_type(self):
        if self._format:
            return f"image/{self._format.lower()}"
        if self.path is not None:
            return _IMAGE_SUFFIXES.get(_suffix(self.path), "application/octet-stream")
        return "image/png"

    def to_image_content(self, mime_type=None, annotations=None):
        return self._content("image", mime_type)

    def to_data_uri(self, mime_type=None):
        return f"data:{mime_type or self._mime_type};base64,{self._get_data()}"


class Audio(_Media):
    """FastMCP's Audio(path=None, data=None, format=None)."""

    def _get_mime_type(self):
        if self._format:
            return f"audio/{self._format.lower()}"
        if self.path is not None:
            return _AUDIO_SUFFIXES.get(_suffix(self.path), "application/octet-stream")
        return "audio/wav"

    def to_audio_content(self, mime_type=None, annotations=None):
        return self._content("audio", mime_type)


class File(_Media):
    """FastMCP's File(path=None, data=None, format=None, name=None): an
    embedded resource, text when its type is text/*, else a blob."""

    def __init__(self, path=None, data=None, format=None, name=None, annotations=None):
        super().__init__(path, data, format, annotations)
        self._name = name

    def _get_mime_type(self):
        if self._format:
            fmt = self._format.lower()
            return "text/plain" if fmt in ("plain", "txt", "text") else f"application/{fmt}"
        if self.path is not None:
            return _FILE_SUFFIXES.get(_suffix(self.path), "application/octet-stream")
        return "application/octet-stream"

    def to_resource_content(self, mime_type=None, annotations=None):
        mime = mime_type or self._mime_type
        if self.path is not None:
            raw = _read(self.path)
            uri = "file://" + os.path.abspath(str(self.path))
        else:
            raw = bytes(self.data)
            uri = f"file:///{self._name or 'resource'}.{self._mime_type.split('/')[1]}"
        r = {"uri": uri, "mimeType": mime}
        if mime.startswith("text/"):
            try:
                r["text"] = raw.decode("utf-8")
            except UnicodeDecodeError:
                r["text"] = raw.decode("latin-1")
        else:
            r["blob"] = base64.b64encode(raw).decode()
        c = {"type": "resource", "resource": r}
        if self.annotations is not None:
            c["annotations"] = host.to_jsonable(self.annotations)
        return c


class ToolResult:
    """FastMCP's ToolResult(content=None, structured_content=None,
    meta=None): the whole result, as the tool says it."""

    def __init__(self, content=None, structured_content=None, meta=None):
        if content is None and structured_content is None:
            raise ValueError("Either content or structured_content must be provided")
        self.content, self.structured_content, self.meta = content, structured_content, meta


class FastMCPError(Exception):
    """Base of FastMCP's errors."""


class ToolError(FastMCPError):
    """Raised in a tool: its message is the call's isError text, as is."""


class ResourceError(FastMCPError):
    pass


class PromptError(FastMCPError):
    pass


class ValidationError(FastMCPError):
    pass


class NotFoundError(FastMCPError):
    pass


class DisabledError(FastMCPError):
    pass


class InvalidSignature(Exception):
    pass


class MCPServerError(Exception):
    pass


class McpError(Exception):
    """The SDK's error carrying a JSON-RPC error."""


MCPError = McpError


class UrlElicitationRequiredError(McpError):
    pass


# --- mcp.types: the records a tool builds ---------------------------------

class _Record:
    """A pydantic-like record: keyword fields, attributes, model_dump()."""
    _defaults = {}

    def __init__(self, **fields):
        for k, v in self._defaults.items():
            setattr(self, k, v)
        for k, v in fields.items():
            setattr(self, k, v)

    def model_dump(self, mode=None, by_alias=True, exclude_none=False, **kwargs):
        return {k: host.to_jsonable(v) for k, v in vars(self).items()
                if not k.startswith("_") and not (exclude_none and v is None)}

    def __eq__(self, other):
        return type(other) is type(self) and vars(other) == vars(self)

    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({inner})"


def _record(name, **defaults):
    return type(name, (_Record,), {"_defaults": defaults, "__module__": "mcp.types"})


TextContent = _record("TextContent", type="text")
ImageContent = _record("ImageContent", type="image")
AudioContent = _record("AudioContent", type="audio")
EmbeddedResource = _record("EmbeddedResource", type="resource")
ResourceLink = _record("ResourceLink", type="resource_link")
TextResourceContents = _record("TextResourceContents")
BlobResourceContents = _record("BlobResourceContents")
SamplingMessage = _record("SamplingMessage")
ModelPreferences = _record("ModelPreferences")
ModelHint = _record("ModelHint")
Root = _record("Root")
Annotations = _record("Annotations")
ToolAnnotations = _record("ToolAnnotations")
CallToolResult = _record("CallToolResult", isError=False)
CreateMessageResult = _record("CreateMessageResult")
ElicitResult = _record("ElicitResult")


class AcceptedElicitation(_Record):
    _defaults = {"action": "accept", "data": None}


class DeclinedElicitation(_Record):
    _defaults = {"action": "decline"}


class CancelledElicitation(_Record):
    _defaults = {"action": "cancel"}


class RequestContext(_Record):
    pass


# --- Which module holds what -----------------------------------------------

_FASTMCP_EXC = ("FastMCPError", "ToolError", "ResourceError", "PromptError",
                "ValidationError", "NotFoundError", "DisabledError")
_TYPES = ("TextContent", "ImageContent", "AudioContent", "EmbeddedResource", "ResourceLink",
          "TextResourceContents", "BlobResourceContents", "SamplingMessage", "ModelPreferences",
          "ModelHint", "Root", "Annotations", "ToolAnnotations", "CallToolResult",
          "CreateMessageResult", "ElicitResult")

MODULES = {
    "fastmcp": ("FastMCP", "Context", "Image", "Audio", "File"),
    "fastmcp.server": ("FastMCP", "Context"),
    "fastmcp.server.context": ("Context",),
    "fastmcp.server.dependencies": ("get_context",),
    "fastmcp.utilities": (),
    "fastmcp.utilities.types": ("Image", "Audio", "File"),
    "fastmcp.exceptions": _FASTMCP_EXC,
    "fastmcp.tools": ("ToolResult",),
    "fastmcp.tools.tool": ("ToolResult",),
    "mcp": (),
    "mcp.types": _TYPES,
    "mcp.server": ("FastMCP",),
    "mcp.server.fastmcp": ("FastMCP", "Context", "Image", "Audio"),
    "mcp.server.fastmcp.exceptions": ("FastMCPError", "ToolError", "ResourceError",
                                      "ValidationError", "InvalidSignature"),
    "mcp.server.fastmcp.utilities": (),
    "mcp.server.fastmcp.utilities.types": ("Image", "Audio"),
    "mcp.server.mcpserver": ("MCPServer", "Context", "Image", "Audio", "AcceptedElicitation",
                             "DeclinedElicitation", "CancelledElicitation"),
    "mcp.server.mcpserver.exceptions": ("MCPServerError", "ResourceError", "ToolError",
                                        "InvalidSignature"),
    "mcp.shared.exceptions": ("McpError", "MCPError", "UrlElicitationRequiredError"),
    "mcp.server.session": ("ServerSession",),
    "mcp.server.elicitation": ("AcceptedElicitation", "DeclinedElicitation",
                               "CancelledElicitation"),
    "mcp.shared": (),
    "mcp.shared.context": ("RequestContext",),
}

# The SDK's Context is its own class (its log takes level first).
_SDK_MODULES = ("mcp.server.fastmcp", "mcp.server.mcpserver")


def fill(module):
    """Give module (one of MODULES, made by toolhost's finder) its names."""
    for name in MODULES[module.__name__]:
        obj = globals()[name]
        if name == "Context" and module.__name__.startswith(_SDK_MODULES):
            obj = SDKContext
        setattr(module, name, obj)
    if module.__name__ == "fastmcp":
        module.__version__ = "2.0.0+mcp-hotd"
