/*
 * test_flight.c - the table of events in flight alone: what is counted
 * for each kind of record, the caps (events, bytes, an event's records and
 * bytes), which event is evicted, events handed on, the same id again
 * after its event ended, nodes, the cost estimate, the record types that
 * end an event, and a long random run against a plain model of the table
 * (its open hash deletes without tombstones).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <libaudit.h>

#include "flight.h"

static struct flight_id id_of(const char *node, uint64_t serial)
{
	struct flight_id id = {
		.node = node, .nlen = strlen(node),
		.sec = 1790000000, .ms = 100, .serial = serial,
	};
	return id;
}

static enum flight_verdict adm(struct flight *f, const char *node,
			       uint64_t serial, enum flight_rec kind,
			       size_t cost)
{
	struct flight_id id = id_of(node, serial);

	return flight_admit(f, &id, kind, cost);
}

static struct flight_stats st(const struct flight *f)
{
	struct flight_stats s;

	flight_stats(f, &s);
	return s;
}

static const struct flight_limits big = {
	.max_events = 8, .max_bytes = 1 << 30,
	.max_event_records = 100, .max_event_bytes = 1 << 20,
};

/* A record that ends its event passes and leaves it ended; an EOE alone
 * starts nothing; counts and bytes follow. */
static void test_counts(void **state)
{
	struct flight *f = flight_new(&big);

	(void)state;
	assert_non_null(f);
	/* an EOE with no event: auparse drops it, nothing counted */
	assert_int_equal(adm(f, "", 1, FLIGHT_REC_EOE, 100), FLIGHT_PASS);
	assert_int_equal(st(f).events, 0);
	assert_int_equal(st(f).bytes, 0);
	assert_int_equal(adm(f, "", 2, FLIGHT_REC_MORE, 100), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 2, FLIGHT_REC_MORE, 50), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 3, FLIGHT_REC_MORE, 10), FLIGHT_PASS);
	assert_int_equal(st(f).events, 2);
	assert_int_equal(st(f).waiting, 2);
	assert_int_equal(st(f).bytes, 160);
	assert_int_equal(st(f).peak_waiting, 2);
	/* 2 ends (PROCTITLE): still held until handed on */
	assert_int_equal(adm(f, "", 2, FLIGHT_REC_ENDS, 40), FLIGHT_PASS);
	assert_int_equal(st(f).events, 2);
	assert_int_equal(st(f).waiting, 1);
	assert_int_equal(st(f).bytes, 200);
	/* handed on: gone with its bytes; an unknown id changes nothing */
	flight_done(f, NULL, 1790000000, 100, 2);
	flight_done(f, "", 1790000000, 100, 99);
	flight_done(f, "", 1790000000, 101, 3);
	assert_int_equal(st(f).events, 1);
	assert_int_equal(st(f).bytes, 10);
	/* an EOE of an event handed on starts nothing (auparse eats it) */
	assert_int_equal(adm(f, "", 2, FLIGHT_REC_EOE, 100), FLIGHT_PASS);
	assert_int_equal(st(f).events, 1);
	/* the first record of an event can end it (a user-space record) */
	assert_int_equal(adm(f, "", 4, FLIGHT_REC_ENDS, 5), FLIGHT_PASS);
	assert_int_equal(st(f).events, 2);
	assert_int_equal(st(f).waiting, 1);
	flight_peak_reset(f);
	assert_int_equal(st(f).peak_waiting, 1);
	flight_clear(f);
	assert_int_equal(st(f).events, 0);
	assert_int_equal(st(f).waiting, 0);
	assert_int_equal(st(f).bytes, 0);
	/* usable again after clear */
	assert_int_equal(adm(f, "", 2, FLIGHT_REC_MORE, 100), FLIGHT_PASS);
	assert_int_equal(st(f).events, 1);
	assert_int_equal(st(f).cut_events, 0);
	flight_free(f);
}

/* The same id again after its event ended is a second event to auparse:
 * the first flight_done hands on the older, the newest goes on. */
static void test_same_id_again(void **state)
{
	struct flight *f = flight_new(&big);

	(void)state;
	assert_int_equal(adm(f, "", 7, FLIGHT_REC_MORE, 10), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 7, FLIGHT_REC_EOE, 10), FLIGHT_PASS);
	assert_int_equal(st(f).waiting, 0);
	assert_int_equal(adm(f, "", 7, FLIGHT_REC_MORE, 10), FLIGHT_PASS);
	assert_int_equal(st(f).events, 2);
	assert_int_equal(st(f).waiting, 1);
	flight_done(f, "", 1790000000, 100, 7);
	assert_int_equal(st(f).events, 1);
	assert_int_equal(st(f).waiting, 1);
	flight_done(f, "", 1790000000, 100, 7);
	assert_int_equal(st(f).events, 0);
	assert_int_equal(st(f).bytes, 0);
	flight_free(f);
}

