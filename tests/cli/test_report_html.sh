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
expect_grep "a failing group's row is open" "$H" '^<details class="group fail" id="gate-[0-9]+-r[0-9]+" open="open">$'
expect_grep "a passing group's row is collapsed" "$H" '^<details class="group pass" id="gate-[0-9]+-r[0-9]+">$'
expect_grep "is marked in words" "$H" '<span class="gst status fail">✗ FAIL</span>'
expect_grep "an insufficient group shows its n" "$H" '\? insufficient data &#183; n=[0-9]+</span>'
expect_grep "the four-fifths bound is drawn" "$H" '>min 0\.8</span>'
expect_grep "with the shaded region below it" "$H" '<rect class="band" x="0\.0" y="0\.0" width="800\.0" height="100\.0"/>'
expect_grep "a bar's interval is a whisker" "$H" '^<g class="whisker"><line class="w" '
expect_grep "the group's own rate with its interval" "$H" \
    '<span class="sub">rate 0\.[0-9]{4} <span class="ci">\[0\.[0-9]{4}, 0\.[0-9]{4}\]</span></span>'
expect_no_grep "no script" "$H" '<[sS][cC][rR][iI][pP][tT]'
expect_no_grep "no https" "$H" 'https://'
expect_eq "the only URL is the SVG namespace" \
    "$(grep -o 'https\{0,1\}://[^"]*' "$H" | sort -u)" "http://www.w3.org/2000/svg"
gates=$(jq '.gates | length' "$WORK/a.json")
expect_eq "one chart per gate" "$(grep -o 'class="gate-chart"' "$H" | wc -l | tr -d ' ')" "$gates"
results=$(jq '[.gates[].results | length] | add' "$WORK/a.json")
expect_eq "a bar plot per result of every gate" "$(grep -o 'class="bars"' "$H" | wc -l | tr -d ' ')" \
    "$results"
expect_eq "and the panel: results + 1 <svg>" "$(grep -o '<svg' "$H" | wc -l | tr -d ' ')" \
    "$((results + 1))"
expect_eq "a collapsible row per result of every gate" \
    "$(grep -c '^<details class="group [a-z]*" id="gate-' "$H")" "$results"
expect_eq "and one table row per gate in the overview" \
    "$(grep -c '^<tr class="[a-z]*"><td' "$H")" "$gates"

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

# ---- make demo's audit: nothing undefined ----
# As tests/tools/demo.sh makes it: 20,000 rows, seed 7.
"$TOOLS/fg_gen" --rows 20000 --seed 7 --scenario loan >"$WORK/demo.csv"
D=$WORK/demo.html
run "$FAIRGATE" check --policy "$POLICY" --candidate "$WORK/demo.csv" --out "$WORK/demo.json" \
    --html "$D"
expect_rc "the demo's check exits 1" 1
expect_no_grep "the demo's page shows no 'undefined'" "$D" 'undefined'
expect_no_grep "nor NaN" "$D" 'NaN'
# Every rate's interval is shown as one ("[lo, hi]"), candidate and incumbent, 7 columns.
expect_eq "every group's rates: an interval per rate cell" \
    "$(sed -n '/<table class="rates">/,/<\/table>/p' "$D" | grep -o '<span class="ci">\[0\.[0-9]*, [01]\.[0-9]*\]' | wc -l | tr -d ' ')" \
    "$(jq '[.groups[] | (.candidate, .incumbent) | .base_rate_ci, .selection_rate_ci, .tpr_ci, .fpr_ci, .ppv_ci, .npv_ci, .accuracy_ci | select(. != null)] | length' "$WORK/demo.json")"
expect_grep "the rates table scrolls inside its box" "$D" '<div class="scroll">'

# ---- a score gate: a reliability diagram and a ROC curve per group ----
fixture_policy html-scores "$WORK/scores.yaml"
S=$WORK/scores.html
run "$FAIRGATE" check --policy "$WORK/scores.yaml" --candidate "$WORK/demo.csv" --out "$WORK/s.json" \
    --html "$S"
expect_rc "the score gates fail" 1
score_results=$(jq '[.gates[] | select(.metric == "auc" or .metric == "brier" or .metric == "calibration_gap") | .results | length] | add' "$WORK/s.json")
expect_eq "a reliability diagram per result of a score gate" \
    "$(grep -c '^<svg [^>]*class="reliability" id="gate-[0-9]*-r[0-9]*-reliability"' "$S")" "$score_results"
expect_eq "and a ROC curve" "$(grep -c '^<svg [^>]*class="roc" id="gate-[0-9]*-r[0-9]*-roc"' "$S")" \
    "$score_results"
# race=Native is result 5 of auc-gap (gate 1): its curves have as many points as the audit.
native() { jq "[.groups[] | select(.label == \"race=Native\") | .$1 | length][0]" "$WORK/s.json"; }
roc=$(sed -n '/id="gate-1-r5-roc"/,/<\/svg>/p' "$S")
expect_eq "race=Native's ROC: the candidate's points (data-points and pairs)" \
    "$(echo "$roc" | grep -o 'class="curve c roc-line" points="[^"]*" data-points="[0-9]*"' |
        sed 's/.*points="\([^"]*\)" data-points="\([0-9]*\)"/\2 \1/' | awk '{ print $1 "=" NF - 1 }')" \
    "$(native candidate.roc.fpr)=$(native candidate.roc.fpr)"
