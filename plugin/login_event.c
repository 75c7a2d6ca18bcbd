/*
 * login_event.c - the strict parse of LOGIN, USER_START and USER_END
 * records (login_event.h says what is accepted and why).
 */
#include "config.h"

#include <arpa/inet.h>
#include <limits.h>
#include <string.h>
#include <libaudit.h>

#include "argv.h"
#include "login_event.h"

/* libaudit cuts acct at UT_NAMESIZE (32) bytes, hex doubles it. */
#define ACCT_MAX 32

enum login_type login_type_of(int audit_type)
{
	switch (audit_type) {
	case AUDIT_LOGIN:
		return LOGIN_SET;
	case AUDIT_USER_START:
		return LOGIN_PAM_START;
	case AUDIT_USER_END:
		return LOGIN_PAM_END;
	default:
		return 0;
	}
}

/* A word of the record: s[0..n), and its key and value when it has '='. */
struct word {
	const char *s, *val;
	size_t n, klen, vlen;
};

/* The next space-separated word at *p (before end); false at the end. An
 * empty word (two spaces) is returned as such. */
static bool next_word(const char **p, const char *end, struct word *w)
{
	const char *sp, *eq;

	if (*p >= end)
		return false;
	w->s = *p;
	sp = memchr(*p, ' ', (size_t)(end - *p));
	w->n = (size_t)((sp ? sp : end) - *p);
	*p = sp ? sp + 1 : end;
	eq = memchr(w->s, '=', w->n);
	if (eq) {
		w->klen = (size_t)(eq - w->s);
		w->val = eq + 1;
		w->vlen = w->n - w->klen - 1;
	} else {
		w->klen = 0;
		w->val = NULL;
		w->vlen = 0;
	}
	return true;
}

static bool key_is(const struct word *w, const char *k)
{
	size_t n = strlen(k);

	return w->val && w->klen == n && memcmp(w->s, k, n) == 0;
}

static bool val_is(const struct word *w, const char *v)
{
	size_t n = strlen(v);

	return w->vlen == n && memcmp(w->val, v, n) == 0;
}

