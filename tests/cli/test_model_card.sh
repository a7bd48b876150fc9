#!/bin/sh
# Model cards: `fairgate report --model-card F.json` (Model Card Toolkit JSON, schema v0.0.2)
# and `--model-card F.md` (a Hugging Face model card fragment).
#  - the JSON validates against MCT's schema (tests/fixtures/model-card, Ajv, draft-07) and
#    against a closed copy of it (MCT's ModelCard.from_json refuses unknown keys); a card
#    with a wrong key or type does not;
#  - every result of every gate is a performance metric: type, slice, value and interval
#    read back as the audit's numbers (jq), undefined and infinite values as words;
#  - failed and overridden gates are ethical considerations, the override's approver and
#    reason their mitigation; the groups too small to judge are limitations;
#  - the fragment's YAML front matter parses (the `yaml` package, strict) into a
#    model-index that names every gate with its worst result's value; hostile group labels,
#    gate ids and policy names come back exactly from the YAML and stay inert in the
#    Markdown (cmark-gfm);
#  - the format comes from the extension (anything else: a usage error, nothing written);
#    the card is written all or none with the other reports; the verified form
#    (--attestation, --pubkey) writes the same bytes, and nothing for a wrong key.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
POLICY=$ROOT/policies/loan-approval.yaml
MCT_SCHEMA=$FIXTURES/model-card/model_card.schema.json
export SOURCE_DATE_EPOCH=1700000000
for tool in jq cmark-gfm faketime; do
    command -v "$tool" >/dev/null 2>&1 || not_ok "$tool is installed (.ci/ensure-deps test)"
done
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"
run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv" --out "$WORK/a.json"
expect_rc "check: the loan policy fails (exit 1)" 1
A=$WORK/a.json

# card AUDIT OUT...: `report --audit AUDIT --model-card OUT` for each OUT; exit 0 expected.
card() {
    cd_audit=$1
    shift
    for cd_out in "$@"; do
        run "$FAIRGATE" report --audit "$cd_audit" --model-card "$cd_out"
        expect_rc "report --model-card $(basename "$cd_out") from $(basename "$cd_audit")" 0
    done
}
card "$A" "$WORK/card.json" "$WORK/card.md"

# ---- the validator ----

if schema_tools; then
    HAVE_AJV=1
    # As test_schemas.sh: Ajv's strict mode, draft-07, with formats (MCT's date and uri),
    # less strictRequired, which flags MCT's sound `oneOf: [{required: [identifier]}, ...]`.
    ajv() {
        "$SCHEMA_NODE_DIR/node_modules/.bin/ajv" "$@" --spec=draft7 --strict=true \
            --strict-required=false -c ajv-formats
    }
else
    HAVE_AJV=0
fi

# The closed schema: every object that lists properties allows no others, as MCT's
# BaseModelCardField._from_json raises on a key its dataclass lacks.
jq 'walk(if type == "object" and has("properties") and (has("additionalProperties") | not)
    then . + {additionalProperties: false} else . end)' "$MCT_SCHEMA" >"$WORK/closed.schema.json"

# valid_card NAME CARD: CARD validates against the schema and its closed copy.
valid_card() {
    [ "$HAVE_AJV" = 1 ] || return
    for vc_schema in "$MCT_SCHEMA" "$WORK/closed.schema.json"; do
        run ajv validate -s "$vc_schema" -d "$2"
        expect_rc "$1: valid against $(basename "$vc_schema")" 0
    done
}

# ---- Model Card Toolkit JSON ----

