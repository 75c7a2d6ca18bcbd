# Helpers for tests that run the plugin in plugin mode on a FIFO
# (sourced after lib.sh). They keep their files in $tmp and kill what they
# started on exit.
need python3
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT

# event SERIAL [full|partial] [COUNT]: the P01 exec (tail -c 64
# /boot/P01-...) with a new serial (COUNT copies, serials counting up);
# "partial" drops its PROCTITLE, the record that ends an exec event, so
# only the aging timer can complete it. With NEEDLE set, the exec whose
# EXECVE record contains it instead; with PPID set, that ppid.
event() {
	NEEDLE=${NEEDLE:-/boot/P01-} PPID_SET=${PPID_SET:-} \
	python3 - "$DATA/raw-exec.log" "$1" "${2:-full}" "${3:-1}" <<'PY'
import os, re, sys
log, serial, mode, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
needle, ppid = os.environ["NEEDLE"].encode(), os.environ["PPID_SET"].encode()
lines = open(log, "rb").read().split(b"\n")
sid = None
for l in lines:
    if b"type=EXECVE" in l and needle in l:
        sid = re.search(rb"msg=audit\(([0-9.]+):([0-9]+)\)", l).group(0)
        break
out = []
for n in range(serial, serial + count):
    for l in lines:
        if sid in l:
            if mode == "partial" and b"type=PROCTITLE" in l:
                continue
            l = l.replace(sid, sid.split(b":")[0] + b":" + str(n).encode() + b")")
            if ppid and b"type=SYSCALL" in l:
                l = re.sub(rb" ppid=[0-9]+ ", b" ppid=" + ppid + b" ", l)
            out.append(l)
sys.stdout.buffer.write(b"\n".join(out) + b"\n")
PY
}

# wait_for FILE REGEX SECONDS: poll until the regex shows up
wait_for() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# start NAME CONFIG: the plugin on a FIFO, with TERM and HUP blocked and
# ignored in the environment it inherits, as auditd 3.0.9 can leave them.
# Extra environment for the plugin (LD_PRELOAD...) comes from START_ENV,
# extra options (--format json...) from START_ARGS.
start() {
	mkfifo "$tmp/$1.in"
	# Once per file: a second start on the same file must not repeat the
	# keys (a duplicate key makes the plugin run on defaults).
	grep -q '^rules_dir' "$2" 2>/dev/null || printf '%s\n' "$KS_RULES_CONF" >> "$2"
	env ${START_ENV:-} python3 -c '
import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1])
for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGUSR1):
    signal.signal(s, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$KS_BIN" --stderr ${START_ARGS:-} --config "$2" < "$tmp/$1.in" 2> "$tmp/$1.err" &
	pids+=($!)
	eval "${1}_pid=$!"
	exec {fd}> "$tmp/$1.in"
	eval "${1}_fd=$fd"
}

alerts() { grep -c 'alert rule=\|"@timestamp"' "$1"; }

