#!/bin/bash
# Live end-to-end test: the real kernel audit, a real auditd 3.0.9 that starts
# audisp-kernel-seeking as a plugin, and a real rsyslogd that receives the
# plugin's syslog(3) alerts.
#
#   make check                      (KS_BIN, KS_SRCDIR set by TESTS_ENVIRONMENT)
#   bash tests/live.sh              (KS_BIN defaults to ./plugin/audisp-kernel-seeking)
#   KS_KEEP=1 bash tests/live.sh    (keep the temp dir for inspection)
#
# Exit status (automake test protocol): 0 pass, 77 skip, 1 fail.
# Skips ONLY when not root, when `auditctl -s` fails (no kernel audit) or
# when no private mount namespace can be made (a chroot whose / is not a
# mount point).
# A missing tool is a failure that names the Debian package to install.
#
# What it does:
#  1. takes /tmp/ks-auditd.lock (flock) for the whole run: kernel audit is one
#     per machine and other tests/tools on this machine use the same lock (if
#     the caller already holds it, e.g. `flock /tmp/ks-auditd.lock make check`,
#     the inherited lock is used);
#  2. records the audit state (enabled flag, backlog limit, rules) and restores
#     it on exit (trap EXIT INT TERM): auditctl -D, re-adds the saved rules,
#     restores enabled and the backlog limit, stops the daemons it started BY
#     PID, removes /dev/log if it created it, removes the temp dir;
#  3. starts a second rsyslogd instance (-n -f CONF -i PIDFILE) that only
#     listens on TMP/log.sock (imuxsock, no system socket, no imklog) and
#     writes messages of programname audisp-kernel-seeking to TMP/ks.log as
#       <reception time rfc3339> <facility>.<severity> <programname>[<procid>]: <msg>
#     (everything it receives also goes to TMP/all.log for debugging);
#  4. runs auditd -f -c TMP/lab inside `unshare --mount --propagation private`,
#     where TMP/log.sock is bind-mounted over /dev/log, so the plugin's
#     syslog(3) reaches our rsyslogd while the host's /dev/log is untouched
#     (the bind mount exists only in that namespace and disappears with its
#     last process, auditd and the plugin);
#     The plugins.d snippet passes "--config LAB/audisp-kernel-seeking.conf",
#     a copy of the shipped all-defaults conf/audisp-kernel-seeking.conf (the
#     SIGHUP reload needs a config file and /etc/audit is not ours);
#  5. loads execve/execveat rules (b64, b32, key kernel-seeking), runs real
#     positive and negative commands (spec §6 vectors, unique run id in every
#     path), and checks EXACTLY one alert per positive, none per negative, each
#     within 3 s of its command (facility authpriv, severity warning);
#  6. logs in over ssh (tests/ssh_lab.sh: a user made for the run, a key, a
#     private sshd on 127.0.0.1 with the system's PAM stack) and runs a
#     positive there: its alert must name the user (user=, auser=) and say
#     how they came in (entry_type="sshd", entry_ip="127.0.0.1", the entry
#     leader's pid and executable), from the LOGIN and PAM records;
#  7. SIGHUP to auditd -> plugin logs "reloaded" (same pid), one more positive
#     after the reload; then SIGTERM to auditd -> plugin logs "stopping" or
#     "stopped" and its process is gone (the test rules are removed first).
# On failure it dumps rsyslog's files, auditd's stderr (the plugin's stderr
# too) and the EXECVE records auditd saw for this run's commands.
# Takes about 2-3 s when it passes (up to ~20 s when checks time out), plus
# any wait for the lock.

set -u
export LC_ALL=C
PROG=live.sh
LOCK=/tmp/ks-auditd.lock
RULE_ID=3c9f7901-01d8-465d-8dc0-5d46671035fa
AUDIT_KEY=kernel-seeking
MAX_LATENCY=3          # seconds from a command to its alert line in rsyslog's file
WAIT_ALERTS=5          # seconds to poll for alerts after the commands

