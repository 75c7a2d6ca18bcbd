/*
 * version_lock.c - read rule versions from version.lock.json (see
 * version_lock.h): a small JSON scanner that keeps only depth-2
 * "version" numbers under depth-1 keys.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version_lock.h"

#define MAX_DEPTH 32

struct scan {
	const char *s;
	size_t n, i;
	char *err;
	size_t errlen;
	struct version_lock *vl;
	size_t cap;
};

static int bad(struct scan *sc, const char *what)
{
	if (sc->err && sc->errlen)
		snprintf(sc->err, sc->errlen, "byte %zu: %s", sc->i + 1, what);
	return -1;
}

static void ws(struct scan *sc)
{
	while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\n' ||
				 sc->s[sc->i] == '\r' || sc->s[sc->i] == '\t'))
		sc->i++;
}

/* A string; its raw content (escapes kept) into out when it fits, else
 * out[0] = 0. */
static int string(struct scan *sc, char *out, size_t cap)
{
	size_t k = 0;
	bool fits = true;

	if (sc->i >= sc->n || sc->s[sc->i] != '"')
		return bad(sc, "expected a string");
	sc->i++;
	while (sc->i < sc->n && sc->s[sc->i] != '"') {
		char c = sc->s[sc->i];

		if ((unsigned char)c < 0x20)
			return bad(sc, "control character in a string");
		if (c == '\\') {
			if (++sc->i >= sc->n)
				break;
			fits = false; /* ids have no escapes */
		}
		if (fits && k + 1 < cap)
			out[k++] = c;
		else
			fits = false;
		sc->i++;
	}
	if (sc->i >= sc->n)
		return bad(sc, "unterminated string");
	sc->i++;
	if (out && cap)
		out[fits ? k : 0] = '\0';
	return 0;
}

static int value(struct scan *sc, int depth, const char *key1,
		 bool is_version);

static int add(struct scan *sc, const char *id, int64_t v)
{
	struct version_lock *vl = sc->vl;

	if (!id[0])
		return 0;
	if (vl->n == sc->cap) {
		size_t nc = sc->cap ? sc->cap * 2 : 256;
		struct version_lock_entry *ne = realloc(vl->e, nc * sizeof(*ne));

		if (!ne)
			return bad(sc, "out of memory");
		vl->e = ne;
		sc->cap = nc;
	}
	snprintf(vl->e[vl->n].id, sizeof(vl->e[vl->n].id), "%s", id);
	vl->e[vl->n++].version = v;
	return 0;
}

static int number(struct scan *sc, int64_t *v, bool *is_int)
{
	size_t st = sc->i;
	int64_t x = 0;
	bool neg = false, ok = true;

	if (sc->i < sc->n && sc->s[sc->i] == '-') {
		neg = true;
		sc->i++;
	}
	while (sc->i < sc->n && sc->s[sc->i] >= '0' && sc->s[sc->i] <= '9') {
		if (x > (INT64_MAX - 9) / 10)
			ok = false;
		else
			x = x * 10 + (sc->s[sc->i] - '0');
		sc->i++;
	}
	if (sc->i == st + neg)
		return bad(sc, "expected a value");
	while (sc->i < sc->n && strchr(".eE+-0123456789", sc->s[sc->i])) {
		ok = false;
		sc->i++;
	}
	*v = neg ? -x : x;
	*is_int = ok;
	return 0;
}

static int object(struct scan *sc, int depth, const char *key1)
{
	char key[128];

	sc->i++; /* { */
	ws(sc);
	if (sc->i < sc->n && sc->s[sc->i] == '}') {
		sc->i++;
		return 0;
	}
	for (;;) {
		ws(sc);
		if (string(sc, key, sizeof(key)))
			return -1;
		ws(sc);
		if (sc->i >= sc->n || sc->s[sc->i] != ':')
			return bad(sc, "expected ':'");
		sc->i++;
		ws(sc);
		if (value(sc, depth + 1, depth == 0 ? key : key1,
			  depth == 1 && strcmp(key, "version") == 0))
			return -1;
		ws(sc);
		if (sc->i < sc->n && sc->s[sc->i] == ',') {
			sc->i++;
			continue;
		}
		if (sc->i < sc->n && sc->s[sc->i] == '}') {
			sc->i++;
			return 0;
		}
		return bad(sc, "expected ',' or '}'");
	}
}