expect_eq "and the incumbent's" \
    "$(echo "$roc" | grep -o 'class="curve i roc-line" points="[^"]*"' | awk '{ print NF - 3 }')" \
    "$(native incumbent.roc.fpr)"
rel=$(sed -n '/id="gate-1-r5-reliability"/,/<\/svg>/p' "$S")
expect_eq "race=Native's reliability diagram: a dot per non-empty bin" \
    "$(echo "$rel" | grep -c '<circle class="curve c rel-line"')" "$(native candidate.calibration.n)"
expect_eq "the overall ROC curve is thinned to 101 points" \
    "$(jq '.groups[0].candidate.roc.fpr | length' "$WORK/s.json")" 101
# brier is an overall gate: the overall population's curves (gate 3, result 0).
expect_grep "an overall score gate draws the overall population's curves" "$S" 'id="gate-3-r0-roc"'
expect_no_grep "the score page shows no 'undefined'" "$S" 'undefined|NaN'

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
# ---- layout at 1280 px: no sideways scroll, no label cut ----
# A test-only harness (the report itself stays script-free): it loads a report into a
# 1280 px wide iframe and writes what it measured into its own DOM, which --dump-dom prints.
cat >"$WORK/measure.html" <<'EOF'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>measure</title></head><body style="margin:0">
<iframe id="f" src="report.html" style="width:1280px;height:2000px;border:0"></iframe>
<pre id="out">not measured</pre>
<script>
document.getElementById('f').addEventListener('load', function () {
  var out = [], d = null;
  try { d = this.contentDocument; } catch (e) { d = null; }
  if (!d || !d.body) { document.getElementById('out').textContent = 'no access'; return; }
  /* everything open, so that what a reader can expand is measured too */
  d.querySelectorAll('details').forEach(function (e) { e.open = true; });
  var root = d.documentElement, cut = [], outside = [], texts = d.querySelectorAll('svg text');
  var labels = d.querySelectorAll('.glabel');
  labels.forEach(function (e) { if (e.scrollWidth > e.clientWidth + 1) cut.push(e.textContent); });
  texts.forEach(function (t) {
    var r = t.getBoundingClientRect(), box = t.ownerSVGElement.getBoundingClientRect();
    if (r.width > 0 && (r.left < box.left - 0.5 || r.right > box.right + 0.5 ||
                        r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5))
      outside.push(t.textContent);
  });
  out.push('viewport=' + root.clientWidth);
  out.push('scroll=' + Math.max(root.scrollWidth, d.body.scrollWidth));
  out.push('labels=' + labels.length);
  out.push('cut=' + cut.length + ' ' + cut.join(' | '));
  out.push('svgtexts=' + texts.length);
  out.push('outside=' + outside.length + ' ' + outside.join(' | '));
  document.getElementById('out').textContent = out.join('\n');
});
</script></body></html>
EOF
# measure REPORT: prints the harness's lines for REPORT.
measure() {
    cp "$1" "$WORK/report.html"
    rm -rf "$WORK/chrome-m"
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$WORK/chrome-m" --allow-file-access-from-files --window-size=1400,2200 \
        --virtual-time-budget=10000 --dump-dom "file://$WORK/measure.html" 2>"$WORK/chrome-m.log" |
        sed -n '/<pre id="out">/,/<\/pre>/p' | sed 's/<[^>]*>//g'
}
# A long label as well: the demo's audit with one group renamed.
long='sex=Female & race=Asian-Pac-Islander & region=Provence-Alpes-Cote-d-Azur & occupation=very-long-occupation-name-without-spaces-at-all'
jq --arg l "$long" '(.. | objects | select(.label? == "sex=Female & race=Black") | .label) |= $l' \
    "$WORK/demo.json" >"$WORK/long.json"
"$FAIRGATE" report --audit "$WORK/long.json" --html "$WORK/long.html" 2>/dev/null
for page in demo long scores; do
    case $page in
    demo) file=$D json=$WORK/demo.json ;;
    long) file=$WORK/long.html json=$WORK/long.json ;;
    *) file=$S json=$WORK/s.json ;;
    esac
    m=$(measure "$file")
    viewport=$(echo "$m" | sed -n 's/^viewport=//p')
    scroll=$(echo "$m" | sed -n 's/^scroll=//p')
    if [ -z "$viewport" ]; then
        not_ok "$page: the harness measured the page" "$m $(tail -3 "$WORK/chrome-m.log")"
        continue
    fi
    expect_true "$page: no horizontal scroll at 1280 px (scrollWidth $scroll, viewport $viewport)" \
        "$m" test "$scroll" -le "$viewport" -a "$viewport" -le 1280 -a "$viewport" -gt 1200
    # a label per gate row and per group in the rates table, all measured
    want=$(jq '([.gates[].results | length] | add) + (.groups | length)' "$json")
    expect_eq "$page: every group label was measured" "$(echo "$m" | sed -n 's/^labels=//p')" "$want"
    expect_eq "$page: no group label is cut" "$(echo "$m" | sed -n 's/^cut=//p')" "0 "
    expect_eq "$page: no SVG text leaves its chart" "$(echo "$m" | sed -n 's/^outside=//p')" "0 "
done
expect_grep "the long label is whole in the page" "$WORK/long.html" \
    'occupation=very-long-occupation-name-without-spaces-at-all</span>'

# The demo report at 1280 px, to look at: $WORK/demo.png.
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/chrome-d" --window-size=1280,4000 --screenshot="$WORK/demo.png" \
    "file://$D" >"$WORK/chrome-d.log" 2>&1
expect_true "the demo report's screenshot ($WORK/demo.png)" "$(tail -3 "$WORK/chrome-d.log")" \
    test -s "$WORK/demo.png"

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
