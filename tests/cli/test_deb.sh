#!/bin/sh
# The Debian package (`make deb`, .packaging/deb/build-deb.sh):
#   - it builds $BUILD/fairgate_<version>-1_<arch>.deb, version that of `fairgate --version`,
#     architecture `dpkg --print-architecture`'s, Depends naming the package of every
#     library the binary links (as dpkg -S finds them), every file root:root, dated
#     SOURCE_DATE_EPOCH, the binary stripped and hardened (PIE, full RELRO, fortify);
#   - lintian reports no error and no warning;
#   - it is byte-for-byte reproducible (again under another umask), SOURCE_DATE_EPOCH moves
#     every date, and build-deb.sh refuses a sanitizer build or a binary of another version;
#   - make install (PREFIX=/usr) puts the example policies and schemas where the package
#     does, and make uninstall takes them away;
#   - as root: dpkg -i installs it, /usr/bin/fairgate --version and `fairgate lint` on the
#     installed example policies work, man finds the page, and dpkg -r + dpkg -P leave
#     none of the files dpkg -L listed (nor a folder no other package owns).
# Not root: the install half is skipped; without dpkg-deb (not Debian) everything is.
# The package is never left installed: an EXIT trap purges what this test installed. Runs
# of this test on one machine take turns (flock), and it installs nothing over a fairgate
# that is already there (a package or `make install PREFIX=/usr`).
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)

for tool in dpkg dpkg-deb dpkg-shlibdeps lintian readelf; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        skip "the Debian package" "$tool not found: make deps-test installs dpkg-dev and lintian on Debian"
        finish
    fi
done

version=$("$FAIRGATE" --version | sed -n 's/^fairgate //p')
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
# Build where the binary under test was built ($BUILD/deb/ then is incremental), else here.
case $FAIRGATE in
"$ROOT"/*/fairgate) build=${FAIRGATE#"$ROOT"/} build=${build%/fairgate} ;;
*) build=$WORK/build ;;
esac
case $build in /*) BUILD_DIR=$build ;; *) BUILD_DIR=$ROOT/$build ;; esac
DEB=$BUILD_DIR/fairgate_${version}-1_$arch.deb

# ---- make deb ----

rm -f "$DEB"
# A make of its own: not the flags of a `make asan` that may be running this test.
(unset MAKEFLAGS MFLAGS MAKELEVEL && make -C "$ROOT" --no-print-directory BUILD="$build" deb) \
    >"$WORK/out" 2>"$WORK/err"
RC=$?
expect_rc "make deb exits 0" 0
expect_grep "make deb prints the package's path" "$WORK/out" "^$build/$(basename "$DEB")\$"
if [ -f "$DEB" ]; then ok "make deb wrote $(basename "$DEB")"; else
    not_ok "make deb wrote $(basename "$DEB")" "$(ls "$BUILD_DIR" 2>&1 | head -5)"
    finish
fi

field() { dpkg-deb -f "$DEB" "$1"; }
expect_eq "Package" "$(field Package)" "fairgate"
expect_eq "Version: fairgate --version's, Debian revision 1" "$(field Version)" "$version-1"
expect_eq "Architecture: dpkg --print-architecture's" "$(field Architecture)" "$arch"
depends=$(field Depends)
case $depends in *'${'*) not_ok "Depends has no unsubstituted variable" "Depends: $depends" ;;
*) ok "Depends has no unsubstituted variable" ;;
esac
if [ "$(field Installed-Size)" -gt 100 ] 2>/dev/null; then ok "Installed-Size is set"; else
    not_ok "Installed-Size is set" "got '$(field Installed-Size)'"
fi

mkdir -p "$WORK/x"
dpkg-deb -x "$DEB" "$WORK/x"
BIN=$WORK/x/usr/bin/fairgate
# Each library the packaged binary needs comes from a package that Depends names.
n_libs=0
for so in $(readelf -d "$BIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    n_libs=$((n_libs + 1))
    owner=$(dpkg -S "*/$multiarch/$so" 2>/dev/null | cut -d: -f1 | sort -u | head -1)
    if [ -z "$owner" ]; then not_ok "$so comes from a package" "dpkg -S finds no owner"; continue; fi
    case ", $depends," in
    *", $owner "* | *", $owner,"*) ok "Depends names $owner (for $so)" ;;
    *) not_ok "Depends names $owner (for $so)" "Depends: $depends" ;;
    esac
