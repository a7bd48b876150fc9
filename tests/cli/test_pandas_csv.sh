#!/bin/sh
# Predictions CSVs as pandas writes them (DataFrame.to_csv): the index column, booleans as
# True/False, a float column's 1 as 1.0, NaN as an empty field, and Excel's European flavour
# (a byte order mark, CRLF, ';' between fields, ',' as the decimal point). Each is read right
# or refused with the line and what to write instead; none is silently misread. The files are
# the bytes pandas 1.5 writes (checked against pandas itself below when it is installed).
. "$(dirname "$0")/lib.sh"

# df = pd.DataFrame({"sex": ["Female"] * 3 + ["Male"] * 3,
#                    "label": [True, False, True, True, False, False],
#                    "pred": [1.0, 0.0, 0.0, 1.0, 1.0, 0.0],
#                    "score": [0.9, 0.2, 0.4, 0.8, 0.6, 0.1]})
rows='Female,True,1.0,0.9
Female,False,0.0,0.2
Female,True,0.0,0.4
Male,True,1.0,0.8
Male,False,1.0,0.6
Male,False,0.0,0.1'
# df.to_csv("default.csv"): the index written as a first, unnamed column.
{ echo ',sex,label,pred,score'; echo "$rows" | awk '{ print NR - 1 "," $0 }'; } >"$WORK/default.csv"
# df.to_csv("excel.csv", index=False, sep=";", decimal=",", encoding="utf-8-sig", lineterminator="\r\n")
{ printf '\357\273\277sex;label;pred;score\r\n'; echo "$rows" | sed -e 's/,/;/g' -e 's/\([0-9]\)\.\([0-9]\)/\1,\2/g' -e 's/$/\r/'; } >"$WORK/excel.csv"
# d = df.copy(); d.loc[4, "pred"] = np.nan; d.to_csv("nan.csv", index=False)
{ echo 'sex,label,pred,score'; echo "$rows" | sed '5s/1\.0,0\.6/,0.6/'; } >"$WORK/nan.csv"

# policy LABEL FAVORABLE [MODEL] [DELIMITER]: a policy on these columns.
policy() {
    model=${3:-"{ prediction: pred }"}
    cat <<EOF
version: 1
name: pandas
data:
  label: label
  positive_label: "$1"
  protected: [sex]
  candidate: $model
  favorable_prediction: "$2"
${4:+  delimiter: "$4"}
defaults: { min_group_size: 1 }
gates:
  - id: parity
    metric: selection_rate
    disparity: ratio
    min: 0.5
  - id: accuracy
    metric: accuracy
    overall: { min: 0.5 }
EOF
}

PY=
for p in /usr/bin/python3 python3; do
    if "$p" -c 'import pandas' 2>/dev/null; then PY=$p; break; fi
