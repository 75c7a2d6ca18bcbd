/*
 * test_proc_table.c - unit tests for the bounded process table.
 *
 * Inputs are built by hand (struct argv over a static struct argv_arg
 * array) so the table is tested without the argv builder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc_table.h"

/* The allocation-failure test asks for more than the address space; under
 * AddressSanitizer that must return NULL instead of aborting. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

#define MAX_TEST_ARGS 16

/* An entry's flags about its image; PROC_HAS_CREDS is tested on its own
 * (test_creds_*). */
#define IMG(f) ((f) & ~(unsigned)PROC_HAS_CREDS)

struct test_argv {
	struct argv_arg a[MAX_TEST_ARGS];
	struct argv av;
};

static void set_argv(struct test_argv *ta, const char *const *args,
		     uint32_t n, unsigned flags)
{
	uint32_t i;

	assert_true(n <= MAX_TEST_ARGS);
	memset(ta, 0, sizeof(*ta));
	for (i = 0; i < n; i++) {
		ta->a[i].ptr = args[i];
		ta->a[i].len = (uint32_t)strlen(args[i]);
		ta->av.total_bytes += ta->a[i].len;
	}
	ta->av.argc = n;
	ta->av.v = ta->a;
	ta->av.flags = flags;
}

/* exec_event is large; tests share one and only touch what the table reads. */
static struct exec_event ev_buf;

static void set_event(struct exec_event *ev, pid_t pid, pid_t ppid,
		      const char *exe, const struct argv *av, time_t sec)
{
	const char *slash;

	ev->pid = pid;
	ev->ppid = ppid;
	ev->sec = sec;
	ev->msec = 0;
	snprintf(ev->exe, sizeof(ev->exe), "%s", exe);
	slash = strrchr(ev->exe, '/');
	ev->name = slash ? slash + 1 : ev->exe;
	ev->name_len = strlen(ev->name);
	ev->argv = av;
}

static int exec_args(struct proc_table *t, pid_t pid, pid_t ppid,
		     const char *exe, time_t sec, const char *const *args,
		     uint32_t n, unsigned argv_flags)
{
	struct test_argv ta;

	set_argv(&ta, args, n, argv_flags);
	set_event(&ev_buf, pid, ppid, exe, &ta.av, sec);
	return proc_table_exec(t, 0, &ev_buf);
}

/* An exec on `node` at audit time `ms` (milliseconds). */
static int exec_node_at(struct proc_table *t, uint32_t node, pid_t pid,
			pid_t ppid, long long ms, const char *const *args,
			uint32_t n)
{
	struct test_argv ta;

	set_argv(&ta, args, n, 0);
	set_event(&ev_buf, pid, ppid, "/bin/a", &ta.av, (time_t)(ms / 1000));
	ev_buf.msec = (unsigned)(ms % 1000);
	return proc_table_exec(t, node, &ev_buf);
}

/* An exec at audit time sec.msec. */
static int exec_at(struct proc_table *t, pid_t pid, pid_t ppid,
		   const char *exe, time_t sec, unsigned msec,
		   const char *const *args, uint32_t n)
{
	struct test_argv ta;

	set_argv(&ta, args, n, 0);
	set_event(&ev_buf, pid, ppid, exe, &ta.av, sec);
	ev_buf.msec = msec;
	return proc_table_exec(t, 0, &ev_buf);
}

static int exec_node(struct proc_table *t, uint32_t node, pid_t pid,
		     pid_t ppid, const char *exe, time_t sec,
		     const char *const *args, uint32_t n)
{
	struct test_argv ta;

	set_argv(&ta, args, n, 0);
	set_event(&ev_buf, pid, ppid, exe, &ta.av, sec);
	return proc_table_exec(t, node, &ev_buf);
}

/* A fork record without credentials (the table tests' usual case). */
static int fork_at(struct proc_table *t, uint32_t node, pid_t parent,
		   pid_t child, time_t sec, unsigned msec)
{
	struct fork_event fe = {
		.sec = sec, .msec = msec, .node = "",
		.parent = parent, .child = child,
	};

	return proc_table_fork(t, node, &fe);
}

/* One argument of `len` bytes of `c`. */
static int exec_big_on(struct proc_table *t, uint32_t node, pid_t pid,
		       size_t len, char c)
{
	struct argv_arg a;
	struct argv av = { 0 };
	char *buf = malloc(len + 1);
	int rc;

	assert_non_null(buf);
	memset(buf, c, len);
	buf[len] = '\0';
	a.ptr = buf;
	a.len = (uint32_t)len;
	av.argc = 1;
	av.v = &a;
	av.total_bytes = len;
	set_event(&ev_buf, pid, 1, "/usr/bin/big", &av, 0);
	rc = proc_table_exec(t, node, &ev_buf);
	free(buf);
	return rc;
}

static int exec_big(struct proc_table *t, pid_t pid, size_t len, char c)
{
	return exec_big_on(t, 0, pid, len, c);
}

static void assert_argv_is(const struct argv *av, const char *const *args,
			   uint32_t n)
{
	size_t total = 0;
	uint32_t i;

	assert_int_equal(av->argc, n);
	for (i = 0; i < n; i++) {
		size_t len = strlen(args[i]);

		assert_int_equal(av->v[i].len, len);
		assert_memory_equal(av->v[i].ptr, args[i], len);
		assert_int_equal(av->v[i].ptr[len], '\0');
		total += len;
	}
	assert_int_equal(av->total_bytes, total);
}

static struct proc_table *new_table(uint32_t entries, size_t entry_bytes,
				    size_t total_bytes)
{
	struct proc_table_limits lim = {
		.max_entries = entries,
		.max_entry_argv_bytes = entry_bytes,
		.max_total_argv_bytes = total_bytes,
	};
	struct proc_table *t = proc_table_new(&lim);

	assert_non_null(t);
	return t;
}

static bool known(struct proc_table *t, pid_t pid)
{
	return proc_table_lookup(t, 0, pid, NULL);
}

static bool known_on(struct proc_table *t, uint32_t node, pid_t pid)
{
	return proc_table_lookup(t, node, pid, NULL);
}

static void test_exec_then_lookup(void **state)
{
	static const char *const args[] = { "bash", "-c", "echo hi",
					    "\x01\xff\t\"x\"", "" };
	char scratch[] = "mutable";
	const char *const args2[] = { scratch };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_entry e;
	struct test_argv ta;

	(void)state;
	assert_non_null(t);
	assert_int_equal(exec_args(t, 100, 1, "/usr/bin/bash", 1234, args, 5,
				   0), 0);
	assert_true(proc_table_lookup(t, 0, 100, &e));
	assert_int_equal(e.pid, 100);
	assert_int_equal(e.ppid, 1);
	assert_string_equal(e.exe, "/usr/bin/bash");
	assert_string_equal(e.name, "bash");
	assert_int_equal(e.last_seen, 1234);
	assert_int_equal(IMG(e.flags), 0);
	assert_argv_is(&e.argv, args, 5);

	/* The table keeps its own copy: the event's buffers are reused. */
	set_argv(&ta, args2, 1, 0);
	set_event(&ev_buf, 101, 100, "/bin/cat", &ta.av, 5);
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	memset(scratch, 'X', strlen(scratch));
	memset(ev_buf.exe, 'Y', 8);
	assert_true(proc_table_lookup(t, 0, 101, &e));
	assert_string_equal(e.exe, "/bin/cat");
	assert_string_equal(e.name, "cat");
	assert_int_equal(e.argv.argc, 1);
	assert_string_equal(e.argv.v[0].ptr, "mutable");

	/* A kernel thread or failed exe lookup: exe "", name from comm. */
	set_argv(&ta, NULL, 0, 0);
	set_event(&ev_buf, 102, 2, "", &ta.av, 6);
	ev_buf.name = "kworker/0:1";
	ev_buf.name_len = 6; /* only the first name_len bytes count */
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	assert_true(proc_table_lookup(t, 0, 102, &e));
	assert_string_equal(e.exe, "");
	assert_string_equal(e.name, "kworke");
	assert_int_equal(e.argv.argc, 0);

	/* A name that differs from basename(exe) is stored on its own. */
	set_event(&ev_buf, 103, 2, "/usr/bin/python3", &ta.av, 6);
	ev_buf.name = "script.py";
	ev_buf.name_len = strlen(ev_buf.name);
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	assert_true(proc_table_lookup(t, 0, 103, &e));
	assert_string_equal(e.exe, "/usr/bin/python3");
	assert_string_equal(e.name, "script.py");

	proc_table_free(t);
}

static void test_replace_image(void **state)
{
	static const char *const sh[] = { "sh", "-c", "curl x | sh" };
	static const char *const curl[] = { "curl", "-s", "http://x/" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_table_stats st, st1;
	struct proc_entry e;

	(void)state;
	assert_int_equal(exec_args(t, 100, 1, "/bin/sh", 10, sh, 3,
				   ARGV_TRUNCATED), 0);
	assert_true(proc_table_lookup(t, 0, 100, &e));
	assert_int_equal(IMG(e.flags), PROC_ARGV_TRUNCATED);
	assert_true(e.argv.flags & ARGV_TRUNCATED);
	proc_table_stats(t, &st1);

	assert_int_equal(exec_args(t, 100, 7, "/usr/bin/curl", 11, curl, 3, 0),
			 0);
	assert_true(proc_table_lookup(t, 0, 100, &e));
	assert_int_equal(e.ppid, 7);
	assert_string_equal(e.exe, "/usr/bin/curl");
	assert_string_equal(e.name, "curl");
	assert_int_equal(e.last_seen, 11);
	assert_int_equal(IMG(e.flags), 0);
	assert_int_equal(e.argv.flags, 0);
	assert_argv_is(&e.argv, curl, 3);

	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.inserts, 2);
	assert_int_equal(st.evictions, 0);
	/* The old blob was given back, not leaked into the budget. */
	assert_true(st.argv_bytes < 2 * st1.argv_bytes);
	assert_true(st.argv_bytes > 0);
	proc_table_free(t);
}