done
if [ "$n_libs" -ge 5 ]; then ok "the binary links $n_libs libraries"; else
    not_ok "the binary links its libraries" "readelf found $n_libs NEEDED entries"
fi

# ---- what is in it, and how ----

dpkg-deb -c "$DEB" >"$WORK/contents"
expect_eq "every entry is owned by root/root" "$(awk '$2 != "root/root"' "$WORK/contents")" ""
for f in usr/bin/fairgate usr/share/man/man1/fairgate.1.gz \
    usr/share/fairgate/policies/loan-approval.yaml usr/share/fairgate/policies/hiring.yaml \
    usr/share/fairgate/policies/policy.schema.json usr/share/fairgate/policies/audit.schema.json \
    usr/share/doc/fairgate/copyright usr/share/doc/fairgate/changelog.Debian.gz \
    usr/share/doc/fairgate/README.md.gz usr/share/lintian/overrides/fairgate \
    $(cd "$ROOT" && find ci-examples -type f | sed 's|^ci-examples/|usr/share/doc/fairgate/examples/|'); do
    if [ -f "$WORK/x/$f" ]; then ok "has /$f"; else not_ok "has /$f"; fi
done
expect_eq "/usr/bin/fairgate is mode 0755" "$(stat -c %a "$BIN")" "755"
if gzip -dc "$WORK/x/usr/share/man/man1/fairgate.1.gz" | cmp -s - "$ROOT/cmd/fairgate.1"; then
    ok "the man page is cmd/fairgate.1, gzip'd"; else not_ok "the man page is cmd/fairgate.1, gzip'd"
fi
expect_eq "the man page is gzip -9n (no name, no time)" \
    "$(od -An -tx1 -j3 -N6 "$WORK/x/usr/share/man/man1/fairgate.1.gz" | tr -d ' ')" "000000000002"
if cmp -s "$WORK/x/usr/share/fairgate/policies/loan-approval.yaml" "$ROOT/policies/loan-approval.yaml"; then
    ok "the example policy is policies/loan-approval.yaml"; else not_ok "the example policy is policies/loan-approval.yaml"
fi
expect_eq "copyright is machine-readable (DEP-5)" "$(head -1 "$WORK/x/usr/share/doc/fairgate/copyright")" \
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
expect_eq "changelog.Debian.gz opens with this version" \
    "$(gzip -dc "$WORK/x/usr/share/doc/fairgate/changelog.Debian.gz" | head -1)" \
    "fairgate ($version-1) unstable; urgency=medium"
readelf -SW "$BIN" >"$WORK/sections"
expect_no_grep "the binary is stripped (no .symtab, no debug info)" "$WORK/sections" '\.symtab|\.debug_'
readelf -lW "$BIN" >"$WORK/segments"
readelf -dW "$BIN" >"$WORK/dynamic"
expect_grep "the binary is PIE" "$WORK/segments" 'Elf file type is DYN'
expect_grep "the binary has a RELRO segment" "$WORK/segments" 'GNU_RELRO'
expect_grep "the binary binds now (full RELRO)" "$WORK/dynamic" 'BIND_NOW'
readelf -W --dyn-syms "$BIN" >"$WORK/dynsyms"
expect_grep "the binary is fortified (uses __*_chk)" "$WORK/dynsyms" '__[a-z_]+_chk@'
expect_no_grep "the binary is no sanitizer build" "$WORK/dynsyms" '__(asan|ubsan)_'

# ---- lintian ----

run lintian --allow-root "$DEB"
expect_rc "lintian exits 0" 0
expect_no_grep "lintian reports no error" "$WORK/out" '^E: '
expect_no_grep "lintian reports no warning" "$WORK/out" '^W: '

