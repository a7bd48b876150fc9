#!/bin/sh
# Overrides: a signed approval turns a failed gate into pass_with_override only when it
# is valid; every invalid case is rejected with its reason in the audit and exit 1.
# Some envelopes are crafted with the openssl CLI, to get past `fairgate override`'s own
# checks and to show the format is plain DSSE.
. "$(dirname "$0")/lib.sh"
# The real clock judges overrides; these tests stop it at NOW with libfaketime (at, lib.sh).
# SOURCE_DATE_EPOCH fixes only the audit's 'created'.
T0=1763769600 # 2025-11-22T00:00:00Z
NOW="2025-11-22 00:00:00"
export SOURCE_DATE_EPOCH=$T0
fg() { at "$NOW" "$FAIRGATE" "$@"; }
mkdir -p "$WORK/keys"
for who in risk audit mallory; do
    "$FAIRGATE" keygen --out "$WORK/keys/$who.pem" --pubout "$WORK/keys/$who.pub" >/dev/null
done
RISK_ID=$(keyid "$WORK/keys/risk.pub")
AUDIT_ID=$(keyid "$WORK/keys/audit.pub")
MALLORY_ID=$(keyid "$WORK/keys/mallory.pub")
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"
"$TOOLS/fg_gen" --rows 5000 --seed 8 --scenario loan >"$WORK/other.csv"

write_policy() { # FILE REQUIRED_APPROVALS
    fixture_policy loans-overrides "$1" RISK_ID="$RISK_ID" AUDIT_ID="$AUDIT_ID" REQUIRED="$2"
}
P=$WORK/policy.yaml
write_policy "$P" 1
SHA_C=$(sha256sum <"$WORK/loans.csv" | cut -d' ' -f1)
SHA_P=$(sha256sum <"$P" | cut -d' ' -f1)

run fg check --policy "$P" --candidate "$WORK/loans.csv"
expect_rc "without an override the gate fails" 1

mk() { # OUT GATE APPROVER ROLE KEY EXPIRES [extra override args]
    out=$1 gate=$2 who=$3 role=$4 key=$5 exp=$6
    shift 6
    run fg override --policy "${POLICY_FILE:-$P}" --candidate "${CANDIDATE:-$WORK/loans.csv}" --gate "$gate" \
        --approver "$who" --role "$role" --reason "accepted for Q4: ticket RISK-1" \
        --ticket RISK-1 --expires "$exp" --sign-key "$WORK/keys/$key.pem" --out "$out" "$@"
}
check_with() { # NAME WANT_RC WANT_STATUS WHY_REGEX override files...
    name=$1 want=$2 status=$3 why=$4
    shift 4
    args=""
    for f in "$@"; do args="$args --override $f"; done
    run fg check --policy "${POLICY_FILE:-$P}" --candidate "${CANDIDATE:-$WORK/loans.csv}" \
        ${INCUMBENT:+--incumbent "$INCUMBENT"} --out "$WORK/audit.json" $args
    expect_rc "$name: exit $want" "$want"
    expect_eq "$name: status $status" "$(jq -r '[.overrides[].status] | join(",")' "$WORK/audit.json")" "$status"
    if jq -r '.overrides[].why' "$WORK/audit.json" | grep -Eq -- "$why"; then ok "$name: why"; else
        not_ok "$name: why" "want /$why/" "got: $(jq -r '.overrides[].why' "$WORK/audit.json")"; fi
}

mk "$WORK/ok.dsse.json" four-fifths risk@bank.example model-risk risk 2025-12-15
expect_rc "override: created" 0
check_with "valid override" 0 applied "applied to gate 'four-fifths'" "$WORK/ok.dsse.json"
expect_eq "valid override: verdict" "$(jq -r .verdict "$WORK/audit.json")" "pass_with_override"
expect_eq "valid override: exit_code" "$(jq -r .exit_code "$WORK/audit.json")" "0"
expect_eq "valid override: gate overridden" "$(jq -r '.gates[0].status' "$WORK/audit.json")" "overridden"
expect_eq "valid override: recorded" "$(jq -r '.overrides[0] | [.gate, .approver, .reason, .expires] | join("|")' "$WORK/audit.json")" \
    "four-fifths|risk@bank.example|accepted for Q4: ticket RISK-1|2025-12-15"
