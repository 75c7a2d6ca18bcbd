/*
 * lineage.h - an exec's context beyond itself and its parent's entry: the
 * entity ids, the image the process had before this exec, the ancestors
 * past the parent and the session's timeline. The alert writes them as
 * process.entity_id, process.parent.entity_id, process.previous,
 * process.Ext.ancestry, auditd.ancestors and auditd.timeline; the rules
 * read the scalars and string arrays among them (ecs_event.h).
 *
 * Built lazily: lineage_begin() only says which exec; each part is built
 * the first time a getter asks for it, from the process table (never
 * changed: no recency, no counters, so an alert never changes which
 * parents later execs find) and the timeline store. So an exec that no
 * rule asks about and that raises no alert costs nothing here. The views
 * point into the table and the store: valid until either changes (the
 * runtime records the exec in both after its alerts).
 *
 * Entity ids (process.entity_id "to mitigate PID reuse", ECS): base64 of
 *     "<host>|<pid>|<sec>.<msec>|<serial>"
 * taken from the audit record that made the image: the exec, or for an
 * image only inherited through fork the fork's record. <host> is the
 * event's node= name, or host.name when it has none (what the alert
 * says). Deterministic and taken from records only, so the same exec has
 * the same id in review and plugin mode and after a plugin restart; it
 * decodes to something `ausearch -a <serial>` finds. A new exec is a new
 * id, as in Elastic Defend. An image read from /proc (the parent
 * fallback) has no record and so no id: it is left out rather than
 * invented.
 *
 * The image before this exec (process.previous) is the pid's entry when
 * it is the same process (proc_table.h rule 9): the copy it got at fork,
 * or its previous exec. Only the last one is known. Like the parent, it
 * is what the records handed on before the exec say: a fork record
 * written after its child's exec (proc_table.h rule 2) comes too late for
 * it, and in a capture of interleaved events whether auparse hands such a
 * fork on before the exec can depend on how the input was chunked.
 *
 * Ancestors past the parent: the parent's ppid's entry, its ppid's, ... up
 * to `depth`, nearest first. The walk stops at an unknown pid, at a pid
 * already on the path (a loop, possible with pid reuse), and at an entry
 * that began after its child (proc_table.h rule 9: its pid was reused
 * after the real ancestor exited; a stranger is never shown). pid 1 ends
 * it naturally (ppid 0). process.Ext.ancestry (Defend's list of entity
 * ids) holds the ids of the image before this exec, the parent and the
 * ancestors, in that order, as far as each has one; so past the parent
 * (and the previous image when it has an id), Ext.ancestry[i] is the id
 * of auditd.ancestors[i]. The walk makes no cap of its own on argv:
 * alerts cut each ancestor's to `argv_bytes` (alert.h); rules see the
 * flattened arrays cut at LINEAGE_EQL_MAX_ARGS elements.
 *
 * Timeline: the last `timeline` execs of the exec's (node, ses) before it
 * (timeline.h); none when the session is unset (an exec outside any login
 * session: the state says so) or the timeline is off.
 *
 * Cost: lineage_begin O(1); the walk O(depth) table probes; an entity id
 * one snprintf and a base64 pass. Memory: struct lineage is about 20 KiB
 * (ids in place), plus the flattened arrays when a rule reads them
 * (LINEAGE_EQL_MAX_ARGS * 16 bytes each) and the timeline's argument
 * vectors (timeline_arena_size), allocated once and reused.
 */
#ifndef KS_LINEAGE_H
#define KS_LINEAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include "argv.h"
#include "exec_event.h"
#include "proc_table.h"
#include "timeline.h"

#define LINEAGE_MAX_DEPTH 32u
#define LINEAGE_DEFAULT_DEPTH 8u
#define LINEAGE_DEFAULT_ARGV_BYTES 512u
/* host (< 256) | pid | sec.msec | serial, base64: 4 * ceil(313 / 3) + 1 */
#define LINEAGE_ID_MAX 424u
/* Elements of a flattened array a rule can read (ancestors' or the
 * timeline's arguments); past it the array is cut. */
#define LINEAGE_EQL_MAX_ARGS 8192u

struct lineage_settings {
	unsigned depth;           /* ancestors past the parent, 0: none */
	unsigned timeline;        /* execs of the session shown, 0: none */
	size_t argv_bytes;        /* escaped argv bytes an alert shows per
				   * ancestor and for the previous image */
};

