/*
 * strbuf.h - a growable byte buffer with a hard size limit.
 *
 * Guarantees: the content is always NUL-terminated; it never grows beyond
 * `limit` bytes (plus the NUL); a write that would pass the limit or that
 * cannot be allocated is cut and sets `overflow` (resp. `nomem`) instead of
 * failing, so formatting code can write straight through and check once.
 * Cost: amortised O(1) per byte; memory is kept across sb_reset().
 */
#ifndef KS_STRBUF_H
#define KS_STRBUF_H

#include <stddef.h>
#include <stdbool.h>

struct strbuf {
	char *buf;
	size_t len, cap;
	size_t limit;   /* maximum len; 0 means SIZE_MAX/2 */
	bool overflow;  /* something was cut by `limit` */
	bool nomem;     /* something was cut by allocation failure */
};

void sb_init(struct strbuf *sb, size_t limit);
void sb_reset(struct strbuf *sb);       /* len = 0, flags cleared */
void sb_free(struct strbuf *sb);
void sb_add(struct strbuf *sb, const void *p, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "" when empty, never NULL. */
const char *sb_str(const struct strbuf *sb);

#endif
