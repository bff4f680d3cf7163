/* daemon.c - xspoold's engine: claims jobs oldest first, hands each to a
 * long-lived worker process, decides how its attempt ends (the worker does
 * the move, with its fsyncs), keeps the heartbeat and the leases, recovers
 * at start and expires old results.  xspoold.c owns the event loop and
 * calls in here. */
#include <sys/file.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

#define PROGRESS_MS	2000		/* progress rewrite, at most */
#define RETENTION_MS	60000		/* retention pass, at most */
#define TMP_AGE_MS	3600000		/* stray tmp/ files */
#define ORPHAN_AGE_MS	60000		/* zips without a job */
#define PARKED		INT64_MAX	/* a candidate not to look at again */
#define RESPAWN_MS	1000		/* a worker that died young: wait */
#define STOP_WAIT_MS	2000		/* idle workers' exit at the end */

/* how an attempt ends; END_ABANDON: our lease lapsed, the job is left
 * where it is for whoever holds it now */
enum end { END_OK, END_FAIL, END_SHUTDOWN, END_ABANDON };

/* a worker slot: worker.c's process and job, and what the daemon alone
 * decides about them */
struct slot {
	struct worker	 wk;
	enum state	 from;		/* where its job was claimed from */
	enum end	 how;		/* how the attempt ends */
	char		 why[ERRLEN + 64];	/* for the log line */
	int		 pending;	/* a notification was prepared */
	int		 shutdown;	/* stopped because the daemon stops */
	int		 stale;		/* reloaded: respawn when idle */
	int64_t		 respawn;	/* empty slot: mono_ms() to fork */
	int64_t		 flushed;	/* mono_ms() of the last progress write */
};

struct daemon {
	struct config	*cfg;
	char		*node;
	struct spool	 sp;
	struct spool	 claimsp;	/* sp without directory fsyncs */
	struct watch	*w;
	struct notifyq	*nq;
	struct slot	*slot;
	int		 nwk;		/* slots */
	int		 nrun;
	struct node	 nd;		/* heartbeat, server clock, leases */
	int		 have_node;
	int		 fenced;	/* our lease lapsed: jobs abandoned */
	int		 taken;		/* another process has our name */
	struct stuck	*stuck;		/* ends that could not be moved */
	size_t		 nstuck;
	int64_t		 next_hb, next_rescan, next_retention;	/* mono */
	int		 stopping;
	int64_t		 stop_at;	/* mono: give up waiting for workers */
	int64_t		 grace_ms;
};

/* a job whose end could not be moved (a full disk): left in our
 * processing/ and tried again after a backoff, logged once */
struct stuck {
	char		 id[ID_MAX + 1];
	int		 tries;
	int64_t		 due;		/* server ms */
};

/* an id to deal with after a directory walk */
struct idlist {
	char		(*id)[ID_MAX + 1];
	char		(*node)[NODE_MAX + 1];
	size_t		 n, cap;
	int64_t		 cutoff;	/* for the walks that filter by age */
	const struct daemon *d;
};

static void	end_here(struct daemon *, struct job *, enum end, const char *);
static void	recover(struct daemon *, const char *, const char *);
static void	fence_check(struct daemon *);
static void	sweep(struct daemon *, int);

/* logt - one line per transition */
static void
logt(const struct job *j, enum state from, enum state to, const char *why,
    int64_t ms)
{
	log_info("%s %s %s -> %s (%s) %lldms", j->id, j->type ? j->type : "-",
	    state_dir(from), state_dir(to), why, (long long)(ms < 0 ? 0 : ms));
}

/* server_now - the file server's time: every time compared between
 * nodes (nextAttempt, leases, drop_grace, retention) is on this clock */
static int64_t
server_now(const struct daemon *d)
{
	return node_now(d->have_node ? &d->nd : NULL);
}

static int64_t
ns_now(void)
{
	return now_ms() * 1000000;
}

static struct stuck *
stuck_find(struct daemon *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->nstuck; i++)
		if (strcmp(d->stuck[i].id, id) == 0)
			return &d->stuck[i];
	return NULL;
}

/* stuck_add - the end of id could not be moved (errno rc): the number of
 * tries so far; the next is due after a backoff */
static int
stuck_add(struct daemon *d, const char *id)
{
	struct stuck *k;

	if ((k = stuck_find(d, id)) == NULL) {
		d->stuck = xreallocarray(d->stuck, d->nstuck + 1,
		    sizeof(*d->stuck));
		k = &d->stuck[d->nstuck++];
		memset(k, 0, sizeof(*k));
		snprintf(k->id, sizeof(k->id), "%s", id);
	}
	k->tries++;
	k->due = server_now(d) + backoff_ms(d->cfg->retry_base_ms,
	    d->cfg->retry_max_ms, k->tries);
	return k->tries;
}

/* stuck_done - id moved at last: how many tries it took (0: never stuck) */
static int
stuck_done(struct daemon *d, const char *id)
{
	struct stuck *k = stuck_find(d, id);
	int tries;

	if (k == NULL)
		return 0;
	tries = k->tries;
	*k = d->stuck[--d->nstuck];
	return tries;
}

/* backoff - the wait before attempt attempts+1 */
static int64_t
backoff(struct daemon *d, int attempts)
{
	return backoff_ms(d->cfg->retry_base_ms, d->cfg->retry_max_ms,
	    attempts);
}

static void
idlist_add(struct idlist *l, const char *id, const char *node)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->id = xreallocarray(l->id, l->cap, sizeof(*l->id));
		l->node = xreallocarray(l->node, l->cap, sizeof(*l->node));
	}
	snprintf(l->id[l->n], sizeof(l->id[0]), "%s", id);
	snprintf(l->node[l->n], sizeof(l->node[0]), "%s", node ? node : "");
	l->n++;
}

static void
idlist_free(struct idlist *l)
{
	free(l->id);
	free(l->node);
	memset(l, 0, sizeof(*l));
}

static void
drop_password(struct job *j)
{
	if (j->password != NULL) {
		explicit_bzero(j->password, strlen(j->password));
		free(j->password);
		j->password = NULL;
	}
}

