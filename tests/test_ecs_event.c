/*
 * test_ecs_event.c - the ECS table and the view of an exec that the rules
 * read and the alerts write.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ecs_event.h"
#include "lineage.h"

static struct argv_arg args_v[] = { { "tail", 4 }, { "-c", 2 }, { "/boot/x", 7 } };
static struct argv args = { 3, args_v, 13, 0 };
static struct argv_arg pargs_v[] = { { "sh", 2 }, { "/opt/s.sh", 9 } };

static unsigned fld(const char *name)
{
	int i = ecs_field_find(name, strlen(name));

	if (i < 0 || i >= EQL_FIELDS_MAX) {
		fail_msg("no field '%s' in the ECS table", name);
		return 0;
	}
	return (unsigned)i;
}

static void mk(struct exec_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	strcpy(ev->exe, "/usr/bin/tail");
	strcpy(ev->comm, "tail");
	strcpy(ev->cwd, "/root");
	strcpy(ev->tty, "pts1");
	exec_event_set_name(ev);
	ev->argv = &args;
	ev->pid = 10;
	ev->ppid = 9;
	ev->uid = 1000;
	ev->euid = 0;        /* a setuid-root program run by user 1000 */
	ev->gid = 100;
	ev->egid = 42;       /* ... and setgid 42 */
	ev->auid = 1000;
	ev->ses = EXEC_ID_UNSET;
	ev->serial = 77;
}

static void assert_str(const struct eql_value *v, const char *s)
{
	assert_int_equal(v->kind, EQL_STRING);
	assert_int_equal(v->n, strlen(s));
	assert_memory_equal(v->s, s, v->n);
}

static const struct eql_value *val(const struct eql_event *e, const char *n)
{
	return &e->f[fld(n)];
}

