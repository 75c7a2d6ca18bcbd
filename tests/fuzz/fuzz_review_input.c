/*
 * fuzz_review_input.c - review mode's input parsers on arbitrary bytes:
 * the syslog prefix (syslog_prefix.h), --start/--end values
 * (timerange.h) and whole inputs through input.c (a memfd read as a file:
 * plain, gzip, xz, syslog). The first byte picks which.
 *
 * Checks the headers' promises: syslog_parse never reads past the line
 * (ASan, on a copy with no byte after it) and its record and host lie
 * inside the line, a record starting with type= or node=; timerange_parse
 * either gives a time or a NUL-terminated message; input_read hands out
 * pieces of bounded size, at most INPUT_BOMB_FLOOR + a chunk past the
 * bomb bound, and an error names the file.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "input.h"
#include "syslog_prefix.h"
#include "timerange.h"

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",   \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char path[64];

static void prefix(const uint8_t *d, size_t n)
{
	char *copy = malloc(n ? n : 1);
	struct syslog_line sl;
	enum syslog_kind k;

	CHECK(copy);
	memcpy(copy, d, n);
	k = syslog_parse(copy, n, &sl);
	if (k == SYSLOG_RECORD) {
		CHECK(sl.msg + 5 <= n);
		CHECK(memcmp(copy + sl.msg, "type=", 5) == 0 ||
		      memcmp(copy + sl.msg, "node=", 5) == 0);
	}
	if (k != SYSLOG_NONE && sl.host) {
		CHECK(sl.host >= copy && sl.host + sl.host_len <= copy + n);
		CHECK(sl.host_len > 0 && sl.host_len <= SYSLOG_HOST_MAX);
		CHECK(!memchr(sl.host, ' ', sl.host_len));
	}
	free(copy);
}

static void when(const uint8_t *d, size_t n)
{
	struct timerange_clock clk = { .now = 1795947630, .boot = 1795900000 };
	char arg[256], err[512];
	int64_t v;
	int rc;

	if (n > sizeof(arg) - 1)
		n = sizeof(arg) - 1;
	memcpy(arg, d, n);
	arg[n] = '\0';
	err[0] = '\0';
	rc = timerange_parse(arg, n & 1, &clk, &v, err, sizeof(err));
	CHECK(rc == 0 || rc == -1);
	if (rc < 0)
		CHECK(err[0] && memchr(err, '\0', sizeof(err)));
}

static void file(const uint8_t *d, size_t n)
{
	struct input in;
	const char *out;
	char err[1024];
	uint64_t total = 0;
	ssize_t r;

	if (memfd < 0) {
		memfd = memfd_create("ks-fuzz-input", MFD_CLOEXEC);
		CHECK(memfd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	CHECK(ftruncate(memfd, 0) == 0);
	CHECK(pwrite(memfd, d, n, 0) == (ssize_t)n);
	if (input_open(&in, path, INPUT_REGULAR_ONLY, err, sizeof(err)) != 0) {
		CHECK(strncmp(err, path, strlen(path)) == 0);
		return;
	}
	while ((r = input_read(&in, &out, err, sizeof(err))) > 0) {
		CHECK(out != NULL);
		/* touch every byte: a bad pointer or length shows */
		volatile char sink = 0;

		for (ssize_t i = 0; i < r; i++)
			sink ^= out[i];
		(void)sink;
		total += (uint64_t)r;
		CHECK(total <= INPUT_BOMB_FLOOR + 4 * INPUT_CHUNK +
			       (uint64_t)n * INPUT_BOMB_RATIO * 2 +
			       (uint64_t)n * (SYSLOG_HOST_MAX + 8));
	}
	if (r < 0)
		CHECK(strncmp(err, path, strlen(path)) == 0);
	input_close(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	switch (data[0] % 4) {
	case 0:
	case 1:
		prefix(data + 1, size - 1);
		break;
	case 2:
		when(data + 1, size - 1);
		break;
	default:
		file(data + 1, size - 1);
		break;
	}
	return 0;
}
