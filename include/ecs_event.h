/*
 * ecs_event.h - one exec as Elastic Defend would describe it, in the ECS
 * fields the rules read (struct eql_event).
 *
 * process.name is the basename of exe (comm when exe is absent),
 * process.args the whole argv with argv[0], process.working_directory the
 * CWD record, the process.parent.* fields the process table's entry for
 * the ppid (missing when the parent is unknown; its working directory is
 * never known from audit records), user.id the uid as a string; host.os.type,
 * event.type and event.action are "linux", "start" and "exec". An empty
 * string is a missing field, as Elasticsearch indexes none.
 *
 * Cost: pointers into the event and the table entry, no copy of argv;
 * process.command_line and process.parent.command_line (argv joined with
 * spaces) are built into the scratch buffers only when asked for.
 */
#ifndef KS_ECS_EVENT_H
#define KS_ECS_EVENT_H

#include <stdbool.h>
#include "eql.h"
#include "exec_event.h"
#include "proc_table.h"
#include "strbuf.h"

/* Buffers the description is built in, reused from event to event. */
struct ecs_scratch {
	struct strbuf cmdline, parent_cmdline;
	char uid[16];
};

void ecs_scratch_init(struct ecs_scratch *s);
void ecs_scratch_free(struct ecs_scratch *s);

/*
 * Fill *out for ev and its parent (NULL: unknown). uses: which fields the
 * loaded queries read (only the command lines depend on it); NULL builds
 * everything. *out points into ev, parent and s: valid while they are.
 */
void ecs_describe(const struct exec_event *ev, const struct proc_entry *parent,
		  const bool uses[EQL_FIELD_COUNT], struct ecs_scratch *s,
		  struct eql_event *out);

#endif
