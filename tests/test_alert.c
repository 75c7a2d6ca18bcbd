/*
 * test_alert.c - strbuf and alert formatting: exact outputs, escaping of
 * hostile bytes, and the size limit on huge events.
 *
 * Every JSON output goes through a strict RFC 8259 validator written here
 * (independent of alert.c's escaper), plus a UTF-8 check; every text output
 * must be one line of printable ASCII.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "json_check.h"
#include "lineage.h"
#include "strbuf.h"
#include "v2_reference.h"

/* The v2 rule's metadata, as the alerts of the shipped rule carry it. */
#define test_rule rule_kernel_seeking_v2_meta

#define TEXT_HEAD \
	"alert rule=\"Kernel Seeking Activity\" " \
	"rule_id=3c9f7901-01d8-465d-8dc0-5d46671035fa severity=low " \
	"time=2026-11-27T20:01:02.123Z serial=1234"

#define JSON_HEAD \
	"{\"@timestamp\":\"2026-11-27T20:01:02.123Z\",\"event\":{\"kind\":" \
	"\"alert\",\"category\":[\"process\"],\"type\":[\"start\"]," \
	"\"action\":\"exec\",\"risk_score\":21,\"severity\":21}," \
	"\"rule\":{\"id\":\"3c9f7901-01d8-465d-8dc0-5d46671035fa\"," \
	"\"name\":\"Kernel Seeking Activity\",\"version\":\"2\"}," \
	"\"threat\":[{\"framework\":\"MITRE ATT&CK\",\"tactic\":{\"id\":" \
	"\"TA0007\",\"name\":\"Discovery\",\"reference\":" \
	"\"https://attack.mitre.org/tactics/TA0007/\"},\"technique\":[{" \
	"\"id\":\"T1082\",\"name\":\"System Information Discovery\"," \
	"\"reference\":\"https://attack.mitre.org/techniques/T1082/\"}]}," \
	"{\"framework\":\"MITRE ATT&CK\",\"tactic\":{\"id\":\"TA0005\"," \
	"\"name\":\"Defense Evasion\",\"reference\":" \
	"\"https://attack.mitre.org/tactics/TA0005/\"},\"technique\":[{" \
	"\"id\":\"T1014\",\"name\":\"Rootkit\",\"reference\":" \
	"\"https://attack.mitre.org/techniques/T1014/\"}]}]"


static bool jv(const char *s)
{
	return json_valid(s, strlen(s));
}

static void test_validator_self(void **state)
{
	(void)state;
	assert_true(jv("{\"a\":[1,-2.5e3,true,null,\"\\u00e9\"]}"));
	assert_true(jv("\"\\ud83d\\ude00\""));
	assert_false(jv("{\"a\":1,}"));
	assert_false(jv("[01]"));
	assert_false(jv("\"a\nb\""));
	assert_false(jv("\"\\x41\""));
	assert_false(jv("\"\\ud800\""));
	assert_false(jv("\"\xc0\xaf\""));
	assert_false(jv("\"\xed\xa0\x80\""));
	assert_false(jv("{} {}"));
	assert_false(jv("{\"a\" 1}"));
}

/* ---- output checks ------------------------------------------------------ */

static size_t effective_limit(size_t max_len)
{
	if (max_len == 0)
		return SIZE_MAX;
	return max_len < ALERT_MIN_LEN ? ALERT_MIN_LEN : max_len;
}

/* One line, no NUL inside, JSON valid / text printable ASCII, bounded. */
static void check_output(const struct strbuf *sb, size_t ret,
			 enum alert_format fmt, size_t max_len)
{
	const char *s = sb_str(sb);
	size_t i;

	assert_int_equal(ret, sb->len);
	assert_int_equal(strlen(s), sb->len);
	assert_true(sb->len > 0);
	assert_true(sb->len <= effective_limit(max_len));
	assert_null(memchr(s, '\n', sb->len));
	assert_null(memchr(s, '\r', sb->len));
	if (fmt == ALERT_FORMAT_JSON) {
		assert_true(json_valid(s, sb->len));
		return;
	}
	for (i = 0; i < sb->len; i++) {
		unsigned char c = (unsigned char)s[i];

		assert_true(c >= 0x20 && c <= 0x7e);
	}
}

/* ---- marker parsing ----------------------------------------------------- */

static bool parse_num(const char **pp, unsigned long *v)
{
	char *end;

	if (**pp < '0' || **pp > '9')
		return false;
	*v = strtoul(*pp, &end, 10);
	*pp = end;
	return true;
}

static bool eat(const char **pp, const char *lit)
{
	size_t l = strlen(lit);

	if (strncmp(*pp, lit, l) != 0)
		return false;
	*pp += l;
	return true;
}

/* "...N args, M bytes omitted..." at p; sets *end past it. */
static bool parse_list_marker(const char *p, unsigned long *nargs,
			      unsigned long *nbytes, const char **end)
{
	if (!eat(&p, "...") || !parse_num(&p, nargs) || !eat(&p, " arg"))
		return false;
	if (*nargs != 1 && !eat(&p, "s"))
		return false;
	if (!eat(&p, ", ") || !parse_num(&p, nbytes) || !eat(&p, " byte"))
		return false;
	if (*nbytes != 1 && !eat(&p, "s"))
		return false;
	if (!eat(&p, " omitted..."))
		return false;
	*end = p;
	return true;
}

/* "...[N bytes omitted]..." at p. */
static bool parse_str_marker(const char *p, unsigned long *n,
			     const char **end)
{
	if (!eat(&p, "...[") || !parse_num(&p, n) || !eat(&p, " byte"))
		return false;
	if (*n != 1 && !eat(&p, "s"))
		return false;
	if (!eat(&p, " omitted]..."))
		return false;
	*end = p;
	return true;
}

struct list_info {
	unsigned long kept;        /* quoted elements */
	unsigned long kept_bytes;  /* their content length (plain ASCII) */
	unsigned long nmarkers;
	unsigned long om_args, om_bytes;
	char first[64], last[64];  /* first and last kept element */
};

/*
 * Parse a [...] list starting at p (text or JSON): quoted elements with
 * backslash escapes, and the list marker either quoted (JSON) or bare
 * (text). Fails the test on anything else.
 */
static void parse_list(const char *p, struct list_info *li)
{
	memset(li, 0, sizeof(*li));
	assert_true(*p == '[');
	p++;
	if (*p == ']')
		return;
	for (;;) {
		const char *end = p;
		unsigned long a, b;

		if (*p == '"' && parse_list_marker(p + 1, &a, &b, &end) &&
		    *end == '"') {
			li->nmarkers++;
			li->om_args += a;
			li->om_bytes += b;
			p = end + 1;
		} else if (*p == '"') {
			const char *q = p + 1;
			size_t len;

			while (*q && *q != '"')
				q += (*q == '\\' && q[1]) ? 2 : 1;
			assert_true(*q == '"');
			len = (size_t)(q - p - 1);
			if (li->kept == 0)
				snprintf(li->first, sizeof(li->first), "%.*s",
					 (int)len, p + 1);
			snprintf(li->last, sizeof(li->last), "%.*s", (int)len,
				 p + 1);
			li->kept++;
			li->kept_bytes += len;
			p = q + 1;
		} else {
			assert_true(parse_list_marker(p, &a, &b, &end));
			li->nmarkers++;
			li->om_args += a;
			li->om_bytes += b;
			p = end;
		}
		if (*p == ']')
			return;
		assert_true(*p == ',');
		p++;
	}
}

static void find_list(const char *out, enum alert_format fmt, bool parent,
		      struct list_info *li)
{
	const char *p;

	if (fmt == ALERT_FORMAT_TEXT) {
		p = strstr(out, parent ? " parent_args=[" : " args=[");
		assert_non_null(p);
		p = strchr(p, '[');
	} else {
		p = out;
		if (parent) {
			p = strstr(p, "\"parent\":{");
			assert_non_null(p);
		}
		p = strstr(p, "\"args\":[");
		assert_non_null(p);
		p += strlen("\"args\":");
	}
	parse_list(p, li);
}

/*
 * For every string marker in out: the string around it (from the opening
 * quote to the closing one, or a command-line element) must hold `unit`
 * escapes for the kept bytes, and kept + omitted must be one of lens[].
 * Returns the number of markers seen.
 */
static unsigned check_str_markers(const char *out, const char *unit,
				  const size_t *lens, size_t nlens)
{
	const char *m = out;
	unsigned count = 0;

	while ((m = strstr(m, "...[")) != NULL) {
		const char *end = m, *a, *z, *q;
		unsigned long n = 0, kept = 0;
		size_t k;
		bool ok = false;

		assert_true(parse_str_marker(m, &n, &end));
		for (a = m; a > out && a[-1] != '"' && a[-1] != ' '; a--)
			;
		for (z = end; *z && *z != '"' && *z != ' '; z++)
			;
		for (q = a; q < z; q++)
			if (strncmp(q, unit, strlen(unit)) == 0)
				kept++;
		for (k = 0; k < nlens; k++)
			ok |= kept + n == lens[k];
		if (!ok)
			fail_msg("marker %.*s: kept %lu + omitted %lu not in lens",
				 (int)(end - m), m, kept, n);
		count++;
		m = end;
	}
	return count;
}

/* ---- event fixtures ------------------------------------------------------ */

struct arglist {
	struct argv av;
	struct argv_arg *v;
	char *buf;
};