expect_grep "valid override: summary" "$WORK/out" '^verdict: PASS WITH OVERRIDE$'

# Expired: valid through 2025-12-15, checked on 2025-12-16.
NOW="2025-12-16 00:00:00"
check_with "expired" 1 rejected "expired at the end of 2025-12-15" "$WORK/ok.dsse.json"
NOW="2025-12-15 23:59:59"
check_with "last valid second" 0 applied "applied" "$WORK/ok.dsse.json"
NOW="2025-11-22 00:00:00"

# SOURCE_DATE_EPOCH fixes the times fairgate writes, never the clock that judges: an
# expired approval stays expired (today, by the real clock) whatever it says ...
run env SOURCE_DATE_EPOCH=$T0 "$FAIRGATE" check --policy "$P" --candidate "$WORK/loans.csv" \
    --override "$WORK/ok.dsse.json" --out "$WORK/audit.json"
expect_rc "SOURCE_DATE_EPOCH before the expiry does not revive an expired approval" 1
expect_eq "... it is rejected as expired" "$(jq -r '.overrides[0].why' "$WORK/audit.json")" \
    "it expired at the end of 2025-12-15 (UTC)"
expect_eq "... while the audit's created is SOURCE_DATE_EPOCH's" "$(jq -r .created "$WORK/audit.json")" \
    "2025-11-22T00:00:00Z"
# ... nor lets `fairgate override` sign an expiry in the past or date it by SOURCE_DATE_EPOCH.
run env SOURCE_DATE_EPOCH=$T0 "$FAIRGATE" override --policy "$P" --candidate "$WORK/loans.csv" \
    --gate four-fifths --approver risk@bank.example --role model-risk --reason r \
    --expires 2025-12-15 --sign-key "$WORK/keys/risk.pem" --out "$WORK/x.json"
expect_rc "override: SOURCE_DATE_EPOCH does not make a past expiry acceptable" 2
expect_grep "override: says it is in the past" "$WORK/err" "--expires 2025-12-15 is in the past"
expect_absent "override: nothing written" "$WORK/x.json"
run at "2025-11-25 10:00:00" env SOURCE_DATE_EPOCH=$T0 "$FAIRGATE" override --policy "$P" \
    --candidate "$WORK/loans.csv" --gate four-fifths --approver risk@bank.example --role model-risk \
    --reason r --expires 2025-12-15 --sign-key "$WORK/keys/risk.pem" --out "$WORK/x.json"
expect_rc "override: made under SOURCE_DATE_EPOCH" 0
expect_eq "override: created is the real time, not SOURCE_DATE_EPOCH" \
    "$(jq -r .payload "$WORK/x.json" | base64 -d | jq -r .created)" "2025-11-25T10:00:00Z"
rm -f "$WORK/x.json"

# The CLI refuses what the policy forbids.
mk "$WORK/x.json" four-fifths risk@bank.example model-risk risk 2026-02-01
expect_rc "override: refuses validity beyond max_days" 2
expect_grep "override: says max_days" "$WORK/err" "at most 30"
mk "$WORK/x.json" accuracy-floor risk@bank.example model-risk risk 2025-12-01
expect_rc "override: refuses a not_overridable gate" 2
mk "$WORK/x.json" four-fifths risk@bank.example model-risk mallory 2025-12-01
expect_rc "override: refuses a key the policy does not list" 2
expect_absent "override: no file after a refusal" "$WORK/x.json"

