/*
 * eql_regex.c - Lucene's regular-expression syntax translated to PCRE2 and
 * matched within bounds (see eql_regex.h).
 *
 * The translator mirrors apache/lucene RegExp's recursive-descent parser
 * (parseUnionExp ... parseCharExp) production by production, so its quirks
 * carry over: the first atom of a concatenation may be any character,
 * `|`, `)` and quantifiers included, and stands for itself; `[` inside a
 * class is an ordinary character; `]` right after `[` or `[^` is a member.
 * Every character is written to PCRE2 as \x{...} (letters and digits as
 * themselves), so no PCRE2 metacharacter can leak from the pattern.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eql_regex.h"

#define MAX_NEST 64
#define JIT_STACK_MIN (32u * 1024u)
#define JIT_STACK_MAX (512u * 1024u)
#define HEAP_LIMIT_KIB 4096u
#define DEPTH_LIMIT 10000u

struct eql_regex {
	pcre2_code *code;
	uint32_t options;
	struct eql_regex_lits lits;
};

/* The matcher state shared by every pattern (eql_regex.h: one thread). */
static struct {
	unsigned refs;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jstack;
	pcre2_match_data *md;
	char *buf;            /* a value with invalid UTF-8, repaired */
	size_t bufcap;
	unsigned exec_hits;   /* limit hits in the current exec */
	struct eql_regex_counters c;
} R;

/* ---- translation --------------------------------------------------------- */

struct tr {
	const uint32_t *cp;
	size_t n, pos;
	bool icase;
	char *out;
	size_t len, cap;
	int depth;
	unsigned top_alts;  /* `|` at the top level */
	/* The top level's literal runs (eql_regex_lits): the item being
	 * read (a character or "string", unquantified) and the run of such
	 * items it extends. */
	bool item_lit;
	char item[EQL_REGEX_LIT_MAX];
	size_t nitem;
	bool item_long;
	struct {
		char head[EQL_REGEX_LIT_MAX], tail[EQL_REGEX_LIT_MAX];
		size_t n;   /* the run's length (may exceed the buffers) */
	} run;
	bool at_start;      /* no break since the start: run is the prefix */
	/* the item being read, when it is a class of a few characters */
	char cls[EQL_REGEX_SET_MAX];
	size_t ncls;
	bool cls_ok;
	size_t items;       /* top-level items read */
	struct eql_regex_lits *lits;
	bool failed;
	char *err;
	size_t errlen;
};

