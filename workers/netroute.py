# SPDX-License-Identifier: ISC
"""Python's socket layer in a worker, routed through mcp-hotd's net broker.

A worker has no network of its own: seccomp refuses socket() and
connect(), Landlock refuses TCP, its net namespace is empty. A tool whose
entry grants "allow.net" has a broker channel instead (fd 4, SOCK_SEQPACKET,
frames of src/frame.h), and this module sends the two things every Python
client does through it, at the level they all share:

  socket.getaddrinfo (create_connection, urllib, http.client, requests,
      httpx, asyncio's resolver thread): a name goes to the supervisor,
      which resolves it only if a grant covers it;
  socket.socket.connect / connect_ex (ssl.SSLSocket inherits them): the
      supervisor checks the address, starts a non-blocking connect and
      passes the socket back; it takes the place of the socket object's
      file (dup2), options set before connect are replayed on it, and the
      object's timeout decides whether connect waits (blocking), raises
      BlockingIOError (non-blocking: event loops see EINPROGRESS and read
      SO_ERROR as always) or times out.

Until it connects, a TCP socket object holds a stand-in (a socketpair end):
nothing in the worker is ever an unconnected TCP socket. A refusal raises
PermissionError naming the destination. C libraries that open their own
sockets (libpq, libcurl) do not pass here and stay refused by seccomp.
"""

import errno
import json
import os
import socket
import struct
from _socket import socketpair as _socketpair

# threading and select are imported where first needed: threading, once
# imported, runs an after-fork hook in every worker forked from the
# spawner, copying pages each of them would otherwise share.

_HDR = struct.Struct("=HHIQ")   # type, version, len, id: src/frame.h

_frames = {}            # install(): the frame constants from the C side
_chan = None            # the broker channel, or None: no net grant
_lock = None             # attach() makes it: threads take turns
_outstanding = False    # an answer a cancelled request has not read yet
_next_id = 0
_pending = {}           # stand-in fd -> options set before connect
_real = {}              # the socket methods this module wraps


def _refused(what):
    return PermissionError(errno.EACCES, f"mcp-hotd: {what} is not granted "
                           "(this tool has no allow.net grant)")


def _read_answer():
    global _outstanding
    msg, fds, flags, _ = socket.recv_fds(
        _chan, _HDR.size + _frames["max"], 1, socket.MSG_CMSG_CLOEXEC)
    if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        for fd in fds:
            os.close(fd)
        raise OSError(errno.EBADMSG, "mcp-hotd: a truncated broker answer")
    if not msg:
        raise ConnectionError("mcp-hotd: the broker channel is closed")
    _outstanding = False
    return json.loads(msg[_HDR.size:]), (fds[0] if fds else None)


def _ask(kind, request):
    """One request, one answer: (dict, fd or None). Threads take turns."""
    global _outstanding, _next_id
    data = json.dumps(request).encode()
    with _lock:
        if _outstanding:        # a cancel interrupted the last one
            _, fd = _read_answer()
            if fd is not None:
                os.close(fd)
        _next_id += 1
        _chan.sendmsg([_HDR.pack(_frames[kind], _frames["version"],
                                 len(data), _next_id), data])
        _outstanding = True
        return _read_answer()


def _port_number(port):
    if port is None:
        return 0
    if isinstance(port, bytes):
        port = port.decode()
    if isinstance(port, str):
        if port.isdigit():
            return int(port)
        known = {"http": 80, "https": 443}
        if port in known:
            return known[port]
        raise socket.gaierror(socket.EAI_SERVICE,
                              "Servname not supported for ai_socktype")
    return int(port)


