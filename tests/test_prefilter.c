/*
 * test_prefilter.c - the prefilter alone, without auparse: which lines it
 * keeps, record class by record class; what is not an audit record; its
 * id rings at their exact size; the first record of a new second; lines
 * cut by chunks at every offset; lines around and over the cap; the last
 * line at the end of input; emit failures; the events in flight (EOE
 * records written for the events it ends, records dropped); and that no
 * chunking changes what comes out or the counters. (That the exec and
 * fork events stay the same is test_event_assembly.c's.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefilter.h"

#define CAP PREFILTER_LINE_CAP
#define T0 "1790000000.100"

struct buf {
	char *p;
	size_t n, cap;
	unsigned calls;      /* emit calls */
	unsigned fail_call;  /* this emit call returns -1 (0: none) */
};

static void put(struct buf *b, const char *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void putf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void putf(struct buf *b, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(line));
	put(b, line, (size_t)n);
}

static int collect(const char *s, size_t n, void *ctx)
{
	struct buf *o = ctx;

	assert_true(n > 0);
	if (++o->calls == o->fail_call)
		return -1;
	put(o, s, n);
	return 0;
}

/* prefilter_set_options for the runs below (NULL: none); events in flight
 * with these limits (NULL: none). */
static const struct prefilter_options *opts;
static const struct flight_limits *flight_lim;
static struct flight *flight_now;

static struct prefilter *new_pf(struct buf *out)
{
	struct prefilter *pf = prefilter_new(collect, out);

	assert_non_null(pf);
	if (opts)
		prefilter_set_options(pf, opts);
	if (flight_lim) {
		flight_now = flight_new(flight_lim);
		assert_non_null(flight_now);
		prefilter_set_flight(pf, flight_now);
	}
	return pf;
}

static void free_pf(struct prefilter *pf)
{
	prefilter_free(pf);
	flight_free(flight_now);
	flight_now = NULL;
}

/* Feed in[0..len) cut at cuts[0..ncuts) (ascending), then finish. */
static void run_cuts(const char *in, size_t len, const size_t *cuts,
		     size_t ncuts, struct buf *out, struct prefilter_stats *st)
{
	struct prefilter *pf = new_pf(out);
	size_t i, from = 0, to;

	memset(out, 0, sizeof(*out));
	for (i = 0; i <= ncuts; i++) {
		to = i < ncuts ? cuts[i] : len;
		assert_int_equal(prefilter_feed(pf, in + from, to - from), 0);
		from = to;
	}
	assert_int_equal(prefilter_finish(pf), 0);
	prefilter_stats(pf, st);
	free_pf(pf);
}

static void run_chunks(const char *in, size_t len, size_t chunk,
		       struct buf *out, struct prefilter_stats *st)
{
	struct prefilter *pf = new_pf(out);
	size_t off, n;

	memset(out, 0, sizeof(*out));
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		assert_int_equal(prefilter_feed(pf, in + off, n), 0);
	}
	assert_int_equal(prefilter_finish(pf), 0);
	prefilter_stats(pf, st);
	free_pf(pf);
}

static void same_as(const char *what, size_t at, const struct buf *ref,
		    const struct prefilter_stats *rst, struct buf *got,
		    const struct prefilter_stats *gst)
{
	if (got->n != ref->n || memcmp(got->p, ref->p, ref->n) != 0 ||
	    gst->skipped_records != rst->skipped_records ||
	    gst->skipped_bytes != rst->skipped_bytes ||
	    gst->long_lines != rst->long_lines ||
	    gst->garbage_lines != rst->garbage_lines ||
	    gst->crlf_lines != rst->crlf_lines)
		fail_msg("%s %zu: %zu bytes out, %llu/%llu/%llu/%llu skipped records/bytes/long/garbage lines; whole: %zu, %llu/%llu/%llu/%llu",
			 what, at, got->n,
			 (unsigned long long)gst->skipped_records,
			 (unsigned long long)gst->skipped_bytes,
			 (unsigned long long)gst->long_lines,
			 (unsigned long long)gst->garbage_lines, ref->n,
			 (unsigned long long)rst->skipped_records,
			 (unsigned long long)rst->skipped_bytes,
			 (unsigned long long)rst->long_lines,
			 (unsigned long long)rst->garbage_lines);
	free(got->p);
}

/* The stream fed whole, cut in two at every offset, and in chunks of
 * every size up to max_chunk, gives the same output and stats. */
static void chunking_free(const char *in, size_t len, size_t max_chunk)
{
	struct buf ref, got;
	struct prefilter_stats rst, gst;
	size_t cut, c;

	run_cuts(in, len, NULL, 0, &ref, &rst);
	for (cut = 0; cut <= len; cut++) {
		run_cuts(in, len, &cut, 1, &got, &gst);
		same_as("cut at", cut, &ref, &rst, &got, &gst);
	}
	for (c = 1; c <= max_chunk; c++) {
		run_chunks(in, len, c, &got, &gst);
		same_as("chunks of", c, &ref, &rst, &got, &gst);
	}
	free(ref.p);
}

/* ---- decisions -------------------------------------------------------- */

/* A line's fate: removed by the rules (false), kept (true), or removed
 * as not an audit record (G). */
#define G 2

struct rec {
	const char *line;
	int kept;
};

#define SC(id, rest) "type=SYSCALL msg=audit(" T0 ":" id "): " rest \
	" success=yes exit=0 ppid=1 pid=100 auid=0 uid=0 comm=\"x\" exe=\"/x\"\n"
#define REC(type, id, rest) "type=" type " msg=audit(" T0 ":" id "): " rest "\n"

