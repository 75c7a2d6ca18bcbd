/*
 * rulefile.c - a strict reader for the TOML subset Elastic's detection-rules
 * files use (see rulefile.h for what is accepted and kept).
 *
 * Design: one pass, no tree. Structure (duplicate keys, redefined tables,
 * arrays of tables) is checked with a hash set of canonical paths, each
 * component length-prefixed so quoted keys containing '.' or any other byte
 * cannot collide; an element of an array of tables adds "#N;". Only the few
 * values the plugin needs are copied out while parsing.
 *
 * Limits beyond those in rulefile.h: a file is at most RF_MAX_FILE bytes
 * (rule files are a few KiB; the cap bounds memory for hostile input, which
 * is otherwise proportional to the file), and arrays nest at most
 * RF_MAX_DEPTH deep (recursion depth).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "rulefile.h"

#define RF_MAX_FILE   ((size_t)4 << 20)
#define RF_MAX_QUERY  ((size_t)64 << 10)
#define RF_MAX_STRING ((size_t)4 << 10)
#define RF_MAX_DEPTH  32
#define RF_INT_MAX    2147483647LL

struct buf {
	char *p;
	size_t len, cap;
};

enum node_kind {
	N_VALUE = 1,
	N_TABLE_IMPLICIT,       /* created as the prefix of a header */
	N_TABLE_EXPLICIT,       /* named by its own [header] */
	N_AOT,                  /* array of tables; count = elements */
};

struct node {
	char *path;             /* NULL: empty slot */
	size_t len;
	uint64_t hash;
	enum node_kind kind;
	size_t count;
};

struct nodeset {
	struct node *slots;
	size_t cap, used;       /* cap is a power of two */
};

enum ctx {
	CTX_OTHER = 0,
	CTX_METADATA,
	CTX_RULE,
	CTX_THREAT,
	CTX_TACTIC,
	CTX_TECHNIQUE,
};

struct tmp_tech {
	char *id, *name, *ref;
	unsigned long line;
};

struct tmp_threat {
	char *framework;
	char *tactic_id, *tactic_name, *tactic_ref;
	unsigned long line, tactic_line;
	bool have_tactic;
	struct tmp_tech *techs;
	size_t ntechs, techcap;
};

enum vtype { V_STRING, V_INT, V_BOOL, V_ARRAY };

struct value {
	enum vtype type;
	long long i;            /* V_INT */
	/* V_STRING: the text is in parser.scratch */
};

struct parser {
	const char *name;
	const char *p, *end;
	unsigned long line;
	char *err;
	size_t errlen;
	bool failed;

	struct buf scratch;     /* decoded text of the string being parsed */
	struct buf key;         /* decoded key of the current key/value */
	struct buf tpath;       /* canonical path of the current table */
	struct buf tshow;       /* the current table as shown in messages */
	struct buf hcomps;      /* header components, length-prefixed */
	struct buf work;        /* path under construction */
	struct nodeset nodes;
	enum ctx ctx;

	struct rule_file *rf;
	bool have_rule, have_risk, have_severity;
	bool have_rule_version, have_meta_version;
	unsigned long rule_line;
	long long rule_version, meta_version;
	struct tmp_threat *threats;
	size_t nthreats, threatcap;
	/* language/type other than "eql": said after the tags are read */
	char bad_kind[160];
	unsigned long bad_kind_line;
	bool in_tags;           /* parsing the value of [rule] tags */
	struct rulefile_os *os; /* may be NULL */
};

/* ------------------------------------------------------------------ */
/* errors */

/* Only the first error is reported: later ones are consequences. */
__attribute__((format(printf, 3, 4)))
static bool fail(struct parser *ps, unsigned long line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (ps->failed)
		return false;
	ps->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!ps->err || !ps->errlen)
		return false;
	if (line)
		snprintf(ps->err, ps->errlen, "%s:%lu: %s", ps->name, line, msg);
	else
		snprintf(ps->err, ps->errlen, "%s: %s", ps->name, msg);
	return false;
}

static bool oom(struct parser *ps)
{
	return fail(ps, ps->line, "out of memory");
}

/* ------------------------------------------------------------------ */
/* buffers */

static bool buf_add(struct parser *ps, struct buf *b, const void *d, size_t n)
{
	if (n > SIZE_MAX / 4 - b->len)
		return oom(ps);
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np)
			return oom(ps);
		b->p = np;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

static bool buf_addc(struct parser *ps, struct buf *b, char c)
{
	return buf_add(ps, b, &c, 1);
}

static bool buf_set(struct parser *ps, struct buf *dst, const struct buf *src)
{
	dst->len = 0;
	return buf_add(ps, dst, src->p, src->len);
}

