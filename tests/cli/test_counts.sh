#!/bin/sh
# The counts path: `fairgate counts` writes the cell table, `fairgate check --counts` gates
# on it. On generated data (one file and two files joined by id, both models, intersections)
# and on the real COMPAS data, the audit from the counts equals the audit from the rows
# (groups, gates, verdict, exit code: everything but "inputs"); four shards summed equal the
# whole; the file format is checked record by record; every malformed counts file, a score
# gate and misuse exit 2 without leaving an output file; overrides bind to all the counts
# files in order and attestations name the counts files.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/scorebins.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
export SOURCE_DATE_EPOCH=1763769600

# same_audit NAME A.json B.json: equal but for inputs
same_audit() {
    jq -S 'del(.inputs)' "$2" >"$WORK/sa1" 2>/dev/null
    jq -S 'del(.inputs)' "$3" >"$WORK/sa2" 2>/dev/null
    if [ -s "$WORK/sa1" ] && cmp -s "$WORK/sa1" "$WORK/sa2"; then ok "$1"; else
        not_ok "$1" "$(diff "$WORK/sa1" "$WORK/sa2" | head -n 12)"
    fi
}

# rows_vs_counts NAME POLICY CHECK-ARGS...: check on the rows, counts, check on the counts.
rows_vs_counts() {
    name=$1 policy=$2
    shift 2
    run "$FAIRGATE" check --quiet --policy "$policy" "$@" --out "$WORK/$name.rows.json"
    rc_rows=$RC
    [ "$rc_rows" -le 1 ] || not_ok "$name: check on rows reaches a verdict" "$(cat "$WORK/err")"
    run "$FAIRGATE" counts --quiet --policy "$policy" "$@" --out "$WORK/$name.counts.csv"
    expect_rc "$name: counts exits 0" 0
    run "$FAIRGATE" check --quiet --policy "$policy" --counts "$WORK/$name.counts.csv" \
        --out "$WORK/$name.counts.json"
    expect_rc "$name: check --counts exits as on the rows ($rc_rows)" "$rc_rows"
    same_audit "$name: same groups, gates, verdict and exit code" "$WORK/$name.rows.json" \
        "$WORK/$name.counts.json"
    expect_eq "$name: inputs.counts rows = rows judged" \
        "$(jq '.inputs.counts[0].rows' "$WORK/$name.counts.json")" \
        "$(jq '.groups[0].candidate.n' "$WORK/$name.rows.json")"
}

# ---- generated data: one file, both models, an intersection ----

"$TOOLS/fg_gen" --rows 20000 --seed 11 --scenario loan >"$WORK/loans.csv"
LOAN=$ROOT/policies/loan-approval.yaml
rows_vs_counts loan "$LOAN" --candidate "$WORK/loans.csv"
expect_eq "loan: the verdict is a failure (the test compares something)" \
    "$(jq -r .verdict "$WORK/loan.counts.json")" "fail"
"$FAIRGATE" report --audit "$WORK/loan.counts.json" --markdown "$WORK/loan.counts.md"
expect_grep "the Markdown report lists the counts file it judged" "$WORK/loan.counts.md" \
    '^\| counts \| .*loan\.counts\.csv \| [0-9a-f]{12} \| 20000 \| '
"$FAIRGATE" report --audit "$WORK/loan.counts.json" --html "$WORK/loan.counts.html"
expect_grep "and so does the HTML report" "$WORK/loan.counts.html" \
    '<tr><th>counts</th><td><code>[^<]*loan\.counts\.csv</code>.* 20000 rows'
expect_eq "loan: the bootstrap ran on the counts" \
    "$(jq '[.gates[] | select(.bootstrap) | .results[].resamples] | add > 0' "$WORK/loan.counts.json")" "true"

# The file itself: header, sorted records, 0/1 bits, total, byte-stable.
K=$WORK/loan.counts.csv
expect_eq "counts header" "$(head -n 1 "$K")" "sex,race,y_true,candidate,incumbent,count"
tail -n +2 "$K" >"$WORK/body"
LC_ALL=C sort -t, -k1,1 -k2,2 -k3,3n -k4,4n -k5,5n "$WORK/body" >"$WORK/body.sorted"
if cmp -s "$WORK/body" "$WORK/body.sorted"; then ok "records are sorted by values, then bits"; else
    not_ok "records are sorted by values, then bits"; fi
expect_eq "every bit is 0 or 1, every count a positive integer" \
    "$(awk -F, '$3 !~ /^[01]$/ || $4 !~ /^[01]$/ || $5 !~ /^[01]$/ || $6 !~ /^[1-9][0-9]*$/' "$WORK/body")" ""
expect_eq "the counts add up to the rows" "$(awk -F, '{ s += $6 } END { print s }' "$WORK/body")" "20000"
expect_eq "no cell twice" "$(cut -d, -f1-5 "$WORK/body" | sort | uniq -d)" ""
# independent: awk over the CSV (sex, race, defaulted, approve_new, approve_old)
awk -F, 'NR > 1 { k = $2 "," $3 "," ($4 == "0") "," ($8 == "1") "," ($6 == "1"); n[k]++ }
    END { for (k in n) print k "," n[k] }' "$WORK/loans.csv" | LC_ALL=C sort >"$WORK/awk.csv"
