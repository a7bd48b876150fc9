#!/bin/sh
# ci_emulate.sh - runs a CI pipeline of ci-examples/ on this machine, the way its CI system
# would, as far as the examples need: the shell steps in order, in a fresh workspace per
# job, with the CI system's variables, secrets and artifacts; a failing step stops its job;
# a failing job stops what depends on it; what runs "always" still runs.
#
#   sh ci_emulate.sh github|gitlab|jenkins PIPELINE_FILE REPO STATE
#
# REPO is the repository as checked out (copied, never changed). STATE is a new directory
# for the workspaces, artifacts, log and output. The pipeline sees a clean environment:
#   CI_PATH                the PATH its steps start with (put the stubs first)
#   CI_EVENT               github: pull_request | push; gitlab: merge_request_event | push
#   CI_TAG                 the tag being built (empty: a pull / merge request)
#   CI_SECRET_<NAME>       a secret: GitHub secrets.NAME, GitLab file variable NAME, Jenkins
#                          credential NAME (an id with every character outside [A-Za-z0-9]
#                          written _, e.g. CI_SECRET_github_token)
# Writes STATE/log (one line per job and step: success, failure or skipped, and why) and
# STATE/output (everything the steps printed), keeps artifacts in STATE/artifacts/ and
# Jenkins' archived files in STATE/archive/. Exit 0: the pipeline succeeded; 1: it failed;
# 2: the emulator cannot run this pipeline (unsupported construct, bad arguments).
#
# The parsers are ci_yaml.awk and ci_jenkins.awk beside this script.
# shellcheck disable=SC2016 # ${{ }} and "$1" are meant literally
set -u
here=$(cd "$(dirname "$0")" && pwd)
kind=${1:?usage: ci_emulate.sh github|gitlab|jenkins FILE REPO STATE}
file=${2:?}
repo=${3:?}
state=${4:?}
: "${CI_PATH:?CI_PATH must be set}"
CI_EVENT=${CI_EVENT:-push}
CI_TAG=${CI_TAG:-}
mkdir -p "$state/home" "$state/artifacts" "$state/tmp" || exit 2
state=$(cd "$state" && pwd)
log=$state/log
out=$state/output
: >"$log"
: >"$out"

# die MESSAGE: this pipeline uses what the emulator does not do. Also works from a $(...):
# the flag file stops the run before the next step.
die() { echo "ci_emulate: $*" >&2; echo "emulator error: $*" >>"$log"; : >"$state/error"; exit 2; }
say() { echo "$*" >>"$log"; }

# envset FILE NAME VALUE: the env file FILE exports NAME=VALUE.
envset() {
    case $3 in
    *"'"*) _q=$(printf '%s' "$3" | sed "s/'/'\\\\''/g") ;;
    *) _q=$3 ;;
    esac
    printf "export %s='%s'\n" "$2" "$_q" >>"$1"
}
# secret NAME: the secret's value, empty if the test gave none.
secret() {
    _n=CI_SECRET_$(printf '%s' "$1" | tr -c 'A-Za-z0-9\n' '_')
    eval "printf '%s' \"\${$_n:-}\""
}
# run_in DIR ENVFILE COMMAND...: runs COMMAND in DIR with only the variables of ENVFILE
# (and HOME); its output goes to $out. Returns its exit status.
run_in() {
    [ -e "$state/error" ] && exit 2
    _d=$1 _e=$2
    shift 2
    (cd "$_d" && env -i HOME="$state/home" PATH="$CI_PATH" sh -c '. "$1" && shift && exec "$@"' sh "$_e" "$@") \
        <>/dev/null >>"$out" 2>&1
}

