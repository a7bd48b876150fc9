#!/bin/sh
# The CI examples of ci-examples/ are run, not just read: each pipeline's shell steps run
# in order, in the way its CI system runs them (tests/tools/ci_emulate.sh), on a
# repository holding generated loan predictions and a copy of the loan-approval policy,
# with stubs for sudo, apt-get, make (whose "build" puts a launcher of $FAIRGATE where the
# real build puts fairgate), curl, git, gh and release-cli that record their arguments. For GitHub Actions,
# GitLab CI and Jenkins:
#   - a failing gate fails the pipeline, its audit and reports are still kept, and the
#     release step is never called;
#   - a passing gate on a tag reaches the release step, which attaches audit.json,
#     audit.intoto.jsonl and report.html (and the attestation verifies);
#   - a gate whose failures are all overridden by envelopes committed under overrides/
#     reaches the release step too;
#   - a pull request does not release.
# GitHub Actions runs through fairgate's composite action (ci-examples/github-action): its
# outputs (verdict, exit-code, paths) are set whether the gate passed or not; the binary
# is built once and then restored from the cache; on a pull request with a token the stub
# gh keeps the comments in a file: the first run posts one comment, the next edits it. The
# GitLab and Jenkins pipelines also run with the .deb of a release instead of a build.
. "$(dirname "$0")/lib.sh"
EX=$TESTS_DIR/../ci-examples
EMU=$TESTS_DIR/tools/ci_emulate.sh
unset SOURCE_DATE_EPOCH

# ---- stubs: each appends "NAME ARG..." to $CALLS ----
STUBS=$WORK/stubs
CALLS=$WORK/calls.log
RELEASED=$WORK/released
mkdir -p "$STUBS" "$RELEASED"
stub() { # NAME BODY
    {
        echo '#!/bin/sh'
        echo "{ printf '%s' $1; for a in \"\$@\"; do printf ' %s' \"\$a\"; done; echo; } >>'$CALLS'"
        printf '%s\n' "$2"
    } >"$STUBS/$1"
    chmod +x "$STUBS/$1"
}
stub sudo 'exec "$@"'
# apt-get install ./X.deb: X.deb must be the release's .deb (what the curl stub downloads);
# "installing" it puts fairgate in $SYSBIN, a folder on the pipelines' PATH.
SYSBIN=$WORK/sysbin
printf 'fake fairgate_0.1.0_amd64.deb\n' >"$WORK/release.deb"
DEB_SHA=$(sha256sum "$WORK/release.deb" | cut -d' ' -f1)
stub apt-get "for a in \"\$@\"; do
    case \$a in *.deb)
        cmp -s \"\$a\" '$WORK/release.deb' || { echo \"apt-get: \$a is not the release's .deb\" >&2; exit 100; }
        mkdir -p '$SYSBIN' && cp '$WORK/fairgate.built' '$SYSBIN/fairgate' ;;
    esac
done"
# curl -fsSL -o FILE URL: URL must name a release's .deb; FILE gets it.
stub curl "o=
while [ \$# -gt 0 ]; do case \$1 in -o) o=\$2; shift ;; -*) ;; *) u=\$1 ;; esac; shift; done
case \$u in https://*/releases/download/v*/fairgate_*_*.deb) ;; *) echo \"curl: 404 \$u\" >&2; exit 22 ;; esac
cp '$WORK/release.deb' \"\$o\""
stub git 'exit 0'
stub release-cli 'exit 0'
# make -C DIR: the sources must be there (the checkout); what it "builds" is DIR/build/fairgate,
# a script that runs the binary under test (with the sanitizer options of `make asan`:
# the pipelines' steps see a clean environment).
{
    echo '#!/bin/sh'
    for v in ASAN_OPTIONS UBSAN_OPTIONS; do
        eval "val=\${$v:-}"
        [ -z "$val" ] || echo "export $v='$val'"
    done
    echo "exec '$FAIRGATE' \"\$@\""
} >"$WORK/fairgate.built"
chmod +x "$WORK/fairgate.built"
stub make "dir=.
while [ \$# -gt 0 ]; do case \$1 in -C) dir=\$2; shift ;; esac; shift; done
[ -f \"\$dir/Makefile\" ] || { echo \"make: \$dir/Makefile: no such file\" >&2; exit 2; }
mkdir -p \"\$dir/build\" && cp '$WORK/fairgate.built' \"\$dir/build/fairgate\""
# gh release view: no such release yet; gh release upload: every file must exist, and a
# copy is kept in $RELEASED for the test to look at. gh api: the comments of pull request 1
# of example/model, kept in $COMMENTS (a JSON array of {id, body}): GET lists them (through
# --jq), POST adds one, PATCH edits one; any other call fails, and so does one without
# GH_TOKEN, as the real gh does.
COMMENTS=$WORK/comments.json
cat >"$WORK/gh.body" <<'EOF'
case "$1 $2" in
'release view') exit 1 ;;
'release upload')
    shift 3
    for a in "$@"; do
        case $a in -*) continue ;; esac
        [ -f "$a" ] || { echo "gh: $a: no such file" >&2; exit 1; }
        cp "$a" '@RELEASED@/'
    done
    exit 0 ;;
