#!/bin/sh
# `fairgate sql`: the query run in real engines gives, row for row, the counts table that
# `fairgate counts` computes from the same CSV, and `check --counts` on the engine's export
# gives the rows' audit. SQLite (the sqlite3 shell, .import --csv) and PostgreSQL (a
# throwaway server: initdb in a temporary folder, a free loopback port, stopped on exit) run
# the query; both are required: without them this test fails, it never skips.
# Also: quoting per dialect, missing values (drop leaves rows out, error makes the export
# refused), a score threshold, and misuse (exit 2).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/scorebins.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
export SOURCE_DATE_EPOCH=1763769600

# ---- the policies and data ----

"$TOOLS/fg_gen" --rows 6000 --seed 21 --scenario loan >"$WORK/loans.csv"
LOAN=$ROOT/policies/loan-approval.yaml
# with a score model, missing: drop, and some values missing
fixture_policy sql-drop "$WORK/drop.yaml"
awk -F, -v OFS=, 'NR > 1 && NR % 53 == 0 { $3 = "" } NR > 1 && NR % 71 == 0 { $7 = "" } { print }' \
    "$WORK/loans.csv" >"$WORK/holes.csv"
"$TOOLS/fg_gen" --rows 4000 --seed 22 --scenario hiring >"$WORK/hiring.csv"
HIRING=$ROOT/policies/hiring.yaml

# counts_of POLICY CSV OUT: fairgate's own counts, body sorted
counts_of() {
    "$FAIRGATE" counts --quiet --policy "$1" --candidate "$2" --out "$3.full"
    head -n 1 "$3.full" >"$3.header"
    tail -n +2 "$3.full" | LC_ALL=C sort >"$3"
}

# compare NAME ENGINE_CSV WANT: header and sorted body equal; and check --counts on the
# engine's export equals check on the rows.
compare() {
    name=$1 got=$2 want=$3 policy=$4 rows=$5
    expect_eq "$name: the header" "$(head -n 1 "$got" | tr -d '\r')" "$(cat "$want.header")"
    tail -n +2 "$got" | tr -d '\r' | LC_ALL=C sort >"$got.sorted"
    if [ -s "$want" ] && cmp -s "$got.sorted" "$want"; then
        ok "$name: every cell equals fairgate counts ($(wc -l <"$want" | tr -d ' ') cells)"
    else
        not_ok "$name: every cell equals fairgate counts" "$(diff "$got.sorted" "$want" | head -n 10)"
    fi
    "$FAIRGATE" check --quiet --policy "$policy" --candidate "$rows" --out "$WORK/rows.json"
    rc_rows=$?
    run "$FAIRGATE" check --quiet --policy "$policy" --counts "$got" --out "$WORK/engine.json"
    expect_rc "$name: check --counts on the export exits as on the rows" "$rc_rows"
    if [ -s "$WORK/engine.json" ] &&
        [ "$(jq -S 'del(.inputs)' "$WORK/rows.json")" = "$(jq -S 'del(.inputs)' "$WORK/engine.json")" ]; then
        ok "$name: same audit as on the rows"
    else
        not_ok "$name: same audit as on the rows"
    fi
}

counts_of "$LOAN" "$WORK/loans.csv" "$WORK/want-loan"
counts_of "$WORK/drop.yaml" "$WORK/holes.csv" "$WORK/want-drop"
counts_of "$HIRING" "$WORK/hiring.csv" "$WORK/want-hiring"
expect_eq "the drop case drops rows" \
    "$("$FAIRGATE" counts --policy "$WORK/drop.yaml" --candidate "$WORK/holes.csv" --out "$WORK/x.csv" | grep -c '([1-9][0-9]* dropped)')" "1"

# Scores that are not finite decimal numbers: fairgate on the rows refuses them (exit 2) in
# either missing mode, so the query gives their rows an empty y_true and check --counts
# refuses the export; a score fairgate reads gives the same counts. 40 rows A,1,0.9 and 40
# rows B,1,VALUE, per missing mode.
for mode in error drop; do
    fixture_policy sql-score "$WORK/score-$mode.yaml" MODE="$mode"
done
# score_csv NAME VALUE: the rows, in $WORK/NAME.csv
score_csv() {
    awk -v v="$2" 'BEGIN { print "grp,y,s"; for (i = 0; i < 40; i++) print "A,1,0.9"
        for (i = 0; i < 40; i++) print "B,1," v }' >"$WORK/$1.csv"
}
# score_judge LABEL NAME POLICY EXPORT QUERY_RC: where check on the rows exits 2, the
# engine refuses the rows (an error) or check --counts refuses its export (exit 2);
# elsewhere the export equals fairgate counts and gives the rows' audit.
score_judge() {
    "$FAIRGATE" check --quiet --policy "$3" --candidate "$WORK/$2.csv" --out "$WORK/rows.json" 2>"$WORK/rows.err"
    rc_rows=$?
    if [ "$rc_rows" -eq 2 ]; then
        if ! grep -q "which is not a \(finite \)\?number\|out of the range" "$WORK/rows.err"; then
            not_ok "$1: check on the rows refuses the score" "$(head -c 300 "$WORK/rows.err")"
        elif [ "$5" -ne 0 ]; then
            ok "$1: the engine refuses the rows (an error), as check on the rows does"
        else
            run "$FAIRGATE" check --quiet --policy "$3" --counts "$4"
            expect_rc "$1: check --counts refuses the export, as check on the rows does" 2
            expect_grep "$1: ... for an empty y_true" "$WORK/err" "y_true is empty"
        fi
    elif [ "$5" -ne 0 ]; then
        not_ok "$1: the query runs" "check on the rows exits $rc_rows"
    else
        counts_of "$3" "$WORK/$2.csv" "$WORK/$2.want"
        compare "$1" "$4" "$WORK/$2.want" "$3" "$WORK/$2.csv"
    fi
}
# Score bins (`fairgate sql --bins`): both models (html-scores), and favorable: below with
# missing: drop on rows with holes; the export of each query equals fairgate's files row for
# row, and check --counts on both exports gives the rows' verdict, brier and calibration_gap
# to 1e-12, auc within its bound.
score_rows 6000 23 >"$WORK/scored.csv"
fixture_policy html-scores "$WORK/hs.yaml"
sed 's/threshold: \([0-9.]*\) }/threshold: \1, favorable: below }/
/^  positive_label/a\
  missing: drop' "$WORK/hs.yaml" >"$WORK/hs-below.yaml"
