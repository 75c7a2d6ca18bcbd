/*
 * test_conf.c - the config file parser: defaults, every key with good and
 * bad values, comments and whitespace, and the exact error messages (file
 * and line) an administrator will see.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "argv.h"
#include "conf.h"
#include "lineage.h"
#include "proc_table.h"
#include "session.h"
#include "timeline.h"

static char path[256];

/* Write `len` bytes (NULs allowed) to a fresh temporary file. */
static void write_file(const void *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/test_conf.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_text(const char *text)
{
	write_file(text, strlen(text));
}

static int teardown(void **state)
{
	(void)state;
	if (path[0])
		unlink(path);
	path[0] = '\0';
	return 0;
}

/* Field by field: the struct has padding, so memcmp would be wrong. */
static void assert_conf_equal(const struct ks_conf *a, const struct ks_conf *b)
{
	assert_int_equal(a->facility, b->facility);
	assert_int_equal(a->priority, b->priority);
	assert_int_equal(a->format, b->format);
	assert_int_equal(a->json_cee_cookie, b->json_cee_cookie);
	assert_int_equal(a->max_message_size, b->max_message_size);
	assert_int_equal(a->throttle_max_alerts, b->throttle_max_alerts);
	assert_int_equal(a->throttle_window, b->throttle_window);
	assert_int_equal(a->process_table_size, b->process_table_size);
	assert_int_equal(a->session_table_size, b->session_table_size);
	assert_int_equal(a->max_argv_bytes, b->max_argv_bytes);
	assert_int_equal(a->proc_fallback, b->proc_fallback);
	assert_string_equal(a->rules_dir, b->rules_dir);
	assert_string_equal(a->local_rules_dir, b->local_rules_dir);
	assert_string_equal(a->rules, b->rules);
	assert_string_equal(a->log_socket, b->log_socket);
}

/* Load `text`; expect success. */
static void load_ok(const char *text, struct ks_conf *c)
{
	char err[1024] = "";

	teardown(NULL);
	write_text(text);
	conf_defaults(c);
	if (conf_load(path, c, err, sizeof(err)) != 0)
		fail_msg("unexpected error: %s", err);
}

/* Load `text`; expect failure with "PATH:LINE: want" and *out untouched. */
static void load_err(const char *text, unsigned line, const char *want)
{
	char err[1024] = "", exp[1024];
	struct ks_conf c, before;

	teardown(NULL);
	write_text(text);
	memset(&c, 0xA5, sizeof(c));
	memcpy(&before, &c, sizeof(c));
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	snprintf(exp, sizeof(exp), "%s:%u: %s", path, line, want);
	assert_string_equal(err, exp);
	assert_memory_equal(&c, &before, sizeof(c));
}

static void test_defaults(void **state)
{
	struct ks_conf c;
	char buf[1024];

	(void)state;
	conf_defaults(&c);
	assert_int_equal(c.facility, LOG_AUTHPRIV);
	assert_int_equal(c.priority, LOG_WARNING);
	assert_int_equal(c.format, ALERT_FORMAT_TEXT);
	assert_false(c.json_cee_cookie);
	assert_int_equal(c.max_message_size, 8000);
	assert_int_equal(c.throttle_max_alerts, CONF_THROTTLE_PER_RULE);
	assert_int_equal(c.throttle_window, 300);
	assert_int_equal(c.process_table_size, 16384);
	assert_int_equal(c.session_table_size, 4096);
	assert_int_equal(c.max_argv_bytes, 1048576);
	/* the modules' own defaults, spelled out in the table */
	assert_int_equal(c.process_table_size, PROC_TABLE_DEFAULT_ENTRIES);
	assert_int_equal(c.session_table_size, SESSION_DEFAULT_ENTRIES);
	assert_int_equal(c.max_argv_bytes, ARGV_DEFAULT_MAX_TOTAL_BYTES);
	assert_true(c.proc_fallback);
	assert_int_equal(c.ancestry_depth, LINEAGE_DEFAULT_DEPTH);
	assert_int_equal(c.ancestry_argv_bytes, LINEAGE_DEFAULT_ARGV_BYTES);
	assert_int_equal(c.timeline_size, TIMELINE_DEFAULT_SIZE);
	assert_int_equal(c.timeline_sessions, TIMELINE_DEFAULT_SESSIONS);
	assert_int_equal(c.timeline_argv_bytes, TIMELINE_DEFAULT_ARGV_BYTES);
	assert_string_equal(c.rules, "kernel_seeking_v2");
	assert_string_equal(c.log_socket, "/dev/log");
	assert_string_equal(c.rules_dir, DATADIR "/audisp-kernel-seeking/rules");
	assert_string_equal(c.local_rules_dir,
			    SYSCONFDIR "/audit/audisp-kernel-seeking.d");
	conf_describe(&c, buf, sizeof(buf));
	assert_string_equal(buf,
		"facility=authpriv priority=warning format=text "
		"json_cee_cookie=no max_message_size=8000 "
		"throttle_max_alerts=rule throttle_window=300 "
		"process_table_size=16384 session_table_size=4096 "
		"max_argv_bytes=1048576 proc_fallback=yes ancestry_depth=8 "
		"ancestry_argv_bytes=512 timeline_size=8 timeline_sessions=1024 "
		"timeline_argv_bytes=256 "
		"rules_dir=" DATADIR "/audisp-kernel-seeking/rules "
		"rules=kernel_seeking_v2 "
		"local_rules_dir=" SYSCONFDIR "/audit/audisp-kernel-seeking.d "
		"log_socket=/dev/log heartbeat_interval=3600 "
		"state_file=/var/lib/audisp-kernel-seeking/state "
		"state_save_interval=300");
}

/* Each row's default is spelled as the file spells it: written to a file
 * it loads back to the defaults, and conf_value gives it back unchanged. */
static void test_defaults_are_file_values(void **state)
{
	struct ks_conf c, d;
	char text[CONF_PATH_MAX + 64], v[CONF_PATH_MAX];

	(void)state;
	conf_defaults(&d);
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];

		snprintf(text, sizeof(text), "%s = %s\n", k->name, k->def);
		load_ok(text, &c);
		assert_conf_equal(&c, &d);
		assert_string_equal(conf_value(k, &d, v, sizeof(v)), k->def);
		assert_non_null(k->doc);
		assert_true(strlen(k->doc) > 10);
	}
}

