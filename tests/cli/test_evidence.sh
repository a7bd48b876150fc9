#!/bin/sh
# Evidence modes (point, significant, confident), intervals, tests, corrections and the
# paired bootstrap of vs_incumbent, end to end. The expected figures were computed by
# hand (formulas in the comments) and with Python's math module, not with fairgate.
. "$(dirname "$0")/lib.sh"
# Audits are compared byte for byte below: fix their creation time.
export SOURCE_DATE_EPOCH=1764633600

# rows NAME GROUP N SELECTED [INCUMBENT_SELECTED]: N rows of GROUP, SELECTED of them
# chosen by the candidate (the first SELECTED), y alternating, incumbent chosen for the
# first INCUMBENT_SELECTED (default SELECTED).
rows() {
    awk -v g="$2" -v n="$3" -v s="$4" -v i="${5:-$4}" 'BEGIN {
        for (k = 0; k < n; k++) print g "," (k % 2) "," (k < s) "," (k < i) }' >>"$1"
}
csv() { echo "grp,y,cand,inc" >"$1"; }

# policy FILE EVIDENCE: one four-fifths gate on grp, both models, judged in EVIDENCE mode.
policy() { fixture_policy evidence-ff "$1" EVIDENCE="$2"; }

# A: 50/100 selected (the highest), B: 38/100, ratio 0.76 < 0.8.
# Pooled z test: p = 88/200 = 0.44, se = sqrt(0.44 * 0.56 * (1/100 + 1/100)) = 0.070200,
# z = (0.38 - 0.50) / se = -1.70941, two-sided p = erfc(1.70941 / sqrt 2) = 0.0873753.
# Katz: se(log) = sqrt(1/38 - 1/100 + 1/50 - 1/100) = 0.162221,
# 0.76 * exp(-+1.959964 * se) = [0.553007, 1.044472].
csv "$WORK/a.csv"
rows "$WORK/a.csv" A 100 50
rows "$WORK/a.csv" B 100 38
for mode in point significant confident; do
    policy "$WORK/$mode.yaml" $mode
    run "$FAIRGATE" check --policy "$WORK/$mode.yaml" --candidate "$WORK/a.csv" --out "$WORK/$mode.json"
    cp "$WORK/out" "$WORK/$mode.out"
    eval "rc_$mode=$RC"
done
expect_eq "point: 0.76 fails the four-fifths rule" "$rc_point" 1
expect_eq "significant: 0.76 on 100 rows is not a significant breach" "$rc_significant" 0
expect_eq "confident: fails too" "$rc_confident" 1
B='.gates[0].results[] | select(.label == "grp=B")'
expect_eq "test is z (every expected cell >= 5)" "$(jq -r "$B | .test" "$WORK/significant.json")" z
expect_eq "p_value = 0.087375" "$(jq -r "$B | .p_value * 1e6 | round" "$WORK/significant.json")" 87375
expect_eq "one comparison: p_adjusted = p_value" \
    "$(jq -r "$B | (.p_adjusted - .p_value) | fabs < 1e-15" "$WORK/significant.json")" true
expect_eq "Katz interval [0.553007, 1.044472]" \
    "$(jq -c "$B | .ci | map(. * 1e6 | round)" "$WORK/point.json")" "[553007,1044472]"
expect_eq "the reference is not tested against itself" \
    "$(jq -c '.gates[0].results[] | select(.label == "grp=A") | [.test, .p_value, .ci]' "$WORK/point.json")" \
    "[null,null,[1,1]]"
expect_eq "significant: B passes, with the reason" \
    "$(jq -r "$B | .status" "$WORK/significant.json")" pass
expect_grep "significant: the summary says why" "$WORK/significant.out" \
    "grp=B.*below the minimum 0.8, but does not differ significantly from its reference \(z test, p_adjusted 0.08738 >= 0.05\)"
expect_eq "the gate records its evidence settings" \
    "$(jq -c '.gates[0] | [.evidence, .alpha, .correction]' "$WORK/significant.json")" \
    '["significant",0.05,"holm"]'
