/*
 * rule.c - "Kernel Seeking Activity" v2, predicate by predicate, with EQL's
 * exact semantics (see rule.h).
 */
#include "config.h"

#include <string.h>

#include "rule.h"

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

static inline unsigned char fold(unsigned char c, bool icase)
{
	return icase && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

bool wildcard_match(const char *p, size_t plen, const char *s, size_t slen,
		    bool icase)
{
	size_t pi = 0, si = 0;
	size_t star_p = (size_t)-1, star_s = 0;

	/* Classic greedy glob: on a mismatch, let the last `*` swallow one
	 * more byte. Only the last star needs remembering, so this is
	 * O(plen * slen) at worst and linear for the prefix patterns the
	 * rule uses. */
	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			star_p = pi++;
			star_s = si;
		} else if (pi < plen &&
			   (p[pi] == '?' ||
			    fold((unsigned char)p[pi], icase) ==
				    fold((unsigned char)s[si], icase))) {
			pi++;
			si++;
		} else if (star_p != (size_t)-1) {
			pi = star_p + 1;
			si = ++star_s;
		} else {
			return false;
		}
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

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
