/*
 * main.c - audisp-kernel-seeking: the command line, the two modes (log
 * review and auditd plugin) and the wiring of the pipeline
 *   records -> event assembly -> exec event -> process table -> rule -> sink.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_LIBCAP_NG
#include <cap-ng.h>
#endif

#include "alert.h"
#include "conf.h"
#include "ecs_event.h"
#include "event_assembly.h"
#include "logsock.h"
#include "node_ids.h"
#include "proc_table.h"
#include "procfs.h"
#include "ruleset.h"
#include "sink.h"
#include "strbuf.h"

#define PROG "audisp-kernel-seeking"
#define DEFAULT_CONF SYSCONFDIR "/audit/audisp-kernel-seeking.conf"
#define EXIT_USAGE 2
#define READ_CHUNK (64 * 1024)
/* Reads per wakeup before timers get a turn, so that a flood on stdin
 * cannot starve the 3-second alert latency or the throttle summary. */
#define READS_PER_TURN 64
/* In plugin mode an event's records arrive together; waiting one second
 * for a missing EOE is plenty and keeps alerts within 3 s. */
#define PLUGIN_EOE_TIMEOUT 1
#define TICK_MS 500
/* At a light input rate, waking for every record costs more than the
 * records: after a turn that read little, let records gather for 10 ms
 * (auditd's socket buffer holds far more than arrives meanwhile). A turn
 * that read a lot never naps, so a burst is drained at full speed. */
#define BATCH_NAP_MS 10
#define BATCH_NAP_BELOW (32 * 1024)

struct app {
	bool plugin_mode;
	struct ks_conf conf;
	const char *conf_path;
	bool conf_given;          /* --config named the file */
	bool log_stderr;          /* --stderr */
	struct logsock log;       /* plugin mode's syslog */
	struct event_assembly *ea;
	struct proc_table *procs;
	struct node_ids *nodes;   /* node= names -> proc_table node ids */
	bool told_node_overflow;
	struct sink sink;
	struct ruleset rules;
	const char *rule_file;    /* --rule FILE */
	bool checking_rules;      /* --check-rules */
	struct ecs_scratch scratch; /* the ECS view of each exec is built in */
	char hostname[256];
	uint64_t proc_reads;
	uint64_t suppressed;
	bool print_stats;         /* --stats (review mode) */
	struct {                  /* what was last reported as a problem */
		time_t at;
		uint64_t malformed, truncated, no_execve, log_dropped;
		uint64_t feed_errors;
	} told;
};

/* Problems in the input are always counted; syslog hears of them at most
 * once a minute, so hostile input cannot flood the log. */
#define PROBLEM_REPORT_INTERVAL 60

static volatile sig_atomic_t stop_signal, hup, usr1;

static void term_handler(int sig)
{
	stop_signal = sig;
}

static void hup_handler(int sig)
{
	(void)sig;
	hup = 1;
}

static void usr1_handler(int sig)
{
	(void)sig;
	usr1 = 1;
}

static time_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

struct match_ctx {
	struct app *app;
	const struct exec_event *ev;
	const struct proc_entry *parent;
};

static void on_match(struct ruleset_rule *r, void *ctx)
{
	struct match_ctx *m = ctx;
	struct app *app = m->app;
	struct alert a = {
		.rule = &r->file->meta,
		.ev = m->ev,
		.parent = m->parent,
		.host = app->hostname,
	};

	if (!throttle_allow(&r->thr, mono_now())) {
		r->suppressed++;
		app->suppressed++;
		return;
	}
	sink_alert(&app->sink, &a);
}

/* The process table's id for an event's node= name. Past NODE_IDS_MAX
 * names the further nodes share one id (node_ids.h): said once. */