static void test_known_parent(void **state)
{
	struct proc_entry parent = {
		.pid = 9, .exe = "/usr/bin/dash", .name = "dash",
		.argv = { 2, pargs_v, 11, 0 },
	};
	struct exec_event ev;
	struct ecs_source src = { &ev, &parent, "web1", NULL, NULL, NULL };
	struct ecs_scratch s;
	struct eql_event e;

	(void)state;
	mk(&ev);
	ecs_scratch_init(&s);
	ecs_describe(&src, NULL, &s, &e);
	assert_str(val(&e, "host.name"), "web1");
	assert_str(val(&e, "host.os.type"), "linux");
	assert_str(val(&e, "event.type"), "start");
	assert_str(val(&e, "event.action"), "exec");
	assert_str(val(&e, "process.name"), "tail");
	assert_str(val(&e, "process.executable"), "/usr/bin/tail");
	assert_int_equal(val(&e, "process.args")->kind, EQL_ARRAY);
	assert_ptr_equal(val(&e, "process.args")->arr, &args);
	assert_int_equal(val(&e, "process.args_count")->num, 3);
	assert_str(val(&e, "process.command_line"), "tail -c /boot/x");
	assert_str(val(&e, "process.working_directory"), "/root");
	assert_int_equal(val(&e, "process.pid")->num, 10);
	assert_int_equal(val(&e, "process.parent.pid")->num, 9);
	/* Defend's user is the effective one; the real one is Ext.real */
	assert_str(val(&e, "user.id"), "0");
	assert_str(val(&e, "user.Ext.real.id"), "1000");
	assert_str(val(&e, "user.audit.id"), "1000");
	assert_str(val(&e, "group.id"), "42");
	assert_str(val(&e, "group.Ext.real.id"), "100");
	/* Defend's process.* spellings of the same */
	assert_str(val(&e, "process.user.id"), "0");
	assert_str(val(&e, "process.real_user.id"), "1000");
	assert_str(val(&e, "process.group.id"), "42");
	assert_str(val(&e, "process.real_group.id"), "100");
	/* a RAW log has no names */
	assert_int_equal(val(&e, "user.name")->kind, EQL_MISSING);
	assert_int_equal(val(&e, "process.real_user.name")->kind, EQL_MISSING);
	assert_int_equal(val(&e, "user.audit.name")->kind, EQL_MISSING);
	assert_int_equal(val(&e, "group.name")->kind, EQL_MISSING);
	assert_str(val(&e, "auditd.session"), "unset");
	assert_int_equal(val(&e, "auditd.sequence")->num, 77);
	assert_str(val(&e, "auditd.data.tty"), "pts1");
	assert_int_equal(val(&e, "auditd.node")->kind, EQL_MISSING);
	assert_int_equal(val(&e, "process.args_truncated")->kind, EQL_MISSING);
	assert_str(val(&e, "process.parent.name"), "dash");
	assert_str(val(&e, "process.parent.executable"), "/usr/bin/dash");
	assert_int_equal(val(&e, "process.parent.args_count")->num, 2);
	assert_str(val(&e, "process.parent.command_line"), "sh /opt/s.sh");
	/* not known: no CWD record reached the entry */
	assert_int_equal(val(&e, "process.parent.working_directory")->kind,
			 EQL_MISSING);
	assert_int_equal(val(&e, "process.parent.interactive")->kind,
			 EQL_MISSING);
	/* the parent's last exec's cwd and tty */
	parent.cwd = "/opt";
	parent.tty = "pts3";
	ecs_describe(&src, NULL, &s, &e);
	assert_str(val(&e, "process.parent.working_directory"), "/opt");
	assert_int_equal(val(&e, "process.parent.interactive")->num, 1);
	parent.tty = "(none)";
	ecs_describe(&src, NULL, &s, &e);
	assert_int_equal(val(&e, "process.parent.interactive")->kind,
			 EQL_BOOL);
	assert_int_equal(val(&e, "process.parent.interactive")->num, 0);
	parent.cwd = parent.tty = "";
	ecs_describe(&src, NULL, &s, &e);
	assert_int_equal(val(&e, "process.parent.working_directory")->kind,
			 EQL_MISSING);

	/* node= names the host; flags come from the argv and the entry */
	strcpy(ev.node, "db7");
	args.flags |= ARGV_TRUNCATED;
	parent.flags |= PROC_ARGV_TRUNCATED;
	ecs_describe(&src, NULL, &s, &e);
	args.flags &= ~(unsigned)ARGV_TRUNCATED;
	assert_str(val(&e, "host.name"), "db7");
	assert_str(val(&e, "auditd.node"), "db7");
	assert_int_equal(val(&e, "process.args_truncated")->kind, EQL_BOOL);
	assert_int_equal(val(&e, "process.parent.args_truncated")->kind,
			 EQL_BOOL);

	/* an ENRICHED log: each name goes with its own id */
	strcpy(ev.uid_name, "alice");
	strcpy(ev.euid_name, "root");
	strcpy(ev.gid_name, "users");
	strcpy(ev.egid_name, "kmem");
	strcpy(ev.auid_name, "alice2");
	ecs_describe(&src, NULL, &s, &e);
	assert_str(val(&e, "user.name"), "root");
	assert_str(val(&e, "process.user.name"), "root");
	assert_str(val(&e, "user.Ext.real.name"), "alice");
	assert_str(val(&e, "process.real_user.name"), "alice");
	assert_str(val(&e, "group.name"), "kmem");
	assert_str(val(&e, "process.group.name"), "kmem");
	assert_str(val(&e, "group.Ext.real.name"), "users");
	assert_str(val(&e, "process.real_group.name"), "users");
	assert_str(val(&e, "user.audit.name"), "alice2");
	ecs_scratch_free(&s);
}