/* The image before this exec, or an ancestor. */
struct lineage_image {
	pid_t pid, ppid;
	const char *exe, *name;
	struct argv argv;
	const char *entity_id;    /* NULL: none (read from /proc) */
};

enum lineage_timeline_state {
	LINEAGE_TIMELINE_OFF = 0,    /* timeline = 0, or no store */
	LINEAGE_TIMELINE_NO_SESSION, /* ses unset: no session, no timeline */
	LINEAGE_TIMELINE_SESSION,    /* the session's execs (maybe none) */
};

/* Parts built (lineage.built). */
enum lineage_parts {
	LINEAGE_IDS = 1u << 0,       /* self and parent entity ids */
	LINEAGE_PREVIOUS = 1u << 1,
	LINEAGE_ANCESTORS = 1u << 2, /* and the ancestry ids */
	LINEAGE_TIMELINE = 1u << 3,
	LINEAGE_FLAT_EXES = 1u << 4,
	LINEAGE_FLAT_ARGS = 1u << 5,
	LINEAGE_FLAT_TIMELINE = 1u << 6,
	LINEAGE_ALL = (1u << 7) - 1,
};

/*
 * The inputs are set by lineage_begin; the views by the getters. Tests
 * may fill the views themselves and set `built` (and then need no table
 * or store).
 */
struct lineage {
	/* inputs */
	const struct proc_table *procs;
	const struct timeline *tl;
	uint32_t node;
	struct lineage_settings set;
	const struct exec_event *ev;
	const struct proc_entry *parent; /* NULL: unknown */
	const char *host;
	unsigned built;                  /* enum lineage_parts */

	/* views */
	char self_id[LINEAGE_ID_MAX];
	char parent_id[LINEAGE_ID_MAX];  /* "" when none */
	bool has_previous;
	struct lineage_image previous;
	char previous_id[LINEAGE_ID_MAX];
	unsigned nanc;
	struct lineage_image anc[LINEAGE_MAX_DEPTH];
	char anc_id[LINEAGE_MAX_DEPTH][LINEAGE_ID_MAX];
	struct argv ancestry;            /* entity ids (Ext.ancestry) */
	struct argv_arg ancestry_v[LINEAGE_MAX_DEPTH + 2];
	enum lineage_timeline_state tl_state;
	unsigned ntl;                    /* entries, oldest first */
	struct timeline_entry tl_e[TIMELINE_MAX_SIZE];
	struct argv_arg *tl_arena;
	size_t tl_arena_n;
	/* flattened for rules */
	struct argv anc_exes;
	struct argv_arg anc_exes_v[LINEAGE_MAX_DEPTH];
	struct argv anc_args, tl_args;
	struct argv_arg *anc_args_v, *tl_args_v; /* LINEAGE_EQL_MAX_ARGS */
};

void lineage_init(struct lineage *l);
void lineage_free(struct lineage *l);

/* Describe `ev` (not yet recorded in procs nor tl) with its parent's
 * entry; procs or tl may be NULL. Strings must outlive the views. */
void lineage_begin(struct lineage *l, const struct proc_table *procs,
		   const struct timeline *tl, uint32_t node,
		   const struct lineage_settings *set,
		   const struct exec_event *ev,
		   const struct proc_entry *parent, const char *host);

/* The exec's entity id (never empty). */
const char *lineage_self_id(struct lineage *l);
/* The parent entry's, or NULL (unknown parent, or read from /proc). */
const char *lineage_parent_id(struct lineage *l);
/* The image before this exec, or NULL. */
const struct lineage_image *lineage_previous(struct lineage *l);
/* The ancestors past the parent, nearest first; *out gets the array. */
unsigned lineage_ancestors(struct lineage *l,
			   const struct lineage_image **out);
/* Entity ids: previous, parent, ancestors (see above). */
const struct argv *lineage_ancestry(struct lineage *l);
/* The session's execs before this one, oldest first. */
unsigned lineage_timeline(struct lineage *l,
			  const struct timeline_entry **out,
			  enum lineage_timeline_state *state);
/* For rules: the ancestors' executables, their arguments and the
 * timeline's arguments, each flattened into one array. */
const struct argv *lineage_ancestor_exes(struct lineage *l);
const struct argv *lineage_ancestor_args(struct lineage *l);
const struct argv *lineage_timeline_args(struct lineage *l);

/* The entity id derivation above, into buf (LINEAGE_ID_MAX bytes). */
void lineage_entity_id(char *buf, size_t cap, const char *host, pid_t pid,
		       time_t sec, unsigned msec, unsigned long serial);

#endif
