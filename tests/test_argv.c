// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_argv.c - unit tests for plugin/argv.c (EXECVE argv reassembly).
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
#include <time.h>

#include "argv.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Feed name/value pairs, as read_execve() does with auparse. */
static void feed(struct argv_builder *b, const char *const *kv, size_t n)
{
	size_t i;

	assert_int_equal(n % 2, 0);
	for (i = 0; i < n; i += 2)
		argv_builder_field(b, kv[i], kv[i + 1]);
}

#define FEED(b, ...)							\
	do {								\
		static const char *const kv_[] = { __VA_ARGS__ };	\
		feed((b), kv_, ARRAY_SIZE(kv_));			\
	} while (0)

static void check_bytes(const struct argv *r, uint32_t i, const void *exp,
			size_t len)
{
	assert_true(i < r->argc);
	assert_non_null(r->v[i].ptr);
	assert_int_equal(r->v[i].len, len);
	if (len)
		assert_memory_equal(r->v[i].ptr, exp, len);
	assert_int_equal(r->v[i].ptr[len], '\0');
}

static void check_arg(const struct argv *r, uint32_t i, const char *exp)
{
	check_bytes(r, i, exp, strlen(exp));
}

/* Exact argc, exact bytes of every argument, exact flags. */
static void check_argv(const struct argv *r, const char *const *exp,
		       uint32_t n, unsigned flags)
{
	size_t total = 0;
	uint32_t i;

	assert_int_equal(r->argc, n);
	assert_non_null(r->v);
	for (i = 0; i < n; i++) {
		check_arg(r, i, exp[i]);
		total += strlen(exp[i]);
	}
	assert_int_equal(r->total_bytes, total);
	assert_int_equal(r->flags, flags);
}

#define CHECK_ARGV(r, flags, ...)					\
	do {								\
		static const char *const exp_[] = { __VA_ARGS__ };	\
		check_argv((r), exp_, ARRAY_SIZE(exp_), (flags));	\
	} while (0)

/* Audit hex of n bytes; caller frees. */
static char *to_hex(const void *p, size_t n, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	const unsigned char *s = p;
	char *h = malloc(2 * n + 1);
	size_t i;

	assert_non_null(h);
	for (i = 0; i < n; i++) {
		h[2 * i] = digits[s[i] >> 4];
		h[2 * i + 1] = digits[s[i] & 0xf];
	}
	h[2 * n] = '\0';
	return h;
}

/* "\"" + n copies of c + "\""; caller frees. */
static char *quoted_run(char c, size_t n)
{
	char *q = malloc(n + 3);

	assert_non_null(q);
	q[0] = '"';
	memset(q + 1, c, n);
	q[n + 1] = '"';
	q[n + 2] = '\0';
	return q;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_quoted(void **state)
{
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, NULL);
	FEED(&b, "argc", "4", "a0", "\"tail\"", "a1", "\"-c\"",
	     "a2", "\"+10\"", "a3", "\"/boot/vmlinuz-6.1.0\"");
	CHECK_ARGV(argv_builder_finish(&b), 0,
		   "tail", "-c", "+10", "/boot/vmlinuz-6.1.0");
	argv_builder_free(&b);
}

static void test_hex(void **state)
{
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, NULL);
	FEED(&b, "argc", "3", "a0", "\"xxd\"",
	     "a1", "2F626F6F742F6D79206B65726E656C",
	     /* tab, quote and a byte above 0x7e force hex */
	     "a2", "0922FF");
	CHECK_ARGV(argv_builder_finish(&b), 0,
		   "xxd", "/boot/my kernel", "\t\"\xff");
	argv_builder_free(&b);
}

static void test_hex_lower_case(void **state)
{
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, NULL);
	FEED(&b, "argc", "2", "a0", "2f626f6f742f6d79206b65726e656c",
	     "a1", "aBcDeF");
	CHECK_ARGV(argv_builder_finish(&b), 0,
		   "/boot/my kernel", "\xab\xcd\xef");
	argv_builder_free(&b);
}

