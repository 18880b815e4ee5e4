# SPDX-License-Identifier: ISC
"""make check's share of tests/stdlib_check.py: its --quick subset (under 3
minutes), each module held to a floor of what passes under plain python3."""
import os
import runpy
import sys

sys.argv = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "stdlib_check.py"),
            "--quick"]
runpy.run_path(sys.argv[0], run_name="__main__")
