#!/usr/bin/env python3
"""Record-order fixtures from a real capture (tests/data/ordering.sh's run).

  order-cases.py stats LOG           how many fork records came late
  order-cases.py select [--rounds N] < FULL > busy-fork.log
                                     keep the first N (10) rounds of issue
                                     11's examples, the first job of each
                                     arrival shape after them, and the
                                     shapes after the rounds; drop the
                                     background load
  order-cases.py cases LOG DIR       write the minimal ordering cases
                                     (DIR/NAME.log) chosen from LOG

Every output record is a recorded record, byte for byte, in the order it
was recorded: whole events are selected and, for "cases", sometimes left
out (to make a parent unknown). Nothing is typed or reordered.
Deterministic: the same LOG gives the same files. Syscall numbers are
x86_64's, as in the recording.

Terms. A job is a child the scenario shell (the capture's first exec) forks,
with everything below it. A fork record is LATE when it comes after an
event of its child's pid (the child's exec or fork) whose time is not older
than the fork's: the kernel wrote it at the fork's exit, after the child had
run. "Same tick" when that event has the fork's very time.

Issue 11's examples, run side by side in rounds by ordering.sh, are each a
chain O -> S -> T: O forks S, S execs, S forks T, T execs. A: bash run.sh ->
sh peek.sh /boot/... -> tail (clone); B: awk ... /boot/config -> sh -c dd
-> dd (clone3 of posix_spawn); C: sh -c -> sh peek.sh /boot/... -> tail
(vfork). T's parent is S; the late record that matters is F, O's fork of S.
"""
import re
import sys

ID = re.compile(rb"msg=audit\(([0-9]+)\.([0-9]+):([0-9]+)\)")
FIELD = re.compile(rb" ([a-z0-9_]+)=(\S*)")
EXEC_NR = {b"59", b"322"}
FORK_NR = {b"56": "clone", b"57": "fork", b"58": "vfork", b"435": "clone3"}


class Event:
    def __init__(self, key, pos):
        self.key = key
        self.pos = pos
        self.lines = []
        self.kind = None
        self.pid = self.ppid = self.child = None
        self.nr = None
        self.tick = None
        self.serial = None
        self.argv = b""


def decode(v):
    if v.startswith(b'"'):
        return v[1:-1]
    try:
        return bytes.fromhex(v.decode())
    except ValueError:
        return v


def read(data):
    events, order = {}, []
    for n, line in enumerate(data.split(b"\n")):
        if not line:
            continue
        m = ID.search(line)
        if not m:
            sys.exit("order-cases: not an audit record: %r" % line[:80])
        node = line.split(b" ", 1)[0] if line.startswith(b"node=") else b""
        key = node + m.group(0)
        ev = events.get(key)
        if ev is None:
            ev = events[key] = Event(key, len(order))
            order.append(ev)
            ev.tick = (int(m.group(1)), int(m.group(2)))
            ev.serial = int(m.group(3))
        ev.lines.append((n, line + b"\n"))
        raw = line.split(b"\x1d", 1)[0]
        if b" type=SYSCALL " in b" " + raw:
            f = dict(FIELD.findall(raw))
            ev.pid = int(f[b"pid"])
            ev.ppid = int(f[b"ppid"])
            ev.nr = f.get(b"syscall")
            if f.get(b"success") != b"yes":
                continue
            if ev.nr in EXEC_NR:
                ev.kind = "exec"
            elif ev.nr in FORK_NR and int(f.get(b"exit", b"0")) > 0:
                ev.kind = "fork"
                ev.child = int(f[b"exit"])
        elif b" type=EXECVE " in b" " + raw:
            ev.argv += b" ".join(decode(v) for k, v in FIELD.findall(raw)
                                 if re.fullmatch(rb"a[0-9]+(\[[0-9]+\])?", k))
    return order


