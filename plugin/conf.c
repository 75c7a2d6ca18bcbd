/*
 * conf.c - read and validate the plugin's config file (see conf.h).
 *
 * One table row per key; the whole file is parsed into a scratch struct and
 * copied out only when every line was valid. Defaults are parsed from the
 * rows by the same code as the file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "diag.h"
#include "lineage.h"
#include "timeline.h"

_Static_assert(CONF_MAX_ANCESTRY_DEPTH == LINEAGE_MAX_DEPTH, "lineage.h");
_Static_assert(CONF_MAX_TIMELINE_SIZE == TIMELINE_MAX_SIZE, "timeline.h");
_Static_assert(CONF_MIN_TIMELINE_SESSIONS == TIMELINE_MIN_SESSIONS &&
	       CONF_MAX_TIMELINE_SESSIONS == TIMELINE_MAX_SESSIONS,
	       "timeline.h");
_Static_assert(CONF_MIN_TIMELINE_ARGV_BYTES == TIMELINE_MIN_ARGV_BYTES &&
	       CONF_MAX_TIMELINE_ARGV_BYTES == TIMELINE_MAX_ARGV_BYTES,
	       "timeline.h");

/* Text from the file echoed in a message: at most this many characters of
 * it (escapes included), then "...". */
#define QUOTE_MAX 64u

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* LOG_KERN is left out on purpose: syslog(3) reads facility 0 as "use the
 * openlog() default", so a user process cannot log as kern. */
