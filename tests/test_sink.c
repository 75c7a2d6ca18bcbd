/*
 * test_sink.c - alerts through the size cap to a stream and to syslog
 * (a datagram socket bound in a temp dir stands in for the daemon): the
 * message whole, its priority and facility, the cookie, the cap, the
 * throttle's summary line, and a stream that cannot be written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>
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

/* A stream that cannot be written (stdout a pipe whose reader is gone):
 * the sink says so in write_failed, for every kind of line, and a good
 * stream never sets it. */
static void test_write_failed(void **state)
{
	struct sink_settings set = { .format = ALERT_FORMAT_TEXT };
	struct alert a = mk_alert();
	struct sink s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int p[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	f = open_memstream(&buf, &len);
	sink_init(&s, SINK_STDOUT, f, NULL, &set);
	sink_alert(&s, &a);
	sink_suppressed(&s, &rule_kernel_seeking_v2_meta, 1, 2, 3);
	assert_false(s.write_failed);
	sink_free(&s);
	fclose(f);
	free(buf);

	assert_int_equal(pipe(p), 0);
	close(p[0]);
	f = fdopen(p[1], "w");
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);   /* the error at the write, not at exit */
	sink_init(&s, SINK_STDOUT, f, NULL, &set);
	sink_alert(&s, &a);
	assert_true(s.write_failed);
	sink_free(&s);

	sink_init(&s, SINK_STDOUT, f, NULL, &set);
	sink_suppressed(&s, &rule_kernel_seeking_v2_meta, 1, 2, 3);
	assert_true(s.write_failed);
	sink_free(&s);
	fclose(f);
}

/* ---- the syslog sink ---------------------------------------------------- */

static char dir[64], sock_path[128];
static int daemon_fd = -1;

static int syslog_setup(void **state)
{
	struct sockaddr_un sa;

	(void)state;
	strcpy(dir, "/tmp/ks-sink-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/log.sock", dir);
	daemon_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (daemon_fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, sock_path);
	return bind(daemon_fd, (struct sockaddr *)&sa, sizeof(sa));
}

static int syslog_teardown(void **state)
{
	(void)state;
	close(daemon_fd);
	unlink(sock_path);
	return rmdir(dir);
}

/* One datagram as the daemon gets it. */
struct dgram {
	int pri;
	const char *body;     /* after "TAG[PID]: " */
	size_t body_len;
};

/* The next datagram, which must be there, split into its priority and its
 * body; the header must be "<PRI>Mmm dd hh:mm:ss TAG[PID]: ". */
static struct dgram receive(void)
{
	static char buf[LOGSOCK_MAX + 256];
	char head[64];
	struct dgram d = { -1, NULL, 0 };
	ssize_t n = recv(daemon_fd, buf, sizeof(buf) - 1, 0);
	const char *p;
	int hl;

	assert_true(n > 0);
	buf[n] = '\0';
	assert_int_equal(sscanf(buf, "<%d>", &d.pri), 1);
	hl = snprintf(head, sizeof(head), " audisp-kernel-seeking[%d]: ",
		      (int)getpid());
	p = strstr(buf, head);
	assert_non_null(p);
	/* "<PRI>" and the 15-byte timestamp come first */
	assert_int_equal(p - strchr(buf, '>') - 1, 15);
	d.body = p + hl;
	d.body_len = (size_t)n - (size_t)(d.body - buf);
	return d;
}

static void assert_no_more(void)
{
	char c;

	assert_true(recv(daemon_fd, &c, 1, 0) < 0);
}

/* What alert_format gives for this alert, as the syslog body must be. */
static char *expected(const struct alert *a, enum alert_format fmt,
		      size_t max_len, bool cee)
{
	struct strbuf sb;
	char *out;

	sb_init(&sb, 0);
	alert_format(&sb, a, fmt, max_len);
	out = malloc(sb.len + 7);
	assert_non_null(out);
	snprintf(out, sb.len + 7, "%s%s", cee ? "@cee: " : "", sb_str(&sb));
	sb_free(&sb);
	return out;
}

