/* api_routes.c - the REST shim's route table and the handlers of the
 * routes that read or cancel: Identity, Status, Queued, Download, Cancel
 * and /healthz, /livez (submit is api_submit.c, /metrics api_metrics.c). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api.h"

const struct route api_routes[] = {
	{ "GET", "/api/v1/Identity", R_AUTH, h_identity },
	{ "POST", "/api/v1/ExportRequest/", R_AUTH | R_ARG, h_submit },
	{ "GET", "/api/v1/ExportResult/Status/", R_AUTH | R_ARG, h_status },
	{ "GET", "/api/v1/ExportResult/Queued", R_AUTH, h_queued },
	{ "GET", "/api/v1/ExportResult/Download/", R_AUTH | R_ARG,
	    h_download },
	{ "DELETE", "/api/v1/ExportRequest/Cancel/", R_AUTH | R_ARG,
	    h_cancel },
	{ "GET", "/healthz", 0, h_healthz },
	{ "GET", "/livez", 0, h_livez },
	{ "GET", "/metrics", 0, h_metrics },
};
const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);

/* load_own - load job x->arg for the key, in state want (-1: any); the
 * state, or -1 with the error queued in *ret (another client's job, or
 * one in another state, is 404) */
static int
load_own(struct rctx *x, struct job *j, int want, struct fid *fid,
    enum MHD_Result *ret)
{
	struct fid f;
	char err[ERRLEN];
	int st;

	if (!id_valid(x->arg)) {
		*ret = reply_err(x, 400, "INVALID_PARAMETER", "invalid job id");
		return -1;
	}
	if ((st = scache_lookup(x->a, x->arg, j, fid ? fid : &f, err,
	    sizeof(err))) == -1) {
		if (errno == ENOENT)
			*ret = reply_err(x, 404, "NOT_FOUND", "no such job");
		else {
			log_warnx("job %s: %s", x->arg, err);
			*ret = reply_err(x, 500, "INTERNAL_ERROR",
			    "the job cannot be read");
		}
		return -1;
	}
	if (!auth_visible(x, j->client)) {
		*ret = reply_err(x, 404, "NOT_FOUND", "no such job");
		return -1;
	}
	if (want != -1 && st != want) {
		*ret = reply_err(x, 404, "NOT_FOUND", "job %s is %s, not %s",
		    j->id, state_name((enum state)st),
		    state_name((enum state)want));
		return -1;
	}
	return st;
}

enum MHD_Result
h_identity(struct rctx *x)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "{\"keyId\":");
	view_str(&b, x->key->keyid);
	buf_adds(&b, ",\"client\":");
	view_str(&b, x->key->client);
	buf_addf(&b, ",\"admin\":%s,\"rights\":[\"submit\",\"status\","
	    "\"list\",\"download\",\"cancel\"%s]}",
	    x->key->admin ? "true" : "false",
	    x->key->admin ? ",\"admin\"" : "");
	return reply_json(x, 200, &b);
}

enum MHD_Result
h_status(struct rctx *x)
{
	enum MHD_Result ret;
	struct fid fid;
	struct job j;
	struct buf b;
	int st;

	if (id_valid(x->arg) && scache_reply(x, &ret))
		return ret;
	job_init(&j);
	if ((st = load_own(x, &j, -1, &fid, &ret)) == -1)
		goto out;
	buf_init(&b);
	view_job(&b, &j, (enum state)st);
	buf_addc(&b, '\n');
	if (fid.valid && b.len <= KEEP_MAX)
		scache_keep(x->a, j.id, st, &fid, j.client, &b);
	ret = reply(x, 200, &b, "application/json", NULL);
out:
	job_free(&j);
	return ret;
}

