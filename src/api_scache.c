/* api_scache.c - the REST shim's status cache: where each job was last
 * found (its state directory and node), so that a lookup is one open
 * instead of a stat per state and a scan of processing/; and the status
 * answer made from that file, given again while the file (dev, inode,
 * size, mtime, ctime) is the same.  Only regular files are jobs: a symlink
 * or a FIFO in a state directory is not found. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "api.h"

void
scache_init(struct api *a)
{
	pthread_mutex_init(&a->loc_mtx, NULL);
	a->loc = xcalloc(LOC_SLOTS, sizeof(*a->loc));
}

static void
fid_set(struct fid *f, const struct stat *sb)
{
	f->valid = 1;
	f->dev = sb->st_dev;
	f->ino = sb->st_ino;
	f->size = sb->st_size;
	f->mtim = sb->st_mtim;
	f->ctim = sb->st_ctim;
}

static int
fid_same(const struct fid *f, const struct stat *sb)
{
	return f->valid && f->dev == sb->st_dev && f->ino == sb->st_ino &&
	    f->size == sb->st_size && f->mtim.tv_sec == sb->st_mtim.tv_sec &&
	    f->mtim.tv_nsec == sb->st_mtim.tv_nsec &&
	    f->ctim.tv_sec == sb->st_ctim.tv_sec &&
	    f->ctim.tv_nsec == sb->st_ctim.tv_nsec;
}

/* loc_slot - the slot of id (FNV-1a) */
static struct loc *
loc_slot(struct api *a, const char *id)
{
	uint32_t h = 2166136261u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return &a->loc[h % LOC_SLOTS];
}

/* loc_forget - drop the answer kept in l.  Under loc_mtx. */
static void
loc_forget(struct loc *l)
{
	free(l->client);
	free(l->body);
	l->client = l->body = NULL;
	l->fid.valid = 0;
}

void
scache_free(struct api *a)
{
	size_t i;

	if (a->loc == NULL)
		return;
	for (i = 0; i < LOC_SLOTS; i++)
		loc_forget(&a->loc[i]);
	free(a->loc);
	a->loc = NULL;
	pthread_mutex_destroy(&a->loc_mtx);
}

/*
 * job_lstat - lstat(2) of a job file where it was last found.  On NFS a
 * stat is answered from the client's caches (a name in a directory for up
 * to acdirmax, attributes for up to acregmax: 60 s by default), so a job
 * another node moved on would keep its old answer; there opening the
 * directory revalidates it (close-to-open: a changed directory drops the
 * names cached from it) and opening the file gives its attributes from
 * the server.  Never follows a symlink, never blocks on a FIFO.
 */
static int
job_lstat(const struct api *a, const char *path, struct stat *sb)
{
	char dir[4096], *slash;

	if (!a->sp.nfs)
		return lstat(path, sb);
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		revalidate_dir(dir);
	}
	return fresh_stat(path, sb);
}

/* regular_at - is job id's file in state st (and node) a regular file,
 * not a symlink or a FIFO? */
