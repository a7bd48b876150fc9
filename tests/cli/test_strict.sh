#!/bin/sh
# Issue 10, points 4, 6 and 7: the attestation binds the bytes judged (a pipe is attested by
# its rows, not by the empty string of a second read); reports and the release recipe read a
# verified audit; envelopes, statements and key files that a strict reader would refuse are
# refused (each form re-signed with the openssl CLI, so only the strictness can refuse it).
. "$(dirname "$0")/lib.sh"
POLICY=$TESTS_DIR/../policies/loan-approval.yaml
export SOURCE_DATE_EPOCH=1763769600
"$TOOLS/fg_gen" --rows 3000 --seed 11 --scenario loan >"$WORK/loans.csv"
rows_sha=$(sha256sum <"$WORK/loans.csv" | cut -d' ' -f1)
"$FAIRGATE" keygen --out "$WORK/k.pem" --pubout "$WORK/k.pub" >/dev/null
A=$WORK/a.intoto.jsonl

# ---- point 4: the digest of exactly the bytes ingested ----
cat "$WORK/loans.csv" | "$FAIRGATE" check --policy "$POLICY" --candidate /dev/stdin --quiet \
    --out "$WORK/pipe-audit.json" --sign-key "$WORK/k.pem" --attestation "$WORK/pipe.jsonl"
jq -r .payload "$WORK/pipe.jsonl" | base64 -d >"$WORK/pipe-payload.json"
expect_eq "a piped candidate is attested with the digest of its rows" \
    "$(jq -r '.subject[] | select(.annotations."fairgate.role" == "candidate") | .digest.sha256' "$WORK/pipe-payload.json")" \
    "$rows_sha"
expect_eq "and the audit records the same digest" \
    "$(jq -r .inputs.candidate.sha256 "$WORK/pipe-audit.json")" "$rows_sha"
run "$FAIRGATE" verify --attestation "$WORK/pipe.jsonl" --pubkey "$WORK/k.pub" --candidate "$WORK/loans.csv"
expect_rc "verify --candidate with the same rows: valid" 0

# ---- point 6: verified reports and audits ----
run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv" --out "$WORK/audit.json" \
    --markdown "$WORK/check.md" --junit "$WORK/check.xml" --sign-key "$WORK/k.pem" --attestation "$A"
expect_rc "check: the loan policy fails a gate (exit 1)" 1
expect_eq "the attestation names the audit by the digest of its bytes" \
    "$(jq -r .payload "$A" | base64 -d | jq -r '.subject[] | select(.annotations."fairgate.role" == "audit") | "\(.name) \(.digest.sha256)"')" \
    "audit.json $(sha256sum <"$WORK/audit.json" | cut -d' ' -f1)"
jq -c '.verdict = "pass" | .exit_code = 0' "$WORK/audit.json" >"$WORK/tampered.json"

run "$FAIRGATE" verify --attestation "$A" --pubkey "$WORK/k.pub" --audit "$WORK/audit.json"
expect_rc "verify --audit: the audit check wrote is the attested one" 0
expect_grep "verify says the audit matches" "$WORK/out" '^subject: audit.json sha256:[0-9a-f]{64} \(audit\) matches'
run "$FAIRGATE" verify --attestation "$A" --pubkey "$WORK/k.pub" --audit "$WORK/tampered.json"
expect_rc "verify --audit: a tampered audit is invalid (exit 1)" 1
expect_grep "verify names the digest mismatch" "$WORK/out" 'INVALID: digest mismatch: audit'
jq . "$WORK/audit.json" >"$WORK/reformatted.json"
run "$FAIRGATE" verify --attestation "$A" --pubkey "$WORK/k.pub" --audit "$WORK/reformatted.json"
expect_rc "verify --audit: other bytes (reformatted) are not the attested audit" 1

# The README's release recipe: a verified verdict.
verdict=$("$FAIRGATE" verify --attestation "$A" --pubkey "$WORK/k.pub" --audit "$WORK/audit.json" >/dev/null &&
    jq -r .verdict "$WORK/audit.json")
expect_eq "release recipe reads the verified verdict" "$verdict" "fail"
verdict=$("$FAIRGATE" verify --attestation "$A" --pubkey "$WORK/k.pub" --audit "$WORK/tampered.json" >/dev/null 2>&1 &&
    jq -r .verdict "$WORK/tampered.json")
