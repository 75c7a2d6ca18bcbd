/*
 * test_ecs_event.c - the ECS view of an exec that the rules read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "ecs_event.h"

static struct argv_arg args_v[] = { { "tail", 4 }, { "-c", 2 }, { "/boot/x", 7 } };
static struct argv args = { 3, args_v, 13, 0 };
static struct argv_arg pargs_v[] = { { "sh", 2 }, { "/opt/s.sh", 9 } };

static void mk(struct exec_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	strcpy(ev->exe, "/usr/bin/tail");
	strcpy(ev->comm, "tail");
	strcpy(ev->cwd, "/root");
	exec_event_set_name(ev);
	ev->argv = &args;
	ev->pid = 10;
	ev->ppid = 9;
	ev->uid = 1000;
}

static void assert_str(const struct eql_value *v, const char *s)
{
	assert_int_equal(v->kind, EQL_STRING);
	assert_int_equal(v->n, strlen(s));
	assert_memory_equal(v->s, s, v->n);
}

static void test_known_parent(void **state)
{
	struct proc_entry parent = {
		.pid = 9, .exe = "/usr/bin/dash", .name = "dash",
		.argv = { 2, pargs_v, 11, 0 },
	};
	struct ecs_scratch s;
	struct exec_event ev;
	struct eql_event e;

	(void)state;
	mk(&ev);
	ecs_scratch_init(&s);
	ecs_describe(&ev, &parent, NULL, &s, &e);
	assert_str(&e.f[EQL_HOST_OS_TYPE], "linux");
	assert_str(&e.f[EQL_EVENT_TYPE], "start");
	assert_str(&e.f[EQL_EVENT_ACTION], "exec");
	assert_str(&e.f[EQL_PROCESS_NAME], "tail");
	assert_str(&e.f[EQL_PROCESS_EXECUTABLE], "/usr/bin/tail");
	assert_int_equal(e.f[EQL_PROCESS_ARGS].kind, EQL_ARRAY);
	assert_ptr_equal(e.f[EQL_PROCESS_ARGS].arr, &args);
	assert_int_equal(e.f[EQL_PROCESS_ARGS_COUNT].num, 3);
	assert_str(&e.f[EQL_PROCESS_COMMAND_LINE], "tail -c /boot/x");
	assert_str(&e.f[EQL_PROCESS_WORKING_DIRECTORY], "/root");
	assert_int_equal(e.f[EQL_PROCESS_PID].num, 10);
	assert_int_equal(e.f[EQL_PARENT_PID].num, 9);
	assert_str(&e.f[EQL_USER_ID], "1000");
	assert_str(&e.f[EQL_PARENT_NAME], "dash");
	assert_str(&e.f[EQL_PARENT_EXECUTABLE], "/usr/bin/dash");
	assert_int_equal(e.f[EQL_PARENT_ARGS_COUNT].num, 2);
	assert_str(&e.f[EQL_PARENT_COMMAND_LINE], "sh /opt/s.sh");
	/* never known from audit records */
	assert_int_equal(e.f[EQL_PARENT_WORKING_DIRECTORY].kind, EQL_MISSING);
	ecs_scratch_free(&s);
}

static void test_unknown_parent_and_missing(void **state)
{
	bool uses[EQL_FIELD_COUNT] = { false };
	struct ecs_scratch s;
	struct exec_event ev;
	struct eql_event e;

	(void)state;
	mk(&ev);
	ev.exe[0] = '\0';          /* no exe: name from comm */
	exec_event_set_name(&ev);
	ev.cwd[0] = '\0';
	ev.uid = EXEC_ID_UNSET;
	ev.ppid = -1;
	ecs_scratch_init(&s);
	ecs_describe(&ev, NULL, uses, &s, &e);
	assert_str(&e.f[EQL_PROCESS_NAME], "tail");
	assert_int_equal(e.f[EQL_PROCESS_EXECUTABLE].kind, EQL_MISSING);
	assert_int_equal(e.f[EQL_PROCESS_WORKING_DIRECTORY].kind, EQL_MISSING);
	assert_int_equal(e.f[EQL_USER_ID].kind, EQL_MISSING);
	assert_int_equal(e.f[EQL_PARENT_PID].kind, EQL_MISSING);
	/* no rule reads the command line: it is not built */
	assert_int_equal(e.f[EQL_PROCESS_COMMAND_LINE].kind, EQL_MISSING);
	assert_int_equal(s.cmdline.len, 0);
	assert_int_equal(e.f[EQL_PARENT_ARGS].kind, EQL_MISSING);
	assert_int_equal(e.f[EQL_PARENT_NAME].kind, EQL_MISSING);
	ecs_scratch_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_parent),
		cmocka_unit_test(test_unknown_parent_and_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
