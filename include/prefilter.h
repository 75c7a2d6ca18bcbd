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
 * - Only audit records reach emit: a line is an audit record when it
 *   starts "[node=NAME ]type=TYPE msg=audit(SEC.MS:SERIAL)" as auditd
 *   writes it and as libauparse 3.0.9 reads the same event id from it
 *   (NAME 1 to 255 bytes without NUL or 0x1d; TYPE capitals, digits and
 *   '_', or UNKNOWN[N]; the id within the line's first 80 bytes, 340
 *   with node=). Any other line (a comment, a blank line, text a relay
 *   or an attacker wrote) is removed and counted (garbage_lines):
 *   libauparse 3.0.9 leaks 1,152 bytes for each line it splits into no
 *   field, and an id it reads from garbage could join a real event. So is
 *   a CWD record with more than one cwd= field as libauparse splits them
 *   (the kernel writes one; libauparse 3.0.9 loses the copy of each but
 *   the last).
 * - A line of PREFILTER_LINE_CAP bytes or more (its newline not counted)
 *   is removed whole and counted (long_lines), never buffered: auditd
 *   writes no line over 9,225 bytes (MAX_AUDIT_MESSAGE_LENGTH, 8,970,
 *   plus 255 for the node name, ENRICHED text included).
 * - What it emits, concatenated, is its input with whole lines removed, in
 *   input order, and the carriage return of lines that end in \r\n (or in
 *   \r at the end of input) left out: Windows line endings read as Unix
 *   ones; and, with events in flight given (prefilter_set_flight), EOE
 *   records it writes for events cut short. It never reorders a byte, and
 *   changes none unless asked to (prefilter_set_options: unread fields of
 *   SYSCALL records cut, a PROCTITLE that its EOE follows removed). When
 *   unsure (unknown type, quoted or duplicated arch/syscall, an id fallen
 *   out of the rings below) it keeps a record, unless its type alone
 *   rules it out (rules 2 and 5 below).
 * - A record is removed only when it cannot change an exec, fork or login
 *   event that auparse assembles. The first rule that applies decides:
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
 *   next kept line is its event's EOE is removed too. With
 *   prefilter_set_filter(pf, false) none of these rules applies: every
 *   audit record is kept whole.
 *   (tests/test_event_assembly.c checks that the exec, fork and login
 *   events are the same with and without the rules on real and reshaped
 *   streams.)
 * - Events in flight (prefilter_set_flight, include/flight.h): every
 *   record kept is first told to the table, which may refuse it (its
 *   event is at its caps: removed, counted there) or want room: the lines
 *   kept before it are emitted first (auparse hands on what it can), then
 *   the oldest events are ended by an EOE record written for each
 *   ("node=NAME type=EOE msg=audit(SEC.MS:SERIAL): ").
 * - Which lines are removed never depends on how the input is chunked:
 *   lines may be split anywhere between calls to prefilter_feed. Only how
 *   the emitted bytes are cut into emit calls does.
 * - Bounded memory whatever the input: a line is held only up to
 *   PREFILTER_LINE_CAP bytes. Kept and dropped ids are two rings of the
 *   PREFILTER_IDS most recent ones (records of one event come together; a
 *   few events interleave); an id that fell out is unknown again.
 *
 * Cost: per line, a memchr for its newline, a look at its head (an FNV
 * hash of node and id, a lookup in a cache of the first 32 type names
 * seen, libaudit's name lookup for others, at most 2 * PREFILTER_IDS id
 * compares), for a kept one the table's (flight.h), and for a SYSCALL one
 * pass over its tokens (two when it is kept and trimmed: a memchr and a
 * hash probe per token). Kept lines go to emit in runs, without copying,
 * except a line split across two chunks (copied once into the head
 * buffer), a trimmed SYSCALL (written anew) and a PROCTITLE held back
 * (copied once). Memory: twice PREFILTER_LINE_CAP bytes plus under 5 KiB.
 * Not thread-safe.
 */
#ifndef KS_PREFILTER_H
#define KS_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flight.h"

/* The longest line that can be an audit record, plus one: auditd writes
 * none over 9,225 bytes; this leaves room for what a relay may add. */
#define PREFILTER_LINE_CAP (16 * 1024)
/* Recent event ids remembered, per ring. */
#define PREFILTER_IDS 64

/* Receives kept bytes, n > 0. A negative return is reported by the
 * prefilter_feed call that made it; the prefilter goes on either way. */
typedef int (*prefilter_emit_fn)(const char *s, size_t n, void *ctx);

struct prefilter_stats {
	uint64_t skipped_records; /* records removed by the rules */
	uint64_t skipped_bytes;   /* bytes of every line removed, newlines
				   * included */
	uint64_t garbage_lines;   /* lines that are not audit records */
	uint64_t long_lines;      /* lines of PREFILTER_LINE_CAP bytes or
				   * more (removed) */
	uint64_t crlf_lines;      /* lines that ended in \r\n (or \r at the end) */
};

struct prefilter;

/* Returns NULL when memory ran out. */
struct prefilter *prefilter_new(prefilter_emit_fn emit, void *ctx);
void prefilter_free(struct prefilter *pf);

/* Any chunk of log text. Returns 0, or -1 when an emit call failed. */
int prefilter_feed(struct prefilter *pf, const char *buf, size_t len);
/* End of input: a PROCTITLE held back is emitted; a last line without its
 * newline is emitted as it is, undecided and untold to the events in
 * flight (auparse never reads a line without its newline), when it is an
 * audit record. The prefilter is then ready for a new stream (its id
 * rings are kept). Returns 0, or -1 when emit failed. */
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

/* The removal rules (1 to 7 and the options): on after prefilter_new.
 * Off, every audit record is kept whole (what is not one, and long lines,
 * are still removed). Set before the first prefilter_feed. */
void prefilter_set_filter(struct prefilter *pf, bool on);

/* The events in flight to tell each kept record (NULL after
 * prefilter_new: none); the caller owns it and tells it what auparse
 * hands on. */
void prefilter_set_flight(struct prefilter *pf, struct flight *f);

#endif
