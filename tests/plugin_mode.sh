#!/bin/bash
# Plugin mode without auditd: the plugin reads stdin as auditd's dispatcher
# feeds it (here a FIFO kept open, so no EOF), and --stderr copies its
# syslog messages to stderr. Checks the lifecycle the live test cannot
# force: an event whose last record never comes still alerts within 3 s
# (the aging timer), SIGTERM flushes pending events, SIGHUP with a broken
# config keeps the old one, SIGUSR1 logs statistics, the throttle's
# summary line, a bad config at start, --check-config, the built-in rule
# said in plugin mode and not in review mode, that a plugin
# started with TERM/HUP blocked and ignored (as auditd 3.0.9 may start it)
# still obeys them, and that the lineage (entity ids, ancestors, timeline)
# is the same as review mode's. Events are real records from tests/data/raw-exec.log
# under new serials.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/plugin_lib.sh"

# ---- A: latency, stats, reload, SIGTERM -------------------------------
printf 'format = text\n' > "$tmp/a.conf"
start A "$tmp/a.conf"
wait_for "$tmp/A.err" 'started' 5 && ok "plugin mode starts and logs its start line" || fail "no start line"
# Started as root with every capability, it keeps only CAP_SYS_PTRACE
# (bit 19), which the /proc fallback needs; see E for proc_fallback = no.
caps() { awk '/^Cap(Eff|Prm|Bnd):/ {printf "%s=%s ", $1, $2}' "/proc/$1/status"; }
if [ "$(id -u)" = 0 ]; then
	c=$(caps "$A_pid")
	[ "$c" = "CapPrm:=0000000000080000 CapEff:=0000000000080000 CapBnd:=0000000000000000 " ] &&
		ok "capabilities dropped to CAP_SYS_PTRACE" || fail "capabilities not dropped: $c"
fi

t0=$(date +%s.%N)
event 700001 partial >&"$A_fd"
if wait_for "$tmp/A.err" 'serial=700001' 3; then
	t1=$(date +%s.%N)
	ok "an exec whose last record never comes alerts within 3 s ($(python3 -c "print(round($t1-$t0,2))") s)"
else
	fail "no alert within 3 s for an event without its last record"
fi

kill -USR1 "$A_pid"
wait_for "$tmp/A.err" 'stats: .*execs=1 .*alerts=1' 3 && ok "SIGUSR1 logs a stats line" || fail "no stats line"

printf 'format = text\nfacilty = daemon\n%s\n' "$KS_RULES_CONF" > "$tmp/a.conf"
kill -HUP "$A_pid"
wait_for "$tmp/A.err" "reload failed, keeping the previous configuration: $tmp/a.conf:2: unknown key" 3 &&
	ok "SIGHUP with a broken config keeps the old one and says file, line and problem" ||
	fail "broken config on SIGHUP not reported"
event 700002 >&"$A_fd"
wait_for "$tmp/A.err" 'alert rule=.*serial=700002' 3 && ok "still alerting (text) after the failed reload" || fail "no alert after failed reload"

printf 'format = json\n%s\n' "$KS_RULES_CONF" > "$tmp/a.conf"
kill -HUP "$A_pid"
wait_for "$tmp/A.err" 'configuration reloaded from .* format=json' 3 && ok "SIGHUP reloads a good config" || fail "no reload line"
event 700003 >&"$A_fd"
wait_for "$tmp/A.err" '"sequence":700003' 3 && ok "JSON alerts after the reload" || fail "no JSON alert after reload"

event 700004 partial >&"$A_fd"
kill -TERM "$A_pid"
wait "$A_pid"; rc=$?
if [ $rc -eq 0 ] && grep -q 'stopping on SIGTERM' "$tmp/A.err"; then
	ok "SIGTERM: exit 0 with a stop line"
else
	fail "SIGTERM: exit $rc"; tail -3 "$tmp/A.err"
fi
if grep -n '"sequence":700004\|stopping on SIGTERM' "$tmp/A.err" | head -1 | grep -q 700004; then
	ok "SIGTERM processes the pending event before stopping"
else
	fail "pending event lost on SIGTERM"
fi
exec {A_fd}>&-

