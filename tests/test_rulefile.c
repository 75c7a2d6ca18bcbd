/*
 * test_rulefile.c - the TOML rule reader: the shipped rules, real Elastic
 * rules copied as test data, and every way a file can be wrong (each error
 * must name the file and the line), plus hostile input that must never
 * crash (run under ASan/UBSan and valgrind).
 *
 * Files are found under $KS_SRCDIR (default "."). The comparison with the
 * published query in ../shared/spec is skipped when that tree is absent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rule.h"
#include "v2_reference.h"
#include "rulefile.h"

#define V2_RULE_ID "3c9f7901-01d8-465d-8dc0-5d46671035fa"
#define HARDENED_RULE_ID "a87b042e-6de5-4adb-aaf6-c97a6e5f84df"

/* ------------------------------------------------------------------ */
/* helpers */

/* abort() is noreturn, so the compiler also knows the result is set */
static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		abort();
	return p;
}

static const char *srcdir(void)
{
	const char *d = getenv("KS_SRCDIR");

	return d && *d ? d : ".";
}

static char *src_path(const char *rel)
{
	size_t n = strlen(srcdir()) + strlen(rel) + 2;
	char *p = malloc(n);

	assert_non_null(p);
	snprintf(p, n, "%s/%s", srcdir(), rel);
	return p;
}

/* Whole file, NUL-terminated; NULL when it cannot be opened. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static struct rule_file *load_src(const char *rel)
{
	char err[512];
	char *p = src_path(rel);
	struct rule_file *rf = rulefile_load(p, err, sizeof(err));

	if (!rf)
		fail_msg("%s", err);
	assert_string_equal(rf->path, p);
	free(p);
	return rf;
}

static void check_threat(const struct rule_threat *t, const char *tactic_id,
			 const char *tactic_name, size_t ntech,
			 const char *tech_id, const char *tech_name)
{
	char ref[128];

	assert_string_equal(t->framework, "MITRE ATT&CK");
	assert_string_equal(t->tactic_id, tactic_id);
	assert_string_equal(t->tactic_name, tactic_name);
	snprintf(ref, sizeof(ref), "https://attack.mitre.org/tactics/%s/",
		 tactic_id);
	assert_string_equal(t->tactic_reference, ref);
	assert_int_equal(t->ntechniques, ntech);
	if (!tech_id)
		return;
	assert_string_equal(t->techniques[0].id, tech_id);
	assert_string_equal(t->techniques[0].name, tech_name);
	snprintf(ref, sizeof(ref), "https://attack.mitre.org/techniques/%s/",
		 tech_id);
	assert_string_equal(t->techniques[0].reference, ref);
}

/* The same metadata, field by field (threat tables included). */
static void assert_same_meta(const struct rule_meta *a,
			     const struct rule_meta *b)
{
	size_t i, j;

	assert_string_equal(a->id, b->id);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->version, b->version);
	assert_string_equal(a->severity, b->severity);
	assert_int_equal(a->risk_score, b->risk_score);
	assert_int_equal(a->max_signals, b->max_signals);
	assert_int_equal(a->nthreats, b->nthreats);
	for (i = 0; i < a->nthreats; i++) {
		const struct rule_threat *x = &a->threats[i], *y = &b->threats[i];

		assert_string_equal(x->framework, y->framework);
		assert_string_equal(x->tactic_id, y->tactic_id);
		assert_string_equal(x->tactic_name, y->tactic_name);
		assert_string_equal(x->tactic_reference, y->tactic_reference);
		assert_int_equal(x->ntechniques, y->ntechniques);
		for (j = 0; j < x->ntechniques; j++) {
			assert_string_equal(x->techniques[j].id,
					    y->techniques[j].id);
			assert_string_equal(x->techniques[j].name,
					    y->techniques[j].name);
			assert_string_equal(x->techniques[j].reference,
					    y->techniques[j].reference);
		}
	}
}

static struct rule_file *parse_str(const char *text, char *err, size_t n)
{
	return rulefile_parse("rules/x.toml", text, strlen(text), err, n);
}

static void expect_ok(const char *text)
{
	char err[512];
	struct rule_file *rf = parse_str(text, err, sizeof(err));

	if (!rf)
		fail_msg("unexpected error: %s", err);
	rulefile_free(rf);
}

/* Every collected spelling of "x" without spaces, tabs or newlines. */
static char *squeeze(const char *s)
{
	char *o = malloc(strlen(s) + 1), *p = o;

	assert_non_null(o);
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n')
			*p++ = *s;
	*p = '\0';
	return o;
}

/* ------------------------------------------------------------------ */
/* shipped rules */

static void test_v2_file(void **state)
{
	struct rule_file *rf = load_src("conf/rules/kernel_seeking_v2.toml");

	(void)state;
	assert_string_equal(rf->meta.id, V2_RULE_ID);
	assert_string_equal(rf->meta.name, "Kernel Seeking Activity");
	assert_string_equal(rf->meta.version, "2");
	assert_string_equal(rf->version_str, "2");
	assert_string_equal(rf->meta.severity, "low");
	assert_int_equal(rf->meta.risk_score, 21);
	assert_int_equal(rf->meta.max_signals, 100);
	assert_string_equal(rf->maturity, "production");
	assert_non_null(strstr(rf->description,
			       "This rule detects kernel seeking activity"));
	assert_int_equal(rf->meta.nthreats, 2);
	check_threat(&rf->meta.threats[0], "TA0007", "Discovery", 1, "T1082",
		     "System Information Discovery");
	check_threat(&rf->meta.threats[1], "TA0005", "Defense Evasion", 1,
		     "T1014", "Rootkit");
	/* the same rule as the compiled-in v2 */
	assert_string_equal(rf->query, rule_kernel_seeking_v2_query);
	assert_same_meta(&rf->meta, &rule_kernel_seeking_v2_meta);
	rulefile_free(rf);
}

