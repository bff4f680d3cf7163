/* notifyq.c - the daemon's queue of pending notifications: one child
 * process per delivery try, outcomes and retries recorded in the job file,
 * a hint file notify/ID while anything is pending. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "xspool.h"

#define NQ_CHILDREN	16	/* deliveries at once */
#define MAIL_ATTEMPTS	3	/* tries of one mail */
#define DELAY_MAX	(24 * 3600 * 1000LL)	/* longest wait between tries */
#define HINT_SCAN_MS	5000	/* look for hints other programs wrote */
#define HINT_FULL_MS	60000	/* ... even when notify/ seems unchanged */
#define NQ_BUCKETS	4096	/* hash of the entries by id */

/* child exit statuses */
enum { TRY_SENT = 0, TRY_AGAIN = 1, TRY_GIVEUP = 2, TRY_NONE = 3 };
enum chan { CH_WEBHOOK = 0, CH_MAIL, NCHAN };

struct nqchan {
	int	 pending;	/* a try is to be made at due */
	int64_t	 due;		/* now_ms() */
	pid_t	 pid;		/* the child trying it, 0 when none */
	int	 fd;		/* read end of the child's result pipe */
	char	*msg_id;	/* the event the child sends */
};

struct nqent {
	char		 id[ID_MAX + 1];
	int		 fresh;		/* (re)read the job file first */
	struct nqchan	 ch[NCHAN];
	struct nqent	*next, **prevp;	/* the queue, in both directions */
	struct nqent	*hnext;		/* the hash bucket */
};

struct notifyq {
	struct spool		*sp;
	const struct config	*cfg;
	char			*own;		/* DIR/notify/NODE */
	struct node		*node;		/* the daemon's, or NULL */
	struct nqent		*head;
	struct nqent		*bucket[NQ_BUCKETS];
	struct nqent		*kid[NQ_CHILDREN];	/* whose try runs */
	int			 nbusy;
	int64_t			 hint_scan;	/* next look at notify/ */
	struct timespec		 hint_mtime;	/* notify/ when last read */
	int64_t			 hint_full;	/* next read whatever mtime says */
};

static const char *chan_name[NCHAN] = { "webhook", "mail" };

static void	entry_load(struct notifyq *, struct nqent *);
static void	own_hint(struct notifyq *, const char *);

struct notifyq *
notifyq_new(struct spool *sp, const struct config *cfg)
{
	struct notifyq *q = xcalloc(1, sizeof(*q));

	curl_global_init(CURL_GLOBAL_DEFAULT);	/* once, not in each child */
	q->sp = sp;
	q->cfg = cfg;
	xasprintf(&q->own, "%s/notify/%s", sp->dir, sp->node ? sp->node :
	    "local");
	if (mkdir(q->own, 0700) == -1 && errno != EEXIST)
		log_warn("notify: %s", q->own);
	return q;
}

void
notifyq_config(struct notifyq *q, const struct config *cfg)
{
	q->cfg = cfg;
}

/* bucket_of - FNV-1a of an id */
static struct nqent **
bucket_of(struct notifyq *q, const char *id)
{
	uint32_t h = 2166136261u;

	while (*id)
		h = (h ^ (unsigned char)*id++) * 16777619u;
	return &q->bucket[h % NQ_BUCKETS];
}

static struct nqent *
entry_find(struct notifyq *q, const char *id)
{
	struct nqent *e;

	for (e = *bucket_of(q, id); e != NULL; e = e->hnext)
		if (strcmp(e->id, id) == 0)
			return e;
	return NULL;
}

