/*
 * test_ruleset.c - rules as data: the built-in v2 rule on every strict test
 * vector of rule-semantics.md §6; loading the shipped rule files, rule
 * selection, local rules and exceptions, bad files next to good ones, and
 * the rules compiled together against the same rules run one by one.
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

#include "ecs_event.h"
#include "ruleset.h"

#define MAXA 16

struct fake_argv {
	struct argv argv;
	struct argv_arg v[MAXA];
};

static void mk(struct fake_argv *f, const char *const *list)
{
	uint32_t n = 0;

	for (; list[n]; n++) {
		f->v[n].ptr = list[n];
		f->v[n].len = (uint32_t)strlen(list[n]);
	}
	f->argv.argc = n;
	f->argv.v = f->v;
}

static void str(struct eql_value *v, const char *s)
{
	v->kind = EQL_STRING;
	v->s = s;
	v->n = strlen(s);
}

/* A field's ECS table row by name: a test naming no field fails. */
static unsigned fld(const char *name)
{
	int i = ecs_field_find(name, strlen(name));

	if (i < 0 || i >= EQL_FIELDS_MAX) {
		fail_msg("no field '%s' in the ECS table", name);
		return 0;
	}
	return (unsigned)i;
}

/* An exec as runtime.c describes it to the rules. pexe NULL: parent unknown. */
static void event(struct eql_event *e, struct fake_argv *a,
		  struct fake_argv *p, const char *name,
		  const char *const *args, const char *pexe,
		  const char *const *pargs)
{
	memset(e, 0, sizeof(*e));
	str(&e->f[fld("host.os.type")], "linux");
	str(&e->f[fld("event.type")], "start");
	str(&e->f[fld("event.action")], "exec");
	str(&e->f[fld("process.name")], name);
	mk(a, args);
	e->f[fld("process.args")].kind = EQL_ARRAY;
	e->f[fld("process.args")].arr = &a->argv;
	if (!pexe)
		return;
	str(&e->f[fld("process.parent.executable")], pexe);
	mk(p, pargs);
	e->f[fld("process.parent.args")].kind = EQL_ARRAY;
	e->f[fld("process.parent.args")].arr = &p->argv;
}

static unsigned hits;
static const char *last_id;

static void count(struct ruleset_rule *r, void *ctx)
{
	(void)ctx;
	hits++;
	last_id = r->file->meta.id;
}

static unsigned problems_seen;
static char last_problem[2048];

static void report(void *ctx, bool ok, const char *what, const char *msg)
{
	(void)ctx;
	if (ok)
		return;
	problems_seen++;
	snprintf(last_problem, sizeof(last_problem), "%s: %s", what, msg);
}

static bool run(struct ruleset *rs, const char *name,
		const char *const *args, const char *pexe,
		const char *const *pargs)
{
	struct fake_argv a, p;
	struct eql_event e;

	event(&e, &a, &p, name, args, pexe, pargs);
	hits = 0;
	ruleset_eval(rs, &e, count, NULL);
	return hits > 0;
}

#define A(...) ((const char *const[]){ __VA_ARGS__, NULL })
static const char *const bash[] = { "-bash", NULL };

static void load_builtin(struct ruleset *rs)
{
	struct ruleset_options o = {
		.rules_dir = "/nonexistent/rules",
		.enable = "kernel_seeking_v2",
	};

	problems_seen = 0;
	assert_int_equal(ruleset_load(rs, &o, report, NULL), 1);
	assert_int_equal(problems_seen, 0);
	assert_string_equal(rs->rule[0].file->meta.id,
			    "3c9f7901-01d8-465d-8dc0-5d46671035fa");
	assert_string_equal(rs->rule[0].file->meta.version, "2");
}

