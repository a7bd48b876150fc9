#!/bin/sh
# The peers' own values (issue 14). Each alias of `fairgate metrics --json`, on constructed
# rows whose per-group counts make the cases where definitions part (0/0, x/0, no false
# negatives, a group of only false negatives), equals the value AIF360 v0.6.1 (tag v0.6.1,
# aif360/metrics/) and smclarify 0.5 (tag 0.5, src/smclarify/bias/metrics/) themselves
# printed for the same rows, to 1e-12; "null" where the README lists fairgate's null for the
# peer's NaN, 0 or infinity. The peers were run outside the repository (nothing of their code
# is here): BinaryLabelDataset + ClassificationMetric with privileged_groups = the policy's
# reference, unprivileged_groups = the group; Clarify's functions with a = the reference's
# rows, d = the group's (the other rows left out). Each value can be redone by hand from the
# counts below with the formula `fairgate metrics` prints for the alias; for instance:
#  - aif360.disparate_impact, zeroref grp=A: SR_A / SR_R = (0/12) / (0/25) = 0/0, NaN in
#    AIF360 (dataset_metric.py:82), 0 in Clarify's DI (common.py:27): null (was 1);
#  - aif360.equalized_odds_difference, zeros grp=noactneg (no actual negatives): AIF360
#    max(|FPR_d - FPR_R|, |TPR_d - TPR_R|) = max(nan, .) = NaN (classification_metric.py:592):
#    null (was the TPR gap |8/11 - 2/3| = 0.0606);
#  - clarify.TE, zeros grp=noactpos: FN/FP = 0/3 = 0 in the group, 10/5 = 2 in R: 0 - 2 = -2
#    (posttraining.py:314);
#  - aif360.generalized_entropy_index at alpha 0, nofn (no false negatives): AIF360's code
#    -mean(ln(b/mu) / mu) (classification_metric.py:724) with b = 1 for 64 tp + 86 tn rows and
#    2 for 20 fp rows of 170: mu = 19/17, -(150 ln(17/19) + 20 ln(34/19)) / 170 / (19/17)
#    = 0.026554812408101262.
. "$(dirname "$0")/lib.sh"

run "$FAIRGATE" metrics --json
expect_rc "metrics --json exits 0" 0
cp "$WORK/out" "$WORK/catalog.json"

# rows_of FILE: "group tp fp tn fn" lines -> a CSV id,label,pred,grp (label 1 = positive).
rows_of() {
    awk 'BEGIN { print "id,label,pred,grp" }
        function emit(k, y, p,   i) { for (i = 0; i < k; i++) print ++n "," y "," p "," g }
        { g = $1; emit($2, 1, 1); emit($3, 0, 1); emit($4, 0, 0); emit($5, 1, 0) }' "$1"
}

# policy_of VECTORS OUT: one gate per vector line; the gate id is the alias, with -aA for
# ge_alpha A; reference grp=R; min_group_size 0 so that only what is undefined is null.
policy_of() {
    printf 'version: 1\nname: peer-vectors\ndata:\n  label: label\n  positive_label: "1"\n' >"$2"
    printf '  protected: [grp]\n  candidate: { prediction: pred }\n  favorable_prediction: "1"\n' >>"$2"
    printf 'defaults:\n  reference: { grp: R }\n  min_group_size: 0\ngates:\n' >>"$2"
    while read -r id rest; do
        alias=${id%%-a*}
        form=$(jq -r --arg a "$alias" '.metrics[].aliases[] | select(.name == $a) | .disparity' \
            "$WORK/catalog.json")
        printf '  - id: %s\n    metric: %s\n' "$id" "$alias" >>"$2"
        case $form in
        "") not_ok "$alias is an alias of fairgate metrics --json" ;;
        index*) printf '    overall: { max: 1000 }\n' >>"$2" ;;
        ratio) printf '    min: 0.0001\n' >>"$2" ;;
        *) printf '    max: 1\n' >>"$2" ;;
        esac
        [ "$alias" = "$id" ] || printf '    ge_alpha: %s\n' "${id#*-a}" >>"$2"
    done <"$1"
}