def _literal(host):
    """(family, address) of an IP literal, or None for a name."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host.split("%", 1)[0])
            return family, host.split("%", 1)[0]
        except (OSError, ValueError):
            pass
    return None


def _resolve(host, port, family):
    """[(family, address)] for host, through the broker."""
    if _chan is None:
        raise _refused(f"resolving {host}")
    answer, fd = _ask("resolve", {"host": host, "port": port,
                                  "family": family})
    if fd is not None:
        os.close(fd)
    if "denied" in answer:
        raise PermissionError(errno.EACCES, answer["denied"])
    if "gai" in answer:
        raise socket.gaierror(answer["gai"], answer.get("error", ""))
    return [(f, a) for f, a in answer["addrs"]]


def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    """socket.getaddrinfo, names resolved by the broker."""
    if isinstance(host, bytes):
        host = host.decode("idna")
    number = _port_number(port)
    if not host:
        passive = flags & socket.AI_PASSIVE
        addrs = [(socket.AF_INET, "0.0.0.0" if passive else "127.0.0.1"),
                 (socket.AF_INET6, "::" if passive else "::1")]
    elif _literal(host):
        addrs = [_literal(host)]
    elif flags & socket.AI_NUMERICHOST:
        raise socket.gaierror(socket.EAI_NONAME,
                              "Name or service not known")
    else:
        try:
            name = host.encode("idna").decode("ascii")
        except UnicodeError as e:
            raise socket.gaierror(socket.EAI_NONAME, str(e)) from None
        addrs = _resolve(name, number, int(family))
    socktype = type or socket.SOCK_STREAM
    proto = proto or (socket.IPPROTO_TCP if socktype == socket.SOCK_STREAM
                      else 0)
    canon = host if flags & socket.AI_CANONNAME else ""
    out = []
    for f, a in addrs:
        if family and f != family:
            continue
        sockaddr = (a, number) if f == socket.AF_INET else (a, number, 0, 0)
        out.append((socket.AddressFamily(f), socket.SocketKind(socktype),
                    proto, canon, sockaddr))
    if not out:
        raise socket.gaierror(socket.EAI_ADDRFAMILY,
                              "Address family for hostname not supported")
    return out


def gethostbyname(host):
    return getaddrinfo(host, None, socket.AF_INET)[0][4][0]


def _standin():
    """An fd a socket object accepts (it must be a socket), that reaches
    nothing: one end of a socketpair whose other end is closed."""
    a, b = _socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    b.close()
    return a.detach()


def _init(self, family=-1, type=-1, proto=-1, fileno=None):
    stream = type == -1 or type & 0xf == socket.SOCK_STREAM
    if (fileno is not None or family not in (-1, socket.AF_INET,
                                             socket.AF_INET6)
            or not stream or proto not in (-1, 0, socket.IPPROTO_TCP)):
        return _real["__init__"](self, family, type, proto, fileno)
    standin = _standin()
    _pending[standin] = []
    try:
        _real["__init__"](self, socket.AF_INET if family == -1 else family,
                          socket.SOCK_STREAM if type == -1 else type,
                          0 if proto == -1 else proto, standin)
    except BaseException:
        del _pending[standin]
        os.close(standin)
        raise


def _is_pending(sock):
    return sock.fileno() in _pending


def _adopt(sock, fd):
    """The connecting socket takes the stand-in's place, options and all."""
    standin = sock.fileno()
    os.dup2(fd, standin, inheritable=False)
    os.close(fd)
    for args in _pending.pop(standin, ()):
        try:
            _real["setsockopt"](sock, *args)
        except OSError:
            pass
    sock.settimeout(sock.gettimeout())  # its mode, on the new file


def _wait_connected(sock, e, ex):
    """What connect(2) does after EINPROGRESS, by the object's timeout."""
    timeout = sock.gettimeout()
    if e == errno.EINPROGRESS and timeout == 0:
        if ex:
            return e
        raise BlockingIOError(e, os.strerror(e))
    if e == errno.EINPROGRESS:
        import select
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLOUT)
        if not poller.poll(None if timeout is None else timeout * 1000):
            if ex:
                return errno.EAGAIN
            raise TimeoutError("timed out")
        e = _real["getsockopt"](sock, socket.SOL_SOCKET, socket.SO_ERROR)
    if e and not ex:
        raise OSError(e, os.strerror(e))
    return e if ex else None


