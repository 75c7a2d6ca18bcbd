/*
 * alert.c - format one alert as a text line or an ECS JSON object, escaped
 * and within a size limit (see alert.h).
 *
 * Size limit. The alert is first written whole. When it is too long, a cut
 * plan is chosen and the alert is written once more following it:
 *  - argv lists keep a head and a tail, with one marker element for the
 *    middle. The lists are the exec's and the parent's argv and, with a
 *    lineage, the previous image's, each ancestor's and each timeline
 *    entry's. Room is shared out shortest first: each list keeps up to an
 *    equal share of what the shorter ones leave, so the longest is cut
 *    first (with two lists: the shorter keeps up to half). The previous
 *    image's and the ancestors' lists are also held to the lineage's
 *    argv_bytes, their strings to half of it. Costs are computed per
 *    argument from escaped lengths, so one plan costs one pass over the
 *    event, whatever the number of arguments;
 *  - when the fields plus the first and last argument of each list do not
 *    fit, every untrusted string is capped at `cap` escaped bytes (cut in its
 *    middle with a marker); the largest cap that fits is found by bisection
 *    over cheap measurements (fields and the end arguments only). While the
 *    alert still carries timeline entries or ancestors, the cap may not go
 *    below CONTEXT_MIN_CAP: the context goes before the evidence is cut to
 *    shreds;
 *  - then the context is dropped, one item at a time: the timeline's
 *    entries, oldest first, then the ancestors, farthest first (JSON has
 *    given up the redundant command lines and the threat references
 *    before: they lose nothing);
 *  - as a last resort, optional JSON keys are dropped and the lists keep only
 *    their marker. A fixed minimal alert is the final fallback.
 * Every drop is said in the alert (auditd.dropped / dropped=[...]): how
 * many timeline entries and ancestors, the rank of the JSON fields left
 * out, the threat references. Every cost
 * used for planning is an upper bound of what is written, and the result
 * is checked against the limit before it is accepted. Cost: a few passes
 * over the event (one per drop level tried), plus O(log max_len)
 * measurements of the fields and end arguments; nothing is allocated.
 *
 * Strings are escaped by "units": one byte in text form; in JSON one valid
 * UTF-8 sequence or one invalid byte. Cuts happen only between units, so a
 * cut never splits an escape or a UTF-8 sequence.
 */
#include "alert.h"
#include "ecs_event.h"
#include "lineage.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NOCAP SIZE_MAX

/* The lists: the exec's argv, the parent's, the previous image's, then the
 * ancestors' (nearest first) and the timeline's (oldest first). */
enum { CHILD = 0, PARENT = 1, PREVIOUS = 2, ANC0 = 3 };
#define MAX_LISTS (ANC0 + LINEAGE_MAX_DEPTH + TIMELINE_MAX_SIZE)

/* A string cap below this is not worth keeping context for. */
#define CONTEXT_MIN_CAP 256u

/*
 * Degradation beyond string caps, in order. The JSON skeleton alone (ECS
 * constants and the threat array) takes most of ALERT_MIN_LEN, so JSON
 * gives up redundant or optional keys first: fields by their table rank
 * (ecs_field.drop: the command lines repeat the args, then the working
 * directory, the previous image and the entity ids, then the executables,
 * optional in ECS), the threat references (they follow from their ids)
 * after the first rank. The context (timeline, ancestors) is dropped at
 * CONTEXT_LEVEL, item by item. Only then do the lists lose their end
 * arguments.
 */
enum drop_flags {
	DROP_REFS = 1u << 0,      /* threat tactic/technique reference URLs */
	DROP_ARG_ENDS = 1u << 1,  /* lists keep only their marker */
	DROP_THREATS = 1u << 2,   /* follows from rule.id; only for huge rules */
};

struct level {
	unsigned rank;            /* fields with 0 < drop <= rank are left out */
	unsigned drop;            /* enum drop_flags */
};

static const struct level json_levels[] = {
	{ 0, 0 },
	{ 1, 0 },
	{ 1, DROP_REFS },         /* JSON_CONTEXT_LEVEL */
	{ 2, DROP_REFS },
	{ 3, DROP_REFS },
	{ 3, DROP_REFS | DROP_ARG_ENDS },
	{ 3, DROP_REFS | DROP_ARG_ENDS | DROP_THREATS },
};
#define JSON_CONTEXT_LEVEL 2u

static const struct level text_levels[] = {
	{ 0, 0 },                 /* TEXT_CONTEXT_LEVEL */
	{ 0, DROP_ARG_ENDS },
};
#define TEXT_CONTEXT_LEVEL 0u

struct plan {
	size_t cap;               /* max escaped bytes per untrusted string */
	uint32_t head[MAX_LISTS]; /* arguments kept from the start, per list */
	uint32_t tail[MAX_LISTS]; /* ... and from the end */
	bool bare;                /* measuring: lists written without elements */
	unsigned rank;            /* struct level */
	unsigned drop;
	unsigned keep_anc;        /* ancestors kept, nearest first */
	unsigned keep_tl;         /* timeline entries kept, newest */
};

struct ctx {
	struct strbuf *sb;
	const struct alert *a;
	enum alert_format fmt;
	struct plan p;
	struct eql_event e;         /* every field of the exec (ecs_event.h) */
	/* the lineage's views (lineage.h), taken once */
	const struct lineage_image *prev;
	const struct lineage_image *anc;
	unsigned nanc;
	const struct timeline_entry *tl;
	unsigned ntl;
	const struct argv *ancestry;
	unsigned nlists;            /* ANC0 + nanc + ntl */
	const struct argv *list[MAX_LISTS]; /* NULL: absent */
	size_t list_bytes[MAX_LISTS]; /* sum of argument lengths, for markers */
	size_t list_cap[MAX_LISTS];   /* escaped bytes the list may take */
	unsigned n_arr[MAX_LISTS];  /* times the plan writes each list as an */
	unsigned n_join[MAX_LISTS]; /* array, and joined into a string */
};

/* ---- escaping ---------------------------------------------------------- */

/* One escaped unit: `in` raw bytes written as out[0..outlen). */
struct unit {
	size_t in;
	size_t outlen;
	char out[8];
};

static const char hexdig[] = "0123456789abcdef";

static void unit_hex(struct unit *u, unsigned char c, bool json)
{
	size_t k = 0;

	u->out[k++] = '\\';
	if (json)
		u->out[k++] = '\\';  /* the text "\xHH" inside a JSON string */
	u->out[k++] = 'x';
	u->out[k++] = hexdig[c >> 4];
	u->out[k++] = hexdig[c & 15];
	u->outlen = k;
}

static void unit_text(const unsigned char *s, size_t i, struct unit *u)
{
	unsigned char c = s[i];

	u->in = 1;
	if (c == '"' || c == '\\') {
		u->out[0] = '\\';
		u->out[1] = (char)c;
		u->outlen = 2;
	} else if (c >= 0x20 && c <= 0x7e) {
		u->out[0] = (char)c;
		u->outlen = 1;
	} else {
		unit_hex(u, c, false);
	}
}

