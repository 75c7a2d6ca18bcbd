#!/bin/bash
# Central collection end to end, with the rsyslog snippets shipped in
# conf/rsyslog/ (only target, port, file paths and queue file name are
# substituted, so what ships is what is tested):
#
#   plugin (plugin mode, format = json, json_cee_cookie = yes)
#     -> syslog(3) -> /dev/log, inside `unshare --mount` bound to TMP/relay.sock
#     -> relay rsyslogd: imuxsock + 60-audisp-kernel-seeking-forward.conf
#        (omfwd TCP, disk-assisted queue, retried forever)
#     -> collector rsyslogd: 60-audisp-kernel-seeking-collector.conf
#        (imtcp on a free loopback port, mmjsonparse, alerts.ndjson/alerts.log)
#
# Phase 1: the 15 alerts of tests/data/raw-exec.log arrive exactly once each,
# byte-identical to tests/data/raw-exec.alerts.json (host.name, the host
# in entity ids and the user names normalised: plugin mode names the local
# host and looks up names a RAW log lacks), and mmjsonparse parsed rule.id,
# process.name and auditd.sequence.
# Phase 2 (the disk-assisted queue), with the CPU kept busy: collector
# stopped, the alerts sent, the relay restarted (saveOnShutdown writes the
# queue to disk, the new relay reads it back), collector started again: all
# 15 arrive, intact (rsyslog delivers at least once here: a duplicate is
# reported, not failed).
#
# Needs root (mount namespace, bind mount); skipped where no private mount
# namespace can be made (a chroot whose / is not a mount point). rsyslog is
# a dependency of the project: a missing rsyslogd is a failure, not a skip.
# Both daemons and the plugin are stopped by pid on exit; the system's
# rsyslog and /dev/log are never touched (a placeholder /dev/log is created
# only when none exists, and removed only if this test created it).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (unshare --mount and a bind mount over /dev/log)"
command -v rsyslogd >/dev/null 2>&1 || {
	echo "FAIL - rsyslogd is required (apt-get install rsyslog)"; exit 1; }
need jq python3 unshare mount flock
# In a chroot whose / is not a mount point (debootstrap, schroot, pbuilder)
# unshare cannot make the private mount namespace run_plugin needs: say so
# once, rather than fail every check after it.
if ! err=$(LC_ALL=C unshare --mount --propagation private true 2>&1); then
	case $err in
	*"cannot change root filesystem propagation"*)
		skip "no private mount namespace here: / is not a mount point (a chroot?) ($err)" ;;
	esac
	echo "FAIL - unshare --mount --propagation private: $err"; exit 1
fi
[ -x "$KS_BIN" ] || { echo "FAIL - no plugin binary at $KS_BIN"; exit 1; }

SNIPPETS=$KS_SRCDIR/conf/rsyslog
FWD_SNIPPET=$SNIPPETS/60-audisp-kernel-seeking-forward.conf
COL_SNIPPET=$SNIPPETS/60-audisp-kernel-seeking-collector.conf
EXPECTED=$DATA/raw-exec.alerts.json
LOG=$DATA/raw-exec.log
RULE_ID=3c9f7901-01d8-465d-8dc0-5d46671035fa
LOCK=/tmp/ks-auditd.lock   # tests/live.sh's lock: it also handles /dev/log

TMP=
RELAY_PID=
COLLECTOR_PID=
CREATED_DEVLOG=0
busy=()

