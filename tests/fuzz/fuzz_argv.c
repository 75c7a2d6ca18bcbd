/*
 * fuzz_argv.c - the EXECVE field decoder (argv_builder_field) and
 * audit_value_decode on arbitrary (name, value) pairs.
 *
 * Input: byte 0 picks the limits (bits 0-1) and a decode cap (bits 2-7);
 * the rest is split into lines; a line is `name=value` (split at the first
 * '='; no '=' means an empty value); an empty line ends the event (finish,
 * check, reset: buffers are reused across events as in the plugin).
 *
 * Checks argv.h's guarantees on every result (NUL after each argument, no
 * NUL inside, lengths add up, limits held) and, with the small limit sets,
 * compares the result with a straightforward model of the documented
 * semantics (first field wins, chunks joined in order, a decoded NUL ends
 * the argument, argc = max(argc, highest index + 1)) whenever no limit cut
 * anything.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",   \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

#define MODEL_MAX_ARGS 64

struct model_arg {
	int state;            /* 0 none, 1 whole, 2 chunked */
	uint32_t next_chunk;
	int ended;
	char *buf;
	size_t len, cap;
};

struct model {
	struct model_arg a[MODEL_MAX_ARGS];
	int have_argc;
	uint64_t argc;
	uint32_t nslots;
	int bad_index;        /* an index at or over max_args was seen */
};

static int hexv(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Reference decoding of one value, whole, stopping at a decoded NUL.
 * Returns a malloc'd buffer (never NULL), *len, *nul. */
static char *ref_decode(const char *v, size_t *len, int *nul, int *literal)
{
	size_t n = strlen(v), i;
	char *out = malloc(n + 1);
	int hex = n > 0 && n % 2 == 0 && v[0] != '"';

	CHECK(out != NULL);
	*nul = 0;
	*literal = 0;
	for (i = 0; hex && i < n; i++)
		if (hexv((unsigned char)v[i]) < 0)
			hex = 0;
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		memcpy(out, v + 1, n - 2);
		*len = n - 2;
	} else if (hex) {
		*len = 0;
		for (i = 0; i < n; i += 2) {
			char c = (char)(hexv((unsigned char)v[i]) << 4 |
					hexv((unsigned char)v[i + 1]));
			if (c == 0) {
				*nul = 1;
				break;
			}
			out[(*len)++] = c;
		}
	} else {
		memcpy(out, v, n);
		*len = n;
		*literal = 1;
	}
	out[*len] = '\0';
	return out;
}

static int parse_idx(const char **pp, uint64_t max, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;

	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			return 0;
	}
	*pp = p;
	*out = v;
	return 1;
}

static void model_append(struct model_arg *m, const char *v)
{
	size_t n;
	int nul, lit;
	char *d = ref_decode(v, &n, &nul, &lit);

	if (m->len + n + 1 > m->cap) {
		m->cap = (m->len + n + 1) * 2;
		m->buf = realloc(m->buf, m->cap);
		CHECK(m->buf != NULL);
	}
	memcpy(m->buf + m->len, d, n);
	m->len += n;
	if (nul)
		m->ended = 1;
	free(d);
}

static void model_field(struct model *m, uint32_t max_args, const char *name,
			const char *value)
{
	const char *p;
	uint64_t idx, chunk;
	struct model_arg *a;

	if (name[0] != 'a')
		return;
	if (strcmp(name, "argc") == 0) {
		uint64_t v = 0;

		if (!*value)
			return;
		for (p = value; *p; p++) {
			if (*p < '0' || *p > '9')
				return;
			v = v > UINT32_MAX ? v : v * 10 + (uint64_t)(*p - '0');
		}
		if (!m->have_argc) {
			m->have_argc = 1;
			m->argc = v > UINT32_MAX ? UINT32_MAX : v;
		}
		return;
	}
	p = name + 1;
	if (!parse_idx(&p, UINT32_MAX, &idx))
		return;
	if (*p == '\0') {
		chunk = UINT64_MAX; /* whole */
	} else {
		if (*p != '[')
			return;
		p++;
		if (!parse_idx(&p, UINT32_MAX - 1, &chunk) || p[0] != ']' || p[1])
			return;
	}
	if (idx >= max_args) {
		m->bad_index = 1;
		return;
	}
	CHECK(idx < MODEL_MAX_ARGS);
	if (idx + 1 > m->nslots)
		m->nslots = (uint32_t)idx + 1;
	a = &m->a[idx];
	if (chunk == UINT64_MAX) {
		if (a->state != 0)
			return;
		a->state = 1;
		model_append(a, value);
		return;
	}
	if (a->state == 1 || (a->state == 2 && chunk < a->next_chunk))
		return;
	a->state = 2;
	a->next_chunk = (uint32_t)chunk + 1;
	if (!a->ended)
		model_append(a, value);
}

static void model_reset(struct model *m)
{
	for (int i = 0; i < MODEL_MAX_ARGS; i++)
		free(m->a[i].buf);
	memset(m, 0, sizeof(*m));
}