KS_BIN=${KS_BIN:-./plugin/audisp-kernel-seeking}
KS_SRCDIR=${KS_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}

say()  { printf '%s: %s\n' "$PROG" "$*"; }
skip() { say "SKIP: $*"; exit 77; }

# ------------------------------------------------------------- skip checks
[ "$(id -u)" = 0 ] || skip "needs root (kernel audit, auditd, mount namespace)"

# Missing tools are failures, not skips (package names are Debian 12's).
missing=
need() {   # need TOOL PACKAGE
    command -v "$1" >/dev/null 2>&1 || missing="$missing
  $1 (apt-get install $2)"
}
need auditctl auditd
need auditd auditd
need rsyslogd rsyslog
need xxd xxd
need hexdump bsdextrautils
need cmp diffutils
need tail coreutils
need dd coreutils
need flock util-linux
need unshare util-linux
need /usr/sbin/sshd openssh-server
need ssh openssh-client
need ssh-keygen openssh-client
need useradd passwd
need mount mount
need umount mount
if [ -n "$missing" ]; then
    say "FAIL: missing tools:$missing"
    exit 1
fi

# Step 4 needs a private mount namespace. In a chroot whose / is not a
# mount point (debootstrap, schroot, pbuilder) unshare cannot make one:
# say so once, rather than fail every check after it.
if ! err=$(unshare --mount --propagation private true 2>&1); then
    case $err in
    *"cannot change root filesystem propagation"*)
        skip "no private mount namespace here: / is not a mount point (a chroot?) ($err)" ;;
    esac
    say "FAIL: unshare --mount --propagation private: $err"
    exit 1
fi

if ! status=$(auditctl -s 2>&1); then
    skip "kernel audit is not available (auditctl -s failed: $(printf '%s' "$status" | head -n1))"
fi

# ----------------------------------------------------------------- the lock
held=0
for fd in /proc/$$/fd/*; do
    if [ "$(readlink "$fd" 2>/dev/null)" = "$LOCK" ] && flock -n "${fd##*/}" 2>/dev/null; then
        held=1; break
    fi
done
if [ "$held" = 0 ]; then
    exec 9>>"$LOCK" || { say "FAIL: cannot open $LOCK"; exit 1; }
    if ! flock -n 9; then
        say "waiting for $LOCK (another user of kernel audit is running)"
        flock -w 600 9 || { say "FAIL: could not get $LOCK within 600 s"; exit 1; }
    fi
fi
T_START=$EPOCHREALTIME
RUN=ks$$r$RANDOM       # unique id in every path of this run

# ------------------------------------------------------------------- state
TMP=
RSYSLOG_PID=
AUDITD_PID=
PLUGIN_PID=
CREATED_DEVLOG=0
RULES_TOUCHED=0
SAVED_RULES=0
orig_enabled=
orig_backlog=
FAILS=0
CLEANED=0

fail() { say "FAIL: $*"; FAILS=$((FAILS + 1)); }
. "$KS_SRCDIR/tests/ssh_lab.sh"

dump() {
    [ -n "$TMP" ] && [ -n "$RSYSLOG_PID" ] || return 0   # nothing started yet
    echo "----- rsyslog file $TMP/ks.log (programname audisp-kernel-seeking) -----"
    cat "$TMP/ks.log" 2>/dev/null
    echo "----- rsyslog file $TMP/all.log (what rsyslogd received from others), last 40 lines -----"
    grep -a -v -F ' audisp-kernel-seeking[' "$TMP/all.log" 2>/dev/null | tail -n 40
    echo "----- rsyslogd output -----"
    cat "$TMP/rsyslogd.out" 2>/dev/null
    echo "----- auditd stderr -----"
    cat "$TMP/auditd.err" 2>/dev/null
    echo "----- auditd event stream (stdout): EXECVE records of this run's commands ($RUN) -----"
    grep -a -F -- "/$RUN-" "$TMP/auditd.out" 2>/dev/null | tr '\035' ' ' | head -n 60
    echo "----- command start times -----"
    cat "$TMP/times" 2>/dev/null
    echo "----- sshd log, auditd's login records (LOGIN, USER_START) -----"
    cat "$TMP/ssh/sshd.log" 2>/dev/null | tail -n 20
    grep -a 'type=LOGIN \|type=USER_START ' "$TMP/auditd.out" 2>/dev/null | tr '\035' ' ' | tail -n 10
    echo "-----"
}

