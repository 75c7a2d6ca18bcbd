/*
 * test_eql.c - conformance tests for the EQL compiler/evaluator (eql.h):
 * a table of expressions against fixed events (each also checked negated),
 * the Kernel Seeking Activity queries (v2 verbatim, v6) against the strict
 * vectors of rule-semantics.md §6, exceptions, and parser errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs_event.h"
#include "eql.h"
#include "eql_regex.h"
#include "rule.h"
#include "v2_reference.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAXARGS 16

/* ---- building events --------------------------------------------------- */

/* A field's ECS table row by name: a test naming no field fails. */
static unsigned fld(const char *name)
{
	int i = ecs_field_find(name, strlen(name));

	if (i < 0 || i >= EQL_FIELDS_MAX) {
		fail_msg("no field '%s' in the ECS table", name);
		return 0;
	}
	return (unsigned)i;
}

/* A test event in test-friendly terms; NULL strings are missing fields. */
struct tev {
	const char *os, *etype, *action, *name, *exe, *cmdline, *cwd;
	const char *pname, *pexe, *pcmdline, *pcwd, *uid;
	const char *args[MAXARGS];  /* NULL-terminated; none: missing */
	const char *pargs[MAXARGS];
	const char *etypes[4];      /* event.type as an array instead */
	bool args_empty;            /* args present but empty (argc 0) */
	bool args_as_string;        /* process.args given as args[0] only */
	bool name_as_number;        /* process.name given as EQL_NUMBER */
	bool has_pid, has_ppid, has_argc, has_pargc;
	int64_t pid, ppid, argc, pargc;
	int trunc;                  /* args_truncated: 0 missing, 1 false,
				     * 2 true */
};

struct evstore {
	struct argv av[3];
	struct argv_arg arg[3][MAXARGS];
};

static void set_str(struct eql_value *v, const char *s)
{
	memset(v, 0, sizeof(*v));
	if (!s)
		return;
	v->kind = EQL_STRING;
	v->s = s;
	v->n = strlen(s);
}

static void set_num(struct eql_value *v, bool has, int64_t n)
{
	memset(v, 0, sizeof(*v));
	if (!has)
		return;
	v->kind = EQL_NUMBER;
	v->num = n;
}

static const struct argv *mkargv(struct argv *av, struct argv_arg *store,
				 const char *const *a)
{
	uint32_t i;

	memset(av, 0, sizeof(*av));
	for (i = 0; i < MAXARGS && a[i]; i++) {
		store[i].ptr = a[i];
		store[i].len = (uint32_t)strlen(a[i]);
		av->total_bytes += store[i].len;
	}
	av->argc = i;
	av->v = store;
	return av;
}

static void set_arr(struct eql_value *v, struct argv *av,
		    struct argv_arg *store, const char *const *a, bool empty)
{
	memset(v, 0, sizeof(*v));
	if (!a[0] && !empty)
		return;
	v->kind = EQL_ARRAY;
	v->arr = mkargv(av, store, a);
}

static void fill(struct eql_event *ev, struct evstore *st, const struct tev *t)
{
	memset(ev, 0, sizeof(*ev));
	set_str(&ev->f[fld("host.os.type")], t->os);
	if (t->etypes[0])
		set_arr(&ev->f[fld("event.type")], &st->av[2], st->arg[2],
			t->etypes, false);
	else
		set_str(&ev->f[fld("event.type")], t->etype);
	set_str(&ev->f[fld("event.action")], t->action);
	if (t->name_as_number)
		set_num(&ev->f[fld("process.name")], true, 7);
	else
		set_str(&ev->f[fld("process.name")], t->name);
	set_str(&ev->f[fld("process.executable")], t->exe);
	if (t->args_as_string)
		set_str(&ev->f[fld("process.args")], t->args[0]);
	else
		set_arr(&ev->f[fld("process.args")], &st->av[0], st->arg[0],
			t->args, t->args_empty);
	set_num(&ev->f[fld("process.args_count")], t->has_argc, t->argc);
	set_str(&ev->f[fld("process.command_line")], t->cmdline);
	set_str(&ev->f[fld("process.working_directory")], t->cwd);
	set_num(&ev->f[fld("process.pid")], t->has_pid, t->pid);
	set_str(&ev->f[fld("process.parent.name")], t->pname);
	set_str(&ev->f[fld("process.parent.executable")], t->pexe);
	set_arr(&ev->f[fld("process.parent.args")], &st->av[1], st->arg[1], t->pargs,
		false);
	set_num(&ev->f[fld("process.parent.args_count")], t->has_pargc, t->pargc);
	set_str(&ev->f[fld("process.parent.command_line")], t->pcmdline);
	set_str(&ev->f[fld("process.parent.working_directory")], t->pcwd);
	set_num(&ev->f[fld("process.parent.pid")], t->has_ppid, t->ppid);
	set_str(&ev->f[fld("user.id")], t->uid);
	if (t->trunc) {
		ev->f[fld("process.args_truncated")].kind = EQL_BOOL;
		ev->f[fld("process.args_truncated")].num = t->trunc == 2;
	}
}

enum { F_STD, F_ODD, F_EMPTY, F_STRARGS };

static const struct tev fixtures[] = {
	/* An ordinary `tail -c 64 /boot/vmlinuz-6.1` from an interactive
	 * bash; parent command line and cwd are unknown (missing). */
	[F_STD] = {
		.os = "linux", .etype = "start", .action = "exec",
		.name = "tail", .exe = "/usr/bin/tail",
		.cmdline = "tail -c 64 /boot/vmlinuz-6.1", .cwd = "/root",
		.args = { "tail", "-c", "64", "/boot/vmlinuz-6.1" },
		.has_argc = true, .argc = 4, .has_pid = true, .pid = 1234,
		.pname = "bash", .pexe = "/bin/bash", .pargs = { "-bash" },
		.has_pargc = true, .pargc = 1, .has_ppid = true, .ppid = 1000,
		.uid = "0", .trunc = 2,
	},
	/* Awkward bytes for escapes, wildcards and case; parent unknown;
	 * event.type given as an array. */
	[F_ODD] = {
		.os = "linux", .etypes = { "start", "info" }, .action = "exec",
		.name = "Tail", .exe = "/opt/a\\b/c", .cmdline = "a\tb\nc",
		.cwd = "say \"hi\"", .pname = "A\xF0\x9F\x98\x80",
		.pexe = "/BOOT/x", .uid = "x*y",
		.args = { "", "a?c", "/boot/", "/boot", "C:\\dir", "--BYTES",
			  "\xC3\x89t\xC3\xA9" },
		.has_argc = true, .argc = 7, .has_pid = true, .pid = -5,
		.trunc = 1,
	},
	/* Nothing known; process.args present but empty. */
	[F_EMPTY] = { .args_empty = true },
	/* process.args given as a plain string, process.name as a number. */
	[F_STRARGS] = {
		.os = "linux", .etype = "start", .args = { "tail" },
		.args_as_string = true, .name_as_number = true,
	},
};

/* ---- conformance table ------------------------------------------------- */

struct tcase {
	const char *expr; /* after "process where " */
	int fixture;
	bool want;
};

