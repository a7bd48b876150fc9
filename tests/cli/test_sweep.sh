#!/bin/sh
# `fairgate sweep`: every gate's value and status and the accuracy at each threshold of a
# score. At the policy's own threshold they are check's (jq against check's audit: the worst
# result's value, worsening and the gate's status, exactly); rows, their counts files, gzip
# and standard input give the same bytes; the grid must be on the bins' edges; a policy
# without a score candidate, or with a gate the bins cannot judge, is refused; advisory gates
# never block; the page has no script and no URL, marks the policy's threshold and shades the
# passing band where the CSV says every blocking gate passes; files all or none. On UCI Adult
# (the README walkthrough, with scikit-learn; else generated scores) it says whether any
# threshold satisfies the walkthrough policy.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
export SOURCE_DATE_EPOCH=1763769600

# csv_row CSV THRESHOLD: the CSV's row at that threshold as a JSON object (header -> field).
csv_row() {
    jq -nc --rawfile csv "$1" --arg t "$2" '
        ($csv | split("\n") | map(select(length > 0) | split(","))) as $rows
        | $rows[0] as $h | ($rows[1:] | map(select(.[0] == $t)) | .[0]) as $r
        | if $r == null then null else [range(0; $h | length) | {($h[.]): $r[.]}] | add end'
}

