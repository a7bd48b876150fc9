#!/bin/sh
# Inputs as pipelines produce them (README "Inputs"): '-' reads standard input, gzip is read
# transparently (a .gz name or the magic bytes, on standard input too, every member of a
# multi-member file), and the audit's digest is of the bytes given. A truncated or corrupt
# gzip file is exit 2 naming the file; two inputs on standard input are a usage error.
. "$(dirname "$0")/lib.sh"

P=$TESTS_DIR/../policies/loan-approval.yaml
"$TOOLS/fg_gen" --rows 20000 --seed 7 --scenario loan >"$WORK/rows.csv"
"$TOOLS/fg_gen" --rows 5000 --seed 8 --scenario loan --incumbent-out "$WORK/inc.csv" >"$WORK/cand.csv"
gzip -9 -c "$WORK/rows.csv" >"$WORK/rows.csv.gz"
gzip -c "$WORK/cand.csv" >"$WORK/cand.csv.gz"
gzip -c "$WORK/inc.csv" >"$WORK/inc.csv.gz"
sha() { sha256sum "$1" | cut -d' ' -f1; }
# judged AUDIT: what the gate decided (groups, gates, verdict), without inputs and time.
judged() { jq -S 'del(.inputs, .created)' "$1"; }

run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/rows.csv" --out "$WORK/plain.json"
[ "$RC" -le 1 ] && ok "plain file: a verdict" || not_ok "plain file: a verdict" "$(cat "$WORK/err")"
judged "$WORK/plain.json" >"$WORK/plain.judged"
expect_eq "plain file: groups judged" "$(jq '.groups | length' "$WORK/plain.json")" 18

# same NAME AUDIT PATH SHA: AUDIT judged as the plain file, its candidate recorded as PATH
# with digest SHA and every row read.
same() {
    if judged "$2" | cmp -s - "$WORK/plain.judged"; then ok "$1: same groups, gates and verdict"
    else not_ok "$1: same groups, gates and verdict" "$(judged "$2" | diff "$WORK/plain.judged" - | head -5)"; fi
    expect_eq "$1: path" "$(jq -r .inputs.candidate.path "$2")" "$3"
    expect_eq "$1: digest of the bytes given" "$(jq -r .inputs.candidate.sha256 "$2")" "$4"
    expect_eq "$1: rows" "$(jq -r .inputs.candidate.rows "$2")" 20000
}

gzip -c "$WORK/rows.csv" | "$FAIRGATE" check --quiet --policy "$P" --candidate - --out "$WORK/stdin-gz.json" 2>"$WORK/err"
RC=$?
expect_rc "gzip on stdin: the plain file's exit" "$(jq -r '.verdict == "pass" | if . then 0 else 1 end' "$WORK/plain.json")"
gzip -c "$WORK/rows.csv" >"$WORK/piped.gz" # gzip -c writes the same bytes each time
same "gzip on stdin" "$WORK/stdin-gz.json" - "$(sha "$WORK/piped.gz")"

"$FAIRGATE" check --quiet --policy "$P" --candidate - --out "$WORK/stdin.json" <"$WORK/rows.csv"
same "plain stdin" "$WORK/stdin.json" - "$(sha "$WORK/rows.csv")"

run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/rows.csv.gz" --out "$WORK/gz.json"
same ".gz file" "$WORK/gz.json" "$WORK/rows.csv.gz" "$(sha "$WORK/rows.csv.gz")"

cp "$WORK/rows.csv.gz" "$WORK/rows.bin"
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/rows.bin" --out "$WORK/magic.json"
same "gzip by its magic bytes" "$WORK/magic.json" "$WORK/rows.bin" "$(sha "$WORK/rows.bin")"