/* process.interactive and the tty's numbers from tty= */
static void test_tty(void **state)
{
	static const struct {
		const char *tty;
		int interactive;     /* -1: missing */
		long major, minor;   /* -1: missing */
	} cases[] = {
		{ "pts1", 1, 136, 1 },
		{ "pts0", 1, 136, 0 },
		{ "pts299", 1, 136, 299 },   /* 20-bit minors, seen here */
		{ "tty1", 1, 4, 1 },
		{ "tty63", 1, 4, 63 },
		{ "tty64", 1, -1, -1 },
		{ "ttyS0", 1, 4, 64 },
		{ "ttyS191", 1, 4, 255 },
		{ "ttyS192", 1, -1, -1 },
		{ "console", 1, 5, 1 },
		{ "hvc0", 1, -1, -1 },
		{ "ttyUSB0", 1, -1, -1 },
		{ "pts", 1, -1, -1 },
		{ "pts01", 1, -1, -1 },
		{ "pts-1", 1, -1, -1 },
		{ "pts99999999", 1, -1, -1 },
		{ "(none)", 0, -1, -1 },
		{ "", -1, -1, -1 },
	};
	struct exec_event ev;
	struct ecs_source src = { &ev, NULL, "h", NULL, NULL, NULL };
	struct ecs_scratch s;
	struct eql_event e;
	size_t i;

	(void)state;
	mk(&ev);
	ecs_scratch_init(&s);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct eql_value *in, *ma, *mi;

		strcpy(ev.tty, cases[i].tty);
		ecs_describe(&src, NULL, &s, &e);
		in = val(&e, "process.interactive");
		ma = val(&e, "process.tty.char_device.major");
		mi = val(&e, "process.tty.char_device.minor");
		if (cases[i].interactive < 0) {
			assert_int_equal(in->kind, EQL_MISSING);
		} else {
			assert_int_equal(in->kind, EQL_BOOL);
			assert_int_equal(in->num, cases[i].interactive);
		}
		if (cases[i].major < 0) {
			assert_int_equal(ma->kind, EQL_MISSING);
			assert_int_equal(mi->kind, EQL_MISSING);
		} else {
			if (ma->kind != EQL_NUMBER || mi->kind != EQL_NUMBER ||
			    ma->num != cases[i].major ||
			    mi->num != cases[i].minor)
				fail_msg("%s: not %ld:%ld", cases[i].tty,
					 cases[i].major, cases[i].minor);
		}
	}
	ecs_scratch_free(&s);
}

/* process.entry_leader.* from the session table's view. */
static void test_entry_leader(void **state)
{
	static const char *const fields[] = {
		"process.entry_leader.pid", "process.entry_leader.name",
		"process.entry_leader.executable",
		"process.entry_leader.start",
		"process.entry_leader.user.id",
		"process.entry_leader.user.name",
		"process.entry_leader.entry_meta.type",
		"process.entry_leader.entry_meta.source.ip",
	};
	struct session_view v;
	struct exec_event ev;
	struct ecs_source src = { &ev, NULL, "h", &v, NULL, NULL };
	struct ecs_scratch s;
	struct eql_event e;
	size_t i;

	(void)state;
	mk(&ev);
	ecs_scratch_init(&s);
	/* an ssh login's shell */
	memset(&v, 0, sizeof(v));
	v.type = ENTRY_SSHD;
	v.pid = 32662;
	v.exe = "/usr/bin/bash";
	v.name = "bash";
	v.have_exec = true;
	v.sec = 1795943396;
	v.msec = 746;
	v.euid = 1001;
	v.euid_name = "ks12a";
	v.source_ip = "127.0.0.1";
	ecs_describe(&src, NULL, &s, &e);
	assert_int_equal(val(&e, "process.entry_leader.pid")->num, 32662);
	assert_str(val(&e, "process.entry_leader.name"), "bash");
	assert_str(val(&e, "process.entry_leader.executable"),
		   "/usr/bin/bash");
	assert_str(val(&e, "process.entry_leader.start"),
		   "2026-11-29T09:09:56.746Z");
	assert_str(val(&e, "process.entry_leader.user.id"), "1001");
	assert_str(val(&e, "process.entry_leader.user.name"), "ks12a");
	assert_str(val(&e, "process.entry_leader.entry_meta.type"), "sshd");
	assert_str(val(&e, "process.entry_leader.entry_meta.source.ip"),
		   "127.0.0.1");

	/* a session no service claimed, its leader never seen exec'ing */
	memset(&v, 0, sizeof(v));
	v.type = ENTRY_UNKNOWN;
	v.pid = 8338;
	v.source_ip = "";
	v.euid_name = "";
	ecs_describe(&src, NULL, &s, &e);
	assert_int_equal(val(&e, "process.entry_leader.pid")->num, 8338);
	assert_str(val(&e, "process.entry_leader.entry_meta.type"),
		   "unknown");
	for (i = 1; i < 6; i++)
		assert_int_equal(val(&e, fields[i])->kind, EQL_MISSING);
	assert_int_equal(val(&e, fields[7])->kind, EQL_MISSING);

	/* outside any login: init alone */
	memset(&v, 0, sizeof(v));
	v.type = ENTRY_INIT;
	ecs_describe(&src, NULL, &s, &e);
	assert_str(val(&e, "process.entry_leader.entry_meta.type"), "init");
	for (i = 0; i < 6; i++)
		assert_int_equal(val(&e, fields[i])->kind, EQL_MISSING);

	/* not known, or no view at all: nothing */
	memset(&v, 0, sizeof(v));
	v.pid = 5;
	v.exe = "/x";
	ecs_describe(&src, NULL, &s, &e);
	for (i = 0; i < 8; i++)
		assert_int_equal(val(&e, fields[i])->kind, EQL_MISSING);
	src.session = NULL;
	ecs_describe(&src, NULL, &s, &e);
	for (i = 0; i < 8; i++)
		assert_int_equal(val(&e, fields[i])->kind, EQL_MISSING);
	ecs_scratch_free(&s);
}

