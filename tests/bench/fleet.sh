#!/bin/bash
# Fleet benchmark: what a central collector's plugin costs with N machines
# sending through audisp-remote (tests/bench/gen.py fleet: N node= names
# interleaved, R execs/s each in log time, every exec a fork + exec + exit,
# no EOE records, as audisp-remote sends them), and how big its process
# table must be. Not part of make check.
#
#   tests/bench/fleet.sh          (from the top of a built tree)
#
# Environment: KS_BIN, NODES (200), RATE (50), LOGSECS (20: seconds of log
# time for the CPU and RSS runs), SIZES ("16384 65536 262144 1048576":
# process_table_size values for the sizing runs), IDLES ("10 30 60": seconds
# a parent stays idle in the sizing runs), CALLGRIND (20000: execs for the
# instruction counts; 0 skips them).
#
# 1. CPU and peak RSS, plugin mode (stdin, as auditd feeds it) and review
#    mode (--input -), fed through a pipe from gen.py (the generator's own
#    CPU is not counted): CPU per 1000 execs/s = CPU s per exec x 1000.
# 2. Sizing: every node's needrestart-like parent execs at log time 0 and
#    stays idle; its child (which matches the rule only through the
#    parent's argv) execs IDLE s later: the alert count is the number of
#    nodes on which that parent was still in the table.
# 3. Instructions (callgrind, whatever the load): the same execs from 200
#    nodes and from 1 node, review mode.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
GEN=$TOP/tests/bench/gen.py
KS_BIN=${KS_BIN:-$TOP/plugin/audisp-kernel-seeking}
NODES=${NODES:-200}
RATE=${RATE:-50}
LOGSECS=${LOGSECS:-20}
SIZES=${SIZES:-16384 65536 262144 1048576}
IDLES=${IDLES:-10 30 60}
CALLGRIND=${CALLGRIND:-20000}
[ -x "$KS_BIN" ] || { echo "fleet.sh: build the plugin first ($KS_BIN)" >&2; exit 2; }
W=$(mktemp -d /tmp/ks-fleet.XXXXXX)
trap 'rm -rf "$W"' EXIT

conf() {   # conf SIZE: a collector's settings
	printf 'process_table_size = %s\nproc_fallback = no\n' "$1" > "$W/ks.conf"
}
# run MODE EXECS [gen options]: prints "cpu_s peak_rss_kb stats-line"
run() {
	local mode=$1 n=$2; shift 2
	local args=(--config "$W/ks.conf")
	[ "$mode" = review ] && args+=(--input - --stats)
	[ "$mode" = plugin ] && args+=(--stderr)
	python3 "$GEN" fleet "$n" --nodes "$NODES" --rate "$RATE" "$@" |
		/usr/bin/time -o "$W/time" -f '%U %S %M' "$KS_BIN" "${args[@]}" \
		> "$W/out" 2> "$W/err" || { echo "fleet.sh: $mode run failed:"; tail -3 "$W/err"; exit 1; }
	awk '{ printf "%.2f %d ", $1 + $2, $3 }' "$W/time"
	grep -a -o 'execs=[0-9]*.*' "$W/err" | tail -n1
}
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<" $2"; }

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), plugin $(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null || echo '?')"
execs=$((NODES * RATE * LOGSECS))
echo "== 1. $NODES nodes x $RATE execs/s = $((NODES * RATE)) execs/s, $LOGSECS s of log time ($execs execs, forks and exits), process_table_size 262144"
printf '%-7s %8s %12s %22s %10s %10s\n' mode "CPU s" "peak RSS KB" "CPU per 1000 execs/s" table evictions
conf 262144
for mode in plugin review; do
	read -r cpu rss stats < <(run "$mode" "$execs")
	awk -v m="$mode" -v c="$cpu" -v r="$rss" -v n="$execs" -v t="$(field table "$stats")" \
	    -v e="$(field evictions "$stats")" 'BEGIN {
		printf "%-7s %8.2f %12d %21.2f%% %10s %10s\n", m, c, r, c / n * 1000 * 100, t, e }'
done
echo "   (CPU per 1000 execs/s: the share of one core that 1000 execs/s of the fleet take)"

echo "== 2. sizing: nodes on which a parent idle for T s is still known ($NODES nodes, $RATE execs/s each)"
printf '%-8s' "T \\ size"
for s in $SIZES; do printf ' %24s' "$s"; done
echo
for t in $IDLES; do
	printf '%-8s' "${t} s"
	n=$((NODES * RATE * t + NODES * RATE))   # T s of execs, then one more second
	for s in $SIZES; do
		conf "$s"
		read -r cpu rss stats < <(run review "$n" --idle "$t")
		printf ' %6s/%-3s %7s %5dMB' "$(field alerts "$stats")" "$NODES" \
			"$(field table "$stats")" $((rss / 1024))
	done
	echo
done
echo "   (each cell: nodes whose parent was known / nodes, entries in the table at the end, peak RSS)"

if [ "$CALLGRIND" != 0 ] && command -v valgrind >/dev/null; then
	echo "== 3. instructions (callgrind), review mode, $CALLGRIND execs, process_table_size 262144"
	conf 262144
	for nodes in "$NODES" 1; do
		r=$((NODES * RATE / nodes))
		python3 "$GEN" fleet "$CALLGRIND" --nodes "$nodes" --rate "$r" > "$W/cg.log"
		valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" \
			"$KS_BIN" --config "$W/ks.conf" --input "$W/cg.log" > /dev/null 2> "$W/cg.err"
		ir=$(sed -n 's/^summary: //p' "$W/cg.out")
		awk -v n="$nodes" -v ir="$ir" -v e="$CALLGRIND" 'BEGIN {
			printf "%5d node(s): %6.0f M instructions, %5.1f k per exec\n", n, ir / 1e6, ir / e / 1e3 }'
	done
fi
