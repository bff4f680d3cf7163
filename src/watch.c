/* watch.c - the daemon's candidate jobs: inotify on queued/ and failed/ is
 * a hint, a rescan of the directories is the truth; those due are handed
 * out in sched.c's order (each candidate's client, type and creation time
 * are read from its file when it is added), those not yet due wait in a
 * heap (heap.c's) by due time. */
#include <sys/inotify.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

#define WATCH_NAME_MAX	255

struct cand {
	enum state	 st;		/* ST_QUEUED or ST_FAILED */
	int64_t		 mtime;		/* ns */
	int64_t		 when;		/* ns, the order: created, else mtime */
	char		*client, *type;	/* from the file, NULL: none */
	int64_t		 due;		/* ms; 0: now */
	size_t		 hidx;		/* place in the waiting heap */
	struct sent	*se;		/* ready: its place in the schedule */
	struct cand	*next;		/* hash chain */
	char		 name[];	/* file name less .job */
};

struct watch {
	char		*dir[2];	/* queued/, failed/ */
	int		 fd;
	int		 wd[2];
	int		 dfd[2];	/* the two directories, open */
	struct cand	**ht;
	size_t		 htsize, n;
	struct sched	*sched;		/* the ready ones */
	struct heap	 wait;
};

static const enum state watch_states[2] = { ST_QUEUED, ST_FAILED };

/* hash - FNV-1a over the name and the state */
static size_t
hash(const char *s, enum state st)
{
	return str_hash(s, (uint64_t)st);
}

/* due_before - the waiting heap's order: the soonest due first */
static int
due_before(const void *a, const void *b)
{
	return ((const struct cand *)a)->due < ((const struct cand *)b)->due;
}