static void test_split_three_chunks_mixed(void **state)
{
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, NULL);
	/* Record 1 ends after chunk 0; the others come in records 2 and 3. */
	FEED(&b, "argc", "3", "a0", "\"cmp\"", "a1_len", "15",
	     "a1[0]", "\"/boot/\"");
	FEED(&b, "a1[1]", "6D79206B");
	FEED(&b, "a1[2]", "\"ernel\"", "a2", "\"-i\"");
	CHECK_ARGV(argv_builder_finish(&b), 0, "cmp", "/boot/my kernel", "-i");
	argv_builder_free(&b);
}

/*
 * The split argument of corpus/laurel/record-execve-long.txt: `echo` of
 * "b" a*3730 "c" "d" a*3744 "e" "f" a*712 "g" (8192 bytes), forced to hex
 * and split over three EXECVE records, a1_len being the hex length.
 */
static void test_corpus_long_split(void **state)
{
	static const struct { char first, last; size_t run, hexlen; } part[] = {
		{ 'b', 'c', 3730, 7464 },
		{ 'd', 'e', 3744, 7492 },
		{ 'f', 'g', 712, 1428 },
	};
	char *exp = malloc(8192), *hex[3], name[16];
	struct argv_builder b;
	const struct argv *r;
	size_t i, pos = 0;

	(void)state;
	assert_non_null(exp);
	for (i = 0; i < 3; i++) {
		size_t start = pos;

		exp[pos++] = part[i].first;
		memset(exp + pos, 'a', part[i].run);
		pos += part[i].run;
		exp[pos++] = part[i].last;
		hex[i] = to_hex(exp + start, pos - start, true);
		assert_int_equal(strlen(hex[i]), part[i].hexlen);
	}
	assert_int_equal(pos, 8192);
	assert_string_equal(hex[0] + strlen(hex[0]) - 4, "6163");

	argv_builder_init(&b, NULL);
	FEED(&b, "argc", "2", "a0", "\"/bin/echo\"", "a1_len", "16384");
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "a1[%zu]", i);
		argv_builder_field(&b, name, hex[i]);
	}
	r = argv_builder_finish(&b);
	assert_int_equal(r->argc, 2);
	check_arg(r, 0, "/bin/echo");
	check_bytes(r, 1, exp, 8192);
	assert_int_equal(r->total_bytes, 9 + 8192);
	assert_int_equal(r->flags, 0);
	argv_builder_free(&b);
	for (i = 0; i < 3; i++)
		free(hex[i]);
	free(exp);
}

static void test_several_records(void **state)
{
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, NULL);
	FEED(&b, "argc", "5", "a0", "\"hexdump\"", "a1", "\"-C\"");
	FEED(&b, "a2", "\"-s\"", "a3", "\"64\"");
	FEED(&b, "a4", "\"/boot/initrd.img\"");
	CHECK_ARGV(argv_builder_finish(&b), 0,
		   "hexdump", "-C", "-s", "64", "/boot/initrd.img");
	argv_builder_free(&b);
}

static void test_missing_argument(void **state)
{
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, NULL);
	/* A hole keeps its place (later arguments keep their index) and
	 * the argv is marked cut like a truncated one. */
	FEED(&b, "argc", "3", "a0", "\"tail\"", "a2", "\"x\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_INCOMPLETE | ARGV_TRUNCATED,
		   "tail", "", "x");
	argv_builder_free(&b);
}

