/*
 * rule.h - Elastic's "Kernel Seeking Activity" (rule version 2) on one exec.
 *
 * The query, verbatim as published, is rule_kernel_seeking_v2_query (its
 * text cannot sit in a C comment: its patterns contain slash-star).
 * Gist: an exec whose argv or parent argv has an element starting with
 * "/boot/", by tail with -c... or --bytes, cmp with -i, hexdump or xxd with
 * -s, or dd with seek...
 *
 * Semantics (shared/spec/rule-semantics.md §2, §5, strict mode of §6): every
 * comparison is byte-exact and case-sensitive; `like` is anchored with `*`
 * (any run, including empty and '/') and `?` (exactly one byte); a predicate
 * on an array is true when any one element satisfies it, each predicate on
 * its own; argv[0] counts; an unknown parent's args make that predicate
 * false. The host/event predicates hold by construction: the caller passes
 * only successful execs on Linux.
 *
 * Cost: one pass over argv per predicate, no allocation.
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
	const struct rule_threat *threats;
	size_t nthreats;
};

/* What the rule reads from one exec. parent_args NULL: parent unknown. */
struct rule_input {
	const char *name;       /* process.name */
	size_t name_len;
	const struct argv *args;        /* process.args, never NULL */
	const struct argv *parent_args; /* process.parent.args, or NULL */
};

extern const struct rule_meta rule_kernel_seeking_v2_meta;
extern const char rule_kernel_seeking_v2_query[];

bool rule_kernel_seeking_v2(const struct rule_input *in);

/* EQL `like`: anchored match of s[0..slen) against pattern p[0..plen) with
 * `*` and `?`; icase folds ASCII letters only (`like~`). No escapes exist in
 * EQL patterns, so `*` and `?` are always wildcards. Linear-time in
 * practice (greedy with single backtrack point), no recursion. */
bool wildcard_match(const char *p, size_t plen, const char *s, size_t slen,
		    bool icase);

#endif
