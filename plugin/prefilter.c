/*
 * prefilter.c - which lines of audit text auparse must see; what is
 * guaranteed is in include/prefilter.h, this file says how.
 *
 * pf_decide looks at one line's head. prefilter_feed cuts the input into
 * lines: a line that a chunk ends in the middle of waits in the head
 * buffer for the next chunk, and the rest of a line longer than the head
 * follows its head's decision (mode) without being buffered. Consecutive
 * kept lines go to emit as one span of the caller's buffer.
 */
#include "config.h"

#include <endian.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libaudit.h>

#include "exec_event.h"
#include "flight.h"
#include "login_event.h"
#include "prefilter.h"

#define PF_TYPE_CACHE 32

enum rec_class {
	REC_UNKNOWN = 0,  /* unknown type name: kept */
	REC_SYSCALL,
	REC_READ,         /* read for an exec: EXECVE, CWD */
	REC_END,          /* ends an event in auparse: EOE, ... */
	REC_PROCTITLE,    /* ends an event too, and is never read */
	REC_LOGIN,        /* LOGIN: read for sessions */
	REC_PAM,          /* USER_START, USER_END: read for sessions */
	REC_USER,         /* user-space record, own serial, ends its event */
	REC_IGNORED,      /* neither read nor ending: PATH, BPRM_FCAPS, ... */
};

struct type_cache_ent {
	char name[32];
	size_t len;
	enum rec_class cls;
	bool ends;                /* it ends its event in auparse */
};

enum line_mode { LINE_START, LINE_DROP };

/* What pf_decide says of a line. */
enum verdict {
	V_DROP,
	V_KEEP,
	V_TRIMMED,  /* kept, as pf->trim says (a SYSCALL without unread fields) */
	V_HOLD,     /* a PROCTITLE that goes only if its EOE comes next */
	V_GARBAGE,  /* not an audit record */
	V_CUT,      /* kept, but its event is at its caps (flight.h) */
};

/* The head of an audit record as auditd writes it and auparse reads it:
 * [node=NAME ]type=TYPE msg=audit(SEC.MS:SERIAL) */
struct head {
	const char *node, *type, *id;
	size_t nlen, tlen, ilen;
	const char *close;        /* its ')' */
	uint64_t sec, serial;
	uint32_t ms;
	int tidx;                 /* its type in the type cache, or -1 */
};

/* A PROCTITLE is at most 128 bytes of title, hex: 1 KiB is plenty; a
 * longer one is simply kept. */
#define PF_HOLD_CAP 1024
/* Names to cut, at most (prefilter_options), in a hash of twice as many
 * slots. */
#define PF_MAX_FIELDS 32
#define PF_CUT_BITS 6
#define PF_CUT_SLOTS (1u << PF_CUT_BITS)

struct prefilter {
	prefilter_emit_fn emit;
	void *ctx;
	bool filter;              /* the removal rules apply (prefilter_set_filter) */
	struct flight *flight;    /* or NULL */
	enum line_mode mode;      /* for the rest of an over-long line */
	const char *run;          /* kept lines not emitted yet, in the
				   * buffer prefilter_feed was given */
	int rc;                   /* of this prefilter_feed */
	char *head;               /* PREFILTER_LINE_CAP bytes: a line cut by a chunk */
	size_t head_len;
	uint64_t kept[PREFILTER_IDS], dropped[PREFILTER_IDS];
	unsigned kept_pos, dropped_pos;
	struct type_cache_ent types[PF_TYPE_CACHE];
	unsigned ntypes;
	unsigned long long last_sec;  /* second of the previous record */
	/* the id text of the last record read whole, and its numbers: the
	 * records of an event come together */
	char last_id[32];
	size_t last_ilen;             /* 0: none */
	uint64_t last_id_sec, last_id_serial;
	uint32_t last_id_ms;
	struct prefilter_stats stats;
	/* prefilter_set_options */
	bool trim, proctitle;
	uint64_t cut[PF_CUT_SLOTS];     /* pack_name of the fields to cut */
	uint64_t cut_names[PF_CUT_SLOTS]; /* ... of the ENRICHED names */
	bool enriched_all;        /* cut all of the ENRICHED text */
	char *trim_buf;           /* PREFILTER_LINE_CAP + 1: a trimmed line */
	size_t trim_len;          /* with its newline */
	/* the line just decided: an EOE, and its id; whether it ends its
	 * event in auparse, and its id as auparse compares them */
	bool line_eoe, line_ends;
	uint64_t line_id;
	struct flight_id line_fid;
	/* a PROCTITLE held back (with its newline) until the next kept line */
	char hold[PF_HOLD_CAP];
	size_t hold_len;           /* 0: none */
	size_t hold_bytes;         /* its bytes in the input */
	uint64_t hold_id;
};