/*
 * Length of the well-formed UTF-8 sequence at s[i] (Unicode table 3-7:
 * no overlongs, no surrogates, nothing above U+10FFFF), 0 when there is
 * none. Looks only at s[i..n), so decoding from any unit boundary gives the
 * same units as decoding from the start.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t i,
		       uint32_t *cp)
{
	unsigned char c = s[i], lo = 0x80, hi = 0xbf;
	size_t len, k;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n - i < len)
		return 0;
	for (k = 1; k < len; k++) {
		unsigned char b = s[i + k];

		if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf))
			return 0;
		v = v << 6 | (b & 0x3f);
	}
	*cp = v;
	return len;
}

static void unit_json(const unsigned char *s, size_t n, size_t i,
		      struct unit *u)
{
	unsigned char c = s[i];
	uint32_t cp = 0;
	size_t len;

	if (c < 0x80) {
		const char *short_esc = NULL;

		u->in = 1;
		switch (c) {
		case '"': short_esc = "\\\""; break;
		case '\\': short_esc = "\\\\"; break;
		case '\b': short_esc = "\\b"; break;
		case '\f': short_esc = "\\f"; break;
		case '\n': short_esc = "\\n"; break;
		case '\r': short_esc = "\\r"; break;
		case '\t': short_esc = "\\t"; break;
		default: break;
		}
		if (short_esc) {
			memcpy(u->out, short_esc, 2);
			u->outlen = 2;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(u->out, "\\u00", 4);
			u->out[4] = hexdig[c >> 4];
			u->out[5] = hexdig[c & 15];
			u->outlen = 6;
		} else {
			u->out[0] = (char)c;
			u->outlen = 1;
		}
		return;
	}

	len = utf8_seq(s, n, i, &cp);
	if (len == 0) {
		u->in = 1;
		unit_hex(u, c, true);
		return;
	}
	u->in = len;
	/* C1 controls and the JavaScript line separators: valid JSON, but
	 * they break lines or terminals downstream. */
	if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029) {
		u->out[0] = '\\';
		u->out[1] = 'u';
		u->out[2] = hexdig[(cp >> 12) & 15];
		u->out[3] = hexdig[(cp >> 8) & 15];
		u->out[4] = hexdig[(cp >> 4) & 15];
		u->out[5] = hexdig[cp & 15];
		u->outlen = 6;
		return;
	}
	memcpy(u->out, s + i, len);
	u->outlen = len;
}

static void unit_at(enum alert_format fmt, const unsigned char *s, size_t n,
		    size_t i, struct unit *u)
{
	if (fmt == ALERT_FORMAT_JSON)
		unit_json(s, n, i, u);
	else
		unit_text(s, i, u);
}

/* Write the escaped units of s[from..to); from and to are unit boundaries
 * of s[0..n). Output goes through a small buffer to keep sb_add calls few. */
static void escape_range(struct strbuf *sb, enum alert_format fmt,
			 const char *str, size_t n, size_t from, size_t to)
{
	const unsigned char *s = (const unsigned char *)str;
	char chunk[256];
	size_t used = 0, i = from;
	struct unit u;

	while (i < to) {
		unit_at(fmt, s, n, i, &u);
		if (used + u.outlen > sizeof(chunk)) {
			sb_add(sb, chunk, used);
			used = 0;
			if (sb->overflow)
				return;
		}
		memcpy(chunk + used, u.out, u.outlen);
		used += u.outlen;
		i += u.in;
	}
	sb_add(sb, chunk, used);
}

static size_t escaped_len(enum alert_format fmt, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len = 0;
	struct unit u;

	while (i < n) {
		unit_at(fmt, s, n, i, &u);
		len += u.outlen;
		i += u.in;
	}
	return len;
}

void alert_escape_text(struct strbuf *out, const char *s, size_t n)
{
	escape_range(out, ALERT_FORMAT_TEXT, s, n, 0, n);
}

void alert_escape_json(struct strbuf *out, const char *s, size_t n)
{
	escape_range(out, ALERT_FORMAT_JSON, s, n, 0, n);
}

/* ---- markers ------------------------------------------------------------ */

/* Room for either marker with 20-digit numbers. */
#define MARKER_MAX 96

/* Markers are plain ASCII with nothing to escape in either format. */
static int str_marker(char *buf, size_t size, size_t omitted)
{
	return snprintf(buf, size, "...[%zu byte%s omitted]...", omitted,
			omitted == 1 ? "" : "s");
}

static int list_marker(char *buf, size_t size, uint32_t nargs, size_t nbytes)
{
	return snprintf(buf, size, "...%u arg%s, %zu byte%s omitted...",
			(unsigned)nargs, nargs == 1 ? "" : "s", nbytes,
			nbytes == 1 ? "" : "s");
}

/* Longest string marker a string of n raw bytes can need. */
static size_t digits(uint64_t v)
{
	size_t d = 1;

	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

/* The plural forms are the longest: "...[" N " bytes omitted]..." and
 * "..." N " args, " M " bytes omitted...". Counted, not printed: planning
 * asks for them once per argument and plan. (Too small a count would let
 * an alert pass its limit: test_alert's size tests would see it.) */
static size_t str_marker_max(size_t n)
{
	return 22 + digits(n);
}

static size_t list_marker_max(uint32_t argc, size_t bytes)
{
	return 27 + digits(argc) + digits(bytes);
}

/* ---- capped strings ----------------------------------------------------- */

/* Escaped length of s once capped: its full length when it is not cut. */
static size_t capped_len(enum alert_format fmt, const char *s, size_t n,
			 size_t cap)
{
	size_t e = escaped_len(fmt, s, n);
	size_t bound;

	if (cap == NOCAP)
		return e;
	bound = str_marker_max(n);
	if (bound < cap)
		bound = cap;
	return e <= bound ? e : bound;
}

/*
 * Write s escaped, cut in its middle when its escaped form exceeds the cap:
 * head and tail each get half of what the cap leaves beside the longest
 * possible marker, so the result is at most max(cap, marker) bytes.
 */
static void put_str_cap(struct ctx *c, const char *str, size_t n, size_t cap)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t e, mk, budget, hb, tb, cum, i, head_end, tail_start;
	bool head_done = false;
	char marker[MARKER_MAX];
	struct unit u;

	if (cap == NOCAP) {
		escape_range(c->sb, c->fmt, str, n, 0, n);
		return;
	}
	e = escaped_len(c->fmt, str, n);
	mk = str_marker_max(n);
	if (e <= cap || e <= mk) {
		escape_range(c->sb, c->fmt, str, n, 0, n);
		return;
	}
	budget = cap > mk ? cap - mk : 0;
	hb = budget - budget / 2;
	tb = budget / 2;

	/* One forward pass finds both cut points: the head ends at the last
	 * unit that fits hb; the tail starts at the first boundary whose
	 * remaining escaped length fits tb. hb + tb < e keeps them apart. */
	cum = 0;
	i = 0;
	head_end = 0;
	tail_start = n;
	while (i < n) {
		if (e - cum <= tb) {
			tail_start = i;
			break;
		}
		unit_at(c->fmt, s, n, i, &u);
		if (!head_done) {
			if (cum + u.outlen <= hb)
				head_end = i + u.in;
			else
				head_done = true;
		}
		cum += u.outlen;
		i += u.in;
	}

	escape_range(c->sb, c->fmt, str, n, 0, head_end);
	str_marker(marker, sizeof(marker), tail_start - head_end);
	sb_adds(c->sb, marker);
	escape_range(c->sb, c->fmt, str, n, tail_start, n);
}

