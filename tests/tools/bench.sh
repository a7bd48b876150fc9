#!/bin/sh
# make bench: speed and peak memory of `fairgate check` on 1M and 10M generated rows (one
# file, both models, two protected attributes and their intersection, every rate metric),
# next to `cat FILE >/dev/null`, `wc -l FILE` and `openssl dgst -sha256 FILE` (the floor:
# the audit binds the file's SHA-256) on the same file, and, when /usr/bin/python3 has
# pandas, next to pandas `read_csv` alone and `read_csv` + `groupby` computing the same
# per-group counts. Then, at the largest size, the two-file join (`id,sex,race,defaulted,
# approve_new` + `id,approve_old`) with the incumbent file in the same order (the aligned
# join) and shuffled (the hash join), next to the one file with the same columns, and the
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

printf '%-10s %-16s %9s %12s %9s %11s %9s %8s %8s\n' rows command wall_s rows/s MB/s peak_rss_MB x_cat x_wc x_sha
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
    measure openssl dgst -sha256 "$f"; sha_wall=$WALL; sha_rss=$RSS
    measure "$fairgate" check --quiet --policy "$policy" --candidate "$f"; fg_wall=$WALL; fg_rss=$RSS
    if [ "$EXIT" -gt 1 ]; then
        echo "bench: fairgate check exited $EXIT on $f" >&2
        exit 1
    fi
    rows_out="cat:$cat_wall:$cat_rss wc-l:$wc_wall:$wc_rss sha256:$sha_wall:$sha_rss fairgate-check:$fg_wall:$fg_rss"
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
            -v cw="$cat_wall" -v ww="$wc_wall" -v sw="$sha_wall" 'BEGIN {
            if (w <= 0) w = 0.001
            printf "%-10d %-16s %9.3f %12.0f %9.1f %11.1f %9.2f %8.2f %8.2f\n",
                n, name, w, n / w, mb / w, rss / 1024, w / (cw > 0 ? cw : 0.001),
                w / (ww > 0 ? ww : 0.001), w / (sw > 0 ? sw : 0.001) }'
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

# Two files of the largest size joined by id, as teams that score each model in a job of
# its own write them: in the same order (read side by side: inputs.join "aligned") and
# shuffled (the hash join), next to the one file with the same columns. Each must judge
# exactly as the one file does.
if [ -n "${last:-}" ]; then
    one=$dir/narrow-$last.csv
    c=$dir/narrow-$last-candidate.csv
    same=$dir/narrow-$last-incumbent-same.csv
    shuf=$dir/narrow-$last-incumbent-shuffled.csv
    if [ ! -s "$one" ] || [ ! -s "$c" ] || [ ! -s "$same" ] || [ ! -s "$shuf" ]; then
        "$build/tools/fg_gen" --rows "$last" --seed 1 --narrow >"$one.tmp"
        "$build/tools/fg_gen" --rows "$last" --seed 1 --narrow --incumbent-out "$same.tmp" \
            --incumbent-order same >"$c.tmp"
        "$build/tools/fg_gen" --rows "$last" --seed 1 --narrow --incumbent-out "$shuf.tmp" \
            --incumbent-order shuffled >/dev/null
        for x in "$one" "$c" "$same" "$shuf"; do mv "$x.tmp" "$x"; done
        sleep 3 # settled files, as above
    fi
    measure openssl dgst -sha256 "$one"; one_sha=$WALL
    measure openssl dgst -sha256 "$c" "$same"; join_sha=$WALL
    measure "$fairgate" check --quiet --policy "$policy" --candidate "$one" --out "$dir/one.json"
    one_wall=$WALL
    jq -S 'del(.inputs, .created)' "$dir/one.json" >"$dir/one.judged"
    join_rows="one-file-narrow:$WALL:$RSS:$(wc -c <"$one"):$one_sha:-"
    for order in same shuffled; do
        i=$same; [ $order = shuffled ] && i=$shuf
        measure "$fairgate" check --quiet --policy "$policy" --candidate "$c" --incumbent "$i" \
            --out "$dir/join-$order.json"
        if [ "$EXIT" -gt 1 ]; then
            echo "bench: fairgate check --incumbent ($order) exited $EXIT" >&2
            exit 1
        fi
        join=$(jq -r .inputs.join "$dir/join-$order.json")
        if ! jq -S 'del(.inputs, .created)' "$dir/join-$order.json" | cmp -s - "$dir/one.judged"; then
            echo "bench: the $order join does not judge as the one file" >&2
            exit 1
        fi
        join_rows="$join_rows join-$order:$WALL:$RSS:$(($(wc -c <"$c") + $(wc -c <"$i"))):$join_sha:$join"
    done
    echo
    printf '%-10s %-22s %9s %12s %9s %11s %9s %8s  %s\n' rows command wall_s rows/s MB/s peak_rss_MB x_one x_sha join
    for row in $join_rows; do
        name=${row%%:*}; rest=${row#*:}; wall=${rest%%:*}; rest=${rest#*:}
        rss=${rest%%:*}; rest=${rest#*:}; b=${rest%%:*}; rest=${rest#*:}
        sha=${rest%%:*}; join=${rest#*:}
        awk -v n="$last" -v name="$name" -v w="$wall" -v rss="$rss" -v b="$b" -v ow="$one_wall" \
            -v sw="$sha" -v join="$join" 'BEGIN {
            if (w <= 0) w = 0.001
            printf "%-10d %-22s %9.3f %12.0f %9.1f %11.1f %9.2f %8.2f  %s\n", n, name, w, n / w,
                b / 1048576 / w, rss / 1024, w / (ow > 0 ? ow : 0.001), w / (sw > 0 ? sw : 0.001),
                join }'
    done
    echo "(x_one: against one-file-narrow; x_sha: against openssl dgst -sha256 of the file(s) read)"
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
