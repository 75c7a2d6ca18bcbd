/*
 * fuzz_statefile.c - the state file reader on arbitrary content.
 *
 * statefile_load() takes a path and refuses symbolic links (so not
 * /proc/self/fd/N): the input is written to one private temporary file,
 * mode 0600, and loaded into a small table. Checks statefile.h's
 * promises: a refused file stores nothing and says why naming the file in
 * printable text; an accepted one stores at most what the table holds,
 * and what it stored saves and loads back whole.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "statefile.h"

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",   \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64], path2[80];
static int fd = -1;

/* Eight nodes, by the name's first byte. */
static uint32_t node_of(const char *node, bool same_boot, void *ctx)
{
	(void)same_boot;
	(void)ctx;
	return (unsigned char)node[0] % 8;
}

static const char *const names[8] = { "", "a", "b", "c", "d", "e", "f",
				       "g" };

static const char *name_of(uint32_t node, void *ctx)
{
	(void)ctx;
	return node < 8 ? names[node] : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_table_limits lim = { .max_entries = 64,
					 .max_total_argv_bytes = 1 << 20 };
	struct proc_table *t, *u;
	struct proc_table_stats st, st2;
	struct statefile_result res;
	char err[512];
	int rc;

	if (fd < 0) {
		snprintf(path, sizeof(path), "/tmp/fuzz_statefile.XXXXXX");
		fd = mkstemp(path);
		CHECK(fd >= 0);
		snprintf(path2, sizeof(path2), "%s.out", path);
	}
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
	t = proc_table_new(&lim);
	CHECK(t);
	rc = statefile_load(path, t, node_of, NULL, "boot", 1u << 20, &res,
			    err, sizeof(err));
	proc_table_stats(t, &st);
	if (rc != 0) {
		CHECK(rc == -1);
		CHECK(st.entries == 0);
		CHECK(strncmp(err, path, strlen(path)) == 0);
		for (size_t i = 0; err[i]; i++)
			CHECK((unsigned char)err[i] >= 0x20 &&
			      (unsigned char)err[i] <= 0x7e);
		proc_table_free(t);
		return 0;
	}
	CHECK(st.entries <= 64 && st.entries <= res.entries);
	CHECK(res.restored + res.skipped == res.entries);
	/* what was stored goes out and comes back whole */
	CHECK(statefile_save(path2, t, name_of, NULL, "boot", &res, err,
			     sizeof(err)) == 0);
	CHECK(res.entries == st.entries);
	u = proc_table_new(&lim);
	CHECK(u);
	CHECK(statefile_load(path2, u, node_of, NULL, "boot", 1u << 20, &res,
			     err, sizeof(err)) == 0);
	proc_table_stats(u, &st2);
	CHECK(st2.entries == st.entries);
	proc_table_free(u);
	proc_table_free(t);
	unlink(path2);
	return 0;
}
