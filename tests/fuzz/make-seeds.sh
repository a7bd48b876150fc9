#!/bin/sh
# Regenerates the signed seeds of tests/fuzz/corpus/{override,attest,report} with the
# TEST-ONLY keys in tests/fuzz/keys (never use them for anything else: their private
# halves are public in this repository). Ed25519 signatures are deterministic, so the
# same fairgate gives the same bytes. Usage: sh tests/fuzz/make-seeds.sh build/fairgate
set -eu
FAIRGATE=$(cd "$(dirname "${1:?usage: make-seeds.sh FAIRGATE}")" && pwd)/$(basename "$1")
F=$(cd "$(dirname "$0")" && pwd)
X=$F/fixture
C=$F/corpus
W=$(mktemp -d "${TMPDIR:-/tmp}/fg-seeds.XXXXXX")
trap 'rm -rf "$W"' EXIT
ln -s "$X" "$W/fixture" # audits name the files as given: run in $W, name them fixture/...
cd "$W"
export SOURCE_DATE_EPOCH=1763769600 # fuzz_override's fixed time, 2025-11-22T00:00:00Z
export LC_ALL=C
# Approvals are made and judged by the real clock (SOURCE_DATE_EPOCH fixes only the times
# fairgate writes): run fairgate at that time under Debian's faketime.
fg() { TZ=UTC faketime -f "2025-11-22 00:00:00" "$FAIRGATE" "$@"; }

mk() { # OUT POLICY KEY APPROVER ROLE [override args]
    out=$1 pol=$2 key=$3 who=$4 role=$5
    shift 5
    fg override --policy "$X/$pol.yaml" --candidate "$X/candidate.csv" \
        --approver "$who" --role "$role" --reason "fuzz seed" \
        --sign-key "$F/keys/TEST-ONLY-approver-$key.pem" --out "$W/$out" "$@" >/dev/null
}
payload() { jq -r .payload "$W/$1" | base64 -d; }
seed() { # NAME FIRST_BYTE(octal) then the content on stdin
    { printf "\\$2"; cat; } >"$C/override/$1"
}

mkdir -p "$C/override" "$C/attest" "$C/report"
mk one-gate policy-one a a@test.invalid model-risk --gate four-fifths --expires 2025-12-01
mk one-group policy-one a a@test.invalid model-risk --gate four-fifths --group grp=a \
    --expires 2025-12-01 --ticket T-1
mk two-a policy-two a a@test.invalid model-risk --gate four-fifths --expires 2025-12-01
mk two-b policy-two b b@test.invalid audit --gate four-fifths --expires 2025-12-01

# mode 0: one envelope as it is
seed valid-gate 000 <"$W/one-gate"
seed valid-group 000 <"$W/one-group"
sed 's/"sig":"./"sig":"A/' "$W/one-gate" | seed tampered-signature 000
seed only-one-of-two 001 <"$W/two-a"
# mode 1: two envelope lines
cat "$W/two-a" "$W/two-b" | seed two-approvers 003
cat "$W/two-a" "$W/two-a" | seed same-approver-twice 003
# mode 2: the payload, signed by a in the target
payload one-gate | seed payload-gate 004
payload one-group | seed payload-group 004
payload one-gate | sed 's/"four-fifths"/"floor"/' | seed payload-not-overridable 004
payload one-gate | sed 's/2025-12-01/2025-11-01/' | seed payload-expired 004
payload one-gate | sed 's/"policy_sha256":"./"policy_sha256":"0/' | seed payload-other-policy 004
payload one-gate | sed 's/,"ticket":null//' | seed payload-no-ticket 004
# mode 3: two payloads, signed by a and b
{ payload two-a; echo; payload two-b; } | seed payloads-two 007

# attestations: a valid one, as is (mode 0) and as a statement (mode 1); near misses
fg check --policy fixture/policy-one.yaml --candidate fixture/candidate.csv --quiet \
    --out audit.json --sign-key "$F/keys/TEST-ONLY-approver-a.pem" --attestation att ||
    [ $? -eq 1 ]
{ printf '\000'; cat "$W/att"; } >"$C/attest/valid"
statement() { jq -r .payload "$W/att" | base64 -d | jq -c .; }
{ printf '\001'; statement; } >"$C/attest/statement"
{ printf '\001'; statement | sed 's/"sha256":"./"sha256":"0/'; } >"$C/attest/statement-other-digest"
{ printf '\001'; statement | jq -c '.predicateType = "urn:other"'; } >"$C/attest/statement-other-type"
# envelope-level near misses on the small override envelope (the signature cannot matter)
{ printf '\000'; cat "$W/one-gate"; } >"$C/attest/override-envelope"
{ printf '\000'; sed 's/"payloadType":"application\/vnd.fairgate.override+json"/"payloadType":"application\/vnd.in-toto+json\\u0000x"/' "$W/one-gate"; } \
    >"$C/attest/escaped-nul-type"
{ printf '\000\357\273\277'; cat "$W/one-gate"; } >"$C/attest/bom"
{ printf '\000'; tr -d '\n' <"$W/one-gate"; printf ' {}\n'; } >"$C/attest/trailing-bytes"
{ printf '\000'; echo '{"payload":"","payloadType":"","signatures":[]}'; } >"$C/attest/empty"

# keys: mode 2 reads a public key, mode 3 a private one
K=$F/keys/TEST-ONLY-approver-a
{ printf '\002'; cat "$K.pub"; } >"$C/attest/public-key"
{ printf '\003'; cat "$K.pem"; } >"$C/attest/private-key"
{ printf '\002'; cat "$K.pub"; printf '\000'; cat "$K.pem"; } >"$C/attest/public-key-nul-private"
{ printf '\002'; cat "$K.pem"; } >"$C/attest/private-key-as-public"

# audits, for the report target
jq -c . "$W/audit.json" >"$C/report/fail"
fg check --policy fixture/policy-one.yaml --candidate fixture/candidate.csv --quiet \
    --out audit-override.json --override one-group
jq -c . "$W/audit-override.json" >"$C/report/override"
head -c 700 "$C/report/fail" >"$C/report/truncated"
jq -c '.verdict = "maybe"' "$W/audit.json" >"$C/report/unknown-verdict"
jq -c '.gates[0].results[0].label = "a%0A::stop-commands::tok\n::x"' "$W/audit.json" \
    >"$C/report/hostile-group"
