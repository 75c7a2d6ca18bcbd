/*
 * summary.h - what a review found, said at its end (--summary): per rule
 * the number of alerts, the first and last, and the hosts, users
 * (user.id), parent executables and command lines that come up most;
 * alerts per day (UTC, as the alerts' own times) as a small bar chart;
 * or, when nothing was found, one line saying so. The same as one JSON
 * object, {"summary":{...}}, on one line, for scripts.
 *
 * Guarantees: every value from the audited system (host, executable,
 * command line) is escaped as in the alerts (text: quoted, \xHH; JSON:
 * valid UTF-8 JSON strings). Memory is bounded whatever the input: per
 * rule and per kind at most SUMMARY_MAX_VALUES distinct values are told
 * apart (the others are counted as "(other values)"), command lines are
 * kept to SUMMARY_CMDLINE_MAX bytes, at most SUMMARY_MAX_RULES rules and
 * SUMMARY_MAX_DAYS days are kept apart. The counts are exact; only the
 * lists of values are bounded.
 * Cost: per alert, one hash lookup per kind and one per day.
 */
#ifndef KS_SUMMARY_H
#define KS_SUMMARY_H

#include <stdint.h>
#include <stdio.h>
#include "alert.h"

#define SUMMARY_MAX_VALUES 1024
#define SUMMARY_CMDLINE_MAX 512
#define SUMMARY_MAX_RULES 256
#define SUMMARY_MAX_DAYS 4096
#define SUMMARY_TOP 5
#define SUMMARY_BAR 40

enum summary_format { SUMMARY_TEXT, SUMMARY_JSON };

/* What the review read, for the opening line. */
struct summary_input {
	uint64_t events;        /* exec events */
	unsigned files;         /* inputs read */
	int64_t first, last;    /* time span of the exec events (0: none) */
};

struct summary;

/* NULL when memory ran out. */
struct summary *summary_new(void);
void summary_free(struct summary *s);
/* One alert as it was written. Never fails: out of memory only costs
 * a value its own entry. */
void summary_add(struct summary *s, const struct alert *a);
uint64_t summary_alerts(const struct summary *s);
/* Returns 0, -1 when writing failed. */
int summary_write(const struct summary *s, FILE *out,
		  enum summary_format fmt, const struct summary_input *in);

#endif
