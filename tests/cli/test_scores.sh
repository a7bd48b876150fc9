#!/bin/sh
# Score metrics end to end: auc (exact Mann-Whitney, ties 1/2), brier and calibration_gap
# per group, checked against an independent awk computation, and the trade-off a disparity
# bound can hide (the candidate loses AUC for one group) made visible in text and audit.
. "$(dirname "$0")/lib.sh"

# Deterministic data from a linear congruential sequence (no rand(): awks differ). Scores
# have 2 decimals so that ties occur; group B's candidate scores are less informative.
awk 'BEGIN { x = 12345; print "grp,y,sc,si"
    for (i = 0; i < 400; i++) {
        x = (x * 1103515245 + 12345) % 2147483648; y = (x / 2147483648) < 0.5
        x = (x * 1103515245 + 12345) % 2147483648; u = x / 2147483648
        x = (x * 1103515245 + 12345) % 2147483648; v = x / 2147483648
        g = i < 200 ? "A" : "B"; w = g == "A" ? 0.3 : 0.1
        sc = 0.5 + (y ? w : -w) + (u - 0.5) * 0.6; si = 0.5 + (y ? 0.2 : -0.2) + (v - 0.5) * 0.6
        if (sc < 0) sc = 0; if (sc > 1) sc = 1; if (si < 0) si = 0; if (si > 1) si = 1
        printf "%s,%d,%.2f,%.2f\n", g, y, sc, si } }' >"$WORK/s.csv"
fixture_policy scores "$WORK/s.yaml"
run "$FAIRGATE" check --policy "$WORK/s.yaml" --candidate "$WORK/s.csv" --out "$WORK/s.json"
[ "$RC" -le 1 ] && ok "score gates give a verdict" || not_ok "score gates" "$(cat "$WORK/err")"

# awk: per group (and overall) and model: AUC by counting pairs, Brier, ECE over 5 bins.
awk -F, 'NR > 1 { for (k = 0; k < 2; k++) { g = k ? $1 : "overall"
        for (m = 3; m <= 4; m++) { key = g SUBSEP m; n[key]++; s = $m + 0
            br[key] += (s - $2) ^ 2; b = int(s * 5); if (b > 4) b = 4
            bn[key, b]++; bs[key, b] += s; by[key, b] += $2
            if ($2 == 1) pos[key, ++np[key]] = s; else neg[key, ++nn[key]] = s } } }
    END { for (key in n) { split(key, p, SUBSEP); u = 0
            for (i = 1; i <= np[key]; i++) for (j = 1; j <= nn[key]; j++)
                u += pos[key, i] > neg[key, j] ? 1 : pos[key, i] == neg[key, j] ? 0.5 : 0
            e = 0; for (b = 0; b < 5; b++) if (bn[key, b]) {
                d = bs[key, b] / bn[key, b] - by[key, b] / bn[key, b]; e += bn[key, b] / n[key] * (d < 0 ? -d : d) }
            printf "%s %s %.9f %.9f %.9f\n", (p[1] == "overall" ? "overall" : "grp=" p[1]),
                (p[2] == 3 ? "candidate" : "incumbent"), u / (np[key] * nn[key]), br[key] / n[key], e } }' \
    "$WORK/s.csv" | sort >"$WORK/want"
jq -r '.groups[] | .label as $l | ("candidate", "incumbent") as $m | .[$m] |
    "\($l) \($m) \(.auc) \(.brier) \(.calibration_gap)"' "$WORK/s.json" |
    awk '{ printf "%s %s %.9f %.9f %.9f\n", $1, $2, $3, $4, $5 }' | sort >"$WORK/got"
expect_eq "auc, brier, calibration_gap equal awk's for every group and model" \
    "$(cat "$WORK/got")" "$(cat "$WORK/want")"
[ "$(wc -l <"$WORK/got")" -eq 6 ] && ok "6 group-model rows compared" || not_ok "rows compared" "$(cat "$WORK/want")"

# The trade-off: B's AUC drops against the incumbent while the summary and the audit say so.
worse=$(jq -r '.gates[0].change.worse_groups | map(.label) | join(",")' "$WORK/s.json")
expect_eq "the audit lists the group whose AUC got worse" "$worse" "grp=B"
expect_grep "the summary shows the overall change and the group that lost" "$WORK/out" \
    "^      auc overall [0-9.]+ -> [0-9.]+ \([-+][0-9.]+\); worse for grp=B"
expect_eq "the AUC gap between A and B fails the difference bound" \
    "$(jq -r '.gates[0].results[] | select(.label == "grp=B") | .status' "$WORK/s.json")" fail

# Probabilities only: a score above 1 is an input error for brier/calibration_gap.
sed '5s/,0\.[0-9]*,/,1.70,/' "$WORK/s.csv" >"$WORK/bad.csv"
run "$FAIRGATE" check --policy "$WORK/s.yaml" --candidate "$WORK/bad.csv"
expect_rc "a score of 1.70 is an error for brier" 2
expect_grep "naming the line" "$WORK/err" "bad.csv:5"
# A score metric needs a score column; evidence other than point is refused.
sed 's/candidate: { score: sc, threshold: 0.5 }/candidate: { prediction: sc }\n  favorable_prediction: "1"/' \
    "$WORK/s.yaml" >"$WORK/p.yaml"
run "$FAIRGATE" lint "$WORK/p.yaml"
expect_rc "auc without a score column is refused" 2
expect_grep "with the reason" "$WORK/err" "metric 'auc' needs the candidate's scores"
sed 's/    max: 0.1/    max: 0.1\n    evidence: significant/' "$WORK/s.yaml" >"$WORK/e.yaml"
run "$FAIRGATE" lint "$WORK/e.yaml"
expect_rc "evidence significant on auc is refused" 2
expect_grep "saying to use point" "$WORK/err" "give 'evidence: point' on this gate"
finish