static void arglist_set(struct arglist *l, const char *const *s, uint32_t n)
{
	uint32_t i;

	l->v = calloc(n ? n : 1, sizeof(*l->v));
	assert_non_null(l->v);
	l->buf = NULL;
	l->av.argc = n;
	l->av.total_bytes = 0;
	for (i = 0; i < n; i++) {
		l->v[i].ptr = s[i];
		l->v[i].len = (uint32_t)strlen(s[i]);
		l->av.total_bytes += l->v[i].len;
	}
	l->av.v = l->v;
	l->av.flags = 0;
}

/* first, then n-2 arguments "<prefix><i, width digits>", then last. */
static void arglist_gen(struct arglist *l, uint32_t n, const char *first,
			const char *last, char prefix, int width)
{
	size_t step = (size_t)width + 2, off;
	uint32_t i;

	l->v = calloc(n, sizeof(*l->v));
	l->buf = malloc((size_t)n * step);
	assert_non_null(l->v);
	assert_non_null(l->buf);
	l->av.total_bytes = 0;
	for (i = 0; i < n; i++) {
		off = (size_t)i * step;
		if (i == 0) {
			l->v[i].ptr = first;
			l->v[i].len = (uint32_t)strlen(first);
		} else if (i == n - 1) {
			l->v[i].ptr = last;
			l->v[i].len = (uint32_t)strlen(last);
		} else {
			snprintf(l->buf + off, step, "%c%0*u", prefix, width,
				 (unsigned)i);
			l->v[i].ptr = l->buf + off;
			l->v[i].len = (uint32_t)width + 1;
		}
		l->av.total_bytes += l->v[i].len;
	}
	l->av.argc = n;
	l->av.v = l->v;
	l->av.flags = 0;
}

static void arglist_free(struct arglist *l)
{
	free(l->v);
	free(l->buf);
}

struct fixture {
	struct exec_event ev;
	struct arglist args, pargs;
	struct proc_entry parent;
	struct alert a;
	struct strbuf sb;
};

static const char *const simple_args[] = { "tail", "-c", "64",
					   "/boot/vmlinuz" };
static const char *const parent_args[] = { "bash" };

static struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ev.sec = 1795809662; /* 2026-11-27T20:01:02Z */
	f->ev.msec = 123;
	f->ev.serial = 1234;
	f->ev.pid = 4242;
	f->ev.ppid = 4000;
	/* a setuid-root program run by user 1000 in its login session,
	 * with the names of an ENRICHED log */
	f->ev.uid = 1000;
	f->ev.euid = 0;
	f->ev.gid = 1000;
	f->ev.egid = 1000;
	f->ev.auid = 1000;
	strcpy(f->ev.uid_name, "alice");
	strcpy(f->ev.euid_name, "root");
	strcpy(f->ev.gid_name, "staff");
	strcpy(f->ev.egid_name, "staff");
	strcpy(f->ev.auid_name, "alice");
	f->ev.ses = 3;
	strcpy(f->ev.tty, "pts0");
	strcpy(f->ev.comm, "tail");
	strcpy(f->ev.exe, "/usr/bin/tail");
	strcpy(f->ev.cwd, "/root");
	strcpy(f->ev.key, "kseek");
	f->ev.name = f->ev.exe + 9;
	f->ev.name_len = 4;
	arglist_set(&f->args, simple_args, 4);
	f->ev.argv = &f->args.av;

	f->parent.pid = 4000;
	f->parent.ppid = 1;
	f->parent.exe = "/usr/bin/bash";
	f->parent.name = "bash";
	arglist_set(&f->pargs, parent_args, 1);
	f->parent.argv = f->pargs.av;

	f->a.rule = &test_rule;
	f->a.ev = &f->ev;
	f->a.parent = &f->parent;
	f->a.host = "web1";
	sb_init(&f->sb, 0);
	return f;
}

/* The parent's argv is copied into proc_entry: refresh after changes. */
static void fixture_parent_args(struct fixture *f, struct arglist *l)
{
	arglist_free(&f->pargs);
	f->pargs = *l;
	f->parent.argv = f->pargs.av;
}

static void fixture_child_args(struct fixture *f, struct arglist *l)
{
	arglist_free(&f->args);
	f->args = *l;
	f->ev.argv = &f->args.av;
}

static void fixture_free(struct fixture *f)
{
	arglist_free(&f->args);
	arglist_free(&f->pargs);
	sb_free(&f->sb);
	free(f);
}

static const char *fmt_alert(struct fixture *f, enum alert_format fmt,
			     size_t max_len)
{
	size_t ret = alert_format(&f->sb, &f->a, fmt, max_len);

	if (getenv("TEST_ALERT_DUMP") && max_len)
		fprintf(stderr, "--- fmt %d max %zu len %zu\n%.4000s\n", (int)fmt,
			max_len, ret, sb_str(&f->sb));
	check_output(&f->sb, ret, fmt, max_len);
	return sb_str(&f->sb);
}

/* ---- strbuf -------------------------------------------------------------- */

static void test_strbuf_basics(void **state)
{
	struct strbuf sb;

	(void)state;
	sb_init(&sb, 10);
	assert_string_equal(sb_str(&sb), "");
	sb_adds(&sb, "hello");
	sb_addc(&sb, ' ');
	assert_string_equal(sb_str(&sb), "hello ");
	assert_false(sb.overflow);
	sb_add(&sb, "world!!", 7);
	assert_int_equal(sb.len, 10);
	assert_string_equal(sb_str(&sb), "hello worl");
	assert_true(sb.overflow);
	sb_addc(&sb, 'x');
	assert_int_equal(sb.len, 10);

	sb_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_false(sb.overflow);
	assert_string_equal(sb_str(&sb), "");

	sb_printf(&sb, "%d-%u", 42, 7u);
	assert_string_equal(sb_str(&sb), "42-7");
	sb_printf(&sb, "%lu", 123456789UL);
	assert_string_equal(sb_str(&sb), "42-7123456");
	assert_true(sb.overflow);
	sb_free(&sb);
	assert_string_equal(sb_str(&sb), "");
}

static void test_strbuf_exact_fill_and_growth(void **state)
{
	struct strbuf sb;
	size_t i;

	(void)state;
	sb_init(&sb, 4);
	sb_printf(&sb, "%s", "abcd");
	assert_string_equal(sb_str(&sb), "abcd");
	assert_false(sb.overflow);
	sb_add(&sb, "", 0);
	assert_false(sb.overflow);
	sb_free(&sb);

	/* limit 0: effectively unlimited, grows across many reallocations;
	 * memory is kept across a reset. */
	sb_init(&sb, 0);
	for (i = 0; i < 100000; i++)
		sb_addc(&sb, (char)('a' + i % 26));
	assert_int_equal(sb.len, 100000);
	assert_false(sb.overflow);
	assert_false(sb.nomem);
	assert_int_equal(sb_str(&sb)[26], 'a');
	sb_reset(&sb);
	assert_true(sb.cap > 100000);
	sb_printf(&sb, "%05d|%s", 7, "x");
	assert_string_equal(sb_str(&sb), "00007|x");
	sb_free(&sb);
}

/* ---- exact outputs --------------------------------------------------------- */

#define SIMPLE_TEXT_TAIL \
	" pid=4242 ppid=4000 uid=1000 ruser=\"alice\" euid=0 user=\"root\" " \
	"gid=1000 egid=1000 auid=1000 auser=\"alice\" ses=3 tty=\"pts0\" " \
	"name=\"tail\" exe=\"/usr/bin/tail\" cwd=\"/root\" key=\"kseek\" " \
	"args=[\"tail\",\"-c\",\"64\",\"/boot/vmlinuz\"]"

static void test_text_known_parent(void **state)
{
	struct fixture *f = fixture_new();

	(void)state;
	assert_string_equal(fmt_alert(f, ALERT_FORMAT_TEXT, 0),
			    TEXT_HEAD SIMPLE_TEXT_TAIL
			    " parent_name=\"bash\" parent_exe=\"/usr/bin/bash\""
			    " parent_args=[\"bash\"]");
	/* Small events are not changed by a limit. */
	assert_string_equal(fmt_alert(f, ALERT_FORMAT_TEXT, 1024),
			    TEXT_HEAD SIMPLE_TEXT_TAIL
			    " parent_name=\"bash\" parent_exe=\"/usr/bin/bash\""
			    " parent_args=[\"bash\"]");
	fixture_free(f);
}

static void test_text_unknown_parent_node_unset(void **state)
{
	struct fixture *f = fixture_new();

	(void)state;
	f->a.parent = NULL;
	assert_string_equal(fmt_alert(f, ALERT_FORMAT_TEXT, 0),
			    TEXT_HEAD SIMPLE_TEXT_TAIL " parent=unknown");

	strcpy(f->ev.node, "web1");
	f->ev.uid = f->ev.euid = f->ev.gid = f->ev.egid = EXEC_ID_UNSET;
	f->ev.auid = EXEC_ID_UNSET;
	/* a RAW log: no names, and none are made up */
	f->ev.uid_name[0] = f->ev.euid_name[0] = f->ev.gid_name[0] = '\0';
	f->ev.egid_name[0] = f->ev.auid_name[0] = '\0';
	f->ev.ses = EXEC_ID_UNSET;
	f->ev.tty[0] = '\0';
	f->args.av.flags = ARGV_TRUNCATED;
	f->a.parent = &f->parent;
	f->parent.flags = PROC_ARGV_TRUNCATED;
	assert_string_equal(fmt_alert(f, ALERT_FORMAT_TEXT, 0),
			    TEXT_HEAD " node=\"web1\" pid=4242 ppid=4000 "
			    "uid=unset euid=unset gid=unset egid=unset auid=unset "
			    "ses=unset tty=\"\" "
			    "name=\"tail\" exe=\"/usr/bin/tail\" cwd=\"/root\" "
			    "key=\"kseek\" "
			    "args=[\"tail\",\"-c\",\"64\",\"/boot/vmlinuz\"] "
			    "argv_truncated=yes parent_name=\"bash\" "
			    "parent_exe=\"/usr/bin/bash\" parent_args=[\"bash\"] "
			    "parent_argv_truncated=yes");
	fixture_free(f);
}

