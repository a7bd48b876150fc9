#!/bin/sh
# Outputs under faults (README "Output files"): a run that exits 2 leaves every output path
# as it was, and creates nothing: an output that is a link to /dev/full, an unwritable or
# failing GITHUB_STEP_SUMMARY (cut back to its size), a rename that fails after others
# succeeded (the files it replaced come back). A symbolic link at an output path that names
# a regular file, or dangles, is refused unless --force (which replaces the link itself);
# devices, FIFOs and /dev/stdout are written in place. SIGTERM removes the temporary files.
# The attestation is moved into place last. A 250-byte file name works. keygen, counts,
# override and report write through the same sets. Two outputs of one run that name the
# same file (the same path, another spelling, a link to it) are refused before anything is
# written; a device named twice is written twice.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
P=$ROOT/policies/loan-approval.yaml
export SOURCE_DATE_EPOCH=1763769600
"$TOOLS/fg_gen" --rows 300 --seed 3 --scenario loan >"$WORK/c.csv"
"$TOOLS/fg_gen" --rows 300 --seed 4 --scenario loan >"$WORK/c2.csv"
"$FAIRGATE" keygen --out "$WORK/k.pem" --pubout "$WORK/k.pub" >/dev/null
D=$WORK/d # the output folder of every case
mkdir "$D"

# state DIR: every entry with its kind and content, to compare before and after a run.
state() {
    (cd "$1" && find . | LC_ALL=C sort | while IFS= read -r f; do
        if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"
        elif [ -f "$f" ]; then echo "$f $(cksum <"$f")"
        elif [ -p "$f" ]; then echo "$f fifo"
        else echo "$f"; fi
    done)
}
# fresh: $D holds an audit and an attestation from one earlier run (on c.csv).
fresh() {
    rm -rf "$D"
    mkdir "$D"
    "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/c.csv" --out "$D/audit.json" \
        --sign-key "$WORK/k.pem" --attestation "$D/a.jsonl" >/dev/null 2>&1
    [ -s "$D/audit.json" ] && [ -s "$D/a.jsonl" ] || not_ok "setup: the first run wrote its outputs"
}
# unchanged NAME: $D is as state "$WORK/before" recorded it.
unchanged() {
    state "$D" >"$WORK/after"
    if cmp -s "$WORK/before" "$WORK/after"; then ok "$1"; else
        not_ok "$1" "$(diff "$WORK/before" "$WORK/after" | head -n 8)"
    fi
}
# pair_matches NAME: the attestation in $D attests the audit in $D (its predicate).
pair_matches() {
    jq -r .payload "$D/a.jsonl" | base64 -d | jq -S .predicate >"$WORK/pred" 2>/dev/null
    jq -S . "$D/audit.json" >"$WORK/aud" 2>/dev/null
    if [ -s "$WORK/pred" ] && cmp -s "$WORK/pred" "$WORK/aud"; then ok "$1"; else
        not_ok "$1" "the attestation's predicate is not the audit file"
    fi
}
# wait_temps N: until $D holds N temporary files (.fg*: staged outputs and backups), or 10 s.
wait_temps() {
    i=0
    while [ "$(ls -A "$D" | grep -c '^\.fg')" -lt "$1" ]; do
        i=$((i + 1))
        [ "$i" -le 400 ] || return 1
        sleep 0.025
    done
}
check2() { # the second run: other rows, so every output would change
    run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/c2.csv" --out "$D/audit.json" \
        --sign-key "$WORK/k.pem" --attestation "$D/a.jsonl" "$@"
}
# check2_bg ARGS...: check2 in the background, fairgate itself in $pid (signals reach it).
check2_bg() {
    "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/c2.csv" --out "$D/audit.json" \
        --sign-key "$WORK/k.pem" --attestation "$D/a.jsonl" "$@" >"$WORK/out" 2>"$WORK/err" &
    pid=$!
}

# ---- (a) exit 2 leaves every output path as it was ----

fresh
ln -s /dev/full "$D/full.md"
state "$D" >"$WORK/before"
check2 --markdown "$D/full.md" --html "$D/new.html"
expect_rc "an output linked to /dev/full: exit 2" 2
expect_grep "... the error names the output" "$WORK/err" "full\.md: write failed"
unchanged "... every output path as it was, nothing created"

fresh
state "$D" >"$WORK/before"
check2 --markdown /dev/full --junit "$D/new.xml"
expect_rc "an output /dev/full: exit 2" 2
unchanged "... every output path as it was, nothing created"

fresh
state "$D" >"$WORK/before"
run env GITHUB_STEP_SUMMARY=/dev/full "$FAIRGATE" check --quiet --policy "$P" \
    --candidate "$WORK/c2.csv" --out "$D/audit.json" --sign-key "$WORK/k.pem" \
    --attestation "$D/a.jsonl" --html "$D/new.html"
expect_rc "GITHUB_STEP_SUMMARY=/dev/full: exit 2" 2
unchanged "... every output path as it was"

