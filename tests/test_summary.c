/*
 * test_summary.c - the end-of-review summary: counts, first and last,
 * the top values in order, the bar per day, the one line when nothing
 * was found; hostile values escaped (text) and valid JSON; the bounds on
 * distinct values, command lines and rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_check.h"
#include "summary.h"

static const struct rule_meta r1 = { .id = "id-1", .name = "Kernel Seeking Activity" };
static const struct rule_meta r2 = { .id = "id-2", .name = "Other \"rule\"" };

struct fake {
	struct exec_event ev;
	struct argv av;
	struct argv_arg args[4];
	struct proc_entry parent;
	struct alert a;
};

static const struct alert *mk(struct fake *f, const struct rule_meta *r,
			      time_t sec, unsigned ms, const char *node,
			      uint32_t uid, const char *pexe,
			      const char *a0, const char *a1)
{
	memset(f, 0, sizeof(*f));
	f->ev.sec = sec;
	f->ev.msec = ms;
	snprintf(f->ev.node, sizeof(f->ev.node), "%s", node);
	f->ev.uid = uid;
	f->args[0].ptr = a0;
	f->args[0].len = (uint32_t)strlen(a0);
	f->args[1].ptr = a1;
	f->args[1].len = (uint32_t)strlen(a1);
	f->av.argc = 2;
	f->av.v = f->args;
	f->av.total_bytes = f->args[0].len + f->args[1].len;
	f->ev.argv = &f->av;
	f->parent.exe = pexe;
	f->a.rule = r;
	f->a.ev = &f->ev;
	f->a.parent = pexe ? &f->parent : NULL;
	f->a.host = "thishost";
	return &f->a;
}

static char *render(const struct summary *s, enum summary_format fmt,
		    const struct summary_input *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(summary_write(s, f, fmt, in), 0);
	fclose(f);
	return buf;
}

#define D0 1795910400 /* 2026-11-29T00:00:00Z */

static void test_counts(void **state)
{
	struct summary *s = summary_new();
	struct summary_input in = { .events = 40, .files = 2,
				    .first = D0 - 86400, .last = D0 + 5 };
	struct fake f;
	char *t, *j;

	(void)state;
	assert_non_null(s);
	/* day 1: 1 alert; day 2: 3 of r1 and 1 of r2 */
	summary_add(s, mk(&f, &r1, D0 - 3600, 5, "web1", 0, "/usr/bin/bash", "tail", "-c"));
	summary_add(s, mk(&f, &r1, D0 + 2, 7, "web1", 0, "/usr/bin/bash", "tail", "-c"));
	summary_add(s, mk(&f, &r1, D0 + 1, 900, "", 1000, NULL, "xxd", "-s"));
	summary_add(s, mk(&f, &r1, D0 + 3, 1, "web2", 0, "/usr/bin/dash", "tail", "-c"));
	summary_add(s, mk(&f, &r2, D0 + 4, 0, "web1", 0, "/x", "a\nb", "\x1b[2J"));
	assert_int_equal(summary_alerts(s), 5);
	t = render(s, SUMMARY_TEXT, &in);
	assert_non_null(strstr(t, "summary: 5 alerts in 40 exec events from 2 files, 2026-11-28T00:00:00Z to 2026-11-29T00:00:05Z\n"));
	assert_non_null(strstr(t, "rule \"Kernel Seeking Activity\" (id-1): 4 alerts, first 2026-11-28T23:00:00.005Z, last 2026-11-29T00:00:03.001Z\n"));
	assert_non_null(strstr(t, "  hosts:    \"web1\" (2), \"thishost\" (1), \"web2\" (1)\n"));
	assert_non_null(strstr(t, "  users:    \"0\" (3), \"1000\" (1)\n"));
	assert_non_null(strstr(t, "  parents:  \"/usr/bin/bash\" (2), \"(unknown)\" (1), \"/usr/bin/dash\" (1)\n"));
	assert_non_null(strstr(t, "  commands: \"tail -c\" (3), \"xxd -s\" (1)\n"));
	/* the escaped rule name and command line */
	assert_non_null(strstr(t, "rule \"Other \\\"rule\\\"\" (id-2): 1 alert, "));
	assert_non_null(strstr(t, "\"a\\x0ab \\x1b[2J\" (1)"));
	assert_null(strchr(t, '\x1b'));
	/* the bars: the busiest day full, the other at least one mark */
	assert_non_null(strstr(t, "alerts per day (UTC):\n  2026-11-28 ########## 1\n  2026-11-29 ######################################## 4\n"));
	j = render(s, SUMMARY_JSON, &in);
	assert_true(json_valid(j, strlen(j) - 1));
	assert_int_equal(strchr(j, '\n') - j, (long)strlen(j) - 1);
	assert_non_null(strstr(j, "{\"summary\":{\"alerts\":5,\"events\":40,\"files\":2,\"from\":\"2026-11-28T00:00:00Z\""));
	assert_non_null(strstr(j, "\"hosts\":[{\"value\":\"web1\",\"alerts\":2},{\"value\":\"thishost\",\"alerts\":1},{\"value\":\"web2\",\"alerts\":1}],\"hosts_distinct\":3"));
	assert_non_null(strstr(j, "\"per_day\":[{\"day\":\"2026-11-28\",\"alerts\":1},{\"day\":\"2026-11-29\",\"alerts\":4}]"));
	free(t);
	free(j);
	summary_free(s);
}

static void test_nothing(void **state)
{
	struct summary *s = summary_new();
	struct summary_input in = { .events = 1, .files = 1 };
	char *t, *j;

	(void)state;
	t = render(s, SUMMARY_TEXT, &in);
	assert_string_equal(t, "summary: no alerts in 1 exec event from 1 file\n");
	j = render(s, SUMMARY_JSON, &in);
	assert_string_equal(j, "{\"summary\":{\"alerts\":0,\"events\":1,\"files\":1,\"rules\":[],\"per_day\":[]}}\n");
	free(t);
	free(j);
	summary_free(s);
}

/* Bounded: past SUMMARY_MAX_VALUES distinct values the others are only
 * counted; a long command line is cut with "..."; the counts stay exact. */
static void test_bounds(void **state)
{
	struct summary *s = summary_new();
	struct summary_input in = { .events = 5000, .files = 1 };
	struct fake f;
	char host[32], *t, *j, *longarg = malloc(10000);
	unsigned i;

	(void)state;
	assert_non_null(longarg);
	memset(longarg, 'x', 9999);
	longarg[9999] = '\0';
	for (i = 0; i < 3000; i++) {
		snprintf(host, sizeof(host), "h%u", i);
		summary_add(s, mk(&f, &r1, D0 + i, 0, host, i, "/p", "cmd",
				  i == 0 ? longarg : "x"));
	}
	assert_int_equal(summary_alerts(s), 3000);
	t = render(s, SUMMARY_TEXT, &in);
	assert_non_null(strstr(t, "3000 alerts"));
	assert_non_null(strstr(t, "1019 more (1976 alerts with further values not told apart)"));
	assert_non_null(strstr(t, "xxx...\" (1)"));
	j = render(s, SUMMARY_JSON, &in);
	assert_true(json_valid(j, strlen(j) - 1));
	assert_non_null(strstr(j, "\"hosts_distinct\":1024"));
	free(t);
	free(j);
	free(longarg);
	summary_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
