/*
 * procfs.h - the /proc fallback for parents the process table does not
 * know (they started before the plugin, or their exec was not audited).
 *
 * Plugin mode only: in review mode pids belong to the past and /proc would
 * describe unrelated processes. Reads /proc/<pid>/cmdline (at most
 * max_bytes, split at NULs into argv) and the /proc/<pid>/exe link, and
 * stores them in the table, so each pid is read once. Racy by nature: the
 * process may have exited (then nothing is stored and the parent stays
 * unknown) or rewritten its command line.
 *
 * Cost: three system calls and one allocation per unknown parent.
 */
#ifndef KS_PROCFS_H
#define KS_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include "proc_table.h"

/* Read pid from `root` (normally "/proc") into the table, under `node`
 * (the node id of the event being processed: in plugin mode /proc is this
 * machine's, whatever node= auditd puts on its own records). True when an
 * entry was stored. */
bool procfs_fill(struct proc_table *t, const char *root, uint32_t node,
		 pid_t pid, size_t max_bytes, time_t now);

#endif
