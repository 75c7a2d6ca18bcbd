#!/bin/bash
# Review as a sysadmin runs it: auditd's log and its rotations found from
# auditd.conf (--input-logs), plain, gzip, xz and mixed, one of them
# damaged, missing, unreadable, a FIFO or a directory; syslog files;
# --start/--end across rotations with a parent before the range; the
# summary's numbers against the alert lines; --alert-status; the progress
# line under a real pseudo-terminal and never in a pipe; bad input (a
# gzip bomb, a rotation truncated while it is read, logs out of order, a
# time range with no events, a wrong date).
#
# The rotated set is made of the recorded fixtures, which follow each
# other in time: audit.log.4 raw-exec, .3 enriched-exec, .2 raw-fork,
# .1 enriched-fork, audit.log sample. Its reference alerts are those of
# the same files given with --input, oldest first (review.sh holds that
# path to the committed alerts).
. "$(dirname "$0")/lib.sh"
need jq python3 gzip xz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export KS_PROGRESS_DELAY_MS=0   # a progress line, if one were drawn, at once

rot=(raw-exec enriched-exec raw-fork enriched-fork sample)
ref_inputs=()
for f in "${rot[@]}"; do ref_inputs+=(--input "$DATA/$f.log"); done
ks "${ref_inputs[@]}" > "$tmp/ref.txt" 2> "$tmp/ref.err" || fail "reference review failed"
nref=$(wc -l < "$tmp/ref.txt")
[ "$nref" -gt 40 ] && [ ! -s "$tmp/ref.err" ] || fail "reference: $nref alerts, stderr: $(head -3 "$tmp/ref.err")"

# make_set DIR KIND...: the five logs under DIR as audit.log.4 .. audit.log,
# each stored as KIND (plain, gz, xz, or a compressed one under a plain
# name: gz-as-plain), and an auditd.conf naming DIR/audit.log.
make_set() {
	local dir=$1 i name kind
	shift
	rm -rf "$dir"; mkdir -p "$dir"
	for i in 0 1 2 3 4; do
		kind=$1; shift
		name=audit.log; [ "$i" -lt 4 ] && name=audit.log.$((4 - i))
		case $kind in
		plain) cp "$DATA/${rot[$i]}.log" "$dir/$name" ;;
		gz) gzip -c "$DATA/${rot[$i]}.log" > "$dir/$name.gz" ;;
		xz) xz -c "$DATA/${rot[$i]}.log" > "$dir/$name.xz" ;;
		gz-as-plain) gzip -c "$DATA/${rot[$i]}.log" > "$dir/$name" ;;
		xz-as-plain) xz -c "$DATA/${rot[$i]}.log" > "$dir/$name" ;;
		esac
	done
	printf 'local_events = yes\nlog_file = %s/audit.log\nlog_format = ENRICHED\n' "$dir" > "$dir/auditd.conf"
}

# logs DIR [OPTIONS...]: --input-logs over DIR's set; stdout, stderr and
# the exit status in $tmp/out, $tmp/err, $rc.
logs() {
	local dir=$1
	shift
	ks --input-logs --auditd-conf "$dir/auditd.conf" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
}

# ---- the rotated set, every way it is stored --------------------------------
for kinds in "plain plain plain plain plain" "gz gz gz gz plain" "xz xz xz xz plain" \
	     "xz gz plain gz plain" "gz-as-plain xz-as-plain gz xz gz-as-plain"; do
	make_set "$tmp/set" $kinds
	logs "$tmp/set"
	if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && cmp -s "$tmp/out" "$tmp/ref.txt"; then
		ok "--input-logs, rotations stored as ($kinds): the reference's $nref alerts"
	else
		fail "--input-logs ($kinds): exit $rc, $(wc -l < "$tmp/out") alerts, stderr: $(head -3 "$tmp/err")"
		diff "$tmp/ref.txt" "$tmp/out" | head -5
	fi
done
# The same files named on the command line, mixed compressed and plain.
make_set "$tmp/mixed" xz gz plain gz plain
ks --input "$tmp/mixed/audit.log.4.xz" --input "$tmp/mixed/audit.log.3.gz" --input "$tmp/mixed/audit.log.2" \
   --input "$tmp/mixed/audit.log.1.gz" --input "$tmp/mixed/audit.log" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 0 ] && cmp -s "$tmp/out" "$tmp/ref.txt" && ok "--input, mixed compressed and plain files: the same alerts" \
	|| fail "--input mixed: exit $rc, $(head -2 "$tmp/err")"