def late_forks(order):
    """[(fork event, first child event before it)] for every late fork."""
    by_pid = {}
    out = []
    for ev in order:
        if ev.kind is None:
            continue
        if ev.kind == "fork":
            for c in by_pid.get(ev.child, ()):
                if c.tick >= ev.tick:
                    out.append((ev, c))
                    break
        by_pid.setdefault(ev.pid, []).append(ev)
    return out


def jobs(order):
    """root pid, root's exec, and [(creating fork, [events])] per job."""
    root_exec = next(ev for ev in order if ev.kind == "exec")
    root = root_exec.pid
    owner = {}      # pid -> job index
    out = []
    for ev in order:
        if ev.pid is None:
            continue
        if ev.pid == root:
            if ev.kind == "fork":
                owner[ev.child] = len(out)
                out.append((ev, []))
            continue
        j = owner.get(ev.pid)
        if j is None and ev.kind == "exec":
            j = owner.get(ev.ppid)
        if j is None:
            continue
        out[j][1].append(ev)
        if ev.kind == "fork":
            owner[ev.child] = j
        elif ev.kind == "exec":
            owner[ev.pid] = j
    return root, root_exec, out


ROUND = re.compile(rb"/boot/(?:vmlinuz|config)-ORD-([ABC])-([0-9]+)")


def job_round(evs):
    """('A'|'B'|'C', round) of a job of issue 11's examples, else None."""
    for ev in evs:
        m = ROUND.search(ev.argv) if ev.kind == "exec" else None
        if m:
            return m.group(1).decode(), int(m.group(2))
    return None


def chain(evs, kind):
    """(O's exec, F: O's fork of S, S's exec, T's exec) of a job of
    issue 11's examples: O makes S, S makes T (module doc)."""
    head = {"A": b"bash", "B": b"awk", "C": b"sh -c"}[kind]
    o = next((ev for ev in evs if ev.kind == "exec" and
              ev.argv.startswith(head)), None)
    s_ = o and next((ev for ev in evs if ev.kind == "exec" and
                     ev.ppid == o.pid), None)
    t = s_ and next((ev for ev in evs if ev.kind == "exec" and
                     ev.ppid == s_.pid), None)
    f = t and next((ev for ev in evs if ev.kind == "fork" and
                    ev.pid == o.pid and ev.child == s_.pid), None)
    return (o, f, s_, t) if f else None


def shape_of(c):
    """How F arrived: before S's exec ("in-order"), between S's and
    T's exec, or after T's; and F's tick against S's exec's."""
    o, f, s_, t = c
    if f.pos < s_.pos:
        return "in-order"
    tick = "same-tick" if f.tick == s_.tick else "older-tick"
    if f.pos < t.pos:
        return tick
    return "after-child" if f.tick < t.tick else "after-child-tie"


def cmd_stats(path):
    order = read(open(path, "rb").read())
    forks = [ev for ev in order if ev.kind == "fork"]
    execs = [ev for ev in order if ev.kind == "exec"]
    late = late_forks(order)
    print("%s: %d events, %d execs, %d fork records" %
          (path, len(order), len(execs), len(forks)))
    for nr, name in sorted(FORK_NR.items(), key=lambda x: int(x[0])):
        n = sum(1 for ev in forks if ev.nr == nr)
        if not n:
            continue
        lt = [f for f, c in late if f.nr == nr]
        tie = sum(1 for f, c in late if f.nr == nr and c.tick == f.tick)
        print("  %-6s %4d records, %4d late (%d in the same tick)" %
              (name, n, len(lt), tie))
    tie = sum(1 for f, c in late if c.tick == f.tick)
    print("  all    %4d records, %4d late (%d in the same tick)" %
          (len(forks), len(late), tie))
    # The case proc_table.h leaves open: an exec whose parent was made by
    # a fork still unwritten, and that never exec'd itself before.
    made = {}
    seen_exec = set()
    open_case = 0
    for ev in order:
        if ev.kind == "fork":
            made[ev.child] = ev
        elif ev.kind == "exec":
            if ev.ppid not in seen_exec and ev.ppid not in made and \
                    any(f.child == ev.ppid and f.pos > ev.pos and
                        f.tick <= ev.tick for f in forks):
                open_case += 1
            seen_exec.add(ev.pid)
    print("  execs whose parent's own fork came after them, the parent "
          "never having exec'd: %d" % open_case)
    root, _, js = jobs(order)
    kinds = {}
    for fork, evs in js:
        r = job_round(evs)
        label = "example %s" % r[0] if r else "other"
        fk = [ev for ev in evs if ev.kind == "fork"]
        lt = {id(f) for f, c in late}
        k = kinds.setdefault(label, [0, 0, 0])
        k[0] += 1
        k[1] += len(fk)
        k[2] += sum(1 for f in fk if id(f) in lt)
    for label in sorted(kinds):
        print("  jobs %-10s %4d, their forks %4d, late %4d" %
              ((label,) + tuple(kinds[label])))