# ---- YAML pipelines: the flattened file, queried by path ----
# ci_yaml.awk flattens the file to PATH<TAB>VALUE lines; they are loaded once as shell
# variables (forks are slow): Y_<path> holds a scalar, K_<path> the keys under a path, in
# file order, where a path's "." is written "__" and its "-" "_h_".
load_yaml() {
    awk -f "$here/ci_yaml.awk" "$file" >"$state/flat.tsv" || die "cannot parse $file"
    awk -F'\t' '
        function enc(p) { gsub(/\./, "__", p); gsub(/-/, "_h_", p); return p }
        function q(s,    o, i, c) {
            o = ""
            for (i = 1; i <= length(s); i++) { c = substr(s, i, 1); o = o (c == "\047" ? "\047\134\047\047" : c) }
            return "\047" o "\047"
        }
        {
            v = substr($0, length($1) + 2); o = ""
            for (i = 1; i <= length(v); i++) {
                c = substr(v, i, 1)
                if (c == "\\") { c = substr(v, ++i, 1); if (c == "n") c = "\n" }
                o = o c
            }
            print "Y_" enc($1) "=" q(o)
            n = split($1, part, ".")
            parent = ""
            for (j = 1; j <= n; j++) {
                if (!((parent, part[j]) in seen)) {
                    seen[parent, part[j]] = 1
                    kids[parent] = kids[parent] " " part[j]
                    if (!(parent in order)) { order[parent] = ++np; name[np] = parent }
                }
                parent = parent == "" ? part[j] : parent "." part[j]
            }
        }
        END { for (k = 1; k <= np; k++) print "K_" enc(name[k]) "=" q(substr(kids[name[k]], 2)) }
    ' "$state/flat.tsv" >"$state/flat.sh" || die "cannot load $file"
    # shellcheck disable=SC1091
    . "$state/flat.sh"
}
# yvar PATH: sets _y to the name of PATH's variable, without a fork.
yvar() {
    _s=$1 _y=
    while :; do
        case $_s in
        *[.-]*)
            _pre=${_s%%[.-]*}
            _s=${_s#"$_pre"}
            case $_s in .*) _y=${_y}${_pre}__ ;; *) _y=${_y}${_pre}_h_ ;; esac
            _s=${_s#?}
            ;;
        *) _y=$_y$_s; break ;;
        esac
    done
}
# get PATH: the scalar at PATH (status 1 if there is none).
get() {
    yvar "$1"
    eval "[ -n \"\${Y_$_y+set}\" ] && printf '%s' \"\$Y_$_y\""
}
# has PATH: PATH holds a scalar or has keys under it.
has() {
    yvar "$1"
    eval "[ -n \"\${Y_$_y+set}\" ] || [ -n \"\${K_$_y+set}\" ]"
}
# keys PATH: the keys (or sequence indexes) under PATH, in file order, one a line.
keys() {
    yvar "$1"
    eval "_k=\${K_$_y:-}"
    # shellcheck disable=SC2086 # keys are words: [A-Za-z0-9_-]
    [ -z "$_k" ] || printf '%s\n' $_k
}
# list PATH: a scalar, or each item of a sequence of scalars, one a line.
list() {
    if get "$1" >/dev/null; then get "$1"; echo; return; fi
    for _i in $(keys "$1"); do get "$1.$_i"; echo; done
}
# only PATH ALLOWED...: every key under PATH is one of ALLOWED (else this pipeline uses
# something the emulator does not do, and it says so rather than ignoring it).
only() {
    _p=$1
    shift
    for _k in $(keys "$_p"); do
        case " $* " in *" $_k "*) ;; *) die "unsupported key $_p.$_k" ;; esac
    done
}
# copy_paths FROM TO PATH...: copies each PATH (relative to FROM) to the same place under TO.
copy_paths() {
    _f=$1 _t=$2
    shift 2
    for _p in "$@"; do
        _p=${_p%/}
        if [ -e "$_f/$_p" ] || [ -L "$_f/$_p" ]; then
            mkdir -p "$_t/$(dirname "$_p")" && cp -RP "$_f/$_p" "$_t/$(dirname "$_p")/" || return 1
        else
            say "  (no file matches $_p)"
        fi
    done
}

