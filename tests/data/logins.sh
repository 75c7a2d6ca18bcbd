#!/bin/bash
# The login scenarios of tests/data/logins.log (tests/data/SCENARIOS.md,
# "Logins"), run by tests/data/record-logins.sh under the real auditd with
# a private sshd (tests/ssh_lab.sh) already listening. Runs as root with its
# loginuid unset, so that every audit session in the log is opened by the
# scenario itself.
#
# Environment from record-logins.sh: KS_LAB (the lab directory),
# KS_SRC (the source tree), KS_U1 (the ssh user, NOPASSWD sudo), KS_U2.
#
# Commands typed into interactive sessions are fed one line at a time with
# pauses: Debian's sudo runs commands on a new pty (Defaults use_pty) and
# would swallow input typed ahead. Pauses use `read -t` on a FIFO, never
# the sleep program, so the driver itself adds no exec to the log. Every
# command that should alert is `tail -c N /boot/ks-NAME`, NAME its
# scenario.
set -u
. "$KS_SRC/tests/ssh_lab.sh"
SSH_LAB_DIR=$KS_LAB
SSH_LAB_PORT=$(sed -n 's/^Port //p' "$KS_LAB/sshd_config")
U1=$KS_U1
U2=$KS_U2
FORGE=$KS_SRC/tests/data/forge-record.py

mkfifo "$KS_LAB/pace"
exec 7<>"$KS_LAB/pace"
pause() { read -r -t "$1" -u 7 _ || :; }
# feed LINE...: each line after a pause, then a last pause
feed() { local l; pause 2; for l in "$@"; do printf '%s\n' "$l"; pause 1.5; done; pause 1; }
say() { printf '== %s\n' "$*" >&2; }

say "ssh-tty: an ssh login shell on a pty"
feed "id" "tail -c 64 /boot/ks-ssh-tty-vmlinuz" "exit" | ssh_lab_ssh "$U1" -tt > "$KS_LAB/ssh-tty.out" 2>&1
pause 1

say "ssh-notty: ssh host cmd"
ssh_lab_ssh "$U1" -T 'tail -c 8 /boot/ks-ssh-notty' < /dev/null > "$KS_LAB/ssh-notty.out" 2>&1
pause 1

say "sudo-su: sudo and su inside an ssh session"
feed "sudo -n tail -c 16 /boot/ks-sudo" \
     "sudo -n su - $U2 -c 'tail -c 2 /boot/ks-sudo-su-c'" \
     "sudo -n su -s /bin/sh -" \
     "tail -c 5 /boot/ks-su-root" \
     "su $U2" \
     "tail -c 3 /boot/ks-su-u2" \
     "exit" "exit" "exit" | ssh_lab_ssh "$U1" -tt > "$KS_LAB/sudo-su.out" 2>&1
pause 1

say "nested: a chain of shells in an ssh session"
feed "bash -c 'sh -c \"bash -c \\\"tail -c 1 /boot/ks-nested; true\\\"; true\"; true'" \
     "python3 -c 'import os; os.system(\"tail -c 2 /boot/ks-nested-py\")'" \
     "exit" | ssh_lab_ssh "$U1" -tt > "$KS_LAB/nested.out" 2>&1
pause 1

say "login-pty: login(1) on a pseudo-terminal"
feed "tail -c 6 /boot/ks-login-pty" "exit" |
	script -qec "login -f $U1" /dev/null > "$KS_LAB/login-pty.out" 2>&1
pause 1

say "nologin: execs outside any login (loginuid unset)"
setsid -f sh -c 'tail -c 7 /boot/ks-nologin-setsid' < /dev/null > /dev/null 2>&1
pause 1
su "$U2" -c 'tail -c 7 /boot/ks-nologin-su' < /dev/null > /dev/null 2>&1
pause 1

say "forged: user records sent by root outside and inside a session"
f=$KS_LAB/forged
mkdir -m 0755 "$f"
# a claim of an sshd login from 6.6.6.6, by root outside any session
printf '%s' 'op=PAM:session_open grantors=pam_unix acct="root" exe="/usr/sbin/sshd" hostname=evil.example addr=6.6.6.6 terminal=ssh res=success' > "$f/claim"
# a second kernel-like prefix behind a quote in acct
printf '%s' "op=PAM:session_open acct=\"x' pid=1 uid=0 auid=0 ses=1 msg='op=forged\" exe=\"/usr/sbin/sshd\" hostname=? addr=6.6.6.6 terminal=ssh res=success" > "$f/quote"
# a 0x1D and forged ENRICHED names inside the text
printf 'op=PAM:session_open acct="root" exe="/usr/sbin/sshd" hostname=? addr=6.6.6.6 terminal=ssh res=success\035AUID="root"' > "$f/gs"
# 9000 bytes of acct
printf 'op=PAM:session_open acct="%s" exe="/usr/sbin/sshd" hostname=? addr=6.6.6.6 terminal=ssh res=success' "$(head -c 9000 /dev/zero | tr '\0' A)" > "$f/huge"
# a session's end
printf '%s' 'op=PAM:session_close grantors=pam_unix acct="root" exe="/usr/sbin/sshd" hostname=6.6.6.6 addr=6.6.6.6 terminal=ssh res=success' > "$f/end"
# LOGIN itself: the kernel refuses it from user space
printf '%s' 'pid=1 uid=0 old-auid=4294967295 auid=0 tty=(none) old-ses=4294967295 ses=1 res=1' > "$f/login"
chmod 0644 "$f"/*
{
	python3 "$FORGE" 1105 "$f/claim"
	python3 "$FORGE" 1106 "$f/end"
	python3 "$FORGE" 1006 "$f/login"
} > "$KS_LAB/forged.out" 2>&1
# the same from root inside an ssh session (through sudo): other pid than
# the session's sshd, so never its claim; then an exec of that session
ssh_lab_ssh "$U1" -T "for x in claim quote gs huge end; do sudo -n python3 $FORGE 1105 $f/\$x; done; tail -c 9 /boot/ks-after-forge" \
	< /dev/null >> "$KS_LAB/forged.out" 2>&1
pause 1

say "unpriv-loginuid: a user process sets its unset loginuid to 0"
runuser -u "$U2" -- sh -c 'echo 0 > /proc/self/loginuid; tail -c 4 /boot/ks-unpriv-loginuid' \
	< /dev/null > "$KS_LAB/unpriv.out" 2>&1
pause 1

say "loginuid-change: root in a session sets it again"
ssh_lab_ssh "$U1" -T "sudo -n sh -c 'echo 0 > /proc/self/loginuid; tail -c 5 /boot/ks-loginuid-change'" \
	< /dev/null > "$KS_LAB/change.out" 2>&1
pause 1

say "after-logout: a nohup'd job of a session that ended"
ssh_lab_ssh "$U1" -T 'nohup sh -c "sleep 2; tail -c 6 /boot/ks-after-logout" > /dev/null 2>&1 < /dev/null &' \
	< /dev/null > "$KS_LAB/after.out" 2>&1
pause 4

say "ssh-failed: a key not allowed, a user that does not exist"
ssh -p "$SSH_LAB_PORT" -i "$KS_LAB/hostkey" -o IdentitiesOnly=yes -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile="$KS_LAB/known_hosts" -o BatchMode=yes -o LogLevel=ERROR \
	"$U1@127.0.0.1" true < /dev/null > "$KS_LAB/failed.out" 2>&1
ssh_lab_ssh nosuchuser -T true < /dev/null >> "$KS_LAB/failed.out" 2>&1
pause 1
exit 0
