#!/bin/sh
# Pull-request-native reports (issue 12, point 3). An audit with 40 failing results in 12
# gates: the Markdown fits a GitHub comment (65,536 characters), starts with the verdict,
# has the gate table before the failing groups and everything else in balanced <details>;
# the annotations are at most 10, one per gate with the failing gates first, each at the
# gate's line in the policy (file=…,line=…), and a notice counts what they leave out. A huge
# audit (20 gates x 1000 groups) is cut at a row with a line pointing at the HTML report.
. "$(dirname "$0")/lib.sh"
command -v cmark-gfm >/dev/null 2>&1 || not_ok "cmark-gfm is installed (make deps-test)"
command -v jq >/dev/null 2>&1 || not_ok "jq is installed (make deps-test)"
export SOURCE_DATE_EPOCH=1700000000
cd "$WORK" || exit 1

# Groups A-E of 100 rows approved at .9 .8 .6 .5 .4; F of 5 rows (too small to judge).
awk 'BEGIN { print "g,y,p"; split("A B C D E", g, " "); split("90 80 60 50 40", r, " ")
    for (k = 1; k <= 5; k++) for (i = 0; i < 100; i++) print g[k] "," (i % 2) "," (i < r[k])
    for (i = 0; i < 5; i++) print "F,1,1" }' >rows.csv
fixture_policy pr-many-gates pr.yaml

# ---- the audit: 40 failing results in 12 gates, each gate's line ----

run "$FAIRGATE" check --policy pr.yaml --candidate rows.csv --out a.json --markdown m.md --quiet
expect_rc "12 failing gates: exit 1" 1
expect_eq "the audit has 40 failing results in 12 failed gates" \
    "$(jq '[.gates[].results[] | select(.status == "fail")] | length' a.json) $(jq '[.gates[] | select(.status == "fail")] | length' a.json)" \
    "40 12"
want_lines=$(grep -n '^  - id: ' pr.yaml | cut -d: -f1 | tr '\n' ' ')
expect_eq "each gate's line is where its entry starts in the policy" \
    "$(jq -r '[.gates[].line] | map(tostring) | join(" ")' a.json) " "$want_lines"

# ---- Markdown ----

expect_eq "Markdown: under GitHub's 65,536-character limit (and 60,000 bytes)" \
    "$(test "$(wc -m <m.md)" -lt 65536 && test "$(wc -c <m.md)" -le 60000 && echo yes)" yes
expect_eq "Markdown: the first line is the verdict" "$(head -n 1 m.md)" "## ❌ fairgate: FAIL — pr-many-gates"
expect_eq "Markdown: then how many gates failed" "$(sed -n 3p m.md)" \
    "12 of 14 gates failed; 1 with a warning."
table=$(grep -n '^| Status | Gate | Worst group | Value vs bound |$' m.md | cut -d: -f1)
failing=$(grep -n '^### Failing groups$' m.md | cut -d: -f1)
first_details=$(grep -n '^<details>' m.md | head -n 1 | cut -d: -f1)
expect_eq "Markdown: the gate table, then the failing groups, then <details>" \
    "$(test -n "$table" && test "$table" -lt "$failing" && test "$failing" -lt "$first_details" && echo ordered)" ordered
expect_eq "Markdown: one gate-table line per gate" \
    "$(sed -n "$table,${failing}p" m.md | grep -c '^| [^|]* | [a-z-]*[0-9]* | ')" 14
expect_eq "Markdown: every failing result before the first <details>, none after" \
    "$(head -n "$first_details" m.md | grep -c '| ❌ fail: ') $(tail -n "+$first_details" m.md | grep -c '| ❌ fail: ')" "40 0"
expect_eq "Markdown: <details> balanced, never nested" \
    "$(awk '/^<details>/ { if (d++) bad = 1 } /^<\/details>/ { if (!d--) bad = 1 } END { print (bad || d) ? "unbalanced" : "balanced" }' m.md)" balanced
expect_eq "Markdown: passing, small groups, overrides, inputs collapsed" \
    "$(grep -o '^<details><summary>[A-Z][a-z]*' m.md | cut -d'>' -f3 | tr '\n' ' ')" "Other Groups Overrides Inputs "
expect_no_grep "Markdown: nothing was cut" m.md 'This report was cut'
cmark-gfm -e table m.md >m.html
expect_eq "Markdown: GFM reads the gate table and a table per part of each gate" \
    "$(grep -c '^<table>$' m.html)" "$((1 + 12 + 14 + 1 + 1))"

# ---- annotations ----

run env GITHUB_ACTIONS=true "$FAIRGATE" check --policy pr.yaml --candidate rows.csv --quiet
expect_rc "annotations: still exit 1" 1
expect_eq "annotations: at most 10 lines, 9 errors then the notice" \
    "$(grep -c '^::' out) $(grep -c '^::error ' out) $(grep -c '^::warning ' out) $(sed -n '10p' out | cut -c1-9)" \
    "10 9 0 ::notice "
