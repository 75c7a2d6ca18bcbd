/*
 * input.c - finding, opening, decompressing and un-prefixing the review's
 * inputs (see include/input.h).
 *
 * A read goes: file -> raw[] (read()) -> decoder -> text[] (plain files:
 * raw[] is the text) -> syslog lines -> out[]. Each step keeps its own
 * bounded buffer; the decoders are fed from raw[] until it is empty.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lzma.h>
#include <zlib.h>

#include "input.h"
#include "syslog_prefix.h"

#define MAGIC_MAX 6
/* out[]: a chunk and a pending line, each record line grown by at most
 * "node=HOST " (a line that carries a record has a prefix of at least 20
 * bytes) */
#define OUT_CAP (INPUT_CHUNK + INPUT_LINE_MAX + 1 + \
		 (INPUT_CHUNK / 20 + 2) * (SYSLOG_HOST_MAX + 6))

struct input_priv {
	unsigned char raw[INPUT_CHUNK];
	size_t raw_len, raw_pos;     /* raw[raw_pos..raw_len) not yet decoded */
	bool file_eof;
	char text[INPUT_CHUNK];
	z_stream z;
	bool z_init;
	lzma_stream x;
	bool x_init;
	bool stream_end;             /* the current member/stream ended */
	bool done;
	bool decided;                /* syslog or not, from the first line */
	/* syslog */
	char *line;                  /* INPUT_LINE_MAX: a line across reads */
	size_t line_len;
	bool line_skip;              /* the rest of an over-long line */
	char *out;                   /* un-prefixed records */
	char pending[512];           /* an error to report at the next read,
					after the data decoded before it */
};

/* "PATH: WHAT at offset N", the one shape of a read error */
static void errf(char *err, size_t errlen, const char *path, const char *what,
		 unsigned long long off)
{
	snprintf(err, errlen, "%s: %s at offset %llu", path, what, off);
}

/* ---- opening ------------------------------------------------------------ */

static ssize_t read_full(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int input_open(struct input *in, const char *path, unsigned flags,
	       char *err, size_t errlen)
{
	struct input_priv *pv;
	struct stat st;
	ssize_t n;
	int fl;

	memset(in, 0, sizeof(*in));
	in->path = path;
	in->fd = -1;
	if (strcmp(path, "-") == 0) {
		in->fd = dup(STDIN_FILENO);
	} else {
		/* O_NONBLOCK: opening a FIFO nobody writes to would block
		 * forever; reads block again below */
		in->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
			      O_NOCTTY);
	}
	if (in->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(in->fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a log", path);
		goto fail;
	}
	if ((flags & INPUT_REGULAR_ONLY) && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s); skipped",
			 path, S_ISFIFO(st.st_mode) ? "a FIFO" :
			 S_ISCHR(st.st_mode) ? "a character device" :
			 S_ISSOCK(st.st_mode) ? "a socket" : "special");
		goto fail;
	}
	fl = fcntl(in->fd, F_GETFL);
	if (fl >= 0 && (fl & O_NONBLOCK))
		fcntl(in->fd, F_SETFL, fl & ~O_NONBLOCK);
	if (S_ISREG(st.st_mode))
		in->size = (uint64_t)st.st_size;

	pv = calloc(1, sizeof(*pv));
	if (!pv) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	in->priv = pv;
	/* the format from the first bytes */
	n = read_full(in->fd, pv->raw, MAGIC_MAX);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	pv->raw_len = (size_t)n;
	in->in_bytes = (uint64_t)n;
	if (n < MAGIC_MAX)
		pv->file_eof = true;
	else if (!(pv->raw[0] == 0x1f || pv->raw[0] == 0xfd ||
		   pv->raw[0] == 'B' || pv->raw[0] == 0x28)) {
		/* plain text: a whole chunk, so that its first line (which
		 * says whether it is syslog) is seen whole */
		n = read_full(in->fd, pv->raw + MAGIC_MAX,
			      sizeof(pv->raw) - MAGIC_MAX);
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		pv->raw_len += (size_t)n;
		in->in_bytes += (uint64_t)n;
		if ((size_t)n < sizeof(pv->raw) - MAGIC_MAX)
			pv->file_eof = true;
	}
	if (n >= 2 && pv->raw[0] == 0x1f && pv->raw[1] == 0x8b) {
		in->kind = INPUT_GZIP;
		/* 15 + 16: gzip only, so a zlib stream is not mistaken */
		if (inflateInit2(&pv->z, 15 + 16) != Z_OK) {
			snprintf(err, errlen, "%s: cannot start zlib", path);
			goto fail;
		}
		pv->z_init = true;
	} else if (n >= 6 && memcmp(pv->raw, "\xfd" "7zXZ\0", 6) == 0) {
		in->kind = INPUT_XZ;
		pv->x = (lzma_stream)LZMA_STREAM_INIT;
		if (lzma_stream_decoder(&pv->x, INPUT_XZ_MEMLIMIT,
					LZMA_CONCATENATED) != LZMA_OK) {
			snprintf(err, errlen, "%s: cannot start liblzma", path);
			goto fail;
		}
		pv->x_init = true;
	} else if (n >= 3 && memcmp(pv->raw, "BZh", 3) == 0) {
		snprintf(err, errlen, "%s: compressed with bzip2, which is not read here: bzcat it into --input -", path);
		goto fail;
	} else if (n >= 4 && memcmp(pv->raw, "\x28\xb5\x2f\xfd", 4) == 0) {
		snprintf(err, errlen, "%s: compressed with zstd, which is not read here: zstdcat it into --input -", path);
		goto fail;
	}
	return 0;
