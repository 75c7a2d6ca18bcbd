/*
 * timerange.c - --start/--end values (see include/timerange.h): a small
 * cursor parser, strict about every field, and one mktime (or timegm
 * with an explicit zone) at the end.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timerange.h"

#define EXPECTED "now, recent, boot, this-hour, today, yesterday, " \
	"this-week, week-ago, this-month, this-year, a date (2026-11-29, " \
	"11/29/2026), a time (18:00 or 18:00:05), a date or day word and a " \
	"time, ISO 8601 (2026-11-29T18:00:05Z) or @SECONDS"

struct when {
	int y, mo, d, h, mi, s;
	bool have_date, have_time, have_zone;
	long zone;          /* seconds east of UTC */
};

/* exactly n digits (n > 0) into *v */
static const char *num(const char *p, int n, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return NULL;
		x = x * 10 + (p[i] - '0');
	}
	*v = x;
	return p + n;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool valid_date(const struct when *w)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };

	if (w->y < 1970 || w->y > 9999 || w->mo < 1 || w->mo > 12 || w->d < 1)
		return false;
	return w->d <= mdays[w->mo - 1] + (w->mo == 2 && leap(w->y));
}

/* HH:MM[:SS[.frac]] */
static const char *parse_time(const char *p, struct when *w)
{
	p = num(p, 2, &w->h);
	if (!p || *p != ':')
		return NULL;
	p = num(p + 1, 2, &w->mi);
	if (!p)
		return NULL;
	w->s = 0;
	if (*p == ':') {
		p = num(p + 1, 2, &w->s);
		if (!p)
			return NULL;
		if (*p == '.' || *p == ',') {
			/* fractions are read and ignored: the range is kept
			 * to the second */
			if (p[1] < '0' || p[1] > '9')
				return NULL;
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
		}
	}
	if (w->h > 23 || w->mi > 59 || w->s > 60)
		return NULL;
	w->have_time = true;
	return p;
}

/* Z, +hh:mm, +hhmm, +hh */
static const char *parse_zone(const char *p, struct when *w)
{
	int h, m = 0, sign;

	if (*p == 'Z' || *p == 'z') {
		w->have_zone = true;
		w->zone = 0;
		return p + 1;
	}
	if (*p != '+' && *p != '-')
		return p;
	sign = *p == '-' ? -1 : 1;
	p = num(p + 1, 2, &h);
	if (!p)
		return NULL;
	if (*p == ':') {
		p = num(p + 1, 2, &m);
		if (!p)
			return NULL;
	} else if (*p >= '0' && *p <= '9') {
		p = num(p, 2, &m);
		if (!p)
			return NULL;
	}
	if (h > 14 || m > 59)
		return NULL;
	w->have_zone = true;
	w->zone = sign * (h * 3600L + m * 60L);
	return p;
}

/* YYYY-MM-DD, MM/DD/YYYY, MM/DD/YY; *iso says which */
static const char *parse_date(const char *p, struct when *w, bool *iso)
{
	const char *q;

	if ((q = num(p, 4, &w->y)) && *q == '-') {
		q = num(q + 1, 2, &w->mo);
		q = q && *q == '-' ? num(q + 1, 2, &w->d) : NULL;
		*iso = true;
	} else if ((q = num(p, 2, &w->mo)) && *q == '/') {
		q = num(q + 1, 2, &w->d);
		if (q && *q == '/') {
			const char *r = num(q + 1, 4, &w->y);

			if (!r) {
				r = num(q + 1, 2, &w->y);
				/* as strptime's %y: 69-99 are 19xx */
				if (r)
					w->y += w->y < 69 ? 2000 : 1900;
			}
			q = r;
		} else {
			q = NULL;
		}
		*iso = false;
	} else {
		return NULL;
	}
	if (!q || !valid_date(w))
		return NULL;
	w->have_date = true;
	return q;
}

static void local_day(time_t t, struct when *w)
{
	struct tm tm;

	localtime_r(&t, &tm);
	w->y = tm.tm_year + 1900;
	w->mo = tm.tm_mon + 1;
	w->d = tm.tm_mday;
	w->have_date = true;
}

static int64_t to_epoch(const struct when *w)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = w->y - 1900;
	tm.tm_mon = w->mo - 1;
	tm.tm_mday = w->d;
	tm.tm_hour = w->h;
	tm.tm_min = w->mi;
	tm.tm_sec = w->s;
	if (w->have_zone)
		return (int64_t)timegm(&tm) - w->zone;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* The day words: set w's date (local) to the day the word starts. */
