#!/bin/sh
# Integration on real data (ProPublica's COMPAS, not shipped: $FAIRGATE_DATA or
# ../shared/data; skipped when absent): every group's counts and rates equal an independent
# computation with awk to 1e-12, the published false positive rates by race come out, and
# the raw file's real-world quirks are handled.
. "$(dirname "$0")/lib.sh"
need_data "COMPAS integration, every test of test_compas" compas_for_aequitas.csv \
    compas-scores-two-years.csv || finish
AEQ=$DATA/compas_for_aequitas.csv
RAW=$DATA/compas-scores-two-years.csv

fixture_policy compas-audit "$WORK/compas.yaml"
run "$FAIRGATE" check --policy "$WORK/compas.yaml" --candidate "$AEQ" --out "$WORK/a.json"
expect_rc "COMPAS: a verdict (the FPR disparity fails)" 1
expect_eq "COMPAS: 7214 rows" "$(jq -r .inputs.candidate.rows "$WORK/a.json")" "7214"

audit_group_table "$WORK/a.json" >"$WORK/got.tsv"
# Independent: plain awk over the CSV (no quoted fields in this file).
awk -F, -v OFS='\t' 'NR > 1 { y = ($3 == "1"); p = ($2 == "1.0")
    print "overall", y, p; print "race=" $4, y, p; print "sex=" $5, y, p
    print "age_cat=" $6, y, p; print "race=" $4 " & sex=" $5, y, p }' "$AEQ" |
    rates_from_rows >"$WORK/want.tsv"
expect_same_rates COMPAS "$WORK/got.tsv" "$WORK/want.tsv"

# ProPublica (2016) published FPR 0.4485 (African-American) and 0.2345 (Caucasian).
fpr() { jq -r --arg g "$1" '.groups[] | select(.label == $g) | .candidate.fpr * 10000 | round / 10000' "$WORK/a.json"; }
expect_eq "ProPublica FPR, African-American" "$(fpr race=African-American)" "0.4485"
expect_eq "ProPublica FPR, Caucasian" "$(fpr race=Caucasian)" "0.2345"
expect_eq "FPR ratio African-American/Caucasian fails max 1.25" \
    "$(jq -r '.gates[0].results[] | select(.label == "race=African-American") | .status' "$WORK/a.json")" "fail"

# The raw file: decile_score is in the header twice, and the header ends in an empty name.
fixture_policy compas-raw "$WORK/raw.yaml"
run "$FAIRGATE" check --policy "$WORK/raw.yaml" --candidate "$RAW" --out "$WORK/raw.json"
expect_rc "raw COMPAS: a needed duplicated column is an error" 2
expect_grep "raw COMPAS: the duplicate is named with its place" "$WORK/err" "compas-scores-two-years.csv:1: .*decile_score.*twice"
expect_absent "raw COMPAS: no audit after the error" "$WORK/raw.json"

# v_decile_score is not duplicated; rows hold quoted commas and end in CRLF. Independent count with gawk's FPAT.
sed 's/score: decile_score/score: v_decile_score/' "$WORK/raw.yaml" >"$WORK/raw2.yaml"
run "$FAIRGATE" check --policy "$WORK/raw2.yaml" --candidate "$RAW" --out "$WORK/raw2.json"
[ "$RC" -le 1 ] && ok "raw COMPAS with v_decile_score: a verdict" || not_ok "raw COMPAS verdict" "$(cat "$WORK/err")"
want=$(gawk -v FPAT='([^,]*)|("[^"]*")' '{ sub(/\r$/, "") } NR == 1 { for (i = 1; i <= NF; i++) c[$i] = c[$i] ? c[$i] : i; next }
    { g = $(c["race"]); y = ($(c["two_year_recid"]) == "1"); p = ($(c["v_decile_score"]) + 0 >= 5)
      fp[g] += !y && p; neg[g] += !y }
    END { for (g in neg) printf "race=%s %d/%d\n", g, fp[g], neg[g] }' "$RAW" | sort)
got=$(jq -r '.groups[1:][] | "\(.label) \(.candidate.fp)/\(.candidate.fp + .candidate.tn)"' "$WORK/raw2.json" | sort)
expect_eq "raw COMPAS: false positives per race equal gawk's" "$got" "$want"
finish