static void put_str(struct ctx *c, const char *s, size_t n)
{
	put_str_cap(c, s, n, c->p.cap);
}

static void put_qstr(struct ctx *c, const char *s, size_t n)
{
	sb_addc(c->sb, '"');
	put_str(c, s, n);
	sb_addc(c->sb, '"');
}

/* Trusted constants (rule metadata) are escaped too, but never cut. */
static void put_const(struct ctx *c, const char *s)
{
	if (s)
		escape_range(c->sb, c->fmt, s, strlen(s), 0, strlen(s));
}

static void put_qconst(struct ctx *c, const char *s)
{
	sb_addc(c->sb, '"');
	put_const(c, s);
	sb_addc(c->sb, '"');
}

/* ---- which fields the current plan writes -------------------------------- */

static bool parent_unknown(const struct ctx *c, const struct ecs_field *f)
{
	return (f->flags & ECS_OF_PARENT) && !c->a->parent;
}

/* Ext.ancestry's ids that the plan shows: the previous image's and the
 * parent's, and those of the ancestors it keeps. */
static uint32_t ancestry_shown(const struct ctx *c)
{
	uint32_t n;

	if (!c->ancestry)
		return 0;
	n = c->ancestry->argc;
	if (n > (c->prev && c->prev->entity_id ? 1u : 0u) + 1u + c->p.keep_anc)
		n = (c->prev && c->prev->entity_id ? 1u : 0u) + 1u +
		    c->p.keep_anc;
	return n;
}

/* Timeline entries and ancestors left out by the plan. */
static bool context_dropped(const struct ctx *c)
{
	return c->p.keep_tl < c->ntl || c->p.keep_anc < c->nanc;
}

/* A field the plan drops by its rank (JSON only). */
static bool rank_drops(const struct ctx *c, const struct ecs_field *f)
{
	return c->fmt == ALERT_FORMAT_JSON && f->drop && f->drop <= c->p.rank;
}

/* Whether a lineage row has anything to write, rank aside. */
static bool lineage_present(const struct ctx *c, const struct ecs_field *f)
{
	switch (f->list) {
	case ECS_LIST_PREVIOUS:
		return c->prev != NULL;
	case ECS_LIST_ANCESTRY:
		return ancestry_shown(c) > 0;
	case ECS_LIST_ANCESTORS:
		return c->p.keep_anc > 0;
	case ECS_LIST_TIMELINE:
		return c->p.keep_tl > 0;
	default:
		return false;
	}
}

static bool dropped_any(const struct ctx *c);

/* A field the JSON alert writes under the current plan. A string made of a
 * list (command_line) is written whenever its list is, even empty. */
static bool json_shows(const struct ctx *c, unsigned i)
{
	const struct ecs_field *f = &ecs_fields[i];

	if (!(f->flags & ECS_JSON))
		return false;
	if (f->list == ECS_LIST_DROPPED)
		return dropped_any(c);
	if (rank_drops(c, f))
		return false;
	if (f->list >= ECS_LIST_PREVIOUS)
		return lineage_present(c, f);
	if (f->list >= 0)
		return c->list[f->list] != NULL;
	return c->e.f[i].kind != EQL_MISSING;
}

/* A field the JSON alert would write were it not for its rank. */
static bool json_would_show(const struct ctx *c, unsigned i)
{
	const struct ecs_field *f = &ecs_fields[i];

	if (!(f->flags & ECS_JSON) || !f->drop || f->list == ECS_LIST_DROPPED)
		return false;
	if (f->list >= ECS_LIST_PREVIOUS)
		return lineage_present(c, f);
	if (f->list >= 0)
		return c->list[f->list] != NULL;
	return c->e.f[i].kind != EQL_MISSING;
}

static bool dropped_any(const struct ctx *c)
{
	unsigned i;

	if (context_dropped(c))
		return true;
	if (c->fmt != ALERT_FORMAT_JSON)
		return false;
	if (c->p.drop & (DROP_REFS | DROP_THREATS))
		return true;
	for (i = 0; i < ecs_nfields; i++)
		if (rank_drops(c, &ecs_fields[i]) && json_would_show(c, i))
			return true;
	return false;
}

/* A field the text alert writes (parent=unknown aside). */
static bool text_shows(const struct ctx *c, const struct ecs_field *f)
{
	if (f->list == ECS_LIST_DROPPED)
		return context_dropped(c);
	if (f->list >= ECS_LIST_PREVIOUS)
		return lineage_present(c, f);
	return true;
}

/* How often each list is written, which the cost of its elements follows:
 * as an array ("args"), and joined into one string (JSON's command_line).
 * The lineage's lists are written once each, as arrays, when their row is
 * and the plan keeps their item. */
static void count_lists(struct ctx *c)
{
	unsigned i, k;

	memset(c->n_arr, 0, sizeof(c->n_arr));
	memset(c->n_join, 0, sizeof(c->n_join));
	for (i = 0; i < ecs_nfields; i++) {
		const struct ecs_field *f = &ecs_fields[i];
		bool shown;

		if (f->list < 0 || f->list == ECS_LIST_ANCESTRY ||
		    f->list == ECS_LIST_DROPPED)
			continue;
		shown = c->fmt == ALERT_FORMAT_JSON ? json_shows(c, i) :
			f->text != NULL && !parent_unknown(c, f) &&
			text_shows(c, f);
		if (!shown)
			continue;
		switch (f->list) {
		case ECS_LIST_PREVIOUS:
			c->n_arr[PREVIOUS] = 1;
			break;
		case ECS_LIST_ANCESTORS:
			for (k = 0; k < c->p.keep_anc; k++)
				c->n_arr[ANC0 + k] = 1;
			break;
		case ECS_LIST_TIMELINE:
			for (k = c->ntl - c->p.keep_tl; k < c->ntl; k++)
				c->n_arr[ANC0 + c->nanc + k] = 1;
			break;
		default:
			if (!c->list[f->list])
				break;
			if (f->type == EQL_T_ARRAY)
				c->n_arr[f->list]++;
			else
				c->n_join[f->list]++;
			break;
		}
	}
}

static void set_level(struct ctx *c, const struct level *l, unsigned anc,
		      unsigned tl)
{
	c->p.rank = l->rank;
	c->p.drop = l->drop;
	c->p.keep_anc = anc;
	c->p.keep_tl = tl;
	count_lists(c);
}

/* ---- argv lists --------------------------------------------------------- */

/* The cap on the strings of list w: the plan's, and half of the list's
 * own room for the lineage's capped lists. */