static void test_argc_mismatch(void **state)
{
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, NULL);
	/* argc larger than the fields: what came is kept, nothing is made
	 * up, and the argv is marked cut like a truncated one. */
	FEED(&b, "argc", "5", "a0", "\"a\"", "a1", "\"b\"", "a2", "\"c\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_INCOMPLETE | ARGV_TRUNCATED,
		   "a", "b", "c");

	/* Issue 11: an EXECVE whose argc says 6 holding only a0-a3, the
	 * last record(s) lost. */
	argv_builder_reset(&b);
	FEED(&b, "argc", "6", "a0", "\"tail\"", "a1", "\"-c\"", "a2", "\"64\"",
	     "a3", "\"/boot/vmlinuz\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_INCOMPLETE | ARGV_TRUNCATED,
		   "tail", "-c", "64", "/boot/vmlinuz");

	/* The same argv complete: no flag. */
	argv_builder_reset(&b);
	FEED(&b, "argc", "4", "a0", "\"tail\"", "a1", "\"-c\"", "a2", "\"64\"",
	     "a3", "\"/boot/vmlinuz\"");
	CHECK_ARGV(argv_builder_finish(&b), 0,
		   "tail", "-c", "64", "/boot/vmlinuz");

	/* argc larger, nothing at all came: empty and marked. */
	argv_builder_reset(&b);
	FEED(&b, "argc", "2");
	check_argv(argv_builder_finish(&b), NULL, 0,
		   ARGV_INCOMPLETE | ARGV_TRUNCATED);

	/* argc smaller than the fields: the fields win. */
	argv_builder_reset(&b);
	FEED(&b, "argc", "1", "a0", "\"a\"", "a1", "\"b\"", "a2", "\"c\"");
	CHECK_ARGV(argv_builder_finish(&b), 0, "a", "b", "c");

	/* No argc at all. */
	argv_builder_reset(&b);
	FEED(&b, "a0", "\"a\"", "a1", "\"b\"");
	CHECK_ARGV(argv_builder_finish(&b), 0, "a", "b");

	/* argc=0 (kernels before 5.18) and nothing else. */
	argv_builder_reset(&b);
	FEED(&b, "argc", "0");
	check_argv(argv_builder_finish(&b), NULL, 0, 0);

	/* Nothing at all: an empty, non-NULL vector. */
	argv_builder_reset(&b);
	check_argv(argv_builder_finish(&b), NULL, 0, 0);

	/* Empty argv[0] of kernels >= 5.18: present, not missing. */
	argv_builder_reset(&b);
	FEED(&b, "argc", "1", "a0", "\"\"");
	CHECK_ARGV(argv_builder_finish(&b), 0, "");
	argv_builder_free(&b);
}

/* Missing arguments are kept as empty ones only as many as came plus
 * ARGV_MAX_HOLES: a lone a131071 makes no alert of 131,072 arguments. */
static void test_holes_bounded(void **state)
{
	struct argv_builder b;
	const struct argv *r;
	char name[16];
	uint32_t i;

	(void)state;
	argv_builder_init(&b, NULL);
	/* four arguments and a131071: the argv ends before the 70th hole
	 * (5 present + 64), cut */
	FEED(&b, "argc", "2147483648", "a0", "\"tail\"", "a1", "\"-c\"",
	     "a2", "\"1\"", "a3", "\"/boot/x\"", "a131071", "\"y\"");
	r = argv_builder_finish(&b);
	assert_int_equal(r->argc, 4 + 5 + ARGV_MAX_HOLES);
	assert_int_equal(r->flags, ARGV_INCOMPLETE | ARGV_TRUNCATED);
	check_arg(r, 3, "/boot/x");
	check_arg(r, r->argc - 1, "");

	/* exactly present (2) + ARGV_MAX_HOLES holes: all kept, the last
	 * argument too */
	argv_builder_reset(&b);
	argv_builder_field(&b, "a0", "\"a\"");
	snprintf(name, sizeof(name), "a%u", 3 + ARGV_MAX_HOLES);
	argv_builder_field(&b, name, "\"z\"");
	r = argv_builder_finish(&b);
	assert_int_equal(r->argc, 4 + ARGV_MAX_HOLES);
	check_arg(r, r->argc - 1, "z");
	assert_int_equal(r->flags, ARGV_INCOMPLETE | ARGV_TRUNCATED);
	/* one hole more: the argument after them goes */
	argv_builder_reset(&b);
	argv_builder_field(&b, "a0", "\"a\"");
	snprintf(name, sizeof(name), "a%u", 4 + ARGV_MAX_HOLES);
	argv_builder_field(&b, name, "\"z\"");
	r = argv_builder_finish(&b);
	assert_int_equal(r->argc, 3 + ARGV_MAX_HOLES);
	check_arg(r, r->argc - 1, "");

	/* records lost in the middle of a long argv: 1000 present, 1000
	 * missing, all kept in place */
	argv_builder_reset(&b);
	for (i = 0; i < 2000; i++) {
		if (i >= 500 && i < 1500)
			continue;
		snprintf(name, sizeof(name), "a%u", i);
		argv_builder_field(&b, name, "\"x\"");
	}
	r = argv_builder_finish(&b);
	assert_int_equal(r->argc, 2000);
	check_arg(r, 1999, "x");
	check_arg(r, 1000, "");
	argv_builder_free(&b);
}

