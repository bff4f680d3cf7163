/* fsbare.c - the physical limit of job throughput on a file system: only
 * the file-system work of one xspool job, N times, nothing else.
 * usage: fsbare DIR N SYNC(0|1) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int dosync;

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void
syncdir(const char *path)
{
	int fd;

	if (!dosync)
		return;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY)) == -1 || fsync(fd) == -1)
		die(path);
	close(fd);
}

/* put - create path exclusively with n bytes of data, fsync it */
static void
put(const char *path, const char *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	if (fd == -1 || write(fd, data, n) != (ssize_t)n)
		die(path);
	if (dosync && fsync(fd) == -1)
		die("fsync");
	close(fd);
}

static void
mv(const char *from, const char *to)
{
	if (rename(from, to) == -1)
		die(from);
}

int
main(int argc, char **argv)
{
	char a[4096], b[4096], out[1024], job[256];
	const char *sub[] = { "tmp", "queued", "processing", "completed",
	    "out" };
	struct timespec t0, t1;
	int i, n;
	double s;

	if (argc != 4)
		return fprintf(stderr, "usage: fsbare DIR N SYNC\n"), 2;
	n = atoi(argv[2]);
	dosync = atoi(argv[3]);
	for (i = 0; i < 5; i++) {
		snprintf(a, sizeof(a), "%s/%s", argv[1], sub[i]);
		mkdir(a, 0700);
	}
	memset(out, 'x', sizeof(out));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		int len = snprintf(job, sizeof(job),
		    "{\"id\":\"job%d\",\"type\":\"Tiny\",\"format\":\"CSV\"}\n",
		    i);
		char d[4096];

		snprintf(a, sizeof(a), "%s/tmp/%d.job", argv[1], i);
		put(a, job, (size_t)len);
		snprintf(b, sizeof(b), "%s/queued/%d.job", argv[1], i);
		mv(a, b);
		snprintf(d, sizeof(d), "%s/queued", argv[1]);
		syncdir(d);
		snprintf(a, sizeof(a), "%s/processing/%d.job", argv[1], i);
		mv(b, a);
		snprintf(d, sizeof(d), "%s/processing", argv[1]);
		syncdir(d);
		snprintf(b, sizeof(b), "%s/tmp/%d.zip", argv[1], i);
		put(b, out, sizeof(out));
		snprintf(d, sizeof(d), "%s/out/%d.zip", argv[1], i);
		mv(b, d);
		snprintf(d, sizeof(d), "%s/out", argv[1]);
		syncdir(d);
		snprintf(b, sizeof(b), "%s/completed/%d.job", argv[1], i);
		mv(a, b);
		snprintf(d, sizeof(d), "%s/completed", argv[1]);
		syncdir(d);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.1f\n", n / s);
	return 0;
}