/* Per key: a value other than the default, as the file would spell it. */
static void other_value(const struct conf_key *k, char *buf, size_t len)
{
	switch (k->type) {
	case CONF_WORD:
	case CONF_BOOL: {
		int dv = -1;

		for (size_t j = 0; j < k->nwords; j++)
			if (strcmp(k->words[j].name, k->def) == 0)
				dv = k->words[j].val;
		assert_int_not_equal(dv, -1);
		for (size_t j = 0; j < k->nwords; j++)
			if (k->words[j].val != dv) {
				snprintf(buf, len, "%s", k->words[j].name);
				return;
			}
		fail_msg("%s: one value only", k->name);
		return;
	}
	case CONF_NUMBER:
		snprintf(buf, len, "%llu", (unsigned long long)
			 (strcmp(k->def, "0") == 0 ? k->max : k->min));
		return;
	default:
		snprintf(buf, len, "/other/%s", k->name);
		return;
	}
}

/* conf_same, conf_copy and conf_value act on one key and no other: what
 * a reload uses to keep a restart-only setting. */
static void test_one_key_at_a_time(void **state)
{
	struct ks_conf d, c, e;
	char text[256], want[128], v[CONF_PATH_MAX];

	(void)state;
	conf_defaults(&d);
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];

		other_value(k, want, sizeof(want));
		snprintf(text, sizeof(text), "%s = %s\n", k->name, want);
		load_ok(text, &c);
		for (size_t j = 0; j < conf_nkeys; j++)
			assert_int_equal(conf_same(&conf_keys[j], &c, &d),
					 j != i);
		assert_string_equal(conf_value(k, &c, v, sizeof(v)), want);
		e = c;
		conf_copy(k, &e, &d);
		assert_conf_equal(&e, &d);
		conf_copy(k, &e, &c);
		assert_conf_equal(&e, &c);
	}
}

/* An empty file, or one of comments only, means defaults. */
static void test_empty_and_comments(void **state)
{
	struct ks_conf c, d;

	(void)state;
	conf_defaults(&d);
	load_ok("", &c);
	assert_conf_equal(&c, &d);
	load_ok("\n\n   \n\t\n", &c);
	assert_conf_equal(&c, &d);
	load_ok("# only comments\n  # indented\n#format = json\n", &c);
	assert_conf_equal(&c, &d);
}

