/* api_metrics.c - GET /metrics: the REST shim's counters (requests by
 * status, their durations, jobs submitted) and the spool's jobs per state
 * and jobs ended, counted from the directories at most once a second, in
 * the Prometheus text format. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.h"

#define JOBS_CACHE_MS	1000
#define JS_DELAY_MS	5000	/* a job is counted this long after it ended */

static const double buckets[NBUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5, 5, 10
};
static const double jbuckets[NJBUCKETS] = {
	0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600
};

void
metrics_init(struct api *a)
{
	pthread_mutex_init(&a->m.mtx, NULL);
	a->m.js_mark = now_ms() - JS_DELAY_MS;
}

void
metrics_free(struct api *a)
{
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

/* count_one - count a job file; for completed/ and cancelled/, also read
 * the files changed since the last pass and add the jobs whose "finished"
 * falls in this pass's window (the windows tile time: each job once,
 * however often its file is rewritten later) */
static int
count_one(const char *id, const char *node, const struct stat *st, void *arg)
{
	struct jcount *c = arg;
	char path[4096], err[ERRLEN];
	int64_t mt;
	struct job j;

	(*c->n)++;
	if (c->lo >= c->hi)
		return 0;
	mt = (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
	if (mt < c->lo - 2000)
		return 0;
	job_init(&j);
	if (spool_path(&c->a->sp, path, sizeof(path), c->st, node, id) == 0 &&
	    spool_read(path, &j, err, sizeof(err)) == 0 &&
	    j.finished > c->lo && j.finished <= c->hi)
		job_ended(&c->a->m, &j, c->st);
	job_free(&j);
	return 0;
}

/* metrics_jobs - files per state directory, and the jobs that ended,
 * counted at most once a second.  Under m.mtx. */
static void
metrics_jobs(struct api *a)
{
	struct jcount c;
	int64_t now = mono_ms(), hi = now_ms() - JS_DELAY_MS;
	int s;

	if (a->m.jobs_at && now - a->m.jobs_at < JOBS_CACHE_MS)
		return;
	c.a = a;
	c.lo = a->m.js_mark;
	for (s = 0; s < NSTATES; s++) {
		a->m.jobs[s] = 0;
		c.st = (enum state)s;
		c.n = &a->m.jobs[s];
		/* only completed/ and cancelled/ hold ended jobs */
		c.hi = s == ST_COMPLETED || s == ST_CANCELLED ? hi : c.lo;
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

enum MHD_Result
h_metrics(struct rctx *x)
{
	struct metrics *m = &x->a->m;
	struct buf b;
	uint64_t cum = 0;
	int i;

	buf_init(&b);
	pthread_mutex_lock(&m->mtx);
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
	metrics_ended(&b, m);
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
