/*
 * progress.h - one line on a terminal saying how far a long review is:
 * the file being read (and which of how many), bytes done and in all,
 * the rate, the time left and the alerts so far. It is redrawn in place
 * at most PROGRESS_REFRESH_MS apart and erased at the end.
 *
 * Guarantees: shown only when standard error is a terminal (not a pipe,
 * not a file, so never in CI logs), TERM is not "dumb", --quiet is not
 * given, and the review has run PROGRESS_DELAY_MS (a short review prints
 * nothing); the environment variable KS_PROGRESS_DELAY_MS overrides the
 * delay (the tests use 0). Cut to the terminal's width, so it never
 * wraps. progress_clear erases it before anything else is written to the
 * terminal, so alerts on the same terminal are never mixed with it. The
 * file name is escaped as diagnostics are (diag_quote).
 * Cost: one clock_gettime per progress_update; a redraw is one write.
 */
#ifndef KS_PROGRESS_H
#define KS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROGRESS_DELAY_MS 2000
#define PROGRESS_REFRESH_MS 250

struct progress {
	bool on;              /* allowed to show (a terminal, not --quiet) */
	bool shown;           /* a line is on the screen now */
	int fd;
	uint64_t start_ms, last_ms, delay_ms;
	uint64_t total;       /* bytes of all inputs (0: unknown) */
	unsigned nfiles;
};

/* What the line says. */
struct progress_state {
	const char *file;
	unsigned file_no;     /* 1-based */
	uint64_t done;        /* bytes read of all inputs */
	uint64_t alerts;
};

/* fd: where the line goes (standard error); quiet: --quiet. */
void progress_init(struct progress *p, int fd, bool quiet, uint64_t total,
		   unsigned nfiles);
void progress_update(struct progress *p, const struct progress_state *st);
/* Erase the line, if one is shown (before an alert, at the end). */
void progress_clear(struct progress *p);

/* The line itself, for a given elapsed time (ms), cut to width columns:
 * "audit.log.2 (3/5)  412.0 of 1204.3 MB  95.2 MB/s  0:08 left  2 alerts". */
void progress_format(char *buf, size_t cap, const struct progress *p,
		     const struct progress_state *st, uint64_t elapsed_ms,
		     unsigned width);

#endif
