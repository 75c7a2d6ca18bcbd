/*
 * lineage.c - entity ids, the previous image, ancestors and the timeline
 * of one exec, built on demand (lineage.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lineage.h"

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(char *out, size_t cap, const unsigned char *in, size_t n)
{
	size_t i, o = 0;

	if (cap == 0)
		return;
	for (i = 0; i + 2 < n && o + 4 < cap; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
			     in[i + 2];

		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	if (i < n && o + 4 < cap) {
		uint32_t v = (uint32_t)in[i] << 16 |
			     (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);

		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
}

void lineage_entity_id(char *buf, size_t cap, const char *host, pid_t pid,
		       time_t sec, unsigned msec, unsigned long serial)
{
	char raw[320];
	int n;

	n = snprintf(raw, sizeof(raw), "%.255s|%d|%lld.%03u|%lu",
		     host ? host : "", (int)pid, (long long)sec,
		     msec > 999 ? 999 : msec, serial);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(raw))
		n = (int)sizeof(raw) - 1;
	base64(buf, cap, (const unsigned char *)raw, (size_t)n);
}

/* The host part of the ids: the event's node, else host.name. */
static const char *id_host(const struct lineage *l)
{
	return l->ev->node[0] ? l->ev->node : l->host;
}

/* An entry's image was made by a record (exec or fork), not read from
 * /proc: only then has it an id. */
static bool has_record(const struct proc_entry *e)
{
	return !(e->flags & PROC_FROM_PROC) || (e->flags & PROC_FORKED);
}

static void entry_id(const struct lineage *l, const struct proc_entry *e,
		     char *buf)
{
	if (has_record(e))
		lineage_entity_id(buf, LINEAGE_ID_MAX, id_host(l), e->pid,
				  e->set_sec, e->set_msec, e->set_serial);
	else
		buf[0] = '\0';
}

static void image_of(struct lineage_image *im, const struct proc_entry *e)
{
	im->pid = e->pid;
	im->ppid = e->ppid;
	im->exe = e->exe;
	im->name = e->name;
	im->argv = e->argv;
	im->entity_id = NULL;
}

void lineage_init(struct lineage *l)
{
	memset(l, 0, sizeof(*l));
}

void lineage_free(struct lineage *l)
{
	free(l->tl_arena);
	free(l->anc_args_v);
	free(l->tl_args_v);
	l->tl_arena = l->anc_args_v = l->tl_args_v = NULL;
	l->tl_arena_n = 0;
}

void lineage_begin(struct lineage *l, const struct proc_table *procs,
		   const struct timeline *tl, uint32_t node,
		   const struct lineage_settings *set,
		   const struct exec_event *ev,
		   const struct proc_entry *parent, const char *host)
{
	l->procs = procs;
	l->tl = tl;
	l->node = node;
	memset(&l->set, 0, sizeof(l->set));
	if (set)
		l->set = *set;
	if (l->set.depth > LINEAGE_MAX_DEPTH)
		l->set.depth = LINEAGE_MAX_DEPTH;
	if (l->set.timeline > TIMELINE_MAX_SIZE)
		l->set.timeline = TIMELINE_MAX_SIZE;
	l->ev = ev;
	l->parent = parent;
	l->host = host ? host : "";
	l->built = 0;
}

static void build_ids(struct lineage *l)
{
	if (l->built & LINEAGE_IDS)
		return;
	l->built |= LINEAGE_IDS;
	lineage_entity_id(l->self_id, sizeof(l->self_id), id_host(l),
			  l->ev->pid, l->ev->sec, l->ev->msec, l->ev->serial);
	if (l->parent)
		entry_id(l, l->parent, l->parent_id);
	else
		l->parent_id[0] = '\0';
}

const char *lineage_self_id(struct lineage *l)
{
	build_ids(l);
	return l->self_id;
}

const char *lineage_parent_id(struct lineage *l)
{
	build_ids(l);
	return l->parent_id[0] ? l->parent_id : NULL;
}

/* The process start of the exec itself: its earlier image's, else the
 * exec's time (proc_table.h rule 9). */
