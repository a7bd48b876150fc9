#!/bin/sh
# `fairgate metrics` and the peers' aliases (issue 14):
#  - --json lists every metric and alias; the policy schema's metric enum and the README's
#    metric list name exactly the catalogue's metrics and aliases;
#  - on the shipped UCI Adult data (tests/data; predictions as test_realdata.sh: >50K iff
#    education-num >= 13), a policy with one gate per alias (reference sex=Male, the
#    privileged group / Clarify's a) gives for sex=Female the value computed here with awk
#    from the counts `fairgate counts` prints, with each peer's formula, to 1e-12;
#  - lint explains an alias with a conflicting disparity, or without an explicit reference.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
PEERS=$(cat "$TESTS_DIR/cli/peers.awk") # the peers' formulas, prepended to the awk programs

run "$FAIRGATE" metrics --json
expect_rc "metrics --json exits 0" 0
jq -r '.metrics[] | .name, .aliases[].name' "$WORK/out" | sort >"$WORK/names"
cp "$WORK/out" "$WORK/catalog.json"
for name in count tpr equalized_odds average_odds average_predictive_value treatment_equality \
    aif360.average_odds_difference aif360.statistical_parity_difference clarify.DPPL clarify.TE; do
    expect_grep "metrics --json lists $name" "$WORK/names" "^$(echo "$name" | sed 's/\./[.]/g')\$"
done
expect_eq "every metric has a definition, direction, denominator and source" \
    "$(jq '[.metrics[] | select(.definition == "" or .better == null or .min_group_size_denominator == "" or .source == "")] | length' "$WORK/catalog.json")" "0"
run "$FAIRGATE" metrics
expect_grep "metrics prints the aliases as text" "$WORK/out" "alias clarify[.]DCR: signed_difference [(]group - reference[)]"

jq -r '.definitions.metric.enum[]' "$ROOT/policies/policy.schema.json" | sort >"$WORK/schema"
if diff -u "$WORK/names" "$WORK/schema" >"$WORK/diff"; then ok "policy schema's metric enum = the catalogue"; else
    not_ok "policy schema's metric enum = the catalogue" "$(cat "$WORK/diff")"; fi
# The README's list: the backquoted names between its markers.
sed -n '/<!-- metrics: begin -->/,/<!-- metrics: end -->/p' "$ROOT/README.md" |
    grep -o '`[a-z0-9_.A-Z]*`' | tr -d '`' | sort -u >"$WORK/readme"
if diff -u "$WORK/names" "$WORK/readme" >"$WORK/diff"; then ok "README's metric list = the catalogue"; else
    not_ok "README's metric list = the catalogue" "$(cat "$WORK/diff")"; fi

# check_both WHAT POLICY COUNTS AUDIT ROWS_AUDIT: `fairgate counts` of adult.csv into COUNTS,
# `check --counts` of them into AUDIT and `check` of the rows into ROWS_AUDIT, each exiting 0,
# with the same gates.
check_both() {
    run "$FAIRGATE" counts --quiet --policy "$2" --candidate "$WORK/adult.csv" --out "$3"
    expect_rc "counts of the $1 policy" 0
    run "$FAIRGATE" check --quiet --policy "$2" --counts "$3" --out "$4"
    expect_rc "check of the $1 gates from counts" 0
    run "$FAIRGATE" check --quiet --policy "$2" --candidate "$WORK/adult.csv" --out "$5"
    expect_rc "check of the $1 gates from rows" 0
    expect_eq "$1: --counts gives the rows' gates" "$(jq -c .gates "$4")" "$(jq -c .gates "$5")"
}

# ---- every alias on Adult ----

adult_csv "$(shipped_data adult.data.csv)" "$WORK/adult.csv"
{
    printf 'version: 1\nname: adult-aliases\ndata:\n  label: income\n  positive_label: ">50K"\n'
    printf '  protected: [sex]\n  candidate: { prediction: pred }\n  favorable_prediction: "1"\n'
    printf 'defaults:\n  reference: { sex: Male }\ngates:\n'
    jq -r '.metrics[].aliases[] | select(.disparity | startswith("index") | not) | select(.name | startswith("clarify.CDD") | not) | "  - id: \(.name)\n    metric: \(.name)\n    \(if .disparity == "ratio" then "min: 0.01" else "max: 1" end)"' "$WORK/catalog.json"
} >"$WORK/aliases.yaml"
run "$FAIRGATE" counts --quiet --policy "$WORK/aliases.yaml" --candidate "$WORK/adult.csv" --out "$WORK/k.csv"
expect_rc "counts of the alias policy" 0
run "$FAIRGATE" check --quiet --policy "$WORK/aliases.yaml" --counts "$WORK/k.csv" --out "$WORK/a.json"
expect_rc "check of one gate per alias" 0
jq -r '.gates[] | "\(.id)\t\(.alias)\t\(.results[] | select(.label == "sex=Female") | .value)"' \
    "$WORK/a.json" >"$WORK/got"
