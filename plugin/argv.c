// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * argv.c - rebuild one exec's argv from the EXECVE records of its audit event.
 *
 * Layout: every argument that received bytes owns one contiguous region of
 * `buf` (`off`, `cap` bytes, its NUL included). The region that ends at
 * buf_len is the "tail": it can grow in place. Chunks of one argument
 * normally arrive back to back, so they land in the tail and are never
 * copied. A chunk for an argument that is no longer the tail is written in
 * place when its region has room, otherwise the argument is moved to the end
 * of `buf` with room to spare (twice what it needs), so that interleaved
 * chunks cost amortised O(1) per byte and the abandoned regions add up to at
 * most a few times the bytes kept.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"

enum slot_state {
	SLOT_NONE = 0,	/* no field for this index yet */
	SLOT_WHOLE,	/* aN seen: later aN / aN[i] are duplicates */
	SLOT_CHUNKED,	/* aN[i] seen: later aN is a duplicate */
};

struct argv_slot {
	size_t off;		/* region in buf, valid when `placed` */
	uint32_t len;		/* argument bytes kept (NUL not included) */
	uint32_t cap;		/* region size, NUL included */
	uint32_t next_chunk;	/* lowest chunk index not yet seen */
	uint8_t state;		/* enum slot_state */
	bool placed;		/* owns a region of buf */
	bool ended;		/* a NUL was decoded: later bytes are dropped */
};

/* Smallest buf allocation; avoids a run of tiny reallocs on the first event. */
#define ARGV_MIN_BUF 4096u
#define ARGV_MIN_SLOTS 16u

/*
 * Hex digit value | 0x10 for the 22 hex digits, 0 for every other byte: the
 * 0x10 bit lets a whole run be validated with one AND per byte and no branch.
 */
#define HX(c, v) [(unsigned char)(c)] = (uint8_t)(0x10u | (v))
static const uint8_t hexval[256] = {
	HX('0', 0), HX('1', 1), HX('2', 2), HX('3', 3), HX('4', 4),
	HX('5', 5), HX('6', 6), HX('7', 7), HX('8', 8), HX('9', 9),
	HX('A', 10), HX('B', 11), HX('C', 12), HX('D', 13), HX('E', 14),
	HX('F', 15),
	HX('a', 10), HX('b', 11), HX('c', 12), HX('d', 13), HX('e', 14),
	HX('f', 15),
};
#undef HX

enum encoding {
	ENC_QUOTED,
	ENC_HEX,
	ENC_LITERAL,	/* neither: kept as is, flagged by the caller */
};

/* The payload of a raw value: where its bytes are and how many they decode to. */
struct payload {
	enum encoding enc;
	const char *src;
	size_t src_len;	/* for hex: number of hex digits */
	size_t dec_len;	/* decoded length before any NUL cut */
};

static bool all_hex(const unsigned char *s, size_t n)
{
	unsigned acc = 0x10;
	size_t i;

	for (i = 0; i < n; i++)
		acc &= hexval[s[i]];
	return acc & 0x10;
}

static void classify(const char *raw, size_t n, struct payload *p)
{
	if (n >= 2 && raw[0] == '"' && raw[n - 1] == '"') {
		p->enc = ENC_QUOTED;
		p->src = raw + 1;
		p->src_len = n - 2;
		p->dec_len = n - 2;
	} else if (n > 0 && n % 2 == 0 && raw[0] != '"' &&
		   all_hex((const unsigned char *)raw, n)) {
		p->enc = ENC_HEX;
		p->src = raw;
		p->src_len = n;
		p->dec_len = n / 2;
	} else {
		/* Empty, odd length, non-hex or an unterminated quote. */
		p->enc = ENC_LITERAL;
		p->src = raw;
		p->src_len = n;
		p->dec_len = n;
	}
}

/*
 * Write at most `room` decoded bytes to `out` (untouched when room is 0).
 * *nul: a NUL byte ended the value (what follows it is not argument data).
 * *cut: a non-NUL byte did not fit in `room`.
 */
