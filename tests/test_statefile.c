/*
 * test_statefile.c - unit tests for the state file: a table saved and read
 * back whole and in order; and every file that must be refused (corrupt,
 * truncated, foreign version or byte order, oversized, wrong owner or
 * mode, a symbolic link, records out of bounds behind a valid checksum)
 * refused whole, said, with the table untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statefile.h"

static char dir[64], path[128];

/* Node ids of the test: 0 "", 1 "web1", 2 "web2". */
static const char *const node_names[] = { "", "web1", "web2" };

static const char *name_of(uint32_t node, void *ctx)
{
	(void)ctx;
	return node < 3 ? node_names[node] : NULL;
}

struct node_ctx {
	unsigned asked;
	bool drop_local_unless_same_boot;
};

static uint32_t node_of(const char *node, bool same_boot, void *ctx)
{
	struct node_ctx *c = ctx;

	c->asked++;
	if (c->drop_local_unless_same_boot && !same_boot && !node[0])
		return UINT32_MAX;
	for (uint32_t i = 0; i < 3; i++)
		if (strcmp(node, node_names[i]) == 0)
			return i;
	return UINT32_MAX;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ks-statefile.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/state", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void exec_on(struct proc_table *t, uint32_t node, pid_t pid,
		    pid_t ppid, const char *exe, const char *const *args,
		    uint32_t n, time_t sec)
{
	static struct exec_event ev;
	struct argv_arg a[8];
	struct argv av = { 0 };

	memset(&ev, 0, sizeof(ev));
	for (uint32_t i = 0; i < n; i++) {
		a[i].ptr = args[i];
		a[i].len = (uint32_t)strlen(args[i]);
		av.total_bytes += a[i].len;
	}
	av.argc = n;
	av.v = a;
	ev.pid = pid;
	ev.ppid = ppid;
	ev.sec = sec;
	ev.msec = 123;
	ev.serial = 4242;
	ev.uid = 1000;
	ev.euid = 0;
	ev.gid = 1000;
	ev.egid = 0;
	snprintf(ev.exe, sizeof(ev.exe), "%s", exe);
	snprintf(ev.uid_name, sizeof(ev.uid_name), "alice");
	snprintf(ev.euid_name, sizeof(ev.euid_name), "root");
	snprintf(ev.cwd, sizeof(ev.cwd), "/home/alice/%d", (int)pid);
	snprintf(ev.tty, sizeof(ev.tty), "pts%d", (int)(pid % 7));
	ev.argv = &av;
	assert_int_equal(proc_table_exec(t, node, &ev), 0);
}

/* A table with the same pid on three nodes, a fork copy and a /proc
 * entry. */
static struct proc_table *sample_table(void)
{
	static const char *const sh[] = { "bash", "/tmp/x.sh", "/boot/vmlinuz" };
	static const char *const odd[] = { "a\nb", "", "\x01\xff" };
	struct proc_table *t = proc_table_new(NULL);
	struct fork_event fe = { .sec = 12, .msec = 5, .serial = 77,
				 .node = "", .parent = 100, .child = 101 };
	struct argv_arg a = { "init", 4 };
	struct argv av = { .argc = 1, .v = &a, .total_bytes = 4 };

	assert_non_null(t);
	exec_on(t, 0, 100, 1, "/usr/bin/bash", sh, 3, 10);
	exec_on(t, 1, 100, 1, "/usr/bin/bash", odd, 3, 11);
	exec_on(t, 2, 100, 7, "/bin/dash", sh, 1, 11);
	assert_int_equal(proc_table_fork(t, 1, &fe), 0);
	assert_int_equal(proc_table_put(t, 0, 1, 0, "/sbin/init", &av, 9), 0);
	return t;
}

struct collect {
	struct proc_entry e[16];
	char text[16][512];
	unsigned n;
};

