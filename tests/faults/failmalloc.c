/*
 * failmalloc.c - LD_PRELOAD shim for tests/faults.sh: while the file named
 * by KS_FAILMALLOC_FLAG exists, every KS_FAILMALLOC_EVERY-th allocation
 * fails (ENOMEM). Built by the test; not part of the plugin.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static unsigned long calls;

static int should_fail(void)
{
	static const char *flag;
	static long every = -1;

	if (every < 0) {
		const char *e = getenv("KS_FAILMALLOC_EVERY");

		flag = getenv("KS_FAILMALLOC_FLAG");
		every = e ? atol(e) : 0;
	}
	if (every <= 0 || !flag || ++calls % (unsigned long)every)
		return 0;
	if (access(flag, F_OK) != 0)
		return 0;
	errno = ENOMEM;
	return 1;
}

void *malloc(size_t n)
{
	return should_fail() ? NULL : __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	return should_fail() ? NULL : __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	return should_fail() ? NULL : __libc_realloc(p, n);
}
