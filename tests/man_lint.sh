#!/bin/sh
# SPDX-License-Identifier: ISC
# Every man page is lint-clean and renders, under mandoc and groff.
dir=${MANDIR:-$(dirname "$0")/../man}
if ! command -v mandoc >/dev/null 2>&1; then
    echo "SKIP: mandoc is not installed (scripts/install-deps installs it)"
    exit 77
fi
passed=0 failed=0
for page in "$dir"/*.[1-9]; do
    # man -l renders with groff: no warning there either (a table too
    # wide for the page is dropped with one).
    if out=$(mandoc -T lint -W warning "$page" 2>&1) && [ -z "$out" ] &&
        mandoc -T html "$page" | grep -q DESCRIPTION &&
        { ! command -v groff >/dev/null 2>&1 ||
          { out=$(MANWIDTH=80 groff -mandoc -Tutf8 -ww -z "$page" 2>&1) &&
            [ -z "$out" ]; }; }; then
        echo "ok - $(basename "$page") is lint-clean and renders (mandoc, groff)"
        passed=$((passed + 1))
    else
        echo "not ok - $(basename "$page"): $out"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
