/*
 * argv.h - rebuild one exec's argv from the EXECVE records of its audit event.
 *
 * The kernel (audit_log_execve_info) writes each argument as a quoted string
 * when it is printable and as upper-case hex otherwise; an argument that does
 * not fit one record is written as `aN_len=L aN[0]=… aN[1]=…` over several
 * EXECVE records, each chunk quoted or hex on its own; many arguments spill
 * over into further EXECVE records that carry no `argc`.
 *
 * Guarantees:
 *  - byte-exact: quoted values are taken verbatim, hex is decoded, split
 *    chunks are joined in chunk order before anything else sees them; a
 *    decoded argument stops at its first NUL byte (argv strings are C strings);
 *  - tolerant: fields may come in any number of records; the result holds
 *    the arguments up to the highest index present (never padded to a
 *    larger `argc`: arguments the record does not hold are not invented),
 *    a missing `aN` below it stays in place as an empty argument, as long
 *    as the missing ones number at most those present plus
 *    ARGV_MAX_HOLES (past that the argv ends before the next missing one:
 *    the output stays within a small multiple of the input); a
 *    duplicated field or chunk is ignored (first one wins); undecodable
 *    values are kept literally and set ARGV_BAD_ENCODING;
 *  - honest: anything missing (an `argc` larger than the fields present, a
 *    missing `aN`, a skipped chunk) sets ARGV_INCOMPLETE, and with it
 *    ARGV_TRUNCATED, the one bit that says "not the whole argv" to every
 *    reader (--stats' truncated count, the alert's argv_truncated marker,
 *    the process table);
 *  - bounded: one argument holds at most ARGV_MAX_ARG_BYTES, an event at most
 *    limits.max_total_bytes of argument bytes and limits.max_args arguments;
 *    whatever is cut sets ARGV_TRUNCATED (the event is kept, never dropped);
 *  - allocation failure sets ARGV_NOMEM | ARGV_TRUNCATED; nothing aborts.
 *
 * Cost: linear in the bytes of the fields fed. Buffers grow to the largest
 * event seen (never beyond the limits) and are reused, so steady state does
 * no allocation per event.
 */
#ifndef KS_ARGV_H
#define KS_ARGV_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* The kernel's MAX_ARG_STRLEN: no single argument of a real exec is longer. */
#define ARGV_MAX_ARG_BYTES (128u * 1024u)
/* Missing arguments kept as empty ones beyond as many as came. */
#define ARGV_MAX_HOLES 64u
/* Defaults for struct argv_limits; both are configurable. 1 MiB is half of
 * what the kernel accepts for argv+envp with the usual 8 MiB stack limit. */
#define ARGV_DEFAULT_MAX_TOTAL_BYTES (1024u * 1024u)
#define ARGV_DEFAULT_MAX_ARGS 131072u

enum argv_flags {
	ARGV_TRUNCATED = 1u << 0,     /* not the whole argv: a limit cut it,
				       * or part of it is missing */
	ARGV_INCOMPLETE = 1u << 1,    /* a missing argument or chunk (always
				       * with ARGV_TRUNCATED) */
	ARGV_BAD_ENCODING = 1u << 2,  /* a value neither quoted nor valid hex */
	ARGV_NOMEM = 1u << 3,         /* allocation failed; what fit is kept */
	ARGV_NO_EXECVE = 1u << 4,     /* no EXECVE record at all (set by caller) */
};

struct argv_limits {
	size_t max_total_bytes; /* sum of argument lengths kept per event */
	uint32_t max_args;      /* arguments kept per event */
};

/* One argument: `len` bytes at `ptr`, followed by a NUL at ptr[len]. */
struct argv_arg {
	const char *ptr;
	uint32_t len;
};

/* A rebuilt argv; valid until the builder that made it is reset or freed. */
struct argv {
	uint32_t argc;
	const struct argv_arg *v; /* argc entries */
	size_t total_bytes;       /* sum of v[i].len */
	unsigned flags;           /* enum argv_flags */
};

struct argv_slot; /* private */

struct argv_builder {
	struct argv_limits lim;
	char *buf;                /* argument bytes, each argument contiguous */
	size_t buf_len, buf_cap;
	struct argv_slot *slots;  /* per argument index */
	uint32_t nslots, slots_cap;
	uint32_t argc_field;      /* value of argc=, 0 if none */
	bool have_argc;
	size_t kept_bytes;        /* bytes counted against max_total_bytes */
	struct argv_arg *out;     /* result vector */
	uint32_t out_cap;
	struct argv result;
};

/* Set up an empty builder with the given limits (NULL: defaults). */
void argv_builder_init(struct argv_builder *b, const struct argv_limits *lim);
/* Forget the current event; keeps buffers for reuse. */
void argv_builder_reset(struct argv_builder *b);
void argv_builder_free(struct argv_builder *b);

/*
 * Feed one field of an EXECVE record: `name` as auparse reports it (`argc`,
 * `a3`, `a3_len`, `a3[0]`) and `value` as the raw token from the log
 * (quoted or hex). Unknown names are ignored.
 */
void argv_builder_field(struct argv_builder *b, const char *name,
			const char *value);

/* Finish the event; the result stays valid until reset/free. */
const struct argv *argv_builder_finish(struct argv_builder *b);

/*
 * Decode one audit-encoded value (as auditd writes comm, exe, cwd, key and
 * the arguments): `"text"` gives text, an even run of hex digits gives the
 * bytes, anything else is copied literally and returns false. Output stops at
 * the first decoded NUL and at `cap - 1` bytes, and is always NUL-terminated
 * (cap must be >= 1). *out_len gets the length written; *cut is set when the
 * output was shortened by `cap`.
 */
bool audit_value_decode(const char *raw, size_t raw_len, char *out,
			size_t cap, size_t *out_len, bool *cut);

#endif
