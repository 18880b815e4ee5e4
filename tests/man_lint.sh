#!/bin/sh
# SPDX-License-Identifier: ISC
# Every man page is lint-clean and renders.
dir=${MANDIR:-$(dirname "$0")/../man}
if ! command -v mandoc >/dev/null 2>&1; then
    echo "SKIP: mandoc is not installed (scripts/install-deps installs it)"
    exit 77
fi
passed=0 failed=0
for page in "$dir"/*.[1-9]; do
    if out=$(mandoc -T lint -W warning "$page" 2>&1) && [ -z "$out" ] &&
        mandoc -T html "$page" | grep -q DESCRIPTION; then
        echo "ok - $(basename "$page") is lint-clean and renders"
        passed=$((passed + 1))
    else
        echo "not ok - $(basename "$page"): $out"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
