/*
 * test_syslog_prefix.c - the syslog prefixes of audit records: BSD and
 * RFC 3339 timestamps, RFC 5424 with structured data, tags with and
 * without pids, hosts too long or nil; lines that are syslog without a
 * record, and lines that are no syslog at all; never a read past the
 * given length (each line is checked from a copy without its NUL).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "syslog_prefix.h"

struct tcase {
	const char *line;
	enum syslog_kind kind;
	const char *record;     /* what starts at msg, for SYSLOG_RECORD */
	const char *host;       /* NULL: none */
};

static const struct tcase cases[] = {
	{ "Nov 29 10:00:01 web1 audisp-syslog: type=SYSCALL msg=audit(1.2:3): x",
	  SYSLOG_RECORD, "type=SYSCALL", "web1" },
	{ "Nov  9 10:00:01 web1 audisp-syslog[812]: node=n1 type=EXECVE msg=audit(1.2:3): argc=1",
	  SYSLOG_RECORD, "node=n1 type=EXECVE", "web1" },
	{ "Nov 9 10:00:01 web1 audisp-syslog: type=EOE msg=audit(1.2:3): ",
	  SYSLOG_RECORD, "type=EOE", "web1" },
	{ "<85>Nov 29 10:00:01 web1 audisp-syslog: type=CWD msg=audit(1.2:3): cwd=\"/\"",
	  SYSLOG_RECORD, "type=CWD", "web1" },
	{ "2026-11-29T10:00:01.123456+01:00 web1 audisp-syslog: type=CWD msg=audit(1.2:3): cwd=\"/\"",
	  SYSLOG_RECORD, "type=CWD", "web1" },
	{ "2026-11-29T10:00:01Z web1 audisp-syslog: type=CWD msg=audit(1.2:3):",
	  SYSLOG_RECORD, "type=CWD", "web1" },
	/* no tag */
	{ "Nov 29 10:00:01 web1 type=CWD msg=audit(1.2:3):",
	  SYSLOG_RECORD, "type=CWD", "web1" },
	/* RFC 5424 */
	{ "<85>1 2026-11-29T10:00:01.003Z web2 audisp-syslog 812 - - type=SYSCALL msg=audit(1.2:3): x",
	  SYSLOG_RECORD, "type=SYSCALL", "web2" },
	{ "<85>1 2026-11-29T10:00:01.003Z web2 audisp-syslog 812 ID7 [a@1 k=\"v ] \\\" x\"][b@2] type=SYSCALL msg=audit(1.2:3): x",
	  SYSLOG_RECORD, "type=SYSCALL", "web2" },
	{ "<85>1 - - - - - - \xef\xbb\xbftype=SYSCALL msg=audit(1.2:3): x",
	  SYSLOG_RECORD, "type=SYSCALL", NULL },
	{ "<85>1 2026-11-29T10:00:01Z web2 app - - [unterminated type=SYSCALL",
	  SYSLOG_NONE, NULL, NULL },
	/* syslog lines without a record */
	{ "Nov 29 10:00:01 web1 sshd[812]: Accepted publickey for root",
	  SYSLOG_OTHER, NULL, "web1" },
	{ "Nov 29 10:00:01 web1 kernel: [ 12.5] audit: type=1300 audit(1.2:3): arch=c000003e",
	  SYSLOG_OTHER, NULL, "web1" },
	{ "Nov 29 10:00:01 web1 -- MARK --", SYSLOG_OTHER, NULL, "web1" },
	{ "<85>1 2026-11-29T10:00:01Z web2 sshd 1 - - Accepted",
	  SYSLOG_OTHER, NULL, "web2" },
	/* not syslog */
	{ "type=SYSCALL msg=audit(1.2:3): x", SYSLOG_NONE, NULL, NULL },
	{ "garbage", SYSLOG_NONE, NULL, NULL },
	{ "", SYSLOG_NONE, NULL, NULL },
	{ "Nov 29", SYSLOG_NONE, NULL, NULL },
	{ "Now 29 10:00:01 web1 a: type=x", SYSLOG_NONE, NULL, NULL },
	{ "Nov 29 10:0:01 web1 a: type=x", SYSLOG_NONE, NULL, NULL },
	{ "2026-11-29 10:00:01 web1 a: type=x", SYSLOG_NONE, NULL, NULL },
	{ "2026-11-29T10:00:01 web1 a: type=x", SYSLOG_NONE, NULL, NULL },
	{ "<999999>Nov 29 10:00:01 web1 a: type=x", SYSLOG_NONE, NULL, NULL },
	{ "<85 Nov 29 10:00:01 web1 a: type=x", SYSLOG_NONE, NULL, NULL },
	{ "Nov 29 10:00:01 ", SYSLOG_NONE, NULL, NULL },
};

static void check(const struct tcase *c)
{
	size_t n = strlen(c->line);
	char *copy = malloc(n ? n : 1);   /* no NUL after the line */
	struct syslog_line sl;
	enum syslog_kind k;

	assert_non_null(copy);
	memcpy(copy, c->line, n);
	k = syslog_parse(copy, n, &sl);
	if (k != c->kind)
		fail_msg("kind %d, want %d: %s", k, c->kind, c->line);
	if (k == SYSLOG_RECORD) {
		assert_true(sl.msg < n);
		if (strncmp(c->line + sl.msg, c->record, strlen(c->record)))
			fail_msg("record at %zu: %s", sl.msg, c->line);
	}
	if (k != SYSLOG_NONE) {
		if (!c->host) {
			if (sl.host)
				fail_msg("a host where none is: %s", c->line);
		} else {
			assert_non_null(sl.host);
			assert_int_equal(sl.host_len, strlen(c->host));
			assert_memory_equal(sl.host, c->host, sl.host_len);
			assert_true(sl.host >= copy && sl.host + sl.host_len <= copy + n);
		}
	}
	free(copy);
}

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

/* A host over SYSLOG_HOST_MAX is not used; every prefix of a good line is
 * read without reading past its end. */
static void test_bounds(void **state)
{
	char line[600];
	struct syslog_line sl;
	const char *good = cases[1].line;
	size_t n = strlen(good), i;

	(void)state;
	memset(line, 'h', sizeof(line));
	memcpy(line, "Nov 29 10:00:01 ", 16);
	memcpy(line + 16 + 256, " a: type=EOE msg=audit(1.2:3):", 30);
	assert_int_equal(syslog_parse(line, 16 + 256 + 30, &sl), SYSLOG_RECORD);
	assert_null(sl.host);
	memcpy(line + 16 + 255, " a: type=EOE msg=audit(1.2:3):", 30);
	assert_int_equal(syslog_parse(line, 16 + 255 + 30, &sl), SYSLOG_RECORD);
	assert_int_equal(sl.host_len, 255);
	for (i = 0; i <= n; i++) {
		char *p = malloc(i ? i : 1);

		assert_non_null(p);
		memcpy(p, good, i);
		(void)syslog_parse(p, i, &sl);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