static const struct rec classes[] = {
	/* the first record of the stream is of a new second */
	{ REC("EOE", "1", ""), true },
	/* 2: an openat and the rest of its event */
	{ SC("2", "arch=c000003e syscall=257"), false },
	{ REC("CWD", "2", "cwd=\"/root\""), false },
	{ REC("PATH", "2", "item=0 name=\"/etc/passwd\""), false },
	{ REC("PROCTITLE", "2", "proctitle=636174"), false },
	{ REC("EOE", "2", ""), false },
	/* 3: an execve: all of it but PATH and BPRM_FCAPS (never read) */
	{ SC("3", "arch=c000003e syscall=59"), true },
	{ REC("EXECVE", "3", "argc=1 a0=\"x\""), true },
	{ REC("CWD", "3", "cwd=\"/\""), true },
	/* a CWD with two cwd= fields as libauparse splits them (it loses
	 * all but the last copy): not a record the kernel writes */
	{ REC("CWD", "3", "cwd=\"/a\" cwd=\"/b\""), G },
	{ REC("CWD", "3", "cwd=\"/a\" x=1 msg='cwd=\"/b\"'"), G },
	{ REC("CWD", "3", "cwd=\"/a\"  (cwd=b"), G },
	/* ... but once only: in a value, empty, past 0x1d */
	{ REC("CWD", "3", "cwd=\"/tmp/cwd=x\" xcwd=1 cwd="), true },
	{ REC("CWD", "3", "cwd=\"/a\" \x1d cwd=\"/b\""), true },
	{ REC("PATH", "3", "item=0 name=\"/x\""), false },
	{ REC("BPRM_FCAPS", "3", "fver=0"), false },
	{ REC("PROCTITLE", "3", "proctitle=78"), true },
	{ REC("EOE", "3", ""), true },
	/* user-space records: of a kept id kept, otherwise removed */
	{ REC("USER_CMD", "3", "pid=1 msg='cmd=6C73'"), true },
	{ REC("USER_CMD", "4", "pid=1 msg='cmd=6C73'"), false },
	{ REC("CRED_ACQ", "5", "pid=1 msg='op=PAM'"), false },
	{ REC("DAEMON_START", "6", "op=start"), false },
	/* the login records, which the session table reads: kept; their
	 * ids are not, so LOGIN's write() goes by its syscall= */
	{ REC("LOGIN", "7", "pid=1 old-auid=4294967295 auid=0"), true },
	{ SC("7", "arch=c000003e syscall=1"), false },
	{ REC("PROCTITLE", "7", "proctitle=78"), false },
	{ REC("USER_START", "42", "pid=1 ses=3 msg='op=PAM:session_open'"), true },
	{ REC("USER_END", "43", "pid=1 ses=3 msg='op=PAM:session_close'"), true },
	/* ... but PAM outside any session: a user record like others */
	{ REC("USER_START", "46", "pid=1 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:session_open'"), false },
	{ REC("USER_END", "47", "pid=1 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:session_close'"), false },
	{ REC("USER_LOGIN", "44", "pid=1 msg='op=login'"), false },
	{ REC("USER_ACCT", "45", "pid=1 msg='op=PAM:accounting'"), false },
	/* ... of a dropped id too: an event by itself */
	{ REC("USER_END", "2", "pid=1 ses=3 msg='op=PAM:session_close'"), true },
	{ REC("USER_AVC", "8", "pid=1 msg='avc'"), false },
	{ REC("CONFIG_CHANGE", "9", "op=add_rule"), false },
	/* forks and execs of every kind and architecture */
	{ SC("10", "arch=c000003e syscall=56"), true },   /* clone */
	{ SC("11", "arch=c000003e syscall=435"), true },  /* clone3 */
	{ SC("12", "arch=c000003e syscall=58"), true },   /* vfork */
	{ SC("13", "arch=c000003e syscall=322"), true },  /* execveat */
	{ SC("14", "arch=40000003 syscall=11"), true },   /* i386 execve */
	{ SC("15", "arch=c00000b7 syscall=221"), true },  /* aarch64 execve */
	{ SC("16", "arch=c00000b7 syscall=56"), false },  /* aarch64 openat */
	{ SC("17", "arch=deadbeef syscall=59"), false },  /* no such machine */
	{ SC("18", "arch=C000003E syscall=257"), false }, /* upper case hex */
	/* unsure about arch= or syscall=: kept */
	{ SC("19", "arch=\"c000003e\" syscall=257"), true },
	{ SC("20", "arch=c000003e syscall=\"257\""), true },
	{ SC("21", "arch=c000003e syscall=257 syscall=257"), true },
	{ SC("22", "arch=c000003e arch=c000003e syscall=257"), true },
	{ SC("23", "arch=1c000003e syscall=257"), true },
	{ SC("24", "arch=c000003e syscall=1234567"), true },
	{ SC("25", "arch=c000003e syscall=-1"), true },
	{ SC("26", "arch=c000003x syscall=257"), true },
	{ SC("27", "arch= syscall=257"), true },
	{ SC("28", "arch=c000003e"), true },
	{ SC("29", "syscall=257"), true },
	/* a record before its SYSCALL keeps the id: the SYSCALL follows */
	{ REC("EXECVE", "30", "argc=1 a0=\"y\""), true },
	{ SC("30", "arch=c000003e syscall=257"), true },
	/* a second SYSCALL of a dropped id follows the id */
	{ SC("31", "arch=c000003e syscall=257"), false },
	{ SC("31", "arch=c000003e syscall=59"), false },
	/* ENRICHED: only the raw part is read (the syscall= after 0x1d
	 * would otherwise make it unsure) */
	{ "type=SYSCALL msg=audit(" T0 ":32): arch=c000003e syscall=257 success=yes exit=3 pid=1 comm=\"x\" exe=\"/x\"\x1d" "ARCH=x86_64 SYSCALL=openat syscall=59\n", false },
	/* node= is part of the id */
	{ "node=a type=SYSCALL msg=audit(" T0 ":33): arch=c000003e syscall=257 pid=1\n", false },
	{ "node=b type=EXECVE msg=audit(" T0 ":33): argc=1 a0=\"b\"\n", true },
	{ REC("EXECVE", "33", "argc=1 a0=\"-\""), true },
	{ "node=a type=EXECVE msg=audit(" T0 ":33): argc=1 a0=\"a\"\n", false },
	{ "node=a type=PATH msg=audit(" T0 ":34): item=0\n", false },
	/* unknown types, of a new id kept, of a dropped id removed */
	{ REC("UNKNOWN[1334]", "35", "foo=bar"), true },
	{ REC("NOSUCHTYPE", "36", "foo=bar"), true },
	{ REC("UNKNOWN[1334]", "2", "foo=bar"), false },
	{ REC("NOSUCHTYPE", "31", "foo=bar"), false },
	/* not an audit record: removed, whatever it holds */
	{ "garbage\n", G },
	{ "\n", G },
	{ "#   execve(\"/bin/true\", NULL, NULL);\n", G },
	{ " type=PATH msg=audit(" T0 ":37): x\n", G },
	{ "type=PATH\n", G },
	{ "type=PATH msg=audit\n", G },
	{ "type=PATH msg=audit(" T0 ":38 x\n", G },
	{ "type=PATH msg=audit(" T0 ":12345678901234567890123456789012345678901234567890): x\n", G },
	{ "node=a\n", G },
	{ "node=atype=PATH msg=audit(" T0 ":39): x\n", G },
	{ "type=PATHmsg=audit(" T0 ":40): x\n", G },
	{ "type=" "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH msg=audit(" T0 ":41): x\n", G },
	/* ... nor anything libauparse would read another id from, or no
	 * field at all (it leaks 1,152 bytes for such a line) */
	{ "type= msg=audit(" T0 ":42): \n", G },
	{ "type=eoe msg=audit(" T0 ":42): \n", G },
	{ "type=EOE: msg=audit(" T0 ":42): \n", G },
	{ "type=UNKNOWN[13x4] msg=audit(" T0 ":42): \n", G },
	{ "node= type=EOE msg=audit(" T0 ":42): \n", G },
	{ "node=a\x1d" "b type=EOE msg=audit(" T0 ":42): \n", G },
	{ "type=EOE msg=audit(1.000:1) \n", G },          /* 18 bytes */
	{ "type=EOE msg=audit(0.000:42): \n", G },        /* second 0 */
	{ "type=EOE msg=audit(" T0 "0:42): \n", G },      /* 4 digits of ms */
	{ "type=EOE msg=audit(1790000000:42): \n", G },
	{ "type=EOE msg=audit(1790000000.100.42): \n", G },
	{ "type=EOE msg=audit(1790000000.100:-42): \n", G },
	{ "type=EOE msg=audit(1790000000.100:12345678901234567890): \n", G },
	{ "type=EOE msg=audit(1234567890123456789.100:42): \n", G },
	/* the id past auparse's window: 80 bytes, 340 with node= */
	{ "type=ABCDEFGHIJKLMNOPQRSTUVWXYZABCDE msg=audit(1790000000.100:1234567890123456789): \n", G },
	/* at its edge, and short ids that are still 19 bytes: read */
	{ "type=ABCDEFGHIJKLMNOPQRSTUVWXYZABC msg=audit(1790000000.100:1234567890123456789): x=1\n", true },
	{ "type=EOE msg=audit(1.5:99999):\n", true },
	{ "type=EOE msg=audit(1.5:9):\n", G },            /* 17 bytes */
	{ "node=" "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234 type=EOE msg=audit(" T0 ":43): \n", true },
	{ "node=" "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
	  "01234567890123456789012345678901234567890123456789012345 type=EOE msg=audit(" T0 ":43): \n", G },
	{ "node=ho\x1bst\xff type=EOE msg=audit(" T0 ":44): \n", true },
	/* auditd 2's DAEMON_CONFIG (no colon after the id; a user record) */
	{ "type=DAEMON_CONFIG msg=audit(" T0 ":34) config changed\n", false },
	/* an id of 19 digits is still read (20 above is not) */
	{ "type=PATH msg=audit(" T0 ":1234567890123456789): x\n", false },
};

