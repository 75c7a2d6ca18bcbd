/*
 * test_throttle.c - the fixed-window alert limit: counts, exact window
 * boundaries, off mode, reconfiguration and a clock that goes backwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>

#include "throttle.h"

/* time_t is a signed integer type of unknown width. */
#define TIME_MAX ((time_t)(((uintmax_t)1 << (sizeof(time_t) * 8 - 1)) - 1))
#define TIME_MIN (-TIME_MAX - 1)

/* Send n alerts at `now`; return how many were allowed. */
static unsigned burst(struct throttle *t, unsigned n, time_t now)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < n; i++)
		ok += throttle_allow(t, now);
	return ok;
}

static void test_basic_window(void **state)
{
	struct throttle t;

	(void)state;
	throttle_init(&t, 100, 300);
	assert_int_equal(burst(&t, 150, 1000), 100);
	assert_int_equal(throttle_suppressed_total(&t), 50);
	/* window still open: nothing to report, nothing reset */
	assert_int_equal(throttle_expire(&t, 1000), 0);
	assert_int_equal(throttle_expire(&t, 1299), 0);
	assert_false(throttle_allow(&t, 1299));
	assert_int_equal(throttle_suppressed_total(&t), 51);
	/* closed at exactly start + window */
	assert_int_equal(throttle_expire(&t, 1300), 51);
	assert_int_equal(throttle_expire(&t, 1300), 0);
	assert_int_equal(throttle_expire(&t, 5000), 0);
	assert_int_equal(throttle_suppressed_total(&t), 51);
	/* and the next alert opens a fresh window */
	assert_int_equal(burst(&t, 100, 5000), 100);
	assert_false(throttle_allow(&t, 5000));
}

static void test_spec_example(void **state)
{
	struct throttle t;

	(void)state;
	throttle_init(&t, 100, 300);
	assert_int_equal(burst(&t, 150, 0), 100);
	assert_int_equal(throttle_expire(&t, 300), 50);
	assert_int_equal(throttle_expire(&t, 301), 0);
	assert_int_equal(throttle_suppressed_total(&t), 50);
}

/* Windows start at the first alert after the previous one closed, not on
 * a fixed grid. */
static void test_window_boundaries(void **state)
{
	struct throttle t;

	(void)state;
	throttle_init(&t, 2, 10);
	assert_true(throttle_allow(&t, 5));     /* window [5, 15) */
	assert_true(throttle_allow(&t, 6));
	assert_false(throttle_allow(&t, 14));
	assert_true(throttle_allow(&t, 15));    /* closed: new [15, 25) */
	assert_true(throttle_allow(&t, 24));
	assert_false(throttle_allow(&t, 24));
	assert_false(throttle_allow(&t, 24));
	/* the first window's 1 and the second's 2, once each */
	assert_int_equal(throttle_expire(&t, 24), 1);
	assert_int_equal(throttle_expire(&t, 25), 2);
	assert_int_equal(throttle_expire(&t, 25), 0);
	/* long quiet gap: the next window starts at 1000, not at 995 */
	assert_true(throttle_allow(&t, 1000));
	assert_true(throttle_allow(&t, 1009));
	assert_false(throttle_allow(&t, 1009));
	assert_true(throttle_allow(&t, 1010));
	assert_int_equal(throttle_suppressed_total(&t), 4);
	assert_int_equal(throttle_expire(&t, 1010), 1);
}

/* A window without suppressed alerts closes silently. */
static void test_no_suppression(void **state)
{
	struct throttle t;

	(void)state;
	throttle_init(&t, 3, 60);
	assert_int_equal(burst(&t, 3, 100), 3);
	assert_int_equal(throttle_expire(&t, 160), 0);
	assert_int_equal(burst(&t, 3, 161), 3);
	assert_int_equal(throttle_suppressed_total(&t), 0);
}

static void test_off(void **state)
{
	struct throttle t;

	(void)state;
	throttle_init(&t, 0, 300);
	assert_int_equal(burst(&t, 10000, 1), 10000);
	assert_int_equal(throttle_expire(&t, 1000), 0);
	throttle_init(&t, 100, 0);
	assert_int_equal(burst(&t, 10000, 1), 10000);
	assert_int_equal(throttle_expire(&t, 1000), 0);
	assert_int_equal(throttle_suppressed_total(&t), 0);
}

static void test_max_one(void **state)
{
	struct throttle t;

	(void)state;
	throttle_init(&t, 1, 1);
	for (time_t now = 0; now < 100; now++) {
		assert_true(throttle_allow(&t, now));
		assert_false(throttle_allow(&t, now));
	}
	assert_int_equal(throttle_expire(&t, 100), 100);
}

/* The next alert after a window closed, before expire was called: the old
 * window's count is kept for the next expire, not lost or mixed. */
static void test_allow_before_expire(void **state)
{
	struct throttle t;

	(void)state;
	throttle_init(&t, 1, 10);
	assert_int_equal(burst(&t, 4, 0), 1);
	assert_true(throttle_allow(&t, 10));    /* new window [10, 20) */
	assert_false(throttle_allow(&t, 11));
	assert_int_equal(throttle_expire(&t, 11), 3);
	assert_int_equal(throttle_expire(&t, 20), 1);
}

/* A clock that goes back counts as the same window and breaks nothing. */
static void test_time_backwards(void **state)
{
	struct throttle t;

	(void)state;
	throttle_init(&t, 2, 10);
	assert_true(throttle_allow(&t, 100));
	assert_true(throttle_allow(&t, 50));
	assert_false(throttle_allow(&t, 0));
	assert_false(throttle_allow(&t, -1000));
	assert_int_equal(throttle_expire(&t, 40), 0);
	assert_int_equal(throttle_expire(&t, 109), 0);
	assert_int_equal(throttle_expire(&t, 110), 2);
	/* the extremes of time_t neither overflow nor misbehave */
	throttle_init(&t, 1, UINT_MAX);
	assert_true(throttle_allow(&t, TIME_MIN));
	assert_false(throttle_allow(&t, TIME_MIN + 100));
	assert_int_equal(throttle_expire(&t, TIME_MIN + UINT_MAX - 1), 0);
	assert_int_equal(throttle_expire(&t, TIME_MAX), 1);
	throttle_init(&t, 1, 10);
	assert_true(throttle_allow(&t, TIME_MAX));
	assert_false(throttle_allow(&t, TIME_MIN));
	assert_int_equal(throttle_expire(&t, TIME_MIN), 0);
	assert_int_equal(throttle_expire(&t, TIME_MAX), 0);
	assert_int_equal(throttle_suppressed_total(&t), 1);
}

static void test_expire_without_alerts(void **state)
{
	struct throttle t;

	(void)state;
	throttle_init(&t, 5, 5);
	assert_int_equal(throttle_expire(&t, 0), 0);
	assert_int_equal(throttle_expire(&t, 1000000), 0);
	assert_int_equal(throttle_suppressed_total(&t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_window),
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_window_boundaries),
		cmocka_unit_test(test_no_suppression),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_max_one),
		cmocka_unit_test(test_allow_before_expire),
		cmocka_unit_test(test_time_backwards),
		cmocka_unit_test(test_expire_without_alerts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
