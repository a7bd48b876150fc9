#!/bin/sh
# Two files joined by id (README "Two files"): listed in the same order, they are read side
# by side (inputs.join "aligned"); in any other order, or once their ids part, the hash join
# reads them (inputs.join "hash", and a note on stderr says why). Either way the gate judges
# exactly what one file with the same rows gives; errors (an id missing or repeated, a
# shared column that differs) are those of the hash join. Also over gzip and standard input.
. "$(dirname "$0")/lib.sh"

P=$TESTS_DIR/../policies/loan-approval.yaml
N=3000
"$TOOLS/fg_gen" --rows $N --seed 3 --narrow >"$WORK/one.csv"
"$TOOLS/fg_gen" --rows $N --seed 3 --narrow --incumbent-out "$WORK/same.csv" \
    --incumbent-order same >"$WORK/cand.csv"
"$TOOLS/fg_gen" --rows $N --seed 3 --narrow --incumbent-out "$WORK/shuf.csv" \
    --incumbent-order shuffled >/dev/null
judged() { jq -S 'del(.inputs, .created)' "$1"; }

run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/one.csv" --out "$WORK/one.json"
[ "$RC" -le 1 ] && ok "one file: a verdict" || not_ok "one file: a verdict" "$(cat "$WORK/err")"
judged "$WORK/one.json" >"$WORK/one.judged"
expect_eq "one file: no inputs.join" "$(jq -c .inputs.join "$WORK/one.json")" null

