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

# ---- every alias on Adult ----

adult_csv "$(shipped_data adult.data.csv)" "$WORK/adult.csv"
{
    printf 'version: 1\nname: adult-aliases\ndata:\n  label: income\n  positive_label: ">50K"\n'
    printf '  protected: [sex]\n  candidate: { prediction: pred }\n  favorable_prediction: "1"\n'
    printf 'defaults:\n  reference: { sex: Male }\ngates:\n'
    jq -r '.metrics[].aliases[] | "  - id: \(.name)\n    metric: \(.name)\n    \(if .disparity == "ratio" then "min: 0.01" else "max: 1" end)"' "$WORK/catalog.json"
} >"$WORK/aliases.yaml"
run "$FAIRGATE" counts --quiet --policy "$WORK/aliases.yaml" --candidate "$WORK/adult.csv" --out "$WORK/k.csv"
expect_rc "counts of the alias policy" 0
run "$FAIRGATE" check --quiet --policy "$WORK/aliases.yaml" --counts "$WORK/k.csv" --out "$WORK/a.json"
expect_rc "check of one gate per alias" 0
jq -r '.gates[] | "\(.id)\t\(.alias)\t\(.results[] | select(.label == "sex=Female") | .value)"' \
    "$WORK/a.json" >"$WORK/got"
expect_eq "the audit records each alias" "$(awk -F'\t' '$1 != $2' "$WORK/got" | wc -l)" "0"
expect_eq "one result per alias" "$(wc -l <"$WORK/got")" "$(jq '[.metrics[].aliases[]] | length' "$WORK/catalog.json")"
# Expected values from the counts (d = sex=Female, the unprivileged group / the facet;
# a = sex=Male, the privileged group / the rest), each with the peer's formula:
# AIF360 v0.6.1 aif360/metrics/: difference = unpriv - priv, ratio = unpriv / priv
#   (dataset_metric.py:77, :82); rates at classification_metric.py:278-284; error_rate
#   1 - ACC (:499); statistical_parity_difference / disparate_impact on selection rates
#   (:684, :676), on base rates in binary_label_dataset_metric.py:116, :108;
#   average_odds_difference ((FPR_d-FPR_a)+(TPR_d-TPR_a))/2 (:557),
#   average_abs_odds_difference (|..| + |..|)/2 (:571), average_predictive_value_difference
#   ((PPV_d-PPV_a)+(FOR_d-FOR_a))/2 (:585), equalized_odds_difference max(|..|, |..|) (:592).
# smclarify 0.5 src/smclarify/bias/metrics/: DPPL qa-qd (common.py:85), DI qd/qa
#   (posttraining.py:77), DCA ca-cd with c = n(1)/n^(1) (common.py:287), DCR rr_d-rr_a with
#   rr = n(0)/n^(0) (:288), DAR PPV_a-PPV_d (:341), DRR NPV_d-NPV_a (:342), RD TPR_a-TPR_d
#   (:392), SD TNR_d-TNR_a (:393), AD ACC_a-ACC_d (posttraining.py:252), TE FN_d/FP_d -
#   FN_a/FP_a (:314).
awk -F, 'NR == FNR { if (FNR > 1) { s = ($1 == "Female") ? "d" : "a"
        k = ($2 == 1 ? ($3 == 1 ? "tp" : "fn") : ($3 == 1 ? "fp" : "tn")); c[s, k] += $5 }; next }
    function abs(x) { return x < 0 ? -x : x }
    function r(s, m,   tp, fp, tn, fn, n) { tp = c[s, "tp"]; fp = c[s, "fp"]; tn = c[s, "tn"]
        fn = c[s, "fn"]; n = tp + fp + tn + fn
        if (m == "sr") return (tp + fp) / n; if (m == "br") return (tp + fn) / n
        if (m == "tpr") return tp / (tp + fn); if (m == "fpr") return fp / (fp + tn)
        if (m == "fnr") return fn / (tp + fn); if (m == "tnr") return tn / (fp + tn)
        if (m == "ppv") return tp / (tp + fp); if (m == "npv") return tn / (tn + fn)
        if (m == "fdr") return fp / (tp + fp); if (m == "for") return fn / (tn + fn)
        if (m == "acc") return (tp + tn) / n; if (m == "err") return 1 - (tp + tn) / n
        if (m == "ca") return (tp + fn) / (tp + fp); if (m == "rr") return (tn + fp) / (tn + fn)
        if (m == "te") return fn / fp }
    function D(m) { return r("d", m) - r("a", m) }
    function R(m) { return r("d", m) / r("a", m) }
    BEGIN { FS = "," }
    { FS = "\t"; $0 = $0; id = $1; got = $3
      w["aif360.statistical_parity_difference"] = D("sr"); w["aif360.disparate_impact"] = R("sr")
      w["aif360.dataset.statistical_parity_difference"] = D("br")
      w["aif360.dataset.disparate_impact"] = R("br")
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
      if (!(id in w)) { print id, "no expected value in this test"; next }
      if (abs(got - w[id]) > 1e-12) printf "%s got %s want %.17g\n", id, got, w[id] }' \
    "$WORK/k.csv" "$WORK/got" >"$WORK/mismatch"
if [ -s "$WORK/mismatch" ]; then not_ok "every alias equals its peer formula on Adult (1e-12)" "$(cat "$WORK/mismatch")"
else ok "every alias equals its peer formula on Adult (1e-12)"; fi

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
