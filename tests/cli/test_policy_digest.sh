#!/bin/sh
# The policy's canonical digest (README "The policy's canonical digest"): the audit records
# it beside the file's sha256; new approvals bind to both, and check accepts an approval
# whose file digest or canonical digest matches. Reformatting, comments and key order keep
# an approval valid; a changed bound, gate, group or approver invalidates it; an approval
# made before the canonical digest existed (file digest only) still verifies.
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1763769600 # 2025-11-22T00:00:00Z
fg() { at "2025-11-22 00:00:00" "$FAIRGATE" "$@"; }
make_keys risk audit
RISK_ID=$(keyid "$WORK/keys/risk.pub")
AUDIT_ID=$(keyid "$WORK/keys/audit.pub")
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"
P=$WORK/policy.yaml
fixture_policy loans-overrides "$P" RISK_ID="$RISK_ID" AUDIT_ID="$AUDIT_ID" REQUIRED=1

# ---- the digest: recorded in the audit, recomputable from lint --canonical ----
run fg check --policy "$P" --candidate "$WORK/loans.csv" --out "$WORK/audit.json"
expect_rc "without an approval the gate fails" 1
CANON=$(jq -r .policy.canonical_sha256 "$WORK/audit.json")
run "$FAIRGATE" lint --canonical "$P"
expect_rc "lint --canonical" 0
expect_eq "lint --canonical prints one line" "$(wc -l <"$WORK/out" | tr -d ' ')" 1
expect_eq "the audit's canonical_sha256 is the SHA-256 of that line without its newline" \
    "$(tr -d '\n' <"$WORK/out" | sha256sum | cut -d' ' -f1)" "$CANON"
expect_eq "... and sits beside the file's sha256" "$(jq -r .policy.sha256 "$WORK/audit.json")" \
    "$(sha256sum <"$P" | cut -d' ' -f1)"
expect_grep "... which is the policy's meaning: sorted keys, effective values" "$WORK/out" \
    '^\{"calibration_bins":10,"data":\{.*"gates":\[\{"alpha":0\.05,.*"id":"four-fifths",.*"min":0\.8,"min_group_size":30,"on_small_group":"skip",.*\],"name":"loans-with-overrides","overrides":\{"approvers":\[\{"keyid":"[0-9a-f]{64}","name":"audit@bank\.example","role":"internal-audit"\},\{"keyid":"[0-9a-f]{64}","name":"risk@bank\.example",.*"version":1\}$'

# ---- a new approval binds both digests ----
approve() { # OUT [POLICY]
    run fg override --policy "${2:-$P}" --candidate "$WORK/loans.csv" --gate four-fifths \
        --approver risk@bank.example --role model-risk --reason "accepted: RISK-1" \
        --expires 2025-12-15 --sign-key "$WORK/keys/risk.pem" --out "$1"
}
approve "$WORK/ok.json"
expect_rc "override: created" 0
expect_eq "the payload binds the canonical digest" \
    "$(jq -r .payload "$WORK/ok.json" | base64 -d | jq -r .policy_canonical_sha256)" "$CANON"
expect_eq "... and still the file's" \
    "$(jq -r .payload "$WORK/ok.json" | base64 -d | jq -r .policy_sha256)" \
    "$(sha256sum <"$P" | cut -d' ' -f1)"

judge() { # NAME POLICY WANT_RC WANT_STATUS WHY_REGEX APPROVAL
    run fg check --policy "$2" --candidate "$WORK/loans.csv" --override "$6" --out "$WORK/a.json"
    expect_rc "$1: exit $3" "$3"
    expect_eq "$1: $4" "$(jq -r '.overrides[0].status' "$WORK/a.json")" "$4"
    if jq -r '.overrides[0].why' "$WORK/a.json" | grep -Eq -- "$5"; then ok "$1: why"; else
        not_ok "$1: why" "want /$5/" "got: $(jq -r '.overrides[0].why' "$WORK/a.json")"; fi
}
judge "the policy as signed" "$P" 0 applied "applied to gate 'four-fifths'" "$WORK/ok.json"
expect_eq "... pass_with_override" "$(jq -r .verdict "$WORK/a.json")" pass_with_override

# ---- the same meaning, written otherwise: the approval stays valid ----
# Comments, block style for flow, flow for block, other indentation, keys reordered at
# every level, quotes, defaults written out, numbers spelled otherwise.
cat >"$WORK/reformatted.yaml" <<EOF
# Loan approvals: the fairness policy, reviewed by model risk.
name: 'loans-with-overrides'   # the name reports show
version: 1
overrides:
    not_overridable:
        - accuracy-floor       # a floor is never waived
    max_days: 30
    required_approvals: 1
    approvers:
        -   role: internal-audit
            name: audit@bank.example
            keyid: $AUDIT_ID
            public_key: keys/audit.pub
        -   keyid: $RISK_ID
            public_key: "keys/risk.pub"
            role: model-risk
            name: risk@bank.example
gates:
    -   {id: four-fifths, min: 8e-1, disparity: ratio, metric: selection_rate, evidence: point}
    -   metric: selection_rate
        id: selection-floor
        overall:
            min: 0.10
    -   id: accuracy-floor
        overall: {min: .5}
        metric: accuracy
defaults: {on_small_group: skip, min_group_size: 30, reference: highest, alpha: 0.05}
data:
    favorable_prediction: '1'
    candidate:
        prediction: approve_new
    protected:
        - race
    positive_label: "0"
    label: defaulted
    missing: error
