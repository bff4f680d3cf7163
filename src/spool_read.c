/* spool_read.c - finding and reading jobs in the spool: which state (and
 * node) holds an id, a job file's text, walks over a state's jobs, and
 * whether there is room for more; fresh on NFS. */
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

#define FIND_PASSES	4	/* look-ups that race a move try again */

/* the order spool_find looks in: the direction jobs usually move */
static const enum state find_order[] = {
	ST_QUEUED, ST_PROCESSING, ST_FAILED, ST_COMPLETED, ST_CANCELLED,
};

void
spool_refresh(const struct spool *s)
{
	char path[PATH_MAX];
	int i;

	if (!s->nfs)
		return;
	for (i = SD_QUEUED; i <= SD_CANCELLED; i++)
		if (spool_sub(s, path, sizeof(path), i, NULL, NULL) == 0)
			revalidate_dir(path);
}

/* find_processing_st - stat processing/NODE/ID.job for every node; the
 * stat of the one found into out (may be NULL) */
static int
find_processing_st(struct spool *s, const char *id, char *node,
    struct stat *out)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int found = 0;

	if (fmt_path(path, sizeof(path), "%s/processing", s->dir) == -1 ||
	    (d = opendir(path)) == NULL)
		return -1;
	while (!found && (de = readdir(d)) != NULL) {
		if (!node_valid(de->d_name))
			continue;
		/* on NFS a node's directory is revalidated first: else a
		 * name cached as missing there before that node claimed
		 * the job stays missing until its attributes time out */
		if (s->nfs && fmt_path(path, sizeof(path), "%s/processing/%s",
		    s->dir, de->d_name) == 0)
			revalidate_dir(path);
		if (fmt_path(path, sizeof(path), "%s/processing/%s/%s.job",
		    s->dir, de->d_name, id) == -1)
			continue;
		if (fresh_stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			found = 1;
			if (out != NULL)
				*out = sb;
			if (node != NULL)	/* node_valid: <= NODE_MAX */
				memcpy(node, de->d_name,
				    strlen(de->d_name) + 1);
		}
	}
	closedir(d);
	return found ? 0 : -1;
}

/* find_st - spool_find, and the found file's stat into out (may be
 * NULL) */
static int
find_st(struct spool *s, const char *id, char *node, struct stat *out)
{
	char path[PATH_MAX];
	struct stat sb;
	size_t i;
	int pass;

	if (!id_valid(id)) {
		errno = EINVAL;
		return -1;
	}
	for (pass = 0; pass < FIND_PASSES; pass++) {
		spool_refresh(s);
		for (i = 0; i < sizeof(find_order) / sizeof(find_order[0]);
		    i++) {
			if (find_order[i] == ST_PROCESSING) {
				if (find_processing_st(s, id, node, out) == 0)
					return ST_PROCESSING;
				continue;
			}
			if (spool_path(s, path, sizeof(path), find_order[i],
			    NULL, id) == -1)
				return -1;
			if (fresh_stat(path, &sb) == 0 &&
			    S_ISREG(sb.st_mode)) {
				if (out != NULL)
					*out = sb;
				return find_order[i];
			}
		}
	}
	errno = ENOENT;
	return -1;
}

int
spool_find(struct spool *s, const char *id, char *node)
{
	return find_st(s, id, node, NULL);
}

int
spool_read(const char *path, struct job *j, char *err, size_t errlen)
{
	const char *base;
	char *text = NULL;
	size_t len, n;

	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	n = strlen(base);
	if (n <= 4 || n - 4 > ID_MAX || strcmp(base + n - 4, ".job") != 0) {
		errno = EINVAL;
		seterr(err, errlen, "%s: not a job file name", path);
		return -1;
	}
	if (read_spool_file(path, JOB_MAX_SIZE, &text, &len) == -1) {
		seterr(err, errlen, "%s: %s", path, errno == EFBIG ?
		    "job file too big" : errno == ELOOP ? "a symbolic link, "
		    "not followed" : errno == EINVAL ? "not a regular file" :
		    strerror(errno));
		return -1;
	}
	if (job_parse(j, text, len, err, errlen) == -1) {
		free(text);
		errno = EINVAL;
		return -1;
	}
	free(text);
	memcpy(j->id, base, n - 4);
	j->id[n - 4] = '\0';
	if (!id_valid(j->id)) {
		errno = EINVAL;
		seterr(err, errlen, "%s: not a job file name", path);
		return -1;
	}
	return 0;
}

