#!/bin/sh
# valgrind finds no leak and no memory error on the demo gate (skipped in sanitizer builds,
# where ASan/LSan do the same job, and where valgrind is not installed).
. "$(dirname "$0")/lib.sh"
if [ -n "${FG_SANITIZED:-}" ]; then
    skip "valgrind leak check" "a sanitizer build: ASan and LSan do this job here"
    finish
fi
if ! command -v valgrind >/dev/null 2>&1; then
    skip "valgrind leak check" "valgrind is not installed (apt-get install valgrind)"
    finish
fi
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan --incumbent-out "$WORK/inc.csv" >"$WORK/cand.csv"
vg() {
    valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
        --error-exitcode=99 "$@" >"$WORK/out" 2>"$WORK/err"
    RC=$?
}
vg "$FAIRGATE" check --policy "$TESTS_DIR/../policies/loan-approval.yaml" --candidate "$WORK/loans.csv" --out "$WORK/a.json"
expect_rc "valgrind: demo gate, no leak or error (exit 1 = the gate's verdict)" 1
vg "$FAIRGATE" check --policy "$TESTS_DIR/../policies/loan-approval.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv"
expect_rc "valgrind: id join, no leak or error" 1
vg "$FAIRGATE" lint "$TESTS_DIR/../policies/hiring.yaml"
expect_rc "valgrind: lint" 0
vg "$FAIRGATE" check --policy "$TESTS_DIR/../policies/hiring.yaml" --candidate "$WORK/nope.csv"
expect_rc "valgrind: error path" 2
finish