static uint32_t node_id(struct app *app, const char *node)
{
	uint32_t id = node_ids_get(app->nodes, node);

	if (id == NODE_ID_OVERFLOW && !app->told_node_overflow) {
		app->told_node_overflow = true;
		if (app->plugin_mode)
			logsock_printf(&app->log, LOG_WARNING,
				       "more than %u distinct node= names: the processes of further nodes share one process table, where their pids may collide (counted as node_overflow in the stats)",
				       NODE_IDS_MAX);
		else
			fprintf(stderr,
				PROG ": more than %u distinct node= names: the processes of further nodes share one process table, where their pids may collide (counted as node_overflow in --stats)\n",
				NODE_IDS_MAX);
	}
	return id;
}

static void on_exec(const struct exec_event *ev, void *ctx)
{
	struct app *app = ctx;
	uint32_t node = node_id(app, ev->node);
	struct proc_entry parent;
	bool have_parent = false;
	struct ecs_source src;
	struct eql_event e;
	struct match_ctx m;

	/* The parent must be looked up before this exec is recorded: the
	 * table holds the image each pid of this node had until now. */
	if (ev->ppid > 0) {
		have_parent = proc_table_lookup(app->procs, node, ev->ppid,
						&parent);
		if (!have_parent && app->plugin_mode && app->conf.proc_fallback &&
		    procfs_fill(app->procs, "/proc", node, ev->ppid,
				PROC_TABLE_DEFAULT_ENTRY_ARGV_BYTES, ev->sec)) {
			app->proc_reads++;
			have_parent = proc_table_lookup(app->procs, node,
							ev->ppid, &parent);
		}
	}
	src.ev = ev;
	src.parent = have_parent ? &parent : NULL;
	src.host = app->hostname;
	ecs_describe(&src, app->rules.uses, &app->scratch, &e);
	m.app = app;
	m.ev = ev;
	m.parent = have_parent ? &parent : NULL;
	ruleset_eval(&app->rules, &e, on_match, &m);
	proc_table_exec(app->procs, node, ev);
}

static void on_fork(const struct fork_event *fe, void *ctx)
{
	struct app *app = ctx;

	proc_table_fork(app->procs, node_id(app, fe->node), fe->parent,
			fe->child, fe->sec);
}

static void sink_settings_from(const struct ks_conf *c, bool plugin_mode,
			       enum alert_format format,
			       struct sink_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->format = format;
	s->cee_cookie = c->json_cee_cookie;
	s->priority = c->priority;
	/* Review mode prints every alert whole: the auditor asked for all
	 * of them, and no syslog daemon limits the line. */
	if (plugin_mode)
		s->max_len = c->max_message_size;
}

/* Rule-file problems quote what the file holds: keep each report on one
 * line whatever bytes the file has (control bytes as \xHH). */
