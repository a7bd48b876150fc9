#!/bin/sh
# What a newcomer trips over first. A mistyped command or option is a usage error (exit 2)
# that names what was likely meant, as the policy's mistakes do: the closest name, an option
# the word extends (--output for --out), -h for --help, 'version' for --version, and lint's
# --policy for its argument. And `make demo` ends by saying where the program is, since
# the README's commands call it `fairgate` and nothing has put it on PATH.
. "$(dirname "$0")/lib.sh"
cp "$TESTS_DIR/../policies/loan-approval.yaml" "$WORK/p.yaml"

# hint "ARGS" REGEX: exit 2, the error line matches REGEX, and "Try ... --help" follows.
hint() {
    # shellcheck disable=SC2086 # ARGS is split on purpose
    run "$FAIRGATE" $1
    expect_rc "fairgate $1: exit 2" 2
    expect_grep "... $2" "$WORK/err" "^fairgate: error: $2$"
    expect_grep "... then where to look" "$WORK/err" "^Try 'fairgate .*--help'\.$"
}
hint "check --polcy $WORK/p.yaml" "unknown option '--polcy' \(did you mean '--policy'\?\)"
hint "check --output a.json" "unknown option '--output' \(did you mean '--out'\?\)"
hint "check --canddate=rows.csv" "unknown option '--canddate=rows\.csv' \(did you mean '--candidate'\?\)"
hint "check -h" "unknown option '-h' \(did you mean '--help'\?\)"
hint "override --all-failling" "unknown option '--all-failling' \(did you mean '--all-failing'\?\)"
hint "lint --policy $WORK/p.yaml" \
    "unknown option '--policy': the policy file is the argument itself \(fairgate lint P\.yaml\)"
hint "check --zzz" "unknown option '--zzz'"
hint "chek" "unknown command 'chek' \(did you mean 'check'\?\)"
hint "version" "unknown command 'version' \(did you mean '--version'\?\)"
hint "-v" "unknown command '-v' \(did you mean '--version'\?\)"
hint "metric" "unknown command 'metric' \(did you mean 'metrics'\?\)"
hint "sign" "unknown command 'sign'"

# ---- a small group's reason reads as a sentence, whatever the metric's denominator ----
cat >"$WORK/auc.yaml" <<'YAML'
version: 1
name: auc
data:
  label: y
  positive_label: "1"
  protected: [g]
  candidate: { score: s, threshold: 0.5 }
defaults: { min_group_size: 3 }
gates:
  - id: ranking
    metric: auc
    disparity: difference
    max: 0.5
  - id: recall
    metric: tpr
    disparity: difference
    max: 0.5
YAML
printf 'y,g,s\n1,a,0.9\n1,a,0.8\n1,a,0.7\n0,a,0.1\n0,a,0.2\n0,a,0.3\n1,b,0.9\n1,b,0.6\n0,b,0.5\n0,b,0.4\n0,b,0.1\n' >"$WORK/auc.csv"
run "$FAIRGATE" check --policy "$WORK/auc.yaml" --candidate "$WORK/auc.csv" --out "$WORK/auc.json"
expect_eq "auc: too few of the smaller class, said as a sentence" \
    "$(jq -r '.gates[0].results[] | select(.label == "g=b") | .why' "$WORK/auc.json")" \
    "the smaller of actual positives and actual negatives is only 2 (min_group_size 3)"
expect_eq "tpr: too few actual positives, as before" \
    "$(jq -r '.gates[1].results[] | select(.label == "g=b") | .why' "$WORK/auc.json")" \
    "only 2 actual positives (min_group_size 3)"

# ---- make demo's last lines: the line to paste puts this fairgate on PATH ----
mkdir -p "$WORK/build-demo"
ln -s "$TOOLS" "$WORK/build-demo/tools"
cd "$TESTS_DIR/.." || exit 1
run sh tests/tools/demo.sh "$FAIRGATE" "$WORK/build-demo"
expect_rc "demo.sh: runs (the gate fails, as the demo says)" 0
expect_grep "... says the README's commands call it 'fairgate'" "$WORK/out" \
    "^next: the README's commands call it 'fairgate'; until it is installed"
line=$(tail -1 "$WORK/out")
expect_eq "... and the PATH line it prints finds this fairgate" \
    "$(cd "$WORK" && env -i HOME="$WORK" PATH=/usr/bin:/bin sh -c "$line && command -v fairgate")" \
    "$(cd "$(dirname "$FAIRGATE")" && pwd)/fairgate"
expect_grep "README's quick tour says where fairgate is" README.md 'export PATH="\$PWD/build:\$PATH"'
exit $FAILED
