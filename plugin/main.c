/*
 * main.c - audisp-kernel-seeking: the command line, and the mode it picks:
 * log review (--input), auditd plugin (stdin), --check-config and
 * --check-rules. What runs in review and plugin mode is runtime.c; here
 * are only the reading loops around it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "diag.h"
#include "input.h"
#include "progress.h"
#include "runtime.h"
#include "summary.h"
#include "timerange.h"

#define DEFAULT_CONF SYSCONFDIR "/audit/audisp-kernel-seeking.conf"
#define AUDITD_CONF "/etc/audit/auditd.conf"
#define EXIT_USAGE 2
/* --alert-status: as grep, 0 when something was found, 1 when not */
#define EXIT_NO_ALERTS 1
/* Records come in time order within a file, give or take the events in
 * flight (auparse waits 2 s of log time for an event's last record): a
 * file is left once its records are this far past --end. */
#define PAST_END_SLACK 60
/* A log whose first record is this much older than the newest record read
 * so far was given out of order (rotation keeps events whole; a few
 * seconds of events in flight may straddle it). */
#define OUT_OF_ORDER_SLACK 5
#define READ_CHUNK (64 * 1024)
/* Reads per wakeup before timers get a turn, so that a flood on stdin
 * cannot starve the 3-second alert latency or the throttle summary. */
#define READS_PER_TURN 64
#define TICK_MS 500
/* At a light input rate, waking for every record costs more than the
 * records: after a turn that read little, let records gather for 20 ms
 * (a turn under 32 KiB means under 1.6 MB/s, so about 32 KiB arrives
 * meanwhile: auditd's socketpair buffer holds far more). A turn that read
 * a lot never naps, so a burst is drained at full speed. 10 ms gave
 * 1.8-2.05% of a core at 1000 execs/s with every Elastic rule, 20 ms
 * 1.75% (BENCHMARKS.md). */
#define BATCH_NAP_MS 20
#define BATCH_NAP_BELOW (32 * 1024)

enum mode { MODE_PLUGIN, MODE_REVIEW, MODE_CHECK_CONFIG, MODE_CHECK_RULES };

/* Where --input-logs stands among the inputs (compared by address). */
static const char INPUT_LOGS_MARK[] = "--input-logs";

struct cmdline {
	enum mode mode;
	struct runtime_options opt;
	const char **inputs;      /* --input, in order; INPUT_LOGS_MARK for
				     --input-logs */
	int ninputs;
	bool print_stats;         /* --stats (review mode) */
	bool quiet;               /* --quiet: no progress line */
	bool alert_status;        /* --alert-status: 0 alerts, 1 none */
	bool summary;             /* --summary */
	enum summary_format summary_format;
	const char *auditd_conf;  /* --auditd-conf */
	const char *start, *end;  /* --start, --end as given */
};

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

/* ---- review mode ------------------------------------------------------ */

/* One review: the inputs in order, what they hold, and what was said. */
struct review {
	const struct cmdline *cl;
	struct runtime *rt;
	char **paths;             /* every file, oldest first */
	bool *found;              /* found by --input-logs (regular only) */
	size_t n;
	int status;
	struct progress prog;
	struct summary *sum;
	uint64_t done;            /* bytes of the finished inputs */
	unsigned read_files, after_end;
	int64_t last_seen;        /* time of the last record of the files
				     read so far (-1: none yet) */
};

static void review_problem(void *ctx, const char *msg)
{
	struct review *r = ctx;

	diag(LOG_ERR, "%s", msg);
	r->status = EXIT_USAGE;
}

static bool add_path(struct review *r, const char *p, bool found)
{
	char **np = realloc(r->paths, (r->n + 1) * sizeof(*np));
	bool *nf;

	if (!np)
		return false;
	r->paths = np;
	nf = realloc(r->found, (r->n + 1) * sizeof(*nf));
	if (!nf)
		return false;
	r->found = nf;
	r->paths[r->n] = strdup(p);
	if (!r->paths[r->n])
		return false;
	r->found[r->n++] = found;
	return true;
}