fail:
	input_close(in);
	return -1;
}

void input_close(struct input *in)
{
	struct input_priv *pv = in->priv;

	if (pv) {
		if (pv->z_init)
			inflateEnd(&pv->z);
		if (pv->x_init)
			lzma_end(&pv->x);
		free(pv->line);
		free(pv->out);
		free(pv);
		in->priv = NULL;
	}
	if (in->fd >= 0)
		close(in->fd);
	in->fd = -1;
}

/* ---- reading and decompressing -------------------------------------------- */

/* More bytes into raw[] when it is empty. -1 on a read error. */
static int fill_raw(struct input *in, char *err, size_t errlen)
{
	struct input_priv *pv = in->priv;
	ssize_t n;

	if (pv->raw_pos < pv->raw_len || pv->file_eof)
		return 0;
	for (;;) {
		n = read(in->fd, pv->raw, sizeof(pv->raw));
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		errf(err, errlen, in->path, strerror(errno),
		     (unsigned long long)in->in_bytes);
		return -1;
	}
	pv->raw_pos = 0;
	pv->raw_len = (size_t)n;
	in->in_bytes += (uint64_t)n;
	if (n == 0)
		pv->file_eof = true;
	return 0;
}

/* Compressed offset of the next byte the decoder would take. */
static unsigned long long at(const struct input *in)
{
	const struct input_priv *pv = in->priv;

	return (unsigned long long)(in->in_bytes -
				    (pv->raw_len - pv->raw_pos));
}

static bool bomb(struct input *in, char *err, size_t errlen)
{
	if (in->out_bytes <= INPUT_BOMB_FLOOR ||
	    in->out_bytes / INPUT_BOMB_RATIO <= at(in))
		return false;
	snprintf(err, errlen,
		 "%s: decompresses to over %u times its size (%llu bytes from %llu): a compression bomb, not a log; the rest is skipped",
		 in->path, INPUT_BOMB_RATIO,
		 (unsigned long long)in->out_bytes, at(in));
	return true;
}

/* A decoder failed: what it wrote before the damage is handed out first,
 * the error at the next read. */
