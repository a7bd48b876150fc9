#!/bin/sh
# The pre-commit hook of .pre-commit-hooks.yaml, run by Debian's pre-commit as a user's
# repository would (`pre-commit try-repo`), on a fresh clone of this checkout committed
# to a temporary git repository:
#   - a valid policy passes; a bad one fails with fairgate's FILE:LINE:COL message;
#   - files outside policy folders are not linted;
#   - with no fairgate on PATH the hook builds it in pre-commit's clone (make, stubbed
#     here: the stub checks with `make -n` that the target exists, then puts the binary
#     under test where the build would) and uses it; the next run builds nothing;
#   - with a fairgate on PATH it builds nothing and uses that one.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
for tool in git pre-commit; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        not_ok "$tool is installed" "apt-get install $tool (make check installs it through .ci/ensure-deps test)"
        finish
    fi
done
REALMAKE=$(command -v make)
CALLS=$WORK/calls.log
: >"$CALLS"
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1
# A make that runs the hooks (as `make asan` runs this test, BUILD=build-asan) passes its
# variables on in MAKEFLAGS: the hook must build fairgate where it then looks for it.
export MAKEFLAGS="BUILD=build-elsewhere"
mkdir -p "$HOME"
git config --global user.name test
git config --global user.email test@example.com
git config --global init.defaultBranch main
git config --global protocol.file.allow always

# ---- fairgate's repository, as pre-commit would clone it: this checkout, committed ----
HOOKREPO=$WORK/fairgate
mkdir -p "$HOOKREPO"
for f in "$ROOT"/* "$ROOT"/.[!.]*; do
    case ${f##*/} in build | build-* | .git | '.[!.]*') continue ;; esac
    cp -R "$f" "$HOOKREPO/"
done
(cd "$HOOKREPO" && git init -q && git add -A && git commit -qm "fairgate under test") ||
    not_ok "a git repository of this checkout"

# ---- a user's repository with policies ----
USER=$WORK/model
mkdir -p "$USER/policies" "$USER/config"
cp "$ROOT/policies/loan-approval.yaml" "$USER/policies/good.yaml"
cp "$FIXTURES/policy/bad-misspelled-metric.yaml" "$USER/policies/bad.yaml"
cp "$FIXTURES/policy/bad-misspelled-metric.yaml" "$USER/config/not-a-policy.yaml"
(cd "$USER" && git init -q && git add -A && git commit -qm "model") || not_ok "the user's repository"