static const struct tcase cases[] = {
	/* operators x case sensitivity */
	{ "process.name == \"tail\"", F_STD, true },
	{ "process.name == \"TAIL\"", F_STD, false },
	{ "process.name == \"tai\"", F_STD, false },
	{ "process.name != \"tail\"", F_STD, false },
	{ "process.name != \"cmp\"", F_STD, true },
	{ "process.name != \"TAIL\"", F_STD, true },
	{ "process.name : \"TAIL\"", F_STD, true },
	{ "process.name : \"ta*\"", F_STD, true },
	{ "process.name : \"TA?L\"", F_STD, true },
	{ "process.name : \"tai\"", F_STD, false },
	{ "process.name like \"tail\"", F_STD, true },
	{ "process.name like \"TAIL\"", F_STD, false },
	{ "process.name like~ \"TAIL\"", F_STD, true },
	{ "process.name like~ \"T*\"", F_STD, true },
	{ "process.name in (\"cmp\", \"tail\")", F_STD, true },
	{ "process.name in (\"CMP\", \"TAIL\")", F_STD, false },
	{ "process.name in~ (\"CMP\", \"TAIL\")", F_STD, true },
	{ "process.name not in (\"cmp\", \"tail\")", F_STD, false },
	{ "process.name not in (\"cmp\", \"xxd\")", F_STD, true },
	{ "process.name not in~ (\"TAIL\")", F_STD, false },
	{ "process.name == \"Tail\"", F_ODD, true },
	{ "process.name == \"tail\"", F_ODD, false },
	{ "process.name : \"tail\"", F_ODD, true },
	{ "process.name in~ (\"tail\")", F_ODD, true },
	/* keywords fold case, optional-field marker, comments */
	{ "process.name == \"tail\" AND process.pid == 1234", F_STD, true },
	{ "process.name LIKE~ \"TAIL\" Or process.pid == 1", F_STD, true },
	{ "process.name IN (\"tail\") and NOT process.name In~ (\"x\")",
	  F_STD, true },
	{ "?process.parent.executable == \"/bin/bash\"", F_STD, true },
	{ "?process.parent.command_line == null", F_STD, true },
	{ "/* c */ process.name == \"tail\" // trailing\n", F_STD, true },

	/* arrays: any element, each predicate on its own */
	{ "process.args == \"-c\"", F_STD, true },
	{ "process.args == \"64\"", F_STD, true },
	{ "process.args == \"tail\"", F_STD, true },
	{ "process.args == \"/boot/vmlinuz-6.1\"", F_STD, true },
	{ "process.args == \"/boot\"", F_STD, false },
	{ "process.args like \"/boot/*\"", F_STD, true },
	{ "process.args like \"-c*\"", F_STD, true },
	{ "process.args == \"-c\" and process.args == \"64\"", F_STD, true },
	{ "process.args == \"-c\" and process.args like \"/boot/*\"", F_STD,
	  true },
	{ "process.args != \"-c\"", F_STD, false },
	{ "process.args != \"-n\"", F_STD, true },
	{ "process.args in (\"-n\", \"64\")", F_STD, true },
	{ "process.args not in (\"-n\", \"64\")", F_STD, false },
	{ "process.args not in (\"-n\", \"-q\")", F_STD, true },
	{ "process.args like \"*vmlinuz*\"", F_STD, true },
	{ "process.args : \"/BOOT/*\"", F_STD, true },
	{ "process.args like \"/BOOT/*\"", F_STD, false },
	{ "process.parent.args == \"-bash\"", F_STD, true },
	{ "process.parent.args like \"/boot/*\"", F_STD, false },

	/* missing fields */
	{ "process.parent.command_line == \"x\"", F_STD, false },
	{ "process.parent.command_line != \"x\"", F_STD, true },
	{ "process.parent.command_line like \"*\"", F_STD, false },
	{ "process.parent.command_line : \"*\"", F_STD, false },
	{ "process.parent.command_line in (\"x\")", F_STD, false },
	{ "process.parent.command_line not in (\"x\")", F_STD, true },
	{ "process.parent.command_line == null", F_STD, true },
	{ "process.parent.command_line != null", F_STD, false },
	{ "process.name == null", F_STD, false },
	{ "process.name != null", F_STD, true },
	{ "process.args != null", F_STD, true },
	{ "process.parent.args like \"/boot/*\"", F_ODD, false },
	{ "process.parent.args not in (\"x\")", F_ODD, true },
	{ "process.parent.args == null", F_ODD, true },
	{ "process.parent.pid == 1", F_ODD, false },
	{ "process.parent.pid != 1", F_ODD, true },
	{ "process.parent.pid < 5", F_ODD, false },
	{ "process.parent.pid >= 5", F_ODD, false },
	{ "process.parent.pid == null", F_ODD, true },
	{ "process.pid != null", F_ODD, true },
	{ "process.args == null", F_EMPTY, true },
	{ "process.args != null", F_EMPTY, false },
	{ "process.args like \"*\"", F_EMPTY, false },
	{ "process.args != \"x\"", F_EMPTY, true },
	{ "host.os.type == \"linux\"", F_EMPTY, false },

	/* escapes and raw strings */
	{ "process.command_line == \"a\\tb\\nc\"", F_ODD, true },
	{ "process.command_line == \"a\\\\tb\\\\nc\"", F_ODD, false },
	{ "process.command_line == \"a\\u{9}b\\u{A}c\"", F_ODD, true },
	{ "process.command_line == \"a\\u{0009}b\\u{00000a}c\"", F_ODD, true },
	{ "process.command_line == \"\"\"a\\tb\\nc\"\"\"", F_ODD, false },
	{ "process.command_line == \"\"\"a\tb\nc\"\"\"", F_ODD, true },
	{ "process.working_directory == \"say \\\"hi\\\"\"", F_ODD, true },
	{ "process.working_directory == \"say \\u{22}hi\\u{22}\"", F_ODD,
	  true },
	{ "process.working_directory == \"\"\"say \"hi\"\"\"\"", F_ODD, true },
	{ "process.working_directory == \"say \\'hi\\'\"", F_ODD, false },
	{ "process.executable == \"/opt/a\\\\b/c\"", F_ODD, true },
	{ "process.executable == \"\"\"/opt/a\\b/c\"\"\"", F_ODD, true },
	{ "process.executable like \"/opt/a\\\\b/*\"", F_ODD, true },
	{ "process.executable like \"\"\"/opt/a\\b*\"\"\"", F_ODD, true },
	{ "process.parent.name == \"\\u{41}\\u{1F600}\"", F_ODD, true },
	{ "process.parent.name == \"A\\u{1f600}\"", F_ODD, true },
	{ "process.parent.name == \"a\\u{1F600}\"", F_ODD, false },
	{ "process.parent.name : \"a\\u{1F600}\"", F_ODD, true },
	{ "process.parent.name like \"A?\"", F_ODD, false }, /* ? is a byte */
	{ "process.parent.name like \"A????\"", F_ODD, true },

	/* wildcards */
	{ "process.args like \"*\"", F_ODD, true },
	{ "process.args == \"\"", F_ODD, true },
	{ "process.args like \"/boot/*\"", F_ODD, true },
	{ "process.args like \"/boot*\"", F_ODD, true },
	{ "process.args like \"/boot?\"", F_ODD, true },
	{ "process.args like \"/boo?\"", F_ODD, true },
	{ "process.args like \"/bo?\"", F_ODD, false },
	{ "process.args like \"a?c\"", F_ODD, true },
	{ "process.args == \"a?c\"", F_ODD, true },
	{ "process.args == \"a*\"", F_ODD, false },
	{ "process.args in (\"a*\", \"/boot*\", \"?\")", F_ODD, false },
	{ "process.args like \"oot/*\"", F_ODD, false },
	{ "process.args like \"*oot\"", F_ODD, true },
	{ "process.args like \"*oo*\"", F_ODD, true },
	{ "process.args like \"*x*\"", F_ODD, false },
	{ "process.args like \"C:\\\\*\"", F_ODD, true },
	{ "process.args like \"C:\\\\\\\\*\"", F_ODD, false },
	{ "process.args like~ \"--bytes\"", F_ODD, true },
	{ "process.args like \"--bytes\"", F_ODD, false },
	{ "process.args : \"\\u{C9}T\\u{C9}\"", F_ODD, false },
	{ "process.args : \"\xC3\x89T*\"", F_ODD, true },
	{ "process.args : \"\xC3\xA9t*\"", F_ODD, false }, /* ASCII only */
	{ "user.id == \"x*y\"", F_ODD, true },
	{ "user.id == \"x?y\"", F_ODD, false },
	{ "user.id like \"x?y\"", F_ODD, true },
	{ "user.id like \"x**y\"", F_ODD, true },
	{ "user.id like \"x*y*\"", F_ODD, true },
	{ "user.id like \"*x*y*z\"", F_ODD, false },
	{ "process.executable like \"/usr*tail\"", F_STD, true },
	{ "process.executable like \"/usr/*/tail\"", F_STD, true },
	{ "process.executable like \"/usr/?/tail\"", F_STD, false },
	{ "process.executable like \"/usr/bin/tail*\"", F_STD, true },
	{ "process.executable like \"*/usr/bin/tail\"", F_STD, true },
	{ "process.parent.executable : \"/boot/*\"", F_ODD, true },
	{ "process.parent.executable like \"/boot/*\"", F_ODD, false },

	/* numbers */
	{ "process.pid == 1234", F_STD, true },
	{ "process.pid != 1234", F_STD, false },
	{ "process.pid != 1", F_STD, true },
	{ "process.pid < 1235", F_STD, true },
	{ "process.pid < 1234", F_STD, false },
	{ "process.pid <= 1234", F_STD, true },
	{ "process.pid <= 1233", F_STD, false },
	{ "process.pid > 1233", F_STD, true },
	{ "process.pid > 1234", F_STD, false },
	{ "process.pid >= 1234", F_STD, true },
	{ "process.pid >= 1235", F_STD, false },
	{ "process.pid in (1, 1234)", F_STD, true },
	{ "process.pid in (1, 2)", F_STD, false },
	{ "process.pid not in (1, 2)", F_STD, true },
	{ "process.args_count <= 3", F_STD, false },
	{ "process.args_count >= 4", F_STD, true },
	{ "process.parent.args_count == 1", F_STD, true },
	{ "process.pid == -5", F_ODD, true },
	{ "process.pid < 0", F_ODD, true },
	{ "process.pid > -6", F_ODD, true },
	{ "process.pid > -5", F_ODD, false },
	{ "process.pid == 9223372036854775807", F_ODD, false },
	{ "process.pid > -9223372036854775808", F_ODD, true },

	/* lists */
	{ "process.name like (\"cmp\", \"ta*\")", F_STD, true },
	{ "process.name like~ (\"CMP\", \"TA*\")", F_STD, true },
	{ "process.name like (\"CMP\", \"TA*\")", F_STD, false },
	{ "process.name : (\"cmp\", \"TA*\")", F_STD, true },
	{ "process.name : (\"cmp\", \"xx*\")", F_STD, false },
	{ "process.args like (\"-n*\", \"/boot/*\")", F_STD, true },
	{ "process.name in (\"tail\",)", F_STD, false }, /* see errors */

	/* precedence: not > and > or */
	{ "process.name == \"tail\" or process.name == \"x\" and "
	  "process.pid == 1", F_STD, true },
	{ "process.name == \"x\" and process.pid == 1 or "
	  "process.name == \"tail\"", F_STD, true },
	{ "not process.name == \"x\" and process.pid == 1", F_STD, false },
	{ "not process.name == \"tail\" or process.pid == 1234", F_STD, true },
	{ "(process.name == \"x\" or process.name == \"tail\") and "
	  "process.pid == 1234", F_STD, true },
	{ "(process.name == \"tail\" or process.name == \"x\") and "
	  "process.pid == 1", F_STD, false },
	{ "not (process.name == \"x\" or process.pid == 1)", F_STD, true },
	{ "((((process.name == \"tail\"))))", F_STD, true },
	{ "not not process.name == \"tail\"", F_STD, true },
	{ "process.name == \"tail\" and not (process.pid == 1 or "
	  "(process.args == \"-c\" and process.args == \"nope\"))", F_STD,
	  true },

	/* strings and arrays are interchangeable */
	{ "event.type == \"info\"", F_ODD, true },
	{ "event.type == \"start\"", F_ODD, true },
	{ "event.type != \"start\"", F_ODD, false },
	{ "event.type like \"st*\"", F_ODD, true },
	{ "event.type in (\"end\", \"info\")", F_ODD, true },
	{ "process.args == \"tail\"", F_STRARGS, true },
	{ "process.args like \"ta*\"", F_STRARGS, true },
	{ "process.args != \"tail\"", F_STRARGS, false },
	{ "process.args == \"x\"", F_STRARGS, false },
	/* a number given for a string field reads as missing */
	{ "process.name == \"7\"", F_STRARGS, false },
	{ "process.name != \"7\"", F_STRARGS, true },
	/* regex: Lucene's syntax, whole value, any element */
	{ "process.name regex \"ta.l\"", F_STD, true },
	{ "process.name regex \"ta\"", F_STD, false },
	{ "process.name regex \"ta.*\"", F_STD, true },
	/* a top-level `|` keeps the anchors: .*q or ai, whole value */
	{ "process.name regex \".*q|ai\"", F_STD, false },
	{ "process.name regex \"ai|.*l\"", F_STD, true },
	{ "process.name regex \"TAIL\"", F_STD, false },
	{ "process.name regex~ \"TAIL\"", F_STD, true },
	{ "process.name regex~ \"[T]AIL\"", F_STD, true },
	/* regex~ folds characters, not ranges (Lucene) */
	{ "process.name regex~ \"[A-Z]ail\"", F_STD, false },
	{ "process.name regex~ \"[a-z]AIL\"", F_STD, true },
	{ "process.name regex \"^tail$\"", F_STD, false },
	{ "process.name regex \"*tail\"", F_STD, false },
	{ "process.name regex \"t*ail\"", F_STD, true },
	{ "process.name regex (\"x\", \"t.il\")", F_STD, true },
	{ "process.args regex \"-[a-z]\"", F_STD, true },
	{ "process.args regex \"/boot/vm.*\"", F_STD, true },
	{ "process.args regex \"[0-9]{2}\"", F_STD, true },
	{ "process.args regex \"[0-9]{3}\"", F_STD, false },
	{ "process.command_line regex \".*[0-9]{2} /boot.*\"", F_STD, true },
	{ "process.command_line regex \"a\\\\sb\\\\sc\"", F_ODD, true },
	{ "process.command_line regex \"a\\\\Sb.c\"", F_ODD, false },
	/* a '"' in a Lucene pattern quotes a literal string */
	{ "process.working_directory regex \"say \\\"hi\\\"\"", F_ODD, false },
	{ "process.working_directory regex \"say \\\\\\\"hi\\\\\\\"\"", F_ODD, true },
	{ "process.working_directory regex \"\\\"say \\\"\\\\\\\"hi\\\\\\\"\"", F_ODD, true },
	/* '.' is one character, not one byte */
	{ "process.parent.name regex \"A.\"", F_ODD, true },
	{ "process.args regex \"\\u{c9}t.\"", F_ODD, true },
	{ "process.executable regex \"@\"", F_STD, true },
	{ "process.executable regex \"#\"", F_STD, false },
	{ "process.executable regex \"/usr/(bin|sbin)/\\\\w+\"", F_STD, true },
	{ "process.executable regex \"/usr/(sbin|lib)/\\\\w+\"", F_STD, false },
	{ "process.executable regex \"/opt/a\\\\\\\\b/c\"", F_ODD, true },
	{ "?process.no_such regex \"x\"", F_STD, false },
	/* string functions */
	{ "startsWith(process.name, \"ta\")", F_STD, true },
	{ "startsWith(process.name, \"TA\")", F_STD, false },
	{ "startsWith~(process.name, \"TA\")", F_STD, true },
	{ "StartsWith(process.name, \"ta\")", F_STD, true },
	{ "endsWith(process.executable, \"/tail\")", F_STD, true },
	{ "endsWith(process.executable, \"/TAIL\")", F_STD, false },
	{ "endsWith~(process.executable, \"/TAIL\")", F_STD, true },
	{ "stringContains(process.command_line, \"/boot/\")", F_STD, true },
	{ "stringContains(process.command_line, \"/BOOT/\")", F_STD, false },
	{ "stringContains~(process.command_line, \"/BOOT/\")", F_STD, true },
	{ "startsWith(process.args, \"/boot/\")", F_STD, true },
	{ "startsWith(process.args, \"/etc/\")", F_STD, false },
	{ "startsWith(process.executable, process.name)", F_STD, false },
	{ "endsWith(process.executable, process.name)", F_STD, true },
	{ "stringContains(process.command_line, process.parent.command_line)", F_STD, false },
	{ "startsWith(process.name, \"ta\") == true", F_STD, true },
	{ "startsWith(process.name, \"ta\") == false", F_STD, false },
	{ "startsWith(process.name, \"ta\") != false", F_STD, true },
	{ "startsWith(?process.no_such, \"x\")", F_STD, false },
	{ "startsWith(process.parent.command_line, \"x\")", F_STD, false },
	{ "length(process.name) == 4", F_STD, true },
	{ "length(process.name) > 4", F_STD, false },
	{ "length(process.name) != 4", F_STD, false },
	/* UTF-16 units: 'A' and an emoji (a surrogate pair) */
	{ "length(process.parent.name) == 3", F_ODD, true },
	/* null in, false out, `!=` included */
	{ "length(process.parent.command_line) > 0", F_STD, false },
	{ "length(process.parent.command_line) != 3", F_STD, false },
	/* optional and absent fields read null */
	{ "?process.name == \"tail\"", F_STD, true },
	{ "?process.entry_leader.no_such == \"x\"", F_STD, false },
	{ "?process.entry_leader.no_such == null", F_STD, true },
	{ "?process.entry_leader.no_such != \"x\"", F_STD, true },
	{ "?process.entry_leader.no_such > 3", F_STD, false },
	{ "process.env_vars == \"LD_PRELOAD=x\"", F_STD, false },
	{ "process.env_vars : \"LD_PRELOAD=*\"", F_STD, false },
	{ "process.env_vars == null", F_STD, true },
	{ "process.parent.code_signature.trusted == true", F_STD, false },
	/* booleans */
	{ "process.args_truncated == true", F_STD, true },
	{ "process.args_truncated == true", F_ODD, false },
	{ "process.args_truncated == false", F_ODD, true },
	{ "process.args_truncated == false", F_EMPTY, false },
	{ "process.args_truncated != true", F_EMPTY, true },
	{ "process.args_truncated in (true, false)", F_ODD, true },
	{ "process.args_truncated not in (false)", F_STD, true },
	{ "process.args_truncated == null", F_EMPTY, true },
};