# check_vectors NAME COUNTS VECTORS LABELS: fairgate's audit equals the vectors, column by
# column (LABELS: the result labels, "-" in a vector: not compared).
check_vectors() {
    name=$1
    rows_of "$2" >"$WORK/$name.csv"
    policy_of "$3" "$WORK/$name.yaml"
    run "$FAIRGATE" check --quiet --policy "$WORK/$name.yaml" --candidate "$WORK/$name.csv" \
        --out "$WORK/$name.json"
    if [ "$RC" -ne 0 ] && [ "$RC" -ne 1 ]; then not_ok "$name: check runs" "$(cat "$WORK/err")"; return; fi
    jq -r '.gates[] | .id as $id | .results[] | "\($id)\t\(.label)\t\(.value)"' "$WORK/$name.json" \
        >"$WORK/$name.got"
    awk -v labels="$4" 'NR == FNR { FS = "\t"; got[$1, $2] = $3; next }
        function abs(x) { return x < 0 ? -x : x }
        BEGIN { nl = split(labels, label, " ") }
        { FS = " "; $0 = $0
          for (i = 2; i <= NF; i++) {
              want = $i; if (want == "-") continue
              key = $1 SUBSEP label[i - 1]; compared++
              if (!(key in got)) { print $1, label[i - 1], "no result"; continue }
              v = got[key]
              if (want == "null" || v == "null") { if (v != want) print $1, label[i - 1], "got", v, "want", want; continue }
              if (abs(v - want) > 1e-12) printf "%s %s got %s want %s\n", $1, label[i - 1], v, want } }
        END { if (compared == 0) print "nothing compared" }' \
        "$WORK/$name.got" "$3" >"$WORK/$name.mismatch" || echo "awk failed" >>"$WORK/$name.mismatch"
    if [ -s "$WORK/$name.mismatch" ]; then
        not_ok "$name: every alias equals AIF360 0.6.1 / smclarify 0.5 (1e-12, or null)" \
            "$(cat "$WORK/$name.mismatch")"
    else
        ok "$name: every alias equals AIF360 0.6.1 / smclarify 0.5 (1e-12, or null)"
    fi
}

