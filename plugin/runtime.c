/*
 * runtime.c - the settings in force and the pipeline they drive (see
 * runtime.h): the one path that applies a configuration, the callbacks
 * that carry an exec from the event assembly to the sink, and the counters.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#ifdef HAVE_LIBCAP_NG
#include <cap-ng.h>
#endif

#include "diag.h"
#include "procfs.h"
#include "runtime.h"
#include "statefile.h"

/* In plugin mode an event's records arrive together; waiting one second
 * for a missing EOE is plenty and keeps alerts within 3 s. */
#define PLUGIN_EOE_TIMEOUT 1
#define REVIEW_EOE_TIMEOUT 2
/* Problems in the input are always counted; syslog hears of them at most
 * once a minute, so hostile input cannot flood the log. */
#define PROBLEM_REPORT_INTERVAL 60

time_t runtime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* ---- the pipeline: from an exec to an alert ---------------------------- */

struct match_ctx {
	struct runtime *rt;
	const struct exec_event *ev;
	const struct proc_entry *parent;
	const struct session_view *session;
	const struct ecs_names *names;
	struct lineage *lin;
};

static void on_match(struct ruleset_rule *r, void *ctx)
{
	struct match_ctx *m = ctx;
	struct runtime *rt = m->rt;
	struct alert a = {
		.rule = &r->file->meta,
		.ev = m->ev,
		.parent = m->parent,
		.host = rt->hostname,
		.session = m->session,
		.names = m->names,
		.lineage = m->lin,
	};

	if (!throttle_allow(&r->thr, runtime_now())) {
		r->suppressed++;
		rt->suppressed++;
		return;
	}
	if (rt->on_alert)
		rt->on_alert(&a, rt->on_alert_ctx);
	sink_alert(&rt->sink, &a);
}

/* The process table's id for an event's node= name. Past NODE_IDS_MAX
 * names the further nodes share one id (node_ids.h): said once. */
static uint32_t node_id(struct runtime *rt, const char *node)
{
	uint32_t id = node_ids_get(rt->nodes, node);

	if (id == NODE_ID_OVERFLOW && !rt->told_node_overflow) {
		rt->told_node_overflow = true;
		diag(LOG_WARNING,
		     "more than %u distinct node= names: the processes of further nodes share one process table, where their pids may collide (counted as node_overflow in the stats)",
		     NODE_IDS_MAX);
	}
	return id;
}

bool runtime_is_local(const struct runtime *rt, const char *node)
{
	if (!node || !node[0])
		return true;
	for (unsigned i = 0; i < rt->nlocal; i++)
		if (strcmp(node, rt->local_names[i]) == 0)
			return true;
	return false;
}

/* The table's entry for (node, pid), read from /proc when the table does
 * not know it: plugin mode with proc_fallback, and only for this
 * machine's events (`name`: their node=), whose pids /proc describes. */
static bool lookup_proc(struct runtime *rt, uint32_t node, const char *name,
			pid_t pid, time_t when, struct proc_entry *out)
{
	if (proc_table_lookup(rt->procs, node, pid, out))
		return true;
	if (!rt->opt.plugin_mode || !rt->conf.proc_fallback ||
	    !runtime_is_local(rt, name) ||
	    !procfs_fill(rt->procs, "/proc", node, pid,
			 PROC_TABLE_DEFAULT_ENTRY_ARGV_BYTES, when))
		return false;
	rt->proc_reads++;
	return proc_table_lookup(rt->procs, node, pid, out);
}

/* ecs_names' lookup: names.h's cache, with the runtime's clock. */
static bool lookup_name(void *ctx, bool group, uint32_t id, char *out,
			size_t cap)
{
	struct runtime *rt = ctx;

	return names_get(rt->names, group ? NAMES_GROUP : NAMES_USER, id,
			 runtime_now(), out, cap);
}

/* Names of this machine only for this machine's events: those without
 * node= or with its own name. A collector's other nodes have other
 * users, and a log under review may come from anywhere (names only with
 * --resolve-names, which says it is this machine's). */
static const struct ecs_names *names_for(struct runtime *rt,
					 const char *node)
{
	if (!rt->names || !runtime_is_local(rt, node))
		return NULL;
	return &rt->names_hook;
}