awk -F, -v OFS=, 'NR > 1 && NR % 61 == 0 { $6 = "" } NR > 1 && NR % 83 == 0 { $2 = "" } { print }' \
    "$WORK/scored.csv" >"$WORK/scored-holes.csv"
# bins_want NAME POLICY CSV: fairgate's counts and bins of the rows, and check on the rows
bins_want() {
    "$FAIRGATE" counts --quiet --policy "$2" --candidate "$3" --out "$WORK/$1.want.k.csv" \
        --bins-out "$WORK/$1.want.b.csv"
    "$FAIRGATE" check --quiet --policy "$2" --candidate "$3" --out "$WORK/$1.rows.json"
    echo $? >"$WORK/$1.rows.rc"
}
bins_want hs "$WORK/hs.yaml" "$WORK/scored.csv"
bins_want below "$WORK/hs-below.yaml" "$WORK/scored-holes.csv"
expect_eq "the below+drop case drops rows and fails" \
    "$(jq '.inputs.candidate.rows_dropped > 0' "$WORK/below.rows.json") $(cat "$WORK/below.rows.rc")" "true 1"
# bins_judge LABEL NAME POLICY CELLS_EXPORT BINS_EXPORT
bins_judge() {
    expect_eq "$1: the counts export equals fairgate counts" \
        "$(tr -d '\r' <"$4" | LC_ALL=C sort)" "$(LC_ALL=C sort "$WORK/$2.want.k.csv")"
    same_bins "$1" "$5" "$WORK/$2.want.b.csv"
    run "$FAIRGATE" check --quiet --policy "$3" --counts "$4" --counts "$5" --out "$WORK/$2.engine.json"
    expect_rc "$1: check --counts on both exports exits as on the rows" "$(cat "$WORK/$2.rows.rc")"
    bins_vs_rows "$1" "$WORK/$2.rows.json" "$WORK/$2.engine.json"
}

# the scores fairgate refuses, and odd ones it reads; decimals that underflow (to 0 or to a
# subnormal) are refused, those that round up to the smallest normal double are read
BAD_SCORES='NaN nan inf -Infinity x 0x1 1e400 1d 1e 1.2.3 --1 . 1e-400 -1e-400 5e-324 2.2250738585072011e-308'
GOOD_SCORES='0.2 1. .5 +0.7 5E-1 1e-1 -0 007 2.2250738585072013e-308 0e-500 0.000e-999'

# A third value in a label or prediction column ('yes' among '1' and '0', or 2): fairgate on
# the rows refuses it, naming the column, the third value, the positive value and the other
# value; the query names the column's other value (its least) and marks the rows of any
# third, and check --counts refuses the mark in the rows' words. Counted as the other value
# (main), both groups selected 1 of 4 and the gate passed without a word: exit 0.
printf '%s\n' 'version: 1' 'name: sql-third' 'data:' '  label: y' '  positive_label: "1"' \
    '  protected: [g]' '  candidate: { prediction: p }' '  favorable_prediction: "1"' 'gates:' \
    '  - id: sr' '    metric: selection_rate' '    disparity: ratio' '    min: 0.8' \
    '    min_group_size: 1' >"$WORK/third.yaml"
printf '%s\n' g,y,p a,1,1 a,0,0 a,yes,0 a,0,0 b,1,1 b,0,0 b,1,0 b,0,0 >"$WORK/third-y.csv"
printf '%s\n' g,y,p a,1,1 a,0,0 a,1,2 a,0,0 b,1,1 b,0,0 b,1,0 b,0,0 >"$WORK/third-p.csv"
# missing: drop, and a row left out (no group) whose label '-' sorts before '0': the other
# value comes from the rows the query counts, so nothing is marked (the rows drop it too)
sed '/^  protected/a\
  missing: drop' "$WORK/third.yaml" >"$WORK/third-drop.yaml"
{ sed '/yes/d' "$WORK/third-y.csv"; echo ',-,0'; } >"$WORK/third-drop.csv"
counts_of "$WORK/third-drop.yaml" "$WORK/third-drop.csv" "$WORK/want-third-drop"
# third_judge LABEL EXPORT ROWS FIELD COLUMN THIRD POSITIVE-IS: check on the rows and check
# --counts on the engine's export both refuse the third value, naming the same values
third_judge() {
    for tj_input in --candidate --counts; do
        if [ "$tj_input" = --candidate ]; then
            tj_file=$3 tj_who="check on the rows"
            tj_want="column '$5' has a third value '$6' \\(the $7 is '1'; the other value, first seen at line 3, is '0'\\)"
        else
            tj_file=$2 tj_who="check --counts on the export (main: counted as the other value, exit 0)"
            tj_want="$4 marks rows whose column '$5' has a third value '$6' \\(the $7 is '1'; the other value, the least in the engine's order, is '0'\\)"
        fi
        run "$FAIRGATE" check --quiet --policy "$WORK/third.yaml" "$tj_input" "$tj_file"
        expect_rc "$1: $tj_who refuses the third value" 2
        expect_grep "... naming the column and the values" "$WORK/err" "$tj_want"
    done
}

# ---- SQLite ----