# Wilson 38/100 at 95 %: (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)
# = [0.290976, 0.477902].
expect_eq "each group rate carries its Wilson interval" \
    "$(jq -c '.groups[] | select(.label == "grp=B") | .candidate.selection_rate_ci | map(. * 1e6 | round)' "$WORK/point.json")" \
    "[290976,477902]"

# The Markdown report shows the interval and adjusted p-value when they decide, and keeps
# its old table under evidence: point.
"$FAIRGATE" report --audit "$WORK/significant.json" --markdown "$WORK/significant.md"
expect_grep "markdown: interval and p columns under significant" "$WORK/significant.md" \
    '^\| grp=B \| 100 \| 0\.3800 \| 0\.7600 \| .*\| \[0\.5530, 1\.0445\] \| 0\.08738 \(z\) \|'
"$FAIRGATE" report --audit "$WORK/point.json" --markdown "$WORK/point.md"
expect_no_grep "markdown: no such columns under point" "$WORK/point.md" "p \(adjusted\)"

# alpha 0.1 makes the same breach significant (0.0874 < 0.1).
policy "$WORK/a10.yaml" significant
echo "    alpha: 0.1" >>"$WORK/a10.yaml"
run "$FAIRGATE" check --policy "$WORK/a10.yaml" --candidate "$WORK/a.csv" --out "$WORK/a10.json"
expect_rc "significant at alpha 0.1: fails" 1
expect_grep "and says it is significant" "$WORK/out" "below the minimum 0.8, and differs from its reference significantly \(z test, p_adjusted 0.08738 < 0.1\)"

# confident: A 100/200, B 90/200, ratio 0.9 passes at the point estimate, but Katz
# se = sqrt(1/90 - 1/200 + 1/100 - 1/200) = 0.105409, low = 0.9 exp(-1.959964 se) = 0.732012.
csv "$WORK/c.csv"
rows "$WORK/c.csv" A 200 100
rows "$WORK/c.csv" B 200 90
run "$FAIRGATE" check --policy "$WORK/point.yaml" --candidate "$WORK/c.csv" --out "$WORK/c-point.json"
expect_rc "point: ratio 0.9 passes" 0
run "$FAIRGATE" check --policy "$WORK/confident.yaml" --candidate "$WORK/c.csv" --out "$WORK/c-conf.json"
expect_rc "confident: its interval reaches below 0.8, so it fails" 1
expect_grep "confident: the reason names the interval" "$WORK/out" \
    "0.9000 meets the bound, but its 95% interval \[0.7320, 1.1065\] does not lie within it"
expect_eq "confident: ci low 0.732012" "$(jq -r "$B | .ci[0] * 1e6 | round" "$WORK/c-conf.json")" 732012
# With 40 times the rows the interval shrinks inside the bound and confident passes.
csv "$WORK/c40.csv"
rows "$WORK/c40.csv" A 8000 4000
rows "$WORK/c40.csv" B 8000 3600
run "$FAIRGATE" check --policy "$WORK/confident.yaml" --candidate "$WORK/c40.csv"
expect_rc "confident: 0.9 on 8000 rows per group passes" 0

# Fisher's exact test where an expected cell is below 5: A 9/10, B 2/10, ratio 0.2222.
# Fisher two-sided p for [[2, 8], [9, 1]] = 0.005477 (hypergeometric, margins 11/9 of 20).
csv "$WORK/f.csv"
rows "$WORK/f.csv" A 10 9
rows "$WORK/f.csv" B 10 2
run "$FAIRGATE" check --policy "$WORK/significant.yaml" --candidate "$WORK/f.csv" --out "$WORK/f.json"
expect_rc "significant: 2/10 vs 9/10 fails" 1
expect_eq "small cells use Fisher's exact test" "$(jq -r "$B | .test" "$WORK/f.json")" fisher
expect_eq "Fisher p = 0.005477" "$(jq -r "$B | .p_value * 1e6 | round" "$WORK/f.json")" 5477