static const char *one_line(const char *s, char *buf, size_t cap)
{
	size_t o = 0;

	for (; *s && o + 5 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

/* How rule loading reports: syslog in plugin mode, stderr otherwise;
 * "loaded" lines only for --check-rules (stdout). */
static void report_rule(void *ctx, bool ok, const char *what, const char *msg)
{
	struct app *app = ctx;
	char w[1024], m[2048];

	one_line(what, w, sizeof(w));
	one_line(msg, m, sizeof(m));
	if (app->plugin_mode)
		logsock_printf(&app->log, ok ? LOG_INFO : LOG_ERR,
			       "rules: %s: %s", w, m);
	else if (ok && app->checking_rules)
		printf("%s: %s\n", w, m);
	else
		fprintf(stderr, PROG ": %s: %s\n", w, m);
}

static size_t load_rules(struct app *app, struct ruleset *rs, bool check_all)
{
	struct ruleset_options o = {
		.only_file = app->rule_file,
		.rules_dir = app->conf.rules_dir,
		.local_rules_dir = app->conf.local_rules_dir,
		.enable = app->conf.rules,
		.check_all = check_all,
	};

	/* Review mode reports everything it finds; only a live plugin is
	 * bound to what Elastic would let through per run. */
	if (app->plugin_mode) {
		o.throttle_max = app->conf.throttle_max_alerts;
		o.throttle_window = app->conf.throttle_window;
	}
	return ruleset_load(rs, &o, report_rule, app);
}

/* Close the throttle windows that are due and say what they held back. */
static void rules_tick(struct app *app, time_t now)
{
	size_t i;

	for (i = 0; i < app->rules.n; i++) {
		struct ruleset_rule *r = &app->rules.rule[i];
		uint64_t n = throttle_expire(&r->thr, now);

		if (n)
			sink_suppressed(&app->sink, &r->file->meta, n,
					r->thr.max, r->thr.window);
	}
}

static int setup_pipeline(struct app *app)
{
	struct proc_table_limits pl = {
		.max_entries = app->conf.process_table_size,
	};
	struct argv_limits al = {
		.max_total_bytes = app->conf.max_argv_bytes,
		.max_args = ARGV_DEFAULT_MAX_ARGS,
	};
	struct ea_handlers h = {
		.on_exec = on_exec,
		.on_fork = on_fork,
		.ctx = app,
	};

	app->procs = proc_table_new(&pl);
	app->nodes = node_ids_new();
	app->ea = ea_new(&h, &al, app->plugin_mode ? PLUGIN_EOE_TIMEOUT : 2);
	return app->procs && app->nodes && app->ea ? 0 : -1;
}

static void stats_line(struct app *app, char *buf, size_t len)
{
	struct ea_stats es;
	struct proc_table_stats ps;
	struct node_ids_stats ns;

	ea_stats(app->ea, &es);
	proc_table_stats(app->procs, &ps);
	node_ids_stats(app->nodes, &ns);
	snprintf(buf, len,
		 "bytes=%llu records=%llu skipped_records=%llu events=%llu execs=%llu forks=%llu "
		 "alerts=%llu suppressed=%llu table=%u evictions=%llu proc_reads=%llu "
		 "malformed=%llu truncated=%llu no_execve=%llu lost_chunks=%llu "
		 "log_sent=%llu log_queued=%llu log_dropped=%llu "
		 "nodes=%u node_overflow=%llu",
		 (unsigned long long)es.bytes,
		 (unsigned long long)(es.records + es.skipped_records),
		 (unsigned long long)es.skipped_records,
		 (unsigned long long)es.events,
		 (unsigned long long)es.execs, (unsigned long long)es.forks,
		 (unsigned long long)app->sink.alerts,
		 (unsigned long long)app->suppressed, ps.entries,
		 (unsigned long long)ps.evictions,
		 (unsigned long long)app->proc_reads,
		 (unsigned long long)es.malformed,
		 (unsigned long long)es.truncated,
		 (unsigned long long)es.no_execve,
		 (unsigned long long)es.feed_errors,
		 (unsigned long long)app->log.sent,
		 (unsigned long long)app->log.queued,
		 (unsigned long long)app->log.dropped, ns.nodes,
		 (unsigned long long)ns.overflowed);
}

/* ---- review mode ------------------------------------------------------ */

/* Feed one input (a file, or stdin for "-") into the event stream. */
static int review_input(struct app *app, const char *path)
{
	static char buf[READ_CHUNK];
	int fd;
	ssize_t n;
	int rc = 0;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, PROG ": %s: %s\n", path,
				strerror(errno));
			return -1;
		}
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			if (ea_feed(app->ea, buf, (size_t)n) < 0) {
				fprintf(stderr,
					PROG ": %s: out of memory while parsing\n",
					path);
				rc = -1;
			}
			continue;
		}
		if (n == 0)
			break;
		if (errno == EINTR)
			continue;
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		rc = -1;
		break;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

static int review(struct app *app, const char **inputs, int ninputs)
{
	int i, status = 0;

	/* One stream over all inputs, oldest first, so that a parent's exec
	 * in audit.log.1 is known to its child's exec in audit.log. */
	for (i = 0; i < ninputs; i++)
		if (review_input(app, inputs[i]) < 0)
			status = EXIT_USAGE;
	ea_flush(app->ea);
	if (app->print_stats) {
		char line[1024];

		stats_line(app, line, sizeof(line));
		fprintf(stderr, PROG ": %s\n", line);
	}
	if (fflush(stdout) != 0 || app->sink.write_failed) {
		fprintf(stderr, PROG ": writing alerts: %s\n", strerror(errno));
		status = EXIT_USAGE;
	}
	return status;
}