/* The files to read, in order: --input as given, --input-logs where it
 * stands. */
static int list_inputs(struct review *r)
{
	const struct cmdline *cl = r->cl;
	char log_file[PATH_MAX], err[PATH_MAX + 128];
	char **logs;
	ssize_t k;
	int i;

	for (i = 0; i < cl->ninputs; i++) {
		if (cl->inputs[i] != INPUT_LOGS_MARK) {
			if (!add_path(r, cl->inputs[i], false))
				return -1;
			continue;
		}
		if (input_auditd_log_file(cl->auditd_conf, log_file,
					  sizeof(log_file), err,
					  sizeof(err)) != 0) {
			review_problem(r, err);
			continue;
		}
		k = input_find_logs(log_file, &logs, review_problem, r);
		if (k < 0)
			continue;
		if (k == 0) {
			diag(LOG_ERR, "%s: no such log, nor rotations of it (log_file in %s)",
			     log_file, cl->auditd_conf);
			r->status = EXIT_USAGE;
		}
		for (ssize_t j = 0; j < k; j++)
			if (!add_path(r, logs[j], true)) {
				input_free_list(logs, (size_t)k);
				return -1;
			}
		input_free_list(logs, (size_t)k);
	}
	return 0;
}

/* The second of the last "msg=audit(" in s[0..n), or -1. */
static int64_t last_time(const char *s, size_t n)
{
	const char *p = s + n;

	while (p > s) {
		const char *paren = memrchr(s, '(', (size_t)(p - s));
		const char *q;
		int64_t t = 0;
		int d = 0;

		if (!paren)
			break;
		if (paren - s >= 9 && memcmp(paren - 9, "msg=audit", 9) == 0) {
			for (q = paren + 1; q < s + n && *q >= '0' && *q <= '9' &&
			     d < 12; q++, d++)
				t = t * 10 + (*q - '0');
			if (d >= 9)
				return t;
		}
		p = paren;
	}
	return -1;
}

/* The second of the first "msg=audit(" in s[0..n), or -1. */
static int64_t first_time(const char *s, size_t n)
{
	const char *q = memmem(s, n, "msg=audit(", 10);
	int64_t t = 0;
	int d = 0;

	if (!q)
		return -1;
	for (q += 10; q < s + n && *q >= '0' && *q <= '9' && d < 12; q++, d++)
		t = t * 10 + (*q - '0');
	return d >= 9 ? t : -1;
}

static void review_alert(const struct alert *a, void *ctx)
{
	struct review *r = ctx;

	progress_clear(&r->prog);
	if (r->sum)
		summary_add(r->sum, a);
}