static size_t str_cap(const struct ctx *c, int w)
{
	size_t own = c->list_cap[w] == NOCAP ? NOCAP : c->list_cap[w] / 2;

	return own < c->p.cap ? own : c->p.cap;
}

/* Bytes one element adds to the output: quoted in each array (the text
 * marker is bare), and bare in each joined string. */
static size_t elem_cost(const struct ctx *c, int w, size_t esc, bool marker)
{
	size_t in_array = (marker && c->fmt == ALERT_FORMAT_TEXT) ? esc :
								   esc + 2;

	return c->n_arr[w] * in_array + c->n_join[w] * esc;
}

static size_t sep_cost(const struct ctx *c, int w)
{
	return c->n_arr[w] + c->n_join[w];
}

static size_t arg_cost(const struct ctx *c, int w, uint32_t i)
{
	const struct argv_arg *arg = &c->list[w]->v[i];

	return elem_cost(c, w, capped_len(c->fmt, arg->ptr, arg->len,
					  str_cap(c, w)), false);
}

static size_t marker_cost(const struct ctx *c, int w)
{
	return elem_cost(c, w, list_marker_max(c->list[w]->argc,
					       c->list_bytes[w]), true);
}

/* Write one list: `cmdline` gives JSON's space-joined command line,
 * otherwise the elements of a [...] array (brackets written by caller). */
static void put_args(struct ctx *c, int w, bool cmdline)
{
	const struct argv *av = c->list[w];
	uint32_t n, h = c->p.head[w], t = c->p.tail[w], i;
	bool json = c->fmt == ALERT_FORMAT_JSON;
	char sep = cmdline ? ' ' : ',';
	size_t cap = str_cap(c, w);
	bool first = true;

	if (c->p.bare || !av)
		return;
	n = av->argc;
	if ((uint64_t)h + t >= n) {
		h = n;
		t = 0;
	}
	for (i = 0; i < h && !c->sb->overflow; i++) {
		if (!first)
			sb_addc(c->sb, sep);
		first = false;
		if (!cmdline)
			sb_addc(c->sb, '"');
		put_str_cap(c, av->v[i].ptr, av->v[i].len, cap);
		if (!cmdline)
			sb_addc(c->sb, '"');
	}
	if (h + t < n) {
		size_t bytes = c->list_bytes[w];
		char marker[MARKER_MAX];
		bool quote = json && !cmdline;

		/* what is left out: all but the kept ends */
		for (i = 0; i < h; i++)
			bytes -= av->v[i].len;
		for (i = n - t; i < n; i++)
			bytes -= av->v[i].len;
		list_marker(marker, sizeof(marker), n - h - t, bytes);
		if (!first)
			sb_addc(c->sb, sep);
		first = false;
		if (quote)
			sb_addc(c->sb, '"');
		sb_adds(c->sb, marker);
		if (quote)
			sb_addc(c->sb, '"');
	}
	for (i = n - t; i < n && !c->sb->overflow; i++) {
		if (!first)
			sb_addc(c->sb, sep);
		first = false;
		if (!cmdline)
			sb_addc(c->sb, '"');
		put_str_cap(c, av->v[i].ptr, av->v[i].len, cap);
		if (!cmdline)
			sb_addc(c->sb, '"');
	}
}

/* ---- the two formats ---------------------------------------------------- */

/* Numbers and times are written digit by digit: an alert has dozens
 * (pids and times of the lineage), and vsnprintf costs more than the
 * rest of a field. */
static void put_num(struct ctx *c, long long v)
{
	char buf[24];
	size_t i = sizeof(buf);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v :
				       (unsigned long long)v;

	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[--i] = '-';
	sb_add(c->sb, buf + i, sizeof(buf) - i);
}