/* ---- plugin mode ------------------------------------------------------ */

/*
 * auditd 3.0.9 starts plugins with every signal ignored and, after a
 * restart, with TERM/HUP/USR1... blocked (auditd-plugins.md §1.3): start
 * from a clean slate, then handle only what we mean to.
 */
static void setup_signals(void)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);

	/* No SA_RESTART: poll() must return EINTR so flags are seen. */
	sa.sa_flags = 0;
	sa.sa_handler = term_handler;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = hup_handler;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = usr1_handler;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/*
 * auditd starts plugins as root with all of its capabilities. Keep only
 * CAP_SYS_PTRACE, which reading /proc/<pid>/exe of other users' processes
 * needs for the parent fallback, and nothing when that is off. uid stays
 * 0: the config and rules are root-owned 0640 files.
 */
static void drop_capabilities(struct app *app)
{
#ifdef HAVE_LIBCAP_NG
	capng_clear(CAPNG_SELECT_BOTH);
	if (app->conf.proc_fallback)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			     CAP_SYS_PTRACE);
	if (capng_apply(CAPNG_SELECT_BOTH) != 0)
		logsock_printf(&app->log, LOG_WARNING,
			       "cannot drop capabilities; continuing with those inherited");
#else
	(void)app;
#endif
}

static void reload(struct app *app)
{
	struct ks_conf next;
	struct ruleset rules;
	struct sink_settings ss;
	char err[512], desc[512];

	hup = 0;
	if (conf_load(app->conf_path, &next, err, sizeof(err)) != 0) {
		/* No file at the default path means defaults, at reload as
		 * at start; any other failure keeps what runs now. */
		if (errno != ENOENT || app->conf_given) {
			logsock_printf(&app->log, LOG_ERR,
			       "reload failed, keeping the previous configuration: %s",
			       err);
			return;
		}
		conf_defaults(&next);
	}
	if (next.process_table_size != app->conf.process_table_size ||
	    next.max_argv_bytes != app->conf.max_argv_bytes)
		logsock_printf(&app->log, LOG_NOTICE,
		       "process_table_size and max_argv_bytes take effect at the next start");
	next.process_table_size = app->conf.process_table_size;
	next.max_argv_bytes = app->conf.max_argv_bytes;
	if (next.facility != app->conf.facility) {
		logsock_reconfigure(&app->log, next.log_socket, next.facility);
	}
	/* Rules follow the new settings; a broken rule file is reported
	 * and skipped, the others run (also on the first start). */
	rules_tick(app, INT32_MAX);
	app->conf = next;
	if (load_rules(app, &rules, false) == 0 && app->rules.n > 0) {
		logsock_printf(&app->log, LOG_ERR, "reload: no rule would be enabled; keeping the %zu running",
		       app->rules.n);
		ruleset_free(&rules);
	} else {
		ruleset_free(&app->rules);
		app->rules = rules;
	}
	sink_settings_from(&app->conf, true, app->conf.format, &ss);
	sink_reconfigure(&app->sink, &ss);
	conf_describe(&app->conf, desc, sizeof(desc));
	logsock_printf(&app->log, LOG_INFO, "configuration reloaded from %s: %s", app->conf_path,
	       desc);
}

static void report_problems(struct app *app, time_t now)
{
	struct ea_stats es;
	uint64_t dm, dt, dn, dl, df;

	if (app->told.at && now - app->told.at < PROBLEM_REPORT_INTERVAL)
		return;
	ea_stats(app->ea, &es);
	dm = es.malformed - app->told.malformed;
	dt = es.truncated - app->told.truncated;
	dn = es.no_execve - app->told.no_execve;
	dl = app->log.dropped - app->told.log_dropped;
	df = es.feed_errors - app->told.feed_errors;
	if (!dm && !dt && !dn && !dl && !df)
		return;
	logsock_printf(&app->log, LOG_WARNING,
		       "input problems since the last report: %llu malformed events skipped, "
		       "%llu exec events cut to the limits, %llu execs without EXECVE records, "
		       "%llu log messages dropped, %llu input chunks lost for lack of memory",
		       (unsigned long long)dm, (unsigned long long)dt,
		       (unsigned long long)dn, (unsigned long long)dl,
		       (unsigned long long)df);
	app->told.at = now;
	app->told.malformed = es.malformed;
	app->told.truncated = es.truncated;
	app->told.no_execve = es.no_execve;
	app->told.log_dropped = app->log.dropped;
	app->told.feed_errors = es.feed_errors;
}

