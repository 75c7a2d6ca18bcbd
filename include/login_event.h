/*
 * login_event.h - one login record (LOGIN, USER_START, USER_END) as a
 * validated struct: what the session table (session.h) learns a login
 * session from.
 *
 * LOGIN is written by the kernel when a process sets its loginuid
 * (pam_loginuid at a login, or any process whose loginuid is still unset):
 * `pid= uid= [subj=] old-auid= auid= tty= old-ses= ses= res=`, every value
 * the kernel's own. USER_START and USER_END are written by PAM through
 * libaudit at session_open and session_close: the kernel puts the sender's
 * `pid= uid= auid= ses= [subj=]` in front, which the sender cannot change,
 * and then `msg='TEXT'`, which it can: a process with CAP_AUDIT_WRITE may
 * send any text, quotes, a 0x1D separator, duplicate keys and 8560 bytes
 * included.
 *
 * So the parse is strict:
 *  - the kernel's fields are read before the first " msg='", each once, in
 *    decimal; for LOGIN from the whole record;
 *  - the text runs from that " msg='" to the record's last byte, which must
 *    be its closing quote, with no other quote inside (libaudit never
 *    writes one there: it hex-encodes acct and exe when they need it);
 *  - inside, every word is key=value, the keys read here (op, acct, id,
 *    exe, hostname, addr, terminal, res, grantors) at most once each;
 *    op, exe and res must be there, res success or failed, exe quoted or
 *    hex, acct at most 32 bytes (libaudit's cut), addr an IPv4 or IPv6
 *    address or "?" (whether op is PAM's is said in pam_op: sshd writes
 *    a USER_END op=login of its own on some systems);
 *  - a record that breaks any of these is malformed: the caller counts it
 *    and never uses it. Nothing after a 0x1D byte is read (the ENRICHED
 *    names of a user record are as forgeable as its text).
 *
 * Cost: one pass over the record's text, no allocation.
 */
#ifndef KS_LOGIN_EVENT_H
#define KS_LOGIN_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include "exec_event.h"

/* Sizes: terminal is a tty path or PAM_TTY; an address as inet_ntop
 * writes it (INET6_ADDRSTRLEN). */
#define LOGIN_TERMINAL_MAX 64
#define LOGIN_ADDR_MAX 46

enum login_type {
	LOGIN_SET = 1,   /* LOGIN (1006): a process set its loginuid */
	LOGIN_PAM_START, /* USER_START (1105): PAM session_open */
	LOGIN_PAM_END,   /* USER_END (1106): PAM session_close */
};

struct login_event {
	enum login_type type;
	/* the audit event's identity, as for an exec */
	time_t sec;
	unsigned msec;
	unsigned long serial;
	const char *node;       /* node= prefix, "" when absent; never NULL */

	/* Written by the kernel: the process that set its loginuid (LOGIN)
	 * or sent the record (PAM), its real uid, and for LOGIN the new
	 * login uid and session; for PAM the sender's. */
	pid_t pid;
	uint32_t uid, auid, ses;
	uint32_t old_auid, old_ses; /* LOGIN; EXEC_ID_UNSET otherwise */
	char tty[EXEC_TTY_MAX];     /* LOGIN's tty= ("(none)"), else "" */
	bool success;               /* LOGIN res=1, PAM res=success */
	bool pam_op;                /* op=PAM:session_open (USER_START) or
				     * PAM:session_close (USER_END) */

	/* PAM only, from the sender's text: decoded and bounded, "" when
	 * absent. addr is normalised by inet_ntop, "" for "?". */
	char exe[EXEC_PATH_MAX];
	char addr[LOGIN_ADDR_MAX];
	char terminal[LOGIN_TERMINAL_MAX];
};

/*
 * The record type (AUDIT_LOGIN, AUDIT_USER_START, AUDIT_USER_END) as a
 * login_type, 0 for any other.
 */
enum login_type login_type_of(int audit_type);

/*
 * True for a USER_START or USER_END (by `type`) whose kernel-written ses=
 * is audit's unset id: PAM of a process outside any login session (su
 * or runuser from a daemon, sudo in a service), which can describe no
 * session. The prefilter keeps such records from auparse and
 * event_assembly skips them, by this one test, so both agree. Reads only
 * the kernel's part (before the first " msg='", and nothing after a 0x1D).
 */
bool login_without_session(enum login_type type, const char *text,
			   size_t n);

/*
 * Parse the text of one record of that type (the whole line, or what
 * follows "msg=audit(...): ") into *out. The identity fields (sec, msec,
 * serial, node) are left for the caller. Returns true when the record is
 * well-formed by the rules above; *out is then complete.
 */
bool login_event_parse(enum login_type type, const char *text, size_t n,
		       struct login_event *out);

#endif