stop_pid() {   # stop_pid PID: TERM, wait up to 10 s, then KILL
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

cleanup() {
	[ ${#busy[@]} -gt 0 ] && kill "${busy[@]}" 2>/dev/null
	stop_pid "$RELAY_PID"; RELAY_PID=
	stop_pid "$COLLECTOR_PID"; COLLECTOR_PID=
	if [ "$CREATED_DEVLOG" = 1 ] && [ -f /dev/log ] && [ ! -L /dev/log ] &&
	   [ ! -s /dev/log ]; then
		rm -f /dev/log
	fi
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap 'rc=$?; trap - EXIT; cleanup; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dump() {
	local f
	for f in "$TMP"/*.out "$TMP"/relay-all.log "$TMP"/out*/*; do
		[ -f "$f" ] || continue
		echo "----- $f (last 20 lines, cut at 300 bytes)"
		tail -n 20 "$f" | cut -c1-300
	done
}
die() { echo "FAIL - $*"; dump; exit 1; }

# One user of /dev/log at a time (tests/live.sh takes the same lock).
exec 9>>"$LOCK" || die "cannot open $LOCK"
flock -w 600 9 || die "could not get $LOCK within 600 s"

TMP=$(mktemp -d /tmp/ks-central.XXXXXX) || die "mktemp failed"
chmod 0700 "$TMP"
PORT=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
[ -n "$PORT" ] || die "no free TCP port"
SOCK=$TMP/relay.sock

# ---------------------------------------------------------------- configs
# Each instance: its own work dir, no system socket, no klog; messages up to
# 128k so that the longest alert (36 KB argv) travels whole.
mkdir -m 0700 "$TMP/relay-work" "$TMP/collector-work"
sed -e 's|target="[^"]*"|target="127.0.0.1"|' \
    -e "s|port=\"[^\"]*\"|port=\"$PORT\"|" \
    -e 's|queue.filename="[^"]*"|queue.filename="ks-fwd"|' \
    "$FWD_SNIPPET" > "$TMP/forward.conf"
cat > "$TMP/relay.conf" <<EOF
global(workDirectory="$TMP/relay-work" maxMessageSize="128k")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$SOCK" CreatePath="on" RateLimit.Interval="0")
include(file="$TMP/forward.conf")
action(type="omfile" file="$TMP/relay-all.log")
EOF
write_collector_conf() {   # write_collector_conf OUTDIR
	sed -e "s|port=\"10514\"|port=\"$PORT\"|" \
	    -e "s|/var/log/audisp-kernel-seeking/|$1/|g" \
	    "$COL_SNIPPET" > "$TMP/collector-rules.conf"
	cat > "$TMP/collector.conf" <<EOF
global(workDirectory="$TMP/collector-work" maxMessageSize="128k")
include(file="$TMP/collector-rules.conf")
EOF
}
write_collector_conf "$TMP/out1"
grep -q "port=\"$PORT\"" "$TMP/forward.conf" &&
	grep -q "port=\"$PORT\"" "$TMP/collector-rules.conf" ||
	die "port substitution in the shipped snippets failed"
for c in relay collector; do
	out=$(rsyslogd -N1 -f "$TMP/$c.conf" 2>&1) ||
		{ printf '%s\n' "$out"; die "rsyslogd rejects the $c config"; }
done

start_relay() {
	rsyslogd -n -f "$TMP/relay.conf" -i "$TMP/relay.pid" \
		</dev/null >>"$TMP/relay.out" 2>&1 9>&- &
	RELAY_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		[ -S "$SOCK" ] && return 0
		kill -0 "$RELAY_PID" 2>/dev/null || break
		sleep 0.1
	done
	die "relay rsyslogd did not create $SOCK"
}
start_collector() {
	rsyslogd -n -f "$TMP/collector.conf" -i "$TMP/collector.pid" \
		</dev/null >>"$TMP/collector.out" 2>&1 9>&- &
	COLLECTOR_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$PORT" 2>/dev/null && return 0
		kill -0 "$COLLECTOR_PID" 2>/dev/null || break
		sleep 0.1
	done
	die "collector rsyslogd does not listen on 127.0.0.1:$PORT"
}

cat > "$TMP/ks.conf" <<'EOF'
format = json
json_cee_cookie = yes
# The longest recorded alert is 36 KB: send every alert whole.
max_message_size = 65536
# Recorded pids are not this machine's processes.
proc_fallback = no
# Nothing carried from one run to the next.
state_file =
EOF

# Run the plugin in plugin mode on the recorded log; its syslog(3) reaches
# the relay through /dev/log, bind-mounted in a private mount namespace.
run_plugin() {
	if [ ! -e /dev/log ] && [ ! -L /dev/log ]; then
		: > /dev/log || die "cannot create /dev/log (bind-mount point)"
		CREATED_DEVLOG=1
	fi
	unshare --mount --propagation private /bin/sh -c \
		'mount --bind "$1" /dev/log && exec "$2" --config "$3"' \
		sh "$SOCK" "$KS_BIN" "$TMP/ks.conf" < "$LOG" \
		> "$TMP/plugin.out" 2>&1 9>&-
}

# Expected alerts, host.name normalised, sorted by sequence.
# host.name, and the host in each entity id (base64 of "host|pid|time|
# serial", lineage.h): plugin mode names the local host. The users' and
# groups' names: plugin mode looks up those of this machine's events when
# the log has none (RAW: uid 0 is "root"), review mode, which made the
# expected file, does not.
normalise() {
	python3 -c 'import base64, re, sys
def ent(m):
    raw = base64.b64decode(m.group(1)).split(b"|", 1)[1]
    return "\"" + base64.b64encode(b"H|" + raw).decode() + "\""
ids = re.compile(r"\"([A-Za-z0-9+/]{8,}={0,2})\"")
for line in sys.stdin:
    line = re.sub(r"\"host\":\{\"name\":\"[^\"]*\"\}", "\"host\":{\"name\":\"H\"}", line)
    line = re.sub(r"\"entity_id\":" + ids.pattern, lambda m: "\"entity_id\":" + ent(m), line)
    line = re.sub(r"(\"ancestry\":)(\[[^]]*\])", lambda m: m.group(1) + ids.sub(ent, m.group(2)), line)
    sys.stdout.write(line)' | sed 's/,"name":"root"//g'
}
by_seq() {   # sort JSON lines by auditd.sequence, keeping the bytes
	python3 -c 'import json, sys
lines = [l.rstrip("\n") for l in sys.stdin if l.strip()]
lines.sort(key=lambda l: json.loads(l)["auditd"]["sequence"])
print("\n".join(lines))'
}
normalise < "$EXPECTED" | by_seq > "$TMP/expected.json"
jq -r '.auditd.sequence' "$EXPECTED" | sort -n > "$TMP/expected.seq"
NEXP=$(wc -l < "$TMP/expected.seq")
[ "$NEXP" -gt 0 ] || die "no expected alerts in $EXPECTED"

wait_alerts() {   # wait_alerts DIR: until DIR/alerts.log has NEXP lines
	local i
	for ((i = 0; i < 600; i++)); do
		[ -f "$1/alerts.log" ] &&
			[ "$(wc -l < "$1/alerts.log")" -ge "$NEXP" ] && { sleep 0.5; return 0; }
		sleep 0.1
	done
	return 1
}

check_arrivals() {   # check_arrivals DIR PHASE
	local dir=$1 phase=$2 n U=cat
	[ "$phase" = direct ] || U=uniq   # see below: at-least-once
	wait_alerts "$dir" || fail "$phase: only $(wc -l < "$dir/alerts.log" 2>/dev/null || echo 0) of $NEXP alerts arrived"
	# Fields parsed by mmjsonparse: time host rule.id process.name sequence msg
	awk '{print $5}' "$dir/alerts.log" | sort -n > "$TMP/got.all.seq"
	if [ "$phase" = direct ]; then
		cp "$TMP/got.all.seq" "$TMP/got.seq"
	else
		# rsyslog's queues deliver at least once: a message in flight
		# when the action was suspended can be spooled and sent twice
		# (seen: one duplicate). Elastic can drop those by document id
		# (conf/rsyslog/README.md); here each must arrive, once or more.
		uniq "$TMP/got.all.seq" > "$TMP/got.seq"
		n=$(( $(wc -l < "$TMP/got.all.seq") - $(wc -l < "$TMP/got.seq") ))
		echo "# $phase: $n duplicate(s) delivered (at-least-once)"
	fi
	if cmp -s "$TMP/got.seq" "$TMP/expected.seq"; then
		if [ "$phase" = direct ]; then
			ok "$phase: every expected alert arrived exactly once ($NEXP, by auditd.sequence)"
		else
			ok "$phase: every expected alert arrived ($NEXP, by auditd.sequence)"
		fi
	else
		fail "$phase: sequences differ from the expected ones"
		diff "$TMP/expected.seq" "$TMP/got.seq" | head
	fi
	n=$(awk -v id="$RULE_ID" '$3 != id' "$dir/alerts.log" | wc -l)
	[ "$n" -eq 0 ] && ok "$phase: mmjsonparse gave rule.id $RULE_ID on every alert" ||
		fail "$phase: $n alerts without the parsed rule.id"
	jq -r '"\(.auditd.sequence) \(.process.name)"' "$EXPECTED" | sort -n > "$TMP/exp.names"
	awk '{print $5, $4}' "$dir/alerts.log" | sort -n | $U > "$TMP/got.names"
	cmp -s "$TMP/exp.names" "$TMP/got.names" &&
		ok "$phase: mmjsonparse gave the expected process.name for each sequence" ||
		{ fail "$phase: parsed process.name differs"; diff "$TMP/exp.names" "$TMP/got.names" | head; }
	# The raw message after "@cee: " is the plugin's JSON, byte for byte.
	sed -n 's/^[^@]* @cee: //p' "$dir/alerts.log" | normalise | by_seq | $U > "$TMP/got.raw"
	cmp -s "$TMP/got.raw" "$TMP/expected.json" &&
		ok "$phase: raw messages are byte-identical to raw-exec.alerts.json (host.name aside)" ||
		fail "$phase: raw messages differ from raw-exec.alerts.json"
	# alerts.ndjson (what Filebeat/Elastic Agent read): same documents.
	normalise < "$dir/alerts.ndjson" | by_seq 2>/dev/null | $U > "$TMP/got.ndjson"
	cmp -s "$TMP/got.ndjson" "$TMP/expected.json" &&
		ok "$phase: alerts.ndjson holds the same JSON documents, one a line" ||
		fail "$phase: alerts.ndjson differs from raw-exec.alerts.json"
	n=$(jq -r '.host.name' "$dir/alerts.ndjson" 2>/dev/null | sort -u | tr '\n' ' ')
	[ "$n" = "$(hostname) " ] &&
		ok "$phase: host.name is this host in plugin mode, on every alert" ||
		fail "$phase: host.name '$n', want only '$(hostname)'"
	# The first of them may be written to the connection the stopped
	# collector closed: resendLastMSGOnReconnect sends it again.
	grep -q 'audisp-kernel-seeking.* started: ' "$dir/plugin.log" 2>/dev/null &&
	grep -q 'audisp-kernel-seeking.*stopping on end of input' "$dir/plugin.log" 2>/dev/null &&
		ok "$phase: the plugin's start and stop lines went to plugin.log, not to the alerts" ||
		fail "$phase: no start or no stop line in plugin.log"
}

# ------------------------------------------------------------------ phase 1
start_collector
start_relay
run_plugin || fail "plugin exited with status $? (phase 1)"
check_arrivals "$TMP/out1" "direct"

# ------------------------------------------------------------------ phase 2
stop_pid "$COLLECTOR_PID"; COLLECTOR_PID=
# On a busy host the relay's forward worker takes many alerts at once and
# holds them while it retries the collector, and rsyslog 8.2302 drops what
# a worker holds when it is cancelled at shutdown: this phase passed on an
# idle machine and lost up to 12 of 15 alerts under load (CI). So it runs
# under load, and the shipped snippet hands omfwd one message at a time
# (queue.dequeueBatchSize="1"), which rsyslog puts back on cancellation.
busy=()
for _ in 1 2 3; do ( while :; do :; done ) 9>&- & busy+=($!); done
run_plugin || fail "plugin exited with status $? (phase 2)"
sleep 2   # the relay has the alerts; its forward action is suspended
stop_pid "$RELAY_PID"; RELAY_PID=
kill "${busy[@]}" 2>/dev/null; wait "${busy[@]}" 2>/dev/null; busy=()
if ls "$TMP/relay-work"/ks-fwd.* >/dev/null 2>&1; then
	ok "relay saved its queue to disk on shutdown ($(ls "$TMP/relay-work" | tr '\n' ' '))"
else
	fail "relay left no queue file in its work directory"
fi
start_relay
write_collector_conf "$TMP/out2"
start_collector
check_arrivals "$TMP/out2" "after outage"
n=$(wc -l < "$TMP/out1/alerts.log")
[ "$n" -eq "$NEXP" ] && ok "phase 1 output unchanged ($n alerts)" ||
	fail "phase 1 output has $n alerts, expected $NEXP"

[ "$fails" -eq 0 ] || dump
finish
