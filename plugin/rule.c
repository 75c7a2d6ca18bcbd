/*
 * rule.c - EQL's `like` wildcard matcher (see rule.h).
 */
#include "config.h"

#include <string.h>

#include "rule.h"

static inline unsigned char fold(unsigned char c, bool icase)
{
	return icase && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

bool wildcard_match(const char *p, size_t plen, const char *s, size_t slen,
		    bool icase)
{
	size_t pi = 0, si = 0;
	size_t star_p = (size_t)-1, star_s = 0;

	/* Classic greedy glob: on a mismatch, let the last `*` swallow one
	 * more byte. Only the last star needs remembering, so this is
	 * O(plen * slen) at worst and linear for the prefix patterns the
	 * rule uses. */
	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			star_p = pi++;
			star_s = si;
		} else if (pi < plen &&
			   (p[pi] == '?' ||
			    fold((unsigned char)p[pi], icase) ==
				    fold((unsigned char)s[si], icase))) {
			pi++;
			si++;
		} else if (star_p != (size_t)-1) {
			pi = star_p + 1;
			si = ++star_s;
		} else {
			return false;
		}
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}
