/* api_metrics.c - GET /metrics: the REST shim's counters (requests by
 * status, their durations, jobs submitted) and the spool's jobs per state
 * and per type, the oldest queued job, live nodes and their busy workers,
 * notifications pending or given up, and jobs ended, counted from the
 * directories and job files at most once a second, in the Prometheus text
 * format. */
#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

#define JOBS_CACHE_MS	1000
#define NCH		2	/* notification channels: webhook, mail */
#define JS_DELAY_MS	5000	/* a job is counted this long after it ended */

static const double buckets[NBUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5, 5, 10
};
static const double jbuckets[NJBUCKETS] = {
	0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600
};

/* a count per export type and per node, rebuilt at each pass */
struct tcount {
	char		*name;
	uint64_t	 n[NSTATES];
};

/* what a pass finds beyond the files per state: jobs per type and state,
 * the oldest queued job, jobs held per node (its busy workers), the live
 * nodes, and notifications pending or given up per channel */
struct jstats {
	pthread_mutex_t	 mtx;	/* the job pass and everything it counts
				 * (m's jobs, js_*): reading the files does
				 * not hold up metrics_request */
	struct tcount	*types, *nodes;
	size_t		 ntypes, nnodes;
	int64_t		 oldest;	/* created of the oldest queued, 0 */
	int		 live;		/* nodes with a live heartbeat, -1 */
	uint64_t	 notify[NCH][2];	/* [channel][0 pending, 1 failed] */
};

static void
tcounts_free(struct tcount **v, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*v)[i].name);
	free(*v);
	*v = NULL;
	*n = 0;
}

/* tcount_of - the entry of name in v (added when new) */
static struct tcount *
tcount_of(struct tcount **v, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].name, name) == 0)
			return &(*v)[i];
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].name = xstrdup(name);
	return &(*v)[(*n)++];
}

void
metrics_init(struct api *a)
{
	pthread_mutex_init(&a->m.mtx, NULL);
	a->m.js_mark = now_ms() - JS_DELAY_MS;
	a->m.st = xcalloc(1, sizeof(*a->m.st));
	pthread_mutex_init(&a->m.st->mtx, NULL);
}

void
metrics_free(struct api *a)
{
	tcounts_free(&a->m.st->types, &a->m.st->ntypes);
	tcounts_free(&a->m.st->nodes, &a->m.st->nnodes);
	pthread_mutex_destroy(&a->m.st->mtx);
	free(a->m.st);
	pthread_mutex_destroy(&a->m.mtx);
}

/* metrics_request - count one answered request */
void
metrics_request(struct api *a, unsigned status, double secs)
{
	int i;

	pthread_mutex_lock(&a->m.mtx);
	if (status < 600)
		a->m.codes[status]++;
	for (i = 0; i < NBUCKETS; i++)
		if (secs <= buckets[i]) {
			a->m.hist[i]++;
			break;
		}
	a->m.count++;
	a->m.sum += secs;
	pthread_mutex_unlock(&a->m.mtx);
}

void
metrics_submitted(struct api *a)
{
	pthread_mutex_lock(&a->m.mtx);
	a->m.submitted++;
	pthread_mutex_unlock(&a->m.mtx);
}

struct jcount {
	struct api	*a;
	enum state	 st;
	uint64_t	*n;
	int64_t		 lo, hi;	/* count jobs that ended in (lo, hi] */
};

/* job_ended - add job j, which ended in state st, to the job metrics */
static void
job_ended(struct metrics *m, const struct job *j, enum state st)
{
	double secs;
	int i;

	m->js_ended[st]++;
	m->js_attempts += (uint64_t)j->attempts;
	if (st != ST_COMPLETED || !j->result.present)
		return;
	secs = j->result.duration_ms / 1000.0;
	for (i = 0; i < NJBUCKETS; i++)
		if (secs <= jbuckets[i]) {
			m->js_hist[i]++;
			break;
		}
	m->js_count++;
	m->js_sum += secs;
}

