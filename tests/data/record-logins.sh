#!/bin/bash
# Record tests/data/logins.log and logins-fork.log from the REAL kernel
# audit, auditd, sshd, PAM, sudo, su and login (tests/data/SCENARIOS.md,
# "Logins").
#
#   flock /tmp/ks-auditd.lock bash tests/data/record-logins.sh
#   (plain "bash tests/data/record-logins.sh" takes the lock itself)
#
# Needs root, a working kernel audit (auditctl -s) and the Debian packages
# auditd, openssh-server, openssh-client, sudo, util-linux (script,
# runuser, setsid), login, passwd and python3.
#
# One run:
#   * two test users (kslogin1, kslogin2; refused if they exist), a key for
#     kslogin1, a sudoers line giving kslogin1 NOPASSWD sudo
#     (/etc/sudoers.d/ks-record-logins), and a private sshd on
#     127.0.0.1:2222 (tests/ssh_lab.sh);
#   * auditd -f -c LAB with log_format = ENRICHED, name_format = NONE and a
#     capture plugin (format = string): the plugin-stdin form, EOE records
#     included; the rules execve/execveat and clone/clone3/fork/vfork for
#     b64 and b32, backlog 8192;
#   * tests/data/logins.sh as a child, its loginuid unset (as this shell's
#     must be: checked), so every session in the log is one it opened;
#   * after 2 s: audit rules deleted, auditing and the backlog limit as
#     they were, auditd stopped by its pid, sshd stopped, the users, the
#     sudoers line and the lab removed (EXIT trap, also on failure);
#   * tests/data/filter-logins.py keeps the events of the processes that
#     descend from the sshd listener or the driver, and of the sessions
#     they opened: logins-fork.log, and logins.log without the fork events
#     (what a host auditing only execs writes).
# Recording metadata is printed at the end; copy it into SCENARIOS.md.

set -u
LOCK=/tmp/ks-auditd.lock
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
PORT=${KS_SSH_PORT:-2222}
U1=kslogin1
U2=kslogin2
SUDOERS=/etc/sudoers.d/ks-record-logins

held=0
for fd in /proc/$$/fd/*; do
    if [ "$(readlink "$fd" 2>/dev/null)" = "$LOCK" ] && flock -n "${fd##*/}"; then
        held=1; break
    fi
done
if [ "$held" = 0 ]; then
    exec flock "$LOCK" bash "$0" "$@"
fi