# Holm and BH across every comparison of the gate: three groups below A.
# z tests against A (50/100): B 38/100 p = 0.0873753, C 30/100 p = 0.0038924, D 36/100
# p = 0.0455443 (by the formula above). The reference is the highest group, chosen from the
# data, so the family is every pair of the 4 groups: 6 comparisons, the 3 untested pairs
# entering as p = 1. Holm: 0.0038924*6 = 0.0233545 (0.02335450 unrounded), 0.0455443*5 = 0.2277215,
# 0.0873753*4 = 0.3495012.
csv "$WORK/h.csv"
rows "$WORK/h.csv" A 100 50
rows "$WORK/h.csv" B 100 38
rows "$WORK/h.csv" C 100 30
rows "$WORK/h.csv" D 100 36
run "$FAIRGATE" check --policy "$WORK/significant.yaml" --candidate "$WORK/h.csv" --out "$WORK/h.json"
expect_rc "holm: C fails significantly" 1
expect_eq "holm-adjusted p-values" \
    "$(jq -c '[.gates[0].results[] | select(.test) | .p_adjusted * 1e6 | round]' "$WORK/h.json")" \
    "[349501,23355,227722]"
expect_eq "holm: only C fails (D's 0.047 is not significant after correction)" \
    "$(jq -c '[.gates[0].results[] | select(.status == "fail") | .label]' "$WORK/h.json")" '["grp=C"]'
sed 's/evidence: significant/evidence: significant\n    correction: none/' "$WORK/significant.yaml" >"$WORK/none.yaml"
run "$FAIRGATE" check --policy "$WORK/none.yaml" --candidate "$WORK/h.csv" --out "$WORK/none.json"
expect_eq "correction none: C and D fail" \
    "$(jq -c '[.gates[0].results[] | select(.status == "fail") | .label]' "$WORK/none.json")" \
    '["grp=C","grp=D"]'

# The paired bootstrap of vs_incumbent: the candidate widens B's gap against A.
# A: 300 rows, candidate and incumbent both select 150. B: 300 rows, incumbent selects 105
# (gap 0.15), candidate 90 (gap 0.20): worsening 0.05 > max_worsening 0.02. (Gaps far from
# 0 keep the deviation |a - b| away from its kink.)
csv "$WORK/v.csv"
rows "$WORK/v.csv" A 300 150 150
rows "$WORK/v.csv" B 300 90 105
# vpolicy FILE EVIDENCE SEED: a vs_incumbent gate on B's gap against A, with a bootstrap.
vpolicy() { fixture_policy evidence-regression "$1" EVIDENCE="$2" SEED="$3"; }
vpolicy "$WORK/v1.yaml" point 7
run "$FAIRGATE" check --policy "$WORK/v1.yaml" --candidate "$WORK/v.csv" --out "$WORK/v1.json"
expect_rc "point: worsening 0.05 > 0.02 fails" 1
VB='.gates[0].results[] | select(.label == "grp=B")'
expect_eq "worsening is 0.05" "$(jq -r "$VB | .worsening * 1e6 | round" "$WORK/v1.json")" 50000
expect_eq "the bootstrap interval holds the worsening" \
    "$(jq -r "$VB | .worsening_ci[0] < .worsening and .worsening < .worsening_ci[1]" "$WORK/v1.json")" true
expect_eq "every resample counted" "$(jq -r "$VB | .resamples" "$WORK/v1.json")" 1000
expect_eq "the gate records its bootstrap" "$(jq -c '.gates[0].bootstrap' "$WORK/v1.json")" \
    '{"resamples":1000,"seed":7}'
# Paired: the 15 rows of B that only the incumbent selects are the whole change, so its se
# is about sqrt(0.05 * 0.95 / 300) = 0.0126 and the 95 % interval about 0.05 wide; an
# unpaired comparison would see two independent gaps (se about 0.06).
expect_eq "paired interval is narrow (width < 0.06)" \
    "$(jq -r "$VB | (.worsening_ci[1] - .worsening_ci[0]) < 0.06" "$WORK/v1.json")" true
run "$FAIRGATE" check --policy "$WORK/v1.yaml" --candidate "$WORK/v.csv" --out "$WORK/v1b.json"
if cmp -s "$WORK/v1.json" "$WORK/v1b.json"; then ok "same seed, byte-identical audit"; else
    not_ok "same seed, byte-identical audit"; fi
