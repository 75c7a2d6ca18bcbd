/*
 * test_eql_set.c - many queries evaluated together (eql_set.h): the gate
 * read off each query, and the set's answers against eql_eval's on many
 * events built from the queries' own literals, their case variants and
 * near misses, folded and not. (The text a regex gives a gate is tested
 * with the regexes, in test_eql.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs_event.h"
#include "eql.h"
#include "eql_set.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static unsigned fld(const char *name)
{
	int i = ecs_field_find(name, strlen(name));

	if (i < 0) {
		fail_msg("no field '%s' in the ECS table", name);
		return 0;
	}
	return (unsigned)i;
}

static struct eql_query *compile_or_fail(const char *text)
{
	char err[512];
	struct eql_query *q = eql_compile(text, strlen(text), err, sizeof(err));

	if (!q)
		fail_msg("%s: %s", text, err);
	return q;
}

/* ---- gates ---------------------------------------------------------------- */

/* What each query's gate is, once its constants are folded. */
static void test_gates(void **state)
{
	static const struct {
		const char *q, *gate;
	} c[] = {
		{ "process where process.name == \"curl\"",
		  "process.name == \"curl\"" },
		{ "process where process.name : \"CURL\"",
		  "process.name ==~ \"curl\"" },
		{ "process where event.type == \"start\" and process.name in (\"curl\", \"wget\")",
		  "process.name == \"curl\" | process.name == \"wget\"" },
		{ "process where process.executable like \"/tmp/*\"",
		  "process.executable ^= \"/tmp/\"" },
		{ "process where process.executable like~ \"*.SH\"",
		  "process.executable $=~ \".sh\"" },
		{ "process where process.command_line like \"*curl*\"",
		  "process.command_line *= \"curl\"" },
		/* a pattern's fixed start, end or middle: the rarest */
		{ "process where process.args like \"/home/*/.ssh/*\"",
		  "process.args ^= \"/home/\"" },
		{ "process where process.args like \"*/x*/.ssh/authorized_keys\"",
		  "process.args $= \"/.ssh/authorized_keys\"" },
		{ "process where process.args like \"?*kernel.core_pattern*\"",
		  "process.args *= \"kernel.core_pattern\"" },
		/* an OR needs both sides, an AND its rarest side */
		{ "process where process.name == \"ab\" or process.parent.name == \"cd\"",
		  "process.name == \"ab\" | process.parent.name == \"cd\"" },
		{ "process where process.name in (\"a\", \"b\", \"c\") and process.args == \"--dangerous\"",
		  "process.args == \"--dangerous\"" },
		{ "process where process.args == \"-c\" and process.name == \"python3\"",
		  "process.name == \"python3\"" },
		{ "process where startsWith~(process.name, \"Py\")",
		  "process.name ^=~ \"py\"" },
		{ "process where endsWith(process.name, \"d\") and process.pid > 3",
		  "process.name $= \"d\"" },
		{ "process where stringContains(process.command_line, \"--x\")",
		  "process.command_line *= \"--x\"" },
		{ "process where process.args == \"\"", "process.args == \"\"" },
		/* regexes: the plain text every match holds */
		{ "process where process.name regex \"abc.*\"",
		  "process.name ^= \"abc\"" },
		{ "process where process.name regex~ \".*[0-9]FooBar\"",
		  "process.name $=~ \"foobar\"" },
		{ "process where process.command_line regex \".*[0-9]x\\\\.hexdump[0-9].*\"",
		  "process.command_line *= \"x.hexdump\"" },
		{ "process where process.name regex \"ab?c\"", "process.name ^= \"a\"" },
		{ "process where process.name regex \"a\\\"bc\\\"d\"",
		  "process.name ^= \"abcd\"" },
		/* ... or one of the characters of a class it ends with */
		{ "process where process.executable regex~ \"/[a-z]+\\\\s\"",
		  "process.executable $=~ \"\\x09\" | process.executable $=~ \"\\x0a\" | "
		  "process.executable $=~ \"\\x0d\" | process.executable $=~ \" \"" },
		/* absent fields read null: that side can never hold */
		{ "process where ?process.env_vars == \"x\" or process.name == \"yy\"",
		  "process.name == \"yy\"" },
		/* no gate: run on every event */
		{ "process where process.name == \"x\" or process.pid > 3", "always" },
		{ "process where not process.name == \"x\"", "always" },
		{ "process where process.name != \"x\"", "always" },
		{ "process where process.args : \"*\"", "always" },
		{ "process where process.name like \"*?*\"", "always" },
		{ "process where process.name regex \"a|b\"", "always" },
		{ "process where process.name regex \"(ab)c?\"", "always" },
		{ "process where process.name regex \"[a-z]x*\"", "always" },
		{ "process where process.name regex \"[a-c]x*\"",
		  "process.name ^= \"a\" | process.name ^= \"b\" | process.name ^= \"c\"" },
		{ "process where stringContains(process.command_line, process.name)", "always" },
		{ "process where process.name == null", "always" },
		/* false whatever the exec */
		{ "process where event.type == \"end\" and process.name == \"x\"", "never" },
		{ "process where ?process.env_vars : \"HISTFILE=*\"", "never" },
	};
	char gate[1024];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		struct eql_query *q = compile_or_fail(c[i].q);
		struct eql_set *s;

		eql_query_fold_constants(q);
		s = eql_set_new(&q, 1);
		assert_non_null(s);
		eql_set_gate(s, 0, gate, sizeof(gate));
		if (strcmp(gate, c[i].gate) != 0)
			fail_msg("%s: gate '%s', want '%s'", c[i].q, gate, c[i].gate);
		eql_set_free(s);
		eql_free(q);
	}
}

