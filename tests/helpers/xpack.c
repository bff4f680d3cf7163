/* xpack.c - packs a file with xspool's zip code (pack_zip), for the
 * benchmarks.  usage: xpack IN OUT.zip ENTRY LEVEL [PASSWORD] */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "xspool.h"

static ssize_t
from_fd(void *arg, char *buf, size_t len)
{
	return read(*(int *)arg, buf, len);
}

int
main(int argc, char **argv)
{
	char err[ERRLEN];
	int fd;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: xpack IN OUT.zip ENTRY LEVEL [PASSWORD]\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY)) == -1) {
		perror(argv[1]);
		return 1;
	}
	if (pack_zip(argv[2], argv[3], argc == 6 ? argv[5] : NULL,
	    atoi(argv[4]), from_fd, &fd, err, sizeof(err)) == -1) {
		fprintf(stderr, "xpack: %s\n", err);
		return 1;
	}
	close(fd);
	return 0;
}
