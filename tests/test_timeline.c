/*
 * test_timeline.c - the last execs of each audit session: order, ring,
 * sessions by (node, ses), eviction, argv cuts and their markers, and
 * the bound under floods.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"

#define MAXA 4096

struct args {
	struct argv_arg v[MAXA];
	struct argv av;
};

static struct exec_event ev;
static struct args A;
static struct argv_arg arena[TIMELINE_MAX_SIZE * TIMELINE_MAX_ARGV_BYTES];

static void set_args(const char *const *s, uint32_t n)
{
	uint32_t i;

	memset(&A.av, 0, sizeof(A.av));
	for (i = 0; i < n; i++) {
		A.v[i].ptr = s[i];
		A.v[i].len = (uint32_t)strlen(s[i]);
		A.av.total_bytes += A.v[i].len;
	}
	A.av.argc = n;
	A.av.v = A.v;
	ev.argv = &A.av;
}

static void exec_in(struct timeline *t, uint32_t node, uint32_t ses,
		    pid_t pid, time_t sec, const char *arg0)
{
	const char *a[1] = { arg0 };

	ev.ses = ses;
	ev.pid = pid;
	ev.ppid = pid - 1;
	ev.sec = sec;
	ev.msec = (unsigned)(pid % 1000);
	ev.serial = (unsigned long)pid * 10;
	set_args(a, 1);
	timeline_record(t, node, &ev);
}

static unsigned get(const struct timeline *t, uint32_t node, uint32_t ses,
		    struct timeline_entry *out, unsigned max)
{
	return timeline_get(t, node, ses, out, max, arena,
			    sizeof(arena) / sizeof(arena[0]));
}

/* The argv of an entry as "a|b|c", for exact comparisons. */
static const char *joined(const struct timeline_entry *e)
{
	static char buf[8192];
	size_t n = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; i < e->argv.argc; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%.*s",
				      i ? "|" : "", (int)e->argv.v[i].len,
				      e->argv.v[i].ptr);
	return buf;
}

static void test_ring(void **state)
{
	struct timeline_limits lim = { 16, 4, 256 };
	struct timeline *t = timeline_new(&lim);
	struct timeline_entry e[TIMELINE_MAX_SIZE];
	struct timeline_limits got;
	char name[16];
	unsigned n, i;

	(void)state;
	assert_non_null(t);
	timeline_limits(t, &got);
	assert_int_equal(got.size, 4);
	assert_int_equal(got.sessions, 16);
	assert_int_equal(get(t, 0, 7, e, 8), 0);
	exec_in(t, 0, 7, 100, 10, "first");
	exec_in(t, 0, 7, 101, 11, "second");
	n = get(t, 0, 7, e, 8);
	assert_int_equal(n, 2);
	assert_string_equal(joined(&e[0]), "first");
	assert_string_equal(joined(&e[1]), "second");
	assert_int_equal(e[0].pid, 100);
	assert_int_equal(e[0].ppid, 99);
	assert_int_equal(e[0].sec, 10);
	assert_int_equal(e[0].msec, 100);
	assert_int_equal(e[0].serial, 1000);
	assert_int_equal(e[1].argv.flags, 0);

	/* the ring keeps the 4 newest, oldest first */
	for (i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "cmd%u", i);
		exec_in(t, 0, 7, (pid_t)(200 + i), 20 + i, name);
	}
	n = get(t, 0, 7, e, 8);
	assert_int_equal(n, 4);
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "cmd%u", i + 3);
		assert_string_equal(joined(&e[i]), name);
		assert_int_equal(e[i].pid, 203 + i);
	}
	/* at most max, the newest */
	n = get(t, 0, 7, e, 2);
	assert_int_equal(n, 2);
	assert_string_equal(joined(&e[0]), "cmd5");
	assert_string_equal(joined(&e[1]), "cmd6");
	assert_int_equal(get(t, 0, 7, e, 0), 0);

	/* sessions are (node, ses): the same ses on another node is another
	 * session; ses unset is none and is only counted */
	exec_in(t, 1, 7, 300, 30, "other-node");
	assert_int_equal(get(t, 1, 7, e, 8), 1);
	assert_string_equal(joined(&e[0]), "other-node");
	assert_int_equal(get(t, 0, 7, e, 8), 4);
	exec_in(t, 0, EXEC_ID_UNSET, 400, 40, "daemon");
	assert_int_equal(get(t, 0, EXEC_ID_UNSET, e, 8), 0);
	{
		struct timeline_stats st;

		timeline_stats(t, &st);
		assert_int_equal(st.sessions, 2);
		assert_int_equal(st.records, 10);
		assert_int_equal(st.no_session, 1);
		assert_int_equal(st.evictions, 0);
	}
	/* a LOGIN for the id: the earlier session's execs are forgotten,
	 * the session goes on from there; others are untouched */
	timeline_forget(t, 0, 7);
	assert_int_equal(get(t, 0, 7, e, 8), 0);
	assert_int_equal(get(t, 1, 7, e, 8), 1);
	exec_in(t, 0, 7, 500, 50, "after-login");
	assert_int_equal(get(t, 0, 7, e, 8), 1);
	assert_string_equal(joined(&e[0]), "after-login");
	timeline_forget(t, 0, 9999);
	timeline_forget(t, 0, EXEC_ID_UNSET);
	timeline_forget(NULL, 0, 7);
	/* no store: nothing */
	timeline_record(NULL, 0, &ev);
	assert_int_equal(get(NULL, 0, 7, e, 8), 0);
	assert_int_equal(timeline_arena_size(NULL), 0);
	timeline_free(t);
}

