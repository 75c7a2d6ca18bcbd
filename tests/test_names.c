/*
 * test_names.c - the NSS name cache: answers and non-answers are cached
 * for their time; a lookup that is slow or hangs never holds the caller
 * longer than wait_ms; the cache stays within its entries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "names.h"

static unsigned calls;          /* resolver calls (worker thread) */
static unsigned delay_ms;       /* how long the resolver takes */
static unsigned finished;       /* resolver calls that returned */

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* users 0 root, 1001 ks12a, 7 a 70-byte name; groups 0 root, 5 five */
static bool fake(enum names_kind kind, uint32_t id, char *out, size_t cap)
{
	const char *name = NULL;

	__atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&delay_ms, __ATOMIC_SEQ_CST))
		sleep_ms(__atomic_load_n(&delay_ms, __ATOMIC_SEQ_CST));
	if (kind == NAMES_USER && id == 0)
		name = "root";
	else if (kind == NAMES_USER && id == 1001)
		name = "ks12a";
	else if (kind == NAMES_USER && id == 7)
		name = "a23456789012345678901234567890123456789012345678901234567890123456789";
	else if (kind == NAMES_GROUP && id == 0)
		name = "root";
	else if (kind == NAMES_GROUP && id == 5)
		name = "five";
	__atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
	if (!name || strlen(name) >= cap)
		return false;
	strcpy(out, name);
	return true;
}

static void reset(unsigned delay)
{
	__atomic_store_n(&calls, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&finished, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&delay_ms, delay, __ATOMIC_SEQ_CST);
}

static void test_cache(void **state)
{
	struct names *n;
	struct names_stats st;
	char out[NAMES_NAME_MAX];

	(void)state;
	reset(0);
	n = names_new(NULL, fake);
	assert_non_null(n);
	assert_true(names_get(n, NAMES_USER, 1001, 100, out, sizeof(out)));
	assert_string_equal(out, "ks12a");
	assert_true(names_get(n, NAMES_USER, 1001, 101, out, sizeof(out)));
	assert_string_equal(out, "ks12a");
	/* no such user: remembered too */
	assert_false(names_get(n, NAMES_USER, 4242, 100, out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(names_get(n, NAMES_USER, 4242, 101, out, sizeof(out)));
	/* users and groups are apart */
	assert_false(names_get(n, NAMES_USER, 5, 100, out, sizeof(out)));
	assert_true(names_get(n, NAMES_GROUP, 5, 100, out, sizeof(out)));
	assert_string_equal(out, "five");
	/* a name too long is no name; too small a buffer neither */
	assert_false(names_get(n, NAMES_USER, 7, 100, out, sizeof(out)));
	assert_false(names_get(n, NAMES_USER, 1001, 101, out, 3));
	assert_int_equal(calls, 5);
	names_stats(n, &st);
	assert_int_equal(st.lookups, 5);
	assert_int_equal(st.resolved, 2);
	assert_int_equal(st.hits, 3);
	assert_int_equal(st.timeouts + st.busy, 0);

	/* a name is kept 600 s, a non-name 60 s */
	assert_true(names_get(n, NAMES_USER, 1001, 699, out, sizeof(out)));
	assert_false(names_get(n, NAMES_USER, 4242, 159, out, sizeof(out)));
	assert_int_equal(calls, 5);
	assert_false(names_get(n, NAMES_USER, 4242, 160, out, sizeof(out)));
	assert_int_equal(calls, 6);
	assert_true(names_get(n, NAMES_USER, 1001, 700, out, sizeof(out)));
	assert_int_equal(calls, 7);
	names_free(n);
}

/* A slow directory: the caller waits wait_ms at most, the answer comes
 * into the cache later; meanwhile other misses do not wait at all. */
static void test_slow(void **state)
{
	struct names_limits lim = { 0, 20, 0, 0 };
	struct names *n;
	struct names_stats st;
	char out[NAMES_NAME_MAX];
	double t0;

	(void)state;
	reset(300);
	n = names_new(&lim, fake);
	assert_non_null(n);
	t0 = now_ms();
	assert_false(names_get(n, NAMES_USER, 1001, 1, out, sizeof(out)));
	assert_true(now_ms() - t0 < 150);
	assert_true(now_ms() - t0 >= 15);
	t0 = now_ms();
	assert_false(names_get(n, NAMES_USER, 0, 1, out, sizeof(out)));
	assert_false(names_get(n, NAMES_GROUP, 0, 1, out, sizeof(out)));
	assert_true(now_ms() - t0 < 15);
	names_stats(n, &st);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.busy, 2);
	while (__atomic_load_n(&finished, __ATOMIC_SEQ_CST) < 1)
		sleep_ms(10);
	sleep_ms(20);
	/* the late answer is there now */
	t0 = now_ms();
	assert_true(names_get(n, NAMES_USER, 1001, 2, out, sizeof(out)));
	assert_string_equal(out, "ks12a");
	assert_true(now_ms() - t0 < 15);
	assert_int_equal(calls, 1);
	names_free(n);
}

/* A directory that hangs: names_free does not wait for it either. */
static void test_hung(void **state)
{
	struct names_limits lim = { 0, 10, 0, 0 };
	struct names *n;
	char out[NAMES_NAME_MAX];
	double t0;

	(void)state;
	reset(1000);
	n = names_new(&lim, fake);
	assert_non_null(n);
	assert_false(names_get(n, NAMES_USER, 1001, 1, out, sizeof(out)));
	t0 = now_ms();
	names_free(n);
	assert_true(now_ms() - t0 < 100);
	/* the worker frees the rest when its lookup returns */
	while (__atomic_load_n(&finished, __ATOMIC_SEQ_CST) < 1)
		sleep_ms(20);
	sleep_ms(50);
}

/* Many ids: the cache keeps `entries` per kind, the older ones go. */
static void test_bounded(void **state)
{
	struct names_limits lim = { 8, 0, 0, 0 };
	struct names *n;
	char out[NAMES_NAME_MAX];
	uint32_t id;

	(void)state;
	reset(0);
	n = names_new(&lim, fake);
	assert_non_null(n);
	for (id = 100; id < 1100; id++)
		names_get(n, NAMES_USER, id, 1, out, sizeof(out));
	assert_int_equal(calls, 1000);
	/* the last ones are still there, the first ones not */
	names_get(n, NAMES_USER, 1099, 1, out, sizeof(out));
	assert_int_equal(calls, 1000);
	names_get(n, NAMES_USER, 100, 1, out, sizeof(out));
	assert_int_equal(calls, 1001);
	names_free(n);
}

/* This machine's NSS: root is uid and gid 0 everywhere. */
static void test_nss(void **state)
{
	/* time enough for valgrind to load the NSS modules */
	struct names_limits lim = { 0, 10000, 0, 0 };
	struct names *n = names_new(&lim, NULL);
	char out[NAMES_NAME_MAX];

	(void)state;
	assert_non_null(n);
	assert_true(names_get(n, NAMES_USER, 0, 1, out, sizeof(out)));
	assert_string_equal(out, "root");
	assert_true(names_get(n, NAMES_GROUP, 0, 1, out, sizeof(out)));
	assert_string_equal(out, "root");
	assert_false(names_get(n, NAMES_USER, 3999999999u, 1, out,
			       sizeof(out)));
	names_free(n);
	/* never started: freed at once */
	names_free(names_new(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_slow),
		cmocka_unit_test(test_hung),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_nss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