static uint64_t id_hash(const char *node, size_t nlen, const char *id,
			size_t ilen)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < nlen; i++)
		h = (h ^ (unsigned char)node[i]) * 0x100000001b3ULL;
	h = (h ^ ' ') * 0x100000001b3ULL;
	for (i = 0; i < ilen; i++)
		h = (h ^ (unsigned char)id[i]) * 0x100000001b3ULL;
	return h ? h : 1;
}

/* Newest first: the id asked for is almost always the last one added. */
static bool id_in(const uint64_t *ring, unsigned pos, uint64_t h)
{
	unsigned i;

	for (i = 1; i <= PREFILTER_IDS; i++)
		if (ring[(pos - i) % PREFILTER_IDS] == h)
			return true;
	return false;
}

static void id_add(uint64_t *ring, unsigned *pos, uint64_t h)
{
	if (ring[(*pos - 1) % PREFILTER_IDS] == h)
		return;
	ring[*pos % PREFILTER_IDS] = h;
	*pos = (*pos + 1) % PREFILTER_IDS;
}

static enum rec_class class_of_number(int t)
{
	if (t == AUDIT_SYSCALL)
		return REC_SYSCALL;
	if (t == AUDIT_EXECVE || t == AUDIT_CWD)
		return REC_READ;
	if (t == AUDIT_LOGIN)
		return REC_LOGIN;
	if (t == AUDIT_USER_START || t == AUDIT_USER_END)
		return REC_PAM;
	/* What completes an event in auparse (au_check_events: 3.0.x takes
	 * every type below AUDIT_FIRST_EVENT, later versions all but LOGIN):
	 * user-space records with their own serials, and LOGIN */
	if ((t > 0 && t < AUDIT_FIRST_EVENT) ||
	    (t >= AUDIT_FIRST_USER_MSG2 && t <= AUDIT_LAST_USER_MSG2))
		return REC_USER;
	if (t == AUDIT_PROCTITLE)
		return REC_PROCTITLE;
	if (t == AUDIT_EOE ||
	    t >= AUDIT_FIRST_ANOM_MSG || t == AUDIT_KERNEL ||
	    (t >= AUDIT_MAC_UNLBL_ALLOW && t <= AUDIT_MAC_CALIPSO_DEL))
		return REC_END;
	if (t > 0)
		return REC_IGNORED;
	return REC_UNKNOWN;
}

/* The class of a type name not in the type cache (added to it while
 * there is room). */
static enum rec_class class_of_name(struct prefilter *pf, const char *name,
				    size_t len, bool *ends)
{
	struct type_cache_ent *e;
	char tmp[32];
	enum rec_class cls;
	int t;

	/* head_of keeps names to 31 bytes */
	memcpy(tmp, name, len);
	tmp[len] = '\0';
	t = audit_name_to_msg_type(tmp);
	*ends = flight_type_ends(t);
	/* "UNKNOWN[1334]" and names this libaudit does not know: kept */
	cls = strchr(tmp, '[') ? REC_UNKNOWN : class_of_number(t);
	if (pf->ntypes < PF_TYPE_CACHE) {
		e = &pf->types[pf->ntypes++];
		memcpy(e->name, name, len);
		e->len = len;
		e->cls = cls;
		e->ends = *ends;
	}
	return cls;
}