# like_check NAME CSV AUDIT THRESHOLD: the row at THRESHOLD against check's audit: per gate
# the worst result's value (and worsening) and the gate's status, and the overall accuracy.
like_check() {
    csv_row "$2" "$4" >"$WORK/row.json"
    expect_eq "$1: at the policy's threshold $4 every gate's worst value and status are check's" \
        "$(jq -nr --slurpfile r "$WORK/row.json" --slurpfile a "$3" '
        def num(x): if x == "" or x == null then null else x | tonumber end;
        $r[0] as $row | $a[0] as $audit
        | [ $audit.gates[] | . as $g
            | (if .worst_result == null then null else .results[.worst_result] end) as $w
            | (if $row[$g.id + ".value"] == null then "\($g.id): no column"
               elif num($row[$g.id + ".value"]) != ($w.value // null) then
                   "\($g.id): value \($row[$g.id + ".value"]) vs check \($w.value)"
               elif $row[$g.id + ".status"] != $g.status then
                   "\($g.id): status \($row[$g.id + ".status"]) vs check \($g.status)"
               elif ($g.bound | has("max_worsening")) and
                   num($row[$g.id + ".worsening"]) != ($w.worsening // null) then
                   "\($g.id): worsening \($row[$g.id + ".worsening"]) vs check \($w.worsening)"
               else empty end) ]
        + (if num($row.accuracy) != $audit.groups[0].candidate.accuracy then
               ["accuracy \($row.accuracy) vs check \($audit.groups[0].candidate.accuracy)"]
           else [] end)
        + (if ($row.all_blocking_pass == "true") != ($audit.verdict != "fail") then
               ["all_blocking_pass \($row.all_blocking_pass), verdict \($audit.verdict)"]
           else [] end)
        | if length == 0 then "the same" else join("; ") end' 2>&1)" "the same"
}

# same_bytes NAME A B
same_bytes() {
    if [ -s "$2" ] && cmp -s "$2" "$3"; then ok "$1"; else
        not_ok "$1" "$(diff "$2" "$3" | head -n 6)"
    fi
}

# ---- a policy without score gates: rows (two files joined by id), counts, check ----

"$TOOLS/fg_gen" --rows 20000 --seed 3 --scenario loan --incumbent-out "$WORK/inc.csv" >"$WORK/cand.csv"
P=$WORK/join.yaml
fixture_policy counts-join "$P" # candidate { score: p_new, threshold: 0.45 }, incumbent decisions
run "$FAIRGATE" sweep --policy "$P" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv"
cp "$WORK/out" "$WORK/rows.csv"
cp "$WORK/err" "$WORK/rows.err"
[ "$RC" -le 1 ] && ok "sweep on rows reaches an answer (exit $RC)" || not_ok "sweep on rows" "$(cat "$WORK/err")"
expect_eq "CSV header: threshold, accuracy, per gate value and status (worsening for vs_incumbent)" \
    "$(head -n 1 "$WORK/rows.csv")" \
    "threshold,accuracy,parity.value,parity.status,eo.value,eo.status,no-regression.value,no-regression.status,no-regression.worsening,all_blocking_pass"
expect_eq "100 thresholds, 0 to 0.99 by 0.01" \
    "$(sed 1d "$WORK/rows.csv" | cut -d, -f1 | tr '\n' ' ' | cut -d' ' -f1,2,3,46,100)" "0 0.01 0.02 0.45 0.99"
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv" --out "$WORK/check.json"
like_check "rows" "$WORK/rows.csv" "$WORK/check.json" 0.45
expect_eq "... where check fails three gates, as the sweep's row says" \
    "$(jq -c '[.gates[].status]' "$WORK/check.json") $(csv_row "$WORK/rows.csv" 0.45 | jq -r .all_blocking_pass)" \
    '["fail","fail","fail"] false'

run "$FAIRGATE" counts --quiet --policy "$P" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv" \
    --out "$WORK/k.csv" --bins-out "$WORK/b.csv"
expect_rc "counts --bins-out for a score candidate without score gates exits 0" 0
expect_eq "... its bins are the candidate's alone" "$(sed 1d "$WORK/b.csv" | cut -d, -f4 | sort -u)" "candidate"
run "$FAIRGATE" sweep --quiet --policy "$P" --counts "$WORK/k.csv" --counts "$WORK/b.csv"
cp "$WORK/out" "$WORK/counts.csv"
same_bytes "rows and counts give the same sweep, byte for byte" "$WORK/rows.csv" "$WORK/counts.csv"
run "$FAIRGATE" sweep --quiet --policy "$P" --counts "$WORK/b.csv" --counts "$WORK/k.csv"
same_bytes "... the bins file first too" "$WORK/rows.csv" "$WORK/out"
run "$FAIRGATE" check --quiet --policy "$P" --counts "$WORK/k.csv" --counts "$WORK/b.csv" --out "$WORK/check-k.json"
jq -S 'del(.inputs)' "$WORK/check.json" >"$WORK/a1"
jq -S 'del(.inputs)' "$WORK/check-k.json" >"$WORK/a2"
same_bytes "check --counts with those bins: the audit of the rows (the bins only tested)" "$WORK/a1" "$WORK/a2"
head -n 200 "$WORK/b.csv" >"$WORK/b-part.csv"
run "$FAIRGATE" sweep --quiet --policy "$P" --counts "$WORK/k.csv" --counts "$WORK/b-part.csv"
expect_rc "bins of other rows are refused (exit 2)" 2
expect_grep "... saying they do not fit" "$WORK/err" "the score bins do not fit the counts"
run "$FAIRGATE" sweep --quiet --policy "$P" --counts "$WORK/k.csv"
expect_rc "counts without bins are refused (exit 2)" 2
expect_grep "... naming what to give" "$WORK/err" "sweep needs the candidate's score bins beside the counts"

# the warehouse: the counts and bins queries of `fairgate sql` run in SQLite
if command -v sqlite3 >/dev/null 2>&1; then
    "$TOOLS/fg_gen" --rows 20000 --seed 3 --scenario loan >"$WORK/one.csv"
    run "$FAIRGATE" sql --policy "$P" --table t --dialect sqlite --bins
    expect_rc "sql --bins for a score candidate without score gates exits 0" 0
    expect_no_grep "... the candidate's bins alone" "$WORK/out" "'incumbent'"
    cp "$WORK/out" "$WORK/bins.sql"
    "$FAIRGATE" sql --policy "$P" --table t --dialect sqlite >"$WORK/cells.sql"
    for q in cells bins; do
        printf '.import --csv %s t
.headers on
.mode csv
.output %s
' "$WORK/one.csv" "$WORK/$q.sqlite.csv" |
            cat - "$WORK/$q.sql" | sqlite3 "$WORK/$q.db" 2>"$WORK/err"
    done
    run "$FAIRGATE" sweep --quiet --policy "$P" --counts "$WORK/cells.sqlite.csv" --counts "$WORK/bins.sqlite.csv"
    "$FAIRGATE" sweep --quiet --policy "$P" --candidate "$WORK/one.csv" >"$WORK/one-rows.sweep"
    same_bytes "SQLite's counts and bins give the rows' sweep, byte for byte" "$WORK/one-rows.sweep" "$WORK/out"
else
    skip "the sweep of SQLite's counts and bins" "no sqlite3 (apt-get install sqlite3)"
fi

# one file with both models, gzip'd, and on standard input
"$TOOLS/fg_gen" --rows 20000 --seed 3 --scenario loan >"$WORK/one.csv"
gzip -c "$WORK/one.csv" >"$WORK/one.csv.gz"
run "$FAIRGATE" sweep --quiet --policy "$P" --candidate "$WORK/one.csv"
cp "$WORK/out" "$WORK/one.sweep"
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/one.csv" --out "$WORK/check-one.json"
like_check "one file" "$WORK/one.sweep" "$WORK/check-one.json" 0.45
run "$FAIRGATE" sweep --quiet --policy "$P" --candidate "$WORK/one.csv.gz"
same_bytes "a gzip'd file gives the same sweep" "$WORK/one.sweep" "$WORK/out"
"$FAIRGATE" sweep --quiet --policy "$P" --candidate - <"$WORK/one.csv.gz" >"$WORK/stdin.sweep" 2>"$WORK/err"
same_bytes "... and so does standard input ('-')" "$WORK/one.sweep" "$WORK/stdin.sweep"

# ---- the summary, the exit status and advisory gates ----

expect_grep "the summary says where every blocking gate passes" "$WORK/rows.err" \
    '^every blocking gate passes at [0-9]+ of them: '
expect_grep "... and what the policy's threshold does" "$WORK/rows.err" \
    "^the policy's threshold 0.45: fails parity, eo, no-regression; accuracy 0\.[0-9]{4}$"
first_pass=$(awk -F, 'NR > 1 && $NF == "true" { print $1; exit }' "$WORK/rows.csv")
expect_grep "... starting where the CSV's first passing row is ($first_pass)" "$WORK/rows.err" \
    "passes at [0-9]+ of them: $first_pass( |,|\$)"
sed 's/^    min: 0.8$/    min: 0.8\n    enforce: warn/' "$P" >"$WORK/advisory.yaml"
run "$FAIRGATE" sweep --quiet --policy "$WORK/advisory.yaml" --candidate "$WORK/one.csv"
expect_eq "an advisory gate (enforce: warn) never blocks: all_blocking_pass is the other gates' alone" \
    "$(awk -F, 'NR > 1 && ($NF == "true") != ($6 != "fail" && $8 != "fail") { bad++ } END { print bad + 0 }' "$WORK/out")" "0"
expect_eq "... and it does fail somewhere where all_blocking_pass is true" \
    "$(awk -F, 'NR > 1 && $NF == "true" && $4 == "fail" { n++ } END { print (n > 0) }' "$WORK/out")" "1"

# ---- a policy with score gates: auc from the same bins as check --counts ----

S=$WORK/scores.yaml
fixture_policy html-scores "$S"
run "$FAIRGATE" sweep --policy "$S" --candidate "$WORK/one.csv" --html "$WORK/scores.html"
cp "$WORK/out" "$WORK/scores-rows.csv"
expect_rc "no threshold passes a policy whose auc gate fails at all (exit 1)" 1
expect_grep "... the summary says so" "$WORK/err" "^no threshold passes every blocking gate$"
run "$FAIRGATE" counts --quiet --policy "$S" --candidate "$WORK/one.csv" --out "$WORK/sk.csv" --bins-out "$WORK/sb.csv"
run "$FAIRGATE" sweep --quiet --policy "$S" --counts "$WORK/sk.csv" --counts "$WORK/sb.csv"
same_bytes "score gates: rows and counts give the same sweep" "$WORK/scores-rows.csv" "$WORK/out"
run "$FAIRGATE" check --quiet --policy "$S" --counts "$WORK/sk.csv" --counts "$WORK/sb.csv" --out "$WORK/scheck.json"
like_check "score gates" "$WORK/scores-rows.csv" "$WORK/scheck.json" 0.5
run "$FAIRGATE" check --quiet --policy "$S" --candidate "$WORK/one.csv" --out "$WORK/scheck-rows.json"
expect_eq "... brier and calibration_gap equal check's on the rows to 1e-12" "$(jq -nr \
    --slurpfile a "$WORK/scheck-rows.json" --argjson r "$(csv_row "$WORK/scores-rows.csv" 0.5)" '
    [$a[0].gates[] | select(.metric != "auc") | .id as $id | .results[.worst_result].value
     | "\($id):\(if ((. - ($r[$id + ".value"] | tonumber)) | fabs) <= 1e-12 then "ok" else "far" end)"]
    | join(" ")')" "calibration-gap:ok brier:ok"

# ---- the page ----

run "$FAIRGATE" sweep --quiet --policy "$P" --candidate "$WORK/one.csv" --html "$WORK/p.html" --out "$WORK/p.csv"
expect_rc "--html and --out write (exit 0 or 1)" "$([ "$RC" -le 1 ] && echo "$RC" || echo 0)"
expect_eq "--out takes the CSV off standard output" "$(wc -c <"$WORK/out")" "0"
same_bytes "... the same CSV" "$WORK/one.sweep" "$WORK/p.csv"
expect_no_grep "the page has no script" "$WORK/p.html" "<script"
expect_eq "... and no URL but the SVG namespace" \
    "$(grep -oE '(https?|ftp)://[^"'\'' )]*' "$WORK/p.html" | sort -u | tr '\n' ' ')" "http://www.w3.org/2000/svg "
