/*
 * throttle.c - fixed-window alert limit (see throttle.h).
 */
#include "config.h"

#include <string.h>

#include "throttle.h"

static bool is_off(const struct throttle *t)
{
	return t->max == 0 || t->window == 0;
}

/* Written without start + window so that no value of `now` or `start`
 * can overflow time_t; now < start (time went back) is not closed. */
static bool window_closed(const struct throttle *t, time_t now)
{
	if (!t->open || now < t->start)
		return false;
	return (uintmax_t)now - (uintmax_t)t->start >= t->window;
}

/* End the current window, keeping its suppressed count for reporting. */
static void close_window(struct throttle *t)
{
	t->pending += t->suppressed;
	t->suppressed = 0;
	t->allowed = 0;
	t->open = false;
}

void throttle_init(struct throttle *t, unsigned max, unsigned window)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	t->window = window;
}

bool throttle_allow(struct throttle *t, time_t now)
{
	if (is_off(t))
		return true;
	if (window_closed(t, now))
		close_window(t);
	if (!t->open) {
		t->open = true;
		t->start = now;
	}
	if (t->allowed < t->max) {
		t->allowed++;
		return true;
	}
	t->suppressed++;
	t->suppressed_total++;
	return false;
}

uint64_t throttle_expire(struct throttle *t, time_t now)
{
	uint64_t n;

	if (window_closed(t, now))
		close_window(t);
	n = t->pending;
	t->pending = 0;
	return n;
}

uint64_t throttle_suppressed_total(const struct throttle *t)
{
	return t->suppressed_total;
}