static struct eql_query *compile_or_fail(const char *text)
{
	char err[256];
	struct eql_query *q = eql_compile(text, strlen(text), err, sizeof(err));

	if (!q)
		fail_msg("compile failed: %s\n  query: %s", err, text);
	return q;
}

static void test_table(void **state)
{
	size_t i, nrun = 0;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct tcase *c = &cases[i];
		struct eql_event ev;
		struct evstore st;
		char text[1024], err[256];
		struct eql_query *q;
		bool got;

		/* the trailing-comma case is a parse error, tested below */
		if (strstr(c->expr, ",)"))
			continue;
		fill(&ev, &st, &fixtures[c->fixture]);
		snprintf(text, sizeof(text), "process where %s", c->expr);
		q = compile_or_fail(text);
		got = eql_eval(q, &ev);
		if (got != c->want)
			fail_msg("case %zu: %s -> %d, want %d", i, text, got,
				 c->want);
		eql_free(q);

		/* `not` over every case is the exact complement, missing
		 * fields included */
		snprintf(text, sizeof(text), "process where not (%s)", c->expr);
		q = eql_compile(text, strlen(text), err, sizeof(err));
		assert_non_null(q);
		if (eql_eval(q, &ev) == c->want)
			fail_msg("case %zu negated: %s", i, text);
		eql_free(q);
		nrun++;
	}
	assert_true(nrun >= 80);
}

