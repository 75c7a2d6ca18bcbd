#!/usr/bin/env python3
"""gen.py - deterministic benchmark streams built from recorded real events.

    gen.py SHAPE EVENTS [--seed N] > stream.log
    gen.py fleet EXECS [--nodes N] [--rate R] [--idle T] [--seed N] > stream.log

SHAPE:
  exec-heavy   every event a successful exec (a build server; no exec of the
               rule's, so no alerts: templates with /boot are left out; the
               adversarial stream has them): children of a
               pool of live "shell" pids, some of which become parents in
               turn, so ppid= always names a pid that exec'd before.
  mixed        one event in ten an exec; the rest what auditd sends besides:
               file-watch SYSCALL (openat with a key) + CWD + PATH +
               PROCTITLE + EOE, PAM USER_*/CRED_*, LOGIN, USER,
               CONFIG_CHANGE, sendto + SOCKADDR, DAEMON_*.
  adversarial  every event an exec by a new pid (EVENTS distinct pids, wrapping
               only past 4194304), ppid a random earlier pid; one in 1000 an
               exec with 3104 arguments over 6 EXECVE records, one in 1000 an
               exec with one 100 KiB argument hex-encoded and split aN[i] over
               many EXECVE records.
  sessions     every event an exec by a new pid in a new audit session (ses=
               counts up from 100, EVENTS distinct sessions), ppid a random
               earlier pid: a flood of sessions for the timeline's table and
               long parent chains for the process table.

  fleet        a collector's input (audisp-remote from N machines, 200 by
               default): N node= names interleaved at random, each node
               R execs/s (50) in log time, so EXECS execs span
               EXECS / (N * R) s of log time. Each exec is a short-lived
               process: its parent (one of 64 busy shells per node) forks
               it (clone, exit= the child), it execs and it exits
               (exit_group): fork, exec and exit in equal numbers, as
               auditd sends them when those syscalls are audited; pids
               collide across nodes (every node counts from the same pid).
               Sizing probe: at log time 0 every node runs a needrestart-
               like parent (`/bin/sh .../vmlinuz-get-version /boot/...`)
               that then sits idle; after T s of log time (--idle, default
               the whole stream) its child `dd if=/boot/vmlinuz ...
               seek=1` execs, which alerts only if the parent is still in
               the process table: the alert count says on how many of the
               N nodes a parent idle for T s was still known.

Templates are whole events recorded from the real auditd on this machine in
plugin-stdin form (log_format=ENRICHED, name_format=HOSTNAME, EOE records):
tests/data/enriched-exec.log, tests/data/enriched-fork.log (execs) and
tests/bench/templates-mixed.log (everything else; tests/bench/record-templates.sh),
tests/bench/templates-exit.log (exit_group events, recorded the same way with
the rule `-S exit_group`; how: BENCHMARKS.md, "Fleet").
A generated event is a template event with a new msg=audit(sec.ms:serial),
and in SYSCALL/LOGIN/USER_*/CRED_* records new pid= and ppid= values (and in
the sessions shape new ses= values in SYSCALL records); every other byte of
every record is kept.  Events are written one after the other
(as auditd delivers them); serials and timestamps increase (1 ms a step).
"""
import argparse
import random
import re
import sys
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', 'data')

ID_RE = re.compile(rb'msg=audit\(([0-9]+\.[0-9]+:[0-9]+)\)')
PID_RE = re.compile(rb'(?<= )(ppid|pid)=([0-9]+)')
FORK_RE = re.compile(rb'(?<= )(ppid|pid|exit)=([0-9]+)')
SES_PID_RE = re.compile(rb'(?<= )(ppid|pid|ses)=([0-9]+)')
# records whose pid=/ppid= fields are the process's (never inside quotes:
# the kernel writes argv in EXECVE, not here)
PID_TYPES = (b'SYSCALL', b'LOGIN', b'USER_', b'CRED_', b'USER ')


def read_events(path):
    events, order = {}, []
    with open(path, 'rb') as f:
        for line in f:
            m = ID_RE.search(line)
            if not m:
                continue
            k = m.group(1)
            if k not in events:
                events[k] = []
                order.append(k)
            events[k].append(line)
    return [events[k] for k in order]


def rtype(line):
    m = re.search(rb'type=([A-Z_]+) ', line)
    return m.group(1) if m else b''


