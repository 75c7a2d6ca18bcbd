#!/usr/bin/env python3
"""Keep, from a recorded plugin stream, the events of the login scenarios
(tests/data/record-logins.sh): every record whose process descends from
the private sshd listener or from the scenario driver, and every record of
an audit session one of those processes opened.

    filter-logins.py --sshd PID --driver PID OUT_FORK OUT_EXEC < stream

Descent is followed through exec ppid= and the child pid of clone/fork
records (key "fork"), to a fixed point, since a fork record can come after
its child's records. Sessions are the ses= of LOGIN records sent by those
processes. Whole events are kept, byte for byte, in stream order; records
are grouped by node= and msg=audit(ID). OUT_FORK gets them all; OUT_EXEC
the same without the events whose SYSCALL has key="fork": what a host
auditing only execve/execveat writes (user records do not depend on the
rules).

Lines end with \\n: never split with str.splitlines(), which also breaks
at the ENRICHED 0x1D separator.
"""
import argparse
import re
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--sshd", type=int, required=True)
ap.add_argument("--driver", type=int, required=True)
ap.add_argument("out_fork")
ap.add_argument("out_exec")
a = ap.parse_args()

data = sys.stdin.buffer.read()
lines = data.split(b"\n")
if lines and lines[-1] == b"":
    lines.pop()

# (EOE records end right after the colon)
ID = re.compile(rb"^(?:node=(\S+) )?type=(\S+) msg=audit\(([0-9.]+:[0-9]+)\):(?: |$)")


def field(line, name):
    """A field of the raw part (before 0x1D) before any msg='; None."""
    raw = line.split(b"\x1d")[0]
    raw = raw.split(b" msg='")[0]
    m = re.search(rb"(?:^| )" + name + rb"=(\S*)", raw.split(b"): ", 1)[-1])
    return m.group(1) if m else None


def num(v):
    return int(v) if v is not None and v.isdigit() else None


events, order = {}, []
for i, line in enumerate(lines):
    m = ID.match(line)
    key = (m.group(1), m.group(3)) if m else ("?", i)
    if key not in events:
        events[key] = []
        order.append(key)
    events[key].append(i)

syscalls = []
for i, line in enumerate(lines):
    m = ID.match(line)
    if m and m.group(2) == b"SYSCALL":
        syscalls.append((num(field(line, b"pid")), num(field(line, b"ppid")),
                         field(line, b"key"), field(line, b"success"),
                         num(field(line, b"exit")), num(field(line, b"ses"))))

tree = {a.sshd, a.driver}
changed = True
while changed:
    changed = False
    for pid, ppid, key, ok, ex, _ in syscalls:
        if pid not in tree and ppid in tree:
            tree.add(pid)
            changed = True
        if pid in tree and key == b'"fork"' and ok == b"yes" and ex and ex not in tree:
            tree.add(ex)
            changed = True

UNSET = 4294967295
sessions = set()
for line in lines:
    m = ID.match(line)
    if m and m.group(2) == b"LOGIN" and num(field(line, b"pid")) in tree:
        ses = num(field(line, b"ses"))
        if ses is not None and ses != UNSET:
            sessions.add(ses)


def wanted(idx):
    for i in idx:
        pid = num(field(lines[i], b"pid"))
        ses = num(field(lines[i], b"ses"))
        if pid in tree or (ses in sessions):
            return True
    return False


keep = sorted(i for k in order if wanted(events[k]) for i in events[k])
forks = {k for k in order
         if any(ID.match(lines[i]) and ID.match(lines[i]).group(2) == b"SYSCALL"
                and field(lines[i], b"key") == b'"fork"' for i in events[k])}
line_key = {}
for k in order:
    for i in events[k]:
        line_key[i] = k
with open(a.out_fork, "wb") as f:
    f.write(b"".join(lines[i] + b"\n" for i in keep))
with open(a.out_exec, "wb") as f:
    f.write(b"".join(lines[i] + b"\n" for i in keep if line_key[i] not in forks))
print("kept %d of %d records (%d processes, sessions %s)"
      % (len(keep), len(lines), len(tree), sorted(sessions)), file=sys.stderr)
