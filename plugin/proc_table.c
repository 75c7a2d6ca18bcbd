/*
 * proc_table.c - the bounded (node, pid) -> image table described in
 * proc_table.h.
 *
 * Layout:
 *  - All entries live in one array allocated by proc_table_new; unused ones
 *    are threaded on a free list, so the only allocation in steady state is
 *    each entry's blob.
 *  - The (node, pid) index is open addressing with linear probing over
 *    2 * max_entries slots (load factor at most 1/2, so every probe ends at
 *    an empty slot). Deletion shifts the following run back instead of
 *    leaving tombstones, so eviction churn never degrades probing.
 *  - Recency is an intrusive doubly linked list through array indices:
 *    head is the most recently used entry, tail the eviction candidate.
 *  - An entry's blob holds its argv vector, then exe, name (unless name is
 *    a suffix of exe, which it is whenever it is the basename) and the
 *    argument bytes, each NUL-terminated, then the strings block when any
 *    of it is known: the four credential names (uid euid gid egid), the
 *    working directory and the tty, each NUL-terminated (PT_STRS).
 *
 * The argv budget (max_total_argv_bytes, reported as stats.argv_bytes) is
 * charged with the whole blob, not only the argument bytes: the pointer
 * vector and the paths cost memory too, and an exec with a hundred thousand
 * empty arguments must not be free. That is what makes the bound promised in
 * the header hold. One blob is capped at half the budget, so a fork can
 * always keep both the parent it copies from and the child.
 */
#include <stdlib.h>
#include <string.h>

#include "proc_table.h"

#define PT_NIL UINT32_MAX
/* Beyond this a configuration is a mistake, not a bigger server. */
#define PT_MAX_ENTRIES (1u << 24)
/* A fork must be able to keep the parent while adding the child. */
#define PT_MIN_ENTRIES 2u
/* Half of it must hold the largest exe and name (2 * EXEC_PATH_MAX). */
#define PT_MIN_TOTAL_BYTES (64u * 1024u)

struct pt_entry {
	pid_t pid, ppid;
	time_t last_seen;
	time_t set_sec;           /* audit time of the exec or fork that */
	unsigned set_msec;        /* stored this image (proc_table.h) */
	unsigned start_msec;      /* with start_sec: when the process began */
	time_t start_sec;
	unsigned long set_serial;
	uint32_t uid, euid, gid, egid;
	const char *names;        /* into blob: PT_STRS strings, or NULL */
	uint32_t names_len;       /* bytes of the strings with their NULs */
	char *blob;               /* NULL only after allocation failure */
	size_t blob_size;         /* charged against max_total_argv_bytes */
	const struct argv_arg *v; /* into blob */
	const char *exe, *name;   /* into blob, or pt_empty */
	uint32_t exe_len, name_len;
	uint32_t argc;
	uint32_t node;            /* with pid, the key (fills a padding hole) */
	size_t argv_len;          /* sum of v[i].len */
	unsigned flags;           /* enum proc_entry_flags */
	unsigned argv_flags;      /* enum argv_flags */
	uint32_t prev, next;      /* LRU links; `next` also links free ones */
	uint32_t nprev, nnext;    /* LRU links within its node's slot */
	uint64_t stamp;           /* t->clock when last used: orders the
				   * LRU ends of two nodes */
};

/* What the fair share counts per node (proc_table.h). */
struct pt_node {
	uint32_t head, tail;      /* the node's own LRU list */
	uint32_t count;
	size_t bytes;             /* blob bytes, as t->used */
	uint64_t evictions;       /* its entries evicted */
	uint64_t tail_stamp;      /* its tail's stamp (0: empty), so the
				   * victim scan reads this array only */
};

struct proc_table {
	struct proc_table_limits lim;
	size_t blob_cap; /* half the budget: a fork keeps parent and child */
	struct pt_entry *e;
	uint32_t *slot; /* entry index or PT_NIL */
	uint32_t nslots;
	uint32_t head, tail, free_head;
	uint32_t count;
	size_t used;
	uint64_t inserts, evictions, forks, late_forks, lookups, hits;
	struct pt_node *nodes;    /* PROC_TABLE_NODES slots */
	uint32_t nodes_hi;        /* slots [0, nodes_hi) have been used */
	uint64_t clock;
};

/* What to store: pointers may reach into another entry's blob (fork). */
struct pt_image {
	const char *exe, *name;
	size_t exe_len, name_len;
	const struct argv_arg *v;
	uint32_t argc;
	unsigned argv_flags;
	const char *names;        /* PT_STRS NUL-terminated strings */
	size_t names_len;         /* 0: all "" */
};

/* Everything else an entry holds (proc_table.h rules 8 and 9). */
struct pt_meta {
	time_t last_seen;
	time_t set_sec, start_sec;
	unsigned set_msec, start_msec;
	unsigned long set_serial;
	uint32_t uid, euid, gid, egid;
};

/* The strings block: the four names, then cwd and tty; PT_CWD and PT_TTY
 * are their places. The parent's working directory and terminal are what
 * rules ask of it (process.parent.working_directory, .interactive). */
