/*
 * timeline.c - the last execs of each audit session (timeline.h).
 *
 * Layout, all allocated at timeline_new:
 *  - sessions[]: (node, ses), the ring's head and count, LRU links
 *    through indices (head = most recently exec'd), free ones linked
 *    through `next`;
 *  - an open-addressed index (node, ses) -> session over 2 * sessions
 *    slots with linear probing and backward-shift deletion, as in
 *    proc_table.c;
 *  - slots[]: size per session, the fixed part of each kept exec;
 *  - data: argv_bytes per slot, the arguments NUL-separated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"

#define TL_NIL UINT32_MAX
/* Longest list marker: 10-digit args, 20-digit bytes, and its NUL. */
#define TL_LIST_MARKER_MAX 64u
#define TL_STR_MARKER_MAX 48u

struct tl_slot {
	time_t sec;
	unsigned long serial;
	pid_t pid, ppid;
	uint32_t msec;
	uint16_t len;             /* data bytes used, NULs included */
	uint8_t cut;              /* the argv was cut to fit */
};

_Static_assert(sizeof(struct tl_slot) <= TIMELINE_SLOT_BYTES,
	       "TIMELINE_SLOT_BYTES is what timeline.h promises per exec");
_Static_assert(TIMELINE_MAX_ARGV_BYTES <= UINT16_MAX, "tl_slot.len");
_Static_assert(TIMELINE_MAX_SIZE <= 255, "tl_session head and count");
/* The longest string marker (a 10-digit count) is 33 bytes: an argument
 * capped at (argv_bytes - list marker) / 2 - 1 holds it (store_argv). */
_Static_assert((TIMELINE_MIN_ARGV_BYTES - TL_LIST_MARKER_MAX) / 2 - 1 >= 33,
	       "TIMELINE_MIN_ARGV_BYTES too small for the markers");

struct tl_session {
	uint32_t node, ses;
	uint32_t prev, next;
	uint8_t head, count;      /* oldest slot, slots used */
};

struct timeline {
	struct timeline_limits lim;
	struct tl_session *s;
	uint32_t *index;          /* session index or TL_NIL */
	uint32_t nindex;
	struct tl_slot *slots;
	char *data;
	uint32_t lru_head, lru_tail, free_head, count;
	uint64_t records, no_session, evictions, cut;
};

/* ---- the session index ----------------------------------------------- */

static uint32_t tl_home(const struct timeline *t, uint32_t node, uint32_t ses)
{
	uint32_t h = (ses ^ (node * 0x85ebca6bu)) * 0x9e3779b1u;

	return (uint32_t)(((uint64_t)h * t->nindex) >> 32);
}

static uint32_t tl_next(const struct timeline *t, uint32_t i)
{
	return i + 1 == t->nindex ? 0 : i + 1;
}

static uint32_t tl_find_slot(const struct timeline *t, uint32_t node,
			     uint32_t ses)
{
	uint32_t i = tl_home(t, node, ses);

	for (;;) {
		uint32_t idx = t->index[i];

		if (idx == TL_NIL)
			return TL_NIL;
		if (t->s[idx].ses == ses && t->s[idx].node == node)
			return i;
		i = tl_next(t, i);
	}
}

static void tl_index_delete(struct timeline *t, uint32_t hole)
{
	uint32_t j = hole;

	for (;;) {
		uint32_t idx, home;
		bool stays;

		j = tl_next(t, j);
		idx = t->index[j];
		if (idx == TL_NIL)
			break;
		home = tl_home(t, t->s[idx].node, t->s[idx].ses);
		if (hole <= j)
			stays = hole < home && home <= j;
		else
			stays = hole < home || home <= j;
		if (stays)
			continue;
		t->index[hole] = idx;
		hole = j;
	}
	t->index[hole] = TL_NIL;
}

/* ---- recency ------------------------------------------------------------ */

static void tl_unlink(struct timeline *t, uint32_t idx)
{
	struct tl_session *s = &t->s[idx];

	if (s->prev != TL_NIL)
		t->s[s->prev].next = s->next;
	else
		t->lru_head = s->next;
	if (s->next != TL_NIL)
		t->s[s->next].prev = s->prev;
	else
		t->lru_tail = s->prev;
}