expect_eq "release recipe reads nothing from a tampered audit" "$verdict" ""

run "$FAIRGATE" report --attestation "$A" --pubkey "$WORK/k.pub" --markdown "$WORK/r.md" --junit "$WORK/r.xml"
expect_rc "report --attestation --pubkey exits 0" 0
if cmp -s "$WORK/check.md" "$WORK/r.md" && cmp -s "$WORK/check.xml" "$WORK/r.xml"; then
    ok "report renders the attested audit: the files check wrote"
else not_ok "report renders the attested audit: the files check wrote"; fi
expect_no_grep "a verified report warns of nothing" "$WORK/err" 'warning'
run "$FAIRGATE" report --attestation "$A" --pubkey "$WORK/k.pub" --audit "$WORK/audit.json" --markdown "$WORK/r2.md"
expect_rc "report --attestation with the attested --audit exits 0" 0
if cmp -s "$WORK/check.md" "$WORK/r2.md"; then ok "and renders it"; else not_ok "and renders it"; fi
run "$FAIRGATE" report --attestation "$A" --pubkey "$WORK/k.pub" --audit "$WORK/tampered.json" --markdown "$WORK/r3.md"
expect_rc "report with a tampered --audit and the attestation exits 1" 1
expect_absent "and writes nothing" "$WORK/r3.md"
openssl genpkey -algorithm ed25519 -out "$WORK/o.pem" 2>/dev/null
openssl pkey -in "$WORK/o.pem" -pubout -out "$WORK/o.pub" 2>/dev/null
run "$FAIRGATE" report --attestation "$A" --pubkey "$WORK/o.pub" --markdown "$WORK/r4.md"
expect_rc "report with the wrong key exits 1" 1
expect_absent "and writes nothing" "$WORK/r4.md"
run "$FAIRGATE" report --attestation "$WORK/nope.jsonl" --pubkey "$WORK/k.pub" --markdown "$WORK/r5.md"
expect_rc "report with a missing attestation exits 2" 2
expect_absent "and writes nothing" "$WORK/r5.md"
run "$FAIRGATE" report --attestation "$A" --markdown "$WORK/r6.md"
expect_rc "report --attestation without --pubkey is a usage error" 2
run "$FAIRGATE" report --audit "$WORK/tampered.json" --markdown "$WORK/t.md"
expect_rc "report --audit alone still renders" 0
expect_grep "but warns that the file is unverified" "$WORK/err" '^fairgate: warning: .*tampered.json is not verified; give --attestation A --pubkey P'
expect_eq "one line of warning" "$(wc -l <"$WORK/err" | tr -d ' ')" "1"
printf '\357\273\277' | cat - "$WORK/audit.json" >"$WORK/bom.json"
run "$FAIRGATE" report --audit "$WORK/bom.json" --markdown "$WORK/b.md"
expect_rc "report --audit refuses an audit with a byte order mark" 2
expect_grep "naming the file and place" "$WORK/err" 'bom.json:1:1: the audit is not JSON: .*byte order mark'
{ cat "$WORK/audit.json"; printf '\000{}'; } >"$WORK/nul.json"
run "$FAIRGATE" report --audit "$WORK/nul.json" --markdown "$WORK/n.md"
expect_rc "report --audit refuses an audit with a NUL byte after it" 2

# ---- point 7: strict envelopes, statements and key files ----
jq -r .payload "$A" | base64 -d >"$WORK/statement.json"
TYPE=application/vnd.in-toto+json
# sign FILE OUT: an envelope over FILE's exact bytes, signed by the openssl CLI
sign() {
    len=$(wc -c <"$1" | tr -d ' ')
    { printf 'DSSEv1 %d %s %d ' "${#TYPE}" "$TYPE" "$len"; cat "$1"; } >"$WORK/pae.bin"
    openssl pkeyutl -sign -inkey "$WORK/k.pem" -rawin -in "$WORK/pae.bin" -out "$WORK/sig.bin"
    base64 -w0 <"$1" >"$WORK/payload.b64" # a file: the audit outgrows one argument
    jq -nc --rawfile p "$WORK/payload.b64" --arg s "$(base64 -w0 <"$WORK/sig.bin")" --arg t "$TYPE" \
        '{payload: $p, payloadType: $t, signatures: [{keyid: "", sig: $s}]}' >"$2"
}
sign "$WORK/statement.json" "$WORK/resigned.jsonl"
run "$FAIRGATE" verify --attestation "$WORK/resigned.jsonl" --pubkey "$WORK/k.pub"
expect_rc "control: the statement re-signed with openssl verifies" 0

