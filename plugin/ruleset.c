/*
 * ruleset.c - load, compile and run the detection rules (see ruleset.h).
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "diag.h"
#include "ecs_event.h"
#include "eql_regex.h"
#include "ruleset.h"
#include "version_lock.h"

#define MSG_MAX 1024
/* A detection-rules checkout nests rules a few levels deep; symlinked
 * directories are not followed, so this only bounds odd trees. */
#define WALK_MAX_DEPTH 8

struct loaded {
	struct rule_file *file;
	struct eql_query *query;
	char stem[256];
	bool local;             /* from local_rules_dir: always enabled */
	bool never;             /* cannot fire on audit data */
	char *never_why;
};

/* Count one outcome under its reason (the per-reason summary). */
static void tally(struct ruleset *rs, bool loaded, const char *reason)
{
	size_t i;
	struct ruleset_reason *g;

	for (i = 0; i < rs->nreasons; i++)
		if (rs->reasons[i].loaded == loaded &&
		    strcmp(rs->reasons[i].text, reason) == 0) {
			rs->reasons[i].count++;
			return;
		}
	g = realloc(rs->reasons, (rs->nreasons + 1) * sizeof(*g));
	if (!g)
		return;
	rs->reasons = g;
	g = &rs->reasons[rs->nreasons];
	snprintf(g->text, sizeof(g->text), "%s", reason);
	g->loaded = loaded;
	g->count = 1;
	rs->nreasons++;
}

/* A load error without what is particular to its file: the path, the
 * line and column. */
static void reason_of(const char *msg, const char *path, char *out,
		      size_t cap)
{
	size_t n = strlen(path);
	const char *m = msg;

	if (strncmp(m, path, n) == 0 && m[n] == ':') {
		m += n + 1;
		while (*m >= '0' && *m <= '9')
			m++;
		if (*m == ':')
			m++;
		while (*m == ' ')
			m++;
	}
	if (strncmp(m, "query: ", 7) == 0)
		m += 7;
	if (strncmp(m, "line ", 5) == 0) {
		const char *c = strstr(m, ": ");

		if (c)
			m = c + 2;
	}
	snprintf(out, cap, "%s", m);
}