/* The shipped default file must load and equal the built-in defaults. */
static void test_shipped_file(void **state)
{
	const char *src = getenv("KS_SRCDIR");
	char p[512], err[1024];
	struct ks_conf c, d;

	(void)state;
	snprintf(p, sizeof(p), "%s/conf/audisp-kernel-seeking.conf",
		 src && *src ? src : ".");
	if (access(p, R_OK) != 0)
		skip();
	conf_defaults(&d);
	memset(&c, 0, sizeof(c));
	if (conf_load(p, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_conf_equal(&c, &d);

	/* Uncommenting every "# key = value" line must give the defaults
	 * again: the values the file documents are the real ones. */
	static char text[16384];
	char line[512];
	size_t n = 0;
	unsigned nkeys = 0;
	FILE *f = fopen(p, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		const char *l = line;
		size_t k = 0;

		if (strncmp(l, "# ", 2) == 0) {
			while (l[2 + k] == '_' ||
			       (l[2 + k] >= 'a' && l[2 + k] <= 'z'))
				k++;
			if (k > 0 && strncmp(l + 2 + k, " = ", 3) == 0) {
				l += 2;
				nkeys++;
			}
		}
		assert_true(n + strlen(l) < sizeof(text));
		memcpy(text + n, l, strlen(l));
		n += strlen(l);
	}
	fclose(f);
	text[n] = '\0';
	assert_int_equal(nkeys, conf_nkeys);
	load_ok(text, &c);
	/* The file documents the standard layout (prefix /usr, config in
	 * /etc); a build for another prefix has its own path defaults. */
	assert_string_equal(c.rules_dir, "/usr/share/audisp-kernel-seeking/rules");
	assert_string_equal(c.local_rules_dir, "/etc/audit/audisp-kernel-seeking.d");
	strcpy(c.rules_dir, d.rules_dir);
	strcpy(c.local_rules_dir, d.local_rules_dir);
	assert_conf_equal(&c, &d);
}

/* A whole file of the source tree, or NULL (skip) outside one. */
static char *slurp(const char *rel)
{
	const char *src = getenv("KS_SRCDIR");
	char p[512];
	static char text[65536];
	size_t n;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", src && *src ? src : ".", rel);
	f = fopen(p, "r");
	if (!f)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	assert_true(n < sizeof(text) - 1);
	fclose(f);
	text[n] = '\0';
	return text;
}

/* Every key of the table is documented where an administrator looks: the
 * shipped file (commented, with its default: see test_shipped_file), the
 * man page (whose entry says "next start" exactly for the keys a reload
 * does not apply) and the README's table. */
static void test_documented(void **state)
{
	char want[128], *text, *entry, *end;

	(void)state;
	text = slurp("conf/audisp-kernel-seeking.conf");
	if (!text)
		skip();
	for (size_t i = 0; i < conf_nkeys; i++) {
		snprintf(want, sizeof(want), "\n# %s = ", conf_keys[i].name);
		if (!strstr(text, want))
			fail_msg("%s is not in the shipped config file",
				 conf_keys[i].name);
	}

	text = slurp("conf/audisp-kernel-seeking.conf.5");
	assert_non_null(text);
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		bool says;

		snprintf(want, sizeof(want), "\n.TP\n.B %s\n", k->name);
		entry = strstr(text, want);
		if (!entry)
			fail_msg("%s has no entry in audisp-kernel-seeking.conf(5)",
				 k->name);
		entry += strlen(want);
		end = strstr(entry, "\n.TP\n");
		if (!end || (strstr(entry, "\n.SH") &&
			     strstr(entry, "\n.SH") < end))
			end = strstr(entry, "\n.SH");
		assert_non_null(end);
		*end = '\0';
		says = strstr(entry, "next start") != NULL;
		*end = '\n';
		if (says == k->reloadable)
			fail_msg("%s: the man page %s it takes effect at the next start",
				 k->name, says ? "says" : "does not say");
	}

	text = slurp("README.md");
	assert_non_null(text);
	for (size_t i = 0; i < conf_nkeys; i++) {
		snprintf(want, sizeof(want), "\n| `%s` | ", conf_keys[i].name);
		if (!strstr(text, want))
			fail_msg("%s is not in the README's settings table",
				 conf_keys[i].name);
	}
}

static void test_all_keys(void **state)
{
	struct ks_conf c;
	char buf[1024];

	(void)state;
	load_ok("facility = local3\n"
		"priority = info\n"
		"format = json\n"
		"json_cee_cookie = yes\n"
		"max_message_size = 4096\n"
		"throttle_max_alerts = 10\n"
		"throttle_window = 60\n"
		"process_table_size = 1000\n"
		"session_table_size = 77\n"
		"max_argv_bytes = 65536\n"
		"proc_fallback = no\n"
		"ancestry_depth = 32\n"
		"ancestry_argv_bytes = 64\n"
		"timeline_size = 0\n"
		"timeline_sessions = 65536\n"
		"timeline_argv_bytes = 4096\n"
		"rules_dir = /r\n"
		"rules = a, b\n"
		"local_rules_dir = /l\n"
		"log_socket = /run/log\n"
		"heartbeat_interval = 0\n"
		"state_file = /s/t\n"
		"state_save_interval = 86400\n", &c);
	assert_int_equal(c.facility, LOG_LOCAL3);
	assert_int_equal(c.priority, LOG_INFO);
	assert_int_equal(c.format, ALERT_FORMAT_JSON);
	assert_true(c.json_cee_cookie);
	assert_int_equal(c.max_message_size, 4096);
	assert_int_equal(c.throttle_max_alerts, 10);
	assert_int_equal(c.throttle_window, 60);
	assert_int_equal(c.process_table_size, 1000);
	assert_int_equal(c.session_table_size, 77);
	assert_int_equal(c.max_argv_bytes, 65536);
	assert_false(c.proc_fallback);
	assert_int_equal(c.ancestry_depth, 32);
	assert_int_equal(c.ancestry_argv_bytes, 64);
	assert_int_equal(c.timeline_size, 0);
	assert_int_equal(c.timeline_sessions, 65536);
	assert_int_equal(c.timeline_argv_bytes, 4096);
	conf_describe(&c, buf, sizeof(buf));
	assert_string_equal(buf,
		"facility=local3 priority=info format=json "
		"json_cee_cookie=yes max_message_size=4096 "
		"throttle_max_alerts=10 throttle_window=60 "
		"process_table_size=1000 session_table_size=77 "
		"max_argv_bytes=65536 "
		"proc_fallback=no ancestry_depth=32 ancestry_argv_bytes=64 "
		"timeline_size=0 timeline_sessions=65536 "
		"timeline_argv_bytes=4096 rules_dir=/r rules=a, b "
		"local_rules_dir=/l log_socket=/run/log "
		"heartbeat_interval=0 state_file=/s/t "
		"state_save_interval=86400");
}

/* The heartbeat and the state file: an empty state_file turns it off
 * (and is spelled back as nothing), a relative one is refused, and so
 * are intervals past their bounds. */
static void test_state_and_heartbeat(void **state)
{
	struct ks_conf c;
	char v[CONF_PATH_MAX];

	(void)state;
	load_ok("state_file =\n", &c);
	assert_string_equal(c.state_file, "");
	for (size_t i = 0; i < conf_nkeys; i++)
		if (strcmp(conf_keys[i].name, "state_file") == 0)
			assert_string_equal(conf_value(&conf_keys[i], &c, v,
						       sizeof(v)), "");
	load_ok("state_file =   # none\nheartbeat_interval = 604800\n", &c);
	assert_string_equal(c.state_file, "");
	assert_int_equal(c.heartbeat_interval, 604800);
	load_err("state_file = var/state\n", 1,
		 "bad value 'var/state' for state_file (expected an absolute "
		 "path, or nothing)");
	load_err("heartbeat_interval = 604801\n", 1,
		 "bad value '604801' for heartbeat_interval (expected a "
		 "number from 0 to 604800)");
	load_err("state_save_interval = 86401\n", 1,
		 "bad value '86401' for state_save_interval (expected a "
		 "number from 0 to 86400)");
	/* other paths still need a value */
	load_err("log_socket =\n", 1, "missing value for log_socket");
}

/* Rule selection and directories; values end up in log lines, so only
 * printable ASCII, and directories must be absolute. */
static void test_rule_keys(void **state)
{
	struct ks_conf c;

	(void)state;
	load_ok("rules = kernel_seeking_upstream, kernel_seeking_hardened\n"
		"rules_dir = /opt/ks/rules\n"
		"local_rules_dir = /etc/ks.d\n"
		"throttle_max_alerts = rule\n", &c);
	assert_string_equal(c.rules,
			    "kernel_seeking_upstream, kernel_seeking_hardened");
	assert_string_equal(c.rules_dir, "/opt/ks/rules");
	assert_string_equal(c.local_rules_dir, "/etc/ks.d");
	assert_int_equal(c.throttle_max_alerts, CONF_THROTTLE_PER_RULE);
	load_ok("log_socket = /run/test/log.sock\n", &c);
	assert_string_equal(c.log_socket, "/run/test/log.sock");
	load_err("log_socket = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 1,
		 "value for log_socket longer than 107 bytes");
	load_err("rules_dir = rules\n", 1,
		 "bad value 'rules' for rules_dir (expected an absolute path)");
	load_err("rules = a\tb\n", 1, "bad byte 0x09 in value for rules");
	load_err("throttle_max_alerts = rules\n", 1,
		 "bad value 'rules' for throttle_max_alerts (expected a number "
		 "from 0 to 1000000, or rule)");
}

/* How the config file spells the value v of a word key (facility,
 * priority): what the started/reloaded line and --check-config show. */
static const char *name_of_value(const char *key, int v)
{
	static char buf[64];
	struct ks_conf c;
	size_t i;

	conf_defaults(&c);
	for (i = 0; i < conf_nkeys; i++)
		if (strcmp(conf_keys[i].name, key) == 0)
			break;
	assert_true(i < conf_nkeys);
	if (strcmp(key, "facility") == 0)
		c.facility = v;
	else
		c.priority = v;
	return conf_value(&conf_keys[i], &c, buf, sizeof(buf));
}

static void test_facilities(void **state)
{
	static const struct { const char *name; int val; } t[] = {
		{ "auth", LOG_AUTH },     { "authpriv", LOG_AUTHPRIV },
		{ "cron", LOG_CRON },     { "daemon", LOG_DAEMON },
		{ "ftp", LOG_FTP },       { "local0", LOG_LOCAL0 },
		{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
		{ "local7", LOG_LOCAL7 }, { "lpr", LOG_LPR },
		{ "mail", LOG_MAIL },     { "news", LOG_NEWS },
		{ "syslog", LOG_SYSLOG }, { "user", LOG_USER },
		{ "uucp", LOG_UUCP },
	};
	static const char *const bad[] = {
		"kern", "local8", "AUTHPRIV", "LOG_AUTHPRIV", "auth priv", "1",
	};
	const char *want_tail = " for facility (expected auth, authpriv, "
		"cron, daemon, ftp, local0 to local7, lpr, mail, news, syslog, "
		"user or uucp)";
	struct ks_conf c;
	char text[128], want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "facility = %s\n", t[i].name);
		load_ok(text, &c);
		assert_int_equal(c.facility, t[i].val);
		assert_string_equal(name_of_value("facility", t[i].val), t[i].name);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "facility = %s\n", bad[i]);
		snprintf(want, sizeof(want), "bad value '%s'%s", bad[i],
			 want_tail);
		load_err(text, 1, want);
	}
	assert_string_equal(name_of_value("facility", LOG_KERN), "unknown");
	assert_string_equal(name_of_value("facility", 12345), "unknown");
}