/* entry_get - the entry of id, a new one (to be read) if none */
static struct nqent *
entry_get(struct notifyq *q, const char *id)
{
	struct nqent *e, **b;
	int c;

	if ((e = entry_find(q, id)) != NULL)
		return e;
	e = xcalloc(1, sizeof(*e));
	memcpy(e->id, id, strnlen(id, ID_MAX));	/* ids are valid here */
	for (c = 0; c < NCHAN; c++)
		e->ch[c].fd = -1;
	e->fresh = 1;
	if ((e->next = q->head) != NULL)
		q->head->prevp = &e->next;
	e->prevp = &q->head;
	q->head = e;
	b = bucket_of(q, id);
	e->hnext = *b;
	*b = e;
	return e;
}

static void
entry_free(struct nqent *e)
{
	int c;

	for (c = 0; c < NCHAN; c++) {
		if (e->ch[c].fd != -1)
			close(e->ch[c].fd);
		free(e->ch[c].msg_id);
	}
	free(e);
}

/* hint_path - DIR/notify/NODE/ID, this node's hint of id */
static int
hint_path(struct notifyq *q, const char *id, char *buf, size_t size)
{
	return path_join(buf, size, q->own, id);
}

/* entry_forget - drop e from the queue (its hint stays) */
static void
entry_forget(struct notifyq *q, struct nqent *e)
{
	struct nqent **pp;

	if ((*e->prevp = e->next) != NULL)
		e->next->prevp = e->prevp;
	for (pp = bucket_of(q, e->id); *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	entry_free(e);
}

/* entry_done - nothing left to send or running: forget it, drop its hint */
static void
entry_done(struct notifyq *q, struct nqent *e)
{
	char path[PATH_MAX];

	if (hint_path(q, e->id, path, sizeof(path)) == 0 &&
	    unlink(path) == -1 && errno != ENOENT)
		log_warn("notify: %s", path);
	entry_forget(q, e);
}

static int
entry_idle(const struct nqent *e)
{
	int c;

	for (c = 0; c < NCHAN; c++)
		if (e->ch[c].pending || e->ch[c].pid != 0)
			return 0;
	return !e->fresh;
}

/* track_reset - a new event to send on one channel */
static void
track_reset(struct notify_track *t)
{
	char hex[33];

	free(t->msg_id);
	free(t->error);
	t->error = NULL;
	if (random_hex(hex, 16) == -1)	/* getrandom cannot really fail */
		snprintf(hex, sizeof(hex), "%llx", (long long)now_ms());
	xasprintf(&t->msg_id, "msg_%s", hex);
	t->state = NS_PENDING;
	t->tries = 0;
	t->next_ms = 0;
}

int
notifyq_prepare(struct notifyq *q, struct job *j, enum state st)
{
	int n = 0;

	if (st != ST_COMPLETED && st != ST_CANCELLED && !(st == ST_FAILED &&
	    q != NULL && q->cfg->notify_each_failure))
		return 0;
	if (j->callback != NULL && *j->callback != '\0') {
		track_reset(&j->webhook);
		j->result.callback_sent = 0;
		n++;
	}
	if (j->email != NULL && *j->email != '\0') {
		track_reset(&j->mail);
		j->result.email_sent = 0;
		n++;
	}
	if (n == 0)
		return 0;
	j->result.present = 1;
	/* the hint goes first: a crash right after the move loses nothing */
	if (q != NULL)
		own_hint(q, j->id);
	return 1;
}

/* hint_write - create the empty file path in dir (fsync per sync) */
static int
hint_write(const char *path, const char *dir, int sync)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return -1;
	if (sync && fsync(fd) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return sync ? fsync_dir(dir) : 0;
}

int
notifyq_hint(struct spool *sp, const char *id)
{
	char path[PATH_MAX], dir[PATH_MAX];

	if (!id_valid(id) || spool_sub(sp, path, sizeof(path), SD_NOTIFY, id,
	    NULL) == -1 || spool_sub(sp, dir, sizeof(dir), SD_NOTIFY, NULL,
	    NULL) == -1) {
		errno = EINVAL;
		return -1;
	}
	return hint_write(path, dir, sp->sync);
}

/* own_hint - this node's hint of id: notify/NODE/ID */
static void
own_hint(struct notifyq *q, const char *id)
{
	char path[PATH_MAX];

	if (!id_valid(id) || hint_path(q, id, path, sizeof(path)) == -1 ||
	    hint_write(path, q->own, q->sp->sync) == -1)
		log_warn("notify: %s: hint file", id);
}

void
notifyq_add(struct notifyq *q, const char *id)
{
	own_hint(q, id);
	entry_get(q, id)->fresh = 1;
}

/* entry_load - schedule from what the job file says is pending */
static void
entry_load(struct notifyq *q, struct nqent *e)
{
	char err[ERRLEN];
	struct notify_track *t;
	struct job j;
	int c, st, early;

	e->fresh = 0;
	job_init(&j);
	if ((st = spool_load(q->sp, e->id, &j, NULL, err, sizeof(err))) ==
	    -1) {
		if (errno != ENOENT) {	/* the next hint scan tries again */
			log_warnx("notify: %s", err);
			if (e->ch[CH_WEBHOOK].pid || e->ch[CH_MAIL].pid)
				goto out;
			entry_forget(q, e);
			goto gone;
		}
		log_info("notify: %s: job gone, nothing to send", e->id);
		for (c = 0; c < NCHAN; c++)
			e->ch[c].pending = 0;
		goto out;
	}
	/* prepared for COMPLETED or CANCELLED, but the move did not happen
	 * (yet): the move, or the next attempt, will queue it again */
	early = (st != ST_COMPLETED && j.result.success) || (st !=
	    ST_CANCELLED && st != ST_COMPLETED && j.cancelled_by != NULL);
	for (c = 0; c < NCHAN; c++) {
		t = c == CH_WEBHOOK ? &j.webhook : &j.mail;
		if (e->ch[c].pid != 0)
			continue;	/* looked at again when it is reaped */
		e->ch[c].pending = !early && t->state == NS_PENDING && t->msg_id;
		e->ch[c].due = t->next_ms;
		free(e->ch[c].msg_id);
		e->ch[c].msg_id = t->msg_id ? xstrdup(t->msg_id) : NULL;
	}
out:
	job_free(&j);
	if (entry_idle(e))
		entry_done(q, e);
	return;
gone:
	job_free(&j);
}

/* lost - node's hints are ours to send: node.c's lease rule, with the
 * daemon's node when we have one; without (a one-shot drain), a missing
 * heartbeat or one older than lease by the server's clock */
static int
lost(struct notifyq *q, const char *node)
{
	struct nodeid id;
	int64_t now;

	if (q->node != NULL)
		return node_lost(q->node, node);
	if (q->sp->node == NULL)
		return 0;
	if (node_read(q->sp, node, &id) == -1)
		return errno == ENOENT;
	return node_clock(q->sp, &now) == 0 &&
	    node_expired(&id, now, q->cfg->lease_ms);
}

/* take - move the hint dir/name into this node's directory and queue it
 * (a rename: of several nodes, one wins) */
static void
take(struct notifyq *q, const char *dir, const char *name)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct stat sb;

	if (!id_valid(name) || path_join(from, sizeof(from), dir, name) == -1 ||
	    hint_path(q, name, to, sizeof(to)) == -1)
		return;
	if (strcmp(from, to) == 0) {	/* ours: queue it if it is not */
		if (entry_find(q, name) == NULL)
			entry_get(q, name);
		return;
	}
	if (rename(from, to) == -1 &&
	    !(errno == ENOENT && stat(to, &sb) == 0))	/* NFS retransmit */
		return;		/* another node took it */
	entry_get(q, name)->fresh = 1;
}

