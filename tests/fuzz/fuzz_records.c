/*
 * fuzz_records.c - arbitrary bytes through the whole review pipeline:
 * event assembly (libauparse feed) -> exec/fork/login events -> node ids,
 * the process table keyed by (node, pid), the session table, the session
 * timeline and each exec's lineage (ancestors, previous image, entity ids) ->
 * rule -> alert in both formats, checking every guarantee the headers make
 * on the way. The rule is the published v2 query compiled by the EQL engine
 * (eql.h) on the event as plugin/runtime.c fills it, and its verdict must equal
 * tests/v2_reference.c's hand-written one.
 *
 * Input layout: the first 4 bytes are a header, the rest is log text.
 *   byte 0: chunking seed (with byte 1); 0 feeds everything at once
 *   byte 2: bit 0-1 argv limit set (default / small / tiny), bit 2 call
 *           ea_age between chunks, bit 3 feed the text twice (buffer
 *           reuse), bit 4 the default-sized process table (else a 64-entry
 *           one, which also exercises eviction and is much cheaper to set
 *           up per input), bit 5 the smallest timeline (16 sessions of 3
 *           execs of 192 bytes: eviction and cuts; else 16 of 8 of 256),
 *           bit 6 ancestry depth 32 with 64 argv bytes (else 8 and 512)
 *   byte 3: max_len for the bounded alert = byte * 17 (0 stays 0: no limit
 *           for that format too; values under ALERT_MIN_LEN are raised)
 * Chunk sizes come from a xorshift generator seeded with bytes 0-1, so a
 * corpus made of real logs keeps its text intact and libFuzzer still
 * controls the chunking through the header.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "ecs_event.h"
#include "event_assembly.h"
#include "lineage.h"
#include "node_ids.h"
#include "proc_table.h"
#include "session.h"
#include "eql.h"
#include "rule.h"
#include "strbuf.h"
#include "timeline.h"
#include "v2_reference.h"
#include "../json_check.h"

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",   \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

struct ctx {
	struct proc_table *procs;
	struct timeline *tl;
	struct timeline_limits tlim;
	struct lineage_settings lset;
	struct node_ids *nodes;
	struct session_table *sessions;
	uint64_t logins;
	struct strbuf out;
	size_t max_len;
	const struct argv_limits *alim;
	uint64_t execs, alerts;
};

static struct eql_query *v2;
static struct ecs_scratch scratch;
static struct lineage lin;

static void check_argv(const struct argv *a, const struct argv_limits *lim)
{
	size_t total = 0;

	CHECK(a != NULL);
	CHECK(a->argc == 0 || a->v != NULL);
	if (lim)
		CHECK(a->argc <= lim->max_args);
	for (uint32_t i = 0; i < a->argc; i++) {
		CHECK(a->v[i].ptr != NULL);
		CHECK(a->v[i].len <= ARGV_MAX_ARG_BYTES);
		CHECK(a->v[i].ptr[a->v[i].len] == '\0');
		CHECK(memchr(a->v[i].ptr, '\0', a->v[i].len) == NULL);
		total += a->v[i].len;
	}
	CHECK(total == a->total_bytes);
	if (lim)
		CHECK(total <= lim->max_total_bytes);
}

#define CHECK_CSTR(arr) CHECK(memchr((arr), '\0', sizeof(arr)) != NULL)

static void check_event(const struct exec_event *ev,
			const struct argv_limits *lim)
{
	CHECK_CSTR(ev->node);
	CHECK_CSTR(ev->tty);
	CHECK_CSTR(ev->comm);
	CHECK_CSTR(ev->exe);
	CHECK_CSTR(ev->cwd);
	CHECK_CSTR(ev->key);
	CHECK(ev->name != NULL);
	CHECK(strlen(ev->name) == ev->name_len);
	check_argv(ev->argv, lim);
}

/* What lineage.h promises of a built lineage. */
static void check_lineage(struct ctx *c, const struct exec_event *ev,
			  const struct proc_entry *parent)
{
	const struct lineage_image *a;
	const struct timeline_entry *e;
	enum lineage_timeline_state st;
	unsigned n, i, k;

	CHECK(lineage_self_id(&lin)[0] != '\0');
	CHECK(strlen(lineage_self_id(&lin)) < LINEAGE_ID_MAX);
	n = lineage_ancestors(&lin, &a);
	CHECK(n <= c->lset.depth);
	CHECK(parent || n == 0);
	for (i = 0; i < n; i++) {
		/* no loop: every pid once, none the exec's or the parent's */
		CHECK(a[i].pid != ev->pid && a[i].pid != parent->pid);
		for (k = 0; k < i; k++)
			CHECK(a[k].pid != a[i].pid);
		CHECK(a[i].pid == (i ? a[i - 1].ppid : parent->ppid));
		check_argv(&a[i].argv, NULL);
	}
	CHECK(lineage_ancestry(&lin)->argc <= n + 2);
	n = lineage_timeline(&lin, &e, &st);
	CHECK(n <= c->lset.timeline);
	CHECK(st != LINEAGE_TIMELINE_NO_SESSION || ev->ses == EXEC_ID_UNSET);
	CHECK(n == 0 || ev->ses != EXEC_ID_UNSET);
	for (i = 0; i < n; i++) {
		size_t bytes = 0;

		for (k = 0; k < e[i].argv.argc; k++)
			bytes += e[i].argv.v[k].len + 1;
		CHECK(bytes <= c->tlim.argv_bytes);
	}
	CHECK(lineage_ancestor_args(&lin)->argc <= LINEAGE_EQL_MAX_ARGS);
	CHECK(lineage_timeline_args(&lin)->argc <= LINEAGE_EQL_MAX_ARGS);
}

