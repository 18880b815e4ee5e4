# SPDX-License-Identifier: ISC
"""Hostile tools: each is answered isError within its bound, the supervisor
stays up, healthy tools keep answering, nothing is left on disk or running."""

import json
import os
import tempfile
import time

from mcptest import Server, check, fd_count, finish, text_of, tool

# must never exist (not in /tmp: a worker's /tmp is its own tmpfs)
MARK = tempfile.mktemp(prefix="mcp-hotd-hostile-", dir="/var/tmp")
H = {
    "read_passwd": "def read_passwd():\n    return open('/etc/passwd').read()\n",
    "write_file": f"def write_file():\n    open({MARK!r}, 'w').write('pwned')\n    return 'wrote'\n",
    "socket": "import socket\n\ndef socket_():\n    s = socket.socket()\n    s.connect(('127.0.0.1', 9))\n    return 'connected'\n",
    "shell": "import os\n\ndef shell():\n    if os.system('id > " + MARK + "'):\n        raise PermissionError('the shell did not run')\n    return 'ran'\n",
    "subprocess": "import subprocess\n\ndef subprocess_():\n    return subprocess.run(['id'], capture_output=True).stdout.decode()\n",
    "fork": "import os\n\ndef fork():\n    while True:\n        os.fork()\n",
    "spin": "def spin():\n    while True:\n        pass\n",
    "alloc": "def alloc():\n    return len(bytearray(4 * 1024 ** 3))\n",
    "alloc_loop": "def alloc_loop():\n    xs = []\n    while True:\n        xs.append(bytearray(64 * 1024 ** 2))\n",
    "segv": "import ctypes\n\ndef segv():\n    return ctypes.string_at(0)\n",
    "kill_parent": "import os, signal\n\ndef kill_parent():\n    os.kill(os.getppid(), signal.SIGKILL)\n    return 'killed'\n",
    "kill_group": "import os, signal\n\ndef kill_group():\n    os.kill(0, signal.SIGTERM)\n    return 'killed'\n",
    "exit": "import os\n\ndef exit_():\n    os._exit(3)\n",
    "sys_exit": "import sys\n\ndef sys_exit():\n    sys.exit(0)\n",
    "recurse": "def recurse(n: int = 0):\n    return recurse(n + 1)\n",
    "deep_recurse": "import sys\nsys.setrecursionlimit(10**7)\n\ndef deep_recurse(n: int = 0):\n    return deep_recurse(n + 1)\n",
    "env": "import os\n\ndef env():\n    return dict(os.environ)\n",
    "proc_environ": "def proc_environ(pid: int = 0):\n    return open(f'/proc/{pid}/environ', 'rb').read().decode('latin-1')\n",
    "huge_reply": "def huge_reply():\n    return 'x' * (200 * 1024 * 1024)\n",
    "big_reply": "def big_reply():\n    return 'y' * (20 * 1024 * 1024)\n",
    "forge_frame": "import os\n\ndef forge_frame():\n    os.write(3, b'\\x05\\x00\\x01\\x00\\xff\\xff\\xff\\x7f' + b'\\x00' * 8)\n    return 'forged'\n",
    "forge_result": "import os, struct\n\ndef forge_result():\n    p = b'{\"content\":[{\"type\":\"text\",\"text\":\"forged\"}],\\n\"isError\":false}'\n"
                    "    os.write(3, struct.pack('=HHIQ', 5, 1, len(p), 999999) + p)\n    return 'x'\n",
    "forge_version": "import os\n\ndef forge_version():\n    os.write(3, b'\\x05\\x00\\x00\\x00' + b'\\x00' * 12)\n    return 'forged'\n",
    "close_channel": "import os\n\ndef close_channel():\n    os.close(3)\n    return 'closed'\n",
    "sigsys_handler": "import signal\n\ndef sigsys_handler():\n    signal.signal(signal.SIGSYS, signal.SIG_IGN)\n    return 'ignored'\n",
    "sigsys_blocked": "import os, signal\n\ndef sigsys_blocked():\n    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGSYS])\n    os.kill(1, 0)\n    return 'refused?'\n",
    "thread": "import threading\n\ndef thread():\n    t = threading.Thread(target=print)\n    t.start()\n    return 'started'\n",
    "exec_mem": "import mmap\n\ndef exec_mem():\n    m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\n    return 'rwx'\n",
    "ctypes_fork": "import ctypes\nlibc = ctypes.CDLL(None)\n\ndef ctypes_fork():\n    if libc.fork() < 0:\n        raise PermissionError('fork refused')\n    return 'forked'\n",
    "listdir": "import os\n\ndef listdir():\n    return os.listdir('/')\n",
}
TOOLS = [tool(k, v, timeout_ms=3000, memory_mb=256) for k, v in H.items()]
TOOLS.append(tool("ok", "def ok(x: int) -> int:\n    return x + 1\n"))
# Hostile at load time: the load phase refuses writes, processes and sockets.
LOADS = {
    "load_write": f"open({MARK!r}, 'w').write('x')\ndef load_write():\n    return 1\n",
    "load_fork": "import os\nos.fork()\ndef load_fork():\n    return 1\n",
    "load_socket": "import socket\nsocket.create_connection(('127.0.0.1', 9))\ndef load_socket():\n    return 1\n",
    "load_hang": "while True:\n    pass\ndef load_hang():\n    return 1\n",
    "load_shell": "import subprocess\nsubprocess.run(['touch', " + repr(MARK) + "])\ndef load_shell():\n    return 1\n",
}
TOOLS += [tool(k, v, timeout_ms=3000, load_timeout_ms=3000) for k, v in LOADS.items()]

