/*
 * v2_reference.c - "Kernel Seeking Activity" v2 written out in C, predicate
 * by predicate. The plugin runs the rule as data (the published EQL query
 * in conf/rules/kernel_seeking_v2.toml); this independent spelling is what
 * the tests hold the EQL engine and the rule files against.
 */
#include <string.h>

#include "v2_reference.h"

const char rule_kernel_seeking_v2_query[] =
	"process where host.os.type == \"linux\" and event.type == \"start\" and event.action == \"exec\" and\n"
	"(process.parent.args like \"/boot/*\" or process.args like \"/boot/*\") and (\n"
	"  (process.name == \"tail\" and (process.args like \"-c*\" or process.args == \"--bytes\")) or\n"
	"  (process.name == \"cmp\" and process.args == \"-i\") or\n"
	"  (process.name in (\"hexdump\", \"xxd\") and process.args == \"-s\") or\n"
	"  (process.name == \"dd\" and process.args like \"seek*\")\n"
	")\n";

static const struct rule_technique discovery_techniques[] = {
	{ "T1082", "System Information Discovery",
	  "https://attack.mitre.org/techniques/T1082/" },
};

static const struct rule_technique evasion_techniques[] = {
	{ "T1014", "Rootkit", "https://attack.mitre.org/techniques/T1014/" },
};

static const struct rule_threat v2_threats[] = {
	{ "MITRE ATT&CK", "TA0007", "Discovery",
	  "https://attack.mitre.org/tactics/TA0007/", discovery_techniques, 1 },
	{ "MITRE ATT&CK", "TA0005", "Defense Evasion",
	  "https://attack.mitre.org/tactics/TA0005/", evasion_techniques, 1 },
};

const struct rule_meta rule_kernel_seeking_v2_meta = {
	.id = "3c9f7901-01d8-465d-8dc0-5d46671035fa",
	.name = "Kernel Seeking Activity",
	.version = "2",
	.severity = "low",
	.risk_score = 21,
	.max_signals = 100,
	.threats = v2_threats,
	.nthreats = sizeof(v2_threats) / sizeof(v2_threats[0]),
};

/* process.args like "<prefix>*": some element starts with prefix. */
static bool any_prefix(const struct argv *a, const char *prefix)
{
	size_t n = strlen(prefix);
	uint32_t i;

	for (i = 0; i < a->argc; i++)
		if (a->v[i].len >= n && memcmp(a->v[i].ptr, prefix, n) == 0)
			return true;
	return false;
}

/* process.args == "<s>": some element equals s. */
static bool any_equal(const struct argv *a, const char *s)
{
	size_t n = strlen(s);
	uint32_t i;

	for (i = 0; i < a->argc; i++)
		if (a->v[i].len == n && memcmp(a->v[i].ptr, s, n) == 0)
			return true;
	return false;
}

static bool name_is(const struct rule_input *in, const char *s)
{
	size_t n = strlen(s);

	return in->name_len == n && memcmp(in->name, s, n) == 0;
}

bool rule_kernel_seeking_v2(const struct rule_input *in)
{
	const struct argv *args = in->args;
	bool boot;

	/* Cheapest test first: most execs are none of the five tools. */
	if (!(name_is(in, "tail") || name_is(in, "cmp") ||
	      name_is(in, "hexdump") || name_is(in, "xxd") ||
	      name_is(in, "dd")))
		return false;

	boot = any_prefix(args, "/boot/") ||
	       (in->parent_args && any_prefix(in->parent_args, "/boot/"));
	if (!boot)
		return false;

	if (name_is(in, "tail"))
		return any_prefix(args, "-c") || any_equal(args, "--bytes");
	if (name_is(in, "cmp"))
		return any_equal(args, "-i");
	if (name_is(in, "hexdump") || name_is(in, "xxd"))
		return any_equal(args, "-s");
	return any_prefix(args, "seek");
}