static void check_alert(struct ctx *c, const struct alert *a,
			enum alert_format fmt, size_t max_len)
{
	size_t len = alert_format(&c->out, a, fmt, max_len);
	const char *s = c->out.buf;

	CHECK(len == c->out.len);
	CHECK(len > 0 && s != NULL);
	CHECK(s[len] == '\0');
	if (max_len)
		CHECK(len <= (max_len > ALERT_MIN_LEN ? max_len : ALERT_MIN_LEN));
	CHECK(memchr(s, '\n', len) == NULL);
	CHECK(memchr(s, '\r', len) == NULL);
	CHECK(memchr(s, '\0', len) == NULL);
	if (fmt == ALERT_FORMAT_TEXT) {
		/* pure printable ASCII: no terminal escapes, no control bytes */
		for (size_t i = 0; i < len; i++)
			CHECK((unsigned char)s[i] >= 0x20 &&
			      (unsigned char)s[i] <= 0x7e);
	} else {
		CHECK(s[0] == '{');
		if (!json_valid(s, len)) {
			fprintf(stderr, "invalid JSON (%zu bytes, max_len %zu): %.*s\n",
				len, max_len, (int)(len > 4000 ? 4000 : len), s);
			abort();
		}
	}
}

static void on_exec(const struct exec_event *ev, void *arg)
{
	struct ctx *c = arg;
	struct proc_entry parent;
	bool have_parent = false;
	struct rule_input in;
	struct session_view sv;
	uint32_t node;
	bool hit;

	c->execs++;
	check_event(ev, c->alim);
	node = node_ids_get(c->nodes, ev->node);
	CHECK((node == NODE_ID_NONE) == (ev->node[0] == '\0'));
	CHECK(node <= NODE_ID_OVERFLOW);
	CHECK(node_ids_get(c->nodes, ev->node) == node);
	if (ev->ppid > 0)
		have_parent = proc_table_lookup(c->procs, node, ev->ppid,
						&parent);
	if (have_parent) {
		CHECK(parent.pid == ev->ppid);
		CHECK(parent.node == node);
		CHECK(parent.exe && parent.name);
		check_argv(&parent.argv, NULL);
	}
	session_exec(c->sessions, node, ev, &sv);
	CHECK(sv.type <= ENTRY_UNKNOWN);
	if (sv.type == ENTRY_NONE || sv.type == ENTRY_INIT)
		CHECK(sv.pid == 0 && sv.exe == NULL && !sv.have_exec);
	if (sv.type == ENTRY_INIT)
		CHECK(ev->ses == EXEC_ID_UNSET);
	if (sv.exe) {
		CHECK(strlen(sv.exe) < SESSION_EXE_MAX);
		CHECK(sv.name && sv.name[0]);
	}
	if (sv.type != ENTRY_NONE && sv.type != ENTRY_INIT)
		CHECK(sv.source_ip && sv.euid_name);
	in.name = ev->name;
	in.name_len = ev->name_len;
	in.args = ev->argv;
	in.parent_args = have_parent ? &parent.argv : NULL;
	hit = rule_kernel_seeking_v2(&in);
	lineage_begin(&lin, c->procs, c->tl, node, &c->lset, ev,
		      have_parent ? &parent : NULL, "fuzzhost");
	{
		struct ecs_source src = {
			ev, have_parent ? &parent : NULL, "fuzzhost", &sv, NULL, &lin
		};
		struct eql_event e;

		/* NULL uses: every field, command lines included */
		ecs_describe(&src, NULL, &scratch, &e);
		if (eql_eval(v2, &e) != hit) {
			fprintf(stderr, "v2: eql_eval says %d, v2_reference says %d\n",
				!hit, hit);
			abort();
		}
	}
	c->alerts += hit;

	/* Every exec is formatted, matching or not: the formatter must hold
	 * its guarantees on any event. */
	struct alert a = {
		.rule = &rule_kernel_seeking_v2_meta,
		.ev = ev,
		.parent = have_parent ? &parent : NULL,
		.host = "fuzzhost",
		.session = &sv,
		.lineage = &lin,
	};
	check_lineage(c, ev, have_parent ? &parent : NULL);
	check_alert(c, &a, ALERT_FORMAT_TEXT, c->max_len);
	check_alert(c, &a, ALERT_FORMAT_JSON, c->max_len);
	check_alert(c, &a, ALERT_FORMAT_TEXT, 0);
	check_alert(c, &a, ALERT_FORMAT_JSON, 0);

	timeline_record(c->tl, node, ev);
	proc_table_exec(c->procs, node, ev);
}