/* Decimal digits s[0..n), 1 to max of them, into *out. */
static bool digits(const char *s, size_t n, size_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* A type name as auditd writes them: capitals, digits and '_', or
 * UNKNOWN[N]; at most 31 bytes (the type cache's). */
static bool type_name(const char *t, size_t n)
{
	size_t i;

	if (n == 0 || n > 31)
		return false;
	if (n > 9 && memcmp(t, "UNKNOWN[", 8) == 0 && t[n - 1] == ']') {
		for (i = 8; i < n - 1; i++)
			if (t[i] < '0' || t[i] > '9')
				return false;
		return true;
	}
	for (i = 0; i < n; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '_'))
			return false;
	return true;
}

/*
 * The head of the line s[0..n), or false when the line is not an audit
 * record: "[node=NAME ]type=TYPE msg=audit(SEC.MS:SERIAL)", each part as
 * auditd writes it and such that libauparse 3.0.9 reads the same event id
 * from it (extract_timestamp: the id within the line's first 80 bytes, 340
 * with node=; its token at least 19 bytes; a second above 0, which
 * auparse_get_timestamp would not give back). NAME: 1 to FLIGHT_NODE_MAX
 * bytes, no NUL and no 0x1d (auparse cuts a record there).
 */
static bool head_of(struct prefilter *pf, const char *s, size_t n,
		    struct head *h)
{
	const char *p = s, *end = s + n, *q, *dot, *colon, *tok_end, *win;
	uint64_t ms;
	size_t i;
	unsigned k;

	h->node = "";
	h->nlen = 0;
	win = s + (n < 80 ? n : 80);
	if (n > 5 && memcmp(p, "node=", 5) == 0) {
		h->node = p + 5;
		q = memchr(h->node, ' ', (size_t)(end - h->node));
		if (!q || q == h->node || q - h->node > FLIGHT_NODE_MAX)
			return false;
		h->nlen = (size_t)(q - h->node);
		for (i = 0; i < h->nlen; i++)
			if (h->node[i] == '\0' ||
			    h->node[i] == AUDIT_INTERP_SEPARATOR)
				return false;
		p = q + 1;
		win = s + (n < 340 ? n : 340);
	}
	if ((size_t)(end - p) < 5 || memcmp(p, "type=", 5) != 0)
		return false;
	h->type = p + 5;
	q = memchr(h->type, ' ', (size_t)(end - h->type));
	if (!q)
		return false;
	h->tlen = (size_t)(q - h->type);
	/* a name in the cache was checked when it went in */
	h->tidx = -1;
	for (k = 0; k < pf->ntypes; k++)
		if (pf->types[k].len == h->tlen &&
		    memcmp(pf->types[k].name, h->type, h->tlen) == 0) {
			h->tidx = (int)k;
			break;
		}
	if (h->tidx < 0 && !type_name(h->type, h->tlen))
		return false;
	p = q + 1;
	if ((size_t)(end - p) < 10 || memcmp(p, "msg=audit(", 10) != 0)
		return false;
	h->id = p + 10;
	h->close = memchr(h->id, ')', (size_t)(win - h->id));
	if (!h->close)
		return false;
	h->ilen = (size_t)(h->close - h->id);
	/* The id of the last record read: valid, without a space, so its
	 * token is at least 19 bytes when the id is 9 */
	if (h->ilen >= 9 && h->ilen == pf->last_ilen &&
	    memcmp(h->id, pf->last_id, h->ilen) == 0) {
		h->sec = pf->last_id_sec;
		h->ms = pf->last_id_ms;
		h->serial = pf->last_id_serial;
		return true;
	}
	tok_end = memchr(p, ' ', (size_t)(end - p));
	if (!tok_end)
		tok_end = end;
	if ((tok_end < win ? tok_end : win) - p < 19)
		return false;
	dot = memchr(h->id, '.', h->ilen);
	colon = dot ? memchr(dot, ':', (size_t)(h->close - dot)) : NULL;
	if (!colon ||
	    !digits(h->id, (size_t)(dot - h->id), 18, &h->sec) ||
	    h->sec == 0 ||
	    !digits(dot + 1, (size_t)(colon - dot - 1), 3, &ms) ||
	    !digits(colon + 1, (size_t)(h->close - colon - 1), 19,
		    &h->serial))
		return false;
	h->ms = (uint32_t)ms;
	if (h->ilen < sizeof(pf->last_id)) {
		memcpy(pf->last_id, h->id, h->ilen);
		pf->last_ilen = h->ilen;
		pf->last_id_sec = h->sec;
		pf->last_id_ms = h->ms;
		pf->last_id_serial = h->serial;
	}
	return true;
}

static bool hex_ul(const char *v, size_t n, unsigned long *out)
{
	unsigned long x = 0;
	size_t i;

	if (n == 0 || n > 8)
		return false;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)v[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		x = x * 16 + (unsigned long)d;
	}
	*out = x;
	return true;
}

static bool dec_l(const char *v, size_t n, long *out)
{
	long x = 0;
	size_t i;

	if (n == 0 || n > 6)
		return false;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (v[i] - '0');
	}
	*out = x;
	return true;
}

/* A field name of 1 to 7 bytes as one number, its first byte lowest (0:
 * any other length, never a name to cut), so that matching a token is a
 * load, a few bit operations and a hash probe. */
static uint64_t pack_name(const char *name, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 7)
		return 0;
	for (i = 0; i < n; i++)
		v |= (uint64_t)(unsigned char)name[i] << (8 * i);
	return v;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* The packed name of the token at tok (before lim) when it is NAME=...
 * with NAME of 1 to 7 bytes; 0 otherwise. Eight bytes at once where
 * there are eight: the first '=' or ' ' among them ends the name. */