/* find - the candidate of name in st, or NULL */
static struct cand *
find(struct watch *w, const char *name, enum state st)
{
	struct cand *c;

	for (c = w->ht[hash(name, st) & (w->htsize - 1)]; c; c = c->next)
		if (c->st == st && strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void
grow(struct watch *w)
{
	struct cand **ht, *c, *nx;
	size_t i, size = w->htsize * 2, k;

	ht = xcalloc(size, sizeof(*ht));
	for (i = 0; i < w->htsize; i++)
		for (c = w->ht[i]; c; c = nx) {
			nx = c->next;
			k = hash(c->name, c->st) & (size - 1);
			c->next = ht[k];
			ht[k] = c;
		}
	free(w->ht);
	w->ht = ht;
	w->htsize = size;
}

/* unqueue - c out of the schedule or the waiting heap */
static void
unqueue(struct watch *w, struct cand *c)
{
	if (c->se != NULL)
		sched_remove(w->sched, c->se);
	else if (c->due != -1)
		heap_remove(&w->wait, c);
	c->se = NULL;
	c->due = -1;
}

/* ready - c into the schedule */
static void
ready(struct watch *w, struct cand *c)
{
	c->due = 0;
	c->se = sched_add(w->sched, c->client, c->type, c->when, c->name, c);
}

/* drop - takes c out of the hash table and its heap, frees it */
static void
drop(struct watch *w, struct cand *c)
{
	struct cand **pp;

	pp = &w->ht[hash(c->name, c->st) & (w->htsize - 1)];
	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	unqueue(w, c);
	w->n--;
	free(c->client);
	free(c->type);
	free(c);
}

struct watch *
watch_new(const char *spooldir, struct sched *sched, char *err,
    size_t errlen)
{
	struct watch *w;
	int i;

	w = xcalloc(1, sizeof(*w));
	w->htsize = 1024;
	w->ht = xcalloc(w->htsize, sizeof(*w->ht));
	w->sched = sched;
	heap_init(&w->wait, due_before, offsetof(struct cand, hidx));
	w->fd = w->dfd[0] = w->dfd[1] = -1;
	for (i = 0; i < 2; i++) {
		xasprintf(&w->dir[i], "%s/%s", spooldir,
		    state_dir(watch_states[i]));
		w->dfd[i] = open(w->dir[i], O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
		if (w->dfd[i] == -1) {
			seterr(err, errlen, "%s: %s", w->dir[i],
			    strerror(errno));
			goto fail;
		}
	}
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		seterr(err, errlen, "inotify_init1: %s", strerror(errno));
		goto fail;
	}
	for (i = 0; i < 2; i++) {
		w->wd[i] = inotify_add_watch(w->fd, w->dir[i],
		    IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
		if (w->wd[i] == -1) {
			seterr(err, errlen, "inotify_add_watch %s: %s",
			    w->dir[i], strerror(errno));
			goto fail;
		}
	}
	return w;
 fail:
	watch_free(w);
	return NULL;
}

void
watch_free(struct watch *w)
{
	size_t i;
	struct cand *c, *nx;

	if (w == NULL)
		return;
	for (i = 0; i < w->htsize; i++)
		for (c = w->ht[i]; c; c = nx) {
			nx = c->next;
			if (c->se != NULL)
				sched_remove(w->sched, c->se);
			free(c->client);
			free(c->type);
			free(c);
		}
	free(w->ht);
	heap_free(&w->wait);
	if (w->fd != -1)
		close(w->fd);
	for (i = 0; i < 2; i++)
		if (w->dfd[i] != -1)
			close(w->dfd[i]);
	free(w->dir[0]);
	free(w->dir[1]);
	free(w);
}

int
watch_fd(const struct watch *w)
{
	return w->fd;
}

size_t
watch_count(const struct watch *w)
{
	return w->n;
}

/* meta - client, type and creation time from c's file as it is now; a
 * file that cannot be read or parsed (being written, not a job: the claim
 * decides) has none, and its mtime for a creation time */
static void
meta(struct watch *w, struct cand *c)
{
	char path[PATH_MAX], err[ERRLEN];
	struct job j;

	free(c->client);
	free(c->type);
	c->client = c->type = NULL;
	c->when = c->mtime;
	job_init(&j);
	if (snprintf(path, sizeof(path), "%s/%s.job",
	    w->dir[c->st == ST_QUEUED ? 0 : 1], c->name) < (int)sizeof(path) &&
	    spool_read(path, &j, err, sizeof(err)) == 0) {
		c->client = j.client ? xstrdup(j.client) : NULL;
		c->type = j.type ? xstrdup(j.type) : NULL;
		if (j.created > 0)
			c->when = j.created * 1000000;
	}
	job_free(&j);
}

void
watch_add(struct watch *w, const char *name, enum state st,
    int64_t mtime_ns, int64_t due_ms)
{
	struct cand *c;
	size_t k;

	if (strlen(name) > WATCH_NAME_MAX)
		return;
	if ((c = find(w, name, st)) != NULL) {
		unqueue(w, c);
	} else {
		if (w->n >= w->htsize)
			grow(w);
		c = xcalloc(1, sizeof(*c) + strlen(name) + 1);
		memcpy(c->name, name, strlen(name) + 1);
		c->st = st;
		c->due = -1;
		k = hash(name, st) & (w->htsize - 1);
		c->next = w->ht[k];
		w->ht[k] = c;
		w->n++;
	}
	c->mtime = mtime_ns;
	meta(w, c);
	if (due_ms > 0) {
		c->due = due_ms;
		heap_push(&w->wait, c);
	} else
		ready(w, c);
}

void
watch_forget(struct watch *w, const char *name, enum state st)
{
	struct cand *c;

	if ((c = find(w, name, st)) != NULL)
		drop(w, c);
}

/* promote - waiting candidates whose time has come join the ready heap */
static void
promote(struct watch *w, int64_t now)
{
	struct cand *c;

	while ((c = heap_top(&w->wait)) != NULL && c->due <= now) {
		heap_remove(&w->wait, c);
		ready(w, c);
	}
}

int
watch_next(struct watch *w, int64_t now, char *name, size_t size)
{
	struct cand *c;
	int st;

	promote(w, now);
	if ((c = sched_next(w->sched)) == NULL)
		return -1;
	c->se = NULL;		/* sched_next freed it */
	c->due = -1;
	snprintf(name, size, "%s", c->name);
	st = c->st;
	drop(w, c);
	return st;
}

int64_t
watch_due(struct watch *w, int64_t now)
{
	struct cand *c;

	promote(w, now);
	if (sched_ready(w->sched))
		return now;
	if ((c = heap_top(&w->wait)) != NULL)
		return c->due;
	return -1;
}

/* job_name - the name less ".job" of a file that looks like a job; 0 or -1
 * for dotfiles and other names */
static int
job_name(const char *file, char *name, size_t size)
{
	size_t n = strlen(file);

	if (file[0] == '.' || n <= 4 || strcmp(file + n - 4, ".job") != 0 ||
	    n - 4 >= size)
		return -1;
	memcpy(name, file, n - 4);
	name[n - 4] = '\0';
	return 0;
}

/* note - a file seen in directory i: a new candidate, or an old one that
 * changed and is looked at again now */
static void
note(struct watch *w, int i, int dfd, const char *file, int from_scan)
{
	char name[WATCH_NAME_MAX + 1];
	struct stat sb;
	struct cand *c;
	int64_t mt;

	if (job_name(file, name, sizeof(name)) == -1)
		return;
	c = find(w, name, watch_states[i]);
	/* a rescan re-reads only what changed since it was last seen */
	if (c != NULL && from_scan && i == 0)
		return;
	/* in queued/ a symbolic link or a FIFO is a candidate too, so that
	 * the daemon sends it to bad/ (never followed, never read) */
	if (fstatat(dfd, file, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    S_ISDIR(sb.st_mode) || (!S_ISREG(sb.st_mode) && i != 0))
		return;
	mt = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	if (c != NULL && c->mtime == mt && from_scan)
		return;
	watch_add(w, name, watch_states[i], mt, 0);
}

int
watch_drain(struct watch *w)
{
	char ev[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *e;
	ssize_t n;
	char *p;
	int i, rescan = 0;

	for (;;) {
		n = read(w->fd, ev, sizeof(ev));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (p = ev; p < ev + n; p += sizeof(*e) + e->len) {
			e = (const struct inotify_event *)p;
			if (e->mask & IN_Q_OVERFLOW)
				rescan = 1;
			if (e->len == 0)
				continue;
			for (i = 0; i < 2; i++) {
				if (e->wd == w->wd[i])
					note(w, i, w->dfd[i], e->name, 0);
			}
		}
	}
	return rescan;
}

int
watch_rescan(struct watch *w)
{
	struct dirent *de;
	DIR *d;
	int i, r = 0;

	for (i = 0; i < 2; i++) {
		if ((d = opendir(w->dir[i])) == NULL) {
			r = -1;
			continue;
		}
		while ((de = readdir(d)) != NULL)
			if (de->d_type == DT_REG || de->d_type == DT_UNKNOWN ||
			    (i == 0 && (de->d_type == DT_LNK ||
			    de->d_type == DT_FIFO)))
				note(w, i, dirfd(d), de->d_name, 1);
		closedir(d);
	}
	return r;
}
