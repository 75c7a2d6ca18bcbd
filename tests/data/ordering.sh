#!/bin/bash
# Workload for the record-order fixture (tests/data/busy-fork.log): a busy
# fork/exec load during which the kernel writes some fork/clone records
# after the records of the child's own exec, plus the process shapes whose
# order the process table must get right. See tests/data/SCENARIOS.md,
# section "Record order".
#
# Run by tests/data/record.sh (target busy-fork) under a real auditd with
# execve and clone/clone3/fork/vfork audited; on its own it only shows that
# the commands work.
#
# Usage: bash tests/data/ordering.sh [ROUNDS]     (default 120)
# Environment:
#   KS_ORD_SRC  a configured source tree to copy and build with make -j2
#               as background load (skipped when unset)
#
# Work dir: /tmp/ks-ord (removed at the end). The /boot paths do not exist:
# only the execs matter. Output goes to /dev/null.

ROUNDS=${1:-120}
W=/tmp/ks-ord
PY=/usr/bin/python3

cleanup() { /bin/rm -rf "$W"; }
trap cleanup EXIT

/bin/rm -rf "$W"
/bin/mkdir -p "$W"

# Issue 11's first example: bash run.sh -> sh peek.sh /boot/... -> tail.
# tail has no /boot/ argument; it matches through its parent, the sh. The
# trailing `true` keeps each shell from exec'ing its last command itself.
printf '%s\n' 'sh /tmp/ks-ord/peek.sh "/boot/vmlinuz-ORD-A$1"' 'true' > "$W/run.sh"
printf '%s\n' 'cd /boot 2>/dev/null; tail -c 16 vmlinuz' 'true' > "$W/peek.sh"

# The thread-group shapes: a thread that forks or execs after the
# leader (main) has exited; MODE is fork or exec.
cat > "$W/leader.c" <<'EOF'
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *mode;

static void *run(void *arg)
{
	(void)arg;
	usleep(50000); /* main has called pthread_exit by now */
	if (strcmp(mode, "exec") == 0) {
		execl("/bin/sh", "sh", "-c", "tail -c 1 /etc/hostname; true",
		      (char *)0);
		return 0;
	}
	pid_t c = fork();
	if (c == 0) {
		execl("/usr/bin/tail", "tail", "-c", "1", "/etc/hostname",
		      (char *)0);
		_exit(127);
	}
	waitpid(c, 0, 0);
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t t;

	mode = argc > 1 ? argv[1] : "fork";
	pthread_create(&t, 0, run, 0);
	pthread_exit(0);
}
EOF
/usr/bin/gcc -O -pthread -o "$W/leader" "$W/leader.c" 2>/dev/null ||
    echo "ordering.sh: cannot build the leader helper: skipped" >&2

q() { "$@" </dev/null >/dev/null 2>&1; }

# ------------------------------------------------------------ background
# make -j2 of a copy of this project, and parallel shell pipelines.
if [ -n "${KS_ORD_SRC:-}" ] && [ -f "$KS_ORD_SRC/Makefile" ]; then
    /bin/mkdir -p "$W/src"
    (cd "$KS_ORD_SRC" && /bin/tar cf - --exclude=.git --exclude='*.o' \
        --exclude='*.a' --exclude=audisp-kernel-seeking .) |
        (cd "$W/src" && /bin/tar xf -)
    (cd "$W/src" && q make -j2 plugin/audisp-kernel-seeking) &
fi
(
    for i in $(seq 40); do
        seq 1 200 | grep 7 | sort -r | head -n 3 | wc -l
        sh -c 'echo a | tr a b | cat' "pipe-$i"
    done >/dev/null 2>&1
) &

# ------------------------------------------------- issue 11's two examples
# Run side by side, ROUNDS times, while the background load runs.
for i in $(seq "$ROUNDS"); do
    q bash "$W/run.sh" "-$i" &
    # The first example's shape with dash's vfork making the sh peek.sh:
    # that vfork's record nearly always comes after sh's exec.
    q sh -c "sh $W/peek.sh /boot/vmlinuz-ORD-C-$i; true" &
    # awk's system() is posix_spawn: clone3(CLONE_VM|CLONE_VFORK) -> sh -c
    # -> dd. dd has no /boot/ argument and neither has its parent sh, so it
    # must not match; awk's own argv has one.
    q awk 'BEGIN{system("dd if=/dev/zero of=/dev/null bs=1 count=0 seek=4 status=none")}' "/boot/config-ORD-B-$i" &
    wait
done
wait

# ------------------------------------------------------------- pid reuse
# A process that exec'd with OLD in its argv exits; its pid is handed out
# again (kernel.ns_last_pid) to the subshell of a `bash -c ... NEW`, whose
# child tail must see NEW as its parent's argv, never OLD. Retried when
# another process on the machine took the pid first. The pids after OLD's
# are skipped before and after, so that no other pid of this tree is reused
# within one clock tick (which the kernel's cyclic pid allocation never
# does on its own; tests/oracle.py relies on it).
reuse() {
    local old try
    for try in $(seq 20); do
        sh -c ':' "$1" </dev/null >/dev/null 2>&1 &
        old=$!
        wait "$old"
        echo $((old + 500)) > /proc/sys/kernel/ns_last_pid
        sleep 0.05
        # $0 is NEW (so it is in this bash's argv), $1 the pid to reuse
        bash -c 'echo $(($1 - 1)) > /proc/sys/kernel/ns_last_pid
            ( if [ "$BASHPID" = "$1" ]; then tail -c 1 /etc/hostname; : > "$2"; fi; true )
            echo $(($1 + 1000)) > /proc/sys/kernel/ns_last_pid' "$2" "$old" "$W/reuse-$3" </dev/null >/dev/null 2>&1
        [ -e "$W/reuse-$3" ] && return 0
    done
    echo "ordering.sh: pid reuse $3 did not happen in 20 tries" >&2
}
reuse /boot/ORD-reuse-old ORD-reuse-new-a a       # negative
reuse ORD-reuse-old-b /boot/ORD-reuse-new-b b     # positive

# -------------------------------------------------------- a thread execs
# python3's threading uses clone3(CLONE_THREAD); the thread execs sh, whose
# child tail then has the whole process (its pid) as parent: sh's argv,
# not python3's.
q $PY -c 'import os, threading, time
threading.Thread(target=lambda: os.execv("/bin/sh", ["sh", "-c", "tail -c 1 /etc/hostname; true", "/boot/ORD-thread-exec"])).start()
time.sleep(5)'
q $PY -c 'import os, threading, time
threading.Thread(target=lambda: os.execv("/bin/sh", ["sh", "-c", "tail -c 1 /etc/hostname; true"])).start()
time.sleep(5)' /boot/ORD-thread-noexec

# ------------------------------------------------- exit of the leader
if [ -x "$W/leader" ]; then
    q "$W/leader" fork /boot/ORD-leader-fork     # tail: parent argv has /boot/
    q "$W/leader" exec /boot/ORD-leader-exec     # tail: parent is sh -c, no /boot/
fi

# ------------------------------------ a parent execs after forking a child
# The child's exec comes after the parent's exec: its parent is the new
# image (positive) ...
q bash -c '( sleep 0.3; exec tail -c 1 /etc/hostname ) & exec '"$PY"' -c "import time; time.sleep(0.8)" /boot/ORD-parent-exec-first'
sleep 0.6
# ... or before it: its parent is still the old one (negative).
q bash -c '( exec tail -c 1 /etc/hostname ) & sleep 0.3; exec '"$PY"' -c "import time; time.sleep(0.1)" /boot/ORD-parent-exec-later'
sleep 0.3
exit 0
