/*
 * names.c - a bounded cache of NSS names in front of one worker thread
 * that does the blocking lookups (names.h says why and what it costs).
 *
 * Everything shared is under one mutex: the cache, the request slot and
 * the worker's state. The worker takes the request, drops the mutex for
 * the NSS call, and stores the answer under it; the caller waits on
 * `done` with a deadline on the monotonic clock.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

#define WAYS 4
#define NSS_BUF (16 * 1024)
/* NSS modules are loaded (dlopen) and run on it: room to spare */
#define WORKER_STACK (256 * 1024)

struct slot {
	uint32_t id;
	bool used, known;         /* known: name holds its name */
	time_t stamp;             /* when it was looked up */
	uint64_t last;            /* LRU within the set */
	char name[NAMES_NAME_MAX];
};

struct names {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	pthread_t thread;
	bool started, start_failed, quit, orphaned;
	/* the request slot: one lookup at a time */
	bool pending, busy;
	enum names_kind req_kind;
	uint32_t req_id;
	time_t req_now;
	uint64_t answers;         /* lookups finished, ever */
	names_resolve_fn resolve;
	struct names_limits lim;
	unsigned sets;            /* per kind */
	struct slot *cache[2];
	uint64_t tick;
	struct names_stats st;
};

static bool nss_resolve(enum names_kind kind, uint32_t id, char *out,
			size_t cap)
{
	static char buf[NSS_BUF];   /* the worker's only: one lookup at a time */
	const char *name = NULL;
	int rc;

	if (kind == NAMES_USER) {
		struct passwd pw, *res = NULL;

		rc = getpwuid_r((uid_t)id, &pw, buf, sizeof(buf), &res);
		if (rc == 0 && res)
			name = res->pw_name;
	} else {
		struct group gr, *res = NULL;

		rc = getgrgid_r((gid_t)id, &gr, buf, sizeof(buf), &res);
		if (rc == 0 && res)
			name = res->gr_name;
	}
	if (!name || !name[0] || strlen(name) >= cap)
		return false;
	strcpy(out, name);
	return true;
}

static struct slot *set_of(struct names *n, enum names_kind kind,
			   uint32_t id)
{
	uint32_t h = (uint32_t)(id * 2654435761u);

	return &n->cache[kind][(h % n->sets) * WAYS];
}

/* The fresh slot for id, or NULL. Under the mutex. */
static struct slot *cached(struct names *n, enum names_kind kind,
			   uint32_t id, time_t now)
{
	struct slot *set = set_of(n, kind, id);
	int w;

	for (w = 0; w < WAYS; w++) {
		struct slot *s = &set[w];
		time_t ttl = s->known ? n->lim.ttl : n->lim.negative_ttl;

		if (s->used && s->id == id && now >= s->stamp &&
		    now - s->stamp < ttl) {
			s->last = ++n->tick;
			return s;
		}
	}
	return NULL;
}

/* Store an answer: in the id's own slot, a free one, or the least
 * recently used of its set. Under the mutex. */
static void store(struct names *n, enum names_kind kind, uint32_t id,
		  time_t now, bool known, const char *name)
{
	struct slot *set = set_of(n, kind, id), *s = NULL;
	int w;

	for (w = 0; w < WAYS && !s; w++)
		if (set[w].used && set[w].id == id)
			s = &set[w];
	for (w = 0; w < WAYS && !s; w++)
		if (!set[w].used)
			s = &set[w];
	if (!s) {
		s = &set[0];
		for (w = 1; w < WAYS; w++)
			if (set[w].last < s->last)
				s = &set[w];
	}
	s->used = true;
	s->id = id;
	s->known = known;
	s->stamp = now;
	s->last = ++n->tick;
	if (known)
		strcpy(s->name, name);
	else
		s->name[0] = '\0';
}

static void destroy(struct names *n)
{
	pthread_mutex_destroy(&n->mu);
	pthread_cond_destroy(&n->work);
	pthread_cond_destroy(&n->done);
	free(n->cache[0]);
	free(n->cache[1]);
	free(n);
}

static void *worker(void *arg)
{
	struct names *n = arg;
	char name[NAMES_NAME_MAX];
	enum names_kind kind;
	uint32_t id;
	time_t now;
	bool known;

	pthread_mutex_lock(&n->mu);
	for (;;) {
		while (!n->pending && !n->quit)
			pthread_cond_wait(&n->work, &n->mu);
		if (n->quit)
			break;
		kind = n->req_kind;
		id = n->req_id;
		now = n->req_now;
		n->pending = false;
		n->busy = true;
		pthread_mutex_unlock(&n->mu);

		name[0] = '\0';
		known = n->resolve(kind, id, name, sizeof(name)) &&
			name[0] && memchr(name, '\0', sizeof(name));

		pthread_mutex_lock(&n->mu);
		n->busy = false;
		n->answers++;
		if (known)
			n->st.resolved++;
		store(n, kind, id, now, known, name);
		pthread_cond_broadcast(&n->done);
	}
	if (n->orphaned) {
		/* names_free went on without us: ours to free */
		pthread_mutex_unlock(&n->mu);
		destroy(n);
		return NULL;
	}
	pthread_mutex_unlock(&n->mu);
	return NULL;
}

