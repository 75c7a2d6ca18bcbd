/*
 * sink.c - throttle, cap and write alerts.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <syslog.h>

#include "sink.h"

void sink_init(struct sink *s, enum sink_kind kind, FILE *out,
	       const struct sink_settings *set)
{
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->out = out;
	s->set = *set;
	sb_init(&s->line, 0);
	throttle_init(&s->thr, set->throttle_max, set->throttle_window);
}

void sink_reconfigure(struct sink *s, const struct sink_settings *set)
{
	s->set = *set;
	throttle_reconfigure(&s->thr, set->throttle_max, set->throttle_window);
}

void sink_free(struct sink *s)
{
	sb_free(&s->line);
}

static void emit(struct sink *s, int priority, const char *msg, size_t len)
{
	if (s->kind == SINK_SYSLOG) {
		syslog(priority, "%s", msg);
		return;
	}
	if (fwrite(msg, 1, len, s->out) != len || fputc('\n', s->out) == EOF)
		s->write_failed = true;
}

static void summary(struct sink *s, uint64_t n)
{
	char msg[256];
	int len;

	len = snprintf(msg, sizeof(msg),
		       "throttle: suppressed %llu alerts in the last %u s (limit %u per window)",
		       (unsigned long long)n, s->thr.window, s->thr.max);
	if (len > 0)
		emit(s, s->set.priority, msg,
		     (size_t)len < sizeof(msg) ? (size_t)len : sizeof(msg) - 1);
}

void sink_alert(struct sink *s, const struct alert *a, time_t now)
{
	static const char cee[] = "@cee: ";
	struct strbuf *l = &s->line;

	sink_tick(s, now);
	if (!throttle_allow(&s->thr, now)) {
		s->suppressed++;
		return;
	}
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
	emit(s, s->set.priority, sb_str(l), l->len);
	s->alerts++;
}

void sink_tick(struct sink *s, time_t now)
{
	uint64_t n = throttle_expire(&s->thr, now);

	if (n)
		summary(s, n);
}

void sink_finish(struct sink *s)
{
	/* At exit the window is cut short: report what it held back so
	 * the count is never lost. */
	uint64_t n = throttle_expire(&s->thr, (time_t)INT32_MAX);

	if (n)
		summary(s, n);
}
