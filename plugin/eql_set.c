/*
 * eql_set.c - many queries evaluated together on one event (eql_set.h).
 *
 * A gate is read off the query tree: a comparison of a field with
 * literals it must match (OP_STR without negation, a regex, the string
 * functions with a literal) gives one atom per literal; an OR needs a
 * gate on every operand and takes their union; an AND takes the gate of
 * its operand least likely to hold (ref_cost); a constant false gives the
 * empty gate, everything else none. The atoms of all queries are
 * interned (one atom, many queries) and those tested by hash (whole
 * value, prefix, suffix) go into one open-addressing table keyed by row,
 * kind, case and text, behind a bit filter on the hash.
 *
 * The hash is FNV-1a over the bytes (ASCII-folded for the case-folding
 * atoms), run forward for whole values and prefixes and backward from the
 * last byte for suffixes, so one pass over a value yields the hash of
 * every prefix length; a final mix adds row, kind and case. A hit is
 * confirmed by comparing the bytes, so a collision costs time, never a
 * wrong gate.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ecs_event.h"
#include "eql_regex.h"
#include "eql_set.h"
#include "eql_tree.h"

enum { A_EXACT, A_PREFIX, A_SUFFIX, A_CONTAINS };

#define FILTER_BITS 8192u
#define FNV_INIT 2166136261u
#define FNV_PRIME 16777619u

/* Query states (eql_set.h): which list it is on. */
enum { Q_NONE, Q_NEVER, Q_GATED, Q_ALWAYS };

/* A literal test as read from a query, before interning. */
struct ref {
	const char *s;
	uint32_t n;
	uint32_t query;
	uint8_t row, kind;
	bool icase;
};

struct reflist {
	struct ref *v;
	size_t n, cap;
	uint32_t cost;
};

struct atom {
	uint32_t off, len, hash;
	uint32_t first, nq; /* its queries: set->aq[first .. first + nq) */
	uint8_t row, kind;
	bool icase;
};

#define PAIR_BITS 4096u
#define SUB_STRIDE_MAX 8u

static inline uint16_t pair_of(unsigned char a, unsigned char b)
{
	return (uint16_t)(eql_lower(a) << 8 | eql_lower(b));
}

/* The filter bit of a pair (a folded, then b folded). */
static inline unsigned pair_bit(uint16_t p)
{
	return ((unsigned)(p >> 8) << 4 ^ (p & 0xffu)) & (PAIR_BITS - 1);
}

/* The filter bit of a whole value by its length and edges (folded). */
static inline unsigned edge_bit(size_t n, unsigned char first,
				unsigned char last)
{
	return (unsigned)(((n * 0x9E37u) ^ (first * 0x45D9u) ^ (last * 0x1F3u)) >>
			  3) & (PAIR_BITS - 1);
}

/* How one field is scanned: the probes its atoms need. */
struct scan {
	uint8_t row;
	bool exact[2];     /* whole-value atoms, [icase] */
	uint32_t *plen;    /* distinct prefix lengths, ascending */
	uint8_t *pcase;    /* for each: bit 0 some exact-case atom, bit 1
			    * some case-folding one */
	size_t nplen;
	uint32_t *slen;    /* the same for suffixes */
	uint8_t *scase;
	size_t nslen;
	/* Substring atoms of three bytes or more, found through pairs of
	 * (ASCII-folded) bytes: the value's pairs are looked at every
	 * `stride` bytes, stride being one less than the shortest of these
	 * atoms (at most SUB_STRIDE_MAX), so every occurrence has one of its
	 * first `stride` pairs looked at; each atom is filed under those
	 * pairs, with their offsets: a 4096-bit filter over pair_bit, then
	 * the entries sorted by pair_bit, from bstart[bit] on. */
	uint64_t *pairs;
	struct pair { uint16_t pair; uint8_t off; uint32_t atom; } *sub;
	size_t nsub;
	uint32_t *bstart;  /* PAIR_BITS + 1 */
	size_t stride;
	uint32_t *longs;   /* those atoms, while building */
	size_t nlongs;
	uint32_t *few;     /* shorter substring atoms, searched one by one */
	size_t nfew;
	bool cs, ic;       /* some hashed atom is exact-case, case-folding */
	/* Cheap tests before any hashing, from the atoms' lengths and
	 * their (folded) first or last bytes: most values fail them. */
	uint64_t efilt[PAIR_BITS / 64]; /* whole-value atoms by their length,
					 * first and last bytes (edge_bit) */
	uint64_t pedge[PAIR_BITS / 64], sedge[PAIR_BITS / 64];
			   /* first (last) two bytes of each prefix
			    * (suffix) atom, pair_bit; one-byte atoms by
			    * their byte alone, in pedge1/sedge1 */
	uint64_t pedge1[4], sedge1[4];
	uint64_t (*plast)[4]; /* for each prefix length: the (folded)
			       * last bytes of the prefixes that long */
};

