/*
 * test_rule.c - the v2 rule on hand-built execs: every test vector of
 * rule-semantics.md §6, plus the wildcard matcher EQL's `like` needs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "rule.h"

#define MAXA 16

struct fake_argv {
	struct argv argv;
	struct argv_arg v[MAXA];
};

static const struct argv *mk(struct fake_argv *f, const char *const *list)
{
	uint32_t n = 0;

	for (; list[n]; n++) {
		f->v[n].ptr = list[n];
		f->v[n].len = (uint32_t)strlen(list[n]);
	}
	f->argv.argc = n;
	f->argv.v = f->v;
	f->argv.total_bytes = 0;
	f->argv.flags = 0;
	return &f->argv;
}

/* name: process.name; args: argv; pargs: parent argv or NULL (unknown). */
static bool run(const char *name, const char *const *args,
		const char *const *pargs)
{
	struct fake_argv a, p;
	struct rule_input in = {
		.name = name,
		.name_len = strlen(name),
		.args = mk(&a, args),
		.parent_args = pargs ? mk(&p, pargs) : NULL,
	};

	return rule_kernel_seeking_v2(&in);
}

#define A(...) ((const char *const[]){ __VA_ARGS__, NULL })
static const char *const bash_parent[] = { "-bash", NULL };

static void test_tail(void **state)
{
	(void)state;
	assert_true(run("tail", A("tail", "-c", "64", "/boot/vmlinuz-6.1"), bash_parent));
	assert_true(run("tail", A("tail", "-c+1000", "/boot/vmlinuz"), bash_parent));
	assert_true(run("tail", A("tail", "--bytes", "9", "/boot/x"), bash_parent));
	assert_false(run("tail", A("tail", "--bytes=9", "/boot/x"), bash_parent));
	assert_false(run("tail", A("tail", "-n", "5", "/boot/config"), bash_parent));
	/* -qc10 and the obsolescent -5c do not start with -c */
	assert_false(run("tail", A("tail", "-qc10", "/boot/x"), bash_parent));
	assert_false(run("tail", A("tail", "-5c", "/boot/x"), bash_parent));
}

static void test_cmp(void **state)
{
	(void)state;
	assert_true(run("cmp", A("cmp", "-i", "100", "/boot/a", "/tmp/b"), bash_parent));
	assert_false(run("cmp", A("cmp", "--ignore-initial=100", "/boot/a", "/tmp/b"), bash_parent));
	assert_false(run("cmp", A("cmp", "-i100", "/boot/a", "/tmp/b"), bash_parent));
}

static void test_xxd_hexdump(void **state)
{
	(void)state;
	assert_true(run("xxd", A("xxd", "-s", "0x200", "/boot/vmlinuz"), bash_parent));
	assert_false(run("xxd", A("xxd", "-s0x200", "/boot/vmlinuz"), bash_parent));
	assert_true(run("hexdump", A("hexdump", "-C", "-s", "512", "/boot/initrd.img"), bash_parent));
	assert_false(run("hexdump", A("hexdump", "-Cs", "512", "/boot/initrd.img"), bash_parent));
	assert_false(run("xxd", A("xxd", "-S", "1", "/boot/x"), bash_parent));
}

static void test_dd(void **state)
{
	static const char *const needrestart[] = {
		"/bin/sh", "/usr/lib/needrestart/vmlinuz-get-version",
		"/boot/vmlinuz-6.1", NULL
	};

	(void)state;
	/* if=/boot/... does not start with /boot/: dd only fires through
	 * its parent's argv. */
	assert_false(run("dd", A("dd", "if=/boot/vmlinuz", "of=/tmp/k", "seek=1"), bash_parent));
	assert_true(run("dd", A("dd", "if=/boot/vmlinuz", "of=/tmp/k", "seek=1"), needrestart));
	assert_false(run("dd", A("dd", "if=/boot/vmlinuz", "of=/tmp/k", "skip=1"), needrestart));
	assert_false(run("dd", A("dd", "if=/boot/vmlinuz", "of=/tmp/k", "iseek=1"), needrestart));
}

static void test_parent_branch(void **state)
{
	static const char *const script[] = { "/bin/sh", "/opt/s.sh", "/boot/vmlinuz", NULL };

	(void)state;
	assert_true(run("tail", A("tail", "-c+5", "/tmp/x"), script));
	/* unknown parent: the parent predicate is false, never an error */
	assert_false(run("tail", A("tail", "-c+5", "/tmp/x"), NULL));
	assert_true(run("tail", A("tail", "-c+5", "/boot/x"), NULL));
}