static void test_duplicates(void **state)
{
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, NULL);
	FEED(&b, "argc", "4", "argc", "7",
	     "a0", "\"first\"", "a0", "\"second\"",
	     "a1[0]", "\"ab\"", "a1[0]", "\"XX\"", "a1[1]", "6364",
	     "a1[1]", "\"YY\"", "a1", "\"whole\"",
	     "a2", "\"whole\"", "a2[0]", "\"zz\"", "a2[1]", "\"zz\"",
	     "a3", "\"x\"", "a3", "2F");
	assert_int_equal(b.argc_field, 4);
	CHECK_ARGV(argv_builder_finish(&b), 0, "first", "abcd", "whole", "x");
	argv_builder_free(&b);
}

static void test_chunk_gap(void **state)
{
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, NULL);
	FEED(&b, "argc", "1", "a0[0]", "\"ab\"", "a0[2]", "\"ef\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_INCOMPLETE | ARGV_TRUNCATED,
		   "abef");

	/* The first chunk is missing. */
	argv_builder_reset(&b);
	FEED(&b, "argc", "1", "a0[1]", "\"cd\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_INCOMPLETE | ARGV_TRUNCATED,
		   "cd");

	/* A late lower chunk after a gap is a duplicate position: dropped. */
	argv_builder_reset(&b);
	FEED(&b, "a0[0]", "\"a\"", "a0[2]", "\"c\"", "a0[1]", "\"b\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_INCOMPLETE | ARGV_TRUNCATED,
		   "ac");
	argv_builder_free(&b);
}

static void test_bad_encoding(void **state)
{
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, NULL);
	FEED(&b, "argc", "1", "a0", "2G");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_BAD_ENCODING, "2G");

	argv_builder_reset(&b);
	FEED(&b, "a0", "ABC");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_BAD_ENCODING, "ABC");

	argv_builder_reset(&b);
	FEED(&b, "a0", "\"abc");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_BAD_ENCODING, "\"abc");

	argv_builder_reset(&b);
	FEED(&b, "a0", "\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_BAD_ENCODING, "\"");

	argv_builder_reset(&b);
	FEED(&b, "a0", "(null)");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_BAD_ENCODING, "(null)");

	/* A bad chunk is kept literally, the good ones are decoded. */
	argv_builder_reset(&b);
	FEED(&b, "a0[0]", "41", "a0[1]", "4", "a0[2]", "\"z\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_BAD_ENCODING, "A4z");

	/* A non-numeric argc is ignored and flagged. */
	argv_builder_reset(&b);
	FEED(&b, "argc", "2x", "a0", "\"a\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_BAD_ENCODING, "a");
	assert_false(b.have_argc);
	argv_builder_free(&b);
}

static void test_nul_in_hex(void **state)
{
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, NULL);
	FEED(&b, "argc", "4", "a0", "41004243",
	     "a1[0]", "4142", "a1[1]", "0043", "a1[2]", "\"zz\"",
	     "a2", "00", "a3", "\"\"");
	CHECK_ARGV(argv_builder_finish(&b), 0, "A", "AB", "", "");
	argv_builder_free(&b);
}