vpolicy "$WORK/v2.yaml" point 8
run "$FAIRGATE" check --policy "$WORK/v2.yaml" --candidate "$WORK/v.csv" --out "$WORK/v2.json"
if [ "$(jq -c "$VB | .worsening_ci" "$WORK/v1.json")" != "$(jq -c "$VB | .worsening_ci" "$WORK/v2.json")" ]; then
    ok "the seed changes the resamples"; else not_ok "the seed changes the resamples"; fi
vpolicy "$WORK/v3.yaml" significant 7
run "$FAIRGATE" check --policy "$WORK/v3.yaml" --candidate "$WORK/v.csv" --out "$WORK/v3.json"
expect_rc "significant: 0.05 on 300 rows per group is a real regression" 1
expect_eq "its interval excludes 0.02" "$(jq -r "$VB | .worsening_ci[0] > 0.02" "$WORK/v3.json")" true
expect_eq "significant: test is bootstrap" "$(jq -r "$VB | .test" "$WORK/v3.json")" bootstrap

# A small change on few rows is not significant: B 40 rows, incumbent 18, candidate 16.
csv "$WORK/s.csv"
rows "$WORK/s.csv" A 40 20 20
rows "$WORK/s.csv" B 40 16 18
run "$FAIRGATE" check --policy "$WORK/v1.yaml" --candidate "$WORK/s.csv"
expect_rc "point: worsening 0.05 on 40 rows fails" 1
run "$FAIRGATE" check --policy "$WORK/v3.yaml" --candidate "$WORK/s.csv" --out "$WORK/s3.json"
expect_rc "significant: the same on 40 rows is noise" 0
expect_grep "and says why" "$WORK/out" "not significantly: the paired bootstrap interval"

# Review regressions. (1) Three groups each made far worse (selection 0.5 -> 0.1 against
# A's 0.5): significant must fail them all, even with few resamples and Holm over 3 tests.
# The old p-value counted resamples and could not go below 2/(B+1) = 0.0198, so Holm's
# 3 x 0.0198 = 0.059 passed a worsening of 0.40.
csv "$WORK/w.csv"
rows "$WORK/w.csv" A 1000 500 500
for g in B C D; do rows "$WORK/w.csv" $g 1000 100 500; done
vpolicy "$WORK/w.yaml" significant 7
sed -i 's/resamples: 1000/resamples: 100/' "$WORK/w.yaml"
run "$FAIRGATE" check --policy "$WORK/w.yaml" --candidate "$WORK/w.csv" --out "$WORK/w.json"
expect_rc "significant: a worsening of 0.40 in three groups fails" 1
expect_eq "all three fail" \
    "$(jq -c '[.gates[0].results[] | select(.status == "fail") | .label]' "$WORK/w.json")" \
    '["grp=B","grp=C","grp=D"]'
expect_eq "their adjusted bootstrap p-values are tiny" \
    "$(jq '[.gates[0].results[] | select(.worsening_p_adjusted != null) | .worsening_p_adjusted < 1e-6] | all' "$WORK/w.json")" true
# (2) A bound nothing can breach does not change the vs_incumbent decision.
sed 's/    evidence: significant/    max: 0.99\n    evidence: significant/' "$WORK/w.yaml" >"$WORK/w99.yaml"
run "$FAIRGATE" check --policy "$WORK/w99.yaml" --candidate "$WORK/w.csv" --out "$WORK/w99.json"
expect_eq "a vacuous max leaves the worsening tests as they were" \
    "$(jq -c '[.gates[0].results[] | [.status, .worsening_p_adjusted]]' "$WORK/w99.json")" \
    "$(jq -c '[.gates[0].results[] | [.status, .worsening_p_adjusted]]' "$WORK/w.json")"