done
if [ -n "$PY" ]; then
    (cd "$WORK" && "$PY" -c '
import pandas as pd, numpy as np
df = pd.DataFrame({"sex": ["Female"] * 3 + ["Male"] * 3,
                   "label": [True, False, True, True, False, False],
                   "pred": [1.0, 0.0, 0.0, 1.0, 1.0, 0.0],
                   "score": [0.9, 0.2, 0.4, 0.8, 0.6, 0.1]})
df.to_csv("pd-default.csv")
df.to_csv("pd-excel.csv", index=False, sep=";", decimal=",", encoding="utf-8-sig", lineterminator="\r\n")
d = df.copy(); d.loc[4, "pred"] = np.nan; d.to_csv("pd-nan.csv", index=False)')
    for f in default excel nan; do
        if cmp -s "$WORK/$f.csv" "$WORK/pd-$f.csv"; then ok "$f.csv is what pandas writes"
        else not_ok "$f.csv is what pandas writes" "$(diff "$WORK/$f.csv" "$WORK/pd-$f.csv" | head -5)"; fi
    done
else
    skip "the fixtures against pandas itself" "no python3 with pandas: apt-get install python3-pandas"
fi

# ---- as written, with the policy's values as pandas writes them: read right ----
policy True 1.0 >"$WORK/p.yaml"
run "$FAIRGATE" check --policy "$WORK/p.yaml" --candidate "$WORK/default.csv" --out "$WORK/a.json"
expect_rc "index column, True/False, 1.0/0.0: the gate runs" 0
# Female: selected 1 of 3, correct 2 of 3; Male: selected 2 of 3, correct 2 of 3.
expect_eq "... each group's counts, the unnamed index column ignored" \
    "$(jq -c '[.groups[] | [.label, .candidate.n, .candidate.tp, .candidate.fp, .candidate.tn, .candidate.fn]]' "$WORK/a.json")" \
    '[["overall",6,2,1,2,1],["sex=Female",3,1,0,1,1],["sex=Male",3,1,1,1,0]]'

# ---- a float column's 1.0 where the policy says "1": refused, never read as 0 ----
policy True 1 >"$WORK/p1.yaml"
run "$FAIRGATE" check --policy "$WORK/p1.yaml" --candidate "$WORK/default.csv" --out "$WORK/b.json"
expect_rc "favorable_prediction \"1\" on a column of 1.0/0.0: exit 2" 2
expect_grep "... names the line, the value and what to write" "$WORK/err" \
    "^fairgate: error: .*default\.csv:2: column 'pred' has '1\.0', which differs from the favorable prediction '1' only in how the number is written: .*write data\.favorable_prediction: \"1\.0\" in the policy.*df\['pred'\]\.astype\(int\)"
expect_absent "... and writes no audit" "$WORK/b.json"
# A model that approves everyone, written as 1.0: before, every row was read as not
# favourable and the parity gate passed on "0 vs 0".
{ echo 'sex,label,pred'; echo "$rows" | cut -d, -f1,2 | sed 's/$/,1.0/'; } >"$WORK/allone.csv"
run "$FAIRGATE" check --policy "$WORK/p1.yaml" --candidate "$WORK/allone.csv" --out "$WORK/c.json"
expect_rc "a column that is 1.0 everywhere, favorable_prediction \"1\": exit 2, not a silent pass" 2
expect_grep "... at its first line" "$WORK/err" "allone\.csv:2: column 'pred' has '1\.0', which differs"
expect_absent "... and writes no audit" "$WORK/c.json"
# The label: 1.0/0.0 against positive_label "1"; True against "true" (case); ' >50K' (spaces).
{ echo 'sex,label,pred'; echo "$rows" | cut -d, -f1,3 | sed 's/$/,1/'; } >"$WORK/label-float.csv"
policy 1 1 >"$WORK/p2.yaml"
run "$FAIRGATE" check --policy "$WORK/p2.yaml" --candidate "$WORK/label-float.csv"
expect_rc "positive_label \"1\" on a label column of 1.0/0.0: exit 2" 2
expect_grep "... names the label" "$WORK/err" \
    "label-float\.csv:2: column 'label' has '1\.0', which differs from the positive label '1' only in how the number is written: .*data\.positive_label: \"1\.0\""
policy true 1.0 >"$WORK/p3.yaml"
run "$FAIRGATE" check --policy "$WORK/p3.yaml" --candidate "$WORK/default.csv"
expect_rc "positive_label \"true\" on True/False: exit 2" 2
expect_grep "... says it is the case" "$WORK/err" \
    "default\.csv:2: column 'label' has 'True', which differs from the positive label 'true' only in letter case: .*data\.positive_label: \"True\""
printf 'sex,label,pred\nF, >50K,1\nF, <=50K,0\nM, <=50K,1\n' >"$WORK/spaces.csv"
policy '>50K' 1 >"$WORK/p4.yaml"
run "$FAIRGATE" check --policy "$WORK/p4.yaml" --candidate "$WORK/spaces.csv"
expect_rc "positive_label \">50K\" on ' >50K' (raw UCI Adult): exit 2" 2
expect_grep "... says it is the spaces" "$WORK/err" \
    "spaces\.csv:2: column 'label' has ' >50K', which differs from the positive label '>50K' only in the spaces around it"
# The third value of a column whose first other value was fine: the same message.
printf 'sex,label,pred\nF,1,0\nF,0,1\nM,1,1.0\n' >"$WORK/third.csv"
run "$FAIRGATE" check --policy "$WORK/p2.yaml" --candidate "$WORK/third.csv"
expect_rc "1.0 after 0 and 1: exit 2" 2
expect_grep "... as 1 written otherwise, not a mere third value" "$WORK/err" \
    "third\.csv:4: column 'pred' has '1\.0', which differs from the favorable prediction '1'"
# Values that are simply other values stay as they were.
printf 'sex,label,pred\nF,1,0\nF,0,1\nM,1,10\n' >"$WORK/ten.csv"
run "$FAIRGATE" check --policy "$WORK/p2.yaml" --candidate "$WORK/ten.csv"
expect_grep "10 after 0 and 1: a third value" "$WORK/err" "ten\.csv:4: column 'pred' has a third value '10'"

# ---- NaN written as an empty field ----
run "$FAIRGATE" check --policy "$WORK/p.yaml" --candidate "$WORK/nan.csv"
expect_rc "NaN as an empty field: exit 2 under missing: error" 2
expect_grep "... at its line, with the way out" "$WORK/err" \
    "nan\.csv:6: empty value in column 'pred': a missing value; 'missing: drop'"

sed 's/^data:/data:\n  missing: drop/' "$WORK/p.yaml" >"$WORK/p-drop.yaml"
run "$FAIRGATE" check --policy "$WORK/p-drop.yaml" --candidate "$WORK/nan.csv" --out "$WORK/d.json"
expect_rc "NaN under missing: drop: the gate runs" 0
expect_eq "... on the 5 rows left" "$(jq -c '[.inputs.candidate.rows, .inputs.candidate.rows_dropped, .groups[0].candidate.n]' "$WORK/d.json")" '[6,1,5]'
expect_grep "... and the console says a row was dropped, not only '5 rows'" "$WORK/out" \
    "^policy pandas: 2 gates, 5 rows; candidate .*nan\.csv: 1 of 6 rows dropped for a missing value \(missing: drop\)$"

# ---- Excel's European CSV: BOM, CRLF, ';', decimal comma ----
run "$FAIRGATE" check --policy "$WORK/p.yaml" --candidate "$WORK/excel.csv"
expect_rc "';' file without data.delimiter: exit 2" 2
expect_grep "... asks for the delimiter" "$WORK/err" "the header is one column: is data\.delimiter \";\"\?"
policy True 1.0 "" ";" >"$WORK/p5.yaml"
run "$FAIRGATE" check --policy "$WORK/p5.yaml" --candidate "$WORK/excel.csv"
expect_rc "delimiter ';' but 1,0 for the policy's 1.0: exit 2" 2
expect_grep "... 1,0 is 1.0 with a decimal comma" "$WORK/err" \
    "excel\.csv:2: column 'pred' has '1,0', which differs from the favorable prediction '1\.0' only in how the number is written"
policy True "1,0" "" ";" >"$WORK/p6.yaml"
run "$FAIRGATE" check --policy "$WORK/p6.yaml" --candidate "$WORK/excel.csv" --out "$WORK/e.json"
expect_rc "delimiter ';', favorable_prediction \"1,0\": the gate runs" 0
expect_eq "... the same counts as the plain file (BOM and CRLF read)" \
    "$(jq -c '[.groups[] | [.label, .candidate.tp, .candidate.fp, .candidate.tn, .candidate.fn]]' "$WORK/e.json")" \
    "$(jq -c '[.groups[] | [.label, .candidate.tp, .candidate.fp, .candidate.tn, .candidate.fn]]' "$WORK/a.json")"
policy True 1.0 "{ score: score, threshold: 0.5 }" ";" >"$WORK/p7.yaml"
run "$FAIRGATE" check --policy "$WORK/p7.yaml" --candidate "$WORK/excel.csv"
expect_rc "a score with a decimal comma: exit 2" 2
expect_grep "... says it is a decimal comma" "$WORK/err" \
    "excel\.csv:2: column 'score' has '0,9', which is not a number; it has a decimal comma, and a score's decimal point is '\.'"
policy True 1.0 "{ score: score, threshold: 0.5 }" >"$WORK/p8.yaml"
run "$FAIRGATE" check --policy "$WORK/p8.yaml" --candidate "$WORK/default.csv" --out "$WORK/s.json"
expect_rc "the scores with a decimal point: the gate runs" 0
expect_eq "... decided at 0.5" "$(jq -c '[.groups[0].candidate | .tp, .fp, .tn, .fn]' "$WORK/s.json")" '[2,1,2,1]'

exit $FAILED
