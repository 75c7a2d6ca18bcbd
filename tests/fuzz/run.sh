#!/bin/bash
# Build every libFuzzer harness in tests/fuzz with clang (ASan + UBSan +
# libFuzzer, not through automake), replay the committed regression inputs
# (tests/fuzz/regressions/<harness>/*), then fuzz each harness for SECONDS
# (default 60) from a corpus seeded with the recorded fixtures.
#
#   tests/fuzz/run.sh [SECONDS]        e.g. tests/fuzz/run.sh 0: replay only
#
# Exit 0 when everything passed, 1 on any crash, sanitizer report, leak,
# timeout (-timeout=10 per input) or out-of-memory (-rss_limit_mb=2048) -
# the reproducer's path is printed and its work directory kept - and 2 when
# something needed is missing.
#
# Needs a configured tree: the plugin sources include "config.h", which
# ./configure writes at the top of the build directory (KS_BUILDDIR, default
# the source tree). Needs clang with libFuzzer (Debian 12: apt-get install
# clang libclang-rt-14-dev), pkg-config, libauparse-dev, libaudit-dev and
# python3. Environment: CC (default clang); FUZZ_ONLY="fuzz_x fuzz_y" runs
# only those harnesses. Harnesses run one after the other, so the wall time
# is about N x SECONDS plus the build.
set -u
secs=${1:-60}
case $secs in ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${KS_BUILDDIR:-$src}
CC=${CC:-clang}

if [ ! -f "$build/config.h" ]; then
	echo "$0: no config.h in $build: run ./configure first (or set KS_BUILDDIR to a configured build directory)" >&2
	exit 2
fi
for t in "$CC" pkg-config python3; do
	command -v "$t" >/dev/null 2>&1 || { echo "$0: $t is required" >&2; exit 2; }
done
deps=$(pkg-config --cflags --libs auparse audit libpcre2-8 zlib liblzma) || {
	echo "$0: pkg-config cannot find auparse/audit/libpcre2-8/zlib/liblzma (apt-get install libauparse-dev libaudit-dev libpcre2-dev zlib1g-dev liblzma-dev)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ks-fuzz.XXXXXX")
keep=0
cleanup() { if [ "$keep" -eq 0 ]; then rm -rf "$work"; else echo "fuzz: work directory kept: $work"; fi; }
trap cleanup EXIT
trap 'exit 1' INT TERM

# Harness -> the plugin modules it links, and -max_len for its inputs.
declare -A srcs maxlen asan_extra
srcs[fuzz_records]="plugin/strbuf plugin/argv plugin/exec_event plugin/flight plugin/prefilter plugin/login_event plugin/event_assembly plugin/node_ids plugin/session plugin/proc_table plugin/timeline plugin/lineage plugin/rule plugin/alert plugin/eql plugin/eql_regex plugin/diag plugin/logsock plugin/ecs_event tests/v2_reference"
maxlen[fuzz_records]=65536
# libauparse has no frame pointers: slow unwinding, so an lsan.supp entry
# could match.
asan_extra[fuzz_records]=fast_unwind_on_malloc=0:malloc_context_size=12
srcs[fuzz_config]="plugin/conf plugin/diag plugin/logsock plugin/strbuf"
maxlen[fuzz_config]=16384
srcs[fuzz_argv]="plugin/argv"
maxlen[fuzz_argv]=16384
srcs[fuzz_eql]="plugin/eql plugin/eql_set plugin/eql_regex plugin/diag plugin/logsock plugin/ecs_event plugin/session plugin/lineage plugin/proc_table plugin/timeline plugin/strbuf plugin/rule tests/v2_reference"
maxlen[fuzz_eql]=8192
srcs[fuzz_rulefile]="plugin/rulefile plugin/diag plugin/logsock plugin/eql plugin/eql_regex plugin/ecs_event plugin/session plugin/lineage plugin/proc_table plugin/timeline plugin/strbuf plugin/rule"
maxlen[fuzz_rulefile]=65536
srcs[fuzz_review_input]="plugin/syslog_prefix plugin/timerange plugin/input"
maxlen[fuzz_review_input]=65536
srcs[fuzz_statefile]="plugin/statefile plugin/proc_table"
maxlen[fuzz_statefile]=65536

cflags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-D_GNU_SOURCE -I "$src/include" -I "$build" -I "$here" -I "$src/tests")

# Sanitizer settings: every report is fatal, leaks included. lsan.supp
# suppresses nothing now (it says why).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1:detect_stack_use_after_return=1:strict_string_checks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
export LSAN_OPTIONS=suppressions=$src/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}

