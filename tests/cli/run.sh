#!/bin/sh
# Runs every tests/cli/test_*.sh and prints one closing line: "N passed, N failed".
# Each script prints "ok - ..." or "not ok - ..." per assertion (see lib.sh).
# Needs FAIRGATE (the binary under test) and TOOLS (the built test tools) in the environment.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${FAIRGATE:?FAIRGATE must name the fairgate binary}"
pass=0
fail=0
for t in "$here"/test_*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .sh)
    out=$(sh "$t" 2>&1)
    rc=$?
    p=$(printf '%s\n' "$out" | grep -c '^ok - ')
    f=$(printf '%s\n' "$out" | grep -c '^not ok - ')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        out="$out
not ok - $name exited $rc"
    fi
    pass=$((pass + p))
    fail=$((fail + f))
    if [ "$f" -ne 0 ]; then
        printf '%s\n' "$out" | sed "s|^|$name: |"
    else
        echo "$name: $p ok"
    fi
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
