#!/bin/sh
# Errors that find the mistake (README "Inputs"): a missing column is reported at the
# policy's file:line:col where the column is named, with the CSV that lacks it, its columns
# and a case-blind suggestion; a label or prediction value that looks like a missing value
# (NA, NaN, null, None, N/A, empty) gets a hint that only an empty field is missing and that
# 'missing: drop' exists. The messages are asserted whole.
. "$(dirname "$0")/lib.sh"

fixture_policy column-errors "$WORK/p.yaml"
# err_is NAME WANT: the last run exited 2 and printed exactly WANT on stderr ($W: the work folder).
err_is() {
    expect_rc "$1: exits 2" 2
    expect_eq "$1: the message" "$(cat "$WORK/err")" "fairgate: error: $2"
}
check() { run "$FAIRGATE" check --policy "$WORK/p.yaml" "$@"; }
W=$WORK

# The column of the issue: pred_GB where the file has pred_gb (and a sibling, pred_lr).
printf 'person_id,sex,race,income,pred_lr,pred_gb,score_old\n1,F,A,>50K,1,1,0.7\n' >"$W/rows.csv"
check --candidate "$W/rows.csv"
err_is "pred_GB: at the policy's line:col" \
    "$W/p.yaml:10:28: data.candidate.prediction names column 'pred_GB', but the candidate file $W/rows.csv has no column 'pred_GB' (did you mean 'pred_gb'?); its 7 columns (line 1): person_id, sex, race, income, pred_lr, pred_gb, score_old"

# Only a sibling: no suggestion (pred_lr is another model, not a typo).
printf 'person_id,sex,race,income,pred_lr,score_old\n1,F,A,>50K,1,0.7\n' >"$W/rows.csv"
check --candidate "$W/rows.csv"
err_is "only a sibling: no suggestion" \
    "$W/p.yaml:10:28: data.candidate.prediction names column 'pred_GB', but the candidate file $W/rows.csv has no column 'pred_GB'; its 6 columns (line 1): person_id, sex, race, income, pred_lr, score_old"

# A protected attribute in a block list, named on its own line; the file read from stdin.
printf 'person_id,Sex,race,income,pred_GB,score_old\n1,F,A,>50K,1,0.7\n' |
    "$FAIRGATE" check --policy "$W/p.yaml" --candidate - >"$WORK/out" 2>"$WORK/err"
RC=$?
err_is "protected attribute, from stdin" \
    "$W/p.yaml:8:7: data.protected names column 'sex', but the candidate file <stdin> has no column 'sex' (did you mean 'Sex'?); its 6 columns (line 1): person_id, Sex, race, income, pred_GB, score_old"

# The incumbent's score column, absent from the one file, and the hint to give a file.
printf 'person_id,sex,race,income,pred_GB\n1,F,A,>50K,1\n' >"$W/rows.csv"
check --candidate "$W/rows.csv"
err_is "incumbent column" \
    "$W/p.yaml:11:23: data.incumbent.score names column 'score_old', but the candidate file $W/rows.csv has no column 'score_old' (or give --incumbent FILE); its 5 columns (line 1): person_id, sex, race, income, pred_GB"

# The id, absent from the incumbent file.
printf 'id,score_old\n1,0.7\n' >"$W/inc.csv"
check --candidate "$W/rows.csv" --incumbent "$W/inc.csv"
err_is "id in the incumbent file" \
    "$W/p.yaml:4:7: data.id names column 'person_id', but the incumbent file $W/inc.csv has no column 'person_id'; its 2 columns (line 1): id, score_old"

# A long header: the list is cut, saying how many more.
{ printf 'person_id,sex,race,income,score_old'; for i in $(seq 1 40); do printf ',feature_%02d' "$i"; done; printf '\n'; } >"$W/wide.csv"
check --candidate "$W/wide.csv"
expect_rc "a long header: exits 2" 2
expect_grep "a long header: the list cut, the rest counted" "$WORK/err" \
    "its 45 columns \(line 1\): person_id, sex, race, income, score_old, feature_01, .*, feature_[0-9]+, \.\.\. and [0-9]+ more$"
expect_eq "a long header: the message stays one line under 1000 bytes" \
    "$(wc -l <"$WORK/err" | tr -d ' ') $(($(wc -c <"$WORK/err") < 1000))" "1 1"

# The wrong delimiter: the header is one column.
printf 'person_id;sex;race;income;pred_GB;score_old\n1;F;A;>50K;1;0.7\n' >"$W/semi.csv"
check --candidate "$W/semi.csv"
err_is "wrong delimiter" \
    "$W/p.yaml:5:10: data.label names column 'income', but the candidate file $W/semi.csv has no column 'income' (the header is one column: is data.delimiter \";\"?); its 1 column (line 1): person_id;sex;race;income;pred_GB;score_old"

# Missing values as exports write them.
hint() { echo "; '$1' looks like a missing value, but only an empty field is read as missing: write missing values as empty fields, and 'missing: drop' in data leaves those rows out"; }
H='person_id,sex,race,income,pred_GB,score_old'
printf '%s\n1,F,A,>50K,1,0.7\n2,M,A,<=50K,0,0.2\n3,M,B,NA,1,0.4\n' "$H" >"$W/rows.csv"
check --candidate "$W/rows.csv"
err_is "label NA (pandas, R)" \
    "$W/rows.csv:4: column 'income' has a third value 'NA' (the positive label is '>50K'; the other value, first seen at line 3, is '<=50K')$(hint NA)"
for v in NaN null None N/A nan NULL; do
    printf '%s\n1,F,A,>50K,1,0.7\n2,M,A,<=50K,0,0.2\n3,M,B,<=50K,%s,0.4\n' "$H" "$v" >"$W/rows.csv"
    check --candidate "$W/rows.csv"
    err_is "prediction $v" \
        "$W/rows.csv:4: column 'pred_GB' has a third value '$v' (the favorable prediction is '1'; the other value, first seen at line 3, is '0')$(hint "$v")"
done
printf '%s\n1,F,A,>50K,1,0.7\n2,M,A,None,0,0.2\n3,M,B,<=50K,1,0.4\n' "$H" >"$W/rows.csv"
check --candidate "$W/rows.csv"
err_is "label None first, then a real value: the None is hinted" \
    "$W/rows.csv:4: column 'income' has a third value '<=50K' (the positive label is '>50K'; the other value, first seen at line 3, is 'None')$(hint None)"
printf '%s\n1,F,A,>50K,1,0.7\n2,M,A,,0,0.2\n' "$H" >"$W/rows.csv"
check --candidate "$W/rows.csv"
err_is "label empty" \
    "$W/rows.csv:3: empty value in column 'income': a missing value; 'missing: drop' in data leaves such rows out"
printf '%s\n1,F,A,>50K,1,0.7\n2,M,A,<=50K,0,0.2\n3,M,B,<=50K,maybe,0.4\n' "$H" >"$W/rows.csv"
check --candidate "$W/rows.csv"
err_is "a real third value: no hint" \
    "$W/rows.csv:4: column 'pred_GB' has a third value 'maybe' (the favorable prediction is '1'; the other value, first seen at line 3, is '0')"
printf 'person_id,score_old\n1,NA\n' >"$W/inc.csv"
printf '%s\n1,F,A,>50K,1,0.7\n' "$H" >"$W/rows.csv"
check --candidate "$W/rows.csv" --incumbent "$W/inc.csv"
err_is "score NA in the incumbent file" \
    "$W/inc.csv:2: column 'score_old' has 'NA', which is not a number$(hint NA)"

finish
