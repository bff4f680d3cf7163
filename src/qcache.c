/* qcache.c - the REST shim's in-memory index of queued/: id, client, type,
 * format, created, request hash and idempotency key of every queued job,
 * so that listings and duplicate checks do not parse 100,000 job files on
 * every request.  inotify tells it which names came and went (each new file
 * is parsed once); the directory stays the truth: a full readdir at the
 * start, on IN_Q_OVERFLOW, and every QC_RESCAN_MS when queued/'s mtime
 * changed (other NFS clients make no events).  Without inotify, every use
 * checks the mtime and rescans on a change.  Job files are read without
 * following symlinks and without an open that can block (see qitem_read),
 * so that nothing in queued/ can hold the mutex.  Each client's count of
 * queued jobs is kept as items come and go (max_queued's check, O(1)). */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

#define QC_RESCAN_MS	10000
#define QC_GONE		1024	/* departed jobs remembered, for cursors */

/* a client's queued jobs: the items in byorder with that client */
struct qcount {
	char		*client;
	int64_t		 n;		/* > 0: at 0 it is freed */
	struct qcount	*next;		/* hash chain */
};

/* a job that left the queue (claimed, cancelled): where a paging cursor
 * naming it continues */
struct qgone {
	char		 id[ID_MAX + 1];
	char		*client;
	int64_t		 created;
};

struct qcache {
	pthread_mutex_t	 mtx;
	int		 ifd;		/* inotify on queued/, -1: none */
	struct spool	*sp;
	struct qitem	**byorder;	/* (created, id) ascending */
	size_t		 n, cap;	/* cap: byorder's room */
	struct qitem	**hash;		/* open addressing on the id */
	size_t		 hsize;		/* a power of two > 2n, or 0 */
	int		 valid;
	struct timespec	 mtime;		/* queued/'s mtime at the last scan */
	int64_t		 scanned;	/* now_ms() when it started */
	uint64_t	 scans, parsed;	/* for tests and metrics */
	uint64_t	 gen;		/* bumped by every change of byorder */
	struct sorder	*fair;		/* byorder in sched_order's order */
	uint64_t	 fair_gen;	/* gen it was made at, + 1; 0: none */
	const struct config *fair_cfg;	/* and under which config */
	struct qcount	**counts;	/* by client, chained */
	size_t		 csize, nclients; /* csize: a power of two, or 0 */
	int64_t		 nnone;		/* the items without a client */
	struct qgone	 gone[QC_GONE];	/* a ring of the last departed */
	size_t		 ngone;		/* how many ever departed */
};

struct qcache *
qcache_new(struct spool *sp)
{
	struct qcache *qc = xcalloc(1, sizeof(*qc));

	char dir[4096];

	pthread_mutex_init(&qc->mtx, NULL);
	qc->sp = sp;
	qc->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (qc->ifd != -1 && (path_join(dir, sizeof(dir), sp->dir,
	    state_dir(ST_QUEUED)) == -1 || inotify_add_watch(qc->ifd, dir,
	    IN_MOVED_TO | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_DELETE |
	    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR) == -1)) {
		close(qc->ifd);
		qc->ifd = -1;
	}
	return qc;
}

static void
qitem_free(struct qitem *q)
{
	if (q == NULL)
		return;
	free(q->client);
	free(q->type);
	free(q->request_hash);
	free(q->idempotency_key);
	free(q);
}

/* id_hash - an id's or a client's slot */
static size_t
id_hash(const char *s)
{
	return str_hash(s, 0);
}

/* ---- queued jobs per client, counted as items enter and leave byorder */

/* count_slot - where client's counter is, or would be chained */
static struct qcount **
count_slot(struct qcache *qc, const char *client)
{
	struct qcount **pp;

	pp = &qc->counts[id_hash(client) & (qc->csize - 1)];
	while (*pp != NULL && strcmp((*pp)->client, client) != 0)
		pp = &(*pp)->next;
	return pp;
}

