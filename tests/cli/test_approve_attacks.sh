#!/bin/sh
# Attacks on signed approvals (issue 13's red team): forged and crafted payloads signed with
# the approvers' real keys (openssl over DSSE's PAE, as anyone holding a key can), audits
# taken on trust that lie about the policy, several gates in one envelope used to count one
# approver twice or to reach a gate that may not be overridden, verify --require-verdict
# with nothing bound, and the canonical policy digest against every key of the policy
# language. Each attack is either refused here or shown to be harmless.
. "$(dirname "$0")/lib.sh"
NOW="2025-11-22 00:00:00" # overrides are made and judged by the real clock, stopped here
fg() { at "$NOW" "$FAIRGATE" "$@"; }
make_keys risk audit ci mallory
P=$WORK/policy.yaml
fixture_policy approve-overrides "$P" RISK_ID="$(keyid "$WORK/keys/risk.pub")" AUDIT_ID="$(keyid "$WORK/keys/audit.pub")"
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"

# The CI: four-fifths, parity-strict and accuracy-high fail; two approvals are required.
run fg check --policy "$P" --candidate "$WORK/loans.csv" --out "$WORK/ci-audit.json" \
    --sign-key "$WORK/keys/ci.pem" --attestation "$WORK/ci.intoto.jsonl"
expect_rc "the CI's check fails" 1
# The digests an approval binds, as the audit records them.
SHA_C=$(jq -r .inputs.candidate.sha256 "$WORK/ci-audit.json")
SHA_P=$(jq -r .policy.sha256 "$WORK/ci-audit.json")
CANON=$(jq -r .policy.canonical_sha256 "$WORK/ci-audit.json")
payload_of() { jq -r .payload "$1" | base64 -d; }

# craft OUT PAYLOAD KEY: PAYLOAD signed with keys/KEY.pem as an override envelope.
craft() {
    printf '%s' "$2" >"$WORK/payload"
    type=application/vnd.fairgate.override+json
    { printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(wc -c <"$WORK/payload" | tr -d ' ')"
      cat "$WORK/payload"; } >"$WORK/pae"
    openssl pkeyutl -sign -inkey "$WORK/keys/$3.pem" -rawin -in "$WORK/pae" -out "$WORK/sig"
    jq -cn --arg p "$(base64 -w0 <"$WORK/payload")" --arg s "$(base64 -w0 <"$WORK/sig")" --arg t "$type" \
        '{payload: $p, payloadType: $t, signatures: [{keyid: "", sig: $s}]}' >"$1"
}
# one_gate APPROVER ROLE [JQ]: the payload fairgate signs for the whole of four-fifths.
one_gate() {
    jq -cn --arg a "$1" --arg r "$2" --arg cs "$SHA_C" --arg ps "$SHA_P" --arg pc "$CANON" \
        '{gate: "four-fifths", group: null, slice: null, approver: $a, role: $r, reason: "because",
          ticket: null, created: "2025-11-21T00:00:00Z", expires: "2025-12-01",
          candidate_sha256: $cs, incumbent_sha256: null, policy_sha256: $ps,
          policy_canonical_sha256: $pc}'" | ${3:-.}"
}
# several GATES_JSON APPROVER ROLE [JQ]: the payload of several gates.
several() {
    one_gate "$2" "$3" "del(.gate, .group, .slice) | {gates: $1} + . | ${4:-.}"
}
RISK="risk@bank.example model-risk"
AUDIT="audit@bank.example internal-audit"
# judge NAME [check args...]: check of loans.csv with the policy (or $POLICY), the audit in a.json
judge() {
    name=$1
    shift
    run fg check --policy "${POLICY:-$P}" --candidate "$WORK/loans.csv" --out "$WORK/a.json" "$@"
}
status_of() { jq -r --arg g "$1" '.gates[] | select(.id == $g) | .status' "$WORK/a.json"; }
whys() { jq -r '[.overrides[] | .status + ": " + .why] | unique | join(" | ")' "$WORK/a.json"; }

# ---- the baseline: two approvers' crafted envelopes cover four-fifths ----
craft "$WORK/risk.json" "$(one_gate $RISK)" risk
craft "$WORK/audit.json" "$(one_gate $AUDIT)" audit
judge baseline --override "$WORK/risk.json" --override "$WORK/audit.json"
expect_eq "baseline: two crafted approvals override four-fifths" "$(status_of four-fifths)" overridden

