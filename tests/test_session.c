/*
 * test_session.c - the session table: the recorded login sequences (pids,
 * sessions and order of issue 12's samples) give their entry leader and
 * type; forged, broken and reused records never give a wrong one; the
 * table stays within its entries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "session.h"

static struct argv no_args;

/* A LOGIN record: pid set its loginuid to auid, opening ses, at t ms. */
static struct login_event login(pid_t pid, uint32_t auid, uint32_t ses,
				long t)
{
	struct login_event le;

	memset(&le, 0, sizeof(le));
	le.type = LOGIN_SET;
	le.sec = 1795943396 + t / 1000;
	le.msec = (unsigned)(t % 1000);
	le.node = "";
	le.pid = pid;
	le.uid = 0;
	le.auid = auid;
	le.ses = ses;
	le.old_auid = le.old_ses = EXEC_ID_UNSET;
	strcpy(le.tty, "(none)");
	le.success = true;
	return le;
}

/* A PAM record of `type` sent by pid in ses, from exe. */
static struct login_event pam(enum login_type type, pid_t pid, uint32_t auid,
			      uint32_t ses, const char *exe, const char *addr,
			      const char *terminal, long t)
{
	struct login_event le = login(pid, auid, ses, t);

	le.type = type;
	le.tty[0] = '\0';
	le.old_auid = le.old_ses = EXEC_ID_UNSET;
	le.pam_op = true;
	strcpy(le.exe, exe);
	strcpy(le.addr, addr);
	strcpy(le.terminal, terminal);
	return le;
}

static struct exec_event ev;

/* An exec of pid in ses, image exe, at t ms. */
static const struct exec_event *exec_(pid_t pid, uint32_t auid,
				      uint32_t euid, uint32_t ses,
				      const char *exe, long t)
{
	memset(&ev, 0, sizeof(ev));
	ev.sec = 1795943396 + t / 1000;
	ev.msec = (unsigned)(t % 1000);
	ev.pid = pid;
	ev.ppid = 1;
	ev.uid = ev.euid = euid;
	ev.auid = auid;
	ev.ses = ses;
	strcpy(ev.exe, exe);
	if (euid == 1001) {
		strcpy(ev.euid_name, "ks12a");
		strcpy(ev.uid_name, "ks12a");
	}
	exec_event_set_name(&ev);
	ev.argv = &no_args;
	return &ev;
}

static struct session_view view(struct session_table *t, uint32_t node,
				const struct exec_event *e)
{
	struct session_view v;

	session_exec(t, node, e, &v);
	return v;
}