/* Feed one file. */
static void review_file(struct review *r, size_t i)
{
	const struct runtime_options *o = &r->rt->opt;
	struct progress_state ps = { .file = r->paths[i],
				     .file_no = (unsigned)i + 1 };
	char err[PATH_MAX + 512];
	struct input in;
	const char *data;
	ssize_t n;
	bool first = true, fed = false, ended_line = true;

	if (input_open(&in, r->paths[i], r->found[i] ? INPUT_REGULAR_ONLY : 0,
		       err, sizeof(err)) != 0) {
		progress_clear(&r->prog);
		review_problem(r, err);
		return;
	}
	r->read_files++;
	while ((n = input_read(&in, &data, err, sizeof(err))) > 0) {
		if (o->range) {
			/* Files and records past --end cannot be parents of
			 * anything in the range, nor alert: not read. */
			int64_t t = first ? first_time(data, (size_t)n) :
					    last_time(data, (size_t)n);

			if (first && t > o->range_end) {
				r->after_end++;
				diag(LOG_INFO, "%s: starts after --end; not read",
				     r->paths[i]);
				break;
			}
			/* range_end may be INT64_MAX: the slack goes on t */
			if (!first && t - PAST_END_SLACK > o->range_end) {
				runtime_feed(r->rt, data, (size_t)n);
				fed = true;
				ended_line = data[n - 1] == '\n';
				diag(LOG_INFO, "%s: the rest is after --end; not read",
				     r->paths[i]);
				break;
			}
		}
		if (first && r->last_seen >= 0) {
			int64_t t = first_time(data, (size_t)n);

			/* Parents are looked up among the execs read
			 * before: a log given after a newer one loses
			 * them. Said, then read all the same. */
			if (t >= 0 && t + OUT_OF_ORDER_SLACK < r->last_seen) {
				progress_clear(&r->prog);
				diag(LOG_WARNING, "%s: its records start before those of the logs read so far: give logs oldest first, or parents may be missed",
				     r->paths[i]);
			}
		}
		first = false;
		{
			int64_t t = last_time(data, (size_t)n);

			if (t > r->last_seen)
				r->last_seen = t;
		}
		fed = true;
		ended_line = data[n - 1] == '\n';
		if (runtime_feed(r->rt, data, (size_t)n) < 0) {
			progress_clear(&r->prog);
			diag(LOG_ERR, "%s: out of memory while parsing",
			     r->paths[i]);
			r->status = EXIT_USAGE;
		}
		ps.done = r->done + in.in_bytes;
		ps.alerts = r->rt->sink.alerts;
		progress_update(&r->prog, &ps);
	}
	if (n < 0) {
		progress_clear(&r->prog);
		review_problem(r, err);
	}
	/* A line never spans two logs: one that stops mid-line (truncated,
	 * damaged, a bomb's zeros) must not take the next log's first record
	 * into its last line. */
	if (fed && !ended_line)
		runtime_feed(r->rt, "\n", 1);
	if (in.syslog)
		diag(LOG_INFO, "%s: syslog lines: %llu audit records, %llu other lines skipped, %llu over %u bytes skipped",
		     r->paths[i], (unsigned long long)in.syslog_records,
		     (unsigned long long)in.syslog_other,
		     (unsigned long long)in.syslog_long, INPUT_LINE_MAX);
	r->done += in.size ? in.size : in.in_bytes;
	input_close(&in);
}

static void time_text(char *buf, size_t cap, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) ||
	    strftime(buf, cap, "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		snprintf(buf, cap, "@%lld", (long long)t);
}