fresh
state "$D" >"$WORK/before"
run env GITHUB_STEP_SUMMARY="$D/no/such/summary.md" "$FAIRGATE" check --quiet --policy "$P" \
    --candidate "$WORK/c2.csv" --out "$D/audit.json" --sign-key "$WORK/k.pem" \
    --attestation "$D/a.jsonl"
expect_rc "GITHUB_STEP_SUMMARY in a missing folder: exit 2" 2
expect_grep "... refused, naming it" "$WORK/err" "no/such/summary\.md: cannot open to append"
unchanged "... every output path as it was"

# An append that fails half way (the file-size limit: write(2) fails with EFBIG) is cut
# back to the summary's size before the run.
(trap '' XFSZ; ulimit -f 256; head -c 1000000 /dev/zero >"$WORK/probe") 2>/dev/null
limit=$(wc -c <"$WORK/probe" | tr -d ' ')
fresh
head -c $((limit - 10)) /dev/zero | tr '\0' 's' >"$D/summary.md"
state "$D" >"$WORK/before"
(
    trap '' XFSZ
    ulimit -f 256
    exec env GITHUB_STEP_SUMMARY="$D/summary.md" "$FAIRGATE" check --quiet --policy "$P" \
        --candidate "$WORK/c2.csv" --out "$D/audit.json" --sign-key "$WORK/k.pem" \
        --attestation "$D/a.jsonl"
) >"$WORK/out" 2>"$WORK/err"
RC=$?
expect_rc "a step summary append that fails half way: exit 2" 2
expect_eq "... the summary is cut back to its size" "$(wc -c <"$D/summary.md" | tr -d ' ')" \
    "$((limit - 10))"
unchanged "... every output path as it was"

# A rename that fails after an earlier one succeeded: fairgate waits on a FIFO (written
# before any rename) while the test puts a folder where the Markdown goes; the audit,
# already renamed, is put back. The device got its bytes: those cannot be taken back.
fresh
mkfifo "$D/pipe.xml"
state "$D" >"$WORK/before"
check2_bg --markdown "$D/late.md" --junit "$D/pipe.xml"
if wait_temps 5; then ok "rename fails: the outputs are staged"; else not_ok "rename fails: the outputs are staged"; fi
mkdir "$D/late.md" && touch "$D/late.md/x"
timeout 20 cat "$D/pipe.xml" >"$WORK/junit.got"
wait "$pid"
RC=$?
expect_rc "a rename that fails: exit 2" 2
expect_grep "... the error names it" "$WORK/err" "late\.md: cannot rename into place"
rm -r "$D/late.md"
unchanged "... the renamed audit is restored, nothing else is left"
pair_matches "... the audit and the attestation still match"

# (d) The attestation moves last: when the audit cannot be moved into place, the new
# attestation must not sit beside the old audit.
fresh
mkfifo "$D/pipe.xml"
state "$D" >"$WORK/before"
check2_bg --junit "$D/pipe.xml"
wait_temps 4 || not_ok "attestation last: the outputs are staged"
rm "$D/audit.json" && mkdir "$D/audit.json" && touch "$D/audit.json/x"
timeout 20 cat "$D/pipe.xml" >/dev/null
wait "$pid"
RC=$?
expect_rc "attestation last: the audit's rename fails, exit 2" 2
expect_eq "... the attestation is the earlier run's" "$(state "$D" | grep '^./a.jsonl ')" \
    "$(grep '^./a.jsonl ' "$WORK/before")"
expect_eq "... and no temporary file is left" "$(ls -A "$D" | grep -c '^\.fg')" 0

# ---- (b) symbolic links ----

fresh
echo target >"$WORK/target.json"
ln -s "$WORK/target.json" "$D/link.json"
ln -s "$WORK/nowhere.json" "$D/dangling.json"
state "$D" >"$WORK/before"
check2 --junit "$D/link.json"
expect_rc "a link to a regular file: exit 2" 2
expect_grep "... the message names the path and --force" "$WORK/err" \
    "link\.json: is a symbolic link to a regular file.*--force"
unchanged "... nothing changed"
expect_eq "... the file it names is untouched" "$(cat "$WORK/target.json")" target
check2 --junit "$D/dangling.json"
expect_rc "a dangling link: exit 2" 2
expect_grep "... the message says it dangles" "$WORK/err" "dangling\.json: is a symbolic link that dangles"
expect_absent "... its target is not created" "$WORK/nowhere.json"
unchanged "... nothing changed"

run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/c2.csv" --out "$WORK/plain.json"
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/c2.csv" --out "$D/link.json" \
    --markdown "$D/dangling.json" --force
expect_rc "--force: a verdict" 1
[ -f "$D/link.json" ] && [ ! -L "$D/link.json" ] && ok "--force replaces the link with a file" ||
    not_ok "--force replaces the link with a file"
if cmp -s "$D/link.json" "$WORK/plain.json"; then ok "... the same bytes as a plain --out"; else not_ok "... the same bytes as a plain --out"; fi
expect_eq "... the file the link named is untouched" "$(cat "$WORK/target.json")" target
[ -f "$D/dangling.json" ] && [ ! -L "$D/dangling.json" ] && ok "--force replaces a dangling link" ||
    not_ok "--force replaces a dangling link"
expect_absent "... and creates nothing where it pointed" "$WORK/nowhere.json"