/* job_seen - a job file's type and notifications into the pass's stats */
static void
job_seen(struct jstats *js, const struct job *j, enum state st)
{
	const struct notify_track *t[NCH] = { &j->webhook, &j->mail };
	int c;

	tcount_of(&js->types, &js->ntypes, j->type ? j->type : "")->n[st]++;
	for (c = 0; c < NCH; c++)
		if (t[c]->state == NS_PENDING)
			js->notify[c][0]++;
		else if (t[c]->state == NS_FAILED)
			js->notify[c][1]++;
}

/* count_one - count a job file, by state, type and node (queued/ is
 * counted from the queue's index instead); for completed/ and
 * cancelled/, add the jobs whose "finished" falls in this pass's window
 * to the ended jobs (the windows tile time: each job once, however often
 * its file is rewritten later) */
static int
count_one(const char *id, const char *node, const struct stat *st, void *arg)
{
	struct jcount *c = arg;
	char path[4096], err[ERRLEN];
	struct jstats *js = c->a->m.st;
	struct job j;

	(*c->n)++;
	if (node != NULL)
		tcount_of(&js->nodes, &js->nnodes, node)->n[c->st]++;
	job_init(&j);
	if (spool_path(&c->a->sp, path, sizeof(path), c->st, node, id) == 0 &&
	    spool_read(path, &j, err, sizeof(err)) == 0) {
		job_seen(js, &j, c->st);
		if (c->lo < c->hi && j.finished > c->lo &&
		    j.finished <= c->hi)
			job_ended(&c->a->m, &j, c->st);
	}
	job_free(&j);
	return 0;
}

/* count_file - count a file only (queued/) */
static int
count_file(const char *id, const char *node, const struct stat *st,
    void *arg)
{
	(*((struct jcount *)arg)->n)++;
	return 0;
}

/* queued_one - a queued job, from the queue's index */
static void
queued_one(const struct qitem *q, void *arg)
{
	struct jstats *js = arg;

	tcount_of(&js->types, &js->ntypes, q->type ? q->type :
	    "")->n[ST_QUEUED]++;
	if (js->oldest == 0 || q->created < js->oldest)
		js->oldest = q->created;
}

/* live_one - a node with a live heartbeat: listed even when idle */
static void
live_one(const char *name, void *arg)
{
	struct jstats *js = arg;

	tcount_of(&js->nodes, &js->nnodes, name);
}

/* metrics_jobs - files per state directory, and the jobs that ended,
 * counted at most once a second.  Under m.st->mtx. */
static void
metrics_jobs(struct api *a)
{
	struct jcount c;
	int64_t now = mono_ms(), hi = now_ms() - JS_DELAY_MS;
	int s;
	struct jstats *js = a->m.st;
	int more;

	if (a->m.jobs_at && now - a->m.jobs_at < JOBS_CACHE_MS)
		return;
	tcounts_free(&js->types, &js->ntypes);
	tcounts_free(&js->nodes, &js->nnodes);
	memset(js->notify, 0, sizeof(js->notify));
	js->oldest = 0;
	js->live = node_live(&a->sp, a->cfg->lease_ms, live_one, js);
	c.a = a;
	c.lo = a->m.js_mark;
	if (qcache_page(a->qc, NULL, 0, NULL, SIZE_MAX, queued_one, js,
	    &more) == -1)
		log_warn("metrics: queued/");
	for (s = 0; s < NSTATES; s++) {
		a->m.jobs[s] = 0;
		c.st = (enum state)s;
		c.n = &a->m.jobs[s];
		/* only completed/ and cancelled/ hold ended jobs */
		c.hi = s == ST_COMPLETED || s == ST_CANCELLED ? hi : c.lo;
		if (s == ST_QUEUED)	/* types from the index, not the files */
			spool_each(&a->sp, ST_QUEUED, count_file, &c);
		else
			spool_each(&a->sp, (enum state)s, count_one, &c);
	}
	if (hi > a->m.js_mark)
		a->m.js_mark = hi;
	a->m.jobs_at = now;
}

