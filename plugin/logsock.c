/*
 * logsock.c - non-blocking local syslog (see logsock.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "logsock.h"

struct logsock_msg {
	struct logsock_msg *next;
	size_t len;
	char data[];
};

static time_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

void logsock_init(struct logsock *l, const char *path, const char *tag,
		  int facility, bool to_stderr)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	snprintf(l->path, sizeof(l->path), "%s", path ? path :
		 LOGSOCK_DEFAULT_PATH);
	snprintf(l->tag, sizeof(l->tag), "%s", tag);
	l->facility = facility;
	l->to_stderr = to_stderr;
	l->last_attempt = (time_t)-1;
}

static void disconnect(struct logsock *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

void logsock_close(struct logsock *l)
{
	struct logsock_msg *m;

	disconnect(l);
	while ((m = l->head) != NULL) {
		l->head = m->next;
		free(m);
	}
	l->tail = NULL;
	l->queued_bytes = 0;
}

void logsock_reconfigure(struct logsock *l, const char *path, int facility)
{
	l->facility = facility;
	if (path && strcmp(path, l->path) != 0) {
		disconnect(l);
		snprintf(l->path, sizeof(l->path), "%s", path);
		l->last_attempt = (time_t)-1;
	}
}

/* Connect at most once a second while the daemon is away, so a stream of
 * alerts costs one failed connect() per second, not one per alert. */
static bool ensure_connected(struct logsock *l, bool retry_now)
{
	struct sockaddr_un sa;
	time_t now = mono();

	if (l->fd >= 0)
		return true;
	if (!retry_now && l->last_attempt == now)
		return false;
	l->last_attempt = now;
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (l->fd < 0)
		return false;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, l->path, strnlen(l->path, sizeof(sa.sun_path) - 1));
	if (connect(l->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		disconnect(l);
		return false;
	}
	return true;
}

/* 1 sent, 0 try later (queue it), -1 the daemon is gone (reconnect). */
static int try_send(struct logsock *l, const char *buf, size_t n)
{
	if (send(l->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n)
		return 1;
	/* EAGAIN: alive but its queue is full; anything else (a restarted
	 * daemon's new socket: ECONNREFUSED/ENOTCONN) needs a reconnect. */
	return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
}

static void enqueue(struct logsock *l, const char *buf, size_t n)
{
	struct logsock_msg *m;

	if (l->queued_bytes + n > LOGSOCK_QUEUE_BYTES ||
	    !(m = malloc(sizeof(*m) + n))) {
		l->dropped++;
		return;
	}
	m->next = NULL;
	m->len = n;
	memcpy(m->data, buf, n);
	if (l->tail)
		l->tail->next = m;
	else
		l->head = m;
	l->tail = m;
	l->queued_bytes += n;
	l->queued++;
}

bool logsock_flush(struct logsock *l)
{
	struct logsock_msg *m;
	int r;

	while ((m = l->head) != NULL) {
		if (!ensure_connected(l, false))
			return false;
		r = try_send(l, m->data, m->len);
		if (r == 0)
			return false;
		if (r < 0) {
			disconnect(l);
			continue;
		}
		l->head = m->next;
		if (!l->head)
			l->tail = NULL;
		l->queued_bytes -= m->len;
		l->sent++;
		free(m);
	}
	return true;
}

void logsock_drain(struct logsock *l, int timeout_ms)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	int waited = 0;

	while (!logsock_flush(l) && waited < timeout_ms) {
		/* ensure_connected retries once per second; let it */
		l->last_attempt = (time_t)-1;
		nanosleep(&nap, NULL);
		waited += 20;
	}
}

void logsock_send(struct logsock *l, int priority, const char *msg,
		  size_t len)
{
	static char buf[LOGSOCK_MAX];
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int head;
	size_t n;

	if (l->to_stderr) {
		fprintf(stderr, "%s[%d]: ", l->tag, (int)getpid());
		fwrite(msg, 1, len, stderr);
		fputc('\n', stderr);
		fflush(stderr);
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	head = snprintf(buf, sizeof(buf), "<%d>%s %s[%d]: ",
			(priority & LOG_PRIMASK) | l->facility, stamp, l->tag,
			(int)getpid());
	if (head < 0 || (size_t)head >= sizeof(buf))
		return;
	n = len < sizeof(buf) - (size_t)head ? len : sizeof(buf) - (size_t)head;
	memcpy(buf + head, msg, n);
	n += (size_t)head;

	/* Order matters more than speed: behind a queue, wait in line. */
	if (l->head && !logsock_flush(l)) {
		enqueue(l, buf, n);
		return;
	}
	if (!ensure_connected(l, false)) {
		enqueue(l, buf, n);
		return;
	}
	switch (try_send(l, buf, n)) {
	case 1:
		l->sent++;
		return;
	case -1:
		disconnect(l);
		if (ensure_connected(l, true) && try_send(l, buf, n) == 1) {
			l->sent++;
			return;
		}
		break;
	default:
		break;
	}
	enqueue(l, buf, n);
}
