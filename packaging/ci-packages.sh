#!/bin/bash
# CI for packaging (root, Debian 12): install the packaging build deps,
# build the .deb and check its contents and lintian result, build the .rpm,
# and run `make distcheck`.
#
#   packaging/ci-packages.sh [OUTDIR]      (default OUTDIR: /tmp/ks-packages)
#
# The source tree is never written to: every build runs in a copy.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
out=${1:-/tmp/ks-packages}
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ "$(id -u)" = 0 ] || { echo "ci-packages: run as root (apt-get install)" >&2; exit 2; }

step() { printf '\n=== %s\n' "$*"; }
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

step "build dependencies"
"$src/.ci/install-deps"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	debhelper dpkg-dev lintian fakeroot rpm cpio git groff-base man-db mandoc \
	> /dev/null

step "man pages"
for m in "$src/plugin/audisp-kernel-seeking.8" "$src/conf/audisp-kernel-seeking.conf.5" "$src/conf/audisp-kernel-seeking-rules.5"; do
	w=$(groff -ww -man -Tutf8 "$m" 2>&1 >/dev/null)
	[ -z "$w" ] || bad "groff warnings in $m: $w"
	l=$(mandoc -Tlint -Wall "$m" 2>&1) || true
	[ -z "$l" ] || bad "mandoc -Tlint on $m: $l"
	man -l "$m" > /dev/null 2>&1 || bad "man -l $m"
done

step ".deb"
"$here/build-deb.sh" "$out" || bad "build-deb.sh"
deb=$(ls "$out"/audisp-kernel-seeking_*.deb 2>/dev/null | head -n1)
if [ -n "$deb" ]; then
	dpkg-deb -c "$deb" > "$out/deb-contents.txt"
	while read -r mode path; do
		grep -qE "^$mode root/root .* \./${path}\$" "$out/deb-contents.txt" ||
			bad "$deb: no $path with mode $mode root/root"
	done <<'LIST'
-rwxr-xr-x sbin/audisp-kernel-seeking
-rw-r----- etc/audit/plugins.d/kernel-seeking.conf
-rw-r----- etc/audit/audisp-kernel-seeking.conf
-rw-r----- etc/audit/rules.d/kernel-seeking.rules
-rw-r--r-- usr/share/man/man8/audisp-kernel-seeking.8.gz
-rw-r--r-- usr/share/man/man5/audisp-kernel-seeking.conf.5.gz
-rw-r--r-- usr/share/man/man5/audisp-kernel-seeking-rules.5.gz
-rw-r--r-- usr/share/audisp-kernel-seeking/rules/kernel_seeking_v2.toml
-rw-r--r-- usr/share/audisp-kernel-seeking/rules/kernel_seeking_upstream.toml
-rw-r--r-- usr/share/audisp-kernel-seeking/rules/kernel_seeking_hardened.toml
LIST
	dpkg-deb -e "$deb" "$out/DEBIAN.ctl" 2>/dev/null || true
	for c in /etc/audit/plugins.d/kernel-seeking.conf /etc/audit/audisp-kernel-seeking.conf \
		 /etc/audit/rules.d/kernel-seeking.rules; do
		grep -qx "$c" "$out/DEBIAN.ctl/conffiles" || bad "$c is not a conffile"
	done
	rm -rf "$out/DEBIAN.ctl"
	grep -q '^E:' "$out/lintian.txt" && bad "lintian errors" || true
	grep -q '^W:' "$out/lintian.txt" && echo "note: lintian warnings:" &&
		grep '^W:' "$out/lintian.txt" || true
else
	bad "no .deb in $out"
fi

step ".rpm"
"$here/build-rpm.sh" "$out" || bad "build-rpm.sh"
rpmf=$(ls "$out"/audisp-kernel-seeking-[0-9]*.rpm 2>/dev/null | grep -v '\.src\.rpm$' | head -n1)
if [ -n "$rpmf" ]; then
	rpm -qlvp "$rpmf" > "$out/rpm-contents.txt"
	for p in /usr/sbin/audisp-kernel-seeking /etc/audit/plugins.d/kernel-seeking.conf \
		 /etc/audit/audisp-kernel-seeking.conf /etc/audit/rules.d/kernel-seeking.rules; do
		grep -q " $p\$" "$out/rpm-contents.txt" || bad "$rpmf: no $p"
	done
	[ "$(rpm -qcp "$rpmf" | sort | tr '\n' ' ')" = \
	  "/etc/audit/audisp-kernel-seeking.conf /etc/audit/plugins.d/kernel-seeking.conf /etc/audit/rules.d/kernel-seeking.rules " ] ||
		bad "$rpmf: %config files differ"
else
	bad "no .rpm in $out"
fi

step "make distcheck"
tmp=$(mktemp -d /tmp/ks-distcheck.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
(cd "$src" && git ls-files -z --cached --others --exclude-standard) |
	(cd "$src" && while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"; done) |
	(cd "$src" && cpio -0 -pdm --quiet "$tmp")
mkdir -p "$tmp/m4"
if (cd "$tmp" && autoreconf -fi && ./configure && make -j2 distcheck) > "$out/distcheck.log" 2>&1; then
	grep -A3 'archives ready for distribution' "$out/distcheck.log" || true
else
	tail -n 40 "$out/distcheck.log"
	# The log above names a failing test but not why; its own log is in
	# the distcheck build tree, gone with $tmp: show it now.
	find "$tmp" -path '*/_build/*' -name test-suite.log -exec tail -n 150 {} \; 2>/dev/null
	bad "make distcheck (log: $out/distcheck.log)"
fi

step "result"
if [ "$fails" -eq 0 ]; then
	echo "ci-packages: OK ($out)"
else
	echo "ci-packages: $fails failure(s)"
	exit 1
fi
