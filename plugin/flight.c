/*
 * flight.c - the events libauparse holds; what is guaranteed is in
 * include/flight.h, this file says how.
 *
 * Entries live in a pool allocated once (max_events of them: an entry
 * stands for at least one event held), found through an open hash with
 * linear probing (deletion shifts the run back, so there are no
 * tombstones), and chained on one of two lists, least recently fed first:
 * the events that wait for records, and those that ended.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <libaudit.h>

#include "flight.h"

#define NIL UINT32_MAX

struct ent {
	uint64_t hash;
	uint64_t sec, serial, bytes;
	uint32_t ms;
	uint32_t events;    /* auparse's events with this id not handed on */
	uint32_t records;   /* records of the newest of them */
	uint32_t slot;      /* its place in the hash */
	uint32_t older, newer;
	bool waiting;       /* the newest waits for more records */
	uint16_t nlen;
	char node[FLIGHT_NODE_MAX + 1];
};

struct list {
	uint32_t oldest, newest;
};

struct flight {
	struct flight_limits lim;
	struct ent *ent;
	uint32_t *slots;
	uint32_t mask;
	uint32_t free_list;         /* through .newer */
	uint32_t last;              /* the entry fed last, or NIL: the
				     * records of an event come together */
	struct list waiting, ended;
	struct flight_stats st;
};

size_t flight_cost(const char *s, size_t n)
{
	size_t fields;
	const char *p, *end = s + n;

	/* A field is NAME=VALUE with a value, one space at least between
	 * two: at most (n + 1) / 3 of them. Long records (an EXECVE of many
	 * arguments, 7.5 KB) are counted by their tokens instead, which
	 * bounds them closer; shorter ones (a SYSCALL, 400 bytes) are not
	 * worth a pass over their text. */
	if (n < FLIGHT_COUNT_FROM) {
		fields = (n + 1) / 3;
	} else {
		fields = 1;
		for (p = s; (p = memchr(p, ' ', (size_t)(end - p))) != NULL;
		     p++)
			fields++;
	}
	return FLIGHT_RECORD_COST + 2 * n + FLIGHT_FIELD_COST * fields;
}

/* auparse 3.0.9's au_check_events: the types that make an event complete
 * when they are its last record (LOGIN and every user-space type among
 * them; later versions differ). */
bool flight_type_ends(int t)
{
	return t == AUDIT_PROCTITLE || t == AUDIT_EOE ||
	       t < AUDIT_FIRST_EVENT || t >= AUDIT_FIRST_ANOM_MSG ||
	       t == AUDIT_KERNEL ||
	       (t >= AUDIT_MAC_UNLBL_ALLOW && t <= AUDIT_MAC_CALIPSO_DEL);
}

