/*
 * ecs_event.c - the ECS fields of an exec: the table and how each field is
 * filled (ecs_event.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ecs_event.h"
#include "lineage.h"

/* ---- values ------------------------------------------------------------- */

static void set_str(struct eql_value *v, const char *s, size_t n)
{
	v->kind = n ? EQL_STRING : EQL_MISSING;
	v->s = s;
	v->n = n;
}

static void set_cstr(struct eql_value *v, const char *s)
{
	set_str(v, s, s ? strlen(s) : 0);
}

static void set_num(struct eql_value *v, int64_t num)
{
	v->kind = EQL_NUMBER;
	v->num = num;
}

static void set_args(struct eql_value *v, const struct argv *av)
{
	v->kind = EQL_ARRAY;
	v->arr = av;
}

static void set_flag(struct eql_value *v, bool on)
{
	v->kind = on ? EQL_BOOL : EQL_MISSING;
	v->num = on;
}

/* A boolean that is written either way (process.interactive). */
static void set_bool(struct eql_value *v, bool b)
{
	v->kind = EQL_BOOL;
	v->num = b;
}

static void set_missing(struct eql_value *v)
{
	v->kind = EQL_MISSING;
}

/* An audit id as ECS writes it: decimal, or "unset" (Auditbeat's word). */
/* Written by hand: four ids are formatted for every exec whose rules read
 * them, and snprintf was most of what an exec cost the rule set. */
static void set_id(struct eql_value *v, char *buf, size_t cap, uint32_t id)
{
	char tmp[10];
	size_t n = 0, i;

	if (id == EXEC_ID_UNSET || cap < sizeof(tmp) + 1) {
		set_str(v, "unset", id == EXEC_ID_UNSET ? 5 : 0);
		return;
	}
	do {
		tmp[n++] = (char)('0' + id % 10);
		id /= 10;
	} while (id);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	set_str(v, buf, n);
}

static void join_args(struct strbuf *sb, const struct argv *av)
{
	uint32_t i;

	sb_reset(sb);
	for (i = 0; i < av->argc; i++) {
		if (i)
			sb_addc(sb, ' ');
		sb_add(sb, av->v[i].ptr, av->v[i].len);
	}
}

/* ---- fill functions, one per field --------------------------------------- */

#define FILL(fn) \
	static void fn(const struct ecs_source *src, struct ecs_scratch *s, \
		       struct eql_value *v)

FILL(fill_host_name)
{
	(void)s;
	set_cstr(v, src->ev->node[0] ? src->ev->node : src->host);
}

FILL(fill_host_os_type)
{
	(void)src;
	(void)s;
	set_str(v, "linux", 5);
}

FILL(fill_event_type)
{
	(void)src;
	(void)s;
	set_str(v, "start", 5);
}

FILL(fill_event_action)
{
	(void)src;
	(void)s;
	set_str(v, "exec", 4);
}

FILL(fill_pid)
{
	(void)s;
	set_num(v, src->ev->pid);
}

FILL(fill_name)
{
	const struct exec_event *ev = src->ev;

	(void)s;
	set_str(v, ev->name, ev->name ? strnlen(ev->name, ev->name_len) : 0);
}

FILL(fill_executable)
{
	(void)s;
	set_cstr(v, src->ev->exe);
}

FILL(fill_args)
{
	(void)s;
	set_args(v, src->ev->argv);
}

FILL(fill_args_count)
{
	(void)s;
	set_num(v, src->ev->argv->argc);
}

FILL(fill_command_line)
{
	join_args(&s->cmdline, src->ev->argv);
	set_str(v, s->cmdline.buf, s->cmdline.len);
}

FILL(fill_working_directory)
{
	(void)s;
	set_cstr(v, src->ev->cwd);
}

FILL(fill_args_truncated)
{
	(void)s;
	set_flag(v, src->ev->argv->flags & ARGV_TRUNCATED);
}

/* The ppid is the exec's own field: known even when its entry is not. */
FILL(fill_parent_pid)
{
	(void)s;
	if (src->ev->ppid >= 0)
		set_num(v, src->ev->ppid);
	else
		set_missing(v);
}

