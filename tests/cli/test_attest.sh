#!/bin/sh
# Signed attestations: keygen, check --attestation, verify with fairgate and with the
# openssl CLI alone, keys from openssl genpkey, and a tamper matrix that never verifies.
. "$(dirname "$0")/lib.sh"
POLICY=$TESTS_DIR/../policies/loan-approval.yaml
export SOURCE_DATE_EPOCH=1763769600
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"
printf 'model weights\n' >"$WORK/model.bin"

run "$FAIRGATE" keygen --out "$WORK/k.pem" --pubout "$WORK/k.pub"
expect_rc "keygen exits 0" 0
expect_eq "private key mode 0600" "$(stat -c %a "$WORK/k.pem")" "600"
expect_grep "private key is PKCS#8 PEM" "$WORK/k.pem" '^-----BEGIN PRIVATE KEY-----$'
expect_grep "public key is SPKI PEM" "$WORK/k.pub" '^-----BEGIN PUBLIC KEY-----$'
keyid=$(openssl pkey -pubin -in "$WORK/k.pub" -outform DER | sha256sum | cut -d' ' -f1)
expect_grep "keygen prints the key id (sha256 of the SPKI DER)" "$WORK/out" "key id $keyid"
cp "$WORK/k.pem" "$WORK/k.pem.orig"
run "$FAIRGATE" keygen --out "$WORK/k.pem" --pubout "$WORK/k2.pub"
expect_rc "keygen never overwrites a key" 2
expect_grep "keygen says --force" "$WORK/err" "force"
if cmp -s "$WORK/k.pem" "$WORK/k.pem.orig"; then ok "the old key is untouched"; else not_ok "the old key is untouched"; fi
expect_absent "no public key left from the refused keygen" "$WORK/k2.pub"
run "$FAIRGATE" keygen --out "$WORK/k.pem" --pubout "$WORK/k.pub" --force
expect_rc "keygen --force replaces" 0
expect_eq "replaced key still 0600" "$(stat -c %a "$WORK/k.pem")" "600"
# --force replaces a key file, never a FIFO or device (a private key must not be written
# into /dev/null, nor the device turned into a key file) nor a symlink.
mkfifo "$WORK/kfifo"
run "$FAIRGATE" keygen --out "$WORK/kfifo" --pubout "$WORK/kf.pub" --force
expect_rc "keygen --force onto a FIFO is refused" 2
[ -p "$WORK/kfifo" ] && ok "and the FIFO is still a FIFO" || not_ok "and the FIFO is still a FIFO"
expect_absent "and no public key is left" "$WORK/kf.pub"
keyid=$(openssl pkey -pubin -in "$WORK/k.pub" -outform DER | sha256sum | cut -d' ' -f1)

A=$WORK/a.intoto.jsonl
run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv" --out "$WORK/audit.json" \
    --sign-key "$WORK/k.pem" --attestation "$A" --subject model=$WORK/model.bin
expect_rc "a failing gate still writes the attestation, exit 1" 1
expect_eq "one line" "$(wc -l <"$A" | tr -d ' ')" "1"
expect_eq "payloadType" "$(jq -r .payloadType "$A")" "application/vnd.in-toto+json"
expect_eq "keyid" "$(jq -r '.signatures[0].keyid' "$A")" "$keyid"
jq -r .payload "$A" | base64 -d >"$WORK/payload.json"
expect_eq "_type" "$(jq -r ._type "$WORK/payload.json")" "https://in-toto.io/Statement/v1"
expect_eq "predicateType" "$(jq -r .predicateType "$WORK/payload.json")" "urn:fairgate:audit:v1"
expect_eq "subjects" "$(jq -r '[.subject[] | "\(.name)=\(.digest.sha256)"] | join(" ")' "$WORK/payload.json")" \
    "loans.csv=$(sha256sum <"$WORK/loans.csv" | cut -d' ' -f1) loan-approval.yaml=$(sha256sum <"$POLICY" | cut -d' ' -f1) model=$(sha256sum <"$WORK/model.bin" | cut -d' ' -f1) audit.json=$(sha256sum <"$WORK/audit.json" | cut -d' ' -f1)"
expect_eq "the predicate is the audit" "$(jq -S .predicate "$WORK/payload.json" | sha256sum)" "$(jq -S . "$WORK/audit.json" | sha256sum)"
if grep -Fq "$(head -c 200 "$WORK/audit.json" | tail -c 120)" "$WORK/payload.json"; then ok "the predicate holds the audit's bytes"; else not_ok "the predicate holds the audit's bytes"; fi

