#!/bin/sh
# `fairgate sql --dialect duckdb` run in DuckDB (npm's @duckdb/node-api, pinned, installed
# into a cache folder outside the repository, driven by tests/tools/duckdb_run.cjs) gives,
# row for row, the tables `fairgate counts` computes from the same rows, and `check --counts`
# on DuckDB's export gives the verdict and audit of `check` on the rows. Each case is read
# three ways: the CSV with every column as text (as fairgate reads it), a Parquet file DuckDB
# writes from that, and a Parquet file of the types DuckDB detects (integer labels, DOUBLE
# scores). Cases: intersections with the incumbent in the same file; a separate incumbent
# file joined by id with a score model and missing values dropped; text labels; real data
# (UCI Adult). Score policies also get the score bins (`fairgate sql --bins`): the export
# equals `fairgate counts --bins-out` (counts exactly, sums to 1e-12) and check --counts on
# both exports gives the rows' verdict, brier and calibration_gap (1e-12), auc within its
# bound: favorable: below on both models; missing: drop with holes in the incumbent's score;
# calibration over 5 bins; and scores on, just below and just above every bin edge, 0, 1 and
# out of [0, 1]. Also: missing: error, scores fairgate refuses (NaN, inf, 1e400, 1e-400,
# 5e-324, ' 0.2' ...), odd names, and the README's Parquet workflows run as written.
# Without node or npm, or when npm cannot install the package, this test fails; when the
# package installs but its native binary cannot load here, it says "skip" with the reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/scorebins.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
export SOURCE_DATE_EPOCH=1763769600

# ---- DuckDB ----

NODE_DIR=${FAIRGATE_DUCKDB_DIR:-$NODE_CACHE/fairgate-test-duckdb}
DUCKDB_VERSION=1.5.6-r.1
cat >"$WORK/package.json" <<JSON
{
  "name": "fairgate-test-duckdb",
  "private": true,
  "description": "DuckDB for fairgate's tests/cli/test_duckdb.sh (a cache; safe to delete)",
  "dependencies": {
    "@duckdb/node-api": "$DUCKDB_VERSION"
  }
}
JSON
npm_tools "DuckDB installed in $NODE_DIR" "$NODE_DIR" "$WORK/package.json" \
    node_modules/@duckdb/node-api/package.json || finish
NODE_PATH=$NODE_DIR/node_modules
export NODE_PATH
expect_eq "pinned version" \
    "$(node -p 'require("@duckdb/node-api/package.json").version' 2>&1)" "$DUCKDB_VERSION"
# The package picks a native binary per platform (an optional dependency npm may leave out).
if ! node -e 'require("@duckdb/node-api")' >"$WORK/load.err" 2>&1; then
    skip "DuckDB runs the query" "@duckdb/node-api $DUCKDB_VERSION cannot load on $(uname -sm): $(grep -m 1 -i 'error' "$WORK/load.err" | head -c 300)"
    finish
fi
# duckdb ARGS...: the shell's options the tests and the README use (tests/tools/duckdb_run.cjs)
mkdir -p "$WORK/bin"
printf '#!/bin/sh\nexec node "%s" "$@"\n' "$ROOT/tests/tools/duckdb_run.cjs" >"$WORK/bin/duckdb"
chmod +x "$WORK/bin/duckdb"
DUCKDB=$WORK/bin/duckdb
expect_eq "DuckDB runs SQL and writes CSV with a header" \
    "$("$DUCKDB" -csv -header -c "SELECT 1 AS a, NULL AS b, 'x,\"y' AS c" 2>&1)" 'a,b,c
1,,"x,""y"'

# ---- the tables compared ----

# The tables of each case: `fairgate counts` and `fairgate sql` write each kind (a new kind
# is one more word here and one more branch in tables_of, fairgate_table, engine_query and
# same_kind): the counts, and the score bins of a policy that gates on a score metric.
TABLES="counts bins"

# tables_of POLICY: the kinds of TABLES that POLICY's counts are made of.
tables_of() {
    for to_kind in $TABLES; do
        [ "$to_kind" != bins ] || score_gated "$1" || continue
        printf '%s ' "$to_kind"
    done
}