expect_eq "every cell equals awk's count of the rows" "$(LC_ALL=C sort "$WORK/body")" "$(cat "$WORK/awk.csv")"
"$FAIRGATE" counts --quiet --policy "$LOAN" --candidate "$WORK/loans.csv" --out "$WORK/again.csv"
if cmp -s "$K" "$WORK/again.csv"; then ok "counts is byte-stable"; else not_ok "counts is byte-stable"; fi
# The same rows in another order give the same counts and the same audit (the bootstrap
# draws cells in canonical order).
{ head -n 1 "$WORK/loans.csv"; tail -n +2 "$WORK/loans.csv" | sort -r; } >"$WORK/loans-rev.csv"
"$FAIRGATE" counts --quiet --policy "$LOAN" --candidate "$WORK/loans-rev.csv" --out "$WORK/rev.csv"
if cmp -s "$K" "$WORK/rev.csv"; then ok "row order does not change the counts"; else
    not_ok "row order does not change the counts"; fi
"$FAIRGATE" check --quiet --policy "$LOAN" --candidate "$WORK/loans-rev.csv" --out "$WORK/rev.json"
same_audit "row order does not change the audit" "$WORK/loan.rows.json" "$WORK/rev.json"

# ---- four shards ----

tail -n +2 "$WORK/loans.csv" >"$WORK/rows-only.csv"
split -n l/4 "$WORK/rows-only.csv" "$WORK/shard."
i=0
set --
for s in "$WORK"/shard.*; do
    { head -n 1 "$WORK/loans.csv"; cat "$s"; } >"$WORK/part$i.csv"
    "$FAIRGATE" counts --quiet --policy "$LOAN" --candidate "$WORK/part$i.csv" --out "$WORK/part$i.counts.csv"
    set -- "$@" --counts "$WORK/part$i.counts.csv"
    i=$((i + 1))
done
expect_eq "four shards" "$i" "4"
run "$FAIRGATE" check --quiet --policy "$LOAN" "$@" --out "$WORK/shards.json"
expect_rc "check on four shards exits as on the whole" 1
same_audit "four shards summed = the whole" "$WORK/loan.rows.json" "$WORK/shards.json"
expect_eq "the audit lists the four counts files with their rows" \
    "$(jq '([.inputs.counts[].rows] | add), (.inputs.counts | length), (.inputs.candidate == null)' "$WORK/shards.json" | tr '\n' ' ')" \
    "20000 4 true "
expect_eq "the audit gives each file's sha256" "$(jq -r '.inputs.counts[0].sha256' "$WORK/shards.json")" \
    "$(sha256sum <"$WORK/part0.counts.csv" | cut -d' ' -f1)"

# ---- two files joined by id; a score model; missing: drop ----

"$TOOLS/fg_gen" --rows 8000 --seed 5 --scenario loan --incumbent-out "$WORK/inc.csv" >"$WORK/cand.csv"
fixture_policy counts-join "$WORK/join.yaml"
# a few missing values, dropped
awk -F, -v OFS=, 'NR > 1 && NR % 97 == 0 { $3 = "" } { print }' "$WORK/cand.csv" >"$WORK/cand-missing.csv"
rows_vs_counts join "$WORK/join.yaml" --candidate "$WORK/cand-missing.csv" --incumbent "$WORK/inc.csv"
expect_eq "join: rows were dropped before counting" \
    "$(jq '.inputs.candidate.rows_dropped > 0' "$WORK/join.rows.json")" "true"

# ---- hiring: text labels, a score candidate, no incumbent column in the policy ----

"$TOOLS/fg_gen" --rows 6000 --seed 9 --scenario hiring >"$WORK/hiring.csv"
sed '/^  incumbent:/d; /id: no-regression/,/max_worsening/d' "$ROOT/policies/hiring.yaml" >"$WORK/hiring.yaml"
rows_vs_counts hiring "$WORK/hiring.yaml" --candidate "$WORK/hiring.csv"
expect_eq "hiring without an incumbent: the incumbent column is all 0" \
    "$(tail -n +2 "$WORK/hiring.counts.csv" | cut -d, -f5 | sort -u)" "0"

# ---- real data: UCI Adult (shipped, tests/data) ----

adult_csv "$(shipped_data adult.data.csv)" "$WORK/adult.csv"
adult_policy ">50K" "$WORK/adult.yaml"
rows_vs_counts adult "$WORK/adult.yaml" --candidate "$WORK/adult.csv"
expect_eq "Adult: 32561 rows in the counts" "$(jq '.inputs.counts[0].rows' "$WORK/adult.counts.json")" "32561"
expect_eq "Adult: the verdict is a failure (the test compares something)" \
    "$(jq -r .verdict "$WORK/adult.counts.json")" "fail"

# ---- COMPAS (not shipped: $FAIRGATE_DATA or ../shared/data; skipped when absent) ----

if need_data "COMPAS rows vs counts" compas_for_aequitas.csv; then
    AEQ=$DATA/compas_for_aequitas.csv
    fixture_policy counts-compas "$WORK/compas.yaml"
    rows_vs_counts compas "$WORK/compas.yaml" --candidate "$AEQ"
    expect_eq "COMPAS: 7214 rows in the counts" "$(jq '.inputs.counts[0].rows' "$WORK/compas.counts.json")" "7214"
    expect_grep "COMPAS: a value with spaces is kept as is" "$WORK/compas.counts.csv" '^[^,]*,[^,]*,25 - 45,'
