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
#include <stdlib.h>
#include <string.h>
#include <libaudit.h>

#include "exec_event.h"
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
};

enum line_mode { LINE_START, LINE_PASS, LINE_DROP };

/* What pf_decide says of a line. */
enum verdict {
	V_DROP,
	V_KEEP,
	V_TRIMMED,  /* kept, as pf->trim says (a SYSCALL without unread fields) */
	V_HOLD,     /* a PROCTITLE that goes only if its EOE comes next */
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
	enum line_mode mode;      /* for the rest of an over-long line */
	char *head;               /* PREFILTER_LINE_CAP bytes: a line cut by a chunk */
	size_t head_len;
	uint64_t kept[PREFILTER_IDS], dropped[PREFILTER_IDS];
	unsigned kept_pos, dropped_pos;
	struct type_cache_ent types[PF_TYPE_CACHE];
	unsigned ntypes;
	unsigned long long last_sec;  /* second of the previous record */
	struct prefilter_stats stats;
	/* prefilter_set_options */
	bool trim, proctitle;
	uint64_t cut[PF_CUT_SLOTS];     /* pack_name of the fields to cut */
	uint64_t cut_names[PF_CUT_SLOTS]; /* ... of the ENRICHED names */
	bool enriched_all;        /* cut all of the ENRICHED text */
	char *trim_buf;           /* PREFILTER_LINE_CAP + 1: a trimmed line */
	size_t trim_len;          /* with its newline */
	/* the line just decided: an EOE, and its id */
	bool line_eoe;
	uint64_t line_id;
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

static enum rec_class class_of_name(struct prefilter *pf, const char *name,
				    size_t len)
{
	struct type_cache_ent *e;
	unsigned i;
	char tmp[32];
	enum rec_class cls;

	if (len == 0 || len >= sizeof(tmp))
		return REC_UNKNOWN;
	for (i = 0; i < pf->ntypes; i++) {
		e = &pf->types[i];
		if (e->len == len && memcmp(e->name, name, len) == 0)
			return e->cls;
	}
	memcpy(tmp, name, len);
	tmp[len] = '\0';
	/* "UNKNOWN[1334]" and names this libaudit does not know: kept */
	cls = strchr(tmp, '[') ? REC_UNKNOWN :
	      class_of_number(audit_name_to_msg_type(tmp));
	if (pf->ntypes < PF_TYPE_CACHE) {
		e = &pf->types[pf->ntypes++];
		memcpy(e->name, name, len);
		e->len = len;
		e->cls = cls;
	}
	return cls;
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
 * Decide one line from its first n bytes (the whole line without its
 * newline when `whole`). Also says whether it is an EOE and its id
 * (line_eoe, line_id), for a PROCTITLE held back.
 */
static enum verdict pf_decide(struct prefilter *pf, const char *s, size_t n,
			      bool whole)
{
	const char *p = s, *end = s + n, *node = "", *type, *id, *q, *body;
	size_t nlen = 0, tlen, ilen;
	enum rec_class cls;
	enum syscall_kind kind;
	uint64_t h;
	unsigned long long sec;
	size_t i;
	bool new_sec, known;

	pf->line_eoe = false;
	if (n > 5 && memcmp(p, "node=", 5) == 0) {
		node = p + 5;
		q = memchr(node, ' ', (size_t)(end - node));
		if (!q)
			return V_KEEP;
		nlen = (size_t)(q - node);
		p = q + 1;
	}
	if ((size_t)(end - p) < 5 || memcmp(p, "type=", 5) != 0)
		return V_KEEP;
	type = p + 5;
	q = memchr(type, ' ', (size_t)(end - type));
	if (!q)
		return V_KEEP;
	tlen = (size_t)(q - type);
	p = q + 1;
	if ((size_t)(end - p) < 10 || memcmp(p, "msg=audit(", 10) != 0)
		return V_KEEP;
	id = p + 10;
	q = memchr(id, ')', (size_t)(end - id));
	if (!q || q - id > 64)
		return V_KEEP;
	ilen = (size_t)(q - id);

	/* auparse times events out when a record's second is eoe_timeout
	 * past theirs; such a record is always the first of a new second, so
	 * keeping every record whose second differs from the previous
	 * record's keeps those timeouts exactly as without the prefilter
	 * (one record, and its event, per second of log time). */
	sec = 0;
	for (i = 0; i < ilen && id[i] >= '0' && id[i] <= '9' && i < 19; i++)
		sec = sec * 10 + (unsigned long long)(id[i] - '0');
	new_sec = sec != pf->last_sec;
	pf->last_sec = sec;

	cls = class_of_name(pf, type, tlen);
	if (cls == REC_IGNORED && !new_sec)
		return V_DROP;
	h = id_hash(node, nlen, id, ilen);
	pf->line_id = h;
	pf->line_eoe = tlen == 3 && memcmp(type, "EOE", 3) == 0;
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
		return cls == REC_PROCTITLE && whole && pf->proctitle &&
		       n + 1 <= PF_HOLD_CAP ? V_HOLD : V_KEEP;
	if (id_in(pf->dropped, pf->dropped_pos, h))
		return V_DROP;
	switch (cls) {
	case REC_USER:
		return V_DROP;
	case REC_SYSCALL:
		if (!whole)
			break;
		/* the msg=audit(ID): token ends at the next space */
		body = memchr(q, ' ', (size_t)(end - q));
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
	return pf->emit(s, n, pf->ctx) < 0 ? -1 : 0;
}

static void pf_count(struct prefilter *pf, bool pass, size_t n)
{
	if (!pass) {
		pf->stats.skipped_records++;
		pf->stats.skipped_bytes += n;
	}
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

/*
 * Before the bytes of a line that goes to auparse: the PROCTITLE held
 * back goes first, unless this line is its event's EOE, which ends the
 * event in auparse as the PROCTITLE would have (auparse eats an EOE that
 * follows an event already ended).
 */
static int settle(struct prefilter *pf, enum verdict v)
{
	size_t n;

	if (!pf->hold_len || v == V_DROP)
		return 0;
	if (v == V_KEEP && pf->line_eoe && pf->line_id == pf->hold_id) {
		pf_count(pf, false, pf->hold_bytes);
		pf->hold_len = 0;
		return 0;
	}
	n = pf->hold_len;
	pf->hold_len = 0;
	return emit(pf, pf->hold, n);
}

/* A whole line s[0..n) (n counts its newline, cr its \r) decided v and
 * not part of a run: emitted, held, trimmed or dropped. */
static int take_line(struct prefilter *pf, enum verdict v, const char *s,
		     size_t n, size_t cr)
{
	switch (v) {
	case V_DROP:
		pf_count(pf, false, n);
		return 0;
	case V_TRIMMED:
		return emit(pf, pf->trim_buf, pf->trim_len);
	case V_HOLD:
		memcpy(pf->hold, s, n - 1 - cr);
		pf->hold[n - 1 - cr] = '\n';
		pf->hold_len = n - cr;
		pf->hold_bytes = n;
		pf->hold_id = pf->line_id;
		return 0;
	default:
		if (emit(pf, s, n - 1 - cr) < 0 || emit(pf, "\n", 1) < 0)
			return -1;
		return 0;
	}
}

/* Split into lines, decide each, emit runs of kept lines. */
int prefilter_feed(struct prefilter *pf, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl, *run = NULL;
	size_t n, take, cr;
	enum verdict v;
	bool pass;
	int rc = 0;

	while (p < end) {
		if (pf->mode != LINE_START) {
			/* the rest of an over-long line */
			nl = memchr(p, '\n', (size_t)(end - p));
			n = (size_t)((nl ? nl + 1 : end) - p);
			if (pf->mode == LINE_PASS) {
				if (!run)
					run = p;
			} else {
				if (run && emit(pf, run, (size_t)(p - run)) < 0)
					rc = -1;
				run = NULL;
				pf->stats.skipped_bytes += n;
			}
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
				v = pf_decide(pf, pf->head, pf->head_len,
					      false);
				pass = v != V_DROP;
				pf->stats.long_lines++;
				pf_count(pf, pass, pf->head_len);
				if (settle(pf, v) < 0)
					rc = -1;
				if (pass && emit(pf, pf->head, pf->head_len) < 0)
					rc = -1;
				pf->head_len = 0;
				pf->mode = pass ? LINE_PASS : LINE_DROP;
			} else if (nl && p == nl) {
				cr = crlf(pf, pf->head, pf->head_len);
				v = pf_decide(pf, pf->head, pf->head_len - cr,
					      true);
				if (settle(pf, v) < 0 ||
				    take_line(pf, v, pf->head,
					      pf->head_len + 1, cr) < 0)
					rc = -1;
				pf->head_len = 0;
				p++;
			}
			continue;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		if (n >= PREFILTER_LINE_CAP) {
			v = pf_decide(pf, p, PREFILTER_LINE_CAP, false);
			pass = v != V_DROP;
			pf->stats.long_lines++;
			pf_count(pf, pass, PREFILTER_LINE_CAP);
			if (pass && pf->hold_len) {
				if (run && emit(pf, run, (size_t)(p - run)) < 0)
					rc = -1;
				run = NULL;
				if (settle(pf, v) < 0)
					rc = -1;
			}
			if (pass) {
				if (!run)
					run = p;
			} else {
				if (run && emit(pf, run, (size_t)(p - run)) < 0)
					rc = -1;
				run = NULL;
			}
			p += PREFILTER_LINE_CAP;
			pf->mode = pass ? LINE_PASS : LINE_DROP;
			continue;
		}
		if (!nl) {
			/* the start of a line that ends in a later chunk */
			if (run && emit(pf, run, (size_t)(p - run)) < 0)
				rc = -1;
			run = NULL;
			memcpy(pf->head, p, n);
			pf->head_len = n;
			p = end;
			break;
		}
		cr = crlf(pf, p, n);
		v = pf_decide(pf, p, n - cr, true);
		if (v == V_KEEP && !cr && !pf->hold_len) {
			/* the common case: the line joins the run */
			if (!run)
				run = p;
		} else {
			if (run && emit(pf, run, (size_t)(p - run)) < 0)
				rc = -1;
			run = NULL;
			if (settle(pf, v) < 0)
				rc = -1;
			if (v == V_KEEP && !cr) {
				run = p;
			} else if (take_line(pf, v, p, n + 1, cr) < 0) {
				rc = -1;
			}
		}
		p = nl + 1;
	}
	if (run && emit(pf, run, (size_t)(p - run)) < 0)
		rc = -1;
	return rc;
}

int prefilter_finish(struct prefilter *pf)
{
	int rc = 0;

	if (pf->hold_len) {
		rc = emit(pf, pf->hold, pf->hold_len);
		pf->hold_len = 0;
	}
	if (emit(pf, pf->head,
		 pf->head_len - crlf(pf, pf->head, pf->head_len)) < 0)
		rc = -1;
	pf->head_len = 0;
	pf->mode = LINE_START;
	return rc;
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
