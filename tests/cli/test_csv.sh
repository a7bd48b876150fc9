#!/bin/sh
# Malformed CSV input: each case exits 2, names file:line, and leaves no audit behind.
# Well-formed oddities (BOM, CRLF, quoting, drop mode) are read correctly.
. "$(dirname "$0")/lib.sh"

fixture_policy csv-cases "$WORK/p.yaml"

# bad NAME LINE REGEX: writes $WORK/c.csv from stdin, expects exit 2 and "c.csv:LINE: ...REGEX".
bad() {
    cat >"$WORK/c.csv"
    run "$FAIRGATE" check --policy "${POLICY:-$WORK/p.yaml}" --candidate "$WORK/c.csv" --out "$WORK/audit.json"
    expect_rc "$1: exits 2" 2
    if [ "$2" = 0 ]; then place=""; else place=":$2"; fi
    expect_grep "$1: names c.csv$place" "$WORK/err" "^fairgate: error: .*c\.csv$place: .*$3"
    expect_absent "$1: no audit" "$WORK/audit.json"
}

# A missing column is an error at the place in the policy that names it (tests/cli/test_errors.sh).
printf 'id,y,g,q\n1,1,a,1\n' >"$WORK/c.csv"
run "$FAIRGATE" check --policy "$WORK/p.yaml" --candidate "$WORK/c.csv" --out "$WORK/audit.json"
expect_rc "missing column: exits 2" 2
expect_grep "missing column: at the policy's line:col, naming c.csv" "$WORK/err" \
    "^fairgate: error: .*/p\.yaml:8:28: data\.candidate\.prediction names column 'p', but the candidate file .*/c\.csv has no column 'p'; its 4 columns \(line 1\): id, y, g, q$"
expect_absent "missing column: no audit" "$WORK/audit.json"
printf 'id,y,g,pp,q\n1,1,a,1,1\n' >"$WORK/c.csv"
run "$FAIRGATE" check --policy "$WORK/p.yaml" --candidate "$WORK/c.csv" --out "$WORK/audit.json"
expect_rc "missing column hint: exits 2" 2
expect_grep "missing column hint" "$WORK/err" "p\.yaml:8:28: .*no column 'p' \(did you mean 'pp'\?\)"
printf 'id,y,g,p,q\n1,1,a,1,1\n2,0,a,1,1\n3,2,a,1,1\n' | bad "third label value" 4 "third value '2'"
printf 'id,y,g,p,q\n1,1,a,1,1\n2,0,a,yes,1\n3,0,a,no,1\n' | bad "third prediction value" 4 "third value 'no'"
printf 'id,y,g,p,q\n1,1,a,1,1\n2,0,a,1\n' | bad "ragged row" 3 "4 fields"
printf 'id,y,g,p,q\n1,1,a,1,1\n2,0,"a,1,1\n' | bad "unterminated quote" 3 ""
printf 'id,y,g,p,q\n1,1,a,1,1\n2,0,,1,1\n' | bad "empty value" 3 "empty value in column 'g'"
printf 'id,y,g,p,q\n1,1,a,1,1\n2,0,caf\351,1,1\n' | bad "a group value that is not UTF-8" 3 "column 'g': a value is not valid UTF-8"
printf 'id,y,g,p,q\n1,1,"multi\nline",1,1\n2,0,a,1,1\n3,x,a,1,1\n4,y,a,1,1\n' | bad "line count after a quoted newline" 5 "third value 'x'"
printf 'id,y,p,q,g,p\n1,1,1,1,a,1\n' | bad "needed column twice" 1 "twice"

fixture_policy csv-scores "$WORK/s.yaml"
for v in nan inf abc 0.5x " 0.5" "" 0x1p-1; do
    printf 'y,g,s\n1,a,0.7\n0,a,%s\n' "$v" | POLICY=$WORK/s.yaml bad "score '$v'" 3 ""
done

# No row to judge is an error, not a vacuous pass.
printf 'id,y,g,p,q\n' | bad "header only" 0 ""
expect_grep "header only: says no rows" "$WORK/err" "no rows to judge \(0 data rows read, 0 dropped\)"
sed 's/^  missing: .*//; s/^  favorable_prediction: "1"/  favorable_prediction: "1"\n  missing: drop/' "$WORK/p.yaml" >"$WORK/dropall.yaml"
printf 'id,y,g,p,q\n1,1,,1,1\n' | POLICY=$WORK/dropall.yaml bad "every row dropped" 0 ""
expect_grep "every row dropped: says so" "$WORK/err" "no rows to judge \(1 data rows read, 1 dropped\)"

