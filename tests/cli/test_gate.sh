#!/bin/sh
# The whole gate on generated loan data: exit codes, the summary, the audit's contract
# keys, determinism under SOURCE_DATE_EPOCH, the two-file id join, and a missing incumbent.
. "$(dirname "$0")/lib.sh"
POLICY=$TESTS_DIR/../policies/loan-approval.yaml
"$TOOLS/fg_gen" --rows 20000 --seed 7 --scenario loan >"$WORK/loans.csv"

export SOURCE_DATE_EPOCH=1700000000
run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv" --out "$WORK/a1.json"
expect_rc "a regressing candidate fails the gate (exit 1)" 1
expect_grep "four-fifths fails" "$WORK/out" '^FAIL +four-fifths +.*race=Black'
expect_grep "regression vs incumbent fails" "$WORK/out" '^FAIL +no-fairness-regression '
expect_grep "accuracy floor passes" "$WORK/out" '^PASS +accuracy-floor +overall accuracy 0\.[0-9]{4}'
expect_grep "verdict line" "$WORK/out" '^verdict: FAIL \([0-9] of 4 gates failed\)$'
expect_grep "small group is reported" "$WORK/out" 'race=Native.*min_group_size 30'

A=$WORK/a1.json
expect_eq "schema" "$(jq -r .schema "$A")" "fairgate.audit/v1"
expect_eq "created honours SOURCE_DATE_EPOCH" "$(jq -r .created "$A")" "2023-11-14T22:13:20Z"
expect_eq "verdict" "$(jq -r .verdict "$A")" "fail"
expect_eq "exit_code" "$(jq -r .exit_code "$A")" "1"
expect_eq "policy sha256" "$(jq -r .policy.sha256 "$A")" "$(sha256sum "$POLICY" | cut -d' ' -f1)"
expect_eq "candidate sha256" "$(jq -r .inputs.candidate.sha256 "$A")" "$(sha256sum "$WORK/loans.csv" | cut -d' ' -f1)"
expect_eq "candidate rows" "$(jq -r .inputs.candidate.rows "$A")" "20000"
expect_eq "overall slice is {}" "$(jq -c '.groups[0].slice' "$A")" "{}"
expect_eq "overall n" "$(jq -r '.groups[0].candidate.n' "$A")" "20000"
expect_eq "an intersection slice" "$(jq -c '[.groups[] | select(.label == "sex=Female & race=Black")][0].slice' "$A")" '{"sex":"Female","race":"Black"}'
expect_eq "gate description" "$(jq -r '.gates[0].description' "$A")" "29 CFR 1607.4(D) adverse impact on approval rates"
expect_eq "gate order" "$(jq -r '[.gates[].id] | join(",")' "$A")" "four-fifths,equalized-odds,no-fairness-regression,accuracy-floor"
expect_eq "gate result keys" "$(jq -r '.gates[0].results[0] | [has("slice"), has("value"), has("reference"), has("bound"), has("status")] | all' "$A")" "true"
expect_eq "every disparity result shows the incumbent's value too" \
    "$(jq '[.gates[0].results[] | select(.status != "insufficient_data") | .incumbent.value | type] | unique' -c "$A")" '["number"]'
expect_eq "the incumbent's Black/highest ratio is its own" \
    "$(jq -r '.gates[0].results[] | select(.label == "race=Black") | (.incumbent.group_value / .incumbent.reference.value) - .incumbent.value | fabs < 1e-12' "$A")" "true"
expect_eq "tp+fp+tn+fn = n in every group" \
    "$(jq '[.groups[] | (.candidate, .incumbent) | (.tp + .fp + .tn + .fn == .n)] | all' "$A")" "true"
# Per-group counts against an independent count with awk: Black applicants, candidate.
want=$(awk -F, 'NR > 1 && $3 == "Black" { y = ($4 == "0"); p = ($8 == "1");
    tp += y && p; fp += !y && p; tn += !y && !p; fn += y && !p }
    END { printf "%d %d %d %d", tp, fp, tn, fn }' "$WORK/loans.csv")
got=$(jq -r '.groups[] | select(.label == "race=Black") | .candidate | "\(.tp) \(.fp) \(.tn) \(.fn)"' "$A")
expect_eq "race=Black confusion counts equal awk's" "$got" "$want"