# craft OUT PAYLOAD_JSON KEY: a DSSE envelope signed with the openssl CLI.
craft() {
    printf '%s' "$2" >"$WORK/payload"
    type=application/vnd.fairgate.override+json
    n=$(wc -c <"$WORK/payload" | tr -d ' ')
    { printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$n"; cat "$WORK/payload"; } >"$WORK/pae"
    openssl pkeyutl -sign -inkey "$WORK/keys/$3.pem" -rawin -in "$WORK/pae" -out "$WORK/sig"
    jq -cn --arg p "$(base64 -w0 <"$WORK/payload")" --arg s "$(base64 -w0 <"$WORK/sig")" --arg t "$type" \
        '{payload: $p, payloadType: $t, signatures: [{keyid: "", sig: $s}]}' >"$1"
}
payload() { # GATE APPROVER ROLE CREATED EXPIRES [CANDIDATE_SHA] [POLICY_SHA]
    jq -cn --arg g "$1" --arg a "$2" --arg r "$3" --arg c "$4" --arg e "$5" \
        --arg cs "${6:-$SHA_C}" --arg ps "${7:-$SHA_P}" \
        '{gate: $g, group: null, slice: null, approver: $a, role: $r, reason: "because",
          ticket: null, created: $c, expires: $e, candidate_sha256: $cs, incumbent_sha256: null,
          policy_sha256: $ps}'
}
craft "$WORK/crafted.json" "$(payload four-fifths risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01)" risk
check_with "an openssl-signed override is valid" 0 applied "applied" "$WORK/crafted.json"
# What `fairgate override` refuses to sign, check refuses to apply: an empty reason; and
# every digest bound must be a SHA-256 (an empty or placeholder digest never matches).
craft "$WORK/noreason.json" "$(payload four-fifths risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01 | jq -c '.reason = ""')" risk
check_with "an empty reason" 1 rejected "its reason is empty" "$WORK/noreason.json"
craft "$WORK/upper.json" "$(payload four-fifths risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01 "$(echo "$SHA_C" | tr a-f A-F)")" risk
check_with "a digest in upper case" 1 rejected "must be SHA-256 digests" "$WORK/upper.json"
craft "$WORK/long.json" "$(payload four-fifths risk@bank.example model-risk 2025-11-01T00:00:00Z 2025-12-20)" risk
check_with "too long a validity" 1 rejected "valid for 49 days .* more than max_days 30" "$WORK/long.json"
craft "$WORK/stranger.json" "$(payload four-fifths mallory@evil.example model-risk 2025-11-22T00:00:00Z 2025-12-01)" mallory
check_with "approver not in the policy" 1 rejected "not listed in the policy" "$WORK/stranger.json"
craft "$WORK/wrongkey.json" "$(payload four-fifths risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01)" mallory
check_with "right name, wrong key" 1 rejected "signature does not verify" "$WORK/wrongkey.json"
craft "$WORK/hard.json" "$(payload accuracy-floor risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01)" risk
check_with "not_overridable gate" 1 rejected "not overridable" "$WORK/hard.json"
CANDIDATE=$WORK/other.csv check_with "replayed on another candidate" 1 rejected "another candidate file" "$WORK/ok.dsse.json"
# A comment alone keeps the policy's meaning (test_policy_digest.sh); a changed bound does not.
sed 's/^    min: 0\.8$/    min: 0.85/' "$P" >"$WORK/edited.yaml"
POLICY_FILE=$WORK/edited.yaml check_with "replayed on an edited policy" 1 rejected "another version of the policy" "$WORK/ok.dsse.json"
# `fairgate override` refuses to sign for a gate that passed (below); one signed anyway is
# rejected by check.
craft "$WORK/other-gate.json" "$(payload selection-floor risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01)" risk
check_with "an override of another (passing) gate" 1 rejected "did not fail" "$WORK/other-gate.json"
jq -c '.payloadType = "application/vnd.in-toto+json"' "$WORK/ok.dsse.json" >"$WORK/type.json"
check_with "wrong payloadType" 1 rejected "payloadType" "$WORK/type.json"
jq -c '.signatures[0].sig = "AAAA"' "$WORK/ok.dsse.json" >"$WORK/badsig.json"
check_with "a broken signature" 1 rejected "signature does not verify" "$WORK/badsig.json"

# An override of one group covers that group only.
mk "$WORK/black.json" four-fifths risk@bank.example model-risk risk 2025-12-01 --group race=Black
expect_rc "override: a group override is created" 0
check_with "a group override covering the failing group" 0 applied "group race=Black" "$WORK/black.json"
expect_eq "group override: that result is overridden" \
    "$(jq -r '.gates[0].results[] | select(.label == "race=Black") | .status' "$WORK/audit.json")" "overridden"
# What `fairgate override` refuses to sign (test_approve.sh), crafted, check rejects.
group_payload() { # LABEL SLICE_JSON
    payload four-fifths risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01 |
        jq -c --arg l "$1" --argjson s "$2" '.group = $l | .slice = $s'
}
craft "$WORK/white.json" "$(group_payload race=White '{"race":"White"}')" risk
check_with "a group override of a passing group" 1 rejected "group 'race=White' did not fail" "$WORK/white.json"
craft "$WORK/nogroup.json" "$(group_payload race=Martian '{"race":"Martian"}')" risk
check_with "a group override of an unknown group" 1 rejected "has no group 'race=Martian'" "$WORK/nogroup.json"