# joined NAME JOIN CANDIDATE INCUMBENT [stdin]: judged as the one file, inputs.join JOIN.
joined() {
    name=$1 join=$2 c=$3 i=$4
    if [ $# -ge 5 ]; then
        "$FAIRGATE" check --policy "$P" --candidate "$c" --incumbent "$i" --out "$WORK/j.json" \
            <"$5" >"$WORK/out" 2>"$WORK/err"
    else
        ${RUNNER:-} "$FAIRGATE" check --policy "$P" --candidate "$c" --incumbent "$i" \
            --out "$WORK/j.json" >"$WORK/out" 2>"$WORK/err"
    fi
    RC=$?
    [ "$RC" -le 1 ] && ok "$name: a verdict" || not_ok "$name: a verdict" "$(cat "$WORK/err")"
    if judged "$WORK/j.json" | cmp -s - "$WORK/one.judged"; then ok "$name: same groups, gates and verdict"
    else not_ok "$name: same groups, gates and verdict" "$(judged "$WORK/j.json" | diff "$WORK/one.judged" - | head -5)"; fi
    expect_eq "$name: inputs.join" "$(jq -r .inputs.join "$WORK/j.json")" "$join"
    expect_eq "$name: rows" "$(jq -c '[.inputs.candidate.rows, .inputs.incumbent.rows]' "$WORK/j.json")" "[$N,$N]"
}

joined "same order" aligned "$WORK/cand.csv" "$WORK/same.csv"
expect_no_grep "same order: no note" "$WORK/err" "note:"
joined "shuffled" hash "$WORK/cand.csv" "$WORK/shuf.csv"
expect_grep "shuffled: the note says why" "$WORK/err" \
    "^fairgate: note: the ids differ at line 2 of the candidate file \('A0000001'\) and line 2 of the incumbent file .*shuf\.csv \('A[0-9]+'\); the files were joined by hash instead$"

# the same ids until line 1501, then two rows swapped: the hash join, the same judgement
awk 'NR == 1501 { held = $0; next } NR == 1502 { print; print held; next } { print }' \
    "$WORK/same.csv" >"$WORK/swap.csv"
joined "ids part at line 1501" hash "$WORK/cand.csv" "$WORK/swap.csv"
expect_grep "ids part: the note names the line and both ids" "$WORK/err" \
    "note: the ids differ at line 1501 of the candidate file \('A0001500'\) and line 1501 of the incumbent file .*swap\.csv \('A0001501'\)"

# over gzip, and standard input (plain and gzip): aligned still, or hash once the ids part
gzip -c "$WORK/cand.csv" >"$WORK/cand.csv.gz"
gzip -c "$WORK/same.csv" >"$WORK/same.csv.gz"
gzip -c "$WORK/swap.csv" >"$WORK/swap.csv.gz"
joined "gzip, same order" aligned "$WORK/cand.csv.gz" "$WORK/same.csv.gz"
joined "gzip, ids part" hash "$WORK/cand.csv.gz" "$WORK/swap.csv.gz"
joined "candidate on stdin" aligned - "$WORK/same.csv" "$WORK/cand.csv"
joined "incumbent on stdin, gzip" aligned "$WORK/cand.csv" - "$WORK/same.csv.gz"
joined "incumbent on stdin, gzip, ids part" hash "$WORK/cand.csv" - "$WORK/swap.csv.gz"
expect_eq "... its digest: of the bytes given" "$(jq -r .inputs.incumbent.sha256 "$WORK/j.json")" \
    "$(sha256sum "$WORK/swap.csv.gz" | cut -d' ' -f1)"
expect_grep "... the note names standard input" "$WORK/err" "line 1501 of the incumbent file <stdin>"
joined "candidate on stdin, ids part" hash - "$WORK/swap.csv" "$WORK/cand.csv"
expect_eq "... no copy of standard input left behind" "$(ls "${TMPDIR:-/tmp}"/fairgate-stdin-* 2>/dev/null | wc -l)" 0

# named pipes (what <(zcat x.gz) gives): each opened once, read side by side (main tried the
# chunked join first, whose open read the first bytes, and then opened the pipe again: a
# header cut short, or a wait for a writer gone)
# piped NAME CANDIDATE INCUMBENT [both]: as joined, the incumbent file (and, with "both", the
# candidate file) given through a named pipe
piped() {
    rm -f "$WORK/c.pipe" "$WORK/i.pipe"
    mkfifo "$WORK/c.pipe" "$WORK/i.pipe"
    c=$2
    if [ $# -ge 4 ]; then
        cat "$2" >"$WORK/c.pipe" &
        c="$WORK/c.pipe"
    fi
    cat "$3" >"$WORK/i.pipe" &
    RUNNER="timeout 60" joined "$1" aligned "$c" "$WORK/i.pipe"
    kill $(jobs -p) 2>/dev/null
    wait 2>/dev/null
}
piped "both files named pipes" "$WORK/cand.csv" "$WORK/same.csv" both
piped "the incumbent file a named pipe" "$WORK/cand.csv" "$WORK/same.csv"

# errors: as the hash join gives them, whichever join met them
# fails NAME CANDIDATE INCUMBENT REGEX: exit 2, the one error line matches REGEX, no audit.
fails() {
    rm -f "$WORK/f.json"
    run "$FAIRGATE" check --policy "$P" --candidate "$2" --incumbent "$3" --out "$WORK/f.json"
    expect_rc "$1: exit 2" 2
    expect_grep "$1: the error" "$WORK/err" "$4"
    expect_absent "$1: no audit" "$WORK/f.json"
}
head -n $N "$WORK/same.csv" >"$WORK/short.csv"
fails "the incumbent file a row short" "$WORK/cand.csv" "$WORK/short.csv" \
    "^fairgate: error: .*cand\.csv:3001: id 'A0003000' \(column 'applicant_id'\) is not in the incumbent file .*short\.csv$"
{ cat "$WORK/same.csv"; echo "A0003001,1"; } >"$WORK/long.csv"
fails "the incumbent file a row longer" "$WORK/cand.csv" "$WORK/long.csv" \
    "^fairgate: error: .*long\.csv:3002: id 'A0003001' \(column 'applicant_id'\) has no row in the candidate file"
# a repeated id, at the same place in both files: the ids stop rising there
sed '11s/^A0000010,/A0000009,/' "$WORK/cand.csv" >"$WORK/dup-c.csv"
sed '11s/^A0000010,/A0000009,/' "$WORK/same.csv" >"$WORK/dup-i.csv"
fails "an id twice in both files" "$WORK/dup-c.csv" "$WORK/dup-i.csv" \
    "^fairgate: error: .*dup-i\.csv:11: id 'A0000009' appears twice in column 'applicant_id' \(lines 10 and 11\)$"
fails "an id twice in the candidate file" "$WORK/dup-c.csv" "$WORK/same.csv" \
    "^fairgate: error: .*dup-c\.csv:11: id 'A0000009' appears twice in column 'applicant_id' \(lines 10 and 11\)$"
# the incumbent file carries the label too, and it differs at line 500, ids aligned
awk -F, 'NR == FNR { if (FNR > 1) label[$1] = $4; next }
    FNR == 1 { print "applicant_id,defaulted,approve_old"; next }
    { l = label[$1]; if (FNR == 500) l = 1 - l; print $1 "," l "," $2 }' \
    "$WORK/cand.csv" "$WORK/same.csv" >"$WORK/label.csv"
want=$(awk -F, 'NR == 500 { print $4 }' "$WORK/cand.csv")
fails "aligned, the label differs" "$WORK/cand.csv" "$WORK/label.csv" \
    "^fairgate: error: .*cand\.csv:500: column 'defaulted' is '$want' here but '$((1 - want))' at line 500 of the incumbent file .*label\.csv, the row it is joined with by id"
finish