static ssize_t later(struct input_priv *pv, const char *err)
{
	size_t n = sizeof(pv->text) - (pv->z_init ? pv->z.avail_out :
						     pv->x.avail_out);

	if (n == 0)
		return -1;
	snprintf(pv->pending, sizeof(pv->pending), "%s", err);
	return (ssize_t)n;
}

/* The next piece of decompressed text into text[]: its length, 0 at the
 * end, -1 on error. */
static ssize_t gz_read(struct input *in, char *err, size_t errlen)
{
	struct input_priv *pv = in->priv;
	int rc;

	for (;;) {
		if (fill_raw(in, err, errlen) < 0)
			return -1;
		if (pv->stream_end) {
			/* another member, or the end */
			if (pv->raw_pos == pv->raw_len)
				return 0;
			if (pv->raw_len - pv->raw_pos >= 2 &&
			    pv->raw[pv->raw_pos] == 0x1f &&
			    pv->raw[pv->raw_pos + 1] == 0x8b) {
				inflateReset(&pv->z);
				pv->stream_end = false;
			} else if (pv->raw[pv->raw_pos] == 0) {
				/* zero padding after the last member (tape
				 * blocks): as gzip(1), ignored */
				while (pv->raw_pos < pv->raw_len &&
				       pv->raw[pv->raw_pos] == 0)
					pv->raw_pos++;
				continue;
			} else {
				errf(err, errlen, in->path,
				     "trailing garbage after the gzip data",
				     at(in));
				return -1;
			}
		}
		pv->z.next_in = pv->raw + pv->raw_pos;
		pv->z.avail_in = (uInt)(pv->raw_len - pv->raw_pos);
		pv->z.next_out = (Bytef *)pv->text;
		pv->z.avail_out = sizeof(pv->text);
		rc = inflate(&pv->z, Z_NO_FLUSH);
		pv->raw_pos = pv->raw_len - pv->z.avail_in;
		if (rc == Z_STREAM_END)
			pv->stream_end = true;
		else if (rc == Z_BUF_ERROR && pv->file_eof &&
			 pv->z.avail_out == sizeof(pv->text)) {
			errf(err, errlen, in->path,
			     "unexpected end of the gzip data (the archive is truncated)",
			     at(in));
			return -1;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			char what[160];

			snprintf(what, sizeof(what), "corrupt gzip data (%s)",
				 pv->z.msg ? pv->z.msg : "inflate failed");
			errf(err, errlen, in->path, what, at(in));
			return later(pv, err);
		}
		if (pv->z.avail_out < sizeof(pv->text))
			return (ssize_t)(sizeof(pv->text) - pv->z.avail_out);
		if (pv->file_eof && pv->raw_pos == pv->raw_len &&
		    !pv->stream_end) {
			errf(err, errlen, in->path,
			     "unexpected end of the gzip data (the archive is truncated)",
			     at(in));
			return -1;
		}
	}
}

static ssize_t xz_read(struct input *in, char *err, size_t errlen)
{
	struct input_priv *pv = in->priv;
	lzma_ret rc;

	for (;;) {
		if (fill_raw(in, err, errlen) < 0)
			return -1;
		if (pv->stream_end)
			return 0;
		pv->x.next_in = pv->raw + pv->raw_pos;
		pv->x.avail_in = pv->raw_len - pv->raw_pos;
		pv->x.next_out = (uint8_t *)pv->text;
		pv->x.avail_out = sizeof(pv->text);
		rc = lzma_code(&pv->x, pv->file_eof ? LZMA_FINISH : LZMA_RUN);
		pv->raw_pos = pv->raw_len - pv->x.avail_in;
		if (rc == LZMA_STREAM_END) {
			pv->stream_end = true;
		} else if (rc != LZMA_OK) {
			const char *why =
				rc == LZMA_BUF_ERROR ? "unexpected end of the xz data (the archive is truncated)" :
				rc == LZMA_DATA_ERROR ? "corrupt xz data" :
				rc == LZMA_FORMAT_ERROR ? "not xz data" :
				rc == LZMA_MEMLIMIT_ERROR ? "xz data needing over 256 MiB to decompress" :
				rc == LZMA_OPTIONS_ERROR ? "xz options not supported" :
				"xz decoding failed";

			errf(err, errlen, in->path, why, at(in));
			return later(pv, err);
		}
		if (pv->x.avail_out < sizeof(pv->text))
			return (ssize_t)(sizeof(pv->text) - pv->x.avail_out);
	}
}

