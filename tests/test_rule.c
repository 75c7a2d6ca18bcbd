/*
 * test_rule.c - the wildcard matcher behind EQL's `like` and `:`. (The §6
 * test vectors run through the rule engine in test_ruleset.c and
 * test_eql.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "rule.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_wildcard_pathological),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