static void tfail(struct tr *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tfail(struct tr *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (t->failed)
		return;
	t->failed = true;
	if (!t->err || !t->errlen)
		return;
	k = snprintf(t->err, t->errlen, "regex at character %zu: ", t->pos + 1);
	if (k < 0 || (size_t)k >= t->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(t->err + k, t->errlen - (size_t)k, fmt, ap);
	va_end(ap);
}

static void emit(struct tr *t, const char *s)
{
	size_t k = strlen(s);

	if (t->failed)
		return;
	if (t->len + k + 1 > t->cap) {
		tfail(t, "pattern too long once translated");
		return;
	}
	memcpy(t->out + t->len, s, k + 1);
	t->len += k;
}

static void emit_cp(struct tr *t, uint32_t c)
{
	char b[16];

	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z')) {
		b[0] = (char)c;
		b[1] = '\0';
	} else {
		snprintf(b, sizeof(b), "\\x{%x}", (unsigned)c);
	}
	emit(t, b);
}

static bool is_alpha(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static uint32_t other_case(uint32_t c)
{
	return c >= 'a' && c <= 'z' ? c - 32 : c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* A character outside a class (Lucene REGEXP_CHAR / REGEXP_STRING). */
static void emit_char(struct tr *t, uint32_t c)
{
	/* Only ASCII is kept as literal text: a value's invalid bytes are
	 * matched as U+FFFD, which no ASCII byte becomes. */
	if (c >= 0x80)
		t->item_lit = false;
	else if (t->nitem < EQL_REGEX_LIT_MAX)
		t->item[t->nitem++] = (char)(t->icase && is_alpha(c) ?
					     (c | 0x20) : c);
	else
		t->item_long = true;
	if (t->icase && is_alpha(c)) {
		emit(t, "[");
		emit_cp(t, c);
		emit_cp(t, other_case(c));
		emit(t, "]");
	} else {
		emit_cp(t, c);
	}
}

static bool more(const struct tr *t)
{
	return !t->failed && t->pos < t->n;
}

static bool peek(const struct tr *t, const char *set)
{
	return more(t) && t->cp[t->pos] < 0x80 &&
	       strchr(set, (int)t->cp[t->pos]) != NULL && t->cp[t->pos] != 0;
}

static bool match(struct tr *t, uint32_t c)
{
	if (more(t) && t->cp[t->pos] == c) {
		t->pos++;
		return true;
	}
	return false;
}

static uint32_t next_cp(struct tr *t)
{
	if (!more(t)) {
		tfail(t, "unexpected end of pattern");
		return 0;
	}
	return t->cp[t->pos++];
}

/* Lucene's predefined classes as members of a PCRE2 class. */
static const char *pre_members(uint32_t c)
{
	switch (c) {
	case 'd': case 'D': return "0-9";
	case 's': case 'S': return "\\x{9}\\x{a}\\x{d}\\x{20}";
	default: return "0-9A-Z_a-z";
	}
}

/* matchPredefinedCharacterClass: after a `\`, one of dDsSwW (returned),
 * `\\` (sets *lit), a letter (error) or nothing (0: the caller reads the
 * escaped character). The `\` is consumed in every case, as in Lucene. */
static uint32_t match_predefined(struct tr *t, bool *lit, uint32_t *litc)
{
	*lit = false;
	if (!match(t, '\\'))
		return 0;
	if (peek(t, "dDwWsS"))
		return next_cp(t);
	if (peek(t, "\\")) {
		*lit = true;
		*litc = next_cp(t);
		return 0;
	}
	if (more(t) && is_alpha(t->cp[t->pos])) {
		tfail(t, "invalid character class \\%c",
		      (char)t->cp[t->pos]);
		return 0;
	}
	return 0;
}

/* parseCharExp: an optional `\`, then any character. */
static uint32_t char_exp(struct tr *t)
{
	match(t, '\\');
	return next_cp(t);
}

static void emit_predefined(struct tr *t, uint32_t c)
{
	emit(t, c == 'd' || c == 's' || c == 'w' ? "[" : "[^");
	emit(t, pre_members(c));
	emit(t, "]");
}

static void union_exp(struct tr *t);

/* A class's members, kept while they are a few ASCII characters
 * (eql_regex_lits' sets). */
static void cls_add_range(struct tr *t, uint32_t lo, uint32_t hi)
{
	if (hi >= 0x80 || hi - lo >= EQL_REGEX_SET_MAX ||
	    t->ncls + (hi - lo + 1) > EQL_REGEX_SET_MAX) {
		t->cls_ok = false;
		return;
	}
	for (uint32_t c = lo; c <= hi; c++)
		t->cls[t->ncls++] = (char)(t->icase && is_alpha(c) ? (c | 0x20) : c);
}

static void cls_add_pre(struct tr *t, uint32_t pre)
{
	if (pre == 'd') {
		cls_add_range(t, '0', '9');
	} else if (pre == 's') {
		cls_add_range(t, '\t', '\n');
		cls_add_range(t, '\r', '\r');
		cls_add_range(t, ' ', ' ');
	} else {
		t->cls_ok = false;
	}
}

/* `[` ... `]`, the `[` consumed. */
static void class_exp(struct tr *t)
{
	char pos_part[4096];
	size_t pl = 0;
	char neg_parts[3] = { 0 };
	unsigned nneg = 0;
	bool negate = match(t, '^');
	char b[48];

	t->item_lit = false;
	t->ncls = 0;
	t->cls_ok = !negate;
	pos_part[0] = '\0';
	do {
		bool lit;
		uint32_t litc = 0, pre = match_predefined(t, &lit, &litc);
		uint32_t c, hi;

		if (t->failed)
			return;
		if (pre) {
			if (pre == 'd' || pre == 's' || pre == 'w') {
				snprintf(b, sizeof(b), "%s", pre_members(pre));
				cls_add_pre(t, pre);
			} else {
				if (nneg < 3)
					neg_parts[nneg++] = (char)pre;
				t->cls_ok = false;
				continue;
			}
		} else {
			c = lit ? litc : char_exp(t);
			if (t->failed)
				return;
			if (!lit && match(t, '-')) {
				hi = char_exp(t);
				if (t->failed)
					return;
				if (c > hi) {
					tfail(t, "invalid range: %#x > %#x",
					      (unsigned)c, (unsigned)hi);
					return;
				}
				snprintf(b, sizeof(b), "\\x{%x}-\\x{%x}",
					 (unsigned)c, (unsigned)hi);
				cls_add_range(t, c, hi);
			} else if (t->icase && is_alpha(c)) {
				snprintf(b, sizeof(b), "\\x{%x}\\x{%x}",
					 (unsigned)c, (unsigned)other_case(c));
				cls_add_range(t, c, c);
			} else {
				snprintf(b, sizeof(b), "\\x{%x}", (unsigned)c);
				cls_add_range(t, c, c);
			}
		}
		if (pl + strlen(b) + 1 > sizeof(pos_part)) {
			tfail(t, "character class too long");
			return;
		}
		memcpy(pos_part + pl, b, strlen(b) + 1);
		pl += strlen(b);
	} while (more(t) && !peek(t, "]"));
	if (!match(t, ']')) {
		tfail(t, "expected ']'");
		return;
	}
	if (negate) {
		if (nneg) {
			tfail(t, "a negated class holding \\%c cannot be translated",
			      neg_parts[0]);
			return;
		}
		emit(t, "[^");
		emit(t, pos_part);
		emit(t, "]");
		return;
	}
	if (!nneg) {
		emit(t, "[");
		emit(t, pos_part);
		emit(t, "]");
		return;
	}
	/* [a\S]: a union of classes. */
	emit(t, "(?:");
	if (pl) {
		emit(t, "[");
		emit(t, pos_part);
		emit(t, "]|");
	}
	for (unsigned i = 0; i < nneg; i++) {
		if (i)
			emit(t, "|");
		emit_predefined(t, (uint32_t)neg_parts[i]);
	}
	emit(t, ")");
}

static void simple_exp(struct tr *t)
{
	bool lit;
	uint32_t litc = 0, pre;

	if (peek(t, ".#@("))
		t->item_lit = false;
	if (match(t, '.')) {
		emit(t, ".");
	} else if (match(t, '#')) {
		emit(t, "(*FAIL)");
	} else if (match(t, '@')) {
		emit(t, "(?:.*)");
	} else if (match(t, '"')) {
		while (more(t) && !peek(t, "\""))
			emit_char(t, next_cp(t));
		if (!match(t, '"'))
			tfail(t, "expected '\"'");
	} else if (match(t, '(')) {
		if (match(t, ')')) {
			emit(t, "(?:)");
			return;
		}
		if (++t->depth > MAX_NEST) {
			tfail(t, "nesting deeper than %d", MAX_NEST);
			return;
		}
		union_exp(t);
		t->depth--;
		t->cls_ok = false; /* a group is no class, whatever it holds */
		if (!match(t, ')'))
			tfail(t, "expected ')'");
	} else if (peek(t, "<")) {
		tfail(t, "'<...>' (numeric interval or named automaton) cannot be translated");
	} else {
		pre = match_predefined(t, &lit, &litc);
		if (t->failed)
			return;
		if (pre) {
			t->item_lit = false;
			t->ncls = 0;
			t->cls_ok = true;
			cls_add_pre(t, pre);
			emit_predefined(t, pre);
		} else {
			emit_char(t, lit ? litc : char_exp(t));
		}
	}
}

static void compl_exp(struct tr *t)
{
	if (peek(t, "~")) {
		tfail(t, "the complement '~' cannot be translated");
		return;
	}
	if (match(t, '['))
		class_exp(t);
	else
		simple_exp(t);
}

static size_t digits(struct tr *t, unsigned *v, bool *big)
{
	size_t k = 0;

	*v = 0;
	while (peek(t, "0123456789")) {
		uint32_t d = next_cp(t) - '0';

		if (*v <= EQL_REGEX_MAX_REPEAT)
			*v = *v * 10 + d;
		if (*v > EQL_REGEX_MAX_REPEAT)
			*big = true;
		k++;
	}
	return k;
}

/* Wrap out[start..] as (?:...) and append a quantifier. */
static void quantify(struct tr *t, size_t start, const char *q)
{
	size_t k = t->len - start;

	if (t->failed)
		return;
	if (t->len + 4 + strlen(q) + 1 > t->cap) {
		tfail(t, "pattern too long once translated");
		return;
	}
	memmove(t->out + start + 3, t->out + start, k);
	memcpy(t->out + start, "(?:", 3);
	t->len += 3;
	t->out[t->len] = '\0';
	emit(t, ")");
	emit(t, q);
}

static void repeat_exp(struct tr *t)
{
	size_t start = t->len;
	char q[32];

	compl_exp(t);
	if (peek(t, "?*+{")) {
		t->item_lit = false;
		t->cls_ok = false;
	}
	while (peek(t, "?*+{")) {
		if (match(t, '?')) {
			quantify(t, start, "?");
		} else if (match(t, '*')) {
			quantify(t, start, "*");
		} else if (match(t, '+')) {
			quantify(t, start, "+");
		} else {
			unsigned n, m;
			bool big = false, open = false;

			match(t, '{');
			if (!digits(t, &n, &big)) {
				tfail(t, "integer expected");
				return;
			}
			m = n;
			if (match(t, ',')) {
				open = digits(t, &m, &big) == 0;
			}
			if (!match(t, '}')) {
				tfail(t, "expected '}'");
				return;
			}
			if (big) {
				tfail(t, "repeat bound over %u", EQL_REGEX_MAX_REPEAT);
				return;
			}
			if (open)
				snprintf(q, sizeof(q), "{%u,}", n);
			else if (m < n)
				/* Lucene's repeat(a, min, max) with max < min
				 * is the empty language. */
				snprintf(q, sizeof(q), "{0}(*FAIL)");
			else
				snprintf(q, sizeof(q), "{%u,%u}", n, m);
			quantify(t, start, q);
		}
	}
}

/* The run so far ends: keep it as the longest or the prefix. */
static void run_break(struct tr *t)
{
	struct eql_regex_lits *l = t->lits;
	size_t k = t->run.n < EQL_REGEX_LIT_MAX ? t->run.n : EQL_REGEX_LIT_MAX;

	if (t->at_start) {
		memcpy(l->prefix, t->run.head, k);
		l->nprefix = (uint8_t)k;
		t->at_start = false;
	}
	if (k > l->ninner) {
		memcpy(l->inner, t->run.head, k);
		l->ninner = (uint8_t)k;
	}
	t->run.n = 0;
}

/* One top-level item read: it extends the run, or breaks it. */
static void run_item(struct tr *t)
{
	if (!t->item_lit || t->item_long) {
		run_break(t);
		return;
	}
	for (size_t i = 0; i < t->nitem; i++) {
		if (t->run.n < EQL_REGEX_LIT_MAX)
			t->run.head[t->run.n] = t->item[i];
		else
			memmove(t->run.tail, t->run.tail + 1,
				EQL_REGEX_LIT_MAX - 1);
		t->run.tail[t->run.n < EQL_REGEX_LIT_MAX ?
			    t->run.n : EQL_REGEX_LIT_MAX - 1] = t->item[i];
		t->run.n++;
	}
}

static void concat_item(struct tr *t)
{
	bool top = t->depth == 0;

	if (top) {
		t->item_lit = true;
		t->item_long = false;
		t->nitem = 0;
		t->cls_ok = false;
	}
	repeat_exp(t);
	if (top && t->lits) {
		struct eql_regex_lits *l = t->lits;
		bool set = t->cls_ok && t->ncls > 0;

		/* a class first or last: one of its characters starts or
		 * ends every match */
		if (t->items++ == 0 && set) {
			memcpy(l->prefix_set, t->cls, t->ncls);
			l->nprefix_set = (uint8_t)t->ncls;
		}
		l->nsuffix_set = set ? (uint8_t)t->ncls : 0;
		if (set)
			memcpy(l->suffix_set, t->cls, t->ncls);
		run_item(t);
	}
}

static void concat_exp(struct tr *t)
{
	concat_item(t);
	while (more(t) && !peek(t, ")|&"))
		concat_item(t);
}

static void inter_exp(struct tr *t)
{
	concat_exp(t);
	if (peek(t, "&"))
		tfail(t, "the intersection '&' cannot be translated");
}

static void union_exp(struct tr *t)
{
	emit(t, "(?:");
	inter_exp(t);
	while (match(t, '|')) {
		if (t->depth == 0)
			t->top_alts++;
		emit(t, "|");
		inter_exp(t);
	}
	emit(t, ")");
}

/* UTF-8 to code points; false on invalid UTF-8. */
static bool decode(const char *s, size_t n, uint32_t *out, size_t *nout)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k = 0;

	while (i < n) {
		uint32_t c = p[i];
		unsigned extra;

		if (c < 0x80) {
			extra = 0;
		} else if (c >= 0xC2 && c <= 0xDF) {
			extra = 1;
			c &= 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			extra = 2;
			c &= 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			extra = 3;
			c &= 0x07;
		} else {
			return false;
		}
		for (unsigned j = 1; j <= extra; j++) {
			if (i + j >= n || (p[i + j] & 0xC0) != 0x80)
				return false;
			c = (c << 6) | (p[i + j] & 0x3F);
		}
		if ((extra == 2 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
		    (extra == 3 && (c < 0x10000 || c > 0x10FFFF)))
			return false;
		out[k++] = c;
		i += extra + 1;
	}
	*nout = k;
	return true;
}

/*
 * A whole-value pattern that starts with `.*` is one that may match
 * anywhere before, and one that ends with `.*` anywhere after: the same
 * language (`.` is any character, the subject valid UTF-8) without the
 * backtracking over the value that a leading `.*` costs. So the top-level
 * `.*` at either end is dropped and the anchor on that side with it.
 */
static void drop_outer_any(char *out, size_t *len, unsigned top_alts,
			   uint32_t *opt)
{
	static const char lead[] = "(?:(?:.)*", trail[] = "(?:.)*)";
	size_t n = *len, nl = sizeof(lead) - 1, nt = sizeof(trail) - 1;
	bool l, r;

	*opt = PCRE2_ANCHORED | PCRE2_ENDANCHORED;
	if (top_alts)
		return;
	l = n >= nl && memcmp(out, lead, nl) == 0;
	r = n >= nt && memcmp(out + n - nt, trail, nt) == 0;
	if (l && r && n < nl + nt) {
		/* ".*" alone: anything */
		strcpy(out, "(?:)");
		*len = 4;
		*opt = 0;
		return;
	}
	if (r) {
		memcpy(out + n - nt, ")", 2);
		n -= nt - 1;
		*opt &= ~(uint32_t)PCRE2_ENDANCHORED;
	}
	if (l) {
		memmove(out + 3, out + nl, n - nl + 1);
		n -= nl - 3;
		*opt &= ~(uint32_t)PCRE2_ANCHORED;
	}
	*len = n;
}

static int translate(const char *pat, size_t len, bool icase, char *out,
		     size_t cap, uint32_t *opt, struct eql_regex_lits *lits,
		     char *err, size_t errlen);

int eql_regex_translate(const char *pat, size_t len, bool icase, char *out,
			size_t cap, char *err, size_t errlen)
{
	uint32_t opt;

	return translate(pat, len, icase, out, cap, &opt, NULL, err, errlen);
}

static int translate(const char *pat, size_t len, bool icase, char *out,
		     size_t cap, uint32_t *opt, struct eql_regex_lits *lits,
		     char *err, size_t errlen)
{
	struct tr t = { 0 };
	uint32_t *cp;
	size_t n = 0;

	if (err && errlen)
		err[0] = '\0';
	if (cap < 8) {
		if (err && errlen)
			snprintf(err, errlen, "no room");
		return -1;
	}
	cp = malloc((len ? len : 1) * sizeof(*cp));
	if (!cp) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!decode(pat, len, cp, &n)) {
		free(cp);
		if (err && errlen)
			snprintf(err, errlen, "regex is not valid UTF-8");
		return -1;
	}
	t.cp = cp;
	t.n = n;
	t.icase = icase;
	t.out = out;
	t.cap = cap;
	t.err = err;
	t.errlen = errlen;
	t.lits = lits;
	t.at_start = true;
	if (lits)
		memset(lits, 0, sizeof(*lits));
	out[0] = '\0';
	if (n) {
		union_exp(&t);
		if (!t.failed && t.pos < t.n)
			tfail(&t, "unexpected '%s'",
			      t.cp[t.pos] == ')' ? ")" : "character");
	}
	free(cp);
	if (t.failed)
		return -1;
	if (lits && n) {
		/* the last run is the suffix; an alternation at the top
		 * level leaves no text every match must hold */
		size_t k = t.run.n < EQL_REGEX_LIT_MAX ? t.run.n :
							 EQL_REGEX_LIT_MAX;

		memcpy(lits->suffix, t.run.tail, k);
		lits->nsuffix = (uint8_t)k;
		run_break(&t);
		if (t.top_alts)
			memset(lits, 0, sizeof(*lits));
		lits->icase = icase;
	}
	drop_outer_any(out, &t.len, t.top_alts, opt);
	return 0;
}

/* ---- matcher state ------------------------------------------------------------ */

static bool runner_get(void)
{
	if (R.refs) {
		R.refs++;
		return true;
	}
	R.mctx = pcre2_match_context_create(NULL);
	R.md = pcre2_match_data_create(1, NULL);
	R.jstack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
	if (!R.mctx || !R.md) {
		pcre2_match_context_free(R.mctx);
		pcre2_match_data_free(R.md);
		pcre2_jit_stack_free(R.jstack);
		memset(&R, 0, sizeof(R));
		return false;
	}
	pcre2_set_match_limit(R.mctx, EQL_REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(R.mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(R.mctx, HEAP_LIMIT_KIB);
	if (R.jstack)
		pcre2_jit_stack_assign(R.mctx, NULL, R.jstack);
	R.refs = 1;
	return true;
}

static void runner_put(void)
{
	if (!R.refs || --R.refs)
		return;
	pcre2_match_context_free(R.mctx);
	pcre2_match_data_free(R.md);
	pcre2_jit_stack_free(R.jstack);
	free(R.buf);
	R.mctx = NULL;
	R.md = NULL;
	R.jstack = NULL;
	R.buf = NULL;
	R.bufcap = 0;
}

struct eql_regex *eql_regex_compile(const char *pat, size_t len, bool icase,
				    char *err, size_t errlen)
{
	size_t cap = len * 24 + 64;
	char *tr = malloc(cap);
	struct eql_regex *re = NULL;
	struct eql_regex_lits lits;
	uint32_t opt;
	int ec;
	PCRE2_SIZE eo;

	if (!tr) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (translate(pat, len, icase, tr, cap, &opt, &lits, err, errlen) != 0)
		goto out;
	re = calloc(1, sizeof(*re));
	if (!re || !runner_get()) {
		free(re);
		re = NULL;
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		goto out;
	}
	re->options = opt;
	re->lits = lits;
	re->code = pcre2_compile((PCRE2_SPTR)tr, PCRE2_ZERO_TERMINATED,
				 opt | PCRE2_UTF | PCRE2_DOTALL |
					 PCRE2_NO_AUTO_CAPTURE |
					 PCRE2_NEVER_BACKSLASH_C,
				 &ec, &eo, NULL);
	if (!re->code) {
		PCRE2_UCHAR m[160];

		pcre2_get_error_message(ec, m, sizeof(m));
		if (err && errlen)
			snprintf(err, errlen, "regex: PCRE2 rejects the translation: %s",
				 (const char *)m);
		runner_put();
		free(re);
		re = NULL;
		goto out;
	}
	/* Without JIT (a platform PCRE2 was built without it) the
	 * interpreter runs under the same limits. */
	(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
out:
	free(tr);
	return re;
}

const struct eql_regex_lits *eql_regex_lits(const struct eql_regex *re)
{
	return &re->lits;
}

void eql_regex_free(struct eql_regex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	free(re);
	runner_put();
}

void eql_regex_begin_exec(void)
{
	R.exec_hits = 0;
}

void eql_regex_counters(struct eql_regex_counters *c)
{
	*c = R.c;
}

/* Length of the valid UTF-8 sequence at p[0..n), 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	uint32_t c = p[0];
	size_t k;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t j = 1; j < k; j++)
		if ((p[j] & 0xC0) != 0x80)
			return 0;
	if (k == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F)))
		return 0;
	if (k == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F)))
		return 0;
	return k;
}

/* s itself when valid UTF-8, else a copy with every byte that starts no
 * valid sequence replaced by U+FFFD; NULL when out of memory. */
static const char *repaired(const char *s, size_t n, size_t *outn)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, k;

	while (i < n) {
		k = p[i] < 0x80 ? 1 : utf8_seq(p + i, n - i);
		if (k == 0)
			break;
		i += k;
	}
	*outn = n;
	if (i == n)
		return s;
	if (n > (SIZE_MAX - 1) / 3)
		return NULL;
	if (R.bufcap < 3 * n + 1) {
		char *nb = realloc(R.buf, 3 * n + 1);

		if (!nb)
			return NULL;
		R.buf = nb;
		R.bufcap = 3 * n + 1;
	}
	memcpy(R.buf, s, i);
	o = i;
	while (i < n) {
		k = utf8_seq(p + i, n - i);
		if (k) {
			memcpy(R.buf + o, s + i, k);
			o += k;
			i += k;
		} else {
			memcpy(R.buf + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		}
	}
	*outn = o;
	return R.buf;
}

bool eql_regex_match(const struct eql_regex *re, const char *s, size_t n)
{
	const char *subj;
	size_t sn;
	int rc;

	if (!re || !re->code)
		return false;
	if (R.exec_hits >= EQL_REGEX_MAX_LIMIT_HITS) {
		R.c.skipped++;
		return false;
	}
	subj = repaired(s, n, &sn);
	if (!subj) {
		R.c.skipped++;
		return false;
	}
	R.c.calls++;
	/* a bound on the work per byte, so long values can still match */
	pcre2_set_match_limit(R.mctx, sn > (UINT32_MAX - EQL_REGEX_MATCH_LIMIT) /
			      EQL_REGEX_LIMIT_PER_BYTE ? UINT32_MAX :
			      EQL_REGEX_MATCH_LIMIT +
				      (uint32_t)sn * EQL_REGEX_LIMIT_PER_BYTE);
	rc = pcre2_match(re->code, (PCRE2_SPTR)subj, sn, 0, PCRE2_NO_UTF_CHECK,
			 R.md, R.mctx);
	if (rc >= 0)
		return true;
	if (rc != PCRE2_ERROR_NOMATCH) {
		/* match, depth, heap or JIT stack limit; out of memory */
		R.c.limit_hits++;
		R.exec_hits++;
	}
	return false;
}
