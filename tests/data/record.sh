#!/bin/bash
# Record the audit fixtures of tests/data/ from the REAL kernel audit + auditd.
#
#   flock /tmp/ks-auditd.lock bash tests/data/record.sh [TARGET ...]
#   (plain "bash tests/data/record.sh" takes the lock itself)
#
# TARGETs (default: all of them), each a separate auditd run:
#   raw-exec       log_format=RAW      name_format=NONE      exec rules         audit.log form (no EOE)
#   enriched-exec  log_format=ENRICHED name_format=HOSTNAME  exec rules         plugin-stdin form (EOE)
#   raw-fork       log_format=RAW      name_format=HOSTNAME  exec + fork rules  plugin-stdin form (EOE)
#   enriched-fork  log_format=ENRICHED name_format=NONE      exec + fork rules  audit.log form (no EOE)
#   sample         log_format=ENRICHED name_format=NONE      exec rules         audit.log form,
#                  scenarios P01 P07 N01 N05 N13 only (README quick start)
#   busy-fork      log_format=RAW      name_format=NONE      exec + fork rules  plugin-stdin form (EOE),
#                  tests/data/ordering.sh instead of scenarios.sh: a busy fork/exec load (late
#                  fork records) and the record-order shapes; then reduced by
#                  tests/data/order-cases.py select, and the minimal cases
#                  tests/data/order/*.log cut from it (SCENARIOS.md, "Record order")
# Output: tests/data/<TARGET>.log.  Needs root and a working kernel audit
# (auditctl -s), the Debian packages auditd, python3, and for P16 gcc-multilib
# (P16 is skipped without it), for N08 busybox (skipped without it).
#
# How one run works:
#   * a lab dir /tmp/ks-lab.XXXXXX holds auditd.conf (write_logs=yes,
#     log_file=LAB/audit.log, plugin_dir=LAB/plugins.d) and a capture plugin
#     LAB/plugins.d-bin/capture (root-owned, 0750; snippet 0640, type=always,
#     format=string) that copies its stdin to LAB/plugin-stdin.log.  So every
#     run yields both the audit.log form (no EOE records) and the plugin form
#     (with EOE records, exactly what a plugin receives);
#   * "auditd -f -c LAB > LAB/audit.log" is started (in -f mode auditd writes
#     the log records to stdout rather than to log_file; same bytes, checked
#     equal to the plugin stream minus its EOE records for RAW), the backlog limit is raised to 8192, the
#     rules are loaded:
#       -a always,exit -F arch=b64 -S execve,execveat -k exec   (and b32)
#       fork targets also: -a always,exit -F arch=b64 -S clone,clone3,fork,vfork -k fork
#                          -a always,exit -F arch=b32 -S clone,clone3,fork,vfork -k fork
#                          (b32 falls back to clone,fork,vfork if clone3 is refused)
#   * tests/data/scenarios.sh runs as a child; its root pid goes to LAB/root.pid.
#     Before exec'ing it, the child writes 0 to /proc/self/loginuid, which gives
#     the scenario tree its own audit session id (LAB/root.ses; auid=0 in the
#     recorded events);
#   * after 2 s the rules are deleted, auditing disabled, the backlog limit
#     restored, and auditd stopped (by its pid);
#   * tests/data/filter-tree.py keeps only whole events whose SYSCALL pid is in
#     the scenario's process tree (root pid + exec ppid + clone/fork exit values,
#     plus the session id; see that script), byte for byte in original order.
# Other people use this machine: the flock makes sure only one auditd runs, and
# the EXIT trap always restores "auditctl -D; auditctl -e 0" and stops our auditd.
# Recording metadata (date, kernel, auditd version) is printed at the end; copy
# it into tests/data/SCENARIOS.md when you re-record.

set -u
LOCK=/tmp/ks-auditd.lock
HERE=$(cd "$(dirname "$0")" && pwd)

# ------------------------------------------------------------------ the lock
held=0
for fd in /proc/$$/fd/*; do
    if [ "$(readlink "$fd" 2>/dev/null)" = "$LOCK" ] && flock -n "${fd##*/}"; then
        held=1; break
    fi
done
if [ "$held" = 0 ]; then
    exec flock "$LOCK" bash "$0" "$@"
fi

