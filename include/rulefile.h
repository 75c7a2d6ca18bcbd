/*
 * rulefile.h - read one detection rule from a TOML file in the format of
 * Elastic's detection-rules repository.
 *
 * The reader understands the subset of TOML those files use and nothing
 * more: comments, bare and quoted keys, dotted table headers `[a.b]` and
 * array-of-tables headers `[[a.b]]`, basic "…" and literal '…' strings,
 * multi-line """…""" and '''…''' strings, integers, booleans, and arrays
 * (possibly multi-line, with trailing commas) of strings or of inline
 * values, and inline tables on one line (read and ignored). Anything else
 * (dates, floats, duplicate keys, a
 * redefined table) rejects the file with "PATH:LINE: problem".
 *
 * From the file it keeps [rule] rule_id, name, version (an integer in the
 * TOML; also accepted from [metadata] when absent from [rule]), severity,
 * risk_score, max_signals (default 100), language (must be "eql"), type
 * (must be "eql"), query, description, and every [[rule.threat]] with its
 * tactic and techniques ([[rule.threat.technique]], subtechniques ignored);
 * and [metadata] maturity; building_block_type, and whether [rule] tags
 * name an OS (rulefile_os). A language or type other than "eql" is
 * reported after the whole file is read. Unknown keys are allowed (Elastic files carry many);
 * missing required keys (rule_id, name, query, risk_score, severity) are
 * errors. Strings are bounded (64 KiB for the query, 4 KiB otherwise) and
 * must be valid UTF-8 without NUL.
 *
 * Cost: one pass over the file; all strings are owned by the struct.
 */
#ifndef KS_RULEFILE_H
#define KS_RULEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include "rule.h"

struct rule_file {
	char *path;
	char *building_block_type; /* NULL when absent ("default" in Elastic's) */
	char *maturity;         /* "" when absent */
	char *description;      /* "" when absent */
	char *query;
	char version_str[24];   /* meta.version points here */
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

/* What a rule's [rule] tags say about its OS, known even when the file
 * does not load as far as the tags were read: a detection-rules checkout
 * holds rules for every OS, and only the Linux ones concern audit data. */
struct rulefile_os {
	bool tags_read;     /* a tags array was read */
	bool linux_tag;     /* it holds "OS: Linux" */
	bool other_os_tag;  /* it holds another "OS: ..." */
};
struct rule_file *rulefile_load_os(const char *path, struct rulefile_os *os,
				   char *err, size_t errlen);
struct rule_file *rulefile_parse_os(const char *name, const char *text,
				    size_t len, struct rulefile_os *os,
				    char *err, size_t errlen);

#endif