# ---- 1. an audit taken on trust names another policy file's digest ----
# The approver holds P; the forged audit keeps P's canonical digest (so override accepts P)
# but names the file digest of loose.yaml, another policy with the same approvers. The
# approval must bind P's digests, never the audit's: else check with loose.yaml applies it.
sed 's/^    min: 0\.97$/    min: 0.9/' "$P" >"$WORK/loose.yaml"
cmp -s "$P" "$WORK/loose.yaml" && not_ok "loose.yaml differs from the policy"
jq --arg h "$(sha256sum <"$WORK/loose.yaml" | cut -d' ' -f1)" '.policy.sha256 = $h' \
    "$WORK/ci-audit.json" >"$WORK/forged-audit.json"
for who in risk audit; do
    [ $who = risk ] && set -- $RISK || set -- $AUDIT
    run fg override --policy "$P" --audit "$WORK/forged-audit.json" --gate parity-strict \
        --approver "$1" --role "$2" --reason r --expires 2025-12-01 --sign-key "$WORK/keys/$who.pem" \
        --out "$WORK/trust-$who.json"
    expect_rc "on trust: $who signs parity-strict from the forged audit (with a warning)" 0
done
expect_grep "... the approver is shown the digests signed, to compare with what is released" "$WORK/out" \
    "^bound to: candidate sha256 $SHA_C, incumbent none, policy sha256 $SHA_P$"
expect_eq "... the approval binds the approver's policy file, not the digest the audit names" \
    "$(payload_of "$WORK/trust-risk.json" | jq -r '.policy_sha256 + " " + .policy_canonical_sha256')" "$SHA_P $CANON"
POLICY=$WORK/loose.yaml judge "the other policy" --override "$WORK/trust-risk.json" --override "$WORK/trust-audit.json"
expect_eq "... check with the policy the audit named does not apply it" \
    "$(jq -r '[.overrides[].status] | join(",")' "$WORK/a.json")" "rejected,rejected"
expect_grep "... for it was made for another policy" "$WORK/a.json" "made for another version of the policy"
expect_eq "... and the gate, failing there too, stays failed" "$(status_of parity-strict)" fail
judge "the approver's policy" --override "$WORK/trust-risk.json" --override "$WORK/trust-audit.json"
expect_eq "... while check with the approver's policy applies it" "$(status_of parity-strict)" overridden

# ---- 2. the payload is read whole or not at all ----
# A member no approval has is never ignored: "groups" for "group" would otherwise turn an
# approval of one group into one of the whole gate (two such approvals override it all).
strict() { # NAME WHY_REGEX JQ: the risk and audit approvals, both edited by JQ
    craft "$WORK/r.json" "$(one_gate $RISK "$3")" risk
    craft "$WORK/u.json" "$(one_gate $AUDIT "$3")" audit
    judge "$1" --override "$WORK/r.json" --override "$WORK/u.json"
    expect_eq "payload: $1: four-fifths still fails" "$(status_of four-fifths)" fail
    if whys | grep -Eq -- "$2"; then ok "payload: $1: why"; else
        not_ok "payload: $1: why" "want /$2/" "got: $(whys)"; fi
}
strict "'groups' for 'group'" "rejected: the payload has a member 'groups' that no approval has" \
    'del(.group, .slice) | .groups = "race=Black"'
strict "an unknown member" "the payload has a member 'max_uses' that no approval has" '.max_uses = 1'
strict "a ticket that is a number" "the payload has 'ticket' of the wrong type \(not a string or null\)" '.ticket = 7'
strict "a slice that is a list" "the payload has 'slice' of the wrong type" '.group = "race=Black" | .slice = ["race", "Black"]'
strict "a gates entry with a member of its own" \
    "an entry of the payload's 'gates' has a member 'groups' that no approval has" \
    'del(.gate, .group, .slice) | {gates: [{gate: "four-fifths", groups: "race=Black"}]} + .'
strict "a gates entry with a group of the wrong type" "an entry of the payload's 'gates' has 'group' of the wrong type" \
    'del(.gate, .group, .slice) | {gates: [{gate: "four-fifths", group: 1, slice: null}]} + .'
