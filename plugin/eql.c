/*
 * eql.c - compile a subset of Elastic's EQL once, evaluate it per exec.
 *
 * The compiler is a hand-written lexer and recursive-descent parser that
 * builds a flat tree: AND/OR nodes are n-ary (children chained through
 * `next`), so a long conjunction does not make the tree deep, and the only
 * depth comes from parentheses and `not`, which the parser caps at
 * EQL_MAX_DEPTH. eql_eval therefore recurses at most a bounded number of
 * frames and never allocates.
 *
 * Literals are decoded once at compile time into a string pool; patterns of
 * case-insensitive operators are stored lower-cased, and each pattern is
 * classified (exact, prefix, suffix, general) so the common "/boot/" prefix
 * costs one memcmp per argument.
 *
 * `!=` semantics (checked in elastic/elasticsearch, x-pack/plugin/ql
 * ExpressionTranslators.BinaryComparisons.translate and ql NotEquals
 * .getQuery: a NotEquals on a field becomes NotQuery(TermQuery(field, v)),
 * i.e. a bool must_not term; EQL's Optimizer.ReplaceNullChecks turns
 * `f != null` into Not(IsNull(f)), an exists query): `f != v` is true when
 * NO element of f equals v, and true when f is missing. It is exactly
 * `not (f == v)`; likewise `f not in (...)` is `not (f in (...))`. Only
 * `f != null` requires the field to be present.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ecs_event.h"
#include "eql.h"
#include "eql_regex.h"
#include "eql_tree.h"
#include "rule.h"

/* node.field is a byte; the use bits are whole words. */
_Static_assert(EQL_FIELDS_MAX <= 256 && EQL_FIELDS_MAX % 64 == 0,
	       "EQL_FIELDS_MAX must fit node.field and the use bit words");

#define EQL_MAX_QUERY_BYTES (64u * 1024u)
#define EQL_MAX_DEPTH 64

/* ---- tokens ------------------------------------------------------------ */

enum tok {
	T_EOF,
	T_IDENT,
	T_STRING,
	T_RAWSTRING,
	T_NUMBER,
	T_LPAREN,
	T_RPAREN,
	T_COMMA,
	T_PIPE,
	T_EQ,
	T_NE,
	T_COLON,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	/* keywords (case-insensitive words) */
	T_AND,
	T_OR,
	T_NOT,
	T_IN,
	T_IN_CI,
	T_LIKE,
	T_LIKE_CI,
	T_NULL,
	T_WHERE,
	T_TRUE,
	T_FALSE,
	T_REGEX,
	T_REGEX_CI,
	T_UNSUPPORTED, /* sequence, sample, ...: not supported */
};

struct token {
	enum tok type;
	size_t start, end;   /* raw text of the token */
	size_t cstart, cend; /* content: name without `?`, string without
			      * quotes */
	unsigned line, col;
	int64_t num;
	bool optional;       /* `?field` */
	bool func_ci;        /* `name~(`: a case-insensitive function */
};

static const struct {
	const char *word;
	enum tok type;
} keywords[] = {
	{ "and", T_AND },	   { "or", T_OR },
	{ "not", T_NOT },	   { "in", T_IN },
	{ "in~", T_IN_CI },	   { "like", T_LIKE },
	{ "like~", T_LIKE_CI },	   { "null", T_NULL },
	{ "where", T_WHERE },	   { "true", T_TRUE },
	{ "false", T_FALSE },	   { "sequence", T_UNSUPPORTED },
	{ "sample", T_UNSUPPORTED }, { "join", T_UNSUPPORTED },
	{ "until", T_UNSUPPORTED }, { "by", T_UNSUPPORTED },
	{ "with", T_UNSUPPORTED },  { "maxspan", T_UNSUPPORTED },
	{ "runs", T_UNSUPPORTED },  { "regex", T_REGEX },
	{ "regex~", T_REGEX_CI },   { "of", T_UNSUPPORTED },
	{ "descendant", T_UNSUPPORTED }, { "child", T_UNSUPPORTED },
};

static bool word_eq_ci(const char *s, size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i] == '\0' || eql_lower((unsigned char)s[i]) != w[i])
			return false;
	return w[n] == '\0';
}

static bool is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == '@';
}

static bool is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '.';
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = eql_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* ---- builder ----------------------------------------------------------- */

struct build {
	struct eql_node *nodes;
	uint32_t nn, cn;
	struct eql_lit *lits;
	uint32_t nl, cl;
	char *pool;
	size_t pl, pc;
	uint64_t uses[EQL_FIELDS_MAX / 64];
	struct eql_regex **rx;
	uint32_t nrx, crx;
	uint32_t rx_borrowed; /* the first ones belong to the query being
			       * extended (eql_add_exception) */
};

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	unsigned line, col;
	struct token tok; /* current token */
	int depth;
	bool failed;
	char *err;
	size_t errlen;
	struct build *b;
};

static void perr_at(struct parser *p, unsigned line, unsigned col,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void perr_at(struct parser *p, unsigned line, unsigned col,
		    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return; /* the first error is the one worth reporting */
	p->failed = true;
	if (!p->err || p->errlen == 0)
		return;
	n = snprintf(p->err, p->errlen, "line %u, column %u: ", line, col);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

static bool grow(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t nc;
	void *na;

	if (need <= *cap)
		return true;
	nc = *cap ? *cap : 16;
	while (nc < need) {
		if (nc > UINT32_MAX / 2)
			return false;
		nc *= 2;
	}
	na = realloc(*arr, (size_t)nc * elem);
	if (!na)
		return false;
	*arr = na;
	*cap = nc;
	return true;
}

static int64_t new_node(struct parser *p, enum eql_node_type t)
{
	struct build *b = p->b;
	struct eql_node *n;

	if (!grow((void **)&b->nodes, &b->cn, b->nn + 1, sizeof(*b->nodes))) {
		perr_at(p, p->tok.line, p->tok.col, "out of memory");
		return -1;
	}
	n = &b->nodes[b->nn];
	memset(n, 0, sizeof(*n));
	n->type = (uint8_t)t;
	n->a = EQL_NONE;
	n->next = EQL_NONE;
	return b->nn++;
}

/* ---- lexer ------------------------------------------------------------- */

static inline int peekc(const struct parser *p, size_t off)
{
	return p->pos + off < p->len ? (unsigned char)p->s[p->pos + off] : -1;
}

static inline void adv(struct parser *p)
{
	if (p->s[p->pos] == '\n') {
		p->line++;
		p->col = 1;
	} else {
		p->col++;
	}
	p->pos++;
}

static int skip_space(struct parser *p)
{
	for (;;) {
		int c = peekc(p, 0);

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			adv(p);
		} else if (c == '/' && peekc(p, 1) == '/') {
			while (p->pos < p->len && p->s[p->pos] != '\n')
				adv(p);
		} else if (c == '/' && peekc(p, 1) == '*') {
			unsigned l = p->line, col = p->col;

			adv(p);
			adv(p);
			while (p->pos < p->len &&
			       !(p->s[p->pos] == '*' && peekc(p, 1) == '/'))
				adv(p);
			if (p->pos >= p->len) {
				perr_at(p, l, col, "unterminated comment");
				return -1;
			}
			adv(p);
			adv(p);
		} else {
			return 0;
		}
	}
}

/* Validate a "..." string's escapes; decoding happens later, once. */
static int lex_string(struct parser *p, struct token *t)
{
	adv(p); /* opening quote */
	t->cstart = p->pos;
	for (;;) {
		int c = peekc(p, 0);
		unsigned l = p->line, col = p->col;

		if (c < 0 || c == '\n' || c == '\r') {
			perr_at(p, t->line, t->col,
				c < 0 ? "unterminated string"
				      : "unterminated string (line break "
					"inside \"...\"; use \\n or a "
					"\"\"\"raw\"\"\" string)");
			return -1;
		}
		if (c == '"')
			break;
		if (c != '\\') {
			adv(p);
			continue;
		}
		adv(p);
		c = peekc(p, 0);
		switch (c) {
		case 'n': case 'r': case 't': case '"': case '\'': case '\\':
			adv(p);
			continue;
		case 'u':
			break;
		default:
			if (c < 0)
				perr_at(p, t->line, t->col,
					"unterminated string");
			else if (c > 0x20 && c < 0x7f)
				perr_at(p, l, col,
					"bad escape '\\%c' in string", c);
			else
				perr_at(p, l, col,
					"bad escape '\\' followed by byte "
					"0x%02x in string", (unsigned)c);
			return -1;
		}
		adv(p); /* 'u' */
		if (peekc(p, 0) != '{') {
			perr_at(p, l, col,
				"bad escape '\\u': expected '{' (write "
				"\\u{XXXX})");
			return -1;
		} else {
			uint32_t cp = 0;
			int nd = 0, h;

			adv(p);
			while ((h = peekc(p, 0)) >= 0 &&
			       hexval((unsigned)h) >= 0) {
				if (++nd > 8)
					break;
				cp = cp * 16 + (uint32_t)hexval((unsigned)h);
				adv(p);
			}
			if (nd < 1 || nd > 8 || peekc(p, 0) != '}') {
				perr_at(p, l, col,
					"bad escape '\\u{...}': expected 1 to 8 "
					"hex digits and '}'");
				return -1;
			}
			adv(p);
			if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
				perr_at(p, l, col,
					"bad escape '\\u{%X}': not a valid "
					"Unicode code point", (unsigned)cp);
				return -1;
			}
		}
	}
	t->cend = p->pos;
	adv(p); /* closing quote */
	t->type = T_STRING;
	return 0;
}