static inline __attribute__((always_inline)) uint64_t
token_name(const char *tok, const char *lim)
{
	uint64_t x, eq, sp, m, v = 0;
	unsigned k;

	if (lim - tok >= 8) {
		memcpy(&x, tok, 8);
		x = le64toh(x);
		eq = x ^ (ONES * '=');
		sp = x ^ (ONES * ' ');
		m = (((eq - ONES) & ~eq) | ((sp - ONES) & ~sp)) & HIGHS;
		if (!m)
			return 0;
		/* the lowest flagged byte is exact (borrows only go up) */
		k = (unsigned)__builtin_ctzll(m) >> 3;
		if (k == 0 || ((x >> (8 * k)) & 0xff) != '=')
			return 0;
		return x & ((1ULL << (8 * k)) - 1);
	}
	for (k = 0; k < 8 && tok + k < lim; k++) {
		if (tok[k] == '=')
			return k ? v : 0;
		if (tok[k] == ' ')
			return 0;
		v |= (uint64_t)(unsigned char)tok[k] << (8 * k);
	}
	return 0;
}

/* The slot of a packed name in the cut set (a small open hash). */
static unsigned cut_slot(uint64_t v)
{
	return (unsigned)((v * 0x9e3779b97f4a7c15ULL) >> (64 - PF_CUT_BITS));
}

static bool in_cut(const uint64_t *set, uint64_t v)
{
	unsigned i = cut_slot(v);

	while (set[i]) {
		if (set[i] == v)
			return true;
		i = (i + 1) & (PF_CUT_SLOTS - 1);
	}
	return false;
}

static void cut_add(uint64_t *set, uint64_t v)
{
	unsigned i = cut_slot(v);

	while (set[i] && set[i] != v)
		i = (i + 1) & (PF_CUT_SLOTS - 1);
	set[i] = v;
}

/* The ENRICHED text p[0..end) without the tokens of the names to cut,
 * after the separator, one space apart, at o; nothing at all when no
 * token is left. */
static char *trim_names(const struct prefilter *pf, const char *p,
			const char *end, char *o)
{
	const char *tok;
	bool first = true;
	uint64_t v;

	while (p < end) {
		if (*p == ' ') {
			p++;
			continue;
		}
		tok = p;
		p = memchr(p, ' ', (size_t)(end - p));
		if (!p)
			p = end;
		v = token_name(tok, p);
		if (v && in_cut(pf->cut_names, v))
			continue;
		*o++ = first ? AUDIT_INTERP_SEPARATOR : ' ';
		first = false;
		memcpy(o, tok, (size_t)(p - tok));
		o += p - tok;
	}
	return o;
}

/*
 * arch= and syscall= of a whole SYSCALL line, from s[0..n) (what follows
 * its msg=audit(ID) token, a space first): each must come once, unquoted,
 * counting tokens auparse would rename ("(arch="), or false: unsure. The
 * ENRICHED part (after the separator) is not read: auparse keeps it apart.
 * One memchr per token; nothing is copied.
 */
static bool syscall_kind_of(const char *s, size_t n, enum syscall_kind *kind)
{
	const char *p = s, *end, *t, *v, *arch = NULL, *nr = NULL;
	size_t alen = 0, nlen = 0;
	unsigned narch = 0, nnr = 0;
	unsigned long a;
	long sc;

	end = memchr(s, AUDIT_INTERP_SEPARATOR, n);
	if (!end)
		end = s + n;
	while ((p = memchr(p, ' ', (size_t)(end - p))) != NULL) {
		t = ++p;
		if (t < end && *t == '(')
			t++;
		if (end - t >= 5 && t[0] == 'a' && memcmp(t, "arch=", 5) == 0) {
			v = t + 5;
			narch++;
			arch = v;
		} else if (end - t >= 8 && t[0] == 's' &&
			   memcmp(t, "syscall=", 8) == 0) {
			v = t + 8;
			nnr++;
			nr = v;
		} else {
			continue;
		}
		t = memchr(v, ' ', (size_t)(end - v));
		if (v == arch)
			alen = (size_t)((t ? t : end) - v);
		else
			nlen = (size_t)((t ? t : end) - v);
	}
	if (narch != 1 || nnr != 1 || !hex_ul(arch, alen, &a) ||
	    !dec_l(nr, nlen, &sc))
		return false;
	*kind = exec_event_classify(a, sc);
	return true;
}

/* The kind named by the first two fields after the msg=audit(ID) token,
 * " arch=HEX syscall=DEC ", as the kernel writes them; false when they are
 * not that. */