/* A lookup that names user 1000 "alice" and group 42 "kmem", and
 * counts what it is asked. */
static unsigned looked_up;

static bool fake_lookup(void *ctx, bool group, uint32_t id, char *out,
			size_t cap)
{
	const char *name = NULL;

	(void)ctx;
	looked_up++;
	if (!group && id == 1000)
		name = "alice";
	if (group && id == 42)
		name = "kmem";
	if (!name || strlen(name) >= cap)
		return false;
	strcpy(out, name);
	return true;
}

/* Names the event lacks come from the lookup when one is given; the
 * event's own (ENRICHED) come first; unset ids are never looked up. */
static void test_looked_up_names(void **state)
{
	struct ecs_names nm = { fake_lookup, NULL };
	struct session_view v;
	struct exec_event ev;
	struct ecs_source src = { &ev, NULL, "h", &v, &nm, NULL };
	struct ecs_scratch s;
	struct eql_event e;

	(void)state;
	mk(&ev);
	memset(&v, 0, sizeof(v));
	v.type = ENTRY_SSHD;
	v.pid = 9;
	v.have_exec = true;
	v.euid = 1000;
	v.euid_name = "";
	v.source_ip = "";
	ecs_scratch_init(&s);
	looked_up = 0;
	ecs_describe(&src, NULL, &s, &e);
	assert_str(val(&e, "user.Ext.real.name"), "alice");
	assert_str(val(&e, "process.real_user.name"), "alice");
	assert_str(val(&e, "user.audit.name"), "alice");
	assert_str(val(&e, "group.name"), "kmem");
	assert_str(val(&e, "process.entry_leader.user.name"), "alice");
	/* euid 0 and gid 100 have no name here */
	assert_int_equal(val(&e, "user.name")->kind, EQL_MISSING);
	assert_int_equal(val(&e, "group.Ext.real.name")->kind, EQL_MISSING);
	/* two per id and kind (user.* and process.*), one for auid and one
	 * for the leader */
	assert_int_equal(looked_up, 10);

	/* the log's own names win, and are not looked up */
	strcpy(ev.uid_name, "bob");
	strcpy(ev.euid_name, "root");
	strcpy(ev.gid_name, "users");
	strcpy(ev.egid_name, "wheel");
	strcpy(ev.auid_name, "carol");
	v.euid_name = "dave";
	looked_up = 0;
	ecs_describe(&src, NULL, &s, &e);
	assert_str(val(&e, "user.Ext.real.name"), "bob");
	assert_str(val(&e, "user.name"), "root");
	assert_str(val(&e, "group.name"), "wheel");
	assert_str(val(&e, "user.audit.name"), "carol");
	assert_str(val(&e, "process.entry_leader.user.name"), "dave");
	assert_int_equal(looked_up, 0);

	/* unset ids: nothing asked */
	mk(&ev);
	ev.uid = ev.euid = ev.gid = ev.egid = ev.auid = EXEC_ID_UNSET;
	v.have_exec = false;
	looked_up = 0;
	ecs_describe(&src, NULL, &s, &e);
	assert_int_equal(looked_up, 0);
	assert_int_equal(val(&e, "user.audit.name")->kind, EQL_MISSING);

	/* only the fields asked for: a rule that reads no name asks none */
	{
		bool uses[EQL_FIELDS_MAX] = { false };

		mk(&ev);
		uses[fld("user.id")] = true;
		looked_up = 0;
		ecs_describe(&src, uses, &s, &e);
		assert_int_equal(looked_up, 0);
		uses[fld("user.Ext.real.name")] = true;
		ecs_describe(&src, uses, &s, &e);
		assert_int_equal(looked_up, 1);
	}
	ecs_scratch_free(&s);
}

