/*
 * test_lineage.c - entity ids, the previous image, the ancestor walk (and
 * where it stops), Ext.ancestry, the timeline of the session, the
 * flattened arrays for rules, and that building any of it changes nothing
 * in the table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lineage.h"

static struct exec_event ev;
static struct argv_arg one_v[1];
static struct argv one = { 1, one_v, 0, 0 };

/* An exec of `pid` under `ppid` at sec.msec (serial = pid * 10), argv the
 * single argument `arg`, recorded in the table and the timeline. */
static void run(struct proc_table *t, struct timeline *tl, pid_t pid,
		pid_t ppid, time_t sec, unsigned msec, const char *exe,
		const char *arg)
{
	memset(&ev, 0, sizeof(ev));
	ev.pid = pid;
	ev.ppid = ppid;
	ev.sec = sec;
	ev.msec = msec;
	ev.serial = (unsigned long)pid * 10;
	ev.ses = 5;
	snprintf(ev.exe, sizeof(ev.exe), "%s", exe);
	exec_event_set_name(&ev);
	one_v[0].ptr = arg;
	one_v[0].len = (uint32_t)strlen(arg);
	one.total_bytes = one_v[0].len;
	ev.argv = &one;
	if (tl)
		timeline_record(tl, 0, &ev);
	assert_int_equal(proc_table_exec(t, 0, &ev), 0);
}

static void fork_of(struct proc_table *t, pid_t parent, pid_t child,
		    time_t sec, unsigned long serial)
{
	struct fork_event fe = {
		.sec = sec, .serial = serial, .node = "",
		.parent = parent, .child = child,
	};

	assert_int_equal(proc_table_fork(t, 0, &fe), 0);
}

/* Describe the exec in `ev` (not recorded) as the runtime does. */
static void begin(struct lineage *l, struct proc_table *t,
		  struct timeline *tl, struct proc_entry *parent,
		  unsigned depth, unsigned timeline)
{
	struct lineage_settings set = { depth, timeline, 512 };
	bool have = ev.ppid > 0 && proc_table_lookup(t, 0, ev.ppid, parent);

	lineage_begin(l, t, tl, 0, &set, &ev, have ? parent : NULL, "web1");
}

/* The next exec to describe (not recorded). */
static void next(pid_t pid, pid_t ppid, time_t sec, const char *exe)
{
	memset(&ev, 0, sizeof(ev));
	ev.pid = pid;
	ev.ppid = ppid;
	ev.sec = sec;
	ev.serial = (unsigned long)pid * 10;
	ev.ses = 5;
	snprintf(ev.exe, sizeof(ev.exe), "%s", exe);
	exec_event_set_name(&ev);
	one_v[0].ptr = "x";
	one_v[0].len = 1;
	ev.argv = &one;
}

static void test_entity_id(void **state)
{
	char buf[LINEAGE_ID_MAX], host[300];

	(void)state;
	/* base64 of "web1|4242|1795809662.123|1234" (python3 -m base64) */
	lineage_entity_id(buf, sizeof(buf), "web1", 4242, 1795809662, 123, 1234);
	assert_string_equal(buf, "d2ViMXw0MjQyfDE3OTU4MDk2NjIuMTIzfDEyMzQ=");
	/* milliseconds with three digits */
	lineage_entity_id(buf, sizeof(buf), "web1", 4242, 1795809662, 7, 1234);
	assert_string_equal(buf, "d2ViMXw0MjQyfDE3OTU4MDk2NjIuMDA3fDEyMzQ=");
	lineage_entity_id(buf, sizeof(buf), "db7", 10, 5, 0, 7);
	assert_string_equal(buf, "ZGI3fDEwfDUuMDAwfDc=");
	/* the longest host still fits, and padding is right */
	memset(host, 'h', 299);
	host[299] = '\0';
	lineage_entity_id(buf, sizeof(buf), host, -2147483647 - 1,
			  (time_t)-1, 999, 18446744073709551615ul);
	assert_true(strlen(buf) < sizeof(buf));
	assert_int_equal(strlen(buf) % 4, 0);
	lineage_entity_id(buf, 5, "web1", 1, 1, 1, 1);
	assert_true(strlen(buf) < 5);
}