{ cat "$WORK/statement.json"; printf '\000\000\000'; } >"$WORK/s-nul"
sign "$WORK/s-nul" "$WORK/e-nul.jsonl"
run "$FAIRGATE" verify --attestation "$WORK/e-nul.jsonl" --pubkey "$WORK/k.pub"
expect_rc "NUL bytes after the statement: invalid" 1
expect_grep "says why" "$WORK/out" 'INVALID: .*a NUL byte'

{ cat "$WORK/statement.json"; printf ' {"predicate":{"verdict":"pass"}}'; } >"$WORK/s-trail"
sign "$WORK/s-trail" "$WORK/e-trail.jsonl"
run "$FAIRGATE" verify --attestation "$WORK/e-trail.jsonl" --pubkey "$WORK/k.pub"
expect_rc "trailing bytes after the statement: invalid" 1
expect_grep "says why" "$WORK/out" 'INVALID: .*after the JSON value'

# A second predicate: cJSON read the first (fail), jq reads the last (pass).
sed 's/}$/,"predicate":{"verdict":"pass","exit_code":0}}/' "$WORK/statement.json" >"$WORK/s-dup"
expect_eq "control: jq reads the second predicate" "$(jq -r .predicate.verdict "$WORK/s-dup")" "pass"
sign "$WORK/s-dup" "$WORK/e-dup.jsonl"
run "$FAIRGATE" verify --attestation "$WORK/e-dup.jsonl" --pubkey "$WORK/k.pub"
expect_rc "a key given twice in the statement: invalid" 1
expect_grep "says why" "$WORK/out" "INVALID: .*'predicate' is given twice"
run "$FAIRGATE" report --attestation "$WORK/e-dup.jsonl" --pubkey "$WORK/k.pub" --markdown "$WORK/d.md"
expect_rc "report refuses it too" 1
expect_absent "and writes nothing" "$WORK/d.md"

jq -c '.payloadType += "\u0000trailer"' "$A" >"$WORK/e-esc.jsonl"
expect_grep "control: the envelope holds an escaped NUL" "$WORK/e-esc.jsonl" 'json\\u0000trailer'
run "$FAIRGATE" verify --attestation "$WORK/e-esc.jsonl" --pubkey "$WORK/k.pub"
expect_rc "an escaped NUL in payloadType: refused (exit 2)" 2
expect_grep "with the place" "$WORK/err" 'e-esc.jsonl:1:[0-9]+: the DSSE envelope is not JSON: the escape \\u0000'

printf '\357\273\277' | cat - "$A" >"$WORK/e-bom.jsonl"
run "$FAIRGATE" verify --attestation "$WORK/e-bom.jsonl" --pubkey "$WORK/k.pub"
expect_rc "a byte order mark before the envelope: refused (exit 2)" 2
expect_grep "says so" "$WORK/err" 'byte order mark'

{ cat "$WORK/k.pub"; printf '\000'; cat "$WORK/k.pem"; } >"$WORK/pub-nul.pem"
run "$FAIRGATE" verify --attestation "$A" --pubkey "$WORK/pub-nul.pem"
expect_rc "a public key with a private key after a NUL: refused (exit 2)" 2
expect_grep "says so" "$WORK/err" 'pub-nul.pem: holds a NUL byte'
{ cat "$WORK/k.pub"; echo "trailing"; } >"$WORK/pub-trail.pem"
run "$FAIRGATE" verify --attestation "$A" --pubkey "$WORK/pub-trail.pem"
expect_rc "a public key with text after it: refused (exit 2)" 2
cat "$WORK/o.pub" "$WORK/k.pub" >"$WORK/pub-two.pem"
run "$FAIRGATE" verify --attestation "$A" --pubkey "$WORK/pub-two.pem"
expect_rc "two public keys in one file: refused (exit 2)" 2
expect_grep "says so" "$WORK/err" 'more than one PEM block'
finish
