/* atomic.c - one atomic write, one call per step (as git's lockfile): a
 * temporary file, its text, fsync and close, the rename into place, the
 * directory's fsync.  The spool, whose renames must not replace, makes
 * its temporary files in tmp/ (spool_tmpfile) and its own move, and uses
 * the other steps; the keys file and the shim's port file use them all. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

int
atomic_open(struct atomic *a, const char *path, mode_t mode, int sync)
{
	char rnd[9];
	int n;

	a->fd = -1;
	a->sync = sync;
	a->tmp[0] = '\0';
	if (random_hex(rnd, 4) == -1)
		return -1;
	n = snprintf(a->tmp, sizeof(a->tmp), "%s.tmp.%ld.%s", path,
	    (long)getpid(), rnd);
	if (n < 0 || (size_t)n >= sizeof(a->tmp)) {
		a->tmp[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	a->fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (a->fd == -1) {
		a->tmp[0] = '\0';
		return -1;
	}
	return 0;
}

void
atomic_adopt(struct atomic *a, int fd, const char *tmp, int sync)
{
	a->fd = fd;
	a->sync = sync;
	snprintf(a->tmp, sizeof(a->tmp), "%s", tmp);
}

void
atomic_abort(struct atomic *a)
{
	int saved = errno;

	if (a->fd != -1)
		close(a->fd);
	a->fd = -1;
	if (a->tmp[0] != '\0')
		unlink(a->tmp);
	a->tmp[0] = '\0';
	errno = saved;
}

int
atomic_write(struct atomic *a, const void *p, size_t n)
{
	if (write_all(a->fd, p, n) == -1) {
		atomic_abort(a);
		return -1;
	}
	return 0;
}

int
atomic_close(struct atomic *a)
{
	int fd = a->fd;

	if (fd == -1)
		return 0;
	if (a->sync && fsync(fd) == -1) {
		atomic_abort(a);
		return -1;
	}
	a->fd = -1;
	if (close(fd) == -1) {
		atomic_abort(a);
		return -1;
	}
	return 0;
}

int
atomic_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL)
		return fsync_dir(".");
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	return fsync_dir(dir);
}

int
atomic_commit(struct atomic *a, const char *path)
{
	if (atomic_close(a) == -1)
		return -1;
	if (rename(a->tmp, path) == -1) {
		atomic_abort(a);
		return -1;
	}
	a->tmp[0] = '\0';
	return a->sync ? atomic_sync_dir(path) : 0;
}

int
atomic_write_file(const char *path, const void *p, size_t n, mode_t mode,
    int sync)
{
	struct atomic a;

	if (atomic_open(&a, path, mode, sync) == -1 ||
	    atomic_write(&a, p, n) == -1)
		return -1;
	return atomic_commit(&a, path);
}