static size_t decode_into(const struct payload *p, char *out, size_t room,
			  bool *cut, bool *nul)
{
	const unsigned char *s = (const unsigned char *)p->src;
	size_t w, lim;
	const char *z;

	*cut = false;
	*nul = false;
	if (p->enc != ENC_HEX) {
		lim = p->src_len;
		z = lim ? memchr(p->src, '\0', lim) : NULL;
		if (z) {
			lim = (size_t)(z - p->src);
			*nul = true;
		}
		if (lim > room) {
			lim = room;
			*cut = true;
			*nul = false;
		}
		if (lim)
			memcpy(out, p->src, lim);
		return lim;
	}
	lim = p->dec_len < room ? p->dec_len : room;
	for (w = 0; w < lim; w++, s += 2) {
		unsigned char c = (unsigned char)(((hexval[s[0]] & 0xf) << 4) |
						  (hexval[s[1]] & 0xf));
		if (!c) {
			*nul = true;
			return w;
		}
		out[w] = (char)c;
	}
	if (w < p->dec_len) {
		/* A NUL right at the cut point is an end, not a truncation. */
		if ((hexval[s[0]] & 0xf) | (hexval[s[1]] & 0xf))
			*cut = true;
		else
			*nul = true;
	}
	return w;
}

bool audit_value_decode(const char *raw, size_t raw_len, char *out,
			size_t cap, size_t *out_len, bool *cut)
{
	struct payload p;
	bool was_cut = false, nul;
	size_t w = 0;

	classify(raw ? raw : "", raw ? raw_len : 0, &p);
	if (out && cap > 0) {
		w = decode_into(&p, out, cap - 1, &was_cut, &nul);
		out[w] = '\0';
	} else {
		/* Contract violation (cap 0): write nothing, report the cut. */
		was_cut = p.dec_len > 0;
	}
	if (out_len)
		*out_len = w;
	if (cut)
		*cut = was_cut;
	return p.enc != ENC_LITERAL;
}

static inline void set_flags(struct argv_builder *b, unsigned f)
{
	b->result.flags |= f;
}

void argv_builder_init(struct argv_builder *b, const struct argv_limits *lim)
{
	memset(b, 0, sizeof(*b));
	if (lim) {
		b->lim = *lim;
	} else {
		b->lim.max_total_bytes = ARGV_DEFAULT_MAX_TOTAL_BYTES;
		b->lim.max_args = ARGV_DEFAULT_MAX_ARGS;
	}
}

void argv_builder_reset(struct argv_builder *b)
{
	/* Slots are zeroed lazily when an event reaches their index. */
	b->buf_len = 0;
	b->nslots = 0;
	b->argc_field = 0;
	b->have_argc = false;
	b->kept_bytes = 0;
	memset(&b->result, 0, sizeof(b->result));
}

void argv_builder_free(struct argv_builder *b)
{
	struct argv_limits lim = b->lim;

	free(b->buf);
	free(b->slots);
	free(b->out);
	memset(b, 0, sizeof(*b));
	b->lim = lim;
}

/* Make buf hold at least `end` bytes; false (nothing changed) on failure. */
static bool buf_reserve(struct argv_builder *b, size_t end)
{
	size_t ncap;
	char *p;

	if (end <= b->buf_cap)
		return true;
	ncap = b->buf_cap > ARGV_MIN_BUF ? b->buf_cap : ARGV_MIN_BUF;
	while (ncap < end && ncap <= SIZE_MAX / 2)
		ncap *= 2;
	if (ncap < end)
		ncap = end;
	p = realloc(b->buf, ncap);
	if (!p && ncap > end) {
		/* The doubling may be what failed: try the exact size. */
		ncap = end;
		p = realloc(b->buf, ncap);
	}
	if (!p)
		return false;
	b->buf = p;
	b->buf_cap = ncap;
	return true;
}

/* n * elem in bytes, false if that does not fit a size_t (32-bit hosts). */
static bool array_bytes(uint64_t n, size_t elem, size_t *bytes)
{
	if (elem && n > SIZE_MAX / elem)
		return false;
	*bytes = (size_t)n * elem;
	return true;
}

