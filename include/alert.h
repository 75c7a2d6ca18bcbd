/*
 * alert.h - turn one matching exec into one alert line: the readable text
 * form or an ECS JSON object, never longer than a given size.
 *
 * What an alert holds is the ECS table (ecs_event.h): after the rule and
 * the time, the JSON form writes every field marked for it under its
 * dotted name, in table order; the text form writes every field with a
 * text key, in text_pos order (parent=unknown in place of the parent's
 * fields when it is unknown). A missing field is left out of JSON.
 *
 * Guarantees:
 *  - one line: every byte that came from the audited system (argv, paths,
 *    comm, key, tty, node) is escaped, so no input can add a line, end a
 *    quoted value early, or inject terminal escapes. Text form: values in
 *    double quotes, `"` and `\` backslash-escaped, every byte outside
 *    0x20..0x7e written as \xHH (pure ASCII output). JSON form: RFC 8259
 *    escapes, valid UTF-8 passed through (C1 controls, U+2028/2029 escaped as
 *    \uXXXX), each byte of invalid UTF-8 written as the text \xHH, so the
 *    output is always valid UTF-8 JSON and nothing is dropped;
 *  - bounded: with max_len > 0 the output (without its NUL) is at most
 *    max_len bytes. When it would be longer, argv lists are cut in the middle
 *    (the first and last arguments kept) and a marker element says how many
 *    arguments and bytes were left out, e.g. "[...37 args, 90211 bytes
 *    omitted...]"; a single argument or path too long on its own is cut in
 *    its middle with the same kind of marker. JSON stays valid after a cut.
 *    max_len below ALERT_MIN_LEN is raised to it;
 *  - the lineage's context is dropped before the evidence: in this order,
 *    (JSON) what only repeats other fields (the command lines, the threat
 *    references), the timeline's entries (oldest first), the ancestors
 *    (farthest first), then (JSON) the other optional fields by rank;
 *    each drop is said in the alert: auditd.dropped {"timeline":N,
 *    "ancestors":N, "optional":R (the fields of drop rank R or less),
 *    "threat":"references"|"all"} in JSON, dropped=[timeline:N,
 *    ancestors:N] in text.
 *    A long argv is cut, and strings are capped down to CONTEXT_MIN_CAP
 *    (256) escaped bytes, before any context goes, so a padded argv cannot
 *    strip an alert of its lineage. Each ancestor's argv (and the previous
 *    image's) takes at most the lineage's argv_bytes, its strings half of
 *    that, cut like any list.
 *
 * Cost: linear in the size of the event: the fields are filled once per
 * alert (the command lines joined into a scratch buffer), then written a
 * few times while fitting the size.
 */
#ifndef KS_ALERT_H
#define KS_ALERT_H

#include <stddef.h>
#include "ecs_event.h"
#include "exec_event.h"
#include "proc_table.h"
#include "rule.h"
#include "session.h"
#include "strbuf.h"

#define ALERT_MIN_LEN 1024u

enum alert_format {
	ALERT_FORMAT_TEXT = 0,
	ALERT_FORMAT_JSON,
};

struct lineage;

struct alert {
	const struct rule_meta *rule;
	const struct exec_event *ev;
	const struct proc_entry *parent; /* NULL when the parent is unknown */
	const char *host;                /* host.name for events without node= */
	const struct session_view *session; /* NULL: nothing known */
	const struct ecs_names *names;   /* NULL: names only from the event */
	struct lineage *lineage;         /* entity ids, previous image,
					  * ancestors, timeline (lineage.h);
					  * NULL: none */
};

/*
 * Write the alert into `out` (replacing its content; out->limit is not used
 * for cutting, max_len is). max_len 0: no limit. Returns out->len.
 */
size_t alert_format(struct strbuf *out, const struct alert *a,
		    enum alert_format fmt, size_t max_len);

/* Append the escaped form of s[0..n): the text form for lines of the alert
 * stream other than alerts (the throttle summary). The JSON one is used by
 * tests only, to check the escaper unit by unit. */
void alert_escape_text(struct strbuf *out, const char *s, size_t n);
void alert_escape_json(struct strbuf *out, const char *s, size_t n);

#endif