/* Everything an entry says, as one string, and its order. */
static bool collect(const struct proc_entry *e, void *ctx)
{
	struct collect *c = ctx;
	char *s = c->text[c->n];
	size_t o;

	o = (size_t)snprintf(s, 512,
			     "%u %d %d %s %s %x %x %lld %u %u %u %u %s %s %s %s %s %s %lld.%u %lu %lld.%u |",
			     e->node, (int)e->pid, (int)e->ppid, e->exe, e->name,
			     e->flags, e->argv.flags, (long long)e->last_seen,
			     e->uid, e->euid, e->gid, e->egid, e->uid_name,
			     e->euid_name, e->gid_name, e->egid_name, e->cwd,
			     e->tty, (long long)e->set_sec, e->set_msec, e->set_serial,
			     (long long)e->start_sec, e->start_msec);
	for (uint32_t i = 0; i < e->argv.argc && o < 500; i++)
		o += (size_t)snprintf(s + o, 512 - o, "%u:%.*s|",
				      e->argv.v[i].len, (int)e->argv.v[i].len,
				      e->argv.v[i].ptr);
	c->n++;
	return c->n < 16;
}

static void save_sample(void)
{
	struct proc_table *t = sample_table();
	struct statefile_result res;
	char err[256];

	assert_int_equal(statefile_save(path, t, name_of, NULL, "boot-1", &res,
					err, sizeof(err)), 0);
	assert_int_equal(res.entries, 5);
	proc_table_free(t);
}

static int load(struct proc_table *t, uint64_t max, char *err, size_t n)
{
	struct statefile_result res;
	struct node_ctx nc = { 0 };

	return statefile_load(path, t, node_of, &nc, "boot-1", max, &res, err,
			      n);
}

static void test_round_trip(void **state)
{
	struct proc_table *t = sample_table(), *u = proc_table_new(NULL);
	static struct collect a, b;
	struct statefile_result res;
	struct node_ctx nc = { 0 };
	struct stat st;
	char err[256];

	(void)state;
	assert_int_equal(statefile_save(path, t, name_of, NULL, "boot-1", &res,
					err, sizeof(err)), 0);
	assert_int_equal(res.entries, 5);
	/* the directory made for root only, the file 0600 */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	*strrchr(path, '/') = '\0';
	assert_int_equal(stat(path, &st), 0);
	path[strlen(path)] = '/';
	assert_int_equal(st.st_mode & 0777, 0700);

	assert_int_equal(statefile_load(path, u, node_of, &nc, "boot-1",
					1u << 30, &res, err, sizeof(err)), 0);
	assert_int_equal(res.entries, 5);
	assert_int_equal(res.restored, 5);
	assert_true(res.same_boot);
	assert_int_equal(nc.asked, 5);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	proc_table_walk(t, collect, &a);
	proc_table_walk(u, collect, &b);
	assert_int_equal(a.n, 5);
	assert_int_equal(b.n, 5);
	/* the same entries, field for field, in the same LRU order */
	for (unsigned i = 0; i < a.n; i++)
		assert_string_equal(a.text[i], b.text[i]);
	proc_table_free(t);
	proc_table_free(u);
}

/* Entries read back never replace what the table knows. */
static void test_never_overrides(void **state)
{
	static const char *const fresh[] = { "fresh" };
	struct proc_table *t = proc_table_new(NULL);
	struct statefile_result res;
	struct node_ctx nc = { 0 };
	struct proc_entry e;
	char err[256];

	(void)state;
	save_sample();
	exec_on(t, 1, 100, 1, "/bin/fresh", fresh, 1, 99);
	assert_int_equal(statefile_load(path, t, node_of, &nc, "boot-1",
					1u << 30, &res, err, sizeof(err)), 0);
	assert_int_equal(res.restored, 4);
	assert_int_equal(res.skipped, 1);
	assert_true(proc_table_lookup(t, 1, 100, &e));
	assert_string_equal(e.exe, "/bin/fresh");
	assert_true(proc_table_lookup(t, 2, 100, &e));
	assert_string_equal(e.exe, "/bin/dash");
	proc_table_free(t);
}

/* Another boot: the callback hears it, and leaves this machine's out. */
static void test_other_boot(void **state)
{
	struct proc_table *t = proc_table_new(NULL);
	struct statefile_result res;
	struct node_ctx nc = { .drop_local_unless_same_boot = true };
	char err[256];

	(void)state;
	save_sample();
	assert_int_equal(statefile_load(path, t, node_of, &nc, "boot-2",
					1u << 30, &res, err, sizeof(err)), 0);
	assert_false(res.same_boot);
	assert_int_equal(res.restored, 3);
	assert_int_equal(res.skipped, 2);
	assert_false(proc_table_lookup(t, 0, 100, NULL));
	assert_false(proc_table_lookup(t, 0, 1, NULL));
	assert_true(proc_table_lookup(t, 1, 101, NULL));
	proc_table_free(t);
}