# Two approvals required: the same approver twice counts once; two approvers suffice.
P2=$WORK/policy2.yaml
write_policy "$P2" 2
SHA_P=$(sha256sum <"$P2" | cut -d' ' -f1)
craft "$WORK/r1.json" "$(payload four-fifths risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01)" risk
craft "$WORK/r2.json" "$(payload four-fifths risk@bank.example model-risk 2025-11-22T00:00:01Z 2025-12-02)" risk
craft "$WORK/a1.json" "$(payload four-fifths audit@bank.example internal-audit 2025-11-22T00:00:00Z 2025-12-01)" audit
POLICY_FILE=$P2 check_with "same approver twice" 1 "rejected,rejected" "counts once" "$WORK/r1.json" "$WORK/r2.json"
expect_grep "same approver twice: 1 of 2" "$WORK/audit.json" "1 of 2 required approvals"
POLICY_FILE=$P2 check_with "two distinct approvers" 0 "applied,applied" "applied" "$WORK/r1.json" "$WORK/a1.json"

# ---- 1. the policy pins each approver's key; a swapped key file is an error ----
# Without a keyid, a path names whatever bytes are at it: such a policy is refused, and the
# error says how to pin the key (lint, which reads the file, gives the exact line).
sed "s/, keyid: $RISK_ID//" "$P" >"$WORK/unpinned.yaml"
run fg check --policy "$WORK/unpinned.yaml" --candidate "$WORK/loans.csv" --override "$WORK/ok.dsse.json"
expect_rc "an approver key path without keyid is refused" 2
expect_grep "... at file:line:col with how to pin it" "$WORK/err" \
    "unpinned\.yaml:[0-9]+:7: approver 'risk@bank\.example' names its public key by path, so the policy must pin it: add 'keyid: <64 hex digits>'.*openssl pkey -pubin -in keys/risk\.pub -outform DER \| sha256sum"
run "$FAIRGATE" lint "$WORK/unpinned.yaml"
expect_rc "lint refuses it too" 2
expect_grep "lint gives the exact line to add" "$WORK/err" "add the line 'keyid: $RISK_ID' to this approver"
# The key file swapped for another key's, the policy unchanged: an error naming both ids.
cp "$WORK/keys/risk.pub" "$WORK/keys/risk.pub.orig"
cp "$WORK/keys/mallory.pub" "$WORK/keys/risk.pub"
craft "$WORK/forged.json" "$(payload four-fifths risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01)" mallory
run fg check --policy "$P" --candidate "$WORK/loans.csv" --override "$WORK/forged.json" --out "$WORK/o.json"
expect_rc "a key file that is not the pinned key is an error" 2
expect_grep "... naming the file, the approver and both ids" "$WORK/err" \
    "keys/risk\.pub: is not the key the policy pins for approver 'risk@bank\.example': its key id is $MALLORY_ID, the policy's keyid \(.*policy\.yaml:[0-9]+:7\) is $RISK_ID"
expect_absent "... and writes no audit" "$WORK/o.json"
mk "$WORK/x.json" four-fifths risk@bank.example model-risk mallory 2025-12-01
expect_rc "override: refuses to sign with a swapped key file" 2
expect_grep "override: says the key file is not the pinned key" "$WORK/err" "is not the key the policy pins"
cp "$WORK/keys/risk.pub.orig" "$WORK/keys/risk.pub"
# A key given inline is covered by the policy's digest; a keyid beside it must be its id.
{
    sed '/approvers:/q' "$P"
    echo "    - name: risk@bank.example"
    echo "      role: model-risk"
    echo "      public_key: |"
    sed 's/^/        /' "$WORK/keys/risk.pub"
    echo "  required_approvals: 1"
} >"$WORK/inline.yaml"
POLICY_FILE=$WORK/inline.yaml mk "$WORK/inline.dsse.json" four-fifths risk@bank.example model-risk risk 2025-12-01
expect_rc "override: an inline key signs" 0
POLICY_FILE=$WORK/inline.yaml check_with "an override checked against an inline key" 0 applied "applied" "$WORK/inline.dsse.json"
expect_eq "... recorded with its key id" "$(jq -r '.overrides[0].keyid' "$WORK/audit.json")" "$RISK_ID"
POLICY_FILE=$WORK/inline.yaml mk "$WORK/x.json" four-fifths risk@bank.example model-risk mallory 2025-12-01
expect_rc "override: another key than the inline one is refused" 2
sed "s/      role: model-risk/      role: model-risk\n      keyid: $MALLORY_ID/" "$WORK/inline.yaml" >"$WORK/inline-bad.yaml"
run "$FAIRGATE" lint "$WORK/inline-bad.yaml"
expect_rc "lint: a keyid that is not the inline key's id" 2
expect_grep "... says so at the keyid" "$WORK/err" \
    "inline-bad\.yaml:[0-9]+:14: approver 'risk@bank\.example': keyid $MALLORY_ID is not the id of the inline public_key \($RISK_ID\)"

