# Shared helpers for CLI tests; source it first. Each assertion prints "ok - NAME" or
# "not ok - NAME" (with details); a test that cannot run here prints "skip - NAME (why)".
# The script's exit status says whether any failed (a skip is not a failure).
set -u
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
FIXTURES=$TESTS_DIR/fixtures
# Data that may not be shipped (COMPAS): $FAIRGATE_DATA, or ../shared/data beside the repo.
DATA=${FAIRGATE_DATA:-$(cd "$TESTS_DIR/../.." && pwd)/shared/data}
# Data shipped in the repository, gzip'd (tests/data/README.md): see shipped_data.
SHIPPED=$TESTS_DIR/data
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fairgate-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILED=0
export LC_ALL=C
# Tests that want GitHub Actions behaviour set these themselves; a CI runner's own must
# not leak into them (nor must they append to the runner's real job summary).
unset GITHUB_ACTIONS GITHUB_STEP_SUMMARY

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; FAILED=1; }
# skip NAME REASON: NAME was not run here, for REASON (counted apart from passes and failures).
skip() { echo "skip - $1 ($2)"; }

# need_data NAME FILE...: true when every FILE is in $DATA; otherwise says that NAME is
# skipped, naming the first missing file, and is false.
need_data() {
    name=$1
    shift
    for f in "$@"; do
        if [ ! -r "$DATA/$f" ]; then
            skip "$name" "$DATA/$f not found; set FAIRGATE_DATA to the folder that holds it"
            return 1
        fi
    done
}

# shipped_data FILE: decompresses tests/data/FILE.gz into $WORK once and prints its path.
shipped_data() {
    [ -r "$WORK/$1" ] || gzip -dc "$SHIPPED/$1.gz" >"$WORK/$1" || not_ok "decompress $1.gz"
    echo "$WORK/$1"
}

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

# make_keys WHO...: an Ed25519 key pair per WHO, $WORK/keys/WHO.pem and $WORK/keys/WHO.pub.
make_keys() {
    mkdir -p "$WORK/keys"
    for mk_who in "$@"; do
        "$FAIRGATE" keygen --out "$WORK/keys/$mk_who.pem" --pubout "$WORK/keys/$mk_who.pub" \
            >/dev/null || not_ok "keygen $mk_who"
    done
}

# fixture_policy NAME OUT [VAR=VALUE...]: copies tests/fixtures/policy/NAME.yaml to OUT, or
# NAME.yaml.in with every @VAR@ replaced by VALUE (for what a run makes: key ids, counts).
# A placeholder left unreplaced is a failure.
fixture_policy() {
    fp_src=$FIXTURES/policy/$1.yaml
    fp_out=$2
    shift 2
    [ -r "$fp_src" ] || fp_src=$fp_src.in
    awk 'BEGIN { for (i = 1; i < ARGC; i++) { k = ARGV[i]; sub(/=.*/, "", k)
            val["@" k "@"] = substr(ARGV[i], length(k) + 2); delete ARGV[i] } }
        { for (k in val) while ((j = index($0, k)) > 0)
            $0 = substr($0, 1, j - 1) val[k] substr($0, j + length(k))
          print }' "$@" - <"$fp_src" >"$fp_out" || not_ok "fixture_policy $(basename "$fp_src")" "cannot read or write"
    if grep -Eq '@[A-Z_]+@' "$fp_out"; then
        not_ok "fixture_policy $(basename "$fp_src")" "unreplaced: $(grep -Eo '@[A-Z_]+@' "$fp_out" | sort -u | tr '\n' ' ')"
    fi
}

finish() { exit "$FAILED"; }

# block FILE REGEX: the first ```sh (or ```yaml) block after the first line matching REGEX,
# without its fences and with the indentation of the fence removed.
block() {
    RE=$2 awk '
        BEGIN { re = ENVIRON["RE"] }
        !seen && $0 ~ re { seen = 1; next }
        seen && !in_block && /^ *```(sh|yaml)$/ { in_block = 1; match($0, /^ */); ind = RLENGTH; next }
        in_block && /^ *```$/ { exit }
        in_block { print substr($0, ind + 1) }' "$1"
}