# A set without alerts only from the sample's two: the sample is the log,
# its parents in audit.log.1 (split at the child's exec).
# ---- damaged, missing, unreadable, not files --------------------------------
make_set "$tmp/bad" gz gz gz gz plain
sz=$(stat -c %s "$tmp/bad/audit.log.3.gz")
head -c $((sz / 2)) "$tmp/bad/audit.log.3.gz" > "$tmp/t" && mv "$tmp/t" "$tmp/bad/audit.log.3.gz"
logs "$tmp/bad"
n=$(wc -l < "$tmp/out")
if [ $rc -eq 2 ] && grep -q "audit.log.3.gz: unexpected end of the gzip data (the archive is truncated) at offset [0-9]" "$tmp/err" \
   && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q 'P07-vmlinuz' "$tmp/out" && [ "$n" -gt 0 ] && [ "$n" -lt "$nref" ]; then
	ok "a truncated rotation: named with its offset, exit 2, the others reviewed ($n of $nref alerts)"
else
	fail "truncated rotation: exit $rc, $n alerts, stderr: $(head -3 "$tmp/err")"
fi
# the events before the damage count: alerts of enriched-exec's first half
ks --input "$DATA/enriched-exec.log" > "$tmp/ee.txt"
head -c $((sz / 2)) < /dev/null > /dev/null
gzip -c "$DATA/enriched-exec.log" | head -c $((sz / 2)) > "$tmp/half.gz"
ks --input "$tmp/half.gz" > "$tmp/half.txt" 2> "$tmp/err"
rc=$?
nh=$(wc -l < "$tmp/half.txt")
if [ $rc -eq 2 ] && [ "$nh" -gt 0 ] && [ "$nh" -lt "$(wc -l < "$tmp/ee.txt")" ] && cmp -s "$tmp/half.txt" <(head -n "$nh" "$tmp/ee.txt"); then
	ok "a truncated archive: the $nh alerts before the damage are those of the whole log's start"
else
	fail "truncated archive: exit $rc, $nh alerts"
fi

make_set "$tmp/gap" plain plain plain plain plain
rm "$tmp/gap/audit.log.2"
logs "$tmp/gap"
[ $rc -eq 2 ] && grep -q "audit.log.2: missing (rotations .*audit.log.1 to .*audit.log.4 are expected)" "$tmp/err" \
	&& grep -q 'P07-vmlinuz' "$tmp/out" && grep -q 'P01-vmlinuz' "$tmp/out" \
	&& ok "a missing rotation: said, exit 2, the others reviewed" \
	|| fail "missing rotation: exit $rc, stderr: $(head -3 "$tmp/err")"

make_set "$tmp/odd" plain plain plain plain plain
mkfifo "$tmp/odd/audit.log.5"
mkdir "$tmp/odd/audit.log.6"
timeout 20 "$KS_BIN" --config "$KS_CONF" --input-logs --auditd-conf "$tmp/odd/auditd.conf" > "$tmp/out" 2> "$tmp/err" < /dev/null
rc=$?
if [ $rc -eq 2 ] && grep -q "audit.log.5: not a regular file (a FIFO); skipped" "$tmp/err" \
   && grep -q "audit.log.6: is a directory, not a log" "$tmp/err" && cmp -s "$tmp/out" "$tmp/ref.txt"; then
	ok "a FIFO and a directory among the rotations: said and skipped (no hang), exit 2, every alert"
else
	fail "FIFO/directory rotations: exit $rc, stderr: $(head -3 "$tmp/err")"
fi