expect_eq "the audit records each alias" "$(awk -F'\t' '$1 != $2' "$WORK/got" | wc -l)" "0"
# (clarify.CDDL and clarify.CDDPL need a strata attribute: tested on their own below)
expect_eq "one result per alias" "$(wc -l <"$WORK/got")" "$(jq '[.metrics[].aliases[] | select(.disparity | startswith("index") | not) | select(.name | startswith("clarify.CDD") | not)] | length' "$WORK/catalog.json")"
# Expected values from the counts (d = sex=Female, the unprivileged group / the facet;
# a = sex=Male, the privileged group / the rest), each with the peer's formula:
# AIF360 v0.6.1 aif360/metrics/: difference = unpriv - priv, ratio = unpriv / priv
#   (dataset_metric.py:77, :82); rates at classification_metric.py:278-284; error_rate
#   1 - ACC (:499); statistical_parity_difference / disparate_impact on selection rates
#   (:684, :676), on base rates in binary_label_dataset_metric.py:116, :108; mean_difference
#   their alias (binary_label_dataset_metric.py:234);
#   average_odds_difference ((FPR_d-FPR_a)+(TPR_d-TPR_a))/2 (:557),
#   average_abs_odds_difference (|..| + |..|)/2 (:571), average_predictive_value_difference
#   ((PPV_d-PPV_a)+(FOR_d-FOR_a))/2 (:585), equalized_odds_difference max(|..|, |..|) (:592).
# smclarify 0.5 src/smclarify/bias/metrics/: DPPL qa-qd (common.py:85), DI qd/qa
#   (posttraining.py:77), DCA ca-cd with c = n(1)/n^(1) (common.py:287), DCR rr_d-rr_a with
#   rr = n(0)/n^(0) (:288), DAR PPV_a-PPV_d (:341), DRR NPV_d-NPV_a (:342), RD TPR_a-TPR_d
#   (:392), SD TNR_d-TNR_a (:393), AD ACC_a-ACC_d (posttraining.py:252), TE FN_d/FP_d -
#   FN_a/FP_a (:314).
awk -F, "$PEERS"'NR == FNR { if (FNR > 1) { s = ($1 == "Female") ? "d" : "a"
        k = ($2 == 1 ? ($3 == 1 ? "tp" : "fn") : ($3 == 1 ? "fp" : "tn")); c[s, k] += $5 }; next }
    function r(s, m) { return rate(c[s, "tp"], c[s, "fp"], c[s, "tn"], c[s, "fn"], m) }
    # Clarify pre-training (pretraining.py :55, :92, :115, :142, :159, :175): a = Male, d =
    # Female, P = (1 - base_rate, base_rate) over the label values both have (util:51).
    function dist(which) { return label_dist(r("a", "br"), r("d", "br"), which) }
    function D(m) { return r("d", m) - r("a", m) }
    function R(m) { return r("d", m) / r("a", m) }
    BEGIN { FS = "," }
    { FS = "\t"; $0 = $0; id = $1; got = $3
      w["aif360.statistical_parity_difference"] = D("sr"); w["aif360.disparate_impact"] = R("sr")
      w["aif360.dataset.statistical_parity_difference"] = D("br")
      w["aif360.dataset.disparate_impact"] = R("br")
      w["aif360.mean_difference"] = D("sr")            # binary_label_dataset_metric.py:234 -> CM :684
      w["aif360.dataset.mean_difference"] = D("br")    # binary_label_dataset_metric.py:234 -> :116
      w["aif360.equal_opportunity_difference"] = D("tpr"); w["aif360.true_positive_rate_difference"] = D("tpr")
      w["aif360.false_positive_rate_difference"] = D("fpr"); w["aif360.false_negative_rate_difference"] = D("fnr")
      w["aif360.false_omission_rate_difference"] = D("for"); w["aif360.false_discovery_rate_difference"] = D("fdr")
      w["aif360.false_positive_rate_ratio"] = R("fpr"); w["aif360.false_negative_rate_ratio"] = R("fnr")
      w["aif360.false_omission_rate_ratio"] = R("for"); w["aif360.false_discovery_rate_ratio"] = R("fdr")
      w["aif360.average_odds_difference"] = 0.5 * (D("fpr") + D("tpr"))
      w["aif360.average_abs_odds_difference"] = 0.5 * (abs(D("fpr")) + abs(D("tpr")))
      w["aif360.average_predictive_value_difference"] = 0.5 * (D("ppv") + D("for"))
      w["aif360.equalized_odds_difference"] = abs(D("fpr")) > abs(D("tpr")) ? abs(D("fpr")) : abs(D("tpr"))
      w["aif360.error_rate_difference"] = D("err"); w["aif360.error_rate_ratio"] = R("err")
      w["clarify.DPPL"] = -D("sr"); w["clarify.DI"] = R("sr"); w["clarify.DCA"] = -D("ca")
      w["clarify.DCR"] = D("rr"); w["clarify.RD"] = -D("tpr"); w["clarify.SD"] = D("tnr")
      w["clarify.DAR"] = -D("ppv"); w["clarify.DRR"] = D("npv"); w["clarify.AD"] = -D("acc")
      w["clarify.TE"] = D("te")
      w["clarify.DPL"] = -D("br"); w["clarify.CI"] = (r("a", "n") - r("d", "n")) / (r("a", "n") + r("d", "n"))
      w["clarify.KL"] = dist("KL"); w["clarify.JS"] = dist("JS"); w["clarify.LP"] = dist("LP")
      w["clarify.TVD"] = dist("TVD"); w["clarify.KS"] = dist("KS")
      if (!(id in w)) { print id, "no expected value in this test"; next }
      if (abs(got - w[id]) > 1e-12) printf "%s got %s want %.17g\n", id, got, w[id] }' \
    "$WORK/k.csv" "$WORK/got" >"$WORK/mismatch" || echo "awk failed" >>"$WORK/mismatch"