/* Ids of the exec and of its parent's entry: from the records that made
 * them; none for an image read from /proc; node= names the host. */
static void test_ids(void **state)
{
	struct proc_table *t = proc_table_new(NULL);
	struct proc_entry parent;
	struct lineage l;
	char want[LINEAGE_ID_MAX];

	(void)state;
	lineage_init(&l);
	run(t, NULL, 100, 1, 50, 5, "/bin/bash", "bash");
	next(101, 100, 60, "/usr/bin/tail");
	ev.msec = 9;
	begin(&l, t, NULL, &parent, 8, 0);
	lineage_entity_id(want, sizeof(want), "web1", 101, 60, 9, 1010);
	assert_string_equal(lineage_self_id(&l), want);
	lineage_entity_id(want, sizeof(want), "web1", 100, 50, 5, 1000);
	assert_string_equal(lineage_parent_id(&l), want);

	strcpy(ev.node, "db7");
	begin(&l, t, NULL, &parent, 8, 0);
	lineage_entity_id(want, sizeof(want), "db7", 101, 60, 9, 1010);
	assert_string_equal(lineage_self_id(&l), want);
	ev.node[0] = '\0';

	/* a parent from /proc has no id; a fork copy of it has the fork's */
	assert_int_equal(proc_table_put(t, 0, 200, 1, "/usr/sbin/sshd", &one,
					70), 0);
	next(201, 200, 71, "/bin/sh");
	begin(&l, t, NULL, &parent, 8, 0);
	assert_null(lineage_parent_id(&l));
	fork_of(t, 200, 202, 72, 4444);
	next(203, 202, 73, "/bin/sh");
	begin(&l, t, NULL, &parent, 8, 0);
	lineage_entity_id(want, sizeof(want), "web1", 202, 72, 0, 4444);
	assert_string_equal(lineage_parent_id(&l), want);
	/* no parent */
	next(300, 299, 74, "/bin/sh");
	begin(&l, t, NULL, &parent, 8, 0);
	assert_null(lineage_parent_id(&l));
	assert_non_null(lineage_self_id(&l));
	lineage_free(&l);
	proc_table_free(t);
}

static void test_previous(void **state)
{
	struct proc_table *t = proc_table_new(NULL);
	const struct lineage_image *p;
	struct proc_entry parent;
	struct lineage l;
	char want[LINEAGE_ID_MAX];

	(void)state;
	lineage_init(&l);
	run(t, NULL, 100, 1, 50, 0, "/bin/bash", "-bash");
	/* bash forks 101, which execs tail: previous = the fork copy */
	fork_of(t, 100, 101, 51, 777);
	next(101, 100, 52, "/usr/bin/tail");
	begin(&l, t, NULL, &parent, 8, 0);
	p = lineage_previous(&l);
	assert_non_null(p);
	assert_string_equal(p->exe, "/bin/bash");
	assert_int_equal(p->argv.argc, 1);
	assert_string_equal(p->argv.v[0].ptr, "-bash");
	lineage_entity_id(want, sizeof(want), "web1", 101, 51, 0, 777);
	assert_string_equal(p->entity_id, want);
	/* Ext.ancestry: the previous image, then the parent */
	assert_int_equal(lineage_ancestry(&l)->argc, 2);
	assert_string_equal(lineage_ancestry(&l)->v[0].ptr, want);
	assert_string_equal(lineage_ancestry(&l)->v[1].ptr,
			    lineage_parent_id(&l));

	/* bash -c 'tail' exec'ing in place: the earlier exec */
	run(t, NULL, 101, 100, 52, 0, "/usr/bin/bash", "bash");
	next(101, 100, 53, "/usr/bin/tail");
	begin(&l, t, NULL, &parent, 8, 0);
	p = lineage_previous(&l);
	assert_non_null(p);
	assert_string_equal(p->exe, "/usr/bin/bash");

	/* the pid's entry under another parent is another process */
	next(101, 1, 54, "/usr/bin/tail");
	begin(&l, t, NULL, &parent, 8, 0);
	assert_null(lineage_previous(&l));
	/* no table: nothing */
	lineage_begin(&l, NULL, NULL, 0, NULL, &ev, NULL, "h");
	assert_null(lineage_previous(&l));
	assert_int_equal(lineage_ancestry(&l)->argc, 0);
	lineage_free(&l);
	proc_table_free(t);
}