static void tl_push_front(struct timeline *t, uint32_t idx)
{
	struct tl_session *s = &t->s[idx];

	s->prev = TL_NIL;
	s->next = t->lru_head;
	if (t->lru_head != TL_NIL)
		t->s[t->lru_head].prev = idx;
	else
		t->lru_tail = idx;
	t->lru_head = idx;
}

/* The session of (node, ses), made (evicting the least recently used one
 * when all are taken) when there is none. */
static uint32_t tl_session(struct timeline *t, uint32_t node, uint32_t ses)
{
	uint32_t slot = tl_find_slot(t, node, ses), idx, i;

	if (slot != TL_NIL) {
		idx = t->index[slot];
		if (t->lru_head != idx) {
			tl_unlink(t, idx);
			tl_push_front(t, idx);
		}
		return idx;
	}
	if (t->free_head != TL_NIL) {
		idx = t->free_head;
		t->free_head = t->s[idx].next;
		t->count++;
	} else {
		idx = t->lru_tail;
		tl_index_delete(t, tl_find_slot(t, t->s[idx].node,
						t->s[idx].ses));
		tl_unlink(t, idx);
		t->evictions++;
	}
	t->s[idx].node = node;
	t->s[idx].ses = ses;
	t->s[idx].head = 0;
	t->s[idx].count = 0;
	for (i = tl_home(t, node, ses); t->index[i] != TL_NIL; i = tl_next(t, i))
		;
	t->index[i] = idx;
	tl_push_front(t, idx);
	return idx;
}

/* ---- cutting an argv to the slot -------------------------------------- */

static size_t arg_len(const struct argv *av, uint32_t i)
{
	return av->v[i].ptr ? av->v[i].len : 0;
}

static size_t str_marker_len(size_t omitted)
{
	char marker[TL_STR_MARKER_MAX];
	int n = snprintf(marker, sizeof(marker), "...[%zu bytes omitted]...",
			 omitted);

	return n > 0 ? (size_t)n : 0;
}

/* At most how many bytes an argument of `len` bytes takes when capped at
 * `cap` (without its NUL): whole, or head + marker + tail, which is at
 * most the cap unless the marker alone is longer. */
static size_t capped(size_t len, size_t cap)
{
	size_t mk;

	if (len <= cap)
		return len;
	mk = str_marker_len(len);
	return mk > cap ? mk : cap;
}

/* Write s[0..len) capped at `cap` bytes into dst (room for cap bytes):
 * cut in its middle, never inside a UTF-8 sequence, with the string
 * marker. Returns the bytes written. */
static size_t put_capped(char *dst, const char *s, size_t len, size_t cap)
{
	char marker[TL_STR_MARKER_MAX];
	size_t mk, room, head, tail, out;
	int n;

	if (len <= cap) {
		if (len)
			memcpy(dst, s, len);
		return len;
	}
	/* The marker's number is at most len: size it for that. */
	mk = str_marker_len(len);
	room = cap > mk ? cap - mk : 0;
	head = room - room / 2;
	tail = len - room / 2;
	while (head > 0 && ((unsigned char)s[head] & 0xc0) == 0x80)
		head--;
	while (tail < len && ((unsigned char)s[tail] & 0xc0) == 0x80)
		tail++;
	n = snprintf(marker, sizeof(marker), "...[%zu byte%s omitted]...",
		     tail - head, tail - head == 1 ? "" : "s");
	out = 0;
	memcpy(dst, s, head);
	out += head;
	/* no longer than the marker it was sized with (capped()) */
	memcpy(dst + out, marker, (size_t)n);
	out += (size_t)n;
	memcpy(dst + out, s + tail, len - tail);
	out += len - tail;
	return out;
}

/* Store av into dst (cap bytes); returns the bytes used, *cut when
 * anything was left out. */