/* rule-semantics.md §6, strict, name = basename(exe). */
static void test_builtin_v2_vectors(void **state)
{
	static const char *const needrestart[] = {
		"/bin/sh", "/usr/lib/needrestart/vmlinuz-get-version",
		"/boot/vmlinuz-6.1", NULL
	};
	static const char *const script[] = {
		"/bin/sh", "/opt/s.sh", "/boot/vmlinuz", NULL
	};
	struct ruleset rs;

	(void)state;
	load_builtin(&rs);
	assert_true(run(&rs, "tail", A("tail", "-c", "64", "/boot/vmlinuz-6.1"), "/bin/bash", bash));
	assert_true(run(&rs, "tail", A("tail", "-c+1000", "/boot/vmlinuz"), "/bin/bash", bash));
	assert_true(run(&rs, "tail", A("tail", "--bytes", "9", "/boot/x"), "/bin/bash", bash));
	assert_false(run(&rs, "tail", A("tail", "--bytes=9", "/boot/x"), "/bin/bash", bash));
	assert_false(run(&rs, "tail", A("tail", "-n", "5", "/boot/config"), "/bin/bash", bash));
	assert_true(run(&rs, "cmp", A("cmp", "-i", "100", "/boot/a", "/tmp/b"), "/bin/bash", bash));
	assert_false(run(&rs, "cmp", A("cmp", "--ignore-initial=100", "/boot/a", "/tmp/b"), "/bin/bash", bash));
	assert_true(run(&rs, "xxd", A("xxd", "-s", "0x200", "/boot/vmlinuz"), "/bin/bash", bash));
	assert_false(run(&rs, "xxd", A("xxd", "-s0x200", "/boot/vmlinuz"), "/bin/bash", bash));
	assert_true(run(&rs, "hexdump", A("hexdump", "-C", "-s", "512", "/boot/initrd.img"), "/bin/bash", bash));
	assert_false(run(&rs, "dd", A("dd", "if=/boot/vmlinuz", "of=/tmp/k", "seek=1"), "/bin/bash", bash));
	assert_true(run(&rs, "dd", A("dd", "if=/boot/vmlinuz", "of=/tmp/k", "seek=1"), "/bin/dash", needrestart));
	assert_true(run(&rs, "tail", A("tail", "-c+5", "/tmp/x"), "/bin/dash", script));
	assert_false(run(&rs, "tail", A("tail", "-c+5", "/tmp/x"), NULL, NULL));
	assert_false(run(&rs, "xxd", A("xxd", "-s", "16", "vmlinuz"), "/bin/bash", bash));
	assert_false(run(&rs, "tail", A("tail", "-c", "5", "/BOOT/x"), "/bin/bash", bash));
	assert_false(run(&rs, "tail", A("tail", "-c", "5", "//boot/x"), "/bin/bash", bash));
	assert_false(run(&rs, "busybox", A("busybox", "tail", "-c", "5", "/boot/x"), "/bin/bash", bash));
	assert_true(run(&rs, "xxd", A("/boot/z", "-s", "1", "/etc/hosts"), "/bin/bash", bash));
	assert_true(run(&rs, "tail", A("tail", "-c", "1", "/boot/my kernel"), "/bin/bash", bash));
	ruleset_free(&rs);
}

static char dir[64], local[128];

