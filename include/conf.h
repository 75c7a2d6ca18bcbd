/*
 * conf.h - the plugin's own settings (/etc/audit/audisp-kernel-seeking.conf)
 * turned into one validated struct.
 *
 * Syntax: `key = value` lines (spaces around `=` optional), blank lines,
 * `#` comments on their own line or after whitespace at the end of a line;
 * leading and trailing whitespace is ignored; keys are lower-case and
 * case-sensitive; each key at most once. A missing key keeps its default, so
 * an empty file means "all defaults".
 *
 * Guarantees:
 *  - strict: any unknown key, bad or out-of-range value, duplicate key, line
 *    longer than CONF_LINE_MAX bytes or NUL byte rejects the whole file with
 *    one message naming the file and line; numbers are plain decimal (no
 *    sign, no suffix, overflow-checked) and checked against the bounds below;
 *  - all or nothing: on error *out is not touched, so a SIGHUP reload that
 *    fails keeps the running configuration;
 *  - bounded: the file is read line by line into a fixed buffer; text from
 *    the file quoted in a message is escaped and cut short.
 *
 * Cost: one pass over the file, no allocation.
 */
#ifndef KS_CONF_H
#define KS_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "alert.h"
#include "argv.h"
#include "proc_table.h"

#ifndef CONF_DEFAULT_PATH
#define CONF_DEFAULT_PATH "/etc/audit/audisp-kernel-seeking.conf"
#endif

/* Longest line accepted, without its newline. */
#define CONF_LINE_MAX 4096u

/* rsyslog's default maxMessageSize is 8 KiB for the whole message; 8000
 * bytes of alert leave 192 for the syslog header (time, host, tag, pid). */
#define CONF_DEFAULT_MAX_MESSAGE_SIZE 8000u
#define CONF_MIN_MAX_MESSAGE_SIZE ALERT_MIN_LEN
#define CONF_MAX_MAX_MESSAGE_SIZE (1024u * 1024u)

/* "throttle_max_alerts = rule": each rule's own max_signals. */
#define CONF_THROTTLE_PER_RULE UINT32_MAX
/* The rule's max_signals is 100 per run and Elastic runs rules every 5
 * minutes by default: the default lets through what Elastic would. */
#define CONF_DEFAULT_THROTTLE_MAX_ALERTS CONF_THROTTLE_PER_RULE
#define CONF_MAX_THROTTLE_MAX_ALERTS 1000000u
#define CONF_DEFAULT_THROTTLE_WINDOW 300u
#define CONF_MAX_THROTTLE_WINDOW 86400u

#define CONF_DEFAULT_PROCESS_TABLE_SIZE PROC_TABLE_DEFAULT_ENTRIES
#define CONF_MIN_PROCESS_TABLE_SIZE 64u
#define CONF_MAX_PROCESS_TABLE_SIZE 4194304u

/* Where rules live: the shipped ones (replaced by package upgrades) and
 * the administrator's own rules and *.exceptions files (never touched by
 * upgrades). */
#ifndef DATADIR
#define DATADIR "/usr/share"
#endif
#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define CONF_DEFAULT_RULES_DIR DATADIR "/audisp-kernel-seeking/rules"
#define CONF_DEFAULT_LOCAL_RULES_DIR SYSCONFDIR "/audit/audisp-kernel-seeking.d"
#define CONF_DEFAULT_RULES "kernel_seeking_v2"
#define CONF_PATH_MAX 1024u
#define CONF_RULES_MAX 1024u
#define CONF_DEFAULT_LOG_SOCKET "/dev/log"
#define CONF_SOCKET_MAX 108u  /* sun_path */

#define CONF_DEFAULT_MAX_ARGV_BYTES ARGV_DEFAULT_MAX_TOTAL_BYTES
#define CONF_MIN_MAX_ARGV_BYTES 4096u
#define CONF_MAX_MAX_ARGV_BYTES (64u * 1024u * 1024u)

struct ks_conf {
	int facility;             /* LOG_AUTHPRIV etc., as openlog() takes it */
	int priority;             /* LOG_WARNING etc. */
	enum alert_format format;
	bool json_cee_cookie;     /* prefix JSON with "@cee: " */
	size_t max_message_size;  /* bytes of one alert message */
	unsigned throttle_max_alerts; /* 0: no throttle;
					 CONF_THROTTLE_PER_RULE: max_signals */
	unsigned throttle_window;     /* seconds; 0: no throttle */
	uint32_t process_table_size;  /* entries */
	size_t max_argv_bytes;        /* argv bytes kept per exec event */
	bool proc_fallback;       /* read /proc/<ppid> for unknown parents */
	char rules_dir[CONF_PATH_MAX];       /* shipped rules (*.toml) */
	char local_rules_dir[CONF_PATH_MAX]; /* local rules, *.exceptions */
	char rules[CONF_RULES_MAX];  /* enabled shipped rules: file stems or
					rule ids, comma-separated */
	char log_socket[CONF_SOCKET_MAX]; /* local syslog socket */
};

void conf_defaults(struct ks_conf *c);

/*
 * Read `path` into *out. Returns 0, or -1 with *out untouched and a message
 * in err ("PATH:LINE: problem", or "PATH: reason" when the file could not be
 * opened or read). errno is then the open/read error (ENOENT for a missing
 * file, so the caller can decide to run on defaults) or EINVAL for a
 * content error. err may be NULL when errlen is 0.
 */
int conf_load(const char *path, struct ks_conf *out, char *err,
	      size_t errlen);

/* Names as the config file spells them; "unknown" for anything else. */
const char *conf_facility_name(int facility);
const char *conf_priority_name(int priority);

/* One line for the log, e.g. "facility=authpriv priority=warning
 * format=json cee=yes max_message_size=8000 throttle=100/300s
 * process_table_size=16384 max_argv_bytes=1048576 proc_fallback=yes"
 * (throttle=off when disabled). Always NUL-terminated when len > 0. */
void conf_describe(const struct ks_conf *c, char *buf, size_t len);

#endif