#define PT_STRS 6
#define PT_CWD 4
#define PT_TTY 5
#define PT_NAMES_MAX (4 * EXEC_NAME_MAX + EXEC_PATH_MAX + EXEC_TTY_MAX)

struct pt_plan {
	uint32_t argc;
	size_t argv_len;
	size_t size;
	bool name_in_exe;
	bool cut;
};

static const char pt_empty[] = "";

static uint32_t pt_home(const struct proc_table *t, uint32_t node, pid_t pid)
{
	/* Fibonacci hashing spreads consecutive pids; the multiply-shift
	 * range reduction keeps the table at exactly 2 slots per entry.
	 * The node moves each node's pids to a range of their own first
	 * (node 0 hashes as a bare pid), so nodes whose pids are the same
	 * small numbers do not pile up on the same slots. */
	uint32_t h = ((uint32_t)pid ^ (node * 0x85ebca6bu)) * 0x9e3779b1u;

	return (uint32_t)(((uint64_t)h * t->nslots) >> 32);
}

static uint32_t pt_next_slot(const struct proc_table *t, uint32_t i)
{
	return i + 1 == t->nslots ? 0 : i + 1;
}

static uint32_t pt_find_slot(const struct proc_table *t, uint32_t node,
			     pid_t pid)
{
	uint32_t i = pt_home(t, node, pid);

	for (;;) {
		uint32_t idx = t->slot[i];

		if (idx == PT_NIL)
			return PT_NIL;
		if (t->e[idx].pid == pid && t->e[idx].node == node)
			return i;
		i = pt_next_slot(t, i);
	}
}

static uint32_t pt_find(const struct proc_table *t, uint32_t node, pid_t pid)
{
	uint32_t i = pt_find_slot(t, node, pid);

	return i == PT_NIL ? PT_NIL : t->slot[i];
}

static void pt_slot_insert(struct proc_table *t, uint32_t idx)
{
	uint32_t i = pt_home(t, t->e[idx].node, t->e[idx].pid);

	while (t->slot[i] != PT_NIL)
		i = pt_next_slot(t, i);
	t->slot[i] = idx;
}

/* Backward-shift deletion: pull later members of the probe run into the
 * hole unless that would move them in front of their home slot. */
static void pt_slot_delete(struct proc_table *t, uint32_t hole)
{
	uint32_t j = hole;

	for (;;) {
		uint32_t idx, home;
		bool stays;

		j = pt_next_slot(t, j);
		idx = t->slot[j];
		if (idx == PT_NIL)
			break;
		home = pt_home(t, t->e[idx].node, t->e[idx].pid);
		if (hole <= j)
			stays = hole < home && home <= j;
		else
			stays = hole < home || home <= j;
		if (stays)
			continue;
		t->slot[hole] = idx;
		hole = j;
	}
	t->slot[hole] = PT_NIL;
}

/* The fair share's slot of a node id: ids past the last slot share it. */
static uint32_t pt_slot_of(uint32_t node)
{
	return node < PROC_TABLE_NODES ? node : PROC_TABLE_NODES - 1;
}

static struct pt_node *pt_node_of(const struct proc_table *t,
				  const struct pt_entry *en)
{
	return &t->nodes[pt_slot_of(en->node)];
}

static void pt_unlink(struct proc_table *t, uint32_t idx)
{
	struct pt_entry *en = &t->e[idx];
	struct pt_node *n = pt_node_of(t, en);

	if (en->prev != PT_NIL)
		t->e[en->prev].next = en->next;
	else
		t->head = en->next;
	if (en->next != PT_NIL)
		t->e[en->next].prev = en->prev;
	else
		t->tail = en->prev;
	en->prev = en->next = PT_NIL;
	if (en->nprev != PT_NIL)
		t->e[en->nprev].nnext = en->nnext;
	else
		n->head = en->nnext;
	if (en->nnext != PT_NIL) {
		t->e[en->nnext].nprev = en->nprev;
	} else {
		n->tail = en->nprev;
		n->tail_stamp = n->tail != PT_NIL ? t->e[n->tail].stamp : 0;
	}
	en->nprev = en->nnext = PT_NIL;
}

static void pt_push_front(struct proc_table *t, uint32_t idx)
{
	struct pt_entry *en = &t->e[idx];
	struct pt_node *n = pt_node_of(t, en);

	en->prev = PT_NIL;
	en->next = t->head;
	if (t->head != PT_NIL)
		t->e[t->head].prev = idx;
	else
		t->tail = idx;
	t->head = idx;
	en->nprev = PT_NIL;
	en->nnext = n->head;
	en->stamp = ++t->clock;
	if (n->head != PT_NIL) {
		t->e[n->head].nprev = idx;
	} else {
		n->tail = idx;
		n->tail_stamp = en->stamp;
	}
	n->head = idx;
}

static void pt_touch(struct proc_table *t, uint32_t idx)
{
	if (t->head == idx)
		return;
	pt_unlink(t, idx);
	pt_push_front(t, idx);
}

static void pt_release_blob(struct proc_table *t, struct pt_entry *en)
{
	free(en->blob);
	t->used -= en->blob_size;
	pt_node_of(t, en)->bytes -= en->blob_size;
	en->blob = NULL;
	en->blob_size = 0;
}

