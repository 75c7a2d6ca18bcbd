/*
 * test_login_event.c - the strict parse of LOGIN, USER_START and USER_END
 * records: the recorded ones (issue 12's samples, copied here line for
 * line) parse to their values; forged and broken ones are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libaudit.h>

#include "login_event.h"

static struct login_event ev;

static bool parse(enum login_type t, const char *line)
{
	return login_event_parse(t, line, strlen(line), &ev);
}

/* Recorded under the real auditd (ENRICHED): an ssh login's records. */
#define REC_LOGIN "type=LOGIN msg=audit(1795943396.690:207640): pid=32570 uid=0 old-auid=4294967295 auid=1001 tty=(none) old-ses=4294967295 ses=16 res=1\x1dUID=\"root\" OLD-AUID=\"unset\" AUID=\"ks12a\""
#define REC_START "type=USER_START msg=audit(1795943396.702:207702): pid=32570 uid=0 auid=1001 ses=16 msg='op=PAM:session_open grantors=pam_selinux,pam_loginuid,pam_keyinit,pam_permit,pam_unix,pam_mail,pam_limits,pam_env,pam_env,pam_selinux acct=\"ks12a\" exe=\"/usr/sbin/sshd\" hostname=127.0.0.1 addr=127.0.0.1 terminal=ssh res=success'\x1dUID=\"root\" AUID=\"ks12a\""
#define REC_END "type=USER_END msg=audit(1795943402.530:220715): pid=32570 uid=0 auid=1001 ses=16 msg='op=PAM:session_close grantors=pam_selinux,pam_loginuid,pam_keyinit,pam_permit,pam_unix,pam_mail,pam_limits,pam_env,pam_env,pam_selinux acct=\"ks12a\" exe=\"/usr/sbin/sshd\" hostname=127.0.0.1 addr=127.0.0.1 terminal=ssh res=success'\x1dUID=\"root\" AUID=\"ks12a\""

static void test_types(void **state)
{
	(void)state;
	assert_int_equal(login_type_of(AUDIT_LOGIN), LOGIN_SET);
	assert_int_equal(login_type_of(AUDIT_USER_START), LOGIN_PAM_START);
	assert_int_equal(login_type_of(AUDIT_USER_END), LOGIN_PAM_END);
	assert_int_equal(login_type_of(AUDIT_USER_LOGIN), 0);
	assert_int_equal(login_type_of(AUDIT_SYSCALL), 0);
	assert_int_equal(login_type_of(AUDIT_CRED_ACQ), 0);
}

static void test_recorded(void **state)
{
	(void)state;
	assert_true(parse(LOGIN_SET, REC_LOGIN));
	assert_int_equal(ev.pid, 32570);
	assert_int_equal(ev.uid, 0);
	assert_int_equal(ev.old_auid, EXEC_ID_UNSET);
	assert_int_equal(ev.auid, 1001);
	assert_int_equal(ev.old_ses, EXEC_ID_UNSET);
	assert_int_equal(ev.ses, 16);
	assert_string_equal(ev.tty, "(none)");
	assert_true(ev.success);
	assert_string_equal(ev.exe, "");
	assert_string_equal(ev.node, "");

	assert_true(parse(LOGIN_PAM_START, REC_START));
	assert_int_equal(ev.pid, 32570);
	assert_int_equal(ev.uid, 0);
	assert_int_equal(ev.auid, 1001);
	assert_int_equal(ev.ses, 16);
	assert_true(ev.success);
	assert_true(ev.pam_op);
	assert_string_equal(ev.exe, "/usr/sbin/sshd");
	assert_string_equal(ev.addr, "127.0.0.1");
	assert_string_equal(ev.terminal, "ssh");
	assert_string_equal(ev.tty, "");

	assert_true(parse(LOGIN_PAM_END, REC_END));
	assert_true(ev.pam_op);
	assert_int_equal(ev.ses, 16);
	/* the same record read as the other type: not its op */
	assert_true(parse(LOGIN_PAM_START, REC_END));
	assert_false(ev.pam_op);

	/* with node= (name_format = HOSTNAME), and without the head */
	assert_true(parse(LOGIN_SET, "node=vm " REC_LOGIN));
	assert_int_equal(ev.ses, 16);
	assert_true(parse(LOGIN_PAM_START, "pid=3 uid=0 auid=7 ses=9 msg='op=PAM:session_open acct=\"a\" exe=\"/usr/bin/login\" hostname=? addr=? terminal=/dev/tty1 res=success'"));
	assert_int_equal(ev.pid, 3);
	assert_string_equal(ev.addr, "");
	assert_string_equal(ev.terminal, "/dev/tty1");
}

/* Other systems' records, from the public corpora (go-libaudit's RHEL 7
 * log: SELinux subj=, sshd's own USER_END op=login, no tty= in LOGIN). */