die() { fail "$*"; dump; exit 1; }

alive() {   # pid exists and is not a zombie
    local line st
    [ -n "$1" ] || return 1
    read -r line 2>/dev/null < "/proc/$1/stat" || return 1
    st=${line##*) }; st=${st%% *}
    [ -n "$st" ] && [ "$st" != Z ]
}

stop_pid() {   # stop_pid PID [wait-as-child]: TERM, up to 5 s, then KILL
    local pid=$1 i
    alive "$pid" || { [ -n "${2:-}" ] && wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
        say "pid $pid ignored SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null
        sleep 0.1
    fi
    [ -n "${2:-}" ] && wait "$pid" 2>/dev/null
    return 0
}

restore_audit() {
    [ "$RULES_TOUCHED" = 1 ] || return 0
    auditctl -D >/dev/null 2>&1 || say "warning: auditctl -D failed"
    if [ "$SAVED_RULES" = 1 ]; then
        auditctl -R "$TMP/saved.rules" >/dev/null 2>&1 ||
            say "warning: could not re-add all saved rules (see $TMP/saved.rules)"
    fi
    RULES_TOUCHED=0
}

cleanup() {
    [ "$CLEANED" = 1 ] && return 0
    CLEANED=1
    restore_audit
    ssh_lab_stop
    [ -n "$AUDITD_PID" ] && stop_pid "$AUDITD_PID" child
    # the plugin normally exits with auditd; it is stopped by pid if not
    [ -n "$PLUGIN_PID" ] && stop_pid "$PLUGIN_PID"
    # with auditd gone the kernel no longer has an audit pid: restore the flags
    if [ -n "$orig_enabled" ]; then
        auditctl -e "$orig_enabled" >/dev/null 2>&1 || say "warning: could not restore enabled=$orig_enabled"
    fi
    if [ -n "$orig_backlog" ]; then
        auditctl -b "$orig_backlog" >/dev/null 2>&1 || say "warning: could not restore backlog_limit=$orig_backlog"
    fi
    [ -n "$RSYSLOG_PID" ] && stop_pid "$RSYSLOG_PID" child
    # the /dev/log bind mount lived in the private namespace of auditd; it is
    # gone now that auditd and the plugin are gone.  Our placeholder file:
    if [ "$CREATED_DEVLOG" = 1 ] && [ -f /dev/log ] && [ ! -L /dev/log ] && [ ! -s /dev/log ]; then
        rm -f /dev/log
    fi
    if [ -n "$TMP" ] && [ -d "$TMP" ]; then
        if [ -n "${KS_KEEP:-}" ]; then say "kept $TMP"; else rm -rf "$TMP"; fi
    fi
}
on_exit() { local rc=$?; trap - EXIT INT TERM; cleanup; exit "$rc"; }
trap on_exit EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

TMP=$(mktemp -d /tmp/ks-live.XXXXXX) || die "mktemp failed"
chmod 0700 "$TMP"

# ------------------------------------------------------- record audit state
status=$(auditctl -s 2>&1) || die "auditctl -s failed: $status"
apid=$(awk '$1=="pid"{print $2}' <<<"$status")
orig_enabled=$(awk '$1=="enabled"{print $2}' <<<"$status")
orig_backlog=$(awk '$1=="backlog_limit"{print $2}' <<<"$status")
lost0=$(awk '$1=="lost"{print $2}' <<<"$status")
if [ "${apid:-0}" != 0 ]; then
    # Kernel audit belongs to that daemon (a system auditd, say): taking it
    # over would break the host's own auditing. CI machines run none.
    orig_enabled=; orig_backlog=
    skip "kernel audit is in use by an audit daemon (pid $apid); stop it (e.g. systemctl stop auditd) to run the live test"
fi
if [ "$orig_enabled" = 2 ]; then
    orig_enabled=; orig_backlog=
    die "the audit configuration is locked (enabled 2, immutable until reboot); cannot load test rules"
fi
rules_now=$(auditctl -l 2>&1) || die "auditctl -l failed: $rules_now"
if [ -n "$(grep -v '^No rules' <<<"$rules_now")" ]; then
    printf '%s\n' "$rules_now" > "$TMP/saved.rules"
    SAVED_RULES=1
    say "note: $(wc -l < "$TMP/saved.rules") existing audit rule(s) saved; they are restored at the end"
fi

# -------------------------------------------------------- the plugin binary
case $KS_BIN in /*) ;; *) KS_BIN=$PWD/$KS_BIN ;; esac
[ -f "$KS_BIN" ] && [ -x "$KS_BIN" ] || die "plugin binary not found or not executable: $KS_BIN (run make first)"
# auditd 3.0.9: root-owned regular file with at least rwxr-x--- (and we also
# want it not group/world-writable), in a directory whose name is >= 4 chars.
plugin_ok() {
    local f=$1 mode
    [ -f "$f" ] && [ ! -L "$f" ] || return 1
    [ "$(stat -c %u "$f")" = 0 ] || return 1
    mode=$((8#$(stat -c %a "$f")))
    (( (mode & 8#750) == 8#750 && (mode & 8#022) == 0 )) || return 1
    [ "${#f}" -gt 0 ] && [ "$(dirname "$f" | wc -c)" -gt 4 ]
}
PLUGIN=$KS_BIN
if ! plugin_ok "$PLUGIN"; then
    mkdir -m 0755 "$TMP/plugin-bin"
    cp "$KS_BIN" "$TMP/plugin-bin/audisp-kernel-seeking" || die "cannot copy $KS_BIN"
    PLUGIN=$TMP/plugin-bin/audisp-kernel-seeking
    chown 0:0 "$PLUGIN"; chmod 0750 "$PLUGIN"
    say "note: $KS_BIN does not meet auditd's ownership/mode rules; using a copy ($PLUGIN)"
fi

# ------------------------------------------------------------------ rsyslogd
SOCK=$TMP/log.sock
mkdir -m 0700 "$TMP/rsyslog-work"
cat > "$TMP/rsyslog.conf" <<EOF
# second rsyslogd instance for tests/live.sh; no system socket, no imklog
global(workDirectory="$TMP/rsyslog-work")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$SOCK" CreatePath="on" RateLimit.Interval="0")
template(name="ksTimed" type="string"
         string="%timegenerated:::date-rfc3339% %syslogfacility-text%.%syslogseverity-text% %programname%[%procid%]:%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n")
if \$programname == "audisp-kernel-seeking" then {
    action(type="omfile" file="$TMP/ks.log" template="ksTimed")
}
action(type="omfile" file="$TMP/all.log" template="ksTimed")
EOF
if ! out=$(rsyslogd -N1 -f "$TMP/rsyslog.conf" 2>&1); then
    printf '%s\n' "$out"
    die "rsyslogd rejects the test config"
fi
: > "$TMP/ks.log"   # rsyslogd appends to it; exists even if nothing arrives
rsyslogd -n -f "$TMP/rsyslog.conf" -i "$TMP/rsyslogd.pid" \
    </dev/null >"$TMP/rsyslogd.out" 2>&1 9>&- &
RSYSLOG_PID=$!
for ((i = 0; i < 50; i++)); do
    [ -S "$SOCK" ] && break
    alive "$RSYSLOG_PID" || break
    sleep 0.1
done
[ -S "$SOCK" ] || die "rsyslogd did not create $SOCK"

# --------------------------------------------------------------- auditd lab
LAB=$TMP/lab
mkdir -m 0750 "$LAB" "$LAB/plugins.d"
cat > "$LAB/auditd.conf" <<EOF
local_events = yes
write_logs = no
log_format = ENRICHED
name_format = NONE
log_group = root
priority_boost = 4
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 0
max_log_file_action = IGNORE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = SYSLOG
plugin_dir = $LAB/plugins.d
q_depth = 4000
overflow_action = SYSLOG
max_restarts = 10
EOF
chown 0:0 "$LAB/auditd.conf"; chmod 0640 "$LAB/auditd.conf"
# The plugin's own settings: the shipped all-defaults file (so the alerts must
# come out with the defaults: authpriv, warning, text), passed with --config
# because /etc/audit is not ours; it must exist for the SIGHUP reload.
KS_CONF=$LAB/audisp-kernel-seeking.conf
if [ -f "$KS_SRCDIR/conf/audisp-kernel-seeking.conf" ]; then
    cp "$KS_SRCDIR/conf/audisp-kernel-seeking.conf" "$KS_CONF"
else
    echo "# all defaults (tests/live.sh)" > "$KS_CONF"
fi
# The state file in the lab, not the machine's (nothing from an earlier run).
echo "state_file = $LAB/state" >> "$KS_CONF"
chown 0:0 "$KS_CONF"; chmod 0640 "$KS_CONF"
# auditd 3.0.9: at most 2 args tokens, lines < 160 bytes, spaces around "="
cat > "$LAB/plugins.d/kernel-seeking.conf" <<EOF
active = yes
direction = out
path = $PLUGIN
type = always
args = --config $KS_CONF
format = string
EOF
chown 0:0 "$LAB/plugins.d/kernel-seeking.conf"; chmod 0640 "$LAB/plugins.d/kernel-seeking.conf"

# syslog(3) writes to /dev/log: a bind mount needs an existing file there.
if [ ! -e /dev/log ] && [ ! -L /dev/log ]; then
    : > /dev/log || die "cannot create /dev/log (needed as a bind-mount point)"
    CREATED_DEVLOG=1
fi

cat > "$TMP/ns.sh" <<EOF
#!/bin/bash
# runs inside unshare --mount --propagation private: this namespace only
mount --bind "$SOCK" /dev/log || { echo "ns.sh: bind mount over /dev/log failed" >&2; exit 97; }
exec auditd -f -c "$LAB"
EOF
# unshare execs bash (no --fork) which execs auditd: $! is auditd's pid.
unshare --mount --propagation private bash "$TMP/ns.sh" \
    </dev/null >"$TMP/auditd.out" 2>"$TMP/auditd.err" 9>&- &
AUDITD_PID=$!

children_of() {   # pids whose parent is $1 (from /proc/PID/stat, field 4)
    local parent=$1 f line st ppid
    for f in /proc/[0-9]*/stat; do
        read -r line 2>/dev/null < "$f" || continue
        read -r st ppid _ <<<"${line##*) }"
        [ "$ppid" = "$parent" ] && { f=${f#/proc/}; echo "${f%/stat}"; }
    done
}
find_plugin() {
    local c
    for c in $(children_of "$AUDITD_PID"); do
        if tr '\0' '\n' < "/proc/$c/cmdline" 2>/dev/null | head -n 2 | grep -qxF -- "$PLUGIN"; then
            echo "$c"; return 0
        fi
    done
    return 1
}
registered=0
for ((i = 0; i < 100; i++)); do
    alive "$AUDITD_PID" || break
    if [ "$registered" = 0 ] && auditctl -s 2>/dev/null | grep -qx "pid $AUDITD_PID"; then
        registered=1
    fi
    if [ "$registered" = 1 ] && PLUGIN_PID=$(find_plugin); then break; fi
    PLUGIN_PID=
    sleep 0.1
done
alive "$AUDITD_PID" || { AUDITD_PID=; die "auditd exited at startup (see its stderr)"; }
[ "$registered" = 1 ] || die "auditd (pid $AUDITD_PID) did not register with the kernel within 10 s"
[ -n "$PLUGIN_PID" ] || die "auditd runs (pid $AUDITD_PID) but no plugin process $PLUGIN is running after 10 s (did it exit at once? its stderr is auditd's stderr)"
say "rsyslogd pid $RSYSLOG_PID, auditd pid $AUDITD_PID, plugin pid $PLUGIN_PID ($PLUGIN)"

# ------------------------------------------------------------------- rules
RULES_TOUCHED=1
auditctl -b 8192 >/dev/null || say "warning: could not raise the backlog limit"
auditctl -e 1 >/dev/null || die "auditctl -e 1 failed"
auditctl -a always,exit -F arch=b64 -S execve,execveat -k "$AUDIT_KEY" >/dev/null || die "cannot add the b64 exec rule"
auditctl -a always,exit -F arch=b32 -S execve,execveat -k "$AUDIT_KEY" >/dev/null || die "cannot add the b32 exec rule"

# ---------------------------------------------------------------- scenarios
TIMES=$TMP/times
printf 'abcdefghijklmnopqrstuvwxyz\n' > "$TMP/x"
printf 'abcdefghijklmnopqrstuvwxyz\n' > "$TMP/$RUN-L05-x"
cat > "$TMP/s.sh" <<EOF
tail -c+5 "$TMP/$RUN-L05-x"; true
EOF
# The scenario shell: its own argv has no /boot/ element, so only L05 (run
# under "sh s.sh /boot/...") can match through the parent's args.
cat > "$TMP/scenario.sh" <<EOF
#!/bin/bash
t() { local id=\$1; shift; printf '%s %s\n' "\$id" "\$EPOCHREALTIME" >> "$TIMES"; "\$@" </dev/null >/dev/null 2>&1; }
case \$1 in
main)
    t L01 tail -c 64 /boot/$RUN-L01-vmlinuz
    t L07 tail --bytes=9 /boot/$RUN-L07
    t L02 xxd -s 0x200 /boot/$RUN-L02
    t L08 xxd -s0x200 /boot/$RUN-L08
    t L03 hexdump -C -s 512 /boot/$RUN-L03
    t L09 dd if=/boot/$RUN-L09 of=/dev/null seek=1 count=0
    t L04 cmp -i 100 /boot/$RUN-L04 "$TMP/x"
    t L10 tail -c 5 /BOOT/$RUN-L10
    t L05 sh "$TMP/s.sh" /boot/$RUN-L05
    t L11 cat /boot/$RUN-L11
    t L06 tail -c 1 "/boot/$RUN-L06 my kernel"
    ;;
reload)
    t L12 tail --bytes 9 /boot/$RUN-L12
    ;;
esac
EOF
POS_MAIN="L01 L02 L03 L04 L05 L06"
NEG_MAIN="L07 L08 L09 L10 L11"

ALERT_RE='alert rule="Kernel Seeking Activity"'
alerts_for() { grep -a -F -- "$ALERT_RE" "$TMP/ks.log" | grep -a -F -- "$RUN-$1"; }
count_alerts() {   # count_alerts ID...: prints "ID N" (alert lines naming RUN-ID)
    awk -v run="$RUN" -v ids="$*" -v re="$ALERT_RE" '
        BEGIN { n = split(ids, id, " ") }
        index($0, re) { for (i = 1; i <= n; i++) if (index($0, run "-" id[i])) c[id[i]]++ }
        END { for (i = 1; i <= n; i++) print id[i], c[id[i]] + 0 }' "$TMP/ks.log"
}
n_alerts_for() { count_alerts "$1" | awk '{print $2}'; }
all_seen() { [ -z "$(count_alerts "$@" | awk '$2 == 0')" ]; }
usec() { echo "${EPOCHREALTIME/./}"; }
wait_for() {   # wait_for SECONDS COMMAND...: poll every 0.1 s until true or timeout
    local end=$(( $(usec) + $1 * 1000000 )); shift
    while :; do
        "$@" && return 0
        (( $(usec) >= end )) && return 1
        sleep 0.1
    done
}
to_epoch() { date -d "$1" +%s.%N 2>/dev/null; }
LATENCIES=
MAXLAT=0
check_positive() {   # check one positive id: exactly one alert, format, latency
    local id=$1 n line ts arr start lat
    n=$(n_alerts_for "$id")
    if [ "$n" != 1 ]; then fail "$id: expected exactly 1 alert, got $n"; return; fi
    line=$(alerts_for "$id")
    case $line in
        *" authpriv.warning audisp-kernel-seeking[$PLUGIN_PID]: "*) ;;
        *" authpriv.warning audisp-kernel-seeking["*) fail "$id: alert not from plugin pid $PLUGIN_PID: $line" ;;
        *) fail "$id: alert is not authpriv.warning from audisp-kernel-seeking[pid]: $line" ;;
    esac
    case $line in *"rule_id=$RULE_ID"*) ;; *) fail "$id: alert lacks rule_id=$RULE_ID" ;; esac
    ts=${line%% *}
    arr=$(to_epoch "$ts") || { fail "$id: cannot parse rsyslog time '$ts'"; return; }
    start=$(awk -v id="$id" '$1==id{print $2; exit}' "$TIMES")
    [ -n "$start" ] || { fail "$id: no start time recorded"; return; }
    lat=$(awk -v a="$arr" -v s="$start" 'BEGIN{printf "%.3f", a - s}')
    LATENCIES="$LATENCIES $id=${lat}s"
    if awk -v l="$lat" -v m="$MAXLAT" 'BEGIN{exit !(l > m)}'; then MAXLAT=$lat; fi
    if awk -v l="$lat" -v m="$MAX_LATENCY" 'BEGIN{exit !(l > m)}'; then
        fail "$id: alert arrived ${lat}s after its command (limit ${MAX_LATENCY}s)"
    fi
}

