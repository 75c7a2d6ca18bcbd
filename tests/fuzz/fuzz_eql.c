/*
 * fuzz_eql.c - the EQL compiler and evaluator (include/eql.h).
 *
 * Input: byte 0 = mode, byte 1 = field presence mask, then
 *   QUERY \0 EXCEPTION \0 EVENT
 * where EVENT is '\n'-separated strings: process.name, process.executable,
 * process.working_directory, process.parent.name, process.parent.executable,
 * user.id, then the process args up to a line "--", then the parent args.
 *
 * Checks: error messages are NUL-terminated within errlen (errlen 0, 1, 9
 * and 512 are tried); a compiled query evaluates without touching memory it
 * should not; eql_add_exception(q, X) behaves as `q and not X` (compared
 * with X compiled on its own); a failed eql_add_exception leaves q as it
 * was; the compiled text of the shipped v2 rule agrees with rule.c's
 * hand-written reference (tests/v2_reference.c) on the fuzzed event; and
 * the query gives the same answer evaluated through an eql_set (its gate
 * must let every match through), with its constants folded
 * (eql_query_fold_constants: the event holds the constant rows), and
 * through an eql_set again once folded.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "ecs_event.h"
#include "eql.h"
#include "eql_set.h"
#include "rule.h"
#include "v2_reference.h"

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",   \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

#define MAX_STR 8
#define MAX_ARGS 64

struct fuzz_event {
	const char *s[MAX_STR];
	size_t n[MAX_STR];
	struct argv_arg a[MAX_ARGS], pa[MAX_ARGS];
	struct argv args, pargs;
	struct eql_event ev;
};

/* A field's ECS table row by name. */
static unsigned fld(const char *name)
{
	int i = ecs_field_find(name, strlen(name));

	CHECK(i >= 0);
	return (unsigned)i;
}

static void set_str(struct eql_value *v, const char *s, size_t n)
{
	v->kind = EQL_STRING;
	v->s = s;
	v->n = n;
}

static void set_num(struct eql_value *v, int64_t x)
{
	v->kind = EQL_NUMBER;
	v->num = x;
}

/* Split the event text into fields. Strings point into `text`, which the
 * caller keeps alive and NUL-terminates after every line. */
static void build_event(struct fuzz_event *fe, char *text, size_t len,
			uint8_t mode, uint8_t mask)
{
	size_t nstr = 0, i = 0;
	bool parent_part = false;

	memset(fe, 0, sizeof(*fe));
	fe->args.v = fe->a;
	fe->pargs.v = fe->pa;
	while (i <= len) {
		char *line = text + i;
		char *nl = memchr(line, '\n', len - i);
		size_t l = nl ? (size_t)(nl - line) : len - i;

		line[l] = '\0';
		i += l + 1;
		if (nstr < 6) {
			fe->s[nstr] = line;
			fe->n[nstr++] = l;
		} else if (!parent_part && l == 2 && memcmp(line, "--", 2) == 0) {
			parent_part = true;
		} else {
			struct argv *a = parent_part ? &fe->pargs : &fe->args;
			struct argv_arg *v = parent_part ? fe->pa : fe->a;

			if (a->argc < MAX_ARGS) {
				/* argv strings stop at their first NUL */
				v[a->argc].ptr = line;
				v[a->argc].len = (uint32_t)strlen(line);
				a->total_bytes += v[a->argc].len;
				a->argc++;
			}
		}
		if (!nl)
			break;
	}
	for (; nstr < 6; nstr++) {
		fe->s[nstr] = "";
		fe->n[nstr] = 0;
	}

	struct eql_value *f = fe->ev.f;
	set_str(&f[fld("host.os.type")], "linux", 5);
	set_str(&f[fld("event.type")], "start", 5);
	set_str(&f[fld("event.action")], "exec", 4);
	set_str(&f[fld("process.name")], fe->s[0], fe->n[0]);
	if (mask & 1)
		set_str(&f[fld("process.executable")], fe->s[1], fe->n[1]);
	f[fld("process.args")].kind = EQL_ARRAY;
	f[fld("process.args")].arr = &fe->args;
	set_num(&f[fld("process.args_count")], fe->args.argc);
	if (mask & 2)
		set_str(&f[fld("process.command_line")], fe->s[1], fe->n[1]);
	if (mask & 4)
		set_str(&f[fld("process.working_directory")], fe->s[2], fe->n[2]);
	set_num(&f[fld("process.pid")], (int64_t)mode * 1000 - 7);
	if (mode & 4) { /* parent known */
		set_str(&f[fld("process.parent.name")], fe->s[3], fe->n[3]);
		if (mask & 8)
			set_str(&f[fld("process.parent.executable")], fe->s[4], fe->n[4]);
		f[fld("process.parent.args")].kind = EQL_ARRAY;
		f[fld("process.parent.args")].arr = &fe->pargs;
		set_num(&f[fld("process.parent.args_count")], fe->pargs.argc);
		if (mask & 16)
			set_str(&f[fld("process.parent.command_line")], fe->s[4], fe->n[4]);
		set_num(&f[fld("process.parent.pid")], mask & 32 ? INT64_MIN : 1);
	}
	if (mask & 64)
		set_str(&f[fld("user.id")], fe->s[5], fe->n[5]);
	if (mask & 128) /* an odd value: numbers as strings, empty strings */
		set_str(&f[fld("process.pid")], "", 0);
}

static void check_err(const char *err, size_t errlen)
{
	if (errlen)
		CHECK(memchr(err, '\0', errlen) != NULL);
}

