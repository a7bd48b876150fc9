#!/bin/sh
# Every peer alias (`fairgate metrics --json`: aif360.*, clarify.*) on the shipped Statlog
# German Credit data (tests/data; test_metrics.sh does UCI Adult), each equal to the value
# computed here with awk from the counts `fairgate counts` prints, with the peer's formula, to
# 1e-12. A new alias without a formula here fails the test.
#
# The data as AIF360 v0.6.1 reads it (aif360/datasets/german_dataset.py): sex from the personal
# status, A91, A93, A94 male and A92, A95 female (:17 status_map); age privileged when > 25
# (:32, lambda x: x > 25; "old", else "young"); credit 1 (good) the favourable label (:31).
# The model is test_realdata.sh's rule: good iff no or a >= 200 DM checking account, or a loan
# of at most 12 months. The privileged group / Clarify's a is the explicit reference
# {sex: male, age: old}; each unprivileged group (sex=female, age=young) is the facet d.
. "$(dirname "$0")/lib.sh"

GERMAN=$(shipped_data german.data.txt)
awk -v OFS=, 'BEGIN { print "sex,age,credit,pred" }
    { print ($9 == "A92" || $9 == "A95") ? "female" : "male", ($13 > 25 ? "old" : "young"), $21,
          (($1 == "A13" || $1 == "A14" || $2 <= 12) ? 1 : 0) }' "$GERMAN" >"$WORK/german.csv"
expect_eq "German: 1000 rows" "$(($(wc -l <"$WORK/german.csv") - 1))" 1000

run "$FAIRGATE" metrics --json
expect_rc "metrics --json exits 0" 0
cp "$WORK/out" "$WORK/catalog.json"
jq -r '.metrics[].aliases[].name' "$WORK/catalog.json" | sort >"$WORK/aliases"

# One gate per alias: the comparisons with min/max, the inequality indices as overall gates
# (whole population, or one result per attribute), the conditional demographic disparities
# within each of the two attributes (the facets are the other's groups). Three more at
# another alpha of GE (ids ge05, ge3, bag3).
{
    printf 'version: 1\nname: german-aliases\ndata:\n  label: credit\n  positive_label: "1"\n'
    printf '  protected: [sex, age]\n  candidate: { prediction: pred }\n  favorable_prediction: "1"\n'
    printf 'defaults:\n  reference: { sex: male, age: old }\ngates:\n'
    jq -r '.metrics[].aliases[] |
        if (.disparity | startswith("index")) then "  - {id: \(.name), metric: \(.name), overall: {max: 100}}"
        elif (.name | startswith("clarify.CDD")) then
            "  - {id: \(.name).age, metric: \(.name), strata: age, max: 1}\n  - {id: \(.name).sex, metric: \(.name), strata: sex, max: 1}"
        elif .disparity == "ratio" then "  - {id: \(.name), metric: \(.name), min: 0.01}"
        else "  - {id: \(.name), metric: \(.name), max: 1}" end' "$WORK/catalog.json"
    printf '  - {id: ge05, metric: aif360.generalized_entropy_index, ge_alpha: 0.5, overall: {max: 100}}\n'
    printf '  - {id: ge3, metric: aif360.generalized_entropy_index, ge_alpha: 3, overall: {max: 100}}\n'
    printf '  - {id: bag3, metric: aif360.between_all_groups_generalized_entropy_index, ge_alpha: 3,\n'
    printf '     overall: {max: 100}}\n'
} >"$WORK/german.yaml"
run "$FAIRGATE" counts --quiet --policy "$WORK/german.yaml" --candidate "$WORK/german.csv" --out "$WORK/k.csv"
expect_rc "German: counts of the alias policy" 0
run "$FAIRGATE" check --quiet --policy "$WORK/german.yaml" --counts "$WORK/k.csv" --out "$WORK/a.json"
[ "$RC" -le 1 ] && ok "German: check of one gate per alias" || not_ok "German: check of one gate per alias" "$(cat "$WORK/err")"
run "$FAIRGATE" check --quiet --policy "$WORK/german.yaml" --candidate "$WORK/german.csv" --out "$WORK/rows.json"
expect_eq "German: --counts gives the rows' gates" "$(jq -c .gates "$WORK/a.json")" "$(jq -c .gates "$WORK/rows.json")"
# id, alias, result label, value; the privileged groups' results (against themselves) are left out
jq -r '.gates[] | .id as $id | .alias as $alias | .results[] |
    select(.label != "sex=male" and .label != "age=old") | "\($id)\t\($alias)\t\(.label)\t\(.value)"' \
    "$WORK/a.json" >"$WORK/got"