harnesses=()
for f in "$here"/fuzz_*.c; do
	h=$(basename "$f" .c)
	if [ -n "${FUZZ_ONLY:-}" ] && [[ " $FUZZ_ONLY " != *" $h "* ]]; then continue; fi
	[ -n "${srcs[$h]:-}" ] || { echo "fuzz: $h: no entry in run.sh's source table" >&2; exit 2; }
	missing=
	for m in ${srcs[$h]}; do [ -f "$src/$m.c" ] || missing="$missing $m.c"; done
	if [ -n "$missing" ]; then
		echo "fuzz: $h: skipped,${missing} not there yet"
		continue
	fi
	harnesses+=("$h")
done

failed=0
fail() { failed=1; keep=1; echo "FUZZ FAIL - $*"; }

# --- build --------------------------------------------------------------
for h in "${harnesses[@]}"; do
	files=()
	for m in ${srcs[$h]}; do files+=("$src/$m.c"); done
	# shellcheck disable=SC2086
	if ! "$CC" "${cflags[@]}" -o "$work/$h" "$here/$h.c" "${files[@]}" $deps \
		> "$work/$h.build.log" 2>&1; then
		cat "$work/$h.build.log"
		fail "$h: does not build"
		continue
	fi
	echo "fuzz: built $h"
done

# --- seed corpora from the fixtures ------------------------------------
python3 - "$src" "$work/seeds" <<'PY'
import glob, os, re, sys
src, out = sys.argv[1], sys.argv[2]

def put(h, name, data):
    d = os.path.join(out, h)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

logs = sorted(glob.glob(os.path.join(src, "tests/data/*.log")))
# fuzz_records: 4 header bytes (chunk seed lo/hi, flags, max_len/17) + text.
# Each log is cut into pieces of whole events (about 12 KiB each), fed
# whole, in small chunks with ea_age, and with small limits and max_len.
headers = [b"\0\0\x10\0", b"\x01\x02\x04\x00", b"\x07\x00\x09\x3c", b"\x33\x01\x0a\x01"]
for path in logs:
    base = os.path.basename(path)
    data = open(path, "rb").read()
    lines = data.splitlines(keepends=True)
    piece, n, k = [], 0, 0
    for ln in lines + [None]:
        if ln is None or (n > 12000 and b"type=SYSCALL " in ln[:80]):
            if piece:
                text = b"".join(piece)
                put("fuzz_records", "%s.%03d" % (base, k), headers[k % len(headers)] + text)
                k += 1
            piece, n = [], 0
            if ln is None:
                break
        piece.append(ln)
        n += len(ln)
# fuzz_argv: 1 byte (limits, decode cap) + name=value lines from EXECVE records.
k = 0
for path in logs:
    for ln in open(path, "rb").read().splitlines():
        if b"type=EXECVE" not in ln:
            continue
        body = ln.split(b"): ", 1)[-1].split(b"\x1d")[0]
        fields = re.findall(rb"(\S+?)=(\"[^\"]*\"|\S+)", body)
        text = b"\n".join(n + b"=" + v for n, v in fields)
        put("fuzz_argv", "%s.%04d" % (os.path.basename(path), k), bytes([k % 256]) + text)
        k += 1
        if k >= 400:
            break
# fuzz_config: the shipped config, and variants with every key set.
for path in glob.glob(os.path.join(src, "conf/*.conf")):
    put("fuzz_config", os.path.basename(path), open(path, "rb").read())
put("fuzz_config", "all-keys", b"facility = local3\npriority=info\nformat = json # c\n"
    b"json_cee_cookie = yes\nmax_message_size = 1024\nthrottle_max_alerts = 0\n"
    b"throttle_window = 86400\nprocess_table_size = 64\nmax_argv_bytes = 4096\n"
    b"proc_fallback = no\r\n")
# fuzz_eql / fuzz_rulefile: the Elastic rule files and their queries.
tomls = sorted(glob.glob(os.path.join(src, "tests/data/elastic-rules/*.toml")) +
               glob.glob(os.path.join(src, "conf/rules/*.toml")))
for path in tomls:
    data = open(path, "rb").read()
    put("fuzz_rulefile", os.path.basename(path), data)
    m = re.search(rb"query\s*=\s*'''(.*?)'''", data, re.S) or re.search(rb'query\s*=\s*"""(.*?)"""', data, re.S)
    if m:
        put("fuzz_eql", os.path.basename(path) + ".eql", m.group(1))
put("fuzz_eql", "small.eql", b'process where process.name : ("tail", "dd") and process.args like~ "/BOOT/*" and not process.parent.name == null')
put("fuzz_eql", "features.eql", b'process where ?process.x.y == "a" and process.name regex~ """[a-z]+\\d{1,3}(x|y)*""" and '
    b'startsWith~(process.executable, "/USR") and length(process.command_line) > 3 and process.args_truncated != true')