[ -s "$WORK/got" ] || echo "no values to compare" >>"$WORK/mismatch"
if [ -s "$WORK/mismatch" ]; then not_ok "every alias equals its peer formula on Adult (1e-12)" "$(cat "$WORK/mismatch")"
else ok "every alias equals its peer formula on Adult (1e-12)"; fi

# ---- Clarify's facet against the rest (reference: rest), on race (5 groups) ----
# Each group d of race against a = every other row, from the counts: the pre-training
# metrics (pretraining.py: CI (n_a - n_d)/(n_a + n_d) :55; DPL q_a - q_d common.py:85; KL
# sum Pa ln(Pa/Pd) :92; JS :115; LP ||Pa - Pd||_2 :142; TVD ||Pa - Pd||_1 / 2 :159; KS
# ||Pa - Pd||_inf :175; P over the label values both facets have, util/__init__.py:51) and
# some post-training ones (DPPL q^_a - q^_d common.py:85, DI q^_d / q^_a posttraining.py:77,
# TE FN_d/FP_d - FN_a/FP_a :314).
{
    printf 'version: 1\nname: adult-rest\ndata:\n  label: income\n  positive_label: ">50K"\n'
    printf '  protected: [race]\n  candidate: { prediction: pred }\n  favorable_prediction: "1"\n'
    printf 'defaults:\n  reference: rest\ngates:\n'
    for alias in clarify.CI clarify.DPL clarify.KL clarify.JS clarify.LP clarify.TVD clarify.KS \
        clarify.DPPL clarify.TE; do
        printf '  - id: %s\n    metric: %s\n    max: 1\n' "$alias" "$alias"
    done
    printf '  - id: clarify.DI\n    metric: clarify.DI\n    min: 0.01\n'
} >"$WORK/rest.yaml"
run "$FAIRGATE" counts --quiet --policy "$WORK/rest.yaml" --candidate "$WORK/adult.csv" --out "$WORK/kr.csv"
expect_rc "counts of the rest policy" 0
run "$FAIRGATE" check --quiet --policy "$WORK/rest.yaml" --counts "$WORK/kr.csv" --out "$WORK/r.json"
expect_rc "check against the rest" 0
jq -r '.gates[] | .id as $id | .results[] | "\($id)\t\(.label)\t\(.value)\t\(.reference.label)"' \
    "$WORK/r.json" >"$WORK/rgot"
awk -F, "$PEERS"'NR == FNR { if (FNR == 1) { for (i = 1; i <= NF; i++) col[$i] = i; next }
        y = $col["y_true"]; p = $col["candidate"]; cnt = $col["count"]; g = "race=" $1
        k = (y == 1 ? (p == 1 ? "tp" : "fn") : (p == 1 ? "fp" : "tn")); c[g, k] += cnt; all[k] += cnt
        next }
    function set(g) { for (k in all) { d[k] = c[g, k]; a[k] = all[k] - c[g, k] } }
    function rows(x) { return x["tp"] + x["fp"] + x["tn"] + x["fn"] }
    function q(x) { return (x["tp"] + x["fn"]) / rows(x) }
    function qhat(x) { return (x["tp"] + x["fp"]) / rows(x) }
    function dist(which) { return label_dist(q(a), q(d), which) }
    { split($0, f, "\t"); id = f[1]; label = f[2]; got = f[3]; set(label); m = substr(id, 9)
      if (f[4] != "rest (not " label ")") { printf "%s %s reference %s\n", id, label, f[4]; next }
      if (m == "CI") want = (rows(a) - rows(d)) / (rows(a) + rows(d))
      else if (m == "DPL") want = q(a) - q(d)
      else if (m == "DPPL") want = qhat(a) - qhat(d)
      else if (m == "DI") want = qhat(d) / qhat(a)
      else if (m == "TE") want = d["fn"] / d["fp"] - a["fn"] / a["fp"]
      else want = dist(m)
      if (abs(got - want) > 1e-12) printf "%s %s got %s want %.17g\n", id, label, got, want
      checked++ }
    END { if (checked != 50) print checked + 0, "values compared, not 50" }' \
    FS=, "$WORK/kr.csv" "$WORK/rgot" >"$WORK/rmismatch" || echo "awk failed" >>"$WORK/rmismatch"
