#!/usr/bin/env python3
# A hostile "sender" for tests/collector.sh: it connects to the collector
# auditd's tcp_listen_port as audisp-remote does and speaks its framing
# (format = managed: the 16-byte little-endian header of audit-userspace's
# lib/private.h, one record a message, each acknowledged), but sends what
# a compromised machine may choose to send:
#
#   - lines that are not audit records, broken records, bytes 0x01-0xff,
#     an EXECVE with an absurd argc, and a flood of events that never
#     complete (a SYSCALL record alone);
#   - exec events under its own node name (EVIL), built from a real
#     event of the real sender (TEMPLATE: its records as the collector
#     received them, node= and all), with the pid, ppid, argv, time and
#     serial it chooses: among them one that claims the pid of a live
#     process of the real sender, and one whose ppid is that process;
#   - on a second connection, bytes without the framing at all.
#
#   collector_evil.py PORT TEMPLATE EVIL SPEC...
#     SPEC: SERIAL:PID:PPID:ARG,ARG,...   one forged exec event
# It waits for the collector's acknowledgement of each framed message (as
# audisp-remote does) and prints how many were acknowledged.
import os
import socket
import struct
import sys
import time

MAGIC = 0xFF0000FE
TYPE_MESSAGE = 0


def frame(seq, text):
    # magic, header version 0, message version 0, type, length, sequence
    return struct.pack("<IBBIHI", MAGIC, 0, 0, TYPE_MESSAGE, len(text),
                       seq) + text


def hexarg(s):
    return s.encode().hex().upper().encode()


def forged_exec(template, evil, serial, pid, ppid, args):
    """The template event's records (SYSCALL, EXECVE, CWD, PATH...,
    PROCTITLE) under node EVIL with this serial, pid, ppid and argv."""
    now = b"%.3f" % time.time()
    out = []
    for rec in template:
        head, sep, rest = rec.partition(b"): ")
        typ = rec.split(b" type=", 1)[1].split(b" ", 1)[0]
        head = b"node=" + evil + b" type=" + typ + \
            b" msg=audit(" + now + b":" + str(serial).encode()
        if typ == b"SYSCALL":
            fields = []
            for f in rest.split(b" "):
                if f.startswith(b"pid="):
                    f = b"pid=" + str(pid).encode()
                elif f.startswith(b"ppid="):
                    f = b"ppid=" + str(ppid).encode()
                fields.append(f)
            rest = b" ".join(fields)
        elif typ == b"EXECVE":
            rest = b"argc=%d" % len(args) + b"".join(
                b" a%d=%s" % (i, hexarg(a)) for i, a in enumerate(args))
        elif typ == b"PROCTITLE":
            rest = b"proctitle=" + b"00".join(hexarg(a) for a in args)
        out.append(head + sep + rest)
    return out


def garbage(evil):
    now = b"%.3f" % time.time()
    g = [
        b"# execve(\"/bin/true\", [\"true\"], 0x7ffd /* 12 vars */) = 0",
        b"this is not an audit record at all",
        b"type=SYSCALL msg=audit(",
        b"node=" + evil + b" type=SYSCALL msg=audit(" + now + b":1): arch=",
        b"node=" + evil + b" type=EXECVE msg=audit(" + now +
        b":2): argc=2147483648 a0=\"tail\" a1=\"-c\" a2=\"1\" a3=\"/boot/x\"",
        bytes(range(1, 10)) + bytes(range(11, 256)),
        b"node=" + b"A" * 4000 + b" type=SYSCALL msg=audit(" + now +
        b":3): pid=1",
    ]
    # events that never complete: a SYSCALL record alone, many of them
    for n in range(2000):
        g.append(b"node=" + evil + b" type=SYSCALL msg=audit(" + now +
                 b":" + str(900000 + n).encode() +
                 b"): arch=c000003e syscall=59 success=yes exit=0 "
                 b"items=2 ppid=1 pid=" + str(400000 + n).encode() +
                 b" comm=\"x\" exe=\"/x\" key=(null)")
    return g


def main():
    port, template_file, evil = int(sys.argv[1]), sys.argv[2], \
        sys.argv[3].encode()
    with open(template_file, "rb") as f:
        template = [l.rstrip(b"\n") for l in f if l.strip()]
    msgs = garbage(evil)
    for spec in sys.argv[4:]:
        serial, pid, ppid, args = spec.split(":", 3)
        msgs += forged_exec(template, evil, int(serial), int(pid),
                            int(ppid), args.split(","))
    # bytes without any framing, on a connection of their own: auditd
    # reads them as lines and drops what has no header
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    raw.sendall(b"node=" + evil + b" type=SYSCALL msg=audit(1.0:1): x\n" +
                os.urandom(2000).replace(b"\xff", b"\x00") + b"\n")
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    acked = 0
    for seq, m in enumerate(msgs, 1):
        s.sendall(frame(seq, m + b"\n"))
        hdr = b""
        while len(hdr) < 16:
            chunk = s.recv(16 - len(hdr))
            if not chunk:
                break
            hdr += chunk
        if len(hdr) < 16:
            break
        _, _, _, _, mlen, _ = struct.unpack("<IBBIHI", hdr)
        if mlen:
            s.recv(mlen)
        acked += 1
    s.close()
    raw.close()
    print("collector_evil: %d of %d messages acknowledged" %
          (acked, len(msgs)))


main()