secret_env = dict(os.environ, MCP_HOTD_SECRET="s3cr3t-value-xyz")
s = Server(TOOLS, env=secret_env, args=["--max-reply", str(8 * 1024 * 1024)])
s.initialize()
names = [t["name"] for t in s.list_tools()]
check(all(n not in names for n in LOADS), "hostile load-time tools do not load", names)
err = s.stderr()
for n in LOADS:
    check(f"'{n}'" in err, f"load failure logged for {n}")
check("did not load within 3000 ms" in err, "a hanging load is bounded by load_timeout_ms")
base_fds = fd_count(s.pid)

EXPECT = {
    "read_passwd": "PermissionError", # Landlock's EACCES, or the worker's read-only mount view's EROFS first:
    "write_file": ("PermissionError", "Read-only file system"),
    "socket": "PermissionError", "shell": "PermissionError", "subprocess": "",
    "fork": "PermissionError", "spin": "timed out after 3000 ms", "alloc": "MemoryError",
    "alloc_loop": "MemoryError", "segv": "SIGSEGV", "kill_parent": "PermissionError",
    "kill_group": "PermissionError", "exit": "status 3", "sys_exit": "SystemExit",
    "recurse": "RecursionError", "deep_recurse": "", "proc_environ": "PermissionError",
    "huge_reply": "", "big_reply": "exceeds the limit", "forge_frame": "bad frame",
    "forge_version": "another frame version",
    "forge_result": "", "close_channel": "", "sigsys_handler": "PermissionError",
    # SIGSYS blocked, a refused call cannot be answered with an errno: death.
    "sigsys_blocked": "killed by the sandbox (SIGSYS)",
    "exec_mem": "", "ctypes_fork": "PermissionError",
    "listdir": "PermissionError",
}
for name, needle in EXPECT.items():
    t0 = time.monotonic()
    r = s.call(name, {"pid": s.pid} if name == "proc_environ" else {}, timeout=60)
    dt = time.monotonic() - t0
    txt = text_of(r) if all(isinstance(c.get("text"), str) for c in r.get("content", [])) else json.dumps(r)
    needles = needle if isinstance(needle, tuple) else (needle,)
    check(r.get("isError") is True and any(n in txt for n in needles) and dt < 10,
          f"{name}: isError ({txt[:90]!r}, {dt:.2f}s)", json.dumps(r)[:300])
    r = s.call("ok", {"x": 41})
    if not check(text_of(r) == "42", f"healthy tool answers after {name}", r):
        break

check("refused syscall kill (62), errno 1" in s.stderr(),
      "a refused call is named in the log; the worker lived on")
r = s.call("thread")
check(text_of(r) == "started" and not r.get("isError"), "a tool may start a thread", r)
r = s.call("env")
check("s3cr3t" not in json.dumps(r) and "MCP_HOTD_SECRET" not in json.dumps(r),
      "the supervisor's environment is invisible", text_of(r)[:200])
check(s.proc.poll() is None, "supervisor still running")
check(not os.path.exists(MARK), "nothing created on disk", MARK)
check(s.wait_for(lambda: fd_count(s.pid) == base_fds, 5), "no fd leaked in the supervisor",
      (base_fds, fd_count(s.pid)))
n_tools = len(names)
check(s.wait_for(lambda: len(s.workers()) <= n_tools, 10), "no stray processes",
      (len(s.workers()), n_tools))
check(s.close() == 0, "clean exit")

# The layers each worker got are logged, once.
s = Server([tool("a", "def a() -> int:\n    return 1\n"), tool("b", "def b() -> int:\n    return 2\n")])
s.initialize()
err = s.stderr()
check("sandbox: containment reduced: seccomp default-deny" in err, "the startup log names the layers", err)
check(err.count("workers' containment: {") == 1, "each worker's containment logged once", err)
s.close()

# Crash loops back off instead of respawning hot; other tools keep serving.
s = Server([tool("crashy", "import ctypes\n\ndef crashy():\n    ctypes.string_at(0)\n"),
            tool("ok", "def ok() -> int:\n    return 1\n")])
s.initialize()
texts = [text_of(s.call("crashy")) for _ in range(6)]
check(all("SIGSEGV" in t for t in texts[:3]), "first crashes name the signal", texts[:3])
check(any("unavailable after" in t for t in texts[3:]), "then calls fail fast during backoff",
      texts[3:])
check("next start in" in s.stderr(), "backoff logged")
check(text_of(s.call("ok")) == "1", "other tools keep serving during a crash loop")
check(s.close() == 0, "exits 0 with a tool in backoff")
check(s.leftovers() == [], "no worker left", s.leftovers())
check(s.leftovers() == [], "no worker left after exit", s.leftovers())

# Pipelined calls: each one's timeout counts from when it starts to run,
# not from when the one before it did (the deadline moves on per call).
s = Server([tool("nap", "import time\ndef nap(x: float) -> str:\n    time.sleep(x)\n"
                        "    return 'ok'\n", timeout_ms=600)])
s.initialize()
t0 = time.monotonic()
s.send({"jsonrpc": "2.0", "id": 101, "method": "tools/call",
        "params": {"name": "nap", "arguments": {"x": 0.4}}})
s.send({"jsonrpc": "2.0", "id": 102, "method": "tools/call",
        "params": {"name": "nap", "arguments": {"x": 10}}})
first, second = s.recv(), s.recv()
took = time.monotonic() - t0
check(first["id"] == 101 and text_of(first["result"]) == "ok" and second["id"] == 102 and
      "timed out after 600 ms" in text_of(second["result"]) and 0.9 <= took < 2.5,
      f"a pipelined call's timeout runs from its own start ({took:.2f} s, want about 1.0)",
      (first, second))
check(s.close() == 0, "exits 0")
finish()