/* The least recently exec'd session goes first; an exec renews one. */
static void test_eviction(void **state)
{
	struct timeline_limits lim = { 16, 2, 256 };
	struct timeline *t = timeline_new(&lim);
	struct timeline_entry e[2];
	struct timeline_stats st;
	uint32_t s;

	(void)state;
	assert_non_null(t);
	for (s = 0; s < 16; s++)
		exec_in(t, 0, 1000 + s, (pid_t)(10 + s), 1, "x");
	/* session 1000 is used again: 1001 is now the oldest */
	exec_in(t, 0, 1000, 50, 2, "again");
	exec_in(t, 0, 2000, 51, 3, "new");
	assert_int_equal(get(t, 0, 1001, e, 2), 0);
	assert_int_equal(get(t, 0, 1000, e, 2), 2);
	assert_int_equal(get(t, 0, 2000, e, 2), 1);
	/* a reused slot starts empty: the evicted session's execs are gone */
	assert_string_equal(joined(&e[0]), "new");
	timeline_stats(t, &st);
	assert_int_equal(st.sessions, 16);
	assert_int_equal(st.evictions, 1);

	/* a flood of sessions: the table never holds more than its cap, and
	 * every lookup still finds the newest ones */
	for (s = 0; s < 200000; s++)
		exec_in(t, s % 7, 5000 + s, (pid_t)(1000 + s % 30000), 4, "f");
	timeline_stats(t, &st);
	assert_int_equal(st.sessions, 16);
	assert_int_equal(st.evictions, 1 + 200000); /* it was full */
	for (s = 200000 - 16; s < 200000; s++)
		assert_int_equal(get(t, s % 7, 5000 + s, e, 2), 1);
	assert_int_equal(get(t, (200000 - 17) % 7, 5000 + 200000 - 17, e, 2),
			 0);
	timeline_free(t);
}

/* Out-of-range limits take the bounds; NULL the defaults. */
static void test_limits(void **state)
{
	struct timeline_limits lim = { 1, 1000, 1 }, got;
	struct timeline *t = timeline_new(&lim);

	(void)state;
	assert_non_null(t);
	timeline_limits(t, &got);
	assert_int_equal(got.sessions, TIMELINE_MIN_SESSIONS);
	assert_int_equal(got.size, TIMELINE_MAX_SIZE);
	assert_int_equal(got.argv_bytes, TIMELINE_MIN_ARGV_BYTES);
	assert_int_equal(timeline_arena_size(t),
			 TIMELINE_MAX_SIZE * TIMELINE_MIN_ARGV_BYTES);
	timeline_free(t);
	lim = (struct timeline_limits){ 1u << 30, 0, 1u << 30 };
	t = timeline_new(&lim);
	assert_non_null(t);
	timeline_limits(t, &got);
	assert_int_equal(got.sessions, TIMELINE_MAX_SESSIONS);
	assert_int_equal(got.size, TIMELINE_DEFAULT_SIZE);
	assert_int_equal(got.argv_bytes, TIMELINE_MAX_ARGV_BYTES);
	timeline_free(t);
	t = timeline_new(NULL);
	assert_non_null(t);
	timeline_limits(t, &got);
	assert_int_equal(got.sessions, TIMELINE_DEFAULT_SESSIONS);
	assert_int_equal(got.size, TIMELINE_DEFAULT_SIZE);
	assert_int_equal(got.argv_bytes, TIMELINE_DEFAULT_ARGV_BYTES);
	timeline_free(t);
	timeline_free(NULL);
}

/* ---- cuts ----------------------------------------------------------------- */

static bool parse_ul(const char **p, unsigned long *v)
{
	char *end;

	if (**p < '0' || **p > '9')
		return false;
	*v = strtoul(*p, &end, 10);
	*p = end;
	return true;
}

