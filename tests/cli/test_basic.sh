#!/bin/sh
# Usage, help and version: --help goes to stdout with exit 0, misuse to stderr with exit 2.
. "$(dirname "$0")/lib.sh"

run "$FAIRGATE" --version
expect_rc "--version exits 0" 0
expect_grep "--version prints the version" "$WORK/out" '^fairgate [0-9]+\.[0-9]+\.[0-9]+$'

run "$FAIRGATE" --help
expect_rc "--help exits 0" 0
expect_grep "--help lists check" "$WORK/out" '^  check '

for c in check lint; do
    run "$FAIRGATE" $c --help
    expect_rc "$c --help exits 0" 0
    expect_grep "$c --help prints usage on stdout" "$WORK/out" "^usage: fairgate $c"
done

run "$FAIRGATE"
expect_rc "no command exits 2" 2
expect_grep "no command says so" "$WORK/err" 'no command given'

run "$FAIRGATE" chekc
expect_rc "unknown command exits 2" 2
expect_grep "unknown command is named" "$WORK/err" "unknown command 'chekc'"

run "$FAIRGATE" check --candidate x.csv
expect_rc "check without --policy exits 2" 2
expect_grep "missing --policy is named" "$WORK/err" 'error: --policy is required'

run "$FAIRGATE" check --policy "$TESTS_DIR/../policies/loan-approval.yaml"
expect_rc "check without --candidate exits 2" 2

run "$FAIRGATE" check --policy
expect_rc "option without value exits 2" 2
expect_grep "option without value is named" "$WORK/err" "needs a value"

run "$FAIRGATE" check --polcy p.yaml
expect_rc "unknown option exits 2" 2
expect_grep "unknown option is named" "$WORK/err" "unknown option '--polcy'"

# A prefix of two options is ambiguous, and said so with both (it read "unknown option");
# a prefix of one is that option, as getopt_long takes it (the man page says to spell out).
run "$FAIRGATE" check --policy p.yaml --c rows.csv
expect_rc "an ambiguous prefix exits 2" 2
expect_grep "... naming the options it could be" "$WORK/err" \
    "^fairgate: error: option '--c' is ambiguous: --candidate, --counts; spell it in full$"
run "$FAIRGATE" check --policy p.yaml --c=k.csv
expect_grep "... with a value after '=' too" "$WORK/err" "option '--c=k.csv' is ambiguous"

# Options that cannot go together are refused, never silently ignored.
run "$FAIRGATE" check --policy p --candidate c --counts k.csv
expect_rc "--counts with --candidate exits 2" 2
expect_grep "--counts with --candidate is named" "$WORK/err" "error: --counts replaces --candidate"

run "$FAIRGATE" lint
expect_rc "lint without a file exits 2" 2

run "$FAIRGATE" check --policy "$WORK/nope.yaml" --candidate "$WORK/nope.csv" --out "$WORK/audit.json"
expect_rc "unreadable policy exits 2" 2
expect_grep "unreadable policy is named" "$WORK/err" "^fairgate: error: .*nope\.yaml: "
expect_absent "no audit after an error" "$WORK/audit.json"

# An output that is a FIFO (or a device such as /dev/null) is written in place: renaming a
# temporary file over it replaced /dev/null with a plain file when run as root.
"$TOOLS/fg_gen" --rows 200 --seed 1 --scenario loan >"$WORK/fifo-in.csv"
mkfifo "$WORK/fifo"
cat "$WORK/fifo" >"$WORK/fifo-got" &
reader=$!
"$FAIRGATE" check --quiet --policy "$TESTS_DIR/../policies/loan-approval.yaml" \
    --candidate "$WORK/fifo-in.csv" --out "$WORK/fifo" >/dev/null 2>"$WORK/err"
RC=$?
[ "$RC" -le 1 ] && ok "--out a FIFO: a verdict" || not_ok "--out a FIFO: a verdict" "$(cat "$WORK/err")"
if [ -p "$WORK/fifo" ]; then
    ok "--out a FIFO: it is still a FIFO"
    wait "$reader"
else # replaced: nobody will ever write to the reader's FIFO
    not_ok "--out a FIFO: it is still a FIFO"
    kill "$reader" 2>/dev/null
fi
expect_eq "--out a FIFO: the audit came through it" "$(jq -r .schema "$WORK/fifo-got")" "fairgate.audit/v1"
ls "$WORK"/fifo.tmp.* "$WORK"/.fg* >/dev/null 2>&1 && not_ok "--out a FIFO: no temporary file left" || ok "--out a FIFO: no temporary file left"

# All outputs or none: a failing one (a missing folder) leaves an existing file as it was
# and a FIFO in place (no output was removed or replaced).
P="$TESTS_DIR/../policies/loan-approval.yaml"
echo old >"$WORK/prev.json"
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/fifo-in.csv" --out "$WORK/prev.json" \
    --markdown "$WORK/no/such/folder/r.md"
expect_rc "an output that cannot be written: exit 2" 2
expect_eq "an existing --out file is untouched" "$(cat "$WORK/prev.json")" old
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/fifo-in.csv" --out "$WORK/fifo" \
    --markdown "$WORK/no/such/folder/r.md"
expect_rc "... with --out a FIFO: exit 2" 2
[ -p "$WORK/fifo" ] && ok "... and the FIFO is still there" || not_ok "... and the FIFO is still there"
# A symbolic link to a regular file, or a dangling one, is refused: it is neither followed
# nor replaced without --force (tests/cli/test_outputs.sh has the rest).
echo old >"$WORK/target.json"
ln -s target.json "$WORK/link.json"
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/fifo-in.csv" --out "$WORK/link.json"
expect_rc "--out a symlink to a file: exit 2" 2
[ -L "$WORK/link.json" ] && ok "--out a symlink: still a symlink" || not_ok "--out a symlink: still a symlink"
expect_eq "--out a symlink: the file it names is untouched" "$(cat "$WORK/target.json")" old
ln -s dangling.json "$WORK/dangling-link.json"
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/fifo-in.csv" --out "$WORK/dangling-link.json"
expect_rc "--out a dangling symlink: exit 2" 2
expect_absent "--out a dangling symlink: its target is not created" "$WORK/dangling.json"

if [ -w /dev/full ]; then
    "$FAIRGATE" --version >/dev/full 2>"$WORK/err"
    RC=$?
    expect_rc "a failed write to stdout exits 2" 2
    "$TOOLS/fg_gen" --rows 200 --seed 1 --scenario loan >"$WORK/l.csv"
    "$FAIRGATE" check --policy "$TESTS_DIR/../policies/loan-approval.yaml" --candidate "$WORK/l.csv" \
        --out "$WORK/full.json" >/dev/full 2>"$WORK/err"
    RC=$?
    expect_rc "check with a failed stdout exits 2" 2
    expect_absent "check with a failed stdout leaves no audit" "$WORK/full.json"
fi
finish