/* The identities of the fixture, from process.user to group. */
#define SIMPLE_JSON_IDS \
	",\"user\":{\"id\":\"0\",\"name\":\"root\"},\"real_user\":{" \
	"\"id\":\"1000\",\"name\":\"alice\"},\"group\":{\"id\":\"1000\"," \
	"\"name\":\"staff\"},\"real_group\":{\"id\":\"1000\",\"name\":" \
	"\"staff\"},\"interactive\":true,\"tty\":{\"char_device\":{" \
	"\"major\":136,\"minor\":0}}},\"user\":{\"id\":\"0\",\"name\":" \
	"\"root\",\"Ext\":{" \
	"\"real\":{\"id\":\"1000\",\"name\":\"alice\"}},\"audit\":{\"id\":" \
	"\"1000\",\"name\":\"alice\"}},\"group\":{\"id\":\"1000\",\"name\":" \
	"\"staff\",\"Ext\":{\"real\":{\"id\":\"1000\",\"name\":\"staff\"}}}," \
	"\"auditd\":{\"sequence\":1234,\"session\":\"3\",\"data\":{" \
	"\"tty\":\"pts0\"}}}"

#define SIMPLE_JSON_PROC \
	",\"host\":{\"name\":\"web1\"},\"process\":{\"pid\":4242,\"name\":" \
	"\"tail\",\"executable\":\"/usr/bin/tail\",\"args\":[\"tail\"," \
	"\"-c\",\"64\",\"/boot/vmlinuz\"],\"args_count\":4,\"command_line\":" \
	"\"tail -c 64 /boot/vmlinuz\",\"working_directory\":\"/root\""

static void test_json_known_parent(void **state)
{
	struct fixture *f = fixture_new();
	const char *want = JSON_HEAD SIMPLE_JSON_PROC
		",\"parent\":{\"pid\":4000,\"name\":\"bash\",\"executable\":"
		"\"/usr/bin/bash\",\"args\":[\"bash\"],\"args_count\":1,"
		"\"command_line\":\"bash\"}" SIMPLE_JSON_IDS;

	(void)state;
	assert_string_equal(fmt_alert(f, ALERT_FORMAT_JSON, 0), want);
	assert_string_equal(fmt_alert(f, ALERT_FORMAT_JSON, 4096), want);
	fixture_free(f);
}

static void test_json_unknown_parent_unset(void **state)
{
	struct fixture *f = fixture_new();

	(void)state;
	f->a.parent = NULL;
	assert_string_equal(fmt_alert(f, ALERT_FORMAT_JSON, 0),
			    JSON_HEAD SIMPLE_JSON_PROC
			    ",\"parent\":{\"pid\":4000}" SIMPLE_JSON_IDS);

	/* unset ids without names, no cwd/exe, truncated argv on both
	 * sides */
	f->ev.uid = f->ev.euid = f->ev.gid = f->ev.egid = EXEC_ID_UNSET;
	f->ev.auid = EXEC_ID_UNSET;
	f->ev.uid_name[0] = f->ev.euid_name[0] = f->ev.gid_name[0] = '\0';
	f->ev.egid_name[0] = f->ev.auid_name[0] = '\0';
	f->ev.ses = EXEC_ID_UNSET;
	strcpy(f->ev.tty, "(none)");   /* no terminal: not interactive */
	f->ev.cwd[0] = '\0';
	f->ev.exe[0] = '\0';
	f->ev.name = f->ev.comm;
	f->ev.name_len = 4;
	f->args.av.flags = ARGV_TRUNCATED;
	f->a.parent = &f->parent;
	f->parent.flags = PROC_ARGV_TRUNCATED;
	f->parent.exe = "";
	assert_string_equal(fmt_alert(f, ALERT_FORMAT_JSON, 0),
			    JSON_HEAD ",\"host\":{\"name\":\"web1\"},"
			    "\"process\":{\"pid\":4242,\"name\":\"tail\","
			    "\"args\":[\"tail\",\"-c\",\"64\",\"/boot/vmlinuz\"],"
			    "\"args_count\":4,\"command_line\":"
			    "\"tail -c 64 /boot/vmlinuz\",\"parent\":{"
			    "\"pid\":4000,\"name\":\"bash\",\"args\":[\"bash\"],"
			    "\"args_truncated\":true,\"args_count\":1,"
			    "\"command_line\":\"bash\"},\"args_truncated\":true,"
			    "\"user\":{\"id\":\"unset\"},\"real_user\":{\"id\":"
			    "\"unset\"},\"group\":{\"id\":\"unset\"},"
			    "\"real_group\":{\"id\":\"unset\"},"
			    "\"interactive\":false},"
			    "\"user\":{\"id\":\"unset\",\"Ext\":{\"real\":{\"id\":"
			    "\"unset\"}},\"audit\":{\"id\":\"unset\"}},"
			    "\"group\":{\"id\":\"unset\",\"Ext\":{\"real\":{"
			    "\"id\":\"unset\"}}},\"auditd\":{"
			    "\"sequence\":1234,\"session\":\"unset\",\"data\":{"
			    "\"tty\":\"(none)\"}}}");
	fixture_free(f);
}

/* The session's entry leader, in both forms: an ssh login's shell, and
 * an exec outside any login (init alone). Escaped like everything from
 * the audited system. */
static void test_entry_leader(void **state)
{
	struct fixture *f = fixture_new();
	struct session_view v;
	const char *out;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.type = ENTRY_SSHD;
	v.pid = 32662;
	v.exe = "/usr/bin/ba\"sh";
	v.name = "ba\"sh";
	v.have_exec = true;
	v.sec = 1795943396;
	v.msec = 746;
	v.euid = 1001;
	v.euid_name = "ks12a";
	v.source_ip = "127.0.0.1";
	f->a.session = &v;
	out = fmt_alert(f, ALERT_FORMAT_TEXT, 0);
	assert_non_null(strstr(out, " ses=3 tty=\"pts0\" entry_type=\"sshd\" "
				    "entry_ip=\"127.0.0.1\" entry_pid=32662 "
				    "entry_exe=\"/usr/bin/ba\\\"sh\" "
				    "entry_uid=1001 entry_user=\"ks12a\" "
				    "name=\"tail\" "));
	out = fmt_alert(f, ALERT_FORMAT_JSON, 0);
	assert_non_null(strstr(out, ",\"entry_leader\":{\"pid\":32662,"
				    "\"name\":\"ba\\\"sh\",\"executable\":"
				    "\"/usr/bin/ba\\\"sh\",\"start\":"
				    "\"2026-11-29T09:09:56.746Z\",\"user\":{"
				    "\"id\":\"1001\",\"name\":\"ks12a\"},"
				    "\"entry_meta\":{\"type\":\"sshd\","
				    "\"source\":{\"ip\":\"127.0.0.1\"}}}},"
				    "\"user\":{"));

	memset(&v, 0, sizeof(v));
	v.type = ENTRY_INIT;
	out = fmt_alert(f, ALERT_FORMAT_TEXT, 0);
	assert_non_null(strstr(out, " tty=\"pts0\" entry_type=\"init\" "
				    "name=\"tail\" "));
	out = fmt_alert(f, ALERT_FORMAT_JSON, 0);
	assert_non_null(strstr(out, ",\"entry_leader\":{\"entry_meta\":{"
				    "\"type\":\"init\"}}},\"user\":{"));
	/* over its size a JSON alert keeps the type and the address */
	v.type = ENTRY_SSHD;
	v.pid = 1;
	v.source_ip = "10.1.2.3";
	v.exe = v.name = "/x";
	out = fmt_alert(f, ALERT_FORMAT_JSON, 1024);
	assert_non_null(strstr(out, "\"entry_leader\":{\"pid\":1,"));
	assert_non_null(strstr(out, "\"entry_meta\":{\"type\":\"sshd\","
				    "\"source\":{\"ip\":\"10.1.2.3\"}}}"));
	assert_null(strstr(out, "\"start\":"));
	fixture_free(f);
}

static void test_empty_argv(void **state)
{
	struct fixture *f = fixture_new();
	struct arglist none;

	(void)state;
	arglist_set(&none, NULL, 0);
	fixture_child_args(f, &none);
	assert_non_null(strstr(fmt_alert(f, ALERT_FORMAT_TEXT, 0),
			       " args=[] parent_name="));
	assert_non_null(strstr(fmt_alert(f, ALERT_FORMAT_JSON, 0),
			       "\"args\":[],\"args_count\":0,"
			       "\"command_line\":\"\","));
	fixture_free(f);
}

/* ---- escaping ------------------------------------------------------------- */

static void expect_text(const char *in, size_t n, const char *want)
{
	struct strbuf sb;

	sb_init(&sb, 0);
	alert_escape_text(&sb, in, n);
	assert_string_equal(sb_str(&sb), want);
	sb_free(&sb);
}

static void expect_json(const char *in, size_t n, const char *want)
{
	struct strbuf sb;

	sb_init(&sb, 0);
	sb_addc(&sb, '"');
	alert_escape_json(&sb, in, n);
	sb_addc(&sb, '"');
	assert_true(json_valid(sb_str(&sb), sb.len));
	assert_int_equal(sb.len, strlen(want) + 2);
	assert_memory_equal(sb_str(&sb) + 1, want, strlen(want));
	sb_free(&sb);
}

