#!/bin/sh
# The JSON Schemas in policies/ checked with a real validator, Ajv (JSON Schema draft-07):
#  - both schemas compile under Ajv's strict mode;
#  - every example policy and good fixture is valid, read from YAML as editors read it
#    (YAML 1.2 core schema, the `yaml` package that yaml-language-server uses);
#  - every bad fixture is refused by the YAML reader or by the schema, except the ones
#    listed below whose rule a JSON Schema cannot express (policy.schema.json's
#    description names those rules); they must stay valid, so the list cannot go stale;
#  - schema and `fairgate lint` agree on mutations of a good policy: the schema never
#    refuses what lint accepts, and refuses what it can of what lint refuses;
#  - real audits validate against audit.schema.json: a failing gate, a passing one, one
#    without incumbent, one with an applied (and a rejected) override, a hiring audit and
#    one covering every reference kind; broken audits do not.
# Needs node and npm: the validator is installed from npm, pinned, into a cache folder
# outside the repository that later runs reuse. Without node or npm this test fails.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
POLICY_SCHEMA=$ROOT/policies/policy.schema.json
AUDIT_SCHEMA=$ROOT/policies/audit.schema.json

# ---- the validator ----

schema_tools || finish
NODE_DIR=$SCHEMA_NODE_DIR
version_of() { node -p "require(process.argv[1]).version" "$NODE_DIR/node_modules/$1/package.json"; }
expect_eq "pinned versions" \
    "ajv $(version_of ajv), ajv-cli $(version_of ajv-cli), ajv-formats $(version_of ajv-formats), yaml $(version_of yaml)" \
    "ajv 8.17.1, ajv-cli 5.0.0, ajv-formats 3.0.1, yaml 2.8.1"

# Ajv's strict mode, less two checks that flag sound schemas: strictRequired (a property
# named in `required` inside if/then/anyOf must be redeclared there) and strictTuples
# (groups[0] is described by a one-item tuple that the rest of the array follows).
ajv() {
    "$NODE_DIR/node_modules/.bin/ajv" "$@" --spec=draft7 --strict=true --strict-required=false \
        --strict-tuples=false -c ajv-formats
}

# ---- the schemas themselves ----

for s in "$POLICY_SCHEMA" "$AUDIT_SCHEMA"; do
    name=$(basename "$s")
    run ajv compile -s "$s"
    expect_rc "$name compiles under Ajv strict mode (and is valid draft-07)" 0
    expect_grep "$name: ajv says valid" "$WORK/out" "is valid$"
    expect_eq "$name declares draft-07" "$(jq -r '."$schema"' "$s")" "http://json-schema.org/draft-07/schema#"
    expect_eq "$name has an \$id, a title and a description" \
        "$(jq -r '[."$id", .title, .description] | map(type == "string" and length > 0) | all' "$s")" "true"
done

# ---- YAML to JSON, as an editor reads it ----

