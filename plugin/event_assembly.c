/*
 * event_assembly.c - libauparse's feed API regroups records into events;
 * this file turns the events that matter (successful exec and fork) into
 * validated structs and hands them on.
 *
 * In front of auparse sits a prefilter (on by default; ea_set_prefilter):
 * it splits the input into lines itself and keeps from auparse the records
 * that cannot change an exec or fork event, because auparse's per-record
 * parse is most of the cost and most records on a real system belong to
 * events that do not matter. One look at each line's head decides:
 *
 *   SYSCALL  arch= and syscall= read cheaply; not exec/fork: dropped, and its
 *            event id remembered as dropped; exec/fork: passed, id kept.
 *            Unsure (quoted, duplicated or unparsable values, a line over
 *            the cap): passed.
 *   records handle_event never reads and that never end an event in
 *            auparse (PATH, BPRM_FCAPS, SOCKADDR, LOGIN, CONFIG_CHANGE, ...):
 *            dropped, whatever their event: they change nothing.
 *   user-space records (USER_*, CRED_*, DAEMON_*, ...; their own serial):
 *            dropped unless their id is kept.
 *   any other record (EXECVE, CWD, PROCTITLE, EOE, unknown types, garbage):
 *            dropped if its id is a dropped one, otherwise passed (and the
 *            id kept: a record may come before its SYSCALL).
 *   a SYSCALL whose id is already known follows that id.
 *   the first record of each new second of log time: passed, id kept (so
 *            that auparse's timeouts by log time fire as without the
 *            prefilter).
 *
 * The id sets are small rings of the most recent ids (records of one event
 * arrive together; a few events interleave): an id that fell out is
 * unknown, and unknown means passed. Lines longer than EA_LINE_CAP are
 * decided from their first EA_LINE_CAP bytes (a SYSCALL is then passed) and
 * the rest is streamed through or skipped, so memory stays bounded for any
 * input; they are counted in stats.long_lines. Decisions never depend on
 * how the input was chunked.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <auparse.h>
#include <libaudit.h>

#include "event_assembly.h"

/* The head of a line the prefilter looks at; longer lines are decided on
 * this much (kernel records are at most ~9 KB, plus ENRICHED text). */
#define EA_LINE_CAP (16 * 1024)
/* Recent event ids remembered, per set. */
#define EA_IDS 64
#define EA_TYPE_CACHE 32

enum rec_class {
	REC_UNKNOWN = 0,  /* unknown type name: passed */
	REC_SYSCALL,
	REC_READ,         /* read by handle_event: EXECVE, CWD */
	REC_END,          /* ends an event in auparse: PROCTITLE, EOE, ... */
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
	bool on;
	enum line_mode mode;      /* for the rest of an over-long line */
	char *head;               /* EA_LINE_CAP bytes: a line cut by a chunk */
	size_t head_len;
	uint64_t kept[EA_IDS], dropped[EA_IDS];
	unsigned kept_pos, dropped_pos;
	struct type_cache_ent types[EA_TYPE_CACHE];
	unsigned ntypes;
	unsigned long long last_sec;  /* second of the previous record */
};

struct event_assembly {
	auparse_state_t *au;
	struct prefilter pf;
	struct ea_handlers h;
	struct argv_builder argv;
	struct exec_event ev;   /* reused; large path buffers live here */
	struct ea_stats stats;
};

/* Strict unsigned decimal/hex parse of a whole token. */
static bool parse_ul(const char *s, int base, unsigned long *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	*out = strtoul(s, &end, base);
	return errno == 0 && *end == '\0';
}

