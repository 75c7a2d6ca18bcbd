/*
 * sink.h - where alerts go: stdout (review mode) or syslog (plugin mode),
 * within the size cap. (Each rule's throttle decides before the sink.)
 *
 * Guarantees: one alert is one line on stdout or one syslog message, at
 * most max_len bytes of alert text (plus the optional "@cee: " cookie);
 * untrusted text reaches syslog only as data (logsock_send), never as a
 * format; a syslog daemon that does not read never blocks the sink.
 *
 * Cost: one format of the alert and one write per alert.
 */
#ifndef KS_SINK_H
#define KS_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "alert.h"
#include "logsock.h"
#include "strbuf.h"

enum sink_kind {
	SINK_STDOUT = 0,
	SINK_SYSLOG,
};

struct sink_settings {
	enum alert_format format;
	bool cee_cookie;          /* prefix JSON with "@cee: " */
	size_t max_len;           /* 0: unlimited */
	int priority;             /* syslog priority (LOG_WARNING) */
};

struct sink {
	enum sink_kind kind;
	FILE *out;                /* SINK_STDOUT */
	struct logsock *log;      /* SINK_SYSLOG */
	struct sink_settings set;
	struct strbuf line;
	uint64_t alerts;          /* written */
	bool write_failed;
};

void sink_init(struct sink *s, enum sink_kind kind, FILE *out,
	       struct logsock *log, const struct sink_settings *set);
/* New settings (SIGHUP). */
void sink_reconfigure(struct sink *s, const struct sink_settings *set);
void sink_free(struct sink *s);

/* Write one alert. */
void sink_alert(struct sink *s, const struct alert *a);
/* One line saying a rule's throttle held back n alerts in its window. */
void sink_suppressed(struct sink *s, const struct rule_meta *rule,
		     uint64_t n, unsigned max, unsigned window);

#endif
