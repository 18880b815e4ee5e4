# SPDX-License-Identifier: ISC
"""Signed tools (--trusted-signers) and the review before they serve.

With an allowed_signers file, a tools file serves only with a valid
detached SSH signature beside it (ssh-keygen -Y sign -n mcp-hotd-tools):
a signed file serves and status names its signer; an edit without
re-signing, a key not listed, a signature for another namespace, one over
other bytes are refused, the old
tools answering on, the log naming the file, the reason and the key; a
writer replacing file and signature in either order, unsigned versions in
between, never gets an unsigned version served. What signing does not
cover (the signers file, --python-path) is checked as sshd's StrictModes.
mcp-hotctl diff says what a file adds, removes and changes, a widened grant
on a line of its own; mcp-hotd -t prints the same for a file alone."""

import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request

from mcptest import MCP_HOTD, Daemon, check, finish, unix_client

NS = "mcp-hotd-tools"
root = tempfile.mkdtemp(prefix="mcp-hotd-signed-", dir="/var/tmp")
os.chmod(root, 0o755)
keys = os.path.join(root, "keys")
os.mkdir(keys, 0o700)


def keygen(name, kind="ed25519"):
    path = os.path.join(keys, name)
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", name, "-f", path],
                   check=True)
    with open(path + ".pub") as f:
        kind, blob = f.read().split()[:2]
    fp = subprocess.run(["ssh-keygen", "-l", "-f", path + ".pub"], capture_output=True,
                        text=True, check=True).stdout.split()[1]
    return path, f"{kind} {blob}", fp


ops_key, ops_pub, ops_fp = keygen("ops")
other_key, other_pub, other_fp = keygen("other")
ecdsa_key, ecdsa_pub, ecdsa_fp = keygen("ecdsa", "ecdsa")
rsa_key, rsa_pub, rsa_fp = keygen("rsa", "rsa")
signers = os.path.join(root, "allowed_signers")
with open(signers, "w") as f:
    f.write(f'ops@example namespaces="{NS}" {ops_pub}\n')
    f.write(f'ci@example {ecdsa_pub}\n')                   # any namespace
    f.write(f'rsa@example namespaces="git,{NS}" {rsa_pub}\n')
os.chmod(signers, 0o644)


def sign(data, key=ops_key, ns=NS):
    """The signature (text) of data's bytes."""
    d = tempfile.mkdtemp(dir=keys)
    p = os.path.join(d, "f")
    with open(p, "wb") as f:
        f.write(data)
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", ns, "-f", key, p], check=True,
                   capture_output=True)
    with open(p + ".sig", "rb") as f:
        sig = f.read()
    shutil.rmtree(d)
    return sig


def put(path, data):
    """Replace path as an editor or a deploy does: a new file renamed over."""
    tmp = path + ".new"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def tools(description, extra=None):
    t = [{"name": "add", "description": description,
          "code": "def add(a: int, b: int) -> int:\n    return a + b\n"}]
    return t + (extra or [])


def text(t):
    return json.dumps(t).encode()


def describe(sock):
    s, f = unix_client(sock)
    f.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}) + "\n")
    f.flush()
    r = json.loads(f.readline())
    f.write(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                        "params": {"name": "add", "arguments": {"a": 2, "b": 3}}}) + "\n")
    f.flush()
    c = json.loads(f.readline())
    s.close()
    return ({t["name"]: t.get("description") for t in r["result"]["tools"]},
            c["result"]["content"][0]["text"])


