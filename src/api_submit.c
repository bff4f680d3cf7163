/* api_submit.c - POST /api/v1/ExportRequest/{type}: the query and headers
 * into a job, its validation, the duplicate and Idempotency-Key checks
 * against queued/ and processing/, then spool_submit. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api.h"

struct pscan {
	struct spool	*sp;
	const char	*client, *hash, *idem;
	char		 id[ID_MAX + 1];
	int		 found;
};

/* pscan_one - does processing/NODE/ID.job match? */
static int
pscan_one(const char *id, const char *node, const struct stat *st, void *arg)
{
	char path[4096], err[ERRLEN];
	struct pscan *p = arg;
	struct job j;

	job_init(&j);
	if (spool_path(p->sp, path, sizeof(path), ST_PROCESSING, node,
	    id) == 0 && spool_read(path, &j, err, sizeof(err)) == 0 &&
	    j.client && strcmp(j.client, p->client) == 0 &&
	    ((p->hash && j.request_hash &&
	    strcmp(j.request_hash, p->hash) == 0) ||
	    (p->idem && j.idempotency_key &&
	    strcmp(j.idempotency_key, p->idem) == 0))) {
		snprintf(p->id, sizeof(p->id), "%s", id);
		p->found = 1;
	}
	job_free(&j);
	return p->found;
}

/* find_active - a QUEUED or PROCESSING job of client with that request
 * hash or idempotency key: 1 with its id, else 0 */
static int
find_active(struct api *a, const char *client, const char *hash,
    const char *idem, char *id)
{
	struct pscan p;

	if (qcache_find(a->qc, client, hash, idem, id) == 1)
		return 1;
	memset(&p, 0, sizeof(p));
	p.sp = &a->sp;
	p.client = client;
	p.hash = hash;
	p.idem = idem;
	spool_each(&a->sp, ST_PROCESSING, pscan_one, &p);
	if (p.found)
		memcpy(id, p.id, sizeof(p.id));
	return p.found;
}

/* replay - answer an Idempotency-Key seen before with the first answer */
static enum MHD_Result
replay(struct rctx *x, const char *id, const char *hash, const struct job *nj)
{
	char err[ERRLEN];
	struct buf b;
	struct job j;
	enum MHD_Result ret;

	if (hash && strcmp(hash, nj->request_hash) != 0)
		return reply_err(x, 422, "IDEMPOTENCY_KEY_REUSED", "this "
		    "Idempotency-Key was used for a different request");
	job_init(&j);
	if (spool_load(&x->a->sp, id, &j, NULL, err, sizeof(err)) == -1) {
		job_free(&j);
		return reply_err(x, 422, "IDEMPOTENCY_KEY_REUSED", "this "
		    "Idempotency-Key was used for job %s, which is gone", id);
	}
	if (j.request_hash && strcmp(j.request_hash, nj->request_hash) != 0) {
		job_free(&j);
		return reply_err(x, 422, "IDEMPOTENCY_KEY_REUSED", "this "
		    "Idempotency-Key was used for a different request");
	}
	buf_init(&b);
	view_queued(&b, j.id, j.type, j.format, j.created);
	ret = reply_json(x, 200, &b);
	job_free(&j);
	return ret;
}

#define CAP_RETRY	"30"	/* s: a queued job or two will have run */

/* over_cap - client has its max_queued jobs queued (or more) */
static int
over_cap(struct api *a, const char *client)
{
	int cap = config_client(&a->cfg->max_queued, client);

	return cap > 0 && qcache_count(a->qc, client) >= cap;
}

/* queue_job - the checks that need the spool, then spool_submit; under
 * submit_mtx so that two identical requests cannot both pass */