struct eql_set {
	struct eql_query **q;
	size_t n, words;
	uint8_t *state;      /* per query, Q_* */
	uint32_t *qa;        /* per query: its atoms, qa[qfirst[i] ..] */
	uint32_t *qfirst, *qn;
	uint64_t *always;    /* bit per query run on every event */
	uint64_t *cand;      /* scratch: this event's queries */
	struct atom *atoms;
	size_t natoms;
	uint32_t *aq;
	uint32_t *slot;      /* hashed atoms; UINT32_MAX: empty */
	size_t mask;
	uint64_t filter[FILTER_BITS / 64]; /* bit hash % FILTER_BITS of each
					    * hashed atom: most probes stop
					    * there */
	unsigned char fold[256]; /* ASCII case folding, by table */
	char *pool;
	struct scan *scans;
	size_t nscans;
	struct eql_set_stats st;
};

/* ---- hashing ------------------------------------------------------------ */

static inline uint32_t fnv(uint32_t h, unsigned char c)
{
	return (h ^ c) * FNV_PRIME;
}

/* The final mix: row, kind and case, then murmur3's avalanche. */
static inline uint32_t finish(uint32_t h, unsigned row, unsigned kind,
			      bool icase)
{
	h ^= (uint32_t)row * 0x9E3779B1u ^ (uint32_t)(kind * 2 + icase) *
						    0x85EBCA77u;
	h ^= h >> 16;
	h *= 0x85EBCA6Bu;
	h ^= h >> 13;
	h *= 0xC2B2AE35u;
	h ^= h >> 16;
	return h;
}

static uint32_t key_hash(const char *s, size_t n, unsigned row,
			 unsigned kind, bool icase)
{
	uint32_t h = FNV_INIT;

	for (size_t i = 0; i < n; i++) {
		size_t at = kind == A_SUFFIX ? n - 1 - i : i;
		unsigned char c = (unsigned char)s[at];

		h = fnv(h, icase ? eql_lower(c) : c);
	}
	return finish(h, row, kind, icase);
}

/* ---- gates -------------------------------------------------------------- */

static uint32_t sat_add(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

static int ref_push(struct reflist *l, const struct ref *r)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct ref *nv = realloc(l->v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = *r;
	return 0;
}

/*
 * What an atom costs a gate: a guess at how often it holds, in execs per
 * million. Short literals hold often ("sh", "-c", "0"), a substring more
 * often than a whole value, an array has several elements to hit. Only the
 * order matters: an AND is gated by its operand that lets the fewest execs
 * through, as the fields are scanned anyway. The last term breaks ties
 * toward cheaper tests.
 */
static uint32_t ref_cost(const struct ref *r)
{
	/* by length: 0 .. 5, 6 and more */
	static const uint32_t whole[] = { 300000, 300000, 100000, 30000, 10000,
					  10000, 1000 };
	static const uint32_t part[] = { 300000, 300000, 100000, 30000, 10000,
					 10000, 2500 };
	static const uint32_t sub[] = { 500000, 500000, 200000, 50000, 20000,
					20000, 5000 };
	bool array = ecs_fields[r->row].type == EQL_T_ARRAY;
	unsigned len = r->n < 6 ? r->n : 6;
	uint32_t p = r->kind == A_EXACT ? whole[len] :
		     r->kind == A_CONTAINS ? sub[len] : part[len];

	/* a value seldom starts or ends with blank space or a control
	 * character (arguments and paths are not padded) */
	if (r->n == 1 && (r->kind == A_PREFIX || r->kind == A_SUFFIX) &&
	    ((unsigned char)r->s[0] <= ' ' || r->s[0] == 0x7f))
		p = 5000;

	return p * (array ? 4 : 1) + (array ? 4 : 1) *
		(r->kind == A_CONTAINS ? 4 : 1);
}

static int add_ref(struct reflist *l, const char *s, uint32_t n,
		   uint8_t row, uint8_t kind, bool icase)
{
	struct ref r = { .s = s, .n = n, .row = row, .kind = kind,
			 .icase = icase };

	l->cost = sat_add(l->cost, ref_cost(&r));
	return ref_push(l, &r);
}

/* The fixed part of a `like` pattern with `?` or inner `*`s that every
 * match must have, the one that holds least often of: its start, its end
 * and its longest run of plain bytes in between. Returns 1 with the atom
 * added, 0 when the pattern has no fixed part. */
static int general_ref(struct reflist *l, const char *p, uint32_t n,
		       uint8_t row, bool icase)
{
	struct ref c[3] = { { .kind = A_PREFIX }, { .kind = A_SUFFIX },
			    { .kind = A_CONTAINS } };
	const struct ref *best = NULL;
	uint32_t i, run = 0;

	while (c[0].n < n && p[c[0].n] != '*' && p[c[0].n] != '?')
		c[0].n++;
	c[0].s = p;
	while (c[1].n < n && p[n - 1 - c[1].n] != '*' && p[n - 1 - c[1].n] != '?')
		c[1].n++;
	c[1].s = p + n - c[1].n;
	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '*' && p[i] != '?') {
			run++;
			continue;
		}
		if (run > c[2].n) {
			c[2].n = run;
			c[2].s = p + i - run;
		}
		run = 0;
	}
	for (i = 0; i < 3; i++) {
		c[i].row = row;
		c[i].icase = icase;
		if (c[i].n && (!best || ref_cost(&c[i]) < ref_cost(best)))
			best = &c[i];
	}
	if (!best)
		return 0;
	return add_ref(l, best->s, best->n, row, best->kind, icase) ? -1 : 1;
}

