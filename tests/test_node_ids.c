/*
 * test_node_ids.c - unit tests for the node= name interning.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "exec_event.h"
#include "node_ids.h"

static void test_none_and_first_ids(void **state)
{
	struct node_ids *n = node_ids_new();
	struct node_ids_stats st;

	(void)state;
	assert_non_null(n);
	assert_int_equal(node_ids_get(n, ""), NODE_ID_NONE);
	assert_int_equal(node_ids_get(n, NULL), NODE_ID_NONE);
	assert_int_equal(node_ids_get(n, "vm"), 1);
	assert_int_equal(node_ids_get(n, "vm2"), 2);
	assert_int_equal(node_ids_get(n, "vm"), 1);
	assert_int_equal(node_ids_get(n, "vm2"), 2);
	assert_int_equal(node_ids_get(n, "vm2"), 2);
	/* byte for byte: case, prefixes and odd bytes are other names */
	assert_int_equal(node_ids_get(n, "VM"), 3);
	assert_int_equal(node_ids_get(n, "v"), 4);
	assert_int_equal(node_ids_get(n, "vm\x01\xff"), 5);
	assert_int_equal(node_ids_get(n, "vm"), 1);
	assert_int_equal(node_ids_get(n, ""), NODE_ID_NONE);
	node_ids_stats(n, &st);
	assert_int_equal(st.nodes, 5);
	assert_int_equal(st.overflowed, 0);
	/* and back: the statistics line and the state file name them */
	assert_string_equal(node_ids_name(n, NODE_ID_NONE), "");
	assert_string_equal(node_ids_name(n, 1), "vm");
	assert_string_equal(node_ids_name(n, 2), "vm2");
	assert_string_equal(node_ids_name(n, 5), "vm\x01\xff");
	assert_null(node_ids_name(n, 6));
	assert_null(node_ids_name(n, NODE_ID_OVERFLOW));
	node_ids_free(n);
	node_ids_free(NULL);
}

static void test_long_name(void **state)
{
	static char a[EXEC_NODE_MAX + 10], b[EXEC_NODE_MAX + 10];
	struct node_ids *n = node_ids_new();
	uint32_t id;

	(void)state;
	/* Names as long as an event carries; beyond that they are cut, as
	 * exec_event.node is. */
	memset(a, 'a', EXEC_NODE_MAX - 1);
	memcpy(b, a, sizeof(b));
	id = node_ids_get(n, a);
	assert_int_equal(id, 1);
	b[EXEC_NODE_MAX - 2] = 'b';
	assert_int_equal(node_ids_get(n, b), 2);
	assert_int_equal(node_ids_get(n, a), 1);
	memset(a, 'a', EXEC_NODE_MAX + 5);
	assert_int_equal(node_ids_get(n, a), 1);
	node_ids_free(n);
}

static void test_cap(void **state)
{
	struct node_ids *n = node_ids_new();
	struct node_ids_stats st;
	char name[32];
	uint32_t i;

	(void)state;
	for (i = 1; i <= NODE_IDS_MAX; i++) {
		snprintf(name, sizeof(name), "host-%u", i);
		assert_int_equal(node_ids_get(n, name), i);
	}
	/* Full: new names share the overflow id, known ones keep theirs. */
	assert_int_equal(node_ids_get(n, "one-more"), NODE_ID_OVERFLOW);
	assert_int_equal(node_ids_get(n, "and-another"), NODE_ID_OVERFLOW);
	assert_int_equal(node_ids_get(n, "one-more"), NODE_ID_OVERFLOW);
	assert_int_equal(node_ids_get(n, ""), NODE_ID_NONE);
	for (i = NODE_IDS_MAX; i >= 1; i--) {
		snprintf(name, sizeof(name), "host-%u", i);
		assert_int_equal(node_ids_get(n, name), i);
	}
	node_ids_stats(n, &st);
	assert_int_equal(st.nodes, NODE_IDS_MAX);
	assert_int_equal(st.overflowed, 3);
	assert_true(NODE_ID_OVERFLOW != NODE_ID_NONE);
	assert_true(NODE_ID_OVERFLOW > NODE_IDS_MAX);
	node_ids_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none_and_first_ids),
		cmocka_unit_test(test_long_name),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