/* ---- Kernel Seeking Activity ------------------------------------------- */

/* Verbatim from shared/spec/kernel-seeking-activity.seed.txt. */
static const char ks_v2[] =
	"process where host.os.type == \"linux\" and event.type == \"start\" and event.action == \"exec\" and\n"
	"(process.parent.args like \"/boot/*\" or process.args like \"/boot/*\") and (\n"
	"  (process.name == \"tail\" and (process.args like \"-c*\" or process.args == \"--bytes\")) or\n"
	"  (process.name == \"cmp\" and process.args == \"-i\") or\n"
	"  (process.name in (\"hexdump\", \"xxd\") and process.args == \"-s\") or\n"
	"  (process.name == \"dd\" and process.args like \"seek*\")\n"
	")\n";

/* rule-semantics.md §1, v6: appended to the v2 text. */
static const char ks_v6_tail[] =
	" and process.parent.executable != null and not (process.parent.executable in (\"/usr/lib/needrestart/vmlinuz-get-version\",\"/bin/dracut\",\"/sbin/dracut\",\"/usr/sbin/dracut\") or process.parent.args in (\"/usr/bin/dracut\",\"/usr/lib/needrestart/vmlinuz-get-version\",\"/sbin/dracut\",\"/bin/dracut\",\"/usr/sbin/dracut\",\"/usr/bin/spectre-meltdown-checker\",\"/usr/lib/module-init-tools/lsinitrd-quick\"))";

struct ksvec {
	const char *what;
	const char *name;
	const char *args[MAXARGS];
	const char *pargs[MAXARGS]; /* none: parent unknown */
	const char *pexe;           /* NULL: unknown */
	bool v2, v6;
};

static const struct ksvec ks_vectors[] = {
	/* rule-semantics.md §6, strict, name = basename(exe) */
	{ "tail -c 64", "tail", { "tail", "-c", "64", "/boot/vmlinuz-6.1" },
	  { "-bash" }, "/usr/bin/bash", true, true },
	{ "tail -c+1000", "tail", { "tail", "-c+1000", "/boot/vmlinuz" },
	  { "-bash" }, "/usr/bin/bash", true, true },
	{ "tail --bytes 9", "tail", { "tail", "--bytes", "9", "/boot/x" },
	  { "-bash" }, "/usr/bin/bash", true, true },
	{ "tail --bytes=9", "tail", { "tail", "--bytes=9", "/boot/x" },
	  { "-bash" }, "/usr/bin/bash", false, false },
	{ "tail -n 5", "tail", { "tail", "-n", "5", "/boot/config" },
	  { "-bash" }, "/usr/bin/bash", false, false },
	{ "cmp -i", "cmp", { "cmp", "-i", "100", "/boot/a", "/tmp/b" },
	  { "-bash" }, "/usr/bin/bash", true, true },
	{ "cmp --ignore-initial", "cmp",
	  { "cmp", "--ignore-initial=100", "/boot/a", "/tmp/b" },
	  { "-bash" }, "/usr/bin/bash", false, false },
	{ "xxd -s 0x200", "xxd", { "xxd", "-s", "0x200", "/boot/vmlinuz" },
	  { "-bash" }, "/usr/bin/bash", true, true },
	{ "xxd -s0x200", "xxd", { "xxd", "-s0x200", "/boot/vmlinuz" },
	  { "-bash" }, "/usr/bin/bash", false, false },
	{ "hexdump -C -s 512", "hexdump",
	  { "hexdump", "-C", "-s", "512", "/boot/initrd.img" },
	  { "-bash" }, "/usr/bin/bash", true, true },
	{ "dd seek, parent -bash", "dd",
	  { "dd", "if=/boot/vmlinuz", "of=/tmp/k", "seek=1" },
	  { "-bash" }, "/usr/bin/bash", false, false },
	{ "dd seek, parent needrestart", "dd",
	  { "dd", "if=/boot/vmlinuz", "of=/tmp/k", "seek=1" },
	  { "/bin/sh", "/usr/lib/needrestart/vmlinuz-get-version",
	    "/boot/vmlinuz-6.1" }, "/usr/bin/dash", true, false },
	{ "tail via parent script", "tail", { "tail", "-c+5", "/tmp/x" },
	  { "/bin/sh", "/opt/s.sh", "/boot/vmlinuz" }, "/usr/bin/dash",
	  true, true },
	{ "cd /boot; xxd", "xxd", { "xxd", "-s", "16", "vmlinuz" },
	  { "-bash" }, "/usr/bin/bash", false, false },
	{ "/BOOT", "tail", { "tail", "-c", "5", "/BOOT/x" },
	  { "-bash" }, "/usr/bin/bash", false, false },
	{ "//boot", "tail", { "tail", "-c", "5", "//boot/x" },
	  { "-bash" }, "/usr/bin/bash", false, false },
	{ "busybox tail", "busybox",
	  { "busybox", "tail", "-c", "5", "/boot/x" },
	  { "-bash" }, "/usr/bin/bash", false, false },
	{ "exec -a /boot/z xxd", "xxd", { "/boot/z", "-s", "1", "/etc/hosts" },
	  { "-bash" }, "/usr/bin/bash", true, true },
	{ "hex-decoded arg with space", "tail",
	  { "tail", "-c", "1", "/boot/my kernel" },
	  { "-bash" }, "/usr/bin/bash", true, true },
	/* v6 exclusions */
	{ "dracut parent by args", "tail", { "tail", "-c+5", "/tmp/x" },
	  { "/bin/bash", "/usr/bin/dracut", "--kver", "6.1",
	    "/boot/initrd.img-6.1" }, "/usr/bin/bash", true, false },
	{ "dracut parent by exe", "cmp", { "cmp", "-i", "9", "/tmp/a" },
	  { "/usr/sbin/dracut", "-f", "/boot/initramfs.img" },
	  "/usr/sbin/dracut", true, false },
	{ "spectre-meltdown-checker parent", "dd",
	  { "dd", "seek=3", "of=/tmp/o" },
	  { "/bin/sh", "/usr/bin/spectre-meltdown-checker",
	    "/boot/vmlinuz" }, "/usr/bin/dash", true, false },
	/* unknown parent: v6's `!= null` makes it false */
	{ "unknown parent", "tail", { "tail", "-c", "64", "/boot/vmlinuz" },
	  { NULL }, NULL, true, false },
	/* parent exe known, parent args not: exclusions cannot fire */
	{ "parent args unknown", "tail", { "tail", "-c", "64", "/boot/vmlinuz" },
	  { NULL }, "/usr/bin/bash", true, true },
};