/* slot_of - the slot whose worker has job id, or NULL */
static struct slot *
slot_of(struct daemon *d, const char *id)
{
	int i;

	for (i = 0; i < d->nwk; i++)
		if (d->slot[i].wk.phase != W_IDLE &&
		    strcmp(d->slot[i].wk.job.id, id) == 0)
			return &d->slot[i];
	return NULL;
}

/* idle_slot - a slot with a live worker without a job, or NULL */
static struct slot *
idle_slot(struct daemon *d)
{
	struct slot *sl;
	int i;

	for (i = 0; i < d->nwk && i < d->cfg->workers; i++) {
		sl = &d->slot[i];
		if (worker_alive(&sl->wk) && sl->wk.fd != -1 &&
		    sl->wk.phase == W_IDLE && !sl->stale)
			return sl;
	}
	return NULL;
}

/* slot_end - the slot's job is settled: the worker is free again */
static void
slot_end(struct slot *sl)
{
	worker_end(&sl->wk);
	sl->how = END_OK;
	sl->why[0] = '\0';
	sl->pending = 0;
	sl->shutdown = 0;
}

/* notify_pending - the job file says a notification is still to go */
static int
notify_pending(const struct job *j)
{
	return j->webhook.state == NS_PENDING || j->mail.state == NS_PENDING;
}

/*
 * end_decide - j's attempt in processing/NODE/ is over: where it goes
 * (returned) and its new text -- completed/, failed/ (attempts + 1,
 * backoff) or cancelled/ (the last attempt); a shutdown hands it back to
 * failed/ due now, not counted.  *pending: a notification was prepared.
 */
static enum state
end_decide(struct daemon *d, struct job *j, enum end how, int *pending)
{
	enum state to = ST_FAILED;
	int64_t now = now_ms(), snow = server_now(d);

	j->finished = now;
	j->result.present = 1;
	j->result.success = how == END_OK;
	j->has_progress = 0;
	j->next_attempt = 0;
	if (how == END_OK) {
		j->attempts++;
		drop_password(j);
		to = ST_COMPLETED;
	} else if (how == END_SHUTDOWN) {
		j->next_attempt = snow;
	} else if (++j->attempts >= d->cfg->max_attempts) {
		to = ST_CANCELLED;
		free(j->cancelled_by);
		j->cancelled_by = xstrdup("attempts");
		drop_password(j);
	} else
		j->next_attempt = snow + backoff(d, j->attempts);
	*pending = how == END_SHUTDOWN ? 0 : notifyq_prepare(d->nq, j, to);
	return to;
}

/* end_record - after j's move to `to` (rc 0), or its failure (rc: the
 * move's errno): the log line, the notification, the retry's timer, or
 * the job kept as stuck */
static void
end_record(struct daemon *d, struct job *j, enum end how, enum state to,
    int pending, const char *why, int rc)
{
	char line[ERRLEN + 64];
	int tries;

	if (rc != 0) {
		/* a full disk: the job stays in our processing/ as its file
		 * says, and the lease pass tries its end again after a
		 * backoff (recover); said once, not at every try */
		if (stuck_add(d, j->id) == 1) {
			errno = rc;
			if (rc == LEASE_ERRNO)
				log_warnx("%s: not moved to %s/: our lease "
				    "lapsed", j->id, state_dir(to));
			else
				log_warn("%s: cannot move to %s/ (left in "
				    "processing/%s, tried again with backoff)",
				    j->id, state_dir(to), d->node);
		}
		return;
	}
	if ((tries = stuck_done(d, j->id)) > 0)
		log_info("%s: moved to %s/ after %d tries", j->id,
		    state_dir(to), tries + 1);
	if (pending)
		notifyq_add(d->nq, j->id);
	if (to == ST_FAILED)
		watch_add(d->w, j->id, ST_FAILED, ns_now(), j->next_attempt);
	if (to == ST_CANCELLED) {
		snprintf(line, sizeof(line), "gave up after %d attempts: %s",
		    j->attempts, why);
		why = line;
	} else if (how == END_FAIL) {
		snprintf(line, sizeof(line), "%s; next attempt in %lldms",
		    why, (long long)(j->next_attempt - j->finished -
		    (server_now(d) - now_ms())));
		why = line;
	}
	logt(j, ST_PROCESSING, to, why, j->finished - j->started);
}

/* end_here - end_decide, the move here in the event loop, end_record:
 * for the rare ends that have no worker to do the move */
static void
end_here(struct daemon *d, struct job *j, enum end how, const char *why)
{
	enum state to;
	int pending, rc = 0;

	to = end_decide(d, j, how, &pending);
	if (spool_move(&d->sp, j->id, ST_PROCESSING, NULL, to, j) == -1)
		rc = errno ? errno : EIO;
	end_record(d, j, how, to, pending, why, rc);
}

/* bad - a dropped file that is not a job goes to bad/ */
static void
bad(struct daemon *d, const char *name, const char *why)
{
	char file[NAME_MAX + 1];

	snprintf(file, sizeof(file), "%s.job", name);
	if (spool_bad(&d->sp, file, why) == -1) {
		log_warn("queued/%s: cannot move to bad/", file);
		watch_add(d->w, name, ST_QUEUED, ns_now(),
		    server_now(d) + d->cfg->rescan_ms);
		return;
	}
	log_warnx("queued/%s -> bad/ (%s)", file, why);
}

/*
 * check_drop - reads queued/NAME.job into j when it is a job we can run.
 * 0 when it is; -1 when not (gone, sent to bad/, or left for later).
 */
