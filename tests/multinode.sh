#!/bin/bash
# Central logs: records of several machines in one stream, told apart only
# by their node= prefix, with colliding pids. The process table is keyed by
# (node, pid), so one machine's exec never gets another machine's process
# as its parent.
#
# From the recorded tests/data/raw-fork.log (node=vm) a second machine is
# made: node=vm2, serials shifted, pids unchanged, and the argv of every
# process that is a parent there (the scenario shells, and those that fork
# from them) stripped of /boot/, so that the parent-branch scenarios (P07,
# P08, P15) must alert on vm only. The two are interleaved event by event
# (same timestamps), vm's event first and then vm2's first. auparse hands
# on events of the same timestamp in serial order, so the sign of the
# shift decides whose process a shared table would hold at each step: with
# vm2 after vm, vm would lose its parent-branch alerts; with vm2 before vm,
# vm2 would get vm's. Both are run. The plugin must give:
#   - exactly what tests/oracle.py (one process table per node) gives;
#   - on vm, the alerts of raw-fork.log alone; on vm2 the same, shifted,
#     without P07, P08 and P15; host.name the alert's own node;
#   - something else than a single pid-keyed table gives (the same stream
#     without node=), i.e. this test catches a table shared by the nodes.
# Then more distinct nodes than the interning table holds (NODE_IDS_MAX,
# include/node_ids.h): every event is still handled, one line says so.
. "$(dirname "$0")/lib.sh"
need jq python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

LOG=$DATA/raw-fork.log
# Parent-branch scenarios of raw-fork.log (tests/data/SCENARIOS.md): the
# serials of the execs that match only through their parent's argv.
PARENT_ONLY="1922 1926 1949"

cat > "$tmp/twonode.py" <<'PY'
"""twonode.py LOG SHIFT ORDER: the two-node stream on stdout (ORDER is
"vm" or "vm2": whose event comes first at each step)."""
import re
import sys

log, shift, first = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ID = re.compile(rb"msg=audit\(([0-9]+\.[0-9]+):([0-9]+)\)")
FIELD = re.compile(rb"(?<= )(a[0-9]+(?:\[[0-9]+\])?|proctitle)=(\S*)")
EXEC_NR, FORK_NR = {b"59", b"322"}, {b"56", b"435", b"57", b"58"}


def field(line, name):
    m = re.search(rb" " + name + rb"=(\S+)", line)
    return m.group(1) if m else None


def decode(v):
    if v.startswith(b'"'):
        return v[1:-1]
    return bytes.fromhex(v.decode())


def encode(b):
    # as the kernel does: quoted when printable, no space and no '"'
    if b and all(0x21 <= c <= 0x7e and c != 0x22 for c in b):
        return b'"' + b + b'"'
    return b.hex().upper().encode()


events, order = {}, []
with open(log, "rb") as f:
    for line in f:
        m = ID.search(line)
        if not m:
            sys.exit("unexpected line: %r" % line[:80])
        if not line.startswith(b"node=vm "):
            sys.exit("every line must start with node=vm: %r" % line[:80])
        key = m.group(0)
        if key not in events:
            events[key] = []
            order.append(key)
        events[key].append(line)

# Whose image can become a parent's: the ppid of every exec, and along fork
# chains the forking process (a forked child inherits its image).
parents = set()
for key in order:
    for line in events[key]:
        if b" type=SYSCALL " not in line or field(line, b"success") != b"yes":
            continue
        nr = field(line, b"syscall")
        if nr in EXEC_NR:
            parents.add(field(line, b"ppid"))
        elif nr in FORK_NR:
            parents.add(field(line, b"pid"))
            parents.add(field(line, b"ppid"))


