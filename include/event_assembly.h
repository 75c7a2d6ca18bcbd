/*
 * event_assembly.h - audit records in, exec and fork events out.
 *
 * Bytes of audit log text (RAW or ENRICHED, with or without node=, with or
 * without EOE, events interleaved, any chunking, partial lines included) are
 * regrouped into events by libauparse's feed API. For each complete event
 * whose SYSCALL record is a successful execve/execveat (x86_64, i386,
 * aarch64, decided from arch + syscall), one struct exec_event is built and
 * handed to on_exec; for a successful clone/clone3/fork/vfork with a child
 * pid, one struct fork_event goes to on_fork. Everything else is counted and
 * ignored. Malformed input never stops the stream: it is counted in the
 * stats and skipped. An exec or fork event is handed on once: the same
 * event again (same node=, time and serial: an overlapping copy of a log,
 * a resent record) among the last 4096 to 8192 handed on is counted in
 * stats.duplicates and dropped.
 *
 * Login records (LOGIN, USER_START, USER_END: include/login_event.h) are
 * one-record events of their own; each well-formed one is handed to
 * on_login as a struct login_event, in the same time order as the execs
 * (auparse's), once like them; a malformed one is counted in
 * stats.login_malformed and dropped. USER_START and USER_END outside any
 * session (login_without_session) are skipped.
 *
 * The event pointers are valid only during the callback. Events come out in
 * auparse's order (oldest first). Callbacks run synchronously inside
 * ea_feed/ea_age/ea_flush.
 *
 * Only audit records reach auparse, and only lines short enough to be
 * one (include/prefilter.h): anything else is counted (garbage_lines,
 * long_lines) and skipped.
 *
 * Events in flight are bounded (include/flight.h): auparse holds at most
 * 128 events it has not handed on, and records of an estimated memory of
 * max_event_bytes + 8 MiB, where one event holds at most
 * max_event_records = (2 * max_total_bytes + 12 * max_args) / 4096 + 64
 * records (960 with the default argv limits) and max_event_bytes =
 * 4 * max_total_bytes + 120 * max_args + 1536 * max_event_records + 1 MiB
 * (about 21 MiB): room for the largest argv the limits keep, written the
 * costliest way the kernel writes it. Past the first caps the oldest event
 * is handed on as it is (cut_events); past an event's own, its further
 * records are dropped (cut_records). Once 64 events have waited at once,
 * auparse is replaced by a new one the next time every event it holds is
 * complete: it hands them on first (its scans cost every record as many
 * steps as it ever held events; stats.recycles).
 *
 * The prefilter (include/prefilter.h; its removal rules on unless
 * ea_set_prefilter(ea, false)) holds back from auparse the records that
 * cannot change an exec, fork or login event: SYSCALL records of other
 * syscalls and the rest of their events, user-space records other than
 * the login records (USER_CMD, CRED_*, DAEMON_*...), records that are
 * neither read here nor end an event in auparse (PATH, BPRM_FCAPS...), a
 * PROCTITLE that its EOE follows, and in kept SYSCALL records the fields
 * and ENRICHED names never read (and those not needed: ea_set_needs).
 * Same exec, fork and login events either way (tests/test_event_assembly.c
 * checks this on real, interleaved and reordered streams); only
 * stats.events and stats.records (what auparse delivered) differ.
 *
 * Cost: the prefilter's, auparse's own per-record parse of the records
 * kept, plus one pass over the fields of the exec events and one hash of
 * its identity, and one pass over the text of a login record. Memory:
 * auparse's in-flight events (bounded above), one argv builder, the
 * prefilter's, the table of events in flight (41 KiB), 128 KiB of event
 * ids.
 */
#ifndef KS_EVENT_ASSEMBLY_H
#define KS_EVENT_ASSEMBLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "argv.h"
#include "exec_event.h"
#include "login_event.h"

struct ea_handlers {
	void (*on_exec)(const struct exec_event *ev, void *ctx);
	void (*on_fork)(const struct fork_event *ev, void *ctx);
	void *ctx;
	/* NULL: login records are not parsed */
	void (*on_login)(const struct login_event *ev, void *ctx);
};

struct ea_stats {
	uint64_t bytes;       /* bytes fed */
	uint64_t events;      /* events auparse delivered */
	uint64_t records;     /* records in those events */
	uint64_t feed_errors; /* chunks auparse could not take (out of memory) */
	uint64_t execs;       /* exec events handed on */
	uint64_t forks;       /* fork events handed on */
	uint64_t failed;      /* exec/fork syscalls with success=no (ignored) */
	uint64_t malformed;   /* events with a SYSCALL record we could not use */
	uint64_t truncated;   /* exec events marked truncated (argv or fields) */
	uint64_t no_execve;   /* exec events without any EXECVE record */
	uint64_t duplicates;  /* exec/fork/login events seen before (same
			       * node, time and serial), not handed on again */
	uint64_t logins;      /* login records handed on */
	uint64_t login_malformed; /* login records not well-formed (dropped) */
	/* the prefilter's (struct prefilter_stats) */
	uint64_t skipped_records; /* records it held back from auparse */
	uint64_t skipped_bytes;   /* bytes of every line held back */
	uint64_t garbage_lines;   /* lines that are not audit records */
	uint64_t long_lines;  /* lines of PREFILTER_LINE_CAP bytes or more */
	uint64_t crlf_lines;  /* lines with Windows line endings (read as \n) */
	/* events in flight (struct flight_stats) */
	uint32_t in_flight;   /* held by auparse now */
	uint64_t cut_events;  /* handed on before their end: too many or too
			       * much in flight */
	uint64_t cut_records; /* records dropped: their event at its caps */
	uint64_t recycles;    /* auparse replaced by a new one */
};

struct event_assembly;

/* NULL limits: argv defaults. eoe_timeout: seconds before auparse gives up
 * waiting for an event's last record (auparse's own default is 2).
 * Returns NULL on failure (allocation, auparse_init). */
struct event_assembly *ea_new(const struct ea_handlers *h,
			      const struct argv_limits *limits,
			      unsigned eoe_timeout);
void ea_free(struct event_assembly *ea);

/* The prefilter's removal rules are on after ea_new; turn them off (or
 * on) before the first ea_feed. Off: every audit record goes to auparse
 * whole (what is not one, and long lines, still do not; events in flight
 * are still bounded). Used by the tests that hold both ways to the same
 * events. */
void ea_set_prefilter(struct event_assembly *ea, bool on);

/* The parts of exec events to read (enum exec_needs; EXEC_NEEDS_ALL
 * after ea_new). The text of the others is cut by the prefilter before
 * libauparse parses it, and their members stay unset. May change between
 * ea_feed calls (a reload): lines read from then on follow it. */
void ea_set_needs(struct event_assembly *ea, unsigned needs);

/* Feed any chunk of log text. Returns 0, -1 only when auparse ran out of
 * memory (the chunk is then lost; the stream goes on). */
int ea_feed(struct event_assembly *ea, const char *buf, size_t len);
/* Complete events that waited longer than the timeout (call on a timer). */
void ea_age(struct event_assembly *ea);
/* Complete everything pending (end of input). */
void ea_flush(struct event_assembly *ea);
/* True while auparse holds records of incomplete events. */
int ea_has_data(struct event_assembly *ea);

void ea_stats(const struct event_assembly *ea, struct ea_stats *out);

#endif