if command -v sqlite3 >/dev/null 2>&1; then
    ok "sqlite3 is installed"
    # sqlite_run NAME CSV POLICY: import CSV as table t, run the query, export CSV
    # (SQLITE_SCHEMA, when set, declares the table's columns first)
    sqlite_run() {
        "$FAIRGATE" sql --policy "$3" --table main.t --dialect sqlite ${SQL_BINS:+--bins} >"$WORK/$1.sql"
        rm -f "$WORK/$1.db"
        { if [ -n "${SQLITE_SCHEMA:-}" ]; then
              printf 'CREATE TABLE t (%s);\n.import --csv --skip 1 %s t\n' "$SQLITE_SCHEMA" "$2"
          else printf '.import --csv %s t\n' "$2"; fi
          printf '.headers on\n.mode csv\n.output %s\n' "$WORK/$1.sqlite.csv"
          cat "$WORK/$1.sql"; } | sqlite3 "$WORK/$1.db" 2>"$WORK/$1.sqlite.err"
        if [ -s "$WORK/$1.sqlite.err" ]; then not_ok "sqlite $1: the query runs" "$(head -c 600 "$WORK/$1.sqlite.err")"; fi
    }
    sqlite_run loan "$WORK/loans.csv" "$LOAN"
    compare "sqlite loan" "$WORK/loan.sqlite.csv" "$WORK/want-loan" "$LOAN" "$WORK/loans.csv"
    sqlite_run drop "$WORK/holes.csv" "$WORK/drop.yaml"
    compare "sqlite scores+drop" "$WORK/drop.sqlite.csv" "$WORK/want-drop" "$WORK/drop.yaml" "$WORK/holes.csv"
    sqlite_run hiring "$WORK/hiring.csv" "$HIRING"
    compare "sqlite hiring" "$WORK/hiring.sqlite.csv" "$WORK/want-hiring" "$HIRING" "$WORK/hiring.csv"
    # score bins
    sqlite_run hs-cells "$WORK/scored.csv" "$WORK/hs.yaml"
    SQL_BINS=1 sqlite_run hs-bins "$WORK/scored.csv" "$WORK/hs.yaml"
    bins_judge "sqlite score bins" hs "$WORK/hs.yaml" "$WORK/hs-cells.sqlite.csv" "$WORK/hs-bins.sqlite.csv"
    sqlite_run below-cells "$WORK/scored-holes.csv" "$WORK/hs-below.yaml"
    SQL_BINS=1 sqlite_run below-bins "$WORK/scored-holes.csv" "$WORK/hs-below.yaml"
    bins_judge "sqlite score bins, favorable: below, missing: drop" below "$WORK/hs-below.yaml" \
        "$WORK/below-cells.sqlite.csv" "$WORK/below-bins.sqlite.csv"
    SQL_BINS=1 sqlite_run holes-bins "$WORK/scored-holes.csv" "$WORK/hs.yaml"
    run "$FAIRGATE" check --quiet --policy "$WORK/hs.yaml" --counts "$WORK/holes-bins.sqlite.csv" \
        --counts "$WORK/hs-cells.sqlite.csv"
    expect_rc "sqlite score bins, missing: error with missing values: check --counts refuses them" 2
    expect_grep "... at the bins export, for the empty y_true" "$WORK/err" \
        "holes-bins.sqlite.csv:[0-9]*:3: y_true is empty"
    # missing: error on data with holes: the export carries an empty y_true, refused
    sqlite_run holes-error "$WORK/holes.csv" "$LOAN"
    run "$FAIRGATE" check --quiet --policy "$LOAN" --counts "$WORK/holes-error.sqlite.csv"
    expect_rc "sqlite, missing: error with missing values: check --counts refuses the export" 2
    expect_grep "... saying why" "$WORK/err" "y_true is empty: the rows of this cell have a missing value"
    run "$FAIRGATE" check --quiet --policy "$LOAN" --candidate "$WORK/holes.csv"
    expect_rc "... as check on the rows refuses them" 2
    # a third value: as text, and in INTEGER columns (2 stored as an integer)
    sqlite_run third-y "$WORK/third-y.csv" "$WORK/third.yaml"
    third_judge "sqlite label 'yes' among '1' and '0'" "$WORK/third-y.sqlite.csv" "$WORK/third-y.csv" \
        y_true y yes "positive label"
    SQLITE_SCHEMA='g TEXT, y INTEGER, p INTEGER' sqlite_run third-p "$WORK/third-p.csv" "$WORK/third.yaml"
    third_judge "sqlite INTEGER prediction 2 among 1 and 0" "$WORK/third-p.sqlite.csv" \
        "$WORK/third-p.csv" candidate p 2 "favorable prediction"
    sqlite_run third-drop "$WORK/third-drop.csv" "$WORK/third-drop.yaml"
    compare "sqlite, missing: drop: a value of a row left out is no third value" \
        "$WORK/third-drop.sqlite.csv" "$WORK/want-third-drop" "$WORK/third-drop.yaml" "$WORK/third-drop.csv"
    # scores: as text (what .import makes), and in a REAL column (where ' 0.2' would read
    # as 0.2 on loading, before the query: only values SQLite keeps apart are tried)
    for mode in error drop; do
        i=0
        for v in $BAD_SCORES ' 0.2' '0.2 ' $GOOD_SCORES; do
            i=$((i + 1))
            score_csv "sq-$mode-$i" "$v"
            sqlite_run "sq-$mode-$i" "$WORK/sq-$mode-$i.csv" "$WORK/score-$mode.yaml"
            score_judge "sqlite text score '$v', missing: $mode" "sq-$mode-$i" "$WORK/score-$mode.yaml" \
                "$WORK/sq-$mode-$i.sqlite.csv" 0
        done
        i=0
        for v in NaN inf x 0x1 1e400 -1e400 5e-324 $GOOD_SCORES; do
            i=$((i + 1))
            score_csv "sqr-$mode-$i" "$v"
            SQLITE_SCHEMA='grp TEXT, y TEXT, s REAL' sqlite_run "sqr-$mode-$i" "$WORK/sqr-$mode-$i.csv" "$WORK/score-$mode.yaml"
            score_judge "sqlite REAL score '$v', missing: $mode" "sqr-$mode-$i" "$WORK/score-$mode.yaml" \
                "$WORK/sqr-$mode-$i.sqlite.csv" 0
        done
    done