fi

# ---- reading: what is accepted ----

NOINC=$WORK/noinc.yaml
fixture_policy small-parity "$NOINC"
printf 'grp,y_true,candidate,incumbent,count\na,1,1,0,40\na,0,0,0,60\nb,1,1,0,20\nb,0,0,0,80\n' >"$WORK/base.csv"
run "$FAIRGATE" check --quiet --policy "$NOINC" --counts "$WORK/base.csv" --out "$WORK/base.json"
expect_rc "a hand-written counts file: parity 0.5 fails" 1
expect_eq "its groups" "$(jq -c '[.groups[] | [.label, .candidate.n, .candidate.selection_rate]]' "$WORK/base.json")" \
    '[["overall",200,0.3],["grp=a",100,0.4],["grp=b",100,0.2]]'

# variants that must give the same audit
printf '\357\273\277grp,y_true,candidate,incumbent,count\r\na,1,1,0,40\r\n\r\na,0,0,0,60\r\nb,1,1,0,20\r\nb,0,0,0,80\r\n' >"$WORK/v-bom-crlf.csv"
printf 'count,incumbent,candidate,y_true,grp\n40,0,1,1,a\n60,0,0,0,a\n20,0,1,1,b\n80,0,0,0,b\n' >"$WORK/v-order.csv"
printf 'grp,y_true,candidate,incumbent,count\na,1,1,0,15\na,1,1,0,25\n"a",0,0,0,60\nb,1,1,0,20\nb,0,0,0,80\nc,1,1,0,0\n' >"$WORK/v-dup-zero.csv"
printf 'grp,y_true,candidate,incumbent,count\na,1,1,0,0040\na,0,0,0,60\nb,1,1,0,20\nb,0,0,0,80' >"$WORK/v-no-final-newline.csv"
for v in bom-crlf order dup-zero no-final-newline; do
    run "$FAIRGATE" check --quiet --policy "$NOINC" --counts "$WORK/v-$v.csv" --out "$WORK/v-$v.json"
    expect_rc "accepted: $v" 1
    same_audit "accepted: $v gives the same audit" "$WORK/base.json" "$WORK/v-$v.json"
done

# quoting round trip: values with a comma, a quote, a newline, outer spaces
printf 'grp,y,p\n"x, y",1,1\n"x, y",0,0\n"say ""hi""",1,1\n"two\nlines",0,1\n" padded ",1,0\nplain,1,1\n' >"$WORK/odd.csv"
run "$FAIRGATE" counts --quiet --policy "$NOINC" --candidate "$WORK/odd.csv" --out "$WORK/odd.counts.csv"
expect_rc "counts of odd values" 0
expect_grep "a comma is quoted" "$WORK/odd.counts.csv" '^"x, y",0,0,0,1$'
expect_grep "a quote is doubled" "$WORK/odd.counts.csv" '^"say ""hi""",1,1,0,1$'
expect_grep "outer spaces are quoted" "$WORK/odd.counts.csv" '^" padded ",1,0,0,1$'
expect_grep "a newline is quoted" "$WORK/odd.counts.csv" '^"two$'
"$FAIRGATE" check --quiet --policy "$NOINC" --candidate "$WORK/odd.csv" --out "$WORK/odd.rows.json"
"$FAIRGATE" check --quiet --policy "$NOINC" --counts "$WORK/odd.counts.csv" --out "$WORK/odd.counts.json"
same_audit "odd values survive the round trip" "$WORK/odd.rows.json" "$WORK/odd.counts.json"

# ---- reading: what is refused (exit 2, file:line:col, no output file) ----

# bad NAME WANT_REGEX CONTENT
bad() {
    printf "$3" >"$WORK/bad-$1.csv"
    rm -f "$WORK/bad.json"
    run "$FAIRGATE" check --quiet --policy "$NOINC" --counts "$WORK/bad-$1.csv" --out "$WORK/bad.json"
    expect_rc "refused: $1" 2
    expect_grep "refused: $1: the message" "$WORK/err" "$2"
    expect_absent "refused: $1: no audit" "$WORK/bad.json"
}
H='grp,y_true,candidate,incumbent,count\n'
bad wrong-column "bad-wrong-column.csv:1:2: unexpected column 'ytrue' \(did you mean 'y_true'\?\)" \
    'grp,ytrue,candidate,incumbent,count\na,1,1,0,1\n'
bad missing-column "bad-missing-column.csv:1: no column 'incumbent' in the header" 'grp,y_true,candidate,count\na,1,1,1\n'
bad extra-column "bad-extra-column.csv:1:6: the header has more than the 5 expected columns" \
    'grp,y_true,candidate,incumbent,count,extra\na,1,1,0,1,x\n'