# A private key pasted as the inline key is refused as such, never taken for a file name
# and echoed (part of the secret) into the error.
sed -e "/^    - name: risk@bank.example/,\$d" "$WORK/inline.yaml" >"$WORK/inline-priv.yaml"
{
    echo "    - name: risk@bank.example"
    echo "      role: model-risk"
    echo "      keyid: $RISK_ID"
    echo "      public_key: |"
    sed 's/^/        /' "$WORK/keys/risk.pem"
} >>"$WORK/inline-priv.yaml"
run "$FAIRGATE" lint "$WORK/inline-priv.yaml"
expect_rc "lint: a private key inline is refused" 2
expect_grep "... as a private key" "$WORK/err" "inline public_key of approver 'risk@bank\.example': holds a private key"
expect_no_grep "... without echoing it" "$WORK/err" "$(sed -n 2p "$WORK/keys/risk.pem" | cut -c1-24)"

# ---- 2. one key, one approver ----
sed "s|public_key: keys/audit.pub, keyid: $AUDIT_ID|public_key: keys/risk.pub, keyid: $RISK_ID|" "$P2" >"$WORK/shared.yaml"
run "$FAIRGATE" lint "$WORK/shared.yaml"
expect_rc "lint: two approvers with one key are refused" 2
line=$(grep -n 'name: audit@bank.example' "$WORK/shared.yaml" | cut -d: -f1)
expect_grep "... at the second entry" "$WORK/err" \
    "shared\.yaml:$line:7: approver 'audit@bank\.example' has the same key as approver 'risk@bank\.example'"
craft "$WORK/a-by-risk.json" "$(payload four-fifths audit@bank.example internal-audit 2025-11-22T00:00:00Z 2025-12-01)" risk
run fg check --policy "$WORK/shared.yaml" --candidate "$WORK/loans.csv" --override "$WORK/r1.json" \
    --override "$WORK/a-by-risk.json" --out "$WORK/o.json"
expect_rc "check: one signature does not count as two approvals" 2
expect_absent "... no audit" "$WORK/o.json"
{
    sed '/approvers:/q' "$P2"
    for who in risk audit; do
        echo "    - name: $who@bank.example"
        echo "      role: model-risk"
        echo "      public_key: |"
        sed 's/^/        /' "$WORK/keys/risk.pub"
    done
    echo "  required_approvals: 2"
} >"$WORK/shared-inline.yaml"
run "$FAIRGATE" lint "$WORK/shared-inline.yaml"
expect_rc "lint: the same inline key twice is refused" 2
expect_grep "... with the place of the second" "$WORK/err" "shared-inline\.yaml:[0-9]+:7: approver 'audit@bank\.example' has the same key"
SHA_P=$(sha256sum <"$P2" | cut -d' ' -f1)

# ---- 3. an approval binds the incumbent it was made against ----
# The issue's case: approved while comparing with incumbent A, offered when the gate
# compares with incumbent B, where other groups fail.
awk -F, 'BEGIN { OFS = "," } { print $1, $6 }' "$WORK/loans.csv" >"$WORK/inc-a.csv"
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $1, $6; next } { print $1, ($3 == "White" ? 0 : 1) }' \
    "$WORK/loans.csv" >"$WORK/inc-b.csv"