static void test_fork_inheritance(void **state)
{
	static const char *const sh[] = { "bash", "-c", "(sleep 1; id)" };
	static const char *const id[] = { "id" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_table_stats st;
	struct proc_entry p, c, g;

	(void)state;
	assert_int_equal(exec_args(t, 100, 1, "/usr/bin/bash", 10, sh, 3, 0),
			 0);
	assert_int_equal(fork_at(t, 0, 100, 101, 20, 0), 0);
	assert_true(proc_table_lookup(t, 0, 101, &c));
	assert_int_equal(c.pid, 101);
	assert_int_equal(c.ppid, 100);
	assert_string_equal(c.exe, "/usr/bin/bash");
	assert_string_equal(c.name, "bash");
	assert_int_equal(c.last_seen, 20);
	assert_int_equal(IMG(c.flags), PROC_FORKED);
	assert_argv_is(&c.argv, sh, 3);
	assert_true(proc_table_lookup(t, 0, 100, &p));
	assert_ptr_not_equal(p.argv.v[0].ptr, c.argv.v[0].ptr);
	assert_ptr_not_equal(p.exe, c.exe);

	/* Subshell of the subshell. */
	assert_int_equal(fork_at(t, 0, 101, 102, 30, 0), 0);
	assert_true(proc_table_lookup(t, 0, 102, &g));
	assert_int_equal(g.ppid, 101);
	assert_int_equal(IMG(g.flags), PROC_FORKED);
	assert_string_equal(g.exe, "/usr/bin/bash");
	assert_argv_is(&g.argv, sh, 3);

	/* The grandchild execs: its parent's argv is still the shell's. */
	assert_int_equal(exec_args(t, 102, 101, "/usr/bin/id", 31, id, 1, 0),
			 0);
	assert_true(proc_table_lookup(t, 0, 102, &g));
	assert_int_equal(IMG(g.flags), 0);
	assert_true(proc_table_lookup(t, 0, g.ppid, &c));
	assert_argv_is(&c.argv, sh, 3);

	/* Unknown parent and self-fork: no-ops. */
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.forks, 2);
	assert_int_equal(fork_at(t, 0, 999, 103, 40, 0), 0);
	assert_false(known(t, 103));
	assert_int_equal(fork_at(t, 0, 100, 100, 40, 0), 0);
	assert_true(proc_table_lookup(t, 0, 100, &p));
	assert_int_equal(IMG(p.flags), 0);
	assert_int_equal(p.ppid, 1);
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.forks, 2);

	/* pid reuse: an unknown process forks a child that gets pid 102,
	 * which the table still holds for the old `id`. The old image must
	 * not be taken for the new child's. */
	assert_int_equal(fork_at(t, 0, 999, 102, 50, 0), 0);
	assert_false(known(t, 102));
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.evictions, 0);

	proc_table_free(t);
}

static void test_fork_keeps_truncated(void **state)
{
	static const char *const args[] = { "xargs", "-0" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_entry c;

	(void)state;
	assert_int_equal(exec_args(t, 10, 1, "/usr/bin/xargs", 1, args, 2,
				   ARGV_TRUNCATED | ARGV_INCOMPLETE), 0);
	assert_int_equal(fork_at(t, 0, 10, 11, 2, 0), 0);
	assert_true(proc_table_lookup(t, 0, 11, &c));
	assert_int_equal(IMG(c.flags), PROC_FORKED | PROC_ARGV_TRUNCATED);
	assert_int_equal(c.argv.flags, ARGV_TRUNCATED | ARGV_INCOMPLETE);
	assert_argv_is(&c.argv, args, 2);
	proc_table_free(t);
}

static void test_lru_order(void **state)
{
	static const char *const a[] = { "x" };
	struct proc_table *t = new_table(4, 0, 0);
	struct proc_table_stats st;
	pid_t pid;

	(void)state;
	for (pid = 1; pid <= 4; pid++)
		assert_int_equal(exec_args(t, pid, 0, "/bin/x", pid, a, 1, 0),
				 0);
	/* Recency now (LRU first): 1 2 3 4; the lookup makes it 2 3 4 1. */
	assert_true(known(t, 1));
	assert_int_equal(exec_args(t, 5, 0, "/bin/x", 5, a, 1, 0), 0);
	/* 3 4 1 5; a miss does not change the order. */
	assert_false(known(t, 2));
	/* Replacing a present pid when full evicts nobody: 4 1 5 3. */
	assert_int_equal(exec_args(t, 3, 0, "/bin/y", 6, a, 1, 0), 0);
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.evictions, 1);
	/* A fork refreshes its parent: 1 5 3 4, then the child evicts 1. */
	assert_int_equal(fork_at(t, 0, 4, 6, 7, 0), 0);
	assert_false(known(t, 1));
	/* 5 3 4 6 */
	assert_int_equal(exec_args(t, 7, 0, "/bin/x", 8, a, 1, 0), 0);
	assert_false(known(t, 5));
	assert_true(known(t, 3));
	assert_true(known(t, 4));
	assert_true(known(t, 6));
	assert_true(known(t, 7));
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.evictions, 3);
	proc_table_free(t);
}

static void test_entry_argv_cap(void **state)
{
	static const char *const fit[] = { "abc", "defg", "hij" };
	static const char *const over[] = { "abc", "defg", "hij", "k" };
	static const char *const hole[] = { "abc", "0123456789", "x" };
	static const char *const huge[] = { "0123456789A" };
	struct proc_table *t = new_table(0, 10, 0);
	struct proc_entry e;

	(void)state;
	/* Exactly at the cap: kept whole, not truncated. */
	assert_int_equal(exec_args(t, 1, 0, "/bin/a", 0, fit, 3, 0), 0);
	assert_true(proc_table_lookup(t, 0, 1, &e));
	assert_int_equal(IMG(e.flags), 0);
	assert_argv_is(&e.argv, fit, 3);

	assert_int_equal(exec_args(t, 2, 0, "/bin/a", 0, over, 4, 0), 0);
	assert_true(proc_table_lookup(t, 0, 2, &e));
	assert_int_equal(IMG(e.flags), PROC_ARGV_TRUNCATED);
	assert_true(e.argv.flags & ARGV_TRUNCATED);
	assert_argv_is(&e.argv, over, 3);

	/* Stop at the first argument that does not fit, even if a later,
	 * shorter one would: argv keeps its order. */
	assert_int_equal(exec_args(t, 3, 0, "/bin/a", 0, hole, 3, 0), 0);
	assert_true(proc_table_lookup(t, 0, 3, &e));
	assert_int_equal(IMG(e.flags), PROC_ARGV_TRUNCATED);
	assert_argv_is(&e.argv, hole, 1);

	assert_int_equal(exec_args(t, 4, 0, "/bin/a", 0, huge, 1, 0), 0);
	assert_true(proc_table_lookup(t, 0, 4, &e));
	assert_int_equal(IMG(e.flags), PROC_ARGV_TRUNCATED);
	assert_int_equal(e.argv.argc, 0);
	assert_int_equal(e.argv.total_bytes, 0);
	assert_string_equal(e.exe, "/bin/a");

	/* Forking a capped entry copies what was kept and the mark. */
	assert_int_equal(fork_at(t, 0, 2, 5, 0, 0), 0);
	assert_true(proc_table_lookup(t, 0, 5, &e));
	assert_int_equal(IMG(e.flags), PROC_ARGV_TRUNCATED | PROC_FORKED);
	assert_argv_is(&e.argv, over, 3);
	proc_table_free(t);
}

#define BUDGET (64u * 1024u)

static void test_total_argv_cap(void **state)
{
	struct proc_table *t = new_table(100, 1024 * 1024, BUDGET);
	struct proc_table_stats st;
	struct proc_entry e;
	pid_t pid;

	(void)state;
	/* Four blobs of ~15 KB fit 64 KiB, a fifth does not. */
	for (pid = 1; pid <= 4; pid++)
		assert_int_equal(exec_big(t, pid, 15000, 'a'), 0);
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.evictions, 0);
	assert_true(st.argv_bytes >= 4 * 15000);

	assert_true(known(t, 1));
	assert_int_equal(exec_big(t, 5, 15000, 'b'), 0);
	assert_false(known(t, 2));
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.evictions, 1);
	assert_true(st.argv_bytes <= BUDGET);

	/* 3 4 1 5: 30 KB needs two of them to go. */
	assert_int_equal(exec_big(t, 6, 30000, 'c'), 0);
	assert_false(known(t, 3));
	assert_false(known(t, 4));
	assert_true(proc_table_lookup(t, 0, 6, &e));
	assert_int_equal(e.argv.argc, 1);
	assert_int_equal(e.argv.v[0].len, 30000);
	assert_int_equal(e.argv.v[0].ptr[29999], 'c');
	assert_true(known(t, 1));
	assert_true(known(t, 5));
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.evictions, 3);
	assert_true(st.argv_bytes <= BUDGET);

	/* Growing an entry in place counts its old blob as freed: with
	 * 1 5 6, growing 5 to 30 KB needs only 1 to go. */
	assert_true(known(t, 6));
	assert_int_equal(exec_big(t, 5, 30000, 'd'), 0);
	assert_false(known(t, 1));
	assert_true(known(t, 6));
	assert_true(proc_table_lookup(t, 0, 5, &e));
	assert_int_equal(e.argv.v[0].ptr[0], 'd');
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 2);
	assert_true(st.argv_bytes <= BUDGET);
	proc_table_free(t);
}

static void test_grow_lru_entry(void **state)
{
	struct proc_table *t = new_table(100, 1024 * 1024, BUDGET);
	struct proc_table_stats st;
	struct proc_entry e;
	pid_t pid;

	(void)state;
	/* The entry being replaced is itself the LRU one: the budget must
	 * be found among the others. */
	for (pid = 1; pid <= 4; pid++)
		assert_int_equal(exec_big(t, pid, 15000, 'a'), 0);
	assert_int_equal(exec_big(t, 1, 25000, 'g'), 0);
	assert_false(known(t, 2));
	assert_true(proc_table_lookup(t, 0, 1, &e));
	assert_int_equal(e.argv.v[0].len, 25000);
	assert_int_equal(e.argv.v[0].ptr[24999], 'g');
	assert_true(known(t, 3));
	assert_true(known(t, 4));
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.evictions, 1);
	assert_true(st.argv_bytes <= BUDGET);
	proc_table_free(t);
}

static void test_argv_larger_than_budget_share(void **state)
{
	static char arg[3][20001];
	static const char *const args[] = { arg[0], arg[1], arg[2] };
	struct proc_table *t = new_table(0, 1024 * 1024, BUDGET);
	struct proc_table_stats st;
	struct proc_entry e;
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		memset(arg[i], 'p' + i, 20000);
	/* One entry may use half the budget: the first argument only. */
	assert_int_equal(exec_args(t, 1, 0, "/bin/a", 0, args, 3, 0), 0);
	assert_true(proc_table_lookup(t, 0, 1, &e));
	assert_int_equal(IMG(e.flags), PROC_ARGV_TRUNCATED);
	assert_argv_is(&e.argv, args, 1);
	proc_table_stats(t, &st);
	assert_true(st.argv_bytes <= BUDGET / 2);
	proc_table_free(t);
}