static void on_exec(const struct exec_event *ev, void *ctx)
{
	struct runtime *rt = ctx;
	uint32_t node = node_id(rt, ev->node);
	struct lineage_settings ls = {
		.depth = rt->conf.ancestry_depth,
		.timeline = rt->conf.timeline_size,
		.argv_bytes = rt->conf.ancestry_argv_bytes,
	};
	struct proc_entry parent;
	bool have_parent = false;
	struct session_view session;
	struct ecs_source src;
	struct eql_event e;
	struct match_ctx m;

	/* The parent must be looked up before this exec is recorded: the
	 * table holds the image each pid of this node had until now. */
	if (ev->ppid > 0)
		have_parent = lookup_proc(rt, node, ev->node, ev->ppid,
					  ev->sec, &parent);
	/* an exec that leads its session describes it to itself too */
	session_exec(rt->sessions, node, ev, &session);
	/* Outside --start/--end an exec only feeds the tables (its session
	 * was told above), the timeline included: what came before the
	 * range came before its alerts. */
	if (rt->opt.range && ((int64_t)ev->sec < rt->opt.range_start ||
			      (int64_t)ev->sec > rt->opt.range_end)) {
		timeline_record(rt->tl, node, ev);
		proc_table_exec(rt->procs, node, ev);
		return;
	}
	if (!rt->execs_ruled || (int64_t)ev->sec < rt->first_ruled)
		rt->first_ruled = (int64_t)ev->sec;
	if ((int64_t)ev->sec > rt->last_ruled)
		rt->last_ruled = (int64_t)ev->sec;
	rt->execs_ruled++;
	src.ev = ev;
	src.parent = have_parent ? &parent : NULL;
	src.host = rt->hostname;
	src.session = &session;
	src.names = names_for(rt, ev->node);
	/* Nothing is built yet: only what a rule or an alert asks for. */
	lineage_begin(&rt->lin, rt->procs, rt->tl, node, &ls, ev,
		      have_parent ? &parent : NULL, rt->hostname);
	src.lineage = &rt->lin;
	ecs_describe(&src, rt->rules.uses, &rt->scratch, &e);
	m.rt = rt;
	m.ev = ev;
	m.parent = have_parent ? &parent : NULL;
	m.session = &session;
	m.names = src.names;
	m.lin = &rt->lin;
	ruleset_eval(&rt->rules, &e, on_match, &m);
	/* Only now: the lineage's views point into both. */
	timeline_record(rt->tl, node, ev);
	proc_table_exec(rt->procs, node, ev);
}

/* A login record. The image the process table has for its pid checks a
 * PAM claim (session.h) and names the leader of a session no service
 * claims. */
static void on_login(const struct login_event *le, void *ctx)
{
	struct runtime *rt = ctx;
	uint32_t node = node_id(rt, le->node);
	struct proc_entry pe;
	const char *exe = NULL;

	if (lookup_proc(rt, node, le->node, le->pid, le->sec, &pe) &&
	    pe.exe[0])
		exe = pe.exe;
	if (le->type == LOGIN_SET) {
		session_login(rt->sessions, node, le, exe);
		/* A new session: an earlier one with its id (another boot)
		 * leaves nothing in its timeline. */
		if (le->success)
			timeline_forget(rt->tl, node, le->ses);
	}
	else
		session_pam(rt->sessions, node, le, exe);
}

static void on_fork(const struct fork_event *fe, void *ctx)
{
	struct runtime *rt = ctx;

	proc_table_fork(rt->procs, node_id(rt, fe->node), fe);
}

/* ---- applying a configuration ------------------------------------------ */

/*
 * The settings to apply: the file (or the defaults) as the mode wants it,
 * and the command line on top. Returns 0; 1 when the file is unusable and
 * the defaults stand in (plugin mode at start; err says why); -1 when
 * there is nothing to apply (err says why).
 */
static int read_settings(struct runtime *rt, struct ks_conf *next, char *err,
			 size_t errlen)
{
	int rc = 0;

	conf_defaults(next);
	/* Review mode reads a file only when --config names one. */
	if ((rt->opt.plugin_mode || rt->opt.conf_given) &&
	    conf_load(rt->opt.conf_path, next, err, errlen) != 0) {
		/* No file at the default path means defaults, at reload as at
		 * start. A broken file at a plugin's start must not kill it:
		 * auditd would restart it only max_restarts times. */
		if (errno == ENOENT && !rt->opt.conf_given)
			;
		else if (rt->opt.plugin_mode && !rt->started)
			rc = 1;
		else
			return -1;
	}
	/* The command line wins over the file, at start and at every
	 * reload. */
	if (rt->opt.format_given)
		next->format = rt->opt.format;
	runtime_rule_overrides(&rt->opt, next);
	return rc;
}

