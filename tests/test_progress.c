/*
 * test_progress.c - the progress line: what it says (name, files, bytes,
 * rate, time left, alerts) and that it fits the width; off on a pipe and
 * a file and with --quiet; on a pseudo-terminal drawn after the delay
 * only, redrawn in place, and erased by progress_clear.
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
#include <unistd.h>

#include "progress.h"

static void test_format(void **state)
{
	struct progress p = { .total = 1000000000, .nfiles = 5 };
	struct progress_state st = { .file = "/var/log/audit/audit.log.2",
				     .file_no = 3, .done = 250000000,
				     .alerts = 2 };
	char buf[256];

	(void)state;
	progress_format(buf, sizeof(buf), &p, &st, 10000, 200);
	assert_string_equal(buf, "audit.log.2 (3/5)  250.0 of 1000.0 MB  25.0 MB/s  0:30 left  2 alerts");
	st.alerts = 1;
	st.file = "we\x1b[2Jird";
	p.total = 0;
	progress_format(buf, sizeof(buf), &p, &st, 10000, 200);
	assert_string_equal(buf, "we\\x1b[2Jird (3/5)  250.0 of ? MB  25.0 MB/s  1 alert");
	progress_format(buf, sizeof(buf), &p, &st, 10000, 20);
	assert_int_equal(strlen(buf), 19);
}

static void test_not_a_terminal(void **state)
{
	struct progress p;
	struct progress_state st = { .file = "f", .file_no = 1 };
	int fds[2];
	char c;

	(void)state;
	setenv("KS_PROGRESS_DELAY_MS", "0", 1);
	assert_int_equal(pipe(fds), 0);
	progress_init(&p, fds[1], false, 100, 1);
	assert_false(p.on);
	progress_update(&p, &st);
	progress_clear(&p);
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 0);
	close(fds[0]);
}

static int open_pty(int *slave)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0)
		return -1;
	*slave = open(ptsname(m), O_RDWR | O_NOCTTY);
	return *slave < 0 ? -1 : m;
}

static size_t drain(int m, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	int fl = fcntl(m, F_GETFL);

	fcntl(m, F_SETFL, fl | O_NONBLOCK);
	while (n < cap - 1 && (r = read(m, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return n;
}

static void test_terminal(void **state)
{
	struct progress p;
	struct progress_state st = { .file = "audit.log", .file_no = 1,
				     .done = 10 };
	char buf[1024];
	int m, s = -1;

	(void)state;
	m = open_pty(&s);
	if (m < 0)
		skip();
	unsetenv("TERM");
	/* --quiet */
	setenv("KS_PROGRESS_DELAY_MS", "0", 1);
	progress_init(&p, s, true, 100, 1);
	assert_false(p.on);
	/* not before the delay */
	setenv("KS_PROGRESS_DELAY_MS", "60000", 1);
	progress_init(&p, s, false, 100, 1);
	assert_true(p.on);
	progress_update(&p, &st);
	assert_int_equal(drain(m, buf, sizeof(buf)), 0);
	/* after it: drawn, in place */
	setenv("KS_PROGRESS_DELAY_MS", "0", 1);
	progress_init(&p, s, false, 100, 1);
	progress_update(&p, &st);
	drain(m, buf, sizeof(buf));
	assert_true(strncmp(buf, "\r\033[Kaudit.log (1/1)  0.0 of 0.0 MB", 31) == 0);
	assert_null(strchr(buf, '\n'));
	/* refreshed at most every PROGRESS_REFRESH_MS */
	progress_update(&p, &st);
	assert_int_equal(drain(m, buf, sizeof(buf)), 0);
	progress_clear(&p);
	drain(m, buf, sizeof(buf));
	assert_string_equal(buf, "\r\033[K");
	/* nothing shown: nothing to erase */
	progress_clear(&p);
	assert_int_equal(drain(m, buf, sizeof(buf)), 0);
	/* TERM=dumb */
	setenv("TERM", "dumb", 1);
	progress_init(&p, s, false, 100, 1);
	assert_false(p.on);
	close(s);
	close(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_not_a_terminal),
		cmocka_unit_test(test_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
