/*
 * test_runtime.c - the one path that applies settings, driven as a reload
 * would drive it (runtime_configure twice, in review mode: no syslog, no
 * capabilities): every reloadable key takes its new value, every
 * restart-only key keeps its running one and says so, the command line
 * wins over the file at every reload, and a file that does not load
 * changes nothing. tests/reload.sh checks the same in plugin mode, by
 * SIGHUP, through what an operator sees.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "diag.h"
#include "runtime.h"

static char dir[] = "/tmp/test_runtime.XXXXXX";
static char conf_path[128];
static char rules_dir[512];
static char err_path[160];
static struct runtime rt;

static int setup(void **state)
{
	const char *src = getenv("KS_SRCDIR");

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/ks.conf", dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", dir);
	snprintf(rules_dir, sizeof(rules_dir), "%s/conf/rules",
		 src && *src ? src : ".");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(conf_path);
	unlink(err_path);
	rmdir(dir);
	return 0;
}

/* The config file: the shipped rules, no local ones, then `extra`. */
static void write_conf(const char *extra)
{
	FILE *f = fopen(conf_path, "w");

	assert_non_null(f);
	fprintf(f, "rules_dir = %s\nlocal_rules_dir = %s/none\n%s",
		rules_dir, dir, extra);
	assert_int_equal(fclose(f), 0);
}

/* runtime_configure with stderr (the review-mode log) captured. */
static int configure(char *said, size_t len)
{
	int fd, saved, rc;
	ssize_t n;

	fflush(stderr);
	fd = open(err_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	rc = runtime_configure(&rt);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, said, len - 1, 0);
	assert_true(n >= 0);
	said[n] = '\0';
	close(fd);
	return rc;
}

static void start(bool format_json)
{
	struct runtime_options o = {
		.plugin_mode = false,
		.conf_path = conf_path,
		.conf_given = true,
		.format_given = format_json,
		.format = ALERT_FORMAT_JSON,
	};
	char said[4096];

	runtime_init(&rt, &o);
	assert_int_equal(configure(said, sizeof(said)), 0);
	assert_true(rt.started);
}

/* Per key: a value other than the default, as the file would spell it;
 * text values are chosen so that the rules still load. */
static void other_value(const struct conf_key *k, char *buf, size_t len)
{
	switch (k->type) {
	case CONF_WORD:
	case CONF_BOOL: {
		int dv = -1;

		for (size_t j = 0; j < k->nwords; j++)
			if (strcmp(k->words[j].name, k->def) == 0)
				dv = k->words[j].val;
		for (size_t j = 0; j < k->nwords; j++)
			if (k->words[j].val != dv) {
				snprintf(buf, len, "%s", k->words[j].name);
				return;
			}
		fail();
		return;
	}
	case CONF_NUMBER:
		snprintf(buf, len, "%llu", (unsigned long long)k->min + 1);
		return;
	default:
		if (strcmp(k->name, "rules") == 0)
			snprintf(buf, len, "kernel_seeking_hardened");
		else if (strcmp(k->name, "rules_dir") == 0)
			snprintf(buf, len, "%s/../rules", rules_dir);
		else
			snprintf(buf, len, "%s/%s", dir, k->name);
		return;
	}
}

/* One key changed by a reload: applied when reloadable; otherwise kept,
 * with a notice naming the key, the new value and the running one. */
static void test_each_key(void **state)
{
	char line[1200], v[1100], running[1100], said[4096], want[2400];

	(void)state;
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		struct ks_conf before;

		write_conf("");
		start(false);
		before = rt.conf;
		other_value(k, v, sizeof(v));
		/* rules_dir and local_rules_dir are also in the base file:
		 * write the whole file for them */
		if (strcmp(k->name, "rules_dir") == 0) {
			FILE *f = fopen(conf_path, "w");

			fprintf(f, "rules_dir = %s\nlocal_rules_dir = %s/none\n",
				v, dir);
			fclose(f);
		} else if (strcmp(k->name, "local_rules_dir") == 0) {
			FILE *f = fopen(conf_path, "w");

			fprintf(f, "rules_dir = %s\nlocal_rules_dir = %s\n",
				rules_dir, v);
			fclose(f);
		} else {
			snprintf(line, sizeof(line), "%s = %s\n", k->name, v);
			write_conf(line);
		}
		assert_int_equal(configure(said, sizeof(said)), 0);
		for (size_t j = 0; j < conf_nkeys; j++)
			if (j != i && !conf_same(&conf_keys[j], &rt.conf,
						 &before))
				fail_msg("%s: reload changed %s", k->name,
					 conf_keys[j].name);
		conf_value(k, &before, running, sizeof(running));
		snprintf(want, sizeof(want),
			 DIAG_PROG ": %s = %s takes effect at the next start; running with %s\n",
			 k->name, v, running);
		if (k->reloadable) {
			if (conf_same(k, &rt.conf, &before))
				fail_msg("%s: not applied by the reload",
					 k->name);
			if (strstr(said, "next start"))
				fail_msg("%s: %s", k->name, said);
		} else {
			if (!conf_same(k, &rt.conf, &before))
				fail_msg("%s: applied by the reload", k->name);
			if (!strstr(said, want))
				fail_msg("%s: no notice, said: %s", k->name,
					 said);
		}
		runtime_free(&rt);
	}
}

/* What the reloadable settings drive follows them: the sink and the
 * rules. */