static enum MHD_Result
queue_job(struct rctx *x, struct job *j)
{
	struct api *a = x->a;
	char id[ID_MAX + 1], err[ERRLEN], extra[ID_MAX + 16], *hash = NULL;
	struct buf b;

	if (j->idempotency_key) {
		if (idem_lookup(a, j->client, j->idempotency_key, id, &hash) ||
		    find_active(a, j->client, NULL, j->idempotency_key, id))
			return replay(x, id, hash, j);
	}
	if (find_active(a, j->client, j->request_hash, NULL, id)) {
		snprintf(extra, sizeof(extra), "\"id\":\"%s\"", id);
		return reply_errx(x, 409, "EXPORT_DUPLICATE", extra, NULL,
		    NULL, "the same export is already queued or running as "
		    "job %s", id);
	}
	if (over_cap(a, j->client))
		return reply_errx(x, 429, "QUEUE_LIMIT_EXCEEDED",
		    "\"RetryAfterSeconds\":" CAP_RETRY, "Retry-After", CAP_RETRY,
		    "client %s has its max_queued (%d) jobs queued; try again "
		    "once some have started", j->client ? j->client : "-",
		    config_client(&a->cfg->max_queued, j->client));
	if (spool_has_room(&a->sp, a->cfg->min_free) == 0)
		goto full;
	if (spool_submit(&a->sp, j, a->cfg->min_free, err,
	    sizeof(err)) == -1) {
		if (errno == ENOSPC)
			goto full;
		log_warnx("submit: %s", err);
		return reply_err(x, 500, "INTERNAL_ERROR",
		    "the job cannot be queued");
	}
	if (j->idempotency_key)
		idem_add(a, j);
	metrics_submitted(a);
	buf_init(&b);
	view_queued(&b, j->id, j->type, j->format, j->created);
	return reply_json(x, 200, &b);
full:
	return reply_errx(x, 503, "SPOOL_FULL", NULL, "Retry-After", "60",
	    "the spool is short of space; "
	    "try again later");
}

enum MHD_Result
h_submit(struct rctx *x)
{
	const char *code, *h;
	char err[ERRLEN];
	struct sargs s;
	struct job j;
	enum MHD_Result ret;

	if (!type_valid(x->arg) || config_type(x->a->cfg, x->arg) == NULL) {
		type_unknown(x->a->cfg, x->arg, err, sizeof(err));
		return reply_err(x, 404, "UNKNOWN_EXPORT_TYPE", "%s", err);
	}
	job_init(&j);
	j.type = xstrdup(x->arg);
	j.client = xstrdup(x->key->client);
	memset(&s, 0, sizeof(s));
	s.j = &j;
	MHD_get_connection_values(x->c, MHD_GET_ARGUMENT_KIND,
	    parse_submit_arg, &s);
	if (s.err[0]) {
		ret = reply_err(x, 400, "INVALID_PARAMETER", "%s", s.err);
		goto out;
	}
	if (s.nfmt > 1 || s.npass > 1 || s.nemail > 1 || s.ncb > 1) {
		ret = reply_err(x, 400, "INVALID_PARAMETER",
		    "a parameter is given twice");
		goto out;
	}
	if (s.fmt && (j.format = format_parse(s.fmt)) == FMT_NONE) {
		ret = reply_err(x, 400, "UNSUPPORTED_FORMAT",
		    "format must be JSON or CSV");
		goto out;
	}
	h = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND,
	    "X-Export-Password");
	if (h && s.npass) {
		ret = reply_err(x, 400, "INVALID_PARAMETER", "the password "
		    "is given both in the query and in X-Export-Password");
		goto out;
	}
	if (h)
		j.password = xstrdup(h);
	h = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND,
	    "Idempotency-Key");
	if (h && !parse_idem_key(h)) {
		ret = reply_err(x, 400, "INVALID_PARAMETER", "Idempotency-Key "
		    "must be 1 to %d printable ASCII characters", IDEM_MAX);
		goto out;
	}
	if (h)
		j.idempotency_key = xstrdup(h);
	if (job_accept(x->a->cfg, &j, &code, err, sizeof(err)) == -1) {
		ret = reply_err(x, strcmp(code, "UNKNOWN_EXPORT_TYPE") == 0 ?
		    404 : 400, code, "%s", err);
		goto out;
	}
	pthread_mutex_lock(&x->a->submit_mtx);
	ret = queue_job(x, &j);
	pthread_mutex_unlock(&x->a->submit_mtx);
out:
	job_free(&j);
	return ret;
}