bad=""
i=1
for id in strict-1 strict-2 strict-3 strict-4 four-fifths-1 four-fifths-2 four-fifths-3 four-fifths-4 four-fifths-5; do
    line=$(grep -n "^  - id: $id\$" pr.yaml | cut -d: -f1)
    case "$(sed -n "${i}p" out)" in
    "::error file=pr.yaml,line=$line,title=fairgate $id::g=E: selection_rate ratio 0.4444, bound min "*) ;;
    *) bad="$bad $i:$id" ;;
    esac
    i=$((i + 1))
done
expect_eq "annotations: the failing gates first, in policy order, each at its line (grep -n)" "$bad" ""
expect_eq "annotations: the notice counts what was left out" "$(sed -n 10p out)" \
    "::notice title=fairgate::Not annotated (one annotation per gate, at most 10): 3 more failed gates, 1 more gate with insufficient data, 31 more failing results, 13 more results with insufficient data. The job summary and the HTML report list every result."
# A policy path that needs escaping as a property.
mkdir -p 'pol:a,b' && cp pr.yaml 'pol:a,b/p%.yaml'
run env GITHUB_ACTIONS=true "$FAIRGATE" check --policy 'pol:a,b/p%.yaml' --candidate rows.csv --quiet
expect_grep "annotations: file= escaped as actions/toolkit escapeProperty" out \
    '^::error file=pol%3Aa%2Cb/p%25\.yaml,line=18,title=fairgate strict-1::'
# One gate: one error, at its worst group; the notice counts its other results.
sed '/^  - id: strict-2$/,$d' pr.yaml >few.yaml
run env GITHUB_ACTIONS=true "$FAIRGATE" check --policy few.yaml --candidate rows.csv --quiet
expect_eq "one gate: an error at its worst group, a notice for its 3 other fails and small group" \
    "$(cat out)" "::error file=few.yaml,line=18,title=fairgate strict-1::g=E: selection_rate ratio 0.4444, bound min 0.9: 0.4444 is below the minimum 0.9 (4 of 6 results fail)
::notice title=fairgate::Not annotated (one annotation per gate, at most 10): 3 more failing results, 1 more result with insufficient data. The job summary and the HTML report list every result."

# ---- a huge audit is cut ----

{
    printf 'version: 1\nname: huge\ndata:\n  label: y\n  positive_label: "1"\n  protected: [g]\n'
    printf '  candidate: { prediction: p }\n  favorable_prediction: "1"\ndefaults:\n  min_group_size: 1\ngates:\n'
    i=1
    while [ "$i" -le 20 ]; do
        printf '  - id: gate-%s\n    metric: selection_rate\n    disparity: ratio\n    min: 0.8\n' "$i"
        i=$((i + 1))
    done
} >huge.yaml
# 1000 groups of 2 rows: grp0 approves both (the reference), a third of the others both.
awk 'BEGIN { print "g,y,p"; for (i = 0; i < 1000; i++) { print "grp" i ",1,1"; print "grp" i ",0," (i % 3 == 0) } }' >huge.csv
run "$FAIRGATE" check --policy huge.yaml --candidate huge.csv --out h.json --markdown h.md --quiet
expect_rc "huge: 20 gates x 1000 groups fail (exit 1)" 1
results=$(jq '[.gates[].results[]] | length' h.json)
fails=$(jq '[.gates[].results[] | select(.status == "fail")] | length' h.json)
expect_eq "huge: the audit has 20,000 results" "$results" 20000
expect_eq "huge: the Markdown is cut under 60,000 bytes" "$(test "$(wc -c <h.md)" -le 60000 && echo yes)" yes
shown=$(grep -c '^| g=grp' h.md)
shown_fails=$(grep -c '^| g=grp.*| ❌ fail: ' h.md)
expect_eq "huge: the last line says how many results are left out, and where they are" \
    "$(tail -n 1 h.md)" \
    "**This report was cut to fit a pull-request comment:** $((results - shown)) of $results results are not shown here ($((fails - shown_fails)) of them failing), nor anything after them. The HTML report shows every result: \`report.html\` among this run's artifacts, or \`fairgate report --audit audit.json --html report.html\`."
expect_eq "huge: a blank line before it (not a table row)" "$(tail -n 2 h.md | head -n 1)" ""
expect_eq "huge: every line before it is whole (a table row ends with |)" \
    "$(head -n -2 h.md | grep '^|' | grep -vc '|$')" 0
expect_eq "huge: the gate table is whole" "$(grep -c '^| ❌ fail | gate-' h.md)" 20
cmark-gfm -e table h.md >h.html
expect_grep "huge: the cut line is a paragraph" h.html '^<p><strong>This report was cut'
run "$FAIRGATE" report --audit h.json --markdown h2.md
if cmp -s h.md h2.md; then ok "huge: report --audit writes the same cut"; else not_ok "huge: same cut"; fi
finish