expect_eq "a chart for accuracy and for each gate, each marking the policy's threshold 0.45" \
    "$(grep -c '<svg ' "$WORK/p.html") $(grep -c '<line class="policy" data-threshold="0.45"' "$WORK/p.html")" "4 4"
bands=$(awk -F, 'NR > 1 { if ($NF == "true" && !open) { from = $1; open = 1 }
    if ($NF == "true") to = $1; if ($NF != "true" && open) { printf "%s-%s ", from, to; open = 0 } }
    END { if (open) printf "%s-%s ", from, to }' "$WORK/p.csv")
expect_eq "the CSV has a band where every blocking gate passes" "$([ -n "$bands" ] && echo yes)" "yes"
expect_eq "every chart shades the bands where the CSV says every blocking gate passes ($bands)" \
    "$(grep -o '<rect class="pass-band" data-from="[^"]*" data-to="[^"]*"' "$WORK/p.html" |
        sed 's/.*data-from="\([^"]*\)" data-to="\([^"]*\)"/\1-\2/' | sort | uniq -c |
        awk '{ printf "%s:%s ", $2, $1 }')" \
    "$(for b in $bands; do printf '%s:4 ' "$b"; done)"
expect_eq "a point per threshold where the value is defined, on every chart" \
    "$(grep -c '<circle ' "$WORK/p.html" | awk '$1 > 300')" \
    "$(awk -F, 'NR > 1 { n += ($2 != "") + ($3 != "") + ($5 != "") + ($9 != "") } END { print n }' "$WORK/p.csv")"