else
    not_ok "sqlite3 is installed" "apt-get install sqlite3 (make check installs it through .ci/ensure-deps test)"
fi

# ---- PostgreSQL ----

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] && command -v psql >/dev/null 2>&1; then
    ok "PostgreSQL is installed ($PGBIN)"
    # root cannot run postgres: then the server runs as the postgres (or nobody) user, in
    # a folder it owns
    PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/fairgate-pg.XXXXXX")
    AS=""
    if [ "$(id -u)" -eq 0 ]; then
        pguser=postgres
        id "$pguser" >/dev/null 2>&1 || pguser=nobody
        chown "$pguser" "$PGDIR"
        AS="runuser -u $pguser --"
    fi
    # A loopback TCP port (as a client in CI would connect): from a base that varies with
    # the process id, the next free one of up to 20 tried.
    PGPORT=$((20000 + $$ % 20000))
    pg_stop() {
        $AS "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1
        rm -rf "$PGDIR" "$WORK"
    }
    trap pg_stop EXIT
    trap 'pg_stop; exit 2' INT TERM
    pg_started=false
    if $AS "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U fg --no-sync >"$WORK/initdb.log" 2>&1; then
        for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
            if $AS "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
                -o "-c listen_addresses=127.0.0.1 -k $PGDIR -p $PGPORT -c fsync=off" start \
                >"$WORK/pgctl.log" 2>&1; then
                pg_started=true
                break
            fi
            PGPORT=$((PGPORT + 1))
        done
    fi
    if $pg_started; then
        ok "a throwaway PostgreSQL server runs on 127.0.0.1:$PGPORT"
    else
        not_ok "a throwaway PostgreSQL server runs" "$(tail -n 5 "$WORK/initdb.log" "$WORK/pgctl.log" "$PGDIR/server.log" 2>/dev/null)"
    fi
    pg() { $AS psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U fg -d postgres "$@"; }
    # pg_run NAME CSV POLICY COLUMN-TYPES: load CSV into schema fg, table t, run the query
    pg_run() {
        cp "$2" "$PGDIR/$1.csv"
        chmod 644 "$PGDIR/$1.csv"
        "$FAIRGATE" sql --policy "$3" --table fg.t --dialect postgres ${SQL_BINS:+--bins} >"$PGDIR/$1.sql"
        chmod 644 "$PGDIR/$1.sql"
        if pg -c "DROP SCHEMA IF EXISTS fg CASCADE; CREATE SCHEMA fg; CREATE TABLE fg.t ($4)" \
            -c "\\copy fg.t FROM '$PGDIR/$1.csv' WITH (FORMAT csv, HEADER true)" >"$WORK/$1.pg.log" 2>&1 &&
            pg --csv -f "$PGDIR/$1.sql" >"$WORK/$1.pg.csv" 2>"$WORK/$1.pg.err"; then
            ok "postgres $1: the query runs"
        else
            not_ok "postgres $1: the query runs" "$(head -c 600 "$WORK/$1.pg.log" "$WORK/$1.pg.err" 2>/dev/null)"
        fi
    }
    # numeric columns where a warehouse would have them: scores DOUBLE PRECISION, 0/1 INTEGER
    LOAN_COLS='applicant_id TEXT, sex TEXT, race TEXT, defaulted INTEGER, p_old DOUBLE PRECISION, approve_old INTEGER, p_new DOUBLE PRECISION, approve_new INTEGER'
    pg_run loan "$WORK/loans.csv" "$LOAN" "$LOAN_COLS"
    compare "postgres loan" "$WORK/loan.pg.csv" "$WORK/want-loan" "$LOAN" "$WORK/loans.csv"
    pg_run drop "$WORK/holes.csv" "$WORK/drop.yaml" "$LOAN_COLS"
    compare "postgres scores+drop" "$WORK/drop.pg.csv" "$WORK/want-drop" "$WORK/drop.yaml" "$WORK/holes.csv"
    pg_run hiring "$WORK/hiring.csv" "$HIRING" \
        'candidate_id TEXT, gender TEXT, ethnicity TEXT, qualified TEXT, advance_old TEXT, score_new DOUBLE PRECISION, advance_new TEXT'
    compare "postgres hiring" "$WORK/hiring.pg.csv" "$WORK/want-hiring" "$HIRING" "$WORK/hiring.csv"
    # score bins, in DOUBLE PRECISION and INTEGER columns
    SCORED_COLS='applicant_id TEXT, sex TEXT, race TEXT, defaulted INTEGER, p_new DOUBLE PRECISION, p_old DOUBLE PRECISION, grp TEXT, y INTEGER, s DOUBLE PRECISION, sc DOUBLE PRECISION, si DOUBLE PRECISION'
    pg_run hs-cells "$WORK/scored.csv" "$WORK/hs.yaml" "$SCORED_COLS"
    SQL_BINS=1 pg_run hs-bins "$WORK/scored.csv" "$WORK/hs.yaml" "$SCORED_COLS"
    bins_judge "postgres score bins" hs "$WORK/hs.yaml" "$WORK/hs-cells.pg.csv" "$WORK/hs-bins.pg.csv"
    pg_run below-cells "$WORK/scored-holes.csv" "$WORK/hs-below.yaml" "$SCORED_COLS"
    SQL_BINS=1 pg_run below-bins "$WORK/scored-holes.csv" "$WORK/hs-below.yaml" "$SCORED_COLS"
    bins_judge "postgres score bins, favorable: below, missing: drop" below "$WORK/hs-below.yaml" \
        "$WORK/below-cells.pg.csv" "$WORK/below-bins.pg.csv"
    pg_run holes-error "$WORK/holes.csv" "$LOAN" "$LOAN_COLS"
    run "$FAIRGATE" check --quiet --policy "$LOAN" --counts "$WORK/holes-error.pg.csv"
    expect_rc "postgres, missing: error with missing values: check --counts refuses the export" 2
    # scores: the review's case (NaN in a DOUBLE PRECISION column, which also takes 'inf'
    # and '-Infinity'), and a TEXT column, where PostgreSQL's cast would also read ' 0.2 '
    # and 'inf' and fails on 'x' or '1e400' (an error: the export never exists)
    pg_score() { # LABEL NAME VALUE POLICY COLUMN-TYPE
        score_csv "$2" "$3"
        cp "$WORK/$2.csv" "$PGDIR/$2.csv"
        chmod 644 "$PGDIR/$2.csv"
        "$FAIRGATE" sql --policy "$4" --table fg.t --dialect postgres >"$PGDIR/$2.sql"
        chmod 644 "$PGDIR/$2.sql"
        pg -c "DROP SCHEMA IF EXISTS fg CASCADE; CREATE SCHEMA fg; CREATE TABLE fg.t (grp TEXT, y TEXT, s $5)" \
            -c "\\copy fg.t FROM '$PGDIR/$2.csv' WITH (FORMAT csv, HEADER true)" >"$WORK/$2.pg.log" 2>&1 &&
            pg --csv -f "$PGDIR/$2.sql" >"$WORK/$2.pg.csv" 2>"$WORK/$2.pg.err"
        pg_rc=$?
        if [ "$pg_rc" -ne 0 ] && ! grep -q "out of range\|invalid input syntax" "$WORK/$2.pg.log" "$WORK/$2.pg.err"; then
            not_ok "$1: postgres fails for another reason" "$(head -c 600 "$WORK/$2.pg.log" "$WORK/$2.pg.err")"
        fi
        score_judge "$1" "$2" "$4" "$WORK/$2.pg.csv" "$pg_rc"
    }
    # A NUMERIC column keeps how each value was written ('1' and '1.0' both): the rows of
    # 1.0 are marked and check --counts refuses the export (main: a silent pass, exit 0); in
    # a DOUBLE PRECISION column PostgreSQL prints 1.0 as "1": nothing to mark, the counts are
    # those of the rows with 1; a TEXT column with ' 1' and 'True' for 'true' is refused.
    printf '%s\n' 'g,y,p' a,1,1 a,0,0 a,1,0 a,0,0 b,1,1 b,1,1.0 b,0,1.0 b,0,0 >"$WORK/pgmix.csv"
    sed 's/,1\.0$/,1/' "$WORK/pgmix.csv" >"$WORK/pgmix-as-1.csv"
    printf '%s\n' 'version: 1' \
        'name: sql-mixed' 'data:' '  label: y' '  positive_label: "1"' '  protected: [g]' \
        '  candidate: { prediction: p }' '  favorable_prediction: "1"' 'gates:' '  - id: sr' \
        '    metric: selection_rate' '    disparity: ratio' '    min: 0.8' '    min_group_size: 1' \
        >"$WORK/pgmix.yaml"
    pg_run pgmix-numeric "$WORK/pgmix.csv" "$WORK/pgmix.yaml" 'g TEXT, y NUMERIC, p NUMERIC'
    run "$FAIRGATE" check --quiet --policy "$WORK/pgmix.yaml" --counts "$WORK/pgmix-numeric.pg.csv"
    expect_rc "postgres NUMERIC column mixing 1 and 1.0: check --counts exits 2 (main: a silent pass)" 2
    expect_grep "... naming the column" "$WORK/err" \
        "candidate marks rows whose column 'p' has '1\.0', which differs from the favorable prediction '1' only in how the number is written"
    pg_run pgmix-double "$WORK/pgmix.csv" "$WORK/pgmix.yaml" 'g TEXT, y DOUBLE PRECISION, p DOUBLE PRECISION'
    counts_of "$WORK/pgmix.yaml" "$WORK/pgmix-as-1.csv" "$WORK/want-pgmix"
    compare "postgres DOUBLE PRECISION column of 1 and 1.0: read as 1" "$WORK/pgmix-double.pg.csv" \
        "$WORK/want-pgmix" "$WORK/pgmix.yaml" "$WORK/pgmix-as-1.csv"
    printf '%s\n' 'g,y,p' a,1,1 a,0,0 b,1,1 'b,0, 1' >"$WORK/pgspace.csv"
    pg_run pgspace "$WORK/pgspace.csv" "$WORK/pgmix.yaml" 'g TEXT, y TEXT, p TEXT'
    run "$FAIRGATE" check --quiet --policy "$WORK/pgmix.yaml" --counts "$WORK/pgspace.pg.csv"
    expect_rc "postgres TEXT column with ' 1' for '1': refused" 2
    expect_grep "... for the spaces" "$WORK/err" "column 'p' has ' 1', which differs from the favorable prediction '1' only in the spaces around it"
    sed 's/favorable_prediction: "1"/favorable_prediction: "true"/' "$WORK/pgmix.yaml" >"$WORK/pgbool.yaml"
    printf '%s\n' 'g,y,p' a,1,true a,0,false b,1,True b,0,false >"$WORK/pgbool.csv"
    pg_run pgbool "$WORK/pgbool.csv" "$WORK/pgbool.yaml" 'g TEXT, y TEXT, p TEXT'
    run "$FAIRGATE" check --quiet --policy "$WORK/pgbool.yaml" --counts "$WORK/pgbool.pg.csv"
    expect_rc "postgres TEXT column with 'True' for 'true': refused" 2
    expect_grep "... for the letter case" "$WORK/err" "column 'p' has 'True', which differs from the favorable prediction 'true' only in letter case"
    # a third value: in TEXT columns, and in INTEGER columns
    pg_run third-y "$WORK/third-y.csv" "$WORK/third.yaml" 'g TEXT, y TEXT, p TEXT'
    third_judge "postgres TEXT label 'yes' among '1' and '0'" "$WORK/third-y.pg.csv" "$WORK/third-y.csv" \
        y_true y yes "positive label"
    pg_run third-p "$WORK/third-p.csv" "$WORK/third.yaml" 'g TEXT, y INTEGER, p INTEGER'
    third_judge "postgres INTEGER prediction 2 among 1 and 0" "$WORK/third-p.pg.csv" \
        "$WORK/third-p.csv" candidate p 2 "favorable prediction"
    pg_run third-drop "$WORK/third-drop.csv" "$WORK/third-drop.yaml" 'g TEXT, y TEXT, p INTEGER'
    compare "postgres, missing: drop: a value of a row left out is no third value" \
        "$WORK/third-drop.pg.csv" "$WORK/want-third-drop" "$WORK/third-drop.yaml" "$WORK/third-drop.csv"
    for mode in error drop; do
        i=0
        for v in NaN nan Infinity inf -Infinity -inf 0.2 1. .5 +0.7 5E-1 -0 5e-324 -1e-310; do
            i=$((i + 1))
            pg_score "postgres DOUBLE PRECISION score '$v', missing: $mode" "pgd-$mode-$i" "$v" \
                "$WORK/score-$mode.yaml" 'DOUBLE PRECISION'
        done
        i=0
        for v in $BAD_SCORES ' 0.2 ' '0.2 ' $GOOD_SCORES; do
            i=$((i + 1))
            pg_score "postgres TEXT score '$v', missing: $mode" "pgt-$mode-$i" "$v" \
                "$WORK/score-$mode.yaml" TEXT
        done
    done