static bool first_kind(const char *p, const char *end, enum syscall_kind *kind)
{
	const char *v, *sp;
	unsigned long a;
	long nr;

	if (end - p < 16 || memcmp(p, " arch=", 6) != 0)
		return false;
	v = p + 6;
	sp = memchr(v, ' ', (size_t)(end - v));
	if (!sp || !hex_ul(v, (size_t)(sp - v), &a) || end - sp < 10 ||
	    memcmp(sp, " syscall=", 9) != 0)
		return false;
	v = sp + 9;
	sp = memchr(v, ' ', (size_t)(end - v));
	if (!sp)
		sp = end;
	if (!dec_l(v, (size_t)(sp - v), &nr))
		return false;
	*kind = exec_event_classify(a, nr);
	return true;
}

/*
 * A kept SYSCALL line rebuilt into trim_buf (with its newline; trim_len)
 * from head[0..hlen) and s[0..n) (the rest, a space first) without the
 * tokens of the fields to cut (NAME=..., NAME one of them), and of its
 * ENRICHED part (after the separator; auparse keeps it apart as the
 * record's interpretations) without the tokens of the names to cut, or
 * without all of it. One memchr per token and a hash probe per name; a
 * kept stretch of tokens is copied at once. A line with a NUL is left
 * alone (trim_len 0): auparse reads a record as a C string, cut there.
 */
static void trim_syscall(struct prefilter *pf, const char *head, size_t hlen,
			 const char *s, size_t n)
{
	const char *p = s, *end, *keep = s, *tok, *sp;
	char *o = pf->trim_buf;
	uint64_t v;

	pf->trim_len = 0;
	if (memchr(head, '\0', (size_t)(s + n - head)))
		return;
	end = memchr(s, AUDIT_INTERP_SEPARATOR, n);
	if (!end)
		end = s + n;
	memcpy(o, head, hlen);
	o += hlen;
	/* p at a space; the token after it */
	while (p < end) {
		tok = p + 1;
		sp = memchr(tok, ' ', (size_t)(end - tok));
		if (!sp)
			sp = end;
		v = token_name(tok, sp);
		if (v && in_cut(pf->cut, v)) {
			/* the kept stretch before it, with its space */
			memcpy(o, keep, (size_t)(p - keep));
			o += p - keep;
			keep = sp;
		}
		p = sp;
	}
	memcpy(o, keep, (size_t)(end - keep));
	o += end - keep;
	if (end < s + n && !pf->enriched_all)
		o = trim_names(pf, end + 1, s + n, o);
	*o++ = '\n';
	pf->trim_len = (size_t)(o - pf->trim_buf);
}

/*
 * Whether libauparse 3.0.9 reads more than one cwd= field in the CWD
 * record s[0..n): it keeps a copy of each and loses all but the last
 * (parse_up_record), so a sender could grow its memory at will. Fields as
 * it splits them: tokens between spaces, a leading "msg='" or "(" cut off,
 * the value not empty. The kernel writes one.
 */
static bool cwd_twice(const char *s, size_t n)
{
	const char *p = s, *end = s + n, *t, *sp;
	unsigned found = 0;

	/* it reads the record up to a NUL, and its fields up to 0x1d */
	if ((t = memchr(s, '\0', n)) != NULL)
		end = t;
	if ((t = memchr(s, AUDIT_INTERP_SEPARATOR, (size_t)(end - s))) != NULL)
		end = t;

	while (p < end) {
		sp = memchr(p, ' ', (size_t)(end - p));
		if (!sp)
			sp = end;
		t = p;
		if (sp - t > 5 && memcmp(t, "msg='", 5) == 0)
			t += 5;
		if (t < sp && *t == '(')
			t++;
		if (sp - t > 4 && memcmp(t, "cwd=", 4) == 0 && ++found > 1)
			return true;
		p = sp + 1;
	}
	return false;
}

/*
 * Decide one whole line s[0..n) (without its newline). Also says whether
 * it is an EOE, ends its event in auparse, and its ids (line_eoe,
 * line_ends, line_id, line_fid), for a PROCTITLE held back and for the
 * events in flight.
 */
static enum verdict pf_decide(struct prefilter *pf, const char *s, size_t n)
{
	const char *end = s + n, *body;
	struct head hd;
	enum rec_class cls;
	enum syscall_kind kind;
	uint64_t h;
	bool new_sec, known;

	pf->line_eoe = false;
	if (!head_of(pf, s, n, &hd))
		return V_GARBAGE;
	if (hd.tidx >= 0) {
		cls = pf->types[hd.tidx].cls;
		pf->line_ends = pf->types[hd.tidx].ends;
	} else {
		cls = class_of_name(pf, hd.type, hd.tlen, &pf->line_ends);
	}
	pf->line_eoe = hd.tlen == 3 && memcmp(hd.type, "EOE", 3) == 0;
	pf->line_fid = (struct flight_id){
		.node = hd.node, .nlen = hd.nlen,
		.sec = hd.sec, .ms = hd.ms, .serial = hd.serial,
	};
	if (hd.tlen == 3 && memcmp(hd.type, "CWD", 3) == 0 &&
	    cwd_twice(hd.close, (size_t)(end - hd.close)))
		return V_GARBAGE;
	if (!pf->filter)
		return V_KEEP;