if command -v xmllint >/dev/null 2>&1; then
    if xmllint --html --noout "$WORK/p.html" 2>"$WORK/lint"; then ok "the page parses as HTML"; else
        not_ok "the page parses as HTML" "$(head -n 5 "$WORK/lint")"; fi
else
    skip "the page parses as HTML" "no xmllint (libxml2-utils)"
fi
expect_grep "the score page too: the policy's line at 0.5" "$WORK/scores.html" '<line class="policy" data-threshold="0.5"'
expect_no_grep "... no band where nothing passes" "$WORK/scores.html" 'class="pass-band"'

# ---- what is refused (exit 2, nothing written) ----

run "$FAIRGATE" sweep --policy "$P" --candidate "$WORK/one.csv" --grid 0.00015 --html "$WORK/x.html"
expect_rc "a grid off the bins' edges (0.00015) exits 2" 2
expect_grep "... saying the step must be a multiple of 0.0001" "$WORK/err" \
    "^fairgate: error: --grid 0.00015: the step between thresholds must be a multiple of the score bins' width 0.0001"
expect_absent "... and writes nothing" "$WORK/x.html"
for g in 0 1 abc 0.5x -0.01; do
    run "$FAIRGATE" sweep --policy "$P" --candidate "$WORK/one.csv" --grid "$g"
    expect_rc "--grid $g exits 2" 2