static void test_missing(void **state)
{
	struct proc_table *t = proc_table_new(NULL);
	char err[256] = "";

	(void)state;
	assert_int_equal(load(t, 1u << 30, err, sizeof(err)), 1);
	proc_table_free(t);
}

/* ---- files to refuse ---------------------------------------------------- */

static unsigned char *slurp(size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void spill(const unsigned char *buf, size_t n)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	close(fd);
}

/* The checksum as the file format defines it (statefile.h), so that a
 * record can be damaged behind a valid one. */
static void reseal(unsigned char *buf, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 96; i < n; i++)
		h = (h ^ buf[i]) * 0x100000001b3ull;
	for (i = 0; i < 96; i++)
		if (i < 32 || i >= 40)
			h = (h ^ buf[i]) * 0x100000001b3ull;
	memcpy(buf + 32, &h, 8);
}

/* Load must refuse, naming the file and `why`, and store nothing. */
static void refused(uint64_t max, const char *why)
{
	struct proc_table *t = proc_table_new(NULL);
	struct proc_table_stats st;
	char err[512] = "";

	assert_int_equal(load(t, max, err, sizeof(err)), -1);
	if (!strstr(err, path) || !strstr(err, why))
		fail_msg("refused with '%s', wanted the path and '%s'", err,
			 why);
	proc_table_stats(t, &st);
	assert_int_equal(st.entries, 0);
	proc_table_free(t);
}

static void test_corrupt(void **state)
{
	unsigned char *buf;
	size_t n;

	(void)state;
	save_sample();
	buf = slurp(&n);
	buf[n - 3] ^= 0x20; /* one bit of an argument */
	spill(buf, n);
	refused(1u << 30, "checksum");
	buf[n - 3] ^= 0x20;
	buf[44] ^= 1; /* the save time: the header is covered too */
	spill(buf, n);
	refused(1u << 30, "checksum");
	memcpy(buf, "ks-stat?", 8);
	spill(buf, n);
	refused(1u << 30, "magic");
	free(buf);
}

static void test_truncated(void **state)
{
	unsigned char *buf;
	size_t n;

	(void)state;
	save_sample();
	buf = slurp(&n);
	spill(buf, n - 10);
	refused(1u << 30, "truncated");
	spill(buf, 50);
	refused(1u << 30, "truncated header");
	spill(buf, 0);
	refused(1u << 30, "truncated header");
	/* more bytes than the header says */
	memcpy(buf + n, "xx", 2);
	spill(buf, n + 2);
	refused(1u << 30, "trailing bytes");
	free(buf);
}

static void test_foreign(void **state)
{
	unsigned char *buf;
	uint32_t v;
	size_t n;

	(void)state;
	save_sample();
	buf = slurp(&n);
	v = 2;
	memcpy(buf + 8, &v, 4);
	reseal(buf, n);
	spill(buf, n);
	refused(1u << 30, "unknown version");
	v = 1;
	memcpy(buf + 8, &v, 4);
	v = 0x04030201u;
	memcpy(buf + 12, &v, 4);
	reseal(buf, n);
	spill(buf, n);
	refused(1u << 30, "byte order");
	free(buf);
}

static void test_oversized(void **state)
{
	struct stat st;

	(void)state;
	save_sample();
	assert_int_equal(stat(path, &st), 0);
	refused((uint64_t)st.st_size - 1, "oversized");
	/* the bound the runtime uses covers what a table can give */
	assert_true(statefile_max_bytes(5, 64 * 1024) >= (uint64_t)st.st_size);
	assert_true(statefile_max_bytes(16384, 32u << 20) < (64u << 20));
}