bad twice "bad-twice.csv:1:3: column 'grp' appears twice" 'grp,y_true,grp,candidate,incumbent,count\n'
bad bit-two "bad-bit-two.csv:3:3: candidate is '2'; it must be 0 or 1" "${H}a,1,1,0,1\na,1,2,0,1\n"
bad bit-true "bad-bit-true.csv:2:2: y_true is 'true'" "${H}a,true,1,0,1\n"
bad bit-space "bad-bit-space.csv:2:4: incumbent is ' 0'" "${H}a,1,1, 0,1\n"
bad empty-y "bad-empty-y.csv:2:2: y_true is empty: the rows of this cell have a missing value" "${H}a,,1,0,1\n"
bad negative "bad-negative.csv:2:5: count is '-1'" "${H}a,1,1,0,-1\n"
bad plus "bad-plus.csv:2:5: count is '\+1'" "${H}a,1,1,0,+1\n"
bad decimal "bad-decimal.csv:2:5: count is '1.0'" "${H}a,1,1,0,1.0\n"
bad exponent "bad-exponent.csv:2:5: count is '1e3'" "${H}a,1,1,0,1e3\n"
bad empty-count "bad-empty-count.csv:2:5: count is empty" "${H}a,1,1,0,\n"
bad huge "bad-huge.csv:2:5: count '18446744073709551616' is larger than 2\^64 - 1" "${H}a,1,1,0,18446744073709551616\n"
bad sum-overflow "bad-sum-overflow.csv:3: the total count would pass 2\^64 - 1" \
    "${H}a,1,1,0,18446744073709551615\nb,1,1,0,1\n"
bad incumbent "bad-incumbent.csv:2:4: incumbent is 1, but the policy names no incumbent" "${H}a,1,1,1,1\n"
bad empty-group "bad-empty-group.csv:2:1: empty value in column 'grp'" "${H},1,1,0,1\n"
bad short-record "bad-short-record.csv:3: the record has 4 fields, the header 5" "${H}a,1,1,0,1\na,1,1,0\n"
bad quoting "bad-quoting.csv:2: malformed quoting" "${H}a\"b,1,1,0,1\n"
bad open-quote "bad-open-quote.csv:2: a quoted field is not closed" "${H}\"a,1,1,0,1\n"
bad all-zero "bad-all-zero.csv: no rows to judge: the counts add up to 0" "${H}a,1,1,0,0\n"
bad header-only "bad-header-only.csv: no rows to judge" "${H}"
bad empty "bad-empty.csv: the file is empty" ""
bad not-utf8 "bad-not-utf8.csv:2:1: column 'grp': a value is not valid UTF-8" "${H}\377,1,1,0,1\n"
run "$FAIRGATE" check --quiet --policy "$NOINC" --counts "$WORK/nonexistent.csv"
expect_rc "refused: a missing counts file" 2
expect_grep "refused: a missing counts file: the message" "$WORK/err" "nonexistent.csv: cannot open"
# a shard that does not fit: one good, one bad -> no verdict
run "$FAIRGATE" check --quiet --policy "$NOINC" --counts "$WORK/base.csv" --counts "$WORK/bad-bit-two.csv"
expect_rc "refused: one bad shard among good ones" 2

# a policy with a score gate
fixture_policy counts-auc "$WORK/auc.yaml"
run "$FAIRGATE" check --quiet --policy "$WORK/auc.yaml" --counts "$WORK/base.csv"
expect_rc "refused: a score gate on counts" 2
expect_grep "refused: a score gate on counts: the message names the gate" "$WORK/err" \
    "auc.yaml:1[0-9]:[0-9]+: gate 'ranking' uses auc, a score metric, which cannot be computed from counts"
printf 'grp,y,s\na,1,0.7\n' >"$WORK/scored.csv"
rm -f "$WORK/scored.counts.csv"
run "$FAIRGATE" counts --policy "$WORK/auc.yaml" --candidate "$WORK/scored.csv" --out "$WORK/scored.counts.csv"
expect_rc "refused: counts for a policy with a score gate" 2
expect_absent "refused: counts for a score policy: no file" "$WORK/scored.counts.csv"

# ---- score bins: the score metrics from counts ----

# Every score-metric policy of the fixtures, as written and with favorable: below: the
# counts and score bins give the rows' verdict; brier and calibration_gap to 1e-12; auc within
# the bound the audit reports, a small one.
score_rows 20000 7 >"$WORK/scored-rows.csv"
mkdir -p "$WORK/sp"
score_policies "$WORK/sp" >"$WORK/score-policies"
expect_eq "the score-metric fixtures are found (and their favorable: below copies)" \
    "$(grep -c . "$WORK/score-policies")" "8"
while read -r policy; do
    name=$(basename "$policy" .yaml)
    run "$FAIRGATE" check --quiet --policy "$policy" --candidate "$WORK/scored-rows.csv" --out "$WORK/$name.rows.json"
    rc_rows=$RC
    [ "$rc_rows" -le 1 ] || not_ok "$name: check on the rows reaches a verdict" "$(cat "$WORK/err")"
    echo "$rc_rows" >>"$WORK/score-verdicts"
    run "$FAIRGATE" counts --quiet --policy "$policy" --candidate "$WORK/scored-rows.csv" \
        --out "$WORK/$name.k.csv" --bins-out "$WORK/$name.b.csv"
    expect_rc "$name: counts --bins-out exits 0" 0
    run "$FAIRGATE" check --quiet --policy "$policy" --counts "$WORK/$name.k.csv" --counts "$WORK/$name.b.csv" \
        --out "$WORK/$name.counts.json"
    expect_rc "$name: check --counts with the score bins exits as on the rows ($rc_rows)" "$rc_rows"
    bins_vs_rows "$name" "$WORK/$name.rows.json" "$WORK/$name.counts.json"
    expect_eq "$name: the auc error bound is small (< 1e-3) and not 0 (bins hold several scores)" \
        "$(max_bound "$WORK/$name.counts.json" | awk '{ print ($1 < 1e-3 && $1 > 0) }')" "1"