static void test_v2_query_is_published(void **state)
{
	char *seed_path = src_path("../shared/spec/kernel-seeking-activity.seed.txt");
	char *seed = slurp(seed_path, NULL);
	const char *start, *end;
	struct rule_file *rf;
	size_t n;

	(void)state;
	if (!seed)
		printf("[  SKIP    ] %s not found (the project is built without "
		       "../shared); v2 query not compared with the published text\n",
		       seed_path);
	free(seed_path);
	if (!seed)
		skip();
	start = strstr(seed, "process where host.os.type");
	assert_non_null(start);
	end = strstr(start, "\n)\n");
	assert_non_null(end);
	n = (size_t)(end + 3 - start);
	rf = load_src("conf/rules/kernel_seeking_v2.toml");
	assert_int_equal(strlen(rf->query), n);
	assert_memory_equal(rf->query, start, n);
	rulefile_free(rf);
	free(seed);
}

/* rule-semantics.md §1: v6 appends this clause; v7 keeps the query. */
static const char v6_clause[] =
	" and process.parent.executable != null and not (process.parent.executable in (\"/usr/lib/needrestart/vmlinuz-get-version\",\"/bin/dracut\",\"/sbin/dracut\",\"/usr/sbin/dracut\") or process.parent.args in (\"/usr/bin/dracut\",\"/usr/lib/needrestart/vmlinuz-get-version\",\"/sbin/dracut\",\"/bin/dracut\",\"/usr/sbin/dracut\",\"/usr/bin/spectre-meltdown-checker\",\"/usr/lib/module-init-tools/lsinitrd-quick\"))";

static void test_upstream_file(void **state)
{
	struct rule_file *rf = load_src("conf/rules/kernel_seeking_upstream.toml");
	size_t v2len = strlen(rule_kernel_seeking_v2_query) - 1; /* no '\n' */
	char *joined, *a, *b;

	(void)state;
	assert_string_equal(rf->meta.id, V2_RULE_ID);
	assert_string_equal(rf->meta.name, "Kernel Seeking Activity");
	assert_string_equal(rf->meta.version, "7");
	assert_string_equal(rf->meta.severity, "medium");
	assert_int_equal(rf->meta.risk_score, 47);
	assert_int_equal(rf->meta.max_signals, 100);
	assert_string_equal(rf->maturity, "production");
	assert_int_equal(rf->meta.nthreats, 3);
	check_threat(&rf->meta.threats[0], "TA0007", "Discovery", 1, "T1082",
		     "System Information Discovery");
	check_threat(&rf->meta.threats[1], "TA0005", "Defense Evasion", 1,
		     "T1014", "Rootkit");
	check_threat(&rf->meta.threats[2], "TA0009", "Collection", 1, "T1005",
		     "Data from Local System");

	/* v2's text unchanged, then the v6 clause (upstream's line breaks,
	 * so compared without whitespace; no string literal holds any) */
	assert_memory_equal(rf->query, rule_kernel_seeking_v2_query, v2len);
	joined = malloc(v2len + sizeof(v6_clause));
	assert_non_null(joined);
	memcpy(joined, rule_kernel_seeking_v2_query, v2len);
	memcpy(joined + v2len, v6_clause, sizeof(v6_clause));
	a = squeeze(rf->query);
	b = squeeze(joined);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(joined);
	rulefile_free(rf);
}

static void test_hardened_file(void **state)
{
	struct rule_file *rf = load_src("conf/rules/kernel_seeking_hardened.toml");
	static const char *const must_have[] = {
		"\"if=/boot/*\"", "\"//boot/*\"", "\"/./boot/*\"",
		"process.working_directory == \"/\"", "\"boot/*\"",
		"process.working_directory like \"/boot*\"",
		"\"--b*\"", "\"-?c*\"", "\"-?*c\"", "\"--i*\"", "\"-i*\"",
		"\"-s*\"", "\"--s*\"", "\"skip*\"", "\"iseek*\"", "\"oseek*\"",
		"\"seek*\"", "\"od\"", "\"head\"", "\"-j*\"",
		"event.action == \"exec\"",
	};
	size_t i;

	(void)state;
	assert_string_equal(rf->meta.id, HARDENED_RULE_ID);
	assert_string_not_equal(rf->meta.id, V2_RULE_ID);
	assert_string_equal(rf->meta.name, "Kernel Seeking Activity (hardened)");
	assert_string_equal(rf->meta.version, "1");
	assert_string_equal(rf->meta.severity, "low");
	assert_int_equal(rf->meta.risk_score, 21);
	assert_int_equal(rf->meta.max_signals, 100);
	assert_string_equal(rf->maturity, "development");
	assert_non_null(strstr(rf->description, "--bytes=N"));
	assert_int_equal(rf->meta.nthreats, 2);
	check_threat(&rf->meta.threats[0], "TA0007", "Discovery", 1, "T1082",
		     "System Information Discovery");
	check_threat(&rf->meta.threats[1], "TA0005", "Defense Evasion", 1,
		     "T1014", "Rootkit");
	assert_true(strncmp(rf->query, "process where host.os.type == \"linux\" "
			    "and event.type == \"start\"", 61) == 0);
	for (i = 0; i < sizeof(must_have) / sizeof(must_have[0]); i++)
		if (!strstr(rf->query, must_have[i]))
			fail_msg("hardened query lacks %s", must_have[i]);
	rulefile_free(rf);
}

/* ------------------------------------------------------------------ */
/* Elastic's own files (tests/data/elastic-rules, see PROVENANCE.md) */

struct elastic_case {
	const char *file, *rule_id, *name, *severity;
	int risk;
	size_t nthreats;
	const char *tactic0;
	size_t ntech0;
	const char *query_head;
};

