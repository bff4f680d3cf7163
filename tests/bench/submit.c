/* submit.c - drops N job files into a spool the way an integrating system
 * does (tmp/ + fsync + rename), optionally one every INTERVAL microseconds,
 * stamping each with its submit time for pickup latency.
 * usage: submit SPOOL TYPE N INTERVAL_US LOGFILE SYNC [CLIENT] */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char tmp[4096], dst[4096], body[4096];
	struct timespec ts;
	int i, n, fd, len, dosync;
	long interval;

	if (argc != 7 && argc != 8)
		return fprintf(stderr, "usage: submit SPOOL TYPE N "
		    "INTERVAL_US LOG SYNC [CLIENT]\n"), 2;
	n = atoi(argv[3]);
	interval = atol(argv[4]);
	dosync = strcmp(argv[6], "yes") == 0 || atoi(argv[6]) > 0;
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		len = snprintf(body, sizeof(body),
		    "{\"type\":\"%s\",\"format\":\"CSV\",%s%s%s\"params\":"
		    "{\"t0\":\"%lld\",\"log\":\"%s\"}}\n", argv[2],
		    argc == 8 ? "\"client\":\"" : "", argc == 8 ? argv[7] : "",
		    argc == 8 ? "\"," : "",
		    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, argv[5]);
		snprintf(tmp, sizeof(tmp), "%s/tmp/bench.%d.%d", argv[1],
		    (int)getpid(), i);
		snprintf(dst, sizeof(dst), "%s/queued/b%d-%06d.job", argv[1],
		    (int)getpid(), i);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd == -1 || write(fd, body, (size_t)len) != len) {
			perror(tmp);
			return 1;
		}
		if (dosync)
			fsync(fd);
		close(fd);
		if (rename(tmp, dst) == -1) {
			perror(dst);
			return 1;
		}
		if (interval > 0)
			usleep((useconds_t)interval);
	}
	return 0;
}