/* Feed each line on its own and check its fate, then the whole table at
 * every cut and chunk size. */
static void check_table(const struct rec *r, size_t n)
{
	struct buf out, in;
	struct prefilter *pf;
	struct prefilter_stats st;
	size_t i, before, removed = 0, removed_bytes = 0, garbage = 0;

	memset(&out, 0, sizeof(out));
	memset(&in, 0, sizeof(in));
	pf = prefilter_new(collect, &out);
	assert_non_null(pf);
	for (i = 0; i < n; i++) {
		size_t len = strlen(r[i].line);

		before = out.n;
		assert_int_equal(prefilter_feed(pf, r[i].line, len), 0);
		if ((r[i].kept == true) != (out.n != before))
			fail_msg("line %zu %s, should be %s: %s", i,
				 out.n != before ? "kept" : "removed",
				 r[i].kept == true ? "kept" : "removed",
				 r[i].line);
		if (r[i].kept == true)
			assert_memory_equal(out.p + before, r[i].line, len);
		else if (r[i].kept == G)
			garbage++;
		else
			removed++;
		if (r[i].kept != true)
			removed_bytes += len;
		puts_(&in, r[i].line);
	}
	assert_int_equal(prefilter_finish(pf), 0);
	prefilter_stats(pf, &st);
	assert_int_equal(st.skipped_records, removed);
	assert_int_equal(st.garbage_lines, garbage);
	assert_int_equal(st.skipped_bytes, removed_bytes);
	assert_int_equal(st.long_lines, 0);
	prefilter_free(pf);
	free(out.p);
	chunking_free(in.p, in.n, 64);
	free(in.p);
}

static void test_classes(void **state)
{
	(void)state;
	check_table(classes, sizeof(classes) / sizeof(classes[0]));
}

/* The first record of each new second is kept, with its id, whatever it
 * is; a second that goes back counts as new too. */
static void test_new_second(void **state)
{
	static const struct rec r[] = {
		/* an openat, first of its second: kept, its id kept */
		{ "type=SYSCALL msg=audit(1790000000.100:1): arch=c000003e syscall=257 pid=1\n", true },
		{ "type=PATH msg=audit(1790000000.100:1): item=0\n", false },
		{ "type=PROCTITLE msg=audit(1790000000.100:1): proctitle=78\n", true },
		/* the same second: dropped */
		{ "type=SYSCALL msg=audit(1790000000.200:2): arch=c000003e syscall=257 pid=1\n", false },
		/* a PATH, an EOE of a dropped id: kept when first of a second,
		 * forward or back */
		{ "type=PATH msg=audit(1790000001.000:2): item=0\n", true },
		{ "type=EOE msg=audit(1790000000.200:2): \n", true },
		{ "type=EOE msg=audit(1790000001.000:2): \n", true },
		{ "type=PATH msg=audit(1790000001.000:2): item=1\n", false },
		{ "type=USER_CMD msg=audit(1790000001.000:3): pid=1\n", false },
		/* a user record starts second 2: it and its id kept */
		{ "type=USER_CMD msg=audit(1790000002.000:4): pid=1\n", true },
		{ "type=EXECVE msg=audit(1790000002.000:4): argc=1 a0=\"x\"\n", true },
		{ "type=SYSCALL msg=audit(1790000002.000:4): arch=c000003e syscall=257 pid=1\n", true },
		/* what is not a record has no second: it changes nothing */
		{ "type=PATH msg=audit(x): item=0\n", G },
		{ "type=path msg=audit(1790000009.000:5): item=0\n", G },
		{ "type=PATH msg=audit(1790000002.000:5): item=0\n", false },
		{ "type=PATH msg=audit(1790000003.000:5): item=0\n", true },
	};

	(void)state;
	check_table(r, sizeof(r) / sizeof(r[0]));
}