if [ -s "$WORK/rmismatch" ]; then
    not_ok "Clarify's metrics against the rest equal smclarify's formulas on Adult race (1e-12)" "$(cat "$WORK/rmismatch")"
else ok "Clarify's metrics against the rest equal smclarify's formulas on Adult race (1e-12)"; fi

# ---- conditional demographic disparity within strata (CDDL, CDDPL), on Adult ----
# smclarify 0.5 src/smclarify/bias/metrics/common.py:89 CDD (pretraining.py:179 CDDL on the
# labels, posttraining.py:259 CDDPL on the predicted labels), over the rows of the facet d and
# its reference (all rows with reference: rest):
#   A_i = n_d(1)_i / n(1)_i (:123), D_i = n_d(0)_i / n(0)_i (:126), CDD = sum_i n_i (D_i - A_i)
#   / sum_i n_i (:120, :127, :129), i over the strata present;
# null where the rows have no accepted or no rejected row (Clarify raises, :106-:113) or a
# stratum has none (Clarify's 0/0 = 0). Strata race (facets: the groups of sex) and sex
# (facets: race), each against the rest and against an explicit group; the candidate and
# the incumbent (old: hours-per-week >= 45) read from the same rows.
{
    printf 'version: 1\nname: adult-cdd\ndata:\n  label: income\n  positive_label: ">50K"\n'
    printf '  protected: [sex, race]\n  intersections: all\n  candidate: { prediction: pred }\n'
    printf '  incumbent: { prediction: old }\n  favorable_prediction: "1"\ngates:\n'
    printf '  - {id: cddl-race-rest, metric: clarify.CDDL, strata: race, reference: rest, max: 1}\n'
    printf '  - {id: cddpl-race-male, metric: clarify.CDDPL, strata: race, max: 1,\n'
    printf '     reference: {sex: Male, race: White}}\n'
    printf '  - {id: cddl-sex-white, metric: conditional_demographic_disparity, strata: sex,\n'
    printf '     reference: {sex: Male, race: White}, min: -1}\n'
    printf '  - {id: cddpl-sex-rest, metric: conditional_demographic_disparity_predicted,\n'
    printf '     strata: sex, reference: rest, min: -1, vs_incumbent: {max_worsening: 0.5}}\n'
} >"$WORK/cdd.yaml"
check_both CDD "$WORK/cdd.yaml" "$WORK/kc.csv" "$WORK/c.json" "$WORK/c-rows.json"
expect_eq "CDD: the audit names each gate's strata" "$(jq -c '[.gates[].strata]' "$WORK/c.json")" \
    '["race","race","sex","sex"]'
# one result per group of the attribute sets without the strata (the intersection has both)
jq -r '.gates[] | .id as $id | .results[] | "\($id)\t\(.label)\t\(.value)\t\(.incumbent.value)\t\(.reference.label)"' \
    "$WORK/c.json" >"$WORK/cgot"
expect_eq "CDD: results for sex (2 x 2) and race (5 x 2) only" "$(wc -l <"$WORK/cgot" | tr -d ' ')" 14
awk -F, "$PEERS"'NR == FNR { if (FNR == 1) { for (i = 1; i <= NF; i++) col[$i] = i; next }
        n++; sex[n] = $col["sex"]; race[n] = $col["race"]; y[n] = $col["y_true"]
        cand[n] = $col["candidate"]; inc[n] = $col["incumbent"]; cnt[n] = $col["count"]; next }
    function attr(k, which) { return which == "sex" ? sex[k] : race[k] }
    # CDD of facet fa=fv against reference value rv (rv "": every row), strata attribute st,
    # outcome out (y, cand, inc): smclarify common.py:89-:131, null where fairgate is.
    function cdd(fa, fv, rv, st, out,   k, s, o, in_f, tot, acc, rej, sum, seen, rows, fac) {
        split("", rows); split("", fac); split("", seen); acc = rej = 0
        for (k = 1; k <= n; k++) {
            in_f = attr(k, fa) == fv
            if (!in_f && rv != "" && attr(k, fa) != rv) continue
            o = out == "y" ? y[k] : out == "cand" ? cand[k] : inc[k]; s = attr(k, st)
            rows[s, o] += cnt[k]; seen[s] = 1; if (in_f) fac[s, o] += cnt[k]
            if (o == 1) acc += cnt[k]; else rej += cnt[k] }
        if (acc == 0 || rej == 0) return "null"
        sum = 0
        for (s in seen) {
            if (rows[s, 0] == 0 || rows[s, 1] == 0) return "null"
            sum += (rows[s, 0] + rows[s, 1]) * (fac[s, 0] / rows[s, 0] - fac[s, 1] / rows[s, 1]) }
        return sum / (acc + rej) }
    { split($0, f, "\t"); id = f[1]; split(f[2], fv, "="); st = id ~ /-race-/ ? "race" : "sex"
      rv = f[5] ~ /^rest / ? "" : substr(f[5], index(f[5], "=") + 1)
      for (m = 0; m < 2; m++) {
          got = m == 0 ? f[3] : f[4]
          out = id ~ /^cddl-/ ? "y" : m == 0 ? "cand" : "inc"
          want = cdd(fv[1], fv[2], rv, st, out)
          if (want == "null" || got == "null") { if (want != got) printf "%s %s got %s want %s\n", id, f[2], got, want }
          else if (abs(got - want) > 1e-12) printf "%s %s (%s) got %s want %.17g\n", id, f[2], out, got, want
          checked++ } }
    END { if (checked != 28) print checked + 0, "values compared, not 28" }' \
    FS=, "$WORK/kc.csv" "$WORK/cgot" >"$WORK/cmismatch" || echo "awk failed" >>"$WORK/cmismatch"