# ---- B: throttle, end of input ---------------------------------------
printf 'throttle_max_alerts = 100\nthrottle_window = 2\n' > "$tmp/b.conf"
start B "$tmp/b.conf"
event 710001 full 150 >&"$B_fd"
if wait_for "$tmp/B.err" 'suppressed 50 alerts' 6; then
	ok "150 alerts in one window: one summary line counting 50 suppressed"
else
	fail "no throttle summary"; tail -3 "$tmp/B.err"
fi
n=$(alerts "$tmp/B.err")
[ "$n" -eq 100 ] && ok "150 alerts in one window: 100 written" || fail "throttle let $n alerts through"
exec {B_fd}>&-
wait "$B_pid"; rc=$?
if [ $rc -eq 0 ] && grep -q 'stopping on end of input' "$tmp/B.err"; then
	ok "end of input: exit 0 with a stop line"
else
	fail "end of input: exit $rc"
fi
grep -q 'stats: rule kernel_seeking_v2 matches=150 suppressed=50$' "$tmp/B.err" &&
	ok "the last statistics say per rule: 150 matches, 50 suppressed" ||
	fail "per-rule statistics: $(grep 'stats: rule' "$tmp/B.err")"

# ---- C: a bad config at start runs on defaults -----------------------
printf '# ok\nthrottle_window = soon\n' > "$tmp/c.conf"
start C "$tmp/c.conf"
event 720001 >&"$C_fd"
exec {C_fd}>&-
wait "$C_pid"; rc=$?
if [ $rc -eq 0 ] && grep -q "$tmp/c.conf:2: bad value 'soon' for throttle_window.*running with defaults" "$tmp/C.err" &&
   grep -q 'serial=720001' "$tmp/C.err"; then
	ok "a bad config at start is reported (file:line) and the plugin runs on defaults"
else
	fail "bad config at start: exit $rc"; cat "$tmp/C.err"
fi

# ---- D: a parent that started before the plugin, read from /proc ----
# The parent is a live process whose argv holds a /boot/ path; the exec
# (P08's `tail -c+5 /tmp/ks-scn/x`) only matches through it.
bash -c 'sleep 30; true' fallback-parent /boot/D-parent &
parent=$!
pids+=($parent)
printf 'proc_fallback = yes\n' > "$tmp/d.conf"
start D "$tmp/d.conf"
NEEDLE='a1="-c+5"' PPID_SET=$parent event 730001 >&"$D_fd"
wait_for "$tmp/D.err" 'serial=730001 .*parent_args=\["bash","-c","sleep 30; true","fallback-parent","/boot/D-parent"\]' 3 &&
	ok "an unknown parent is read from /proc in plugin mode" || { fail "no /proc fallback alert"; tail -2 "$tmp/D.err"; }
# No audit record made that image: it has no entity id (lineage.h).
grep 'serial=730001 ' "$tmp/D.err" | grep -q 'parent_entity_id=' &&
	fail "a parent read from /proc has an entity id" ||
	ok "a parent read from /proc has no entity id"
# /proc is this machine's: a multi-node stream (a collector's) reads it only
# for events without node= or with this machine's name; another node's
# exec naming the same live ppid gets no parent, whatever proc_fallback.
host=$(hostname)
NEEDLE='a1="-c+5"' PPID_SET=$parent event 730101 | sed 's/^/node=ks-remote-1 /' >&"$D_fd"
NEEDLE='a1="-c+5"' PPID_SET=$parent event 730102 | sed "s/^/node=$host /" >&"$D_fd"
NEEDLE='a1="-c+5"' PPID_SET=$parent event 730103 >&"$D_fd"
wait_for "$tmp/D.err" 'serial=730103 .*parent_args=\["bash","-c","sleep 30; true","fallback-parent","/boot/D-parent"\]' 3 &&
	grep -q 'serial=730102 node="'"$host"'" .*parent_args=\["bash","-c","sleep 30; true","fallback-parent","/boot/D-parent"\]' "$tmp/D.err" &&
	ok "/proc is read for this machine's events: node=$host and no node=" ||
	fail "no /proc parent for this machine's events: $(grep -c 'serial=73010[23] ' "$tmp/D.err")"