static struct argv_slot *get_slot(struct argv_builder *b, uint32_t idx)
{
	struct argv_slot *s;
	uint64_t ncap;
	size_t bytes;

	if (idx >= b->lim.max_args) {
		set_flags(b, ARGV_TRUNCATED);
		return NULL;
	}
	if (idx < b->nslots)
		return &b->slots[idx];
	if (idx >= b->slots_cap) {
		ncap = (uint64_t)b->slots_cap * 2;
		if (ncap < ARGV_MIN_SLOTS)
			ncap = ARGV_MIN_SLOTS;
		if (ncap <= idx)
			ncap = (uint64_t)idx + 1;
		if (ncap > b->lim.max_args)
			ncap = b->lim.max_args;
		s = NULL;
		if (array_bytes(ncap, sizeof(*s), &bytes))
			s = realloc(b->slots, bytes);
		if (!s && ncap > (uint64_t)idx + 1) {
			ncap = (uint64_t)idx + 1;
			if (array_bytes(ncap, sizeof(*s), &bytes))
				s = realloc(b->slots, bytes);
		}
		if (!s) {
			set_flags(b, ARGV_NOMEM | ARGV_TRUNCATED);
			return NULL;
		}
		b->slots = s;
		b->slots_cap = (uint32_t)ncap;
	}
	/* Stale slots from an earlier event may sit here. */
	memset(&b->slots[b->nslots], 0,
	       ((size_t)idx + 1 - b->nslots) * sizeof(*b->slots));
	b->nslots = idx + 1;
	return &b->slots[idx];
}

static bool is_tail(const struct argv_builder *b, const struct argv_slot *s)
{
	return s->placed && s->off + s->cap == b->buf_len;
}

/* Give a slot its first region, at the end of buf, for `want` bytes. */
static size_t place_new(struct argv_builder *b, struct argv_slot *s,
			size_t want)
{
	size_t off = b->buf_len;

	if (!buf_reserve(b, off + want + 1)) {
		if (b->buf_cap <= off + 1)
			return 0;
		want = b->buf_cap - off - 1;
	}
	s->off = off;
	s->len = 0;
	s->cap = (uint32_t)(want + 1);
	s->placed = true;
	b->buf[off] = '\0';
	b->buf_len = off + s->cap;
	return want;
}

static size_t grow_tail(struct argv_builder *b, struct argv_slot *s,
			size_t want)
{
	size_t end = s->off + s->len + want + 1;

	if (end <= b->buf_len)
		return want;
	if (!buf_reserve(b, end)) {
		end = b->buf_cap;
		want = end - (s->off + s->len + 1);
	}
	s->cap = (uint32_t)(end - s->off);
	b->buf_len = end;
	return want;
}

/* Move a non-tail argument to the end of buf, with spare room. */
static size_t relocate(struct argv_builder *b, struct argv_slot *s,
		       size_t want)
{
	size_t need = (size_t)s->len + want + 1;
	size_t ncap = 2 * ((size_t)s->len + want) + 1;
	size_t budget = b->lim.max_total_bytes - b->kept_bytes;
	size_t noff = b->buf_len;

	/* Spare room beyond what this argument may ever keep is waste. */
	if (ncap > (size_t)ARGV_MAX_ARG_BYTES + 1)
		ncap = (size_t)ARGV_MAX_ARG_BYTES + 1;
	if (budget < SIZE_MAX - s->len - 1 && ncap > s->len + budget + 1)
		ncap = s->len + budget + 1;
	if (ncap < need)
		ncap = need;
	if (!buf_reserve(b, noff + ncap)) {
		ncap = need;
		if (!buf_reserve(b, noff + ncap))
			return s->cap - s->len - 1; /* fill what is left in place */
	}
	memcpy(b->buf + noff, b->buf + s->off, s->len);
	b->buf[noff + s->len] = '\0';
	s->off = noff;
	s->cap = (uint32_t)ncap;
	b->buf_len = noff + ncap;
	return want;
}

