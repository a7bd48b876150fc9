#!/bin/sh
# The CLI test runner (run.sh) and lib.sh's skip: a skipped test is counted and listed
# apart ("N passed, N failed, N skipped"), is not a failure, and a script that prints no
# result at all fails (it cannot pass silently); a COMPAS-less data folder gives skips.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK/t/cli"
cp "$HERE/lib.sh" "$WORK/t/cli/"
fake() { # NAME BODY: a test script in the fake folder
    printf '#!/bin/sh\n. "$(dirname "$0")/lib.sh"\n%s\nfinish\n' "$2" >"$WORK/t/cli/test_$1.sh"
}
fake a 'ok "one"; ok "two"'
fake b 'skip "needs data" "not here"; ok "three"'
run sh "$HERE/run.sh" "$WORK/t/cli"
expect_rc "passes and skips: exit 0" 0
expect_grep "the closing line counts the skip" "$WORK/out" '^cli: 3 passed, 0 failed, 1 skipped$'
expect_grep "the skip is listed with its reason" "$WORK/out" '^test_b: skip - needs data \(not here\)$'
expect_grep "a script's line says it skipped" "$WORK/out" '^test_b: 1 ok, 1 skipped$'

fake c ': nothing'
run sh "$HERE/run.sh" "$WORK/t/cli"
expect_rc "a script that prints no result fails the run" 1
expect_grep "and says so" "$WORK/out" '^test_c: not ok - test_c printed no result$'
expect_grep "counted as a failure" "$WORK/out" '^cli: 3 passed, 1 failed, 1 skipped$'
rm "$WORK/t/cli/test_c.sh"

fake d 'not_ok "broken"; skip "x" "y"'
run sh "$HERE/run.sh" "$WORK/t/cli"
expect_rc "a failure still fails beside a skip" 1
rm "$WORK/t/cli/test_d.sh"

# need_data skips when a file is missing, names it, and is false; true when all are there
fake e 'if need_data "COMPAS part" compas_for_aequitas.csv; then ok "ran"; fi'
mkdir -p "$WORK/empty" "$WORK/full"
: >"$WORK/full/compas_for_aequitas.csv"
FAIRGATE_DATA=$WORK/empty run sh "$WORK/t/cli/test_e.sh"
expect_eq "need_data: missing file, a skip naming it" "$(cat "$WORK/out")" \
    "skip - COMPAS part ($WORK/empty/compas_for_aequitas.csv not found; set FAIRGATE_DATA to the folder that holds it)"
expect_rc "need_data: a skip exits 0" 0
FAIRGATE_DATA=$WORK/full run sh "$WORK/t/cli/test_e.sh"
expect_eq "need_data: present, the test runs" "$(cat "$WORK/out")" "ok - ran"
finish