run "$FAIRGATE" check --policy "$WORK/p.yaml" --candidate "$WORK/missing.csv" --out "$WORK/audit.json"
expect_rc "missing candidate file exits 2" 2
expect_grep "missing candidate file is named" "$WORK/err" "missing\.csv"
expect_absent "missing candidate: no audit" "$WORK/audit.json"

# Two files: row counts, duplicate and unmatched ids.
printf 'id,y,g,p\n1,1,a,1\n2,0,b,0\n3,1,b,1\n' >"$WORK/cand.csv"
printf 'id,q\n3,1\n1,0\n2,1\n' >"$WORK/inc.csv"
run "$FAIRGATE" check --policy "$WORK/p.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv" --out "$WORK/audit.json"
[ "$RC" -le 1 ] && ok "id join: a verdict" || not_ok "id join: a verdict" "$(cat "$WORK/err")"
expect_eq "id join: incumbent counts" "$(jq -c '.groups[0].incumbent | [.tp, .fp, .tn, .fn]' "$WORK/audit.json")" "[1,1,0,1]"
rm -f "$WORK/audit.json"
printf 'id,q\n3,1\n1,0\n3,1\n' >"$WORK/inc.csv"
run "$FAIRGATE" check --policy "$WORK/p.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv" --out "$WORK/audit.json"
expect_rc "duplicate incumbent id exits 2" 2
expect_grep "duplicate incumbent id names its line" "$WORK/err" "inc\.csv:4: .*'3'"
expect_absent "duplicate id: no audit" "$WORK/audit.json"
printf 'id,q\n3,1\n1,0\n' >"$WORK/inc.csv"
run "$FAIRGATE" check --policy "$WORK/p.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv"
expect_rc "candidate id missing from incumbent exits 2" 2
expect_grep "unmatched candidate id names its line" "$WORK/err" "cand\.csv:3: .*'2'"
printf 'id,q\n3,1\n1,0\n2,1\n9,1\n' >"$WORK/inc.csv"
run "$FAIRGATE" check --policy "$WORK/p.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv"
expect_rc "incumbent id without candidate exits 2" 2
expect_grep "unmatched incumbent id names its line" "$WORK/err" "inc\.csv:5: .*'9'"
# Two files without data.id: an error unless the policy says join: position (issue 10,
# point 9: a shuffled incumbent file was paired with the wrong rows, silently).
grep -v '^  id:' "$WORK/p.yaml" >"$WORK/noid.yaml"
printf 'y,g,q\n1,b,1\n1,a,0\n0,b,1\n' >"$WORK/shuffled.csv"
run "$FAIRGATE" check --policy "$WORK/noid.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/shuffled.csv" --out "$WORK/noid.json"
expect_rc "two files, no id, no join: exit 2" 2
expect_grep "the error says to add data.id or join: position" "$WORK/err" \
    "noid\.yaml: two files .*no data\.id: add data\.id.*or data\.join: position"
expect_absent "two files, no id, no join: no audit" "$WORK/noid.json"
sed 's/^  label: y/  label: y\n  join: position/' "$WORK/noid.yaml" >"$WORK/pos.yaml"
run "$FAIRGATE" check --policy "$WORK/pos.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/shuffled.csv"
expect_rc "join: position, shuffled rows: exit 2" 2
expect_grep "the first disagreeing line is named with both values" "$WORK/err" \
    "cand\.csv:2: column 'g' is 'a' here but 'b' at line 2 of the incumbent file .*shuffled\.csv"
printf 'y,g,q\n1,a,0\n0,b,1\n1,b,1\n' >"$WORK/same.csv"
run "$FAIRGATE" check --policy "$WORK/pos.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/same.csv" --out "$WORK/pos.json"
[ "$RC" -le 1 ] && ok "join: position, same rows: a verdict" || not_ok "join: position, same rows: a verdict" "$(cat "$WORK/err")"
expect_eq "join: position: incumbent counts" "$(jq -c '.groups[0].incumbent | [.tp, .fp, .tn, .fn]' "$WORK/pos.json")" "[1,1,0,1]"
printf 'y,g,q\n1,a,0\n0,b,1\n0,b,1\n' >"$WORK/label.csv"
run "$FAIRGATE" check --policy "$WORK/pos.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/label.csv"
expect_rc "join: position, a label differs: exit 2" 2
expect_grep "the label difference names the line and both values" "$WORK/err" \
    "cand\.csv:4: column 'y' is '1' here but '0' at line 4 of the incumbent file"
