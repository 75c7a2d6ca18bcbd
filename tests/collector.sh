#!/bin/bash
# A central collector the auditd way, with real daemons: a sender auditd
# (kernel events) whose audisp-remote plugin (Debian's audispd-plugins)
# sends them over TCP on loopback to a collector auditd (local_events = no,
# tcp_listen_port, distribute_network = yes) that runs audisp-kernel-seeking;
# the plugin's alerts are read back from a real rsyslogd.
#
#   make check                          (KS_BIN, KS_SRCDIR from TESTS_ENVIRONMENT)
#   bash tests/collector.sh             (KS_BIN defaults to ./plugin/audisp-kernel-seeking)
#   KS_KEEP=1 bash tests/collector.sh   (keep the temp dir for inspection)
#
# Exit status (automake): 0 pass, 77 skip, 1 fail. Skips ONLY when not root,
# when kernel audit is unavailable or owned by another audit daemon, when
# audisp-remote is not installed (apt-get install audispd-plugins), or when
# no private mount namespace can be made. Other missing tools fail.
#
# Two auditd on one machine, and what would clash between them:
#  - kernel audit: only the sender has local_events = yes and registers
#    with the kernel; the collector (local_events = no) never calls
#    audit_set_pid and never touches the audit rules or the enabled flag;
#  - the pid file: auditd 3.0.9 writes /var/run/auditd.pid whatever its -c
#    (and /var/run/auditd.state on SIGCONT) and unlinks it on exit, so one
#    daemon's exit would delete the other's: each auditd runs in its own
#    mount namespace with a private tmpfs on /run;
#  - audisp-remote reads /etc/audit/audisp-remote.conf, a path compiled
#    in: the sender's namespace bind-mounts the test's file over it (the
#    host's file is never written);
#  - logs: both run with -f (foreground: no log files, events on stdout,
#    which the test keeps for its failure dump); plugin_dir is private;
#  - the TCP port: a free one, picked at start. auditd 3.0.9 has no listen
#    address setting (it listens on every address): the port is open
#    only while the test runs, and its ACLs are off (use_libwrap = no);
#  - tcp_max_per_addr (default 1): the real and the hostile sender both
#    come from 127.0.0.1, the hostile one with two connections: 4 here.
#
# Only the test's own commands are audited: they run under a login uid
# of their own (a new audit session) and the exec rules filter on it. The
# machine is shared; with all its execs audited, a collector outage makes
# audisp-remote block in its retries while the sender auditd's plugin
# queue fills, and events are dropped at the sender (README).
#
# What it checks (every command's path carries a run id):
#  1. topology: C01 `sh s.sh /boot/RUN-C01` whose child is `tail -c+5 FILE`
#     (matches only through the parent's argv), C02 `tail -c 64 /boot/...`,
#     C03 `cat /boot/...` (negative): exactly one alert each for C01, C02,
#     none for C03; host.name is the sender's node (ks-sender-1, from
#     name_format = user) and C01's process.parent.args are the sender's
#     parent argv. The collector's plugin runs with proc_fallback = no, so
#     that parent can only come from the sender's events: sender and
#     collector share this machine, and /proc would know it too;
#  2. collector restart: the collector auditd is stopped while the sender
#     runs, C04 (parent chain) runs while it is down, a new collector
#     starts on the same port, C05 runs after: audisp-remote queued C04's
#     records and reconnects; both alerts arrive, once each, from the new
#     plugin;
#  3. plugin SIGKILL at the collector: auditd restarts it on its next write;
#     C06 (parent chain, after the kill) alerts, from a new plugin pid.
#     A parent that exec'd before the kill (C07) is known to the restarted
#     plugin only through the state file it saved every second: C07
#     alerts with that parent's argv;
#  4. a hostile sender (tests/collector_evil.py) on the same collector
#     port, under node ks-evil: garbage, broken records, 2000 events that
#     never complete, unframed bytes, an exec claiming the pid of a live
#     parent of the real sender, and an exec whose ppid is that parent;
#     meanwhile the real sender's C08 (that parent's child) and C09 alert
#     with host.name ks-sender-1 and the real parent argv; the forged
#     positive E1 alerts as ks-evil; E3 (forged child) does not alert;
#     no alert of ks-sender-1 names anything forged; same plugin pid.
# Takes /tmp/ks-auditd.lock for the whole run (kernel audit, /dev/log); on
# exit (trap) removes the test's audit rules, restores the enabled flag and
# backlog limit, stops every daemon it started by pid, removes its files.