exec {D_fd}>&-
wait "$D_pid"
# the remote exec was handled (4 execs), did not alert and read nothing:
# 2 reads, for 730001 (no node=; 730103 finds it in the table) and 730102
# (node=$host, a node of its own in the table)
if ! grep -q 'serial=730101 ' "$tmp/D.err" &&
   grep -q 'stopping on end of input: .* execs=4 .* proc_reads=2 ' "$tmp/D.err"; then
	ok "another node's exec never reads /proc, even with proc_fallback = yes"
else
	fail "another node read /proc: $(grep -c 'serial=730101 ' "$tmp/D.err") alert(s), $(grep -o 'execs=[0-9]*\|proc_reads=[0-9]*' "$tmp/D.err" | tr '\n' ' ')"
fi
printf 'proc_fallback = no\n' > "$tmp/e.conf"
start E "$tmp/e.conf"
if [ "$(id -u)" = 0 ]; then
	wait_for "$tmp/E.err" 'started' 5
	c=$(caps "$E_pid")
	[ "$c" = "CapPrm:=0000000000000000 CapEff:=0000000000000000 CapBnd:=0000000000000000 " ] &&
		ok "proc_fallback = no: no capability left" || fail "capabilities with proc_fallback = no: $c"
fi
NEEDLE='a1="-c+5"' PPID_SET=$parent event 730002 >&"$E_fd"
exec {E_fd}>&-
wait "$E_pid"; rc=$?
# The exec was handled (execs=1, in the stop line's counters) and did not
# alert, /proc unread.
if [ $rc -eq 0 ] && ! grep -q 'serial=730002' "$tmp/E.err" &&
   grep -q 'stopping on end of input: .* execs=1 .* alerts=0 .* proc_reads=0 ' "$tmp/E.err"; then
	ok "proc_fallback = no: parent stays unknown (the exec handled, no alert, no /proc read)"
else
	fail "proc_fallback = no: exit $rc"; tail -2 "$tmp/E.err" | cut -c1-300
fi
NEEDLE='a1="-c+5"' PPID_SET=$parent event 730003 > "$tmp/review.log"
out=$(ks --input "$tmp/review.log" --stats 2> "$tmp/review.err"); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ] && grep -q ' execs=1 .* alerts=0 .* proc_reads=0 ' "$tmp/review.err"; then
	ok "review mode never reads /proc"
else
	fail "review mode: exit $rc, alerts '$out', $(cat "$tmp/review.err")"
fi
kill "$parent" 2>/dev/null

# ---- F: the same lineage in plugin mode as in review mode ----------------
# busy-fork.log's alerts have ancestors, previous images and timelines:
# their entity ids, ancestor pids and timeline entries must be the same
# whether the log is reviewed or fed to a plugin (they come from the
# records only, lineage.h), here with no /proc and no throttle.
printf 'format = json\nproc_fallback = no\nthrottle_max_alerts = 0\nmax_message_size = 65536\n' > "$tmp/f.conf"
start F "$tmp/f.conf"
cat "$DATA/busy-fork.log" >&"$F_fd"
exec {F_fd}>&-
wait "$F_pid"
ks --input "$DATA/busy-fork.log" --format json > "$tmp/f.review"
if python3 - "$tmp/F.err" "$tmp/f.review" <<'PY'
import json, sys
def lineage(o):
    p, a = o["process"], o["auditd"]
    return (p.get("entity_id"), p.get("parent", {}).get("entity_id"),
            tuple(p.get("Ext", {}).get("ancestry", [])),
            tuple(x["executable"] for x in p.get("previous", [])),
            tuple(x["pid"] for x in a.get("ancestors", [])),
            tuple((x["pid"], x["@timestamp"]) for x in a.get("timeline", [])))
def alerts(path, plugin):
    out = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        if plugin:
            i = line.find('{"@timestamp"')
            if i < 0:
                continue
            line = line[i:]
        o = json.loads(line)
        out[o["auditd"]["sequence"]] = lineage(o)
    return out
p, r = alerts(sys.argv[1], True), alerts(sys.argv[2], False)
assert p == r and len(r) >= 20, (len(p), len(r))
assert sum(1 for v in r.values() if v[4]) >= 10 and sum(1 for v in r.values() if v[5]) >= 10
assert all(v[0] and v[1] for v in r.values())
PY
then
	ok "busy-fork.log: the same entity ids, ancestors and timelines in plugin and review mode"