static const struct elastic_case elastic[] = {
	{ "discovery_kernel_unpacking.toml",
	  "4f725dc5-ae44-46c1-9ac5-99f6f7a70d8a", "Kernel Unpacking Activity",
	  "medium", 47, 2, "TA0007", 1,
	  "process where host.os.type == \"linux\" and event.type == \"start\" and event.action == \"exec\" and\n"
	  "(process.parent.args like \"/boot/*\" or process.args like \"/boot/*\") and (" },
	{ "discovery_potential_memory_seeking_activity.toml",
	  "035a6f21-4092-471d-9cda-9e379f459b1e",
	  "Potential Memory Seeking Activity", "low", 21, 2, "TA0007", 1,
	  "process where host.os.type == \"linux\" and event.type == \"start\" and event.action in (\"exec\", \"exec_event\") and (" },
	{ "defense_evasion_clear_kernel_ring_buffer.toml",
	  "2724808c-ba5d-48b2-86d2-0002103df753",
	  "Attempt to Clear Kernel Ring Buffer", "high", 73, 1, "TA0005", 2,
	  "process where host.os.type == \"linux\" and event.type == \"start\" and\n" },
	{ "discovery_suspicious_memory_grep_activity.toml",
	  "d74d6506-427a-4790-b170-0c2a6ddac799",
	  "Suspicious Memory grep Activity", "high", 73, 1, "TA0007", 2,
	  "process where host.os.type == \"linux\" and event.type == \"start\" and\n" },
};

static void test_elastic_rules(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(elastic) / sizeof(elastic[0]); i++) {
		const struct elastic_case *c = &elastic[i];
		char rel[256];
		struct rule_file *rf;

		snprintf(rel, sizeof(rel), "tests/data/elastic-rules/%s",
			 c->file);
		rf = load_src(rel);
		assert_string_equal(rf->meta.id, c->rule_id);
		assert_string_equal(rf->meta.name, c->name);
		assert_string_equal(rf->meta.severity, c->severity);
		assert_int_equal(rf->meta.risk_score, c->risk);
		/* upstream keeps versions in version.lock.json */
		assert_string_equal(rf->meta.version, "");
		assert_int_equal(rf->meta.max_signals, 100);
		assert_string_equal(rf->maturity, "production");
		assert_true(strlen(rf->description) > 40);
		assert_int_equal(rf->meta.nthreats, c->nthreats);
		assert_string_equal(rf->meta.threats[0].tactic_id, c->tactic0);
		/* subtechniques are not techniques */
		assert_int_equal(rf->meta.threats[0].ntechniques, c->ntech0);
		assert_true(strncmp(rf->query, c->query_head,
				    strlen(c->query_head)) == 0);
		assert_int_equal(rf->query[strlen(rf->query) - 1], '\n');
		rulefile_free(rf);
	}
}

/* Elastic's layout with the constructs it uses beyond the shipped files. */
static const char realistic[] =
	"[metadata]\n"
	"bypass_bbr_timing = true\n"
	"creation_date = \"2024/02/01\"\n"
	"integration = [\"endpoint\", \"auditd_manager\"]\n"
	"maturity = \"production\"\n"
	"min_stack_comments = \"New fields added: required_fields, related_integrations, setup\"\n"
	"min_stack_version = \"8.13.0\"\n"
	"updated_date = \"2026/03/24\"\n"
	"version = 5\n"
	"\n"
	"[rule]\n"
	"author = [\"Elastic\"]\n"
	"building_block_type = \"default\"\n"
	"description = \"\"\"\n"
	"Monitors for \\\"memory seekers\\\" \\u2014 tools that read at an offset. \\\n"
	"      Continued line.\n"
	"\"\"\"\n"
	"from = \"now-119m\"\n"
	"index = [\"logs-endpoint.events.*\", \"endgame-*\"]\n"
	"interval = \"60m\"\n"
	"language = \"eql\"\n"
	"license = \"Elastic License v2\"\n"
	"max_signals = 250\n"
	"name = \"Potential Memory Seeking Activity\"\n"
	"note = \"\"\"## Triage and analysis\n"
	"\n"
	"> **Disclaimer**: \"quoted\" ''single'' and a \\\\ backslash.\n"
	"### Possible investigation steps\n"
	"- Review `process.args`.\"\"\"\n"
	"references = [\n"
	"    \"https://github.com/arget13/DDexec\",  # trailing comment\n"
	"    'https://example.org/literal',\n"
	"]\n"
	"risk_score = 21\n"
	"rule_id = \"035a6f21-4092-471d-9cda-9e379f459b1e\"\n"
	"setup = \"\"\"## Setup\n"
	"\n"
	"This rule requires data coming in from Elastic Defend.\n"
	"\"\"\"\n"
	"severity = \"low\"\n"
	"tags = [\n"
	"    \"Domain: Endpoint\",\n"
	"    \"OS: Linux\",\n"
	"    \"Rule Type: BBR\",\n"
	"]\n"
	"timestamp_override = \"event.ingested\"\n"
	"type = \"eql\"\n"
	"query = '''\n"
	"process where host.os.type == \"linux\" and event.type == \"start\" and\n"
	"  process.name == \"tail\" and process.args in (\"-c\", \"--bytes\")\n"
	"'''\n"
	"\n"
	"[rule.investigation_fields]\n"
	"field_names = [\"process.name\", \"process.args\", [\"nested\", [1, 2]], true, -3]\n"
	"\n"
	"[[rule.threat]]\n"
	"framework = \"MITRE ATT&CK\"\n"
	"[[rule.threat.technique]]\n"
	"id = \"T1057\"\n"
	"name = \"Process Discovery\"\n"
	"reference = \"https://attack.mitre.org/techniques/T1057/\"\n"
	"\n"
	"[[rule.threat.technique.subtechnique]]\n"
	"id = \"T1057.001\"\n"
	"name = \"Made up\"\n"
	"reference = \"https://attack.mitre.org/techniques/T1057/001/\"\n"
	"\n"
	"[[rule.threat.technique]]\n"
	"id = \"T1005\"\n"
	"name = \"Data from Local System\"\n"
	"reference = \"https://attack.mitre.org/techniques/T1005/\"\n"
	"\n"
	"[ rule . threat . tactic ]  # spaces around dots are legal\n"
	"id = \"TA0007\"\n"
	"name = \"Discovery\"\n"
	"reference = \"https://attack.mitre.org/tactics/TA0007/\"\n"
	"\n"
	"[[transform.osquery]]\n"
	"label = \"Osquery - Retrieve Running Processes by User\"\n"
	"query = \"SELECT pid, username, name FROM processes p JOIN users u ON u.uid = p.uid ORDER BY username\"\n"
	"\n"
	"[[transform.osquery]]\n"
	"label = \"second\"\n"
	"query = 'SELECT 1'\n";