static int
check_drop(struct daemon *d, const char *name, struct job *j)
{
	char path[PATH_MAX], err[ERRLEN], why[ERRLEN + 64], *text = NULL;
	const char *code;
	struct jdoc doc;
	struct stat sb;
	int64_t mt;
	size_t len, bom;
	int st;

	if (!id_valid(name)) {
		bad(d, name, "the file name is not a valid job id");
		return -1;
	}
	if (spool_path(&d->sp, path, sizeof(path), ST_QUEUED, NULL,
	    name) == -1 || lstat(path, &sb) == -1)
		return -1;	/* claimed or cancelled meanwhile */
	mt = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
	if (sb.st_nlink > 1 && spool_finish_link(&d->sp, name) == 1)
		return -1;	/* a retry's move, cut in two: done now */
	if (sb.st_size > JOB_MAX_SIZE ||
	    read_spool_file(path, JOB_MAX_SIZE, &text, &len) == -1) {
		if (sb.st_size > JOB_MAX_SIZE || errno == EFBIG)
			bad(d, name, "the job file is over 1 MiB");
		else if (errno == ELOOP || errno == EINVAL)
			bad(d, name, errno == ELOOP ? "a symbolic link, not a "
			    "job file" : "not a regular file");
		else if (errno != ENOENT)
			log_warn("%s", path);
		return -1;
	}
	if ((st = spool_elsewhere(&d->sp, name, ST_QUEUED, &sb)) != -1) {
		snprintf(why, sizeof(why), "job id %s is in use: a job of "
		    "that id is in %s/", name, state_dir(st));
		bad(d, name, why);
		free(text);
		return -1;
	}
	/* a leading BOM is skipped, as job_parse does */
	bom = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	if (json_parse(&doc, text + bom, len - bom, err, sizeof(err)) == -1) {
		/* its writer may not be done: wait for drop_grace */
		if (server_now(d) - mt >= d->cfg->drop_grace_ms) {
			snprintf(why, sizeof(why), "bad JSON: %s", err);
			bad(d, name, why);
		} else
			watch_add(d->w, name, ST_QUEUED,
			    (int64_t)sb.st_mtim.tv_sec * 1000000000 +
			    sb.st_mtim.tv_nsec,
			    mt + d->cfg->drop_grace_ms + 1);
		free(text);
		return -1;
	}
	json_free(&doc);
	job_init(j);
	if (job_parse(j, text, len, err, sizeof(err)) == -1)
		goto bad;
	free(text);
	text = NULL;
	snprintf(j->id, sizeof(j->id), "%s", name);
	if (config_type(d->cfg, j->type) == NULL) {
		snprintf(err, sizeof(err), "unknown export type \"%s\"",
		    j->type);
		goto bad;
	}
	if (job_validate(d->cfg, j, &code, err, sizeof(err)) == -1)
		goto bad;
	if (j->created == 0)
		j->created = mt;
	return 0;
 bad:
	free(text);
	bad(d, name, err);
	job_free(j);
	return -1;
}

/* drop_stale_zip - a retry's out/ID.zip is an earlier attempt's, whose
 * job never completed (recover completes those whose file says so): the
 * new attempt makes its own, and a result is never put over another */
static void
drop_stale_zip(struct daemon *d, const char *id)
{
	char path[PATH_MAX];

	if (spool_zip_path(&d->sp, path, sizeof(path), id) == 0 &&
	    unlink(path) == 0)
		log_info("%s: out/%s.zip of an earlier attempt removed", id,
		    id);
}

/*
 * start - j was just claimed from `from` into processing/NODE/: hand it
 * to a worker, then record the claim (node, started) in its file.  The
 * record's fsyncs run while the exporter starts: a crash before it is
 * on disk leaves the job's earlier text in processing/NODE/, which the
 * next start recovers as an interrupted attempt, as any other.
 */
static void
start(struct daemon *d, struct job *j, enum state from)
{
	const struct xtype *t;
	struct slot *sl;
	struct worker *w;
	char err[ERRLEN];
	int64_t now = now_ms(), waited;

	waited = from == ST_QUEUED ? j->created : j->finished;
	waited = waited > 0 ? now - waited : 0;
	free(j->node);
	j->node = xstrdup(d->node);
	j->started = now;
	j->finished = 0;
	j->has_progress = 0;
	j->progress_records = j->progress_bytes = 0;
	logt(j, from, ST_PROCESSING, from == ST_QUEUED ? "claimed" : "retry",
	    waited);
	sl = idle_slot(d);
	t = config_type(d->cfg, j->type);
	if (sl == NULL || t == NULL) {	/* cannot happen: checked before */
		job_add_error(j, "internal error: no worker slot or type");
		end_here(d, j, END_FAIL, "internal error");
		job_free(j);
		return;
	}
	if (from != ST_QUEUED)
		drop_stale_zip(d, j->id);
	w = &sl->wk;
	w->job = *j;		/* the worker owns the job now */
	job_init(j);
	sl->from = from;
	sl->how = END_OK;
	if (worker_run(w, d->cfg, t, &d->sp, err, sizeof(err)) == -1) {
		job_add_error(&w->job, err);
		end_here(d, &w->job, END_FAIL, err);
		slot_end(sl);
		return;
	}
	/* the first progress rewrite comes PROGRESS_MS after the start, so
	 * a quick job never pays for one */
	sl->flushed = mono_ms();
	d->nrun++;
	/* a failure leaves the earlier text: the attempt still runs; not
	 * synced, see claimsp */
	if (spool_rewrite(&d->claimsp, ST_PROCESSING, NULL, &w->job) == -1)
		log_warn("%s: cannot record the claim", w->job.id);
}

/* claim_queued - queued/NAME.job, if it is a job, into processing/ */
static void
claim_queued(struct daemon *d, const char *name)
{
	struct job j;

	if (check_drop(d, name, &j) == -1)
		return;
	if (spool_move(&d->claimsp, name, ST_QUEUED, NULL, ST_PROCESSING,
	    NULL) == -1) {
		if (errno != ENOENT)
			log_warn("%s: claim", name);
		job_free(&j);
		return;
	}
	start(d, &j, ST_QUEUED);
}

/* give_up - a failed/ job that has had all its attempts */
static void
give_up(struct daemon *d, struct job *j)
{
	int pending;

	free(j->cancelled_by);
	j->cancelled_by = xstrdup("attempts");
	drop_password(j);
	j->next_attempt = 0;
	pending = notifyq_prepare(d->nq, j, ST_CANCELLED);
	if (spool_move(&d->sp, j->id, ST_FAILED, NULL, ST_CANCELLED,
	    j) == -1) {
		if (errno != ENOENT)
			log_warn("%s: cannot move to cancelled/", j->id);
		return;
	}
	if (pending)
		notifyq_add(d->nq, j->id);
	logt(j, ST_FAILED, ST_CANCELLED, "max_attempts reached", 0);
}

