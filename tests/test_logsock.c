/*
 * test_logsock.c - syslog without blocking: a daemon that reads, one that
 * stops reading, one that goes away and comes back, a full queue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "logsock.h"

static char dir[64], path[128];

/* A stand-in syslog daemon: a bound datagram socket. */
static int daemon_up(void)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void daemon_down(int fd)
{
	close(fd);
	unlink(path);
}

/* Next datagram, "" when none. */
static const char *receive(int fd)
{
	static char buf[LOGSOCK_MAX + 256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/ks-logsock-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log.sock", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

static void test_format(void **state)
{
	static const char m[] = "alert \"x\"\n%s%n";
	struct logsock l;
	int d = daemon_up();
	char want[64];
	const char *got;

	(void)state;
	logsock_init(&l, path, "audisp-kernel-seeking", LOG_AUTHPRIV, false);
	logsock_send(&l, LOG_WARNING, m, sizeof(m) - 1);
	got = receive(d);
	/* <PRI>Mmm dd hh:mm:ss TAG[PID]: MSG, PRI = authpriv.warning = 84 */
	assert_memory_equal(got, "<84>", 4);
	snprintf(want, sizeof(want), " audisp-kernel-seeking[%d]: ", (int)getpid());
	assert_non_null(strstr(got, want));
	/* data, not a format: bytes as given */
	assert_string_equal(strstr(got, "]: ") + 3, "alert \"x\"\n%s%n");
	logsock_printf(&l, LOG_INFO, "n=%d", 7);
	assert_string_equal(strstr(receive(d), "]: ") + 3, "n=7");
	assert_int_equal(l.sent, 2);
	assert_int_equal(l.dropped, 0);
	logsock_close(&l);
	daemon_down(d);
}

/* A daemon that stops reading: sends never block, messages wait, then
 * arrive in order once it reads again. */
static void test_stalled_daemon(void **state)
{
	struct logsock l;
	struct timespec t0, t1;
	char msg[2048];
	int d = daemon_up(), i, n = 2000;

	(void)state;
	logsock_init(&l, path, "t", LOG_USER, false);
	memset(msg, 'x', sizeof(msg));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		snprintf(msg, 16, "%06d", i);
		logsock_send(&l, LOG_WARNING, msg, sizeof(msg));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 1);
	assert_true(logsock_pending(&l));
	assert_int_equal(l.dropped, 0);
	/* the daemon reads again: everything arrives, in order */
	for (i = 0; i < n;) {
		const char *got = receive(d);

		if (!*got) {
			logsock_flush(&l);
			continue;
		}
		snprintf(msg, 16, "%06d", i);
		assert_memory_equal(strstr(got, "]: ") + 3, msg, 6);
		i++;
	}
	assert_false(logsock_pending(&l));
	assert_int_equal(l.sent, (uint64_t)n);
	logsock_close(&l);
	daemon_down(d);
}

/* The daemon goes away and comes back on a new socket. */
static void test_daemon_restart(void **state)
{
	struct logsock l;
	int d = daemon_up();

	(void)state;
	logsock_init(&l, path, "t", LOG_USER, false);
	logsock_send(&l, LOG_WARNING, "before", 6);
	assert_string_equal(strstr(receive(d), "]: ") + 3, "before");
	daemon_down(d);
	logsock_send(&l, LOG_WARNING, "while away", 10);
	assert_true(logsock_pending(&l));
	d = daemon_up();
	logsock_drain(&l, 2000);
	assert_false(logsock_pending(&l));
	assert_string_equal(strstr(receive(d), "]: ") + 3, "while away");
	logsock_send(&l, LOG_WARNING, "after", 5);
	assert_string_equal(strstr(receive(d), "]: ") + 3, "after");
	assert_int_equal(l.dropped, 0);
	logsock_close(&l);
	daemon_down(d);
}

/* No daemon at all: a bounded queue, then counted drops; drain gives up. */
static void test_absent_daemon(void **state)
{
	static char msg[LOGSOCK_MAX];
	struct logsock l;
	struct timespec t0, t1;
	unsigned i;

	(void)state;
	unlink(path);
	logsock_init(&l, path, "t", LOG_USER, false);
	memset(msg, 'y', sizeof(msg));
	for (i = 0; i < 2 * LOGSOCK_QUEUE_BYTES / sizeof(msg); i++)
		logsock_send(&l, LOG_WARNING, msg, sizeof(msg));
	assert_true(l.dropped > 0);
	assert_true(l.queued_bytes <= LOGSOCK_QUEUE_BYTES);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	logsock_drain(&l, 300);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1000);
	logsock_close(&l);
	assert_false(logsock_pending(&l));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_stalled_daemon),
		cmocka_unit_test(test_daemon_restart),
		cmocka_unit_test(test_absent_daemon),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