static void pt_remove(struct proc_table *t, uint32_t idx)
{
	struct pt_entry *en = &t->e[idx];

	pt_slot_delete(t, pt_find_slot(t, en->node, en->pid));
	pt_unlink(t, idx);
	pt_release_blob(t, en);
	pt_node_of(t, en)->count--;
	en->next = t->free_head;
	t->free_head = idx;
	t->count--;
}

static void pt_evict(struct proc_table *t, uint32_t idx)
{
	pt_node_of(t, &t->e[idx])->evictions++;
	pt_remove(t, idx);
	t->evictions++;
}

/* Least recently used entry of node slot `n` that is neither `a` nor
 * `b`. */
static uint32_t pt_node_lru(const struct proc_table *t,
			    const struct pt_node *n, uint32_t a, uint32_t b)
{
	uint32_t idx = n->tail;

	while (idx != PT_NIL && (idx == a || idx == b))
		idx = t->e[idx].nprev;
	return idx;
}

/*
 * The entry to evict so that `node` can store one more (by_bytes: so
 * that its blob fits): the least recently used entry of the node slot
 * holding the most entries (bytes); `node` itself when it holds as many;
 * among other equals, the one whose least recently used entry is the
 * oldest, which with one node, or nodes of equal size, is plain LRU.
 * Neither `a` nor `b` (PT_NIL or entries to keep). proc_table.h says
 * what this guarantees.
 */
static uint32_t pt_victim_slow(const struct proc_table *t, uint32_t node,
			       bool by_bytes, uint32_t a, uint32_t b)
{
	uint32_t own = pt_slot_of(node), best = PT_NIL, best_size = 0;
	size_t best_bytes = 0;
	uint64_t best_stamp = 0;

	for (uint32_t s = 0; s < t->nodes_hi; s++) {
		const struct pt_node *n = &t->nodes[s];
		uint32_t lru;
		bool more, same;

		if (n->count == 0)
			continue;
		more = by_bytes ? n->bytes > best_bytes :
				  n->count > best_size;
		same = by_bytes ? n->bytes == best_bytes :
				  n->count == best_size;
		if (!more && !(same && best != PT_NIL))
			continue;
		lru = pt_node_lru(t, n, a, b);
		if (lru == PT_NIL)
			continue; /* only what must be kept */
		if (same && best != PT_NIL) {
			/* the inserting node goes first among equals */
			if (pt_slot_of(t->e[best].node) == own)
				continue;
			if (s != own && t->e[lru].stamp >= best_stamp)
				continue;
		}
		best = lru;
		best_size = n->count;
		best_bytes = n->bytes;
		best_stamp = t->e[lru].stamp;
	}
	return best;
}

/* The same choice, reading only the per-node array: the node with most
 * entries (bytes), `node` among equals, else the oldest tail. Only when
 * that node's least recently used entries are the ones to keep does the
 * slow scan above decide. */
static uint32_t pt_victim(const struct proc_table *t, uint32_t node,
			  bool by_bytes, uint32_t a, uint32_t b)
{
	uint32_t own = pt_slot_of(node), best = PT_NIL, lru;
	uint64_t max = 0, size;

	for (uint32_t s = 0; s < t->nodes_hi; s++) {
		size = by_bytes ? t->nodes[s].bytes : t->nodes[s].count;
		if (size > max)
			max = size;
	}
	if (max == 0)
		return PT_NIL;
	if (own < t->nodes_hi && t->nodes[own].count &&
	    (by_bytes ? t->nodes[own].bytes : t->nodes[own].count) == max) {
		best = own;
	} else {
		for (uint32_t s = 0; s < t->nodes_hi; s++) {
			const struct pt_node *n = &t->nodes[s];

			if (n->count &&
			    (by_bytes ? n->bytes : n->count) == max &&
			    (best == PT_NIL ||
			     n->tail_stamp < t->nodes[best].tail_stamp))
				best = s;
		}
	}
	lru = pt_node_lru(t, &t->nodes[best], a, b);
	if (lru == PT_NIL || lru != t->nodes[best].tail)
		return pt_victim_slow(t, node, by_bytes, a, b);
	return lru;
}

/* Decide how much of `im` to keep: whole arguments in order while both the
 * per-entry argument bytes and the per-blob size allow. */
static void pt_plan(const struct proc_table *t, const struct pt_image *im,
		    struct pt_plan *p)
{
	size_t e_cap = t->lim.max_entry_argv_bytes;
	uint32_t i;

	p->name_in_exe = im->name_len <= im->exe_len &&
		memcmp(im->exe + im->exe_len - im->name_len, im->name,
		       im->name_len) == 0;
	p->size = im->exe_len + 1 + (p->name_in_exe ? 0 : im->name_len + 1) +
		  im->names_len;
	p->argv_len = 0;
	p->cut = false;
	for (i = 0; i < im->argc; i++) {
		size_t len = im->v[i].ptr ? im->v[i].len : 0;

		/* Written as subtractions: caller-given lengths may be
		 * anything, and neither running sum may wrap. */
		if (len > e_cap - p->argv_len ||
		    len + 1 + sizeof(struct argv_arg) > t->blob_cap - p->size) {
			p->cut = true;
			break;
		}
		p->argv_len += len;
		p->size += len + 1 + sizeof(struct argv_arg);
	}
	p->argc = i;
}