static void test_other_systems(void **state)
{
	(void)state;
	assert_true(parse(LOGIN_SET, "type=LOGIN msg=audit(1481077043.057:414): pid=1298 uid=0 subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 old-auid=4294967295 auid=1000 old-ses=4294967295 ses=1 res=1"));
	assert_int_equal(ev.pid, 1298);
	assert_int_equal(ev.ses, 1);
	assert_string_equal(ev.tty, "");
	assert_true(parse(LOGIN_PAM_END, "type=USER_END msg=audit(1481077049.033:423): pid=1298 uid=0 auid=1000 ses=1 subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg='op=login id=1000 exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=/dev/pts/0 res=success'"));
	assert_false(ev.pam_op);
	assert_true(parse(LOGIN_PAM_START, "type=USER_START msg=audit(1481077043.170:416): pid=1298 uid=0 auid=1000 ses=1 subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg='op=PAM:session_open grantors=pam_selinux,pam_loginuid acct=\"andrew_kroh\" exe=\"/usr/sbin/sshd\" hostname=pool-96-241-146-97.washdc.fios.verizon.net addr=96.241.146.97 terminal=ssh res=success'"));
	assert_string_equal(ev.addr, "96.241.146.97");
	/* an AppArmor label with a space, in the kernel's part */
	assert_true(parse(LOGIN_SET, "pid=5 uid=0 subj=/usr/sbin/sshd (enforce) old-auid=4294967295 auid=1000 tty=(none) old-ses=4294967295 ses=3 res=1"));
	assert_int_equal(ev.ses, 3);
	/* hex acct (sshd's "(invalid user)") and hex exe, IPv6 */
	assert_true(parse(LOGIN_PAM_START, "pid=3 uid=0 auid=7 ses=9 msg='op=PAM:session_open acct=28696E76616C6964207573657229 exe=2F7573722F7362696E2F737368642078 hostname=? addr=::1 terminal=ssh res=failed'"));
	assert_string_equal(ev.exe, "/usr/sbin/sshd x");
	assert_string_equal(ev.addr, "::1");
	assert_false(ev.success);
	assert_true(parse(LOGIN_PAM_START, "pid=3 uid=0 auid=7 ses=9 msg='op=PAM:session_open exe=\"/x\" addr=::FFFF:127.0.0.1 res=success'"));
	assert_string_equal(ev.addr, "::ffff:127.0.0.1");
	/* LOGIN res=0: well-formed, not a success */
	assert_true(parse(LOGIN_SET, "pid=5 uid=0 old-auid=4294967295 auid=1000 tty=(none) old-ses=4294967295 ses=3 res=0"));
	assert_false(ev.success);
}

/* Recorded forgeries (issue 12's forged.log: raw NETLINK_AUDIT messages
 * sent by root) and hand-made breakage: all refused. */