static void test_fork_full_parent_lru(void **state)
{
	static const char *const sh[] = { "sh", "-c", "a | b" };
	static const char *const x[] = { "x" };
	struct proc_table *t = new_table(4, 0, 0);
	struct proc_entry e;
	pid_t pid;

	(void)state;
	assert_int_equal(exec_args(t, 1, 0, "/bin/sh", 1, sh, 3, 0), 0);
	for (pid = 2; pid <= 4; pid++)
		assert_int_equal(exec_args(t, pid, 1, "/bin/x", 1, x, 1, 0),
				 0);
	/* The parent is the LRU entry and the table is full. */
	assert_int_equal(fork_at(t, 0, 1, 10, 2, 0), 0);
	assert_true(proc_table_lookup(t, 0, 10, &e));
	assert_int_equal(e.ppid, 1);
	assert_string_equal(e.exe, "/bin/sh");
	assert_argv_is(&e.argv, sh, 3);
	assert_false(known(t, 2));
	assert_true(proc_table_lookup(t, 0, 1, &e));
	assert_argv_is(&e.argv, sh, 3);
	proc_table_free(t);
}

static void test_fork_budget_parent_lru(void **state)
{
	struct proc_table *t = new_table(100, 1024 * 1024, BUDGET);
	struct proc_table_stats st;
	struct proc_entry e;

	(void)state;
	/* The parent's blob is LRU and the budget can only take the child's
	 * copy after evicting: the others must go, never the source. */
	assert_int_equal(exec_big(t, 1, 20000, 'P'), 0);
	assert_int_equal(exec_big(t, 2, 20000, 'q'), 0);
	assert_int_equal(exec_big(t, 3, 20000, 'r'), 0);
	assert_int_equal(fork_at(t, 0, 1, 10, 5, 0), 0);
	assert_false(known(t, 2));
	assert_true(known(t, 3));
	assert_true(proc_table_lookup(t, 0, 10, &e));
	assert_int_equal(e.argv.argc, 1);
	assert_int_equal(e.argv.v[0].len, 20000);
	assert_int_equal(e.argv.v[0].ptr[0], 'P');
	assert_int_equal(e.argv.v[0].ptr[19999], 'P');
	assert_true(proc_table_lookup(t, 0, 1, &e));
	assert_int_equal(e.argv.v[0].ptr[19999], 'P');

	/* A parent with the largest blob allowed (half the budget) that is
	 * also the LRU entry: everyone else goes, the parent stays. */
	assert_int_equal(exec_big(t, 20, 32000, 'Z'), 0);
	assert_false(known(t, 3));
	assert_false(known(t, 10));
	assert_true(known(t, 1));
	assert_int_equal(fork_at(t, 0, 20, 21, 6, 0), 0);
	assert_false(known(t, 1));
	assert_true(proc_table_lookup(t, 0, 21, &e));
	assert_int_equal(e.argv.v[0].len, 32000);
	assert_int_equal(e.argv.v[0].ptr[31999], 'Z');
	assert_true(proc_table_lookup(t, 0, 20, &e));
	assert_int_equal(e.argv.v[0].ptr[31999], 'Z');
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 2);
	assert_true(st.argv_bytes <= BUDGET);
	proc_table_free(t);
}

#define MILLION 1000000

static void test_million_pids(void **state)
{
	static const char *const a[] = { "sh", "-c", "true" };
	static char big[4001];
	static const char *const b[] = { "sh", big };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_table_stats st;
	struct test_argv ta;
	struct proc_entry e;
	pid_t pid;

	(void)state;
	set_argv(&ta, a, 3, 0);
	set_event(&ev_buf, 0, 1, "/bin/sh", &ta.av, 0);
	for (pid = 1; pid <= MILLION; pid++) {
		ev_buf.pid = pid;
		assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	}
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, PROC_TABLE_DEFAULT_ENTRIES);
	assert_int_equal(st.inserts, MILLION);
	assert_int_equal(st.evictions, MILLION - PROC_TABLE_DEFAULT_ENTRIES);
	assert_true(st.argv_bytes <= PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES);
	/* Exactly the newest entries survive, all still reachable. */
	for (pid = MILLION - PROC_TABLE_DEFAULT_ENTRIES + 1; pid <= MILLION;
	     pid++)
		assert_true(known(t, pid));
	assert_false(known(t, MILLION - PROC_TABLE_DEFAULT_ENTRIES));
	assert_false(known(t, 1));
	assert_true(proc_table_lookup(t, 0, MILLION, &e));
	assert_argv_is(&e.argv, a, 3);

	/* Big argvs: now the byte budget is what bounds the table. */
	memset(big, 'b', 4000);
	set_argv(&ta, b, 2, 0);
	for (pid = 2 * MILLION; pid < 2 * MILLION + 20000; pid++) {
		ev_buf.pid = pid;
		assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
		if (pid % 1000 == 0) {
			proc_table_stats(t, &st);
			assert_true(st.argv_bytes <=
				    PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES);
		}
	}
	proc_table_stats(t, &st);
	assert_true(st.argv_bytes <= PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES);
	assert_true(st.argv_bytes > PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES - 8192);
	assert_true(st.entries < PROC_TABLE_DEFAULT_ENTRIES);
	assert_true(proc_table_lookup(t, 0, 2 * MILLION + 19999, &e));
	assert_argv_is(&e.argv, b, 2);
	proc_table_free(t);
}

/* A table sized for a fleet fills by entries, not by bytes: with the
 * budget proc_table_argv_budget gives, 65536 processes of 700 bytes each
 * (44 MiB, over the 32 MiB default) are all kept; the default size keeps
 * the default budget. */
static void test_argv_budget_scales(void **state)
{
	static char arg[640];
	static const char *const a[] = { "sh", arg };
	const uint32_t n = 65536;
	struct proc_table_limits lim = {
		.max_entries = n,
		.max_total_argv_bytes = proc_table_argv_budget(n),
	};
	struct proc_table *t;
	struct proc_table_stats st;
	struct test_argv ta;
	pid_t pid;

	(void)state;
	assert_int_equal(proc_table_argv_budget(PROC_TABLE_DEFAULT_ENTRIES),
			 PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES);
	assert_int_equal(proc_table_argv_budget(64),
			 PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES);
	assert_int_equal(proc_table_argv_budget(1u << 20), (size_t)2 << 30);
	t = proc_table_new(&lim);
	assert_non_null(t);
	memset(arg, 'a', sizeof(arg) - 1);
	set_argv(&ta, a, 2, 0);
	set_event(&ev_buf, 0, 1, "/bin/sh", &ta.av, 0);
	for (pid = 1; pid <= (pid_t)n; pid++) {
		ev_buf.pid = pid;
		assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	}
	proc_table_stats(t, &st);
	assert_true(st.argv_bytes > PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES);
	assert_int_equal(st.evictions, 0);
	assert_int_equal(st.entries, n);
	assert_true(known(t, 1));
	proc_table_free(t);
}

/* ---- nodes: the key is (node, pid) ------------------------------------ */

static void test_same_pid_two_nodes(void **state)
{
	static const char *const a[] = { "sh", "/boot/x.sh" };
	static const char *const b[] = { "sh", "/srv/y.sh" };
	static const char *const c[] = { "bash" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_table_stats st;
	struct proc_entry e;

	(void)state;
	assert_int_equal(exec_node(t, 1, 100, 1, "/bin/sh", 10, a, 2), 0);
	assert_int_equal(exec_node(t, 2, 100, 7, "/bin/dash", 11, b, 2), 0);
	assert_true(proc_table_lookup(t, 1, 100, &e));
	assert_int_equal(e.node, 1);
	assert_int_equal(e.pid, 100);
	assert_int_equal(e.ppid, 1);
	assert_string_equal(e.exe, "/bin/sh");
	assert_int_equal(e.last_seen, 10);
	assert_argv_is(&e.argv, a, 2);
	assert_true(proc_table_lookup(t, 2, 100, &e));
	assert_int_equal(e.node, 2);
	assert_int_equal(e.ppid, 7);
	assert_string_equal(e.exe, "/bin/dash");
	assert_argv_is(&e.argv, b, 2);
	/* Neither is the entry of a third node, nor of "no node". */
	assert_false(known(t, 100));
	assert_false(known_on(t, 3, 100));
	assert_false(known_on(t, UINT32_MAX, 100));

	/* Replacing one node's image leaves the other's alone. */
	assert_int_equal(exec_node(t, 1, 100, 1, "/bin/bash", 12, c, 1), 0);
	assert_true(proc_table_lookup(t, 2, 100, &e));
	assert_argv_is(&e.argv, b, 2);
	assert_true(proc_table_lookup(t, 1, 100, &e));
	assert_argv_is(&e.argv, c, 1);
	/* So does a /proc entry put on a third node. */
	assert_int_equal(proc_table_put(t, 0, 100, 1, "/sbin/init", NULL, 13),
			 0);
	assert_true(proc_table_lookup(t, 0, 100, &e));
	assert_int_equal(e.node, 0);
	assert_string_equal(e.exe, "/sbin/init");
	assert_true(proc_table_lookup(t, 2, 100, &e));
	assert_string_equal(e.exe, "/bin/dash");
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.inserts, 4);
	assert_int_equal(st.evictions, 0);
	proc_table_free(t);
}