static void test_applied(void **state)
{
	char said[4096];

	(void)state;
	write_conf("");
	start(false);
	assert_int_equal(rt.sink.set.format, ALERT_FORMAT_TEXT);
	assert_false(rt.sink.set.cee_cookie);
	assert_int_equal(rt.rules.n, 1);
	assert_string_equal(rt.rules.rule[0].stem, "kernel_seeking_v2");

	write_conf("format = json\njson_cee_cookie = yes\npriority = info\n"
		   "rules = kernel_seeking_hardened\n");
	assert_int_equal(configure(said, sizeof(said)), 0);
	assert_int_equal(rt.sink.set.format, ALERT_FORMAT_JSON);
	assert_true(rt.sink.set.cee_cookie);
	assert_int_equal(rt.sink.set.priority, LOG_INFO);
	/* review mode never cuts or throttles */
	assert_int_equal(rt.sink.set.max_len, 0);
	assert_int_equal(rt.rules.n, 1);
	assert_string_equal(rt.rules.rule[0].stem, "kernel_seeking_hardened");
	assert_int_equal(rt.rules.rule[0].thr.max, 0);
	runtime_free(&rt);
}

/* A rule's counters survive a reload that keeps the rule, so the
 * statistics line is not reset by auditd's reloads. */
static void test_counters_survive(void **state)
{
	const char *src = getenv("KS_SRCDIR");
	char path[512], said[4096], buf[65536];
	int saved, null;
	ssize_t n;
	FILE *f;

	(void)state;
	write_conf("");
	start(false);
	snprintf(path, sizeof(path), "%s/tests/data/sample.log",
		 src && *src ? src : ".");
	f = fopen(path, "r");
	if (!f)
		skip();
	/* alerts go to stdout: not into the test's report */
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY);
	assert_true(saved >= 0 && null >= 0);
	dup2(null, STDOUT_FILENO);
	while ((n = (ssize_t)fread(buf, 1, sizeof(buf), f)) > 0)
		runtime_feed(&rt, buf, (size_t)n);
	fclose(f);
	runtime_flush(&rt);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(null);
	assert_int_equal(rt.rules.n, 1);
	assert_int_equal(rt.rules.rule[0].matches, 2);
	write_conf("priority = info\n");
	assert_int_equal(configure(said, sizeof(said)), 0);
	assert_int_equal(rt.sink.set.priority, LOG_INFO);
	assert_int_equal(rt.rules.rule[0].matches, 2);
	runtime_free(&rt);
}

/* --format wins over the file at start and after every reload. */
static void test_command_line_survives(void **state)
{
	char said[4096];

	(void)state;
	write_conf("format = text\n");
	start(true);
	assert_int_equal(rt.sink.set.format, ALERT_FORMAT_JSON);
	write_conf("format = text\npriority = err\n");
	assert_int_equal(configure(said, sizeof(said)), 0);
	assert_int_equal(rt.sink.set.priority, LOG_ERR);
	assert_int_equal(rt.sink.set.format, ALERT_FORMAT_JSON);
	assert_int_equal(rt.conf.format, ALERT_FORMAT_JSON);
	runtime_free(&rt);
}

/* A reload whose file does not load keeps everything and says why; the
 * same file at start is an error (review mode, --config). */
static void test_bad_file(void **state)
{
	struct ks_conf before;
	char said[4096];

	(void)state;
	write_conf("priority = info\n");
	start(false);
	before = rt.conf;
	write_conf("priority = err\nformat = yaml\n");
	assert_int_equal(configure(said, sizeof(said)), 0);
	assert_non_null(strstr(said, "reload failed, keeping the previous configuration: "));
	assert_non_null(strstr(said, "ks.conf:4: bad value 'yaml' for format"));
	for (size_t j = 0; j < conf_nkeys; j++)
		assert_true(conf_same(&conf_keys[j], &rt.conf, &before));
	assert_int_equal(rt.sink.set.priority, LOG_INFO);
	runtime_free(&rt);

	struct runtime_options o = {
		.conf_path = conf_path,
		.conf_given = true,
	};
	runtime_init(&rt, &o);
	assert_int_equal(configure(said, sizeof(said)), -1);
	assert_non_null(strstr(said, "ks.conf:4: bad value 'yaml'"));
	assert_false(rt.started);
	runtime_free(&rt);
}

/* Which node= names are this machine's: /proc and the user database are
 * asked only for their events. */
static void test_local_nodes(void **state)
{
	struct runtime_options o = {
		.conf_path = conf_path,
		.host_name = "web1.example.org",
	};
	char host[256] = "", other[300];

	(void)state;
	runtime_init(&rt, &o);
	assert_true(runtime_is_local(&rt, ""));
	assert_true(runtime_is_local(&rt, NULL));
	assert_true(runtime_is_local(&rt, "web1.example.org"));
	/* --host-name: that machine's logs, that name only */
	assert_false(runtime_is_local(&rt, "web1"));
	assert_false(runtime_is_local(&rt, "web1.example.org."));
	assert_false(runtime_is_local(&rt, "WEB1.example.org"));
	runtime_free(&rt);

	o.host_name = NULL;
	o.plugin_mode = true;
	assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
	runtime_init(&rt, &o);
	assert_true(runtime_is_local(&rt, host));
	host[strcspn(host, ".")] = '\0';
	assert_true(runtime_is_local(&rt, host));
	snprintf(other, sizeof(other), "%s2", host);
	assert_false(runtime_is_local(&rt, other));
	snprintf(other, sizeof(other), "x%s", host);
	assert_false(runtime_is_local(&rt, other));
	assert_false(runtime_is_local(&rt, "ks-remote-1"));
	/* never more names than it has room for */
	assert_true(rt.nlocal >= 1 && rt.nlocal <= 3);
	runtime_free(&rt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_key),
		cmocka_unit_test(test_applied),
		cmocka_unit_test(test_counters_survive),
		cmocka_unit_test(test_command_line_survives),
		cmocka_unit_test(test_bad_file),
		cmocka_unit_test(test_local_nodes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
