#!/bin/sh
# Advisory gates (enforce: warn): a failing advisory gate is evaluated, reported and attested
# like any gate, marked advisory in every report (console, Markdown, annotations, HTML,
# JUnit, audit), counted apart in the audit's verdict_summary, and never changes the exit
# code; blocking gates decide as before. The same on the rows and on counts files. An
# advisory gate has nothing to approve (override refuses it, check rejects it), and
# switching enforce changes the policy's meaning (canonical digest), so approvals go stale.
. "$(dirname "$0")/lib.sh"
NOW="2025-11-22 00:00:00" # overrides are judged by the real clock, stopped here (at, lib.sh)
export SOURCE_DATE_EPOCH=1763769600
fg() { at "$NOW" "$FAIRGATE" "$@"; }
make_keys risk ci
RISK_ID=$(keyid "$WORK/keys/risk.pub")
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"
# Three gates: four-fifths (enforce: FF) and equalized-odds (inherits defaults.enforce) both
# fail on these rows; accuracy-floor passes.
policy() { # OUT DEFAULT FF
    fixture_policy advisory-overrides "$1" DEFAULT="$2" FF="$3" RISK_ID="$RISK_ID"
}
mkdir -p "$WORK/p/keys"
cp "$WORK/keys/risk.pub" "$WORK/p/keys/"
policy "$WORK/p/all-warn.yaml" warn warn     # both failing gates advisory
policy "$WORK/p/mixed.yaml" block warn       # four-fifths advisory, equalized-odds blocks
policy "$WORK/p/default-warn.yaml" warn block # defaults warn, four-fifths back to block
# four-fifths the only failure, advisory: equalized-odds loosened until it passes
sed 's/^    max: 0\.1$/    max: 1/' "$WORK/p/mixed.yaml" >"$WORK/p/one-warn.yaml"
A=$WORK/a
mkdir -p "$A"

# enforce of each gate, its status, then verdict, exit_code, blocking and advisory counts.
shape() {
    jq -c '[[.gates[] | "\(.id):\(.enforce):\(.status)"], .verdict, .exit_code,
            .verdict_summary.blocking_failures, .verdict_summary.advisory_failures]' "$1"
}

# ---- lint: enforce is checked; a policy where no gate can fail is pointed out ----
run "$FAIRGATE" lint "$WORK/p/mixed.yaml"
expect_rc "lint: enforce block and warn are valid" 0
expect_eq "lint: no warning while a gate blocks" "$(wc -c <"$WORK/err")" 0
run "$FAIRGATE" lint "$WORK/p/all-warn.yaml"
expect_rc "lint: every gate advisory is valid" 0
expect_eq "lint: ... with one warning at the first gate, saying no gate can fail" "$(cat "$WORK/err")" \
    "$WORK/p/all-warn.yaml:14:5: warning: every gate is advisory (enforce: warn): no gate can fail the check; give 'enforce: block' to the gates that must"
sed 's/^  enforce: warn$/  enforce: maybe/' "$WORK/p/all-warn.yaml" >"$WORK/p/maybe.yaml"
run "$FAIRGATE" lint "$WORK/p/maybe.yaml"
expect_rc "lint: defaults enforce maybe is an error" 2
expect_eq "... at its file:line:col, naming the choices" "$(cat "$WORK/err")" \
    "fairgate: error: $WORK/p/maybe.yaml:12:12: unknown 'enforce' value 'maybe' (expected one of: block, warn)"

# ---- a failing advisory gate leaves the exit code 0, and every report says advisory ----
run env GITHUB_ACTIONS=true "$FAIRGATE" check --policy "$WORK/p/one-warn.yaml" \
    --candidate "$WORK/loans.csv" --out "$A/one.json" --markdown "$A/one.md" \
    --html "$A/one.html" --junit "$A/one.xml" --sign-key "$WORK/keys/ci.pem" \
    --attestation "$A/one.intoto.jsonl"
expect_rc "advisory gate fails alone: exit 0" 0
cp "$WORK/out" "$A/one.out"
expect_eq "audit: the gate failed, is advisory, and the verdict is pass" "$(shape "$A/one.json")" \
    '[["four-fifths:warn:fail","equalized-odds:block:pass","accuracy-floor:block:pass"],"pass",0,0,1]'
expect_eq "audit: its failing result is recorded as failed" \
    "$(jq -r '.gates[0].results[] | select(.status == "fail") | .label' "$A/one.json")" "race=Black"
expect_grep "console: the advisory gate is marked FAIL*" "$A/one.out" '^FAIL\* four-fifths +race=Black: '
expect_grep "console: the blocking gate that passed is not marked" "$A/one.out" '^PASS  equalized-odds '
expect_grep "console: the footnote says what * means" "$A/one.out" \
    '^\* advisory \(enforce: warn\): reported, never changes the exit code$'