else
    not_ok "PostgreSQL is installed" "apt-get install postgresql (make check installs it through .ci/ensure-deps test)"
fi

# ---- quoting and the text of the query ----

fixture_policy sql-odd "$WORK/odd.yaml"
run "$FAIRGATE" sql --policy "$WORK/odd.yaml" --table 'my"db.sch`ema.t'
expect_rc "sql on odd names exits 0" 0
expect_grep "ansi: a double quote in an identifier is doubled" "$WORK/out" 'CAST\("fairgate_src"\."y""q" AS VARCHAR\)'
expect_grep "ansi: a quote in a literal is doubled, a backslash kept" "$WORK/out" "= 'it''s \\\\ yes' THEN '1'"
expect_grep "ansi: a qualified table, each part quoted" "$WORK/out" 'FROM "my""db"\."sch`ema"\."t" AS "fairgate_src"'
expect_no_grep "a newline in the policy name cannot end a comment" "$WORK/out" '^names'
expect_eq "the query ends with ';' and a newline" "$(tail -c 2 "$WORK/out" | od -An -c | tr -d ' ')" ';\n'
run "$FAIRGATE" sql --policy "$WORK/odd.yaml" --table 'sch`ema.t' --dialect spark
expect_grep "spark: a backtick in an identifier is doubled" "$WORK/out" 'CAST\(`fairgate_src`\.`gr``p` AS STRING\)'
expect_grep "spark: quote and backslash escaped in a literal" "$WORK/out" "= 'it\\\\'s \\\\\\\\ yes' THEN '1'"
expect_grep "spark: the table" "$WORK/out" 'FROM `sch``ema`\.`t`'
run "$FAIRGATE" sql --policy "$WORK/odd.yaml" --table 'proj-1.sch`ema.t' --dialect bigquery
expect_grep "bigquery: a backtick in an identifier is backslash-escaped" "$WORK/out" '`gr\\`p` AS STRING'
expect_grep "bigquery: the table, each part quoted" "$WORK/out" 'FROM `proj-1`\.`sch\\`ema`\.`t`'
expect_grep "bigquery: FLOAT64 is not needed without scores, STRING is" "$WORK/out" 'AS STRING\) = '"'a\\\\'b'"
run "$FAIRGATE" sql --policy "$WORK/drop.yaml" --table t --dialect bigquery
expect_grep "bigquery: a score compared as FLOAT64 with the shortest threshold" "$WORK/out" 'CAST\(`fairgate_src`\.`p_new` AS FLOAT64\) >= 0\.4625 THEN 1'
expect_grep "favorable: below is <" "$WORK/out" 'AS FLOAT64\) < 0\.55 THEN 1'
expect_grep "missing: drop is a WHERE" "$WORK/out" 'WHERE NOT \(`fairgate_src`\.`race` IS NULL OR'
run "$FAIRGATE" sql --policy "$LOAN" --table t
expect_grep "missing: error marks y_true" "$WORK/out" 'THEN NULL'
expect_no_grep "missing: error has no WHERE" "$WORK/out" 'WHERE'
expect_grep "no incumbent in the policy: incumbent is 0" "$(
    "$FAIRGATE" sql --policy "$WORK/odd.yaml" --table t >"$WORK/noinc.sql"; echo "$WORK/noinc.sql")" '^        0 AS "incumbent"$'

