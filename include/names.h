/*
 * names.h - the user and group names of this machine's ids, from NSS
 * (getpwuid_r, getgrgid_r), for alerts whose log has no names of its own
 * (log_format = RAW). A log's ENRICHED names always come first; this is
 * only asked for ids of events of this machine (the caller's business).
 *
 * NSS has no timeout. files answers in tens of microseconds, but sssd's
 * client waits up to 300 s for its daemon, and LDAP (nslcd) and
 * systemd-userdb block their caller too; a plugin blocked there stops
 * reading auditd's pipe. So:
 *  - lookups run in one worker thread, one at a time, started at the
 *    first miss, with every signal blocked (they stay the main loop's);
 *  - the caller waits for its answer at most wait_ms (default 50 ms: a
 *    first lookup loads the NSS modules) and
 *    goes on without the name when it does not come in time (counted as a
 *    timeout); the answer still fills the cache for the next alert;
 *  - while the worker is still in a lookup, other misses do not wait at
 *    all (counted as busy): a directory that hangs costs one wait, not one
 *    per alert.
 * So names_get never blocks for longer than wait_ms, whatever NSS does.
 *
 * Cache: `entries` users and as many groups (default 256 each), 4-way set
 * associative, least recently used replaced within a set; a name is kept
 * ttl seconds (default 600), an id without one negative_ttl (default 60),
 * so a user renamed or added is seen within those. A name of
 * NAMES_NAME_MAX bytes or more counts as no name.
 *
 * Cost: a hit is a short set scan under a mutex; a miss one NSS call in
 * the worker. Memory: about 90 bytes per cache entry, the worker's 256 KiB
 * stack and a 16 KiB NSS buffer.
 */
#ifndef KS_NAMES_H
#define KS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define NAMES_NAME_MAX 64

enum names_kind { NAMES_USER = 0, NAMES_GROUP = 1 };

struct names_limits {
	unsigned entries;       /* per kind; 0: 256. Rounded to a multiple of 4 */
	unsigned wait_ms;       /* 0: 50 */
	unsigned ttl;           /* seconds; 0: 600 */
	unsigned negative_ttl;  /* seconds; 0: 60 */
};

/* How an id is resolved (the tests give their own, slow or failing):
 * true and the name in out (NUL-terminated) when the id has one. Runs in
 * the worker thread. */
typedef bool (*names_resolve_fn)(enum names_kind kind, uint32_t id,
				 char *out, size_t cap);

struct names_stats {
	uint64_t hits;        /* answered from the cache (names and not) */
	uint64_t lookups;     /* handed to the worker */
	uint64_t resolved;    /* ... that found a name */
	uint64_t timeouts;    /* ... not answered within wait_ms */
	uint64_t busy;        /* misses not looked up: the worker was busy */
};

struct names;

/* NULL limits: defaults; NULL resolve: NSS. NULL when out of memory. */
struct names *names_new(const struct names_limits *lim,
			names_resolve_fn resolve);
/* Frees everything; a worker still inside a lookup frees its share when
 * that returns, so this never waits for NSS. */
void names_free(struct names *n);

/*
 * The name of a user or group id: true with it in out (cap bytes,
 * NUL-terminated) when known now; false when the id has no name, or its
 * lookup did not answer in time. now: the caller's monotonic seconds.
 */
bool names_get(struct names *n, enum names_kind kind, uint32_t id,
	       time_t now, char *out, size_t cap);

void names_stats(struct names *n, struct names_stats *out);

#endif