def vm2(key):
    lines = events[key]
    pid = None
    for line in lines:
        if b" type=SYSCALL " in line:
            pid = field(line, b"pid")
    out = []
    for line in lines:
        m = ID.search(line)
        line = (b"node=vm2 " + line[len(b"node=vm "):]).replace(
            m.group(0), b"msg=audit(%s:%d)" % (m.group(1),
                                               int(m.group(2)) + shift), 1)
        if pid in parents and (b" type=EXECVE " in line or
                               b" type=PROCTITLE " in line):
            if re.search(rb" a[0-9]+_len=", line):
                sys.exit("split argument in a parent's exec: not handled")
            line = FIELD.sub(lambda f: f.group(1) + b"=" + encode(
                decode(f.group(2)).replace(b"/boot/", b"/tmp/b/")), line)
            if b"/boot/" in b"".join(decode(f.group(2))
                                     for f in FIELD.finditer(line)):
                sys.exit("/boot/ left in a vm2 parent")
        out.append(line)
    return out


w = sys.stdout.buffer.write
for key in order:
    a, b = events[key], vm2(key)
    for lines in ((a, b) if first == "vm" else (b, a)):
        for line in lines:
            w(line)
PY

ks --input "$LOG" --format json | sequences > "$tmp/vm.seq"
[ -s "$tmp/vm.seq" ] || { echo "FAIL - no alerts on $LOG"; exit 1; }
for s in $PARENT_ONLY; do
	grep -qx "$s" "$tmp/vm.seq" || fail "serial $s is not an alert of $LOG (scenarios changed?)"
done
# Serials of raw-fork.log are 1899..1994: both shifts keep vm2's apart.
for shift in 100000 -1800; do
	# vm2's expected alerts: vm's, shifted, without the parent-only ones.
	{ cat "$tmp/vm.seq"; grep -vxF -f <(printf '%s\n' $PARENT_ONLY) "$tmp/vm.seq" |
		awk -v s="$shift" '{ print $1 + s }'; } | sort -n > "$tmp/expected.seq"
	for first in vm vm2; do
		label="vm2 serials $shift, $first first"
		python3 "$tmp/twonode.py" "$LOG" "$shift" "$first" > "$tmp/two.log" ||
			{ fail "$label: cannot build the stream"; continue; }
		ks --input "$tmp/two.log" --format json > "$tmp/two.json"
		rc=$?
		[ $rc -eq 0 ] || fail "$label: exit $rc"
		sequences < "$tmp/two.json" > "$tmp/two.seq"
		python3 "$KS_SRCDIR/tests/oracle.py" "$tmp/two.log" > "$tmp/two.oracle"
		if cmp -s "$tmp/two.seq" "$tmp/two.oracle"; then
			ok "$label: same alerts as the oracle ($(wc -l < "$tmp/two.seq"))"
		else
			fail "$label: oracle disagrees"; diff "$tmp/two.oracle" "$tmp/two.seq" | head
		fi
		if cmp -s "$tmp/two.seq" "$tmp/expected.seq"; then
			ok "$label: vm alerts as on its own, vm2 without P07 P08 P15"
		else
			fail "$label: not the expected alerts"; diff "$tmp/expected.seq" "$tmp/two.seq" | head
		fi
		bad=$(jq -r --slurpfile vm <(jq -s . "$tmp/vm.seq") \
			'select((.auditd.sequence as $s | $vm[0] | index($s) != null) != (.host.name == "vm")) | .auditd.sequence' \
			"$tmp/two.json" | head -3)
		[ -z "$bad" ] && ok "$label: host.name is the alert's node" ||
			fail "$label: host.name of another node on serial(s) $bad"

		# One table for both machines (node= removed) gives other
		# alerts: the checks above tell the two apart.
		LC_ALL=C sed 's/^node=[^ ]* //' "$tmp/two.log" > "$tmp/shared.log"
		ks --input "$tmp/shared.log" --format json | sequences > "$tmp/shared.seq"
		if ! cmp -s "$tmp/shared.seq" "$tmp/two.seq"; then
			ok "$label: a table shared by the nodes gives other alerts ($(diff "$tmp/shared.seq" "$tmp/two.seq" | grep -c '^[<>]') differ)"
		else
			fail "$label: a shared table gives the same alerts: the stream does not tell the bug apart"
		fi
	done
done