# multi-member: two gzip members, split inside the rows (cat a.gz b.gz)
head -n 12001 "$WORK/rows.csv" | gzip -c >"$WORK/multi.csv.gz"
tail -n +12002 "$WORK/rows.csv" | gzip -1 -c >>"$WORK/multi.csv.gz"
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/multi.csv.gz" --out "$WORK/multi.json"
same "multi-member gzip" "$WORK/multi.json" "$WORK/multi.csv.gz" "$(sha "$WORK/multi.csv.gz")"

# two files: the incumbent gzip'd on stdin, joined by id as from the plain files
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/cand.csv" --incumbent "$WORK/inc.csv" --out "$WORK/join.json"
expect_eq "id join: incumbent rows" "$(jq -r .inputs.incumbent.rows "$WORK/join.json")" 5000
"$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/cand.csv.gz" --incumbent - --out "$WORK/join-gz.json" <"$WORK/inc.csv.gz"
expect_eq "id join, incumbent gzip on stdin: same groups, gates and verdict" \
    "$(judged "$WORK/join-gz.json" | sha256sum)" "$(judged "$WORK/join.json" | sha256sum)"
expect_eq "id join: incumbent path and digest" "$(jq -r '.inputs.incumbent | .path + " " + .sha256' "$WORK/join-gz.json")" \
    "- $(sha "$WORK/inc.csv.gz")"

# Broken gzip: exit 2, the file named, no audit, never a partial read.
size=$(wc -c <"$WORK/rows.csv.gz")
head -c $((size - 9)) "$WORK/rows.csv.gz" >"$WORK/trunc.csv.gz"
head -c $((size / 2)) "$WORK/rows.csv.gz" >"$WORK/half.csv.gz"
cp "$WORK/rows.csv.gz" "$WORK/corrupt.csv.gz"
printf '\377\377\377\377\377\377' | dd of="$WORK/corrupt.csv.gz" bs=1 seek=3000 conv=notrunc 2>/dev/null
{ cat "$WORK/rows.csv.gz"; printf 'trailing junk'; } >"$WORK/junk.csv.gz"
cp "$WORK/rows.csv" "$WORK/plain.csv.gz"
# broken NAME FILE REGEX
broken() {
    rm -f "$WORK/broken.json"
    run "$FAIRGATE" check --policy "$P" --candidate "$2" --out "$WORK/broken.json"
    expect_rc "$1: exits 2" 2
    expect_grep "$1: names the file and says why" "$WORK/err" "^fairgate: error: $3"
    expect_absent "$1: no audit" "$WORK/broken.json"
}
broken "truncated gzip (trailer cut)" "$WORK/trunc.csv.gz" \
    ".*/trunc\.csv\.gz: truncated gzip data: the file ends inside a gzip member \(after $((size - 9)) bytes\)$"
broken "truncated gzip (half)" "$WORK/half.csv.gz" ".*/half\.csv\.gz: truncated gzip data"
broken "corrupt gzip" "$WORK/corrupt.csv.gz" ".*/corrupt\.csv\.gz: corrupt gzip data near byte [0-9]+: "
broken "bytes after the last member" "$WORK/junk.csv.gz" \
    ".*/junk\.csv\.gz: the bytes after gzip member 1 \(from byte $size\) are not gzip data$"
broken ".gz name, not gzip" "$WORK/plain.csv.gz" \
    ".*/plain\.csv\.gz: the name ends in \.gz but the file is not gzip data"
rm -f "$WORK/broken.json"
head -c $((size / 2)) "$WORK/rows.csv.gz" | "$FAIRGATE" check --policy "$P" --candidate - --out "$WORK/broken.json" 2>"$WORK/err"
RC=$?
expect_rc "truncated gzip on stdin: exits 2" 2
expect_grep "truncated gzip on stdin: named <stdin>" "$WORK/err" "^fairgate: error: <stdin>: truncated gzip data"
expect_absent "truncated gzip on stdin: no audit" "$WORK/broken.json"
printf 'applicant_id,sex,race,defaulted,approve_new,approve_old\nA1,F,B,0,1\n' |
    "$FAIRGATE" check --policy "$P" --candidate - 2>"$WORK/err"