static void on_fork(const struct fork_event *fe, void *arg)
{
	struct ctx *c = arg;

	CHECK(fe->child > 0);
	CHECK(fe->node != NULL);
	proc_table_fork(c->procs, node_ids_get(c->nodes, fe->node), fe);
}

/* A login record: what the parse guarantees, then the session table. */
static void on_login(const struct login_event *le, void *arg)
{
	struct ctx *c = arg;
	struct proc_entry pe;
	uint32_t node;
	const char *exe = NULL;

	c->logins++;
	CHECK(le->type >= LOGIN_SET && le->type <= LOGIN_PAM_END);
	CHECK(le->node != NULL);
	CHECK(le->pid > 0);
	CHECK_CSTR(le->tty);
	CHECK_CSTR(le->exe);
	CHECK_CSTR(le->addr);
	CHECK_CSTR(le->terminal);
	if (le->type != LOGIN_SET) {
		CHECK(le->exe[0] == '/');
		CHECK(le->tty[0] == '\0');
	}
	node = node_ids_get(c->nodes, le->node);
	if (proc_table_lookup(c->procs, node, le->pid, &pe))
		exe = pe.exe;
	if (le->type == LOGIN_SET)
		session_login(c->sessions, node, le, exe);
	else
		session_pam(c->sessions, node, le, exe);
}

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static void feed_chunked(struct event_assembly *ea, const char *text,
			 size_t n, uint32_t seed, bool age)
{
	size_t off = 0;

	if (seed == 0) {
		ea_feed(ea, text, n);
		return;
	}
	while (off < n) {
		uint32_t r = xorshift(&seed);
		/* mostly small chunks, sometimes large ones */
		size_t len = (r & 3) == 0 ? (r >> 8) % 4096 + 1 : (r >> 8) % 64 + 1;

		if (len > n - off)
			len = n - off;
		ea_feed(ea, text + off, len);
		off += len;
		if (age && (r & 0x30) == 0)
			ea_age(ea);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct argv_limits small = { 4096, 16 };
	static const struct argv_limits tiny = { 64, 3 };
	/* 64 KiB is proc_table.c's floor for the argv budget (PT_MIN_TOTAL_BYTES:
	 * smaller budgets are raised to it), so the check below is exact. */
	static const struct proc_table_limits plim_small = { 64, 4096, 65536 };
	/* small: a flood of LOGINs evicts */
	static const struct session_limits slim = { 16 };
	static const struct argv_limits deflim = {
		ARGV_DEFAULT_MAX_TOTAL_BYTES, ARGV_DEFAULT_MAX_ARGS };
	const struct argv_limits *alim;
	struct ea_handlers h;
	struct event_assembly *ea;
	struct ctx c;
	uint32_t seed;
	uint8_t flags;

	if (!v2) {
		char err[256];

		v2 = eql_compile(rule_kernel_seeking_v2_query,
				 strlen(rule_kernel_seeking_v2_query), err,
				 sizeof(err));
		if (!v2) {
			fprintf(stderr, "the v2 query does not compile: %s\n", err);
			abort();
		}
		/* live as long as the process, as the compiled query */
		ecs_scratch_init(&scratch);
		lineage_init(&lin);
	}
	if (size < 4)
		return 0;
	seed = (uint32_t)data[0] | (uint32_t)data[1] << 8;
	seed = seed ? seed * 2654435761u : 0;
	flags = data[2];
	memset(&c, 0, sizeof(c));
	c.max_len = (size_t)data[3] * 17;
	switch (flags & 3) {
	case 1: alim = &small; break;
	case 2: alim = &tiny; break;
	default: alim = &deflim; break;
	}
	c.alim = alim;
	c.procs = proc_table_new((flags & 16) ? NULL : &plim_small);
	CHECK(c.procs != NULL);
	c.tlim = (flags & 32) ? (struct timeline_limits){ 16, 3, 192 } :
				(struct timeline_limits){ 16, 8, 256 };
	c.tl = timeline_new(&c.tlim);
	CHECK(c.tl != NULL);
	c.lset = (flags & 64) ? (struct lineage_settings){ 32, c.tlim.size, 64 } :
				(struct lineage_settings){ 8, c.tlim.size, 512 };
	c.nodes = node_ids_new();
	CHECK(c.nodes != NULL);
	c.sessions = session_table_new(&slim);
	CHECK(c.sessions != NULL);
	sb_init(&c.out, 0);
	h.on_exec = on_exec;
	h.on_fork = on_fork;
	h.ctx = &c;
	h.on_login = on_login;
	ea = ea_new(&h, alim == &deflim ? NULL : alim, 2);
	CHECK(ea != NULL);

	feed_chunked(ea, (const char *)data + 4, size - 4, seed, flags & 4);
	if (flags & 8)
		feed_chunked(ea, (const char *)data + 4, size - 4, seed ^ 0x5bd1e995u,
			     flags & 4);
	ea_flush(ea);

	struct ea_stats st;
	ea_stats(ea, &st);
	CHECK(st.execs == c.execs);
	CHECK(st.logins == c.logins);
	struct session_stats ss;
	session_stats(c.sessions, &ss);
	CHECK(ss.entries <= slim.max_entries);
	CHECK(ss.logins + ss.refused + ss.claims + ss.ends + ss.nested +
	      ss.no_session + ss.orphan_ends <= c.logins);
	CHECK(st.bytes == (size - 4) * ((flags & 8) ? 2 : 1));
	struct proc_table_stats ps;
	proc_table_stats(c.procs, &ps);
	CHECK(ps.entries <= ((flags & 16) ? PROC_TABLE_DEFAULT_ENTRIES :
			     plim_small.max_entries));
	CHECK(ps.argv_bytes <= ((flags & 16) ? PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES :
				plim_small.max_total_argv_bytes));

	struct timeline_stats ts;
	timeline_stats(c.tl, &ts);
	CHECK(ts.sessions <= c.tlim.sessions);

	ea_free(ea);
	proc_table_free(c.procs);
	session_table_free(c.sessions);
	timeline_free(c.tl);
	node_ids_free(c.nodes);
	sb_free(&c.out);
	return 0;
}