done
run "$FAIRGATE" sweep --quiet --policy "$P" --candidate "$WORK/one.csv" --grid 0.0125
expect_eq "a grid of 0.0125 (125 bins) sweeps 80 thresholds, 0 to 0.9875" \
    "$(sed 1d "$WORK/out" | cut -d, -f1 | tr '\n' ' ' | cut -d' ' -f1,2,36,37,38,80,81)" "0 0.0125 0.4375 0.45 0.4625 0.9875 "
run "$FAIRGATE" sweep --quiet --policy "$P" --candidate "$WORK/one.csv" --grid 0.02
expect_eq "a grid of 0.02 sweeps the policy's 0.45 too, in its place (51 thresholds)" \
    "$(sed 1d "$WORK/out" | cut -d, -f1 | tr '\n' ' ' | cut -d' ' -f1,2,23,24,25,51,52)" "0 0.02 0.44 0.45 0.46 0.98 "
like_check "grid 0.02" "$WORK/out" "$WORK/check-one.json" 0.45
run "$FAIRGATE" sweep --policy "$ROOT/policies/loan-approval.yaml" --candidate "$WORK/one.csv"
expect_rc "a policy whose candidate reads decisions exits 2" 2
expect_grep "... saying sweep needs a score, at the candidate's line" "$WORK/err" \
    "loan-approval.yaml:[0-9]+:[0-9]+: sweep moves the threshold of a score, but data.candidate reads decisions \(prediction: '[a-z_]+'\)"
cp "$P" "$WORK/confident.yaml"
printf '  - id: regression-confident\n    metric: tpr\n    disparity: difference\n    vs_incumbent: { max_worsening: 0.02 }\n    evidence: confident\n' >>"$WORK/confident.yaml"
run "$FAIRGATE" sweep --policy "$WORK/confident.yaml" --candidate "$WORK/one.csv"
expect_rc "a vs_incumbent gate under evidence: confident exits 2" 2
expect_grep "... naming the gate and why" "$WORK/err" \
    "confident.yaml:[0-9]+:[0-9]+: gate 'regression-confident': sweep cannot judge a vs_incumbent gate under evidence: confident"
run "$FAIRGATE" sweep --policy "$P" --candidate "$WORK/one.csv" --counts "$WORK/k.csv"
expect_rc "--candidate with --counts exits 2" 2
run "$FAIRGATE" sweep --policy "$P"
expect_rc "neither --candidate nor --counts exits 2" 2
run "$FAIRGATE" sweep --policy "$P" --candidate "$WORK/one.csv" --grid 0.01 --grid 0.02
expect_rc "--grid twice exits 2" 2
run "$FAIRGATE" sweep --policy "$P" --candidate "$WORK/one.csv" --out "$WORK/no-such-dir/s.csv" --html "$WORK/y.html"
expect_rc "an unwritable --out exits 2" 2
expect_absent "... and the page is not written either (all or none)" "$WORK/y.html"
run "$FAIRGATE" sweep --help
expect_rc "sweep --help exits 0" 0
expect_grep "... and names --grid" "$WORK/out" "^  --grid STEP"

# ---- UCI Adult: does any threshold satisfy the README walkthrough's policy? ----

