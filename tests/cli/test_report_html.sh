#!/bin/sh
# The HTML report: `check --html` and `report --audit --html` write the same bytes; the
# page is well-formed, self-contained (no script, no URL but the SVG namespace), has one
# chart per gate, escapes what the audit holds, and headless Chromium renders it to a
# screenshot that is not blank and shows the failing verdict's red. Chromium, xmllint and
# ImageMagick are required: a missing tool fails the test (`make deps-test` installs them).
. "$(dirname "$0")/lib.sh"
POLICY=$TESTS_DIR/../policies/loan-approval.yaml
export SOURCE_DATE_EPOCH=1700000000
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/loans.csv"

# expect_same NAME FILE1 FILE2: the two files have the same bytes.
expect_same() {
    if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1" "$(diff "$2" "$3" 2>&1 | head -5)"; fi
}
# expect_true NAME DETAIL CMD...: CMD succeeds.
expect_true() {
    name=$1 detail=$2
    shift 2
    if "$@"; then ok "$name"; else not_ok "$name" "$detail"; fi
}
# between MIN MAX VALUE: MIN < VALUE < MAX, as decimals.
between() { awk -v lo="$1" -v hi="$2" -v v="$3" 'BEGIN { exit !(v > lo && v < hi) }'; }

H=$WORK/h.html
run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv" --out "$WORK/a.json" \
    --html "$H"
expect_rc "check --html on a regressing candidate exits 1" 1
expect_true "check --html writes the page" "no $H" test -s "$H"
run "$FAIRGATE" report --audit "$WORK/a.json" --html "$WORK/h2.html"
expect_rc "report --audit --html exits 0" 0
expect_same "check and report write byte-identical HTML" "$H" "$WORK/h2.html"
run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/loans.csv" --html "$WORK/h3.html"
expect_same "the same inputs give the same page" "$H" "$WORK/h3.html"

# ---- content ----
expect_grep "HTML5" "$H" '^<!DOCTYPE html>$'
expect_grep "meta charset utf-8" "$H" '<meta charset="utf-8"'
expect_grep "print styles" "$H" '@media print'
expect_grep "the verdict, big" "$H" '<div class="big">✗ FAIL</div>'
policy_sha=$(sha256sum "$POLICY" | cut -d' ' -f1)
expect_grep "policy sha256 in the header" "$H" "sha256 <code>$policy_sha</code>"
expect_grep "created from the audit" "$H" '2023-11-14T22:13:20Z'
expect_grep "candidate vs incumbent panel" "$H" '<h2>Candidate vs incumbent</h2>'
expect_grep "a failing group's row in a chart" "$H" '^<g class="row fail">'
expect_grep "is marked in words" "$H" '<text class="st fail" [^>]*>✗ FAIL</text></g>$'
expect_grep "an insufficient group shows its n" "$H" '\? insufficient data &#183; n=[0-9]+</text>'
expect_grep "the four-fifths bound is drawn" "$H" '>min 0\.8</text>'
expect_no_grep "no script" "$H" '<[sS][cC][rR][iI][pP][tT]'
expect_no_grep "no https" "$H" 'https://'
expect_eq "the only URL is the SVG namespace" \
    "$(grep -o 'https\{0,1\}://[^"]*' "$H" | sort -u)" "http://www.w3.org/2000/svg"
gates=$(jq '.gates | length' "$WORK/a.json")
expect_eq "one chart per gate" "$(grep -o 'class="gate-chart"' "$H" | wc -l | tr -d ' ')" "$gates"
expect_eq "and the panel: gates + 1 <svg>" "$(grep -o '<svg' "$H" | wc -l | tr -d ' ')" \
    "$((gates + 1))"
expect_eq "a table row per result of every gate, and one per gate in the overview" \
    "$(grep -c '^<tr class="[a-z]*"><td' "$H")" \
    "$(jq '([.gates[].results | length] | add) + (.gates | length)' "$WORK/a.json")"

# ---- well-formed ----
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$H" 2>"$WORK/xml.err"
    expect_true "the page is well-formed XML (polyglot)" "$(head -5 "$WORK/xml.err")" \
        test ! -s "$WORK/xml.err"
    # libxml2's HTML parser knows HTML 4 only: unknown HTML5/SVG tags are its sole complaint.
    xmllint --html --noout "$H" 2>&1 | grep 'error :' |
        grep -v 'error : Tag [a-z]* invalid$' >"$WORK/html.err"
    expect_true "the HTML parser finds nothing but HTML5 tags" "$(head -5 "$WORK/html.err")" \
        test ! -s "$WORK/html.err"