# Expected values from the counts: d the facet's group, a its reference (male, old).
# AIF360 v0.6.1 aif360/metrics/: difference = unpriv - priv, ratio = unpriv / priv
#   (dataset_metric.py:77, :82); rates at classification_metric.py:278-284, error_rate 1 - ACC
#   (:499); statistical_parity_difference / disparate_impact of selection rates (:684, :676)
#   and of base rates (binary_label_dataset_metric.py:116, :108); average_odds_difference
#   ((FPR_d-FPR_a)+(TPR_d-TPR_a))/2 (:557), average_abs_odds_difference (|..|+|..|)/2 (:571),
#   average_predictive_value_difference ((PPV_d-PPV_a)+(FOR_d-FOR_a))/2 (:585),
#   equalized_odds_difference max(|..|, |..|) (:592). Indices of the benefit b = 1 + y^ - y
#   (:717): alpha 1 mean(ln((b/mu)^b) / mu) (:722), alpha 0 -mean(ln(b/mu) / mu) (:724), else
#   mean((b/mu)^alpha - 1) / (alpha (alpha - 1)) (:726), default alpha 2 (:692); between
#   groups: each row's b replaced by its group's mean (:764), theil alpha 1 (:805, :826),
#   coefficient of variation sqrt(2 GE(2)) (:811, :824, :838); between_group_* of the
#   privileged and the unprivileged group (:789, :813, :819; two groups here, so every row);
#   mean_difference the alias of statistical_parity_difference (binary_label_dataset_metric.py
#   :234); smoothed_empirical_differential_fairness (:190, smoothing :159-:188) and
#   differential_fairness_bias_amplification (classification_metric.py:841): edf() in
#   peers.awk, over each attribute's groups.
# smclarify 0.5 src/smclarify/bias/metrics/: DPPL qa-qd (common.py:85), DI qd/qa
#   (posttraining.py:77), DCA ca-cd, c = n(1)/n^(1) (common.py:287), DCR rr_d-rr_a,
#   rr = n(0)/n^(0) (:288), DAR PPV_a-PPV_d (:341), DRR NPV_d-NPV_a (:342), RD TPR_a-TPR_d
#   (:392), SD TNR_d-TNR_a (:393), AD ACC_a-ACC_d (posttraining.py:252), TE FN_d/FP_d -
#   FN_a/FP_a (:314), GE alpha 2 (common.py:403, posttraining.py:426); pre-training CI
#   (n_a-n_d)/(n_a+n_d) (pretraining.py:55), DPL q_a-q_d (common.py:85), KL (pretraining.py:92),
#   JS (:115), LP (:142), TVD (:159), KS (:175) over the label values both have (util:51);
#   CDDL (pretraining.py:179) and CDDPL (posttraining.py:259) are common.py:89 CDD:
#   sum_i n_i (n_d(0)_i/n(0)_i - n_d(1)_i/n(1)_i) / n over the strata i (:120-:129), over
#   the rows of d and a (here every row: each attribute has two values).
awk -F, "$(cat "$TESTS_DIR/cli/peers.awk")"'NR == FNR { if (FNR == 1) { for (i = 1; i <= NF; i++) col[$i] = i; next }
        n++; sx[n] = $col["sex"]; ag[n] = $col["age"]; y[n] = $col["y_true"]
        p[n] = $col["candidate"]; w[n] = $col["count"]
        k = (y[n] == 1 ? (p[n] == 1 ? "tp" : "fn") : (p[n] == 1 ? "fp" : "tn"))
        c["sex", sx[n], k] += w[n]; c["age", ag[n], k] += w[n]; b = p[n] - y[n] + 1; h[b] += w[n]
        g["sex", sx[n]] += w[n]; s["sex", sx[n]] += w[n] * b
        g["age", ag[n]] += w[n]; s["age", ag[n]] += w[n] * b
        next }
    function r(at, v, m) { return rate(c[at, v, "tp"], c[at, v, "fp"], c[at, v, "tn"], c[at, v, "fn"], m) }
    function D(m) { return r(at, dv, m) - r(at, av, m) }
    function R(m) { return r(at, dv, m) / r(at, av, m) }
    function dist(which) { return label_dist(r(at, av, "br"), r(at, dv, "br"), which) }
    # GE(alpha) of k values v[i] on m[i] rows, as AIF360 code (alpha 0 divided by mu)
    function ge(k, a,   i, N, t, mu, sum) { N = t = sum = 0
        for (i = 1; i <= k; i++) { N += m[i]; t += m[i] * v[i] }
        mu = t / N
        for (i = 1; i <= k; i++) { if (m[i] == 0) continue
            if (v[i] == 0 && a <= 0) return "null"
            if (a == 1) sum += m[i] * (v[i] > 0 ? log((v[i] / mu) ^ v[i]) / mu : 0)
            else if (a == 0) sum += m[i] * log(v[i] / mu) / mu
            else sum += m[i] * ((v[i] / mu) ^ a - 1) }
        return a == 1 ? sum / N : a == 0 ? -sum / N : sum / N / (a * (a - 1)) }
    function total(a) { split("", v); split("", m)
        v[1] = 0; m[1] = h[0]; v[2] = 1; m[2] = h[1]; v[3] = 2; m[3] = h[2]; return ge(3, a) }
    function between(attr, a,   k, x) { split("", v); split("", m); k = 0
        for (x in g) { split(x, q, SUBSEP); if (q[1] != attr) continue
            k++; m[k] = g[x]; v[k] = s[x] / g[x] }
        return ge(k, a) }
    function cv(x) { return x == "null" ? x : sqrt(2 * x) }
    # smoothed EDF (peers.awk edf: binary_label_dataset_metric.py:159-:232) over the groups of attr,
    # of the labels (pred 0) or the predictions (pred 1)
    function df(attr, pred,   x, k, pos, cnt) { split("", pos); split("", cnt); k = 0
        for (x in g) { split(x, q, SUBSEP); if (q[1] != attr) continue
            k++; cnt[k] = g[x]
            pos[k] = c[attr, q[2], "tp"] + c[attr, q[2], pred ? "fp" : "fn"] }
        return edf(pos, cnt, k) }
    # CDD of facet fa = fv (every row in the population), strata attribute st, of the labels
    # (pred 0) or the predictions (pred 1)
    function cdd(fa, fv, st, pred,   i, o, z, fac, rows, seen, acc, rej, sum) {
        split("", fac); split("", rows); split("", seen); acc = rej = sum = 0
        for (i = 1; i <= n; i++) { o = pred ? p[i] : y[i]; z = st == "sex" ? sx[i] : ag[i]
            rows[z, o] += w[i]; seen[z] = 1; if ((fa == "sex" ? sx[i] : ag[i]) == fv) fac[z, o] += w[i]
            if (o == 1) acc += w[i]; else rej += w[i] }
        if (acc == 0 || rej == 0) return "null"
        for (z in seen) { if (rows[z, 0] == 0 || rows[z, 1] == 0) return "null"
            sum += (rows[z, 0] + rows[z, 1]) * (fac[z, 0] / rows[z, 0] - fac[z, 1] / rows[z, 1]) }
        return sum / (acc + rej) }
    { FS = "\t"; $0 = $0; id = $1; alias = $2; label = $3; got = $4; want = ""
      if (label == "overall" || label == "sex" || label == "age") {
          a = id == "ge05" ? 0.5 : id ~ /^(ge3|bag3)$/ ? 3 : alias ~ /theil/ ? 1 : 2
          if (alias == "aif360.smoothed_empirical_differential_fairness") want = df(label, 0)
          else if (alias == "aif360.differential_fairness_bias_amplification") want = df(label, 1) - df(label, 0)
          else if (label == "overall") want = alias ~ /coefficient/ ? cv(total(2)) : total(a)
          else want = alias ~ /coefficient/ ? cv(between(label, 2)) : between(label, a)
      } else {
          split(label, lv, "="); at = lv[1]; dv = lv[2]; av = at == "sex" ? "male" : "old"
          if (alias ~ /^clarify[.]CDD/) want = cdd(at, dv, at == "sex" ? "age" : "sex", alias == "clarify.CDDPL")
          else if (alias == "aif360.statistical_parity_difference") want = D("sr")
          else if (alias == "aif360.disparate_impact") want = R("sr")
          else if (alias == "aif360.dataset.statistical_parity_difference") want = D("br")
          else if (alias == "aif360.dataset.disparate_impact") want = R("br")
          else if (alias == "aif360.mean_difference") want = D("sr")
          else if (alias == "aif360.dataset.mean_difference") want = D("br")
          else if (alias == "aif360.equal_opportunity_difference") want = D("tpr")
          else if (alias == "aif360.true_positive_rate_difference") want = D("tpr")
          else if (alias == "aif360.false_positive_rate_difference") want = D("fpr")
          else if (alias == "aif360.false_negative_rate_difference") want = D("fnr")
          else if (alias == "aif360.false_omission_rate_difference") want = D("for")
          else if (alias == "aif360.false_discovery_rate_difference") want = D("fdr")
          else if (alias == "aif360.false_positive_rate_ratio") want = R("fpr")
          else if (alias == "aif360.false_negative_rate_ratio") want = R("fnr")
          else if (alias == "aif360.false_omission_rate_ratio") want = R("for")
          else if (alias == "aif360.false_discovery_rate_ratio") want = R("fdr")
          else if (alias == "aif360.average_odds_difference") want = 0.5 * (D("fpr") + D("tpr"))
          else if (alias == "aif360.average_abs_odds_difference") want = 0.5 * (abs(D("fpr")) + abs(D("tpr")))
          else if (alias == "aif360.average_predictive_value_difference") want = 0.5 * (D("ppv") + D("for"))
          else if (alias == "aif360.equalized_odds_difference") want = abs(D("fpr")) > abs(D("tpr")) ? abs(D("fpr")) : abs(D("tpr"))
          else if (alias == "aif360.error_rate_difference") want = D("err")
          else if (alias == "aif360.error_rate_ratio") want = R("err")
          else if (alias == "clarify.DPPL") want = -D("sr")
          else if (alias == "clarify.DI") want = R("sr")
          else if (alias == "clarify.DCA") want = -D("ca")
          else if (alias == "clarify.DCR") want = D("rr")
          else if (alias == "clarify.RD") want = -D("tpr")
          else if (alias == "clarify.SD") want = D("tnr")
          else if (alias == "clarify.DAR") want = -D("ppv")
          else if (alias == "clarify.DRR") want = D("npv")
          else if (alias == "clarify.AD") want = -D("acc")
          else if (alias == "clarify.TE") want = D("te")
          else if (alias == "clarify.DPL") want = -D("br")
          else if (alias == "clarify.CI") want = (r(at, av, "n") - r(at, dv, "n")) / (r(at, av, "n") + r(at, dv, "n"))
          else if (alias ~ /^clarify[.](KL|JS|LP|TVD|KS)$/) want = dist(substr(alias, 9))
      }
      if (want == "") { print id, label, "no expected value in this test"; next }
      if (want == "null" || got == "null") { if (want != got) printf "%s %s got %s want %s\n", id, label, got, want }
      else if (abs(got - want) > 1e-12) printf "%s %s got %s want %.17g\n", id, label, got, want
      print alias >"/dev/stderr" }' \
    "$WORK/k.csv" "$WORK/got" >"$WORK/mismatch" 2>"$WORK/checked" || echo "awk failed" >>"$WORK/mismatch"