/* Copy the planned part of `im` into `blob` and point `en` at it. */
static void pt_fill(struct pt_entry *en, char *blob, const struct pt_image *im,
		    const struct pt_plan *p)
{
	struct argv_arg *vec = (struct argv_arg *)(void *)blob;
	char *s = blob + (size_t)p->argc * sizeof(*vec);
	uint32_t i;

	memcpy(s, im->exe, im->exe_len);
	s[im->exe_len] = '\0';
	en->exe = s;
	s += im->exe_len + 1;
	if (p->name_in_exe) {
		en->name = en->exe + im->exe_len - im->name_len;
	} else {
		memcpy(s, im->name, im->name_len);
		s[im->name_len] = '\0';
		en->name = s;
		s += im->name_len + 1;
	}
	for (i = 0; i < p->argc; i++) {
		uint32_t len = im->v[i].ptr ? im->v[i].len : 0;

		if (len)
			memcpy(s, im->v[i].ptr, len);
		s[len] = '\0';
		vec[i].ptr = s;
		vec[i].len = len;
		s += (size_t)len + 1;
	}
	if (im->names_len) {
		memcpy(s, im->names, im->names_len);
		en->names = s;
	} else {
		en->names = NULL;
	}
	en->names_len = (uint32_t)im->names_len;
	en->v = p->argc ? vec : NULL;
	en->argc = p->argc;
	en->argv_len = p->argv_len;
	en->exe_len = (uint32_t)im->exe_len;
	en->name_len = (uint32_t)im->name_len;
}

/*
 * Store `im` for (node, pid), replacing its entry if any. `keep` (an entry
 * index or PT_NIL) is never evicted: it is the fork parent whose blob `im`
 * points into, and it must survive as the live process anyway.
 */
static int pt_store(struct proc_table *t, uint32_t node, pid_t pid,
		    pid_t ppid, const struct pt_image *im, unsigned flags,
		    const struct pt_meta *m, uint32_t keep)
{
	struct pt_entry tmp = { 0 };
	struct pt_plan p;
	char *blob;
	uint32_t idx, victim;
	size_t old;
	int rc = 0;

	pt_plan(t, im, &p);
	blob = malloc(p.size);
	if (!blob) {
		/* Without the arguments the entry still names the parent's
		 * exe, which beats forgetting the process. */
		rc = -1;
		p.argc = 0;
		p.argv_len = 0;
		p.size = im->exe_len + 1 +
			(p.name_in_exe ? 0 : im->name_len + 1) +
			im->names_len;
		p.cut = true;
		blob = malloc(p.size);
	}
	if (blob) {
		pt_fill(&tmp, blob, im, &p);
	} else {
		p.size = 0;
		tmp.exe = tmp.name = pt_empty;
		tmp.names = NULL;
		tmp.names_len = 0;
	}
	if (p.cut) {
		flags |= PROC_ARGV_TRUNCATED;
		tmp.argv_flags |= ARGV_TRUNCATED;
	}
	if (rc)
		tmp.argv_flags |= ARGV_NOMEM;

	/* The blob is a private copy now, so evicting cannot pull the
	 * source from under it; `keep` is spared for its own sake. */
	idx = pt_find(t, node, pid);
	old = idx != PT_NIL ? t->e[idx].blob_size : 0;
	while (t->used - old + p.size > t->lim.max_total_argv_bytes) {
		victim = pt_victim(t, node, true, idx, keep);
		if (victim == PT_NIL)
			break; /* unreachable: two blobs fit by blob_cap */
		pt_evict(t, victim);
	}
	if (idx == PT_NIL) {
		if (t->count == t->lim.max_entries) {
			victim = pt_victim(t, node, false, PT_NIL, keep);
			if (victim == PT_NIL) {
				free(blob); /* unreachable: max_entries >= 2 */
				return -1;
			}
			pt_evict(t, victim);
		}
		idx = t->free_head;
		t->free_head = t->e[idx].next;
		t->e[idx].pid = pid;
		t->e[idx].node = node;
		pt_slot_insert(t, idx);
		pt_push_front(t, idx);
		t->count++;
		pt_node_of(t, &t->e[idx])->count++;
		if (pt_slot_of(node) >= t->nodes_hi)
			t->nodes_hi = pt_slot_of(node) + 1;
	} else {
		pt_release_blob(t, &t->e[idx]);
		pt_touch(t, idx);
	}

	tmp.pid = pid;
	tmp.node = node;
	tmp.ppid = ppid;
	tmp.last_seen = m->last_seen;
	tmp.set_sec = m->set_sec;
	tmp.set_msec = m->set_msec;
	tmp.set_serial = m->set_serial;
	tmp.start_sec = m->start_sec;
	tmp.start_msec = m->start_msec;
	tmp.uid = m->uid;
	tmp.euid = m->euid;
	tmp.gid = m->gid;
	tmp.egid = m->egid;
	tmp.blob = blob;
	tmp.blob_size = p.size;
	tmp.flags = flags;
	tmp.argv_flags |= im->argv_flags;
	tmp.prev = t->e[idx].prev;
	tmp.next = t->e[idx].next;
	tmp.nprev = t->e[idx].nprev;
	tmp.nnext = t->e[idx].nnext;
	tmp.stamp = t->e[idx].stamp;
	t->e[idx] = tmp;
	t->used += p.size;
	pt_node_of(t, &t->e[idx])->bytes += p.size;
	t->inserts++;
	return rc;
}