else
	fail "busy-fork.log: lineage differs between plugin and review mode"
fi

# ---- the built-in rule stands in: said in plugin mode, quiet in review ----
# (a build tree has no installed rules_dir: this is what a new user's first
# command meets)
printf 'rules_dir = %s/none\nlocal_rules_dir = %s/none\n' "$tmp" "$tmp" > "$tmp/g.conf"
"$KS_BIN" --config "$tmp/g.conf" --input "$DATA/sample.log" > "$tmp/g.out" 2> "$tmp/g.err"; rc=$?
n=$(grep -c '^alert rule=' "$tmp/g.out")
[ $rc -eq 0 ] && [ "$n" -eq 2 ] && [ ! -s "$tmp/g.err" ] &&
	ok "review mode with the built-in rule: 2 alerts and nothing on stderr" ||
	{ fail "review mode with the built-in rule: exit $rc, $n alerts, stderr:"; cat "$tmp/g.err"; }
"$KS_BIN" --verbose --config "$tmp/g.conf" --input "$DATA/sample.log" 2>&1 > /dev/null |
	grep -q "rules: $tmp/none: not found; using the built-in kernel_seeking_v2 rule" &&
	ok "--verbose says the built-in rule stands in" || fail "--verbose does not say the built-in rule is used"
"$KS_BIN" --stderr --config "$tmp/g.conf" < /dev/null 2> "$tmp/g.err"
grep -q "rules: $tmp/none: not found; using the built-in kernel_seeking_v2 rule" "$tmp/g.err" &&
	ok "plugin mode logs that the built-in rule stands in" || { fail "plugin mode does not say the built-in rule is used"; cat "$tmp/g.err"; }

# ---- --check-config ------------------------------------------------------
"$KS_BIN" --check-config --config "$KS_SRCDIR/conf/audisp-kernel-seeking.conf" > "$tmp/out" 2>&1; rc=$?
[ $rc -eq 0 ] && ok "--check-config accepts the shipped config" || { fail "--check-config on shipped config: $rc"; cat "$tmp/out"; }
# It prints every setting as the file spells it: its output (without the
# OK line) is a config file giving the same settings.
printf 'format = json\nthrottle_max_alerts = 7\nlog_socket = /run/x.sock\n' > "$tmp/h.conf"
"$KS_BIN" --check-config --config "$tmp/h.conf" > "$tmp/out" 2>&1
tail -n +2 "$tmp/out" > "$tmp/h2.conf"
# one line per setting: the shipped file has each once (test_conf)
nkeys=$(grep -c '^# [a-z_]* = ' "$KS_SRCDIR/conf/audisp-kernel-seeking.conf")
"$KS_BIN" --check-config --config "$tmp/h2.conf" > "$tmp/out2" 2>&1; rc=$?
if [ $rc -eq 0 ] && [ "$(head -1 "$tmp/out")" = "$tmp/h.conf: OK" ] && [ "$(wc -l < "$tmp/h2.conf")" -eq "$nkeys" ] &&
   grep -q '^format = json  *# ' "$tmp/h2.conf" && grep -q '^throttle_max_alerts = 7  *# ' "$tmp/h2.conf" &&
   grep -q '^log_socket = /run/x.sock  *# ' "$tmp/h2.conf" &&
   grep -q '^process_table_size = 16384  *# .*(takes effect at the next start)$' "$tmp/h2.conf" &&
   cmp -s <(tail -n +2 "$tmp/out") <(tail -n +2 "$tmp/out2"); then
	ok "--check-config prints every setting as a config file that gives the same settings"
else
	fail "--check-config output"; cat "$tmp/out"
fi
"$KS_BIN" --check-config --config "$tmp/c.conf" > "$tmp/out" 2>&1; rc=$?
if [ $rc -eq 2 ] && grep -q "c.conf:2:" "$tmp/out"; then ok "--check-config rejects a bad file with exit 2 and file:line"; else fail "--check-config bad: $rc"; fi
"$KS_BIN" --check-config --config "$tmp/nope.conf" > "$tmp/out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "nope.conf: No such file" "$tmp/out" && ok "--check-config on a missing file: exit 2, named" ||
	{ fail "--check-config missing: $rc"; cat "$tmp/out"; }

finish