#define T(in, want) expect_text(in, sizeof(in) - 1, want)
#define J(in, want) expect_json(in, sizeof(in) - 1, want)

static void test_escape_text(void **state)
{
	(void)state;
	T("plain /boot/x -c64", "plain /boot/x -c64");
	T("a\nb\tc\rd", "a\\x0ab\\x09c\\x0dd");
	T("q\"b\\", "q\\\"b\\\\");
	T("\x1b[31mred\x7f\xff", "\\x1b[31mred\\x7f\\xff");
	T("\xc3\xa9", "\\xc3\\xa9");
	T("\xc2\x85\xe2\x80\xa8", "\\xc2\\x85\\xe2\\x80\\xa8");
	T("@cee: {\"a\":1}", "@cee: {\\\"a\\\":1}");
	T(" ~", " ~");
	expect_text("a\0b", 3, "a\\x00b");
}

static void test_escape_json(void **state)
{
	(void)state;
	J("plain /boot/x", "plain /boot/x");
	J("a\nb\tc\rd\b\f", "a\\nb\\tc\\rd\\b\\f");
	J("q\"b\\/", "q\\\"b\\\\/");
	J("\x01\x1b[31m\x1f\x7f", "\\u0001\\u001b[31m\\u001f\\u007f");
	J("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9");
	J("\xc2\x85", "\\u0085");
	J("\xc2\x80\xc2\x9f\xc2\xa0", "\\u0080\\u009f\xc2\xa0");
	J("\xe2\x80\xa8|\xe2\x80\xa9", "\\u2028|\\u2029");
	J("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");
	J("\xef\xbf\xbd", "\xef\xbf\xbd");
	/* invalid: stray bytes, lone continuation, overlongs, surrogates,
	 * beyond U+10FFFF, truncated sequences (at the end and before ASCII) */
	J("\xff\xfe", "\\\\xff\\\\xfe");
	J("\x80", "\\\\x80");
	J("\xc0\xaf", "\\\\xc0\\\\xaf");
	J("\xc1\xbf", "\\\\xc1\\\\xbf");
	J("\xe0\x80\xaf", "\\\\xe0\\\\x80\\\\xaf");
	J("\xf0\x80\x80\xaf", "\\\\xf0\\\\x80\\\\x80\\\\xaf");
	J("\xed\xa0\x80", "\\\\xed\\\\xa0\\\\x80");
	J("\xf4\x90\x80\x80", "\\\\xf4\\\\x90\\\\x80\\\\x80");
	J("\xf5\x80", "\\\\xf5\\\\x80");
	J("ok\xe2\x82", "ok\\\\xe2\\\\x82");
	J("\xe2\x82" "A", "\\\\xe2\\\\x82A");
	J("\xf0\x9f\x98", "\\\\xf0\\\\x9f\\\\x98");
	J("\xc3\xc3\xa9", "\\\\xc3\xc3\xa9");
	J("@cee: {\"a\":1}", "@cee: {\\\"a\\\":1}");
	expect_json("a\0b", 3, "a\\u0000b");
}

/* Hostile bytes in every untrusted field: one line, nothing ends a value
 * early, JSON valid. */
static void test_hostile_event(void **state)
{
	static const char *const evil[] = {
		"tail", "-c\n64", "x\" parent=unknown", "\x1b]0;pwn\x07",
		"@cee: {\"a\":1}", "{\"a\":1}", "\xc3\xa9\xc2\x85\xe2\x80\xa8",
		"\xff\xc0\xaf\xed\xa0\x80\\", "/boot/\r\t\x7f",
	};
	struct fixture *f = fixture_new();
	struct arglist l;
	const char *out;

	(void)state;
	arglist_set(&l, evil, 9);
	fixture_child_args(f, &l);
	strcpy(f->ev.node, "n\n\"ode");
	strcpy(f->ev.tty, "\x1b[2J");
	strcpy(f->ev.exe, "/tmp/\xe2\x80\xa9\n");
	strcpy(f->ev.cwd, "/tmp/\"} {\"x");
	strcpy(f->ev.key, "k\\\"");
	f->ev.name = f->ev.exe + 5;
	f->ev.name_len = 4;
	f->a.host = "h\xff\n";
	f->parent.name = "b\nash";
	f->parent.exe = "/bin/\xc2\x9b";

	out = fmt_alert(f, ALERT_FORMAT_TEXT, 0);
	assert_non_null(strstr(out, " node=\"n\\x0a\\\"ode\" "));
	assert_non_null(strstr(out, " tty=\"\\x1b[2J\" "));
	assert_non_null(strstr(out, " name=\"\\xe2\\x80\\xa9\\x0a\" "));
	assert_non_null(strstr(out, " cwd=\"/tmp/\\\"} {\\\"x\" "));
	assert_non_null(strstr(out, " key=\"k\\\\\\\"\" "));
	assert_non_null(strstr(out, "args=[\"tail\",\"-c\\x0a64\","
				    "\"x\\\" parent=unknown\","
				    "\"\\x1b]0;pwn\\x07\","
				    "\"@cee: {\\\"a\\\":1}\",\"{\\\"a\\\":1}\","));
	assert_non_null(strstr(out, " parent_name=\"b\\x0aash\" "
				    "parent_exe=\"/bin/\\xc2\\x9b\" "));
	assert_int_not_equal(strcmp(out + strlen(out) - 15, " parent=unknown"), 0);

	out = fmt_alert(f, ALERT_FORMAT_JSON, 0);
	/* host.name is the event's node= when it has one */
	assert_non_null(strstr(out, "\"host\":{\"name\":\"n\\n\\\"ode\"}"));
	assert_non_null(strstr(out, "\"name\":\"\\u2029\\n\""));
	assert_non_null(strstr(out, "\"args\":[\"tail\",\"-c\\n64\","
				    "\"x\\\" parent=unknown\","
				    "\"\\u001b]0;pwn\\u0007\","
				    "\"@cee: {\\\"a\\\":1}\",\"{\\\"a\\\":1}\","
				    "\"\xc3\xa9\\u0085\\u2028\","
				    "\"\\\\xff\\\\xc0\\\\xaf\\\\xed\\\\xa0\\\\x80"
				    "\\\\\",\"/boot/\\r\\t\\u007f\"]"));
	assert_non_null(strstr(out, "\"working_directory\":"
				    "\"/tmp/\\\"} {\\\"x\""));
	assert_non_null(strstr(out, "\"executable\":\"/bin/\\u009b\""));
	f->ev.node[0] = '\0';
	out = fmt_alert(f, ALERT_FORMAT_JSON, 0);
	assert_non_null(strstr(out, "\"host\":{\"name\":\"h\\\\xff\\n\"}"));
	fixture_free(f);
}

/* ---- size limit ------------------------------------------------------------- */

static const size_t limits[] = { 1024, 2048, 8192 };
#define NLIMITS (sizeof(limits) / sizeof(limits[0]))

static void check_cut_list(const char *out, enum alert_format fmt,
			   bool parent, const struct argv *av,
			   const char *first, const char *last)
{
	struct list_info li;

	find_list(out, fmt, parent, &li);
	assert_int_equal(li.nmarkers, 1);
	assert_true(li.om_args > 0);
	assert_int_equal(li.kept + li.om_args, av->argc);
	assert_int_equal(li.kept_bytes + li.om_bytes, av->total_bytes);
	assert_string_equal(li.first, first);
	assert_string_equal(li.last, last);
}

static void test_limit_100k_args(void **state)
{
	struct fixture *f = fixture_new();
	struct arglist l;
	const char *out;
	size_t k, full_len[2];
	int fmt;

	(void)state;
	arglist_gen(&l, 100000, "tail", "/boot/x", 'a', 8);
	fixture_child_args(f, &l);
	for (fmt = 0; fmt < 2; fmt++) {
		out = fmt_alert(f, fmt, 0);
		full_len[fmt] = strlen(out);
		assert_true(full_len[fmt] > 100000 * 9);
		assert_null(strstr(out, " omitted..."));
		for (k = 0; k < NLIMITS; k++) {
			struct list_info li;

			out = fmt_alert(f, fmt, limits[k]);
			check_cut_list(out, fmt, false, &f->args.av, "tail",
				       "/boot/x");
			/* parent untouched; room is used, not wasted */
			find_list(out, fmt, true, &li);
			assert_int_equal(li.kept, 1);
			assert_true(strlen(out) > limits[k] - 40);
			if (fmt == ALERT_FORMAT_JSON) {
				assert_non_null(strstr(out,
					"\"args_count\":100000,"));
			}
			/* JSON's skeleton takes most of 1024 bytes: the
			 * redundant command_line goes first there. */
			if (fmt == ALERT_FORMAT_JSON && limits[k] > 1024)
				assert_non_null(strstr(out,
					"\"command_line\":\"tail a00000001 "));
		}
	}
	/* below the minimum: raised to ALERT_MIN_LEN */
	out = fmt_alert(f, ALERT_FORMAT_TEXT, 100);
	assert_true(strlen(out) > 900);
	fixture_free(f);
}

