/*
 * exec_event.h - the validated record of one successful exec (and of one
 * successful fork/clone), as the rest of the plugin sees it.
 *
 * Produced only by event_assembly from libauparse events; consumers never
 * look at audit text again. Every string field is decoded (quoted or hex),
 * NUL-terminated and bounded by the size of its array; a value that did not
 * fit is cut and its bit is set in `truncated`. Absent numeric fields hold
 * EXEC_ID_UNSET. Strings from the audited system are attacker-controlled and
 * may contain any byte except NUL: escape them on output.
 */
#ifndef KS_EXEC_EVENT_H
#define KS_EXEC_EVENT_H

#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>
#include "argv.h"

/* audit's "unset" id (4294967295); also used when a field is absent. */
#define EXEC_ID_UNSET UINT32_MAX

/* Sizes: comm is 16 bytes in the kernel; exe and cwd are paths (PATH_MAX);
 * keys are at most AUDIT_MAX_KEY_LEN (256) per key, several may be joined. */
#define EXEC_COMM_MAX 64
#define EXEC_PATH_MAX 4096
#define EXEC_KEY_MAX 1024
#define EXEC_TTY_MAX 32
#define EXEC_NODE_MAX 256
/* A user or group name from the ENRICHED text; Linux allows 32 bytes. */
#define EXEC_NAME_MAX 64

enum exec_truncated {
	EXEC_TRUNC_COMM = 1u << 0,
	EXEC_TRUNC_EXE = 1u << 1,
	EXEC_TRUNC_CWD = 1u << 2,
	EXEC_TRUNC_KEY = 1u << 3,
	EXEC_TRUNC_NODE = 1u << 4,
	EXEC_TRUNC_TTY = 1u << 5,
	EXEC_TRUNC_NAME = 1u << 6,
};

/* Which syscall an audited SYSCALL record is, decided from arch + number. */
enum syscall_kind {
	SYSCALL_OTHER = 0,
	SYSCALL_EXEC,  /* execve, execveat */
	SYSCALL_FORK,  /* clone, clone3, fork, vfork */
};

/*
 * Parts of an exec event that only some consumers read (the ECS_NEEDS_*
 * flags of the fields in ecs_event.c). The event assembly reads the others
 * always; these only when asked (ea_set_needs): otherwise their text never
 * reaches libauparse.
 */
enum exec_needs {
	EXEC_NEEDS_SAVED_IDS = 1u << 0, /* suid, fsuid, sgid, fsgid */
	EXEC_NEEDS_NAMES = 1u << 1, /* uid_name ... auid_name (ENRICHED text) */
	EXEC_NEEDS_ALL = EXEC_NEEDS_SAVED_IDS | EXEC_NEEDS_NAMES,
};

struct exec_event {
	/* the audit event's identity: msg=audit(sec.msec:serial) */
	time_t sec;
	unsigned msec;
	unsigned long serial;
	char node[EXEC_NODE_MAX];   /* node= prefix, "" when absent */

	pid_t pid, ppid;
	/* The credentials after the exec (a setuid program's included), and
	 * the login uid and session; EXEC_ID_UNSET when unset/absent (and
	 * suid, fsuid, sgid and fsgid when EXEC_NEEDS_SAVED_IDS was not asked
	 * for). */
	uint32_t uid, euid, suid, fsuid, gid, egid, sgid, fsgid;
	uint32_t auid, ses;
	/* Their names as auditd wrote them after the record (log_format =
	 * ENRICHED), "" otherwise (and without EXEC_NEEDS_NAMES): resolved on
	 * the audited machine, when the event happened. Never looked up
	 * here. */
	char uid_name[EXEC_NAME_MAX], euid_name[EXEC_NAME_MAX];
	char gid_name[EXEC_NAME_MAX], egid_name[EXEC_NAME_MAX];
	char auid_name[EXEC_NAME_MAX];
	char tty[EXEC_TTY_MAX];
	char comm[EXEC_COMM_MAX];
	char exe[EXEC_PATH_MAX];    /* "" when absent */
	char cwd[EXEC_PATH_MAX];    /* "" when no CWD record */
	char key[EXEC_KEY_MAX];     /* "" for key=(null) */
	const char *name;           /* basename(exe), or comm when exe is "" */
	size_t name_len;
	unsigned truncated;         /* enum exec_truncated */

	const struct argv *argv;    /* never NULL; argc may be 0 */
};

/* A successful clone/clone3/fork/vfork: `child` (the syscall's exit value)
 * starts as a copy of `parent` (the record's pid), both on `node`. */
struct fork_event {
	time_t sec;
	unsigned msec;
	unsigned long serial;
	const char *node;           /* node= prefix, "" when absent; never
				     * NULL, valid during the callback */
	pid_t parent, child;
	/* The record's credentials, i.e. the caller's now: the ids and
	 * names of struct exec_event (nothing else of it is set). NULL when
	 * not known; valid during the callback. */
	const struct exec_event *caller;
};

/*
 * Classify a SYSCALL record from its `arch=` (the AUDIT_ARCH_* value, e.g.
 * 0xc000003e) and `syscall=` number. Knows x86_64, i386 and aarch64 by name
 * through libaudit's tables, so numbers are never hard-coded per arch.
 * Cost: a small cache lookup.
 */
enum syscall_kind exec_event_classify(unsigned long arch, long nr);

/* Point ev->name at basename(ev->exe), or at ev->comm when exe is empty. */
void exec_event_set_name(struct exec_event *ev);

#endif
