/*
 * rulefile.h - read one detection rule from a TOML file in the format of
 * Elastic's detection-rules repository.
 *
 * The reader understands the subset of TOML those files use and nothing
 * more: comments, bare and quoted keys, dotted table headers `[a.b]` and
 * array-of-tables headers `[[a.b]]`, basic "…" and literal '…' strings,
 * multi-line """…""" and '''…''' strings, integers, booleans, and arrays
 * (possibly multi-line, with trailing commas) of strings or of inline
 * values. Anything else (dates, floats, inline tables, duplicate keys, a
 * redefined table) rejects the file with "PATH:LINE: problem".
 *
 * From the file it keeps [rule] rule_id, name, version (an integer in the
 * TOML; also accepted from [metadata] when absent from [rule]), severity,
 * risk_score, max_signals (default 100), language (must be "eql"), type
 * (must be "eql"), query, description, and every [[rule.threat]] with its
 * tactic and techniques ([[rule.threat.technique]], subtechniques ignored);
 * and [metadata] maturity. Unknown keys are allowed (Elastic files carry many);
 * missing required keys (rule_id, name, query, risk_score, severity) are
 * errors. Strings are bounded (64 KiB for the query, 4 KiB otherwise) and
 * must be valid UTF-8 without NUL.
 *
 * Cost: one pass over the file; all strings are owned by the struct.
 */
#ifndef KS_RULEFILE_H
#define KS_RULEFILE_H

#include <stddef.h>
#include "rule.h"

struct rule_file {
	char *path;
	char *maturity;         /* "" when absent */
	char *description;      /* "" when absent */
	char *query;
	char version_str[16];   /* meta.version points here */
	struct rule_meta meta;  /* strings owned by this struct */
	/* storage behind meta.threats */
	struct rule_threat *threats;
	struct rule_technique *techniques;
};

/*
 * Load `path`. Returns a new rule_file, or NULL with err set to
 * "PATH:LINE: problem" (or "PATH: reason").
 */
struct rule_file *rulefile_load(const char *path, char *err, size_t errlen);
/* Same, from a buffer (tests, fuzzing); `name` is used in messages. */
struct rule_file *rulefile_parse(const char *name, const char *text,
				 size_t len, char *err, size_t errlen);
void rulefile_free(struct rule_file *rf);

#endif
