#!/bin/bash
# The plugin's CPU share under a real auditd: ~RATE execs/s for SECONDS s,
# audited by the shipped exec rules, with audisp-kernel-seeking started by
# auditd as its plugin (log_format=ENRICHED, write_logs=yes: Debian's
# defaults). Reports utime+stime deltas from /proc/PID/stat of the plugin
# and of auditd over the run, as a share of one core.
#
#   tests/bench/under_auditd.sh            (root; from the top of a built tree)
#   RATE=1000 SECONDS_=60 KS_BIN=... tests/bench/under_auditd.sh
#   KS_CONF=FILE tests/bench/under_auditd.sh   (the plugin runs with
#       --config FILE, e.g. rules_dir = a detection-rules checkout and
#       rules = all; the file must not be group- or world-writable)
#   KEEP_LOG=FILE ...   keep the run's audit.log (to replay it in review
#       mode, e.g. under callgrind: what the plugin's own work costs,
#       whatever the load of the machine)
#
# Holds /tmp/ks-auditd.lock for the whole run (one auditd per machine; others
# use the lock too), refuses to run when an audit daemon or rules are already
# there, and restores what it found (auditctl -D, -e, -b) and stops the auditd
# it started, by pid, also on failure. No alert is expected (the execs are
# /bin/true); the plugin's syslog goes nowhere when /dev/log is absent.
set -u
LOCK=/tmp/ks-auditd.lock
if [ -z "${KS_LOCK_HELD:-}" ]; then
	KS_LOCK_HELD=1 exec flock "$LOCK" bash "$0" "$@"
fi
TOP=$(cd "$(dirname "$0")/../.." && pwd)
KS_BIN=$(readlink -f "${KS_BIN:-$TOP/plugin/audisp-kernel-seeking}")
KS_CONF=${KS_CONF:+$(readlink -f "$KS_CONF")}
RATE=${RATE:-1000}
DURATION=${SECONDS_:-60}
die() { echo "under_auditd.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
[ -x "$KS_BIN" ] || die "no plugin at $KS_BIN (build first)"
status=$(auditctl -s 2>&1) || die "kernel audit not available: $status"
[ "$(awk '$1=="pid"{print $2}' <<<"$status")" = 0 ] || die "an audit daemon is already registered"
orig_enabled=$(awk '$1=="enabled"{print $2}' <<<"$status")
orig_backlog=$(awk '$1=="backlog_limit"{print $2}' <<<"$status")
[ -z "$(auditctl -l 2>/dev/null | grep -v '^No rules')" ] || die "audit rules already loaded; not touching them"

AUDITD_PID=
LAB=$(mktemp -d /tmp/ks-under.XXXXXX)
chmod 0755 "$LAB"
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
}
trap 'restore; rm -rf "$LAB"' EXIT
trap 'exit 130' INT TERM