# npm_tools NAME DIR PACKAGE.JSON FILE...: the pinned packages of PACKAGE.JSON installed in
# DIR, a cache outside the repository that later runs reuse (installed again when
# PACKAGE.JSON changes). FILE... (relative to DIR) must be there once installed. Prints
# "ok - NAME" or "not ok - NAME" with npm's complaint; false when not installed. Needs node
# and npm (.ci/ensure-deps test installs them).
npm_tools() {
    nt_name=$1 nt_dir=$2 nt_pkg=$3
    shift 3
    nt_ok=1
    for nt_tool in node npm; do
        if command -v "$nt_tool" >/dev/null 2>&1; then
            ok "$nt_tool is installed ($("$nt_tool" --version 2>/dev/null | head -n 1))"
        else
            not_ok "$nt_tool is installed" "$nt_name needs node and npm: apt-get install nodejs npm" \
                "(make check installs them through .ci/ensure-deps test)"
            nt_ok=0
        fi
    done
    [ "$nt_ok" = 1 ] || return 1
    if ! npm_tools_there "$nt_dir" "$nt_pkg" "$@"; then
        # Installed beside the cache folder, then moved into place: an interrupted install
        # never leaves a half-filled cache behind.
        nt_new="$nt_dir.new.$$"
        rm -rf "$nt_dir".new.* # left by an interrupted run
        mkdir -p "$nt_new"
        cp "$nt_pkg" "$nt_new/package.json"
        if npm install --prefix "$nt_new" --no-audit --no-fund --loglevel=error >"$WORK/npm.log" 2>&1 &&
            rm -rf "$nt_dir" && mv -T "$nt_new" "$nt_dir"; then
            :
        else
            rm -rf "$nt_new"
        fi
    fi
    if npm_tools_there "$nt_dir" "$nt_pkg" "$@"; then ok "$nt_name"; else
        not_ok "$nt_name" "npm install failed:" "$(tail -n 20 "$WORK/npm.log" 2>/dev/null | sed 's/^/    /')"
        return 1
    fi
}
npm_tools_there() { # DIR PACKAGE.JSON FILE...
    ntt_dir=$1
    cmp -s "$2" "$ntt_dir/package.json" || return 1
    shift 2
    for ntt_f in "$@"; do [ -e "$ntt_dir/$ntt_f" ] || return 1; done
}
# The cache folder npm_tools' callers install into.
NODE_CACHE=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}

# schema_tools: the JSON Schema validator (Ajv, ajv-cli, ajv-formats) and the `yaml` reader,
# pinned, installed by npm_tools in $SCHEMA_NODE_DIR, one cache for every script that
# validates (test_schemas.sh, test_model_card.sh): the package.json stays byte-identical, or
# the cache is installed again. False when they could not be installed.
SCHEMA_NODE_DIR=${FAIRGATE_NODE_DIR:-$NODE_CACHE/fairgate-test-node}
schema_tools() {
    cat >"$WORK/schema-tools.json" <<'JSON'
{
  "name": "fairgate-test-node",
  "private": true,
  "description": "JSON Schema validator for fairgate's tests/cli/test_schemas.sh (a cache; safe to delete)",
  "dependencies": {
    "ajv": "8.17.1",
    "ajv-cli": "5.0.0",
    "ajv-formats": "3.0.1",
    "yaml": "2.8.1"
  }
}
JSON
    npm_tools "validator installed in $SCHEMA_NODE_DIR" "$SCHEMA_NODE_DIR" "$WORK/schema-tools.json" \
        node_modules/.bin/ajv node_modules/yaml/package.json node_modules/ajv-formats/package.json
}

