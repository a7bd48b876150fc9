# ci_jenkins.awk - reads a declarative Jenkinsfile written in the plain style of
# ci-examples/Jenkinsfile and prints its structure, one record a line (fields split by a
# tab), for tests/cli/test_ci_examples.sh to run:
#
#   env NAME VALUE            environment { NAME = 'VALUE' } (pipeline or stage level)
#   envcred NAME ID           environment { NAME = credentials('ID') }
#   stage NAME / endstage     stage('NAME') { ... }
#   when buildingTag          when { buildingTag() }
#   with KIND ID VAR / endwith  withCredentials([KIND(credentialsId: 'ID', variable: 'VAR')]) { ... }
#   sh FILE                   sh '''...''': the script, verbatim, is written to FILE (OUT/shN)
#   post CONDITION / endpost  post { CONDITION { ... } }
#   junit PATTERN EMPTY_OK    junit 'PATTERN' or junit testResults: 'PATTERN', ...
#   archive PATTERN EMPTY_OK  archiveArtifacts artifacts: 'PATTERN', ...
#                             (EMPTY_OK: true when allowEmptyResults/allowEmptyArchive is)
#
# Anything else is an error naming the line, so whatever this script accepts is run by
# the test rather than silently skipped. Backslashes are refused inside sh '''...''':
# Groovy would interpret them, and the script would not be what the file shows.
#
#   awk -v out=DIR -f ci_jenkins.awk Jenkinsfile
function fail(msg) {
    printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
    failed = 1
    exit 2
}
function q(s, key,    re) { # the 'value' of key: 'value' in s
    re = key ":[ ]*'[^']*'"
    if (!match(s, re)) return ""
    s = substr(s, RSTART, RLENGTH)
    sub(/^[^']*'/, "", s)
    sub(/'$/, "", s)
    return s
}
function push(kind) { stack[++sp] = kind }
function top() { return sp > 0 ? stack[sp] : "" }
BEGIN { sp = 0; nsh = 0; insh = 0; if (out == "") { print "ci_jenkins.awk: set -v out=DIR" > "/dev/stderr"; exit 2 } }
{
    line = $0
    sub(/\r$/, "", line)
    if (insh) {
        if (line ~ /^[ ]*'''[ ]*$/) { insh = 0; close(shfile); print "sh\t" shfile; next }
        if (line ~ /'''/) fail("text on the line that closes sh '''")
        if (line ~ /\\/) fail("a backslash inside sh '''...''' (Groovy would interpret it)")
        print line > shfile
        next
    }
    t = line
    sub(/^[ ]+/, "", t)
    sub(/[ ]+$/, "", t)
    if (t == "" || t ~ /^\/\//) next
    if (t ~ /\t/) fail("a tab")
    k = top()
    if (t == "}") {
        if (sp == 0) fail("unbalanced }")
        if (k == "stage") print "endstage"
        else if (k == "with") print "endwith"
        else if (k == "postcond") print "endpost"
        sp--
        next
    }
    if (t == "sh '''") {
        if (k != "steps" && k != "with" && k != "postcond") fail("sh outside steps")
        shfile = out "/sh" (++nsh)
        printf "" > shfile
        insh = 1
        next
    }
    if (k == "" && t == "pipeline {") { push("pipeline"); next }
    if (k == "pipeline" && t == "agent any") next
    if (k == "pipeline" && t == "stages {") { push("stages"); next }
    if ((k == "pipeline" || k == "stage") && t == "environment {") { push("environment"); next }
    if (k == "pipeline" && t == "options {") { push("options"); next }
    if (k == "options" && t ~ /^[a-zA-Z]+\([^{}]*\)$/) next
    if (k == "environment" && t ~ /^[A-Z_][A-Z0-9_]* = '[^'\\]*'$/) {
        name = t; sub(/ .*/, "", name)
        v = t; sub(/^[^']*'/, "", v); sub(/'$/, "", v)
        print "env\t" name "\t" v
        next
    }
    if (k == "environment" && t ~ /^[A-Z_][A-Z0-9_]* = credentials\('[^']+'\)$/) {
        name = t; sub(/ .*/, "", name)
        v = t; sub(/^[^']*'/, "", v); sub(/'.*$/, "", v)
        print "envcred\t" name "\t" v
        next
    }
    if (k == "stages" && t ~ /^stage\('[^']+'\) \{$/) {
        v = t; sub(/^stage\('/, "", v); sub(/'\) \{$/, "", v)
        print "stage\t" v
        push("stage")
        next
    }
    if (k == "stage" && t == "when {") { push("when"); next }
    if (k == "when") {
        if (t == "buildingTag()") { print "when\tbuildingTag"; next }
        fail("unsupported when condition: " t)
    }
    if (k == "stage" && t == "steps {") { push("steps"); next }
    if ((k == "steps" || k == "with") && t ~ /^withCredentials\(\[.*\]\) \{$/) {
        rest = t
        n = 0
        while (match(rest, /(file|string)\(credentialsId: '[^']+', variable: '[A-Z_][A-Z0-9_]*'\)/)) {
            b = substr(rest, RSTART, RLENGTH)
            kind = b; sub(/\(.*/, "", kind)
            print "with\t" kind "\t" q(b, "credentialsId") "\t" q(b, "variable")
            rest = substr(rest, RSTART + RLENGTH)
            n++
        }
        if (n != 1) fail("withCredentials: one file(...) or string(...) binding a block")
        push("with")
        next
    }
    if ((k == "pipeline" || k == "stage") && t == "post {") { push("post"); next }
    if (k == "post" && t ~ /^(always|success|failure|unstable|changed|cleanup) \{$/) {
        v = t; sub(/ .*/, "", v)
        print "post\t" v
        push("postcond")
        next
    }
    if (k == "postcond" || k == "steps" || k == "with") {
        if (t ~ /^junit '[^']+'$/) { v = t; sub(/^junit '/, "", v); sub(/'$/, "", v); print "junit\t" v "\tfalse"; next }
        if (t ~ /^junit /) {
            v = q(t, "testResults"); if (v == "") fail("junit without testResults")
            print "junit\t" v "\t" (t ~ /allowEmptyResults: true/ ? "true" : "false"); next
        }
        if (t ~ /^archiveArtifacts /) {
            v = q(t, "artifacts"); if (v == "") fail("archiveArtifacts without artifacts")
            print "archive\t" v "\t" (t ~ /allowEmptyArchive: true/ ? "true" : "false"); next
        }
    }
    fail("unsupported line in " (k == "" ? "top level" : k) ": " t)
}
END {
    if (failed) exit 2
    if (insh) fail("unterminated sh '''")
    if (sp != 0) fail("unbalanced {")
}
