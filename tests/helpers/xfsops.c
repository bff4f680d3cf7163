/*
 * xfsops - the file system calls the NFS tests ask about, with the errno
 * they got printed by name (ok on success):
 *
 *   xfsops noreplace FROM TO	renameat2(RENAME_NOREPLACE)
 *   xfsops exchange FROM TO	renameat2(RENAME_EXCHANGE)
 *   xfsops link FROM TO	link(2)
 *   xfsops inotify DIR READY	watch DIR (create, moved-to, close-write,
 *				delete); write READY when the watch is in
 *				place; print the name of the first event
 *				and exit 0 (exit 1 after 300 s with none)
 *
 * Exit status 0 when the call was made (whatever it returned), 2 on a
 * usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

static void
usage(void)
{
	fprintf(stderr, "usage: xfsops noreplace|exchange|link FROM TO\n"
	    "       xfsops inotify DIR READYFILE\n");
	exit(2);
}

static int
result(int r)
{
	if (r == 0)
		printf("ok\n");
	else
		printf("%s\n", strerrorname_np(errno) ? strerrorname_np(errno) :
		    "unknown");
	return 0;
}

static int
watch(const char *dir, const char *ready)
{
	char buf[4096] __attribute__((aligned(8)));
	struct inotify_event *ev;
	struct pollfd pfd;
	ssize_t n;
	int fd;

	if ((fd = inotify_init1(IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO |
	    IN_CLOSE_WRITE | IN_DELETE) == -1) {
		perror(dir);
		return 1;
	}
	if (close(open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1) {
		perror(ready);
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 300 * 1000) != 1) {
		printf("(no event)\n");
		return 1;
	}
	if ((n = read(fd, buf, sizeof(buf))) <= 0) {
		perror("read");
		return 1;
	}
	ev = (struct inotify_event *)buf;
	printf("%s\n", ev->len ? ev->name : "(no name)");
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc != 4)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "noreplace") == 0)
		return result(renameat2(AT_FDCWD, argv[2], AT_FDCWD, argv[3],
		    RENAME_NOREPLACE));
	if (strcmp(argv[1], "exchange") == 0)
		return result(renameat2(AT_FDCWD, argv[2], AT_FDCWD, argv[3],
		    RENAME_EXCHANGE));
	if (strcmp(argv[1], "link") == 0)
		return result(link(argv[2], argv[3]));
	if (strcmp(argv[1], "inotify") == 0)
		return watch(argv[2], argv[3]);
	usage();
	return 2;
}