ln -s /dev/null "$D/null.json"
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/c2.csv" --out "$D/null.json"
expect_rc "a link to /dev/null is written through" 1
[ -L "$D/null.json" ] && [ -c /dev/null ] && ok "... the link and /dev/null stay" || not_ok "... the link and /dev/null stay"
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/c2.csv" --out /dev/stdout
expect_rc "--out /dev/stdout (a file here)" 1
expect_eq "... the audit is on standard output" "$(jq -r .schema "$WORK/out")" "fairgate.audit/v1"
if cmp -s "$WORK/out" "$WORK/plain.json"; then ok "... byte for byte"; else not_ok "... byte for byte"; fi

for c in check counts override report; do
    run "$FAIRGATE" "$c" --help
    expect_grep "$c --help names --force" "$WORK/out" "^  --force "
done

# ---- (c) SIGTERM removes the temporary files ----

fresh
mkfifo "$D/pipe.xml"
state "$D" >"$WORK/before"
check2_bg --markdown "$D/new.md" --junit "$D/pipe.xml"
if wait_temps 5; then ok "SIGTERM: the outputs are staged"; else not_ok "SIGTERM: the outputs are staged"; fi
kill -TERM "$pid"
wait "$pid"
RC=$?
expect_rc "SIGTERM: the run ends by the signal" 143
unchanged "SIGTERM: no temporary file is left, every output as it was"

# ---- (e) a 250-byte file name ----

long=$(printf '%0250d' 0 | tr 0 n)
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/c2.csv" --out "$D/$long"
expect_rc "a 250-byte file name: a verdict" 1
if cmp -s "$D/$long" "$WORK/plain.json"; then ok "... the audit is written"; else not_ok "... the audit is written" "$(cat "$WORK/err")"; fi
run "$FAIRGATE" counts --quiet --policy "$P" --candidate "$WORK/c2.csv" --out "$D/$long.csv"
expect_rc "counts: a 254-byte file name" 0
expect_eq "... no temporary file is left" "$(ls -A "$D" | grep -c '^\.fg')" 0

# ---- (f) the other writers ----

# keygen --force replaces a key pair both or neither: the old private key survives a
# public key that cannot be written.
cp "$WORK/k.pem" "$WORK/k.orig"
run "$FAIRGATE" keygen --out "$WORK/k.pem" --pubout "$WORK/no/such/k.pub" --force
expect_rc "keygen --force with an unwritable public key: exit 2" 2
if cmp -s "$WORK/k.pem" "$WORK/k.orig"; then ok "... the old private key is untouched"; else not_ok "... the old private key is untouched"; fi

echo target >"$WORK/target.csv"
ln -s "$WORK/target.csv" "$D/counts.csv"
run "$FAIRGATE" counts --quiet --policy "$P" --candidate "$WORK/c2.csv" --out "$D/counts.csv"
expect_rc "counts --out a link: exit 2" 2
expect_eq "... the file it names is untouched" "$(cat "$WORK/target.csv")" target
run "$FAIRGATE" counts --quiet --policy "$P" --candidate "$WORK/c2.csv" --out "$D/counts.csv" --force
expect_rc "counts --force: replaces the link" 0
[ ! -L "$D/counts.csv" ] && head -n 1 "$D/counts.csv" | grep -q count && ok "... with the counts file" ||
    not_ok "... with the counts file"

ln -s "$WORK/nowhere.md" "$D/r.md"
run "$FAIRGATE" report --audit "$WORK/plain.json" --markdown "$D/r.md"
expect_rc "report --markdown a dangling link: exit 2" 2
expect_absent "... its target is not created" "$WORK/nowhere.md"
# ---- two outputs, one file ----

fresh
state "$D" >"$WORK/before"
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/c2.csv" --out "$D/audit.json" \
    --markdown "$D/./audit.json"
expect_rc "check --out and --markdown on one file (another spelling): exit 2" 2
expect_grep "... says which outputs collide" "$WORK/err" \
    "audit\.json: is the file another output \(.*/d/audit\.json\) is written to; give each output its own file"
unchanged "... the audit is as it was"
run "$FAIRGATE" check --quiet --policy "$P" --candidate "$WORK/c2.csv" --out "$D/new.json" \
    --junit "$D/sub/../new.json"
expect_rc "check --out and --junit on one new file: exit 2" 2
expect_absent "... nothing written" "$D/new.json"
ln -s audit.json "$D/link.md"
state "$D" >"$WORK/before"
run "$FAIRGATE" report --audit "$D/audit.json" --markdown "$D/link.md" --html "$D/audit.json" --force
expect_rc "report: an output and a link to it: exit 2" 2
unchanged "... both as they were"
run "$FAIRGATE" report --audit "$D/audit.json" --markdown "$D/r.md" --model-card "$D/r.md"
expect_rc "report --markdown and --model-card on one file: exit 2" 2
expect_absent "... nothing written" "$D/r.md"
run "$FAIRGATE" report --audit "$D/audit.json" --markdown /dev/null --junit /dev/null
expect_rc "report: /dev/null twice is fine (exit 0)" 0
finish
