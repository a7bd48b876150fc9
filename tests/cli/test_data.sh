#!/bin/sh
# The real data shipped in tests/data is what tests/data/README.md says it is: every
# checksum listed there holds, for the .gz files as they are and for what gzip -dc gives;
# every .gz file is listed (compressed and not); the licence and the dataset DOIs are
# stated; COMPAS, which has no licence grant, is not shipped.
. "$(dirname "$0")/lib.sh"
README=$SHIPPED/README.md
grep -E '^[0-9a-f]{64}  [^ ]+$' "$README" >"$WORK/sums"
expect_eq "README lists six checksums" "$(wc -l <"$WORK/sums" | tr -d ' ')" "6"
while read -r sum file; do
    case $file in
    *.gz) got=$(sha256sum <"$SHIPPED/$file" | cut -d' ' -f1) ;;
    *) got=$(gzip -dc "$SHIPPED/$file.gz" | sha256sum | cut -d' ' -f1) ;;
    esac
    expect_eq "sha256 of $file" "$got" "$sum"
done <"$WORK/sums"
for gz in "$SHIPPED"/*.gz; do
    f=$(basename "$gz")
    expect_grep "$f: its checksum is listed" "$WORK/sums" "  $f\$"
    expect_grep "${f%.gz}: its checksum is listed" "$WORK/sums" "  ${f%.gz}\$"
    # gzip -9 -n: no name and no time stamp in the header (bytes 4-7 are the mtime)
    expect_eq "$f: no time stamp in the gzip header" "$(od -An -tx1 -j3 -N5 "$gz" | tr -d ' ')" "0000000000"
done
expect_grep "licence stated" "$README" 'CC BY 4\.0'
expect_grep "Adult's DOI" "$README" '10\.24432/C5XW20'
expect_grep "German Credit's DOI" "$README" '10\.24432/C5NC77'
expect_eq "no COMPAS file shipped" "$(ls "$SHIPPED" | grep -ci compas)" "0"
finish