static void test_priorities(void **state)
{
	static const struct { const char *name; int val; } t[] = {
		{ "emerg", LOG_EMERG },     { "alert", LOG_ALERT },
		{ "crit", LOG_CRIT },       { "err", LOG_ERR },
		{ "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO },       { "debug", LOG_DEBUG },
	};
	struct ks_conf c;
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "priority=%s\n", t[i].name);
		load_ok(text, &c);
		assert_int_equal(c.priority, t[i].val);
		assert_string_equal(name_of_value("priority", t[i].val), t[i].name);
	}
	load_err("# header\n\npriority = loud\n", 3,
		 "bad value 'loud' for priority (expected emerg, alert, crit, "
		 "err, warning, notice, info or debug)");
	load_err("priority = Warning\n", 1,
		 "bad value 'Warning' for priority (expected emerg, alert, "
		 "crit, err, warning, notice, info or debug)");
	assert_string_equal(name_of_value("priority", 99), "unknown");
}

static void test_format(void **state)
{
	struct ks_conf c;

	(void)state;
	load_ok("format = text\n", &c);
	assert_int_equal(c.format, ALERT_FORMAT_TEXT);
	load_ok("format = json\n", &c);
	assert_int_equal(c.format, ALERT_FORMAT_JSON);
	load_err("format = xml\n", 1,
		 "bad value 'xml' for format (expected text or json)");
	load_err("format = JSON\n", 1,
		 "bad value 'JSON' for format (expected text or json)");
}