strict "gates beside a gate" "names 'gates' and also a 'gate'" '.gates = [{gate: "four-fifths"}]'
# A key given twice (jq cannot write one: sed does).
craft "$WORK/r.json" "$(one_gate $RISK | sed 's/^{/{"gate":"accuracy-high",/')" risk
craft "$WORK/u.json" "$(one_gate $AUDIT | sed 's/^{/{"gate":"accuracy-high",/')" audit
judge "a key given twice" --override "$WORK/r.json" --override "$WORK/u.json"
expect_eq "payload: a key given twice: rejected" "$(jq -r '[.overrides[].status] | join(",")' "$WORK/a.json")" "rejected,rejected"
expect_grep "payload: a key given twice: says so" "$WORK/a.json" "'gate' is given twice"
craft "$WORK/r.json" "$(printf '\357\273\277'; one_gate $RISK)" risk
judge "a BOM" --override "$WORK/r.json"
expect_grep "payload: a byte order mark: rejected" "$WORK/a.json" "is not JSON: it starts with a UTF-8 byte order mark"
craft "$WORK/r.json" "$(one_gate $RISK | sed "s/\"because\"/\"be$(printf '\377')cause\"/")" risk
judge "not UTF-8" --override "$WORK/r.json"
expect_grep "payload: a byte that is not UTF-8: rejected" "$WORK/a.json" "is not JSON: invalid UTF-8"
# Every member a payload made by fairgate has: still applied (the old one-gate form too).
craft "$WORK/r.json" "$(one_gate $RISK 'del(.policy_canonical_sha256)')" risk
judge "no canonical digest" --override "$WORK/r.json" --override "$WORK/audit.json"
expect_eq "payload: the form made before the canonical digest still applies" "$(status_of four-fifths)" overridden

# ---- 3. several gates in one envelope ----
G_WHOLE='[{gate: "four-fifths", group: null, slice: null}]'
G_TWICE='[{gate: "four-fifths", group: null, slice: null}, {gate: "four-fifths", group: null, slice: null}]'
G_GROUP='[{gate: "four-fifths", group: null, slice: null}, {gate: "four-fifths", group: "race=Black", slice: {race: "Black"}}]'
G_GROUP_TWICE='[{gate: "four-fifths", group: "race=Black", slice: {race: "Black"}}, {gate: "four-fifths", group: "race=Black", slice: {race: "Black"}}]'
craft "$WORK/twice.json" "$(several "$G_TWICE" $RISK)" risk
judge "one gate twice in one envelope" --override "$WORK/twice.json"
expect_eq "several: a gate listed twice by one approver is one approval" "$(status_of four-fifths)" fail
craft "$WORK/group.json" "$(several "$G_GROUP" $RISK)" risk
judge "a gate and its group" --override "$WORK/group.json"
expect_eq "several: a gate and one of its groups by one approver is one approval" "$(status_of four-fifths)" fail
# override refuses to sign a gate twice, whole and for a group, or a group twice; such a
# payload made by hand is refused whole at check, every entry, even beside a second approver.
for dup in TWICE GROUP GROUP_TWICE; do
    eval "gates=\$G_$dup"
    craft "$WORK/dup.json" "$(several "$gates" $RISK)" risk
    judge "$dup" --override "$WORK/dup.json" --override "$WORK/audit.json"
    expect_eq "several: $dup with a second approver: four-fifths still fails" "$(status_of four-fifths)" fail
    expect_eq "... each entry of it rejected, the other approval short of approvals" \
        "$(jq -r '[.overrides[].status] | join(",")' "$WORK/a.json")" "rejected,rejected,rejected"
    case $dup in
    GROUP) want="names gate 'four-fifths' as a whole and for group race=Black; an approval is of the whole gate or of its groups" ;;
    GROUP_TWICE) want="names gate 'four-fifths', group race=Black twice" ;;
    *) want="names gate 'four-fifths' twice" ;;
    esac
    expect_eq "... saying why" "$(jq -r '[.overrides[0:2][].why] | unique | join(" | ")' "$WORK/a.json")" \
        "the payload's 'gates' $want"