set -u
export LC_ALL=C
PROG=collector.sh
LOCK=/tmp/ks-auditd.lock
AUDIT_KEY=kernel-seeking
NODE=ks-sender-1
EVIL=ks-evil
WAIT=15                # seconds to wait for an alert through both daemons

KS_BIN=${KS_BIN:-./plugin/audisp-kernel-seeking}
KS_SRCDIR=${KS_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}

say()  { printf '%s: %s\n' "$PROG" "$*"; }
skip() { say "SKIP: $*"; exit 77; }

# ------------------------------------------------------------- skip checks
[ "$(id -u)" = 0 ] || skip "needs root (kernel audit, two auditd, mount namespaces)"
REMOTE=
for f in /sbin/audisp-remote /usr/sbin/audisp-remote; do
    [ -x "$f" ] && { REMOTE=$f; break; }
done
[ -n "$REMOTE" ] || skip "audisp-remote is not installed (apt-get install audispd-plugins)"
[ -f /etc/audit/audisp-remote.conf ] ||
    skip "/etc/audit/audisp-remote.conf is missing (audisp-remote's compiled-in path; reinstall audispd-plugins)"

missing=
need() {   # need TOOL PACKAGE
    command -v "$1" >/dev/null 2>&1 || missing="$missing
  $1 (apt-get install $2)"
}
need auditctl auditd
need auditd auditd
need rsyslogd rsyslog
need python3 python3
need tail coreutils
need flock util-linux
need unshare util-linux
need mount mount
need ss iproute2
if [ -n "$missing" ]; then
    say "FAIL: missing tools:$missing"
    exit 1
