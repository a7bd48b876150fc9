#!/bin/sh
# The four-fifths rule with the default reference flags exactly the groups whose
# selection rate is below 0.8 x the highest group's (29 CFR 1607.4(D)), checked against an
# independent awk computation on generated data and on a hand-made boundary case.
. "$(dirname "$0")/lib.sh"

fixture_policy four-fifths-only "$WORK/ff.yaml"
for seed in 3 11; do
    "$TOOLS/fg_gen" --rows 30000 --seed $seed --scenario loan >"$WORK/l.csv"
    run "$FAIRGATE" check --policy "$WORK/ff.yaml" --candidate "$WORK/l.csv" --out "$WORK/a.json"
    [ "$RC" -le 1 ] && ok "seed $seed: a verdict" || not_ok "seed $seed: a verdict" "$(cat "$WORK/err")"
    # awk: per attribute set, the groups whose rate is below 0.8 x the highest rate.
    want=$(awk -F, 'NR > 1 {
        k[1] = "sex=" $2; k[2] = "race=" $3; k[3] = "sex=" $2 " & race=" $3
        for (i = 1; i <= 3; i++) { n[i, k[i]]++; s[i, k[i]] += ($8 == "1"); seen[i, k[i]] = 1 } }
        END {
            for (key in seen) { split(key, p, SUBSEP); r = s[key] / n[key]; if (r > hi[p[1]]) hi[p[1]] = r }
            for (key in seen) { split(key, p, SUBSEP); r = s[key] / n[key]
                if (r < 0.8 * hi[p[1]]) print p[2] } }' "$WORK/l.csv" | sort)
    got=$(jq -r '.gates[0].results[] | select(.status == "fail") | .label' "$WORK/a.json" | sort)
    expect_eq "seed $seed: failing groups equal awk's" "$got" "$want"
    [ -n "$want" ] && ok "seed $seed: some group fails" || not_ok "seed $seed: some group fails"
done

# Boundary: A 50/100 selected (highest), B 40/100 = exactly 0.8 x (passes),
# C 39/100 (fails), D 45/100 (passes).
{
    echo "grp,y,pred"
    for g in A B C D; do
        case $g in A) k=50 ;; B) k=40 ;; C) k=39 ;; D) k=45 ;; esac
        i=0
        while [ $i -lt 100 ]; do
            p=0; [ $i -lt $k ] && p=1
            echo "$g,$((i % 2)),$p"
            i=$((i + 1))
        done
    done
} >"$WORK/b.csv"
fixture_policy four-fifths-boundary "$WORK/b.yaml"
run "$FAIRGATE" check --policy "$WORK/b.yaml" --candidate "$WORK/b.csv" --out "$WORK/b.json"
expect_rc "boundary: a group fails" 1
expect_eq "boundary: only C fails" "$(jq -r '[.gates[0].results[] | select(.status == "fail") | .label] | join(",")' "$WORK/b.json")" "grp=C"
expect_eq "boundary: B's ratio is 0.8" "$(jq -r '.gates[0].results[] | select(.label == "grp=B") | .value' "$WORK/b.json")" "0.8"
expect_eq "boundary: reference is A" "$(jq -r '[.gates[0].results[].reference.label] | unique | join(",")' "$WORK/b.json")" "grp=A"
expect_eq "boundary: C's ratio is 0.78" "$(jq -r '.gates[0].results[] | select(.label == "grp=C") | .value' "$WORK/b.json")" "0.78"
finish