if [ -s "$WORK/cmismatch" ]; then
    not_ok "CDDL and CDDPL equal smclarify's formula on Adult, both models (1e-12)" "$(cat "$WORK/cmismatch")"
else ok "CDDL and CDDPL equal smclarify's formula on Adult, both models (1e-12)"; fi
expect_eq "CDD: the values awk checked (sex=Female within race, against the rest)" \
    "$(awk -F'\t' '$1 == "cddl-race-rest" && $2 == "sex=Female" { printf "%.12f", $3 }' "$WORK/cgot")" \
    "0.229607617667"
# A model that accepts no one of race=Other leaves stratum race=Other without accepted rows:
# CDDPL within race is null, naming it (Clarify would take the group's share of them, 0/0, as 0).
awk -F, -v OFS=, 'NR == 1 { print; next } { if ($3 == "Other") $7 = 0; print }' "$WORK/adult.csv" >"$WORK/adult-other.csv"
run "$FAIRGATE" check --quiet --policy "$WORK/cdd.yaml" --candidate "$WORK/adult-other.csv" --out "$WORK/c-null.json"
expect_eq "CDDPL: null with the stratum named where a stratum has no accepted row" \
    "$(jq -r '.gates[] | select(.id == "cddpl-race-male") | .results[] | select(.label == "sex=Female") | "\(.value) \(.status) \(.why)"' "$WORK/c-null.json")" \
    "null insufficient_data conditional_demographic_disparity_predicted is undefined: stratum race=Other has no accepted row (Clarify takes the facet's share of them, 0/0, as 0)"
# fairgate sql: the engine's counts give the same gates (SQLite).
if command -v sqlite3 >/dev/null 2>&1; then
    "$FAIRGATE" sql --policy "$WORK/cdd.yaml" --table main.t --dialect sqlite >"$WORK/cdd.sql"
    { printf '.import --csv %s t\n.headers on\n.mode csv\n.output %s\n' "$WORK/adult.csv" "$WORK/kc-sql.csv"
      cat "$WORK/cdd.sql"; } | sqlite3 "$WORK/cdd.db" 2>"$WORK/sqlite.err"
    run "$FAIRGATE" check --quiet --policy "$WORK/cdd.yaml" --counts "$WORK/kc-sql.csv" --out "$WORK/c-sql.json"
    expect_rc "CDD: check --counts on SQLite's export" 0
    expect_eq "CDD: fairgate sql (SQLite) gives the rows' gates" "$(jq -c .gates "$WORK/c-sql.json")" "$(jq -c .gates "$WORK/c-rows.json")"
else
    not_ok "sqlite3 is installed" "apt-get install sqlite3 (make check installs it through .ci/ensure-deps test)"
fi

# ---- the inequality indices on Adult ----
# Protected sex (2 groups) and race (5). Two candidates: pred, and nofn = pred or the label
# (no false negatives, so that GE at alpha <= 0 has a value). Each line of index-gates: gate
# id, metric, ge_alpha ("-": none). The expected values are AIF360 v0.6.1's code applied to
# the benefit histogram of the counts (aif360/metrics/classification_metric.py:
# b = 1 + y_pred - y_true :717; alpha = 1: mean(log((b/mu)^b) / mu) :722; alpha = 0:
# -mean(log(b/mu) / mu) :724; else mean((b/mu)^alpha - 1) / (alpha (alpha - 1)) :726;
# between groups: every row's b replaced by its group's mean :764; theil alpha 1 :805;
# coefficient of variation sqrt(2 GE(2)) :811, :824, :838) and smclarify 0.5's
# (src/smclarify/bias/metrics/common.py:403, GE at alpha 2, posttraining.py:426).
awk -F, -v OFS=, 'NR == 1 { print $0, "nofn"; next } { print $0, ($7 == 1 || $6 == ">50K") }' \
    "$WORK/adult.csv" >"$WORK/adult2.csv"