say "run id $RUN: running 6 positive and 5 negative commands"
bash "$TMP/scenario.sh" main 9>&-
t_cmds=$EPOCHREALTIME
wait_for "$WAIT_ALERTS" all_seen $POS_MAIN
sleep 0.5   # negatives ran before the last positive (L06); allow stragglers
waited=$(awk -v a="$EPOCHREALTIME" -v b="$t_cmds" 'BEGIN{printf "%.1f", a - b}')
for id in $POS_MAIN; do check_positive "$id"; done
for id in $NEG_MAIN; do
    n=$(n_alerts_for "$id")
    [ "$n" = 0 ] || fail "$id: negative case produced $n alert(s): $(alerts_for "$id")"
done
# spot checks of the alert text (escaped argv; hex-encoded path decoded)
line=$(alerts_for L01 | head -n 1)
[ -n "$line" ] && case $line in
    *"\"tail\",\"-c\",\"64\",\"/boot/$RUN-L01-vmlinuz\""*) ;;
    *) fail "L01: alert does not show argv \"tail\",\"-c\",\"64\",\"/boot/$RUN-L01-vmlinuz\": $line" ;;
esac
line=$(alerts_for L06 | head -n 1)
[ -n "$line" ] && case $line in
    *"\"/boot/$RUN-L06 my kernel\""*) ;;
    *) fail "L06: alert does not show the decoded path \"/boot/$RUN-L06 my kernel\": $line" ;;
