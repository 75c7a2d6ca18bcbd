#!/usr/bin/env python3
"""Independent test oracle for audisp-kernel-seeking (strict v2 rule).

Reads raw audit logs (paths, or '-' for stdin) as bytes and prints, one line
per matching exec event, sorted, the audit serial numbers of exec events that
Elastic's "Kernel Seeking Activity" v2 query matches under the strict
semantics of /work/shared/spec/rule-semantics.md (sections 0, 2, 3, 5 and 6).
One line per event, not per serial: two matching events that share a serial
(on two nodes) give two lines, so a comparison with the plugin's alerts sees
a missing or a duplicated alert.

Written from the spec only (never from plugin/*.c) so that it can cross-check
the C implementation.  Python 3.11 standard library only.

Model
  * A record line is  [node=X ]type=T msg=audit(SEC.MSEC:SERIAL):[ fields]
    Everything from the first 0x1D byte (ENRICHED suffix) is ignored.
    Blank lines, '#' lines and unparseable lines are skipped.
  * Records are grouped into events by (node, SEC, MSEC, SERIAL); records of
    different events may interleave.  Events are processed in the order
    they happened, not in the order they were written, with a separate
    process table per node (see "Order" below).
  * exec  = SYSCALL execve/execveat for its arch, success=yes.
    fork  = SYSCALL clone/clone3/fork/vfork for its arch, success=yes, exit>0.
  * argv  = EXECVE records of the event: argc, aN, aN_len, aN[i]; "quoted"
    values are taken verbatim, others hex-decoded (literal if not even-length
    hex); chunks aN[i] are decoded one by one and joined in index order; an
    argument ends at its first NUL byte.
  * process.name = basename(exe) if exe present (not "(null)"), else comm.
  * Process table pid -> argv: on exec evaluate the rule against
    table.get(ppid) first, then table[pid] = argv.  On fork
    table[child] = table[parent] if the parent is known, otherwise any stale
    entry for the child pid is dropped (the child is a new process whose argv
    is unknown).
  * Order.  An event's time is its syscall's entry on a coarse clock; its
    records are written at the syscall's exit, and the serial is taken
    then.  So a fork's records may come after its child's exec, and even
    the serial does not say which happened first.  Events are therefore
    sorted by time (SEC.MSEC) first, which never puts a child's event
    before the fork that made it (the child exists only after the fork
    began).  Within one millisecond, what is known of causality decides:
    a fork comes before every event of its child's pid, and the events of
    one pid keep their serial order; the rest go by serial.  (A pid is not
    reused within one millisecond: the kernel hands pids out cyclically.)
    The plugin streams instead; this is the independent answer.
  * Rule (byte exact, case sensitive, any element, argv[0] included):
      (parent arg ^/boot/ or arg ^/boot/) and (
        (name == tail and (arg ^-c or arg == --bytes)) or
        (name == cmp and arg == -i) or
        (name in (hexdump, xxd) and arg == -s) or
        (name == dd and arg ^seek))

Options
  --explain   for every matched serial, print name, argv and parent argv to
              stderr (stdout keeps only the serial list)
  --all       like --explain, but for every exec event (matched or not)
  --stats     print per-run counts (events, execs, forks, matches) to stderr
  --parents   instead of the serials, one JSON object a line for every exec,
              by serial: {"serial":N,"parent_args":[...]}, parent_args null
              when the parent is unknown; arguments as the plugin's JSON
              writes them (invalid UTF-8 as the text \\xHH)
  --upstream  Elastic's current version instead (v6/v7, rule-semantics.md
              §1): v2, and the parent's executable known and neither it nor
              any parent argument among the dracut/needrestart exclusions
"""

import heapq
import json
import re
import sys

ENRICH_SEP = b"\x1d"