esac
[ "$1" = api ] || exit 0
[ -n "${GH_TOKEN:-}" ] || { echo "gh: set the GH_TOKEN environment variable" >&2; exit 4; }
shift
method=GET endpoint="" filter=. body=""
while [ $# -gt 0 ]; do
    case $1 in
    --paginate) ;;
    --method | -X) method=$2; shift ;;
    --jq | -q) filter=$2; shift ;;
    -F | --field)
        case $2 in body=@*) body=$(cat "${2#body=@}") || exit 1 ;; *) echo "gh stub: field $2" >&2; exit 1 ;; esac
        shift ;;
    -*) echo "gh stub: option $1" >&2; exit 1 ;;
    *) endpoint=$1 ;;
    esac
    shift
done
db='@COMMENTS@'
[ -f "$db" ] || echo '[]' >"$db"
case "$method $endpoint" in
"GET repos/example/model/issues/1/comments") jq -r "$filter" "$db" ;;
"POST repos/example/model/issues/1/comments")
    jq --arg b "$body" '. + [{id: (([100] + map(.id) | max) + 1), body: $b}]' "$db" >"$db.new" && mv "$db.new" "$db" ;;
"PATCH repos/example/model/issues/comments/"*)
    id=${endpoint##*/}
    jq -e --argjson id "$id" 'any(.id == $id)' "$db" >/dev/null || { echo "gh: HTTP 404" >&2; exit 1; }
    jq --argjson id "$id" --arg b "$body" 'map(if .id == $id then .body = $b else . end)' "$db" >"$db.new" &&
        mv "$db.new" "$db" ;;
*) echo "gh stub: $method $endpoint" >&2; exit 1 ;;
esac
EOF
stub gh "$(sed -e "s|@RELEASED@|$RELEASED|" -e "s|@COMMENTS@|$COMMENTS|" "$WORK/gh.body")"
CI_PATH=$STUBS:$SYSBIN:/usr/bin:/bin

# ---- the repository a pipeline checks out ----
"$FAIRGATE" keygen --out "$WORK/ci.pem" --pubout "$WORK/ci.pub.pem" >/dev/null
"$FAIRGATE" keygen --out "$WORK/risk.pem" --pubout "$WORK/risk.pub.pem" >/dev/null
"$TOOLS/fg_gen" --rows 5000 --seed 7 --scenario loan >"$WORK/preds.csv"
POLICY=$TESTS_DIR/../policies/loan-approval.yaml

# make_repo NAME: a repository with fairgate's sources (a submodule), the predictions and
# the unchanged policy. Prints its path.
make_repo() {
    r=$WORK/repo.$1
    mkdir -p "$r/fairgate" "$r/predictions" "$r/policies"
    echo "# fairgate's sources (a git submodule); the make stub 'builds' the binary under test" \
        >"$r/fairgate/Makefile"
    cp "$WORK/preds.csv" "$r/predictions/candidate.csv"
    cp "$POLICY" "$r/policies/loan-approval.yaml"
    echo "$r"
}
REPO_FAIL=$(make_repo fail)
# The same data with bounds it meets: a policy this candidate passes.
REPO_PASS=$(make_repo pass)
sed -e 's/min: 0.8$/min: 0.6/' -e 's/max: 0.10$/max: 0.35/' -e 's/max_worsening: 0.02/max_worsening: 0.25/' \
    "$POLICY" >"$REPO_PASS/policies/loan-approval.yaml"