static void test_bad_names_ignored(void **state)
{
	static const char *const junk[] = {
		"a", "a+1", "a-1", "a 1", "a1x", "a01", "a00", "a1[", "a1[]",
		"a1[0", "a1[0]x", "a1[+0]", "a1[-0]", "a1[01]", "a1[0]]",
		"a99999999999", "a4294967296", "a1[4294967295]",
		"a1[99999999999]", "a1_len", "a2_len", "a3_len", "b1",
		"argcx", "ARGC", "", "A1",
	};
	struct argv_builder b;
	size_t i;

	(void)state;
	argv_builder_init(&b, NULL);
	FEED(&b, "argc", "2", "a0", "\"ok\"");
	for (i = 0; i < ARRAY_SIZE(junk); i++)
		argv_builder_field(&b, junk[i], "\"JUNK\"");
	argv_builder_field(&b, NULL, "\"JUNK\"");
	argv_builder_field(&b, "a1", NULL);
	FEED(&b, "a1", "\"one\"");
	CHECK_ARGV(argv_builder_finish(&b), 0, "ok", "one");

	/* The largest valid index parses but is beyond max_args. */
	argv_builder_reset(&b);
	FEED(&b, "a0", "\"ok\"", "a4294967295", "\"x\"",
	     "a4294967295[0]", "\"x\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_TRUNCATED, "ok");
	argv_builder_free(&b);
}

static void test_max_args(void **state)
{
	struct argv_limits lim = { .max_total_bytes = 1024, .max_args = 2 };
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, &lim);
	FEED(&b, "argc", "4", "a0", "\"a\"", "a1", "\"b\"", "a2", "\"c\"",
	     "a3[0]", "\"d\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_TRUNCATED, "a", "b");

	/* Exactly max_args: nothing cut. */
	argv_builder_reset(&b);
	FEED(&b, "argc", "2", "a0", "\"a\"", "a1", "\"b\"");
	CHECK_ARGV(argv_builder_finish(&b), 0, "a", "b");
	argv_builder_free(&b);
}

static void test_max_total_bytes(void **state)
{
	struct argv_limits lim = { .max_total_bytes = 10, .max_args = 16 };
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, &lim);
	FEED(&b, "argc", "4", "a0", "\"hello\"", "a1", "776F726C6421",
	     "a2", "\"x\"", "a3[0]", "\"y\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_TRUNCATED,
		   "hello", "world", "", "");

	/* Exactly the limit: nothing cut. */
	argv_builder_reset(&b);
	FEED(&b, "a0", "\"hello\"", "a1[0]", "\"wor\"", "a1[1]", "\"ld\"");
	CHECK_ARGV(argv_builder_finish(&b), 0, "hello", "world");

	/* Cut inside a chunk. */
	argv_builder_reset(&b);
	FEED(&b, "a0", "\"hello\"", "a1[0]", "\"wor\"", "a1[1]", "\"ld!\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_TRUNCATED, "hello", "world");
	argv_builder_free(&b);
}

static void test_max_arg_bytes(void **state)
{
	const size_t max = ARGV_MAX_ARG_BYTES;
	struct argv_limits lim = { .max_total_bytes = 4 * max, .max_args = 8 };
	char *big = malloc(max + 8), *q, *h, name[32];
	struct argv_builder b;
	const struct argv *r;
	size_t i, off;

	(void)state;
	assert_non_null(big);
	memset(big, 'x', max + 8);
	argv_builder_init(&b, &lim);

	/* Exactly ARGV_MAX_ARG_BYTES is kept whole. */
	q = quoted_run('x', max);
	argv_builder_field(&b, "a0", q);
	free(q);
	/* One more byte is cut. */
	q = quoted_run('x', max + 1);
	argv_builder_field(&b, "a1", q);
	free(q);
	r = argv_builder_finish(&b);
	assert_int_equal(r->argc, 2);
	check_bytes(r, 0, big, max);
	check_bytes(r, 1, big, max);
	assert_int_equal(r->total_bytes, 2 * max);
	assert_int_equal(r->flags, ARGV_TRUNCATED);

	/* Split hex chunks of 3750 bytes: the cut falls inside a chunk, and
	 * later chunks only add to the flag. */
	argv_builder_reset(&b);
	h = to_hex(big, 3750, true);
	for (i = 0, off = 0; off < max + 3 * 3750; i++, off += 3750) {
		snprintf(name, sizeof(name), "a0[%zu]", i);
		argv_builder_field(&b, name, h);
	}
	free(h);
	r = argv_builder_finish(&b);
	assert_int_equal(r->argc, 1);
	check_bytes(r, 0, big, max);
	assert_int_equal(r->flags, ARGV_TRUNCATED);

	/* A NUL right at the limit ends the argument: nothing is cut. */
	argv_builder_reset(&b);
	big[max] = '\0';
	h = to_hex(big, max + 1, true);
	argv_builder_field(&b, "a0", h);
	free(h);
	r = argv_builder_finish(&b);
	check_bytes(r, 0, big, max);
	assert_int_equal(r->flags, 0);

	argv_builder_free(&b);
	free(big);
}

static void test_huge_argc(void **state)
{
	static const char *const huge[] = {
		"4294967295", "1000000000", "99999999999999999999",
	};
	struct argv_limits small = { .max_total_bytes = 64, .max_args = 4 };
	struct argv_builder b;
	const struct argv *r;
	size_t i;

	(void)state;
	argv_builder_init(&b, NULL);
	for (i = 0; i < ARRAY_SIZE(huge); i++) {
		argv_builder_reset(&b);
		FEED(&b, "a0", "\"x\"");
		argv_builder_field(&b, "argc", huge[i]);
		r = argv_builder_finish(&b);
		/* Never padded: the one argument that came, marked cut. */
		assert_int_equal(r->argc, 1);
		assert_int_equal(r->flags, ARGV_TRUNCATED | ARGV_INCOMPLETE);
		check_arg(r, 0, "x");
		assert_true(b.out_cap <= 16);
		/* Slots are only made for the indexes seen. */
		assert_true(b.slots_cap <= 16);
	}
	argv_builder_free(&b);

	argv_builder_init(&b, &small);
	FEED(&b, "argc", "1000000000", "a0", "\"x\"", "a1", "\"y\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_TRUNCATED | ARGV_INCOMPLETE,
		   "x", "y");
	assert_true(b.out_cap <= 4);

	/* More fields than max_args: the limit cut them (truncated), no
	 * argument is missing. */
	argv_builder_reset(&b);
	FEED(&b, "argc", "6", "a0", "\"a\"", "a1", "\"b\"", "a2", "\"c\"",
	     "a3", "\"d\"", "a4", "\"e\"", "a5", "\"f\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_TRUNCATED,
		   "a", "b", "c", "d");
	argv_builder_free(&b);
}

/* Feed n arguments "<i>" (quoted) or hex "<i> " alternately, check them. */
static void many_args(uint32_t n)
{
	struct argv_limits lim = { .max_total_bytes = 16u * 1024 * 1024,
				   .max_args = 1u << 20 };
	struct argv_builder b;
	const struct argv *r;
	char name[32], val[64], exp[32], *h;
	double t0, t1;
	uint32_t i;
	int len;

	argv_builder_init(&b, &lim);
	t0 = now();
	snprintf(val, sizeof(val), "%u", n);
	argv_builder_field(&b, "argc", val);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "a%u", i);
		if (i % 2) {
			len = snprintf(exp, sizeof(exp), "%u ", i);
			h = to_hex(exp, (size_t)len, true);
			argv_builder_field(&b, name, h);
			free(h);
		} else {
			snprintf(val, sizeof(val), "\"%u\"", i);
			argv_builder_field(&b, name, val);
		}
	}
	r = argv_builder_finish(&b);
	t1 = now();
	assert_int_equal(r->argc, n);
	assert_int_equal(r->flags, 0);
	for (i = 0; i < n; i++) {
		snprintf(exp, sizeof(exp), i % 2 ? "%u " : "%u", i);
		check_arg(r, i, exp);
	}
	/* Linear work: well under a second even with sanitizers; a
	 * quadratic pass over 10^5 arguments would take far longer. */
	assert_true(t1 - t0 < 5.0);
	argv_builder_free(&b);
}