static void
counts_grow(struct qcache *qc)
{
	struct qcount **old = qc->counts, *c, *nx;
	size_t i, osize = qc->csize;

	qc->csize = osize ? osize * 2 : 16;
	qc->counts = xcalloc(qc->csize, sizeof(*qc->counts));
	for (i = 0; i < osize; i++)
		for (c = old[i]; c != NULL; c = nx) {
			nx = c->next;
			c->next = NULL;
			*count_slot(qc, c->client) = c;
		}
	free(old);
}

/* depart - q leaves byorder: remembered in the ring */
static void
depart(struct qcache *qc, const struct qitem *q)
{
	struct qgone *g = &qc->gone[qc->ngone++ % QC_GONE];

	memcpy(g->id, q->id, sizeof(g->id));
	free(g->client);
	g->client = q->client ? xstrdup(q->client) : NULL;
	g->created = q->created;
}

/* count - q entered (delta 1) or is leaving (-1) byorder */
static void
count(struct qcache *qc, const struct qitem *q, int delta)
{
	struct qcount **pp, *c;

	if (q->client == NULL) {
		qc->nnone += delta;
		return;
	}
	if (qc->nclients >= qc->csize)
		counts_grow(qc);
	pp = count_slot(qc, q->client);
	if ((c = *pp) == NULL) {
		c = *pp = xcalloc(1, sizeof(*c));
		c->client = xstrdup(q->client);
		qc->nclients++;
	}
	if ((c->n += delta) <= 0) {
		*pp = c->next;
		free(c->client);
		free(c);
		qc->nclients--;
	}
}

/* leave - q is leaving byorder: counted out and remembered */
static void
leave(struct qcache *qc, const struct qitem *q)
{
	count(qc, q, -1);
	depart(qc, q);
}

static void
counts_free(struct qcache *qc)
{
	struct qcount *c, *nx;
	size_t i;

	for (i = 0; i < qc->csize; i++)
		for (c = qc->counts[i]; c != NULL; c = nx) {
			nx = c->next;
			free(c->client);
			free(c);
		}
	free(qc->counts);
}

void
qcache_free(struct qcache *qc)
{
	size_t i;

	if (qc == NULL)
		return;
	for (i = 0; i < qc->n; i++)
		qitem_free(qc->byorder[i]);
	counts_free(qc);
	for (i = 0; i < QC_GONE; i++)
		free(qc->gone[i].client);
	free(qc->byorder);
	free(qc->hash);
	free(qc->fair);
	if (qc->ifd != -1)
		close(qc->ifd);
	pthread_mutex_destroy(&qc->mtx);
	free(qc);
}

static int
cmp_order(const void *a, const void *b)
{
	const struct qitem *qa = *(const struct qitem *const *)a;
	const struct qitem *qb = *(const struct qitem *const *)b;

	if (qa->created != qb->created)
		return qa->created < qb->created ? -1 : 1;
	return strcmp(qa->id, qb->id);
}

/* qcache_rehash - the hash index of byorder, from scratch */
static void
qcache_rehash(struct qcache *qc)
{
	size_t i, j, size = 64;

	while (size < qc->n * 2 + 1)
		size *= 2;
	free(qc->hash);
	qc->hash = xcalloc(size, sizeof(*qc->hash));
	qc->hsize = size;
	for (i = 0; i < qc->n; i++) {
		j = id_hash(qc->byorder[i]->id) & (size - 1);
		while (qc->hash[j] != NULL)
			j = (j + 1) & (size - 1);
		qc->hash[j] = qc->byorder[i];
	}
}

/* qcache_old - the item of id from the previous scan, or NULL */
static struct qitem *
qcache_old(struct qcache *qc, const char *id)
{
	size_t j;

	if (qc->hsize == 0)
		return NULL;
	for (j = id_hash(id) & (qc->hsize - 1); qc->hash[j] != NULL;
	    j = (j + 1) & (qc->hsize - 1))
		if (strcmp(qc->hash[j]->id, id) == 0)
			return qc->hash[j];
	return NULL;
}

/* qitem_read - read and parse a job file as it is: never through a
 * symlink, never anything but a regular file, and never an open that can
 * block (a FIFO would hold the cache's mutex, and every request, for
 * good); 0 with *mtime in ms, or -1 */
