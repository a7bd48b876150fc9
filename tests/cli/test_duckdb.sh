#!/bin/sh
# `fairgate sql --dialect duckdb` run in DuckDB (npm's @duckdb/node-api, pinned, installed
# into a cache folder outside the repository, driven by tests/tools/duckdb_run.cjs) gives,
# row for row, the tables `fairgate counts` computes from the same rows, and `check --counts`
# on DuckDB's export gives the verdict and audit of `check` on the rows. Each case is read
# three ways: the CSV with every column as text (as fairgate reads it), a Parquet file DuckDB
# writes from that, and a Parquet file of the types DuckDB detects (integer labels, DOUBLE
# scores). Cases: intersections with the incumbent in the same file; a separate incumbent
# file joined by id with a score model and missing values dropped; text labels; real data
# (UCI Adult). Also: missing: error, scores fairgate refuses (NaN, inf, 1e400, ' 0.2' ...),
# odd names, and the README's Parquet workflow run as written.
# Without node or npm, or when npm cannot install the package, this test fails; when the
# package installs but its native binary cannot load here, it says "skip" with the reason.
. "$(dirname "$0")/lib.sh"
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
# is one more word here and one more branch in fairgate_table and engine_query).
TABLES="counts"

# fairgate_table KIND POLICY OUT FAIRGATE-INPUT-ARGS...: fairgate's own table of KIND.
fairgate_table() {
    ft_kind=$1 ft_policy=$2 ft_out=$3
    shift 3
    case $ft_kind in
    counts) "$FAIRGATE" counts --quiet --policy "$ft_policy" "$@" --out "$ft_out" ;;
    *) not_ok "fairgate_table: unknown kind $ft_kind" ;;
    esac
}

# engine_query KIND POLICY: the query of KIND over the view preds, on stdout.
engine_query() {
    case $1 in
    counts) "$FAIRGATE" sql --policy "$2" --table preds --dialect duckdb ;;
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

# agree NAME POLICY CSV [INCUMBENT-CSV ID]: for every source and table, DuckDB's export equals
# fairgate's table; check --counts on the counts export judges as check on the rows.
agree() {
    ag_name=$1 ag_policy=$2 ag_csv=$3 ag_inc=${4:-} ag_id=${5:-}
    set -- --candidate "$ag_csv"
    [ -z "$ag_inc" ] || set -- "$@" --incumbent "$ag_inc"
    for ag_kind in $TABLES; do
        fairgate_table "$ag_kind" "$ag_policy" "$WORK/$ag_name.$ag_kind.want.csv" "$@" ||
            not_ok "$ag_name: fairgate $ag_kind"
        for ag_source in csv parquet typed; do
            ag_label="$ag_name, $ag_source, $ag_kind"
            duck "$ag_name-$ag_source-$ag_kind" "$ag_kind" "$ag_policy" "$ag_source" "$ag_csv" \
                "$ag_inc" "$ag_id" || continue
            same_table "$ag_label" "$WORK/$ag_name-$ag_source-$ag_kind.duck.csv" \
                "$WORK/$ag_name.$ag_kind.want.csv"
            [ "$ag_kind" != counts ] ||
                same_verdict "$ag_label" "$ag_policy" "$WORK/$ag_name-$ag_source-$ag_kind.duck.csv" "$@"
        done
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
for v in NaN nan inf -Infinity x 0x1 1e400 1d 1e 1.2.3 --1 . ' 0.2' '0.2 ' \
    0.2 1. .5 +0.7 5E-1 1e-1 -0 007; do
    i=$((i + 1))
    score_case "score-$i" "$v" error csv
done
# missing: drop leaves out missing values only, never a score fairgate refuses
for v in NaN x ' 0.2' 0.2; do
    i=$((i + 1))
    score_case "score-$i" "$v" drop csv
done
for v in NaN inf -inf 0.2 .5 -0; do
    i=$((i + 1))
    score_case "score-$i" "$v" error double
done

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

finish