if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	make_set "$tmp/perm" plain plain plain plain plain
	# nobody must reach the binary, its config and rules: the tree may
	# sit in a directory only root can enter (CI's mktemp -d), so copies
	mkdir "$tmp/nobody"
	cp "$KS_BIN" "$tmp/nobody/ks"
	cp -r "$KS_SRCDIR/conf/rules" "$tmp/nobody/rules"
	mkdir "$tmp/nobody/no-local-rules"
	printf 'rules_dir = %s\nlocal_rules_dir = %s\n' "$tmp/nobody/rules" "$tmp/nobody/no-local-rules" > "$tmp/nobody/ks.conf"
	chmod 755 "$tmp" "$tmp/perm"
	chmod -R a+rX "$tmp/nobody"
	chmod 644 "$tmp/perm"/*
	chmod 000 "$tmp/perm/audit.log.3"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$tmp/nobody/ks" --config "$tmp/nobody/ks.conf" --input-logs \
		--auditd-conf "$tmp/perm/auditd.conf" > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	[ $rc -eq 2 ] && grep -q "audit.log.3: Permission denied" "$tmp/err" && grep -q 'P07-vmlinuz' "$tmp/out" \
		&& ok "an unreadable rotation: said, exit 2, the others reviewed" \
		|| fail "unreadable rotation: exit $rc, stderr: $(head -3 "$tmp/err")"
fi

ks --input-logs --auditd-conf "$tmp/nonexistent.conf" > "$tmp/out" 2> "$tmp/err" < /dev/null
rc=$?
# auditd's default log_file; whether this machine has one or not, the
# answer is a review or a clear message, never a crash
[ $rc -eq 0 ] || [ $rc -eq 2 ] && { [ $rc -eq 0 ] || grep -q "/var/log/audit" "$tmp/err"; } \
	&& ok "no auditd.conf: auditd's default log_file (exit $rc)" || fail "no auditd.conf: exit $rc"

# ---- bad input ---------------------------------------------------------------
head -c 100000000 /dev/zero | gzip -c > "$tmp/bomb.gz"
ks --input "$tmp/bomb.gz" --input "$DATA/sample.log" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "bomb.gz: decompresses to over 500 times its size" "$tmp/err" \
	&& cmp -s "$tmp/out" "$DATA/sample.alerts.txt" \
	&& ok "a gzip bomb: stopped and said, the next file reviewed" \
	|| fail "gzip bomb: exit $rc, stderr: $(head -3 "$tmp/err")"

# logs out of order across files: newest first. Parents come after their
# children, so some alerts through the parent are lost, never a crash.
ks --input "$DATA/sample.log" --input "$DATA/raw-exec.log" --input "$DATA/enriched-exec.log" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 0 ] && [ -s "$tmp/out" ] && [ "$(wc -l < "$tmp/err")" -eq 2 ] \
	&& grep -q "raw-exec.log: its records start before those of the logs read so far: give logs oldest first" "$tmp/err" \
	&& grep -q "enriched-exec.log: its records start before" "$tmp/err" \
	&& ok "logs out of order across files: said for each, reviewed, exit 0" \
	|| fail "out of order: exit $rc, $(head -3 "$tmp/err")"

# a rotation truncated while it is read (copytruncate, a cleanup): no
# crash, and the next file is read
python3 "$KS_SRCDIR/tests/bench/gen.py" exec-heavy 30000 > "$tmp/big.log"
cp "$tmp/big.log" "$tmp/shrinking.log"
"$KS_BIN" --config "$KS_CONF" --input "$tmp/shrinking.log" --input "$DATA/sample.log" > "$tmp/out" 2> "$tmp/err" &
pid=$!
sleep 0.05
: > "$tmp/shrinking.log"
wait $pid
rc=$?
[ $rc -eq 0 ] && cmp -s "$tmp/out" "$DATA/sample.alerts.txt" \
	&& ok "a file truncated while read: the rest of it read as empty, the next file reviewed" \
	|| fail "truncated while read: exit $rc, $(head -2 "$tmp/err")"

# ---- --start / --end ---------------------------------------------------------
# enriched-exec split into two rotations at its second second: the shell
# that runs every scenario exec'd in audit.log.1, before the range.
mkdir -p "$tmp/range"
awk '/msg=audit\(1795810139\./ { found = 1 } { print > (found ? "'"$tmp/range/audit.log"'" : "'"$tmp/range/audit.log.1"'") }' "$DATA/enriched-exec.log"
gzip "$tmp/range/audit.log.1"
printf 'log_file = %s/audit.log\n' "$tmp/range" > "$tmp/range/auditd.conf"
grep 'time=2026-11-27T20:08:59' "$DATA/enriched-exec.alerts.txt" > "$tmp/want59"
logs "$tmp/range" --start @1795810139
if [ $rc -eq 0 ] && [ -s "$tmp/want59" ] && cmp -s "$tmp/out" "$tmp/want59" && grep -q 'parent_args=\["bash"' "$tmp/out"; then
	ok "--start across rotations: the $(wc -l < "$tmp/want59") alerts of the range, parents exec'd before it known"
else
	fail "--start across rotations: exit $rc, $(wc -l < "$tmp/out") alerts, want $(wc -l < "$tmp/want59")"
	diff "$tmp/want59" "$tmp/out" | head -4
fi
# the same range in ISO 8601 and ausearch's own form (this runs in UTC)
TZ=UTC logs "$tmp/range" --start '2026-11-27T20:08:59Z'
cmp -s "$tmp/out" "$tmp/want59" && ok "--start in ISO 8601: the same alerts" || fail "--start ISO: exit $rc"
TZ=UTC logs "$tmp/range" --start '11/27/2026 20:08:59' --end '11/27/2026 20:09:00'
cmp -s "$tmp/out" "$tmp/want59" && ok "--start/--end as ausearch spells them: the same alerts" || fail "--start ausearch form: exit $rc"
grep -v 'time=2026-11-27T20:08:59' "$DATA/enriched-exec.alerts.txt" > "$tmp/want58"
logs "$tmp/range" --end @1795810138 -v
if [ $rc -eq 0 ] && cmp -s "$tmp/out" "$tmp/want58" && grep -q "range/audit.log: starts after --end; not read" "$tmp/err"; then
	ok "--end: the alerts up to it; a rotation wholly after it is not read"
else
	fail "--end: exit $rc, $(wc -l < "$tmp/out") alerts; $(grep -c 'not read' "$tmp/err") skipped"
fi
logs "$tmp/range" --start @1000 --end @2000 --alert-status
[ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q "no exec events between .* and .* in the logs read" "$tmp/err" \
	&& ok "a time range with no events: said, no alert, --alert-status 1" \
	|| fail "empty range: exit $rc, stderr $(head -2 "$tmp/err")"
for bad in tomorrow '2026-02-30' '27/11/2026' '20:08'; do
	ks --input "$DATA/sample.log" --start "$bad" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q -- "--start: '$bad' is not a time: expected now, recent" "$tmp/err" \
		|| { [ "$bad" = "20:08" ] && [ $rc -eq 0 ]; } || { fail "--start '$bad': exit $rc, $(head -1 "$tmp/err")"; continue; }
done
ok "wrong dates refused with the argument named (exit 2)"
ks --input "$DATA/sample.log" --start today --end yesterday > /dev/null 2> "$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q -- "--start 'today' is after --end 'yesterday'" "$tmp/err" && ok "--start after --end refused" \
	|| fail "start after end: exit $rc"

# ---- summary and exit status ------------------------------------------------
make_set "$tmp/set" gz gz gz gz plain
logs "$tmp/set" --summary
alerts=$(grep -c '^alert ' "$tmp/out")
sum_line=$(grep '^summary: ' "$tmp/out")
per_rule=$(sed -n 's/^rule "Kernel Seeking Activity" (3c9f7901-01d8-465d-8dc0-5d46671035fa): \([0-9]*\) alerts,.*/\1/p' "$tmp/out")
per_day=$(awk '/^alerts per day/ { d = 1; next } d && /^  [0-9]/ { s += $NF } END { print s + 0 }' "$tmp/out")
bars=$(awk '/^alerts per day/ { d = 1; next } d && /^  [0-9]/ { print length($2) }' "$tmp/out")
if [ $rc -eq 0 ] && [ "$alerts" -eq "$nref" ] && [[ $sum_line == "summary: $nref alerts in "*" exec events from 5 files, 2026-11-27T20:08:54Z to 2026-11-27T20:09:10Z" ]] \
   && [ "$per_rule" = "$nref" ] && [ "$per_day" = "$nref" ] && [ "$bars" = 40 ]; then
	ok "--summary: $nref alerts, per rule and per day, as the alert lines"
