#!/bin/bash
# Malformed input never crashes, hangs or leaks: truncated lines, garbage
# bytes, absurd argc and indexes, a 10 MB line, NUL bytes, bad hex, an
# unterminated last line, events missing records. These lines are written
# by hand on purpose: no auditd produces them. Each case must exit 0 within
# the time limit; the real exec at the end of each stream must still alert,
# proving the plugin went on after the bad input.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A real exec (recorded by auditd on this machine kind, P01 of
# tests/data/raw-exec.log) used as the "still works afterwards" probe.
probe() {
	cat <<'P'
type=SYSCALL msg=audit(1790000000.100:900001): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=100 pid=101 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm="tail" exe="/usr/bin/tail" key="exec"
type=EXECVE msg=audit(1790000000.100:900001): argc=4 a0="tail" a1="-c" a2="64" a3="/boot/probe"
type=CWD msg=audit(1790000000.100:900001): cwd="/root"
type=PROCTITLE msg=audit(1790000000.100:900001): proctitle=7461696C
P
}

# Run one case: stdin from file $2; must exit 0 and alert on the probe,
# and on nothing else: no bad event here is a whole matching exec.
check() {
	local label=$1 file=$2 out rc n
	out=$(timeout 120 "$KS_BIN" --config "$KS_CONF" --input "$file" 2>"$tmp/err")
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$label: exit status $rc"; head -5 "$tmp/err"; return
	fi
	n=$(grep -c '^alert ' <<<"$out")
	if ! grep -q 'args=\["tail","-c","64","/boot/probe"\]' <<<"$out"; then
		fail "$label: the probe exec after it did not alert"
	elif [ "$n" -ne 1 ]; then
		fail "$label: $n alerts, want only the probe's"; head -c 600 <<<"$out"
	else
		ok "$label"
	fi
}

{ echo 'type=SYSCALL msg=audit(1790000000.000:1): arch=c000003e syscall=59 succ'; probe; } > "$tmp/trunc.log"
check "truncated line" "$tmp/trunc.log"

{ head -c 200000 /dev/urandom; echo; probe; } > "$tmp/garbage.log"
check "garbage bytes" "$tmp/garbage.log"

{ printf 'type=SYSCALL msg=audit(1790000000.000:2): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=5 comm="tail" exe="/usr/bin/tail"\n'
  printf 'type=EXECVE msg=audit(1790000000.000:2): argc=4294967295 a0="tail" a4294967294="x" a99999999999999999999="y" a3_len=99999999999 a3[4294967295]=41\n'
  printf 'type=EXECVE msg=audit(1790000000.000:2): argc=-5 a-1="z" a1[-1]=41 a2[]=41 a[0]=41 a=41\n'
  probe; } > "$tmp/argc.log"
check "absurd argc and indexes" "$tmp/argc.log"

{ printf 'type=EXECVE msg=audit(1790000000.000:3): argc=1 a0="'; head -c 10000000 /dev/zero | tr '\0' 'A'; printf '"\n'; probe; } > "$tmp/long.log"
check "a 10 MB line" "$tmp/long.log"

{ printf 'type=SYSCALL msg=audit(1790000000.000:4): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=6 comm="t\0ail" exe="/usr/\0bin/tail"\n'
  printf 'type=EXECVE msg=audit(1790000000.000:4): argc=2 a0="ta\0il" a1=2F626F6F74002F78\n'
  probe; } > "$tmp/nul.log"
check "NUL bytes" "$tmp/nul.log"

{ printf 'type=SYSCALL msg=audit(1790000000.000:5): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=7 comm=ZZ exe=123\n'
  printf 'type=EXECVE msg=audit(1790000000.000:5): argc=3 a0=ABC a1=GG a2="unterminated\n'
  probe; } > "$tmp/hex.log"
check "bad hex and quotes" "$tmp/hex.log"

