/*
 * ecs_event.c - describe an exec in ECS terms for the rules (ecs_event.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ecs_event.h"

void ecs_scratch_init(struct ecs_scratch *s)
{
	sb_init(&s->cmdline, 0);
	sb_init(&s->parent_cmdline, 0);
	s->uid[0] = '\0';
}

void ecs_scratch_free(struct ecs_scratch *s)
{
	sb_free(&s->cmdline);
	sb_free(&s->parent_cmdline);
}

static void join_args(struct strbuf *sb, const struct argv *av)
{
	uint32_t i;

	sb_reset(sb);
	for (i = 0; i < av->argc; i++) {
		if (i)
			sb_addc(sb, ' ');
		sb_add(sb, av->v[i].ptr, av->v[i].len);
	}
}

static void set_str(struct eql_value *v, const char *s, size_t n)
{
	v->kind = n ? EQL_STRING : EQL_MISSING;
	v->s = s;
	v->n = n;
}

static void set_num(struct eql_value *v, int64_t num)
{
	v->kind = EQL_NUMBER;
	v->num = num;
}

static void set_args(struct eql_value *v, const struct argv *av)
{
	v->kind = EQL_ARRAY;
	v->arr = av;
}

void ecs_describe(const struct exec_event *ev, const struct proc_entry *parent,
		  const bool uses[EQL_FIELD_COUNT], struct ecs_scratch *s,
		  struct eql_event *e)
{
	memset(e, 0, sizeof(*e));
	set_str(&e->f[EQL_HOST_OS_TYPE], "linux", 5);
	set_str(&e->f[EQL_EVENT_TYPE], "start", 5);
	set_str(&e->f[EQL_EVENT_ACTION], "exec", 4);
	set_str(&e->f[EQL_PROCESS_NAME], ev->name, ev->name_len);
	set_str(&e->f[EQL_PROCESS_EXECUTABLE], ev->exe, strlen(ev->exe));
	set_args(&e->f[EQL_PROCESS_ARGS], ev->argv);
	set_num(&e->f[EQL_PROCESS_ARGS_COUNT], ev->argv->argc);
	if (!uses || uses[EQL_PROCESS_COMMAND_LINE]) {
		join_args(&s->cmdline, ev->argv);
		set_str(&e->f[EQL_PROCESS_COMMAND_LINE], s->cmdline.buf,
			s->cmdline.len);
	}
	set_str(&e->f[EQL_PROCESS_WORKING_DIRECTORY], ev->cwd,
		strlen(ev->cwd));
	set_num(&e->f[EQL_PROCESS_PID], ev->pid);
	if (ev->ppid > 0)
		set_num(&e->f[EQL_PARENT_PID], ev->ppid);
	if (ev->uid != EXEC_ID_UNSET) {
		snprintf(s->uid, sizeof(s->uid), "%u", ev->uid);
		set_str(&e->f[EQL_USER_ID], s->uid, strlen(s->uid));
	}
	if (!parent)
		return;
	set_str(&e->f[EQL_PARENT_NAME], parent->name, strlen(parent->name));
	set_str(&e->f[EQL_PARENT_EXECUTABLE], parent->exe,
		strlen(parent->exe));
	set_args(&e->f[EQL_PARENT_ARGS], &parent->argv);
	set_num(&e->f[EQL_PARENT_ARGS_COUNT], parent->argv.argc);
	if (!uses || uses[EQL_PARENT_COMMAND_LINE]) {
		join_args(&s->parent_cmdline, &parent->argv);
		set_str(&e->f[EQL_PARENT_COMMAND_LINE], s->parent_cmdline.buf,
			s->parent_cmdline.len);
	}
}
