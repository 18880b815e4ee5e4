# SPDX-License-Identifier: ISC
"""Containment, attacked: each claim of SECURITY in mcp-hotd(8) tried by a
tool that arrives by hot update, in its load phase (top-level code) and in
its call phase, as root and as an unprivileged user, with namespaces and in
the forced fallback (--no-namespaces), and without Landlock.

Every case: the supervisor, the spawner and a sibling worker live on and
serve, nothing on disk changes, no listener of ours is reached, a call is
answered with an error that says what happened, and no worker outlives the
supervisor (PDEATHSIG holds)."""

import json
import os
import select
import signal
import socket
import tempfile
import time

from mcptest import (Daemon, Server, alive, check, dry_run, finish, spawners,
                     text_of, tool, tool_workers)

USER = "nobody"
MODES = [
    (None, []),
    (None, ["--no-namespaces"]),
    (USER, []),
    (USER, ["--no-namespaces"]),
    (None, ["--no-landlock", "--no-namespaces"]),
    (USER, ["--no-landlock"]),
    (USER, ["--no-landlock", "--no-namespaces"]),
]

# Python run by the attacking tools. sc() is a raw syscall: an attacker
# uses what the sandbox's authors did not think of, not what Python wraps.
HEADER = r'''
import ctypes, os, struct, socket, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                      ctypes.c_int, ctypes.c_int, ctypes.c_long]
def sc(nr, *a):
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(x) for x in a])
    if r == -1:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r
def frame(t, payload, id=0):
    return struct.pack('=HHIQ', t, 1, len(payload), id) + payload
def tries(attempts):
    held = []
    for what, fn in attempts:
        try:
            fn()
            return f'HOLE: {what}'
        except OSError as e:
            held.append(f'{what}: {e.errno}')
    return 'held: ' + ', '.join(held)
'''