# ---- misuse ----

run "$FAIRGATE" sql --policy "$LOAN" --table t --dialect mysql
expect_rc "an unknown dialect exits 2" 2
expect_grep "an unknown dialect is named" "$WORK/err" "unknown SQL dialect 'mysql'"
run "$FAIRGATE" sql --policy "$LOAN" --table t --dialect postgress
expect_grep "a misspelt dialect gets a hint" "$WORK/err" "did you mean 'postgres'"
run "$FAIRGATE" sql --policy "$LOAN" --table 'a..b'
expect_rc "an empty table part exits 2" 2
expect_grep "an empty table part is named" "$WORK/err" "table name 'a..b' has an empty part"
run "$FAIRGATE" sql --policy "$LOAN"
expect_rc "sql without --table exits 2" 2
fixture_policy sql-auc "$WORK/auc.yaml"
run "$FAIRGATE" sql --policy "$WORK/auc.yaml" --table t
expect_rc "sql for a policy with a score gate prints the counts query" 0
expect_grep "... saying that the score bins are needed too" "$WORK/out" "^-- and give both files: --counts counts.csv --counts bins.csv"
run "$FAIRGATE" sql --policy "$WORK/auc.yaml" --table t --bins --dialect bigquery
expect_grep "bigquery bins: the first guess of the bin cast to INT64" "$WORK/out" \
    'THEN CAST\(FLOOR\(`fairgate_rows`\.`fairgate_candidate` \* 10000\) AS INT64\) END AS `fairgate_guess`'
