#!/bin/sh
# Markdown and JUnit reports: `check --markdown --junit` and `report --audit` write the
# same bytes; the Markdown renders as GFM tables (cmark-gfm) with a row per result; the
# JUnit is well-formed (xmllint) and its tests/failures/skipped equal its elements, per
# suite and in total; hostile group values survive both; under GitHub Actions `check`
# prints ::error/::warning lines and appends the Markdown to $GITHUB_STEP_SUMMARY.
. "$(dirname "$0")/lib.sh"
POLICY=$TESTS_DIR/../policies/loan-approval.yaml
export SOURCE_DATE_EPOCH=1700000000
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY
for tool in cmark-gfm xmllint jq; do
    command -v "$tool" >/dev/null 2>&1 || not_ok "$tool is installed (make deps-test)"
done
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"

# xp FILE XPATH: the XPath value, as xmllint prints it.
xp() { xmllint --xpath "$2" "$1" 2>/dev/null; }

# ---- check and report give the same files ----

run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv" --out "$WORK/a.json" \
    --markdown "$WORK/m.md" --junit "$WORK/j.xml"
expect_rc "check with reports: the failing gate still exits 1" 1
expect_no_grep "check without GITHUB_ACTIONS prints no annotations" "$WORK/out" '^::'
run "$FAIRGATE" report --audit "$WORK/a.json" --markdown "$WORK/m2.md" --junit "$WORK/j2.xml"
expect_rc "report --audit exits 0" 0
if cmp -s "$WORK/m.md" "$WORK/m2.md"; then ok "check and report write the same Markdown"; else
    not_ok "same Markdown" "$(diff "$WORK/m.md" "$WORK/m2.md" | head -5)"; fi
if cmp -s "$WORK/j.xml" "$WORK/j2.xml"; then ok "check and report write the same JUnit"; else
    not_ok "same JUnit" "$(diff "$WORK/j.xml" "$WORK/j2.xml" | head -5)"; fi
run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv" --markdown "$WORK/m3.md" \
    --junit "$WORK/j3.xml"
if cmp -s "$WORK/m.md" "$WORK/m3.md" && cmp -s "$WORK/j.xml" "$WORK/j3.xml"; then
    ok "reports are deterministic"; else not_ok "reports are deterministic"; fi

A=$WORK/a.json
if [ ! -s "$A" ] || [ ! -s "$WORK/m.md" ] || [ ! -s "$WORK/j.xml" ]; then
    not_ok "check wrote the audit and both reports" "$(head -c 600 "$WORK/err")"
    finish
fi
N_GATES=$(jq '.gates | length' "$A")
N_RESULTS=$(jq '[.gates[].results[]] | length' "$A")
N_FAIL=$(jq '[.gates[].results[] | select(.status == "fail")] | length' "$A")
N_SMALL=$(jq '[.gates[].results[] | select(.status == "insufficient_data")] | length' "$A")
N_FAILED_GATES=$(jq '[.gates[] | select(.status == "fail")] | length' "$A")
# Tables of the Markdown: a gate's blocking results (failed gates) open, its others collapsed.
N_OPEN=$(jq '[.gates[] | select(.status == "fail" and (.results | length) > 0)] | length' "$A")
N_COLLAPSED=$(jq '[.gates[] | . as $g | select(any(.results[]; ($g.status != "fail") or
    (.status != "fail" and (.status != "insufficient_data" or $g.on_small_group != "fail"))))] | length' "$A")

# ---- Markdown, rendered by cmark-gfm ----

cmark-gfm -e table "$WORK/m.md" >"$WORK/m.html"
expect_grep "Markdown: the verdict comes first" "$WORK/m.html" \
    '^<h2>❌ fairgate: FAIL — loan-approval</h2>$'
expect_eq "Markdown: the first line is the verdict" "$(head -n 1 "$WORK/m.md")" \
    "## ❌ fairgate: FAIL — loan-approval"