/* Every alert is one datagram holding the whole alert, byte for byte, at
 * the sink's priority and the socket's facility; the cookie only on JSON
 * and only when set. 2,000 arguments: far over rsyslog's 8 KiB default,
 * still one message when no cap is set. */
static void test_syslog_whole(void **state)
{
	static struct argv_arg many[2000];
	struct argv big = { 2000, many, 0, 0 };
	struct sink_settings set = {
		.format = ALERT_FORMAT_TEXT, .priority = LOG_WARNING,
	};
	struct logsock log;
	struct alert a = mk_alert();
	struct sink s;
	struct dgram d;
	char *want;
	int i;

	(void)state;
	logsock_init(&log, sock_path, "audisp-kernel-seeking", LOG_AUTHPRIV,
		     false);
	sink_init(&s, SINK_SYSLOG, NULL, &log, &set);

	sink_alert(&s, &a);
	d = receive();
	assert_int_equal(d.pri, LOG_AUTHPRIV | LOG_WARNING);
	want = expected(&a, ALERT_FORMAT_TEXT, 0, false);
	assert_int_equal(d.body_len, strlen(want));
	assert_memory_equal(d.body, want, d.body_len);
	free(want);

	/* the cookie is for JSON: not on text, even when set */
	set.cee_cookie = true;
	sink_reconfigure(&s, &set);
	sink_alert(&s, &a);
	d = receive();
	assert_int_equal(d.body_len, strlen(d.body));
	assert_memory_equal(d.body, "alert rule=", 11);

	set.format = ALERT_FORMAT_JSON;
	sink_reconfigure(&s, &set);
	for (i = 0; i < 2000; i++) {
		many[i].ptr = "/boot/argument";
		many[i].len = 14;
	}
	ev.argv = &big;
	sink_alert(&s, &a);
	d = receive();
	want = expected(&a, ALERT_FORMAT_JSON, 0, true);
	assert_true(strlen(want) > 8192);
	assert_int_equal(d.body_len, strlen(want));
	assert_memory_equal(d.body, want, d.body_len);
	free(want);

	set.cee_cookie = false;
	sink_reconfigure(&s, &set);
	sink_alert(&s, &a);
	d = receive();
	want = expected(&a, ALERT_FORMAT_JSON, 0, false);
	assert_int_equal(d.body_len, strlen(want));
	assert_memory_equal(d.body, want, d.body_len);
	free(want);

	assert_no_more();
	assert_int_equal(s.alerts, 4);
	assert_int_equal(log.sent, 4);
	assert_false(s.write_failed);
	sink_free(&s);
	logsock_close(&log);
}

/* The priority is the sink's setting, the facility the socket's; both
 * follow a reconfiguration (SIGHUP). */
static void test_syslog_priority_facility(void **state)
{
	struct sink_settings set = {
		.format = ALERT_FORMAT_TEXT, .priority = LOG_NOTICE,
	};
	struct logsock log;
	struct alert a = mk_alert();
	struct sink s;

	(void)state;
	logsock_init(&log, sock_path, "audisp-kernel-seeking", LOG_LOCAL3,
		     false);
	sink_init(&s, SINK_SYSLOG, NULL, &log, &set);
	sink_alert(&s, &a);
	assert_int_equal(receive().pri, LOG_LOCAL3 | LOG_NOTICE);   /* 157 */
	set.priority = LOG_ERR;
	sink_reconfigure(&s, &set);
	sink_alert(&s, &a);
	assert_int_equal(receive().pri, LOG_LOCAL3 | LOG_ERR);
	logsock_reconfigure(&log, sock_path, LOG_DAEMON);
	sink_alert(&s, &a);
	assert_int_equal(receive().pri, LOG_DAEMON | LOG_ERR);      /* 27 */
	assert_no_more();
	sink_free(&s);
	logsock_close(&log);
}