/* A NULL query is not in the set; the counts say what the gates are. */
static void test_stats(void **state)
{
	struct eql_query *q[4] = {
		compile_or_fail("process where process.name == \"x\""),
		NULL,
		compile_or_fail("process where process.pid > 1"),
		compile_or_fail("process where event.type == \"end\""),
	};
	struct eql_set_stats st;
	struct eql_set *s;
	char gate[64];

	(void)state;
	eql_query_fold_constants(q[3]);
	s = eql_set_new(q, 4);
	assert_non_null(s);
	eql_set_stats(s, &st);
	assert_int_equal(st.queries, 3);
	assert_int_equal(st.gated, 1);
	assert_int_equal(st.always, 1);
	assert_int_equal(st.never, 1);
	assert_int_equal(st.atoms, 1);
	assert_int_equal(st.fields, 1);
	eql_set_gate(s, 1, gate, sizeof(gate));
	assert_string_equal(gate, "");
	eql_set_gate(s, 9, gate, sizeof(gate));
	assert_string_equal(gate, "");
	eql_set_free(s);
	for (size_t i = 0; i < 4; i++)
		eql_free(q[i]);
	/* an empty set evaluates to nothing */
	s = eql_set_new(NULL, 0);
	assert_non_null(s);
	eql_set_free(s);
}

/* ---- the set's answers ----------------------------------------------------- */