# (3) confident without incumbent predictions still fails on the interval (it used to warn).
fixture_policy evidence-no-incumbent "$WORK/ni.yaml"
run "$FAIRGATE" check --policy "$WORK/ni.yaml" --candidate "$WORK/c.csv" --out "$WORK/ni.json"
expect_rc "confident without an incumbent: the interval still fails it" 1
expect_grep "and says so" "$WORK/out" "does not lie within it"
# (4) equalized odds: the reason and the audit name the same, deciding component.
# A: TPR 18/20, FPR 200/2000; B: TPR 15/20, FPR 440/2000 (reference A). The TPR gap 0.15
# is past 0.1 but Fisher p = 0.41; the FPR gap 0.12 is past it with z p ~ 1e-25.
echo "grp,y,cand,inc" >"$WORK/eo.csv"
# confusion FILE GROUP POSITIVES TP NEGATIVES FP: rows with those counts (no incumbent).
confusion() { awk -v g="$2" -v np="$3" -v tp="$4" -v nn="$5" -v fp="$6" 'BEGIN {
    for (k = 0; k < np; k++) print g ",1," (k < tp) ",0"
    for (k = 0; k < nn; k++) print g ",0," (k < fp) ",0" }' >>"$1"; }
confusion "$WORK/eo.csv" A 20 18 2000 200
confusion "$WORK/eo.csv" B 20 15 2000 440
sed -e 's/metric: selection_rate/metric: equalized_odds/' -e 's/disparity: ratio/disparity: difference/' \
    -e 's/min: 0.8/max: 0.1\n    reference: { grp: A }/' "$WORK/significant.yaml" >"$WORK/eo.yaml"
run "$FAIRGATE" check --policy "$WORK/eo.yaml" --candidate "$WORK/eo.csv" --out "$WORK/eo.json"
expect_rc "equalized odds: B fails on its FPR" 1
expect_eq "the audit shows the deciding comparison" \
    "$(jq -c "$B | [.status, .test, (.p_adjusted < 0.05)]" "$WORK/eo.json")" '["fail","z",true]'
expect_grep "the reason names fpr" "$WORK/out" "grp=B: .*fpr 0.1200 is above the maximum 0.1, and differs from its reference significantly \(z test"
# (5) between_groups keeps the test's own p_value; the selection of the worst pair out of
# 6 goes into p_adjusted: C vs A, z p = 0.0038924, x 6 = 0.0233545.
sed 's/    evidence: significant/    reference: between_groups\n    evidence: significant/' \
    "$WORK/significant.yaml" >"$WORK/bg.yaml"
run "$FAIRGATE" check --policy "$WORK/bg.yaml" --candidate "$WORK/h.csv" --out "$WORK/bg.json"
expect_eq "between_groups: raw p_value, selection in p_adjusted" \
    "$(jq -c '.gates[0].results[0] | [.label, (.p_value * 1e7 | round), (.p_adjusted * 1e7 | round)]' "$WORK/bg.json")" \
    '["grp=C",38924,233545]'

# (6) equalized odds under confident: value, component, interval and reason all speak of
# the deciding component. A: TPR 18/20, FPR 50/100; B: TPR 17/20, FPR 30/100; the FPR ratio
# 0.6 breaches min 0.8 (Katz 95 % [0.4195, 0.8581]); TPR's 0.9444 only fails on its interval.
echo "grp,y,cand,inc" >"$WORK/eo6.csv"
confusion "$WORK/eo6.csv" A 20 18 100 50
confusion "$WORK/eo6.csv" B 20 17 100 30
sed -e 's/metric: selection_rate/metric: equalized_odds/' -e 's/evidence: confident/evidence: confident\n    min_group_size: 5/' \
    "$WORK/confident.yaml" >"$WORK/eo6.yaml"
run "$FAIRGATE" check --policy "$WORK/eo6.yaml" --candidate "$WORK/eo6.csv" --out "$WORK/eo6.json"
expect_rc "confident equalized odds: B fails" 1
expect_eq "the result is the deciding component's, whole" \
    "$(jq -c "$B | [.component, .value, (.ci | map(. * 1e4 | round)), .test]" "$WORK/eo6.json")" \
    '["fpr",0.6,[4195,8581],"z"]'
