/*
 * test_diag.c - the logger: diag_quote's one escaping rule (kept, doubled,
 * \xHH, cut with "..." and never inside an escape), diag() on standard
 * error (prefix, --verbose hiding info, the one-line guard, the size cap)
 * and on syslog (every priority sent, as one datagram).
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
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "diag.h"

static void test_quote_rule(void **state)
{
	char b[128];

	(void)state;
	assert_string_equal(diag_quote(b, sizeof(b), "plain text", 10),
			    "plain text");
	/* printable ASCII kept, the escape character doubled */
	assert_string_equal(diag_quote(b, sizeof(b), "a\\b'\"~ ", 7),
			    "a\\\\b'\"~ ");
	/* control bytes, DEL, high bytes and NUL as \xHH */
	assert_string_equal(diag_quote(b, sizeof(b), "\x1b[31m\n\t\x7f", 8),
			    "\\x1b[31m\\x0a\\x09\\x7f");
	assert_string_equal(diag_quote(b, sizeof(b), "caf\xc3\xa9", 5),
			    "caf\\xc3\\xa9");
	assert_string_equal(diag_quote(b, sizeof(b), "a\0b", 3), "a\\x00b");
	/* n bytes, not up to a NUL */
	assert_string_equal(diag_quote(b, sizeof(b), "abcdef", 3), "abc");
	assert_string_equal(diag_quote(b, sizeof(b), "", 0), "");
	assert_ptr_equal(diag_quote(b, sizeof(b), "x", 1), b);
}

/* Bounded by the destination: exactly fitting text is whole; longer text
 * is cut at a whole escape, and "..." says so. */
static void test_quote_bounds(void **state)
{
	char b[16];
	char big[200];

	(void)state;
	assert_string_equal(diag_quote(b, 16, "0123456789abcde", 15),
			    "0123456789abcde");
	assert_string_equal(diag_quote(b, 16, "0123456789abcdef", 16),
			    "0123456789ab...");
	/* an escape is never split */
	assert_string_equal(diag_quote(b, 16, "0123456789a\x01z", 13),
			    "0123456789a...");
	assert_string_equal(diag_quote(b, 16, "012345678\\\\\\\\", 13),
			    "012345678\\\\...");
	/* tiny buffers still end in NUL */
	memset(b, 'z', sizeof(b));
	assert_string_equal(diag_quote(b, 1, "abc", 3), "");
	assert_string_equal(diag_quote(b, 3, "abc", 3), "..");
	assert_string_equal(diag_quote(b, 4, "abc", 3), "abc");
	assert_string_equal(diag_quote(b, 4, "abcd", 4), "...");
	assert_string_equal(diag_quote(b, 5, "abcd", 4), "abcd");
	assert_string_equal(diag_quote(b, 5, "abcde", 5), "a...");
	b[0] = 'q';
	diag_quote(b, 0, "abc", 3);     /* must not write */
	assert_int_equal(b[0], 'q');

	memset(big, '\n', sizeof(big));
	diag_quote(b, sizeof(b), big, sizeof(big));
	assert_string_equal(b, "\\x0a\\x0a\\x0a...");
}

/* Run diag(priority, "%s", msg) with stderr sent to a file; returns what
 * it wrote (static). */
static const char *on_stderr(int priority, const char *msg)
{
	static char out[DIAG_MAX * 2];
	char path[] = "/tmp/test_diag.XXXXXX";
	int fd = mkstemp(path), saved;
	ssize_t n;

	assert_true(fd >= 0);
	unlink(path);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	diag(priority, "%s", msg);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	n = pread(fd, out, sizeof(out) - 1, 0);
	assert_true(n >= 0);
	out[n] = '\0';
	close(fd);
	return out;
}

static void test_stderr(void **state)
{
	(void)state;
	diag_set_verbose(false);
	assert_string_equal(on_stderr(LOG_ERR, "it broke"),
			    DIAG_PROG ": it broke\n");
	assert_string_equal(on_stderr(LOG_WARNING, "w"), DIAG_PROG ": w\n");
	assert_string_equal(on_stderr(LOG_NOTICE, "n"), DIAG_PROG ": n\n");
	/* what went right only with --verbose */
	assert_string_equal(on_stderr(LOG_INFO, "loaded"), "");
	assert_string_equal(on_stderr(LOG_DEBUG, "detail"), "");
	diag_set_verbose(true);
	assert_string_equal(on_stderr(LOG_INFO, "loaded"),
			    DIAG_PROG ": loaded\n");
	diag_set_verbose(false);
}

/* Whatever reaches diag unquoted, the message stays one line of
 * printable text; quoted text (with its backslashes) is left as it is. */
static void test_one_line_guard(void **state)
{
	char big[DIAG_MAX * 2];
	const char *out;

	(void)state;
	assert_string_equal(on_stderr(LOG_ERR, "a\nb\r\x1b[2Jc\xff"),
			    DIAG_PROG ": a\\x0ab\\x0d\\x1b[2Jc\\xff\n");
	assert_string_equal(on_stderr(LOG_ERR, "x '\\x0a' y"),
			    DIAG_PROG ": x '\\x0a' y\n");
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	out = on_stderr(LOG_ERR, big);
	assert_true(strlen(out) < DIAG_MAX + sizeof(DIAG_PROG ": \n"));
	assert_int_equal(out[strlen(out) - 1], '\n');
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
}

/* Plugin mode: every priority goes to syslog, as one datagram with the
 * facility and priority in its header; nothing on stderr. */
static void test_syslog(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/test_diag.XXXXXX", buf[4096], want[64];
	struct logsock log;
	ssize_t n;
	int s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/log", dir);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);

	logsock_init(&log, sa.sun_path, DIAG_PROG, LOG_LOCAL3, false);
	diag_to_syslog(&log);
	assert_string_equal(on_stderr(LOG_INFO, "rules: loaded"), "");
	n = recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	snprintf(want, sizeof(want), "<%d>", LOG_LOCAL3 | LOG_INFO);
	assert_true(strncmp(buf, want, strlen(want)) == 0);
	snprintf(want, sizeof(want), " %s[%d]: rules: loaded", DIAG_PROG,
		 (int)getpid());
	assert_non_null(strstr(buf, want));

	diag(LOG_ERR, "bad\nline");
	n = recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, ": bad\\x0aline"));
	assert_null(strchr(buf, '\n'));

	diag_to_syslog(NULL);
	logsock_close(&log);
	close(s);
	unlink(sa.sun_path);
	rmdir(dir);
	/* back on stderr */
	assert_string_equal(on_stderr(LOG_ERR, "e"), DIAG_PROG ": e\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_rule),
		cmocka_unit_test(test_quote_bounds),
		cmocka_unit_test(test_stderr),
		cmocka_unit_test(test_one_line_guard),
		cmocka_unit_test(test_syslog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
