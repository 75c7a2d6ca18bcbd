#!/bin/bash
# Build the Debian package of audisp-kernel-seeking and check it with lintian.
#
#   packaging/build-deb.sh [OUTDIR]        (default OUTDIR: ./dist-deb)
#
# dpkg-buildpackage wants debian/ at the top of the source tree, and this
# repository keeps it in packaging/debian: the script copies the tracked
# (and new, not ignored) files of the work tree into a temporary directory,
# puts packaging/debian at debian/, runs `dpkg-buildpackage -us -uc -b` there,
# runs lintian on the result, and copies the .deb (and .buildinfo/.changes)
# to OUTDIR. The work tree itself is never written to, apart from OUTDIR.
# Needs: dpkg-dev, debhelper, lintian, git, plus the Build-Depends of
# packaging/debian/control (dpkg-buildpackage checks them).
# Exit status: 0 when the package built and lintian reported no error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
out=${1:-$PWD/dist-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

for t in dpkg-buildpackage dh lintian git; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "build-deb: $t is missing (apt-get install dpkg-dev debhelper lintian git)" >&2
		exit 2; }
done

tmp=$(mktemp -d /tmp/ks-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pkg=audisp-kernel-seeking
version=$(dpkg-parsechangelog -l "$here/debian/changelog" -S Version)
tree=$tmp/$pkg-$version
mkdir -p "$tree"

# The sources: what git tracks, plus new files not ignored (so that work in
# progress can be packaged before it is committed), never build products.
(cd "$src" && git ls-files -z --cached --others --exclude-standard) |
	(cd "$src" && while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"; done) |
	(cd "$src" && cpio -0 -pdm --quiet "$tree")
rm -rf "$tree/debian"
cp -a "$here/debian" "$tree/debian"
mkdir -p "$tree/m4"   # ACLOCAL_AMFLAGS = -I m4; git keeps no empty dirs

(cd "$tree" && dpkg-buildpackage -us -uc -b) > "$tmp/build.log" 2>&1 || {
	tail -n 60 "$tmp/build.log"
	echo "build-deb: dpkg-buildpackage failed (whole log above, last 60 lines)" >&2
	exit 1; }

changes=$(ls "$tmp"/${pkg}_"${version}"_*.changes)
deb=$(ls "$tmp"/${pkg}_"${version}"_*.deb)
cp "$deb" "$changes" "$tmp"/*.buildinfo "$out"/
echo "build-deb: built $out/$(basename "$deb")"

# lintian: errors fail the build; warnings and info are shown.
# --fail-on error only: the reasons for the known warnings are in
# packaging/README.md.
lintian --info --display-info --fail-on error "$changes" | tee "$out/lintian.txt"
echo "build-deb: lintian OK (no errors); report in $out/lintian.txt"
