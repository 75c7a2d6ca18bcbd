/*
 * summary.c - counts kept while alerts are written, printed at the end
 * (see include/summary.h). Each kind of value is a bounded open hash of
 * owned byte strings with their counts.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strbuf.h"
#include "summary.h"

#define SLOTS (2 * SUMMARY_MAX_VALUES)

struct value {
	char *s;            /* NULL: empty slot */
	size_t n;
	uint64_t count;
};

struct counter {
	struct value *v;    /* SLOTS, allocated at the first value */
	size_t used;
	uint64_t other;     /* values past SUMMARY_MAX_VALUES */
};

enum kind { K_HOST, K_USER, K_PARENT, K_CMD, K_KINDS };

static const char *const kind_name[K_KINDS] = {
	"hosts", "users", "parents", "commands",
};
static const char *const kind_label[K_KINDS] = {
	"hosts:", "users:", "parents:", "commands:",
};

struct rule_sum {
	const struct rule_meta *rule;
	char *id, *name;
	uint64_t alerts;
	int64_t first_s, last_s;
	unsigned first_ms, last_ms;
	struct counter c[K_KINDS];
};

struct day {
	int64_t day;        /* days since the epoch, UTC */
	uint64_t count;
};

struct summary {
	struct rule_sum rules[SUMMARY_MAX_RULES];
	size_t nrules;
	uint64_t alerts, other_rules;
	struct day days[SUMMARY_MAX_DAYS];
	size_t ndays;
	uint64_t other_days;
};

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static void count(struct counter *c, const char *s, size_t n)
{
	size_t i;

	if (!c->v) {
		c->v = calloc(SLOTS, sizeof(*c->v));
		if (!c->v) {
			c->other++;
			return;
		}
	}
	i = (size_t)(hash(s, n) % SLOTS);
	while (c->v[i].s) {
		if (c->v[i].n == n && memcmp(c->v[i].s, s, n) == 0) {
			c->v[i].count++;
			return;
		}
		i = (i + 1) % SLOTS;
	}
	if (c->used == SUMMARY_MAX_VALUES || !(c->v[i].s = malloc(n + 1))) {
		c->other++;
		return;
	}
	memcpy(c->v[i].s, s, n);
	c->v[i].s[n] = '\0';
	c->v[i].n = n;
	c->v[i].count = 1;
	c->used++;
}

static char *dup_str(const char *s)
{
	char *d = strdup(s ? s : "");

	return d;
}

static struct rule_sum *rule_of(struct summary *s, const struct rule_meta *m)
{
	size_t i;

	for (i = 0; i < s->nrules; i++)
		if (s->rules[i].rule == m ||
		    (m->id && strcmp(s->rules[i].id, m->id) == 0 &&
		     strcmp(s->rules[i].name, m->name ? m->name : "") == 0))
			return &s->rules[i];
	if (s->nrules == SUMMARY_MAX_RULES)
		return NULL;
	s->rules[i].rule = m;
	s->rules[i].id = dup_str(m->id);
	s->rules[i].name = dup_str(m->name);
	if (!s->rules[i].id || !s->rules[i].name) {
		free(s->rules[i].id);
		free(s->rules[i].name);
		return NULL;
	}
	s->nrules++;
	return &s->rules[i];
}

static void count_day(struct summary *s, int64_t sec)
{
	int64_t d = sec >= 0 ? sec / 86400 : (sec - 86399) / 86400;
	size_t i, j;

	for (i = 0; i < s->ndays && s->days[i].day < d; i++)
		;
	if (i < s->ndays && s->days[i].day == d) {
		s->days[i].count++;
		return;
	}
	if (s->ndays == SUMMARY_MAX_DAYS) {
		s->other_days++;
		return;
	}
	for (j = s->ndays; j > i; j--)
		s->days[j] = s->days[j - 1];
	s->days[i].day = d;
	s->days[i].count = 1;
	s->ndays++;
}

struct summary *summary_new(void)
{
	return calloc(1, sizeof(struct summary));
}

void summary_free(struct summary *s)
{
	size_t i, k, j;

	if (!s)
		return;
	for (i = 0; i < s->nrules; i++) {
		for (k = 0; k < K_KINDS; k++) {
			struct counter *c = &s->rules[i].c[k];

			for (j = 0; c->v && j < SLOTS; j++)
				free(c->v[j].s);
			free(c->v);
		}
		free(s->rules[i].id);
		free(s->rules[i].name);
	}
	free(s);
}

uint64_t summary_alerts(const struct summary *s)
{
	return s->alerts;
}

