/*
 * eql_tree.h - the compiled form of an EQL query, shared by the compiler
 * and evaluator (eql.c) and the rule set that evaluates many queries at
 * once (eql_set.c). Not for other modules: they use eql.h and eql_set.h.
 *
 * A query is one block: literals, then nodes, then a byte pool. AND/OR
 * nodes are n-ary, their children chained through `next` in evaluation
 * order (cheapest first); a comparison (N_CMP) tests one ECS table row
 * against its literals lits[a .. a+n). Literals of case-insensitive
 * operators are stored lower-cased. Depth is bounded by the parser's
 * nesting limit.
 */
#ifndef KS_EQL_TREE_H
#define KS_EQL_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "eql.h"

#define EQL_NONE UINT32_MAX

/* N_CONST: decided before any event (a constant row such as event.type,
 * a field audit data never fills, or a subtree made only of those); `op`
 * holds its value, `field` still says which row. */
enum eql_node_type { N_AND, N_OR, N_NOT, N_CMP, N_CONST };

enum eql_cmp_op {
	OP_STR,       /* any element matches any literal (exact or pattern) */
	OP_NUM_EQ,    /* number equals any literal */
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_IS_NULL,
	OP_NOT_NULL,
	OP_BOOL_EQ,   /* boolean equals any literal (lit.num 0 or 1) */
	OP_REGEX,     /* any element matches any regex (lit.num: index) */
	OP_NUM_NE,    /* length(f) != n: false when f is missing */
	OP_STARTS,    /* startsWith(f, x): any element of f */
	OP_ENDS,
	OP_CONTAINS,  /* stringContains(f, x) */
};

enum {
	CF_ICASE = 1u << 0,  /* fold ASCII case; literals are pre-lowered */
	CF_NEGATE = 1u << 1, /* `!=` / `not in`: true when nothing matched */
	CF_ABSENT = 1u << 2, /* the field is never present (?unknown, or one
			      * audit data cannot fill): reads as null */
	CF_LENGTH = 1u << 3, /* compares length(field), not the field */
	CF_FIELD2 = 1u << 4, /* a function's second argument is field2 */
	CF_ABSENT2 = 1u << 5, /* ... and that field is never present */
};

enum eql_lit_kind {
	L_EXACT,   /* whole string equals text */
	L_PREFIX,  /* text then only `*`s */
	L_SUFFIX,  /* only `*`s then text */
	L_CONTAINS, /* `*`s, text without wildcards, `*`s */
	L_GENERAL, /* anything else: wildcard_match() */
};

struct eql_lit {
	int64_t num;
	uint32_t off, len; /* text in the pool (the literal part for
			    * prefix/suffix/contains, the whole pattern
			    * otherwise) */
	uint8_t kind;
};

struct eql_node {
	uint8_t type, op, field, flags;
	uint8_t field2;  /* CF_FIELD2 */
	uint32_t a;    /* AND/OR: first child; NOT: child; CMP: first lit */
	uint32_t n;    /* AND/OR: children; CMP: lits */
	uint32_t next; /* next sibling under an AND/OR */
	uint32_t cost; /* rough evaluation cost, for ordering siblings */
	uint32_t aoff; /* CF_ABSENT(2): the field's name in the pool */
	uint16_t alen;
	/* OP_STR with only exact literals: bit min(len, 63) set for each
	 * literal's length, so a value of another length is rejected
	 * without comparing (0: no such filter) */
	uint64_t lenmask;
};

struct eql_query {
	void *block; /* lits, then nodes, then pool: one allocation */
	const struct eql_lit *lits;
	const struct eql_node *nodes;
	const char *pool;
	uint32_t nnodes, nlits;
	size_t pool_len;
	uint32_t root;
	uint64_t uses[EQL_FIELDS_MAX / 64]; /* bit per ECS table row */
	struct eql_regex **rx; /* compiled regex literals, owned */
	uint32_t nrx;
};

static inline unsigned char eql_lower(unsigned char c)
{
	return (unsigned char)(c - 'A') < 26u ? (unsigned char)(c + 32) : c;
}

/* Whether pat[0..k) occurs in s[0..n); with icase, s is folded and pat is
 * lower-case already. */
bool eql_contains(const char *s, size_t n, const char *pat, size_t k,
		  bool icase);

#endif
