/*
 * throttle.h - at most `max` alerts per `window` seconds, and an exact count
 * of what was held back.
 *
 * Windows are fixed, not sliding: a window opens at the first alert after
 * the previous one closed and closes `window` seconds later (at
 * start + window exactly), so a quiet period costs nothing and a burst gets
 * `max` alerts through at once. Alerts over the limit are suppressed and
 * counted, per window and in total. When a window with suppressed alerts
 * closes, throttle_expire() hands the count over once so the caller can log
 * one summary line; a count is never lost, even when the next alert arrives
 * before the caller asked.
 *
 * Time is a monotonic count of seconds chosen by the caller. A value older
 * than the window's start (a clock that went backwards) is treated as inside
 * the current window: nothing is reset and nothing breaks.
 *
 * Off (max == 0 or window == 0): every alert is allowed.
 *
 * Cost: O(1), no allocation. Not thread-safe.
 */
#ifndef KS_THROTTLE_H
#define KS_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct throttle {
	unsigned max;            /* alerts per window; 0: off */
	unsigned window;         /* seconds; 0: off */
	bool open;               /* a window is running */
	time_t start;            /* when it opened */
	unsigned allowed;        /* alerts let through in it */
	uint64_t suppressed;     /* alerts held back in it */
	uint64_t pending;        /* held back in closed windows, not reported */
	uint64_t suppressed_total;
};

void throttle_init(struct throttle *t, unsigned max, unsigned window);

/* One alert at `now`: true to emit it, false when it is suppressed (and
 * counted). */
bool throttle_allow(struct throttle *t, time_t now);

/*
 * Call periodically and before exit. When the current window has closed
 * (now >= start + window), ends it, so the next alert opens a new one.
 * Returns the number of alerts suppressed in windows that have closed since
 * the last call (0 if none): when non-zero, log one summary line.
 */
uint64_t throttle_expire(struct throttle *t, time_t now);

/* Everything ever suppressed (reported or not). */
uint64_t throttle_suppressed_total(const struct throttle *t);

#endif
