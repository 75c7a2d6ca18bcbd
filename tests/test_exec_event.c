/*
 * test_exec_event.c - syscall classification from arch + number, and
 * process.name derivation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "exec_event.h"

#define ARCH_X86_64 0xc000003eUL
#define ARCH_I386 0x40000003UL
#define ARCH_AARCH64 0xc00000b7UL

static void test_classify_x86_64(void **state)
{
	(void)state;
	assert_int_equal(exec_event_classify(ARCH_X86_64, 59), SYSCALL_EXEC);
	assert_int_equal(exec_event_classify(ARCH_X86_64, 322), SYSCALL_EXEC);
	assert_int_equal(exec_event_classify(ARCH_X86_64, 56), SYSCALL_FORK);
	assert_int_equal(exec_event_classify(ARCH_X86_64, 57), SYSCALL_FORK);
	assert_int_equal(exec_event_classify(ARCH_X86_64, 58), SYSCALL_FORK);
	assert_int_equal(exec_event_classify(ARCH_X86_64, 435), SYSCALL_FORK);
	assert_int_equal(exec_event_classify(ARCH_X86_64, 11), SYSCALL_OTHER);
	assert_int_equal(exec_event_classify(ARCH_X86_64, 2), SYSCALL_OTHER);
}

static void test_classify_i386(void **state)
{
	(void)state;
	/* the same numbers mean different syscalls on another arch */
	assert_int_equal(exec_event_classify(ARCH_I386, 11), SYSCALL_EXEC);
	assert_int_equal(exec_event_classify(ARCH_I386, 358), SYSCALL_EXEC);
	assert_int_equal(exec_event_classify(ARCH_I386, 120), SYSCALL_FORK);
	assert_int_equal(exec_event_classify(ARCH_I386, 2), SYSCALL_FORK);
	assert_int_equal(exec_event_classify(ARCH_I386, 190), SYSCALL_FORK);
	assert_int_equal(exec_event_classify(ARCH_I386, 59), SYSCALL_OTHER);
	assert_int_equal(exec_event_classify(ARCH_I386, 322), SYSCALL_OTHER);
}

static void test_classify_aarch64(void **state)
{
	(void)state;
	assert_int_equal(exec_event_classify(ARCH_AARCH64, 221), SYSCALL_EXEC);
	assert_int_equal(exec_event_classify(ARCH_AARCH64, 281), SYSCALL_EXEC);
	assert_int_equal(exec_event_classify(ARCH_AARCH64, 220), SYSCALL_FORK);
	assert_int_equal(exec_event_classify(ARCH_AARCH64, 435), SYSCALL_FORK);
	assert_int_equal(exec_event_classify(ARCH_AARCH64, 59), SYSCALL_OTHER);
}

static void test_classify_unknown(void **state)
{
	unsigned long a;

	(void)state;
	assert_int_equal(exec_event_classify(0, 59), SYSCALL_OTHER);
	assert_int_equal(exec_event_classify(0xdeadbeefUL, 59), SYSCALL_OTHER);
	assert_int_equal(exec_event_classify(ARCH_X86_64, -1), SYSCALL_OTHER);
	assert_int_equal(exec_event_classify(~0UL, 59), SYSCALL_OTHER);
	/* many fake archs fill the cache; real ones still classify right */
	for (a = 1; a < 100; a++)
		assert_int_equal(exec_event_classify(a, 59), SYSCALL_OTHER);
	assert_int_equal(exec_event_classify(ARCH_X86_64, 59), SYSCALL_EXEC);
	assert_int_equal(exec_event_classify(ARCH_I386, 11), SYSCALL_EXEC);
}

static void name_of(const char *exe, const char *comm, const char *want)
{
	static struct exec_event ev;

	memset(&ev, 0, sizeof(ev));
	strcpy(ev.exe, exe);
	strcpy(ev.comm, comm);
	exec_event_set_name(&ev);
	assert_int_equal(ev.name_len, strlen(want));
	assert_memory_equal(ev.name, want, ev.name_len);
}

static void test_name(void **state)
{
	(void)state;
	name_of("/usr/bin/tail", "tail", "tail");
	/* a symlink: exe is the target, comm the link name */
	name_of("/usr/bin/xxd", "peek", "xxd");
	/* busybox applet: the executable file is busybox */
	name_of("/usr/bin/busybox", "tail", "busybox");
	name_of("", "tail", "tail");
	name_of("tail", "x", "tail");
	name_of("/usr/bin/", "x", "");
	name_of("/usr/bin/tail (deleted)", "tail", "tail (deleted)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_x86_64),
		cmocka_unit_test(test_classify_i386),
		cmocka_unit_test(test_classify_aarch64),
		cmocka_unit_test(test_classify_unknown),
		cmocka_unit_test(test_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