void runtime_rule_overrides(const struct runtime_options *o,
			    struct ks_conf *c)
{
	if (o->rules_dir)
		snprintf(c->rules_dir, sizeof(c->rules_dir), "%s",
			 o->rules_dir);
	if (o->rules)
		snprintf(c->rules, sizeof(c->rules), "%s", o->rules);
	else if (o->rules_dir)
		snprintf(c->rules, sizeof(c->rules), "all");
}

/* facility, log_socket. Review mode has no syslog: diagnostics stay on
 * stderr. */
static void apply_logging(struct runtime *rt, const struct ks_conf *c)
{
	if (!rt->opt.plugin_mode)
		return;
	if (!rt->started) {
		logsock_init(&rt->log, c->log_socket, DIAG_PROG, c->facility,
			     rt->opt.log_stderr);
		rt->log_open = true;
		diag_to_syslog(&rt->log);
	} else {
		logsock_reconfigure(&rt->log, c->log_socket, c->facility);
	}
}

/* A running plugin keeps the value of every setting that is not
 * reloadable, and says so. */
static void keep_restart_only(struct runtime *rt, struct ks_conf *next)
{
	char want[CONF_PATH_MAX], have[CONF_PATH_MAX];

	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];

		if (k->reloadable || conf_same(k, &rt->conf, next))
			continue;
		diag(LOG_NOTICE,
		     "%s = %s takes effect at the next start; running with %s",
		     k->name, conf_value(k, next, want, sizeof(want)),
		     conf_value(k, &rt->conf, have, sizeof(have)));
		conf_copy(k, next, &rt->conf);
	}
}

void runtime_report_rule(void *ctx, bool ok, const char *what,
			 const char *msg)
{
	FILE *listing = ctx;
	char w[512];
	size_t n = strlen(what);

	/* A file's own errors start with its name: not twice. */
	if (strncmp(msg, what, n) == 0 && msg[n] == ':')
		w[0] = '\0';
	else
		diag_quote(w, sizeof(w), what, n);
	if (ok && listing)
		fprintf(listing, "%s%s%s\n", w, w[0] ? ": " : "", msg);
	else
		diag(ok ? LOG_INFO : LOG_ERR, "rules: %s%s%s", w,
		     w[0] ? ": " : "", msg);
}

/* Close the throttle windows that are due and say what they held back. */
static void rules_tick(struct runtime *rt, time_t now)
{
	for (size_t i = 0; i < rt->rules.n; i++) {
		struct ruleset_rule *r = &rt->rules.rule[i];
		uint64_t n = throttle_expire(&r->thr, now);

		if (n)
			sink_suppressed(&rt->sink, &r->file->meta, n,
					r->thr.max, r->thr.window);
	}
}

/* A rule that runs on after a reload keeps its counters. */
static void carry_counters(struct ruleset *to, const struct ruleset *from)
{
	for (size_t i = 0; i < to->n; i++)
		for (size_t j = 0; j < from->n; j++)
			if (strcmp(to->rule[i].file->meta.id,
				   from->rule[j].file->meta.id) == 0) {
				to->rule[i].matches = from->rule[j].matches;
				to->rule[i].suppressed =
					from->rule[j].suppressed;
				break;
			}
}

/* rules, rules_dir, local_rules_dir, throttle_max_alerts, throttle_window;
 * and --rule. A broken rule file is reported and skipped, the others run;
 * a reload that would enable no rule keeps those that run. */