# fairgate_table KIND POLICY OUT FAIRGATE-INPUT-ARGS...: fairgate's own table of KIND (for a
# score policy, fairgate counts writes the counts and the bins together: the other one aside).
fairgate_table() {
    ft_kind=$1 ft_policy=$2 ft_out=$3
    shift 3
    case $ft_kind in
    counts) if score_gated "$ft_policy"; then set -- "$@" --bins-out "$ft_out.bins"; fi
        "$FAIRGATE" counts --quiet --policy "$ft_policy" "$@" --out "$ft_out" ;;
    bins) "$FAIRGATE" counts --quiet --policy "$ft_policy" "$@" --out "$ft_out.counts" \
        --bins-out "$ft_out" ;;
    *) not_ok "fairgate_table: unknown kind $ft_kind" ;;
    esac
}

# engine_query KIND POLICY: the query of KIND over the view preds, on stdout.
engine_query() {
    case $1 in
    counts) "$FAIRGATE" sql --policy "$2" --table preds --dialect duckdb ;;
    bins) "$FAIRGATE" sql --policy "$2" --table preds --dialect duckdb --bins ;;
    *) not_ok "engine_query: unknown kind $1" ;;
    esac
}

# ---- the sources ----

# from_csv CSV: DuckDB's reading of CSV as fairgate reads it: every column as text, an
# empty field NULL.
from_csv() { echo "read_csv('$1', header = true, all_varchar = true)"; }

# typed_csv CSV: DuckDB's reading of CSV with numbers typed: BIGINT or DOUBLE where every
# value reads as one, else text (not BOOLEAN: "yes" would then print as "true", which is
# another label, as README says).
typed_csv() {
    echo "read_csv('$1', header = true, auto_type_candidates = ['BIGINT', 'DOUBLE', 'VARCHAR'])"
}

# source_of SOURCE CSV: what DuckDB reads for CSV as SOURCE: csv (the text as is), parquet
# (a Parquet file DuckDB wrote from that: text columns) or typed (a Parquet file of the types
# DuckDB detects in the CSV: integer labels, DOUBLE scores).
source_of() {
    case $1 in
    csv) from_csv "$2" ;;
    parquet) echo "'$2.parquet'" ;;
    typed) echo "'$2.typed.parquet'" ;;
    esac
}

# view_sql SOURCE CSV [INCUMBENT-CSV ID]: the statements that write SOURCE's files and make
# the view preds of the rows; with an incumbent file, the two files joined on ID.
view_sql() {
    vs_source=$1 vs_csv=$2 vs_inc=${3:-} vs_id=${4:-}
    for vs_file in "$vs_csv" ${vs_inc:+"$vs_inc"}; do
        case $vs_source in
        parquet) echo "COPY (FROM $(from_csv "$vs_file")) TO '$vs_file.parquet' (FORMAT PARQUET);" ;;
        typed) echo "COPY (FROM $(typed_csv "$vs_file")) TO '$vs_file.typed.parquet' (FORMAT PARQUET);" ;;
        esac
    done
    if [ -z "$vs_inc" ]; then
        echo "CREATE VIEW preds AS FROM $(source_of "$vs_source" "$vs_csv");"
    else
        echo "CREATE VIEW preds AS FROM $(source_of "$vs_source" "$vs_csv") AS c"
        echo "    JOIN $(source_of "$vs_source" "$vs_inc") AS i USING ($vs_id);"
    fi
}

# ---- comparing ----

# same_table NAME GOT WANT: the same header, and the same records once sorted.
same_table() {
    expect_eq "$1: the header" "$(head -n 1 "$2")" "$(head -n 1 "$3")"
    tail -n +2 "$2" | LC_ALL=C sort >"$2.body"
    tail -n +2 "$3" | LC_ALL=C sort >"$3.body"
    if [ -s "$3.body" ] && cmp -s "$2.body" "$3.body"; then
        ok "$1: every record equals fairgate's ($(wc -l <"$3.body" | tr -d ' ') records)"
    else
        not_ok "$1: every record equals fairgate's" "$(diff "$2.body" "$3.body" | head -n 10)"
    fi
}

# same_kind KIND NAME GOT WANT: DuckDB's table of KIND holds fairgate's records: the counts
# exactly; the score bins' keys and counts exactly, their sums to 1e-12 (DuckDB adds in its
# own order).
same_kind() {
    case $1 in
    counts) same_table "$2" "$3" "$4" ;;
    bins) same_bins "$2" "$3" "$4" ;;
    *) not_ok "same_kind: unknown kind $1" ;;
    esac
}

