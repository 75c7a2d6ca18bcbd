/*
 * version_lock.h - rule versions from a detection-rules checkout's
 * detection_rules/etc/version.lock.json.
 *
 * Elastic's rule files carry no version: the repository keeps them in that
 * file, an object whose keys are rule ids and whose values are objects
 * with a "version" number (among others, some of them objects holding
 * "version" too). Only a rule id's own top-level "version" is read.
 *
 * Bounded: files over VERSION_LOCK_MAX_BYTES, nesting deeper than 32 and
 * malformed JSON are rejected with a message; rule ids over 127 bytes are
 * ignored. Cost: one pass to read, a sort; a lookup is a binary search.
 */
#ifndef KS_VERSION_LOCK_H
#define KS_VERSION_LOCK_H

#include <stddef.h>
#include <stdint.h>

#define VERSION_LOCK_MAX_BYTES (64u * 1024u * 1024u)
/* Where it is, under a checkout's top directory. */
#define VERSION_LOCK_PATH "detection_rules/etc/version.lock.json"

struct version_lock_entry {
	char id[128];
	int64_t version;
};

struct version_lock {
	struct version_lock_entry *e;
	size_t n;
};

/* Parse text[0..len); 0, or -1 with a message in err ("byte N: ..."). */
int version_lock_parse(struct version_lock *vl, const char *text, size_t len,
		       char *err, size_t errlen);
/* Read the file at path; -1 with errno ENOENT when there is none. */
int version_lock_load(struct version_lock *vl, const char *path, char *err,
		      size_t errlen);
/* The version of rule id, or -1 when the lock does not list it. */
int64_t version_lock_get(const struct version_lock *vl, const char *id);
void version_lock_free(struct version_lock *vl);

#endif
