#!/bin/sh
# Overrides: a signed approval turns a failed gate into pass_with_override only when it
# is valid; every invalid case is rejected with its reason in the audit and exit 1.
# Some envelopes are crafted with the openssl CLI, to get past `fairgate override`'s own
# checks and to show the format is plain DSSE.
. "$(dirname "$0")/lib.sh"
T0=1763769600 # 2025-11-22T00:00:00Z
export SOURCE_DATE_EPOCH=$T0
mkdir -p "$WORK/keys"
for who in risk audit mallory; do
    "$FAIRGATE" keygen --out "$WORK/keys/$who.pem" --pubout "$WORK/keys/$who.pub" >/dev/null
done
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"
"$TOOLS/fg_gen" --rows 5000 --seed 8 --scenario loan >"$WORK/other.csv"

write_policy() { # FILE REQUIRED_APPROVALS
    cat >"$1" <<YAML
version: 1
name: loans-with-overrides
data:
  label: defaulted
  positive_label: "0"
  protected: [race]
  candidate: { prediction: approve_new }
  favorable_prediction: "1"
defaults:
  min_group_size: 30
  on_small_group: skip
gates:
  - id: four-fifths
    metric: selection_rate
    disparity: ratio
    min: 0.8
  - id: selection-floor
    metric: selection_rate
    overall: { min: 0.1 }
  - id: accuracy-floor
    metric: accuracy
    overall: { min: 0.5 }
overrides:
  approvers:
    - { name: risk@bank.example, role: model-risk, public_key: keys/risk.pub }
    - { name: audit@bank.example, role: internal-audit, public_key: keys/audit.pub }
  required_approvals: $2
  max_days: 30
  not_overridable: [accuracy-floor]
YAML
}
P=$WORK/policy.yaml
write_policy "$P" 1
SHA_C=$(sha256sum <"$WORK/loans.csv" | cut -d' ' -f1)
SHA_P=$(sha256sum <"$P" | cut -d' ' -f1)

run "$FAIRGATE" check --policy "$P" --candidate "$WORK/loans.csv"
expect_rc "without an override the gate fails" 1

mk() { # OUT GATE APPROVER ROLE KEY EXPIRES [extra override args]
    out=$1 gate=$2 who=$3 role=$4 key=$5 exp=$6
    shift 6
    run "$FAIRGATE" override --policy "$P" --candidate "$WORK/loans.csv" --gate "$gate" \
        --approver "$who" --role "$role" --reason "accepted for Q4: ticket RISK-1" \
        --ticket RISK-1 --expires "$exp" --sign-key "$WORK/keys/$key.pem" --out "$out" "$@"
}
check_with() { # NAME WANT_RC WANT_STATUS WHY_REGEX override files...
    name=$1 want=$2 status=$3 why=$4
    shift 4
    args=""
    for f in "$@"; do args="$args --override $f"; done
    run "$FAIRGATE" check --policy "${POLICY_FILE:-$P}" --candidate "${CANDIDATE:-$WORK/loans.csv}" \
        --out "$WORK/audit.json" $args
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
SOURCE_DATE_EPOCH=$((T0 + 24 * 86400)) check_with "expired" 1 rejected "expired at the end of 2025-12-15" "$WORK/ok.dsse.json"
SOURCE_DATE_EPOCH=$((T0 + 23 * 86400 + 86399)) check_with "last valid second" 0 applied "applied" "$WORK/ok.dsse.json"

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
        '{gate: $g, group: null, approver: $a, role: $r, reason: "because", ticket: null,
          created: $c, expires: $e, candidate_sha256: $cs, policy_sha256: $ps}'
}
craft "$WORK/crafted.json" "$(payload four-fifths risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01)" risk
check_with "an openssl-signed override is valid" 0 applied "applied" "$WORK/crafted.json"
craft "$WORK/long.json" "$(payload four-fifths risk@bank.example model-risk 2025-11-01T00:00:00Z 2025-12-20)" risk
check_with "too long a validity" 1 rejected "valid for 49 days .* more than max_days 30" "$WORK/long.json"
craft "$WORK/stranger.json" "$(payload four-fifths mallory@evil.example model-risk 2025-11-22T00:00:00Z 2025-12-01)" mallory
check_with "approver not in the policy" 1 rejected "not listed in the policy" "$WORK/stranger.json"
craft "$WORK/wrongkey.json" "$(payload four-fifths risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01)" mallory
check_with "right name, wrong key" 1 rejected "signature does not verify" "$WORK/wrongkey.json"
craft "$WORK/hard.json" "$(payload accuracy-floor risk@bank.example model-risk 2025-11-22T00:00:00Z 2025-12-01)" risk
check_with "not_overridable gate" 1 rejected "not overridable" "$WORK/hard.json"
CANDIDATE=$WORK/other.csv check_with "replayed on another candidate" 1 rejected "another candidate file" "$WORK/ok.dsse.json"
{ cat "$P"; echo "# edited"; } >"$WORK/edited.yaml"
POLICY_FILE=$WORK/edited.yaml check_with "replayed on an edited policy" 1 rejected "another version of the policy" "$WORK/ok.dsse.json"
mk "$WORK/other-gate.json" selection-floor risk@bank.example model-risk risk 2025-12-01
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
mk "$WORK/white.json" four-fifths risk@bank.example model-risk risk 2025-12-01 --group race=White
check_with "a group override of a passing group" 1 rejected "group 'race=White' did not fail" "$WORK/white.json"
mk "$WORK/nogroup.json" four-fifths risk@bank.example model-risk risk 2025-12-01 --group race=Martian
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

run "$FAIRGATE" check --policy "$P" --candidate "$WORK/loans.csv" --override "$WORK/missing.json" --out "$WORK/o.json"
expect_rc "an unreadable override file is an error" 2
expect_absent "no audit after that error" "$WORK/o.json"
finish
