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

# joined NAME JOIN CANDIDATE INCUMBENT [stdin]: judged as the one file, inputs.join JOIN;
# TMPDIR (where copies of standard input and pipes go) is $WORK/spool, nobody else's.
mkdir "$WORK/spool"
joined() {
    name=$1 join=$2 c=$3 i=$4
    rm -f "$WORK/j.json" # a run that fails leaves none: never judge the one before
    ${RUNNER:-} env TMPDIR="$WORK/spool" "$FAIRGATE" check --policy "$P" --candidate "$c" \
        --incumbent "$i" --out "$WORK/j.json" <"${5:-/dev/null}" >"$WORK/out" 2>"$WORK/err"
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
expect_eq "... no copy of standard input left behind" "$(ls -A "$WORK/spool" | wc -l)" 0

# named pipes (what <(zcat x.gz) gives): each opened once, read side by side (main tried the
# chunked join first, whose open read the first bytes, and then opened the pipe again: a
# header cut short, or a wait for a writer gone). Once the ids part, the hash join reads a
# pipe again from the copy made of it in $TMPDIR while the aligned join read it, as it does
# standard input (main opened the pipe again: "the file is empty: no header line", or a
# header cut short). The audit is that of the regular files but for their paths (digests of
# the bytes given), and no copy is left behind.
# piped NAME JOIN CANDIDATE INCUMBENT WHICH [STDIN]: as joined, the files WHICH names (c, i
# or ci) given through named pipes
piped() {
    rm -f "$WORK/c.pipe" "$WORK/i.pipe"
    mkfifo "$WORK/c.pipe" "$WORK/i.pipe"
    pc=$3 pi=$4 rc=$3 ri=$4
    [ "$3" = - ] && rc=$6
    [ "$4" = - ] && ri=$6
    case $5 in *c*) cat "$3" >"$WORK/c.pipe" & pc=$WORK/c.pipe ;; esac
    case $5 in *i*) cat "$4" >"$WORK/i.pipe" & pi=$WORK/i.pipe ;; esac
    RUNNER="timeout 60" joined "$1" "$2" "$pc" "$pi" ${6:+"$6"}
    kill $(jobs -p) 2>/dev/null
    wait 2>/dev/null
    "$FAIRGATE" check --policy "$P" --candidate "$rc" --incumbent "$ri" --out "$WORK/r.json" \
        >/dev/null 2>&1
    nopaths='del(.created, .inputs.candidate.path, .inputs.incumbent.path)'
    jq -S "$nopaths" "$WORK/r.json" >"$WORK/r.nopaths"
    if jq -S "$nopaths" "$WORK/j.json" | cmp -s - "$WORK/r.nopaths"; then
        ok "$1: the audit of the regular files but for the paths"
    else not_ok "$1: the audit of the regular files but for the paths" \
        "$(jq -S "$nopaths" "$WORK/j.json" | diff "$WORK/r.nopaths" - | head -5)"; fi
    expect_eq "$1: no copy left in \$TMPDIR" "$(ls -A "$WORK/spool" | wc -l)" 0
}
piped "both files named pipes" aligned "$WORK/cand.csv" "$WORK/same.csv" ci
piped "the incumbent file a named pipe" aligned "$WORK/cand.csv" "$WORK/same.csv" i
piped "both files named pipes, ids part" hash "$WORK/cand.csv" "$WORK/swap.csv" ci
expect_grep "... the note names the pipe" "$WORK/err" \
    "note: the ids differ at line 1501 of the candidate file \('A0001500'\) and line 1501 of the incumbent file .*/i\.pipe \('A0001501'\)"
expect_eq "... the digests: of the bytes given" \
    "$(jq -r '[.inputs.candidate.sha256, .inputs.incumbent.sha256] | join(" ")' "$WORK/j.json")" \
    "$(sha256sum "$WORK/cand.csv" | cut -d' ' -f1) $(sha256sum "$WORK/swap.csv" | cut -d' ' -f1)"
expect_eq "... the paths: the pipes" \
    "$(jq -r '[.inputs.candidate.path, .inputs.incumbent.path] | join(" ")' "$WORK/j.json")" \
    "$WORK/c.pipe $WORK/i.pipe"
piped "the candidate file a named pipe, ids part" hash "$WORK/cand.csv" "$WORK/swap.csv" c
piped "the incumbent file a named pipe, ids part" hash "$WORK/cand.csv" "$WORK/swap.csv" i
piped "candidate on stdin, incumbent a named pipe, ids part" hash - "$WORK/swap.csv" i \
    "$WORK/cand.csv"