/* The cap applies to what reaches syslog: at most max_len bytes of alert,
 * plus the cookie outside it, cut as alert_format cuts (marker, valid
 * JSON). */
static void test_syslog_max_len(void **state)
{
	static struct argv_arg many[5000];
	struct argv big = { 5000, many, 0, 0 };
	struct sink_settings set = {
		.format = ALERT_FORMAT_JSON, .cee_cookie = true,
		.max_len = 2048, .priority = LOG_WARNING,
	};
	struct logsock log;
	struct alert a = mk_alert();
	struct sink s;
	struct dgram d;
	char *want;
	int i;

	(void)state;
	for (i = 0; i < 5000; i++) {
		many[i].ptr = "/boot/argument";
		many[i].len = 14;
	}
	ev.argv = &big;
	logsock_init(&log, sock_path, "audisp-kernel-seeking", LOG_AUTHPRIV,
		     false);
	sink_init(&s, SINK_SYSLOG, NULL, &log, &set);
	sink_alert(&s, &a);
	d = receive();
	assert_true(d.body_len <= 6 + 2048);
	want = expected(&a, ALERT_FORMAT_JSON, 2048, true);
	assert_int_equal(d.body_len, strlen(want));
	assert_memory_equal(d.body, want, d.body_len);
	assert_non_null(strstr(want, "omitted"));
	assert_memory_equal(d.body + d.body_len - 1, "}", 1);
	free(want);

	set.format = ALERT_FORMAT_TEXT;
	sink_reconfigure(&s, &set);
	sink_alert(&s, &a);
	d = receive();
	assert_true(d.body_len <= 2048);
	assert_memory_equal(d.body, "alert rule=", 11);
	assert_non_null(strstr(d.body, "omitted"));
	assert_no_more();
	sink_free(&s);
	logsock_close(&log);
}

/* The throttle's summary line reaches syslog as one message at the sink's
 * priority, the rule's name escaped; it is plain text, so no cookie even
 * when JSON alerts carry one. */
static void test_syslog_suppressed(void **state)
{
	struct sink_settings set = {
		.format = ALERT_FORMAT_JSON, .cee_cookie = true,
		.priority = LOG_WARNING,
	};
	struct rule_meta m = rule_kernel_seeking_v2_meta;
	static const char want[] =
		"throttle: suppressed 7 alerts of rule \"evil\\x0aname "
		"\\\"x\\\" \\x1b[31m\" "
		"rule_id=3c9f7901-01d8-465d-8dc0-5d46671035fa in the last 300 s "
		"(limit 100 per window)";
	struct logsock log;
	struct sink s;
	struct dgram d;

	(void)state;
	logsock_init(&log, sock_path, "audisp-kernel-seeking", LOG_AUTHPRIV,
		     false);
	sink_init(&s, SINK_SYSLOG, NULL, &log, &set);
	m.name = "evil\nname \"x\" \x1b[31m";
	sink_suppressed(&s, &m, 7, 100, 300);
	d = receive();
	assert_int_equal(d.pri, LOG_AUTHPRIV | LOG_WARNING);
	assert_int_equal(d.body_len, sizeof(want) - 1);
	assert_memory_equal(d.body, want, sizeof(want) - 1);
	assert_no_more();
	sink_free(&s);
	logsock_close(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suppressed_line),
		cmocka_unit_test(test_off_and_cee),
		cmocka_unit_test(test_max_len),
		cmocka_unit_test(test_write_failed),
	};
	const struct CMUnitTest syslog_tests[] = {
		cmocka_unit_test(test_syslog_whole),
		cmocka_unit_test(test_syslog_priority_facility),
		cmocka_unit_test(test_syslog_max_len),
		cmocka_unit_test(test_syslog_suppressed),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	return failed + cmocka_run_group_tests_name("syslog sink",
		syslog_tests, syslog_setup, syslog_teardown);
}