# ---- zeros: groups where a denominator is 0, against R ----
cat >"$WORK/zeros.counts" <<'EOF'
R 20 5 30 10
nopredpos 0 0 15 6
nopredneg 9 4 0 0
noactpos 0 3 11 0
noactneg 8 0 0 3
nofp 5 0 7 2
nofpfn 5 0 7 0
allfn 0 0 0 7
EOF
cat >"$WORK/zeros.vectors" <<'EOF'
aif360.dataset.statistical_parity_difference 0.53846153846153844 0.53846153846153844 -0.46153846153846156 0.038461538461538436 -0.044871794871794879 0.23076923076923073 -0.17582417582417587 - -
aif360.dataset.disparate_impact 2.1666666666666665 2.1666666666666665 0 1.0833333333333333 0.90277777777777779 1.4999999999999998 0.61904761904761896 - -
clarify.DPL -0.53846153846153844 -0.53846153846153844 0.46153846153846156 -0.038461538461538436 0.044871794871794879 -0.23076923076923073 0.17582417582417587 - -
aif360.statistical_parity_difference -0.38461538461538464 0.34265734265734266 -0.17032967032967036 -0.027472527472527486 0.032051282051282048 0.61538461538461542 -0.38461538461538464 - -
aif360.disparate_impact 0 1.8909090909090909 0.55714285714285705 0.92857142857142849 1.0833333333333333 2.5999999999999996 0 - -
clarify.DPPL 0.38461538461538464 -0.34265734265734266 0.17032967032967036 0.027472527472527486 -0.032051282051282048 -0.61538461538461542 0.38461538461538464 - -
clarify.DI 0 1.8909090909090909 0.55714285714285705 0.92857142857142849 1.0833333333333333 2.5999999999999996 0 - -
aif360.equal_opportunity_difference -0.66666666666666663 0.060606060606060663 null 0.047619047619047672 0.33333333333333337 0.33333333333333337 -0.66666666666666663 - -
aif360.true_positive_rate_difference -0.66666666666666663 0.060606060606060663 null 0.047619047619047672 0.33333333333333337 0.33333333333333337 -0.66666666666666663 - -
clarify.RD 0.66666666666666663 -0.060606060606060663 null -0.047619047619047672 -0.33333333333333337 -0.33333333333333337 0.66666666666666663 - -
aif360.false_positive_rate_difference null null 0.071428571428571425 -0.14285714285714285 -0.14285714285714285 0.85714285714285721 -0.14285714285714285 - -
aif360.false_positive_rate_ratio null null 1.5 0 0 7 0 - -
aif360.false_negative_rate_difference 0.66666666666666674 -0.060606060606060608 null -0.047619047619047616 -0.33333333333333331 -0.33333333333333331 0.66666666666666674 - -
aif360.false_negative_rate_ratio 3 0.81818181818181812 null 0.8571428571428571 0 0 3 - -
clarify.SD null null -0.071428571428571397 0.1428571428571429 0.1428571428571429 -0.8571428571428571 0.1428571428571429 - -
clarify.DAR null -0.19999999999999996 0.80000000000000004 -0.19999999999999996 -0.19999999999999996 0.10769230769230775 null - -
clarify.DRR -0.75 -0.75 0.25 0.02777777777777779 0.25 null -0.035714285714285698 - -
aif360.false_discovery_rate_difference null -0.20000000000000001 0.80000000000000004 -0.20000000000000001 -0.20000000000000001 0.1076923076923077 null - -
aif360.false_discovery_rate_ratio null 0 5 0 0 1.5384615384615385 null - -
aif360.false_omission_rate_difference 0.75 0.75 -0.25 -0.02777777777777779 -0.25 null 0.035714285714285698 - -
aif360.false_omission_rate_ratio 4 4 0 0.88888888888888884 0 null 1.1428571428571428 - -
clarify.AD 0.76923076923076927 0.041958041958041981 -0.016483516483516425 -0.087912087912087822 -0.23076923076923073 0.076923076923076983 0.054945054945054972 - -
aif360.error_rate_difference 0.76923076923076927 0.041958041958041981 -0.016483516483516425 -0.087912087912087822 -0.23076923076923073 0.076923076923076983 0.054945054945054972 - -
aif360.error_rate_ratio 4.3333333333333339 1.1818181818181819 0.92857142857142883 0.6190476190476194 0 1.3333333333333337 1.2380952380952384 - -
aif360.equalized_odds_difference null null null 0.14285714285714285 0.33333333333333337 0.85714285714285721 0.66666666666666663 - -
clarify.DCA null -0.17500000000000004 1.2 -0.19999999999999996 0.19999999999999996 0.50769230769230766 null - -
clarify.DCR -0.875 -0.875 0.39772727272727271 -0.09722222222222221 0.125 null -0.1607142857142857 - -
clarify.TE null null -2 null null -2 null - -
aif360.average_odds_difference null null null -0.047619047619047589 0.095238095238095261 0.59523809523809534 -0.40476190476190477 - -
aif360.average_abs_odds_difference null null null 0.095238095238095261 0.23809523809523811 0.59523809523809534 0.40476190476190477 - -
aif360.average_predictive_value_difference null 0.47499999999999998 -0.52500000000000002 0.086111111111111083 -0.025000000000000022 null null - -
clarify.CI 0.80555555555555558 0.71052631578947367 0.64556962025316456 0.64556962025316456 0.68831168831168832 0.66666666666666663 0.51162790697674421 - -
clarify.KL -0.35685687149237616 -0.35685687149237616 -0.33332880452642805 0.0029615045411411217 0.0041057031544426345 0.11419383591530555 0.069189975313557306 - -
clarify.JS 0.050782857263265285 0.050782857263265285 0.035154262711779155 0.00074092483393918551 0.0010222672047402719 0.027552006788631289 0.016629895055271578 - -
clarify.LP 0.53846153846153844 0.53846153846153844 0.46153846153846156 0.054392829322042084 0.063458300875715856 0.32635697593225266 0.24865293404362115 - -
clarify.TVD 0.26923076923076922 0.26923076923076922 0.23076923076923078 0.038461538461538436 0.044871794871794907 0.23076923076923073 0.17582417582417587 - -
clarify.KS 0.53846153846153844 0.53846153846153844 0.46153846153846156 0.038461538461538436 0.044871794871794934 0.23076923076923073 0.17582417582417587 - -
aif360.generalized_entropy_index-a2 - - - - - - - - 0.15150143352950049
aif360.generalized_entropy_index-a0 - - - - - - - - null
aif360.generalized_entropy_index-a1 - - - - - - - - 0.22546841378885377
aif360.generalized_entropy_index-a0.5 - - - - - - - - 0.39827964360162094
aif360.generalized_entropy_index-a3 - - - - - - - - 0.14548835072225832
aif360.generalized_entropy_index-a-1 - - - - - - - - null
clarify.GE - - - - - - - - 0.15150143352950049
aif360.theil_index - - - - - - - - 0.22546841378885377
aif360.coefficient_of_variation - - - - - - - - 0.55045696204063133
aif360.between_all_groups_generalized_entropy_index-a2 - - - - - - - 0.041245372503860483 -
aif360.between_all_groups_generalized_entropy_index-a0 - - - - - - - null -
aif360.between_all_groups_generalized_entropy_index-a1 - - - - - - - 0.062195531998509072 -
aif360.between_all_groups_generalized_entropy_index-a0.5 - - - - - - - 0.10622651901041816 -
aif360.between_all_groups_generalized_entropy_index-a3 - - - - - - - 0.035519487558432018 -
aif360.between_all_groups_generalized_entropy_index-a-1 - - - - - - - null -
aif360.between_group_generalized_entropy_index-a2 - - - - - - - null -
aif360.between_group_generalized_entropy_index-a0 - - - - - - - null -
aif360.between_group_generalized_entropy_index-a1 - - - - - - - null -
aif360.between_group_generalized_entropy_index-a0.5 - - - - - - - null -
aif360.between_group_generalized_entropy_index-a3 - - - - - - - null -
aif360.between_group_generalized_entropy_index-a-1 - - - - - - - null -
aif360.between_all_groups_theil_index - - - - - - - 0.062195531998509072 -
aif360.between_group_theil_index - - - - - - - null -
aif360.between_all_groups_coefficient_of_variation - - - - - - - 0.28721202100142146 -
aif360.between_group_coefficient_of_variation - - - - - - - null -
EOF
check_vectors zeros "$WORK/zeros.counts" "$WORK/zeros.vectors" \
    "grp=allfn grp=noactneg grp=noactpos grp=nofp grp=nofpfn grp=nopredneg grp=nopredpos grp overall"