die() { echo "record-logins.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
[ "$(cat /proc/self/loginuid)" = 4294967295 ] ||
    die "this shell has a loginuid ($(cat /proc/self/loginuid)): run it from a context that never logged in, or the scenarios' sessions are not their own"
for t in auditd auditctl sudo visudo script runuser setsid login su python3; do
    command -v "$t" >/dev/null 2>&1 || die "$t is missing"
done
status=$(auditctl -s 2>&1) || die "kernel audit not available: $status"
apid=$(awk '$1=="pid"{print $2}' <<<"$status")
[ "$apid" = 0 ] || die "an audit daemon is already registered (pid $apid)"
orig_enabled=$(awk '$1=="enabled"{print $2}' <<<"$status")
orig_backlog=$(awk '$1=="backlog_limit"{print $2}' <<<"$status")
[ "$orig_enabled" = 2 ] && die "audit configuration is locked (enabled 2)"
[ -z "$(auditctl -l 2>/dev/null | grep -v '^No rules')" ] || die "audit rules already loaded; not touching them"
[ -e "$SUDOERS" ] && die "$SUDOERS exists; not touching it"

. "$SRC/tests/ssh_lab.sh"
AUDITD_PID=
PLUGIN_PID_FILE=
LAB=
MADE_SUDOERS=0

restore() {
    auditctl -D >/dev/null 2>&1
    auditctl -e "${orig_enabled:-0}" >/dev/null 2>&1
    auditctl -b "${orig_backlog:-64}" >/dev/null 2>&1
    if [ -n "$AUDITD_PID" ]; then
        kill "$AUDITD_PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$AUDITD_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$AUDITD_PID" 2>/dev/null && kill -9 "$AUDITD_PID" 2>/dev/null
        wait "$AUDITD_PID" 2>/dev/null
        AUDITD_PID=
    fi
    if [ -n "$PLUGIN_PID_FILE" ] && [ -s "$PLUGIN_PID_FILE" ]; then
        p=$(cat "$PLUGIN_PID_FILE")
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$p" 2>/dev/null && kill "$p" 2>/dev/null
        PLUGIN_PID_FILE=
    fi
}
on_exit() {
    restore
    ssh_lab_stop
    [ "$MADE_SUDOERS" = 1 ] && rm -f "$SUDOERS"
    [ -n "$LAB" ] && [ -z "${KS_KEEP_LAB:-}" ] && rm -rf "$LAB"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

LAB=$(mktemp -d /tmp/ks-logins.XXXXXX)
chmod 0755 "$LAB"
ssh_lab_start "$LAB" "$PORT" "$U1" "$U2" || die "the private sshd did not start"
printf '%s ALL=(ALL) NOPASSWD: ALL\n' "$U1" > "$SUDOERS.tmp"
chmod 0440 "$SUDOERS.tmp"
visudo -cqf "$SUDOERS.tmp" || { rm -f "$SUDOERS.tmp"; die "visudo rejects the sudoers line"; }
mv "$SUDOERS.tmp" "$SUDOERS"
MADE_SUDOERS=1

mkdir -m 0755 "$LAB/plugins.d" "$LAB/plugins.d-bin"
cat > "$LAB/auditd.conf" <<EOF
local_events = yes
write_logs = no
log_format = ENRICHED
name_format = NONE
flush = INCREMENTAL_ASYNC
freq = 50
plugin_dir = $LAB/plugins.d
q_depth = 8000
overflow_action = SYSLOG
max_log_file_action = IGNORE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = SYSLOG
EOF
chmod 0640 "$LAB/auditd.conf"
cat > "$LAB/plugins.d-bin/capture" <<EOF
#!/bin/sh
# capture plugin: copy stdin (what auditd sends a plugin) to a file
echo \$\$ > $LAB/plugin.pid
trap '' TERM HUP
exec cat > $LAB/plugin-stdin.log
EOF
chmod 0750 "$LAB/plugins.d-bin/capture"
printf 'active = yes\ndirection = out\npath = %s\ntype = always\nformat = string\n' \
    "$LAB/plugins.d-bin/capture" > "$LAB/plugins.d/capture.conf"
chmod 0640 "$LAB/plugins.d/capture.conf"
PLUGIN_PID_FILE=$LAB/plugin.pid

auditd -f -c "$LAB" > /dev/null 2> "$LAB/auditd.err" &
AUDITD_PID=$!
ok=0
for _ in $(seq 100); do
    if auditctl -s | grep -qx "pid $AUDITD_PID" && [ -s "$LAB/plugin.pid" ]; then ok=1; break; fi
    kill -0 "$AUDITD_PID" 2>/dev/null || break
    sleep 0.1
done
[ "$ok" = 1 ] || { cat "$LAB/auditd.err" >&2; die "auditd did not start"; }
auditctl -b 8192 >/dev/null
auditctl -e 1 >/dev/null
auditctl -a always,exit -F arch=b64 -S execve,execveat -k exec || die "b64 exec rule"
auditctl -a always,exit -F arch=b32 -S execve,execveat -k exec || die "b32 exec rule"
auditctl -a always,exit -F arch=b64 -S clone,clone3,fork,vfork -k fork || die "b64 fork rule"
auditctl -a always,exit -F arch=b32 -S clone,clone3,fork,vfork -k fork 2>/dev/null ||
    auditctl -a always,exit -F arch=b32 -S clone,fork,vfork -k fork || die "b32 fork rule"
lost0=$(auditctl -s | awk '$1=="lost"{print $2}')

KS_LAB=$LAB KS_SRC=$SRC KS_U1=$U1 KS_U2=$U2 bash "$HERE/logins.sh" < /dev/null &
driver=$!
wait "$driver"
echo "== logins.sh exit status $?" >&2
sleep 2
lost1=$(auditctl -s | awk '$1=="lost"{print $2}')
sshd_pid=$SSH_LAB_PID
restore
[ "$lost0" = "$lost1" ] || echo "record-logins.sh: WARNING: the kernel lost $((lost1 - lost0)) records" >&2
for o in "$LAB"/*.out; do echo "-- $(basename "$o"):"; cat "$o"; done >&2
python3 "$HERE/filter-logins.py" --sshd "$sshd_pid" --driver "$driver" \
    "$HERE/logins-fork.log" "$HERE/logins.log" < "$LAB/plugin-stdin.log" || die "filter failed"
echo "== $(wc -l < "$HERE/logins-fork.log") records -> tests/data/logins-fork.log," \
     "$(wc -l < "$HERE/logins.log") -> tests/data/logins.log" >&2
echo "== recorded $(date -u '+%Y-%m-%d %H:%M UTC') on kernel $(uname -r), $(auditctl -v)," \
     "auditd $(dpkg-query -W -f '${Version}' auditd 2>/dev/null)," \
     "openssh-server $(dpkg-query -W -f '${Version}' openssh-server 2>/dev/null)," \
     "sudo $(dpkg-query -W -f '${Version}' sudo 2>/dev/null)," \
     "libpam0g $(dpkg-query -W -f '${Version}' libpam0g 2>/dev/null)," \
     "login $(dpkg-query -W -f '${Version}' login 2>/dev/null)," \
     "$(. /etc/os-release; echo "$PRETTY_NAME"), users $U1=$(id -u $U1 2>/dev/null) $U2=$(id -u $U2 2>/dev/null)" >&2