int
spool_load(struct spool *s, const char *id, struct job *j, char *node,
    char *err, size_t errlen)
{
	return spool_load_st(s, id, j, node, NULL, err, errlen);
}

int
spool_load_st(struct spool *s, const char *id, struct job *j, char *node,
    struct stat *sb, char *err, size_t errlen)
{
	char path[PATH_MAX], nbuf[NODE_MAX + 1];
	int st, pass;

	for (pass = 0; pass < FIND_PASSES; pass++) {
		if ((st = find_st(s, id, nbuf, sb)) == -1) {
			seterr(err, errlen, "%s: %s", id, errno == ENOENT ?
			    "no such job" : errno == EINVAL ?
			    "invalid job id" : strerror(errno));
			return -1;
		}
		if (spool_path(s, path, sizeof(path), st, nbuf, id) == -1) {
			seterr(err, errlen, "%s: %s", id, strerror(errno));
			return -1;
		}
		job_free(j);
		job_init(j);
		if (spool_read(path, j, err, errlen) == 0) {
			if (node != NULL)
				snprintf(node, NODE_MAX + 1, "%s",
				    st == ST_PROCESSING ? nbuf : "");
			return st;
		}
		if (errno != ENOENT)	/* moved between find and read */
			return -1;
	}
	seterr(err, errlen, "%s: keeps moving", id);
	return -1;
}

int
spool_bad_why(struct spool *s, const char *id, char *name, size_t namelen,
    char *why, size_t whylen, struct stat *sb)
{
	char base[NAME_MAX + 1], path[PATH_MAX], *text = NULL;
	struct stat st;
	size_t len;
	int i, found = -1;

	if (!id_valid(id)) {
		errno = EINVAL;
		return -1;
	}
	/* bad/ID.job, then ID.job.1, ...: the last one is the latest */
	for (i = 0; i < 100; i++) {
		if (i == 0)
			snprintf(base, sizeof(base), "%s.job", id);
		else
			snprintf(base, sizeof(base), "%s.job.%d", id, i);
		if (spool_sub(s, path, sizeof(path), SD_BAD, base, NULL) == -1 ||
		    lstat(path, &st) == -1)
			break;
		found = i;
		if (sb != NULL)
			*sb = st;
		snprintf(name, namelen, "bad/%s", base);
	}
	if (found == -1) {
		errno = ENOENT;
		return -1;
	}
	snprintf(why, whylen, "(no reason recorded)");
	if (strlen(name) + 4 < sizeof(base) &&
	    snprintf(base, sizeof(base), "%s.why", name + 4) > 0 &&
	    spool_sub(s, path, sizeof(path), SD_BAD, base, NULL) == 0 &&
	    read_spool_file(path, 65536, &text, &len) == 0) {
		text[strcspn(text, "\n")] = '\0';
		snprintf(why, whylen, "%s", text);
		free(text);
	}
	return 0;
}

