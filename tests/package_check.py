#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The Debian package scripts/package built: tests/package_check.py DEB.
Lists it (dpkg-deb -c) for the FHS paths, reads its conffiles, extracts
it (dpkg-deb -x), runs systemd-analyze verify --root= on the units there,
checks the extracted daemon on the shipped tools.json (-t, with the
extracted worker), and that lintian (lintian.txt beside the .deb) reported
no error."""

import os
import shutil
import subprocess
import sys
import tempfile

from mcptest import check, finish, systemd_verify

deb = sys.argv[1]
listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True,
                         check=True).stdout
paths = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
for want in ("/usr/sbin/mcp-hotd", "/usr/bin/mcp-hotctl", "/usr/libexec/mcp-hotd/mcp-hotd-worker",
             "/etc/mcp-hotd/tools.json", "/etc/default/mcp-hotd",
             "/lib/systemd/system/mcp-hotd.service", "/lib/systemd/system/mcp-hotd.socket",
             "/usr/share/man/man8/mcp-hotd.8.gz", "/usr/share/man/man5/mcp-hotd.json.5.gz",
             "/usr/share/man/man1/mcp-hotctl.1.gz", "/usr/share/doc/mcp-hotd/copyright"):
    check(want in paths, f"the package holds {want}")
check(not any(p.startswith("/usr/local") or p.startswith("/usr/bin/mcp-hotd-") for p in paths),
      "nothing under /usr/local, no worker in PATH")
d = tempfile.mkdtemp(prefix="mcp-hotd-deb-")
try:
    subprocess.run(["dpkg-deb", "-e", deb, d + "/DEBIAN"], check=True)
    conf = open(d + "/DEBIAN/conffiles").read().split()
    check("/etc/mcp-hotd/tools.json" in conf and "/etc/default/mcp-hotd" in conf,
          "tools.json and the defaults file are conffiles", conf)
    subprocess.run(["dpkg-deb", "-x", deb, d], check=True)
    unit = open(d + "/lib/systemd/system/mcp-hotd.service").read()
    exe = [l.split("=", 1)[1].split()[0] for l in unit.splitlines()
           if l.startswith("ExecStart=")][0]
    check(exe == "/usr/sbin/mcp-hotd" and os.access(d + exe, os.X_OK),
          "the unit's ExecStart is the packaged daemon", exe)
    check("EnvironmentFile=-/etc/default/mcp-hotd" in unit, "the unit reads /etc/default/mcp-hotd")
    r = systemd_verify(d, ["mcp-hotd.service", "mcp-hotd.socket"], "/lib/systemd/system")
    check(r is not None and r.returncode == 0 and r.stderr.strip() == "",
          "systemd-analyze verify --root= accepts the packaged units",
          r.stderr[-600:] if r else "no systemd-analyze")
    t = subprocess.run([d + "/usr/sbin/mcp-hotd", "-t", "-c", d + "/etc/mcp-hotd/tools.json",
                        "--worker", d + "/usr/libexec/mcp-hotd/mcp-hotd-worker"],
                       capture_output=True, text=True, timeout=120)
    check(t.returncode == 0 and " OK" in t.stdout,
          "the packaged daemon loads the packaged tools.json (-t)", (t.stdout + t.stderr)[-400:])
    lint = os.path.join(os.path.dirname(os.path.abspath(deb)), "lintian.txt")
    errors = [l for l in open(lint) if l.startswith("E:")] if os.path.exists(lint) else ["none"]
    check(not errors, "lintian reported no error", errors[:5])
finally:
    shutil.rmtree(d, ignore_errors=True)
finish()