enum MHD_Result
h_cancel(struct rctx *x)
{
	enum MHD_Result ret;
	struct job j;
	struct buf b;
	int r;

	job_init(&j);
	if (load_own(x, &j, ST_QUEUED, NULL, &ret) == -1)
		goto out;
	if ((r = ops_cancel_by(&x->a->sp, &j, "client")) == -1) {
		if (errno == ENOENT)
			ret = reply_err(x, 404, "NOT_FOUND",
			    "job %s is no longer QUEUED", j.id);
		else {
			log_warn("cancel %s", j.id);
			ret = reply_err(x, 500, "INTERNAL_ERROR",
			    "the job cannot be cancelled");
		}
		goto out;
	}
	if (r == 1)
		log_warn("cancel %s: notification hint", j.id);
	buf_init(&b);
	buf_adds(&b, "{\"id\":");
	view_str(&b, j.id);
	buf_adds(&b, ",\"status\":\"CANCELLED\"}");
	ret = reply_json(x, 200, &b);
out:
	job_free(&j);
	return ret;
}

/* ------------------------------------------------------------ queued */

struct page {
	struct buf	 b;
	int		 n;
	int64_t		 last_created;
	char		 last_id[ID_MAX + 1];
};

static void
page_item(const struct qitem *q, void *arg)
{
	struct page *p = arg;

	if (p->n++)
		buf_addc(&p->b, ',');
	view_queued(&p->b, q->id, q->type, q->format, q->created);
	p->last_created = q->created;
	memcpy(p->last_id, q->id, sizeof(p->last_id));
}

enum MHD_Result
h_queued(struct rctx *x)
{
	char after[ID_MAX + 1];
	struct qargs qa = { NULL, NULL, NULL };
	struct page p;
	size_t limit = LIST_DEFAULT;
	int64_t created = 0;
	int n, more;

	MHD_get_connection_values(x->c, MHD_GET_ARGUMENT_KIND,
	    parse_queued_arg, &qa);
	if (qa.bad)
		return reply_err(x, 400, "INVALID_PARAMETER",
		    "unknown or repeated parameter %.64s", qa.bad);
	if (qa.limit && parse_limit(qa.limit, &limit) == -1)
		return reply_err(x, 400, "INVALID_PARAMETER",
		    "limit must be 1 to %d", LIST_MAX);
	if (qa.cursor && parse_cursor(qa.cursor, &created, after) == -1)
		return reply_err(x, 400, "INVALID_PARAMETER",
		    "invalid cursor");
	memset(&p, 0, sizeof(p));
	buf_init(&p.b);
	buf_adds(&p.b, "{\"items\":[");
	/* a client's own jobs run oldest first; an admin sees everyone's
	 * in the order a node takes them */
	n = x->key->admin ? qcache_page_all(x->a->qc, x->a->cfg, qa.cursor ?
	    after : NULL, limit, page_item, &p, &more) : qcache_page(x->a->qc,
	    x->key->client, created, qa.cursor ? after : NULL, limit,
	    page_item, &p, &more);
	if (n == -1) {
		buf_free(&p.b);
		log_warn("queued/");
		return reply_err(x, 500, "INTERNAL_ERROR",
		    "the queue cannot be read");
	}
	buf_addf(&p.b, "],\"count\":%d,\"nextCursor\":", n);
	if (more)
		buf_addf(&p.b, "\"%" PRId64 "~%s\"", p.last_created,
		    p.last_id);
	else
		buf_adds(&p.b, "null");
	buf_addc(&p.b, '}');
	return reply_json(x, 200, &p.b);
}

/* ------------------------------------------------------------ download */