HEADER_RE = re.compile(
    rb"(?:node=(\S*) )?type=(\S+) msg=audit\((\d+)\.(\d+):(\d+)\):(.*)\Z",
    re.DOTALL,
)
INT_RE = re.compile(rb"-?[0-9]+\Z")
HEX_RE = re.compile(rb"[0-9A-Fa-f]*\Z")
ARG_RE = re.compile(rb"a([0-9]+)\Z")
ARG_CHUNK_RE = re.compile(rb"a([0-9]+)\[([0-9]+)\]\Z")

# arch -> (exec syscalls, fork syscalls)
ARCH_TABLE = {
    b"c000003e": (frozenset((59, 322)), frozenset((56, 435, 57, 58))),    # x86_64
    b"40000003": (frozenset((11, 358)), frozenset((120, 435, 2, 190))),   # i386
    b"c00000b7": (frozenset((221, 281)), frozenset((220, 435))),          # aarch64
}

# Guard against pathological ints (Python refuses > 4300 digits anyway).
MAX_INT_DIGITS = 40


def unquote(value):
    """Strip one pair of surrounding double quotes from a scalar value.

    Some real logs (laurel's record-weblogic.txt, shell-proc-trace-confusion)
    carry quoted scalars such as success="yes"; they mean the same thing.
    """
    if value is not None and len(value) >= 2 and value[:1] == b'"' \
            and value[-1:] == b'"':
        return value[1:-1]
    return value


def parse_int(value):
    """Decimal int from bytes (optionally quoted), or None."""
    value = unquote(value)
    if value is None or len(value) > MAX_INT_DIGITS or not INT_RE.match(value):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def decode_value(value):
    """Decode an audit field value: "quoted" -> inside text, else hex.

    A value that is not valid even-length hex is kept literally.  A quoted
    value without a closing quote keeps everything after the opening quote
    (the kernel never puts '"' inside a quoted value: it hex-encodes it).
    """
    if value.startswith(b'"'):
        end = value.find(b'"', 1)
        return value[1:] if end < 0 else value[1:end]
    if len(value) % 2 == 0 and HEX_RE.match(value):
        return bytes.fromhex(value.decode("ascii"))
    return value


def cut_nul(value):
    i = value.find(b"\x00")
    return value if i < 0 else value[:i]


def split_fields(text):
    """Space-separated key=value tokens, in order, as (key, value) pairs.

    Tokens without '=' are ignored.
    """
    out = []
    for tok in text.split(b" "):
        if not tok:
            continue
        eq = tok.find(b"=")
        if eq <= 0:
            continue
        out.append((tok[:eq], tok[eq + 1:]))
    return out


def first_fields(text):
    """key -> value, first occurrence wins."""
    d = {}
    for k, v in split_fields(text):
        if k not in d:
            d[k] = v
    return d


class Event:
    __slots__ = ("node", "sec", "msec", "serial", "order", "records")

    def __init__(self, node, sec, msec, serial, order):
        self.node = node
        self.sec = sec
        self.msec = msec
        self.serial = serial
        self.order = order
        self.records = []   # list of (type, fields-bytes), input order


def parse_line(line):
    """Return (node, type, sec, msec, serial, fields) or None."""
    cut = line.find(ENRICH_SEP)
    if cut >= 0:
        line = line[:cut]
    if line.endswith(b"\r"):
        line = line[:-1]
    if not line.strip() or line.lstrip().startswith(b"#"):
        return None
    m = HEADER_RE.match(line)
    if not m:
        return None
    node, rtype, s_sec, s_msec, s_serial, rest = m.groups()
    sec, msec, serial = parse_int(s_sec), parse_int(s_msec), parse_int(s_serial)
    if sec is None or msec is None or serial is None:
        return None
    return (node if node is not None else b"", rtype, sec, msec, serial, rest)


