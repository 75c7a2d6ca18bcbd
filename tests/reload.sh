#!/bin/bash
# SIGHUP, setting by setting, as an operator sees it. The plugin runs on a
# FIFO (plugin_lib.sh) and logs to a datagram socket of this test standing
# in for the syslog daemon, so each alert's facility, priority, cookie and
# size can be read. Each reload changes one key (the others back to their
# defaults) and checks its effect on the next alert: every reloadable key
# takes effect at once, every restart-only key is logged as taking effect
# at the next start and keeps its running value. A second plugin checks
# that an option given on the command line (--format) survives a reload.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/plugin_lib.sh"

# listen NAME: a syslog stand-in on $tmp/NAME.sock writing each datagram
# as one line of $tmp/NAME.txt.
listen() {
	python3 - "$tmp/$1.sock" "$tmp/$1.txt" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        d = s.recv(1 << 17)
        f.write(d.replace(b"\n", b"\\n") + b"\n")
PY
	pids+=($!)
	disown $!
	for ((i = 0; i < 100; i++)); do [ -S "$tmp/$1.sock" ] && return 0; sleep 0.05; done
	echo "FAIL - no listener on $tmp/$1.sock"; exit 1
}
listen log1
listen log2

# write_conf FILE [key=value...]: the test's rules and log1, and the keys.
write_conf() {
	local f=$1 a k
	shift
	declare -A kv=([rules_dir]="$KS_SRCDIR/conf/rules"
		[local_rules_dir]="$KS_SRCDIR/tests/data/no-local-rules"
		[log_socket]="$tmp/log1.sock" [state_file]="")
	for a in "$@"; do kv[${a%%=*}]=${a#*=}; done
	for k in "${!kv[@]}"; do printf '%s = %s\n' "$k" "${kv[$k]}"; done > "$f"
}

# reload NAME [key=value...]: that configuration, by SIGHUP; waits for the
# plugin's "configuration reloaded" line.
reload() {
	local name=$1 n i pid
	shift
	n=$(grep -c 'configuration reloaded from' "$tmp/$name.err")
	write_conf "$tmp/$name.conf" "$@"
	eval "pid=\$${name}_pid"
	kill -HUP "$pid"
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -c 'configuration reloaded from' "$tmp/$name.err")" -gt "$n" ] && return 0
		sleep 0.05
	done
	fail "no reload line after SIGHUP with $*"
	return 1
}

# logged FILE SERIAL: the datagram of the alert with that serial (text or
# JSON), once it is there.
logged() {
	wait_for "$1" "serial=$2 |\"sequence\":$2[,}]" 3 &&
		grep -E "serial=$2 |\"sequence\":$2[,}]" "$1" | tail -1
}

# The alert text of a datagram "<PRI>Mmm dd hh:mm:ss TAG[PID]: ALERT".
body() { sed 's/^[^]]*\]: //'; }

# Rule files of this test: a copy of the shipped rules with v2 renamed,
# and a local rule under its own id.
mkdir -p "$tmp/rules2" "$tmp/local"
cp "$KS_SRCDIR"/conf/rules/*.toml "$tmp/rules2/"
sed -i 's/^name = .*/name = "Kernel Seeking Activity (copy)"/' "$tmp/rules2/kernel_seeking_v2.toml"
sed 's/^rule_id = .*/rule_id = "11111111-2222-4333-8444-555555555555"/; s/^name = .*/name = "Local copy"/' \
	"$KS_SRCDIR/conf/rules/kernel_seeking_v2.toml" > "$tmp/local/mine.toml"

printf 'log_socket = %s\n' "$tmp/log1.sock" > "$tmp/R.conf"
start R "$tmp/R.conf"
wait_for "$tmp/R.err" 'started' 5 || { fail "no start line"; cat "$tmp/R.err"; finish; exit; }
wait_for "$tmp/log1.txt" 'started: .* log_socket=' 3 &&
	ok "the start line goes to log_socket and lists log_socket" ||
	fail "start line without log_socket: $(grep started "$tmp/R.err")"
# authpriv.warning: <84>
line=$(event 900000 >&"$R_fd"; logged "$tmp/log1.txt" 900000)
[[ $line == '<84>'* ]] && ok "before any reload: alerts as authpriv.warning" || fail "first alert: ${line:0:60}"

