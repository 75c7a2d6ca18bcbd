/*
 * test_logsock.c - syslog without blocking: a daemon that reads, one that
 * stops reading, one that goes away and comes back, a full queue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
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
	logsock_send(&l, LOG_INFO, "n=7", 3);
	assert_string_equal(strstr(receive(d), "]: ") + 3, "n=7");
	assert_int_equal(l.sent, 2);
	assert_int_equal(l.dropped, 0);
	logsock_close(&l);
	daemon_down(d);
}

static int64_t elapsed_ns(const struct timespec *t0, const struct timespec *t1)
{
	return (int64_t)(t1->tv_sec - t0->tv_sec) * 1000000000 +
	       (t1->tv_nsec - t0->tv_nsec);
}

/* A send that blocks on a daemon that never reads never returns: this
 * turns that hang into a failure instead of a stuck `make check`. */
static void watchdog(int sig)
{
	static const char m[] =
		"test_logsock: a send blocked on a daemon that does not read\n";

	(void)sig;
	if (write(STDERR_FILENO, m, sizeof(m) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* A daemon that stops reading: sends never block, messages wait, then
 * arrive in order once it reads again.
 *
 * What proves "never block" here is not how fast the sends are:
 * - the daemon reads nothing, so its socket fills and most of the 2000
 *   sends meet a full socket (they are queued: sent < n, queued > 0,
 *   sent + queued == n), and every one of them returns. A blocking send
 *   would wait for a reader that never comes; the watchdog makes that a
 *   failure.
 * - a send that waited a while and then gave up (a send timeout, a poll)
 *   would return too. So the time is bounded as well, by what such a
 *   wait would cost, not by the machine: under 1 ms per send that met a
 *   full socket, on average (a send that does not wait takes microseconds,
 *   so this holds on a loaded build machine too). */
static void test_stalled_daemon(void **state)
{
	struct logsock l;
	struct timespec t0, t1;
	struct sigaction sa, old_sa;
	char msg[2048];
	int d = daemon_up(), i, n = 2000;
	int64_t ns;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watchdog;
	sigaction(SIGALRM, &sa, &old_sa);
	logsock_init(&l, path, "t", LOG_USER, false);
	memset(msg, 'x', sizeof(msg));
	alarm(60);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		snprintf(msg, 16, "%06d", i);
		logsock_send(&l, LOG_WARNING, msg, sizeof(msg));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	alarm(0);
	sigaction(SIGALRM, &old_sa, NULL);
	ns = elapsed_ns(&t0, &t1);
	print_message("%d sends, %llu met a full socket, in %lld us\n", n,
		      (unsigned long long)l.queued, (long long)(ns / 1000));
	assert_true(l.sent < (uint64_t)n / 2);
	assert_int_equal(l.sent + l.queued, n);
	assert_true(ns < (int64_t)l.queued * 1000000);
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
	assert_true(elapsed_ns(&t0, &t1) < 1000000000);
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
