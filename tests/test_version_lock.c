/*
 * test_version_lock.c - rule versions from version.lock.json
 * (version_lock.h): a rule id's own "version" and no other, malformed
 * JSON rejected with where.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "version_lock.h"

static int parse(struct version_lock *vl, const char *t, char *err, size_t n)
{
	return version_lock_parse(vl, t, strlen(t), err, n);
}

static void test_versions(void **state)
{
	struct version_lock vl;
	char err[128];

	(void)state;
	assert_int_equal(parse(&vl,
		"{\n  \"b-id\": {\"min_stack_version\": \"8.3\", \"previous\": {\"8.3\": {\"version\": 100}},"
		" \"rule_name\": \"B\", \"stack_emit\": {\"9.5\": {\"version\": 417, \"transforms\": [\"x\", 1.5, true, null]}},"
		" \"version\": 416},\n"
		"  \"a-id\": {\"version\": 3, \"type\": \"eql\"},\n"
		"  \"c-id\": {\"version\": 2.5},\n"
		"  \"d-\\\"x\": {\"version\": 9},\n"
		"  \"e-id\": {\"rule_name\": {\"version\": 8}}\n}", err, sizeof(err)), 0);
	assert_int_equal(version_lock_get(&vl, "a-id"), 3);
	assert_int_equal(version_lock_get(&vl, "b-id"), 416);
	/* not an integer, an escaped id, a version one level too deep */
	assert_int_equal(version_lock_get(&vl, "c-id"), -1);
	assert_int_equal(version_lock_get(&vl, "d-\"x"), -1);
	assert_int_equal(version_lock_get(&vl, "e-id"), -1);
	assert_int_equal(version_lock_get(&vl, "zz"), -1);
	assert_int_equal(vl.n, 2);
	version_lock_free(&vl);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *text, *want;
	} c[] = {
		{ "", "byte 1: expected an object" },
		{ "[1]", "expected an object" },
		{ "{\"a\": {\"version\": 1}", "expected ',' or '}'" },
		{ "{\"a\" {}}", "expected ':'" },
		{ "{\"a\": {\"version\": 1}} x", "text after the object" },
		{ "{\"a\": \"unterminated}", "unterminated string" },
		{ "{\"a\": tru}", "expected a value" },
		{ "{\"a\": \"x\ny\"}", "control character" },
	};
	struct version_lock vl;
	char err[128], deep[200];

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		assert_int_equal(parse(&vl, c[i].text, err, sizeof(err)), -1);
		if (!strstr(err, c[i].want))
			fail_msg("%s: '%s', want '%s'", c[i].text, err, c[i].want);
		assert_null(vl.e);
	}
	memset(deep, '[', 60);
	memcpy(deep, "{\"a\":", 5);
	deep[60] = '\0';
	assert_int_equal(parse(&vl, deep, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nested too deeply"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
