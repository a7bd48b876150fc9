#!/bin/sh
# make demo: generates realistic synthetic loan decisions (a candidate model that is more
# accurate overall but approves Black applicants less often than the incumbent), then runs
# the real gate on them. The gate is expected to fail, with its reasons.
set -eu
fairgate=$1
build=$2
out=$build/demo
mkdir -p "$out"
"$build/tools/fg_gen" --rows 20000 --seed 7 --scenario loan >"$out/loans.csv"
echo "== fairgate lint policies/loan-approval.yaml"
"$fairgate" lint policies/loan-approval.yaml
echo
echo "== fairgate check --policy policies/loan-approval.yaml --candidate $out/loans.csv --out $out/audit.json"
set +e
"$fairgate" check --policy policies/loan-approval.yaml --candidate "$out/loans.csv" \
    --out "$out/audit.json"
rc=$?
set -e
echo
case $rc in
0) echo "demo: the gate passed (exit 0); the audit is in $out/audit.json" ;;
1) echo "demo: the gate failed (exit 1), as the candidate regresses for one group;"
   echo "      the audit with every group's numbers is in $out/audit.json" ;;
*) echo "demo: fairgate reported an error (exit $rc)" >&2; exit "$rc" ;;
esac
# The README's commands say `fairgate`: where it is, until it is installed.
echo
echo "next: the README's commands call it 'fairgate'; until it is installed (sudo make install,"
echo "      or make deb), put $fairgate on PATH:"
echo "      export PATH=\"$(cd "$(dirname "$fairgate")" && pwd):\$PATH\""