run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv" --out "$WORK/a2.json"
if cmp -s "$WORK/a1.json" "$WORK/a2.json"; then ok "same inputs give byte-identical audits"; else not_ok "deterministic audit" "$(diff "$WORK/a1.json" "$WORK/a2.json" | head -5)"; fi

run "$FAIRGATE" check --quiet --policy "$POLICY" --candidate "$WORK/loans.csv"
expect_rc "--quiet keeps the exit code" 1
expect_eq "--quiet prints nothing" "$(cat "$WORK/out")" ""

# Two files joined by applicant_id (the incumbent file is in reverse order).
"$TOOLS/fg_gen" --rows 20000 --seed 7 --scenario loan --incumbent-out "$WORK/inc.csv" >"$WORK/cand.csv"
run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv" --out "$WORK/a3.json"
expect_rc "two-file join: same verdict" 1
expect_eq "two-file join: same groups and gates" \
    "$(jq -c '[.groups, .gates, .verdict]' "$WORK/a3.json" | sha256sum)" \
    "$(jq -c '[.groups, .gates, .verdict]' "$A" | sha256sum)"
expect_eq "two-file join: incumbent input recorded" "$(jq -r .inputs.incumbent.sha256 "$WORK/a3.json")" "$(sha256sum "$WORK/inc.csv" | cut -d' ' -f1)"

# A passing candidate under a lenient policy.
fixture_policy lenient "$WORK/pass.yaml"
run "$FAIRGATE" check --policy "$WORK/pass.yaml" --candidate "$WORK/loans.csv" --out "$WORK/pass.json"
expect_rc "a passing gate exits 0" 0
expect_grep "verdict PASS" "$WORK/out" '^verdict: PASS$'
expect_eq "audit verdict pass" "$(jq -r .verdict "$WORK/pass.json")" "pass"

# No incumbent in the policy: a vs_incumbent gate is not evaluated and does not pass silently.
fixture_policy gate-no-incumbent "$WORK/noinc.yaml"
run "$FAIRGATE" check --policy "$WORK/noinc.yaml" --candidate "$WORK/loans.csv" --out "$WORK/noinc.json"
expect_rc "vs_incumbent without incumbent and on_small_group fail exits 1" 1
expect_grep "the summary says why" "$WORK/out" 'no incumbent predictions given'
expect_eq "results are insufficient_data" "$(jq -r '[.gates[0].results[].status] | unique | join(",")' "$WORK/noinc.json")" "insufficient_data"
sed 's/on_small_group: fail/on_small_group: warn/' "$WORK/noinc.yaml" >"$WORK/noinc-warn.yaml"
run "$FAIRGATE" check --policy "$WORK/noinc-warn.yaml" --candidate "$WORK/loans.csv"
expect_rc "with on_small_group warn it warns (exit 0)" 0
expect_grep "status WARN, not PASS" "$WORK/out" '^WARN +no-regression'

# The hiring example: a scoring candidate, labels and predictions that are words.
"$TOOLS/fg_gen" --rows 20000 --seed 5 --scenario hiring >"$WORK/hiring.csv"
run "$FAIRGATE" check --policy "$TESTS_DIR/../policies/hiring.yaml" --candidate "$WORK/hiring.csv" --out "$WORK/h.json"
expect_rc "hiring: the candidate regresses (exit 1)" 1
expect_grep "hiring: small intersections fail the strict gate" "$WORK/out" "^FAIL +equal-opportunity-small-groups .*fails because on_small_group is 'fail'"
expect_grep "hiring: regression vs incumbent for women" "$WORK/out" "^FAIL +no-regression +gender=Woman"
expect_eq "hiring: tpr denominators are actual positives" \
    "$(jq -r '.gates[0].results[] | select(.label == "gender=Woman") | .n' "$WORK/h.json")" \
    "$(awk -F, '$2 == "Woman" && $4 == "yes"' "$WORK/hiring.csv" | wc -l | tr -d ' ')"

# An explicit reference that does not occur in the data is an error, not a vacuous gate.
sed 's/on_small_group: fail/reference: { sex: male }/' "$WORK/noinc.yaml" >"$WORK/badref.yaml"
run "$FAIRGATE" check --policy "$WORK/badref.yaml" --candidate "$WORK/loans.csv" --out "$WORK/badref.json"
expect_rc "unknown reference group exits 2" 2
expect_grep "unknown reference group is named" "$WORK/err" "reference group sex=male does not occur"
expect_absent "no audit after a reference error" "$WORK/badref.json"
finish
