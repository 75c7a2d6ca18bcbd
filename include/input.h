/*
 * input.h - the review's inputs: finding auditd's log and its rotations,
 * opening files, decompressing gzip and xz, and taking audit records out
 * of syslog lines. What comes out is audit log text for runtime_feed.
 *
 * Finding (--input-logs): log_file from auditd.conf (default
 * /var/log/audit/audit.log, as auditd's own), then every rotation beside
 * it, oldest first: auditd's FILE.N (the higher N the older), logrotate's
 * FILE.N.gz/.xz and dated FILE-YYYYMMDD[.gz|.xz] (older dates first; the
 * dated ones before the numbered ones), FILE itself last. A gap in the
 * numbers (FILE.3 and FILE.1 but no FILE.2) is reported as a missing
 * rotation. Only regular files are taken: a FIFO or directory of that
 * name is reported and skipped (it would block or mean nothing).
 *
 * Reading: the format is known from the content, never from the name:
 * gzip (1f 8b; several members one after another too) through zlib, xz
 * (FD 37 7A 58 5A 00; concatenated streams too) through liblzma,
 * anything else as plain text. bzip2 and zstd are recognised and refused
 * with a message saying how to read them. A truncated or corrupt archive
 * is an error naming the file and the compressed offset; what was
 * decompressed before it has been handed out and counts. A file whose
 * decompressed size passes INPUT_BOMB_RATIO times the compressed bytes
 * read (after INPUT_BOMB_FLOOR bytes) is a compression bomb: refused at
 * that point with a message.
 *
 * Syslog: when a file's first line is a syslog line (syslog_prefix.h),
 * every line is read as one: an audit record behind the prefix comes
 * out alone, with "node=HOST " put in front when it has no node= (the
 * host of the prefix), and rsyslog's escape of the ENRICHED separator
 * ("#035", outside quoted values) turned back into it; a line that does
 * not carry a record is skipped and counted; so are lines longer than
 * INPUT_LINE_MAX. Raw audit lines in such a file pass as they are. A file
 * whose first line is not a syslog line is passed through untouched, with
 * no per-line work.
 *
 * Guarantees: bounded memory (a few 64 KiB buffers per open input, the
 * decoders' own: zlib's 32 KiB window, xz's dictionary under
 * INPUT_XZ_MEMLIMIT); no input makes it loop or grow; every error names
 * the file. Cost: plain files are read() in 64 KiB chunks and handed out
 * without a copy; compressed ones cost their decompression; syslog ones
 * one pass over each line's prefix and a copy of its record.
 */
#ifndef KS_INPUT_H
#define KS_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define INPUT_CHUNK (64 * 1024)
#define INPUT_LINE_MAX (64 * 1024)
#define INPUT_BOMB_RATIO 500u
#define INPUT_BOMB_FLOOR (64ull * 1024 * 1024)
#define INPUT_XZ_MEMLIMIT (256ull * 1024 * 1024)
#define INPUT_DEFAULT_LOG "/var/log/audit/audit.log"

enum input_kind { INPUT_PLAIN, INPUT_GZIP, INPUT_XZ };

struct input_priv;

struct input {
	const char *path;      /* as given; "-" is standard input */
	int fd;
	enum input_kind kind;
	bool syslog;           /* records behind syslog prefixes */
	uint64_t size;         /* bytes on disk (regular files), else 0 */
	uint64_t in_bytes;     /* bytes read from the file so far */
	uint64_t out_bytes;    /* log bytes decompressed so far */
	uint64_t syslog_records, syslog_other, syslog_long; /* lines */
	struct input_priv *priv;
};

/* Only regular files (the rotations --input-logs finds). */
#define INPUT_REGULAR_ONLY 1u

/* Open path ("-": stdin). Returns 0, or -1 with "PATH: why" in err. */
int input_open(struct input *in, const char *path, unsigned flags,
	       char *err, size_t errlen);
/* The next piece of log text: > 0 bytes at *data (valid until the next
 * call), 0 at the end, -1 on an error ("PATH: why, at offset N" in err):
 * the input is then done. */
ssize_t input_read(struct input *in, const char **data, char *err,
		   size_t errlen);
void input_close(struct input *in);

/* auditd.conf's log_file into out (INPUT_DEFAULT_LOG when the file or
 * the key is missing). Returns 0, or -1 with err set when conf exists
 * but cannot be read. */
int input_auditd_log_file(const char *conf, char *out, size_t cap,
			  char *err, size_t errlen);

/* A problem found while listing (a gap, a FIFO): said, then skipped. */
typedef void (*input_problem_fn)(void *ctx, const char *msg);

/* log_file and its rotations, oldest first, into *paths (malloc'ed
 * array of malloc'ed strings; input_free_list). Returns the number of
 * files, or -1 when the directory cannot be read (problem says why). A
 * missing log_file itself is a problem, not an error, when rotations
 * exist. */
ssize_t input_find_logs(const char *log_file, char ***paths,
			input_problem_fn problem, void *ctx);
void input_free_list(char **paths, size_t n);

#endif