def cmd_select(rounds):
    order = read(sys.stdin.buffer.read())
    root, root_exec, js = jobs(order)
    last_round = max(i for i, (f, evs) in enumerate(js) if job_round(evs))
    keep = {id(root_exec)}
    shapes = set()
    for i, (fork, evs) in enumerate(js):
        r = job_round(evs)
        c = chain(evs, r[0]) if r else None
        shape = (r[0], shape_of(c)) if c else None
        # the first N rounds, the first job of each shape of the rounds
        # after them, and the shapes after the rounds
        if (r and (r[1] <= rounds or shape not in shapes)) or \
                i > last_round:
            keep.add(id(fork))
            keep.update(id(ev) for ev in evs)
            shapes.add(shape)
    emit(sys.stdout.buffer, [ev for ev in order if id(ev) in keep])


def emit(f, evs):
    """The records of these events, in the order they were recorded."""
    f.writelines(line for _, line in
                 sorted(x for ev in evs for x in ev.lines))


def write_case(path, evs):
    with open(path, "wb") as f:
        emit(f, evs)


def cmd_cases(path, outdir):
    """Each case is one job (or two, for pid reuse), from the fork that
    made it: the scenario shell's own exec, seconds older, is left out, so
    that records of events seconds apart never sit side by side (auparse
    would time the older event out)."""
    order = read(open(path, "rb").read())
    root, root_exec, js = jobs(order)
    late = {id(f): c for f, c in late_forks(order)}
    made = []

    def case(name, evs, why):
        write_case("%s/%s.log" % (outdir, name), evs)
        made.append((name, why))

    def exec_of(evs, pid):
        return next((ev for ev in evs if ev.kind == "exec" and
                     ev.pid == pid), None)

    def first_job(kind, want):
        for fork, evs in js:
            r = job_round(evs)
            if not r or r[0] != kind:
                continue
            c = chain(evs, kind)
            if c and shape_of(c) == want:
                return fork, evs, c
        return None

    def from_rounds(name, kind, want, why, drop_parent=False):
        found = first_job(kind, want)
        if not found:
            print("order-cases: no %s in %s" % (name, path),
                  file=sys.stderr)
            return
        fork, evs, c = found
        sel = [fork] + evs
        if drop_parent:
            # O unknown: its exec and the fork that made it left out
            o = c[0]
            sel = [ev for ev in sel if ev is not o and
                   not (ev.kind == "fork" and ev.child == o.pid)]
        case(name, sel, "%s (example %s round %d)" %
             (why, kind, job_round(evs)[1]))

    # Example C: sh -c (O) vforks S = sh peek.sh /boot/..., which vforks
    # T = tail -c 16 vmlinuz; T matches through S's argv.
    from_rounds("late-vfork-same-tick", "C", "same-tick",
                "positive: O's vfork after S's exec, same tick")
    from_rounds("late-vfork-older-tick", "C", "older-tick",
                "positive: O's vfork after S's exec, older tick")
    from_rounds("late-vfork-after-child", "C", "after-child",
                "positive: O's vfork after T's exec too; auparse hands "
                "it out before T's (older time)")
    from_rounds("late-vfork-unknown-parent", "C", "same-tick",
                "positive: as late-vfork-same-tick, O unknown",
                drop_parent=True)
    # Example B: awk (O) clone3s S = sh -c "dd ... seek=4", which vforks
    # T = dd. Neither dd nor sh has /boot/; awk has.
    from_rounds("late-clone3-same-tick", "B", "same-tick",
                "negative: awk's clone3 after S's exec, same tick")
    from_rounds("late-clone3-older-tick", "B", "older-tick",
                "negative: awk's clone3 after S's exec, older tick")
    from_rounds("late-clone3-after-child", "B", "after-child",
                "negative: awk's clone3 after dd's exec too")
    # Example A: bash run.sh (O) clones S = sh peek.sh /boot/...
    # Example A: bash run.sh (O) clones S = sh peek.sh /boot/...; bash's
    # clone came before S's exec in every round recorded.
    from_rounds("clone-in-order", "A", "in-order",
                "positive: bash's clone before S's exec (control)")

    # The shapes after the rounds, found by their argv markers.
    def job_with(marker):
        for fork, evs in js:
            if any(ev.kind == "exec" and marker in ev.argv for ev in evs):
                return fork, evs
        return None

    def shape(name, marker, why, drop=None):
        found = job_with(marker)
        if not found:
            print("order-cases: no %s in %s" % (marker.decode(), path),
                  file=sys.stderr)
            return
        fork, evs = found
        evs = [fork] + evs
        if drop:
            evs = drop(evs)
        case(name, evs, why)

    def reuse(name, old, new, why, unknown=False):
        a, b = job_with(old), job_with(new)
        if not a or not b:
            print("order-cases: no pid reuse %s in %s" % (name, path),
                  file=sys.stderr)
            return
        evs = [a[0]] + a[1] + [b[0]] + b[1]
        if unknown:
            # the bash -c that forks the reusing subshell, unknown
            bash = next(ev for ev in b[1] if ev.kind == "exec" and
                        new in ev.argv)
            evs = [ev for ev in evs if ev is not bash and ev is not b[0]]
        case(name, evs, why)

    reuse("pid-reuse-negative", b"/boot/ORD-reuse-old", b"ORD-reuse-new-a",
          "negative: the pid's old exec had /boot/, the new process not")
    reuse("pid-reuse-positive", b"ORD-reuse-old-b", b"/boot/ORD-reuse-new-b",
          "positive: the new process's parent has /boot/")
    reuse("pid-reuse-unknown-parent", b"/boot/ORD-reuse-old",
          b"ORD-reuse-new-a",
          "negative: the forking bash unknown; the old exec is stale",
          unknown=True)
    shape("thread-exec-positive", b"/boot/ORD-thread-exec",
          "positive: a thread execs sh with /boot/; sh's child tail")
    shape("thread-exec-negative", b"/boot/ORD-thread-noexec",
          "negative: python3 had /boot/, its thread exec'd sh without")
    shape("leader-exit-fork", b"/boot/ORD-leader-fork",
          "positive: a thread forks tail after main exited")
    shape("leader-exit-exec", b"/boot/ORD-leader-exec",
          "negative: a thread execs sh after main exited; sh's child tail")
    shape("parent-exec-first", b"/boot/ORD-parent-exec-first",
          "positive: the parent exec'd python3 /boot/... before tail")
    shape("parent-exec-later", b"/boot/ORD-parent-exec-later",
          "negative: tail exec'd before its parent exec'd python3 /boot/...")
    for name, why in made:
        print("%s: %s" % (name, why))


def main(argv):
    if len(argv) == 3 and argv[1] == "stats":
        cmd_stats(argv[2])
    elif len(argv) >= 2 and argv[1] == "select":
        rounds = 10
        if len(argv) == 4 and argv[2] == "--rounds":
            rounds = int(argv[3])
        elif len(argv) != 2:
            sys.exit(__doc__)
        cmd_select(rounds)
    elif len(argv) == 4 and argv[1] == "cases":
        cmd_cases(argv[2], argv[3])
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