static void check_result(const struct argv *r, const struct argv_limits *lim,
			 const struct model *m)
{
	size_t total = 0;

	CHECK(r->argc <= lim->max_args);
	CHECK(r->argc == 0 || r->v != NULL);
	for (uint32_t i = 0; i < r->argc; i++) {
		CHECK(r->v[i].ptr != NULL);
		CHECK(r->v[i].len <= ARGV_MAX_ARG_BYTES);
		CHECK(r->v[i].ptr[r->v[i].len] == '\0');
		CHECK(memchr(r->v[i].ptr, '\0', r->v[i].len) == NULL);
		total += r->v[i].len;
	}
	CHECK(total == r->total_bytes);
	CHECK(total <= lim->max_total_bytes);
	if (m->bad_index)
		CHECK(r->flags & ARGV_TRUNCATED);
	if (r->flags & ARGV_INCOMPLETE)
		CHECK(r->flags & ARGV_TRUNCATED);
	if (!m || lim->max_args > MODEL_MAX_ARGS)
		return;
	/* never padded past the fields; a short argv is flagged cut */
	CHECK(r->argc <= m->nslots);
	if (m->have_argc && m->argc > m->nslots)
		CHECK(r->flags & ARGV_TRUNCATED);
	if (r->flags & (ARGV_TRUNCATED | ARGV_NOMEM))
		return;

	/* nothing was cut: the result must be exactly the model's */
	uint64_t argc = m->nslots;

	CHECK(r->argc == argc);
	for (uint32_t i = 0; i < r->argc; i++) {
		const struct model_arg *a = i < MODEL_MAX_ARGS ? &m->a[i] : NULL;
		size_t len = a ? a->len : 0;

		if (r->v[i].len != len ||
		    (len && memcmp(r->v[i].ptr, a->buf, len) != 0)) {
			fprintf(stderr, "argv[%u]: got %u bytes, model %zu\n", i,
				r->v[i].len, len);
			abort();
		}
		if (!a || a->state == 0)
			CHECK(r->flags & ARGV_INCOMPLETE);
	}
}

static void check_decode(const char *value, size_t cap)
{
	char *out = malloc(cap ? cap : 1);
	size_t n = 12345, rlen;
	bool cut = false;
	int nul, lit;
	char *ref;

	CHECK(out != NULL);
	if (cap == 0) {
		/* contract says cap >= 1; it must still not write */
		audit_value_decode(value, strlen(value), NULL, 0, &n, &cut);
		free(out);
		return;
	}
	memset(out, 0x5a, cap);
	bool enc = audit_value_decode(value, strlen(value), out, cap, &n, &cut);
	ref = ref_decode(value, &rlen, &nul, &lit);
	CHECK(enc == !lit);
	CHECK(n < cap);
	CHECK(out[n] == '\0');
	CHECK(memchr(out, '\0', n) == NULL);
	if (!cut) {
		CHECK(n == rlen);
	} else {
		CHECK(rlen > n);
		CHECK(n == cap - 1);
	}
	CHECK(memcmp(out, ref, n) == 0);
	free(ref);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct argv_limits lims[4] = {
		{ ARGV_DEFAULT_MAX_TOTAL_BYTES, ARGV_DEFAULT_MAX_ARGS },
		{ 4096, 64 },
		{ 16, 4 },
		{ 200000, 8 },
	};
	static struct model m;
	struct argv_builder b;
	const struct argv_limits *lim;
	size_t cap, i = 1;
	char *text;

	if (size < 1)
		return 0;
	lim = &lims[data[0] & 3];
	cap = (size_t)(data[0] >> 2);
	argv_builder_init(&b, lim);
	model_reset(&m);

	text = malloc(size);
	CHECK(text != NULL);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	/* NUL bytes in the input end a C string early: that is what auparse
	 * would hand over too. */
	while (i < size) {
		char *line = text + (i - 1);
		char *nl = memchr(line, '\n', size - i);
		size_t llen = nl ? (size_t)(nl - line) : size - i;
		char *eq;

		line[llen] = '\0';
		i += llen + 1;
		if (line[0] == '\0' && llen == 0) {
			check_result(argv_builder_finish(&b), lim, &m);
			argv_builder_reset(&b);
			model_reset(&m);
			continue;
		}
		eq = strchr(line, '=');
		if (eq)
			*eq++ = '\0';
		else
			eq = line + strlen(line);
		argv_builder_field(&b, line, eq);
		if (lim->max_args <= MODEL_MAX_ARGS)
			model_field(&m, lim->max_args, line, eq);
		check_decode(eq, cap);
	}
	check_result(argv_builder_finish(&b), lim, &m);
	/* finishing twice gives the same result */
	{
		const struct argv *r1 = argv_builder_finish(&b);
		uint32_t argc = r1->argc;

		CHECK(argv_builder_finish(&b)->argc == argc);
	}
	argv_builder_free(&b);
	model_reset(&m);
	free(text);
	return 0;
}