/* v in exactly `width` digits (0 <= v < 10^width). */
static char *digits_at(char *p, unsigned v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

static void put_time_of(struct ctx *c, time_t t, unsigned msec)
{
	unsigned ms = msec > 999 ? 999 : msec;
	char buf[32], *p = buf;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	p = digits_at(p, (unsigned)(tm.tm_year + 1900), 4);
	*p++ = '-';
	p = digits_at(p, (unsigned)tm.tm_mon + 1, 2);
	*p++ = '-';
	p = digits_at(p, (unsigned)tm.tm_mday, 2);
	*p++ = 'T';
	p = digits_at(p, (unsigned)tm.tm_hour, 2);
	*p++ = ':';
	p = digits_at(p, (unsigned)tm.tm_min, 2);
	*p++ = ':';
	p = digits_at(p, (unsigned)tm.tm_sec, 2);
	*p++ = '.';
	p = digits_at(p, ms, 3);
	*p++ = 'Z';
	sb_add(c->sb, buf, (size_t)(p - buf));
}

static void put_time(struct ctx *c)
{
	put_time_of(c, c->a->ev->sec, c->a->ev->msec);
}

/*
 * The lineage's lists of objects. JSON writes arrays of objects; text
 * writes each object as a list of its values in a fixed order, without
 * keys ([pid,"exe",[args]], [time,pid,ppid,[args]]), so that the only
 * key=value pairs of a text alert are its own fields and a grep for
 * `time=` or `pid=` never finds an ancestor's or a timeline entry's.
 */
static void obj_open(struct ctx *c)
{
	sb_addc(c->sb, c->fmt == ALERT_FORMAT_JSON ? '{' : '[');
}

static void obj_close(struct ctx *c)
{
	sb_addc(c->sb, c->fmt == ALERT_FORMAT_JSON ? '}' : ']');
}

/* The next member: JSON's key, or text's separator alone. */
static void obj_key(struct ctx *c, bool first, const char *json)
{
	if (!first)
		sb_addc(c->sb, ',');
	if (c->fmt == ALERT_FORMAT_JSON) {
		sb_addc(c->sb, '"');
		sb_adds(c->sb, json);
		sb_adds(c->sb, "\":");
	}
}

static void obj_args(struct ctx *c, int w, const struct argv *av, bool first)
{
	obj_key(c, first, "args");
	sb_addc(c->sb, '[');
	put_args(c, w, false);
	sb_addc(c->sb, ']');
	if (av->flags & ARGV_TRUNCATED)
		sb_adds(c->sb, c->fmt == ALERT_FORMAT_JSON ?
			",\"args_truncated\":true" : ",truncated");
}

static void put_image(struct ctx *c, int w, const struct lineage_image *im,
		      bool with_pid)
{
	bool json = c->fmt == ALERT_FORMAT_JSON, first = true;

	obj_open(c);
	if (with_pid) {
		obj_key(c, first, "pid");
		put_num(c, im->pid);
		first = false;
	}
	/* JSON leaves a missing field out; text keeps its place: "" */
	if (im->exe[0] || !json) {
		obj_key(c, first, "executable");
		put_qstr(c, im->exe, strlen(im->exe));
		first = false;
	}
	obj_args(c, w, &im->argv, first);
	obj_close(c);
}

static void put_previous(struct ctx *c)
{
	sb_addc(c->sb, '[');
	put_image(c, PREVIOUS, c->prev, false);
	sb_addc(c->sb, ']');
}

static void put_ancestors(struct ctx *c)
{
	unsigned k;

	sb_addc(c->sb, '[');
	for (k = 0; k < c->p.keep_anc && !c->sb->overflow; k++) {
		if (k)
			sb_addc(c->sb, ',');
		put_image(c, (int)(ANC0 + k), &c->anc[k], true);
	}
	sb_addc(c->sb, ']');
}

static void put_timeline(struct ctx *c)
{
	bool json = c->fmt == ALERT_FORMAT_JSON;
	unsigned k;

	sb_addc(c->sb, '[');
	for (k = c->ntl - c->p.keep_tl; k < c->ntl && !c->sb->overflow; k++) {
		const struct timeline_entry *e = &c->tl[k];

		if (k > c->ntl - c->p.keep_tl)
			sb_addc(c->sb, ',');
		obj_open(c);
		obj_key(c, true, "@timestamp");
		if (json)
			sb_addc(c->sb, '"');
		put_time_of(c, e->sec, e->msec);
		if (json)
			sb_addc(c->sb, '"');
		obj_key(c, false, "pid");
		put_num(c, e->pid);
		/* JSON leaves a missing ppid out; text says unset */
		if (e->ppid >= 0) {
			obj_key(c, false, "ppid");
			put_num(c, e->ppid);
		} else if (!json) {
			sb_adds(c->sb, ",unset");
		}
		obj_args(c, (int)(ANC0 + c->nanc + k), &e->argv, false);
		obj_close(c);
	}
	sb_addc(c->sb, ']');
}

static void put_ancestry(struct ctx *c)
{
	uint32_t n = ancestry_shown(c), i;

	sb_addc(c->sb, '[');
	for (i = 0; i < n && !c->sb->overflow; i++) {
		if (i)
			sb_addc(c->sb, ',');
		put_qstr(c, c->ancestry->v[i].ptr, c->ancestry->v[i].len);
	}
	sb_addc(c->sb, ']');
}

/* What the plan left out: JSON {"timeline":N, "ancestors":N,
 * "optional":R, "threat":"references"|"all"}, text
 * [timeline:N,ancestors:N]. "optional":R says that the JSON fields of
 * drop rank R or less (ecs_fields[].drop, listed in the README) were left
 * out: short, as it is written when room is scarcest, and exact. */
static void put_dropped(struct ctx *c)
{
	bool json = c->fmt == ALERT_FORMAT_JSON, first = true;
	unsigned i;

	sb_addc(c->sb, json ? '{' : '[');
	if (c->p.keep_tl < c->ntl) {
		sb_adds(c->sb, json ? "\"timeline\":" : "timeline:");
		put_num(c, c->ntl - c->p.keep_tl);
		first = false;
	}
	if (c->p.keep_anc < c->nanc) {
		if (!first)
			sb_addc(c->sb, ',');
		sb_adds(c->sb, json ? "\"ancestors\":" : "ancestors:");
		put_num(c, c->nanc - c->p.keep_anc);
		first = false;
	}
	if (json && c->p.rank > 0) {
		for (i = 0; i < ecs_nfields; i++)
			if (rank_drops(c, &ecs_fields[i]) &&
			    json_would_show(c, i))
				break;
		if (i < ecs_nfields) {
			if (!first)
				sb_addc(c->sb, ',');
			sb_adds(c->sb, "\"optional\":");
			put_num(c, c->p.rank);
			first = false;
		}
	}
	if (json && (c->p.drop & (DROP_REFS | DROP_THREATS))) {
		if (!first)
			sb_addc(c->sb, ',');
		sb_adds(c->sb, c->p.drop & DROP_THREATS ?
			"\"threat\":\"all\"" : "\"threat\":\"references\"");
	}
	sb_addc(c->sb, json ? '}' : ']');
}

/* The value of a lineage row (ecs_field.list >= ECS_LIST_PREVIOUS). */
static void put_lineage_value(struct ctx *c, const struct ecs_field *f)
{
	switch (f->list) {
	case ECS_LIST_PREVIOUS:
		put_previous(c);
		break;
	case ECS_LIST_ANCESTRY:
		put_ancestry(c);
		break;
	case ECS_LIST_ANCESTORS:
		put_ancestors(c);
		break;
	case ECS_LIST_TIMELINE:
		put_timeline(c);
		break;
	default:
		put_dropped(c);
		break;
	}
}

/* One field's value in the text alert: numbers and ids bare, strings
 * quoted (a string made of a list as the list joined, cut like it), lists
 * in brackets, a set flag as yes. A missing value reads "" (unset when
 * bare) unless the field is left out then. */
static void put_text_value(struct ctx *c, const struct ecs_field *f,
			   const struct eql_value *v)
{
	bool missing = v->kind == EQL_MISSING;

	if (f->list >= ECS_LIST_PREVIOUS) {
		put_lineage_value(c, f);
		return;
	}
	switch (f->type) {
	case EQL_T_NUMBER:
		if (missing)
			sb_adds(c->sb, "unset");
		else
			put_num(c, (long long)v->num);
		break;
	case EQL_T_ARRAY:
		sb_addc(c->sb, '[');
		if (!missing)
			put_args(c, f->list, false);
		sb_addc(c->sb, ']');
		break;
	case EQL_T_BOOL:
		sb_adds(c->sb, missing || !v->num ? "no" : "yes");
		break;
	default:
		if (f->list >= 0 && c->list[f->list]) {
			sb_addc(c->sb, '"');
			put_args(c, f->list, true);
			sb_addc(c->sb, '"');
		} else if (!(f->flags & ECS_TEXT_BARE)) {
			put_qstr(c, v->s, missing ? 0 : v->n);
		} else if (missing) {
			sb_adds(c->sb, "unset");
		} else {
			put_str(c, v->s, v->n);
		}
		break;
	}
}

static void render_text(struct ctx *c)
{
	const struct rule_meta *r = c->a->rule;
	struct strbuf *sb = c->sb;
	const uint8_t *order;
	unsigned n, i;
	bool said_unknown = false;

	sb_adds(sb, "alert rule=");
	put_qconst(c, r->name);
	sb_adds(sb, " rule_id=");
	put_const(c, r->id);
	if (r->building_block_type) {
		sb_adds(sb, " building_block_type=");
		put_qconst(c, r->building_block_type);
	}
	sb_adds(sb, " severity=");
	put_const(c, r->severity);
	sb_adds(sb, " time=");
	put_time(c);
	order = ecs_text_order(&n);
	for (i = 0; i < n && !sb->overflow; i++) {
		const struct ecs_field *f = &ecs_fields[order[i]];
		const struct eql_value *v = &c->e.f[order[i]];

		/* The parent's fields say one thing when it is unknown. */
		if (parent_unknown(c, f)) {
			if (!said_unknown)
				sb_adds(sb, " parent=unknown");
			said_unknown = true;
			continue;
		}
		if (!text_shows(c, f))
			continue;
		if (f->list < ECS_LIST_PREVIOUS && v->kind == EQL_MISSING &&
		    (f->flags & ECS_TEXT_OMIT_MISSING))
			continue;
		sb_addc(sb, ' ');
		sb_adds(sb, f->text);
		sb_addc(sb, '=');
		put_text_value(c, f, v);
	}
}

static void render_threats(struct ctx *c)
{
	const struct rule_meta *r = c->a->rule;
	struct strbuf *sb = c->sb;
	size_t i, j;

	sb_adds(sb, "\"threat\":[");
	for (i = 0; i < r->nthreats; i++) {
		const struct rule_threat *t = &r->threats[i];

		if (i)
			sb_addc(sb, ',');
		sb_adds(sb, "{\"framework\":");
		put_qconst(c, t->framework);
		sb_adds(sb, ",\"tactic\":{\"id\":");
		put_qconst(c, t->tactic_id);
		sb_adds(sb, ",\"name\":");
		put_qconst(c, t->tactic_name);
		if (!(c->p.drop & DROP_REFS)) {
			sb_adds(sb, ",\"reference\":");
			put_qconst(c, t->tactic_reference);
		}
		sb_adds(sb, "},\"technique\":[");
		for (j = 0; j < t->ntechniques; j++) {
			const struct rule_technique *q = &t->techniques[j];

			if (j)
				sb_addc(sb, ',');
			sb_adds(sb, "{\"id\":");
			put_qconst(c, q->id);
			sb_adds(sb, ",\"name\":");
			put_qconst(c, q->name);
			if (!(c->p.drop & DROP_REFS)) {
				sb_adds(sb, ",\"reference\":");
				put_qconst(c, q->reference);
			}
			sb_addc(sb, '}');
		}
		sb_adds(sb, "]}");
	}
	sb_addc(sb, ']');
}

/* Everything up to and including "threat":[...], the part both the full
 * JSON alert and the fallback share. */
static void render_json_head(struct ctx *c)
{
	const struct rule_meta *r = c->a->rule;
	struct strbuf *sb = c->sb;

	sb_adds(sb, "{\"@timestamp\":\"");
	put_time(c);
	sb_adds(sb, "\",\"event\":{\"kind\":\"alert\",\"category\":"
		"[\"process\"],\"type\":[\"start\"],\"action\":\"exec\"");
	sb_printf(sb, ",\"risk_score\":%d,\"severity\":%d},", r->risk_score,
		  r->risk_score);
	sb_adds(sb, "\"rule\":{\"id\":");
	put_qconst(c, r->id);
	sb_adds(sb, ",\"name\":");
	put_qconst(c, r->name);
	sb_adds(sb, ",\"version\":");
	put_qconst(c, r->version);
	if (r->building_block_type) {
		sb_adds(sb, ",\"building_block_type\":");
		put_qconst(c, r->building_block_type);
	}
	sb_addc(sb, '}');
	if (!(c->p.drop & DROP_THREATS)) {
		sb_addc(sb, ',');
		render_threats(c);
	}
}

/*
 * JSON objects from dotted names: `path` is the object open now (a prefix
 * of the last name written, "" for the alert's top object). A name closes
 * the objects it does not share and opens its own, so fields of one object
 * must be next to each other in the table (they are: it is in JSON order).
 * Names are table constants: written as they are.
 */
struct jpath {
	const char *path;
	size_t len;
	bool first;               /* the open object has no member yet */
};

/* Length of the common prefix of two object paths, in whole components. */
static size_t common_objects(const char *a, size_t alen, const char *b,
			     size_t blen)
{
	size_t i = 0, common = 0, ea, eb;

	while (i < alen && i < blen) {
		for (ea = i; ea < alen && a[ea] != '.'; ea++)
			;
		for (eb = i; eb < blen && b[eb] != '.'; eb++)
			;
		if (ea != eb || memcmp(a + i, b + i, ea - i) != 0)
			break;
		common = ea;
		i = ea + 1;
	}
	return common;
}

static unsigned objects_in(const char *path, size_t len)
{
	unsigned n = len ? 1 : 0;
	size_t i;

	for (i = 0; i < len; i++)
		if (path[i] == '.')
			n++;
	return n;
}

/* Close the open objects down to the first `keep` bytes of the path. */
static void json_close_to(struct ctx *c, struct jpath *jp, size_t keep)
{
	unsigned n = objects_in(jp->path, jp->len) -
		     objects_in(jp->path, keep);

	while (n--)
		sb_addc(c->sb, '}');
	jp->len = keep;
	/* a closed object is a member of the one it was in */
	jp->first = false;
}

static void json_key(struct ctx *c, struct jpath *jp, const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t olen = dot ? (size_t)(dot - name) : 0, keep, i, start;

	keep = common_objects(jp->path, jp->len, name, olen);
	if (keep < jp->len)
		json_close_to(c, jp, keep);
	/* open the objects of this name beyond the shared ones */
	start = keep ? keep + 1 : 0;
	for (i = start; i < olen; i++) {
		size_t end = i;

		while (end < olen && name[end] != '.')
			end++;
		if (!jp->first)
			sb_addc(c->sb, ',');
		sb_addc(c->sb, '"');
		sb_add(c->sb, name + i, end - i);
		sb_adds(c->sb, "\":{");
		jp->first = true;
		i = end;
	}
	jp->path = name;
	jp->len = olen;
	if (!jp->first)
		sb_addc(c->sb, ',');
	jp->first = false;
	sb_addc(c->sb, '"');
	sb_adds(c->sb, dot ? dot + 1 : name);
	sb_adds(c->sb, "\":");
}

static void put_json_value(struct ctx *c, const struct ecs_field *f,
			   const struct eql_value *v)
{
	if (f->list >= ECS_LIST_PREVIOUS) {
		put_lineage_value(c, f);
		return;
	}
	switch (f->type) {
	case EQL_T_NUMBER:
		put_num(c, (long long)v->num);
		break;
	case EQL_T_ARRAY:
		sb_addc(c->sb, '[');
		put_args(c, f->list, false);
		sb_addc(c->sb, ']');
		break;
	case EQL_T_BOOL:
		sb_adds(c->sb, v->num ? "true" : "false");
		break;
	default:
		if (f->list >= 0) {
			sb_addc(c->sb, '"');
			put_args(c, f->list, true);
			sb_addc(c->sb, '"');
		} else {
			put_qstr(c, v->s, v->n);
		}
		break;
	}
}

static void render_json(struct ctx *c)
{
	struct jpath jp = { "", 0, false };
	unsigned i;

	render_json_head(c);
	for (i = 0; i < ecs_nfields && !c->sb->overflow; i++) {
		if (!json_shows(c, i))
			continue;
		json_key(c, &jp, ecs_fields[i].name);
		put_json_value(c, &ecs_fields[i], &c->e.f[i]);
	}
	json_close_to(c, &jp, 0);
	sb_addc(c->sb, '}');
}

static void render(struct ctx *c)
{
	sb_reset(c->sb);
	if (c->fmt == ALERT_FORMAT_JSON)
		render_json(c);
	else
		render_text(c);
}

/*
 * Last resort, with no untrusted text at all: rule, time and ids only. Its
 * size depends on the rule constants alone, far below ALERT_MIN_LEN unless
 * the threat list is huge, which is then left out too.
 */
static void render_fallback(struct ctx *c)
{
	const struct exec_event *ev = c->a->ev;
	struct strbuf *sb = c->sb;

	sb_reset(sb);
	c->p.drop = DROP_REFS;
	if (c->fmt == ALERT_FORMAT_JSON) {
		render_json_head(c);
		if (sb->overflow) {
			c->p.drop |= DROP_THREATS;
			sb_reset(sb);
			render_json_head(c);
		}
		sb_printf(sb, ",\"process\":{\"pid\":%d,\"args_count\":%u,"
			  "\"parent\":{\"pid\":%d}},\"auditd\":{\"sequence\":"
			  "%lu}}", (int)ev->pid, (unsigned)ev->argv->argc,
			  (int)ev->ppid, ev->serial);
		return;
	}
	sb_adds(sb, "alert rule=");
	put_qconst(c, c->a->rule->name);
	sb_adds(sb, " rule_id=");
	put_const(c, c->a->rule->id);
	sb_adds(sb, " time=");
	put_time(c);
	sb_printf(sb, " serial=%lu pid=%d ppid=%d fields=omitted", ev->serial,
		  (int)ev->pid, (int)ev->ppid);
}


/* ---- planning ----------------------------------------------------------- */

/* Length of the alert with every list empty, or SIZE_MAX past the limit. */
static size_t measure_base(struct ctx *c)
{
	size_t len;

	c->p.bare = true;
	render(c);
	c->p.bare = false;
	len = c->sb->len;
	if (c->sb->overflow || c->sb->nomem)
		return SIZE_MAX;
	return len;
}

/* The plan writes list w at all. */
static bool list_shown(const struct ctx *c, int w)
{
	return c->list[w] && c->list[w]->argc && sep_cost(c, w);
}

static size_t list_min(const struct ctx *c, int w)
{
	const struct argv *av = c->list[w];
	uint32_t n = av ? av->argc : 0;
	size_t sep = sep_cost(c, w);

	if (n == 0 || sep == 0)
		return 0;
	if (c->p.drop & DROP_ARG_ENDS)
		return marker_cost(c, w);
	if (n == 1)
		return arg_cost(c, w, 0);
	if (n == 2)
		return arg_cost(c, w, 0) + sep + arg_cost(c, w, 1);
	return arg_cost(c, w, 0) + sep + marker_cost(c, w) + sep +
	       arg_cost(c, w, n - 1);
}

/* The whole list's cost; for a list with its own room, counting stops
 * once past it (it is cut anyway), which bounds the work on an
 * ancestor's huge argv. */
static size_t list_full(const struct ctx *c, int w)
{
	const struct argv *av = c->list[w];
	size_t sum = 0, stop = c->list_cap[w], sep = sep_cost(c, w);
	uint32_t i;

	if (!av || av->argc == 0 || sep == 0)
		return 0;
	for (i = 0; i < av->argc; i++) {
		sum += arg_cost(c, w, i) + (i ? sep : 0);
		if (sum > stop)
			break;
	}
	return sum;
}

/*
 * Keep as many arguments of list w as fit `budget` (which the list's
 * minimum fits): first and last always, then alternately from the front
 * and the back; a side that meets an argument too big stops, the other
 * goes on. Returns the bytes used (an upper bound).
 */
static size_t list_fill(struct ctx *c, int w, size_t budget, size_t full)
{
	const struct argv *av = c->list[w];
	uint32_t n = av ? av->argc : 0, h, t;
	size_t used, sep = sep_cost(c, w);
	bool head_open = true, tail_open = true;

	if (n == 0 || full <= budget) {
		c->p.head[w] = n;
		c->p.tail[w] = 0;
		return full;
	}
	if ((c->p.drop & DROP_ARG_ENDS) || n < 3) {
		c->p.head[w] = 0;
		c->p.tail[w] = 0;
		return marker_cost(c, w);
	}
	h = 1;
	t = 1;
	used = list_min(c, w);
	while ((head_open || tail_open) && h + t < n) {
		bool front = head_open && (!tail_open || h <= t);
		uint32_t i = front ? h : n - 1 - t;
		size_t k = arg_cost(c, w, i) + sep;

		if (used + k <= budget) {
			used += k;
			if (front)
				h++;
			else
				t++;
		} else if (front) {
			head_open = false;
		} else {
			tail_open = false;
		}
	}
	c->p.head[w] = h;
	c->p.tail[w] = t;
	return used;
}

/*
 * Choose head/tail for every list under the current cap and drop flags.
 * Shortest first, each list reserves up to an equal share of what is left
 * (never less than its minimum, never so much that a later one loses its
 * minimum); then the lists are filled longest first, each with what the
 * reservations of the shorter ones leave, so room a long list does not
 * use goes to the shorter ones after it. With two lists this is "the
 * shorter keeps up to half". A list with its own room (list_cap) never
 * takes more than that, or its minimum.
 */
static bool plan_lists(struct ctx *c, size_t limit)
{
	size_t base, avail, left, used, summin = 0;
	size_t full[MAX_LISTS], min[MAX_LISTS], want[MAX_LISTS];
	size_t resv[MAX_LISTS];
	unsigned order[MAX_LISTS], n = 0, i, j;

	base = measure_base(c);
	if (base > limit)
		return false;
	avail = limit - base;
	for (i = 0; i < c->nlists; i++) {
		c->p.head[i] = c->list[i] ? c->list[i]->argc : 0;
		c->p.tail[i] = 0;
		if (!list_shown(c, (int)i))
			continue;
		min[i] = list_min(c, (int)i);
		if (min[i] > avail - summin)
			return false;
		summin += min[i];
		full[i] = list_full(c, (int)i);
		want[i] = full[i];
		if (c->list_cap[i] != NOCAP && want[i] > c->list_cap[i])
			want[i] = c->list_cap[i] > min[i] ? c->list_cap[i] :
							     min[i];
		/* insertion by want; of equal ones the earlier list (the
		 * exec's) counts as the longer, as it always has */
		for (j = n; j > 0 && want[order[j - 1]] >= want[i]; j--)
			order[j] = order[j - 1];
		order[j] = i;
		n++;
	}
	if (n == 0)
		return true;

	left = avail;
	for (j = 0; j + 1 < n; j++) {
		unsigned w = order[j];
		size_t x = want[w] < left / (n - j) ? want[w] : left / (n - j);

		summin -= min[w];
		if (x < min[w])
			x = min[w];
		if (x > left - summin)
			x = left - summin;
		resv[w] = x;
		left -= x;
	}
	resv[order[n - 1]] = left;

	/* longest first; each takes what the shorter ones' reservations
	 * leave of the room */
	used = 0;
	for (j = n; j-- > 0;) {
		unsigned w = order[j];
		size_t others = 0, budget;

		for (i = 0; i < j; i++)
			others += resv[order[i]];
		budget = avail - used - others;
		if (budget > want[w])
			budget = want[w];
		used += list_fill(c, (int)w, budget, full[w]);
	}
	return true;
}

static bool fits_min(struct ctx *c, size_t limit)
{
	size_t base = measure_base(c), avail, sum = 0;
	unsigned i;

	if (base > limit)
		return false;
	avail = limit - base;
	for (i = 0; i < c->nlists; i++) {
		if (!list_shown(c, (int)i))
			continue;
		sum += list_min(c, (int)i);
		if (sum > avail)
			return false;
	}
	return true;
}

static bool render_fits(struct ctx *c, size_t limit)
{
	render(c);
	return !c->sb->overflow && !c->sb->nomem && c->sb->len <= limit;
}

/* Fit under the current level and context: whole strings, else the
 * largest cap that fits, not below `floor`. */
static bool fit_level(struct ctx *c, size_t limit, size_t floor)
{
	size_t lo, hi, mid;

	c->p.cap = NOCAP;
	if (plan_lists(c, limit) && render_fits(c, limit))
		return true;
	c->p.cap = floor;
	if (!fits_min(c, limit))
		return false;
	/* Largest cap for which fields and list ends fit; no string longer
	 * than the limit can be kept whole anyway. */
	lo = floor;
	hi = limit > floor ? limit : floor;
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		c->p.cap = mid;
		if (fits_min(c, limit))
			lo = mid;
		else
			hi = mid - 1;
	}
	c->p.cap = lo;
	return plan_lists(c, limit) && render_fits(c, limit);
}