# ---- the reloadable keys: each takes effect at the reload ----------------
reload R facility=local3
line=$(event 900001 >&"$R_fd"; logged "$tmp/log1.txt" 900001)
[[ $line == '<156>'* ]] && ok "facility: local3.warning after the reload" || fail "facility: ${line:0:60}"
grep -q '^<158>.*configuration reloaded from .* facility=local3 ' "$tmp/log1.txt" &&
	ok "facility: the reload line itself is local3.info" || fail "facility: reload line not local3.info"

reload R priority=info
line=$(event 900002 >&"$R_fd"; logged "$tmp/log1.txt" 900002)
[[ $line == '<86>'* ]] && ok "priority: authpriv.info after the reload" || fail "priority: ${line:0:60}"

reload R format=json
line=$(event 900003 >&"$R_fd"; logged "$tmp/log1.txt" 900003 | body)
jq -e '.auditd.sequence == 900003' <<<"$line" >/dev/null 2>&1 &&
	ok "format: JSON after the reload" || fail "format: ${line:0:60}"

reload R format=json json_cee_cookie=yes
line=$(event 900004 >&"$R_fd"; logged "$tmp/log1.txt" 900004 | body)
[[ $line == '@cee: {'* ]] && jq -e . <<<"${line#@cee: }" >/dev/null 2>&1 &&
	ok "json_cee_cookie: \"@cee: \" before the JSON after the reload" || fail "json_cee_cookie: ${line:0:60}"

# P11's argv is 18 KB: cut to max_message_size, with a marker
reload R
before=$(NEEDLE=a3_len=18020 event 900005 >&"$R_fd"; logged "$tmp/log1.txt" 900005 | body)
reload R max_message_size=2000
after=$(NEEDLE=a3_len=18020 event 900006 >&"$R_fd"; logged "$tmp/log1.txt" 900006 | body)
if [ "${#before}" -gt 7000 ] && [ "${#before}" -le 8000 ] && [ "${#after}" -le 2000 ] &&
   [ "${#after}" -gt 1500 ] && [[ $after == *omitted* ]]; then
	ok "max_message_size: the same 18 KB alert is cut to ${#before}, then ${#after} bytes"
else
	fail "max_message_size: ${#before} then ${#after} bytes"
fi

reload R rules=kernel_seeking_hardened
line=$(event 900007 >&"$R_fd"; logged "$tmp/log1.txt" 900007)
[[ $line == *'rule="Kernel Seeking Activity (hardened)" rule_id=a87b042e-'* ]] &&
	ok "rules: the hardened rule alerts after the reload" || fail "rules: ${line:0:120}"

reload R rules_dir="$tmp/rules2"
line=$(event 900008 >&"$R_fd"; logged "$tmp/log1.txt" 900008)
[[ $line == *'rule="Kernel Seeking Activity (copy)"'* ]] &&
	ok "rules_dir: its rules run after the reload" || fail "rules_dir: ${line:0:120}"

reload R local_rules_dir="$tmp/local"
event 900009 >&"$R_fd"
wait_for "$tmp/log1.txt" 'rule="Local copy" rule_id=11111111-.* serial=900009 ' 3 &&
	ok "local_rules_dir: its rule runs after the reload" || fail "local_rules_dir: no alert of the local rule"

# stats_until NAME REGEX: SIGUSR1 until a stats line matches (the last
# event of a burst is completed by the aging timer, a second later).
stats_until() {
	local i pid
	eval "pid=\$${1}_pid"
	for ((i = 0; i < 5; i++)); do
		kill -USR1 "$pid"
		wait_for "$tmp/$1.err" "$2" 1 && return 0
	done
	return 1
}

# At most 2 alerts per window of 300 s: 5 matches, 2 alerts, 3 counted.
reload R throttle_max_alerts=2
event 900010 full 5 >&"$R_fd"
stats_until R 'stats: rule kernel_seeking_v2 matches=[0-9]+ suppressed=3$' &&
	[ "$(grep -c 'serial=90001[0-4] ' "$tmp/log1.txt")" -eq 2 ] &&
	ok "throttle_max_alerts: 2 of 5 alerts after the reload, 3 suppressed" ||
	fail "throttle_max_alerts: $(grep -c 'serial=90001[0-4] ' "$tmp/log1.txt") alerts; $(grep 'stats: rule' "$tmp/R.err" | tail -1)"

# A reload ends the open windows and says what they held back; a window
# of 1 s then closes on its own within a second or two.
reload R throttle_max_alerts=1 throttle_window=1
grep -q 'throttle: suppressed 3 alerts of rule .* in the last 300 s (limit 2 per window)' "$tmp/log1.txt" &&
	ok "a reload closes the throttle windows and reports what they held back" || fail "no summary at the reload"