fixture_policy regression-overrides "$WORK/reg.yaml" RISK_ID="$RISK_ID"
failing() { jq -r '[.gates[0].results[] | select(.status == "fail") | .label] | join(",")' "$1"; }
run fg check --policy "$WORK/reg.yaml" --candidate "$WORK/loans.csv" --incumbent "$WORK/inc-a.csv" --out "$WORK/ra.json"
expect_rc "incumbent A: the regression gate fails" 1
run fg check --policy "$WORK/reg.yaml" --candidate "$WORK/loans.csv" --incumbent "$WORK/inc-b.csv" --out "$WORK/rb.json"
expect_rc "incumbent B: it fails too" 1
if [ "$(failing "$WORK/ra.json")" != "$(failing "$WORK/rb.json")" ]; then ok "... on other groups"; else
    not_ok "... on other groups" "A and B both fail: $(failing "$WORK/ra.json")"; fi
POLICY_FILE=$WORK/reg.yaml mk "$WORK/reg-a.json" no-regression risk@bank.example model-risk risk 2025-12-01 \
    --incumbent "$WORK/inc-a.csv"
expect_rc "override: made against incumbent A" 0
expect_eq "override: the payload binds incumbent A" \
    "$(jq -r .payload "$WORK/reg-a.json" | base64 -d | jq -r .incumbent_sha256)" "$(sha256sum <"$WORK/inc-a.csv" | cut -d' ' -f1)"
POLICY_FILE=$WORK/reg.yaml INCUMBENT=$WORK/inc-a.csv check_with "it applies when check compares with A" 0 applied "applied" "$WORK/reg-a.json"
POLICY_FILE=$WORK/reg.yaml INCUMBENT=$WORK/inc-b.csv check_with "it is rejected when check compares with B" 1 rejected \
    "made comparing with another incumbent file" "$WORK/reg-a.json"
POLICY_FILE=$WORK/reg.yaml check_with "... or with the incumbent column of the candidate file" 1 rejected \
    "this check has none" "$WORK/reg-a.json"
POLICY_FILE=$WORK/reg.yaml mk "$WORK/reg-none.json" no-regression risk@bank.example model-risk risk 2025-12-01
POLICY_FILE=$WORK/reg.yaml INCUMBENT=$WORK/inc-b.csv check_with "an override made without --incumbent does not apply with one" 1 rejected \
    "made for a check without an incumbent file" "$WORK/reg-none.json"
# A payload that binds no incumbent at all (as made before) is rejected.
SHA_REG=$(sha256sum <"$WORK/reg.yaml" | cut -d' ' -f1)
craft "$WORK/reg-old.json" "$(payload no-regression risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01 "$SHA_C" "$SHA_REG" |
    jq -c 'del(.incumbent_sha256)')" risk
POLICY_FILE=$WORK/reg.yaml INCUMBENT=$WORK/inc-b.csv check_with "a payload without incumbent_sha256" 1 rejected \
    "has no 'incumbent_sha256'" "$WORK/reg-old.json"
run fg override --policy "$WORK/reg.yaml" --counts "$WORK/inc-a.csv" --incumbent "$WORK/inc-a.csv" --gate no-regression \
    --approver risk@bank.example --role model-risk --reason r --expires 2025-12-01 --sign-key "$WORK/keys/risk.pem" --out "$WORK/x.json"
expect_rc "override: --incumbent with --counts is a usage error" 2

# ---- 5. a group is named by its slice, never by its label ----
# The issue's case: the group {sex: "Female & race=Black"} of sex alone and the group
# {sex: Female, race: Black} of the intersection both fail; their labels used to be equal.
awk 'BEGIN {
    print "sex,race,y,pred"
    for (i = 0; i < 10; i++) print "Male,White,1,1"
    for (i = 0; i < 40; i++) print "Male,Black,1,1"
    for (i = 0; i < 40; i++) print "Female,White,1,1"
    for (i = 0; i < 10; i++) print "Female,Black,1," (i < 2)
    for (i = 0; i < 10; i++) print "Female & race=Black,White,1," (i < 2)
}' >"$WORK/amp.csv"
fixture_policy ampersands-overrides "$WORK/amp.yaml" RISK_ID="$RISK_ID"
status_of() { # SLICE_JSON: the parity result status of the group with that slice
    jq -r --argjson s "$1" '.gates[0].results[] | select(.slice == $s) | .status' "$WORK/audit.json"
}
label_of() { jq -r --argjson s "$1" '.groups[] | select(.slice == $s) | .label' "$WORK/audit.json"; }
POLICY_FILE=$WORK/amp.yaml CANDIDATE=$WORK/amp.csv mk "$WORK/amp.json" parity risk@bank.example model-risk risk 2025-12-01 \
    --group "sex=Female & race=Black"