def classify(recs):
    sc = [r for r in recs if rtype(r) == b'SYSCALL']
    if not sc:
        return 'standalone'
    s = sc[0]
    m = re.search(rb' syscall=([0-9]+) ', s)
    nr = int(m.group(1)) if m else -1
    arch = re.search(rb' arch=([0-9a-f]+) ', s).group(1)
    ok = b' success=yes ' in s
    execs = {b'c000003e': (59, 322), b'40000003': (11, 358)}
    if ok and nr in execs.get(arch, ()) and any(rtype(r) == b'EXECVE' for r in recs):
        return 'exec'
    if nr in (56, 57, 58, 435):
        return 'fork'
    if b' key=(null)' in s:
        return 'syscall'
    return 'watch'


class Template:
    """An event split into constant bytes and slots: 'id', 'pid', 'ppid'."""

    def __init__(self, recs, ses=False, fork=False, node=False):
        self.parts = []   # bytes or slot name
        self.size = sum(len(r) for r in recs)
        self.nrec = len(recs)
        for r in recs:
            pieces = []
            if node:
                # the fleet's node names: a slot for the value, in place
                # of the recording's own node= (or where there was none)
                pieces += [b'node=', 'node']
                r = r[r.index(b' '):] if r.startswith(b'node=') else b' ' + r
            m = ID_RE.search(r)
            pieces += [r[:m.start(1)], 'id']
            rest = r[m.end(1):]
            t = rtype(r)
            if any(t.startswith(p.strip()) for p in PID_TYPES) or t == b'USER':
                # only in the raw part, before the ENRICHED 0x1D section
                raw, sep, enr = rest.partition(b'\x1d')
                pos = 0
                rx = SES_PID_RE if ses and t == b'SYSCALL' else PID_RE
                if fork and t == b'SYSCALL':
                    rx = FORK_RE   # clone's exit= is the child's pid
                for pm in rx.finditer(raw):
                    pieces.append(raw[pos:pm.start(2)])
                    pieces.append(pm.group(1).decode())
                    pos = pm.end(2)
                pieces.append(raw[pos:] + sep + enr)
            else:
                pieces.append(rest)
            self.parts.extend(pieces)
        # merge adjacent constants
        merged = []
        for p in self.parts:
            if isinstance(p, bytes) and merged and isinstance(merged[-1], bytes):
                merged[-1] += p
            else:
                merged.append(p)
        self.parts = merged

    def render(self, vals):
        return b''.join(p if isinstance(p, bytes) else vals[p] for p in self.parts)


def load(ses=False):
    execs, other = [], {'standalone': [], 'watch': [], 'syscall': []}
    big_argc = big_arg = None
    for name in ('enriched-exec.log', 'enriched-fork.log'):
        for recs in read_events(os.path.join(DATA, name)):
            if classify(recs) != 'exec':
                continue
            t = Template(recs, ses)
            argc = re.search(rb' argc=([0-9]+)', b''.join(recs))
            if argc and int(argc.group(1)) > 3000:
                big_argc = big_argc or t
            elif t.size < 4096 and not re.search(rb'/boot|2F626F6F74', b''.join(recs)):
                # no rule matches: a build server does not read /boot
                execs.append(t)
    for recs in read_events(os.path.join(HERE, 'templates-mixed.log')):
        c = classify(recs)
        if c == 'exec':
            if any(b'_len=' in r for r in recs):
                big_arg = big_arg or Template(recs)
            continue
        if c in other:
            other[c].append(Template(recs))
    return execs, other, big_argc, big_arg


def load_fleet():
    """exec (no /boot), fork (clone), exit_group, and the probe's parent and
    child templates, all with a node slot."""
    execs, forks, exits, probe = [], [], [], {}
    for name in ('enriched-exec.log', 'enriched-fork.log'):
        for recs in read_events(os.path.join(DATA, name)):
            # audisp-remote sends no EOE records: a collector never sees one
            recs = [r for r in recs if rtype(r) != b'EOE']
            c = classify(recs)
            joined = b''.join(recs)
            if c == 'fork':
                forks.append(Template(recs, fork=True, node=True))
            elif c != 'exec':
                continue
            elif b'a1="/usr/lib/needrestart/vmlinuz-get-version"' in joined:
                probe['parent'] = Template(recs, node=True)
            elif b'a0="dd" a1="if=/boot/vmlinuz"' in joined:
                probe['child'] = Template(recs, node=True)
            elif (sum(len(r) for r in recs) < 4096 and b' argc=' in joined
                  and not re.search(rb'/boot|2F626F6F74', joined)):
                execs.append(Template(recs, node=True))
    for recs in read_events(os.path.join(HERE, 'templates-exit.log')):
        if re.search(rb' syscall=231 ', recs[0]):
            exits.append(Template(recs, node=True))
    assert execs and forks and exits and len(probe) == 2
    return execs, forks, exits, probe