esac

# -------------------------------------------------------------- ssh login
# A real login: sshd and PAM write LOGIN and USER_START, the plugin's
# session table makes them the alert's entry leader. `ssh host cmd` runs
# cmd with `bash -c`, which execs tail in place: the leader is tail's own
# pid, exec'd as bash.
SSH_USER=ksl$$
SSH_PORT=$((20000 + RANDOM % 10000))
mkdir -m 0755 "$TMP/ssh"
if ssh_lab_start "$TMP/ssh" "$SSH_PORT" "$SSH_USER"; then
    printf 'L13 %s\n' "$EPOCHREALTIME" >> "$TIMES"
    ssh_lab_ssh "$SSH_USER" -T "tail -c 3 /boot/$RUN-L13-ssh" < /dev/null > "$TMP/ssh/out" 2>&1
    wait_for "$WAIT_ALERTS" all_seen L13
    check_positive L13
    line=$(alerts_for L13 | head -n 1)
    pid=$(printf '%s\n' "$line" | sed -n 's/.* pid=\([0-9]*\) .*/\1/p')
    for want in " user=\"$SSH_USER\" " " auser=\"$SSH_USER\" " ' entry_type="sshd" ' \
                ' entry_ip="127.0.0.1" ' " entry_pid=$pid " ' entry_exe="/usr/bin/bash" ' \
                " entry_user=\"$SSH_USER\" "; do
        case $line in
            *"$want"*) ;;
            *) fail "L13 (ssh login): the alert lacks '${want# }': $line" ;;
        esac
    done
    [ -n "$line" ] && say "ssh login: $(printf '%s\n' "$line" | grep -o ' uid=.* name=' | sed 's/ name=$//')"
    ssh_lab_stop