static bool day_word(const char *s, size_t n, const struct timerange_clock *c,
		     struct when *w)
{
	struct tm tm;
	time_t t = c->now;

	localtime_r(&t, &tm);
	if (n == 5 && memcmp(s, "today", 5) == 0) {
		/* as it is */
	} else if (n == 9 && memcmp(s, "yesterday", 9) == 0) {
		tm.tm_mday -= 1;
	} else if (n == 9 && memcmp(s, "this-week", 9) == 0) {
		tm.tm_mday -= tm.tm_wday;
	} else if (n == 8 && memcmp(s, "week-ago", 8) == 0) {
		tm.tm_mday -= 7;
	} else if (n == 10 && memcmp(s, "this-month", 10) == 0) {
		tm.tm_mday = 1;
	} else if (n == 9 && memcmp(s, "this-year", 9) == 0) {
		tm.tm_mday = 1;
		tm.tm_mon = 0;
	} else {
		return false;
	}
	/* normalise the day arithmetic at noon: no DST edge moves it */
	tm.tm_hour = 12;
	tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	local_day(t, w);
	return true;
}

int timerange_parse(const char *arg, bool is_end,
		    const struct timerange_clock *clk, int64_t *out,
		    char *err, size_t errlen)
{
	struct when w;
	const char *p = arg, *sp;
	size_t n;
	bool iso = false;

	memset(&w, 0, sizeof(w));
	while (*p == ' ')
		p++;
	sp = strchr(p, ' ');
	n = sp ? (size_t)(sp - p) : strlen(p);

	if (*p == '@') {
		char *end;
		long long v;

		if (p[1] < '0' || p[1] > '9')
			goto bad;
		v = strtoll(p + 1, &end, 10);
		while (*end == ' ')
			end++;
		if (*end || v > 253402300799LL)
			goto bad;
		*out = v;
		return 0;
	}
	if (!sp && n == 3 && memcmp(p, "now", 3) == 0) {
		*out = clk->now;
		return 0;
	}
	if (!sp && n == 6 && memcmp(p, "recent", 6) == 0) {
		*out = clk->now - 600;
		return 0;
	}
	if (!sp && n == 4 && memcmp(p, "boot", 4) == 0) {
		if (!clk->boot) {
			snprintf(err, errlen, "'boot': this machine's boot time is unknown (no btime in /proc/stat)");
			return -1;
		}
		*out = clk->boot;
		return 0;
	}
	if (!sp && n == 9 && memcmp(p, "this-hour", 9) == 0) {
		/* local: a zone may be off UTC by a part of an hour */
		struct tm tm;
		time_t t = clk->now;

		localtime_r(&t, &tm);
		tm.tm_min = tm.tm_sec = 0;
		*out = (int64_t)mktime(&tm);
		return 0;
	}
	if (!sp && is_end && n == 5 && memcmp(p, "today", 5) == 0) {
		*out = clk->now;
		return 0;
	}
	if (day_word(p, n, clk, &w)) {
		p += n;
	} else if ((sp = parse_date(p, &w, &iso)) != NULL) {
		p = sp;
		if (iso && (*p == 'T' || *p == 't') && p[1] >= '0' &&
		    p[1] <= '9')
			p++;
	} else if ((sp = parse_time(p, &w)) != NULL) {
		local_day(clk->now, &w);
		p = sp;
		goto zone;
	} else {
		goto bad;
	}
	while (*p == ' ')
		p++;
	if (*p) {
		if (p[-1] != ' ' && p[-1] != 'T' && p[-1] != 't')
			goto bad;
		p = parse_time(p, &w);
		if (!p)
			goto bad;
	}
zone:
	if (iso || !w.have_date || w.have_time) {
		const char *z = parse_zone(p, &w);

		if (!z)
			goto bad;
		if (w.have_zone && !iso)
			goto bad;
		p = z;
	}
	while (*p == ' ')
		p++;
	if (*p)
		goto bad;
	if (!w.have_time && is_end) {
		w.h = 23;
		w.mi = 59;
		w.s = 59;
	}
	*out = to_epoch(&w);
	return 0;
bad:
	snprintf(err, errlen, "'%.80s' is not a time: expected %s", arg,
		 EXPECTED);
	return -1;
}

time_t timerange_boot_time(void)
{
	FILE *f = fopen("/proc/stat", "re");
	char line[256];
	long long bt = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %lld", &bt) == 1)
			break;
	fclose(f);
	return (time_t)bt;
}
