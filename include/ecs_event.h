/*
 * ecs_event.h - one exec as Elastic Defend would describe it: the table of
 * ECS fields that the rules (EQL) read and that both alert formats write.
 *
 * Each field is one row of ecs_fields[] (plugin/ecs_event.c): its name (as
 * EQL queries and the JSON alert spell it), its type, the function that
 * fills it from the exec and its parent, and how the alerts show it (its
 * key and place in the text alert, whether the JSON alert has it, which
 * argv it is cut with, when a JSON alert over its size drops it). EQL's
 * field lookup, ecs_describe and alert.c's two renderers all walk that
 * table, so a new field is one row and its fill function.
 *
 * Semantics: process.name is the basename of exe (comm when exe is absent),
 * process.args the whole argv with argv[0], process.working_directory the
 * CWD record, the process.parent.* fields the process table's entry for the
 * ppid (missing when the parent is unknown; its working directory is never
 * known from audit records; its user and group fields are the ids of its
 * last exec or fork record, proc_table.h rule 8, missing for an entry
 * read from /proc), user.id the effective uid (euid) as a
 * string, as Elastic Defend has it, and user.Ext.real.id the real uid
 * ("unset" for audit's unset id, as Auditbeat writes it), group.* and
 * group.Ext.real.* the same for egid and gid, process.user, real_user,
 * group and real_group the same values again under Defend's process
 * names, user.audit.* the login uid (auid); names come from the event's
 * ENRICHED text, else from src->names when given (looked up only when a
 * name field is filled: for an alert, or a rule that reads it);
 * process.interactive is whether the exec has a
 * controlling tty (true or false; missing without tty=) and
 * process.tty.char_device its numbers when the tty's name gives them;
 * process.entry_leader.* what the session table says of the exec's
 * login session (entry_meta.type alone, "init", outside any session;
 * nothing when the session is not known; start and user only when the
 * leader's exec was seen); host.os.type,
 * event.type and event.action are "linux", "start" and "exec". An empty
 * string is a missing field, as Elasticsearch indexes none.
 *
 * Lineage and timeline (lineage.h): process.entity_id and
 * process.parent.entity_id, process.previous (the image before this
 * exec), process.Ext.ancestry (entity ids, Defend's), and, outside ECS and
 * Defend, auditd.ancestors and auditd.timeline: lists of objects, which
 * the alerts write whole and rules read through the string arrays beside
 * them (auditd.ancestors.executable, auditd.ancestors.args,
 * auditd.timeline.args, process.previous.executable/args), as
 * Elasticsearch flattens an array of objects. The one custom namespace is
 * auditd.*: Auditbeat's names where Auditbeat has the field (sequence,
 * session, node, data.tty, data.key), the plugin's own otherwise.
 *
 * Cost: ecs_describe fills only the fields asked for, with pointers into
 * the event and the table entry (no copy of argv); the command lines (argv
 * joined with spaces) are built into the scratch buffers only when asked
 * for. Memory: struct eql_event is EQL_FIELDS_MAX values (a few KiB, on the
 * stack or reused).
 */
#ifndef KS_ECS_EVENT_H
#define KS_ECS_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include "eql.h"
#include "exec_event.h"
#include "proc_table.h"
#include "session.h"
#include "strbuf.h"

/* How a name the event lacks is looked up (runtime.c: names.h, for this
 * machine's events only); true with the name in out. */
struct ecs_names {
	bool (*lookup)(void *ctx, bool group, uint32_t id, char *out,
		       size_t cap);
	void *ctx;
};

struct lineage;

/* What a field is filled from. */
struct ecs_source {
	const struct exec_event *ev;
	const struct proc_entry *parent; /* NULL when the parent is unknown */
	const char *host;                /* host.name for events without node= */
	const struct session_view *session; /* its login session (session.h);
					     * NULL: nothing known */
	const struct ecs_names *names;   /* NULL: names only from the event */
	struct lineage *lineage;         /* built on first use (lineage.h);
					  * NULL: no lineage, no timeline */
};

/* Buffers the description is built in, reused from event to event. */
struct ecs_scratch {
	struct strbuf cmdline, parent_cmdline;
	char uid[16], euid[16], gid[16], egid[16], auid[16], ses[16];
	char leader_euid[16], leader_start[64];
	char names[10][EXEC_NAME_MAX];   /* looked-up names, one per id */
	char parent_ids[4][16];          /* euid, egid, uid, gid */
};