static void test_owner_mode_link(void **state)
{
	char link[200];

	(void)state;
	save_sample();
	assert_int_equal(chmod(path, 0640), 0);
	refused(1u << 30, "mode not 0600");
	assert_int_equal(chmod(path, 0600), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 65534), 0);
		refused(1u << 30, "owned by another user");
		assert_int_equal(chown(path, 0, 0), 0);
	}
	snprintf(link, sizeof(link), "%s.real", path);
	assert_int_equal(rename(path, link), 0);
	assert_int_equal(symlink(link, path), 0);
	refused(1u << 30, "symbolic link");
	assert_int_equal(unlink(path), 0);
	/* one that leads nowhere is not "no file" */
	assert_int_equal(symlink("/nonexistent/ks-state", path), 0);
	refused(1u << 30, "symbolic link");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	refused(1u << 30, "not a regular file");
	assert_int_equal(rmdir(path), 0);
}

/* Records out of bounds behind a valid checksum (a file written by
 * something else): each refused whole. The first record starts at 96;
 * its fields at the offsets of statefile.c's writer. */
static void test_bad_records(void **state)
{
	static const struct {
		size_t off;
		uint32_t val;
		unsigned size;
		const char *why;
	} cases[] = {
		{ 96 + 4, 0, 4, "bad pid" },               /* pid 0 */
		{ 96 + 4, 0x80000000u, 4, "bad pid" },     /* negative */
		{ 96 + 12, 0x100, 4, "unknown flags" },
		{ 96 + 16, 0x100, 4, "unknown flags" },    /* argv flags */
		{ 96 + 44, 1000, 4, "bad pid or time" },   /* msec */
		{ 96 + 76, 300, 2, "over its limit" },     /* node_len */
		{ 96 + 78, 5, 2, "does not add up" },      /* exe_len */
		{ 96 + 84, 1000000, 4, "over its limit" }, /* argc */
		{ 96 + 0, 5000, 4, "does not add up" },    /* record length */
		{ 20, 9, 4, "truncated record" },          /* entries */
		{ 20, 4, 4, "more records" },
	};
	unsigned char *buf, *copy;
	size_t n;

	(void)state;
	save_sample();
	buf = slurp(&n);
	copy = malloc(n);
	assert_non_null(copy);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t v16 = (uint16_t)cases[i].val;

		memcpy(copy, buf, n);
		if (cases[i].size == 2)
			memcpy(copy + cases[i].off, &v16, 2);
		else
			memcpy(copy + cases[i].off, &cases[i].val, 4);
		reseal(copy, n);
		spill(copy, n);
		refused(1u << 30, cases[i].why);
	}
	/* and the untouched file still loads: the cases broke it */
	spill(buf, n);
	{
		struct proc_table *t = proc_table_new(NULL);
		char err[256];

		assert_int_equal(load(t, 1u << 30, err, sizeof(err)), 0);
		proc_table_free(t);
	}
	free(copy);
	free(buf);
}

/* A save that cannot be made leaves the previous file whole. */
static void test_failed_save_keeps_old(void **state)
{
	struct proc_table *t = proc_table_new(NULL);
	struct statefile_result res;
	char err[256] = "", bad[200];
	struct stat st;

	(void)state;
	save_sample();
	assert_int_equal(stat(path, &st), 0);
	/* a path whose directory is a file */
	snprintf(bad, sizeof(bad), "%s/x", path);
	assert_int_equal(statefile_save(bad, t, name_of, NULL, "", &res, err,
					sizeof(err)), -1);
	assert_non_null(strstr(err, bad));
	/* the directory read-only: no temporary file (root ignores modes) */
	if (geteuid() != 0) {
		*strrchr(path, '/') = '\0';
		assert_int_equal(chmod(path, 0500), 0);
		path[strlen(path)] = '/';
		assert_int_equal(statefile_save(path, t, name_of, NULL, "",
						&res, err, sizeof(err)), -1);
	}
	{
		struct proc_table *u = proc_table_new(NULL);
		char e2[256];

		assert_int_equal(load(u, 1u << 30, e2, sizeof(e2)), 0);
		assert_true(proc_table_lookup(u, 2, 100, NULL));
		proc_table_free(u);
	}
	proc_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_never_overrides, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_other_boot, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_owner_mode_link, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_records, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failed_save_keeps_old,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