static void test_paths_exact(void **state)
{
	(void)state;
	assert_false(run("xxd", A("xxd", "-s", "16", "vmlinuz"), bash_parent));
	assert_false(run("tail", A("tail", "-c", "5", "/BOOT/x"), bash_parent));
	assert_false(run("tail", A("tail", "-c", "5", "//boot/x"), bash_parent));
	assert_false(run("tail", A("tail", "-c", "5", "/boot"), bash_parent));
	assert_true(run("tail", A("tail", "-c", "5", "/boot/"), bash_parent));
	assert_true(run("tail", A("tail", "-c", "1", "/boot/my kernel"), bash_parent));
}

static void test_names(void **state)
{
	(void)state;
	assert_false(run("busybox", A("busybox", "tail", "-c", "5", "/boot/x"), bash_parent));
	assert_false(run("TAIL", A("TAIL", "-c", "5", "/boot/x"), bash_parent));
	assert_false(run("mytail", A("mytail", "-c", "5", "/boot/x"), bash_parent));
	assert_false(run("cat", A("cat", "-c", "/boot/x"), bash_parent));
	/* a name that merely starts like a tool */
	assert_false(run("tailf", A("tailf", "-c", "5", "/boot/x"), bash_parent));
	assert_false(run("", A("", "-c", "5", "/boot/x"), bash_parent));
}

static void test_argv0_and_elements(void **state)
{
	(void)state;
	/* exec -a /boot/z xxd -s 1 /etc/hosts: argv[0] counts */
	assert_true(run("xxd", A("/boot/z", "-s", "1", "/etc/hosts"), bash_parent));
	/* different elements satisfy different predicates, in any order */
	assert_true(run("tail", A("/boot/q", "x", "y", "-cfoo"), bash_parent));
	/* no argument at all */
	assert_false(run("tail", A(NULL), bash_parent));
}

static bool wm(const char *p, const char *s, bool icase)
{
	return wildcard_match(p, strlen(p), s, strlen(s), icase);
}

static void test_wildcard(void **state)
{
	(void)state;
	assert_true(wm("/boot/*", "/boot/", false));
	assert_true(wm("/boot/*", "/boot/a/b", false));
	assert_false(wm("/boot/*", "/boot", false));
	assert_false(wm("/boot/*", "x/boot/a", false));
	assert_false(wm("/boot/*", "/BOOT/a", false));
	assert_true(wm("/boot/*", "/BOOT/a", true));
	assert_true(wm("*", "", false));
	assert_true(wm("", "", false));
	assert_false(wm("", "a", false));
	assert_true(wm("a?c", "abc", false));
	assert_false(wm("a?c", "ac", false));
	assert_true(wm("*.so*", "libx.so.1", false));
	assert_true(wm("*a*b*c", "xxaxxbxxc", false));
	assert_false(wm("*a*b*c", "xxaxxbxxcx", false));
	assert_true(wm("a**b", "ab", false));
	assert_true(wm("-c*", "-c", false));
	assert_false(wm("-c*", "--c", false));
	/* backslash is an ordinary character in EQL patterns */
	assert_true(wm("a\\*", "a\\xyz", false));
	assert_false(wm("a\\*", "a*", false));
	/* embedded NUL in the subject is compared as a byte */
	assert_true(wildcard_match("a?b", 3, "a\0b", 3, false));
	/* non-ASCII bytes are not case-folded */
	assert_false(wildcard_match("\xc3\x89", 2, "\xc3\xa9", 2, true));
}

static void test_wildcard_pathological(void **state)
{
	char s[20001];
	char p[64];

	(void)state;
	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	strcpy(p, "*a*a*a*a*a*a*a*a*b");
	/* must finish quickly (single backtrack point), and not match */
	assert_false(wm(p, s, false));
}

static void test_meta(void **state)
{
	const struct rule_meta *m = &rule_kernel_seeking_v2_meta;

	(void)state;
	assert_string_equal(m->id, "3c9f7901-01d8-465d-8dc0-5d46671035fa");
	assert_string_equal(m->name, "Kernel Seeking Activity");
	assert_string_equal(m->version, "2");
	assert_int_equal(m->risk_score, 21);
	assert_int_equal(m->nthreats, 2);
	assert_string_equal(m->threats[0].tactic_id, "TA0007");
	assert_string_equal(m->threats[0].techniques[0].id, "T1082");
	assert_string_equal(m->threats[1].tactic_id, "TA0005");
	assert_string_equal(m->threats[1].techniques[0].id, "T1014");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tail),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_xxd_hexdump),
		cmocka_unit_test(test_dd),
		cmocka_unit_test(test_parent_branch),
		cmocka_unit_test(test_paths_exact),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_argv0_and_elements),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_wildcard_pathological),
		cmocka_unit_test(test_meta),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