static void test_fork_within_node(void **state)
{
	static const char *const a[] = { "sh", "/boot/x.sh" };
	static const char *const b[] = { "sh", "/srv/y.sh" };
	static const char *const id[] = { "id" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_table_stats st;
	struct proc_entry e;

	(void)state;
	assert_int_equal(exec_node(t, 1, 100, 1, "/bin/sh", 10, a, 2), 0);
	assert_int_equal(exec_node(t, 2, 100, 1, "/bin/sh", 10, b, 2), 0);
	/* Node 2's fork copies node 2's parent, into node 2 only. */
	assert_int_equal(fork_at(t, 2, 100, 101, 20, 0), 0);
	assert_true(proc_table_lookup(t, 2, 101, &e));
	assert_int_equal(e.node, 2);
	assert_int_equal(e.ppid, 100);
	assert_int_equal(IMG(e.flags), PROC_FORKED);
	assert_argv_is(&e.argv, b, 2);
	assert_false(known_on(t, 1, 101));
	assert_false(known(t, 101));
	assert_int_equal(fork_at(t, 1, 100, 101, 21, 0), 0);
	assert_true(proc_table_lookup(t, 1, 101, &e));
	assert_argv_is(&e.argv, a, 2);
	assert_true(proc_table_lookup(t, 2, 101, &e));
	assert_argv_is(&e.argv, b, 2);

	/* A parent known on another node only is unknown: no copy, and the
	 * child's stale entry on the fork's own node goes, nowhere else. */
	assert_int_equal(exec_node(t, 3, 101, 1, "/usr/bin/id", 22, id, 1), 0);
	assert_int_equal(fork_at(t, 3, 100, 101, 23, 0), 0);
	assert_false(known_on(t, 3, 101));
	assert_true(known_on(t, 1, 101));
	assert_true(known_on(t, 2, 101));
	assert_int_equal(fork_at(t, 1, 999, 101, 24, 0), 0);
	assert_false(known_on(t, 1, 101));
	assert_true(proc_table_lookup(t, 2, 101, &e));
	assert_argv_is(&e.argv, b, 2);

	/* A grandchild on node 2 still finds node 2's shell. */
	assert_int_equal(fork_at(t, 2, 101, 102, 25, 0), 0);
	assert_int_equal(exec_node(t, 2, 102, 101, "/usr/bin/id", 26, id, 1),
			 0);
	assert_true(proc_table_lookup(t, 2, 102, &e));
	assert_true(proc_table_lookup(t, 2, e.ppid, &e));
	assert_argv_is(&e.argv, b, 2);
	assert_false(known_on(t, 1, 102));
	proc_table_stats(t, &st);
	assert_int_equal(st.forks, 3);
	assert_int_equal(st.entries, 4);
	proc_table_free(t);
}

static void test_eviction_across_nodes(void **state)
{
	static const char *const a[] = { "x" };
	struct proc_table *t = new_table(4, 0, 0);
	struct proc_table_stats st;

	(void)state;
	/* One LRU order over all nodes: (1,10) (2,10) (1,11) (2,11). */
	assert_int_equal(exec_node(t, 1, 10, 0, "/bin/x", 1, a, 1), 0);
	assert_int_equal(exec_node(t, 2, 10, 0, "/bin/x", 2, a, 1), 0);
	assert_int_equal(exec_node(t, 1, 11, 0, "/bin/x", 3, a, 1), 0);
	assert_int_equal(exec_node(t, 2, 11, 0, "/bin/x", 4, a, 1), 0);
	/* Touch (1,10): (2,10) is now the oldest, whatever its pid. */
	assert_true(known_on(t, 1, 10));
	assert_int_equal(exec_node(t, 3, 10, 0, "/bin/x", 5, a, 1), 0);
	assert_false(known_on(t, 2, 10));
	assert_true(known_on(t, 1, 10));
	assert_true(known_on(t, 3, 10));
	/* (1,11) (2,11) (1,10) (3,10): a fork on node 2 refreshes its
	 * parent (2,11), and its child evicts (1,11). */
	assert_int_equal(fork_at(t, 2, 11, 10, 6, 0), 0);
	assert_false(known_on(t, 1, 11));
	assert_true(known_on(t, 2, 10));
	assert_true(known_on(t, 2, 11));
	assert_true(known_on(t, 1, 10));
	assert_true(known_on(t, 3, 10));
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.evictions, 2);
	proc_table_free(t);

	/* The argv budget too: the same pid on three nodes, 15 KB each,
	 * plus one: the oldest node's goes. */
	t = new_table(100, 1024 * 1024, BUDGET);
	assert_int_equal(exec_big_on(t, 1, 5, 15000, 'a'), 0);
	assert_int_equal(exec_big_on(t, 2, 5, 15000, 'b'), 0);
	assert_int_equal(exec_big_on(t, 3, 5, 15000, 'c'), 0);
	assert_int_equal(exec_big_on(t, 4, 5, 15000, 'd'), 0);
	assert_true(known_on(t, 1, 5));
	assert_int_equal(exec_big_on(t, 5, 5, 15000, 'e'), 0);
	assert_false(known_on(t, 2, 5));
	assert_true(known_on(t, 1, 5));
	assert_true(known_on(t, 5, 5));
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 4);
	assert_true(st.argv_bytes <= BUDGET);
	proc_table_free(t);
}

/* Fair share (proc_table.h): node 2 floods a 64-entry table long after
 * node 1 stored its 10 processes; node 1 keeps every one of them, even
 * though they are the least recently used entries (plain LRU would have
 * evicted them with the flood's first execs), and the flood recycles its
 * own entries. */
static void test_fair_share_entries(void **state)
{
	static const char *const a[] = { "x" };
	struct proc_table *t = new_table(64, 0, 0);
	struct proc_table_node_stats n1, n2;
	struct proc_table_stats st;
	pid_t pid;

	(void)state;
	for (pid = 1; pid <= 10; pid++)
		assert_int_equal(exec_node(t, 1, pid, 1, "/bin/q", 1, a, 1), 0);
	for (pid = 1; pid <= 5000; pid++)
		assert_int_equal(exec_node(t, 2, pid, 1, "/bin/f", 2, a, 1), 0);
	for (pid = 1; pid <= 10; pid++)
		assert_true(known_on(t, 1, pid));
	/* node 2 holds the rest: its 54 newest */
	assert_true(known_on(t, 2, 5000));
	assert_true(known_on(t, 2, 5000 - 53));
	assert_false(known_on(t, 2, 5000 - 54));
	proc_table_node_stats(t, 1, &n1);
	proc_table_node_stats(t, 2, &n2);
	assert_int_equal(n1.entries, 10);
	assert_int_equal(n1.evictions, 0);
	assert_int_equal(n2.entries, 54);
	assert_int_equal(n2.evictions, 5000 - 54);
	proc_table_stats(t, &st);
	assert_int_equal(st.evictions, n2.evictions);

	/* A node over its share loses to a newcomer: node 3's 40 execs
	 * take node 2's entries (54 > 64 / 3) down to the share, then
	 * node 3 recycles its own. Node 1 (10) is untouched. */
	for (pid = 1; pid <= 40; pid++)
		assert_int_equal(exec_node(t, 3, pid, 1, "/bin/g", 3, a, 1), 0);
	proc_table_node_stats(t, 1, &n1);
	proc_table_node_stats(t, 2, &n2);
	assert_int_equal(n1.entries, 10);
	assert_int_equal(n2.entries, 27);
	proc_table_node_stats(t, 3, &n1);
	assert_int_equal(n1.entries, 27);
	proc_table_free(t);
}

/* The same for the argv budget: node 2's 15 KB argvs cannot push out
 * node 1's two small entries; node 2 recycles its own. */
static void test_fair_share_bytes(void **state)
{
	static const char *const a[] = { "quiet", "/boot/vmlinuz" };
	struct proc_table *t = new_table(1000, 1024 * 1024, BUDGET);
	struct proc_table_stats st;
	struct proc_entry e;
	pid_t pid;

	(void)state;
	assert_int_equal(exec_node(t, 1, 7, 1, "/bin/q", 1, a, 2), 0);
	assert_int_equal(exec_node(t, 1, 8, 7, "/bin/q", 1, a, 2), 0);
	for (pid = 100; pid < 200; pid++)
		assert_int_equal(exec_big_on(t, 2, pid, 15000, 'f'), 0);
	assert_true(proc_table_lookup(t, 1, 7, &e));
	assert_int_equal(e.argv.argc, 2);
	assert_true(known_on(t, 1, 8));
	assert_true(known_on(t, 2, 199));
	assert_false(known_on(t, 2, 100));
	proc_table_stats(t, &st);
	assert_true(st.argv_bytes <= BUDGET);
	proc_table_free(t);
}

/* The statistics line's view: top nodes by evictions, then entries, and
 * the sum of the others. */
static void test_top_nodes(void **state)
{
	static const char *const a[] = { "x" };
	struct proc_table *t = new_table(64, 0, 0);
	struct proc_table_node_stats top[2], rest;
	size_t n;
	pid_t pid;
	uint32_t node;

	(void)state;
	n = proc_table_top_nodes(t, top, 2, &rest);
	assert_int_equal(n, 0);
	assert_int_equal(rest.node, 0);
	/* nodes 1..5 hold node entries each (1, 2, 3, 4, 5) */
	for (node = 1; node <= 5; node++)
		for (pid = 1; pid <= (pid_t)node; pid++)
			assert_int_equal(exec_node(t, node, pid, 1, "/bin/x",
						   1, a, 1), 0);
	n = proc_table_top_nodes(t, top, 2, &rest);
	assert_int_equal(n, 2);
	assert_int_equal(top[0].node, 5);
	assert_int_equal(top[0].entries, 5);
	assert_int_equal(top[1].node, 4);
	assert_int_equal(rest.node, 3);
	assert_int_equal(rest.entries, 1 + 2 + 3);
	assert_int_equal(rest.evictions, 0);
	/* node 9 floods: it loses most, and comes first */
	for (pid = 1; pid <= 100; pid++)
		assert_int_equal(exec_node(t, 9, pid, 1, "/bin/x", 1, a, 1), 0);
	n = proc_table_top_nodes(t, top, 2, &rest);
	assert_int_equal(n, 2);
	assert_int_equal(top[0].node, 9);
	assert_int_equal(top[0].entries, 64 - 15);
	assert_int_equal(top[0].evictions, 100 - 49);
	assert_int_equal(top[1].node, 5);
	assert_int_equal(rest.node, 4);
	assert_int_equal(rest.entries, 1 + 2 + 3 + 4);
	/* k = 0: everything is the rest */
	n = proc_table_top_nodes(t, top, 0, &rest);
	assert_int_equal(n, 0);
	assert_int_equal(rest.node, 6);
	assert_int_equal(rest.entries, 64);
	proc_table_free(t);
}

/* Many nodes with the same small pids: every (node, pid) is reachable,
 * the newest ones survive eviction, nothing of another node is found. */
static void test_many_nodes(void **state)
{
	static const char *const a[] = { "sh" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_table_stats st;
	struct proc_entry e;
	enum { NODES = 64, PIDS = 1000 };
	uint32_t node;
	pid_t pid;

	(void)state;
	for (pid = 1; pid <= PIDS; pid++)
		for (node = 0; node < NODES; node++)
			assert_int_equal(exec_node(t, node, pid, (pid_t)node,
						   "/bin/sh", pid, a, 1), 0);
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, PROC_TABLE_DEFAULT_ENTRIES);
	assert_int_equal(st.evictions,
			 NODES * PIDS - PROC_TABLE_DEFAULT_ENTRIES);
	/* The last 16384 inserted: pids 745..1000 of every node. */
	for (pid = PIDS - PROC_TABLE_DEFAULT_ENTRIES / NODES + 1; pid <= PIDS;
	     pid++)
		for (node = 0; node < NODES; node++) {
			assert_true(proc_table_lookup(t, node, pid, &e));
			assert_int_equal(e.node, node);
			assert_int_equal(e.pid, pid);
			assert_int_equal(e.ppid, (pid_t)node);
		}
	assert_false(known_on(t, 0, PIDS - PROC_TABLE_DEFAULT_ENTRIES / NODES));
	assert_false(known_on(t, NODES, PIDS));
	proc_table_free(t);
}

