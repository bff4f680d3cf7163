/* daemon.c - xspoold's engine: claims jobs in sched.c's order, hands each to a
 * long-lived worker process in one of its slots, and runs the timers.
 * How an attempt ends is daemon_end.c's, dropped files daemon_drop.c's,
 * heartbeat and leases daemon_lease.c's, housekeeping daemon_sweep.c's
 * (daemon.h is what they share).  xspoold.c owns the event loop and
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
#include "daemon.h"

/* logt - one line per transition */
void
logt(const struct job *j, enum state from, enum state to, const char *why,
    int64_t ms)
{
	log_info("%s %s %s -> %s (%s) %lldms", j->id, j->type ? j->type : "-",
	    state_dir(from), state_dir(to), why, (long long)(ms < 0 ? 0 : ms));
}

/* server_now - the file server's time: every time compared between
 * nodes (nextAttempt, leases, drop_grace, retention) is on this clock */
int64_t
server_now(const struct daemon *d)
{
	return node_now(d->have_node ? &d->nd : NULL);
}

int64_t
ns_now(void)
{
	return now_ms() * 1000000;
}

/* slot_of - the slot whose worker has job id, or NULL */
struct slot *
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
void
slot_end(struct slot *sl)
{
	worker_end(&sl->wk);
	sl->how = END_OK;
	sl->why[0] = '\0';
	sl->pending = 0;
	sl->shutdown = 0;
	sl->cancel = 0;
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
	sl->cancel_due = sl->flushed + CANCEL_POLL_MS;
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

/* count_running - the schedule's running jobs per type: this node's busy
 * workers (max_running is per node) */
static void
count_running(struct daemon *d)
{
	int i;

	sched_clear_running(d->sched);
	for (i = 0; i < d->nwk; i++)
		if (d->slot[i].wk.phase != W_IDLE)
			sched_running(d->sched, d->slot[i].wk.job.type, 1);
}

/* claim - as many due candidates as there are free workers */
static void
claim(struct daemon *d)
{
	char name[NAME_MAX + 1];
	int st;

	while (!d->stopping && !d->fenced && node_current(&d->nd) &&
	    d->nrun < d->cfg->workers &&
	    idle_slot(d) != NULL && (count_running(d), 1) &&
	    (st = watch_next(d->w, server_now(d), name, sizeof(name))) != -1) {
		if (st == ST_QUEUED)
			claim_queued(d, name);
		else
			claim_failed(d, name);
	}
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
	int busy = w->phase != W_IDLE, stale = sl->stale, cancel = sl->cancel;

	events(d, sl);
	if (w->phase == W_RUN)
		attempt_over(d, sl);	/* worker_result says it died */
	if (w->phase == W_SETTLE)
		move_lost(d, sl);
	if (!stale && !d->stopping && !cancel)
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
	d->sched = sched_new();
	sched_config(d->sched, c);
	if ((d->w = watch_new(d->sp.dir, d->sched, err, errlen)) == NULL) {
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
	sched_free(d->sched);
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

/* cancel_check - an operator asked (xspool cancel --running) that the
 * slot's running job stop: its worker is killed with the exporter, and
 * attempt_over moves the job to cancelled/ */
static void
cancel_check(struct daemon *d, struct slot *sl, int64_t mono)
{
	sl->cancel_due = mono + CANCEL_POLL_MS;
	if (sl->cancel || sl->shutdown ||
	    !ops_cancel_requested(&d->sp, &sl->wk.job))
		return;
	sl->cancel = 1;
	log_info("%s: cancel requested: stopping its export", sl->wk.job.id);
	worker_hurry(&sl->wk);
}

/* timers - what is due on the monotonic clock */
/*
 * stalled - the time since mono, plus how late the poll ended, is time
 * this process was held up (a file server that stopped answering, a
 * SIGSTOP): the same stall held up our settling workers, so it does not
 * count against their deadlines.  Without it, a worker whose rename the
 * NFS server's restart held up was killed as soon as we woke, and its
 * job ran again.  Returns mono_ms() now.
 */
static int64_t
stalled(struct daemon *d, int64_t mono, int64_t late)
{
	int64_t now = mono_ms(), ms = late + (now - mono);
	int i;

	if (ms < DAEMON_STALL_MS)
		return now;
	log_info("held up for %lld ms: settling workers get that much more "
	    "time", (long long)ms);
	for (i = 0; i < d->nwk; i++)
		if (worker_alive(&d->slot[i].wk))
			worker_stalled(&d->slot[i].wk, ms);
	return now;
}

static void
timers(struct daemon *d, int64_t mono, int64_t late)
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
	mono = stalled(d, mono, late);
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
		if (w->phase == W_RUN && mono >= sl->cancel_due)
			cancel_check(d, sl, mono);
		if (d->stopping && mono >= d->stop_at && !sl->shutdown &&
		    w->phase == W_RUN) {
			sl->shutdown = 1;
			worker_hurry(w);
		}
		if (worker_overdue(w, mono) && !sl->shutdown && !sl->cancel)
			log_warnx("%s: the worker overran its deadline: "
			    "killed", w->job.id);
	}
}

void
daemon_tick(struct daemon *d)
{
	int64_t mono = mono_ms();

	fence_check(d);
	timers(d, mono, d->wake_at > 0 && mono > d->wake_at ?
	    mono - d->wake_at : 0);
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
		if (w->phase == W_RUN)
			SOONER(sl->cancel_due);
		SOONER(worker_due(w));
	}
	if (!d->stopping && d->nrun < d->cfg->workers &&
	    (due = watch_due(d->w, server_now(d))) != -1 &&
	    due - server_now(d) < t - mono)	/* PARKED must not overflow */
		t = mono + (due - server_now(d));
	if ((due = notifyq_next(d->nq)) != -1)
		SOONER(mono + due);
#undef SOONER
	d->wake_at = t > mono ? t : mono;
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
	sched_config(d->sched, c);
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
