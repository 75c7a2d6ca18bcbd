/*
 * syslog_prefix.c - the syslog prefix in front of an audit record (see
 * include/syslog_prefix.h). Each reader takes a cursor and the end and
 * returns the cursor after what it read, or NULL: nothing here reads
 * past the end or needs the line to be NUL-terminated.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "syslog_prefix.h"

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *digits(const char *p, const char *end, size_t min,
			  size_t max)
{
	size_t i = 0;

	while (p + i < end && i < max && digit(p[i]))
		i++;
	return i >= min ? p + i : NULL;
}

static const char *lit(const char *p, const char *end, char c)
{
	return p && p < end && *p == c ? p + 1 : NULL;
}

/* "<PRI>": 1 to 3 digits */
static const char *pri(const char *p, const char *end)
{
	const char *q = lit(p, end, '<');

	q = q ? digits(q, end, 1, 3) : NULL;
	return lit(q, end, '>');
}

/* "Mmm dd hh:mm:ss" (day space-padded or not) */
static const char *bsd_time(const char *p, const char *end)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *q;
	size_t i;

	if (end - p < 15)
		return NULL;
	for (i = 0; i < 12; i++)
		if (memcmp(p, months + 3 * i, 3) == 0)
			break;
	if (i == 12 || p[3] != ' ')
		return NULL;
	q = p + 4;
	if (*q == ' ')
		q++;
	q = digits(q, end, 1, 2);
	q = lit(q, end, ' ');
	q = q ? digits(q, end, 2, 2) : NULL;
	q = lit(q, end, ':');
	q = q ? digits(q, end, 2, 2) : NULL;
	q = lit(q, end, ':');
	return q ? digits(q, end, 2, 2) : NULL;
}

/* RFC 3339: "2026-11-29T10:00:01[.frac](Z|+hh:mm|-hh:mm)" */
static const char *iso_time(const char *p, const char *end)
{
	const char *q = digits(p, end, 4, 4);

	q = lit(q, end, '-');
	q = q ? digits(q, end, 2, 2) : NULL;
	q = lit(q, end, '-');
	q = q ? digits(q, end, 2, 2) : NULL;
	q = lit(q, end, 'T');
	q = q ? digits(q, end, 2, 2) : NULL;
	q = lit(q, end, ':');
	q = q ? digits(q, end, 2, 2) : NULL;
	q = lit(q, end, ':');
	q = q ? digits(q, end, 2, 2) : NULL;
	if (!q)
		return NULL;
	if (q < end && *q == '.')
		q = digits(q + 1, end, 1, 9);
	if (!q || q >= end)
		return NULL;
	if (*q == 'Z')
		return q + 1;
	if (*q != '+' && *q != '-')
		return NULL;
	q = digits(q + 1, end, 2, 2);
	q = lit(q, end, ':');
	return q ? digits(q, end, 2, 2) : NULL;
}

/* A space-free word of at most max bytes followed by one space: its
 * start and length, and the cursor after the space. */
static const char *word(const char *p, const char *end, size_t max,
			const char **w, size_t *wlen)
{
	const char *sp;

	if (!p || p >= end || *p == ' ')
		return NULL;
	sp = memchr(p, ' ', (size_t)(end - p) < max + 1 ?
		    (size_t)(end - p) : max + 1);
	if (!sp)
		return NULL;
	*w = p;
	*wlen = (size_t)(sp - p);
	return sp + 1;
}

static void set_host(struct syslog_line *out, const char *h, size_t n)
{
	if (n == 0 || n > SYSLOG_HOST_MAX || (n == 1 && h[0] == '-'))
		return;
	out->host = h;
	out->host_len = n;
}

static enum syslog_kind message(const char *s, const char *p,
				const char *end, struct syslog_line *out)
{
	if (end - p >= 3 && (unsigned char)p[0] == 0xef &&
	    (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
		p += 3;
	if (end - p >= 5 && (memcmp(p, "type=", 5) == 0 ||
			     memcmp(p, "node=", 5) == 0)) {
		out->msg = (size_t)(p - s);
		return SYSLOG_RECORD;
	}
	return SYSLOG_OTHER;
}

/* RFC 5424 after "<PRI>1 " */
static enum syslog_kind rfc5424(const char *s, const char *p, const char *end,
				struct syslog_line *out)
{
	const char *w, *h;
	size_t wlen, hlen;

	p = word(p, end, 64, &w, &wlen);         /* TIMESTAMP or - */
	p = word(p, end, 1024, &h, &hlen);       /* HOSTNAME */
	p = word(p, end, 48, &w, &wlen);         /* APP-NAME */
	p = word(p, end, 128, &w, &wlen);        /* PROCID */
	p = word(p, end, 32, &w, &wlen);         /* MSGID */
	if (!p || p >= end)
		return SYSLOG_NONE;
	set_host(out, h, hlen);
	if (*p == '-') {
		p++;
	} else {
		/* [id param="value"...]... */
		while (p < end && *p == '[') {
			bool quoted = false;

			for (p++; p < end; p++) {
				if (quoted && *p == '\\' && p + 1 < end)
					p++;
				else if (*p == '"')
					quoted = !quoted;
				else if (!quoted && *p == ']')
					break;
			}
			if (p >= end)
				return SYSLOG_NONE;
			p++;
		}
	}
	if (p < end && *p == ' ')
		p++;
	else if (p < end)
		return SYSLOG_NONE;
	return message(s, p, end, out);
}

enum syslog_kind syslog_parse(const char *s, size_t n, struct syslog_line *out)
{
	const char *p = s, *end = s + n, *q, *h, *tag;
	size_t hlen, taglen;

	memset(out, 0, sizeof(*out));
	if (n && *p == '<') {
		p = pri(p, end);
		if (!p)
			return SYSLOG_NONE;
		if (end - p >= 2 && p[0] == '1' && p[1] == ' ')
			return rfc5424(s, p + 2, end, out);
	}
	q = bsd_time(p, end);
	if (!q)
		q = iso_time(p, end);
	q = lit(q, end, ' ');
	if (!q)
		return SYSLOG_NONE;
	q = word(q, end, 1024, &h, &hlen);
	if (!q)
		return SYSLOG_NONE;
	set_host(out, h, hlen);
	/* a template without a tag */
	if (message(s, q, end, out) == SYSLOG_RECORD)
		return SYSLOG_RECORD;
	/* the tag: "name:", "name[pid]:" */
	tag = q;
	taglen = 0;
	while (tag + taglen < end && taglen < 128 && tag[taglen] != ':' &&
	       tag[taglen] != ' ')
		taglen++;
	if (tag + taglen >= end || tag[taglen] != ':' || taglen == 0)
		return SYSLOG_OTHER;
	q = tag + taglen + 1;
	if (q < end && *q == ' ')
		q++;
	return message(s, q, end, out);
}