static void problem(struct ruleset *rs, ruleset_report_fn report, void *ctx,
		    const char *what, const char *msg)
{
	rs->problems++;
	if (report)
		report(ctx, false, what, msg);
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return n > k && strcmp(name + n - k, suffix) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the regular entries of dir ending in suffix; NULL with
 * errno set when the directory cannot be read. */
static char **list_dir(const char *dir, const char *suffix, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, **grown;
	size_t n = 0, cap = 0;

	*count = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		/* Only NAME.toml / NAME.exceptions: editors' backups (~,
		 * .swp) and dpkg's .dpkg-old/.dpkg-dist copies of a changed
		 * file must not run as a second rule. */
		if (e->d_name[0] == '.' || !has_suffix(e->d_name, suffix))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				break;
			names = grown;
		}
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (!names) {
		names = calloc(1, sizeof(*names));
		if (!names)
			return NULL;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	*count = n;
	return names;
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* How a rule that does not load is said: a problem, or, for `rules =
 * all`, one outcome among many (listed by --check-rules, counted in the
 * summary). */
static void fail_one(struct ruleset *rs, const char *path, const char *msg,
		     ruleset_report_fn report, void *ctx)
{
	char r[MSG_MAX], line[MSG_MAX + 32];

	if (rs->all_mode) {
		rs->not_loaded++;
		reason_of(msg, path, r, sizeof(r));
		tally(rs, false, r);
		if (report && rs->listing) {
			snprintf(line, sizeof(line), "not loaded: %s", r);
			report(ctx, true, path, line);
		}
		return;
	}
	problem(rs, report, ctx, path, msg);
}

/* Load and compile one rule into *out; false after reporting why (or
 * when the file is a rule for another OS: counted, not said). */
static bool load_one(struct ruleset *rs, const char *path, const char *text,
		     size_t len, struct loaded *out, ruleset_report_fn report,
		     void *ctx)
{
	char err[MSG_MAX], msg[MSG_MAX + 64];
	struct rulefile_os os;
	const char *base;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->file = text ? rulefile_parse_os(path, text, len, &os, err,
					     sizeof(err)) :
			   rulefile_load_os(path, &os, err, sizeof(err));
	if (rs->walking && os.tags_read && !os.linux_tag) {
		rs->skipped_os++;
		rulefile_free(out->file);
		out->file = NULL;
		return false;
	}
	if (!out->file) {
		fail_one(rs, path, err, report, ctx);
		return false;
	}
	out->query = eql_compile(out->file->query, strlen(out->file->query),
				 err, sizeof(err));
	if (!out->query) {
		snprintf(msg, sizeof(msg), "query: %s", err);
		fail_one(rs, path, msg, report, ctx);
		rulefile_free(out->file);
		out->file = NULL;
		return false;
	}
	if (eql_query_never(out->query, err, sizeof(err))) {
		out->never = true;
		out->never_why = strdup(err);
	}
	/* the stem follows the last '/' (or the "built-in:" prefix) */
	for (base = path + strlen(path); base > path; base--)
		if (base[-1] == '/' || base[-1] == ':')
			break;
	n = strlen(base);
	if (has_suffix(base, ".toml"))
		n -= 5;
	if (n >= sizeof(out->stem))
		n = sizeof(out->stem) - 1;
	memcpy(out->stem, base, n);
	out->stem[n] = '\0';
	return true;
}

static void drop(struct loaded *l)
{
	eql_free(l->query);
	rulefile_free(l->file);
	free(l->never_why);
	l->query = NULL;
	l->file = NULL;
	l->never_why = NULL;
}

struct pathlist {
	char **p;
	size_t n, cap;
};

static bool pathlist_add(struct pathlist *pl, const char *path)
{
	if (pl->n == pl->cap) {
		size_t nc = pl->cap ? pl->cap * 2 : 64;
		char **np = realloc(pl->p, nc * sizeof(*np));

		if (!np)
			return false;
		pl->p = np;
		pl->cap = nc;
	}
	pl->p[pl->n] = strdup(path);
	if (!pl->p[pl->n])
		return false;
	pl->n++;
	return true;
}

/* Every *.toml under dir, depth first in name order, hidden entries
 * (.git) and symlinked directories left out. */
static int walk(const char *dir, int depth, struct pathlist *pl)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct pathlist here = { 0 };
	char path[4096];
	int rc = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (!pathlist_add(&here, e->d_name)) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	if (here.n)
		qsort(here.p, here.n, sizeof(*here.p), cmp_names);
	for (size_t i = 0; i < here.n; i++) {
		struct stat st;

		if (snprintf(path, sizeof(path), "%s/%s", dir, here.p[i]) >=
			    (int)sizeof(path) ||
		    lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < WALK_MAX_DEPTH)
				(void)walk(path, depth + 1, pl);
		} else if (has_suffix(here.p[i], ".toml") &&
			   (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
			if (!pathlist_add(pl, path))
				rc = -1;
		}
	}
	for (size_t i = 0; i < here.n; i++)
		free(here.p[i]);
	free(here.p);
	return rc;
}

/* Load every *.toml of dir (and of its subdirectories when recursive)
 * into the growing array. Returns -1 with errno when the directory cannot
 * be read. */
static int load_dir(struct ruleset *rs, const char *dir, bool local,
		    bool recursive, struct loaded **all, size_t *nall,
		    size_t *cap, ruleset_report_fn report, void *ctx)
{
	char path[4096];
	char **names;
	size_t n, i;
	struct pathlist pl = { 0 };
	DIR *probe;

	if (recursive) {
		probe = opendir(dir);
		if (!probe)
			return -1;
		closedir(probe);
		(void)walk(dir, 0, &pl);
		names = pl.p;
		n = pl.n;
		if (!names) {
			names = calloc(1, sizeof(*names));
			if (!names)
				return -1;
		}
	} else {
		names = list_dir(dir, ".toml", &n);
		if (!names)
			return -1;
	}
	for (i = 0; i < n; i++) {
		struct loaded l, *grown;

		if (recursive)
			snprintf(path, sizeof(path), "%s", names[i]);
		else if (snprintf(path, sizeof(path), "%s/%s", dir,
				  names[i]) >= (int)sizeof(path))
			continue;
		if (!load_one(rs, path, NULL, 0, &l, report, ctx))
			continue;
		if (!local && rs->lock.n && l.file->meta.id) {
			int64_t v = version_lock_get(&rs->lock,
						     l.file->meta.id);

			if (v > 0)
				snprintf(l.file->version_str,
					 sizeof(l.file->version_str), "%lld",
					 (long long)v);
		}
		l.local = local;
		if (*nall == *cap) {
			*cap = *cap ? *cap * 2 : 8;
			grown = realloc(*all, *cap * sizeof(**all));
			if (!grown) {
				problem(rs, report, ctx, path, "out of memory");
				drop(&l);
				continue;
			}
			*all = grown;
		}
		(*all)[(*nall)++] = l;
	}
	free_names(names, n);
	return 0;
}

/* Whether the `rules` list holds the word all. */
static bool names_all(const char *enable)
{
	const char *p = enable ? enable : "";

	while (*p) {
		const char *st;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		st = p;
		while (*p && *p != ',' && !isspace((unsigned char)*p))
			p++;
		if (p - st == 3 && memcmp(st, "all", 3) == 0)
			return true;
		while (*p && *p != ',')
			p++;
	}
	return false;
}

static bool refers_to(const char *ref, size_t len, const struct loaded *l)
{
	return (strlen(l->stem) == len && memcmp(l->stem, ref, len) == 0) ||
	       (strlen(l->file->meta.id) == len &&
		memcmp(l->file->meta.id, ref, len) == 0);
}

/* Which shipped rules `enable` selects; reports names that match none. */
static void select_enabled(struct ruleset *rs, const char *enable,
			   const char *dir, struct loaded *all, size_t nall,
			   bool *on, ruleset_report_fn report, void *ctx)
{
	const char *p = enable ? enable : "";
	char msg[MSG_MAX], q[204];
	size_t i;

	while (*p) {
		const char *start, *end;
		bool found = false;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		if (end == start)
			continue;
		if (end - start == 3 && memcmp(start, "all", 3) == 0) {
			for (i = 0; i < nall; i++)
				if (!all[i].local)
					on[i] = true;
			continue;
		}
		/* A file stem names one file; a rule_id may be shared by
		 * several versions of one rule (v2 and upstream): then the
		 * file must be named. */
		size_t hits = 0, first = 0;

		for (i = 0; i < nall; i++)
			if (!all[i].local &&
			    refers_to(start, (size_t)(end - start), &all[i])) {
				if (!hits++)
					first = i;
				if (strlen(all[i].stem) ==
					    (size_t)(end - start) &&
				    memcmp(all[i].stem, start,
					   (size_t)(end - start)) == 0) {
					hits = 1;
					first = i;
					break;
				}
			}
		if (hits == 1) {
			on[first] = true;
			found = true;
		} else if (hits > 1) {
			snprintf(msg, sizeof(msg),
				 "'%s' is the rule_id of several files in %s; name the file to run",
				 diag_quote(q, sizeof(q), start,
					    (size_t)(end - start)), dir);
			problem(rs, report, ctx, "rules", msg);
			continue;
		}
		if (!found) {
			snprintf(msg, sizeof(msg),
				 "'%s' names no rule file or rule_id in %s",
				 diag_quote(q, sizeof(q), start,
					    (size_t)(end - start)), dir);
			problem(rs, report, ctx, "rules", msg);
		}
	}
}

/* Apply every line of every local *.exceptions file. */
static void load_exceptions(struct ruleset *rs, const char *dir,
			    ruleset_report_fn report, void *ctx)
{
	char path[4096], where[4200], err[MSG_MAX], q[204];
	char *line = NULL;
	size_t n, i, j, cap = 0;
	char **names = list_dir(dir, ".exceptions", &n);

	if (!names)
		return;
	for (i = 0; i < n; i++) {
		FILE *f;
		unsigned lineno = 0;
		ssize_t len;

		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path))
			continue;
		f = fopen(path, "re");
		if (!f) {
			snprintf(err, sizeof(err), "%s", strerror(errno));
			problem(rs, report, ctx, path, err);
			continue;
		}
		while ((len = getline(&line, &cap, f)) >= 0) {
			char *s = line, *ref, *expr;
			size_t reflen;
			bool found = false;

			lineno++;
			snprintf(where, sizeof(where), "%s:%u", path, lineno);
			while (len > 0 && (line[len - 1] == '\n' ||
					   line[len - 1] == '\r'))
				line[--len] = '\0';
			while (isspace((unsigned char)*s))
				s++;
			if (*s == '\0' || *s == '#')
				continue;
			ref = s;
			while (*s && !isspace((unsigned char)*s))
				s++;
			reflen = (size_t)(s - ref);
			while (isspace((unsigned char)*s))
				s++;
			expr = s;
			if (*expr == '\0') {
				problem(rs, report, ctx, where,
					"expected: RULE EXPRESSION");
				continue;
			}
			for (j = 0; j < rs->n; j++) {
				struct ruleset_rule *r = &rs->rule[j];
				struct loaded l = { .file = r->file };

				memcpy(l.stem, r->stem, sizeof(l.stem));
				if (!refers_to(ref, reflen, &l))
					continue;
				found = true;
				if (eql_add_exception(r->query, expr,
						      strlen(expr), err,
						      sizeof(err)) != 0) {
					problem(rs, report, ctx, where, err);
					break;
				}
			}
			if (!found) {
				snprintf(err, sizeof(err),
					 "'%s' names no enabled rule",
					 diag_quote(q, sizeof(q), ref, reflen));
				problem(rs, report, ctx, where, err);
			}
		}
		fclose(f);
	}
	free(line);
	free_names(names, n);
}

