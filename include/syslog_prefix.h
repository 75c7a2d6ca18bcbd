/*
 * syslog_prefix.h - an audit record behind a syslog prefix: where it
 * starts, and the host the prefix names.
 *
 * Sites that collect audit through syslog (Debian's audisp-syslog plugin,
 * rsyslog's imfile, a central syslog server) keep records in lines like
 *   Nov 29 10:00:01 web1 audisp-syslog: type=SYSCALL msg=audit(...): ...
 *   2026-11-29T10:00:01.123456+01:00 web1 audisp-syslog[812]: node=... type=...
 *   <85>1 2026-11-29T10:00:01.003Z web1 audisp-syslog 812 - - type=...
 * Recognised: an optional <PRI>, then either the BSD (RFC 3164) timestamp
 * "Mmm dd hh:mm:ss" or an RFC 3339 one (rsyslog's file format), a host and
 * a tag ending in ':' (or "tag[pid]:"); or RFC 5424's "<PRI>1 TIMESTAMP
 * HOST APP PROCID MSGID SD" with structured data "-" or [..] elements
 * (quoted values, \] and \" inside them) and an optional UTF-8 BOM. The
 * message is an audit record when it starts with "type=" or "node=".
 *
 * Guarantees: reads only s[0..n), never past; no allocation; the host is
 * a slice of s (at most SYSLOG_HOST_MAX bytes, or none: a longer or nil
 * "-" host is not used). A kernel audit message ("audit: type=1300
 * audit(...)", numeric types) is not a record here: SYSLOG_OTHER.
 * Cost: one pass over the prefix (a few dozen bytes).
 */
#ifndef KS_SYSLOG_PREFIX_H
#define KS_SYSLOG_PREFIX_H

#include <stddef.h>

#define SYSLOG_HOST_MAX 255

enum syslog_kind {
	SYSLOG_NONE = 0,  /* not a syslog line */
	SYSLOG_OTHER,     /* a syslog line without an audit record */
	SYSLOG_RECORD,    /* an audit record at s + msg */
};

struct syslog_line {
	size_t msg;          /* offset of the record (SYSLOG_RECORD) */
	const char *host;    /* the prefix's host; NULL when none */
	size_t host_len;
};

enum syslog_kind syslog_parse(const char *s, size_t n, struct syslog_line *out);

#endif
