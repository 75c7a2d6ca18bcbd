#!/bin/bash
# The process table across restarts (state_file, include/statefile.h), in
# plugin mode: the plugin reads the first half of tests/data/raw-fork.log
# and stops (end of input; then SIGTERM; then SIGKILL after a periodic
# save), a new one reads the second half, and every alert of the second
# half has the parent, and the ancestors, a single run over the whole log
# gives: dd's alert (serial 1922) among them matches only through its
# parent's argv, which was exec'd in the first half. Without the state
# file that alert is lost (the check can fail). A damaged, truncated,
# foreign or wrongly owned state file is said (the file, the problem) and
# the plugin starts all the same, without it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/plugin_lib.sh"
need jq

LOG=$DATA/raw-fork.log
# line 125 ends event 1921; dd (1922) and the rest come after
head -n 125 "$LOG" > "$tmp/half1.log"
tail -n +126 "$LOG" > "$tmp/half2.log"

# Recorded pids are not this machine's: no /proc. JSON, whole.
conf() {
	printf '%s\nstate_file = %s\nproc_fallback = no\nformat = json\nmax_message_size = 65536\nthrottle_max_alerts = 0\n%s\n' \
		"$(printf '%s\n' "$KS_RULES_CONF" | grep -v '^state_file')" "$1" "${2:-}" > "$3"
}

# What the table gives each alert: sequence, parent (with its working
# directory and terminal) and ancestors.
table_view() {
	grep -o '{"@timestamp".*' "$1" |
		jq -c '[.auditd.sequence, .process.parent.pid, .process.parent.executable,
			.process.parent.args, [.auditd.ancestors[]?.args],
			.process.parent.working_directory, .process.parent.interactive]' | sort
}

# The reference: one run over the whole log, no state file.
conf "" "" "$tmp/none.conf"
"$KS_BIN" --stderr --config "$tmp/none.conf" < "$LOG" 2> "$tmp/full.err"
table_view "$tmp/full.err" | awk -F, '$1 >= "[1922"' > "$tmp/want"
grep -q '^\[1922,' "$tmp/want" || fail "the reference run has no alert 1922"

# ---- stop at end of input, start again -----------------------------------
conf "$tmp/st/state" "" "$tmp/eof.conf"
"$KS_BIN" --stderr --config "$tmp/eof.conf" < "$tmp/half1.log" 2> "$tmp/a1.err"; rc1=$?
"$KS_BIN" --stderr --config "$tmp/eof.conf" < "$tmp/half2.log" 2> "$tmp/a2.err"; rc2=$?
table_view "$tmp/a2.err" > "$tmp/got"
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] &&
   grep -q "state: [1-9][0-9]* processes saved to $tmp/st/state " "$tmp/a1.err" &&
   grep -q "state: [1-9][0-9]* processes restored from $tmp/st/state (saved [0-9]* s ago), 0 left out" "$tmp/a2.err" &&
   [ -s "$tmp/got" ] && cmp -s "$tmp/want" "$tmp/got"; then
	ok "stopped at end of input and started again: the second half's alerts have the whole run's parents and ancestors"
else
	fail "end of input: exit $rc1/$rc2, $(grep -h 'state' "$tmp/a1.err" "$tmp/a2.err" | cut -c1-160)"
	diff "$tmp/want" "$tmp/got" | head -5
fi
grep -q '^\[1922,17805,"/usr/bin/dash",\[.*"/boot/P07-vmlinuz-6.1"\]' "$tmp/got" &&
	ok "dd (1922), matching only through a parent exec'd in the first half, alerts with its parent's argv" ||
	fail "no alert 1922 with its parent after the restart"
[ "$(stat -c '%a %u' "$tmp/st")" = "700 $(id -u)" ] && [ "$(stat -c '%a %u' "$tmp/st/state")" = "600 $(id -u)" ] &&
	ok "the state file is 0600 in a directory made 0700" || fail "modes: $(stat -c '%n %a %u' "$tmp/st" "$tmp/st/state")"

# The control: the same second half without the state file loses 1922.
"$KS_BIN" --stderr --config "$tmp/none.conf" < "$tmp/half2.log" 2> "$tmp/n2.err"
table_view "$tmp/n2.err" > "$tmp/nostate"
! grep -q '^\[1922,' "$tmp/nostate" && ! cmp -s "$tmp/want" "$tmp/nostate" &&
	ok "without the state file the restarted plugin misses 1922 (the check above can fail)" ||
	fail "the control run has alert 1922 without a state file"

