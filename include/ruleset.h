/*
 * ruleset.h - the detection rules in force: TOML rule files loaded and
 * their EQL queries compiled once, local exceptions appended, and one
 * throttle per rule.
 *
 * Sources, in order:
 *  - `--rule FILE`: that one file and nothing else (review mode);
 *  - otherwise the *.toml files under rules_dir (its subdirectories too:
 *    rules_dir may be a checkout of Elastic's detection-rules repository;
 *    hidden entries and symlinked directories are left out) that `rules`
 *    names (file stem or rule_id, or `all`: every one that loads), every
 *    *.toml file of local_rules_dir, and the lines of
 *    the .exceptions files of local_rules_dir ("RULE EXPRESSION": RULE becomes
 *    "RULE and not (EXPRESSION)"); when rules_dir does not exist (running
 *    from a build tree), the built-in copy of kernel_seeking_v2.toml.
 * A file whose [rule] tags name another OS and not Linux is skipped and
 * counted. Versions come from rules_dir/detection_rules/etc/
 * version.lock.json when it lists the rule. With `rules = all`, a file
 * under rules_dir that does not load is an outcome, not a problem: listed
 * with check_all and counted by reason (struct ruleset_reason).
 * Otherwise a file that does not load or compile, an exception that does not
 * compile, a name in `rules` that matches nothing and a second enabled rule
 * with an already enabled rule_id are each reported and skipped; the rest
 * still runs.
 *
 * Cost: loading parses and compiles each file once, then decides what it
 * can before any event (eql_query_fold_constants) and compiles the
 * enabled rules into one eql_set: per exec, each field some rule's gate
 * reads is scanned once and only the rules a gate lets through run, in
 * rule order; a rule that cannot fire on audit data never runs. No
 * allocation, no parsing per exec. ruleset_eval starts the exec's regex
 * budget (eql_regex_begin_exec).
 */
#ifndef KS_RULESET_H
#define KS_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "eql.h"
#include "eql_set.h"
#include "rulefile.h"
#include "throttle.h"
#include "version_lock.h"

struct ruleset_rule {
	struct rule_file *file;   /* metadata: file->meta */
	struct eql_query *query;
	char stem[256];           /* file name without .toml */
	struct throttle thr;
	/* In the statistics line of each rule; kept across reloads. */
	uint64_t matches;         /* alerts allowed + suppressed */
	uint64_t suppressed;      /* by the throttle */
	bool never;               /* cannot fire on audit data */
};

/* One reason, and how many rules it applies to (the --check-rules
 * summary): why rules did not load, or why loaded ones cannot fire. */
struct ruleset_reason {
	char text[256];
	bool loaded;
	unsigned count;
};

struct ruleset {
	struct ruleset_rule *rule;
	size_t n;
	bool uses[EQL_FIELDS_MAX]; /* some enabled query reads the field */
	struct eql_set *set;        /* the enabled rules compiled together;
				     * NULL: each query on every exec */
	unsigned problems;          /* reported while loading */
	/* what loading found, for the summary */
	unsigned loaded;            /* rule files that loaded */
	unsigned cannot_fire;       /* enabled rules that never fire */
	unsigned not_loaded;        /* rules = all: files that did not load */
	unsigned skipped_os;        /* files tagged for another OS */
	struct ruleset_reason *reasons;
	size_t nreasons;
	struct version_lock lock;   /* rules_dir's version.lock.json */
	/* loading state */
	bool all_mode, walking, listing;
};

struct ruleset_options {
	const char *only_file;       /* --rule FILE, or NULL */
	const char *rules_dir;
	const char *local_rules_dir; /* may be NULL */
	const char *enable;          /* comma-separated stems or rule ids */
	unsigned throttle_max;       /* 0 off; CONF_THROTTLE_PER_RULE: max_signals */
	unsigned throttle_window;    /* seconds; 0 off */
	bool check_all;              /* --check-rules: load every file */
	bool plain;                  /* tests: no compiled set, no folding;
				      * each query as compiled, on every
				      * exec (the reference for the set) */
};

/* How loading reports: ok=true "loaded" lines (only with check_all) and
 * ok=false problems. `what` names the file or setting. */
typedef void (*ruleset_report_fn)(void *ctx, bool ok, const char *what,
				  const char *msg);

/* Load into an empty *rs (zeroed). Returns the number of enabled rules;
 * rs->problems counts what was reported. */
size_t ruleset_load(struct ruleset *rs, const struct ruleset_options *o,
		    ruleset_report_fn report, void *ctx);
void ruleset_free(struct ruleset *rs);

/* One line: "N rules enabled (C cannot fire on audit data), L loaded, F
 * not loaded, S skipped (tagged for another OS)". */
void ruleset_summary(const struct ruleset *rs, char *buf, size_t cap);

/* Run every rule on ev; call on_match for each that matches. */
void ruleset_eval(struct ruleset *rs, const struct eql_event *ev,
		  void (*on_match)(struct ruleset_rule *r, void *ctx),
		  void *ctx);

/* The built-in kernel_seeking_v2.toml (generated at build time). */
extern const char ruleset_builtin_v2[];

#endif
