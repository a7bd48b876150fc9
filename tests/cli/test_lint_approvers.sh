#!/bin/sh
# fairgate lint reads every approver's key file (public_key given as a path) as check and
# override will: it must exist and hold an Ed25519 public key, else lint fails at the
# file:line:col of that public_key; and two approvers may not share a key.
. "$(dirname "$0")/lib.sh"
make_keys risk audit
RISK_ID=$(keyid "$WORK/keys/risk.pub")
AUDIT_ID=$(keyid "$WORK/keys/audit.pub")
P=$WORK/policy.yaml
fixture_policy loans-overrides "$P" RISK_ID="$RISK_ID" AUDIT_ID="$AUDIT_ID" REQUIRED=1
LINE=$(grep -n 'public_key: keys/risk.pub' "$P" | cut -d: -f1)
COL=$(sed -n "${LINE}p" "$P" | awk '{ print index($0, "keys/risk.pub") }')

run "$FAIRGATE" lint "$P"
expect_rc "both key files are Ed25519 public keys: ok" 0
expect_eq "... prints ok" "$(cat "$WORK/out")" ok

# bad_key NAME REGEX: lint with keys/risk.pub as it is now fails at its public_key.
bad_key() {
    run "$FAIRGATE" lint "$P"
    expect_rc "$1: exit 2" 2
    expect_grep "$1: at the public_key, with why" "$WORK/err" \
        "^fairgate: error: $P:$LINE:$COL: approver 'risk@bank\.example': public_key $WORK/keys/risk\.pub: $2"
    expect_eq "$1: one line" "$(wc -l <"$WORK/err" | tr -d ' ')" 1
    expect_eq "$1: nothing on stdout" "$(cat "$WORK/out")" ""
}
mv "$WORK/keys/risk.pub" "$WORK/risk.pub.saved"
bad_key "a missing key file" "cannot open: No such file or directory"
cp "$WORK/keys/risk.pem" "$WORK/keys/risk.pub"
bad_key "a private key in the key file" "holds a private key; give the public key"
expect_no_grep "... without echoing it" "$WORK/err" "$(sed -n 2p "$WORK/keys/risk.pem" | cut -c1-24)"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null |
    openssl pkey -pubout -out "$WORK/keys/risk.pub"
bad_key "an RSA public key" "is an RSA key; fairgate needs Ed25519"
openssl genpkey -algorithm ed448 | openssl pkey -pubout -out "$WORK/keys/risk.pub"
bad_key "an Ed448 public key" "is an ED448 key; fairgate needs Ed25519"
printf 'not a key at all\n' >"$WORK/keys/risk.pub"
bad_key "garbage" "no PEM public key found"
: >"$WORK/keys/risk.pub"
bad_key "an empty file" "no PEM public key found"
mv "$WORK/risk.pub.saved" "$WORK/keys/risk.pub"

# An error in the policy's text is reported first, wherever it is; the files after.
rm "$WORK/keys/audit.pub"
sed 's/not_overridable: \[accuracy-floor\]/not_overridable: [accuracy-flor]/' "$P" >"$WORK/typo.yaml"
run "$FAIRGATE" lint "$WORK/typo.yaml"
expect_rc "a typo and a missing key file: exit 2" 2
expect_grep "... the typo first" "$WORK/err" "names unknown gate 'accuracy-flor'"
run "$FAIRGATE" lint "$P"
expect_grep "the second approver's missing file is found too" "$WORK/err" \
    "approver 'audit@bank\.example': public_key $WORK/keys/audit\.pub: cannot open"
cp "$WORK/keys/risk.pub" "$WORK/keys/audit.pub"

# Two approvers, one key: copies of one key file, each pinned by its (same) id.
sed "s/keyid: $AUDIT_ID/keyid: $RISK_ID/" "$P" >"$WORK/shared.yaml"
run "$FAIRGATE" lint "$WORK/shared.yaml"
expect_rc "two approvers sharing a key: exit 2" 2
expect_grep "... at the second approver" "$WORK/err" \
    "shared\.yaml:$((LINE + 1)):7: approver 'audit@bank\.example' has the same key as approver 'risk@bank\.example'"
# ... and the same file for both, pinned with the other key's id: the pin is not the file.
sed "s|public_key: keys/audit.pub|public_key: keys/risk.pub|" "$P" >"$WORK/same-file.yaml"
"$FAIRGATE" keygen --out "$WORK/keys/audit.pem" --pubout "$WORK/keys/audit.pub" --force >/dev/null
sed -i "s/keyid: $AUDIT_ID/keyid: $(keyid "$WORK/keys/audit.pub")/" "$WORK/same-file.yaml"
run "$FAIRGATE" lint "$WORK/same-file.yaml"
expect_rc "one key file named by two approvers with different pins: exit 2" 2
expect_grep "... the pin is not the file's key" "$WORK/err" "approver 'audit@bank\.example': keyid [0-9a-f]{64} is not the id of its key file"
finish