/* metrics_ended - the job counters and histogram */
static void
metrics_ended(struct buf *b, const struct metrics *m)
{
	uint64_t cum = 0;
	int i;

	buf_addf(b, "# HELP xspool_jobs_ended_total Jobs that reached "
	    "COMPLETED or CANCELLED since this shim started.\n"
	    "# TYPE xspool_jobs_ended_total counter\n"
	    "xspool_jobs_ended_total{state=\"completed\"} %" PRIu64 "\n"
	    "xspool_jobs_ended_total{state=\"cancelled\"} %" PRIu64 "\n",
	    m->js_ended[ST_COMPLETED], m->js_ended[ST_CANCELLED]);
	buf_addf(b, "# HELP xspool_job_attempts_total Attempts used by the "
	    "jobs in xspool_jobs_ended_total.\n"
	    "# TYPE xspool_job_attempts_total counter\n"
	    "xspool_job_attempts_total %" PRIu64 "\n", m->js_attempts);
	buf_adds(b, "# HELP xspool_job_duration_seconds Run time of the "
	    "export of completed jobs.\n"
	    "# TYPE xspool_job_duration_seconds histogram\n");
	for (i = 0; i < NJBUCKETS; i++) {
		cum += m->js_hist[i];
		buf_addf(b, "xspool_job_duration_seconds_bucket{le=\"%g\"} "
		    "%" PRIu64 "\n", jbuckets[i], cum);
	}
	buf_addf(b, "xspool_job_duration_seconds_bucket{le=\"+Inf\"} "
	    "%" PRIu64 "\nxspool_job_duration_seconds_sum %.3f\n"
	    "xspool_job_duration_seconds_count %" PRIu64 "\n",
	    m->js_count, m->js_sum, m->js_count);
}

/* label - a quoted label value, escaped as the text format says */
static void
label(struct buf *b, const char *v)
{
	buf_addc(b, '"');
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			buf_addc(b, '\\');
		if (*v == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *v);
	}
	buf_addc(b, '"');
}

/* metrics_stats - jobs by type, the oldest queued job's age, jobs held
 * per node, live nodes and notifications */
static void
metrics_stats(struct buf *b, const struct jstats *js)
{
	static const char *const ch[NCH] = { "webhook", "email" };
	size_t i;
	int s, c;

	buf_adds(b, "# HELP xspool_jobs_by_type Jobs per export type and "
	    "state.\n# TYPE xspool_jobs_by_type gauge\n");
	for (i = 0; i < js->ntypes; i++)
		for (s = 0; s < NSTATES; s++) {
			buf_adds(b, "xspool_jobs_by_type{type=");
			label(b, js->types[i].name);
			buf_addf(b, ",state=\"%s\"} %" PRIu64 "\n",
			    state_dir((enum state)s), js->types[i].n[s]);
		}
	buf_addf(b, "# HELP xspool_oldest_queued_seconds Age of the oldest "
	    "QUEUED job (0: none).\n# TYPE xspool_oldest_queued_seconds "
	    "gauge\nxspool_oldest_queued_seconds %.3f\n",
	    js->oldest ? (now_ms() - js->oldest) / 1000.0 : 0.0);
	buf_addf(b, "# HELP xspool_nodes_live Nodes whose heartbeat is live "
	    "(-1: the spool cannot be read).\n# TYPE xspool_nodes_live "
	    "gauge\nxspool_nodes_live %d\n", js->live);
	buf_adds(b, "# HELP xspool_workers_busy Jobs a node is running "
	    "(its busy workers), for live nodes and nodes holding jobs.\n"
	    "# TYPE xspool_workers_busy gauge\n");
	for (i = 0; i < js->nnodes; i++) {
		buf_adds(b, "xspool_workers_busy{node=");
		label(b, js->nodes[i].name);
		buf_addf(b, "} %" PRIu64 "\n", js->nodes[i].n[ST_PROCESSING]);
	}
	buf_adds(b, "# HELP xspool_notifications Notifications in the "
	    "job files: pending (being tried) or failed (given up).\n"
	    "# TYPE xspool_notifications gauge\n");
	for (c = 0; c < NCH; c++)
		buf_addf(b, "xspool_notifications{channel=\"%s\",state="
		    "\"pending\"} %" PRIu64 "\nxspool_notifications{channel="
		    "\"%s\",state=\"failed\"} %" PRIu64 "\n", ch[c],
		    js->notify[c][0], ch[c], js->notify[c][1]);
}

