/* qcache.c - the REST shim's in-memory index of queued/: id, client, type,
 * format, created, request hash and idempotency key of every queued job,
 * so that listings and duplicate checks do not parse 100,000 job files on
 * every request.  The directory stays the truth: before each use the index
 * is checked against queued/'s mtime and rebuilt by readdir, parsing only
 * the files it has not seen yet. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

struct qcache {
	pthread_mutex_t	 mtx;
	struct spool	*sp;
	struct qitem	**byorder;	/* (created, id) ascending */
	struct qitem	**byid;		/* id ascending, for rebuilds */
	size_t		 n;
	int		 valid;
	struct timespec	 mtime;		/* queued/'s mtime at the last scan */
	int64_t		 scanned;	/* now_ms() when it started */
	uint64_t	 scans, parsed;	/* for tests and metrics */
};

struct qcache *
qcache_new(struct spool *sp)
{
	struct qcache *qc = xcalloc(1, sizeof(*qc));

	pthread_mutex_init(&qc->mtx, NULL);
	qc->sp = sp;
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

void
qcache_free(struct qcache *qc)
{
	size_t i;

	if (qc == NULL)
		return;
	for (i = 0; i < qc->n; i++)
		qitem_free(qc->byid[i]);
	free(qc->byid);
	free(qc->byorder);
	pthread_mutex_destroy(&qc->mtx);
	free(qc);
}

static int
cmp_id(const void *a, const void *b)
{
	const struct qitem *qa = *(const struct qitem *const *)a;
	const struct qitem *qb = *(const struct qitem *const *)b;

	return strcmp(qa->id, qb->id);
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

/* qitem_load - parse queued/ID.job into a new item; NULL when unreadable
 * (being written, or bad: the daemon deals with it) */
static struct qitem *
qitem_load(struct qcache *qc, const char *id)
{
	char path[4096], err[ERRLEN];
	struct qitem *q = NULL;
	struct stat st;
	struct job j;

	job_init(&j);
	if (spool_path(qc->sp, path, sizeof(path), ST_QUEUED, NULL, id) == -1)
		goto out;
	if (spool_read(path, &j, err, sizeof(err)) == -1)
		goto out;
	q = xcalloc(1, sizeof(*q));
	snprintf(q->id, sizeof(q->id), "%s", id);
	q->client = j.client ? xstrdup(j.client) : NULL;
	q->type = xstrdup(j.type ? j.type : "");
	q->format = j.format;
	q->created = j.created;
	if (q->created == 0 && stat(path, &st) == 0)
		q->created = (int64_t)st.st_mtim.tv_sec * 1000 +
		    st.st_mtim.tv_nsec / 1000000;
	q->request_hash = j.request_hash ? xstrdup(j.request_hash) : NULL;
	q->idempotency_key = j.idempotency_key ?
	    xstrdup(j.idempotency_key) : NULL;
	qc->parsed++;
out:
	job_free(&j);
	return q;
}

/* qcache_old - the item of id from the previous scan, or NULL */
static struct qitem *
qcache_old(struct qcache *qc, const char *id)
{
	struct qitem key, *kp = &key, **hit;

	if (qc->n == 0)
		return NULL;
	snprintf(key.id, sizeof(key.id), "%s", id);
	hit = bsearch(&kp, qc->byid, qc->n, sizeof(*qc->byid), cmp_id);
	return hit ? *hit : NULL;
}

/* qcache_scan - rebuild from readdir(queued/); 0 or -1 with errno */
static int
qcache_scan(struct qcache *qc, const struct timespec *mtime)
{
	char dir[4096], id[ID_MAX + 1];
	struct qitem **v = NULL, *q;
	struct dirent *de;
	size_t n = 0, cap = 0, i, len;
	int64_t started = now_ms();
	DIR *d;

	if (path_join(dir, sizeof(dir), qc->sp->dir,
	    state_dir(ST_QUEUED)) == -1 || (d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 4 || len - 4 > ID_MAX ||
		    strcmp(de->d_name + len - 4, ".job") != 0)
			continue;
		memcpy(id, de->d_name, len - 4);
		id[len - 4] = '\0';
		if (!id_valid(id))
			continue;
		if ((q = qcache_old(qc, id)) != NULL)
			q->mark = 1;		/* still here: keep it */
		else if ((q = qitem_load(qc, id)) == NULL)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[n++] = q;
	}
	closedir(d);
	for (i = 0; i < qc->n; i++) {
		if (qc->byid[i]->mark)
			qc->byid[i]->mark = 0;
		else
			qitem_free(qc->byid[i]);
	}
	free(qc->byid);
	free(qc->byorder);
	if (v == NULL)
		v = xreallocarray(NULL, 1, sizeof(*v));
	qc->byid = v;
	qc->byorder = xreallocarray(NULL, n ? n : 1, sizeof(*v));
	if (n) {
		qsort(v, n, sizeof(*v), cmp_id);
		memcpy(qc->byorder, v, n * sizeof(*v));
		qsort(qc->byorder, n, sizeof(*v), cmp_order);
	}
	qc->n = n;
	qc->mtime = *mtime;
	qc->scanned = started;
	qc->valid = 1;
	qc->scans++;
	return 0;
}

/*
 * qcache_refresh - rescan when queued/ changed since the last scan.  File
 * times have a coarse clock: a change in the same tick as our scan leaves
 * the mtime as it was, so a directory changed less than a second before
 * the last scan started is scanned again (git's "racy" rule).
 */
static int
qcache_refresh(struct qcache *qc)
{
	char dir[4096];
	struct stat st;
	int64_t m;

	if (path_join(dir, sizeof(dir), qc->sp->dir,
	    state_dir(ST_QUEUED)) == -1 || stat(dir, &st) == -1)
		return -1;
	m = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	if (qc->valid && st.st_mtim.tv_sec == qc->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == qc->mtime.tv_nsec &&
	    m + 1000 < qc->scanned)
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
