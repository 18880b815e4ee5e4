# SPDX-License-Identifier: ISC
"""Who may call what (--clients FILE): each client, known by its bearer
token (over HTTP) or its unix-socket peer (uid, gid: so a bridge is the
user who runs it), sees in tools/list only its tools and calls another's
as it would an unknown tool; another client's session is no session to
it; a caller matching no entry is refused (401, or one error line on the
unix socket); a reload that changes only one client's tools tells only
that client; SIGHUP re-reads the file (a new token works, the old one
not); status, metrics and the access log name the client; only a client
with "control" may use the control requests; mcp-hotctl token makes a
token and its line."""

import http.client
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile

from mcptest import MCP_HOTCTL, Daemon, Server, check, finish, tool, unix_client
from sse import post

NOBODY = pwd.getpwnam("nobody")
TOOLS = [tool(n, f"def {n}(x: int = 0) -> str:\n    return '{n}'\n")
         for n in ("lookup_order", "refund_order", "admin_reset")]


def token_line(name, tools):
    out = subprocess.run([MCP_HOTCTL, "token", name], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    entry = json.loads(out[1])
    entry["tools"] = tools
    return out[0].split()[1], entry


support_tok, support = token_line("support", ["lookup_*"])
finance_tok, finance = token_line("finance", ["lookup_order", "refund_order"])
check(re.fullmatch(r"[0-9a-f]{64}", support_tok) and
      re.fullmatch(r"[0-9a-f]{64}", support["token_sha256"]) and
      support["token_sha256"] != support_tok,
      "mcp-hotctl token: 256 random bits and the line with their SHA-256", support)
work = tempfile.mkdtemp(prefix="mcp-hotd-clients-", dir="/var/tmp")
os.chmod(work, 0o755)
clients_path = os.path.join(work, "clients.json")


def write_clients(entries):
    with open(clients_path + ".new", "w") as f:
        json.dump(entries, f)
    os.rename(clients_path + ".new", clients_path)


CLIENTS = [support, finance,
           {"name": "ops", "uid": 0, "tools": ["*"], "control": True},
           {"name": "nobody", "uid": NOBODY.pw_uid, "tools": ["lookup_*"]}]
write_clients(CLIENTS)
log_path = os.path.join(work, "access.log")
d = Daemon(TOOLS, http=True, workdir=work,
           args=["--clients", clients_path, "--access-log", log_path])
for p in (os.path.dirname(d.sock),):
    os.chmod(p, 0o755)
os.chmod(d.sock, 0o777)
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "t", "version": "1"}}}


def http_session(tok):
    st, hdr, r = post(d.port, INIT, {"Authorization": f"Bearer {tok}"})
    return st, hdr.get("Mcp-Session-Id")


def http_rpc(tok, sid, method, params=None, rid=2):
    h = {"Authorization": f"Bearer {tok}", "Mcp-Session-Id": sid}
    return post(d.port, {"jsonrpc": "2.0", "id": rid, "method": method,
                         "params": params or {}}, h)


def names(r):
    return sorted(t["name"] for t in r["result"]["tools"])


# HTTP: each token its client, its list, its calls.
st, sup = http_session(support_tok)
st2, fin = http_session(finance_tok)
check(st == 200 and st2 == 200 and sup and fin, "two clients open HTTP sessions", (st, st2))
_, hdr, r = http_rpc(support_tok, sup, "tools/list")
check(names(r) == ["lookup_order"], "support sees only lookup_order", r)
sup_version = r["result"]["_meta"]["io.github.mcp-hotd/toolsVersion"]
_, _, r = http_rpc(finance_tok, fin, "tools/list")
check(names(r) == ["lookup_order", "refund_order"], "finance sees its two", r)
check(r["result"]["_meta"]["io.github.mcp-hotd/toolsVersion"] != sup_version and
      hdr.get("Mcp-Hotd-Tools-Version") == sup_version,
      "each client's tools version is of its own list (body and header)", hdr)
_, _, hidden = http_rpc(support_tok, sup, "tools/call", {"name": "refund_order"})
_, _, unknown = http_rpc(support_tok, sup, "tools/call", {"name": "no_such_tool"})
check(hidden.get("error", {}).get("code") == unknown.get("error", {}).get("code") == -32602 and
      hidden["error"]["message"] == "Invalid params: unknown tool 'refund_order'" and
      unknown["error"]["message"] == "Invalid params: unknown tool 'no_such_tool'",
      "another client's tool is as unknown as a tool that does not exist", (hidden, unknown))