static void test_100000_args(void **state)
{
	(void)state;
	many_args(100000);
}

static void test_70000_args(void **state)
{
	struct argv_builder b;
	const struct argv *r;
	char name[32], val[32];
	uint32_t i;

	(void)state;
	many_args(70000);

	/* Indexes above 2^16 stay distinct from the low ones. */
	argv_builder_init(&b, NULL);
	for (i = 0; i < 70000; i++) {
		snprintf(name, sizeof(name), "a%u", i);
		snprintf(val, sizeof(val), "\"%u\"", i);
		argv_builder_field(&b, name, val);
	}
	r = argv_builder_finish(&b);
	assert_int_equal(r->argc, 70000);
	check_arg(r, 0, "0");
	check_arg(r, 65535, "65535");
	check_arg(r, 65536, "65536");
	check_arg(r, 69999, "69999");
	argv_builder_free(&b);
}

static void test_reuse_after_reset(void **state)
{
	struct argv_builder b;
	const char *buf;
	const void *slots, *out;
	size_t buf_cap;
	int round;

	(void)state;
	argv_builder_init(&b, NULL);
	FEED(&b, "argc", "6", "a0", "\"dd\"", "a1", "\"if=/boot/vmlinuz\"",
	     "a2[0]", "\"skip=\"", "a2[1]", "3130", "a5", "\"z\"");
	CHECK_ARGV(argv_builder_finish(&b), ARGV_INCOMPLETE | ARGV_TRUNCATED,
		   "dd", "if=/boot/vmlinuz", "skip=10", "", "", "z");
	buf = b.buf;
	buf_cap = b.buf_cap;
	slots = b.slots;
	out = b.out;

	for (round = 0; round < 3; round++) {
		argv_builder_reset(&b);
		/* Stale slots 2..5 of the first event must not leak in. */
		FEED(&b, "argc", "3", "a0", "\"tail\"", "a2", "\"-c5\"");
		CHECK_ARGV(argv_builder_finish(&b),
			   ARGV_INCOMPLETE | ARGV_TRUNCATED, "tail", "", "-c5");
		argv_builder_reset(&b);
		FEED(&b, "a0", "\"x\"", "a1[1]", "\"y\"", "a2", "\"w\"",
		     "a3", "\"q\"");
		CHECK_ARGV(argv_builder_finish(&b),
			   ARGV_INCOMPLETE | ARGV_TRUNCATED, "x", "y", "w", "q");
		argv_builder_reset(&b);
		FEED(&b, "argc", "2", "a0", "\"a\"", "a1", "\"b\"");
		CHECK_ARGV(argv_builder_finish(&b), 0, "a", "b");
	}
	/* No allocation in steady state. */
	assert_ptr_equal(b.buf, buf);
	assert_int_equal(b.buf_cap, buf_cap);
	assert_ptr_equal(b.slots, slots);
	assert_ptr_equal(b.out, out);
	argv_builder_free(&b);
}