/* ---- id rings ---------------------------------------------------------- */

static void put_sc(struct buf *b, unsigned id, int nr)
{
	putf(b, "type=SYSCALL msg=audit(" T0 ":%u): arch=c000003e syscall=%d success=yes exit=0 ppid=1 pid=%u comm=\"x\" exe=\"/x\"\n",
	     id, nr, id);
}

/* Run b through a fresh prefilter line by line; true when the last line
 * was kept. */
static bool last_kept(const struct buf *b)
{
	struct buf out;
	struct prefilter *pf;
	const char *p = b->p, *last = b->p, *nl;
	size_t before = 0;

	memset(&out, 0, sizeof(out));
	pf = prefilter_new(collect, &out);
	assert_non_null(pf);
	while ((nl = memchr(p, '\n', (size_t)(b->p + b->n - p))) != NULL) {
		before = out.n;
		last = p;
		assert_int_equal(prefilter_feed(pf, p, (size_t)(nl + 1 - p)), 0);
		p = nl + 1;
	}
	prefilter_free(pf);
	free(out.p);
	return out.n != before && (size_t)(p - last) == out.n - before;
}

/* A dropped id is remembered until PREFILTER_IDS newer ids are dropped. */
static void test_dropped_ring(void **state)
{
	struct buf b;
	unsigned k;

	(void)state;
	memset(&b, 0, sizeof(b));
	puts_(&b, "type=EOE msg=audit(" T0 ":1): \n");
	put_sc(&b, 100, 257);
	for (k = 1; k < PREFILTER_IDS; k++)
		put_sc(&b, 100 + k, 257);
	puts_(&b, "type=EXECVE msg=audit(" T0 ":100): argc=1 a0=\"x\"\n");
	assert_false(last_kept(&b));
	b.n -= strlen("type=EXECVE msg=audit(" T0 ":100): argc=1 a0=\"x\"\n");
	put_sc(&b, 100 + PREFILTER_IDS, 257);
	puts_(&b, "type=EXECVE msg=audit(" T0 ":100): argc=1 a0=\"x\"\n");
	assert_true(last_kept(&b));
	free(b.p);
}

/* A kept id is remembered until PREFILTER_IDS newer ids are kept; the
 * records of one event take one place, not one each. */
static void test_kept_ring(void **state)
{
	static const char user[] =
		"type=USER_CMD msg=audit(" T0 ":100): pid=1 msg='cmd=6C73'\n";
	struct buf b;
	unsigned k;

	(void)state;
	memset(&b, 0, sizeof(b));
	puts_(&b, "type=EOE msg=audit(" T0 ":1): \n");           /* id 1 */
	put_sc(&b, 100, 59);                                     /* id 100 */
	puts_(&b, "type=EXECVE msg=audit(" T0 ":100): argc=1 a0=\"x\"\n"
		  "type=CWD msg=audit(" T0 ":100): cwd=\"/\"\n"
		  "type=PROCTITLE msg=audit(" T0 ":100): proctitle=78\n"
		  "type=EOE msg=audit(" T0 ":100): \n");
	for (k = 1; k <= PREFILTER_IDS - 2; k++) {               /* full */
		put_sc(&b, 100 + k, 59);
		putf(&b, "type=EXECVE msg=audit(" T0 ":%u): argc=1 a0=\"x\"\n"
		     "type=EOE msg=audit(" T0 ":%u): \n", 100 + k, 100 + k);
	}
	puts_(&b, user);
	assert_true(last_kept(&b));
	b.n -= strlen(user);
	put_sc(&b, 500, 59);                                     /* 1 out */
	puts_(&b, user);
	assert_true(last_kept(&b));
	b.n -= strlen(user);
	put_sc(&b, 501, 59);                                     /* 100 out */
	puts_(&b, user);
	assert_false(last_kept(&b));
	free(b.p);
}

/* ---- long lines --------------------------------------------------------- */

enum lkind { L_OTHER_SC, L_EXEC_SC, L_PATH, L_EXECVE_DROPPED, L_GARBAGE,
	     L_KINDS };

/* A line of exactly len bytes before its newline. */
static void put_long(struct buf *b, enum lkind k, unsigned id, size_t len)
{
	char head[256];
	size_t hn, i;

	switch (k) {
	case L_OTHER_SC:
	case L_EXEC_SC:
		hn = (size_t)snprintf(head, sizeof(head), "type=SYSCALL msg=audit(" T0 ":%u): arch=c000003e syscall=%d success=yes exit=0 ppid=1 pid=%u comm=\"x\" exe=\"/x\" key=\"",
				      id, k == L_EXEC_SC ? 59 : 257, id);
		break;
	case L_PATH:
		hn = (size_t)snprintf(head, sizeof(head), "type=PATH msg=audit(" T0 ":%u): item=0 name=\"", id);
		break;
	case L_EXECVE_DROPPED:
		/* id 2 is dropped by the stream's first SYSCALL */
		hn = (size_t)snprintf(head, sizeof(head), "type=EXECVE msg=audit(" T0 ":2): argc=1 a0=\"");
		break;
	default:
		hn = (size_t)snprintf(head, sizeof(head), "garbage %u \"", id);
		break;
	}
	assert_true(len > hn + 1);
	put(b, head, hn);
	for (i = hn; i + 1 < len; i++)
		put(b, "A", 1);
	put(b, "\"\n", 2);
}

/* What becomes of a line of each kind by its length: kept (1), removed by
 * the rules (0), as not a record (G), or as too long (-1). */
static int long_fate(enum lkind k, size_t len)
{
	if (len >= CAP)
		return -1;
	switch (k) {
	case L_EXEC_SC:
		return 1;
	case L_GARBAGE:
		return G;
	default:
		return 0;
	}
}

struct long_stream {
	struct buf in, want;        /* the input; what must come out */
	size_t start[32], end[32], n;
	uint64_t removed, removed_bytes, longs, garbage;
};

/* Each kind of line at each length, a short exec after each (nothing
 * spills over), after a first record and an openat (id 2, dropped). */
