/*
 * progress.c - the review's progress line (see include/progress.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "progress.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void progress_init(struct progress *p, int fd, bool quiet, uint64_t total,
		   unsigned nfiles)
{
	const char *term = getenv("TERM"), *d = getenv("KS_PROGRESS_DELAY_MS");

	memset(p, 0, sizeof(*p));
	p->fd = fd;
	p->on = !quiet && isatty(fd) && !(term && strcmp(term, "dumb") == 0);
	p->delay_ms = PROGRESS_DELAY_MS;
	if (d && *d >= '0' && *d <= '9')
		p->delay_ms = strtoull(d, NULL, 10);
	p->total = total;
	p->nfiles = nfiles;
	p->start_ms = now_ms();
}

static void mb(char *b, size_t cap, uint64_t bytes)
{
	snprintf(b, cap, "%.1f", (double)bytes / 1e6);
}

void progress_format(char *buf, size_t cap, const struct progress *p,
		     const struct progress_state *st, uint64_t elapsed_ms,
		     unsigned width)
{
	char name[128], done[32], total[32], left[32] = "";
	double rate = elapsed_ms ? (double)st->done / 1e6 /
			  ((double)elapsed_ms / 1000.0) : 0.0;
	const char *base = st->file ? strrchr(st->file, '/') : NULL;
	size_t n;

	base = base ? base + 1 : st->file ? st->file : "-";
	diag_quote(name, sizeof(name) > 48 ? 48 : sizeof(name), base,
		   strlen(base));
	mb(done, sizeof(done), st->done);
	mb(total, sizeof(total), p->total);
	if (p->total > st->done && st->done && elapsed_ms) {
		uint64_t s = (uint64_t)((double)(p->total - st->done) /
					((double)st->done / (double)elapsed_ms) /
					1000.0);

		snprintf(left, sizeof(left), "  %llu:%02llu left",
			 (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	}
	snprintf(buf, cap, "%s (%u/%u)  %s of %s MB  %.1f MB/s%s  %llu alert%s",
		 name, st->file_no, p->nfiles, done,
		 p->total ? total : "?", rate, left,
		 (unsigned long long)st->alerts, st->alerts == 1 ? "" : "s");
	/* one column short of the width: the cursor at the last column
	 * would wrap on some terminals */
	n = strlen(buf);
	if (width > 1 && n > width - 1)
		buf[width - 1] = '\0';
}

void progress_update(struct progress *p, const struct progress_state *st)
{
	char line[256], out[300];
	struct winsize ws;
	unsigned width = 80;
	uint64_t t;
	int n;

	if (!p->on)
		return;
	t = now_ms();
	if (t - p->start_ms < p->delay_ms ||
	    (p->shown && t - p->last_ms < PROGRESS_REFRESH_MS))
		return;
	p->last_ms = t;
	if (ioctl(p->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		width = ws.ws_col;
	progress_format(line, sizeof(line), p, st, t - p->start_ms, width);
	/* \r and erase to the end of the line: redrawn in place */
	n = snprintf(out, sizeof(out), "\r\033[K%s", line);
	if (n > 0 && write(p->fd, out, (size_t)n) == n)
		p->shown = true;
}

void progress_clear(struct progress *p)
{
	if (!p->shown)
		return;
	p->shown = false;
	if (write(p->fd, "\r\033[K", 4) != 4)
		p->on = false;
}