static uint64_t hash_id(const char *node, size_t nlen, uint64_t sec,
			uint32_t ms, uint64_t serial)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < nlen; i++)
		h = (h ^ (unsigned char)node[i]) * 0x100000001b3ULL;
	h ^= sec * 0x9e3779b97f4a7c15ULL;
	h = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
	h ^= serial + ((uint64_t)ms << 40);
	h = (h ^ (h >> 32)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

static bool same(const struct ent *e, uint64_t h, const char *node,
		 size_t nlen, uint64_t sec, uint32_t ms, uint64_t serial)
{
	return e->hash == h && e->sec == sec && e->serial == serial &&
	       e->ms == ms && e->nlen == nlen &&
	       memcmp(e->node, node, nlen) == 0;
}

static uint32_t find(const struct flight *f, uint64_t h, const char *node,
		     size_t nlen, uint64_t sec, uint32_t ms, uint64_t serial)
{
	uint32_t i = (uint32_t)h & f->mask, e;

	while ((e = f->slots[i]) != NIL) {
		if (same(&f->ent[e], h, node, nlen, sec, ms, serial))
			return e;
		i = (i + 1) & f->mask;
	}
	return NIL;
}

static struct list *list_of(struct flight *f, const struct ent *x)
{
	return x->waiting ? &f->waiting : &f->ended;
}

static void unlink_ent(struct flight *f, uint32_t e)
{
	struct ent *x = &f->ent[e];
	struct list *l = list_of(f, x);

	if (x->older != NIL)
		f->ent[x->older].newer = x->newer;
	else
		l->oldest = x->newer;
	if (x->newer != NIL)
		f->ent[x->newer].older = x->older;
	else
		l->newest = x->older;
}

/* e, unlinked, to the newest end of the list its state says. */
static void append_ent(struct flight *f, uint32_t e)
{
	struct ent *x = &f->ent[e];
	struct list *l = list_of(f, x);

	x->older = l->newest;
	x->newer = NIL;
	if (l->newest != NIL)
		f->ent[l->newest].newer = e;
	else
		l->oldest = e;
	l->newest = e;
}

/* Take entry e out of the hash (shifting its run back), the chain and the
 * counts. */
static void drop_ent(struct flight *f, uint32_t e)
{
	struct ent *x = &f->ent[e];
	uint32_t hole = x->slot, k = hole, y, home;

	if (f->last == e)
		f->last = NIL;
	f->st.events -= x->events;
	f->st.bytes -= x->bytes;
	if (x->waiting)
		f->st.waiting--;
	f->slots[hole] = NIL;
	for (;;) {
		k = (k + 1) & f->mask;
		if ((y = f->slots[k]) == NIL)
			break;
		home = (uint32_t)f->ent[y].hash & f->mask;
		/* y stays when its home lies cyclically in (hole, k] */
		if (((k - home) & f->mask) < ((k - hole) & f->mask))
			continue;
		f->slots[hole] = y;
		f->ent[y].slot = hole;
		f->slots[k] = NIL;
		hole = k;
	}
	unlink_ent(f, e);
	x->newer = f->free_list;
	f->free_list = e;
}

/* Entry e (linked) was fed a record: the newest of the list its state w
 * puts it on. */
static void fed(struct flight *f, uint32_t e, bool w)
{
	struct ent *x = &f->ent[e];

	f->last = e;
	/* the common case: the same event again, still the newest */
	if (x->waiting == w && list_of(f, x)->newest == e)
		return;
	unlink_ent(f, e);
	if (x->waiting != w) {
		if (w) {
			if (++f->st.waiting > f->st.peak_waiting)
				f->st.peak_waiting = f->st.waiting;
		} else {
			f->st.waiting--;
		}
		x->waiting = w;
	}
	append_ent(f, e);
}

enum flight_verdict flight_admit(struct flight *f, const struct flight_id *id,
				 enum flight_rec kind, size_t cost)
{
	uint64_t h;
	uint32_t e = f->last, i;
	struct ent *x;

	if (e != NIL && f->ent[e].sec == id->sec &&
	    f->ent[e].serial == id->serial && f->ent[e].ms == id->ms &&
	    f->ent[e].nlen == id->nlen &&
	    memcmp(f->ent[e].node, id->node, id->nlen) == 0) {
		h = f->ent[e].hash;
	} else {
		h = hash_id(id->node, id->nlen, id->sec, id->ms, id->serial);
		e = find(f, h, id->node, id->nlen, id->sec, id->ms,
			 id->serial);
	}

	if (e != NIL && f->ent[e].waiting) {
		/* one more record of the event auparse is building */
		x = &f->ent[e];
		if (kind == FLIGHT_REC_MORE) {
			if (x->records >= f->lim.max_event_records ||
			    x->bytes + cost > f->lim.max_event_bytes) {
				f->st.cut_records++;
				return FLIGHT_DROP;
			}
			if (f->st.bytes + cost > f->lim.max_bytes)
				return FLIGHT_FULL;
		}
		/* the record that ends it always goes: its event is
		 * complete then, and handed on */
		x->records++;
		x->bytes += cost;
		f->st.bytes += cost;
		fed(f, e, kind == FLIGHT_REC_MORE);
		return FLIGHT_PASS;
	}
	/* auparse starts a new event, but for an EOE, which it drops */
	if (kind == FLIGHT_REC_EOE)
		return FLIGHT_PASS;
	if (f->st.events >= f->lim.max_events ||
	    f->st.bytes + cost > f->lim.max_bytes)
		return FLIGHT_FULL;
	if (e == NIL) {
		/* events < max_events: a free entry is left */
		e = f->free_list;
		x = &f->ent[e];
		f->free_list = x->newer;
		memset(x, 0, offsetof(struct ent, node));
		x->hash = h;
		x->sec = id->sec;
		x->ms = id->ms;
		x->serial = id->serial;
		x->nlen = (uint16_t)id->nlen;
		memcpy(x->node, id->node, id->nlen);
		x->node[id->nlen] = '\0';
		for (i = (uint32_t)h & f->mask; f->slots[i] != NIL;
		     i = (i + 1) & f->mask)
			;
		f->slots[i] = e;
		x->slot = i;
		/* linked as ended, for fed() to move */
		append_ent(f, e);
	} else {
		/* the same id again after its event ended: auparse builds a
		 * new one */
		x = &f->ent[e];
	}
	x->events++;
	x->records = 1;
	x->bytes += cost;
	f->st.events++;
	f->st.bytes += cost;
	fed(f, e, kind == FLIGHT_REC_MORE);
	return FLIGHT_PASS;
}

/* The least recently fed entry of list l that is not spare's. */
static uint32_t oldest_but(const struct flight *f, const struct list *l,
			   uint64_t h, const struct flight_id *spare)
{
	uint32_t e;

	for (e = l->oldest; e != NIL; e = f->ent[e].newer)
		if (!same(&f->ent[e], h, spare->node, spare->nlen, spare->sec,
			  spare->ms, spare->serial))
			break;
	return e;
}

bool flight_evict(struct flight *f, const struct flight_id *spare,
		  struct flight_victim *out)
{
	uint64_t h = hash_id(spare->node, spare->nlen, spare->sec, spare->ms,
			     spare->serial);
	uint32_t e;
	struct ent *x;

	/*
	 * An event that waits, the one fed least recently: events come in
	 * bursts of records, and one mid-way through gets records now. An
	 * event that ended waits only for an older one to be handed on,
	 * which this ends in time; it is forgotten only when no event waits
	 * (the table lost track of the one it waits for).
	 */
	e = oldest_but(f, &f->waiting, h, spare);
	if (e == NIL)
		e = oldest_but(f, &f->ended, h, spare);
	if (e == NIL)
		return false;
	x = &f->ent[e];
	memcpy(out->node, x->node, (size_t)x->nlen + 1);
	out->id.node = out->node;
	out->id.nlen = x->nlen;
	out->id.sec = x->sec;
	out->id.ms = x->ms;
	out->id.serial = x->serial;
	out->waiting = x->waiting;
	if (x->waiting)
		f->st.cut_events++;
	drop_ent(f, e);
	return true;
}

void flight_done(struct flight *f, const char *node, uint64_t sec,
		 uint32_t ms, uint64_t serial)
{
	size_t nlen = node ? strlen(node) : 0;
	uint64_t h;
	uint32_t e;
	struct ent *x;

	if (nlen > FLIGHT_NODE_MAX)
		return;
	if (!node)
		node = "";
	h = hash_id(node, nlen, sec, ms, serial);
	e = find(f, h, node, nlen, sec, ms, serial);
	if (e == NIL)
		return;
	x = &f->ent[e];
	if (x->events > 1) {
		/* the older one, ended; the newest goes on as it was */
		x->events--;
		f->st.events--;
		return;
	}
	drop_ent(f, e);
}

void flight_clear(struct flight *f)
{
	uint32_t i, n = f->lim.max_events;

	memset(f->slots, 0xff, ((size_t)f->mask + 1) * sizeof(*f->slots));
	for (i = 0; i < n; i++)
		f->ent[i].newer = i + 1 < n ? i + 1 : NIL;
	f->free_list = 0;
	f->last = NIL;
	f->waiting.oldest = f->waiting.newest = NIL;
	f->ended.oldest = f->ended.newest = NIL;
	f->st.events = f->st.waiting = 0;
	f->st.bytes = 0;
}

struct flight *flight_new(const struct flight_limits *l)
{
	struct flight *f = calloc(1, sizeof(*f));
	uint32_t nslots = 4;

	if (!f)
		return NULL;
	f->lim = *l;
	if (f->lim.max_events < 2)
		f->lim.max_events = 2;
	while (nslots < 2 * f->lim.max_events)
		nslots *= 2;
	f->mask = nslots - 1;
	f->ent = calloc(f->lim.max_events, sizeof(*f->ent));
	f->slots = malloc((size_t)nslots * sizeof(*f->slots));
	if (!f->ent || !f->slots) {
		flight_free(f);
		return NULL;
	}
	flight_clear(f);
	return f;
}

void flight_free(struct flight *f)
{
	if (!f)
		return;
	free(f->ent);
	free(f->slots);
	free(f);
}

void flight_stats(const struct flight *f, struct flight_stats *out)
{
	*out = f->st;
}

void flight_peak_reset(struct flight *f)
{
	f->st.peak_waiting = f->st.waiting;
}