/* take_all - every hint in dir; other nodes' directories when lost */
static void
take_all(struct notifyq *q, const char *dir, int others)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat sb;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		if (errno != ENOENT)
			log_warn("notify: %s", dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    path_join(sub, sizeof(sub), dir, de->d_name) == -1)
			continue;
		if (de->d_type == DT_REG)
			sb.st_mode = S_IFREG;
		else if (de->d_type == DT_DIR)
			sb.st_mode = S_IFDIR;
		else if (stat(sub, &sb) == -1)
			continue;
		if (S_ISREG(sb.st_mode))
			take(q, dir, de->d_name);
		else if (S_ISDIR(sb.st_mode) && others &&
		    strcmp(sub, q->own) != 0 && lost(q, de->d_name)) {
			log_info("notify: node %s is gone: taking its "
			    "notifications", de->d_name);
			take_all(q, sub, 0);
		}
	}
	closedir(d);
}

void
notifyq_scan(struct notifyq *q)
{
	char path[PATH_MAX];
	struct nqent *e, *next;
	struct stat sb;
	int64_t mono = mono_ms();
	int full;

	if (spool_sub(q->sp, path, sizeof(path), SD_NOTIFY, NULL, NULL) == -1)
		return;
	q->hint_scan = mono + HINT_SCAN_MS;
	full = mono >= q->hint_full;
	if (full)	/* our own: at start, and any we had to let go */
		take_all(q, q->own, 0);
	if (stat(path, &sb) == -1)
		memset(&sb, 0, sizeof(sb));
	if (!full && sb.st_mtim.tv_sec == q->hint_mtime.tv_sec &&
	    sb.st_mtim.tv_nsec == q->hint_mtime.tv_nsec)
		return;		/* no hint came or went since */
	/* a change in the same clock tick keeps the mtime: read it all
	 * again now and then whatever the mtime says */
	q->hint_mtime = sb.st_mtim;
	if (full)
		q->hint_full = mono + HINT_FULL_MS;
	take_all(q, path, full);
	for (e = q->head; e != NULL; e = next) {
		next = e->next;
		if (e->fresh)
			entry_load(q, e);
	}
}