/* "...N args, M bytes omitted..." exactly. */
static bool list_marker(const struct argv_arg *a, unsigned long *n,
			unsigned long *m)
{
	char buf[128];
	const char *p = buf;
	int k;

	if (a->len >= sizeof(buf))
		return false;
	memcpy(buf, a->ptr, a->len);
	buf[a->len] = '\0';
	if (strncmp(p, "...", 3) != 0)
		return false;
	p += 3;
	if (!parse_ul(&p, n))
		return false;
	k = *n == 1 ? 0 : 1;
	if (strncmp(p, k ? " args, " : " arg, ", k ? 7 : 6) != 0)
		return false;
	p += k ? 7 : 6;
	if (!parse_ul(&p, m))
		return false;
	return strcmp(p, *m == 1 ? " byte omitted..." :
				   " bytes omitted...") == 0;
}

/* An element holding "...[N bytes omitted]...": N, and the kept bytes. */
static bool str_marker(const struct argv_arg *a, unsigned long *n,
		       size_t *kept)
{
	const char *m = memmem(a->ptr, a->len, "...[", 4), *p;

	if (!m)
		return false;
	p = m + 4;
	if (!parse_ul(&p, n))
		return false;
	if (strncmp(p, *n == 1 ? " byte omitted]..." : " bytes omitted]...",
		    *n == 1 ? 17 : 18) != 0)
		return false;
	p += *n == 1 ? 17 : 18;
	*kept = (size_t)(m - a->ptr) + (size_t)(a->ptr + a->len - p);
	return true;
}

/* Stored bytes of an entry: arguments and one separator each. */
static size_t stored(const struct timeline_entry *e)
{
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < e->argv.argc; i++)
		n += e->argv.v[i].len + 1;
	return n;
}

static void test_cuts(void **state)
{
	struct timeline_limits lim = { 16, 2, 256 };
	struct timeline *t = timeline_new(&lim);
	struct timeline_entry e[2];
	static char big[100000], many_buf[4096 * 3];
	const char *many[MAXA];
	unsigned long n, m;
	size_t kept;
	uint32_t i;

	(void)state;
	assert_non_null(t);
	ev.ses = 1;
	ev.pid = 5;

	/* exactly the budget: kept whole */
	memset(big, 'a', 255);
	big[255 - 1] = '\0'; /* 254 bytes + NUL = 255 ... */
	{
		const char *a[2] = { big, "" };

		set_args(a, 2);      /* 254 + 1 + 0 + 1 = 256 */
		timeline_record(t, 0, &ev);
		assert_int_equal(get(t, 0, 1, e, 1), 1);
		assert_int_equal(e[0].argv.argc, 2);
		assert_int_equal(e[0].argv.v[0].len, 254);
		assert_int_equal(e[0].argv.flags, 0);
	}

	/* one byte more: the long argument is cut in its middle, the second
	 * kept; nothing splits a UTF-8 sequence */
	for (i = 0; i < 3000; i += 3)
		memcpy(big + i, "\xe2\x82\xac", 3);   /* the euro sign */
	big[3000] = '\0';
	{
		const char *a[3] = { "sh", big, "/boot/vmlinuz" };

		set_args(a, 3);
		timeline_record(t, 0, &ev);
		assert_int_equal(get(t, 0, 1, e, 1), 1);
		assert_true(e[0].argv.flags & ARGV_TRUNCATED);
		assert_true(stored(&e[0]) <= 256);
		assert_int_equal(e[0].argv.argc, 3);
		assert_string_equal(e[0].argv.v[0].ptr, "sh");
		assert_string_equal(e[0].argv.v[2].ptr, "/boot/vmlinuz");
		assert_true(str_marker(&e[0].argv.v[1], &n, &kept));
		assert_int_equal(kept + n, 3000);
		assert_int_equal(kept % 3, 0);
		assert_int_equal(n % 3, 0);
		assert_int_equal(memcmp(e[0].argv.v[1].ptr, "\xe2\x82\xac", 3),
				 0);
	}

	/* many small arguments: the first and the last, as many others as
	 * fit alternately from both ends, one marker with exact counts */
	for (i = 0; i < 4000; i++) {
		snprintf(many_buf + i * 3, 3, "%02u", i % 100);
		many[i] = many_buf + i * 3;
	}
	many[0] = "dd";
	many[3999] = "of=/boot/x";
	set_args(many, 4000);
	timeline_record(t, 0, &ev);
	assert_int_equal(get(t, 0, 1, e, 1), 1);
	{
		const struct argv *av = &e[0].argv;
		uint32_t mk = UINT32_MAX, h, tl;
		size_t bytes = 0;

		assert_true(stored(&e[0]) <= 256);
		assert_true(av->flags & ARGV_TRUNCATED);
		for (i = 0; i < av->argc; i++)
			if (list_marker(&av->v[i], &n, &m)) {
				assert_int_equal(mk, UINT32_MAX);
				mk = i;
			}
		assert_true(mk != UINT32_MAX);
		h = mk;
		tl = av->argc - mk - 1;
		list_marker(&av->v[mk], &n, &m);
		assert_int_equal(h + tl + n, 4000);
		for (i = h; i < 4000 - tl; i++)
			bytes += A.v[i].len;
		assert_int_equal(m, bytes);
		assert_string_equal(av->v[0].ptr, "dd");
		assert_string_equal(av->v[av->argc - 1].ptr, "of=/boot/x");
		/* the kept ones are the originals, in order, at both ends */
		for (i = 1; i < h; i++)
			assert_string_equal(av->v[i].ptr, many[i]);
		for (i = 0; i < tl; i++)
			assert_string_equal(av->v[mk + 1 + i].ptr,
					    many[4000 - tl + i]);
		/* alternately: the two ends differ by one at most */
		assert_true(h >= tl ? h - tl <= 1 : tl - h <= 1);
	}

	/* one huge argument alone */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		const char *a[1] = { big };

		set_args(a, 1);
		timeline_record(t, 0, &ev);
		assert_int_equal(get(t, 0, 1, e, 1), 1);
		assert_int_equal(e[0].argv.argc, 1);
		assert_true(stored(&e[0]) <= 256);
		assert_true(str_marker(&e[0].argv.v[0], &n, &kept));
		assert_int_equal(kept + n, sizeof(big) - 1);
	}

	/* an argv cut before (argv limits) stays marked; none at all is an
	 * empty list */
	{
		const char *a[1] = { "x" };

		set_args(a, 1);
		A.av.flags = ARGV_TRUNCATED;
		timeline_record(t, 0, &ev);
		assert_int_equal(get(t, 0, 1, e, 1), 1);
		assert_true(e[0].argv.flags & ARGV_TRUNCATED);
		set_args(a, 0);
		timeline_record(t, 0, &ev);
		assert_int_equal(get(t, 0, 1, e, 1), 1);
		assert_int_equal(e[0].argv.argc, 0);
		assert_int_equal(e[0].argv.flags, 0);
	}
	timeline_free(t);
}