void summary_add(struct summary *s, const struct alert *a)
{
	const struct exec_event *ev = a->ev;
	struct rule_sum *r;
	char buf[SUMMARY_CMDLINE_MAX + 4], uid[16];
	size_t n = 0;
	uint32_t i;

	s->alerts++;
	count_day(s, (int64_t)ev->sec);
	r = rule_of(s, a->rule);
	if (!r) {
		s->other_rules++;
		return;
	}
	if (!r->alerts || (int64_t)ev->sec < r->first_s ||
	    ((int64_t)ev->sec == r->first_s && ev->msec < r->first_ms)) {
		r->first_s = (int64_t)ev->sec;
		r->first_ms = ev->msec;
	}
	if (!r->alerts || (int64_t)ev->sec > r->last_s ||
	    ((int64_t)ev->sec == r->last_s && ev->msec > r->last_ms)) {
		r->last_s = (int64_t)ev->sec;
		r->last_ms = ev->msec;
	}
	r->alerts++;
	if (ev->node[0])
		count(&r->c[K_HOST], ev->node, strlen(ev->node));
	else
		count(&r->c[K_HOST], a->host, strlen(a->host));
	if (ev->uid == EXEC_ID_UNSET)
		count(&r->c[K_USER], "(unset)", 7);
	else
		count(&r->c[K_USER], uid,
		      (size_t)snprintf(uid, sizeof(uid), "%u", ev->uid));
	if (a->parent && a->parent->exe[0])
		count(&r->c[K_PARENT], a->parent->exe,
		      strlen(a->parent->exe));
	else
		count(&r->c[K_PARENT], "(unknown)", 9);
	/* the command line: argv joined by spaces, cut */
	for (i = 0; i < ev->argv->argc && n < SUMMARY_CMDLINE_MAX; i++) {
		size_t l = ev->argv->v[i].len;

		if (i)
			buf[n++] = ' ';
		if (l > SUMMARY_CMDLINE_MAX - n)
			l = SUMMARY_CMDLINE_MAX - n;
		memcpy(buf + n, ev->argv->v[i].ptr, l);
		n += l;
	}
	if (n >= SUMMARY_CMDLINE_MAX && (i < ev->argv->argc ||
					 n < ev->argv->total_bytes)) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	count(&r->c[K_CMD], buf, n);
}

/* ---- output ------------------------------------------------------------ */

static void put_time(struct strbuf *sb, int64_t sec, unsigned ms, bool with_ms)
{
	time_t t = (time_t)sec;
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	sb_printf(sb, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
		  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (with_ms)
		sb_printf(sb, ".%03u", ms > 999 ? 999 : ms);
	sb_adds(sb, "Z");
}

static void put_day(struct strbuf *sb, int64_t day)
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	sb_printf(sb, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		  tm.tm_mday);
}