static void fill_ks(struct eql_event *ev, struct evstore *st,
		    const struct ksvec *v)
{
	struct tev t;

	memset(&t, 0, sizeof(t));
	t.os = "linux";
	t.etype = "start";
	t.action = "exec";
	t.name = v->name;
	memcpy(t.args, v->args, sizeof(t.args));
	memcpy(t.pargs, v->pargs, sizeof(t.pargs));
	t.pexe = v->pexe;
	fill(ev, st, &t);
}

static void test_kernel_seeking_v2(void **state)
{
	struct eql_query *q;
	size_t i;

	(void)state;
	/* The verbatim text is also what rule.c publishes. */
	assert_string_equal(ks_v2, rule_kernel_seeking_v2_query);
	q = compile_or_fail(ks_v2);
	for (i = 0; i < ARRAY_SIZE(ks_vectors); i++) {
		const struct ksvec *v = &ks_vectors[i];
		struct eql_event ev;
		struct evstore st;
		struct rule_input in;
		bool got;

		fill_ks(&ev, &st, v);
		got = eql_eval(q, &ev);
		if (got != v->v2)
			fail_msg("v2 %s: got %d want %d", v->what, got, v->v2);
		/* and the hand-written rule agrees */
		in.name = v->name;
		in.name_len = strlen(v->name);
		in.args = ev.f[fld("process.args")].arr;
		in.parent_args = ev.f[fld("process.parent.args")].arr;
		assert_int_equal(rule_kernel_seeking_v2(&in), v->v2);
	}
	for (i = 0; i < EQL_FIELDS_MAX; i++) {
		bool want = i == fld("host.os.type") || i == fld("event.type") ||
			    i == fld("event.action") || i == fld("process.name") ||
			    i == fld("process.args") || i == fld("process.parent.args");

		assert_int_equal(eql_query_uses(q, (unsigned)i), want);
	}
	eql_free(q);
}

static void test_kernel_seeking_v6(void **state)
{
	char text[2048];
	struct eql_query *q;
	size_t i;

	(void)state;
	snprintf(text, sizeof(text), "%.*s%s", (int)strlen(ks_v2) - 1, ks_v2,
		 ks_v6_tail);
	q = compile_or_fail(text);
	assert_true(eql_query_uses(q, fld("process.parent.executable")));
	for (i = 0; i < ARRAY_SIZE(ks_vectors); i++) {
		const struct ksvec *v = &ks_vectors[i];
		struct eql_event ev;
		struct evstore st;

		fill_ks(&ev, &st, v);
		if (eql_eval(q, &ev) != v->v6)
			fail_msg("v6 %s: want %d", v->what, v->v6);
	}
	eql_free(q);
}