static void test_unknown_parent_and_missing(void **state)
{
	bool uses[EQL_FIELDS_MAX] = { false };
	struct exec_event ev;
	struct ecs_source src = { &ev, NULL, "h", NULL, NULL, NULL };
	struct ecs_scratch s;
	struct eql_event e;
	unsigned i;

	(void)state;
	mk(&ev);
	ev.exe[0] = '\0';          /* no exe: name from comm */
	exec_event_set_name(&ev);
	ev.cwd[0] = '\0';
	ev.uid = EXEC_ID_UNSET;
	ev.euid = EXEC_ID_UNSET;
	ev.ppid = -1;
	ecs_scratch_init(&s);
	for (i = 0; i < ecs_nfields; i++)
		uses[i] = ecs_fields[i].list < 0 ||
			  ecs_fields[i].type != EQL_T_STRING;
	ecs_describe(&src, uses, &s, &e);
	assert_str(val(&e, "process.name"), "tail");
	assert_int_equal(val(&e, "process.executable")->kind, EQL_MISSING);
	assert_int_equal(val(&e, "process.working_directory")->kind,
			 EQL_MISSING);
	assert_str(val(&e, "user.id"), "unset");
	assert_str(val(&e, "user.Ext.real.id"), "unset");
	assert_int_equal(val(&e, "process.parent.pid")->kind, EQL_MISSING);
	/* no rule reads the command lines: they are not built */
	assert_int_equal(s.cmdline.len, 0);
	assert_int_equal(s.parent_cmdline.len, 0);
	/* every field of the parent is missing, whatever its fill reads */
	for (i = 0; i < ecs_nfields; i++)
		if (uses[i] && (ecs_fields[i].flags & ECS_OF_PARENT))
			assert_int_equal(e.f[i].kind, EQL_MISSING);
	ecs_scratch_free(&s);
}