done <"$WORK/score-policies"
expect_eq "the loop judged some failing policies too" \
    "$(sort -u "$WORK/score-verdicts" | tr '\n' ' ')" "0 1 "

# The bins file itself: header, sorted records, sums that are those of the rows' scores.
B=$WORK/scores.b.csv
expect_eq "bins header" "$(head -n 1 "$B")" "grp,y_true,model,bin,count,sum,sum_squares"
tail -n +2 "$B" >"$WORK/bbody"
LC_ALL=C sort -t, -k1,1 -k2,2n -k3,3 -k4,4n "$WORK/bbody" >"$WORK/bbody.sorted"
if cmp -s "$WORK/bbody" "$WORK/bbody.sorted"; then ok "bins sorted by values, y_true, model, bin"; else
    not_ok "bins sorted by values, y_true, model, bin"; fi
expect_eq "each model's bins count every row" \
    "$(awk -F, '{ n[$3] += $5 } END { print n["candidate"], n["incumbent"] }' "$WORK/bbody")" "20000 20000"
# independent: awk bins the rows (sc, six decimals: bin = the first four decimals, 1.0 in 9999)
awk -F, 'NR > 1 { b = int(substr($10, 1, 1)) == 1 ? 9999 : substr($10, 3, 4) + 0
    k = $7 "," $8 ",candidate," b; n[k]++; s[k] += $10 }
    END { for (k in n) printf "%s,%d,%.6f\n", k, n[k], s[k] }' "$WORK/scored-rows.csv" | LC_ALL=C sort >"$WORK/awk-bins"
awk -F, '$3 == "candidate" { printf "%s,%s,%s,%s,%d,%.6f\n", $1, $2, $3, $4, $5, $6 }' "$WORK/bbody" |
    LC_ALL=C sort >"$WORK/our-bins"
if [ -s "$WORK/awk-bins" ] && cmp -s "$WORK/awk-bins" "$WORK/our-bins"; then
    ok "every candidate bin equals awk's count and sum of the rows ($(wc -l <"$WORK/awk-bins") bins)"
else
    not_ok "every candidate bin equals awk's count and sum of the rows" "$(diff "$WORK/awk-bins" "$WORK/our-bins" | head -n 6)"
fi
{ head -n 1 "$WORK/scored-rows.csv"; tail -n +2 "$WORK/scored-rows.csv" | sort -r; } >"$WORK/scored-rev.csv"
"$FAIRGATE" counts --quiet --policy "$WORK/sp/scores.yaml" --candidate "$WORK/scored-rev.csv" \
    --out "$WORK/rev.k.csv" --bins-out "$WORK/rev.b.csv"
if cmp -s "$B" "$WORK/rev.b.csv"; then ok "row order does not change the bins (byte for byte)"; else
    not_ok "row order does not change the bins (byte for byte)"; fi

# Shards: the bins of two halves, summed, judge as the whole.
SP=$WORK/sp/html-scores.yaml
head -n 10001 "$WORK/scored-rows.csv" >"$WORK/half0.csv"
{ head -n 1 "$WORK/scored-rows.csv"; tail -n +10002 "$WORK/scored-rows.csv"; } >"$WORK/half1.csv"
for i in 0 1; do
    "$FAIRGATE" counts --quiet --policy "$SP" --candidate "$WORK/half$i.csv" \
        --out "$WORK/half$i.k.csv" --bins-out "$WORK/half$i.b.csv"
done
run "$FAIRGATE" check --quiet --policy "$SP" --counts "$WORK/half0.k.csv" --counts "$WORK/half1.b.csv" \
    --counts "$WORK/half1.k.csv" --counts "$WORK/half0.b.csv" --out "$WORK/halves.json"
expect_rc "two shards of counts and bins, in any order, exit as the whole" "$(
    "$FAIRGATE" check --quiet --policy "$SP" --candidate "$WORK/scored-rows.csv" >/dev/null; echo $?)"
bins_vs_rows "shards" "$WORK/html-scores.rows.json" "$WORK/halves.json"
expect_eq "the audit says which file is which" \
    "$(jq -c '[.inputs.counts[] | [.kind, .rows]]' "$WORK/halves.json")" \
    '[["cells",10000],["score_bins",10000],["cells",10000],["score_bins",10000]]'

# What is refused: bins that do not fit the counts or the policy, malformed bins (exit 2).
SC=$WORK/sp/scores.yaml
run "$FAIRGATE" check --quiet --policy "$SP" --counts "$WORK/half0.k.csv" --counts "$WORK/half1.b.csv"
expect_rc "refused: the bins of other rows" 2
expect_grep "... saying which group does not fit" "$WORK/err" \
    "the score bins do not fit the counts: sex=[A-Za-z]* & race=[A-Za-z]*, y_true [01] has [0-9]* rows in the counts and [0-9]* in the candidate's score bins"
