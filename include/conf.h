/*
 * conf.h - the plugin's own settings (/etc/audit/audisp-kernel-seeking.conf)
 * turned into one validated struct.
 *
 * Every setting is one row of conf_keys[]: its name, type, default (written
 * as the file spells it and read by the same parser), bounds, whether a
 * SIGHUP applies it or only the next start, and a one-line doc. Parsing,
 * defaults, validation, conf_describe and --check-config all come from the
 * rows, so adding a setting is one row, one field below and its use.
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
 *    sign, no suffix, overflow-checked) and checked against their row's
 *    bounds; text values are printable ASCII (they end up in log lines);
 *  - all or nothing: on error *out is not touched, so a SIGHUP reload that
 *    fails keeps the running configuration;
 *  - bounded: the file is read line by line into a fixed buffer; text from
 *    the file quoted in a message goes through diag_quote (escaped, cut).
 *
 * Cost: one pass over the file, no allocation.
 */
#ifndef KS_CONF_H
#define KS_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "alert.h"

/* Longest line accepted, without its newline. */
#define CONF_LINE_MAX 4096u

/* Bounds of the numbers (the rows in conf.c; the fuzzer checks them). */
#define CONF_MIN_MAX_MESSAGE_SIZE ALERT_MIN_LEN
#define CONF_MAX_MAX_MESSAGE_SIZE (1024u * 1024u)
/* "throttle_max_alerts = rule": each rule's own max_signals. */
#define CONF_THROTTLE_PER_RULE UINT32_MAX
#define CONF_MAX_THROTTLE_MAX_ALERTS 1000000u
#define CONF_MAX_THROTTLE_WINDOW 86400u
#define CONF_MIN_PROCESS_TABLE_SIZE 64u
#define CONF_MAX_PROCESS_TABLE_SIZE 4194304u
#define CONF_MIN_SESSION_TABLE_SIZE 16u
#define CONF_MAX_SESSION_TABLE_SIZE 1048576u
#define CONF_MIN_MAX_ARGV_BYTES 4096u
#define CONF_MAX_MAX_ARGV_BYTES (64u * 1024u * 1024u)
/* The lineage's and the timeline's (conf.c checks them against
 * lineage.h and timeline.h). */
#define CONF_MAX_ANCESTRY_DEPTH 32u
#define CONF_MIN_ANCESTRY_ARGV_BYTES 64u
#define CONF_MAX_ANCESTRY_ARGV_BYTES 65536u
#define CONF_MAX_TIMELINE_SIZE 32u
#define CONF_MIN_TIMELINE_SESSIONS 16u
#define CONF_MAX_TIMELINE_SESSIONS 65536u
#define CONF_MIN_TIMELINE_ARGV_BYTES 192u
#define CONF_MAX_TIMELINE_ARGV_BYTES 4096u
/* A week: a heartbeat rarer than that tells monitoring nothing. */
#define CONF_MAX_HEARTBEAT_INTERVAL (7u * 86400u)
#define CONF_MAX_STATE_SAVE_INTERVAL 86400u

/* Sizes of the text values, with their NUL. */
#define CONF_PATH_MAX 1024u
#define CONF_RULES_MAX 1024u
#define CONF_SOCKET_MAX 108u  /* sun_path */

/* Where rules live by default: the shipped ones (replaced by package
 * upgrades) and the administrator's own rules and *.exceptions files
 * (never touched by upgrades). */
#ifndef DATADIR
#define DATADIR "/usr/share"
#endif
#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
/* The state file's default: the packages make its directory (0700). */
#define CONF_STATE_FILE_DEFAULT "/var/lib/audisp-kernel-seeking/state"

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
	uint32_t session_table_size;  /* login sessions remembered */
	size_t max_argv_bytes;        /* argv bytes kept per exec event */
	bool proc_fallback;       /* read /proc/<ppid> for unknown parents */
	unsigned ancestry_depth;      /* ancestors past the parent shown */
	size_t ancestry_argv_bytes;   /* argv bytes shown per ancestor */
	unsigned timeline_size;       /* execs kept per session; 0: off */
	uint32_t timeline_sessions;   /* sessions kept */
	size_t timeline_argv_bytes;   /* argv bytes kept per timeline exec */
	char rules_dir[CONF_PATH_MAX];       /* shipped rules (*.toml) */
	char local_rules_dir[CONF_PATH_MAX]; /* local rules, *.exceptions */
	char rules[CONF_RULES_MAX];  /* enabled shipped rules: file stems or
					rule ids, comma-separated */
	char log_socket[CONF_SOCKET_MAX]; /* local syslog socket */
	unsigned heartbeat_interval;  /* seconds between heartbeats; 0: off */
	char state_file[CONF_PATH_MAX];  /* "" : no state file */
	unsigned state_save_interval; /* seconds; 0: only at stop */
};

enum conf_type {
	CONF_WORD,    /* one of a list of words (facility names...) */
	CONF_BOOL,    /* yes/no, true/false, on/off, 1/0 */
	CONF_NUMBER,  /* plain decimal in [min, max], or the row's word */
	CONF_PATH,    /* an absolute path */
	CONF_OPT_PATH, /* an absolute path, or empty: off */
	CONF_STRING,  /* printable ASCII */
};

struct conf_word {
	const char *name;
	int val;
};

struct conf_key {
	const char *name;
	enum conf_type type;
	const char *def;          /* the default, as the file spells it */
	bool reloadable;          /* false: takes effect at the next start */
	const char *doc;          /* one line: what it is for */
	/* CONF_WORD, CONF_BOOL: the words and, for messages, the list */
	const struct conf_word *words;
	size_t nwords;
	const char *expected;
	/* CONF_NUMBER: inclusive bounds, and a word that also is a value */
	uint64_t min, max;
	const char *word;
	uint64_t word_val;
	/* where the value lives in struct ks_conf (text: its capacity) */
	size_t off, size;
};

/* The settings, in the order the file, the man page and the "started"
 * line show them. */
extern const struct conf_key conf_keys[];
extern const size_t conf_nkeys;

/* Every key at its default. */
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

/* One key's value in c, as the file spells it (NUL-terminated when
 * len > 0). Returns buf. */
const char *conf_value(const struct conf_key *k, const struct ks_conf *c,
		       char *buf, size_t len);
/* Whether a and b hold the same value for k. */
bool conf_same(const struct conf_key *k, const struct ks_conf *a,
	       const struct ks_conf *b);
/* dst takes src's value for k (a setting kept until the next start). */
void conf_copy(const struct conf_key *k, struct ks_conf *dst,
	       const struct ks_conf *src);


/* One line for the log: "key=value" for every key, in table order, e.g.
 * "facility=authpriv priority=warning format=json ... log_socket=/dev/log".
 * Always NUL-terminated when len > 0. */
void conf_describe(const struct ks_conf *c, char *buf, size_t len);

#endif