printf 'id,q\n1,1\n2,1\n' >"$WORK/inc.csv"
run "$FAIRGATE" check --policy "$WORK/pos.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv"
expect_rc "position join with different row counts exits 2" 2
expect_grep "row count mismatch names both counts" "$WORK/err" "3.*2|2.*3"
# join: id needs an id; join: position contradicts one; lint says where
sed 's/^  label: y/  label: y\n  join: id/' "$WORK/noid.yaml" >"$WORK/joinid.yaml"
run "$FAIRGATE" lint "$WORK/joinid.yaml"
expect_rc "lint: join: id without id exits 2" 2
expect_grep "lint: join: id without id at its line:col" "$WORK/err" "joinid\.yaml:5:9: 'join: id' needs 'data\.id'"
sed 's/^  label: y/  label: y\n  join: position/' "$WORK/p.yaml" >"$WORK/both.yaml"
run "$FAIRGATE" lint "$WORK/both.yaml"
expect_grep "lint: join: position with an id at its line:col" "$WORK/err" "both\.yaml:6:9: 'join: position' contradicts 'data\.id'"
sed 's/^  label: y/  label: y\n  join: rows/' "$WORK/noid.yaml" >"$WORK/joinbad.yaml"
run "$FAIRGATE" lint "$WORK/joinbad.yaml"
expect_grep "lint: an unknown join value at its line:col" "$WORK/err" "joinbad\.yaml:5:9: .*rows"
sed 's/^  label: y/  label: y\n  join: id/' "$WORK/p.yaml" >"$WORK/joinid2.yaml"
run "$FAIRGATE" check --policy "$WORK/joinid2.yaml" --candidate "$WORK/cand.csv" --incumbent "$WORK/same.csv"
expect_rc "join: id reads the id column" 2
expect_grep "join: id: no id column in the incumbent file" "$WORK/err" \
    "joinid2\.yaml:4:7: data\.id names column 'id', but the incumbent file .*/same\.csv has no column 'id'; its 3 columns \(line 1\): y, g, q$"

# Well-formed oddities: BOM, CRLF, quoted delimiters, a ';' delimiter, drop mode.
printf '\357\273\277id,y,g,p,q\r\n1,1,"a,x",1,1\r\n2,0,"a,x",0,1\r\n3,1,b,1,0\r\n' >"$WORK/bom.csv"
run "$FAIRGATE" check --policy "$WORK/p.yaml" --candidate "$WORK/bom.csv" --out "$WORK/bom.json"
[ "$RC" -le 1 ] && ok "BOM + CRLF: a verdict" || not_ok "BOM + CRLF: a verdict" "$(cat "$WORK/err")"
expect_eq "BOM + CRLF: groups" "$(jq -r '[.groups[].label] | join("|")' "$WORK/bom.json")" "overall|g=a,x|g=b"
sed 's/^  missing: .*//; s/^  favorable_prediction: "1"/  favorable_prediction: "1"\n  missing: drop\n  delimiter: ";"/' "$WORK/p.yaml" >"$WORK/drop.yaml"
printf 'id;y;g;p;q\n1;1;a;1;1\n2;0;;1;1\n3;1;b;;0\n4;0;b;0;0\n' >"$WORK/drop.csv"
run "$FAIRGATE" check --policy "$WORK/drop.yaml" --candidate "$WORK/drop.csv" --out "$WORK/drop.json"
[ "$RC" -le 1 ] && ok "drop mode: a verdict" || not_ok "drop mode: a verdict" "$(cat "$WORK/err")"
expect_eq "drop mode: rows and rows_dropped" "$(jq -c '.inputs.candidate | [.rows, .rows_dropped]' "$WORK/drop.json")" "[4,2]"
expect_eq "drop mode: counted rows" "$(jq -r '.groups[0].candidate.n' "$WORK/drop.json")" "2"
finish
