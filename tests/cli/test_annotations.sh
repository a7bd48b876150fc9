#!/bin/sh
# GitHub workflow commands cannot be injected: a group value with a line break and "::"
# (issue 10, point 14) must not start a line of stdout or stderr, whether it reaches them
# through the annotations, the console summary or an error message. Annotation text is
# escaped as actions/toolkit's escapeData / escapeProperty do (% CR LF; ':' ',' in
# properties), so unescaping gives back the value.
. "$(dirname "$0")/lib.sh"

value='a%0A
::stop-commands::tok'
{
    echo "g,y,p"
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        printf 'A,1,1\nA,0,1\n"%s",1,0\n"%s",0,0\n' "$value" "$value"
    done
} >"$WORK/rows.csv"
fixture_policy annotations-inject "$WORK/policy.yaml"
GITHUB_ACTIONS=true run "$FAIRGATE" check --policy "$WORK/policy.yaml" --candidate "$WORK/rows.csv"
expect_rc "the gate fails on the group" 1
# fairgate's own commands only: one ::error for the failed gate (at its line in the
# policy), nothing else
line=$(grep -n '^  - id: ff$' "$WORK/policy.yaml" | cut -d: -f1)
file=$(printf '%s' "$WORK/policy.yaml" | sed 's/%/%25/g; s/:/%3A/g; s/,/%2C/g')
expect_eq "only fairgate's ::error starts a line of stdout" \
    "$(grep -c '^::' "$WORK/out") $(grep -cF "::error file=$file,line=$line,title=fairgate ff::" "$WORK/out")" "1 1"
expect_no_grep "no stop-commands line on stdout" "$WORK/out" '^::stop-commands'
expect_no_grep "no stop-commands line on stderr" "$WORK/err" '^::stop-commands'
expect_grep "the console summary shows the break escaped" "$WORK/out" \
    '^FAIL  ff  g=a%0A\\n::stop-commands::tok: selection_rate ratio 0\.0000'
# escapeData, undone in the reverse order (%0D, %0A, then %25), gives back the label
message=$(grep '^::error' "$WORK/out" | sed 's/^::error [^:]*title=fairgate ff:://')
expect_eq "the annotation escapes %, LF" "${message%%: selection_rate*}" 'g=a%250A%0A::stop-commands::tok'
unescaped=$(printf '%s' "${message%%: selection_rate*}" | sed 's/%0D/\r/g; s/%0A/\n/g; s/%25/%/g')
expect_eq "the escaped text round-trips" "$unescaped" "g=$value"

# (The title property holds only the gate id, which the policy restricts to
# [A-Za-z0-9._-]; escapeProperty is checked on the renderer's unit tests.)

# An error message quoting a value: the break is escaped on stderr too.
printf 'g,y,p\n"%s",1,2\n' "$value" >"$WORK/bad.csv"
echo 'A,1,3' >>"$WORK/bad.csv"
GITHUB_ACTIONS=true run "$FAIRGATE" check --policy "$WORK/policy.yaml" --candidate "$WORK/bad.csv"
expect_rc "a third prediction value is an error" 2
expect_eq "the error is one line" "$(wc -l <"$WORK/err" | tr -d ' ')" 1
expect_no_grep "no stop-commands line in the error" "$WORK/err" '^::'
finish