/* A set of one-byte prefixes or suffixes, one of which every match has:
 * what it costs a gate. */
static uint32_t set_cost(const char *set, size_t n, uint8_t row, uint8_t kind,
			 bool icase)
{
	uint32_t cost = 0;

	for (size_t i = 0; i < n; i++) {
		struct ref r = { .s = set + i, .n = 1, .row = row, .kind = kind,
				 .icase = icase };

		cost = sat_add(cost, ref_cost(&r));
	}
	return cost;
}

/* The same for a regex: the text every match holds (eql_regex_lits), or
 * one of the characters it starts or ends with. */
static int regex_ref(struct reflist *l, const struct eql_regex_lits *x,
		     uint8_t row)
{
	struct ref c[3] = {
		{ .s = x->prefix, .n = x->nprefix, .kind = A_PREFIX },
		{ .s = x->suffix, .n = x->nsuffix, .kind = A_SUFFIX },
		{ .s = x->inner, .n = x->ninner, .kind = A_CONTAINS },
	};
	const struct ref *best = NULL;
	uint32_t best_cost = UINT32_MAX, pc = UINT32_MAX, sc = UINT32_MAX;

	for (int i = 0; i < 3; i++) {
		c[i].row = row;
		c[i].icase = x->icase;
		if (c[i].n && ref_cost(&c[i]) < best_cost) {
			best = &c[i];
			best_cost = ref_cost(&c[i]);
		}
	}
	if (x->nprefix_set)
		pc = set_cost(x->prefix_set, x->nprefix_set, row, A_PREFIX,
			      x->icase);
	if (x->nsuffix_set)
		sc = set_cost(x->suffix_set, x->nsuffix_set, row, A_SUFFIX,
			      x->icase);
	if (pc < best_cost || sc < best_cost) {
		bool pre = pc <= sc;
		const char *set = pre ? x->prefix_set : x->suffix_set;
		size_t n = pre ? x->nprefix_set : x->nsuffix_set;

		for (size_t i = 0; i < n; i++)
			if (add_ref(l, set + i, 1, row, pre ? A_PREFIX : A_SUFFIX,
				    x->icase))
				return -1;
		return 1;
	}
	if (!best)
		return 0;
	return add_ref(l, best->s, best->n, row, best->kind, best->icase) ?
		       -1 : 1;
}

/* The atoms of comparison nd; 1, 0 (none: it can hold without any
 * literal of its own matching) or -1 (out of memory). */
static int cmp_gate(const struct eql_query *q, const struct eql_node *nd,
		    struct reflist *out)
{
	bool icase = nd->flags & CF_ICASE;
	uint8_t kind;

	if (nd->flags & (CF_ABSENT | CF_NEGATE | CF_FIELD2 | CF_LENGTH))
		return 0;
	switch (nd->op) {
	case OP_STR:
		if (!nd->n)
			return 0;
		for (uint32_t i = 0; i < nd->n; i++) {
			const struct eql_lit *l = &q->lits[nd->a + i];
			const char *t = q->pool + l->off;
			int r;

			switch (l->kind) {
			case L_EXACT:
				r = add_ref(out, t, l->len, nd->field, A_EXACT,
					    icase) ? -1 : 1;
				break;
			case L_PREFIX:
			case L_SUFFIX:
			case L_CONTAINS:
				if (!l->len)
					return 0; /* matches anything there */
				kind = l->kind == L_PREFIX ? A_PREFIX :
				       l->kind == L_SUFFIX ? A_SUFFIX :
							     A_CONTAINS;
				r = add_ref(out, t, l->len, nd->field, kind,
					    icase) ? -1 : 1;
				break;
			default:
				r = general_ref(out, t, l->len, nd->field, icase);
				break;
			}
			if (r <= 0)
				return r;
		}
		return 1;
	case OP_REGEX:
		for (uint32_t i = 0; i < nd->n; i++) {
			int r = regex_ref(out, eql_regex_lits(
				q->rx[q->lits[nd->a + i].num]), nd->field);

			if (r <= 0)
				return r;
		}
		return 1;
	case OP_STARTS:
	case OP_ENDS:
	case OP_CONTAINS:
		if (!q->lits[nd->a].len)
			return 0;
		kind = nd->op == OP_STARTS ? A_PREFIX :
		       nd->op == OP_ENDS ? A_SUFFIX : A_CONTAINS;
		return add_ref(out, q->pool + q->lits[nd->a].off,
			       q->lits[nd->a].len, nd->field, kind, icase) ?
			       -1 : 1;
	default:
		return 0;
	}
}

