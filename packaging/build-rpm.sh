#!/bin/bash
# Build the RPM of audisp-kernel-seeking from a `make dist` tarball.
#
#   packaging/build-rpm.sh [OUTDIR [TARBALL]]   (default OUTDIR: ./dist-rpm)
#
# Without TARBALL, the tracked (and new, not ignored) files of the work tree
# are copied to a temporary directory, configured there and `make dist`
# makes the tarball; the work tree is not written to, apart from OUTDIR.
# Then `rpmbuild -bb` with its own _topdir in the temporary directory.
# Needs: rpm (rpmbuild; on Debian: apt-get install rpm), autoconf, automake,
# pkg-config, a C compiler and the libraries the build needs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
out=${1:-$PWD/dist-rpm}
tarball=${2:-}
spec=$here/rpm/audisp-kernel-seeking.spec
mkdir -p "$out"
out=$(cd "$out" && pwd)
command -v rpmbuild >/dev/null 2>&1 || {
	echo "build-rpm: rpmbuild is missing (Debian: apt-get install rpm)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/ks-rpm.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n 's/^Version:[[:space:]]*//p' "$spec")

if [ -z "$tarball" ]; then
	mkdir "$tmp/tree"
	(cd "$src" && git ls-files -z --cached --others --exclude-standard) |
		(cd "$src" && while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"; done) |
		(cd "$src" && cpio -0 -pdm --quiet "$tmp/tree")
	mkdir -p "$tmp/tree/m4"
	(cd "$tmp/tree" && autoreconf -fi && ./configure && make dist) \
		> "$tmp/dist.log" 2>&1 || {
		tail -n 40 "$tmp/dist.log"; echo "build-rpm: make dist failed" >&2; exit 1; }
	tarball=$tmp/tree/audisp-kernel-seeking-$version.tar.gz
fi
[ -f "$tarball" ] || { echo "build-rpm: no tarball $tarball" >&2; exit 2; }

top=$tmp/rpmbuild
mkdir -p "$top"/{SOURCES,SPECS,BUILD,RPMS,SRPMS}
cp "$tarball" "$top/SOURCES/"
cp "$spec" "$top/SPECS/"

# --nodeps: the BuildRequires are Fedora's package names (audit-libs-devel,
# libcmocka-devel, ...). On Debian, rpmbuild checks them against the (empty)
# RPM database, not against dpkg, so it can never resolve them; the Debian
# equivalents (libaudit-dev, libauparse-dev, libcmocka-dev) must be
# installed instead. On Fedora/RHEL drop --nodeps (KS_RPM_NODEPS=no) and let
# dnf builddep install them.
nodeps=--nodeps
[ "${KS_RPM_NODEPS:-yes}" = no ] && nodeps=
# No debuginfo subpackage where find-debuginfo is missing (Debian's rpm).
debug=()
[ -x /usr/lib/rpm/find-debuginfo.sh ] || command -v find-debuginfo >/dev/null 2>&1 ||
	debug=(--define 'debug_package %{nil}')

rpmbuild -bb $nodeps --define "_topdir $top" "${debug[@]}" \
	"$top/SPECS/audisp-kernel-seeking.spec" > "$tmp/rpmbuild.log" 2>&1 || {
	tail -n 60 "$tmp/rpmbuild.log"; echo "build-rpm: rpmbuild failed" >&2; exit 1; }
find "$top/RPMS" -name '*.rpm' -exec cp {} "$out"/ \;
for r in "$out"/audisp-kernel-seeking-"$version"-*.rpm; do
	echo "build-rpm: built $r"
done