static const struct conf_word facilities[] = {
	{ "auth", LOG_AUTH },       { "authpriv", LOG_AUTHPRIV },
	{ "cron", LOG_CRON },       { "daemon", LOG_DAEMON },
	{ "ftp", LOG_FTP },         { "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 },   { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 },   { "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 },   { "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },   { "lpr", LOG_LPR },
	{ "mail", LOG_MAIL },       { "news", LOG_NEWS },
	{ "syslog", LOG_SYSLOG },   { "user", LOG_USER },
	{ "uucp", LOG_UUCP },
};

static const struct conf_word priorities[] = {
	{ "emerg", LOG_EMERG },     { "alert", LOG_ALERT },
	{ "crit", LOG_CRIT },       { "err", LOG_ERR },
	{ "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO },       { "debug", LOG_DEBUG },
};

static const struct conf_word formats[] = {
	{ "text", ALERT_FORMAT_TEXT }, { "json", ALERT_FORMAT_JSON },
};

/* The first word of each value is how conf_value spells it. */
static const struct conf_word booleans[] = {
	{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
	{ "on", 1 },  { "off", 0 }, { "1", 1 },   { "0", 0 },
};

#define FIELD(f) offsetof(struct ks_conf, f), sizeof(((struct ks_conf *)0)->f)
#define WORDS(t, e) t, NELEM(t), e, 0, 0, NULL, 0
#define BOOL_WORDS WORDS(booleans, "yes, no, true, false, on, off, 1 or 0")
#define NUMBER(lo, hi) NULL, 0, NULL, lo, hi, NULL, 0
#define NUMBER_OR(lo, hi, w, v) NULL, 0, NULL, lo, hi, w, v
#define TEXT NULL, 0, NULL, 0, 0, NULL, 0

/* The settings. A restart-only key (reloadable = false) sizes something
 * allocated once at start, or needs a privilege dropped at start. */
const struct conf_key conf_keys[] = {
	{ "facility", CONF_WORD, "authpriv", true,
	  "syslog facility of the alerts and of the plugin's messages",
	  WORDS(facilities, "auth, authpriv, cron, daemon, ftp, local0 to "
		"local7, lpr, mail, news, syslog, user or uucp"),
	  FIELD(facility) },
	{ "priority", CONF_WORD, "warning", true,
	  "syslog priority of the alerts",
	  WORDS(priorities, "emerg, alert, crit, err, warning, notice, info "
		"or debug"),
	  FIELD(priority) },
	{ "format", CONF_WORD, "text", true,
	  "alert format: text (key=\"value\" pairs) or json (one ECS object); "
	  "--format overrides it",
	  WORDS(formats, "text or json"), FIELD(format) },
	{ "json_cee_cookie", CONF_BOOL, "no", true,
	  "with format = json, \"@cee: \" before each alert (rsyslog mmjsonparse)",
	  BOOL_WORDS, FIELD(json_cee_cookie) },
	/* rsyslog's default maxMessageSize is 8 KiB for the whole message;
	 * 8000 bytes of alert leave 192 for the syslog header. */
	{ "max_message_size", CONF_NUMBER, "8000", true,
	  "longest alert in bytes; a longer one is cut in its argument lists",
	  NUMBER(CONF_MIN_MAX_MESSAGE_SIZE, CONF_MAX_MAX_MESSAGE_SIZE),
	  FIELD(max_message_size) },
	/* The rule's max_signals is 100 per run and Elastic runs rules every
	 * 5 minutes by default: the defaults let through what Elastic
	 * would. */
	{ "throttle_max_alerts", CONF_NUMBER, "rule", true,
	  "alerts per rule per window: rule (its max_signals), a number, 0: off",
	  NUMBER_OR(0, CONF_MAX_THROTTLE_MAX_ALERTS, "rule",
		    CONF_THROTTLE_PER_RULE),
	  FIELD(throttle_max_alerts) },
	{ "throttle_window", CONF_NUMBER, "300", true,
	  "throttle window in seconds; 0: off",
	  NUMBER(0, CONF_MAX_THROTTLE_WINDOW), FIELD(throttle_window) },
	/* The table and the argv limits are allocated at start. */
	{ "process_table_size", CONF_NUMBER, "16384", false,
	  "processes remembered to find each exec's parent",
	  NUMBER(CONF_MIN_PROCESS_TABLE_SIZE, CONF_MAX_PROCESS_TABLE_SIZE),
	  FIELD(process_table_size) },
	/* about 1 KiB each, allocated at start */
	{ "session_table_size", CONF_NUMBER, "4096", false,
	  "login sessions remembered to say how each exec's user came in",
	  NUMBER(CONF_MIN_SESSION_TABLE_SIZE, CONF_MAX_SESSION_TABLE_SIZE),
	  FIELD(session_table_size) },
	{ "max_argv_bytes", CONF_NUMBER, "1048576", false,
	  "argument bytes kept per exec",
	  NUMBER(CONF_MIN_MAX_ARGV_BYTES, CONF_MAX_MAX_ARGV_BYTES),
	  FIELD(max_argv_bytes) },
	/* Off at start drops CAP_SYS_PTRACE for good: a reload could not
	 * take it back to turn the fallback on. */
	{ "proc_fallback", CONF_BOOL, "yes", false,
	  "read /proc/<ppid> for parents the table does not know",
	  BOOL_WORDS, FIELD(proc_fallback) },
	/* What an alert shows of the lineage is decided per alert. */
	{ "ancestry_depth", CONF_NUMBER, "8", true,
	  "ancestors past the parent in each alert (pid, executable, argv); 0: none",
	  NUMBER(0, CONF_MAX_ANCESTRY_DEPTH), FIELD(ancestry_depth) },
	{ "ancestry_argv_bytes", CONF_NUMBER, "512", true,
	  "argument bytes an alert shows per ancestor and for the previous image",
	  NUMBER(CONF_MIN_ANCESTRY_ARGV_BYTES, CONF_MAX_ANCESTRY_ARGV_BYTES),
	  FIELD(ancestry_argv_bytes) },
	/* The timeline's store is allocated at start. */
	{ "timeline_size", CONF_NUMBER, "8", false,
	  "execs of the same audit session before the alert shown in it; 0: off",
	  NUMBER(0, CONF_MAX_TIMELINE_SIZE), FIELD(timeline_size) },
	{ "timeline_sessions", CONF_NUMBER, "1024", false,
	  "audit sessions whose last execs are kept (least recently active "
	  "forgotten first)",
	  NUMBER(CONF_MIN_TIMELINE_SESSIONS, CONF_MAX_TIMELINE_SESSIONS),
	  FIELD(timeline_sessions) },
	{ "timeline_argv_bytes", CONF_NUMBER, "256", false,
	  "argument bytes kept per exec of the timeline",
	  NUMBER(CONF_MIN_TIMELINE_ARGV_BYTES, CONF_MAX_TIMELINE_ARGV_BYTES),
	  FIELD(timeline_argv_bytes) },
	{ "rules_dir", CONF_PATH, DATADIR "/audisp-kernel-seeking/rules", true,
	  "the shipped rules (*.toml), replaced on upgrade; or a "
	  "detection-rules checkout",
	  TEXT, FIELD(rules_dir) },
	{ "rules", CONF_STRING, "kernel_seeking_v2", true,
	  "rules of rules_dir to run: file names without .toml or rule "
	  "ids, comma-separated, or all",
	  TEXT, FIELD(rules) },
	{ "local_rules_dir", CONF_PATH,
	  SYSCONFDIR "/audit/audisp-kernel-seeking.d", true,
	  "your own rules (*.toml, always run) and exceptions (*.exceptions)",
	  TEXT, FIELD(local_rules_dir) },
	{ "log_socket", CONF_PATH, "/dev/log", true,
	  "the local syslog socket, written without ever blocking",
	  TEXT, FIELD(log_socket) },
	/* Monitoring tells a dead plugin from a quiet host by its absence. */
	{ "heartbeat_interval", CONF_NUMBER, "3600", true,
	  "seconds between two heartbeat lines (the statistics line) in "
	  "syslog; 0: off",
	  NUMBER(0, CONF_MAX_HEARTBEAT_INTERVAL), FIELD(heartbeat_interval) },
	/* Read at start only; a reload moves where the next save goes. */
	{ "state_file", CONF_OPT_PATH, CONF_STATE_FILE_DEFAULT, true,
	  "the process table is saved here at stop and every "
	  "state_save_interval, and read back at start; empty: off",
	  TEXT, FIELD(state_file) },
	{ "state_save_interval", CONF_NUMBER, "300", true,
	  "seconds between two saves of the state file while running; "
	  "0: only at stop",
	  NUMBER(0, CONF_MAX_STATE_SAVE_INTERVAL),
	  FIELD(state_save_interval) },
};

const size_t conf_nkeys = NELEM(conf_keys);

/* Scalars live in fields of 1 to 8 bytes (bool, int, enum, unsigned,
 * size_t); copied through an integer of the same size. */
static uint64_t get_num(const struct conf_key *k, const struct ks_conf *c)
{
	const unsigned char *p = (const unsigned char *)c + k->off;
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (k->size) {
	case 1: memcpy(&v8, p, 1); return v8;
	case 2: memcpy(&v16, p, 2); return v16;
	case 4: memcpy(&v32, p, 4); return v32;
	default: memcpy(&v64, p, 8); return v64;
	}
}

static void put_num(const struct conf_key *k, struct ks_conf *c, uint64_t v)
{
	unsigned char *p = (unsigned char *)c + k->off;
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (k->size) {
	case 1: memcpy(p, &v8, 1); break;
	case 2: memcpy(p, &v16, 2); break;
	case 4: memcpy(p, &v32, 4); break;
	default: memcpy(p, &v, 8); break;
	}
}

static bool is_text(const struct conf_key *k)
{
	return k->type == CONF_PATH || k->type == CONF_OPT_PATH ||
	       k->type == CONF_STRING;
}

static const char *name_of(const struct conf_word *t, size_t n, int val)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].val == val)
			return t[i].name;
	return "unknown";
}