die() { echo "record.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
status=$(auditctl -s 2>&1) || die "kernel audit not available: $status"
apid=$(awk '$1=="pid"{print $2}' <<<"$status")
[ "$apid" = 0 ] || die "an audit daemon is already registered (pid $apid)"
orig_enabled=$(awk '$1=="enabled"{print $2}' <<<"$status")
orig_backlog=$(awk '$1=="backlog_limit"{print $2}' <<<"$status")
[ "$orig_enabled" = 2 ] && die "audit configuration is locked (enabled 2)"
[ -z "$(auditctl -l 2>/dev/null | grep -v '^No rules')" ] || die "audit rules already loaded; not touching them"

AUDITD_PID=
PLUGIN_PID_FILE=
LAB=
EXEC32=/tmp/ks-exec32-P16

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
        ppid_=$(cat "$PLUGIN_PID_FILE")
        for _ in $(seq 50); do kill -0 "$ppid_" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$ppid_" 2>/dev/null && kill "$ppid_" 2>/dev/null
        PLUGIN_PID_FILE=
    fi
}
on_exit() {
    restore
    [ -n "$LAB" ] && [ -z "${KS_KEEP_LAB:-}" ] && rm -rf "$LAB"
    rm -f "$EXEC32"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# ------------------------------------------- P16 helper: static i386 execve
rm -f "$EXEC32"
if printf '%s\n' '#include <unistd.h>' \
    'int main(void) {' \
    '    char *argv[] = { "tail", "-c", "1", "/boot/P16", 0 };' \
    '    char *envp[] = { 0 };' \
    '    execve("/usr/bin/tail", argv, envp);' \
    '    return 127;' \
    '}' | gcc -m32 -static -x c -o "$EXEC32" - 2>/dev/null; then
    export KS_EXEC32=$EXEC32
else
    echo "record.sh: cannot build a static -m32 program (gcc-multilib?): P16 skipped" >&2
    unset KS_EXEC32
fi

# ------------------------------------------------------------- one auditd run
# record TARGET FORMAT NAME_FORMAT RULESET(exec|fork) FORM(log|plugin) [scenario IDs]
record() {
    local target=$1 fmt=$2 namefmt=$3 ruleset=$4 form=$5
    shift 5
    LAB=$(mktemp -d /tmp/ks-lab.XXXXXX)
    chmod 0700 "$LAB"
    mkdir -m 0755 "$LAB/plugins.d" "$LAB/plugins.d-bin"
    cat > "$LAB/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $LAB/audit.log
log_group = root
log_format = $fmt
name_format = $namefmt
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
q_depth = 8000
overflow_action = SYSLOG
EOF
    chmod 0640 "$LAB/auditd.conf"
    cat > "$LAB/plugins.d-bin/capture" <<EOF
#!/bin/sh
# capture plugin: copy stdin (what auditd sends a plugin) to a file
echo \$\$ > $LAB/plugin.pid
trap '' TERM HUP
exec cat > $LAB/plugin-stdin.log
EOF
    chown root:root "$LAB/plugins.d-bin/capture"
    chmod 0750 "$LAB/plugins.d-bin/capture"
    cat > "$LAB/plugins.d/capture.conf" <<EOF
active = yes
direction = out
path = $LAB/plugins.d-bin/capture
type = always
format = string
EOF
    chmod 0640 "$LAB/plugins.d/capture.conf"
    PLUGIN_PID_FILE=$LAB/plugin.pid

    # -f: auditd 3.0.9 then writes its log records to stdout instead of log_file
    # (man auditd: "-f ... rather than the audit log"), so stdout IS the
    # audit.log form; it is captured as LAB/audit.log.
    auditd -f -c "$LAB" > "$LAB/audit.log" 2> "$LAB/auditd.err" &
    AUDITD_PID=$!
    local ok=0
    for _ in $(seq 100); do
        if auditctl -s | grep -qx "pid $AUDITD_PID" && [ -s "$LAB/plugin.pid" ]; then ok=1; break; fi
        kill -0 "$AUDITD_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ "$ok" = 1 ] || { cat "$LAB/auditd.err" >&2; die "$target: auditd did not start"; }

    local lost0 lost1
    auditctl -b 8192 >/dev/null
    auditctl -e 1 >/dev/null
    auditctl -a always,exit -F arch=b64 -S execve,execveat -k exec || die "b64 exec rule"
    auditctl -a always,exit -F arch=b32 -S execve,execveat -k exec || die "b32 exec rule"
    if [ "$ruleset" = fork ]; then
        auditctl -a always,exit -F arch=b64 -S clone,clone3,fork,vfork -k fork || die "b64 fork rule"
        auditctl -a always,exit -F arch=b32 -S clone,clone3,fork,vfork -k fork 2>/dev/null \
            || auditctl -a always,exit -F arch=b32 -S clone,fork,vfork -k fork || die "b32 fork rule"
    fi
    echo "== $target: rules" >&2
    auditctl -l >&2
    lost0=$(auditctl -s | awk '$1=="lost"{print $2}')

    # the scenario shell: own audit session, then exec scenarios.sh
    (
        echo 0 > /proc/self/loginuid || exit 97
        read -r ses < /proc/self/sessionid
        echo "$ses" > "$LAB/root.ses"
        echo "$BASHPID" > "$LAB/root.pid"
        exec bash "$HERE/$SCRIPT" "$@"
    ) < /dev/null &
    local root=$!
    wait "$root"
    echo "== $target: scenarios.sh exit status $?" >&2
    sleep 2
    lost1=$(auditctl -s | awk '$1=="lost"{print $2}')
    restore
    [ "$lost0" = "$lost1" ] || echo "record.sh: WARNING $target: kernel lost $((lost1 - lost0)) records" >&2

    if grep -av '^\(node=[^ ]* \)\{0,1\}type=EOE ' "$LAB/plugin-stdin.log" | cmp -s - "$LAB/audit.log"; then
        echo "== $target: plugin stream minus EOE records == audit.log form (byte for byte)" >&2
    else
        echo "== $target: NOTE plugin stream minus EOE differs from audit.log form" >&2
    fi
    local src=$LAB/audit.log
    [ "$form" = plugin ] && src=$LAB/plugin-stdin.log
    [ -s "$src" ] || die "$target: $src is empty"
    [ "$(cat "$LAB/root.pid")" = "$root" ] || die "$target: root pid mismatch"
    python3 "$HERE/filter-tree.py" --root-pid "$root" --ses "$(cat "$LAB/root.ses")" \
        < "$src" > "$HERE/$target.log" || die "$target: filter failed"
    if [ "$target" = busy-fork ]; then
        # the whole tree is megabytes: count its late forks, then keep the
        # part SCENARIOS.md describes (whole events, recorded order)
        cp "$HERE/$target.log" "$LAB/tree.log"
        python3 "$HERE/order-cases.py" stats "$LAB/tree.log" >&2
        python3 "$HERE/order-cases.py" select < "$LAB/tree.log" > "$HERE/$target.log" \
            || die "$target: select failed"
        python3 "$HERE/order-cases.py" stats "$HERE/$target.log" >&2
        rm -f "$HERE"/order/*.log
        mkdir -p "$HERE/order"
        python3 "$HERE/order-cases.py" cases "$HERE/$target.log" "$HERE/order" >&2 \
            || die "$target: cases failed"
    fi
    echo "== $target: $(wc -l < "$HERE/$target.log") records -> tests/data/$target.log" >&2
    if [ -n "${KS_KEEP_LAB:-}" ]; then echo "== lab kept: $LAB" >&2; else rm -rf "$LAB"; fi
    LAB=
}

targets=${*:-raw-exec enriched-exec raw-fork enriched-fork sample busy-fork}
for t in $targets; do
    SCRIPT=scenarios.sh
    case $t in
        raw-exec)      record raw-exec      RAW      NONE     exec log ;;
        enriched-exec) record enriched-exec ENRICHED HOSTNAME exec plugin ;;
        raw-fork)      record raw-fork      RAW      HOSTNAME fork plugin ;;
        enriched-fork) record enriched-fork ENRICHED NONE     fork log ;;
        sample)        record sample        ENRICHED NONE     exec log P01 P07 N01 N05 N13 ;;
        busy-fork)     SCRIPT=ordering.sh
                       export KS_ORD_SRC=${KS_ORD_SRC:-$(cd "$HERE/../.." && pwd)}
                       record busy-fork     RAW      NONE     fork plugin ;;
        *) die "unknown target $t" ;;
    esac
done

echo "== recorded $(date -u '+%Y-%m-%d %H:%M UTC') on kernel $(uname -r)," \
     "$(auditctl -v), auditd package $(dpkg-query -W -f '${Version}' auditd 2>/dev/null)," \
     "$(. /etc/os-release; echo "$PRETTY_NAME")" >&2