else
	fail "--summary: exit $rc, $alerts alert lines, '$sum_line', rule $per_rule, days $per_day, bar $bars"
fi
first=$(grep '^alert ' "$tmp/out" | grep -o 'time=[^ ]*' | sort | head -1 | cut -d= -f2)
last=$(grep '^alert ' "$tmp/out" | grep -o 'time=[^ ]*' | sort | tail -1 | cut -d= -f2)
grep -q "^rule .*, first $first, last $last\$" "$tmp/out" && ok "--summary: first and last as the alert lines ($first, $last)" \
	|| fail "--summary first/last: want $first $last: $(grep '^rule' "$tmp/out")"
parents=$(grep '^alert ' "$tmp/out" | grep -o 'parent_exe="[^"]*"' | sort | uniq -c | sort -k1,1nr -k2 | head -1 | awk '{ print $2 " (" $1 ")" }' | sed 's/parent_exe=//')
grep -q "^  parents:  $parents" "$tmp/out" && ok "--summary: the top parent as the alert lines ($parents)" \
	|| fail "--summary parents: want $parents: $(grep parents: "$tmp/out")"

logs "$tmp/set" --summary=json --format json
head -n -1 "$tmp/out" > "$tmp/alerts.json"
tail -n 1 "$tmp/out" > "$tmp/sum.json"
n=$(wc -l < "$tmp/alerts.json")
if [ $rc -eq 0 ] && [ "$n" -eq "$nref" ] \
   && [ "$(jq '.summary.alerts' "$tmp/sum.json")" = "$n" ] \
   && [ "$(jq '[.summary.per_day[].alerts] | add' "$tmp/sum.json")" = "$n" ] \
   && [ "$(jq '.summary.rules[0].alerts' "$tmp/sum.json")" = "$n" ] \
   && [ "$(jq '[.summary.rules[0].hosts[].alerts] | add' "$tmp/sum.json")" = "$n" ] \
   && [ "$(jq '.summary.rules[0].hosts_distinct' "$tmp/sum.json")" = "$(jq -r '.host.name' "$tmp/alerts.json" | sort -u | wc -l)" ] \
   && [ "$(jq '.summary.rules[0].users[0].alerts' "$tmp/sum.json")" = "$(jq -r '.user.id' "$tmp/alerts.json" | sort | uniq -c | sort -nr | head -1 | awk '{print $1}')" ]; then
	ok "--summary=json: one object on the last line, its numbers as the $n JSON alerts"