static const size_t errlens[4] = { 512, 0, 1, 9 };

static void on_set_match(void *ctx, size_t i)
{
	bool *hit = ctx;

	CHECK(i < 3);
	hit[i] = true;
}

/* q alone and among others in a set, folded and not: the same answer as
 * eql_eval. */
static void check_set(struct eql_query *q, struct eql_query *v2,
		      const struct eql_event *ev)
{
	struct eql_query *qs[3] = { v2, NULL, q };
	bool want = eql_eval(q, ev), want_v2 = eql_eval(v2, ev);

	for (int folded = 0; folded < 2; folded++) {
		struct eql_set *set;
		bool hit[3] = { false, false, false };

		if (folded) {
			eql_query_fold_constants(q);
			if (eql_eval(q, ev) != want) {
				fprintf(stderr, "folding changed the answer: %d\n", want);
				abort();
			}
		}
		set = eql_set_new(qs, 3);
		if (!set)
			continue; /* out of memory: allowed */
		eql_set_eval(set, ev, on_set_match, hit);
		if (hit[2] != want || hit[0] != want_v2 || hit[1]) {
			char gate[512];

			eql_set_gate(set, 2, gate, sizeof(gate));
			fprintf(stderr, "eql_set says %d, eql_eval %d (folded %d, gate %s)\n",
				hit[2], want, folded, gate);
			abort();
		}
		eql_set_free(set);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct eql_query *v2;
	static struct fuzz_event fe;
	char err[520];
	const char *q_text, *x_text = NULL, *e_text = NULL;
	size_t q_len, x_len = 0, e_len = 0, errlen;
	struct eql_query *q, *x = NULL;
	uint8_t mode, mask;
	char *copy;

	if (!v2) {
		v2 = eql_compile(rule_kernel_seeking_v2_query,
				 strlen(rule_kernel_seeking_v2_query), err,
				 sizeof(err));
		if (!v2) {
			fprintf(stderr, "the v2 query does not compile: %s\n", err);
			abort();
		}
	}
	if (size < 2)
		return 0;
	mode = data[0];
	mask = data[1];
	errlen = errlens[mode & 3];

	/* One heap copy of exactly the input, so ASan sees reads past it. */
	copy = malloc(size - 2 + 1);
	CHECK(copy != NULL);
	memcpy(copy, data + 2, size - 2);
	copy[size - 2] = '\0';
	q_text = copy;
	q_len = size - 2;
	{
		char *z = memchr(copy, '\0', q_len);

		if (z) {
			q_len = (size_t)(z - copy);
			x_text = z + 1;
			x_len = size - 2 - q_len - 1;
			z = memchr(x_text, '\0', x_len);
			if (z) {
				e_text = z + 1;
				e_len = x_len - (size_t)(z - x_text) - 1;
				x_len = (size_t)(z - x_text);
			}
		}
	}

	/* Compile with an exact-size copy of the query text. */
	char *qbuf = malloc(q_len ? q_len : 1);
	CHECK(qbuf != NULL);
	memcpy(qbuf, q_text, q_len);
	memset(err, 0x5a, sizeof(err));
	q = eql_compile(qbuf, q_len, errlen ? err : NULL, errlen);
	if (!q)
		check_err(err, errlen);

	char *xbuf = NULL;
	if (x_text) {
		xbuf = malloc(x_len ? x_len : 1);
		CHECK(xbuf != NULL);
		memcpy(xbuf, x_text, x_len);
		/* the exception on its own, as a query */
		size_t wl = strlen("process where ") + x_len;
		char *w = malloc(wl);
		CHECK(w != NULL);
		memcpy(w, "process where ", 14);
		memcpy(w + 14, xbuf, x_len);
		x = eql_compile(w, wl, NULL, 0);
		free(w);
	}

	build_event(&fe, (char *)(e_text ? e_text : copy + (size - 2)),
		    e_text ? e_len : 0, mode, mask);

	/* The shipped rule through the EQL engine == rule.c. */
	{
		struct rule_input in = {
			.name = fe.s[0], .name_len = fe.n[0],
			.args = &fe.args,
			.parent_args = (mode & 4) ? &fe.pargs : NULL,
		};
		bool a = eql_eval(v2, &fe.ev), b = rule_kernel_seeking_v2(&in);

		if (a != b) {
			fprintf(stderr, "v2: eql_eval says %d, rule.c says %d\n", a, b);
			abort();
		}
	}

	if (q) {
		bool before = eql_eval(q, &fe.ev);

		for (unsigned f = 0; f <= EQL_FIELDS_MAX; f++)
			(void)eql_query_uses(q, f);
		if (x_text) {
			memset(err, 0x5a, sizeof(err));
			int rc = eql_add_exception(q, xbuf, x_len,
						   errlen ? err : NULL, errlen);
			if (rc == 0) {
				bool after = eql_eval(q, &fe.ev);

				/* X compiles as an exception iff it compiles
				 * as "process where X". */
				CHECK(x != NULL);
				if (after != (before && !eql_eval(x, &fe.ev))) {
					fprintf(stderr, "exception: q=%d x=%d q-and-not-x=%d\n",
						before, eql_eval(x, &fe.ev), after);
					abort();
				}
			} else {
				CHECK(rc == -1);
				check_err(err, errlen);
				CHECK(eql_eval(q, &fe.ev) == before);
			}
		}
		check_set(q, v2, &fe.ev);
		eql_free(q);
	}
	eql_free(x);
	free(xbuf);
	free(qbuf);
	free(copy);
	return 0;
}