cat >"$WORK/yaml2json.js" <<'JS'
// node yaml2json.js NODE_DIR OUT_DIR FILE.yaml...: writes OUT_DIR/<name>.json per file,
// or prints "yaml-error <name>: message" when the YAML reader refuses it.
const YAML = require(process.argv[2] + "/node_modules/yaml");
const fs = require("fs"), path = require("path");
for (const file of process.argv.slice(4)) {
    const name = path.basename(file).replace(/\.ya?ml$/, "");
    try {
        const value = YAML.parse(fs.readFileSync(file, "utf8"),
            { version: "1.2", schema: "core", uniqueKeys: true, strict: true });
        fs.writeFileSync(path.join(process.argv[3], name + ".json"),
            JSON.stringify(value === undefined ? null : value, null, 2) + "\n");
    } catch (e) {
        console.log("yaml-error " + name + ": " + String(e.message).split("\n")[0]);
    }
}
JS
mkdir -p "$WORK/p"
node "$WORK/yaml2json.js" "$NODE_DIR" "$WORK/p" "$ROOT"/policies/*.yaml "$FIXTURES"/policy/*.yaml >"$WORK/yaml.log" 2>&1

# validate SCHEMA FILE...: one Ajv run over the files that exist (ajv-cli stops at a
# missing one); verdicts accumulate in $WORK/ajv.out.
validate() {
    schema=$1
    shift
    args=""
    for f in "$@"; do [ -e "$f" ] && args="$args -d $f"; done
    # shellcheck disable=SC2086 # one -d per file; the files are under $WORK, no spaces
    ajv validate -s "$schema" --all-errors --errors=text $args >>"$WORK/ajv.out" 2>&1
}
# verdict FILE: valid, invalid, or missing (Ajv did not judge it).
verdict() {
    if grep -Fxq -- "$1 valid" "$WORK/ajv.out"; then echo valid
    elif grep -Fxq -- "$1 invalid" "$WORK/ajv.out"; then echo invalid
    else echo missing; fi
}
ajv_errors() { grep -Fx -A1 -- "$1 invalid" "$WORK/ajv.out" | tail -n 1 | cut -c1-600; }
# expect_schema NAME FILE valid|invalid
expect_schema() {
    got=$(verdict "$2")
    if [ "$got" = "$3" ]; then ok "$1"; else
        not_ok "$1" "schema says $got, expected $3" "$(ajv_errors "$2")"
    fi
}

# ---- policies ----

good=""
for f in "$ROOT"/policies/*.yaml "$FIXTURES"/policy/good-*.yaml; do
    good="$good $WORK/p/$(basename "$f" .yaml).json"
done
bad=""
for f in "$FIXTURES"/policy/bad-*.yaml; do
    bad="$bad $WORK/p/$(basename "$f" .yaml).json"
done
# shellcheck disable=SC2086
validate "$POLICY_SCHEMA" $good $bad

for f in "$ROOT"/policies/*.yaml "$FIXTURES"/policy/good-*.yaml; do
    name=$(basename "$f" .yaml)
    if [ -e "$WORK/p/$name.json" ]; then
        expect_schema "policy $(basename "$f") is valid" "$WORK/p/$name.json" valid
    else
        not_ok "policy $(basename "$f") is valid" "$(grep "^yaml-error $name:" "$WORK/yaml.log")"
    fi
done

# Bad fixtures whose rule no JSON Schema can express: lint refuses them, the schema does
# not (policy.schema.json's description lists these rules). Any other bad fixture must be
# refused by the YAML reader or by the schema.
beyond_schema="bad-tag bad-duplicate-gate-id bad-min-over-max bad-intersection-attr"
beyond_schema="$beyond_schema bad-reference-missing-attr bad-not-overridable bad-strata-undeclared"
# Refused by the YAML reader before a schema sees anything.
yaml_level="bad-syntax bad-two-documents bad-duplicate-key"
n=0
for f in "$FIXTURES"/policy/bad-*.yaml; do
    n=$((n + 1))
    name=$(basename "$f" .yaml)
    case " $yaml_level " in
    *" $name "*)
        if [ -e "$WORK/p/$name.json" ]; then
            not_ok "$name.yaml is refused by the YAML reader" "it was read: $(head -c 200 "$WORK/p/$name.json")"
        else
            ok "$name.yaml is refused by the YAML reader ($(grep "^yaml-error $name:" "$WORK/yaml.log" | cut -d: -f2- | cut -c2-60))"
        fi
        continue
        ;;
    esac
    if [ ! -e "$WORK/p/$name.json" ]; then
        not_ok "$name.yaml can be read as YAML" "$(grep "^yaml-error $name:" "$WORK/yaml.log")"
        continue
    fi
    case " $beyond_schema " in
    *" $name "*) expect_schema "$name.yaml passes the schema (only lint can refuse it)" "$WORK/p/$name.json" valid ;;
    *) expect_schema "$name.yaml is refused by the schema" "$WORK/p/$name.json" invalid ;;
    esac
done
if [ "$n" -ge 20 ]; then ok "bad policy fixtures checked ($n)"; else not_ok "bad policy fixtures" "only $n"; fi
# The cases the task names explicitly, so they cannot drift into the list above.
for name in bad-unknown-top-key bad-unknown-gate-key bad-misspelled-metric bad-ratio-zero \
    bad-string-for-number bad-quoted-number bad-auc bad-difference-over-one; do
    case " $beyond_schema $yaml_level " in
    *" $name "*) not_ok "$name is caught by the schema" "it is listed as beyond the schema" ;;
    esac
done

# Mutations of a good policy (JSON is YAML too, so lint reads the same file). Each line:
# EXPECT NAME JQ-FILTER, where EXPECT is the schema's verdict; lint must refuse every
# `invalid` one and accept every `valid` one.
jq . "$WORK/p/good-loan.json" >"$WORK/base.json"
mkdir -p "$WORK/m/keys" # lint reads the approver's key file, relative to the policy
cp "$FIXTURES/policy/keys/risk.pub.pem" "$WORK/m/keys/"
cat >"$WORK/mutations" <<'EOF'
valid   unchanged                       .
valid   positive_label-number           .data.positive_label = 0
valid   positive_label-boolean          .data.positive_label = true
valid   empty-description               .gates[0].description = ""
valid   explicit-reference              .defaults.reference = {sex: "Male", race: "White"}
valid   tab-delimiter                   .data.delimiter = "\t"
valid   score-models                    .data.candidate = {score: "p", threshold: 0.5, favorable: "below"} | .data.incumbent = {score: "q", threshold: -3} | del(.data.favorable_prediction)
valid   ratio-max-above-one             .gates[0].max = 1.25
valid   count-overall                   .gates[3].metric = "count" | .gates[3].overall = {min: 1000}
valid   between-groups                  .gates[1].reference = "between_groups"
valid   no-defaults-no-overrides        del(.defaults) | del(.overrides)
valid   overall-vs-incumbent            .gates[3].vs_incumbent = {max_worsening: 0}
valid   overall-only-vs-incumbent       .gates[3].overall = {} | .gates[3].vs_incumbent = {max_worsening: 0.01}
valid   gate-id-charset                 .gates[0].id = "a.B_c-9"
valid   gate-id-64                      .gates[0].id = ("x" * 64)
valid   max-days-3650                   .overrides.max_days = 3650
valid   difference-bounds-0-1           .gates[1].min = 0 | .gates[1].max = 1
valid   overall-bounds-0-1              .gates[3].overall = {min: 0, max: 1}
valid   gate-overrides-defaults         .gates[0] += {reference: "largest", min_group_size: 0, on_small_group: "skip"}
valid   enforce-warn                    .defaults.enforce = "warn" | .gates[0].enforce = "block" | .gates[1].enforce = "warn"
invalid enforce-maybe                   .gates[0].enforce = "maybe"
invalid defaults-enforce-typo           .defaults.enforce = "warning"
invalid enforce-boolean                 .gates[0].enforce = false
invalid unknown-top-key                 .extra = 1
invalid unknown-data-key                .data.labels = "y"
invalid unknown-model-key               .data.candidate.column = "x"
invalid unknown-defaults-key            .defaults.refrence = "highest"
invalid unknown-gate-key                .gates[0].maximum = 1
invalid unknown-overall-key             .gates[3].overall.mean = 0.5
invalid unknown-vs-incumbent-key        .gates[2].vs_incumbent.max = 0.1
invalid unknown-overrides-key           .overrides.approver = []
invalid unknown-approver-key            .overrides.approvers[0].email = "x"
invalid approver-path-without-keyid     .overrides.approvers[0] |= del(.keyid)
invalid approver-keyid-uppercase        .overrides.approvers[0].keyid |= ascii_upcase
invalid approver-keyid-short            .overrides.approvers[0].keyid = "3f0c"
invalid version-2                       .version = 2
invalid version-string                  .version = "1"
invalid no-name                         del(.name)
invalid name-list                       .name = ["a"]
invalid name-empty                      .name = ""
invalid label-null                      .data.label = null
invalid no-candidate                    del(.data.candidate)
invalid prediction-and-score            .data.candidate = {prediction: "a", score: "b", threshold: 0.5}
invalid score-without-threshold         .data.candidate = {score: "p"}
invalid threshold-with-prediction       .data.candidate = {prediction: "a", threshold: 0.5}
invalid favorable-with-prediction       .data.candidate = {prediction: "a", favorable: "above"}
invalid quoted-threshold                .data.candidate = {score: "p", threshold: "0.5"}
invalid favorable-up                    .data.candidate = {score: "p", threshold: 0.5, favorable: "up"}
invalid no-favorable-prediction         del(.data.favorable_prediction)
invalid incumbent-needs-favorable       .data.candidate = {score: "p", threshold: 0.5} | del(.data.favorable_prediction)
invalid protected-empty                 .data.protected = []
invalid protected-twice                 .data.protected = ["sex", "sex"]
invalid protected-17                    .data.protected = [range(17) | "a\(.)"] | del(.data.intersections) | del(.defaults.reference)
invalid intersection-of-one             .data.intersections = [["sex"]]
invalid intersection-twice              .data.intersections = [["sex", "race"], ["sex", "race"]]
invalid intersection-repeats-member     .data.intersections = [["sex", "sex"]]
invalid missing-skip                    .data.missing = "skip"
invalid delimiter-two                   .data.delimiter = ";;"
invalid delimiter-quote                 .data.delimiter = "\""
invalid delimiter-newline               .data.delimiter = "\n"
invalid reference-lowest                .defaults.reference = "lowest"
invalid reference-list                  .defaults.reference = ["Male"]
invalid min-group-size-negative         .defaults.min_group_size = -1
invalid min-group-size-fraction         .defaults.min_group_size = 2.5
invalid min-group-size-quoted           .gates[0].min_group_size = "30"
invalid on-small-group-ignore           .defaults.on_small_group = "ignore"
invalid gates-empty                     .gates = []
invalid gate-not-mapping                .gates[0] = "four-fifths"
invalid gate-no-id                      .gates[0] |= del(.id)
invalid gate-id-space                   .gates[0].id = "four fifths"
invalid gate-id-65                      .gates[0].id = ("x" * 65)
invalid gate-id-empty                   .gates[0].id = ""
invalid description-null                .gates[0].description = null
invalid metric-auc                      .gates[0].metric = "auc"
invalid metric-brier                    .gates[0].metric = "brier"
invalid metric-calibration-gap          .gates[0].metric = "calibration_gap"
valid   metric-auc-with-score           .data.candidate = {score: "p", threshold: 0.5} | .gates[0].metric = "auc"
valid   calibration-bins                .data.candidate = {score: "p", threshold: 0.5} | .gates[0].metric = "calibration_gap" | .gates[0].bins = 20
invalid calibration-bins-zero           .data.candidate = {score: "p", threshold: 0.5} | .gates[0].metric = "calibration_gap" | .gates[0].bins = 0
valid   evidence-significant            .gates[0].evidence = "significant" | .gates[0].alpha = 0.01 | .gates[0].correction = "bh"
valid   defaults-stats                  .defaults.evidence = "confident" | .defaults.alpha = 0.1 | .defaults.correction = "none" | .defaults.bootstrap = {resamples: 500, seed: 7}
invalid evidence-typo                   .gates[0].evidence = "signficant"
invalid alpha-zero                      .gates[0].alpha = 0
invalid alpha-big                       .defaults.alpha = 0.6
invalid alpha-quoted                    .defaults.alpha = "0.05"
invalid correction-typo                 .gates[0].correction = "bonferroni"
invalid bootstrap-few                   .defaults.bootstrap = {resamples: 10}
invalid bootstrap-key                   .defaults.bootstrap = {resample: 2000}
invalid metric-typo                     .gates[0].metric = "selection-rate"
invalid disparity-typo                  .gates[0].disparity = "ratios"
invalid no-disparity                    .gates[0] |= del(.disparity)
invalid disparity-gate-no-bound         .gates[0] |= del(.min)
invalid ratio-min-negative              .gates[0].min = -0.5
invalid ratio-max-zero                  .gates[0].max = 0
invalid difference-max-above-one        .gates[1].max = 1.5
invalid difference-min-negative         .gates[1].min = -0.1
invalid max-worsening-above-one         .gates[2].vs_incumbent.max_worsening = 1.5
invalid max-worsening-negative          .gates[2].vs_incumbent.max_worsening = -0.01
invalid max-worsening-missing           .gates[2].vs_incumbent = {}
invalid max-worsening-quoted            .gates[2].vs_incumbent.max_worsening = "0.02"
invalid count-disparity                 .gates[0].metric = "count"
invalid overall-with-disparity          .gates[3].disparity = "ratio"
invalid overall-with-min                .gates[3].min = 0.5
invalid overall-with-reference          .gates[3].reference = "largest"
invalid overall-equalized-odds          .gates[3].metric = "equalized_odds"
invalid overall-no-bound                .gates[3].overall = {}
invalid overall-not-mapping             .gates[3].overall = 0.7
invalid overall-above-one               .gates[3].overall = {max: 1.01}
invalid overall-negative                .gates[3].overall = {min: -0.01}
invalid overall-count-negative          .gates[3].metric = "count" | .gates[3].overall = {min: -1}
invalid overall-no-direction            .gates[3].metric = "selection_rate" | .gates[3].vs_incumbent = {max_worsening: 0.1}
invalid approvers-empty                 .overrides.approvers = []
invalid approvers-missing               .overrides |= del(.approvers)
invalid approver-no-key                 .overrides.approvers[0] |= del(.public_key)
invalid required-approvals-0            .overrides.required_approvals = 0
invalid max-days-0                      .overrides.max_days = 0
invalid max-days-3651                   .overrides.max_days = 3651
invalid max-days-quoted                 .overrides.max_days = "30"
invalid not-overridable-twice           .overrides.not_overridable = ["accuracy-floor", "accuracy-floor"]
invalid not-overridable-mapping         .overrides.not_overridable = {"accuracy-floor": true}
valid   index-overall                   .gates[3].metric = "theil_index" | .gates[3].overall = {max: 2.5}
valid   index-ge-alpha                  .gates[3].metric = "generalized_entropy_index" | .gates[3].overall = {max: 2} | .gates[3].ge_alpha = -0.5
valid   index-alias-vs-incumbent        .gates[3].metric = "aif360.between_group_theil_index" | .gates[3].overall = {} | .gates[3].vs_incumbent = {max_worsening: 0.01}
valid   index-clarify-ge-alpha-2        .gates[3].metric = "clarify.GE" | .gates[3].ge_alpha = 2
invalid index-ge-alpha-on-theil         .gates[3].metric = "theil_index" | .gates[3].ge_alpha = 1
invalid index-ge-alpha-on-rate          .gates[3].ge_alpha = 2
invalid index-clarify-ge-alpha-3        .gates[3].metric = "clarify.GE" | .gates[3].ge_alpha = 3
invalid index-ge-alpha-101              .gates[3].metric = "generalized_entropy_index" | .gates[3].ge_alpha = 101
invalid index-negative-bound            .gates[3].metric = "coefficient_of_variation" | .gates[3].overall = {max: -0.1}
invalid index-as-disparity              .gates[0].metric = "between_group_theil_index"
invalid index-alias-as-disparity        .gates[0].metric = "aif360.theil_index"
invalid overall-average-odds            .gates[3].metric = "average_odds"
valid   pair-kl                         .gates[0].metric = "label_kl_divergence" | del(.gates[0].disparity) | .gates[0].max = 0.2 | del(.gates[0].min)
valid   pair-ci-negative                .gates[0].metric = "clarify.CI" | del(.gates[0].disparity) | .gates[0].reference = "rest" | .gates[0].min = -0.5
valid   pair-dpl-rest                   .gates[0].metric = "clarify.DPL" | del(.gates[0].disparity) | .gates[0].reference = "rest" | .gates[0].min = -0.2
valid   reference-rest                  .defaults.reference = "rest"
invalid pair-with-disparity             .gates[0].metric = "label_ks_distance"
invalid pair-ci-below-minus-one         .gates[0].metric = "class_imbalance" | del(.gates[0].disparity) | .gates[0].min = -1.5
invalid pair-divergence-negative        .gates[0].metric = "label_total_variation" | del(.gates[0].disparity) | .gates[0].min = -0.1
invalid pair-overall                    .gates[3].metric = "class_imbalance"
valid   cddl-strata                     .gates[0].metric = "clarify.CDDL" | del(.gates[0].disparity) | .gates[0].reference = "rest" | .gates[0].strata = "race" | .gates[0].min = -0.2
valid   cdd-native-strata               .gates[0].metric = "conditional_demographic_disparity_predicted" | del(.gates[0].disparity) | .gates[0].strata = "sex" | .gates[0].min = -1
invalid cddpl-no-strata                 .gates[0].metric = "clarify.CDDPL" | del(.gates[0].disparity) | .gates[0].reference = "rest" | .gates[0].min = -0.2
invalid cdd-strata-list                 .gates[0].metric = "conditional_demographic_disparity" | del(.gates[0].disparity) | .gates[0].strata = ["race"] | .gates[0].min = -0.2
invalid cdd-bound-below-minus-one       .gates[0].metric = "conditional_demographic_disparity" | del(.gates[0].disparity) | .gates[0].strata = "race" | .gates[0].min = -1.5
invalid cdd-with-disparity              .gates[0].metric = "conditional_demographic_disparity" | .gates[0].strata = "race"
invalid cdd-overall                     .gates[3].metric = "clarify.CDDL" | .gates[3].strata = "race"
invalid strata-on-rate                  .gates[0].strata = "race"
EOF
mutations=""
while read -r want name filter; do
    [ -n "$name" ] || continue
    if jq "$filter" "$WORK/base.json" >"$WORK/m/$name.json" 2>"$WORK/jq.err"; then
        mutations="$mutations $WORK/m/$name.json"
    else
        not_ok "mutation $name applies" "$(cat "$WORK/jq.err")"
    fi
done <"$WORK/mutations"
# shellcheck disable=SC2086
validate "$POLICY_SCHEMA" $mutations
while read -r want name filter; do
    [ -e "$WORK/m/$name.json" ] || continue
    expect_schema "mutation $name: schema says $want" "$WORK/m/$name.json" "$want"
    run "$FAIRGATE" lint "$WORK/m/$name.json"
    if [ "$want" = valid ]; then
        expect_rc "mutation $name: lint accepts it too" 0
    else
        expect_rc "mutation $name: lint refuses it too" 2
    fi
done <"$WORK/mutations"

# ---- audits ----

export SOURCE_DATE_EPOCH=1763769600 # 2025-11-22T00:00:00Z
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY # no annotations, no job summary from these runs
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"
A=$WORK/audits
mkdir -p "$A"

# audit NAME WANT_RC fairgate-check-args...: writes $A/NAME.json.
audit() {
    name=$1 want=$2
    shift 2
    if [ -n "${AT:-}" ]; then
        run at "$AT" "$FAIRGATE" check --quiet --out "$A/$name.json" "$@"
    else
        run "$FAIRGATE" check --quiet --out "$A/$name.json" "$@"
    fi
    expect_rc "audit $name: check exits $want" "$want"
}
mkdir -p "$WORK/keys"
"$FAIRGATE" keygen --out "$WORK/keys/ci.pem" --pubout "$WORK/keys/ci.pub" >/dev/null
audit fail 1 --policy "$ROOT/policies/loan-approval.yaml" --candidate "$WORK/loans.csv" \
    --sign-key "$WORK/keys/ci.pem" --attestation "$WORK/fail.intoto.jsonl"
# The attestation's predicate is the audit: it is checked as one too.
jq -r .payload "$WORK/fail.intoto.jsonl" | base64 -d | jq .predicate >"$A/predicate.json"
expect_eq "the attestation's predicate is the audit" "$(jq -cS . "$A/predicate.json")" "$(jq -cS . "$A/fail.json")"

fixture_policy lenient "$WORK/pass.yaml"
audit pass 0 --policy "$WORK/pass.yaml" --candidate "$WORK/loans.csv"

fixture_policy schemas-no-incumbent "$WORK/noinc.yaml"
audit noinc 0 --policy "$WORK/noinc.yaml" --candidate "$WORK/loans.csv"

# Every reference kind, a score column, count, equalized_odds, vs_incumbent on an overall
# gate, and two files joined by id.
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan --incumbent-out "$WORK/inc.csv" >"$WORK/cand.csv"
fixture_policy schemas-kinds "$WORK/kinds.yaml"
audit kinds 1 --policy "$WORK/kinds.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv"

# Clarify against the rest and signed differences: negative values, rest references.
fixture_policy schemas-clarify "$WORK/clarify.yaml"
audit clarify 0 --policy "$WORK/clarify.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv"
expect_eq "audit clarify: negative values and rest references are there to validate" \
    "$(jq '([.gates[].results[] | select(.value < 0)] | length > 0) and
        ([.gates[].results[] | select(.reference.rest_of != null)] | length > 0)' "$A/clarify.json")" true
expect_eq "audit clarify: the CDD gates name their strata, with values" \
    "$(jq -c '[.gates[] | select(.strata != null) | [.strata, ([.results[] | select(.value != null)] | length > 0)]]' "$A/clarify.json")" \
    '[["race",true],["sex",true]]'

# Inequality indices: whole population, and one result per attribute set ("attributes").
fixture_policy schemas-indices "$WORK/indices.yaml"
audit indices 0 --policy "$WORK/indices.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv"
expect_eq "audit indices: between/within results name their attribute sets" \
    "$(jq -c '[.gates[] | select(.id == "within") | .results[] | .attributes]' "$A/indices.json")" \
    '[["sex"],["race"],["sex","race"]]'

"$TOOLS/fg_gen" --rows 5000 --seed 5 --scenario hiring >"$WORK/hiring.csv"
audit hiring 1 --policy "$ROOT/policies/hiring.yaml" --candidate "$WORK/hiring.csv"

# Score gates: each judged group's calibration bins and ROC vertices.
fixture_policy html-scores "$WORK/scores.yaml"
audit scores 1 --policy "$WORK/scores.yaml" --candidate "$WORK/loans.csv"

# Overrides, as in test_override.sh: one applied, one rejected (not an envelope).
"$FAIRGATE" keygen --out "$WORK/keys/risk.pem" --pubout "$WORK/keys/risk.pub" >/dev/null
# test_one_rule.sh's policy, with accuracy-floor not overridable
fixture_policy one-rule-overrides "$WORK/ovr.yaml" RISK_ID="$(keyid "$WORK/keys/risk.pub")"
echo "  not_overridable: [accuracy-floor]" >>"$WORK/ovr.yaml"
run at "2025-11-22 00:00:00" "$FAIRGATE" override --policy "$WORK/ovr.yaml" --candidate "$WORK/loans.csv" --gate four-fifths \
    --approver risk@bank.example --role model-risk --reason "accepted for Q4" --ticket RISK-1 \
    --expires 2025-12-15 --sign-key "$WORK/keys/risk.pem" --out "$WORK/ok.dsse.json"
expect_rc "override: created" 0
echo '{"not": "an envelope"}' >"$WORK/junk.dsse.json"
AT="2025-11-22 00:00:00" # overrides are judged by the real clock, moved by at (lib.sh)
audit override 0 --policy "$WORK/ovr.yaml" --candidate "$WORK/loans.csv" \
    --override "$WORK/ok.dsse.json" --override "$WORK/junk.dsse.json"
audit rejected 1 --policy "$WORK/ovr.yaml" --candidate "$WORK/loans.csv" --override "$WORK/junk.dsse.json"
AT=""

# Advisory gates: every gate of the failing policy made advisory, so the same failures
# leave the verdict pass (exit 0) and are counted apart.
sed 's/^defaults:$/defaults:\n  enforce: warn/' "$ROOT/policies/loan-approval.yaml" >"$WORK/advisory.yaml"
audit advisory 0 --policy "$WORK/advisory.yaml" --candidate "$WORK/loans.csv"
expect_eq "audit advisory: failed gates, verdict pass, counted apart" \
    "$(jq -c '[([.gates[] | select(.status == "fail" and .enforce == "warn")] | length > 0), .verdict, .exit_code, .verdict_summary.blocking_failures, .verdict_summary.advisory_failures == ([.gates[] | select(.status == "fail")] | length)]' "$A/advisory.json")" \
    '[true,"pass",0,0,true]'

# From counts files (check --counts): inputs.candidate is null, inputs.counts lists them.
# Two shards: the first 3000 rows and the rest (the same file twice is refused).
head -n 3001 "$WORK/loans.csv" >"$WORK/loans.a.csv"
{ head -n 1 "$WORK/loans.csv"; tail -n +3002 "$WORK/loans.csv"; } >"$WORK/loans.b.csv"
for part in a b; do
    "$FAIRGATE" counts --quiet --policy "$ROOT/policies/loan-approval.yaml" \
        --candidate "$WORK/loans.$part.csv" --out "$WORK/loans.$part.counts.csv"
done
audit counts 1 --policy "$ROOT/policies/loan-approval.yaml" --counts "$WORK/loans.a.counts.csv" \
    --counts "$WORK/loans.b.counts.csv"
expect_eq "audit counts: inputs" "$(jq -c '[.inputs.candidate, (.inputs.counts | length), .inputs.counts[1].rows]' "$A/counts.json")" \
    "[null,2,2000]"
# Score gates from counts and score bins: inputs.counts[].kind, auc_error_bound, score_bin_width.
"$FAIRGATE" counts --quiet --policy "$WORK/scores.yaml" --candidate "$WORK/loans.csv" \
    --out "$WORK/scores.k.csv" --bins-out "$WORK/scores.b.csv"
audit bins 1 --policy "$WORK/scores.yaml" --counts "$WORK/scores.k.csv" --counts "$WORK/scores.b.csv"
expect_eq "audit bins: kinds, bound and bin width" \
    "$(jq -c '[[.inputs.counts[].kind], (.groups[0].candidate | (.auc_error_bound | type), .score_bin_width)]' "$A/bins.json")" \
    '[["cells","score_bins"],"number",0.0001]'

# The audits really show what they are meant to.
expect_eq "audit fail: verdict" "$(jq -r .verdict "$A/fail.json")" "fail"
expect_eq "audit pass: verdict" "$(jq -r .verdict "$A/pass.json")" "pass"
expect_eq "audit noinc: no incumbent" "$(jq -c '[.inputs.incumbent, .groups[0].incumbent, .gates[0].results[0].incumbent]' "$A/noinc.json")" "[null,null,null]"
expect_eq "audit noinc: vs_incumbent not evaluated" "$(jq -r '[.gates[1].results[].status] | unique | join(",")' "$A/noinc.json")" "insufficient_data"
expect_eq "audit kinds: every reference kind" \
    "$(jq -c '[.gates[] | select(.scope == "groups") | .reference | if type == "object" then "explicit" else . end]' "$A/kinds.json")" \
    '["between_groups","explicit","largest"]'
expect_eq "audit kinds: a result without a reference group" \
    "$(jq '[.gates[].results[] | select(has("reference") and .reference == null)] | length > 0' "$A/kinds.json")" "true"
expect_eq "audit override: verdict" "$(jq -r .verdict "$A/override.json")" "pass_with_override"
expect_eq "audit override: applied and rejected" "$(jq -r '[.overrides[].status] | join(",")' "$A/override.json")" "applied,rejected"
expect_eq "audit override: a rejected record has nulls" "$(jq -c '.overrides[1] | [.gate, .keyid]' "$A/override.json")" "[null,null]"

validate "$AUDIT_SCHEMA" "$A"/*.json
for name in fail predicate pass noinc kinds indices clarify hiring scores override rejected counts advisory bins; do
    expect_schema "audit $name is valid" "$A/$name.json" valid
done

# Broken audits. Each line: EXPECT NAME JQ-FILTER (applied to the override audit or,
# with a name starting with fail- or scores-, to the failing or the score-gate one).
cat >"$WORK/audit-mutations" <<'EOF'
valid   added-keys                      .new_key = 1 | .gates[0].new_key = {} | .groups[0].candidate.auc = 0.5 | .overrides[0].extra = "x"
invalid no-schema                       del(.schema)
invalid bins-kind-unknown               .inputs = {"candidate": null, "incumbent": null, "counts": [{"path": "k.csv", "sha256": "0000000000000000000000000000000000000000000000000000000000000000", "rows": 1, "cells": 1, "kind": "scores"}]}
invalid bins-bound-negative             .groups[0].candidate.auc_error_bound = -0.1
invalid schema-v2                       .schema = "fairgate.audit/v2"
invalid no-tool-version                 del(.tool.version)
invalid created-local-time              .created = "2025-11-22 00:00:00"
invalid policy-sha-short                .policy.sha256 = "abc"
invalid policy-sha-upper                .policy.sha256 |= ascii_upcase
invalid no-incumbent-key                del(.inputs.incumbent)
invalid rows-negative                   .inputs.candidate.rows = -1
invalid rows-fraction                   .inputs.candidate.rows = 1.5
valid   counts-files                    .inputs.candidate = null | .inputs.counts = [{path: "k.csv", sha256: .policy.sha256, rows: 3, cells: 2}]
invalid counts-empty                    .inputs.counts = []
invalid counts-no-sha                   .inputs.counts = [{path: "k.csv", rows: 3, cells: 2}]
invalid no-groups                       .groups = []
invalid overall-not-first               .groups |= reverse
invalid group-no-label                  del(.groups[1].label)
invalid rate-above-one                  .groups[1].candidate.tpr = 1.5
invalid rate-nan-string                 .groups[1].candidate.tpr = "NaN"
invalid rate-missing                    del(.groups[1].candidate.ppv)
invalid count-missing                   del(.groups[1].candidate.tp)
invalid slice-number                    .groups[1].slice = {race: 1}
invalid gate-status-typo                .gates[1].status = "passed"
invalid gate-no-results                 del(.gates[0].results)
invalid gate-no-scope                   del(.gates[0].scope)
invalid gate-id-space                   .gates[0].id = "four fifths"
invalid groups-gate-no-reference        del(.gates[0].reference)
invalid result-no-status                del(.gates[0].results[0].status)
invalid result-value-string             .gates[0].results[0].value = "0.9"
invalid result-no-incumbent-key         del(.gates[0].results[0].incumbent)
invalid result-no-reference             del(.gates[0].results[0].reference)
invalid result-n-negative               .gates[0].results[0].n = -1
invalid override-status-typo            .overrides[0].status = "accepted"
invalid override-no-why                 del(.overrides[0].why)
invalid applied-keyid-null              .overrides[0].keyid = null
invalid applied-expires-bad             .overrides[0].expires = "2025-13-01"
invalid verdict-typo                    .verdict = "passed"
invalid verdict-pass-but-overridden     .verdict = "pass"
invalid exit-code-2                     .exit_code = 2
invalid exit-code-mismatch              .exit_code = 1
invalid pass-with-override-none-applied .overrides[0].status = "rejected"
invalid fail-exit-code-0                .exit_code = 0
invalid fail-no-failed-gate             .gates |= map(.status = "pass")
invalid fail-verdict-pass               .verdict = "pass" | .exit_code = 0
valid   scores-no-roc                   .groups[1].candidate.roc = null | .groups[1].candidate.calibration = null
invalid scores-roc-102                  .groups[1].candidate.roc.fpr += [range(101) | 0]
invalid scores-roc-fpr-above-one        .groups[1].candidate.roc.fpr[1] = 1.5
invalid scores-roc-no-threshold         del(.groups[1].candidate.roc.threshold)
invalid scores-bin-empty                .groups[1].candidate.calibration.n[0] = 0
invalid scores-no-observed              del(.groups[1].candidate.calibration.observed)
valid   fail-made-advisory              .gates |= map(.enforce = "warn") | .verdict = "pass" | .exit_code = 0 | .verdict_summary = {blocking_failures: 0, advisory_failures: 3}
invalid fail-counted-advisory           .verdict_summary.blocking_failures = 0
invalid advisory-counted-blocking       .verdict_summary.blocking_failures = 1
invalid advisory-made-blocking          (.gates[] | select(.status == "fail")) |= (.enforce = "block")
invalid advisory-enforce-typo           .gates[0].enforce = "maybe"
invalid advisory-verdict-fail           .verdict = "fail" | .exit_code = 1
invalid advisory-summary-count-string   .verdict_summary.advisory_failures = "3"
EOF
mkdir -p "$WORK/am"
amut=""
while read -r want name filter; do
    [ -n "$name" ] || continue
    case $name in
    fail-*) src=$A/fail.json ;;
    scores-*) src=$A/scores.json ;;
    advisory-*) src=$A/advisory.json ;;
    *) src=$A/override.json ;;
    esac
    if jq "$filter" "$src" >"$WORK/am/$name.json" 2>"$WORK/jq.err"; then
        amut="$amut $WORK/am/$name.json"
    else
        not_ok "audit mutation $name applies" "$(cat "$WORK/jq.err")"
    fi
done <"$WORK/audit-mutations"
# shellcheck disable=SC2086
validate "$AUDIT_SCHEMA" $amut
while read -r want name filter; do
    [ -e "$WORK/am/$name.json" ] || continue
    expect_schema "audit mutation $name: schema says $want" "$WORK/am/$name.json" "$want"
done <"$WORK/audit-mutations"
finish