/* The gate of node idx into out (appended); 1, 0 (none) or -1. */
static int gate(const struct eql_query *q, uint32_t idx, struct reflist *out)
{
	const struct eql_node *nd = &q->nodes[idx];
	struct reflist best = { 0 }, t = { 0 };
	bool have = false;
	int r = 0;
	uint32_t c;

	switch (nd->type) {
	case N_CONST:
		return nd->op ? 0 : 1; /* false: nothing can make it hold */
	case N_CMP:
		return cmp_gate(q, nd, out);
	case N_OR:
		for (c = nd->a; c != EQL_NONE; c = q->nodes[c].next)
			if ((r = gate(q, c, out)) <= 0)
				return r;
		return 1;
	case N_AND:
		for (c = nd->a; c != EQL_NONE; c = q->nodes[c].next) {
			t.n = 0;
			t.cost = 0;
			r = gate(q, c, &t);
			if (r < 0)
				break;
			if (r == 1 && (!have || t.cost < best.cost)) {
				struct reflist sw = best;

				best = t;
				t = sw;
				have = true;
			}
		}
		if (r >= 0 && have) {
			r = 1;
			for (size_t i = 0; i < best.n && r == 1; i++)
				if (ref_push(out, &best.v[i]))
					r = -1;
			out->cost = sat_add(out->cost, best.cost);
		} else if (r >= 0) {
			r = 0;
		}
		free(best.v);
		free(t.v);
		return r;
	default:
		return 0;
	}
}

/* ---- building ----------------------------------------------------------- */

/* Texts compared as the test compares them: folding case when icase. */
static int text_cmp(const char *a, const char *b, size_t n, bool icase)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)a[i], d = (unsigned char)b[i];

		if (icase) {
			c = eql_lower(c);
			d = eql_lower(d);
		}
		if (c != d)
			return c < d ? -1 : 1;
	}
	return 0;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int d;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->icase != y->icase)
		return x->icase < y->icase ? -1 : 1;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	d = text_cmp(x->s, y->s, x->n, x->icase);
	if (d)
		return d;
	return x->query < y->query ? -1 : x->query > y->query;
}

/* One atom per distinct test: the table finds one per probe. */
static bool same_atom(const struct ref *x, const struct ref *y)
{
	return x->row == y->row && x->kind == y->kind &&
	       x->icase == y->icase && x->n == y->n &&
	       text_cmp(x->s, y->s, x->n, x->icase) == 0;
}

/* Add len (with its case bit) to an ascending list of distinct lengths. */
static int add_len(uint32_t **len, uint8_t **cs, size_t *n, uint32_t v,
		   bool icase)
{
	size_t i = 0;
	uint32_t *nl;
	uint8_t *nc;

	while (i < *n && (*len)[i] < v)
		i++;
	if (i < *n && (*len)[i] == v) {
		(*cs)[i] |= icase ? 2 : 1;
		return 0;
	}
	nl = realloc(*len, (*n + 1) * sizeof(*nl));
	if (!nl)
		return -1;
	*len = nl;
	nc = realloc(*cs, (*n + 1) * sizeof(*nc));
	if (!nc)
		return -1;
	*cs = nc;
	memmove(nl + i + 1, nl + i, (*n - i) * sizeof(*nl));
	memmove(nc + i + 1, nc + i, (*n - i) * sizeof(*nc));
	nl[i] = v;
	nc[i] = icase ? 2 : 1;
	(*n)++;
	return 0;
}

static struct scan *scan_for(struct eql_set *s, uint8_t row)
{
	struct scan *ns;

	for (size_t i = 0; i < s->nscans; i++)
		if (s->scans[i].row == row)
			return &s->scans[i];
	ns = realloc(s->scans, (s->nscans + 1) * sizeof(*ns));
	if (!ns)
		return NULL;
	s->scans = ns;
	ns = &s->scans[s->nscans++];
	memset(ns, 0, sizeof(*ns));
	ns->row = row;
	return ns;
}

static inline void set_bit(uint64_t *w, unsigned b)
{
	w[b / 64] |= (uint64_t)1 << (b % 64);
}

static inline bool has_bit(const uint64_t *w, unsigned b)
{
	return (w[b / 64] >> (b % 64)) & 1;
}

/* A prefix or suffix atom's edge: its two bytes at t (pair_bit), or its
 * one byte. */