static void test_realistic_text(void **state)
{
	char err[512];
	struct rule_file *rf = parse_str(realistic, err, sizeof(err));

	(void)state;
	if (!rf)
		fail_msg("%s", err);
	assert_string_equal(rf->path, "rules/x.toml");
	assert_string_equal(rf->meta.id, "035a6f21-4092-471d-9cda-9e379f459b1e");
	assert_string_equal(rf->meta.version, "5"); /* from [metadata] */
	assert_int_equal(rf->meta.max_signals, 250);
	assert_string_equal(rf->description,
			    "Monitors for \"memory seekers\" \xE2\x80\x94 tools "
			    "that read at an offset. Continued line.\n");
	assert_string_equal(rf->query,
			    "process where host.os.type == \"linux\" and event.type == \"start\" and\n"
			    "  process.name == \"tail\" and process.args in (\"-c\", \"--bytes\")\n");
	assert_int_equal(rf->meta.nthreats, 1);
	assert_int_equal(rf->meta.threats[0].ntechniques, 2);
	assert_string_equal(rf->meta.threats[0].techniques[1].id, "T1005");
	assert_string_equal(rf->meta.threats[0].tactic_name, "Discovery");
	rulefile_free(rf);
}

/* ------------------------------------------------------------------ */
/* small accepted forms */

#define R "[rule]\n" \
	"rule_id = \"x\"\n" \
	"name = \"n\"\n" \
	"risk_score = 21\n" \
	"severity = \"low\"\n" \
	"query = 'process where true'\n"

static void test_small_forms(void **state)
{
	char err[512];
	struct rule_file *rf;

	(void)state;
	rf = parse_str("\xEF\xBB\xBF" R "version = 3\n[metadata]\nversion = 9\n",
		       err, sizeof(err));
	assert_non_null(rf);
	assert_string_equal(rf->meta.version, "3"); /* [rule] wins */
	assert_string_equal(rf->maturity, "");
	assert_string_equal(rf->description, "");
	assert_int_equal(rf->meta.nthreats, 0);
	assert_null(rf->meta.threats);
	rulefile_free(rf);

	/* one or two quotes just before a closing delimiter */
	rf = parse_str("[rule]\nrule_id = 'x'\nname = '''it's'''\n"
		       "risk_score = +0\nseverity = \"critical\"\n"
		       "query = '''a == 'b''''\ndescription = \"\"\"say \"hi\"\"\"\"\n",
		       err, sizeof(err));
	if (!rf)
		fail_msg("%s", err);
	assert_string_equal(rf->meta.name, "it's");
	assert_string_equal(rf->query, "a == 'b'");
	assert_string_equal(rf->description, "say \"hi\"");
	assert_int_equal(rf->meta.risk_score, 0);
	rulefile_free(rf);

	/* quoted keys and headers are the same keys as bare ones */
	rf = parse_str("[\"rule\"]\n'rule_id' = \"x\"\n\"name\" = \"n\"\n"
		       "risk_score = 1_0\nseverity = \"high\"\nquery = \"q\"\n"
		       "\"a.b\" = 1\n\"\" = 2\n[\"rule\".'threat x']\n",
		       err, sizeof(err));
	if (!rf)
		fail_msg("%s", err);
	assert_int_equal(rf->meta.risk_score, 10);
	rulefile_free(rf);

	/* no final newline; comment at EOF */
	expect_ok(R "x = 1 # c");
	expect_ok(R "[a.b]\n[a]\nc = 1\n[a.d]\n"); /* implicit then explicit */
	expect_ok(R "[[a.b]]\n[[a.b]]\n[a.b.c]\n[[a.b]]\n[a.b.c]\n");
}