def fleet(a, rnd):
    execs, forks, exits, probe = load_fleet()
    out = sys.stdout.buffer
    nodes = [b'web%03d' % i for i in range(a.nodes)]
    serial = [1000] * a.nodes
    next_pid = [3000] * a.nodes
    shells = [[str(p).encode() for p in range(2000, 2064)] for _ in nodes]
    rate = a.nodes * a.rate              # execs/s over the fleet
    idle_execs = a.events if a.idle is None else int(a.idle * rate)
    t0 = 1800000000.0
    buf = []

    def emit(t, n, when, vals):
        serial[n] += 1
        vals['id'] = b'%.3f:%d' % (t0 + when, serial[n])
        vals['node'] = nodes[n]
        buf.append(t.render(vals))
        if len(buf) >= 4096:
            out.write(b''.join(buf))
            buf.clear()

    # the probe's parents: pid 1500 on every node, exec'd at time 0
    for n in range(a.nodes):
        emit(probe['parent'], n, 0.0, {'pid': b'1500', 'ppid': b'1'})
    for i in range(a.events):
        when = i / rate
        n = rnd.randrange(a.nodes)
        if i == idle_execs - 1 or (i == a.events - 1 and idle_execs > a.events):
            for m in range(a.nodes):   # the probe's children, at time T
                emit(probe['child'], m, when,
                     {'pid': b'1501', 'ppid': b'1500'})
        next_pid[n] += 1
        if next_pid[n] > 4194304:
            next_pid[n] = 3000
        pid = str(next_pid[n]).encode()
        parent = rnd.choice(shells[n])
        emit(rnd.choice(forks), n, when, {'pid': parent, 'ppid': b'1', 'exit': pid})
        emit(rnd.choice(execs), n, when, {'pid': pid, 'ppid': parent})
        emit(rnd.choice(exits), n, when, {'pid': pid, 'ppid': parent})
    out.write(b''.join(buf))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('shape', choices=('exec-heavy', 'mixed', 'adversarial',
                                      'sessions', 'fleet'))
    ap.add_argument('events', type=int)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--nodes', type=int, default=200)
    ap.add_argument('--rate', type=float, default=50.0)
    ap.add_argument('--idle', type=float, default=None)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    if a.shape == 'fleet':
        fleet(a, rnd)
        return
    execs, other, big_argc, big_arg = load(a.shape == 'sessions')
    assert execs and other['watch'] and other['standalone'] and big_argc and big_arg
    out = sys.stdout.buffer
    sec, ms, serial = 1800000000, 0, 1000
    next_pid = 3000
    shells = [str(p).encode() for p in range(2000, 2064)]   # make, sh, ...
    buf = []

    def emit(t, pid, ppid, ses=b''):
        nonlocal sec, ms, serial
        serial += 1
        ms += 1
        if ms == 1000:
            ms = 0
            sec += 1
        buf.append(t.render({'id': b'%d.%03d:%d' % (sec, ms, serial),
                             'pid': pid, 'ppid': ppid, 'ses': ses}))
        if len(buf) >= 4096:
            out.write(b''.join(buf))
            buf.clear()

    def new_pid():
        nonlocal next_pid
        next_pid += 1
        if next_pid > 4194304:
            next_pid = 300
        return str(next_pid).encode()

    for i in range(a.events):
        if a.shape == 'exec-heavy' or (a.shape == 'mixed' and i % 10 == 0):
            parent = rnd.choice(shells)
            pid = new_pid()
            emit(rnd.choice(execs), pid, parent)
            if rnd.random() < 0.3:   # the child runs more (sh -c, make -C)
                shells[rnd.randrange(len(shells))] = pid
        elif a.shape == 'sessions':
            pid = new_pid()
            ppid = str(max(300, next_pid - 1 - rnd.randrange(1000))).encode()
            emit(rnd.choice(execs), pid, ppid, str(100 + i).encode())
        elif a.shape == 'mixed':
            r = rnd.random()
            kind = 'watch' if r < 0.6 else 'standalone' if r < 0.9 else 'syscall'
            if not other[kind]:
                kind = 'watch'
            pid = rnd.choice(shells)
            emit(rnd.choice(other[kind]), pid, shells[0])
        else:
            pid = new_pid()
            ppid = str(max(300, next_pid - 1 - rnd.randrange(1000))).encode()
            if i % 1000 == 999:
                t = big_argc
            elif i % 1000 == 499:
                t = big_arg
            else:
                t = rnd.choice(execs)
            emit(t, pid, ppid)
    out.write(b''.join(buf))


if __name__ == '__main__':
    main()