/* """raw""": no escapes; as in Elasticsearch's grammar, quotes right after
 * the closing """ belong to the content, so """say "hi"""" is `say "hi"`. */
static int lex_raw(struct parser *p, struct token *t)
{
	adv(p);
	adv(p);
	adv(p);
	t->cstart = p->pos;
	while (p->pos < p->len &&
	       !(p->s[p->pos] == '"' && peekc(p, 1) == '"' &&
		 peekc(p, 2) == '"'))
		adv(p);
	if (p->pos >= p->len) {
		perr_at(p, t->line, t->col, "unterminated raw string");
		return -1;
	}
	while (peekc(p, 3) == '"')
		adv(p);
	t->cend = p->pos;
	adv(p);
	adv(p);
	adv(p);
	t->type = T_RAWSTRING;
	return 0;
}

static int lex_number(struct parser *p, struct token *t)
{
	bool neg = false;
	uint64_t v = 0;
	/* |INT64_MIN| fits in uint64_t, so both signs share one limit test */
	const uint64_t lim = (uint64_t)INT64_MAX + 1;

	if (peekc(p, 0) == '-') {
		neg = true;
		adv(p);
	}
	while (peekc(p, 0) >= '0' && peekc(p, 0) <= '9') {
		uint64_t dgt = (uint64_t)(peekc(p, 0) - '0');

		/* test before multiplying so v never wraps */
		if (v > (lim - dgt) / 10 ||
		    (!neg && v * 10 + dgt > (uint64_t)INT64_MAX)) {
			perr_at(p, t->line, t->col,
				"number out of range (64-bit signed)");
			return -1;
		}
		v = v * 10 + dgt;
		adv(p);
	}
	if (peekc(p, 0) == '.' || peekc(p, 0) == 'e' || peekc(p, 0) == 'E') {
		perr_at(p, t->line, t->col,
			"only integer numbers are supported");
		return -1;
	}
	if (peekc(p, 0) >= 0 && is_ident_char((unsigned)peekc(p, 0))) {
		perr_at(p, t->line, t->col, "malformed number");
		return -1;
	}
	t->num = neg ? (int64_t)(0 - v) : (int64_t)v;
	t->type = T_NUMBER;
	return 0;
}

static int lex(struct parser *p, struct token *t)
{
	int c;

	memset(t, 0, sizeof(*t));
	if (skip_space(p))
		return -1;
	t->start = p->pos;
	t->line = p->line;
	t->col = p->col;
	c = peekc(p, 0);
	if (c < 0) {
		t->type = T_EOF;
		t->end = p->pos;
		return 0;
	}
	if (c == '"') {
		if (peekc(p, 1) == '"' && peekc(p, 2) == '"') {
			if (lex_raw(p, t))
				return -1;
		} else if (lex_string(p, t)) {
			return -1;
		}
	} else if (c == '\'') {
		perr_at(p, t->line, t->col,
			"single-quoted strings are not supported in EQL; use "
			"double quotes");
		return -1;
	} else if (c == '`') {
		perr_at(p, t->line, t->col,
			"unsupported construct: backquoted identifier");
		return -1;
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		if (c == '-' && !(peekc(p, 1) >= '0' && peekc(p, 1) <= '9')) {
			perr_at(p, t->line, t->col,
				"unsupported construct: arithmetic '-'");
			return -1;
		}
		if (lex_number(p, t))
			return -1;
	} else if (is_ident_start((unsigned)c) ||
		   (c == '?' && peekc(p, 1) >= 0 &&
		    is_ident_start((unsigned)peekc(p, 1)))) {
		size_t i;

		/* `?field` is EQL's optional field: null when the field is
		 * unknown, instead of an error. */
		if (c == '?') {
			adv(p);
			t->optional = true;
		}
		t->cstart = p->pos;
		while (peekc(p, 0) >= 0 && is_ident_char((unsigned)peekc(p, 0)))
			adv(p);
		t->cend = p->pos;
		t->type = T_IDENT;
		if (c != '?') {
			size_t n = t->cend - t->cstart;

			if (peekc(p, 0) == '~' &&
			    (word_eq_ci(p->s + t->cstart, n, "in") ||
			     word_eq_ci(p->s + t->cstart, n, "like") ||
			     word_eq_ci(p->s + t->cstart, n, "regex"))) {
				adv(p);
				n++;
			}
			/* `startsWith~(`: a function's case-insensitive
			 * form */
			if (peekc(p, 0) == '~' && peekc(p, 1) == '(') {
				adv(p);
				t->func_ci = true;
			}
			for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]);
			     i++)
				if (word_eq_ci(p->s + t->cstart, n,
					       keywords[i].word)) {
					t->type = keywords[i].type;
					break;
				}
			t->cend = t->cstart + n;
		}
	} else {
		int c1 = peekc(p, 1);

		switch (c) {
		case '(': t->type = T_LPAREN; break;
		case ')': t->type = T_RPAREN; break;
		case ',': t->type = T_COMMA; break;
		case '|': t->type = T_PIPE; break;
		case ':': t->type = T_COLON; break;
		case '<': t->type = c1 == '=' ? T_LE : T_LT; break;
		case '>': t->type = c1 == '=' ? T_GE : T_GT; break;
		case '=':
			if (c1 != '=') {
				perr_at(p, t->line, t->col,
					"use '==' instead of '='");
				return -1;
			}
			t->type = T_EQ;
			break;
		case '!':
			if (c1 != '=') {
				perr_at(p, t->line, t->col,
					"unexpected '!' (the operators are "
					"'!=' and 'not')");
				return -1;
			}
			t->type = T_NE;
			break;
		default:
			if (c > 0x20 && c < 0x7f)
				perr_at(p, t->line, t->col,
					"unexpected character '%c'", c);
			else
				perr_at(p, t->line, t->col,
					"unexpected byte 0x%02x", (unsigned)c);
			return -1;
		}
		adv(p);
		if (t->type == T_LE || t->type == T_GE || t->type == T_EQ ||
		    t->type == T_NE)
			adv(p);
	}
	t->end = p->pos;
	return 0;
}

static int next(struct parser *p)
{
	if (p->failed)
		return -1;
	return lex(p, &p->tok);
}

/* Type of the token after the current one, without consuming anything. */
static enum tok peek_type(struct parser *p)
{
	struct parser save = *p;
	struct token t;
	enum tok ty;

	/* A lexing error there is reported when the parser gets to it. */
	save.err = NULL;
	save.errlen = 0;
	ty = lex(&save, &t) ? T_EOF : t.type;
	return ty;
}

/* Short printable form of the current token for messages: the query may
 * come from any rule file, so its text is quoted as diagnostics are. */
static void tok_desc(const struct parser *p, const struct token *t, char *buf,
		     size_t cap)
{
	char q[48];

	if (t->type == T_EOF) {
		snprintf(buf, cap, "end of query");
		return;
	}
	diag_quote(q, sizeof(q), p->s + t->start, t->end - t->start);
	snprintf(buf, cap, "'%s'", q);
}

static void perr_unexpected(struct parser *p, const char *what)
{
	char d[64];

	tok_desc(p, &p->tok, d, sizeof(d));
	perr_at(p, p->tok.line, p->tok.col, "expected %s but found %s", what,
		d);
}

/* ---- literals ---------------------------------------------------------- */

static size_t utf8_put(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Decode a validated string token into the pool. Escapes never make the
 * text longer (\u{...} is at least 4 bytes of source for at most 4 of
 * UTF-8), so the source length bounds the output.
 */
static int pool_add_string(struct parser *p, const struct token *t,
			   bool icase, uint32_t *off, uint32_t *len)
{
	struct build *b = p->b;
	size_t n = t->cend - t->cstart, i, o;
	const char *s = p->s + t->cstart;
	char *d;

	if (b->pl + n > UINT32_MAX) {
		perr_at(p, t->line, t->col, "string pool overflow");
		return -1;
	}
	/* also when nothing was pooled yet: the first string may be "", and
	 * NULL + 0 is undefined behaviour (found by fuzz_eql) */
	if (!b->pool || b->pl + n > b->pc) {
		size_t nc = b->pc ? b->pc : 256;
		char *np;

		while (nc < b->pl + n)
			nc *= 2;
		np = realloc(b->pool, nc);
		if (!np) {
			perr_at(p, t->line, t->col, "out of memory");
			return -1;
		}
		b->pool = np;
		b->pc = nc;
	}
	d = b->pool + b->pl;
	o = 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (t->type == T_STRING && c == '\\') {
			c = s[++i];
			switch (c) {
			case 'n': d[o++] = '\n'; continue;
			case 'r': d[o++] = '\r'; continue;
			case 't': d[o++] = '\t'; continue;
			case 'u': {
				uint32_t cp = 0;

				for (i += 2; s[i] != '}'; i++)
					cp = cp * 16 +
					     (uint32_t)hexval((unsigned char)s[i]);
				o += utf8_put(d + o, cp);
				continue;
			}
			default: /* \" \' \\ stand for themselves */
				break;
			}
		}
		d[o++] = c;
	}
	if (icase)
		for (i = 0; i < o; i++)
			d[i] = (char)eql_lower((unsigned char)d[i]);
	*off = (uint32_t)b->pl;
	*len = (uint32_t)o;
	b->pl += o;
	return 0;
}

/* Pick the cheapest matcher equivalent to wildcard_match() on this
 * pattern; `*` and `?` are always wildcards (EQL has no escape for them). */
