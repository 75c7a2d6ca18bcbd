/*
 * session.c - the table of audit login sessions (session.h): a fixed array
 * of entries, a chained hash on (node, ses) and an LRU list, all by index.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "session.h"

#define NAME_CAP 256  /* a file name: NAME_MAX + 1 */

struct sess {
	uint32_t node, ses;
	uint32_t hnext;           /* hash chain: index + 1, 0 ends it */
	uint32_t prev, next;      /* LRU, most recent first: index + 1 */
	pid_t login_pid;          /* who set the loginuid */
	uint32_t auid;
	time_t login_sec;
	unsigned login_msec;
	enum entry_type type;
	bool claimed, ended;
	/* the entry leader */
	pid_t pid;                /* 0: not known */
	bool have_image, have_exec;
	char exe[SESSION_EXE_MAX];
	char name[NAME_CAP];
	time_t sec;
	unsigned msec;
	uint32_t euid;
	char euid_name[EXEC_NAME_MAX];
	char ip[LOGIN_ADDR_MAX];
};

struct session_table {
	struct sess *e;
	uint32_t max, n;          /* entries, in use */
	uint32_t *bucket;         /* index + 1 */
	uint32_t mask;
	uint32_t head, tail;      /* LRU ends: index + 1 */
	struct session_stats st;
};

const char *entry_type_name(enum entry_type t)
{
	switch (t) {
	case ENTRY_INIT: return "init";
	case ENTRY_SSHD: return "sshd";
	case ENTRY_TERMINAL: return "terminal";
	case ENTRY_CONSOLE: return "console";
	case ENTRY_UNKNOWN: return "unknown";
	default: return NULL;
	}
}

static uint32_t hash(uint32_t node, uint32_t ses)
{
	uint64_t h = ((uint64_t)node << 32 | ses) * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(h >> 32);
}

static struct sess *find(struct session_table *t, uint32_t node,
			 uint32_t ses)
{
	uint32_t i = t->bucket[hash(node, ses) & t->mask];

	while (i) {
		struct sess *s = &t->e[i - 1];

		if (s->node == node && s->ses == ses)
			return s;
		i = s->hnext;
	}
	return NULL;
}

static uint32_t idx(const struct session_table *t, const struct sess *s)
{
	return (uint32_t)(s - t->e) + 1;
}

static void lru_unlink(struct session_table *t, struct sess *s)
{
	if (s->prev)
		t->e[s->prev - 1].next = s->next;
	else
		t->head = s->next;
	if (s->next)
		t->e[s->next - 1].prev = s->prev;
	else
		t->tail = s->prev;
	s->prev = s->next = 0;
}

static void lru_front(struct session_table *t, struct sess *s)
{
	uint32_t i = idx(t, s);

	s->prev = 0;
	s->next = t->head;
	if (t->head)
		t->e[t->head - 1].prev = i;
	t->head = i;
	if (!t->tail)
		t->tail = i;
}

static void touch(struct session_table *t, struct sess *s)
{
	if (t->head == idx(t, s))
		return;
	lru_unlink(t, s);
	lru_front(t, s);
}

static void hash_unlink(struct session_table *t, struct sess *s)
{
	uint32_t *p = &t->bucket[hash(s->node, s->ses) & t->mask];
	uint32_t i = idx(t, s);

	while (*p && *p != i)
		p = &t->e[*p - 1].hnext;
	if (*p)
		*p = s->hnext;
	s->hnext = 0;
}

/* Entry s, out of the hash and the LRU list, becomes (node, ses): blank,
 * most recently used. */
static void reset(struct session_table *t, struct sess *s, uint32_t node,
		  uint32_t ses)
{
	uint32_t *b;

	memset(s, 0, sizeof(*s));
	s->node = node;
	s->ses = ses;
	b = &t->bucket[hash(node, ses) & t->mask];
	s->hnext = *b;
	*b = idx(t, s);
	lru_front(t, s);
}

/* The entry for a new session: the existing one of that id (replaced), a
 * free one, or the least recently used one (evicted). */
static struct sess *open_session(struct session_table *t, uint32_t node,
				 uint32_t ses)
{
	struct sess *s = find(t, node, ses);

	if (s) {
		t->st.reused++;
	} else if (t->n < t->max) {
		s = &t->e[t->n++];
		reset(t, s, node, ses);
		return s;
	} else {
		s = &t->e[t->tail - 1];
		t->st.evictions++;
	}
	lru_unlink(t, s);
	hash_unlink(t, s);
	reset(t, s, node, ses);
	return s;
}

static const char *base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

/* The leader's image, whole or not at all. */
static void set_image(struct sess *s, const char *exe, const char *name)
{
	size_t n = strlen(exe), m = strlen(name);

	s->have_image = n < sizeof(s->exe) && m < sizeof(s->name) && m > 0;
	if (!s->have_image) {
		s->exe[0] = s->name[0] = '\0';
		return;
	}
	memcpy(s->exe, exe, n + 1);
	memcpy(s->name, name, m + 1);
}

static void set_leader_exec(struct sess *s, const struct exec_event *ev)
{
	char name[NAME_CAP];
	size_t n = ev->name ? strnlen(ev->name, ev->name_len) : 0;

	s->pid = ev->pid;
	if (n < sizeof(name)) {
		if (n)
			memcpy(name, ev->name, n);
		name[n] = '\0';
		set_image(s, ev->exe, name);
	} else {
		set_image(s, "", "");
	}
	s->have_exec = true;
	s->sec = ev->sec;
	s->msec = ev->msec;
	s->euid = ev->euid;
	n = strlen(ev->euid_name);
	if (n >= sizeof(s->euid_name))
		n = 0;
	memcpy(s->euid_name, ev->euid_name, n);
	s->euid_name[n] = '\0';
}