/* claim_failed - failed/NAME.job into processing/ when its time has come */
static void
claim_failed(struct daemon *d, const char *name)
{
	char path[PATH_MAX], err[ERRLEN];
	struct stat sb;
	struct job j;
	int64_t mt;

	if (spool_path(&d->sp, path, sizeof(path), ST_FAILED, NULL,
	    name) == -1 || stat(path, &sb) == -1)
		return;
	mt = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	job_init(&j);
	if (spool_read(path, &j, err, sizeof(err)) == -1) {
		if (errno != ENOENT) {
			log_warnx("%s", err);
			watch_add(d->w, name, ST_FAILED, mt, PARKED);
		}
		goto out;
	}
	if (j.next_attempt > server_now(d)) {
		watch_add(d->w, name, ST_FAILED, mt, j.next_attempt);
		goto out;
	}
	if (config_type(d->cfg, j.type) == NULL) {
		log_warnx("%s: unknown export type \"%s\": left in failed/",
		    name, j.type);
		watch_add(d->w, name, ST_FAILED, mt, PARKED);
		goto out;
	}
	if (j.attempts >= d->cfg->max_attempts) {
		give_up(d, &j);
		goto out;
	}
	if (spool_move(&d->claimsp, name, ST_FAILED, NULL, ST_PROCESSING,
	    NULL) == -1) {
		if (errno != ENOENT)
			log_warn("%s: claim", name);
		goto out;
	}
	start(d, &j, ST_FAILED);
 out:
	job_free(&j);
}

/* claim - as many due candidates as there are free workers */
static void
claim(struct daemon *d)
{
	char name[NAME_MAX + 1];
	int st;

	while (!d->stopping && !d->fenced && node_current(&d->nd) &&
	    d->nrun < d->cfg->workers &&
	    idle_slot(d) != NULL &&
	    (st = watch_next(d->w, server_now(d), name, sizeof(name))) != -1) {
		if (st == ST_QUEUED)
			claim_queued(d, name);
		else
			claim_failed(d, name);
	}
}

/* merge - this attempt's result res into j: its errors prefixed with the
 * attempt's number after the earlier ones (a success keeps none) */
static void
merge(struct job *j, struct result *res, int ok)
{
	char *e;
	size_t i;

	if (ok) {
		for (i = 0; i < j->result.nerrors; i++)
			free(j->result.errors[i]);
		j->result.nerrors = 0;
	}
	for (i = 0; i < res->nerrors; i++) {
		xasprintf(&e, "attempt %d: %s", j->attempts + 1,
		    res->errors[i]);
		job_add_error(j, e);
		free(e);
		free(res->errors[i]);
	}
	free(res->errors);
	j->result.duration_ms = res->duration_ms;
	j->result.records = res->records;
	j->result.file_size = ok ? res->file_size : 0;
	free(j->result.file_name);
	j->result.file_name = ok ? res->file_name : NULL;
	if (!ok)
		free(res->file_name);
}

/* result_clear - frees what res holds and empties it */
static void
result_clear(struct result *res)
{
	size_t i;

	for (i = 0; i < res->nerrors; i++)
		free(res->errors[i]);
	free(res->errors);
	free(res->file_name);
	memset(res, 0, sizeof(*res));
}

/* move_reported - the worker reports its job's move done (rc 0) or
 * failed (rc errno): end_record, and the worker is free again, or
 * replaced after a reload */
static void
move_reported(struct daemon *d, struct slot *sl, int rc)
{
	struct worker *w = &sl->wk;

	end_record(d, &w->job, sl->how, w->to, sl->pending, sl->why, rc);
	slot_end(sl);
	d->nrun--;
	if (sl->stale && worker_alive(w))
		worker_retire(w);	/* the reap respawns it */
}

/* attempt_over - the attempt is over (its result came, or the worker
 * died): end_decide where the job goes and hand the move back to the
 * worker, which syncs it outside the event loop; without a worker, move
 * it here */
static void
attempt_over(struct daemon *d, struct slot *sl)
{
	char id[ID_MAX + 1], lost[ERRLEN];
	struct worker *w = &sl->wk;
	struct result res;
	const char *why;
	enum state to;
	int ok, rc;

	if (sl->how == END_ABANDON) {	/* our lease lapsed: not ours */
		slot_end(sl);
		d->nrun--;
		return;
	}
	ok = worker_result(w, &res) == 0;
	if (!ok)
		spool_drop_tmpzip(&d->sp, d->node, w->job.id);
	if (!ok && !w->has_result && !sl->shutdown) {
		/* it died mid-attempt: the job file says how far it got (a
		 * recorded success whose zip is in place completes) */
		snprintf(id, sizeof(id), "%s", w->job.id);
		snprintf(lost, sizeof(lost), "%s", res.nerrors > 0 ?
		    res.errors[0] : "interrupted (its worker died)");
		result_clear(&res);
		slot_end(sl);
		d->nrun--;
		recover(d, id, lost);
		return;
	}
	if (!ok && sl->shutdown) {
		result_clear(&res);
		res.errors = xcalloc(1, sizeof(*res.errors));
		res.errors[0] = xstrdup("interrupted by shutdown");
		res.nerrors = 1;
	}
	merge(&w->job, &res, ok);
	if (ok) {
		sl->how = END_OK;
		why = "done";
	} else if (sl->shutdown) {
		sl->how = END_SHUTDOWN;
		why = "interrupted by shutdown";
	} else {
		sl->how = END_FAIL;
		why = w->job.result.nerrors > 0 ?
		    w->job.result.errors[w->job.result.nerrors - 1] : "failed";
	}
	snprintf(sl->why, sizeof(sl->why), "%s", why);
	w->dirty = 0;
	to = end_decide(d, &w->job, sl->how, &sl->pending);
	if (worker_settle(w, to) == 0)
		return;			/* its "D" comes back */
	w->to = to;
	rc = spool_move(&d->sp, w->job.id, ST_PROCESSING, NULL, to,
	    &w->job) == -1 ? (errno ? errno : EIO) : 0;
	move_reported(d, sl, rc);
}

/*
 * move_lost - the worker died while it moved its job: the file says how far it
 * got.  Still in processing/NODE/: recover it as at start (a finished
 * result moves on, anything else is an interrupted attempt).  Moved: what
 * end_record would have done after it.
 */