expect_grep "console: verdict pass, one advisory gate failed" "$A/one.out" \
    '^verdict: PASS \(1 advisory gate failed\)$'
expect_grep "Markdown: the verdict heading is PASS" "$A/one.md" '^## ✅ fairgate: PASS — advisory-gates$'
expect_grep "Markdown: the sentence counts the advisory failure apart" "$A/one.md" \
    '^No blocking gate failed \(3 gates\); 1 advisory gate failed \(enforce: warn; it does not block\)\.$'
expect_grep "Markdown: the gate table marks it advisory" "$A/one.md" \
    '^\| ⚠️ fail \(advisory\) \| four-fifths \| race=Black \| selection\\_rate ratio 0\.7148 vs ≥ 0\.8 \|$'
expect_grep "Markdown: its failing groups under their own heading" "$A/one.md" \
    '^### Advisory gates that failed \(enforce: warn; they do not block\)$'
expect_no_grep "Markdown: no 'Failing groups' section (nothing blocks)" "$A/one.md" '^### Failing groups'
expect_grep "annotations: a warning, titled advisory" "$A/one.out" \
    '^::warning file=.*one-warn\.yaml,line=14,title=fairgate four-fifths \(advisory\)::advisory gate \(enforce: warn\), does not block: race=Black: '
expect_no_grep "annotations: no error" "$A/one.out" '^::error '
expect_grep "HTML: the gate is marked advisory in the overview and its section" "$A/one.html" \
    '<tr class="advisory"><td><a href="#gate-1">four-fifths</a>'
expect_eq "HTML: 'advisory: does not block' twice (overview, section heading)" \
    "$(grep -o 'advisory: does not block' "$A/one.html" | wc -l)" 2
expect_grep "HTML: the header counts it apart" "$A/one.html" \
    'no blocking gate failed \(3 gates\) &#183; 1 advisory gate failed \(enforce: warn; not blocking\) &#183; exit code 0'
expect_no_grep "JUnit: no <failure> at all" "$A/one.xml" '<failure'
expect_grep "JUnit: totals without failures" "$A/one.xml" '^<testsuites name="fairgate" tests="[0-9]+" failures="0" '
expect_grep "JUnit: the advisory suite says enforce warn" "$A/one.xml" '<property name="enforce" value="warn"/>'
expect_grep "JUnit: the failing group is skipped, saying why" "$A/one.xml" \
    '<skipped message="advisory \(enforce: warn\), does not block: race=Black: selection_rate ratio 0\.7148, bound min 0\.8: 0\.7148 is below the minimum 0\.8"/>'
expect_grep "JUnit: with the failure's details in system-out" "$A/one.xml" '^bound: min 0\.8$'
if command -v xmllint >/dev/null 2>&1; then
    run xmllint --noout "$A/one.xml"
    expect_rc "JUnit: well-formed" 0
else
    skip "JUnit: well-formed" "xmllint not installed"
fi
# The attestation of a run whose only failure is advisory is a signed pass.
run "$FAIRGATE" verify --attestation "$A/one.intoto.jsonl" --pubkey "$WORK/keys/ci.pub" \
    --require-verdict pass
expect_rc "verify --require-verdict pass accepts it (the verdict is pass)" 0
# fairgate report renders the same reports from the audit alone.
run "$FAIRGATE" report --audit "$A/one.json" --markdown "$A/again.md" --junit "$A/again.xml" \
    --html "$A/again.html"
expect_rc "report --audit: rendered" 0
for k in md xml html; do
    if cmp -s "$A/one.$k" "$A/again.$k"; then ok "report --audit: the same $k"; else
        not_ok "report --audit: the same $k" "$(diff "$A/one.$k" "$A/again.$k" | head -5)"; fi
done

# ---- a blocking failure beside an advisory one: exit 1, each counted ----
run env GITHUB_ACTIONS=true "$FAIRGATE" check --policy "$WORK/p/mixed.yaml" \
    --candidate "$WORK/loans.csv" --out "$A/mixed.json" --markdown "$A/mixed.md" --junit "$A/mixed.xml"
expect_rc "blocking and advisory failures: exit 1" 1
expect_eq "audit: one blocking and one advisory failure" "$(shape "$A/mixed.json")" \
    '[["four-fifths:warn:fail","equalized-odds:block:fail","accuracy-floor:block:pass"],"fail",1,1,1]'
expect_grep "console: the verdict counts each" "$WORK/out" \
    '^verdict: FAIL \(1 of 3 gates failed; 1 advisory gate failed too\)$'