	/* auparse times events out when a record's second is eoe_timeout
	 * past theirs; such a record is always the first of a new second, so
	 * keeping every record whose second differs from the previous
	 * record's keeps those timeouts exactly as without the prefilter
	 * (one record, and its event, per second of log time). */
	new_sec = hd.sec != pf->last_sec;
	pf->last_sec = hd.sec;

	if (cls == REC_IGNORED && !new_sec)
		return V_DROP;
	h = id_hash(hd.node, hd.nlen, hd.id, hd.ilen);
	pf->line_id = h;
	if (new_sec) {
		id_add(pf->kept, &pf->kept_pos, h);
		return V_KEEP;
	}
	/* A login record is an event by itself; its id is not kept, so
	 * that LOGIN's write() SYSCALL, which has the same id, is still
	 * decided by its own syscall= below. PAM records outside any
	 * session are user records like the others. */
	if (cls == REC_PAM)
		cls = login_without_session(LOGIN_PAM_START, s, n) ? REC_USER :
		      REC_LOGIN;
	if (cls == REC_LOGIN)
		return V_KEEP;
	if (id_in(pf->kept, pf->kept_pos, h))
		return cls == REC_PROCTITLE && pf->proctitle &&
		       n + 1 <= PF_HOLD_CAP ? V_HOLD : V_KEEP;
	if (id_in(pf->dropped, pf->dropped_pos, h))
		return V_DROP;
	switch (cls) {
	case REC_USER:
		return V_DROP;
	case REC_SYSCALL:
		/* the msg=audit(ID): token ends at the next space */
		body = memchr(hd.close, ' ', (size_t)(end - hd.close));
		if (!body)
			body = end;
		/* An exec or a fork by its first two fields (the kernel's
		 * order) is kept whatever follows: more arch= or syscall=
		 * would only make it unsure, which keeps it too. */
		known = first_kind(body, end, &kind) && kind != SYSCALL_OTHER;
		if (!known)
			known = syscall_kind_of(body, (size_t)(end - body),
						&kind);
		if (known && kind == SYSCALL_OTHER) {
			id_add(pf->dropped, &pf->dropped_pos, h);
			return V_DROP;
		}
		id_add(pf->kept, &pf->kept_pos, h);
		if (!pf->trim)
			return V_KEEP;
		trim_syscall(pf, s, (size_t)(body - s), body,
			     (size_t)(end - body));
		return pf->trim_len ? V_TRIMMED : V_KEEP;
	default:
		break;
	}
	id_add(pf->kept, &pf->kept_pos, h);
	return V_KEEP;
}

static int emit(struct prefilter *pf, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (pf->emit(s, n, pf->ctx) < 0) {
		pf->rc = -1;
		return -1;
	}
	return 0;
}

/* A line of n bytes (newline included) that does not go to auparse. */
static void count_removed(struct prefilter *pf, enum verdict v, size_t n)
{
	if (v == V_DROP)
		pf->stats.skipped_records++;
	else if (v == V_GARBAGE)
		pf->stats.garbage_lines++;
	pf->stats.skipped_bytes += n;
}

/*
 * 1 when the line s[0..n) (without its newline) ends in a carriage return:
 * a log that went through Windows tools or a ticket system. auparse would
 * take the \r as part of the record's last field (an argument, the key,
 * the ENRICHED names), so it is left out of what is emitted, and counted.
 */
static size_t crlf(struct prefilter *pf, const char *s, size_t n)
{
	if (n == 0 || s[n - 1] != '\r')
		return 0;
	pf->stats.crlf_lines++;
	return 1;
}

/* The kept lines of the caller's buffer so far, up to `upto`, go out. */
static void flush_run(struct prefilter *pf, const char *upto)
{
	if (pf->run)
		emit(pf, pf->run, (size_t)(upto - pf->run));
	pf->run = NULL;
}

static void flush_hold(struct prefilter *pf)
{
	size_t n = pf->hold_len;

	pf->hold_len = 0;
	emit(pf, pf->hold, n);
}

/*
 * Before the bytes of a line that goes to auparse: the PROCTITLE held
 * back goes first, unless this line is its event's EOE, which ends the
 * event in auparse as the PROCTITLE would have (auparse eats an EOE that
 * follows an event already ended).
 */