/* close_between - close every descriptor in [lo, hi] */
static void
close_between(int lo, int hi)
{
	int fd;

	if (lo > hi)
		return;
	if (close_range((unsigned)lo, (unsigned)hi, 0) == 0)
		return;
	for (fd = lo; fd <= hi && fd < 4096; fd++)
		close(fd);
}

/*
 * child_reset - a delivery child: default signals, none blocked, and
 * only the descriptors it needs (a daemon's lock must not outlive it).
 */
static void
child_reset(int keep1, int keep2)
{
	int lo = keep1 < keep2 ? keep1 : keep2, hi = keep1 < keep2 ? keep2 :
	    keep1;
	sigset_t all;

	if (lo < 3)
		lo = hi;
	if (hi < 3)
		lo = hi = 2;
	close_between(3, lo - 1);
	close_between(lo + 1, hi - 1);
	close_between(hi + 1, INT_MAX);

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
}

/* child_try - in the child: one try of channel c; never returns */
static void
child_try(struct notifyq *q, struct nqent *e, int c, int fd)
{
	char err[ERRLEN] = "", out[ERRLEN + 32];
	struct notify_track *t;
	int64_t ra = 0;
	struct job j;
	int st, r, code = TRY_NONE, n;

	child_reset(fd, q->sp->dirfd);
	job_init(&j);
	if ((st = spool_load(q->sp, e->id, &j, NULL, err, sizeof(err))) == -1)
		goto out;
	t = c == CH_WEBHOOK ? &j.webhook : &j.mail;
	if (t->state != NS_PENDING || t->msg_id == NULL ||
	    e->ch[c].msg_id == NULL || strcmp(t->msg_id, e->ch[c].msg_id)) {
		snprintf(err, sizeof(err), "superseded");
		goto out;
	}
	if (c == CH_WEBHOOK)
		r = notify_webhook_try(q->cfg, &j, st, &ra, err, sizeof(err));
	else
		r = notify_email_try(q->cfg, &j, st, err, sizeof(err));
	code = r == 0 ? TRY_SENT : r == 1 ? TRY_AGAIN : TRY_GIVEUP;
out:
	n = snprintf(out, sizeof(out), "%lld\n%s", (long long)ra, err);
	if (n > 0)
		(void)write_all(fd, out, (size_t)n < sizeof(out) ? (size_t)n :
		    sizeof(out) - 1);
	_exit(code);
}