printf '%s\n' "ge2 aif360.generalized_entropy_index -" \
    "ge05 aif360.generalized_entropy_index 0.5" "ge3 aif360.generalized_entropy_index 3" \
    "ge0 aif360.generalized_entropy_index 0" "gem1 aif360.generalized_entropy_index -1" \
    "theil aif360.theil_index -" "cv aif360.coefficient_of_variation -" "cge clarify.GE -" \
    "bag2 aif360.between_all_groups_generalized_entropy_index -" \
    "bag0 aif360.between_all_groups_generalized_entropy_index 0" \
    "bat aif360.between_all_groups_theil_index -" \
    "bacv aif360.between_all_groups_coefficient_of_variation -" \
    "bg2 aif360.between_group_generalized_entropy_index -" \
    "bgt aif360.between_group_theil_index -" "bgcv aif360.between_group_coefficient_of_variation -" \
    "nge3 generalized_entropy_index 3" "nbg3 between_group_generalized_entropy_index 3" \
    "nwg3 within_group_generalized_entropy_index 3" "ntheil theil_index -" \
    "nbt between_group_theil_index -" "nwt within_group_theil_index -" \
    "nge0 generalized_entropy_index 0" >"$WORK/index-gates"
for model in pred nofn; do
    {
        printf 'version: 1\nname: adult-indices\ndata:\n  label: income\n  positive_label: ">50K"\n'
        printf '  protected: [sex, race]\n  candidate: { prediction: %s }\n' "$model"
        printf '  favorable_prediction: "1"\ngates:\n'
        while read -r id metric alpha; do
            printf '  - id: %s\n    metric: %s\n    overall: { max: 100 }\n' "$id" "$metric"
            [ "$alpha" = - ] || printf '    ge_alpha: %s\n' "$alpha"
        done <"$WORK/index-gates"
    } >"$WORK/indices-$model.yaml"
    run "$FAIRGATE" counts --quiet --policy "$WORK/indices-$model.yaml" \
        --candidate "$WORK/adult2.csv" --out "$WORK/ki-$model.csv"
    expect_rc "counts of the index policy ($model)" 0 >&2
    run "$FAIRGATE" check --quiet --policy "$WORK/indices-$model.yaml" \
        --counts "$WORK/ki-$model.csv" --out "$WORK/i-$model.json"
    expect_rc "check of the index gates ($model)" 0 >&2
    jq -r --arg m "$model" \
        '.gates[] | .id as $id | .results[] | "\($m)\t\($id)\t\(.label)\t\(.value)"' \
        "$WORK/i-$model.json"
done >"$WORK/igot" 2>"$WORK/ilog"
cat "$WORK/ilog"
grep -q '^not ok' "$WORK/ilog" && FAILED=1
# 11 whole-population gates and 11 per attribute set (sex, race), for each model
expect_eq "index gates: one result per gate, or per attribute set for between/within" \
    "$(wc -l <"$WORK/igot" | tr -d ' ')" "$((2 * (11 + 2 * 11)))"