done
craft "$WORK/multi.json" "$(several "$G_WHOLE" $RISK)" risk
cp "$WORK/multi.json" "$WORK/copy.json"
judge "one approver, two envelopes" --override "$WORK/multi.json" --override "$WORK/risk.json" \
    --override "$WORK/copy.json" --override "$WORK/multi.json"
expect_eq "several: the same approver's envelopes, copies and the same file twice count once" "$(status_of four-fifths)" fail
expect_eq "... every one rejected" "$(jq -r '[.overrides[] | select(.status == "applied")] | length' "$WORK/a.json")" 0
expect_grep "... the copies say so" "$WORK/a.json" "already approved this; the same approver or key counts once"
judge "two approvers, several forms" --override "$WORK/multi.json" --override "$WORK/audit.json"
expect_eq "several: with a second approver it is covered" "$(status_of four-fifths)" overridden
craft "$WORK/floor.json" "$(several '[{gate: "four-fifths", group: null, slice: null}, {gate: "accuracy-floor", group: null, slice: null}]' $RISK)" risk
craft "$WORK/floor2.json" "$(several '[{gate: "accuracy-floor", group: null, slice: null}]' $AUDIT)" audit
judge "not_overridable inside" --override "$WORK/floor.json" --override "$WORK/floor2.json"
expect_grep "several: a not_overridable gate inside an envelope is rejected" "$WORK/a.json" \
    "gate 'accuracy-floor' is not overridable"
several_rejected() { # NAME WHY_REGEX GATES_JSON
    craft "$WORK/s.json" "$(several "$3" $RISK)" risk
    judge "$1" --override "$WORK/s.json" --override "$WORK/audit.json"
    expect_eq "several: $1: four-fifths not overridden" "$(status_of four-fifths)" fail
    if whys | grep -Eq -- "$2"; then ok "several: $1: why"; else
        not_ok "several: $1: why" "want /$2/" "got: $(whys)"; fi
}
several_rejected "an empty list" "is not a list of 1 to 1024" '[]'
several_rejected "1025 entries" "is not a list of 1 to 1024" '[range(1025) | {gate: "four-fifths", group: null, slice: null}]'
several_rejected "an entry that is not an object" "an entry of the payload's 'gates' has no 'gate'" '[{gate: "four-fifths", group: null, slice: null}, 1]'
several_rejected "a slice that matches no group" "gate 'four-fifths' has no group 'race=Martian'" \
    '[{gate: "four-fifths", group: "race=Martian", slice: {race: "Martian"}}]'
several_rejected "a label that is not its slice" "its group label 'race=Black' does not name its slice" \
    '[{gate: "four-fifths", group: "race=Black", slice: {race: "White"}}]'
several_rejected "a bad entry spoils the envelope" "the payload's 'slice' must map attributes to strings" \
    '[{gate: "four-fifths", group: null, slice: null}, {gate: "parity-strict", group: "race=Black", slice: {race: 1}}]'
craft "$WORK/late.json" "$(several "$G_WHOLE" $RISK '.created = "2025-10-01T00:00:00Z"')" risk
judge "past max_days" --override "$WORK/late.json" --override "$WORK/audit.json"
expect_grep "several: valid for more than max_days: rejected per gate" "$WORK/a.json" "more than max_days 30"

# ---- 4. an attestation of another run approves nothing here ----
"$TOOLS/fg_gen" --rows 5000 --seed 8 --scenario loan >"$WORK/other.csv"
run fg check --policy "$P" --candidate "$WORK/other.csv" --out "$WORK/other-audit.json" \
    --sign-key "$WORK/keys/ci.pem" --attestation "$WORK/other.intoto.jsonl"
for who in risk audit; do
    [ $who = risk ] && set -- $RISK || set -- $AUDIT
    run fg override --policy "$P" --attestation "$WORK/other.intoto.jsonl" --pubkey "$WORK/keys/ci.pub" \
        --all-failing --approver "$1" --role "$2" --reason r --expires 2025-12-01 \
        --sign-key "$WORK/keys/$who.pem" --out "$WORK/other-$who.json"
    expect_rc "$who approves every failing gate of another run, from its attestation" 0