expect_grep "Markdown: 1 of 3 failed, 1 advisory apart" "$A/mixed.md" \
    '^1 of 3 gates failed; 1 advisory gate failed \(enforce: warn; it does not block\)\.$'
expect_eq "Markdown: failing groups first, the advisory section after" \
    "$(grep -E '^### ' "$A/mixed.md" | head -2 | tr '\n' '|')" \
    "### Failing groups|### Advisory gates that failed (enforce: warn; they do not block)|"
expect_eq "annotations: the blocking error first, then the advisory warning" \
    "$(grep -oE '^::(error|warning) [^:]*title=fairgate [a-z-]+( \(advisory\))?' "$WORK/out" | sed 's/ file=[^,]*,line=[0-9]*,/ /' | tr '\n' '|')" \
    "::error title=fairgate equalized-odds|::warning title=fairgate four-fifths (advisory)|"
expect_grep "JUnit: the blocking gate's suite has its failure" "$A/mixed.xml" \
    '<testsuite name="fairgate.equalized-odds" tests="[0-9]+" failures="1" '
expect_grep "JUnit: the advisory suite none" "$A/mixed.xml" \
    '<testsuite name="fairgate.four-fifths" tests="[0-9]+" failures="0" '

# ---- defaults: {enforce: warn}, one gate back to block ----
run "$FAIRGATE" check --policy "$WORK/p/default-warn.yaml" --candidate "$WORK/loans.csv" \
    --out "$A/default.json"
expect_rc "defaults enforce warn, four-fifths block: exit 1 (four-fifths fails)" 1
expect_eq "audit: the gates inherit warn, four-fifths blocks" "$(shape "$A/default.json")" \
    '[["four-fifths:block:fail","equalized-odds:warn:fail","accuracy-floor:warn:pass"],"fail",1,1,1]'
run "$FAIRGATE" check --policy "$WORK/p/all-warn.yaml" --candidate "$WORK/loans.csv" --out "$A/all.json"
expect_rc "every failing gate advisory: exit 0" 0
expect_eq "audit: two advisory failures" "$(shape "$A/all.json")" \
    '[["four-fifths:warn:fail","equalized-odds:warn:fail","accuracy-floor:warn:pass"],"pass",0,0,2]'
expect_grep "console: plural" "$WORK/out" '^verdict: PASS \(2 advisory gates failed\)$'

# ---- the counts path gives the same ----
for p in one-warn mixed default-warn; do
    "$FAIRGATE" counts --quiet --policy "$WORK/p/$p.yaml" --candidate "$WORK/loans.csv" \
        --out "$WORK/$p.counts.csv"
    run "$FAIRGATE" check --policy "$WORK/p/$p.yaml" --counts "$WORK/$p.counts.csv" --out "$A/$p.counts.json"
    case $p in one-warn) want=0 rows=one ;; mixed) want=1 rows=mixed ;; *) want=1 rows=default ;; esac
    expect_rc "--counts $p: exit $want, as on the rows" "$want"
    expect_eq "--counts $p: the same gates, verdict and counts" "$(shape "$A/$p.counts.json")" "$(shape "$A/$rows.json")"
done

# ---- overrides: nothing to approve on an advisory gate ----
ovr() { # OUT POLICY override-args...
    out=$1 pol=$2
    shift 2
    run fg override --policy "$pol" --candidate "$WORK/loans.csv" --approver risk@bank.example \
        --role model-risk --reason "accepted for Q4" --expires 2025-12-15 \
        --sign-key "$WORK/keys/risk.pem" --out "$out" "$@"
}
ovr "$WORK/ff.dsse.json" "$WORK/p/mixed.yaml" --gate four-fifths
expect_rc "override: an advisory gate is refused" 2
expect_grep "... saying it is advisory" "$WORK/err" \
    "gate 'four-fifths' is advisory \(enforce: warn\): its failure never blocks a release, so there is nothing to approve"
expect_absent "... and nothing is written" "$WORK/ff.dsse.json"
ovr "$WORK/ff.dsse.json" "$WORK/p/mixed.yaml" --gate four-fifths --gate equalized-odds
expect_rc "override: an advisory gate among several is refused too" 2
expect_absent "... nothing written" "$WORK/ff.dsse.json"
ovr "$WORK/all.dsse.json" "$WORK/p/all-warn.yaml" --all-failing
expect_rc "override --all-failing with only advisory failures: refused" 2
expect_grep "... saying only advisory gates failed" "$WORK/err" \
    "no blocking gate failed in the audit \(only advisory gates, enforce: warn, which never block\)"
