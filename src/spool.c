/* spool.c - the spool's directories, paths and spool_move(): the only code
 * that renames job files.  Maildir's rule: write in tmp/, fsync, rename.
 * Finding and reading jobs is spool_read.c's (spool.h: what they share). */
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include <linux/magic.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"
#include "spool.h"

#define BAD_MAX		255

/* the spool's directories, in enum sdir's order: the one table of them */
const char *const spool_dirs[NSDIRS] = {
	"tmp", "queued", "processing", "failed", "completed", "cancelled",
	"out", "bad", "nodes", "notify",
};

/* node_valid - node names are used as directory names */
int
node_valid(const char *n)
{
	size_t i;

	if (n == NULL || n[0] == '\0' || n[0] == '.' || n[0] == '-')
		return 0;
	for (i = 0; n[i] != '\0'; i++) {
		if (i >= NODE_MAX)
			return 0;
		if (!((n[i] >= 'a' && n[i] <= 'z') ||
		    (n[i] >= 'A' && n[i] <= 'Z') ||
		    (n[i] >= '0' && n[i] <= '9') ||
		    n[i] == '.' || n[i] == '_' || n[i] == '-'))
			return 0;
	}
	return 1;
}

/* fmt_path - snprintf that fails with ENAMETOOLONG instead of truncating */
int
fmt_path(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int
fmt_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* check_dir - an existing directory is left as it is; warn when the
 * spool's group could not use it (2770 of that group is what we make) */
static void
check_dir(const char *path, long gid)
{
	struct stat sb;

	if (gid < 0 || stat(path, &sb) == -1)
		return;
	if ((long)sb.st_gid != gid || (sb.st_mode & 02070) != 02070)
		log_warnx("%s: mode %04o group %ld, not 2770 group %ld: the"
		    " group cannot share the spool (chgrp %ld; chmod 2770)",
		    path, (unsigned)(sb.st_mode & 07777), (long)sb.st_gid,
		    gid, gid);
}

/* make_dir - mkdir; root gives what it makes to the spool's owner, so
 * that a daemon running as that user can use it; with a group the new
 * directory is 2770 of that group (setgid: files in it inherit it) */
static int
make_dir(const char *path, const char *root, long gid)
{
	struct stat sb;
	uid_t uid = (uid_t)-1;
	gid_t g;

	if (mkdir(path, 0750) == -1) {
		if (errno != EEXIST)
			return -1;
		check_dir(path, gid);
		return 0;
	}
	if (geteuid() == 0 && root != NULL && stat(root, &sb) == 0 &&
	    sb.st_uid != 0) {
		uid = sb.st_uid;
		g = sb.st_gid;
	} else if (gid < 0)
		return 0;
	if (gid >= 0)
		g = (gid_t)gid;
	if (chown(path, uid, g) == -1 && gid >= 0)
		return -1;
	if (gid >= 0 && chmod(path, 02770) == -1)
		return -1;
	return 0;
}

int
spool_open(struct spool *s, const char *dir, const char *node, long gid,
    int sync, int create, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct statfs fs;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->dirfd = -1;
	s->gid = gid;
	s->fmode = s->gid >= 0 ? 0640 : 0600;
	if (node != NULL && !node_valid(node)) {
		errno = EINVAL;
		seterr(err, errlen, "%s: bad node name", node);
		return -1;
	}
	if (create && make_dir(dir, NULL, s->gid) == -1) {
		seterr(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!create)
		check_dir(dir, s->gid);
	for (i = 0; i < NSDIRS; i++) {
		if (fmt_path(path, sizeof(path), "%s/%s", dir,
		    spool_dirs[i]) == -1)
			goto toolong;
		if (create && make_dir(path, dir, s->gid) == -1)
			goto syserr;
		if (!create && access(path, F_OK) == -1)
			goto syserr;
		if (!create)
			check_dir(path, s->gid);
	}
	if (node != NULL) {
		if (fmt_path(path, sizeof(path), "%s/processing/%s", dir,
		    node) == -1)
			goto toolong;
		if (create && make_dir(path, dir, s->gid) == -1)
			goto syserr;
	}
	if ((s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(path, sizeof(path), "%s", dir);
		goto syserr;
	}
	if (fstatfs(s->dirfd, &fs) == 0 && fs.f_type == NFS_SUPER_MAGIC)
		s->nfs = 1;
	s->dir = xstrdup(dir);
	s->node = node ? xstrdup(node) : NULL;
	s->sync = sync;
	return 0;
 toolong:
	seterr(err, errlen, "%s: %s", dir, strerror(errno));
	return -1;
 syserr:
	seterr(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

void
spool_close(struct spool *s)
{
	if (s->dirfd != -1)
		close(s->dirfd);
	free(s->dir);
	free(s->node);
	memset(s, 0, sizeof(*s));
	s->dirfd = -1;
	s->gid = -1;
}

/* spool_dirpath - the directory of a state (node's for PROCESSING) */
int
spool_dirpath(const struct spool *s, char *buf, size_t size, enum state st,
    const char *node)
{
	if ((int)st < 0 || st >= NSTATES) {
		errno = EINVAL;
		return -1;
	}
	if (st != ST_PROCESSING)
		return fmt_path(buf, size, "%s/%s", s->dir, state_dir(st));
	if (node == NULL)
		node = s->node;
	if (!node_valid(node)) {
		errno = EINVAL;
		return -1;
	}
	return fmt_path(buf, size, "%s/processing/%s", s->dir, node);
}

int
spool_path(const struct spool *s, char *buf, size_t size, enum state st,
    const char *node, const char *id)
{
	char dir[PATH_MAX];

	if (!id_valid(id)) {
		errno = EINVAL;
		return -1;
	}
	if (spool_dirpath(s, dir, sizeof(dir), st, node) == -1)
		return -1;
	return fmt_path(buf, size, "%s/%s.job", dir, id);
}

int
spool_zip_path(const struct spool *s, char *buf, size_t size, const char *id)
{
	if (!id_valid(id)) {
		errno = EINVAL;
		return -1;
	}
	return fmt_path(buf, size, "%s/%s/%s.zip", s->dir, spool_dirs[SD_OUT],
	    id);
}

const char *
spool_dirname(enum sdir d)
{
	return (int)d >= 0 && d < NSDIRS ? spool_dirs[d] : NULL;
}

int
spool_sub(const struct spool *s, char *buf, size_t size, enum sdir d,
    const char *a, const char *b)
{
	if ((int)d < 0 || d >= NSDIRS || (a != NULL && (strchr(a, '/') ||
	    a[0] == '\0' || a[0] == '.')) || (b != NULL && (a == NULL ||
	    strchr(b, '/') || b[0] == '\0' || b[0] == '.'))) {
		errno = EINVAL;
		return -1;
	}
	if (b != NULL)
		return fmt_path(buf, size, "%s/%s/%s/%s", s->dir,
		    spool_dirs[d], a, b);
	if (a != NULL)
		return fmt_path(buf, size, "%s/%s/%s", s->dir, spool_dirs[d],
		    a);
	return fmt_path(buf, size, "%s/%s", s->dir, spool_dirs[d]);
}

/* give_to_owner - a file root makes belongs to the spool's owner, or a
 * daemon running as that user could not read or rewrite it (mode 0600);
 * with a group, the file is 0640 of that group */
static int
give_to_owner(const struct spool *s, int fd)
{
	struct stat sb;

	if (geteuid() == 0 && fstat(s->dirfd, &sb) == 0 && sb.st_uid != 0 &&
	    fchown(fd, sb.st_uid, s->gid >= 0 ? (gid_t)s->gid : sb.st_gid) ==
	    -1) {
		/* best effort (root squashed on NFS); tested, not cast to
		 * void: glibc's _FORTIFY_SOURCE warns */
	}
	if (s->gid < 0)
		return 0;
	if (fstat(fd, &sb) == -1)
		return -1;
	if ((long)sb.st_gid != s->gid && fchown(fd, (uid_t)-1,
	    (gid_t)s->gid) == -1)
		return -1;
	return fchmod(fd, s->fmode);
}

int
spool_tmpfile(const struct spool *s, char *buf, size_t size,
    const char *suffix)
{
	char host[65], rnd[17];
	size_t i;
	int fd, tries, saved;

	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	for (i = 0; host[i] != '\0'; i++)
		if (host[i] == '/' || host[i] == ':' || host[i] == '.')
			host[i] = '_';
	for (tries = 0; tries < 10; tries++) {
		if (random_hex(rnd, 8) == -1)
			return -1;
		if (fmt_path(buf, size, "%s/%s/%lld.%s.%ld.%s%s%s", s->dir,
		    spool_dirs[SD_TMP], (long long)(now_ms() / 1000), host, (long)getpid(), rnd,
		    suffix ? "." : "", suffix ? suffix : "") == -1)
			return -1;
		fd = open(buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd != -1 && give_to_owner(s, fd) == -1) {
			saved = errno;
			close(fd);
			unlink(buf);
			errno = saved;
			return -1;
		}
		if (fd != -1)
			return fd;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* sync_dirs - fsync the directories of a and b (b may be NULL) */
static int
sync_dirs(const struct spool *s, const char *a, const char *b)
{
	const char *sa, *sb;

	if (!s->sync)
		return 0;
	if (atomic_sync_dir(a) == -1)
		return -1;
	if (b == NULL)
		return 0;
	sa = strrchr(a, '/');
	sb = strrchr(b, '/');
	if (sa && sb && sa - a == sb - b && strncmp(a, b, sa - a) == 0)
		return 0;	/* the same directory */
	return atomic_sync_dir(b);
}

/* write_tmp - j's whole text into a new file in tmp/, synced */
static int
write_tmp(const struct spool *s, const struct job *j, char *tmp, size_t size)
{
	struct atomic a;
	struct buf b;
	int fd, r;

	if ((fd = spool_tmpfile(s, tmp, size, NULL)) == -1)
		return -1;
	atomic_adopt(&a, fd, tmp, s->sync);
	buf_init(&b);
	job_write(j, &b, 1);
	r = atomic_write(&a, b.p, b.len) == -1 ? -1 : atomic_close(&a);
	buf_free(&b);
	return r;
}

/* same_file - a and b are one file (a retransmitted link or rename that
 * did happen is recognised by the inode it left) */
int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* fresh_stat - stat by opening: NFS's close-to-open consistency gives
 * an open the server's attributes, where stat() may answer from the
 * attribute cache; never blocks, never follows a symbolic link */
int
fresh_stat(const char *path, struct stat *sb)
{
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY)) == -1) {
		if (errno != ELOOP && errno != ENXIO)
			return -1;
		/* a symbolic link or a socket: what it is, not followed */
		return lstat(path, sb);
	}
	if (fstat(fd, sb) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

/* revalidate_dir - open dir and close it: on NFS, close-to-open makes
 * the client fetch its attributes, and a changed directory drops the
 * names cached from it (also those cached as missing) */
void
revalidate_dir(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1)
		close(fd);
}

/*
 * link_noreplace - from's file also at to, never over an existing to:
 * link(2), which NFS performs atomically on the server.  A retransmitted
 * LINK that did happen says EEXIST: to is then from's inode.
 */
static int
link_noreplace(const char *from, const char *to)
{
	struct stat a, b;

	if (link(from, to) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	if (lstat(from, &a) == 0 && fresh_stat(to, &b) == 0 &&
	    same_file(&a, &b))
		return 0;
	errno = EEXIST;
	return -1;
}

/* unlink_gone - unlink, where a retransmitted REMOVE's ENOENT is done */
static int
unlink_gone(const char *path)
{
	return unlink(path) == -1 && errno != ENOENT ? -1 : 0;
}

const char *
spool_noreplace_method(struct spool *s)
{
	char a[PATH_MAX], b[PATH_MAX];
	int fd;

	if (s->noreplace != NR_UNKNOWN)
		goto known;
	if ((fd = spool_tmpfile(s, a, sizeof(a), "probe")) == -1)
		return "unknown (cannot create in tmp/)";
	close(fd);
	if (fmt_path(b, sizeof(b), "%s.2", a) == -1) {
		unlink(a);
		return "unknown";
	}
	if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE) == 0) {
		s->noreplace = NR_RENAMEAT2;
		unlink(b);
	} else if (link(a, b) == 0) {
		s->noreplace = NR_LINK;
		unlink(b);
		unlink(a);
	} else {
		s->noreplace = NR_NONE;
		unlink(a);
	}
 known:
	switch (s->noreplace) {
	case NR_RENAMEAT2:
		return "renameat2(RENAME_NOREPLACE)";
	case NR_LINK:
		return "link(2) then unlink(2) (no renameat2 flags here)";
	default:
		return "none: neither renameat2 flags nor link(2) work here; "
		    "a result could be overwritten";
	}
}

/* try_noreplace - renameat2(RENAME_NOREPLACE) while this file system
 * takes it: 0 done, -1 failed (errno), 1 not supported here (and s
 * remembers that the link(2) way is next) */
static int
try_noreplace(struct spool *s, const char *from, const char *to)
{
	if (s->noreplace == NR_LINK || s->noreplace == NR_NONE)
		return 1;
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -1;
	s->noreplace = NR_LINK;
	return 1;
}

/*
 * move_noreplace - from to to, never over an existing to, for a from
 * that only we move (our own processing/NODE/, tmp/): renameat2 where the
 * file system has it, else link(2) then unlink(2).  A crash between the
 * two leaves one file under two names (st_nlink 2), which
 * spool_finish_link completes.
 */
static int
move_noreplace(struct spool *s, const char *from, const char *to)
{
	int r;

	if ((r = try_noreplace(s, from, to)) != 1)
		return r;
	if (s->noreplace == NR_LINK) {
		if (link_noreplace(from, to) == 0)
			return unlink_gone(from);
		if (errno != EPERM && errno != ENOSYS && errno != EOPNOTSUPP)
			return -1;
		s->noreplace = NR_NONE;
	}
	if (access(to, F_OK) == 0) {	/* the last resort: not atomic */
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

int
spool_move_noreplace(struct spool *s, const char *from, const char *to)
{
	return move_noreplace(s, from, to);
}

/*
 * move_race - from to to, where from is a directory others take jobs
 * from too (queued/, failed/, another node's processing/): only rename(2)
 * decides such a race, as the source's name goes in the same step.  No
 * no-replace flag on NFS: the destination is our own processing/NODE/, or
 * a final directory an id cannot otherwise reach (an id in any state is
 * refused at submission and at a drop).  A retransmitted RENAME that did
 * happen says ENOENT: the destination is then the inode from had.
 */
static int
move_race(struct spool *s, const char *from, const char *to)
{
	struct stat a, b;
	int have, r;

	if ((r = try_noreplace(s, from, to)) != 1)
		return r;
	have = lstat(from, &a) == 0;
	if (rename(from, to) == 0)
		return 0;
	if (errno == ENOENT && have && fresh_stat(to, &b) == 0 &&
	    same_file(&a, &b))
		return 0;
	return -1;
}

/*
 * replace_existing - put tmp in place of path only if path exists: an
 * atomic exchange, so a job that moved away meanwhile is not brought back
 * to life (ENOENT).  File systems without RENAME_EXCHANGE (NFS) get a
 * look-up (by open: close-to-open) and a rename: only the node that holds
 * the job rewrites it there, and fencing keeps a node whose lease ran out
 * from doing so.
 */
static int
replace_existing(const char *tmp, const char *path)
{
	struct stat sb;
	int saved;

	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) == 0) {
		unlink(tmp);	/* now the old text */
		return 0;
	}
	if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
		if (fresh_stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    rename(tmp, path) == 0)
			return 0;
	}
	saved = errno;
	unlink(tmp);
	errno = saved;
	return -1;
}

/* rewrite - j's text in place of its file; the directory is synced only
 * when syncdir says so (a move that follows syncs it anyway).  tmp/ is
 * never synced: what is left there is the old text, unlinked. */
static int
rewrite(struct spool *s, enum state st, const char *node,
    const struct job *j, int syncdir)
{
	char path[PATH_MAX], tmp[PATH_MAX];

	if (spool_path(s, path, sizeof(path), st, node, j->id) == -1)
		return -1;
	if (write_tmp(s, j, tmp, sizeof(tmp)) == -1)
		return -1;
	if (replace_existing(tmp, path) == -1)
		return -1;
	return syncdir ? sync_dirs(s, path, NULL) : 0;
}

int
spool_rewrite(struct spool *s, enum state st, const char *node,
    const struct job *j)
{
	return rewrite(s, st, node, j, 1);
}

/* shared - others may take a job from here (queued/, failed/, another
 * node's processing/), so text rewritten here could travel with their move */
static int
shared(const struct spool *s, enum state st, const char *node)
{
	if (st == ST_QUEUED || st == ST_FAILED)
		return 1;
	return st == ST_PROCESSING && node != NULL && s->node != NULL &&
	    strcmp(node, s->node) != 0;
}

/*
 * spool_move - rewrite (when j is given) and rename.  The rewrite goes
 * first, where the file is, so that a crash between the two leaves a file
 * that says what happened -- except when the job leaves a directory others
 * take jobs from for one only we write to (cancel, give up, claim): then a
 * rewrite in place could be carried off by a concurrent claim, and the
 * rename, which decides the race, goes first.
 */
int
spool_move(struct spool *s, const char *id, enum state from,
    const char *from_node, enum state to, const struct job *j)
{
	char src[PATH_MAX], dst[PATH_MAX];
	int after;

	if (spool_path(s, src, sizeof(src), from, from_node, id) == -1 ||
	    spool_path(s, dst, sizeof(dst), to, NULL, id) == -1)
		return -1;
	if (j != NULL && strcmp(j->id, id) != 0) {
		errno = EINVAL;
		return -1;
	}
	after = j != NULL && shared(s, from, from_node) &&
	    !shared(s, to, NULL);
	if (j != NULL && !after && rewrite(s, from, from_node, j, 0) == -1)
		return -1;
	if ((shared(s, from, from_node) ? move_race(s, src, dst) :
	    move_noreplace(s, src, dst)) == -1)
		return -1;
	if (sync_dirs(s, dst, src) == -1)
		return -1;
	/* the move is done: a failed rewrite leaves the old text, no error */
	if (after)
		(void)spool_rewrite(s, to, NULL, j);
	return 0;
}

int
spool_submit(struct spool *s, struct job *j, int64_t min_free, char *err,
    size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int r;

	if (j->id[0] == '\0' && id_new(j->id) == -1) {
		seterr(err, errlen, "cannot make an id: %s", strerror(errno));
		return -1;
	}
	if (!id_valid(j->id)) {
		errno = EINVAL;
		seterr(err, errlen, "invalid job id");
		return -1;
	}
	if (spool_find(s, j->id, NULL) != -1) {
		errno = EEXIST;
		seterr(err, errlen, "%s: job exists", j->id);
		return -1;
	}
	if ((r = spool_has_room(s, min_free)) != 1) {
		if (r == 0)
			errno = ENOSPC;
		seterr(err, errlen, "%s: %s", s->dir, r == 0 ?
		    "spool full (less than min_free left)" : strerror(errno));
		return -1;
	}
	if (j->created == 0)
		j->created = now_ms();
	if (j->format == FMT_NONE)
		j->format = FMT_JSON;
	job_mark_encrypted(j);
	if (spool_path(s, path, sizeof(path), ST_QUEUED, NULL, j->id) == -1 ||
	    write_tmp(s, j, tmp, sizeof(tmp)) == -1) {
		seterr(err, errlen, "%s/tmp: %s", s->dir, strerror(errno));
		return -1;
	}
	if (move_noreplace(s, tmp, path) == -1) {
		r = errno;
		unlink(tmp);
		errno = r;
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (sync_dirs(s, path, tmp) == -1) {
		seterr(err, errlen, "%s: fsync: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* bad_name_ok - a single path component that is a plain file name */
static int
bad_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n <= BAD_MAX - 8 && strchr(name, '/') == NULL &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* why_file - why, with a newline, in a new synced tmp/ file: its path */
static int
why_file(struct spool *s, char *tmp, size_t size, const char *why)
{
	struct atomic a;
	int fd;

	if ((fd = spool_tmpfile(s, tmp, size, "why")) == -1)
		return -1;
	atomic_adopt(&a, fd, tmp, s->sync);
	if (atomic_write(&a, why, strlen(why)) == -1 ||
	    atomic_write(&a, "\n", 1) == -1)
		return -1;
	return atomic_close(&a);
}

/*
 * spool_bad - queued/NAME to bad/NAME (bad/NAME.1 ... when taken) with
 * the reason in bad/NAME.why.  The reason is written before the move, so
 * the .why follows the file by one rename, not by a write and a sync.
 * queued/ is shared: the file leaves it by rename(2) to a name of our own
 * in bad/ (.hold-RANDOM), which decides a race with another node's claim
 * (link then unlink would not: a claim between them left one id in
 * processing/ and in bad/); from there it takes its name without
 * replacing one.
 */
int
spool_bad(struct spool *s, const char *name, const char *why)
{
	char src[PATH_MAX], dst[PATH_MAX], whyp[PATH_MAX], tmp[PATH_MAX];
	char base[BAD_MAX + 16], hold[PATH_MAX], rnd[40];
	int i, saved, held = 0;

	if (!bad_name_ok(name)) {
		errno = EINVAL;
		return -1;
	}
	if (spool_sub(s, src, sizeof(src), SD_QUEUED, name, NULL) == -1 ||
	    random_hex(rnd, 8) == -1 ||
	    snprintf(base, sizeof(base), ".hold-%s", rnd) < 0 ||
	    fmt_path(hold, sizeof(hold), "%s/%s/%s", s->dir,
	    spool_dirs[SD_BAD], base) == -1 ||
	    why_file(s, tmp, sizeof(tmp), why) == -1)
		return -1;
	if (move_race(s, src, hold) == -1)
		goto fail;		/* ENOENT: claimed or moved meanwhile */
	held = 1;
	/* never overwrite an earlier bad file of the same name */
	for (i = 0; i < 100; i++) {
		if (i == 0)
			snprintf(base, sizeof(base), "%s", name);
		else
			snprintf(base, sizeof(base), "%s.%d", name, i);
		if (spool_sub(s, dst, sizeof(dst), SD_BAD, base, NULL) == -1)
			goto fail;
		if (move_noreplace(s, hold, dst) == 0)
			break;
		if (errno != EEXIST)
			goto fail;
	}
	if (i == 100) {
		errno = EEXIST;
		goto fail;
	}
	held = 0;
	if (fmt_path(whyp, sizeof(whyp), "%s/%s/%s.why", s->dir,
	    spool_dirs[SD_BAD], base) == -1 || rename(tmp, whyp) == -1)
		goto fail;
	return sync_dirs(s, dst, src);
fail:
	saved = errno;
	unlink(tmp);
	if (held)		/* back where it was, for the next look */
		move_noreplace(s, hold, src);
	errno = saved;
	return -1;
}

int
spool_put_zip(struct spool *s, const char *zip, const char *id, char *err,
    size_t errlen)
{
	char path[PATH_MAX];
	int fd = -1;

	if ((fd = open(zip, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fchmod(fd, s->fmode) == -1 || give_to_owner(s, fd) == -1 ||
	    (s->sync && fsync(fd) == -1)) {
		seterr(err, errlen, "%s: %s", zip, strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	if (spool_zip_path(s, path, sizeof(path), id) == -1 ||
	    move_noreplace(s, zip, path) == -1) {
		seterr(err, errlen, errno == EEXIST ? "out/%s.zip is there "
		    "already: a result is never replaced" : "cannot put "
		    "out/%s.zip in place: %s", id, strerror(errno));
		goto fail;
	}
	if (sync_dirs(s, path, NULL) == -1) {
		seterr(err, errlen, "fsync out/: %s", strerror(errno));
		return -1;
	}
	return 0;
 fail:
	if (fd != -1)
		close(fd);
	return -1;
}

/*
 * spool_finish_link - a move by link(2) and unlink(2) that a crash cut in
 * two leaves one file in two directories: from processing/NODE/ to a
 * state, or from completed/ or cancelled/ back to queued/ (a retry).  The
 * later name wins; the earlier one goes.  1 when one went, 0 when id's
 * file has no second name, -1 with errno.
 */
int
spool_finish_link(struct spool *s, const char *id)
{
	static const enum state later[] = { ST_QUEUED, ST_COMPLETED,
	    ST_FAILED, ST_CANCELLED };
	char own[PATH_MAX], path[PATH_MAX];
	struct stat a, b;
	size_t i;

	if (spool_path(s, own, sizeof(own), ST_PROCESSING, NULL, id) == -1)
		return -1;
	for (i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
		if (spool_path(s, path, sizeof(path), later[i], NULL,
		    id) == -1 || fresh_stat(path, &b) == -1 ||
		    b.st_nlink < 2)
			continue;
		if (s->node != NULL && fresh_stat(own, &a) == 0 &&
		    same_file(&a, &b))
			return unlink_gone(own) == 0 ? 1 : -1;
		if (later[i] != ST_QUEUED)
			continue;
		/* queued/ holds it: a retry's earlier name */
		if ((spool_path(s, own, sizeof(own), ST_COMPLETED, NULL,
		    id) == 0 && fresh_stat(own, &a) == 0 &&
		    same_file(&a, &b)) || (spool_path(s, own, sizeof(own),
		    ST_CANCELLED, NULL, id) == 0 && fresh_stat(own, &a) == 0 &&
		    same_file(&a, &b)))
			return unlink_gone(own) == 0 ? 1 : -1;
	}
	return 0;
}

int
spool_tmpzip_path(const struct spool *s, char *buf, size_t size,
    const char *node, const char *id)
{
	if (!id_valid(id) || (node != NULL && !node_valid(node))) {
		errno = EINVAL;
		return -1;
	}
	return fmt_path(buf, size, "%s/%s/%s.%s.zip", s->dir,
	    spool_dirs[SD_TMP], node ? node : "-", id);
}

void
spool_drop_tmpzip(const struct spool *s, const char *node, const char *id)
{
	char path[PATH_MAX], dir[PATH_MAX];
	const char *base;
	struct dirent *de;
	size_t n;
	DIR *dp;

	if (spool_tmpzip_path(s, path, sizeof(path), node, id) == -1)
		return;
	unlink(path);
	/* libzip's own temporary files, NAME.XXXXXX */
	base = strrchr(path, '/') + 1;
	n = strlen(base);
	if (spool_sub(s, dir, sizeof(dir), SD_TMP, NULL, NULL) == -1 ||
	    (dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL)
		if (strncmp(de->d_name, base, n) == 0 &&
		    de->d_name[n] == '.')
			unlinkat(dirfd(dp), de->d_name, 0);
	closedir(dp);
}