done
judge "another run's approvals" --override "$WORK/other-risk.json" --override "$WORK/other-audit.json"
expect_eq "another run's attestation: its approvals do not apply to this candidate" "$(status_of four-fifths)" fail
expect_grep "... made for another candidate file" "$WORK/a.json" "made for another candidate file"
# The attestation is checked with the key given: one the approver's machine signed itself,
# checked with the CI's key, signs nothing.
run fg check --policy "$P" --candidate "$WORK/loans.csv" --out "$WORK/m.json" \
    --sign-key "$WORK/keys/mallory.pem" --attestation "$WORK/mallory.intoto.jsonl"
run fg override --policy "$P" --attestation "$WORK/mallory.intoto.jsonl" --pubkey "$WORK/keys/ci.pub" \
    --gate four-fifths --approver risk@bank.example --role model-risk --reason r --expires 2025-12-01 \
    --sign-key "$WORK/keys/risk.pem" --out "$WORK/x.json"
expect_rc "an attestation by another key, checked with the CI's: refused" 2
expect_absent "... nothing written" "$WORK/x.json"

# ---- 5. verify --require-verdict: the verdict of which files? ----
run fg check --policy "$P" --candidate "$WORK/other.csv" --out "$WORK/o2.json" \
    --override "$WORK/other-risk.json" --override "$WORK/other-audit.json" \
    --sign-key "$WORK/keys/ci.pem" --attestation "$WORK/other-pass.intoto.jsonl"
expect_eq "another candidate's signed pass_with_override" "$(jq -r .verdict "$WORK/o2.json")" pass_with_override
run fg verify --attestation "$WORK/other-pass.intoto.jsonl" --pubkey "$WORK/keys/ci.pub" \
    --require-verdict pass,pass_with_override
expect_rc "--require-verdict alone accepts a signed pass of any candidate" 0
expect_grep "... and warns that the verdict is bound to no file given" "$WORK/err" \
    "warning: --require-verdict with no --candidate, --counts or --subject: this verdict is bound to no file you hold"
run fg verify --attestation "$WORK/other-pass.intoto.jsonl" --pubkey "$WORK/keys/ci.pub" \
    --candidate "$WORK/loans.csv" --require-verdict pass,pass_with_override
expect_rc "with the candidate released, another candidate's pass: exit 1" 1
expect_grep "... digest mismatch" "$WORK/out" "INVALID: digest mismatch: candidate"
run fg verify --attestation "$WORK/other-pass.intoto.jsonl" --pubkey "$WORK/keys/ci.pub" \
    --candidate "$WORK/other.csv" --require-verdict pass,pass_with_override
expect_rc "with its own candidate: exit 0" 0
expect_no_grep "... and no warning" "$WORK/err" "warning"
# The verdict is the signed predicate's: an audit file that says otherwise is not the attested one.
jq '.verdict = "pass" | .exit_code = 0' "$WORK/ci-audit.json" >"$WORK/pass-audit.json"
run fg verify --attestation "$WORK/ci.intoto.jsonl" --pubkey "$WORK/keys/ci.pub" --candidate "$WORK/loans.csv" \
    --audit "$WORK/pass-audit.json" --require-verdict pass
expect_rc "an audit edited to pass, beside the attestation of a fail: exit 1" 1
expect_grep "... not the attested audit" "$WORK/out" "INVALID: digest mismatch: audit"
for list in " pass" "pass " "Pass" "pass,,fail" ",pass" "pass_with_overrides"; do
    run fg verify --attestation "$WORK/ci.intoto.jsonl" --pubkey "$WORK/keys/ci.pub" --require-verdict "$list"
    expect_rc "--require-verdict '$list': a usage error" 2
