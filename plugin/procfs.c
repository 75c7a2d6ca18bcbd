/*
 * procfs.c - fill the process table from /proc for unknown parents.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "procfs.h"

/* /proc/<pid>/cmdline holds argv as NUL-terminated strings; the last
 * one may lack its NUL when the process rewrote its title. */
static uint32_t split_cmdline(const char *buf, size_t n, struct argv_arg *v,
			      uint32_t max)
{
	uint32_t argc = 0;
	size_t i = 0;

	while (i < n && argc < max) {
		size_t len = strnlen(buf + i, n - i);

		v[argc].ptr = buf + i;
		v[argc].len = (uint32_t)len;
		argc++;
		i += len + 1;
	}
	return argc;
}

static ssize_t read_file(const char *path, char *buf, size_t cap)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)total < cap) {
		n = read(fd, buf + total, cap - (size_t)total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	return total;
}

bool procfs_fill(struct proc_table *t, const char *root, uint32_t node,
		 pid_t pid, size_t max_bytes, time_t now)
{
	char path[128], exe[EXEC_PATH_MAX], stat[512];
	char *buf = NULL, *p;
	struct argv_arg *v = NULL;
	struct argv argv;
	ssize_t n, elen;
	pid_t ppid = -1;
	uint32_t max_args;
	bool ok = false;

	if (pid <= 0 || max_bytes == 0)
		return false;
	/* ppid is the 4th field of stat, after "(comm)" which may itself
	 * contain spaces and parentheses: parse from the last ')'. */
	snprintf(path, sizeof(path), "%s/%d/stat", root, (int)pid);
	n = read_file(path, stat, sizeof(stat) - 1);
	if (n <= 0)
		return false;
	stat[n] = '\0';
	p = strrchr(stat, ')');
	if (p && sscanf(p + 1, " %*c %d", &ppid) != 1)
		ppid = -1;

	/* stat proved the process exists; a kernel thread has no exe and an
	 * empty cmdline, and is still worth an entry so it is not read
	 * again. */
	snprintf(path, sizeof(path), "%s/%d/exe", root, (int)pid);
	elen = readlink(path, exe, sizeof(exe) - 1);
	if (elen < 0)
		elen = 0;
	exe[elen] = '\0';

	buf = malloc(max_bytes + 1);
	/* At most one argument per two bytes (one byte and its NUL). */
	max_args = (uint32_t)(max_bytes / 2 + 1);
	v = malloc((size_t)max_args * sizeof(*v));
	if (!buf || !v)
		goto out;
	snprintf(path, sizeof(path), "%s/%d/cmdline", root, (int)pid);
	n = read_file(path, buf, max_bytes);
	if (n < 0)
		goto out;
	buf[n] = '\0';
	memset(&argv, 0, sizeof(argv));
	argv.v = v;
	argv.argc = split_cmdline(buf, (size_t)n, v, max_args);
	argv.total_bytes = (size_t)n;
	if ((size_t)n == max_bytes)
		argv.flags |= ARGV_TRUNCATED;
	ok = proc_table_put(t, node, pid, ppid, exe, &argv, now) == 0;
out:
	free(buf);
	free(v);
	return ok;
}