{ printf 'type=EXECVE msg=audit(1790000000.000:6): argc=2 a0="tail" a1="/boot/x"\n'
  printf 'type=SYSCALL msg=audit(1790000000.000:7): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=8 comm="tail" exe="/usr/bin/tail"\n'
  printf 'type=SYSCALL msg=audit(1790000000.000:8): arch=c000003e syscall=59 success=yes exit=0 comm="tail"\n'
  printf 'type=SYSCALL msg=audit(1790000000.000:9): arch=zz syscall=yy success=yes\n'
  printf 'type=SYSCALL msg=audit(1790000000.000:10): arch=c000003e syscall=56 success=yes exit=-12 pid=3\n'
  printf 'type=SYSCALL msg=audit(1790000000.000:11): arch=c000003e syscall=56 success=yes exit=99999999999 pid=3\n'
  probe; } > "$tmp/missing.log"
check "events missing records and fields" "$tmp/missing.log"

{ for i in $(seq 1 2000); do
	printf 'type=SYSCALL msg=audit(1790000000.000:%d): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=%d comm="x" exe="/x"\n' $((i + 100)) $((i + 100))
  done; probe; } > "$tmp/inflight.log"
check "2000 events without their last record" "$tmp/inflight.log"

{ echo 'msg=audit(1790000000.000:12): type=SYSCALL'; echo 'type=SYSCALL msg=audit(): x'; echo 'type= msg=audit(1.1:1):';
  echo 'node= type=SYSCALL msg=audit(1790000000.000:13): arch=c000003e'; printf '\x1d\x1d\x1d\n'; echo '=========='; probe; } > "$tmp/junk.log"
check "lines that are not audit records" "$tmp/junk.log"

{ probe; printf 'type=SYSCALL msg=audit(1790000001.000:14): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=9 comm="tail" exe="/usr/bin/tail"'; } > "$tmp/unterminated.log"
check "an unterminated last line" "$tmp/unterminated.log"

# An EXECVE whose argc says more than it holds (its last record lost):
# the arguments that came, never padded, marked like a truncated argv in
# the alert and in --stats.
{ printf 'type=SYSCALL msg=audit(1790000000.000:15): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=10 comm="tail" exe="/usr/bin/tail"\n'
  printf 'type=EXECVE msg=audit(1790000000.000:15): argc=6 a0="tail" a1="-c" a2="64" a3="/boot/short"\n'
  printf 'type=PROCTITLE msg=audit(1790000000.000:15): proctitle=7461696C\n'; } > "$tmp/short.log"
out=$(ks --input "$tmp/short.log" --stats 2>"$tmp/err")
if grep -q 'args=\["tail","-c","64","/boot/short"\] argv_truncated=yes' <<<"$out"; then
	ok "argv shorter than argc: kept as it came, marked truncated"
else
	fail "argv shorter than argc: $out"
fi
if grep -q ' truncated=1 ' "$tmp/err"; then
	ok "argv shorter than argc: counted as truncated in --stats"
else
	fail "argv shorter than argc: not in --stats: $(cat "$tmp/err")"
fi

printf '' > "$tmp/empty.log"
if out=$(timeout 30 "$KS_BIN" --config "$KS_CONF" --input "$tmp/empty.log") && [ -z "$out" ]; then
	ok "empty input"
else
	fail "empty input"
fi

# Usage and read errors: exit status 2 with a message on stderr.
ks --input "$tmp/does-not-exist" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -q 'does-not-exist' "$tmp/err"; then ok "missing input: exit 2 with a message"; else fail "missing input: exit $rc"; fi
"$KS_BIN" --format yaml --input "$tmp/empty.log" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && [ -s "$tmp/err" ]; then ok "bad --format: exit 2"; else fail "bad --format: exit $rc"; fi
"$KS_BIN" --bogus >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -q -- "'--bogus'" "$tmp/err" && grep -q '^Usage:' "$tmp/err"; then
	ok "unknown option: exit 2, named, with the usage"
else
	fail "unknown option: exit $rc"; head -3 "$tmp/err"
fi
ks --input /proc/self/mem >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -q '/proc/self/mem: ' "$tmp/err"; then
	ok "unreadable input: exit 2 with a message naming it"
else
	fail "unreadable input: exit $rc"; head -3 "$tmp/err"
fi
if "$KS_BIN" --help | grep -q -- '--input' && "$KS_BIN" --version | grep -q 'audisp-kernel-seeking'; then
	ok "--help and --version"
else
	fail "--help and --version"
fi

finish
