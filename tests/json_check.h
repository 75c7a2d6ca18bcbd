/*
 * json_check.h - a strict RFC 8259 JSON validator and UTF-8 check, for the
 * tests and the fuzz harnesses that must prove every JSON alert is valid.
 * Header-only: every function is static. json_valid(s, n) is the entry.
 */
#ifndef KS_TESTS_JSON_CHECK_H
#define KS_TESTS_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct jp {
	const unsigned char *s;
	size_t n, i;
	int depth;
};

static bool jv_value(struct jp *p);

static void jv_ws(struct jp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
			       p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
}

static bool jv_lit(struct jp *p, const char *lit)
{
	size_t l = strlen(lit);

	if (p->n - p->i < l || memcmp(p->s + p->i, lit, l) != 0)
		return false;
	p->i += l;
	return true;
}

static int jv_hex4(struct jp *p)
{
	int v = 0, k;

	if (p->n - p->i < 4)
		return -1;
	for (k = 0; k < 4; k++) {
		unsigned char c = p->s[p->i++];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static bool jv_string(struct jp *p)
{
	if (p->i >= p->n || p->s[p->i] != '"')
		return false;
	p->i++;
	while (p->i < p->n) {
		unsigned char c = p->s[p->i++];

		if (c == '"')
			return true;
		if (c < 0x20)
			return false;
		if (c != '\\')
			continue;
		if (p->i >= p->n)
			return false;
		c = p->s[p->i++];
		if (strchr("\"\\/bfnrt", c) && c != '\0')
			continue;
		if (c != 'u')
			return false;
		{
			int u = jv_hex4(p);

			if (u < 0)
				return false;
			/* Surrogates must come as a proper pair. */
			if (u >= 0xdc00 && u <= 0xdfff)
				return false;
			if (u >= 0xd800 && u <= 0xdbff) {
				int lo;

				if (!jv_lit(p, "\\u"))
					return false;
				lo = jv_hex4(p);
				if (lo < 0xdc00 || lo > 0xdfff)
					return false;
			}
		}
	}
	return false;
}

static bool jv_digits(struct jp *p)
{
	size_t start = p->i;

	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > start;
}

static bool jv_number(struct jp *p)
{
	if (p->i < p->n && p->s[p->i] == '-')
		p->i++;
	if (p->i < p->n && p->s[p->i] == '0')
		p->i++;
	else if (p->i < p->n && p->s[p->i] >= '1' && p->s[p->i] <= '9')
		jv_digits(p);
	else
		return false;
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (!jv_digits(p))
			return false;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (!jv_digits(p))
			return false;
	}
	return true;
}

static bool jv_container(struct jp *p, char open, char close)
{
	bool obj = open == '{';

	if (++p->depth > 64)
		return false;
	p->i++;
	jv_ws(p);
	if (p->i < p->n && p->s[p->i] == (unsigned char)close) {
		p->i++;
		p->depth--;
		return true;
	}
	for (;;) {
		jv_ws(p);
		if (obj) {
			if (!jv_string(p))
				return false;
			jv_ws(p);
			if (p->i >= p->n || p->s[p->i] != ':')
				return false;
			p->i++;
			jv_ws(p);
		}
		if (!jv_value(p))
			return false;
		jv_ws(p);
		if (p->i >= p->n)
			return false;
		if (p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->s[p->i] != (unsigned char)close)
			return false;
		p->i++;
		p->depth--;
		return true;
	}
}

static bool jv_value(struct jp *p)
{
	if (p->i >= p->n)
		return false;
	switch (p->s[p->i]) {
	case '{': return jv_container(p, '{', '}');
	case '[': return jv_container(p, '[', ']');
	case '"': return jv_string(p);
	case 't': return jv_lit(p, "true");
	case 'f': return jv_lit(p, "false");
	case 'n': return jv_lit(p, "null");
	default: return jv_number(p);
	}
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp, min;
		size_t k, len;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static bool json_valid(const char *s, size_t n)
{
	struct jp p = { (const unsigned char *)s, n, 0, 0 };

	if (!utf8_valid(p.s, n))
		return false;
	jv_ws(&p);
	if (!jv_value(&p))
		return false;
	jv_ws(&p);
	return p.i == n;
}

#endif