enum ecs_field_flags {
	ECS_JSON = 1u << 0,          /* the JSON alert has it, under its name */
	ECS_OF_PARENT = 1u << 1,     /* describes the parent: missing when the
				      * parent is unknown, and the text alert
				      * says parent=unknown instead */
	ECS_TEXT_BARE = 1u << 2,     /* text: unquoted (only for values the
				      * plugin writes itself: ids) */
	ECS_TEXT_OMIT_MISSING = 1u << 3, /* text: left out when missing
					  * (otherwise "" or unset) */
	ECS_CONSTANT = 1u << 4,      /* the same value for every exec: its
				      * fill reads neither source nor
				      * scratch (called with NULLs) */
	/* The parts of the exec its fill reads beyond those always read
	 * (enum exec_needs): the event assembly reads them only when a
	 * field in use has the flag (ecs_needs). */
	ECS_NEEDS_SAVED_IDS = 1u << 5, /* suid, fsuid, sgid, fsgid */
	ECS_NEEDS_NAMES = 1u << 6,   /* uid_name ... auid_name */
};

/* What the alerts write for a row besides its value: the argv it is cut
 * with, or one of the lists of the lineage (lineage.h), which the alert
 * writes from the lineage itself under its plan (alert.h). */
enum ecs_list {
	ECS_LIST_NONE = -1,
	ECS_LIST_ARGS = 0,           /* the exec's argv */
	ECS_LIST_PARENT_ARGS = 1,    /* the parent's argv */
	ECS_LIST_PREVIOUS = 2,       /* [{executable, args}] */
	ECS_LIST_ANCESTRY = 3,       /* entity ids, as far as shown */
	ECS_LIST_ANCESTORS = 4,      /* [{pid, executable, args}] */
	ECS_LIST_TIMELINE = 5,       /* [{@timestamp, pid, ppid, args}] */
	ECS_LIST_DROPPED = 6,        /* what the size limit left out */
};

typedef void (*ecs_fill_fn)(const struct ecs_source *src,
			    struct ecs_scratch *s, struct eql_value *out);

struct ecs_field {
	const char *name;     /* "process.parent.args" */
	enum eql_type type;
	ecs_fill_fn fill;
	const char *text;     /* key in the text alert; NULL: not shown */
	uint8_t text_pos;     /* place in the text alert, ascending */
	uint8_t drop;         /* a JSON alert over its size drops the field
			       * at this rank (1 first); 0: never */
	int8_t list;          /* enum ecs_list: the argv an alert cuts it
			       * with (a string with one is that argv
			       * joined by spaces), or the lineage list it
			       * writes */
	uint8_t flags;        /* enum ecs_field_flags */
};

/* The table, in the JSON alert's order (fields grouped by object). */
extern const struct ecs_field ecs_fields[];
extern const unsigned ecs_nfields;

/* The row index of a field name (case-sensitive, as ECS mappings are), or
 * -1 when there is no such field. */
int ecs_field_find(const char *name, size_t len);

/*
 * Fields that ECS (and Elastic Defend) has but that audit records never
 * carry: a query may read them, and they read as null. Returns why they
 * are never there ("audit records do not carry the environment"), or NULL
 * for a name that is not one of them. A row of ecs_fields wins over this
 * list: a field that gets a row stops being absent.
 */
const char *ecs_absent_reason(const char *name, size_t len);

/* The parts of an exec (enum exec_needs) that the fields some enabled
 * query reads (uses[i], as in struct ruleset) or that an alert shows
 * (text or JSON) need: what the event assembly must read. */
unsigned ecs_needs(const bool *uses);

/* Row indexes in the text alert's order (text_pos ascending), only the
 * rows the text alert shows; *n is set to their number. */
const uint8_t *ecs_text_order(unsigned *n);

void ecs_scratch_init(struct ecs_scratch *s);
void ecs_scratch_free(struct ecs_scratch *s);

/*
 * Fill out->f[i] for every field i with uses[i] (uses NULL: every field);
 * other fields are left as they are. *out then points into src's event and
 * parent entry and into s: valid while they are.
 */
void ecs_describe(const struct ecs_source *src,
		  const bool uses[EQL_FIELDS_MAX], struct ecs_scratch *s,
		  struct eql_event *out);

#endif