/* send_zip - the zip of job j (COMPLETED) from fd, whole or a range */
static enum MHD_Result
send_zip(struct rctx *x, const struct job *j, int fd, const struct stat *st)
{
	struct MHD_Response *resp;
	uint64_t size = (uint64_t)st->st_size, from = 0, to = 0;
	char etag[80], cd[ID_MAX + TYPE_MAX + 48], cr[80];
	const char *h;
	unsigned status = 200;
	int r = 0;

	snprintf(etag, sizeof(etag), "\"%jx-%jx-%jx%09ld\"",
	    (uintmax_t)st->st_ino, (uintmax_t)st->st_size,
	    (uintmax_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	h = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (h && parse_etag_match(h, etag)) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
		if (resp == NULL)
			return MHD_NO;
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
		return reply(x, 304, NULL, NULL, resp);
	}
	h = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_RANGE);
	if (h) {
		const char *ir = MHD_lookup_connection_value(x->c,
		    MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_RANGE);

		if (ir == NULL || strcmp(ir, etag) == 0)
			r = parse_range(h, size, &from, &to);
	}
	if (r == -1) {
		close(fd);
		snprintf(cr, sizeof(cr), "bytes */%ju", (uintmax_t)size);
		return reply_errx(x, 416, "RANGE_NOT_SATISFIABLE", NULL,
		    MHD_HTTP_HEADER_CONTENT_RANGE, cr,
		    "the range is outside the file");
	}
	if (r == 1) {
		status = 206;
		snprintf(cr, sizeof(cr), "bytes %ju-%ju/%ju", (uintmax_t)from,
		    (uintmax_t)to, (uintmax_t)size);
	} else {
		from = 0;
		to = size ? size - 1 : 0;
	}
	resp = MHD_create_response_from_fd_at_offset64(size ? to - from + 1 :
	    0, fd, from);
	if (resp == NULL) {
		close(fd);
		return MHD_NO;
	}
	if (status == 206)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE,
		    cr);
	snprintf(cd, sizeof(cd), "attachment; filename=\"%s-%s.zip\"",
	    j->type, j->id);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, cd);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	x->r->bytes = x->head ? 0 : (size ? to - from + 1 : 0);
	return reply(x, status, NULL, "application/zip", resp);
}

enum MHD_Result
h_download(struct rctx *x)
{
	enum MHD_Result ret;
	char path[4096];
	struct stat st;
	struct job j;
	int fd;

	job_init(&j);
	if (load_own(x, &j, ST_COMPLETED, NULL, &ret) == -1)
		goto out;
	fd = -1;
	if (spool_zip_path(&x->a->sp, path, sizeof(path), j.id) == -1 ||
	    (fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (fd != -1)
			close(fd);
		ret = reply_err(x, 404, "NOT_FOUND", "the result of job %s "
		    "is gone", j.id);
		goto out;
	}
	ret = send_zip(x, &j, fd, &st);
out:
	job_free(&j);
	return ret;
}

/* ------------------------------------------------------------ health */

/* health_node - one live node into the /healthz body's list */
static void
health_node(const char *name, void *arg)
{
	struct buf *b = arg;

	if (b->p[b->len - 1] != '[')
		buf_addc(b, ',');
	view_str(b, name);
}

/* h_healthz - ready: the spool writable (a file made in tmp/, the
 * server's clock) and at least one node's heartbeat live by node.c's
 * lease rule; 503 with Retry-After and the reason otherwise */
enum MHD_Result
h_healthz(struct rctx *x)
{
	struct buf b;
	int n;

	buf_init(&b);
	buf_adds(&b, "{\"status\":\"ok\",\"nodes\":[");
	n = node_live(&x->a->sp, x->a->cfg->lease_ms, health_node, &b);
	if (n == -1) {
		buf_free(&b);
		log_warn("healthz: the spool");
		return reply_errx(x, 503, "SPOOL_UNAVAILABLE", NULL,
		    "Retry-After", "10", "the spool is not writable: %s",
		    strerror(errno));
	}
	if (n == 0) {
		buf_free(&b);
		return reply_errx(x, 503, "NO_LIVE_NODE", NULL, "Retry-After",
		    "10", "no xspoold has a live heartbeat in nodes/: jobs "
		    "are queued but not run");
	}
	buf_adds(&b, "]}");
	return reply_json(x, 200, &b);
}

/* h_livez - the server answers: 200 while it runs, whatever the spool */
enum MHD_Result
h_livez(struct rctx *x)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "{\"status\":\"ok\"}");
	return reply_json(x, 200, &b);
}
