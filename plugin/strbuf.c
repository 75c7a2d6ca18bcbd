/*
 * strbuf.c - growable byte buffer with a hard size limit (see strbuf.h).
 *
 * Every write goes through sb_room(), which is the one place that knows
 * about the limit and about allocation failure: callers can write straight
 * through and look at `overflow` / `nomem` once at the end.
 */
#include "strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Small first allocation: most alerts are a few hundred bytes. */
#define SB_MIN_CAP 256u

static size_t sb_max(const struct strbuf *sb)
{
	return sb->limit ? sb->limit : SIZE_MAX / 2;
}

void sb_init(struct strbuf *sb, size_t limit)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
	sb->limit = limit;
	sb->overflow = false;
	sb->nomem = false;
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
	sb->overflow = false;
	sb->nomem = false;
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}

/*
 * Make room for up to `want` more bytes plus the NUL. Returns how many of
 * them may be written: fewer when the limit or the allocator says no (and
 * the matching flag is then set).
 */
static size_t sb_room(struct strbuf *sb, size_t want)
{
	size_t max = sb_max(sb);
	size_t avail = sb->len < max ? max - sb->len : 0;
	size_t need, ncap;
	char *p;

	if (want > avail) {
		want = avail;
		sb->overflow = true;
	}
	need = sb->len + want + 1;
	if (need <= sb->cap)
		return want;

	ncap = sb->cap ? sb->cap : SB_MIN_CAP;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 4) {
			ncap = need;
			break;
		}
		ncap *= 2;
	}
	/* Never hold more than the limit can use. */
	if (ncap > max + 1)
		ncap = max + 1;
	if (ncap < need)
		ncap = need;

	p = realloc(sb->buf, ncap);
	if (!p) {
		sb->nomem = true;
		if (!sb->buf)
			return 0;
		return sb->cap - sb->len - 1;
	}
	if (!sb->buf)
		p[0] = '\0';
	sb->buf = p;
	sb->cap = ncap;
	return want;
}

void sb_add(struct strbuf *sb, const void *p, size_t n)
{
	size_t room;

	if (n == 0)
		return;
	room = sb_room(sb, n);
	if (room < n)
		n = room;
	if (n == 0)
		return;
	memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;

	room = sb_room(sb, (size_t)n);
	if (room == 0)
		return;
	/* room < n: vsnprintf cuts at room bytes and writes the NUL. */
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, room + 1, fmt, ap);
	va_end(ap);
	sb->len += room;
}

const char *sb_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}
