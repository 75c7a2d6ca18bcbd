/*
 * sink.c - cap and write alerts.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "sink.h"

void sink_init(struct sink *s, enum sink_kind kind, FILE *out,
	       struct logsock *log, const struct sink_settings *set)
{
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->out = out;
	s->log = log;
	s->set = *set;
	sb_init(&s->line, 0);
}

void sink_reconfigure(struct sink *s, const struct sink_settings *set)
{
	s->set = *set;
}

void sink_free(struct sink *s)
{
	sb_free(&s->line);
}

static void emit(struct sink *s, const char *msg, size_t len)
{
	if (s->kind == SINK_SYSLOG) {
		logsock_send(s->log, s->set.priority, msg, len);
		return;
	}
	if (fwrite(msg, 1, len, s->out) != len || fputc('\n', s->out) == EOF)
		s->write_failed = true;
}

void sink_alert(struct sink *s, const struct alert *a)
{
	static const char cee[] = "@cee: ";
	struct strbuf *l = &s->line;

	alert_format(l, a, s->set.format, s->set.max_len);
	if (s->set.format == ALERT_FORMAT_JSON && s->set.cee_cookie) {
		/* Prepend in place: the cookie is outside the size cap, so
		 * the JSON itself keeps all of its budget. */
		size_t n = l->len;

		sb_add(l, cee, sizeof(cee) - 1);
		if (l->len == n + sizeof(cee) - 1) {
			memmove(l->buf + sizeof(cee) - 1, l->buf, n);
			memcpy(l->buf, cee, sizeof(cee) - 1);
		}
	}
	emit(s, sb_str(l), l->len);
	s->alerts++;
}

void sink_suppressed(struct sink *s, const struct rule_meta *rule,
		     uint64_t n, unsigned max, unsigned window)
{
	struct strbuf *l = &s->line;

	/* Rule name and id come from a rule file: escape them like any text
	 * that ends up in a log line. */
	sb_reset(l);
	sb_printf(l, "throttle: suppressed %llu alerts of rule \"",
		  (unsigned long long)n);
	alert_escape_text(l, rule->name, strlen(rule->name));
	sb_adds(l, "\" rule_id=");
	alert_escape_text(l, rule->id, strlen(rule->id));
	sb_printf(l, " in the last %u s (limit %u per window)", window, max);
	emit(s, sb_str(l), l->len);
}