/* Nodes: the same numbers on two nodes are two events; "" is none. */
static void test_nodes(void **state)
{
	struct flight *f = flight_new(&big);
	char longnode[FLIGHT_NODE_MAX + 2];

	(void)state;
	assert_int_equal(adm(f, "", 1, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	assert_int_equal(adm(f, "a", 1, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	assert_int_equal(adm(f, "ab", 1, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	assert_int_equal(st(f).events, 3);
	flight_done(f, "a", 1790000000, 100, 1);
	assert_int_equal(st(f).events, 2);
	flight_done(f, NULL, 1790000000, 100, 1);
	assert_int_equal(st(f).events, 1);
	/* a name longer than any kept is never one of ours */
	memset(longnode, 'x', sizeof(longnode) - 1);
	longnode[sizeof(longnode) - 1] = '\0';
	flight_done(f, longnode, 1790000000, 100, 1);
	flight_done(f, "ab", 1790000000, 100, 1);
	assert_int_equal(st(f).events, 0);
	flight_free(f);
}

/*
 * Full at max_events: the least recently fed waiting event is named,
 * never the record's own; an ended event only when none waits; only a
 * waiting one counts as cut and needs an EOE.
 */
static void test_evict_order(void **state)
{
	static const struct flight_limits lim = {
		.max_events = 3, .max_bytes = 1 << 30,
		.max_event_records = 100, .max_event_bytes = 1 << 20,
	};
	struct flight *f = flight_new(&lim);
	struct flight_victim v;
	struct flight_id spare;

	(void)state;
	assert_int_equal(adm(f, "n", 1, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 2, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 3, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	/* 1 fed again: 2 is now the least recent */
	assert_int_equal(adm(f, "n", 1, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 4, FLIGHT_REC_MORE, 1), FLIGHT_FULL);
	/* FULL counted nothing */
	assert_int_equal(st(f).events, 3);
	spare = id_of("", 4);
	assert_true(flight_evict(f, &spare, &v));
	assert_int_equal(v.id.serial, 2);
	assert_true(v.waiting);
	assert_int_equal(st(f).cut_events, 1);
	assert_int_equal(adm(f, "", 4, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 3, FLIGHT_REC_ENDS, 1), FLIGHT_PASS);
	/* a record of a waiting event needs no room */
	assert_int_equal(adm(f, "n", 1, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 5, FLIGHT_REC_MORE, 1), FLIGHT_FULL);
	/* waiting: 4, then 1 (fed last); ended: 3 */
	spare = id_of("", 5);
	assert_true(flight_evict(f, &spare, &v));
	assert_int_equal(v.id.serial, 4);
	/* the record's own event is never named: spare 1, the only one
	 * waiting; the ended 3 goes, not cut */
	spare = id_of("n", 1);
	assert_true(flight_evict(f, &spare, &v));
	assert_int_equal(v.id.serial, 3);
	assert_false(v.waiting);
	assert_int_equal(st(f).cut_events, 2);
	/* only the spared one left: nothing to evict (the same numbers on no
	 * node are another event) */
	assert_false(flight_evict(f, &spare, &v));
	spare = id_of("", 1);
	assert_true(flight_evict(f, &spare, &v));
	/* the victim's node is copied */
	assert_int_equal(v.id.serial, 1);
	assert_int_equal(v.id.nlen, 1);
	assert_string_equal(v.node, "n");
	assert_true(v.id.node == v.node);
	assert_int_equal(st(f).cut_events, 3);
	assert_int_equal(st(f).events, 0);
	assert_int_equal(st(f).waiting, 0);
	assert_int_equal(st(f).bytes, 0);
	flight_free(f);
}

/* The byte cap: a record that would go over wants room, the one that
 * ends its event too once it starts one; within an event, its own caps
 * drop further records but never the one that ends it. */
static void test_byte_and_event_caps(void **state)
{
	static const struct flight_limits lim = {
		.max_events = 10, .max_bytes = 1000,
		.max_event_records = 3, .max_event_bytes = 600,
	};
	struct flight *f = flight_new(&lim);
	struct flight_victim v;
	struct flight_id spare = id_of("", 2);

	(void)state;
	assert_int_equal(adm(f, "", 1, FLIGHT_REC_MORE, 500), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 2, FLIGHT_REC_MORE, 400), FLIGHT_PASS);
	/* 900 + 200 > 1000 */
	assert_int_equal(adm(f, "", 2, FLIGHT_REC_MORE, 200), FLIGHT_FULL);
	assert_true(flight_evict(f, &spare, &v));
	assert_int_equal(v.id.serial, 1);
	assert_int_equal(st(f).bytes, 400);
	assert_int_equal(adm(f, "", 2, FLIGHT_REC_MORE, 200), FLIGHT_PASS);
	/* event 2: 600 bytes, its cap: a further record is dropped */
	assert_int_equal(adm(f, "", 2, FLIGHT_REC_MORE, 1), FLIGHT_DROP);
	assert_int_equal(st(f).cut_records, 1);
	assert_int_equal(st(f).bytes, 600);
	/* ... but the one that ends it goes, over its caps */
	assert_int_equal(adm(f, "", 2, FLIGHT_REC_ENDS, 50), FLIGHT_PASS);
	assert_int_equal(st(f).bytes, 650);
	assert_int_equal(st(f).waiting, 0);
	/* the record cap: 3 records */
	assert_int_equal(adm(f, "", 3, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 3, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 3, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 3, FLIGHT_REC_MORE, 1), FLIGHT_DROP);
	assert_int_equal(adm(f, "", 3, FLIGHT_REC_EOE, 1), FLIGHT_PASS);
	assert_int_equal(st(f).cut_records, 2);
	/* a new event's first record over the total: wants room even when it
	 * ends the event */
	assert_int_equal(adm(f, "", 4, FLIGHT_REC_ENDS, 400), FLIGHT_FULL);
	assert_int_equal(st(f).cut_events, 1);
	flight_free(f);
}

/* At least 2 events, whatever is asked. */
static void test_min_events(void **state)
{
	static const struct flight_limits lim = {
		.max_events = 0, .max_bytes = 1 << 20,
		.max_event_records = 10, .max_event_bytes = 1 << 10,
	};
	struct flight *f = flight_new(&lim);

	(void)state;
	assert_int_equal(adm(f, "", 1, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 2, FLIGHT_REC_MORE, 1), FLIGHT_PASS);
	assert_int_equal(adm(f, "", 3, FLIGHT_REC_MORE, 1), FLIGHT_FULL);
	flight_free(f);
}

/* The estimate is above what libauparse 3.0.9 takes (measured: about
 * twice the length plus 1.5 KiB, 32 bytes a field, twice that while its
 * field array grows). */
static void test_cost(void **state)
{
	static char rec[8192];
	size_t n, i;

	(void)state;
	assert_int_equal(flight_cost("", 0), FLIGHT_RECORD_COST);
	/* short: fields from the length */
	n = strlen("type=EOE msg=audit(1.000:1): ");
	assert_true(flight_cost("type=EOE msg=audit(1.000:1): ", n) >=
		    FLIGHT_RECORD_COST + 2 * n + 64 * 2);
	/* long, 3-byte fields: one per 4 bytes, each counted */
	for (i = 0; i + 4 <= sizeof(rec); i += 4)
		memcpy(rec + i, "a=b ", 4);
	n = sizeof(rec);
	assert_true(flight_cost(rec, n) >=
		    FLIGHT_RECORD_COST + 2 * n + 64 * (n / 4));
	/* long without spaces: one field */
	memset(rec, 'A', sizeof(rec));
	assert_int_equal(flight_cost(rec, n),
			 FLIGHT_RECORD_COST + 2 * n + FLIGHT_FIELD_COST);
}

/* auparse 3.0.9's au_check_events: what ends an event as its last
 * record. */
static void test_type_ends(void **state)
{
	(void)state;
	assert_true(flight_type_ends(AUDIT_EOE));
	assert_true(flight_type_ends(AUDIT_PROCTITLE));
	assert_true(flight_type_ends(AUDIT_USER_CMD));
	assert_true(flight_type_ends(AUDIT_LOGIN));
	assert_true(flight_type_ends(AUDIT_USER_START));
	assert_true(flight_type_ends(AUDIT_FIRST_ANOM_MSG));
	assert_false(flight_type_ends(AUDIT_ANOM_ABEND));
	assert_true(flight_type_ends(AUDIT_KERNEL));
	assert_true(flight_type_ends(-1));
	assert_false(flight_type_ends(AUDIT_SYSCALL));
	assert_false(flight_type_ends(AUDIT_EXECVE));
	assert_false(flight_type_ends(AUDIT_PATH));
	assert_false(flight_type_ends(AUDIT_CWD));
	assert_false(flight_type_ends(AUDIT_SOCKADDR));
}

/*
 * A long random run against a plain model: ids from a small range (so
 * that slots collide, runs wrap and deletions shift them), every verdict,
 * victim and count as the model says. The model keeps, per id, the events
 * held, the newest's records and bytes, whether it waits, and when it was
 * fed last.
 */
#define MAXID 48
struct model {
	uint32_t events, records;
	uint64_t bytes;
	bool waiting;
	uint64_t fed;
};

static void test_random_vs_model(void **state)
{
	static const struct flight_limits lim = {
		.max_events = 16, .max_bytes = 4000,
		.max_event_records = 6, .max_event_bytes = 900,
	};
	struct model m[MAXID];
	struct flight *f = flight_new(&lim);
	struct flight_victim v;
	struct flight_id id;
	uint64_t clock = 0, tot_bytes, cut_events = 0, cut_records = 0;
	uint32_t tot_events, waiting, i, s, best;
	unsigned long step;
	enum flight_rec kind;
	enum flight_verdict got, want;
	size_t cost;
	int r;

	(void)state;
	memset(m, 0, sizeof(m));
	srand(15);
	for (step = 0; step < 200000; step++) {
		tot_events = 0;
		tot_bytes = 0;
		waiting = 0;
		for (i = 0; i < MAXID; i++) {
			tot_events += m[i].events;
			tot_bytes += m[i].events ? m[i].bytes : 0;
			waiting += m[i].events && m[i].waiting;
		}
		{
			struct flight_stats fs = st(f);

			assert_int_equal(fs.events, tot_events);
			assert_int_equal(fs.bytes, tot_bytes);
			assert_int_equal(fs.waiting, waiting);
			assert_int_equal(fs.cut_events, cut_events);
			assert_int_equal(fs.cut_records, cut_records);
		}
		s = (uint32_t)rand() % MAXID;
		/* half the ids on a node, to check names in the hash */
		id = id_of(s % 2 ? "node-b" : "", s);
		r = rand() % 10;
		if (r == 0) {
			/* auparse hands on the oldest event of the id */
			flight_done(f, s % 2 ? "node-b" : NULL, id.sec, id.ms,
				    s);
			if (m[s].events > 1)
				m[s].events--;
			else
				memset(&m[s], 0, sizeof(m[s]));
			continue;
		}
		kind = r < 7 ? FLIGHT_REC_MORE :
		       r < 9 ? FLIGHT_REC_ENDS : FLIGHT_REC_EOE;
		cost = (size_t)(rand() % 300) + 1;
		/* the model's verdict */
		if (m[s].events && m[s].waiting) {
			if (kind == FLIGHT_REC_MORE &&
			    (m[s].records >= lim.max_event_records ||
			     m[s].bytes + cost > lim.max_event_bytes))
				want = FLIGHT_DROP;
			else if (kind == FLIGHT_REC_MORE &&
				 tot_bytes + cost > lim.max_bytes)
				want = FLIGHT_FULL;
			else
				want = FLIGHT_PASS;
		} else if (kind == FLIGHT_REC_EOE) {
			want = FLIGHT_PASS;
		} else if (tot_events >= lim.max_events ||
			   tot_bytes + cost > lim.max_bytes) {
			want = FLIGHT_FULL;
		} else {
			want = FLIGHT_PASS;
		}
		got = flight_admit(f, &id, kind, cost);
		assert_int_equal(got, want);
		if (got == FLIGHT_DROP) {
			cut_records++;
			continue;
		}
		if (got == FLIGHT_FULL) {
			/* the model's victim: the least recently fed waiting
			 * one, else ended, never s */
			best = MAXID;
			for (i = 0; i < MAXID; i++)
				if (i != s && m[i].events && m[i].waiting &&
				    (best == MAXID || m[i].fed < m[best].fed))
					best = i;
			if (best == MAXID)
				for (i = 0; i < MAXID; i++)
					if (i != s && m[i].events &&
					    (best == MAXID ||
					     m[i].fed < m[best].fed))
						best = i;
			if (best == MAXID) {
				assert_false(flight_evict(f, &id, &v));
				continue;
			}
			assert_true(flight_evict(f, &id, &v));
			assert_int_equal(v.id.serial, best);
			assert_int_equal(v.waiting, m[best].waiting);
			assert_string_equal(v.node, best % 2 ? "node-b" : "");
			cut_events += m[best].waiting;
			memset(&m[best], 0, sizeof(m[best]));
			continue;
		}
		if (m[s].events && m[s].waiting) {
			m[s].records++;
			m[s].bytes += cost;
		} else if (kind != FLIGHT_REC_EOE) {
			m[s].events++;
			m[s].records = 1;
			m[s].bytes += cost;
		} else {
			continue;
		}
		m[s].waiting = kind == FLIGHT_REC_MORE;
		m[s].fed = ++clock;
	}
	flight_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_same_id_again),
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_evict_order),
		cmocka_unit_test(test_byte_and_event_caps),
		cmocka_unit_test(test_min_events),
		cmocka_unit_test(test_cost),
		cmocka_unit_test(test_type_ends),
		cmocka_unit_test(test_random_vs_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