/* The enabled rules as one eql_set; those that cannot fire on audit data
 * left out. */
static int build_set(struct ruleset *rs)
{
	struct eql_query **q = calloc(rs->n ? rs->n : 1, sizeof(*q));

	if (!q)
		return -1;
	for (size_t i = 0; i < rs->n; i++)
		q[i] = rs->rule[i].never ? NULL : rs->rule[i].query;
	rs->set = eql_set_new(q, rs->n);
	free(q);
	return rs->set ? 0 : -1;
}

size_t ruleset_load(struct ruleset *rs, const struct ruleset_options *o,
		    ruleset_report_fn report, void *ctx)
{
	struct loaded *all = NULL;
	size_t nall = 0, cap = 0, i, j;
	bool *on = NULL;
	char msg[MSG_MAX];
	int f;

	memset(rs, 0, sizeof(*rs));
	rs->listing = o->check_all;
	rs->all_mode = !o->only_file && names_all(o->enable);
	if (o->only_file) {
		all = calloc(1, sizeof(*all));
		if (all && load_one(rs, o->only_file, NULL, 0, &all[0], report,
				    ctx))
			nall = 1;
	} else {
		char lock[4200], err[MSG_MAX];

		snprintf(lock, sizeof(lock), "%s/%s", o->rules_dir,
			 VERSION_LOCK_PATH);
		if (version_lock_load(&rs->lock, lock, err, sizeof(err)) != 0 &&
		    errno != ENOENT)
			problem(rs, report, ctx, lock, err);
		rs->walking = true;
		f = load_dir(rs, o->rules_dir, false, true, &all, &nall, &cap,
			     report, ctx);
		rs->walking = false;
		if (f != 0) {
			if (errno != ENOENT) {
				snprintf(msg, sizeof(msg), "%s",
					 strerror(errno));
				problem(rs, report, ctx, o->rules_dir, msg);
			} else {
				/* Running from a build tree, or rules not
				 * installed: the published rule still runs. */
				struct loaded l;

				if (report)
					report(ctx, true, o->rules_dir,
					       "not found; using the built-in kernel_seeking_v2 rule");
				all = calloc(1, sizeof(*all));
				if (all && load_one(rs, "built-in:kernel_seeking_v2.toml",
						    ruleset_builtin_v2,
						    strlen(ruleset_builtin_v2),
						    &l, report, ctx)) {
					all[0] = l;
					nall = cap = 1;
				}
			}
		}
		/* a local rule that does not load is a problem, whatever
		 * `rules` says */
		rs->all_mode = false;
		if (o->local_rules_dir && o->local_rules_dir[0] &&
		    load_dir(rs, o->local_rules_dir, true, false, &all, &nall,
			     &cap, report, ctx) != 0 && errno != ENOENT) {
			snprintf(msg, sizeof(msg), "%s", strerror(errno));
			problem(rs, report, ctx, o->local_rules_dir, msg);
		}
	}

	on = calloc(nall ? nall : 1, sizeof(*on));
	rs->rule = calloc(nall ? nall : 1, sizeof(*rs->rule));
	if (!on || !rs->rule) {
		problem(rs, report, ctx, "rules", "out of memory");
		nall = 0;
	}
	for (i = 0; i < nall; i++)
		on[i] = o->only_file || all[i].local ||
			strncmp(all[i].file->path, "built-in:", 9) == 0;
	if (!o->only_file)
		select_enabled(rs, o->enable, o->rules_dir, all, nall, on,
			       report, ctx);

	for (i = 0; i < nall; i++) {
		struct ruleset_rule *r;

		rs->loaded++;
		if (all[i].never) {
			char why[MSG_MAX + 32];

			rs->cannot_fire += on[i];
			snprintf(why, sizeof(why), "cannot fire on audit data: %s",
				 all[i].never_why ? all[i].never_why : "");
			tally(rs, true, why);
		}
		if (report && o->check_all) {
			char id[204], name[204], why[MSG_MAX];

			why[0] = '\0';
			if (all[i].never)
				snprintf(why, sizeof(why),
					 ", but cannot fire on audit data: %s",
					 all[i].never_why ? all[i].never_why : "");
			snprintf(msg, sizeof(msg), "loaded: %s \"%s\" version %s%s%s",
				 diag_quote(id, sizeof(id), all[i].file->meta.id,
					    strlen(all[i].file->meta.id)),
				 diag_quote(name, sizeof(name),
					    all[i].file->meta.name,
					    strlen(all[i].file->meta.name)),
				 all[i].file->meta.version,
				 on[i] ? "" : " (not enabled)", why);
			report(ctx, true, all[i].file->path, msg);
		}
		if (!on[i]) {
			drop(&all[i]);
			continue;
		}
		for (j = 0; j < rs->n; j++)
			if (strcmp(rs->rule[j].file->meta.id,
				   all[i].file->meta.id) == 0)
				break;
		if (j < rs->n) {
			snprintf(msg, sizeof(msg),
				 "rule_id %s is already enabled by %s; not run twice",
				 all[i].file->meta.id, rs->rule[j].file->path);
			problem(rs, report, ctx, all[i].file->path, msg);
			drop(&all[i]);
			continue;
		}
		r = &rs->rule[rs->n++];
		r->file = all[i].file;
		r->query = all[i].query;
		r->never = all[i].never;
		free(all[i].never_why);
		memcpy(r->stem, all[i].stem, sizeof(r->stem));
		throttle_init(&r->thr,
			      o->throttle_max == UINT32_MAX ?
				      r->file->meta.max_signals :
				      o->throttle_max,
			      o->throttle_window);
	}
	free(all);
	free(on);

	if (!o->only_file && o->local_rules_dir && o->local_rules_dir[0])
		load_exceptions(rs, o->local_rules_dir, report, ctx);
	for (i = 0; i < rs->n; i++) {
		if (!o->plain)
			eql_query_fold_constants(rs->rule[i].query);
		for (f = 0; f < EQL_FIELDS_MAX; f++)
			if (eql_query_uses(rs->rule[i].query, (unsigned)f))
				rs->uses[f] = true;
	}
	if (!o->plain && build_set(rs) != 0)
		problem(rs, report, ctx, "rules",
			"out of memory (each rule runs on every exec)");
	return rs->n;
}