static int
qitem_read(const char *path, struct job *j, int64_t *mtime)
{
	char chunk[8192], err[ERRLEN];
	struct stat st;
	struct buf b;
	ssize_t r;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	buf_init(&b);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > JOB_MAX_SIZE)
		goto out;
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 || b.len + (size_t)r > JOB_MAX_SIZE)
			goto out;
		buf_add(&b, chunk, (size_t)r);
	}
	if (job_parse(j, b.len ? b.p : "", b.len, err, sizeof(err)) == -1)
		goto out;
	*mtime = (int64_t)st.st_mtim.tv_sec * 1000 +
	    st.st_mtim.tv_nsec / 1000000;
	rc = 0;
out:
	buf_free(&b);
	close(fd);
	return rc;
}

/* qitem_load - parse queued/ID.job into a new item; NULL when unreadable
 * (being written, or bad: the daemon deals with it) */
static struct qitem *
qitem_load(struct qcache *qc, const char *id)
{
	char path[4096];
	struct qitem *q = NULL;
	int64_t mtime;
	struct job j;

	job_init(&j);
	if (spool_path(qc->sp, path, sizeof(path), ST_QUEUED, NULL, id) == -1)
		goto out;
	if (qitem_read(path, &j, &mtime) == -1)
		goto out;
	q = xcalloc(1, sizeof(*q));
	snprintf(q->id, sizeof(q->id), "%s", id);
	q->client = j.client ? xstrdup(j.client) : NULL;
	q->type = xstrdup(j.type ? j.type : "");
	q->format = j.format;
	q->created = j.created ? j.created : mtime;
	q->request_hash = j.request_hash ? xstrdup(j.request_hash) : NULL;
	q->idempotency_key = j.idempotency_key ?
	    xstrdup(j.idempotency_key) : NULL;
	qc->parsed++;
out:
	job_free(&j);
	return q;
}

/* qcache_merge - drop unmarked items, merge the new ones (in order) in */
static void
qcache_merge(struct qcache *qc, struct qitem **add, size_t nadd)
{
	struct qitem **v;
	size_t i, k = 0, n = 0, room = qc->n + nadd + 1;

	v = xreallocarray(NULL, room, sizeof(*v));
	for (i = 0; i < qc->n || k < nadd; ) {
		if (i < qc->n && !qc->byorder[i]->mark) {
			leave(qc, qc->byorder[i]);
			qitem_free(qc->byorder[i++]);
			continue;
		}
		if (k == nadd || (i < qc->n &&
		    cmp_order(&qc->byorder[i], &add[k]) < 0))
			v[n++] = qc->byorder[i++];
		else {
			count(qc, add[k], 1);
			v[n++] = add[k++];
		}
	}
	free(qc->byorder);
	qc->byorder = v;
	qc->n = n;
	qc->cap = room;
	qc->gen++;
}

/* qcache_scan - bring the index up to readdir(queued/): parse what is
 * new, drop what is gone; 0 or -1 with errno */
static int
qcache_scan(struct qcache *qc, const struct timespec *mtime)
{
	char dir[4096], id[ID_MAX + 1];
	struct qitem **add = NULL, *q;
	struct dirent *de;
	size_t nadd = 0, cap = 0, seen = 0, i, len;
	int64_t started = now_ms();
	DIR *d;

	if (path_join(dir, sizeof(dir), qc->sp->dir,
	    state_dir(ST_QUEUED)) == -1 || (d = opendir(dir)) == NULL)
		return -1;
	for (i = 0; i < qc->n; i++)
		qc->byorder[i]->mark = 0;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 4 || len - 4 > ID_MAX ||
		    strcmp(de->d_name + len - 4, ".job") != 0)
			continue;
		memcpy(id, de->d_name, len - 4);
		id[len - 4] = '\0';
		if ((q = qcache_old(qc, id)) != NULL) {
			if (!q->mark)
				seen++;
			q->mark = 1;		/* still here: keep it */
			continue;
		}
		if (!id_valid(id) || (q = qitem_load(qc, id)) == NULL)
			continue;
		q->mark = 1;
		if (nadd == cap) {
			cap = cap ? cap * 2 : 64;
			add = xreallocarray(add, cap, sizeof(*add));
		}
		add[nadd++] = q;
	}
	closedir(d);
	if (nadd || seen != qc->n) {
		if (nadd)
			qsort(add, nadd, sizeof(*add), cmp_order);
		qcache_merge(qc, add, nadd);
		qcache_rehash(qc);
	}
	free(add);
	qc->mtime = *mtime;
	qc->scanned = started;
	qc->valid = 1;
	qc->scans++;
	return 0;
}

