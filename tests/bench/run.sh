#!/bin/bash
# Benchmark: the plugin in review mode against the cost floor of any
# auparse-based consumer (tests/bench/bare_auparse.c) and against what a
# sysadmin would run (ausearch -i), over the same bytes, on three streams
# made by tests/bench/gen.py. Not part of make check.
#
#   tests/bench/run.sh            (from the top of a built tree)
#
# Environment: KS_BIN (default plugin/audisp-kernel-seeking), BENCH_DIR
# (default /tmp/ks-bench: streams, ~3.5 GB), RUNS (3; medians are reported),
# EH_EVENTS (300000), MX_EVENTS (1000000), ADV_EVENTS (1000000),
# ADV_BIG_EVENTS (10000000; the RSS checks on the adversarial and the
# sessions streams, streamed through a pipe, never written to disk; 0 skips
# them), AUSEARCH (1; 0 skips ausearch).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$TOP/tests/bench
KS_BIN=${KS_BIN:-$TOP/plugin/audisp-kernel-seeking}
BENCH_DIR=${BENCH_DIR:-/tmp/ks-bench}
RUNS=${RUNS:-3}
EH_EVENTS=${EH_EVENTS:-300000}
MX_EVENTS=${MX_EVENTS:-1000000}
ADV_EVENTS=${ADV_EVENTS:-1000000}
ADV_BIG_EVENTS=${ADV_BIG_EVENTS:-10000000}
AUSEARCH=${AUSEARCH:-1}

[ -x "$KS_BIN" ] || { echo "run.sh: build the plugin first ($KS_BIN)" >&2; exit 2; }
mkdir -p "$BENCH_DIR"
BARE=$BENCH_DIR/bare_auparse
cc -O2 -o "$BARE" "$BENCH/bare_auparse.c" -lauparse -laudit

echo "== machine"
echo "cpu:     $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
echo "nproc:   $(nproc)"
echo "kernel:  $(uname -sr)"
echo "auparse: $(dpkg-query -W -f '${Version}' libauparse0 2>/dev/null || echo '?')"
echo "plugin:  $KS_BIN ($(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$TOP" && git diff --quiet 2>/dev/null || echo '+dirty'))"
echo

declare -A N
for shape in exec-heavy mixed adversarial; do
	case $shape in
	exec-heavy) n=$EH_EVENTS ;;
	mixed) n=$MX_EVENTS ;;
	adversarial) n=$ADV_EVENTS ;;
	esac
	N[$shape]=$n
	f=$BENCH_DIR/$shape-$n.log
	[ -s "$f" ] || python3 "$BENCH/gen.py" "$shape" "$n" > "$f"
done

# one measurement: prints "cpu_seconds rss_kb wall_seconds"
measure() {
	local out=$BENCH_DIR/time.out
	/usr/bin/time -o "$out" -f '%U %S %M %e' "$@" > /dev/null 2> "$BENCH_DIR/stderr" \
		|| { echo "run.sh: failed: $* ($(tail -1 "$BENCH_DIR/stderr"))" >&2; exit 1; }
	awk '{ printf "%.3f %d %.3f\n", $1 + $2, $3, $4 }' "$out"
}
# median over RUNS of each column
median_of() {
	local i
	for i in $(seq "$RUNS"); do "$@"; done | awk -v r="$RUNS" '
		{ c[NR] = $1; m[NR] = $2; w[NR] = $3 }
		function med(a,  n, i, j, t) { n = r
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return a[int((n + 1) / 2)] }
		END { printf "%s %s %s\n", med(c), med(m), med(w) }'
}

declare -A CPU RSS WALL
for shape in exec-heavy mixed adversarial; do
	f=$BENCH_DIR/$shape-${N[$shape]}.log
	cat "$f" > /dev/null   # page cache
	read -r CPU[$shape.plugin] RSS[$shape.plugin] WALL[$shape.plugin] < <(median_of measure "$KS_BIN" --input "$f")
	read -r CPU[$shape.bare] RSS[$shape.bare] WALL[$shape.bare] < <(median_of measure "$BARE" "$f")
	if [ "$AUSEARCH" = 1 ]; then
		read -r CPU[$shape.ausearch] RSS[$shape.ausearch] WALL[$shape.ausearch] < <(median_of measure ausearch -i -if "$f")
	fi