static void self_start(struct lineage *l, time_t *sec, unsigned *msec)
{
	struct proc_entry e;

	if (l->procs && proc_table_previous(l->procs, l->node, l->ev, &e) &&
	    (e.start_sec || e.start_msec)) {
		*sec = e.start_sec;
		*msec = e.start_msec;
		return;
	}
	*sec = l->ev->sec;
	*msec = l->ev->msec;
}

static void build_previous(struct lineage *l)
{
	struct proc_entry e;

	if (l->built & LINEAGE_PREVIOUS)
		return;
	l->built |= LINEAGE_PREVIOUS;
	l->has_previous = false;
	if (!l->procs || !proc_table_previous(l->procs, l->node, l->ev, &e))
		return;
	l->has_previous = true;
	image_of(&l->previous, &e);
	entry_id(l, &e, l->previous_id);
	l->previous.entity_id = l->previous_id[0] ? l->previous_id : NULL;
}

const struct lineage_image *lineage_previous(struct lineage *l)
{
	build_previous(l);
	return l->has_previous ? &l->previous : NULL;
}

/* The ancestor began after its child: a later owner of the pid. Unknown
 * starts (0: /proc) prove nothing. */
static bool began_after(time_t asec, unsigned amsec, time_t csec,
			unsigned cmsec)
{
	if (!(asec || amsec) || !(csec || cmsec))
		return false;
	return asec > csec || (asec == csec && amsec > cmsec);
}

static void build_ancestors(struct lineage *l)
{
	pid_t seen[LINEAGE_MAX_DEPTH + 2];
	unsigned nseen = 0, i, k;
	struct proc_entry cur, g;
	time_t csec;
	unsigned cmsec;

	if (l->built & LINEAGE_ANCESTORS)
		return;
	build_ids(l);
	build_previous(l);
	l->built |= LINEAGE_ANCESTORS;
	l->nanc = 0;
	if (l->parent && l->procs && l->set.depth > 0) {
		cur = *l->parent;
		self_start(l, &csec, &cmsec);
		seen[nseen++] = l->ev->pid;
		seen[nseen++] = cur.pid;
		/* A parent that began after the exec is a stranger too. */
		if (began_after(cur.start_sec, cur.start_msec, csec, cmsec))
			cur.ppid = 0;
		while (l->nanc < l->set.depth && cur.ppid > 0) {
			for (k = 0; k < nseen && seen[k] != cur.ppid; k++)
				;
			if (k < nseen)
				break;
			if (!proc_table_peek(l->procs, l->node, cur.ppid, &g))
				break;
			if (began_after(g.start_sec, g.start_msec,
					cur.start_sec, cur.start_msec))
				break;
			image_of(&l->anc[l->nanc], &g);
			entry_id(l, &g, l->anc_id[l->nanc]);
			l->anc[l->nanc].entity_id =
				l->anc_id[l->nanc][0] ? l->anc_id[l->nanc] :
							NULL;
			l->nanc++;
			seen[nseen++] = g.pid;
			cur = g;
		}
	}

	/* Ext.ancestry: previous (when it has an id), the parent, then the
	 * ancestors up to the first without one. */
	memset(&l->ancestry, 0, sizeof(l->ancestry));
	l->ancestry.v = l->ancestry_v;
	if (l->has_previous && l->previous.entity_id)
		l->ancestry_v[l->ancestry.argc++] =
			(struct argv_arg){ l->previous_id,
					   (uint32_t)strlen(l->previous_id) };
	if (l->parent_id[0]) {
		l->ancestry_v[l->ancestry.argc++] =
			(struct argv_arg){ l->parent_id,
					   (uint32_t)strlen(l->parent_id) };
		for (i = 0; i < l->nanc && l->anc[i].entity_id; i++)
			l->ancestry_v[l->ancestry.argc++] =
				(struct argv_arg){ l->anc_id[i],
						   (uint32_t)strlen(l->anc_id[i]) };
	}
	for (i = 0; i < l->ancestry.argc; i++)
		l->ancestry.total_bytes += l->ancestry_v[i].len;
}

unsigned lineage_ancestors(struct lineage *l,
			   const struct lineage_image **out)
{
	build_ancestors(l);
	*out = l->anc;
	return l->nanc;
}