expect_rc "override: a group of the intersection" 0
expect_eq "override: the payload names the group by its slice" \
    "$(jq -r .payload "$WORK/amp.json" | base64 -d | jq -c .slice)" '{"sex":"Female","race":"Black"}'
POLICY_FILE=$WORK/amp.yaml CANDIDATE=$WORK/amp.csv check_with "the intersection override" 1 applied "applied" "$WORK/amp.json"
expect_eq "... overrides the intersection's group" "$(status_of '{"sex":"Female","race":"Black"}')" overridden
expect_eq "... and not the group of sex alone whose value holds ' & race='" "$(status_of '{"sex":"Female & race=Black"}')" fail
expect_eq "labels are unambiguous: the value's '&' and '=' are escaped" "$(label_of '{"sex":"Female & race=Black"}')" \
    'sex=Female \& race\=Black'
expect_eq "... the intersection's label is unchanged" "$(label_of '{"sex":"Female","race":"Black"}')" 'sex=Female & race=Black'
POLICY_FILE=$WORK/amp.yaml CANDIDATE=$WORK/amp.csv mk "$WORK/amp-sex.json" parity risk@bank.example model-risk risk 2025-12-01 \
    --group 'sex=Female \& race\=Black'
expect_rc "override: the escaped label names the group of sex alone" 0
expect_eq "override: ... by its slice" "$(jq -r .payload "$WORK/amp-sex.json" | base64 -d | jq -c .slice)" \
    '{"sex":"Female & race=Black"}'
POLICY_FILE=$WORK/amp.yaml CANDIDATE=$WORK/amp.csv check_with "that override" 1 applied "applied" "$WORK/amp-sex.json"
expect_eq "... overrides the group of sex alone" "$(status_of '{"sex":"Female & race=Black"}')" overridden
expect_eq "... and not the intersection's" "$(status_of '{"sex":"Female","race":"Black"}')" fail
expect_eq "... the audit records its slice" "$(jq -c '.overrides[0].slice' "$WORK/audit.json")" '{"sex":"Female & race=Black"}'
run fg report --audit "$WORK/audit.json" --junit "$WORK/amp.xml"
expect_eq "... and the JUnit notes it on that one testcase only" "$(grep -c '^override by' "$WORK/amp.xml")" 1
POLICY_FILE=$WORK/amp.yaml CANDIDATE=$WORK/amp.csv mk "$WORK/x.json" parity risk@bank.example model-risk risk 2025-12-01 \
    --group "religion=none"
expect_rc "override: --group with an attribute the policy does not protect" 2
expect_grep "... says so" "$WORK/err" "'religion' is not a protected attribute"
POLICY_FILE=$WORK/amp.yaml CANDIDATE=$WORK/amp.csv mk "$WORK/x.json" parity risk@bank.example model-risk risk 2025-12-01 \
    --group "race=Black & race=White"
expect_rc "override: --group naming an attribute twice" 2
POLICY_FILE=$WORK/amp.yaml CANDIDATE=$WORK/amp.csv mk "$WORK/x.json" parity risk@bank.example model-risk risk 2025-12-01 \
    --group "Female"
expect_rc "override: --group that is not a label" 2
expect_absent "override: no file after those" "$WORK/x.json"
# A payload whose label says one group and whose slice another is rejected; one with a
# label and no slice (as made before) is too.
SHA_AMP=$(sha256sum <"$WORK/amp.yaml" | cut -d' ' -f1)
SHA_AMPC=$(sha256sum <"$WORK/amp.csv" | cut -d' ' -f1)
craft "$WORK/amp-lie.json" "$(payload parity risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01 "$SHA_AMPC" "$SHA_AMP" |
    jq -c '.group = "sex=Female & race=Black" | .slice = {"sex": "Female & race=Black"}')" risk
