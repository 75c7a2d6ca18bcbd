/*
 * v2_reference.h - the v2 rule spelled out in C, for the tests only.
 */
#ifndef KS_V2_REFERENCE_H
#define KS_V2_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include "rule.h"

/* What the rule reads from one exec. parent_args NULL: parent unknown. */
struct rule_input {
	const char *name;       /* process.name */
	size_t name_len;
	const struct argv *args;        /* process.args, never NULL */
	const struct argv *parent_args; /* process.parent.args, or NULL */
};

extern const struct rule_meta rule_kernel_seeking_v2_meta;
extern const char rule_kernel_seeking_v2_query[];

bool rule_kernel_seeking_v2(const struct rule_input *in);

extern const struct rule_meta rule_kernel_seeking_v2_meta;
/* The query exactly as published (shared/spec/kernel-seeking-activity). */
extern const char rule_kernel_seeking_v2_query[];

bool rule_kernel_seeking_v2(const struct rule_input *in);

#endif
