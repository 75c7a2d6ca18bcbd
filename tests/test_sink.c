/*
 * test_sink.c - alerts through the size cap to a stream, the cookie, and
 * the throttle's summary line.
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
#include "v2_reference.h"
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

/* The summary line for a rule's throttle window: counts, and the rule's
 * name and id escaped, since they come from a rule file. */
static void test_suppressed_line(void **state)
{
	struct sink_settings set = { .format = ALERT_FORMAT_TEXT };
	struct rule_meta m = rule_kernel_seeking_v2_meta;
	struct sink s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	sink_init(&s, SINK_STDOUT, f, NULL, &set);
	sink_suppressed(&s, &m, 50, 100, 300);
	m.name = "evil\nname \"x\"";
	sink_suppressed(&s, &m, 1, 2, 3);
	fflush(f);
	assert_string_equal(buf,
		"throttle: suppressed 50 alerts of rule \"Kernel Seeking Activity\" "
		"rule_id=3c9f7901-01d8-465d-8dc0-5d46671035fa in the last 300 s "
		"(limit 100 per window)\n"
		"throttle: suppressed 1 alerts of rule \"evil\\x0aname \\\"x\\\"\" "
		"rule_id=3c9f7901-01d8-465d-8dc0-5d46671035fa in the last 3 s "
		"(limit 2 per window)\n");
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
	sink_init(&s, SINK_STDOUT, f, NULL, &set);
	for (i = 0; i < 500; i++)
		sink_alert(&s, &a);
	fflush(f);
	assert_int_equal(count_lines(buf, "@cee: {\"@timestamp\""), 500);
	assert_int_equal(s.alerts, 500);
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
	sink_init(&s, SINK_STDOUT, f, NULL, &set);
	sink_alert(&s, &a);
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
		cmocka_unit_test(test_suppressed_line),
		cmocka_unit_test(test_off_and_cee),
		cmocka_unit_test(test_max_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
