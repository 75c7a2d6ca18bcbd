/*
 * prefilter.h - audit log text in, the part of it auparse must see out.
 *
 * auparse's per-record parse is most of the plugin's cost, and most records
 * on a real system belong to events that can never be an exec or a fork.
 * The prefilter splits its input into lines and hands on (to `emit`) only
 * the lines that may matter, from one cheap look at each line's head:
 * node=, type=, msg=audit(ID) and, for a SYSCALL, arch= and syscall=.
 *
 * Guarantees:
 * - What it emits, concatenated, is its input with whole lines removed, in
 *   input order, and the carriage return of lines that end in \r\n (or in
 *   \r at the end of input) left out: Windows line endings read as Unix
 *   ones. It never reorders or invents a byte, and changes none unless
 *   asked to (prefilter_set_options: unread fields of SYSCALL records
 *   cut, a PROCTITLE that its EOE follows removed). When unsure
 *   (garbage, unknown type, quoted or duplicated arch/syscall, an id fallen
 *   out of the rings below) it keeps a line, unless the line's type alone
 *   rules it out (rules 2 and 5 below).
 * - A line is removed only when it cannot change an exec, fork or login
 *   event that auparse assembles. A line without a "[node=N ]type=T msg=audit(ID)"
 *   head is kept; for the others the first rule that applies decides:
 *     1. the first record of a new second of log time: kept (and its id),
 *        so that auparse's timeouts by log time fire as without the
 *        prefilter;
 *     2. records never read for an exec and never ending an event in
 *        auparse (PATH, BPRM_FCAPS, SOCKADDR, CONFIG_CHANGE, ...): removed;
 *     3. the login records LOGIN, USER_START and USER_END (the session
 *        table's input, include/login_event.h), but USER_START and
 *        USER_END outside any session (login_without_session): kept,
 *        their ids not remembered (LOGIN shares its id with the write()
 *        that set the loginuid, which rule 6 drops);
 *     4. a record of a kept id: kept; of a dropped id: removed;
 *     5. other user-space records (USER_*, CRED_*, DAEMON_*...; their own
 *        serials): removed;
 *     6. a SYSCALL whose arch= and syscall= (each once, unquoted) name
 *        neither an exec nor a fork: removed, its id dropped;
 *     7. anything else (exec and fork SYSCALLs, EXECVE, CWD, PROCTITLE,
 *        EOE, unknown types): kept, its id kept (a record may come before
 *        its SYSCALL).
 *   With prefilter_options.proctitle, a PROCTITLE kept by rule 4 whose
 *   next kept line is its event's EOE is removed too.
 *   (tests/test_event_assembly.c checks that the exec, fork and login
 *   events are the same with and without the prefilter on real and
 *   reshaped streams.)
 * - Which lines are removed never depends on how the input is chunked:
 *   lines may be split anywhere between calls to prefilter_feed. Only how
 *   the emitted bytes are cut into emit calls does.
 * - Bounded memory whatever the input: a line of PREFILTER_LINE_CAP bytes
 *   or more (its newline not counted) is decided on its first
 *   PREFILTER_LINE_CAP bytes, where rule 6 does not apply, and the rest
 *   follows that decision, streamed through or skipped, never buffered.
 *   Kept and dropped ids are two rings of the PREFILTER_IDS most recent
 *   ones (records of one event come together; a few events interleave); an
 *   id that fell out is unknown again.
 *
 * Cost: per line, a memchr for its newline, a look at its head (an FNV
 * hash of node and id, a lookup in a cache of the first 32 type names
 * seen, libaudit's name lookup for others, at most 2 * PREFILTER_IDS id
 * compares) and for a SYSCALL one pass over its tokens (two when it is
 * kept and trimmed: a memchr and a hash probe per token). Kept lines go to
 * emit in runs, without copying, except a line split across two chunks
 * (copied once into the head buffer), a trimmed SYSCALL (written anew)
 * and a PROCTITLE held back (copied once). Memory: twice
 * PREFILTER_LINE_CAP bytes plus under 5 KiB. Not thread-safe.
 */
#ifndef KS_PREFILTER_H
#define KS_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

/* The head of a line the decision is made on: kernel records are at most
 * ~9 KB, plus the ENRICHED text. */
#define PREFILTER_LINE_CAP (16 * 1024)
/* Recent event ids remembered, per ring. */
#define PREFILTER_IDS 64

/* Receives kept bytes, n > 0. A negative return is reported by the
 * prefilter_feed call that made it; the prefilter goes on either way. */
typedef int (*prefilter_emit_fn)(const char *s, size_t n, void *ctx);

struct prefilter_stats {
	uint64_t skipped_records; /* lines removed */
	uint64_t skipped_bytes;   /* their bytes, newlines included */
	uint64_t long_lines;      /* lines longer than PREFILTER_LINE_CAP */
	uint64_t crlf_lines;      /* lines that ended in \r\n (or \r at the end) */
};

struct prefilter;

/* Returns NULL when memory ran out. */
struct prefilter *prefilter_new(prefilter_emit_fn emit, void *ctx);
void prefilter_free(struct prefilter *pf);

/* Any chunk of log text. Returns 0, or -1 when an emit call failed. */
int prefilter_feed(struct prefilter *pf, const char *buf, size_t len);
/* End of input: a last line without its newline is emitted as it is,
 * undecided, as auparse would have had it without the prefilter. The
 * prefilter is then ready for a new stream (its id rings are kept).
 * Returns 0, or -1 when emit failed. */
int prefilter_finish(struct prefilter *pf);

void prefilter_stats(const struct prefilter *pf, struct prefilter_stats *out);

/*
 * What the prefilter may cut beyond whole lines; all off after
 * prefilter_new. May change between prefilter_feed calls: the lines
 * decided from then on follow it.
 */
struct prefilter_options {
	/* NULL-terminated names (at most 32, of at most 8 bytes) of SYSCALL
	 * fields the consumer never reads: their tokens (NAME=...) are cut
	 * from a SYSCALL line kept by rule 6/7. auparse's cost grows with
	 * every field it splits, copies and stores. Lines holding a NUL byte
	 * are left as they are. */
	const char *const *syscall_cut;
	/* Likewise the names of the ENRICHED text after a kept SYSCALL (after
	 * the 0x1d separator) never read: their tokens are cut, and the
	 * separator too when no token is left; enriched_all: all of it. */
	const char *const *enriched_cut;
	bool enriched_all;
	/* A PROCTITLE of a kept id followed by that event's EOE (the next
	 * line kept) is removed: the EOE ends the event in auparse as the
	 * PROCTITLE would have. Without an EOE next, the PROCTITLE goes on,
	 * held back until the next kept line (or prefilter_finish). */
	bool proctitle;
};

void prefilter_set_options(struct prefilter *pf,
			   const struct prefilter_options *o);

#endif