static bool parse_l(const char *s, long *out)
{
	char *end;

	if (!s || !*s || *s == ' ')
		return false;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static bool parse_pid(const char *s, pid_t *out)
{
	unsigned long v;

	if (!parse_ul(s, 10, &v) || v > INT_MAX)
		return false;
	*out = (pid_t)v;
	return true;
}

static uint32_t parse_id(const char *s)
{
	unsigned long v;

	if (!parse_ul(s, 10, &v) || v > UINT32_MAX)
		return EXEC_ID_UNSET;
	return (uint32_t)v;
}

/* Decode an audit-encoded string field into a bounded buffer; "(null)"
 * (what the kernel writes for a missing value) becomes "". */
static void decode_field(const char *raw, char *out, size_t cap,
			 unsigned *truncated, unsigned bit)
{
	size_t n;
	bool cut = false;

	if (!raw || strcmp(raw, "(null)") == 0) {
		out[0] = '\0';
		return;
	}
	audit_value_decode(raw, strlen(raw), out, cap, &n, &cut);
	if (cut)
		*truncated |= bit;
}

/* Copy a field that the kernel writes unencoded (tty). */
static void copy_field(const char *raw, char *out, size_t cap,
		       unsigned *truncated, unsigned bit)
{
	size_t n = raw ? strlen(raw) : 0;

	if (n >= cap) {
		n = cap - 1;
		*truncated |= bit;
	}
	if (n)
		memcpy(out, raw, n);
	out[n] = '\0';
}

struct syscall_fields {
	unsigned long arch;
	long nr;
	bool have_arch, have_nr, success, have_pid;
	long exit_val;
	bool have_exit;
};

/*
 * Scalars are never quoted by the kernel, but some tools that write audit
 * text do (laurel's test data has success="yes"); accept one pair of
 * quotes around a short scalar rather than lose the event.
 */
static const char *scalar(const char *val, char *tmp, size_t cap)
{
	size_t n;

	if (val[0] != '"')
		return val;
	n = strlen(val);
	if (n < 2 || n - 2 >= cap || val[n - 1] != '"')
		return val;
	memcpy(tmp, val + 1, n - 2);
	tmp[n - 2] = '\0';
	return tmp;
}

/* One pass over the SYSCALL record's fields. */
static void read_syscall(auparse_state_t *au, struct exec_event *ev,
			 struct syscall_fields *sf)
{
	const char *name, *val;
	char tmp[32];

	memset(sf, 0, sizeof(*sf));
	ev->pid = -1;
	ev->ppid = -1;
	ev->uid = ev->auid = ev->ses = EXEC_ID_UNSET;
	ev->tty[0] = ev->comm[0] = ev->exe[0] = ev->key[0] = '\0';
	ev->truncated = 0;

	if (auparse_first_field(au) <= 0)
		return;
	do {
		name = auparse_get_field_name(au);
		val = auparse_get_field_str(au);
		if (!name || !val)
			continue;
		if (name[0] != 'c' && name[0] != 'e' && name[0] != 'k')
			val = scalar(val, tmp, sizeof(tmp));
		switch (name[0]) {
		case 'a':
			if (strcmp(name, "arch") == 0)
				sf->have_arch = parse_ul(val, 16, &sf->arch);
			else if (strcmp(name, "auid") == 0)
				ev->auid = parse_id(val);
			break;
		case 'c':
			if (strcmp(name, "comm") == 0)
				decode_field(val, ev->comm, sizeof(ev->comm),
					     &ev->truncated, EXEC_TRUNC_COMM);
			break;
		case 'e':
			if (strcmp(name, "exe") == 0)
				decode_field(val, ev->exe, sizeof(ev->exe),
					     &ev->truncated, EXEC_TRUNC_EXE);
			else if (strcmp(name, "exit") == 0)
				sf->have_exit = parse_l(scalar(val, tmp,
							       sizeof(tmp)),
							&sf->exit_val);
			break;
		case 'k':
			if (strcmp(name, "key") == 0)
				decode_field(val, ev->key, sizeof(ev->key),
					     &ev->truncated, EXEC_TRUNC_KEY);
			break;
		case 'p':
			if (strcmp(name, "pid") == 0)
				sf->have_pid = parse_pid(val, &ev->pid);
			else if (strcmp(name, "ppid") == 0 &&
				 !parse_pid(val, &ev->ppid))
				ev->ppid = -1;
			break;
		case 's':
			if (strcmp(name, "syscall") == 0)
				sf->have_nr = parse_l(val, &sf->nr);
			else if (strcmp(name, "success") == 0)
				sf->success = strcmp(val, "yes") == 0;
			else if (strcmp(name, "ses") == 0)
				ev->ses = parse_id(val);
			break;
		case 't':
			if (strcmp(name, "tty") == 0)
				copy_field(val, ev->tty, sizeof(ev->tty),
					   &ev->truncated, EXEC_TRUNC_TTY);
			break;
		case 'u':
			if (strcmp(name, "uid") == 0)
				ev->uid = parse_id(val);
			break;
		default:
			break;
		}
	} while (auparse_next_field(au) > 0);
}

static void read_execve(auparse_state_t *au, struct argv_builder *b)
{
	const char *name, *val;

	if (auparse_first_field(au) <= 0)
		return;
	do {
		name = auparse_get_field_name(au);
		val = auparse_get_field_str(au);
		if (name && val && name[0] == 'a')
			argv_builder_field(b, name, val);
	} while (auparse_next_field(au) > 0);
}

static void read_cwd(auparse_state_t *au, struct exec_event *ev)
{
	const char *val;

	if (auparse_first_field(au) <= 0)
		return;
	do {
		const char *name = auparse_get_field_name(au);

		if (name && strcmp(name, "cwd") == 0) {
			val = auparse_get_field_str(au);
			decode_field(val, ev->cwd, sizeof(ev->cwd),
				     &ev->truncated, EXEC_TRUNC_CWD);
			return;
		}
	} while (auparse_next_field(au) > 0);
}

static void set_identity(auparse_state_t *au, struct exec_event *ev)
{
	const au_event_t *ts = auparse_get_timestamp(au);
	unsigned trunc = 0;

	ev->sec = ts ? ts->sec : 0;
	ev->msec = ts ? ts->milli : 0;
	ev->serial = ts ? ts->serial : 0;
	copy_field(ts ? ts->host : NULL, ev->node, sizeof(ev->node), &trunc,
		   EXEC_TRUNC_NODE);
	ev->truncated |= trunc;
}

static void handle_fork(struct event_assembly *ea,
			const struct exec_event *ev,
			const struct syscall_fields *sf)
{
	struct fork_event fe;

	/* exit is the child's pid; a thread id from clone(CLONE_THREAD)
	 * looks the same and costs one harmless table entry. */
	if (!sf->success || !sf->have_exit || sf->exit_val <= 0 ||
	    sf->exit_val > INT_MAX || !sf->have_pid) {
		if (!sf->success)
			ea->stats.failed++;
		return;
	}
	fe.sec = ev->sec;
	fe.msec = ev->msec;
	fe.serial = ev->serial;
	fe.node = ev->node; /* set_identity filled it, as for an exec */
	fe.parent = ev->pid;
	fe.child = (pid_t)sf->exit_val;
	ea->stats.forks++;
	if (ea->h.on_fork)
		ea->h.on_fork(&fe, ea->h.ctx);
}

static void handle_event(auparse_state_t *au, auparse_cb_event_t type,
			 void *data)
{
	struct event_assembly *ea = data;
	struct exec_event *ev = &ea->ev;
	struct syscall_fields sf;
	unsigned i, n;
	int syscall_rec = -1;
	bool have_execve = false;
	enum syscall_kind kind;

	if (type != AUPARSE_CB_EVENT_READY)
		return;
	ea->stats.events++;

	/* Physical record numbers, as audisp-example does: searching around
	 * the event cannot then make us skip a record. */
	n = auparse_get_num_records(au);
	ea->stats.records += n;
	for (i = 0; i < n; i++) {
		if (auparse_goto_record_num(au, i) <= 0)
			break;
		if (auparse_get_type(au) == AUDIT_SYSCALL) {
			syscall_rec = (int)i;
			break;
		}
	}
	if (syscall_rec < 0)
		return;

	read_syscall(au, ev, &sf);
	if (!sf.have_arch || !sf.have_nr) {
		ea->stats.malformed++;
		return;
	}
	kind = exec_event_classify(sf.arch, sf.nr);
	if (kind == SYSCALL_OTHER)
		return;
	if (kind == SYSCALL_FORK) {
		set_identity(au, ev);
		handle_fork(ea, ev, &sf);
		return;
	}
	if (!sf.success) {
		ea->stats.failed++;
		return;
	}
	if (!sf.have_pid) {
		ea->stats.malformed++;
		return;
	}

	set_identity(au, ev);
	ev->cwd[0] = '\0';
	argv_builder_reset(&ea->argv);
	for (i = 0; i < n; i++) {
		if (auparse_goto_record_num(au, i) <= 0)
			break;
		switch (auparse_get_type(au)) {
		case AUDIT_EXECVE:
			have_execve = true;
			read_execve(au, &ea->argv);
			break;
		case AUDIT_CWD:
			read_cwd(au, ev);
			break;
		default:
			break;
		}
	}
	ev->argv = argv_builder_finish(&ea->argv);
	if (!have_execve) {
		/* The kernel writes EXECVE for every successful exec; its
		 * absence means lost or filtered records. Keep the exec (the
		 * image did change) with an empty, flagged argv. */
		ea->argv.result.flags |= ARGV_NO_EXECVE;
		ea->stats.no_execve++;
	}
	exec_event_set_name(ev);
	if (ev->argv->flags & ARGV_TRUNCATED || ev->truncated)
		ea->stats.truncated++;
	ea->stats.execs++;
	if (ea->h.on_exec)
		ea->h.on_exec(ev, ea->h.ctx);
}

/* ---- prefilter ------------------------------------------------------- */

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

	for (i = 1; i <= EA_IDS; i++)
		if (ring[(pos - i) % EA_IDS] == h)
			return true;
	return false;
}

