#!/bin/sh
# The man page, cmd/fairgate.1: groff and man render it without a warning, it fits 80
# columns, and it cannot drift from the CLI: every command `fairgate --help` lists has a
# synopsis and a subsection, every long option a command's --help prints is in both,
# every environment variable a --help names is under ENVIRONMENT, the commands the
# contract reserves are either documented as reserved or real, and .TH carries the
# version `fairgate --version` prints.
# Needs groff and man (man-db); without them this test fails.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
MAN=$ROOT/cmd/fairgate.1

for tool in groff man lexgrog; do
    if command -v "$tool" >/dev/null 2>&1; then ok "$tool is installed"; else
        not_ok "$tool is installed" "the man page tests need groff and man-db: apt-get install groff-base man-db"
    fi
done
if [ -f "$MAN" ]; then ok "cmd/fairgate.1 exists"; else not_ok "cmd/fairgate.1 exists"; fi
[ "$FAILED" -eq 0 ] || finish

# ---- rendering ----

run groff -man -ww -z "$MAN"
expect_rc "groff -man -ww -z exits 0" 0
expect_eq "groff -man -ww prints no warning" "$(cat "$WORK/err")" ""

# What lintian runs on a Debian package's man pages.
LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$MAN" >/dev/null 2>"$WORK/err"
RC=$?
expect_rc "man --warnings -l exits 0" 0
expect_eq "man --warnings -l prints no warning" "$(cat "$WORK/err")" ""

run man -l "$MAN"
expect_rc "man -l renders it" 0
expect_grep "man -l shows the NAME line" "$WORK/out" 'fairgate .* a fairness gate'

run lexgrog "$MAN"
expect_rc "lexgrog finds the whatis line" 0
expect_grep "the whatis line" "$WORK/out" '"fairgate - a fairness gate for machine-learning release pipelines"'

# Plain text at 80 columns, as `man` shows it in a standard terminal; then without
# hyphenation, for the checks below to find whole words.
groff -man -Tascii -P-cbou -rLL=80n "$MAN" >"$WORK/man80.txt" 2>"$WORK/err"
long=$(awk 'length > 80' "$WORK/man80.txt")
expect_eq "no rendered line is wider than 80 columns" "$long" ""
groff -man -Tascii -P-cbou -rLL=80n -rHY=0 "$MAN" >"$WORK/man.txt" 2>"$WORK/err"
expect_eq "the source is plain ASCII" "$(LC_ALL=C tr -d '\000-\177' <"$MAN" | wc -c | tr -d ' ')" "0"
expect_grep ".TH names the page FAIRGATE(1)" "$MAN" '^\.TH FAIRGATE 1 '
for s in NAME SYNOPSIS DESCRIPTION COMMANDS POLICY 'EXIT STATUS' ENVIRONMENT FILES EXAMPLES 'SEE ALSO'; do
    expect_grep "section $s" "$WORK/man.txt" "^$s\$"
done
version=$("$FAIRGATE" --version | sed -n 's/^fairgate //p')
expect_grep ".TH carries the version fairgate prints ($version)" "$MAN" "^\\.TH FAIRGATE 1 .*\"fairgate $version\""

# section NAME: the rendered text of a top-level section, without its heading.
section() { awk -v want="$1" '/^[A-Z]/ { on = ($0 == want); next } on' "$WORK/man.txt"; }
# subsection CMD: the rendered text of the subsection "fairgate CMD" of COMMANDS.
subsection() { awk -v want="   fairgate $1" '/^[^ ]/ || /^   [^ ]/ { on = ($0 == want); next } on' "$WORK/man.txt"; }
# synopsis CMD: the roff source of the command's .SY block, with \- as -.
synopsis() { awk -v want=".SY \"fairgate $1\"" '$0 == want { on = 1; next } /^\.YS/ { on = 0 } on' "$MAN" | sed 's/\\-/-/g'; }

# ---- commands and options against --help ----

run "$FAIRGATE" --help
commands=$(awk '/^commands:/ { on = 1; next } on && /^  [a-z]+ / { printf "%s ", $1 } on && /^$/ { on = 0 }' "$WORK/out")
if [ -n "$commands" ]; then ok "fairgate --help lists commands ($commands)"; else not_ok "fairgate --help lists commands"; fi
for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' "$WORK/out" | sort -u); do
    expect_grep "fairgate $opt is in the man page" "$WORK/man.txt" "(^|[^a-z-])$opt([^a-z0-9-]|\$)"
done