# ---- zeroref: the reference has no predicted positives (ratios over 0, and 0/0) ----
cat >"$WORK/zeroref.counts" <<'EOF'
R 0 0 20 5
A 0 0 9 3
B 3 1 9 3
EOF
cat >"$WORK/zeroref.vectors" <<'EOF'
aif360.dataset.statistical_parity_difference 0.049999999999999989 0.17499999999999999
aif360.dataset.disparate_impact 1.25 1.875
clarify.DPL -0.049999999999999989 -0.17499999999999999
aif360.statistical_parity_difference 0 0.25
aif360.disparate_impact null null
clarify.DPPL 0 -0.25
clarify.DI null null
aif360.equal_opportunity_difference 0 0.5
aif360.true_positive_rate_difference 0 0.5
clarify.RD 0 -0.5
aif360.false_positive_rate_difference 0 0.10000000000000001
aif360.false_positive_rate_ratio null null
aif360.false_negative_rate_difference 0 -0.5
aif360.false_negative_rate_ratio 1 0.5
clarify.SD 0 -0.099999999999999978
clarify.DAR null null
clarify.DRR -0.050000000000000044 -0.050000000000000044
aif360.false_discovery_rate_difference null null
aif360.false_discovery_rate_ratio null null
aif360.false_omission_rate_difference 0.049999999999999989 0.049999999999999989
aif360.false_omission_rate_ratio 1.25 1.25
clarify.AD 0.050000000000000044 0.050000000000000044
aif360.error_rate_difference 0.050000000000000044 0.050000000000000044
aif360.error_rate_ratio 1.2500000000000002 1.2500000000000002
aif360.equalized_odds_difference 0 0.5
clarify.DCA null null
clarify.DCR -0.050000000000000044 0.033333333333333326
clarify.TE null null
aif360.average_odds_difference 0 0.29999999999999999
aif360.average_abs_odds_difference 0 0.29999999999999999
aif360.average_predictive_value_difference null null
clarify.CI 0.35135135135135137 0.21951219512195122
clarify.KL 0.0070021066472149909 0.07176633046074582
clarify.JS 0.0017950566588004584 0.0189151884140491
clarify.LP 0.070710678118654766 0.24748737341529167
clarify.TVD 0.050000000000000017 0.17500000000000002
clarify.KS 0.050000000000000044 0.17500000000000004
EOF
check_vectors zeroref "$WORK/zeroref.counts" "$WORK/zeroref.vectors" "grp=A grp=B"

# ---- nofn: no false negatives, so GE at alpha <= 0 is finite (AIF360's code at alpha 0) ----
cat >"$WORK/nofn.counts" <<'EOF'
R 40 10 30 0
A 12 9 20 0
B 5 1 33 0
C 7 0 3 0
EOF
cat >"$WORK/nofn.vectors" <<'EOF'
aif360.generalized_entropy_index-a2 - 0.041551246537396148
aif360.generalized_entropy_index-a0 - 0.026554812408101262
aif360.generalized_entropy_index-a1 - 0.034700087112922003
aif360.generalized_entropy_index-a0.5 - 0.031999115260349542
aif360.generalized_entropy_index-a3 - 0.051027846624872447
aif360.generalized_entropy_index-a-1 - 0.025951557093425618
clarify.GE - 0.041551246537396148
aif360.theil_index - 0.034700087112922003
aif360.coefficient_of_variation - 0.28827503026587697
aif360.between_all_groups_generalized_entropy_index-a2 0.0021151334196060348 -
aif360.between_all_groups_generalized_entropy_index-a0 0.0019043795640147358 -
aif360.between_all_groups_generalized_entropy_index-a1 0.0021203252299757057 -
aif360.between_all_groups_generalized_entropy_index-a0.5 0.0021240093648232559 -
aif360.between_all_groups_generalized_entropy_index-a3 0.0021128236376649749 -
aif360.between_all_groups_generalized_entropy_index-a-1 0.0021394655901576429 -
aif360.between_all_groups_theil_index 0.0021203252299757057 -
aif360.between_all_groups_coefficient_of_variation 0.065040501529524425 -
EOF
check_vectors nofn "$WORK/nofn.counts" "$WORK/nofn.vectors" "grp overall"

finish