static void test_interleaved_chunks(void **state)
{
	struct argv_builder b;

	(void)state;
	argv_builder_init(&b, NULL);
	FEED(&b, "argc", "4", "a0", "\"p\"",
	     "a1[0]", "\"aa\"", "a2[0]", "\"bb\"", "a1[1]", "\"cc\"",
	     "a3", "\"mid\"", "a2[1]", "6464", "a1[2]", "\"ee\"",
	     "a2[2]", "\"ff\"", "a1[3]", "\"gg\"");
	CHECK_ARGV(argv_builder_finish(&b), 0,
		   "p", "aaccee" "gg", "bbddff", "mid");
	argv_builder_free(&b);
}

/* Many rounds of interleaved chunks: linear time, bounded memory. */
static void test_interleaved_many(void **state)
{
	enum { NARG = 3, ROUNDS = 2000, CHUNK = 50 };
	static char exp[NARG][ROUNDS * CHUNK];
	struct argv_builder b;
	const struct argv *r;
	char name[32], *q[NARG];
	double t0;
	int a, i;

	(void)state;
	for (a = 0; a < NARG; a++) {
		q[a] = quoted_run((char)('k' + a), CHUNK);
		memset(exp[a], 'k' + a, sizeof(exp[a]));
	}
	argv_builder_init(&b, NULL);
	t0 = now();
	for (i = 0; i < ROUNDS; i++) {
		for (a = 0; a < NARG; a++) {
			snprintf(name, sizeof(name), "a%d[%d]", a, i);
			argv_builder_field(&b, name, q[a]);
		}
	}
	r = argv_builder_finish(&b);
	assert_true(now() - t0 < 5.0);
	assert_int_equal(r->argc, NARG);
	for (a = 0; a < NARG; a++)
		check_bytes(r, (uint32_t)a, exp[a], sizeof(exp[a]));
	assert_int_equal(r->flags, 0);
	/* Abandoned regions stay a small multiple of the bytes kept. */
	assert_true(b.buf_cap <= 8 * r->total_bytes);
	argv_builder_free(&b);
	for (a = 0; a < NARG; a++)
		free(q[a]);
}