static void id_add(uint64_t *ring, unsigned *pos, uint64_t h)
{
	if (ring[(*pos - 1) % EA_IDS] == h)
		return;
	ring[*pos % EA_IDS] = h;
	*pos = (*pos + 1) % EA_IDS;
}

static enum rec_class class_of_number(int t)
{
	if (t == AUDIT_SYSCALL)
		return REC_SYSCALL;
	if (t == AUDIT_EXECVE || t == AUDIT_CWD)
		return REC_READ;
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
	/* "UNKNOWN[1334]" and names this libaudit does not know: passed */
	cls = strchr(tmp, '[') ? REC_UNKNOWN :
	      class_of_number(audit_name_to_msg_type(tmp));
	if (pf->ntypes < EA_TYPE_CACHE) {
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
 * newline when `whole`). True: give it to auparse.
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
	 * passing every record whose second differs from the previous
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

static int feed_au(struct event_assembly *ea, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	return auparse_feed(ea->au, s, n) < 0 ? -1 : 0;
}

static void pf_count(struct event_assembly *ea, bool pass, size_t n)
{
	if (!pass) {
		ea->stats.skipped_records++;
		ea->stats.skipped_bytes += n;
	}
}

/* Split into lines, decide each, feed auparse runs of passed lines. */
static int pf_feed(struct event_assembly *ea, const char *buf, size_t len)
{
	struct prefilter *pf = &ea->pf;
	const char *p = buf, *end = buf + len, *nl, *run = NULL;
	size_t n, take;
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
				if (run && feed_au(ea, run,
						   (size_t)(p - run)) < 0)
					rc = -1;
				run = NULL;
				ea->stats.skipped_bytes += n;
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
			take = EA_LINE_CAP - pf->head_len;
			if (n < take)
				take = n;
			memcpy(pf->head + pf->head_len, p, take);
			pf->head_len += take;
			p += take;
			if (nl && p == nl) {
				pass = pf_decide(pf, pf->head, pf->head_len,
						 true);
				pf_count(ea, pass, pf->head_len + 1);
				if (pass && (feed_au(ea, pf->head,
						     pf->head_len) < 0 ||
					     feed_au(ea, "\n", 1) < 0))
					rc = -1;
				pf->head_len = 0;
				p++;
			} else if (pf->head_len == EA_LINE_CAP) {
				pass = pf_decide(pf, pf->head, pf->head_len,
						 false);
				ea->stats.long_lines++;
				pf_count(ea, pass, pf->head_len);
				if (pass && feed_au(ea, pf->head,
						    pf->head_len) < 0)
					rc = -1;
				pf->head_len = 0;
				pf->mode = pass ? LINE_PASS : LINE_DROP;
			}
			continue;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		if (n >= EA_LINE_CAP) {
			pass = pf_decide(pf, p, EA_LINE_CAP, false);
			ea->stats.long_lines++;
			pf_count(ea, pass, EA_LINE_CAP);
			if (pass) {
				if (!run)
					run = p;
			} else {
				if (run && feed_au(ea, run,
						   (size_t)(p - run)) < 0)
					rc = -1;
				run = NULL;
			}
			p += EA_LINE_CAP;
			pf->mode = pass ? LINE_PASS : LINE_DROP;
			continue;
		}
		if (!nl) {
			/* the start of a line that ends in a later chunk */
			if (run && feed_au(ea, run, (size_t)(p - run)) < 0)
				rc = -1;
			run = NULL;
			memcpy(pf->head, p, n);
			pf->head_len = n;
			p = end;
			break;
		}
		pass = pf_decide(pf, p, n, true);
		if (pass) {
			if (!run)
				run = p;
		} else {
			pf_count(ea, false, n + 1);
			if (run && feed_au(ea, run, (size_t)(p - run)) < 0)
				rc = -1;
			run = NULL;
		}
		p = nl + 1;
	}
	if (run && feed_au(ea, run, (size_t)(p - run)) < 0)
		rc = -1;
	return rc;
}