expect_grep "Markdown: how many gates failed" "$WORK/m.md" "^$N_FAILED_GATES of $N_GATES gates failed\\.$"
# Tables: the gate table; each failed gate's failing results (open) and each gate's other
# results (collapsed); the small groups, the inputs.
N_TABLES=$((1 + N_OPEN + N_COLLAPSED + 1 + 1))
expect_eq "Markdown: tables" "$(grep -c '^<table>$' "$WORK/m.html")" "$N_TABLES"
# Rows: a header per table, a row per gate, per result, per small group, per input file.
expect_eq "Markdown: a row per gate, result, small group and input" \
    "$(grep -c '^<tr>$' "$WORK/m.html")" "$((N_TABLES + N_GATES + N_RESULTS + N_SMALL + 2))"
expect_eq "Markdown: every failing result open, before the first <details>" \
    "$(sed '/^<details>/,$d' "$WORK/m.md" | grep -c '| ❌ fail: ')" "$N_FAIL"
expect_eq "Markdown: the gate table before the failing groups, <details> balanced" \
    "$(awk '/^\| Status \| Gate \| Worst group \| Value vs bound \|$/ { t = NR }
        /^### Failing groups$/ { f = NR } /^<details>/ { o++ } /^<\/details>/ { c++ }
        END { print (t && f > t && o == c && o > 0) ? "yes" : "no" }' "$WORK/m.md")" yes
expect_eq "Markdown: race=Black has a row in each of the 3 group gates" \
    "$(grep -c '^<td>race=Black</td>$' "$WORK/m.html")" 3
want_n=$(jq '.gates[0].results[] | select(.label == "race=Black") | .n' "$A")
want_v=$(jq -r '.gates[0].results[] | select(.label == "race=Black") | .value * 10000 | round / 10000' "$A")
grep -A4 '^<td>race=Black</td>$' "$WORK/m.html" | head -n 5 | tr '\n' ' ' >"$WORK/row"
expect_grep "Markdown: race=Black's n and ratio in the four-fifths table" "$WORK/row" \
    "<td align=\"right\">$want_n</td> <td align=\"right\">[0-9.]+</td> <td align=\"right\">$want_v[0-9]*</td>"
expect_grep "Markdown: an intersection's label" "$WORK/m.html" '^<td>sex=Female &amp; race=Black</td>$'
expect_grep "Markdown: a failing result says why" "$WORK/m.html" \
    '<td>❌ fail: 0\.[0-9]{4} is below the minimum 0\.8</td>'
expect_grep "Markdown: small groups are listed with the reason" "$WORK/m.html" \
    '<td>only [0-9]+ rows \(min_group_size 30\)</td>'
expect_grep "Markdown: inputs with a short sha256" "$WORK/m.html" \
    "^<td>$(jq -r '.inputs.candidate.sha256[0:12]' "$A")</td>$"
expect_grep "Markdown: policy name and sha256" "$WORK/m.md" \
    "^Policy loan-approval \(.*\), sha256 $(jq -r '.policy.sha256[0:12]' "$A");"

# ---- JUnit, checked with xmllint ----

if xmllint --noout "$WORK/j.xml" 2>"$WORK/xmlerr"; then ok "JUnit is well-formed XML"; else
    not_ok "JUnit is well-formed XML" "$(head -c 600 "$WORK/xmlerr")"; fi