static void build_long(struct long_stream *ls, const size_t *lens,
		       size_t nlens)
{
	static const char first[] = "type=EOE msg=audit(" T0 ":1): \n";
	unsigned id = 10;
	enum lkind k;
	size_t i;
	int fate;

	memset(ls, 0, sizeof(*ls));
	puts_(&ls->in, first);
	puts_(&ls->want, first);
	put_sc(&ls->in, 2, 257);
	ls->removed = 1;
	ls->removed_bytes = ls->in.n - ls->want.n;
	for (i = 0; i < nlens; i++) {
		for (k = 0; k < L_KINDS; k++) {
			assert_true(ls->n < sizeof(ls->start) / sizeof(ls->start[0]));
			ls->start[ls->n] = ls->in.n;
			put_long(&ls->in, k, id++, lens[i]);
			ls->end[ls->n] = ls->in.n;
			fate = long_fate(k, lens[i]);
			if (fate == 1) {
				put(&ls->want, ls->in.p + ls->start[ls->n],
				    ls->end[ls->n] - ls->start[ls->n]);
			} else {
				ls->removed += fate == 0;
				ls->garbage += fate == G;
				ls->longs += fate == -1;
				ls->removed_bytes += ls->end[ls->n] -
						     ls->start[ls->n];
			}
			ls->n++;
			put_sc(&ls->in, id, 59);
			put_sc(&ls->want, id++, 59);
		}
	}
}

static void long_same(const char *what, size_t at,
		      const struct long_stream *ls, struct buf *got,
		      const struct prefilter_stats *st)
{
	struct prefilter_stats want = {
		.skipped_records = ls->removed,
		.skipped_bytes = ls->removed_bytes,
		.long_lines = ls->longs,
		.garbage_lines = ls->garbage,
	};

	same_as(what, at, &ls->want, &want, got, st);
}

/* Each kind of line at lengths around the cap: one of CAP bytes or more is
 * removed whole, whatever its head, however the input is cut. */
static void test_long_lines(void **state)
{
	static const size_t lens[] = { CAP - 1, CAP, CAP + 1, 2 * CAP + 17 };
	static const size_t sizes[] = { 1, 2, 3, 7, 100, 4096, CAP - 1, CAP,
					CAP + 1, 65536 };
	struct long_stream ls;
	struct buf got;
	struct prefilter_stats st;
	size_t i, c, w, cut, lo[3], hi[3];

	(void)state;
	build_long(&ls, lens, sizeof(lens) / sizeof(lens[0]));
	run_cuts(ls.in.p, ls.in.n, NULL, 0, &got, &st);
	long_same("whole", 0, &ls, &got, &st);
	for (c = 0; c < sizeof(sizes) / sizeof(sizes[0]); c++) {
		run_chunks(ls.in.p, ls.in.n, sizes[c], &got, &st);
		long_same("chunks of", sizes[c], &ls, &got, &st);
	}
	/* one cut at every offset near each line's start, its cap and its
	 * end */
	for (i = 0; i < ls.n; i++) {
		lo[0] = ls.start[i] - 2;
		hi[0] = ls.start[i] + 130;
		lo[1] = ls.start[i] + CAP - 3;
		hi[1] = ls.start[i] + CAP + 3;
		lo[2] = ls.end[i] - 3;
		hi[2] = ls.end[i] + 2;
		for (w = 0; w < 3; w++)
			for (cut = lo[w]; cut < hi[w] && cut <= ls.in.n; cut++) {
				run_cuts(ls.in.p, ls.in.n, &cut, 1, &got, &st);
				long_same("cut at", cut, &ls, &got, &st);
			}
	}
	free(ls.in.p);
	free(ls.want.p);
}

/* Lines of 1 MiB are removed without being held: memory stays bounded. */
static void test_huge_lines(void **state)
{
	static const size_t lens[] = { 1024 * 1024 };
	static const size_t sizes[] = { 1, 4096, 65536, SIZE_MAX };
	struct long_stream ls;
	struct buf got;
	struct prefilter_stats st;
	size_t c;

	(void)state;
	build_long(&ls, lens, 1);
	for (c = 0; c < sizeof(sizes) / sizeof(sizes[0]); c++) {
		run_chunks(ls.in.p, ls.in.n, sizes[c], &got, &st);
		long_same("chunks of", sizes[c], &ls, &got, &st);
	}
	free(ls.in.p);
	free(ls.want.p);
}

/* ---- end of input, errors, any chunking ---------------------------------- */