/* End of input: a last line without its newline goes to auparse as it is,
 * as it would without the prefilter. */
static void pf_finish(struct event_assembly *ea)
{
	struct prefilter *pf = &ea->pf;

	if (pf->head_len)
		(void)feed_au(ea, pf->head, pf->head_len);
	pf->head_len = 0;
	pf->mode = LINE_START;
}

struct event_assembly *ea_new(const struct ea_handlers *h,
			      const struct argv_limits *limits,
			      unsigned eoe_timeout)
{
	struct event_assembly *ea = calloc(1, sizeof(*ea));

	if (!ea)
		return NULL;
	ea->h = *h;
	ea->pf.on = true;
	ea->pf.head = malloc(EA_LINE_CAP);
	if (!ea->pf.head) {
		free(ea);
		return NULL;
	}
	argv_builder_init(&ea->argv, limits);
	ea->au = auparse_init(AUSOURCE_FEED, NULL);
	if (!ea->au) {
		argv_builder_free(&ea->argv);
		free(ea->pf.head);
		free(ea);
		return NULL;
	}
	/* After init: auparse_init loads auditd.conf's value and would
	 * override an earlier setting. */
	auparse_set_eoe_timeout(eoe_timeout ? eoe_timeout : 2);
	auparse_add_callback(ea->au, handle_event, ea, NULL);
	return ea;
}

void ea_free(struct event_assembly *ea)
{
	if (!ea)
		return;
	auparse_destroy(ea->au);
	argv_builder_free(&ea->argv);
	free(ea->pf.head);
	free(ea);
}

int ea_feed(struct event_assembly *ea, const char *buf, size_t len)
{
	int rc;

	ea->stats.bytes += len;
	rc = ea->pf.on ? pf_feed(ea, buf, len) : feed_au(ea, buf, len);
	if (rc < 0)
		ea->stats.feed_errors++;
	return rc;
}

void ea_set_prefilter(struct event_assembly *ea, bool on)
{
	ea->pf.on = on;
}

void ea_age(struct event_assembly *ea)
{
	auparse_feed_age_events(ea->au);
}

void ea_flush(struct event_assembly *ea)
{
	pf_finish(ea);
	auparse_flush_feed(ea->au);
}

int ea_has_data(struct event_assembly *ea)
{
	return auparse_feed_has_data(ea->au);
}

void ea_stats(const struct event_assembly *ea, struct ea_stats *out)
{
	*out = ea->stats;
}