expect_grep "bigquery bins: each edge a FLOAT64 division" "$WORK/out" \
    '< CAST\(`fairgate_scores`\.`fairgate_guess` AS FLOAT64\) / 10000 THEN'
expect_no_grep "bigquery bins: no incumbent, no incumbent's bins" "$WORK/out" "'incumbent'"
run "$FAIRGATE" sql --policy "$LOAN" --table t --bins
expect_rc "sql --bins for a policy without score gates exits 2" 2
expect_grep "... saying why" "$WORK/err" "gates on no score metric"
sed 's/bins: 5/bins: 3/' "$TESTS_DIR/fixtures/policy/scores.yaml" >"$WORK/bins3.yaml"
run "$FAIRGATE" sql --policy "$WORK/bins3.yaml" --table t --bins
expect_rc "sql --bins: calibration over bins off the grid exits 2" 2
expect_eq "... and prints nothing" "$(cat "$WORK/out")" ""
# A warehouse column of numbers prints 1 as "1.0": compared as text, such rows read as
# negative, every selection rate could be 0 and a ratio of 0/0 read as parity. The query
# marks each row whose label or prediction is the positive value written otherwise, by the
# rule of the rows (README "Counts: the warehouse path"), and check --counts refuses the
# mark, naming the column: a column of 1.0 only (a REAL column), and one that mixes 1 and
# 1.0, which the guard "no row is positive" cannot see (it passed silently: exit 0).
if command -v sqlite3 >/dev/null 2>&1; then
    R=$WORK/real
    mkdir -p "$R"
    printf '%s\n' 'version: 1' 'name: sql-real' 'data:' '  label: y' '  positive_label: "1"' \
        '  protected: [g]' '  candidate: { prediction: p }' '  favorable_prediction: "1"' 'gates:' \
        '  - id: sr' '    metric: selection_rate' '    disparity: ratio' '    min: 0.8' \
        '    min_group_size: 1' '  - id: tpr' '    metric: tpr' '    disparity: ratio' \
        '    min: 0.8' '    min_group_size: 1' >"$R/p.yaml"
    # real_run NAME SQL: a table t made by SQL, the query's export in $R/NAME.csv
    real_run() {
        rm -f "$R/$1.db"
        sqlite3 "$R/$1.db" "$2"
        "$FAIRGATE" sql --policy "${3:-$R/p.yaml}" --table t --dialect sqlite |
            sqlite3 -header -csv "$R/$1.db" >"$R/$1.csv"
    }
    real_run k 'create table t(g text, y real, p real);
        insert into t values('"'a',1,1),('a',0,0),('b',1,1),('b',0,0);"
    expect_eq "REAL columns: the export marks the rows of 1.0, 0.0 reads 0" \
        "$(tail -n +2 "$R/k.csv" | tr '\n' ' ')" \
        "a,0,0,0,1 a,\"written otherwise: 1.0\",\"written otherwise: 1.0\",0,1 b,0,0,0,1 b,\"written otherwise: 1.0\",\"written otherwise: 1.0\",0,1 "
    run "$FAIRGATE" check --policy "$R/p.yaml" --counts "$R/k.csv"
    expect_rc "REAL columns: check --counts refuses the table (no silent pass)" 2
    expect_grep "... naming the column, what differs and the fix" "$WORK/err" \
        "k\.csv:3:2: y_true marks rows whose column 'y' has '1\.0', which differs from the positive label '1' only in how the number is written: the query compares text, exactly, .*CAST.\"y\" AS INTEGER.*if every row has '1\.0', write data\.positive_label: \"1\.0\""
    # the label as text, the prediction still REAL: the prediction column is named
    real_run k2 'create table t(g text, y text, p real);
        insert into t values('"'a','1',1),('a','0',0),('b','1',1),('b','0',0);"
    run "$FAIRGATE" check --policy "$R/p.yaml" --counts "$R/k2.csv"
    expect_rc "REAL prediction column: refused" 2
    expect_grep "... naming the column" "$WORK/err" "candidate marks rows whose column 'p' has '1\.0', which differs from the favorable prediction '1' only in how the number is written"
    # An INTEGER column stores 1.0 as the integer 1 (SQLite's affinity), which prints "1":
    # nothing to mark, the counts are the rows' (a: 1 of 2 selected, b: 2 of 2).
    real_run int 'create table t(g text, y integer, p integer);
        insert into t values('"'a',1.0,1.0),('a',0,0.0),('b','1',1),('b',0.0,1.0);"
    expect_eq "INTEGER columns: 1.0 stored as 1 reads as 1" "$(tail -n +2 "$R/int.csv" | tr '\n' ' ')" \
        "a,0,0,0,1 a,1,1,0,1 b,0,1,0,1 b,1,1,0,1 "
    # A column without a type mixing the text '1', the integer 1 and the real 1.0: where 1.0
    # read as negative the gates passed (selection rate and tpr 0.25 and 0.5 in both
    # groups); read as 1, b selects 3 of 4 and the gate fails. Refused, at the row of 1.0.
    real_run mixp 'create table t(g text, y text, p);
        insert into t values('"'a','1','1'),('a','0','0'),('a','1','0'),('a','0','0'),
        ('b','1','1'),('b','1',1.0),('b','0',1.0),('b','0',0);"
    run "$FAIRGATE" check --policy "$R/p.yaml" --counts "$R/mixp.csv"
    expect_rc "a prediction column mixing '1' and 1.0: check --counts exits 2 (main: a silent pass)" 2
    expect_grep "... naming the column and the value" "$WORK/err" \
        "mixp\.csv:[0-9]*:3: candidate marks rows whose column 'p' has '1\.0', which differs from the favorable prediction '1' only in how the number is written"
    real_run mixy 'create table t(g text, y, p text);
        insert into t values('"'a','1','1'),('a','1','0'),('a','0','0'),('a','0','0'),
        ('b',1,'1'),('b','1','0'),('b',1.0,'0'),('b',1.0,'0');"
    expect_eq "a label column mixing 1, '1' and 1.0: 1 and '1' read alike, 1.0 is marked" \
        "$(grep -c '^b,1,\|^b,"written otherwise: 1\.0",0,0,2$' "$R/mixy.csv")" 3
    run "$FAIRGATE" check --policy "$R/p.yaml" --counts "$R/mixy.csv"
    expect_rc "a label column mixing 1 and 1.0: check --counts exits 2 (main: a silent pass)" 2
    expect_grep "... naming the label column" "$WORK/err" "y_true marks rows whose column 'y' has '1\.0'"
    # Group values are the engine's text: the integer 1 and the text '1' are one group, the
    # real 1.0 another (as in a CSV, where they are different text).
    printf '%s\n' 'version: 1' 'name: sql-groups' 'data:' '  label: y' '  positive_label: "1"' \
        '  protected: [g]' '  candidate: { prediction: p }' '  favorable_prediction: "1"' 'gates:' \
        '  - id: sr' '    metric: selection_rate' '    disparity: ratio' '    min: 0.8' \
        '    min_group_size: 1' >"$R/g.yaml"
    real_run grp 'create table t(g, y text, p text);
        insert into t values(1,'"'1','1'),('1','0','0'),(1.0,'1','1');" "$R/g.yaml"
    expect_eq "group values: 1 and '1' one group, 1.0 another" "$(tail -n +2 "$R/grp.csv" | tr '\n' ' ')" \
        "1,0,0,0,1 1,1,1,0,1 1.0,1,1,0,1 "

    # Every spelling the rows refuse (check on a CSV exits 2: "written otherwise") is marked
    # in the export and refused by check --counts with the same reason; every value the rows
    # read as the other value is counted as the rows count it.
    # otherwise_case NAME VALUE POSITIVE: rows g,y,p where p is POSITIVE or VALUE
    otherwise_case() {
        sed "s/favorable_prediction: \"1\"/favorable_prediction: \"$3\"/" "$R/p.yaml" >"$R/$1.yaml"
        { echo 'g,y,p'
          for grp in a b; do
              printf '%s,1,%s\n%s,0,"%s"\n%s,1,"%s"\n%s,0,%s\n' "$grp" "$3" "$grp" "$2" "$grp" "$2" "$grp" "$3"
          done; } >"$R/$1.rows.csv"
        "$FAIRGATE" check --quiet --policy "$R/$1.yaml" --candidate "$R/$1.rows.csv" 2>"$R/$1.rows.err" >/dev/null
        oc_rows=$?
        sqlite_run "$1" "$R/$1.rows.csv" "$R/$1.yaml"
        if [ "$oc_rows" -eq 2 ]; then
            what=$(sed -n "s/.* only in \([^:]*\): values are compared.*/\1/p" "$R/$1.rows.err")
            [ -n "$what" ] || not_ok "sqlite '$2' for '$3': the rows refuse it as written otherwise" "$(cat "$R/$1.rows.err")"
            run "$FAIRGATE" check --quiet --policy "$R/$1.yaml" --counts "$WORK/$1.sqlite.csv"
            expect_rc "sqlite '$2' for '$3': check --counts refuses the export, as check on the rows" 2
            # (fairgate shows a tab in a message as \t)
            oc_want="candidate marks rows whose column 'p' has '$(printf '%s' "$2" | sed 's/\t/\\t/g')', which differs from the favorable prediction '$3' only in $what:"
            if grep -qF -- "$oc_want" "$WORK/err"; then ok "... for the same reason: $what"; else
                not_ok "... for the same reason: $what" "want: $oc_want" "got: $(head -c 300 "$WORK/err")"
            fi
        else
            counts_of "$R/$1.yaml" "$R/$1.rows.csv" "$R/$1.want"
            compare "sqlite '$2' for '$3': the other value, counted as on the rows" \
                "$WORK/$1.sqlite.csv" "$R/$1.want" "$R/$1.yaml" "$R/$1.rows.csv"
        fi
    }
    i=0
    for v in 1.0 1. 01 +1 1e0 10e-1 1,0 ' 1' '1 ' '	1' 0 2 1.5 -1 0x1 inf 1e400 1,5 1.0.0 1,0,0 one .; do
        i=$((i + 1))
        otherwise_case "wo-$i" "$v" 1
    done
    for v in Yes YES ' yes' no yess; do
        i=$((i + 1))
        otherwise_case "wo-$i" "$v" yes
    done
else
    skip "SQL run in SQLite on values written otherwise" "no sqlite3 (make check installs it through .ci/ensure-deps test)"
fi

run "$FAIRGATE" sql --help
expect_rc "sql --help exits 0" 0
expect_grep "sql --help names the dialects" "$WORK/out" "ansi\|postgres\|sqlite\|spark\|bigquery"

finish