# Every query of a detection-rules checkout beside the project (all OSes,
# every language: what does not compile exercises the error paths).
import tomllib
elastic = os.path.join(src, "..", "shared", "elastic-detection-rules")
for root, dirs, files in os.walk(elastic):
    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    for fn in sorted(files):
        if fn.endswith(".toml"):
            try:
                q = tomllib.load(open(os.path.join(root, fn), "rb")).get("rule", {}).get("query")
            except Exception:
                q = None
            if q:
                put("fuzz_eql", "elastic-" + fn + ".eql", q.encode()[:8192])
# fuzz_review_input: 1 byte (0/1 syslog prefix, 2 a --start value, 3 a
# file) + the bytes: syslog lines, times, and logs plain, gzip'd and xz'd.
import gzip, lzma
sample = open(os.path.join(src, "tests/data/sample.log"), "rb").read()
for i, ln in enumerate([
        b"Nov 29 10:00:01 web1 audisp-syslog: type=SYSCALL msg=audit(1.2:3): arch=c000003e",
        b"<85>1 2026-11-29T10:00:01.003Z web2 audisp-syslog 812 - [a@1 k=\"v\"] node=x type=EOE msg=audit(1.2:3):",
        b"2026-11-29T10:00:01.123456+01:00 web1 sshd[1]: Accepted"]):
    put("fuzz_review_input", "prefix.%d" % i, b"\0" + ln)
for i, w in enumerate([b"yesterday 18:00", b"2026-11-29T10:20:30.5+01:00", b"11/29/26 10:00:00", b"@1795947630", b"this-week"]):
    put("fuzz_review_input", "when.%d" % i, b"\2" + w)
syslog = b"".join(b"Nov 27 20:09:10 vm audisp-syslog: " + ln.replace(b"\x1d", b"#035") + b"\n"
                  for ln in sample.splitlines()[:40])
put("fuzz_review_input", "file.plain", b"\3" + sample[:8000])
put("fuzz_review_input", "file.gz", b"\3" + gzip.compress(sample))
put("fuzz_review_input", "file.xz", b"\3" + lzma.compress(sample))
put("fuzz_review_input", "file.syslog", b"\3" + syslog[:16000])
put("fuzz_review_input", "file.syslog.gz", b"\3" + gzip.compress(syslog))
PY

# --- replay regressions, then fuzz --------------------------------------
for h in "${harnesses[@]}"; do
	[ -x "$work/$h" ] || continue
	reg=$here/regressions/$h
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg" 2>/dev/null)" ]; then
		if ASAN_OPTIONS=$ASAN_OPTIONS${asan_extra[$h]:+:${asan_extra[$h]}} "$work/$h" -runs=1 -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 \
			"$reg"/* > "$work/$h.replay.log" 2>&1; then
			echo "fuzz: $h: $(ls "$reg" | wc -l) regression inputs replayed"
		else
			tail -40 "$work/$h.replay.log"
			fail "$h: a regression input fails again (log: $work/$h.replay.log; inputs: $reg)"
		fi
	fi
	[ "$secs" -gt 0 ] || continue

	corpus=$work/corpus/$h
	art=$work/artifacts/$h
	mkdir -p "$corpus" "$art"
	dict=()
	[ -f "$here/$h.dict" ] && dict=(-dict="$here/$h.dict")
	seeds=()
	[ -d "$work/seeds/$h" ] && seeds=("$work/seeds/$h")
	[ -d "$reg" ] && seeds+=("$reg")
	echo "fuzz: $h: fuzzing for ${secs}s"
	ASAN_OPTIONS=$ASAN_OPTIONS${asan_extra[$h]:+:${asan_extra[$h]}} \
		"$work/$h" "${dict[@]}" -max_total_time="$secs" -max_len="${maxlen[$h]}" \
		-timeout=10 -rss_limit_mb=2048 -detect_leaks=1 -print_final_stats=1 \
		-artifact_prefix="$art/" "$corpus" "${seeds[@]}" > "$work/$h.log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)' "$work/$h.log" | tr '\n' ' '; echo
	repro=$(find "$art" -type f | head -5)
	if [ $rc -ne 0 ] || [ -n "$repro" ]; then
		grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|invariant failed|SUMMARY' "$work/$h.log"
		tail -60 "$work/$h.log"
		fail "$h: exit $rc; reproducer: ${repro:-none written (see $work/$h.log)}"
		for r in $repro; do echo "  reproduce: $work/$h $r"; done
	fi
done

if [ "$failed" -ne 0 ]; then
	echo "fuzz: FAILED (copy each reproducer into tests/fuzz/regressions/<harness>/ once fixed)"
	exit 1
fi
echo "fuzz: all harnesses passed (${#harnesses[@]} harnesses, ${secs}s each)"
exit 0
