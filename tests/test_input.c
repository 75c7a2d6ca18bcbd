/*
 * test_input.c - the review's inputs: plain, gzip (one and several
 * members), xz (one and concatenated streams) known by content whatever
 * their names; truncated and corrupt archives with the text before the
 * damage handed out and the offset in the message; trailing garbage;
 * a gzip bomb stopped; bzip2 and zstd refused; a directory and a FIFO;
 * syslog files un-prefixed (host from the prefix, #035, other lines and
 * over-long lines skipped, a last line without newline); auditd.conf's
 * log_file; rotations found in order, with a gap reported.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lzma.h>
#include <zlib.h>

#include "input.h"

static char dir[256];

static const char log_text[] =
	"type=SYSCALL msg=audit(1790000000.001:1): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=2 comm=\"x\" exe=\"/x\"\n"
	"type=EXECVE msg=audit(1790000000.001:1): argc=1 a0=\"x\"\n"
	"type=EOE msg=audit(1790000000.001:1): \n";

static char *path(const char *name)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void write_file(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(path(name), "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static size_t gz(const void *in, size_t n, unsigned char *out, size_t cap)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 9,
				      Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	n = cap - z.avail_out;
	deflateEnd(&z);
	return n;
}

static size_t xz(const void *in, size_t n, unsigned char *out, size_t cap)
{
	size_t pos = 0;

	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL,
						 in, n, out, &pos, cap),
			 LZMA_OK);
	return pos;
}

/* Read a whole input: the text, and the error if any. */
static int slurp(const char *p, unsigned flags, char **text, size_t *len,
		 char *err, size_t errlen, struct input *keep)
{
	struct input in;
	const char *d;
	ssize_t n;
	char *t = NULL;
	size_t l = 0;

	err[0] = '\0';
	if (input_open(&in, p, flags, err, errlen) != 0)
		return -1;
	while ((n = input_read(&in, &d, err, errlen)) > 0) {
		t = realloc(t, l + (size_t)n + 1);
		assert_non_null(t);
		memcpy(t + l, d, (size_t)n);
		l += (size_t)n;
	}
	if (t)
		t[l] = '\0';
	*text = t;
	*len = l;
	if (keep)
		*keep = in;
	input_close(&in);
	return n < 0 ? -1 : 0;
}