static void test_limit_parent_5000_args(void **state)
{
	struct fixture *f = fixture_new();
	struct arglist l;
	const char *out;
	size_t k;
	int fmt;

	(void)state;
	arglist_gen(&l, 5000, "/bin/sh", "/boot/cfg", 'p', 4);
	fixture_parent_args(f, &l);
	for (fmt = 0; fmt < 2; fmt++) {
		for (k = 0; k < NLIMITS; k++) {
			struct list_info li;

			out = fmt_alert(f, fmt, limits[k]);
			check_cut_list(out, fmt, true, &f->parent.argv,
				       "/bin/sh", "/boot/cfg");
			/* the small child list is kept whole */
			find_list(out, fmt, false, &li);
			assert_int_equal(li.kept, 4);
			assert_int_equal(li.nmarkers, 0);
		}
	}

	/* both lists long: both cut, each with correct counts */
	arglist_gen(&l, 100000, "tail", "/boot/x", 'a', 8);
	fixture_child_args(f, &l);
	for (fmt = 0; fmt < 2; fmt++) {
		for (k = 0; k < NLIMITS; k++) {
			out = fmt_alert(f, fmt, limits[k]);
			check_cut_list(out, fmt, false, &f->args.av, "tail",
				       "/boot/x");
			check_cut_list(out, fmt, true, &f->parent.argv,
				       "/bin/sh", "/boot/cfg");
		}
	}
	fixture_free(f);
}

static void test_limit_one_huge_arg(void **state)
{
	const size_t big = 128 * 1024;
	struct fixture *f = fixture_new();
	const char *list[4] = { "tail", "-c", "64", NULL };
	struct arglist l;
	char *arg = malloc(big + 1);
	const char *out;
	size_t k;
	int fmt;

	(void)state;
	assert_non_null(arg);
	memset(arg, 'q', big);
	arg[big] = '\0';
	list[3] = arg;
	arglist_set(&l, list, 4);
	fixture_child_args(f, &l);
	for (fmt = 0; fmt < 2; fmt++) {
		out = fmt_alert(f, fmt, 0);
		assert_true(strlen(out) > big);
		for (k = 0; k < NLIMITS; k++) {
			struct list_info li;
			unsigned n;

			out = fmt_alert(f, fmt, limits[k]);
			n = check_str_markers(out, "q", &big, 1);
			/* in the args, and again in command_line */
			if (fmt == ALERT_FORMAT_JSON && strstr(out,
					"\"command_line\":"))
				assert_int_equal(n, 2);
			else
				assert_int_equal(n, 1);
			if (fmt == ALERT_FORMAT_JSON && limits[k] > 1024)
				assert_non_null(strstr(out, "\"command_line\":"));
			find_list(out, fmt, false, &li);
			assert_int_equal(li.nmarkers, 0);
			assert_int_equal(li.kept, 4);
			assert_string_equal(li.first, "tail");
			assert_true(strlen(out) > limits[k] - 64);
		}
	}
	free(arg);
	fixture_free(f);
}

/* Paths full of bytes that escape to 4 (text) or 5 (JSON) characters. */
static void test_limit_escaped_paths(void **state)
{
	static const size_t lens[] = { 4095 };
	struct fixture *f = fixture_new();
	char *pexe = malloc(4096);
	const char *out;
	size_t k;
	int fmt;

	(void)state;
	assert_non_null(pexe);
	memset(f->ev.exe, 0xff, 4095);
	f->ev.exe[4095] = '\0';
	f->ev.name = f->ev.exe;
	f->ev.name_len = 4095;
	memset(f->ev.cwd, 0xff, 4095);
	f->ev.cwd[4095] = '\0';
	memset(pexe, 0xff, 4095);
	pexe[4095] = '\0';
	f->parent.exe = pexe;
	for (fmt = 0; fmt < 2; fmt++) {
		for (k = 0; k < NLIMITS; k++) {
			struct list_info li;
			unsigned n;

			out = fmt_alert(f, fmt, limits[k]);
			n = check_str_markers(out, "xff", lens, 1);
			if (fmt == ALERT_FORMAT_JSON && limits[k] == 1024)
				assert_true(n >= 1); /* paths may be dropped */
			else
				assert_true(n >= 3);
			find_list(out, fmt, false, &li);
			assert_int_equal(li.kept, 4);
		}
	}
	free(pexe);
	fixture_free(f);
}

/* Everything at its maximum at once, at the minimum size. */
static void test_limit_worst_case(void **state)
{
	static const size_t lens[] = { 4095, 1023, 255, 31, 128 * 1024 };
	struct fixture *f = fixture_new();
	char *pexe = malloc(4096), *huge = malloc(128 * 1024 + 1);
	struct arglist l, pl;
	const char *out;
	size_t k;
	int fmt;

	(void)state;
	assert_non_null(pexe);
	assert_non_null(huge);
	memset(huge, 0xff, 128 * 1024);
	huge[128 * 1024] = '\0';
	memset(f->ev.node, 0xff, 255);
	memset(f->ev.tty, 0xff, 31);
	memset(f->ev.exe, 0xff, 4095);
	memset(f->ev.cwd, 0xff, 4095);
	memset(f->ev.key, 0xff, 1023);
	f->ev.name = f->ev.exe;
	f->ev.name_len = 4095;
	memset(pexe, 0xff, 4095);
	pexe[4095] = '\0';
	f->parent.exe = pexe;
	f->parent.name = pexe;
	f->a.host = f->ev.node;
	f->ev.pid = INT_MIN;
	f->ev.ppid = INT_MIN;
	f->ev.uid = 4294967294u;
	f->ev.auid = 4294967294u;
	f->ev.ses = 4294967294u;
	f->ev.serial = ULONG_MAX;
	arglist_gen(&l, 100000, "tail", "/boot/x", 'a', 8);
	l.v[0].ptr = huge;
	l.v[0].len = 128 * 1024;
	l.v[99999].ptr = huge;
	l.v[99999].len = 128 * 1024;
	l.av.flags = ARGV_TRUNCATED;
	fixture_child_args(f, &l);
	arglist_gen(&pl, 5000, "/bin/sh", "/boot/cfg", 'p', 4);
	pl.v[0].ptr = huge;
	pl.v[0].len = 128 * 1024;
	fixture_parent_args(f, &pl);
	f->parent.flags = PROC_ARGV_TRUNCATED;

	for (fmt = 0; fmt < 2; fmt++) {
		for (k = 0; k < NLIMITS; k++) {
			out = fmt_alert(f, fmt, limits[k]);
			check_str_markers(out, "xff", lens, 5);
			assert_non_null(strstr(out, fmt == ALERT_FORMAT_JSON ?
					       "\"args_count\":100000" :
					       "argv_truncated=yes"));
		}
		out = fmt_alert(f, fmt, 0);
		assert_true(strlen(out) > 128 * 1024 * 4);
	}
	free(pexe);
	free(huge);
	fixture_free(f);
}

/* Cuts never split a UTF-8 sequence or an escape, at any cap. */
static void test_limit_cut_boundaries(void **state)
{
	static const char pattern[] = "\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80"
				      "\xff\"\\\n\xc2\x85z";
	struct fixture *f = fixture_new();
	const char *list[2] = { NULL, "/boot/x" };
	size_t plen = sizeof(pattern) - 1, n = 40000, i, max;
	char *arg = malloc(n + 1);
	struct arglist l;
	int fmt;

	(void)state;
	assert_non_null(arg);
	for (i = 0; i < n; i++)
		arg[i] = pattern[i % plen];
	arg[n] = '\0';
	list[0] = arg;
	arglist_set(&l, list, 2);
	fixture_child_args(f, &l);
	for (fmt = 0; fmt < 2; fmt++)
		for (max = 1024; max < 1400; max += 7)
			fmt_alert(f, fmt, max); /* validity checked inside */
	free(arg);
	fixture_free(f);
}

static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Bytes biased towards the hard cases: quotes, controls, UTF-8 pieces. */
static void rnd_fill(char *p, size_t n)
{
	static const char pieces[] = "\"\\\n\x01\x7f\xc3\xa9\xe2\x80\xa8"
				     "\xf0\x9f\x98\x80\xc2\x85\xed\xa0\xff/ab";
	size_t i;

	for (i = 0; i < n; i++) {
		char c = (rnd() & 1) ? pieces[rnd() % (sizeof(pieces) - 1)]
				     : (char)(rnd() % 255 + 1);
		p[i] = c;
	}
	p[n] = '\0';
}

/* Random events and limits: always bounded, one line, valid JSON. */
static void test_limit_random(void **state)
{
	struct fixture *f = fixture_new();
	char *pool = malloc(200001), *pexe = malloc(4096);
	unsigned iter;

	(void)state;
	assert_non_null(pool);
	assert_non_null(pexe);
	rnd_fill(pool, 200000);
	for (iter = 0; iter < 200; iter++) {
		struct arglist l, pl;
		uint32_t n = rnd() % 3000, pn = rnd() % 300, i;
		size_t max = 1024 + rnd() % 6000;
		int fmt;

		arglist_set(&l, NULL, 0);
		free(l.v);
		l.v = calloc(n + 1, sizeof(*l.v));
		assert_non_null(l.v);
		/* the parent shares (a prefix of) the child's vector */
		pl.v = NULL;
		pl.buf = NULL;
		l.av.total_bytes = 0;
		for (i = 0; i < n; i++) {
			size_t len = (rnd() % 50 == 0) ? rnd() % 60000
						       : rnd() % 40;
			size_t off = rnd() % (200000 - len);

			/* args end at the pool's NUL or are cut short:
			 * the pointer + len is what counts */
			l.v[i].ptr = pool + off;
			l.v[i].len = (uint32_t)len;
			l.av.total_bytes += len;
		}
		l.av.argc = n;
		l.av.v = l.v;
		l.av.flags = rnd() & 1;
		pl.av = l.av;
		pl.av.argc = pn < n ? pn : n;
		pl.av.v = l.v;
		fixture_child_args(f, &l);
		fixture_parent_args(f, &pl);
		rnd_fill(f->ev.exe, rnd() % 4096);
		rnd_fill(f->ev.cwd, rnd() % 4096);
		rnd_fill(f->ev.key, rnd() % 1024);
		rnd_fill(f->ev.node, rnd() % 256);
		rnd_fill(f->ev.tty, rnd() % 32);
		rnd_fill(pexe, rnd() % 4096);
		f->ev.name = f->ev.exe;
		f->ev.name_len = strlen(f->ev.exe);
		f->parent.exe = pexe;
		f->parent.name = pexe + strlen(pexe) / 2;
		f->a.host = f->ev.node;
		f->a.parent = (rnd() & 3) ? &f->parent : NULL;
		for (fmt = 0; fmt < 2; fmt++)
			fmt_alert(f, fmt, max);
	}
	free(pool);
	free(pexe);
	fixture_free(f);
}

