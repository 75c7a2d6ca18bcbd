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
	local root=$1 sbin=$2 etc=$3 share=$4 f mode
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
	for f in kernel_seeking_v2 kernel_seeking_upstream kernel_seeking_hardened; do
		[ -f "$root$share/audisp-kernel-seeking/rules/$f.toml" ] && ok "rule $f installed" || fail "rule $f missing"
	done
	[ -d "$root$etc/audit/audisp-kernel-seeking.d" ] && ok "local rules directory created" || fail "no local rules directory"
	# the installed rules load, as the config names them
	printf 'rules_dir = %s\nlocal_rules_dir = %s\n' "$root$share/audisp-kernel-seeking/rules" "$root$etc/audit/audisp-kernel-seeking.d" > "$tmp/check.conf"
	"$root$sbin/audisp-kernel-seeking" --check-rules --config "$tmp/check.conf" > "$tmp/check.out" 2>&1 &&
		grep -q '^1 rule enabled, 0 problems' "$tmp/check.out" && ok "--check-rules on the installed rules" ||
		{ fail "--check-rules on the installed rules"; cat "$tmp/check.out"; }
}

make -s --no-print-directory -C "$builddir" install DESTDIR="$tmp/a" > "$tmp/log" 2>&1 || { cat "$tmp/log"; fail "make install"; }
# Without the MAKEFLAGS of a parallel `make check` (GNU make 4.3 then prints
# "Entering directory" lines despite --no-print-directory).
var() { MAKEFLAGS= MAKELEVEL= make -s --no-print-directory -C "$builddir" -f - print <<<"include Makefile
print: ; @echo \$($1)"; }
check_tree "$tmp/a" "$(var sbindir)" "$(var sysconfdir)" "$(var datadir)"
make -s --no-print-directory -C "$builddir" uninstall DESTDIR="$tmp/a" > "$tmp/log" 2>&1
left=$(find "$tmp/a" -type f | wc -l)
[ "$left" -eq 0 ] && ok "make uninstall removes every file" || fail "$left files left after uninstall"

make -s --no-print-directory -C "$builddir" install DESTDIR="$tmp/b" prefix=/opt/ks exec_prefix=/opt/ks sbindir=/opt/ks/sbin sysconfdir=/opt/ks/etc datadir=/opt/ks/share > "$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; fail "make install with another prefix"; }
check_tree "$tmp/b" /opt/ks/sbin /opt/ks/etc /opt/ks/share

finish