/*
 * Make room for `want` more bytes at the end of argument `s`; returns how
 * many may be written there (less than `want` only when memory ran out).
 */
static size_t make_room(struct argv_builder *b, struct argv_slot *s,
			size_t want)
{
	size_t got;

	if (!s->placed)
		got = place_new(b, s, want);
	else if (is_tail(b, s))
		got = grow_tail(b, s, want);
	else if ((size_t)s->len + want + 1 <= s->cap)
		got = want;
	else
		got = relocate(b, s, want);
	if (got < want)
		set_flags(b, ARGV_NOMEM | ARGV_TRUNCATED);
	return got;
}

/* Decode one value (whole argument or chunk) onto the end of argument `s`. */
static void append_value(struct argv_builder *b, struct argv_slot *s,
			 const char *raw)
{
	struct payload p;
	size_t room, w;
	bool cut, nul;

	classify(raw, strlen(raw), &p);
	if (p.enc == ENC_LITERAL)
		set_flags(b, ARGV_BAD_ENCODING);
	room = ARGV_MAX_ARG_BYTES - s->len;
	if (b->kept_bytes >= b->lim.max_total_bytes)
		room = 0;
	else if (room > b->lim.max_total_bytes - b->kept_bytes)
		room = b->lim.max_total_bytes - b->kept_bytes;
	if (room > p.dec_len)
		room = p.dec_len;
	if (room)
		room = make_room(b, s, room);
	w = decode_into(&p, room ? b->buf + s->off + s->len : NULL, room,
			&cut, &nul);
	if (cut)
		set_flags(b, ARGV_TRUNCATED);
	if (nul)
		s->ended = true;
	if (w) {
		s->len += (uint32_t)w;
		b->kept_bytes += w;
		b->buf[s->off + s->len] = '\0';
	}
}

/*
 * Parse a canonical decimal number (digits only, no sign, no leading zero)
 * at *pp into *out; on success *pp points past it. Leading zeros are
 * refused so that `a01` cannot alias `a1`.
 */
static bool parse_index(const char **pp, uint32_t max, uint32_t *out)
{
	const char *p = *pp;
	uint32_t v = 0;

	if (*p < '0' || *p > '9')
		return false;
	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint32_t d = (uint32_t)(*p - '0');

		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*pp = p;
	*out = v;
	return true;
}

static void field_argc(struct argv_builder *b, const char *value)
{
	const char *p = value;
	uint32_t v = 0;

	if (*p < '0' || *p > '9') {
		set_flags(b, ARGV_BAD_ENCODING);
		return;
	}
	/* Saturate: anything past UINT32_MAX is "huge" and capped later. */
	for (; *p >= '0' && *p <= '9'; p++) {
		uint32_t d = (uint32_t)(*p - '0');

		v = v > (UINT32_MAX - d) / 10 ? UINT32_MAX : v * 10 + d;
	}
	if (*p) {
		set_flags(b, ARGV_BAD_ENCODING);
		return;
	}
	if (b->have_argc)
		return; /* first one wins */
	b->argc_field = v;
	b->have_argc = true;
}

static void field_whole(struct argv_builder *b, uint32_t idx,
			const char *value)
{
	struct argv_slot *s = get_slot(b, idx);

	if (!s || s->state != SLOT_NONE)
		return;
	s->state = SLOT_WHOLE;
	append_value(b, s, value);
}

static void field_chunk(struct argv_builder *b, uint32_t idx, uint32_t chunk,
			const char *value)
{
	struct argv_slot *s = get_slot(b, idx);

	if (!s || s->state == SLOT_WHOLE)
		return;
	if (s->state == SLOT_CHUNKED && chunk < s->next_chunk)
		return;
	if (chunk > s->next_chunk)
		set_flags(b, ARGV_INCOMPLETE);
	s->state = SLOT_CHUNKED;
	s->next_chunk = chunk + 1; /* chunk < UINT32_MAX: see parse */
	if (!s->ended)
		append_value(b, s, value);
}