/* What the alert renderers rely on in the table. */
static void test_table(void **state)
{
	const uint8_t *order;
	unsigned i, j, n;

	(void)state;
	assert_true(ecs_nfields <= EQL_FIELDS_MAX);
	for (i = 0; i < ecs_nfields; i++) {
		const struct ecs_field *f = &ecs_fields[i];

		assert_non_null(f->fill);
		assert_int_equal(ecs_field_find(f->name, strlen(f->name)),
				 (int)i);
		/* a list of strings the alerts write is cut as one of the
		 * two argv lists, or is the ancestry's ids; the arrays for
		 * rules only (flattened lineage lists) are written by none */
		if (f->type == EQL_T_ARRAY && (f->flags & ECS_JSON))
			assert_true(f->list == ECS_LIST_ARGS ||
				    f->list == ECS_LIST_PARENT_ARGS ||
				    f->list == ECS_LIST_ANCESTRY);
		if (f->type == EQL_T_ARRAY && !(f->flags & ECS_JSON) &&
		    !f->text)
			assert_int_equal(f->list, ECS_LIST_NONE);
		/* a list of objects is one of the lineage's, written by
		 * alert.c in both formats, and each is one row */
		if (f->type == EQL_T_OBJECTS) {
			assert_true(f->list >= ECS_LIST_PREVIOUS &&
				    f->list != ECS_LIST_ANCESTRY);
			assert_true(f->flags & ECS_JSON);
			assert_non_null(f->text);
		}
		if (f->list >= ECS_LIST_PREVIOUS)
			for (j = 0; j < i; j++)
				assert_int_not_equal(ecs_fields[j].list,
						     f->list);
		assert_true(f->list >= ECS_LIST_NONE &&
			    f->list <= ECS_LIST_DROPPED);
		/* a string joined from a list is one of the argv lists' */
		if (f->type == EQL_T_STRING)
			assert_true(f->list <= ECS_LIST_PARENT_ARGS);
		if (f->flags & ECS_TEXT_BARE)
			assert_int_equal(f->type, EQL_T_STRING);
		if (f->text)
			assert_true(f->text_pos > 0);
		for (j = 0; j < i; j++)
			if (f->text && ecs_fields[j].text) {
				assert_int_not_equal(f->text_pos,
						     ecs_fields[j].text_pos);
				assert_string_not_equal(f->text,
							ecs_fields[j].text);
			}
	}
	/*
	 * JSON: the fields of one object are next to each other, so that
	 * writing them in table order never reopens a closed object. An
	 * object path, once left, never comes back.
	 */
	for (i = 1; i < ecs_nfields; i++) {
		const char *a = ecs_fields[i - 1].name, *b = ecs_fields[i].name;
		size_t k;

		if (!(ecs_fields[i].flags & ECS_JSON))
			continue;
		for (k = 0; a[k] && a[k] == b[k]; k++)
			;
		/* every object of b beyond the shared prefix must be new */
		for (j = 0; j + 1 < i; j++) {
			const char *c = ecs_fields[j].name;
			const char *dot;

			if (!(ecs_fields[j].flags & ECS_JSON))
				continue;
			for (dot = strchr(b, '.'); dot; dot = strchr(dot + 1, '.')) {
				size_t l = (size_t)(dot - b);

				if (l <= k)
					continue;
				/* c has object b[0..l) while a did not */
				if (strncmp(c, b, l) == 0 && c[l] == '.' &&
				    (strncmp(a, b, l) != 0 || a[l] != '.'))
					fail_msg("%s reopens the object of %s",
						 b, c);
			}
		}
	}
	order = ecs_text_order(&n);
	for (i = 1; i < n; i++)
		assert_true(ecs_fields[order[i - 1]].text_pos <
			    ecs_fields[order[i]].text_pos);
	for (i = 0, j = 0; i < ecs_nfields; i++)
		j += ecs_fields[i].text != NULL;
	assert_int_equal(n, j);
}

/* What the event assembly must read: the names, which the alerts show
 * (so whatever the rules use); never the saved and fs ids, which no field
 * reads; a field that reads names says so in its flags. */
static void test_needs(void **state)
{
	bool none[EQL_FIELDS_MAX] = { false };
	unsigned i;

	(void)state;
	assert_int_equal(ecs_needs(NULL), EXEC_NEEDS_NAMES);
	assert_int_equal(ecs_needs(none), EXEC_NEEDS_NAMES);
	for (i = 0; i < ecs_nfields; i++) {
		const char *n = ecs_fields[i].name;
		size_t l = strlen(n);
		bool is_name = l > 5 && strcmp(n + l - 5, ".name") == 0 &&
			       (strncmp(n, "user.", 5) == 0 ||
				strncmp(n, "group.", 6) == 0 ||
				strstr(n, "user.name") || strstr(n, "group.name"));

		if (is_name != !!(ecs_fields[i].flags & ECS_NEEDS_NAMES))
			fail_msg("%s: ECS_NEEDS_NAMES %s", n,
				 is_name ? "missing" : "where no name is read");
	}
}

