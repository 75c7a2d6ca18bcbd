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
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "diag.h"
#include "runtime.h"

#define DEFAULT_CONF SYSCONFDIR "/audit/audisp-kernel-seeking.conf"
#define EXIT_USAGE 2
#define READ_CHUNK (64 * 1024)
/* Reads per wakeup before timers get a turn, so that a flood on stdin
 * cannot starve the 3-second alert latency or the throttle summary. */
#define READS_PER_TURN 64
#define TICK_MS 500
/* At a light input rate, waking for every record costs more than the
 * records: after a turn that read little, let records gather for 10 ms
 * (auditd's socket buffer holds far more than arrives meanwhile). A turn
 * that read a lot never naps, so a burst is drained at full speed. */
#define BATCH_NAP_MS 10
#define BATCH_NAP_BELOW (32 * 1024)

enum mode { MODE_PLUGIN, MODE_REVIEW, MODE_CHECK_CONFIG, MODE_CHECK_RULES };

struct cmdline {
	enum mode mode;
	struct runtime_options opt;
	const char **inputs;      /* --input, in order */
	int ninputs;
	bool print_stats;         /* --stats (review mode) */
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

/* Feed one input (a file, or stdin for "-") into the event stream. */
static int review_input(struct runtime *rt, const char *path)
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
			diag(LOG_ERR, "%s: %s", path, strerror(errno));
			return -1;
		}
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			if (runtime_feed(rt, buf, (size_t)n) < 0) {
				diag(LOG_ERR, "%s: out of memory while parsing",
				     path);
				rc = -1;
			}
			continue;
		}
		if (n == 0)
			break;
		if (errno == EINTR)
			continue;
		diag(LOG_ERR, "%s: %s", path, strerror(errno));
		rc = -1;
		break;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

static int review(const struct cmdline *cl)
{
	static struct runtime rt;
	int i, status = 0;

	runtime_init(&rt, &cl->opt);
	if (runtime_configure(&rt) != 0) {
		runtime_free(&rt);
		return EXIT_USAGE;
	}
	/* One stream over all inputs, oldest first, so that a parent's exec
	 * in audit.log.1 is known to its child's exec in audit.log. */
	for (i = 0; i < cl->ninputs; i++)
		if (review_input(&rt, cl->inputs[i]) < 0)
			status = EXIT_USAGE;
	runtime_flush(&rt);
	/* Asked for: shown whatever --verbose says. */
	if (cl->print_stats)
		runtime_stats(&rt, LOG_NOTICE, "stats");
	if (fflush(stdout) != 0 || rt.sink.write_failed) {
		diag(LOG_ERR, "writing alerts: %s", strerror(errno));
		status = EXIT_USAGE;
	}
	runtime_free(&rt);
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
	      "       " DIAG_PROG " --input FILE... [--format text|json] (log review)\n"
	      "       " DIAG_PROG " --check-config [--config FILE]\n"
	      "\n"
	      "Detects Elastic's \"Kernel Seeking Activity\" (rule version 2) on\n"
	      "audited exec events, with the parent's argv from a process table.\n"
	      "\n"
	      "  -i, --input FILE   review a raw audit log (audit.log, ausearch --raw\n"
	      "                     output); repeatable, oldest first; - is stdin\n"
	      "  -f, --format FMT   text (default) or json (one ECS object a line);\n"
	      "                     overrides the format key, also across reloads\n"
	      "      --stats        review mode: print counters to stderr at the end\n"
	      "      --host-name N  host.name for events without node= (review of\n"
	      "                     another machine's logs; default: this host)\n"
	      "      --resolve-names  review mode: name the users and groups of\n"
	      "                     events that have no names (a RAW log) from this\n"
	      "                     machine's user database; only for a log of this\n"
	      "                     machine (events without node= or with its name)\n"
	      "  -c, --config FILE  configuration (default " DEFAULT_CONF ")\n"
	      "      --check-config validate the configuration, print its settings\n"
	      "                     and exit\n"
	      "      --rule FILE    review with this one rule file instead of the\n"
	      "                     configured rules\n"
	      "      --rules-dir DIR  rules_dir for review and --check-rules: may be\n"
	      "                     a detection-rules checkout; runs every rule that\n"
	      "                     loads unless --rules names some\n"
	      "      --rules LIST   rules for review and --check-rules (stems, rule\n"
	      "                     ids, or all)\n"
	      "      --check-rules  load every rule file and exception, say which\n"
	      "                     loaded and why others did not; exit 0 or 2\n"
	      "      --stderr       plugin mode: copy every syslog message to stderr\n"
	      "                     (running by hand, tests)\n"
	      "  -v, --verbose      review mode: also say what went right (the\n"
	      "                     settings, the built-in rule standing in)\n"
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

/* Fill *cl from argv. Returns 0 to run, 1 when done (--help, --version),
 * -1 on a usage error (said). */
static int parse_options(int argc, char **argv, struct cmdline *cl)
{
	enum { OPT_CHECK_CONFIG = 256, OPT_HOST_NAME, OPT_STDERR,
	       OPT_CHECK_RULES, OPT_RULE, OPT_STATS, OPT_RULES_DIR,
	       OPT_RULES, OPT_RESOLVE_NAMES };
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
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool check_config = false, check_rules = false;
	int c;

	cl->opt.conf_path = DEFAULT_CONF;
	while ((c = getopt_long(argc, argv, "i:f:c:vhV", opts, NULL)) != -1) {
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
