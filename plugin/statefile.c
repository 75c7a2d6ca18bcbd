/*
 * statefile.c - the process table written to and read from a file (see
 * statefile.h).
 *
 * Numbers are stored in the writer's byte order through memcpy (no
 * alignment assumed); the header's byte-order mark refuses a file from a
 * machine of the other order rather than misreading it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statefile.h"

static const char sf_magic[8] = { 'k', 's', '-', 's', 't', 'a', 't', 'e' };
#define SF_BOM 0x01020304u
/* where the header keeps the checksum, which it does not cover */
#define SF_SUM_AT 32u
#define SF_BUF (64u * 1024u)
/* The strings block as the table keeps it: the four user and group
 * names, the working directory and the terminal, each NUL-terminated. */
#define SF_STRS 6u
#define SF_NAMES_MAX (4u * EXEC_NAME_MAX + EXEC_PATH_MAX + EXEC_TTY_MAX)
#define SF_FNV_INIT 0xcbf29ce484222325ull

static uint64_t sf_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

uint64_t statefile_max_bytes(uint32_t max_entries, size_t total_argv_bytes)
{
	/* A record never holds more argument bytes (and lengths) than its
	 * blob is charged with, and the names and paths are in the blob
	 * too; the node name is not. */
	return STATEFILE_HEADER_SIZE +
	       (uint64_t)max_entries * (STATEFILE_RECORD_FIXED +
					EXEC_NODE_MAX) +
	       (uint64_t)total_argv_bytes;
}

/* ---- writing ---------------------------------------------------------- */

struct sf_writer {
	int fd;
	char buf[SF_BUF];
	size_t n;
	uint64_t sum, bytes;
	uint32_t entries;
	int err;                  /* errno of the first failure */
	statefile_name_fn name_of;
	void *ctx;
};

static void sf_flush(struct sf_writer *w)
{
	size_t o = 0;

	while (o < w->n && !w->err) {
		ssize_t r = write(w->fd, w->buf + o, w->n - o);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			w->err = r < 0 ? errno : EIO;
		else
			o += (size_t)r;
	}
	w->n = 0;
}

static void sf_put(struct sf_writer *w, const void *p, size_t n)
{
	const char *s = p;

	w->sum = sf_fnv(w->sum, p, n);
	w->bytes += n;
	while (n) {
		size_t k = SF_BUF - w->n < n ? SF_BUF - w->n : n;

		memcpy(w->buf + w->n, s, k);
		w->n += k;
		s += k;
		n -= k;
		if (w->n == SF_BUF)
			sf_flush(w);
	}
}

static void sf_u16(struct sf_writer *w, uint16_t v) { sf_put(w, &v, 2); }
static void sf_u32(struct sf_writer *w, uint32_t v) { sf_put(w, &v, 4); }
static void sf_u64(struct sf_writer *w, uint64_t v) { sf_put(w, &v, 8); }
static void sf_i64(struct sf_writer *w, int64_t v) { sf_put(w, &v, 8); }

static const size_t sf_cap[SF_STRS] = { EXEC_NAME_MAX, EXEC_NAME_MAX,
					EXEC_NAME_MAX, EXEC_NAME_MAX,
					EXEC_PATH_MAX, EXEC_TTY_MAX };

static size_t sf_names_len(const struct proc_entry *e, const char *n[SF_STRS])
{
	size_t len = 0;
	bool any = false;

	n[0] = e->uid_name;
	n[1] = e->euid_name;
	n[2] = e->gid_name;
	n[3] = e->egid_name;
	n[4] = e->cwd ? e->cwd : "";
	n[5] = e->tty ? e->tty : "";
	for (unsigned k = 0; k < SF_STRS; k++) {
		size_t l = strnlen(n[k], sf_cap[k] - 1);

		len += l + 1;
		any |= l > 0;
	}
	return any ? len : 0;
}

