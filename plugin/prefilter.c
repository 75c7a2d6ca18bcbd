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
	REC_END,          /* ends an event in auparse: PROCTITLE, EOE, ... */
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
	if (t == AUDIT_PROCTITLE || t == AUDIT_EOE ||
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

/* The value of " NAME=" in s[0..n): its start and length, only if it
 * occurs exactly once; NULL otherwise. */
static const char *field_once(const char *s, size_t n, const char *name,
			      size_t nlen, size_t *vlen)
{
	const char *p, *v, *end = s + n;

	p = memmem(s, n, name, nlen);
	if (!p)
		return NULL;
	v = p + nlen;
	if (memmem(v, (size_t)(end - v), name, nlen))
		return NULL;
	p = memchr(v, ' ', (size_t)(end - v));
	*vlen = (size_t)((p ? p : end) - v);
	return v;
}

/* arch= and syscall= of a whole SYSCALL line (its raw part); false when
 * unsure. */
static bool syscall_kind_of(const char *s, size_t n, enum syscall_kind *kind)
{
	const char *v, *sep;
	size_t vlen, i;
	unsigned long arch = 0;
	long nr = 0;

	sep = memchr(s, AUDIT_INTERP_SEPARATOR, n);
	if (sep)
		n = (size_t)(sep - s);
	v = field_once(s, n, " arch=", 6, &vlen);
	if (!v || vlen == 0 || vlen > 8)
		return false;
	for (i = 0; i < vlen; i++) {
		int c = (unsigned char)v[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		arch = arch * 16 + (unsigned long)d;
	}
	v = field_once(s, n, " syscall=", 9, &vlen);
	if (!v || vlen == 0 || vlen > 6)
		return false;
	for (i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		nr = nr * 10 + (v[i] - '0');
	}
	*kind = exec_event_classify(arch, nr);
	return true;
}

/*
 * Decide one line from its first n bytes (the whole line without its
 * newline when `whole`). True: keep it.
 */
static bool pf_decide(struct prefilter *pf, const char *s, size_t n,
		      bool whole)
{
	const char *p = s, *end = s + n, *node = "", *type, *id, *q;
	size_t nlen = 0, tlen, ilen;
	enum rec_class cls;
	enum syscall_kind kind;
	uint64_t h;
	unsigned long long sec;
	size_t i;
	bool new_sec;

	if (n > 5 && memcmp(p, "node=", 5) == 0) {
		node = p + 5;
		q = memchr(node, ' ', (size_t)(end - node));
		if (!q)
			return true;
		nlen = (size_t)(q - node);
		p = q + 1;
	}
	if ((size_t)(end - p) < 5 || memcmp(p, "type=", 5) != 0)
		return true;
	type = p + 5;
	q = memchr(type, ' ', (size_t)(end - type));
	if (!q)
		return true;
	tlen = (size_t)(q - type);
	p = q + 1;
	if ((size_t)(end - p) < 10 || memcmp(p, "msg=audit(", 10) != 0)
		return true;
	id = p + 10;
	q = memchr(id, ')', (size_t)(end - id));
	if (!q || q - id > 64)
		return true;
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
	h = id_hash(node, nlen, id, ilen);
	if (new_sec) {
		id_add(pf->kept, &pf->kept_pos, h);
		return true;
	}
	if (cls == REC_IGNORED)
		return false;
	/* A login record is an event by itself; its id is not kept, so
	 * that LOGIN's write() SYSCALL, which has the same id, is still
	 * decided by its own syscall= below. PAM records outside any
	 * session are user records like the others. */
	if (cls == REC_PAM)
		cls = login_without_session(LOGIN_PAM_START, s, n) ? REC_USER :
		      REC_LOGIN;
	if (cls == REC_LOGIN)
		return true;
	if (id_in(pf->kept, pf->kept_pos, h))
		return true;
	if (id_in(pf->dropped, pf->dropped_pos, h))
		return false;
	switch (cls) {
	case REC_USER:
		return false;
	case REC_SYSCALL:
		if (whole && syscall_kind_of(q, (size_t)(end - q), &kind) &&
		    kind == SYSCALL_OTHER) {
			id_add(pf->dropped, &pf->dropped_pos, h);
			return false;
		}
		break;
	default:
		break;
	}
	id_add(pf->kept, &pf->kept_pos, h);
	return true;
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

/* Split into lines, decide each, emit runs of kept lines. */
int prefilter_feed(struct prefilter *pf, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl, *run = NULL;
	size_t n, take, cr;
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
				pass = pf_decide(pf, pf->head, pf->head_len,
						 false);
				pf->stats.long_lines++;
				pf_count(pf, pass, pf->head_len);
				if (pass && emit(pf, pf->head, pf->head_len) < 0)
					rc = -1;
				pf->head_len = 0;
				pf->mode = pass ? LINE_PASS : LINE_DROP;
			} else if (nl && p == nl) {
				cr = crlf(pf, pf->head, pf->head_len);
				pass = pf_decide(pf, pf->head,
						 pf->head_len - cr, true);
				pf_count(pf, pass, pf->head_len + 1);
				if (pass && (emit(pf, pf->head,
						  pf->head_len - cr) < 0 ||
					     emit(pf, "\n", 1) < 0))
					rc = -1;
				pf->head_len = 0;
				p++;
			}
			continue;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		if (n >= PREFILTER_LINE_CAP) {
			pass = pf_decide(pf, p, PREFILTER_LINE_CAP, false);
			pf->stats.long_lines++;
			pf_count(pf, pass, PREFILTER_LINE_CAP);
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
		pass = pf_decide(pf, p, n - cr, true);
		if (pass) {
			if (!run)
				run = p;
			if (cr) {
				/* the run goes on from the newline */
				if (emit(pf, run, (size_t)(nl - 1 - run)) < 0)
					rc = -1;
				run = nl;
			}
		} else {
			pf_count(pf, false, n + 1);
			if (run && emit(pf, run, (size_t)(p - run)) < 0)
				rc = -1;
			run = NULL;
		}
		p = nl + 1;
	}
	if (run && emit(pf, run, (size_t)(p - run)) < 0)
		rc = -1;
	return rc;
}

int prefilter_finish(struct prefilter *pf)
{
	int rc = emit(pf, pf->head,
		      pf->head_len - crlf(pf, pf->head, pf->head_len));

	pf->head_len = 0;
	pf->mode = LINE_START;
	return rc;
}

struct prefilter *prefilter_new(prefilter_emit_fn fn, void *ctx)
{
	struct prefilter *pf = calloc(1, sizeof(*pf));

	if (!pf)
		return NULL;
	pf->head = malloc(PREFILTER_LINE_CAP);
	if (!pf->head) {
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
	free(pf);
}

void prefilter_stats(const struct prefilter *pf, struct prefilter_stats *out)
{
	*out = pf->stats;
}
