/*
 * event_assembly.c - libauparse's feed API regroups records into events;
 * this file turns the events that matter (successful exec and fork) into
 * validated structs and hands them on.
 *
 * In front of auparse sits the prefilter (include/prefilter.h; on by
 * default, ea_set_prefilter): it holds back from auparse the records
 * that cannot change an exec or fork event, since auparse's per-record
 * parse is most of the cost.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <auparse.h>
#include <libaudit.h>

#include "event_assembly.h"
#include "flight.h"
#include "prefilter.h"

/*
 * Events already handed on, to hand on each only once. The same event can
 * come twice: a log reviewed with an overlapping copy (ausearch --raw
 * output beside audit.log), records replayed by hand, audisp-remote
 * sending again what it is not sure arrived. Two generations of an open
 * hash set of event ids: the newer fills up to EA_SEEN ids, then replaces
 * the older, so the last EA_SEEN to 2 * EA_SEEN events are remembered in
 * fixed memory with no deletions.
 */
#define EA_SEEN 4096u
#define EA_SEEN_SLOTS (2 * EA_SEEN) /* half full at most: short probes */

struct seen {
	uint64_t gen[2][EA_SEEN_SLOTS];
	unsigned cur, count;
};

/*
 * Events in flight (include/flight.h): at most EA_FLIGHT_EVENTS. Each
 * event costs every record auparse reads about 10 ns (its scans); real
 * streams hold a few (a record of each node at a collector), since the
 * kernel ends every event with EOE. Once EA_RECYCLE_AT events have waited
 * at once, auparse's array stays that long (it never shrinks) and each
 * record pays for all of it: when it holds nothing again it is replaced
 * by a new one.
 */
#ifndef EA_FLIGHT_EVENTS
#define EA_FLIGHT_EVENTS 128u
#endif
#define EA_RECYCLE_AT 64u

struct event_assembly {
	auparse_state_t *au;
	unsigned eoe_timeout;
	struct seen seen;
	struct prefilter *pf;
	struct flight *flight;
	uint32_t held_peak;       /* most events held after a feed */
	unsigned needs;           /* enum exec_needs */
	struct ea_handlers h;
	struct argv_builder argv;
	struct exec_event ev;   /* reused; large path buffers live here */
	struct login_event login;
	struct ea_stats stats;
};

/*
 * SYSCALL fields that read_syscall never reads, and ENRICHED names that
 * read_names never reads: the prefilter cuts them before auparse splits,
 * copies and stores them (prefilter_options); so too the saved and fs ids
 * and the names when no consumer needs them (ea_set_needs). A field or name
 * read below must not be in unread[] (test_event_assembly's equivalence
 * tests hash every field of the event to catch that).
 */
#define UNREAD "a0", "a1", "a2", "a3", "items"
#define SAVED_IDS "suid", "fsuid", "sgid", "fsgid"
static const char *const unread[] = { UNREAD, NULL };
static const char *const unread_saved[] = { UNREAD, SAVED_IDS, NULL };
static const char *const unread_names[] = {
	"ARCH", "SYSCALL", "SUID", "FSUID", "SGID", "FSGID", NULL,
};

/* Strict unsigned decimal/hex parse of a whole token. */
static bool parse_ul(const char *s, int base, unsigned long *out)
{
	unsigned long v = 0;
	const char *p;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	/* Plain digits, short enough not to overflow: what the kernel
	 * writes, without strtoul's locale machinery. Anything else goes to
	 * strtoul, whose answer is the same for these. */
	for (p = s; *p && p - s < 15; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		v = v * (unsigned long)base + d;
	}
	if (*p == '\0') {
		*out = v;
		return true;
	}
	errno = 0;
	*out = strtoul(s, &end, base);
	return errno == 0 && *end == '\0';
}

static bool parse_l(const char *s, long *out)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s == ' ')
		return false;
	if (*s != '-' && parse_ul(s, 10, &v) && v <= LONG_MAX) {
		*out = (long)v;
		return true;
	}
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/*
 * A whole token of decimal digits, at most `max`. Ten ids and two pids in
 * every SYSCALL record: a loop rather than strtoul, which is a tenth of the
 * cost of an exec event when called for each.
 */