void argv_builder_field(struct argv_builder *b, const char *name,
			const char *value)
{
	const char *p;
	uint32_t idx, chunk;

	if (!name || !value || name[0] != 'a')
		return;
	if (strcmp(name, "argc") == 0) {
		field_argc(b, value);
		return;
	}
	p = name + 1;
	if (!parse_index(&p, UINT32_MAX, &idx))
		return;
	if (*p == '\0') {
		field_whole(b, idx, value);
		return;
	}
	if (*p != '[')
		return; /* aN_len is advisory; anything else is junk */
	p++;
	/* UINT32_MAX - 1 keeps next_chunk = chunk + 1 from wrapping. */
	if (!parse_index(&p, UINT32_MAX - 1, &chunk) || p[0] != ']' || p[1])
		return;
	field_chunk(b, idx, chunk, value);
}

/* Make `out` hold `n` entries; false when memory ran out. */
static bool out_reserve(struct argv_builder *b, uint32_t n)
{
	struct argv_arg *o;

	if (n <= b->out_cap)
		return true;
	size_t bytes;

	if (!array_bytes(n, sizeof(*o), &bytes))
		return false;
	o = realloc(b->out, bytes);
	if (!o)
		return false;
	b->out = o;
	b->out_cap = n;
	return true;
}

const struct argv *argv_builder_finish(struct argv_builder *b)
{
	static const struct argv_arg no_args[1] = { { "", 0 } };
	struct argv *r = &b->result;
	uint32_t argc = b->nslots, i, present, holes;
	uint64_t want;
	size_t total = 0;

	/* argc= saying more than the fields hold means records or fields
	 * were lost (or a limit dropped the rest, which flagged it): what
	 * came is kept as it is, never padded with empty arguments that the
	 * process did not have. */
	if (b->have_argc && b->argc_field > argc &&
	    !(b->result.flags & ARGV_TRUNCATED))
		set_flags(b, ARGV_INCOMPLETE);
	/* A hole costs output but no input: a sender that writes a131071
	 * alone would make 131,072 empty arguments of every alert. Holes
	 * beyond the arguments that came (plus ARGV_MAX_HOLES) end the argv
	 * before them, marked cut. */
	present = 0;
	for (i = 0; i < argc; i++)
		present += b->slots[i].state != SLOT_NONE;
	for (i = 0, holes = 0; i < argc; i++) {
		if (b->slots[i].state == SLOT_NONE &&
		    ++holes > (uint64_t)present + ARGV_MAX_HOLES) {
			argc = i;
			set_flags(b, ARGV_INCOMPLETE);
			break;
		}
	}
	/* Grow geometrically so that events of rising size do not realloc
	 * each time; never beyond max_args. */
	want = (uint64_t)b->out_cap * 2;
	if (want < argc)
		want = argc;
	if (want > b->lim.max_args)
		want = b->lim.max_args;
	if (argc > b->out_cap && !out_reserve(b, (uint32_t)want) &&
	    !out_reserve(b, argc)) {
		set_flags(b, ARGV_NOMEM | ARGV_TRUNCATED);
		argc = b->out_cap;
	}
	for (i = 0; i < argc; i++) {
		const struct argv_slot *s = &b->slots[i];

		if (s->placed) {
			b->out[i].ptr = b->buf + s->off;
			b->out[i].len = s->len;
			total += s->len;
		} else {
			/* A hole below the last argument that came keeps its
			 * place, so later arguments keep their index. */
			b->out[i].ptr = "";
			b->out[i].len = 0;
			if (s->state == SLOT_NONE)
				set_flags(b, ARGV_INCOMPLETE);
		}
	}
	/* Whatever is missing, the argv is not the whole one: readers that
	 * mark a cut argv (--stats, the alert) test ARGV_TRUNCATED alone. */
	if (r->flags & ARGV_INCOMPLETE)
		set_flags(b, ARGV_TRUNCATED);
	r->argc = argc;
	r->v = argc ? b->out : no_args;
	r->total_bytes = total;
	return r;
}