/* A level with the context the plan keeps: strings are not cut below
 * CONTEXT_MIN_CAP while some of it is kept. */
static bool fit_context(struct ctx *c, size_t limit, const struct level *l,
			unsigned anc, unsigned tl)
{
	set_level(c, l, anc, tl);
	return fit_level(c, limit, anc + tl ? CONTEXT_MIN_CAP : 0);
}

static bool fit(struct ctx *c, size_t limit)
{
	const struct level *levels = text_levels;
	size_t nlevels = sizeof(text_levels) / sizeof(text_levels[0]);
	unsigned ctx_level = TEXT_CONTEXT_LEVEL, k;
	size_t i;

	if (c->fmt == ALERT_FORMAT_JSON) {
		levels = json_levels;
		nlevels = sizeof(json_levels) / sizeof(json_levels[0]);
		ctx_level = JSON_CONTEXT_LEVEL;
	}
	for (i = 0; i < nlevels; i++) {
		if (i < ctx_level) {
			if (fit_context(c, limit, &levels[i], c->nanc, c->ntl))
				return true;
			continue;
		}
		if (i > ctx_level) {
			if (fit_context(c, limit, &levels[i], 0, 0))
				return true;
			continue;
		}
		/* the timeline's entries go first, oldest first, then the
		 * ancestors, farthest first */
		for (k = c->ntl + 1; k-- > 0;)
			if (fit_context(c, limit, &levels[i], c->nanc, k))
				return true;
		for (k = c->nanc; k-- > 0;)
			if (fit_context(c, limit, &levels[i], k, 0))
				return true;
	}
	return false;
}

