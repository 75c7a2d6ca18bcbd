/*
 * eql_regex.h - EQL's `regex` and `regex~` operators: Elasticsearch's
 * regular-expression syntax (Lucene's RegExp, as the regexp query takes it
 * with its default flags) run by PCRE2.
 *
 * Semantics (elastic/elasticsearch ql RegexQuery -> regexpQuery(field,
 * regex).caseInsensitive(ci); apache/lucene RegExp):
 *  - the pattern matches the whole value (Lucene's patterns are anchored);
 *  - `.` is any character, newline included; `^` and `$` are ordinary
 *    characters; `"..."` is a literal string; `\d \D \s \S \w \W` are
 *    [0-9], [^0-9], [ \t\n\r], [^ \t\n\r], [a-zA-Z_0-9], [^a-zA-Z_0-9];
 *    `\` before any other non-letter is that character, before another
 *    letter an error; `@` is any string and `#` the empty language;
 *  - `regex~` folds the case of ASCII letters written as characters, not of
 *    ranges: under regex~, [a-z] still matches only lower case (Lucene's
 *    ASCII_CASE_INSENSITIVE applies to characters and strings only);
 *  - a value that is not valid UTF-8 is matched with each invalid byte read
 *    as U+FFFD, as a JSON encoder would have shipped it to Elasticsearch.
 * The translation follows Lucene's parser step by step (a quantifier where
 * an atom is expected is a literal character, as there). What it cannot
 * translate faithfully is rejected at compile time with a message: the
 * complement `~`, the intersection `&`, numeric intervals and named
 * automata `<...>`, repeat bounds over 1000, a negated class holding
 * \D, \S or \W.
 *
 * Cost and bounds: each pattern is compiled once and JIT-compiled when the
 * platform allows. A match is bounded by PCRE2's match, depth and heap
 * limits (EQL_REGEX_MATCH_LIMIT plus EQL_REGEX_LIMIT_PER_BYTE per
 * byte of the value, per call: linear in the value); a call that hits a limit counts
 * as no match and is counted (eql_regex_counters). Within one exec
 * (eql_regex_begin_exec), after EQL_REGEX_MAX_LIMIT_HITS such calls the
 * remaining regex tests of that exec are not run at all (no match, counted):
 * hostile argv costs at most a bounded number of limited matches. Matching
 * allocates nothing except, once, a buffer for a value with invalid UTF-8,
 * grown to the largest such value seen. Not thread-safe: one matcher state
 * is shared by all patterns of the process.
 */
#ifndef KS_EQL_REGEX_H
#define KS_EQL_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EQL_REGEX_MATCH_LIMIT 100000u
#define EQL_REGEX_LIMIT_PER_BYTE 16u
#define EQL_REGEX_MAX_LIMIT_HITS 4u
#define EQL_REGEX_MAX_REPEAT 1000u

struct eql_regex;

/* Translate and compile; NULL with a message in err on failure. */
struct eql_regex *eql_regex_compile(const char *pat, size_t len, bool icase,
				    char *err, size_t errlen);
void eql_regex_free(struct eql_regex *re);

/* Whole-value match of s[0..n). */
bool eql_regex_match(const struct eql_regex *re, const char *s, size_t n);

/*
 * Text every match holds, for prefilters (eql_set.h): the run of plain
 * characters (single characters and "strings", not quantified, at the top
 * level of a pattern without a top-level `|`) the pattern starts with,
 * the one it ends with, and its longest run. Each is ASCII only, cut to
 * EQL_REGEX_LIT_MAX bytes (the prefix and the longest run keep their
 * start, the suffix its end), lower-case when the pattern folds case
 * (icase: then compare folding ASCII case); n 0 when there is none. A
 * value the pattern matches has prefix at its start, suffix at its end
 * and inner somewhere, in its raw bytes (invalid UTF-8 only ever becomes
 * U+FFFD, never ASCII). When the pattern starts (ends) with a class of
 * at most EQL_REGEX_SET_MAX ASCII characters, not quantified (`\s`, `\d`,
 * `[abc]`, `[0-9]`; not negated), a match starts (ends) with one of them:
 * prefix_set (suffix_set), lower-case when icase.
 */
#define EQL_REGEX_LIT_MAX 64
#define EQL_REGEX_SET_MAX 10
struct eql_regex_lits {
	char prefix[EQL_REGEX_LIT_MAX], suffix[EQL_REGEX_LIT_MAX],
		inner[EQL_REGEX_LIT_MAX];
	uint8_t nprefix, nsuffix, ninner;
	char prefix_set[EQL_REGEX_SET_MAX], suffix_set[EQL_REGEX_SET_MAX];
	uint8_t nprefix_set, nsuffix_set;
	bool icase;
};
const struct eql_regex_lits *eql_regex_lits(const struct eql_regex *re);

/* A new exec: its limit hits start from zero. */
void eql_regex_begin_exec(void);

struct eql_regex_counters {
	uint64_t calls;       /* pcre2 matches run */
	uint64_t limit_hits;  /* of them, stopped by a limit (no match) */
	uint64_t skipped;     /* tests not run: the exec's hits were spent */
};
void eql_regex_counters(struct eql_regex_counters *c);

/* The PCRE2 pattern a Lucene pattern becomes (tests); 0 or -1 with err. */
int eql_regex_translate(const char *pat, size_t len, bool icase, char *out,
			size_t cap, char *err, size_t errlen);

#endif
