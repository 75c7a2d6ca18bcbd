#!/usr/bin/env python3
"""Interleave the records of neighbouring audit events (stdin -> stdout).

Real auditd output may interleave the records of different events; this
turns a recorded log into such a stream without changing any record: the
records of each pair of consecutive events are emitted alternately.
"""
import re
import sys

ID = re.compile(rb"msg=audit\(([0-9.]+:[0-9]+)\)")

events, order = {}, []
for line in sys.stdin.buffer:
    m = ID.search(line)
    key = m.group(1) if m else None
    if key not in events:
        events[key] = []
        order.append(key)
    events[key].append(line)

out = sys.stdout.buffer
for i in range(0, len(order), 2):
    a = events[order[i]]
    b = events[order[i + 1]] if i + 1 < len(order) else []
    for j in range(max(len(a), len(b))):
        if j < len(a):
            out.write(a[j])
        if j < len(b):
            out.write(b[j])