/* The parent's user and group: Defend's names, the effective ids first;
 * missing for an entry no record described (/proc). */
static void test_parent_creds(void **state)
{
	struct proc_entry parent = {
		.pid = 9, .exe = "/usr/bin/sudo", .name = "sudo",
		.argv = { 2, pargs_v, 11, 0 }, .flags = PROC_HAS_CREDS,
		.uid = 1001, .euid = 0, .gid = 1001, .egid = 1001,
		.uid_name = "ks12a", .euid_name = "root", .gid_name = "",
		.egid_name = "ks12a",
	};
	struct exec_event ev;
	struct ecs_source src = { &ev, &parent, "web1", NULL, NULL, NULL };
	struct ecs_scratch s;
	struct eql_event e;

	(void)state;
	mk(&ev);
	ecs_scratch_init(&s);
	ecs_describe(&src, NULL, &s, &e);
	assert_str(val(&e, "process.parent.user.id"), "0");
	assert_str(val(&e, "process.parent.user.name"), "root");
	assert_str(val(&e, "process.parent.group.id"), "1001");
	assert_str(val(&e, "process.parent.group.name"), "ks12a");
	assert_str(val(&e, "process.parent.real_user.id"), "1001");
	assert_str(val(&e, "process.parent.real_user.name"), "ks12a");
	assert_str(val(&e, "process.parent.real_group.id"), "1001");
	assert_int_equal(val(&e, "process.parent.real_group.name")->kind,
			 EQL_MISSING);
	parent.flags = PROC_FROM_PROC;
	parent.uid_name = parent.euid_name = parent.egid_name = "";
	ecs_describe(&src, NULL, &s, &e);
	assert_int_equal(val(&e, "process.parent.user.id")->kind, EQL_MISSING);
	assert_int_equal(val(&e, "process.parent.real_user.id")->kind,
			 EQL_MISSING);
	assert_int_equal(val(&e, "process.parent.user.name")->kind,
			 EQL_MISSING);
	/* without a lineage there are no ids and no context */
	assert_int_equal(val(&e, "process.entity_id")->kind, EQL_MISSING);
	assert_int_equal(val(&e, "process.Ext.ancestry")->kind, EQL_MISSING);
	assert_int_equal(val(&e, "auditd.timeline.args")->kind, EQL_MISSING);
	ecs_scratch_free(&s);
}

