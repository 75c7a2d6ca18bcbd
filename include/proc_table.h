/*
 * proc_table.h - what the plugin knows about each process: (node, pid) ->
 * the image it last exec'd (exe, name, argv), its ppid, its credentials
 * and their names, its working directory and terminal, the record that
 * made the image, when the process began and when it was last seen.
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
 * its limits are shared by all nodes (a central collector with many busy
 * machines wants a larger max_entries), fairly:
 *
 * Fair share. When an entry must go to make room (for one more entry, or
 * for its argv bytes), it is the least recently used entry of the node
 * that holds the most entries (bytes); the storing node's own when it
 * holds as many; among other equals, the node whose least recently used
 * entry is the oldest. With one node, or nodes of equal size, that is
 * plain LRU. So one node's flood of execs (or of huge argv) only recycles
 * its own entries once it holds the most, and a node loses an entry to
 * another node's store only while it holds more than its share, which is
 * max_entries (max_total_argv_bytes) divided by the number of nodes that
 * hold entries, the storing node included. The price: a quiet node keeps
 * up to its share even of processes that exited long ago while a busy
 * one recycles younger entries; and choosing the victim scans a counter
 * per node seen (PROC_TABLE_NODES at most, 40 bytes each: 160 KiB
 * allocated with the table), only when something must be evicted: with
 * the table full and every exec evicting, an exec costs 0.16 us with one
 * node, 1.1 us with 200 and 4 us with 4096 (BENCHMARKS.md). Node ids past
 * PROC_TABLE_NODES - 1 share the last slot for this accounting
 * (node_ids.h gives them one id anyway). Per node the table counts
 * entries, bytes and evictions (proc_table_top_nodes: the statistics
 * line's top nodes and the total of the others).
 *
 * Bounded: at most `max_entries` entries (evicted by the fair share above),
 * at most `max_entry_argv_bytes` of argv per entry (whole arguments are kept
 * in order until the next one would not fit; the entry is then marked
 * truncated) and at most `max_total_argv_bytes` of argv overall (entries
 * are evicted until the new one fits). No input can make it grow past
 *   max_entries * (sizeof entry + 2 hash slots) + max_total_argv_bytes
 *   + PROC_TABLE_NODES * 40.
 *
 * Default size: 16384 entries. A busy server runs a few hundred to a few
 * thousand processes; 16384 keeps every live one plus a long tail of recent
 * exits (whose children may still exec), and costs about 2.7 MiB of fixed
 * memory. With the 32 MiB default argv budget the whole table stays under
 * 40 MiB however hostile the input. The plugin gives a bigger table
 * proc_table_argv_budget(entries): 2 KiB an entry.
 *
 * Record order. Records reach the table in the order the kernel wrote
 * them (through auditd, libauparse and the prefilter), which is not the
 * order things happened. What the table relies on, and what it does not:
 *
 *  1. An event's time (msg=audit(SEC.MSEC:…)) is taken at syscall ENTRY
 *     from a coarse clock (one tick is 1 to 10 ms, so different events
 *     share a time); its records are written at syscall EXIT, and its
 *     serial is taken then too. Neither the arrival order nor the serial
 *     says what happened first across processes.
 *  2. So a fork/clone/clone3/vfork record may come after records of its
 *     child: the child runs (and execs, and forks) while the parent is
 *     still on its way out of the syscall. vfork and posix_spawn's
 *     clone3(CLONE_VFORK) mostly do (four in five in tests/data's busy
 *     recording), as the parent only resumes once the child's exec has
 *     begun. But the fork's TIME is never newer than anything its child
 *     does: the child exists only after the fork began. Hence the one
 *     time rule here: a fork never replaces or deletes an entry set by an
 *     exec of the child's pid whose time is the same as the fork's or
 *     newer (proc_table_fork); that exec is the child's own. An entry set
 *     by an exec OLDER than the fork belonged to an earlier process with
 *     that pid and is replaced (or forgotten when the forking process is
 *     unknown): pid reuse.
 *  3. Pids are handed out cyclically, so a pid is not reused within one
 *     clock tick: an exec and a fork of the same pid at the same time are
 *     the same process. (Forcing pids with ns_last_pid can break this;
 *     nothing else does.) Clock steps backwards can break 2 and 3 for the
 *     records around the step.
 *  4. One process's own records come in the order it made the calls: its
 *     exec before the forks it makes afterwards, a fork before its later
 *     exec. An exec therefore always replaces its pid's entry (no time
 *     check), and a fork copies the parent's entry as it is when the fork
 *     arrives. This holds across threads too: an exec waits for the
 *     process's other threads to die (de_thread), and a thread writes
 *     the records of a fork it made before it dies.
 *  5. pid= is the thread group id and ppid= the parent's thread group id.
 *     A thread's exec (the kernel makes it the leader) is recorded under
 *     the group id and replaces the process's image, as it should; a
 *     thread that forks after the leader exited still records the group
 *     id as pid and is its child's ppid. clone/clone3 with CLONE_THREAD
 *     returns a thread id: the table gives it an entry like a child's,
 *     which no exec names as ppid; it costs one entry until evicted or
 *     replaced (clone3's flags are not in the record, so threads cannot
 *     be told apart).
 *  6. An exec's parent is its ppid= at the exec: a child whose parent
 *     exited names its new parent (init or a subreaper) and gets that
 *     one's image, which is the process's real parent at that moment.
 *  7. A parent that execs after forking a child: the child's exec gets
 *     the parent image that came before it in arrival order. Both execs
 *     are written at their exits, so this is the image the parent had
 *     when the child's exec finished; only execs that overlap in time
 *     can disagree with an order by timestamp.
 *
 *  8. Credentials: every exec and fork record carries its caller's
 *     current ids (uid euid gid egid) and tty and, in ENRICHED logs,
 *     their names. An exec stores the new image's (and its cwd); a fork
 *     record refreshes the caller's own entry first (a process changes
 *     ids without exec'ing: sshd's session child drops to the user
 *     before it forks the shell),
 *     and the child starts with them. By rule 4 the caller's newest
 *     record is always the one that arrives last.
 *  9. Where an image and a process come from: `set` is the record that
 *     stored the image (the exec, or the fork for a copy), the source of
 *     its entity id; `start` is when the process began as far as the
 *     records tell: its fork, else the first exec seen for it. An exec
 *     keeps the start of the entry it replaces when that entry is the
 *     same process (same ppid, not set later than the exec: its fork
 *     copy or an earlier image); otherwise, or when nothing was known,
 *     the exec's own time. So a later exec of a pid whose parent differs
 *     is taken for a new process (pid reuse, or a reparented process:
 *     the cautious side for lineage, which stops at an ancestor that
 *     began after its child). /proc entries have neither (0: unknown).
 *
 * Not handled: a fork whose record comes after events of its child's
 * child. If P's fork of C (C never execs) is still unwritten when C forks
 * D, C is unknown at that fork (D gets nothing) and D's later exec finds C
 * only if P's fork came in between. tests/data/SCENARIOS.md says how often
 * this was seen.
 *
 * Cost: O(1) expected per lookup/insert (open hash on node and pid + LRU
 * lists, one over all entries and one per node), plus the scan over the
 * nodes seen when something is evicted; one allocation per stored argv.
 * Not thread-safe.
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
#include "node_ids.h"

/* Node ids the fair share counts apart: every id node_ids.h gives. */
#define PROC_TABLE_NODES (NODE_ID_OVERFLOW + 1u)