/* The next piece of the file's text (decompressed): at *data. */
static ssize_t text_read(struct input *in, const char **data, char *err,
			 size_t errlen)
{
	struct input_priv *pv = in->priv;
	ssize_t n;

	if (pv->pending[0]) {
		snprintf(err, errlen, "%s", pv->pending);
		return -1;
	}
	switch (in->kind) {
	case INPUT_GZIP:
		n = gz_read(in, err, errlen);
		*data = pv->text;
		break;
	case INPUT_XZ:
		n = xz_read(in, err, errlen);
		*data = pv->text;
		break;
	default:
		if (fill_raw(in, err, errlen) < 0)
			return -1;
		n = (ssize_t)(pv->raw_len - pv->raw_pos);
		*data = (const char *)pv->raw + pv->raw_pos;
		pv->raw_pos = pv->raw_len;
		break;
	}
	if (n > 0) {
		in->out_bytes += (uint64_t)n;
		if (in->kind != INPUT_PLAIN && bomb(in, err, errlen))
			return -1;
	}
	return n;
}

/* ---- syslog lines --------------------------------------------------------- */

/* Append one line (without its newline) to out as an audit record, or
 * count it as skipped. */
static size_t unprefix(struct input *in, const char *s, size_t n, char *o)
{
	struct syslog_line sl;
	const char *r, *e;
	size_t rn, k;
	bool quoted = false;
	char *start = o;

	if (n >= 5 && (memcmp(s, "type=", 5) == 0 ||
		       memcmp(s, "node=", 5) == 0)) {
		sl.msg = 0;
		sl.host = NULL;
	} else if (syslog_parse(s, n, &sl) != SYSLOG_RECORD) {
		in->syslog_other++;
		return 0;
	}
	in->syslog_records++;
	r = s + sl.msg;
	rn = n - sl.msg;
	if (sl.host && memcmp(r, "type=", 5) == 0) {
		memcpy(o, "node=", 5);
		memcpy(o + 5, sl.host, sl.host_len);
		o[5 + sl.host_len] = ' ';
		o += 6 + sl.host_len;
	}
	/* rsyslog writes control bytes as #ooo: the ENRICHED separator
	 * (0x1d) comes out as #035. Turned back only outside a quoted
	 * value: the kernel quotes every value with a '#' it did not
	 * hex-encode, so argv cannot fake one. */
	e = r + rn;
	for (k = 0; r + k + 4 <= e; k++) {
		if (r[k] == '"')
			quoted = !quoted;
		else if (!quoted && r[k] == '#' && memcmp(r + k, "#035", 4) == 0)
			break;
	}
	if (r + k + 4 <= e) {
		memcpy(o, r, k);
		o[k] = 0x1d;
		memcpy(o + k + 1, r + k + 4, rn - k - 4);
		o += rn - 3;
	} else {
		memcpy(o, r, rn);
		o += rn;
	}
	*o++ = '\n';
	return (size_t)(o - start);
}

/* Lines of s[0..n) into out[]; a line cut by the end waits in line[]. */
static size_t syslog_lines(struct input *in, const char *s, size_t n)
{
	struct input_priv *pv = in->priv;
	const char *p = s, *end = s + n, *nl;
	size_t o = 0, take;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		take = (size_t)((nl ? nl : end) - p);
		if (pv->line_skip) {
			if (nl)
				pv->line_skip = false;
		} else if (pv->line_len + take > INPUT_LINE_MAX) {
			in->syslog_long++;
			pv->line_len = 0;
			pv->line_skip = !nl;
		} else if (!nl) {
			memcpy(pv->line + pv->line_len, p, take);
			pv->line_len += take;
		} else if (pv->line_len) {
			memcpy(pv->line + pv->line_len, p, take);
			o += unprefix(in, pv->line, pv->line_len + take,
				      pv->out + o);
			pv->line_len = 0;
		} else {
			o += unprefix(in, p, take, pv->out + o);
		}
		p += take + (nl ? 1 : 0);
	}
	return o;
}