static void same_text(const char *name, const char *want)
{
	char err[512], *t;
	size_t n;

	if (slurp(path(name), 0, &t, &n, err, sizeof(err), NULL) != 0)
		fail_msg("%s: %s", name, err);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(t, want, n);
	free(t);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/ks-input.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- formats ------------------------------------------------------------ */

static void test_formats(void **state)
{
	unsigned char buf[4096], two[8192];
	size_t n, m;

	(void)state;
	write_file("plain.log", log_text, sizeof(log_text) - 1);
	same_text("plain.log", log_text);
	/* named .gz, plain inside; named .log, gzip inside */
	write_file("plain.gz", log_text, sizeof(log_text) - 1);
	same_text("plain.gz", log_text);
	n = gz(log_text, sizeof(log_text) - 1, buf, sizeof(buf));
	write_file("gzip.log", buf, n);
	same_text("gzip.log", log_text);
	/* two members, as cat a.gz b.gz */
	memcpy(two, buf, n);
	memcpy(two + n, buf, n);
	write_file("two.gz", two, 2 * n);
	{
		char want[2 * sizeof(log_text)];

		snprintf(want, sizeof(want), "%s%s", log_text, log_text);
		same_text("two.gz", want);
	}
	/* zero padding after the last member is ignored, as gzip does */
	memset(two + n, 0, 512);
	write_file("padded.gz", two, n + 512);
	same_text("padded.gz", log_text);
	m = xz(log_text, sizeof(log_text) - 1, buf, sizeof(buf));
	write_file("x.1", buf, m);
	same_text("x.1", log_text);
	memcpy(two, buf, m);
	memcpy(two + m, buf, m);
	write_file("two.xz", two, 2 * m);
	{
		char want[2 * sizeof(log_text)];

		snprintf(want, sizeof(want), "%s%s", log_text, log_text);
		same_text("two.xz", want);
	}
	write_file("empty", "", 0);
	same_text("empty", "");
}

/* A big text: the part before the damage comes out, the error names the
 * file and an offset inside it. */
static void test_damage(void **state)
{
	size_t big = 2 * 1024 * 1024, n, i;
	char *text = malloc(big), err[512], *t;
	unsigned char *buf = malloc(big);
	size_t len, cut;
	int rc;

	(void)state;
	assert_non_null(text);
	assert_non_null(buf);
	for (i = 0; i + sizeof(log_text) < big; i += sizeof(log_text) - 1)
		memcpy(text + i, log_text, sizeof(log_text) - 1);
	big = i;
	n = gz(text, big, buf, big);
	cut = n / 2;
	write_file("trunc.gz", buf, cut);
	rc = slurp(path("trunc.gz"), 0, &t, &len, err, sizeof(err), NULL);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "trunc.gz: unexpected end of the gzip data"));
	assert_non_null(strstr(err, "truncated"));
	/* the text before is there, and is the start of the log */
	assert_true(len > big / 4 && len < big);
	assert_memory_equal(t, text, len);
	free(t);

	buf[n / 2] ^= 0xff;
	buf[n / 2 + 1] ^= 0x55;
	write_file("corrupt.gz", buf, n);
	rc = slurp(path("corrupt.gz"), 0, &t, &len, err, sizeof(err), NULL);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "corrupt.gz: "));
	assert_non_null(strstr(err, "at offset "));
	assert_true(len > big / 4);
	free(t);
	buf[n / 2] ^= 0xff;
	buf[n / 2 + 1] ^= 0x55;

	memcpy(buf + n, "garbage", 7);
	write_file("garbage.gz", buf, n + 7);
	rc = slurp(path("garbage.gz"), 0, &t, &len, err, sizeof(err), NULL);
	assert_int_equal(rc, -1);
	assert_int_equal(len, big);
	assert_non_null(strstr(err, "trailing garbage"));
	free(t);

	n = xz(text, big, buf, big);
	write_file("trunc.xz", buf, n - 100);
	rc = slurp(path("trunc.xz"), 0, &t, &len, err, sizeof(err), NULL);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "trunc.xz: "));
	assert_non_null(strstr(err, "truncated"));
	assert_true(len > big / 2);
	assert_memory_equal(t, text, len);
	free(t);
	buf[n / 2] ^= 0xff;
	write_file("corrupt.xz", buf, n);
	rc = slurp(path("corrupt.xz"), 0, &t, &len, err, sizeof(err), NULL);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "corrupt.xz: "));
	free(t);
	free(text);
	free(buf);
}

/* 100 MB of zeros: gzip makes ~100 KB of them. Stopped past the floor,
 * long before the end. */
static void test_bomb(void **state)
{
	size_t big = 100 * 1000 * 1000, n;
	char *zeros = calloc(1, big), err[512], *t;
	unsigned char *buf = malloc(big / 500);
	size_t len;
	struct input in;

	(void)state;
	assert_non_null(zeros);
	assert_non_null(buf);
	n = gz(zeros, big, buf, big / 500);
	free(zeros);
	write_file("bomb.gz", buf, n);
	free(buf);
	assert_int_equal(slurp(path("bomb.gz"), 0, &t, &len, err, sizeof(err),
			       &in), -1);
	assert_non_null(strstr(err, "bomb.gz: decompresses to over 500 times"));
	if (len < INPUT_BOMB_FLOOR || len > INPUT_BOMB_FLOOR + 2 * INPUT_CHUNK)
		fail_msg("stopped after %zu bytes", len);
	free(t);
}