/* Queries over every kind of atom, several sharing atoms and fields. */
static const char *const queries[] = {
	"process where process.name == \"curl\"",
	"process where process.name : (\"CURL\", \"wget\")",
	"process where process.name in~ (\"Sh\", \"bash\") and process.args == \"-c\"",
	"process where process.name like (\"python*\", \"*.sh\", \"*sap*\")",
	"process where process.name like~ (\"PY*\", \"*.SH\", \"*SAP*\")",
	"process where process.name like (\"p?thon\", \"*y*h*\", \"x*y\")",
	"process where process.executable like (\"/tmp/*\", \"/dev/shm/*\") or process.name : \".*\"",
	"process where process.args like~ (\"/TMP/*\", \"*/.ssh/*\", \"*.so\") and process.name != \"ls\"",
	"process where process.args : (\"-c\", \"--yolo\", \"\") and process.args_count > 1",
	"process where process.command_line : (\"*curl *\", \"*|*sh*\") or process.command_line like \"sh -c*\"",
	"process where process.command_line like (\"*/proc/sys/kernel/core_pattern*\", \"*KERNEL.core*\")",
	"process where process.parent.name in (\"sh\", \"bash\") and process.name in (\"curl\", \"wget\")",
	"process where process.parent.args like (\"/tmp/*\", \"*.py\") or process.parent.command_line like~ \"*FLASK*\"",
	"process where startsWith(process.name, \"py\") or endsWith~(process.executable, \"/SH\")",
	"process where stringContains~(process.command_line, \"Curl\") and not startsWith(process.name, \"c\")",
	"process where process.name regex \"py(thon)?[0-9]*\" or process.executable regex~ \".*/BIN/sh\"",
	"process where process.args regex \"-[a-z]+\\\\.so\" or process.command_line regex \".*[0-9]{1,3}\\\\.[0-9]{1,3}.*\"",
	"process where process.executable regex \"/[a-z/]+\\\\s\" or process.name regex~ \"[0-9]X.*\"",
	"process where process.working_directory like (\"/tmp\", \"/home/*/.kube\") and process.args : \"config\"",
	"process where user.id == \"0\" and process.executable like \"/var/run/*\"",
	"process where event.type == \"start\" and event.action == \"exec\" and process.name == \"sh\"",
	"process where event.type == \"end\" or process.name == \"bash\"",
	"process where ?process.env_vars == \"X\" or process.parent.executable : \"/usr/bin/python*\"",
	"process where not process.name in (\"sh\", \"curl\") and process.args like \"*sap*\"",
	"process where process.name == null or process.parent.name == \"bash\"",
	"process where length(process.name) > 4 and process.name like \"*h*\"",
	"process where process.args == \"-c\" and process.args : \"*curl*\" and process.parent.name : \"SH\"",
};

/* Values made of the queries' literals, their case variants, near misses
 * and empties; an event takes one of them per field (or none). */
static const char *const pool[] = {
	"curl", "CURL", "Curl", "curl ", "wget", "sh", "Sh", "SH", "bash", "bas",
	"python", "python3", "Python3", "pythn", "pyth", "p", "py", "x.sh",
	"X.SH", ".sh", "sh.", "sapper", "SAP", "xy", "x-y", "xzy", ".hidden",
	"/tmp/x", "/TMP/x", "/tmp", "/dev/shm/a", "/home/u/.ssh/id", "/HOME/u/.SSH/k",
	"a.so", "A.SO", ".so", "-c", "-C", "--yolo", "", "config", "CONFIG",
	"sh -c curl x", "sh -c 'x | sh'", "echo /proc/sys/kernel/core_pattern",
	"kernel.core_pattern", "KERNEL.CORE", "x|sh", "/usr/bin/python3.11",
	"/USR/BIN/PYTHON", "/bin/sh", "/BIN/SH", "/bin/bash", "py27", "python12",
	"-x.so", "-ab.so", "1.2.3.4", "a1.2b", "/home/me/.kube", "/home/.kube",
	"/var/run/x", "/var/run", "0", "00", "ls", "flask run", "x FLASK y",
	"/tmp/a.py", "a.py", "start", "exec", "/bin/sh ", "/bin/sh\t", "/bin/sh\t.",
	"1xyz", "9X", "x9x",
};

struct gen {
	uint32_t seed;
	struct argv av[2];
	struct argv_arg arg[2][6];
};

static uint32_t rnd(struct gen *g)
{
	g->seed = g->seed * 1103515245u + 12345u;
	return g->seed >> 8;
}

static const char *pick(struct gen *g)
{
	return pool[rnd(g) % ARRAY_SIZE(pool)];
}

static void str_field(struct gen *g, struct eql_event *ev, const char *name)
{
	struct eql_value *v = &ev->f[fld(name)];
	const char *s;

	memset(v, 0, sizeof(*v));
	if (rnd(g) % 8 == 0)
		return; /* missing */
	s = pick(g);
	if (!s[0])
		return; /* an empty string is missing (ecs_event.h) */
	v->kind = EQL_STRING;
	v->s = s;
	v->n = strlen(s);
}