# More distinct nodes than the interning table holds: each node runs a
# shell with /boot/ in its argv that forks and execs tail -c (alert through
# the parent), one node after the other so shared ids cannot matter.
nodes=4200
python3 - "$nodes" > "$tmp/many.log" <<'PY'
import sys
n = int(sys.argv[1])
w = sys.stdout.buffer.write
S = (b"node=%s type=SYSCALL msg=audit(1790000000.%03d:%d): arch=c000003e "
     b"syscall=%d success=yes exit=%d a0=0 a1=0 a2=0 a3=0 items=1 ppid=%d "
     b"pid=%d auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
     b"fsgid=0 tty=(none) ses=1 comm=\"%s\" exe=\"%s\" key=\"k\"\n")
E = b"node=%s type=EXECVE msg=audit(1790000000.%03d:%d): argc=%d %s\n"
EOE = b"node=%s type=EOE msg=audit(1790000000.%03d:%d): \n"
serial = 0
for i in range(n):
    node = b"host-%05d" % i
    ms = i % 1000
    serial += 1
    w(S % (node, ms, serial, 59, 0, 1, 100, b"sh", b"/usr/bin/dash"))
    w(E % (node, ms, serial, 2, b'a0="sh" a1="/boot/x.sh"'))
    w(EOE % (node, ms, serial))
    serial += 1
    w(S % (node, ms, serial, 56, 101, 1, 100, b"sh", b"/usr/bin/dash"))
    w(EOE % (node, ms, serial))
    serial += 1
    w(S % (node, ms, serial, 59, 0, 100, 101, b"tail", b"/usr/bin/tail"))
    w(E % (node, ms, serial, 3, b'a0="tail" a1="-c1" a2="/etc/hosts"'))
    w(EOE % (node, ms, serial))
PY
ks --input "$tmp/many.log" --format json --stats > "$tmp/many.json" 2> "$tmp/many.err"
rc=$?
[ $rc -eq 0 ] && ok "$nodes nodes: exit 0" || fail "$nodes nodes: exit $rc"
jq -r 'select(.process.parent.args[1] == "/boot/x.sh") | .host.name' "$tmp/many.json" > "$tmp/many.hosts"
n=$(sort -u "$tmp/many.hosts" | wc -l)
n_alerts=$(wc -l < "$tmp/many.json")
[ "$n" -eq "$nodes" ] && [ "$(wc -l < "$tmp/many.hosts")" -eq "$nodes" ] && [ "$n_alerts" -eq "$nodes" ] &&
	ok "$nodes nodes: each alerts once, through its parent" ||
	fail "$nodes nodes: $n nodes alerted, $(wc -l < "$tmp/many.hosts") alerts through the parent, $n_alerts in all"
said=$(grep -c 'distinct node' "$tmp/many.err")
[ "$said" -eq 1 ] && ok "$nodes nodes: one line says nodes now share a table: $(grep 'distinct node' "$tmp/many.err" | cut -c1-140)" ||
	{ fail "$nodes nodes: $said lines about the node cap"; head -5 "$tmp/many.err"; }
if grep -q 'nodes=4096 node_overflow=[1-9]' "$tmp/many.err"; then
	ok "$nodes nodes: counted in --stats ($(grep -o 'nodes=.*' "$tmp/many.err"))"
else
	fail "$nodes nodes: no node counters in --stats"; cat "$tmp/many.err" | head -3
fi
# The table's share per node stays one bounded line: five nodes by name,
# the others summed, all of it adding up to the table.
if python3 - "$tmp/many.err" <<'PY'
import json, re, sys
line = [l for l in open(sys.argv[1]) if "top_nodes=" in l][-1]
top = json.loads(re.search(r"top_nodes=(\[.*?\]\]|\[\])", line).group(1))
other = json.loads(re.search(r"other_nodes=(\[[0-9,]+\])", line).group(1))
table = int(re.search(r" table=([0-9]+) ", line).group(1))
assert len(line) < 2048, len(line)
assert len(top) == 5 and all(isinstance(n, str) and n.startswith("host-") for n, _, _ in top), top
assert other[0] >= 4096 - 5, other
assert sum(e for _, e, _ in top) + other[1] == table, (top, other, table)
PY
then
	ok "$nodes nodes: top_nodes names five, other_nodes sums the rest, together the table, in one bounded line"
else
	fail "$nodes nodes: top_nodes/other_nodes: $(grep -o 'top_nodes=.*' "$tmp/many.err" | cut -c1-300)"
fi

finish
