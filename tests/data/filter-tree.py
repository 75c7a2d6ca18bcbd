#!/usr/bin/env python3
"""Keep only the audit events of one process tree (used by tests/data/record.sh).

Usage: filter-tree.py --root-pid PID [--ses SES] < recorded.log > fixture.log

An *event* is the set of all records (lines) that carry the same
msg=audit(SECONDS.MILLIS:SERIAL) id.  An event is kept when its SYSCALL record's
pid= is in the scenario's process tree; events without a SYSCALL record
(DAEMON_*, CONFIG_CHANGE, LOGIN, ...) are dropped.  Kept records are written
byte for byte (ENRICHED 0x1D suffixes, node= prefixes and EOE records
included) in their original order.

The tree is the closure of:
  * the root pid (the scenario shell, written to a file by record.sh);
  * the pid of any SYSCALL whose ppid= is in the tree (exec children);
  * the exit= value of a clone/clone3/fork/vfork SYSCALL whose pid= is in the
    tree (only present when fork rules were loaded);
  * with --ses: the pid of any SYSCALL whose ses= equals SES.  record.sh gives
    the scenario shell its own audit session (by writing /proc/self/loginuid),
    which every descendant inherits.  This covers children of subshells that
    never exec when no fork records exist (scenario P15).
With --ses, an event is only kept if its ses= also equals SES, so a pid of
the tree that is reused later by an unrelated process cannot leak in.

Fields are read from the raw part of the SYSCALL record, i.e. before the
0x1D separator of the ENRICHED format.
"""
import argparse
import re
import sys

ID_RE = re.compile(rb"msg=audit\((\d+\.\d+:\d+)\)")
FIELD_RE = re.compile(rb"(?:^| )([a-z0-9_]+)=(\S*)")

# arch=c000003e (x86_64) and arch=40000003 (i386) fork-like syscall numbers
FORK_SYSCALLS = {
    b"c000003e": {b"56", b"57", b"58", b"435"},   # clone fork vfork clone3
    b"40000003": {b"120", b"2", b"190", b"435"},  # clone fork vfork clone3
}


def fields(line):
    raw = line.split(b"\x1d", 1)[0]
    return {k: v for k, v in FIELD_RE.findall(raw)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root-pid", required=True)
    ap.add_argument("--ses", default=None)
    ap.add_argument("--input", default="-")
    args = ap.parse_args()

    data = sys.stdin.buffer.read() if args.input == "-" else open(args.input, "rb").read()
    # split on \n only: str.splitlines() would also split at the 0x1D separator
    lines = [l + b"\n" for l in data.split(b"\n")]
    if lines and lines[-1] == b"\n":
        lines.pop()
    else:
        lines[-1] = lines[-1][:-1]

    syscalls = []  # (event id, fields)
    line_ids = []
    for line in lines:
        m = ID_RE.search(line)
        eid = m.group(1) if m else None
        line_ids.append(eid)
        if eid is not None and b"type=SYSCALL " in line.split(b"msg=audit", 1)[0] + b" ":
            syscalls.append((eid, fields(line)))

    ses = args.ses.encode() if args.ses is not None else None
    tree = {args.root_pid.encode()}
    changed = True
    while changed:
        changed = False
        for _, f in syscalls:
            pid, ppid = f.get(b"pid"), f.get(b"ppid")
            if pid is None:
                continue
            if ses is not None and f.get(b"ses") != ses:
                continue
            new = []
            if pid not in tree and (ppid in tree or ses is not None):
                new.append(pid)
            forks = FORK_SYSCALLS.get(f.get(b"arch"), ())
            ex = f.get(b"exit", b"")
            if f.get(b"syscall") in forks and ex.isdigit() and int(ex) > 0 and (pid in tree or pid in new):
                new.append(ex)
            for p in new:
                if p not in tree:
                    tree.add(p)
                    changed = True

    keep = set()
    for eid, f in syscalls:
        if f.get(b"pid") in tree and (ses is None or f.get(b"ses") == ses):
            keep.add(eid)

    out = sys.stdout.buffer
    for line, eid in zip(lines, line_ids):
        if eid in keep:
            out.write(line)
    sys.stderr.write("filter-tree: %d of %d events kept, %d pids in tree\n"
                     % (len(keep), len(set(i for i in line_ids if i)), len(tree)))


if __name__ == "__main__":
    main()