# same_verdict NAME POLICY EXPORT FAIRGATE-INPUT-ARGS...: check --counts on DuckDB's export
# exits as check on the rows, with the same audit but for its inputs.
same_verdict() {
    sv_name=$1 sv_policy=$2 sv_export=$3
    shift 3
    "$FAIRGATE" check --quiet --policy "$sv_policy" "$@" --out "$WORK/rows.json" 2>/dev/null
    sv_rc=$?
    run "$FAIRGATE" check --quiet --policy "$sv_policy" --counts "$sv_export" --out "$WORK/engine.json"
    expect_rc "$sv_name: check --counts exits as check on the rows ($sv_rc)" "$sv_rc"
    if [ -s "$WORK/engine.json" ] &&
        [ "$(jq -S 'del(.inputs)' "$WORK/rows.json")" = "$(jq -S 'del(.inputs)' "$WORK/engine.json")" ]; then
        ok "$sv_name: same verdict, gates and groups as on the rows ($(jq -r .verdict "$WORK/engine.json"))"
    else
        not_ok "$sv_name: same audit as on the rows" "$(head -c 300 "$WORK/err")"
    fi
}

# same_score_verdict NAME POLICY COUNTS-EXPORT BINS-EXPORT FAIRGATE-INPUT-ARGS...: check
# --counts on both DuckDB exports exits as check on the rows, with the same verdict and
# statuses, brier and calibration_gap to 1e-12 and auc within the audit's auc_error_bound.
same_score_verdict() {
    ss_name=$1 ss_policy=$2 ss_counts=$3 ss_bins=$4
    shift 4
    "$FAIRGATE" check --quiet --policy "$ss_policy" "$@" --out "$WORK/rows.json" 2>/dev/null
    ss_rc=$?
    run "$FAIRGATE" check --quiet --policy "$ss_policy" --counts "$ss_counts" --counts "$ss_bins" \
        --out "$WORK/engine.json"
    expect_rc "$ss_name: check --counts on both exports exits as check on the rows ($ss_rc)" "$ss_rc"
    bins_vs_rows "$ss_name" "$WORK/rows.json" "$WORK/engine.json"
}

# duck NAME KIND POLICY SOURCE CSV [INCUMBENT-CSV ID]: runs the query of KIND in DuckDB over
# the view of SOURCE; the export in $WORK/NAME.duck.csv; true when it ran.
duck() {
    dk_name=$1 dk_kind=$2 dk_policy=$3
    shift 3
    engine_query "$dk_kind" "$dk_policy" >"$WORK/$dk_name.sql" || not_ok "$dk_name: fairgate sql"
    view_sql "$@" >"$WORK/$dk_name.view.sql"
    if "$DUCKDB" -csv -header -cmd "$(cat "$WORK/$dk_name.view.sql")" <"$WORK/$dk_name.sql" \
        >"$WORK/$dk_name.duck.csv" 2>"$WORK/$dk_name.duck.err"; then
        return 0
    fi
    not_ok "$dk_name: DuckDB runs the query" "$(head -c 600 "$WORK/$dk_name.duck.err")"
    return 1
}

# agree NAME POLICY CSV [INCUMBENT-CSV ID]: for every source and every table of POLICY,
# DuckDB's export equals fairgate's table; check --counts on the exports judges as check on
# the rows.
agree() {
    ag_name=$1 ag_policy=$2 ag_csv=$3 ag_inc=${4:-} ag_id=${5:-}
    set -- --candidate "$ag_csv"
    [ -z "$ag_inc" ] || set -- "$@" --incumbent "$ag_inc"
    ag_tables=$(tables_of "$ag_policy")
    for ag_kind in $ag_tables; do
        fairgate_table "$ag_kind" "$ag_policy" "$WORK/$ag_name.$ag_kind.want.csv" "$@" ||
            not_ok "$ag_name: fairgate $ag_kind"
    done
    for ag_source in csv parquet typed; do
        ag_ran=true
        for ag_kind in $ag_tables; do
            ag_export=$WORK/$ag_name-$ag_source-$ag_kind.duck.csv
            duck "$ag_name-$ag_source-$ag_kind" "$ag_kind" "$ag_policy" "$ag_source" "$ag_csv" \
                "$ag_inc" "$ag_id" || { ag_ran=false; continue; }
            same_kind "$ag_kind" "$ag_name, $ag_source, $ag_kind" "$ag_export" \
                "$WORK/$ag_name.$ag_kind.want.csv"
        done
        $ag_ran || continue
        ag_counts=$WORK/$ag_name-$ag_source-counts.duck.csv
        case $ag_tables in
        *bins*) same_score_verdict "$ag_name, $ag_source, counts and bins" "$ag_policy" \
            "$ag_counts" "$WORK/$ag_name-$ag_source-bins.duck.csv" "$@" ;;
        *) same_verdict "$ag_name, $ag_source, counts" "$ag_policy" "$ag_counts" "$@" ;;
        esac
    done
}

