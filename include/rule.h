/*
 * rule.h - what a detection rule is, as alerts carry it (id, name,
 * version, severity, risk score, MITRE ATT&CK threat), and EQL's `like`
 * matcher.
 *
 * The rules themselves are data: TOML files with EQL queries (rulefile.h,
 * eql.h, ruleset.h). The shipped default is Elastic's "Kernel Seeking
 * Activity", rule version 2: an exec whose argv or parent argv has an
 * element starting with "/boot/", by tail with -c... or --bytes, cmp with
 * -i, hexdump or xxd with -s, or dd with seek...
 *
 * `like` semantics (shared/spec/rule-semantics.md §2): anchored, `*` is any
 * run of bytes (including empty and '/'), `?` exactly one byte, no escape
 * character; case-sensitive unless folded (`like~`, ASCII only).
 */
#ifndef KS_RULE_H
#define KS_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include "argv.h"

struct rule_technique {
	const char *id, *name, *reference;
};

/* One [[rule.threat]] entry: a tactic and its techniques (MITRE ATT&CK). */
struct rule_threat {
	const char *framework;
	const char *tactic_id, *tactic_name, *tactic_reference;
	const struct rule_technique *techniques;
	size_t ntechniques;
};

struct rule_meta {
	const char *id;
	const char *name;
	const char *version;
	const char *severity;   /* "low" */
	int risk_score;         /* 21 */
	unsigned max_signals;   /* alerts per 5-minute run upstream */
	const char *building_block_type; /* NULL, or "default": a building
					  * block rule, whose alerts Kibana
					  * hides by default */
	const struct rule_threat *threats;
	size_t nthreats;
};

/* EQL `like`: anchored match of s[0..slen) against pattern p[0..plen) with
 * `*` and `?`; icase folds ASCII letters only (`like~`). No escapes exist in
 * EQL patterns, so `*` and `?` are always wildcards. Linear-time in
 * practice (greedy with single backtrack point), no recursion. */
bool wildcard_match(const char *p, size_t plen, const char *s, size_t slen,
		    bool icase);

#endif