static void assert_leader(const struct session_view *v, enum entry_type type,
			  pid_t pid, const char *exe)
{
	assert_int_equal(v->type, type);
	assert_int_equal(v->pid, pid);
	if (exe) {
		assert_non_null(v->exe);
		assert_string_equal(v->exe, exe);
		assert_string_equal(v->name, strrchr(exe, '/') + 1);
	} else {
		assert_null(v->exe);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_null(entry_type_name(ENTRY_NONE));
	assert_string_equal(entry_type_name(ENTRY_INIT), "init");
	assert_string_equal(entry_type_name(ENTRY_SSHD), "sshd");
	assert_string_equal(entry_type_name(ENTRY_TERMINAL), "terminal");
	assert_string_equal(entry_type_name(ENTRY_CONSOLE), "console");
	assert_string_equal(entry_type_name(ENTRY_UNKNOWN), "unknown");
}

/* ssh with a tty (ssh-tty.log, session 16), in recorded order. */
static void test_ssh_login(void **state)
{
	struct session_table *t = session_table_new(NULL);
	struct session_stats st;
	struct login_event le;
	struct session_view v;

	(void)state;
	assert_non_null(t);
	le = login(32570, 1001, 16, 0);
	session_login(t, 0, &le, "/usr/sbin/sshd");
	/* pam_motd's execs come before USER_START: sshd opened it, no
	 * service has claimed it yet */
	v = view(t, 0, exec_(32635, 1001, 0, 16, "/usr/bin/dash", 10));
	assert_leader(&v, ENTRY_UNKNOWN, 32570, "/usr/sbin/sshd");
	assert_false(v.have_exec);
	le = pam(LOGIN_PAM_START, 32570, 1001, 16, "/usr/sbin/sshd",
		 "127.0.0.1", "ssh", 12);
	session_pam(t, 0, &le, "/usr/sbin/sshd");
	/* the user's shell: the first exec after the claim */
	v = view(t, 0, exec_(32662, 1001, 1001, 16, "/usr/bin/bash", 56));
	assert_leader(&v, ENTRY_SSHD, 32662, "/usr/bin/bash");
	assert_true(v.have_exec);
	assert_int_equal(v.sec, 1795943396);
	assert_int_equal(v.msec, 56);
	assert_int_equal(v.euid, 1001);
	assert_string_equal(v.euid_name, "ks12a");
	assert_string_equal(v.source_ip, "127.0.0.1");
	/* its commands, root's too (sudo keeps ses and auid) */
	v = view(t, 0, exec_(1331, 1001, 1001, 16, "/usr/bin/tail", 2000));
	assert_leader(&v, ENTRY_SSHD, 32662, "/usr/bin/bash");
	v = view(t, 0, exec_(3684, 1001, 0, 16, "/usr/bin/tail", 2100));
	assert_leader(&v, ENTRY_SSHD, 32662, "/usr/bin/bash");
	assert_int_equal(v.euid, 1001);
	/* sudo's own PAM session inside it: not a claim */
	le = pam(LOGIN_PAM_START, 3682, 1001, 16, "/usr/bin/sudo", "",
		 "/dev/pts/0", 2050);
	session_pam(t, 0, &le, "/usr/bin/sudo");
	le.type = LOGIN_PAM_END;
	session_pam(t, 0, &le, "/usr/bin/sudo");
	/* logout; a nohup'd child goes on in the session */
	le = pam(LOGIN_PAM_END, 32570, 1001, 16, "/usr/sbin/sshd",
		 "127.0.0.1", "ssh", 6000);
	session_pam(t, 0, &le, "/usr/sbin/sshd");
	v = view(t, 0, exec_(8444, 1001, 1001, 16, "/usr/bin/tail", 8000));
	assert_leader(&v, ENTRY_SSHD, 32662, "/usr/bin/bash");
	session_stats(t, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.logins, 1);
	assert_int_equal(st.claims, 1);
	assert_int_equal(st.ends, 1);
	assert_int_equal(st.nested, 2);
	assert_int_equal(st.refused + st.mismatch + st.orphan_ends +
			 st.no_session + st.reused + st.evictions, 0);
	session_table_free(t);
}

/* ssh without a tty (ssh-notty.log): bash -c is the leader, and the
 * command it execs in place keeps it. */
static void test_ssh_notty(void **state)
{
	struct session_table *t = session_table_new(NULL);
	struct login_event le = login(3552, 1001, 17, 0);
	struct session_view v;

	(void)state;
	session_login(t, 0, &le, "/usr/sbin/sshd");
	le = pam(LOGIN_PAM_START, 3552, 1001, 17, "/usr/sbin/sshd",
		 "127.0.0.1", "ssh", 5);
	session_pam(t, 0, &le, "/usr/sbin/sshd");
	v = view(t, 0, exec_(3559, 1001, 1001, 17, "/usr/bin/bash", 20));
	assert_leader(&v, ENTRY_SSHD, 3559, "/usr/bin/bash");
	v = view(t, 0, exec_(3559, 1001, 1001, 17, "/usr/bin/tail", 21));
	assert_leader(&v, ENTRY_SSHD, 3559, "/usr/bin/bash");
	session_table_free(t);
}

/* login(1): console on a virtual console, terminal elsewhere; cron is
 * init; an unknown service is unknown. */
static void test_types(void **state)
{
	static const struct {
		const char *exe, *terminal;
		enum entry_type type;
	} c[] = {
		{ "/usr/bin/login", "/dev/pts/0", ENTRY_TERMINAL },
		{ "/usr/bin/login", "/dev/tty1", ENTRY_CONSOLE },
		{ "/bin/login", "tty63", ENTRY_CONSOLE },
		{ "/usr/bin/login", "/dev/tty64", ENTRY_TERMINAL },
		{ "/usr/bin/login", "/dev/tty0", ENTRY_TERMINAL },
		{ "/usr/bin/login", "/dev/ttyS0", ENTRY_TERMINAL },
		{ "/usr/bin/login", "/dev/tty1x", ENTRY_TERMINAL },
		{ "/usr/sbin/sshd", "ssh", ENTRY_SSHD },
		{ "/usr/lib/openssh/sshd-session", "ssh", ENTRY_SSHD },
		{ "/usr/sbin/cron", "cron", ENTRY_INIT },
		{ "/usr/sbin/atd", "?", ENTRY_INIT },
		{ "/usr/sbin/gdm-session-worker", "/dev/tty2", ENTRY_UNKNOWN },
		{ "/usr/bin/sshd-evil", "ssh", ENTRY_UNKNOWN },
	};
	struct session_table *t = session_table_new(NULL);
	struct login_event le;
	struct session_view v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint32_t ses = 100 + (uint32_t)i;

		le = login(500, 7, ses, 0);
		session_login(t, 0, &le, NULL);
		le = pam(LOGIN_PAM_START, 500, 7, ses, c[i].exe, "",
			 c[i].terminal, 1);
		session_pam(t, 0, &le, NULL);
		v = view(t, 0, exec_(501, 7, 7, ses, "/bin/sh", 2));
		if (v.type != c[i].type)
			fail_msg("%s on %s: type %s", c[i].exe, c[i].terminal,
				 entry_type_name(v.type));
		assert_string_equal(v.source_ip, "");
	}
	session_table_free(t);
}

