/*
 * timeline.h - what came just before: the last execs of each audit
 * session, for the alerts' auditd.timeline.
 *
 * Keyed by (node, ses): the node id the process table uses (node_ids.h)
 * and the audit session id of the exec's SYSCALL record. Each session
 * keeps a ring of its `size` most recent execs: time, serial, pid, ppid and
 * the argv cut to `argv_bytes`. An exec whose ses is unset (4294967295:
 * a process that never logged in, a daemon) belongs to no session and is
 * not kept, so such an exec has no timeline; mixing every daemon's execs
 * into one list would say nothing about the alert.
 *
 * Cutting: an argv that does not fit `argv_bytes` (argument bytes plus one
 * separator each) keeps its first and last arguments and as many others as
 * fit, alternately from the front and the back; the arguments left out are
 * replaced by one element "...N args, M bytes omitted..." and an argument
 * too long on its own keeps its head and tail around "...[N bytes
 * omitted]...", the same markers as the alerts' (alert.h). A cut never
 * splits a UTF-8 sequence.
 *
 * Bounded: at most `sessions` sessions, the least recently exec'd one
 * evicted first (its ring reused); all memory is allocated by timeline_new,
 *   sessions * (size * (argv_bytes + TIMELINE_SLOT_BYTES) + 2 * 4 + 32)
 * bytes, and never grows: no stream of execs or sessions changes the
 * footprint (2.4 MiB with the defaults).
 *
 * Session ids restart at each boot: in a log spanning a reboot the same
 * (node, ses) can name two sessions. The LOGIN record that starts a
 * session says so (timeline_forget); without login records in the input
 * their execs share a ring.
 *
 * Cost: timeline_record is one hash probe and one copy of at most
 * argv_bytes (plus a pass over the argument lengths when the argv is cut);
 * timeline_get is O(size + arguments returned). Not thread-safe.
 */
#ifndef KS_TIMELINE_H
#define KS_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include "argv.h"
#include "exec_event.h"

#define TIMELINE_DEFAULT_SESSIONS 1024u
#define TIMELINE_DEFAULT_SIZE 8u
#define TIMELINE_DEFAULT_ARGV_BYTES 256u
#define TIMELINE_MAX_SIZE 32u
#define TIMELINE_MIN_SESSIONS 16u
#define TIMELINE_MAX_SESSIONS 65536u
#define TIMELINE_MIN_ARGV_BYTES 192u
#define TIMELINE_MAX_ARGV_BYTES 4096u
/* Fixed bytes per kept exec besides its argv bytes (the slot header). */
#define TIMELINE_SLOT_BYTES 40u

/* 0 or out of bounds: the default or the nearest bound. */
struct timeline_limits {
	uint32_t sessions;
	unsigned size;            /* execs kept per session */
	size_t argv_bytes;        /* per exec: argument bytes + separators */
};

/* One kept exec; argv points into the store (and the caller's arena):
 * valid until the next timeline_record. */
struct timeline_entry {
	time_t sec;
	unsigned msec;
	unsigned long serial;
	pid_t pid, ppid;
	struct argv argv;         /* ARGV_TRUNCATED when it was cut */
};

struct timeline_stats {
	uint32_t sessions;        /* sessions held now */
	uint64_t records;         /* execs kept */
	uint64_t no_session;      /* execs with ses unset, not kept */
	uint64_t evictions;       /* sessions evicted for a new one */
	uint64_t cut;             /* execs whose argv was cut */
};

struct timeline;

/* NULL limits: defaults. NULL on allocation failure. */
struct timeline *timeline_new(const struct timeline_limits *lim);
void timeline_free(struct timeline *t);

/* The limits in force (after defaults and bounds). */
void timeline_limits(const struct timeline *t, struct timeline_limits *out);

/* Keep `ev` in the ring of (node, ev->ses): its time, serial, pid, ppid
 * and argv. ev->node is not read. */
void timeline_record(struct timeline *t, uint32_t node,
		     const struct exec_event *ev);

/* A LOGIN record started (node, ses): whatever is kept under that id
 * belongs to an earlier session that had it (session ids restart at each
 * boot) and is forgotten. */
void timeline_forget(struct timeline *t, uint32_t node, uint32_t ses);

/*
 * The execs kept for (node, ses), oldest first, at most `max` (the most
 * recent ones). Their argument vectors are built in arena[0..arena_n):
 * timeline_arena_size() entries always suffice. Returns the number filled
 * in out[]; 0 for an unknown session or ses unset. Changes nothing.
 */
unsigned timeline_get(const struct timeline *t, uint32_t node, uint32_t ses,
		      struct timeline_entry *out, unsigned max,
		      struct argv_arg *arena, size_t arena_n);

/* Argument slots timeline_get may need for one session. */
size_t timeline_arena_size(const struct timeline *t);

void timeline_stats(const struct timeline *t, struct timeline_stats *s);

#endif
