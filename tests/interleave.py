#!/usr/bin/env python3
"""Interleave the records of neighbouring audit events (stdin -> stdout).

Real auditd output may interleave the records of different events; this
turns a recorded log into such a stream without changing any record: the
records of each pair of consecutive events are emitted alternately.

Only events that happened within the same second are paired, as only
events written at the same time interleave: auparse ends an event whose
records stop for eoe_timeout seconds of log time (2 in review mode), so
pairing an event with one seconds later (a log of an interactive session
with pauses) would cut it in two, which no real stream does.
"""
import re
import sys

ID = re.compile(rb"msg=audit\(([0-9]+)\.[0-9]+:[0-9]+\)")
FULL = re.compile(rb"msg=audit\(([0-9.]+:[0-9]+)\)")

events, order, second = {}, [], {}
for line in sys.stdin.buffer:
    m = FULL.search(line)
    key = m.group(1) if m else None
    if key not in events:
        events[key] = []
        order.append(key)
        s = ID.search(line)
        second[key] = int(s.group(1)) if s else None
    events[key].append(line)

out = sys.stdout.buffer
i = 0
while i < len(order):
    a = events[order[i]]
    b = []
    if i + 1 < len(order) and second[order[i]] is not None and \
            second[order[i]] == second[order[i + 1]]:
        b = events[order[i + 1]]
        i += 1
    i += 1
    for j in range(max(len(a), len(b))):
        if j < len(a):
            out.write(a[j])
        if j < len(b):
            out.write(b[j])
