# Helpers for the score bins tests (test_counts.sh, test_sql.sh), sourced after lib.sh.

# score_rows N SEED: CSV rows with every column the score-metric fixtures name (grp, y, s,
# sc, si; applicant_id, sex, race, defaulted, p_new, p_old): continuous scores with six
# decimals (so bins hold several distinct scores: auc is approximated), a few repeated
# values (ties), 0 and 1 exactly, and groups of different quality.
score_rows() {
    awk -v n="$1" -v seed="$2" 'BEGIN {
        srand(seed)
        print "applicant_id,sex,race,defaulted,p_new,p_old,grp,y,s,sc,si"
        split("a b c", groups, " "); split("Female Male", sexes, " ")
        split("Asian Black White", races, " ")
        for (i = 1; i <= n; i++) {
            g = groups[1 + int(rand() * 3)]; sex = sexes[1 + int(rand() * 2)]
            race = races[1 + int(rand() * 3)]
            y = rand() < 0.4 ? 1 : 0
            noise = g == "c" ? 0.45 : 0.3
            s1 = 0.5 + (y ? 0.15 : -0.15) + (rand() - 0.5) * 2 * noise
            s2 = 0.5 + (y ? 0.1 : -0.1) + (rand() - 0.5) * 2 * noise
            if (s1 < 0) s1 = 0; if (s1 > 1) s1 = 1; if (s2 < 0) s2 = 0; if (s2 > 1) s2 = 1
            if (i % 97 == 0) s1 = 0.5; if (i % 89 == 0) s2 = 0.25
            printf "A%07d,%s,%s,%d,%.6f,%.6f,%s,%d,%.6f,%.6f,%.6f\n", i, sex, race, 1 - y, s1, s2,
                g, y, s1, s1, s2
        } }'
}

# score_gated POLICY: true when POLICY gates on a score metric (auc, brier, calibration_gap),
# so that its counts need the score bins too.
score_gated() { grep -qE '^ +metric: *(auc|brier|calibration_gap) *$' "$1"; }

# score_policies DIR: the score-metric policies of tests/fixtures/policy (every non-bad one
# that gates on auc, brier or calibration_gap), copied into DIR, and each once more with its
# scores read with favorable: below (NAME-below.yaml). Prints the copies' paths.
score_policies() {
    for f in "$TESTS_DIR"/fixtures/policy/*.yaml; do
        name=$(basename "$f" .yaml)
        case $name in bad-*) continue ;; esac
        score_gated "$f" || continue
        fixture_policy "$name" "$1/$name.yaml"
        sed 's/threshold: \([0-9.]*\) }/threshold: \1, favorable: below }/' "$f" >"$1/$name-below.yaml"
        echo "$1/$name.yaml"
        echo "$1/$name-below.yaml"
    done
}

# bins_vs_rows NAME ROWS.json COUNTS.json: the same verdict, exit code and statuses (of every
# gate and result); brier and calibration_gap of every group and model within 1e-12; auc
# within the audit's auc_error_bound of the rows' exact auc.
bins_vs_rows() {
    verdicts='[.verdict, .exit_code, [.gates[] | [.id, .status, [.results[] | .status]]]]'
    expect_eq "$1: the same verdict and statuses from the bins as from the rows" \
        "$(jq -c "$verdicts" "$3")" "$(jq -c "$verdicts" "$2")"
    expect_eq "$1: brier, calibration_gap within 1e-12, auc within its bound" "$(jq -nr \
        --slurpfile a "$2" --slurpfile b "$3" '
        def far(x; y): ((x == null) != (y == null)) or (x != null and ((x - y) | fabs) > 1e-12);
        $a[0] as $r | $b[0] as $c
        | range(0; $r.groups | length) as $i | ("candidate", "incumbent") as $m
        | $r.groups[$i][$m] as $x | $c.groups[$i][$m] as $y
        | select($x != null and ($x | has("auc")))
        | "\($r.groups[$i].label) \($m): " as $at
        | if $c.groups[$i].label != $r.groups[$i].label then "\($at)another group"
          elif far($x.brier; $y.brier) then "\($at)brier \($x.brier) vs \($y.brier)"
          elif far($x.calibration_gap; $y.calibration_gap) then
              "\($at)calibration_gap \($x.calibration_gap) vs \($y.calibration_gap)"
          elif ($x.auc == null) != ($y.auc == null) then "\($at)auc \($x.auc) vs \($y.auc)"
          elif $x.auc != null and (($x.auc - $y.auc) | fabs) > $y.auc_error_bound + 1e-15 then
              "\($at)auc \($y.auc) is \(($x.auc - $y.auc) | fabs) from \($x.auc), bound \($y.auc_error_bound)"
          elif $y.score_bin_width != 0.0001 then "\($at)score_bin_width \($y.score_bin_width)"
          else empty end')" ""
}

# max_bound AUDIT: the largest auc_error_bound of any group and model.
max_bound() {
    jq '[.groups[] | .candidate, .incumbent | objects | .auc_error_bound | numbers] | max' "$1"
}

# same_bins NAME GOT WANT: two score bins files hold the same records (keys and counts exactly,
# sums within 1e-12 relative: an engine adds in its own order and may print 15 digits).
same_bins() {
    expect_eq "$1: the bins header" "$(head -n 1 "$2" | tr -d '\r')" "$(head -n 1 "$3")"
    diff=$(awk -F, 'function bad(x, y) { d = x - y; if (d < 0) d = -d; m = (x < 0 ? -x : x)
            return d > 1e-12 * (m > 1e-300 ? m : 1e-300) }
        FNR == 1 { next }
        { sub(/\r$/, ""); k = $1; for (i = 2; i <= NF - 3; i++) k = k "," $i }
        NR == FNR { n[k] = $(NF - 2); s[k] = $(NF - 1); q[k] = $NF; next }
        !(k in n) { print "only in the export: " $0; next }
        n[k] != $(NF - 2) || bad(s[k], $(NF - 1)) || bad(q[k], $NF) { print "differs: " $0 }
        { seen[k] = 1 }
        END { for (k in n) if (!(k in seen)) print "missing from the export: " k }' "$3" "$2")
    records=$(($(wc -l <"$3") - 1))
    if [ -z "$diff" ] && [ "$records" -gt 0 ]; then ok "$1: every bin equals fairgate counts ($records bins)"; else
        not_ok "$1: every bin equals fairgate counts" "$(echo "$diff" | head -n 8)"
    fi
}