static bool sf_write_entry(const struct proc_entry *e, void *ctx)
{
	struct sf_writer *w = ctx;
	const char *node = w->name_of(e->node, w->ctx);
	const char *n[SF_STRS];
	size_t node_len, exe_len, name_len, names_len;
	uint64_t argv_total = 0;
	uint32_t i;

	if (!node)
		return true;
	node_len = strnlen(node, EXEC_NODE_MAX - 1);
	exe_len = strnlen(e->exe, EXEC_PATH_MAX - 1);
	name_len = strnlen(e->name, EXEC_PATH_MAX - 1);
	names_len = sf_names_len(e, n);
	for (i = 0; i < e->argv.argc; i++)
		argv_total += e->argv.v[i].ptr ? e->argv.v[i].len : 0;
	sf_u32(w, (uint32_t)(STATEFILE_RECORD_FIXED + node_len + exe_len +
			     name_len + names_len + 4u * e->argv.argc +
			     argv_total));
	sf_u32(w, (uint32_t)e->pid);
	sf_u32(w, (uint32_t)e->ppid);
	sf_u32(w, e->flags & PROC_TABLE_FLAGS);
	sf_u32(w, e->argv.flags);
	sf_i64(w, (int64_t)e->last_seen);
	sf_i64(w, (int64_t)e->set_sec);
	sf_i64(w, (int64_t)e->start_sec);
	sf_u32(w, e->set_msec);
	sf_u32(w, e->start_msec);
	sf_u64(w, (uint64_t)e->set_serial);
	sf_u32(w, e->uid);
	sf_u32(w, e->euid);
	sf_u32(w, e->gid);
	sf_u32(w, e->egid);
	sf_u16(w, (uint16_t)node_len);
	sf_u16(w, (uint16_t)exe_len);
	sf_u16(w, (uint16_t)name_len);
	sf_u16(w, (uint16_t)names_len);
	sf_u32(w, e->argv.argc);
	sf_u32(w, (uint32_t)argv_total);
	sf_put(w, node, node_len);
	sf_put(w, e->exe, exe_len);
	sf_put(w, e->name, name_len);
	if (names_len)
		for (unsigned k = 0; k < SF_STRS; k++)
			sf_put(w, n[k], strnlen(n[k], sf_cap[k] - 1) + 1);
	for (i = 0; i < e->argv.argc; i++)
		sf_u32(w, e->argv.v[i].ptr ? e->argv.v[i].len : 0);
	for (i = 0; i < e->argv.argc; i++)
		if (e->argv.v[i].ptr)
			sf_put(w, e->argv.v[i].ptr, e->argv.v[i].len);
	w->entries++;
	return !w->err;
}

/* The header, with the checksum of everything else. */
static void sf_header(unsigned char *h, uint32_t entries, uint64_t payload,
		      uint64_t payload_sum, int64_t saved_at,
		      const char *boot_id)
{
	uint32_t v32;
	uint64_t sum;

	memset(h, 0, STATEFILE_HEADER_SIZE);
	memcpy(h, sf_magic, 8);
	v32 = STATEFILE_VERSION;
	memcpy(h + 8, &v32, 4);
	v32 = SF_BOM;
	memcpy(h + 12, &v32, 4);
	v32 = STATEFILE_HEADER_SIZE;
	memcpy(h + 16, &v32, 4);
	memcpy(h + 20, &entries, 4);
	memcpy(h + 24, &payload, 8);
	memcpy(h + 40, &saved_at, 8);
	if (boot_id)
		memcpy(h + 48, boot_id,
		       strnlen(boot_id, STATEFILE_BOOT_ID_MAX - 1));
	sum = sf_fnv(payload_sum, h, SF_SUM_AT);
	sum = sf_fnv(sum, h + SF_SUM_AT + 8,
		     STATEFILE_HEADER_SIZE - SF_SUM_AT - 8);
	memcpy(h + SF_SUM_AT, &sum, 8);
}

/* The directory part of path into dir (cap bytes); false when none. */
static bool sf_dirname(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash)
		return false;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= cap)
		return false;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return true;
}

static int sf_fail(char *err, size_t errlen, const char *path,
		   const char *what, int e)
{
	if (errlen)
		snprintf(err, errlen, "%s: %s%s%s", path, what,
			 e ? ": " : "", e ? strerror(e) : "");
	return -1;
}