static size_t store_argv(char *dst, size_t cap, const struct argv *av,
			 bool *cut)
{
	uint32_t n = av->v ? av->argc : 0, h, t, i;
	size_t need = 0, avail, c, used, out = 0, omitted = 0;
	bool head_open = true, tail_open = true;
	char marker[TL_LIST_MARKER_MAX];
	int mk;

	*cut = (av->flags & ARGV_TRUNCATED) != 0;
	for (i = 0; i < n && need <= cap; i++)
		need += arg_len(av, i) + 1;
	if (need <= cap) {
		for (i = 0; i < n; i++) {
			size_t l = arg_len(av, i);

			if (l)
				memcpy(dst + out, av->v[i].ptr, l);
			out += l;
			dst[out++] = '\0';
		}
		return out;
	}
	*cut = true;
	/* cap >= TIMELINE_MIN_ARGV_BYTES: c >= 63, longer than any string
	 * marker, so the first and the last argument always fit avail, and
	 * the list marker the room kept for it. */
	avail = cap - TL_LIST_MARKER_MAX;
	c = avail / 2 - 1;
	if (n == 1) {
		out = put_capped(dst, av->v[0].ptr, arg_len(av, 0), c);
		dst[out++] = '\0';
		return out;
	}
	h = 1;
	t = 1;
	used = capped(arg_len(av, 0), c) + 1 + capped(arg_len(av, n - 1), c) +
	       1;
	while ((head_open || tail_open) && h + t < n) {
		bool front = head_open && (!tail_open || h <= t);
		uint32_t k = front ? h : n - 1 - t;
		size_t need_k = capped(arg_len(av, k), c) + 1;

		if (used + need_k <= avail) {
			used += need_k;
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
	for (i = 0; i < h; i++) {
		out += put_capped(dst + out, av->v[i].ptr, arg_len(av, i), c);
		dst[out++] = '\0';
	}
	if (h + t < n) {
		for (i = h; i < n - t; i++)
			omitted += arg_len(av, i);
		mk = snprintf(marker, sizeof(marker),
			      "...%u arg%s, %zu byte%s omitted...",
			      (unsigned)(n - h - t), n - h - t == 1 ? "" : "s",
			      omitted, omitted == 1 ? "" : "s");
		memcpy(dst + out, marker, (size_t)mk);
		out += (size_t)mk;
		dst[out++] = '\0';
	}
	for (i = n - t; i < n; i++) {
		out += put_capped(dst + out, av->v[i].ptr, arg_len(av, i), c);
		dst[out++] = '\0';
	}
	return out;
}

/* ---- the API ------------------------------------------------------------ */

struct timeline *timeline_new(const struct timeline_limits *lim)
{
	struct timeline *t = calloc(1, sizeof(*t));
	size_t nslots;
	uint32_t i;

	if (!t)
		return NULL;
	if (lim)
		t->lim = *lim;
	if (!t->lim.sessions)
		t->lim.sessions = TIMELINE_DEFAULT_SESSIONS;
	if (t->lim.sessions < TIMELINE_MIN_SESSIONS)
		t->lim.sessions = TIMELINE_MIN_SESSIONS;
	if (t->lim.sessions > TIMELINE_MAX_SESSIONS)
		t->lim.sessions = TIMELINE_MAX_SESSIONS;
	if (!t->lim.size)
		t->lim.size = TIMELINE_DEFAULT_SIZE;
	if (t->lim.size > TIMELINE_MAX_SIZE)
		t->lim.size = TIMELINE_MAX_SIZE;
	if (!t->lim.argv_bytes)
		t->lim.argv_bytes = TIMELINE_DEFAULT_ARGV_BYTES;
	if (t->lim.argv_bytes < TIMELINE_MIN_ARGV_BYTES)
		t->lim.argv_bytes = TIMELINE_MIN_ARGV_BYTES;
	if (t->lim.argv_bytes > TIMELINE_MAX_ARGV_BYTES)
		t->lim.argv_bytes = TIMELINE_MAX_ARGV_BYTES;

	nslots = (size_t)t->lim.sessions * t->lim.size;
	t->nindex = 2 * t->lim.sessions;
	t->s = calloc(t->lim.sessions, sizeof(*t->s));
	t->index = malloc((size_t)t->nindex * sizeof(*t->index));
	t->slots = calloc(nslots, sizeof(*t->slots));
	t->data = malloc(nslots * t->lim.argv_bytes);
	if (!t->s || !t->index || !t->slots || !t->data) {
		timeline_free(t);
		return NULL;
	}
	memset(t->index, 0xff, (size_t)t->nindex * sizeof(*t->index));
	for (i = 0; i < t->lim.sessions; i++)
		t->s[i].next = i + 1 < t->lim.sessions ? i + 1 : TL_NIL;
	t->free_head = 0;
	t->lru_head = t->lru_tail = TL_NIL;
	return t;
}

void timeline_free(struct timeline *t)
{
	if (!t)
		return;
	free(t->s);
	free(t->index);
	free(t->slots);
	free(t->data);
	free(t);
}

void timeline_limits(const struct timeline *t, struct timeline_limits *out)
{
	memset(out, 0, sizeof(*out));
	if (t)
		*out = t->lim;
}

void timeline_record(struct timeline *t, uint32_t node,
		     const struct exec_event *ev)
{
	struct tl_session *s;
	struct tl_slot *sl;
	size_t k;
	uint32_t idx;
	bool cut;

	if (!t || !ev)
		return;
	if (ev->ses == EXEC_ID_UNSET) {
		t->no_session++;
		return;
	}
	idx = tl_session(t, node, ev->ses);
	s = &t->s[idx];
	if (s->count < t->lim.size) {
		k = (s->head + s->count) % t->lim.size;
		s->count++;
	} else {
		k = s->head;
		s->head = (uint8_t)((s->head + 1) % t->lim.size);
	}
	k += (size_t)idx * t->lim.size;
	sl = &t->slots[k];
	sl->sec = ev->sec;
	sl->msec = ev->msec;
	sl->serial = ev->serial;
	sl->pid = ev->pid;
	sl->ppid = ev->ppid;
	sl->len = (uint16_t)store_argv(t->data + k * t->lim.argv_bytes,
				       t->lim.argv_bytes, ev->argv, &cut);
	sl->cut = cut;
	t->records++;
	t->cut += cut;
}

void timeline_forget(struct timeline *t, uint32_t node, uint32_t ses)
{
	uint32_t slot;

	if (!t || ses == EXEC_ID_UNSET)
		return;
	slot = tl_find_slot(t, node, ses);
	if (slot == TL_NIL)
		return;
	t->s[t->index[slot]].head = 0;
	t->s[t->index[slot]].count = 0;
}

size_t timeline_arena_size(const struct timeline *t)
{
	/* each argument takes at least its NUL */
	return t ? (size_t)t->lim.size * t->lim.argv_bytes : 0;
}

unsigned timeline_get(const struct timeline *t, uint32_t node, uint32_t ses,
		      struct timeline_entry *out, unsigned max,
		      struct argv_arg *arena, size_t arena_n)
{
	const struct tl_session *s;
	uint32_t slot;
	unsigned n, i, first;
	size_t used = 0;

	if (!t || ses == EXEC_ID_UNSET)
		return 0;
	slot = tl_find_slot(t, node, ses);
	if (slot == TL_NIL)
		return 0;
	s = &t->s[t->index[slot]];
	n = s->count < max ? s->count : max;
	first = s->count - n;
	for (i = 0; i < n; i++) {
		size_t k = (size_t)t->index[slot] * t->lim.size +
			   (s->head + first + i) % t->lim.size;
		const struct tl_slot *sl = &t->slots[k];
		const char *d = t->data + k * t->lim.argv_bytes, *p = d;
		struct timeline_entry *e = &out[i];

		e->sec = sl->sec;
		e->msec = sl->msec;
		e->serial = sl->serial;
		e->pid = sl->pid;
		e->ppid = sl->ppid;
		memset(&e->argv, 0, sizeof(e->argv));
		e->argv.v = arena + used;
		while (p < d + sl->len && used < arena_n) {
			size_t l = strlen(p);

			arena[used].ptr = p;
			arena[used].len = (uint32_t)l;
			used++;
			e->argv.argc++;
			e->argv.total_bytes += l;
			p += l + 1;
		}
		if (sl->cut || p < d + sl->len)
			e->argv.flags |= ARGV_TRUNCATED;
	}
	return n;
}

void timeline_stats(const struct timeline *t, struct timeline_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!t)
		return;
	st->sessions = t->count;
	st->records = t->records;
	st->no_session = t->no_session;
	st->evictions = t->evictions;
	st->cut = t->cut;
}