# ---- the cases ----

# one file, both models, an intersection, missing: error
"$TOOLS/fg_gen" --rows 6000 --seed 21 --scenario loan >"$WORK/loans.csv"
LOAN=$ROOT/policies/loan-approval.yaml
agree loan "$LOAN" "$WORK/loans.csv"

# the incumbent in its own file (another order), joined by id; a score model; missing
# values in the candidate's file, dropped
"$TOOLS/fg_gen" --rows 6000 --seed 5 --scenario loan --incumbent-out "$WORK/inc.csv" >"$WORK/cand.csv"
# (the candidate's file without the incumbent's empty columns p_old and approve_old)
awk -F, -v OFS=, 'NR > 1 && NR % 97 == 0 { $3 = "" } NR > 1 && NR % 89 == 0 { $7 = "" }
    { print $1, $2, $3, $4, $7, $8 }' "$WORK/cand.csv" >"$WORK/cand-holes.csv"
fixture_policy counts-join "$WORK/join.yaml"
agree join "$WORK/join.yaml" "$WORK/cand-holes.csv" "$WORK/inc.csv" applicant_id
expect_eq "join: the case drops rows (data.missing: drop is exercised)" \
    "$(jq '.inputs.candidate.rows_dropped > 0' "$WORK/rows.json")" "true"

# two score models, missing values in both, dropped
fixture_policy sql-drop "$WORK/drop.yaml"
awk -F, -v OFS=, 'NR > 1 && NR % 53 == 0 { $3 = "" } NR > 1 && NR % 71 == 0 { $5 = "" } { print }' \
    "$WORK/loans.csv" >"$WORK/holes.csv"
agree drop "$WORK/drop.yaml" "$WORK/holes.csv"

# text labels and predictions, a score candidate
"$TOOLS/fg_gen" --rows 4000 --seed 22 --scenario hiring >"$WORK/hiring.csv"
agree hiring "$ROOT/policies/hiring.yaml" "$WORK/hiring.csv"

# real data: UCI Adult (labels such as ">50K", values with hyphens)
adult_csv "$(shipped_data adult.data.csv)" "$WORK/adult.csv"
adult_policy ">50K" "$WORK/adult.yaml"
agree adult "$WORK/adult.yaml" "$WORK/adult.csv"

# ---- score policies: the counts and the score bins ----

# both models scored, favorable: below (rows with six-decimal scores, ties, 0 and 1)
score_rows 6000 23 >"$WORK/scored.csv"
fixture_policy html-scores "$WORK/hs.yaml"
sed 's/threshold: \([0-9.]*\) }/threshold: \1, favorable: below }/' "$WORK/hs.yaml" >"$WORK/hs-below.yaml"
expect_eq "hs-below: both models read favorable: below" "$(grep -c 'favorable: below' "$WORK/hs-below.yaml")" 2
agree hs-below "$WORK/hs-below.yaml" "$WORK/scored.csv"
# missing: drop, with holes in the incumbent's score and in a protected attribute
sed '/^  positive_label/a\
  missing: drop' "$WORK/hs.yaml" >"$WORK/hs-drop.yaml"
awk -F, -v OFS=, 'NR > 1 && NR % 61 == 0 { $6 = "" } NR > 1 && NR % 83 == 0 { $2 = "" } { print }' \
    "$WORK/scored.csv" >"$WORK/scored-holes.csv"
agree hs-drop "$WORK/hs-drop.yaml" "$WORK/scored-holes.csv"
expect_eq "hs-drop: the case drops rows, and passes" \
    "$(jq -c '[.inputs.candidate.rows_dropped > 0, .verdict]' "$WORK/rows.json")" '[true,"pass"]'
# calibration over 5 bins (runs of grid bins), brier against the incumbent
fixture_policy scores "$WORK/scores.yaml"
agree scores "$WORK/scores.yaml" "$WORK/scored.csv"