_, _, r = http_rpc(finance_tok, fin, "tools/call", {"name": "refund_order"})
check(r.get("result", {}).get("content", [{}])[0].get("text") == "refund_order",
      "finance calls refund_order", r)
st, _, r = http_rpc(finance_tok, sup, "tools/list")
check(st == 404, "a session of another client is no session (404)", (st, r))
node = os.environ.get("NODE") or shutil.which("node")
if node:
    p = subprocess.run([node, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                           "clients_sdk.mjs"),
                        f"http://127.0.0.1:{d.port}/mcp", support_tok, "lookup_order",
                        "refund_order"], capture_output=True, text=True, timeout=120)
    rep = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else {}
    check(rep.get("tools") == ["lookup_order"] and
          rep.get("visible", {}).get("content") == [{"type": "text", "text": "lookup_order"}] and
          "unknown tool 'refund_order'" in rep.get("hidden", ""),
          "the official SDK client with support's token: its list, its calls", p.stdout +
          p.stderr[-800:])
else:
    print("# SKIP: node absent, the SDK client not run")
st, _, r = post(d.port, INIT)
st_bad, _, _ = post(d.port, INIT, {"Authorization": "Bearer " + "0" * 64})
check(st == 401 and st_bad == 401, "no token, or one of no client: 401", (st, st_bad))

# The unix socket: the peer's uid is the client; a bridge is its user.
s, f = unix_client(d.sock)
f.write(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}) + "\n")
f.flush()
r = json.loads(f.readline())
check(names(r) == ["admin_reset", "lookup_order", "refund_order"], "uid 0 (ops) sees all", r)
s.close()
check(d.ctl("status").returncode == 0, "ops (control: true) may ask status")

AS_NOBODY = ["setpriv", f"--reuid={NOBODY.pw_uid}", f"--regid={NOBODY.pw_gid}",
             "--clear-groups"]
PEER = r"""
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rw")
out = []
for m in [{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion":
          "2025-06-18", "capabilities": {}, "clientInfo": {"name": "p", "version": "1"}}},
          {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
          {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "refund_order"}},
          {"jsonrpc": "2.0", "id": 4, "method": "mcp-hotd/status"}]:
    try:
        f.write(json.dumps(m) + "\n"); f.flush()
    except OSError:
        pass            # refused: the server closed after its error line
    try:
        line = f.readline()
    except OSError:
        line = ""
    out.append(json.loads(line) if line else None)
    if line and out[-1].get("id") is None:
        break
print(json.dumps(out))
"""
p = subprocess.run([*AS_NOBODY, sys.executable, "-c", PEER, d.sock], capture_output=True,
                   text=True, timeout=30)
res = json.loads(p.stdout or "[]")
check(len(res) == 4 and names(res[1]) == ["lookup_order"] and
      res[2]["error"]["message"] == "Invalid params: unknown tool 'refund_order'" and
      res[3]["error"]["code"] == -32601,
      "uid nobody: its tools only, no control requests", p.stdout + p.stderr)
bridge = subprocess.run([*AS_NOBODY, MCP_HOTCTL, "-s", d.sock, "bridge"],
                        input=json.dumps(INIT) + "\n" + json.dumps(
                            {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}) + "\n",
                        capture_output=True, text=True, timeout=30)
lines = [json.loads(x) for x in bridge.stdout.splitlines() if x.strip()]
check(any(x.get("id") == 2 and names(x) == ["lookup_order"] for x in lines),
      "a bridge run by nobody is client nobody", bridge.stdout + bridge.stderr)
stranger = ["setpriv", "--reuid=4242", "--regid=4242", "--clear-groups"]
p = subprocess.run([*stranger, sys.executable, "-c", PEER, d.sock], capture_output=True,
                   text=True, timeout=30)
res = json.loads(p.stdout or "[]")
check(res and res[0] and res[0].get("error", {}).get("code") == -32600 and
      "no client" in res[0]["error"]["message"] and "4242" in res[0]["error"]["message"],
      "uid 4242, no client: one error line, then the connection closes", p.stdout + p.stderr)