AP=$ROOT/ci-examples/adult-walkthrough/policy.yaml
PY=
for p in /usr/bin/python3 python3; do
    if "$p" -c 'import sklearn, pandas' 2>/dev/null; then PY=$p; break; fi
done
if [ -n "$PY" ]; then
    OMP_NUM_THREADS=1 "$PY" "$ROOT/ci-examples/adult-walkthrough/train.py" "$SHIPPED/adult.data.csv.gz" \
        "$SHIPPED/adult.test.csv.gz" "$WORK/adult.csv" >/dev/null
    run "$FAIRGATE" sweep --policy "$AP" --candidate "$WORK/adult.csv"
    cp "$WORK/out" "$WORK/adult.sweep"
    expect_rc "Adult: some thresholds satisfy the walkthrough policy (exit 0)" 0
    expect_eq "Adult: every blocking gate passes only at 0.94 and 0.98, far from the policy's 0.5" \
        "$(awk -F, 'NR > 1 && $NF == "true" { printf "%s ", $1 }' "$WORK/adult.sweep")" "0.94 0.98 "
    expect_grep "... at the cost of accuracy: 0.8238 against 0.8725 at 0.5" "$WORK/err" \
        "^the most accurate of them: 0.94, accuracy 0.8238$"
    expect_grep "... the policy's threshold fails two gates" "$WORK/err" \
        "^the policy's threshold 0.5: fails equal-opportunity, no-tpr-regression; accuracy 0.8725$"
    grep -E '^(threshold|0.5|0.93|0.94),' "$WORK/adult.sweep" | cut -d, -f1-7,12 >"$WORK/excerpt"
    awk '/^## Threshold sweep/ { s = 1 } s && /^(threshold,accuracy|0\.5|0\.93|0\.94),/ { print } /^## Not yet/ { s = 0 }' \
        "$ROOT/README.md" >"$WORK/readme-excerpt"
    same_bytes "Adult: the README's excerpt of the CSV is this run's" "$WORK/excerpt" "$WORK/readme-excerpt"
    run "$FAIRGATE" counts --quiet --policy "$AP" --candidate "$WORK/adult.csv" --out "$WORK/ak.csv" --bins-out "$WORK/ab.csv"
    run "$FAIRGATE" check --quiet --policy "$AP" --counts "$WORK/ak.csv" --counts "$WORK/ab.csv" --out "$WORK/adult.json"
    like_check "Adult" "$WORK/adult.sweep" "$WORK/adult.json" 0.5
else
    skip "Adult: predictions from train.py" "no python3 with scikit-learn and pandas; generated scores instead"
    "$TOOLS/fg_gen" --rows 16000 --seed 7 --scenario loan >"$WORK/gen.csv"
    sed -e 's/score_candidate/p_new/; s/score_incumbent/p_old/; s/label: income/label: defaulted/' \
        -e 's/positive_label: "1"  /positive_label: "0"  /; s/^  id: id$/  id: applicant_id/' "$AP" >"$WORK/gen.yaml"
    run "$FAIRGATE" sweep --policy "$WORK/gen.yaml" --candidate "$WORK/gen.csv"
    cp "$WORK/out" "$WORK/gen.sweep"
    passing=$(awk -F, 'NR > 1 && $NF == "true" { n++ } END { print n + 0 }' "$WORK/gen.sweep")
    expect_eq "generated scores: the exit status says whether any threshold passes ($passing do)" \
        "$RC" "$([ "$passing" -gt 0 ] && echo 0 || echo 1)"
    run "$FAIRGATE" counts --quiet --policy "$WORK/gen.yaml" --candidate "$WORK/gen.csv" --out "$WORK/gk.csv" --bins-out "$WORK/gb.csv"
    run "$FAIRGATE" check --quiet --policy "$WORK/gen.yaml" --counts "$WORK/gk.csv" --counts "$WORK/gb.csv" --out "$WORK/gen.json"
    like_check "generated" "$WORK/gen.sweep" "$WORK/gen.json" 0.5
fi
finish
