#!/bin/sh
# A new user's mistakes with the data, tried from the README: each one stops the run (exit 2)
# with a message that says what to do, and check on the rows agrees with check on their
# counts (README: "same groups, gates, verdict and exit code as on the rows").
# - a label column without the positive label (every row negative: no TPR, base rate 0):
#   check --counts refused it, check and counts on the rows judged it (exit 1, or 0);
# - --candidate and --incumbent swapped: the error now says so.
. "$(dirname "$0")/lib.sh"
cp "$TESTS_DIR/../policies/loan-approval.yaml" "$WORK/p.yaml"
cd "$WORK" || exit 1
"$TOOLS/fg_gen" --rows 2000 --seed 5 --scenario loan >rows.csv
# columns: applicant_id,sex,race,defaulted,p_old,approve_old,p_new,approve_new

# ---- a label column in which no row has the positive label "0" ----
awk -F, 'BEGIN { OFS = "," } NR > 1 { $4 = "x" } 1' rows.csv >nolabel.csv
run "$FAIRGATE" check --policy p.yaml --candidate nolabel.csv --out a.json
expect_rc "check: a label column without the positive label is an error" 2
expect_grep "... naming the file, the column, the positive label and what to write" "$WORK/err" \
    "^fairgate: error: nolabel\.csv: no row has the positive label '0' in column 'defaulted', .*: write data\.positive_label as the file writes the favourable outcome$"
expect_absent "... and no audit is written" a.json
run "$FAIRGATE" counts --policy p.yaml --candidate nolabel.csv --out k.csv
expect_rc "counts: the same error, not a table check --counts refuses" 2
expect_grep "... in the same words" "$WORK/err" "no row has the positive label '0' in column 'defaulted'"
expect_absent "... and no counts file is written" k.csv

# the rows themselves, as counts: judged as before (exit 1, the demo's failure)
cut -d, -f1-4,7,8 rows.csv >cand.csv
"$FAIRGATE" counts --policy p.yaml --candidate rows.csv --out good.csv >/dev/null
run "$FAIRGATE" check --policy p.yaml --counts good.csv
expect_rc "the good rows as counts: still judged" 1

# ---- --candidate and --incumbent swapped ----
cut -d, -f1,5,6 rows.csv >inc.csv
run "$FAIRGATE" check --policy p.yaml --candidate inc.csv --incumbent cand.csv
expect_rc "check: swapped files are an error" 2
expect_grep "... that says they look swapped" "$WORK/err" \
    "the candidate file inc\.csv has no column 'defaulted' \(it has the incumbent's column 'approve_old': are --candidate and --incumbent swapped\?\)"
# both files with the label: the incumbent file (read first or second) says it too
cut -d, -f1-4,6 rows.csv >inc-full.csv
run "$FAIRGATE" check --policy p.yaml --candidate inc-full.csv --incumbent cand.csv
expect_rc "check: swapped files that both carry the label are an error" 2
expect_grep "... that says they look swapped" "$WORK/err" \
    "has no column 'approve_(new|old)' \(it has the (incumbent|candidate)'s column 'approve_(old|new)': are --candidate and --incumbent swapped\?\)"
# a missing column with the files the right way round gets no such hint
cut -d, -f1,5 rows.csv >inc-nopred.csv
run "$FAIRGATE" check --policy p.yaml --candidate cand.csv --incumbent inc-nopred.csv
expect_rc "check: an incumbent file without its column is an error" 2
expect_no_grep "... and no swap is suggested" "$WORK/err" "swapped"

# ---- a group too small to judge still shows its reference's rate ----
# Female: 10 rows (under min_group_size 30); reference Male, 100 rows, 60 approved: the audit
# gave the reference's value as null for the small group (the Markdown read "(undefined)").
{
    echo "applicant_id,sex,race,defaulted,p_old,approve_old,p_new,approve_new"
    i=0
    while [ $i -lt 100 ]; do
        a=$((i < 60 ? 1 : 0))
        echo "M$i,Male,White,$((i % 2)),0.5,$a,0.5,$a"
        i=$((i + 1))
    done
    i=0
    while [ $i -lt 10 ]; do
        echo "F$i,Female,White,$((i % 2)),0.5,1,0.5,$((i < 5 ? 1 : 0))"
        i=$((i + 1))
    done
} >small.csv
run "$FAIRGATE" check --policy p.yaml --candidate small.csv --out small.json
expect_rc "check: judged (accuracy-floor fails on these rows)" 1
expect_eq "... the small group is insufficient_data" \
    "$(jq -r '.gates[0].results[] | select(.label == "sex=Female") | .status' small.json)" \
    "insufficient_data"
expect_eq "... and its reference's rate is the reference's (60 of 100)" \
    "$(jq -r '.gates[0].results[] | select(.label == "sex=Female") | .reference.value' small.json)" \
    "0.6"
expect_eq "... the incumbent's too" \
    "$(jq -r '.gates[0].results[] | select(.label == "sex=Female") | .incumbent.reference.value' small.json)" \
    "0.6"
finish