static void test_booleans(void **state)
{
	static const struct { const char *word; bool val; } t[] = {
		{ "yes", true }, { "no", false },  { "true", true },
		{ "false", false }, { "on", true }, { "off", false },
		{ "1", true },   { "0", false },
	};
	struct ks_conf c;
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text),
			 "json_cee_cookie = %s\nproc_fallback = %s\n",
			 t[i].word, t[i].word);
		load_ok(text, &c);
		assert_int_equal(c.json_cee_cookie, t[i].val);
		assert_int_equal(c.proc_fallback, t[i].val);
	}
	load_err("json_cee_cookie = maybe\n", 1,
		 "bad value 'maybe' for json_cee_cookie (expected yes, no, "
		 "true, false, on, off, 1 or 0)");
	load_err("proc_fallback = YES\n", 1,
		 "bad value 'YES' for proc_fallback (expected yes, no, true, "
		 "false, on, off, 1 or 0)");
	load_err("proc_fallback = 2\n", 1,
		 "bad value '2' for proc_fallback (expected yes, no, true, "
		 "false, on, off, 1 or 0)");
}

struct num_case {
	const char *key;
	uint64_t min, max;
	size_t off, size;
};

#define NUM(k, lo, hi) { #k, lo, hi, offsetof(struct ks_conf, k), \
			 sizeof(((struct ks_conf *)0)->k) }