/* child_start - fork a try of channel c of e */
static void
child_start(struct notifyq *q, struct nqent *e, int c)
{
	int fds[2], k;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		log_warn("notify: pipe");
		return;
	}
	if ((pid = fork()) == -1) {
		log_warn("notify: fork");
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		child_try(q, e, c, fds[1]);
	}
	close(fds[1]);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	e->ch[c].pid = pid;
	e->ch[c].fd = fds[0];
	for (k = 0; k < NQ_CHILDREN; k++)
		if (q->kid[k] == NULL) {
			q->kid[k] = e;
			break;
		}
	q->nbusy++;
}

void
notifyq_run(struct notifyq *q)
{
	struct nqent *e, *next;
	int64_t now = now_ms();
	int c;

	if (mono_ms() >= q->hint_scan)
		notifyq_scan(q);	/* hints from the CLI, the API */
	for (e = q->head; e != NULL; e = next) {
		next = e->next;
		if (e->fresh) {
			entry_load(q, e);	/* may free e */
			continue;
		}
		for (c = 0; c < NCHAN && q->nbusy < NQ_CHILDREN; c++)
			if (e->ch[c].pending && e->ch[c].pid == 0 &&
			    e->ch[c].due <= now)
				child_start(q, e, c);
	}
}

int64_t
notifyq_next(struct notifyq *q)
{
	struct nqent *e;
	int64_t best = -1, now = now_ms(), d;
	int c;

	for (e = q->head; e != NULL; e = e->next) {
		if (e->fresh)
			return 0;
		for (c = 0; c < NCHAN; c++) {
			if (!e->ch[c].pending || e->ch[c].pid != 0)
				continue;
			d = e->ch[c].due > now ? e->ch[c].due - now : 0;
			if (best == -1 || d < best)
				best = d;
		}
	}
	return best;
}

/* child_result - what the child wrote: Retry-After and its message */
static void
child_result(int fd, int64_t *ra, char *msg, size_t size)
{
	char in[ERRLEN + 32], *nl;
	ssize_t n;
	size_t len = 0;

	while (len < sizeof(in) - 1 && (n = read(fd, in + len,
	    sizeof(in) - 1 - len)) > 0)
		len += (size_t)n;
	in[len] = '\0';
	*ra = strtoll(in, &nl, 10);
	snprintf(msg, size, "%s", *nl == '\n' ? nl + 1 : "no answer");
}

int64_t
notifyq_delay(const struct config *cfg, int tries, int64_t ra)
{
	if (ra > 0)
		return ra < DELAY_MAX ? ra : DELAY_MAX;
	return backoff_ms(cfg->webhook_retry_base_ms > 0 ?
	    cfg->webhook_retry_base_ms : 1000, DELAY_MAX, tries);
}

/* outcome - apply one try's result to the channel's track */
static void
outcome(const struct config *cfg, struct job *j, int c, int code,
    int64_t ra, const char *msg)
{
	struct notify_track *t = c == CH_WEBHOOK ? &j->webhook : &j->mail;
	int max = c == CH_WEBHOOK ? cfg->webhook_attempts : MAIL_ATTEMPTS;

	t->tries++;
	free(t->error);
	t->error = code == TRY_SENT ? NULL : xstrdup(msg);
	t->next_ms = 0;
	if (code == TRY_SENT)
		t->state = NS_SENT;
	else if (code == TRY_GIVEUP || t->tries >= (max > 0 ? max : 1))
		t->state = NS_FAILED;
	else
		t->next_ms = now_ms() + notifyq_delay(cfg, t->tries, ra);
	if (c == CH_WEBHOOK)
		j->result.callback_sent = t->state == NS_SENT;
	else
		j->result.email_sent = t->state == NS_SENT;
	j->result.present = 1;
}

