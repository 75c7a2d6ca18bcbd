/*
 * sink.h - where alerts go: stdout (review mode) or syslog (plugin mode),
 * after the per-rule throttle and the size cap.
 *
 * Guarantees: one alert is one line on stdout or one syslog message, at
 * most max_len bytes of alert text (plus the optional "@cee: " cookie);
 * untrusted text only ever reaches syslog as a "%s" argument, never as a
 * format. With a throttle (max alerts per window), alerts past the limit are
 * counted, not written, and sink_tick() writes one summary line when the
 * window closes.
 *
 * Cost: one format of the alert and one write per alert that passes; a
 * suppressed alert costs a counter increment.
 */
#ifndef KS_SINK_H
#define KS_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "alert.h"
#include "strbuf.h"
#include "throttle.h"

enum sink_kind {
	SINK_STDOUT = 0,
	SINK_SYSLOG,
};

struct sink_settings {
	enum alert_format format;
	bool cee_cookie;          /* prefix JSON with "@cee: " */
	size_t max_len;           /* 0: unlimited */
	int priority;             /* syslog priority (LOG_WARNING) */
	unsigned throttle_max;    /* 0: off */
	unsigned throttle_window; /* seconds; 0: off */
};

struct sink {
	enum sink_kind kind;
	FILE *out;
	struct sink_settings set;
	struct throttle thr;
	struct strbuf line;
	uint64_t alerts;          /* written */
	uint64_t suppressed;      /* held back by the throttle */
	bool write_failed;
};

void sink_init(struct sink *s, enum sink_kind kind, FILE *out,
	       const struct sink_settings *set);
/* New settings (SIGHUP); the current throttle window keeps its counts. */
void sink_reconfigure(struct sink *s, const struct sink_settings *set);
void sink_free(struct sink *s);

/* Write (or count as suppressed) one alert. now: monotonic seconds. */
void sink_alert(struct sink *s, const struct alert *a, time_t now);
/* Close the throttle window if due and write its summary line. */
void sink_tick(struct sink *s, time_t now);
/* Write the summary of the open window, if anything was suppressed. */
void sink_finish(struct sink *s);

#endif