static int review(const struct cmdline *cl)
{
	static struct runtime rt;
	struct review r = { .cl = cl, .rt = &rt, .last_seen = -1 };
	struct summary_input si;
	uint64_t total = 0;
	size_t i;

	runtime_init(&rt, &cl->opt);
	if (runtime_configure(&rt) != 0) {
		runtime_free(&rt);
		return EXIT_USAGE;
	}
	if (list_inputs(&r) != 0) {
		diag(LOG_ERR, "out of memory");
		r.status = EXIT_USAGE;
		goto out;
	}
	if (cl->summary && !(r.sum = summary_new())) {
		diag(LOG_ERR, "out of memory");
		r.status = EXIT_USAGE;
		goto out;
	}
	rt.on_alert = review_alert;
	rt.on_alert_ctx = &r;
	for (i = 0; i < r.n; i++) {
		struct stat st;

		if (strcmp(r.paths[i], "-") != 0 &&
		    stat(r.paths[i], &st) == 0 && S_ISREG(st.st_mode))
			total += (uint64_t)st.st_size;
	}
	progress_init(&r.prog, STDERR_FILENO, cl->quiet, total,
		      (unsigned)r.n);
	/* One stream over all inputs, oldest first, so that a parent's exec
	 * in audit.log.1 is known to its child's exec in audit.log. */
	for (i = 0; i < r.n; i++)
		review_file(&r, i);
	runtime_flush(&rt);
	progress_clear(&r.prog);
	if (cl->opt.range && rt.execs_ruled == 0 && r.read_files) {
		char a[64], b[64];

		time_text(a, sizeof(a), cl->opt.range_start);
		time_text(b, sizeof(b), cl->opt.range_end);
		diag(LOG_NOTICE, "no exec events between %s and %s in the logs read%s",
		     a, b, r.after_end ? " (some logs start after --end)" : "");
	}
	/* Asked for: shown whatever --verbose says. */
	if (cl->print_stats)
		runtime_stats(&rt, LOG_NOTICE, "stats");
	if (r.sum) {
		si.events = rt.execs_ruled;
		si.files = r.read_files;
		si.first = rt.execs_ruled ? rt.first_ruled : 0;
		si.last = rt.last_ruled;
		if (fflush(stdout) != 0 ||
		    summary_write(r.sum, stdout, cl->summary_format, &si) != 0)
			rt.sink.write_failed = true;
	}
	if (fflush(stdout) != 0 || rt.sink.write_failed) {
		diag(LOG_ERR, "writing alerts: %s", strerror(errno));
		r.status = EXIT_USAGE;
	}
	if (r.status == 0 && cl->alert_status && rt.sink.alerts == 0)
		r.status = EXIT_NO_ALERTS;
out:
	summary_free(r.sum);
	input_free_list(r.paths, r.n);
	free(r.found);
	runtime_free(&rt);
	return r.status;
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

/* Drain what stdin holds now (a bounded number of reads), so auditd's
 * dispatcher never waits on us. Returns the bytes read; *eof at end of
 * input or on a read error. */
static size_t read_turn(struct runtime *rt, bool *eof)
{
	static char buf[READ_CHUNK];
	size_t turn = 0;
	ssize_t n;
	int i;

	for (i = 0; i < READS_PER_TURN; i++) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n > 0) {
			turn += (size_t)n;
			/* out of memory: counted, and reported at most
			 * once a minute */
			runtime_feed(rt, buf, (size_t)n);
			continue;
		}
		if (n == 0) {
			*eof = true;
		} else if (errno != EAGAIN && errno != EINTR &&
			   errno != EWOULDBLOCK) {
			diag(LOG_ERR, "reading stdin: %s", strerror(errno));
			*eof = true;
		}
		break;
	}
	return turn;
}

static void plugin_loop(struct runtime *rt)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	time_t last_tick = runtime_now();
	bool eof = false;
	int flags, rc;
	size_t turn;

	flags = fcntl(STDIN_FILENO, F_GETFL);
	if (flags >= 0)
		fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK);

	while (!stop_signal && !eof) {
		if (hup) {
			hup = 0;
			runtime_configure(rt);
		}
		if (usr1) {
			usr1 = 0;
			runtime_stats(rt, LOG_INFO, "stats");
		}

		/* Messages the syslog socket could not take wait in logsock's
		 * queue: retry often while there are any. */
		rc = poll(&pfd, 1, logsock_flush(&rt->log) ? TICK_MS : 50);
		if (rc > 0) {
			turn = read_turn(rt, &eof);
			if (turn && turn < BATCH_NAP_BELOW && !eof) {
				struct timespec nap = {
					0, BATCH_NAP_MS * 1000000L
				};

				nanosleep(&nap, NULL);
			}
		} else if (rc < 0 && errno != EINTR) {
			diag(LOG_ERR, "poll: %s", strerror(errno));
			eof = true;
		}

		if (runtime_now() != last_tick) {
			last_tick = runtime_now();
			runtime_tick(rt, last_tick);
		}
	}

	runtime_flush(rt);
	/* what this run learnt, for the next one (state_file) */
	runtime_save_state(rt, LOG_INFO);
	runtime_stats(rt, LOG_INFO,
		      stop_signal == SIGTERM ? "stopping on SIGTERM" :
		      stop_signal == SIGINT ? "stopping on SIGINT" :
		      "stopping on end of input");
}