/* A rule whose threat list alone passes the limit: the threats go, the
 * evidence stays; with a tiny event the fixed fallback is never needed. */
static void test_limit_huge_rule(void **state)
{
	struct rule_threat *many = calloc(60, sizeof(*many));
	struct rule_meta big_rule = test_rule;
	struct fixture *f = fixture_new();
	const char *out;
	char *name;
	size_t i;

	(void)state;
	assert_non_null(many);
	for (i = 0; i < 60; i++)
		many[i] = test_rule.threats[i % 2];
	big_rule.threats = many;
	big_rule.nthreats = 60;
	f->a.rule = &big_rule;
	out = fmt_alert(f, ALERT_FORMAT_JSON, 1024);
	assert_null(strstr(out, "\"threat\":["));
	/* and the alert says so */
	assert_non_null(strstr(out, "\"dropped\":{"));
	assert_non_null(strstr(out, "\"threat\":\"all\"}"));
	assert_non_null(strstr(out, "\"rule\":{\"id\":\"3c9f7901-"));
	assert_non_null(strstr(out, "\"args\":[\"tail\",\"-c\",\"64\","
				    "\"/boot/vmlinuz\"]"));
	out = fmt_alert(f, ALERT_FORMAT_JSON, 0);
	assert_true(strlen(out) > 60 * 200);

	/* With a long rule name too, nothing but the fixed fallback fits:
	 * no untrusted text at all, still valid and bounded. */
	name = malloc(601);
	assert_non_null(name);
	memset(name, 'N', 600);
	name[600] = '\0';
	big_rule.name = name;
	memset(f->ev.exe, 0xff, 4095);
	memset(f->ev.cwd, 0xff, 4095);
	f->ev.name = f->ev.exe;
	f->ev.name_len = 4095;
	memset(f->ev.node, 0xff, 255);
	f->a.host = f->ev.node;
	out = fmt_alert(f, ALERT_FORMAT_JSON, 1024);
	assert_non_null(strstr(out, "\"process\":{\"pid\":4242,"
				    "\"args_count\":4,\"parent\":{\"pid\":4000}},"
				    "\"auditd\":{\"sequence\":1234}}"));
	out = fmt_alert(f, ALERT_FORMAT_TEXT, 1024);
	assert_non_null(strstr(out, " serial=1234 pid=4242 ppid=4000 "
				    "fields=omitted"));
	free(name);
	fixture_free(f);
	free(many);
}

/* ---- lineage: previous image, ancestors, timeline ------------------------ */

/*
 * A lineage filled by hand (lineage.h allows it: `built` says all is
 * there): the previous image, `nanc` ancestors (pid 3000 + i, argv
 * "anc<i>" "arg"), `ntl` timeline entries (pid 2000 + i, argv "cmd<i>"),
 * and ids for the previous image, the parent and each ancestor.
 */
struct ctxfix {
	struct lineage l;
	char names[LINEAGE_MAX_DEPTH + TIMELINE_MAX_SIZE + 1][24];
	struct argv_arg av[LINEAGE_MAX_DEPTH + TIMELINE_MAX_SIZE + 1][2];
};

static void ctx_fill(struct ctxfix *c, struct fixture *f, unsigned nanc,
		     unsigned ntl, size_t argv_bytes)
{
	struct lineage *l = &c->l;
	unsigned i, k = 0;

	lineage_init(l);
	l->ev = &f->ev;
	l->parent = f->a.parent;
	l->host = f->a.host;
	l->set.depth = nanc;
	l->set.timeline = ntl;
	l->set.argv_bytes = argv_bytes;
	l->built = LINEAGE_ALL;
	lineage_entity_id(l->self_id, sizeof(l->self_id), "web1", 4242,
			  1795809662, 123, 1234);
	lineage_entity_id(l->parent_id, sizeof(l->parent_id), "web1", 4000,
			  1795809600, 0, 1000);
	l->has_previous = true;
	l->previous.pid = 4242;
	l->previous.ppid = 4000;
	l->previous.exe = "/usr/bin/bash";
	l->previous.name = "bash";
	c->av[k][0] = (struct argv_arg){ "bash", 4 };
	c->av[k][1] = (struct argv_arg){ "-c", 2 };
	l->previous.argv = (struct argv){ 2, c->av[k], 6, 0 };
	k++;
	lineage_entity_id(l->previous_id, sizeof(l->previous_id), "web1", 4242,
			  1795809662, 100, 1233);
	l->previous.entity_id = l->previous_id;
	l->ancestry.v = l->ancestry_v;
	l->ancestry_v[l->ancestry.argc++] =
		(struct argv_arg){ l->previous_id,
				   (uint32_t)strlen(l->previous_id) };
	l->ancestry_v[l->ancestry.argc++] =
		(struct argv_arg){ l->parent_id, (uint32_t)strlen(l->parent_id) };
	l->nanc = nanc;
	for (i = 0; i < nanc; i++, k++) {
		struct lineage_image *a = &l->anc[i];

		snprintf(c->names[k], sizeof(c->names[k]), "anc%u", i);
		c->av[k][0] = (struct argv_arg){ c->names[k],
						  (uint32_t)strlen(c->names[k]) };
		c->av[k][1] = (struct argv_arg){ "arg", 3 };
		a->pid = 3000 + (pid_t)i;
		a->ppid = 3001 + (pid_t)i;
		a->exe = "/usr/bin/sh";
		a->name = "sh";
		a->argv = (struct argv){ 2, c->av[k], c->av[k][0].len + 3, 0 };
		lineage_entity_id(l->anc_id[i], sizeof(l->anc_id[i]), "web1",
				  a->pid, 1795809000 + i, 0, 900 - i);
		a->entity_id = l->anc_id[i];
		l->ancestry_v[l->ancestry.argc++] =
			(struct argv_arg){ l->anc_id[i],
					   (uint32_t)strlen(l->anc_id[i]) };
	}
	l->tl_state = LINEAGE_TIMELINE_SESSION;
	l->ntl = ntl;
	for (i = 0; i < ntl; i++, k++) {
		struct timeline_entry *e = &l->tl_e[i];

		snprintf(c->names[k], sizeof(c->names[k]), "cmd%u", i);
		c->av[k][0] = (struct argv_arg){ c->names[k],
						  (uint32_t)strlen(c->names[k]) };
		e->sec = 1795809660 + i;
		e->msec = 5;
		e->serial = 1200 + i;
		e->pid = 2000 + (pid_t)i;
		e->ppid = i % 2 ? -1 : 4000;
		e->argv = (struct argv){ 1, c->av[k], c->av[k][0].len, 0 };
	}
	for (i = 0; i < l->ancestry.argc; i++)
		l->ancestry.total_bytes += l->ancestry_v[i].len;
	f->a.lineage = l;
}

static void test_text_lineage(void **state)
{
	struct fixture *f = fixture_new();
	struct ctxfix *c = calloc(1, sizeof(*c));
	const char *out;

	(void)state;
	assert_non_null(c);
	ctx_fill(c, f, 2, 2, 512);
	c->l.anc[1].argv.flags = ARGV_TRUNCATED;
	out = fmt_alert(f, ALERT_FORMAT_TEXT, 0);
	assert_string_equal(out, TEXT_HEAD
		" pid=4242 entity_id=\"d2ViMXw0MjQyfDE3OTU4MDk2NjIuMTIzfDEyMzQ="
		"\" ppid=4000 uid=1000 ruser=\"alice\" euid=0 user=\"root\" gid"
		"=1000 egid=1000 auid=1000 auser=\"alice\" ses=3 tty=\"pts0\" n"
		"ame=\"tail\" exe=\"/usr/bin/tail\" cwd=\"/root\" key=\"kseek\""
		" args=[\"tail\",\"-c\",\"64\",\"/boot/vmlinuz\"] previous=[[\""
		"/usr/bin/bash\",[\"bash\",\"-c\"]]] parent_entity_id=\"d2ViMXw"
		"0MDAwfDE3OTU4MDk2MDAuMDAwfDEwMDA=\" parent_name=\"bash\" paren"
		"t_exe=\"/usr/bin/bash\" parent_args=[\"bash\"] ancestors=[[300"
		"0,\"/usr/bin/sh\",[\"anc0\",\"arg\"]],[3001,\"/usr/bin/sh\",["
		"\"anc1\",\"arg\"],truncated]] timeline=[[2026-11-27T20:01:00.0"
		"05Z,2000,4000,[\"cmd0\"]],[2026-11-27T20:01:01.005Z,2001,unset"
		",[\"cmd1\"]]]");
	/* no context at all: none of its keys */
	c->l.has_previous = false;
	c->l.nanc = 0;
	c->l.ntl = 0;
	out = fmt_alert(f, ALERT_FORMAT_TEXT, 0);
	assert_null(strstr(out, "previous="));
	assert_null(strstr(out, "ancestors="));
	assert_null(strstr(out, "timeline="));
	assert_null(strstr(out, "dropped="));
	f->a.lineage = NULL;
	fixture_free(f);
	free(c);
}

