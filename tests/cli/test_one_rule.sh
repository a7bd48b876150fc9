#!/bin/sh
# One set of rules (issue 11): gate.c names each gate's worst result and the limit it was
# held to in the audit (worst_result, results[].limit); the console summary, Markdown,
# HTML and JUnit all show that group and that limit, for the demo's audit, an audit with
# an override and one whose vs_incumbent gate improved everywhere (which names no group).
. "$(dirname "$0")/lib.sh"
T0=1763769600 # 2025-11-22T00:00:00Z
NOW="2025-11-22 00:00:00"
export SOURCE_DATE_EPOCH=$T0

# check_all DIR [check args...]: check writing every format into DIR; stdout in DIR/out.
check_all() {
    d=$1
    shift
    mkdir -p "$d"
    run at "$NOW" "$FAIRGATE" check "$@" --out "$d/audit.json" --markdown "$d/r.md" \
        --html "$d/r.html" --junit "$d/r.xml"
    cp "$WORK/out" "$d/out"
}

html_escape() { printf '%s' "$1" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g'; }

# same_worst NAME DIR: for every gate, each format names the audit's worst group and limit.
same_worst() {
    name=$1 d=$2
    n=$(jq '.gates | length' "$d/audit.json")
    i=0
    while [ "$i" -lt "$n" ]; do
        id=$(jq -r ".gates[$i].id" "$d/audit.json")
        group=$(jq -r ".gates[$i] | if .worst_result == null then \"\" else .results[.worst_result].label end" "$d/audit.json")
        lname=$(jq -r ".gates[$i] | if .worst_result == null then \"\" else (.results[.worst_result].limit.name // \"\") end" "$d/audit.json")
        lvalue=$(jq -r ".gates[$i] | if .worst_result == null then \"\" else (.results[.worst_result].limit.value // \"\") end" "$d/audit.json")
        what="$name: gate $id (worst '$group', limit '$lname $lvalue')"
        line=$(awk -v id="$id" '$2 == id { sub(/^[A-Z_]+ +[^ ]+ +/, ""); print; exit }' "$d/out")
        md=$(grep -F "| $id | " "$d/r.md" | head -1)
        html=$(grep -F "<a href=\"#gate-$((i + 1))\">" "$d/r.html" | head -1)
        junit_group=$(xmllint --xpath "string(//testsuite[@name='fairgate.$id']/properties/property[@name='worst_group']/@value)" "$d/r.xml")
        junit_limit=$(xmllint --xpath "string(//testsuite[@name='fairgate.$id']/properties/property[@name='limit']/@value)" "$d/r.xml")
        if [ -z "$group" ]; then
            not_ok "$what: the audit names a worst group" "worst_result is null"
            i=$((i + 1))
            continue
        fi
        # console: "GROUP: ..." ("overall ..." for an overall gate), the limit in words
        case $line in
        "$group: "* | "overall "*) ok "$what: console names the group" ;;
        *) not_ok "$what: console names the group" "got: $line" ;;
        esac
        case $lname in
        min) pat="min(imum)? $lvalue([^0-9]|\$)" ;;
        max) pat="max(imum)? $lvalue([^0-9]|\$)" ;;
        *) pat="$lname $lvalue([^0-9]|\$)" ;;
        esac
        if printf '%s\n' "$line" | grep -Eq -- "$pat"; then ok "$what: console names the limit"; else
            not_ok "$what: console names the limit" "want /$pat/" "got: $line"; fi
        # Markdown's gate table: "| STATUS | GATE | GROUP | VALUE vs ≥ MIN |" (≤ MAX,
        # worsening ≤ MAX_WORSENING): the limit in symbols
        case $lname in
        min) sym="≥" ;;
        max) sym="≤" ;;
        *) sym="worsening ≤" ;;
        esac
        case $md in
        *"| $id | $group | "*" vs $sym $lvalue |") ok "$what: Markdown" ;;
        *) not_ok "$what: Markdown" "got: $md" ;;
        esac
        case $html in
        *"<td>$(html_escape "$group"): <span"*"(limit $lname $lvalue)</span>"*) ok "$what: HTML" ;;
        *) not_ok "$what: HTML" "got: $html" ;;
        esac
        expect_eq "$what: JUnit group" "$junit_group" "$group"
        expect_eq "$what: JUnit limit" "$junit_limit" "$lname $lvalue"
        i=$((i + 1))
    done
}