run "$FAIRGATE" check --quiet --policy "$SC" --counts "$WORK/scores.k.csv"
expect_rc "refused: a score policy's counts without bins" 2
expect_grep "... naming the gate and what to give" "$WORK/err" \
    "scores.yaml:1[0-9]:[0-9]*: gate 'auc-gap' uses auc, .*give the candidate's score bins file too"
run "$FAIRGATE" check --quiet --policy "$SC" --counts "$WORK/scores.b.csv"
expect_rc "refused: bins alone" 2
expect_grep "... saying the counts are missing" "$WORK/err" "score bins alone are not enough"
run "$FAIRGATE" check --quiet --policy "$NOINC" --counts "$WORK/base.csv" --counts "$WORK/counts-auc.b.csv"
expect_rc "refused: bins for a policy without score gates" 2
expect_grep "... saying so" "$WORK/err" "score bins were given, but policy .* gates on no score metric"
run "$FAIRGATE" check --help
expect_grep "check --help: --counts takes a score metric's bins too" "$WORK/out" "A score metric needs the"
expect_no_grep "... and no longer says it cannot" "$WORK/out" "Not with a score metric"
run "$FAIRGATE" counts --quiet --policy "$NOINC" --candidate "$WORK/odd.csv" --out "$WORK/x.csv" --bins-out "$WORK/x.b.csv"
expect_rc "counts --bins-out for a policy without score gates exits 2" 2
expect_absent "... and writes neither file" "$WORK/x.csv"
run "$FAIRGATE" counts --quiet --policy "$SC" --candidate "$WORK/scored-rows.csv" --out "$WORK/nob.csv"
expect_rc "counts for a score policy without --bins-out exits 2" 2
expect_grep "... naming the option" "$WORK/err" "give --bins-out FILE"
expect_absent "... and writes nothing" "$WORK/nob.csv"
sed 's/bins: 5/bins: 7/' "$SC" >"$WORK/bins7.yaml"
run "$FAIRGATE" counts --quiet --policy "$WORK/bins7.yaml" --candidate "$WORK/scored-rows.csv" \
    --out "$WORK/b7.csv" --bins-out "$WORK/b7.b.csv"
expect_rc "calibration_gap over 7 bins (edges off the grid) is refused" 2
expect_grep "... saying why" "$WORK/err" "bins7.yaml:[0-9]*:[0-9]*: gate 'calibration': calibration_gap over 7 bins cannot be computed from score bins"
# badbins NAME WANT_REGEX RECORD: the scores.yaml bins with one more record
badbins() {
    { cat "$B"; printf '%s\n' "$3"; } >"$WORK/badbins-$1.csv"
    run "$FAIRGATE" check --quiet --policy "$SC" --counts "$WORK/scores.k.csv" --counts "$WORK/badbins-$1.csv"
    expect_rc "refused bins: $1" 2
    expect_grep "refused bins: $1: the message" "$WORK/err" "$2"
}
L=$(($(wc -l <"$B") + 1))
badbins model "badbins-model.csv:$L:3: model is 'champion'; it must be candidate or incumbent" a,1,champion,5,1,0.0005,0.00000025
badbins bin "badbins-bin.csv:$L:4: bin is '10001'; it must be an integer from -1" a,1,candidate,10001,1,2,4
badbins bin-text "badbins-bin-text.csv:$L:4: bin is '0.5'" a,1,candidate,0.5,1,0.5,0.25
badbins sum "badbins-sum.csv:$L:6: sum is 'nan'; it must be a finite decimal number" a,1,candidate,5,1,nan,0
badbins swapped "badbins-swapped.csv:$L:6: sum is .*outside the bin" a,1,candidate,5000,2,0.5,1.0
badbins squares "badbins-squares.csv:$L:7: sum_squares is negative" a,1,candidate,5,1,0.0005,-1
badbins empty-y "badbins-empty-y.csv:$L:2: y_true is empty" a,,candidate,5,1,0.0005,0.00000025
badbins extra "the score bins do not fit the counts: grp=a, y_true 1 has [0-9]* rows in the counts and [0-9]* in the candidate's score bins" a,1,candidate,5,1,0.0005,0.00000025
printf 'grp,y_true,model,bin,candidate,count,sum,sum_squares\n' >"$WORK/badbins-mixed.csv"
run "$FAIRGATE" check --quiet --policy "$SC" --counts "$WORK/scores.k.csv" --counts "$WORK/badbins-mixed.csv"
expect_grep "refused bins: a cells column in a bins header" "$WORK/err" \
    "badbins-mixed.csv:1:5: unexpected column 'candidate' \\(a score bins file has exactly: grp,y_true,count,model,bin,sum,sum_squares\\)"
# scores outside [0, 1]: with brier or calibration_gap gated, refused as on the rows; with auc
# alone, binned below 0 and above 1 (exact ranks between them and the grid)
awk -F, -v OFS=, 'NR > 1 && NR % 50 == 0 { $9 = -0.5 } NR > 1 && NR % 70 == 0 { $9 = 1.5 } { print }' \
    "$WORK/scored-rows.csv" >"$WORK/outside.csv"