static void test_pid_reuse(void **state)
{
	static const char *const old[] = { "old", "--flag" };
	static const char *const sh[] = { "sh" };
	static const char *const nw[] = { "new" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_table_stats st;
	struct proc_entry e;

	(void)state;
	assert_int_equal(exec_args(t, 200, 1, "/bin/old", 1, old, 2, 0), 0);
	assert_int_equal(exec_args(t, 300, 1, "/bin/sh", 2, sh, 1, 0), 0);
	/* 200 died unseen; the pid comes back as a child of 300. */
	assert_int_equal(fork_at(t, 0, 300, 200, 3, 0), 0);
	assert_true(proc_table_lookup(t, 0, 200, &e));
	assert_int_equal(e.ppid, 300);
	assert_string_equal(e.exe, "/bin/sh");
	assert_int_equal(IMG(e.flags), PROC_FORKED);
	assert_argv_is(&e.argv, sh, 1);
	/* ... and again through an exec with yet another parent. */
	assert_int_equal(exec_args(t, 200, 400, "/bin/new", 4, nw, 1, 0), 0);
	assert_true(proc_table_lookup(t, 0, 200, &e));
	assert_int_equal(e.ppid, 400);
	assert_string_equal(e.name, "new");
	assert_argv_is(&e.argv, nw, 1);
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.evictions, 0);
	proc_table_free(t);
}

/*
 * Record order (proc_table.h, rule 2): the kernel writes a fork's records
 * at its exit, often after the child has exec'd; the fork's time (its
 * entry) is never newer than the child's exec. Issue 11's first example:
 * bash run.sh (100) clones 101, which execs sh peek.sh /boot/vmlinuz; the
 * clone's record comes after that exec.
 */