# name: (body returning a string, what a held sandbox gives). The body is
# the text of a function attack(); "HOLE" in a result means it got through.
ATTACKS = {
    "io_uring": ("""
    p = ctypes.create_string_buffer(120)
    fd = sc(425, 8, ctypes.addressof(p))
    return f'HOLE: io_uring fd {fd}'"""),
    "ptrace": ("""
    sc(101, 16, SUP)
    return 'HOLE: attached to the supervisor'"""),
    "vm_write": ("""
    buf = ctypes.create_string_buffer(8)
    iov = struct.pack('=QQ', ctypes.addressof(buf), 8)
    sc(311, SUP, ctypes.addressof(ctypes.create_string_buffer(iov)), 1,
       ctypes.addressof(ctypes.create_string_buffer(iov)), 1, 0)
    return 'HOLE: process_vm_writev'"""),
    "pdeathsig": ("""
    sc(157, 1, 0)
    return 'HOLE: PDEATHSIG cleared'"""),
    "personality": ("""
    sc(135, 0x0400000)
    return 'HOLE: READ_IMPLIES_EXEC set'"""),
    "mem_write": ("""
    with open(f'/proc/{SUP}/mem', 'r+b', buffering=0) as f:
        f.seek(0x1000)
        f.write(b'x')
    return 'HOLE: wrote the supervisor memory'"""),
    "mem_read": ("""
    held = []
    for pid in (SUP, SPAWNER, SIBLING):
        try:
            with open(f'/proc/{pid}/mem', 'rb', buffering=0) as f:
                maps = open(f'/proc/{pid}/maps').read()
                heap = [l for l in maps.splitlines() if '[heap]' in l][0]
                f.seek(int(heap.split('-')[0], 16))
                data = f.read(4096)
            return f'HOLE: read {len(data)} bytes of the heap of {pid}'
        except OSError as e:
            held.append(f'{pid}: {e.errno}')
    return 'held: ' + ', '.join(held)"""),
    "environ": ("""
    return 'HOLE: ' + open(f'/proc/{SUP}/environ', 'rb').read()[:40].hex()"""),
    "write_files": ("""
    return tries([('create', lambda: open(MARK, 'w').write('x')),
                  ('truncate', lambda: os.truncate(TOOLS, 0)),
                  ('unlink', lambda: os.unlink(TOOLS)),
                  ('rename', lambda: os.rename(TOOLS, TOOLS + '.x')),
                  ('mkdir', lambda: os.mkdir(MARK)),
                  ('unlink socket', lambda: os.unlink(SOCK))])"""),
    "file_metadata": ("""
    return tries([('chmod of the interpreter', lambda: os.chmod(os.__file__, 0o777)),
                  ('chown of it', lambda: os.chown(os.__file__, 65534, 65534)),
                  ('utime of it', lambda: os.utime(os.__file__, (0, 0))),
                  ('truncate of it', lambda: os.truncate(os.__file__, 0))])"""),
    "read_outside": ("""
    held = []
    for path in [TOOLS, '/etc/shadow', '/etc/passwd', '/root', '/home',
                 os.path.dirname(SOCK), f'/proc/{SUP}/cmdline']:
        try:
            if os.path.isdir(path) and os.listdir(path) is not None:
                return f'HOLE: listed {path}'
            open(path, 'rb').read(1)
            return f'HOLE: read {path}'
        except OSError as e:
            held.append(f'{path}: {e.errno}')
    return 'held: ' + ', '.join(held)"""),
    "unix_socket": ("""
    s = socket.socket(socket.AF_UNIX)
    s.connect(SOCK)
    return 'HOLE: connected to the service socket'"""),
    "abstract_socket": ("""
    s = socket.socket(socket.AF_UNIX)
    s.connect(ABSTRACT)
    return 'HOLE: connected to an abstract socket'"""),
    "tcp_port": ("""
    s = socket.create_connection(('127.0.0.1', PORT), timeout=2)
    return 'HOLE: connected to the HTTP port'"""),
    "socketpair_out": ("""
    a, b = socket.socketpair()
    a.connect(SOCK)
    return 'HOLE: a socketpair end reached the service'"""),
    "memfd_exec": ("""
    fd = sc(319, ctypes.addressof(ctypes.create_string_buffer(b'x')), 0)
    return f'HOLE: memfd {fd}'"""),
    "mmap_rwx": ("""
    p = libc.mmap(None, 4096, 7, 0x22, -1, 0)
    return 'HOLE: anonymous rwx' if p not in (None, 2**64 - 1) else 'held: mmap failed'"""),
    "mprotect_x": ("""
    p = libc.mmap(None, 4096, 3, 0x22, -1, 0)
    if libc.mprotect(ctypes.c_void_p(p), 4096, 5) == 0:
        return 'HOLE: mprotect added PROT_EXEC'
    return 'held: mprotect refused'"""),
    "file_wx": ("""
    fd = os.open(os.__file__, os.O_RDONLY)
    p = libc.mmap(None, 4096, 7, 0x02, fd, 0)
    return 'HOLE: private file mapping rwx' if p not in (None, 2**64 - 1) else 'held'"""),
    "run_data": ("""
    p = libc.mmap(None, 4096, 3, 0x22, -1, 0)
    ctypes.memmove(p, b'\\xc3', 1)
    ctypes.CFUNCTYPE(None)(p)()
    return 'HOLE: ran code from memory mapped without PROT_EXEC'"""),
    # The handler refusals rely on: taking it away is refused; a thread
    # that blocks SIGSYS and then makes a refused call is killed.
    "sigsys_take": ("""
    import signal
    signal.signal(signal.SIGSYS, signal.SIG_DFL)
    return 'HOLE: SIGSYS taken from the handler'"""),
    "sigsys_block": ("""
    import signal
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGSYS])
    r = sc(250, 0, 0, 0, 0, 0)
    return f'HOLE: keyctl returned {r} with SIGSYS blocked'"""),
    "forge_syscall": ("""
    os.write(3, frame(6, b'{"nr":321}'))
    os._exit(3)"""),
}
# Calls no group allows, named in SECURITY: each tried bare (x86_64 numbers).
for name, nr in [("userfaultfd", 323), ("mount", 165), ("fsopen", 430),
                 ("open_tree", 428), ("unshare", 272), ("setns", 308),
                 ("bpf", 321), ("perf_event_open", 298), ("keyctl", 250),
                 ("open_by_handle_at", 304), ("clone3", 435), ("execve", 59),
                 ("clone", 56), ("fork", 57),
                 ("seccomp", 317), ("capset", 126), ("setrlimit", 160)]:
    ATTACKS[f"sys_{name}"] = (f"\n    r = sc({nr}, 0, 0, 0, 0, 0)\n"
                              f"    return f'HOLE: {name} returned {{r}}'")