# ---- GitHub Actions ----
# gh_expr VALUE: VALUE with the ${{ }} expressions the examples use replaced.
gh_expr() {
    _v=$1 _r=""
    while :; do
        case $_v in *'${{'*) ;; *) break ;; esac
        _r=$_r${_v%%'${{'*}
        _v=${_v#*'${{'}
        _x=${_v%%'}}'*}
        _v=${_v#*'}}'}
        _x=$(printf '%s' "$_x" | sed 's/^ *//; s/ *$//')
        case $_x in
        secrets.*) _r=$_r$(secret "${_x#secrets.}") ;;
        github.token) _r=${_r}ghs_emulated_token ;;
        github.repository) _r=${_r}example/model ;;
        github.ref) _r=$_r$GITHUB_REF ;;
        github.ref_name) _r=$_r$GITHUB_REF_NAME ;;
        *) die "unsupported expression \${{ $_x }}" ;;
        esac
    done
    printf '%s' "$_r$_v"
}
# gh_if CONDITION OK: whether a job or step with if: CONDITION runs, OK being whether all
# before it succeeded. Without a status function, success() && CONDITION, as in Actions.
gh_if() {
    _c=$1 _ok=$2
    _c=$(printf '%s' "$_c" | sed 's/^\${{ *//; s/ *}}$//')
    case $_c in
    "" | "success()") [ "$_ok" = 1 ] ;;
    "always()") true ;;
    "failure()") [ "$_ok" = 0 ] ;;
    "startsWith(github.ref, '"*"')")
        _pre=${_c#"startsWith(github.ref, '"}
        _pre=${_pre%"')"}
        [ "$_ok" = 1 ] && case $GITHUB_REF in "$_pre"*) true ;; *) false ;; esac
        ;;
    *) die "unsupported if: $_c" ;;
    esac
}
github() {
    load_yaml
    only "" name on permissions env defaults jobs concurrency
    shell=$(get defaults.run.shell || echo bash)
    [ "$shell" = bash ] || die "unsupported shell $shell"
    if [ -n "$CI_TAG" ]; then
        GITHUB_REF=refs/tags/$CI_TAG GITHUB_REF_NAME=$CI_TAG GITHUB_REF_TYPE=tag
    else
        GITHUB_REF=refs/pull/1/merge GITHUB_REF_NAME=1/merge GITHUB_REF_TYPE=branch
    fi
    failed=0
    for job in $(keys jobs); do
        only "jobs.$job" name runs-on needs if permissions env steps timeout-minutes
        jd=$state/jobs/$job
        ws=$jd/workspace
        mkdir -p "$ws" "$jd/tmp"
        : >"$jd/path"
        : >"$jd/summary"
        ok=1
        for n in $(list "jobs.$job.needs"); do
            [ -f "$state/jobs/$n/result" ] || die "job $job needs $n, which does not run before it"
            [ "$(cat "$state/jobs/$n/result")" = success ] || ok=0
        done
        if ! gh_if "$(get "jobs.$job.if")" "$ok"; then
            say "job $job: skipped"
            echo skipped >"$jd/result"
            continue
        fi
        ok=1
        for i in $(keys "jobs.$job.steps"); do
            s=jobs.$job.steps.$i
            only "$s" name id if uses with env run shell
            name=$(get "$s.name" || echo "step $i")
            if ! gh_if "$(get "$s.if")" "$ok"; then
                say "step $job/$name: skipped"
                continue
            fi
            e=$jd/env.$i
            : >"$e"
            for k in $(keys env); do envset "$e" "$k" "$(gh_expr "$(get "env.$k")")"; done
            for k in $(keys "jobs.$job.env"); do envset "$e" "$k" "$(gh_expr "$(get "jobs.$job.env.$k")")"; done
            for k in $(keys "$s.env"); do envset "$e" "$k" "$(gh_expr "$(get "$s.env.$k")")"; done
            for kv in CI=true GITHUB_ACTIONS=true GITHUB_WORKSPACE="$ws" GITHUB_EVENT_NAME="$CI_EVENT" \
                GITHUB_REF="$GITHUB_REF" GITHUB_REF_NAME="$GITHUB_REF_NAME" GITHUB_REF_TYPE="$GITHUB_REF_TYPE" \
                GITHUB_REPOSITORY=example/model GITHUB_JOB="$job" GITHUB_PATH="$jd/path" \
                GITHUB_STEP_SUMMARY="$jd/summary" RUNNER_TEMP="$jd/tmp" RUNNER_OS=Linux; do
                envset "$e" "${kv%%=*}" "${kv#*=}"
            done
            p=$CI_PATH
            while IFS= read -r d; do p=$d:$p; done <"$jd/path"
            envset "$e" PATH "$p"
            rc=0
            if get "$s.run" >"$jd/step$i.sh"; then
                if get "$s.run" | grep -q '\${{'; then die "$job/$name: \${{ }} inside run: is not emulated"; fi
                run_in "$ws" "$e" bash --noprofile --norc -eo pipefail "$jd/step$i.sh" || rc=$?
            else
                uses=$(get "$s.uses") || die "$job/$name: neither run nor uses"
                aname=$(get "$s.with.name" || echo artifact)
                case $uses in
                actions/checkout@*) cp -R "$repo/." "$ws/" || rc=1 ;;
                actions/upload-artifact@*)
                    only "$s.with" name path if-no-files-found retention-days
                    apath=$(get "$s.with.path") || die "$job/$name: upload-artifact without path"
                    mkdir -p "$state/artifacts/$aname"
                    if [ -d "$ws/$apath" ]; then
                        cp -R "$ws/$apath/." "$state/artifacts/$aname/" || rc=1
                    elif [ -e "$ws/$apath" ]; then
                        cp "$ws/$apath" "$state/artifacts/$aname/" || rc=1
                    elif [ "$(get "$s.with.if-no-files-found" || echo warn)" = error ]; then
                        echo "upload-artifact: no files at $apath" >>"$out"
                        rc=1
                    fi
                    ;;
                actions/download-artifact@*)
                    only "$s.with" name path
                    dest=$ws/$(get "$s.with.path" || echo .)
                    if [ -d "$state/artifacts/$aname" ]; then
                        mkdir -p "$dest" && cp -R "$state/artifacts/$aname/." "$dest/" || rc=1
                    else
                        echo "download-artifact: no artifact $aname" >>"$out"
                        rc=1
                    fi
                    ;;
                *) die "unsupported action $uses" ;;
                esac
            fi
            if [ "$rc" -eq 0 ]; then say "step $job/$name: success"; else
                say "step $job/$name: failure (exit $rc)"
                ok=0
            fi
        done
        if [ "$ok" = 1 ]; then echo success >"$jd/result"; else echo failure >"$jd/result"; failed=1; fi
        say "job $job: $(cat "$jd/result")"
    done
    return "$failed"
}