static void test_finish(void **state)
{
	static const char first[] = "type=EOE msg=audit(" T0 ":1): \n";
	static const char path[] = "type=PATH msg=audit(" T0 ":2): item=0 name=\"/x\"";
	static const char execve[] = "type=EXECVE msg=audit(" T0 ":3): argc=1 a0=\"x\"\n";
	struct buf out, big;
	struct prefilter *pf;
	struct prefilter_stats st;

	(void)state;
	memset(&out, 0, sizeof(out));
	memset(&big, 0, sizeof(big));
	pf = prefilter_new(collect, &out);
	assert_non_null(pf);

	/* a last line without its newline goes out as it is, undecided
	 * (with a newline this PATH would be removed) */
	assert_int_equal(prefilter_feed(pf, first, strlen(first)), 0);
	assert_int_equal(prefilter_feed(pf, path, strlen(path)), 0);
	assert_int_equal(out.n, strlen(first));
	assert_int_equal(prefilter_finish(pf), 0);
	assert_int_equal(out.n, strlen(first) + strlen(path));
	assert_memory_equal(out.p + strlen(first), path, strlen(path));
	/* once */
	assert_int_equal(prefilter_finish(pf), 0);
	assert_int_equal(out.n, strlen(first) + strlen(path));

	/* the next stream starts with an empty line head */
	out.n = 0;
	assert_int_equal(prefilter_feed(pf, execve, strlen(execve)), 0);
	assert_int_equal(out.n, strlen(execve));
	assert_memory_equal(out.p, execve, strlen(execve));

	/* an over-long removed line without its newline: after finish, the
	 * next line is read from its start, not skipped as that line's rest */
	put_long(&big, L_PATH, 4, CAP + 100);
	big.n--;                                      /* no newline */
	out.n = 0;
	assert_int_equal(prefilter_feed(pf, big.p, big.n), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(prefilter_finish(pf), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(prefilter_feed(pf, execve, strlen(execve)), 0);
	assert_int_equal(out.n, strlen(execve));

	/* an over-long one with the head of a kept record: removed too */
	big.n = 0;
	put_long(&big, L_EXEC_SC, 5, CAP + 100);
	big.n--;
	out.n = 0;
	assert_int_equal(prefilter_feed(pf, big.p, big.n), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(prefilter_finish(pf), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(prefilter_feed(pf, execve, strlen(execve)), 0);
	assert_int_equal(out.n, strlen(execve));

	/* a last line that is not a record: not emitted, counted */
	out.n = 0;
	assert_int_equal(prefilter_feed(pf, "garbage", 7), 0);
	assert_int_equal(prefilter_finish(pf), 0);
	assert_int_equal(out.n, 0);

	prefilter_stats(pf, &st);
	assert_int_equal(st.long_lines, 2);
	assert_int_equal(st.garbage_lines, 1);
	assert_int_equal(st.skipped_records, 0);
	assert_int_equal(st.skipped_bytes, 2 * (CAP + 100) + 7);
	prefilter_free(pf);
	free(out.p);
	free(big.p);
}

/*
 * Windows line endings: every line that ends in \r\n comes out as if it
 * ended in \n, kept or removed as that line would be, at every cut of the
 * input; a \r anywhere else stays; a last line ending in \r loses it too.
 */
static void test_crlf(void **state)
{
	static const char unix_in[] =
		"type=SYSCALL msg=audit(" T0 ":7): arch=c000003e syscall=59 success=yes exit=0 pid=5 key=\"k\"\n"
		"type=PATH msg=audit(" T0 ":7): item=0 name=\"/x\"\n"
		"type=EXECVE msg=audit(" T0 ":7): argc=2 a0=\"x\" a1=\"a\rb\"\n"
		"\n"
		"type=EOE msg=audit(" T0 ":7): \n"
		"type=EOE msg=audit(" T0 ":8): ";
	struct buf dos, ref, got;
	struct prefilter_stats rst, gst;
	size_t i, cut, crs = 0;

	(void)state;
	memset(&dos, 0, sizeof(dos));
	for (i = 0; unix_in[i]; i++) {
		if (unix_in[i] == '\n') {
			put(&dos, "\r", 1);
			crs++;
		}
		put(&dos, &unix_in[i], 1);
	}
	put(&dos, "\r", 1);   /* the last line, without a newline */
	crs++;

	run_chunks(unix_in, strlen(unix_in), 1 << 20, &ref, &rst);
	assert_int_equal(rst.crlf_lines, 0);
	/* the PATH line is removed either way; the \r inside a1 stays */
	assert_null(strstr(ref.p, "PATH"));
	assert_non_null(strstr(ref.p, "a1=\"a\rb\"\n"));
	for (cut = 0; cut <= dos.n; cut++) {
		run_cuts(dos.p, dos.n, &cut, 1, &got, &gst);
		if (got.n != ref.n || memcmp(got.p, ref.p, ref.n) != 0)
			fail_msg("cut at %zu: %zu bytes out, want %zu", cut,
				 got.n, ref.n);
		assert_int_equal(gst.crlf_lines, crs);
		assert_int_equal(gst.skipped_records, rst.skipped_records);
		free(got.p);
	}
	free(dos.p);
	free(ref.p);
}

/* A failing emit is reported by the feed that made it; the lines after it
 * still go out, and the next feed is clean. */
static void test_emit_error(void **state)
{
	static const char in[] =
		"type=EOE msg=audit(" T0 ":1): \n"
		"type=PATH msg=audit(" T0 ":1): item=0\n"
		"type=EXECVE msg=audit(" T0 ":2): argc=1 a0=\"x\"\n";
	static const char more[] = "type=EOE msg=audit(" T0 ":2): \n";
	struct buf out;
	struct prefilter *pf;
	const char *second = strstr(in, "type=EXECVE");

	(void)state;
	memset(&out, 0, sizeof(out));
	out.fail_call = 1;
	pf = prefilter_new(collect, &out);
	assert_non_null(pf);
	assert_int_equal(prefilter_feed(pf, in, sizeof(in) - 1), -1);
	assert_int_equal(out.calls, 2);
	assert_int_equal(out.n, strlen(second));
	assert_memory_equal(out.p, second, strlen(second));
	assert_int_equal(prefilter_feed(pf, more, sizeof(more) - 1), 0);
	assert_int_equal(out.n, strlen(second) + strlen(more));
	/* and at finish */
	out.fail_call = out.calls + 1;
	assert_int_equal(prefilter_feed(pf, more, sizeof(more) - 2), 0);
	assert_int_equal(prefilter_finish(pf), -1);
	prefilter_free(pf);
	free(out.p);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned)(rnd_state % n);
}

/* Random streams of every kind of line (more ids than the rings hold,
 * seconds that move on and back, nodes, over-long lines, no final
 * newline), cut at random: the output is always the input minus whole
 * lines, the counters say which, and it is the same for every cutting. */
static void test_any_chunking(void **state)
{
	static const char *const types[] = {
		"SYSCALL", "SYSCALL", "SYSCALL", "EXECVE", "CWD", "PATH",
		"PROCTITLE", "EOE", "USER_CMD", "LOGIN", "UNKNOWN[1400]",
		"BPRM_FCAPS",
	};
	static const int nrs[] = { 59, 56, 257, 0, 2, 322 };
	unsigned round;

	(void)state;
	for (round = 0; round < 40; round++) {
		struct buf in, ref, got;
		struct prefilter_stats rst, gst;
		size_t lines = 50 + rnd(400), i, cuts[16], ncuts, j, pos,
		       removed = 0, removed_bytes = 0;
		unsigned sec = 1790000000;
		const char *p, *o, *nl;

		memset(&in, 0, sizeof(in));
		for (i = 0; i < lines; i++) {
			const char *t = types[rnd(sizeof(types) / sizeof(types[0]))];
			unsigned id = rnd(150);

			if (rnd(20) == 0)
				sec += rnd(4) ? 1 : -1;
			if (rnd(50) == 0) {
				put_long(&in, (enum lkind)rnd(L_KINDS), id,
					 CAP - 2 + rnd(5) + rnd(3) * CAP);
				continue;
			}
			if (rnd(40) == 0) {
				puts_(&in, rnd(2) ? "garbage\n" : "\n");
				continue;
			}
			if (rnd(4) == 0)
				putf(&in, "node=n%u ", rnd(3));
			putf(&in, "type=%s msg=audit(%u.%03u:%u): ", t, sec,
			     rnd(1000), id);
			if (strcmp(t, "SYSCALL") == 0)
				putf(&in, "arch=%s syscall=%d pid=%u",
				     rnd(8) ? "c000003e" : "\"c000003e\"",
				     nrs[rnd(sizeof(nrs) / sizeof(nrs[0]))],
				     id);
			else
				putf(&in, "f=%u", id);
			puts_(&in, rnd(5) ? "\n" : "\x1d" "ENRICHED=x\n");
		}
		if (rnd(2))
			puts_(&in, "type=EXECVE msg=audit(1790000000.000:1): argc=0");

		run_cuts(in.p, in.n, NULL, 0, &ref, &rst);
		/* input minus whole lines (the last, newline-less one is
		 * always emitted) */
		p = in.p;
		o = ref.p;
		while (p < in.p + in.n) {
			nl = memchr(p, '\n', (size_t)(in.p + in.n - p));
			j = nl ? (size_t)(nl + 1 - p) : (size_t)(in.p + in.n - p);
			if ((size_t)(ref.p + ref.n - o) >= j &&
			    memcmp(o, p, j) == 0)
				o += j;
			else {
				removed++;
				removed_bytes += j;
			}
			p += j;
		}
		assert_true(o == ref.p + ref.n);
		assert_int_equal(rst.skipped_records + rst.garbage_lines +
				 rst.long_lines, removed);
		assert_int_equal(rst.skipped_bytes, removed_bytes);
		assert_int_equal(ref.n + removed_bytes, in.n);

		for (j = 0; j < 20; j++) {
			ncuts = 1 + rnd(15);
			for (i = 0; i < ncuts; i++)
				cuts[i] = rnd((unsigned)in.n + 1);
			/* ascending */
			for (i = 1; i < ncuts; i++)
				for (pos = i; pos > 0 && cuts[pos - 1] > cuts[pos]; pos--) {
					size_t t = cuts[pos];

					cuts[pos] = cuts[pos - 1];
					cuts[pos - 1] = t;
				}
			run_cuts(in.p, in.n, cuts, ncuts, &got, &gst);
			same_as("random cuts, round", round, &ref, &rst, &got,
				&gst);
		}
		free(ref.p);
		free(in.p);
	}
}

/* ---- prefilter_options ---------------------------------------------------- */

static const char *const sc_cut[] = { "a0", "a1", "a2", "a3", "items",
				      "x", NULL };
static const char *const en_cut[] = { "ARCH", "SYSCALL", "SUID", NULL };

/* A trimmed SYSCALL keeps its head and the listed fields, in order, and
 * nothing of the ENRICHED part; tokens auparse would rename stay; a line
 * with a NUL, a long line and a dropped SYSCALL are not rewritten. A
 * PROCTITLE goes when its EOE is the next kept line, and only then. */
static void test_options(void **state)
{
	static const struct prefilter_options o = {
		.syscall_cut = sc_cut, .enriched_cut = en_cut,
		.proctitle = true,
	};
	static const char in[] =
		/* a new second: kept as it is */
		"type=EOE msg=audit(" T0 ":1): \n"
		/* a0..items cut, and x= wherever it is */
		"node=h type=SYSCALL msg=audit(" T0 ":2): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=1 pid=7 x=1 exe=\"/x\" key=\"k\"\x1d" "ARCH=x86_64 AUID=\"root\" SYSCALL=execve  UID=7573 SUIDX=1 =2 SUID\n"
		"node=h type=EXECVE msg=audit(" T0 ":2): argc=1 a0=\"x\"\n"
		"node=h type=PROCTITLE msg=audit(" T0 ":2): proctitle=78\n"
		/* a removed line between them changes nothing */
		"node=h type=PATH msg=audit(" T0 ":2): item=0\n"
		"node=h type=EOE msg=audit(" T0 ":2): \n"
		/* names that only look like those to cut, or that auparse
		 * would rename: kept; an empty a0= cut too */
		"type=SYSCALL msg=audit(" T0 ":3):  arch=c000003e  syscall=59 t3=1 t4=1 t5=1 t6=1 t7=1 t8=1 a0=1 (a1=5 msg='a2=/y a3 =v a0x=1 a0=\n"
		/* no EOE after the PROCTITLE: it stays, before the next line */
		"type=PROCTITLE msg=audit(" T0 ":3): proctitle=79\n"
		"type=CWD msg=audit(" T0 ":3): cwd=\"/\"\n"
		/* an EOE of another event does not take the PROCTITLE away;
		 * no ENRICHED name left: no separator */
		"type=SYSCALL msg=audit(" T0 ":4): arch=c000003e syscall=59 a0=0 pid=4\x1d" "ARCH=x86_64 SYSCALL=execve\n"
		"type=PROCTITLE msg=audit(" T0 ":4): proctitle=7a\n"
		"type=EOE msg=audit(" T0 ":3): \n"
		/* dropped: an openat, not rewritten, its PROCTITLE dropped */
		"type=SYSCALL msg=audit(" T0 ":5): arch=c000003e syscall=257 a0=1 pid=5\n"
		"type=PROCTITLE msg=audit(" T0 ":5): proctitle=7a\n"
		/* held at the end of input: emitted by finish; a run at the
		 * end of the line */
		"type=SYSCALL msg=audit(" T0 ":6): arch=c000003e syscall=59 pid=6 a0=0 a1=1\n"
		"type=PROCTITLE msg=audit(" T0 ":6): proctitle=7a\n";
	static const char want[] =
		"type=EOE msg=audit(" T0 ":1): \n"
		"node=h type=SYSCALL msg=audit(" T0 ":2): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=7 exe=\"/x\" key=\"k\"\x1d" "AUID=\"root\" UID=7573 SUIDX=1 =2 SUID\n"
		"node=h type=EXECVE msg=audit(" T0 ":2): argc=1 a0=\"x\"\n"
		"node=h type=EOE msg=audit(" T0 ":2): \n"
		"type=SYSCALL msg=audit(" T0 ":3):  arch=c000003e  syscall=59 t3=1 t4=1 t5=1 t6=1 t7=1 t8=1 (a1=5 msg='a2=/y a3 =v a0x=1\n"
		"type=PROCTITLE msg=audit(" T0 ":3): proctitle=79\n"
		"type=CWD msg=audit(" T0 ":3): cwd=\"/\"\n"
		"type=SYSCALL msg=audit(" T0 ":4): arch=c000003e syscall=59 pid=4\n"
		"type=PROCTITLE msg=audit(" T0 ":4): proctitle=7a\n"
		"type=EOE msg=audit(" T0 ":3): \n"
		"type=SYSCALL msg=audit(" T0 ":6): arch=c000003e syscall=59 pid=6\n"
		"type=PROCTITLE msg=audit(" T0 ":6): proctitle=7a\n";
	static const char nul[] =
		"type=EOE msg=audit(" T0 ":1): \n"
		"type=SYSCALL msg=audit(" T0 ":2): arch=c000003e syscall=59 a0=1\0 pid=7\n";
	struct buf got;
	struct prefilter_stats st;

	(void)state;
	opts = &o;
	run_cuts(in, sizeof(in) - 1, NULL, 0, &got, &st);
	if (got.n != sizeof(want) - 1 || memcmp(got.p, want, got.n) != 0)
		fail_msg("got:\n%s", got.p);
	/* PATH, the PROCTITLE of 2, the SYSCALL and PROCTITLE of 5 */
	assert_int_equal(st.skipped_records, 4);
	free(got.p);
	chunking_free(in, sizeof(in) - 1, 64);

	run_cuts(nul, sizeof(nul) - 1, NULL, 0, &got, &st);
	assert_int_equal(got.n, sizeof(nul) - 1);
	assert_memory_equal(got.p, nul, got.n);
	free(got.p);
	opts = NULL;
}


/* ---- the removal rules off ----------------------------------------------- */

/* Off, every audit record goes whole (an openat, its PATH, user records, a
 * PROCTITLE before its EOE, unread fields); what is not one, and long
 * lines, still do not. */
static void test_filter_off(void **state)
{
	static const char *const cut_a0[] = { "a0", NULL };
	static const struct prefilter_options o = {
		.syscall_cut = cut_a0,
		.proctitle = true,
	};
	static const char records[] =
		"type=SYSCALL msg=audit(" T0 ":2): arch=c000003e syscall=257 a0=1 pid=1\n"
		"type=PATH msg=audit(" T0 ":2): item=0 name=\"/x\"\n"
		"type=SYSCALL msg=audit(" T0 ":3): arch=c000003e syscall=59 a0=1 pid=1\n"
		"type=PROCTITLE msg=audit(" T0 ":3): proctitle=78\n"
		"type=EOE msg=audit(" T0 ":3): \n"
		"type=USER_CMD msg=audit(" T0 ":4): pid=1 msg='cmd=6C73'\n";
	struct buf in, out;
	struct prefilter *pf;
	struct prefilter_stats st;

	(void)state;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	puts_(&in, records);
	puts_(&in, "garbage\n");
	put_long(&in, L_EXEC_SC, 5, CAP);
	pf = prefilter_new(collect, &out);
	assert_non_null(pf);
	prefilter_set_options(pf, &o);
	prefilter_set_filter(pf, false);
	assert_int_equal(prefilter_feed(pf, in.p, in.n), 0);
	assert_int_equal(prefilter_finish(pf), 0);
	assert_int_equal(out.n, strlen(records));
	assert_memory_equal(out.p, records, out.n);
	prefilter_stats(pf, &st);
	assert_int_equal(st.skipped_records, 0);
	assert_int_equal(st.garbage_lines, 1);
	assert_int_equal(st.long_lines, 1);
	prefilter_free(pf);
	free(in.p);
	free(out.p);
}

/* ---- events in flight ------------------------------------------------------- */

/*
 * With a table of 4 events (and no auparse to hand any on): the fifth
 * event makes room by ending the waiting one fed least recently, with an
 * EOE written just before its record; an event that ended is not chosen
 * while one waits; the EOE carries the node=; an event over its own record
 * cap loses its further records but the one that ends it. The same at
 * every cut of the input.
 */
static void test_flight(void **state)
{
	static const struct flight_limits lim = {
		.max_events = 4, .max_bytes = 1 << 30,
		.max_event_records = 3, .max_event_bytes = 1 << 20,
	};
#define SCN(node, id) node "type=SYSCALL msg=audit(" T0 ":" id "): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=1 comm=\"x\" exe=\"/x\"\n"
#define EXN(node, id) node "type=EXECVE msg=audit(" T0 ":" id "): argc=1 a0=\"x\"\n"
#define EOEN(node, id) node "type=EOE msg=audit(" T0 ":" id "): \n"
	static const char in[] =
		EOEN("", "1")
		SCN("node=a ", "10") SCN("", "11") SCN("", "12") SCN("", "13")
		EXN("node=a ", "10")           /* 10 fed: 11 is the least recent */
		SCN("", "14")                  /* full: 11 ends */
		EOEN("", "12")                 /* 12 ends by itself */
		SCN("", "15")                  /* full: 13 ends (not 12) */
		SCN("", "16")                  /* full: 10 ends, with its node */
		EXN("", "16") EXN("", "16")    /* 16 has 3 records: its cap */
		EXN("", "16")                  /* dropped */
		EOEN("", "16");                /* ends it: kept */
	static const char want[] =
		EOEN("", "1")
		SCN("node=a ", "10") SCN("", "11") SCN("", "12") SCN("", "13")
		EXN("node=a ", "10")
		EOEN("", "11") SCN("", "14")
		EOEN("", "12")
		EOEN("", "13") SCN("", "15")
		EOEN("node=a ", "10") SCN("", "16")
		EXN("", "16") EXN("", "16")
		EOEN("", "16");
	struct buf got;
	struct prefilter_stats st;
	struct flight_stats fs;
	struct prefilter *pf;
	size_t cut;

	(void)state;
	flight_lim = &lim;
	for (cut = 0; cut <= sizeof(in) - 1; cut++) {
		memset(&got, 0, sizeof(got));
		pf = new_pf(&got);
		assert_int_equal(prefilter_feed(pf, in, cut), 0);
		assert_int_equal(prefilter_feed(pf, in + cut,
						 sizeof(in) - 1 - cut), 0);
		assert_int_equal(prefilter_finish(pf), 0);
		if (got.n != sizeof(want) - 1 ||
		    memcmp(got.p, want, got.n) != 0)
			fail_msg("cut at %zu, got:\n%s", cut, got.p);
		flight_stats(flight_now, &fs);
		assert_int_equal(fs.cut_events, 3);
		assert_int_equal(fs.cut_records, 1);
		/* 14, 15 wait; 12 and 16 ended */
		assert_int_equal(fs.events, 4);
		assert_int_equal(fs.waiting, 2);
		prefilter_stats(pf, &st);
		assert_int_equal(st.skipped_records, 0);
		free_pf(pf);
		free(got.p);
	}
	flight_lim = NULL;
#undef SCN
#undef EXN
#undef EOEN
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_new_second),
		cmocka_unit_test(test_dropped_ring),
		cmocka_unit_test(test_kept_ring),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_huge_lines),
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_emit_error),
		cmocka_unit_test(test_any_chunking),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_filter_off),
		cmocka_unit_test(test_flight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