static void copy(const char *from, const char *to)
{
	char cmd[2200];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	const char *src = getenv("KS_SRCDIR");
	char from[1024], to[1024];
	static const char *const shipped[] = {
		"kernel_seeking_v2", "kernel_seeking_upstream",
		"kernel_seeking_hardened",
	};
	size_t i;

	(void)state;
	strcpy(dir, "/tmp/ks-ruleset-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(local, sizeof(local), "%s/local", dir);
	mkdir(local, 0700);
	for (i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), "%s/conf/rules/%s.toml",
			 src ? src : ".", shipped[i]);
		snprintf(to, sizeof(to), "%s/%s.toml", dir, shipped[i]);
		copy(from, to);
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t load(struct ruleset *rs, const char *enable, bool with_local)
{
	struct ruleset_options o = {
		.rules_dir = dir,
		.local_rules_dir = with_local ? local : NULL,
		.enable = enable,
		.throttle_max = UINT32_MAX,
		.throttle_window = 300,
	};

	problems_seen = 0;
	last_problem[0] = '\0';
	return ruleset_load(rs, &o, report, NULL);
}

static void test_selection(void **state)
{
	struct ruleset rs;

	(void)state;
	assert_int_equal(load(&rs, "kernel_seeking_v2", false), 1);
	assert_int_equal(problems_seen, 0);
	/* per-rule throttle from max_signals */
	assert_int_equal(rs.rule[0].thr.max, 100);
	assert_int_equal(rs.rule[0].thr.window, 300);
	ruleset_free(&rs);

	/* by rule_id, and two rules at once */
	assert_int_equal(load(&rs, " a87b042e-6de5-4adb-aaf6-c97a6e5f84df , kernel_seeking_v2", false), 2);
	assert_int_equal(problems_seen, 0);
	ruleset_free(&rs);

	/* v2 and upstream are two versions of one rule_id: name the file */
	assert_int_equal(load(&rs, "3c9f7901-01d8-465d-8dc0-5d46671035fa", false), 0);
	assert_int_equal(problems_seen, 1);
	assert_non_null(strstr(last_problem, "rule_id of several files"));
	ruleset_free(&rs);

	/* v2 and upstream share one rule_id: the second is refused */
	assert_int_equal(load(&rs, "kernel_seeking_v2,kernel_seeking_upstream", false), 1);
	assert_int_equal(problems_seen, 1);
	assert_non_null(strstr(last_problem, "already enabled"));
	ruleset_free(&rs);

	assert_int_equal(load(&rs, "kernel_seeking_v3", false), 0);
	assert_int_equal(problems_seen, 1);
	assert_non_null(strstr(last_problem, "'kernel_seeking_v3' names no rule"));
	ruleset_free(&rs);
}

/* The upstream version: needrestart's parent is excluded, an unknown
 * parent executable too. */
static void test_upstream(void **state)
{
	static const char *const needrestart[] = {
		"/bin/sh", "/usr/lib/needrestart/vmlinuz-get-version",
		"/boot/vmlinuz-6.1", NULL
	};
	struct ruleset rs;

	(void)state;
	assert_int_equal(load(&rs, "kernel_seeking_upstream", false), 1);
	assert_false(run(&rs, "dd", A("dd", "if=/boot/vmlinuz", "seek=1"), "/bin/dash", needrestart));
	assert_true(run(&rs, "tail", A("tail", "-c", "64", "/boot/x"), "/bin/bash", bash));
	assert_false(run(&rs, "tail", A("tail", "-c", "64", "/boot/x"), NULL, NULL));
	ruleset_free(&rs);
}

static void test_hardened(void **state)
{
	struct ruleset rs;

	(void)state;
	assert_int_equal(load(&rs, "kernel_seeking_hardened", false), 1);
	assert_true(run(&rs, "tail", A("tail", "--bytes=9", "/boot/x"), "/bin/bash", bash));
	assert_true(run(&rs, "xxd", A("xxd", "-s0x200", "/boot/vmlinuz"), "/bin/bash", bash));
	assert_true(run(&rs, "cmp", A("cmp", "--ignore-initial=100", "/boot/a", "/tmp/b"), "/bin/bash", bash));
	assert_true(run(&rs, "dd", A("dd", "if=/boot/vmlinuz", "of=/tmp/k", "skip=1"), "/bin/bash", bash));
	assert_false(run(&rs, "tail", A("tail", "-n", "5", "/boot/config"), "/bin/bash", bash));
	assert_false(run(&rs, "cat", A("cat", "/boot/config"), "/bin/bash", bash));
	assert_string_not_equal(last_id, "3c9f7901-01d8-465d-8dc0-5d46671035fa");
	ruleset_free(&rs);
}

/* A broken file next to good ones: reported, the good ones still run. */
static void test_bad_file_and_local_rules(void **state)
{
	static char text[65536];
	char path[256];
	struct ruleset rs;
	FILE *f;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/broken.toml", dir);
	write_file(path, "[rule]\nname = \"unterminated\n");
	/* a local copy of the hardened rule under another id runs always */
	snprintf(path, sizeof(path), "%s/kernel_seeking_hardened.toml", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	{
		char *id = strstr(text, "rule_id = \"");

		assert_non_null(id);
		memcpy(id + 11, "00000000", 8);
	}
	snprintf(path, sizeof(path), "%s/mine.toml", local);
	write_file(path, text);

	assert_int_equal(load(&rs, "kernel_seeking_v2", true), 2);
	assert_int_equal(problems_seen, 1);
	assert_non_null(strstr(last_problem, "broken.toml"));
	assert_true(run(&rs, "tail", A("tail", "--bytes=9", "/boot/x"), "/bin/bash", bash));
	ruleset_free(&rs);
	snprintf(path, sizeof(path), "%s/broken.toml", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/mine.toml", local);
	unlink(path);
}

static void test_exceptions(void **state)
{
	char path[256];
	struct ruleset rs;

	(void)state;
	snprintf(path, sizeof(path), "%s/site.exceptions", local);
	write_file(path,
		   "# nightly backup of /boot\n"
		   "\n"
		   "kernel_seeking_v2 process.parent.executable == \"/usr/local/sbin/kbackup\"\n"
		   "3c9f7901-01d8-465d-8dc0-5d46671035fa user.id == \"1001\"\n"
		   "kernel_seeking_v2 process.bogus == 1\n"
		   "no_such_rule process.name == \"x\"\n"
		   "kernel_seeking_v2\n");
	assert_int_equal(load(&rs, "kernel_seeking_v2", true), 1);
	assert_int_equal(problems_seen, 3);
	assert_false(run(&rs, "tail", A("tail", "-c", "1", "/boot/x"), "/usr/local/sbin/kbackup", A("kbackup")));
	assert_true(run(&rs, "tail", A("tail", "-c", "1", "/boot/x"), "/usr/sbin/other", A("other")));
	assert_true(rs.uses[fld("user.id")]);
	ruleset_free(&rs);
	unlink(path);
}

static void test_only_file(void **state)
{
	struct ruleset_options o = { .rules_dir = "/nonexistent" };
	char path[256];
	struct ruleset rs;

	(void)state;
	snprintf(path, sizeof(path), "%s/kernel_seeking_hardened.toml", dir);
	o.only_file = path;
	problems_seen = 0;
	assert_int_equal(ruleset_load(&rs, &o, report, NULL), 1);
	assert_int_equal(problems_seen, 0);
	ruleset_free(&rs);
	o.only_file = "/nonexistent/x.toml";
	assert_int_equal(ruleset_load(&rs, &o, report, NULL), 0);
	assert_int_equal(problems_seen, 1);
	ruleset_free(&rs);
}


/* A detection-rules checkout: subdirectories walked, other OSes skipped
 * and counted, versions from the lock, `all` with building blocks, and
 * rules that do not load counted by reason instead of reported. */
static void test_checkout(void **state)
{
	char top[128], path[256];
	struct ruleset rs;
	struct ruleset_options o = { .enable = "all", .check_all = true };
	static const char rule[] =
		"[rule]\nrule_id = \"%s\"\nname = \"%s\"\nrisk_score = 21\n"
		"severity = \"low\"\nlanguage = \"%s\"\ntype = \"%s\"\n%s"
		"tags = [\"Domain: Endpoint\", \"%s\"]\n"
		"query = \"process where process.name == \\\"%s\\\"\"\n";
	char text[1024];

	(void)state;
	snprintf(top, sizeof(top), "%s/checkout", dir);
	mkdir(top, 0755);
	snprintf(path, sizeof(path), "%s/rules", top);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/rules/linux", top);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/rules/windows", top);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/rules_building_block", top);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/.git", top);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/detection_rules", top);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/detection_rules/etc", top);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/detection_rules/etc/version.lock.json", top);
	write_file(path, "{\"aaaa\": {\"rule_name\": \"x\", \"stack_emit\": {\"9.5\": {\"version\": 999}}, \"version\": 42},"
			 " \"bbbb\": {\"version\": 7}}");
	snprintf(text, sizeof(text), rule, "aaaa", "A", "eql", "eql", "", "OS: Linux", "a");
	snprintf(path, sizeof(path), "%s/rules/linux/a.toml", top);
	write_file(path, text);
	snprintf(text, sizeof(text), rule, "bbbb", "B", "eql", "eql",
		 "building_block_type = \"default\"\n", "OS: Linux", "b");
	snprintf(path, sizeof(path), "%s/rules_building_block/b.toml", top);
	write_file(path, text);
	snprintf(text, sizeof(text), rule, "cccc", "C", "kuery", "query", "", "OS: Linux", "c");
	snprintf(path, sizeof(path), "%s/rules/linux/c.toml", top);
	write_file(path, text);
	snprintf(text, sizeof(text), rule, "dddd", "D", "eql", "eql", "", "OS: Windows", "d");
	snprintf(path, sizeof(path), "%s/rules/windows/d.toml", top);
	write_file(path, text);
	/* a broken Windows rule is skipped all the same: its tags come
	 * before the problem */
	snprintf(path, sizeof(path), "%s/rules/windows/e.toml", top);
	write_file(path, "[rule]\ntags = [\"OS: Windows\"]\nlanguage = \"kuery\"\n");
	snprintf(text, sizeof(text), rule, "ffff", "F", "eql", "eql", "", "OS: Linux", "f");
	snprintf(path, sizeof(path), "%s/.git/f.toml", top);
	write_file(path, text);

	o.rules_dir = top;
	problems_seen = 0;
	assert_int_equal(ruleset_load(&rs, &o, report, NULL), 2);
	assert_int_equal(problems_seen, 0);
	assert_int_equal(rs.loaded, 2);
	assert_int_equal(rs.not_loaded, 1);
	assert_int_equal(rs.skipped_os, 2);
	assert_int_equal(rs.nreasons, 1);
	assert_string_equal(rs.reasons[0].text, "language must be \"eql\", got \"kuery\"");
	/* walk order: rules/linux/a before rules_building_block/b */
	assert_string_equal(rs.rule[0].file->meta.id, "aaaa");
	assert_string_equal(rs.rule[0].file->meta.version, "42");
	assert_null(rs.rule[0].file->meta.building_block_type);
	assert_string_equal(rs.rule[1].file->meta.version, "7");
	assert_string_equal(rs.rule[1].file->meta.building_block_type, "default");
	assert_true(run(&rs, "b", A("b"), NULL, NULL));
	assert_string_equal(last_id, "bbbb");
	ruleset_free(&rs);

	/* Named rules: the kuery rule is a problem again. */
	o.enable = "aaaa,c";
	problems_seen = 0;
	assert_int_equal(ruleset_load(&rs, &o, report, NULL), 1);
	/* c.toml does not load, and "c" then names no rule */
	assert_int_equal(problems_seen, 2);
	ruleset_free(&rs);
}