expect_grep "and so is the reason" "$WORK/out" "grp=B: .*fpr 0.6000 is below the minimum 0.8 \(95% interval \[0.4195, 0.8581\]\)"
# (7) a bound on count has no test: significant judges it at its value and says so.
fixture_policy evidence-count "$WORK/cnt.yaml"
run "$FAIRGATE" check --policy "$WORK/cnt.yaml" --candidate "$WORK/a.csv" --out "$WORK/cnt.json"
expect_rc "count below its minimum fails in significant mode too" 1
expect_grep "saying no test applies" "$WORK/out" "is below the minimum 500 \(judged at its value: no test applies\)"

# Intersections at scale: `intersections: all` of three attributes adds the three pairs and
# the triple (7 attribute sets); every comparison made, intersections included, counts in
# the correction, and cells below min_group_size are insufficient data, never compared.
echo "a,b,c,y,cand,inc" >"$WORK/i.csv"
awk 'BEGIN { for (a = 0; a < 2; a++) for (b = 0; b < 2; b++) for (c = 0; c < 2; c++) {
    n = 40 + 20 * a + 10 * b; s = int(n * (0.3 + 0.1 * a + 0.05 * c))
    for (k = 0; k < n; k++) print a "," b "," c "," (k % 2) "," (k < s) "," (k < s) } }' >>"$WORK/i.csv"
fixture_policy evidence-intersections "$WORK/i.yaml"
run "$FAIRGATE" check --policy "$WORK/i.yaml" --candidate "$WORK/i.csv" --out "$WORK/i.json"
[ "$RC" -le 1 ] && ok "intersections: all gives a verdict" || not_ok "intersections: all" "$(cat "$WORK/err")"
expect_eq "3 attributes alone, 3 pairs and the triple: 2+2+2 + 4+4+4 + 8 groups" \
    "$(jq '.groups | length' "$WORK/i.json")" 27
expect_eq "the triple's groups are there" \
    "$(jq -r '.groups[26].label' "$WORK/i.json")" "a=1 & b=1 & c=1"
# Cells of 40..70 rows: a triple cell has 40, 50, 60 or 70 rows, so those below 60 are
# insufficient_data and are never the reference.
expect_eq "small cells are insufficient_data" \
    "$(jq '[.gates[0].results[] | select(.status == "insufficient_data")] | length' "$WORK/i.json")" \
    "$(jq '[.groups[1:][] | select(.candidate.n < 60)] | length' "$WORK/i.json")"
expect_eq "no small cell is a reference" \
    "$(jq '([.groups[] | {(.label): .candidate.n}] | add) as $n |
        [.gates[0].results[] | select(.reference != null) | $n[.reference.label] | select(. < 60)] | length' "$WORK/i.json")" 0
# Holm over m tests: the smallest p-value is multiplied by m.
m=$(jq '[.gates[0].results[] | select(.test != null)] | length' "$WORK/i.json")
expect_eq "holm counts every comparison ($m)" \
    "$(jq --argjson m "$m" '[.gates[0].results[] | select(.test != null)] | min_by(.p_value) | ((.p_value * $m | if . > 1 then 1 else . end) - .p_adjusted | fabs) < 1e-12' "$WORK/i.json")" true
[ "$m" -ge 8 ] && ok "comparisons across the attribute sets ($m)" || not_ok "comparisons" "only $m"

# Policy errors name the place.
policy "$WORK/bad.yaml" significnt
run "$FAIRGATE" lint "$WORK/bad.yaml"
expect_rc "a misspelled evidence mode is an error" 2
expect_grep "with a hint" "$WORK/err" "bad.yaml:15:15: unknown evidence mode 'significnt' \(did you mean 'significant'\?\)"
policy "$WORK/bad2.yaml" point
echo "    bootstrap: { resamples: 2000 }" >>"$WORK/bad2.yaml"
run "$FAIRGATE" lint "$WORK/bad2.yaml"
expect_rc "bootstrap without vs_incumbent is an error" 2
expect_grep "naming the key" "$WORK/err" "bad2.yaml:16:5: 'bootstrap' applies to a gate with 'vs_incumbent'"
finish