# ---- reproducible ----

sde=$(TZ=UTC dpkg-deb --fsys-tarfile "$DEB" | tar -tvf - --full-time | awk '{ print $4 " " $5 }' | sort -u)
expect_eq "every file has one date (SOURCE_DATE_EPOCH)" "$(printf '%s\n' "$sde" | wc -l | tr -d ' ')" "1"
SCRIPT=$ROOT/.packaging/deb/build-deb.sh
run sh -c "umask 077 && exec sh '$SCRIPT' '$BUILD_DIR/deb/fairgate' '$WORK/again'"
expect_rc "build-deb.sh builds it again (umask 077)" 0
if cmp -s "$DEB" "$WORK/again/$(basename "$DEB")"; then ok "the package is reproducible, byte for byte"; else
    not_ok "the package is reproducible, byte for byte" "$(cmp "$DEB" "$WORK/again/$(basename "$DEB")" 2>&1)"
fi
run env SOURCE_DATE_EPOCH=1700000000 sh "$SCRIPT" "$BUILD_DIR/deb/fairgate" "$WORK/sde"
expect_rc "build-deb.sh with SOURCE_DATE_EPOCH=1700000000" 0
TZ=UTC dpkg-deb --fsys-tarfile "$WORK/sde/$(basename "$DEB")" | tar -tvf - --full-time >"$WORK/dates"
expect_eq "SOURCE_DATE_EPOCH dates every file" "$(awk '{ print $4 " " $5 }' "$WORK/dates" | sort -u)" \
    "2023-11-14 22:13:20"
dpkg-deb --fsys-tarfile "$WORK/sde/$(basename "$DEB")" |
    tar -xOf - ./usr/share/doc/fairgate/changelog.Debian.gz | gzip -dc >"$WORK/changelog"
expect_grep "and the changelog's date" "$WORK/changelog" '^ -- .*  Tue, 14 Nov 2023 22:13:20 \+0000$'

printf 'int __asan_init;\nint main(void) { return 0; }\n' >"$WORK/asan.c"
if cc -o "$WORK/asan-fairgate" "$WORK/asan.c" 2>/dev/null; then
    run sh "$SCRIPT" "$WORK/asan-fairgate" "$WORK/no"
    expect_rc "build-deb.sh refuses a sanitizer build" 1
    expect_grep "saying why" "$WORK/err" 'sanitizer build'
fi
printf '#!/bin/sh\necho fairgate 0.0.9\n' >"$WORK/old-fairgate"
chmod +x "$WORK/old-fairgate"
run sh "$SCRIPT" "$WORK/old-fairgate" "$WORK/no"
expect_rc "build-deb.sh refuses a binary of another version" 1
expect_grep "saying why" "$WORK/err" "says 'fairgate 0.0.9', lib/fairgate.h says $version"
expect_absent "and writes no package" "$WORK/no"

# ---- make install puts the policies where the package does ----

(unset MAKEFLAGS MFLAGS MAKELEVEL && make -C "$ROOT" --no-print-directory BUILD="$build" \
    DESTDIR="$WORK/inst" PREFIX=/usr install) >"$WORK/out" 2>"$WORK/err"
RC=$?
expect_rc "make install DESTDIR=... PREFIX=/usr exits 0" 0
expect_eq "make install: the same files under /usr/share/fairgate as the package" \
    "$(cd "$WORK/inst" 2>/dev/null && find usr/share/fairgate -type f | sort)" \
    "$(cd "$WORK/x" && find usr/share/fairgate -type f | sort)"
(unset MAKEFLAGS MFLAGS MAKELEVEL && make -C "$ROOT" --no-print-directory BUILD="$build" \
    DESTDIR="$WORK/inst" PREFIX=/usr uninstall) >"$WORK/out" 2>"$WORK/err"
RC=$?
expect_rc "make uninstall exits 0" 0
expect_eq "make uninstall leaves no file" "$(find "$WORK/inst" ! -type d)" ""
expect_absent "make uninstall removes /usr/share/fairgate" "$WORK/inst/usr/share/fairgate"

