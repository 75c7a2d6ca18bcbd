#!/bin/bash
# Record the templates of the "mixed" benchmark stream from the REAL auditd:
# what a plugin receives (log_format=ENRICHED, name_format=HOSTNAME, EOE
# records included) while a small workload runs that makes auditd emit the
# usual non-exec records: PAM USER_*/CRED_* (su, runuser), LOGIN, USER
# (auditctl -m), CONFIG_CHANGE, DAEMON_*, and a file watch (openat under
# /etc with a key: SYSCALL + CWD + PATH + PROCTITLE + EOE), next to execs.
#
#   bash tests/bench/record-templates.sh > tests/bench/templates-mixed.log
#
# Takes /tmp/ks-auditd.lock (one auditd per machine), restores the audit
# state (auditctl -D, -e as found, backlog) and stops its auditd by pid, also
# on failure.
set -u
LOCK=/tmp/ks-auditd.lock
if [ -z "${KS_LOCK_HELD:-}" ]; then
	KS_LOCK_HELD=1 exec flock "$LOCK" bash "$0" "$@"
fi
die() { echo "record-templates.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
status=$(auditctl -s 2>&1) || die "kernel audit not available: $status"
[ "$(awk '$1=="pid"{print $2}' <<<"$status")" = 0 ] || die "an audit daemon is already registered"
orig_enabled=$(awk '$1=="enabled"{print $2}' <<<"$status")
orig_backlog=$(awk '$1=="backlog_limit"{print $2}' <<<"$status")
[ -z "$(auditctl -l 2>/dev/null | grep -v '^No rules')" ] || die "audit rules already loaded; not touching them"

AUDITD_PID=
LAB=$(mktemp -d /tmp/ks-tpl.XXXXXX)
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

mkdir -m 0755 "$LAB/plugins.d" "$LAB/bin"
cat > "$LAB/auditd.conf" <<EOF
local_events = yes
write_logs = no
log_format = ENRICHED
name_format = HOSTNAME
flush = INCREMENTAL_ASYNC
freq = 50
plugin_dir = $LAB/plugins.d
q_depth = 8000
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
EOF
chmod 0640 "$LAB/auditd.conf"
cat > "$LAB/bin/capture" <<EOF
#!/bin/sh
echo \$\$ > $LAB/plugin.pid
trap '' TERM HUP
exec cat > $LAB/plugin-stdin.log
EOF
chmod 0750 "$LAB/bin/capture"
printf 'active = yes\ndirection = out\npath = %s\ntype = always\nformat = string\n' \
	"$LAB/bin/capture" > "$LAB/plugins.d/capture.conf"
chmod 0640 "$LAB/plugins.d/capture.conf"

auditd -f -c "$LAB" > /dev/null 2> "$LAB/auditd.err" &
AUDITD_PID=$!
for _ in $(seq 100); do
	auditctl -s | grep -qx "pid $AUDITD_PID" && [ -s "$LAB/plugin.pid" ] && break
	kill -0 "$AUDITD_PID" 2>/dev/null || die "auditd did not start: $(cat "$LAB/auditd.err")"
	sleep 0.1
done
auditctl -b 8192 >/dev/null
auditctl -e 1 >/dev/null
auditctl -a always,exit -F arch=b64 -S execve,execveat -k exec >/dev/null
auditctl -a always,exit -F arch=b32 -S execve,execveat -k exec >/dev/null
auditctl -a always,exit -F arch=b64 -S openat -F dir=/etc -F success=1 -k etc-read >/dev/null
auditctl -w /etc/hosts -p wa -k hosts-change >/dev/null

# the workload
for i in 1 2 3; do
	su -s /bin/sh nobody -c true
	runuser -u nobody -- true
	cat /etc/hostname /etc/os-release > /dev/null
	auditctl -m "ks-bench user message $i"
	( echo 0 > /proc/self/loginuid ) 2>/dev/null
	touch /etc/hosts
done
# one exec with a 100 KiB argument (spaces: hex-encoded, split aN[i] over
# many EXECVE records), the adversarial stream's template
/bin/true "$(printf 'k %.0s' $(seq 51200))"
sleep 2
restore
# Keep the non-exec events of this workload (other sessions on the machine
# are audited too: their events are dropped by proctitle) and the 100 KiB
# exec; the other exec templates come from tests/data.
python3 - "$LAB/plugin-stdin.log" <<'PY'
import re, sys
events, order = {}, []
for line in open(sys.argv[1], 'rb'):
    m = re.search(rb'msg=audit\(([0-9.:]+)\)', line)
    k = m.group(1) if m else b'?'
    if k not in events:
        events[k] = []; order.append(k)
    events[k].append(line)
for k in order:
    recs = events[k]
    sc = [r for r in recs if b' type=SYSCALL ' in r or r.startswith(b'type=SYSCALL ')]
    is_exec = any(re.search(rb' syscall=(59|322|11|358) ', r) for r in sc)
    if is_exec and sum(len(r) for r in recs) < 100000:
        continue
    pt = [re.search(rb'proctitle=([0-9A-Fa-f]+|"[^"]*")', r) for r in recs]
    pt = [m.group(1) for m in pt if m]
    if pt:
        t = pt[0].strip(b'"') if pt[0].startswith(b'"') else bytes.fromhex(pt[0].decode())
        if not t.split(b'\0')[0].split(b'/')[-1] in (b'auditctl', b'su', b'runuser',
                b'cat', b'touch', b'true', b'auditd', b'sh', b'bash') or b'bash_jobs' in t \
                or b'git' in t:
            continue
    sys.stdout.buffer.write(b''.join(recs))
PY
