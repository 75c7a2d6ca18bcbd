/*
 * test_event_assembly.c - records in, exec/fork events out, through the
 * real libauparse: recorded logs fed in chunks of every size give the same
 * events; the hard cases of the recordings come out byte-exact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "event_assembly.h"

struct seen {
	unsigned execs, forks;
	uint64_t digest;     /* order-sensitive hash of everything seen */
	unsigned long split_serial; /* P11: the split, hex argument */
	size_t split_len;
	uint32_t max_argc;
	bool split_ok, hex_path_ok, execveat_ok, i386_ok, symlink_ok;
	bool argv0_ok;
};

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static bool has_arg(const struct argv *a, const char *s)
{
	size_t n = strlen(s);
	uint32_t i;

	for (i = 0; i < a->argc; i++)
		if (a->v[i].len == n && memcmp(a->v[i].ptr, s, n) == 0)
			return true;
	return false;
}

static void on_exec(const struct exec_event *ev, void *ctx)
{
	struct seen *s = ctx;
	const struct argv *a = ev->argv;
	uint32_t i;

	s->execs++;
	s->digest = mix(s->digest, &ev->serial, sizeof(ev->serial));
	s->digest = mix(s->digest, &ev->pid, sizeof(ev->pid));
	s->digest = mix(s->digest, &ev->ppid, sizeof(ev->ppid));
	s->digest = mix(s->digest, ev->exe, strlen(ev->exe));
	s->digest = mix(s->digest, ev->cwd, strlen(ev->cwd));
	s->digest = mix(s->digest, ev->name, ev->name_len);
	for (i = 0; i < a->argc; i++)
		s->digest = mix(s->digest, a->v[i].ptr, a->v[i].len + 1);
	if (a->argc > s->max_argc)
		s->max_argc = a->argc;

	assert_true(ev->pid > 0);
	assert_int_equal(ev->name_len, strlen(ev->name));
	for (i = 0; i < a->argc; i++) {
		assert_int_equal(a->v[i].ptr[a->v[i].len], '\0');
		assert_int_equal(strlen(a->v[i].ptr), a->v[i].len);
		/* P11: "/boot/P11-" then ~9000 bytes with spaces, so the
		 * kernel wrote it as hex in aN[i] chunks */
		if (a->v[i].len > 7500 &&
		    memcmp(a->v[i].ptr, "/boot/P11-", 10) == 0) {
			s->split_ok = memchr(a->v[i].ptr, ' ', a->v[i].len) &&
				      !(a->flags & (ARGV_INCOMPLETE |
						    ARGV_TRUNCATED |
						    ARGV_BAD_ENCODING));
			s->split_len = a->v[i].len;
		}
	}
	if (has_arg(a, "/boot/P10 my kernel"))
		s->hex_path_ok = strcmp(ev->name, "tail") == 0;
	if (has_arg(a, "/boot/P14"))
		s->execveat_ok = strcmp(ev->exe, "/usr/bin/tail") == 0;
	if (has_arg(a, "/boot/P16"))
		s->i386_ok = true;
	if (has_arg(a, "/boot/P13"))
		s->symlink_ok = strcmp(ev->name, "xxd") == 0 &&
				strcmp(ev->comm, "peek") == 0;
	if (a->argc && strcmp(a->v[0].ptr, "/boot/P09") == 0)
		s->argv0_ok = strcmp(ev->name, "xxd") == 0;
}

static void on_fork(const struct fork_event *fe, void *ctx)
{
	struct seen *s = ctx;

	s->forks++;
	assert_true(fe->child > 0);
	assert_true(fe->parent > 0);
	s->digest = mix(s->digest, &fe->serial, sizeof(fe->serial));
	s->digest = mix(s->digest, &fe->child, sizeof(fe->child));
}

static char *slurp(const char *name, size_t *len)
{
	const char *src = getenv("KS_SRCDIR");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/%s", src ? src : ".", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct seen run(const char *buf, size_t len, size_t chunk)
{
	struct seen s;
	struct ea_handlers h = { on_exec, on_fork, &s };
	struct event_assembly *ea;
	size_t off;

	memset(&s, 0, sizeof(s));
	s.digest = 0xcbf29ce484222325ULL;
	ea = ea_new(&h, NULL, 2);
	assert_non_null(ea);
	for (off = 0; off < len; off += chunk)
		assert_int_equal(ea_feed(ea, buf + off,
					 len - off < chunk ? len - off : chunk),
				 0);
	ea_flush(ea);
	ea_free(ea);
	return s;
}

static void chunking(const char *file, bool forks)
{
	static const size_t sizes[] = { 1, 3, 7, 100, 4096, 65536 };
	size_t len, i;
	char *buf = slurp(file, &len);
	struct seen whole = run(buf, len, len), s;

	assert_true(whole.execs >= 25);
	if (forks)
		assert_true(whole.forks > 0);
	else
		assert_int_equal(whole.forks, 0);
	assert_true(whole.split_ok);
	assert_true(whole.split_len > 9000);
	assert_true(whole.max_argc >= 3100);
	assert_true(whole.hex_path_ok);
	assert_true(whole.execveat_ok);
	assert_true(whole.i386_ok);
	assert_true(whole.symlink_ok);
	assert_true(whole.argv0_ok);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		s = run(buf, len, sizes[i]);
		assert_int_equal(s.execs, whole.execs);
		assert_int_equal(s.forks, whole.forks);
		assert_true(s.digest == whole.digest);
	}
	free(buf);
}

static void test_raw_exec(void **state)
{
	(void)state;
	chunking("raw-exec.log", false);
}

static void test_enriched_exec(void **state)
{
	(void)state;
	chunking("enriched-exec.log", false);
}

static void test_raw_fork(void **state)
{
	(void)state;
	chunking("raw-fork.log", true);
}

static void test_enriched_fork(void **state)
{
	(void)state;
	chunking("enriched-fork.log", true);
}

/* Failed execs, non-exec syscalls and unknown archs produce nothing. */
static void test_ignored(void **state)
{
	static const char log[] =
		"type=SYSCALL msg=audit(1790000000.100:1): arch=c000003e syscall=59 success=no exit=-13 ppid=1 pid=2 comm=\"tail\" exe=\"/usr/bin/tail\"\n"
		"type=SYSCALL msg=audit(1790000000.100:2): arch=c000003e syscall=2 success=yes exit=3 ppid=1 pid=2 comm=\"tail\" exe=\"/usr/bin/tail\"\n"
		"type=SYSCALL msg=audit(1790000000.100:3): arch=deadbeef syscall=59 success=yes exit=0 ppid=1 pid=2 comm=\"tail\" exe=\"/usr/bin/tail\"\n"
		"type=SYSCALL msg=audit(1790000000.100:4): arch=c000003e syscall=56 success=yes exit=0 ppid=1 pid=2 comm=\"sh\" exe=\"/bin/sh\"\n"
		"type=SYSCALL msg=audit(1790000000.100:5): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=2 comm=\"t\" exe=(null)\n";
	struct seen s = run(log, sizeof(log) - 1, sizeof(log));

	(void)state;
	/* only event 5 is a usable exec (no EXECVE: argc 0); the clone
	 * with exit=0 is the child's side and gives no pid */
	assert_int_equal(s.execs, 1);
	assert_int_equal(s.forks, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_exec),
		cmocka_unit_test(test_enriched_exec),
		cmocka_unit_test(test_raw_fork),
		cmocka_unit_test(test_enriched_fork),
		cmocka_unit_test(test_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