/* Exec outside any login; exec of a session not in the input. */
static void test_no_session(void **state)
{
	struct session_table *t = session_table_new(NULL);
	struct login_event le;
	struct session_view v;
	struct session_stats st;

	(void)state;
	v = view(t, 0, exec_(8556, EXEC_ID_UNSET, 1002, EXEC_ID_UNSET,
			     "/usr/bin/tail", 0));
	assert_leader(&v, ENTRY_INIT, 0, NULL);
	assert_false(v.have_exec);
	/* ses 9 never logged in here: nothing, never a guess */
	v = view(t, 0, exec_(100, 1001, 1001, 9, "/usr/bin/tail", 0));
	assert_leader(&v, ENTRY_NONE, 0, NULL);
	/* PAM records of it, USER_END without start included */
	le = pam(LOGIN_PAM_END, 32570, 1001, 9, "/usr/sbin/sshd", "1.2.3.4",
		 "ssh", 1);
	session_pam(t, 0, &le, NULL);
	le.type = LOGIN_PAM_START;
	session_pam(t, 0, &le, NULL);
	v = view(t, 0, exec_(100, 1001, 1001, 9, "/usr/bin/tail", 2));
	assert_leader(&v, ENTRY_NONE, 0, NULL);
	/* a LOGIN that failed, or set no session */
	le = login(1, 0, 9, 3);
	le.success = false;
	session_login(t, 0, &le, NULL);
	le = login(1, EXEC_ID_UNSET, EXEC_ID_UNSET, 4);
	session_login(t, 0, &le, NULL);
	v = view(t, 0, exec_(100, 1001, 1001, 9, "/usr/bin/tail", 5));
	assert_leader(&v, ENTRY_NONE, 0, NULL);
	session_stats(t, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.no_session, 2);
	assert_int_equal(st.refused, 2);
	session_table_free(t);
}

/* A process that sets its own loginuid (record.sh's scenario shell;
 * unpriv-loginuid.log, loginuid-change.log): unknown, led by that
 * process, whose image is the table's or its first exec. */
