/*
 * timerange.h - --start and --end as a sysadmin writes them, turned into
 * seconds since the epoch.
 *
 * Accepted, as ausearch's -ts/-te take them (one argument; quote the
 * space):
 *   now, recent (10 minutes ago), boot, this-hour, today, yesterday,
 *   this-week (Sunday, as ausearch in the C locale), week-ago, this-month,
 *   this-year: the start of that period, at midnight local time (ausearch
 *   says "1 second after midnight"; midnight itself is included here);
 *   "today" as an end means now, as in ausearch;
 *   a day keyword or a date followed by a time: "yesterday 18:00";
 *   a time alone, "18:00" or "18:00:05": today at that time;
 *   ausearch's dates: MM/DD/YYYY and MM/DD/YY (the C and en_US locales);
 *   ISO 8601: 2026-11-29, 2026-11-29T18:00[:05[.123]][Z|+01:00|+0100],
 *   the same with a space instead of the T;
 *   @SECONDS since the epoch.
 * Without a zone, times are local (TZ), as ausearch reads them. A date
 * without a time starts at midnight for --start and ends at 23:59:59 for
 * --end, so "--start 2026-11-28 --end 2026-11-28" is that whole day.
 *
 * Guarantees: a value is either read whole or rejected with a message
 * saying what was expected; fields are range-checked (month 1-12, the
 * day within its month, 00:00:00-23:59:60). No allocation.
 * Cost: a handful of comparisons and one mktime.
 */
#ifndef KS_TIMERANGE_H
#define KS_TIMERANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* What the relative words are relative to. */
struct timerange_clock {
	time_t now;
	time_t boot;   /* boot time; 0 when unknown ("boot" is then refused) */
};

/*
 * Parse arg as a --start (is_end false) or --end. Returns 0 with *out in
 * seconds since the epoch, or -1 with a message in err (without the
 * option's name).
 */
int timerange_parse(const char *arg, bool is_end,
		    const struct timerange_clock *clk, int64_t *out,
		    char *err, size_t errlen);

/* This machine's boot time from /proc/stat (btime), 0 when unknown. */
time_t timerange_boot_time(void);

#endif