# A siginfo as sigqueue(3) fills it (si_code SI_QUEUE): the kernel takes it
# from anyone allowed to signal the target.
INFO = "ctypes.addressof(ctypes.create_string_buffer(struct.pack('=iii', 9, 0, -1), 128))"
for route, code in [("kill", "sc(62, T, 9)"), ("tgkill", "sc(234, T, T, 9)"),
                    ("sigqueueinfo", f"sc(129, T, 9, {INFO})"),
                    ("tgsigqueueinfo", f"sc(297, T, T, 9, {INFO})"),
                    ("pidfd", "sc(424, sc(434, T, 0), 9, 0, 0)")]:
    for target in ("SUP", "SPAWNER", "SIBLING"):
        ATTACKS[f"{route}_{target.lower()}"] = (
            f"\n    T = {target}\n    {code}\n    return 'HOLE: signalled {target}'")


def attack_tools(consts):
    """Each attack twice: at load (top level) and at call time."""
    head = HEADER + "".join(f"{k} = {v!r}\n" for k, v in consts.items())
    tools = []
    for name, body in ATTACKS.items():
        fn = "def attack():" + body + "\n"
        load = (head + fn + "try:\n    R = attack()\nexcept BaseException as e:\n"
                "    R = f'held: {type(e).__name__}: {e}'\n"
                f"def load_{name}() -> str:\n    return R\n")
        call = head + fn + f"def call_{name}() -> str:\n    return attack()\n"
        tools.append(tool(f"load_{name}", load, timeout_ms=5000, load_timeout_ms=5000))
        tools.append(tool(f"call_{name}", call, timeout_ms=5000, load_timeout_ms=5000))
    # A READY of the tool's own, written before the call filter closes.
    ready = json.dumps({"function": "f", "inputSchema": {"type": "object"},
                        "warnings": [], "doc": ""}).encode()
    tools.append(tool("forge_ready", head + f"os.write(3, frame(2, {ready!r}))\n"
                      "time.sleep(3)\ndef forge_ready() -> str:\n    return 'HOLE'\n",
                      load_timeout_ms=8000))
    # READ_IMPLIES_EXEC asked for while loading, used at call time.
    tools.append(tool("rie", head + "try:\n    sc(135, 0x0400000)\nexcept OSError:\n    pass\n"
                      "def rie() -> str:\n"
                      "    p = libc.mmap(None, 4096, 3, 0x22, -1, 0)\n"
                      "    ctypes.memmove(p, b'\\xc3', 1)\n"
                      "    ctypes.CFUNCTYPE(None)(p)()\n"
                      "    return 'HOLE: ran code from memory mapped without PROT_EXEC'\n",
                      timeout_ms=5000))
    # fds 0 and 1 pointed at a file and one more fd kept from the load.
    tools.append(tool("fds_kept", head + "fd = os.open(os.__file__, os.O_RDONLY)\n"
                      "os.dup2(fd, 0)\nos.dup2(fd, 1)\nos.dup2(fd, 9)\n"
                      "import fcntl\n"
                      "def fds_kept() -> str:\n"
                      "    open_ = [i for i in range(64) if _isopen(i)]\n"
                      "    ends = [os.lseek(i, 0, 2) for i in (0, 1)]\n"
                      "    return json_dumps([open_, ends])\n"
                      "def _isopen(i):\n    try:\n        fcntl.fcntl(i, fcntl.F_GETFD)\n"
                      "        return True\n    except OSError:\n        return False\n"
                      "from json import dumps as json_dumps\n"))
    # Control characters and a flood on stderr.
    tools.append(tool("log_escape", "import sys\ndef log_escape() -> str:\n"
                      "    sys.stderr.write('\\x1b[31mRED\\x1b[0m\\x07 done\\n')\n"
                      "    sys.stderr.write(('y' * 1000 + '\\n') * 20000)\n"
                      "    return 'ok'\n"))
    # An import inside a function: the view stays open at call time.
    tools.append(tool("lazy", "def lazy() -> str:\n    import sqlite3, zoneinfo\n"
                      "    return str(zoneinfo.ZoneInfo('Europe/Paris'))\n"))
    tools.append(tool("ok", "def ok(x: int) -> int:\n    return x + 1\n"))
    return tools