static const struct num_case nums[] = {
	NUM(max_message_size, 1024, 1048576),
	NUM(throttle_max_alerts, 0, 1000000),
	NUM(throttle_window, 0, 86400),
	NUM(process_table_size, 64, 4194304),
	NUM(session_table_size, 16, 1048576),
	NUM(max_argv_bytes, 4096, 67108864),
};

static uint64_t field(const struct ks_conf *c, const struct num_case *n)
{
	const unsigned char *p = (const unsigned char *)c + n->off;
	uint64_t v64;
	uint32_t v32;

	if (n->size == sizeof(v64)) {
		memcpy(&v64, p, sizeof(v64));
		return v64;
	}
	assert_int_equal(n->size, sizeof(v32));
	memcpy(&v32, p, sizeof(v32));
	return v32;
}

/* Bounds are inclusive; anything that is not plain decimal is refused. */
static void test_numbers(void **state)
{
	static const char *const junk[] = {
		"-1", "+5", "0x10", "10k", "1e3", "1 000", "12abc", "1.5",
		"99999999999999999999999", "18446744073709551616",
	};
	struct ks_conf c;
	char text[256], want[512];

	(void)state;
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		const struct num_case *n = &nums[i];
		char tail[128];

		snprintf(tail, sizeof(tail),
			 " for %s (expected a number from %llu to %llu%s)",
			 n->key, (unsigned long long)n->min,
			 (unsigned long long)n->max,
			 strcmp(n->key, "throttle_max_alerts") == 0 ?
				 ", or rule" : "");

		snprintf(text, sizeof(text), "%s = %llu\n", n->key,
			 (unsigned long long)n->min);
		load_ok(text, &c);
		assert_int_equal(field(&c, n), n->min);
		snprintf(text, sizeof(text), "%s = %llu\n", n->key,
			 (unsigned long long)n->max);
		load_ok(text, &c);
		assert_int_equal(field(&c, n), n->max);
		/* leading zeros are still decimal */
		snprintf(text, sizeof(text), "%s = 0%llu\n", n->key,
			 (unsigned long long)n->max);
		load_ok(text, &c);
		assert_int_equal(field(&c, n), n->max);

		snprintf(text, sizeof(text), "%s = %llu\n", n->key,
			 (unsigned long long)n->max + 1);
		snprintf(want, sizeof(want), "bad value '%llu'%s",
			 (unsigned long long)n->max + 1, tail);
		load_err(text, 1, want);
		if (n->min > 0) {
			snprintf(text, sizeof(text), "%s = %llu\n", n->key,
				 (unsigned long long)n->min - 1);
			snprintf(want, sizeof(want), "bad value '%llu'%s",
				 (unsigned long long)n->min - 1, tail);
			load_err(text, 1, want);
		}
		for (size_t j = 0; j < sizeof(junk) / sizeof(junk[0]); j++) {
			snprintf(text, sizeof(text), "%s = %s\n", n->key,
				 junk[j]);
			snprintf(want, sizeof(want), "bad value '%s'%s",
				 junk[j], tail);
			load_err(text, 1, want);
		}
	}
	/* UINT64_MAX itself parses (then fails the range check). */
	load_err("max_argv_bytes = 18446744073709551615\n", 1,
		 "bad value '18446744073709551615' for max_argv_bytes "
		 "(expected a number from 4096 to 67108864)");
}

static void test_throttle_off(void **state)
{
	struct ks_conf c;
	char buf[512];

	(void)state;
	load_ok("throttle_max_alerts = 0\n", &c);
	assert_int_equal(c.throttle_max_alerts, 0);
	conf_describe(&c, buf, sizeof(buf));
	assert_non_null(strstr(buf, " throttle_max_alerts=0 "));
	load_ok("throttle_window = 0\n", &c);
	assert_int_equal(c.throttle_window, 0);
	conf_describe(&c, buf, sizeof(buf));
	assert_non_null(strstr(buf, " throttle_window=0 "));
}