def read_events(blobs):
    events = {}
    order = 0
    for blob in blobs:
        for line in blob.split(b"\n"):
            p = parse_line(line)
            if p is None:
                continue
            node, rtype, sec, msec, serial, rest = p
            key = (node, sec, msec, serial)
            ev = events.get(key)
            if ev is None:
                ev = Event(node, sec, msec, serial, order)
                order += 1
                events[key] = ev
            ev.records.append((rtype, rest))
    return list(events.values())


def causal_order(events, info):
    """The events in the order they happened (module doc, "Order").

    info(ev) gives (pid, child): the SYSCALL's caller pid and, for a fork,
    the child's pid (None otherwise).
    """
    ticks = {}
    for ev in events:
        ticks.setdefault((ev.sec, ev.msec), []).append(ev)
    out = []
    for tick in sorted(ticks):
        group = sorted(ticks[tick], key=lambda e: (e.serial, e.order))
        if len(group) == 1:
            out.extend(group)
            continue
        # Edges: a pid's events in serial order; a fork before the first
        # event of its child's pid (the rest follow through the chain).
        # Per node: pids of different machines are unrelated.
        after = [[] for _ in group]
        need = [0] * len(group)
        first = {}
        last = {}
        for i, ev in enumerate(group):
            pid, _ = info(ev)
            if pid is None:
                continue
            key = (ev.node, pid)
            if key in last:
                after[last[key]].append(i)
                need[i] += 1
            else:
                first[key] = i
            last[key] = i
        for i, ev in enumerate(group):
            pid, child = info(ev)
            j = first.get((ev.node, child)) if child is not None else None
            if j is not None and j != i:
                after[i].append(j)
                need[j] += 1
        ready = [i for i in range(len(group)) if need[i] == 0]
        heapq.heapify(ready)
        done = [False] * len(group)
        while ready:
            i = heapq.heappop(ready)
            done[i] = True
            out.append(group[i])
            for j in after[i]:
                need[j] -= 1
                if need[j] == 0:
                    heapq.heappush(ready, j)
        # A cycle only comes from input no kernel writes: serial order.
        out.extend(group[i] for i in range(len(group)) if not done[i])
    return out


class Argv:
    """Sparse argv: {index: bytes} plus argc.  Missing indices are empty.

    Kept sparse so garbage like argc=99999999999 cannot exhaust memory;
    empty arguments never satisfy any predicate of the rule.
    """
    __slots__ = ("argc", "args")

    def __init__(self, argc, args):
        self.argc = argc
        self.args = args

    def values(self):
        return self.args.values()

    def present(self):
        """The arguments up to the highest index present (a hole below it
        is empty): what the log holds, never padded to argc."""
        n = max(self.args) + 1 if self.args else 0
        return [self.args.get(i, b"") for i in range(n)]

    def as_list(self, limit=4096):
        n = min(self.argc, limit)
        lst = [self.args.get(i, b"") for i in range(n)]
        if self.argc > limit:
            lst.append(b"...<%d more>" % (self.argc - limit))
        return lst


def build_argv(records):
    argc = 0
    whole = {}
    chunks = {}
    for rtype, rest in records:
        if rtype != b"EXECVE":
            continue
        for k, v in split_fields(rest):
            if k == b"argc":
                n = parse_int(v)
                if n is not None and n > argc:
                    argc = n
                continue
            m = ARG_RE.match(k)
            if m:
                idx = parse_int(m.group(1))
                if idx is not None and idx not in whole:
                    whole[idx] = decode_value(v)
                continue
            m = ARG_CHUNK_RE.match(k)
            if m:
                idx, ci = parse_int(m.group(1)), parse_int(m.group(2))
                if idx is None or ci is None:
                    continue
                chunks.setdefault(idx, {}).setdefault(ci, decode_value(v))
            # aN_len is advisory and ignored
    args = {}
    for idx, v in whole.items():
        args[idx] = v
    for idx, parts in chunks.items():
        # Chunks take precedence over a plain aN for the same index.
        args[idx] = b"".join(parts[i] for i in sorted(parts))
    for idx in list(args):
        args[idx] = cut_nul(args[idx])
    if args:
        argc = max(argc, max(args) + 1)
    return Argv(argc, args)