static void test_own_loginuid(void **state)
{
	struct session_table *t = session_table_new(NULL);
	struct login_event le;
	struct session_view v;

	(void)state;
	/* record.sh: a forked shell, unknown to the table, execs */
	le = login(17195, 0, 7, 0);
	session_login(t, 0, &le, NULL);
	v = view(t, 0, exec_(17195, 0, 0, 7, "/usr/bin/bash", 1));
	assert_leader(&v, ENTRY_UNKNOWN, 17195, "/usr/bin/bash");
	assert_true(v.have_exec);
	v = view(t, 0, exec_(17196, 0, 0, 7, "/usr/bin/tail", 2));
	assert_leader(&v, ENTRY_UNKNOWN, 17195, "/usr/bin/bash");
	/* a second exec of that pid does not move the leader */
	v = view(t, 0, exec_(17195, 0, 0, 7, "/usr/bin/xxd", 3));
	assert_leader(&v, ENTRY_UNKNOWN, 17195, "/usr/bin/bash");

	/* uid 1002's sh writes 0 and forks tail: auid 0, ses 23 */
	le = login(8338, 0, 23, 10);
	le.uid = 1002;
	session_login(t, 0, &le, "/usr/bin/dash");
	v = view(t, 0, exec_(8339, 0, 1002, 23, "/usr/bin/tail", 11));
	assert_leader(&v, ENTRY_UNKNOWN, 8338, "/usr/bin/dash");
	assert_false(v.have_exec);
	session_table_free(t);
}

/* Forged and mismatched claims never describe a session. */
static void test_forged(void **state)
{
	struct session_table *t = session_table_new(NULL);
	struct login_event le;
	struct session_view v;
	struct session_stats st;

	(void)state;
	le = login(9202, 1001, 21, 0);
	session_login(t, 0, &le, "/usr/sbin/sshd");
	/* root in the session (via sudo) sends a USER_START: other pid */
	le = pam(LOGIN_PAM_START, 9210, 1001, 21, "/usr/sbin/sshd",
		 "6.6.6.6", "ssh", 1);
	session_pam(t, 0, &le, "/usr/bin/python3");
	/* the session's pid, but another image than the table's */
	le = pam(LOGIN_PAM_START, 9202, 1001, 21, "/usr/sbin/sshd",
		 "6.6.6.6", "ssh", 2);
	session_pam(t, 0, &le, "/usr/bin/python3");
	/* failed, not PAM's op, another auid */
	le = pam(LOGIN_PAM_START, 9202, 1001, 21, "/usr/sbin/sshd",
		 "6.6.6.6", "ssh", 3);
	le.success = false;
	session_pam(t, 0, &le, "/usr/sbin/sshd");
	le.success = true;
	le.pam_op = false;
	session_pam(t, 0, &le, "/usr/sbin/sshd");
	le.pam_op = true;
	le.auid = 0;
	session_pam(t, 0, &le, "/usr/sbin/sshd");
	v = view(t, 0, exec_(9203, 1001, 1001, 21, "/usr/bin/bash", 4));
	assert_leader(&v, ENTRY_UNKNOWN, 9202, "/usr/sbin/sshd");
	assert_string_equal(v.source_ip, "");
	/* the real claim; a second one changes nothing */
	le = pam(LOGIN_PAM_START, 9202, 1001, 21, "/usr/sbin/sshd",
		 "127.0.0.1", "ssh", 5);
	session_pam(t, 0, &le, "/usr/sbin/sshd");
	le = pam(LOGIN_PAM_START, 9202, 1001, 21, "/usr/bin/login",
		 "6.6.6.6", "/dev/tty1", 6);
	session_pam(t, 0, &le, NULL);
	v = view(t, 0, exec_(9205, 1001, 1001, 21, "/usr/bin/bash", 7));
	assert_leader(&v, ENTRY_SSHD, 9205, "/usr/bin/bash");
	assert_string_equal(v.source_ip, "127.0.0.1");
	/* an exec claiming the session with another auid, or before its
	 * LOGIN (an earlier boot's session 21) */
	v = view(t, 0, exec_(9300, 0, 0, 21, "/usr/bin/tail", 8));
	assert_leader(&v, ENTRY_NONE, 0, NULL);
	session_exec(t, 0, exec_(9301, 1001, 1001, 21, "/usr/bin/tail",
				 -396000), &v);
	assert_leader(&v, ENTRY_NONE, 0, NULL);
	session_stats(t, &st);
	assert_int_equal(st.nested, 1);
	assert_int_equal(st.exe_mismatch, 1);
	assert_int_equal(st.refused, 5);
	assert_int_equal(st.claims, 1);
	assert_int_equal(st.mismatch, 2);
	session_table_free(t);
}

/* A session id seen again (a log of two boots): the new LOGIN replaces
 * the old session; nodes have their own ids; USER_END without claim. */