static void test_whitespace_and_comments(void **state)
{
	struct ks_conf c;

	(void)state;
	load_ok("format=json\n", &c);
	assert_int_equal(c.format, ALERT_FORMAT_JSON);
	load_ok("   format\t=\t json   \n", &c);
	assert_int_equal(c.format, ALERT_FORMAT_JSON);
	load_ok("format = json # trailing comment\n", &c);
	assert_int_equal(c.format, ALERT_FORMAT_JSON);
	load_ok("format = json\t# tab before comment\n", &c);
	assert_int_equal(c.format, ALERT_FORMAT_JSON);
	load_ok("format = json\r\n", &c);       /* CRLF file */
	assert_int_equal(c.format, ALERT_FORMAT_JSON);
	load_ok("format = json", &c);           /* no final newline */
	assert_int_equal(c.format, ALERT_FORMAT_JSON);
	load_ok("\n# c\n\t\n  facility = daemon  # x # y\n", &c);
	assert_int_equal(c.facility, LOG_DAEMON);
	/* a `#` glued to the value is not a comment */
	load_err("format = json#x\n", 1,
		 "bad value 'json#x' for format (expected text or json)");
	load_err("format = json #\n\nformat=text\n", 3,
		 "duplicate key 'format'");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	load_err("facility authpriv\n", 1, "missing '='");
	load_err("# a\n\n\nformat json\n", 4, "missing '='");
	load_err(" = json\n", 1, "missing key before '='");
	load_err("format =\n", 1, "missing value for format");
	load_err("format =   # nothing\n", 1, "missing value for format");
	load_err("format = json text\n", 1,
		 "bad value 'json text' for format (expected text or json)");
	load_err("\n\n\n\n\n\nfacilty = auth\n", 7, "unknown key 'facilty'");
	load_err("Format = json\n", 1, "unknown key 'Format'");
	load_err("max message size = 8000\n", 1,
		 "unknown key 'max message size'");
	load_err("format = json\nformat = json\n", 2,
		 "duplicate key 'format'");
	load_err("a\n\n\nb\n\n\n\n\nformat = text\n", 1, "missing '='");
}

/* Text from the file is escaped and cut before it reaches a log line. */
static void test_quoting(void **state)
{
	char text[256], want[256];

	(void)state;
	load_err("fa\x1b[31mcility = x\n", 1,
		 "unknown key 'fa\\x1b[31mcility'");
	load_err("format = caf\xc3\xa9\n", 1,
		 "bad value 'caf\\xc3\\xa9' for format "
		 "(expected text or json)");
	load_err("format = a\\b\n", 1,
		 "bad value 'a\\\\b' for format (expected text or json)");
	memset(text, 'k', 100);
	strcpy(text + 100, " = 1\n");
	memset(want, 0, sizeof(want));
	strcpy(want, "unknown key '");
	memset(want + strlen(want), 'k', 64);
	strcat(want, "...'");
	load_err(text, 1, want);
}

static void test_long_line(void **state)
{
	char err[1024], exp[1024];
	static char text[CONF_LINE_MAX + 64];
	struct ks_conf c;
	size_t n;

	(void)state;
	/* exactly CONF_LINE_MAX bytes: a valid (padded) line */
	n = (size_t)sprintf(text, "# ok\nformat = json");
	memset(text + n, ' ', CONF_LINE_MAX - strlen("format = json"));
	n += CONF_LINE_MAX - strlen("format = json");
	strcpy(text + n, "\n");
	load_ok(text, &c);
	assert_int_equal(c.format, ALERT_FORMAT_JSON);

	/* one byte more, on line 2, without a newline at the end */
	n = (size_t)sprintf(text, "# ok\n#");
	memset(text + n, 'x', CONF_LINE_MAX);
	text[n + CONF_LINE_MAX] = '\0';
	load_err(text, 2, "line longer than 4096 bytes");

	/* and with the newline, followed by more lines */
	strcat(text, "\nformat = json\n");
	teardown(NULL);
	write_text(text);
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), -1);
	snprintf(exp, sizeof(exp), "%s:2: line longer than 4096 bytes",
		 path);
	assert_string_equal(err, exp);
}