def syscall_info(records):
    """Return dict for the event's first SYSCALL record, or None."""
    for rtype, rest in records:
        if rtype == b"SYSCALL":
            return first_fields(rest)
    return None


def process_name(sc):
    exe = sc.get(b"exe")
    if exe is not None and exe != b"(null)":
        path = cut_nul(decode_value(exe))
        return path.rsplit(b"/", 1)[-1]
    comm = sc.get(b"comm")
    if comm is None or comm == b"(null)":
        return None
    return cut_nul(decode_value(comm))


def any_prefix(argv, prefix):
    return any(a.startswith(prefix) for a in argv.values())


def any_equal(argv, value):
    return any(a == value for a in argv.values())


# rule-semantics.md §1: what Elastic's v6+ query appends to v2.
UPSTREAM_PARENT_EXE = (b"/usr/lib/needrestart/vmlinuz-get-version",
                       b"/bin/dracut", b"/sbin/dracut", b"/usr/sbin/dracut")
UPSTREAM_PARENT_ARGS = (b"/usr/bin/dracut",
                        b"/usr/lib/needrestart/vmlinuz-get-version",
                        b"/sbin/dracut", b"/bin/dracut", b"/usr/sbin/dracut",
                        b"/usr/bin/spectre-meltdown-checker",
                        b"/usr/lib/module-init-tools/lsinitrd-quick")


def upstream_matches(name, argv, parent, parent_exe):
    """v6/v7: v2 and a known parent executable outside the exclusions."""
    if not rule_matches(name, argv, parent):
        return False
    if not parent_exe:
        return False
    if parent_exe in UPSTREAM_PARENT_EXE:
        return False
    return not (parent is not None and
                any(a in UPSTREAM_PARENT_ARGS for a in parent.values()))


def rule_matches(name, argv, parent):
    boot = any_prefix(argv, b"/boot/") or (
        parent is not None and any_prefix(parent, b"/boot/"))
    if not boot or name is None:
        return False
    if name == b"tail":
        return any_prefix(argv, b"-c") or any_equal(argv, b"--bytes")
    if name == b"cmp":
        return any_equal(argv, b"-i")
    if name in (b"hexdump", b"xxd"):
        return any_equal(argv, b"-s")
    if name == b"dd":
        return any_prefix(argv, b"seek")
    return False


def classify(sc):
    """'exec', 'fork' or None for a SYSCALL field dict."""
    if sc is None or unquote(sc.get(b"success")) != b"yes":
        return None
    arch = unquote(sc.get(b"arch"))
    if arch is None:
        return None
    calls = ARCH_TABLE.get(arch.lower())
    if calls is None:
        return None
    nr = parse_int(sc.get(b"syscall"))
    if nr is None:
        return None
    if nr in calls[0]:
        return "exec"
    if nr in calls[1]:
        exitv = parse_int(sc.get(b"exit"))
        if exitv is not None and exitv > 0:
            return "fork"
    return None


def json_text(b):
    """An argument as the plugin's JSON holds it: UTF-8 kept, each byte of
    an invalid sequence as the text \\xHH."""
    out = []
    i = 0
    while i < len(b):
        for n in (1, 2, 3, 4):
            try:
                out.append(b[i:i + n].decode("utf-8"))
                i += n
                break
            except UnicodeDecodeError:
                continue
        else:
            out.append("\\x%02x" % b[i])
            i += 1
    return "".join(out)