/* The first line decides: syslog lines, or text passed as it is. */
static int decide(struct input *in, const char *s, size_t n)
{
	struct input_priv *pv = in->priv;
	struct syslog_line sl;
	const char *nl = memchr(s, '\n', n);
	size_t len = nl ? (size_t)(nl - s) : n;

	pv->decided = true;
	if (syslog_parse(s, len, &sl) == SYSLOG_NONE)
		return 0;
	/* out[] holds at most what a chunk of lines gives: each line grows
	 * by "node=HOST " at most (a line of 1 byte has no record) */
	pv->line = malloc(INPUT_LINE_MAX);
	pv->out = malloc(OUT_CAP);
	if (!pv->line || !pv->out)
		return -1;
	in->syslog = true;
	return 0;
}

ssize_t input_read(struct input *in, const char **data, char *err,
		   size_t errlen)
{
	struct input_priv *pv = in->priv;
	const char *t;
	ssize_t n;
	size_t o;

	if (!pv || pv->done)
		return 0;
	for (;;) {
		n = text_read(in, &t, err, errlen);
		if (n <= 0) {
			pv->done = true;
			if (n == 0 && in->syslog && pv->line_len) {
				/* the last line, without its newline */
				o = unprefix(in, pv->line, pv->line_len,
					     pv->out);
				pv->line_len = 0;
				if (o) {
					*data = pv->out;
					return (ssize_t)o;
				}
			}
			return n;
		}
		if (!pv->decided && decide(in, t, (size_t)n) < 0) {
			snprintf(err, errlen, "%s: out of memory", in->path);
			pv->done = true;
			return -1;
		}
		if (!in->syslog) {
			*data = t;
			return n;
		}
		o = syslog_lines(in, t, (size_t)n);
		if (o) {
			*data = pv->out;
			return (ssize_t)o;
		}
	}
}

/* ---- finding auditd's logs -------------------------------------------------- */

int input_auditd_log_file(const char *conf, char *out, size_t cap, char *err,
			  size_t errlen)
{
	FILE *f = fopen(conf, "re");
	char line[1024];

	snprintf(out, cap, "%s", INPUT_DEFAULT_LOG);
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", conf, strerror(errno));
		return -1;
	}
	/* auditd.conf: "key = value" lines, # comments */
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *v, *e;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "log_file", 8) != 0)
			continue;
		p += 8;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			continue;
		v = p + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		e = v + strcspn(v, "\r\n");
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = '\0';
		if (*v)
			snprintf(out, cap, "%s", v);
	}
	fclose(f);
	return 0;
}

struct rotation {
	char *path;
	int kind;                /* 0: dated, 1: numbered, 2: the log itself */
	unsigned long num;       /* numbered: N */
	char date[32];           /* dated: the suffix */
};

/* "" or a compression suffix: what is left of the name without it */
static size_t strip_ext(const char *s, size_t n)
{
	static const char *const ext[] = { ".gz", ".xz", ".bz2", ".zst",
					   ".Z" };
	size_t i, l;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		l = strlen(ext[i]);
		if (n > l && memcmp(s + n - l, ext[i], l) == 0)
			return n - l;
	}
	return n;
}

static int cmp_rot(const void *a, const void *b)
{
	const struct rotation *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind - y->kind;
	if (x->kind == 1)
		return x->num > y->num ? -1 : x->num < y->num;
	if (x->kind == 0) {
		int c = strcmp(x->date, y->date);

		if (c)
			return c;
	}
	return strcmp(x->path, y->path);
}

