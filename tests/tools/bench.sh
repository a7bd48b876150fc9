#!/bin/sh
# make bench: speed and peak memory of `fairgate check` on 1M and 10M generated rows (one
# file, both models, two protected attributes and their intersection, every rate metric),
# next to `cat FILE >/dev/null` and `wc -l FILE` on the same file, and, when /usr/bin/python3
# has pandas, next to pandas `read_csv` alone and `read_csv` + `groupby` computing the same
# per-group counts. Then the id join of two files of the largest size (--incumbent), and the
# largest file gzip'd (--candidate FILE.gz, next to gzip -dc).
# Medians of 3 runs. It prints figures and asserts nothing about time.
set -eu
fairgate=$1
build=$2
dir=$build/bench
mkdir -p "$dir"
rusage=$build/tools/fg_rusage
policy=policies/loan-approval.yaml
ROWS=${BENCH_ROWS:-"1000000 10000000"}

# measure NAME CMD...: runs CMD 3 times, sets WALL and RSS to the medians.
measure() {
    : >"$dir/runs"
    for _ in 1 2 3; do
        "$rusage" "$@" >/dev/null 2>"$dir/err" || true
        tail -n 1 "$dir/err" >>"$dir/runs"
    done
    WALL=$(sed 's/.*wall_seconds=\([0-9.]*\).*/\1/' "$dir/runs" | sort -n | sed -n 2p)
    RSS=$(sed 's/.*peak_rss_kb=\([0-9]*\).*/\1/' "$dir/runs" | sort -n | sed -n 2p)
    EXIT=$(sed 's/.*exit=\([0-9]*\).*/\1/' "$dir/runs" | sort -n | sed -n 2p)
}

pandas=
if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
    pandas=/usr/bin/python3
fi
# what a pandas user would write for the same cells: counts per (sex, race, y, new, old)
groupby='import sys, pandas
df = pandas.read_csv(sys.argv[1])
df.groupby(["sex", "race", "defaulted", "approve_new", "approve_old"]).size()'

printf '%-10s %-16s %9s %12s %9s %11s %9s %8s\n' rows command wall_s rows/s MB/s peak_rss_MB x_cat x_wc
for n in $ROWS; do
    f=$dir/loans-$n.csv
    if [ ! -s "$f" ]; then
        "$build/tools/fg_gen" --rows "$n" --seed 1 --scenario loan >"$f.tmp"
        mv "$f.tmp" "$f"
        sleep 3 # ingest splits only a file left unchanged for 2 s (lib/ingest_parallel.c, settled)
    fi
    bytes=$(wc -c <"$f")
    mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
    measure cat "$f"; cat_wall=$WALL; cat_rss=$RSS
    measure wc -l "$f"; wc_wall=$WALL; wc_rss=$RSS
    measure "$fairgate" check --quiet --policy "$policy" --candidate "$f"; fg_wall=$WALL; fg_rss=$RSS
    if [ "$EXIT" -gt 1 ]; then
        echo "bench: fairgate check exited $EXIT on $f" >&2
        exit 1
    fi
    rows_out="cat:$cat_wall:$cat_rss wc-l:$wc_wall:$wc_rss fairgate-check:$fg_wall:$fg_rss"
    if [ -n "$pandas" ]; then
        measure "$pandas" -c 'import sys, pandas; pandas.read_csv(sys.argv[1])' "$f"
        pd_wall=$WALL
        rows_out="$rows_out pandas-read_csv:$WALL:$RSS"
        measure "$pandas" -c "$groupby" "$f"
        pg_wall=$WALL
        rows_out="$rows_out pandas+groupby:$WALL:$RSS"
    fi
    for row in $rows_out; do
        name=${row%%:*}; rest=${row#*:}; wall=${rest%%:*}; rss=${rest#*:}
        awk -v n="$n" -v name="$name" -v w="$wall" -v rss="$rss" -v mb="$mb" \
            -v cw="$cat_wall" -v ww="$wc_wall" 'BEGIN {
            if (w <= 0) w = 0.001
            printf "%-10d %-16s %9.3f %12.0f %9.1f %11.1f %9.2f %8.2f\n",
                n, name, w, n / w, mb / w, rss / 1024, w / (cw > 0 ? cw : 0.001),
                w / (ww > 0 ? ww : 0.001) }'
    done
    if [ -n "$pandas" ]; then
        awk -v n="$n" -v f="$fg_wall" -v p="$pd_wall" -v g="$pg_wall" 'BEGIN {
            if (f <= 0) f = 0.001
            printf "%-10d pandas read_csv / fairgate check: %.1f x; read_csv + groupby / fairgate check: %.1f x\n",
                n, p / f, g / f }'
    fi
    echo "$n $fg_rss" >>"$dir/rss.txt.new"
    last=$n