# Counts columns: sex, race, then y_true, candidate, ..., count by the header's names.
awk -F, 'FILENAME ~ /index-gates$/ { split($0, f, " "); alpha[f[1]] = f[3]; metric[f[1]] = f[2]; next }
    FILENAME ~ /ki-/ && FNR == 1 { m = FILENAME ~ /nofn/ ? "nofn" : "pred"
        for (i = 1; i <= NF; i++) col[$i] = i; next }
    FILENAME ~ /ki-/ { b = $col["candidate"] - $col["y_true"] + 1; n = $col["count"]; h[m, b] += n
        g[m, "sex", $1] += n; s[m, "sex", $1] += n * b; names["sex", $1] = 1
        g[m, "race", $2] += n; s[m, "race", $2] += n * b; names["race", $2] = 1; next }
    function abs(x) { return x < 0 ? -x : x }
    # AIF360 GE of k values v[i] on w[i] rows (aif: alpha 0 divided by mu, as its code)
    function ge(k, a, aif,   i, n, t, mu, sum) { n = 0; t = 0
        for (i = 1; i <= k; i++) { n += w[i]; t += w[i] * v[i] }
        mu = t / n; sum = 0
        for (i = 1; i <= k; i++) {
            if (w[i] == 0) continue
            if (v[i] == 0 && a <= 0) return "null"    # log(0) or 0^a: infinite
            if (a == 1) sum += w[i] * (v[i] > 0 ? log((v[i] / mu) ^ v[i]) / mu : 0)
            else if (a == 0) sum += w[i] * log(v[i] / mu) / (aif ? mu : 1)
            else sum += w[i] * ((v[i] / mu) ^ a - 1) }
        return a == 1 ? sum / n : a == 0 ? -sum / n : sum / n / (a * (a - 1)) }
    function total(m, a, aif) { split("", v); split("", w)
        v[1] = 0; w[1] = h[m, 0]; v[2] = 1; w[2] = h[m, 1]; v[3] = 2; w[3] = h[m, 2]
        return ge(3, a, aif) }
    function between(m, attr, a, aif,   k, key, p) { split("", v); split("", w); k = 0
        for (key in names) { split(key, p, SUBSEP)
            if (p[1] != attr || !((m, attr, p[2]) in g)) continue
            k++; w[k] = g[m, attr, p[2]]; v[k] = s[m, attr, p[2]] / w[k] }
        return ge(k, a, aif) }
    function cv(x) { return x == "null" ? x : sqrt(2 * x) }
    { FS = "\t"; $0 = $0; m = $1; id = $2; label = $3; got = $4; a = alpha[id]; mt = metric[id]
      if (mt !~ /^(aif360|clarify)[.]/) next   # the native split: the identity below
      aif = mt ~ /^aif360[.]/; if (a == "-") a = (mt ~ /theil/ ? 1 : 2)
      if (label == "overall") want = mt ~ /coefficient/ ? cv(total(m, 2, aif)) : total(m, a, aif)
      else if (mt ~ /[.]between_group_/ && label == "race") want = "null" # not two groups
      else want = mt ~ /coefficient/ ? cv(between(m, label, 2, aif)) : between(m, label, a, aif)
      if (want == "null" || got == "null") {
          if (want != got) printf "%s %s %s got %s want %s\n", m, id, label, got, want; next }
      if (abs(got - want) > 1e-12) printf "%s %s %s got %s want %.17g\n", m, id, label, got, want
      checked++ }
    END { if (checked != 36) print checked + 0, "values compared, not 36" }' \
    "$WORK/index-gates" "$WORK/ki-pred.csv" "$WORK/ki-nofn.csv" "$WORK/igot" >"$WORK/imismatch" ||
    echo "awk failed" >>"$WORK/imismatch"
if [ -s "$WORK/imismatch" ]; then
    not_ok "every index alias equals AIF360's / Clarify's code on Adult (1e-12)" "$(cat "$WORK/imismatch")"
else ok "every index alias equals AIF360's / Clarify's code on Adult (1e-12)"; fi
expect_eq "GE(0) of a model with false negatives is null, with the reason" \
    "$(jq -r '.gates[] | select(.id == "ge0") | .results[0] | "\(.value) \(.status) \(.why)"' "$WORK/i-pred.json")" \
    "null insufficient_data generalized_entropy_index is undefined: infinite: alpha <= 0 and some rows have benefit 0 (false negatives, or a group of only false negatives)"
expect_grep "AIF360's between_group_* of race (5 groups) is null, with the reason" "$WORK/igot" \
    "^pred	bg2	race	null$"
# Between + within = total, per attribute set (Shorrocks 1980), from the audit's values.
for model in pred nofn; do
    jq -r '[.gates[] | {key: .id, value: [.results[] | .value]}] | from_entries |
        "\(.nge3[0]) \(.nbg3[0]) \(.nwg3[0]) \(.nbg3[1]) \(.nwg3[1]) \(.ntheil[0]) \(.nbt[0]) \(.nwt[0]) \(.nbt[1]) \(.nwt[1])"' \
        "$WORK/i-$model.json"
done | awk 'function abs(x) { return x < 0 ? -x : x }
    { n++; if (NF != 10 || abs($2 + $3 - $1) > 1e-12 || abs($4 + $5 - $1) > 1e-12 ||
          abs($7 + $8 - $6) > 1e-12 || abs($9 + $10 - $6) > 1e-12 || $2 <= 0 || $3 <= 0 ||
          $7 <= 0 || $8 <= 0) print "line", NR, $0 }
    END { if (n != 2) print "got", n + 0, "lines" }' >"$WORK/identity"
if [ -s "$WORK/identity" ]; then
    not_ok "between + within = total on Adult (GE(3), Theil; sex and race)" "$(cat "$WORK/identity")"
else ok "between + within = total on Adult (GE(3), Theil; sex and race)"; fi