static void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Append one length-prefixed path component. */
static bool enc_add(struct parser *ps, struct buf *b, const char *s, size_t n)
{
	char pre[32];
	size_t k = sizeof(pre), v = n;

	/* "N:" without printf: a rule file has thousands of keys */
	pre[--k] = ':';
	do {
		pre[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return buf_add(ps, b, pre + k, sizeof(pre) - k) && buf_add(ps, b, s, n);
}

/* Decode the component at *pos of an enc_add() sequence. */
static void enc_next(const struct buf *b, size_t *pos, const char **s,
		     size_t *n)
{
	size_t v = 0, i = *pos;

	while (b->p[i] != ':')
		v = v * 10 + (size_t)(b->p[i++] - '0');
	*s = b->p + i + 1;
	*n = v;
	*pos = i + 1 + v;
}

/* ------------------------------------------------------------------ */
/* the path set */

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct node *ns_find(struct nodeset *ns, const char *s, size_t n)
{
	uint64_t h;
	size_t i;

	if (!ns->cap)
		return NULL;
	h = hash_bytes(s, n);
	for (i = h & (ns->cap - 1);; i = (i + 1) & (ns->cap - 1)) {
		struct node *nd = &ns->slots[i];

		if (!nd->path)
			return NULL;
		if (nd->hash == h && nd->len == n && !memcmp(nd->path, s, n))
			return nd;
	}
}

static bool ns_grow(struct parser *ps, struct nodeset *ns)
{
	size_t cap = ns->cap ? ns->cap * 2 : 64, i;
	struct node *slots;

	if (cap > SIZE_MAX / sizeof(*slots))
		return oom(ps);
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return oom(ps);
	for (i = 0; i < ns->cap; i++) {
		struct node *o = &ns->slots[i];
		size_t j;

		if (!o->path)
			continue;
		for (j = o->hash & (cap - 1); slots[j].path;
		     j = (j + 1) & (cap - 1))
			;
		slots[j] = *o;
	}
	free(ns->slots);
	ns->slots = slots;
	ns->cap = cap;
	return true;
}

/* Insert a path known to be absent. The returned pointer is valid until
 * the next insertion. */
static struct node *ns_insert(struct parser *ps, struct nodeset *ns,
			      const char *s, size_t n, enum node_kind kind)
{
	struct node *nd;
	uint64_t h = hash_bytes(s, n);
	size_t i;

	if ((ns->used + 1) * 2 > ns->cap && !ns_grow(ps, ns))
		return NULL;
	for (i = h & (ns->cap - 1); ns->slots[i].path;
	     i = (i + 1) & (ns->cap - 1))
		;
	nd = &ns->slots[i];
	nd->path = malloc(n ? n : 1);
	if (!nd->path) {
		oom(ps);
		return NULL;
	}
	if (n)
		memcpy(nd->path, s, n);
	nd->len = n;
	nd->hash = h;
	nd->kind = kind;
	nd->count = kind == N_AOT ? 1 : 0;
	ns->used++;
	return nd;
}

static void ns_free(struct nodeset *ns)
{
	size_t i;

	for (i = 0; i < ns->cap; i++)
		free(ns->slots[i].path);
	free(ns->slots);
	ns->slots = NULL;
	ns->cap = ns->used = 0;
}

/* ------------------------------------------------------------------ */
/* whole-text checks */

/*
 * TOML documents are UTF-8 without raw control characters other than tab
 * and CRLF/LF line ends; checking this once up front means the scanner
 * below can copy bytes without re-validating, and each problem is reported
 * on its own line.
 */
static bool check_text(struct parser *ps)
{
	const unsigned char *s = (const unsigned char *)ps->p;
	const unsigned char *e = (const unsigned char *)ps->end;
	unsigned long line = ps->line;

	while (s < e) {
		unsigned char c = *s;
		uint32_t cp;
		int need, k;

		/* most of a rule file: one comparison a byte */
		if (c >= 0x20 && c < 0x7f) {
			s++;
			continue;
		}
		if (c == '\n') {
			line++;
			s++;
			continue;
		}
		if (c == '\r') {
			if (s + 1 >= e || s[1] != '\n')
				return fail(ps, line,
					    "carriage return not followed by line feed");
			s++;
			continue;
		}
		if (c == 0)
			return fail(ps, line, "NUL byte");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(ps, line, "control character 0x%02x", c);
		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return fail(ps, line, "invalid UTF-8");
		}
		if (e - s <= need)
			return fail(ps, line, "invalid UTF-8");
		for (k = 1; k <= need; k++) {
			if ((s[k] & 0xC0) != 0x80)
				return fail(ps, line, "invalid UTF-8");
			cp = (cp << 6) | (s[k] & 0x3F);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return fail(ps, line, "invalid UTF-8");
		s += need + 1;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* scanning */

static int peek(const struct parser *ps, size_t k)
{
	return (size_t)(ps->end - ps->p) > k ? (unsigned char)ps->p[k] : -1;
}

static bool at_eol(const struct parser *ps)
{
	return ps->p >= ps->end || *ps->p == '\n' || *ps->p == '\r';
}

/* check_text guarantees a CR is followed by LF. */
static void eat_eol(struct parser *ps)
{
	if (ps->p < ps->end && *ps->p == '\r')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '\n') {
		ps->p++;
		ps->line++;
	}
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

static void skip_comment(struct parser *ps)
{
	if (ps->p < ps->end && *ps->p == '#')
		while (!at_eol(ps))
			ps->p++;
}

/* Whitespace, newlines and comments, as allowed between array values. */
static void skip_blank(struct parser *ps)
{
	for (;;) {
		skip_ws(ps);
		skip_comment(ps);
		if (ps->p >= ps->end || (*ps->p != '\n' && *ps->p != '\r'))
			return;
		eat_eol(ps);
	}
}

static bool finish_line(struct parser *ps, const char *after)
{
	skip_ws(ps);
	skip_comment(ps);
	if (!at_eol(ps))
		return fail(ps, ps->line, "unexpected text after %s", after);
	eat_eol(ps);
	return true;
}

static bool is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool add_utf8(struct parser *ps, struct buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_add(ps, b, u, n);
}

/* At a backslash inside a basic string. */
static bool parse_escape(struct parser *ps, struct buf *out)
{
	int c = peek(ps, 1), digits, k;
	uint32_t cp = 0;
	char ch;

	switch (c) {
	case 'b': ch = '\b'; break;
	case 't': ch = '\t'; break;
	case 'n': ch = '\n'; break;
	case 'f': ch = '\f'; break;
	case 'r': ch = '\r'; break;
	case '"': ch = '"'; break;
	case '\\': ch = '\\'; break;
	case 'u':
	case 'U':
		digits = c == 'u' ? 4 : 8;
		for (k = 0; k < digits; k++) {
			int h = hexval(peek(ps, 2 + (size_t)k));

			if (h < 0)
				return fail(ps, ps->line,
					    "invalid \\%c escape: expected %d hex digits",
					    c, digits);
			cp = (cp << 4) | (uint32_t)h;
		}
		if (cp == 0)
			return fail(ps, ps->line, "NUL in string");
		if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return fail(ps, ps->line,
				    "escape \\%c names no Unicode scalar value", c);
		ps->p += 2 + digits;
		return add_utf8(ps, out, cp);
	default:
		if (c >= 0x21 && c < 0x7f)
			return fail(ps, ps->line, "invalid escape '\\%c'", c);
		return fail(ps, ps->line, "invalid escape");
	}
	ps->p += 2;
	return buf_addc(ps, out, ch);
}

/*
 * A string starting at ps->p (on its opening quote): basic ("…", """…""")
 * when q is '"', literal ('…', '''…''') when q is '\''. Decoded into out.
 */
static bool parse_string(struct parser *ps, struct buf *out, char q,
			 bool allow_multi)
{
	/* the bytes that end a run of plain text in a basic ("), literal
	 * (') string */
	static const bool basic_stop[256] = { ['"'] = true, ['\n'] = true,
					      ['\r'] = true, ['\\'] = true };
	static const bool literal_stop[256] = { ['\''] = true, ['\n'] = true,
						['\r'] = true };
	const bool *stop = q == '"' ? basic_stop : literal_stop;
	unsigned long start = ps->line;
	bool multi = peek(ps, 1) == q && peek(ps, 2) == q;

	out->len = 0;
	if (!buf_add(ps, out, "", 0))
		return false;
	if (multi && !allow_multi)
		return fail(ps, start, "a multi-line string cannot be a key");
	if (multi) {
		ps->p += 3;
		/* a newline right after the opening delimiter is trimmed */
		if (peek(ps, 0) == '\n' || peek(ps, 0) == '\r')
			eat_eol(ps);
	} else {
		ps->p++;
	}
	for (;;) {
		int c = peek(ps, 0);

		if (c < 0)
			return fail(ps, start, multi ?
				    "unterminated multi-line string" :
				    "unterminated string");
		if (c == q) {
			size_t run = 0;

			if (!multi) {
				ps->p++;
				return true;
			}
			while (peek(ps, run) == q)
				run++;
			if (run < 3) {
				if (!buf_add(ps, out, ps->p, run))
					return false;
				ps->p += run;
				continue;
			}
			/* up to two quotes may sit just before the delimiter */
			if (run > 5)
				return fail(ps, ps->line,
					    "too many quotes at the end of a multi-line string");
			if (!buf_add(ps, out, ps->p, run - 3))
				return false;
			ps->p += run;
			return true;
		}
		if (c == '\n' || c == '\r') {
			if (!multi)
				return fail(ps, start, "unterminated string");
			eat_eol(ps);
			/* CRLF files give the same text as LF files */
			if (!buf_addc(ps, out, '\n'))
				return false;
			continue;
		}
		if (c == '\\' && q == '"') {
			if (multi) {
				const char *t = ps->p + 1;

				while (t < ps->end && (*t == ' ' || *t == '\t'))
					t++;
				if (t < ps->end && (*t == '\n' || *t == '\r')) {
					/* line-ending backslash: trim */
					ps->p = t;
					while (ps->p < ps->end) {
						if (*ps->p == ' ' || *ps->p == '\t')
							ps->p++;
						else if (*ps->p == '\n' ||
							 *ps->p == '\r')
							eat_eol(ps);
						else
							break;
					}
					continue;
				}
			}
			if (!parse_escape(ps, out))
				return false;
			continue;
		}
		/* the plain bytes up to the next one that means something,
		 * at once */
		{
			const char *t = ps->p + 1;

			while (t < ps->end && !stop[(unsigned char)*t])
				t++;
			if (!buf_add(ps, out, ps->p, (size_t)(t - ps->p)))
				return false;
			ps->p = t;
		}
	}
}

/* A bare or quoted key into out. */
static bool parse_key(struct parser *ps, struct buf *out, const char *what)
{
	int c = peek(ps, 0);

	if (c == '"' || c == '\'')
		return parse_string(ps, out, (char)c, false);
	if (!is_bare(c))
		return fail(ps, ps->line, "expected %s", what);
	out->len = 0;
	while (is_bare(peek(ps, 0))) {
		if (!buf_addc(ps, out, *ps->p))
			return false;
		ps->p++;
	}
	return true;
}

static bool parse_number(struct parser *ps, struct value *v)
{
	const char *s = ps->p, *t;
	size_t n = 0, i;
	bool neg = false, has_colon = false, has_dot_exp = false;
	bool has_inner_dash = false;
	unsigned long long acc = 0;
	char shown[80];

	while (s + n < ps->end &&
	       (is_bare((unsigned char)s[n]) || s[n] == '+' || s[n] == '.' ||
		s[n] == ':'))
		n++;
	for (i = 0; i < n; i++) {
		if (s[i] == ':')
			has_colon = true;
		else if (s[i] == '.' || s[i] == 'e' || s[i] == 'E')
			has_dot_exp = true;
		else if (s[i] == '-' && i > 0)
			has_inner_dash = true;
	}
	t = s;
	if (*t == '+' || *t == '-') {
		neg = *t == '-';
		t++;
	}
	if ((size_t)(s + n - t) == 3 && (!memcmp(t, "inf", 3) ||
					   !memcmp(t, "nan", 3)))
		return fail(ps, ps->line, "floats are not supported");
	if (has_colon)
		return fail(ps, ps->line, "dates and times are not supported");
	if (t + 1 < s + n && t[0] == '0' &&
	    (t[1] == 'x' || t[1] == 'o' || t[1] == 'b'))
		return fail(ps, ps->line, "only decimal integers are supported");
	if (has_dot_exp)
		return fail(ps, ps->line, "floats are not supported");
	if (has_inner_dash)
		return fail(ps, ps->line, "dates and times are not supported");
	if (t == s + n || (t[0] == '0' && t + 1 < s + n))
		goto bad;
	for (; t < s + n; t++) {
		if (*t == '_') {
			/* one underscore, between digits */
			if (t == s || t + 1 >= s + n || t[-1] < '0' ||
			    t[-1] > '9' || t[1] < '0' || t[1] > '9')
				goto bad;
			continue;
		}
		if (*t < '0' || *t > '9')
			goto bad;
		if (acc > (9223372036854775808ULL - (unsigned)(*t - '0')) / 10)
			return fail(ps, ps->line, "integer out of range");
		acc = acc * 10 + (unsigned)(*t - '0');
	}
	if (!neg && acc > 9223372036854775807ULL)
		return fail(ps, ps->line, "integer out of range");
	v->type = V_INT;
	v->i = neg ? (long long)(0 - acc) : (long long)acc;
	ps->p += n;
	return true;
bad:
	return fail(ps, ps->line, "invalid number '%s'",
		    diag_quote(shown, sizeof(shown), s, n));
}

static bool parse_value(struct parser *ps, struct value *v, int depth);
static bool parse_inline(struct parser *ps, int depth);

static bool parse_array(struct parser *ps, int depth)
{
	unsigned long start = ps->line;

	if (depth > RF_MAX_DEPTH)
		return fail(ps, ps->line, "arrays nested too deeply (limit %d)",
			    RF_MAX_DEPTH);
	ps->p++;
	for (;;) {
		struct value elem;

		skip_blank(ps);
		if (ps->p >= ps->end)
			return fail(ps, start, "unterminated array");
		if (*ps->p == ']') {
			ps->p++;
			return true;
		}
		if (!parse_value(ps, &elem, depth))
			return false;
		if (ps->in_tags && ps->os && depth == 1 &&
		    elem.type == V_STRING) {
			if (ps->scratch.len == 9 &&
			    !memcmp(ps->scratch.p, "OS: Linux", 9))
				ps->os->linux_tag = true;
			else if (ps->scratch.len > 4 &&
				 !memcmp(ps->scratch.p, "OS: ", 4))
				ps->os->other_os_tag = true;
		}
		skip_blank(ps);
		if (ps->p >= ps->end)
			return fail(ps, start, "unterminated array");
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p != ']')
			return fail(ps, ps->line, "expected ',' or ']' in array");
	}
}

/* An inline table { k = v, ... } on one line: read and ignored (Elastic's
 * [transform] sections hold them; nothing the plugin keeps does). */
static bool parse_inline(struct parser *ps, int depth)
{
	unsigned long start = ps->line;
	struct buf key = { 0 };
	bool ok = false;

	if (depth > RF_MAX_DEPTH)
		return fail(ps, ps->line, "values nested too deeply (limit %d)",
			    RF_MAX_DEPTH);
	ps->p++;
	skip_ws(ps);
	if (peek(ps, 0) == '}') {
		ps->p++;
		return true;
	}
	for (;;) {
		struct value v;

		skip_ws(ps);
		if (!parse_key(ps, &key, "a key in an inline table"))
			goto out;
		skip_ws(ps);
		if (peek(ps, 0) != '=') {
			fail(ps, ps->line, "expected '=' in an inline table");
			goto out;
		}
		ps->p++;
		skip_ws(ps);
		if (!parse_value(ps, &v, depth))
			goto out;
		skip_ws(ps);
		if (peek(ps, 0) == ',') {
			ps->p++;
			continue;
		}
		if (peek(ps, 0) == '}') {
			ps->p++;
			ok = true;
			goto out;
		}
		fail(ps, start, "unterminated inline table");
		goto out;
	}
out:
	buf_free(&key);
	return ok;
}

static bool parse_value(struct parser *ps, struct value *v, int depth)
{
	int c = peek(ps, 0);
	char shown[80];
	size_t n;

	switch (c) {
	case '"':
	case '\'':
		v->type = V_STRING;
		return parse_string(ps, &ps->scratch, (char)c, true);
	case '[':
		v->type = V_ARRAY;
		return parse_array(ps, depth + 1);
	case '{':
		return parse_inline(ps, depth + 1);
	case -1:
	case '\n':
	case '\r':
	case '#':
		return fail(ps, ps->line, "missing value");
	default:
		break;
	}
	if ((c >= '0' && c <= '9') || c == '+' || c == '-')
		return parse_number(ps, v);
	for (n = 0; is_bare(peek(ps, n)); n++)
		;
	if (n == 4 && !memcmp(ps->p, "true", 4)) {
		v->type = V_BOOL;
		ps->p += 4;
		return true;
	}
	if (n == 5 && !memcmp(ps->p, "false", 5)) {
		v->type = V_BOOL;
		ps->p += 5;
		return true;
	}
	if (n == 3 && (!memcmp(ps->p, "inf", 3) || !memcmp(ps->p, "nan", 3)))
		return fail(ps, ps->line, "floats are not supported");
	if (n)
		return fail(ps, ps->line,
			    "invalid value '%s' (strings must be quoted)",
			    diag_quote(shown, sizeof(shown), ps->p, n));
	return fail(ps, ps->line, "invalid value");
}

/* ------------------------------------------------------------------ */
/* what is kept */

static const char *vtype_name(enum vtype t)
{
	switch (t) {
	case V_STRING: return "a string";
	case V_INT: return "an integer";
	case V_BOOL: return "a boolean";
	default: return "an array";
	}
}

static const char *table_shown(const struct parser *ps)
{
	return ps->tshow.len ? ps->tshow.p : "the root table";
}

static bool want(struct parser *ps, const char *key, const struct value *v,
		 enum vtype t, unsigned long line)
{
	if (v->type == t)
		return true;
	return fail(ps, line, "'%s' in %s must be %s, not %s", key,
		    table_shown(ps), vtype_name(t), vtype_name(v->type));
}

/* Copy the string value just parsed into *dst, bounded by max bytes. */
static bool keep_str(struct parser *ps, const char *key, const struct value *v,
		     size_t max, char **dst, unsigned long line)
{
	char *s;

	if (!want(ps, key, v, V_STRING, line))
		return false;
	if (ps->scratch.len > max)
		return fail(ps, line, "'%s' in %s is too long (%zu bytes, limit %zu)",
			    key, table_shown(ps), ps->scratch.len, max);
	s = malloc(ps->scratch.len + 1);
	if (!s)
		return oom(ps);
	memcpy(s, ps->scratch.p, ps->scratch.len + 1);
	free(*dst);
	*dst = s;
	return true;
}

static bool keep_int(struct parser *ps, const char *key, const struct value *v,
		     long long lo, long long hi, long long *dst,
		     unsigned long line)
{
	if (!want(ps, key, v, V_INT, line))
		return false;
	if (v->i < lo || v->i > hi)
		return fail(ps, line, "'%s' in %s must be between %lld and %lld, got %lld",
			    key, table_shown(ps), lo, hi, v->i);
	*dst = v->i;
	return true;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static bool key_is(const struct buf *k, const char *s)
{
	return k->len == strlen(s) && !memcmp(k->p, s, k->len);
}

/* "kuery" as shown in messages */
static const char *shown_value(const struct parser *ps, char *out, size_t sz)
{
	return diag_quote(out, sz, ps->scratch.p, ps->scratch.len);
}

static bool keep_rule_key(struct parser *ps, const struct value *v,
			  unsigned long line)
{
	struct rule_file *rf = ps->rf;
	const struct buf *k = &ps->key;
	char shown[80];
	char **dst = NULL;
	long long n;

	if (key_is(k, "rule_id") || key_is(k, "name")) {
		dst = key_is(k, "name") ? (char **)&rf->meta.name :
					  (char **)&rf->meta.id;
		if (!keep_str(ps, k->p, v, RF_MAX_STRING, dst, line))
			return false;
		if (blank(*dst))
			return fail(ps, line, "'%s' in [rule] must not be empty",
				    k->p);
		return true;
	}
	if (key_is(k, "query")) {
		if (!keep_str(ps, "query", v, RF_MAX_QUERY, &rf->query, line))
			return false;
		if (blank(rf->query))
			return fail(ps, line, "'query' in [rule] must not be empty");
		return true;
	}
	if (key_is(k, "description"))
		return keep_str(ps, "description", v, RF_MAX_STRING,
				&rf->description, line);
	if (key_is(k, "severity")) {
		const char *s;

		if (!keep_str(ps, "severity", v, RF_MAX_STRING,
			      (char **)&rf->meta.severity, line))
			return false;
		s = rf->meta.severity;
		if (strcmp(s, "low") && strcmp(s, "medium") &&
		    strcmp(s, "high") && strcmp(s, "critical"))
			return fail(ps, line,
				    "severity must be \"low\", \"medium\", \"high\" or \"critical\", got \"%s\"",
				    shown_value(ps, shown, sizeof(shown)));
		ps->have_severity = true;
		return true;
	}
	if (key_is(k, "language") || key_is(k, "type")) {
		if (!want(ps, k->p, v, V_STRING, line))
			return false;
		/* said in finish(), once the tags are known: a rule for
		 * another OS is skipped whatever its language */
		if ((strcmp(ps->scratch.p, "eql") || ps->scratch.len != 3) &&
		    !ps->bad_kind[0]) {
			snprintf(ps->bad_kind, sizeof(ps->bad_kind),
				 "%s must be \"eql\", got \"%s\"", k->p,
				 shown_value(ps, shown, sizeof(shown)));
			ps->bad_kind_line = line;
		}
		return true;
	}
	if (key_is(k, "building_block_type"))
		return keep_str(ps, "building_block_type", v, RF_MAX_STRING,
				&rf->building_block_type, line);
	if (key_is(k, "risk_score")) {
		if (!keep_int(ps, "risk_score", v, 0, 100, &n, line))
			return false;
		rf->meta.risk_score = (int)n;
		ps->have_risk = true;
		return true;
	}
	if (key_is(k, "max_signals")) {
		if (!keep_int(ps, "max_signals", v, 1, RF_INT_MAX, &n, line))
			return false;
		rf->meta.max_signals = (unsigned)n;
		return true;
	}
	if (key_is(k, "version")) {
		if (!keep_int(ps, "version", v, 1, RF_INT_MAX,
			      &ps->rule_version, line))
			return false;
		ps->have_rule_version = true;
		return true;
	}
	return true;
}

static bool keep_value(struct parser *ps, const struct value *v,
		       unsigned long line)
{
	const struct buf *k = &ps->key;
	struct tmp_threat *t = ps->nthreats ? &ps->threats[ps->nthreats - 1]
					    : NULL;
	struct tmp_tech *te;

	switch (ps->ctx) {
	case CTX_RULE:
		return keep_rule_key(ps, v, line);
	case CTX_METADATA:
		if (key_is(k, "maturity"))
			return keep_str(ps, "maturity", v, RF_MAX_STRING,
					&ps->rf->maturity, line);
		if (key_is(k, "version")) {
			if (!keep_int(ps, "version", v, 1, RF_INT_MAX,
				      &ps->meta_version, line))
				return false;
			ps->have_meta_version = true;
		}
		return true;
	case CTX_THREAT:
		if (key_is(k, "framework"))
			return keep_str(ps, "framework", v, RF_MAX_STRING,
					&t->framework, line);
		return true;
	case CTX_TACTIC:
		if (key_is(k, "id"))
			return keep_str(ps, "id", v, RF_MAX_STRING,
					&t->tactic_id, line);
		if (key_is(k, "name"))
			return keep_str(ps, "name", v, RF_MAX_STRING,
					&t->tactic_name, line);
		if (key_is(k, "reference"))
			return keep_str(ps, "reference", v, RF_MAX_STRING,
					&t->tactic_ref, line);
		return true;
	case CTX_TECHNIQUE:
		te = &t->techs[t->ntechs - 1];
		if (key_is(k, "id"))
			return keep_str(ps, "id", v, RF_MAX_STRING, &te->id,
					line);
		if (key_is(k, "name"))
			return keep_str(ps, "name", v, RF_MAX_STRING,
					&te->name, line);
		if (key_is(k, "reference"))
			return keep_str(ps, "reference", v, RF_MAX_STRING,
					&te->ref, line);
		return true;
	default:
		return true;
	}
}

/* ------------------------------------------------------------------ */
/* lines */

static bool parse_keyval(struct parser *ps)
{
	unsigned long line = ps->line;
	struct value v = { .type = V_BOOL };
	char shown[80];

	if (!parse_key(ps, &ps->key, "a key"))
		return false;
	skip_ws(ps);
	if (peek(ps, 0) == '.')
		return fail(ps, line, "dotted keys are not supported");
	if (peek(ps, 0) != '=')
		return fail(ps, line, "expected '=' after key '%s'",
			    diag_quote(shown, sizeof(shown), ps->key.p,
				       ps->key.len));
	ps->p++;
	skip_ws(ps);

	ps->work.len = 0;
	if (!buf_add(ps, &ps->work, ps->tpath.p, ps->tpath.len) ||
	    !enc_add(ps, &ps->work, ps->key.p, ps->key.len))
		return false;
	if (ns_find(&ps->nodes, ps->work.p, ps->work.len))
		return fail(ps, line, "duplicate key '%s' in %s",
			    diag_quote(shown, sizeof(shown), ps->key.p,
				       ps->key.len),
			    table_shown(ps));
	if (!ns_insert(ps, &ps->nodes, ps->work.p, ps->work.len, N_VALUE))
		return false;

	ps->in_tags = ps->ctx == CTX_RULE && key_is(&ps->key, "tags");
	if (!parse_value(ps, &v, 0))
		return false;
	if (ps->in_tags && ps->os)
		ps->os->tags_read = true;
	ps->in_tags = false;
	if (!finish_line(ps, "value"))
		return false;
	return keep_value(ps, &v, line);
}

static bool comps_are(const struct buf *hc, size_t n, const char *a,
		      const char *b, const char *c)
{
	const char *want_[3] = { a, b, c };
	size_t pos = 0, i;

	for (i = 0; i < n; i++) {
		const char *s;
		size_t len;

		if (i >= 3 || !want_[i])
			return false;
		enc_next(hc, &pos, &s, &len);
		if (len != strlen(want_[i]) || memcmp(s, want_[i], len))
			return false;
	}
	return i < 3 ? !want_[i] : true;
}

static bool add_threat(struct parser *ps, unsigned long line)
{
	if (ps->nthreats == ps->threatcap) {
		size_t cap = ps->threatcap ? ps->threatcap * 2 : 4;
		struct tmp_threat *nt;

		if (cap > SIZE_MAX / sizeof(*nt))
			return oom(ps);
		nt = realloc(ps->threats, cap * sizeof(*nt));
		if (!nt)
			return oom(ps);
		ps->threats = nt;
		ps->threatcap = cap;
	}
	memset(&ps->threats[ps->nthreats], 0, sizeof(ps->threats[0]));
	ps->threats[ps->nthreats++].line = line;
	return true;
}

static bool add_technique(struct parser *ps, unsigned long line)
{
	struct tmp_threat *t = &ps->threats[ps->nthreats - 1];

	if (t->ntechs == t->techcap) {
		size_t cap = t->techcap ? t->techcap * 2 : 4;
		struct tmp_tech *nt;

		if (cap > SIZE_MAX / sizeof(*nt))
			return oom(ps);
		nt = realloc(t->techs, cap * sizeof(*nt));
		if (!nt)
			return oom(ps);
		t->techs = nt;
		t->techcap = cap;
	}
	memset(&t->techs[t->ntechs], 0, sizeof(t->techs[0]));
	t->techs[t->ntechs++].line = line;
	return true;
}

/* Which kept table a header opens; prefix_kind is that of the parent. */
static bool set_context(struct parser *ps, size_t n, bool aot,
			enum node_kind parent_kind, unsigned long line)
{
	const struct buf *hc = &ps->hcomps;

	ps->ctx = CTX_OTHER;
	if (comps_are(hc, n, "rule", NULL, NULL) ||
	    comps_are(hc, n, "metadata", NULL, NULL)) {
		bool rule = comps_are(hc, n, "rule", NULL, NULL);

		if (aot)
			return fail(ps, line, "[%s] must be a table, not an array of tables",
				    rule ? "rule" : "metadata");
		ps->ctx = rule ? CTX_RULE : CTX_METADATA;
		if (rule) {
			ps->have_rule = true;
			ps->rule_line = line;
		}
		return true;
	}
	if (comps_are(hc, n, "rule", "threat", NULL)) {
		if (!aot)
			return fail(ps, line, "rule.threat must be an array of tables: write [[rule.threat]]");
		ps->ctx = CTX_THREAT;
		return add_threat(ps, line);
	}
	if (comps_are(hc, n, "rule", "threat", "tactic")) {
		if (aot)
			return fail(ps, line, "rule.threat.tactic must be a table: write [rule.threat.tactic]");
		if (parent_kind != N_AOT)
			return fail(ps, line, "[rule.threat.tactic] outside any [[rule.threat]]");
		ps->ctx = CTX_TACTIC;
		ps->threats[ps->nthreats - 1].have_tactic = true;
		ps->threats[ps->nthreats - 1].tactic_line = line;
		return true;
	}
	if (comps_are(hc, n, "rule", "threat", "technique")) {
		if (!aot)
			return fail(ps, line, "rule.threat.technique must be an array of tables: write [[rule.threat.technique]]");
		if (parent_kind != N_AOT)
			return fail(ps, line, "[[rule.threat.technique]] outside any [[rule.threat]]");
		ps->ctx = CTX_TECHNIQUE;
		return add_technique(ps, line);
	}
	return true;
}

static bool add_index(struct parser *ps, struct buf *b, size_t idx)
{
	char s[32];
	int k = snprintf(s, sizeof(s), "#%zu;", idx);

	return buf_add(ps, b, s, (size_t)k);
}

static bool parse_header(struct parser *ps)
{
	unsigned long line = ps->line;
	bool aot = peek(ps, 1) == '[';
	enum node_kind parent_kind = N_TABLE_IMPLICIT;
	size_t n = 0, pos = 0, i;
	char shown[80];

	ps->p += aot ? 2 : 1;
	ps->hcomps.len = 0;
	ps->tshow.len = 0;
	if (!buf_add(ps, &ps->tshow, "[[", aot ? 2 : 1))
		return false;
	for (;;) {
		skip_ws(ps);
		if (at_eol(ps))
			return fail(ps, line, "unterminated table header");
		if (!parse_key(ps, &ps->key, "a table name"))
			return false;
		diag_quote(shown, sizeof(shown), ps->key.p, ps->key.len);
		if (!enc_add(ps, &ps->hcomps, ps->key.p, ps->key.len) ||
		    (n && !buf_addc(ps, &ps->tshow, '.')) ||
		    !buf_add(ps, &ps->tshow, shown, strlen(shown)))
			return false;
		n++;
		skip_ws(ps);
		if (at_eol(ps))
			return fail(ps, line, "unterminated table header");
		if (*ps->p == '.') {
			ps->p++;
			continue;
		}
		if (*ps->p != ']')
			return fail(ps, line, "expected '.' or ']' in table header");
		ps->p++;
		break;
	}
	if (aot) {
		if (peek(ps, 0) != ']')
			return fail(ps, line, "expected ']]' to close an array-of-tables header");
		ps->p++;
	}
	if (!buf_add(ps, &ps->tshow, "]]", aot ? 2 : 1))
		return false;
	if (!finish_line(ps, "table header"))
		return false;

	/* Walk the path; a prefix that is an array of tables means its
	 * last element, as TOML has it. */
	ps->work.len = 0;
	for (i = 0; i < n; i++) {
		const char *s;
		size_t len;
		struct node *nd;
		bool last = i + 1 == n;

		enc_next(&ps->hcomps, &pos, &s, &len);
		if (!enc_add(ps, &ps->work, s, len))
			return false;
		nd = ns_find(&ps->nodes, ps->work.p, ps->work.len);
		if (nd && nd->kind == N_VALUE)
			return fail(ps, line, "'%s' is already a key with a value, not a table",
				    diag_quote(shown, sizeof(shown), s, len));
		if (!last) {
			if (!nd) {
				nd = ns_insert(ps, &ps->nodes, ps->work.p,
					       ps->work.len, N_TABLE_IMPLICIT);
				if (!nd)
					return false;
			}
			parent_kind = nd->kind;
			if (nd->kind == N_AOT &&
			    !add_index(ps, &ps->work, nd->count - 1))
				return false;
			continue;
		}
		if (aot) {
			if (!nd) {
				nd = ns_insert(ps, &ps->nodes, ps->work.p,
					       ps->work.len, N_AOT);
				if (!nd)
					return false;
			} else if (nd->kind != N_AOT) {
				return fail(ps, line, "%s is already a table, not an array of tables",
					    ps->tshow.p);
			} else {
				nd->count++;
			}
			if (!add_index(ps, &ps->work, nd->count - 1))
				return false;
		} else if (!nd) {
			if (!ns_insert(ps, &ps->nodes, ps->work.p,
				       ps->work.len, N_TABLE_EXPLICIT))
				return false;
		} else if (nd->kind == N_TABLE_IMPLICIT) {
			nd->kind = N_TABLE_EXPLICIT;
		} else if (nd->kind == N_AOT) {
			return fail(ps, line, "%s is already an array of tables",
				    ps->tshow.p);
		} else {
			return fail(ps, line, "table %s defined twice",
				    ps->tshow.p);
		}
	}
	if (!buf_set(ps, &ps->tpath, &ps->work))
		return false;
	return set_context(ps, n, aot, parent_kind, line);
}

/* ------------------------------------------------------------------ */
/* assembling the result */

static bool check_threats(struct parser *ps)
{
	size_t i, j;

	for (i = 0; i < ps->nthreats; i++) {
		struct tmp_threat *t = &ps->threats[i];

		if (!t->framework)
			return fail(ps, t->line, "missing required key 'framework' in [[rule.threat]]");
		if (!t->have_tactic)
			return fail(ps, t->line, "[[rule.threat]] has no [rule.threat.tactic]");
		if (!t->tactic_id || !t->tactic_name || !t->tactic_ref)
			return fail(ps, t->tactic_line, "missing required key '%s' in [rule.threat.tactic]",
				    !t->tactic_id ? "id" :
				    !t->tactic_name ? "name" : "reference");
		for (j = 0; j < t->ntechs; j++) {
			struct tmp_tech *te = &t->techs[j];

			if (!te->id || !te->name || !te->ref)
				return fail(ps, te->line, "missing required key '%s' in [[rule.threat.technique]]",
					    !te->id ? "id" :
					    !te->name ? "name" : "reference");
		}
	}
	return true;
}

/* Move the threats into the rule_file; ownership of the strings moves. */
static bool build_threats(struct parser *ps)
{
	struct rule_file *rf = ps->rf;
	size_t i, j, total = 0, at = 0;

	if (!ps->nthreats)
		return true;
	for (i = 0; i < ps->nthreats; i++)
		total += ps->threats[i].ntechs;
	rf->threats = calloc(ps->nthreats, sizeof(*rf->threats));
	if (!rf->threats)
		return oom(ps);
	if (total) {
		rf->techniques = calloc(total, sizeof(*rf->techniques));
		if (!rf->techniques)
			return oom(ps);
	}
	for (i = 0; i < ps->nthreats; i++) {
		struct tmp_threat *t = &ps->threats[i];
		struct rule_threat *rt = &rf->threats[i];

		rt->framework = t->framework;
		rt->tactic_id = t->tactic_id;
		rt->tactic_name = t->tactic_name;
		rt->tactic_reference = t->tactic_ref;
		t->framework = t->tactic_id = t->tactic_name = t->tactic_ref =
			NULL;
		rt->techniques = t->ntechs ? &rf->techniques[at] : NULL;
		rt->ntechniques = t->ntechs;
		for (j = 0; j < t->ntechs; j++, at++) {
			rf->techniques[at].id = t->techs[j].id;
			rf->techniques[at].name = t->techs[j].name;
			rf->techniques[at].reference = t->techs[j].ref;
			t->techs[j].id = t->techs[j].name = t->techs[j].ref =
				NULL;
		}
		rf->meta.nthreats = i + 1;
	}
	rf->meta.threats = rf->threats;
	return true;
}

static bool finish(struct parser *ps)
{
	struct rule_file *rf = ps->rf;
	const char *missing = NULL;
	long long version;

	if (!ps->have_rule)
		return fail(ps, 0, "missing [rule] table");
	if (ps->bad_kind[0])
		return fail(ps, ps->bad_kind_line, "%s", ps->bad_kind);
	if (!rf->meta.id)
		missing = "rule_id";
	else if (!rf->meta.name)
		missing = "name";
	else if (!rf->query)
		missing = "query";
	else if (!ps->have_risk)
		missing = "risk_score";
	else if (!ps->have_severity)
		missing = "severity";
	if (missing)
		return fail(ps, ps->rule_line,
			    "missing required key '%s' in [rule]", missing);
	if (!check_threats(ps))
		return false;

	if (!rf->maturity) {
		rf->maturity = strdup("");
		if (!rf->maturity)
			return oom(ps);
	}
	if (!rf->description) {
		rf->description = strdup("");
		if (!rf->description)
			return oom(ps);
	}
	if (ps->have_rule_version || ps->have_meta_version) {
		version = ps->have_rule_version ? ps->rule_version
						: ps->meta_version;
		snprintf(rf->version_str, sizeof(rf->version_str), "%lld",
			 version);
	}
	rf->meta.version = rf->version_str;
	rf->meta.building_block_type = rf->building_block_type;
	return build_threats(ps);
}

static void parser_free(struct parser *ps)
{
	size_t i, j;

	buf_free(&ps->scratch);
	buf_free(&ps->key);
	buf_free(&ps->tpath);
	buf_free(&ps->tshow);
	buf_free(&ps->hcomps);
	buf_free(&ps->work);
	ns_free(&ps->nodes);
	for (i = 0; i < ps->nthreats; i++) {
		struct tmp_threat *t = &ps->threats[i];

		free(t->framework);
		free(t->tactic_id);
		free(t->tactic_name);
		free(t->tactic_ref);
		for (j = 0; j < t->ntechs; j++) {
			free(t->techs[j].id);
			free(t->techs[j].name);
			free(t->techs[j].ref);
		}
		free(t->techs);
	}
	free(ps->threats);
}

/* ------------------------------------------------------------------ */
/* API */

void rulefile_free(struct rule_file *rf)
{
	size_t i;

	if (!rf)
		return;
	free(rf->path);
	free(rf->building_block_type);
	free(rf->maturity);
	free(rf->description);
	free(rf->query);
	free((char *)rf->meta.id);
	free((char *)rf->meta.name);
	free((char *)rf->meta.severity);
	if (rf->threats) {
		for (i = 0; i < rf->meta.nthreats; i++) {
			free((char *)rf->threats[i].framework);
			free((char *)rf->threats[i].tactic_id);
			free((char *)rf->threats[i].tactic_name);
			free((char *)rf->threats[i].tactic_reference);
		}
	}
	if (rf->techniques) {
		size_t total = 0;

		for (i = 0; i < rf->meta.nthreats; i++)
			total += rf->threats[i].ntechniques;
		for (i = 0; i < total; i++) {
			free((char *)rf->techniques[i].id);
			free((char *)rf->techniques[i].name);
			free((char *)rf->techniques[i].reference);
		}
	}
	free(rf->threats);
	free(rf->techniques);
	free(rf);
}

struct rule_file *rulefile_parse(const char *name, const char *text,
				 size_t len, char *err, size_t errlen)
{
	return rulefile_parse_os(name, text, len, NULL, err, errlen);
}

struct rule_file *rulefile_parse_os(const char *name, const char *text,
				    size_t len, struct rulefile_os *os,
				    char *err, size_t errlen)
{
	struct parser ps;
	struct rule_file *rf;

	if (os)
		memset(os, 0, sizeof(*os));
	memset(&ps, 0, sizeof(ps));
	ps.os = os;
	ps.name = name ? name : "<buffer>";
	ps.err = err;
	ps.errlen = errlen;
	ps.line = 1;
	if (err && errlen)
		err[0] = '\0';
	if (!text && len) {
		fail(&ps, 0, "no text");
		return NULL;
	}
	if (len > RF_MAX_FILE) {
		fail(&ps, 0, "file too large (%zu bytes, limit %zu)", len,
		     RF_MAX_FILE);
		return NULL;
	}
	rf = calloc(1, sizeof(*rf));
	if (!rf) {
		oom(&ps);
		return NULL;
	}
	rf->meta.max_signals = 100;
	rf->meta.version = rf->version_str;
	ps.rf = rf;
	rf->path = strdup(ps.name);
	if (!rf->path) {
		oom(&ps);
		goto out;
	}
	ps.p = text ? text : "";
	ps.end = ps.p + len;
	if (!check_text(&ps))
		goto out;
	/* a UTF-8 byte order mark carries no meaning */
	if (len >= 3 && !memcmp(ps.p, "\xEF\xBB\xBF", 3))
		ps.p += 3;
	if (!buf_add(&ps, &ps.tpath, "", 0) || !buf_add(&ps, &ps.tshow, "", 0))
		goto out;

	while (ps.p < ps.end) {
		skip_ws(&ps);
		skip_comment(&ps);
		if (at_eol(&ps)) {
			eat_eol(&ps);
			continue;
		}
		if (*ps.p == '[' ? !parse_header(&ps) : !parse_keyval(&ps))
			goto out;
	}
	finish(&ps);
out:
	parser_free(&ps);
	if (ps.failed) {
		rulefile_free(rf);
		return NULL;
	}
	return rf;
}

struct rule_file *rulefile_load(const char *path, char *err, size_t errlen)
{
	return rulefile_load_os(path, NULL, err, errlen);
}

struct rule_file *rulefile_load_os(const char *path, struct rulefile_os *os,
				   char *err, size_t errlen)
{
	struct rule_file *rf;
	struct stat st;
	char *text = NULL;
	size_t len = 0, cap;
	int fd;

	if (err && errlen)
		err[0] = '\0';
	if (!path) {
		if (err && errlen)
			snprintf(err, errlen, "(null): no path");
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		if (err && errlen)
			snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if ((uintmax_t)st.st_size > RF_MAX_FILE) {
		if (err && errlen)
			snprintf(err, errlen, "%s: file too large (%jd bytes, limit %zu)",
				 path, (intmax_t)st.st_size, RF_MAX_FILE);
		close(fd);
		return NULL;
	}
	/* One byte past the limit, so a file that grows after fstat is
	 * still caught by rulefile_parse's size check. */
	cap = (size_t)st.st_size + 1;
	text = malloc(cap);
	if (!text)
		goto nomem;
	for (;;) {
		ssize_t r;

		if (len == cap) {
			char *nt;

			if (cap > RF_MAX_FILE)
				break;
			cap = cap * 2 > RF_MAX_FILE + 1 ? RF_MAX_FILE + 1
							: cap * 2;
			nt = realloc(text, cap);
			if (!nt)
				goto nomem;
			text = nt;
		}
		r = read(fd, text + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			if (err && errlen)
				snprintf(err, errlen, "%s: %s", path,
					 strerror(errno));
			free(text);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	rf = rulefile_parse_os(path, text, len, os, err, errlen);
	free(text);
	return rf;
nomem:
	if (err && errlen)
		snprintf(err, errlen, "%s: out of memory", path);
	free(text);
	close(fd);
	return NULL;
}
