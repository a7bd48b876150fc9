# Shared helpers for CLI tests; source it first. Each assertion prints "ok - NAME" or
# "not ok - NAME" (with details); the script's exit status says whether any failed.
set -u
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
FIXTURES=$TESTS_DIR/fixtures
DATA=${FAIRGATE_DATA:-$TESTS_DIR/../../shared/data}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fairgate-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILED=0
export LC_ALL=C
# Tests that want GitHub Actions behaviour set these themselves; a CI runner's own must
# not leak into them (nor must they append to the runner's real job summary).
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; FAILED=1; }

# run CMD...: runs it, keeps stdout in $WORK/out, stderr in $WORK/err, status in $RC.
run() {
    "$@" >"$WORK/out" 2>"$WORK/err"
    RC=$?
}

# expect_rc NAME CODE: the last run exited CODE.
expect_rc() {
    if [ "$RC" -eq "$2" ]; then ok "$1"; else
        not_ok "$1" "exit $RC, expected $2" "stderr: $(head -c 600 "$WORK/err")"
    fi
}

# expect_grep NAME FILE REGEX: FILE has a line matching the extended regex.
expect_grep() {
    if grep -Eq -- "$3" "$2"; then ok "$1"; else
        not_ok "$1" "no line of $(basename "$2") matches /$3/" "got: $(head -c 600 "$2")"
    fi
}

# expect_no_grep NAME FILE REGEX
expect_no_grep() {
    if grep -Eq -- "$3" "$2"; then not_ok "$1" "unexpected /$3/ in $(basename "$2")"; else ok "$1"; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $2" "want: $3"; fi
}

# expect_absent NAME PATH: nothing at PATH, not even a dangling link (and no temporary
# file beside it: .fgXXXXXX, or NAME.tmp.XXXXXX as fairgate named them before).
expect_absent() {
    if [ -e "$2" ] || [ -L "$2" ] || ls "$2".tmp.* "$(dirname "$2")"/.fg* >/dev/null 2>&1; then
        not_ok "$1" "$2 exists"; else ok "$1"; fi
}

# at "YYYY-MM-DD hh:mm:ss" CMD...: runs CMD with the real clock stopped at that UTC time
# (libfaketime, Debian's faketime). Overrides are judged by the real clock; SOURCE_DATE_EPOCH
# only fixes the times fairgate writes, so tests that need another date move the clock.
at() {
    when=$1
    shift
    TZ=UTC ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        faketime -f "$when" "$@"
}

# keyid PUB.pem: the key id fairgate pins an approver's key by (as `fairgate keygen` prints).
keyid() { openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }

finish() { exit "$FAILED"; }
