/*
 * flight.h - the events libauparse holds and has not handed on yet,
 * counted, and kept within caps.
 *
 * Why: libauparse 3.0.9 keeps every event it has not handed on in one
 * array, which it scans three times for each record it reads (to find the
 * record's event, to see which events are complete, to find the oldest),
 * and it walks an event's records from the first to append one. Events
 * that never complete (no EOE, records that come after their event ended)
 * make every later record dearer: 100,000 exec events without EOE in one
 * second of log time took 251 s of CPU and 324 MB. Its memory per record
 * is about twice the record's length plus 1.5 KiB, and 32 bytes per
 * field, up to twice that while its field array grows (measured: 22 times
 * the length of a record of nothing but 3-byte fields).
 *
 * What it knows: the prefilter asks it about every record it is about to
 * feed auparse (flight_admit), and the event assembly tells it about every
 * event auparse hands on (flight_done). So it knows, for each event
 * (node=, time and serial, compared as auparse compares them), how many
 * of auparse's events have that id and are not handed on yet, the memory
 * its records take (flight_cost, an estimate from above), how many
 * records the newest of them has, and whether its last record ended it as
 * auparse decides (flight_type_ends: EOE, PROCTITLE, user-space and
 * anomaly records...; an EOE that is the first record of an event is
 * dropped by auparse, and not counted here).
 *
 * Caps (struct flight_limits):
 * - at most max_events events and max_bytes of their memory: a record
 *   that would go over gets FLIGHT_FULL, and waits while the caller ends
 *   an event to make room: flight_evict names it and forgets it. It is
 *   the event fed least recently among those that wait for records
 *   (events come as bursts of records: one that gets records now is not
 *   chosen), never the record's own; the caller writes an EOE record for
 *   it, which makes auparse hand it on as it is (counted in
 *   stats.cut_events). When no event waits, the oldest that ended is
 *   forgotten (it waits in auparse behind an older one the table lost
 *   track of);
 * - per event, at most max_event_records records and max_event_bytes:
 *   further records of it are dropped (FLIGHT_DROP), counted in
 *   stats.cut_records, but for the record that ends it. The per-event caps
 *   are for the caller to choose above what a real event can be (the
 *   event assembly derives them from the argv limits).
 * An id the table lost track of (auparse failed to parse a record, or
 * completed an event on its timeout and a record of the same id came
 * after) makes it count an event too many or too few, until that event is
 * handed on or evicted; never more than max_events of them.
 *
 * Cost: O(1) expected per record and per event handed on (a hash of the
 * node and the numbers, a probe in an open hash); evicting one event is
 * O(1) (but for skipping the record's own event). Memory, allocated at
 * flight_new: max_events entries of 320 bytes (the node name is kept to
 * write the EOE) and twice as many hash slots. Not thread-safe.
 */
#ifndef KS_FLIGHT_H
#define KS_FLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest node= name kept (auditd's format buffer reserves
 * _POSIX_HOST_NAME_MAX, 255 bytes, for it). */
#define FLIGHT_NODE_MAX 255
/* Memory of a record in auparse, estimated from above (measured on
 * libauparse 3.0.9): this per record, twice its length, and this per
 * field. */
#define FLIGHT_RECORD_COST 1536u
#define FLIGHT_FIELD_COST 96u
/* Records this long or longer have their fields counted; shorter ones are
 * taken to have (length + 1) / 3. */
#define FLIGHT_COUNT_FROM 1024u

struct flight_limits {
	uint32_t max_events;        /* events held, at least 2 */
	uint64_t max_bytes;         /* their memory (flight_cost) */
	uint32_t max_event_records; /* records of one event */
	uint64_t max_event_bytes;   /* memory of one event's records; the
				     * caller keeps it below max_bytes by
				     * more than one record's cost */
};

/* An event's id as auparse compares them (au_event_t). */
struct flight_id {
	const char *node;   /* the node= name, "" without one */
	size_t nlen;        /* at most FLIGHT_NODE_MAX */
	uint64_t sec;
	uint32_t ms;
	uint64_t serial;
};

/* An evicted event: its id, the node copied. */
struct flight_victim {
	struct flight_id id;
	char node[FLIGHT_NODE_MAX + 1];
	bool waiting;       /* its last record did not end it: it needs an
			     * EOE */
};

enum flight_rec {
	FLIGHT_REC_MORE,    /* a record after which its event goes on */
	FLIGHT_REC_ENDS,    /* a record that ends its event in auparse */
	FLIGHT_REC_EOE,     /* an EOE (ends it; alone, auparse drops it) */
};

enum flight_verdict {
	FLIGHT_PASS,        /* feed it; counted */
	FLIGHT_DROP,        /* do not feed it: its event is at its caps */
	FLIGHT_FULL,        /* nothing counted: make room (flight_evict),
			     * then ask again */
};

struct flight_stats {
	uint32_t events;        /* held now */
	uint32_t waiting;       /* of those, still waiting for records */
	uint64_t bytes;         /* their estimated memory now */
	uint32_t peak_waiting;  /* most events waiting at once, since
				 * flight_peak_reset */
	uint64_t cut_events;    /* events ended early (evicted) */
	uint64_t cut_records;   /* records dropped, their event at its caps */
};

struct flight;

/* NULL when memory ran out. */
struct flight *flight_new(const struct flight_limits *l);
void flight_free(struct flight *f);

/* The estimated memory auparse takes for the record s[0..n). */
size_t flight_cost(const char *s, size_t n);
/* Whether a record of this type (audit_name_to_msg_type's number, -1 for
 * a name it does not know) ends its event in auparse 3.0.9. */
bool flight_type_ends(int type);

/* A record about to be fed to auparse. */
enum flight_verdict flight_admit(struct flight *f, const struct flight_id *id,
				 enum flight_rec kind, size_t cost);
/* After FLIGHT_FULL: the event to end (see Caps; never `spare`, the
 * record's own), forgotten. False when there is none. */
bool flight_evict(struct flight *f, const struct flight_id *spare,
		  struct flight_victim *out);
/* auparse handed on an event with this id (node NULL or "" when none). */
void flight_done(struct flight *f, const char *node, uint64_t sec,
		 uint32_t ms, uint64_t serial);
/* auparse holds nothing any more (flushed, or replaced). */
void flight_clear(struct flight *f);

void flight_stats(const struct flight *f, struct flight_stats *out);
/* Restart peak_waiting from the events waiting now. */
void flight_peak_reset(struct flight *f);

#endif
