/*
 * diag.c - the program's one way out for diagnostics (see diag.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "diag.h"

/* One program, one logger: the mode is set once at start. */
static struct logsock *to_syslog;
static bool verbose;

void diag_to_syslog(struct logsock *log)
{
	to_syslog = log;
}

void diag_set_verbose(bool on)
{
	verbose = on;
}

static const char hex[] = "0123456789abcdef";

/* The escape of byte c into e (at most 4 bytes); returns its length. */
static size_t escape(unsigned char c, bool quote_backslash, char e[4])
{
	if (c == '\\' && quote_backslash) {
		e[0] = e[1] = '\\';
		return 2;
	}
	if (c >= 0x20 && c <= 0x7e) {
		e[0] = (char)c;
		return 1;
	}
	e[0] = '\\';
	e[1] = 'x';
	e[2] = hex[c >> 4];
	e[3] = hex[c & 15];
	return 4;
}

char *diag_quote(char *dst, size_t cap, const char *s, size_t n)
{
	size_t need = 0, o = 0, i, k;
	char e[4];

	if (cap == 0)
		return dst;
	for (i = 0; i < n; i++)
		need += escape((unsigned char)s[i], true, e);
	if (need < cap) {
		for (i = 0; i < n; i++) {
			k = escape((unsigned char)s[i], true, e);
			memcpy(dst + o, e, k);
			o += k;
		}
		dst[o] = '\0';
		return dst;
	}
	/* Cut: whole escapes only, and room for the "..." that says so. */
	for (i = 0; i < n; i++) {
		k = escape((unsigned char)s[i], true, e);
		if (o + k + 3 >= cap)
			break;
		memcpy(dst + o, e, k);
		o += k;
	}
	for (k = 0; k < 3 && o + 1 < cap; k++)
		dst[o++] = '.';
	dst[o] = '\0';
	return dst;
}

void diag(int priority, const char *fmt, ...)
{
	char msg[DIAG_MAX], line[DIAG_MAX];
	size_t n, o = 0, i, k;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	n = (size_t)r < sizeof(msg) ? (size_t)r : sizeof(msg) - 1;
	/* The guard: text that reached here unquoted still cannot break
	 * the line or talk to a terminal. Backslashes are left alone: text
	 * quoted by diag_quote has them already. */
	for (i = 0; i < n; i++) {
		char e[4];

		k = escape((unsigned char)msg[i], false, e);
		if (o + k >= sizeof(line))
			break;
		memcpy(line + o, e, k);
		o += k;
	}
	line[o] = '\0';

	if (to_syslog) {
		logsock_send(to_syslog, priority, line, o);
		return;
	}
	if ((priority & LOG_PRIMASK) >= LOG_INFO && !verbose)
		return;
	fprintf(stderr, DIAG_PROG ": %s\n", line);
	fflush(stderr);
}