ssize_t input_find_logs(const char *log_file, char ***paths,
			input_problem_fn problem, void *ctx)
{
	char dir[PATH_MAX], msg[PATH_MAX + 128];
	const char *slash = strrchr(log_file, '/'), *base;
	size_t blen, cap = 0, n = 0, i, name_len, core;
	struct rotation *r = NULL, *t;
	struct dirent *de;
	unsigned long maxnum = 0;
	bool have_base = false;
	DIR *d;

	*paths = NULL;
	if (slash == log_file) {
		snprintf(dir, sizeof(dir), "/");
		base = slash + 1;
	} else if (slash) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - log_file),
			 log_file);
		base = slash + 1;
	} else {
		snprintf(dir, sizeof(dir), ".");
		base = log_file;
	}
	blen = strlen(base);
	d = opendir(dir);
	if (!d) {
		snprintf(msg, sizeof(msg), "%s: %s", dir, strerror(errno));
		problem(ctx, msg);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		const char *nm = de->d_name;
		struct rotation e;

		name_len = strlen(nm);
		if (name_len < blen || memcmp(nm, base, blen) != 0)
			continue;
		memset(&e, 0, sizeof(e));
		core = strip_ext(nm, name_len);
		if (name_len == blen) {
			e.kind = 2;
			have_base = true;
		} else if (nm[blen] == '.' && core > blen + 1 &&
			   strspn(nm + blen + 1, "0123456789") ==
			   core - blen - 1 && core - blen - 1 < 10) {
			e.kind = 1;
			e.num = strtoul(nm + blen + 1, NULL, 10);
			if (e.num == 0)
				continue;
			if (e.num > maxnum)
				maxnum = e.num;
		} else if (nm[blen] == '-' && core > blen + 1 &&
			   core - blen - 1 < sizeof(e.date) &&
			   strspn(nm + blen + 1, "0123456789") ==
			   core - blen - 1) {
			e.kind = 0;
			memcpy(e.date, nm + blen + 1, core - blen - 1);
		} else {
			continue;   /* audit.log.bak, audit.log.1.old... */
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			t = realloc(r, cap * sizeof(*r));
			if (!t)
				goto nomem;
			r = t;
		}
		e.path = malloc(strlen(dir) + 1 + name_len + 1);
		if (!e.path)
			goto nomem;
		sprintf(e.path, "%s%s%s", dir,
			strcmp(dir, "/") == 0 ? "" : "/", nm);
		r[n++] = e;
	}
	closedir(d);
	d = NULL;
	if (n) /* qsort's array may not be NULL, even empty */
		qsort(r, n, sizeof(*r), cmp_rot);
	/* a gap in auditd's numbers: a rotation went missing */
	for (unsigned long k = 1; k < maxnum; k++) {
		for (i = 0; i < n; i++)
			if (r[i].kind == 1 && r[i].num == k)
				break;
		if (i == n) {
			snprintf(msg, sizeof(msg),
				 "%s.%lu: missing (rotations %s.1 to %s.%lu are expected); the logs before and after it are reviewed",
				 log_file, k, log_file, log_file, maxnum);
			problem(ctx, msg);
		}
	}
	if (!have_base && n) {
		snprintf(msg, sizeof(msg), "%s: missing; its rotations are reviewed",
			 log_file);
		problem(ctx, msg);
	}
	*paths = malloc((n ? n : 1) * sizeof(**paths));
	if (!*paths)
		goto nomem;
	for (i = 0; i < n; i++)
		(*paths)[i] = r[i].path;
	free(r);
	return (ssize_t)n;
nomem:
	if (d)
		closedir(d);
	for (i = 0; i < n; i++)
		free(r[i].path);
	free(r);
	problem(ctx, "out of memory listing the logs");
	return -1;
}

void input_free_list(char **paths, size_t n)
{
	size_t i;

	if (!paths)
		return;
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
