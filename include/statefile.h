/*
 * statefile.h - the process table across restarts: written to a file when
 * the plugin stops and every state_save_interval seconds, read back when
 * it starts, so that a restarted collector still knows the parents of
 * long-running remote processes (for which it has no /proc to read).
 *
 * Format (version 1; native byte order, said in the header): a 96-byte
 * header (magic "ks-state", version, byte-order mark, header size, entry
 * count, payload size, FNV-1a 64 checksum of the header's other bytes and
 * the payload, save time, the boot id of the machine that wrote it), then
 * one record per table entry, least recently used first: node name, pid,
 * ppid, flags, the record that set the image and the process's start,
 * last seen, the four ids and their names, the working directory and the
 * terminal, exe, name and argv, each length-prefixed.
 *
 * Guarantees:
 *  - written atomically: a temporary file in the same directory (mode
 *    0600, mkstemp), fsync, rename over the old one, fsync of the
 *    directory; the directory is created 0700 when missing. A failed or
 *    interrupted save leaves the previous file whole.
 *  - never trusted blindly: a file that is not a regular file owned by
 *    this user with no group or other permission, is a symbolic link, is
 *    larger than statefile_max_bytes() for the table it is read into, is
 *    truncated, has another magic, version or byte order, a wrong
 *    checksum, or any record out of bounds (lengths, counts, unknown
 *    flags, pid <= 0, msec >= 1000, a NUL inside a name) is refused whole,
 *    with one message naming the file and the problem; nothing of it is
 *    stored. Refusing is never fatal: the plugin starts with an empty
 *    table.
 *  - never overrides what is known: an entry is stored only when its
 *    (node, pid) is unknown (proc_table_restore), in the saved order.
 *  - the caller decides per node name whether and where its entries go
 *    (statefile_node_fn): runtime.c drops this machine's own entries when
 *    the boot id changed (after a reboot its pids are other processes).
 *
 * Bounded: a file holds at most what the table holds: per entry 92 bytes
 * of fixed fields, its node name (< EXEC_NODE_MAX) and at most its blob's
 * bytes; statefile_max_bytes() is that bound for max_entries entries and
 * the table's argv budget. Reading allocates the file's size once, for
 * the length of the load.
 *
 * Cost: one pass over the table, written through a 64 KiB buffer and
 * hashed byte by byte: about 25 ms for a full default table of typical
 * argv (3 MB), about 0.1 s for one holding the whole 32 MiB argv budget
 * (BENCHMARKS.md). Not thread-safe; the table must not change meanwhile.
 */
#ifndef KS_STATEFILE_H
#define KS_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "proc_table.h"

#define STATEFILE_VERSION 1u
#define STATEFILE_HEADER_SIZE 96u
/* Fixed bytes of one record, before its strings and argument lengths. */
#define STATEFILE_RECORD_FIXED 92u
#define STATEFILE_BOOT_ID_MAX 40u

/* The node id to store a saved entry under, given its node name ("" for
 * none) and whether the file was written during this boot, or
 * UINT32_MAX to leave the entry out. */
typedef uint32_t (*statefile_node_fn)(const char *node, bool same_boot,
				      void *ctx);
/* The name of a table node id ("" for none), or NULL: not saved. */
typedef const char *(*statefile_name_fn)(uint32_t node, void *ctx);

struct statefile_result {
	uint32_t entries;    /* saved; loaded: records in the file */
	uint32_t restored;   /* loaded: stored in the table */
	uint32_t skipped;    /* loaded: known already, or left out */
	uint64_t bytes;      /* the file's size */
	time_t saved_at;     /* loaded: when it was written (wall clock) */
	bool same_boot;      /* loaded: written during this boot */
};

/* The largest file a table of max_entries entries and total_argv_bytes
 * of argv budget can give. */
uint64_t statefile_max_bytes(uint32_t max_entries, size_t total_argv_bytes);

/*
 * Write every entry of t to `path` atomically. boot_id: this boot's id
 * (may be ""). Returns 0, or -1 with the problem in err ("PATH: ...").
 */
int statefile_save(const char *path, const struct proc_table *t,
		   statefile_name_fn name_of, void *ctx, const char *boot_id,
		   struct statefile_result *res, char *err, size_t errlen);

/*
 * Read `path` into t (see above). boot_id: this boot's id ("" never
 * matches); node_of is asked only after the whole file was checked.
 * max_bytes: refuse
 * larger files. Returns 0, 1 when the file does not exist (nothing to
 * say), or -1 with the problem in err ("PATH: ..."), the table then
 * untouched.
 */
int statefile_load(const char *path, struct proc_table *t,
		   statefile_node_fn node_of, void *ctx, const char *boot_id,
		   uint64_t max_bytes, struct statefile_result *res,
		   char *err, size_t errlen);

#endif