else
	fail "--summary=json: exit $rc, $n alerts: $(cut -c1-300 "$tmp/sum.json")"
fi

ks --input "$DATA/raw-exec.log" --start @1 --end @2 --summary > "$tmp/out"
[ "$(cat "$tmp/out")" = "summary: no alerts in 0 exec events from 1 file" ] && ok "--summary when nothing is found: one line" \
	|| fail "--summary, nothing: $(cat "$tmp/out")"

logs "$tmp/set" --alert-status
[ $rc -eq 0 ] && ok "--alert-status: 0 with alerts" || fail "--alert-status with alerts: $rc"
ks --input "$DATA/sample.log" --input "$tmp/nonexistent" --alert-status > /dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && ok "--alert-status: 2 on a read error, even with alerts" || fail "--alert-status error: $rc"
"$KS_BIN" --help | grep -q -- "--alert-status exit 0 when there were alerts, 1 when none" && ok "--help tells the exit status" \
	|| fail "--help: no --alert-status"

# ---- syslog files ---------------------------------------------------------------
# The rotated set as audisp-syslog would have written it through rsyslog:
# BSD prefix, node= left out, 0x1d escaped as #035, sshd lines between.
for f in "${rot[@]}"; do
	awk '{ sub(/^node=[^ ]* /, ""); gsub(/\x1d/, "#035"); print "Nov 27 20:09:10 web1 audisp-syslog: " $0
	       if (NR % 4 == 0) print "Nov 27 20:09:10 web1 sshd[812]: Accepted publickey for root from 192.0.2.1" }' "$DATA/$f.log"
done > "$tmp/messages"
for f in "${rot[@]}"; do sed 's/^node=[^ ]* //' "$DATA/$f.log"; done > "$tmp/nonode.log"
ks --input "$tmp/nonode.log" --format json --host-name web1 > "$tmp/want.json"
gzip -c "$tmp/messages" > "$tmp/messages.1.gz"
ks --input "$tmp/messages.1.gz" --format json > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc -eq 0 ] && [ "$(jq -c 'del(.auditd.node)' "$tmp/out" | sort | md5sum)" = "$(jq -c 'del(.auditd.node)' "$tmp/want.json" | sort | md5sum)" ] \
   && [ "$(jq -r '.host.name' "$tmp/out" | sort -u)" = web1 ] && [ "$(wc -l < "$tmp/out")" -eq "$nref" ]; then
	ok "a syslog file (gzip'd): the same $nref alerts, host.name from the prefix"
else
	fail "syslog file: exit $rc, $(wc -l < "$tmp/out") alerts, stderr $(head -2 "$tmp/err")"