piped "candidate a named pipe, incumbent on stdin, ids part" hash "$WORK/cand.csv" - c \
    "$WORK/swap.csv"
piped "both files gzip through named pipes, ids part" hash "$WORK/cand.csv.gz" \
    "$WORK/swap.csv.gz" ci
expect_eq "... the digests: of the gzip bytes given" \
    "$(jq -r '[.inputs.candidate.sha256, .inputs.incumbent.sha256] | join(" ")' "$WORK/j.json")" \
    "$(sha256sum "$WORK/cand.csv.gz" | cut -d' ' -f1) $(sha256sum "$WORK/swap.csv.gz" | cut -d' ' -f1)"
# as a shell gives them: bash's process substitution (/dev/fd/N)
if command -v bash >/dev/null 2>&1; then
    TMPDIR="$WORK/spool" FAIRGATE="$FAIRGATE" P="$P" W="$WORK" timeout 60 bash -c \
        '"$FAIRGATE" check --quiet --policy "$P" --candidate <(zcat "$W/cand.csv.gz") \
            --incumbent <(cat "$W/swap.csv") --out "$W/b.json"' 2>"$WORK/err"
    RC=$?
    "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/cand.csv" \
        --incumbent "$WORK/swap.csv" --out "$WORK/r.json" >/dev/null 2>&1
    expect_eq "<(zcat) and <(cat), ids part: the exit code of the regular files" "$RC" \
        "$(jq -r .exit_code "$WORK/r.json")"
    jq -S "$nopaths" "$WORK/r.json" >"$WORK/r.nopaths"
    if jq -S "$nopaths" "$WORK/b.json" | cmp -s - "$WORK/r.nopaths"; then
        ok "<(zcat) and <(cat), ids part: the audit of the regular files but for the paths"
    else not_ok "<(zcat) and <(cat), ids part: the audit of the regular files but for the paths" \
        "$(cat "$WORK/err")"; fi
    expect_eq "... no copy left in \$TMPDIR" "$(ls -A "$WORK/spool" | wc -l)" 0
else
    skip "<(zcat) and <(cat)" "no bash"
fi

# an error the hash join meets in a copy names the input, never the copy, and the copy is
# removed: a gzip stream cut short, whose end the aligned join never reached (the ids part at
# line 11, in its first block), read whole only from the copy (main named standard input's
# copy, /tmp/fairgate-stdin-XXXXXX, and read the pipe again: its header cut short)
"$TOOLS/fg_gen" --rows 30000 --seed 5 --narrow --incumbent-out "$WORK/big-i.csv" \
    --incumbent-order same >"$WORK/big-c.csv"
awk 'NR == 11 { held = $0; next } NR == 12 { print; print held; next } { print }' \
    "$WORK/big-i.csv" >"$WORK/big-s.csv"
gzip -c "$WORK/big-c.csv" >"$WORK/big-c.csv.gz"
head -c $(($(wc -c <"$WORK/big-c.csv.gz") - 40)) "$WORK/big-c.csv.gz" >"$WORK/cut.csv.gz"
cut_short='truncated gzip data: the file ends inside a gzip member'
rm -f "$WORK/c.pipe" "$WORK/i.pipe" "$WORK/f.json"
mkfifo "$WORK/c.pipe" "$WORK/i.pipe"
cat "$WORK/cut.csv.gz" >"$WORK/c.pipe" &
cat "$WORK/big-s.csv" >"$WORK/i.pipe" &
run timeout 60 env TMPDIR="$WORK/spool" "$FAIRGATE" check --policy "$P" \
    --candidate "$WORK/c.pipe" --incumbent "$WORK/i.pipe" --out "$WORK/f.json"
kill $(jobs -p) 2>/dev/null
wait 2>/dev/null
expect_rc "a pipe cut short, ids part: exit 2" 2
expect_grep "... the error names the pipe" "$WORK/err" "^fairgate: error: $WORK/c\.pipe: $cut_short"
expect_absent "... no audit" "$WORK/f.json"
expect_eq "... no copy left in \$TMPDIR" "$(ls -A "$WORK/spool" | wc -l)" 0
run timeout 60 env TMPDIR="$WORK/spool" "$FAIRGATE" check --policy "$P" --candidate - \
    --incumbent "$WORK/big-s.csv" --out "$WORK/f.json" <"$WORK/cut.csv.gz"
expect_rc "standard input cut short, ids part: exit 2" 2
expect_grep "... the error names standard input" "$WORK/err" "^fairgate: error: <stdin>: $cut_short"
expect_eq "... no copy left in \$TMPDIR" "$(ls -A "$WORK/spool" | wc -l)" 0

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
