/*
 * exec_event.c - which audited syscalls are execs and forks, and the
 * process.name of an exec.
 */
#include "config.h"

#include <string.h>
#include <libaudit.h>

#include "exec_event.h"

/*
 * Syscall numbers differ per architecture (execve is 59 on x86_64, 11 on
 * i386, 221 on aarch64), so they come from libaudit's tables by name, once
 * per arch, and are cached here. Few archs ever appear in one stream.
 */
#define ARCH_CACHE 8

static const char *const exec_names[] = { "execve", "execveat" };
static const char *const fork_names[] = { "clone", "clone3", "fork", "vfork" };
#define N_EXEC (sizeof(exec_names) / sizeof(exec_names[0]))
#define N_FORK (sizeof(fork_names) / sizeof(fork_names[0]))

struct arch_entry {
	unsigned long arch;
	bool known;        /* libaudit knows this arch */
	int exec_nr[N_EXEC];
	int fork_nr[N_FORK];
};

static struct arch_entry cache[ARCH_CACHE];
static unsigned cache_used;

static const struct arch_entry *arch_lookup(unsigned long arch)
{
	struct arch_entry *e;
	unsigned i;
	int machine;

	for (i = 0; i < cache_used; i++)
		if (cache[i].arch == arch)
			return &cache[i];

	/* An unseen arch: fill a slot (recycling the last one when full, which
	 * only hostile input with many fake archs can cause). */
	e = &cache[cache_used < ARCH_CACHE ? cache_used++ : ARCH_CACHE - 1];
	e->arch = arch;
	machine = arch > 0xffffffffUL ? -1 : audit_elf_to_machine((unsigned)arch);
	e->known = machine >= 0;
	for (i = 0; i < N_EXEC; i++)
		e->exec_nr[i] = e->known ?
			audit_name_to_syscall(exec_names[i], machine) : -1;
	for (i = 0; i < N_FORK; i++)
		e->fork_nr[i] = e->known ?
			audit_name_to_syscall(fork_names[i], machine) : -1;
	return e;
}

enum syscall_kind exec_event_classify(unsigned long arch, long nr)
{
	const struct arch_entry *e;
	unsigned i;

	if (nr < 0)
		return SYSCALL_OTHER;
	e = arch_lookup(arch);
	if (!e->known)
		return SYSCALL_OTHER;
	for (i = 0; i < N_EXEC; i++)
		if (e->exec_nr[i] == nr)
			return SYSCALL_EXEC;
	for (i = 0; i < N_FORK; i++)
		if (e->fork_nr[i] == nr)
			return SYSCALL_FORK;
	return SYSCALL_OTHER;
}

void exec_event_set_name(struct exec_event *ev)
{
	const char *slash;

	/* Elastic Defend's process.name is the basename of the executable
	 * file; comm (the invoked name, cut to 15 bytes) only stands in when
	 * the kernel gave no exe. */
	if (ev->exe[0]) {
		slash = strrchr(ev->exe, '/');
		ev->name = slash ? slash + 1 : ev->exe;
	} else {
		ev->name = ev->comm;
	}
	ev->name_len = strlen(ev->name);
}