EOF
expect_eq "the reformatted file has another sha256" \
    "$([ "$(sha256sum <"$WORK/reformatted.yaml")" != "$(sha256sum <"$P")" ] && echo differs)" differs
run "$FAIRGATE" lint --canonical "$WORK/reformatted.yaml"
expect_eq "... and the same canonical text" "$(tr -d '\n' <"$WORK/out" | sha256sum | cut -d' ' -f1)" "$CANON"
judge "reformatted, commented, keys reordered" "$WORK/reformatted.yaml" 0 applied "applied" "$WORK/ok.json"
expect_eq "... pass_with_override" "$(jq -r .verdict "$WORK/a.json")" pass_with_override
expect_eq "... the audit records the new file's sha256 and the same canonical digest" \
    "$(jq -r '.policy | [.sha256, .canonical_sha256] | join(" ")' "$WORK/a.json")" \
    "$(sha256sum <"$WORK/reformatted.yaml" | cut -d' ' -f1) $CANON"
{ echo "# reviewed 2025-11-21"; cat "$P"; echo "# end"; } >"$WORK/commented.yaml"
judge "a comment added" "$WORK/commented.yaml" 0 applied "applied" "$WORK/ok.json"

# ---- a change of meaning: the approval no longer applies ----
changed() { # NAME SED_SCRIPT
    sed "$2" "$P" >"$WORK/changed.yaml"
    if cmp -s "$P" "$WORK/changed.yaml"; then not_ok "$1: the edit changed nothing"; return; fi
    judge "$1" "$WORK/changed.yaml" 1 rejected "another version of the policy" "$WORK/ok.json"
}
changed "a bound changed" 's/^    min: 0\.8$/    min: 0.81/'
changed "another gate's bound changed" 's/overall: { min: 0\.1 }/overall: { min: 0.05 }/'
changed "a gate added" 's/^overrides:$/  - { id: tpr-gap, metric: tpr, disparity: difference, max: 0.5 }\noverrides:/'
changed "a group setting changed" 's/min_group_size: 30/min_group_size: 31/'
changed "the reference group changed" 's/^  on_small_group: skip$/  on_small_group: skip\n  reference: largest/'
changed "an approver's role changed" 's/role: internal-audit/role: audit/'
changed "an approver dropped" '/audit@bank.example/d'
changed "not_overridable changed" 's/not_overridable: \[accuracy-floor\]/not_overridable: []/'

# ---- an approval made before the canonical digest (file digest only) still verifies ----
# Made as fairgate made them then: the same payload without policy_canonical_sha256, signed
# with the openssl CLI over DSSE's PAE.
sign_payload() { # OUT PAYLOAD KEY
    printf '%s' "$2" >"$WORK/payload"
    t=application/vnd.fairgate.override+json
    { printf 'DSSEv1 %d %s %d ' "${#t}" "$t" "$(wc -c <"$WORK/payload" | tr -d ' ')"
      cat "$WORK/payload"; } >"$WORK/pae"
    openssl pkeyutl -sign -inkey "$WORK/keys/$3.pem" -rawin -in "$WORK/pae" -out "$WORK/sig"
    jq -cn --arg p "$(base64 -w0 <"$WORK/payload")" --arg s "$(base64 -w0 <"$WORK/sig")" \
        --arg t "$t" '{payload: $p, payloadType: $t, signatures: [{keyid: "", sig: $s}]}' >"$1"
}
PAYLOAD=$(jq -r .payload "$WORK/ok.json" | base64 -d)
sign_payload "$WORK/old.json" "$(printf '%s' "$PAYLOAD" | jq -c 'del(.policy_canonical_sha256)')" risk
expect_eq "the old format has no canonical digest" \
    "$(jq -r .payload "$WORK/old.json" | base64 -d | jq -r 'has("policy_canonical_sha256")')" false
judge "an old approval on the unchanged file" "$P" 0 applied "applied" "$WORK/old.json"
judge "an old approval on a commented file (it bound the bytes)" "$WORK/commented.yaml" 1 \
    rejected "another version of the policy \(sha256 [0-9a-f]{16}\.\.\., canonical \(none\)" "$WORK/old.json"
# Either digest suffices: a stale file digest with the right canonical one applies.
sign_payload "$WORK/either.json" "$(printf '%s' "$PAYLOAD" | jq -c '.policy_sha256 = ("0" * 64)')" risk
judge "a matching canonical digest alone" "$P" 0 applied "applied" "$WORK/either.json"
sign_payload "$WORK/neither.json" \
    "$(printf '%s' "$PAYLOAD" | jq -c '.policy_sha256 = ("0" * 64) | .policy_canonical_sha256 = ("1" * 64)')" risk
judge "neither digest matching" "$P" 1 rejected "another version of the policy" "$WORK/neither.json"
sign_payload "$WORK/upper.json" \
    "$(printf '%s' "$PAYLOAD" | jq -c '.policy_canonical_sha256 |= ascii_upcase')" risk
judge "a canonical digest that is not lowercase hex" "$P" 1 rejected "must be SHA-256 digests" "$WORK/upper.json"
sign_payload "$WORK/null.json" "$(printf '%s' "$PAYLOAD" | jq -c '.policy_canonical_sha256 = null')" risk
judge "a canonical digest that is null" "$P" 1 rejected "'policy_canonical_sha256' is not a digest" "$WORK/null.json"
finish