expect_eq "MCT schema is draft-07" "$(jq -r '."$schema"' "$MCT_SCHEMA")" "http://json-schema.org/draft-07/schema#"
valid_card "loan card" "$WORK/card.json"
if [ "$HAVE_AJV" = 1 ]; then
    # The validation can fail: a number where the schema wants a string, an unknown key.
    jq '.quantitative_analysis.performance_metrics[0].value |= tonumber' "$WORK/card.json" >"$WORK/bad1.json"
    run ajv validate -s "$MCT_SCHEMA" -d "$WORK/bad1.json"
    expect_rc "a numeric value is refused by the schema" 1
    expect_grep "... because it must be a string" "$WORK/err" 'must be string'
    jq '.quantitative_analysis.performance_metrics[0].gate = "x"' "$WORK/card.json" >"$WORK/bad2.json"
    run ajv validate -s "$WORK/closed.schema.json" -d "$WORK/bad2.json"
    expect_rc "an unknown key is refused by the closed schema" 1
    expect_grep "... as an additional property" "$WORK/err" 'must NOT have additional properties'
fi
C=$WORK/card.json
expect_eq "schema_version" "$(jq -r .schema_version "$C")" "0.0.2"
expect_eq "model_details.name is the policy's" "$(jq -r .model_details.name "$C")" \
    "$(jq -r .policy.name "$A")"
expect_eq "the overview states the verdict" "$(jq -r .model_details.overview "$C" | grep -o 'verdict fail, 3 of 4 gates failed')" \
    "verdict fail, 3 of 4 gates failed"
expect_eq "the candidate's file is named with its digest" \
    "$(jq -r '.model_parameters.data[0] | .name + " " + (.description | split(" ") | last)' "$C")" \
    "$(jq -r '.inputs.candidate | .path + " " + .sha256' "$A")"

# The audit's results as the card should hold them: "type<TAB>slice<TAB>value<TAB>low<TAB>high",
# numbers by jq (the same doubles), two gates sharing "selection_rate ratio" told apart.
jq -r '[.gates[] | (if .scope == "overall" then "overall " + .metric else .metric + " " + .disparity end)] as $p
    | .gates[] | (if .scope == "overall" then "overall " + .metric else .metric + " " + .disparity end) as $phrase
    | ([$p[] | select(. == $phrase)] | length) as $shared
    | . as $g | .results[]
    | def t(w): $phrase + w + (if $shared > 1 then " (gate " + $g.id + ")" else "" end);
      def edge(x; inf): if x == null then inf else x end;
      [t(""), .label, (if .value == null then "undefined" else .value end),
       (if .ci == null then "-" else edge(.ci[0]; "-Infinity") end),
       (if .ci == null then "-" else edge(.ci[1]; "Infinity") end)],
      (select(.worsening != null) | [t(" worsening"), .label, .worsening,
       (if .worsening_ci == null then "-" else edge(.worsening_ci[0]; "-Infinity") end),
       (if .worsening_ci == null then "-" else edge(.worsening_ci[1]; "Infinity") end)])
    | map(tostring) | join("\t")' "$A" >"$WORK/want.tsv"