static void
move_lost(struct daemon *d, struct slot *sl)
{
	struct worker *w = &sl->wk;
	char id[ID_MAX + 1], node[NODE_MAX + 1] = "", err[ERRLEN];
	struct job j;
	int st, abandoned;

	snprintf(id, sizeof(id), "%s", w->job.id);
	abandoned = sl->how == END_ABANDON;
	slot_end(sl);
	d->nrun--;
	if (abandoned)
		return;
	job_init(&j);
	st = spool_load(&d->sp, id, &j, node, err, sizeof(err));
	if (st == ST_PROCESSING && strcmp(node, d->node) == 0)
		recover(d, id, "interrupted (its worker died)");
	else if (st == ST_COMPLETED || st == ST_FAILED || st == ST_CANCELLED) {
		if (notify_pending(&j))
			notifyq_add(d->nq, id);
		if (st == ST_FAILED)
			watch_add(d->w, id, ST_FAILED, ns_now(),
			    j.next_attempt);
		logt(&j, ST_PROCESSING, st, "moved by a worker that died",
		    j.finished - j.started);
	}
	job_free(&j);
}

/* events - what the slot's worker sent: results to decide, moves done */
static void
events(struct daemon *d, struct slot *sl)
{
	int ev, rc;

	while ((ev = worker_input(&sl->wk, &rc)) != W_EV_NONE)
		if (ev == W_EV_RESULT && sl->wk.phase == W_RUN)
			attempt_over(d, sl);
		else if (ev == W_EV_SETTLED && sl->wk.phase == W_SETTLE)
			move_reported(d, sl, rc);
}

/* spawn - fork a worker into the empty slot i */
static void
spawn(struct daemon *d, int i)
{
	struct slot *sl = &d->slot[i];
	char err[ERRLEN];

	if (worker_spawn(&sl->wk, d->cfg, &d->sp, node_share(&d->nd), err,
	    sizeof(err)) == -1) {
		log_warnx("worker: %s", err);
		sl->respawn = mono_ms() + RESPAWN_MS;
	}
}

/* refill - every empty slot whose time has come gets a worker */
static void
refill(struct daemon *d)
{
	int64_t mono = mono_ms();
	int i;

	for (i = 0; i < d->nwk && i < d->cfg->workers && !d->stopping; i++)
		if (d->slot[i].wk.pid == 0 && mono >= d->slot[i].respawn)
			spawn(d, i);
}

/* gone - the slot's process has been reaped: what it said last counts,
 * then the job it had is settled as it got, and the slot waits for a new
 * one */
static void
gone(struct daemon *d, struct slot *sl)
{
	struct worker *w = &sl->wk;
	int64_t mono = mono_ms(), born = w->born;
	int busy = w->phase != W_IDLE, stale = sl->stale;

	events(d, sl);
	if (w->phase == W_RUN)
		attempt_over(d, sl);	/* worker_result says it died */
	if (w->phase == W_SETTLE)
		move_lost(d, sl);
	if (!stale && !d->stopping)
		log_warnx("worker %ld %s: %s", (long)w->pid,
		    WIFSIGNALED(w->status) ? "killed by signal" : "exited",
		    busy ? "its job was settled as it got" : "replaced");
	worker_clear(w);
	slot_end(sl);
	sl->stale = 0;
	/* one that keeps dying at once is not forked in a tight loop */
	sl->respawn = mono - born < RESPAWN_MS && !busy && !stale ?
	    mono + RESPAWN_MS : mono;
}

void
daemon_reap(struct daemon *d)
{
	pid_t pid;
	int status, i;

	fence_check(d);
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < d->nwk; i++)
			if (worker_reaped(&d->slot[i].wk, pid, status))
				break;
		if (i == d->nwk) {
			notifyq_reap(d->nq, pid, status);
			continue;
		}
		gone(d, &d->slot[i]);
	}
	refill(d);
}

/* ---------------------------------------------------------- heartbeat */

/*
 * fence - our lease lapsed (no good heartbeat for 3/4 lease: a stopped
 * process, a hung server): other nodes may have reclaimed our jobs and be
 * running them.  Claim nothing and abandon every running attempt -- its
 * worker is killed, its job left where it is, for whoever holds it now.
 */
static void
fence(struct daemon *d)
{
	int i, n = 0;

	for (i = 0; i < d->nwk; i++)
		if (d->slot[i].wk.phase != W_IDLE &&
		    worker_alive(&d->slot[i].wk)) {
			d->slot[i].how = END_ABANDON;
			worker_kill(&d->slot[i].wk, SIGKILL);
			n++;
		}
	d->fenced = 1;
	log_warnx("node %s: our lease lapsed (no good heartbeat for %llds, "
	    "lease %llds): claiming nothing, %d running attempts abandoned",
	    d->node, (long long)((mono_ms() - d->nd.beat_mono) / 1000),
	    (long long)(d->cfg->lease_ms / 1000), n);
}

/* fence_check - before anything else after a pause: is our lease still
 * current? */
static void
fence_check(struct daemon *d)
{
	if (!d->fenced && !node_current(&d->nd))
		fence(d);
}

/* beat - our heartbeat; 0 when our lease is current after it */
static int
beat(struct daemon *d)
{
	fence_check(d);
	switch (node_beat(&d->nd)) {
	case NODE_OK:
		break;
	case NODE_TAKEN:
		if (!d->fenced)
			fence(d);
		log_warnx("node %s: another xspoold took over our heartbeat: "
		    "stopping", d->node);
		d->taken = 1;
		daemon_stop(d);
		return -1;
	default:
		log_warn("%s: heartbeat", d->nd.path);
		d->next_hb = mono_ms() + 1000;	/* again soon */
		return -1;
	}
	if (d->fenced) {
		d->fenced = 0;
		log_warnx("node %s: lease current again: what is left in "
		    "processing/%s is recovered", d->node, d->node);
	}
	return 0;
}

/* lease_cb - sorts processing/ entries: our own that no worker runs,
 * and other nodes' whose lease ran out (node.c's rule) */
static int
lease_cb(const char *id, const char *node, const struct stat *sb, void *arg)
{
	struct idlist *l = arg;
	struct daemon *d = (struct daemon *)l->d;

	(void)sb;
	if (strcmp(node, d->node) == 0) {
		if (slot_of(d, id) == NULL)
			idlist_add(l, id, node);
		return 0;
	}
	if (node_lost(&d->nd, node))
		idlist_add(l, id, node);
	return 0;
}

