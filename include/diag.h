/*
 * diag.h - every diagnostic of the program goes out here: syslog in plugin
 * mode, standard error ("audisp-kernel-seeking: ...") in the other modes.
 * Where they go is decided once, when the mode is known (diag_to_syslog);
 * a call site only says how grave a message is.
 *
 * On standard error, messages of priority LOG_INFO and LOG_DEBUG (what went
 * right: a rule loaded, the built-in rule used) are shown only with
 * --verbose (diag_set_verbose); syslog gets every message and its daemon
 * filters.
 *
 * Untrusted text (anything from the audited system, a config or rule file,
 * a file name) is put into a message through diag_quote, the one escaping
 * rule of diagnostics: printable ASCII kept, `\` doubled, every other byte
 * \xHH, bounded. As a last guard, diag() itself writes any byte outside
 * printable ASCII that reaches it as \xHH: a message is always one line
 * and never talks to a terminal.
 *
 * Guarantees: messages are data for logsock_send, never a format; each is
 * cut at DIAG_MAX bytes. Never blocks (logsock.h).
 * Cost: one vsnprintf and one pass over the message per call.
 */
#ifndef KS_DIAG_H
#define KS_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include "logsock.h"

#define DIAG_PROG "audisp-kernel-seeking"
#define DIAG_MAX 2048u

/* From now on, diagnostics go to this syslog writer (plugin mode); until
 * then, and in every other mode, to standard error. */
void diag_to_syslog(struct logsock *log);
/* Standard error shows LOG_INFO and LOG_DEBUG messages too (--verbose). */
void diag_set_verbose(bool verbose);

/* One diagnostic, at a syslog priority (LOG_ERR, LOG_WARNING...). */
void diag(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Copy n bytes of s into dst (cap >= 1) so that they can be shown in a
 * message: printable ASCII kept, `\` written `\\`, every other byte (control
 * bytes, DEL, bytes >= 0x80, NUL) `\xHH`. An escape is never split; when
 * the text does not fit, as much as fits is kept and "..." ends it. Always
 * NUL-terminated. Returns dst.
 */
char *diag_quote(char *dst, size_t cap, const char *s, size_t n);

#endif
