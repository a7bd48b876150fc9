#!/bin/sh
# A single-value option given twice is a usage error (exit 2), never "the last one wins":
# `--gate A --gate B` used to sign an approval of B alone, `--policy` or `--candidate`
# twice judged the second file silently. Repeatable options (--override, --counts,
# --subject) still add one file each. Issue 10, point 10.
. "$(dirname "$0")/lib.sh"
P=$TESTS_DIR/../policies/loan-approval.yaml
"$TOOLS/fg_gen" --rows 400 --seed 3 --scenario loan >"$WORK/loans.csv"
"$FAIRGATE" keygen --out "$WORK/k.pem" --pubout "$WORK/k.pub" >/dev/null

twice() { # NAME COMMAND OPTION ARGS...: the run exits 2, names the option, writes nothing
    name=$1 command=$2 option=$3
    shift 3
    rm -f "$WORK/o.json"
    run "$FAIRGATE" "$command" "$@"
    expect_rc "$name: exit 2" 2
    expect_grep "$name: names the option" "$WORK/err" "error: --$option is given twice; give it once"
    expect_grep "$name: points at --help" "$WORK/err" "Try 'fairgate $command --help'"
    expect_absent "$name: nothing written" "$WORK/o.json"
}

twice "check --policy twice" check policy --policy "$P" --policy "$P" --candidate "$WORK/loans.csv" --out "$WORK/o.json"
twice "check --candidate twice" check candidate --policy "$P" --candidate "$WORK/loans.csv" \
    --candidate "$WORK/loans.csv" --out "$WORK/o.json"
twice "check --out twice" check out --policy "$P" --candidate "$WORK/loans.csv" --out "$WORK/x.json" --out "$WORK/o.json"
twice "check --policy=, abbreviated" check policy --policy="$P" --pol "$P" --candidate "$WORK/loans.csv" --out "$WORK/o.json"
twice "check --sign-key twice" check sign-key --policy "$P" --candidate "$WORK/loans.csv" \
    --sign-key "$WORK/k.pem" --sign-key "$WORK/k.pem" --attestation "$WORK/a.jsonl" --out "$WORK/o.json"
# --gate is repeatable now: one envelope for every gate named (test_approve.sh); every
# single-value option of override is still refused twice.
twice "override --group twice" override group --policy "$P" --candidate "$WORK/loans.csv" \
    --gate four-fifths --group sex=Female --group sex=Male --approver a --role r --reason x \
    --expires 2099-01-01 --sign-key "$WORK/k.pem" --out "$WORK/o.json"
twice "override --attestation twice" override attestation --policy "$P" --attestation "$WORK/a.jsonl" \
    --attestation "$WORK/a.jsonl" --pubkey "$WORK/k.pub" --gate four-fifths --approver a --role r \
    --reason x --expires 2099-01-01 --sign-key "$WORK/k.pem" --out "$WORK/o.json"
twice "override --audit twice" override audit --policy "$P" --audit "$WORK/a.json" --audit "$WORK/a.json" \
    --all-failing --approver a --role r --reason x --expires 2099-01-01 --sign-key "$WORK/k.pem" \
    --out "$WORK/o.json"
twice "override --expires twice" override expires --policy "$P" --candidate "$WORK/loans.csv" \
    --gate four-fifths --approver a --role r --reason x --expires 2099-01-01 --expires 2099-01-02 \
    --sign-key "$WORK/k.pem" --out "$WORK/o.json"
twice "verify --pubkey twice" verify pubkey --attestation "$WORK/a.jsonl" --pubkey "$WORK/k.pub" --pubkey "$WORK/k.pub"
twice "verify --candidate twice" verify candidate --attestation "$WORK/a.jsonl" --pubkey "$WORK/k.pub" \
    --candidate "$WORK/loans.csv" --candidate "$WORK/loans.csv"
twice "report --html twice" report html --audit "$WORK/a.json" --html "$WORK/o.json" --html "$WORK/o.json"
twice "counts --incumbent twice" counts incumbent --policy "$P" --candidate "$WORK/loans.csv" \
    --incumbent "$WORK/loans.csv" --incumbent "$WORK/loans.csv" --out "$WORK/o.json"
twice "sql --dialect twice" sql dialect --policy "$P" --table t --dialect postgres --dialect sqlite
twice "keygen --out twice" keygen out --out "$WORK/o.json" --out "$WORK/o.json" --pubout "$WORK/o.pub"
expect_absent "keygen --out twice: no public key" "$WORK/o.pub"

# A flag without a value may repeat harmlessly; repeatable options still add files.
run "$FAIRGATE" check --policy "$P" --candidate "$WORK/loans.csv" --quiet --quiet --out "$WORK/o.json"
expect_eq "--quiet twice is accepted" "$RC" "$(jq -r .exit_code "$WORK/o.json")"
run "$FAIRGATE" check --policy "$P" --candidate "$WORK/loans.csv" --sign-key "$WORK/k.pem" \
    --attestation "$WORK/a.jsonl" --subject m1="$WORK/k.pub" --subject m2="$P" --quiet
expect_eq "--subject twice: both attested" \
    "$(head -n 1 "$WORK/a.jsonl" | jq -r .payload | base64 -d | jq -r '[.subject[].name] | map(select(. == "m1" or . == "m2")) | join(",")')" "m1,m2"
finish