done

echo "== ratios (CPU user+sys, medians of $RUNS runs)"
printf '%-12s %18s %22s\n' stream "plugin / bare" "ausearch / plugin"
for shape in exec-heavy mixed adversarial; do
	a=-
	[ "$AUSEARCH" = 1 ] && a=$(awk -v x="${CPU[$shape.ausearch]}" -v y="${CPU[$shape.plugin]}" 'BEGIN { printf "%.1f", x / y }')
	printf '%-12s %18s %22s\n' "$shape" \
		"$(awk -v x="${CPU[$shape.plugin]}" -v y="${CPU[$shape.bare]}" 'BEGIN { printf "%.2f", x / y }')" "$a"
done
echo
echo "== detail"
printf '%-12s %-9s %10s %8s %10s %14s %12s\n' stream tool events MB "events/s" "CPU s/M events" "peak RSS KB"
for shape in exec-heavy mixed adversarial; do
	n=${N[$shape]}
	mb=$(( $(stat -c %s "$BENCH_DIR/$shape-$n.log") / 1000000 ))
	for tool in plugin bare ausearch; do
		[ -n "${CPU[$shape.$tool]:-}" ] || continue
		awk -v s="$shape" -v t="$tool" -v n="$n" -v mb="$mb" -v c="${CPU[$shape.$tool]}" \
		    -v w="${WALL[$shape.$tool]}" -v r="${RSS[$shape.$tool]}" 'BEGIN {
			printf "%-12s %-9s %10d %8d %10.0f %14.3f %12d\n", s, t, n, mb,
				(w > 0 ? n / w : 0), c / n * 1e6, r }'
	done
done
echo

if [ "$ADV_BIG_EVENTS" != 0 ]; then
	echo "== plugin RSS on the adversarial stream (distinct pids, 3104-arg and 100 KiB-arg execs)"
	small=$(/usr/bin/time -f '%M' "$KS_BIN" --input "$BENCH_DIR/adversarial-$ADV_EVENTS.log" 2>&1 > /dev/null | tail -1)
	big=$( { python3 "$BENCH/gen.py" adversarial "$ADV_BIG_EVENTS" | /usr/bin/time -f '%M' "$KS_BIN" --input - > /dev/null; } 2>&1 | tail -1)
	awk -v a="$small" -v b="$big" -v na="$ADV_EVENTS" -v nb="$ADV_BIG_EVENTS" 'BEGIN {
		d = (b - a) / a * 100
		printf "%d events: %d KB   %d events: %d KB   change %+.1f%% (%s)\n", na, a, nb, b, d,
			(d < 10 && d > -10) ? "flat within 10%" : "NOT flat" }'
	echo "== plugin RSS on the sessions stream (every exec a new pid in a new audit session)"
	small=$( { python3 "$BENCH/gen.py" sessions "$ADV_EVENTS" | /usr/bin/time -f '%M' "$KS_BIN" --input - > /dev/null; } 2>&1 | tail -1)
	big=$( { python3 "$BENCH/gen.py" sessions "$ADV_BIG_EVENTS" | /usr/bin/time -f '%M' "$KS_BIN" --input - > /dev/null; } 2>&1 | tail -1)
	awk -v a="$small" -v b="$big" -v na="$ADV_EVENTS" -v nb="$ADV_BIG_EVENTS" 'BEGIN {
		d = (b - a) / a * 100
		printf "%d events: %d KB   %d events: %d KB   change %+.1f%% (%s)\n", na, a, nb, b, d,
			(d < 10 && d > -10) ? "flat within 10%" : "NOT flat" }'
fi