static void test_json_lineage(void **state)
{
	struct fixture *f = fixture_new();
	struct ctxfix *c = calloc(1, sizeof(*c));
	const char *out;

	(void)state;
	assert_non_null(c);
	ctx_fill(c, f, 1, 2, 512);
	c->l.tl_e[0].argv.flags = ARGV_TRUNCATED;
	out = fmt_alert(f, ALERT_FORMAT_JSON, 0);
	assert_string_equal(out, JSON_HEAD
		",\"host\":{\"name\":\"web1\"},\"process\":{\"pid\":4242,\"enti"
		"ty_id\":\"d2ViMXw0MjQyfDE3OTU4MDk2NjIuMTIzfDEyMzQ=\","
		"\"name\":\"tail\",\"executable\":\"/usr/bin/tail\",\"args\":["
		"\"tail\","
		"\"-c\",\"64\",\"/boot/vmlinuz\"],\"args_count\":4,\"command_li"
		"ne\":\"tail "
		"-c 64 /boot/vmlinuz\",\"working_directory\":\"/root\","
		"\"previous\":[{\"executable\":\"/usr/bin/bash\",\"args\":[\"ba"
		"sh\","
		"\"-c\"]}],\"Ext\":{\"ancestry\":[\"d2ViMXw0MjQyfDE3OTU4MDk2NjI"
		"uMTAwfDEyMzM=\","
		"\"d2ViMXw0MDAwfDE3OTU4MDk2MDAuMDAwfDEwMDA=\",\"d2ViMXwzMDAwfDE"
		"3OTU4MDkwMDAuMDAwfDkwMA==\"]},"
		"\"parent\":{\"pid\":4000,\"entity_id\":\"d2ViMXw0MDAwfDE3OTU4M"
		"Dk2MDAuMDAwfDEwMDA=\","
		"\"name\":\"bash\",\"executable\":\"/usr/bin/bash\",\"args\":["
		"\"bash\"],"
		"\"args_count\":1,\"command_line\":\"bash\"},\"user\":{\"id\":"
		"\"0\","
		"\"name\":\"root\"},\"real_user\":{\"id\":\"1000\",\"name\":\"a"
		"lice\"},"
		"\"group\":{\"id\":\"1000\",\"name\":\"staff\"},\"real_group\":"
		"{\"id\":\"1000\","
		"\"name\":\"staff\"},\"interactive\":true,\"tty\":{\"char_devic"
		"e\":{\"major\":136,"
		"\"minor\":0}}},\"user\":{\"id\":\"0\",\"name\":\"root\",\"Ext"
		"\":{\"real\":{\"id\":\"1000\","
		"\"name\":\"alice\"}},\"audit\":{\"id\":\"1000\",\"name\":\"ali"
		"ce\"}},"
		"\"group\":{\"id\":\"1000\",\"name\":\"staff\",\"Ext\":{\"real"
		"\":{\"id\":\"1000\","
		"\"name\":\"staff\"}}},\"auditd\":{\"sequence\":1234,\"session"
		"\":\"3\","
		"\"data\":{\"tty\":\"pts0\"},\"ancestors\":[{\"pid\":3000,\"exe"
		"cutable\":\"/usr/bin/sh\","
		"\"args\":[\"anc0\",\"arg\"]}],\"timeline\":[{\"@timestamp\":\""
		"2026-11-27T20:01:00.005Z\","
		"\"pid\":2000,\"ppid\":4000,\"args\":[\"cmd0\"],\"args_truncate"
		"d\":true},"
		"{\"@timestamp\":\"2026-11-27T20:01:01.005Z\",\"pid\":2001,"
		"\"args\":[\"cmd1\"]}]}}");
	/* an image without an exe (a kernel thread's, or exe not
	 * recorded): JSON leaves the key out (found by fuzz_records) */
	c->l.previous.exe = "";
	c->l.anc[0].exe = "";
	out = fmt_alert(f, ALERT_FORMAT_JSON, 0);
	assert_non_null(strstr(out, "\"previous\":[{\"args\":[\"bash\",\"-c\"]}]"));
	assert_non_null(strstr(out, "\"ancestors\":[{\"pid\":3000,\"args\":"));
	out = fmt_alert(f, ALERT_FORMAT_TEXT, 0);
	assert_non_null(strstr(out, " previous=[[\"\",[\"bash\",\"-c\"]]]"));
	f->a.lineage = NULL;
	fixture_free(f);
	free(c);
}

/* What a JSON alert shows of the context: counts of ancestors and
 * timeline entries (`{"` never occurs inside a JSON string, so these are
 * the objects), which ones, and what auditd.dropped says. */
struct shown {
	unsigned anc, tl, drop_anc, drop_tl;
	long first_anc, last_tl;   /* pid of the first ancestor, last entry */
	bool dropped;
};

static void json_shown(const char *out, struct shown *sh)
{
	const char *a = strstr(out, "\"ancestors\":["), *t, *d, *p;

	memset(sh, 0, sizeof(*sh));
	sh->first_anc = sh->last_tl = -1;
	for (p = a; p && (p = strstr(p, "{\"pid\":")) != NULL; p++) {
		const char *end = strstr(a, "}]");

		if (end && p > end)
			break;
		if (sh->anc++ == 0)
			sh->first_anc = strtol(p + 7, NULL, 10);
	}
	t = strstr(out, "\"timeline\":[");
	for (p = t; p && (p = strstr(p, "{\"@timestamp\":")) != NULL; p++) {
		const char *q = strstr(p, "\"pid\":");

		sh->tl++;
		sh->last_tl = strtol(q + 6, NULL, 10);
	}
	d = strstr(out, "\"dropped\":{");
	sh->dropped = d != NULL;
	if (d && (p = strstr(d, "\"timeline\":")) != NULL)
		sh->drop_tl = (unsigned)strtoul(p + 11, NULL, 10);
	if (d && (p = strstr(d, "\"ancestors\":")) != NULL)
		sh->drop_anc = (unsigned)strtoul(p + 12, NULL, 10);
}

/*
 * The drop order: as the limit shrinks, the timeline's entries go first,
 * the oldest first (the newest stay), then the ancestors, the farthest
 * first (the nearest stay); each drop is counted in auditd.dropped, and
 * an ancestor only goes once the whole timeline has.
 */
static void test_limit_context_order(void **state)
{
	struct fixture *f = fixture_new();
	struct ctxfix *c = calloc(1, sizeof(*c));
	unsigned prev_anc = 33, prev_tl = 33;
	bool saw_tl_drop = false, saw_anc_drop = false;
	struct shown sh;
	size_t max;
	int fmt;

	(void)state;
	assert_non_null(c);
	ctx_fill(c, f, 16, 16, 512);
	for (max = 6000; max >= 1024; max -= 16) {
		const char *out = fmt_alert(f, ALERT_FORMAT_JSON, max);

		json_shown(out, &sh);
		assert_int_equal(sh.anc + sh.drop_anc, 16);
		assert_int_equal(sh.tl + sh.drop_tl, 16);
		if (sh.tl)
			assert_int_equal(sh.last_tl, 2015); /* newest kept */
		if (sh.anc)
			assert_int_equal(sh.first_anc, 3000); /* nearest */
		if (sh.drop_anc)
			assert_int_equal(sh.tl, 0);
		/* less room never shows more */
		assert_true(sh.anc <= prev_anc);
		if (sh.anc == prev_anc)
			assert_true(sh.tl <= prev_tl);
		prev_anc = sh.anc;
		prev_tl = sh.tl;
		saw_tl_drop |= sh.drop_tl > 0 && sh.tl > 0;
		saw_anc_drop |= sh.drop_anc > 0 && sh.anc > 0;
		/* the evidence stays whole while any context does */
		if (sh.anc || sh.tl)
			assert_non_null(strstr(out, "\"args\":[\"tail\",\"-c\","
						    "\"64\",\"/boot/vmlinuz\"]"));
	}
	assert_true(saw_tl_drop);
	assert_true(saw_anc_drop);

	/* text: the same order, said as dropped=[...] */
	for (max = 4000; max >= 1024; max -= 64) {
		const char *out = fmt_alert(f, ALERT_FORMAT_TEXT, max);
		const char *d = strstr(out, " dropped=[");

		if (strstr(out, " ancestors=[") && strstr(out, " timeline=["))
			continue;
		if (!strstr(out, " ancestors=[") && !strstr(out, " timeline=[")) {
			assert_non_null(strstr(out, " dropped=[timeline:16,"
						    "ancestors:"));
			continue;
		}
		assert_non_null(d);
		if (!strstr(out, " timeline=["))
			assert_non_null(strstr(d, "timeline:16"));
	}
	/* every format and limit: valid, bounded */
	for (fmt = 0; fmt < 2; fmt++)
		for (max = 1024; max < 9000; max += 333)
			fmt_alert(f, fmt, max);
	f->a.lineage = NULL;
	fixture_free(f);
	free(c);
}

/* A padded argv (one huge argument, or 100,000) is cut; the context stays
 * whole at the default size: it cannot be pushed out by the attacker's
 * own arguments. */