static void test_reuse_and_nodes(void **state)
{
	struct session_table *t = session_table_new(NULL);
	struct login_event le;
	struct session_view v;
	struct session_stats st;

	(void)state;
	le = login(100, 1001, 5, 0);
	session_login(t, 0, &le, "/usr/sbin/sshd");
	le = pam(LOGIN_PAM_START, 100, 1001, 5, "/usr/sbin/sshd", "10.0.0.1",
		 "ssh", 1);
	session_pam(t, 0, &le, NULL);
	v = view(t, 0, exec_(101, 1001, 1001, 5, "/usr/bin/bash", 2));
	assert_leader(&v, ENTRY_SSHD, 101, "/usr/bin/bash");
	/* node 1 has its own session 5 */
	le = login(100, 1001, 5, 3);
	session_login(t, 1, &le, "/usr/bin/login");
	v = view(t, 1, exec_(102, 1001, 1001, 5, "/usr/bin/tail", 4));
	assert_leader(&v, ENTRY_UNKNOWN, 100, "/usr/bin/login");
	v = view(t, 0, exec_(103, 1001, 1001, 5, "/usr/bin/tail", 4));
	assert_leader(&v, ENTRY_SSHD, 101, "/usr/bin/bash");
	/* node 0, next boot: session 5 again, another user */
	le = login(900, 0, 5, 10000);
	session_login(t, 0, &le, NULL);
	le = pam(LOGIN_PAM_END, 900, 0, 5, "/usr/sbin/sshd", "", "ssh",
		 10001);
	session_pam(t, 0, &le, NULL);
	v = view(t, 0, exec_(901, 0, 0, 5, "/usr/bin/tail", 10002));
	assert_leader(&v, ENTRY_UNKNOWN, 900, NULL);
	assert_string_equal(v.source_ip, "");
	/* the old session's processes no longer get it */
	v = view(t, 0, exec_(104, 1001, 1001, 5, "/usr/bin/tail", 10003));
	assert_leader(&v, ENTRY_NONE, 0, NULL);
	session_stats(t, &st);
	assert_int_equal(st.reused, 1);
	assert_int_equal(st.orphan_ends, 1);
	assert_int_equal(st.entries, 2);
	session_table_free(t);
}

/* A flood of sessions: the table keeps max_entries, the most recently
 * used ones, and says how many it evicted. */
static void test_bounds(void **state)
{
	struct session_limits lim = { 16 };
	struct session_table *t = session_table_new(&lim);
	struct login_event le;
	struct session_view v;
	struct session_stats st;
	char longexe[SESSION_EXE_MAX + 10];
	uint32_t i;

	(void)state;
	assert_non_null(t);
	for (i = 1; i <= 1000; i++) {
		le = login((pid_t)i, 7, i, i);
		session_login(t, 0, &le, NULL);
		/* session 1 stays in use */
		v = view(t, 0, exec_(5, 7, 7, 1, "/bin/sh", i));
		assert_int_equal(v.type, ENTRY_UNKNOWN);
	}
	session_stats(t, &st);
	assert_int_equal(st.entries, 16);
	assert_int_equal(st.evictions, 1000 - 16);
	v = view(t, 0, exec_(5, 7, 7, 2, "/bin/sh", 2000));
	assert_int_equal(v.type, ENTRY_NONE);
	for (i = 1000 - 14; i <= 1000; i++) {
		v = view(t, 0, exec_(5, 7, 7, i, "/bin/sh", 2000));
		assert_int_equal(v.type, ENTRY_UNKNOWN);
	}
	/* an image too long for an entry is left out, never cut */
	memset(longexe, 'x', sizeof(longexe) - 1);
	longexe[0] = '/';
	longexe[sizeof(longexe) - 1] = '\0';
	le = login(77, 7, 5000, 3000);
	session_login(t, 0, &le, longexe);
	v = view(t, 0, exec_(78, 7, 7, 5000, "/bin/sh", 3001));
	assert_leader(&v, ENTRY_UNKNOWN, 77, NULL);
	session_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ssh_login),
		cmocka_unit_test(test_ssh_notty),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_no_session),
		cmocka_unit_test(test_own_loginuid),
		cmocka_unit_test(test_forged),
		cmocka_unit_test(test_reuse_and_nodes),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
