#!/bin/sh
# Runs every tests/cli/test_*.sh and prints one closing line: "N passed, N failed, N skipped".
# Each script prints "ok - ...", "not ok - ..." or "skip - ... (why)" per assertion (see
# lib.sh); the skips are listed. A script that prints none of them has failed (it cannot
# pass silently).
# Needs FAIRGATE (the binary under test) and TOOLS (the built test tools) in the environment.
# Usage: run.sh [DIR] (the folder of the scripts; this one by default).
set -u
here=$(cd "${1:-$(dirname "$0")}" && pwd)
: "${FAIRGATE:?FAIRGATE must name the fairgate binary}"
pass=0
fail=0
skipped=0
for t in "$here"/test_*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .sh)
    out=$(sh "$t" 2>&1)
    rc=$?
    p=$(printf '%s\n' "$out" | grep -c '^ok - ')
    f=$(printf '%s\n' "$out" | grep -c '^not ok - ')
    s=$(printf '%s\n' "$out" | grep -c '^skip - ')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        out="$out
not ok - $name exited $rc"
    elif [ $((p + f + s)) -eq 0 ]; then
        f=1
        out="$out
not ok - $name printed no result"
    fi
    pass=$((pass + p))
    fail=$((fail + f))
    skipped=$((skipped + s))
    if [ "$f" -ne 0 ]; then
        printf '%s\n' "$out" | sed "s|^|$name: |"
    else
        if [ "$s" -eq 0 ]; then echo "$name: $p ok"; else echo "$name: $p ok, $s skipped"; fi
        printf '%s\n' "$out" | grep '^skip - ' | sed "s|^|$name: |"
    fi
done
echo "cli: $pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