static void settle(struct prefilter *pf, enum verdict v)
{
	if (!pf->hold_len)
		return;
	if (v == V_KEEP && pf->line_eoe && pf->line_id == pf->hold_id) {
		pf->stats.skipped_records++;
		pf->stats.skipped_bytes += pf->hold_bytes;
		pf->hold_len = 0;
		return;
	}
	flush_hold(pf);
}

/* An EOE record that makes auparse hand on an event cut short. */
static void write_eoe(struct prefilter *pf, const struct flight_victim *v)
{
	char line[FLIGHT_NODE_MAX + 96];
	int n;

	n = snprintf(line, sizeof(line),
		     "%s%.*s%stype=EOE msg=audit(%llu.%03u:%llu): \n",
		     v->id.nlen ? "node=" : "", (int)v->id.nlen, v->node,
		     v->id.nlen ? " " : "", (unsigned long long)v->id.sec,
		     v->id.ms, (unsigned long long)v->id.serial);
	if (n > 0 && (size_t)n < sizeof(line))
		emit(pf, line, (size_t)n);
}

/*
 * The events in flight (flight.h) take the line just decided as v, whose
 * text for auparse is s[0..len) without its newline (a line in the head
 * buffer has none there): v, or V_CUT when its event is at its own caps.
 * When they are full, the lines kept before it go to auparse first, so
 * that the events it hands on meanwhile are counted out; then, while
 * still full, the oldest events are ended by EOE records.
 */
static enum verdict admit(struct prefilter *pf, const char *s,
			  enum verdict v, size_t len)
{
	struct flight_victim vic;
	enum flight_rec kind;
	bool synced = false;
	size_t cost;

	if (!pf->flight || (v != V_KEEP && v != V_TRIMMED && v != V_HOLD))
		return v;
	kind = pf->line_eoe ? FLIGHT_REC_EOE :
	       pf->line_ends ? FLIGHT_REC_ENDS : FLIGHT_REC_MORE;
	cost = flight_cost(v == V_TRIMMED ? pf->trim_buf : s, len);
	for (;;) {
		switch (flight_admit(pf->flight, &pf->line_fid, kind, cost)) {
		case FLIGHT_PASS:
			return v;
		case FLIGHT_DROP:
			return V_CUT;
		case FLIGHT_FULL:
			break;
		}
		if (!synced) {
			/* (an EOE is never refused, so the PROCTITLE held
			 * is not this line's to take away) */
			flush_run(pf, s);
			if (pf->hold_len)
				flush_hold(pf);
			synced = true;
			continue;
		}
		/* the caps leave room for one event's records: there is
		 * always another event to end */
		if (!flight_evict(pf->flight, &pf->line_fid, &vic))
			return V_CUT;
		if (vic.waiting)
			write_eoe(pf, &vic);
	}
}

/*
 * A whole line s[0..n) (without its newline), in the caller's buffer
 * (in_buf: kept, it may join the run of lines to emit at once) or in the
 * head buffer.
 */
static void take_whole(struct prefilter *pf, const char *s, size_t n,
		       bool in_buf)
{
	size_t cr = crlf(pf, s, n), len = n - cr;
	enum verdict v = pf_decide(pf, s, len);

	v = admit(pf, s, v, v == V_TRIMMED ? pf->trim_len - 1 : len);
	if (in_buf && v == V_KEEP && !cr && !pf->hold_len) {
		/* the common case: the line joins the run */
		if (!pf->run)
			pf->run = s;
		return;
	}
	flush_run(pf, s);
	switch (v) {
	case V_DROP:
	case V_GARBAGE:
	case V_CUT:
		count_removed(pf, v, n + 1);
		return;
	default:
		break;
	}
	settle(pf, v);
	switch (v) {
	case V_TRIMMED:
		emit(pf, pf->trim_buf, pf->trim_len);
		break;
	case V_HOLD:
		memcpy(pf->hold, s, len);
		pf->hold[len] = '\n';
		pf->hold_len = len + 1;
		pf->hold_bytes = n + 1;
		pf->hold_id = pf->line_id;
		break;
	default:
		if (in_buf && !cr) {
			pf->run = s;
		} else if (emit(pf, s, len) == 0) {
			emit(pf, "\n", 1);
		}
		break;
	}
}

/* A line of PREFILTER_LINE_CAP bytes or more: never an audit record; its
 * first `head` bytes are gone, the rest follows (LINE_DROP). */
static void long_line(struct prefilter *pf, size_t head)
{
	pf->stats.long_lines++;
	pf->stats.skipped_bytes += head;
	pf->mode = LINE_DROP;
}