static int
regular_at(struct api *a, int st, const char *node, const char *id)
{
	char path[4096];
	struct stat sb;

	return spool_path(&a->sp, path, sizeof(path), (enum state)st, node,
	    id) == 0 && lstat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* not_a_job - is what spool_load found (st, node) or failed to read (st
 * -1) something other than a regular file?  A symlink in a state
 * directory (to a job, or to /etc/shadow) or a FIFO is no job: the
 * daemon never runs it, so the API does not show it either. */
static int
not_a_job(struct api *a, int st, const char *node, const char *id)
{
	char nbuf[NODE_MAX + 1];

	if (st != -1)	/* spool_read opened a regular file (read_open) */
		return 0;
	if (errno == ENOENT || (st = spool_find(&a->sp, id, nbuf)) == -1)
		return 0;
	return !regular_at(a, st, nbuf, id);
}

/* scache_lookup - spool_load, but first where the job was last found.
 * A job file without "created" (one dropped into queued/ by hand) gets
 * its file's mtime, the rule qcache.c's listing follows too.
 * A rename moves a job file whole, so a file found there is the job's
 * current state; when it is gone, spool_load looks everywhere. */
int
scache_lookup(struct api *a, const char *id, struct job *j, struct fid *fid,
    char *err, size_t errlen)
{
	char path[4096], node[NODE_MAX + 1];
	struct loc *l = loc_slot(a, id);
	struct stat sb;
	int st = -1;

	fid->valid = 0;
	pthread_mutex_lock(&a->loc_mtx);
	if (strcmp(l->id, id) == 0) {
		st = l->st;
		memcpy(node, l->node, sizeof(node));
	}
	pthread_mutex_unlock(&a->loc_mtx);
	if (st != -1 && spool_path(&a->sp, path, sizeof(path),
	    (enum state)st, node, id) == 0 && job_lstat(a, path, &sb) == 0 &&
	    S_ISREG(sb.st_mode) && spool_read(path, j, err, errlen) == 0) {
		/* the stat is older than the read: a file changed in
		 * between only makes the kept answer look out of date */
		fid_set(fid, &sb);
		if (j->created == 0)
			j->created = node_mtime_ms(&sb);
		return st;
	}
	job_free(j);
	job_init(j);
	/* the look-up's stat, not a second one, gives the mtime */
	st = spool_load_st(&a->sp, id, j, node, &sb, err, errlen);
	if (not_a_job(a, st, node, id)) {
		job_free(j);
		job_init(j);
		seterr(err, errlen, "%s: not a regular file", id);
		errno = ENOENT;
		st = -1;
	}
	if (st != -1 && j->created == 0)
		j->created = node_mtime_ms(&sb);
	pthread_mutex_lock(&a->loc_mtx);
	loc_forget(l);
	if (st == -1)
		l->id[0] = '\0';
	else {
		snprintf(l->id, sizeof(l->id), "%s", id);
		l->st = st;
		memcpy(l->node, node, sizeof(l->node));
	}
	pthread_mutex_unlock(&a->loc_mtx);
	return st;
}

void
scache_keep(struct api *a, const char *id, int st, const struct fid *fid,
    const char *client, const struct buf *b)
{
	struct loc *l = loc_slot(a, id);

	pthread_mutex_lock(&a->loc_mtx);
	if (strcmp(l->id, id) == 0 && l->st == st) {
		loc_forget(l);
		l->fid = *fid;
		l->client = client ? xstrdup(client) : NULL;
		l->body = xmalloc(b->len);
		memcpy(l->body, b->p, b->len);
		l->blen = b->len;
	}
	pthread_mutex_unlock(&a->loc_mtx);
}

/* scache_reply - the kept answer when its file is still the one it was
 * made from (one stat(2)) */
int
scache_reply(struct rctx *x, enum MHD_Result *ret)
{
	struct api *a = x->a;
	char path[4096], node[NODE_MAX + 1], *client = NULL;
	struct loc *l = loc_slot(a, x->arg);
	struct stat sb;
	struct fid f;
	struct buf b;
	int st = -1, mine;

	buf_init(&b);
	pthread_mutex_lock(&a->loc_mtx);
	if (l->body != NULL && strcmp(l->id, x->arg) == 0) {
		st = l->st;
		memcpy(node, l->node, sizeof(node));
		f = l->fid;
		client = l->client ? xstrdup(l->client) : NULL;
		buf_add(&b, l->body, l->blen);
	}
	pthread_mutex_unlock(&a->loc_mtx);
	if (st == -1 || spool_path(&a->sp, path, sizeof(path),
	    (enum state)st, node, x->arg) == -1 ||
	    job_lstat(a, path, &sb) == -1 ||
	    !fid_same(&f, &sb)) {
		free(client);
		buf_free(&b);
		return 0;
	}
	mine = auth_visible(x, client);
	free(client);
	if (!mine) {
		buf_free(&b);
		*ret = reply_err(x, 404, "NOT_FOUND", "no such job");
	} else
		*ret = reply(x, 200, &b, "application/json", NULL);
	return 1;
}