static bool parse_dec(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

static bool parse_pid(const char *s, pid_t *out)
{
	uint64_t v;

	if (!parse_dec(s, INT_MAX, &v))
		return false;
	*out = (pid_t)v;
	return true;
}

static uint32_t parse_id(const char *s)
{
	uint64_t v;

	return parse_dec(s, UINT32_MAX, &v) ? (uint32_t)v : EXEC_ID_UNSET;
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
	ev->uid = ev->euid = ev->suid = ev->fsuid = EXEC_ID_UNSET;
	ev->gid = ev->egid = ev->sgid = ev->fsgid = EXEC_ID_UNSET;
	ev->auid = ev->ses = EXEC_ID_UNSET;
	ev->uid_name[0] = ev->euid_name[0] = ev->gid_name[0] = '\0';
	ev->egid_name[0] = ev->auid_name[0] = '\0';
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
			else if (strcmp(name, "euid") == 0)
				ev->euid = parse_id(scalar(val, tmp,
							   sizeof(tmp)));
			else if (strcmp(name, "egid") == 0)
				ev->egid = parse_id(scalar(val, tmp,
							   sizeof(tmp)));
			break;
		case 'f':
			if (strcmp(name, "fsuid") == 0)
				ev->fsuid = parse_id(val);
			else if (strcmp(name, "fsgid") == 0)
				ev->fsgid = parse_id(val);
			break;
		case 'g':
			if (strcmp(name, "gid") == 0)
				ev->gid = parse_id(val);
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
			else if (strcmp(name, "suid") == 0)
				ev->suid = parse_id(val);
			else if (strcmp(name, "sgid") == 0)
				ev->sgid = parse_id(val);
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

/*
 * The names auditd put after the record (log_format = ENRICHED): `NAME=
 * "value"` or NAME=HEX, separated by single spaces (audit_encode_nv_string
 * writes a value with a space in hex). auditd wrote them from the record's
 * own numeric fields, which the kernel wrote: no text of the audited
 * process is in a SYSCALL record's trailer. auditd's words for ids without
 * a name ("unset", "unknown(N)") leave the name empty.
 */
static char *name_slot(struct exec_event *ev, const char *k, size_t n)
{
	switch (n) {
	case 3:
		if (memcmp(k, "UID", 3) == 0)
			return ev->uid_name;
		if (memcmp(k, "GID", 3) == 0)
			return ev->gid_name;
		break;
	case 4:
		if (memcmp(k, "EUID", 4) == 0)
			return ev->euid_name;
		if (memcmp(k, "EGID", 4) == 0)
			return ev->egid_name;
		if (memcmp(k, "AUID", 4) == 0)
			return ev->auid_name;
		break;
	default:
		break;
	}
	return NULL;
}

static void read_names(const char *t, struct exec_event *ev)
{
	const char *k, *v;
	char *out;
	size_t n;
	bool cut;

	while (t && *t) {
		for (k = t; *t && *t != '=' && *t != ' '; t++)
			;
		if (*t != '=') {
			t += *t == ' ';
			continue;
		}
		out = name_slot(ev, k, (size_t)(t - k));
		for (v = ++t; *t && *t != ' '; t++)
			;
		n = (size_t)(t - v);
		t += *t == ' ';
		if (!out)
			continue;
		if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
			/* quoted: nothing in it needed encoding */
			n -= 2;
			v++;
			if (n >= EXEC_NAME_MAX) {
				ev->truncated |= EXEC_TRUNC_NAME;
				n = EXEC_NAME_MAX - 1;
			}
			memcpy(out, v, n);
			out[n] = '\0';
		} else {
			cut = false;
			audit_value_decode(v, n, out, EXEC_NAME_MAX, &n, &cut);
			if (cut)
				ev->truncated |= EXEC_TRUNC_NAME;
		}
		if (strcmp(out, "unset") == 0 ||
		    strncmp(out, "unknown(", 8) == 0)
			out[0] = '\0';
	}
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

/* The event's identity: node, time and serial. Never 0 (an empty slot). */
static uint64_t event_id(const struct exec_event *ev)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint64_t v[3] = { (uint64_t)ev->sec, ev->msec, ev->serial };
	const unsigned char *b = (const unsigned char *)v;
	size_t i;

	for (i = 0; ev->node[i]; i++)
		h = (h ^ (unsigned char)ev->node[i]) * 0x100000001b3ULL;
	for (i = 0; i < sizeof(v); i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	/* a login record has the serial of the write() that set the
	 * loginuid: told apart from that syscall's event */
	h ^= ev->pid < 0 ? 0x9e3779b97f4a7c15ULL : 0;
	return h ? h : 1;
}

static uint64_t *seen_slot(uint64_t *t, uint64_t id)
{
	size_t i = (size_t)(id % EA_SEEN_SLOTS);

	while (t[i] && t[i] != id)
		i = (i + 1) % EA_SEEN_SLOTS;
	return &t[i];
}

/* True when the event was handed on before; remembers it otherwise. */
static bool seen_before(struct seen *s, const struct exec_event *ev)
{
	uint64_t id = event_id(ev), *slot;

	if (*seen_slot(s->gen[1 - s->cur], id) == id)
		return true;
	slot = seen_slot(s->gen[s->cur], id);
	if (*slot == id)
		return true;
	if (s->count == EA_SEEN) {
		/* the older generation goes, the full one becomes it */
		s->cur = 1 - s->cur;
		memset(s->gen[s->cur], 0, sizeof(s->gen[s->cur]));
		s->count = 0;
		slot = seen_slot(s->gen[s->cur], id);
	}
	*slot = id;
	s->count++;
	return false;
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
	if (seen_before(&ea->seen, ev)) {
		ea->stats.duplicates++;
		return;
	}
	fe.sec = ev->sec;
	fe.msec = ev->msec;
	fe.serial = ev->serial;
	fe.node = ev->node; /* set_identity filled it, as for an exec */
	fe.parent = ev->pid;
	fe.child = (pid_t)sf->exit_val;
	fe.caller = ev; /* read_syscall and read_names filled its ids */
	ea->stats.forks++;
	if (ea->h.on_fork)
		ea->h.on_fork(&fe, ea->h.ctx);
}

/*
 * A login record: parsed from its raw text (auparse's field split would
 * take a forged duplicate key or 0x1D for the real one), handed on once.
 * ea->ev carries the identity for the duplicate check, marked pid -1 so
 * that it never equals an exec's.
 */
static void handle_login(struct event_assembly *ea, auparse_state_t *au,
			 enum login_type lt)
{
	const char *text = auparse_get_record_text(au);
	struct login_event *le = &ea->login;
	size_t n = text ? strlen(text) : 0;

	/* what the prefilter holds back, skipped here too: the same login
	 * events with and without it */
	if (text && login_without_session(lt, text, n))
		return;
	if (!text || !login_event_parse(lt, text, n, le)) {
		ea->stats.login_malformed++;
		return;
	}
	set_identity(au, &ea->ev);
	ea->ev.pid = -1;
	if (seen_before(&ea->seen, &ea->ev)) {
		ea->stats.duplicates++;
		return;
	}
	le->sec = ea->ev.sec;
	le->msec = ea->ev.msec;
	le->serial = ea->ev.serial;
	le->node = ea->ev.node;
	ea->stats.logins++;
	ea->h.on_login(le, ea->h.ctx);
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
	{
		const au_event_t *ts = auparse_get_timestamp(au);

		if (ts)
			flight_done(ea->flight, ts->host, (uint64_t)ts->sec,
				    ts->milli, ts->serial);
	}

	/* Physical record numbers, as audisp-example does: searching around
	 * the event cannot then make us skip a record. */
	n = auparse_get_num_records(au);
	ea->stats.records += n;
	for (i = 0; i < n; i++) {
		int t;
		enum login_type lt;

		if (auparse_goto_record_num(au, i) <= 0)
			break;
		t = auparse_get_type(au);
		if (t == AUDIT_SYSCALL) {
			syscall_rec = (int)i;
			break;
		}
		/* A login record is an event of its own, the first record of
		 * it (auparse completes it at once); LOGIN's write() may
		 * follow in the same event, without the prefilter. */
		if (i == 0 && ea->h.on_login && (lt = login_type_of(t)) != 0)
			handle_login(ea, au, lt);
	}
	if (syscall_rec < 0)
		return;

	read_syscall(au, ev, &sf);
	if (!(ea->needs & EXEC_NEEDS_SAVED_IDS))
		/* as when the prefilter cut them: the same either way */
		ev->suid = ev->fsuid = ev->sgid = ev->fsgid = EXEC_ID_UNSET;
	if (!sf.have_arch || !sf.have_nr) {
		ea->stats.malformed++;
		return;
	}
	kind = exec_event_classify(sf.arch, sf.nr);
	if (kind == SYSCALL_OTHER)
		return;
	if (kind == SYSCALL_FORK) {
		set_identity(au, ev);
		/* still at the SYSCALL record: the caller's names, when the
		 * alerts or rules read names at all */
		if (ea->needs & EXEC_NEEDS_NAMES)
			read_names(auparse_get_record_interpretations(au), ev);
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
	if (seen_before(&ea->seen, ev)) {
		ea->stats.duplicates++;
		return;
	}
	/* still at the SYSCALL record */
	if (ea->needs & EXEC_NEEDS_NAMES)
		read_names(auparse_get_record_interpretations(au), ev);
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

/* The prefilter's emit: records to auparse. */
static int feed_au(const char *s, size_t n, void *ctx)
{
	struct event_assembly *ea = ctx;
	struct flight_stats fs;
	int rc;

	if (n == 0)
		return 0;
	rc = auparse_feed(ea->au, s, n) < 0 ? -1 : 0;
	/* what auparse holds once it read them all */
	flight_stats(ea->flight, &fs);
	if (fs.events > ea->held_peak)
		ea->held_peak = fs.events;
	return rc;
}

static auparse_state_t *new_auparse(struct event_assembly *ea)
{
	auparse_state_t *au = auparse_init(AUSOURCE_FEED, NULL);

	if (!au)
		return NULL;
	/* After init: auparse_init loads auditd.conf's value and would
	 * override an earlier setting. */
	auparse_set_eoe_timeout(ea->eoe_timeout);
	auparse_add_callback(au, handle_event, ea, NULL);
	return au;
}

/*
 * After many events waited at once, a new auparse once the old one holds
 * nothing (include/flight.h: its arrays never shrink, and it scans them
 * for every record). Only whole lines are ever fed, so nothing is lost.
 */
static void maybe_recycle(struct event_assembly *ea)
{
	struct flight_stats fs;
	auparse_state_t *au;

	flight_stats(ea->flight, &fs);
	if (fs.waiting || (fs.peak_waiting < EA_RECYCLE_AT &&
			   ea->held_peak < EA_RECYCLE_AT))
		return;
	/* auparse hands on an event it completed only when it reads the
	 * next record: with every event complete, it hands them on now (no
	 * input; the same events, in the same order, only sooner). */
	if (fs.events) {
		(void)auparse_feed(ea->au, "", 0);
		flight_stats(ea->flight, &fs);
		if (fs.events)
			return;
	}
	if (auparse_feed_has_data(ea->au))
		return;
	au = new_auparse(ea);
	if (!au)
		return;
	auparse_destroy(ea->au);
	ea->au = au;
	flight_peak_reset(ea->flight);
	ea->held_peak = 0;
	ea->stats.recycles++;
}

struct event_assembly *ea_new(const struct ea_handlers *h,
			      const struct argv_limits *limits,
			      unsigned eoe_timeout)
{
	struct event_assembly *ea = calloc(1, sizeof(*ea));
	struct argv_limits al = {
		.max_total_bytes = ARGV_DEFAULT_MAX_TOTAL_BYTES,
		.max_args = ARGV_DEFAULT_MAX_ARGS,
	};
	struct flight_limits fl;

	if (!ea)
		return NULL;
	if (limits)
		al = *limits;
	/*
	 * One event may hold what the argv limits can use, written the
	 * costliest way the kernel writes it (hex doubles each byte, each
	 * argument a field of its own, records of 7,500 bytes), with room
	 * for its other records; all events, that and 8 MiB more.
	 */
	fl.max_events = EA_FLIGHT_EVENTS;
	fl.max_event_records = (uint32_t)((2 * (uint64_t)al.max_total_bytes +
					   12 * (uint64_t)al.max_args) / 4096 +
					  64);
	fl.max_event_bytes = 4 * (uint64_t)al.max_total_bytes +
			     120 * (uint64_t)al.max_args +
			     (uint64_t)FLIGHT_RECORD_COST *
			     fl.max_event_records + (1u << 20);
	fl.max_bytes = fl.max_event_bytes + (8u << 20);
	ea->h = *h;
	ea->eoe_timeout = eoe_timeout ? eoe_timeout : 2;
	ea->pf = prefilter_new(feed_au, ea);
	ea->flight = flight_new(&fl);
	if (!ea->pf || !ea->flight) {
		prefilter_free(ea->pf);
		flight_free(ea->flight);
		free(ea);
		return NULL;
	}
	prefilter_set_flight(ea->pf, ea->flight);
	ea_set_needs(ea, EXEC_NEEDS_ALL);
	argv_builder_init(&ea->argv, limits);
	ea->au = new_auparse(ea);
	if (!ea->au) {
		argv_builder_free(&ea->argv);
		prefilter_free(ea->pf);
		flight_free(ea->flight);
		free(ea);
		return NULL;
	}
	return ea;
}

void ea_free(struct event_assembly *ea)
{
	if (!ea)
		return;
	auparse_destroy(ea->au);
	argv_builder_free(&ea->argv);
	prefilter_free(ea->pf);
	flight_free(ea->flight);
	free(ea);
}

int ea_feed(struct event_assembly *ea, const char *buf, size_t len)
{
	int rc;

	ea->stats.bytes += len;
	rc = prefilter_feed(ea->pf, buf, len);
	if (rc < 0)
		ea->stats.feed_errors++;
	maybe_recycle(ea);
	return rc;
}

void ea_set_needs(struct event_assembly *ea, unsigned needs)
{
	ea->needs = needs;
	prefilter_set_options(ea->pf, &(struct prefilter_options){
		.syscall_cut = needs & EXEC_NEEDS_SAVED_IDS ? unread : unread_saved,
		.enriched_cut = unread_names,
		.enriched_all = !(needs & EXEC_NEEDS_NAMES),
		.proctitle = true,
	});
}

void ea_set_prefilter(struct event_assembly *ea, bool on)
{
	prefilter_set_filter(ea->pf, on);
}

void ea_age(struct event_assembly *ea)
{
	auparse_feed_age_events(ea->au);
	maybe_recycle(ea);
}

void ea_flush(struct event_assembly *ea)
{
	(void)prefilter_finish(ea->pf);
	auparse_flush_feed(ea->au);
	/* auparse handed on everything; what the table still has, it lost
	 * track of */
	flight_clear(ea->flight);
}

int ea_has_data(struct event_assembly *ea)
{
	return auparse_feed_has_data(ea->au);
}

void ea_stats(const struct event_assembly *ea, struct ea_stats *out)
{
	struct prefilter_stats ps;
	struct flight_stats fs;

	prefilter_stats(ea->pf, &ps);
	flight_stats(ea->flight, &fs);
	*out = ea->stats;
	out->skipped_records = ps.skipped_records;
	out->skipped_bytes = ps.skipped_bytes;
	out->garbage_lines = ps.garbage_lines;
	out->long_lines = ps.long_lines;
	out->crlf_lines = ps.crlf_lines;
	out->in_flight = fs.events;
	out->cut_events = fs.cut_events;
	out->cut_records = fs.cut_records;
}