static void test_late_fork_keeps_child_exec(void **state)
{
	static const char *const bash[] = { "bash", "/tmp/run.sh" };
	static const char *const sh[] = { "sh", "/tmp/peek.sh",
					   "/boot/vmlinuz" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_table_stats st;
	struct proc_entry e;

	(void)state;
	assert_int_equal(exec_at(t, 100, 1, "/usr/bin/bash", 50, 100, bash, 2),
			 0);
	/* the child's exec, then the fork that made it: an older tick */
	assert_int_equal(exec_at(t, 101, 100, "/usr/bin/dash", 50, 108, sh, 3),
			 0);
	assert_int_equal(fork_at(t, 0, 100, 101, 50, 104), 0);
	assert_true(proc_table_lookup(t, 0, 101, &e));
	assert_int_equal(IMG(e.flags), 0);
	assert_int_equal(e.ppid, 100);
	assert_string_equal(e.exe, "/usr/bin/dash");
	assert_argv_is(&e.argv, sh, 3);

	/* the same tick: still the child's own exec */
	assert_int_equal(exec_at(t, 102, 100, "/usr/bin/dash", 50, 112, sh, 3),
			 0);
	assert_int_equal(fork_at(t, 0, 100, 102, 50, 112), 0);
	assert_true(proc_table_lookup(t, 0, 102, &e));
	assert_int_equal(IMG(e.flags), 0);
	assert_argv_is(&e.argv, sh, 3);

	/* an older second, a later millisecond: older all the same */
	assert_int_equal(exec_at(t, 103, 100, "/usr/bin/dash", 51, 0, sh, 3),
			 0);
	assert_int_equal(fork_at(t, 0, 100, 103, 50, 996), 0);
	assert_true(proc_table_lookup(t, 0, 103, &e));
	assert_int_equal(IMG(e.flags), 0);
	assert_argv_is(&e.argv, sh, 3);

	/* The parent was still touched by its fork. */
	assert_true(proc_table_lookup(t, 0, 100, &e));
	assert_int_equal(e.last_seen, 50);
	proc_table_stats(t, &st);
	assert_int_equal(st.late_forks, 3);
	assert_int_equal(st.forks, 0);
	assert_int_equal(st.entries, 4);
	proc_table_free(t);
}

/* A late fork whose forking process is unknown deleted the child's fresh
 * entry before: it must stay. */
static void test_late_fork_unknown_parent(void **state)
{
	static const char *const sh[] = { "sh", "/tmp/peek.sh",
					   "/boot/vmlinuz" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_entry e;

	(void)state;
	assert_int_equal(exec_at(t, 101, 100, "/usr/bin/dash", 50, 108, sh, 3),
			 0);
	assert_int_equal(fork_at(t, 0, 100, 101, 50, 108), 0);
	assert_true(proc_table_lookup(t, 0, 101, &e));
	assert_argv_is(&e.argv, sh, 3);
	assert_int_equal(fork_at(t, 0, 100, 101, 50, 104), 0);
	assert_true(proc_table_lookup(t, 0, 101, &e));
	assert_argv_is(&e.argv, sh, 3);
	proc_table_free(t);
}

/* A fork newer than the exec that set the child's pid made a new process
 * with a reused pid: replaced, or forgotten when the forking process is
 * unknown; one millisecond is enough, across a second too. */
static void test_fork_newer_than_exec(void **state)
{
	static const char *const old[] = { "sh", "-c", ":", "/boot/old" };
	static const char *const nw[] = { "bash", "-c", "(tail)", "new" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_table_stats st;
	struct proc_entry e;

	(void)state;
	assert_int_equal(exec_at(t, 300, 1, "/usr/bin/bash", 40, 0, nw, 4), 0);
	assert_int_equal(exec_at(t, 200, 1, "/usr/bin/dash", 50, 108, old, 4),
			 0);
	assert_int_equal(fork_at(t, 0, 300, 200, 50, 109), 0);
	assert_true(proc_table_lookup(t, 0, 200, &e));
	assert_int_equal(IMG(e.flags), PROC_FORKED);
	assert_int_equal(e.ppid, 300);
	assert_argv_is(&e.argv, nw, 4);

	assert_int_equal(exec_at(t, 201, 1, "/usr/bin/dash", 50, 999, old, 4),
			 0);
	assert_int_equal(fork_at(t, 0, 300, 201, 51, 0), 0);
	assert_true(proc_table_lookup(t, 0, 201, &e));
	assert_argv_is(&e.argv, nw, 4);

	assert_int_equal(exec_at(t, 202, 1, "/usr/bin/dash", 50, 999, old, 4),
			 0);
	assert_int_equal(fork_at(t, 0, 999, 202, 51, 0), 0);
	assert_false(known(t, 202));
	proc_table_stats(t, &st);
	assert_int_equal(st.late_forks, 0);
	assert_int_equal(st.forks, 2);
	proc_table_free(t);
}

/* Only an exec of the pid itself is protected: an entry a fork or /proc
 * gave the pid is replaced by the next fork that names it, in arrival
 * order (one process has one fork that makes it; two are pid reuse). */
static void test_late_fork_other_entries(void **state)
{
	static const char *const a[] = { "a", "/boot/a" };
	static const char *const b[] = { "b" };
	struct proc_table *t = proc_table_new(NULL);
	struct test_argv ta;
	struct proc_entry e;

	(void)state;
	assert_int_equal(exec_at(t, 10, 1, "/bin/a", 50, 0, a, 2), 0);
	assert_int_equal(exec_at(t, 20, 1, "/bin/b", 50, 0, b, 1), 0);
	assert_int_equal(fork_at(t, 0, 10, 11, 50, 8), 0);
	assert_int_equal(fork_at(t, 0, 20, 11, 50, 4), 0);
	assert_true(proc_table_lookup(t, 0, 11, &e));
	assert_int_equal(e.ppid, 20);
	assert_argv_is(&e.argv, b, 1);

	set_argv(&ta, a, 2, 0);
	assert_int_equal(proc_table_put(t, 0, 12, 1, "/bin/a", &ta.av, 60), 0);
	assert_int_equal(fork_at(t, 0, 20, 12, 50, 4), 0);
	assert_true(proc_table_lookup(t, 0, 12, &e));
	assert_int_equal(IMG(e.flags), PROC_FORKED);
	assert_argv_is(&e.argv, b, 1);
	proc_table_free(t);
}

static void test_lookup_unknown(void **state)
{
	struct proc_table *t = proc_table_new(NULL);
	struct proc_table_stats st;
	struct proc_entry e;

	(void)state;
	assert_false(proc_table_lookup(t, 0, 1, &e));
	assert_false(proc_table_lookup(t, 0, 0, &e));
	assert_false(proc_table_lookup(t, 0, -1, &e));
	assert_int_equal(exec_args(t, 5, 1, "/bin/x", 0, NULL, 0, 0), 0);
	assert_false(proc_table_lookup(t, 0, 6, &e));
	assert_true(proc_table_lookup(t, 0, 5, &e));
	assert_int_equal(e.argv.argc, 0);
	proc_table_stats(t, &st);
	assert_int_equal(st.lookups, 5);
	assert_int_equal(st.hits, 1);
	proc_table_free(t);
}

static void test_put(void **state)
{
	static const char *const args[] = { "sshd:", "user@pts/0" };
	struct proc_table *t = proc_table_new(NULL);
	struct test_argv ta;
	struct proc_entry e;

	(void)state;
	set_argv(&ta, args, 2, 0);
	assert_int_equal(proc_table_put(t, 0, 50, 1, "/usr/sbin/sshd", &ta.av,
					77), 0);
	assert_true(proc_table_lookup(t, 0, 50, &e));
	assert_int_equal(e.ppid, 1);
	assert_int_equal(IMG(e.flags), PROC_FROM_PROC);
	assert_string_equal(e.exe, "/usr/sbin/sshd");
	assert_string_equal(e.name, "sshd");
	assert_int_equal(e.last_seen, 77);
	assert_argv_is(&e.argv, args, 2);

	/* Unreadable exe; no argv at all; a cmdline cut by the reader. */
	assert_int_equal(proc_table_put(t, 0, 51, 50, "", NULL, 78), 0);
	assert_true(proc_table_lookup(t, 0, 51, &e));
	assert_string_equal(e.exe, "");
	assert_string_equal(e.name, "");
	assert_int_equal(e.argv.argc, 0);
	assert_int_equal(IMG(e.flags), PROC_FROM_PROC);
	assert_int_equal(proc_table_put(t, 0, 52, 50, NULL, &ta.av, 78), 0);
	assert_true(proc_table_lookup(t, 0, 52, &e));
	assert_string_equal(e.exe, "");
	set_argv(&ta, args, 1, ARGV_TRUNCATED);
	assert_int_equal(proc_table_put(t, 0, 53, 50, "/bin/x", &ta.av, 78), 0);
	assert_true(proc_table_lookup(t, 0, 53, &e));
	assert_int_equal(IMG(e.flags), PROC_FROM_PROC | PROC_ARGV_TRUNCATED);

	/* A put replaces an exec'd entry and vice versa. */
	assert_int_equal(proc_table_put(t, 0, 50, 2, "/bin/y", NULL, 79), 0);
	assert_true(proc_table_lookup(t, 0, 50, &e));
	assert_string_equal(e.name, "y");
	assert_int_equal(e.ppid, 2);
	assert_int_equal(e.argv.argc, 0);

	/* A child of a /proc entry still says where its data came from. */
	assert_int_equal(fork_at(t, 0, 53, 54, 80, 0), 0);
	assert_true(proc_table_lookup(t, 0, 54, &e));
	assert_int_equal(IMG(e.flags),
			 PROC_FROM_PROC | PROC_FORKED | PROC_ARGV_TRUNCATED);
	proc_table_free(t);
}

static void test_limits_guarded(void **state)
{
	static const char *const a[] = { "x" };
	struct proc_table *t;
	struct proc_table_stats st;
	struct proc_entry e;
	pid_t pid;

	(void)state;
	/* One entry could not hold a fork's parent and child. */
	t = new_table(1, 0, 0);
	assert_int_equal(exec_args(t, 1, 0, "/bin/x", 0, a, 1, 0), 0);
	assert_int_equal(fork_at(t, 0, 1, 2, 0, 0), 0);
	assert_true(known(t, 1));
	assert_true(known(t, 2));
	proc_table_free(t);

	/* Zeroes are defaults. */
	t = new_table(0, 0, 0);
	for (pid = 1; pid <= (pid_t)PROC_TABLE_DEFAULT_ENTRIES + 10; pid++)
		assert_int_equal(exec_args(t, pid, 0, "/bin/x", 0, a, 1, 0),
				 0);
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, PROC_TABLE_DEFAULT_ENTRIES);
	assert_int_equal(exec_big(t, 1, PROC_TABLE_DEFAULT_ENTRY_ARGV_BYTES,
				  'm'), 0);
	assert_true(proc_table_lookup(t, 0, 1, &e));
	assert_int_equal(IMG(e.flags), 0);
	assert_int_equal(exec_big(t, 1, PROC_TABLE_DEFAULT_ENTRY_ARGV_BYTES + 1,
				  'm'), 0);
	assert_true(proc_table_lookup(t, 0, 1, &e));
	assert_int_equal(IMG(e.flags), PROC_ARGV_TRUNCATED);
	proc_table_free(t);

	/* A budget too small to hold one path is raised, not obeyed. */
	t = new_table(0, 0, 100);
	assert_int_equal(exec_big(t, 1, 20000, 's'), 0);
	assert_true(proc_table_lookup(t, 0, 1, &e));
	assert_int_equal(e.argv.argc, 1);
	proc_table_free(t);
}

/* Random operations against a naive model: checks the hash (backward-shift
 * deletion under heavy collisions) and the LRU order together. The model's
 * key is node_index * MODEL_PIDS + pid. */
#define MODEL_CAP 16
#define MODEL_PIDS 64
#define MODEL_NODES 3

struct model {
	int lru[MODEL_CAP]; /* lru[0] is the least recently used */
	int n;
	pid_t ppid[MODEL_NODES * MODEL_PIDS];
	long long exec_ms[MODEL_NODES * MODEL_PIDS]; /* -1: not an exec's */
};

static int model_find(const struct model *m, int key)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (m->lru[i] == key)
			return i;
	return -1;
}

static void model_touch(struct model *m, int i)
{
	int key = m->lru[i];

	memmove(&m->lru[i], &m->lru[i + 1],
		(size_t)(m->n - i - 1) * sizeof(m->lru[0]));
	m->lru[m->n - 1] = key;
}

/* The node index of a model key; keys past the model's pids (the final
 * read-back's fresh execs) are node index 0's. */
static int model_node(int key)
{
	return key >= MODEL_NODES * MODEL_PIDS ? 0 : key / MODEL_PIDS;
}

/* The fair share of proc_table.h, spelled naively: the position in lru[]
 * of the least recently used entry (not `keep`) of the node with most
 * entries; the inserting node `ni` among equals, else the node whose
 * least recently used entry is the oldest. */
static int model_victim(const struct model *m, int ni, int keep)
{
	int count[MODEL_NODES] = { 0 }, lru[MODEL_NODES], best = -1, i, k;

	for (k = 0; k < MODEL_NODES; k++)
		lru[k] = -1;
	for (i = 0; i < m->n; i++) {
		k = model_node(m->lru[i]);
		count[k]++;
		if (lru[k] < 0 && m->lru[i] != keep)
			lru[k] = i;
	}
	for (k = 0; k < MODEL_NODES; k++) {
		if (lru[k] < 0)
			continue;
		if (best < 0 || count[k] > count[best] ||
		    (count[k] == count[best] && best != ni &&
		     (k == ni || lru[k] < lru[best])))
			best = k;
	}
	return lru[best];
}

static void model_remove(struct model *m, int v)
{
	memmove(&m->lru[v], &m->lru[v + 1],
		(size_t)(m->n - v - 1) * sizeof(m->lru[0]));
	m->n--;
}

static void model_insert(struct model *m, int key, pid_t ppid, int keep,
			 long long exec_ms)
{
	int i = model_find(m, key);

	m->exec_ms[key] = exec_ms;

	if (i < 0) {
		if (m->n == MODEL_CAP)
			model_remove(m, model_victim(m, model_node(key),
						     keep));
		m->lru[m->n++] = key;
	} else {
		model_touch(m, i);
	}
	m->ppid[key] = ppid;
}

/* `nodes` node ids (at most MODEL_NODES) are used at random. */
static void random_against_model(const uint32_t *nodes, int nnodes)
{
	static const char *const a[] = { "a" };
	struct proc_table *t = new_table(MODEL_CAP, 0, 0);
	struct model m = { .n = 0 };
	struct proc_table_stats st;
	struct proc_entry e;
	unsigned long long x = 88172645463325252ull;
	long long now_ms, fork_ms;
	int step, ci;

	assert_true(nnodes >= 1 && nnodes <= MODEL_NODES);
	for (step = 0; step < 200000; step++) {
		pid_t pid, other;
		int i, ni, key, okey;
		uint32_t node;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pid = (pid_t)(x % MODEL_PIDS);
		other = (pid_t)((x >> 20) % MODEL_PIDS);
		ni = (int)((x >> 50) % (unsigned)nnodes);
		node = nodes[ni];
		key = ni * MODEL_PIDS + pid;
		okey = ni * MODEL_PIDS + other;
		/* Audit time in ms: a 4 ms tick per step; a fork's record
		 * comes up to 3 ticks late, so some are older than the exec
		 * that set their child's pid (rule 2 of proc_table.h), some
		 * of the same tick, some newer (pid reuse). */
		now_ms = 1700000000000LL + 4LL * step;
		switch ((x >> 40) % 3) {
		case 0:
			assert_int_equal(exec_node_at(t, node, pid, other,
						      now_ms, a, 1), 0);
			model_insert(&m, key, other, -1, now_ms);
			break;
		case 1:
			i = model_find(&m, key);
			assert_int_equal(proc_table_lookup(t, node, pid, &e),
					 i >= 0);
			if (i >= 0) {
				assert_int_equal(e.ppid, m.ppid[key]);
				assert_int_equal(e.node, node);
				assert_int_equal(e.flags & PROC_FORKED,
						 m.exec_ms[key] < 0 ?
						 PROC_FORKED : 0);
				model_touch(&m, i);
			}
			break;
		default:
			fork_ms = now_ms - 4LL * (long long)((x >> 30) % 4);
			assert_int_equal(fork_at(t, node, other, pid,
							 (time_t)(fork_ms / 1000),
							 (unsigned)(fork_ms % 1000)),
					 0);
			if (other == pid)
				break;
			i = model_find(&m, okey);
			if (i >= 0)
				model_touch(&m, i);
			ci = model_find(&m, key);
			if (ci >= 0 && m.exec_ms[key] >= fork_ms)
				break; /* the child's own exec came first */
			if (i < 0) {
				/* unknown parent: the child's pid is dropped */
				i = model_find(&m, key);
				if (i >= 0) {
					memmove(&m.lru[i], &m.lru[i + 1],
						(size_t)(m.n - i - 1) *
							sizeof(m.lru[0]));
					m.n--;
				}
				break;
			}
			model_insert(&m, key, other, okey, -1);
			break;
		}
		proc_table_stats(t, &st);
		assert_int_equal(st.entries, m.n);
	}
	/* Both sides of the time rule were exercised. */
	assert_true(st.late_forks > 100);
	assert_true(st.forks > 1000);
	/* Read the final order back by evicting through fresh inserts on
	 * nodes[0]. */
	assert_int_equal(m.n, MODEL_CAP);
	for (step = 0; step < MODEL_CAP; step++) {
		int v = model_victim(&m, 0, -1), key = m.lru[v];

		assert_int_equal(exec_node_at(t, nodes[0], 1000 + step, 0, 0,
					      a, 1), 0);
		if (key < MODEL_NODES * MODEL_PIDS)
			assert_false(known_on(t, nodes[key / MODEL_PIDS],
					      key % MODEL_PIDS));
		model_remove(&m, v);
		m.lru[m.n++] = MODEL_NODES * MODEL_PIDS + step;
	}
	proc_table_free(t);
}

static void test_random_against_model(void **state)
{
	static const uint32_t one[] = { 0 };

	(void)state;
	random_against_model(one, 1);
}

/* The same with three nodes sharing the pids, one of them an id far from
 * the others: the hash of (node, pid) and the equality on both. */
static void test_random_nodes_against_model(void **state)
{
	static const uint32_t three[] = { 0, 1, 4097 };

	(void)state;
	random_against_model(three, 3);
}

static void test_allocation_failure(void **state)
{
	/* Lengths that promise more than any address space: the blob
	 * allocation must fail, so the bytes behind ptr are never read. */
	enum { N = 70000 };
	static char tiny[] = "";
	struct argv_arg *v = calloc(N, sizeof(*v));
	struct proc_table *t = new_table(0, SIZE_MAX, SIZE_MAX);
	struct argv av = { 0 };
	struct proc_entry e;
	int i;

	(void)state;
	assert_non_null(v);
	for (i = 0; i < N; i++) {
		v[i].ptr = tiny;
		v[i].len = UINT32_MAX;
	}
	av.argc = N;
	av.v = v;
	set_event(&ev_buf, 9, 1, "/usr/bin/find", &av, 3);
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), -1);
	assert_true(proc_table_lookup(t, 0, 9, &e));
	assert_string_equal(e.exe, "/usr/bin/find");
	assert_string_equal(e.name, "find");
	assert_int_equal(e.argv.argc, 0);
	assert_int_equal(IMG(e.flags), PROC_ARGV_TRUNCATED);
	assert_true(e.argv.flags & ARGV_NOMEM);
	/* The table is still usable. */
	assert_int_equal(fork_at(t, 0, 9, 10, 4, 0), 0);
	assert_true(proc_table_lookup(t, 0, 10, &e));
	assert_string_equal(e.exe, "/usr/bin/find");
	proc_table_free(t);
	free(v);
}

