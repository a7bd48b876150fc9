#!/bin/sh
# Progress: one line on a terminal for inputs over 64 MB, nothing in logs (stderr not a
# terminal), nothing with --quiet. A terminal comes from script(1) (util-linux).
. "$(dirname "$0")/lib.sh"
POLICY=$TESTS_DIR/../policies/loan-approval.yaml
"$TOOLS/fg_gen" --rows 1800000 --seed 5 --scenario loan >"$WORK/big.csv"
size=$(wc -c <"$WORK/big.csv")
[ "$size" -gt 67108864 ] && ok "the input is over 64 MB ($size bytes)" || not_ok "input over 64 MB" "$size"

run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/big.csv"
[ "$RC" -le 1 ] && ok "a verdict" || not_ok "a verdict" "$(cat "$WORK/err")"
expect_eq "stderr not a terminal: no progress, no trace" "$(wc -c <"$WORK/err")" 0

if ! command -v script >/dev/null 2>&1; then
    not_ok "script(1) is installed (util-linux)"
    finish
fi
# script runs the command on a pseudo-terminal and logs everything it wrote to it.
# Redraw at every report of the reader: the read takes less than the usual quarter second.
cmd="FAIRGATE_PROGRESS_INTERVAL=0 '$FAIRGATE' check --policy '$POLICY' --candidate '$WORK/big.csv' >/dev/null"
script -qec "$cmd" "$WORK/tty.log" >/dev/null 2>&1
expect_grep "on a terminal: a progress line" "$WORK/tty.log" \
    "fairgate: read [0-9]+ of [0-9]+ MB \([0-9]+%\), [0-9.]+ M rows/s, about [0-9]+ s left"
expect_grep "redrawn in place with carriage returns" "$WORK/tty.log" "$(printf '\r')fairgate: read"
# fairgate counts reads the biggest inputs of all: it shows the same line.
script -qec "FAIRGATE_PROGRESS_INTERVAL=0 '$FAIRGATE' counts --policy '$POLICY' --candidate '$WORK/big.csv' --out '$WORK/k.csv' >/dev/null" "$WORK/counts.log" >/dev/null 2>&1
expect_grep "counts on a terminal: a progress line" "$WORK/counts.log" "fairgate: read [0-9]+ of [0-9]+ MB"
script -qec "$cmd --quiet" "$WORK/quiet.log" >/dev/null 2>&1
expect_no_grep "--quiet: no progress" "$WORK/quiet.log" "fairgate: read"
finish
