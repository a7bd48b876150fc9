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
# load_yaml [FILE PREFIX]: loads FILE (the pipeline by default) under PREFIX (none by
# default: a composite action is loaded under a prefix of its own, beside the workflow).
load_yaml() {
    _lf=${1:-$file} _lp=${2:-}
    awk -f "$here/ci_yaml.awk" "$_lf" >"$state/flat.tsv" || die "cannot parse $_lf"
    awk -F'\t' -v pfx="$_lp" '
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
            path = pfx == "" ? $1 : pfx "." $1
            print "Y_" enc(path) "=" q(o)
            n = split(path, part, ".")
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
        END {
            for (k = 1; k <= np; k++)
                if (pfx == "" || name[k] != "") print "K_" enc(name[k]) "=" q(substr(kids[name[k]], 2))
        }
    ' "$state/flat.tsv" >"$state/flat.sh" || die "cannot load $_lf"
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
# Expressions are evaluated in a scope: a workflow's job, or a composite action that one of
# its steps uses. G_STEPS is the scope's folder of step outputs (G_STEPS/ID/NAME holds
# output NAME of step ID), G_INPUTS the action's inputs (G_INPUTS/NAME), G_ACTION the
# action's folder (github.action_path); the last two are empty in a workflow.
G_STEPS="" G_INPUTS="" G_ACTION=""
# gh_val OPERAND: the value of an operand: a 'string', a number, true, false, or a
# property of a context the examples use.
gh_val() {
    case $1 in
    "'"*"'")
        _t=${1#"'"}
        printf '%s' "${_t%"'"}" | sed "s/''/'/g"
        ;;
    true | false | [0-9]*) printf '%s' "$1" ;;
    secrets.*)
        [ -z "$G_ACTION" ] || die "an action cannot read secrets: $1"
        secret "${1#secrets.}"
        ;;
    inputs.*)
        [ -n "$G_ACTION" ] || die "inputs outside an action are not emulated: $1"
        [ -f "$G_INPUTS/${1#inputs.}" ] || die "the action has no input ${1#inputs.}"
        cat "$G_INPUTS/${1#inputs.}"
        ;;
    steps.*.outputs.*)
        _t=${1#steps.}
        _f=$G_STEPS/${_t%%.*}/${_t#*.outputs.}
        [ ! -f "$_f" ] || cat "$_f"
        ;;
    github.token) printf ghs_emulated_token ;;
    github.repository) printf example/model ;;
    github.ref) printf '%s' "$GITHUB_REF" ;;
    github.ref_name) printf '%s' "$GITHUB_REF_NAME" ;;
    github.ref_type) printf '%s' "$GITHUB_REF_TYPE" ;;
    github.event_name) printf '%s' "$CI_EVENT" ;;
    github.event.pull_request.number) [ "$CI_EVENT" != pull_request ] || printf 1 ;;
    github.workspace) printf '%s' "$ws" ;;
    github.action_path)
        [ -n "$G_ACTION" ] || die "github.action_path outside an action"
        printf '%s' "$G_ACTION"
        ;;
    runner.temp) printf '%s' "$jd/tmp" ;;
    runner.os) printf Linux ;;
    *) die "unsupported expression \${{ $1 }}" ;;
    esac
}
# gh_expr VALUE: VALUE with its ${{ }} expressions (each one operand) replaced.
gh_expr() {
    _v=$1 _r=""
    while :; do
        case $_v in *'${{'*) ;; *) break ;; esac
        _r=$_r${_v%%'${{'*}
        _v=${_v#*'${{'}
        _x=${_v%%'}}'*}
        _v=${_v#*'}}'}
        _x=$(printf '%s' "$_x" | sed 's/^ *//; s/ *$//')
        _r=$_r$(gh_val "$_x")
    done
    printf '%s' "$_r$_v"
}
# gh_if CONDITION OK: whether a job or step with if: CONDITION runs, OK being whether all
# before it succeeded. Without a status function, success() && CONDITION, as in Actions.
# CONDITION: terms joined by || and && (no parentheses), each a status function,
# startsWith(A, B), A == B, A != B or A alone (true unless '', false or 0).
gh_if() {
    _c=$(printf '%s' "$1" | sed 's/^\${{ *//; s/ *}}$//') _ok=$2
    case $_c in
    "") _c="success()" ;;
    *"always()"* | *"success()"* | *"failure()"* | *"cancelled()"*) ;;
    *) _c="success() && $_c" ;;
    esac
    # Refuse what the terms below do not read, even where || or && would not reach it.
    _chk=$(printf '%s' "$_c" | sed -e 's/\(always\|success\|failure\|cancelled\)()//g' \
        -e "s/startsWith([^(),]*, '[^']*')//g" -e 's/!=//g')
    case $_chk in *[\(\)!]*) die "unsupported condition: $_c" ;; esac
    _or=$_c
    while :; do
        _and=${_or%%" || "*}
        _all=1
        while :; do
            gh_term "${_and%%" && "*}" || { _all=0; break; }
            case $_and in *" && "*) _and=${_and#*" && "} ;; *) break ;; esac
        done
        [ "$_all" = 0 ] || return 0
        case $_or in *" || "*) _or=${_or#*" || "} ;; *) return 1 ;; esac
    done
}
gh_term() {
    _tm=$(printf '%s' "$1" | sed 's/^ *//; s/ *$//')
    case $_tm in
    "always()") true ;;
    "success()") [ "$_ok" = 1 ] ;;
    "failure()") [ "$_ok" = 0 ] ;;
    "cancelled()") false ;;
    "startsWith("*", "*")")
        _a=${_tm#startsWith(}
        _a=${_a%)}
        _b=$(gh_val "${_a#*, }" | tr '[:upper:]' '[:lower:]')
        case $(gh_val "${_a%%, *}" | tr '[:upper:]' '[:lower:]') in "$_b"*) true ;; *) false ;; esac
        ;;
    "("* | "!"* | *"("*) die "unsupported condition: $_tm" ;;
    *" == "* | *" != "*)
        case $_tm in *" == "*) _op="==" ;; *) _op="!=" ;; esac
        # Actions compares strings ignoring case.
        _a=$(gh_val "${_tm%%" $_op "*}" | tr '[:upper:]' '[:lower:]')
        _b=$(gh_val "${_tm#*" $_op "}" | tr '[:upper:]' '[:lower:]')
        if [ "$_op" = "==" ]; then [ "$_a" = "$_b" ]; else [ "$_a" != "$_b" ]; fi
        ;;
    *)
        _a=$(gh_val "$_tm")
        [ -n "$_a" ] && [ "$_a" != false ] && [ "$_a" != 0 ]
        ;;
    esac
}
# gh_with STEP KEY: the step's with: KEY, its expressions replaced (status 1 if not given).
gh_with() { get "$1.with.$2" >/dev/null && gh_expr "$(get "$1.with.$2")"; }
# gh_outputs FILE DIR: the outputs a step wrote to $GITHUB_OUTPUT (NAME=VALUE lines and
# NAME<<DELIMITER blocks) as DIR/NAME files.
gh_outputs() {
    [ -s "$1" ] || return 0
    mkdir -p "$2"
    awk -v dir="$2" '
        function fail(m) { print "ci_emulate: GITHUB_OUTPUT: " m > "/dev/stderr"; bad = 1; exit 1 }
        function put(n, v) { printf "%s", v > (dir "/" n); close(dir "/" n) }
        delim != "" {
            if ($0 == delim) { put(name, val); delim = ""; next }
            val = started ? val "\n" $0 : $0
            started = 1
            next
        }
        /^[A-Za-z0-9_-]+<</ {
            name = $0; sub(/<<.*/, "", name); delim = substr($0, length(name) + 3)
            val = ""; started = 0
            if (delim == "") fail("empty delimiter")
            next
        }
        /^[A-Za-z0-9_-]+=/ { name = $0; sub(/=.*/, "", name); put(name, substr($0, length(name) + 2)); next }
        /^$/ { next }
        { fail("bad line: " $0) }
        END { if (!bad && delim != "") fail("unterminated " delim) }' "$1" || die "a step wrote a bad \$GITHUB_OUTPUT"
}
# gh_env FILE: the variables the runner gives every step.
gh_env() {
    for _kv in CI=true GITHUB_ACTIONS=true GITHUB_WORKSPACE="$ws" GITHUB_EVENT_NAME="$CI_EVENT" \
        GITHUB_REF="$GITHUB_REF" GITHUB_REF_NAME="$GITHUB_REF_NAME" GITHUB_REF_TYPE="$GITHUB_REF_TYPE" \
        GITHUB_REPOSITORY=example/model GITHUB_JOB="$job" GITHUB_PATH="$jd/path" \
        GITHUB_SERVER_URL=https://github.com GITHUB_RUN_ID=1 \
        GITHUB_STEP_SUMMARY="$jd/summary" RUNNER_TEMP="$jd/tmp" RUNNER_OS=Linux RUNNER_ARCH=X64; do
        envset "$1" "${_kv%%=*}" "${_kv#*=}"
    done
}
# gh_run STEP ENVFILE PREFIX: runs the run: step at path STEP with the variables of
# ENVFILE, its script in PREFIX.sh and its $GITHUB_OUTPUT in PREFIX.out; keeps its outputs
# when it has an id. Returns its exit status.
gh_run() {
    _st=$1 _en=$2 _pf=$3
    if [ -n "$G_ACTION" ] && ! get "$_st.shell" >/dev/null; then die "$_st: a composite run step needs shell:"; fi
    _sh=$(get "$_st.shell" || get defaults.run.shell || echo bash)
    [ "$_sh" = bash ] || die "unsupported shell $_sh"
    get "$_st.run" >"$_pf.sh"
    if grep -q '\${{' "$_pf.sh"; then die "$_st: \${{ }} inside run: is not emulated"; fi
    : >"$_pf.out"
    envset "$_en" GITHUB_OUTPUT "$_pf.out"
    _p=$CI_PATH
    while IFS= read -r _d; do _p=$_d:$_p; done <"$jd/path"
    envset "$_en" PATH "$_p"
    _wd=$ws
    if _w=$(get "$_st.working-directory"); then
        _w=$(gh_expr "$_w")
        case $_w in /*) _wd=$_w ;; *) _wd=$ws/$_w ;; esac
    fi
    if [ ! -d "$_wd" ]; then
        echo "no working directory $_wd" >>"$out"
        return 1
    fi
    _rc=0
    run_in "$_wd" "$_en" bash --noprofile --norc -eo pipefail "$_pf.sh" || _rc=$?
    if _id=$(get "$_st.id"); then gh_outputs "$_pf.out" "$G_STEPS/$_id"; fi
    return "$_rc"
}
# gh_builtin STEP: runs the uses: step at path STEP whose action the emulator does itself.
# actions/cache/restore and actions/cache/save keep entries in $CI_CACHE/KEY (a folder the
# test keeps between runs: a miss, then a hit).
gh_builtin() {
    _st=$1
    _uses=$(get "$_st.uses")
    _an=$(gh_with "$_st" name || echo artifact)
    case $_uses in
    actions/checkout@*) cp -R "$repo/." "$ws/" ;;
    actions/upload-artifact@*)
        only "$_st.with" name path if-no-files-found retention-days
        _apath=$(gh_with "$_st" path) || die "$_st: upload-artifact without path"
        mkdir -p "$state/artifacts/$_an"
        if [ -d "$ws/$_apath" ]; then
            cp -R "$ws/$_apath/." "$state/artifacts/$_an/"
        elif [ -e "$ws/$_apath" ]; then
            cp "$ws/$_apath" "$state/artifacts/$_an/"
        elif [ "$(gh_with "$_st" if-no-files-found || echo warn)" = error ]; then
            echo "upload-artifact: no files at $_apath" >>"$out"
            return 1
        fi
        ;;
    actions/download-artifact@*)
        only "$_st.with" name path
        _dest=$ws/$(gh_with "$_st" path || echo .)
        if [ -d "$state/artifacts/$_an" ]; then
            mkdir -p "$_dest" && cp -R "$state/artifacts/$_an/." "$_dest/"
        else
            echo "download-artifact: no artifact $_an" >>"$out"
            return 1
        fi
        ;;
    actions/cache/restore@* | actions/cache/save@*)
        only "$_st.with" path key
        _cp=$(gh_with "$_st" path) || die "$_st: cache without path"
        _ck=$(gh_with "$_st" key) || die "$_st: cache without key"
        case $_cp in /*) ;; *) _cp=$ws/$_cp ;; esac
        _ce=$CI_CACHE/$(printf '%s' "$_ck" | tr -c 'A-Za-z0-9._-' '_')
        case $_uses in
        actions/cache/restore@*)
            _hit=false
            if [ -d "$_ce" ]; then
                mkdir -p "$_cp" && cp -R "$_ce/." "$_cp/" && _hit=true
            fi
            say "  cache $_ck: $([ "$_hit" = true ] && echo hit || echo miss)"
            if _id=$(get "$_st.id"); then
                mkdir -p "$G_STEPS/$_id"
                printf '%s' "$_hit" >"$G_STEPS/$_id/cache-hit"
                printf '%s' "$_ck" >"$G_STEPS/$_id/cache-primary-key"
            fi
            ;;
        *)
            [ -d "$_cp" ] || { echo "cache save: no folder $_cp" >>"$out"; return 1; }
            if [ -d "$_ce" ]; then
                echo "cache save: $_ck exists already" >>"$out"
            else
                mkdir -p "$_ce" && cp -R "$_cp/." "$_ce/" && say "  cache $_ck: saved"
            fi
            ;;
        esac
        ;;
    *) die "unsupported action $_uses" ;;
    esac
}
# gh_action_dir USES: the folder of a composite action the emulator runs, or status 1.
# fairgate's own action, OWNER/fairgate/ci-examples/github-action@REF, is this checkout
# copied (less builds and .git) as the runner would download it; ./PATH is the workspace's.
gh_action_dir() {
    case $1 in
    */fairgate/ci-examples/github-action@*)
        _src=$(cd "$here/../.." && pwd)
        _dst=$state/actions/fairgate
        if [ ! -d "$_dst" ]; then
            mkdir -p "$_dst"
            for _f in "$_src"/* "$_src"/.[!.]*; do
                case ${_f##*/} in build | build-* | .git | '.[!.]*') continue ;; esac
                cp -R "$_f" "$_dst/" || die "cannot copy the action's sources"
            done
        fi
        echo "$_dst/ci-examples/github-action"
        ;;
    ./*)
        [ -f "$ws/${1#./}/action.yml" ] || die "no action.yml in ${1#./}"
        echo "$ws/${1#./}"
        ;;
    *) return 1 ;;
    esac
}
# gh_step STEP OK BASEENV PREFIX LABEL: the step at path STEP, OK being whether all before
# it succeeded: skipped unless its if: holds, else run (run:, a composite action or an
# action the emulator does itself) with the variables of BASEENV and its own env: (kept in
# PREFIX.env). Logs "LABEL/NAME: skipped", ": success" or ": failure (exit N)"; returns its
# status (0 when skipped). A composite action runs in a subshell: its variables stay its
# own, what it leaves is in files (outputs, log, $GITHUB_PATH).
gh_step() {
    _gs=$1 _gp=$4 _grc=0
    only "$_gs" name id if uses with env run shell working-directory
    _gl="$5/$(get "$_gs.name" || echo "step ${_gs##*.}")"
    if ! gh_if "$(get "$_gs.if")" "$2"; then
        say "$_gl: skipped"
        return 0
    fi
    _ge=$_gp.env
    cp "$3" "$_ge"
    for _gk in $(keys "$_gs.env"); do envset "$_ge" "$_gk" "$(gh_expr "$(get "$_gs.env.$_gk")")"; done
    [ -z "$G_ACTION" ] || envset "$_ge" GITHUB_ACTION_PATH "$G_ACTION"
    if get "$_gs.run" >/dev/null; then
        gh_run "$_gs" "$_ge" "$_gp" || _grc=$?
    else
        _gu=$(get "$_gs.uses") || die "$_gl: neither run nor uses"
        if _gd=$(gh_action_dir "$_gu"); then
            [ -z "$G_ACTION" ] || die "$_gl: an action inside an action is not emulated"
            (gh_action "$_gs" "$_ge" "$_gd" "${_gl#"${_gl%%[! ]*}"}") || _grc=$?
        else
            gh_builtin "$_gs" || _grc=$?
        fi
    fi
    if [ "$_grc" -eq 0 ]; then say "$_gl: success"; else say "$_gl: failure (exit $_grc)"; fi
    return "$_grc"
}
# gh_action STEP ENVFILE DIR NAME: runs the composite action in DIR for the uses: step at
# path STEP (its with: are the inputs), each of its steps with the variables of ENVFILE
# and its own env:, logged as NAME/STEP-NAME; sets the caller's step outputs from the
# action's outputs. Returns 1 if one of its steps failed.
gh_action() {
    _ast=$1 _aenv=$2 _adir=$3 _aname=${4#step }
    _ap=A_$(printf '%s' "$_ast" | tr -c 'A-Za-z0-9\n' '_')
    _aw=$jd/action.$_ap
    load_yaml "$_adir/action.yml" "$_ap"
    only "$_ap" name description author branding inputs outputs runs
    [ "$(get "$_ap.runs.using")" = composite ] || die "$_adir: not a composite action"
    only "$_ap.runs" using steps
    mkdir -p "$_aw/inputs" "$_aw/steps"
    for _k in $(keys "$_ast.with"); do
        has "$_ap.inputs.$_k" || die "$_aname: the action has no input $_k"
        gh_with "$_ast" "$_k" >"$_aw/inputs/$_k"
    done
    _saved="$G_STEPS|$G_INPUTS|$G_ACTION"
    G_STEPS=$_aw/steps G_INPUTS=$_aw/inputs G_ACTION=$_adir
    for _k in $(keys "$_ap.inputs"); do
        [ ! -f "$_aw/inputs/$_k" ] || continue
        if [ "$(get "$_ap.inputs.$_k.required")" = true ] && ! get "$_ap.inputs.$_k.default" >/dev/null; then
            say "  warning: input $_k is required and not given"
        fi
        gh_expr "$(get "$_ap.inputs.$_k.default")" >"$_aw/inputs/$_k"
    done
    _aok=1
    for _ai in $(keys "$_ap.runs.steps"); do
        gh_step "$_ap.runs.steps.$_ai" "$_aok" "$_aenv" "$_aw/step$_ai" "  step $_aname" || _aok=0
    done
    for _k in $(keys "$_ap.outputs"); do gh_expr "$(get "$_ap.outputs.$_k.value")" >"$_aw/output.$_k"; done
    G_STEPS=${_saved%%|*} _saved=${_saved#*|}
    G_INPUTS=${_saved%%|*} G_ACTION=${_saved#*|}
    if _id=$(get "$_ast.id"); then
        mkdir -p "$G_STEPS/$_id"
        for _k in $(keys "$_ap.outputs"); do cp "$_aw/output.$_k" "$G_STEPS/$_id/$_k"; done
    fi
    [ "$_aok" = 1 ]
}
github() {
    load_yaml
    only "" name on permissions env defaults jobs concurrency
    shell=$(get defaults.run.shell || echo bash)
    [ "$shell" = bash ] || die "unsupported shell $shell"
    CI_CACHE=${CI_CACHE:-$state/cache}
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
        G_STEPS=$jd/steps
        mkdir -p "$ws" "$jd/tmp" "$G_STEPS"
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
        e=$jd/env
        : >"$e"
        for k in $(keys env); do envset "$e" "$k" "$(gh_expr "$(get "env.$k")")"; done
        for k in $(keys "jobs.$job.env"); do envset "$e" "$k" "$(gh_expr "$(get "jobs.$job.env.$k")")"; done
        gh_env "$e"
        ok=1
        for i in $(keys "jobs.$job.steps"); do
            gh_step "jobs.$job.steps.$i" "$ok" "$e" "$jd/step$i" "step $job" || ok=0
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
