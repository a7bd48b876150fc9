#!/bin/sh
# Approvals from the evidence (issue 13, points 1-3): `fairgate override --attestation A
# --pubkey CI.pub` approves the run the CI attested, with no data; one envelope covers
# several gates (--gate repeated, --gate ID:GROUP, --all-failing) and check applies it per
# gate by the rules of one-gate approvals; what check would refuse, override refuses to sign
# (exit 2, nothing written). An envelope signed before all this still verifies and applies.
. "$(dirname "$0")/lib.sh"
NOW="2025-11-22 00:00:00" # overrides are made and judged by the real clock, stopped here
fg() { at "$NOW" "$FAIRGATE" "$@"; }
mkdir -p "$WORK/keys"
for who in risk audit ci mallory; do
    "$FAIRGATE" keygen --out "$WORK/keys/$who.pem" --pubout "$WORK/keys/$who.pub" >/dev/null
done
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"
"$TOOLS/fg_gen" --rows 5000 --seed 8 --scenario loan >"$WORK/other.csv"
P=$WORK/policy.yaml
fixture_policy approve-overrides "$P" RISK_ID="$(keyid "$WORK/keys/risk.pub")" AUDIT_ID="$(keyid "$WORK/keys/audit.pub")"
SHA_C=$(sha256sum <"$WORK/loans.csv" | cut -d' ' -f1)
SHA_P=$(sha256sum <"$P" | cut -d' ' -f1)
payload_of() { jq -r .payload "$1" | base64 -d; }

# The CI: three gates fail (four-fifths, parity-strict, accuracy-high), the audit attested.
run fg check --policy "$P" --candidate "$WORK/loans.csv" --out "$WORK/ci-audit.json" \
    --sign-key "$WORK/keys/ci.pem" --attestation "$WORK/ci.intoto.jsonl"
expect_rc "the CI's check fails" 1
expect_eq "... three gates fail" "$(jq -r '[.gates[] | select(.status == "fail") | .id] | join(",")' "$WORK/ci-audit.json")" \
    "four-fifths,parity-strict,accuracy-high"
rm "$WORK/loans.csv" # the approvers never see the data

approve() { # APPROVER ROLE KEY OUT [args...]: from the attestation alone
    who=$1 role=$2 key=$3 out=$4
    shift 4
    run fg override --policy "$P" --attestation "$WORK/ci.intoto.jsonl" --pubkey "$WORK/keys/ci.pub" \
        --approver "$who" --role "$role" --reason "accepted for Q4" --expires 2025-12-01 \
        --sign-key "$WORK/keys/$key.pem" --out "$out" "$@"
}

# ---- 1 and 2: two approvers, one envelope each for three gates, no CSV ----
approve risk@bank.example model-risk risk "$WORK/risk.dsse.json" --all-failing
expect_rc "override --all-failing from the attestation alone" 0
expect_eq "... one envelope lists the three failing gates" "$(payload_of "$WORK/risk.dsse.json" | jq -r '[.gates[].gate] | join(",")')" \
    "four-fifths,parity-strict,accuracy-high"
expect_eq "... bound to the candidate the audit records" "$(payload_of "$WORK/risk.dsse.json" | jq -r .candidate_sha256)" "$SHA_C"
expect_eq "... and to the policy" "$(payload_of "$WORK/risk.dsse.json" | jq -r .policy_sha256)" "$SHA_P"
expect_eq "... no incumbent file" "$(payload_of "$WORK/risk.dsse.json" | jq -r .incumbent_sha256)" null
expect_eq "... no gate or group of its own" "$(payload_of "$WORK/risk.dsse.json" | jq -c '[.gate, .group, .slice]')" "[null,null,null]"
expect_grep "... the approver saw the failing results first" "$WORK/out" "^  fail +race=Black: 0\.714784 \(min 0\.8\), n 869$"
expect_grep "... of every gate approved" "$WORK/out" "^approving gate 'accuracy-high' \(the whole gate\): accuracy, status fail; failing:$"
expect_grep "... and what was written" "$WORK/out" \
    "^override for gates 'four-fifths', 'parity-strict', 'accuracy-high' by risk@bank\.example written to"
approve audit@bank.example internal-audit audit "$WORK/audit.dsse.json" \
    --gate four-fifths --gate parity-strict --gate accuracy-high
