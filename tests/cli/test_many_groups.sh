#!/bin/sh
# Many groups: a gate evaluates at most 100,000 groups (README, "Limits"); past the cap
# check stops with exit 2 naming the gate and the count, before any work that grows with
# the groups. The cost below the cap is linear (the comparison family's padding is
# counted, not materialised: tests/unit/check_stats.c checks it equals the padded family).
. "$(dirname "$0")/lib.sh"

# 400 x 302 = 120,800 intersection groups (and 702 single-attribute ones), one row each.
awk 'BEGIN { print "a,b,y,p"; for (i = 0; i < 400; i++) for (j = 0; j < 302; j++)
    print "a" i ",b" j "," ((i * j) % 2) "," ((i + j) % 2) }' >"$WORK/many.csv"
fixture_policy many-groups "$WORK/many.yaml"
# bounded, so that an implementation without the cap fails here rather than swapping
# (not under AddressSanitizer, whose shadow memory needs terabytes of address space)
limit='ulimit -v 4000000;'
[ -n "${FG_SANITIZED:-}" ] && limit=
run sh -c "$limit"' exec "$0" check --policy "$1" --candidate "$2" --quiet --out "$3"' \
    "$FAIRGATE" "$WORK/many.yaml" "$WORK/many.csv" "$WORK/audit.json"
expect_rc "more groups than the cap: exit 2" 2
expect_grep "the error names the gate, its place and the count" "$WORK/err" \
    "many\\.yaml:18:5: gate 'parity-everywhere' would evaluate 121502 groups; the limit is 100000"
expect_absent "no audit written" "$WORK/audit.json"

# Without the intersection, 702 groups: well under the cap, the gate is judged.
sed '/intersections/d' "$WORK/many.yaml" >"$WORK/few.yaml"
run "$FAIRGATE" check --policy "$WORK/few.yaml" --candidate "$WORK/many.csv" --quiet
expect_rc "702 groups: judged (pass)" 0
finish
