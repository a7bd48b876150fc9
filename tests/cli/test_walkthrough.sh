#!/bin/sh
# README's walkthrough, run as written: train.py (scikit-learn) scores UCI Adult's test set
# with two models, then the walkthrough policy gates the candidate. The figures the README
# quotes (row count, accuracies, the failing gates and their worst groups) are asserted, so
# an edit of the script, the policy or the README that changes them fails here.
# Needs Python 3 with scikit-learn and pandas (.ci/ensure-deps test installs Debian's
# python3-sklearn and python3-pandas); without them the test reports itself skipped.
. "$(dirname "$0")/lib.sh"
README=$TESTS_DIR/../README.md
ROOT=$(cd "$TESTS_DIR/.." && pwd)

# Debian's python3 has the packages even where another python3 comes first on PATH.
PY=
for p in /usr/bin/python3 python3; do
    if "$p" -c 'import sklearn, pandas' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
    skip "README walkthrough" "no python3 with scikit-learn and pandas: apt-get install python3-sklearn python3-pandas"
    exit 0
fi

block "$README" '^\*\*1\. Score a held-out set' >"$WORK/score.sh"
block "$README" '^\*\*3\. Run the gate' >"$WORK/gate.sh"
expect_grep "README step 1 runs train.py" "$WORK/score.sh" '^python3 ci-examples/adult-walkthrough/train.py '
expect_grep "README step 3 runs the gate" "$WORK/gate.sh" '^fairgate check --policy ci-examples/adult-walkthrough/policy.yaml '

# One OpenMP thread: the same predictions (compared byte for byte), and on a busy 2-core CI
# machine scikit-learn's spinning threads took 100 s instead of 6.
export OMP_NUM_THREADS=1
mkdir -p "$WORK/bin"
ln -s "$FAIRGATE" "$WORK/bin/fairgate"
ln -s "$(command -v "$PY")" "$WORK/bin/python3"
cd "$ROOT" || exit 1
OUT=$WORK/run
mkdir -p "$OUT"
# The README's commands write into the current folder: run them from the repository root
# with their outputs redirected into $WORK (paths rewritten, nothing left in the tree).
sed -e "s| adult.csv| $OUT/adult.csv|g" -e "s|--candidate adult.csv|--candidate $OUT/adult.csv|" \
    -e "s|--out audit.json|--out $OUT/audit.json|" -e "s|--markdown report.md|--markdown $OUT/report.md|" \
    "$WORK/score.sh" "$WORK/gate.sh" >"$WORK/all.sh"
PATH=$WORK/bin:$PATH run sh -e "$WORK/all.sh"
expect_rc "walkthrough: the gate fails the candidate (exit 1)" 1
expect_grep "train.py scored the 16281 test rows" "$WORK/out" '^/.*adult\.csv: 16281 rows; accuracy candidate 0\.87[0-9]*, incumbent 0\.81[0-9]*$'
expect_eq "predictions CSV header" "$(head -1 "$OUT/adult.csv")" \
    "id,sex,race,income,pred_candidate,score_candidate,pred_incumbent,score_incumbent"
A=$OUT/audit.json
expect_eq "gate statuses" "$(jq -r '[.gates[] | .id + ":" + .status] | join(" ")' "$A")" \
    "equal-opportunity:fail no-tpr-regression:fail ranking-quality:warn accuracy-floor:pass"
expect_eq "no-tpr-regression: worst group is sex=Female" \
    "$(jq -r '.gates[1] as $g | $g.results[$g.worst_result].label' "$A")" "sex=Female"
expect_eq "equal-opportunity: worst group is race=Black" \
    "$(jq -r '.gates[0] as $g | $g.results[$g.worst_result].label' "$A")" "race=Black"
# The README's figures: TPR gap women vs men 0.011 -> 0.068, Black TPR 0.11 below the best.
expect_eq "README figures: the TPR gap and its incumbent value" \
    "$(jq -r '.gates[1] as $g | $g.results[$g.worst_result] | "\(.value*1000|round/1000) \(.incumbent.value*1000|round/1000)"' "$A")" \
    "0.068 0.011"
expect_eq "README figures: Black earners' TPR gap" \
    "$(jq -r '.gates[0] as $g | $g.results[$g.worst_result].value*100|round/100' "$A")" "0.11"
expect_grep "README quotes the accuracies" "$README" 'more accurate \(0\.87 against 0\.81\)'
expect_grep "README quotes the TPR gaps" "$README" '0\.011 to 0\.068'
[ -s "$OUT/report.md" ] && ok "the Markdown report was written" || not_ok "the Markdown report was written"
exit $FAILED