/* ---- credentials, records and starts (proc_table.h rules 8 and 9) ---- */

static void set_creds(struct exec_event *ev, uint32_t uid, uint32_t euid,
		      uint32_t gid, uint32_t egid, const char *un,
		      const char *eun, const char *gn, const char *egn)
{
	ev->uid = uid;
	ev->euid = euid;
	ev->gid = gid;
	ev->egid = egid;
	snprintf(ev->uid_name, sizeof(ev->uid_name), "%s", un);
	snprintf(ev->euid_name, sizeof(ev->euid_name), "%s", eun);
	snprintf(ev->gid_name, sizeof(ev->gid_name), "%s", gn);
	snprintf(ev->egid_name, sizeof(ev->egid_name), "%s", egn);
}

static void assert_creds(const struct proc_entry *e, uint32_t uid,
			 uint32_t euid, uint32_t gid, uint32_t egid,
			 const char *un, const char *eun, const char *gn,
			 const char *egn)
{
	assert_true(e->flags & PROC_HAS_CREDS);
	assert_int_equal(e->uid, uid);
	assert_int_equal(e->euid, euid);
	assert_int_equal(e->gid, gid);
	assert_int_equal(e->egid, egid);
	assert_string_equal(e->uid_name, un);
	assert_string_equal(e->euid_name, eun);
	assert_string_equal(e->gid_name, gn);
	assert_string_equal(e->egid_name, egn);
}

/* An exec's ids and names are its entry's; names are charged to the argv
 * budget; without names none is stored. */
