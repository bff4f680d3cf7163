/* xdrop.c - drops many job files into a spool from one process, the way an
 * integrating system does; for the NFS tests and benchmarks, where a
 * process per job (echo > file, mv) costs more than the job
 * (tests/nfs/README).
 *   xdrop [-m|-k] [-s] [-t] [-i US] [-T TYPE] SPOOL PREFIX FROM TO LOG
 * writes the jobs PREFIX-FROM .. PREFIX-TO, each
 *	{"type": TYPE, "format": "CSV", "params": {"log": LOG[, "t0": NS]}}
 * straight into SPOOL/queued/PREFIX-I.job (created, written, closed), or
 * with -m into SPOOL/tmp/PREFIX-I and then renamed into queued/, or with
 * -k into SPOOL/tmp/PREFIX-I.job, left there (for one mv of them all).  -s
 * fsyncs each file before its close or rename; -t adds "t0", the
 * CLOCK_REALTIME in ns just before the file is written (pickup latency,
 * see xrunlog); -i sleeps US microseconds after each job.  TYPE defaults
 * to Ok.  Prints each id once its file is in queued/ (tmp/ with -k).  Exit 0, 1 on the
 * first failure (with a message), 2 on usage. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
usage(void)
{
	fprintf(stderr, "usage: xdrop [-m|-k] [-s] [-t] [-i US] [-T TYPE] "
	    "SPOOL PREFIX FROM TO LOG\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *type = "Ok", *spool, *prefix, *log;
	char tmp[4096], dst[4096], body[4096], t0[64];
	int c, fd, len, mv = 0, keep = 0, dosync = 0, stamp = 0;
	long from, to, i, interval = 0;
	struct timespec ts;

	while ((c = getopt(argc, argv, "mksti:T:")) != -1) {
		switch (c) {
		case 'm': mv = 1; break;
		case 'k': keep = 1; break;
		case 's': dosync = 1; break;
		case 't': stamp = 1; break;
		case 'i': interval = atol(optarg); break;
		case 'T': type = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 5)
		usage();
	spool = argv[0];
	prefix = argv[1];
	from = atol(argv[2]);
	to = atol(argv[3]);
	log = argv[4];
	for (i = from; i <= to; i++) {
		t0[0] = '\0';
		if (stamp) {
			clock_gettime(CLOCK_REALTIME, &ts);
			snprintf(t0, sizeof(t0), ", \"t0\": \"%lld\"",
			    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
		}
		len = snprintf(body, sizeof(body), "{\"type\": \"%s\", "
		    "\"format\": \"CSV\", \"params\": {\"log\": \"%s\"%s}}\n",
		    type, log, t0);
		if (len < 0 || (size_t)len >= sizeof(body))
			return fprintf(stderr, "xdrop: body too long\n"), 1;
		snprintf(dst, sizeof(dst), "%s/queued/%s-%ld.job", spool,
		    prefix, i);
		snprintf(tmp, sizeof(tmp), "%s/tmp/%s-%ld%s", spool, prefix, i,
		    keep ? ".job" : "");
		if (keep)
			memcpy(dst, tmp, sizeof(dst));
		if ((fd = open(mv ? tmp : dst, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC, 0644)) == -1 ||
		    write(fd, body, (size_t)len) != len ||
		    (dosync && fsync(fd) == -1) || close(fd) == -1) {
			fprintf(stderr, "xdrop: %s: %s\n", mv ? tmp : dst,
			    strerror(errno));
			return 1;
		}
		if (mv && rename(tmp, dst) == -1) {
			fprintf(stderr, "xdrop: rename %s: %s\n", dst,
			    strerror(errno));
			return 1;
		}
		printf("%s-%ld\n", prefix, i);
		if (interval > 0) {
			fflush(stdout);
			usleep((useconds_t)interval);
		}
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