static void test_crlf(void **state)
{
	char *p = src_path("conf/rules/kernel_seeking_v2.toml");
	size_t len, i, o = 0;
	char *lf = slurp(p, &len), *crlf, err[512];
	struct rule_file *rf;

	(void)state;
	assert_non_null(lf);
	crlf = malloc(len * 2 + 1);
	assert_non_null(crlf);
	for (i = 0; i < len; i++) {
		if (lf[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = lf[i];
	}
	rf = rulefile_parse("crlf.toml", crlf, o, err, sizeof(err));
	if (!rf)
		fail_msg("%s", err);
	/* multi-line strings are normalised to LF */
	assert_string_equal(rf->query, rule_kernel_seeking_v2_query);
	assert_null(strchr(rf->description, '\r'));
	rulefile_free(rf);

	/* and errors still count lines */
	rf = rulefile_parse("crlf.toml", "[rule]\r\nname = 1.5\r\n", 20, err,
			    sizeof(err));
	assert_null(rf);
	assert_string_equal(err, "crlf.toml:2: floats are not supported");
	free(crlf);
	free(lf);
	free(p);
}

/* ------------------------------------------------------------------ */
/* errors */

struct err_case {
	const char *text;
	const char *msg;
};

#define F "rules/x.toml"
#define M "[metadata]\nmaturity = \"production\"\n"

static const struct err_case err_cases[] = {
	/* strings */
	{ "[rule]\nquery = '''\nprocess where\n",
	  F ":2: unterminated multi-line string" },
	{ R "note = \"\"\"\nabc\n\n", F ":7: unterminated multi-line string" },
	{ R "note = \"abc\nx = 1\n", F ":7: unterminated string" },
	{ R "note = 'abc\n", F ":7: unterminated string" },
	{ R "note = \"abc", F ":7: unterminated string" },
	{ R "note = \"\\q\"\n", F ":7: invalid escape '\\q'" },
	{ R "note = \"\\x41\"\n", F ":7: invalid escape '\\x'" },
	{ R "note = \"\\u12\"\n",
	  F ":7: invalid \\u escape: expected 4 hex digits" },
	{ R "note = \"a\\u0000b\"\n", F ":7: NUL in string" },
	{ R "note = \"\\uD800\"\n", F ":7: escape \\u names no Unicode scalar value" },
	{ R "note = \"\\U00110000\"\n",
	  F ":7: escape \\U names no Unicode scalar value" },
	{ R "note = '''a''''''\n",
	  F ":7: too many quotes at the end of a multi-line string" },
	{ R "note = \"\"\"x\n\\ y\"\"\"\n", F ":8: invalid escape" },
	/* raw bytes */
	{ R "note = \"\x80\"\n", F ":7: invalid UTF-8" },
	{ R "note = \"\xC0\xAF\"\n", F ":7: invalid UTF-8" },       /* overlong */
	{ R "note = \"\xED\xA0\x80\"\n", F ":7: invalid UTF-8" },   /* surrogate */
	{ R "note = \"\xF4\x90\x80\x80\"\n", F ":7: invalid UTF-8" },
	{ R "# \xE2\x82", F ":7: invalid UTF-8" },                  /* cut */
	{ R "note = \"a\rb\"\n",
	  F ":7: carriage return not followed by line feed" },
	{ R "note = \"a\x01\"\n", F ":7: control character 0x01" },
	{ R "# comment \x7f\n", F ":7: control character 0x7f" },
	/* values */
	{ R "x = 21.5\n", F ":7: floats are not supported" },
	{ R "x = 1e3\n", F ":7: floats are not supported" },
	{ R "x = -inf\n", F ":7: floats are not supported" },
	{ R "x = nan\n", F ":7: floats are not supported" },
	{ R "x = 2025-01-07\n", F ":7: dates and times are not supported" },
	{ R "x = 1979-05-27T07:32:00Z\n",
	  F ":7: dates and times are not supported" },
	{ R "x = 07:32:00\n", F ":7: dates and times are not supported" },
	{ R "x = 99999999999999999999\n", F ":7: integer out of range" },
	{ R "x = 007\n", F ":7: invalid number '007'" },
	{ R "x = 1__0\n", F ":7: invalid number '1__0'" },
	{ R "x = 0x10\n", F ":7: only decimal integers are supported" },
	{ R "x = {a = 1\n", F ":7: unterminated inline table" },
	{ R "x = {a = 1, b}\n", F ":7: expected '=' in an inline table" },
	{ R "language = eql\n",
	  F ":7: invalid value 'eql' (strings must be quoted)" },
	{ R "note =\n", F ":7: missing value" },
	{ R "note = # nothing\n", F ":7: missing value" },
	{ R "note = \"x\" y\n", F ":7: unexpected text after value" },
	/* arrays */
	{ R "tags = [\"a\",\n\"b\"\n", F ":7: unterminated array" },
	{ R "tags = [\"a\" \"b\"]\n", F ":7: expected ',' or ']' in array" },
	{ R "tags = [,]\n", F ":7: invalid value" },
	{ R "x = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	  F ":7: arrays nested too deeply (limit 32)" },
	/* keys */
	{ R "name = \"m\"\n", F ":7: duplicate key 'name' in [rule]" },
	{ M "maturity = \"x\"\n", F ":3: duplicate key 'maturity' in [metadata]" },
	{ "a = 1\na = 2\n" R, F ":2: duplicate key 'a' in the root table" },
	{ R "'name' = \"m\"\n", F ":7: duplicate key 'name' in [rule]" },
	{ R "a.b = 1\n", F ":7: dotted keys are not supported" },
	{ R "note \"x\"\n", F ":7: expected '=' after key 'note'" },
	{ R "= 1\n", F ":7: expected a key" },
	{ R "\"\"\"k\"\"\" = 1\n", F ":7: a multi-line string cannot be a key" },
	/* tables */
	{ R "[rule]\n", F ":7: table [rule] defined twice" },
	{ M "[rule.x]\n[metadata]\n", F ":4: table [metadata] defined twice" },
	{ R "[rule.threat", F ":7: unterminated table header" },
	{ R "[rule.threat\nid = 1\n", F ":7: unterminated table header" },
	{ R "[[rule.threat]\n",
	  F ":7: expected ']]' to close an array-of-tables header" },
	{ R "[a b]\n", F ":7: expected '.' or ']' in table header" },
	{ R "[]\n", F ":7: expected a table name" },
	{ R "[a] x\n", F ":7: unexpected text after table header" },
	{ "[[rule]]\n", F ":1: [rule] must be a table, not an array of tables" },
	{ "[rule]\nthreat = 1\n[[rule.threat]]\n",
	  F ":3: 'threat' is already a key with a value, not a table" },
	{ "[rule]\nthreat = 1\n[rule.threat.tactic]\n",
	  F ":3: 'threat' is already a key with a value, not a table" },
	{ R "[a]\n[[a]]\n", F ":8: [[a]] is already a table, not an array of tables" },
	{ R "[[a]]\n[a]\n", F ":8: [a] is already an array of tables" },
	{ R "[rule.threat]\n",
	  F ":7: rule.threat must be an array of tables: write [[rule.threat]]" },
	{ R "[rule.threat.tactic]\nid = \"TA0007\"\n",
	  F ":7: [rule.threat.tactic] outside any [[rule.threat]]" },
	{ R "[[rule.threat]]\n[[rule.threat.tactic]]\n",
	  F ":8: rule.threat.tactic must be a table: write [rule.threat.tactic]" },
	{ R "[[rule.threat]]\n[rule.threat.technique]\n",
	  F ":8: rule.threat.technique must be an array of tables: write [[rule.threat.technique]]" },
	{ R "[[rule.threat]]\n[rule.threat.tactic]\n[rule.threat.tactic]\n",
	  F ":9: table [rule.threat.tactic] defined twice" },
	/* what the plugin needs */
	{ M "[rule]\nrule_id = \"x\"\nname = \"n\"\nrisk_score = 21\nseverity = \"low\"\n",
	  F ":3: missing required key 'query' in [rule]" },
	{ M "[rule]\nname = \"n\"\nrisk_score = 21\nseverity = \"low\"\nquery = \"q\"\n",
	  F ":3: missing required key 'rule_id' in [rule]" },
	{ M "[rule]\nrule_id = \"x\"\nrisk_score = 21\nseverity = \"low\"\nquery = \"q\"\n",
	  F ":3: missing required key 'name' in [rule]" },
	{ M "[rule]\nrule_id = \"x\"\nname = \"n\"\nseverity = \"low\"\nquery = \"q\"\n",
	  F ":3: missing required key 'risk_score' in [rule]" },
	{ M "[rule]\nrule_id = \"x\"\nname = \"n\"\nrisk_score = 21\nquery = \"q\"\n",
	  F ":3: missing required key 'severity' in [rule]" },
	{ "", F ": missing [rule] table" },
	{ "# only a comment\n" M, F ": missing [rule] table" },
	{ R "language = \"kuery\"\n", F ":7: language must be \"eql\", got \"kuery\"" },
	{ R "type = \"query\"\n", F ":7: type must be \"eql\", got \"query\"" },
	{ R "type = \"EQL\"\n", F ":7: type must be \"eql\", got \"EQL\"" },
	{ R "language = [\"eql\"]\n",
	  F ":7: 'language' in [rule] must be a string, not an array" },
	{ "[rule]\nrule_id = \"x\"\nname = \"n\"\nrisk_score = \"21\"\n",
	  F ":4: 'risk_score' in [rule] must be an integer, not a string" },
	{ "[rule]\nrisk_score = 101\n",
	  F ":2: 'risk_score' in [rule] must be between 0 and 100, got 101" },
	{ "[rule]\nrisk_score = -1\n",
	  F ":2: 'risk_score' in [rule] must be between 0 and 100, got -1" },
	{ "[rule]\nseverity = \"urgent\"\n",
	  F ":2: severity must be \"low\", \"medium\", \"high\" or \"critical\", got \"urgent\"" },
	{ R "max_signals = 0\n",
	  F ":7: 'max_signals' in [rule] must be between 1 and 2147483647, got 0" },
	{ R "version = \"2\"\n",
	  F ":7: 'version' in [rule] must be an integer, not a string" },
	{ M "version = 1.0\n", F ":3: floats are not supported" },
	{ "[rule]\nname = true\n",
	  F ":2: 'name' in [rule] must be a string, not a boolean" },
	{ "[rule]\nname = \"  \"\n", F ":2: 'name' in [rule] must not be empty" },
	{ "[rule]\nrule_id = \"\"\n", F ":2: 'rule_id' in [rule] must not be empty" },
	{ "[rule]\nquery = '''\n  \n'''\n",
	  F ":2: 'query' in [rule] must not be empty" },
	{ M "maturity2 = 1\n[metadata.x]\nmaturity = 2\n[rule]\n[metadata.y]\n",
	  F ":6: missing required key 'rule_id' in [rule]" },
	/* threats */
	{ R "[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n",
	  F ":7: [[rule.threat]] has no [rule.threat.tactic]" },
	{ R "[[rule.threat]]\n[rule.threat.tactic]\nid = \"TA0007\"\nname = \"Discovery\"\nreference = \"r\"\n",
	  F ":7: missing required key 'framework' in [[rule.threat]]" },
	{ R "[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n[rule.threat.tactic]\nid = \"TA0007\"\nname = \"Discovery\"\n",
	  F ":9: missing required key 'reference' in [rule.threat.tactic]" },
	{ R "[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n[[rule.threat.technique]]\nname = \"x\"\nreference = \"r\"\n"
	  "[rule.threat.tactic]\nid = \"TA0007\"\nname = \"Discovery\"\nreference = \"r\"\n",
	  F ":9: missing required key 'id' in [[rule.threat.technique]]" },
	{ R "[[rule.threat]]\nframework = 1\n",
	  F ":8: 'framework' in [[rule.threat]] must be a string, not an integer" },
};

static void test_errors(void **state)
{
	size_t i;

	(void)state;
	assert_true(sizeof(err_cases) / sizeof(err_cases[0]) >= 25);
	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		char err[512];
		struct rule_file *rf = parse_str(err_cases[i].text, err,
						 sizeof(err));

		if (rf) {
			rulefile_free(rf);
			fail_msg("case %zu accepted, expected: %s", i,
				 err_cases[i].msg);
		}
		if (strcmp(err, err_cases[i].msg))
			fail_msg("case %zu:\n  got:      %s\n  expected: %s", i,
				 err, err_cases[i].msg);
	}
}

/* Messages are bounded and stay on one line whatever the key. */
static void test_error_shows_keys_safely(void **state)
{
	char err[512], *text, *p;
	size_t n = 100000;

	(void)state;
	text = xmalloc(n + 64);
	strcpy(text, "[rule]\n\"a\\nb\" = 1\n\"a\\nb\" = 2\n");
	assert_null(parse_str(text, err, sizeof(err)));
	assert_string_equal(err, F ":3: duplicate key 'a\\x0ab' in [rule]");

	strcpy(text, "[rule]\n");
	p = text + 7;
	memset(p, 'k', n);
	strcpy(p + n, " x\n");
	assert_null(parse_str(text, err, sizeof(err)));
	assert_true(strncmp(err, F ":2: expected '=' after key 'kkk", 35) == 0);
	if (strlen(err) >= 140)
		fail_msg("%zu: %s", strlen(err), err);
	assert_non_null(strstr(err, "...'"));

	/* a small error buffer truncates, never overflows */
	assert_null(parse_str(text, err, 8));
	assert_string_equal(err, "rules/x");
	assert_null(parse_str(text, NULL, 0));
	free(text);
}

/* Limits that need generated text. */
static void test_string_limits(void **state)
{
	size_t n = 64 * 1024 + 1, i;
	char *text = xmalloc(n + 256), *p, err[512];
	struct rule_file *rf;

	(void)state;
	assert_non_null(text);
	/* query: 64 KiB accepted, one more byte refused */
	p = text + sprintf(text, "[rule]\nrule_id = \"x\"\nname = \"n\"\n"
			   "risk_score = 1\nseverity = \"low\"\nquery = '");
	memset(p, 'q', n - 1);
	strcpy(p + n - 1, "'\n");
	rf = parse_str(text, err, sizeof(err));
	if (!rf)
		fail_msg("%s", err);
	assert_int_equal(strlen(rf->query), 64 * 1024);
	rulefile_free(rf);
	memset(p, 'q', n);
	strcpy(p + n, "'\n");
	assert_null(parse_str(text, err, sizeof(err)));
	assert_string_equal(err, F ":6: 'query' in [rule] is too long (65537 bytes, limit 65536)");

	/* other kept strings: 4 KiB */
	p = text + sprintf(text, "[rule]\nname = \"");
	for (i = 0; i < 4097; i++)
		*p++ = 'n';
	strcpy(p, "\"\n");
	assert_null(parse_str(text, err, sizeof(err)));
	assert_string_equal(err, F ":2: 'name' in [rule] is too long (4097 bytes, limit 4096)");
	free(text);
}

/* ------------------------------------------------------------------ */
/* hostile input */

static void test_nul_bytes(void **state)
{
	static const char text[] = R "note = \"a\0b\"\n";
	char err[512];

	(void)state;
	assert_null(rulefile_parse("n.toml", text, sizeof(text) - 1, err,
				   sizeof(err)));
	assert_string_equal(err, "n.toml:7: NUL byte");
	/* a NUL right at the start, and one alone */
	assert_null(rulefile_parse("n.toml", "\0", 1, err, sizeof(err)));
	assert_string_equal(err, "n.toml:1: NUL byte");
	/* text NULL */
	assert_null(rulefile_parse("n.toml", NULL, 5, err, sizeof(err)));
	assert_string_equal(err, "n.toml: no text");
	assert_null(rulefile_parse(NULL, NULL, 0, err, sizeof(err)));
	assert_string_equal(err, "<buffer>: missing [rule] table");
}

static void test_long_lines(void **state)
{
	size_t n = 1024 * 1024, len;
	char *text = xmalloc(n + 512), *p, err[512];

	(void)state;
	assert_non_null(text);
	/* a 1 MB string that is not kept is fine */
	p = text + sprintf(text, R "note = \"");
	memset(p, 'a', n);
	strcpy(p + n, "\"\n");
	expect_ok(text);
	/* a 1 MB comment line, then an error on the next line */
	p = text + sprintf(text, R "#");
	memset(p, 'c', n);
	strcpy(p + n, "\nx = 1.0\n");
	assert_null(parse_str(text, err, sizeof(err)));
	assert_string_equal(err, F ":8: floats are not supported");
	/* a 1 MB key */
	p = text + sprintf(text, R "[x]\n");
	memset(p, 'k', n);
	strcpy(p + n, " = 1\n");
	expect_ok(text);
	/* a 1 MB multi-line string left open */
	p = text + sprintf(text, R "note = '''");
	memset(p, '\'', 2);
	memset(p + 2, 'z', n);
	p[n + 2] = '\0';
	assert_null(parse_str(text, err, sizeof(err)));
	assert_string_equal(err, F ":7: unterminated multi-line string");
	/* over the file size limit */
	len = 4 * 1024 * 1024 + 1;
	free(text);
	text = calloc(1, len);
	assert_non_null(text);
	assert_null(rulefile_parse("big.toml", text, len, err, sizeof(err)));
	assert_string_equal(err, "big.toml: file too large (4194305 bytes, limit 4194304)");
	free(text);
}

static void test_deep_nesting(void **state)
{
	size_t depth = 100000, i;
	char *text = xmalloc(depth * 2 + 256), *p, err[512];

	(void)state;
	assert_non_null(text);
	p = text + sprintf(text, R "x = ");
	for (i = 0; i < depth; i++)
		*p++ = '[';
	*p = '\0';
	assert_null(parse_str(text, err, sizeof(err)));
	assert_string_equal(err, F ":7: arrays nested too deeply (limit 32)");
	/* exactly at the limit is accepted */
	p = text + sprintf(text, R "x = ");
	for (i = 0; i < 32; i++)
		*p++ = '[';
	for (i = 0; i < 32; i++)
		*p++ = ']';
	strcpy(p, "\n");
	expect_ok(text);
	free(text);
}

static void test_many_keys(void **state)
{
	size_t n = 100000, i;
	char *text = xmalloc(n * 40 + 512), *p, err[512];
	struct rule_file *rf;
	clock_t t0 = clock();

	(void)state;
	assert_non_null(text);
	p = text + sprintf(text, R "[other]\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "k%zu = %zu\n", i, i);
	rf = parse_str(text, err, sizeof(err));
	if (!rf)
		fail_msg("%s", err);
	rulefile_free(rf);
	/* the 100001st repeats the first: line 7 + 1 + 100000 */
	sprintf(p, "k0 = 0\n");
	assert_null(parse_str(text, err, sizeof(err)));
	assert_string_equal(err, F ":100008: duplicate key 'k0' in [other]");
	/* and as many tables */
	p = text + sprintf(text, R);
	for (i = 0; i < n; i++)
		p += sprintf(p, "[[t]]\n[t.u%zu]\n", i);
	expect_ok(text);
	/* linear, not quadratic: well under a few seconds even under ASan */
	assert_true((clock() - t0) / CLOCKS_PER_SEC < 30);
	free(text);
}

static void test_unterminated_at_eof(void **state)
{
	static const struct err_case cases[] = {
		{ R "x = \"", F ":7: unterminated string" },
		{ R "x = '", F ":7: unterminated string" },
		{ R "x = \"\"\"", F ":7: unterminated multi-line string" },
		{ R "x = '''\n\n", F ":7: unterminated multi-line string" },
		{ R "x = \"\"\"ab\"\"", F ":7: unterminated multi-line string" },
		{ R "x = \"\\", F ":7: invalid escape" },
		{ R "x = \"\\u00", F ":7: invalid \\u escape: expected 4 hex digits" },
		{ R "x = [", F ":7: unterminated array" },
		{ R "x = [1,\n# c\n", F ":7: unterminated array" },
		{ R "x = [[1]", F ":7: unterminated array" },
		{ R "x = ", F ":7: missing value" },
		{ R "x", F ":7: expected '=' after key 'x'" },
		{ R "[", F ":7: unterminated table header" },
		{ R "[[", F ":7: unterminated table header" },
		{ R "[a.", F ":7: unterminated table header" },
		{ R "[[a]", F ":7: expected ']]' to close an array-of-tables header" },
		{ R "[\"a", F ":7: unterminated string" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[512];

		assert_null(parse_str(cases[i].text, err, sizeof(err)));
		if (strcmp(err, cases[i].msg))
			fail_msg("case %zu: got %s, expected %s", i, err,
				 cases[i].msg);
	}
}

/* Every prefix of a real file: never a crash, always a located message. */
static void test_truncations(void **state)
{
	char *p = src_path("conf/rules/kernel_seeking_upstream.toml");
	size_t len, i;
	char *text = slurp(p, &len), err[512];

	(void)state;
	assert_non_null(text);
	for (i = 0; i < len; i++) {
		char *copy = malloc(i ? i : 1);
		struct rule_file *rf;

		assert_non_null(copy);
		memcpy(copy, text, i);
		rf = rulefile_parse("t.toml", copy, i, err, sizeof(err));
		if (rf)
			rulefile_free(rf);
		else
			assert_true(strncmp(err, "t.toml:", 7) == 0);
		free(copy);
	}
	free(text);
	free(p);
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random edits of a real file, biased towards TOML's own syntax. */
static void test_mutations(void **state)
{
	static const char interesting[] = "[]\"'\n\r\\=.,#{}0_-+e:\0\x80\xff\t u";
	char *p = src_path("conf/rules/kernel_seeking_hardened.toml");
	size_t len, iter;
	char *text = slurp(p, &len), err[512];
	uint32_t seed = 0x5eed1234;

	(void)state;
	assert_non_null(text);
	for (iter = 0; iter < 3000; iter++) {
		char *m = malloc(len + 16);
		size_t mlen = len, k, edits = 1 + rnd(&seed) % 4;
		struct rule_file *rf;

		assert_non_null(m);
		memcpy(m, text, len);
		for (k = 0; k < edits && mlen > 0; k++) {
			size_t at = rnd(&seed) % mlen;
			char c = interesting[rnd(&seed) % (sizeof(interesting) - 1)];

			switch (rnd(&seed) % 3) {
			case 0:
				m[at] = c;
				break;
			case 1:
				memmove(m + at + 1, m + at, mlen - at);
				m[at] = c;
				mlen++;
				break;
			default:
				memmove(m + at, m + at + 1, mlen - at - 1);
				mlen--;
				break;
			}
		}
		rf = rulefile_parse("m.toml", m, mlen, err, sizeof(err));
		if (rf) {
			assert_non_null(rf->query);
			rulefile_free(rf);
		} else {
			assert_true(strncmp(err, "m.toml", 6) == 0);
		}
		free(m);
	}
	free(text);
	free(p);
}

static void test_load_errors(void **state)
{
	char err[512], dir[] = "/tmp/test_rulefile.XXXXXX", path[600];
	FILE *f;

	(void)state;
	assert_null(rulefile_load("/nonexistent/x.toml", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/x.toml: No such file or directory");
	assert_null(rulefile_load("/", err, sizeof(err)));
	assert_string_equal(err, "/: not a regular file");
	assert_null(rulefile_load(NULL, err, sizeof(err)));

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big.toml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), 5 << 20), 0);
	fclose(f);
	assert_null(rulefile_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "big.toml: file too large (5242880 bytes"));

	/* errors from a file carry its path */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[rule]\nname = \"a\"\nname = \"b\"\n", f);
	fclose(f);
	assert_null(rulefile_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "/big.toml:3: duplicate key 'name' in [rule]"));
	assert_true(strncmp(err, dir, strlen(dir)) == 0);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_file),
		cmocka_unit_test(test_v2_query_is_published),
		cmocka_unit_test(test_upstream_file),
		cmocka_unit_test(test_hardened_file),
		cmocka_unit_test(test_elastic_rules),
		cmocka_unit_test(test_realistic_text),
		cmocka_unit_test(test_small_forms),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_shows_keys_safely),
		cmocka_unit_test(test_string_limits),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_unterminated_at_eof),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_load_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