static void arr_field(struct gen *g, struct eql_event *ev, const char *name,
		      unsigned k)
{
	struct eql_value *v = &ev->f[fld(name)];
	uint32_t n = rnd(g) % 6;

	memset(v, 0, sizeof(*v));
	if (n == 5)
		return; /* missing */
	memset(&g->av[k], 0, sizeof(g->av[k]));
	for (uint32_t i = 0; i < n; i++) {
		g->arg[k][i].ptr = pick(g);
		g->arg[k][i].len = (uint32_t)strlen(g->arg[k][i].ptr);
	}
	g->av[k].argc = n;
	g->av[k].v = g->arg[k];
	v->kind = EQL_ARRAY;
	v->arr = &g->av[k];
	if (n == 1 && rnd(g) % 2) {
		/* a string where an array is expected: an array of one */
		v->kind = EQL_STRING;
		v->s = g->arg[k][0].ptr;
		v->n = g->arg[k][0].len;
		v->arr = NULL;
	}
}

static void gen_event(struct gen *g, struct eql_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	for (unsigned i = 0; i < ecs_nfields; i++)
		if (ecs_fields[i].flags & ECS_CONSTANT)
			ecs_fields[i].fill(NULL, NULL, &ev->f[i]);
	str_field(g, ev, "process.name");
	str_field(g, ev, "process.executable");
	str_field(g, ev, "process.command_line");
	str_field(g, ev, "process.working_directory");
	str_field(g, ev, "process.parent.name");
	str_field(g, ev, "process.parent.executable");
	str_field(g, ev, "process.parent.command_line");
	str_field(g, ev, "user.id");
	arr_field(g, ev, "process.args", 0);
	arr_field(g, ev, "process.parent.args", 1);
	ev->f[fld("process.args_count")].kind = EQL_NUMBER;
	ev->f[fld("process.args_count")].num = g->av[0].argc;
}

struct hits {
	bool hit[ARRAY_SIZE(queries)];
	size_t last;
	bool ordered;
};

static void on_hit(void *ctx, size_t i)
{
	struct hits *h = ctx;

	assert_true(i < ARRAY_SIZE(queries));
	if (h->last != SIZE_MAX && i <= h->last)
		h->ordered = false;
	h->last = i;
	h->hit[i] = true;
}

/* Every query, on thousands of events, says through the set what eql_eval
 * says of it as compiled, before and after folding its constants (the
 * events hold the constant rows); matches come in query order. */
static void test_same_answers(void **state)
{
	struct eql_query *q[ARRAY_SIZE(queries)], *ref[ARRAY_SIZE(queries)];
	static struct eql_event ev;
	struct gen g = { .seed = 13 };
	unsigned matched[ARRAY_SIZE(queries)] = { 0 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(queries); i++) {
		q[i] = compile_or_fail(queries[i]);
		ref[i] = compile_or_fail(queries[i]);
	}
	for (int folded = 0; folded < 2; folded++) {
		struct eql_set *s;

		if (folded)
			for (size_t i = 0; i < ARRAY_SIZE(queries); i++)
				eql_query_fold_constants(q[i]);
		s = eql_set_new(q, ARRAY_SIZE(queries));
		assert_non_null(s);
		for (int e = 0; e < 20000; e++) {
			struct hits h = { .last = SIZE_MAX, .ordered = true };

			gen_event(&g, &ev);
			eql_set_eval(s, &ev, on_hit, &h);
			assert_true(h.ordered);
			for (size_t i = 0; i < ARRAY_SIZE(queries); i++) {
				bool want = eql_eval(ref[i], &ev);

				if (eql_eval(q[i], &ev) != want)
					fail_msg("event %d, %s: folded %d, as compiled %d",
						 e, queries[i], !want, want);

				if (h.hit[i] != want) {
					char gate[1024];

					eql_set_gate(s, i, gate, sizeof(gate));
					fail_msg("event %d, %s: set %d, eql_eval %d (gate %s, folded %d)",
						 e, queries[i], h.hit[i], want, gate, folded);
				}
				matched[i] += want;
			}
		}
		eql_set_free(s);
	}
	/* the events reach every query */
	for (size_t i = 0; i < ARRAY_SIZE(queries); i++)
		if (!matched[i] && strstr(queries[i], "\"end\"") == NULL)
			fail_msg("no event matches %s", queries[i]);
	for (size_t i = 0; i < ARRAY_SIZE(queries); i++) {
		eql_free(q[i]);
		eql_free(ref[i]);
	}
}