static void edge(uint64_t *two, uint64_t *one, const char *t, uint32_t len)
{
	if (len == 1)
		set_bit(one, eql_lower((unsigned char)t[0]));
	else
		set_bit(two, pair_bit(pair_of((unsigned char)t[0],
					      (unsigned char)t[1])));
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (pair_bit(x->pair) != pair_bit(y->pair))
		return pair_bit(x->pair) < pair_bit(y->pair) ? -1 : 1;
	if (x->pair != y->pair)
		return x->pair < y->pair ? -1 : 1;
	if (x->atom != y->atom)
		return x->atom < y->atom ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* For each prefix length of each field, the last bytes of its prefixes:
 * a value whose byte there is none of them is not probed at that length. */
static int prefix_lasts(struct eql_set *s)
{
	for (size_t i = 0; i < s->nscans; i++) {
		struct scan *sc = &s->scans[i];

		if (!sc->nplen)
			continue;
		sc->plast = calloc(sc->nplen, sizeof(*sc->plast));
		if (!sc->plast)
			return -1;
	}
	for (size_t i = 0; i < s->natoms; i++) {
		const struct atom *a = &s->atoms[i];
		struct scan *sc;
		size_t k = 0;

		if (a->kind != A_PREFIX)
			continue;
		sc = scan_for(s, a->row);
		while (sc->plen[k] != a->len)
			k++;
		set_bit(sc->plast[k], eql_lower((unsigned char)
					s->pool[a->off + a->len - 1]));
	}
	return 0;
}

static int add_id(uint32_t **list, size_t *n, uint32_t id)
{
	uint32_t *nl = realloc(*list, (*n + 1) * sizeof(*nl));

	if (!nl)
		return -1;
	*list = nl;
	nl[(*n)++] = id;
	return 0;
}

/* File a field's substring atoms under their pairs (struct scan). */
static int file_subs(struct scan *sc, const struct atom *atoms,
		     const char *pool)
{
	size_t stride = SUB_STRIDE_MAX, k = 0;

	if (!sc->nlongs)
		return 0;
	for (size_t i = 0; i < sc->nlongs; i++)
		if (atoms[sc->longs[i]].len - 1 < stride)
			stride = atoms[sc->longs[i]].len - 1;
	sc->stride = stride;
	sc->pairs = calloc(PAIR_BITS / 64, sizeof(*sc->pairs));
	sc->sub = calloc(sc->nlongs * stride, sizeof(*sc->sub));
	if (!sc->pairs || !sc->sub)
		return -1;
	for (size_t i = 0; i < sc->nlongs; i++) {
		const struct atom *a = &atoms[sc->longs[i]];
		const char *t = pool + a->off;

		for (size_t off = 0; off < stride; off++) {
			struct pair *e = &sc->sub[k++];

			e->pair = pair_of((unsigned char)t[off],
					  (unsigned char)t[off + 1]);
			e->off = (uint8_t)off;
			e->atom = sc->longs[i];
			set_bit(sc->pairs, pair_bit(e->pair));
		}
	}
	sc->nsub = k;
	qsort(sc->sub, sc->nsub, sizeof(*sc->sub), cmp_pair);
	sc->bstart = calloc(PAIR_BITS + 1, sizeof(*sc->bstart));
	if (!sc->bstart)
		return -1;
	for (k = 0; k < sc->nsub; k++)
		sc->bstart[pair_bit(sc->sub[k].pair) + 1]++;
	for (k = 0; k < PAIR_BITS; k++)
		sc->bstart[k + 1] += sc->bstart[k];
	free(sc->longs);
	sc->longs = NULL;
	sc->nlongs = 0;
	return 0;
}

/* Atoms from the sorted refs: one per distinct test, with its queries. */
static int intern(struct eql_set *s, struct ref *refs, size_t nrefs)
{
	size_t pool = 0, i, cap;

	for (i = 0; i < nrefs; i++)
		if (i == 0 || !same_atom(&refs[i], &refs[i - 1]))
			pool += refs[i].n;
	s->atoms = calloc(nrefs ? nrefs : 1, sizeof(*s->atoms));
	s->aq = malloc((nrefs ? nrefs : 1) * sizeof(*s->aq));
	s->pool = malloc(pool ? pool : 1);
	if (!s->atoms || !s->aq || !s->pool)
		return -1;
	pool = 0;
	for (i = 0; i < nrefs; i++) {
		const struct ref *r = &refs[i];
		struct atom *a;

		if (i == 0 || !same_atom(r, &refs[i - 1])) {
			a = &s->atoms[s->natoms++];
			a->off = (uint32_t)pool;
			a->len = r->n;
			for (uint32_t k = 0; k < r->n; k++)
				s->pool[pool + k] = r->icase ?
					(char)eql_lower((unsigned char)r->s[k]) :
					r->s[k];
			pool += r->n;
			a->row = r->row;
			a->kind = r->kind;
			a->icase = r->icase;
			a->hash = key_hash(s->pool + a->off, a->len, a->row,
					   a->kind, a->icase);
			a->first = (uint32_t)i;
			a->nq = 0;
		}
		a = &s->atoms[s->natoms - 1];
		if (a->nq && s->aq[a->first + a->nq - 1] == r->query)
			continue; /* the same test twice in one query */
		s->aq[a->first + a->nq++] = r->query;
	}
	for (cap = 16; cap < s->natoms * 2; cap *= 2)
		;
	s->slot = malloc(cap * sizeof(*s->slot));
	if (!s->slot)
		return -1;
	memset(s->slot, 0xff, cap * sizeof(*s->slot));
	s->mask = cap - 1;
	for (i = 0; i < s->natoms; i++) {
		struct atom *a = &s->atoms[i];
		struct scan *sc = scan_for(s, a->row);
		size_t h;
		int rc = 0;

		if (!sc)
			return -1;
		if (a->kind == A_CONTAINS) {
			if (a->len < 3 ? add_id(&sc->few, &sc->nfew, (uint32_t)i) :
					 add_id(&sc->longs, &sc->nlongs,
						(uint32_t)i))
				return -1;
			continue;
		}
		if (a->icase)
			sc->ic = true;
		else
			sc->cs = true;
		if (a->kind == A_EXACT) {
			const unsigned char *t =
				(const unsigned char *)s->pool + a->off;

			sc->exact[a->icase] = true;
			set_bit(sc->efilt, edge_bit(a->len,
				a->len ? eql_lower(t[0]) : 0,
				a->len ? eql_lower(t[a->len - 1]) : 0));
		} else if (a->kind == A_PREFIX) {
			rc = add_len(&sc->plen, &sc->pcase, &sc->nplen, a->len,
				     a->icase);
			edge(sc->pedge, sc->pedge1, s->pool + a->off, a->len);
		} else {
			rc = add_len(&sc->slen, &sc->scase, &sc->nslen, a->len,
				     a->icase);
			edge(sc->sedge, sc->sedge1, a->len == 1 ?
			     s->pool + a->off : s->pool + a->off + a->len - 2,
			     a->len);
		}
		if (rc)
			return -1;
		for (h = a->hash & s->mask; s->slot[h] != UINT32_MAX;
		     h = (h + 1) & s->mask)
			;
		s->slot[h] = (uint32_t)i;
		s->filter[(a->hash % FILTER_BITS) / 64] |=
			(uint64_t)1 << (a->hash % 64);
	}
	for (i = 0; i < s->nscans; i++)
		if (file_subs(&s->scans[i], s->atoms, s->pool))
			return -1;
	return prefix_lasts(s);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Each query's atoms, for eql_set_gate. */
static int query_atoms(struct eql_set *s)
{
	size_t total = 0, i;

	for (i = 0; i < s->natoms; i++)
		total += s->atoms[i].nq;
	s->qa = malloc((total ? total : 1) * sizeof(*s->qa));
	s->qfirst = calloc(s->n ? s->n : 1, sizeof(*s->qfirst));
	s->qn = calloc(s->n ? s->n : 1, sizeof(*s->qn));
	if (!s->qa || !s->qfirst || !s->qn)
		return -1;
	for (i = 0; i < s->natoms; i++)
		for (uint32_t k = 0; k < s->atoms[i].nq; k++)
			s->qn[s->aq[s->atoms[i].first + k]]++;
	total = 0;
	for (i = 0; i < s->n; i++) {
		s->qfirst[i] = (uint32_t)total;
		total += s->qn[i];
		s->qn[i] = 0;
	}
	for (i = 0; i < s->natoms; i++)
		for (uint32_t k = 0; k < s->atoms[i].nq; k++) {
			uint32_t qi = s->aq[s->atoms[i].first + k];

			s->qa[s->qfirst[qi] + s->qn[qi]++] = (uint32_t)i;
		}
	for (i = 0; i < s->n; i++)
		qsort(s->qa + s->qfirst[i], s->qn[i], sizeof(*s->qa), cmp_u32);
	return 0;
}

struct eql_set *eql_set_new(struct eql_query *const *q, size_t n)
{
	struct eql_set *s = calloc(1, sizeof(*s));
	struct reflist all = { 0 }, l = { 0 };
	int r = 0;

	if (!s)
		return NULL;
	s->n = n;
	s->words = (n + 63) / 64;
	for (unsigned c = 0; c < 256; c++)
		s->fold[c] = eql_lower((unsigned char)c);
	s->q = calloc(n ? n : 1, sizeof(*s->q));
	s->state = calloc(n ? n : 1, sizeof(*s->state));
	s->always = calloc(s->words ? s->words : 1, sizeof(*s->always));
	s->cand = calloc(s->words ? s->words : 1, sizeof(*s->cand));
	if (!s->q || !s->state || !s->always || !s->cand)
		goto fail;
	for (size_t i = 0; i < n && r >= 0; i++) {
		if (!q[i])
			continue;
		s->q[i] = q[i];
		s->st.queries++;
		l.n = 0;
		l.cost = 0;
		r = gate(q[i], q[i]->root, &l);
		if (r < 0)
			break;
		if (r == 0) {
			s->state[i] = Q_ALWAYS;
			s->always[i / 64] |= (uint64_t)1 << (i % 64);
			s->st.always++;
			continue;
		}
		s->state[i] = l.n ? Q_GATED : Q_NEVER;
		s->st.gated += l.n != 0;
		s->st.never += l.n == 0;
		for (size_t k = 0; k < l.n && r >= 0; k++) {
			l.v[k].query = (uint32_t)i;
			if (ref_push(&all, &l.v[k]))
				r = -1;
		}
	}
	free(l.v);
	if (r < 0)
		goto fail;
	if (all.n)
		qsort(all.v, all.n, sizeof(*all.v), cmp_ref);
	if (intern(s, all.v, all.n) || query_atoms(s))
		goto fail;
	free(all.v);
	s->st.atoms = s->natoms;
	s->st.fields = s->nscans;
	return s;
fail:
	free(all.v);
	eql_set_free(s);
	return NULL;
}

void eql_set_free(struct eql_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nscans; i++) {
		free(s->scans[i].plen);
		free(s->scans[i].pcase);
		free(s->scans[i].slen);
		free(s->scans[i].scase);
		free(s->scans[i].sub);
		free(s->scans[i].longs);
		free(s->scans[i].few);
		free(s->scans[i].pairs);
		free(s->scans[i].bstart);
		free(s->scans[i].plast);
	}
	free(s->scans);
	free(s->q);
	free(s->state);
	free(s->qa);
	free(s->qfirst);
	free(s->qn);
	free(s->always);
	free(s->cand);
	free(s->atoms);
	free(s->aq);
	free(s->slot);
	free(s->pool);
	free(s);
}

/* ---- one event ---------------------------------------------------------- */

static inline void mark(struct eql_set *s, const struct atom *a)
{
	for (uint32_t k = 0; k < a->nq; k++) {
		uint32_t qi = s->aq[a->first + k];

		s->cand[qi / 64] |= (uint64_t)1 << (qi % 64);
	}
}

static bool text_eq(const char *v, const char *key, size_t n, bool icase)
{
	if (!icase)
		return memcmp(v, key, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (eql_lower((unsigned char)v[i]) != (unsigned char)key[i])
			return false;
	return true;
}

/* The atom of this row, kind and case whose text is v[0..n), if any:
 * the filter answers most probes, the table the others. */
static void probe_table(struct eql_set *s, uint32_t fh, uint8_t row,
			unsigned kind, bool icase, const char *v, size_t n)
{
	for (size_t at = fh & s->mask; s->slot[at] != UINT32_MAX;
	     at = (at + 1) & s->mask) {
		const struct atom *a = &s->atoms[s->slot[at]];

		if (a->hash == fh && a->len == n && a->row == row &&
		    a->kind == kind && a->icase == icase &&
		    text_eq(v, s->pool + a->off, n, icase)) {
			mark(s, a);
			return;
		}
	}
}

static inline void probe(struct eql_set *s, uint8_t row, unsigned kind,
			 bool icase, uint32_t h, const char *v, size_t n)
{
	uint32_t fh = finish(h, row, kind, icase);

	if ((s->filter[(fh % FILTER_BITS) / 64] >> (fh % 64)) & 1)
		probe_table(s, fh, row, kind, icase, v, n);
}

/* FNV-1a, exact-case into *hc and ASCII-folded into *hi (each only when
 * the scan has such atoms), over the bytes at[0], at[step], ... (count
 * of them): step 1 forward for prefixes, -1 backward for suffixes. */
static inline void hash_run(const struct scan *sc, const char *at,
			    ptrdiff_t step, size_t count, uint32_t *hc,
			    uint32_t *hi)
{
	const unsigned char *p = (const unsigned char *)at;
	uint32_t a = *hc, b = *hi;
	size_t i;

	if (sc->cs && sc->ic) {
		for (i = 0; i < count; i++) {
			unsigned char c = p[(ptrdiff_t)i * step];

			a = fnv(a, c);
			b = fnv(b, eql_lower(c));
		}
	} else if (sc->cs) {
		for (i = 0; i < count; i++)
			a = fnv(a, p[(ptrdiff_t)i * step]);
	} else {
		for (i = 0; i < count; i++)
			b = fnv(b, eql_lower(p[(ptrdiff_t)i * step]));
	}
	*hc = a;
	*hi = b;
}

/* The substring atoms filed under the pair at v[t..t+2): those that
 * occur where that pair puts them. */
static void sub_at(struct eql_set *s, const struct scan *sc, uint16_t pr,
		   unsigned bit, const char *v, size_t n, size_t t)
{
	for (uint32_t lo = sc->bstart[bit]; lo < sc->bstart[bit + 1]; lo++) {
		const struct atom *a = &s->atoms[sc->sub[lo].atom];
		size_t at;

		if (sc->sub[lo].pair != pr || sc->sub[lo].off > t)
			continue; /* another pair, or before the value */
		at = t - sc->sub[lo].off;
		if (a->len <= n - at &&
		    text_eq(v + at, s->pool + a->off, a->len, a->icase))
			mark(s, a);
	}
}

static void scan_value(struct eql_set *s, const struct scan *sc,
		       const char *v, size_t n)
{
	uint32_t hc = FNV_INIT, hi = FNV_INIT;
	size_t k, done = 0;
	const unsigned char *u = (const unsigned char *)v;
	unsigned char c0 = n ? s->fold[u[0]] : 0;
	bool exact = (sc->exact[0] || sc->exact[1]) &&
		     has_bit(sc->efilt, edge_bit(n, c0, n ? s->fold[u[n - 1]] : 0));
	unsigned char cn = n ? s->fold[u[n - 1]] : 0;
	bool pre = sc->nplen && n &&
		   (has_bit(sc->pedge1, c0) ||
		    (n >= 2 && has_bit(sc->pedge,
				       (c0 << 4 ^ s->fold[u[1]]) & (PAIR_BITS - 1))));
	bool suf = sc->nslen && n &&
		   (has_bit(sc->sedge1, cn) ||
		    (n >= 2 && has_bit(sc->sedge,
				       (s->fold[u[n - 2]] << 4 ^ cn) & (PAIR_BITS - 1))));
	size_t last = 0;

	/* the prefix lengths worth a probe: some prefix that long ends
	 * with the value's byte there */
	for (k = 0; pre && k < sc->nplen && sc->plen[k] <= n; k++)
		if (has_bit(sc->plast[k], s->fold[u[sc->plen[k] - 1]]))
			last = k + 1;
	/* one forward pass: the hash of each such prefix on the way, the
	 * whole value's at the end */
	for (k = 0; k < last; k++) {
		if (!has_bit(sc->plast[k], s->fold[u[sc->plen[k] - 1]]))
			continue;
		hash_run(sc, v + done, 1, sc->plen[k] - done, &hc, &hi);
		done = sc->plen[k];
		if (sc->pcase[k] & 1)
			probe(s, sc->row, A_PREFIX, false, hc, v, done);
		if (sc->pcase[k] & 2)
			probe(s, sc->row, A_PREFIX, true, hi, v, done);
	}
	if (exact) {
		hash_run(sc, v + done, 1, n - done, &hc, &hi);
		if (sc->exact[0])
			probe(s, sc->row, A_EXACT, false, hc, v, n);
		if (sc->exact[1])
			probe(s, sc->row, A_EXACT, true, hi, v, n);
	}
	/* and one backward for the suffixes */
	hc = hi = FNV_INIT;
	done = 0;
	for (k = 0; suf && k < sc->nslen && sc->slen[k] <= n; k++) {
		hash_run(sc, v + n - 1 - done, -1, sc->slen[k] - done, &hc,
			 &hi);
		done = sc->slen[k];
		if (sc->scase[k] & 1)
			probe(s, sc->row, A_SUFFIX, false, hc, v + n - done,
			      done);
		if (sc->scase[k] & 2)
			probe(s, sc->row, A_SUFFIX, true, hi, v + n - done,
			      done);
	}
	for (size_t t = 0; sc->nsub && t + 1 < n; t += sc->stride) {
		unsigned a = s->fold[u[t]], b = s->fold[u[t + 1]];
		unsigned bit = (a << 4 ^ b) & (PAIR_BITS - 1);

		if ((sc->pairs[bit / 64] >> (bit % 64)) & 1)
			sub_at(s, sc, (uint16_t)(a << 8 | b), bit, v, n, t);
	}
	for (size_t i = 0; i < sc->nfew; i++) {
		const struct atom *a = &s->atoms[sc->few[i]];

		if (eql_contains(v, n, s->pool + a->off, a->len, a->icase))
			mark(s, a);
	}
}

void eql_set_eval(struct eql_set *s, const struct eql_event *ev,
		  void (*on_match)(void *ctx, size_t i), void *ctx)
{
	memcpy(s->cand, s->always, s->words * sizeof(*s->cand));
	for (size_t f = 0; f < s->nscans; f++) {
		const struct scan *sc = &s->scans[f];
		const struct eql_value *v = &ev->f[sc->row];

		/* as eql_eval reads values: a string is an array of one */
		if (v->kind == EQL_STRING && v->s) {
			scan_value(s, sc, v->s, v->n);
		} else if (v->kind == EQL_ARRAY && v->arr) {
			for (uint32_t i = 0; i < v->arr->argc; i++)
				scan_value(s, sc, v->arr->v[i].ptr,
					   v->arr->v[i].len);
		}
	}
	for (size_t w = 0; w < s->words; w++) {
		uint64_t bits = s->cand[w];

		while (bits) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			if (eql_eval(s->q[i], ev))
				on_match(ctx, i);
		}
	}
}

void eql_set_stats(const struct eql_set *s, struct eql_set_stats *st)
{
	*st = s->st;
}

void eql_set_gate(const struct eql_set *s, size_t i, char *buf, size_t cap)
{
	static const char *const op[] = { "==", "^=", "$=", "*=" };
	size_t used = 0;

	if (!cap)
		return;
	buf[0] = '\0';
	if (i >= s->n || s->state[i] == Q_NONE)
		return;
	if (s->state[i] != Q_GATED) {
		snprintf(buf, cap, "%s", s->state[i] == Q_NEVER ? "never" : "always");
		return;
	}
	for (uint32_t k = 0; k < s->qn[i] && used < cap; k++) {
		const struct atom *a = &s->atoms[s->qa[s->qfirst[i] + k]];
		char lit[160];
		int w;

		w = snprintf(buf + used, cap - used, "%s%s %s%s \"%s\"",
			     k ? " | " : "", ecs_fields[a->row].name,
			     op[a->kind], a->icase ? "~" : "",
			     diag_quote(lit, sizeof(lit), s->pool + a->off,
					a->len));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}