static void test_limit_padding_keeps_context(void **state)
{
	const size_t big = 128 * 1024;
	struct fixture *f = fixture_new();
	struct ctxfix *c = calloc(1, sizeof(*c));
	const char *list[4] = { "tail", "-c", "64", NULL };
	char *arg = malloc(big + 1);
	struct arglist l;
	struct shown sh;
	int fmt;

	(void)state;
	assert_non_null(c);
	assert_non_null(arg);
	memset(arg, 'q', big);
	arg[big] = '\0';
	list[3] = arg;
	ctx_fill(c, f, 8, 8, 512);
	arglist_set(&l, list, 4);
	fixture_child_args(f, &l);
	for (fmt = 0; fmt < 2; fmt++) {
		const char *out = fmt_alert(f, fmt, 8000);

		assert_non_null(strstr(out, "...[")); /* the argument is cut */
		if (fmt == ALERT_FORMAT_JSON) {
			json_shown(out, &sh);
			assert_int_equal(sh.anc, 8);
			assert_int_equal(sh.tl, 8);
			assert_false(sh.dropped);
		} else {
			assert_null(strstr(out, " dropped="));
			assert_non_null(strstr(out, " timeline=[[2026-"));
		}
	}
	arglist_gen(&l, 100000, "tail", "/boot/x", 'a', 8);
	fixture_child_args(f, &l);
	for (fmt = 0; fmt < 2; fmt++) {
		const char *out = fmt_alert(f, fmt, 8000);

		assert_non_null(strstr(out, " omitted..."));
		assert_null(strstr(out, "dropped"));
	}
	f->a.lineage = NULL;
	free(arg);
	fixture_free(f);
	free(c);
}

/* An ancestor's argv takes at most argv_bytes (its strings half of it),
 * whatever the room: cut in its middle like any list. */
static void test_limit_ancestor_argv(void **state)
{
	struct fixture *f = fixture_new();
	struct ctxfix *c = calloc(1, sizeof(*c));
	struct arglist l, one;
	char *huge = malloc(20001);
	const char *hl[3] = { "sh", "-c", NULL };
	int fmt;

	(void)state;
	assert_non_null(c);
	assert_non_null(huge);
	memset(huge, 'h', 20000);
	huge[20000] = '\0';
	hl[2] = huge;
	ctx_fill(c, f, 2, 0, 300);
	arglist_gen(&l, 1000, "/bin/sh", "/boot/last", 'z', 6);
	c->l.anc[0].argv = l.av;
	arglist_set(&one, hl, 3);
	c->l.anc[1].argv = one.av;
	for (fmt = 0; fmt < 2; fmt++) {
		const char *out = fmt_alert(f, fmt, fmt ? 0 : 100000);
		const char *a = strstr(out, fmt ? "\"ancestors\":[" :
					     " ancestors=[");
		/* text: [pid,"exe",[args]]; JSON: "args":[...] */
		const char *args = fmt ? strstr(a, "\"args\":[") + 7 :
			strstr(a, "\"/usr/bin/sh\",[") + 14;
		const char *end = strchr(args, ']');
		static const size_t lens[] = { 20000 };

		assert_non_null(end);
		/* the first ancestor's list: cut, its ends kept */
		assert_true((size_t)(end - args) <= 300 + 8 + 2 * 20);
		assert_non_null(strstr(args, "/bin/sh"));
		assert_true(strstr(args, "/boot/last") < end);
		assert_true(strstr(args, " omitted...") < end);
		/* the second: its long argument cut in its middle */
		check_str_markers(strstr(end, "sh"), "h", lens, 1);
	}
	/* 0: no cap of its own */
	c->l.set.argv_bytes = 0;
	assert_non_null(strstr(fmt_alert(f, ALERT_FORMAT_JSON, 0), "z000500"));
	f->a.lineage = NULL;
	arglist_free(&l);
	arglist_free(&one);
	free(huge);
	fixture_free(f);
	free(c);
}

/* Random events with deep ancestry and long timelines, hostile bytes
 * everywhere, under every limit: bounded, one line, valid JSON, and every
 * ancestor and timeline entry either shown or counted as dropped. */
static void test_limit_random_lineage(void **state)
{
	struct fixture *f = fixture_new();
	struct ctxfix *c = calloc(1, sizeof(*c));
	char *pool = malloc(200001), *exes = malloc(33 * 600);
	struct argv_arg *v = calloc(64 * 200, sizeof(*v));
	unsigned iter;

	(void)state;
	assert_non_null(c);
	assert_non_null(pool);
	assert_non_null(exes);
	assert_non_null(v);
	rnd_fill(pool, 200000);
	for (iter = 0; iter < 150; iter++) {
		unsigned nanc = rnd() % (LINEAGE_MAX_DEPTH + 1);
		unsigned ntl = rnd() % (TIMELINE_MAX_SIZE + 1), i, k;
		size_t max = 1024 + rnd() % 12000;
		struct shown sh;
		int fmt;

		ctx_fill(c, f, nanc, ntl, 64 + rnd() % 2000);
		for (i = 0; i < nanc + ntl; i++) {
			struct argv *av = i < nanc ? &c->l.anc[i].argv :
					  &c->l.tl_e[i - nanc].argv;
			uint32_t n = rnd() % (rnd() % 8 ? 8 : 200);

			struct argv_arg *vv = v + (size_t)i * 200;

			memset(av, 0, sizeof(*av));
			av->v = vv;
			for (k = 0; k < n; k++) {
				size_t len = rnd() % 30 ? rnd() % 40 :
							  rnd() % 20000;

				vv[k].ptr = pool + rnd() % (200000 - len);
				vv[k].len = (uint32_t)len;
				av->total_bytes += len;
			}
			av->argc = n;
			av->flags = rnd() % 5 ? 0 : ARGV_TRUNCATED;
			if (i < nanc) {
				char *e = exes + i * 600;

				rnd_fill(e, rnd() % 599);
				c->l.anc[i].exe = e;
				if (rnd() % 4 == 0) {
					c->l.anc[i].entity_id = NULL;
					c->l.ancestry.argc = 2 + i < c->l.ancestry.argc ?
						2 + i : c->l.ancestry.argc;
				}
			}
		}
		if (rnd() % 3 == 0)
			rnd_fill(f->ev.node, rnd() % 256);
		f->a.host = f->ev.node[0] ? f->ev.node : "web1";
		c->l.has_previous = rnd() % 2;
		f->a.parent = rnd() % 4 ? &f->parent : NULL;
		for (fmt = 0; fmt < 2; fmt++) {
			const char *out = fmt_alert(f, fmt, max);

			if (fmt != ALERT_FORMAT_JSON)
				continue;
			json_shown(out, &sh);
			if (strstr(out, "\"args_count\"") == NULL)
				continue; /* the fixed fallback */
			assert_int_equal(sh.anc + sh.drop_anc, nanc);
			assert_int_equal(sh.tl + sh.drop_tl, ntl);
			if (sh.drop_anc)
				assert_int_equal(sh.tl, 0);
		}
		f->ev.node[0] = '\0';
	}
	f->a.lineage = NULL;
	free(v);
	free(exes);
	free(pool);
	fixture_free(f);
	free(c);
}

/* While context is kept, no string is cut below CONTEXT_MIN_CAP (256):
 * with a 4000-byte executable and working directory and a tight limit,
 * the timeline and the ancestors go before the exec's own strings are cut
 * to shreds. */
static void test_limit_context_floor(void **state)
{
	struct fixture *f = fixture_new();
	struct ctxfix *c = calloc(1, sizeof(*c));
	bool saw_context = false, saw_small = false;
	struct shown sh;
	size_t max;

	(void)state;
	assert_non_null(c);
	memset(f->ev.exe, 'e', 4000);
	f->ev.exe[4000] = '\0';
	f->ev.name = f->ev.exe + 3996;
	f->ev.name_len = 4;
	memset(f->ev.cwd, 'w', 4000);
	f->ev.cwd[4000] = '\0';
	ctx_fill(c, f, 8, 8, 512);
	for (max = 1400; max <= 4000; max += 50) {
		const char *out = fmt_alert(f, ALERT_FORMAT_JSON, max);
		const char *e = strstr(out, "\"executable\":\"e");
		size_t kept = 0;

		json_shown(out, &sh);
		if (e)
			for (e += 14; *e == 'e'; e++)
				kept++;
		if (sh.anc || sh.tl) {
			saw_context = true;
			/* the head of a string capped at >= 256, beside a
			 * marker of at most 26 bytes */
			assert_non_null(strstr(out, "\"executable\":\"e"));
			assert_true(kept >= (256 - 26) / 2);
		} else if (e && kept < (256 - 26) / 2) {
			saw_small = true;
		}
	}
	assert_true(saw_context);
	assert_true(saw_small);
	f->a.lineage = NULL;
	fixture_free(f);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validator_self),
		cmocka_unit_test(test_strbuf_basics),
		cmocka_unit_test(test_strbuf_exact_fill_and_growth),
		cmocka_unit_test(test_text_known_parent),
		cmocka_unit_test(test_text_unknown_parent_node_unset),
		cmocka_unit_test(test_json_known_parent),
		cmocka_unit_test(test_json_unknown_parent_unset),
		cmocka_unit_test(test_empty_argv),
		cmocka_unit_test(test_entry_leader),
		cmocka_unit_test(test_escape_text),
		cmocka_unit_test(test_escape_json),
		cmocka_unit_test(test_hostile_event),
		cmocka_unit_test(test_limit_100k_args),
		cmocka_unit_test(test_limit_parent_5000_args),
		cmocka_unit_test(test_limit_one_huge_arg),
		cmocka_unit_test(test_limit_escaped_paths),
		cmocka_unit_test(test_limit_worst_case),
		cmocka_unit_test(test_limit_cut_boundaries),
		cmocka_unit_test(test_limit_huge_rule),
		cmocka_unit_test(test_limit_random),
		cmocka_unit_test(test_text_lineage),
		cmocka_unit_test(test_json_lineage),
		cmocka_unit_test(test_limit_context_order),
		cmocka_unit_test(test_limit_padding_keeps_context),
		cmocka_unit_test(test_limit_context_floor),
		cmocka_unit_test(test_limit_ancestor_argv),
		cmocka_unit_test(test_limit_random_lineage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