/* Whole-value decimal, no sign, no leading zero, at most max. */
static bool dec(const struct word *w, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (w->vlen == 0 || w->vlen > 20 || (w->val[0] == '0' && w->vlen > 1))
		return false;
	for (i = 0; i < w->vlen; i++) {
		if (w->val[i] < '0' || w->val[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(w->val[i] - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

/* Each key once: a bit per key already seen. */
static bool once(unsigned *seen, unsigned bit)
{
	if (*seen & bit)
		return false;
	*seen |= bit;
	return true;
}

static bool copy_val(const struct word *w, char *out, size_t cap)
{
	if (w->vlen == 0 || w->vlen >= cap)
		return false;
	memcpy(out, w->val, w->vlen);
	out[w->vlen] = '\0';
	return true;
}

/* The kernel-written part: pid uid auid ses (and LOGIN's own fields). */
enum {
	K_PID = 1u << 0, K_UID = 1u << 1, K_AUID = 1u << 2, K_SES = 1u << 3,
	K_OLD_AUID = 1u << 4, K_OLD_SES = 1u << 5, K_TTY = 1u << 6,
	K_RES = 1u << 7,
};

static bool kernel_word(const struct word *w, struct login_event *ev,
			unsigned *seen)
{
	uint64_t v;

	if (key_is(w, "pid")) {
		if (!once(seen, K_PID) || !dec(w, INT_MAX, &v) || v == 0)
			return false;
		ev->pid = (pid_t)v;
	} else if (key_is(w, "uid")) {
		if (!once(seen, K_UID) || !dec(w, UINT32_MAX, &v))
			return false;
		ev->uid = (uint32_t)v;
	} else if (key_is(w, "auid")) {
		if (!once(seen, K_AUID) || !dec(w, UINT32_MAX, &v))
			return false;
		ev->auid = (uint32_t)v;
	} else if (key_is(w, "ses")) {
		if (!once(seen, K_SES) || !dec(w, UINT32_MAX, &v))
			return false;
		ev->ses = (uint32_t)v;
	} else if (ev->type == LOGIN_SET && key_is(w, "old-auid")) {
		if (!once(seen, K_OLD_AUID) || !dec(w, UINT32_MAX, &v))
			return false;
		ev->old_auid = (uint32_t)v;
	} else if (ev->type == LOGIN_SET && key_is(w, "old-ses")) {
		if (!once(seen, K_OLD_SES) || !dec(w, UINT32_MAX, &v))
			return false;
		ev->old_ses = (uint32_t)v;
	} else if (ev->type == LOGIN_SET && key_is(w, "tty")) {
		if (!once(seen, K_TTY) || !copy_val(w, ev->tty, sizeof(ev->tty)))
			return false;
	} else if (ev->type == LOGIN_SET && key_is(w, "res")) {
		if (!once(seen, K_RES) || !dec(w, 1, &v))
			return false;
		ev->success = v == 1;
	}
	/* subj= and the words of an LSM label with spaces: the kernel's,
	 * not read */
	return true;
}

/* The sender's text. */
enum {
	T_OP = 1u << 0, T_ACCT = 1u << 1, T_ID = 1u << 2, T_EXE = 1u << 3,
	T_HOST = 1u << 4, T_ADDR = 1u << 5, T_TERM = 1u << 6, T_RES = 1u << 7,
	T_GRANTORS = 1u << 8,
};

/* acct="name" (at most ACCT_MAX bytes) or hex of at most that many. */
static bool acct_ok(const struct word *w)
{
	size_t i;

	if (w->vlen >= 2 && w->val[0] == '"')
		return w->val[w->vlen - 1] == '"' && w->vlen - 2 <= ACCT_MAX &&
		       !memchr(w->val + 1, '"', w->vlen - 2);
	if (w->vlen == 0 || w->vlen % 2 || w->vlen > 2 * ACCT_MAX)
		return false;
	for (i = 0; i < w->vlen; i++)
		if (!((w->val[i] >= '0' && w->val[i] <= '9') ||
		      (w->val[i] >= 'A' && w->val[i] <= 'F')))
			return false;
	return true;
}

static bool addr_ok(const struct word *w, char *out, size_t cap)
{
	unsigned char bin[16];
	char raw[LOGIN_ADDR_MAX];
	int af;

	if (val_is(w, "?")) {
		out[0] = '\0';
		return true;
	}
	if (!copy_val(w, raw, sizeof(raw)))
		return false;
	af = strchr(raw, ':') ? AF_INET6 : AF_INET;
	return inet_pton(af, raw, bin) == 1 &&
	       inet_ntop(af, bin, out, (socklen_t)cap) != NULL;
}

static bool text_word(const struct word *w, struct login_event *ev,
		      unsigned *seen)
{
	uint64_t v;
	size_t len;
	bool cut = false;

	if (!w->val || w->klen == 0)
		return false;   /* a bare word: libaudit writes none */
	if (key_is(w, "op")) {
		if (!once(seen, T_OP) || w->vlen == 0)
			return false;
		ev->pam_op = val_is(w, ev->type == LOGIN_PAM_START ?
				    "PAM:session_open" : "PAM:session_close");
		return true;
	} else if (key_is(w, "acct")) {
		return once(seen, T_ACCT) && acct_ok(w);
	} else if (key_is(w, "id")) {
		return once(seen, T_ID) && dec(w, UINT32_MAX, &v);
	} else if (key_is(w, "exe")) {
		if (!once(seen, T_EXE) || w->vlen == 0 ||
		    !audit_value_decode(w->val, w->vlen, ev->exe,
					sizeof(ev->exe), &len, &cut))
			return false;
		return !cut && len == strlen(ev->exe) && ev->exe[0] == '/';
	} else if (key_is(w, "hostname")) {
		return once(seen, T_HOST) && w->vlen > 0;
	} else if (key_is(w, "addr")) {
		return once(seen, T_ADDR) &&
		       addr_ok(w, ev->addr, sizeof(ev->addr));
	} else if (key_is(w, "terminal")) {
		return once(seen, T_TERM) &&
		       copy_val(w, ev->terminal, sizeof(ev->terminal));
	} else if (key_is(w, "res")) {
		if (!once(seen, T_RES))
			return false;
		ev->success = val_is(w, "success");
		return ev->success || val_is(w, "failed");
	} else if (key_is(w, "grantors")) {
		return once(seen, T_GRANTORS);
	}
	/* a key libaudit may add one day: not read */
	return true;
}

/* Skip "[node=N ]type=T msg=audit(ID): " when the text starts with it. */
static const char *skip_head(const char *s, const char *end)
{
	const char *p = s, *q;

	if ((size_t)(end - p) > 5 && memcmp(p, "node=", 5) == 0) {
		q = memchr(p, ' ', (size_t)(end - p));
		if (!q)
			return s;
		p = q + 1;
	}
	if ((size_t)(end - p) <= 5 || memcmp(p, "type=", 5) != 0)
		return s;
	q = memchr(p, ' ', (size_t)(end - p));
	if (!q || (size_t)(end - q) < 11 || memcmp(q + 1, "msg=audit(", 10))
		return s;
	p = memchr(q + 11, ')', (size_t)(end - (q + 11)));
	if (!p || (size_t)(end - p) < 3 || p[1] != ':' || p[2] != ' ')
		return s;
	return p + 3;
}

bool login_without_session(enum login_type type, const char *text,
			   size_t n)
{
	const char *sep = memchr(text, AUDIT_INTERP_SEPARATOR, n);
	const char *end = sep ? sep : text + n, *p, *msg;
	struct word w;

	if (type != LOGIN_PAM_START && type != LOGIN_PAM_END)
		return false;
	p = skip_head(text, end);
	msg = memmem(p, (size_t)(end - p), " msg='", 6);
	if (!msg)
		return false;
	while (next_word(&p, msg, &w))
		if (key_is(&w, "ses"))
			return val_is(&w, "4294967295");
	return false;
}

bool login_event_parse(enum login_type type, const char *text, size_t n,
		       struct login_event *ev)
{
	const char *end, *p, *msg, *body, *body_end;
	const char *sep = memchr(text, AUDIT_INTERP_SEPARATOR, n);
	unsigned kseen = 0, tseen = 0;
	struct word w;

	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->node = "";
	ev->uid = ev->auid = ev->ses = EXEC_ID_UNSET;
	ev->old_auid = ev->old_ses = EXEC_ID_UNSET;
	end = sep ? sep : text + n;
	p = skip_head(text, end);

	if (type == LOGIN_SET) {
		while (next_word(&p, end, &w))
			if (!kernel_word(&w, ev, &kseen))
				return false;
		return (kseen & (K_PID | K_UID | K_AUID | K_SES | K_RES)) ==
		       (K_PID | K_UID | K_AUID | K_SES | K_RES);
	}
	if (type != LOGIN_PAM_START && type != LOGIN_PAM_END)
		return false;

	/* The kernel's part ends at the first msg=': what follows is the
	 * sender's, up to the record's last byte, its closing quote. */
	msg = memmem(p, (size_t)(end - p), "msg='", 5);
	if (!msg || (msg != p && msg[-1] != ' '))
		return false;
	body = msg + 5;
	if (end - body < 1 || end[-1] != '\'')
		return false;
	body_end = end - 1;
	if (memchr(body, '\'', (size_t)(body_end - body)))
		return false;
	while (next_word(&p, msg, &w))
		if (w.n && !kernel_word(&w, ev, &kseen))
			return false;
	if ((kseen & (K_PID | K_UID | K_AUID | K_SES)) !=
	    (K_PID | K_UID | K_AUID | K_SES))
		return false;
	p = body;
	while (next_word(&p, body_end, &w))
		if (!text_word(&w, ev, &tseen))
			return false;
	return (tseen & (T_OP | T_EXE | T_RES)) == (T_OP | T_EXE | T_RES);
}
