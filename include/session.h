/*
 * session.h - the audit login sessions seen in the input, and for each
 * exec what its session says: how the user got in (the entry leader of
 * Elastic Defend's process.entry_leader) and from where.
 *
 * An exec names its session itself (the SYSCALL's ses= and auid=, which
 * the kernel sets once per login and every child inherits, through su,
 * sudo, setsid and logout); the table only describes sessions, from the
 * login records (login_event.h), keyed by (node, ses):
 *
 *  - LOGIN (res=1, ses set) opens a session, or replaces one with the same
 *    id (ids restart at boot: a log of several boots reuses them). Until
 *    a login service claims it, its entry type is "unknown" and its entry
 *    leader the process that set its loginuid, with the image the process
 *    table knew for it, or the first one it execs in the session.
 *  - USER_START (op=PAM:session_open, res=success) sent by that same pid
 *    in that session claims it: the type comes from the service's exe
 *    (table below) and the source ip from addr=; the entry leader is then
 *    the first exec in the session after it (Defend's leader of an ssh
 *    login is the user's shell, whose parent is sshd; pam_motd's execs
 *    come before USER_START and are skipped). The first claim wins. A
 *    claim whose exe is not the image the process table has for that pid
 *    is refused (counted). USER_START from other pids of the session are
 *    sudo, su, runuser opening PAM sessions inside it: not claims.
 *  - USER_END of the claiming pid marks the session ended; it stays, since
 *    its processes go on (nohup, tmux); USER_END of a session never
 *    claimed is counted.
 *  - An exec whose ses is unset gets type "init" and no leader (it never
 *    logged in: a service). An exec whose session is not in the table
 *    (its LOGIN is not in the input: rotated away, the plugin started
 *    later) gets nothing, never a guess; nor one whose auid differs from
 *    its session's or that happened before its LOGIN (an id of an earlier
 *    boot), counted as mismatches.
 *
 * Entry types, from the basename of USER_START's exe: sshd, sshd-session
 * -> "sshd"; login -> "console" on a virtual console (terminal /dev/ttyN
 * or ttyN, 1 <= N <= 63), "terminal" on any other; cron, crond, atd ->
 * "init" (the job descends from a daemon that init started); anything
 * else, and a session no service claimed -> "unknown". ECS's other values
 * (ssm, kubelet, teleport, container) are not told by login records.
 *
 * What the records say is attacker-controlled only where a process with
 * CAP_AUDIT_WRITE wrote it (PAM's text); the pid, ses and auid that tie a
 * record to a session are the kernel's. Forging a claim takes being the
 * process that set the session's loginuid.
 *
 * Bounded: at most max_entries sessions (least recently used evicted,
 * counted), each a fixed-size entry (about 700 bytes: an entry leader's
 * exe over SESSION_EXE_MAX bytes is left out rather than cut), allocated
 * at start: max_entries * (sizeof(entry) + 8 bytes of hash slots),
 * whatever the input. Cost: O(1) expected per record and per exec (one
 * hash lookup; an exec with ses unset none). Not thread-safe.
 */
#ifndef KS_SESSION_H
#define KS_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include "exec_event.h"
#include "login_event.h"

#define SESSION_DEFAULT_ENTRIES 4096u
#define SESSION_EXE_MAX 512

enum entry_type {
	ENTRY_NONE = 0,   /* nothing known: no field */
	ENTRY_INIT,
	ENTRY_SSHD,
	ENTRY_TERMINAL,
	ENTRY_CONSOLE,
	ENTRY_UNKNOWN,
};

/* ECS's word for a type ("sshd"...), NULL for ENTRY_NONE. */
const char *entry_type_name(enum entry_type t);

struct session_limits {
	uint32_t max_entries;     /* 0: SESSION_DEFAULT_ENTRIES */
};

/*
 * What an exec's alert says of its session. Pointers are into the table:
 * valid until the next call that changes it.
 */
struct session_view {
	enum entry_type type;     /* ENTRY_NONE: nothing at all */
	pid_t pid;                /* entry leader; 0 when not known */
	const char *exe, *name;   /* its image; NULL when not known */
	bool have_exec;           /* start and euid below: from its exec */
	time_t sec;
	unsigned msec;
	uint32_t euid;
	const char *euid_name;    /* ENRICHED name, "" when none */
	const char *source_ip;    /* "" when none */
};

struct session_stats {
	uint32_t entries;
	uint64_t evictions;
	uint64_t logins;        /* LOGIN records that opened a session */
	uint64_t reused;        /* ... of them over a session id in the table */
	uint64_t claims;        /* USER_START that described a session */
	uint64_t ends;          /* USER_END of a claimed session */
	uint64_t nested;        /* PAM records of other pids in a session */
	uint64_t no_session;    /* PAM records of a session not in the table */
	uint64_t orphan_ends;   /* USER_END of a session never claimed */
	uint64_t refused;       /* failed, second or mismatched claims, failed
				 * LOGIN, and PAM records not of PAM's op */
	uint64_t exe_mismatch;  /* claims whose exe is not the pid's image
				 * (counted in refused too) */
	uint64_t mismatch;      /* execs not given their ses's session: auid
				 * differs, or older than its LOGIN */
};

struct session_table;

/* NULL limits: defaults. NULL when memory ran out. */
struct session_table *session_table_new(const struct session_limits *lim);
void session_table_free(struct session_table *t);

/* A LOGIN record of `node`. pid_exe: the image the process table has for
 * le->pid, or NULL. */
void session_login(struct session_table *t, uint32_t node,
		   const struct login_event *le, const char *pid_exe);
/* A USER_START or USER_END record of `node`; pid_exe as above. */
void session_pam(struct session_table *t, uint32_t node,
		 const struct login_event *le, const char *pid_exe);
/* An exec of `node` (its ev->node is not read): fills *out with what its
 * session says, after making it the entry leader when it is due. */
void session_exec(struct session_table *t, uint32_t node,
		  const struct exec_event *ev, struct session_view *out);

void session_stats(const struct session_table *t, struct session_stats *s);

#endif