done
# ---- 6. the canonical digest: every key of the policy language is in it ----
# An approval survives any edit that keeps the canonical text; so each key that can change
# a verdict, a value, the rows read or who may approve must change the text. A row per key
# of the policy schema (policies/policy.schema.json): a sed edit of one value of a policy
# that sets every key, and what must follow: "change" (the digest changes), "same" (the
# same meaning written otherwise), "refused" (the key is not allowed there: lint exits 2).
# A schema key with no row fails: a key added to the policy language needs a row here, and
# a place in the canonical text (lib/policy_canon.c). Rows for keys this version's schema
# does not have are skipped.
C=$WORK/canon
mkdir -p "$C/other"
cp "$WORK/keys/risk.pub" "$C/risk.pub"
cp "$WORK/keys/risk.pub" "$C/other/risk.pub"
cp "$WORK/keys/audit.pub" "$C/audit.pub"
R_ID=$(keyid "$C/risk.pub")
A_ID=$(keyid "$C/audit.pub")
cat >"$C/base.yaml" <<EOF
version: 1
name: canon-base
data:
  id: row_id
  label: outcome
  positive_label: "1"
  protected: [sex, race]
  intersections: [[sex, race]]
  candidate: { score: score_new, threshold: 0.5, favorable: above }
  incumbent: { prediction: pred_old }
  favorable_prediction: "1"
  missing: error
  join: id
  delimiter: ","
defaults:
  reference: highest
  min_group_size: 30
  on_small_group: warn
  evidence: point
  alpha: 0.05
  correction: holm
  bootstrap: { resamples: 2000, seed: 7 }
gates:
  - id: parity
    metric: selection_rate
    description: "four fifths"
    disparity: ratio
    min: 0.8
    max: 1.25
    reference: { sex: Male, race: White }
    min_group_size: 40
    on_small_group: fail
    evidence: significant
    alpha: 0.1
    correction: bh
    bootstrap: { resamples: 500, seed: 9 }
    vs_incumbent: { max_worsening: 0.02 }
  - id: accuracy-floor
    metric: accuracy
    overall: { min: 0.6, max: 0.99 }
  - id: calib
    metric: calibration_gap
    overall: { max: 0.1 }
    bins: 10
  - id: dppl
    metric: clarify.DPPL
    min: -0.1
    max: 0.1
    reference: {sex: Male, race: White}
  - id: inequality
    metric: generalized_entropy_index
    ge_alpha: 2
    evidence: point
    overall: { max: 0.5 }
  - id: cdd
    metric: clarify.CDDL
    strata: race
    reference: rest
    evidence: point
    max: 0.5
overrides:
  approvers:
    - name: risk@bank.example
      role: model-risk
      public_key: risk.pub
      keyid: $R_ID
  required_approvals: 1
  max_days: 30
  not_overridable: [accuracy-floor]