/* hash_slot - the slot of id in the hash index, or of the empty slot
 * where it would go */
static size_t
hash_slot(const struct qcache *qc, const char *id)
{
	size_t j;

	for (j = id_hash(id) & (qc->hsize - 1); qc->hash[j] != NULL &&
	    strcmp(qc->hash[j]->id, id) != 0; j = (j + 1) & (qc->hsize - 1))
		;
	return j;
}

/* hash_del - take the item in slot j out of the hash index, moving up
 * the items of its probe run (linear probing without tombstones) */
static void
hash_del(struct qcache *qc, size_t j)
{
	size_t mask = qc->hsize - 1, k = j, home;

	qc->hash[j] = NULL;
	for (;;) {
		k = (k + 1) & mask;
		if (qc->hash[k] == NULL)
			return;
		home = id_hash(qc->hash[k]->id) & mask;
		/* leave it when its home lies cyclically in (j, k] */
		if (j <= k ? (j < home && home <= k) : (j < home || home <= k))
			continue;
		qc->hash[j] = qc->hash[k];
		qc->hash[k] = NULL;
		j = k;
	}
}

/* order_pos - where q is, or goes, in byorder */
static size_t
order_pos(const struct qcache *qc, const struct qitem *q)
{
	size_t lo = 0, hi = qc->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cmp_order(&qc->byorder[mid], &q) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* qcache_remove - drop id from the index */
static void
qcache_remove(struct qcache *qc, const char *id)
{
	struct qitem *q;
	size_t j, i;

	if (qc->hsize == 0 || qc->hash[j = hash_slot(qc, id)] == NULL)
		return;
	q = qc->hash[j];
	hash_del(qc, j);
	i = order_pos(qc, q);
	if (i < qc->n && qc->byorder[i] == q) {
		memmove(&qc->byorder[i], &qc->byorder[i + 1],
		    (qc->n - i - 1) * sizeof(*qc->byorder));
		qc->n--;
		leave(qc, q);
	}
	qc->gen++;
	qitem_free(q);
}

/* qcache_insert - put a new item (its id not indexed) into the index */
static void
qcache_insert(struct qcache *qc, struct qitem *q)
{
	size_t i;

	if (qc->n == qc->cap) {
		qc->cap = qc->cap ? qc->cap * 2 : 64;
		qc->byorder = xreallocarray(qc->byorder, qc->cap,
		    sizeof(*qc->byorder));
	}
	i = order_pos(qc, q);
	memmove(&qc->byorder[i + 1], &qc->byorder[i],
	    (qc->n - i) * sizeof(*qc->byorder));
	qc->byorder[i] = q;
	qc->n++;
	count(qc, q, 1);
	qc->gen++;
	if (qc->hsize < qc->n * 2 + 1)
		qcache_rehash(qc);	/* grows it, with q */
	else
		qc->hash[hash_slot(qc, q->id)] = q;
}

/* qcache_event - apply one inotify event: whatever happened to the file,
 * the indexed version is out of date; a file written or moved in is
 * parsed again */
static void
qcache_event(struct qcache *qc, const struct inotify_event *ev)
{
	char id[ID_MAX + 1];
	struct qitem *q;
	size_t len = strlen(ev->name);

	if (len <= 4 || len - 4 > ID_MAX ||
	    strcmp(ev->name + len - 4, ".job") != 0)
		return;
	memcpy(id, ev->name, len - 4);
	id[len - 4] = '\0';
	if (!id_valid(id))
		return;
	qcache_remove(qc, id);
	if ((ev->mask & (IN_MOVED_TO | IN_CLOSE_WRITE)) &&
	    (q = qitem_load(qc, id)) != NULL)
		qcache_insert(qc, q);
}

/* qcache_drain - apply what inotify reported, O(log n) and a memmove per
 * change; 1 when a full scan is needed instead (overflow, the directory
 * moved) */
static int
qcache_drain(struct qcache *qc)
{
	char ebuf[65536] __attribute__((aligned(__alignof__(struct
	    inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;
	int full = 0;

	/* the common case, no event, costs one read(2) */
	while ((n = read(qc->ifd, ebuf, sizeof(ebuf))) > 0) {
		for (p = ebuf; p < ebuf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED |
			    IN_DELETE_SELF | IN_MOVE_SELF))
				full = 1;
			else if (ev->len && !full)
				qcache_event(qc, ev);
		}
	}
	return full;
}

/*
 * qcache_refresh - bring the index up to date.  With inotify: apply its
 * events; a full scan at the start, on overflow, and when queued/'s mtime
 * changed and the last full scan is QC_RESCAN_MS old.  Without: a scan
 * whenever the mtime changed.  File times have a coarse clock: a change in
 * the same tick as our scan leaves the mtime as it was, so a directory
 * changed less than a second before the last scan started counts as
 * changed (git's "racy" rule).
 */
static int
qcache_refresh(struct qcache *qc)
{
	char dir[4096];
	struct stat st;
	int64_t m;
	int same;

	if (qc->valid && qc->ifd != -1 && qcache_drain(qc) == 1)
		qc->valid = 0;
	if (path_join(dir, sizeof(dir), qc->sp->dir,
	    state_dir(ST_QUEUED)) == -1 || stat(dir, &st) == -1)
		return -1;
	m = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	same = st.st_mtim.tv_sec == qc->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == qc->mtime.tv_nsec && m + 1000 < qc->scanned;
	if (qc->valid && (same || (qc->ifd != -1 &&
	    now_ms() - qc->scanned < QC_RESCAN_MS)))
		return 0;
	return qcache_scan(qc, &st.st_mtim);
}

/* qcache_pos - index of the first item after (created, id) */
static size_t
qcache_pos(struct qcache *qc, int64_t created, const char *id)
{
	size_t lo = 0, hi = qc->n, mid;
	const struct qitem *q;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		q = qc->byorder[mid];
		c = q->created < created ? -1 : q->created > created ? 1 :
		    strcmp(q->id, id);
		if (c <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
qcache_page(struct qcache *qc, const char *client, int64_t after_created,
    const char *after_id, size_t limit, qcache_fn fn, void *arg,
    int *more)
{
	size_t i;
	int n = 0;

	*more = 0;
	pthread_mutex_lock(&qc->mtx);
	if (qcache_refresh(qc) == -1) {
		pthread_mutex_unlock(&qc->mtx);
		return -1;
	}
	i = after_id ? qcache_pos(qc, after_created, after_id) : 0;
	for (; i < qc->n; i++) {
		const struct qitem *q = qc->byorder[i];

		if (client && (q->client == NULL || strcmp(q->client, client)))
			continue;
		if ((size_t)n == limit) {
			*more = 1;
			break;
		}
		fn(q, arg);
		n++;
	}
	pthread_mutex_unlock(&qc->mtx);
	return n;
}

/* fair_order - qc->fair up to date: the order a node takes the queued
 * jobs in, made again (O(n log n)) only when the queue or config changed */
static void
fair_order(struct qcache *qc, const struct config *cfg)
{
	size_t i;

	if (qc->fair_gen == qc->gen + 1 && qc->fair_cfg == cfg)
		return;
	free(qc->fair);
	qc->fair = xcalloc(qc->n + 1, sizeof(*qc->fair));
	for (i = 0; i < qc->n; i++) {
		qc->fair[i].client = qc->byorder[i]->client;
		qc->fair[i].created = qc->byorder[i]->created;
		qc->fair[i].id = qc->byorder[i]->id;
		qc->fair[i].data = qc->byorder[i];
	}
	sched_order(cfg, qc->fair, qc->n);
	qc->fair_gen = qc->gen + 1;
	qc->fair_cfg = cfg;
}

/*
 * resume - the fair order with the job id put back, when it has left the
 * queue since the page it ended: a page after it goes on where it would
 * stand now (sched_order again, O(n log n), only for such a cursor), not
 * from the head.  NULL when it is not remembered; else the order (n + 1
 * entries, its own with data NULL) and its place in *at.
 */
static struct sorder *
resume(struct qcache *qc, const struct config *cfg, const char *id,
    size_t *at)
{
	const struct qgone *g = NULL;
	struct sorder *v;
	size_t i;

	for (i = 0; i < QC_GONE && i < qc->ngone; i++)
		if (strcmp(qc->gone[i].id, id) == 0)
			g = &qc->gone[i];
	if (g == NULL)
		return NULL;
	v = xcalloc(qc->n + 1, sizeof(*v));
	memcpy(v, qc->fair, qc->n * sizeof(*v));
	v[qc->n].client = g->client;
	v[qc->n].created = g->created;
	v[qc->n].id = g->id;
	v[qc->n].data = NULL;
	sched_order(cfg, v, qc->n + 1);
	for (*at = 0; *at < qc->n && v[*at].data != NULL; (*at)++)
		;
	return v;
}

int
qcache_page_all(struct qcache *qc, const struct config *cfg,
    const char *after_id, size_t limit, qcache_fn fn, void *arg, int *more)
{
	struct sorder *v, *back = NULL;
	size_t i = 0, end;
	int n = 0, found = 0;

	*more = 0;
	pthread_mutex_lock(&qc->mtx);
	if (qcache_refresh(qc) == -1) {
		pthread_mutex_unlock(&qc->mtx);
		return -1;
	}
	fair_order(qc, cfg);
	v = qc->fair;
	end = qc->n;
	/* after the cursor's job; where it would stand when it has gone */
	for (; after_id != NULL && i < qc->n && !found; i++)
		found = strcmp(qc->fair[i].id, after_id) == 0;
	if (after_id != NULL && !found) {
		i = 0;
		if ((back = resume(qc, cfg, after_id, &i)) != NULL) {
			v = back;
			end = qc->n + 1;
			i++;
		}
	}
	for (; i < end; i++) {
		if ((size_t)n == limit) {
			*more = 1;
			break;
		}
		fn(v[i].data, arg);
		n++;
	}
	free(back);
	pthread_mutex_unlock(&qc->mtx);
	return n;
}

int64_t
qcache_count(struct qcache *qc, const char *client)
{
	struct qcount *c;
	int64_t n = 0;

	pthread_mutex_lock(&qc->mtx);
	if (qcache_refresh(qc) == -1) {
		pthread_mutex_unlock(&qc->mtx);
		return -1;
	}
	if (client == NULL)
		n = qc->nnone;
	else if (qc->csize > 0 && (c = *count_slot(qc, client)) != NULL)
		n = c->n;
	pthread_mutex_unlock(&qc->mtx);
	return n;
}

int
qcache_find(struct qcache *qc, const char *client, const char *hash,
    const char *idem, char *id)
{
	size_t i;
	int found = 0;

	pthread_mutex_lock(&qc->mtx);
	if (qcache_refresh(qc) == -1) {
		pthread_mutex_unlock(&qc->mtx);
		return -1;
	}
	for (i = 0; i < qc->n && !found; i++) {
		const struct qitem *q = qc->byorder[i];

		if (client && (q->client == NULL || strcmp(q->client, client)))
			continue;
		if ((hash && q->request_hash &&
		    strcmp(q->request_hash, hash) == 0) ||
		    (idem && q->idempotency_key &&
		    strcmp(q->idempotency_key, idem) == 0)) {
			memcpy(id, q->id, sizeof(q->id));
			found = 1;
		}
	}
	pthread_mutex_unlock(&qc->mtx);
	return found;
}

void
qcache_stats(struct qcache *qc, size_t *n, uint64_t *scans, uint64_t *parsed)
{
	pthread_mutex_lock(&qc->mtx);
	*n = qc->n;
	*scans = qc->scans;
	*parsed = qc->parsed;
	pthread_mutex_unlock(&qc->mtx);
}