expect_rc "override --gate three times from the attestation alone" 0
expect_eq "... one envelope lists the three gates" "$(payload_of "$WORK/audit.dsse.json" | jq -r '[.gates[].gate] | join(",")')" \
    "four-fifths,parity-strict,accuracy-high"

"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"
check_with() { # OUT override files...: the release job's check
    out=$1
    shift
    args=""
    for f in "$@"; do args="$args --override $f"; done
    run fg check --policy "$P" --candidate "${CANDIDATE:-$WORK/loans.csv}" --out "$out" $args
}
check_with "$WORK/both.json" "$WORK/risk.dsse.json" "$WORK/audit.dsse.json"
expect_rc "check with the two envelopes passes" 0
expect_eq "... pass_with_override" "$(jq -r .verdict "$WORK/both.json")" pass_with_override
expect_eq "... each of the three gates overridden" \
    "$(jq -r '[.gates[] | select(.status == "overridden") | .id] | join(",")' "$WORK/both.json")" "four-fifths,parity-strict,accuracy-high"
expect_eq "... one audit record per gate and envelope, all applied" \
    "$(jq -r '[.overrides[] | .gate + ":" + .status] | join(",")' "$WORK/both.json")" \
    "four-fifths:applied,parity-strict:applied,accuracy-high:applied,four-fifths:applied,parity-strict:applied,accuracy-high:applied"
check_with "$WORK/one.json" "$WORK/risk.dsse.json"
expect_rc "one approver of two: the gates still fail" 1
expect_eq "... each gate's record says 1 of 2" "$(jq -r '[.overrides[] | select(.why | test("1 of 2 required"))] | length' "$WORK/one.json")" 3
check_with "$WORK/twice.json" "$WORK/risk.dsse.json" "$WORK/risk.dsse.json"
expect_rc "the same envelope twice is one approver" 1
CANDIDATE=$WORK/other.csv check_with "$WORK/other.json" "$WORK/risk.dsse.json" "$WORK/audit.dsse.json"
expect_rc "replayed on another candidate: rejected" 1
expect_eq "... for every gate it lists" "$(jq -r '[.overrides[] | select(.why | test("another candidate file"))] | length' "$WORK/other.json")" 6
NOW="2025-12-02 00:00:00"
check_with "$WORK/late.json" "$WORK/risk.dsse.json" "$WORK/audit.dsse.json"
expect_rc "expired: rejected per gate" 1
expect_eq "... every record" "$(jq -r '[.overrides[] | select(.why | test("expired at the end of 2025-12-01"))] | length' "$WORK/late.json")" 6
NOW="2025-11-22 00:00:00"

# --gate A --gate B covers both gates, and ID:GROUP one group of one of them.
approve risk@bank.example model-risk risk "$WORK/ab.dsse.json" --gate four-fifths:race=Black --gate accuracy-high
expect_rc "override --gate A:GROUP --gate B" 0
expect_eq "... covers both" "$(payload_of "$WORK/ab.dsse.json" | jq -c '[.gates[] | [.gate, .group, .slice]]')" \
    '[["four-fifths","race=Black",{"race":"Black"}],["accuracy-high",null,null]]'
approve audit@bank.example internal-audit audit "$WORK/ab2.dsse.json" --gate four-fifths --gate accuracy-high
check_with "$WORK/ab.json" "$WORK/ab.dsse.json" "$WORK/ab2.dsse.json"
expect_eq "check applies each gate of it" "$(jq -r '[.gates[] | .id + "=" + .status] | join(",")' "$WORK/ab.json")" \
    "four-fifths=overridden,parity-strict=fail,accuracy-high=overridden,selection-floor=pass,accuracy-floor=pass"

# One --gate signs the one-gate payload, key for key as before (old checks read it).
approve risk@bank.example model-risk risk "$WORK/single.dsse.json" --gate four-fifths --group race=Black
expect_rc "override --gate --group from the attestation" 0
# ... plus, last, the canonical digest of the policy (an addition old checks ignore).
expect_eq "... the one-gate payload's keys, in their order" "$(payload_of "$WORK/single.dsse.json" | jq -c keys_unsorted)" \
    "$(payload_of "$FIXTURES/approvals/old-override.dsse.json" | jq -c 'keys_unsorted + ["policy_canonical_sha256"]')"
expect_grep "... the line names the group" "$WORK/out" "^override for gate 'four-fifths', group race=Black by risk@bank\.example"