ovr "$WORK/eo.dsse.json" "$WORK/p/mixed.yaml" --all-failing
expect_rc "override --all-failing: signs the blocking gate only" 0
expect_eq "... its payload names equalized-odds alone" \
    "$(jq -r .payload "$WORK/eo.dsse.json" | base64 -d | jq -c '[.gate, .gates]')" '["equalized-odds",null]'
run fg check --policy "$WORK/p/mixed.yaml" --candidate "$WORK/loans.csv" \
    --override "$WORK/eo.dsse.json" --out "$A/approved.json"
expect_rc "check with the approval of the blocking gate: exit 0" 0
expect_eq "audit: pass_with_override; the advisory failure stays, counted" "$(shape "$A/approved.json")" \
    '[["four-fifths:warn:fail","equalized-odds:block:overridden","accuracy-floor:block:pass"],"pass_with_override",0,0,1]'
expect_grep "console: pass with override, one advisory failure" "$WORK/out" \
    '^verdict: PASS WITH OVERRIDE \(1 advisory gate failed\)$'
# An envelope for the advisory gate, signed past `override` (openssl), is rejected by check.
type=application/vnd.fairgate.override+json
jq -cn --arg c "$(sha256sum <"$WORK/loans.csv" | cut -d' ' -f1)" \
    --arg p "$(sha256sum <"$WORK/p/mixed.yaml" | cut -d' ' -f1)" \
    '{gate: "four-fifths", group: null, slice: null, approver: "risk@bank.example",
      role: "model-risk", reason: "because", ticket: null, created: "2025-11-22T00:00:00Z",
      expires: "2025-12-01", candidate_sha256: $c, incumbent_sha256: null, policy_sha256: $p}' |
    tr -d '\n' >"$WORK/payload"
n=$(wc -c <"$WORK/payload" | tr -d ' ')
{ printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$n"; cat "$WORK/payload"; } >"$WORK/pae"
openssl pkeyutl -sign -inkey "$WORK/keys/risk.pem" -rawin -in "$WORK/pae" -out "$WORK/sig"
jq -cn --arg p "$(base64 -w0 <"$WORK/payload")" --arg s "$(base64 -w0 <"$WORK/sig")" --arg t "$type" \
    '{payload: $p, payloadType: $t, signatures: [{keyid: "", sig: $s}]}' >"$WORK/ff-crafted.json"
run fg check --policy "$WORK/p/mixed.yaml" --candidate "$WORK/loans.csv" \
    --override "$WORK/eo.dsse.json" --override "$WORK/ff-crafted.json" --out "$A/crafted.json"
expect_rc "check: the advisory gate's envelope changes nothing (exit 0 by the other)" 0
expect_eq "... it is rejected as advisory; the verdict stays pass_with_override" \
    "$(jq -c '[.verdict, [.overrides[] | .status], .overrides[1].why]' "$A/crafted.json")" \
    "[\"pass_with_override\",[\"applied\",\"rejected\"],\"gate 'four-fifths' is advisory (enforce: warn): its failure does not block, there is nothing to override\"]"

# ---- enforce is part of the policy's meaning: switching it makes approvals stale ----
sed '/^    overall: { min: 0\.5 }$/a\    enforce: warn' "$WORK/p/mixed.yaml" >"$WORK/p/switched.yaml"
sed 's/^    enforce: warn$/    enforce: warn   # advisory while the incumbent catches up/' \
    "$WORK/p/mixed.yaml" >"$WORK/p/commented.yaml"
canon() { "$FAIRGATE" lint --canonical "$1" | tr -d '\n' | sha256sum | cut -d' ' -f1; }
expect_eq "lint --canonical: the comment keeps the meaning" "$(canon "$WORK/p/commented.yaml")" \
    "$(canon "$WORK/p/mixed.yaml")"
if [ "$(canon "$WORK/p/switched.yaml")" != "$(canon "$WORK/p/mixed.yaml")" ]; then
    ok "lint --canonical: accuracy-floor block -> warn changes the digest"
else
    not_ok "lint --canonical: accuracy-floor block -> warn changes the digest" "same digest"
fi
run fg check --policy "$WORK/p/commented.yaml" --candidate "$WORK/loans.csv" --override "$WORK/eo.dsse.json"
expect_rc "the approval still applies to the commented policy" 0
run fg check --policy "$WORK/p/switched.yaml" --candidate "$WORK/loans.csv" \
    --override "$WORK/eo.dsse.json" --out "$A/switched.json"
expect_rc "the approval is stale once a gate's enforce changed: exit 1" 1
expect_grep "... rejected: made for another version of the policy" "$WORK/out" \
    "^override .*eo\.dsse\.json: REJECTED - it was made for another version of the policy"

finish