def run(blobs, explain=None, explain_all=False, stats=None, upstream=False,
        parents=None):
    """Return the sorted serials of the matching events, one per event.

    explain: callable(str) for --explain/--all output, or None.
    stats: dict filled with counters, or None.
    parents: list to append (serial, parent Argv or None) to for every
    exec, or None.
    """
    events = read_events(blobs)
    kinds = {}
    for ev in events:
        sc = syscall_info(ev.records)
        kind = classify(sc)
        pid = parse_int(sc.get(b"pid")) if kind else None
        child = parse_int(sc.get(b"exit")) if kind == "fork" else None
        kinds[id(ev)] = (sc, kind, pid, child)
    events = causal_order(events, lambda e: kinds[id(e)][2:])
    tables = {}          # node -> {pid: Argv}
    matched = []         # one serial per matching event
    n_exec = n_fork = 0
    for ev in events:
        sc, kind, _, _ = kinds[id(ev)]
        if kind is None:
            continue
        table = tables.setdefault(ev.node, {})   # pid -> (argv, exe)
        pid = parse_int(sc.get(b"pid"))
        if kind == "fork":
            n_fork += 1
            child = parse_int(sc.get(b"exit"))
            if pid is not None and pid in table:
                table[child] = table[pid]
            else:
                table.pop(child, None)
            continue
        n_exec += 1
        argv = build_argv(ev.records)
        ppid = parse_int(sc.get(b"ppid"))
        parent, parent_exe = table.get(ppid, (None, None)) \
            if ppid is not None else (None, None)
        name = process_name(sc)
        if upstream:
            hit = upstream_matches(name, argv, parent, parent_exe)
        else:
            hit = rule_matches(name, argv, parent)
        if hit:
            matched.append(ev.serial)
        if parents is not None:
            parents.append((ev.serial, parent))
        if explain is not None and (hit or explain_all):
            explain("%sserial=%d node=%r ts=%d.%03d pid=%r ppid=%r "
                    "name=%r argc=%d arglens=%r argv=%r parent=%r" % (
                        "MATCH " if hit else "      ", ev.serial,
                        ev.node, ev.sec, ev.msec, pid, ppid, name,
                        argv.argc, [len(a) for a in argv.as_list(64)],
                        [a if len(a) <= 200 else a[:200] + b"...<%d bytes>" % len(a)
                         for a in argv.as_list(64)],
                        None if parent is None else parent.as_list(64)))
        if pid is not None:
            exe = sc.get(b"exe")
            exe = None if exe in (None, b"(null)") else \
                cut_nul(decode_value(exe))
            table[pid] = (argv, exe)
    if stats is not None:
        stats["events"] = len(events)
        stats["execs"] = n_exec
        stats["forks"] = n_fork
        stats["matches"] = len(matched)
    return sorted(matched)


def main(argv):
    explain = explain_all = want_stats = upstream = want_parents = False
    paths = []
    for a in argv[1:]:
        if a == "--explain":
            explain = True
        elif a == "--all":
            explain = explain_all = True
        elif a == "--stats":
            want_stats = True
        elif a == "--upstream":
            upstream = True
        elif a == "--parents":
            want_parents = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            paths.append(a)
    if not paths:
        paths = ["-"]
    blobs = []
    for p in paths:
        if p == "-":
            blobs.append(sys.stdin.buffer.read())
        else:
            with open(p, "rb") as f:
                blobs.append(f.read())
    err = sys.stderr
    stats = {} if want_stats else None
    parents = [] if want_parents else None
    out = run(blobs,
              explain=(lambda s: print(s, file=err)) if explain else None,
              explain_all=explain_all, stats=stats, upstream=upstream,
              parents=parents)
    if parents is not None:
        for serial, parent in sorted(parents, key=lambda p: p[0]):
            args = None if parent is None else \
                [json_text(a) for a in parent.present()]
            sys.stdout.write(json.dumps({"serial": serial,
                                         "parent_args": args},
                                        separators=(",", ":")) + "\n")
    else:
        sys.stdout.write("".join("%d\n" % s for s in out))
    if stats is not None:
        print("events=%(events)d execs=%(execs)d forks=%(forks)d "
              "matches=%(matches)d" % stats, file=err)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