/*
 * recover - our processing/NODE/ID.job that no worker runs: a job whose
 * file already says how its attempt ended is moved on; any other one had
 * its attempt interrupted (why says how), a failed attempt.
 */
static void
recover(struct daemon *d, const char *id, const char *why)
{
	char path[PATH_MAX], err[ERRLEN], *e;
	enum state to;
	struct stat sb;
	struct job j;

	struct stuck *k;

	if (d->fenced)
		return;		/* our lease lapsed: nothing is ours */
	job_init(&j);
	if ((k = stuck_find(d, id)) != NULL && k->due > server_now(d))
		return;		/* its end is tried again later */
	if (spool_path(&d->sp, path, sizeof(path), ST_PROCESSING, NULL,
	    id) == -1)
		return;
	if (stat(path, &sb) == 0 && sb.st_nlink > 1 &&
	    spool_finish_link(&d->sp, id) == 1) {
		log_info("%s: an interrupted move finished", id);
		return;
	}
	if (spool_read(path, &j, err, sizeof(err)) == -1) {
		if (errno == ENOENT)
			return;
		log_warnx("%s (moved to failed/ as it is)", err);
		spool_move(&d->sp, id, ST_PROCESSING, NULL, ST_FAILED, NULL);
		job_free(&j);
		return;
	}
	if (j.finished != 0 && j.finished >= j.started && j.result.present) {
		if (j.result.success) {
			to = ST_COMPLETED;
			if (spool_zip_path(&d->sp, path, sizeof(path),
			    id) == -1 || stat(path, &sb) == -1)
				goto interrupted;	/* no zip after all */
		} else if (j.cancelled_by != NULL ||
		    j.attempts >= d->cfg->max_attempts)
			to = ST_CANCELLED;
		else
			to = ST_FAILED;
		if (spool_move(&d->sp, id, ST_PROCESSING, NULL, to,
		    NULL) == -1) {
			if (stuck_add(d, id) == 1)
				log_warn("%s: cannot move to %s/", id,
				    state_dir(to));
			goto out;
		}
		stuck_done(d, id);
		if (notify_pending(&j))
			notifyq_add(d->nq, id);
		if (to == ST_FAILED)
			watch_add(d->w, id, ST_FAILED, ns_now(),
			    j.next_attempt);
		logt(&j, ST_PROCESSING, to, "recovered", 0);
		goto out;
	}
	/* the worker recorded a success, then put the zip in place: the
	 * export is finished, only its end was cut off */
	if (j.finished == 0 && j.result.present && j.result.success &&
	    spool_zip_path(&d->sp, path, sizeof(path), id) == 0 &&
	    stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
		end_here(d, &j, END_OK, "recovered: its zip was in place");
		goto out;
	}
 interrupted:
	xasprintf(&e, "attempt %d: %s", j.attempts + 1, why);
	job_add_error(&j, e);
	end_here(d, &j, END_FAIL, e);
	free(e);
 out:
	job_free(&j);
}

/* leases - after a heartbeat: take back what lost nodes held, and our own
 * jobs that no worker runs (a move that failed earlier) */
static void
leases(struct daemon *d)
{
	struct idlist l;
	char why[128];
	size_t i;

	memset(&l, 0, sizeof(l));
	l.d = d;
	spool_each(&d->sp, ST_PROCESSING, lease_cb, &l);
	for (i = 0; i < l.n; i++) {
		if (strcmp(l.node[i], d->node) == 0) {
			recover(d, l.id[i], "interrupted");
			continue;
		}
		/* the rename decides which node reclaims it */
		if (spool_move(&d->sp, l.id[i], ST_PROCESSING, l.node[i],
		    ST_PROCESSING, NULL) == -1)
			continue;
		log_warnx("%s: node %s lost (no heartbeat for %llds): "
		    "reclaimed", l.id[i], l.node[i],
		    (long long)(d->cfg->lease_ms / 1000));
		spool_drop_tmpzip(&d->sp, l.node[i], l.id[i]);
		snprintf(why, sizeof(why), "node lost: %s", l.node[i]);
		recover(d, l.id[i], why);
	}
	idlist_free(&l);
}

/* ---------------------------------------------------------- housekeeping */

static int
old_cb(const char *id, const char *node, const struct stat *sb, void *arg)
{
	struct idlist *l = arg;

	if ((int64_t)sb->st_mtim.tv_sec * 1000 < l->cutoff)
		idlist_add(l, id, node);
	return 0;
}

/* retention - delete completed/ and cancelled/ jobs older than retention,
 * the job file first: a zip left alone is an orphan swept at start */
static void
retention(struct daemon *d)
{
	static const enum state sts[] = { ST_COMPLETED, ST_CANCELLED };
	char path[PATH_MAX];
	struct idlist l;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		memset(&l, 0, sizeof(l));
		l.cutoff = server_now(d) - d->cfg->retention_ms;
		spool_each(&d->sp, sts[k], old_cb, &l);
		for (i = 0; i < l.n; i++) {
			if (spool_path(&d->sp, path, sizeof(path), sts[k],
			    NULL, l.id[i]) == -1 || unlink(path) == -1)
				continue;
			if (spool_zip_path(&d->sp, path, sizeof(path),
			    l.id[i]) == 0)
				unlink(path);
			log_info("%s %s: expired (retention)", l.id[i],
			    state_dir(sts[k]));
		}
		idlist_free(&l);
	}
}

/* completed - one stat for the usual case of a zip's job */
static int
completed(struct daemon *d, const char *id)
{
	char path[PATH_MAX];
	struct stat sb;

	return spool_path(&d->sp, path, sizeof(path), ST_COMPLETED, NULL,
	    id) == 0 && stat(path, &sb) == 0;
}

/* sweep - tmp/ files older than an hour (what killed processes, here or
 * on other nodes, left), and with out too (at start) out/ zips of jobs
 * that exist nowhere (not younger than a minute: the zip is put in place
 * before its job moves) */