static int plugin_loop(struct app *app)
{
	static char buf[READ_CHUNK];
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	time_t last_tick = mono_now();
	char line[1024];
	bool eof = false;
	int flags, i, rc;
	ssize_t n;
	size_t turn;

	flags = fcntl(STDIN_FILENO, F_GETFL);
	if (flags >= 0)
		fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK);

	while (!stop_signal && !eof) {
		if (hup)
			reload(app);
		if (usr1) {
			usr1 = 0;
			stats_line(app, line, sizeof(line));
			logsock_printf(&app->log, LOG_INFO, "stats: %s", line);
		}

		/* Messages the syslog socket could not take wait in logsock's
		 * queue: retry often while there are any. */
		rc = poll(&pfd, 1, logsock_flush(&app->log) ? TICK_MS : 50);
		if (rc > 0) {
			/* Drain what is there (a bounded number of reads),
			 * so auditd's dispatcher never waits on us. */
			for (i = 0, turn = 0; i < READS_PER_TURN; i++) {
				n = read(STDIN_FILENO, buf, sizeof(buf));
				if (n > 0) {
					turn += (size_t)n;
					/* out of memory: counted, and reported
					 * at most once a minute */
					ea_feed(app->ea, buf, (size_t)n);
					continue;
				}
				if (n == 0)
					eof = true;
				else if (errno != EAGAIN && errno != EINTR &&
					 errno != EWOULDBLOCK) {
					logsock_printf(&app->log, LOG_ERR, "reading stdin: %m");
					eof = true;
				}
				break;
			}
			if (turn && turn < BATCH_NAP_BELOW && !eof) {
				struct timespec nap = {
					0, BATCH_NAP_MS * 1000000L
				};

				nanosleep(&nap, NULL);
			}
		} else if (rc < 0 && errno != EINTR) {
			logsock_printf(&app->log, LOG_ERR, "poll: %m");
			eof = true;
		}

		if (mono_now() != last_tick) {
			last_tick = mono_now();
			/* Complete events whose last record never came, so
			 * an alert never waits for the next audit event. */
			if (ea_has_data(app->ea))
				ea_age(app->ea);
			rules_tick(app, last_tick);
			report_problems(app, last_tick);
		}
	}

	ea_flush(app->ea);
	/* The open windows are cut short: report what they held back so no
	 * count is lost. */
	rules_tick(app, INT32_MAX);
	stats_line(app, line, sizeof(line));
	logsock_printf(&app->log, LOG_INFO, "stopping on %s: %s",
	       stop_signal == SIGTERM ? "SIGTERM" :
	       stop_signal == SIGINT ? "SIGINT" : "end of input",
	       line);
	return 0;
}

