# SPDX-License-Identifier: ISC
"""CPython's own tests inside a worker: what ordinary Python needs, measured.

Debian's libpython3.11-testsuite is CPython's `test` package. Each module
runs with unittest twice: under plain /usr/bin/python3, and inside a
worker (a tool that runs it in-process, its temp dir the worker's private
/tmp, a write grant for scratch, a run grant for the interpreter, a shell
and true, which tests spawn). Prints per module: baseline and worker passed / failed /
errors / skipped and seconds, and the worker's fate; then the totals.

  tests/stdlib_check.py            the modules of `make stdlib-check`
  tests/stdlib_check.py --quick    the subset `make check` runs (< 3 min)
  tests/stdlib_check.py MODULE...  those

Fails if any worker was killed by the sandbox (or died), and with --quick
if a module passes fewer tests in a worker than its floor below (what is
known to differ by design: see HACKING.md, "What CPython's tests say")."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from fnmatch import fnmatchcase

from mcptest import Server, check, finish, text_of, tool

PYTHON = os.path.realpath("/usr/bin/python3")
# What the modules spawn most: the interpreter, a shell, true.
RUN = [PYTHON] + [p for p in map(os.path.realpath, ("/bin/sh", "/usr/bin/true"))
                  if os.path.exists(p)]
MODULES = ["test_os", "test_shutil", "test_tempfile", "test_pathlib", "test_glob", "test_io",
           "test_fileio", "test_mmap", "test_json", "test_csv", "test_zipfile", "test_tarfile",
           "test_gzip", "test_zlib", "test_bz2", "test_lzma", "test_hashlib", "test_hmac",
           "test_datetime", "test_time", "test_re", "test_decimal", "test_random", "test_uuid",
           "test_logging", "test_threading", "test_concurrent_futures", "test_queue",
           "test_asyncio", "test_selectors", "test_select", "test_signal", "test_fcntl",
           "test_subprocess", "test_socket", "test_urllib", "test_httplib", "test_email",
           "test_xml_etree", "test_pickle", "test_codecs", "test_locale", "test_contextlib",
           "test_dataclasses", "test_typing", "test_posix", "test_stat", "test_importlib",
           "test_sqlite3"]
# Run module by module (each its own call).
SPLIT = {"test_asyncio"}
# make check's subset, and the share of baseline passes each must keep.
QUICK = {"test_json": 1.0, "test_csv": 1.0, "test_glob": 1.0, "test_tempfile": 0.95,
         "test_fileio": 1.0, "test_mmap": 0.85, "test_fcntl": 0.85, "test_stat": 0.7,
         "test_zlib": 1.0, "test_hmac": 1.0, "test_random": 1.0, "test_queue": 1.0,
         "test_contextlib": 1.0, "test_dataclasses": 1.0, "test_uuid": 0.9,
         "test_selectors": 1.0, "test_shutil": 0.8}

# A test that waits forever (a server thread that could not bind, so never
# says it is ready) is stopped after PER_TEST seconds by SIGALRM, which
# interrupts lock waits: an error, and the module goes on.
PER_TEST = int(os.environ.get("STDLIB_PER_TEST", "60"))
RUNNER = f"PER_TEST = {PER_TEST}\n" + r'''
import io, os, signal, sys, time, unittest



class _Stopped(Exception):
    pass


def _alarm(signum, frame):
    raise _Stopped(f"still running after {PER_TEST} s")


class _Result(unittest.TextTestResult):
    ok = None

    def addSuccess(self, test):
        super().addSuccess(test)
        self.ok.append(test.id())

    def startTest(self, test):
        signal.alarm(PER_TEST)
        super().startTest(test)

    def stopTest(self, test):
        signal.alarm(0)
        super().stopTest(test)


def _run(module, sink):
    signal.signal(signal.SIGALRM, _alarm)
    try:
        suite = unittest.defaultTestLoader.loadTestsFromName("test." + module)
    except unittest.SkipTest as e:    # a module for another platform
        return {"run": 0, "failed": 0, "errors": 0, "skipped": 0, "seconds": 0,
                "bad": [], "ok": [], "skipped_module": str(e)}
    result = _Result(sink, False, 0)
    result.ok = []
    t0 = time.monotonic()
    suite.run(result)
    bad = [str(t) for t, _ in result.failures + result.errors]
    return {"run": result.testsRun, "failed": len(result.failures),
            "errors": len(result.errors), "skipped": len(result.skipped),
            "seconds": round(time.monotonic() - t0, 1), "bad": bad[:200], "ok": result.ok}
'''

TOOL = RUNNER + r'''
def stdlib_test(module: str) -> dict:
    sink = io.StringIO()
    sys.executable = PYTHON
    os.chdir(os.environ.get("TMPDIR") or "/tmp")
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = sink
    try:
        return _run(module, sink)
    finally:
        sys.stdout, sys.stderr = saved
'''

BASELINE = RUNNER + r'''
import json, sys, tempfile
out = sys.argv[2]
os.chdir(tempfile.mkdtemp())
r = _run(sys.argv[1], io.StringIO())
with open(out, "w") as f:
    json.dump(r, f)
'''


def available(module):
    path = "/usr/lib/python3.11/test/" + module.replace(".", "/")
    return os.path.exists(path + ".py") or os.path.isdir(path)


def baseline(module):
    """The module under plain python3 (its answer in a file: tests and
    their children print on stdout)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        try:
            p = subprocess.run([PYTHON, "-c", BASELINE, module, out.name],
                               capture_output=True, text=True, timeout=900,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            p = subprocess.CompletedProcess(e.cmd, -1, "", "still running after 900 s")
        try:
            with open(out.name) as f:
                return json.load(f)
        except ValueError:
            return {"run": 0, "failed": 0, "errors": 0, "skipped": 0, "seconds": 0,
                    "bad": [], "died": (p.stderr or p.stdout)[-300:]}


def passed(r):
    return r["run"] - r["failed"] - r["errors"] - r["skipped"]


def expand(modules):
    """A package that runs long (test_asyncio) goes module by module: each
    is one call, with its own timeout and line."""
    out = []
    for m in modules:
        d = f"/usr/lib/python3.11/test/{m}"
        if m in SPLIT and os.path.isdir(d):
            out += sorted(f"{m}.{f[:-3]}" for f in os.listdir(d)
                          if f.startswith("test_") and f.endswith(".py"))
        else:
            out.append(m)
    return out


def by_design():
    """(category, pattern) of the tests known to need what the policy
    refuses by design: tests/stdlib_bydesign.txt."""
    rules = []
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "stdlib_bydesign.txt")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                category, pattern = line.split(None, 1)
                rules.append((category, pattern))
    return rules