/* The ids of the rules that match, in the order ruleset_eval says them. */
static void collect(struct ruleset_rule *r, void *ctx)
{
	char *ids = ctx;
	size_t n = strlen(ids);

	snprintf(ids + n, 512 - n, "%s ", r->file->meta.id);
}

/* The enabled rules compiled into one eql_set say what the same rules run
 * one by one as compiled (ruleset_options.plain) say, in the same order. */
static void test_set_vs_plain(void **state)
{
	const struct {
		const char *name;
		const char *const *args;
		const char *pexe;
		const char *const *pargs;
	} v[] = {
		{ "tail", A("tail", "-c", "64", "/boot/x"), "/bin/bash", bash },
		{ "tail", A("tail", "--bytes=9", "/boot/x"), "/bin/bash", bash },
		{ "tail", A("tail", "-c", "64", "/boot/x"), NULL, NULL },
		{ "xxd", A("xxd", "-s0x200", "/boot/vmlinuz"), "/bin/bash", bash },
		{ "dd", A("dd", "if=/boot/vmlinuz", "seek=1"), "/bin/dash",
		  A("/bin/sh", "/usr/lib/needrestart/vmlinuz-get-version", "/boot/v") },
		{ "dd", A("dd", "if=/boot/vmlinuz", "of=/tmp/k", "skip=1"), "/bin/bash", bash },
		{ "cmp", A("cmp", "-i", "9", "/boot/a", "/tmp/b"), "/bin/bash", bash },
		{ "cat", A("cat", "/boot/config"), "/bin/bash", bash },
		{ "TAIL", A("tail", "-c", "64", "/boot/x"), "/bin/bash", bash },
		{ "dmesg", A("dmesg", "-C"), "/bin/bash", bash },
		{ "grep", A("grep", "-a", "[heap]", "/proc/1/maps"), "/bin/bash", bash },
		{ "file", A("file", "/boot/vmlinuz"), "/bin/bash", bash },
	};
	static const char *const elastic[] = {
		"discovery_potential_memory_seeking_activity",
		"discovery_kernel_unpacking",
		"discovery_suspicious_memory_grep_activity",
		"defense_evasion_clear_kernel_ring_buffer",
	};
	static const char *const all =
		"kernel_seeking_v2,kernel_seeking_hardened,"
		"discovery_potential_memory_seeking_activity,"
		"discovery_kernel_unpacking,"
		"discovery_suspicious_memory_grep_activity,"
		"defense_evasion_clear_kernel_ring_buffer";
	const char *src = getenv("KS_SRCDIR");
	char from[1024], to[1024];
	struct ruleset rs, plain;
	struct ruleset_options o = { .enable = all, .plain = true };
	unsigned multi = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(elastic) / sizeof(elastic[0]); i++) {
		snprintf(from, sizeof(from), "%s/tests/data/elastic-rules/%s.toml",
			 src ? src : ".", elastic[i]);
		snprintf(to, sizeof(to), "%s/%s.toml", dir, elastic[i]);
		copy(from, to);
	}
	o.rules_dir = dir;
	assert_int_equal(load(&rs, all, false), 6);
	assert_non_null(rs.set);
	assert_int_equal(ruleset_load(&plain, &o, report, NULL), 6);
	assert_null(plain.set);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct fake_argv a, p;
		struct eql_event e;
		char got[512] = "", want[512] = "";

		event(&e, &a, &p, v[i].name, v[i].args, v[i].pexe, v[i].pargs);
		ruleset_eval(&rs, &e, collect, got);
		ruleset_eval(&plain, &e, collect, want);
		if (strcmp(got, want) != 0)
			fail_msg("vector %zu: set '%s', plain '%s'", i, got, want);
		multi += strchr(got, ' ') != strrchr(got, ' ');
	}
	assert_true(multi >= 2); /* several rules on one exec: in order */
	ruleset_free(&rs);
	ruleset_free(&plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_v2_vectors),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_upstream),
		cmocka_unit_test(test_hardened),
		cmocka_unit_test(test_bad_file_and_local_rules),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_only_file),
		cmocka_unit_test(test_checkout),
		cmocka_unit_test(test_set_vs_plain),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