/* Lists with a room of their own (the previous image's, the ancestors')
 * are cut to it whatever the limit, review mode's "none" included; the
 * others are whole. */
static void plan_own_room(struct ctx *c)
{
	unsigned w;

	for (w = 0; w < c->nlists; w++) {
		size_t min, full;

		c->p.head[w] = c->list[w] ? c->list[w]->argc : 0;
		c->p.tail[w] = 0;
		if (c->list_cap[w] == NOCAP || !list_shown(c, (int)w))
			continue;
		min = list_min(c, (int)w);
		full = list_full(c, (int)w);
		list_fill(c, (int)w, min > c->list_cap[w] ? min :
			  c->list_cap[w], full);
	}
}

/* The lineage's views, once per alert, and their lists. */
static void take_lineage(struct ctx *c, struct lineage *l)
{
	unsigned k;
	size_t room;

	c->nlists = ANC0;
	if (!l)
		return;
	c->prev = lineage_previous(l);
	c->nanc = lineage_ancestors(l, &c->anc);
	c->ntl = lineage_timeline(l, &c->tl, NULL);
	c->ancestry = lineage_ancestry(l);
	room = l->set.argv_bytes ? l->set.argv_bytes : NOCAP;
	if (c->prev) {
		c->list[PREVIOUS] = &c->prev->argv;
		c->list_cap[PREVIOUS] = room;
	}
	for (k = 0; k < c->nanc; k++) {
		c->list[ANC0 + k] = &c->anc[k].argv;
		c->list_cap[ANC0 + k] = room;
	}
	for (k = 0; k < c->ntl; k++)
		c->list[ANC0 + c->nanc + k] = &c->tl[k].argv;
	c->nlists = ANC0 + c->nanc + c->ntl;
}

