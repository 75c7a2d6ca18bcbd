/*
 * eql_set.h - many compiled queries evaluated together on one event: what
 * the enabled rules cost per exec.
 *
 * At build, each query gets a gate: a set of literal tests (atoms) on
 * string and array fields such that the query can be true only when one
 * of them holds. An atom is one literal of a comparison the query cannot
 * be true without (`process.name in ("curl", "wget")`, `process.args :
 * "-c"`, `like "/tmp/..."`, `startsWith(...)`; the fixed start, end or
 * middle of a `like` pattern; the text every match of a regex holds, or
 * the characters of a class it starts or ends with, eql_regex_lits):
 * whole value, prefix, suffix or substring, case-sensitive or folding
 * ASCII case. Where an AND offers several such comparisons, the one least
 * likely to hold is taken (a guess from the kind and length of its
 * literals, arrays counting for more); an OR needs one on each side. Any
 * string or array row of the ECS table can serve, so a new field needs no
 * code here. A query that is false whatever the event (after
 * eql_query_fold_constants) has an empty gate and never runs; one with no
 * such comparison (only negations, numbers, regexes without plain text,
 * ...) has none and runs on every event.
 *
 * Per event, each field some gate reads is scanned once: every element
 * is hashed once (exact and case-folded in the same pass; the hash of
 * each prefix and suffix length some atom has falls out of that pass)
 * and looked up, behind filters on its length and edge bytes; substrings
 * are found through pairs of bytes looked at every few bytes (one less
 * than the shortest substring atom of the field); each atom that holds
 * marks its queries. The marked queries then run, in index order, as
 * eql_eval runs them: the answer is exactly eql_eval's for every query,
 * and the matches come in index order. (One difference in cost, not in
 * meaning: a regex limit hit counts toward the exec's budget, eql_regex.h,
 * only when its query runs, so on hostile argv that spends the budget, a
 * query the gates skipped leaves more of it to the regexes of later
 * ones.)
 *
 * Cost: building is linear in the queries' size (plus sorting the
 * atoms). Evaluating one event is O(bytes of the scanned fields) for the
 * scan, plus, at each pair looked at that some substring atom holds,
 * comparing those atoms (hostile input: bytes x those atoms' total
 * length), plus the marked queries; no allocation. The set keeps scratch
 * space: one evaluation at a time.
 */
#ifndef KS_EQL_SET_H
#define KS_EQL_SET_H

#include <stdbool.h>
#include <stddef.h>
#include "eql.h"

struct eql_set;

/*
 * A set over q[0..n): the queries are borrowed (they must outlive the set
 * and not change); a NULL entry is a query that never runs. NULL when out
 * of memory.
 */
struct eql_set *eql_set_new(struct eql_query *const *q, size_t n);
void eql_set_free(struct eql_set *s);

/* Call on_match(ctx, i) for each query i that matches ev, i ascending. */
void eql_set_eval(struct eql_set *s, const struct eql_event *ev,
		  void (*on_match)(void *ctx, size_t i), void *ctx);

struct eql_set_stats {
	size_t queries;  /* non-NULL ones */
	size_t gated;    /* run only when an atom of their gate holds */
	size_t always;   /* no gate: run on every event */
	size_t never;    /* empty gate: never run */
	size_t atoms;    /* distinct atoms */
	size_t fields;   /* fields scanned per event */
};
void eql_set_stats(const struct eql_set *s, struct eql_set_stats *st);

/*
 * Query i's gate in words, for reports and tests: "always", "never", or
 * the atoms joined by " | ", each FIELD then == (whole value), ^= (prefix),
 * $= (suffix) or *= (substring), a `~` after it when folding case, and
 * the literal: `process.name ==~ "curl" | process.args *= "-c"`.
 */
void eql_set_gate(const struct eql_set *s, size_t i, char *buf, size_t cap);

#endif