const struct argv *lineage_ancestry(struct lineage *l)
{
	build_ancestors(l);
	return &l->ancestry;
}

static void build_timeline(struct lineage *l)
{
	size_t need;

	if (l->built & LINEAGE_TIMELINE)
		return;
	l->built |= LINEAGE_TIMELINE;
	l->ntl = 0;
	if (!l->tl || l->set.timeline == 0) {
		l->tl_state = LINEAGE_TIMELINE_OFF;
		return;
	}
	if (l->ev->ses == EXEC_ID_UNSET) {
		l->tl_state = LINEAGE_TIMELINE_NO_SESSION;
		return;
	}
	l->tl_state = LINEAGE_TIMELINE_SESSION;
	need = timeline_arena_size(l->tl);
	if (l->tl_arena_n < need) {
		struct argv_arg *a = realloc(l->tl_arena, need * sizeof(*a));

		if (!a)
			return; /* no memory: no entries shown */
		l->tl_arena = a;
		l->tl_arena_n = need;
	}
	l->ntl = timeline_get(l->tl, l->node, l->ev->ses, l->tl_e,
			      l->set.timeline, l->tl_arena, l->tl_arena_n);
}

unsigned lineage_timeline(struct lineage *l,
			  const struct timeline_entry **out,
			  enum lineage_timeline_state *state)
{
	build_timeline(l);
	*out = l->tl_e;
	if (state)
		*state = l->tl_state;
	return l->ntl;
}

const struct argv *lineage_ancestor_exes(struct lineage *l)
{
	unsigned i;

	if (!(l->built & LINEAGE_FLAT_EXES)) {
		build_ancestors(l);
		l->built |= LINEAGE_FLAT_EXES;
		memset(&l->anc_exes, 0, sizeof(l->anc_exes));
		l->anc_exes.v = l->anc_exes_v;
		for (i = 0; i < l->nanc; i++) {
			uint32_t n = (uint32_t)strlen(l->anc[i].exe);

			l->anc_exes_v[i] = (struct argv_arg){ l->anc[i].exe, n };
			l->anc_exes.total_bytes += n;
		}
		l->anc_exes.argc = l->nanc;
	}
	return &l->anc_exes;
}

/* Append av's elements to flat (LINEAGE_EQL_MAX_ARGS slots at v). */
static void flatten(struct argv *flat, struct argv_arg *v,
		    const struct argv *av)
{
	uint32_t i;

	for (i = 0; av->v && i < av->argc; i++) {
		if (flat->argc == LINEAGE_EQL_MAX_ARGS) {
			flat->flags |= ARGV_TRUNCATED;
			return;
		}
		v[flat->argc++] = av->v[i];
		flat->total_bytes += av->v[i].len;
	}
}

static struct argv_arg *flat_vector(struct argv_arg **v)
{
	if (!*v)
		*v = malloc(LINEAGE_EQL_MAX_ARGS * sizeof(**v));
	return *v;
}

const struct argv *lineage_ancestor_args(struct lineage *l)
{
	unsigned i;

	if (!(l->built & LINEAGE_FLAT_ARGS)) {
		build_ancestors(l);
		l->built |= LINEAGE_FLAT_ARGS;
		memset(&l->anc_args, 0, sizeof(l->anc_args));
		l->anc_args.v = flat_vector(&l->anc_args_v);
		for (i = 0; l->anc_args.v && i < l->nanc; i++)
			flatten(&l->anc_args, l->anc_args_v, &l->anc[i].argv);
	}
	return &l->anc_args;
}

const struct argv *lineage_timeline_args(struct lineage *l)
{
	unsigned i;

	if (!(l->built & LINEAGE_FLAT_TIMELINE)) {
		build_timeline(l);
		l->built |= LINEAGE_FLAT_TIMELINE;
		memset(&l->tl_args, 0, sizeof(l->tl_args));
		l->tl_args.v = flat_vector(&l->tl_args_v);
		for (i = 0; l->tl_args.v && i < l->ntl; i++)
			flatten(&l->tl_args, l->tl_args_v, &l->tl_e[i].argv);
	}
	return &l->tl_args;
}