# The failing policy with an approver; every failed gate overridden, envelopes committed.
REPO_OVR=$(make_repo override)
mkdir -p "$REPO_OVR/policies/keys" "$REPO_OVR/overrides"
cp "$WORK/risk.pub.pem" "$REPO_OVR/policies/keys/risk.pub.pem"
fixture_policy ci-examples-overrides-block "$WORK/overrides-block.yaml" RISK_ID="$(keyid "$WORK/risk.pub.pem")"
cat "$WORK/overrides-block.yaml" >>"$REPO_OVR/policies/loan-approval.yaml"
echo "Signed overrides: see ci-examples/README.md" >"$REPO_OVR/overrides/README.md"
expires=$(date -u -d '+7 days' +%Y-%m-%d)
for gate in four-fifths equalized-odds no-fairness-regression; do
    run "$FAIRGATE" override --policy "$REPO_OVR/policies/loan-approval.yaml" \
        --candidate "$REPO_OVR/predictions/candidate.csv" --gate "$gate" \
        --approver risk@bank.example --role model-risk --reason "pilot, monitored weekly" \
        --ticket RISK-7 --expires "$expires" --sign-key "$WORK/risk.pem" \
        --out "$REPO_OVR/overrides/$gate.dsse.json"
    expect_rc "setup: override of $gate" 0
done

