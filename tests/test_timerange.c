/*
 * test_timerange.c - --start/--end values: every keyword against a fixed
 * clock, ausearch's dates and ISO 8601 with and without zones, start and
 * end defaults for a date alone, local time across a DST change, and the
 * values that must be refused (with a message naming them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timerange.h"

/* Sunday 2026-11-29 10:20:30 UTC */
#define NOW 1795947630
#define DAY 86400
#define MIDNIGHT (NOW - (10 * 3600 + 20 * 60 + 30))

static const struct timerange_clock clk = { .now = NOW, .boot = NOW - 5000 };

static int64_t ok(const char *s, bool end)
{
	char err[512];
	int64_t v;

	if (timerange_parse(s, end, &clk, &v, err, sizeof(err)) != 0)
		fail_msg("'%s' refused: %s", s, err);
	return v;
}

static void refused(const char *s)
{
	char err[512] = "";
	int64_t v;

	if (timerange_parse(s, false, &clk, &v, err, sizeof(err)) == 0)
		fail_msg("'%s' accepted as %lld", s, (long long)v);
	/* the message names the value and says what is expected */
	if (strstr(err, "expected") == NULL ||
	    (strlen(s) < 60 && strstr(err, s) == NULL))
		fail_msg("message for '%s': %s", s, err);
}

static int setup_utc(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void test_keywords(void **state)
{
	(void)state;
	assert_int_equal(ok("now", false), NOW);
	assert_int_equal(ok("recent", false), NOW - 600);
	assert_int_equal(ok("boot", false), NOW - 5000);
	assert_int_equal(ok("this-hour", false), NOW - (20 * 60 + 30));
	assert_int_equal(ok("today", false), MIDNIGHT);
	assert_int_equal(ok("today", true), NOW);
	assert_int_equal(ok("yesterday", false), MIDNIGHT - DAY);
	/* the clock's day is a Sunday: this week starts today */
	assert_int_equal(ok("this-week", false), MIDNIGHT);
	assert_int_equal(ok("week-ago", false), MIDNIGHT - 7 * DAY);
	/* 2026-11-01 and 2026-01-01 */
	assert_int_equal(ok("this-month", false), 1793491200);
	assert_int_equal(ok("this-year", false), 1767225600);
	assert_int_equal(ok("yesterday 18:00", false),
			 MIDNIGHT - DAY + 18 * 3600);
	assert_int_equal(ok("  today 08:30:15 ", false),
			 MIDNIGHT + 8 * 3600 + 30 * 60 + 15);
	assert_int_equal(ok("18:00", false), MIDNIGHT + 18 * 3600);
	assert_int_equal(ok("18:00:05", true), MIDNIGHT + 18 * 3600 + 5);
}

static void test_dates(void **state)
{
	(void)state;
	assert_int_equal(ok("2026-11-28", false), MIDNIGHT - DAY);
	/* a date alone as the end: the whole day */
	assert_int_equal(ok("2026-11-28", true), MIDNIGHT - 1);
	assert_int_equal(ok("11/28/2026", false), MIDNIGHT - DAY);
	assert_int_equal(ok("11/28/26", false), MIDNIGHT - DAY);
	assert_int_equal(ok("11/28/2026 23:59:59", false), MIDNIGHT - 1);
	assert_int_equal(ok("2026-11-29T10:20:30Z", false), NOW);
	assert_int_equal(ok("2026-11-29T10:20:30.999Z", false), NOW);
	assert_int_equal(ok("2026-11-29 10:20:30", false), NOW);
	assert_int_equal(ok("2026-11-29T11:20:30+01:00", false), NOW);
	assert_int_equal(ok("2026-11-29T05:20:30-0500", false), NOW);
	assert_int_equal(ok("2026-11-29T10:20", false), NOW - 30);
	assert_int_equal(ok("2024-02-29", false), 1709164800);
	assert_int_equal(ok("@1795947630", false), NOW);
}

/* Without a zone, local time: the hour of a date depends on TZ and its
 * DST (Berlin: +01:00 in winter, +02:00 in summer). */
static void test_local(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	assert_int_equal(ok("2026-11-29 11:20:30", false), NOW);
	assert_int_equal(ok("2026-07-01 02:00:00", false), 1782864000);
	assert_int_equal(ok("2026-11-29T10:20:30Z", false), NOW);
	assert_int_equal(ok("today", false), MIDNIGHT - 3600);
	setenv("TZ", "UTC", 1);
	tzset();
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"", "tomorrow", "nowx", "now 10:00", "recent 1", "boots",
		"2026-13-01", "2026-02-29", "2026-11-31", "2026-11-00",
		"1969-12-31", "2026-11-29T24:00", "2026-11-29T10:60",
		"2026-11-29T10:00:61", "2026-11-29T", "2026-11-29X10:00",
		"2026-11-2910:00", "2026/11/29", "29.11.2026", "13/01/2026",
		"11/29/2026T10:00", "11/29/2026 10:00Z", "18", "18:0", "1800",
		"18:00 today", "today 25:00", "yesterday 18:00 x", "@",
		"@-5", "@12x", "2026-11-29T10:00+15:00", "2026-11-29T10:00+01:0",
		"10:00Z",
		"a very long value that goes on and on and on and on and on and on and on and on",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(bad[i]);
}

static void test_boot_unknown(void **state)
{
	struct timerange_clock c = { .now = NOW, .boot = 0 };
	char err[512];
	int64_t v;

	(void)state;
	assert_int_equal(timerange_parse("boot", false, &c, &v, err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "boot"));
	/* this machine's own is known and in the past */
	assert_true(timerange_boot_time() > 0);
	assert_true(timerange_boot_time() <= time(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_boot_unknown),
	};

	return cmocka_run_group_tests(tests, setup_utc, NULL);
}