# adult_csv SOURCE OUT: UCI Adult (comma-space separated, no header) as a CSV with a header,
# the columns the tests use and two models' decisions: pred, >50K iff education-num >= 13;
# old, iff hours-per-week >= 45.
adult_csv() {
    awk -F', ' -v OFS=, 'BEGIN { print "age,education_num,race,sex,hours,income,pred,old" }
        NF == 15 { print $1, $5, $9, $10, $13, $15, ($5 >= 13), ($13 >= 45) }' "$1" >"$2"
}

# adult_policy POSITIVE_LABEL OUT: a policy for adult_csv's file (">50K" in adult.data,
# ">50K." in adult.test), with a gate of each kind, written to OUT.
adult_policy() { fixture_policy adult-income "$2" LABEL="$1"; }

# ---- per-group counts and rates, computed independently (real-data tests) ----

RATE_METRICS="base_rate selection_rate tpr fpr fnr tnr ppv npv fdr for accuracy error_rate"

# audit_group_table AUDIT [MODEL]: one tab-separated line per group of the audit, sorted:
# label, n, tp, fp, tn, fn, then the twelve rates of RATE_METRICS ("null" when undefined),
# for MODEL (candidate, the default, or incumbent).
audit_group_table() {
    jq -r --arg m "$RATE_METRICS" --arg model "${2:-candidate}" '.groups[] | .[$model] as $c
        | [.label, $c.n, $c.tp, $c.fp, $c.tn, $c.fn]
        + [$c[($m | split(" "))[]] | if . == null then "null" else tostring end]
        | join("\t")' "$1" | sort
}

# rates_from_rows: reads "GROUP<TAB>Y<TAB>P" lines (Y the label, P the decision, each 0 or 1;
# one line per row and group the row belongs to) and writes audit_group_table's table.
rates_from_rows() {
    awk -F'\t' -v OFS='\t' '{ g = $1; y = ($2 == 1); p = ($3 == 1); seen[g] = 1
        tp[g] += y && p; fp[g] += !y && p; tn[g] += !y && !p; fn[g] += y && !p }
        function r(a, b) { return b == 0 ? "null" : sprintf("%.17g", a / b) }
        END { for (g in seen) { n = tp[g] + fp[g] + tn[g] + fn[g]
            print g, n, tp[g], fp[g], tn[g], fn[g], r(tp[g] + fn[g], n), r(tp[g] + fp[g], n),
                r(tp[g], tp[g] + fn[g]), r(fp[g], fp[g] + tn[g]), r(fn[g], tp[g] + fn[g]),
                r(tn[g], fp[g] + tn[g]), r(tp[g], tp[g] + fp[g]), r(tn[g], tn[g] + fn[g]),
                r(fp[g], tp[g] + fp[g]), r(fn[g], tn[g] + fn[g]), r(tp[g] + tn[g], n),
                r(fp[g] + fn[g], n) } }' | sort
}

# expect_same_rates NAME GOT WANT: the two tables (files) have the same groups, equal counts
# and rates within 1e-12.
expect_same_rates() {
    expect_eq "$1: same groups" "$(cut -f1 "$2")" "$(cut -f1 "$3")"
    bad=$(paste "$2" "$3" | awk -F'\t' '{
        half = NF / 2
        for (i = 2; i <= half; i++) { a = $i; b = $(i + half)
            if (a == "null" || b == "null") { if (a != b) { print $1 ": field " i ": " a " vs " b; next } }
            else if (i <= 6) { if (a != b) { print $1 ": count " i ": " a " vs " b; next } }
            else { d = a - b; if (d < 0) d = -d; if (d > 1e-12) { print $1 ": rate " i ": " a " vs " b; next } } } }')
    expect_eq "$1: every count and rate equals awk's to 1e-12" "$bad" ""
    expect_eq "$1: groups compared" "$(wc -l <"$2" | tr -d ' ')" "$(wc -l <"$3" | tr -d ' ')"
}