/* A chain 1 <- 1000 <- 1001 <- ... <- 1019: the walk goes from the
 * parent's parent up to `depth`, nearest first, and ends at pid 1. */
static void test_walk(void **state)
{
	struct proc_table *t = proc_table_new(NULL);
	const struct lineage_image *a;
	struct proc_table_stats st, st2;
	struct proc_entry parent;
	struct lineage l;
	char name[32];
	unsigned n, i;

	(void)state;
	lineage_init(&l);
	run(t, NULL, 1, 0, 10, 0, "/sbin/init", "init");
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "/bin/p%u", i);
		run(t, NULL, (pid_t)(1000 + i), i ? (pid_t)(999 + i) : 1,
		    20 + i, 0, name, name + 5);
	}
	next(2000, 1019, 100, "/usr/bin/tail");
	proc_table_stats(t, &st);
	begin(&l, t, NULL, &parent, 8, 0);
	n = lineage_ancestors(&l, &a);
	assert_int_equal(n, 8);
	for (i = 0; i < n; i++) {
		assert_int_equal(a[i].pid, 1018 - (pid_t)i);
		snprintf(name, sizeof(name), "/bin/p%u", 18 - i);
		assert_string_equal(a[i].exe, name);
		assert_string_equal(a[i].argv.v[0].ptr, name + 5);
		assert_non_null(a[i].entity_id);
	}
	/* Ext.ancestry: parent, then the ancestors' ids in their order */
	assert_int_equal(lineage_ancestry(&l)->argc, 9);
	assert_string_equal(lineage_ancestry(&l)->v[3].ptr, a[2].entity_id);
	/* for rules: the executables and the arguments, flattened */
	assert_int_equal(lineage_ancestor_exes(&l)->argc, 8);
	assert_string_equal(lineage_ancestor_exes(&l)->v[7].ptr, "/bin/p11");
	assert_int_equal(lineage_ancestor_args(&l)->argc, 8);
	assert_string_equal(lineage_ancestor_args(&l)->v[0].ptr, "p18");
	/* building it changed nothing in the table */
	proc_table_stats(t, &st2);
	assert_int_equal(st2.lookups, st.lookups + 1); /* begin's lookup */
	assert_int_equal(st2.hits, st.hits + 1);
	assert_int_equal(st2.inserts, st.inserts);

	/* deep enough: up to init, which ends it */
	begin(&l, t, NULL, &parent, 32, 0);
	n = lineage_ancestors(&l, &a);
	assert_int_equal(n, 20);
	assert_int_equal(a[18].pid, 1000);
	assert_int_equal(a[19].pid, 1);
	/* depth 0: none; over the maximum: the maximum */
	begin(&l, t, NULL, &parent, 0, 0);
	assert_int_equal(lineage_ancestors(&l, &a), 0);
	assert_int_equal(lineage_ancestry(&l)->argc, 1);
	begin(&l, t, NULL, &parent, 1000, 0);
	assert_int_equal(l.set.depth, LINEAGE_MAX_DEPTH);
	/* an unknown parent: no walk */
	next(2001, 5555, 100, "/usr/bin/tail");
	begin(&l, t, NULL, &parent, 8, 0);
	assert_int_equal(lineage_ancestors(&l, &a), 0);
	assert_int_equal(lineage_ancestry(&l)->argc, 0);
	lineage_free(&l);
	proc_table_free(t);
}

/* Where the walk stops: an unknown pid, a loop, an ancestor that began
 * after its child (pid reuse), and Ext.ancestry at the first entry
 * without an id. */