/*
 * record - write a try's outcome into the job file (where it is now) and
 * schedule the channel's next try; a superseded event is read again.
 */
static void
record(struct notifyq *q, struct nqent *e, int c, int code, int64_t ra,
    const char *msg)
{
	char err[ERRLEN], node[NODE_MAX + 1];
	struct notify_track *t;
	struct job j;
	int st, pass;

	job_init(&j);
	e->ch[c].pending = 0;
	for (pass = 0; pass < 3; pass++) {
		st = spool_load(q->sp, e->id, &j, node, err, sizeof(err));
		if (st == -1) {
			log_warnx("notify: %s %s: %s", e->id, chan_name[c],
			    err);
			break;
		}
		t = c == CH_WEBHOOK ? &j.webhook : &j.mail;
		if (code == TRY_NONE || t->state != NS_PENDING || !t->msg_id ||
		    !e->ch[c].msg_id || strcmp(t->msg_id, e->ch[c].msg_id)) {
			e->fresh = 1;	/* superseded by a newer event */
			break;
		}
		outcome(q->cfg, &j, c, code, ra, msg);
		e->ch[c].pending = t->state == NS_PENDING;
		e->ch[c].due = t->next_ms;
		if (pass == 0)
			log_info("notify: %s %s try %d: %s%s", e->id,
			    chan_name[c], t->tries, code == TRY_SENT ?
			    "delivered, " : t->state == NS_FAILED ?
			    "gave up, " : "will retry, ", msg);
		if (st == ST_PROCESSING || st == ST_QUEUED)
			break;		/* its next attempt owns the file */
		if (spool_rewrite(q->sp, st, node, &j) == 0)
			break;
		if (errno != ENOENT) {
			log_warn("notify: %s: rewrite", e->id);
			break;
		}
		job_free(&j);	/* it moved meanwhile: again */
		job_init(&j);
	}
	job_free(&j);
}

int
notifyq_reap(struct notifyq *q, pid_t pid, int status)
{
	struct nqent *e;
	char msg[ERRLEN];
	int64_t ra = 0;
	int c, k, code;

	for (k = 0; k < NQ_CHILDREN; k++)
		for (c = 0; pid > 0 && q->kid[k] && c < NCHAN; c++)
			if (q->kid[k]->ch[c].pid == pid)
				goto found;
	return 0;
found:
	e = q->kid[k];
	q->kid[k] = NULL;
	child_result(e->ch[c].fd, &ra, msg, sizeof(msg));
	close(e->ch[c].fd);
	e->ch[c].fd = -1;
	e->ch[c].pid = 0;
	q->nbusy--;
	if (WIFEXITED(status) && WEXITSTATUS(status) <= TRY_NONE)
		code = WEXITSTATUS(status);
	else {
		code = TRY_AGAIN;
		snprintf(msg, sizeof(msg), "delivery process %s %d",
		    WIFSIGNALED(status) ? "killed by signal" : "exited",
		    WIFSIGNALED(status) ? WTERMSIG(status) :
		    WEXITSTATUS(status));
	}
	record(q, e, c, code, ra, msg);
	if (e->fresh)
		entry_load(q, e);	/* may free e */
	else if (entry_idle(e))
		entry_done(q, e);
	return 1;
}

int
notifyq_busy(struct notifyq *q)
{
	return q->nbusy;
}

void
notifyq_node(struct notifyq *q, struct node *n)
{
	q->node = n;
}

void
notifyq_free(struct notifyq *q)
{
	struct nqent *e, *next;

	if (q == NULL)
		return;
	for (e = q->head; e != NULL; e = next) {
		next = e->next;
		entry_free(e);
	}
	free(q->own);
	free(q);
	curl_global_cleanup();
}