enum MHD_Result
h_metrics(struct rctx *x)
{
	struct metrics *m = &x->a->m;
	struct buf b;
	uint64_t cum = 0;
	int i;

	buf_init(&b);
	pthread_mutex_lock(&m->st->mtx);
	metrics_jobs(x->a);
	buf_adds(&b, "# HELP xspool_jobs Jobs per state (files per spool "
	    "directory).\n# TYPE xspool_jobs gauge\n");
	for (i = 0; i < NSTATES; i++) {
		char lower[16];
		size_t k;

		snprintf(lower, sizeof(lower), "%s", state_name((enum state)i));
		for (k = 0; lower[k]; k++)
			lower[k] = (char)tolower((unsigned char)lower[k]);
		buf_addf(&b, "xspool_jobs{state=\"%s\"} %" PRIu64 "\n", lower,
		    m->jobs[i]);
	}
	metrics_stats(&b, m->st);
	metrics_ended(&b, m);
	pthread_mutex_unlock(&m->st->mtx);
	pthread_mutex_lock(&m->mtx);
	buf_addf(&b, "# HELP xspool_submitted_total Jobs submitted through "
	    "this shim.\n# TYPE xspool_submitted_total counter\n"
	    "xspool_submitted_total %" PRIu64 "\n", m->submitted);
	buf_adds(&b, "# HELP xspool_http_requests_total HTTP requests by "
	    "status code.\n# TYPE xspool_http_requests_total counter\n");
	for (i = 100; i < 600; i++)
		if (m->codes[i])
			buf_addf(&b, "xspool_http_requests_total{code=\"%d\"} "
			    "%" PRIu64 "\n", i, m->codes[i]);
	buf_adds(&b, "# HELP xspool_http_request_duration_seconds Time from "
	    "request to completed answer.\n"
	    "# TYPE xspool_http_request_duration_seconds histogram\n");
	for (i = 0; i < NBUCKETS; i++) {
		cum += m->hist[i];
		buf_addf(&b, "xspool_http_request_duration_seconds_bucket"
		    "{le=\"%g\"} %" PRIu64 "\n", buckets[i], cum);
	}
	buf_addf(&b, "xspool_http_request_duration_seconds_bucket"
	    "{le=\"+Inf\"} %" PRIu64 "\n"
	    "xspool_http_request_duration_seconds_sum %.6f\n"
	    "xspool_http_request_duration_seconds_count %" PRIu64 "\n",
	    m->count, m->sum, m->count);
	pthread_mutex_unlock(&m->mtx);
	metrics_sched(x->a, &b);
	buf_addf(&b, "# HELP xspool_http_header_timeouts_total Connections "
	    "closed for sending no whole request header within "
	    "header_timeout.\n# TYPE xspool_http_header_timeouts_total "
	    "counter\nxspool_http_header_timeouts_total %" PRIu64 "\n",
	    (uint64_t)atomic_load(&x->a->hw.dropped));
	return reply(x, 200, &b, "text/plain; version=0.0.4; charset=utf-8",
	    NULL);
}