static void test_walk_stops(void **state)
{
	struct proc_table *t = proc_table_new(NULL);
	const struct lineage_image *a;
	struct proc_entry parent;
	struct lineage l;

	(void)state;
	lineage_init(&l);
	/* unknown: 10 <- 11 <- 12, 10's parent 9 unknown */
	run(t, NULL, 10, 9, 10, 0, "/a", "a");
	run(t, NULL, 11, 10, 11, 0, "/b", "b");
	run(t, NULL, 12, 11, 12, 0, "/c", "c");
	next(13, 12, 13, "/d");
	begin(&l, t, NULL, &parent, 8, 0);
	assert_int_equal(lineage_ancestors(&l, &a), 2);
	assert_int_equal(a[1].pid, 10);

	/* a loop: 20's parent 21, 21's parent 20 (pid reuse can do it) */
	run(t, NULL, 20, 21, 20, 0, "/x", "x");
	run(t, NULL, 21, 20, 20, 0, "/y", "y");
	run(t, NULL, 22, 21, 21, 0, "/z", "z");
	next(23, 22, 22, "/w");
	begin(&l, t, NULL, &parent, 8, 0);
	assert_int_equal(lineage_ancestors(&l, &a), 2);
	assert_int_equal(a[0].pid, 21);
	assert_int_equal(a[1].pid, 20);
	/* the exec's own pid on the path is a loop too */
	run(t, NULL, 30, 32, 30, 0, "/p", "p");
	run(t, NULL, 31, 30, 31, 0, "/q", "q");
	next(32, 31, 32, "/r");
	begin(&l, t, NULL, &parent, 8, 0);
	assert_int_equal(lineage_ancestors(&l, &a), 1);
	assert_int_equal(a[0].pid, 30);

	/* pid reuse: 40 began at 40, its parent's pid 41 belongs to a
	 * process that began at 45 - after its "child": a stranger */
	run(t, NULL, 41, 1, 45, 0, "/stranger", "s");
	run(t, NULL, 40, 41, 40, 0, "/child", "c");
	/* (40 exec'd under 41 at 40, before 41's owner began: recorded as
	 * its parent, as the records say; the walk must not go on) */
	run(t, NULL, 42, 40, 46, 0, "/grandchild", "g");
	next(43, 42, 47, "/e");
	begin(&l, t, NULL, &parent, 8, 0);
	assert_int_equal(lineage_ancestors(&l, &a), 1);
	assert_int_equal(a[0].pid, 40);
	/* the same tick is not "after" */
	run(t, NULL, 51, 1, 50, 500, "/p51", "p");
	run(t, NULL, 50, 51, 50, 500, "/p50", "p");
	run(t, NULL, 52, 50, 51, 0, "/p52", "p");
	next(53, 52, 52, "/e");
	begin(&l, t, NULL, &parent, 8, 0);
	assert_int_equal(lineage_ancestors(&l, &a), 2);
	/* a parent that began after the exec itself: no ancestors */
	run(t, NULL, 61, 1, 60, 0, "/p61", "p");
	run(t, NULL, 60, 61, 90, 0, "/late-parent", "p");
	next(62, 60, 80, "/e");
	begin(&l, t, NULL, &parent, 8, 0);
	assert_int_equal(lineage_ancestors(&l, &a), 0);

	/* an ancestor read from /proc is shown (it was alive then) with
	 * no id: Ext.ancestry stops before it */
	assert_int_equal(proc_table_put(t, 0, 70, 1, "/usr/sbin/sshd", &one,
					100), 0);
	run(t, NULL, 71, 70, 101, 0, "/bin/bash", "-bash");
	run(t, NULL, 72, 71, 102, 0, "/bin/sh", "sh");
	next(73, 72, 103, "/usr/bin/tail");
	begin(&l, t, NULL, &parent, 8, 0);
	assert_int_equal(lineage_ancestors(&l, &a), 2);
	assert_int_equal(a[1].pid, 70);
	assert_null(a[1].entity_id);
	assert_non_null(a[0].entity_id);
	assert_int_equal(lineage_ancestry(&l)->argc, 2);
	lineage_free(&l);
	proc_table_free(t);
}

/* The session's execs before this one, oldest first; none outside a
 * session, none when off. */