AUC=$WORK/sp/counts-auc.yaml
run "$FAIRGATE" counts --quiet --policy "$AUC" --candidate "$WORK/outside.csv" --out "$WORK/o.k.csv" --bins-out "$WORK/o.b.csv"
expect_rc "auc alone: scores outside [0, 1] are counted" 0
expect_eq "... in bins -1 and 10000" "$(awk -F, '$4 == -1 || $4 == 10000 { n[$4] += $5 } END { print n[-1], n[10000] }' "$WORK/o.b.csv")" "343 285"
"$FAIRGATE" check --quiet --policy "$AUC" --candidate "$WORK/outside.csv" --out "$WORK/o.rows.json"
"$FAIRGATE" check --quiet --policy "$AUC" --counts "$WORK/o.k.csv" --counts "$WORK/o.b.csv" --out "$WORK/o.counts.json"
bins_vs_rows "auc with scores outside [0, 1]" "$WORK/o.rows.json" "$WORK/o.counts.json"
{ head -n 1 "$WORK/scores.b.csv"; printf 'a,1,candidate,-1,1,-0.5,0.25\n'; } >"$WORK/neg.b.csv"
printf 'grp,y_true,candidate,incumbent,count\na,1,0,0,1\n' >"$WORK/neg.k.csv"
sed '/^  incumbent:/d; /vs_incumbent/d' "$SC" >"$WORK/noinc-scores.yaml"
run "$FAIRGATE" check --quiet --policy "$WORK/noinc-scores.yaml" --counts "$WORK/neg.k.csv" --counts "$WORK/neg.b.csv"
expect_rc "brier gated: a score below 0 in the bins is refused" 2
expect_grep "... as on the rows" "$WORK/err" "hold 1 score below 0 \\(bin -1\\); brier and calibration_gap need probabilities"

# misuse
run "$FAIRGATE" check --policy "$NOINC" --counts "$WORK/base.csv" --candidate "$WORK/odd.csv"
expect_rc "usage: --counts with --candidate" 2
expect_grep "usage: --counts with --candidate: the message" "$WORK/err" "--counts replaces --candidate"
run "$FAIRGATE" check --policy "$NOINC"
expect_rc "usage: neither --candidate nor --counts" 2
run "$FAIRGATE" counts --policy "$NOINC" --candidate "$WORK/odd.csv"
expect_rc "usage: counts without --out" 2
printf 'grp,y,p\na,1,1\na,2,1\nb,3,0\n' >"$WORK/three.csv"
rm -f "$WORK/three.counts.csv"
run "$FAIRGATE" counts --policy "$NOINC" --candidate "$WORK/three.csv" --out "$WORK/three.counts.csv"
expect_rc "counts on malformed rows exits 2" 2
expect_absent "counts on malformed rows leaves no file" "$WORK/three.counts.csv"
cp "$WORK/base.csv" "$WORK/keep.csv"
run "$FAIRGATE" counts --policy "$NOINC" --candidate "$WORK/three.csv" --out "$WORK/keep.csv"
if cmp -s "$WORK/base.csv" "$WORK/keep.csv"; then ok "a failed counts leaves an existing file untouched"; else
    not_ok "a failed counts leaves an existing file untouched"; fi
run "$FAIRGATE" counts --help
expect_rc "counts --help exits 0" 0
expect_grep "counts --help names --out" "$WORK/out" "--out FILE"

# ---- overrides and attestations with --counts ----

mkdir -p "$WORK/keys"
"$FAIRGATE" keygen --out "$WORK/keys/risk.pem" --pubout "$WORK/keys/risk.pub" >/dev/null
fixture_policy small-parity-overrides "$WORK/ov.yaml" RISK_ID="$(keyid "$WORK/keys/risk.pub")"
T="2025-11-22 00:00:00" # overrides are judged by the real clock, moved here by at (lib.sh)
at "$T" "$FAIRGATE" override --policy "$WORK/ov.yaml" --counts "$WORK/base.csv" --gate parity \
    --approver risk@bank.example --role model-risk --reason "pilot" --expires 2025-12-01 \
    --sign-key "$WORK/keys/risk.pem" --out "$WORK/parity.dsse.json" >/dev/null
run at "$T" "$FAIRGATE" check --quiet --policy "$WORK/ov.yaml" --counts "$WORK/base.csv" \
    --override "$WORK/parity.dsse.json" --out "$WORK/ov.json"
expect_rc "an override bound to the one counts file applies" 0
expect_eq "its verdict" "$(jq -r .verdict "$WORK/ov.json")" "pass_with_override"
run at "$T" "$FAIRGATE" check --quiet --policy "$WORK/ov.yaml" --counts "$WORK/v-order.csv" \
    --override "$WORK/parity.dsse.json" --out "$WORK/ov2.json"
expect_rc "the same override on another counts file is rejected" 1
expect_grep "rejected for another candidate file" "$WORK/ov2.json" "made for another candidate file"
run at "$T" "$FAIRGATE" check --quiet --policy "$WORK/ov.yaml" --counts "$WORK/v-order.csv" --counts "$WORK/base.csv" \
    --override "$WORK/parity.dsse.json"
expect_rc "an override for one file does not cover two" 1
run at "$T" "$FAIRGATE" check --quiet --policy "$WORK/ov.yaml" --counts "$WORK/base.csv" --counts "$WORK/v-order.csv" \
    --override "$WORK/parity.dsse.json"