done
if [ -z "$pandas" ]; then
    echo "bench: /usr/bin/python3 has no pandas (apt-get install python3-pandas); no pandas rows"
fi

# The id join of two files of the largest size: the incumbent's ids and decisions are held in
# memory while the candidate file streams (README "Speed and memory").
if [ -n "${last:-}" ]; then
    c=$dir/join-$last-candidate.csv
    i=$dir/join-$last-incumbent.csv
    if [ ! -s "$c" ] || [ ! -s "$i" ]; then
        "$build/tools/fg_gen" --rows "$last" --seed 1 --scenario loan --incumbent-out "$i.tmp" >"$c.tmp"
        mv "$i.tmp" "$i"
        mv "$c.tmp" "$c"
    fi
    measure "$fairgate" check --quiet --policy "$policy" --candidate "$c" --incumbent "$i"
    if [ "$EXIT" -gt 1 ]; then
        echo "bench: fairgate check --incumbent exited $EXIT" >&2
        exit 1
    fi
    awk -v n="$last" -v w="$WALL" -v rss="$RSS" -v b="$(($(wc -c <"$c") + $(wc -c <"$i")))" 'BEGIN {
        if (w <= 0) w = 0.001
        printf "%-10d %-16s %9.3f %12.0f %9.1f %11.1f\n", n, "id-join-2-files", w, n / w,
            b / 1048576 / w, rss / 1024 }'
fi
# The largest file gzip'd: read through zlib as it streams (one thread, constant memory),
# next to `gzip -dc` alone on the same file.
if [ -n "${last:-}" ]; then
    g=$dir/loans-$last.csv.gz
    if [ ! -s "$g" ]; then
        gzip -c "$dir/loans-$last.csv" >"$g.tmp"
        mv "$g.tmp" "$g"
    fi
    measure gzip -dc "$g"; gz_wall=$WALL; gz_rss=$RSS
    measure "$fairgate" check --quiet --policy "$policy" --candidate "$g"
    if [ "$EXIT" -gt 1 ]; then
        echo "bench: fairgate check exited $EXIT on $g" >&2
        exit 1
    fi
    gb=$(wc -c <"$g")
    for row in "gzip-dc:$gz_wall:$gz_rss" "check-gz:$WALL:$RSS"; do
        name=${row%%:*}; rest=${row#*:}; wall=${rest%%:*}; rss=${rest#*:}
        awk -v n="$last" -v name="$name" -v w="$wall" -v rss="$rss" -v b="$gb" -v gw="$gz_wall" 'BEGIN {
            if (w <= 0) w = 0.001
            printf "%-10d %-16s %9.3f %12.0f %9.1f %11.1f %9s %8s  (MB/s of gzip bytes; x_gzip %.2f)\n",
                n, name, w, n / w, b / 1048576 / w, rss / 1024, "", "", w / (gw > 0 ? gw : 0.001) }'
    done
    echo "$last $RSS" >"$dir/rss-gz.txt"
fi
if [ -f "$dir/rss.txt.new" ]; then
    mv "$dir/rss.txt.new" "$dir/rss.txt"
    awk 'NR == 1 { first = $2; fn = $1 } { last = $2; ln = $1 }
         END { if (NR > 1) printf "peak RSS at %d rows / at %d rows: %.2f\n", ln, fn, last / first }' \
        "$dir/rss.txt"
fi

# The paired bootstrap of vs_incumbent (issue 5) resamples cells, not rows: its time at 10M
# rows should match its time at 10k rows. fg_bootbench prints the medians of 5 runs, with and
# without an incumbent (without one there is no bootstrap).
echo
if [ -x "$build/sim/fg_bootbench" ]; then
    "$build/sim/fg_bootbench"
else
    echo "bench: $build/sim/fg_bootbench is not built (make sim); no bootstrap timing" >&2
fi
