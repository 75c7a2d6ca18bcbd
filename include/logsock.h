/*
 * logsock.h - syslog messages to the local syslog socket without ever
 * blocking.
 *
 * glibc's syslog(3) writes with a blocking send: a syslog daemon that is
 * stopped (SIGSTOP, a hung rsyslogd) but still owns /dev/log fills the
 * socket queue and then blocks the caller — and a blocked plugin stalls
 * auditd and every audited process behind it. This writer sends each
 * message as one datagram with MSG_DONTWAIT, in the format glibc uses
 * ("<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG"). What the socket cannot take now
 * (a burst, a daemon that is restarting or not reading) waits in a bounded
 * queue that logsock_flush() retries from the main loop, reconnecting when
 * the daemon comes back.
 *
 * Guarantees: logsock_send and logsock_flush never block; a message is
 * delivered whole, or counted in `dropped` when the queue is full
 * (LOGSOCK_QUEUE_BYTES) — never lost silently; logsock_drain waits at most
 * the time it is given. With `to_stderr` every message is also copied to
 * standard error (running by hand, tests). Messages are bounded by
 * LOGSOCK_MAX bytes (cut, never split).
 *
 * Cost: one send() per message; one allocation per queued message; one
 * connect() attempt per second at most while the daemon is away.
 */
#ifndef KS_LOGSOCK_H
#define KS_LOGSOCK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define LOGSOCK_DEFAULT_PATH "/dev/log"
/* rsyslog's default maxMessageSize is 8 KiB; a larger datagram is still
 * sent (rsyslog truncates), up to what a unix datagram can carry. */
#define LOGSOCK_MAX (64u * 1024u)
/* Room for a burst: 100 alerts of the default 8000 bytes, and then some. */
#define LOGSOCK_QUEUE_BYTES (4u * 1024u * 1024u)

struct logsock_msg;

struct logsock {
	int fd;                  /* -1 when not connected */
	char path[108];          /* sun_path */
	char tag[64];
	int facility;
	bool to_stderr;
	time_t last_attempt;     /* of connect(), monotonic seconds */
	struct logsock_msg *head, *tail; /* waiting to be sent, oldest first */
	size_t queued_bytes;
	uint64_t sent, dropped, queued;
};

void logsock_init(struct logsock *l, const char *path, const char *tag,
		  int facility, bool to_stderr);
/* New facility or socket (SIGHUP); reconnects lazily. */
void logsock_reconfigure(struct logsock *l, const char *path, int facility);
void logsock_close(struct logsock *l);

/* Send msg (len bytes, any content: it is data, never a format) at the
 * given priority (LOG_WARNING...). */
void logsock_send(struct logsock *l, int priority, const char *msg,
		  size_t len);
/* Send what waits in the queue, as far as the socket takes it now. True
 * when nothing is left. */
bool logsock_flush(struct logsock *l);
/* Flush, waiting at most timeout_ms for the daemon (at exit). */
void logsock_drain(struct logsock *l, int timeout_ms);
/* Messages wait in the queue (what logsock_flush returns false for); the
 * tests read it without sending. */
static inline bool logsock_pending(const struct logsock *l)
{
	return l->head != NULL;
}

#endif