const char *conf_value(const struct conf_key *k, const struct ks_conf *c,
		       char *buf, size_t len)
{
	uint64_t v;

	if (len == 0)
		return buf;
	if (is_text(k)) {
		snprintf(buf, len, "%s", (const char *)c + k->off);
		return buf;
	}
	v = get_num(k, c);
	if (k->words)
		snprintf(buf, len, "%s", name_of(k->words, k->nwords, (int)v));
	else if (k->word && v == k->word_val)
		snprintf(buf, len, "%s", k->word);
	else
		snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

bool conf_same(const struct conf_key *k, const struct ks_conf *a,
	       const struct ks_conf *b)
{
	if (is_text(k))
		return strcmp((const char *)a + k->off,
			      (const char *)b + k->off) == 0;
	return get_num(k, a) == get_num(k, b);
}

void conf_copy(const struct conf_key *k, struct ks_conf *dst,
	       const struct ks_conf *src)
{
	if (is_text(k))
		snprintf((char *)dst + k->off, k->size, "%s",
			 (const char *)src + k->off);
	else
		put_num(k, dst, get_num(k, src));
}

void conf_describe(const struct ks_conf *c, char *buf, size_t len)
{
	char v[CONF_PATH_MAX];
	size_t o = 0;
	int n;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < conf_nkeys && o < len; i++) {
		n = snprintf(buf + o, len - o, "%s%s=%s", i ? " " : "",
			     conf_keys[i].name,
			     conf_value(&conf_keys[i], c, v, sizeof(v)));
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static bool is_space(char ch)
{
	/* The C locale's isspace(), spelled out so the locale cannot change
	 * what a config line means. \r lets CRLF files through. */
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	       ch == '\f';
}

/* Plain decimal only: no sign, no space, no base prefix, no suffix. */
static bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return false;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static void bad_value(const struct conf_key *k, const char *val,
		      const char *expected, char *msg, size_t msglen)
{
	char q[QUOTE_MAX + 4];

	diag_quote(q, sizeof(q), val, strlen(val));
	snprintf(msg, msglen, "bad value '%s' for %s (expected %s)", q,
		 k->name, expected);
}

/*
 * Check val against row k and store it in c. Returns 0, or -1 with the
 * problem (without file and line) in msg. The defaults go through here
 * too.
 */
static int parse_value(const struct conf_key *k, const char *val,
		       struct ks_conf *c, char *msg, size_t msglen)
{
	char expected[128];
	uint64_t num;

	if (is_text(k)) {
		const unsigned char *u;

		if (strlen(val) >= k->size) {
			snprintf(msg, msglen, "value for %s longer than %zu bytes",
				 k->name, k->size - 1);
			return -1;
		}
		/* Printable ASCII only: these end up in log lines. */
		for (u = (const unsigned char *)val; *u; u++)
			if (*u < 0x20 || *u > 0x7e) {
				snprintf(msg, msglen,
					 "bad byte 0x%02x in value for %s", *u,
					 k->name);
				return -1;
			}
		if ((k->type == CONF_PATH ||
		     (k->type == CONF_OPT_PATH && val[0])) && val[0] != '/') {
			bad_value(k, val, k->type == CONF_PATH ?
				  "an absolute path" :
				  "an absolute path, or nothing", msg, msglen);
			return -1;
		}
		snprintf((char *)c + k->off, k->size, "%s", val);
		return 0;
	}
	if (k->words) {
		for (size_t i = 0; i < k->nwords; i++)
			if (strcmp(val, k->words[i].name) == 0) {
				put_num(k, c, (uint64_t)k->words[i].val);
				return 0;
			}
		bad_value(k, val, k->expected, msg, msglen);
		return -1;
	}
	if (k->word && strcmp(val, k->word) == 0) {
		put_num(k, c, k->word_val);
		return 0;
	}
	if (parse_u64(val, &num) && num >= k->min && num <= k->max) {
		put_num(k, c, num);
		return 0;
	}
	snprintf(expected, sizeof(expected),
		 "a number from %" PRIu64 " to %" PRIu64 "%s%s", k->min,
		 k->max, k->word ? ", or " : "", k->word ? k->word : "");
	bad_value(k, val, expected, msg, msglen);
	return -1;
}

void conf_defaults(struct ks_conf *c)
{
	char msg[256];

	memset(c, 0, sizeof(*c));
	/* A default that does not parse is a bug of the table, caught by
	 * test_conf (every default loads back); the field stays zero. */
	for (size_t i = 0; i < conf_nkeys; i++)
		(void)parse_value(&conf_keys[i], conf_keys[i].def, c, msg,
				  sizeof(msg));
}

/*
 * Parse one NUL-terminated line into c. Returns 0, or -1 with the problem
 * (without file and line) in msg.
 */
static int parse_line(char *line, struct ks_conf *c, bool *seen,
		      char *msg, size_t msglen)
{
	char q[QUOTE_MAX + 4];
	char *s = line, *eq, *key_end, *val, *end;
	const struct conf_key *k = NULL;
	size_t id = 0;

	while (is_space(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return 0;

	/* A trailing comment starts at a `#` after whitespace; a `#` glued
	 * to other text is part of it (and then fails validation). */
	for (end = s + 1; *end; end++)
		if (*end == '#' && is_space(end[-1])) {
			*end = '\0';
			break;
		}
	end = s + strlen(s);
	while (end > s && is_space(end[-1]))
		*--end = '\0';

	eq = strchr(s, '=');
	if (!eq) {
		snprintf(msg, msglen, "missing '='");
		return -1;
	}
	key_end = eq;
	while (key_end > s && is_space(key_end[-1]))
		key_end--;
	*key_end = '\0';
	if (*s == '\0') {
		snprintf(msg, msglen, "missing key before '='");
		return -1;
	}
	val = eq + 1;
	while (is_space(*val))
		val++;

	for (id = 0; id < conf_nkeys; id++)
		if (strcmp(s, conf_keys[id].name) == 0) {
			k = &conf_keys[id];
			break;
		}
	if (!k) {
		diag_quote(q, sizeof(q), s, strlen(s));
		snprintf(msg, msglen, "unknown key '%s'", q);
		return -1;
	}
	if (seen[id]) {
		snprintf(msg, msglen, "duplicate key '%s'", k->name);
		return -1;
	}
	seen[id] = true;
	/* `state_file =` says: none */
	if (*val == '\0' && k->type != CONF_OPT_PATH) {
		snprintf(msg, msglen, "missing value for %s", k->name);
		return -1;
	}
	return parse_value(k, val, c, msg, msglen);
}

enum read_result { LINE_OK, LINE_EOF, LINE_TOO_LONG, LINE_NUL, LINE_ERROR };

/*
 * Read one line (without its newline) into buf[CONF_LINE_MAX + 1]. A line
 * that is too long or holds a NUL is consumed to its end so the caller
 * could go on, though conf_load stops at the first error.
 */
static enum read_result read_line(FILE *f, char *buf)
{
	enum read_result r = LINE_OK;
	size_t n = 0;
	int ch;

	while ((ch = getc(f)) != EOF && ch != '\n') {
		if (r != LINE_OK)
			continue;
		if (ch == '\0')
			r = LINE_NUL;
		else if (n == CONF_LINE_MAX)
			r = LINE_TOO_LONG;
		else
			buf[n++] = (char)ch;
	}
	buf[n] = '\0';
	if (ferror(f))
		return LINE_ERROR;
	if (ch == EOF && n == 0 && r == LINE_OK)
		return LINE_EOF;
	return r;
}

static void set_err(char *err, size_t errlen, const char *path,
		    unsigned line, const char *msg)
{
	if (errlen == 0)
		return;
	if (line)
		snprintf(err, errlen, "%s:%u: %s", path, line, msg);
	else
		snprintf(err, errlen, "%s: %s", path, msg);
}

int conf_load(const char *path, struct ks_conf *out, char *err,
	      size_t errlen)
{
	char buf[CONF_LINE_MAX + 1];
	char msg[512];
	bool seen[NELEM(conf_keys)] = { false };
	struct ks_conf tmp;
	struct stat st;
	unsigned line = 0;
	int fd, rc = -1, saved = EINVAL;
	FILE *f;

	/* O_NONBLOCK: a FIFO put in the file's place must not hang the
	 * plugin at open(); it is rejected as not regular just below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		saved = errno;
		set_err(err, errlen, path, 0, strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		saved = errno;
		set_err(err, errlen, path, 0, strerror(saved));
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, path, 0, "not a regular file");
		close(fd);
		errno = EINVAL;
		return -1;
	}
	/* The plugin runs as root and this file can switch alerts off: like
	 * auditd with its own files, refuse one anybody may rewrite. */
	if (st.st_mode & S_IWOTH) {
		set_err(err, errlen, path, 0, "world-writable, not used");
		close(fd);
		errno = EPERM;
		return -1;
	}
	f = fdopen(fd, "r");
	if (!f) {
		saved = errno;
		set_err(err, errlen, path, 0, strerror(saved));
		close(fd);
		errno = saved;
		return -1;
	}

	conf_defaults(&tmp);
	for (;;) {
		enum read_result r = read_line(f, buf);

		if (r == LINE_EOF) {
			rc = 0;
			break;
		}
		line++;
		if (r == LINE_ERROR) {
			saved = errno ? errno : EIO;
			snprintf(msg, sizeof(msg), "read error: %s",
				 strerror(saved));
			set_err(err, errlen, path, 0, msg);
			break;
		}
		if (r == LINE_TOO_LONG) {
			snprintf(msg, sizeof(msg), "line longer than %u bytes",
				 CONF_LINE_MAX);
			set_err(err, errlen, path, line, msg);
			break;
		}
		if (r == LINE_NUL) {
			set_err(err, errlen, path, line, "NUL byte in line");
			break;
		}
		if (parse_line(buf, &tmp, seen, msg, sizeof(msg)) < 0) {
			set_err(err, errlen, path, line, msg);
			break;
		}
	}
	fclose(f);
	if (rc == 0)
		*out = tmp;
	else
		errno = saved;
	return rc;
}