/* Split into lines, decide each, emit runs of kept lines. */
int prefilter_feed(struct prefilter *pf, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t n, take;

	pf->rc = 0;
	pf->run = NULL;
	while (p < end) {
		if (pf->mode == LINE_DROP) {
			/* the rest of an over-long line */
			nl = memchr(p, '\n', (size_t)(end - p));
			n = (size_t)((nl ? nl + 1 : end) - p);
			pf->stats.skipped_bytes += n;
			if (nl)
				pf->mode = LINE_START;
			p += n;
			continue;
		}
		if (pf->head_len) {
			/* a line begun in an earlier chunk */
			nl = memchr(p, '\n', (size_t)(end - p));
			n = (size_t)((nl ? nl : end) - p);
			take = PREFILTER_LINE_CAP - pf->head_len;
			if (n < take)
				take = n;
			memcpy(pf->head + pf->head_len, p, take);
			pf->head_len += take;
			p += take;
			/* the cap first: a line of exactly PREFILTER_LINE_CAP
			 * bytes is long, as when it comes in one chunk */
			if (pf->head_len == PREFILTER_LINE_CAP) {
				long_line(pf, pf->head_len);
				pf->head_len = 0;
			} else if (nl && p == nl) {
				take_whole(pf, pf->head, pf->head_len, false);
				pf->head_len = 0;
				p++;
			}
			continue;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		if (n >= PREFILTER_LINE_CAP) {
			flush_run(pf, p);
			long_line(pf, PREFILTER_LINE_CAP);
			p += PREFILTER_LINE_CAP;
			continue;
		}
		if (!nl) {
			/* the start of a line that ends in a later chunk */
			flush_run(pf, p);
			memcpy(pf->head, p, n);
			pf->head_len = n;
			p = end;
			break;
		}
		take_whole(pf, p, n, true);
		p = nl + 1;
	}
	flush_run(pf, p);
	return pf->rc;
}

int prefilter_finish(struct prefilter *pf)
{
	struct head hd;
	size_t n;

	pf->rc = 0;
	if (pf->hold_len)
		flush_hold(pf);
	if (pf->head_len) {
		n = pf->head_len - crlf(pf, pf->head, pf->head_len);
		if (head_of(pf, pf->head, n, &hd)) {
			emit(pf, pf->head, n);
		} else {
			pf->stats.garbage_lines++;
			pf->stats.skipped_bytes += pf->head_len;
		}
	}
	pf->head_len = 0;
	pf->mode = LINE_START;
	return pf->rc;
}

void prefilter_set_filter(struct prefilter *pf, bool on)
{
	pf->filter = on;
}

void prefilter_set_flight(struct prefilter *pf, struct flight *f)
{
	pf->flight = f;
}

void prefilter_set_options(struct prefilter *pf,
			   const struct prefilter_options *o)
{
	bool any = false;
	size_t i;

	pf->proctitle = o->proctitle;
	pf->trim = false;
	memset(pf->cut, 0, sizeof(pf->cut));
	memset(pf->cut_names, 0, sizeof(pf->cut_names));
	pf->enriched_all = o->enriched_all;
	if (!pf->trim_buf)
		return;
	for (i = 0; o->syscall_cut && o->syscall_cut[i] &&
		    i < PF_MAX_FIELDS; i++) {
		const char *f = o->syscall_cut[i];
		uint64_t v = pack_name(f, strlen(f));

		/* a longer name could never match: not cut */
		if (v) {
			cut_add(pf->cut, v);
			any = true;
		}
	}
	for (i = 0; o->enriched_cut && o->enriched_cut[i] &&
		    i < PF_MAX_FIELDS; i++) {
		const char *f = o->enriched_cut[i];
		uint64_t v = pack_name(f, strlen(f));

		if (v) {
			cut_add(pf->cut_names, v);
			any = true;
		}
	}
	if (!any && !o->enriched_all)
		return;
	pf->trim = true;
}

struct prefilter *prefilter_new(prefilter_emit_fn fn, void *ctx)
{
	struct prefilter *pf = calloc(1, sizeof(*pf));

	if (!pf)
		return NULL;
	pf->head = malloc(PREFILTER_LINE_CAP);
	pf->trim_buf = malloc(PREFILTER_LINE_CAP + 1);
	if (!pf->head || !pf->trim_buf) {
		free(pf->head);
		free(pf->trim_buf);
		free(pf);
		return NULL;
	}
	pf->emit = fn;
	pf->ctx = ctx;
	pf->filter = true;
	return pf;
}

void prefilter_free(struct prefilter *pf)
{
	if (!pf)
		return;
	free(pf->head);
	free(pf->trim_buf);
	free(pf);
}

void prefilter_stats(const struct prefilter *pf, struct prefilter_stats *out)
{
	*out = pf->stats;
}