fi
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
# LOCK_FD: the lock's descriptor, closed in everything the test starts (a
# process left behind must not hold the lock for others)
held=0
LOCK_FD=9
for fd in /proc/$$/fd/*; do
    if [ "$(readlink "$fd" 2>/dev/null)" = "$LOCK" ] && flock -n "${fd##*/}" 2>/dev/null; then
        held=1; LOCK_FD=${fd##*/}; break
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
RUN=ksc$$r$RANDOM

# ------------------------------------------------------------------- state
TMP=
RSYSLOG_PID=
SENDER_PID=
COLLECTOR_PID=
PLUGIN_PID=
CREATED_DEVLOG=0
RULES_TOUCHED=0
SAVED_RULES=0
orig_enabled=
orig_backlog=
FAILS=0
CLEANED=0
waiters=()

fail() { say "FAIL: $*"; FAILS=$((FAILS + 1)); }

dump() {
    [ -n "$TMP" ] || return 0
    echo "----- alerts and plugin lines (rsyslog, programname audisp-kernel-seeking), cut at 400 bytes -----"
    cut -c1-400 "$TMP/ks.log" 2>/dev/null | tail -n 40
    echo "----- other syslog lines (audisp-remote, auditd), last 30 -----"
    grep -a -v -F ' audisp-kernel-seeking[' "$TMP/all.log" 2>/dev/null | tail -n 30
    for f in sender collector collector2; do
        [ -f "$TMP/$f.err" ] || continue
        echo "----- $f auditd stderr -----"
        tail -n 20 "$TMP/$f.err"
    done
    echo "----- what the collector received for this run ($RUN), cut at 300 bytes -----"
    cat "$TMP"/collector*.out 2>/dev/null | grep -a -F -- "$RUN" | tr '\035' ' ' | cut -c1-300 | head -n 40
    echo "-----"
}
die() { fail "$*"; dump; exit 1; }

alive() {
    local line st
    [ -n "$1" ] || return 1
    read -r line 2>/dev/null < "/proc/$1/stat" || return 1
    st=${line##*) }; st=${st%% *}
    [ -n "$st" ] && [ "$st" != Z ]
}
stop_pid() {   # stop_pid PID [wait-as-child]: TERM, up to 10 s, then KILL
    local pid=$1 i
    alive "$pid" || { [ -n "${2:-}" ] && wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do alive "$pid" || break; sleep 0.1; done
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
    local p
    restore_audit
    # the parents waiting for a go file (steps 3, 4) end when it exists
    [ -n "$TMP" ] && [ -d "$TMP" ] && touch "$TMP/go-C07" "$TMP/go-C08"
    for p in "${waiters[@]}"; do wait "$p" 2>/dev/null; done
    [ -n "$SENDER_PID" ] && stop_pid "$SENDER_PID" child
    [ -n "$COLLECTOR_PID" ] && stop_pid "$COLLECTOR_PID" child
    [ -n "$PLUGIN_PID" ] && stop_pid "$PLUGIN_PID"
    if [ -n "$orig_enabled" ]; then
        auditctl -e "$orig_enabled" >/dev/null 2>&1 || say "warning: could not restore enabled=$orig_enabled"
    fi
    if [ -n "$orig_backlog" ]; then
        auditctl -b "$orig_backlog" >/dev/null 2>&1 || say "warning: could not restore backlog_limit=$orig_backlog"
    fi
    [ -n "$RSYSLOG_PID" ] && stop_pid "$RSYSLOG_PID" child
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

TMP=$(mktemp -d /tmp/ks-collector.XXXXXX) || die "mktemp failed"
chmod 0700 "$TMP"

# ------------------------------------------------------- record audit state
status=$(auditctl -s 2>&1) || die "auditctl -s failed: $status"
apid=$(awk '$1=="pid"{print $2}' <<<"$status")
orig_enabled=$(awk '$1=="enabled"{print $2}' <<<"$status")
orig_backlog=$(awk '$1=="backlog_limit"{print $2}' <<<"$status")
if [ "${apid:-0}" != 0 ]; then
    orig_enabled=; orig_backlog=
    skip "kernel audit is in use by an audit daemon (pid $apid); stop it to run the collector test"
fi
if [ "$orig_enabled" = 2 ]; then
    orig_enabled=; orig_backlog=
    die "the audit configuration is locked (enabled 2); cannot load test rules"
fi
rules_now=$(auditctl -l 2>&1) || die "auditctl -l failed: $rules_now"
if [ -n "$(grep -v '^No rules' <<<"$rules_now")" ]; then
    printf '%s\n' "$rules_now" > "$TMP/saved.rules"
    SAVED_RULES=1
fi

# -------------------------------------------------------- the plugin binary
case $KS_BIN in /*) ;; *) KS_BIN=$PWD/$KS_BIN ;; esac
[ -f "$KS_BIN" ] && [ -x "$KS_BIN" ] || die "plugin binary not found or not executable: $KS_BIN (run make first)"
# auditd 3.0.9 wants a root-owned file, at least rwxr-x---, in a directory
# whose name has 4 characters or more: use a copy that is.
mkdir -m 0755 "$TMP/plugin-bin"
PLUGIN=$TMP/plugin-bin/audisp-kernel-seeking
cp "$KS_BIN" "$PLUGIN" || die "cannot copy $KS_BIN"
chown 0:0 "$PLUGIN"; chmod 0750 "$PLUGIN"

# ------------------------------------------------------------------ rsyslogd
SOCK=$TMP/log.sock
mkdir -m 0700 "$TMP/rsyslog-work"
cat > "$TMP/rsyslog.conf" <<EOF
global(workDirectory="$TMP/rsyslog-work" maxMessageSize="64k")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$SOCK" CreatePath="on" RateLimit.Interval="0")
template(name="ksTimed" type="string"
         string="%timegenerated:::date-rfc3339% %syslogfacility-text%.%syslogseverity-text% %programname%[%procid%]:%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n")
template(name="ksPidMsg" type="string" string="%procid% %msg:::drop-last-lf%\n")
if \$programname == "audisp-kernel-seeking" then {
    action(type="omfile" file="$TMP/ks.log" template="ksTimed")
    action(type="omfile" file="$TMP/ks.msg" template="ksPidMsg")
}
action(type="omfile" file="$TMP/all.log" template="ksTimed")
EOF
out=$(rsyslogd -N1 -f "$TMP/rsyslog.conf" 2>&1) || die "rsyslogd rejects the test config: $out"
: > "$TMP/ks.log"; : > "$TMP/ks.msg"
rsyslogd -n -f "$TMP/rsyslog.conf" -i "$TMP/rsyslogd.pid" \
    </dev/null >"$TMP/rsyslogd.out" 2>&1 {LOCK_FD}>&- &
RSYSLOG_PID=$!
for ((i = 0; i < 50; i++)); do
    [ -S "$SOCK" ] && break
    alive "$RSYSLOG_PID" || break
    sleep 0.1
done
[ -S "$SOCK" ] || die "rsyslogd did not create $SOCK"
if [ ! -e /dev/log ] && [ ! -L /dev/log ]; then
    : > /dev/log || die "cannot create /dev/log (needed as a bind-mount point)"
    CREATED_DEVLOG=1
fi

# ----------------------------------------------------------------- configs
PORT=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
[ -n "$PORT" ] || die "no free TCP port"

common_auditd_conf() {   # the settings both daemons share
    cat <<EOF
write_logs = no
log_format = ENRICHED
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
q_depth = 4000
overflow_action = SYSLOG
max_restarts = 10
EOF
}

# The collector: no kernel events, listens for senders, hands their events
# to its plugins (distribute_network), and runs this plugin.
COL=$TMP/collector
mkdir -m 0750 "$COL" "$COL/plugins.d"
{
    common_auditd_conf
    cat <<EOF
local_events = no
name_format = NONE
tcp_listen_port = $PORT
tcp_listen_queue = 5
tcp_max_per_addr = 4
use_libwrap = no
tcp_client_max_idle = 0
distribute_network = yes
plugin_dir = $COL/plugins.d
EOF
} > "$COL/auditd.conf"
KS_CONF=$COL/audisp-kernel-seeking.conf
cat > "$KS_CONF" <<EOF
# tests/collector.sh: the collector's settings (see README, "Central
# collector with audisp-remote")
format = json
max_message_size = 60000
proc_fallback = no
state_file = $COL/state/table
state_save_interval = 1
EOF
cat > "$COL/plugins.d/kernel-seeking.conf" <<EOF
active = yes
direction = out
path = $PLUGIN
type = always
args = --config $KS_CONF
format = string
EOF

# The sender: kernel events, named by name_format = user, sent by
# audisp-remote (format = managed: acknowledged records) to the collector.
SND=$TMP/sender
mkdir -m 0750 "$SND" "$SND/plugins.d"
{
    common_auditd_conf
    cat <<EOF
local_events = yes
name_format = user
name = $NODE
plugin_dir = $SND/plugins.d
EOF
} > "$SND/auditd.conf"
cat > "$SND/au-remote.conf" <<EOF
active = yes
direction = out
path = $REMOTE
type = always
format = string
EOF
cp "$SND/au-remote.conf" "$SND/plugins.d/au-remote.conf"
cat > "$SND/audisp-remote.conf" <<EOF
remote_server = 127.0.0.1
port = $PORT
transport = tcp
queue_file = $SND/remote.queue
mode = immediate
queue_depth = 10240
format = managed
network_retry_time = 1
max_tries_per_record = 3
max_time_per_record = 5
heartbeat_timeout = 0
network_failure_action = syslog
disk_low_action = ignore
disk_full_action = warn_once
disk_error_action = warn_once
remote_ending_action = reconnect
generic_error_action = syslog
generic_warning_action = syslog
queue_error_action = syslog
overflow_action = syslog
startup_failure_action = warn_once_continue
EOF
for f in "$COL/auditd.conf" "$KS_CONF" "$COL/plugins.d/kernel-seeking.conf" \
         "$SND/auditd.conf" "$SND/plugins.d/au-remote.conf" "$SND/audisp-remote.conf"; do
    chown 0:0 "$f"; chmod 0640 "$f"
done

# Each daemon in a mount namespace of its own: a private /run (pid file),
# our rsyslogd as /dev/log, and for the sender our audisp-remote.conf.
cat > "$TMP/ns-collector.sh" <<EOF
#!/bin/bash
mount -t tmpfs -o mode=0755 ks-run /run || exit 97
mount --bind "$SOCK" /dev/log || exit 97
exec auditd -f -c "$COL"
EOF
cat > "$TMP/ns-sender.sh" <<EOF
#!/bin/bash
mount -t tmpfs -o mode=0755 ks-run /run || exit 97
mount --bind "$SOCK" /dev/log || exit 97
mount --bind "$SND/audisp-remote.conf" /etc/audit/audisp-remote.conf || exit 97
exec auditd -f -c "$SND"
EOF

children_of() {
    local parent=$1 f line st ppid
    for f in /proc/[0-9]*/stat; do
        read -r line 2>/dev/null < "$f" || continue
        read -r st ppid _ <<<"${line##*) }"
        [ "$ppid" = "$parent" ] && { f=${f#/proc/}; echo "${f%/stat}"; }
    done
}
child_running() {   # child_running PARENT PATH: the pid of PARENT's child exec'd as PATH
    local c
    for c in $(children_of "$1"); do
        if tr '\0' '\n' < "/proc/$c/cmdline" 2>/dev/null | head -n 1 | grep -qxF -- "$2"; then
            echo "$c"; return 0
        fi
    done
    return 1
}
usec() { echo "${EPOCHREALTIME/./}"; }
wait_for() {   # wait_for SECONDS COMMAND...
    local end=$(( $(usec) + $1 * 1000000 )); shift
    while :; do
        "$@" && return 0
        (( $(usec) >= end )) && return 1
        sleep 0.1
    done
}
listening() { [ -n "$(ss -Hltn "sport = :$PORT" 2>/dev/null)" ]; }

start_collector() {   # start_collector NAME: auditd + plugin, sets COLLECTOR_PID, PLUGIN_PID
    unshare --mount --propagation private bash "$TMP/ns-collector.sh" \
        </dev/null >"$TMP/$1.out" 2>"$TMP/$1.err" {LOCK_FD}>&- &
    COLLECTOR_PID=$!
    PLUGIN_PID=
    for ((i = 0; i < 100; i++)); do
        alive "$COLLECTOR_PID" || break
        listening && PLUGIN_PID=$(child_running "$COLLECTOR_PID" "$PLUGIN") && break
        PLUGIN_PID=
        sleep 0.1
    done
    alive "$COLLECTOR_PID" || { COLLECTOR_PID=; die "collector auditd exited at start (see its stderr)"; }
    listening || die "collector auditd (pid $COLLECTOR_PID) does not listen on port $PORT after 10 s"
    [ -n "$PLUGIN_PID" ] || die "collector auditd runs but no plugin process after 10 s"
}

start_collector collector
unshare --mount --propagation private bash "$TMP/ns-sender.sh" \
    </dev/null >"$TMP/sender.out" 2>"$TMP/sender.err" {LOCK_FD}>&- &
SENDER_PID=$!
registered=0
REMOTE_PID=
for ((i = 0; i < 100; i++)); do
    alive "$SENDER_PID" || break
    auditctl -s 2>/dev/null | grep -qx "pid $SENDER_PID" && registered=1
    [ "$registered" = 1 ] && REMOTE_PID=$(child_running "$SENDER_PID" "$REMOTE") && break
    REMOTE_PID=
    sleep 0.1
done
alive "$SENDER_PID" || { SENDER_PID=; die "sender auditd exited at start (see its stderr)"; }
[ "$registered" = 1 ] || die "sender auditd (pid $SENDER_PID) did not register with the kernel within 10 s"
[ -n "$REMOTE_PID" ] || die "sender auditd runs but audisp-remote is not running after 10 s"
say "rsyslogd $RSYSLOG_PID; collector auditd $COLLECTOR_PID (port $PORT), plugin $PLUGIN_PID; sender auditd $SENDER_PID ($NODE), audisp-remote $REMOTE_PID"

# Only the test's commands are audited: they run under a login uid of
# their own (run below). This machine is shared and busy; with every exec
# of it audited, a collector outage fills the sender auditd's plugin queue
# while audisp-remote retries (see README) and events are dropped there,
# before this plugin could see them.
TEST_AUID=$((3000000 + $$ % 100000))
( echo "$TEST_AUID" > /proc/self/loginuid ) 2>/dev/null ||
    die "cannot set a login uid (/proc/self/loginuid) for the test's commands"
RULES_TOUCHED=1
auditctl -b 8192 >/dev/null || say "warning: could not raise the backlog limit"
auditctl -e 1 >/dev/null || die "auditctl -e 1 failed"
auditctl -a always,exit -F arch=b64 -S execve,execveat -F auid="$TEST_AUID" -k "$AUDIT_KEY" >/dev/null || die "cannot add the b64 exec rule"
auditctl -a always,exit -F arch=b32 -S execve,execveat -F auid="$TEST_AUID" -k "$AUDIT_KEY" >/dev/null || die "cannot add the b32 exec rule"

# ---------------------------------------------------------------- helpers
printf 'abcdefghijklmnopqrstuvwxyz\n' > "$TMP/x"
# s.sh: the parent of a chain. Its argv carries the /boot/ path, its child
# tail does not; with WAIT_FILE it waits for that file first (a parent
# that lives across a fault).
cat > "$TMP/s.sh" <<EOF
if [ -n "\${2:-}" ]; then
    n=0
    while [ ! -e "\$2" ] && [ \$n -lt 600 ]; do sleep 0.1; n=\$((n + 1)); done
fi
tail -c+5 "$TMP/x" >/dev/null
true
EOF
# run ID CMD...: the command, quietly, under the test's login uid (a new
# audit session; the rules only audit that auid)
run() {
    ( echo "$TEST_AUID" > /proc/self/loginuid && exec "${@:2}" ) </dev/null >/dev/null 2>&1 {LOCK_FD}>&-
}

# alerts ID: one line per alert naming RUN-ID in its own or its parent's
# argv: "plugin-pid<TAB>host.name<TAB>args json<TAB>parent args json"
alerts() {
    python3 - "$TMP/ks.msg" "$RUN-$1" <<'PY'
import json, sys
needle = sys.argv[2]
for line in open(sys.argv[1], errors="replace"):
    pid, _, msg = line.partition(" ")
    try:
        a = json.loads(msg)
    except ValueError:
        continue
    if not isinstance(a, dict) or "rule" not in a:
        continue
    p = a.get("process", {})
    args, pargs = p.get("args", []), p.get("parent", {}).get("args", [])
    if any(needle in x for x in args + pargs):
        print("%s\t%s\t%s\t%s" % (pid, a.get("host", {}).get("name"),
              json.dumps(args), json.dumps(pargs)))
PY
}
n_alerts() { alerts "$1" | wc -l; }
# polled: grep, not python (each python3 start is dozens of execs here)
seen() { local id; for id; do grep -q -F -- "$RUN-$id" "$TMP/ks.msg" || return 1; done; }

# expect_alert ID HOST PARENT-SUBSTRING|-: exactly one alert, of HOST,
# from the plugin pid in PLUGIN_PID, whose parent args contain the string
expect_alert() {
    local id=$1 host=$2 parent=$3 lines n pid h args pargs
    lines=$(alerts "$id")
    n=$(printf '%s' "$lines" | grep -c .)
    if [ "$n" != 1 ]; then
        fail "$id: expected exactly 1 alert, got $n${lines:+: $lines}"
        return
    fi
    IFS=$'\t' read -r pid h args pargs <<<"$lines"
    [ "$h" = "$host" ] || fail "$id: host.name is '$h', expected '$host' ($lines)"
    [ "$pid" = "$PLUGIN_PID" ] || fail "$id: alert from plugin pid $pid, expected $PLUGIN_PID"
    if [ "$parent" != - ]; then
        case $pargs in
            *"$parent"*) ;;
            *) fail "$id: process.parent.args $pargs lack '$parent'" ;;
        esac
    fi
    say "$id: host.name=$h args=$args parent.args=$pargs"
}
expect_none() {
    local lines
    lines=$(alerts "$1")
    [ -z "$lines" ] || fail "$1: expected no alert, got: $lines"
}

# ---------------------------------------------------------- 1. topology
say "run id $RUN: 1. topology"
run C01 sh "$TMP/s.sh" "/boot/$RUN-C01"
run C02 tail -c 64 "/boot/$RUN-C02"
run C03 cat "/boot/$RUN-C03"
wait_for "$WAIT" seen C01 C02 || fail "C01/C02: alerts did not all arrive within ${WAIT}s"
sleep 0.5
expect_alert C01 "$NODE" "/boot/$RUN-C01"
alerts C01 | grep -q '"tail", "-c+5"' || fail "C01: the alert is not tail's (its args): $(alerts C01)"
expect_alert C02 "$NODE" -
expect_none C03

# ------------------------------------------------- 2. collector restart
say "2. collector auditd restarted while the sender runs"
old_plugin=$PLUGIN_PID
stop_pid "$COLLECTOR_PID" child
COLLECTOR_PID=
alive "$old_plugin" && fail "the collector's plugin (pid $old_plugin) outlived its auditd"
PLUGIN_PID=
run C04 sh "$TMP/s.sh" "/boot/$RUN-C04"
sleep 1
start_collector collector2
[ "$PLUGIN_PID" != "$old_plugin" ] || fail "collector restart: same plugin pid $PLUGIN_PID"
# audisp-remote reconnects when its next record arrives: C05's
run C05 sh "$TMP/s.sh" "/boot/$RUN-C05"
wait_for "$WAIT" seen C04 C05 || fail "C04/C05: alerts did not all arrive within ${WAIT}s of the restart"
sleep 0.5
expect_alert C04 "$NODE" "/boot/$RUN-C04"
expect_alert C05 "$NODE" "/boot/$RUN-C05"

# --------------------------------------------- 3. plugin SIGKILL at the collector
say "3. the collector's plugin killed with SIGKILL"
# C07's parent exec's now and lives across the kill; its child runs after.
run C07 sh "$TMP/s.sh" "/boot/$RUN-C07" "$TMP/go-C07" {LOCK_FD}>&- &
waiters+=($!)
# the periodic save (state_save_interval = 1) must have run once since
sleep 2.5
old_plugin=$PLUGIN_PID
kill -KILL "$PLUGIN_PID"
# auditd notices on its next write (EPIPE) and restarts the plugin; what it
# was writing meanwhile is auditd's to lose (a slow start, as under ASan,
# lost C06 whole), so a harmless command wakes it, and C06 runs once the
# new plugin said it started
new_plugin() { PLUGIN_PID=$(child_running "$COLLECTOR_PID" "$PLUGIN") && [ "$PLUGIN_PID" != "$old_plugin" ]; }
plugin_started() { grep -Eq "^$PLUGIN_PID +audisp-kernel-seeking [^ ]+ started: " "$TMP/ks.msg"; }
woken() { run W06 /bin/true; new_plugin; }
wait_for 10 woken || fail "auditd did not restart the plugin within 10 s of its SIGKILL"
wait_for 10 plugin_started || fail "the restarted plugin (pid $PLUGIN_PID) did not say it started"
run C06 sh "$TMP/s.sh" "/boot/$RUN-C06"
wait_for "$WAIT" seen C06 || fail "C06: no alert within ${WAIT}s of the plugin's restart"
sleep 0.5
expect_alert C06 "$NODE" "/boot/$RUN-C06"
: > "$TMP/go-C07"
wait "${waiters[-1]}" 2>/dev/null
# The restarted plugin has no table entry for C07's parent but what the
# state file gave it (proc_fallback = no).
wait_for "$WAIT" seen C07 || fail "C07: no alert: the restarted plugin did not know the parent from the state file"
sleep 0.5
expect_alert C07 "$NODE" "/boot/$RUN-C07"

# -------------------------------------------------- 4. a hostile sender
say "4. a hostile sender beside the real one"
# The real parent of C08 lives (waits) while the hostile sender claims its
# pid on ks-evil and forges a child of it there.
run C08 sh "$TMP/s.sh" "/boot/$RUN-C08" "$TMP/go-C08" {LOCK_FD}>&- &
waiters+=($!)
c08_parent=
find_c08() { c08_parent=$(pgrep -f -x "sh $TMP/s.sh /boot/$RUN-C08 $TMP/go-C08" | head -n1); [ -n "$c08_parent" ]; }
wait_for 5 find_c08 || fail "C08: its parent shell did not start"
# the template: C02's records as the collector received them
grep -a -F "node=$NODE " "$TMP/collector.out" | grep -a -F -- "$(
    grep -a -F "/boot/$RUN-C02" "$TMP/collector.out" | grep -a -F 'type=EXECVE' |
    head -n1 | grep -a -o 'msg=audit([0-9.:]*)')" > "$TMP/template"
[ "$(grep -c 'type=SYSCALL' "$TMP/template")" = 1 ] || die "no template event (C02's records) in the collector's output"
plugin_before=$PLUGIN_PID
python3 "$KS_SRCDIR/tests/collector_evil.py" "$PORT" "$TMP/template" "$EVIL" \
    "990001:$((c08_parent + 1)):1:tail,-c,64,/boot/$RUN-E1" \
    "990002:$((c08_parent + 2)):$c08_parent:tail,-c,1,/etc/$RUN-E3" \
    "990003:$c08_parent:1:sh,/tmp/evil,/etc/$RUN-E2" \
    > "$TMP/evil.out" 2>&1 {LOCK_FD}>&- || fail "the hostile sender failed: $(cat "$TMP/evil.out")"
say "$(cat "$TMP/evil.out")"
grep -q -E '^collector_evil: ([0-9]+) of \1 messages acknowledged$' "$TMP/evil.out" ||
    fail "the collector did not take every message of the hostile sender: $(cat "$TMP/evil.out")"
: > "$TMP/go-C08"
wait "${waiters[-1]}" 2>/dev/null
run C09 tail -c 64 "/boot/$RUN-C09"
wait_for "$WAIT" seen C08 C09 E1 || fail "C08/C09/E1: alerts did not all arrive within ${WAIT}s"
sleep 1
expect_alert C08 "$NODE" "/boot/$RUN-C08"
expect_alert C09 "$NODE" -
expect_alert E1 "$EVIL" -
expect_none E2
expect_none E3
[ "$PLUGIN_PID" = "$plugin_before" ] && alive "$PLUGIN_PID" ||
    fail "the plugin did not survive the hostile sender (pid $plugin_before)"
mis=$(python3 - "$TMP/ks.msg" "$NODE" "$RUN-E" <<'PY'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        a = json.loads(line.partition(" ")[2])
    except ValueError:
        continue
    if isinstance(a, dict) and a.get("host", {}).get("name") == sys.argv[2] \
            and sys.argv[3] in json.dumps(a):
        print(line.strip()[:300])
PY
)
[ -z "$mis" ] || fail "alerts of $NODE name what the hostile sender forged: $mis"

# ------------------------------------------------------------------ stop
restore_audit
stop_pid "$SENDER_PID" child; SENDER_PID=
stop_pid "$COLLECTOR_PID" child; COLLECTOR_PID=
last_plugin=$PLUGIN_PID
if wait_for 5 eval '! alive "$PLUGIN_PID"'; then PLUGIN_PID=; else fail "plugin still running after its auditd stopped"; fi
# what the last plugin counted (the hostile sender's input among it)
stopline() { grep -a -F "audisp-kernel-seeking[$last_plugin]: stopping" "$TMP/ks.log"; }
if wait_for 5 stopline >/dev/null; then
    say "plugin $last_plugin at its stop:$(stopline | grep -o -E ' (records|skipped_records|execs|malformed|alerts|nodes|evictions)=[0-9]+' | tr -d '\n')"
else
    fail "plugin $last_plugin logged no stop line with its statistics"
fi
total=$(awk -v a="$EPOCHREALTIME" -v b="$T_START" 'BEGIN{printf "%.1f", a - b}')
if [ "$FAILS" -gt 0 ]; then
    dump
    say "FAILED ($FAILS check(s)) in ${total}s"
    exit 1
fi
say "PASS in ${total}s"
exit 0