# ---- differential fairness on Adult ----
# Foulds et al.'s smoothed EDF and its bias amplification, one value per attribute set: sex,
# race and their intersection (AIF360 takes the intersections of the protected attributes it
# is given: binary_label_dataset_metric.py:170), for the candidate (pred) and the incumbent
# (old); expected values by edf() in peers.awk from the counts (AIF360 v0.6.1
# binary_label_dataset_metric.py:159-:232, classification_metric.py:841-:864).
{
    printf 'version: 1\nname: adult-df\ndata:\n  label: income\n  positive_label: ">50K"\n'
    printf '  protected: [sex, race]\n  intersections: [[sex, race]]\n'
    printf '  candidate: { prediction: pred }\n  incumbent: { prediction: old }\n'
    printf '  favorable_prediction: "1"\ngates:\n'
    printf '  - {id: sedf, metric: aif360.smoothed_empirical_differential_fairness, overall: {max: 10}}\n'
    printf '  - {id: dfba, metric: aif360.differential_fairness_bias_amplification, overall: {max: 10}}\n'
    printf '  - {id: nsedf, metric: smoothed_empirical_differential_fairness, overall: {max: 10}}\n'
    printf '  - {id: ndfba, metric: differential_fairness_bias_amplification, overall: {max: 10}}\n'
} >"$WORK/df.yaml"
check_both "differential fairness" "$WORK/df.yaml" "$WORK/kd.csv" "$WORK/d.json" "$WORK/d-rows.json"
jq -r '.gates[] | .id as $id | .results[] | "\($id)\t\(.attributes | join("&"))\t\(.value)\t\(.incumbent.value)"' \
    "$WORK/d.json" >"$WORK/dgot"
awk -F, "$PEERS"'NR == FNR { if (FNR == 1) { for (i = 1; i <= NF; i++) col[$i] = i; next }
        nr++; sx[nr] = $col["sex"]; rc[nr] = $col["race"]; y[nr] = $col["y_true"]
        cand[nr] = $col["candidate"]; inc[nr] = $col["incumbent"]; cnt[nr] = $col["count"]; next }
    # edf over the groups of attribute set set (sex, race, sex&race) of outcome out
    function df(set, out,   i, key, idx, pos, n, k, o) { split("", idx); split("", pos); split("", n); k = 0
        for (i = 1; i <= nr; i++) {
            key = set == "sex" ? sx[i] : set == "race" ? rc[i] : sx[i] "/" rc[i]
            if (!(key in idx)) idx[key] = ++k
            o = out == "y" ? y[i] : out == "cand" ? cand[i] : inc[i]
            n[idx[key]] += cnt[i]; if (o == 1) pos[idx[key]] += cnt[i] }
        return edf(pos, n, k) }
    { split($0, f, "\t"); id = f[1]; set = f[2]
      for (m = 0; m < 2; m++) {
          got = f[3 + m]; model = m == 0 ? "cand" : "inc"
          want = id ~ /sedf$/ ? df(set, "y") : df(set, model) - df(set, "y")
          if (abs(got - want) > 1e-12) printf "%s %s (%s) got %s want %.17g\n", id, set, model, got, want
          checked++ } }
    END { if (checked != 24) print checked + 0, "values compared, not 24" }' \
    FS=, "$WORK/kd.csv" "$WORK/dgot" >"$WORK/dmismatch" || echo "awk failed" >>"$WORK/dmismatch"
expect_eq "differential fairness equals AIF360's formula on Adult, both models (1e-12)" \
    "$(cat "$WORK/dmismatch")" ""
expect_eq "differential fairness: sex & race's EDF of the labels (checked above)" \
    "$(awk -F'\t' '$1 == "sedf" && $2 == "sex&race" { printf "%.12f", $3 }' "$WORK/dgot")" "1.755233970635"
# One group (only the Male rows): no pair to compare, null with the reason (AIF360 raises).
awk -F, 'NR == 1 || $4 == "Male"' "$WORK/adult.csv" >"$WORK/adult-male.csv"
run "$FAIRGATE" check --quiet --policy "$WORK/df.yaml" --candidate "$WORK/adult-male.csv" --out "$WORK/d-one.json"
expect_eq "differential fairness: null with the reason for an attribute set of one group" \
    "$(jq -r '.gates[] | select(.id == "dfba") | .results[] | select(.attributes == ["sex"]) | "\(.value) \(.status) \(.why)"' "$WORK/d-one.json")" \
    "null insufficient_data differential_fairness_bias_amplification is undefined: fewer than two groups with rows (differential fairness compares pairs of groups)"

# ---- lint explains misuse ----

sed 's/^    metric: clarify.DPPL$/&\n    disparity: ratio/' "$WORK/aliases.yaml" >"$WORK/conflict.yaml"
run "$FAIRGATE" lint "$WORK/conflict.yaml"
expect_rc "lint: alias with a conflicting disparity exits 2" 2
expect_grep "lint explains the conflicting disparity" "$WORK/err" \
    "'disparity: ratio' conflicts with metric 'clarify.DPPL', which is .*signed_difference \(reference - group\)"
grep -v 'reference: { sex: Male }' "$WORK/aliases.yaml" | sed 's/^defaults:$//' >"$WORK/noref.yaml"
run "$FAIRGATE" lint "$WORK/noref.yaml"
expect_rc "lint: alias without an explicit reference exits 2" 2
expect_grep "lint explains the missing privileged group" "$WORK/err" "privileged group, which must be an explicit 'reference'"
finish