event 900020 full 3 >&"$R_fd"
wait_for "$tmp/log1.txt" 'throttle: suppressed [12] alerts of rule .* in the last 1 s \(limit 1 per window\)' 4 &&
	ok "throttle_window: a 1 s window closes and reports by itself after the reload" ||
	fail "throttle_window: no summary of the 1 s window"

reload R log_socket="$tmp/log2.sock"
event 900030 >&"$R_fd"
if wait_for "$tmp/log2.txt" 'serial=900030 ' 3 && ! grep -q 'serial=900030 ' "$tmp/log1.txt"; then
	ok "log_socket: alerts go to the new socket after the reload, none to the old"
else
	fail "log_socket: alert on log2: $(grep -c 'serial=900030 ' "$tmp/log2.txt"), on log1: $(grep -c 'serial=900030 ' "$tmp/log1.txt")"
fi
grep -q 'configuration reloaded from .* log_socket='"$tmp/log2.sock" "$tmp/log2.txt" &&
	ok "log_socket: the reload line names the new socket, and is sent there" || fail "log_socket: reload line"

# heartbeat_interval: from the hourly default to every second, and back.
reload R log_socket="$tmp/log2.sock" heartbeat_interval=1
if wait_for "$tmp/log2.txt" '^<86>.*: heartbeat: bytes=[0-9]+ .* top_nodes=\[.*\] other_nodes=\[[0-9]+,[0-9]+,[0-9]+\] state_saves=0 ' 4; then
	ok "heartbeat_interval: a heartbeat line (authpriv.info, the statistics line) every second after the reload"
else
	fail "heartbeat_interval: no heartbeat line: $(tail -2 "$tmp/log2.txt" | cut -c1-200)"
fi
reload R log_socket="$tmp/log2.sock"
n=$(grep -c ': heartbeat: ' "$tmp/log2.txt")
sleep 2.5
[ "$(grep -c ': heartbeat: ' "$tmp/log2.txt")" -eq "$n" ] &&
	ok "heartbeat_interval: back at 3600, no heartbeat for 2.5 s" || fail "heartbeats go on after the reload to 3600"

# state_file and state_save_interval: the next save goes to the new file.
reload R log_socket="$tmp/log2.sock" state_file="$tmp/st/state" state_save_interval=1
wait_for "$tmp/log2.txt" "state: [0-9]+ processes saved to $tmp/st/state " 4 && [ -f "$tmp/st/state" ] &&
	[ "$(stat -c %a "$tmp/st")" = 700 ] && [ "$(stat -c %a "$tmp/st/state")" = 600 ] &&
	ok "state_file: saved every second after the reload, file 0600 in a 0700 directory" ||
	fail "state_file: no periodic save after the reload: $(grep 'state' "$tmp/log2.txt" | tail -2)"

# ---- restart-only keys: a notice, and the running value stays -----------
for kv in process_table_size=100:16384 session_table_size=100:4096 max_argv_bytes=8192:1048576 proc_fallback=no:yes; do
	key=${kv%%=*}; new=${kv#*=}; new=${new%%:*}; running=${kv##*:}
	reload R "$key=$new"
	if grep -q "$key = $new takes effect at the next start; running with $running\$" "$tmp/R.err" &&
	   grep 'configuration reloaded from' "$tmp/R.err" | tail -1 | grep -q " $key=$running "; then
		ok "$key: a reload says it takes effect at the next start, and keeps $running"
	else
		fail "$key: no notice, or the value changed: $(grep "$key" "$tmp/R.err" | tail -2)"
	fi
done
exec {R_fd}>&-
wait "$R_pid"

# ---- the command line survives a reload ---------------------------------
printf 'format = text\nlog_socket = %s\n' "$tmp/log1.sock" > "$tmp/F.conf"
START_ARGS="--format json" start F "$tmp/F.conf"
event 901001 >&"$F_fd"
wait_for "$tmp/F.err" '"sequence":901001[,}]' 3 && ok "--format json wins over format = text at start" ||
	fail "--format json not applied at start"
reload F format=text priority=info
event 901002 >&"$F_fd"
wait_for "$tmp/F.err" '"sequence":901002[,}]' 3 && ok "--format json survives a reload of a file saying format = text" ||
	fail "--format json lost at the reload: $(grep -o 'serial=901002 .\{0,20\}' "$tmp/F.err")"
exec {F_fd}>&-
wait "$F_pid"

finish