static void
sweep(struct daemon *d, int out)
{
	char dir[PATH_MAX], id[ID_MAX + 1];
	struct dirent *de;
	struct stat sb;
	int64_t mt, now = server_now(d);
	size_t n;
	DIR *dp;
	int i;

	for (i = 0; i < (out ? 2 : 1); i++) {
		if (spool_sub(&d->sp, dir, sizeof(dir), i == 0 ? SD_TMP :
		    SD_OUT, NULL, NULL) == -1 || (dp = opendir(dir)) == NULL)
			continue;
		while ((de = readdir(dp)) != NULL) {
			if (de->d_name[0] == '.' ||
			    fstatat(dirfd(dp), de->d_name, &sb, 0) == -1 ||
			    !S_ISREG(sb.st_mode))
				continue;
			mt = (int64_t)sb.st_mtim.tv_sec * 1000;
			if (i == 0) {
				if (mt < now - TMP_AGE_MS &&
				    unlinkat(dirfd(dp), de->d_name, 0) == 0)
					log_info("tmp/%s: removed (stale)",
					    de->d_name);
				continue;
			}
			n = strlen(de->d_name);
			if (n <= 4 || n - 4 > ID_MAX ||
			    strcmp(de->d_name + n - 4, ".zip") != 0)
				continue;
			memcpy(id, de->d_name, n - 4);
			id[n - 4] = '\0';
			if (mt >= now - ORPHAN_AGE_MS || !id_valid(id) ||
			    completed(d, id) ||
			    spool_find(&d->sp, id, NULL) != -1 ||
			    errno != ENOENT)
				continue;
			if (unlinkat(dirfd(dp), de->d_name, 0) == 0)
				log_info("out/%s: removed (no such job)",
				    de->d_name);
		}
		closedir(dp);
	}
}

/* ---------------------------------------------------------- the interface */

struct daemon *
daemon_new(struct config *c, const char *node, int64_t grace_ms, char *err,
    size_t errlen)
{
	struct daemon *d;
	struct idlist l;
	char host[256], mnt[PATH_MAX + 128], warn[256];
	size_t i;

	d = xcalloc(1, sizeof(*d));
	d->cfg = c;
	if (node == NULL && (node = c->node) == NULL) {
		if (gethostname(host, sizeof(host)) == -1)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		host[strcspn(host, ".")] = '\0';
		node = host;
	}
	d->node = xstrdup(node);
	d->grace_ms = grace_ms;
	if (spool_open(&d->sp, c->dir, d->node, c->gid, c->sync, 1, err,
	    errlen) == -1) {
		free(d->node);
		free(d);
		return NULL;
	}
	/*
	 * claimsp: the spool without fsyncs, for what a power cut may lose
	 * without harm -- a claim's rename, the claim record (node, started)
	 * and progress.  Were they lost, the job would be back in queued/ or
	 * failed/ (or its file would say less) and run again, as after any
	 * crash mid-export.  The end of a job (zip, result, final move) is
	 * synced; its directory fsyncs commit these earlier changes too on
	 * a journalling file system.
	 */
	d->claimsp = d->sp;
	d->claimsp.sync = 0;
	if (node_open(&d->nd, &d->sp, d->node, c->lease_ms, err,
	    errlen) == -1) {
		spool_close(&d->sp);
		free(d->node);
		free(d);
		return NULL;
	}
	d->have_node = 1;
	node_mount_check(d->sp.dir, c->lease_ms, mnt, sizeof(mnt), warn,
	    sizeof(warn));
	if ((d->w = watch_new(d->sp.dir, err, errlen)) == NULL) {
		daemon_free(d);
		return NULL;
	}
	pack_init();
	/* the workers first, while the daemon's image is small: the rescan
	 * of a big spool grows it */
	d->nwk = c->workers;
	d->slot = xcalloc(d->nwk, sizeof(*d->slot));
	for (i = 0; i < (size_t)d->nwk; i++)
		worker_clear(&d->slot[i].wk);
	refill(d);
	d->nq = notifyq_new(&d->sp, c);
	notifyq_node(d->nq, &d->nd);

	/* recovery: our own processing/NODE/ first, then the rest */
	memset(&l, 0, sizeof(l));
	l.d = d;
	spool_each(&d->sp, ST_PROCESSING, lease_cb, &l);
	for (i = 0; i < l.n; i++)
		if (strcmp(l.node[i], d->node) == 0)
			recover(d, l.id[i], "interrupted (xspoold restarted)");
	idlist_free(&l);
	sweep(d, 1);
	notifyq_scan(d->nq);
	watch_rescan(d->w);
	log_info("started: node %s, spool %s, %d workers, %zu candidates",
	    d->node, d->sp.dir, c->workers, watch_count(d->w));
	log_info("spool on %s; no-replace moves by %s", mnt[0] ? mnt : "?",
	    spool_noreplace_method(&d->sp));
	if (warn[0] != '\0')
		log_warnx("%s", warn);
	return d;
}

/* stop_workers - at the end: close their sockets, SIGTERM, and reap
 * them (SIGKILL to one that does not go within STOP_WAIT_MS) */
static void
stop_workers(struct daemon *d)
{
	int64_t until = mono_ms() + STOP_WAIT_MS;
	int i, left;

	for (i = 0; i < d->nwk; i++)
		if (worker_alive(&d->slot[i].wk))
			worker_retire(&d->slot[i].wk);
	do {
		left = 0;
		for (i = 0; i < d->nwk; i++) {
			if (worker_wait(&d->slot[i].wk))
				continue;
			if (mono_ms() >= until)
				worker_kill(&d->slot[i].wk, SIGKILL);
			else
				left++;
		}
		if (left)
			usleep(5000);
	} while (left);
}

void
daemon_free(struct daemon *d)
{
	int i;

	if (d == NULL)
		return;
	stop_workers(d);
	for (i = 0; i < d->nwk; i++)
		worker_clear(&d->slot[i].wk);
	free(d->slot);
	if (d->nq)
		notifyq_free(d->nq);
	watch_free(d->w);
	/* a clean stop: nothing to reclaim (a heartbeat taken over by
	 * another process is its own now) */
	if (d->have_node)
		node_close(&d->nd, 1);
	free(d->stuck);
	spool_close(&d->sp);
	config_free(d->cfg);
	free(d->cfg);
	free(d->node);
	free(d);
}