static int plugin(const struct cmdline *cl)
{
	static struct runtime rt;
	int status = 0;

	setup_signals();
	runtime_init(&rt, &cl->opt);
	/* Fails only when nothing can run (out of memory): a bad
	 * configuration runs on defaults. */
	if (runtime_configure(&rt) != 0)
		status = EXIT_USAGE;
	else
		plugin_loop(&rt);
	runtime_free(&rt);
	return status;
}

/* ---- checks ----------------------------------------------------------- */

/* The file's settings as a config file would spell them, each with what
 * it is for; a file that does not load is an error (exit 2). */
static int check_config(const struct cmdline *cl)
{
	struct ks_conf c;
	char err[512], v[CONF_PATH_MAX], line[CONF_PATH_MAX + 64];

	if (conf_load(cl->opt.conf_path, &c, err, sizeof(err)) != 0) {
		diag(LOG_ERR, "%s", err);
		return EXIT_USAGE;
	}
	printf("%s: OK\n", cl->opt.conf_path);
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];

		snprintf(line, sizeof(line), "%s = %s", k->name,
			 conf_value(k, &c, v, sizeof(v)));
		printf("%-40s # %s%s\n", line, k->doc,
		       k->reloadable ? "" : " (takes effect at the next start)");
	}
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct ruleset_reason *x = a, *y = b;

	if (x->loaded != y->loaded)
		return x->loaded ? 1 : -1;
	return x->count < y->count ? 1 : x->count > y->count ? -1 :
	       strcmp(x->text, y->text);
}

/* The summary by reason: why rules did not load, why loaded ones cannot
 * fire; most frequent first. */
static void print_reasons(struct ruleset *rs)
{
	char sum[256], q[300];

	if (!rs->nreasons && !rs->skipped_os && !rs->not_loaded)
		return;
	ruleset_summary(rs, sum, sizeof(sum));
	printf("summary: %s\n", sum);
	qsort(rs->reasons, rs->nreasons, sizeof(*rs->reasons), by_count);
	for (size_t i = 0; i < rs->nreasons; i++)
		printf("%6u %s: %s\n", rs->reasons[i].count,
		       rs->reasons[i].loaded ? "loaded" : "not loaded",
		       diag_quote(q, sizeof(q), rs->reasons[i].text,
				  strlen(rs->reasons[i].text)));
}

/* Every rule file and exception of the configuration, loaded or not and
 * why: exit 0, or 2 on any problem or when no rule is enabled. */
static int check_rules(const struct cmdline *cl)
{
	struct ks_conf c;
	struct ruleset rs;
	struct ruleset_options o = { .check_all = true };
	char err[512];
	int status;

	conf_defaults(&c);
	if ((cl->opt.conf_given || access(cl->opt.conf_path, F_OK) == 0) &&
	    conf_load(cl->opt.conf_path, &c, err, sizeof(err)) != 0) {
		diag(LOG_ERR, "%s", err);
		return EXIT_USAGE;
	}
	runtime_rule_overrides(&cl->opt, &c);
	o.rules_dir = c.rules_dir;
	o.local_rules_dir = c.local_rules_dir;
	o.enable = c.rules;
	ruleset_load(&rs, &o, runtime_report_rule, stdout);
	print_reasons(&rs);
	printf("%zu rule%s enabled, %u problem%s\n", rs.n,
	       rs.n == 1 ? "" : "s", rs.problems,
	       rs.problems == 1 ? "" : "s");
	status = rs.problems || rs.n == 0 ? EXIT_USAGE : 0;
	ruleset_free(&rs);
	return status;
}

