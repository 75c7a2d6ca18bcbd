#!/usr/bin/env python3
"""Hostile streams for BENCHMARKS.md (issue 15): what a compromised sender
can write. Usage: hostile.py CASE N > FILE, CASE one of garbage (N lines
that are not audit records), noeoe (N exec events without EOE in one second
of log time), late (N events whose EXECVE and CWD come after their EOE),
normal (N complete exec events), longline (one EXECVE line of N MiB), argc
(one exec with argc=2147483648 and four arguments). Each ends with a probe
exec that alerts."""
import sys
out = sys.stdout.buffer
SEC = 1790000000

def ts(serial, sec=SEC, ms=0):
    return b"%d.%03d:%d" % (sec, ms, serial)

def syscall(serial, pid, ppid=1, sec=SEC, ms=0):
    return (b'type=SYSCALL msg=audit(%s): arch=c000003e syscall=59 success=yes exit=0 a0=0 a1=0 a2=0 a3=0 items=2 ppid=%d pid=%d auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm="x" exe="/usr/bin/x" key="exec"\n'
            % (ts(serial, sec, ms), ppid, pid))

def execve(serial, args, sec=SEC, ms=0):
    return b"type=EXECVE msg=audit(%s): argc=%d %s\n" % (ts(serial, sec, ms), len(args), b" ".join(b'a%d="%s"' % (i, a) for i, a in enumerate(args)))

def cwd(serial, sec=SEC, ms=0):
    return b'type=CWD msg=audit(%s): cwd="/root"\n' % ts(serial, sec, ms)

def eoe(serial, sec=SEC, ms=0):
    return b"type=EOE msg=audit(%s): \n" % ts(serial, sec, ms)

def probe():
    return (b'type=SYSCALL msg=audit(1790000100.100:900001): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=100 pid=101 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm="tail" exe="/usr/bin/tail" key="exec"\n'
            b'type=EXECVE msg=audit(1790000100.100:900001): argc=4 a0="tail" a1="-c" a2="64" a3="/boot/probe"\n'
            b'type=CWD msg=audit(1790000100.100:900001): cwd="/root"\n'
            b'type=PROCTITLE msg=audit(1790000100.100:900001): proctitle=7461696C\n')

GARBAGE = [b'#   execve("/bin/true", NULL, NULL);\n', b'# Event 1697091526.357:2638035 refers an execve("id", x) call\n',
           b'type= msg=audit(1790000000.000:1): \n', b'\n', b'garbage(1790000000.000:5) here\n',
           b'msg=audit(1790000000.000:1): argc=1 a0="x"\n']

def garbage(n):
    buf = []
    for i in range(n):
        buf.append(GARBAGE[i % len(GARBAGE)])
        if len(buf) == 8192:
            out.write(b"".join(buf)); buf = []
    out.write(b"".join(buf))

def noeoe(n, sec_span=1):
    buf = []
    for i in range(n):
        s = 100000 + i
        sec = SEC + (i * sec_span) // n
        buf.append(syscall(s, 20000 + i, sec=sec) + execve(s, [b"x", b"%d" % i], sec=sec) + cwd(s, sec=sec))
        if len(buf) == 4096:
            out.write(b"".join(buf)); buf = []
    out.write(b"".join(buf))

def late(n):
    # each event ends (EOE), then its EXECVE and CWD arrive: a new event
    # for auparse that never ends
    buf = []
    for i in range(n):
        s = 100000 + i
        buf.append(syscall(s, 20000 + i) + eoe(s) + execve(s, [b"x", b"%d" % i]) + cwd(s))
        if len(buf) == 4096:
            out.write(b"".join(buf)); buf = []
    out.write(b"".join(buf))

def normal(n):
    buf = []
    for i in range(n):
        s = 100000 + i
        sec = SEC + i // 1000
        ms = i % 1000
        buf.append(syscall(s, 20000 + i, sec=sec, ms=ms) + execve(s, [b"x", b"%d" % i], sec=sec, ms=ms) + cwd(s, sec=sec, ms=ms) + eoe(s, sec=sec, ms=ms))
        if len(buf) == 4096:
            out.write(b"".join(buf)); buf = []
    out.write(b"".join(buf))

def longline(mb):
    out.write(syscall(10, 5000))
    out.write(b'type=EXECVE msg=audit(%s): argc=4 a0="tail" a1="-c" a2="1" a3="/boot/' % ts(10))
    chunk = b"A" * (1 << 20)
    for _ in range(mb):
        out.write(chunk)
    out.write(b'"\n' + eoe(10))

def argc():
    out.write(syscall(20, 5020) + b'type=EXECVE msg=audit(%s): argc=2147483648 a0="tail" a1="-c" a2="1" a3="/boot/x"\n' % ts(20) + eoe(20))

case = sys.argv[1]
arg = int(sys.argv[2]) if len(sys.argv) > 2 else 0
{"garbage": garbage, "noeoe": noeoe, "late": late, "normal": normal, "longline": longline, "argc": lambda a: argc()}[case](arg)
out.write(probe())