# Scores on every bin edge k/10000 (the double nearest it), the double just below it and
# the one just above (but subnormals, which fairgate refuses), and -0, 1, the largest double
# below 1, decimals that round to 1, and scores out of [0, 1] (bins -1 and 10000): where a
# product and a division round, the bin must still be fairgate's.
node -e '
const f = new Float64Array(1), b = new BigInt64Array(f.buffer);
const step = (x, d) => { f[0] = x; b[0] += BigInt(d * (x < 0 ? -1 : 1)); return f[0]; };
const rows = ["grp,y,s"];
const row = (s) => rows.push(`${"abc"[rows.length % 3]},${rows.length % 2},${s}`);
for (let k = 0; k <= 10000; k++) {
    const e = k / 10000;
    row(String(e));
    if (k === 0) continue; /* 0 has subnormals on either side */
    row(String(step(e, -1)));
    row(String(step(e, 1)));
}
for (const s of ["-0", "0.0", "1.0", "0.9999999999999999", "0.99999999999999995", "0.00005",
    "0.99995", "0.29999999999999998", "1.0000000000000002", "-2.2250738585072014e-308",
    "-0.5", "7", "1e150", "-1e150"]) row(s);
process.stdout.write(rows.join("\n") + "\n");' >"$WORK/edges.csv"
expect_eq "edges: every edge, either side, and 14 more scores" "$(($(wc -l <"$WORK/edges.csv") - 1))" \
    $((1 + 3 * 10000 + 14))
fixture_policy sql-auc "$WORK/auc.yaml"
agree edges "$WORK/auc.yaml" "$WORK/edges.csv"
expect_eq "edges: fairgate's bins are the grid's: 10000 bins and both out-of-range ones" \
    "$(awk -F, 'NR > 1 { print $4 }' "$WORK/edges.bins.want.csv" | sort -u | wc -l | tr -d ' ')" 10002
# a score whose square overflows a double (past 1.3e154; only out of [0, 1]) cannot be
# binned: fairgate counts says so (it wrote "-nan"), and check --counts refuses DuckDB's
# "Infinity"; both tell to gate on the rows
{ cat "$WORK/edges.csv"; echo "a,1,-2e154"; } >"$WORK/huge.csv"
run "$FAIRGATE" counts --quiet --policy "$WORK/auc.yaml" --candidate "$WORK/huge.csv" \
    --out "$WORK/huge.k.csv" --bins-out "$WORK/huge.b.csv"
expect_rc "a score of -2e154: fairgate counts refuses to bin it" 2
expect_grep "... saying why" "$WORK/err" "score -2e.154 is too large for the score bins: the sum of the squares of its bin .-1. overflows"
if duck huge bins "$WORK/auc.yaml" typed "$WORK/huge.csv" && duck huge-k counts "$WORK/auc.yaml" typed "$WORK/huge.csv"; then
    run "$FAIRGATE" check --quiet --policy "$WORK/auc.yaml" --counts "$WORK/huge-k.duck.csv" \
        --counts "$WORK/huge.duck.csv"
    expect_rc "... and check --counts refuses DuckDB's bins" 2
    expect_grep "... for the infinite sum of squares" "$WORK/err" "sum_squares is '[-]*Inf"
fi
# with brier gated, a score outside [0, 1] is refused, on the rows and in DuckDB's bins
sed 's/metric: auc/metric: brier/; s/overall: { min: 0.6 }/overall: { max: 0.3 }/' \
    "$WORK/auc.yaml" >"$WORK/brier.yaml"
run "$FAIRGATE" check --quiet --policy "$WORK/brier.yaml" --candidate "$WORK/edges.csv"
expect_rc "edges, brier: check on the rows refuses scores outside [0, 1]" 2
for source in csv typed; do
    duck "edges-brier-$source" counts "$WORK/brier.yaml" "$source" "$WORK/edges.csv" &&
        duck "edges-brier-$source-bins" bins "$WORK/brier.yaml" "$source" "$WORK/edges.csv" || continue
    run "$FAIRGATE" check --quiet --policy "$WORK/brier.yaml" --counts "$WORK/edges-brier-$source.duck.csv" \
        --counts "$WORK/edges-brier-$source-bins.duck.csv"
    expect_rc "edges, brier, $source: check --counts refuses DuckDB's bins outside [0, 1]" 2
    expect_grep "... saying why" "$WORK/err" "brier and calibration_gap need probabilities"
done

# missing: error with missing values: the export carries an empty y_true, which check
# --counts refuses, as check refuses the rows
for source in csv parquet typed; do
    duck "holes-error-$source" counts "$LOAN" "$source" "$WORK/holes.csv" || continue
    run "$FAIRGATE" check --quiet --policy "$LOAN" --counts "$WORK/holes-error-$source.duck.csv"
    expect_rc "missing: error, $source: check --counts refuses the export" 2
    expect_grep "... saying why" "$WORK/err" "y_true is empty: the rows of this cell have a missing value"