static const char *pt_basename(const char *path, size_t len)
{
	while (len && path[len - 1] != '/')
		len--;
	return path + len;
}

/* The k-th name of a packed strings block (proc_table.h), "" when none. */
static const char *pt_name(const struct pt_entry *en, unsigned k)
{
	const char *p = en->names;

	if (!p)
		return pt_empty;
	while (k--)
		p += strlen(p) + 1;
	return p;
}

/* Pack a record's names, `cwd` and tty into buf (PT_NAMES_MAX bytes);
 * returns the packed length, 0 when none is known. */
static size_t pt_pack_names(char *buf, const struct exec_event *ev,
			    const char *cwd)
{
	const char *n[PT_STRS] = { ev->uid_name, ev->euid_name, ev->gid_name,
				   ev->egid_name, cwd, ev->tty };
	const size_t cap[PT_STRS] = { EXEC_NAME_MAX, EXEC_NAME_MAX,
				      EXEC_NAME_MAX, EXEC_NAME_MAX,
				      EXEC_PATH_MAX, EXEC_TTY_MAX };
	size_t len = 0, k, l;
	bool any = false;

	for (k = 0; k < PT_STRS; k++) {
		l = strnlen(n[k], cap[k] - 1);
		memcpy(buf + len, n[k], l);
		buf[len + l] = '\0';
		len += l + 1;
		any |= l > 0;
	}
	return any ? len : 0;
}

static void pt_creds_from(struct pt_meta *m, const struct exec_event *ev)
{
	m->uid = ev->uid;
	m->euid = ev->euid;
	m->gid = ev->gid;
	m->egid = ev->egid;
}

static void pt_creds_of(struct pt_meta *m, const struct pt_entry *en)
{
	m->uid = en->uid;
	m->euid = en->euid;
	m->gid = en->gid;
	m->egid = en->egid;
}

/* The stored image of an entry, to store again or copy. */
static void pt_image_of(struct pt_image *im, const struct pt_entry *en)
{
	im->exe = en->exe;
	im->exe_len = en->exe_len;
	im->name = en->name;
	im->name_len = en->name_len;
	im->v = en->v;
	im->argc = en->argc;
	im->argv_flags = en->argv_flags;
	im->names = en->names;
	im->names_len = en->names_len;
}

static void pt_set_argv(struct pt_image *im, const struct argv *av)
{
	if (av && av->v) {
		im->v = av->v;
		im->argc = av->argc;
		im->argv_flags = av->flags;
	} else {
		im->v = NULL;
		im->argc = 0;
		im->argv_flags = av ? av->flags : 0;
	}
}

struct proc_table *proc_table_new(const struct proc_table_limits *lim)
{
	struct proc_table *t;
	uint32_t i;

	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (lim)
		t->lim = *lim;
	if (!t->lim.max_entries)
		t->lim.max_entries = PROC_TABLE_DEFAULT_ENTRIES;
	if (t->lim.max_entries > PT_MAX_ENTRIES)
		t->lim.max_entries = PT_MAX_ENTRIES;
	if (t->lim.max_entries < PT_MIN_ENTRIES)
		t->lim.max_entries = PT_MIN_ENTRIES;
	if (!t->lim.max_entry_argv_bytes)
		t->lim.max_entry_argv_bytes =
			PROC_TABLE_DEFAULT_ENTRY_ARGV_BYTES;
	if (!t->lim.max_total_argv_bytes)
		t->lim.max_total_argv_bytes =
			PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES;
	if (t->lim.max_total_argv_bytes < PT_MIN_TOTAL_BYTES)
		t->lim.max_total_argv_bytes = PT_MIN_TOTAL_BYTES;
	t->blob_cap = t->lim.max_total_argv_bytes / 2;

	t->nslots = 2 * t->lim.max_entries;
	t->e = calloc(t->lim.max_entries, sizeof(*t->e));
	t->slot = malloc((size_t)t->nslots * sizeof(*t->slot));
	t->nodes = calloc(PROC_TABLE_NODES, sizeof(*t->nodes));
	if (!t->e || !t->slot || !t->nodes) {
		free(t->e);
		free(t->slot);
		free(t->nodes);
		free(t);
		return NULL;
	}
	for (i = 0; i < PROC_TABLE_NODES; i++)
		t->nodes[i].head = t->nodes[i].tail = PT_NIL;
	memset(t->slot, 0xff, (size_t)t->nslots * sizeof(*t->slot));
	for (i = 0; i < t->lim.max_entries; i++)
		t->e[i].next = i + 1 < t->lim.max_entries ? i + 1 : PT_NIL;
	t->free_head = 0;
	t->head = t->tail = PT_NIL;
	return t;
}

