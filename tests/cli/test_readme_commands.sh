#!/bin/sh
# The commands README.md and ci-examples/README.md show are run as written, taken from the
# documents themselves (so an edit that breaks one fails here), in a folder holding files
# of the placeholder names: P.yaml, C.csv, I.csv, model.onnx, ci.pem, risk.pem. Only the
# `[...]` brackets of optional parts are removed, and a fixed --expires day is moved to a
# day within the policy's max_days.
. "$(dirname "$0")/lib.sh"
README=$TESTS_DIR/../README.md
CI_README=$TESTS_DIR/../ci-examples/README.md
unset SOURCE_DATE_EPOCH

# runnable: optional parts "[--x Y]" without their brackets, the README's expiry day moved.
EXPIRES=$(date -u -d '+10 days' +%F)
runnable() { sed -e 's/\[\(--[^]]*\)\]/\1/g' -e "s/--expires 2026-12-15/--expires $EXPIRES/"; }

D=$WORK/repo
mkdir -p "$D/keys" "$D/overrides"
cd "$D" || exit 1
PATH=$(dirname "$FAIRGATE"):$PATH
export PATH
"$TOOLS/fg_gen" --rows 3000 --seed 11 --scenario loan >rows.csv
cp rows.csv C.csv # one file with both models' predictions; split for the override below
echo "model bytes" >model.onnx

# ---- Keys: the first command, as written ----
block "$README" '^### Keys' | head -1 >keys.sh
run sh keys.sh
expect_rc "README keys: fairgate keygen" 0
"$FAIRGATE" keygen --out risk.pem --pubout keys/risk.pub.pem >/dev/null

# ---- the policy: the loan policy with the README's overrides section, keyid filled in ----
{
    sed -n '/^version:/,$p' "$TESTS_DIR/../policies/loan-approval.yaml"
    block "$README" '^### Overrides: from a failed build' |
        sed "s/keyid: 5d2c0f…e41f/keyid: $(keyid keys/risk.pub.pem)/"
} >P.yaml
run "$FAIRGATE" lint P.yaml
expect_rc "README overrides section (keyid pinned, inline key): lint says ok" 0
sed "s/keyid: [0-9a-f]\{64\}/keyid: $(keyid ci.pub.pem)/" P.yaml >P-stale.yaml
run "$FAIRGATE" lint P-stale.yaml
expect_rc "lint: a key file that is not its pin is an error" 2
expect_grep "... naming file:line:col, both ids and what to do" "$WORK/err" \
    "P-stale\.yaml:[0-9]+:[0-9]+: approver 'risk-officer@bank\.example': keyid $(keyid ci.pub.pem) is not the id of its key file .*keys/risk\.pub\.pem \($(keyid keys/risk.pub.pem)\): restore"

# ---- Attestations: check and verify, as written ----
block "$README" '^### Attestations' | runnable >attest.sh
run sh attest.sh # check exits 1 (the gate fails, and is signed); verify's status is the script's
expect_rc "README attestations: check with --sign-key/--attestation/--subject, then verify" 0
expect_grep "... check wrote the attestation of the failed gate" "$WORK/out" '^verdict: FAIL' 
expect_grep "... verify says valid" "$WORK/out" '^valid$'

# ---- Which file is evidence: the release recipe ----
block "$README" '^\*\*Which file is evidence' >release.sh
run sh -e release.sh
expect_rc "README release recipe: verify --audit && jq" 0
expect_eq "... reads the verdict" "$(tail -1 "$WORK/out")" "fail"
block "$README" '^\*\*One command for a release job' >require.sh
run sh -e require.sh
expect_rc "README release job: verify --require-verdict refuses the failing audit (exit 1)" 1
expect_grep "... naming its verdict and the list" "$WORK/err" \
    "the attested verdict is 'fail', not one of --require-verdict pass,pass_with_override"

