/* daemon_end.c - how an attempt ends: where its job goes and its new text
 * (end_decide), the move made by the worker or here (attempt_over,
 * move_reported, move_lost, end_here), what follows it (end_record: the
 * log line, notifications, the retry's timer), ends a full disk keeps
 * back (stuck), and the recovery of a job an interrupted attempt left in
 * our processing/NODE/. */
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
#include "daemon.h"

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

void
drop_password(struct job *j)
{
	if (j->password != NULL) {
		explicit_bzero(j->password, strlen(j->password));
		free(j->password);
		j->password = NULL;
	}
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
	} else if (how == END_CANCEL) {
		j->attempts++;
		to = ST_CANCELLED;
		free(j->cancelled_by);
		j->cancelled_by = xstrdup("operator");
		drop_password(j);
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
	if (to == ST_CANCELLED && how != END_CANCEL) {
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
void
end_here(struct daemon *d, struct job *j, enum end how, const char *why)
{
	enum state to;
	int pending, rc = 0;

	to = end_decide(d, j, how, &pending);
	if (spool_move(&d->sp, j->id, ST_PROCESSING, NULL, to, j) == -1)
		rc = errno ? errno : EIO;
	end_record(d, j, how, to, pending, why, rc);
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
void
move_reported(struct daemon *d, struct slot *sl, int rc)
{
	struct worker *w = &sl->wk;

	end_record(d, &w->job, sl->how, w->to, sl->pending, sl->why, rc);
	if (sl->cancel)
		ops_cancel_clear(&d->sp, NULL, w->job.id);
	slot_end(sl);
	d->nrun--;
	if (sl->stale && worker_alive(w))
		worker_retire(w);	/* the reap respawns it */
}

/* attempt_over - the attempt is over (its result came, or the worker
 * died): end_decide where the job goes and hand the move back to the
 * worker, which syncs it outside the event loop; without a worker, move
 * it here */
void
attempt_over(struct daemon *d, struct slot *sl)
{
	char id[ID_MAX + 1], lost[ERRLEN], zip[PATH_MAX];
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
	if (!ok && !w->has_result && !sl->shutdown && !sl->cancel) {
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
	if (!ok && (sl->shutdown || sl->cancel)) {
		result_clear(&res);
		res.errors = xcalloc(1, sizeof(*res.errors));
		res.errors[0] = xstrdup(sl->cancel ? "cancelled by an "
		    "operator while running" : "interrupted by shutdown");
		res.nerrors = 1;
	}
	merge(&w->job, &res, ok);
	if (ok) {
		sl->how = END_OK;
		why = "done";
	} else if (sl->shutdown) {
		sl->how = END_SHUTDOWN;
		why = "interrupted by shutdown";
	} else if (sl->cancel) {
		sl->how = END_CANCEL;
		why = "cancelled while running";
		/* killed after its zip was in place, before it said so */
		if (spool_zip_path(&d->sp, zip, sizeof(zip), w->job.id) == 0)
			(void)unlink(zip);
	} else {
		sl->how = END_FAIL;
		why = w->job.result.nerrors > 0 ?
		    w->job.result.errors[w->job.result.nerrors - 1] : "failed";
	}
	snprintf(sl->why, sizeof(sl->why), "%s", why);
	w->dirty = 0;
	to = end_decide(d, &w->job, sl->how, &sl->pending);
	/* a settle is file operations only: while our lease is current
	 * no other node takes the job, so a slow file server (a restart)
	 * is waited for, not cut short into a rerun */
	if (worker_settle(w, to, d->cfg->lease_ms - d->cfg->lease_ms / 4) == 0)
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
void
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

/*
 * recover - our processing/NODE/ID.job that no worker runs: a job whose
 * file already says how its attempt ended is moved on; any other one had
 * its attempt interrupted (why says how), a failed attempt.
 */
void
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
