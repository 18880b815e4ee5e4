# SPDX-License-Identifier: ISC
"""The command line comes from one table: --help lists every option and
exits 0, --version prints one, --dump-config shows each setting in
effect (one passed included), an unknown option is refused with exit 2,
and mcp-hotd(8) describes exactly the options --help lists."""

import os
import re
import subprocess

from mcptest import MCP_HOTD, TOP_SRC, check, finish

h = subprocess.run([MCP_HOTD, "--help"], capture_output=True, text=True, timeout=10)
listed = set(re.findall(r"--([a-z][a-z0-9-]*)", h.stdout))
check(h.returncode == 0 and len(listed) >= 35 and "config" in listed and
      "access-log" in listed, f"--help exits 0 and lists every option ({len(listed)})",
      h.stdout[-500:])
v = subprocess.run([MCP_HOTD, "--version"], capture_output=True, text=True, timeout=10)
check(v.returncode == 0 and re.fullmatch(r"mcp-hotd \d+\.\d+\.\d+\n", v.stdout),
      "--version prints one line", v.stdout)
dump = subprocess.run([MCP_HOTD, "-c", "/dev/null", "--max-reply", "2048", "--no-spawner",
                       "--dump-config"], capture_output=True, text=True, timeout=10)
settings = dict(line.split(" ", 1) for line in dump.stdout.splitlines())
check(dump.returncode == 0 and settings.get("max-reply") == "2048" and
      settings.get("no-spawner") == "yes" and settings.get("max-unread") == "100663296" and
      settings.get("config") == "/dev/null",
      "--dump-config: what was passed, and the defaults", dump.stdout)
check(set(settings) <= listed, "... each a name --help lists")
bad = subprocess.run([MCP_HOTD, "-c", "/dev/null", "--no-such-option"], capture_output=True,
                     text=True, timeout=10)
check(bad.returncode == 2 and "--help" in bad.stderr, "an unknown option: exit 2, naming --help",
      bad.stderr)
with open(os.path.join(TOP_SRC, "man", "mcp-hotd.8")) as f:
    man = f.read()
described = set(re.findall(r"^\.It Fl (?:[a-z] , Fl )?-([a-z][a-z0-9-]*)", man, re.M))
described |= set(re.findall(r"^\.It Fl [a-z] Ar \w+ , Fl -([a-z][a-z0-9-]*)", man, re.M))
check(listed <= described, "mcp-hotd(8) describes every option --help lists",
      sorted(listed - described))
check(described <= listed, "... and no option that does not exist", sorted(described - listed))
finish()