[ -s "$WORK/got" ] || echo "no values to compare" >>"$WORK/mismatch"
if [ -s "$WORK/mismatch" ]; then not_ok "German: every alias equals its peer formula (1e-12)" "$(cat "$WORK/mismatch")"
else ok "German: every alias equals its peer formula (1e-12)"; fi
sort -u "$WORK/checked" >"$WORK/checked-aliases"
if diff -u "$WORK/aliases" "$WORK/checked-aliases" >"$WORK/diff"; then ok "German: every alias was compared"; else
    not_ok "German: every alias was compared" "$(cat "$WORK/diff")"; fi
# results compared: the facets of both attributes for the comparisons (and for each CDD
# alias, one facet per strata), one per index of the whole population, two per between or differential fairness index
expect_eq "German: values compared" "$(wc -l <"$WORK/checked" | tr -d ' ')" \
    "$(jq '[.metrics[].aliases[] | if (.disparity | startswith("index")) then (if (.name | test("between|differential")) then 2 else 1 end) else 2 end] | add + 2 + 2' "$WORK/catalog.json")"
expect_eq "German: sex=female's CDDL within age, as awk computes it (checked above)" \
    "$(awk -F'\t' '$1 == "clarify.CDDL.age" && $3 == "sex=female" { printf "%.12f", $4 }' "$WORK/got")" \
    "$(awk -F, 'NR > 1 { n[$2]++; o[$2, $3]++; if ($1 == "female") f[$2, $3]++ }
        END { for (z in n) s += n[z] * (f[z, 2] / o[z, 2] - f[z, 1] / o[z, 1]); printf "%.12f", s / 1000 }' "$WORK/german.csv")"
finish