#define PROC_TABLE_DEFAULT_ENTRIES 16384u
/* Elastic Defend itself keeps 20 KiB of argv; keep a little more. */
#define PROC_TABLE_DEFAULT_ENTRY_ARGV_BYTES (32u * 1024u)
#define PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES (32u * 1024u * 1024u)
/* The argv budget grows with the table past the default size: a fixed
 * 32 MiB held at most about 300,000 processes whatever process_table_size
 * said (tests/bench/fleet.sh). 2 KiB an entry is some twenty times a
 * typical argv with its names, so a table sized for a fleet fills by
 * entries, not bytes; the default size keeps the default budget. */
#define PROC_TABLE_ARGV_BYTES_PER_ENTRY 2048u

/* The argv budget of a table of `entries` entries: the default budget or
 * PROC_TABLE_ARGV_BYTES_PER_ENTRY an entry, whichever is more. */
static inline size_t proc_table_argv_budget(uint32_t entries)
{
	size_t b = (size_t)entries * PROC_TABLE_ARGV_BYTES_PER_ENTRY;

	return b > PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES ?
	       b : PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES;
}

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
	PROC_FROM_PROC = 1u << 1,      /* filled from /proc, not from an exec
					* (a fork copy of it keeps the bit) */
	PROC_FORKED = 1u << 2,         /* inherited through fork/clone */
	PROC_HAS_CREDS = 1u << 3,      /* ids from an exec or fork record */
};

#define PROC_TABLE_FLAGS (PROC_ARGV_TRUNCATED | PROC_FROM_PROC | \
			  PROC_FORKED | PROC_HAS_CREDS)

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
	/* Ids after the last exec or fork record of the pid (rule 8);
	 * EXEC_ID_UNSET without PROC_HAS_CREDS. Names as ENRICHED logs gave
	 * them, "" when not given. */
	uint32_t uid, euid, gid, egid;
	const char *uid_name, *euid_name, *gid_name, *egid_name;
	/* The working directory and tty (audit's tty= spelling) of the last
	 * exec, the tty refreshed by fork records (rule 8); "" when not
	 * known (/proc, a record without them). */
	const char *cwd, *tty;
	/* The record that stored this image (rule 9): 0 for /proc. */
	time_t set_sec;
	unsigned set_msec;
	unsigned long set_serial;
	/* When the process began, as far as known (rule 9); 0: unknown. */
	time_t start_sec;
	unsigned start_msec;
};