# the load: RATE spawns of /bin/true a second, paced on a monotonic clock
cat > "$LAB/drive.c" <<'EOF'
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
extern char **environ;
int main(int argc, char **argv)
{
	long rate = atol(argv[1]), secs = atol(argv[2]), n = 0, i;
	char *args[] = { "true", "--bench", "-x", "/tmp/ks-under-bench", NULL };
	struct timespec t0, next;
	pid_t pid;

	(void)argc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	next = t0;
	for (i = 0; i < rate * secs; i++) {
		if (posix_spawn(&pid, "/bin/true", NULL, NULL, args, environ) == 0) {
			waitpid(pid, NULL, 0);
			n++;
		}
		next.tv_nsec += 1000000000L / rate;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	printf("%ld\n", n);
	return 0;
}
EOF
cc -O2 -o "$LAB/drive" "$LAB/drive.c" || die "cannot build the load driver"

mkdir -m 0755 "$LAB/plugins.d"
cat > "$LAB/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $LAB/audit.log
log_group = root
log_format = ENRICHED
name_format = NONE
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
q_depth = 2000
overflow_action = SYSLOG
EOF
chmod 0640 "$LAB/auditd.conf"
printf 'active = yes\ndirection = out\npath = %s\ntype = always\nformat = string\n' \
	"$KS_BIN" > "$LAB/plugins.d/kernel-seeking.conf"
[ -z "$KS_CONF" ] || printf 'args = --config %s\n' "$KS_CONF" >> "$LAB/plugins.d/kernel-seeking.conf"
chmod 0640 "$LAB/plugins.d/kernel-seeking.conf"

# -f: auditd writes its log to stdout (the audit.log form)
auditd -f -c "$LAB" > "$LAB/audit.log" 2> "$LAB/auditd.err" &
AUDITD_PID=$!
PLUGIN_PID=
for _ in $(seq 100); do
	PLUGIN_PID=$(pgrep -P "$AUDITD_PID" | head -1)
	auditctl -s | grep -qx "pid $AUDITD_PID" && [ -n "$PLUGIN_PID" ] && break
	kill -0 "$AUDITD_PID" 2>/dev/null || die "auditd did not start: $(tail -3 "$LAB/auditd.err")"
	sleep 0.1
done
[ -n "$PLUGIN_PID" ] || die "auditd started no plugin"
[ "$(readlink -f /proc/"$PLUGIN_PID"/exe)" = "$KS_BIN" ] || die "pid $PLUGIN_PID is not the plugin"
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# loading many rules takes a moment: count from when the plugin idles,
# before any event is audited
t=$(ticks "$PLUGIN_PID")
for _ in $(seq 40); do
	sleep 0.5
	u=$(ticks "$PLUGIN_PID")
	[ "$u" = "$t" ] && break
	t=$u
done
auditctl -b 8192 >/dev/null
auditctl -e 1 >/dev/null
auditctl -a always,exit -F arch=b64 -S execve,execveat -k kernel-seeking >/dev/null || die "b64 rule"
auditctl -a always,exit -F arch=b32 -S execve,execveat -k kernel-seeking >/dev/null || die "b32 rule"
lost0=$(auditctl -s | awk '$1=="lost"{print $2}')

hz=$(getconf CLK_TCK)
utick() { awk '{ print $14 }' "/proc/$1/stat"; }
p0=$(ticks "$PLUGIN_PID"); a0=$(ticks "$AUDITD_PID"); t0=$(date +%s.%N)
pu0=$(utick "$PLUGIN_PID")
n=$("$LAB/drive" "$RATE" "$DURATION")
sleep 1   # let the last records through
p1=$(ticks "$PLUGIN_PID"); a1=$(ticks "$AUDITD_PID"); t1=$(date +%s.%N)
pu1=$(utick "$PLUGIN_PID")
lost1=$(auditctl -s | awk '$1=="lost"{print $2}')
kill -0 "$PLUGIN_PID" 2>/dev/null || die "the plugin died during the run"
records=$(grep -c 'type=EXECVE' "$LAB/audit.log")
[ -z "${KEEP_LOG:-}" ] || cp "$LAB/audit.log" "$KEEP_LOG"

echo "== plugin configuration: ${KS_CONF:-the defaults}"
echo "== machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs, $(uname -sr), auditd $(dpkg-query -W -f '${Version}' auditd 2>/dev/null)"
awk -v n="$n" -v r="$records" -v p0="$p0" -v p1="$p1" -v a0="$a0" -v a1="$a1" \
    -v pu="$((pu1 - pu0))" \
    -v t0="$t0" -v t1="$t1" -v hz="$hz" -v lost=$((lost1 - lost0)) 'BEGIN {
	wall = t1 - t0
	printf "execs: %d in %.1f s (%.0f/s); EXECVE records logged: %d; kernel lost: %d\n", n, wall, n / wall, r, lost
	printf "plugin: %.2f s CPU = %.2f%% of one core (%.1f us per exec; user %.2f s, system %.2f s)\n", (p1 - p0) / hz, (p1 - p0) / hz / wall * 100, (p1 - p0) / hz / n * 1e6, pu / hz, (p1 - p0 - pu) / hz
	printf "auditd: %.2f s CPU = %.2f%% of one core (%.1f us per exec)\n", (a1 - a0) / hz, (a1 - a0) / hz / wall * 100, (a1 - a0) / hz / n * 1e6
	printf "plugin CPU before the run (start, loading the rules): %.2f s\n", p0 / hz
	printf "plugin below 2%% of one core: %s\n", ((p1 - p0) / hz / wall * 100 < 2) ? "yes" : "NO"
}'