done
run "$FAIRGATE" check --quiet --policy "$LOAN" --candidate "$WORK/holes.csv"
expect_rc "... as check on the rows refuses them" 2

# ---- the favourable prediction written otherwise ----

# A prediction column mixing '1' and '1.0' (as text: csv, parquet) or of 1.0 (DOUBLE, which
# DuckDB prints as "1.0": typed): the rows of 1.0 are marked and check --counts refuses the
# export naming the column, as check on the rows refuses the CSV (main passed the text
# sources silently, exit 0: the 1.0 rows read as negative, both groups select 1 of 4).
printf '%s\n' 'version: 1' 'name: duck-mixed' 'data:' '  label: y' '  positive_label: "1"' \
    '  protected: [g]' '  candidate: { prediction: p }' '  favorable_prediction: "1"' 'gates:' \
    '  - id: sr' '    metric: selection_rate' '    disparity: ratio' '    min: 0.8' \
    '    min_group_size: 1' >"$WORK/mixed.yaml"
printf '%s\n' 'g,y,p' a,1,1 a,0,0 a,1,0 a,0,0 b,1,1 b,1,1.0 b,0,1.0 b,0,0 >"$WORK/mixed.csv"
run "$FAIRGATE" check --quiet --policy "$WORK/mixed.yaml" --candidate "$WORK/mixed.csv"
expect_rc "mixed 1 and 1.0: check on the rows refuses them" 2
for source in csv parquet typed; do
    duck "mixed-$source" counts "$WORK/mixed.yaml" "$source" "$WORK/mixed.csv" || continue
    run "$FAIRGATE" check --quiet --policy "$WORK/mixed.yaml" --counts "$WORK/mixed-$source.duck.csv"
    expect_rc "mixed 1 and 1.0, $source: check --counts refuses the export" 2
    expect_grep "... naming the column" "$WORK/err" \
        "candidate marks rows whose column 'p' has '1\.0', which differs from the favorable prediction '1' only in how the number is written"
done

# ---- a third value ----

# 'yes' among '1' and '0' in the label, 2 among 1 and 0 in the prediction (text: csv,
# parquet; typed: the label stays VARCHAR, the prediction is BIGINT): check on the rows
# refuses the third value, and check --counts refuses DuckDB's export naming the column, the
# third value, the positive value and the other value (main counted it as the other value:
# both groups select 1 of 4, exit 0). With missing: drop, a row left out (no group) whose
# label '-' sorts before '0' is no third value: the export equals fairgate counts.
sed 's/name: duck-mixed/name: duck-third/' "$WORK/mixed.yaml" >"$WORK/third.yaml"
sed '/^  protected/a\
  missing: drop' "$WORK/third.yaml" >"$WORK/third-drop.yaml"
printf '%s\n' g,y,p a,1,1 a,0,0 a,yes,0 a,0,0 b,1,1 b,0,0 b,1,0 b,0,0 >"$WORK/third-y.csv"
printf '%s\n' g,y,p a,1,1 a,0,0 a,1,2 a,0,0 b,1,1 b,0,0 b,1,0 b,0,0 >"$WORK/third-p.csv"
{ sed '/yes/d' "$WORK/third-y.csv"; echo ',-,0'; } >"$WORK/third-drop.csv"
for case in "y y_true yes positive label" "p candidate 2 favorable prediction"; do
    set -- $case
    tc_column=$1 tc_field=$2 tc_value=$3
    shift 3
    run "$FAIRGATE" check --quiet --policy "$WORK/third.yaml" --candidate "$WORK/third-$tc_column.csv"
    expect_rc "third value '$tc_value' in '$tc_column': check on the rows refuses it" 2
    for source in csv parquet typed; do
        duck "third-$tc_column-$source" counts "$WORK/third.yaml" "$source" \
            "$WORK/third-$tc_column.csv" || continue
        run "$FAIRGATE" check --quiet --policy "$WORK/third.yaml" --counts \
            "$WORK/third-$tc_column-$source.duck.csv"
        expect_rc "third value '$tc_value' in '$tc_column', $source: check --counts refuses the export (main: exit 0)" 2
        expect_grep "... naming the column, the third, the positive and the other value" "$WORK/err" \
            "$tc_field marks rows whose column '$tc_column' has a third value '$tc_value' \\(the $* is '1'; the other value, the least in the engine's order, is '0'\\)"
    done