void proc_table_free(struct proc_table *t)
{
	uint32_t idx;

	if (!t)
		return;
	for (idx = t->head; idx != PT_NIL; idx = t->e[idx].next)
		free(t->e[idx].blob);
	free(t->e);
	free(t->slot);
	free(t->nodes);
	free(t);
}

/* Not newer than (sec, msec): the entry was set by a record of that time
 * or before. */
static bool pt_set_by(const struct pt_entry *en, time_t sec, unsigned msec)
{
	return en->set_sec < sec ||
	       (en->set_sec == sec && en->set_msec <= msec);
}

/* Rule 9: `en` is the process that now execs with this ppid at this
 * time - its fork copy or an earlier image - rather than an earlier owner
 * of the pid or a process whose parent changed. */
static bool pt_same_process(const struct pt_entry *en, pid_t ppid,
			    time_t sec, unsigned msec)
{
	return en->ppid == ppid && pt_set_by(en, sec, msec);
}

int proc_table_exec(struct proc_table *t, uint32_t node,
		    const struct exec_event *ev)
{
	char names[PT_NAMES_MAX];
	struct pt_image im;
	struct pt_meta m;
	unsigned flags = PROC_HAS_CREDS;
	uint32_t idx;

	if (!t || !ev)
		return -1;
	im.exe = ev->exe;
	im.exe_len = strnlen(ev->exe, EXEC_PATH_MAX - 1);
	if (ev->name) {
		im.name = ev->name;
		im.name_len = strnlen(ev->name, ev->name_len < EXEC_PATH_MAX ?
				      ev->name_len : EXEC_PATH_MAX - 1);
	} else {
		im.name = pt_basename(im.exe, im.exe_len);
		im.name_len = im.exe_len - (size_t)(im.name - im.exe);
	}
	pt_set_argv(&im, ev->argv);
	im.names_len = pt_pack_names(names, ev, ev->cwd);
	im.names = names;
	if (im.argv_flags & ARGV_TRUNCATED)
		flags |= PROC_ARGV_TRUNCATED;

	memset(&m, 0, sizeof(m));
	m.last_seen = m.set_sec = m.start_sec = ev->sec;
	m.set_msec = m.start_msec = ev->msec;
	m.set_serial = ev->serial;
	pt_creds_from(&m, ev);
	idx = pt_find(t, node, ev->pid);
	if (idx != PT_NIL &&
	    pt_same_process(&t->e[idx], ev->ppid, ev->sec, ev->msec)) {
		m.start_sec = t->e[idx].start_sec;
		m.start_msec = t->e[idx].start_msec;
	}
	return pt_store(t, node, ev->pid, ev->ppid, &im, flags, &m, PT_NIL);
}

/* True when `en` holds its pid's own exec from no earlier than
 * (sec, msec): then a fork of that time or older that names the pid as
 * its child made this very process, and its record only came late. */
static bool pt_exec_since(const struct pt_entry *en, time_t sec,
			  unsigned msec)
{
	if (en->flags & (PROC_FORKED | PROC_FROM_PROC))
		return false;
	return en->set_sec > sec ||
	       (en->set_sec == sec && en->set_msec >= msec);
}

/* Rule 8: the caller's entry takes the ids, names and tty of its fork
 * record, and keeps its working directory (a fork record has no CWD
 * record). The strings live in the blob, so changed ones store the entry
 * again (rare: only a process that changed its ids since its last
 * record). */
static int pt_refresh_creds(struct proc_table *t, uint32_t idx,
			    const struct exec_event *caller)
{
	struct pt_entry *en = &t->e[idx];
	char names[PT_NAMES_MAX];
	struct pt_image im;
	struct pt_meta m;
	size_t len = pt_pack_names(names, caller, caller->cwd[0] ?
				   caller->cwd : pt_name(en, PT_CWD));

	en->flags |= PROC_HAS_CREDS;
	en->uid = caller->uid;
	en->euid = caller->euid;
	en->gid = caller->gid;
	en->egid = caller->egid;
	if (len == en->names_len &&
	    (len == 0 || memcmp(names, en->names, len) == 0))
		return 0;
	pt_image_of(&im, en);
	im.names = names;
	im.names_len = len;
	memset(&m, 0, sizeof(m));
	m.last_seen = en->last_seen;
	m.set_sec = en->set_sec;
	m.set_msec = en->set_msec;
	m.set_serial = en->set_serial;
	m.start_sec = en->start_sec;
	m.start_msec = en->start_msec;
	pt_creds_of(&m, en);
	/* pt_store copies the image before it frees the old blob. */
	return pt_store(t, en->node, en->pid, en->ppid, &im, en->flags, &m,
			PT_NIL);
}