FILL(fill_parent_name)
{
	(void)s;
	set_cstr(v, src->parent->name);
}

FILL(fill_parent_executable)
{
	(void)s;
	set_cstr(v, src->parent->exe);
}

FILL(fill_parent_args)
{
	(void)s;
	set_args(v, &src->parent->argv);
}

FILL(fill_parent_args_count)
{
	(void)s;
	set_num(v, src->parent->argv.argc);
}

FILL(fill_parent_command_line)
{
	join_args(&s->parent_cmdline, &src->parent->argv);
	set_str(v, s->parent_cmdline.buf, s->parent_cmdline.len);
}

/* The parent's as its last exec's CWD record gave it: a process that
 * changed directory since is not seen (no record), and an entry read
 * from /proc has none. */
FILL(fill_parent_working_directory)
{
	(void)s;
	/* NULL in an entry not made by the table (tests, views) */
	if (src->parent->cwd && src->parent->cwd[0])
		set_cstr(v, src->parent->cwd);
	else
		set_missing(v);
}

FILL(fill_parent_args_truncated)
{
	(void)s;
	set_flag(v, src->parent->flags & PROC_ARGV_TRUNCATED);
}

/* The parent entry's ids (proc_table.h rule 8): missing for an entry
 * that no record described (read from /proc). */
static void set_parent_id(const struct ecs_source *src, struct eql_value *v,
			  char *buf, size_t cap, uint32_t id)
{
	if (src->parent->flags & PROC_HAS_CREDS)
		set_id(v, buf, cap, id);
	else
		set_missing(v);
}

FILL(fill_parent_user_id)
{
	set_parent_id(src, v, s->parent_ids[0], sizeof(s->parent_ids[0]),
		      src->parent->euid);
}

FILL(fill_parent_group_id)
{
	set_parent_id(src, v, s->parent_ids[1], sizeof(s->parent_ids[1]),
		      src->parent->egid);
}

FILL(fill_parent_real_user_id)
{
	set_parent_id(src, v, s->parent_ids[2], sizeof(s->parent_ids[2]),
		      src->parent->uid);
}

FILL(fill_parent_real_group_id)
{
	set_parent_id(src, v, s->parent_ids[3], sizeof(s->parent_ids[3]),
		      src->parent->gid);
}

/* ---- lineage (lineage.h): built on first use --------------------------- */

FILL(fill_entity_id)
{
	(void)s;
	if (src->lineage)
		set_cstr(v, lineage_self_id(src->lineage));
	else
		set_missing(v);
}

FILL(fill_parent_entity_id)
{
	(void)s;
	if (src->lineage)
		set_cstr(v, lineage_parent_id(src->lineage));
	else
		set_missing(v);
}

FILL(fill_previous_executable)
{
	const struct lineage_image *p =
		src->lineage ? lineage_previous(src->lineage) : NULL;

	(void)s;
	if (p)
		set_cstr(v, p->exe);
	else
		set_missing(v);
}

FILL(fill_previous_args)
{
	const struct lineage_image *p =
		src->lineage ? lineage_previous(src->lineage) : NULL;

	(void)s;
	if (p)
		set_args(v, &p->argv);
	else
		set_missing(v);
}

FILL(fill_ancestry)
{
	(void)s;
	if (src->lineage)
		set_args(v, lineage_ancestry(src->lineage));
	else
		set_missing(v);
}

FILL(fill_ancestors_executable)
{
	(void)s;
	if (src->lineage)
		set_args(v, lineage_ancestor_exes(src->lineage));
	else
		set_missing(v);
}

FILL(fill_ancestors_args)
{
	(void)s;
	if (src->lineage)
		set_args(v, lineage_ancestor_args(src->lineage));
	else
		set_missing(v);
}

FILL(fill_timeline_args)
{
	(void)s;
	if (src->lineage)
		set_args(v, lineage_timeline_args(src->lineage));
	else
		set_missing(v);
}

/* A list of objects: the alerts write it from the lineage; rules cannot
 * compare it (eql.c). */
FILL(fill_objects)
{
	(void)src;
	(void)s;
	set_missing(v);
}