size_t alert_format(struct strbuf *out, const struct alert *a,
		    enum alert_format fmt, size_t max_len)
{
	struct ecs_source src = { a->ev, a->parent, a->host, a->session,
				  a->names, a->lineage };
	struct ecs_scratch scratch;
	size_t saved_limit = out->limit;
	struct ctx c;
	unsigned f, w;
	uint32_t i;

	memset(&c, 0, sizeof(c));
	c.sb = out;
	c.a = a;
	c.fmt = fmt;
	for (w = 0; w < MAX_LISTS; w++)
		c.list_cap[w] = NOCAP;
	ecs_scratch_init(&scratch);
	ecs_describe(&src, NULL, &scratch, &c.e);
	/* The exec's and the parent's lists are the fields' argv values. */
	for (f = 0; f < ecs_nfields; f++)
		if (ecs_fields[f].type == EQL_T_ARRAY &&
		    (ecs_fields[f].list == ECS_LIST_ARGS ||
		     ecs_fields[f].list == ECS_LIST_PARENT_ARGS) &&
		    c.e.f[f].kind == EQL_ARRAY)
			c.list[ecs_fields[f].list] = c.e.f[f].arr;
	take_lineage(&c, a->lineage);
	for (w = 0; w < c.nlists; w++) {
		/* Summed here rather than taken from total_bytes, so the
		 * marker bounds agree with the lengths actually cut. */
		for (i = 0; c.list[w] && i < c.list[w]->argc; i++)
			c.list_bytes[w] += c.list[w]->v[i].len;
	}
	set_level(&c, fmt == ALERT_FORMAT_JSON ? &json_levels[0] :
						 &text_levels[0],
		  c.nanc, c.ntl);
	c.p.cap = NOCAP;
	plan_own_room(&c);

	if (max_len == 0) {
		out->limit = 0;
		render(&c);
	} else {
		size_t limit = max_len < ALERT_MIN_LEN ? ALERT_MIN_LEN : max_len;

		/* The limit makes every trial stop early once it is passed. */
		out->limit = limit;
		if (!render_fits(&c, limit) && !fit(&c, limit))
			render_fallback(&c);
	}
	if (out->nomem || out->overflow) {
		render_fallback(&c);
		/* Not even the fallback fit or could be allocated: an empty
		 * result is better than a cut one (maybe invalid JSON). */
		if (out->nomem || out->overflow)
			sb_reset(out);
	}
	out->limit = saved_limit;
	ecs_scratch_free(&scratch);
	return out->len;
}