# ---- 3: what check would refuse is refused at signing ----
refused() { # NAME WHY_REGEX [override args]
    name=$1 why=$2
    shift 2
    rm -f "$WORK/x.json"
    approve "$@"
    expect_rc "refused: $name: exit 2" 2
    expect_grep "refused: $name: says why" "$WORK/err" "$why"
    expect_absent "refused: $name: nothing written" "$WORK/x.json"
}
refused "a passing gate" "gate 'selection-floor' did not fail \(its status in the audit is 'pass'\)" \
    risk@bank.example model-risk risk "$WORK/x.json" --gate four-fifths --gate selection-floor
refused "an unknown group" "group 'race=Martian' is not among the failing results of gate 'four-fifths' \(those are: race=Black\)" \
    risk@bank.example model-risk risk "$WORK/x.json" --gate four-fifths:race=Martian
refused "a group that passed" "group 'race=White' is not among the failing results of gate 'four-fifths'" \
    risk@bank.example model-risk risk "$WORK/x.json" --gate four-fifths --group race=White
refused "a not_overridable gate" "gate 'accuracy-floor' is not overridable" \
    risk@bank.example model-risk risk "$WORK/x.json" --gate accuracy-floor
rm -f "$WORK/x.json"
run fg override --policy "$P" --attestation "$WORK/ci.intoto.jsonl" --pubkey "$WORK/keys/ci.pub" --all-failing \
    --approver risk@bank.example --role model-risk --reason r --expires 2026-01-31 --sign-key "$WORK/keys/risk.pem" --out "$WORK/x.json"
expect_rc "refused: an expiry past max_days" 2
expect_grep "... says so" "$WORK/err" "--expires 2026-01-31 is 70 days away; the policy allows at most 30"
expect_absent "... nothing written" "$WORK/x.json"
refused "an unlisted approver" "approver 'mallory@evil\.example' is not listed in the policy" \
    mallory@evil.example model-risk mallory "$WORK/x.json" --all-failing
refused "a listed approver with another role" "has role 'model-risk' in the policy, not 'ceo'" \
    risk@bank.example ceo risk "$WORK/x.json" --all-failing
refused "a gate named twice" "gate 'four-fifths' is named twice" \
    risk@bank.example model-risk risk "$WORK/x.json" --gate four-fifths --gate four-fifths
# A gate approved whole and for a group says two things of one gate; a group twice is twice.
refused "a gate whole, then a group of it" \
    "gate 'four-fifths' is named as a whole and for group race=Black: approve the whole gate or its groups, not both" \
    risk@bank.example model-risk risk "$WORK/x.json" --gate four-fifths --gate four-fifths:race=Black
refused "a group of a gate, then the gate whole" \
    "gate 'four-fifths' is named as a whole and for group race=Black" \
    risk@bank.example model-risk risk "$WORK/x.json" --gate four-fifths:race=Black --gate accuracy-high --gate four-fifths
refused "a group named twice" "gate 'four-fifths', group race=Black is named twice" \
    risk@bank.example model-risk risk "$WORK/x.json" --gate four-fifths:race=Black --gate four-fifths:race=Black
refused "a gate the policy lacks" "the policy has no gate 'nope'" \
    risk@bank.example model-risk risk "$WORK/x.json" --gate nope
# With --attestation the policy must be the one attested: the same file, or one of the same
# meaning (a comment added is accepted: test_policy_digest.sh); here a bound changed.
sed 's/min: 0.8$/min: 0.75/' "$P" >"$WORK/edited.yaml"
cmp -s "$P" "$WORK/edited.yaml" && not_ok "the edited policy differs from the attested one"
run fg override --policy "$WORK/edited.yaml" --attestation "$WORK/ci.intoto.jsonl" --pubkey "$WORK/keys/ci.pub" --all-failing \
    --approver risk@bank.example --role model-risk --reason r --expires 2025-12-01 --sign-key "$WORK/keys/risk.pem" --out "$WORK/x.json"