int statefile_save(const char *path, const struct proc_table *t,
		   statefile_name_fn name_of, void *ctx, const char *boot_id,
		   struct statefile_result *res, char *err, size_t errlen)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 16];
	unsigned char h[STATEFILE_HEADER_SIZE];
	struct sf_writer *w;
	struct stat st;
	int dfd, e;

	memset(res, 0, sizeof(*res));
	if (!sf_dirname(path, dir, sizeof(dir)) ||
	    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return sf_fail(err, errlen, path, "not a usable path", 0);
	/* The package makes the directory; by hand it is made here, for
	 * root only. Its parent must exist. */
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return sf_fail(err, errlen, path, "cannot make its directory",
			       errno);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return sf_fail(err, errlen, path, "its directory is unusable",
			       errno);
	w = calloc(1, sizeof(*w));
	if (!w)
		return sf_fail(err, errlen, path, "out of memory", 0);
	w->sum = SF_FNV_INIT;
	w->name_of = name_of;
	w->ctx = ctx;
	/* mkstemp: mode 0600, O_EXCL, a name nobody chose for us */
	w->fd = mkstemp(tmp);
	if (w->fd < 0) {
		e = errno;
		free(w);
		return sf_fail(err, errlen, path, "cannot create a temporary file",
			       e);
	}
	(void)fcntl(w->fd, F_SETFD, FD_CLOEXEC);
	if (fchmod(w->fd, 0600) != 0)
		w->err = errno;
	/* the header goes last, once the payload is known */
	if (lseek(w->fd, STATEFILE_HEADER_SIZE, SEEK_SET) < 0)
		w->err = errno;
	proc_table_walk(t, sf_write_entry, w);
	sf_flush(w);
	sf_header(h, w->entries, w->bytes, w->sum, (int64_t)time(NULL),
		  boot_id);
	if (!w->err && pwrite(w->fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		w->err = errno ? errno : EIO;
	if (!w->err && fsync(w->fd) != 0)
		w->err = errno;
	if (close(w->fd) != 0 && !w->err)
		w->err = errno;
	if (!w->err && rename(tmp, path) != 0)
		w->err = errno;
	e = w->err;
	res->entries = w->entries;
	res->bytes = w->bytes + STATEFILE_HEADER_SIZE;
	free(w);
	if (e) {
		unlink(tmp);
		return sf_fail(err, errlen, path, "cannot write", e);
	}
	/* the rename itself must reach the disk */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* ---- reading ---------------------------------------------------------- */

struct sf_reader {
	const unsigned char *p, *end;
};

static bool sf_take(struct sf_reader *r, void *out, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return false;
	memcpy(out, r->p, n);
	r->p += n;
	return true;
}

/* One record's fields, its strings pointing into the file's bytes. */
struct sf_record {
	uint32_t len, pid, ppid, flags, argv_flags;
	int64_t last_seen, set_sec, start_sec;
	uint32_t set_msec, start_msec;
	uint64_t set_serial;
	uint32_t uid, euid, gid, egid;
	uint16_t node_len, exe_len, name_len, names_len;
	uint32_t argc, argv_total;
	const unsigned char *node, *exe, *name, *names, *lens, *args;
};

#define SF_ARGV_FLAGS (ARGV_TRUNCATED | ARGV_INCOMPLETE | \
		       ARGV_BAD_ENCODING | ARGV_NOMEM | ARGV_NO_EXECVE)

/* Read and check one record; NULL, or what is wrong with it. */
static const char *sf_record(struct sf_reader *r, struct sf_record *x)
{
	const unsigned char *start = r->p;
	uint64_t need, sum = 0;
	unsigned nuls = 0;

	if (!sf_take(r, &x->len, 4) || !sf_take(r, &x->pid, 4) ||
	    !sf_take(r, &x->ppid, 4) || !sf_take(r, &x->flags, 4) ||
	    !sf_take(r, &x->argv_flags, 4) || !sf_take(r, &x->last_seen, 8) ||
	    !sf_take(r, &x->set_sec, 8) || !sf_take(r, &x->start_sec, 8) ||
	    !sf_take(r, &x->set_msec, 4) || !sf_take(r, &x->start_msec, 4) ||
	    !sf_take(r, &x->set_serial, 8) || !sf_take(r, &x->uid, 4) ||
	    !sf_take(r, &x->euid, 4) || !sf_take(r, &x->gid, 4) ||
	    !sf_take(r, &x->egid, 4) || !sf_take(r, &x->node_len, 2) ||
	    !sf_take(r, &x->exe_len, 2) || !sf_take(r, &x->name_len, 2) ||
	    !sf_take(r, &x->names_len, 2) || !sf_take(r, &x->argc, 4) ||
	    !sf_take(r, &x->argv_total, 4))
		return "truncated record";
	if ((int32_t)x->pid <= 0 || x->set_msec >= 1000 ||
	    x->start_msec >= 1000)
		return "bad pid or time in a record";
	if (x->flags & ~(uint32_t)PROC_TABLE_FLAGS ||
	    x->argv_flags & ~(uint32_t)SF_ARGV_FLAGS)
		return "unknown flags in a record";
	if (x->node_len >= EXEC_NODE_MAX || x->exe_len >= EXEC_PATH_MAX ||
	    x->name_len >= EXEC_PATH_MAX || x->names_len > SF_NAMES_MAX ||
	    x->argc > ARGV_DEFAULT_MAX_ARGS ||
	    x->argv_total > PROC_TABLE_DEFAULT_TOTAL_ARGV_BYTES)
		return "a length over its limit in a record";
	need = (uint64_t)STATEFILE_RECORD_FIXED + x->node_len + x->exe_len +
	       x->name_len + x->names_len + 4ull * x->argc + x->argv_total;
	if (need != x->len)
		return "record length does not add up";
	if ((uint64_t)(r->end - start) < need)
		return "truncated record";
	x->node = r->p;
	x->exe = x->node + x->node_len;
	x->name = x->exe + x->exe_len;
	x->names = x->name + x->name_len;
	x->lens = x->names + x->names_len;
	x->args = x->lens + 4ull * x->argc;
	r->p = start + need;
	if (memchr(x->node, 0, x->node_len) || memchr(x->exe, 0, x->exe_len) ||
	    memchr(x->name, 0, x->name_len))
		return "NUL inside a name in a record";
	for (unsigned i = 0, from = 0; i < x->names_len; i++) {
		if (x->names[i])
			continue;
		/* each string within what the table keeps of it */
		if (nuls >= SF_STRS || i - from >= sf_cap[nuls])
			return "bad names, directory or terminal in a record";
		nuls++;
		from = i + 1;
	}
	if (x->names_len &&
	    (nuls != SF_STRS || x->names[x->names_len - 1] != 0))
		return "bad names, directory or terminal in a record";
	for (uint32_t i = 0; i < x->argc; i++) {
		uint32_t l;

		memcpy(&l, x->lens + 4ull * i, 4);
		sum += l;
	}
	if (sum != x->argv_total)
		return "argument lengths do not add up in a record";
	return NULL;
}

/* The header; NULL or what is wrong with it. */
static const char *sf_check_header(const unsigned char *buf, size_t size,
				   uint32_t *entries, int64_t *saved_at,
				   char *boot, size_t boot_cap)
{
	uint32_t version, bom, hsize;
	uint64_t payload, sum, want;

	if (size < STATEFILE_HEADER_SIZE)
		return "truncated header";
	if (memcmp(buf, sf_magic, 8) != 0)
		return "not a state file (bad magic)";
	memcpy(&version, buf + 8, 4);
	memcpy(&bom, buf + 12, 4);
	memcpy(&hsize, buf + 16, 4);
	if (bom != SF_BOM)
		return "written by a machine of another byte order";
	if (version != STATEFILE_VERSION)
		return "unknown version";
	if (hsize != STATEFILE_HEADER_SIZE)
		return "bad header size";
	memcpy(entries, buf + 20, 4);
	memcpy(&payload, buf + 24, 8);
	memcpy(&want, buf + SF_SUM_AT, 8);
	memcpy(saved_at, buf + 40, 8);
	if (payload != size - STATEFILE_HEADER_SIZE)
		return payload > size - STATEFILE_HEADER_SIZE ?
		       "truncated" : "trailing bytes after the records";
	sum = sf_fnv(SF_FNV_INIT, buf + STATEFILE_HEADER_SIZE, payload);
	sum = sf_fnv(sum, buf, SF_SUM_AT);
	sum = sf_fnv(sum, buf + SF_SUM_AT + 8,
		     STATEFILE_HEADER_SIZE - SF_SUM_AT - 8);
	if (sum != want)
		return "checksum mismatch (corrupt)";
	memcpy(boot, buf + 48, boot_cap - 1 < STATEFILE_BOOT_ID_MAX ?
	       boot_cap - 1 : STATEFILE_BOOT_ID_MAX);
	boot[boot_cap - 1] = '\0';
	return NULL;
}

/* Read the whole file, checked for what it is before a byte is read. */
static const char *sf_read_file(const char *path, uint64_t max_bytes,
				unsigned char **out, size_t *size, int *e)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	int fd;

	*e = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
		  O_NOCTTY);
	if (fd < 0) {
		*e = errno;
		return errno == ELOOP ? "a symbolic link, not used" :
		       "cannot open";
	}
	if (fstat(fd, &st) != 0) {
		*e = errno;
		close(fd);
		return "cannot stat";
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return "not a regular file";
	}
	/* Only what this very user wrote, and nobody else may read: the
	 * argv of every process. */
	if (st.st_uid != geteuid()) {
		close(fd);
		return "owned by another user, not used";
	}
	if (st.st_mode & 077) {
		close(fd);
		return "readable or writable by others (mode not 0600), not used";
	}
	if ((uint64_t)st.st_size > max_bytes) {
		close(fd);
		return "larger than the process table can hold (oversized), not used";
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return "out of memory";
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*e = r < 0 ? errno : 0;
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		return *e ? "read error" : "changed while read (truncated)";
	}
	*out = buf;
	*size = got;
	return NULL;
}