# The card's, its strings read as numbers by jq where they are numbers.
card_table() {
    jq -r 'def num: if test("^-?[0-9]") then tonumber else . end;
        .quantitative_analysis.performance_metrics[]
        | [.type, .slice, (.value | num),
           (.confidence_interval.lower_bound // "-" | num),
           (.confidence_interval.upper_bound // "-" | num)]
        | map(tostring) | join("\t")' "$1"
}
card_table "$C" >"$WORK/got.tsv"
if cmp -s "$WORK/want.tsv" "$WORK/got.tsv"; then
    ok "every result: type, slice, value and interval equal the audit's ($(wc -l <"$WORK/got.tsv") metrics)"
else
    not_ok "performance metrics equal the audit's" "$(diff "$WORK/want.tsv" "$WORK/got.tsv" | head -8)"
fi
expect_eq "metrics: one per result, one per worsening" "$(jq '.quantitative_analysis.performance_metrics | length' "$C")" \
    "$(jq '[.gates[].results[] | 1, (select(.worsening != null) | 1)] | length' "$A")"
# Each gate's worst result, spelled out (the table above holds it; this names it).
for g in $(jq -r '.gates | keys[]' "$A"); do
    id=$(jq -r --argjson g "$g" '.gates[$g].id' "$A")
    label=$(jq -r --argjson g "$g" '.gates[$g] | .results[.worst_result].label' "$A")
    value=$(jq --argjson g "$g" '.gates[$g] | .results[.worst_result].value' "$A")
    expect_eq "gate $id: its worst result ($label, $value) is in the card" \
        "$(jq --arg s "$label" --argjson v "$value" '[.quantitative_analysis.performance_metrics[]
            | select(.slice == $s and ((.value | tonumber?) // null) == $v)] | length > 0' "$C")" "true"
done
expect_eq "the worst of four-fifths, exactly" \
    "$(jq -c '[.quantitative_analysis.performance_metrics[] | select(.type == "selection_rate ratio (gate four-fifths)" and .slice == "sex=Male & race=Black")][0]' "$C")" \
    '{"type":"selection_rate ratio (gate four-fifths)","value":"0.677340716886869","slice":"sex=Male & race=Black","confidence_interval":{"lower_bound":"0.605992356766751","upper_bound":"0.7570894940006785"}}'
expect_eq "a group too small to judge: value undefined, no interval" \
    "$(jq -c '[.quantitative_analysis.performance_metrics[] | select(.slice == "race=Native")][0]' "$C")" \
    '{"type":"selection_rate ratio (gate four-fifths)","value":"undefined","slice":"race=Native"}'
expect_eq "a gate of its own: the plain phrase" \
    "$(jq -r '[.quantitative_analysis.performance_metrics[].type] | unique | join(",")' "$C")" \
    "equalized_odds difference,overall accuracy,selection_rate ratio (gate four-fifths),selection_rate ratio (gate no-fairness-regression),selection_rate ratio worsening (gate no-fairness-regression)"
expect_eq "one ethical consideration per failed gate, naming the gate and its worst group" \
    "$(jq -r '.considerations.ethical_considerations[].name' "$C" | cut -d'(' -f1)" \
    "$(jq -r '.gates[] | select(.status == "fail") | "Gate " + .id + " failed for " + .results[.worst_result].label + " "' "$A")"
expect_eq "why it failed, as the audit says" \
    "$(jq -r '.considerations.ethical_considerations[0].name' "$C")" \
    "Gate four-fifths failed for sex=Male & race=Black (selection_rate ratio): 0.6773 is below the minimum 0.8"
expect_grep "no override: none recorded" "$C" '"mitigation_strategy":.*"None recorded: the gate blocks the release'
expect_eq "limitations: the groups too small, per gate" \
    "$(jq -r '.considerations.limitations[0].description' "$C")" \
    "Gate four-fifths could not judge 3 groups (fewer than 30 rows): race=Native, sex=Female & race=Native, sex=Male & race=Native."

# Infinite values and interval ends: the audit writes null (a ratio over a reference rate
# of 0), the card "Infinity".
jq '.gates[0] |= (.results[.worst_result] |= (.value = null | .ci = [2.5, null]))' "$A" >"$WORK/inf.json"
card "$WORK/inf.json" "$WORK/inf.card.json" "$WORK/inf.card.md"
expect_eq "an infinite ratio and interval end: Infinity" \
    "$(jq -c '.quantitative_analysis.performance_metrics[13] | [.slice, .value, .confidence_interval.lower_bound, .confidence_interval.upper_bound]' "$WORK/inf.card.json")" \
    '["sex=Male & race=Black","Infinity","2.5","Infinity"]'
valid_card "infinite card" "$WORK/inf.card.json"

# ---- Hugging Face fragment ----

cat >"$WORK/front.js" <<'JS'
// node front.js NODE_DIR FILE.md: the YAML front matter (between the first two "---" lines)
// as JSON, read strictly (YAML 1.2 core, unique keys); "yaml-error: ..." when refused.
const YAML = require(process.argv[2] + "/node_modules/yaml");
const text = require("fs").readFileSync(process.argv[3], "utf8");
const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
try {
    if (!m) throw new Error("no front matter");
    const doc = YAML.parse(m[1], { version: "1.2", schema: "core", uniqueKeys: true, strict: true });
    console.log(JSON.stringify(doc));
} catch (e) { console.log("yaml-error: " + String(e.message).split("\n")[0]); }
JS
# front NAME CARD.md OUT: the front matter as JSON in OUT; false without the yaml package.
front() {
    [ "$HAVE_AJV" = 1 ] || { skip "$1" "the yaml package is not installed"; return 1; }
    node "$WORK/front.js" "$SCHEMA_NODE_DIR" "$2" >"$3"
    if grep -q '^yaml-error' "$3"; then not_ok "$1: the front matter parses" "$(cat "$3")"; return 1; fi
    ok "$1: the front matter parses as YAML"
}
expect_eq "the fragment opens with its front matter" "$(head -n 2 "$WORK/card.md")" "---
model-index:"
expect_eq "two --- lines, then the section" "$(grep -c '^---$' "$WORK/card.md")" 2
expect_grep "the Fairness evaluation section" "$WORK/card.md" '^## Fairness evaluation$'
if front "loan fragment" "$WORK/card.md" "$WORK/front.json"; then
    F=$WORK/front.json
    expect_eq "model-index: the policy's name" "$(jq -r '."model-index"[0].name' "$F")" "$(jq -r .policy.name "$A")"
    expect_eq "model-index: task and dataset" \
        "$(jq -r '."model-index"[0].results[0] | [.task.type, .dataset.type, .dataset.name] | join(" ")' "$F")" \
        "tabular-classification loans.csv loans.csv"
    # Every gate: its id names a metric, with the worst result's label, status and value.
    expect_eq "model-index: a metric per gate, named with its worst group, valued as the audit" \
        "$(jq -c '[."model-index"[0].results[0].metrics[] | [.name, .value, .type, .verified]]' "$F")" \
        "$(jq -c '[.gates[] | .results[.worst_result] as $w
            | (if .scope == "overall" then "overall " + .metric else .metric + " " + .disparity end) as $p
            | [.id + ": " + $p + ", worst group " + $w.label + " (" + .status + ")", $w.value, $p, false]]' "$A")"
fi
cmark-gfm -e table "$WORK/card.md" >"$WORK/card.html"
expect_eq "the section's gate table: a row per gate" \
    "$(sed -n '/<h2>Fairness evaluation/,/<h3>/p' "$WORK/card.html" | grep -c '^<tr>')" "$(($(jq '.gates | length' "$A") + 1))"
expect_grep "a gate's row: verdict, worst group, value with interval, bound" "$WORK/card.md" \
    '^\| four-fifths \| fail \| selection\\_rate ratio \| sex=Male & race=Black \| 0\.6773 \[0\.6060, 0\.7571\] \| ≥ 0\.8 \|$'
expect_grep "no overrides offered" "$WORK/card.md" '^None offered\.$'
expect_eq "infinite in the fragment: the string Infinity, as EvalResult allows" \
    "$(grep -m1 '^            value: ' "$WORK/inf.card.md")" '            value: "Infinity"'
expect_grep "infinite in the fragment's table: ∞" "$WORK/inf.card.md" '^\| four-fifths \| fail \| selection\\_rate ratio \| sex=Male & race=Black \| ∞ \[2\.5000, ∞\] \|'

# ---- hostile labels, ids and names ----

# md-hostile with its worst result on the <script> label, and a label that tries to end the
# front matter and start a key.
jq '.gates[0].worst_result = 1 | .gates[1].results[0].label = "x\n---\nevil: 1 # \u2028 \u0085"' \
    "$FIXTURES/audit/md-hostile.json" >"$WORK/hostile.json"
card "$WORK/hostile.json" "$WORK/hostile.card.json" "$WORK/hostile.card.md"
valid_card "hostile card" "$WORK/hostile.card.json"
expect_eq "hostile JSON: labels as the audit's" \
    "$(jq -c '[.quantitative_analysis.performance_metrics[].slice]' "$WORK/hostile.card.json")" \
    "$(jq -c '[.gates[].results[].label]' "$WORK/hostile.json")"
expect_eq "hostile: still two --- lines" "$(grep -c '^---$' "$WORK/hostile.card.md")" 2
expect_no_grep "hostile: no key of the data starts a line" "$WORK/hostile.card.md" '^evil'
if front "hostile fragment" "$WORK/hostile.card.md" "$WORK/hostile.front.json"; then
    H=$WORK/hostile.front.json
    expect_eq "hostile: the policy name comes back exactly" "$(jq -r '."model-index"[0].name' "$H")" \
        "$(jq -r .policy.name "$WORK/hostile.json")"
    expect_eq "hostile: each metric's name, exactly" \
        "$(jq -c '[."model-index"[0].results[0].metrics[].name]' "$H")" \
        "$(jq -c '[.gates[] | (if .scope == "overall" then "overall " + .metric else .metric + " " + .disparity end) as $p
            | .id + ": " + $p + ", worst group " + .results[.worst_result].label + " (" + .status + ")"]' "$WORK/hostile.json")"
fi
cmark-gfm -e table "$WORK/hostile.card.md" >"$WORK/hostile.html"
expect_no_grep "hostile: no <script> tag in the rendered card" "$WORK/hostile.html" '<script'
expect_no_grep "hostile: no <b> tag in the rendered card" "$WORK/hostile.html" '<b>'
expect_grep "hostile: the label shows as text" "$WORK/hostile.html" '&lt;script&gt;alert\(1\)&lt;/script&gt;'
expect_eq "hostile: the gate table keeps its rows" \
    "$(sed -n '/<h2>Fairness evaluation/,/<h3>/p' "$WORK/hostile.html" | grep -c '^<tr>')" 3
expect_eq "hostile: the overrides table keeps one row per override and its cells" \
    "$(sed -n '/<h3>Overrides/,$p' "$WORK/hostile.html" | grep -c '^<td>')" 8
expect_no_grep "hostile: the reason's line break stays in its cell" "$WORK/hostile.card.md" '^really'

# ---- overrides ----

make_keys risk
fixture_policy four-fifths-overrides "$WORK/ov.yaml" RISK_ID="$(keyid "$WORK/keys/risk.pub")"
export SOURCE_DATE_EPOCH=1763769600
run at "2025-11-22 00:00:00" "$FAIRGATE" override --policy "$WORK/ov.yaml" --candidate "$WORK/loans.csv" \
    --gate four-fifths --approver risk@bank.example --role model-risk --reason "accepted for Q4 | RISK-1" \
    --ticket RISK-1 --expires 2025-12-15 --sign-key "$WORK/keys/risk.pem" --out "$WORK/ok.dsse.json"
expect_rc "override: created" 0
run at "2025-11-22 00:00:00" "$FAIRGATE" check --policy "$WORK/ov.yaml" --candidate "$WORK/loans.csv" \
    --override "$WORK/ok.dsse.json" --out "$WORK/ov.json"
expect_rc "override: the check passes with it" 0
card "$WORK/ov.json" "$WORK/ov.card.json" "$WORK/ov.card.md"
valid_card "overridden card" "$WORK/ov.card.json"
expect_eq "an overridden gate: a risk whose mitigation is the override" \
    "$(jq -r '.considerations.ethical_considerations[] | .name + " / " + .mitigation_strategy' "$WORK/ov.card.json")" \
    "Gate four-fifths was overridden for $(jq -r '.gates[0].results[.gates[0].worst_result].label' "$WORK/ov.json") (selection_rate ratio): $(jq -r '.gates[0].results[.gates[0].worst_result].why' "$WORK/ov.json") / Overridden by risk@bank.example (model-risk) until 2025-12-15: accepted for Q4 | RISK-1 (ticket RISK-1)"
expect_grep "the fragment's overrides table: approver, reason (escaped), ticket, expiry" "$WORK/ov.card.md" \
    '^\| four-fifths \| \(whole gate\) \| risk@bank\.example \| model-risk \| accepted for Q4 \\\| RISK-1 \| RISK-1 \| 2025-12-15 \| applied \|$'
expect_grep "the fragment: the gate's verdict is overridden" "$WORK/ov.card.md" '^\| four-fifths \| overridden \|'
export SOURCE_DATE_EPOCH=1700000000

# ---- the format, all or none, the verified form ----

run "$FAIRGATE" report --audit "$A" --model-card "$WORK/card.txt"
expect_rc "--model-card card.txt: a usage error (exit 2)" 2
expect_grep "the usage error says which extensions" "$WORK/err" "card\.txt: name a \.json file \(Model Card Toolkit\) or a \.md file \(Hugging Face\)"
expect_absent "--model-card card.txt: nothing written" "$WORK/card.txt"
run "$FAIRGATE" report --audit "$A" --markdown "$WORK/m.md" --model-card "$WORK/CARD.JSON"
expect_rc "the extension's case does not matter" 0
if cmp -s "$WORK/CARD.JSON" "$WORK/card.json"; then ok "CARD.JSON is the JSON card"; else not_ok "CARD.JSON is the JSON card"; fi
rm -f "$WORK/m.md"
run "$FAIRGATE" report --audit "$A" --markdown "$WORK/m.md" --model-card "$WORK/no/such/dir/c.json"
expect_rc "a card that cannot be written: error (exit 2)" 2
expect_absent "all or none: no Markdown beside a card that failed" "$WORK/m.md"
run "$FAIRGATE" report --audit "$A" --model-card "$WORK/c2.md" --html "$WORK/no/such/dir/r.html"
expect_rc "a report that cannot be written: error (exit 2)" 2
expect_absent "all or none: no card beside a report that failed" "$WORK/c2.md"
run "$FAIRGATE" report --audit "$WORK/not-there.json" --model-card "$WORK/c3.json"
expect_rc "no audit: error (exit 2)" 2
expect_absent "no audit: no card" "$WORK/c3.json"
printf '{"schema": "fairgate.audit/v1"}' >"$WORK/broken.json"
run "$FAIRGATE" report --audit "$WORK/broken.json" --model-card "$WORK/c4.md"
expect_rc "not an audit: error (exit 2)" 2
expect_grep "not an audit: says so, naming the file" "$WORK/err" 'broken\.json.*not a fairgate audit'

make_keys signer other
run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv" --out "$WORK/s.json" \
    --sign-key "$WORK/keys/signer.pem" --attestation "$WORK/s.intoto.jsonl"
expect_rc "check with an attestation (exit 1: the gate fails)" 1
run "$FAIRGATE" report --attestation "$WORK/s.intoto.jsonl" --pubkey "$WORK/keys/signer.pub" \
    --audit "$WORK/s.json" --model-card "$WORK/v.json"
expect_rc "verified: written (exit 0)" 0
card "$WORK/s.json" "$WORK/s.card.json"
if cmp -s "$WORK/v.json" "$WORK/s.card.json"; then ok "verified and unverified cards are the same bytes"; else
    not_ok "verified card = unverified card" "$(diff "$WORK/v.json" "$WORK/s.card.json" | head -5)"; fi
run "$FAIRGATE" report --attestation "$WORK/s.intoto.jsonl" --pubkey "$WORK/keys/other.pub" \
    --model-card "$WORK/w.md"
expect_rc "wrong key: exit 1" 1
expect_absent "wrong key: no card" "$WORK/w.md"

run "$FAIRGATE" report --help
expect_grep "report --help names --model-card" "$WORK/out" '--model-card'
finish