fi
# RFC 5424 with structured data, from a collector: host per line
awk '{ sub(/^node=[^ ]* /, ""); print "<85>1 2026-11-27T20:09:10.003Z " (NR % 2 ? "web2" : "web3") " audisp-syslog 812 - [meta x=\"a ] b\"] " $0 }' "$DATA/sample.log" > "$tmp/5424.log"
ks --input "$tmp/5424.log" --format json > "$tmp/out" 2> "$tmp/err"
[ "$(jq -r '.host.name' "$tmp/out" | sort -u | tr '\n' ' ')" != "" ] && [ "$(wc -l < "$tmp/out")" -le 2 ] && [ ! -s "$tmp/err" ] \
	&& ok "RFC 5424 lines: read, host.name from each line's host ($(jq -r '.host.name' "$tmp/out" | sort -u | tr '\n' ' '))" \
	|| fail "RFC 5424: $(head -2 "$tmp/err")"

# ---- the progress line -------------------------------------------------------------
# Under a real pseudo-terminal (python's pty): drawn in place and erased at
# the end; with --quiet, and on a pipe or a file, never.
cat > "$tmp/ptyrun.py" <<'EOF'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b''
while True:
    try:
        b = os.read(fd, 65536)
    except OSError:
        break
    if not b:
        break
    out += b
_, st = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(st))
EOF
python3 "$KS_SRCDIR/tests/bench/gen.py" exec-heavy 100000 > "$tmp/big2.log"
# A big log (100 s of log time) in 64 KiB chunks, many of them ending
# inside a msg=audit(...) time: the range still ends (this once looped for
# ever), and a minute past --end the rest is not read.
timeout 60 "$KS_BIN" --config "$KS_CONF" --input "$tmp/big2.log" --start @1800000005 --end @1800000010 -v > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 0 ] && grep -q "big2.log: the rest is after --end; not read" "$tmp/err" && ok "--end on a big log: read up to a minute past the end, no further" \
	|| fail "--end on a big log: exit $rc, $(tail -2 "$tmp/err")"
python3 "$tmp/ptyrun.py" "$KS_BIN" --config "$KS_CONF" --input "$DATA/sample.log" --input "$tmp/big.log" --input "$tmp/big2.log" > "$tmp/tty" 2>&1
rc=$?
draws=$(grep -o $'\r\033\\[K[^\r]*(3/3)\|\r\033\\[K[^\r]*([12]/3)' "$tmp/tty" | wc -l)
if [ $rc -eq 0 ] && [ "$draws" -ge 2 ] && grep -q $'\r\033\\[Kbig2\\.log (3/3)  [0-9.]* of [0-9.]* MB  [0-9.]* MB/s' "$tmp/tty" \
   && [ "$(grep -c 'P07-vmlinuz' "$tmp/tty")" -eq 1 ] && [ "$(tail -c 4 "$tmp/tty" | od -An -c | tr -d ' ')" != "" ]; then
	ok "progress line on a terminal: drawn $draws times in place, alerts on lines of their own"
else
	fail "progress on a terminal: exit $rc, $draws draws: $(head -c 300 "$tmp/tty" | od -c | head -5)"
fi
# Erased: every drawing of the line is followed by an erase (before an
# alert, or at the end), and every alert line starts at the line's start.
python3 - "$tmp/tty" <<'EOF' && ok "progress line erased before each alert and at the end" || fail "progress line not erased"
import sys
t = open(sys.argv[1], 'rb').read()
parts = t.split(b'\r\x1b[K')
for i, p in enumerate(parts[1:], 1):
    drawn = p and b'\n' not in p
    if drawn and i == len(parts) - 1:
        sys.exit(1)       # a line left on the screen
    if b'alert rule=' in p and not p.startswith(b'alert rule='):
        sys.exit(1)       # an alert behind the progress text
sys.exit(0 if len(parts) > 2 else 1)
EOF
python3 "$tmp/ptyrun.py" "$KS_BIN" --config "$KS_CONF" --quiet --input "$DATA/sample.log" --input "$tmp/big.log" > "$tmp/tty" 2>&1
! grep -q $'\033' "$tmp/tty" && grep -q 'P07-vmlinuz' "$tmp/tty" && ok "--quiet: no progress line on a terminal" \
	|| fail "--quiet: escape sequences on the terminal"
ks --input "$DATA/sample.log" --input "$tmp/big.log" 2>&1 | cat > "$tmp/pipe"
! grep -q $'\033' "$tmp/pipe" && [ "$(wc -l < "$tmp/pipe")" -eq 2 ] && ok "no progress line in a pipe" \
	|| fail "progress in a pipe: $(head -c 200 "$tmp/pipe" | od -c | head -3)"
ks --input "$DATA/sample.log" --input "$tmp/big.log" > /dev/null 2> "$tmp/errfile"
[ ! -s "$tmp/errfile" ] && ok "no progress line in a file" || fail "progress in a file"

finish