static void test_creds_exec(void **state)
{
	static const char *const args[] = { "sudo", "-n", "tail" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_table_stats st, st2;
	struct proc_entry e;
	struct test_argv ta;

	(void)state;
	assert_non_null(t);
	set_argv(&ta, args, 3, 0);
	set_event(&ev_buf, 3682, 3665, "/usr/bin/sudo", &ta.av, 100);
	set_creds(&ev_buf, 1001, 0, 1001, 1001, "", "", "", "");
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	proc_table_stats(t, &st);
	assert_true(proc_table_lookup(t, 0, 3682, &e));
	assert_creds(&e, 1001, 0, 1001, 1001, "", "", "", "");

	/* the same exec with ENRICHED names: they cost their bytes */
	set_creds(&ev_buf, 1001, 0, 1001, 1001, "ks12a", "root", "ks12a",
		  "ks12a");
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	proc_table_stats(t, &st2);
	/* four names, and the empty cwd and tty of the strings block */
	assert_int_equal(st2.argv_bytes, st.argv_bytes + 6 + 5 + 6 + 6 + 2);
	assert_true(proc_table_lookup(t, 0, 3682, &e));
	assert_creds(&e, 1001, 0, 1001, 1001, "ks12a", "root", "ks12a",
		     "ks12a");
	assert_argv_is(&e.argv, args, 3);

	/* a name at the exec_event's limit is kept whole */
	memset(ev_buf.euid_name, 'n', EXEC_NAME_MAX - 1);
	ev_buf.euid_name[EXEC_NAME_MAX - 1] = '\0';
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	assert_true(proc_table_lookup(t, 0, 3682, &e));
	assert_int_equal(strlen(e.euid_name), EXEC_NAME_MAX - 1);
	assert_string_equal(e.egid_name, "ks12a");

	/* /proc knows no ids */
	assert_int_equal(proc_table_put(t, 0, 500, 1, "/usr/sbin/sshd", &ta.av,
					101), 0);
	assert_true(proc_table_lookup(t, 0, 500, &e));
	assert_false(e.flags & PROC_HAS_CREDS);
	assert_int_equal(e.uid, EXEC_ID_UNSET);
	assert_int_equal(e.euid, EXEC_ID_UNSET);
	assert_string_equal(e.uid_name, "");
	assert_string_equal(e.egid_name, "");
	set_creds(&ev_buf, 0, 0, 0, 0, "", "", "", "");
	proc_table_free(t);
}

/* A fork record refreshes its caller's ids and names (sshd's session
 * child drops to the user without an exec) and the child starts with
 * them; a late fork still refreshes the caller but not the child. */
static void test_creds_fork_refresh(void **state)
{
	static const char *const args[] = { "/usr/sbin/sshd", "-R" };
	struct exec_event caller;
	struct fork_event fe = { .node = "" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_table_stats st, st2;
	struct proc_entry e;

	(void)state;
	assert_non_null(t);
	memset(&caller, 0, sizeof(caller));
	assert_int_equal(exec_args(t, 32570, 32196, "/usr/sbin/sshd", 10,
				   args, 2, 0), 0);
	/* 32570 forks 32643, still root */
	set_creds(&caller, 0, 0, 0, 0, "root", "root", "root", "root");
	fe.sec = 11;
	fe.serial = 500;
	fe.parent = 32570;
	fe.child = 32643;
	fe.caller = &caller;
	assert_int_equal(proc_table_fork(t, 0, &fe), 0);
	assert_true(proc_table_lookup(t, 0, 32570, &e));
	assert_creds(&e, 0, 0, 0, 0, "root", "root", "root", "root");
	assert_true(proc_table_lookup(t, 0, 32643, &e));
	assert_creds(&e, 0, 0, 0, 0, "root", "root", "root", "root");
	assert_string_equal(e.exe, "/usr/sbin/sshd");

	/* 32643, now the user, forks the shell: its own entry and the
	 * child get the user's ids, the image stays */
	set_creds(&caller, 1001, 1001, 1001, 1001, "ks12a", "ks12a", "ks12a",
		  "ks12a");
	fe.sec = 12;
	fe.serial = 501;
	fe.parent = 32643;
	fe.child = 32662;
	proc_table_stats(t, &st);
	assert_int_equal(proc_table_fork(t, 0, &fe), 0);
	assert_true(proc_table_lookup(t, 0, 32643, &e));
	assert_creds(&e, 1001, 1001, 1001, 1001, "ks12a", "ks12a", "ks12a",
		     "ks12a");
	assert_argv_is(&e.argv, args, 2);
	assert_true(proc_table_lookup(t, 0, 32662, &e));
	assert_creds(&e, 1001, 1001, 1001, 1001, "ks12a", "ks12a", "ks12a",
		     "ks12a");
	assert_int_equal(e.ppid, 32643);
	/* the root parent kept its own */
	assert_true(proc_table_lookup(t, 0, 32570, &e));
	assert_creds(&e, 0, 0, 0, 0, "root", "root", "root", "root");
	/* the refreshed entry was stored once more, the child once */
	proc_table_stats(t, &st2);
	assert_int_equal(st2.inserts, st.inserts + 2);

	/* the same ids again: nothing stored again */
	fe.child = 32663;
	proc_table_stats(t, &st);
	assert_int_equal(proc_table_fork(t, 0, &fe), 0);
	proc_table_stats(t, &st2);
	assert_int_equal(st2.inserts, st.inserts + 1);

	/* a late fork: the child's exec came first and stays; the caller
	 * is refreshed anyway (ids only here) */
	set_event(&ev_buf, 40000, 32643, "/usr/bin/id", NULL, 20);
	ev_buf.msec = 0;
	set_creds(&ev_buf, 1001, 1001, 1001, 1001, "ks12a", "ks12a", "ks12a",
		  "ks12a");
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	set_creds(&caller, 1001, 0, 1001, 1001, "ks12a", "ks12a", "ks12a",
		  "ks12a");
	fe.sec = 19;
	fe.child = 40000;
	assert_int_equal(proc_table_fork(t, 0, &fe), 0);
	assert_true(proc_table_lookup(t, 0, 40000, &e));
	assert_string_equal(e.exe, "/usr/bin/id");
	assert_int_equal(e.euid, 1001);
	assert_true(proc_table_lookup(t, 0, 32643, &e));
	assert_int_equal(e.euid, 0);
	/* an unknown caller: nothing to refresh, nothing made */
	fe.parent = 777;
	fe.child = 778;
	assert_int_equal(proc_table_fork(t, 0, &fe), 0);
	assert_false(proc_table_peek(t, 0, 777, NULL));
	assert_false(proc_table_peek(t, 0, 778, NULL));
	set_creds(&ev_buf, 0, 0, 0, 0, "", "", "", "");
	proc_table_free(t);
}

/* The working directory and tty of the last exec are the entry's; a fork
 * child starts with them; a fork record refreshes the caller's tty and
 * keeps its cwd (it has no CWD record); /proc knows neither. */
static void test_cwd_tty(void **state)
{
	static const char *const args[] = { "bash" };
	struct exec_event caller;
	struct fork_event fe = { .node = "" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_entry e;
	struct test_argv ta;

	(void)state;
	assert_non_null(t);
	memset(&caller, 0, sizeof(caller));
	set_argv(&ta, args, 1, 0);
	set_event(&ev_buf, 26135, 26134, "/usr/bin/bash", &ta.av, 10);
	snprintf(ev_buf.cwd, sizeof(ev_buf.cwd), "/home/kslogin1");
	snprintf(ev_buf.tty, sizeof(ev_buf.tty), "pts0");
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	assert_true(proc_table_lookup(t, 0, 26135, &e));
	assert_string_equal(e.cwd, "/home/kslogin1");
	assert_string_equal(e.tty, "pts0");

	/* the caller's fork record: a new tty, no cwd */
	snprintf(caller.tty, sizeof(caller.tty), "pts1");
	fe.sec = 11;
	fe.serial = 7;
	fe.parent = 26135;
	fe.child = 26136;
	fe.caller = &caller;
	assert_int_equal(proc_table_fork(t, 0, &fe), 0);
	assert_true(proc_table_lookup(t, 0, 26135, &e));
	assert_string_equal(e.cwd, "/home/kslogin1");
	assert_string_equal(e.tty, "pts1");
	assert_true(proc_table_lookup(t, 0, 26136, &e));
	assert_string_equal(e.cwd, "/home/kslogin1");
	assert_string_equal(e.tty, "pts1");

	/* a path at the exec_event's limit is kept whole */
	memset(ev_buf.cwd, 'd', EXEC_PATH_MAX - 1);
	ev_buf.cwd[EXEC_PATH_MAX - 1] = '\0';
	ev_buf.pid = 26137;
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	assert_true(proc_table_lookup(t, 0, 26137, &e));
	assert_int_equal(strlen(e.cwd), EXEC_PATH_MAX - 1);
	assert_string_equal(e.tty, "pts0");

	assert_int_equal(proc_table_put(t, 0, 500, 1, "/usr/sbin/sshd", &ta.av,
					12), 0);
	assert_true(proc_table_lookup(t, 0, 500, &e));
	assert_string_equal(e.cwd, "");
	assert_string_equal(e.tty, "");
	ev_buf.cwd[0] = '\0';
	ev_buf.tty[0] = '\0';
	proc_table_free(t);
}

/* Rule 9: the record that stored an image, and when the process began. */
static void test_record_and_start(void **state)
{
	static const char *const a[] = { "a" };
	struct fork_event fe = { .node = "" };
	struct proc_table *t = proc_table_new(NULL);
	struct proc_entry e;
	struct test_argv ta;

	(void)state;
	assert_non_null(t);
	set_argv(&ta, a, 1, 0);
	set_event(&ev_buf, 100, 1, "/bin/sh", &ta.av, 50);
	ev_buf.msec = 7;
	ev_buf.serial = 900;
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	assert_true(proc_table_lookup(t, 0, 100, &e));
	assert_int_equal(e.set_sec, 50);
	assert_int_equal(e.set_msec, 7);
	assert_int_equal(e.set_serial, 900);
	assert_int_equal(e.start_sec, 50);
	assert_int_equal(e.start_msec, 7);

	/* the fork's record makes the child's image and start */
	fe.sec = 51;
	fe.msec = 3;
	fe.serial = 910;
	fe.parent = 100;
	fe.child = 101;
	assert_int_equal(proc_table_fork(t, 0, &fe), 0);
	assert_true(proc_table_lookup(t, 0, 101, &e));
	assert_int_equal(e.set_sec, 51);
	assert_int_equal(e.set_msec, 3);
	assert_int_equal(e.set_serial, 910);
	assert_int_equal(e.start_sec, 51);
	assert_int_equal(e.start_msec, 3);

	/* its exec: a new image, the same process (same ppid) */
	set_event(&ev_buf, 101, 100, "/usr/bin/tail", &ta.av, 52);
	ev_buf.msec = 1;
	ev_buf.serial = 920;
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	assert_true(proc_table_lookup(t, 0, 101, &e));
	assert_int_equal(e.set_sec, 52);
	assert_int_equal(e.set_serial, 920);
	assert_int_equal(e.start_sec, 51);
	assert_int_equal(e.start_msec, 3);
	/* and again */
	ev_buf.sec = 60;
	ev_buf.serial = 930;
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	assert_true(proc_table_lookup(t, 0, 101, &e));
	assert_int_equal(e.set_serial, 930);
	assert_int_equal(e.start_sec, 51);

	/* the pid execs under another parent: another process (or one
	 * whose parent changed): it begins now */
	set_event(&ev_buf, 101, 1, "/usr/bin/x", &ta.av, 70);
	ev_buf.msec = 9;
	ev_buf.serial = 940;
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	assert_true(proc_table_lookup(t, 0, 101, &e));
	assert_int_equal(e.start_sec, 70);
	assert_int_equal(e.start_msec, 9);

	/* an entry set after the exec's time is not the exec's process */
	set_event(&ev_buf, 101, 1, "/usr/bin/y", &ta.av, 65);
	ev_buf.msec = 0;
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	assert_true(proc_table_lookup(t, 0, 101, &e));
	assert_int_equal(e.start_sec, 65);

	/* /proc: neither record nor start; a fork copy of it has both, and
	 * an exec of the /proc process keeps "unknown" */
	assert_int_equal(proc_table_put(t, 0, 200, 1, "/usr/sbin/sshd", &ta.av,
					80), 0);
	assert_true(proc_table_lookup(t, 0, 200, &e));
	assert_int_equal(e.set_sec, 0);
	assert_int_equal(e.set_serial, 0);
	assert_int_equal(e.start_sec, 0);
	assert_int_equal(e.start_msec, 0);
	fe.sec = 81;
	fe.msec = 0;
	fe.serial = 950;
	fe.parent = 200;
	fe.child = 201;
	assert_int_equal(proc_table_fork(t, 0, &fe), 0);
	assert_true(proc_table_lookup(t, 0, 201, &e));
	assert_int_equal(IMG(e.flags), PROC_FROM_PROC | PROC_FORKED);
	assert_int_equal(e.set_serial, 950);
	assert_int_equal(e.start_sec, 81);
	set_event(&ev_buf, 200, 1, "/usr/sbin/sshd", &ta.av, 82);
	ev_buf.serial = 960;
	assert_int_equal(proc_table_exec(t, 0, &ev_buf), 0);
	assert_true(proc_table_lookup(t, 0, 200, &e));
	assert_int_equal(e.set_serial, 960);
	assert_int_equal(e.start_sec, 0);
	proc_table_free(t);
}

/* peek and previous change nothing: not the recency (which entry is
 * evicted next), not the counters. */
static void test_peek_and_previous(void **state)
{
	static const char *const a[] = { "a" };
	struct proc_table_limits lim = { 2, 0, 0 };
	struct fork_event fe = { .node = "" };
	struct proc_table *t = proc_table_new(&lim);
	struct proc_table_stats st, st2;
	struct proc_entry e;
	struct test_argv ta;

	(void)state;
	assert_non_null(t);
	set_argv(&ta, a, 1, 0);
	assert_int_equal(exec_args(t, 10, 1, "/bin/a", 1, a, 1, 0), 0);
	assert_int_equal(exec_args(t, 20, 1, "/bin/b", 2, a, 1, 0), 0);
	proc_table_stats(t, &st);
	assert_true(proc_table_peek(t, 0, 10, &e));
	assert_string_equal(e.exe, "/bin/a");
	assert_false(proc_table_peek(t, 0, 30, &e));
	assert_false(proc_table_peek(t, 1, 10, NULL));
	assert_true(proc_table_peek(t, 0, 10, NULL));
	assert_false(proc_table_peek(NULL, 0, 10, &e));
	proc_table_stats(t, &st2);
	assert_int_equal(st2.lookups, st.lookups);
	assert_int_equal(st2.hits, st.hits);
	/* 10 is still the least recently used: a third entry evicts it */
	assert_int_equal(exec_args(t, 30, 1, "/bin/c", 3, a, 1, 0), 0);
	assert_false(proc_table_peek(t, 0, 10, NULL));
	assert_true(proc_table_peek(t, 0, 20, NULL));

	/* previous: the fork copy of the same parent is the image before */
	fe.sec = 4;
	fe.parent = 30;
	fe.child = 31;
	assert_int_equal(proc_table_fork(t, 0, &fe), 0);
	set_event(&ev_buf, 31, 30, "/usr/bin/tail", &ta.av, 5);
	ev_buf.msec = 0;
	assert_true(proc_table_previous(t, 0, &ev_buf, &e));
	assert_string_equal(e.exe, "/bin/c");
	assert_true(e.flags & PROC_FORKED);
	/* another parent: another process */
	ev_buf.ppid = 1;
	assert_false(proc_table_previous(t, 0, &ev_buf, &e));
	/* set after the exec's time: not this process's */
	ev_buf.ppid = 30;
	ev_buf.sec = 3;
	assert_false(proc_table_previous(t, 0, &ev_buf, &e));
	ev_buf.sec = 4;
	assert_true(proc_table_previous(t, 0, &ev_buf, NULL));
	/* an unknown pid, or no table */
	ev_buf.pid = 99;
	assert_false(proc_table_previous(t, 0, &ev_buf, &e));
	assert_false(proc_table_previous(NULL, 0, &ev_buf, &e));
	proc_table_stats(t, &st2);
	assert_int_equal(st2.lookups, st.lookups);
	proc_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_then_lookup),
		cmocka_unit_test(test_replace_image),
		cmocka_unit_test(test_fork_inheritance),
		cmocka_unit_test(test_fork_keeps_truncated),
		cmocka_unit_test(test_lru_order),
		cmocka_unit_test(test_entry_argv_cap),
		cmocka_unit_test(test_total_argv_cap),
		cmocka_unit_test(test_grow_lru_entry),
		cmocka_unit_test(test_argv_larger_than_budget_share),
		cmocka_unit_test(test_fork_full_parent_lru),
		cmocka_unit_test(test_fork_budget_parent_lru),
		cmocka_unit_test(test_million_pids),
		cmocka_unit_test(test_argv_budget_scales),
		cmocka_unit_test(test_same_pid_two_nodes),
		cmocka_unit_test(test_fork_within_node),
		cmocka_unit_test(test_eviction_across_nodes),
		cmocka_unit_test(test_many_nodes),
		cmocka_unit_test(test_pid_reuse),
		cmocka_unit_test(test_late_fork_keeps_child_exec),
		cmocka_unit_test(test_late_fork_unknown_parent),
		cmocka_unit_test(test_fork_newer_than_exec),
		cmocka_unit_test(test_late_fork_other_entries),
		cmocka_unit_test(test_lookup_unknown),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_limits_guarded),
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_random_nodes_against_model),
		cmocka_unit_test(test_allocation_failure),
		cmocka_unit_test(test_creds_exec),
		cmocka_unit_test(test_creds_fork_refresh),
		cmocka_unit_test(test_cwd_tty),
		cmocka_unit_test(test_record_and_start),
		cmocka_unit_test(test_peek_and_previous),
		cmocka_unit_test(test_fair_share_entries),
		cmocka_unit_test(test_fair_share_bytes),
		cmocka_unit_test(test_top_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