static void test_refused(void **state)
{
	char err[512], *t;
	size_t len;

	(void)state;
	write_file("b.bz2", "BZh91AY&SY", 10);
	assert_int_equal(slurp(path("b.bz2"), 0, &t, &len, err, sizeof(err),
			       NULL), -1);
	assert_non_null(strstr(err, "bzip2"));
	write_file("z.zst", "\x28\xb5\x2f\xfd\0\0\0", 7);
	assert_int_equal(slurp(path("z.zst"), 0, &t, &len, err, sizeof(err),
			       NULL), -1);
	assert_non_null(strstr(err, "zstd"));
	assert_int_equal(slurp(dir, 0, &t, &len, err, sizeof(err), NULL), -1);
	assert_non_null(strstr(err, "is a directory"));
	assert_int_equal(slurp(path("nonexistent"), 0, &t, &len, err,
			       sizeof(err), NULL), -1);
	assert_non_null(strstr(err, "nonexistent: No such file"));
	/* a FIFO: refused when only regular files are wanted (a rotation
	 * that is a FIFO would block); read (empty, no writer) otherwise */
	assert_int_equal(mkfifo(path("fifo"), 0600), 0);
	assert_int_equal(slurp(path("fifo"), INPUT_REGULAR_ONLY, &t, &len,
			       err, sizeof(err), NULL), -1);
	assert_non_null(strstr(err, "fifo: not a regular file (a FIFO)"));
	assert_int_equal(slurp(path("fifo"), 0, &t, &len, err, sizeof(err),
			       NULL), 0);
	assert_int_equal(len, 0);
}

/* ---- syslog ------------------------------------------------------------- */

static void test_syslog(void **state)
{
	static const char in[] =
		"Nov 29 10:00:01 web1 sshd[1]: Accepted publickey\n"
		"Nov 29 10:00:01 web1 audisp-syslog: type=SYSCALL msg=audit(1.2:3): arch=c000003e key=\"k\"#035ARCH=x86_64\n"
		"Nov 29 10:00:01 web1 audisp-syslog: node=n2 type=EXECVE msg=audit(1.2:3): argc=1 a0=\"#035x\"\n"
		"Nov 29 10:00:01 web1 audisp-syslog: type=CWD msg=audit(1.2:3): cwd=\"/a#035\" x=#035y\n"
		"type=EOE msg=audit(1.2:3): \n"
		"garbage\n"
		"Nov 29 10:00:01 web1 audisp-syslog: type=PATH msg=audit(1.2:3): item=0";
	static const char want[] =
		"node=web1 type=SYSCALL msg=audit(1.2:3): arch=c000003e key=\"k\"\x1d" "ARCH=x86_64\n"
		"node=n2 type=EXECVE msg=audit(1.2:3): argc=1 a0=\"#035x\"\n"
		"node=web1 type=CWD msg=audit(1.2:3): cwd=\"/a#035\" x=\x1dy\n"
		"type=EOE msg=audit(1.2:3): \n"
		"node=web1 type=PATH msg=audit(1.2:3): item=0\n";
	char err[512], *t;
	size_t len;
	struct input st;

	(void)state;
	write_file("syslog", in, sizeof(in) - 1);
	assert_int_equal(slurp(path("syslog"), 0, &t, &len, err, sizeof(err),
			       &st), 0);
	if (len != sizeof(want) - 1 || memcmp(t, want, len) != 0)
		fail_msg("got:\n%.*s", (int)len, t);
	assert_true(st.syslog);
	assert_int_equal(st.syslog_records, 5);
	assert_int_equal(st.syslog_other, 2);
	free(t);
}

/* Lines across chunk boundaries, lines over INPUT_LINE_MAX, many lines:
 * the records come out whole and in order, gzip'd or not. */
static void test_syslog_big(void **state)
{
	size_t cap = 8 * 1024 * 1024, n = 0, w = 0, i, len;
	char *in = malloc(cap), *want = malloc(cap), err[512], *t;
	unsigned char *z = malloc(cap);
	struct input st;

	(void)state;
	assert_non_null(in);
	assert_non_null(want);
	assert_non_null(z);
	for (i = 0; n < cap - 300000; i++) {
		if (i % 1000 == 999) {
			/* an over-long line */
			memcpy(in + n, "Nov 29 10:00:01 h a: type=X ", 28);
			memset(in + n + 28, 'x', INPUT_LINE_MAX + 10);
			n += 28 + INPUT_LINE_MAX + 10;
			in[n++] = '\n';
			continue;
		}
		n += (size_t)sprintf(in + n, "Nov 29 10:00:01 h%zu a: type=EOE msg=audit(1.%zu:%zu): %*s\n",
				     i % 7, i, i, (int)(i % 300), "");
		w += (size_t)sprintf(want + w, "node=h%zu type=EOE msg=audit(1.%zu:%zu): %*s\n",
				     i % 7, i, i, (int)(i % 300), "");
	}
	write_file("big.syslog", in, n);
	assert_int_equal(slurp(path("big.syslog"), 0, &t, &len, err,
			       sizeof(err), &st), 0);
	assert_int_equal(len, w);
	assert_memory_equal(t, want, w);
	assert_int_equal(st.syslog_long, i / 1000);
	free(t);
	write_file("big.syslog.gz", z, gz(in, n, z, cap));
	assert_int_equal(slurp(path("big.syslog.gz"), 0, &t, &len, err,
			       sizeof(err), NULL), 0);
	assert_int_equal(len, w);
	assert_memory_equal(t, want, w);
	free(t);
	free(in);
	free(want);
	free(z);
}