int
daemon_pollfds(struct daemon *d, struct pollfd *pfd, int max)
{
	int i, n = 0;

	if (n < max) {
		pfd[n].fd = watch_fd(d->w);
		pfd[n++].events = POLLIN;
	}
	for (i = 0; i < d->nwk && n < max; i++)
		if (d->slot[i].wk.fd != -1) {
			pfd[n].fd = d->slot[i].wk.fd;
			pfd[n++].events = POLLIN;
		}
	return n;
}

void
daemon_input(struct daemon *d, const struct pollfd *pfd, int n)
{
	int i, k;

	fence_check(d);
	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (pfd[i].fd == watch_fd(d->w)) {
			if (watch_drain(d->w)) {
				log_debug("inotify queue overflow: rescan");
				watch_rescan(d->w);
			}
			continue;
		}
		for (k = 0; k < d->nwk; k++)
			if (d->slot[k].wk.fd != -1 &&
			    d->slot[k].wk.fd == pfd[i].fd)
				events(d, &d->slot[k]);
	}
}

/* timers - what is due on the monotonic clock */
static void
timers(struct daemon *d, int64_t mono)
{
	struct slot *sl;
	struct worker *w;
	int i;

	if (mono >= d->next_hb) {
		d->next_hb = mono + d->cfg->lease_ms / 4;
		if (beat(d) == 0 && !d->stopping)
			leases(d);
	}
	if (mono >= d->next_rescan && !d->stopping) {
		d->next_rescan = mono + d->cfg->rescan_ms;
		watch_rescan(d->w);
		log_debug("rescan: %zu candidates", watch_count(d->w));
	}
	if (mono >= d->next_retention && !d->stopping) {
		d->next_retention = mono + RETENTION_MS;
		retention(d);
		sweep(d, 0);
	}
	refill(d);
	for (i = 0; i < d->nwk; i++) {
		sl = &d->slot[i];
		w = &sl->wk;
		if (!worker_alive(w) || w->phase == W_IDLE)
			continue;
		if (w->phase == W_RUN && w->dirty &&
		    mono - sl->flushed >= PROGRESS_MS) {
			w->dirty = 0;
			sl->flushed = mono;
			if (spool_rewrite(&d->claimsp, ST_PROCESSING, NULL,
			    &w->job) == -1)
				log_warn("%s: progress", w->job.id);
		}
		if (d->stopping && mono >= d->stop_at && !sl->shutdown &&
		    w->phase == W_RUN) {
			sl->shutdown = 1;
			worker_hurry(w);
		}
		if (worker_overdue(w, mono) && !sl->shutdown)
			log_warnx("%s: the worker overran its deadline: "
			    "killed", w->job.id);
	}
}

void
daemon_tick(struct daemon *d)
{
	fence_check(d);
	timers(d, mono_ms());
	claim(d);
	if (!d->stopping)	/* pending ones resume at the next start */
		notifyq_run(d->nq);
}

int64_t
daemon_timeout(struct daemon *d)
{
	int64_t mono = mono_ms(), t, due;
	struct slot *sl;
	struct worker *w;
	int i;

#define SOONER(x)	do { if ((x) < t) t = (x); } while (0)
	t = mono + 60000;
	SOONER(d->next_hb);
	if (!d->stopping) {
		SOONER(d->next_rescan);
		SOONER(d->next_retention);
	} else
		SOONER(d->stop_at);
	for (i = 0; i < d->nwk; i++) {
		sl = &d->slot[i];
		w = &sl->wk;
		if (w->pid == 0 && i < d->cfg->workers && !d->stopping)
			SOONER(sl->respawn);
		if (!worker_alive(w) || w->phase == W_IDLE)
			continue;
		if (w->phase == W_RUN && w->dirty)
			SOONER(sl->flushed + PROGRESS_MS);
		SOONER(worker_due(w));
	}
	if (!d->stopping && d->nrun < d->cfg->workers &&
	    (due = watch_due(d->w, server_now(d))) != -1 &&
	    due - server_now(d) < t - mono)	/* PARKED must not overflow */
		t = mono + (due - server_now(d));
	if ((due = notifyq_next(d->nq)) != -1)
		SOONER(mono + due);
#undef SOONER
	return t > mono ? t - mono : 0;
}

void
daemon_reload(struct daemon *d, struct config *c)
{
	struct config *old = d->cfg;
	int i;

	if (strcmp(c->dir, old->dir) != 0 || (c->node != NULL &&
	    old->node != NULL && strcmp(c->node, old->node) != 0))
		log_warnx("reload: dir and node keep their old values until "
		    "a restart");
	if (c->workers > d->nwk) {
		d->slot = xreallocarray(d->slot, c->workers,
		    sizeof(*d->slot));
		for (i = d->nwk; i < c->workers; i++) {
			memset(&d->slot[i], 0, sizeof(d->slot[i]));
			worker_clear(&d->slot[i].wk);
		}
		d->nwk = c->workers;
	}
	d->cfg = c;
	d->sp.sync = c->sync;
	d->claimsp.sync = 0;
	notifyq_config(d->nq, c);
	config_free(old);
	free(old);
	/* the workers have the old config: idle ones are replaced now, busy
	 * ones when their job is settled (their reap forks the new ones) */
	for (i = 0; i < d->nwk; i++) {
		if (!worker_alive(&d->slot[i].wk))
			continue;
		d->slot[i].stale = 1;
		if (d->slot[i].wk.phase == W_IDLE)
			worker_retire(&d->slot[i].wk);
	}
	d->next_rescan = 0;	/* types may have come back */
	d->next_retention = 0;	/* retention may have changed */
	log_info("reloaded %s: %d workers, %zu types", c->path, c->workers,
	    c->ntypes);
}

void
daemon_stop(struct daemon *d)
{
	if (d->stopping)
		return;
	d->stopping = 1;
	d->stop_at = mono_ms() + d->grace_ms;
	log_info("stopping: %d jobs running, waiting up to %llds",
	    d->nrun, (long long)(d->grace_ms / 1000));
}

int
daemon_done(struct daemon *d)
{
	return d->stopping && d->nrun == 0 &&
	    (notifyq_busy(d->nq) == 0 || mono_ms() >= d->stop_at);
}
