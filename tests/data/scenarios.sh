#!/bin/bash
# Scenario script for the "Kernel Seeking Activity" fixtures.
#
# Run by tests/data/record.sh under a real auditd (do not run it on its own
# unless you only want to see that the commands work).  Every scenario is one
# or more child commands of this shell, tagged with its ID in a /boot path or
# an argument (e.g. /boot/P01-vmlinuz-6.1).  See tests/data/SCENARIOS.md for
# the expected strict-v2 result of each scenario.
#
# Usage: bash tests/data/scenarios.sh [ID ...]     (default: all scenarios)
# Environment:
#   KS_EXEC32  path of a static i386 helper that execve()s
#              /usr/bin/tail {"tail","-c","1","/boot/P16"} (built by
#              record.sh); P16 is skipped when it is unset.
#
# The commands are expected to fail (the /boot files do not exist): only the
# exec is recorded.  Output goes to /dev/null, stdin is /dev/null.
# Work dir: /tmp/ks-scn (created here, removed at the end).  P07 creates
# /usr/lib/needrestart/vmlinuz-get-version only if it does not exist, and
# removes it (and the directory, if created here) afterwards.

W=/tmp/ks-scn
NR_DIR=/usr/lib/needrestart
NR_FILE=$NR_DIR/vmlinuz-get-version
nr_made_dir=0
nr_made_file=0

cleanup() {
    if [ "$nr_made_file" = 1 ]; then /bin/rm -f "$NR_FILE"; fi
    if [ "$nr_made_dir" = 1 ]; then /bin/rmdir "$NR_DIR" 2>/dev/null; fi
    /bin/rm -rf "$W"
}
trap cleanup EXIT

q() { "$@" </dev/null >/dev/null 2>&1; }   # run one child command quietly

/bin/rm -rf "$W"
/bin/mkdir -p "$W"
printf 'abcdefghijklmnopqrstuvwxyz\n' > "$W/b"
printf 'abcdefghijklmnopqrstuvwxyz\n' > "$W/x"

# ---------------------------------------------------------------- positives
P01() { q tail -c 64 /boot/P01-vmlinuz-6.1; }
P02() { q tail -c+1000 /boot/P02; }
P03() { q tail --bytes 9 /boot/P03; }
P04() { q cmp -i 100 /boot/P04 "$W/b"; }
P05() { q xxd -s 0x200 /boot/P05; }
P06() { q hexdump -C -s 512 /boot/P06-initrd.img; }
P07() {
    # dd's own args contain no /boot/ element; the parent's argv does.
    if [ ! -e "$NR_FILE" ]; then
        if [ ! -d "$NR_DIR" ]; then /bin/mkdir -p "$NR_DIR" && nr_made_dir=1; fi
        printf '%s\n' 'dd if=/boot/vmlinuz of=/dev/null seek=1 count=0 status=none; true' > "$NR_FILE" \
            && nr_made_file=1
    fi
    q /bin/sh "$NR_FILE" /boot/P07-vmlinuz-6.1
}
P08() {
    printf '%s\n' "tail -c+5 $W/x; true" > "$W/s.sh"
    q sh "$W/s.sh" /boot/P08
}
P09() { q bash -c 'exec -a /boot/P09 xxd -s 1 /etc/hosts'; }
P10() { q tail -c 1 "/boot/P10 my kernel"; }
P11() {
    # one ~9000-byte argument with spaces: hex-encoded and split (aN_len, aN[i])
    local big
    printf -v big 'k%.0s ' {1..4500}          # builtin, no subshell
    q tail -c 1 "/boot/P11-$big"
}
P12() { q tail -c 1 $(seq 3100) /boot/P12-last; }   # 3104 args, several EXECVE records
P13() {
    /bin/ln -sf /usr/bin/xxd "$W/peek"
    q "$W/peek" -s 1 /boot/P13                           # comm=peek exe=/usr/bin/xxd
}
P14() {
    # fexecve -> execveat(fd, "", argv, envp, AT_EMPTY_PATH): syscall 322
    q /usr/bin/python3 -c 'import os
fd = os.open("/usr/bin/tail", os.O_RDONLY)
os.execve(fd, ["tail", "-c", "1", "/boot/P14"], {})'
}
P15() {
    # tail's parent is a subshell that never execs: its argv is inherited
    # from "bash sub.sh /boot/P15", known only through fork records.
    printf '%s\n' "( tail -c 5 $W/x; true ); true" > "$W/sub.sh"
    q bash "$W/sub.sh" /boot/P15
}
P16() {
    if [ -z "$KS_EXEC32" ] || [ ! -x "$KS_EXEC32" ]; then
        echo "P16 skipped: no i386 helper (KS_EXEC32)" >&2
        return 0
    fi
    q "$KS_EXEC32" P16      # i386 execve: arch=40000003 syscall=11
}

# ---------------------------------------------------------------- negatives
N01() { q tail --bytes=9 /boot/N01; }
N02() { q tail -n 5 /boot/N02-config; }
N03() { q cmp --ignore-initial=100 /boot/N03 "$W/b"; }
N04() { q xxd -s0x200 /boot/N04; }
N05() { q dd if=/boot/N05 of=/dev/null seek=1 count=0 status=none; }
N06() { ( cd /boot && xxd -s 16 N06-vmlinuz ) </dev/null >/dev/null 2>&1; }
N07() {
    q tail -c 5 /BOOT/N07
    q tail -c 5 //boot/N07b
}
N08() {
    if ! command -v busybox >/dev/null; then
        echo "N08 skipped: busybox not installed" >&2
        return 0
    fi
    q busybox tail -c 5 /boot/N08
}
N09() {
    /bin/cp /usr/bin/tail "$W/mytail"
    q "$W/mytail" -c 5 /boot/N09
}
N10() {
    # non-executable file named tail: execve fails (EACCES, success=no, no
    # EXECVE record); tagged by the marker exec just before it
    printf '#!/bin/sh\nexit 0\n' > "$W/tail"
    /bin/chmod 0644 "$W/tail"
    q /usr/bin/echo N10-marker
    q "$W/tail" -c 5 /boot/N10
}
N11() {
    q /usr/bin/echo N11-marker   # tags the next exec
    q tail -c 5 /boot
}
N12() { q xxd -S 1 /boot/N12; }
N13() { q cat /boot/N13; }

ALL="P01 P02 P03 P04 P05 P06 P07 P08 P09 P10 P11 P12 P13 P14 P15 P16 N01 N02 N03 N04 N05 N06 N07 N08 N09 N10 N11 N12 N13"

for id in ${*:-$ALL}; do
    case " $ALL " in
        *" $id "*) "$id" ;;
        *) echo "unknown scenario: $id" >&2; exit 2 ;;
    esac
done
exit 0