static void test_timeline_view(void **state)
{
	struct timeline_limits lim = { 16, 8, 256 };
	struct proc_table *t = proc_table_new(NULL);
	struct timeline *tl = timeline_new(&lim);
	const struct timeline_entry *e;
	enum lineage_timeline_state st;
	struct proc_entry parent;
	struct lineage l;
	unsigned n;

	(void)state;
	assert_non_null(tl);
	lineage_init(&l);
	run(t, tl, 100, 1, 10, 0, "/bin/bash", "-bash");
	run(t, tl, 101, 100, 11, 0, "/usr/bin/id", "id");
	run(t, tl, 102, 100, 12, 0, "/usr/bin/ls", "ls");
	next(103, 100, 13, "/usr/bin/tail");
	begin(&l, t, tl, &parent, 8, 8);
	n = lineage_timeline(&l, &e, &st);
	assert_int_equal(st, LINEAGE_TIMELINE_SESSION);
	assert_int_equal(n, 3);
	assert_int_equal(e[0].pid, 100);
	assert_int_equal(e[2].pid, 102);
	assert_string_equal(e[2].argv.v[0].ptr, "ls");
	assert_int_equal(lineage_timeline_args(&l)->argc, 3);
	assert_string_equal(lineage_timeline_args(&l)->v[1].ptr, "id");
	/* shown: at most `timeline`, the newest */
	begin(&l, t, tl, &parent, 8, 2);
	n = lineage_timeline(&l, &e, NULL);
	assert_int_equal(n, 2);
	assert_int_equal(e[0].pid, 101);
	/* ses unset: said, and none */
	ev.ses = EXEC_ID_UNSET;
	begin(&l, t, tl, &parent, 8, 8);
	assert_int_equal(lineage_timeline(&l, &e, &st), 0);
	assert_int_equal(st, LINEAGE_TIMELINE_NO_SESSION);
	assert_int_equal(lineage_timeline_args(&l)->argc, 0);
	/* off */
	ev.ses = 5;
	begin(&l, t, tl, &parent, 8, 0);
	assert_int_equal(lineage_timeline(&l, &e, &st), 0);
	assert_int_equal(st, LINEAGE_TIMELINE_OFF);
	begin(&l, t, NULL, &parent, 8, 8);
	assert_int_equal(lineage_timeline(&l, &e, &st), 0);
	assert_int_equal(st, LINEAGE_TIMELINE_OFF);
	/* another session */
	ev.ses = 6;
	begin(&l, t, tl, &parent, 8, 8);
	assert_int_equal(lineage_timeline(&l, &e, &st), 0);
	assert_int_equal(st, LINEAGE_TIMELINE_SESSION);
	lineage_free(&l);
	timeline_free(tl);
	proc_table_free(t);
}

/* Rules read the flattened arguments of every ancestor: cut at
 * LINEAGE_EQL_MAX_ARGS elements, marked. */
static void test_flat_cap(void **state)
{
	static struct argv_arg v[5000];
	struct proc_table_limits plim = { 0, 1u << 20, 1u << 26 };
	struct proc_table *t = proc_table_new(&plim);
	struct argv av = { 5000, v, 5000, 0 };
	const struct lineage_image *a;
	struct proc_entry parent;
	struct lineage l;
	unsigned i;

	(void)state;
	assert_non_null(t);
	lineage_init(&l);
	for (i = 0; i < 5000; i++)
		v[i] = (struct argv_arg){ "a", 1 };
	for (i = 0; i < 4; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.pid = (pid_t)(10 + i);
		ev.ppid = (pid_t)(9 + i);
		ev.sec = 10 + i;
		strcpy(ev.exe, "/bin/many");
		exec_event_set_name(&ev);
		ev.argv = &av;
		assert_int_equal(proc_table_exec(t, 0, &ev), 0);
	}
	next(20, 13, 30, "/e");
	begin(&l, t, NULL, &parent, 8, 0);
	assert_int_equal(l.built, 0); /* nothing before it is asked for */
	assert_int_equal(lineage_ancestors(&l, &a), 3);
	assert_int_equal(lineage_ancestor_args(&l)->argc, LINEAGE_EQL_MAX_ARGS);
	assert_true(lineage_ancestor_args(&l)->flags & ARGV_TRUNCATED);
	lineage_free(&l);
	proc_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entity_id),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_previous),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_walk_stops),
		cmocka_unit_test(test_timeline_view),
		cmocka_unit_test(test_flat_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
