/*
 * fuzz_config.c - the configuration file reader on arbitrary content.
 *
 * conf_load() takes a path, so the input is written to a memfd (mode 0600:
 * conf_load refuses world-writable files, and memfds start as 0777) and
 * loaded through /proc/self/fd/N. Checks conf.h's promises: all or nothing
 * (*out untouched on error), values inside their documented bounds on
 * success, error messages that name the file and carry no raw control
 * bytes, and conf_describe always NUL-terminated.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",   \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Key by key: struct assignment need not copy padding. */
static int conf_eq(const struct ks_conf *a, const struct ks_conf *b)
{
	for (size_t i = 0; i < conf_nkeys; i++)
		if (!conf_same(&conf_keys[i], a, b))
			return 0;
	return 1;
}

static int memfd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ks_conf c, sentinel;
	char err[512], desc[512];
	int rc, saved;
	size_t off = 0;

	if (memfd < 0) {
		memfd = memfd_create("ks-fuzz-conf", MFD_CLOEXEC);
		CHECK(memfd >= 0);
		CHECK(fchmod(memfd, 0600) == 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	CHECK(ftruncate(memfd, 0) == 0);
	while (off < size) {
		ssize_t n = pwrite(memfd, data + off, size - off, (off_t)off);

		CHECK(n > 0);
		off += (size_t)n;
	}

	memset(&sentinel, 0xa5, sizeof(sentinel));
	c = sentinel;
	memset(err, 0x5a, sizeof(err));
	errno = 0;
	rc = conf_load(path, &c, err, sizeof(err));
	saved = errno;
	if (rc != 0) {
		size_t n;

		CHECK(rc == -1);
		CHECK(memcmp(&c, &sentinel, sizeof(c)) == 0);
		CHECK(saved == EINVAL);
		n = strnlen(err, sizeof(err));
		CHECK(n < sizeof(err));
		CHECK(strncmp(err, path, strlen(path)) == 0);
		for (size_t i = 0; i < n; i++)
			CHECK((unsigned char)err[i] >= 0x20 &&
			      (unsigned char)err[i] <= 0x7e);
		/* an error with errlen 0 must not write anywhere */
		CHECK(conf_load(path, &c, NULL, 0) == -1);
		CHECK(memcmp(&c, &sentinel, sizeof(c)) == 0);
		return 0;
	}

	CHECK(rc == 0);
	for (size_t i = 0; i < conf_nkeys; i++) {
		char v[CONF_LINE_MAX + 1];

		/* every value loaded reads back as the file may spell it */
		CHECK(strcmp(conf_value(&conf_keys[i], &c, v, sizeof(v)),
			     "unknown") != 0);
	}
	CHECK(c.format == ALERT_FORMAT_TEXT || c.format == ALERT_FORMAT_JSON);
	CHECK(c.max_message_size >= CONF_MIN_MAX_MESSAGE_SIZE &&
	      c.max_message_size <= CONF_MAX_MAX_MESSAGE_SIZE);
#ifdef CONF_THROTTLE_PER_RULE
	CHECK(c.throttle_max_alerts <= CONF_MAX_THROTTLE_MAX_ALERTS ||
	      c.throttle_max_alerts == CONF_THROTTLE_PER_RULE);
#else
	CHECK(c.throttle_max_alerts <= CONF_MAX_THROTTLE_MAX_ALERTS);
#endif
	CHECK(c.throttle_window <= CONF_MAX_THROTTLE_WINDOW);
	CHECK(c.process_table_size >= CONF_MIN_PROCESS_TABLE_SIZE &&
	      c.process_table_size <= CONF_MAX_PROCESS_TABLE_SIZE);
	CHECK(c.max_argv_bytes >= CONF_MIN_MAX_ARGV_BYTES &&
	      c.max_argv_bytes <= CONF_MAX_MAX_ARGV_BYTES);
#ifdef CONF_RULES_MAX
	CHECK(memchr(c.rules_dir, '\0', sizeof(c.rules_dir)) != NULL);
	CHECK(memchr(c.local_rules_dir, '\0', sizeof(c.local_rules_dir)) != NULL);
	CHECK(memchr(c.rules, '\0', sizeof(c.rules)) != NULL);
	CHECK(memchr(c.log_socket, '\0', sizeof(c.log_socket)) != NULL);
#endif
#ifdef CONF_MAX_HEARTBEAT_INTERVAL
	CHECK(c.heartbeat_interval <= CONF_MAX_HEARTBEAT_INTERVAL);
	CHECK(c.state_save_interval <= CONF_MAX_STATE_SAVE_INTERVAL);
	/* nothing (off) or an absolute path */
	CHECK(memchr(c.state_file, '\0', sizeof(c.state_file)) != NULL);
	CHECK(c.state_file[0] == '\0' || c.state_file[0] == '/');
#endif
	/* A config that loads is never bigger than the line limit allows
	 * and never contains NUL. */
	CHECK(memchr(data, '\0', size) == NULL);

	for (size_t len = 0; len < 80; len += 13) {
		memset(desc, 0x5a, sizeof(desc));
		conf_describe(&c, desc, len);
		if (len)
			CHECK(strnlen(desc, len) < len);
	}
	conf_describe(&c, desc, sizeof(desc));
	CHECK(strstr(desc, "facility=") == desc);

	/* Loading the same bytes again gives the same settings. */
	{
		struct ks_conf again = sentinel;

		CHECK(conf_load(path, &again, NULL, 0) == 0);
		CHECK(conf_eq(&again, &c));
	}
	return 0;
}