static void test_nul_byte(void **state)
{
	static const char data[] = "format = json\nfacility\0 = auth\n";
	char err[1024], exp[1024];
	struct ks_conf c, before;

	(void)state;
	teardown(NULL);
	write_file(data, sizeof(data) - 1);
	memset(&c, 0x5A, sizeof(c));
	memcpy(&before, &c, sizeof(c));
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), -1);
	snprintf(exp, sizeof(exp), "%s:2: NUL byte in line", path);
	assert_string_equal(err, exp);
	assert_memory_equal(&c, &before, sizeof(c));

	/* a lone NUL as the last byte of the file */
	teardown(NULL);
	write_file("\n\0", 2);
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), -1);
	snprintf(exp, sizeof(exp), "%s:2: NUL byte in line", path);
	assert_string_equal(err, exp);
}

static void test_missing_file(void **state)
{
	char err[512];
	struct ks_conf c, before;

	(void)state;
	memset(&c, 0x11, sizeof(c));
	memcpy(&before, &c, sizeof(c));
	assert_int_equal(conf_load("/nonexistent/ks.conf", &c, err,
				   sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(err,
			    "/nonexistent/ks.conf: No such file or directory");
	assert_memory_equal(&c, &before, sizeof(c));
	/* no room for a message is fine too */
	assert_int_equal(conf_load("/nonexistent/ks.conf", &c, NULL, 0), -1);
}

static void test_not_regular(void **state)
{
	char err[512];
	struct ks_conf c;

	(void)state;
	assert_int_equal(conf_load("/", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "/: not a regular file");
}

static void test_world_writable(void **state)
{
	char err[1024], exp[1024];
	struct ks_conf c;

	(void)state;
	teardown(NULL);
	write_text("format = json\n");
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), -1);
	snprintf(exp, sizeof(exp), "%s: world-writable, not used", path);
	assert_string_equal(err, exp);
}

/* A failed reload keeps the running config, field by field. */
static void test_untouched_on_error(void **state)
{
	struct ks_conf c, before;
	char err[1024];

	(void)state;
	load_ok("format = json\nfacility = local5\n", &c);
	before = c;
	teardown(NULL);
	/* valid lines first, then a bad one: nothing may leak out */
	write_text("format = text\nfacility = user\npriority = nope\n");
	assert_int_equal(conf_load(path, &c, err, sizeof(err)), -1);
	assert_conf_equal(&c, &before);
	assert_int_equal(c.format, ALERT_FORMAT_JSON);
	assert_int_equal(c.facility, LOG_LOCAL5);
}

/* A short error buffer is cut, still NUL-terminated. */
static void test_short_err_buffer(void **state)
{
	char err[8];
	struct ks_conf c;

	(void)state;
	memset(err, 'z', sizeof(err));
	assert_int_equal(conf_load("/nonexistent/ks.conf", &c, err,
				   sizeof(err)), -1);
	assert_string_equal(err, "/nonexi");
}

static void test_describe_small_buffer(void **state)
{
	struct ks_conf c;
	char buf[12];

	(void)state;
	conf_defaults(&c);
	conf_describe(&c, buf, sizeof(buf));
	assert_string_equal(buf, "facility=au");
	conf_describe(&c, buf, 0); /* must not write */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_teardown(test_defaults_are_file_values,
					  teardown),
		cmocka_unit_test_teardown(test_one_key_at_a_time, teardown),
		cmocka_unit_test(test_documented),
		cmocka_unit_test_teardown(test_empty_and_comments, teardown),
		cmocka_unit_test_teardown(test_shipped_file, teardown),
		cmocka_unit_test_teardown(test_rule_keys, teardown),
		cmocka_unit_test_teardown(test_all_keys, teardown),
		cmocka_unit_test_teardown(test_state_and_heartbeat, teardown),
		cmocka_unit_test_teardown(test_facilities, teardown),
		cmocka_unit_test_teardown(test_priorities, teardown),
		cmocka_unit_test_teardown(test_format, teardown),
		cmocka_unit_test_teardown(test_booleans, teardown),
		cmocka_unit_test_teardown(test_numbers, teardown),
		cmocka_unit_test_teardown(test_throttle_off, teardown),
		cmocka_unit_test_teardown(test_whitespace_and_comments,
					  teardown),
		cmocka_unit_test_teardown(test_syntax_errors, teardown),
		cmocka_unit_test_teardown(test_quoting, teardown),
		cmocka_unit_test_teardown(test_long_line, teardown),
		cmocka_unit_test_teardown(test_nul_byte, teardown),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test_teardown(test_world_writable, teardown),
		cmocka_unit_test_teardown(test_untouched_on_error, teardown),
		cmocka_unit_test(test_short_err_buffer),
		cmocka_unit_test(test_describe_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
