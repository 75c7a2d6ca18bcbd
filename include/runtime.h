/*
 * runtime.h - the running program: the settings in force and the pipeline
 * they drive, records -> event assembly -> exec event -> process table and
 * session table -> ECS description (with its lineage: ancestors from the
 * table, the session's timeline) -> rules -> sink, in review and in plugin
 * mode.
 *
 * One path applies settings. runtime_configure() reads the configuration
 * (the file or the defaults, then the command line's overrides, such as
 * --format, on top) and applies it: at start to an empty runtime, at SIGHUP
 * to the running one. Every setting is applied there, or, when its row in
 * conf_keys is not reloadable, kept at its running value and logged as
 * taking effect at the next start. So a reload never loses a command-line
 * option, and a reload that cannot read its file keeps what runs.
 *
 * Diagnostics go through diag.h: configuring a plugin-mode runtime the
 * first time points diag at its syslog writer.
 *
 * Guarantees: the plugin never exits on bad input or a bad configuration
 * (it runs on defaults, or keeps the running settings, and says why);
 * problems in the input are counted and reported at most once a minute.
 * Cost: a reload reads the file and loads and compiles the rules again;
 * the process table, the timeline and the event assembly are allocated
 * once, at start. Per exec: the parent lookup, the rules, and recording
 * the exec in the table and the timeline; the lineage is built only for
 * an alert or a rule that reads it.
 */
#ifndef KS_RUNTIME_H
#define KS_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "alert.h"
#include "conf.h"
#include "ecs_event.h"
#include "event_assembly.h"
#include "lineage.h"
#include "logsock.h"
#include "names.h"
#include "node_ids.h"
#include "proc_table.h"
#include "ruleset.h"
#include "session.h"
#include "sink.h"
#include "timeline.h"

/* What the command line says; applied with the file at every
 * runtime_configure(). */
struct runtime_options {
	bool plugin_mode;         /* else review mode */
	const char *conf_path;
	bool conf_given;          /* --config named the file */
	bool format_given;        /* --format, which wins over the file */
	enum alert_format format;
	const char *host_name;    /* --host-name; NULL: this host's name */
	const char *rule_file;    /* --rule FILE (review mode), or NULL */
	const char *rules_dir;    /* --rules-dir DIR, or NULL */
	const char *rules;        /* --rules LIST, or NULL (with --rules-dir:
				   * all) */
	bool log_stderr;          /* --stderr: copy syslog messages to stderr */
	bool resolve_names;       /* --resolve-names: review mode looks up
				   * names this machine has for the ids of
				   * events without them (plugin mode
				   * always does, for its own events) */
	/* --start/--end (review mode): rules run only on execs within
	 * [range_start, range_end] (seconds, inclusive); the others still
	 * go into the process table, as parents of what comes later. */
	bool range;
	int64_t range_start, range_end;
};

/* Called before each alert is written (review mode: the summary, the
 * progress line). */
typedef void (*runtime_alert_fn)(const struct alert *a, void *ctx);

struct runtime {
	struct runtime_options opt;
	bool started;             /* configured once */
	struct ks_conf conf;      /* the settings in force */
	struct logsock log;       /* plugin mode's syslog */
	bool log_open;
	struct event_assembly *ea;
	struct proc_table *procs;
	struct timeline *tl;      /* NULL: timeline_size = 0 */
	struct lineage lin;       /* the current exec's, built on demand */
	struct node_ids *nodes;   /* node= names -> proc_table node ids */
	struct session_table *sessions; /* login sessions, by the same ids */
	struct names *names;      /* NSS names; NULL: none are looked up */
	struct ecs_names names_hook;
	bool told_node_overflow;
	struct sink sink;
	struct ruleset rules;
	struct ecs_scratch scratch; /* the ECS view of each exec is built in */
	char hostname[256];
	/* node= names that are this machine's (runtime.c, local_names):
	 * the hostname, its first label, its FQDN from /etc/hosts */
	char local_names[3][256];
	unsigned nlocal;
	char boot_id[40];         /* this boot's, for the state file */
	time_t heartbeat_at;      /* monotonic: the last heartbeat (start) */
	time_t saved_at;          /* monotonic: the last state save (start) */
	uint64_t state_saves, state_save_failures;
	uint64_t proc_reads;
	uint64_t suppressed;
	runtime_alert_fn on_alert;
	void *on_alert_ctx;
	/* exec events the rules ran on (all, or those within the range),
	 * and the time span of those */
	uint64_t execs_ruled;
	int64_t first_ruled, last_ruled;
	struct {                  /* what was last reported as a problem */
		time_t at;
		uint64_t malformed, truncated, no_execve, log_dropped;
		uint64_t feed_errors;
		uint64_t junk, cut;   /* lines skipped, events cut short */
	} told;
};

/* An empty runtime for these options (copied; their strings must outlive
 * the runtime). */
void runtime_init(struct runtime *rt, const struct runtime_options *o);

/*
 * Read the configuration and apply it: at the first call to the empty
 * runtime (returns -1 when it cannot run: a configuration named with
 * --config that does not load in review mode, a --rule file without a
 * rule, no memory), at later calls (SIGHUP) to the running one (returns 0:
 * a file that does not load keeps the running settings, said in the log).
 */
int runtime_configure(struct runtime *rt);

/* Input bytes, in any chunks. -1 when auparse ran out of memory (counted;
 * the plugin goes on). */
int runtime_feed(struct runtime *rt, const char *buf, size_t n);
/* Once a second in plugin mode: complete events whose last record never
 * came, close the throttle windows that are due, report input problems,
 * log the heartbeat and save the state file when they are due. */
void runtime_tick(struct runtime *rt, time_t now);
/* End of input or stop: complete the pending events, and say what the
 * open throttle windows held back. */
void runtime_flush(struct runtime *rt);
/* One line "stats: rule NAME matches=N suppressed=N" per rule, then one
 * line "HEAD: counters", at the given priority. The heartbeat is that
 * last line alone, its HEAD RUNTIME_HEARTBEAT. */
#define RUNTIME_HEARTBEAT "heartbeat"

void runtime_stats(struct runtime *rt, int priority, const char *head);

/* Plugin mode: write the process table to state_file (when set), and
 * say so at `priority` (failures always as errors). At stop, and from
 * runtime_tick every state_save_interval. */
void runtime_save_state(struct runtime *rt, int priority);

/* Whether node= NAME is this machine's own: "" (no node=), the hostname
 * (--host-name in review mode), its first label, or its FQDN as
 * /etc/hosts gives it. Its events may use /proc and the user database. */
bool runtime_is_local(const struct runtime *rt, const char *node);

void runtime_free(struct runtime *rt);

/* How rule loading reports (a ruleset_report_fn): problems as errors
 * ("rules: FILE:LINE: problem"), the rest (the built-in rule stands in)
 * as info. With ctx a FILE * (--check-rules), the rest is listed there. */
void runtime_report_rule(void *ctx, bool ok, const char *what,
			 const char *msg);

/* The command line's rule options on top of a configuration: rules_dir
 * from --rules-dir, rules from --rules (with --rules-dir alone: all). */
void runtime_rule_overrides(const struct runtime_options *o,
			    struct ks_conf *c);

/* Monotonic seconds, the runtime's clock. */
time_t runtime_now(void);

#endif