void session_login(struct session_table *t, uint32_t node,
		   const struct login_event *le, const char *pid_exe)
{
	struct sess *s;

	if (le->type != LOGIN_SET || !le->success ||
	    le->ses == EXEC_ID_UNSET) {
		t->st.refused++;
		return;
	}
	s = open_session(t, node, le->ses);
	t->st.logins++;
	s->login_pid = le->pid;
	s->auid = le->auid;
	s->login_sec = le->sec;
	s->login_msec = le->msec;
	s->type = ENTRY_UNKNOWN;
	s->pid = le->pid;
	if (pid_exe && pid_exe[0])
		set_image(s, pid_exe, base(pid_exe));
}

/* The entry type of a claim, from the service's exe and terminal. */
static enum entry_type classify(const char *exe, const char *terminal)
{
	const char *b = base(exe), *tty = terminal;
	char *end;
	long n;

	if (strcmp(b, "sshd") == 0 || strcmp(b, "sshd-session") == 0)
		return ENTRY_SSHD;
	if (strcmp(b, "cron") == 0 || strcmp(b, "crond") == 0 ||
	    strcmp(b, "atd") == 0)
		return ENTRY_INIT;
	if (strcmp(b, "login") != 0)
		return ENTRY_UNKNOWN;
	if (strncmp(tty, "/dev/", 5) == 0)
		tty += 5;
	if (strncmp(tty, "tty", 3) == 0 && tty[3] >= '1' && tty[3] <= '9') {
		n = strtol(tty + 3, &end, 10);
		if (*end == '\0' && n >= 1 && n <= 63)
			return ENTRY_CONSOLE;
	}
	return ENTRY_TERMINAL;
}

void session_pam(struct session_table *t, uint32_t node,
		 const struct login_event *le, const char *pid_exe)
{
	struct sess *s = le->ses == EXEC_ID_UNSET ? NULL :
			 find(t, node, le->ses);

	if (!s) {
		t->st.no_session++;
		return;
	}
	touch(t, s);
	if (le->pid != s->login_pid) {
		t->st.nested++;
		return;
	}
	if (!le->pam_op || le->auid != s->auid) {
		t->st.refused++;
		return;
	}
	if (le->type == LOGIN_PAM_END) {
		if (!s->claimed)
			t->st.orphan_ends++;
		else
			t->st.ends++;
		s->ended = true;
		return;
	}
	if (le->type != LOGIN_PAM_START || !le->success || s->claimed) {
		t->st.refused++;
		return;
	}
	if (pid_exe && strcmp(pid_exe, le->exe) != 0) {
		t->st.exe_mismatch++;
		t->st.refused++;
		return;
	}
	t->st.claims++;
	s->claimed = true;
	s->type = classify(le->exe, le->terminal);
	memcpy(s->ip, le->addr, sizeof(s->ip));
	s->ip[sizeof(s->ip) - 1] = '\0';
	/* the leader is the next exec in the session */
	s->pid = 0;
	s->have_image = s->have_exec = false;
}

static bool older(time_t sec, unsigned msec, time_t than_sec,
		  unsigned than_msec)
{
	return sec < than_sec || (sec == than_sec && msec < than_msec);
}

void session_exec(struct session_table *t, uint32_t node,
		  const struct exec_event *ev, struct session_view *out)
{
	struct sess *s;

	memset(out, 0, sizeof(*out));
	if (ev->ses == EXEC_ID_UNSET) {
		out->type = ENTRY_INIT;
		return;
	}
	s = find(t, node, ev->ses);
	if (!s)
		return;
	if (ev->auid != s->auid ||
	    older(ev->sec, ev->msec, s->login_sec, s->login_msec)) {
		t->st.mismatch++;
		return;
	}
	touch(t, s);
	if (s->claimed ? s->pid == 0 :
	    ev->pid == s->login_pid && !s->have_exec)
		set_leader_exec(s, ev);
	out->type = s->type;
	out->pid = s->pid;
	if (s->have_image) {
		out->exe = s->exe;
		out->name = s->name;
	}
	out->have_exec = s->have_exec;
	out->sec = s->sec;
	out->msec = s->msec;
	out->euid = s->euid;
	out->euid_name = s->euid_name;
	out->source_ip = s->ip;
}

struct session_table *session_table_new(const struct session_limits *lim)
{
	struct session_table *t = calloc(1, sizeof(*t));
	uint32_t max = lim && lim->max_entries ? lim->max_entries :
		       SESSION_DEFAULT_ENTRIES, nb = 16;

	if (!t)
		return NULL;
	if (max > (1u << 24))
		max = 1u << 24;
	while (nb < 2 * max)
		nb <<= 1;
	t->e = calloc(max, sizeof(*t->e));
	t->bucket = calloc(nb, sizeof(*t->bucket));
	if (!t->e || !t->bucket) {
		session_table_free(t);
		return NULL;
	}
	t->max = max;
	t->mask = nb - 1;
	return t;
}

void session_table_free(struct session_table *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->bucket);
	free(t);
}

void session_stats(const struct session_table *t, struct session_stats *s)
{
	*s = t->st;
	s->entries = t->n;
}