/* A long value, many elements and substrings at its edges: found. */
static void test_long_values(void **state)
{
	struct eql_query *q[3] = {
		compile_or_fail("process where process.command_line like~ \"*NEEDLE*\""),
		compile_or_fail("process where process.args like (\"*.tail\", \"head.*\")"),
		compile_or_fail("process where process.args == \"exact\""),
	};
	static char big[131072 + 1];
	static struct argv_arg el[3000];
	struct argv av = { .v = el };
	static struct eql_event ev;
	struct hits h = { .last = SIZE_MAX, .ordered = true };
	struct eql_set *s = eql_set_new(q, 3);

	(void)state;
	assert_non_null(s);
	memset(big, 'e', sizeof(big) - 1);
	memcpy(big + sizeof(big) - 1 - 6, "needle", 6);
	memcpy(big, "head.", 5);
	memcpy(big + 60000, ".tail", 5);
	for (uint32_t i = 0; i < 3000; i++) {
		el[i].ptr = i == 2999 ? "exact" : big + 1 + i;
		el[i].len = i == 2999 ? 5 : 1000;
	}
	av.argc = 3000;
	ev.f[fld("process.command_line")].kind = EQL_STRING;
	ev.f[fld("process.command_line")].s = big;
	ev.f[fld("process.command_line")].n = sizeof(big) - 1;
	ev.f[fld("process.args")].kind = EQL_ARRAY;
	ev.f[fld("process.args")].arr = &av;
	eql_set_eval(s, &ev, on_hit, &h);
	assert_true(h.hit[0]);
	assert_false(h.hit[1]); /* no element starts with head. or ends .tail */
	assert_true(h.hit[2]);
	el[0].ptr = big; /* now "head.e...e.tail" */
	el[0].len = 60005;
	memset(&h, 0, sizeof(h));
	h.last = SIZE_MAX;
	eql_set_eval(s, &ev, on_hit, &h);
	assert_true(h.hit[1]);
	eql_set_free(s);
	for (size_t i = 0; i < 3; i++)
		eql_free(q[i]);
}

/* Substrings are looked for every few bytes (one less than the shortest
 * long one): found at every offset, in every case, and not when one byte
 * differs, at either end or in the middle. */
static void test_substring_offsets(void **state)
{
	static const char *const lit[] = { "abcdefghij", "ABCDEFGHIJK",
					   "0123456789xyz" };
	struct eql_query *q[2] = {
		compile_or_fail("process where process.command_line : (\"*abcdefghij*\", \"*0123456789xyz*\")"),
		compile_or_fail("process where process.command_line like \"*ABCDEFGHIJK*\""),
	};
	struct eql_set *s = eql_set_new(q, 2);
	static struct eql_event ev;
	char buf[128];

	(void)state;
	assert_non_null(s);
	for (size_t l = 0; l < ARRAY_SIZE(lit); l++)
		for (size_t off = 0; off < 20; off++)
			for (int miss = -1; miss < (int)strlen(lit[l]); miss++) {
				struct hits h = { .last = SIZE_MAX, .ordered = true };
				size_t n = strlen(lit[l]);
				bool want;

				memset(buf, '-', off);
				memcpy(buf + off, lit[l], n);
				if (l == 0 && off % 2)
					buf[off] = 'A'; /* case folds for : */
				if (miss >= 0)
					buf[off + (size_t)miss] = '~';
				memcpy(buf + off + n, "--", 3);
				memset(&ev, 0, sizeof(ev));
				ev.f[fld("process.command_line")].kind = EQL_STRING;
				ev.f[fld("process.command_line")].s = buf;
				ev.f[fld("process.command_line")].n = strlen(buf);
				eql_set_eval(s, &ev, on_hit, &h);
				want = miss < 0;
				if (h.hit[l == 1] != want ||
				    h.hit[l == 1] != eql_eval(q[l == 1], &ev))
					fail_msg("'%s': set %d, want %d", buf,
						 h.hit[l == 1], want);
			}
	eql_set_free(s);
	eql_free(q[0]);
	eql_free(q[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gates),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_same_answers),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_substring_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