static void classify(struct eql_lit *l, const char *pool)
{
	const char *s = pool + l->off;
	uint32_t n = l->len, i, lead = 0, trail = 0, stars = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '?') {
			l->kind = L_GENERAL;
			return;
		}
		if (s[i] == '*')
			stars++;
	}
	if (stars == 0) {
		l->kind = L_EXACT;
		return;
	}
	while (lead < n && s[lead] == '*')
		lead++;
	while (trail < n - lead && s[n - 1 - trail] == '*')
		trail++;
	if (lead && trail && lead + trail == stars && lead + trail < n) {
		l->kind = L_CONTAINS;
		l->off += lead;
		l->len = n - lead - trail;
	} else if (lead == 0 && trail == stars) {
		l->kind = L_PREFIX;
		l->len = n - trail;
	} else if (lead == stars && trail == 0) {
		/* also all stars: an empty suffix matches anything */
		l->kind = L_SUFFIX;
		l->off += lead;
		l->len = n - lead;
	} else {
		l->kind = L_GENERAL;
	}
}

/* ---- parser ------------------------------------------------------------ */

static int64_t parse_or(struct parser *p);

enum opkind {
	K_EQ, K_NE, K_COLON, K_LIKE, K_LIKE_CI, K_IN, K_IN_CI, K_NOT_IN,
	K_NOT_IN_CI, K_REGEX, K_REGEX_CI, K_LT, K_LE, K_GT, K_GE,
};

static const char *const opname[] = {
	[K_EQ] = "==", [K_NE] = "!=", [K_COLON] = ":", [K_LIKE] = "like",
	[K_LIKE_CI] = "like~", [K_IN] = "in", [K_IN_CI] = "in~",
	[K_NOT_IN] = "not in", [K_NOT_IN_CI] = "not in~",
	[K_REGEX] = "regex", [K_REGEX_CI] = "regex~", [K_LT] = "<",
	[K_LE] = "<=", [K_GT] = ">", [K_GE] = ">=",
};