/* The worker, with every signal blocked: the main loop's handlers and
 * its poll() must see them. Under the mutex. */
static bool start_worker(struct names *n)
{
	sigset_t all, old;
	pthread_attr_t attr;
	int rc;

	if (n->started || n->start_failed)
		return n->started;
	if (pthread_attr_init(&attr) != 0) {
		n->start_failed = true;
		return false;
	}
	pthread_attr_setstacksize(&attr, WORKER_STACK);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&n->thread, &attr, worker, n);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	n->started = rc == 0;
	n->start_failed = rc != 0;
	return n->started;
}

bool names_get(struct names *n, enum names_kind kind, uint32_t id,
	       time_t now, char *out, size_t cap)
{
	struct timespec deadline;
	struct slot *s;
	uint64_t want;
	bool known = false;

	if (cap == 0)
		return false;
	out[0] = '\0';
	pthread_mutex_lock(&n->mu);
	s = cached(n, kind, id, now);
	if (s) {
		n->st.hits++;
		goto answer;
	}
	if (n->pending || n->busy) {
		n->st.busy++;
		goto out;
	}
	if (!start_worker(n))
		goto out;
	n->st.lookups++;
	n->pending = true;
	n->req_kind = kind;
	n->req_id = id;
	n->req_now = now;
	want = n->answers + 1;
	pthread_cond_signal(&n->work);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_nsec += (long)(n->lim.wait_ms % 1000) * 1000000L;
	deadline.tv_sec += n->lim.wait_ms / 1000 +
			   deadline.tv_nsec / 1000000000L;
	deadline.tv_nsec %= 1000000000L;
	while (n->answers < want) {
		if (pthread_cond_timedwait(&n->done, &n->mu, &deadline) ==
		    ETIMEDOUT && n->answers < want) {
			n->st.timeouts++;
			goto out;
		}
	}
	s = cached(n, kind, id, now);
answer:
	if (s && s->known && strlen(s->name) < cap) {
		strcpy(out, s->name);
		known = true;
	}
out:
	pthread_mutex_unlock(&n->mu);
	return known;
}

struct names *names_new(const struct names_limits *lim,
			names_resolve_fn resolve)
{
	struct names *n = calloc(1, sizeof(*n));
	pthread_condattr_t ca;
	unsigned entries;

	if (!n)
		return NULL;
	if (lim)
		n->lim = *lim;
	if (!n->lim.entries)
		n->lim.entries = 256;
	if (!n->lim.wait_ms)
		n->lim.wait_ms = 50;
	if (!n->lim.ttl)
		n->lim.ttl = 600;
	if (!n->lim.negative_ttl)
		n->lim.negative_ttl = 60;
	entries = (n->lim.entries + WAYS - 1) / WAYS * WAYS;
	n->sets = entries / WAYS;
	n->resolve = resolve ? resolve : nss_resolve;
	n->cache[0] = calloc(entries, sizeof(struct slot));
	n->cache[1] = calloc(entries, sizeof(struct slot));
	if (!n->cache[0] || !n->cache[1]) {
		free(n->cache[0]);
		free(n->cache[1]);
		free(n);
		return NULL;
	}
	pthread_mutex_init(&n->mu, NULL);
	pthread_cond_init(&n->work, NULL);
	/* the caller's deadline is on the monotonic clock, as `now` */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&n->done, &ca);
	pthread_condattr_destroy(&ca);
	return n;
}

void names_free(struct names *n)
{
	bool join;

	if (!n)
		return;
	pthread_mutex_lock(&n->mu);
	n->quit = true;
	pthread_cond_signal(&n->work);
	join = n->started && !n->busy;
	if (n->started && n->busy) {
		/* stuck in NSS: never wait for it */
		n->orphaned = true;
		pthread_detach(n->thread);
		pthread_mutex_unlock(&n->mu);
		return;
	}
	pthread_mutex_unlock(&n->mu);
	if (join)
		pthread_join(n->thread, NULL);
	destroy(n);
}

void names_stats(struct names *n, struct names_stats *out)
{
	pthread_mutex_lock(&n->mu);
	*out = n->st;
	pthread_mutex_unlock(&n->mu);
}
