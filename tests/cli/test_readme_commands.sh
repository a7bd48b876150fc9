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

# ---- Overrides: the approval workflow for a non-engineer approver, in five commands ----
# Command N of that block: its lines from the comment "# N." to the next numbered comment.
# The CI's command runs in one folder; the approver's in another that holds no predictions,
# with stubs for gh (it downloads the CI's attestation) and git (it records what it did).
step() {
    block "$README" '^#### The approval workflow for a non-engineer approver' | runnable |
        awk -v n="$1." '/^# [0-9]+\. / { on = ($2 == n) } on'
}
F=$D/five
mkdir -p "$F/ci/keys" "$F/approver/keys" "$F/approver/overrides" "$F/stubs"
cp P.yaml C.csv I.csv ci.pem "$F/ci/" && cp keys/risk.pub.pem "$F/ci/keys/"
cp P.yaml ci.pub.pem risk.pem "$F/approver/" && cp keys/risk.pub.pem "$F/approver/keys/"
printf '#!/bin/sh\ncp "%s"/audit.intoto.jsonl .\n' "$F/ci" >"$F/stubs/gh"
printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s"/git.log\n' "$F" >"$F/stubs/git"
chmod +x "$F/stubs/gh" "$F/stubs/git"
for n in 1 2 3 4 5; do step $n >"$F/step$n.sh"; done
expect_eq "five commands: each numbered step is one command (with its comment)" \
    "$(for n in 1 2 3 4 5; do grep -vc '^#' "$F/step$n.sh"; done | tr '\n' ' ')" "1 1 3 3 1 "
cd "$F/ci" || exit 1
run sh "$F/step1.sh"
expect_rc "five commands, 1 (CI): the check fails and signs its audit" 1
expect_grep "... an attestation of the failed verdict" "$F/ci/audit.intoto.jsonl" '"payloadType"'
cd "$F/approver" || exit 1
run env PATH="$F/stubs:$PATH" sh -e "$F/step2.sh"
expect_rc "five commands, 2: the attestation downloaded" 0
expect_eq "... the approver's folder holds no predictions" "$(find "$F/approver" -name '*.csv' | wc -l)" 0
run sh -e "$F/step3.sh"
expect_rc "five commands, 3 (--dry-run): shows what would be approved" 0
expect_grep "... every failing gate's failing groups" "$WORK/out" "^  fail +race=Black: "
expect_grep "... and the payload, bound to the attested candidate" "$WORK/out" \
    "\"candidate_sha256\":[[:space:]]*\"$(sha256sum <"$F/ci/C.csv" | cut -d' ' -f1)\""
expect_eq "... writing nothing" "$(find "$F/approver/overrides" -type f | wc -l)" 0
run sh -e "$F/step4.sh"
expect_rc "five commands, 4: signed" 0
expect_eq "... one envelope for the failing gates" \
    "$(jq -r .payload "$F/approver/overrides/q4-pilot.dsse.json" | base64 -d | jq -c '[.gates[].gate]')" \
    "$(jq -r .payload "$F/ci/audit.intoto.jsonl" | base64 -d | jq -c '[.predicate.gates[] | select(.status == "fail") | .id]')"
run env PATH="$F/stubs:$PATH" sh -e "$F/step5.sh"
expect_rc "five commands, 5: committed and pushed" 0
expect_eq "... git add, commit, push" "$(cut -d' ' -f1 "$F/git.log" | tr '\n' ' ')" "add commit push "
cd "$F/ci" || exit 1
run "$FAIRGATE" check --policy P.yaml --candidate C.csv --incumbent I.csv \
    --override "$F/approver/overrides/q4-pilot.dsse.json" --out audit.json
expect_rc "five commands: CI's next check applies the approval (exit 0)" 0
expect_eq "... pass_with_override, the envelope applied" \
    "$(jq -c '[.verdict, ([.overrides[].status] | unique)]' audit.json)" '["pass_with_override",["applied"]]'
cd "$D" || exit 1

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