# ---- dpkg -i, use, dpkg -r, dpkg -P (root) ----

if [ "$(id -u)" -ne 0 ]; then
    skip "install, use and remove the package" "dpkg -i needs root; run make check as root"
    finish
fi
INSTALLED=0
cleanup() {
    [ "$INSTALLED" -eq 1 ] && dpkg -P fairgate >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
exec 9>"${TMPDIR:-/tmp}/fairgate-test-deb.lock"
if ! flock -w 900 9; then
    not_ok "take turns with other runs of this test" "flock timed out after 900 s"
    finish
fi
status=$(dpkg-query -W -f='${db:Status-Status}' fairgate 2>/dev/null)
if [ -n "$status" ] && [ "$status" != not-installed ]; then
    skip "install, use and remove the package" "a fairgate package is already on this machine ($status, $(dpkg-query -W -f='${Version}' fairgate)); not replacing it"
    finish
fi
for f in /usr/bin/fairgate /usr/share/man/man1/fairgate.1.gz /usr/share/fairgate /usr/share/doc/fairgate; do
    if [ -e "$f" ]; then
        skip "install, use and remove the package" "$f is already there, from no package; dpkg -i would overwrite it"
        finish
    fi
done

INSTALLED=1
# --path-include: a slim image's /etc/dpkg/dpkg.cfg.d may exclude man pages and docs; this
# tests the package, so every path of it is installed. Another process may hold dpkg's lock
# for a while (apt-get of make deps-test elsewhere): wait for it.
tries=0
while :; do
    run dpkg --path-include='*' -i "$DEB"
    [ "$RC" -ne 0 ] && grep -q 'lock' "$WORK/err" && [ "$tries" -lt 60 ] || break
    tries=$((tries + 1))
    sleep 5
done
expect_rc "dpkg -i installs it" 0
expect_eq "dpkg says it is installed" "$(dpkg-query -W -f='${db:Status-Status} ${Version}' fairgate)" \
    "installed $version-1"
run /usr/bin/fairgate --version
expect_rc "/usr/bin/fairgate --version exits 0" 0
expect_eq "/usr/bin/fairgate --version" "$(cat "$WORK/out")" "fairgate $version"
for p in loan-approval hiring; do
    run /usr/bin/fairgate lint "/usr/share/fairgate/policies/$p.yaml"
    expect_rc "fairgate lint on the installed $p.yaml exits 0" 0
    expect_eq "fairgate lint on the installed $p.yaml says ok" "$(cat "$WORK/out")" "ok"
done
run man -w fairgate
expect_eq "man -w fairgate finds the installed page" "$(cat "$WORK/out")" "/usr/share/man/man1/fairgate.1.gz"
MANPAGER=cat MANWIDTH=80 man fairgate >"$WORK/man.txt" 2>"$WORK/err"
expect_grep "man fairgate shows it" "$WORK/man.txt" 'fairgate .* a fairness gate'

dpkg -L fairgate >"$WORK/listed"
expect_grep "dpkg -L lists the binary" "$WORK/listed" '^/usr/bin/fairgate$'
run dpkg -r fairgate
expect_rc "dpkg -r removes it" 0
run dpkg -P fairgate
expect_rc "dpkg -P purges it" 0
status=$(dpkg-query -W -f='${db:Status-Status}' fairgate 2>/dev/null)
case $status in "" | not-installed) ok "dpkg knows it no more"; INSTALLED=0 ;;
*) not_ok "dpkg knows it no more" "status: $status" ;;
esac
left=
while read -r f; do
    [ "$f" = /. ] && continue
    if [ -d "$f" ] && [ ! -L "$f" ]; then
        # A folder stays when another package has files in it (/usr/bin, ...).
        dpkg -S "$f" >/dev/null 2>&1 || left="$left $f"
    elif [ -e "$f" ] || [ -L "$f" ]; then
        left="$left $f"
    fi
done <"$WORK/listed"
expect_eq "nothing dpkg -L listed is left (of $(wc -l <"$WORK/listed" | tr -d ' ') paths)" "$left" ""
finish
