#!/usr/bin/env python3
"""Self-test for tests/oracle.py.

Checks the oracle against every strict test vector of
/work/shared/spec/rule-semantics.md section 6, plus the input-format cases
the oracle must handle (split and hex arguments, multi-record EXECVE,
parent branch, fork inheritance, argv[0], unknown parent, ENRICHED suffixes,
node= prefixes, interleaved / out-of-order records, garbage lines).

The audit lines are synthesised in memory; they are hand-written only for
this self-test.  Prints 'N passed, N failed' and exits non-zero on failure.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

X86_64 = "c000003e"
I386 = "40000003"
AARCH64 = "c00000b7"

EXECVE_NR = {X86_64: 59, I386: 11, AARCH64: 221}
EXECVEAT_NR = {X86_64: 322, I386: 358, AARCH64: 281}
CLONE_NR = {X86_64: 56, I386: 120, AARCH64: 220}

_serial = [1000]
_pid = [5000]


def next_serial():
    _serial[0] += 1
    return _serial[0]


def next_pid():
    _pid[0] += 1
    return _pid[0]


def enc(arg):
    """Encode one argument the way the kernel does: quoted if clean."""
    if isinstance(arg, str):
        arg = arg.encode()
    if all(0x21 <= c <= 0x7E and c != 0x22 for c in arg):
        return b'"' + arg + b'"'
    return arg.hex().upper().encode()


def hdr(serial, rtype, sec=1700000000, msec=0, node=None):
    h = b"type=%s msg=audit(%d.%03d:%d):" % (rtype.encode(), sec, msec, serial)
    if node is not None:
        h = b"node=" + node.encode() + b" " + h
    return h


def exec_event(argv, exe, pid, ppid, serial=None, comm=None, arch=X86_64,
               syscall=None, success="yes", node=None, sec=1700000000,
               msec=0, per_record=None, split=None, force_hex=(),
               argc=None, enrich=False, with_execve=True, omit=()):
    """Records (list of byte lines) of one exec event.

    per_record: max args per EXECVE record (multi-record EXECVE).
    split: {index: nchunks} -> emit aN_len + aN[i] chunks (hex-forced).
    force_hex: indices always hex-encoded.
    omit: indices whose aN field is left out (kernel omission).
    """
    serial = serial if serial is not None else next_serial()
    if syscall is None:
        syscall = EXECVE_NR[arch]
    if comm is None:
        comm = (exe if exe is not None else argv[0]).rsplit("/", 1)[-1][:15]
    exe_f = b"(null)" if exe is None else enc(exe)
    sc = hdr(serial, "SYSCALL", sec, msec, node) + (
        b" arch=%s syscall=%d success=%s exit=0 a0=55 a1=66 a2=77 a3=0 items=2"
        b" ppid=%d pid=%d auid=1000 uid=1000 gid=1000 euid=1000 suid=1000"
        b" fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=2"
        b" comm=%s exe=%s key=(null)" % (
            arch.encode(), syscall, success.encode(), ppid, pid,
            enc(comm), exe_f))
    if enrich:
        sc += b"\x1dARCH=x86_64 SYSCALL=execve AUID=\"alice\" UID=\"alice\""
    lines = [sc]
    if with_execve:
        fields = []
        for i, a in enumerate(argv):
            if i in omit:
                continue
            ab = a.encode() if isinstance(a, str) else a
            if split and i in split:
                h = ab.hex().upper().encode()
                n = split[i]
                # chunk boundaries on whole bytes
                step = max(2, (len(h) // n) & ~1)
                chunks = [h[k:k + step] for k in range(0, len(h), step)]
                fields.append([b"a%d_len=%d" % (i, len(h))] +
                              [b"a%d[%d]=%s" % (i, j, c)
                               for j, c in enumerate(chunks)])
            elif i in force_hex:
                fields.append([b"a%d=%s" % (i, ab.hex().upper().encode())])
            else:
                fields.append([b"a%d=%s" % (i, enc(ab))])
        # flatten into records: split chunks each go to their own record
        records = [[b"argc=%d" % (len(argv) if argc is None else argc)]]
        count = 0
        for group in fields:
            if len(group) > 1:       # split argument
                records[-1].extend(group[:2])
                for chunk in group[2:]:
                    records.append([chunk])
                count = 0
                continue
            if per_record and count >= per_record:
                records.append([])
                count = 0
            records[-1].extend(group)
            count += 1
        for r in records:
            lines.append(hdr(serial, "EXECVE", sec, msec, node) + b" " +
                         b" ".join(r))
    lines.append(hdr(serial, "CWD", sec, msec, node) + b' cwd="/root"')
    lines.append(hdr(serial, "PATH", sec, msec, node) +
                 b" item=0 name=%s inode=1 dev=08:01 mode=0100755 ouid=0"
                 b" ogid=0 rdev=00:00 nametype=NORMAL" % (
                     enc(exe or "x")))
    lines.append(hdr(serial, "PROCTITLE", sec, msec, node) +
                 b" proctitle=" + b"\x00".join(
                     a.encode() if isinstance(a, str) else a
                     for a in argv).hex().upper().encode())
    lines.append(hdr(serial, "EOE", sec, msec, node))
    return serial, lines


def fork_event(parent_pid, child_pid, ppid=1, serial=None, arch=X86_64,
               syscall=None, node=None, sec=1700000000, msec=0,
               success="yes"):
    serial = serial if serial is not None else next_serial()
    if syscall is None:
        syscall = CLONE_NR[arch]
    sc = hdr(serial, "SYSCALL", sec, msec, node) + (
        b" arch=%s syscall=%d success=%s exit=%d a0=1200011 a1=0 a2=0 a3=0"
        b" items=0 ppid=%d pid=%d auid=1000 uid=1000 comm=\"sh\""
        b" exe=\"/bin/sh\" key=(null)" % (
            arch.encode(), syscall, success.encode(), child_pid, ppid,
            parent_pid))
    return serial, [sc, hdr(serial, "EOE", sec, msec, node)]


def log(*line_lists):
    out = []
    for ll in line_lists:
        out.extend(ll)
    return b"\n".join(out) + b"\n"


def run(blob):
    return oracle.run([blob])


# --------------------------------------------------------------------------
# test cases: each returns (expected_serials, actual_serials)

TOOLS = {
    "tail": "/usr/bin/tail",
    "cmp": "/usr/bin/cmp",
    "xxd": "/usr/bin/xxd",
    "hexdump": "/usr/bin/hexdump",
    "dd": "/usr/bin/dd",
    "busybox": "/bin/busybox",
}


_DEFAULT = object()


def simple(argv, parent_argv=None, exe=_DEFAULT, expect=True, **kw):
    """One exec (optionally preceded by its parent's exec)."""
    lines = []
    ppid = next_pid()
    if parent_argv is not None:
        pexe = {"-bash": "/usr/bin/bash", "/bin/sh": "/usr/bin/dash"}.get(
            parent_argv[0], parent_argv[0])
        _, pl = exec_event(parent_argv, pexe, ppid, 1, msec=0)
        lines.append(pl)
    if exe is _DEFAULT:
        exe = TOOLS[argv[0]]
    s, cl = exec_event(argv, exe, next_pid(), ppid, msec=5, **kw)
    lines.append(cl)
    return ([s] if expect else []), run(log(*lines))


CASES = []


def case(name):
    def deco(fn):
        CASES.append((name, fn))
        return fn
    return deco


# ---- section 6 test vectors -------------------------------------------

@case("s6: tail -c 64 /boot/vmlinuz-6.1 -> match")
def _():
    return simple(["tail", "-c", "64", "/boot/vmlinuz-6.1"])


@case("s6: tail -c+1000 /boot/vmlinuz -> match")
def _():
    return simple(["tail", "-c+1000", "/boot/vmlinuz"])


@case("s6: tail --bytes 9 /boot/x -> match")
def _():
    return simple(["tail", "--bytes", "9", "/boot/x"])


@case("s6: tail --bytes=9 /boot/x -> no")
def _():
    return simple(["tail", "--bytes=9", "/boot/x"], expect=False)


@case("s6: tail -n 5 /boot/config -> no")
def _():
    return simple(["tail", "-n", "5", "/boot/config"], expect=False)


@case("s6: cmp -i 100 /boot/a /tmp/b -> match")
def _():
    return simple(["cmp", "-i", "100", "/boot/a", "/tmp/b"])


@case("s6: cmp --ignore-initial=100 /boot/a /tmp/b -> no")
def _():
    return simple(["cmp", "--ignore-initial=100", "/boot/a", "/tmp/b"],
                  expect=False)


@case("s6: xxd -s 0x200 /boot/vmlinuz -> match")
def _():
    return simple(["xxd", "-s", "0x200", "/boot/vmlinuz"])


@case("s6: xxd -s0x200 /boot/vmlinuz -> no")
def _():
    return simple(["xxd", "-s0x200", "/boot/vmlinuz"], expect=False)


@case("s6: hexdump -C -s 512 /boot/initrd.img -> match")
def _():
    return simple(["hexdump", "-C", "-s", "512", "/boot/initrd.img"])


@case("s6: dd if=/boot/vmlinuz of=/tmp/k seek=1 (parent -bash) -> no")
def _():
    return simple(["dd", "if=/boot/vmlinuz", "of=/tmp/k", "seek=1"],
                  parent_argv=["-bash"], expect=False)


@case("s6: same dd, parent /bin/sh needrestart /boot/vmlinuz-6.1 -> match")
def _():
    return simple(["dd", "if=/boot/vmlinuz", "of=/tmp/k", "seek=1"],
                  parent_argv=["/bin/sh",
                               "/usr/lib/needrestart/vmlinuz-get-version",
                               "/boot/vmlinuz-6.1"])


@case("s6: tail -c+5 /tmp/x (parent /bin/sh /opt/s.sh /boot/vmlinuz) -> match")
def _():
    return simple(["tail", "-c+5", "/tmp/x"],
                  parent_argv=["/bin/sh", "/opt/s.sh", "/boot/vmlinuz"])


@case("s6: cd /boot && xxd -s 16 vmlinuz -> no")
def _():
    return simple(["xxd", "-s", "16", "vmlinuz"],
                  parent_argv=["-bash"], expect=False)


@case("s6: tail -c 5 /BOOT/x -> no")
def _():
    return simple(["tail", "-c", "5", "/BOOT/x"], expect=False)


@case("s6: tail -c 5 //boot/x -> no")
def _():
    return simple(["tail", "-c", "5", "//boot/x"], expect=False)


@case("s6: busybox tail -c 5 /boot/x -> no (name busybox)")
def _():
    return simple(["busybox", "tail", "-c", "5", "/boot/x"],
                  exe="/bin/busybox", comm="busybox", expect=False)


@case("s6: busybox applet symlink tail -c 5 /boot/x (comm=tail) -> no")
def _():
    return simple(["tail", "-c", "5", "/boot/x"], exe="/bin/busybox",
                  comm="tail", expect=False)


@case("s6: exec -a /boot/z xxd -s 1 /etc/hosts -> match (argv[0])")
def _():
    return simple(["/boot/z", "-s", "1", "/etc/hosts"], exe="/usr/bin/xxd",
                  comm="xxd")


@case("s6: tail -c 1 '/boot/my kernel' (hex in EXECVE) -> match")
def _():
    exp, got = simple(["tail", "-c", "1", "/boot/my kernel"])
    return exp, got


# ---- a few more from sections 2 and 5 -------------------------------------

@case("s2: /boot/ itself matches, /boot does not")
def _():
    e1, g1 = simple(["tail", "-c", "1", "/boot/"])
    e2, g2 = simple(["tail", "-c", "1", "/boot"], expect=False)
    return e1 + e2, g1 + g2


@case("s5: -c10 matches; -qc10 / -5c do not; TAIL name does not")
def _():
    e1, g1 = simple(["tail", "-c10", "/boot/x"])
    e2, g2 = simple(["tail", "-qc10", "/boot/x"], expect=False)
    e3, g3 = simple(["tail", "-5c", "/boot/x"], expect=False)
    e4, g4 = simple(["tail", "-c", "1", "/boot/x"], exe="/usr/bin/TAIL",
                    expect=False)
    return e1 + e2 + e3 + e4, sorted(g1 + g2 + g3 + g4)


@case("s5: cmp -i100 no; xxd -S no; hexdump -Cs no; dd skip= / iseek= no")
def _():
    out_e, out_g = [], []
    for argv, parent in (
            (["cmp", "-i100", "/boot/a", "/tmp/b"], None),
            (["xxd", "-S", "1", "/boot/a"], None),
            (["hexdump", "-Cs", "1", "/boot/a"], None),
            (["dd", "skip=1", "/boot/a"], None),
            (["dd", "iseek=1", "of=/x"], ["/bin/sh", "/boot/a"]),
            (["dd", "oseek=1", "of=/x"], ["/bin/sh", "/boot/a"])):
        e, g = simple(argv, parent_argv=parent, expect=False)
        out_e += e
        out_g += g
    return out_e, out_g


@case("s5: dd seek=1 /boot/a (own args) -> match; seekfoo -> match")
def _():
    e1, g1 = simple(["dd", "seek=1", "/boot/a"])
    e2, g2 = simple(["dd", "seekfoo", "of=/x"], parent_argv=["/bin/sh",
                                                             "/boot/q"])
    return e1 + e2, sorted(g1 + g2)


@case("s5: predicates satisfied by different elements, any order")
def _():
    return simple(["tail", "/boot/x", "foo", "-cz"])


@case("s6: name = basename(exe), not comm")
def _():
    # symlinked renamed copy: exe basename matches, comm does not
    e1, g1 = simple(["k", "-s", "1", "/boot/x"], exe="/usr/bin/xxd",
                    comm="k")
    # comm says xxd but exe is something else
    e2, g2 = simple(["xxd", "-s", "1", "/boot/x"], exe="/usr/bin/other",
                    comm="xxd", expect=False)
    return e1 + e2, sorted(g1 + g2)


@case("s5: exe=(null) falls back to comm")
def _():
    return simple(["xxd", "-s", "1", "/boot/x"], exe=None, comm="xxd")


@case("s5: failed exec (success=no) -> no")
def _():
    return simple(["tail", "-c", "1", "/boot/x"], success="no",
                  expect=False)


# ---- input format cases --------------------------------------------------

@case("fmt: split argument aN_len/aN[i] across records, hex")
def _():
    big = "/boot/" + "k" * 20000
    exp, got = simple(["tail", "-c", "1", big], split={3: 3})
    return exp, got


@case("fmt: split argument where /boot/ straddles a chunk boundary")
def _():
    serial = next_serial()
    pid = next_pid()
    _, lines = exec_event(["tail", "-c", "1"], "/usr/bin/tail", pid, 1,
                          serial=serial, argc=4)
    # add a3 split as "/bo" + "ot/x" (chunk 0 quoted, chunk 1 hex)
    lines.insert(2, hdr(serial, "EXECVE") + b' a3_len=7 a3[0]="/bo"')
    lines.insert(3, hdr(serial, "EXECVE") + b" a3[1]=" +
                 b"ot/x".hex().upper().encode())
    return [serial], run(log(lines))


@case("fmt: split chunks reassembled by index, not record order")
def _():
    serial = next_serial()
    pid = next_pid()
    _, lines = exec_event(["tail", "-c", "1"], "/usr/bin/tail", pid, 1,
                          serial=serial, argc=4)
    lines.insert(2, hdr(serial, "EXECVE") + b' a3[1]="ot/x"')
    lines.insert(3, hdr(serial, "EXECVE") + b' a3_len=7 a3[0]="/bo"')
    return [serial], run(log(lines))


@case("fmt: split arg joined length (record-execve-long style)")
def _():
    serial = next_serial()
    arg = b"a" * 8192
    _, lines = exec_event(["/bin/echo", arg], "/bin/echo", next_pid(), 1,
                          serial=serial, split={1: 3})
    argv = oracle.build_argv(
        [(b"EXECVE", l.split(b"): ", 1)[1]) for l in lines
         if b"type=EXECVE" in l])
    return [8192, 2], [len(argv.args[1]), argv.argc]


@case("fmt: multi-record EXECVE (args spread over records)")
def _():
    argv = ["tail"] + ["x%d" % i for i in range(30)] + ["-c", "1",
                                                       "/boot/vm"]
    return simple(argv, per_record=4)


@case("fmt: hex argument with NUL stops at NUL (-s\\0zz == -s)")
def _():
    return simple(["xxd", b"-s\x00zz", "1", "/boot/x"], force_hex=(1,))


@case("fmt: lower-case hex decodes; odd/invalid hex is literal")
def _():
    serial = next_serial()
    _, lines = exec_event(["tail", "-c", "1"], "/usr/bin/tail", next_pid(),
                          1, serial=serial, argc=5)
    lines.insert(2, hdr(serial, "EXECVE") + b" a3=" +
                 b"/boot/x".hex().encode() + b" a4=ABC")
    argv = oracle.build_argv([(b"EXECVE", b" a3=2f626f6f742f78 a4=ABC"
                               b" a5=zz a6=")])
    got = run(log(lines))
    return ([serial], [b"/boot/x", b"ABC", b"zz", b"", 7]), (
        got, [argv.args[3], argv.args[4], argv.args[5], argv.args[6],
              argv.argc])


@case("fmt: argc larger than present args; omitted args empty")
def _():
    e1, g1 = simple(["tail", "", "-c", "1", "/boot/x"], omit=(1,), argc=9)
    argv = oracle.build_argv([(b"EXECVE", b' argc=3 a0="a" a2="c"')])
    return (e1, [b"a", b"", b"c"]), (g1, argv.as_list())


@case("fmt: argv beyond argc still counts (argc = max)")
def _():
    return simple(["tail", "-c", "1", "/boot/x"], argc=1)


@case("fmt: ENRICHED 0x1D suffix and node= prefix")
def _():
    return simple(["tail", "-c", "1", "/boot/x"], enrich=True, node="host1")


@case("fmt: 0x1D inside EXECVE hides what follows")
def _():
    serial = next_serial()
    _, lines = exec_event(["tail", "-c", "1"], "/usr/bin/tail", next_pid(),
                          1, serial=serial, argc=4)
    lines.insert(2, hdr(serial, "EXECVE") + b' a9="x"\x1d a3="/boot/x"')
    return [], run(log(lines))


@case("fmt: comments, blank lines, garbage, invalid UTF-8, NULs")
def _():
    s, lines = exec_event(["tail", "-c", "1", "/boot/x"], "/usr/bin/tail",
                          next_pid(), 1)
    junk = [b"# comment type=SYSCALL msg=audit(1.0:1):", b"", b"   ",
            b"\xff\xfe\x00garbage\x00", b"type=SYSCALL msg=audit(x.y:z): a",
            b"type=EXECVE msg=audit(1700000000.000:%d" % s,
            b"\x00" * 100, b"A" * 200000,
            b"type=SYSCALL msg=audit(1.1:" + b"9" * 6000 + b"): arch=x",
            b"type=EXECVE msg=audit(1.1:7): argc=" + b"9" * 6000 +
            b" a" + b"9" * 6000 + b"=\"x\"",
            b"type=EXECVE msg=audit(1.1:8): argc=99999999999 a99999999="
            b"\"/boot/\" a1[99999999999]=\"-c\""]
    out = []
    for i, l in enumerate(lines):
        out.append(l)
        out.append(junk[i % len(junk)])
    out.extend(junk)
    return [s], run(b"\r\n".join(out))


@case("fmt: CRLF line endings (hex argument last on its line)")
def _():
    s, lines = exec_event(["tail", "-c", "1", "/boot/my x"], "/usr/bin/tail",
                          next_pid(), 1)
    return [s], run(b"\r\n".join(lines) + b"\r\n")


@case("fmt: quoted scalar fields (success=\"yes\") are accepted")
def _():
    s, lines = exec_event(["tail", "-c", "1", "/boot/x"], "/usr/bin/tail",
                          next_pid(), 1)
    lines[0] = lines[0].replace(b"success=yes", b'success="yes"') \
                       .replace(b"syscall=59", b'syscall="59"')
    return [s], run(log(lines))


@case("fmt: interleaved records of two events")
def _():
    s1, l1 = exec_event(["tail", "-c", "1", "/boot/x"], "/usr/bin/tail",
                        next_pid(), 1, msec=1)
    s2, l2 = exec_event(["xxd", "-s", "1", "/boot/x"], "/usr/bin/xxd",
                        next_pid(), 1, msec=2)
    mixed = []
    for a, b in zip(l1, l2):
        mixed += [b, a]
    return [s1, s2], run(log(mixed))


@case("fmt: records of one event in reverse order (SYSCALL last)")
def _():
    s, lines = exec_event(["tail", "-c", "1", "/boot/x"], "/usr/bin/tail",
                          next_pid(), 1, per_record=1)
    return [s], run(log(lines[::-1]))


@case("fmt: exec-shaped SYSCALL without EXECVE -> no match, no crash")
def _():
    return simple(["tail", "-c", "1", "/boot/x"], with_execve=False,
                  expect=False)


@case("arch: i386 execve(11) and execveat(358), aarch64 221/281 match")
def _():
    e, g = [], []
    for arch, nr in ((I386, 11), (I386, 358), (AARCH64, 221),
                     (AARCH64, 281), (X86_64, 322)):
        ee, gg = simple(["tail", "-c", "1", "/boot/x"], arch=arch,
                        syscall=nr)
        e += ee
        g += gg
    return e, sorted(g)


@case("arch: syscall number of another arch is not exec")
def _():
    e, g = [], []
    for arch, nr in ((AARCH64, 59), (I386, 59), (X86_64, 11),
                     (X86_64, 221), ("deadbeef", 59)):
        ee, gg = simple(["tail", "-c", "1", "/boot/x"], arch=arch,
                        syscall=nr, expect=False)
        e += ee
        g += gg
    return e, g


# ---- process table -------------------------------------------------------

@case("proc: unknown parent -> parent branch false")
def _():
    return simple(["tail", "-c", "1", "/tmp/x"], expect=False)


@case("proc: fork inheritance (grandchild of /boot script via two forks)")
def _():
    p, c, g = next_pid(), next_pid(), next_pid()
    _, l1 = exec_event(["/bin/sh", "/opt/s.sh", "/boot/vmlinuz"],
                       "/usr/bin/dash", p, 1, msec=1)
    _, l2 = fork_event(p, c, msec=2)
    _, l3 = fork_event(c, g, ppid=p, msec=3)
    s, l4 = exec_event(["tail", "-c", "1", "/tmp/x"], "/usr/bin/tail", g, c,
                       msec=4)
    return [s], run(log(l1, l2, l3, l4))


@case("proc: fork inheritance for vfork/clone3 and i386/aarch64 forks")
def _():
    e, g = [], []
    for arch, nr in ((X86_64, 57), (X86_64, 58), (X86_64, 435),
                     (I386, 120), (I386, 2), (I386, 190), (I386, 435),
                     (AARCH64, 220), (AARCH64, 435)):
        p, c, k = next_pid(), next_pid(), next_pid()
        _, l1 = exec_event(["/bin/sh", "/boot/s"], "/usr/bin/dash", p, 1,
                           msec=1, arch=arch)
        _, l2 = fork_event(p, c, msec=2, arch=arch, syscall=nr)
        _, l3 = fork_event(c, k, msec=3, arch=arch, syscall=nr)
        s, l4 = exec_event(["tail", "-c", "1", "/tmp/x"], "/usr/bin/tail",
                           k, c, msec=4, arch=arch)
        e.append(s)
        g += run(log(l1, l2, l3, l4))
    return e, g


@case("proc: failed fork / fork with exit<=0 does not inherit")
def _():
    p, c = next_pid(), next_pid()
    _, l1 = exec_event(["/bin/sh", "/boot/s"], "/usr/bin/dash", p, 1,
                       msec=1)
    _, l2 = fork_event(p, c, msec=2, success="no")
    _, l3 = exec_event(["tail", "-c", "1", "/tmp/x"], "/usr/bin/tail",
                       next_pid(), c, msec=3)
    return [], run(log(l1, l2, l3))


@case("proc: fork from unknown parent drops stale child entry")
def _():
    old, q = next_pid(), next_pid()
    _, l1 = exec_event(["/bin/sh", "/boot/s"], "/usr/bin/dash", old, 1,
                       msec=1)
    _, l2 = fork_event(q, old, msec=2)      # pid 'old' reused by q's child
    _, l3 = exec_event(["tail", "-c", "1", "/tmp/x"], "/usr/bin/tail",
                       next_pid(), old, msec=3)
    return [], run(log(l1, l2, l3))


@case("proc: rule sees parent argv before the child's own exec updates it")
def _():
    p = next_pid()
    _, l1 = exec_event(["/bin/sh", "/boot/s"], "/usr/bin/dash", p, 1,
                       msec=1)
    # p re-execs tail: its parent is pid 1 (unknown); its own old argv
    # is not its parent's
    _, l2 = exec_event(["tail", "-c", "1", "/tmp/x"], "/usr/bin/tail", p, 1,
                       msec=2)
    return [], run(log(l1, l2))


@case("proc: re-exec replaces table entry (child sees latest argv)")
def _():
    p, c = next_pid(), next_pid()
    _, l1 = exec_event(["/bin/sh", "/boot/s"], "/usr/bin/dash", p, 1,
                       msec=1)
    _, l2 = exec_event(["/bin/sh", "/tmp/t"], "/usr/bin/dash", p, 1, msec=2)
    s3, l3 = exec_event(["tail", "-c", "1", "/tmp/x"], "/usr/bin/tail", c,
                        p, msec=3)
    p2, c2 = next_pid(), next_pid()
    _, l4 = exec_event(["/bin/sh", "/tmp/t"], "/usr/bin/dash", p2, 1,
                       msec=4)
    _, l5 = exec_event(["/bin/sh", "/boot/s"], "/usr/bin/dash", p2, 1,
                       msec=5)
    s6, l6 = exec_event(["tail", "-c", "1", "/tmp/x"], "/usr/bin/tail", c2,
                        p2, msec=6)
    return [s6], run(log(l1, l2, l3, l4, l5, l6))


@case("proc: events processed in timestamp order, not input order")
def _():
    p = next_pid()
    _, lp = exec_event(["/bin/sh", "/boot/s"], "/usr/bin/dash", p, 1,
                       sec=1700000001, msec=100)
    s, lc = exec_event(["tail", "-c", "1", "/tmp/x"], "/usr/bin/tail",
                       next_pid(), p, sec=1700000001, msec=200)
    return [s], run(log(lc, lp))


@case("proc: same timestamp -> serial order")
def _():
    p = next_pid()
    sp = next_serial()
    sc = next_serial()
    _, lp = exec_event(["/bin/sh", "/boot/s"], "/usr/bin/dash", p, 1,
                       serial=sp, msec=7)
    _, lc = exec_event(["tail", "-c", "1", "/tmp/x"], "/usr/bin/tail",
                       next_pid(), p, serial=sc, msec=7)
    return [sc], run(log(lc, lp))


@case("proc: a fork written after its child's exec, same ms, comes first")
def _():
    # the kernel stamps at syscall entry and takes the serial at exit: the
    # clone's serial is higher than the exec of the child it made
    p, c = next_pid(), next_pid()
    _, lp = exec_event(["bash", "/tmp/run.sh"], "/usr/bin/bash", p, 1,
                       msec=1)
    _, lc = exec_event(["sh", "/tmp/peek.sh", "/boot/vmlinuz"],
                       "/usr/bin/dash", c, p, msec=5)
    _, lf = fork_event(p, c, msec=5)
    s, lt = exec_event(["tail", "-c", "16", "vmlinuz"], "/usr/bin/tail",
                       next_pid(), c, msec=5)
    return [s], run(log(lp, lc, lf, lt))


@case("proc: a late fork of an unknown process keeps the child's exec")
def _():
    p, c = next_pid(), next_pid()
    _, lc = exec_event(["sh", "/tmp/peek.sh", "/boot/vmlinuz"],
                       "/usr/bin/dash", c, p, msec=5)
    _, lf = fork_event(p, c, msec=5)
    s, lt = exec_event(["tail", "-c", "16", "vmlinuz"], "/usr/bin/tail",
                       next_pid(), c, msec=6)
    return [s], run(log(lc, lf, lt))


@case("proc: a late fork, same ms, gives its child nothing it did not have")
def _():
    # issue 11's second example: awk's clone3 after sh -c's exec, then dd
    a, s_ = next_pid(), next_pid()
    _, la = exec_event(["awk", "BEGIN{system(\"dd\")}", "/boot/config-x"],
                       "/usr/bin/mawk", a, 1, msec=1)
    _, ls = exec_event(["sh", "-c", "dd seek=4"], "/usr/bin/dash", s_, a,
                       msec=8)
    _, lf = fork_event(a, s_, msec=8, syscall=435)
    _, ld = exec_event(["dd", "seek=4"], "/usr/bin/dd", next_pid(), s_,
                       msec=8)
    return [], run(log(la, ls, lf, ld))


@case("cli: --parents, one JSON line per exec, null when unknown")
def _():
    import io
    p, c = next_pid(), next_pid()
    s1, l1 = exec_event(["sh", b"/boot/\xff\xc3\xa9"], "/usr/bin/dash", p, 1,
                        msec=1)
    s2, l2 = exec_event(["tail"], "/usr/bin/tail", c, p, msec=2, argc=3)
    old_out, old_in = sys.stdout, sys.stdin
    try:
        sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        sys.stdin = io.TextIOWrapper(io.BytesIO(log(l2, l1)))
        oracle.main(["oracle.py", "--parents", "-"])
        sys.stdout.flush()
        text = sys.stdout.buffer.getvalue().decode()
    finally:
        sys.stdout, sys.stdin = old_out, old_in
    return ('{"serial":%d,"parent_args":null}\n'
            '{"serial":%d,"parent_args":["sh","/boot/\\\\xff\\u00e9"]}\n'
            % (s1, s2)), text


@case("proc: process table is per node")
def _():
    p = next_pid()
    _, lp = exec_event(["/bin/sh", "/boot/s"], "/usr/bin/dash", p, 1,
                       node="a", msec=1)
    _, lc = exec_event(["tail", "-c", "1", "/tmp/x"], "/usr/bin/tail",
                       next_pid(), p, node="b", msec=2)
    s, lc2 = exec_event(["tail", "-c", "1", "/tmp/x"], "/usr/bin/tail",
                        next_pid(), p, node="a", msec=3)
    return [s], run(log(lp, lc, lc2))


@case("proc: same serial on two nodes are two events")
def _():
    serial = next_serial()
    _, la = exec_event(["tail", "-c", "1", "/boot/x"], "/usr/bin/tail",
                       next_pid(), 1, serial=serial, node="a")
    _, lb = exec_event(["tail", "-n", "1", "/tmp/x"], "/usr/bin/tail",
                       next_pid(), 1, serial=serial, node="b")
    return [serial], run(log(la, lb))


@case("proc: same serial on two nodes, both matching, are two lines")
def _():
    serial = next_serial()
    _, la = exec_event(["tail", "-c", "1", "/boot/x"], "/usr/bin/tail",
                       next_pid(), 1, serial=serial, node="a")
    _, lb = exec_event(["xxd", "-s", "1", "/boot/y"], "/usr/bin/xxd",
                       next_pid(), 1, serial=serial, node="b")
    return [serial, serial], run(log(la, lb))


@case("cli: main() prints sorted serials, one per event, from files and stdin")
def _():
    import io
    import tempfile
    s1, l1 = exec_event(["tail", "-c", "1", "/boot/x"], "/usr/bin/tail",
                        next_pid(), 1, serial=900001, msec=900)
    s2, l2 = exec_event(["xxd", "-s", "1", "/boot/x"], "/usr/bin/xxd",
                        next_pid(), 1, serial=90002, msec=1)
    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(log(l1))
        path = f.name
    old_out, old_in = sys.stdout, sys.stdin
    try:
        sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
        sys.stdin = io.TextIOWrapper(io.BytesIO(log(l2, l1)))
        oracle.main(["oracle.py", path, "-"])
        sys.stdout.flush()
        text = sys.stdout.buffer.getvalue().decode()
    finally:
        sys.stdout, sys.stdin = old_out, old_in
        os.unlink(path)
    return "90002\n900001\n", text


def main():
    passed = failed = 0
    for name, fn in CASES:
        try:
            expected, got = fn()
        except Exception as e:  # a crash is a failure
            expected, got = "no exception", "%s: %s" % (type(e).__name__, e)
        if expected == got:
            passed += 1
        else:
            failed += 1
            print("FAIL %s\n  expected %r\n  got      %r" % (
                name, expected, got))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
