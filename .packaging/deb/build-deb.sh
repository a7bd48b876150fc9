#!/bin/sh
# build-deb.sh - builds fairgate's Debian package from a binary and the source tree, with
# dpkg-deb, without debhelper: `make deb` builds the binary with dpkg-buildflags' hardening
# flags and calls this; tests/cli/test_deb.sh calls it again with the same binary.
#
# Usage: build-deb.sh BINARY OUTDIR   (prints the path of OUTDIR/fairgate_<version>_<arch>.deb)
#
# Where things land (keep README.md "Install" and cmd/fairgate.1 FILES in step):
#   /usr/bin/fairgate                        BINARY, stripped
#   /usr/share/man/man1/fairgate.1.gz        cmd/fairgate.1
#   /usr/share/fairgate/policies/            policies/: the example policies and the JSON
#                                            Schemas side by side, as in the source tree, so a
#                                            policy's "$schema=policy.schema.json" line resolves
#   /usr/share/doc/fairgate/README.md.gz     README.md
#   /usr/share/doc/fairgate/examples/        ci-examples/ (every file, same sub-folders)
#   /usr/share/doc/fairgate/copyright        .packaging/deb/copyright (DEP-5)
#   /usr/share/doc/fairgate/changelog.Debian.gz
#   /usr/share/lintian/overrides/fairgate    .packaging/deb/lintian-overrides
#
# The version is FG_VERSION of lib/fairgate.h (what `fairgate --version` prints) plus
# "-$DEB_REVISION" (default 1); the architecture is `dpkg --print-architecture`'s; Depends
# is computed by dpkg-shlibdeps and the control file written by dpkg-gencontrol, both run in
# a temporary debian/ folder (never in the source tree).
# Reproducible: every mtime is SOURCE_DATE_EPOCH (default: the last commit's time), gzip -9n,
# files owned by root:root (--root-owner-group), modes set here, whatever the umask.
# Environment: SOURCE_DATE_EPOCH, DEB_REVISION, DEB_MAINTAINER ("Name <address>").
#
# lintian (bookworm) reports no error and no warning on the result; the one tag overridden
# is in .packaging/deb/lintian-overrides with its reason.
set -eu
export LC_ALL=C
umask 022

die() { echo "build-deb.sh: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: build-deb.sh BINARY OUTDIR"
bin=$1
outdir=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then die "$bin: not an executable file (run make deb)"; fi

for tool in dpkg dpkg-deb dpkg-shlibdeps dpkg-gencontrol strip readelf gzip md5sum; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "$tool not found: apt-get install dpkg-dev binutils (or: make deps-test)"
done

# ---- what goes in: a release build of the binary, at the source tree's version ----

upstream=$(sed -n 's/^#define FG_VERSION "\([^"]*\)"$/\1/p' "$root/lib/fairgate.h")
[ -n "$upstream" ] || die "no FG_VERSION in lib/fairgate.h"
version=$upstream-${DEB_REVISION:-1}
arch=$(dpkg --print-architecture)
# A sanitizer build is slow, prints to stderr at exit and needs its runtime: never ship it.
if readelf -Ws "$bin" | grep -Eq '__(asan|ubsan|tsan|msan)_'; then
    die "$bin is a sanitizer build; make deb builds the binary for the package"
fi
# A binary that runs here must be the version the package will be called (not a stale one).
if said=$("$bin" --version 2>/dev/null) && [ "$said" != "fairgate $upstream" ]; then
    die "$bin says '$said', lib/fairgate.h says $upstream: rebuild it (make deb)"
fi
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct 2>/dev/null) ||
        SOURCE_DATE_EPOCH=$(stat -c %Y "$root/lib/fairgate.h")
fi
export SOURCE_DATE_EPOCH
maintainer=${DEB_MAINTAINER:-fairgate maintainers <maintainers@fairgate.invalid>}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fairgate-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pkg=$tmp/debian/fairgate

# ---- the tree ----

# put SRC DEST MODE: copies a file into the package.
put() { install -D -m "$3" "$1" "$pkg/$2"; }
# put_gz SRC DEST: gzip -9n'd (no name, no time in the header).
put_gz() { mkdir -p "$(dirname "$pkg/$2")" && gzip -9nc "$1" >"$pkg/$2" && chmod 0644 "$pkg/$2"; }

put "$bin" usr/bin/fairgate 0755
# What dh_strip does for a program: no debug info, no .comment/.note (the build id stays).
strip --remove-section=.comment --remove-section=.note "$pkg/usr/bin/fairgate"
put_gz "$root/cmd/fairgate.1" usr/share/man/man1/fairgate.1.gz
for f in "$root"/policies/*.yaml "$root"/policies/*.schema.json; do
    put "$f" "usr/share/fairgate/policies/$(basename "$f")" 0644
done
doc=usr/share/doc/fairgate
put_gz "$root/README.md" $doc/README.md.gz
put "$here/copyright" $doc/copyright 0644
(cd "$root/ci-examples" && find . -type f | sort) | while read -r f; do
    mode=0644
    [ -x "$root/ci-examples/$f" ] && mode=0755
    put "$root/ci-examples/$f" "$doc/examples/${f#./}" $mode
done
put "$here/lintian-overrides" usr/share/lintian/overrides/fairgate 0644

# ---- control data: debian/changelog and debian/control in $tmp, as dpkg-dev expects ----

{
    echo "fairgate ($version) unstable; urgency=medium"
    echo
    echo "  * fairgate $upstream, packaged from its source tree by make deb."
    echo
    echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} >"$tmp/debian/changelog"
put_gz "$tmp/debian/changelog" $doc/changelog.Debian.gz
sed "s|@MAINTAINER@|$maintainer|" "$here/control" >"$tmp/debian/control"

(
    cd "$tmp"
    mkdir -p debian/fairgate/DEBIAN
    dpkg-shlibdeps -edebian/fairgate/usr/bin/fairgate
    dpkg-gencontrol -pfairgate -Pdebian/fairgate
)
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort |
    xargs md5sum) >"$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"
find "$pkg" -type d -exec chmod 0755 {} +
find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$outdir"
deb=$outdir/fairgate_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
