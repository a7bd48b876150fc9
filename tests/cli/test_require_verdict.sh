#!/bin/sh
# verify --require-verdict: after a successful verification, exit 1 unless the attested
# audit's verdict is in the list, so that a release job asks "is this a signed pass?" in
# one command. An unknown verdict name is a usage error (exit 2).
. "$(dirname "$0")/lib.sh"
export SOURCE_DATE_EPOCH=1763769600 # 2025-11-22T00:00:00Z
fg() { at "2025-11-22 00:00:00" "$FAIRGATE" "$@"; }
make_keys ci risk audit other
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"
P=$WORK/policy.yaml
fixture_policy loans-overrides "$P" RISK_ID="$(keyid "$WORK/keys/risk.pub")" \
    AUDIT_ID="$(keyid "$WORK/keys/audit.pub")" REQUIRED=1
fixture_policy lenient "$WORK/lenient.yaml"

attest() { # NAME POLICY WANT_RC [check args...]
    name=$1 policy=$2 want=$3
    shift 3
    run fg check --policy "$policy" --candidate "$WORK/loans.csv" --out "$WORK/$name.json" \
        --sign-key "$WORK/keys/ci.pem" --attestation "$WORK/$name.jsonl" "$@"
    expect_rc "attestation of a $name audit (exit $want)" "$want"
    expect_eq "... verdict $name" "$(jq -r .verdict "$WORK/$name.json")" "$name"
}
attest fail "$P" 1
attest pass "$WORK/lenient.yaml" 0
fg override --policy "$P" --candidate "$WORK/loans.csv" --gate four-fifths \
    --approver risk@bank.example --role model-risk --reason "accepted: RISK-1" \
    --expires 2025-12-15 --sign-key "$WORK/keys/risk.pem" --out "$WORK/ok.dsse.json" >/dev/null
attest pass_with_override "$P" 0 --override "$WORK/ok.dsse.json"

verify() { # NAME ATTESTATION WANT_RC [verify args...]
    name=$1 att=$2 want=$3
    shift 3
    run fg verify --attestation "$WORK/$att.jsonl" --pubkey "$WORK/keys/ci.pub" "$@"
    expect_rc "$name: exit $want" "$want"
}
verify "a failing audit, no requirement (as before)" fail 0
expect_grep "... valid" "$WORK/out" '^valid$'
verify "a failing audit, --require-verdict pass" fail 1 --require-verdict pass
expect_grep "... the report says the attestation is valid" "$WORK/out" '^valid$'
expect_grep "... and why it is refused" "$WORK/out" \
    "^REFUSED: the attested verdict is 'fail', not one that --require-verdict accepts \(pass\)$"
expect_grep "... the error names the verdict and the list" "$WORK/err" \
    "fail\.jsonl: the attested verdict is 'fail', not one of --require-verdict pass$"
expect_no_grep "... and does not call it invalid" "$WORK/err" "INVALID"
verify "a passing audit, --require-verdict pass" pass 0 --require-verdict pass
expect_no_grep "... nothing refused" "$WORK/out" "REFUSED"
verify "an overridden audit, --require-verdict pass" pass_with_override 1 --require-verdict pass
expect_grep "... names pass_with_override" "$WORK/err" "verdict is 'pass_with_override', not one of --require-verdict pass$"
verify "an overridden audit, --require-verdict pass,pass_with_override" pass_with_override 0 \
    --require-verdict pass,pass_with_override
verify "a failing audit, --require-verdict pass,pass_with_override" fail 1 \
    --require-verdict pass,pass_with_override
expect_grep "... lists both" "$WORK/out" "accepts \(pass, pass_with_override\)$"
verify "a list may name fail" fail 0 --require-verdict fail
# With --audit: the audit file is the attested one, and its verdict is judged.
verify "--audit of an overridden audit, pass,pass_with_override" pass_with_override 0 \
    --audit "$WORK/pass_with_override.json" --require-verdict pass,pass_with_override
verify "--audit of a failing audit, pass,pass_with_override" fail 1 \
    --audit "$WORK/fail.json" --require-verdict pass,pass_with_override
expect_grep "... refused for its verdict" "$WORK/err" "verdict is 'fail'"
verify "--audit that is not the attested one" pass 1 --audit "$WORK/fail.json" --require-verdict pass
expect_grep "... is invalid, whatever the verdict" "$WORK/err" "the attestation is INVALID"
# An invalid attestation stays invalid: the verdict of an unverified audit says nothing.
run fg verify --attestation "$WORK/pass.jsonl" --pubkey "$WORK/keys/other.pub" --require-verdict pass
expect_rc "the wrong key with --require-verdict pass: exit 1" 1
expect_grep "... INVALID" "$WORK/err" "the attestation is INVALID"
expect_no_grep "... no verdict judged" "$WORK/out" "REFUSED"

# Unknown verdict names are usage errors, before anything is read.
for list in passed "pass,,fail" "pass," "" PASS "pass fail"; do
    verify "--require-verdict '$list'" pass 2 --require-verdict "$list"
    expect_grep "... says it is not a verdict" "$WORK/err" "--require-verdict: '.*' is not a verdict"
done
verify "--require-verdict given twice" pass 2 --require-verdict pass --require-verdict fail
finish