class Listener:
    """An abstract unix socket and a TCP port of ours that no worker may reach."""

    def __init__(self):
        self.abstract = "\0mcp-hotd-containment-%d" % os.getpid()
        self.u = socket.socket(socket.AF_UNIX)
        self.u.bind(self.abstract)
        self.u.listen(8)
        self.u.setblocking(False)

    def reached(self, *socks):
        r, _, _ = select.select([self.u, *socks], [], [], 0)
        return bool(r)

    def close(self):
        self.u.close()


def digest(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        return e.errno


def run_mode(user, args):
    label = f"{user or 'root'}{' ' + ' '.join(args) if args else ''}"
    landlock = "--no-landlock" not in args
    lis = Listener()
    # The service's own socket and HTTP port, as targets: a daemon of ours.
    d = Daemon([tool("ok", "def ok() -> int:\n    return 1\n")], http=True,
               user=user, args=args)
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    tcp.setblocking(False)
    # Not in /tmp: a worker's /tmp is a tmpfs of its own, writable.
    mark = tempfile.mktemp(prefix="mcp-hotd-containment-", dir="/var/tmp")
    s = Server([tool("ok", "def ok(x: int) -> int:\n    return x + 1\n")], user=user,
               args=["--no-watch", *args])
    s.initialize()
    # A kernel without Landlock runs every mode as the no-Landlock one.
    landlock = landlock and "Landlock file view" in s.stderr()
    sp = spawners(s.pid)
    sibling = s.workers()
    check(len(sibling) == 1, f"[{label}] one sibling worker", sibling)
    consts = {"SUP": s.pid, "SPAWNER": sp[0] if sp else s.pid,
              "SIBLING": sibling[0] if sibling else s.pid, "MARK": mark,
              "TOOLS": s.path, "SOCK": d.sock, "PORT": d.port,
              "ABSTRACT": lis.abstract}
    tools = attack_tools(consts)
    s.write_tools(tools)
    os.kill(s.pid, signal.SIGHUP)
    check(s.wait_for(lambda: s.stderr().count("reloaded:") >= 1, 30),
          f"[{label}] the hostile file loads by hot update", s.stderr()[-2000:])
    before = {p: digest(p) for p in (s.path, d.path)}
    listed = {t["name"] for t in s.list_tools()}
    err = s.stderr()

    for name in ATTACKS:
        if f"load_{name}" in listed:
            txt = text_of(s.call(f"load_{name}"))
            if name == "read_outside" and not landlock:
                check("HOLE" in txt or "held" in txt,
                      f"[{label}] load {name}: without Landlock loading reads as the user (documented)")
                continue
            check("HOLE" not in txt and "held" in txt, f"[{label}] load {name}: {txt[:80]}", txt)
        else:
            check(f"tool 'load_{name}'" in err and ("sandbox" in err or "failed" in err),
                  f"[{label}] load {name}: refused, the load failed with a reason")
        r = s.call(f"call_{name}", timeout=30)
        txt = text_of(r)
        if name == "forge_syscall":
            check(r.get("isError") and "status 3" in txt and "bpf" not in txt,
                  f"[{label}] a forged SYSCALL report is not believed: {txt[:90]}", txt)
            continue
        check("HOLE" not in txt and (r.get("isError") or txt.startswith("held")),
              f"[{label}] call {name}: {txt[:90]}", txt)
        if not check(text_of(s.call("ok", {"x": 1})) == "2", f"[{label}] the sibling serves after {name}"):
            break

    check("forge_ready" not in listed, f"[{label}] a forged READY serves nothing", sorted(listed)[:5])
    check(s.wait_for(lambda: "before its call-phase sandbox" in s.stderr(), 10),
          f"[{label}] a forged READY kills its worker, logged")
    r = s.call("lazy")
    if landlock:
        check(text_of(r) == "Europe/Paris", f"[{label}] an import inside a function works", r)
    else:
        check(r.get("isError") and "Error" in text_of(r),
              f"[{label}] without Landlock, an import at call time fails with an error", r)
    r = s.call("rie")
    check(r.get("isError") and "SIGSEGV" in text_of(r),
          f"[{label}] READ_IMPLIES_EXEC from loading makes no data executable", r)
    r = s.call("fds_kept")
    check(json.loads(text_of(r)) == [[0, 1, 2, 3], [0, 0]],
          f"[{label}] the call phase has /dev/null on 0 and 1 and no fd of the load", r)
    check(text_of(s.call("log_escape")) == "ok", f"[{label}] a tool writes to stderr")
    check(s.wait_for(lambda: "bytes of its output dropped" in s.stderr(), 5),
          f"[{label}] a stderr flood is cut and counted")
    err = s.stderr()
    check("\\x1b[31mRED\\x1b[0m\\x07 done" in err and "\x1b" not in err,
          f"[{label}] control characters from a tool reach the log escaped")
    check(len(err) < 2_000_000, f"[{label}] the log stays small ({len(err)} bytes)")

    # From outside: the worker's namespaces, capabilities and limits.
    w = tool_workers(s.pid)[0]
    ns = {k: os.readlink(f"/proc/{w}/ns/{k}") != os.readlink(f"/proc/{s.pid}/ns/{k}")
          for k in ("pid", "ipc", "net")}
    if "--no-namespaces" in args:
        check(not any(ns.values()), f"[{label}] forced fallback: no namespaces", ns)
    else:
        check(all(ns.values()), f"[{label}] a worker's own pid, ipc and net namespaces", ns)
        w2 = tool_workers(s.pid)[1]
        check(os.readlink(f"/proc/{w}/ns/pid") != os.readlink(f"/proc/{w2}/ns/pid"),
              f"[{label}] each worker alone in its PID namespace")
    status = dict(l.split(":\t", 1) for l in open(f"/proc/{w}/status").read().splitlines()
                  if ":\t" in l)
    caps = {k: int(status[k], 16) for k in ("CapInh", "CapPrm", "CapEff", "CapAmb", "CapBnd")}
    check(not any(caps.values()), f"[{label}] a worker holds no capability", caps)
    check(status["NoNewPrivs"].strip() == "1" and status["Seccomp"].strip() == "2",
          f"[{label}] no_new_privs and seccomp filtering", status.get("Seccomp"))
    limits = {l[:26].strip(): l[26:47].split()[0] for l in
              open(f"/proc/{w}/limits").read().splitlines()[1:]}
    check(limits["Max file size"] == str(64 << 20) and limits["Max core file size"] == "0" and
          limits["Max open files"] == "64" and
          limits["Max address space"] == str(512 << 20),
          f"[{label}] a worker's rlimits", limits)

    # What must still hold.
    check(s.proc.poll() is None and d.proc.poll() is None, f"[{label}] both supervisors live")
    check(spawners(s.pid) == sp, f"[{label}] the spawner lives", (sp, spawners(s.pid)))
    check(sibling and alive(sibling[0]), f"[{label}] the sibling worker lives")
    check(not os.path.exists(mark), f"[{label}] nothing created on disk")
    check({p: digest(p) for p in (s.path, d.path)} == before and os.path.exists(d.sock),
          f"[{label}] the tools files and the service socket are untouched")
    check(not lis.reached(tcp), f"[{label}] no listener of ours was reached")
    check(d.ctl("status").returncode == 0, f"[{label}] the daemon answers control requests")
    check(text_of(s.call("ok", {"x": 41})) == "42", f"[{label}] healthy tool answers at the end")

    # PDEATHSIG: the supervisor killed outright takes every worker along.
    workers = tool_workers(s.pid) + spawners(s.pid)
    os.kill(s.pid, signal.SIGKILL)
    s.proc.wait(10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(p) for p in workers):
        time.sleep(0.05)
    check(workers and not any(alive(p) for p in workers),
          f"[{label}] no worker outlives a killed supervisor ({len(workers)} workers)",
          [p for p in workers if alive(p)])
    s.kill()
    check(d.stop() == 0, f"[{label}] the daemon exits 0")
    tcp.close()
    lis.close()


for user, args in MODES:
    run_mode(user, args)

# -t names the layers too, as the startup log does.
p = dry_run([tool("ok", "def ok() -> int:\n    return 1\n")])
check(p.returncode == 0 and "sandbox: containment reduced: seccomp default-deny" in p.stderr and
      '"landlock":' in p.stderr and "workers' containment" in p.stderr,
      "mcp-hotd -t says which layers are active", p.stderr)
finish()