# ---- running a pipeline ----
KEY=$(cat "$WORK/ci.pem")
GHTOKEN=ghp_emulated
# pipeline KIND FILE REPO EVENT TAG KEY: runs it; $RC its exit status, $STATE its state
# directory, $CALLS what the stubs were called with, $RELEASED what gh uploaded.
N=0
pipeline() {
    N=$((N + 1))
    STATE=$WORK/run$N.$1
    : >"$CALLS"
    rm -f "$RELEASED"/*
    CI_PATH=$CI_PATH CI_CACHE=$WORK/gh-cache CI_EVENT=$4 CI_TAG=$5 CI_SECRET_FAIRGATE_SIGNING_KEY=$6 \
        CI_SECRET_fairgate_signing_key=$6 CI_SECRET_github_token=$GHTOKEN \
        sh "$EMU" "$1" "$2" "$3" "$STATE" >"$WORK/emu.out" 2>&1
    RC=$?
}
# expect_log NAME REGEX / expect_no_log NAME REGEX: on the emulator's log of the last run.
expect_log() { expect_grep "$1" "$STATE/log" "$2"; }
show() { echo "    log: $(tr '\n' ';' <"$STATE/log")"; echo "    output: $(tail -c 800 "$STATE/output")"; }
expect_pipeline_rc() { # NAME CODE
    if [ "$RC" -eq "$2" ]; then ok "$1"; else
        not_ok "$1" "the pipeline exited $RC, expected $2" "$(cat "$WORK/emu.out")"
        show
    fi
}
verdict() { jq -r .verdict "$1" 2>/dev/null; }

# released_by_gh NAME VERDICT ARGS_REGEX: gh release upload attached audit.json,
# audit.intoto.jsonl and report.html (its arguments match ARGS_REGEX), and they are the
# gate's: an audit with VERDICT whose attestation verifies with the CI key.
released_by_gh() {
    expect_grep "$1: gh release upload of the three files" "$CALLS" "$3"
    expect_eq "$1: the released audit's verdict" "$(verdict "$RELEASED/audit.json")" "$2"
    expect_grep "$1: the released report is HTML" "$RELEASED/report.html" '<'
    run "$FAIRGATE" verify --attestation "$RELEASED/audit.intoto.jsonl" --pubkey "$WORK/ci.pub.pem"
    expect_rc "$1: the released attestation verifies with the CI key" 0
}
kept() { # NAME DIR VERDICT: the audit, attestation and reports were kept in DIR
    for f in audit.json audit.intoto.jsonl report.md report.html junit.xml; do
        if [ -s "$2/$f" ]; then ok "$1: $f kept"; else not_ok "$1: $f kept" "no $2/$f"; show; fi
    done
    expect_eq "$1: the kept audit's verdict" "$(verdict "$2/audit.json")" "$3"
}

# ================= GitHub Actions =================
# The workflow uses fairgate's action (ci-examples/github-action): the emulator runs the
# action's steps from a copy of this checkout, as the runner would download it.
GH=$EX/github-actions.yml
# step_output NAME: output NAME of the workflow's step `gate` (the action's outputs).
step_output() { cat "$STATE/jobs/gate/steps/gate/$1" 2>/dev/null; }
# comment_count / comment_body: the pull request's comments that carry fairgate's marker.
comment_count() { jq '[.[] | select(.body | startswith("<!-- fairgate-report -->"))] | length' "$COMMENTS"; }
comment_body() { jq -r '.[] | select(.body | startswith("<!-- fairgate-report -->")) | .body' "$COMMENTS"; }
kept_report() { cat "$STATE/artifacts/fairgate-audit/report.md"; }

pipeline github "$GH" "$REPO_FAIL" push v1.0.0 "$KEY"
expect_pipeline_rc "github, failing gate: the workflow fails" 1
expect_log "github, failing gate: the action's gate step runs" '^  step gate/Fairness gate/Fairness gate: success$'
expect_log "github, failing gate: the action exits 1" \
    "^  step gate/Fairness gate/Exit with the gate's status: failure \\(exit 1\\)$"
expect_log "github, failing gate: the gate step fails" '^step gate/Fairness gate: failure \(exit 1\)$'
expect_log "github, failing gate: the upload step still runs" '^step gate/Upload the audit and reports: success$'
expect_log "github, failing gate: the release job is skipped" '^job release: skipped$'
expect_no_grep "github, failing gate: gh is never called" "$CALLS" '^gh '
kept "github, failing gate" "$STATE/artifacts/fairgate-audit" fail
expect_eq "github, failing gate: output verdict" "$(step_output verdict)" fail
expect_eq "github, failing gate: output exit-code" "$(step_output exit-code)" 1
expect_eq "github, failing gate: output paths" \
    "$(for o in audit attestation markdown html junit; do step_output $o; echo; done | tr '\n' ' ')" \
    "fairgate-out/audit.json fairgate-out/audit.intoto.jsonl fairgate-out/report.md fairgate-out/report.html fairgate-out/junit.xml "
expect_grep "github, failing gate: a later step reads the outputs" "$STATE/output" \
    '^fairness gate: fail \(exit 1\), audit fairgate-out/audit\.json$'
expect_grep "github, failing gate: ::error annotations" "$STATE/output" '^::error'
expect_eq "github, failing gate: the job summary is the Markdown report" \
    "$(cat "$STATE/jobs/gate/summary")" "$(kept_report)"
expect_grep "github: the action installs the build dependencies" "$CALLS" \
    '^sudo apt-get install -y -qq --no-install-recommends gcc make pkg-config libyaml-dev libcsv-dev libcjson-dev libssl-dev zlib1g-dev$'
expect_grep "github: the action builds fairgate from its own checkout" "$CALLS" \
    "^make -C $STATE/actions/fairgate -j[0-9]+ WERROR= build/fairgate\$"
expect_log "github: the first run misses the cache and saves the binary" '^  cache fairgate-Linux-X64-[a-z]+-[0-9a-f]{32}: saved$'
if ls "$STATE/jobs/gate/tmp/" | grep -q signing-key; then
    not_ok "github: the signing key file is removed after the gate" "$(ls "$STATE/jobs/gate/tmp/")"
else ok "github: the signing key file is removed after the gate"; fi

pipeline github "$GH" "$REPO_PASS" push v1.0.0 "$KEY"
expect_pipeline_rc "github, passing gate on a tag: the workflow succeeds" 0
expect_log "github, passing gate on a tag: the release job runs" '^job release: success$'
released_by_gh "github, passing gate on a tag" pass \
    '^gh release upload v1\.0\.0 fairgate-out/audit\.json fairgate-out/audit\.intoto\.jsonl fairgate-out/report\.html --clobber$'
expect_grep "github, passing gate on a tag: a missing release is created" "$CALLS" '^gh release create v1\.0\.0 --verify-tag '
expect_eq "github, passing gate: output verdict" "$(step_output verdict)" pass
expect_eq "github, passing gate: output exit-code" "$(step_output exit-code)" 0
expect_log "github, second run: the binary comes from the cache" '^  cache fairgate-Linux-X64-[a-z]+-[0-9a-f]{32}: hit$'
expect_log "github, second run: no build" '^  step gate/Fairness gate/Build fairgate: skipped$'
expect_no_grep "github, second run: make is not called" "$CALLS" '^make '

pipeline github "$GH" "$REPO_OVR" push v1.0.0 "$KEY"
expect_pipeline_rc "github, overridden gate on a tag: the workflow succeeds" 0
released_by_gh "github, overridden gate on a tag" pass_with_override \
    '^gh release upload v1\.0\.0 fairgate-out/audit\.json fairgate-out/audit\.intoto\.jsonl fairgate-out/report\.html --clobber$'
expect_eq "github, overridden gate: the three committed overrides applied" \
    "$(jq -r '[.overrides[].status] | join(",")' "$RELEASED/audit.json")" "applied,applied,applied"
expect_eq "github, overridden gate: output verdict" "$(step_output verdict)" pass_with_override
expect_eq "github, overridden gate: output exit-code" "$(step_output exit-code)" 0

# Pull requests: one sticky comment, created by the first run and edited by the next.
rm -f "$COMMENTS"
echo '[{"id": 7, "body": "LGTM"}]' >"$COMMENTS"
pipeline github "$GH" "$REPO_PASS" pull_request "" ""
expect_pipeline_rc "github, pull request from a fork (no secret): the gate passes unsigned" 0
expect_log "github, pull request: no release job" '^job release: skipped$'
expect_no_grep "github, pull request: no release call" "$CALLS" '^gh release'
expect_grep "github, pull request without the key: a warning" "$STATE/output" '^::warning::no signing key'
expect_absent "github, pull request without the key: no attestation" \
    "$STATE/artifacts/fairgate-audit/audit.intoto.jsonl"
expect_eq "github, pull request: output attestation is empty" "$(step_output attestation)" ""
expect_grep "github, pull request: the comment is posted" "$CALLS" \
    '^gh api --method POST repos/example/model/issues/1/comments -F body=@'
expect_eq "github, pull request: one fairgate comment" "$(comment_count)" 1
expect_eq "github, pull request: the comment has the report" \
    "$(comment_body | sed -n 2p)" "$(kept_report | head -n 1)"
expect_eq "github, pull request: other comments are left alone" \
    "$(jq -c '.[] | select(.id == 7)' "$COMMENTS")" '{"id":7,"body":"LGTM"}'
first_body=$(comment_body)

pipeline github "$GH" "$REPO_FAIL" pull_request "" ""
expect_pipeline_rc "github, pull request, failing gate: the workflow fails" 1
expect_eq "github, pull request, failing gate: output verdict" "$(step_output verdict)" fail
expect_grep "github, second pull-request run: the comment is edited" "$CALLS" \
    '^gh api --method PATCH repos/example/model/issues/comments/101 -F body=@'
expect_no_grep "github, second pull-request run: no new comment" "$CALLS" '--method POST'
expect_eq "github, second pull-request run: still one fairgate comment" "$(comment_count)" 1
expect_eq "github, second pull-request run: the comment has the new report" \
    "$(comment_body | sed -n 2p)" "$(kept_report | head -n 1)"
if [ "$(comment_body)" != "$first_body" ]; then ok "github, second pull-request run: the body changed"; else
    not_ok "github, second pull-request run: the body changed"; fi

# Without a token there is no comment.
grep -v 'github-token:' "$GH" >"$WORK/no-token.yml"
pipeline github "$WORK/no-token.yml" "$REPO_PASS" pull_request "" ""
expect_pipeline_rc "github, pull request without a token: the gate passes" 0
expect_log "github, pull request without a token: no comment step" \
    '^  step gate/Fairness gate/Pull-request comment: skipped$'
expect_no_grep "github, pull request without a token: gh is never called" "$CALLS" '^gh '

pipeline github "$GH" "$REPO_PASS" push v1.0.0 ""
expect_pipeline_rc "github, tag without the signing key: the workflow fails" 1
expect_no_grep "github, tag without the signing key: no release" "$CALLS" '^gh '
expect_eq "github, tag without the signing key: output verdict" "$(step_output verdict)" error
expect_eq "github, tag without the signing key: output exit-code" "$(step_output exit-code)" 2
expect_grep "github, tag without the signing key: an error annotation" "$STATE/output" '^::error::the signing-key input is empty'

# Inputs reach the scripts as data: a candidate path with shell in it is a file name.
sed -e 's|candidate: predictions/candidate.csv.*|candidate: "$(touch pwned).csv"|' "$GH" >"$WORK/inject.yml"
pipeline github "$WORK/inject.yml" "$REPO_PASS" pull_request "" ""
expect_pipeline_rc "github, an input with shell syntax: an error, not code" 1
expect_eq "github, an input with shell syntax: exit-code 2" "$(step_output exit-code)" 2
expect_grep "github, an input with shell syntax: fairgate names the file" "$STATE/output" \
    'fairgate: error: \$\(touch pwned\)\.csv'
if find "$STATE" -name pwned | grep -q .; then not_ok "github, an input with shell syntax: not run"; else
    ok "github, an input with shell syntax: not run"; fi

# ================= GitLab CI =================
GL=$EX/gitlab-ci.yml
# gitlab_released NAME VERDICT: release-cli linked the three files of the gate job's
# artifacts, and those artifacts exist and hold that verdict.
gitlab_released() {
    gate_id=$(sed -n 's/^job gate: .*(CI_JOB_ID \([0-9]*\))$/\1/p' "$STATE/log")
    url="https://gitlab.example.com/example/model/-/jobs/$gate_id/artifacts/raw/fairgate-out"
    expect_grep "$1: release-cli create for the tag" "$CALLS" '^release-cli create --name v1\.0\.0 --tag-name v1\.0\.0 '
    for f in audit.json audit.intoto.jsonl report.html; do
        expect_grep "$1: release-cli links $f of the gate job" "$CALLS" \
            "--assets-link \\{\"name\":\"$f\",\"url\":\"$url/$f\",\"link_type\":\"other\"\\}"
    done
    kept "$1" "$STATE/artifacts/gate/fairgate-out" "$2"
    run "$FAIRGATE" verify --attestation "$STATE/artifacts/gate/fairgate-out/audit.intoto.jsonl" \
        --pubkey "$WORK/ci.pub.pem"
    expect_rc "$1: the linked attestation verifies with the CI key" 0
}
pipeline gitlab "$GL" "$REPO_FAIL" push v1.0.0 "$KEY"
expect_pipeline_rc "gitlab, failing gate: the pipeline fails" 1
expect_log "gitlab, failing gate: the gate job fails" '^job gate: failure \(exit 1\)'
expect_log "gitlab, failing gate: the release job is skipped" '^job release: skipped$'
expect_no_grep "gitlab, failing gate: release-cli is never called" "$CALLS" '^release-cli'
kept "gitlab, failing gate (artifacts when: always)" "$STATE/artifacts/gate/fairgate-out" fail
expect_log "gitlab, failing gate: the junit report is there" '^  junit report: fairgate-out/junit\.xml$'
expect_grep "gitlab: the build dependencies are installed" "$CALLS" \
    '^apt-get install -y -qq --no-install-recommends gcc make pkg-config libyaml-dev libcsv-dev libcjson-dev libssl-dev zlib1g-dev$'
expect_grep "gitlab: fairgate is built from the submodule" "$CALLS" '^make -C fairgate '

pipeline gitlab "$GL" "$REPO_PASS" push v1.0.0 "$KEY"
expect_pipeline_rc "gitlab, passing gate on a tag: the pipeline succeeds" 0
expect_log "gitlab, passing gate on a tag: the release job runs" '^job release: success'
gitlab_released "gitlab, passing gate on a tag" pass

pipeline gitlab "$GL" "$REPO_OVR" push v1.0.0 "$KEY"
expect_pipeline_rc "gitlab, overridden gate on a tag: the pipeline succeeds" 0
gitlab_released "gitlab, overridden gate on a tag" pass_with_override

pipeline gitlab "$GL" "$REPO_PASS" merge_request_event "" ""
expect_pipeline_rc "gitlab, merge request (no protected key): the gate passes unsigned" 0
expect_log "gitlab, merge request: no release job" '^job release: not in the pipeline$'
expect_no_grep "gitlab, merge request: release-cli is never called" "$CALLS" '^release-cli'
expect_absent "gitlab, merge request without the key: no attestation" \
    "$STATE/artifacts/gate/fairgate-out/audit.intoto.jsonl"

pipeline gitlab "$GL" "$REPO_PASS" push v1.0.0 ""
expect_pipeline_rc "gitlab, tag without the signing key: the pipeline fails" 1
expect_no_grep "gitlab, tag without the signing key: no release" "$CALLS" '^release-cli'

# The alternative to building: the .deb a fairgate release publishes.
DEB_URL=https://github.com/OWNER/fairgate/releases/download/v0.1.0/fairgate_0.1.0_amd64.deb
sed -e "s|^  FAIRGATE_DEB_URL: \"\"|  FAIRGATE_DEB_URL: $DEB_URL|" \
    -e "s|^  FAIRGATE_DEB_SHA256: \"\"|  FAIRGATE_DEB_SHA256: $DEB_SHA|" "$GL" >"$WORK/gitlab-deb.yml"
expect_grep "gitlab, .deb: the variables are set" "$WORK/gitlab-deb.yml" "^  FAIRGATE_DEB_SHA256: $DEB_SHA"
pipeline gitlab "$WORK/gitlab-deb.yml" "$REPO_PASS" push v1.0.0 "$KEY"
expect_pipeline_rc "gitlab, .deb of a release: the pipeline succeeds" 0
expect_grep "gitlab, .deb: it is downloaded" "$CALLS" "^curl -fsSL -o bin/fairgate\\.deb $DEB_URL\$"
expect_grep "gitlab, .deb: the gate job installs it" "$CALLS" \
    '^apt-get install -y -qq --no-install-recommends \./bin/fairgate\.deb$'
expect_no_grep "gitlab, .deb: nothing is built" "$CALLS" '^make|gcc'
gitlab_released "gitlab, .deb of a release, passing gate on a tag" pass
rm -rf "$SYSBIN"
sed "s|^  FAIRGATE_DEB_SHA256: .*|  FAIRGATE_DEB_SHA256: $(echo "$DEB_SHA" | tr 0-9a-f a-f0-9)|" \
    "$WORK/gitlab-deb.yml" >"$WORK/gitlab-deb-bad.yml"
pipeline gitlab "$WORK/gitlab-deb-bad.yml" "$REPO_PASS" push v1.0.0 "$KEY"
expect_pipeline_rc "gitlab, a .deb with another SHA-256: the pipeline fails" 1
expect_log "gitlab, a .deb with another SHA-256: the build job fails" '^job build: failure'
expect_no_grep "gitlab, a .deb with another SHA-256: it is not installed" "$CALLS" '^apt-get install .*\.deb$'
expect_no_grep "gitlab, a .deb with another SHA-256: no release" "$CALLS" '^release-cli'
rm -rf "$SYSBIN"

# ================= Jenkins =================
JF=$EX/Jenkinsfile
pipeline jenkins "$JF" "$REPO_FAIL" push v1.0.0 "$KEY"
expect_pipeline_rc "jenkins, failing gate: the build fails" 1
expect_log "jenkins, failing gate: the gate stage fails" '^sh in stage Fairness gate: exit 1$'
expect_log "jenkins, failing gate: the release stage is skipped" '^stage Release: skipped \(an earlier stage failed\)$'
expect_no_grep "jenkins, failing gate: gh is never called" "$CALLS" '^gh '
expect_log "jenkins, failing gate: post always publishes junit" '^junit: fairgate-out/junit\.xml$'
kept "jenkins, failing gate (archived)" "$STATE/archive/fairgate-out" fail
expect_grep "jenkins: fairgate is built from the submodule" "$CALLS" '^make -C fairgate '

pipeline jenkins "$JF" "$REPO_PASS" push v1.0.0 "$KEY"
expect_pipeline_rc "jenkins, passing gate on a tag: the build succeeds" 0
expect_log "jenkins, passing gate on a tag: the release stage runs" '^stage Release: success$'
released_by_gh "jenkins, passing gate on a tag" pass \
    '^gh release upload v1\.0\.0 fairgate-out/audit\.json fairgate-out/audit\.intoto\.jsonl fairgate-out/report\.html --clobber$'

pipeline jenkins "$JF" "$REPO_OVR" push v1.0.0 "$KEY"
expect_pipeline_rc "jenkins, overridden gate on a tag: the build succeeds" 0
released_by_gh "jenkins, overridden gate on a tag" pass_with_override \
    '^gh release upload v1\.0\.0 fairgate-out/audit\.json fairgate-out/audit\.intoto\.jsonl fairgate-out/report\.html --clobber$'

pipeline jenkins "$JF" "$REPO_PASS" push "" "$KEY"
expect_pipeline_rc "jenkins, pull request: the build succeeds" 0
expect_log "jenkins, pull request: the release stage is skipped" '^stage Release: skipped \(when: not building a tag\)$'
expect_no_grep "jenkins, pull request: gh is never called" "$CALLS" '^gh '

sed -e "s|FAIRGATE_DEB_URL = ''|FAIRGATE_DEB_URL = '$DEB_URL'|" \
    -e "s|FAIRGATE_DEB_SHA256 = ''|FAIRGATE_DEB_SHA256 = '$DEB_SHA'|" "$JF" >"$WORK/Jenkinsfile.deb"
expect_grep "jenkins, .deb: the variables are set" "$WORK/Jenkinsfile.deb" "FAIRGATE_DEB_SHA256 = '$DEB_SHA'"
pipeline jenkins "$WORK/Jenkinsfile.deb" "$REPO_PASS" push v1.0.0 "$KEY"
expect_pipeline_rc "jenkins, .deb of a release: the build succeeds" 0
expect_grep "jenkins, .deb: it is downloaded" "$CALLS" "^curl -fsSL -o fairgate\\.deb $DEB_URL\$"
expect_grep "jenkins, .deb: it is installed" "$CALLS" '^sudo apt-get install -y --no-install-recommends \./fairgate\.deb$'
expect_no_grep "jenkins, .deb: nothing is built" "$CALLS" '^make'
released_by_gh "jenkins, .deb of a release, passing gate on a tag" pass \
    '^gh release upload v1\.0\.0 fairgate-out/audit\.json fairgate-out/audit\.intoto\.jsonl fairgate-out/report\.html --clobber$'
rm -rf "$SYSBIN"

# ---- the emulator refuses what it does not emulate, rather than passing it ----
sed 's/uses: actions\/upload-artifact@v4/uses: actions\/cache@v4/' "$GH" >"$WORK/bad.yml"
pipeline github "$WORK/bad.yml" "$REPO_PASS" push v1.0.0 "$KEY"
expect_pipeline_rc "emulator: an unknown action is an error" 2
sed 's/^          policy: /          polcy: /' "$GH" >"$WORK/bad-input.yml"
pipeline github "$WORK/bad-input.yml" "$REPO_PASS" push v1.0.0 "$KEY"
expect_pipeline_rc "emulator: an input the action does not declare is an error" 2
expect_log "emulator: it names the input" 'emulator error: .*the action has no input polcy'
sed 's/if: always()/if: always() || (github.ref == x)/' "$GH" >"$WORK/bad-if.yml"
pipeline github "$WORK/bad-if.yml" "$REPO_PASS" push v1.0.0 "$KEY"
expect_pipeline_rc "emulator: a condition it cannot evaluate is an error" 2
printf 'a:\n  b: 1\n   c: 2\n' >"$WORK/bad-indent.yml"
run awk -f "$TESTS_DIR/tools/ci_yaml.awk" "$WORK/bad-indent.yml"
expect_rc "ci_yaml.awk: bad indentation is an error" 2
# Where a YAML library is at hand, it reads the examples as ci_yaml.awk does.
if python3 -c 'import yaml' >/dev/null 2>&1; then
    for f in "$GH" "$GL" "$EX/github-action/action.yml"; do
        python3 - "$f" >"$WORK/py.tsv" <<'PY'
import sys, yaml
def flat(n, p):
    if isinstance(n, dict):
        if not n: print(p + "\t")
        for k, v in n.items():
            flat(v, (p + "." if p else "") + ("on" if k is True else str(k)))
    elif isinstance(n, list):
        for i, v in enumerate(n): flat(v, p + "." + str(i))
    else:
        s = "" if n is None else ("true" if n is True else "false" if n is False else str(n))
        print(p + "\t" + s.rstrip("\n").replace("\\", "\\\\").replace("\n", "\\n"))
flat(yaml.safe_load(open(sys.argv[1])), "")
PY
        awk -f "$TESTS_DIR/tools/ci_yaml.awk" "$f" >"$WORK/awk.tsv"
        if cmp -s "$WORK/py.tsv" "$WORK/awk.tsv"; then ok "$(basename "$f"): PyYAML reads it as ci_yaml.awk does"; else
            not_ok "$(basename "$f"): PyYAML reads it as ci_yaml.awk does" "$(diff "$WORK/py.tsv" "$WORK/awk.tsv" | head -5)"
        fi
    done
else
    ok "ci_yaml.awk cross-check # SKIP no python3 yaml module"
fi
finish