static int by_count(const void *a, const void *b)
{
	const struct value *x = *(const struct value *const *)a;
	const struct value *y = *(const struct value *const *)b;
	int c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
	return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* The top SUMMARY_TOP values, most frequent first (ties: bytewise). */
static size_t top(const struct counter *c, const struct value **out)
{
	const struct value *all[SUMMARY_MAX_VALUES];
	size_t i, n = 0;

	for (i = 0; c->v && i < SLOTS; i++)
		if (c->v[i].s)
			all[n++] = &c->v[i];
	qsort(all, n, sizeof(all[0]), by_count);
	if (n > SUMMARY_TOP)
		n = SUMMARY_TOP;
	memcpy(out, all, n * sizeof(all[0]));
	return n;
}

static void text_values(struct strbuf *sb, const struct counter *c,
			const char *label)
{
	const struct value *t[SUMMARY_TOP];
	size_t n = top(c, t), i;

	sb_printf(sb, "  %-9s", label);
	for (i = 0; i < n; i++) {
		sb_adds(sb, i ? ", \"" : " \"");
		alert_escape_text(sb, t[i]->s, t[i]->n);
		sb_printf(sb, "\" (%llu)", (unsigned long long)t[i]->count);
	}
	if (c->used > n)
		sb_printf(sb, "%s%zu more", n ? ", " : " ", c->used - n);
	if (c->other)
		sb_printf(sb, " (%llu alerts with further values not told apart)",
			  (unsigned long long)c->other);
	sb_adds(sb, "\n");
}

static void json_values(struct strbuf *sb, const struct counter *c,
			const char *label)
{
	const struct value *t[SUMMARY_TOP];
	size_t n = top(c, t), i;

	sb_printf(sb, ",\"%s\":[", label);
	for (i = 0; i < n; i++) {
		sb_adds(sb, i ? ",{\"value\":\"" : "{\"value\":\"");
		alert_escape_json(sb, t[i]->s, t[i]->n);
		sb_printf(sb, "\",\"alerts\":%llu}",
			  (unsigned long long)t[i]->count);
	}
	sb_printf(sb, "],\"%s_distinct\":%zu", label, c->used);
}

static void text_head(struct strbuf *sb, const struct summary *s,
		      const struct summary_input *in)
{
	sb_printf(sb, "summary: %s%llu alert%s in %llu exec event%s from %u file%s",
		  s->alerts ? "" : "no alerts (",
		  (unsigned long long)s->alerts, s->alerts == 1 ? "" : "s",
		  (unsigned long long)in->events, in->events == 1 ? "" : "s",
		  in->files, in->files == 1 ? "" : "s");
	if (!s->alerts) {
		/* "no alerts (0 alerts in ..." reads badly: one plain line */
		sb_reset(sb);
		sb_printf(sb, "summary: no alerts in %llu exec event%s from %u file%s",
			  (unsigned long long)in->events,
			  in->events == 1 ? "" : "s", in->files,
			  in->files == 1 ? "" : "s");
	}
	if (in->first) {
		sb_adds(sb, ", ");
		put_time(sb, in->first, 0, false);
		sb_adds(sb, " to ");
		put_time(sb, in->last, 0, false);
	}
	sb_adds(sb, "\n");
}

static void text(struct strbuf *sb, const struct summary *s,
		 const struct summary_input *in)
{
	uint64_t max = 0;
	size_t i, k, w;

	text_head(sb, s, in);
	if (!s->alerts)
		return;
	for (i = 0; i < s->nrules; i++) {
		const struct rule_sum *r = &s->rules[i];

		sb_adds(sb, "rule \"");
		alert_escape_text(sb, r->name, strlen(r->name));
		sb_adds(sb, "\" (");
		alert_escape_text(sb, r->id, strlen(r->id));
		sb_printf(sb, "): %llu alert%s, first ",
			  (unsigned long long)r->alerts,
			  r->alerts == 1 ? "" : "s");
		put_time(sb, r->first_s, r->first_ms, true);
		sb_adds(sb, ", last ");
		put_time(sb, r->last_s, r->last_ms, true);
		sb_adds(sb, "\n");
		for (k = 0; k < K_KINDS; k++)
			text_values(sb, &r->c[k], kind_label[k]);
	}
	if (s->other_rules)
		sb_printf(sb, "(%llu alerts of further rules not told apart)\n",
			  (unsigned long long)s->other_rules);
	for (i = 0; i < s->ndays; i++)
		if (s->days[i].count > max)
			max = s->days[i].count;
	sb_adds(sb, "alerts per day (UTC):\n");
	for (i = 0; i < s->ndays; i++) {
		sb_adds(sb, "  ");
		put_day(sb, s->days[i].day);
		sb_adds(sb, " ");
		/* at least one mark for a day with alerts */
		w = (size_t)((s->days[i].count * SUMMARY_BAR + max - 1) / max);
		for (k = 0; k < w; k++)
			sb_addc(sb, '#');
		sb_printf(sb, " %llu\n", (unsigned long long)s->days[i].count);
	}
	if (s->other_days)
		sb_printf(sb, "  (%llu alerts on further days)\n",
			  (unsigned long long)s->other_days);
}

static void json(struct strbuf *sb, const struct summary *s,
		 const struct summary_input *in)
{
	size_t i, k;

	sb_printf(sb, "{\"summary\":{\"alerts\":%llu,\"events\":%llu,\"files\":%u",
		  (unsigned long long)s->alerts,
		  (unsigned long long)in->events, in->files);
	if (in->first) {
		sb_adds(sb, ",\"from\":\"");
		put_time(sb, in->first, 0, false);
		sb_adds(sb, "\",\"to\":\"");
		put_time(sb, in->last, 0, false);
		sb_adds(sb, "\"");
	}
	sb_adds(sb, ",\"rules\":[");
	for (i = 0; i < s->nrules; i++) {
		const struct rule_sum *r = &s->rules[i];

		sb_adds(sb, i ? ",{\"id\":\"" : "{\"id\":\"");
		alert_escape_json(sb, r->id, strlen(r->id));
		sb_adds(sb, "\",\"name\":\"");
		alert_escape_json(sb, r->name, strlen(r->name));
		sb_printf(sb, "\",\"alerts\":%llu,\"first\":\"",
			  (unsigned long long)r->alerts);
		put_time(sb, r->first_s, r->first_ms, true);
		sb_adds(sb, "\",\"last\":\"");
		put_time(sb, r->last_s, r->last_ms, true);
		sb_adds(sb, "\"");
		for (k = 0; k < K_KINDS; k++)
			json_values(sb, &r->c[k], kind_name[k]);
		sb_adds(sb, "}");
	}
	sb_adds(sb, "],\"per_day\":[");
	for (i = 0; i < s->ndays; i++) {
		sb_adds(sb, i ? ",{\"day\":\"" : "{\"day\":\"");
		put_day(sb, s->days[i].day);
		sb_printf(sb, "\",\"alerts\":%llu}",
			  (unsigned long long)s->days[i].count);
	}
	sb_adds(sb, "]}}\n");
}

int summary_write(const struct summary *s, FILE *out,
		  enum summary_format fmt, const struct summary_input *in)
{
	struct strbuf sb;
	int rc;

	sb_init(&sb, 0);
	if (fmt == SUMMARY_JSON)
		json(&sb, s, in);
	else
		text(&sb, s, in);
	rc = sb.nomem || fwrite(sb_str(&sb), 1, sb.len, out) != sb.len ?
	     -1 : 0;
	sb_free(&sb);
	return rc;
}
