/*
 * conf.c - read and validate the plugin's config file (see conf.h).
 *
 * One table row per key; the whole file is parsed into a scratch struct and
 * copied out only when every line was valid.
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

/* Text from the file echoed in a message is cut to this many bytes. */
#define QUOTE_MAX 64u

struct name_val {
	const char *name;
	int val;
};

/* LOG_KERN is left out on purpose: syslog(3) reads facility 0 as "use the
 * openlog() default", so a user process cannot log as kern. */
static const struct name_val facilities[] = {
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

static const struct name_val priorities[] = {
	{ "emerg", LOG_EMERG },     { "alert", LOG_ALERT },
	{ "crit", LOG_CRIT },       { "err", LOG_ERR },
	{ "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO },       { "debug", LOG_DEBUG },
};

static const struct name_val formats[] = {
	{ "text", ALERT_FORMAT_TEXT }, { "json", ALERT_FORMAT_JSON },
};

static const struct name_val booleans[] = {
	{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
	{ "on", 1 },  { "off", 0 }, { "1", 1 },   { "0", 0 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum key_id {
	K_FACILITY,
	K_PRIORITY,
	K_FORMAT,
	K_CEE,
	K_MAX_MESSAGE_SIZE,
	K_THROTTLE_MAX,
	K_THROTTLE_WINDOW,
	K_PROCESS_TABLE_SIZE,
	K_MAX_ARGV_BYTES,
	K_PROC_FALLBACK,
	K_RULES_DIR,
	K_LOCAL_RULES_DIR,
	K_RULES,
	K_LOG_SOCKET,
	K_COUNT
};

struct key_def {
	const char *name;
	const struct name_val *names; /* NULL: a number in [min, max] */
	size_t nnames;
	const char *expected;         /* for names: the list, in words */
	uint64_t min, max;
	size_t strmax;                /* > 0: a string of at most strmax-1 */
};

#define NAMES(t, e) t, NELEM(t), e, 0, 0, 0
#define NUMBER(lo, hi) NULL, 0, NULL, lo, hi, 0
#define STRING(max) NULL, 0, NULL, 0, 0, max
#define BOOL_WORDS "yes, no, true, false, on, off, 1 or 0"

/* Indexed by enum key_id. */
static const struct key_def keys[K_COUNT] = {
	[K_FACILITY] = { "facility", NAMES(facilities,
		"auth, authpriv, cron, daemon, ftp, local0 to local7, lpr, "
		"mail, news, syslog, user or uucp") },
	[K_PRIORITY] = { "priority", NAMES(priorities,
		"emerg, alert, crit, err, warning, notice, info or debug") },
	[K_FORMAT] = { "format", NAMES(formats, "text or json") },
	[K_CEE] = { "json_cee_cookie", NAMES(booleans, BOOL_WORDS) },
	[K_MAX_MESSAGE_SIZE] = { "max_message_size",
		NUMBER(CONF_MIN_MAX_MESSAGE_SIZE, CONF_MAX_MAX_MESSAGE_SIZE) },
	[K_THROTTLE_MAX] = { "throttle_max_alerts",
		NUMBER(0, CONF_MAX_THROTTLE_MAX_ALERTS) },
	[K_THROTTLE_WINDOW] = { "throttle_window",
		NUMBER(0, CONF_MAX_THROTTLE_WINDOW) },
	[K_PROCESS_TABLE_SIZE] = { "process_table_size",
		NUMBER(CONF_MIN_PROCESS_TABLE_SIZE,
		       CONF_MAX_PROCESS_TABLE_SIZE) },
	[K_MAX_ARGV_BYTES] = { "max_argv_bytes",
		NUMBER(CONF_MIN_MAX_ARGV_BYTES, CONF_MAX_MAX_ARGV_BYTES) },
	[K_PROC_FALLBACK] = { "proc_fallback", NAMES(booleans, BOOL_WORDS) },
	[K_RULES_DIR] = { "rules_dir", STRING(CONF_PATH_MAX) },
	[K_LOCAL_RULES_DIR] = { "local_rules_dir", STRING(CONF_PATH_MAX) },
	[K_RULES] = { "rules", STRING(CONF_RULES_MAX) },
	[K_LOG_SOCKET] = { "log_socket", STRING(CONF_SOCKET_MAX) },
};

void conf_defaults(struct ks_conf *c)
{
	c->facility = LOG_AUTHPRIV;
	c->priority = LOG_WARNING;
	c->format = ALERT_FORMAT_TEXT;
	c->json_cee_cookie = false;
	c->max_message_size = CONF_DEFAULT_MAX_MESSAGE_SIZE;
	c->throttle_max_alerts = CONF_DEFAULT_THROTTLE_MAX_ALERTS;
	c->throttle_window = CONF_DEFAULT_THROTTLE_WINDOW;
	c->process_table_size = CONF_DEFAULT_PROCESS_TABLE_SIZE;
	c->max_argv_bytes = CONF_DEFAULT_MAX_ARGV_BYTES;
	c->proc_fallback = true;
	snprintf(c->rules_dir, sizeof(c->rules_dir), "%s",
		 CONF_DEFAULT_RULES_DIR);
	snprintf(c->local_rules_dir, sizeof(c->local_rules_dir), "%s",
		 CONF_DEFAULT_LOCAL_RULES_DIR);
	snprintf(c->rules, sizeof(c->rules), "%s", CONF_DEFAULT_RULES);
	snprintf(c->log_socket, sizeof(c->log_socket), "%s",
		 CONF_DEFAULT_LOG_SOCKET);
}

static const char *name_of(const struct name_val *t, size_t n, int val)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].val == val)
			return t[i].name;
	return "unknown";
}

const char *conf_facility_name(int facility)
{
	return name_of(facilities, NELEM(facilities), facility);
}

const char *conf_priority_name(int priority)
{
	return name_of(priorities, NELEM(priorities), priority);
}

void conf_describe(const struct ks_conf *c, char *buf, size_t len)
{
	char throttle[32];

	if (len == 0)
		return;
	if (c->throttle_max_alerts == 0 || c->throttle_window == 0)
		snprintf(throttle, sizeof(throttle), "off");
	else if (c->throttle_max_alerts == CONF_THROTTLE_PER_RULE)
		snprintf(throttle, sizeof(throttle), "rule/%us",
			 c->throttle_window);
	else
		snprintf(throttle, sizeof(throttle), "%u/%us",
			 c->throttle_max_alerts, c->throttle_window);
	snprintf(buf, len,
		 "facility=%s priority=%s format=%s cee=%s max_message_size=%zu"
		 " throttle=%s process_table_size=%" PRIu32
		 " max_argv_bytes=%zu proc_fallback=%s rules=%s",
		 conf_facility_name(c->facility),
		 conf_priority_name(c->priority),
		 c->format == ALERT_FORMAT_JSON ? "json" : "text",
		 c->json_cee_cookie ? "yes" : "no", c->max_message_size,
		 throttle, c->process_table_size, c->max_argv_bytes,
		 c->proc_fallback ? "yes" : "no", c->rules);
}

static bool is_space(char ch)
{
	/* The C locale's isspace(), spelled out so the locale cannot change
	 * what a config line means. \r lets CRLF files through. */
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' ||
	       ch == '\f';
}

/*
 * Copy s into dst (cap >= 1) so it can be shown safely in a log line:
 * bytes outside printable ASCII and the backslash as \xHH / \\, at most
 * QUOTE_MAX bytes of s, "..." when cut.
 */
static void quote(char *dst, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; s[i] && i < QUOTE_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\\' || ch < 0x20 || ch > 0x7e) {
			if (o + 4 >= cap)
				break;
			dst[o++] = '\\';
			if (ch == '\\') {
				dst[o++] = '\\';
				continue;
			}
			dst[o++] = 'x';
			dst[o++] = hex[ch >> 4];
			dst[o++] = hex[ch & 15];
		} else {
			if (o + 1 >= cap)
				break;
			dst[o++] = (char)ch;
		}
	}
	if (s[i] && o + 3 < cap) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
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

static void store_str(struct ks_conf *c, enum key_id id, const char *val)
{
	switch (id) {
	case K_RULES_DIR:
		snprintf(c->rules_dir, sizeof(c->rules_dir), "%s", val);
		break;
	case K_LOCAL_RULES_DIR:
		snprintf(c->local_rules_dir, sizeof(c->local_rules_dir), "%s",
			 val);
		break;
	case K_RULES:
		snprintf(c->rules, sizeof(c->rules), "%s", val);
		break;
	case K_LOG_SOCKET:
		snprintf(c->log_socket, sizeof(c->log_socket), "%s", val);
		break;
	default:
		break;
	}
}

static void store(struct ks_conf *c, enum key_id id, int word, uint64_t num)
{
	switch (id) {
	case K_FACILITY:
		c->facility = word;
		break;
	case K_PRIORITY:
		c->priority = word;
		break;
	case K_FORMAT:
		c->format = (enum alert_format)word;
		break;
	case K_CEE:
		c->json_cee_cookie = word != 0;
		break;
	case K_MAX_MESSAGE_SIZE:
		c->max_message_size = (size_t)num;
		break;
	case K_THROTTLE_MAX:
		c->throttle_max_alerts = (unsigned)num;
		break;
	case K_THROTTLE_WINDOW:
		c->throttle_window = (unsigned)num;
		break;
	case K_PROCESS_TABLE_SIZE:
		c->process_table_size = (uint32_t)num;
		break;
	case K_MAX_ARGV_BYTES:
		c->max_argv_bytes = (size_t)num;
		break;
	case K_PROC_FALLBACK:
		c->proc_fallback = word != 0;
		break;
	case K_RULES_DIR:
	case K_LOCAL_RULES_DIR:
	case K_RULES:
	case K_LOG_SOCKET:
	case K_COUNT:
		break;
	}
}

/*
 * Parse one NUL-terminated line into c. Returns 0, or -1 with the problem
 * (without file and line) in msg.
 */
static int parse_line(char *line, struct ks_conf *c, bool seen[K_COUNT],
		      char *msg, size_t msglen)
{
	char q[QUOTE_MAX * 4 + 4];
	char *s = line, *eq, *key_end, *val, *end;
	const struct key_def *k = NULL;
	enum key_id id = K_COUNT;
	uint64_t num;

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

	for (size_t i = 0; i < K_COUNT; i++)
		if (strcmp(s, keys[i].name) == 0) {
			id = (enum key_id)i;
			k = &keys[i];
			break;
		}
	if (!k) {
		quote(q, sizeof(q), s);
		snprintf(msg, msglen, "unknown key '%s'", q);
		return -1;
	}
	if (seen[id]) {
		snprintf(msg, msglen, "duplicate key '%s'", k->name);
		return -1;
	}
	seen[id] = true;
	if (*val == '\0') {
		snprintf(msg, msglen, "missing value for %s", k->name);
		return -1;
	}

	if (k->strmax) {
		const unsigned char *u;

		if (strlen(val) >= k->strmax) {
			snprintf(msg, msglen, "value for %s longer than %zu bytes",
				 k->name, k->strmax - 1);
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
		if (id != K_RULES && val[0] != '/') {
			quote(q, sizeof(q), val);
			snprintf(msg, msglen,
				 "bad value '%s' for %s (expected an absolute path)",
				 q, k->name);
			return -1;
		}
		store_str(c, id, val);
		return 0;
	}
	if (id == K_THROTTLE_MAX && strcmp(val, "rule") == 0) {
		store(c, id, 0, CONF_THROTTLE_PER_RULE);
		return 0;
	}
	if (k->names) {
		for (size_t i = 0; i < k->nnames; i++)
			if (strcmp(val, k->names[i].name) == 0) {
				store(c, id, k->names[i].val, 0);
				return 0;
			}
		quote(q, sizeof(q), val);
		snprintf(msg, msglen, "bad value '%s' for %s (expected %s)", q,
			 k->name, k->expected);
		return -1;
	}

	if (parse_u64(val, &num) && num >= k->min && num <= k->max) {
		store(c, id, 0, num);
		return 0;
	}
	quote(q, sizeof(q), val);
	snprintf(msg, msglen,
		 "bad value '%s' for %s (expected a number from %" PRIu64
		 " to %" PRIu64 "%s)",
		 q, k->name, k->min, k->max,
		 id == K_THROTTLE_MAX ? ", or rule" : "");
	return -1;
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
	bool seen[K_COUNT] = { false };
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