# A reload that changes only finance's tool tells finance alone.
LISTENER = r"""
import json, socket, sys, select, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rw")
f.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params":
        {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "l",
        "version": "1"}}}) + "\n"); f.flush(); f.readline()
f.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n"); f.flush()
print("ready", flush=True)
sys.stdin.readline()
s.setblocking(False)
time.sleep(1.0)
try:
    data = s.recv(65536).decode()
except BlockingIOError:
    data = ""
print(json.dumps(data))
"""
lst = subprocess.Popen([*AS_NOBODY, sys.executable, "-c", LISTENER, d.sock],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
check(lst.stdout.readline().strip() == "ready", "nobody's session listens")
ops_s, ops_f = unix_client(d.sock)
ops_f.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
ops_f.flush()
changed = [dict(t) for t in TOOLS]
changed[1]["description"] = "refunds, now with a receipt"
d.write_tools(changed)
ops_s.settimeout(10)
got = ops_f.readline()
lst.stdin.write("go\n")
lst.stdin.flush()
nobody_saw = json.loads(lst.stdout.readline())
lst.wait(10)
check("notifications/tools/list_changed" in got, "ops (who sees refund_order) hears of it",
      got)
check("list_changed" not in nobody_saw,
      "nobody (who does not) hears nothing", nobody_saw)
_, _, r = http_rpc(support_tok, sup, "tools/list", rid=7)
check(r["result"]["_meta"]["io.github.mcp-hotd/toolsVersion"] == sup_version,
      "support's tools version did not move", r["result"]["_meta"])
ops_s.close()

# SIGHUP: a new token for support; the old one is refused.
new_tok, new_support = token_line("support", ["lookup_*"])
write_clients([new_support, finance] + CLIENTS[2:])
d.hup("clients: 4 from")
st_new, sid_new = http_session(new_tok)
st_old, _ = http_session(support_tok)
check(st_new == 200 and st_old == 401, "after SIGHUP the new token works, the old is refused",
      (st_new, st_old))
write_clients([{"name": "broken"}])
log = d.hup("the clients stay as they were")
st_keep, _ = http_session(new_tok)
check(st_keep == 200 and "the clients stay as they were" in log,
      "a broken file on SIGHUP: refused, the clients stay", log[-300:])

# Status, metrics and the access log name the client.
status = json.loads(d.ctl("status", "--json").stdout)
check(any(s.get("client_id") == "finance" for s in status["sessions"]),
      "status names each session's client", status["sessions"])
c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
c.request("GET", "/metrics", headers={"Authorization": f"Bearer {finance_tok}"})
resp = c.getresponse()
metrics = resp.read().decode()
check(resp.status == 200 and re.search(r'mcp_hotd_client_sessions\{client="finance"\} \d+',
                                       metrics), "metrics count sessions per client",
      [x for x in metrics.splitlines() if "client" in x])
with open(log_path) as f:
    log = f.read()
check(re.search(r"tool=refund_order outcome=ok .* client=finance", log) and
      re.search(r"tool=refund_order outcome=error-32602 .* client=support", log),
      "the access log names the client of each request", log[-800:])
check(d.stop() == 0, "the daemon exits 0")

# stdio is the operator's own pipe: everything, clients or not.
write_clients(CLIENTS)
s = Server(TOOLS, args=["--clients", clients_path])
s.initialize()
check(sorted(t["name"] for t in s.list_tools()) ==
      ["admin_reset", "lookup_order", "refund_order"], "stdio sees every tool")
check(s.close() == 0, "that server exits 0")

# A file that names a client by nothing, or by a scope that is two: refused.
for bad, why in (([{"name": "x", "tools": []}], "known by nothing"),
                 ([{"name": "x", "oauth_scope": "two scopes", "tools": []}], "is one scope"),
                 ([{"name": "x", "uid": 1, "tools": "*"}], "must list the tools")):
    write_clients(bad)
    p = subprocess.run([d.proc.args[0], "-t", "-c", d.path, "--clients", clients_path],
                       capture_output=True, text=True, timeout=30)
    check(p.returncode != 0 and why in p.stderr, f"--clients refused: {why}", p.stderr)
finish()