else
    not_ok "xmllint is installed (libxml2-utils)"
fi

# ---- errors ----
printf '{}\n' >"$WORK/empty.json"
run "$FAIRGATE" report --audit "$WORK/empty.json" --html "$WORK/bad.html"
expect_rc "report --html on a non-audit exits 2" 2
expect_grep "and says it is not an audit" "$WORK/err" 'not a fairgate audit'
expect_absent "and writes no page" "$WORK/bad.html"
run "$FAIRGATE" report --audit "$WORK/loans.csv" --html "$WORK/bad.html"
expect_rc "report --html on a CSV exits 2" 2
expect_absent "and writes no page" "$WORK/bad.html"

# ---- a passing gate with an override, and names with markup in them ----
mkdir -p "$WORK/keys"
"$FAIRGATE" keygen --out "$WORK/keys/risk.pem" --pubout "$WORK/keys/risk.pub" >/dev/null
fixture_policy markup-overrides "$WORK/policy.yaml" RISK_ID="$(keyid "$WORK/keys/risk.pub")"
run at "2023-11-14 22:13:20" "$FAIRGATE" override --policy "$WORK/policy.yaml" --candidate "$WORK/loans.csv" \
    --gate four-fifths --approver risk@bank.example --role model-risk \
    --reason 'accepted: <b>RISK-1</b> & "co"' --expires 2023-12-01 \
    --sign-key "$WORK/keys/risk.pem" --out "$WORK/ok.dsse.json"
expect_rc "override created" 0
O=$WORK/o.html
run at "2023-11-14 22:13:20" "$FAIRGATE" check --policy "$WORK/policy.yaml" --candidate "$WORK/loans.csv" \
    --override "$WORK/ok.dsse.json" --out "$WORK/o.json" --html "$O"
expect_rc "with the override the gate passes" 0
expect_grep "the verdict reads PASS WITH OVERRIDE" "$O" '<header class="verdict overridden">'
expect_grep "the override is listed as applied" "$O" '✓ applied'
expect_grep "its reason is escaped" "$O" 'accepted: &lt;b&gt;RISK-1&lt;/b&gt; &amp; &quot;co&quot;'
expect_grep "the policy name is escaped" "$O" 'loans &lt;with&gt; &quot;overrides&quot;'
expect_no_grep "no raw markup from the audit" "$O" '<b>RISK|<with>'

# ---- rendered by a browser ----
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    not_ok "chromium is installed (make deps-test)"
    finish
fi
SHOT=$WORK/shot.png
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/chrome" --window-size=1280,2000 --screenshot="$SHOT" \
    "file://$H" >"$WORK/chrome.log" 2>&1
if [ ! -s "$SHOT" ]; then
    not_ok "chromium renders a screenshot" "$(tail -5 "$WORK/chrome.log")"
    finish
fi
ok "chromium renders a screenshot"
# ImageMagick's own identify and convert (a stand-in convert may sit earlier on PATH).
IDENTIFY=$(command -v identify || true)
CONVERT=/usr/bin/convert
[ -x "$CONVERT" ] || CONVERT=$(command -v convert || true)
if [ -z "$IDENTIFY" ] || [ -z "$CONVERT" ]; then
    not_ok "ImageMagick is installed (make deps-test)"
    finish
fi
expect_eq "the screenshot is 1280x2000" "$("$IDENTIFY" -format '%wx%h' "$SHOT")" "1280x2000"
colours=$("$IDENTIFY" -format '%k' "$SHOT")
expect_true "the screenshot is not blank ($colours colours)" "want > 200 distinct colours" \
    test "$colours" -gt 200
# Share of pixels that are not (near) white: text, bars, tints.
ink=$("$CONVERT" "$SHOT" -alpha off -colorspace Gray -threshold 90% -negate \
    -format '%[fx:mean]' info:)
expect_true "the screenshot has ink on it ($ink)" "want 0.05 to 0.6" between 0.05 0.6 "$ink"
# The failing verdict's red (#b42318) is on screen, as is the candidate's blue (#1f5fbf).
for colour in '#b42318' '#1f5fbf'; do
    share=$("$CONVERT" "$SHOT" -alpha off -fuzz 6% -fill black -opaque "$colour" \
        -fuzz 0 -fill white +opaque black -negate -format '%[fx:mean]' info:)
    expect_true "$colour is on the screenshot ($share)" "want > 0.001" between 0.001 1 "$share"
done
finish
