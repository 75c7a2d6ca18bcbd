/*
 * test_sink.c - alerts through the throttle and the size cap to a stream.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rule.h"
#include "sink.h"

static struct exec_event ev;
static struct argv_arg args[3] = {
	{ "tail", 4 }, { "-c1", 3 }, { "/boot/x", 7 },
};
static struct argv av = { 3, args, 14, 0 };

static struct alert mk_alert(void)
{
	struct alert a = {
		.rule = &rule_kernel_seeking_v2_meta,
		.ev = &ev,
		.parent = NULL,
		.host = "h",
	};

	memset(&ev, 0, sizeof(ev));
	strcpy(ev.exe, "/usr/bin/tail");
	strcpy(ev.comm, "tail");
	exec_event_set_name(&ev);
	ev.argv = &av;
	ev.pid = 2;
	ev.ppid = 1;
	ev.serial = 7;
	return a;
}

static unsigned count_lines(const char *s, const char *needle)
{
	unsigned n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

static void test_throttle_summary(void **state)
{
	struct sink_settings set = {
		.format = ALERT_FORMAT_TEXT, .throttle_max = 100,
		.throttle_window = 300,
	};
	struct alert a = mk_alert();
	struct sink s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i;

	(void)state;
	sink_init(&s, SINK_STDOUT, f, &set);
	for (i = 0; i < 150; i++)
		sink_alert(&s, &a, 1000);
	sink_tick(&s, 1299);    /* window still open: no summary yet */
	fflush(f);
	assert_int_equal(count_lines(buf, "alert rule="), 100);
	assert_int_equal(count_lines(buf, "suppressed"), 0);
	sink_tick(&s, 1300);
	sink_tick(&s, 1301);    /* reported once */
	fflush(f);
	assert_int_equal(count_lines(buf, "suppressed 50 alerts"), 1);
	assert_int_equal(s.alerts, 100);
	assert_int_equal(s.suppressed, 50);
	/* a new window lets alerts through again */
	sink_alert(&s, &a, 1400);
	fflush(f);
	assert_int_equal(count_lines(buf, "alert rule="), 101);
	sink_free(&s);
	fclose(f);
	free(buf);
}

static void test_finish_reports_open_window(void **state)
{
	struct sink_settings set = {
		.format = ALERT_FORMAT_TEXT, .throttle_max = 1,
		.throttle_window = 300,
	};
	struct alert a = mk_alert();
	struct sink s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	sink_init(&s, SINK_STDOUT, f, &set);
	sink_alert(&s, &a, 5);
	sink_alert(&s, &a, 6);
	sink_alert(&s, &a, 7);
	sink_finish(&s);
	fflush(f);
	assert_int_equal(count_lines(buf, "alert rule="), 1);
	assert_int_equal(count_lines(buf, "suppressed 2 alerts"), 1);
	sink_free(&s);
	fclose(f);
	free(buf);
}

static void test_off_and_cee(void **state)
{
	struct sink_settings set = {
		.format = ALERT_FORMAT_JSON, .cee_cookie = true,
	};
	struct alert a = mk_alert();
	struct sink s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i;

	(void)state;
	sink_init(&s, SINK_STDOUT, f, &set);
	for (i = 0; i < 500; i++)
		sink_alert(&s, &a, 1);
	fflush(f);
	assert_int_equal(count_lines(buf, "@cee: {\"@timestamp\""), 500);
	assert_int_equal(s.suppressed, 0);
	sink_free(&s);
	fclose(f);
	free(buf);
}

static void test_max_len(void **state)
{
	static struct argv_arg many[5000];
	struct argv big = { 5000, many, 0, 0 };
	struct sink_settings set = {
		.format = ALERT_FORMAT_JSON, .cee_cookie = true,
		.max_len = 2048,
	};
	struct alert a = mk_alert();
	struct sink s;
	char *buf = NULL, *nl;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i;

	(void)state;
	for (i = 0; i < 5000; i++) {
		many[i].ptr = "/boot/argument";
		many[i].len = 14;
	}
	ev.argv = &big;
	sink_init(&s, SINK_STDOUT, f, &set);
	sink_alert(&s, &a, 1);
	fflush(f);
	nl = strchr(buf, '\n');
	assert_non_null(nl);
	/* the cookie is outside the cap */
	assert_true((size_t)(nl - buf) <= 2048 + 6);
	assert_non_null(strstr(buf, "omitted"));
	sink_free(&s);
	fclose(f);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_throttle_summary),
		cmocka_unit_test(test_finish_reports_open_window),
		cmocka_unit_test(test_off_and_cee),
		cmocka_unit_test(test_max_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