# ---- SIGTERM, on a FIFO ----------------------------------------------------
rm -rf "$tmp/st"
conf "$tmp/st/state" "" "$tmp/term.conf"
start T "$tmp/term.conf"
cat "$tmp/half1.log" >&"$T_fd"
wait_for "$tmp/T.err" '"sequence":1916[,}]' 5
kill -TERM "$T_pid"
wait "$T_pid"; rc=$?
exec {T_fd}>&-
"$KS_BIN" --stderr --config "$tmp/term.conf" < "$tmp/half2.log" 2> "$tmp/t2.err"
table_view "$tmp/t2.err" > "$tmp/got"
[ $rc -eq 0 ] && grep -q 'state: [1-9][0-9]* processes saved' "$tmp/T.err" && cmp -s "$tmp/want" "$tmp/got" &&
	ok "stopped by SIGTERM: saved, and the next run has the parents" ||
	fail "SIGTERM: exit $rc, $(grep 'state' "$tmp/T.err" | cut -c1-160)"

# ---- SIGKILL after a periodic save ----------------------------------------
rm -rf "$tmp/st"
conf "$tmp/st/state" "state_save_interval = 1" "$tmp/kill.conf"
start K "$tmp/kill.conf"
cat "$tmp/half1.log" >&"$K_fd"
wait_for "$tmp/K.err" '"sequence":1916[,}]' 5
# a save after the last alert of the first half: the whole half is in it
n=$(grep -c 'state: [0-9]* processes saved' "$tmp/K.err")
for ((i = 0; i < 60; i++)); do
	[ "$(grep -c 'state: [0-9]* processes saved' "$tmp/K.err")" -gt "$n" ] && break
	sleep 0.05
done
kill -KILL "$K_pid"
wait "$K_pid" 2>/dev/null
exec {K_fd}>&-
"$KS_BIN" --stderr --config "$tmp/kill.conf" < "$tmp/half2.log" 2> "$tmp/k2.err"
table_view "$tmp/k2.err" > "$tmp/got"
[ "$i" -lt 60 ] && ! grep -q 'stopping' "$tmp/K.err" && cmp -s "$tmp/want" "$tmp/got" &&
	ok "killed with SIGKILL after a periodic save: the next run has the parents" ||
	fail "SIGKILL: $(grep 'state' "$tmp/K.err" "$tmp/k2.err" | tail -3 | cut -c1-160)"
! ls "$tmp/st"/state.?* >/dev/null 2>&1 &&
	ok "no temporary file left behind" || fail "temporary files: $(ls "$tmp/st")"

# ---- files that are refused: said, and the plugin runs without them ------
# refused NAME WHY: the second half with that state file: the file and
# WHY are said, the plugin runs (exit 0, its alerts those of no state).
refused() {
	"$KS_BIN" --stderr --config "$tmp/eof.conf" < "$tmp/half2.log" 2> "$tmp/r.err"; rc=$?
	table_view "$tmp/r.err" > "$tmp/got"
	if [ $rc -eq 0 ] && grep -qE "state file ignored, starting without it: $tmp/st/state: ($2)" "$tmp/r.err" &&
	   cmp -s "$tmp/nostate" "$tmp/got"; then
		ok "$1: said ($2), and the plugin runs without it"
	else
		fail "$1: exit $rc, $(grep 'state' "$tmp/r.err" | head -2 | cut -c1-200)"
	fi
}
rm -rf "$tmp/st"
"$KS_BIN" --stderr --config "$tmp/eof.conf" < "$tmp/half1.log" 2> /dev/null
cp "$tmp/st/state" "$tmp/good"
size=$(stat -c %s "$tmp/good")
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-5]^=1; open(sys.argv[2],"wb").write(b)' "$tmp/good" "$tmp/st/state"
refused "a corrupt state file" "checksum mismatch \\(corrupt\\)"
head -c $((size - 100)) "$tmp/good" > "$tmp/st/state"
refused "a truncated state file" "truncated"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[8]=9; open(sys.argv[2],"wb").write(b)' "$tmp/good" "$tmp/st/state"
refused "a state file of another version" "unknown version"
head -c 1000 /dev/urandom > "$tmp/st/state"
refused "a file of something else" "not a state file \\(bad magic\\)"
cp "$tmp/good" "$tmp/st/state"; chmod 0644 "$tmp/st/state"
refused "a state file others can read" "readable or writable by others \\(mode not 0600\\), not used"
if [ "$(id -u)" = 0 ]; then
	cp "$tmp/good" "$tmp/st/state"; chown 65534 "$tmp/st/state"
	# root without capabilities (proc_fallback = no) cannot even open it
	refused "a state file owned by another user" "owned by another user, not used|cannot open: Permission denied"
fi
# (oversized files: tests/test_statefile.c)
rm -f "$tmp/st/state"; ln -s "$tmp/good" "$tmp/st/state"
refused "a symbolic link in the state file's place" "a symbolic link, not used"

# review mode never reads or writes it
rm -rf "$tmp/st"
"$KS_BIN" --config "$tmp/eof.conf" --input "$tmp/half1.log" > /dev/null 2>&1
[ ! -e "$tmp/st" ] && ok "review mode neither writes the state file nor makes its directory" ||
	fail "review mode wrote $tmp/st"

finish