/* ---- command line ----------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("Usage: " DIAG_PROG " [--config FILE]                      (auditd plugin mode)\n"
	      "       " DIAG_PROG " --input-logs [--start WHEN] [--end WHEN] [--summary] (log review)\n"
	      "       " DIAG_PROG " --input FILE... [--format text|json] (log review)\n"
	      "       " DIAG_PROG " --check-config [--config FILE]\n"
	      "\n"
	      "Detects Elastic's \"Kernel Seeking Activity\" (rule version 2) on\n"
	      "audited exec events, with the parent's argv from a process table.\n"
	      "\n"
	      "Log review:\n"
	      "      --input-logs   review auditd's log_file (from " AUDITD_CONF ")\n"
	      "                     and its rotations, oldest first, as ausearch does\n"
	      "  -i, --input FILE   review an audit log: raw (audit.log, ausearch --raw),\n"
	      "                     gzip or xz (by content), or a syslog file holding\n"
	      "                     audit records; repeatable, oldest first; - is stdin\n"
	      "      --start WHEN   alerts only for execs at or after WHEN; earlier\n"
	      "      --end WHEN     ... at or before WHEN; events before --start still\n"
	      "                     feed the process table (parents). WHEN: now,\n"
	      "                     recent, boot, this-hour, today, yesterday,\n"
	      "                     this-week, week-ago, this-month, this-year,\n"
	      "                     '2026-11-29 18:00', 2026-11-29T18:00:00Z,\n"
	      "                     '11/29/2026 18:00:00', 18:00, @SECONDS\n"
	      "      --summary[=json]  end with what was found: per rule the count,\n"
	      "                     first and last, hosts, users, parents, commands,\n"
	      "                     alerts per day; json: one {\"summary\":...} line\n"
	      "      --alert-status exit 0 when there were alerts, 1 when none\n"
	      "                     (as grep), 2 on errors\n"
	      "  -q, --quiet        no progress line on the terminal\n"
	      "  -f, --format FMT   text (default) or json (one ECS object a line);\n"
	      "                     overrides the format key, also across reloads\n"
	      "      --stats        review mode: print counters to stderr at the end\n"
	      "      --host-name N  host.name for events without node= (review of\n"
	      "                     another machine's logs; default: this host)\n"
	      "      --rule FILE    review with this one rule file instead of the\n"
	      "                     configured rules\n"
	      "      --rules-dir DIR  rules_dir for review and --check-rules: may be\n"
	      "                     a detection-rules checkout; runs every rule that\n"
	      "                     loads unless --rules names some\n"
	      "      --rules LIST   rules for review and --check-rules (stems, rule\n"
	      "                     ids, or all)\n"
	      "      --auditd-conf FILE  where --input-logs finds log_file\n"
	      "                     (default " AUDITD_CONF ")\n"
	      "      --resolve-names  review mode: name the users and groups of\n"
	      "                     events that have no names (a RAW log) from this\n"
	      "                     machine's user database; only for a log of this\n"
	      "                     machine (events without node= or with its name)\n"
	      "  -v, --verbose      review mode: also say what went right (the\n"
	      "                     settings, the built-in rule standing in)\n"
	      "\n"
	      "Configuration and plugin mode:\n"
	      "  -c, --config FILE  configuration (default " DEFAULT_CONF ")\n"
	      "      --check-config validate the configuration, print its settings\n"
	      "                     and exit\n"
	      "      --check-rules  load every rule file and exception, say which\n"
	      "                     loaded and why others did not; exit 0 or 2\n"
	      "      --stderr       plugin mode: copy every syslog message to stderr\n"
	      "                     (running by hand, tests)\n"
	      "  -h, --help         this help\n"
	      "  -V, --version      version\n"
	      "\n"
	      "Without --input or --input-logs, reads audit records from stdin as\n"
	      "auditd's plugin dispatcher sends them and writes alerts to syslog.\n"
	      "Signals: TERM/INT stop, HUP reloads the configuration, USR1 logs\n"
	      "statistics.\n"
	      "\n"
	      "Exit status: 0 when all input was read (with --alert-status: and an\n"
	      "alert was found), 1 with --alert-status when no alert was found, 2 on\n"
	      "usage, configuration or read errors (a missing or unreadable\n"
	      "rotation, a damaged archive; the other inputs are still reviewed).\n",
	      f);
}

/* --start/--end: seconds, or a usage error (said). */
static int parse_when(const char *opt, const char *arg, bool is_end,
		      int64_t *out)
{
	struct timerange_clock clk = { .now = time(NULL),
				       .boot = timerange_boot_time() };
	char err[512];

	if (timerange_parse(arg, is_end, &clk, out, err, sizeof(err)) != 0) {
		diag(LOG_ERR, "%s: %s", opt, err);
		return -1;
	}
	return 0;
}