RC=$?
expect_rc "a CSV error on stdin: exits 2" 2
expect_grep "a CSV error on stdin: <stdin>:LINE" "$WORK/err" "^fairgate: error: <stdin>:2: the row has 5 fields, the header has 6$"

# Standard input can be read once.
run "$FAIRGATE" check --policy "$P" --candidate - --incumbent - </dev/null
expect_rc "two '-': exits 2" 2
expect_grep "two '-': says so" "$WORK/err" \
    "^fairgate: error: --candidate and --incumbent both read standard input \('-'\); at most one input may be '-'$"
run "$FAIRGATE" check --policy "$P" --counts - --counts - </dev/null
expect_rc "--counts - twice: exits 2" 2
expect_grep "--counts - twice: says so" "$WORK/err" "^fairgate: error: --counts is '-' \(standard input\) twice"
run "$FAIRGATE" counts --policy "$P" --candidate - --incumbent - --out "$WORK/k.csv" </dev/null
expect_rc "counts: two '-': exits 2" 2

# fairgate counts and check --counts read the same way.
"$FAIRGATE" counts --quiet --policy "$P" --candidate "$WORK/rows.csv" --out "$WORK/k-plain.csv"
gzip -c "$WORK/rows.csv" | "$FAIRGATE" counts --quiet --policy "$P" --candidate - --out "$WORK/k-stdin.csv"
expect_eq "counts from gzip on stdin: the same table" "$(sha "$WORK/k-stdin.csv")" "$(sha "$WORK/k-plain.csv")"
gzip -c "$WORK/k-plain.csv" >"$WORK/k.csv.gz"
"$FAIRGATE" check --quiet --policy "$P" --counts - --out "$WORK/counts-gz.json" <"$WORK/k.csv.gz"
expect_eq "check --counts - (gzip): the verdict of the rows" "$(jq -r .verdict "$WORK/counts-gz.json")" \
    "$(jq -r .verdict "$WORK/plain.json")"
expect_eq "check --counts - (gzip): same groups" "$(jq -c '[.groups[] | [.label, .candidate.n]]' "$WORK/counts-gz.json")" \
    "$(jq -c '[.groups[] | [.label, .candidate.n]]' "$WORK/plain.json")"
expect_eq "check --counts -: path and digest of the bytes given" \
    "$(jq -r '.inputs.counts[0] | .path + " " + .sha256' "$WORK/counts-gz.json")" "- $(sha "$WORK/k.csv.gz")"
head -c 60 "$WORK/k.csv.gz" >"$WORK/k-trunc.csv.gz"
run "$FAIRGATE" check --policy "$P" --counts "$WORK/k-trunc.csv.gz"
expect_rc "check --counts, truncated gzip: exits 2" 2
expect_grep "check --counts, truncated gzip: named" "$WORK/err" "k-trunc\.csv\.gz: truncated gzip data"

# The attestation records stdin's digest; verify --candidate - checks the same bytes.
"$FAIRGATE" keygen --out "$WORK/key.pem" --pubout "$WORK/key.pub" >/dev/null 2>&1
"$FAIRGATE" check --quiet --policy "$P" --candidate - --sign-key "$WORK/key.pem" \
    --attestation "$WORK/att.jsonl" <"$WORK/rows.csv.gz"
run "$FAIRGATE" verify --attestation "$WORK/att.jsonl" --pubkey "$WORK/key.pub" --candidate - <"$WORK/rows.csv.gz"
expect_rc "verify --candidate - (the same bytes): valid" 0
run "$FAIRGATE" verify --attestation "$WORK/att.jsonl" --pubkey "$WORK/key.pub" --candidate - <"$WORK/rows.csv"
expect_rc "verify --candidate - (the decompressed bytes): invalid" 1

finish