int statefile_load(const char *path, struct proc_table *t,
		   statefile_node_fn node_of, void *ctx, const char *boot_id,
		   uint64_t max_bytes, struct statefile_result *res,
		   char *err, size_t errlen)
{
	char boot[STATEFILE_BOOT_ID_MAX + 1] = "";
	char node[EXEC_NODE_MAX], exe[EXEC_PATH_MAX], name[EXEC_PATH_MAX];
	unsigned char *buf = NULL;
	struct argv_arg *v = NULL;
	struct sf_reader r;
	struct sf_record x;
	const char *why;
	uint32_t entries, i, max_argc = 0;
	int64_t saved_at;
	size_t size = 0;
	struct stat st;
	int e;

	memset(res, 0, sizeof(*res));
	/* lstat: a dangling symbolic link is not "no file" but refused */
	if (lstat(path, &st) != 0 && errno == ENOENT)
		return 1;
	why = sf_read_file(path, max_bytes, &buf, &size, &e);
	if (why)
		return sf_fail(err, errlen, path, why, e);
	res->bytes = size;
	why = sf_check_header(buf, size, &entries, &saved_at, boot,
			      sizeof(boot));
	/* Every record is checked before any is stored: all or nothing. */
	r.p = buf + STATEFILE_HEADER_SIZE;
	r.end = buf + size;
	for (i = 0; !why && i < entries; i++) {
		why = sf_record(&r, &x);
		if (!why && x.argc > max_argc)
			max_argc = x.argc;
	}
	if (!why && r.p != r.end)
		why = "more records than the header says";
	if (!why && max_argc &&
	    !(v = malloc((size_t)max_argc * sizeof(*v))))
		why = "out of memory";
	if (why) {
		free(buf);
		return sf_fail(err, errlen, path, why, 0);
	}
	res->entries = entries;
	res->saved_at = (time_t)saved_at;
	res->same_boot = boot_id && boot_id[0] && strcmp(boot, boot_id) == 0;
	r.p = buf + STATEFILE_HEADER_SIZE;
	for (i = 0; i < entries; i++) {
		struct proc_entry pe;
		const char *nm[SF_STRS] = { "", "", "", "", "", "" };
		uint32_t id;

		(void)sf_record(&r, &x);
		memcpy(node, x.node, x.node_len);
		node[x.node_len] = '\0';
		id = node_of(node, res->same_boot, ctx);
		if (id == UINT32_MAX) {
			res->skipped++;
			continue;
		}
		memcpy(exe, x.exe, x.exe_len);
		exe[x.exe_len] = '\0';
		memcpy(name, x.name, x.name_len);
		name[x.name_len] = '\0';
		if (x.names_len) {
			const char *s = (const char *)x.names;

			for (unsigned k = 0; k < SF_STRS; k++) {
				nm[k] = s;
				s += strlen(s) + 1;
			}
		}
		{
			const char *a = (const char *)x.args;

			for (uint32_t k = 0; k < x.argc; k++) {
				uint32_t l;

				memcpy(&l, x.lens + 4ull * k, 4);
				v[k].ptr = a;
				v[k].len = l;
				a += l;
			}
		}
		memset(&pe, 0, sizeof(pe));
		pe.node = id;
		pe.pid = (pid_t)x.pid;
		pe.ppid = (pid_t)x.ppid;
		pe.exe = exe;
		pe.name = name;
		pe.argv.argc = x.argc;
		pe.argv.v = x.argc ? v : NULL;
		pe.argv.total_bytes = x.argv_total;
		pe.argv.flags = x.argv_flags;
		pe.last_seen = (time_t)x.last_seen;
		pe.flags = x.flags;
		pe.uid = x.uid;
		pe.euid = x.euid;
		pe.gid = x.gid;
		pe.egid = x.egid;
		pe.uid_name = nm[0];
		pe.euid_name = nm[1];
		pe.gid_name = nm[2];
		pe.egid_name = nm[3];
		pe.cwd = nm[4];
		pe.tty = nm[5];
		pe.set_sec = (time_t)x.set_sec;
		pe.set_msec = x.set_msec;
		pe.set_serial = (unsigned long)x.set_serial;
		pe.start_sec = (time_t)x.start_sec;
		pe.start_msec = x.start_msec;
		if (proc_table_restore(t, &pe) == 0)
			res->restored++;
		else
			res->skipped++;
	}
	free(v);
	free(buf);
	return 0;
}