else
    fail "L13: the private sshd for the ssh login did not start (see above)"
fi

# ---------------------------------------------------------------- lifecycle
new_ks_lines() { tail -n +"$(($1 + 1))" "$TMP/ks.log" 2>/dev/null; }
has_new() { new_ks_lines "$1" | grep -a -q -E -- "$2"; }

before=$(wc -l < "$TMP/ks.log" 2>/dev/null || echo 0)
kill -HUP "$AUDITD_PID"
if wait_for 5 has_new "$before" 'reloaded'; then
    say "SIGHUP: plugin logged: $(new_ks_lines "$before" | grep -a -m1 reloaded | cut -d' ' -f3-)"
else
    fail "SIGHUP to auditd: no plugin line containing 'reloaded' within 5 s"
fi
if ! alive "$PLUGIN_PID"; then
    fail "plugin pid $PLUGIN_PID is gone after SIGHUP"
    PLUGIN_PID=$(find_plugin) || PLUGIN_PID=
fi

bash "$TMP/scenario.sh" reload 9>&-
wait_for "$WAIT_ALERTS" all_seen L12
check_positive L12

# stop: remove our rules first (no auditd => the kernel would printk events)
restore_audit
before=$(wc -l < "$TMP/ks.log" 2>/dev/null || echo 0)
kill -TERM "$AUDITD_PID"
for ((i = 0; i < 100; i++)); do alive "$AUDITD_PID" || break; sleep 0.1; done
if alive "$AUDITD_PID"; then
    fail "auditd (pid $AUDITD_PID) did not exit within 10 s of SIGTERM"
