/* waitn.c - waits until DIR holds at least N entries, by inotify rather
 * than by polling with ls: on a 2-core machine an `ls | wc -l` every
 * 10 ms takes CPU from what is being measured.  The directory's own count
 * is authoritative; events only say when to count again.
 * usage: waitn DIR N */
#include <sys/inotify.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* entries - DIR's entries, without . and .. */
static long
entries(const char *dir)
{
	struct dirent *e;
	long n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	char ev[65536];
	long want, have, seen;
	ssize_t r;
	int fd;

	if (argc != 3)
		return fprintf(stderr, "usage: waitn DIR N\n"), 2;
	want = atol(argv[2]);
	if ((fd = inotify_init1(IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(fd, argv[1], IN_MOVED_TO | IN_CREATE) == -1) {
		perror(argv[1]);
		return 1;
	}
	/* every event is at least one new entry: count again only when the
	 * events alone could have reached N, or on an overflow */
	have = seen = entries(argv[1]);
	while (have < want) {
		if ((r = read(fd, ev, sizeof(ev))) <= 0) {
			perror("inotify");
			return 1;
		}
		for (char *p = ev; p < ev + r;
		    p += sizeof(struct inotify_event) +
		    ((struct inotify_event *)p)->len) {
			if (((struct inotify_event *)p)->mask & IN_Q_OVERFLOW)
				seen = want;
			else
				seen++;
		}
		if (seen >= want)
			have = seen = entries(argv[1]);
	}
	return 0;
}
