#!/usr/bin/env python3
# Send one user-space audit record of any type and text over NETLINK_AUDIT,
# as a process with CAP_AUDIT_WRITE can (the way libaudit's
# audit_log_user_message does, but with the text as given): what a forger
# of login records can put in the log. Used by tests/data/logins.sh.
#
#   forge-record.py TYPE FILE    TYPE a number (1105 USER_START), FILE the
#                                text (bytes, any), sent NUL-terminated
# Prints the kernel's reply: "error 0" accepted, "error -22" a type it
# refuses from user space (LOGIN, SYSCALL), "error -1" no capability.
import socket
import struct
import sys

AUDIT_NETLINK = 9
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2

rtype = int(sys.argv[1])
with open(sys.argv[2], "rb") as f:
    text = f.read() + b"\0"
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, AUDIT_NETLINK)
s.bind((0, 0))
s.send(struct.pack("=IHHII", 16 + len(text), rtype, NLM_F_REQUEST | NLM_F_ACK, 1, 0) + text)
reply = s.recv(4096)
_, typ, _, _, _ = struct.unpack("=IHHII", reply[:16])
err = struct.unpack("=i", reply[16:20])[0] if typ == NLMSG_ERROR else None
print("type %d: error %s" % (rtype, err))