else
    wait "$AUDITD_PID" 2>/dev/null
    AUDITD_PID=
fi
if wait_for 5 has_new "$before" 'stopping|stopped'; then
    say "SIGTERM: plugin logged: $(new_ks_lines "$before" | grep -a -m1 -E 'stopping|stopped' | cut -d' ' -f3-)"
else
    fail "auditd stop: no plugin line containing 'stopping' or 'stopped' within 5 s"
fi
if wait_for 5 eval '! alive "$PLUGIN_PID"'; then
    PLUGIN_PID=
else
    fail "plugin pid $PLUGIN_PID still running 5 s after auditd stopped"
fi

lost1=$(auditctl -s 2>/dev/null | awk '$1=="lost"{print $2}')
total=$(awk -v a="$EPOCHREALTIME" -v b="$T_START" 'BEGIN{printf "%.1f", a - b}')

# ------------------------------------------------------------------ summary
say "summary: plugin $PLUGIN; positives ${POS_MAIN} L12 L13 (ssh login), negatives ${NEG_MAIN}"
say "alert latency (command start -> rsyslog reception):${LATENCIES:- none} (max ${MAXLAT}s, limit ${MAX_LATENCY}s)"
say "alerts polled for ${waited}s after the commands; kernel lost counter ${lost0:-?} -> ${lost1:-?}; total ${total}s"
if [ "$FAILS" -gt 0 ]; then
    [ "${lost1:-0}" != "${lost0:-0}" ] && say "note: the kernel lost audit records during the run"
    dump
    say "FAILED ($FAILS check(s))"
    exit 1
fi
say "PASS"
exit 0