POLICY_FILE=$WORK/amp.yaml CANDIDATE=$WORK/amp.csv check_with "a label that does not name the slice" 1 rejected \
    "does not name its slice" "$WORK/amp-lie.json"
craft "$WORK/amp-old.json" "$(payload parity risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01 "$SHA_AMPC" "$SHA_AMP" |
    jq -c '.group = "sex=Female & race=Black" | del(.slice)')" risk
POLICY_FILE=$WORK/amp.yaml CANDIDATE=$WORK/amp.csv check_with "a group without a slice" 1 rejected \
    "names a group but has no 'slice'" "$WORK/amp-old.json"
craft "$WORK/amp-dup.json" "$(payload parity risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01 "$SHA_AMPC" "$SHA_AMP" |
    jq -c '.group = "sex=Female & race=Black" | .slice = {"sex": "Female", "race": "Black"}' | sed 's/"race":"Black"/"sex":"Female"/')" risk
POLICY_FILE=$WORK/amp.yaml CANDIDATE=$WORK/amp.csv check_with "a slice naming an attribute twice" 1 rejected \
    "'sex' is given twice in slice" "$WORK/amp-dup.json"

# ---- required_approvals with group and whole-gate approvals mixed ----
# Approvals count per failing group: a whole-gate approval counts for every group. The audit's
# applied overrides are exactly those the verdict rests on: a whole-gate approval that completes
# a group's two approvals is applied (it used to be recorded as rejected while it counted).
POLICY_FILE=$P2 mk "$WORK/m-black.json" four-fifths risk@bank.example model-risk risk 2025-12-01 --group race=Black
POLICY_FILE=$P2 mk "$WORK/m-gate.json" four-fifths audit@bank.example internal-audit audit 2025-12-01
POLICY_FILE=$P2 check_with "a group approval and a whole-gate one make two for that group" 0 "applied,applied" \
    "applied to gate 'four-fifths' by audit" "$WORK/m-black.json" "$WORK/m-gate.json"
expect_eq "... the audit shows as many applied approvals as required" \
    "$(jq '[.overrides[] | select(.status == "applied")] | length' "$WORK/audit.json")" 2
POLICY_FILE=$P2 check_with "a group approval alone is one of two" 1 rejected \
    "1 of 2 required approvals .* for gate 'four-fifths', group race=Black" "$WORK/m-black.json"
# With on_small_group: fail, race=Native (14 rows) blocks too: the whole-gate approval
# completes race=Black's approvals but leaves race=Native with one.
sed 's/on_small_group: skip/on_small_group: fail/' "$P2" >"$WORK/small-fail.yaml"
POLICY_FILE=$WORK/small-fail.yaml mk "$WORK/s-black.json" four-fifths risk@bank.example model-risk risk 2025-12-01 --group race=Black
POLICY_FILE=$WORK/small-fail.yaml mk "$WORK/s-gate.json" four-fifths audit@bank.example internal-audit audit 2025-12-01
POLICY_FILE=$WORK/small-fail.yaml check_with "a whole-gate approval counted for one of two blocking groups" 1 "applied,applied" \
    "counted for 1 of its 2 failing groups" "$WORK/s-black.json" "$WORK/s-gate.json"
expect_eq "... race=Black is overridden" \
    "$(jq -r '.gates[0].results[] | select(.label == "race=Black") | .status' "$WORK/audit.json")" overridden
expect_eq "... race=Native, one approval short, still blocks" \
    "$(jq -r '.gates[0].results[] | select(.label == "race=Native") | .status' "$WORK/audit.json")" insufficient_data
expect_eq "... and the gate fails" "$(jq -r '.gates[0].status' "$WORK/audit.json")" fail
POLICY_FILE=$WORK/small-fail.yaml mk "$WORK/s-native.json" four-fifths risk@bank.example model-risk risk 2025-12-01 --group race=Native
POLICY_FILE=$WORK/small-fail.yaml check_with "a group approval for each blocking group plus a whole-gate one" 0 \
    "applied,applied,applied" "applied" "$WORK/s-black.json" "$WORK/s-native.json" "$WORK/s-gate.json"

run fg check --policy "$P" --candidate "$WORK/loans.csv" --override "$WORK/missing.json" --out "$WORK/o.json"
expect_rc "an unreadable override file is an error" 2
expect_absent "no audit after that error" "$WORK/o.json"
finish