static int apply_rules(struct runtime *rt, const struct ks_conf *c)
{
	struct ruleset_options o = {
		.only_file = rt->opt.rule_file,
		.rules_dir = c->rules_dir,
		.local_rules_dir = c->local_rules_dir,
		.enable = c->rules,
	};
	struct ruleset rules;
	size_t n;

	/* Review mode reports everything it finds; only a live plugin is
	 * bound to what Elastic would let through per run. */
	if (rt->opt.plugin_mode) {
		o.throttle_max = c->throttle_max_alerts;
		o.throttle_window = c->throttle_window;
	}
	n = ruleset_load(&rules, &o, runtime_report_rule, NULL);
	if (n == 0 && rt->opt.rule_file) {
		diag(LOG_ERR, "%s: no rule to run", rt->opt.rule_file);
		ruleset_free(&rules);
		return -1;
	}
	if (n == 0 && rt->rules.n > 0) {
		diag(LOG_ERR,
		     "reload: no rule would be enabled; keeping the %zu running",
		     rt->rules.n);
		ruleset_free(&rules);
		return 0;
	}
	{
		char sum[256];

		/* One line for the whole set: a checkout holds hundreds
		 * of files, which --check-rules lists one by one. */
		ruleset_summary(&rules, sum, sizeof(sum));
		diag(LOG_INFO, "rules: %s", sum);
	}
	/* Their windows end with them: what they held back is said now, so
	 * no count is lost. */
	rules_tick(rt, INT32_MAX);
	carry_counters(&rules, &rt->rules);
	ruleset_free(&rt->rules);
	rt->rules = rules;
	/* Nothing to run is worth saying, not worth dying for: in plugin
	 * mode auditd would restart us in a loop. */
	if (n == 0)
		diag(LOG_ERR, rt->opt.plugin_mode ?
		     "no rule enabled; alerts are off until a reload fixes it" :
		     "no rule enabled");
	return 0;
}

/* priority, format, json_cee_cookie, max_message_size. */
static void apply_sink(struct runtime *rt, const struct ks_conf *c)
{
	struct sink_settings s = {
		.format = c->format,
		.cee_cookie = c->json_cee_cookie,
		.priority = c->priority,
		/* Review mode prints every alert whole: the auditor asked
		 * for all of them, and no syslog daemon limits the line. */
		.max_len = rt->opt.plugin_mode ? c->max_message_size : 0,
	};

	if (!rt->started)
		sink_init(&rt->sink, rt->opt.plugin_mode ? SINK_SYSLOG :
			  SINK_STDOUT, stdout, &rt->log, &s);
	else
		sink_reconfigure(&rt->sink, &s);
}

/*
 * auditd starts plugins as root with all of its capabilities. Keep only
 * CAP_SYS_PTRACE, which reading /proc/<pid>/exe of other users' processes
 * needs for the parent fallback, and nothing when that is off: for good,
 * which is why proc_fallback takes effect at the next start only. uid
 * stays 0: the config and rules are root-owned 0640 files.
 */
static void drop_capabilities(bool proc_fallback)
{
#ifdef HAVE_LIBCAP_NG
	capng_clear(CAPNG_SELECT_BOTH);
	if (proc_fallback)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			     CAP_SYS_PTRACE);
	if (capng_apply(CAPNG_SELECT_BOTH) != 0)
		diag(LOG_WARNING,
		     "cannot drop capabilities; continuing with those inherited");
#else
	(void)proc_fallback;
#endif
}

/* The state file's node= names: the table's ids are this run's. */
static const char *state_name_of(uint32_t node, void *ctx)
{
	return node_ids_name(((struct runtime *)ctx)->nodes, node);
}

static uint32_t state_node_of(const char *name, bool same_boot, void *ctx)
{
	struct runtime *rt = ctx;

	if (!same_boot && runtime_is_local(rt, name))
		return UINT32_MAX;
	return node_id(rt, name);
}

/* Plugin mode, at start: the table as the last run left it. Whatever is
 * wrong with the file is said, and the plugin starts without it. */
static void load_state(struct runtime *rt, const struct ks_conf *c)
{
	struct statefile_result res;
	char err[CONF_PATH_MAX + 256];
	int rc;

	if (!c->state_file[0])
		return;
	rc = statefile_load(c->state_file, rt->procs, state_node_of, rt,
			    rt->boot_id,
			    statefile_max_bytes(c->process_table_size,
				proc_table_argv_budget(c->process_table_size)),
			    &res, err, sizeof(err));
	if (rc < 0)
		diag(LOG_WARNING, "state file ignored, starting without it: %s",
		     err);
	else if (rc == 0)
		diag(LOG_INFO,
		     "state: %u processes restored from %s (saved %lld s ago%s), %u left out",
		     res.restored, c->state_file,
		     (long long)(time(NULL) - res.saved_at),
		     res.same_boot ? "" :
		     "; another boot: this machine's own not restored",
		     res.skipped);
}