expect_rc "... not even with that file first (shards 2..n could be swapped)" 1
# Bound to several shards: made with the same --counts, in the same order.
mkdir -p "$WORK/sa" "$WORK/sb"
head -n 1 "$WORK/base.csv" >"$WORK/sa/part-0.csv"
head -n 1 "$WORK/base.csv" >"$WORK/sb/part-0.csv"
tail -n +2 "$WORK/base.csv" | awk 'NR % 2 == 1' >>"$WORK/sa/part-0.csv"
tail -n +2 "$WORK/base.csv" | awk 'NR % 2 == 0' >>"$WORK/sb/part-0.csv"
at "$T" "$FAIRGATE" override --policy "$WORK/ov.yaml" --counts "$WORK/sa/part-0.csv" --counts "$WORK/sb/part-0.csv" \
    --gate parity --approver risk@bank.example --role model-risk --reason "pilot" --expires 2025-12-01 \
    --sign-key "$WORK/keys/risk.pem" --out "$WORK/shards.dsse.json" >/dev/null
run at "$T" "$FAIRGATE" check --quiet --policy "$WORK/ov.yaml" --counts "$WORK/sa/part-0.csv" --counts "$WORK/sb/part-0.csv" \
    --override "$WORK/shards.dsse.json" --out "$WORK/ov3.json"
expect_rc "an override made with the same shards applies" 0
run at "$T" "$FAIRGATE" check --quiet --policy "$WORK/ov.yaml" --counts "$WORK/sa/part-0.csv" --counts "$WORK/v-order.csv" \
    --override "$WORK/shards.dsse.json"
expect_rc "... and not when a shard is swapped for another" 1
run at "$T" "$FAIRGATE" check --quiet --policy "$WORK/ov.yaml" --counts "$WORK/sa/part-0.csv" \
    --override "$WORK/shards.dsse.json" --out "$WORK/ov4.json"
expect_eq "... nor when a shard is left out" "$(jq -r '.overrides[0].status' "$WORK/ov4.json")" rejected
run at "$T" "$FAIRGATE" override --policy "$WORK/ov.yaml" --counts "$WORK/sa/part-0.csv" --candidate "$WORK/base.csv" \
    --gate parity --approver risk@bank.example --role model-risk --reason "pilot" --expires 2025-12-01 \
    --sign-key "$WORK/keys/risk.pem" --out "$WORK/both.dsse.json"
expect_rc "override: --candidate and --counts together is a usage error" 2
# The same file twice would count its rows twice: refused.
run "$FAIRGATE" check --quiet --policy "$NOINC" --counts "$WORK/base.csv" --counts "$WORK/base.csv" \
    --out "$WORK/twice.json"
expect_rc "the same counts file twice is refused" 2
expect_grep "saying why" "$WORK/err" "the same counts as .*base.csv .*: a shard given twice would count its rows twice"
expect_absent "and no audit is left" "$WORK/twice.json"
cp "$WORK/base.csv" "$WORK/copy.csv"
run "$FAIRGATE" check --quiet --policy "$NOINC" --counts "$WORK/base.csv" --counts "$WORK/copy.csv"
expect_rc "a copy of it too (same bytes)" 2
# Shards of the same name in different folders (part-0.csv of a partitioned export): each
# verifies against its own subject.
run "$FAIRGATE" check --quiet --policy "$NOINC" --counts "$WORK/sa/part-0.csv" --counts "$WORK/sb/part-0.csv" \
    --sign-key "$WORK/keys/risk.pem" --attestation "$WORK/parts.jsonl"
run "$FAIRGATE" verify --attestation "$WORK/parts.jsonl" --pubkey "$WORK/keys/risk.pub" --counts "$WORK/sb/part-0.csv"
expect_rc "verify --counts: the second part-0.csv verifies" 0
run "$FAIRGATE" verify --attestation "$WORK/parts.jsonl" --pubkey "$WORK/keys/risk.pub" \
    --counts "$WORK/sa/part-0.csv" --counts "$WORK/sb/part-0.csv"
expect_rc "verify --counts: both do" 0

run "$FAIRGATE" check --quiet --policy "$NOINC" --counts "$WORK/base.csv" --counts "$WORK/v-order.csv" \
    --sign-key "$WORK/keys/risk.pem" --attestation "$WORK/att.jsonl"
expect_rc "check --counts with an attestation" 1
expect_eq "the attestation names both counts files" \
    "$(jq -r .payload "$WORK/att.jsonl" | base64 -d | jq -r '[.subject[] | select(.annotations["fairgate.role"] == "counts") | .name] | join(" ")')" \
    "base.csv v-order.csv"
run "$FAIRGATE" verify --attestation "$WORK/att.jsonl" --pubkey "$WORK/keys/risk.pub" \
    --counts "$WORK/base.csv" --counts "$WORK/v-order.csv" --policy "$NOINC"
expect_rc "verify --counts: valid" 0
mkdir -p "$WORK/x" && cp "$WORK/v-order.csv" "$WORK/x/base.csv"
run "$FAIRGATE" verify --attestation "$WORK/att.jsonl" --pubkey "$WORK/keys/risk.pub" --counts "$WORK/x/base.csv"
expect_rc "verify --counts: another file of the same name is invalid" 1

finish