/* Fill *cl from argv. Returns 0 to run, 1 when done (--help, --version),
 * -1 on a usage error (said). */
static int parse_options(int argc, char **argv, struct cmdline *cl)
{
	enum { OPT_CHECK_CONFIG = 256, OPT_HOST_NAME, OPT_STDERR,
	       OPT_CHECK_RULES, OPT_RULE, OPT_STATS, OPT_RULES_DIR,
	       OPT_RULES, OPT_RESOLVE_NAMES, OPT_INPUT_LOGS, OPT_START,
	       OPT_END, OPT_SUMMARY, OPT_ALERT_STATUS, OPT_AUDITD_CONF };
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
		{ "host-name", required_argument, NULL, OPT_HOST_NAME },
		{ "stderr", no_argument, NULL, OPT_STDERR },
		{ "check-rules", no_argument, NULL, OPT_CHECK_RULES },
		{ "rule", required_argument, NULL, OPT_RULE },
		{ "rules-dir", required_argument, NULL, OPT_RULES_DIR },
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "resolve-names", no_argument, NULL, OPT_RESOLVE_NAMES },
		{ "input-logs", no_argument, NULL, OPT_INPUT_LOGS },
		{ "start", required_argument, NULL, OPT_START },
		{ "end", required_argument, NULL, OPT_END },
		{ "summary", optional_argument, NULL, OPT_SUMMARY },
		{ "alert-status", no_argument, NULL, OPT_ALERT_STATUS },
		{ "auditd-conf", required_argument, NULL, OPT_AUDITD_CONF },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool check_config = false, check_rules = false, logs = false;
	int c;

	cl->opt.conf_path = DEFAULT_CONF;
	cl->auditd_conf = AUDITD_CONF;
	while ((c = getopt_long(argc, argv, "i:f:c:qvhV", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			cl->inputs[cl->ninputs++] = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "text") != 0 &&
			    strcmp(optarg, "json") != 0) {
				diag(LOG_ERR, "unknown format '%s' (text or json)",
				     optarg);
				return -1;
			}
			cl->opt.format_given = true;
			cl->opt.format = strcmp(optarg, "json") == 0 ?
				ALERT_FORMAT_JSON : ALERT_FORMAT_TEXT;
			break;
		case 'c':
			cl->opt.conf_path = optarg;
			cl->opt.conf_given = true;
			break;
		case OPT_CHECK_CONFIG:
			check_config = true;
			break;
		case OPT_HOST_NAME:
			cl->opt.host_name = optarg;
			break;
		case OPT_STDERR:
			cl->opt.log_stderr = true;
			break;
		case OPT_CHECK_RULES:
			check_rules = true;
			break;
		case OPT_RULE:
			cl->opt.rule_file = optarg;
			break;
		case OPT_RULES_DIR:
			if (optarg[0] != '/' || strlen(optarg) >= CONF_PATH_MAX) {
				diag(LOG_ERR, "--rules-dir needs an absolute path under %u bytes",
				     CONF_PATH_MAX);
				return -1;
			}
			cl->opt.rules_dir = optarg;
			break;
		case OPT_RULES:
			if (strlen(optarg) >= CONF_RULES_MAX) {
				diag(LOG_ERR, "--rules: over %u bytes",
				     CONF_RULES_MAX);
				return -1;
			}
			cl->opt.rules = optarg;
			break;
		case OPT_STATS:
			cl->print_stats = true;
			break;
		case OPT_RESOLVE_NAMES:
			cl->opt.resolve_names = true;
			break;
		case OPT_INPUT_LOGS:
			if (!logs)
				cl->inputs[cl->ninputs++] = INPUT_LOGS_MARK;
			logs = true;
			break;
		case OPT_START:
			cl->start = optarg;
			break;
		case OPT_END:
			cl->end = optarg;
			break;
		case OPT_SUMMARY:
			cl->summary = true;
			if (!optarg || strcmp(optarg, "text") == 0) {
				cl->summary_format = SUMMARY_TEXT;
			} else if (strcmp(optarg, "json") == 0) {
				cl->summary_format = SUMMARY_JSON;
			} else {
				diag(LOG_ERR, "--summary=%s: text or json",
				     optarg);
				return -1;
			}
			break;
		case OPT_ALERT_STATUS:
			cl->alert_status = true;
			break;
		case OPT_AUDITD_CONF:
			cl->auditd_conf = optarg;
			break;
		case 'q':
			cl->quiet = true;
			break;
		case 'v':
			diag_set_verbose(true);
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			puts(PACKAGE_STRING);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		diag(LOG_ERR, "unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return -1;
	}
	cl->mode = check_rules ? MODE_CHECK_RULES :
		   check_config ? MODE_CHECK_CONFIG :
		   cl->ninputs ? MODE_REVIEW : MODE_PLUGIN;
	cl->opt.plugin_mode = cl->mode == MODE_PLUGIN;
	if (cl->opt.rule_file && cl->mode == MODE_PLUGIN) {
		diag(LOG_ERR, "--rule runs one rule over --input logs (review mode)");
		return -1;
	}
	if ((cl->opt.rules_dir || cl->opt.rules) &&
	    (cl->mode == MODE_PLUGIN || cl->mode == MODE_CHECK_CONFIG)) {
		diag(LOG_ERR, "--rules-dir and --rules are for review mode and --check-rules (the plugin reads rules_dir and rules from its configuration)");
		return -1;
	}
	if ((cl->start || cl->end || cl->summary || cl->alert_status) &&
	    cl->mode != MODE_REVIEW) {
		diag(LOG_ERR, "--start, --end, --summary and --alert-status are for log review (--input-logs or --input)");
		return -1;
	}
	if (cl->start || cl->end) {
		cl->opt.range = true;
		cl->opt.range_start = INT64_MIN;
		cl->opt.range_end = INT64_MAX;
		if ((cl->start && parse_when("--start", cl->start, false,
					     &cl->opt.range_start) != 0) ||
		    (cl->end && parse_when("--end", cl->end, true,
					   &cl->opt.range_end) != 0))
			return -1;
		if (cl->opt.range_start > cl->opt.range_end) {
			diag(LOG_ERR, "--start '%s' is after --end '%s'",
			     cl->start, cl->end);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cmdline cl = { .mode = MODE_PLUGIN };
	int status;

	cl.inputs = calloc((size_t)argc + 1, sizeof(*cl.inputs));
	if (!cl.inputs) {
		diag(LOG_ERR, "out of memory");
		return EXIT_USAGE;
	}
	switch (parse_options(argc, argv, &cl)) {
	case 1:
		status = 0;
		break;
	case -1:
		status = EXIT_USAGE;
		break;
	default:
		switch (cl.mode) {
		case MODE_CHECK_RULES:
			status = check_rules(&cl);
			break;
		case MODE_CHECK_CONFIG:
			status = check_config(&cl);
			break;
		case MODE_REVIEW:
			status = review(&cl);
			break;
		default:
			status = plugin(&cl);
			break;
		}
	}
	free(cl.inputs);
	return status;
}
