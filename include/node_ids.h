/*
 * node_ids.h - small integer ids for the node= names of audit records, so
 * the process table (proc_table.h) can key its entries by (node, pid).
 *
 * A log collected centrally (audisp-remote, or the logs of several machines
 * read as one stream) carries `node=NAME` on every record; the same pid on
 * two nodes is two processes. Names are compared byte for byte, as the
 * event carries them (exec_event.node: at most EXEC_NODE_MAX - 1 bytes, a
 * longer name is cut, so two names that differ only beyond that share an
 * id).
 *
 * Ids: "" (no node= prefix) is NODE_ID_NONE (0); each other name gets the
 * next id, 1 to NODE_IDS_MAX, in order of first appearance, and keeps it for
 * the life of the table. Bounded: once NODE_IDS_MAX names are known, every
 * further name gets the one id NODE_ID_OVERFLOW, so the processes of all
 * those nodes share one pid space again (an exec there may be given the
 * parent of another overflowed node's process with the same pid). Each
 * lookup that returns NODE_ID_OVERFLOW is counted (stats.overflowed), and
 * the caller says so once (runtime.c, through diag.h: syslog in plugin
 * mode, stderr in review mode, and in the stats line as node_overflow=). A
 * name that cannot be stored for lack of memory is treated the same way.
 *
 * Memory: at most NODE_IDS_MAX names of at most EXEC_NODE_MAX bytes (1 MiB)
 * plus a fixed 48 KiB index. Cost: one hash of the name per lookup, none
 * when the name is the same as at the previous lookup (a stream from one
 * machine). Not thread-safe.
 */
#ifndef KS_NODE_IDS_H
#define KS_NODE_IDS_H

#include <stdint.h>

#define NODE_IDS_MAX 4096u
#define NODE_ID_NONE 0u
#define NODE_ID_OVERFLOW (NODE_IDS_MAX + 1u)

struct node_ids_stats {
	uint32_t nodes;      /* names with an id of their own (not "") */
	uint64_t overflowed; /* lookups answered with NODE_ID_OVERFLOW */
};

struct node_ids;

/* Returns NULL on allocation failure. */
struct node_ids *node_ids_new(void);
void node_ids_free(struct node_ids *n);

/* The id of `node` (NUL-terminated; NULL is ""), assigning the next one
 * the first time a name is seen. */
uint32_t node_ids_get(struct node_ids *n, const char *node);

/* The name of an id node_ids_get gave: "" for NODE_ID_NONE, NULL for
 * NODE_ID_OVERFLOW (many names) and ids never given. O(1). */
const char *node_ids_name(const struct node_ids *n, uint32_t id);

void node_ids_stats(const struct node_ids *n, struct node_ids_stats *s);

#endif
