/*
 * proc_table.h - what the plugin knows about each process: (node, pid) ->
 * the image it last exec'd (exe, name, argv), its ppid and when it was last
 * seen.
 *
 * An exec records the new image for its pid; a fork/clone gives the child a
 * copy of the caller's entry, so a subshell's child still finds the shell's
 * argv as its parent's. The parent of an exec is simply the entry of its
 * ppid; an unknown pid has no entry, which the rule treats as "parent
 * unknown" (false), never as an error.
 *
 * Keyed by node and pid: a log collected centrally (audisp-remote, or the
 * logs of several machines read as one stream) holds the processes of many
 * machines, told apart only by the record's node= prefix, and their pids
 * collide. `node` is a small id the caller gives for that prefix (runtime.c
 * interns node= strings with node_ids.h; 0 is "no node="): every function
 * below works within one node, an entry remembers its node, an exec's
 * parent and a fork's child are looked up and stored in the exec's and the
 * fork's node, and the same pid on two nodes is two entries. The table and
 * its limits are shared by all nodes (one LRU order over all entries; a
 * central collector with many busy machines wants a larger max_entries).
 *
 * Bounded: at most `max_entries` entries (least recently used evicted first),
 * at most `max_entry_argv_bytes` of argv per entry (whole arguments are kept
 * in order until the next one would not fit; the entry is then marked
 * truncated) and at most `max_total_argv_bytes` of argv overall (LRU entries
 * are evicted until the new one fits). No input can make it grow past
 *   max_entries * (sizeof entry + 2 hash slots) + max_total_argv_bytes.
 *
 * Default size: 16384 entries. A busy server runs a few hundred to a few
 * thousand processes; 16384 keeps every live one plus a long tail of recent
 * exits (whose children may still exec), and costs about 2.5 MiB of fixed
 * memory. With the 32 MiB default argv budget the whole table stays under
 * 40 MiB however hostile the input.
 *
 * Cost: O(1) expected per lookup/insert (open hash on node and pid + LRU
 * list); one allocation per stored argv. Not thread-safe.
 */
#ifndef KS_PROC_TABLE_H
#define KS_PROC_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>
#include "argv.h"
#include "exec_event.h"

#define PROC_TABLE_DEFAULT_ENTRIES 16384u
/* Elastic Defend itself keeps 20 KiB of argv; keep a little more. */
#define PROC_TABLE_DEFAULT_ENTRY_ARGV_BYTES (32u * 1024u)
#define PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES (32u * 1024u * 1024u)

/* Limits; 0 means the default. max_entries is kept within [2, 1<<24] (a
 * fork needs room for two entries) and max_total_argv_bytes is raised to
 * at least 64 KiB, so half of it holds the largest exe and name. */
struct proc_table_limits {
	uint32_t max_entries;
	size_t max_entry_argv_bytes;
	size_t max_total_argv_bytes;
};

enum proc_entry_flags {
	PROC_ARGV_TRUNCATED = 1u << 0, /* argv cut by a limit (here or before) */
	PROC_FROM_PROC = 1u << 1,      /* filled from /proc, not from an exec */
	PROC_FORKED = 1u << 2,         /* inherited through fork/clone */
};

/* A read-only view of one entry; valid until the next call that modifies
 * the table. */
struct proc_entry {
	uint32_t node;         /* the node id it was stored under */
	pid_t pid, ppid;
	const char *exe;       /* "" when unknown */
	const char *name;      /* basename of exe, or comm */
	struct argv argv;      /* argc may be 0 */
	time_t last_seen;      /* audit time of the last exec/fork touching it */
	unsigned flags;        /* enum proc_entry_flags */
};

/* entries, argv_bytes and evictions are in the statistics line (table=,
 * table_bytes=, evictions=); inserts, forks, lookups and hits are for the
 * tests, which check the table's bookkeeping with them (the line counts
 * execs, forks and /proc reads where they happen). */
struct proc_table_stats {
	uint32_t entries;
	size_t argv_bytes;
	uint64_t inserts, evictions, forks, lookups, hits;
};

struct proc_table;

/* NULL limits: defaults. Returns NULL on allocation failure. */
struct proc_table *proc_table_new(const struct proc_table_limits *lim);
void proc_table_free(struct proc_table *t);

/* Record the image `ev` exec'd for (node, ev->pid) (replacing any previous
 * one). ev->node is not read: `node` is its id. Returns 0, or -1 when
 * memory ran out (the entry is then stored without argv and marked
 * truncated). */
int proc_table_exec(struct proc_table *t, uint32_t node,
		    const struct exec_event *ev);

/* On `node`, `child` starts as a copy of `parent`'s entry (ppid = parent).
 * When the parent is unknown on that node the child's pid is forgotten
 * there (it belonged to an earlier process). Other nodes are never read or
 * changed. Returns 0 or -1 as above. */
int proc_table_fork(struct proc_table *t, uint32_t node, pid_t parent,
		    pid_t child, time_t when);

/* Store an entry for (node, pid) from another source (the /proc fallback):
 * exe, name and argv as given, marked PROC_FROM_PROC. */
int proc_table_put(struct proc_table *t, uint32_t node, pid_t pid, pid_t ppid,
		   const char *exe, const struct argv *argv, time_t when);

/* Look up (node, pid); fills *out and returns true when known. Marks the
 * entry as recently used. */
bool proc_table_lookup(struct proc_table *t, uint32_t node, pid_t pid,
		       struct proc_entry *out);

void proc_table_stats(const struct proc_table *t, struct proc_table_stats *s);

#endif