static uint32_t sat_add(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

/*
 * Reorder an AND/OR node's children cheapest first (stable). Evaluation is
 * side-effect free, so order never changes the result, only how soon the
 * short circuit cuts in: `process.name == "dd"` before an argv scan.
 */
static void sort_children(struct eql_node *nodes, uint32_t parent)
{
	uint32_t sorted = EQL_NONE, c = nodes[parent].a, cost = 0;

	while (c != EQL_NONE) {
		uint32_t nx = nodes[c].next, *link = &sorted;

		while (*link != EQL_NONE && nodes[*link].cost <= nodes[c].cost)
			link = &nodes[*link].next;
		nodes[c].next = *link;
		*link = c;
		cost = sat_add(cost, nodes[c].cost);
		c = nx;
	}
	nodes[parent].a = sorted;
	nodes[parent].cost = cost;
}

/* A literal as read from the query, before type checks. */
struct rawlit {
	struct token t;
	enum { RL_STRING, RL_NUMBER, RL_NULL, RL_BOOL } kind;
};

static int parse_literal(struct parser *p, struct rawlit *rl, const char *fld)
{
	char d[64];

	rl->t = p->tok;
	switch (p->tok.type) {
	case T_STRING:
	case T_RAWSTRING:
		rl->kind = RL_STRING;
		break;
	case T_NUMBER:
		rl->kind = RL_NUMBER;
		break;
	case T_NULL:
		rl->kind = RL_NULL;
		break;
	case T_TRUE:
	case T_FALSE:
		rl->kind = RL_BOOL;
		rl->t.num = p->tok.type == T_TRUE;
		break;
	case T_IDENT:
		tok_desc(p, &p->tok, d, sizeof(d));
		if (peek_type(p) == T_LPAREN)
			perr_at(p, p->tok.line, p->tok.col,
				"unsupported construct: function call "
				"'%.*s()' as a value",
				(int)(p->tok.cend - p->tok.cstart),
				p->s + p->tok.cstart);
		else
			perr_at(p, p->tok.line, p->tok.col,
				"unsupported construct: comparing field '%s' "
				"with field %s", fld, d);
		return -1;
	default:
		perr_unexpected(p, "a value (string, number, true, false or null)");
		return -1;
	}
	return next(p);
}

/* A field named in the query: its ECS table row, or absent. */
struct fref {
	struct token t;
	int f;             /* ECS table row; -1 when absent */
	enum eql_type type;
	const char *fname; /* for messages */
	char shown[72];
};

/* The pool keeps n raw bytes (an absent field's name); 0 or -1. */
static int pool_add_raw(struct parser *p, const char *s, size_t n,
			uint32_t *off)
{
	struct build *b = p->b;

	if (b->pl + n > UINT32_MAX) {
		perr_at(p, p->tok.line, p->tok.col, "string pool overflow");
		return -1;
	}
	if (!b->pool || b->pl + n > b->pc) {
		size_t nc = b->pc ? b->pc : 256;
		char *np;

		while (nc < b->pl + n)
			nc *= 2;
		np = realloc(b->pool, nc);
		if (!np) {
			perr_at(p, p->tok.line, p->tok.col, "out of memory");
			return -1;
		}
		b->pool = np;
		b->pc = nc;
	}
	memcpy(b->pool + b->pl, s, n);
	*off = (uint32_t)b->pl;
	b->pl += n;
	return 0;
}

/*
 * The field name at the current token. A name that is not a row of the
 * ECS table is an error, except `?name` (EQL's optional field: null when
 * the field does not exist) and the fields that ECS has but audit data
 * never fills (ecs_absent_reason), which read as null too.
 */
static int parse_fref(struct parser *p, struct fref *r)
{
	size_t n;

	r->t = p->tok;
	n = r->t.cend - r->t.cstart;
	snprintf(r->shown, sizeof(r->shown), "%.*s%s", (int)(n > 64 ? 64 : n),
		 p->s + r->t.cstart, n > 64 ? "..." : "");
	r->fname = r->shown;
	r->f = ecs_field_find(p->s + r->t.cstart, n);
	if (r->f >= 0) {
		r->type = ecs_fields[r->f].type;
		r->fname = ecs_fields[r->f].name;
		/* alerts write it; rules read its members' arrays */
		if (r->type == EQL_T_OBJECTS) {
			perr_at(p, r->t.line, r->t.col,
				"unsupported construct: comparing the list "
				"of objects '%s'", r->fname);
			return -1;
		}
		p->b->uses[r->f / 64] |= (uint64_t)1 << (r->f % 64);
	} else if (!r->t.optional &&
		   !ecs_absent_reason(p->s + r->t.cstart, n)) {
		perr_at(p, r->t.line, r->t.col, "unknown field '%s'",
			r->shown);
		return -1;
	}
	return next(p);
}

/* Point node ni's field (or second field) at r. */
static int node_field(struct parser *p, int64_t ni, const struct fref *r,
		      bool second)
{
	struct eql_node *nd = &p->b->nodes[ni];
	uint32_t off;

	if (r->f >= 0) {
		if (second)
			nd->field2 = (uint8_t)r->f;
		else
			nd->field = (uint8_t)r->f;
		return 0;
	}
	if (pool_add_raw(p, p->s + r->t.cstart, r->t.cend - r->t.cstart,
			 &off))
		return -1;
	nd = &p->b->nodes[ni];
	nd->flags |= second ? CF_ABSENT2 : CF_ABSENT;
	/* one name per node is enough for reports: the first argument's */
	if (!nd->alen) {
		nd->aoff = off;
		nd->alen = (uint16_t)(r->t.cend - r->t.cstart > 0xFFFF ?
				      0xFFFF : r->t.cend - r->t.cstart);
	}
	return 0;
}

/* What parse_cmp has read so far: the field and the operator. */
struct cmp {
	struct fref fr;
	enum opkind k;
	bool icase, pattern, regex, is_list;
};

#define ABSENT(c) ((c)->fr.f < 0)

/* The operator at the current token ("not in" is two tokens). */
static int cmp_operator(struct parser *p, struct cmp *c)
{
	char d[64];

	switch (p->tok.type) {
	case T_EQ: c->k = K_EQ; break;
	case T_NE: c->k = K_NE; break;
	case T_COLON: c->k = K_COLON; break;
	case T_LIKE: c->k = K_LIKE; break;
	case T_LIKE_CI: c->k = K_LIKE_CI; break;
	case T_IN: c->k = K_IN; break;
	case T_IN_CI: c->k = K_IN_CI; break;
	case T_REGEX: c->k = K_REGEX; break;
	case T_REGEX_CI: c->k = K_REGEX_CI; break;
	case T_LT: c->k = K_LT; break;
	case T_LE: c->k = K_LE; break;
	case T_GT: c->k = K_GT; break;
	case T_GE: c->k = K_GE; break;
	case T_NOT:
		if (next(p))
			return -1;
		if (p->tok.type == T_IN) {
			c->k = K_NOT_IN;
		} else if (p->tok.type == T_IN_CI) {
			c->k = K_NOT_IN_CI;
		} else {
			perr_unexpected(p, "'in' after 'not'");
			return -1;
		}
		break;
	case T_UNSUPPORTED:
		tok_desc(p, &p->tok, d, sizeof(d));
		perr_at(p, p->tok.line, p->tok.col,
			"unsupported construct %s", d);
		return -1;
	default: {
		char what[128];

		snprintf(what, sizeof(what), "an operator after '%s'",
			 c->fr.fname);
		perr_unexpected(p, what);
		return -1;
	}
	}
	c->icase = c->k == K_COLON || c->k == K_LIKE_CI || c->k == K_IN_CI ||
		   c->k == K_NOT_IN_CI;
	c->pattern = c->k == K_COLON || c->k == K_LIKE || c->k == K_LIKE_CI;
	c->regex = c->k == K_REGEX || c->k == K_REGEX_CI;
	return 0;
}

/* The operator against the field's type, before looking at values. An
 * absent field has no type: any operator reads null from it. */
static int cmp_check_types(struct parser *p, const struct cmp *c)
{
	enum opkind k = c->k;
	enum eql_type ty = c->fr.type;

	if (ABSENT(c))
		return 0;
	if (ty == EQL_T_NUMBER &&
	    (k == K_COLON || k == K_LIKE || k == K_LIKE_CI || k == K_IN_CI ||
	     k == K_NOT_IN_CI || c->regex)) {
		perr_at(p, p->tok.line, p->tok.col,
			"type mismatch: '%s' is a string operator but '%s' is "
			"a number field", opname[k], c->fr.fname);
		return -1;
	}
	if (ty == EQL_T_BOOL && k != K_EQ && k != K_NE && k != K_IN &&
	    k != K_NOT_IN) {
		perr_at(p, p->tok.line, p->tok.col,
			"type mismatch: '%s' cannot compare the boolean field "
			"'%s' (use ==, !=, in or not in)", opname[k],
			c->fr.fname);
		return -1;
	}
	if (ty != EQL_T_NUMBER && k >= K_LT) {
		perr_at(p, p->tok.line, p->tok.col,
			"type mismatch: '%s' needs a number field but '%s' is "
			"a %s field", opname[k], c->fr.fname,
			ty == EQL_T_BOOL ? "boolean" : "string");
		return -1;
	}
	return 0;
}

/* After the operator: a list in parentheses or a single value. The
 * current token is then the first literal. */
static int cmp_open_values(struct parser *p, struct cmp *c)
{
	enum opkind k = c->k;

	if (k == K_IN || k == K_IN_CI || k == K_NOT_IN || k == K_NOT_IN_CI) {
		if (p->tok.type != T_LPAREN) {
			perr_unexpected(p, "'(' and a list after 'in'");
			return -1;
		}
		c->is_list = true;
	} else if (p->tok.type == T_LPAREN) {
		if (!c->pattern && !c->regex) {
			perr_at(p, p->tok.line, p->tok.col,
				"'%s' takes a single value; use 'in' for a "
				"list", opname[k]);
			return -1;
		}
		c->is_list = true;
	}
	if (c->is_list) {
		unsigned ll = p->tok.line, lc = p->tok.col;

		if (next(p))
			return -1;
		if (p->tok.type == T_RPAREN) {
			perr_at(p, ll, lc, "empty list after '%s'", opname[k]);
			return -1;
		}
	}
	return 0;
}

/* A literal that is not null, checked against the operator and field. */
static int cmp_check_literal(struct parser *p, const struct cmp *c,
			     const struct rawlit *rl)
{
	unsigned vl = rl->t.line, vc = rl->t.col;
	enum eql_type ty = c->fr.type;

	if (rl->kind == RL_NUMBER && c->k == K_COLON) {
		perr_at(p, vl, vc, "unsupported construct: ':' with a number");
		return -1;
	}
	if (rl->kind != RL_STRING && (c->pattern || c->regex)) {
		perr_at(p, vl, vc,
			"type mismatch: '%s' needs a string pattern, not a "
			"%s", opname[c->k],
			rl->kind == RL_BOOL ? "boolean" : "number");
		return -1;
	}
	if (rl->kind == RL_BOOL && c->k >= K_LT) {
		perr_at(p, vl, vc, "type mismatch: '%s' needs a number",
			opname[c->k]);
		return -1;
	}
	if (ABSENT(c))
		return 0;
	if (rl->kind == RL_NUMBER && ty != EQL_T_NUMBER) {
		perr_at(p, vl, vc,
			"type mismatch: '%s' is a %s field but %lld is a "
			"number", c->fr.fname,
			ty == EQL_T_BOOL ? "boolean" : "string",
			(long long)rl->t.num);
		return -1;
	}
	if (rl->kind == RL_STRING && ty != EQL_T_STRING && ty != EQL_T_ARRAY) {
		perr_at(p, vl, vc,
			"type mismatch: '%s' is a %s field but the value "
			"is a string", c->fr.fname,
			ty == EQL_T_BOOL ? "boolean" : "number");
		return -1;
	}
	if (rl->kind == RL_BOOL && ty != EQL_T_BOOL) {
		perr_at(p, vl, vc,
			"type mismatch: '%s' is a %s field but the value "
			"is a boolean", c->fr.fname,
			ty == EQL_T_NUMBER ? "number" : "string");
		return -1;
	}
	return 0;
}

static int add_regex(struct parser *p, const struct token *t,
		     const char *pat, size_t n, bool icase, struct eql_lit *l)
{
	struct build *b = p->b;
	char err[256];
	struct eql_regex *re;

	if (!grow((void **)&b->rx, &b->crx, b->nrx + 1, sizeof(*b->rx))) {
		perr_at(p, t->line, t->col, "out of memory");
		return -1;
	}
	re = eql_regex_compile(pat, n, icase, err, sizeof(err));
	if (!re) {
		perr_at(p, t->line, t->col, "%s", err);
		return -1;
	}
	l->num = b->nrx;
	b->rx[b->nrx++] = re;
	return 0;
}

/* Append a checked literal to the pool and the literal array. */
static int cmp_add_literal(struct parser *p, const struct cmp *c,
			   const struct rawlit *rl)
{
	struct eql_lit *l;

	if (!grow((void **)&p->b->lits, &p->b->cl, p->b->nl + 1,
		  sizeof(*p->b->lits))) {
		perr_at(p, rl->t.line, rl->t.col, "out of memory");
		return -1;
	}
	l = &p->b->lits[p->b->nl];
	memset(l, 0, sizeof(*l));
	l->kind = L_EXACT;
	if (rl->kind == RL_NUMBER || rl->kind == RL_BOOL) {
		l->num = rl->t.num;
	} else {
		if (pool_add_string(p, &rl->t, c->icase, &l->off, &l->len))
			return -1;
		/* the pool may have moved; l is in lits, which did not */
		if (c->pattern)
			classify(l, p->b->pool);
		if (c->regex && add_regex(p, &rl->t, p->b->pool + l->off,
					  l->len, c->k == K_REGEX_CI, l))
			return -1;
	}
	p->b->nl++;
	return 0;
}

/*
 * The values of node ni: one literal, or a list closed by ')'. `null`
 * (only alone, with == or !=) turns the node into a presence test.
 */
static int cmp_values(struct parser *p, const struct cmp *c, int64_t ni)
{
	struct rawlit rl;

	for (;;) {
		if (parse_literal(p, &rl, c->fr.fname))
			return -1;
		if (rl.kind == RL_NULL) {
			if (c->is_list || (c->k != K_EQ && c->k != K_NE)) {
				perr_at(p, rl.t.line, rl.t.col,
					"null is only allowed with '==' and "
					"'!='");
				return -1;
			}
			p->b->nodes[ni].op = c->k == K_EQ ? OP_IS_NULL :
							    OP_NOT_NULL;
			return 0;
		}
		if (cmp_check_literal(p, c, &rl) ||
		    cmp_add_literal(p, c, &rl))
			return -1;
		if (!c->is_list)
			return 0;
		if (p->tok.type == T_COMMA) {
			if (next(p))
				return -1;
			continue;
		}
		if (p->tok.type == T_RPAREN)
			return next(p);
		perr_unexpected(p, "',' or ')' in the list");
		return -1;
	}
}

/* Set node ni's operation, flags and cost once its literals are in. */
static void cmp_finish(struct parser *p, const struct cmp *c, int64_t ni,
		       uint32_t first_lit)
{
	struct eql_node *nd = &p->b->nodes[ni];
	bool is_num = false;
	uint32_t i;

	nd->a = first_lit;
	nd->n = p->b->nl - first_lit;
	if (nd->n && !ABSENT(c))
		is_num = c->fr.type == EQL_T_NUMBER;
	else if (nd->n)
		/* an absent field: the literals say what it was compared
		 * with; whatever it is, it reads null */
		is_num = false;
	if (nd->op != OP_IS_NULL && nd->op != OP_NOT_NULL) {
		nd->op = OP_STR;
		if (c->regex)
			nd->op = OP_REGEX;
		else if (!ABSENT(c) && c->fr.type == EQL_T_BOOL)
			nd->op = OP_BOOL_EQ;
		else if (is_num || c->k >= K_LT) {
			switch (c->k) {
			case K_LT: nd->op = OP_LT; break;
			case K_LE: nd->op = OP_LE; break;
			case K_GT: nd->op = OP_GT; break;
			case K_GE: nd->op = OP_GE; break;
			default: nd->op = OP_NUM_EQ; break;
			}
		}
		if (c->icase)
			nd->flags |= CF_ICASE;
		if (c->k == K_NE || c->k == K_NOT_IN || c->k == K_NOT_IN_CI)
			nd->flags |= CF_NEGATE;
	}
	/* Scalars first, argv scans and general patterns later, regexes
	 * last. */
	nd->cost = (c->fr.type == EQL_T_ARRAY ? 8u : 1u) * (nd->n ? nd->n : 1u);
	for (i = 0; i < nd->n; i++) {
		if (p->b->lits[first_lit + i].kind == L_GENERAL)
			nd->cost = sat_add(nd->cost, 4);
		if (c->regex)
			nd->cost = sat_add(nd->cost, 64);
	}
	if (nd->flags & CF_ABSENT)
		nd->cost = 0;
	if (nd->op == OP_STR && nd->n) {
		uint64_t m = 0;

		for (i = 0; i < nd->n; i++) {
			const struct eql_lit *l = &p->b->lits[first_lit + i];

			if (l->kind != L_EXACT) {
				m = 0;
				break;
			}
			m |= (uint64_t)1 << (l->len < 63 ? l->len : 63);
		}
		nd->lenmask = m;
	}
}

/* field op value: one comparison node. */
static int64_t parse_cmp(struct parser *p)
{
	struct cmp c;
	uint32_t first_lit;
	int64_t ni;

	memset(&c, 0, sizeof(c));
	if (parse_fref(p, &c.fr))
		return -1;
	if (cmp_operator(p, &c) || cmp_check_types(p, &c) || next(p) ||
	    cmp_open_values(p, &c))
		return -1;
	ni = new_node(p, N_CMP);
	if (ni < 0 || node_field(p, ni, &c.fr, false))
		return -1;
	first_lit = p->b->nl;
	if (cmp_values(p, &c, ni))
		return -1;
	cmp_finish(p, &c, ni, first_lit);
	return ni;
}

/* ---- functions ------------------------------------------------------------ */

enum func { F_LENGTH, F_STARTS, F_ENDS, F_CONTAINS };

static const struct {
	const char *name; /* lower case: EQL function names ignore case */
	enum func f;
} funcs[] = {
	{ "length", F_LENGTH },
	{ "startswith", F_STARTS },
	{ "endswith", F_ENDS },
	{ "stringcontains", F_CONTAINS },
};

static int expect(struct parser *p, enum tok t, const char *what)
{
	if (p->tok.type != t) {
		perr_unexpected(p, what);
		return -1;
	}
	return next(p);
}

/* length(field) op number: a comparison of the length (UTF-16 units, as
 * Java's String.length() that Elasticsearch runs). */
static int64_t parse_length(struct parser *p, const struct fref *r,
			    int64_t ni)
{
	struct eql_node *nd;
	struct rawlit rl;
	enum tok op = p->tok.type;
	struct eql_lit *l;

	if (r->f >= 0 && r->type != EQL_T_STRING) {
		perr_at(p, r->t.line, r->t.col,
			"unsupported construct: length() of the %s field '%s'",
			r->type == EQL_T_ARRAY ? "array" : "non-string",
			r->fname);
		return -1;
	}
	if (op != T_EQ && op != T_NE && op != T_LT && op != T_LE &&
	    op != T_GT && op != T_GE) {
		perr_unexpected(p, "a comparison after length()");
		return -1;
	}
	if (next(p) || parse_literal(p, &rl, "length()"))
		return -1;
	if (rl.kind != RL_NUMBER) {
		perr_at(p, rl.t.line, rl.t.col,
			"type mismatch: length() is a number");
		return -1;
	}
	if (!grow((void **)&p->b->lits, &p->b->cl, p->b->nl + 1,
		  sizeof(*p->b->lits))) {
		perr_at(p, rl.t.line, rl.t.col, "out of memory");
		return -1;
	}
	l = &p->b->lits[p->b->nl];
	memset(l, 0, sizeof(*l));
	l->num = rl.t.num;
	nd = &p->b->nodes[ni];
	nd->a = p->b->nl++;
	nd->n = 1;
	nd->flags |= CF_LENGTH;
	nd->op = op == T_EQ ? OP_NUM_EQ : op == T_NE ? OP_NUM_NE :
		 op == T_LT ? OP_LT : op == T_LE ? OP_LE :
		 op == T_GT ? OP_GT : OP_GE;
	nd->cost = 2;
	return ni;
}

/* startsWith, endsWith, stringContains: (field, "string" or field). */
static int64_t parse_strfunc(struct parser *p, enum func fn, bool ci,
			     const struct fref *r, int64_t ni)
{
	struct eql_node *nd;
	struct fref r2;
	struct rawlit rl;
	struct cmp c;

	if (r->f >= 0 && r->type != EQL_T_STRING && r->type != EQL_T_ARRAY) {
		perr_at(p, r->t.line, r->t.col,
			"type mismatch: '%s' is not a string field", r->fname);
		return -1;
	}
	if (expect(p, T_COMMA, "',' and a second argument"))
		return -1;
	nd = &p->b->nodes[ni];
	nd->op = fn == F_STARTS ? OP_STARTS : fn == F_ENDS ? OP_ENDS :
				   OP_CONTAINS;
	if (ci)
		nd->flags |= CF_ICASE;
	if (p->tok.type == T_IDENT) {
		if (parse_fref(p, &r2))
			return -1;
		if (r2.f >= 0 && r2.type != EQL_T_STRING) {
			perr_at(p, r2.t.line, r2.t.col,
				"unsupported construct: '%s' as a function's "
				"second argument (a string field or a string)",
				r2.fname);
			return -1;
		}
		if (node_field(p, ni, &r2, true))
			return -1;
		nd = &p->b->nodes[ni];
		nd->flags |= CF_FIELD2;
		nd->a = p->b->nl;
		nd->n = 0;
	} else {
		memset(&c, 0, sizeof(c));
		c.icase = ci;
		if (parse_literal(p, &rl, r->fname))
			return -1;
		if (rl.kind != RL_STRING) {
			perr_at(p, rl.t.line, rl.t.col,
				"type mismatch: the second argument must be a "
				"string");
			return -1;
		}
		nd->a = p->b->nl;
		if (cmp_add_literal(p, &c, &rl))
			return -1;
		nd = &p->b->nodes[ni];
		nd->n = 1;
	}
	nd->cost = (r->f >= 0 && r->type == EQL_T_ARRAY) ? 8u : 2u;
	if (expect(p, T_RPAREN, "')' after the function's arguments"))
		return -1;
	/* f(...) == true / != false, as EQL allows */
	if (p->tok.type == T_EQ || p->tok.type == T_NE) {
		bool ne = p->tok.type == T_NE;

		if (next(p))
			return -1;
		if (p->tok.type != T_TRUE && p->tok.type != T_FALSE) {
			perr_unexpected(p, "true or false after the function");
			return -1;
		}
		if ((p->tok.type == T_FALSE) != ne) {
			int64_t n = new_node(p, N_NOT);

			if (n < 0)
				return -1;
			p->b->nodes[n].a = (uint32_t)ni;
			p->b->nodes[n].cost = p->b->nodes[ni].cost;
			ni = n;
		}
		if (next(p))
			return -1;
	}
	return ni;
}

static int64_t parse_func(struct parser *p)
{
	struct token ft = p->tok;
	size_t n = ft.cend - ft.cstart, i;
	struct fref r;
	int64_t ni;
	char lname[24];

	for (i = 0; i < n && i + 1 < sizeof(lname); i++)
		lname[i] = (char)eql_lower((unsigned char)p->s[ft.cstart + i]);
	lname[i] = '\0';
	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (n == strlen(funcs[i].name) &&
		    strcmp(lname, funcs[i].name) == 0)
			break;
	if (i == sizeof(funcs) / sizeof(funcs[0])) {
		perr_at(p, ft.line, ft.col,
			"unsupported construct: function call '%.*s()'",
			(int)(n > 64 ? 64 : n), p->s + ft.cstart);
		return -1;
	}
	if (funcs[i].f == F_LENGTH && ft.func_ci) {
		perr_at(p, ft.line, ft.col, "length() has no '~' form");
		return -1;
	}
	if (next(p) || expect(p, T_LPAREN, "'('"))
		return -1;
	if (p->tok.type != T_IDENT) {
		perr_unexpected(p, "a field name as the first argument");
		return -1;
	}
	if (parse_fref(p, &r))
		return -1;
	ni = new_node(p, N_CMP);
	if (ni < 0 || node_field(p, ni, &r, false))
		return -1;
	if (funcs[i].f == F_LENGTH) {
		if (expect(p, T_RPAREN, "')' after length's argument"))
			return -1;
		return parse_length(p, &r, ni);
	}
	return parse_strfunc(p, funcs[i].f, ft.func_ci, &r, ni);
}

static int64_t parse_primary(struct parser *p)
{
	char d[64];

	switch (p->tok.type) {
	case T_LPAREN: {
		unsigned l = p->tok.line, c = p->tok.col;
		int64_t e;

		if (++p->depth > EQL_MAX_DEPTH) {
			perr_at(p, l, c, "nesting deeper than %d",
				EQL_MAX_DEPTH);
			return -1;
		}
		if (next(p))
			return -1;
		e = parse_or(p);
		if (e < 0)
			return -1;
		if (p->tok.type != T_RPAREN) {
			char what[96];

			snprintf(what, sizeof(what),
				 "')' to close '(' at line %u, column %u", l, c);
			perr_unexpected(p, what);
			return -1;
		}
		p->depth--;
		if (next(p))
			return -1;
		return e;
	}
	case T_IDENT:
		if (!p->tok.optional && peek_type(p) == T_LPAREN)
			return parse_func(p);
		return parse_cmp(p);
	case T_UNSUPPORTED:
		tok_desc(p, &p->tok, d, sizeof(d));
		perr_at(p, p->tok.line, p->tok.col, "unsupported construct %s",
			d);
		return -1;
	case T_TRUE:
	case T_FALSE:
		tok_desc(p, &p->tok, d, sizeof(d));
		perr_at(p, p->tok.line, p->tok.col,
			"unsupported construct: boolean literal %s as a "
			"condition", d);
		return -1;
	case T_PIPE:
		perr_at(p, p->tok.line, p->tok.col,
			"unsupported construct: pipe '|'");
		return -1;
	case T_STRING:
	case T_RAWSTRING:
	case T_NUMBER:
	case T_NULL:
		perr_at(p, p->tok.line, p->tok.col,
			"a comparison must start with a field name, not a "
			"value");
		return -1;
	default:
		perr_unexpected(p, "a field name, 'not' or '('");
		return -1;
	}
}

static int64_t parse_not(struct parser *p)
{
	int64_t c, n;

	if (p->tok.type != T_NOT)
		return parse_primary(p);
	if (++p->depth > EQL_MAX_DEPTH) {
		perr_at(p, p->tok.line, p->tok.col, "nesting deeper than %d",
			EQL_MAX_DEPTH);
		return -1;
	}
	if (next(p))
		return -1;
	c = parse_not(p);
	if (c < 0)
		return -1;
	p->depth--;
	n = new_node(p, N_NOT);
	if (n < 0)
		return -1;
	p->b->nodes[n].a = (uint32_t)c;
	p->b->nodes[n].cost = p->b->nodes[c].cost;
	return n;
}

/* One level of n-ary AND or OR over `sub`. */
static int64_t parse_nary(struct parser *p, enum tok optok,
			  enum eql_node_type type, int64_t (*sub)(struct parser *))
{
	int64_t first, n, c;
	uint32_t last, count = 1;

	first = sub(p);
	if (first < 0 || p->tok.type != optok)
		return first;
	n = new_node(p, type);
	if (n < 0)
		return -1;
	p->b->nodes[n].a = (uint32_t)first;
	last = (uint32_t)first;
	while (p->tok.type == optok) {
		if (next(p))
			return -1;
		c = sub(p);
		if (c < 0)
			return -1;
		p->b->nodes[last].next = (uint32_t)c;
		last = (uint32_t)c;
		count++;
	}
	p->b->nodes[n].n = count;
	sort_children(p->b->nodes, (uint32_t)n);
	return n;
}

static int64_t parse_and(struct parser *p)
{
	return parse_nary(p, T_AND, N_AND, parse_not);
}

static int64_t parse_or(struct parser *p)
{
	return parse_nary(p, T_OR, N_OR, parse_and);
}

static int parser_init(struct parser *p, const char *text, size_t len,
		       char *err, size_t errlen, struct build *b)
{
	memset(p, 0, sizeof(*p));
	p->s = text;
	p->len = len;
	p->line = 1;
	p->col = 1;
	p->err = err;
	p->errlen = errlen;
	p->b = b;
	if (err && errlen)
		err[0] = '\0';
	if (!text && len) {
		set_err(err, errlen, "query text is NULL");
		return -1;
	}
	if (len > EQL_MAX_QUERY_BYTES) {
		if (err && errlen)
			snprintf(err, errlen,
				 "query too long: %zu bytes (limit %u)", len,
				 EQL_MAX_QUERY_BYTES);
		return -1;
	}
	if (len && memchr(text, '\0', len)) {
		size_t at = (size_t)((const char *)memchr(text, '\0', len) -
				     text);

		/* Find line/column of the NUL for the message. */
		p->pos = 0;
		while (p->pos < at)
			adv(p);
		perr_at(p, p->line, p->col, "unexpected NUL byte in query");
		return -1;
	}
	return next(p);
}

/* Everything parsed: the next token must be the end. */
static int expect_eof(struct parser *p)
{
	char d[64];

	if (p->tok.type == T_EOF)
		return 0;
	if (p->tok.type == T_PIPE) {
		perr_at(p, p->tok.line, p->tok.col,
			"unsupported construct: pipe '|'");
		return -1;
	}
	tok_desc(p, &p->tok, d, sizeof(d));
	if (p->tok.type == T_UNSUPPORTED)
		perr_at(p, p->tok.line, p->tok.col, "unsupported construct %s",
			d);
	else
		perr_at(p, p->tok.line, p->tok.col,
			"unexpected %s after the end of the expression", d);
	return -1;
}

static void build_free(struct build *b)
{
	for (uint32_t i = b->rx_borrowed; i < b->nrx; i++)
		eql_regex_free(b->rx[i]);
	free(b->rx);
	free(b->nodes);
	free(b->lits);
	free(b->pool);
	memset(b, 0, sizeof(*b));
}

/* Pack the builder into one block and point q at it. */
static int finalize(struct build *b, uint32_t root, struct eql_query *q)
{
	size_t lsz = (size_t)b->nl * sizeof(struct eql_lit);
	size_t nsz = (size_t)b->nn * sizeof(struct eql_node);
	char *blk;

	/* lits (8-aligned) first, then nodes (4-aligned, lsz is a multiple
	 * of 8), then the byte pool. */
	blk = malloc(lsz + nsz + b->pl + 1);
	if (!blk)
		return -1;
	if (lsz)
		memcpy(blk, b->lits, lsz);
	memcpy(blk + lsz, b->nodes, nsz);
	if (b->pl)
		memcpy(blk + lsz + nsz, b->pool, b->pl);
	free(q->block);
	q->block = blk;
	q->lits = (const struct eql_lit *)(void *)blk;
	q->nodes = (const struct eql_node *)(void *)(blk + lsz);
	q->pool = blk + lsz + nsz;
	q->nnodes = b->nn;
	q->nlits = b->nl;
	q->pool_len = b->pl;
	q->root = root;
	for (size_t i = 0; i < EQL_FIELDS_MAX / 64; i++)
		q->uses[i] |= b->uses[i];
	/* the regexes move to q: the builder no longer owns any */
	free(q->rx);
	q->rx = b->rx;
	q->nrx = b->nrx;
	b->rx = NULL;
	b->nrx = b->crx = b->rx_borrowed = 0;
	return 0;
}

struct eql_query *eql_compile(const char *text, size_t len, char *err,
			      size_t errlen)
{
	struct build b = { 0 };
	struct parser p;
	struct eql_query *q = NULL;
	int64_t root = -1;
	char d[64];

	if (parser_init(&p, text, len, err, errlen, &b))
		goto out;
	if (p.tok.type == T_EOF) {
		perr_at(&p, p.tok.line, p.tok.col,
			"empty query (expected 'process where ...')");
		goto out;
	}
	if (p.tok.type == T_UNSUPPORTED) {
		tok_desc(&p, &p.tok, d, sizeof(d));
		perr_at(&p, p.tok.line, p.tok.col, "unsupported construct %s",
			d);
		goto out;
	}
	if (p.tok.type != T_IDENT ||
	    !word_eq_ci(text + p.tok.cstart, p.tok.cend - p.tok.cstart,
			"process")) {
		tok_desc(&p, &p.tok, d, sizeof(d));
		perr_at(&p, p.tok.line, p.tok.col,
			"unsupported event category %s (only 'process where "
			"...' is supported)", d);
		goto out;
	}
	if (next(&p))
		goto out;
	if (p.tok.type != T_WHERE) {
		perr_unexpected(&p, "'where' after 'process'");
		goto out;
	}
	if (next(&p))
		goto out;
	root = parse_or(&p);
	if (root < 0 || expect_eof(&p))
		goto out;
	q = calloc(1, sizeof(*q));
	if (!q || finalize(&b, (uint32_t)root, q)) {
		free(q);
		q = NULL;
		set_err(err, errlen, "out of memory");
	}
out:
	build_free(&b);
	return q;
}

void eql_free(struct eql_query *q)
{
	if (!q)
		return;
	for (uint32_t i = 0; i < q->nrx; i++)
		eql_regex_free(q->rx[i]);
	free(q->rx);
	free(q->block);
	free(q);
}

/* Load a compiled query back into a builder (fresh copies). */
static int build_from_query(struct build *b, const struct eql_query *q)
{
	memset(b, 0, sizeof(*b));
	if (!grow((void **)&b->nodes, &b->cn, q->nnodes + 2,
		  sizeof(*b->nodes)) ||
	    (q->nlits && !grow((void **)&b->lits, &b->cl, q->nlits,
			       sizeof(*b->lits))))
		return -1;
	memcpy(b->nodes, q->nodes, (size_t)q->nnodes * sizeof(*b->nodes));
	b->nn = q->nnodes;
	if (q->nlits)
		memcpy(b->lits, q->lits, (size_t)q->nlits * sizeof(*b->lits));
	b->nl = q->nlits;
	if (q->pool_len) {
		b->pool = malloc(q->pool_len);
		if (!b->pool)
			return -1;
		memcpy(b->pool, q->pool, q->pool_len);
		b->pl = b->pc = q->pool_len;
	}
	/* The query's regexes, borrowed: a failure frees none of them. */
	if (q->nrx) {
		if (!grow((void **)&b->rx, &b->crx, q->nrx, sizeof(*b->rx)))
			return -1;
		memcpy(b->rx, q->rx, (size_t)q->nrx * sizeof(*b->rx));
		b->nrx = b->rx_borrowed = q->nrx;
	}
	return 0;
}

int eql_add_exception(struct eql_query *q, const char *text, size_t len,
		      char *err, size_t errlen)
{
	struct build b;
	struct parser p;
	int64_t exc, notn, andn;
	uint32_t root;
	int rc = -1;

	if (!q) {
		set_err(err, errlen, "no query to add an exception to");
		return -1;
	}
	/* Work on a copy so that a failure leaves q as it was, and the
	 * result is again one block. */
	if (build_from_query(&b, q)) {
		set_err(err, errlen, "out of memory");
		goto out;
	}
	if (parser_init(&p, text, len, err, errlen, &b))
		goto out;
	if (p.tok.type == T_EOF) {
		perr_at(&p, p.tok.line, p.tok.col, "empty exception");
		goto out;
	}
	exc = parse_or(&p);
	if (exc < 0 || expect_eof(&p))
		goto out;
	notn = new_node(&p, N_NOT);
	if (notn < 0)
		goto out;
	b.nodes[notn].a = (uint32_t)exc;
	b.nodes[notn].cost = b.nodes[exc].cost;
	root = q->root;
	if (b.nodes[root].type == N_AND) {
		/* q is already a conjunction: one more operand keeps the
		 * tree flat however many exceptions are added. */
		uint32_t c = b.nodes[root].a;

		while (b.nodes[c].next != EQL_NONE)
			c = b.nodes[c].next;
		b.nodes[c].next = (uint32_t)notn;
		b.nodes[root].n++;
	} else {
		andn = new_node(&p, N_AND);
		if (andn < 0)
			goto out;
		b.nodes[andn].a = root;
		b.nodes[andn].n = 2;
		b.nodes[root].next = (uint32_t)notn;
		root = (uint32_t)andn;
	}
	sort_children(b.nodes, root);
	if (finalize(&b, root, q)) {
		set_err(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	build_free(&b);
	return rc;
}

/* ---- evaluation -------------------------------------------------------- */

static bool eq_fold(const char *s, const char *lowpat, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (eql_lower((unsigned char)s[i]) != (unsigned char)lowpat[i])
			return false;
	return true;
}

static inline bool bytes_eq(const char *s, const char *p, size_t n,
			    bool icase)
{
	return icase ? eq_fold(s, p, n) : memcmp(s, p, n) == 0;
}

/* Whether lowpat[0..k) occurs in s[0..n) (folding s when icase; the
 * pattern is then lower-case already). */
bool eql_contains(const char *s, size_t n, const char *pat, size_t k,
		  bool icase)
{
	const char *p, *end;
	unsigned char c0, c1;

	if (k > n)
		return false;
	if (k == 0)
		return true;
	if (!icase)
		return memmem(s, n, pat, k) != NULL;
	c0 = (unsigned char)pat[0];
	c1 = (c0 >= 'a' && c0 <= 'z') ? (unsigned char)(c0 - 32) : c0;
	end = s + n - k;
	if (c0 == c1) {
		/* no case to fold in the first byte: memchr finds it */
		for (p = s; p <= end; p++) {
			p = memchr(p, c0, (size_t)(end - p) + 1);
			if (!p)
				return false;
			if (eq_fold(p + 1, pat + 1, k - 1))
				return true;
		}
		return false;
	}
	for (p = s; p <= end; p++)
		if (((unsigned char)*p == c0 || (unsigned char)*p == c1) &&
		    eq_fold(p + 1, pat + 1, k - 1))
			return true;
	return false;
}

static bool lit_match(const struct eql_lit *l, const char *pool, const char *s,
		      size_t n, bool icase)
{
	const char *t = pool + l->off;

	switch (l->kind) {
	case L_EXACT:
		return n == l->len && bytes_eq(s, t, n, icase);
	case L_PREFIX:
		return n >= l->len && bytes_eq(s, t, l->len, icase);
	case L_SUFFIX:
		return n >= l->len &&
		       bytes_eq(s + n - l->len, t, l->len, icase);
	case L_CONTAINS:
		return eql_contains(s, n, t, l->len, icase);
	default:
		return wildcard_match(t, l->len, s, n, icase);
	}
}

static bool any_lit(const struct eql_query *q, const struct eql_node *nd,
		    const char *s, size_t n)
{
	bool icase = nd->flags & CF_ICASE;
	uint32_t i;

	if (nd->lenmask && !((nd->lenmask >> (n < 63 ? n : 63)) & 1u))
		return false;
	if (nd->op == OP_REGEX) {
		for (i = 0; i < nd->n; i++)
			if (eql_regex_match(q->rx[q->lits[nd->a + i].num], s, n))
				return true;
		return false;
	}
	for (i = 0; i < nd->n; i++)
		if (lit_match(&q->lits[nd->a + i], q->pool, s, n, icase))
			return true;
	return false;
}

static bool present(const struct eql_value *v)
{
	switch (v->kind) {
	case EQL_STRING:
		return v->s != NULL;
	case EQL_NUMBER:
	case EQL_BOOL:
		return true;
	case EQL_ARRAY:
		/* An empty array indexes no value: Elasticsearch sees it as
		 * missing (exists fails). */
		return v->arr && v->arr->argc > 0;
	default:
		return false;
	}
}

static const struct eql_value missing_value;

static inline const struct eql_value *field_of(const struct eql_node *nd,
					       const struct eql_event *ev)
{
	return (nd->flags & CF_ABSENT) ? &missing_value : &ev->f[nd->field];
}

/* Java's String.length() of UTF-8 text: UTF-16 units, each byte that
 * starts no valid sequence one unit (read as U+FFFD). */
static int64_t utf16_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	int64_t units = 0;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i], k = 0, j;

		if (c < 0x80) {
			i++;
			units++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			k = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			k = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			k = 4;
		for (j = 1; k && j < k; j++)
			if (i + j >= n || (p[i + j] & 0xC0) != 0x80)
				k = 0;
		if (k == 3 && ((c == 0xE0 && p[i + 1] < 0xA0) ||
			       (c == 0xED && p[i + 1] > 0x9F)))
			k = 0;
		if (k == 4 && ((c == 0xF0 && p[i + 1] < 0x90) ||
			       (c == 0xF4 && p[i + 1] > 0x8F)))
			k = 0;
		units += k == 4 ? 2 : 1;
		i += k ? k : 1;
	}
	return units;
}

static bool fold_eq2(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (eql_lower((unsigned char)a[i]) != eql_lower((unsigned char)b[i]))
			return false;
	return true;
}

/* One string function on s with x: startsWith / endsWith / contains. */
static bool str_func(uint8_t op, bool icase, const char *s, size_t n,
		     const char *x, size_t xn)
{
	size_t i;

	if (xn > n)
		return false;
	switch (op) {
	case OP_STARTS:
		return icase ? fold_eq2(s, x, xn) : memcmp(s, x, xn) == 0;
	case OP_ENDS:
		return icase ? fold_eq2(s + n - xn, x, xn) :
			       memcmp(s + n - xn, x, xn) == 0;
	default:
		if (!icase)
			return xn == 0 || memmem(s, n, x, xn) != NULL;
		for (i = 0; i + xn <= n; i++)
			if (fold_eq2(s + i, x, xn))
				return true;
		return false;
	}
}

static bool eval_func(const struct eql_query *q, const struct eql_node *nd,
		      const struct eql_event *ev, const struct eql_value *v)
{
	bool icase = nd->flags & CF_ICASE;
	const char *x;
	size_t xn;
	uint32_t i;

	if (nd->flags & CF_FIELD2) {
		const struct eql_value *w = (nd->flags & CF_ABSENT2) ?
			&missing_value : &ev->f[nd->field2];

		if (w->kind != EQL_STRING || !w->s)
			return false;
		x = w->s;
		xn = w->n;
	} else {
		x = q->pool + q->lits[nd->a].off;
		xn = q->lits[nd->a].len;
	}
	if (v->kind == EQL_STRING && v->s)
		return str_func(nd->op, icase, v->s, v->n, x, xn);
	if (v->kind == EQL_ARRAY && v->arr)
		for (i = 0; i < v->arr->argc; i++)
			if (str_func(nd->op, icase, v->arr->v[i].ptr,
				     v->arr->v[i].len, x, xn))
				return true;
	return false;
}

static bool eval_cmp(const struct eql_query *q, const struct eql_node *nd,
		     const struct eql_event *ev)
{
	const struct eql_value *v = field_of(nd, ev);
	bool hit = false;
	int64_t num;
	uint32_t i;

	switch (nd->op) {
	case OP_IS_NULL:
		return !present(v);
	case OP_NOT_NULL:
		return present(v);
	case OP_STARTS:
	case OP_ENDS:
	case OP_CONTAINS:
		return eval_func(q, nd, ev, v);
	case OP_STR:
	case OP_REGEX:
		/* Strings and arrays are interchangeable: a string is an
		 * array of one. A number given for a string field reads as
		 * missing. */
		if (v->kind == EQL_STRING && v->s) {
			hit = any_lit(q, nd, v->s, v->n);
		} else if (v->kind == EQL_ARRAY && v->arr) {
			for (i = 0; i < v->arr->argc && !hit; i++)
				hit = any_lit(q, nd, v->arr->v[i].ptr,
					      v->arr->v[i].len);
		}
		break;
	case OP_BOOL_EQ:
		if (v->kind != EQL_BOOL)
			break;
		for (i = 0; i < nd->n && !hit; i++)
			hit = (q->lits[nd->a + i].num != 0) == (v->num != 0);
		break;
	default:
		if (nd->flags & CF_LENGTH) {
			/* a script upstream: null in, null (false) out */
			if (v->kind != EQL_STRING || !v->s)
				return false;
			num = utf16_len(v->s, v->n);
		} else if (v->kind == EQL_NUMBER) {
			num = v->num;
		} else {
			break; /* missing (or not a number): no match */
		}
		for (i = 0; i < nd->n && !hit; i++) {
			int64_t x = q->lits[nd->a + i].num;

			switch (nd->op) {
			case OP_NUM_EQ: hit = num == x; break;
			case OP_NUM_NE: hit = num != x; break;
			case OP_LT: hit = num < x; break;
			case OP_LE: hit = num <= x; break;
			case OP_GT: hit = num > x; break;
			case OP_GE: hit = num >= x; break;
			default: break;
			}
		}
		break;
	}
	/* `!=` and `not in` are must_not queries upstream: true when nothing
	 * matched, including when the field is missing (see the top). */
	return (nd->flags & CF_NEGATE) ? !hit : hit;
}

/* Recursion depth is bounded by the parser's nesting limit: AND/OR
 * siblings are walked in a loop, not recursed. */
static bool eval_node(const struct eql_query *q, uint32_t idx,
		      const struct eql_event *ev)
{
	const struct eql_node *nd = &q->nodes[idx];
	uint32_t c;

	switch (nd->type) {
	case N_AND:
		for (c = nd->a; c != EQL_NONE; c = q->nodes[c].next)
			if (!eval_node(q, c, ev))
				return false;
		return true;
	case N_OR:
		for (c = nd->a; c != EQL_NONE; c = q->nodes[c].next)
			if (eval_node(q, c, ev))
				return true;
		return false;
	case N_NOT:
		return !eval_node(q, nd->a, ev);
	case N_CONST:
		return nd->op;
	default:
		return eval_cmp(q, nd, ev);
	}
}

bool eql_eval(const struct eql_query *q, const struct eql_event *ev)
{
	if (!q || !ev)
		return false;
	return eval_node(q, q->root, ev);
}

bool eql_query_uses(const struct eql_query *q, unsigned f)
{
	if (!q || f >= EQL_FIELDS_MAX)
		return false;
	return (q->uses[f / 64] >> (f % 64)) & 1u;
}

/* ---- what a query needs, known before any event ----------------------- */

enum tv { TV_F, TV_T, TV_U };

/* The event as every exec has it: the constant rows filled, the others
 * missing; known[f] says which rows are constant. */
struct const_view {
	struct eql_event ev;
	bool known[EQL_FIELDS_MAX];
};

static void const_view_init(struct const_view *cv)
{
	memset(cv, 0, sizeof(*cv));
	for (unsigned i = 0; i < ecs_nfields; i++)
		if (ecs_fields[i].flags & ECS_CONSTANT) {
			ecs_fields[i].fill(NULL, NULL, &cv->ev.f[i]);
			cv->known[i] = true;
		}
}

static bool node_known(const struct eql_node *nd, const struct const_view *cv)
{
	bool k1 = (nd->flags & CF_ABSENT) || cv->known[nd->field];
	bool k2 = !(nd->flags & CF_FIELD2) || (nd->flags & CF_ABSENT2) ||
		  cv->known[nd->field2];

	return k1 && k2;
}

static enum tv tri(const struct eql_query *q, uint32_t idx,
		   const struct const_view *cv)
{
	const struct eql_node *nd = &q->nodes[idx];
	enum tv r, c;
	uint32_t ch;

	switch (nd->type) {
	case N_AND:
	case N_OR:
		r = nd->type == N_AND ? TV_T : TV_F;
		for (ch = nd->a; ch != EQL_NONE; ch = q->nodes[ch].next) {
			c = tri(q, ch, cv);
			if (c == (nd->type == N_AND ? TV_F : TV_T))
				return c;
			if (c == TV_U)
				r = TV_U;
		}
		return r;
	case N_NOT:
		c = tri(q, nd->a, cv);
		return c == TV_U ? TV_U : c == TV_T ? TV_F : TV_T;
	case N_CONST:
		return nd->op ? TV_T : TV_F;
	default:
		if (!node_known(nd, cv))
			return TV_U;
		return eval_cmp(q, nd, &cv->ev) ? TV_T : TV_F;
	}
}

static void add_reason(char *buf, size_t cap, const char *r)
{
	size_t n = strlen(buf);

	if (strstr(buf, r))
		return;
	snprintf(buf + n, cap - n, "%s%s", n ? "; " : "", r);
}

static void field_reason(const struct eql_query *q, const struct eql_node *nd,
			 const struct const_view *cv, char *buf, size_t cap)
{
	char r[320], name[80];
	const char *why;

	if (nd->flags & (CF_ABSENT | CF_ABSENT2)) {
		snprintf(name, sizeof(name), "%.*s", (int)nd->alen,
			 q->pool + nd->aoff);
		why = ecs_absent_reason(name, strlen(name));
		snprintf(r, sizeof(r), "needs %s (%s)", name,
			 why ? why : "a field this program does not know");
		add_reason(buf, cap, r);
		if (!(nd->flags & CF_ABSENT) && cv->known[nd->field]) {
			/* both fields decide it; the absent one says why */
		}
		return;
	}
	if (cv->known[nd->field]) {
		const struct eql_value *v = &cv->ev.f[nd->field];

		snprintf(r, sizeof(r), "needs %s other than \"%.*s\" (every audited exec has that)",
			 ecs_fields[nd->field].name, (int)v->n, v->s ? v->s : "");
		add_reason(buf, cap, r);
	}
}

/* Why node idx evaluates to `got` whatever the event. */
static void why(const struct eql_query *q, uint32_t idx, enum tv got,
		const struct const_view *cv, char *buf, size_t cap)
{
	const struct eql_node *nd = &q->nodes[idx];
	uint32_t ch;

	switch (nd->type) {
	case N_AND:
	case N_OR:
		/* all children decide (AND true, OR false) or the first
		 * that does (AND false, OR true) */
		for (ch = nd->a; ch != EQL_NONE; ch = q->nodes[ch].next) {
			if ((nd->type == N_AND) == (got == TV_T)) {
				why(q, ch, got, cv, buf, cap);
			} else if (tri(q, ch, cv) == got) {
				why(q, ch, got, cv, buf, cap);
				return;
			}
		}
		return;
	case N_NOT:
		why(q, nd->a, got == TV_T ? TV_F : TV_T, cv, buf, cap);
		return;
	default:
		field_reason(q, nd, cv, buf, cap);
		return;
	}
}

bool eql_query_never(const struct eql_query *q, char *buf, size_t cap)
{
	struct const_view *cv;
	bool never;

	if (cap)
		buf[0] = '\0';
	if (!q)
		return false;
	cv = malloc(sizeof(*cv));
	if (!cv)
		return false;
	const_view_init(cv);
	never = tri(q, q->root, cv) == TV_F;
	if (never && cap)
		why(q, q->root, TV_F, cv, buf, cap);
	free(cv);
	return never;
}

size_t eql_query_absent(const struct eql_query *q, char *buf, size_t cap)
{
	char name[80], r[320];
	size_t count = 0;

	if (cap)
		buf[0] = '\0';
	for (uint32_t i = 0; q && i < q->nnodes; i++) {
		const struct eql_node *nd = &q->nodes[i];
		const char *w;

		if (nd->type != N_CMP || !(nd->flags & (CF_ABSENT | CF_ABSENT2)))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)nd->alen,
			 q->pool + nd->aoff);
		w = ecs_absent_reason(name, strlen(name));
		snprintf(r, sizeof(r), "%s (%s)", name,
			 w ? w : "unknown here: ?field reads null");
		if (cap && strstr(buf, r))
			continue;
		count++;
		if (cap)
			add_reason(buf, cap, r);
	}
	return count;
}

