/*
 * eql_diff.c - the engine side of tests/elastic_rules.sh: load the rules of
 * a directory as the plugin does (ruleset_load, rules = all: index and
 * folded constants included), read events from stdin and print, per
 * event, the ids of the rules that match it, sorted. tests/eql_ref.py
 * computes the same from the rule files with its own EQL implementation.
 *
 * Event format (one field a line, a blank line ends the event):
 *   s FIELD HEX   a string          n FIELD DECIMAL  a number
 *   a FIELD HEX   one more element  b FIELD 0|1      a boolean
 * HEX is the value's bytes in hex ("-" for the empty string). Fields not
 * given are missing; the constant rows are filled as every exec has them.
 * With -t MS, an event whose rules take longer than MS milliseconds is
 * reported on stderr and the exit status is 1.
 *
 * Other modes, for the rule set's own checks:
 *   -p          the rules as loaded, each run on every event: no folded
 *               constants, no eql_set (ruleset_options.plain)
 *   -g          print "RULE_ID GATE" for each enabled rule (eql_set_gate)
 *               and the set's counts, read no events
 *   -r LOG      review the audit log LOG as the plugin does (--format
 *               json), the alerts to stdout; with -p the plain rules
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ecs_event.h"
#include "eql_regex.h"
#include "ruleset.h"
#include "runtime.h"

#define MAXEL 4096

static char *ids[4096];
static size_t nids;

static void on_match(struct ruleset_rule *r, void *ctx)
{
	(void)ctx;
	if (nids < sizeof(ids) / sizeof(ids[0]))
		ids[nids++] = (char *)r->file->meta.id;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t unhex(const char *h, char *out)
{
	size_t n = 0;

	if (strcmp(h, "-") == 0)
		return 0;
	for (; h[0] && h[1]; h += 2) {
		static const char dig[] = "0123456789abcdef";
		const char *a = strchr(dig, h[0]), *b = strchr(dig, h[1]);

		out[n++] = (char)(((a ? a - dig : 0) << 4) | (b ? b - dig : 0));
	}
	return n;
}

/* -g: each enabled rule's gate, then the counts. */
static int print_gates(const struct ruleset *rs)
{
	struct eql_set_stats st;
	char buf[8192];

	if (!rs->set)
		return 2;
	for (size_t i = 0; i < rs->n; i++) {
		eql_set_gate(rs->set, i, buf, sizeof(buf));
		printf("%s %s\n", rs->rule[i].file->meta.id,
		       rs->rule[i].never ? "(cannot fire: not in the set)" : buf);
	}
	eql_set_stats(rs->set, &st);
	printf("queries %zu gated %zu always %zu never %zu atoms %zu fields %zu\n",
	       st.queries, st.gated, st.always, st.never, st.atoms, st.fields);
	return 0;
}