expect_rc "refused: another policy than the attested one" 2
expect_grep "... says so" "$WORK/err" "edited\.yaml: is not the policy the audit was made with"
expect_absent "... nothing written" "$WORK/x.json"
# The approver's copy of the policy, reformatted and commented, has the attested meaning: the
# approval binds that copy's digests (its file's and the canonical one, never a digest the
# audit names: tests/cli/test_approve_attacks.sh), and check applies it.
{ echo "# the approver's copy"; sed 's/^\(  - id: .*\)$/\n  # a gate\n\1   # its id/' "$P"; } >"$WORK/commented.yaml"
run fg override --policy "$WORK/commented.yaml" --attestation "$WORK/ci.intoto.jsonl" --pubkey "$WORK/keys/ci.pub" \
    --gate accuracy-high --approver risk@bank.example --role model-risk --reason r --expires 2025-12-01 \
    --sign-key "$WORK/keys/risk.pem" --out "$WORK/commented.dsse.json"
expect_rc "a reformatted, commented copy of the attested policy: approval signed" 0
expect_eq "... bound to the approver's file's digest and to the canonical one" \
    "$(payload_of "$WORK/commented.dsse.json" | jq -r '.policy_sha256 + " " + .policy_canonical_sha256')" \
    "$(sha256sum <"$WORK/commented.yaml" | cut -d' ' -f1) $(jq -r .policy.canonical_sha256 "$WORK/ci-audit.json")"
check_with "$WORK/commented.json" "$WORK/commented.dsse.json" "$WORK/audit.dsse.json"
expect_eq "... check applies it (with the second approval the policy requires)" \
    "$(jq -r '.gates[] | select(.id == "accuracy-high") | .status' "$WORK/commented.json")" overridden
# The attestation is verified: a tampered one, or another key, signs nothing.
jq -c '.signatures[0].sig = "AAAA"' "$WORK/ci.intoto.jsonl" >"$WORK/bad.jsonl"
run fg override --policy "$P" --attestation "$WORK/bad.jsonl" --pubkey "$WORK/keys/ci.pub" --all-failing \
    --approver risk@bank.example --role model-risk --reason r --expires 2025-12-01 --sign-key "$WORK/keys/risk.pem" --out "$WORK/x.json"
expect_rc "refused: a tampered attestation" 2
expect_grep "... says it is invalid" "$WORK/err" "bad\.jsonl: the attestation is INVALID; nothing signed"
expect_absent "... nothing written" "$WORK/x.json"
run fg override --policy "$P" --attestation "$WORK/ci.intoto.jsonl" --pubkey "$WORK/keys/mallory.pub" --all-failing \
    --approver risk@bank.example --role model-risk --reason r --expires 2025-12-01 --sign-key "$WORK/keys/risk.pem" --out "$WORK/x.json"
expect_rc "refused: the attestation checked with another key" 2
expect_absent "... nothing written" "$WORK/x.json"
# The CSV path refuses the same (the run is checked first).
run fg override --policy "$P" --candidate "$WORK/loans.csv" --gate selection-floor --approver risk@bank.example \
    --role model-risk --reason r --expires 2025-12-01 --sign-key "$WORK/keys/risk.pem" --out "$WORK/x.json"
expect_rc "refused from the CSV too: a passing gate" 2
expect_grep "... says so" "$WORK/err" "gate 'selection-floor' did not fail"
expect_absent "... nothing written" "$WORK/x.json"

# ---- usage ----
usage() { # NAME REGEX [override args]
    name=$1 why=$2
    shift 2
    approve risk@bank.example model-risk risk "$WORK/x.json" "$@"
    expect_rc "usage: $name" 2
    expect_grep "usage: $name: says why" "$WORK/err" "$why"
}
usage "--group with two --gate" "--group goes with a single --gate" --gate four-fifths --gate accuracy-high --group race=Black
usage "--gate and --all-failing" "give --gate \(one or more\) or --all-failing" --gate four-fifths --all-failing
usage "neither" "give --gate \(one or more\) or --all-failing"
usage "--attestation with --candidate" "not both" --all-failing --candidate "$WORK/loans.csv"
usage "--gate ID: with nothing after" "--gate 'four-fifths:' is not ID or ID:GROUP" --gate four-fifths:
run fg override --policy "$P" --attestation "$WORK/ci.intoto.jsonl" --all-failing --approver a --role r \
    --reason r --expires 2025-12-01 --sign-key "$WORK/keys/risk.pem" --out "$WORK/x.json"
expect_rc "usage: --attestation without --pubkey" 2
expect_absent "usage errors write nothing" "$WORK/x.json"

