/*
 * eql.h - a compiled subset of Elastic's Event Query Language, evaluated on
 * one exec event at a time.
 *
 * Grammar (what Elastic's Linux process rules use):
 *   query  := "process" "where" expr
 *   expr   := or ; or := and ("or" and)* ; and := not ("and" not)*
 *   not    := "not" not | cmp ; cmp := "(" expr ")" | field op value | func
 *   field  := name | "?" name
 *   op     := "==" | "!=" | ":" | "like" | "like~" | "in" | "in~" |
 *             "not" "in" | "not" "in~" | "regex" | "regex~" | < <= > >=
 *   value  := literal | "(" literal ("," literal)* ")"
 *   literal:= "string" | """raw""" | number | true | false | null
 *   func   := "length(" field ")" cmpop number
 *           | ("startsWith" | "endsWith" | "stringContains") ["~"]
 *             "(" field "," ("string" | field) ")" [("=="|"!=") bool]
 * Strings take EQL escapes (\n \r \t \" \' \\ \u{XXXX}); """raw""" strings
 * take none. Keywords and function names are case-insensitive, field names
 * are not.
 *
 * Fields: a name is a row of the ECS table (ecs_event.h). `?name` is EQL's
 * optional field: a name that is no row reads as null instead of failing
 * to compile; so do the fields ECS has but audit data never fills
 * (ecs_absent_reason), with or without `?`. Boolean rows compare with
 * ==, !=, in, not in and true/false. `regex`/`regex~` take Elasticsearch's
 * regular expressions (eql_regex.h), matched against the whole value.
 * The string functions are case-sensitive, their `~` forms fold ASCII
 * case; on an array they hold when any element satisfies them; on a
 * missing field they are false (and `not` over them true). length() counts
 * UTF-16 units as Elasticsearch's scripts do and is false on a missing
 * field, `!=` included.
 *
 * Semantics (shared/spec/rule-semantics.md §2): `==`, `!=`, `in`, `like`
 * are case-sensitive, `:`, `like~`, `in~` fold ASCII case; `like` and `:`
 * patterns are anchored with `*` and `?` and have no escape; `==`/`in`
 * never expand wildcards. A predicate on an array field is true when any
 * element satisfies it, each predicate on its own. A comparison with a
 * missing field is false, so `not` over it is true; `field == null` is true
 * only when the field is missing and `field != null` only when present.
 *
 * Cost: eql_compile parses once into a flat tree (eql_tree.h); eql_eval
 * walks it with no allocation and no re-parsing, O(size of tree x elements
 * of the arrays it touches). Many queries on one event: eql_set.h.
 */
#ifndef KS_EQL_H
#define KS_EQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "argv.h"

/* Fields are the rows of the ECS table (ecs_event.h): a query names them,
 * the compiler looks them up there and an event holds one value per row. */
#define EQL_FIELDS_MAX 128

/* A field's type, which decides the operators a query may apply to it. */
enum eql_type {
	EQL_T_STRING = 0,
	EQL_T_ARRAY,     /* of strings */
	EQL_T_NUMBER,
	EQL_T_BOOL,      /* ==, !=, in, not in with true/false */
	EQL_T_OBJECTS,   /* a list of objects: only alerts write it; rules
			  * read the string arrays of its members */
};

enum eql_kind {
	EQL_MISSING = 0,
	EQL_STRING,
	EQL_NUMBER,
	EQL_ARRAY,
	EQL_BOOL,     /* num: 0 false, 1 true (a row may leave a false
		       * flag missing instead, as its JSON omits it) */
};

/* One field's value in the event under test; pointers are borrowed. */
struct eql_value {
	enum eql_kind kind;
	const char *s;            /* EQL_STRING: s[0..n) */
	size_t n;
	int64_t num;              /* EQL_NUMBER */
	const struct argv *arr;   /* EQL_ARRAY */
};

/* The event as a query sees it, indexed by ECS table row. Fill only the
 * fields the loaded queries use (eql_query_uses); others are not read. */
struct eql_event {
	struct eql_value f[EQL_FIELDS_MAX];
};

struct eql_query; /* opaque, immutable after compile */

/*
 * Compile `text` (len bytes). On error returns NULL and writes a message
 * into err naming the problem and where: "line 3, column 14: unknown field
 * 'process.title'" / "unsupported construct 'sequence'" / "expected ')'".
 */
struct eql_query *eql_compile(const char *text, size_t len, char *err,
			      size_t errlen);
void eql_free(struct eql_query *q);

/* Build `not (except)` into q: q' = q and not (except). Used for local
 * exceptions. Returns 0, or -1 with err set (q unchanged). */
int eql_add_exception(struct eql_query *q, const char *text, size_t len,
		      char *err, size_t errlen);

bool eql_eval(const struct eql_query *q, const struct eql_event *ev);

/* True when the query reads field f, an ECS table row (so the caller must
 * fill it). */
bool eql_query_uses(const struct eql_query *q, unsigned f);

/*
 * Whether the query can never match an audited exec, decided before any
 * event from the rows every exec has alike (ECS_CONSTANT: host.os.type
 * "linux", event.type "start", event.action "exec") and the fields audit
 * data never fills (absent: `?unknown` and ecs_absent_reason). True with
 * the reasons in buf ("needs event.type other than \"start\" ...; needs
 * process.env_vars (...)"), false (buf "") when some exec may match.
 */
bool eql_query_never(const struct eql_query *q, char *buf, size_t cap);

/* Decide once what does not depend on the exec, so it costs nothing per
 * exec: the comparisons on the constant rows (ECS_CONSTANT: every exec has
 * event.type "start") and on fields audit data never fills (they read
 * null), then every `and`, `or` and `not` those decide; an `and` or `or`
 * left with one operand becomes that operand. Only for events described
 * by ecs_describe: an event holding other values in the constant rows is
 * then judged as if it held the constants. */
void eql_query_fold_constants(struct eql_query *q);

/* The absent fields the query reads, each with why ("; "-separated in
 * buf); returns how many. Before eql_query_fold_constants, which decides
 * the comparisons on them. */
size_t eql_query_absent(const struct eql_query *q, char *buf, size_t cap);

#endif