/* Defend's user is the effective one (euid): what the process may do.
 * The real uid (who started it) is user.Ext.real.id. */
FILL(fill_user_id)
{
	set_id(v, s->euid, sizeof(s->euid), src->ev->euid);
}

FILL(fill_user_real_id)
{
	set_id(v, s->uid, sizeof(s->uid), src->ev->uid);
}

FILL(fill_group_id)
{
	set_id(v, s->egid, sizeof(s->egid), src->ev->egid);
}

FILL(fill_group_real_id)
{
	set_id(v, s->gid, sizeof(s->gid), src->ev->gid);
}

/*
 * Names as auditd resolved them on the audited machine when the event
 * happened (log_format = ENRICHED); for an event without them, this
 * machine's name of the id when the caller allows it (src->names), into
 * the id's own scratch slot; missing otherwise.
 */
enum { NM_EUID, NM_UID, NM_EGID, NM_GID, NM_AUID, NM_LEADER, NM_PEUID, NM_PUID,
       NM_PEGID, NM_PGID };

static void set_name(const struct ecs_source *src, struct ecs_scratch *s,
		     struct eql_value *v, const char *enriched, bool group,
		     uint32_t id, int slot)
{
	char *buf = s->names[slot];

	if (enriched && enriched[0])
		set_cstr(v, enriched);
	else if (src->names && id != EXEC_ID_UNSET &&
		 src->names->lookup(src->names->ctx, group, id, buf,
				    sizeof(s->names[slot])))
		set_cstr(v, buf);
	else
		set_missing(v);
}

FILL(fill_user_name)
{
	set_name(src, s, v, src->ev->euid_name, false, src->ev->euid, NM_EUID);
}

FILL(fill_user_real_name)
{
	set_name(src, s, v, src->ev->uid_name, false, src->ev->uid, NM_UID);
}

FILL(fill_group_name)
{
	set_name(src, s, v, src->ev->egid_name, true, src->ev->egid, NM_EGID);
}

FILL(fill_group_real_name)
{
	set_name(src, s, v, src->ev->gid_name, true, src->ev->gid, NM_GID);
}

/* The parent's names: its records', else looked up as the exec's are,
 * for an entry whose ids are known. */
static void set_parent_name(const struct ecs_source *src,
			    struct ecs_scratch *s, struct eql_value *v,
			    const char *stored, bool group, uint32_t id,
			    int slot)
{
	if (src->parent->flags & PROC_HAS_CREDS)
		set_name(src, s, v, stored, group, id, slot);
	else
		set_missing(v);
}

FILL(fill_parent_user_name)
{
	set_parent_name(src, s, v, src->parent->euid_name, false,
			src->parent->euid, NM_PEUID);
}

FILL(fill_parent_group_name)
{
	set_parent_name(src, s, v, src->parent->egid_name, true,
			src->parent->egid, NM_PEGID);
}

FILL(fill_parent_real_user_name)
{
	set_parent_name(src, s, v, src->parent->uid_name, false,
			src->parent->uid, NM_PUID);
}

FILL(fill_parent_real_group_name)
{
	set_parent_name(src, s, v, src->parent->gid_name, true,
			src->parent->gid, NM_PGID);
}

FILL(fill_audit_user_name)
{
	set_name(src, s, v, src->ev->auid_name, false, src->ev->auid,
		 NM_AUID);
}

FILL(fill_audit_user_id)
{
	set_id(v, s->auid, sizeof(s->auid), src->ev->auid);
}

FILL(fill_session)
{
	set_id(v, s->ses, sizeof(s->ses), src->ev->ses);
}

FILL(fill_sequence)
{
	(void)s;
	set_num(v, (int64_t)src->ev->serial);
}

FILL(fill_node)
{
	(void)s;
	set_cstr(v, src->ev->node);
}

FILL(fill_tty)
{
	(void)s;
	set_cstr(v, src->ev->tty);
}

/* The SYSCALL's tty= is the controlling terminal's kernel name, or
 * "(none)". ECS's process.interactive means "stdin and stderr are the
 * controlling tty", which audit does not record: having a controlling
 * tty is the nearest fact (beats' audit enrichment reads it the same
 * way). It says yes for a process of a terminal session whose output
 * is redirected. */