# ---- --dry-run: the results and the payload, nothing written ----
approve risk@bank.example model-risk risk "$WORK/dry.json" --gate four-fifths:race=Black --gate accuracy-high --dry-run
expect_rc "--dry-run" 0
expect_absent "... writes nothing" "$WORK/dry.json"
expect_grep "... shows the failing results" "$WORK/out" "^  fail +overall: 0\.7302 \(min 0\.99\), n 5000$"
expect_grep "... says nothing is written" "$WORK/out" "^dry run: nothing written; the payload that would be signed:$"
expect_eq "... and shows the payload" "$(sed -n '/^dry run/,$p' "$WORK/out" | tail -n +2 | jq -r .candidate_sha256)" "$SHA_C"
approve risk@bank.example model-risk risk "$WORK/dry.json" --gate selection-floor --dry-run
expect_rc "--dry-run refuses what signing would" 2

# ---- --audit alone: accepted, with a warning that the digests are taken on trust ----
run fg override --policy "$P" --audit "$WORK/ci-audit.json" --all-failing --approver risk@bank.example \
    --role model-risk --reason r --expires 2025-12-01 --sign-key "$WORK/keys/risk.pem" --out "$WORK/trust.json"
expect_rc "override --audit alone" 0
expect_grep "... warns" "$WORK/err" "warning: .*ci-audit\.json is not verified: the digests the approval binds are taken on trust"
expect_eq "... binds the audit's digests" "$(payload_of "$WORK/trust.json" | jq -r .candidate_sha256)" "$SHA_C"
# --attestation with --audit: that file must be the attested audit.
jq '.verdict = "pass"' "$WORK/ci-audit.json" >"$WORK/forged-audit.json"
run fg override --policy "$P" --attestation "$WORK/ci.intoto.jsonl" --pubkey "$WORK/keys/ci.pub" --audit "$WORK/forged-audit.json" \
    --all-failing --approver risk@bank.example --role model-risk --reason r --expires 2025-12-01 \
    --sign-key "$WORK/keys/risk.pem" --out "$WORK/x.json"
expect_rc "refused: --audit that is not the attested one" 2
expect_absent "... nothing written" "$WORK/x.json"

# ---- an incumbent file and counts files: the audit's binding is check's ----
awk -F, 'BEGIN { OFS = "," } { print $1, $6 }' "$WORK/loans.csv" >"$WORK/inc.csv"
fixture_policy regression-overrides "$WORK/reg.yaml" RISK_ID="$(keyid "$WORK/keys/risk.pub")"
run fg check --policy "$WORK/reg.yaml" --candidate "$WORK/loans.csv" --incumbent "$WORK/inc.csv" --out "$WORK/reg-audit.json" \
    --sign-key "$WORK/keys/ci.pem" --attestation "$WORK/reg.jsonl"
expect_rc "with an incumbent file the gate fails" 1
run fg override --policy "$WORK/reg.yaml" --attestation "$WORK/reg.jsonl" --pubkey "$WORK/keys/ci.pub" --all-failing \
    --approver risk@bank.example --role model-risk --reason r --expires 2025-12-01 --sign-key "$WORK/keys/risk.pem" --out "$WORK/reg.dsse.json"
expect_rc "approved from its attestation" 0
expect_eq "... binding the incumbent file" "$(payload_of "$WORK/reg.dsse.json" | jq -r .incumbent_sha256)" "$(sha256sum <"$WORK/inc.csv" | cut -d' ' -f1)"
run fg check --policy "$WORK/reg.yaml" --candidate "$WORK/loans.csv" --incumbent "$WORK/inc.csv" --override "$WORK/reg.dsse.json" --out "$WORK/o.json"
expect_rc "... and check applies it" 0

# ---- an envelope made before this change still verifies and applies ----
OLD=$FIXTURES/approvals
NOW="2025-11-25 00:00:00"
run fg check --policy "$OLD/old-policy.yaml" --candidate "$OLD/old-loans.csv" --override "$OLD/old-override.dsse.json" --out "$WORK/old.json"
expect_rc "an envelope signed by fairgate 0.1.0 applies" 0
expect_eq "... as it did" "$(jq -r '.overrides[0] | [.status, .gate, .group, .why] | join("|")' "$WORK/old.json")" \
    "applied|four-fifths|race=Black|applied to gate 'four-fifths', group race=Black by risk@bank.example (model-risk)"
expect_eq "... its payload is the one-gate format" "$(payload_of "$OLD/old-override.dsse.json" | jq -c '[.gate, has("gates")]')" '["four-fifths",false]'
finish
