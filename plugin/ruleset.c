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

#include "diag.h"
#include "ruleset.h"

#define MSG_MAX 1024

struct loaded {
	struct rule_file *file;
	struct eql_query *query;
	char stem[256];
	bool local;             /* from local_rules_dir: always enabled */
};

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

/* Load and compile one rule into *out; false after reporting why. */
static bool load_one(struct ruleset *rs, const char *path, const char *text,
		     size_t len, struct loaded *out, ruleset_report_fn report,
		     void *ctx)
{
	char err[MSG_MAX], msg[MSG_MAX + 64];
	const char *base;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->file = text ? rulefile_parse(path, text, len, err, sizeof(err)) :
			   rulefile_load(path, err, sizeof(err));
	if (!out->file) {
		problem(rs, report, ctx, path, err);
		return false;
	}
	out->query = eql_compile(out->file->query, strlen(out->file->query),
				 err, sizeof(err));
	if (!out->query) {
		snprintf(msg, sizeof(msg), "query: %s", err);
		problem(rs, report, ctx, path, msg);
		rulefile_free(out->file);
		out->file = NULL;
		return false;
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
	l->query = NULL;
	l->file = NULL;
}

/* Load every *.toml of dir into the growing array. Returns -1 with errno
 * when the directory cannot be read. */
static int load_dir(struct ruleset *rs, const char *dir, bool local,
		    struct loaded **all, size_t *nall, size_t *cap,
		    ruleset_report_fn report, void *ctx)
{
	char path[4096];
	char **names;
	size_t n, i;

	names = list_dir(dir, ".toml", &n);
	if (!names)
		return -1;
	for (i = 0; i < n; i++) {
		struct loaded l, *grown;

		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path))
			continue;
		if (!load_one(rs, path, NULL, 0, &l, report, ctx))
			continue;
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

size_t ruleset_load(struct ruleset *rs, const struct ruleset_options *o,
		    ruleset_report_fn report, void *ctx)
{
	struct loaded *all = NULL;
	size_t nall = 0, cap = 0, i, j;
	bool *on = NULL;
	char msg[MSG_MAX];
	int f;

	memset(rs, 0, sizeof(*rs));
	if (o->only_file) {
		all = calloc(1, sizeof(*all));
		if (all && load_one(rs, o->only_file, NULL, 0, &all[0], report,
				    ctx))
			nall = 1;
	} else {
		if (load_dir(rs, o->rules_dir, false, &all, &nall, &cap,
			     report, ctx) != 0) {
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
		if (o->local_rules_dir && o->local_rules_dir[0] &&
		    load_dir(rs, o->local_rules_dir, true, &all, &nall, &cap,
			     report, ctx) != 0 && errno != ENOENT) {
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

		if (report && o->check_all) {
			char id[204], name[204];

			snprintf(msg, sizeof(msg), "loaded: %s \"%s\" version %s%s",
				 diag_quote(id, sizeof(id), all[i].file->meta.id,
					    strlen(all[i].file->meta.id)),
				 diag_quote(name, sizeof(name),
					    all[i].file->meta.name,
					    strlen(all[i].file->meta.name)),
				 all[i].file->meta.version,
				 on[i] ? "" : " (not enabled)");
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
	for (i = 0; i < rs->n; i++)
		for (f = 0; f < EQL_FIELDS_MAX; f++)
			if (eql_query_uses(rs->rule[i].query, (unsigned)f))
				rs->uses[f] = true;
	return rs->n;
}

void ruleset_free(struct ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		eql_free(rs->rule[i].query);
		rulefile_free(rs->rule[i].file);
	}
	free(rs->rule);
	memset(rs, 0, sizeof(*rs));
}

void ruleset_eval(struct ruleset *rs, const struct eql_event *ev,
		  void (*on_match)(struct ruleset_rule *r, void *ctx),
		  void *ctx)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (eql_eval(rs->rule[i].query, ev)) {
			rs->rule[i].matches++;
			on_match(&rs->rule[i], ctx);
		}
}