# ---- stubs: make (a dry run of the real make, then the binary under test), fairgate ----
STUBS=$WORK/stubs
mkdir -p "$STUBS" "$WORK/onpath"
cat >"$STUBS/make" <<EOF
#!/bin/sh
{ printf make; for a in "\$@"; do printf ' %s' "\$a"; done; echo; } >>'$CALLS'
'$REALMAKE' -n "\$@" >/dev/null || exit 2
dir=.
while [ \$# -gt 0 ]; do case \$1 in -C) dir=\$2; shift ;; esac; shift; done
mkdir -p "\$dir/build" && printf '#!/bin/sh\necho "built \$*" >>"%s"\nexec "%s" "\$@"\n' '$CALLS' '$FAIRGATE' >"\$dir/build/fairgate" &&
    chmod +x "\$dir/build/fairgate"
EOF
printf '#!/bin/sh\necho "onpath $*" >>"%s"\nexec "%s" "$@"\n' "$CALLS" "$FAIRGATE" >"$WORK/onpath/fairgate"
chmod +x "$STUBS/make" "$WORK/onpath/fairgate"
BASEPATH=$STUBS:/usr/bin:/bin
if PATH=$BASEPATH command -v fairgate >/dev/null 2>&1; then
    skip "pre-commit hook without fairgate on PATH" "$(PATH=$BASEPATH command -v fairgate) is installed"
    NOFG=0
else NOFG=1; fi

# try NAME PATH FILE...: pre-commit try-repo of the hook on FILE... in the user's repository,
# with pre-commit's store in $WORK/store.NAME; output in $WORK/out, status in $RC.
try() {
    tname=$1 tpath=$2
    shift 2
    : >"$CALLS"
    (cd "$USER" && PATH=$tpath PRE_COMMIT_HOME=$WORK/store.$tname \
        pre-commit try-repo "$HOOKREPO" fairgate-lint --files "$@") >"$WORK/out" 2>&1
    RC=$?
}

if [ "$NOFG" = 1 ]; then
    try build "$BASEPATH" policies/good.yaml
    expect_rc "a valid policy passes" 0
    expect_grep "the hook ran on it" "$WORK/out" '^fairgate lint\.+Passed$'
    expect_grep "no fairgate on PATH: the hook builds it in pre-commit's clone" "$CALLS" \
        '^make -C /.+ -j[0-9]+ BUILD=build WERROR= build/fairgate$'
    expect_grep "the built fairgate lints the file" "$CALLS" '^built lint policies/good\.yaml$'

    try build "$BASEPATH" policies/bad.yaml
    expect_rc "a bad policy fails" 1
    expect_grep "the hook failed" "$WORK/out" '^fairgate lint\.+Failed$'
    expect_grep "the error names the file, line and column" "$WORK/out" \
        "^fairgate: error: policies/bad\\.yaml:12:13: unknown metric 'tpr_gap' \\(did you mean 'tpr'\\?\\)$"

    try build "$BASEPATH" policies/good.yaml policies/bad.yaml config/not-a-policy.yaml
    expect_rc "a valid and a bad policy: fails" 1
    expect_grep "both policies are linted" "$CALLS" '^built lint policies/good\.yaml$'
    # seen once, under load, in make asan (not reproduced): what pre-commit said, then
    grep -q '^built lint policies/good\.yaml$' "$CALLS" || sed 's/^/    pre-commit: /' "$WORK/out"
    expect_grep "the bad one is named" "$WORK/out" '^fairgate: error: policies/bad\.yaml:12:13: '
    expect_no_grep "a YAML file outside a policy folder is not linted" "$CALLS" 'not-a-policy'

    try build "$BASEPATH" config/not-a-policy.yaml
    expect_rc "only a file outside a policy folder: nothing to check" 0
    expect_grep "pre-commit says there was nothing to check" "$WORK/out" '^fairgate lint\.+\(no files to check\)Skipped$'
fi

# As configured in a repository: pre-commit keeps its clone, so only the first run builds.
if [ "$NOFG" = 1 ]; then
    rev=$(git -C "$HOOKREPO" rev-parse HEAD)
    printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: fairgate-lint\n' "$HOOKREPO" "$rev" \
        >"$USER/.pre-commit-config.yaml"
    for n in 1 2; do
        : >"$CALLS"
        (cd "$USER" && PATH=$BASEPATH PRE_COMMIT_HOME=$WORK/store.config \
            pre-commit run fairgate-lint --files policies/good.yaml policies/bad.yaml) >"$WORK/out" 2>&1
        RC=$?
        expect_rc "configured, run $n: the bad policy fails the hook" 1
        expect_grep "configured, run $n: the error names the file, line and column" "$WORK/out" \
            '^fairgate: error: policies/bad\.yaml:12:13: '
        expect_grep "configured, run $n: the good policy is linted too" "$CALLS" '^built lint policies/good\.yaml$'
    done
    expect_no_grep "configured, run 2: nothing is built again" "$CALLS" '^make'
fi

try onpath "$WORK/onpath:$BASEPATH" policies/bad.yaml
expect_rc "fairgate on PATH: a bad policy fails" 1
expect_grep "fairgate on PATH: it is the one used" "$CALLS" '^onpath lint policies/bad\.yaml$'
expect_no_grep "fairgate on PATH: nothing is built" "$CALLS" '^make'
expect_grep "fairgate on PATH: the error names the file, line and column" "$WORK/out" \
    '^fairgate: error: policies/bad\.yaml:12:13: '
finish