done
agree third-drop "$WORK/third-drop.yaml" "$WORK/third-drop.csv"

# ---- scores fairgate refuses ----

# 40 rows A,1,0.9 and 40 rows B,1,VALUE. Where check on the rows refuses VALUE (exit 2),
# check --counts refuses DuckDB's export (an empty y_true; TRY_CAST keeps the query from
# failing); elsewhere the export equals fairgate counts. As text (CSV), and in a DOUBLE
# column of a Parquet file (NaN and the infinities are values there).
score_case() { # NAME VALUE MODE SOURCE
    awk -v v="$2" 'BEGIN { print "grp,y,s"; for (i = 0; i < 40; i++) print "A,1,0.9"
        for (i = 0; i < 40; i++) print "B,1," v }' >"$WORK/$1.csv"
    fixture_policy sql-score "$WORK/$1.yaml" MODE="$3"
    "$FAIRGATE" check --quiet --policy "$WORK/$1.yaml" --candidate "$WORK/$1.csv" 2>/dev/null >&2
    sc_rows=$?
    if [ "$4" = double ]; then
        printf "CREATE VIEW preds AS SELECT grp, y, CAST(s AS DOUBLE) AS s FROM %s;\n" \
            "$(from_csv "$WORK/$1.csv")" >"$WORK/$1.view.sql"
        engine_query counts "$WORK/$1.yaml" >"$WORK/$1.sql"
        "$DUCKDB" -csv -header -cmd "$(cat "$WORK/$1.view.sql")" <"$WORK/$1.sql" \
            >"$WORK/$1.duck.csv" 2>"$WORK/$1.duck.err" || not_ok "$1: DuckDB runs the query" \
            "$(head -c 300 "$WORK/$1.duck.err")"
    else
        duck "$1" counts "$WORK/$1.yaml" "$4" "$WORK/$1.csv" || return
    fi
    label="duckdb $4 score '$2', missing: $3"
    if [ "$sc_rows" -eq 2 ]; then
        run "$FAIRGATE" check --quiet --policy "$WORK/$1.yaml" --counts "$WORK/$1.duck.csv"
        expect_rc "$label: check --counts refuses the export, as check on the rows" 2
        expect_grep "... for an empty y_true" "$WORK/err" "y_true is empty"
    else
        fairgate_table counts "$WORK/$1.yaml" "$WORK/$1.want.csv" --candidate "$WORK/$1.csv"
        same_table "$label" "$WORK/$1.duck.csv" "$WORK/$1.want.csv"
    fi
}
i=0
# (decimals that underflow, to 0 or to a subnormal, are refused; those that round up to the
# smallest normal double are read)
for v in NaN nan inf -Infinity x 0x1 1e400 1d 1e 1.2.3 --1 . ' 0.2' '0.2 ' \
    1e-400 -1e-400 5e-324 2.2250738585072011e-308 0.2 1. .5 +0.7 5E-1 1e-1 -0 007 \
    2.2250738585072013e-308 0e-500 0.000e-999; do
    i=$((i + 1))
    score_case "score-$i" "$v" error csv
done
# missing: drop leaves out missing values only, never a score fairgate refuses
for v in NaN x ' 0.2' 1e-400 5e-324 0.2; do
    i=$((i + 1))
    score_case "score-$i" "$v" drop csv
done
for v in NaN inf -inf 5e-324 -1e-310 0.2 .5 -0 2.2250738585072014e-308; do
    i=$((i + 1))
    score_case "score-$i" "$v" error double
done

# The bins query reads a row as the counts query does: a score fairgate refuses gives the
# row's bin an empty y_true, which check --counts refuses, in text and in a DOUBLE column
# (where 1e-400 is 0 before the query runs: a value converted on loading, as README says).
for v in NaN x 1e-400 5e-324; do
    for source in csv typed; do
        [ "$source $v" != "typed 1e-400" ] || continue
        i=$((i + 1))
        awk -v v="$v" 'BEGIN { print "grp,y,s"; for (i = 0; i < 20; i++) print "A,1,0.9\nA,0,0.2"
            for (i = 0; i < 20; i++) print "B,1," v "\nB,0,0.3" }' >"$WORK/score-$i.csv"
        duck "score-$i-k" counts "$WORK/auc.yaml" "$source" "$WORK/score-$i.csv" &&
            duck "score-$i-b" bins "$WORK/auc.yaml" "$source" "$WORK/score-$i.csv" || continue
        expect_eq "duckdb bins, $source score '$v': the row's bin has an empty y_true" \
            "$(grep -c '^B,,candidate,' "$WORK/score-$i-b.duck.csv")" 1
        run "$FAIRGATE" check --quiet --policy "$WORK/auc.yaml" --counts "$WORK/score-$i-b.duck.csv" \
            --counts "$WORK/score-$i-k.duck.csv"
        expect_rc "... check --counts refuses the exports" 2
        expect_grep "... for the empty y_true" "$WORK/err" "score-$i-b.duck.csv:[0-9]*:2: y_true is empty"
    done