/* -r: the plugin's review of one audit log, JSON alerts on stdout. */
static int review(const char *dir, const char *log, bool plain)
{
	static struct runtime rt;
	struct runtime_options opt = {
		.rules_dir = dir,
		.rules = "all",
		.format_given = true,
		.format = ALERT_FORMAT_JSON,
	};
	static char buf[65536];
	FILE *f = fopen(log, "rb");
	size_t n;

	if (!f)
		return 2;
	runtime_init(&rt, &opt);
	if (runtime_configure(&rt) != 0) {
		fclose(f);
		return 2;
	}
	if (plain) {
		struct ruleset_options o = {
			.rules_dir = dir, .enable = "all", .plain = true,
		};

		ruleset_free(&rt.rules);
		ruleset_load(&rt.rules, &o, NULL, NULL);
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		runtime_feed(&rt, buf, n);
	fclose(f);
	runtime_flush(&rt);
	fflush(stdout);
	runtime_free(&rt);
	return 0;
}

int main(int argc, char **argv)
{
	struct ruleset rs;
	struct ruleset_options o = { .enable = "all" };
	static struct eql_event ev;
	static struct argv av[EQL_FIELDS_MAX];
	static struct argv_arg el[EQL_FIELDS_MAX][64];
	char *line = NULL, *store = NULL, **old = NULL;
	size_t nold = 0;
	const char *log = NULL;
	size_t cap = 0, used = 0, scap = 0;
	double limit_ms = 0, max_ms = 0;
	int status = 0, opt;
	bool gates = false;
	unsigned long event_no = 0;

	while ((opt = getopt(argc, argv, "t:pgr:")) != -1) {
		switch (opt) {
		case 't': limit_ms = atof(optarg); break;
		case 'p': o.plain = true; break;
		case 'g': gates = true; break;
		case 'r': log = optarg; break;
		default: optind = argc; break;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: eql_diff [-t MS] [-p] [-g | -r LOG] RULES_DIR [< events]\n");
		return 2;
	}
	o.rules_dir = argv[optind];
	if (log)
		return review(o.rules_dir, log, o.plain);
	ruleset_load(&rs, &o, NULL, NULL);
	if (gates) {
		status = print_gates(&rs);
		ruleset_free(&rs);
		return status;
	}
	memset(&ev, 0, sizeof(ev));
	for (;;) {
		ssize_t len = getline(&line, &cap, stdin);
		char kind, field[256], val[300000];

		if (len <= 1) {
			/* the end of an event: run it */
			if (used || len == 1) {
				struct timespec t0, t1;
				double ms;

				for (unsigned i = 0; i < ecs_nfields; i++)
					if (ecs_fields[i].flags & ECS_CONSTANT)
						ecs_fields[i].fill(NULL, NULL, &ev.f[i]);
				nids = 0;
				clock_gettime(CLOCK_MONOTONIC, &t0);
				ruleset_eval(&rs, &ev, on_match, NULL);
				clock_gettime(CLOCK_MONOTONIC, &t1);
				ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
				     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
				if (ms > max_ms)
					max_ms = ms;
				if (limit_ms > 0 && ms > limit_ms) {
					fprintf(stderr, "event %lu: %.1f ms\n", event_no, ms);
					status = 1;
				}
				qsort(ids, nids, sizeof(*ids), cmp_str);
				printf("%lu", event_no);
				for (size_t i = 0; i < nids; i++)
					printf(" %s", ids[i]);
				printf("\n");
				event_no++;
				memset(&ev, 0, sizeof(ev));
				memset(av, 0, sizeof(av));
				used = 0;
			}
			if (len < 0)
				break;
			continue;
		}
		if (sscanf(line, "%c %255s %299999s", &kind, field, val) != 3)
			continue;
		int f = ecs_field_find(field, strlen(field));
		if (f < 0)
			continue;
		size_t n = strlen(val) / 2 + 1;
		if (used + n > scap) {
			/* values stay where they are: a new block per event
			 * that outgrows the old one, the old kept to be freed
			 * at the end (LeakSanitizer fails the test else) */
			char **o2 = realloc(old, (nold + 1) * sizeof(*old));

			if (!o2)
				return 2;
			old = o2;
			old[nold++] = store;
			scap = (used + n) * 2 + 65536;
			store = malloc(scap);
			used = 0;
			if (!store)
				return 2;
		}
		char *dst = store + used;
		size_t k = kind == 'n' || kind == 'b' ? 0 : unhex(val, dst);
		used += k + 1;
		struct eql_value *v = &ev.f[f];
		switch (kind) {
		case 's':
			v->kind = k ? EQL_STRING : EQL_MISSING;
			v->s = dst;
			v->n = k;
			break;
		case 'a':
			v->kind = EQL_ARRAY;
			v->arr = &av[f];
			av[f].v = el[f];
			if (av[f].argc < 64) {
				el[f][av[f].argc].ptr = dst;
				el[f][av[f].argc].len = (uint32_t)k;
				av[f].argc++;
			}
			break;
		case 'n':
			v->kind = EQL_NUMBER;
			v->num = atoll(val);
			break;
		case 'b':
			v->kind = EQL_BOOL;
			v->num = atoi(val) != 0;
			break;
		default:
			break;
		}
	}
	free(line);
	free(store);
	for (size_t i = 0; i < nold; i++)
		free(old[i]);
	free(old);
	ruleset_free(&rs);
	if (limit_ms > 0) {
		struct eql_regex_counters c;

		eql_regex_counters(&c);
		fprintf(stderr, "eql_diff: slowest event %.2f ms; regex calls %llu, limit hits %llu, skipped %llu\n",
			max_ms, (unsigned long long)c.calls,
			(unsigned long long)c.limit_hits,
			(unsigned long long)c.skipped);
	}
	return status;
}
