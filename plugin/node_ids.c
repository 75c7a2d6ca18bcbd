/*
 * node_ids.c - node= names to small ids, as described in node_ids.h.
 *
 * Layout: name[id - 1] is the malloc'd copy of the name with that id; the
 * index is open addressing with linear probing over 2 * NODE_IDS_MAX
 * 16-bit slots holding an id (0 = empty). Nothing is ever removed, so
 * there is no deletion to handle, and the load factor stays at most 1/2.
 */
#include <stdlib.h>
#include <string.h>

#include "exec_event.h"
#include "node_ids.h"

#define NI_SLOTS (2u * NODE_IDS_MAX)
_Static_assert((NI_SLOTS & (NI_SLOTS - 1)) == 0, "slots: a power of two");
_Static_assert(NODE_IDS_MAX < UINT16_MAX, "ids fit a 16-bit slot");

struct node_ids {
	char *name[NODE_IDS_MAX];
	uint16_t slot[NI_SLOTS];
	uint32_t count;
	uint32_t last;          /* id of the previous lookup, 0 for none */
	uint64_t overflowed;
};

static uint32_t ni_hash(const char *s, size_t len)
{
	uint32_t h = 0x811c9dc5u; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x01000193u;
	return h;
}

struct node_ids *node_ids_new(void)
{
	return calloc(1, sizeof(struct node_ids));
}

void node_ids_free(struct node_ids *n)
{
	uint32_t i;

	if (!n)
		return;
	for (i = 0; i < n->count; i++)
		free(n->name[i]);
	free(n);
}

uint32_t node_ids_get(struct node_ids *n, const char *node)
{
	size_t len;
	uint32_t i;
	char *copy;

	if (!node || !node[0])
		return NODE_ID_NONE;
	if (!n)
		return NODE_ID_OVERFLOW;
	if (n->last && strcmp(n->name[n->last - 1], node) == 0)
		return n->last;
	len = strnlen(node, EXEC_NODE_MAX - 1);
	i = ni_hash(node, len) & (NI_SLOTS - 1);
	for (;;) {
		uint16_t id = n->slot[i];

		if (!id)
			break;
		if (strncmp(n->name[id - 1], node, len) == 0 &&
		    n->name[id - 1][len] == '\0') {
			n->last = id;
			return id;
		}
		i = (i + 1) & (NI_SLOTS - 1);
	}
	if (n->count == NODE_IDS_MAX || !(copy = malloc(len + 1))) {
		n->overflowed++;
		return NODE_ID_OVERFLOW;
	}
	memcpy(copy, node, len);
	copy[len] = '\0';
	n->name[n->count++] = copy;
	n->slot[i] = (uint16_t)n->count;
	n->last = n->count;
	return n->count;
}

const char *node_ids_name(const struct node_ids *n, uint32_t id)
{
	if (id == NODE_ID_NONE)
		return "";
	if (!n || id > n->count)
		return NULL;
	return n->name[id - 1];
}

void node_ids_stats(const struct node_ids *n, struct node_ids_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	s->nodes = n->count;
	s->overflowed = n->overflowed;
}