static void set_interactive(struct eql_value *v, const char *t)
{
	if (!t || !t[0])
		set_missing(v);
	else
		set_bool(v, strcmp(t, "(none)") != 0);
}

FILL(fill_interactive)
{
	(void)s;
	set_interactive(v, src->ev->tty);
}

/* The parent's tty as its last exec or fork record gave it. */
FILL(fill_parent_interactive)
{
	(void)s;
	set_interactive(v, src->parent->tty);
}

/* Strict decimal of at most 7 digits, the whole of s. */
static bool small_dec(const char *s, long *out)
{
	long n = 0;
	int i;

	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i == 7)
			return false;
		n = n * 10 + (s[i] - '0');
	}
	*out = n;
	return i > 0 && (s[0] != '0' || i == 1);
}

/*
 * The device numbers of a controlling tty from its kernel name, by the
 * kernel's fixed allocation (Documentation/admin-guide/devices.txt and
 * drivers/tty/pty.c): ttyN the virtual consoles 4:N (N < 64), ttySN the
 * 8250 serial ports 4:(64+N), ptsN the Unix98 pseudo-terminals 136:N
 * (minors are 20 bits: /dev/pts/299 is 136:299), console 5:1. Other
 * drivers (hvc0, ttyUSB0, ttyAMA0) have numbers of their own: false.
 */
static bool tty_device(const char *t, long *major, long *minor)
{
	long n;

	if (strcmp(t, "console") == 0) {
		*major = 5;
		*minor = 1;
		return true;
	}
	if (strncmp(t, "pts", 3) == 0 && small_dec(t + 3, &n) &&
	    n < (1L << 20)) {
		*major = 136;
		*minor = n;
		return true;
	}
	if (strncmp(t, "ttyS", 4) == 0 && small_dec(t + 4, &n) && n < 192) {
		*major = 4;
		*minor = 64 + n;
		return true;
	}
	if (strncmp(t, "tty", 3) == 0 && small_dec(t + 3, &n) && n < 64) {
		*major = 4;
		*minor = n;
		return true;
	}
	return false;
}

FILL(fill_tty_major)
{
	long major, minor;

	(void)s;
	if (tty_device(src->ev->tty, &major, &minor))
		set_num(v, major);
	else
		set_missing(v);
}

FILL(fill_tty_minor)
{
	long major, minor;

	(void)s;
	if (tty_device(src->ev->tty, &major, &minor))
		set_num(v, minor);
	else
		set_missing(v);
}

/* ---- the entry leader (session.h) ---- */

static const struct session_view *session_of(const struct ecs_source *src)
{
	const struct session_view *v = src->session;

	return v && v->type != ENTRY_NONE ? v : NULL;
}

FILL(fill_entry_type)
{
	const struct session_view *l = session_of(src);

	(void)s;
	set_cstr(v, l ? entry_type_name(l->type) : NULL);
}

FILL(fill_entry_ip)
{
	const struct session_view *l = session_of(src);

	(void)s;
	set_cstr(v, l ? l->source_ip : NULL);
}

FILL(fill_entry_pid)
{
	const struct session_view *l = session_of(src);

	(void)s;
	if (l && l->pid > 0)
		set_num(v, l->pid);
	else
		set_missing(v);
}

FILL(fill_entry_executable)
{
	const struct session_view *l = session_of(src);

	(void)s;
	set_cstr(v, l ? l->exe : NULL);
}

FILL(fill_entry_name)
{
	const struct session_view *l = session_of(src);

	(void)s;
	set_cstr(v, l ? l->name : NULL);
}

