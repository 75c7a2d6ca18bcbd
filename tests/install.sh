#!/bin/bash
# `make install` puts the binary, the plugins.d snippet, the config and the
# audit rules where auditd expects them, 0640 for the config files, the
# snippet pointing at the installed binary; it honours DESTDIR and the
# configured directories; `make uninstall` removes them again.
. "$(dirname "$0")/lib.sh"
builddir=$(cd "$(dirname "$KS_BIN")/.." && pwd)
[ -f "$builddir/Makefile" ] || skip "no configured build at $builddir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check_tree() {
	local root=$1 sbin=$2 etc=$3 f mode
	[ -x "$root$sbin/audisp-kernel-seeking" ] && ok "binary in $sbin" || fail "no binary in $root$sbin"
	for f in audit/plugins.d/kernel-seeking.conf audit/audisp-kernel-seeking.conf audit/rules.d/kernel-seeking.rules; do
		mode=$(stat -c %a "$root$etc/$f" 2>/dev/null)
		[ "$mode" = 640 ] && ok "$etc/$f mode 0640" || fail "$etc/$f: mode '${mode:-missing}'"
		if [ "$(id -u)" = 0 ]; then
			[ "$(stat -c %U:%G "$root$etc/$f")" = root:root ] && ok "$etc/$f root-owned" || fail "$etc/$f not root-owned"
		fi
	done
	grep -qx "path = $sbin/audisp-kernel-seeking" "$root$etc/audit/plugins.d/kernel-seeking.conf" &&
		ok "snippet points at $sbin/audisp-kernel-seeking" || fail "snippet path wrong"
	"$root$sbin/audisp-kernel-seeking" --check-config --config "$root$etc/audit/audisp-kernel-seeking.conf" >/dev/null &&
		ok "installed config validates" || fail "installed config does not validate"
}

make -s -C "$builddir" install DESTDIR="$tmp/a" > "$tmp/log" 2>&1 || { cat "$tmp/log"; fail "make install"; }
check_tree "$tmp/a" "$(make -s -C "$builddir" -f - print-sbindir <<<'include Makefile
print-sbindir: ; @echo $(sbindir)')" "$(make -s -C "$builddir" -f - print-sysconfdir <<<'include Makefile
print-sysconfdir: ; @echo $(sysconfdir)')"
make -s -C "$builddir" uninstall DESTDIR="$tmp/a" > "$tmp/log" 2>&1
left=$(find "$tmp/a" -type f | wc -l)
[ "$left" -eq 0 ] && ok "make uninstall removes every file" || fail "$left files left after uninstall"

make -s -C "$builddir" install DESTDIR="$tmp/b" prefix=/opt/ks exec_prefix=/opt/ks sbindir=/opt/ks/sbin sysconfdir=/opt/ks/etc > "$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; fail "make install with another prefix"; }
check_tree "$tmp/b" /opt/ks/sbin /opt/ks/etc

finish