/* ---- finding the logs ------------------------------------------------------ */

struct problems {
	char text[4096];
	unsigned n;
};

static void problem(void *ctx, const char *msg)
{
	struct problems *p = ctx;

	p->n++;
	strncat(p->text, msg, sizeof(p->text) - strlen(p->text) - 2);
	strcat(p->text, "\n");
}

static void test_find(void **state)
{
	static const char *const names[] = {
		"audit.log", "audit.log.1", "audit.log.2.gz", "audit.log.4.xz",
		"audit.log-20261101.gz", "audit.log-20261015",
		"audit.log.bak", "audit.logx", "other.log", "audit.log.0",
	};
	static const char *const want[] = {
		"audit.log-20261015", "audit.log-20261101.gz",
		"audit.log.4.xz", "audit.log.2.gz", "audit.log.1", "audit.log",
	};
	struct problems pr;
	char sub[300], conf[600], lf[600], err[512], **paths;
	ssize_t n;
	size_t i;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/logs", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char p[700];
		FILE *f;

		snprintf(p, sizeof(p), "%s/%s", sub, names[i]);
		f = fopen(p, "w");
		assert_non_null(f);
		fclose(f);
	}
	snprintf(conf, sizeof(conf), "%s/auditd.conf", dir);
	{
		FILE *f = fopen(conf, "w");

		assert_non_null(f);
		fprintf(f, "# comment\nlog_format = ENRICHED\n  log_file =  %s/audit.log  \nnum_logs = 5\n", sub);
		fclose(f);
	}
	assert_int_equal(input_auditd_log_file(conf, lf, sizeof(lf), err,
					       sizeof(err)), 0);
	snprintf(conf, sizeof(conf), "%s/audit.log", sub);
	assert_string_equal(lf, conf);
	memset(&pr, 0, sizeof(pr));
	n = input_find_logs(lf, &paths, problem, &pr);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < (size_t)n; i++) {
		char p[700];

		snprintf(p, sizeof(p), "%s/%s", sub, want[i]);
		assert_string_equal(paths[i], p);
	}
	input_free_list(paths, (size_t)n);
	/* .3 is missing between .4 and .2 */
	assert_int_equal(pr.n, 1);
	assert_non_null(strstr(pr.text, "audit.log.3: missing"));

	/* no auditd.conf: auditd's default */
	assert_int_equal(input_auditd_log_file("/nonexistent/auditd.conf", lf,
					       sizeof(lf), err, sizeof(err)), 0);
	assert_string_equal(lf, INPUT_DEFAULT_LOG);
	/* a directory that cannot be listed */
	memset(&pr, 0, sizeof(pr));
	assert_int_equal(input_find_logs("/nonexistent/dir/audit.log", &paths,
					 problem, &pr), -1);
	assert_non_null(strstr(pr.text, "/nonexistent/dir: No such file"));
	/* the log gone, its rotations there */
	snprintf(conf, sizeof(conf), "%s/audit.log", sub);
	unlink(conf);
	memset(&pr, 0, sizeof(pr));
	n = input_find_logs(conf, &paths, problem, &pr);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]) - 1);
	input_free_list(paths, (size_t)n);
	assert_non_null(strstr(pr.text, "audit.log: missing"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_syslog),
		cmocka_unit_test(test_syslog_big),
		cmocka_unit_test(test_find),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