int proc_table_fork(struct proc_table *t, uint32_t node,
		    const struct fork_event *fe)
{
	struct pt_image im;
	struct pt_entry *pe;
	struct pt_meta m;
	uint32_t pidx, cidx;
	int rc = 0;

	if (!t || !fe)
		return -1;
	if (fe->parent == fe->child)
		return 0;
	pidx = pt_find(t, node, fe->parent);
	if (pidx != PT_NIL) {
		pt_touch(t, pidx);
		/* The fork is the latest event that touched the parent
		 * too. */
		if (fe->sec > t->e[pidx].last_seen)
			t->e[pidx].last_seen = fe->sec;
		if (fe->caller)
			rc = pt_refresh_creds(t, pidx, fe->caller);
	}
	cidx = pt_find(t, node, fe->child);
	if (cidx != PT_NIL && pt_exec_since(&t->e[cidx], fe->sec, fe->msec)) {
		/* The child exec'd already: its image is newer than
		 * anything this fork could give it. */
		t->late_forks++;
		return rc;
	}
	if (pidx == PT_NIL) {
		/* The child is a new process whatever its parent: anything
		 * held for an earlier owner of its pid is stale. */
		if (cidx != PT_NIL)
			pt_remove(t, cidx);
		return rc;
	}
	pe = &t->e[pidx];
	pt_image_of(&im, pe);
	memset(&m, 0, sizeof(m));
	m.last_seen = m.set_sec = m.start_sec = fe->sec;
	m.set_msec = m.start_msec = fe->msec;
	m.set_serial = fe->serial;
	pt_creds_of(&m, pe);
	t->forks++;
	/* The entry array never moves, so `pe` stays valid throughout. */
	if (pt_store(t, node, fe->child, fe->parent, &im,
		     pe->flags | PROC_FORKED, &m, pidx) != 0)
		rc = -1;
	return rc;
}

int proc_table_put(struct proc_table *t, uint32_t node, pid_t pid, pid_t ppid,
		   const char *exe, const struct argv *argv, time_t when)
{
	struct pt_image im;
	struct pt_meta m;
	unsigned flags = PROC_FROM_PROC;

	if (!t)
		return -1;
	im.exe = exe ? exe : pt_empty;
	im.exe_len = strnlen(im.exe, EXEC_PATH_MAX - 1);
	im.name = pt_basename(im.exe, im.exe_len);
	im.name_len = im.exe_len - (size_t)(im.name - im.exe);
	im.names = NULL;
	im.names_len = 0;
	pt_set_argv(&im, argv);
	if (im.argv_flags & ARGV_TRUNCATED)
		flags |= PROC_ARGV_TRUNCATED;
	/* /proc says nothing of the record or the start (rule 9), and the
	 * ids are left unknown. */
	memset(&m, 0, sizeof(m));
	m.last_seen = when;
	m.uid = m.euid = m.gid = m.egid = EXEC_ID_UNSET;
	return pt_store(t, node, pid, ppid, &im, flags, &m, PT_NIL);
}

static void pt_view(const struct pt_entry *en, struct proc_entry *out)
{
	out->node = en->node;
	out->pid = en->pid;
	out->ppid = en->ppid;
	out->exe = en->exe;
	out->name = en->name;
	out->argv.argc = en->argc;
	out->argv.v = en->v;
	out->argv.total_bytes = en->argv_len;
	out->argv.flags = en->argv_flags;
	out->last_seen = en->last_seen;
	out->flags = en->flags;
	if (en->flags & PROC_HAS_CREDS) {
		out->uid = en->uid;
		out->euid = en->euid;
		out->gid = en->gid;
		out->egid = en->egid;
	} else {
		out->uid = out->euid = out->gid = out->egid = EXEC_ID_UNSET;
	}
	{
		/* one walk over the strings block, not one per string */
		const char *str[PT_STRS];
		const char *p = en->names;
		unsigned k;

		for (k = 0; k < PT_STRS; k++) {
			str[k] = p ? p : pt_empty;
			if (p)
				p += strlen(p) + 1;
		}
		out->uid_name = str[0];
		out->euid_name = str[1];
		out->gid_name = str[2];
		out->egid_name = str[3];
		out->cwd = str[PT_CWD];
		out->tty = str[PT_TTY];
	}
	out->set_sec = en->set_sec;
	out->set_msec = en->set_msec;
	out->set_serial = en->set_serial;
	out->start_sec = en->start_sec;
	out->start_msec = en->start_msec;
}

bool proc_table_lookup(struct proc_table *t, uint32_t node, pid_t pid,
		       struct proc_entry *out)
{
	uint32_t idx;

	if (!t)
		return false;
	t->lookups++;
	idx = pt_find(t, node, pid);
	if (idx == PT_NIL)
		return false;
	t->hits++;
	pt_touch(t, idx);
	if (out)
		pt_view(&t->e[idx], out);
	return true;
}

bool proc_table_peek(const struct proc_table *t, uint32_t node, pid_t pid,
		     struct proc_entry *out)
{
	uint32_t idx;

	if (!t)
		return false;
	idx = pt_find(t, node, pid);
	if (idx == PT_NIL)
		return false;
	if (out)
		pt_view(&t->e[idx], out);
	return true;
}