EOF
canonical() { "$FAIRGATE" lint --canonical "$1" 2>/dev/null | tr -d '\n' | sha256sum | cut -d' ' -f1; }
run "$FAIRGATE" lint "$C/base.yaml"
expect_rc "canonical: the policy that sets every key lints" 0
BASE=$(canonical "$C/base.yaml")
APPROVER2="    - { name: audit@bank.example, role: internal-audit, public_key: audit.pub, keyid: $A_ID }"
T=$(printf '\t')
cat >"$WORK/rows" <<EOF
same${T}version${T}s/^version: 1$/version: 1 # the only version/
change${T}name${T}s/^name: canon-base$/name: canon-other/
change${T}data${T}s/^  label: outcome$/  label: y/
change${T}defaults${T}/^defaults:$/,/^  bootstrap:/d
change${T}gates${T}s/^gates:$/gates:\n  - { id: tpr-gap, metric: tpr, disparity: difference, max: 0.5 }/
change${T}overrides${T}/^overrides:$/,\$d
change${T}model.favorable${T}s/favorable: above }/favorable: below }/
change${T}model.prediction${T}s/prediction: pred_old/prediction: pred_older/
change${T}model.score${T}s/score: score_new,/score: score_v3,/
change${T}model.threshold${T}s/threshold: 0.5,/threshold: 0.55,/
same${T}model.threshold${T}s/threshold: 0.5,/threshold: 5e-1,/
change${T}data.candidate${T}s/^  candidate: .*$/  candidate: { prediction: pred_new }/; /^  - id: calib$/,/^    bins: 10$/d
change${T}data.delimiter${T}s/^  delimiter: ","$/  delimiter: ";"/
same${T}data.delimiter${T}/^  delimiter: ","$/d
change${T}data.favorable_prediction${T}s/^  favorable_prediction: "1"$/  favorable_prediction: "yes"/
change${T}data.id${T}s/^  id: row_id$/  id: rid/
change${T}data.incumbent${T}/^  incumbent: /d; /vs_incumbent/d; /^    bootstrap:/d
change${T}data.intersections${T}s/^  intersections: .*$/  intersections: [[race, sex]]/
same${T}data.intersections${T}s/^  intersections: .*$/  intersections: all/
change${T}data.join${T}/^  id: row_id$/d; s/^  join: id$/  join: position/
same${T}data.join${T}/^  join: id$/d
change${T}data.label${T}s/^  label: outcome$/  label: outcome2/
change${T}data.missing${T}s/^  missing: error$/  missing: drop/
same${T}data.missing${T}/^  missing: error$/d
change${T}data.positive_label${T}s/^  positive_label: "1"$/  positive_label: "yes"/
change${T}data.protected${T}s/^  protected: \[sex, race\]$/  protected: [race, sex]/
change${T}defaults.alpha${T}s/^  alpha: 0.05$/  alpha: 0.01/
same${T}defaults.alpha${T}/^  alpha: 0.05$/d
change${T}defaults.bootstrap${T}s/^  bootstrap: { resamples: 2000, seed: 7 }$/  bootstrap: { resamples: 2000, seed: 8 }/
change${T}defaults.correction${T}s/^  correction: holm$/  correction: none/
change${T}defaults.evidence${T}s/^  evidence: point$/  evidence: confident/; s/^    bins: 10$/&\n    evidence: point/
change${T}defaults.min_group_size${T}s/^  min_group_size: 30$/  min_group_size: 31/
change${T}defaults.on_small_group${T}s/^  on_small_group: warn$/  on_small_group: skip/
change${T}defaults.reference${T}s/^  reference: highest$/  reference: largest/
same${T}defaults.reference${T}/^  reference: highest$/d
change${T}gate.alpha${T}s/^    alpha: 0.1$/    alpha: 0.2/
change${T}gate.bins${T}s/^    bins: 10$/    bins: 12/
same${T}gate.bins${T}/^    bins: 10$/d
change${T}gate.bootstrap${T}s/^    bootstrap: { resamples: 500, seed: 9 }$/    bootstrap: { resamples: 600, seed: 9 }/
change${T}gate.correction${T}s/^    correction: bh$/    correction: holm/
change${T}gate.description${T}s/^    description: "four fifths"$/    description: "four-fifths rule"/
change${T}gate.disparity${T}s/^    disparity: ratio$/    disparity: difference/; /^    min: 0.8$/d; s/^    max: 1.25$/    max: 0.2/
change${T}gate.evidence${T}s/^    evidence: significant$/    evidence: confident/
change${T}gate.id${T}s/^  - id: parity$/  - id: parity-2/
change${T}gate.max${T}s/^    max: 1.25$/    max: 1.3/
change${T}gate.metric${T}s/^    metric: selection_rate$/    metric: tpr/
change${T}gate.min${T}s/^    min: 0.8$/    min: 0.81/
same${T}gate.min${T}s/^    min: 0.8$/    min: 8.0e-1/
same${T}gate.min${T}s/^    min: 0.8$/    min: 0.80000000000000004/
change${T}gate.min${T}s/^    min: 0.8$/    min: 0.80000000000000016/
change${T}gate.min_group_size${T}s/^    min_group_size: 40$/    min_group_size: 41/
change${T}gate.on_small_group${T}s/^    on_small_group: fail$/    on_small_group: skip/
change${T}gate.overall${T}s/overall: { min: 0.6, max: 0.99 }/overall: { min: 0.6 }/
change${T}gate.reference${T}0,/{ sex: Male, race: White }/s//{ sex: Female, race: White }/
same${T}gate.reference${T}s/reference: {sex: Male, race: White}/reference: { race: White, sex: Male }/
change${T}gate.vs_incumbent${T}s/max_worsening: 0.02 }/max_worsening: 0.03 }/
change${T}overall_gate.metric${T}s/^    metric: accuracy$/    metric: tpr/
change${T}overall_gate.min${T}s/overall: { min: 0.6, max: 0.99 }/overall: { min: 0.61, max: 0.99 }/
change${T}overall_gate.max${T}s/overall: { min: 0.6, max: 0.99 }/overall: { min: 0.6, max: 0.98 }/
refused${T}overall_gate.disparity${T}s/^    overall: { min: 0.6, max: 0.99 }$/&\n    disparity: ratio/
refused${T}overall_gate.reference${T}s/^    overall: { min: 0.6, max: 0.99 }$/&\n    reference: largest/
change${T}disparity_gate.metric${T}s/^    metric: clarify.DPPL$/    metric: aif360.statistical_parity_difference/
change${T}approver.name${T}s/^    - name: risk@bank.example$/    - name: risk2@bank.example/
change${T}approver.role${T}s/^      role: model-risk$/      role: model-audit/
change${T}approver.public_key${T}s/^      public_key: risk.pub$/      public_key: audit.pub/; s/^      keyid: .*$/      keyid: $A_ID/
same${T}approver.public_key${T}s/^      public_key: risk.pub$/      public_key: other\/risk.pub/
refused${T}approver.keyid${T}s/^      keyid: .*$/      keyid: $A_ID/
change${T}overrides.approvers${T}s/^  required_approvals: 1$/$APPROVER2\n  required_approvals: 1/
change${T}overrides.required_approvals${T}s/^  required_approvals: 1$/$APPROVER2\n  required_approvals: 2/
same${T}overrides.required_approvals${T}/^  required_approvals: 1$/d
change${T}overrides.max_days${T}s/^  max_days: 30$/  max_days: 31/
change${T}overrides.not_overridable${T}s/^  not_overridable: \[accuracy-floor\]$/  not_overridable: [calib]/
change${T}bootstrap.resamples${T}s/resamples: 2000, seed: 7/resamples: 2001, seed: 7/
change${T}bootstrap.seed${T}s/resamples: 500, seed: 9/resamples: 500, seed: 10/
change${T}gate.enforce${T}s/^  - id: parity$/&\n    enforce: warn/
change${T}defaults.enforce${T}s/^defaults:$/&\n  enforce: warn/
change${T}gate.ge_alpha${T}s/^    ge_alpha: 2$/    ge_alpha: 3/
same${T}gate.ge_alpha${T}/^    ge_alpha: 2$/d
change${T}gate.reference${T}s/^    reference: {sex: Male, race: White}$/    reference: rest/
change${T}gate.strata${T}s/^    strata: race$/    strata: sex/
same${T}gate.strata${T}s/^    strata: race$/    strata: "race"/
EOF
jq -r '(.properties | keys[]), (.definitions | to_entries[] | select(.value.properties) | .key as $d |
    .value.properties | keys[] | "\($d).\(.)")' "$TESTS_DIR/../policies/policy.schema.json" >"$WORK/schema-keys"