def category_of(test_id, rules):
    for category, pattern in rules:
        if fnmatchcase(test_id, pattern):
            return category
    return None


def report_line(m, b, w, fate):
    print(f"# {m:26} {passed(b):6}/{b['failed']:3}/{b['errors']:3}/{b['skipped']:4} "
          f"{b['seconds']:6}s {passed(w):6}/{w['failed']:3}/{w['errors']:3}/"
          f"{w['skipped']:4} {w['seconds']:6}s  {fate}", flush=True)


def main(modules, floors):
    scratch = tempfile.mkdtemp(prefix="mcp-hotd-stdlib-", dir="/var/tmp")
    entry = tool("stdlib_test", f"PYTHON = {PYTHON!r}\n" + TOOL, timeout_ms=1800000,
                 memory_mb=4096, disk_mb=1024, load_timeout_ms=60000,
                 allow={"write": [scratch], "run": RUN})
    s = Server([entry], args=["--no-watch"])
    s.initialize()
    rules = by_design()
    totals = {"base": 0, "worker": 0, "killed": 0}
    lost, categories, unexplained, lost_ids = 0, {}, [], {}
    print(f"# {'module':26} {'plain: pass/fail/err/skip':>28} {'worker: pass/fail/err/skip':>28}"
          "  fate", flush=True)
    for m in expand(modules):
        if not available(m):
            print(f"# {m:26} not in this Python's test package (Debian has no {m})")
            continue
        b = baseline(m)
        r = s.call("stdlib_test", {"module": m}, timeout=1860)
        txt = text_of(r)
        try:
            w = json.loads(txt)
            fate = "lived"
        except ValueError:
            w = {"run": 0, "failed": 0, "errors": 0, "skipped": 0, "seconds": 0, "bad": [],
                 "ok": []}
            fate = txt[:120]
            totals["killed"] += "sandbox" in txt
        totals["base"] += passed(b)
        totals["worker"] += passed(w)
        report_line(m, b, w, fate)
        for t in sorted(set(b.get("ok", [])) - set(w["ok"])):
            lost += 1
            c = category_of(t, rules)
            lost_ids[t] = c
            categories[c] = categories.get(c, 0) + 1
            if c is None:
                unexplained.append(t)
                if os.environ.get("STDLIB_SHOW"):
                    print(f"#     {t}")
        check(fate == "lived", f"{m}: the worker lived through CPython's tests", fate)
        if m in floors:
            check(passed(w) >= floors[m] * passed(b),
                  f"{m}: {passed(w)} of {passed(b)} pass in a worker "
                  f"(floor {floors[m]:.0%})", w["bad"][:10])
    share = totals["worker"] / totals["base"] if totals["base"] else 0
    print(f"# total: {totals['worker']} of {totals['base']} tests that pass under plain "
          f"python3 pass in a worker ({share:.1%}); workers killed: {totals['killed']}")
    designed = lost - categories.get(None, 0)
    eligible = totals["base"] - designed
    kept = eligible - len(unexplained)
    print(f"# passing under plain python3 but not in a worker: {lost}, of which "
          f"refused by design: {designed}")
    for c, n in sorted(categories.items(), key=lambda kv: -kv[1]):
        if c is not None:
            print(f"#   {c:24} {n}")
    print(f"# unexplained: {len(unexplained)}; of the {eligible} tests that need nothing "
          f"refused by design, {kept} pass in a worker "
          f"({kept / eligible if eligible else 0:.2%})")
    if os.environ.get("STDLIB_REPORT"):
        with open(os.environ["STDLIB_REPORT"], "w") as f:
            json.dump({"categories": {str(k): v for k, v in categories.items()},
                       "unexplained": unexplained, "base": totals["base"],
                       "worker": totals["worker"], "lost": lost_ids}, f, indent=1)
    if not floors and len(modules) > 1:
        check(eligible and kept >= 0.99 * eligible,
              "99 % of the tests that need nothing refused by design pass in a worker",
              unexplained[:20])
    s.close()
    shutil.rmtree(scratch, ignore_errors=True)


if not os.path.isdir("/usr/lib/python3.11/test/support"):
    print("SKIP: Debian's libpython3.11-testsuite is not installed (scripts/install-deps)")
    sys.exit(77)
args = sys.argv[1:]
if args == ["--quick"]:
    main(list(QUICK), QUICK)
elif args:
    main(args, {})
else:
    main(MODULES, {})
finish()