def wait_log(d, needle, since, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in d.stderr()[since:]:
            return True
        time.sleep(0.05)
    return False


# A signed file serves; status and metrics name the signer.
work = tempfile.mkdtemp(prefix="mcp-hotd-signed-", dir="/var/tmp")
os.chmod(work, 0o755)
v1 = tools("v1")
path = os.path.join(work, "tools.json")
put(path, text(v1))
put(path + ".sig", sign(text(v1)))
d = Daemon(v1, workdir=work, args=["--trusted-signers", signers,
                                   "--metrics-listen", "127.0.0.1:0"])
listed, answer = describe(d.sock)
check(listed == {"add": "v1"} and answer == "5", "a signed file serves", (listed, answer))
st = json.loads(d.ctl("status", "--json").stdout)
check(st.get("tools_signer") == {"principal": "ops@example", "key": ops_fp} and
      isinstance(st.get("tools_loaded"), int), "status names the signer and the load time",
      {k: st.get(k) for k in ("tools_signer", "tools_loaded")})
check(f'"signer":{{"principal":"ops@example","key":"{ops_fp}"}}' in d.stderr(),
      "the loaded: line names the signer")
mport = int(re.search(r"metrics endpoint http://127\.0\.0\.1:(\d+)/metrics",
                      d.stderr()).group(1))
with urllib.request.urlopen(f"http://127.0.0.1:{mport}/metrics", timeout=10) as r:
    metrics = r.read().decode()
check(re.search(r'mcp_hotd_tools_info\{version="[0-9a-f]{16}",signer="ops@example",key="' +
                re.escape(ops_fp) + r'"\} 1', metrics) and
      re.search(r"mcp_hotd_tools_loaded_timestamp_seconds 1\d{9}", metrics),
      "metrics: the served version, its signer and when it was loaded",
      [x for x in metrics.splitlines() if "tools_" in x])


def refused(what, data, sig, needle):
    """Write data (and sig, if any), expect a refusal naming needle."""
    since = len(d.stderr())
    if sig is None:
        if os.path.exists(path + ".sig"):
            os.unlink(path + ".sig")
        put(path, data)
    else:
        put(path + ".sig", sig)
        put(path, data)
    ok = wait_log(d, "reload failed", since)
    log = d.stderr()[since:]
    listed, answer = describe(d.sock)
    check(ok and needle in log and path in log and listed == {"add": "v1"} and answer == "5",
          f"{what}: refused, the log says why, the old tools answer on",
          (needle, log[-600:], listed, answer))


# ECDSA and RSA keys too; a line without namespaces= allows any.
for who, key, fp in (("ci@example", ecdsa_key, ecdsa_fp), ("rsa@example", rsa_key, rsa_fp)):
    since = len(d.stderr())
    vk = tools("v1")
    put(path + ".sig", sign(text(vk), key=key))
    put(path, text(vk))
    ok = wait_log(d, f'"principal":"{who}"', since)
    check(ok and describe(d.sock)[0] == {"add": "v1"}, f"signed by {who} with an "
          f"{key.rsplit('/', 1)[1].upper()} key: serves", d.stderr()[since:][-300:])
put(path + ".sig", sign(text(v1)))
put(path, text(v1))

v2 = tools("v2")
refused("an edit without re-signing", text(v2), None, "no signature beside it")
put(path + ".sig", sign(text(v1)))
refused("an edit under the old signature", text(v2), sign(text(v1)), ops_fp)
refused("a key not listed", text(v2), sign(text(v2), key=other_key),
        f"{other_fp} is not a trusted signer")
refused("a signature for another namespace", text(v2), sign(text(v2), ns="git"),
        'for namespace "git"')
refused("a signature over other bytes", text(v2), sign(text(v2) + b" "),
        "does not hold for this file")
refused("a garbled signature", text(v2), b"-----BEGIN SSH SIGNATURE-----\nAAAA\n"
        b"-----END SSH SIGNATURE-----\n", "not an SSH signature")

# A writer racing the watcher: signed versions written file-first or
# signature-first, unsigned ones (and stale signatures) in between.
versions = [tools(f"signed {i}") for i in range(8)]
signed = [(text(v), sign(text(v))) for v in versions]
seen, stop = set(), threading.Event()


def watch():
    while not stop.is_set():
        try:
            listed, _ = describe(d.sock)
            seen.add(listed.get("add"))
        except (OSError, ValueError, KeyError):
            pass


reader = threading.Thread(target=watch)
reader.start()
rng = random.Random(30)
for i, (data, sig) in enumerate(signed):
    if rng.random() < 0.5:
        put(path, data)
        time.sleep(rng.random() * 0.05)
        put(path + ".sig", sig)
    else:
        put(path + ".sig", sig)
        time.sleep(rng.random() * 0.05)
        put(path, data)
    time.sleep(0.15)
    put(path, text(tools(f"unsigned {i}")))          # the old signature stays
    time.sleep(rng.random() * 0.1)
put(path, signed[-1][0])
put(path + ".sig", signed[-1][1])
deadline = time.monotonic() + 15
while time.monotonic() < deadline and describe(d.sock)[0].get("add") != "signed 7":
    time.sleep(0.1)
stop.set()
reader.join()
final = describe(d.sock)[0]
check(not any(s and s.startswith("unsigned") for s in seen) and final == {"add": "signed 7"},
      f"a racing writer: only signed versions served ({len(seen)} seen), the last one last",
      (sorted(s for s in seen if s), final))

# The review: what a file adds, removes and changes, a widened grant alone.
cand = [{"name": "add", "description": "signed 7",
         "code": "def add(a: int, b: int) -> int:\n    # checked\n    return a + b\n",
         "allow": {"net": ["api.example.com:443"]}},
        {"name": "fresh", "description": "new", "code": "def fresh() -> str:\n    return 'x'\n"}]
cpath = os.path.join(work, "candidate.json")
with open(cpath, "w") as f:
    json.dump(cand, f)
r = d.ctl("diff", cpath)
lines = r.stdout.splitlines()
check(r.returncode == 0 and "added tool 'fresh'" in lines and
      any(x.startswith("changed tool 'add': code, allow") for x in lines) and
      "    +     # checked" in lines and
      "widened: tool 'add' gains net api.example.com:443" in lines and
      any("NOT SERVABLE" in x and "none came with it" in x for x in lines),
      "mcp-hotctl diff: added, changed (the code's diff), the widened grant on its own line, "
      "unsigned", r.stdout + r.stderr)
with open(cpath + ".sig", "wb") as f:
    f.write(sign(open(cpath, "rb").read()))
put(path, open(cpath, "rb").read())
put(path + ".sig", open(cpath + ".sig", "rb").read())
deadline = time.monotonic() + 15
while time.monotonic() < deadline and "fresh" not in describe(d.sock)[0]:
    time.sleep(0.1)
narrow = [{"name": "add", "description": "signed 7",
           "code": "def add(a: int, b: int) -> int:\n    # checked\n    return a + b\n"}]
with open(cpath, "w") as f:
    json.dump(narrow, f)
r = d.ctl("diff", cpath)
check("removed tool 'fresh'" in r.stdout and
      "narrowed: tool 'add' loses net api.example.com:443" in r.stdout and
      "widened" not in r.stdout, "... and a file that removes a tool and narrows a grant",
      r.stdout)
with open(cpath, "w") as f:
    f.write('[{"name": "broken",')
r = d.ctl("diff", cpath)
check(r.returncode == 0 and "NOT SERVABLE" in r.stdout and cpath in r.stdout,
      "a file that does not parse: not servable, saying where", r.stdout + r.stderr)
r = d.ctl("diff")
check(r.returncode == 0 and "signed by ops@example" in r.stdout and
      "unchanged: 2 tools" in r.stdout, "diff without a file: the daemon's own, as signed",
      r.stdout)
check(d.stop() == 0, "the daemon exits 0")

# -t prints the same review for a file alone.
t = subprocess.run([MCP_HOTD, "-t", "-c", path, "--trusted-signers", signers],
                   capture_output=True, text=True, timeout=60)
check(t.returncode == 0 and "added tool 'fresh'" in t.stdout and
      "widened: tool 'add' gains net api.example.com:443" in t.stdout and
      "signed by ops@example" in t.stdout, "mcp-hotd -t: the review of the file", t.stdout)

# Without ssh-keygen nothing can be checked: the file is refused, saying so.
t = subprocess.run([MCP_HOTD, "-t", "-c", path, "--trusted-signers", signers],
                   capture_output=True, text=True, timeout=60,
                   env=dict(os.environ, PATH="/nonexistent"))
check(t.returncode != 0 and "cannot run ssh-keygen" in t.stderr,
      "no ssh-keygen on PATH: refused, naming it", t.stderr[-300:])

# What signing does not cover: the signers file and code directories.
os.chmod(signers, 0o666)
t = subprocess.run([MCP_HOTD, "-t", "-c", path, "--trusted-signers", signers],
                   capture_output=True, text=True, timeout=60)
check(t.returncode != 0 and "writable by its group or by anyone" in t.stderr,
      "a signers file others may write: refused", t.stderr)
os.chmod(signers, 0o644)
pp = os.path.join(root, "pp")
os.mkdir(pp)
os.chmod(pp, 0o777)
t = subprocess.run([MCP_HOTD, "-t", "-c", path, "--python-path", pp], capture_output=True,
                   text=True, timeout=60)
check(t.returncode == 0 and "whoever may write there runs code" in t.stderr,
      "a --python-path others may write: a warning", t.stderr)
t = subprocess.run([MCP_HOTD, "-t", "-c", path, "--python-path", pp, "--trusted-signers",
                    signers], capture_output=True, text=True, timeout=60)
check(t.returncode != 0 and "which signing does not cover" in t.stderr,
      "... refused with --trusted-signers", t.stderr)
# ... and a directory a tool may read (it may import from it).
ww = os.path.join(root, "shared")
os.mkdir(ww)
os.chmod(ww, 0o777)
rg = os.path.join(work, "readgrant.json")
with open(rg, "w") as f:
    json.dump(tools("rg", [{"name": "reader", "description": "r", "allow": {"read": [ww]},
                           "code": "def reader() -> str:\n    return 'r'\n"}]), f)
with open(rg + ".sig", "wb") as f:
    f.write(sign(open(rg, "rb").read()))
t = subprocess.run([MCP_HOTD, "-t", "-c", rg, "--trusted-signers", signers],
                   capture_output=True, text=True, timeout=60)
check(t.returncode != 0 and "SKIPPED" in t.stdout and "signing does not cover" in t.stdout and
      "add: OK" in t.stdout, "a read grant others may write: that tool refused when signed",
      t.stdout + t.stderr)
t = subprocess.run([MCP_HOTD, "-t", "-c", rg], capture_output=True, text=True, timeout=60)
check(t.returncode == 0 and "may change what the tool imports" in t.stderr,
      "... a warning when unsigned", t.stderr)
shutil.rmtree(root, True)
shutil.rmtree(work, True)
finish()
