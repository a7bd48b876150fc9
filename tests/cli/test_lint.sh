#!/bin/sh
# fairgate lint on every policy fixture: good ones print "ok"; each bad one exits 2 and
# names the exact file:line:column and message its first line expects
# ("# expect: LINE:COL: SUBSTRING").
. "$(dirname "$0")/lib.sh"

for f in "$TESTS_DIR"/../policies/*.yaml "$FIXTURES"/policy/good-*.yaml; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    run "$FAIRGATE" lint "$f"
    expect_rc "lint $name exits 0" 0
    expect_grep "lint $name prints ok" "$WORK/out" '^ok$'
done

n=0
for f in "$FIXTURES"/policy/bad-*.yaml; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    name=$(basename "$f")
    expect=$(sed -n '1s/^# expect: //p' "$f")
    place=${expect%%: *}
    text=${expect#*: }
    run "$FAIRGATE" lint "$f"
    expect_rc "lint $name exits 2" 2
    if grep -Fq -- "fairgate: error: $f:$place: " "$WORK/err" && grep -Fq -- "$text" "$WORK/err"; then
        ok "lint $name names $place"
    else
        not_ok "lint $name names $place" "want: $f:$place: ...$text..." "got:  $(cat "$WORK/err")"
    fi
    lines=$(wc -l <"$WORK/err")
    expect_eq "lint $name prints one line" "$lines" 1
done
[ "$n" -ge 20 ] && ok "at least 20 bad policy fixtures ($n)" || not_ok "bad policy fixtures" "only $n"

# A valid policy with a gate that is never evaluated is accepted with a warning on stderr (exit 0).
fixture_policy lint-no-incumbent "$WORK/noinc.yaml"
run "$FAIRGATE" lint "$WORK/noinc.yaml"
expect_rc "lint: a vs_incumbent gate without an incumbent is valid" 0
expect_eq "lint: still says ok" "$(cat "$WORK/out")" ok
expect_grep "lint: warns with the gate's place" "$WORK/err" \
    "noinc.yaml:14:5: warning: gate 'reg' compares with the incumbent \(vs_incumbent\), but data names no incumbent"
expect_eq "lint: one warning, not one per gate" "$(wc -l <"$WORK/err")" 1
run "$FAIRGATE" lint "$FIXTURES/policy/good-loan.yaml"
expect_eq "lint: no warning for a policy with an incumbent" "$(wc -c <"$WORK/err")" 0

# A bad policy given to check is the same error, exit 2 and no audit left behind.
f=$(ls "$FIXTURES"/policy/bad-*.yaml | head -n 1)
printf 'a,b\n1,2\n' >"$WORK/c.csv"
run "$FAIRGATE" check --policy "$f" --candidate "$WORK/c.csv" --out "$WORK/audit.json"
expect_rc "check with a bad policy exits 2" 2
expect_absent "check with a bad policy writes no audit" "$WORK/audit.json"
finish