static int array(struct scan *sc, int depth)
{
	sc->i++; /* [ */
	ws(sc);
	if (sc->i < sc->n && sc->s[sc->i] == ']') {
		sc->i++;
		return 0;
	}
	for (;;) {
		ws(sc);
		if (value(sc, depth + 1, "", false))
			return -1;
		ws(sc);
		if (sc->i < sc->n && sc->s[sc->i] == ',') {
			sc->i++;
			continue;
		}
		if (sc->i < sc->n && sc->s[sc->i] == ']') {
			sc->i++;
			return 0;
		}
		return bad(sc, "expected ',' or ']'");
	}
}

static int value(struct scan *sc, int depth, const char *key1,
		 bool is_version)
{
	int64_t v;
	bool is_int;

	if (depth > MAX_DEPTH)
		return bad(sc, "nested too deeply");
	if (sc->i >= sc->n)
		return bad(sc, "expected a value");
	switch (sc->s[sc->i]) {
	case '{':
		return object(sc, depth, key1);
	case '[':
		return array(sc, depth);
	case '"':
		return string(sc, NULL, 0);
	case 't':
	case 'f':
	case 'n': {
		static const char *const words[] = { "true", "false", "null" };

		for (int w = 0; w < 3; w++) {
			size_t k = strlen(words[w]);

			if (sc->n - sc->i >= k && !memcmp(sc->s + sc->i, words[w], k)) {
				sc->i += k;
				return 0;
			}
		}
		return bad(sc, "expected a value");
	}
	default:
		if (number(sc, &v, &is_int))
			return -1;
		if (is_version && is_int && v > 0)
			return add(sc, key1, v);
		return 0;
	}
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct version_lock_entry *)a)->id,
		      ((const struct version_lock_entry *)b)->id);
}

int version_lock_parse(struct version_lock *vl, const char *text, size_t len,
		       char *err, size_t errlen)
{
	struct scan sc = { .s = text, .n = len, .err = err, .errlen = errlen,
			   .vl = vl };

	memset(vl, 0, sizeof(*vl));
	if (err && errlen)
		err[0] = '\0';
	ws(&sc);
	if (sc.i >= sc.n || text[sc.i] != '{') {
		bad(&sc, "expected an object");
		goto fail;
	}
	if (value(&sc, 0, "", false))
		goto fail;
	ws(&sc);
	if (sc.i != sc.n) {
		bad(&sc, "text after the object");
		goto fail;
	}
	if (vl->n)
		qsort(vl->e, vl->n, sizeof(*vl->e), by_id);
	return 0;
fail:
	version_lock_free(vl);
	return -1;
}

int version_lock_load(struct version_lock *vl, const char *path, char *err,
		      size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	memset(vl, 0, sizeof(*vl));
	if (!f) {
		int e = errno;

		if (err && errlen)
			snprintf(err, errlen, "%s", strerror(e));
		errno = e;
		return -1;
	}
	for (;;) {
		size_t r;

		if (len == cap) {
			char *nb;

			if (cap >= VERSION_LOCK_MAX_BYTES) {
				snprintf(err, errlen, "over %u bytes",
					 VERSION_LOCK_MAX_BYTES);
				free(buf);
				fclose(f);
				errno = EFBIG;
				return -1;
			}
			cap = cap ? cap * 2 : 1u << 20;
			nb = realloc(buf, cap);
			if (!nb) {
				snprintf(err, errlen, "out of memory");
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return -1;
			}
			buf = nb;
		}
		r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	fclose(f);
	rc = version_lock_parse(vl, buf, len, err, errlen);
	free(buf);
	if (rc)
		errno = EINVAL;
	return rc;
}

int64_t version_lock_get(const struct version_lock *vl, const char *id)
{
	size_t lo = 0, hi = vl ? vl->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(vl->e[mid].id, id);

		if (c == 0)
			return vl->e[mid].version;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void version_lock_free(struct version_lock *vl)
{
	free(vl->e);
	vl->e = NULL;
	vl->n = 0;
}
