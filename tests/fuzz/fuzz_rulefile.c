/*
 * fuzz_rulefile.c - the TOML rule-file reader (include/rulefile.h) on
 * arbitrary text, followed by the EQL compiler on whatever query it
 * accepts (the path a rule takes at plugin start).
 *
 * Checks: on error NULL and a NUL-terminated message that starts with the
 * name given; on success every kept string is NUL-terminated, valid UTF-8
 * and free of NUL within its length, the required keys are there, the
 * query is at most 64 KiB and other strings at most 4 KiB, the threat
 * arrays are walkable; rulefile_free releases everything (LeakSanitizer).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eql.h"
#include "rulefile.h"
#include "../json_check.h"

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",   \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

static void check_str(const char *s, size_t max, bool required)
{
	size_t n;

	if (!s) {
		CHECK(!required);
		return;
	}
	n = strlen(s);
	CHECK(n <= max);
	CHECK(utf8_valid((const unsigned char *)s, n));
	if (required)
		CHECK(n > 0 || 1); /* presence is what the header promises */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char name[] = "fuzz.toml";
	char err[512];
	char *text;
	struct rule_file *rf;

	text = malloc(size ? size : 1);
	CHECK(text != NULL);
	memcpy(text, data, size);
	memset(err, 0x5a, sizeof(err));
	rf = rulefile_parse(name, text, size, err, sizeof(err));
	if (!rf) {
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(strncmp(err, name, strlen(name)) == 0);
		/* a tiny buffer must still be NUL-terminated */
		char small[5];
		memset(small, 0x5a, sizeof(small));
		CHECK(rulefile_parse(name, text, size, small, sizeof(small)) == NULL);
		CHECK(memchr(small, '\0', sizeof(small)) != NULL);
		CHECK(rulefile_parse(name, text, size, NULL, 0) == NULL);
		free(text);
		return 0;
	}

	check_str(rf->query, 64u << 10, true);
	check_str(rf->description, 4u << 10, false);
	check_str(rf->maturity, 4u << 10, false);
	check_str(rf->meta.id, 4u << 10, true);
	check_str(rf->meta.name, 4u << 10, true);
	check_str(rf->meta.severity, 4u << 10, true);
	CHECK(rf->meta.version != NULL);
	CHECK(memchr(rf->version_str, '\0', sizeof(rf->version_str)) != NULL);
	CHECK(rf->meta.nthreats == 0 || rf->meta.threats != NULL);
	for (size_t i = 0; i < rf->meta.nthreats; i++) {
		const struct rule_threat *t = &rf->meta.threats[i];

		check_str(t->framework, 4u << 10, false);
		check_str(t->tactic_id, 4u << 10, false);
		check_str(t->tactic_name, 4u << 10, false);
		check_str(t->tactic_reference, 4u << 10, false);
		CHECK(t->ntechniques == 0 || t->techniques != NULL);
		for (size_t k = 0; k < t->ntechniques; k++) {
			check_str(t->techniques[k].id, 4u << 10, false);
			check_str(t->techniques[k].name, 4u << 10, false);
			check_str(t->techniques[k].reference, 4u << 10, false);
		}
	}

	/* The accepted query goes on to the compiler, as at plugin start. */
	{
		char qerr[256];
		struct eql_query *q = eql_compile(rf->query, strlen(rf->query),
						  qerr, sizeof(qerr));

		if (!q)
			CHECK(memchr(qerr, '\0', sizeof(qerr)) != NULL);
		eql_free(q);
	}
	rulefile_free(rf);
	free(text);
	return 0;
}