# ---- Without fairgate, with OpenSSL alone ----
block "$README" '^Without fairgate, with OpenSSL alone' >openssl.sh
run sh -e openssl.sh
expect_rc "README OpenSSL-alone verification" 0
expect_grep "... openssl says the signature verifies" "$WORK/out" 'Signature Verified Successfully'

# ---- Overrides step 2 and 3: sign, then check with the override (two files, id join) ----
cut -d, -f1-4,8 rows.csv >C.csv
cut -d, -f1,6 rows.csv >I.csv
# The CI's run the approver approves from: its attestation, no data.
"$FAIRGATE" check --policy P.yaml --candidate C.csv --incumbent I.csv --sign-key ci.pem \
    --attestation audit.intoto.jsonl --quiet
block "$README" '^2\. The build fails' | runnable >override.sh
run sh -e override.sh
expect_rc "README override (--attestation, --group): signed" 0
expect_grep "... after showing the failing results" "$WORK/out" "^  fail +race=Black: "
run "$FAIRGATE" check --policy P.yaml --candidate C.csv --incumbent I.csv \
    --override overrides/four-fifths.dsse.json
expect_grep "README override: applied to the group it names" "$WORK/out" \
    '^override overrides/four-fifths\.dsse\.json: applied'
run "$FAIRGATE" override --policy P.yaml --candidate C.csv --incumbent I.csv --gate four-fifths \
    --group 'sex=Female&race=Black' --approver risk-officer@bank.example --role model-risk \
    --reason r --expires "$EXPIRES" --sign-key risk.pem --out overrides/bad.dsse.json
expect_rc "override --group with an unescaped '&' in a value: usage error" 2
expect_grep "... says to write ' & '" "$WORK/err" "unescaped '&' inside a value; separate .*' & '"
expect_absent "... and writes nothing" overrides/bad.dsse.json
run "$FAIRGATE" override --policy P.yaml --candidate C.csv --incumbent I.csv --gate four-fifths \
    --approver risk-officer@bank.example --role model-risk --reason r --expires "$EXPIRES" \
    --sign-key risk.pem --out no-such-folder/o.dsse.json
expect_rc "override --out into a missing folder: an error" 2
expect_grep "... that names the folder and says to create it" "$WORK/err" \
    "no-such-folder/o\.dsse\.json: cannot create a temporary file in the folder 'no-such-folder': .*create the folder first"

# ---- ci-examples/README.md: the approver's override, then verifying a release ----
mkdir -p "$D/ci/policies/keys" "$D/ci/predictions" "$D/ci/keys" "$D/ci/stubs"
cd "$D/ci" || exit 1
cp ../P.yaml policies/loan-approval.yaml
cp ../keys/risk.pub.pem policies/keys/
cp ../rows.csv predictions/candidate.csv
cp ../ci.pub.pem keys/ci.pub.pem
printf '#!/bin/sh\nexit 0\n' >stubs/git
printf '#!/bin/sh\ncp "%s"/audit.json "%s"/audit.intoto.jsonl .\n' "$D/ci/built" "$D/ci/built" >stubs/gh
chmod +x stubs/git stubs/gh
block "$CI_README" '^## Overrides: how an approver' | runnable |
    sed "s|~/keys/risk.pem|$D/risk.pem|" >override.sh
run env PATH="$D/ci/stubs:$PATH" sh -e override.sh
expect_rc "ci-examples README: the approver's override command" 0
mkdir -p built
run "$FAIRGATE" check --policy policies/loan-approval.yaml --candidate predictions/candidate.csv \
    --override overrides/four-fifths.dsse.json --out built/audit.json \
    --sign-key ../ci.pem --attestation built/audit.intoto.jsonl
expect_grep "... the pipeline applies it" "$WORK/out" '^override overrides/four-fifths\.dsse\.json: applied'
block "$CI_README" '^## Verifying a release' >verify.sh
run env PATH="$D/ci/stubs:$PATH" sh -e verify.sh
expect_rc "ci-examples README: verifying a release" 0
expect_eq "... reads the verified verdict" "$(tail -1 "$WORK/out")" "fail"

exit $FAILED