/* ---- command line ----------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("Usage: " PROG " [--config FILE]                      (auditd plugin mode)\n"
	      "       " PROG " --input FILE... [--format text|json] (log review)\n"
	      "       " PROG " --check-config [--config FILE]\n"
	      "\n"
	      "Detects Elastic's \"Kernel Seeking Activity\" (rule version 2) on\n"
	      "audited exec events, with the parent's argv from a process table.\n"
	      "\n"
	      "  -i, --input FILE   review a raw audit log (audit.log, ausearch --raw\n"
	      "                     output); repeatable, oldest first; - is stdin\n"
	      "  -f, --format FMT   text (default) or json (one ECS object a line)\n"
	      "      --stats        review mode: print counters to stderr at the end\n"
	      "      --host-name N  host.name for events without node= (review of\n"
	      "                     another machine's logs; default: this host)\n"
	      "  -c, --config FILE  configuration (default " DEFAULT_CONF ")\n"
	      "      --check-config validate the configuration and exit\n"
	      "      --rule FILE    review with this one rule file instead of the\n"
	      "                     configured rules\n"
	      "      --check-rules  load every rule file and exception, say which\n"
	      "                     loaded and why others did not; exit 0 or 2\n"
	      "      --stderr       plugin mode: copy every syslog message to stderr\n"
	      "                     (running by hand, tests)\n"
	      "  -h, --help         this help\n"
	      "  -V, --version      version\n"
	      "\n"
	      "Without --input, reads audit records from stdin as auditd's plugin\n"
	      "dispatcher sends them and writes alerts to syslog. Signals: TERM/INT\n"
	      "stop, HUP reloads the configuration, USR1 logs statistics.\n"
	      "\n"
	      "Exit status: 0 when all input was read, 2 on usage, configuration\n"
	      "or read errors.\n",
	      f);
}

int main(int argc, char **argv)
{
	enum { OPT_CHECK_CONFIG = 256, OPT_HOST_NAME, OPT_STDERR,
	       OPT_CHECK_RULES, OPT_RULE, OPT_STATS };
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
		{ "host-name", required_argument, NULL, OPT_HOST_NAME },
		{ "stderr", no_argument, NULL, OPT_STDERR },
		{ "check-rules", no_argument, NULL, OPT_CHECK_RULES },
		{ "rule", required_argument, NULL, OPT_RULE },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct app app;
	struct sink_settings ss;
	const char **inputs;
	const char *format_opt = NULL, *host_name = NULL;
	bool check_config = false, check_rules = false;
	int ninputs = 0, c, status = 0;
	char err[512], desc[512];
	enum alert_format format;

	inputs = calloc((size_t)argc + 1, sizeof(*inputs));
	if (!inputs) {
		fputs(PROG ": out of memory\n", stderr);
		return EXIT_USAGE;
	}
	app.conf_path = DEFAULT_CONF;
	while ((c = getopt_long(argc, argv, "i:f:c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			inputs[ninputs++] = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "text") != 0 &&
			    strcmp(optarg, "json") != 0) {
				fprintf(stderr,
					PROG ": unknown format '%s' (text or json)\n",
					optarg);
				free(inputs);
				return EXIT_USAGE;
			}
			format_opt = optarg;
			break;
		case 'c':
			app.conf_path = optarg;
			app.conf_given = true;
			break;
		case OPT_CHECK_CONFIG:
			check_config = true;
			break;
		case OPT_HOST_NAME:
			host_name = optarg;
			break;
		case OPT_STDERR:
			app.log_stderr = true;
			break;
		case OPT_CHECK_RULES:
			check_rules = true;
			break;
		case OPT_RULE:
			app.rule_file = optarg;
			break;
		case OPT_STATS:
			app.print_stats = true;
			break;
		case 'h':
			usage(stdout);
			free(inputs);
			return 0;
		case 'V':
			puts(PACKAGE_STRING);
			free(inputs);
			return 0;
		default:
			usage(stderr);
			free(inputs);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		free(inputs);
		return EXIT_USAGE;
	}
	app.plugin_mode = ninputs == 0 && !check_config && !check_rules;
	if (app.rule_file && app.plugin_mode) {
		fputs(PROG ": --rule runs one rule over --input logs (review mode)\n",
		      stderr);
		free(inputs);
		return EXIT_USAGE;
	}

	conf_defaults(&app.conf);
	if (check_rules) {
		struct ruleset rs;

		free(inputs);
		if ((app.conf_given || access(app.conf_path, F_OK) == 0) &&
		    conf_load(app.conf_path, &app.conf, err, sizeof(err)) != 0) {
			fprintf(stderr, PROG ": %s\n", err);
			return EXIT_USAGE;
		}
		app.checking_rules = true;
		load_rules(&app, &rs, true);
		printf("%zu rule%s enabled, %u problem%s\n", rs.n,
		       rs.n == 1 ? "" : "s", rs.problems,
		       rs.problems == 1 ? "" : "s");
		c = rs.problems || rs.n == 0 ? EXIT_USAGE : 0;
		ruleset_free(&rs);
		return c;
	}
	if (check_config) {
		free(inputs);
		if (conf_load(app.conf_path, &app.conf, err, sizeof(err)) != 0) {
			fprintf(stderr, PROG ": %s\n", err);
			return EXIT_USAGE;
		}
		conf_describe(&app.conf, desc, sizeof(desc));
		printf("%s: OK: %s\n", app.conf_path, desc);
		return 0;
	}

	if (app.plugin_mode) {
		setup_signals();
		/* A broken configuration must not kill the plugin: auditd
		 * would restart it only max_restarts times. Run on defaults
		 * and say why. */
		if (conf_load(app.conf_path, &app.conf, err, sizeof(err)) != 0) {
			bool say = app.conf_given || errno != ENOENT;

			conf_defaults(&app.conf);
			logsock_init(&app.log, app.conf.log_socket, PROG,
				     app.conf.facility, app.log_stderr);
			if (say)
				logsock_printf(&app.log, LOG_ERR,
					       "%s; running with defaults", err);
		} else {
			logsock_init(&app.log, app.conf.log_socket, PROG,
				     app.conf.facility, app.log_stderr);
		}
	} else if (app.conf_given &&
		   conf_load(app.conf_path, &app.conf, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		free(inputs);
		return EXIT_USAGE;
	}

	if (host_name)
		snprintf(app.hostname, sizeof(app.hostname), "%s", host_name);
	else if (gethostname(app.hostname, sizeof(app.hostname) - 1) != 0)
		strcpy(app.hostname, "localhost");

	format = app.conf.format;
	if (format_opt)
		format = strcmp(format_opt, "json") == 0 ? ALERT_FORMAT_JSON :
							  ALERT_FORMAT_TEXT;
	else if (!app.plugin_mode && !app.conf_given)
		format = ALERT_FORMAT_TEXT;
	sink_settings_from(&app.conf, app.plugin_mode, format, &ss);
	sink_init(&app.sink, app.plugin_mode ? SINK_SYSLOG : SINK_STDOUT,
		  stdout, &app.log, &ss);

	ecs_scratch_init(&app.scratch);
	if (load_rules(&app, &app.rules, false) == 0 && app.rule_file) {
		fprintf(stderr, PROG ": %s: no rule to run\n", app.rule_file);
		status = EXIT_USAGE;
		goto out;
	} else if (app.rules.n == 0) {
		/* Nothing to run is worth saying, not worth dying for: in
		 * plugin mode auditd would restart us in a loop. */
		if (app.plugin_mode)
			logsock_printf(&app.log, LOG_ERR, "no rule enabled; alerts are off until a reload fixes it");
		else
			fputs(PROG ": no rule enabled\n", stderr);
	}
	if (setup_pipeline(&app) != 0) {
		if (app.plugin_mode)
			logsock_printf(&app.log, LOG_ERR, "cannot initialise (out of memory)");
		fputs(PROG ": cannot initialise (out of memory)\n", stderr);
		status = EXIT_USAGE;
	} else if (app.plugin_mode) {
		drop_capabilities(&app);
		conf_describe(&app.conf, desc, sizeof(desc));
		logsock_printf(&app.log, LOG_INFO, "%s started: %s", PACKAGE_STRING, desc);
		status = plugin_loop(&app);
	} else {
		status = review(&app, inputs, ninputs);
	}

out:
	ea_free(app.ea);
	proc_table_free(app.procs);
	node_ids_free(app.nodes);
	sink_free(&app.sink);
	ruleset_free(&app.rules);
	ecs_scratch_free(&app.scratch);
	free(inputs);
	if (app.plugin_mode) {
		/* bounded: a syslog daemon that is away costs one second */
		logsock_drain(&app.log, 1000);
		logsock_close(&app.log);
	}
	return status;
}