static void decode_ok(const char *raw, size_t cap, bool ret, const void *exp,
		      size_t exp_len, bool exp_cut)
{
	char out[64];
	size_t len = 12345;
	bool cut = !exp_cut;

	assert_true(cap <= sizeof(out));
	memset(out, 'Q', sizeof(out));
	assert_int_equal(audit_value_decode(raw, strlen(raw), out, cap,
					    &len, &cut), ret);
	assert_int_equal(len, exp_len);
	if (exp_len)
		assert_memory_equal(out, exp, exp_len);
	assert_int_equal(out[exp_len], '\0');
	assert_int_equal(cut, exp_cut);
	/* Nothing written past cap. */
	if (cap < sizeof(out))
		assert_int_equal(out[cap], 'Q');
}

static void test_value_decode(void **state)
{
	char out[16];
	size_t len;
	bool cut;

	(void)state;
	decode_ok("\"/usr/bin/tail\"", 64, true, "/usr/bin/tail", 13, false);
	decode_ok("2F626F6F742F6D79206B65726E656C", 64, true,
		  "/boot/my kernel", 15, false);
	decode_ok("2f626f6f74", 64, true, "/boot", 5, false);
	decode_ok("(null)", 64, false, "(null)", 6, false);
	decode_ok("ABC", 64, false, "ABC", 3, false);
	decode_ok("\"abc", 64, false, "\"abc", 4, false);
	decode_ok("4G", 64, false, "4G", 2, false);
	decode_ok("", 64, false, "", 0, false);
	decode_ok("\"\"", 64, true, "", 0, false);
	/* Cut by cap. */
	decode_ok("\"abcdef\"", 4, true, "abc", 3, true);
	decode_ok("\"abc\"", 4, true, "abc", 3, false);
	decode_ok("41424344", 3, true, "AB", 2, true);
	decode_ok("414243", 4, true, "ABC", 3, false);
	decode_ok("(null)", 4, false, "(nu", 3, true);
	decode_ok("\"x\"", 1, true, "", 0, true);
	decode_ok("\"\"", 1, true, "", 0, false);
	/* NUL ends the value; at the cut point it is not a cut. */
	decode_ok("410042", 64, true, "A", 1, false);
	decode_ok("410042", 2, true, "A", 1, false);
	decode_ok("00", 64, true, "", 0, false);

	/* raw_len bounds the input; a NUL inside quotes ends the value. */
	assert_true(audit_value_decode("\"abc\"xyz", 5, out, sizeof(out),
				       &len, &cut));
	assert_int_equal(len, 3);
	assert_string_equal(out, "abc");
	assert_false(cut);
	assert_true(audit_value_decode("\"a\0b\"", 5, out, sizeof(out),
				       &len, &cut));
	assert_int_equal(len, 1);
	assert_string_equal(out, "a");
	assert_false(cut);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_hex_lower_case),
		cmocka_unit_test(test_split_three_chunks_mixed),
		cmocka_unit_test(test_corpus_long_split),
		cmocka_unit_test(test_several_records),
		cmocka_unit_test(test_missing_argument),
		cmocka_unit_test(test_argc_mismatch),
		cmocka_unit_test(test_holes_bounded),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_chunk_gap),
		cmocka_unit_test(test_bad_encoding),
		cmocka_unit_test(test_nul_in_hex),
		cmocka_unit_test(test_bad_names_ignored),
		cmocka_unit_test(test_max_args),
		cmocka_unit_test(test_max_total_bytes),
		cmocka_unit_test(test_max_arg_bytes),
		cmocka_unit_test(test_huge_argc),
		cmocka_unit_test(test_100000_args),
		cmocka_unit_test(test_70000_args),
		cmocka_unit_test(test_reuse_after_reset),
		cmocka_unit_test(test_interleaved_chunks),
		cmocka_unit_test(test_interleaved_many),
		cmocka_unit_test(test_value_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