/* entries, argv_bytes and evictions are in the statistics line (table=,
 * table_bytes=, evictions=); inserts, forks, lookups, hits and late_forks
 * are for the tests, which check the table's bookkeeping with them (the
 * line counts execs, forks and /proc reads where they happen). */
struct proc_table_stats {
	uint32_t entries;
	size_t argv_bytes;
	uint64_t inserts, evictions, forks, lookups, hits;
	uint64_t late_forks; /* forks that came after the child's own exec
			      * and so changed nothing (rule 2 above) */
};

struct proc_table;

/* NULL limits: defaults. Returns NULL on allocation failure. */
struct proc_table *proc_table_new(const struct proc_table_limits *lim);
void proc_table_free(struct proc_table *t);

/* Record the image `ev` exec'd for (node, ev->pid) (replacing any previous
 * one), with its credentials, names, record and start (rules 8, 9).
 * ev->node is not read: `node` is its id. Returns 0, or -1 when memory ran
 * out (the entry is then stored without argv and marked truncated). */
int proc_table_exec(struct proc_table *t, uint32_t node,
		    const struct exec_event *ev);

/* On `node`, fe->child starts as a copy of fe->parent's entry (ppid =
 * parent), made by the fork's record (its time and serial). With
 * fe->caller, the parent's credentials and names are first refreshed
 * from it (rule 8). When the parent is unknown on that node the child's
 * pid is forgotten there (it belonged to an earlier process). Except
 * when the child's entry was set by an exec at the fork's time
 * (sec.msec) or later: that is the child's own exec, whose record came
 * first, and it stays (rule 2 above). fe->node is not read; other nodes
 * are never read or changed. Returns 0 or -1 as above. */
int proc_table_fork(struct proc_table *t, uint32_t node,
		    const struct fork_event *fe);

/* Store an entry for (node, pid) from another source (the /proc fallback):
 * exe, name and argv as given, marked PROC_FROM_PROC. */
int proc_table_put(struct proc_table *t, uint32_t node, pid_t pid, pid_t ppid,
		   const char *exe, const struct argv *argv, time_t when);

/* Look up (node, pid); fills *out and returns true when known. Marks the
 * entry as recently used. */
bool proc_table_lookup(struct proc_table *t, uint32_t node, pid_t pid,
		       struct proc_entry *out);

/* As proc_table_lookup, but changes nothing: no recency, no counters.
 * For views built for alerts, which must not change what the table later
 * evicts (and so which parents later execs find). */
bool proc_table_peek(const struct proc_table *t, uint32_t node, pid_t pid,
		     struct proc_entry *out);

/* The image ev->pid had until `ev` (not yet recorded), when that entry is
 * the same process (rule 9): its fork copy or an earlier exec. False when
 * the pid is unknown or was another process's. Changes nothing. */
bool proc_table_previous(const struct proc_table *t, uint32_t node,
			 const struct exec_event *ev, struct proc_entry *out);

void proc_table_stats(const struct proc_table *t, struct proc_table_stats *s);

/* Every entry, least recently used first, until fn returns false (the
 * state file, statefile.h). fn must not change the table. */
typedef bool (*proc_table_walk_fn)(const struct proc_entry *e, void *ctx);
void proc_table_walk(const struct proc_table *t, proc_table_walk_fn fn,
		     void *ctx);

/* Store e (a view read back from the state file: e->node, pid, ppid,
 * image, flags, ids, names, cwd, tty, record and start as they were;
 * NULL cwd and tty are "") unless
 * (e->node, e->pid) is already known: what the table has is newer.
 * Stored as the most recently used entry, so restoring in walk order
 * keeps the order. Returns 0, 1 when known already, -1 as
 * proc_table_exec. */
int proc_table_restore(struct proc_table *t, const struct proc_entry *e);

/* One node's share of the table: its entries, their blob bytes (as
 * argv_bytes above) and how many of its entries were evicted. */
struct proc_table_node_stats {
	uint32_t node;   /* its id; in `rest` below: how many nodes */
	uint32_t entries;
	size_t argv_bytes;
	uint64_t evictions;
};

void proc_table_node_stats(const struct proc_table *t, uint32_t node,
			   struct proc_table_node_stats *s);

/* The k nodes that lost most entries (then: that hold most, then: lowest
 * id) into top[], best first; returns how many (nodes without entries or
 * evictions are left out). *rest sums the other nodes. O(nodes * k). */
size_t proc_table_top_nodes(const struct proc_table *t,
			    struct proc_table_node_stats *top, size_t k,
			    struct proc_table_node_stats *rest);

#endif