static void test_refused(void **state)
{
	static const struct {
		enum login_type t;
		const char *line;
	} bad[] = {
		/* a quote in acct carries a second kernel-like prefix */
		{ LOGIN_PAM_START, "type=USER_START msg=audit(1795943451.030:252448): pid=9190 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:session_open acct=\"x' pid=1 uid=0 auid=0 ses=1 msg='op=forged\" exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=ssh res=success'\x1dUID=\"root\" AUID=\"unset\" UID=\"root\" AUID=\"root\"" },
		/* a newline (made a space by auditd) and a fake record */
		{ LOGIN_PAM_START, "pid=9191 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:session_open acct=\"a b\" exe=\"/usr/sbin/sshd\" hostname=? addr=1.2.3.4 terminal=ssh res=success type=LOGIN msg=audit(1.0:1): pid=1 uid=0 auid=0 ses=1 res=1'" },
		/* a 0x1D inside the text: cut there, no closing quote */
		{ LOGIN_PAM_START, "pid=9192 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:session_open acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=? addr=1.2.3.4 terminal=ssh res=success\x1d" "AUID=\"root\"'\x1dUID=\"root\" AUID=\"root\"" },
		/* acct over libaudit's 32 bytes */
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open acct=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\" exe=\"/x\" res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open acct=41414141414141414141414141414141414141414141414141414141414141414141 exe=\"/x\" res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open acct=4G exe=\"/x\" res=success'" },
		/* a key twice: the forger's second addr */
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/usr/sbin/sshd\" hostname=x addr=6.6.6.6 addr=127.0.0.1 res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" exe=\"/y\" res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open op=PAM:session_open exe=\"/x\" res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" res=success res=failed'" },
		/* the kernel's part twice, or broken */
		{ LOGIN_PAM_START, "pid=1 pid=2 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 ses=3 msg='op=PAM:session_open exe=\"/x\" res=success'" },
		{ LOGIN_PAM_START, "pid=0 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 msg='op=PAM:session_open exe=\"/x\" res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=-1 ses=2 msg='op=PAM:session_open exe=\"/x\" res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=4294967296 ses=2 msg='op=PAM:session_open exe=\"/x\" res=success'" },
		{ LOGIN_PAM_START, "pid=01 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" res=success'" },
		/* no text, no end quote, an empty or unquoted text */
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" res=success" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg=''" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg=op=PAM:session_open exe=\"/x\" res=success" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" res=success' x'" },
		/* required words, and their forms */
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\"'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='exe=\"/x\" res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" res=maybe'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=/x res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"x\" res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" addr=localhost res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" addr=300.1.1.1 res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" addr= res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" terminal=0123456789012345678901234567890123456789012345678901234567890123 res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open  exe=\"/x\" res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" bare res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op=PAM:session_open exe=\"/x\" =y res=success'" },
		{ LOGIN_PAM_START, "pid=1 uid=0 auid=1 ses=2 msg='op= exe=\"/x\" res=success'" },
		/* LOGIN: the kernel's fields, each once and whole */
		{ LOGIN_SET, "pid=1 uid=0 old-auid=4294967295 auid=0 tty=(none) old-ses=4294967295 res=1" },
		{ LOGIN_SET, "pid=1 uid=0 old-auid=4294967295 auid=0 tty=(none) old-ses=4294967295 ses=3 ses=4 res=1" },
		{ LOGIN_SET, "pid=1 uid=0 auid=0 ses=3 res=2" },
		{ LOGIN_SET, "pid=1 uid=0 auid=0 ses=3" },
		{ LOGIN_SET, "pid=x uid=0 auid=0 ses=3 res=1" },
		{ LOGIN_SET, "pid=1 uid=0 auid=0 ses=3x res=1" },
		{ LOGIN_SET, "pid=1 uid=0 auid=0 ses=3 tty=0123456789012345678901234567890123 res=1" },
		{ LOGIN_SET, "" },
		/* not a login type */
		{ 0, "pid=1 uid=0 auid=0 ses=3 res=1" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i].t, bad[i].line))
			fail_msg("accepted #%zu: %s", i, bad[i].line);
}

/* Every cut of a valid record is refused or parses to a prefix of its
 * values, never reads past the cut (run under valgrind/ASan in CI). */
static void test_cuts(void **state)
{
	static const char *const recs[] = { REC_LOGIN, REC_START, REC_END };
	static const enum login_type types[] = {
		LOGIN_SET, LOGIN_PAM_START, LOGIN_PAM_END,
	};
	size_t r, n, len;
	char *copy;

	(void)state;
	for (r = 0; r < 3; r++) {
		len = strlen(recs[r]);
		for (n = 0; n <= len; n++) {
			copy = malloc(n ? n : 1);
			assert_non_null(copy);
			memcpy(copy, recs[r], n);
			if (login_event_parse(types[r], copy, n, &ev) &&
			    types[r] != LOGIN_SET)
				/* a PAM record needs its closing quote: only
				 * cuts in the ENRICHED text keep it */
				assert_true(n > (size_t)(strstr(recs[r],
						"'\x1d") - recs[r]));
			free(copy);
		}
	}
}

/* PAM records outside any session: the one test the prefilter and
 * event_assembly share. */
static void test_without_session(void **state)
{
	(void)state;
	assert_false(login_without_session(LOGIN_PAM_START, REC_START,
					   strlen(REC_START)));
	assert_true(login_without_session(LOGIN_PAM_START,
		"node=vm type=USER_START msg=audit(1795810726.980:20227): pid=30394 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:session_open grantors=pam_env acct=\"nobody\" exe=\"/usr/bin/su\" hostname=? addr=? terminal=? res=success'",
		strlen("node=vm type=USER_START msg=audit(1795810726.980:20227): pid=30394 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:session_open grantors=pam_env acct=\"nobody\" exe=\"/usr/bin/su\" hostname=? addr=? terminal=? res=success'")));
	assert_true(login_without_session(LOGIN_PAM_END,
		"pid=1 uid=0 auid=1 ses=4294967295 msg='x'", 41));
	/* only the kernel's part counts: a forged ses= in the text does not */
	assert_false(login_without_session(LOGIN_PAM_END,
		"pid=1 uid=0 auid=1 ses=5 msg='ses=4294967295'", 45));
	/* nor anything after a 0x1D */
	assert_false(login_without_session(LOGIN_PAM_END,
		"pid=1 uid=0 auid=1\x1d ses=4294967295 msg='x'", 42));
	/* LOGIN is always read: setting the loginuid back to unset is news */
	assert_false(login_without_session(LOGIN_SET,
		"pid=1 uid=0 old-auid=0 auid=4294967295 tty=(none) old-ses=3 ses=4294967295 res=1",
		80));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_other_systems),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_cuts),
		cmocka_unit_test(test_without_session),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