/* The lineage's fields, built only when asked for. */
static void test_lineage_fields(void **state)
{
	static struct argv_arg bash_v[] = { { "-bash", 5 } };
	static struct argv_arg sshd_v[] = { { "sshd", 4 }, { "-R", 2 } };
	struct argv bash_av = { 1, bash_v, 5, 0 }, sshd_av = { 2, sshd_v, 6, 0 };
	struct proc_table *t = proc_table_new(NULL);
	struct timeline *tl = timeline_new(NULL);
	struct lineage_settings set = { 8, 8, 512 };
	struct fork_event fe = { .node = "" };
	bool uses[EQL_FIELDS_MAX] = { false };
	struct exec_event ev, x;
	struct proc_entry parent;
	struct ecs_source src;
	struct ecs_scratch s;
	struct lineage l;
	struct eql_event e;
	char want[LINEAGE_ID_MAX];

	(void)state;
	assert_non_null(t);
	assert_non_null(tl);
	/* sshd 500 (ses 3) -> its fork 501 -> bash 502 -> fork 503 -> tail */
	memset(&x, 0, sizeof(x));
	x.pid = 500;
	x.ppid = 1;
	x.sec = 100;
	x.serial = 5000;
	x.ses = 3;
	strcpy(x.exe, "/usr/sbin/sshd");
	exec_event_set_name(&x);
	x.argv = &sshd_av;
	timeline_record(tl, 0, &x);
	proc_table_exec(t, 0, &x);
	fe.sec = 101;
	fe.serial = 5010;
	fe.parent = 500;
	fe.child = 501;
	proc_table_fork(t, 0, &fe);
	x.pid = 502;
	x.ppid = 501;
	x.sec = 102;
	x.serial = 5020;
	strcpy(x.exe, "/usr/bin/bash");
	exec_event_set_name(&x);
	x.argv = &bash_av;
	timeline_record(tl, 0, &x);
	proc_table_exec(t, 0, &x);
	fe.sec = 103;
	fe.serial = 5030;
	fe.parent = 502;
	fe.child = 503;
	proc_table_fork(t, 0, &fe);

	mk(&ev);
	ev.pid = 503;
	ev.ppid = 502;
	ev.sec = 104;
	ev.ses = 3;
	assert_true(proc_table_lookup(t, 0, 502, &parent));
	lineage_init(&l);
	lineage_begin(&l, t, tl, 0, &set, &ev, &parent, "web1");
	src = (struct ecs_source){ &ev, &parent, "web1", NULL, NULL, &l };
	ecs_scratch_init(&s);

	/* a rule that reads only process.name builds nothing */
	uses[fld("process.name")] = true;
	ecs_describe(&src, uses, &s, &e);
	assert_int_equal(l.built, 0);
	/* one that reads the previous image builds that, not the walk */
	uses[fld("process.previous.executable")] = true;
	ecs_describe(&src, uses, &s, &e);
	assert_str(val(&e, "process.previous.executable"), "/usr/bin/bash");
	assert_int_equal(l.built & LINEAGE_ANCESTORS, 0);
	assert_int_equal(l.built & LINEAGE_TIMELINE, 0);

	ecs_describe(&src, NULL, &s, &e);
	lineage_entity_id(want, sizeof(want), "web1", 503, 104, 0, 77);
	assert_str(val(&e, "process.entity_id"), want);
	lineage_entity_id(want, sizeof(want), "web1", 502, 102, 0, 5020);
	assert_str(val(&e, "process.parent.entity_id"), want);
	assert_int_equal(val(&e, "process.previous.args")->arr->argc, 1);
	assert_string_equal(val(&e, "process.previous.args")->arr->v[0].ptr,
			    "-bash");
	/* previous (the fork copy of bash), parent, then 501 and 500 */
	assert_int_equal(val(&e, "process.Ext.ancestry")->kind, EQL_ARRAY);
	assert_int_equal(val(&e, "process.Ext.ancestry")->arr->argc, 4);
	assert_int_equal(val(&e, "auditd.ancestors.executable")->arr->argc, 2);
	assert_string_equal(
		val(&e, "auditd.ancestors.executable")->arr->v[1].ptr,
		"/usr/sbin/sshd");
	assert_int_equal(val(&e, "auditd.ancestors.args")->arr->argc, 4);
	assert_int_equal(val(&e, "auditd.timeline.args")->arr->argc, 3);
	assert_string_equal(val(&e, "auditd.timeline.args")->arr->v[2].ptr,
			    "-bash");
	/* the lists of objects are for the alerts only */
	assert_int_equal(val(&e, "auditd.ancestors")->kind, EQL_MISSING);
	assert_int_equal(val(&e, "auditd.timeline")->kind, EQL_MISSING);
	assert_int_equal(val(&e, "process.previous")->kind, EQL_MISSING);
	ecs_scratch_free(&s);
	lineage_free(&l);
	timeline_free(tl);
	proc_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_parent),
		cmocka_unit_test(test_unknown_parent_and_missing),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_tty),
		cmocka_unit_test(test_entry_leader),
		cmocka_unit_test(test_looked_up_names),
		cmocka_unit_test(test_needs),
		cmocka_unit_test(test_parent_creds),
		cmocka_unit_test(test_lineage_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