expect_eq "JUnit: a testsuite per gate" "$(xp "$WORK/j.xml" 'count(/testsuites/testsuite)')" "$N_GATES"
expect_eq "JUnit: a testcase per result" "$(xp "$WORK/j.xml" 'count(//testcase)')" "$N_RESULTS"
expect_eq "JUnit: a failure per failing result" "$(xp "$WORK/j.xml" 'count(//failure)')" "$N_FAIL"
expect_eq "JUnit: a skipped per small group" "$(xp "$WORK/j.xml" 'count(//skipped)')" "$N_SMALL"
for attr in tests:testcase failures:failure skipped:skipped; do
    name=${attr%%:*} elem=${attr#*:}
    expect_eq "JUnit: testsuites/@$name = count(//$elem)" \
        "$(xp "$WORK/j.xml" "string(/testsuites/@$name)")" "$(xp "$WORK/j.xml" "count(//$elem)")"
    i=1
    bad=""
    while [ "$i" -le "$N_GATES" ]; do
        s="/testsuites/testsuite[$i]"
        got=$(xp "$WORK/j.xml" "string($s/@$name)")
        want=$(xp "$WORK/j.xml" "count($s/testcase/$elem)")
        [ "$name" = tests ] && want=$(xp "$WORK/j.xml" "count($s/testcase)")
        [ "$got" = "$want" ] || bad="$bad suite $i: $name=$got, $want elements;"
        i=$((i + 1))
    done
    expect_eq "JUnit: every testsuite's $name equals its elements" "$bad" ""
done
expect_eq "JUnit: errors is 0" "$(xp "$WORK/j.xml" 'string(/testsuites/@errors)')" 0
expect_eq "JUnit: suite names" "$(xp "$WORK/j.xml" 'string(/testsuites/testsuite[1]/@name)')" \
    "fairgate.four-fifths"
expect_eq "JUnit: the four-fifths suite's tests" \
    "$(xp "$WORK/j.xml" 'string(/testsuites/testsuite[1]/@tests)')" "$(jq '.gates[0].results | length' "$A")"
expect_eq "JUnit: race=Black fails four-fifths" \
    "$(xp "$WORK/j.xml" 'string(//testsuite[1]/testcase[@name="race=Black"]/failure/@type)')" "fairness"
expect_eq "JUnit: an intersection's name" \
    "$(xp "$WORK/j.xml" 'count(//testsuite[1]/testcase[@name="sex=Female & race=Black"])')" 1
expect_no_grep "JUnit: no timestamps" "$WORK/j.xml" 'timestamp|time='

# ---- GitHub Actions ----

printf 'previous step\n' >"$WORK/summary.md"
run env GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY="$WORK/summary.md" \
    "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv"
expect_rc "GitHub: still exits 1" 1
ff_line=$(grep -n '^  - id: four-fifths$' "$POLICY" | cut -d: -f1)
expect_grep "GitHub: ::error for four-fifths, at its line in the policy" "$WORK/out" \
    "^::error file=[^,:]*/loan-approval\\.yaml,line=$ff_line,title=fairgate four-fifths::[^:]+: selection_rate ratio 0\\.[0-9]{4}, bound min 0\\.8: "
expect_eq "GitHub: an ::error per failed gate" "$(grep -c '^::error ' "$WORK/out")" "$N_FAILED_GATES"
# Every small group is in a failed gate here: no ::warning; the notice counts them, and the
# failing results the errors do not name (one per gate).
N_WARN_GATES=$(jq '[.gates[] | select(.status != "fail" and any(.results[]; .status == "insufficient_data"))] | length' "$A")
expect_eq "GitHub: a ::warning per other gate with small groups" "$(grep -c '^::warning ' "$WORK/out")" "$N_WARN_GATES"
expect_eq "GitHub: the notice counts the rest" "$(grep '^::notice ' "$WORK/out")" \
    "::notice title=fairgate::Not annotated (one annotation per gate, at most 10): $((N_FAIL - N_FAILED_GATES)) more failing results, $N_SMALL more results with insufficient data. The job summary and the HTML report list every result."
{ printf 'previous step\n'; cat "$WORK/m.md"; } >"$WORK/summary.want"
if cmp -s "$WORK/summary.md" "$WORK/summary.want"; then ok "GitHub: the Markdown is appended to the step summary"; else
    not_ok "GitHub: step summary" "$(diff "$WORK/summary.want" "$WORK/summary.md" | head -5)"; fi

# ---- hostile values, end to end ----

run "$FAIRGATE" report --audit "$FIXTURES/audit/md-hostile.json" --markdown "$WORK/h.md" --junit "$WORK/h.xml"
expect_rc "hostile audit: report exits 0" 0
cmark-gfm -e table "$WORK/h.md" >"$WORK/h.html"
expect_no_grep "hostile: no live HTML from data" "$WORK/h.html" '<script|<b>|<i>'
expect_grep "hostile: a pipe stays in its cell" "$WORK/h.html" '^<td>g=a\|b</td>$'
expect_grep "hostile: HTML is text" "$WORK/h.html" '^<td>g=&lt;script&gt;alert\(1\)&lt;/script&gt;</td>$'
expect_grep "hostile: infinity" "$WORK/h.html" '<td align="right">∞</td>'
expect_eq "hostile: every table row has 7 cells in the gate table" \
    "$(awk '/^<table>/ { t++ } t == 2 && /^<t[dh][ >]/ { c++ } t == 2 && /^<\/tr>/ { print c; c = 0 }' "$WORK/h.html" | sort -u)" 7
if xmllint --noout "$WORK/h.xml" 2>"$WORK/xmlerr"; then ok "hostile: JUnit is well-formed"; else
    not_ok "hostile: JUnit is well-formed" "$(head -c 600 "$WORK/xmlerr")"; fi
expect_eq "hostile: a testcase name round-trips" \
    "$(xp "$WORK/h.xml" 'string(//testsuite[1]/testcase[2]/@name)')" 'g=<script>alert(1)</script>'
expect_eq "hostile: a newline in a name round-trips" \
    "$(xp "$WORK/h.xml" 'string(//testsuite[1]/testcase[3]/@name)')" 'g=line
break'

# ---- pass with override ----

mkdir -p "$WORK/keys"
"$FAIRGATE" keygen --out "$WORK/keys/risk.pem" --pubout "$WORK/keys/risk.pub" >/dev/null
fixture_policy four-fifths-overrides "$WORK/ov.yaml" RISK_ID="$(keyid "$WORK/keys/risk.pub")"
export SOURCE_DATE_EPOCH=1763769600 # 2025-11-22: the audit's created; the clock is moved by at
run at "2025-11-22 00:00:00" "$FAIRGATE" override --policy "$WORK/ov.yaml" --candidate "$WORK/loans.csv" --gate four-fifths \
    --approver risk@bank.example --role model-risk --reason "accepted for Q4 | RISK-1" \
    --expires 2025-12-15 --sign-key "$WORK/keys/risk.pem" --out "$WORK/ok.dsse.json"
expect_rc "override: created" 0
run at "2025-11-22 00:00:00" "$FAIRGATE" check --policy "$WORK/ov.yaml" --candidate "$WORK/loans.csv" --override "$WORK/ok.dsse.json" \
    --out "$WORK/ov.json" --markdown "$WORK/ov.md" --junit "$WORK/ov.xml"
expect_rc "override: passes (exit 0)" 0
expect_eq "override: verdict heading" "$(head -n 1 "$WORK/ov.md")" "## ⚠️ fairgate: PASS WITH OVERRIDE — loans-with-overrides"
expect_grep "override: applied, with approver, reason and expiry" "$WORK/ov.md" \
    '^\| four-fifths \| \(whole gate\) \| risk@bank\.example \(model-risk\) \| accepted for Q4 \\\| RISK-1 \| 2025-12-15 \| ✅ applied \| applied to gate'
expect_eq "override: overridden results pass in JUnit" "$(xp "$WORK/ov.xml" 'string(/testsuites/@failures)')" 0
expect_grep "override: the JUnit says who overrode" "$WORK/ov.xml" \
    '^override by risk@bank\.example \(model-risk\), expires 2025-12-15: accepted for Q4 \| RISK-1$'

# ---- errors ----

printf '{}\n' >"$WORK/empty.json"
run "$FAIRGATE" report --audit "$WORK/empty.json" --markdown "$WORK/e.md" --junit "$WORK/e.xml"
expect_rc "report: {} is not an audit (exit 2)" 2
expect_grep "report: says why" "$WORK/err" 'not a fairgate audit'
expect_absent "report: no Markdown after an error" "$WORK/e.md"
expect_absent "report: no JUnit after an error" "$WORK/e.xml"
printf 'not json' >"$WORK/bad.json"
run "$FAIRGATE" report --audit "$WORK/bad.json" --markdown "$WORK/e.md"
expect_rc "report: not JSON (exit 2)" 2
expect_grep "report: says it is not JSON" "$WORK/err" 'not JSON'
run "$FAIRGATE" report --audit "$WORK/missing.json" --junit "$WORK/e.xml"
expect_rc "report: a missing audit (exit 2)" 2
expect_absent "report: nothing written for a missing audit" "$WORK/e.xml"
finish
