/*
 * test_procfs.c - the /proc fallback, on a fake proc root and on the real
 * /proc entry of this test itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "procfs.h"

static char root[64];

static void put(const char *rel, const void *data, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static int setup(void **state)
{
	char path[256];

	(void)state;
	strcpy(root, "/tmp/ks-procfs-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/4242", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/4242/exe", root);
	assert_int_equal(symlink("/usr/bin/bash", path), 0);
	/* comm with a space and parentheses: ppid parsing must not care */
	put("4242/stat", "4242 (a) b (c)) S 77 4242 4242 0", 33);
	put("4242/cmdline", "/bin/sh\0/opt/s.sh\0/boot/vmlinuz\0", 32);
	snprintf(path, sizeof(path), "%s/5000", root);
	mkdir(path, 0700);
	/* a kernel thread: no exe link, empty cmdline */
	put("5000/stat", "5000 (kthreadd) S 0 0 0", 23);
	put("5000/cmdline", "", 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_fake_entry(void **state)
{
	struct proc_table *t = proc_table_new(NULL);
	struct proc_entry e;

	(void)state;
	assert_true(procfs_fill(t, root, 0, 4242, 32768, 9));
	assert_true(proc_table_lookup(t, 0, 4242, &e));
	assert_int_equal(e.ppid, 77);
	assert_string_equal(e.exe, "/usr/bin/bash");
	assert_string_equal(e.name, "bash");
	assert_int_equal(e.argv.argc, 3);
	assert_string_equal(e.argv.v[2].ptr, "/boot/vmlinuz");
	assert_true(e.flags & PROC_FROM_PROC);
	assert_false(e.argv.flags & ARGV_TRUNCATED);
	proc_table_free(t);
}

static void test_cap(void **state)
{
	struct proc_table *t = proc_table_new(NULL);
	struct proc_entry e;

	(void)state;
	assert_true(procfs_fill(t, root, 0, 4242, 10, 9));
	assert_true(proc_table_lookup(t, 0, 4242, &e));
	assert_true(e.argv.flags & ARGV_TRUNCATED);
	assert_int_equal(e.argv.argc, 2);
	assert_string_equal(e.argv.v[0].ptr, "/bin/sh");
	proc_table_free(t);
}

static void test_gone_and_kernel_thread(void **state)
{
	struct proc_table *t = proc_table_new(NULL);
	struct proc_entry e;

	(void)state;
	assert_false(procfs_fill(t, root, 0, 999999, 32768, 1));
	assert_false(proc_table_lookup(t, 0, 999999, &e));
	assert_false(procfs_fill(t, root, 0, -1, 32768, 1));
	assert_true(procfs_fill(t, root, 0, 5000, 32768, 1));
	assert_true(proc_table_lookup(t, 0, 5000, &e));
	assert_int_equal(e.argv.argc, 0);
	assert_string_equal(e.exe, "");
	proc_table_free(t);
}

/* The entry goes under the node it is given, and only there. */
static void test_node(void **state)
{
	struct proc_table *t = proc_table_new(NULL);
	struct proc_entry e;

	(void)state;
	assert_true(procfs_fill(t, root, 7, 4242, 32768, 9));
	assert_false(proc_table_lookup(t, 0, 4242, &e));
	assert_false(proc_table_lookup(t, 8, 4242, &e));
	assert_true(proc_table_lookup(t, 7, 4242, &e));
	assert_int_equal(e.node, 7);
	assert_int_equal(e.pid, 4242);
	assert_string_equal(e.argv.v[2].ptr, "/boot/vmlinuz");
	/* A second node's read of the same pid is an entry of its own. */
	assert_true(procfs_fill(t, root, 0, 4242, 10, 9));
	assert_true(proc_table_lookup(t, 0, 4242, &e));
	assert_true(e.argv.flags & ARGV_TRUNCATED);
	assert_true(proc_table_lookup(t, 7, 4242, &e));
	assert_false(e.argv.flags & ARGV_TRUNCATED);
	assert_int_equal(e.argv.argc, 3);
	proc_table_free(t);
}

static void test_real_self(void **state)
{
	struct proc_table *t = proc_table_new(NULL);
	struct proc_entry e;

	(void)state;
	assert_true(procfs_fill(t, "/proc", 0, getpid(), 32768, 1));
	assert_true(proc_table_lookup(t, 0, getpid(), &e));
	assert_int_equal(e.ppid, getppid());
	assert_true(e.argv.argc >= 1);
	assert_non_null(strstr(e.argv.v[0].ptr, "test_procfs"));
	proc_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_entry),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_gone_and_kernel_thread),
		cmocka_unit_test(test_node),
		cmocka_unit_test(test_real_self),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
