#!/bin/sh
# Integration on the real data shipped in tests/data (UCI Adult and Statlog German Credit,
# CC BY 4.0; see tests/data/README.md), so that a clone with nothing beside it still tests
# real data. Predictions come from fixed rules computed in awk (Adult: >50K iff
# education-num >= 13, the incumbent: iff hours-per-week >= 45; German: good iff no or a
# >= 200 DM checking account, or a loan of at most 12 months). Every group's counts and
# rates equal awk's to 1e-12, for both models. (test_counts runs the counts path on Adult.)
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1763769600

# ---- UCI Adult: comma-space separated, no header; made a CSV with a header here ----

adult_csv "$(shipped_data adult.data.csv)" "$WORK/adult.csv"
adult_csv "$(shipped_data adult.test.csv)" "$WORK/adult-test.csv"
expect_eq "Adult: 32561 training rows" "$(($(wc -l <"$WORK/adult.csv") - 1))" "32561"
expect_eq "Adult: 16281 test rows" "$(($(wc -l <"$WORK/adult-test.csv") - 1))" "16281"

adult_policy ">50K" "$WORK/adult.yaml"
adult_policy ">50K." "$WORK/adult-test.yaml"

# awk's table of one model (column 7 candidate, 8 incumbent) of an Adult CSV
adult_want() { # CSV COLUMN POSITIVE_LABEL
    awk -F, -v OFS='\t' -v c="$2" -v pos="$3" 'NR > 1 { y = ($6 == pos); p = $c
        print "overall", y, p; print "race=" $3, y, p; print "sex=" $4, y, p
        print "race=" $3 " & sex=" $4, y, p }' "$1" | rates_from_rows
}

for set in adult adult-test; do
    pos=">50K"
    [ "$set" = adult-test ] && pos=">50K."
    run "$FAIRGATE" check --quiet --policy "$WORK/$set.yaml" --candidate "$WORK/$set.csv" \
        --out "$WORK/$set.json"
    expect_rc "$set: a verdict (four-fifths fails by sex)" 1
    expect_eq "$set: the audit names the bytes read" "$(jq -r .inputs.candidate.sha256 "$WORK/$set.json")" \
        "$(sha256sum <"$WORK/$set.csv" | cut -d' ' -f1)"
    for model in candidate incumbent; do
        col=7
        [ "$model" = incumbent ] && col=8
        audit_group_table "$WORK/$set.json" "$model" >"$WORK/got.tsv"
        adult_want "$WORK/$set.csv" "$col" "$pos" >"$WORK/want.tsv"
        expect_same_rates "$set $model" "$WORK/got.tsv" "$WORK/want.tsv"
    done
done
expect_eq "Adult: selection rate of sex=Female (education-num >= 13)" \
    "$(jq -r '.groups[] | select(.label == "sex=Female") | "\(.candidate.tp + .candidate.fp)/\(.candidate.n)"' "$WORK/adult.json")" \
    "$(awk -F, 'NR > 1 && $4 == "Female" { n++; s += $7 } END { print s "/" n }' "$WORK/adult.csv")"
# four-fifths for race=Black: its selection rate over the highest race's, as awk computes it
expect_eq "Adult: four-fifths for race=Black fails at awk's ratio (1e-12)" \
    "$(jq -r '.gates[] | select(.id == "four-fifths") | .results[] | select(.label == "race=Black") | "\(.status) \(.value)"' "$WORK/adult.json" |
        awk -v want="$(awk -F, 'NR > 1 { n[$3]++; s[$3] += $7 } END { for (r in n) if (s[r] / n[r] > hi) hi = s[r] / n[r]
            printf "%.17g", s["Black"] / n["Black"] / hi }' "$WORK/adult.csv")" '{ d = $2 - want; if (d < 0) d = -d
            print $1, (d <= 1e-12 ? "equal" : $2 " vs " want) }')" "fail equal"

# ---- Statlog German Credit: space separated, read as it is with a header line put first ----

GERMAN=$(shipped_data german.data.txt)
{
    echo "checking duration history purpose amount savings employment rate status debtors residence property age plans housing credits job liable phone foreign class pred"
    awk -v OFS=' ' '{ print $0, (($1 == "A13" || $1 == "A14" || $2 <= 12) ? 1 : 0) }' "$GERMAN"
} >"$WORK/german.txt"
fixture_policy german-credit "$WORK/german.yaml"
run "$FAIRGATE" check --quiet --policy "$WORK/german.yaml" --candidate "$WORK/german.txt" \
    --out "$WORK/german.json"
[ "$RC" -le 1 ] && ok "German: a verdict" || not_ok "German: a verdict" "$(cat "$WORK/err")"
expect_eq "German: 1000 rows" "$(jq -r .inputs.candidate.rows "$WORK/german.json")" "1000"
audit_group_table "$WORK/german.json" >"$WORK/got.tsv"
awk -v OFS='\t' '{ y = ($21 == 1); p = ($1 == "A13" || $1 == "A14" || $2 <= 12)
    print "overall", y, p; print "status=" $9, y, p }' "$GERMAN" | rates_from_rows >"$WORK/want.tsv"
expect_same_rates German "$WORK/got.tsv" "$WORK/want.tsv"
finish
