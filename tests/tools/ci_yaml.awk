# ci_yaml.awk - flattens the YAML subset the CI examples are written in into one line per
# scalar: PATH<TAB>VALUE, e.g. "jobs.gate.steps.2.run<TAB>mkdir -p out\nfairgate check ...".
# Sequence items are numbered from 0; in VALUE a newline is written \n and a backslash \\.
# A key with no value and no children is written with an empty VALUE.
#
# Used by tests/cli/test_ci_examples.sh to run the shell steps of ci-examples/*.yml. The
# subset is: block mappings and sequences indented with spaces, plain, 'single' and
# "double" quoted scalars, `|` and `|-` block scalars, full-line and trailing comments.
# Anything else (tabs, anchors, aliases, tags, `>` folding, flow collections as keys,
# a sequence not indented under its key, bad indentation) is an error naming the line, so
# a file this script accepts means what it appears to mean.
#
#   awk -f ci_yaml.awk FILE.yml
function fail(msg) {
    printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
    failed = 1
    exit 2
}
function esc(s,    o, i, c) { # (a loop: awks differ on backslashes in gsub replacements)
    o = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        o = o (c == "\\" ? "\\\\" : c == "\n" ? "\\n" : c)
    }
    return o
}
function emit(path, value) {
    printf "%s\t%s\n", path, esc(value)
}
function join(base, key) { return base == "" ? key : base "." key }
# scalar(s): the value of a plain or quoted scalar, trailing comment removed.
function scalar(s,    out, i, c, rest) {
    if (s ~ /^'/) {
        out = ""
        for (i = 2; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (c == "'") {
                if (substr(s, i + 1, 1) == "'") { out = out "'"; i++; continue }
                rest = substr(s, i + 1)
                if (rest !~ /^[ ]*(#.*)?$/) fail("text after a quoted scalar")
                return out
            }
            out = out c
        }
        fail("unterminated single-quoted scalar")
    }
    if (s ~ /^"/) {
        out = ""
        for (i = 2; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (c == "\\") {
                c = substr(s, ++i, 1)
                if (c != "\\" && c != "\"") fail("unsupported escape \\" c)
                out = out c
                continue
            }
            if (c == "\"") {
                rest = substr(s, i + 1)
                if (rest !~ /^[ ]*(#.*)?$/) fail("text after a quoted scalar")
                return out
            }
            out = out c
        }
        fail("unterminated double-quoted scalar")
    }
    sub(/[ ]+#.*$/, "", s)
    sub(/[ ]+$/, "", s)
    if (s ~ /^[&*!%@`{[>]/ || s ~ /^[|]/)
        fail("unsupported YAML: " s)
    if (s ~ /: / || s ~ /:$/)
        fail("a plain scalar holds ': ' (quote it): " s)
    return s
}
# entry(n, c, base): a mapping entry "KEY: ..." at column n whose container is base.
function entry(n, c, base,    key, rest, path) {
    if (c !~ /^[A-Za-z0-9_-]+:( |$)/)
        fail("expected KEY: VALUE, got: " c)
    key = c
    sub(/:( .*)?$/, "", key)
    rest = substr(c, length(key) + 2)
    sub(/^[ ]+/, "", rest)
    path = join(base, key)
    if (path in keys)
        fail("duplicate key " path)
    keys[path] = 1
    value_of(n, rest, path)
}
function value_of(n, rest, path) {
    if (rest == "" || rest ~ /^#/) {
        pending = 1; pend_path = path; pend_indent = n
    } else if (rest ~ /^[|]-?[ ]*(#.*)?$/) {
        inblock = 1; blk_path = path; blk_parent = n; blk_indent = -1; blk_text = ""; blk_blank = ""
    } else {
        emit(path, scalar(rest))
    }
}
function close_block() {
    emit(blk_path, blk_text)
    inblock = 0
}
BEGIN { sp = 0; ind[0] = 0; pre[0] = ""; pending = 0; inblock = 0 }
{
    line = $0
    sub(/\r$/, "", line)
    if (inblock) {
        if (line ~ /^[ ]*$/) { if (blk_indent >= 0) blk_blank = blk_blank "\n"; next }
        match(line, /^[ ]*/)
        if (blk_indent < 0) {
            if (RLENGTH <= blk_parent) fail("empty block scalar")
            blk_indent = RLENGTH
        }
        if (RLENGTH >= blk_indent) {
            text = substr(line, blk_indent + 1)
            blk_text = blk_text == "" ? text : blk_text blk_blank "\n" text
            blk_blank = ""
            next
        }
        close_block()
    }
    if (line ~ /^[ ]*(#.*)?$/) next
    if (line ~ /\t/) fail("a tab")
    if (line ~ /^(---|\.\.\.)/) fail("document markers")
    match(line, /^[ ]*/)
    n = RLENGTH
    c = substr(line, n + 1)
    if (pending) {
        pending = 0
        if (n > pend_indent) { sp++; ind[sp] = n; pre[sp] = pend_path }
        else emit(pend_path, "")
    }
    while (ind[sp] > n) sp--
    if (ind[sp] != n) fail("bad indentation")
    base = pre[sp]
    if (c ~ /^-( |$)/) {
        if (sp == 0) fail("a top-level sequence")
        if (!(base in isseq)) { if (base in ismap) fail("a sequence item in a mapping"); isseq[base] = 1 }
        item = base "." (cnt[base]++)
        rest = substr(c, 2)
        match(rest, /^[ ]*/)
        col = n + 1 + RLENGTH
        rest = substr(rest, RLENGTH + 1)
        if (rest ~ /^[A-Za-z0-9_-]+:( |$)/) {
            sp++; ind[sp] = col; pre[sp] = item; ismap[item] = 1
            entry(col, rest, item)
        } else {
            value_of(n, rest, item)
        }
        next
    }
    if (base in isseq) fail("a mapping entry in a sequence")
    ismap[base] = 1
    entry(n, c, base)
}
END {
    if (failed) exit 2
    if (inblock) close_block()
    if (pending) emit(pend_path, "")
}