void runtime_save_state(struct runtime *rt, int priority)
{
	struct statefile_result res;
	struct timespec t0, t1;
	char err[CONF_PATH_MAX + 256];

	if (!rt->opt.plugin_mode || !rt->procs || !rt->conf.state_file[0])
		return;
	rt->saved_at = runtime_now();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (statefile_save(rt->conf.state_file, rt->procs, state_name_of, rt,
			   rt->boot_id, &res, err, sizeof(err)) != 0) {
		rt->state_save_failures++;
		diag(LOG_ERR, "state not saved: %s", err);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rt->state_saves++;
	diag(priority, "state: %u processes saved to %s (%llu bytes, %ld ms)",
	     res.entries, rt->conf.state_file, (unsigned long long)res.bytes,
	     (long)((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000));
}

/* process_table_size, session_table_size, max_argv_bytes, proc_fallback,
 * timeline_size, timeline_sessions, timeline_argv_bytes: at start only. */
static int start_pipeline(struct runtime *rt, const struct ks_conf *c)
{
	struct proc_table_limits pl = {
		.max_entries = c->process_table_size,
		.max_total_argv_bytes =
			proc_table_argv_budget(c->process_table_size),
	};
	struct argv_limits al = {
		.max_total_bytes = c->max_argv_bytes,
		.max_args = ARGV_DEFAULT_MAX_ARGS,
	};
	struct session_limits sl = {
		.max_entries = c->session_table_size,
	};
	struct ea_handlers h = {
		.on_exec = on_exec,
		.on_fork = on_fork,
		.on_login = on_login,
		.ctx = rt,
	};

	struct timeline_limits tll = {
		.sessions = c->timeline_sessions,
		.size = c->timeline_size,
		.argv_bytes = c->timeline_argv_bytes,
	};

	rt->procs = proc_table_new(&pl);
	rt->nodes = node_ids_new();
	rt->sessions = session_table_new(&sl);
	if (rt->opt.plugin_mode || rt->opt.resolve_names) {
		rt->names = names_new(NULL, NULL);
		if (!rt->names) {
			diag(LOG_ERR, "cannot initialise (out of memory)");
			return -1;
		}
		rt->names_hook.lookup = lookup_name;
		rt->names_hook.ctx = rt;
	}
	rt->ea = ea_new(&h, &al, rt->opt.plugin_mode ? PLUGIN_EOE_TIMEOUT :
			REVIEW_EOE_TIMEOUT);
	if (c->timeline_size)
		rt->tl = timeline_new(&tll);
	if (!rt->procs || !rt->nodes || !rt->sessions || !rt->ea ||
	    (c->timeline_size && !rt->tl)) {
		diag(LOG_ERR, "cannot initialise (out of memory)");
		return -1;
	}
	if (rt->opt.plugin_mode) {
		drop_capabilities(c->proc_fallback);
		load_state(rt, c);
	}
	return 0;
}

/*
 * Apply next: to the empty runtime at start, to the running one at
 * SIGHUP. The one place where settings take effect; the order matters
 * only in that messages go to the new log once it is set.
 */
static int apply(struct runtime *rt, struct ks_conf *next,
		 const char *why_defaults)
{
	char desc[2048];

	apply_logging(rt, next);
	if (why_defaults)
		diag(LOG_ERR, "%s; running with defaults", why_defaults);
	if (rt->started)
		keep_restart_only(rt, next);
	if (apply_rules(rt, next) != 0)
		return -1;
	apply_sink(rt, next);
	if (!rt->started && start_pipeline(rt, next) != 0)
		return -1;
	/* Read what the rules in force and the alerts use, and no more:
	 * the rest of the records never reaches libauparse. */
	ea_set_needs(rt->ea, ecs_needs(rt->rules.uses));
	rt->conf = *next;
	conf_describe(&rt->conf, desc, sizeof(desc));
	if (rt->started)
		diag(LOG_INFO, "configuration reloaded from %s: %s",
		     rt->opt.conf_path, desc);
	else if (rt->opt.plugin_mode)
		diag(LOG_INFO, "%s started: %s", PACKAGE_STRING, desc);
	else
		diag(LOG_INFO, "settings: %s", desc);
	rt->started = true;
	return 0;
}

int runtime_configure(struct runtime *rt)
{
	struct ks_conf next;
	char err[512] = "";
	int rc = read_settings(rt, &next, err, sizeof(err));

	if (rc < 0) {
		if (!rt->started) {
			diag(LOG_ERR, "%s", err);
			return -1;
		}
		diag(LOG_ERR,
		     "reload failed, keeping the previous configuration: %s",
		     err);
		return 0;
	}
	return apply(rt, &next, rc > 0 ? err : NULL);
}

static void add_local_name(struct runtime *rt, const char *name, size_t n)
{
	if (n == 0 || n >= sizeof(rt->local_names[0]) ||
	    rt->nlocal == sizeof(rt->local_names) / sizeof(rt->local_names[0]))
		return;
	for (unsigned i = 0; i < rt->nlocal; i++)
		if (strncmp(rt->local_names[i], name, n) == 0 &&
		    rt->local_names[i][n] == '\0')
			return;
	memcpy(rt->local_names[rt->nlocal], name, n);
	rt->local_names[rt->nlocal++][n] = '\0';
}

/* This machine's FQDN as /etc/hosts gives it: the first name of the line
 * that lists the hostname or its first label (Debian writes
 * "127.0.1.1 host.example.org host" there). What auditd's name_format =
 * fqd asks the resolver; the resolver itself is not asked here, as DNS
 * may keep the plugin waiting at every start. */
static void hosts_fqdn(struct runtime *rt, const char *shortname)
{
	char line[1024];
	FILE *f = fopen("/etc/hosts", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *first = NULL, *w;
		bool listed = false;

		line[strcspn(line, "#\n")] = '\0';
		if (!strtok_r(line, " \t", &save))
			continue; /* the address */
		while ((w = strtok_r(NULL, " \t", &save))) {
			if (!first)
				first = w;
			if (strcmp(w, rt->hostname) == 0 ||
			    strcmp(w, shortname) == 0)
				listed = true;
		}
		if (listed && first && strchr(first, '.')) {
			add_local_name(rt, first, strlen(first));
			break;
		}
	}
	fclose(f);
}

/* Which node= names are this machine's (runtime_is_local). */
static void local_names(struct runtime *rt)
{
	char shortname[256];
	size_t n = strcspn(rt->hostname, ".");

	add_local_name(rt, rt->hostname, strlen(rt->hostname));
	if (rt->opt.host_name)
		return; /* review of another machine: its name only */
	snprintf(shortname, sizeof(shortname), "%.*s", (int)n, rt->hostname);
	add_local_name(rt, shortname, strlen(shortname));
	if (rt->opt.plugin_mode)
		hosts_fqdn(rt, shortname);
}

void runtime_init(struct runtime *rt, const struct runtime_options *o)
{
	FILE *f;

	memset(rt, 0, sizeof(*rt));
	rt->opt = *o;
	ecs_scratch_init(&rt->scratch);
	lineage_init(&rt->lin);
	if (o->host_name)
		snprintf(rt->hostname, sizeof(rt->hostname), "%s",
			 o->host_name);
	else if (gethostname(rt->hostname, sizeof(rt->hostname) - 1) != 0)
		strcpy(rt->hostname, "localhost");
	local_names(rt);
	/* The state file keeps this machine's own processes only within
	 * one boot: after a reboot their pids are other processes. */
	if (o->plugin_mode &&
	    (f = fopen("/proc/sys/kernel/random/boot_id", "re"))) {
		if (!fgets(rt->boot_id, sizeof(rt->boot_id), f))
			rt->boot_id[0] = '\0';
		rt->boot_id[strcspn(rt->boot_id, "\n")] = '\0';
		fclose(f);
	}
	rt->heartbeat_at = rt->saved_at = runtime_now();
}

void runtime_free(struct runtime *rt)
{
	ea_free(rt->ea);
	proc_table_free(rt->procs);
	session_table_free(rt->sessions);
	names_free(rt->names);
	timeline_free(rt->tl);
	lineage_free(&rt->lin);
	node_ids_free(rt->nodes);
	sink_free(&rt->sink);
	ruleset_free(&rt->rules);
	ecs_scratch_free(&rt->scratch);
	if (rt->log_open) {
		/* bounded: a syslog daemon that is away costs one second */
		logsock_drain(&rt->log, 1000);
		diag_to_syslog(NULL);
		logsock_close(&rt->log);
	}
}

/* ---- input, time and counters ------------------------------------------ */

int runtime_feed(struct runtime *rt, const char *buf, size_t n)
{
	return ea_feed(rt->ea, buf, n);
}

static void report_problems(struct runtime *rt, time_t now)
{
	struct ea_stats es;
	uint64_t dm, dt, dn, dl, df, dj, dc;

	if (rt->told.at && now - rt->told.at < PROBLEM_REPORT_INTERVAL)
		return;
	ea_stats(rt->ea, &es);
	dm = es.malformed - rt->told.malformed;
	dt = es.truncated - rt->told.truncated;
	dn = es.no_execve - rt->told.no_execve;
	dl = rt->log.dropped - rt->told.log_dropped;
	df = es.feed_errors - rt->told.feed_errors;
	dj = es.garbage_lines + es.long_lines - rt->told.junk;
	dc = es.cut_events + es.cut_records - rt->told.cut;
	if (!dm && !dt && !dn && !dl && !df && !dj && !dc)
		return;
	diag(LOG_WARNING,
	     "input problems since the last report: %llu malformed events skipped, "
	     "%llu exec events cut to the limits, %llu execs without EXECVE records, "
	     "%llu log messages dropped, %llu input chunks lost for lack of memory, "
	     "%llu lines that are not audit records (or too long) skipped, "
	     "%llu events or records cut short (too many events in flight)",
	     (unsigned long long)dm, (unsigned long long)dt,
	     (unsigned long long)dn, (unsigned long long)dl,
	     (unsigned long long)df, (unsigned long long)dj,
	     (unsigned long long)dc);
	rt->told.at = now;
	rt->told.malformed = es.malformed;
	rt->told.truncated = es.truncated;
	rt->told.no_execve = es.no_execve;
	rt->told.log_dropped = rt->log.dropped;
	rt->told.feed_errors = es.feed_errors;
	rt->told.junk = es.garbage_lines + es.long_lines;
	rt->told.cut = es.cut_events + es.cut_records;
}

static void stats_line(struct runtime *rt, int priority, const char *head);

void runtime_tick(struct runtime *rt, time_t now)
{
	/* Complete events whose last record never came, so an alert never
	 * waits for the next audit event. */
	if (ea_has_data(rt->ea))
		ea_age(rt->ea);
	rules_tick(rt, now);
	report_problems(rt, now);
	if (!rt->opt.plugin_mode)
		return;
	if (rt->conf.heartbeat_interval &&
	    now - rt->heartbeat_at >= (time_t)rt->conf.heartbeat_interval) {
		rt->heartbeat_at = now;
		stats_line(rt, LOG_INFO, RUNTIME_HEARTBEAT);
	}
	if (rt->conf.state_file[0] && rt->conf.state_save_interval &&
	    now - rt->saved_at >= (time_t)rt->conf.state_save_interval)
		runtime_save_state(rt, LOG_DEBUG);
}

void runtime_flush(struct runtime *rt)
{
	ea_flush(rt->ea);
	/* The open windows are cut short: report what they held back so no
	 * count is lost. */
	rules_tick(rt, INT32_MAX);
}

/* The table's share per node (proc_table.h): the STATS_TOP_NODES nodes
 * that lost most entries, or hold most, as [node,entries,evictions], and
 * the others summed as [nodes,entries,evictions]. Bounded whatever the
 * number of nodes: names are cut at STATS_NODE_NAME bytes. */
#define STATS_TOP_NODES 5
#define STATS_NODE_NAME 64
static void node_shares(const struct runtime *rt, char *buf, size_t cap)
{
	struct proc_table_node_stats top[STATS_TOP_NODES], rest;
	size_t n = proc_table_top_nodes(rt->procs, top, STATS_TOP_NODES,
					&rest);
	char q[STATS_NODE_NAME + 4];
	size_t o = 0;
	int w;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < cap; i++) {
		const char *name = node_ids_name(rt->nodes, top[i].node);

		if (name)
			diag_quote(q, sizeof(q), name, strlen(name));
		w = snprintf(buf + o, cap - o, "%s[%s%s%s,%u,%llu]",
			     i ? "," : "", name ? "\"" : "",
			     name ? q : "overflow", name ? "\"" : "",
			     top[i].entries,
			     (unsigned long long)top[i].evictions);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	if (o < cap)
		snprintf(buf + o, cap - o, "] other_nodes=[%u,%u,%llu",
			 rest.node, rest.entries,
			 (unsigned long long)rest.evictions);
}

/* The counters line, "HEAD: bytes=... "; the statistics line of SIGUSR1,
 * of the stop and of the heartbeat. */
static void stats_line(struct runtime *rt, int priority, const char *head)
{
	struct ea_stats es;
	struct proc_table_stats ps;
	struct timeline_stats ts;
	struct node_ids_stats ns;
	struct session_stats ss;
	struct names_stats nm = { 0 };
	char shares[STATS_TOP_NODES * (STATS_NODE_NAME + 48) + 64];

	node_shares(rt, shares, sizeof(shares));
	ea_stats(rt->ea, &es);
	proc_table_stats(rt->procs, &ps);
	timeline_stats(rt->tl, &ts);
	node_ids_stats(rt->nodes, &ns);
	session_stats(rt->sessions, &ss);
	if (rt->names)
		names_stats(rt->names, &nm);
	diag(priority,
	     "%s: bytes=%llu records=%llu skipped_records=%llu skipped_bytes=%llu "
	     "garbage_lines=%llu long_lines=%llu crlf_lines=%llu "
	     "in_flight=%u cut_events=%llu cut_records=%llu recycles=%llu "
	     "events=%llu execs=%llu forks=%llu "
	     "failed=%llu "
	     "alerts=%llu suppressed=%llu table=%u table_bytes=%zu evictions=%llu "
	     "proc_reads=%llu malformed=%llu truncated=%llu no_execve=%llu "
	     "duplicates=%llu "
	     "lost_chunks=%llu log_sent=%llu log_queued=%llu log_dropped=%llu "
	     "nodes=%u node_overflow=%llu "
	     "sessions=%u session_evictions=%llu logins=%llu login_claims=%llu "
	     "login_malformed=%llu login_refused=%llu login_no_session=%llu "
	     "login_orphan_ends=%llu session_mismatch=%llu "
	     "name_lookups=%llu name_timeouts=%llu name_busy=%llu "
	     "timeline_sessions=%u timeline_evictions=%llu "
	     "top_nodes=[%s] state_saves=%llu state_save_failures=%llu",
	     head, (unsigned long long)es.bytes,
	     (unsigned long long)(es.records + es.skipped_records),
	     (unsigned long long)es.skipped_records,
	     (unsigned long long)es.skipped_bytes,
	     (unsigned long long)es.garbage_lines,
	     (unsigned long long)es.long_lines,
	     (unsigned long long)es.crlf_lines, es.in_flight,
	     (unsigned long long)es.cut_events,
	     (unsigned long long)es.cut_records,
	     (unsigned long long)es.recycles,
	     (unsigned long long)es.events,
	     (unsigned long long)es.execs, (unsigned long long)es.forks,
	     (unsigned long long)es.failed,
	     (unsigned long long)rt->sink.alerts,
	     (unsigned long long)rt->suppressed, ps.entries, ps.argv_bytes,
	     (unsigned long long)ps.evictions,
	     (unsigned long long)rt->proc_reads,
	     (unsigned long long)es.malformed,
	     (unsigned long long)es.truncated,
	     (unsigned long long)es.no_execve,
	     (unsigned long long)es.duplicates,
	     (unsigned long long)es.feed_errors,
	     (unsigned long long)rt->log.sent,
	     (unsigned long long)rt->log.queued,
	     (unsigned long long)rt->log.dropped, ns.nodes,
	     (unsigned long long)ns.overflowed, ss.entries,
	     (unsigned long long)ss.evictions,
	     (unsigned long long)ss.logins, (unsigned long long)ss.claims,
	     (unsigned long long)es.login_malformed,
	     (unsigned long long)ss.refused,
	     (unsigned long long)ss.no_session,
	     (unsigned long long)ss.orphan_ends,
	     (unsigned long long)ss.mismatch,
	     (unsigned long long)nm.lookups, (unsigned long long)nm.timeouts,
	     (unsigned long long)nm.busy, ts.sessions,
	     (unsigned long long)ts.evictions, shares,
	     (unsigned long long)rt->state_saves,
	     (unsigned long long)rt->state_save_failures);
}

void runtime_stats(struct runtime *rt, int priority, const char *head)
{
	char stem[300];

	/* Per rule: which rule fires, and how much its throttle holds back
	 * (counted since it was first loaded). */
	for (size_t i = 0; i < rt->rules.n; i++) {
		const struct ruleset_rule *r = &rt->rules.rule[i];

		diag(priority, "stats: rule %s matches=%llu suppressed=%llu",
		     diag_quote(stem, sizeof(stem), r->stem,
				      strlen(r->stem)),
		     (unsigned long long)r->matches,
		     (unsigned long long)r->suppressed);
	}
	stats_line(rt, priority, head);
}