/*
 * Fold what node idx decided before any event into the tree: an AND with
 * a false operand, an OR with a true one, a NOT over a constant become
 * constants; operands that cannot change their parent's value are
 * unlinked; a parent left with one operand takes its place. Siblings are
 * sorted again by their new costs. Recursion depth is the tree's, which
 * the parser bounds.
 */
static void simplify(struct eql_node *nodes, uint32_t idx)
{
	struct eql_node *nd = &nodes[idx];
	uint32_t c, *link, kept = 0;
	bool is_and;

	switch (nd->type) {
	case N_NOT:
		simplify(nodes, nd->a);
		if (nodes[nd->a].type == N_CONST) {
			nd->op = !nodes[nd->a].op;
			nd->type = N_CONST;
			nd->cost = 0;
		} else {
			nd->cost = nodes[nd->a].cost;
		}
		return;
	case N_AND:
	case N_OR:
		is_and = nd->type == N_AND;
		link = &nd->a;
		while ((c = *link) != EQL_NONE) {
			simplify(nodes, c);
			if (nodes[c].type != N_CONST) {
				kept++;
				link = &nodes[c].next;
			} else if ((bool)nodes[c].op == is_and) {
				*link = nodes[c].next; /* true under AND */
			} else {
				nd->type = N_CONST;    /* false under AND */
				nd->op = !is_and;
				nd->cost = 0;
				return;
			}
		}
		if (kept == 0) {
			nd->type = N_CONST;
			nd->op = is_and;
			nd->cost = 0;
		} else if (kept == 1) {
			uint32_t next = nd->next;

			*nd = nodes[nd->a];
			nd->next = next;
		} else {
			nd->n = kept;
			sort_children(nodes, idx);
		}
		return;
	default:
		return;
	}
}

void eql_query_fold_constants(struct eql_query *q)
{
	struct const_view *cv = malloc(sizeof(*cv));
	struct eql_node *nodes = (struct eql_node *)(uintptr_t)q->nodes;

	if (!cv)
		return; /* they are then compared per exec, as before */
	const_view_init(cv);
	for (uint32_t i = 0; i < q->nnodes; i++) {
		struct eql_node *nd = &nodes[i];

		if (nd->type != N_CMP || !node_known(nd, cv))
			continue;
		nd->op = eval_cmp(q, nd, &cv->ev);
		nd->type = N_CONST;
		nd->cost = 0;
	}
	free(cv);
	simplify(nodes, q->root);
}