/* Local exceptions: q and not (exception), several, and failure atomicity. */
static void test_exceptions(void **state)
{
	struct eql_query *q;
	char err[256];
	struct eql_event ev;
	struct evstore st;
	const struct ksvec *needrestart = &ks_vectors[11];
	const struct ksvec *plain = &ks_vectors[0];
	int i;

	(void)state;
	q = compile_or_fail(ks_v2);
	assert_false(eql_query_uses(q, fld("process.parent.executable")));
	assert_false(eql_query_uses(q, fld("user.id")));

	/* A bad exception leaves q unchanged. */
	assert_int_equal(eql_add_exception(q, "process.parent.titl == \"x\"",
					   26, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown field 'process.parent.titl'"));
	assert_non_null(strstr(err, "line 1, column 1"));
	assert_int_equal(eql_add_exception(q, "process where user.id == \"0\"",
					   27, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "process"));
	assert_false(eql_query_uses(q, fld("user.id")));
	fill_ks(&ev, &st, needrestart);
	assert_true(eql_eval(q, &ev));

	assert_int_equal(eql_add_exception(q,
		"process.parent.args == \"/usr/lib/needrestart/vmlinuz-get-version\"",
		strlen("process.parent.args == \"/usr/lib/needrestart/vmlinuz-get-version\""),
		err, sizeof(err)), 0);
	assert_false(eql_eval(q, &ev));
	fill_ks(&ev, &st, plain);
	assert_true(eql_eval(q, &ev));

	/* Many exceptions keep the tree flat; a matching one wins. */
	for (i = 0; i < 200; i++) {
		char x[128];

		snprintf(x, sizeof(x), "user.id == \"%d\" and process.pid > 0",
			 1000 + i);
		assert_int_equal(eql_add_exception(q, x, strlen(x), err,
						   sizeof(err)), 0);
	}
	assert_true(eql_query_uses(q, fld("user.id")));
	assert_true(eql_query_uses(q, fld("process.pid")));
	assert_true(eql_eval(q, &ev)); /* user.id missing: not excluded */
	ev.f[fld("user.id")].kind = EQL_STRING;
	ev.f[fld("user.id")].s = "1199";
	ev.f[fld("user.id")].n = 4;
	ev.f[fld("process.pid")].kind = EQL_NUMBER;
	ev.f[fld("process.pid")].num = 42;
	assert_false(eql_eval(q, &ev));
	ev.f[fld("user.id")].s = "1200";
	assert_true(eql_eval(q, &ev));
	eql_free(q);

	/* Exception on a query whose root is an OR. */
	q = compile_or_fail("process where process.name == \"a\" or "
			    "process.name == \"b\"");
	assert_int_equal(eql_add_exception(q, "process.name : \"B\"", 18, err,
					   sizeof(err)), 0);
	memset(&ev, 0, sizeof(ev));
	ev.f[fld("process.name")].kind = EQL_STRING;
	ev.f[fld("process.name")].s = "a";
	ev.f[fld("process.name")].n = 1;
	assert_true(eql_eval(q, &ev));
	ev.f[fld("process.name")].s = "b";
	assert_false(eql_eval(q, &ev));
	assert_int_equal(eql_add_exception(q, "", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(eql_add_exception(NULL, "x", 1, err, sizeof(err)), -1);
	eql_free(q);
}

/* Every row of the ECS table is a field queries can name, except the
 * lists of objects (their members' arrays are rows of their own); nothing
 * else is (without `?`). */
static void test_field_names(void **state)
{
	char text[128], err[256];
	struct eql_query *q;
	unsigned i;

	(void)state;
	for (i = 0; i < ecs_nfields; i++) {
		const char *n = ecs_fields[i].name;

		snprintf(text, sizeof(text), "process where %s == null", n);
		q = eql_compile(text, strlen(text), err, sizeof(err));
		if (ecs_fields[i].type == EQL_T_OBJECTS) {
			assert_null(q);
			assert_non_null(strstr(err, "list of objects"));
			continue;
		}
		if (!q)
			fail_msg("%s: %s", n, err);
		assert_true(eql_query_uses(q, i));
		assert_int_equal(ecs_field_find(n, strlen(n)), (int)i);
		eql_free(q);
	}
	assert_int_equal(ecs_field_find("process.parent", 14), -1);
	assert_int_equal(ecs_field_find("Process.name", 12), -1);
	assert_int_equal(ecs_field_find("process.name", 11), -1);
	assert_false(eql_query_uses(NULL, fld("user.id")));
	q = compile_or_fail("process where user.id == \"0\"");
	assert_false(eql_query_uses(q, EQL_FIELDS_MAX));
	eql_free(q);
	assert_false(eql_eval(NULL, NULL));
}

/* ---- parser errors ----------------------------------------------------- */

struct ecase {
	const char *text;
	const char *want1, *want2; /* substrings of the message */
};

static const struct ecase errors[] = {
	/* a token quoted in a message is escaped as every diagnostic is */
	{ "process where process.name == \"x\" \"\x1b[2J\\\\\"", "column 35",
	  "unexpected '\"\\x1b[2J\\\\\\\\\"'" },
	{ "process where process.title == \"x\"", "line 1, column 15",
	  "unknown field 'process.title'" },
	{ "process where process.name == \"x\" and\n  process.titl == \"y\"",
	  "line 2, column 3", "unknown field 'process.titl'" },
	{ "PROCESS WHERE Process.Name == \"x\"", "column 15",
	  "unknown field 'Process.Name'" },
	{ "sequence [process where true]", "line 1, column 1",
	  "unsupported construct 'sequence'" },
	{ "sample by host.id [process where true]", "column 1",
	  "unsupported construct 'sample'" },
	{ "process where process.name == \"x\" | head 1", "column 35",
	  "pipe '|'" },
	{ "process where cidrMatch(process.name, \"x\")", "column 15",
	  "function call 'cidrMatch()'" },
	{ "process where length(process.args) > 3", "column 22",
	  "length() of the array field 'process.args'" },
	{ "process where length~(process.name) > 3", "column 15",
	  "no '~' form" },
	{ "process where length(process.name) like \"3\"", "column 36",
	  "a comparison after length()" },
	{ "process where startsWith(process.pid, \"x\")", "column 26",
	  "'process.pid' is not a string field" },
	{ "process where startsWith(process.name, 3)", "column 40",
	  "second argument must be a string" },
	{ "process where endsWith(process.name, process.args)", "column 38",
	  "'process.args' as a function's second argument" },
	{ "process where stringContains(process.name \"x\")", "column 43",
	  "expected ',' and a second argument" },
	{ "process where process.name regex \"a~b\"", "column 34",
	  "complement '~' cannot be translated" },
	{ "process where process.name regex \"a&b\"", "column 34",
	  "intersection '&' cannot be translated" },
	{ "process where process.name regex \"<1-5>\"", "column 34",
	  "'<...>'" },
	{ "process where process.name regex \"\\\\q\"", "column 34",
	  "invalid character class \\q" },
	{ "process where process.name regex~ \"[^\\\\S]\"", "column 35",
	  "negated class holding \\S" },
	{ "process where process.name regex \"a{1001}\"", "column 34",
	  "repeat bound over 1000" },
	{ "process where process.name regex \"(a\"", "column 34",
	  "expected ')'" },
	{ "process where process.name regex \"[z-a]\"", "column 34",
	  "invalid range" },
	{ "process where process.pid regex \"1\"", "type mismatch",
	  "'regex' is a string operator" },
	{ "process where process.name regex 1", "column 34",
	  "needs a string pattern" },
	{ "process where process.args_truncated == \"x\"", "column 41",
	  "boolean field but the value is a string" },
	{ "process where process.args_truncated like \"x\"", "column 38",
	  "cannot compare the boolean field" },
	{ "process where process.name == true", "column 31",
	  "string field but the value is a boolean" },
	{ "process where process.pid < true", "column 29",
	  "needs a number" },
	{ "process where wildcard(process.name, \"x*\")", "column 15",
	  "function call 'wildcard()'" },
	{ "process where process.name == process.parent.name", "column 31",
	  "comparing field 'process.name' with field 'process.parent.name'" },
	{ "process where process.name : 5", "column 30",
	  "':' with a number" },
	{ "process where process.pid : 5", "type mismatch", "number field" },
	{ "process where process.pid == \"5\"", "column 30",
	  "type mismatch: 'process.pid' is a number field" },
	{ "process where process.name == 5", "column 31",
	  "type mismatch: 'process.name' is a string field" },
	{ "process where process.pid like \"5*\"", "type mismatch",
	  "'like'" },
	{ "process where process.args like 5", "type mismatch", "'like'" },
	{ "process where process.name < \"x\"", "type mismatch",
	  "needs a number field" },
	{ "process where process.name == \"abc", "column 31",
	  "unterminated string" },
	{ "process where process.name == \"a\nb\"", "column 31",
	  "unterminated string" },
	{ "process where process.name == \"a\\qb\"", "column 33",
	  "bad escape '\\q'" },
	{ "process where process.name == \"\\u{110000}\"", "column 32",
	  "not a valid Unicode code point" },
	{ "process where process.name == \"\\u{D800}\"", "column 32",
	  "not a valid Unicode" },
	{ "process where process.name == \"\\u{}\"", "column 32",
	  "1 to 8 hex digits" },
	{ "process where process.name == \"\\u{123456789}\"", "column 32",
	  "1 to 8 hex digits" },
	{ "process where process.name == \"\\u0041\"", "column 32",
	  "expected '{'" },
	{ "process where process.name == \"\\u{41\"", "column 32",
	  "1 to 8 hex digits" },
	{ "process where process.name == \"\"\"abc", "column 31",
	  "unterminated raw string" },
	{ "process where process.name == 'x'", "column 31",
	  "single-quoted strings" },
	{ "process where process.name == \"x\" garbage", "column 35",
	  "unexpected 'garbage'" },
	{ "process where process.name == \"x\")", "column 34",
	  "unexpected ')'" },
	{ "process where process.name in ()", "column 31", "empty list" },
	{ "process where process.name like ()", "column 33", "empty list" },
	{ "process where process.name : ()", "column 30", "empty list" },
	{ "process where process.name in (\"tail\",)", "column 39",
	  "expected a value" },
	{ "file where file.path == \"x\"", "column 1",
	  "unsupported event category 'file'" },
	{ "any where process.name == \"x\"", "column 1",
	  "unsupported event category 'any'" },
	{ "process process.name == \"x\"", "column 9", "expected 'where'" },
	{ "process where (process.name == \"x\"", "column 35",
	  "expected ')' to close '(' at line 1, column 15" },
	{ "process where process.name = \"x\"", "column 28", "use '=='" },
	{ "process where process.name in (\"a\" \"b\")", "column 36",
	  "expected ',' or ')'" },
	{ "process where process.name in (null)", "column 32",
	  "null is only allowed with '==' and '!='" },
	{ "process where process.name like null", "column 33",
	  "null is only allowed" },
	{ "process where process.name", "column 27",
	  "expected an operator after 'process.name'" },
	{ "process where", "column 14", "expected a field name" },
	{ "process where process.name == \"x\" and", "column 38",
	  "expected a field name" },
	{ "", "line 1, column 1", "empty query" },
	{ "process where process.pid == 1.5", "column 30",
	  "only integer numbers" },
	{ "process where process.pid == 9223372036854775808", "column 30",
	  "out of range" },
	{ "process where process.pid == 99999999999999999999999", "column 30",
	  "out of range" },
	{ "process where process.name not like \"x\"", "column 32",
	  "expected 'in' after 'not'" },
	{ "process where true", "column 15",
	  "boolean literal 'true' as a condition" },
	{ "process where process.name == (\"x\")", "column 31",
	  "takes a single value" },
	{ "process where process.name in \"x\"", "column 31",
	  "'(' and a list" },
	{ "process where /* unterminated", "column 15",
	  "unterminated comment" },
	{ "process where \"x\" == process.name", "column 15",
	  "must start with a field name" },
	{ "process where process.name == \"x\" by process.pid", "column 35",
	  "unsupported construct 'by'" },
	{ "process where process.name == \"x\" and not", "column 42",
	  "expected a field name" },
	{ "process where process.name == \"x\" && process.pid == 1",
	  "column 35", "unexpected character '&'" },
	{ "process where process.name ! = \"x\"", "column 28",
	  "unexpected '!'" },
	{ "process where process.name == `x`", "column 31", "backquoted" },
	{ "process where process.name :: \"x\"", "column 29",
	  "expected a value" },
};

static void check_error(const char *text, size_t len, const char *w1,
			const char *w2)
{
	char err[256];
	struct eql_query *q;

	memset(err, 'X', sizeof(err));
	q = eql_compile(text, len, err, sizeof(err));
	if (q) {
		eql_free(q);
		fail_msg("compiled but should not: %.*s", (int)len, text);
	}
	if ((w1 && !strstr(err, w1)) || (w2 && !strstr(err, w2)))
		fail_msg("query: %.*s\n  message: %s\n  wanted: '%s' and '%s'",
			 (int)(len > 200 ? 200 : len), text, err, w1 ? w1 : "",
			 w2 ? w2 : "");
}

static void test_parse_errors(void **state)
{
	size_t i, bad = 0;

	(void)state;
	assert_true(ARRAY_SIZE(errors) >= 25);
	/* Report every mismatch, not just the first. */
	for (i = 0; i < ARRAY_SIZE(errors); i++) {
		const struct ecase *e = &errors[i];
		char err[256];
		struct eql_query *q;

		q = eql_compile(e->text, strlen(e->text), err, sizeof(err));
		if (q) {
			eql_free(q);
			print_error("compiled but should not: %s\n", e->text);
			bad++;
		} else if (!strstr(err, e->want1) ||
			   (e->want2 && !strstr(err, e->want2))) {
			print_error("query: %s\n  message: %s\n  wanted: "
				    "'%s' and '%s'\n", e->text, err, e->want1,
				    e->want2 ? e->want2 : "");
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

static void test_limits(void **state)
{
	char *big, err[256], *text;
	size_t i, n;
	struct eql_query *q;

	(void)state;
	/* 64 levels of parentheses are fine, 65 are not. */
	text = malloc(4096);
	if (!text)
		abort();
	n = (size_t)sprintf(text, "process where ");
	for (i = 0; i < 64; i++)
		text[n++] = '(';
	n += (size_t)sprintf(text + n, "process.pid == 1");
	for (i = 0; i < 64; i++)
		text[n++] = ')';
	q = eql_compile(text, n, err, sizeof(err));
	assert_non_null(q);
	eql_free(q);
	n = (size_t)sprintf(text, "process where ");
	for (i = 0; i < 65; i++)
		text[n++] = '(';
	n += (size_t)sprintf(text + n, "process.pid == 1");
	for (i = 0; i < 65; i++)
		text[n++] = ')';
	check_error(text, n, "column 79", "nesting deeper than 64");
	/* `not` counts as nesting too */
	n = (size_t)sprintf(text, "process where ");
	for (i = 0; i < 65; i++)
		n += (size_t)sprintf(text + n, "not ");
	n += (size_t)sprintf(text + n, "process.pid == 1");
	check_error(text, n, "line 1", "nesting deeper than 64");
	free(text);

	/* 64 KiB is the limit on the query text. */
	big = malloc(70000);
	if (!big)
		abort();
	n = (size_t)sprintf(big, "process where process.name == \"");
	memset(big + n, 'a', 70000 - n);
	memcpy(big + 65536 - 1, "\"", 1);
	q = eql_compile(big, 65536, err, sizeof(err));
	assert_non_null(q);
	eql_free(q);
	check_error(big, 65537, "query too long", "65536");

	/* A long flat conjunction is no deeper than its parts. */
	n = (size_t)sprintf(big, "process where process.pid > 0");
	for (i = 0; i < 2000; i++)
		n += (size_t)sprintf(big + n, " and process.pid != %zu", i + 7);
	q = eql_compile(big, n, err, sizeof(err));
	assert_non_null(q);
	{
		struct eql_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.f[fld("process.pid")].kind = EQL_NUMBER;
		ev.f[fld("process.pid")].num = 5;
		assert_true(eql_eval(q, &ev));
		ev.f[fld("process.pid")].num = 2006;
		assert_false(eql_eval(q, &ev));
	}
	eql_free(q);
	free(big);

	/* NUL inside the text, tiny and absent error buffers. */
	check_error("process where process.name == \"a\0\"", 34,
		    "line 1, column 33", "NUL");
	q = eql_compile("bogus", 5, err, 8);
	assert_null(q);
	assert_true(strlen(err) < 8);
	q = eql_compile("bogus", 5, NULL, 0);
	assert_null(q);
	q = eql_compile(NULL, 0, err, sizeof(err));
	assert_null(q);
	assert_non_null(strstr(err, "empty query"));
}

/* Found by fuzz_eql: a query whose first string literal is "" added it to
 * a pool that was never allocated (NULL + 0, undefined behaviour that
 * UBSan builds abort on). */
static void test_empty_first_literal(void **state)
{
	static const char q[] = "process where process.name == \"\"";
	struct eql_event ev;
	struct eql_query *c;
	char err[256];

	(void)state;
	c = eql_compile(q, sizeof(q) - 1, err, sizeof(err));
	assert_non_null(c);
	memset(&ev, 0, sizeof(ev));
	ev.f[fld("process.name")].kind = EQL_STRING;
	ev.f[fld("process.name")].s = "tail";
	ev.f[fld("process.name")].n = 4;
	assert_false(eql_eval(c, &ev));
	eql_free(c);
}


/* What a query needs, decided before any event. */
static void test_never(void **state)
{
	static const struct {
		const char *q;
		bool never;
		const char *why;
	} c[] = {
		{ "process where event.type == \"start\" and process.name == \"x\"", false, NULL },
		{ "process where event.type == \"change\" and process.name == \"x\"", true,
		  "needs event.type other than \"start\"" },
		{ "process where event.action in (\"fork\", \"clone\")", true,
		  "needs event.action other than \"exec\"" },
		{ "process where host.os.type == \"windows\" or process.env_vars : \"X=*\"", true,
		  "needs process.env_vars (audit records do not carry the environment)" },
		{ "process where process.name == \"x\" and ?process.entry_leader.x == \"y\"", true,
		  "needs process.entry_leader.x (a field this program does not know)" },
		{ "process where process.name == \"x\" and not ?process.entry_leader.x == \"y\"", false, NULL },
		{ "process where process.name == \"x\" or process.env_vars : \"X=*\"", false, NULL },
		{ "process where not event.type == \"start\"", true,
		  "needs event.type other than \"start\"" },
		{ "process where startsWith(process.env_vars, \"X\")", true, "process.env_vars" },
	};
	char buf[1024];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		struct eql_query *q = compile_or_fail(c[i].q);
		bool never = eql_query_never(q, buf, sizeof(buf));

		if (never != c[i].never || (c[i].why && !strstr(buf, c[i].why)))
			fail_msg("%s: never=%d (%s)", c[i].q, never, buf);
		eql_free(q);
	}
	{
		struct eql_query *q = compile_or_fail(
			"process where process.name == \"x\" or ?process.env_vars == \"a\" or container.id == \"c\"");

		assert_int_equal(eql_query_absent(q, buf, sizeof(buf)), 2);
		assert_non_null(strstr(buf, "container.id (audit records carry no container context)"));
		eql_free(q);
	}
}

/* A 128 KiB argument an attacker shaped against backtracking: each regex
 * test stays within its limit, hits are counted, and the verdict is a
 * plain no-match. */
static void test_regex_hostile(void **state)
{
	static const char *const pats[] = {
		"(a|aa)*[^a]", "(a*)*[^a]", ".*a.*a.*a.*a.*a.*[^a]",
		".*[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}:x.*",
	};
	const size_t n = 128 * 1024;
	char *arg = malloc(n + 1), text[256];
	struct eql_regex_counters before, after;
	struct eql_event ev;
	struct evstore st;
	struct tev t = fixtures[F_STD];

	(void)state;
	assert_non_null(arg);
	memset(&t.args, 0, sizeof(t.args));
	t.args[0] = arg;
	for (size_t p = 0; p < ARRAY_SIZE(pats); p++) {
		struct eql_query *q;

		/* "aaaa..." for the first three, "1.1.1.1.1..." for the last */
		for (size_t i = 0; i < n; i++)
			arg[i] = p < 3 ? 'a' : (i % 2 ? '.' : '1');
		arg[n] = '\0';
		fill(&ev, &st, &t);
		snprintf(text, sizeof(text), "process where process.args regex \"%s\"", pats[p]);
		q = compile_or_fail(text);
		eql_regex_counters(&before);
		eql_regex_begin_exec();
		assert_false(eql_eval(q, &ev));
		eql_regex_counters(&after);
		if (p < 3)
			assert_true(after.limit_hits > before.limit_hits);
		eql_free(q);
	}
	/* After EQL_REGEX_MAX_LIMIT_HITS hits in one exec, later regex
	 * tests of that exec are not run at all. */
	{
		struct eql_query *q = compile_or_fail(
			"process where process.args regex \"(a|aa)*[^a]\" or process.args regex \"(a*)*[^a]\" or "
			"process.args regex \"(a|a)*[^a]\" or process.args regex \"(aa|a)*[^a]\" or process.args regex \"a*[^a]\"");

		memset(arg, 'a', n);
		fill(&ev, &st, &t);
		eql_regex_counters(&before);
		eql_regex_begin_exec();
		assert_false(eql_eval(q, &ev));
		eql_regex_counters(&after);
		assert_int_equal(after.limit_hits - before.limit_hits, EQL_REGEX_MAX_LIMIT_HITS);
		assert_int_equal(after.skipped - before.skipped, 1);
		eql_free(q);
	}
	free(arg);
}

/* A value that is not UTF-8 is matched with each bad byte read as U+FFFD:
 * `.` still steps over it, so a stray byte cannot hide a match. */
static void test_regex_invalid_utf8(void **state)
{
	struct eql_event ev;
	struct evstore st;
	struct tev t = fixtures[F_STD];
	struct eql_query *q;

	(void)state;
	t.cmdline = "curl \xff 10.1.2.3 \xc3";
	fill(&ev, &st, &t);
	q = compile_or_fail("process where process.command_line regex \".*[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}.*\"");
	eql_regex_begin_exec();
	assert_true(eql_eval(q, &ev));
	eql_free(q);
	q = compile_or_fail("process where process.command_line regex \"curl . 10.1.2.3 .\"");
	assert_true(eql_eval(q, &ev));
	eql_free(q);
	q = compile_or_fail("process where length(process.command_line) == 17");
	assert_true(eql_eval(q, &ev));
	eql_free(q);
}

/* The text a regex's every match holds (eql_regex_lits), which the rule
 * set's gates rely on: the runs it starts and ends with and its longest,
 * and the characters of a class it starts or ends with. */
static void test_regex_lits(void **state)
{
	static const struct {
		const char *pat;
		bool icase;
		const char *prefix, *suffix, *inner, *pset, *sset;
	} c[] = {
		{ "abc", false, "abc", "abc", "abc", "", "" },
		{ "abc.*", false, "abc", "", "abc", "", "" },
		{ ".*abc", false, "", "abc", "abc", "", "" },
		{ ".*ab[0-9]cdef.*", false, "", "", "cdef", "", "" },
		{ "AbC.*x", true, "abc", "x", "abc", "", "" },
		{ "ab?c", false, "a", "c", "a", "", "" },
		{ "ab*", false, "a", "", "a", "", "" },
		{ "a{2}b", false, "", "b", "b", "", "" },
		{ "a\\.b", false, "a.b", "a.b", "a.b", "", "" },
		{ "\"x.y\"z", false, "x.yz", "x.yz", "x.yz", "", "" },
		{ "\"xy\"+z", false, "", "z", "z", "", "" },
		{ "a|b", false, "", "", "", "", "" },
		{ "(a|b)c", false, "", "c", "c", "", "" },
		{ "a(b|c)d", false, "a", "d", "a", "", "" },
		{ "\\d+x", false, "", "x", "x", "", "" },
		{ "/var/run/\\w+\\.(pid|lock)", true, "/var/run/", "", "/var/run/", "", "" },
		{ "caf\xc3\xa9", false, "caf", "", "caf", "", "" },
		{ "@x", false, "", "x", "x", "", "" },
		{ "", false, "", "", "", "", "" },
		/* a class first or last */
		{ "/[a-z0-9\\s_\\-\\\\./]+\\s", true, "/", "", "/", "", "\t\n\r " },
		{ "[abc]x[0-9]", false, "", "", "x", "abc", "0123456789" },
		{ "[AB]x", true, "", "x", "x", "ab", "" },
		{ "[AB]x", false, "", "x", "x", "AB", "" },
		{ "\\sfoo", false, "", "foo", "foo", "\t\n\r ", "" },
		{ "[^a]x", false, "", "x", "x", "", "" },
		{ "[A-Z]x", false, "", "x", "x", "", "" },
		{ "[ab]+x", false, "", "x", "x", "", "" },
		{ "x(a[bc])", false, "x", "", "x", "", "" },
		{ "x(\\s)", false, "x", "", "x", "", "" },
		{ "[a\\D]x", false, "", "x", "x", "", "" },
		{ "a|[bc]", false, "", "", "", "", "" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		char err[256];
		struct eql_regex *re = eql_regex_compile(c[i].pat, strlen(c[i].pat),
							 c[i].icase, err, sizeof(err));
		const struct eql_regex_lits *l;

		if (!re)
			fail_msg("%s: %s", c[i].pat, err);
		l = eql_regex_lits(re);
		if (l->nprefix != strlen(c[i].prefix) ||
		    memcmp(l->prefix, c[i].prefix, l->nprefix) != 0 ||
		    l->nsuffix != strlen(c[i].suffix) ||
		    memcmp(l->suffix, c[i].suffix, l->nsuffix) != 0 ||
		    l->ninner != strlen(c[i].inner) ||
		    memcmp(l->inner, c[i].inner, l->ninner) != 0 ||
		    l->nprefix_set != strlen(c[i].pset) ||
		    memcmp(l->prefix_set, c[i].pset, l->nprefix_set) != 0 ||
		    l->nsuffix_set != strlen(c[i].sset) ||
		    memcmp(l->suffix_set, c[i].sset, l->nsuffix_set) != 0)
			fail_msg("%s: prefix '%.*s' suffix '%.*s' inner '%.*s' sets %u %u",
				 c[i].pat, l->nprefix, l->prefix, l->nsuffix,
				 l->suffix, l->ninner, l->inner, l->nprefix_set,
				 l->nsuffix_set);
		eql_regex_free(re);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_kernel_seeking_v2),
		cmocka_unit_test(test_kernel_seeking_v6),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_field_names),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_empty_first_literal),
		cmocka_unit_test(test_never),
		cmocka_unit_test(test_regex_hostile),
		cmocka_unit_test(test_regex_invalid_utf8),
		cmocka_unit_test(test_regex_lits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