# ---- make demo's audit ----
"$TOOLS/fg_gen" --rows 20000 --seed 7 --scenario loan >"$WORK/loans.csv"
check_all "$WORK/demo" --policy policies/loan-approval.yaml --candidate "$WORK/loans.csv"
expect_rc "demo: the gate fails" 1
expect_eq "demo: four gates" "$(jq '.gates | length' "$WORK/demo/audit.json")" 4
same_worst demo "$WORK/demo"
# gate.c's definition, on the demo's numbers: the failing result furthest past its limit.
expect_eq "demo: worst of four-fifths is its failing result furthest below min" \
    "$(jq -r '.gates[0] | .results[.worst_result].deviation == ([.results[] | select(.status == "fail") | .deviation] | max)' "$WORK/demo/audit.json")" true
expect_eq "demo: equalized odds' worst is judged on the component it shows" \
    "$(jq -r '.gates[1] | .results[.worst_result] | (.limit.name == "max") and (.deviation == .value - .limit.value) and (.component != null)' "$WORK/demo/audit.json")" true

# ---- an audit with an override ----
mkdir -p "$WORK/keys"
"$FAIRGATE" keygen --out "$WORK/keys/risk.pem" --pubout "$WORK/keys/risk.pub" >/dev/null
RISK_ID=$(keyid "$WORK/keys/risk.pub")
fixture_policy one-rule-overrides "$WORK/policy.yaml" RISK_ID="$RISK_ID"
run at "$NOW" "$FAIRGATE" override --policy "$WORK/policy.yaml" --candidate "$WORK/loans.csv" \
    --gate four-fifths --approver risk@bank.example --role model-risk \
    --reason "accepted for Q4: ticket RISK-1" --ticket RISK-1 --expires 2025-12-15 \
    --sign-key "$WORK/keys/risk.pem" --out "$WORK/ok.dsse.json"
expect_rc "override: created" 0
check_all "$WORK/ovr" --policy "$WORK/policy.yaml" --candidate "$WORK/loans.csv" \
    --override "$WORK/ok.dsse.json"
expect_rc "override: passes with it" 0
expect_eq "override: the gate is overridden" "$(jq -r '.gates[0].status' "$WORK/ovr/audit.json")" overridden
expect_eq "override: its worst result is the overridden one" \
    "$(jq -r '.gates[0] | .results[.worst_result].status' "$WORK/ovr/audit.json")" overridden
same_worst override "$WORK/ovr"

# ---- vs_incumbent: a candidate that got worse, then one that improved everywhere ----
check_all "$WORK/inc" --policy policies/loan-approval.yaml --candidate "$WORK/loans.csv"
expect_eq "vs_incumbent: the gate held to max_worsening names a worst group" \
    "$(jq -r '.gates[] | select(.id == "no-fairness-regression") | .results[.worst_result].limit.name' "$WORK/inc/audit.json")" \
    max_worsening
# The incumbent's column made the candidate's: nothing got worse, so no group is worst.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "approve_new") n = i; if ($i == "approve_old") o = i } }
         NR > 1 { $o = $n } { print }' OFS=, "$WORK/loans.csv" >"$WORK/same.csv"
check_all "$WORK/same" --policy policies/loan-approval.yaml --candidate "$WORK/same.csv"
gate=no-fairness-regression
expect_eq "all improved: the audit names no worst result" \
    "$(jq -r ".gates[] | select(.id == \"$gate\") | .worst_result" "$WORK/same/audit.json")" null
expect_eq "all improved: every result was held to max_worsening" \
    "$(jq -r "[.gates[] | select(.id == \"$gate\") | .results[] | .limit.name // empty] | unique | join(\",\")" "$WORK/same/audit.json")" \
    max_worsening
expect_grep "all improved: console names no group" "$WORK/same/out" \
    "^[A-Z]*  *$gate  *no group got worse than the incumbent(;|\$)"
expect_grep "all improved: Markdown names no group" "$WORK/same/r.md" \
    "^\\| [^|]* \\| $gate \\| — \\| selection\\\\_rate ratio: no group got worse than the incumbent \\(bound worsening ≤ 0\\.02\\) \\|\$"
expect_grep "all improved: HTML names no group" "$WORK/same/r.html" \
    "#gate-3\">$gate</a>.*no group got worse than the incumbent"
expect_eq "all improved: JUnit names no group" \
    "$(xmllint --xpath "count(//testsuite[@name='fairgate.$gate']/properties/property[@name='worst_group'])" "$WORK/same/r.xml")" 0
finish