/* When the leader exec'd, as @timestamp is written. */
FILL(fill_entry_start)
{
	const struct session_view *l = session_of(src);
	struct tm tm;
	time_t t;

	if (!l || !l->have_exec) {
		set_missing(v);
		return;
	}
	t = l->sec;
	if (!gmtime_r(&t, &tm)) {
		set_missing(v);
		return;
	}
	snprintf(s->leader_start, sizeof(s->leader_start),
		 "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 l->msec > 999 ? 999 : l->msec);
	set_cstr(v, s->leader_start);
}

/* Its effective user at that exec, as user.id. */
FILL(fill_entry_user_id)
{
	const struct session_view *l = session_of(src);

	if (l && l->have_exec)
		set_id(v, s->leader_euid, sizeof(s->leader_euid), l->euid);
	else
		set_missing(v);
}

FILL(fill_entry_user_name)
{
	const struct session_view *l = session_of(src);

	if (l && l->have_exec)
		set_name(src, s, v, l->euid_name, false, l->euid, NM_LEADER);
	else
		set_missing(v);
}

FILL(fill_key)
{
	(void)s;
	set_cstr(v, src->ev->key);
}

/* ---- the table ------------------------------------------------------------ */

#define STR EQL_T_STRING
#define NUM EQL_T_NUMBER
#define ARR EQL_T_ARRAY
#define BOOL EQL_T_BOOL
#define OBJS EQL_T_OBJECTS
#define J ECS_JSON
#define P ECS_OF_PARENT
#define BARE ECS_TEXT_BARE
#define OMIT ECS_TEXT_OMIT_MISSING
#define K ECS_CONSTANT
#define NAMES ECS_NEEDS_NAMES
#define LPREV ECS_LIST_PREVIOUS
#define LIDS ECS_LIST_ANCESTRY
#define LANC ECS_LIST_ANCESTORS
#define LTL ECS_LIST_TIMELINE
#define LDROP ECS_LIST_DROPPED

/*
 * In the JSON alert's order: a field comes right after the others of its
 * object (process.args_truncated after the process.parent.* object is
 * still inside process). The text alert orders by text_pos: who and where
 * first, then what ran, then the parent, then the lineage; of the
 * identities it shows the ids and the user names, ids as audit spells them
 * (uid= the real one, euid= the effective one). Fields outside ECS and
 * Defend take Auditbeat's names (auditd.*, user.audit.*), and the plugin's
 * own are under auditd. too; process.Ext.* is Defend's. A lineage list row
 * (LPREV ... LDROP) is written by alert.c from the lineage; the string
 * arrays beside it are for rules only.
 *
 *  name                          type fill                         text             pos drop list flags
 */
const struct ecs_field ecs_fields[] = {
	{ "host.name",                  STR, fill_host_name,          NULL,              0,  0, -1, J },
	{ "host.os.type",               STR, fill_host_os_type,       NULL,              0,  0, -1, K },
	{ "event.type",                 STR, fill_event_type,         NULL,              0,  0, -1, K },
	{ "event.action",               STR, fill_event_action,       NULL,              0,  0, -1, K },
	{ "process.pid",                NUM, fill_pid,                "pid",            20,  0, -1, J },
	{ "process.entity_id",          STR, fill_entity_id,          "entity_id",      22,  2, -1, J | OMIT },
	{ "process.name",               STR, fill_name,               "name",           80,  0, -1, J },
	{ "process.executable",         STR, fill_executable,         "exe",            90,  3, -1, J },
	{ "process.args",               ARR, fill_args,               "args",          120,  0,  0, J },
	{ "process.args_count",         NUM, fill_args_count,         NULL,              0,  0, -1, J },
	/* repeats args: the first thing a JSON alert over its size drops */
	{ "process.command_line",       STR, fill_command_line,       NULL,              0,  1,  0, J },
	{ "process.working_directory",  STR, fill_working_directory,  "cwd",           100,  2, -1, J },
	{ "process.previous",           OBJS, fill_objects,           "previous",      135,  2, LPREV, J },
	{ "process.previous.executable", STR, fill_previous_executable, NULL,            0,  0, -1, 0 },
	{ "process.previous.args",      ARR, fill_previous_args,      NULL,              0,  0, -1, 0 },
	{ "process.Ext.ancestry",       ARR, fill_ancestry,           NULL,              0,  2, LIDS, J },
	{ "process.parent.pid",         NUM, fill_parent_pid,         "ppid",           30,  0, -1, J },
	{ "process.parent.entity_id",   STR, fill_parent_entity_id,   "parent_entity_id", 138, 2, -1, J | P | OMIT },
	{ "process.parent.name",        STR, fill_parent_name,        "parent_name",   140,  0, -1, J | P },
	{ "process.parent.executable",  STR, fill_parent_executable,  "parent_exe",    150,  3, -1, J | P },
	{ "process.parent.args",        ARR, fill_parent_args,        "parent_args",   160,  0,  1, J | P },
	{ "process.parent.args_truncated", BOOL, fill_parent_args_truncated, "parent_argv_truncated", 170, 0, -1, J | P | OMIT },
	{ "process.parent.args_count",  NUM, fill_parent_args_count,  NULL,              0,  0, -1, J | P },
	/* repeats the parent's args: dropped first, with command_line */
	{ "process.parent.command_line", STR, fill_parent_command_line, NULL,            0,  1,  1, J | P },
	/* Defend's parent user and group: the effective ids, then the real
	 * ones (proc_table.h rule 8) */
	{ "process.parent.user.id",     STR, fill_parent_user_id,     "parent_euid",   172,  0, -1, J | P | BARE | OMIT },
	{ "process.parent.user.name",   STR, fill_parent_user_name,   "parent_user",   173,  0, -1, J | P | OMIT | NAMES },
	{ "process.parent.group.id",    STR, fill_parent_group_id,    "parent_egid",   174,  0, -1, J | P | BARE | OMIT },
	{ "process.parent.group.name",  STR, fill_parent_group_name,  "parent_group",  175,  0, -1, J | P | OMIT | NAMES },
	{ "process.parent.real_user.id", STR, fill_parent_real_user_id, "parent_uid",  176,  0, -1, J | P | BARE | OMIT },
	{ "process.parent.real_user.name", STR, fill_parent_real_user_name, "parent_ruser", 177, 0, -1, J | P | OMIT | NAMES },
	{ "process.parent.real_group.id", STR, fill_parent_real_group_id, "parent_gid", 178, 0, -1, J | P | BARE | OMIT },
	{ "process.parent.real_group.name", STR, fill_parent_real_group_name, "parent_rgroup", 179, 0, -1, J | P | OMIT | NAMES },
	/* the parent's last exec's CWD record and tty= (proc_table.h) */
	{ "process.parent.working_directory", STR, fill_parent_working_directory, "parent_cwd", 171, 2, -1, J | P | OMIT },
	{ "process.parent.interactive", BOOL, fill_parent_interactive, "parent_interactive", 180, 2, -1, J | P | OMIT },
	{ "process.args_truncated",     BOOL, fill_args_truncated,    "argv_truncated", 130, 0, -1, J | OMIT },
	/* Defend's process.user is the effective user, real_user the real
	 * one: the values of user.* and group.* below again, so a JSON alert
	 * over its size drops them first */
	{ "process.user.id",            STR, fill_user_id,            NULL,              0,  1, -1, J },
	{ "process.user.name",          STR, fill_user_name,          NULL,              0,  1, -1, J | NAMES },
	{ "process.real_user.id",       STR, fill_user_real_id,       NULL,              0,  1, -1, J },
	{ "process.real_user.name",     STR, fill_user_real_name,     NULL,              0,  1, -1, J | NAMES },
	{ "process.group.id",           STR, fill_group_id,           NULL,              0,  1, -1, J },
	{ "process.group.name",         STR, fill_group_name,         NULL,              0,  1, -1, J | NAMES },
	{ "process.real_group.id",      STR, fill_group_real_id,      NULL,              0,  1, -1, J },
	{ "process.real_group.name",    STR, fill_group_real_name,    NULL,              0,  1, -1, J | NAMES },
	{ "process.interactive",        BOOL, fill_interactive,       NULL,              0,  0, -1, J },
	{ "process.tty.char_device.major", NUM, fill_tty_major,       NULL,              0,  2, -1, J },
	{ "process.tty.char_device.minor", NUM, fill_tty_minor,       NULL,              0,  2, -1, J },
	/* how the session was entered: who led it, from where */
	{ "process.entry_leader.pid",   NUM, fill_entry_pid,          "entry_pid",      74,  0, -1, J | OMIT },
	{ "process.entry_leader.name",  STR, fill_entry_name,         NULL,              0,  2, -1, J },
	{ "process.entry_leader.executable", STR, fill_entry_executable, "entry_exe",   75,  3, -1, J | OMIT },
	{ "process.entry_leader.start", STR, fill_entry_start,        NULL,              0,  2, -1, J },
	{ "process.entry_leader.user.id", STR, fill_entry_user_id,    "entry_uid",      76,  2, -1, J | BARE | OMIT },
	{ "process.entry_leader.user.name", STR, fill_entry_user_name, "entry_user",    77,  2, -1, J | OMIT | NAMES },
	{ "process.entry_leader.entry_meta.type", STR, fill_entry_type, "entry_type",   72,  0, -1, J | OMIT },
	{ "process.entry_leader.entry_meta.source.ip", STR, fill_entry_ip, "entry_ip",  73,  0, -1, J | OMIT },
	{ "user.id",                    STR, fill_user_id,            "euid",           42,  0, -1, J | BARE },
	{ "user.name",                  STR, fill_user_name,          "user",           43,  2, -1, J | OMIT | NAMES },
	{ "user.Ext.real.id",           STR, fill_user_real_id,       "uid",            40,  0, -1, J | BARE },
	{ "user.Ext.real.name",         STR, fill_user_real_name,     "ruser",          41,  2, -1, J | OMIT | NAMES },
	{ "user.audit.id",              STR, fill_audit_user_id,      "auid",           50,  3, -1, J | BARE },
	{ "user.audit.name",            STR, fill_audit_user_name,    "auser",          51,  2, -1, J | OMIT | NAMES },
	{ "group.id",                   STR, fill_group_id,           "egid",           46,  2, -1, J | BARE },
	{ "group.name",                 STR, fill_group_name,         NULL,              0,  2, -1, J | NAMES },
	{ "group.Ext.real.id",          STR, fill_group_real_id,      "gid",            44,  2, -1, J | BARE },
	{ "group.Ext.real.name",        STR, fill_group_real_name,    NULL,              0,  2, -1, J | NAMES },
	{ "auditd.sequence",            NUM, fill_sequence,           "serial",         10,  0, -1, J },
	{ "auditd.session",             STR, fill_session,            "ses",            60,  0, -1, J | BARE },
	{ "auditd.node",                STR, fill_node,               "node",           15,  0, -1, OMIT },
	{ "auditd.data.tty",            STR, fill_tty,                "tty",            70,  2, -1, J },
	{ "auditd.data.key",            STR, fill_key,                "key",           110,  0, -1, 0 },
	/* The plugin's own (lineage.h), last in both forms: the first to go
	 * when an alert is too long (alert.h) */
	{ "auditd.ancestors",           OBJS, fill_objects,           "ancestors",     200,  0, LANC, J },
	{ "auditd.ancestors.executable", ARR, fill_ancestors_executable, NULL,           0,  0, -1, 0 },
	{ "auditd.ancestors.args",      ARR, fill_ancestors_args,     NULL,              0,  0, -1, 0 },
	{ "auditd.timeline",            OBJS, fill_objects,           "timeline",      210,  0, LTL, J },
	{ "auditd.timeline.args",       ARR, fill_timeline_args,      NULL,              0,  0, -1, 0 },
	{ "auditd.dropped",             OBJS, fill_objects,           "dropped",       250,  0, LDROP, J },
};

#undef STR
#undef NUM
#undef ARR
#undef BOOL
#undef OBJS
#undef LPREV
#undef LIDS
#undef LANC
#undef LTL
#undef LDROP
#undef J
#undef P
#undef BARE
#undef OMIT
#undef K
#undef NAMES

const unsigned ecs_nfields = sizeof(ecs_fields) / sizeof(ecs_fields[0]);

_Static_assert(sizeof(ecs_fields) / sizeof(ecs_fields[0]) <= EQL_FIELDS_MAX,
	       "EQL_FIELDS_MAX must hold every row of ecs_fields");

unsigned ecs_needs(const bool *uses)
{
	unsigned i, needs = 0;

	for (i = 0; i < ecs_nfields; i++) {
		unsigned f = ecs_fields[i].flags;

		if (!(uses && uses[i]) && !ecs_fields[i].text &&
		    !(f & ECS_JSON))
			continue;
		if (f & ECS_NEEDS_SAVED_IDS)
			needs |= EXEC_NEEDS_SAVED_IDS;
		if (f & ECS_NEEDS_NAMES)
			needs |= EXEC_NEEDS_NAMES;
	}
	return needs;
}

int ecs_field_find(const char *name, size_t len)
{
	unsigned i;

	for (i = 0; i < ecs_nfields; i++)
		if (strlen(ecs_fields[i].name) == len &&
		    memcmp(ecs_fields[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/* By name, or by prefix when the entry ends with '.'. */
static const struct {
	const char *name;
	const char *why;
} absent[] = {
	{ "process.env_vars", "audit records do not carry the environment" },
	{ "process.parent.env_vars", "audit records do not carry the environment" },
	{ "process.code_signature.", "Linux executables carry no code signature" },
	{ "process.parent.code_signature.", "Linux executables carry no code signature" },
	{ "process.Ext.", "Elastic Defend's own extension, not in audit records" },
	{ "process.parent.Ext.", "Elastic Defend's own extension, not in audit records" },
	{ "container.", "audit records carry no container context" },
	{ "orchestrator.", "audit records carry no container context" },
	{ "process.pe.", "a Windows field" },
	{ "process.parent.pe.", "a Windows field" },
	{ "dll.", "a Windows field" },
	{ "registry.", "a Windows field" },
	{ "process.session_leader.", "audit records carry no POSIX session (setsid); the audit session is process.entry_leader" },
	{ "process.parent.session_leader.", "audit records carry no POSIX session (setsid); the audit session is process.entry_leader" },
	{ "process.group_leader.", "audit records carry no process group (setpgid)" },
	{ "process.parent.group_leader.", "audit records carry no process group (setpgid)" },
	{ "process.hash.", "audit records carry no file hashes" },
	{ "process.parent.hash.", "audit records carry no file hashes" },
};

const char *ecs_absent_reason(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		size_t k = strlen(absent[i].name);
		bool prefix = absent[i].name[k - 1] == '.';

		if ((prefix ? len > k : len == k) &&
		    memcmp(name, absent[i].name, k) == 0)
			return ecs_field_find(name, len) < 0 ? absent[i].why :
							       NULL;
	}
	return NULL;
}

static int by_text_pos(const void *a, const void *b)
{
	const struct ecs_field *x = &ecs_fields[*(const uint8_t *)a];
	const struct ecs_field *y = &ecs_fields[*(const uint8_t *)b];

	return (int)x->text_pos - (int)y->text_pos;
}

const uint8_t *ecs_text_order(unsigned *n)
{
	/* Built once: the table is constant. */
	static uint8_t order[EQL_FIELDS_MAX];
	static unsigned count;
	static bool built;
	unsigned i;

	if (!built) {
		for (i = 0; i < ecs_nfields; i++)
			if (ecs_fields[i].text)
				order[count++] = (uint8_t)i;
		qsort(order, count, sizeof(order[0]), by_text_pos);
		built = true;
	}
	*n = count;
	return order;
}

void ecs_scratch_init(struct ecs_scratch *s)
{
	sb_init(&s->cmdline, 0);
	sb_init(&s->parent_cmdline, 0);
	s->uid[0] = s->euid[0] = s->gid[0] = s->egid[0] = '\0';
	s->auid[0] = s->ses[0] = '\0';
	s->leader_euid[0] = s->leader_start[0] = '\0';
}

void ecs_scratch_free(struct ecs_scratch *s)
{
	sb_free(&s->cmdline);
	sb_free(&s->parent_cmdline);
}

void ecs_describe(const struct ecs_source *src,
		  const bool uses[EQL_FIELDS_MAX], struct ecs_scratch *s,
		  struct eql_event *out)
{
	unsigned i;

	for (i = 0; i < ecs_nfields; i++) {
		const struct ecs_field *f = &ecs_fields[i];

		if (uses && !uses[i])
			continue;
		if ((f->flags & ECS_OF_PARENT) && !src->parent)
			set_missing(&out->f[i]);
		else
			f->fill(src, s, &out->f[i]);
	}
}