run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv" --sign-key "$WORK/k.pem" \
    --attestation "$WORK/b.intoto.jsonl" --subject model=$WORK/model.bin --quiet
if cmp -s "$A" "$WORK/b.intoto.jsonl"; then ok "signed output is deterministic"; else not_ok "signed output is deterministic"; fi

run "$FAIRGATE" verify --attestation "$A" --pubkey "$WORK/k.pub" --candidate "$WORK/loans.csv" \
    --policy "$POLICY" --subject model=$WORK/model.bin
expect_rc "verify: valid" 0
expect_grep "verify prints the key id" "$WORK/out" "$keyid"
expect_grep "verify prints the verdict" "$WORK/out" '^verdict: fail \(exit_code 1\)$'
expect_grep "verify prints the subjects" "$WORK/out" '^subject: loans.csv sha256:[0-9a-f]{64} \(candidate\) matches'

# The openssl CLI alone: rebuild PAE(payloadType, payload) and check the signature.
type=$(jq -r .payloadType "$A")
len=$(wc -c <"$WORK/payload.json" | tr -d ' ')
{ printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$len"; cat "$WORK/payload.json"; } >"$WORK/pae.bin"
jq -r '.signatures[0].sig' "$A" | base64 -d >"$WORK/sig.bin"
run openssl pkeyutl -verify -pubin -inkey "$WORK/k.pub" -rawin -in "$WORK/pae.bin" -sigfile "$WORK/sig.bin"
expect_rc "openssl pkeyutl verifies fairgate's attestation" 0
expect_grep "openssl says so" "$WORK/out" "Signature Verified Successfully"

# A key made by openssl genpkey signs; fairgate verifies, and so does openssl.
openssl genpkey -algorithm ed25519 -out "$WORK/o.pem" 2>/dev/null
openssl pkey -in "$WORK/o.pem" -pubout -out "$WORK/o.pub" 2>/dev/null
run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv" --sign-key "$WORK/o.pem" \
    --attestation "$WORK/o.intoto.jsonl" --quiet
expect_rc "check signs with an openssl genpkey key" 1
run "$FAIRGATE" verify --attestation "$WORK/o.intoto.jsonl" --pubkey "$WORK/o.pub" --candidate "$WORK/loans.csv"
expect_rc "verify accepts it" 0

# URL-safe base64 without padding verifies too.
jq -c '.payload |= (gsub("\\+"; "-") | gsub("/"; "_") | gsub("="; "")) | .signatures[0].sig |= (gsub("\\+"; "-") | gsub("/"; "_") | gsub("="; ""))' "$A" >"$WORK/url.jsonl"
run "$FAIRGATE" verify --attestation "$WORK/url.jsonl" --pubkey "$WORK/k.pub"
expect_rc "URL-safe base64 verifies" 0

# verify says what it compared: each subject matches the file given or was not checked, and
# how many were; "valid" alone proves the signature, not files nobody gave.
run "$FAIRGATE" verify --attestation "$A" --pubkey "$WORK/k.pub" --candidate "$WORK/loans.csv"
expect_rc "partial verify: valid" 0
expect_grep "partial verify: the policy subject is marked not checked" "$WORK/out" \
    '^subject: loan-approval.yaml sha256:[0-9a-f]{64} \(policy\) not checked$'
expect_grep "partial verify: it counts what was checked" "$WORK/out" '^checked: 1 of 4 subjects; a subject not checked is what the signer states'
run "$FAIRGATE" verify --attestation "$A" --pubkey "$WORK/k.pub" --candidate "$WORK/loans.csv" \
    --policy "$POLICY" --subject model=$WORK/model.bin --audit "$WORK/audit.json"
expect_no_grep "full verify: nothing left unchecked" "$WORK/out" 'not checked'

# sign_pae TYPE PAYLOAD_FILE KEY: a base64 Ed25519 signature over DSSE's PAE, by openssl.
sign_pae() {
    n=$(wc -c <"$2" | tr -d ' ')
    { printf 'DSSEv1 %d %s %d ' "${#1}" "$1" "$n"; cat "$2"; } >"$WORK/pae.x"
    openssl pkeyutl -sign -inkey "$3" -rawin -in "$WORK/pae.x" | base64 -w0
}
# Any one signature by the key verifies (DSSE); verify says which, and that the others,
# whatever keyid they claim, were not checked.
other_sig=$(sign_pae application/vnd.in-toto+json "$WORK/payload.json" "$WORK/o.pem")
jq -c --arg s "$other_sig" --arg k "$(openssl pkey -pubin -in "$WORK/o.pub" -outform DER | sha256sum | cut -d' ' -f1)" \
    '.signatures = [{keyid: $k, sig: $s}] + .signatures + [{keyid: "regulator", sig: "AAAA"}]' "$A" >"$WORK/multi.jsonl"
run "$FAIRGATE" verify --attestation "$WORK/multi.jsonl" --pubkey "$WORK/k.pub"
expect_rc "three signatures, one by the key: valid" 0
expect_grep "... verify names the one that verified and says the others were not checked" "$WORK/out" \
    "^signature: ok, key $keyid \(signature 2 of 3; the other 2 were not checked"
# An envelope of another type, validly signed by the same key, is no attestation (PAE binds
# the type): an override envelope is refused as an attestation and vice versa (test_override).
jq -c --arg s "$(sign_pae application/vnd.fairgate.override+json "$WORK/payload.json" "$WORK/k.pem")" \
    '.payloadType = "application/vnd.fairgate.override+json" | .signatures = [{keyid: "", sig: $s}]' "$A" >"$WORK/otype.jsonl"
run "$FAIRGATE" verify --attestation "$WORK/otype.jsonl" --pubkey "$WORK/k.pub"
expect_rc "an override-typed envelope, validly signed, is not a valid attestation" 1
expect_grep "... for its payloadType" "$WORK/out" "INVALID: payloadType is 'application/vnd.fairgate.override\+json'"

# Two subjects of one name would let `verify --subject model=F` match either file: refused.
run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv" --sign-key "$WORK/k.pem" \
    --attestation "$WORK/dup.jsonl" --subject model=$WORK/model.bin --subject model=$WORK/payload.json --quiet
expect_rc "check: --subject with a name given twice is a usage error" 2
expect_grep "... naming it" "$WORK/err" "--subject model is given twice"
expect_absent "... and writes no attestation" "$WORK/dup.jsonl"

# Tamper matrix: never exit 0.
tamper() { # NAME WANT_RC FILE [verify args...]
    name=$1; want=$2; f=$3; shift 3
    run "$FAIRGATE" verify --attestation "$f" --pubkey "${PUB:-$WORK/k.pub}" "$@"
    expect_rc "tamper: $name exits $want" "$want"
}
sed 's/\(.\{60\}\)./\1A/' "$WORK/payload.json" >"$WORK/p2.json"
cmp -s "$WORK/p2.json" "$WORK/payload.json" && sed -i 's/\(.\{60\}\)./\1B/' "$WORK/p2.json"
base64 -w0 <"$WORK/p2.json" >"$WORK/p2.b64" # a file: the audit outgrows one argument
jq -c --rawfile p "$WORK/p2.b64" '.payload = $p' "$A" >"$WORK/t1"
tamper "a payload byte flipped" 1 "$WORK/t1"
jq -c '.payloadType = "application/json"' "$A" >"$WORK/t2"
tamper "payloadType changed" 1 "$WORK/t2"
jq -c --slurpfile o "$WORK/o.intoto.jsonl" '.signatures = $o[0].signatures' "$A" >"$WORK/t3"
tamper "another signature swapped in" 1 "$WORK/t3"
PUB=$WORK/o.pub tamper "wrong public key" 1 "$A"
head -c 300 "$A" >"$WORK/t5"
tamper "truncated envelope" 2 "$WORK/t5"
jq -c '.signatures[0].sig = "!!not base64!!"' "$A" >"$WORK/t6"
tamper "invalid base64" 2 "$WORK/t6"
jq -c '.signatures = []' "$A" >"$WORK/t7"
tamper "empty signatures list" 1 "$WORK/t7"
printf 'x\n' >>"$WORK/loans.csv"
tamper "candidate digest mismatch" 1 "$A" --candidate "$WORK/loans.csv"
tamper "model digest mismatch" 1 "$A" --subject model=$WORK/p2.json
printf 'not json\n' >"$WORK/t8"
tamper "not JSON" 2 "$WORK/t8"
printf '{"a":1}\n' >"$WORK/t9"
tamper "not an envelope" 2 "$WORK/t9"
tamper "missing file" 2 "$WORK/nope.jsonl"

# verify's report used to format each line into 1024 bytes: a longer subject name was cut
# without a sign. The whole name is shown, and the file is checked against it.
long=$(awk 'BEGIN { for (i = 0; i < 1500; i++) printf "m"; }')
"$TOOLS/fg_gen" --rows 500 --seed 9 --scenario loan >"$WORK/long.csv"
run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/long.csv" --quiet --sign-key "$WORK/k.pem" \
    --attestation "$WORK/long.jsonl" --subject "$long=$WORK/k.pub"
expect_eq "check signs a 1500-byte subject name" "$(cat "$WORK/err")" ""
run "$FAIRGATE" verify --attestation "$WORK/long.jsonl" --pubkey "$WORK/k.pub" --subject "$long=$WORK/k.pub"
expect_rc "a 1500-byte subject name verifies" 0
expect_grep "... and the report shows it whole" "$WORK/out" "^subject: $long sha256:[0-9a-f]{64} \(subject\) matches the file given$"
# An attestation made before the audit was a subject: verify --audit and report --attestation
# compare the audit with the predicate as JSON. cJSON_Compare took numbers one ulp apart as
# equal, so an audit whose value was not the attested one verified. Each number must be the
# same double; the same JSON written otherwise (key order, spacing, 0.8 as 8e-1) still is.
jq -r .payload "$A" | base64 -d | jq -c 'del(.subject[] | select(.annotations."fairgate.role" == "audit"))' |
    tr -d '\n' >"$WORK/old.json"
type=application/vnd.in-toto+json
{ printf 'DSSEv1 %d %s %d ' ${#type} "$type" "$(wc -c <"$WORK/old.json" | tr -d ' ')"; cat "$WORK/old.json"; } >"$WORK/old.pae"
openssl pkeyutl -sign -inkey "$WORK/k.pem" -rawin -in "$WORK/old.pae" -out "$WORK/old.sig"
jq -cn --arg p "$(base64 -w0 <"$WORK/old.json")" --arg s "$(base64 -w0 <"$WORK/old.sig")" --arg t "$type" \
    '{payload: $p, payloadType: $t, signatures: [{keyid: "", sig: $s}]}' >"$WORK/old.jsonl"
run "$FAIRGATE" verify --attestation "$WORK/old.jsonl" --pubkey "$WORK/k.pub" --audit "$WORK/audit.json"
expect_rc "no audit subject: the attested audit verifies (as JSON)" 0
expect_grep "... and verify says how" "$WORK/out" "is the attested predicate \(this attestation names no audit digest\)"
jq -S . "$WORK/audit.json" >"$WORK/same.json"
run "$FAIRGATE" verify --attestation "$WORK/old.jsonl" --pubkey "$WORK/k.pub" --audit "$WORK/same.json"
expect_rc "no audit subject: the same JSON, keys reordered and respaced, verifies" 0
# One value moved by one ulp (its bits plus one; perl is essential in Debian).
v=$(grep -Eo '"value":[[:space:]]*0\.[0-9]{15,}' "$WORK/audit.json" | head -1 | grep -Eo '0\.[0-9]+')
ulp=$(perl -e 'printf "%.17g\n", unpack("d", pack("q", unpack("q", pack("d", $ARGV[0])) + 1))' "$v")
awk -v v="$v" -v u="$ulp" '!done && (i = index($0, v)) { $0 = substr($0, 1, i - 1) u substr($0, i + length(v)); done = 1 } 1' \
    "$WORK/audit.json" >"$WORK/ulp.json"
if cmp -s "$WORK/audit.json" "$WORK/ulp.json"; then not_ok "the one-ulp edit changed the audit"; fi
run "$FAIRGATE" verify --attestation "$WORK/old.jsonl" --pubkey "$WORK/k.pub" --audit "$WORK/ulp.json"
expect_rc "no audit subject: a value one ulp off is not the attested audit" 1
expect_grep "... and verify says so" "$WORK/out" "^INVALID: audit .*ulp.json is not the attested audit"
run "$FAIRGATE" report --attestation "$WORK/old.jsonl" --pubkey "$WORK/k.pub" --audit "$WORK/ulp.json" \
    --markdown "$WORK/ulp.md"
expect_rc "report --attestation refuses it too" 1
expect_absent "... and writes nothing" "$WORK/ulp.md"
finish