void ruleset_free(struct ruleset *rs)
{
	size_t i;

	eql_set_free(rs->set);
	free(rs->reasons);
	version_lock_free(&rs->lock);
	for (i = 0; i < rs->n; i++) {
		eql_free(rs->rule[i].query);
		rulefile_free(rs->rule[i].file);
	}
	free(rs->rule);
	memset(rs, 0, sizeof(*rs));
}

struct run {
	struct ruleset *rs;
	void (*on_match)(struct ruleset_rule *r, void *ctx);
	void *ctx;
};

static void matched(void *ctx, size_t i)
{
	struct run *run = ctx;

	run->rs->rule[i].matches++;
	run->on_match(&run->rs->rule[i], run->ctx);
}

void ruleset_eval(struct ruleset *rs, const struct eql_event *ev,
		  void (*on_match)(struct ruleset_rule *r, void *ctx),
		  void *ctx)
{
	struct run run = { rs, on_match, ctx };

	eql_regex_begin_exec();
	if (rs->set) {
		eql_set_eval(rs->set, ev, matched, &run);
		return;
	}
	for (size_t i = 0; i < rs->n; i++)
		if (eql_eval(rs->rule[i].query, ev))
			matched(&run, i);
}

void ruleset_summary(const struct ruleset *rs, char *buf, size_t cap)
{
	snprintf(buf, cap,
		 "%zu rule%s enabled (%u cannot fire on audit data), %u loaded, %u not loaded, %u skipped (tagged for another OS)",
		 rs->n, rs->n == 1 ? "" : "s", rs->cannot_fire, rs->loaded,
		 rs->not_loaded, rs->skipped_os);
}