static uint32_t rnd_state = 88172645u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Random argv against every budget: never more than the budget, always
 * the first and the last argument (or their ends), markers that add up. */
static void test_random_cuts(void **state)
{
	static char pool[200001];
	size_t budgets[] = { TIMELINE_MIN_ARGV_BYTES, 200, 256, 1000,
			     TIMELINE_MAX_ARGV_BYTES };
	struct timeline_entry e[1];
	unsigned b, iter;
	uint32_t i;

	(void)state;
	/* no NUL: an argv string never has one (argv.h) */
	for (i = 0; i < sizeof(pool) - 1; i++)
		pool[i] = (char)(rnd() % 255 + 1);
	pool[sizeof(pool) - 1] = '\0';
	for (b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
		struct timeline_limits lim = { 16, 1, budgets[b] };
		struct timeline *t = timeline_new(&lim);

		assert_non_null(t);
		for (iter = 0; iter < 300; iter++) {
			uint32_t argc = rnd() % 3 == 0 ? rnd() % 3000 :
							 rnd() % 12;
			unsigned long total_args = 0, n, m;

			memset(&A.av, 0, sizeof(A.av));
			for (i = 0; i < argc; i++) {
				size_t len = rnd() % 20 == 0 ? rnd() % 50000 :
							       rnd() % 30;

				A.v[i].ptr = pool + rnd() % (sizeof(pool) - 1 - len);
				A.v[i].len = (uint32_t)len;
			}
			A.av.argc = argc;
			A.av.v = A.v;
			ev.argv = &A.av;
			ev.ses = 9;
			timeline_record(t, 0, &ev);
			assert_int_equal(get(t, 0, 9, e, 1), 1);
			assert_true(stored(e) <= budgets[b]);
			/* every stored element is an argument (whole or cut
			 * in its middle) or the one list marker: together
			 * they account for every argument, and the first
			 * and the last are kept */
			for (i = 0; i < e[0].argv.argc; i++) {
				if (list_marker(&e[0].argv.v[i], &n, &m))
					total_args += n;
				else
					total_args++;
			}
			assert_int_equal(total_args, argc);
			if (argc > 1 && A.v[0].len < 30 &&
			    A.v[argc - 1].len < 30) {
				assert_memory_equal(e[0].argv.v[0].ptr,
						    A.v[0].ptr, A.v[0].len);
				assert_int_equal(e[0].argv.v[e[0].argv.argc -
							     1].len,
						 A.v[argc - 1].len);
			}
		}
		timeline_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_cuts),
		cmocka_unit_test(test_random_cuts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