def _targets(sock, address):
    host, port = address[0], int(address[1])
    if isinstance(host, bytes):
        host = host.decode("idna")
    if _literal(host):
        return [_literal(host)], port
    infos = getaddrinfo(host, port, sock.family, socket.SOCK_STREAM)
    return [(i[0], i[4][0]) for i in infos], port


def _connect_brokered(sock, address, ex):
    if _chan is None:
        raise _refused(f"a connection to {address[0]}:{address[1]}")
    targets, port = _targets(sock, address)
    last = None
    for family, addr in targets:
        answer, fd = _ask("connect", {"family": int(family), "addr": addr,
                                      "port": port})
        if "denied" in answer:
            last = PermissionError(errno.EACCES, answer["denied"])
            continue
        e = answer.get("errno", errno.EIO)
        if fd is None:
            last = OSError(e, os.strerror(e))
            continue
        _adopt(sock, fd)
        return _wait_connected(sock, e, ex)
    if ex and last is not None:
        return last.errno
    raise last


def _connect(self, address):
    if not _is_pending(self):
        return _real["connect"](self, address)
    return _connect_brokered(self, address, False)


def _connect_ex(self, address):
    if not _is_pending(self):
        return _real["connect_ex"](self, address)
    return _connect_brokered(self, address, True)


def _setsockopt(self, *args):
    if not _is_pending(self):
        return _real["setsockopt"](self, *args)
    _pending[self.fileno()].append(args)
    return None


def _getsockopt(self, level, option, *rest):
    if not _is_pending(self):
        return _real["getsockopt"](self, level, option, *rest)
    if (level, option) == (socket.SOL_SOCKET, socket.SO_TYPE):
        return socket.SOCK_STREAM
    if (level, option) == (socket.SOL_SOCKET, socket.SO_DOMAIN):
        return int(self.family)
    for args in reversed(_pending[self.fileno()]):
        if args[:2] == (level, option) and isinstance(args[2], int):
            return args[2]
    return 0


def _getpeername(self):
    if not _is_pending(self):
        return _real["getpeername"](self)
    raise OSError(errno.ENOTCONN, os.strerror(errno.ENOTCONN))


def _getsockname(self):
    if not _is_pending(self):
        return _real["getsockname"](self)
    return ("0.0.0.0", 0) if self.family == socket.AF_INET else \
        ("::", 0, 0, 0)


def _no_server(name):
    def refuse(self, *args):
        if not _is_pending(self):
            return _real[name](self, *args)
        raise PermissionError(errno.EACCES, f"mcp-hotd: {name}() is not "
                              "allowed: net grants are outbound TCP only")
    return refuse


def _real_close(self, _ss=socket.socket.__mro__[1]):
    _pending.pop(self.fileno(), None)
    _ss.close(self)


def attach():
    """This worker has a net grant: its broker channel, fd frames["fd"]."""
    global _chan, _lock
    import threading
    _lock = threading.Lock()
    _chan = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, 0,
                          _frames["fd"])


def install(frames):
    """Route sockets through the broker (attach()), else refuse every
    resolve and connect with a clear error. Done once where workers are
    forked from: the patched class is then a shared page, not a copy in
    each worker."""
    _frames.update(frames)
    cls = socket.socket
    for name in ("__init__", "connect", "connect_ex", "setsockopt",
                 "getsockopt", "getpeername", "getsockname", "bind",
                 "listen", "sendto"):
        _real[name] = getattr(cls, name)
    cls.__init__ = _init
    cls.connect = _connect
    cls.connect_ex = _connect_ex
    cls.setsockopt = _setsockopt
    cls.getsockopt = _getsockopt
    cls.getpeername = _getpeername
    cls.getsockname = _getsockname
    cls.bind = _no_server("bind")
    cls.listen = _no_server("listen")
    cls.sendto = _no_server("sendto")
    cls._real_close = _real_close
    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
