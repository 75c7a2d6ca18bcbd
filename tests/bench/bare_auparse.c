/*
 * bare_auparse.c - the cost floor of any auparse-based plugin: read a file in
 * 64 KiB chunks into auparse_feed; the callback only walks the records of
 * each event (auparse_goto_record_num + auparse_get_type), as
 * audisp-example.c does. Prints events and records seen to stderr.
 *
 *   cc -O2 -o bare_auparse bare_auparse.c -lauparse -laudit
 *   bare_auparse FILE
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <auparse.h>

static unsigned long events, records, types;

static void cb(auparse_state_t *au, auparse_cb_event_t t, void *d)
{
	unsigned i, n;

	(void)d;
	if (t != AUPARSE_CB_EVENT_READY)
		return;
	events++;
	n = auparse_get_num_records(au);
	for (i = 0; i < n; i++) {
		if (auparse_goto_record_num(au, i) <= 0)
			break;
		records++;
		types += (unsigned)auparse_get_type(au);
	}
}

int main(int argc, char **argv)
{
	static char buf[64 * 1024];
	auparse_state_t *au;
	ssize_t n;
	int fd;

	if (argc != 2 || (fd = open(argv[1], O_RDONLY)) < 0) {
		fprintf(stderr, "usage: bare_auparse FILE\n");
		return 2;
	}
	au = auparse_init(AUSOURCE_FEED, NULL);
	if (!au)
		return 2;
	auparse_set_eoe_timeout(2);
	auparse_add_callback(au, cb, NULL, NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		auparse_feed(au, buf, (size_t)n);
	auparse_flush_feed(au);
	auparse_destroy(au);
	close(fd);
	fprintf(stderr, "events=%lu records=%lu (%lu)\n", events, records, types);
	return 0;
}