done
run "$FAIRGATE" check --quiet --policy "$WORK/auc.yaml" --candidate "$WORK/score-$i.csv"
expect_rc "... as check on the rows refuses them" 2

# ---- odd names: quotes in identifiers and literals ----

fixture_policy sql-odd "$WORK/odd.yaml"
printf '%s\n' '"gr`p","y""q",p' 'a,"it'"'"'s \ yes",a'"'"'b' 'a,no,a'"'"'b' 'b,"it'"'"'s \ yes",x' \
    'b,no,x' >"$WORK/odd.csv"
duck odd counts "$WORK/odd.yaml" csv "$WORK/odd.csv" &&
    fairgate_table counts "$WORK/odd.yaml" "$WORK/odd.want.csv" --candidate "$WORK/odd.csv" &&
    same_table "odd names" "$WORK/odd.duck.csv" "$WORK/odd.want.csv"

# ---- the README's Parquet workflow, as written ----

block=$(block "$ROOT/README.md" '^\*\*Parquet files')
expect_eq "README: the Parquet workflow is three commands" "$(printf '%s\n' "$block" | grep -c '^[a-z]')" 3
mkdir -p "$WORK/readme"
cp "$LOAN" "$WORK/readme/P.yaml"
"$DUCKDB" -c "COPY (FROM $(typed_csv "$WORK/loans.csv")) TO '$WORK/readme/preds.parquet' (FORMAT PARQUET)"
(cd "$WORK/readme" && PATH=$WORK/bin:$(dirname "$FAIRGATE"):$PATH sh -c "$block") >"$WORK/out" 2>"$WORK/err"
expect_grep "README Parquet workflow: check gives the verdict" "$WORK/out" '^verdict: FAIL'
fairgate_table counts "$LOAN" "$WORK/readme.want.csv" --candidate "$WORK/loans.csv"
same_table "README Parquet workflow: counts.csv" "$WORK/readme/counts.csv" "$WORK/readme.want.csv"
expect_eq "README Parquet workflow: the audit's verdict" "$(jq -r .verdict "$WORK/readme/audit.json" 2>&1)" fail

# ... and with score gates: the first two commands, then the bins' three
score_block=$(block "$ROOT/README.md" '^\*\*With score gates')
expect_eq "README: the score bins' Parquet workflow is three commands" \
    "$(printf '%s\n' "$score_block" | grep -c '^[a-z]')" 3
mkdir -p "$WORK/readme-scores"
cp "$WORK/hs-below.yaml" "$WORK/readme-scores/P.yaml"
"$DUCKDB" -c "COPY (FROM $(typed_csv "$WORK/scored.csv")) TO '$WORK/readme-scores/preds.parquet' (FORMAT PARQUET)"
(cd "$WORK/readme-scores" && PATH=$WORK/bin:$(dirname "$FAIRGATE"):$PATH sh -c \
    "$(printf '%s\n' "$block" | head -n 2)
$score_block") >"$WORK/out" 2>"$WORK/err"
expect_grep "README score Parquet workflow: check gives the verdict" "$WORK/out" '^verdict: FAIL'
fairgate_table bins "$WORK/hs-below.yaml" "$WORK/readme-scores.want.csv" --candidate "$WORK/scored.csv"
same_table "README score Parquet workflow: counts.csv" "$WORK/readme-scores/counts.csv" \
    "$WORK/readme-scores.want.csv.counts"
same_bins "README score Parquet workflow: bins.csv" "$WORK/readme-scores/bins.csv" \
    "$WORK/readme-scores.want.csv"
"$FAIRGATE" check --quiet --policy "$WORK/hs-below.yaml" --candidate "$WORK/scored.csv" \
    --out "$WORK/readme-rows.json" 2>/dev/null
bins_vs_rows "README score Parquet workflow: audit.json" "$WORK/readme-rows.json" \
    "$WORK/readme-scores/audit.json"

finish