# ---- GitLab CI/CD ----
# gl_rule EXPR: whether a rules: if: expression holds ($VAR, $VAR == "x", $VAR != "x").
gl_rule() {
    x=$1
    case $x in
    '$'*' == "'*'"' | '$'*' != "'*'"')
        var=${x%% *}
        val=${x#*'"'}
        val=${val%'"'}
        cur=$(gl_var "${var#'$'}")
        case $x in *' == '*) [ "$cur" = "$val" ] ;; *) [ "$cur" != "$val" ] ;; esac
        ;;
    '$'*) [ -n "$(gl_var "${x#'$'}")" ] ;;
    *) die "unsupported rule: $x" ;;
    esac
}
# gl_var NAME: a predefined variable, as rules see it.
gl_var() {
    case $1 in
    CI_COMMIT_TAG) printf '%s' "$CI_TAG" ;;
    CI_PIPELINE_SOURCE) printf '%s' "$CI_EVENT" ;;
    CI_COMMIT_REF_NAME) printf '%s' "${CI_TAG:-feature}" ;;
    *) die "rules: variable $1 is not emulated" ;;
    esac
}
gitlab() {
    load_yaml
    jobs=""
    for k in $(keys ""); do
        case $k in
        stages | variables) ;;
        default | workflow | include | image | services | cache | before_script | after_script)
            die "unsupported top-level key $k" ;;
        *) jobs="$jobs $k" ;;
        esac
    done
    for k in $(keys variables); do get "variables.$k" >/dev/null || die "unsupported variables.$k"; done
    id=100
    failed=0
    for stage in $(list stages); do
        stagedone=""
        for job in $jobs; do
            [ "$(get "$job.stage" || echo test)" = "$stage" ] || continue
            only "$job" stage image needs rules variables before_script script after_script artifacts when
            jd=$state/jobs/$job
            mkdir -p "$jd"
            when=$(get "$job.when" || echo on_success)
            if has "$job.rules"; then
                when=never
                for r in $(keys "$job.rules"); do
                    only "$job.rules.$r" if when
                    if ! get "$job.rules.$r.if" >/dev/null || gl_rule "$(get "$job.rules.$r.if")"; then
                        when=$(get "$job.rules.$r.when" || get "$job.when" || echo on_success)
                        break
                    fi
                done
            fi
            if [ "$when" = never ]; then say "job $job: not in the pipeline"; continue; fi
            # What the job depends on: its needs, or every job of an earlier stage.
            if has "$job.needs"; then deps=$(list "$job.needs"); else deps=$(cat "$state/done" 2>/dev/null); fi
            ok=1
            for d in $deps; do
                [ -f "$state/jobs/$d/result" ] || die "job $job needs $d, which does not run before it"
                [ "$(cat "$state/jobs/$d/result")" = success ] || ok=0
            done
            case $when in
            on_success) run=$ok ;;
            always) run=1 ;;
            on_failure) run=$((1 - ok)) ;;
            *) die "unsupported when: $when" ;;
            esac
            if [ "$run" = 0 ]; then
                say "job $job: skipped"
                echo skipped >"$jd/result"
                stagedone="$stagedone $job"
                continue
            fi
            id=$((id + 1))
            ws=$jd/workspace
            mkdir -p "$ws"
            cp -R "$repo/." "$ws/"
            e=$jd/env
            : >"$e"
            for d in $deps; do
                [ -d "$state/artifacts/$d" ] && cp -R "$state/artifacts/$d/." "$ws/"
            done
            for k in $(keys variables); do envset "$e" "$k" "$(get "variables.$k")"; done
            for k in $(keys "$job.variables"); do envset "$e" "$k" "$(get "$job.variables.$k")"; done
            for d in $deps; do
                [ -f "$state/artifacts/$d.env" ] || continue
                while IFS= read -r kv; do envset "$e" "${kv%%=*}" "${kv#*=}"; done <"$state/artifacts/$d.env"
            done
            for kv in CI=true GITLAB_CI=true CI_PROJECT_DIR="$ws" CI_BUILDS_DIR="$jd" CI_JOB_ID="$id" \
                CI_JOB_NAME="$job" CI_JOB_STAGE="$stage" CI_PIPELINE_SOURCE="$CI_EVENT" CI_COMMIT_TAG="$CI_TAG" \
                CI_COMMIT_REF_NAME="${CI_TAG:-feature}" CI_PROJECT_PATH=example/model \
                CI_PROJECT_URL=https://gitlab.example.com/example/model CI_SERVER_URL=https://gitlab.example.com \
                CI_JOB_TOKEN=emulated-job-token; do
                envset "$e" "${kv%%=*}" "${kv#*=}"
            done
            [ -n "$CI_TAG" ] || sed -i '/^export CI_COMMIT_TAG=/d' "$e"
            # Project variables of type File: the variable holds the path of a file with the value.
            # (A protected variable a pipeline may not see is simply not defined: no secret.)
            for v in $(env | sed -n 's/^CI_SECRET_\([A-Za-z0-9_]*\)=..*/\1/p'); do
                sf=$jd/secret.$v
                (umask 077 && secret "$v" >"$sf")
                envset "$e" "$v" "$sf"
            done
            { list "$job.before_script"; list "$job.script"; } >"$jd/script.sh"
            rc=0
            run_in "$ws" "$e" sh -e "$jd/script.sh" || rc=$?
            if has "$job.after_script"; then
                list "$job.after_script" >"$jd/after.sh"
                run_in "$ws" "$e" sh -e "$jd/after.sh" || echo "after_script failed" >>"$out"
            fi
            if [ "$rc" -eq 0 ]; then echo success >"$jd/result"; else echo failure >"$jd/result"; failed=1; fi
            say "job $job: $(cat "$jd/result")$([ "$rc" -eq 0 ] || echo " (exit $rc)") (CI_JOB_ID $id)"
            stagedone="$stagedone $job"
            # Artifacts, kept by artifacts:when.
            only "$job.artifacts" paths when reports expire_in name
            aw=$(get "$job.artifacts.when" || echo on_success)
            keep=0
            case $aw/$rc in always/*) keep=1 ;; on_success/0) keep=1 ;; on_failure/0) ;; on_failure/*) keep=1 ;; esac
            if [ "$keep" = 1 ] && has "$job.artifacts"; then
                only "$job.artifacts.reports" junit dotenv
                mkdir -p "$state/artifacts/$job"
                list "$job.artifacts.paths" >"$jd/paths"
                # shellcheck disable=SC2046
                (IFS='
'
                    set -f
                    copy_paths "$ws" "$state/artifacts/$job" $(cat "$jd/paths"))
                if j=$(get "$job.artifacts.reports.junit"); then
                    if [ -f "$ws/$j" ]; then say "  junit report: $j"; else say "  junit report: $j missing"; fi
                fi
                if d=$(get "$job.artifacts.reports.dotenv"); then
                    [ -f "$ws/$d" ] && grep -E '^[A-Za-z_][A-Za-z0-9_]*=' "$ws/$d" >"$state/artifacts/$job.env"
                fi
            fi
        done
        for j in $stagedone; do echo "$j" >>"$state/done"; done
    done
    return "$failed"
}

# ---- Jenkins (declarative) ----
jenkins() {
    jx=$state/jenkins
    mkdir -p "$jx"
    awk -v out="$jx" -f "$here/ci_jenkins.awk" "$file" >"$jx/records" || die "cannot parse $file"
    ws=$state/workspace
    mkdir -p "$ws" "$state/archive"
    cp -R "$repo/." "$ws/"
    genv=$jx/env.global
    : >"$genv"
    for kv in JENKINS_URL=https://jenkins.example.com/ JOB_NAME=model BUILD_NUMBER=1 \
        WORKSPACE="$ws" BRANCH_NAME="${CI_TAG:-PR-1}"; do
        envset "$genv" "${kv%%=*}" "${kv#*=}"
    done
    if [ -n "$CI_TAG" ]; then envset "$genv" TAG_NAME "$CI_TAG"; else envset "$genv" CHANGE_ID 1; fi
    result=SUCCESS  # the build's result
    instage=0       # inside a stage
    run=1           # the steps at this point run
    postrun=1       # post conditions are evaluated (the stage itself ran)
    stage=""
    senv=$jx/env.stage
    cenv=$jx/env.cred
    : >"$senv"
    : >"$cenv"
    n=0
    while IFS='	' read -r what a b c; do
        case $what in
        env)
            if [ "$instage" = 1 ]; then envset "$senv" "$a" "$b"; else envset "$genv" "$a" "$b"; fi ;;
        envcred)
            if [ "$instage" = 1 ]; then envset "$senv" "$a" "$(secret "$b")"; else envset "$genv" "$a" "$(secret "$b")"; fi ;;
        stage)
            stage=$a instage=1
            : >"$senv"
            if [ "$result" = FAILURE ]; then
                run=0 postrun=0
                say "stage $stage: skipped (an earlier stage failed)"
            else
                run=1 postrun=1
            fi
            ;;
        when)
            [ "$a" = buildingTag ] || die "unsupported when $a"
            if [ "$run" = 1 ] && [ -z "$CI_TAG" ]; then
                run=0 postrun=0
                say "stage $stage: skipped (when: not building a tag)"
            fi
            ;;
        endstage)
            if [ "$postrun" = 1 ]; then
                if [ "$run" = 1 ]; then say "stage $stage: success"; else say "stage $stage: failure"; fi
            fi
            instage=0 run=1 postrun=1
            [ "$result" = FAILURE ] && run=0
            ;;
        with)
            [ "$run" = 1 ] || continue
            if [ -z "$(secret "$b")" ]; then
                say "withCredentials: no credential $b"
                result=FAILURE run=0
            elif [ "$a" = file ]; then
                f=$jx/secret.$n
                n=$((n + 1))
                (umask 077 && secret "$b" >"$f")
                envset "$cenv" "$c" "$f"
            else
                envset "$cenv" "$c" "$(secret "$b")"
            fi
            ;;
        endwith) : >"$cenv" ;;
        sh)
            [ "$run" = 1 ] || continue
            e=$jx/env.run
            cat "$genv" "$senv" "$cenv" >"$e"
            rc=0
            run_in "$ws" "$e" sh -xe "$a" || rc=$?
            if [ "$rc" -ne 0 ]; then
                say "sh in stage ${stage:-post}: exit $rc"
                result=FAILURE run=0
            fi
            ;;
        post)
            saved=$run
            case $a in
            always) run=$postrun ;;
            success) run=$([ "$postrun" = 1 ] && [ "$result" = SUCCESS ] && echo 1 || echo 0) ;;
            failure) run=$([ "$postrun" = 1 ] && [ "$result" = FAILURE ] && echo 1 || echo 0) ;;
            *) die "unsupported post $a" ;;
            esac
            # A stage's post runs after its steps whatever they did.
            [ "$instage" = 1 ] && [ "$run" = 1 ] && [ "$saved" = 0 ] && say "post $a of stage $stage runs"
            ;;
        endpost) run=$saved ;;
        junit)
            [ "$run" = 1 ] || continue
            found=0
            for f in $(cd "$ws" && eval "ls -d $a 2>/dev/null"); do
                found=1
                say "junit: $f"
                grep -q '<failure' "$ws/$f" && [ "$result" = SUCCESS ] && result=UNSTABLE
            done
            if [ "$found" = 0 ] && [ "$b" != true ]; then say "junit: no file matches $a"; result=FAILURE; fi
            ;;
        archive)
            [ "$run" = 1 ] || continue
            found=0
            for f in $(cd "$ws" && eval "ls -d $a 2>/dev/null"); do
                found=1
                copy_paths "$ws" "$state/archive" "$f"
                say "archived: $f"
            done
            if [ "$found" = 0 ] && [ "$b" != true ]; then say "archive: no file matches $a"; result=FAILURE; fi
            ;;
        *) die "unknown record $what" ;;
        esac
    done <"$jx/records"
    say "build: $result"
    [ "$result" != FAILURE ]
}

case $kind in
github) github ;;
gitlab) gitlab ;;
jenkins) jenkins ;;
*) die "unknown CI kind $kind" ;;
esac
rc=$?
[ -e "$state/error" ] && exit 2
exit "$rc"