bool proc_table_previous(const struct proc_table *t, uint32_t node,
			 const struct exec_event *ev, struct proc_entry *out)
{
	uint32_t idx;

	if (!t || !ev)
		return false;
	idx = pt_find(t, node, ev->pid);
	if (idx == PT_NIL ||
	    !pt_same_process(&t->e[idx], ev->ppid, ev->sec, ev->msec))
		return false;
	if (out)
		pt_view(&t->e[idx], out);
	return true;
}

void proc_table_stats(const struct proc_table *t, struct proc_table_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (!t)
		return;
	s->entries = t->count;
	s->argv_bytes = t->used;
	s->inserts = t->inserts;
	s->evictions = t->evictions;
	s->forks = t->forks;
	s->late_forks = t->late_forks;
	s->lookups = t->lookups;
	s->hits = t->hits;
}

void proc_table_node_stats(const struct proc_table *t, uint32_t node,
			   struct proc_table_node_stats *s)
{
	const struct pt_node *n;

	memset(s, 0, sizeof(*s));
	s->node = pt_slot_of(node);
	if (!t)
		return;
	n = &t->nodes[s->node];
	s->entries = n->count;
	s->argv_bytes = n->bytes;
	s->evictions = n->evictions;
}

/* The statistics line's order: who lost most, then who holds most. */
static bool pt_ranks_before(const struct proc_table_node_stats *x,
			    const struct proc_table_node_stats *y)
{
	if (x->evictions != y->evictions)
		return x->evictions > y->evictions;
	if (x->entries != y->entries)
		return x->entries > y->entries;
	return x->node < y->node;
}

size_t proc_table_top_nodes(const struct proc_table *t,
			    struct proc_table_node_stats *top, size_t k,
			    struct proc_table_node_stats *rest)
{
	struct proc_table_node_stats s, out;
	size_t n = 0, i;

	memset(rest, 0, sizeof(*rest));
	if (!t)
		return 0;
	for (uint32_t slot = 0; slot < t->nodes_hi; slot++) {
		proc_table_node_stats(t, slot, &s);
		if (!s.entries && !s.evictions)
			continue;
		/* insert into the sorted top k; what falls off is the rest */
		out = s;
		if (n < k || (k && pt_ranks_before(&s, &top[k - 1]))) {
			if (n == k)
				out = top[--n];
			else
				out.node = UINT32_MAX; /* nothing fell off */
			for (i = n; i > 0 && pt_ranks_before(&s, &top[i - 1]);
			     i--)
				top[i] = top[i - 1];
			top[i] = s;
			n++;
		}
		if (out.node == UINT32_MAX)
			continue;
		rest->node++;
		rest->entries += out.entries;
		rest->argv_bytes += out.argv_bytes;
		rest->evictions += out.evictions;
	}
	return n;
}

void proc_table_walk(const struct proc_table *t, proc_table_walk_fn fn,
		     void *ctx)
{
	struct proc_entry v;

	if (!t)
		return;
	for (uint32_t idx = t->tail; idx != PT_NIL; idx = t->e[idx].prev) {
		pt_view(&t->e[idx], &v);
		if (!fn(&v, ctx))
			break;
	}
}

int proc_table_restore(struct proc_table *t, const struct proc_entry *e)
{
	char names[PT_NAMES_MAX];
	const char *n[PT_STRS];
	const size_t cap[PT_STRS] = { EXEC_NAME_MAX, EXEC_NAME_MAX,
				      EXEC_NAME_MAX, EXEC_NAME_MAX,
				      EXEC_PATH_MAX, EXEC_TTY_MAX };
	struct pt_image im;
	struct pt_meta m;
	size_t len = 0, l;
	bool any = false;

	if (!t || !e)
		return -1;
	if (pt_find(t, e->node, e->pid) != PT_NIL)
		return 1; /* what is there is newer */
	im.exe = e->exe;
	im.exe_len = strnlen(e->exe, EXEC_PATH_MAX - 1);
	im.name = e->name;
	im.name_len = strnlen(e->name, EXEC_PATH_MAX - 1);
	pt_set_argv(&im, &e->argv);
	n[0] = e->uid_name;
	n[1] = e->euid_name;
	n[2] = e->gid_name;
	n[3] = e->egid_name;
	n[PT_CWD] = e->cwd ? e->cwd : pt_empty;
	n[PT_TTY] = e->tty ? e->tty : pt_empty;
	for (unsigned k = 0; k < PT_STRS; k++) {
		l = strnlen(n[k], cap[k] - 1);
		memcpy(names + len, n[k], l);
		names[len + l] = '\0';
		len += l + 1;
		any |= l > 0;
	}
	im.names = names;
	im.names_len = any ? len : 0;
	memset(&m, 0, sizeof(m));
	m.last_seen = e->last_seen;
	m.set_sec = e->set_sec;
	m.set_msec = e->set_msec;
	m.set_serial = e->set_serial;
	m.start_sec = e->start_sec;
	m.start_msec = e->start_msec;
	m.uid = e->uid;
	m.euid = e->euid;
	m.gid = e->gid;
	m.egid = e->egid;
	return pt_store(t, e->node, e->pid, e->ppid, &im,
			e->flags & PROC_TABLE_FLAGS, &m, PT_NIL);
}