n_opts=0
for c in $commands; do
    subsection "$c" >"$WORK/sub.txt"
    synopsis "$c" >"$WORK/syn.txt"
    if [ -s "$WORK/sub.txt" ]; then ok "$c has a subsection under COMMANDS"; else not_ok "$c has a subsection under COMMANDS"; fi
    if [ -s "$WORK/syn.txt" ]; then ok "$c has a synopsis"; else not_ok "$c has a synopsis"; fi
    run "$FAIRGATE" "$c" --help
    expect_rc "$c --help exits 0" 0
    # The options: those of the usage lines (up to the first blank line) and of the
    # option list (lines that start with spaces and --); not options of other commands
    # that the prose mentions. --help itself is every command's.
    awk 'NR == 1 || !blank { if ($0 == "") blank = 1; else print; next } /^ +--/' "$WORK/out" >"$WORK/help.txt"
    echo "--help" >>"$WORK/help.txt"
    for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' "$WORK/help.txt" | sort -u); do
        n_opts=$((n_opts + 1))
        # Each option has its own entry (a tagged paragraph) in the command's subsection.
        if grep -Eq -- "^       $opt( |,|\$)" "$WORK/sub.txt"; then ok "$c $opt has an entry in the man page"; else
            not_ok "$c $opt has an entry in the man page" "no '.TP' entry for $opt under 'fairgate $c'"
        fi
        [ "$opt" = --help ] && continue
        if grep -Eq -- "(^|[^a-z-])$opt([^a-z0-9-]|\$)" "$WORK/syn.txt"; then ok "$c $opt is in the synopsis"; else
            not_ok "$c $opt is in the synopsis" "not in the .SY \"fairgate $c\" block"
        fi
    done
    # And the other way: the man page documents no option the command does not have.
    for opt in $(grep -oE -- '^       --[a-z][a-z0-9-]*' "$WORK/sub.txt" | sed 's/^ *//' | sort -u); do
        if grep -Eq -- "(^|[^a-z-])$opt([^a-z0-9-]|\$)" "$WORK/help.txt"; then ok "$c $opt in the man page is in --help"; else
            not_ok "$c $opt in the man page is in --help" "'fairgate $c --help' does not mention $opt"
        fi
    done
done

if [ "$n_opts" -ge 30 ]; then ok "the commands' --help name $n_opts options in all"; else
    not_ok "the commands' --help name options" "only $n_opts found: is the --help format still parsed right?"
fi

# Commands the contract reserves: while fairgate refuses one (exit 2), the page says it is
# reserved; once it exists, --help must list it (and so the checks above cover it).
section DESCRIPTION | awk 'BEGIN { RS = "" } /reserved/' | tr '\n' ' ' >"$WORK/reserved.txt"
for c in counts sql; do
    run "$FAIRGATE" "$c" --help
    if [ "$RC" -eq 2 ]; then
        expect_grep "reserved command $c is documented as reserved" "$WORK/reserved.txt" "(^|[^a-z])$c([^a-z-]|\$)"
    else
        case " $commands " in
        *" $c "*) ok "$c is implemented and listed by --help" ;;
        *) not_ok "$c is implemented and listed by --help" "'fairgate $c --help' exits $RC but --help does not list it" ;;
        esac
    fi
done
run "$FAIRGATE" check --counts k.csv --policy p --candidate c
if [ "$RC" -eq 2 ] && grep -q 'not supported' "$WORK/err"; then
    expect_grep "check --counts is documented as reserved" "$WORK/reserved.txt" '--counts'
fi
# And the page documents no command that fairgate does not have.
for c in $(sed -n 's/^\.SS "fairgate \([a-z]*\)"$/\1/p' "$MAN"); do
    case " $commands " in
    *" $c "*) ok "documented command $c is listed by fairgate --help" ;;
    *) not_ok "documented command $c is listed by fairgate --help" "the man page has 'fairgate $c', fairgate --help does not" ;;
    esac
done

# Environment variables any --help names are documented under ENVIRONMENT.
section ENVIRONMENT >"$WORK/env.txt"
for c in "" $commands; do
    # shellcheck disable=SC2086 # no command: the main --help
    "$FAIRGATE" $c --help 2>/dev/null
done | grep -oE '\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b' | sort -u >"$WORK/vars"
printf '%s\n' SOURCE_DATE_EPOCH GITHUB_ACTIONS GITHUB_STEP_SUMMARY >>"$WORK/vars"
for v in $(sort -u "$WORK/vars"); do
    expect_grep "ENVIRONMENT documents $v" "$WORK/env.txt" "^       $v\$"
done

# Exit statuses: 0, 1 and 2, for the commands and again for verify.
section 'EXIT STATUS' >"$WORK/exit.txt"
for code in 0 1 2; do
    expect_eq "EXIT STATUS documents $code twice (commands, verify)" "$(grep -cE "^       $code( |\$)" "$WORK/exit.txt")" "2"
done

# make install puts the page where man finds it.
expect_grep "make install installs cmd/fairgate.1" "$ROOT/Makefile" 'cmd/fairgate\.1.*\$\(MANDIR\)/man1|MANDIR.*cmd/fairgate\.1'
finish