/* each_dir - fn for every ID.job in one directory */
static int
each_dir(const char *dir, const char *node, spool_each_fn fn, void *arg)
{
	char id[ID_MAX + 1];
	struct dirent *de;
	struct stat sb;
	size_t n;
	DIR *d;
	int r = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while (r == 0 && (de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n <= 4 || n - 4 > ID_MAX ||
		    strcmp(de->d_name + n - 4, ".job") != 0)
			continue;
		memcpy(id, de->d_name, n - 4);
		id[n - 4] = '\0';
		if (!id_valid(id))
			continue;
		/* a symbolic link or a FIFO is no job: never followed */
		if (fstatat(dirfd(d), de->d_name, &sb,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(sb.st_mode))
			continue;	/* or moved on meanwhile */
		r = fn(id, node, &sb, arg);
	}
	closedir(d);
	return r;
}

int
spool_each(struct spool *s, enum state st, spool_each_fn fn, void *arg)
{
	char path[PATH_MAX], dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (st != ST_PROCESSING) {
		if (spool_dirpath(s, dir, sizeof(dir), st, NULL) == -1)
			return -1;
		return each_dir(dir, NULL, fn, arg);
	}
	if (fmt_path(path, sizeof(path), "%s/processing", s->dir) == -1 ||
	    (d = opendir(path)) == NULL)
		return -1;
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (!node_valid(de->d_name))
			continue;
		if (fmt_path(dir, sizeof(dir), "%s/%s", path,
		    de->d_name) == -1)
			continue;
		r = each_dir(dir, de->d_name, fn, arg);
		if (r == -1 && (errno == ENOTDIR || errno == ENOENT))
			r = 0;
	}
	closedir(d);
	return r;
}

int
spool_holds(const struct spool *s, const char *id)
{
	char path[PATH_MAX];
	struct stat sb;

	return spool_path(s, path, sizeof(path), ST_PROCESSING, NULL,
	    id) == 0 && fresh_stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int
spool_elsewhere(struct spool *s, const char *id, enum state here,
    const struct stat *mine)
{
	char path[PATH_MAX];
	struct stat sb;
	size_t i;

	if (!id_valid(id)) {
		errno = EINVAL;
		return -1;
	}
	spool_refresh(s);
	for (i = 0; i < sizeof(find_order) / sizeof(find_order[0]); i++) {
		if (find_order[i] == here)
			continue;
		/* the same file is ours moved on (claimed by another node
		 * meanwhile), not another job of the same id */
		if (find_order[i] == ST_PROCESSING) {
			if (find_processing_st(s, id, NULL, &sb) == 0 &&
			    (mine == NULL || !same_file(mine, &sb)))
				return ST_PROCESSING;
			continue;
		}
		if (spool_path(s, path, sizeof(path), find_order[i], NULL,
		    id) == 0 && fresh_stat(path, &sb) == 0 &&
		    (mine == NULL || !same_file(mine, &sb)))
			return find_order[i];
	}
	errno = ENOENT;
	return -1;
}

int
spool_has_room(struct spool *s, int64_t min_free)
{
	struct statvfs sv;
	uint64_t bytes, inodes;

	if (fstatvfs(s->dirfd, &sv) == -1)
		return -1;
	if (min_free <= 0)
		return 1;
	bytes = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
	if (bytes < (uint64_t)min_free)
		return 0;
	/* some file systems (btrfs) report no inode counts at all */
	inodes = (uint64_t)min_free / 65536;
	if (sv.f_files != 0 && (uint64_t)sv.f_favail < inodes)
		return 0;
	return 1;
}

struct qcount {
	struct spool	*sp;
	const char	*client;
	size_t		 n;
};

/* qcount_one - spool_each callback: is queued/ID.job client's? */
static int
qcount_one(const char *id, const char *node, const struct stat *sb,
    void *arg)
{
	char path[PATH_MAX], err[ERRLEN];
	struct qcount *q = arg;
	struct job j;

	job_init(&j);
	if (spool_path(q->sp, path, sizeof(path), ST_QUEUED, NULL, id) == 0 &&
	    spool_read(path, &j, err, sizeof(err)) == 0 &&
	    (j.client == NULL ? q->client == NULL : q->client != NULL &&
	    strcmp(j.client, q->client) == 0))
		q->n++;
	job_free(&j);
	return 0;
}

int64_t
spool_queued_of(struct spool *sp, const char *client)
{
	struct qcount q = { sp, client, 0 };

	if (spool_each(sp, ST_QUEUED, qcount_one, &q) == -1)
		return -1;
	return (int64_t)q.n;
}
