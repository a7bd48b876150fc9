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
craft "$WORK/twice.json" "$(several "$G_TWICE" $RISK)" risk
judge "one gate twice in one envelope" --override "$WORK/twice.json"
expect_eq "several: a gate listed twice by one approver is one approval" "$(status_of four-fifths)" fail
expect_grep "... the copy says so" "$WORK/a.json" "already approved this; the same approver or key counts once"
craft "$WORK/group.json" "$(several "$G_GROUP" $RISK)" risk
judge "a gate and its group" --override "$WORK/group.json"
expect_eq "several: a gate and one of its groups by one approver is one approval" "$(status_of four-fifths)" fail
craft "$WORK/multi.json" "$(several "$G_WHOLE" $RISK)" risk
cp "$WORK/multi.json" "$WORK/copy.json"
judge "one approver, two envelopes" --override "$WORK/multi.json" --override "$WORK/risk.json" \
    --override "$WORK/copy.json" --override "$WORK/multi.json"
expect_eq "several: the same approver's envelopes, copies and the same file twice count once" "$(status_of four-fifths)" fail
expect_eq "... every one rejected" "$(jq -r '[.overrides[] | select(.status == "applied")] | length' "$WORK/a.json")" 0
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
finish