while read -r key; do
    grep -q "^[a-z]*${T}${key}${T}" "$WORK/rows" || not_ok "canonical: schema key '$key' has no row here" \
        "add a row that changes it (and give it a place in lib/policy_canon.c's text)"
done <"$WORK/schema-keys"
while IFS="$T" read -r mode key script; do
    if ! grep -qx "$key" "$WORK/schema-keys"; then
        skip "canonical: $key" "not a key of this version's policy schema"
        continue
    fi
    sed -e "$script" "$C/base.yaml" >"$C/m.yaml"
    if cmp -s "$C/base.yaml" "$C/m.yaml"; then not_ok "canonical: $mode $key: the edit changed nothing"; continue; fi
    if [ "$mode" = refused ]; then
        run "$FAIRGATE" lint "$C/m.yaml"
        expect_rc "canonical: $key: not allowed there (lint refuses it)" 2
    elif ! "$FAIRGATE" lint "$C/m.yaml" >/dev/null 2>"$WORK/err"; then
        not_ok "canonical: $mode $key: the edited policy does not lint" "$(head -c 300 "$WORK/err")"
    elif [ "$mode" = change ]; then
        if [ "$(canonical "$C/m.yaml")" != "$BASE" ]; then ok "canonical: $key: changing it changes the digest"; else
            not_ok "canonical: $key: changing it keeps the digest (an approval would survive it)" "edit: $script"; fi
    elif [ "$(canonical "$C/m.yaml")" = "$BASE" ]; then ok "canonical: $key: the same meaning written otherwise keeps the digest"; else
        not_ok "canonical: $key: the same meaning written otherwise changes the digest" "edit: $script"
    fi
done <"$WORK/rows"
finish
