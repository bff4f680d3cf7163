/* api.c - the REST shim: libmicrohttpd daemons, the route table, keys,
 * rate limits, and the handlers that map the export API onto spool calls.
 * It holds no state of its own beyond caches and counters. */
#include <sys/stat.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "xspool.h"

#define MAX_LISTEN	8
#define BODY_MAX	(64 * 1024)	/* the API takes no body: a bound */
#define DISCARD_MAX	(16 * 1024 * 1024)	/* read and drop up to this */
#define URL_MAX		8192
#define POOL_MIN	(32 * 1024)	/* per connection: URL and headers (MHD
				 * zeroes it per request: not larger) */
#define LIST_DEFAULT	100
#define LIST_MAX	1000
#define API_PARAMS_MAX	32
#define API_VALUE_MAX	1024
#define IDEM_MAX	255
#define IDEM_TTL_MS	(24LL * 3600 * 1000)
#define JOBS_CACHE_MS	1000
#define NBUCKETS	14
#define NJBUCKETS	10
#define JS_DELAY_MS	5000	/* a job is counted this long after it ended */
#define LOC_SLOTS	1024	/* where jobs were last seen (job_lookup) */
#define KEEP_MAX	4096	/* status answers kept up to this size */
#define LOG_MAX		(4 * 1024 * 1024)	/* log lines not yet written */
#define LOG_GATHER_NS	10000000	/* the log writer lets lines gather */

static const double buckets[NBUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5, 5, 10
};
static const double jbuckets[NJBUCKETS] = {
	0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600
};

/* per connection: set by the unescape callback, read per request */
struct conn_ctx {
	int	 bad_escape;
};

/* per request, from the first handler call to the completed callback */
struct req {
	char	 id[40];
	struct timespec t0;		/* CLOCK_MONOTONIC */
	unsigned status;
	uint64_t bytes;
	char	 keyid[33];
	char	 method[16];
	char	*path;
	char	 peer[INET6_ADDRSTRLEN];
	size_t	 body;
	int	 bad_escape;
};

/* what tells the versions of a file apart */
struct fid {
	int		 valid;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtim, ctim;
};

/* where a job was last found: its state directory (and node); and the
 * status answer made from that file as it was then (body NULL: none) */
struct loc {
	char	 id[ID_MAX + 1];
	int	 st;
	char	 node[NODE_MAX + 1];
	struct fid fid;
	char	*client;
	char	*body;
	size_t	 blen;
};

/* the access log: request threads add lines, one thread writes them */
struct alog {
	pthread_mutex_t	 mtx;
	pthread_cond_t	 more;		/* lines to write, or stop */
	pthread_cond_t	 room;		/* b is below LOG_MAX again */
	struct buf	 b;
	int		 stop;
	int		 running;
	pthread_t	 th;
};

struct idem {
	char	*client;
	char	*key;
	char	*hash;
	char	 id[ID_MAX + 1];
	int64_t	 at;
};

struct metrics {
	pthread_mutex_t	 mtx;
	uint64_t	 codes[600];
	uint64_t	 hist[NBUCKETS];
	uint64_t	 count;
	double		 sum;
	uint64_t	 submitted;
	int64_t		 jobs_at;	/* mono_ms() of the last count */
	uint64_t	 jobs[NSTATES];
	/* jobs that ended (completed/, cancelled/) since the start */
	int64_t		 js_mark;	/* now_ms() - JS_DELAY_MS, last pass */
	uint64_t	 js_ended[NSTATES];
	uint64_t	 js_attempts;
	uint64_t	 js_hist[NJBUCKETS];
	uint64_t	 js_count;
	double		 js_sum;
};

struct api {
	pthread_rwlock_t  lock;		/* cfg and keys; write: SIGHUP */
	struct config	*cfg;
	struct keys	*keys;
	struct spool	 sp;
	struct qcache	*qc;
	struct ratelimit *rl;
	struct MHD_Daemon *d[MAX_LISTEN];
	int		 nd;
	int		 logfd;		/* access log, -1: none */
	char		*tls_cert, *tls_key;	/* PEM text */
	pthread_mutex_t	 submit_mtx;	/* check-then-submit, idem map */
	struct idem	*idem;
	size_t		 nidem;
	struct metrics	 m;
	atomic_int	 inflight;	/* requests begun and not completed */
	char		 rid[9];	/* request ids: this random prefix */
	atomic_uint	 nrid;		/* and a counter */
	pthread_t	 warm;		/* builds the queued/ index at start */
	int		 warming;
	pthread_mutex_t	 loc_mtx;
	struct loc	*loc;		/* LOC_SLOTS, by hash of the id */
	struct alog	 lg;
};

/* what a handler gets */
struct rctx {
	struct api	*a;
	struct MHD_Connection *c;
	struct req	*r;
	const char	*arg;		/* the {type} or {id} of the path */
	int		 head;
	const struct apikey *key;	/* NULL on unauthenticated routes */
};

typedef enum MHD_Result (*handler_fn)(struct rctx *);

static enum MHD_Result h_identity(struct rctx *);
static enum MHD_Result h_submit(struct rctx *);
static enum MHD_Result h_status(struct rctx *);
static enum MHD_Result h_queued(struct rctx *);
static enum MHD_Result h_download(struct rctx *);
static enum MHD_Result h_cancel(struct rctx *);
static enum MHD_Result h_healthz(struct rctx *);
static enum MHD_Result h_metrics(struct rctx *);

#define R_AUTH	1	/* needs X-Api-Key */
#define R_ARG	2	/* prefix, then one path segment */

static const struct route {
	const char	*method;
	const char	*path;
	int		 flags;
	handler_fn	 fn;
} routes[] = {
	{ "GET", "/api/v1/Identity", R_AUTH, h_identity },
	{ "POST", "/api/v1/ExportRequest/", R_AUTH | R_ARG, h_submit },
	{ "GET", "/api/v1/ExportResult/Status/", R_AUTH | R_ARG, h_status },
	{ "GET", "/api/v1/ExportResult/Queued", R_AUTH, h_queued },
	{ "GET", "/api/v1/ExportResult/Download/", R_AUTH | R_ARG,
	    h_download },
	{ "DELETE", "/api/v1/ExportRequest/Cancel/", R_AUTH | R_ARG,
	    h_cancel },
	{ "GET", "/healthz", 0, h_healthz },
	{ "GET", "/metrics", 0, h_metrics },
};
#define NROUTES	(sizeof(routes) / sizeof(routes[0]))

/* ------------------------------------------------------------ replies */

/* body_resp - a response that takes body; its length for the log */
static struct MHD_Response *
body_resp(struct rctx *x, struct buf *body)
{
	size_t len = body->len;

	x->r->bytes = x->head ? 0 : len;
	return MHD_create_response_from_buffer(len, buf_steal(body),
	    MHD_RESPMEM_MUST_FREE);
}

/* reply - queue body (taken) with the headers every answer carries */
static enum MHD_Result
reply(struct rctx *x, unsigned status, struct buf *body, const char *ctype,
    struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (resp == NULL && (resp = body_resp(x, body)) == NULL)
		return MHD_NO;
	if (ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    ctype);
	MHD_add_response_header(resp, "X-Request-Id", x->r->id);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	x->r->status = status;
	ret = MHD_queue_response(x->c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
reply_json(struct rctx *x, unsigned status, struct buf *body)
{
	buf_addc(body, '\n');
	return reply(x, status, body, "application/json", NULL);
}

/* api_errx - {"Code", "Message"} plus extra members (JSON text or NULL)
 * and one more header (or NULL) */
static enum MHD_Result
api_errx(struct rctx *x, unsigned status, const char *code, const char *extra,
    const char *hname, const char *hval, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static enum MHD_Result
api_errx(struct rctx *x, unsigned status, const char *code, const char *extra,
    const char *hname, const char *hval, const char *fmt, ...)
{
	struct MHD_Response *resp;
	char msg[ERRLEN];
	struct buf b;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_init(&b);
	buf_adds(&b, "{\"Code\":");
	json_quote(&b, code, strlen(code));
	buf_adds(&b, ",\"Message\":");
	json_quote(&b, msg, strlen(msg));
	if (extra) {
		buf_addc(&b, ',');
		buf_adds(&b, extra);
	}
	buf_adds(&b, "}\n");
	if ((resp = body_resp(x, &b)) == NULL)
		return MHD_NO;
	if (hname)
		MHD_add_response_header(resp, hname, hval);
	return reply(x, status, NULL, "application/json", resp);
}

#define api_err(x, status, code, ...) \
	api_errx(x, status, code, NULL, NULL, NULL, __VA_ARGS__)

/* ------------------------------------------------------------ JSON bits */

static void
j_str(struct buf *b, const char *s)
{
	if (s)
		json_quote(b, s, strlen(s));
	else
		buf_adds(b, "null");
}

static void
j_time(struct buf *b, int64_t ms)
{
	char t[32];

	if (ms)
		buf_addf(b, "\"%s\"", fmt_time(ms, t));
	else
		buf_adds(b, "null");
}

static void
j_tristate(struct buf *b, int v)
{
	buf_adds(b, v < 0 ? "null" : v ? "true" : "false");
}

/* j_result - the result object of a status answer */
static void
j_result(struct buf *b, const struct result *res)
{
	size_t i;

	if (!res->present) {
		buf_adds(b, "null");
		return;
	}
	buf_addf(b, "{\"success\":%s,\"errors\":[",
	    res->success ? "true" : "false");
	for (i = 0; i < res->nerrors; i++) {
		if (i)
			buf_addc(b, ',');
		j_str(b, res->errors[i]);
	}
	buf_addf(b, "],\"durationMs\":%" PRId64 ",\"fileSizeBytes\":%" PRId64
	    ",\"callbackSent\":", res->duration_ms, res->file_size);
	j_tristate(b, res->callback_sent);
	buf_adds(b, ",\"notifyEmailSent\":");
	j_tristate(b, res->email_sent);
	buf_adds(b, ",\"fileName\":");
	j_str(b, res->file_name);
	buf_addf(b, ",\"records\":%" PRId64 "}", res->records);
}

/* j_head - the members every job answer opens with, up to "status" */
static void
j_head(struct buf *b, const char *id, const char *type, enum format f)
{
	buf_adds(b, "{\"id\":");
	j_str(b, id);
	buf_adds(b, ",\"exportType\":");
	j_str(b, type);
	buf_adds(b, ",\"format\":");
	j_str(b, format_name(f ? f : FMT_JSON));
	buf_adds(b, ",\"status\":");
}

/* j_queued - a QUEUED job as the submit answer (and its replay for an
 * Idempotency-Key) and the listing give it */
static void
j_queued(struct buf *b, const char *id, const char *type, enum format f,
    int64_t created)
{
	j_head(b, id, type, f);
	buf_adds(b, "\"QUEUED\",\"created\":");
	j_time(b, created);
	buf_addc(b, '}');
}

/* j_job - the status answer: every field, never the password */
static void
j_job(struct buf *b, const struct job *j, enum state st)
{
	j_head(b, j->id, j->type, j->format);
	j_str(b, state_name(st));
	buf_adds(b, ",\"created\":");
	j_time(b, j->created);
	buf_adds(b, ",\"started\":");
	j_time(b, j->started);
	buf_adds(b, ",\"finished\":");
	j_time(b, j->finished);
	buf_addf(b, ",\"attempts\":%d,\"progress\":", j->attempts);
	if (j->has_progress)
		buf_addf(b, "{\"records\":%" PRId64 ",\"bytes\":%" PRId64 "}",
		    j->progress_records, j->progress_bytes);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"result\":");
	j_result(b, &j->result);
	buf_addc(b, '}');
}

/* ------------------------------------------------------------ auth */

/* rate_error - 429 with RetryAfterSeconds and Retry-After */
static enum MHD_Result
rate_error(struct rctx *x, int retry)
{
	char ra[16], extra[48];

	snprintf(ra, sizeof(ra), "%d", retry);
	snprintf(extra, sizeof(extra), "\"RetryAfterSeconds\":%d", retry);
	return api_errx(x, 429, "RATE_LIMIT_EXCEEDED", extra, "Retry-After",
	    ra, "over %d requests a minute", x->a->cfg->rate);
}

/* auth - check X-Api-Key; 0 with x->key set, or -1 with the error queued
 * in *ret */
static int
auth(struct rctx *x, enum MHD_Result *ret)
{
	const union MHD_ConnectionInfo *ci;
	const struct apikey *k;
	char keyid[64];
	const char *h, *dot;
	int retry;

	h = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, "X-Api-Key");
	if (h == NULL || *h == '\0') {
		*ret = api_err(x, 400, "MISSING_API_KEY",
		    "the X-Api-Key header is missing");
		return -1;
	}
	dot = strchr(h, '.');
	if ((dot ? (size_t)(dot - h) : strlen(h)) >= sizeof(keyid))
		goto invalid;
	snprintf(keyid, sizeof(keyid), "%.*s",
	    (int)(dot ? (size_t)(dot - h) : strlen(h)), h);
	if ((k = keys_find(x->a->keys, keyid)) == NULL)
		goto invalid;
	snprintf(x->r->keyid, sizeof(x->r->keyid), "%s", k->keyid);
	if (dot == NULL || dot[1] == '\0') {
		*ret = api_err(x, 401, "SECRET_REQUIRED",
		    "the key must be given as KeyId.Secret");
		return -1;
	}
	if (!keys_secret_ok(k, dot + 1)) {
		*ret = api_err(x, 401, "INVALID_SECRET", "wrong secret");
		return -1;
	}
	if (k->disabled) {
		*ret = api_err(x, 401, "API_KEY_DISABLED",
		    "this key is disabled");
		return -1;
	}
	ci = MHD_get_connection_info(x->c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || !keys_addr_ok(k, ci->client_addr)) {
		*ret = api_err(x, 403, "IP_NOT_AUTHORIZED",
		    "this key may not be used from %s", x->r->peer);
		return -1;
	}
	if (!rl_take(x->a->rl, k->keyid, x->a->cfg->rate, mono_ms(), &retry)) {
		*ret = rate_error(x, retry);
		return -1;
	}
	x->key = k;
	return 0;
invalid:
	*ret = api_err(x, 401, "INVALID_API_KEY", "unknown API key");
	return -1;
}

/* visible - may the key see a job of client? */
static int
visible(const struct rctx *x, const char *client)
{
	if (x->key->admin)
		return 1;
	return client != NULL && strcmp(client, x->key->client) == 0;
}

static void
fid_set(struct fid *f, const struct stat *sb)
{
	f->valid = 1;
	f->dev = sb->st_dev;
	f->ino = sb->st_ino;
	f->size = sb->st_size;
	f->mtim = sb->st_mtim;
	f->ctim = sb->st_ctim;
}

static int
fid_same(const struct fid *f, const struct stat *sb)
{
	return f->valid && f->dev == sb->st_dev && f->ino == sb->st_ino &&
	    f->size == sb->st_size && f->mtim.tv_sec == sb->st_mtim.tv_sec &&
	    f->mtim.tv_nsec == sb->st_mtim.tv_nsec &&
	    f->ctim.tv_sec == sb->st_ctim.tv_sec &&
	    f->ctim.tv_nsec == sb->st_ctim.tv_nsec;
}

/* loc_slot - the slot of id (FNV-1a) */
static struct loc *
loc_slot(struct api *a, const char *id)
{
	uint32_t h = 2166136261u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return &a->loc[h % LOC_SLOTS];
}

/* loc_forget - drop the answer kept in l.  Under loc_mtx. */
static void
loc_forget(struct loc *l)
{
	free(l->client);
	free(l->body);
	l->client = l->body = NULL;
	l->fid.valid = 0;
}

/* job_lookup - spool_load, but first where the job was last found: one
 * open instead of a stat per state directory and a scan of processing/.
 * A rename moves a job file whole, so a file found there is the job's
 * current state; when it is gone, spool_load looks everywhere.  *fid is
 * set (from a stat before the read) when the file read is the one at the
 * remembered place. */
static int
job_lookup(struct api *a, const char *id, struct job *j, struct fid *fid,
    char *err, size_t errlen)
{
	char path[4096], node[NODE_MAX + 1];
	struct loc *l = loc_slot(a, id);
	struct stat sb;
	int st = -1;

	fid->valid = 0;
	pthread_mutex_lock(&a->loc_mtx);
	if (strcmp(l->id, id) == 0) {
		st = l->st;
		memcpy(node, l->node, sizeof(node));
	}
	pthread_mutex_unlock(&a->loc_mtx);
	if (st != -1 && spool_path(&a->sp, path, sizeof(path),
	    (enum state)st, node, id) == 0 && stat(path, &sb) == 0 &&
	    spool_read(path, j, err, errlen) == 0) {
		/* the stat is older than the read: a file changed in
		 * between only makes the kept answer look out of date */
		fid_set(fid, &sb);
		return st;
	}
	job_free(j);
	job_init(j);
	st = spool_load(&a->sp, id, j, node, err, errlen);
	pthread_mutex_lock(&a->loc_mtx);
	loc_forget(l);
	if (st == -1)
		l->id[0] = '\0';
	else {
		snprintf(l->id, sizeof(l->id), "%s", id);
		l->st = st;
		memcpy(l->node, node, sizeof(l->node));
	}
	pthread_mutex_unlock(&a->loc_mtx);
	return st;
}

/* status_keep - keep the status answer b of job id in state st, made from
 * the file fid names, for status_kept */
static void
status_keep(struct api *a, const char *id, int st, const struct fid *fid,
    const char *client, const struct buf *b)
{
	struct loc *l = loc_slot(a, id);

	pthread_mutex_lock(&a->loc_mtx);
	if (strcmp(l->id, id) == 0 && l->st == st) {
		loc_forget(l);
		l->fid = *fid;
		l->client = client ? xstrdup(client) : NULL;
		l->body = xmalloc(b->len);
		memcpy(l->body, b->p, b->len);
		l->blen = b->len;
	}
	pthread_mutex_unlock(&a->loc_mtx);
}

/* status_kept - answer GET Status/{id} with the kept answer when its file
 * is still the one it was made from (one stat(2)); 0 when not */
static int
status_kept(struct rctx *x, enum MHD_Result *ret)
{
	struct api *a = x->a;
	char path[4096], node[NODE_MAX + 1], *client = NULL;
	struct loc *l = loc_slot(a, x->arg);
	struct stat sb;
	struct fid f;
	struct buf b;
	int st = -1, mine;

	buf_init(&b);
	pthread_mutex_lock(&a->loc_mtx);
	if (l->body != NULL && strcmp(l->id, x->arg) == 0) {
		st = l->st;
		memcpy(node, l->node, sizeof(node));
		f = l->fid;
		client = l->client ? xstrdup(l->client) : NULL;
		buf_add(&b, l->body, l->blen);
	}
	pthread_mutex_unlock(&a->loc_mtx);
	if (st == -1 || spool_path(&a->sp, path, sizeof(path),
	    (enum state)st, node, x->arg) == -1 || stat(path, &sb) == -1 ||
	    !fid_same(&f, &sb)) {
		free(client);
		buf_free(&b);
		return 0;
	}
	mine = visible(x, client);
	free(client);
	if (!mine) {
		buf_free(&b);
		*ret = api_err(x, 404, "NOT_FOUND", "no such job");
	} else
		*ret = reply(x, 200, &b, "application/json", NULL);
	return 1;
}

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
		*ret = api_err(x, 400, "INVALID_PARAMETER", "invalid job id");
		return -1;
	}
	if ((st = job_lookup(x->a, x->arg, j, fid ? fid : &f, err,
	    sizeof(err))) == -1) {
		if (errno == ENOENT)
			*ret = api_err(x, 404, "NOT_FOUND", "no such job");
		else {
			log_warnx("job %s: %s", x->arg, err);
			*ret = api_err(x, 500, "INTERNAL_ERROR",
			    "the job cannot be read");
		}
		return -1;
	}
	if (!visible(x, j->client)) {
		*ret = api_err(x, 404, "NOT_FOUND", "no such job");
		return -1;
	}
	if (want != -1 && st != want) {
		*ret = api_err(x, 404, "NOT_FOUND", "job %s is %s, not %s",
		    j->id, state_name((enum state)st),
		    state_name((enum state)want));
		return -1;
	}
	return st;
}

/* ------------------------------------------------------------ handlers */

static enum MHD_Result
h_identity(struct rctx *x)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "{\"keyId\":");
	j_str(&b, x->key->keyid);
	buf_adds(&b, ",\"client\":");
	j_str(&b, x->key->client);
	buf_addf(&b, ",\"admin\":%s,\"rights\":[\"submit\",\"status\","
	    "\"list\",\"download\",\"cancel\"%s]}",
	    x->key->admin ? "true" : "false",
	    x->key->admin ? ",\"admin\"" : "");
	return reply_json(x, 200, &b);
}

static enum MHD_Result
h_status(struct rctx *x)
{
	enum MHD_Result ret;
	struct fid fid;
	struct job j;
	struct buf b;
	int st;

	if (id_valid(x->arg) && status_kept(x, &ret))
		return ret;
	job_init(&j);
	if ((st = load_own(x, &j, -1, &fid, &ret)) == -1)
		goto out;
	buf_init(&b);
	j_job(&b, &j, (enum state)st);
	buf_addc(&b, '\n');
	if (fid.valid && b.len <= KEEP_MAX)
		status_keep(x->a, j.id, st, &fid, j.client, &b);
	ret = reply(x, 200, &b, "application/json", NULL);
out:
	job_free(&j);
	return ret;
}

static enum MHD_Result
h_cancel(struct rctx *x)
{
	enum MHD_Result ret;
	struct job j;
	struct buf b;
	int notify;

	job_init(&j);
	if (load_own(x, &j, ST_QUEUED, NULL, &ret) == -1)
		goto out;
	job_cancel_user(&j, now_ms());
	notify = notifyq_prepare(NULL, &j, ST_CANCELLED);
	if (spool_move(&x->a->sp, j.id, ST_QUEUED, NULL, ST_CANCELLED,
	    &j) == -1) {
		if (errno == ENOENT)
			ret = api_err(x, 404, "NOT_FOUND",
			    "job %s is no longer QUEUED", j.id);
		else {
			log_warn("cancel %s", j.id);
			ret = api_err(x, 500, "INTERNAL_ERROR",
			    "the job cannot be cancelled");
		}
		goto out;
	}
	/* the daemon sends the webhook and the mail */
	if (notify == 1 && notifyq_hint(&x->a->sp, j.id) == -1)
		log_warn("cancel %s: notification hint", j.id);
	buf_init(&b);
	buf_adds(&b, "{\"id\":");
	j_str(&b, j.id);
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
	j_queued(&p->b, q->id, q->type, q->format, q->created);
	p->last_created = q->created;
	memcpy(p->last_id, q->id, sizeof(p->last_id));
}

/* parse_cursor - "CREATEDMS~ID" as written by h_queued */
static int
parse_cursor(const char *s, int64_t *created, char *id)
{
	char *end;
	long long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '~' || strlen(end + 1) > ID_MAX ||
	    !id_valid(end + 1))
		return -1;
	*created = v;
	strcpy(id, end + 1);
	return 0;
}

/* parse_limit - 1..LIST_MAX in decimal */
static int
parse_limit(const char *s, size_t *limit)
{
	size_t v = 0;

	if (*s == '\0' || strlen(s) > 4)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (size_t)(*s - '0');
	}
	if (v < 1 || v > LIST_MAX)
		return -1;
	*limit = v;
	return 0;
}

struct qargs {
	const char	*limit, *cursor, *bad;
};

static enum MHD_Result
qargs_it(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	struct qargs *q = cls;

	if (strcasecmp(k, "limit") == 0 && q->limit == NULL)
		q->limit = v ? v : "";
	else if (strcasecmp(k, "cursor") == 0 && q->cursor == NULL)
		q->cursor = v ? v : "";
	else if (q->bad == NULL)
		q->bad = k;
	return MHD_YES;
}

static enum MHD_Result
h_queued(struct rctx *x)
{
	char after[ID_MAX + 1];
	struct qargs qa = { NULL, NULL, NULL };
	struct page p;
	size_t limit = LIST_DEFAULT;
	int64_t created = 0;
	int n, more;

	MHD_get_connection_values(x->c, MHD_GET_ARGUMENT_KIND, qargs_it, &qa);
	if (qa.bad)
		return api_err(x, 400, "INVALID_PARAMETER",
		    "unknown or repeated parameter %.64s", qa.bad);
	if (qa.limit && parse_limit(qa.limit, &limit) == -1)
		return api_err(x, 400, "INVALID_PARAMETER",
		    "limit must be 1 to %d", LIST_MAX);
	if (qa.cursor && parse_cursor(qa.cursor, &created, after) == -1)
		return api_err(x, 400, "INVALID_PARAMETER", "invalid cursor");
	memset(&p, 0, sizeof(p));
	buf_init(&p.b);
	buf_adds(&p.b, "{\"items\":[");
	n = qcache_page(x->a->qc, x->key->admin ? NULL : x->key->client,
	    created, qa.cursor ? after : NULL, limit, page_item, &p, &more);
	if (n == -1) {
		buf_free(&p.b);
		log_warn("queued/");
		return api_err(x, 500, "INTERNAL_ERROR",
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

/* ------------------------------------------------------------ submit */

struct sargs {
	struct job	*j;
	const char	*fmt;
	int		 nfmt, npass, nemail, ncb;
	char		 err[ERRLEN];
};

static enum MHD_Result
sargs_it(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	struct sargs *s = cls;
	size_t i;

	if (v == NULL)
		v = "";
	if (strcasecmp(k, "format") == 0) {
		s->fmt = v;
		s->nfmt++;
	} else if (strcasecmp(k, "password") == 0) {
		free(s->j->password);
		s->j->password = xstrdup(v);
		s->npass++;
	} else if (strcasecmp(k, "email") == 0) {
		free(s->j->email);
		s->j->email = xstrdup(v);
		s->nemail++;
	} else if (strcasecmp(k, "callback") == 0) {
		free(s->j->callback);
		s->j->callback = xstrdup(v);
		s->ncb++;
	} else if (!param_name_valid(k)) {
		snprintf(s->err, sizeof(s->err), "invalid parameter name "
		    "(letters, digits and _, starting with a letter, at most "
		    "64)");
		return MHD_NO;
	} else if (strlen(v) > API_VALUE_MAX) {
		snprintf(s->err, sizeof(s->err), "parameter %s: value over "
		    "%d bytes", k, API_VALUE_MAX);
		return MHD_NO;
	} else {
		for (i = 0; i < s->j->nparams; i++)
			if (strcmp(s->j->params[i].name, k) == 0) {
				snprintf(s->err, sizeof(s->err),
				    "parameter %s given twice", k);
				return MHD_NO;
			}
		if (s->j->nparams == API_PARAMS_MAX) {
			snprintf(s->err, sizeof(s->err), "more than %d "
			    "parameters", API_PARAMS_MAX);
			return MHD_NO;
		}
		job_set_param(s->j, k, v);
	}
	return MHD_YES;
}

/* idem_ok - Idempotency-Key: 1 to 255 printable ASCII characters */
static int
idem_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > IDEM_MAX)
		return 0;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

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

/* idem_lookup - the job id first answered for (client, key); 1 or 0;
 * expired entries are dropped on the way.  Under submit_mtx. */
static int
idem_lookup(struct api *a, const char *client, const char *key, char *id,
    char **hash)
{
	int64_t now = now_ms();
	size_t i = 0;

	while (i < a->nidem) {
		struct idem *e = &a->idem[i];

		if (now - e->at > IDEM_TTL_MS) {
			free(e->client);
			free(e->key);
			free(e->hash);
			a->idem[i] = a->idem[--a->nidem];
			continue;
		}
		if (strcmp(e->client, client) == 0 &&
		    strcmp(e->key, key) == 0) {
			memcpy(id, e->id, sizeof(e->id));
			*hash = e->hash;
			return 1;
		}
		i++;
	}
	return 0;
}

static void
idem_add(struct api *a, const struct job *j)
{
	struct idem *e;

	a->idem = xreallocarray(a->idem, a->nidem + 1, sizeof(*a->idem));
	e = &a->idem[a->nidem++];
	e->client = xstrdup(j->client);
	e->key = xstrdup(j->idempotency_key);
	e->hash = xstrdup(j->request_hash);
	memcpy(e->id, j->id, sizeof(e->id));
	e->at = now_ms();
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
		return api_err(x, 422, "IDEMPOTENCY_KEY_REUSED", "this "
		    "Idempotency-Key was used for a different request");
	job_init(&j);
	if (spool_load(&x->a->sp, id, &j, NULL, err, sizeof(err)) == -1) {
		job_free(&j);
		return api_err(x, 422, "IDEMPOTENCY_KEY_REUSED", "this "
		    "Idempotency-Key was used for job %s, which is gone", id);
	}
	if (j.request_hash && strcmp(j.request_hash, nj->request_hash) != 0) {
		job_free(&j);
		return api_err(x, 422, "IDEMPOTENCY_KEY_REUSED", "this "
		    "Idempotency-Key was used for a different request");
	}
	buf_init(&b);
	j_queued(&b, j.id, j.type, j.format, j.created);
	ret = reply_json(x, 200, &b);
	job_free(&j);
	return ret;
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
		return api_errx(x, 409, "EXPORT_DUPLICATE", extra, NULL, NULL,
		    "the same export is already queued or running as job %s",
		    id);
	}
	if (spool_has_room(&a->sp, a->cfg->min_free) == 0)
		goto full;
	if (spool_submit(&a->sp, j, a->cfg->min_free, err,
	    sizeof(err)) == -1) {
		if (errno == ENOSPC)
			goto full;
		log_warnx("submit: %s", err);
		return api_err(x, 500, "INTERNAL_ERROR",
		    "the job cannot be queued");
	}
	if (j->idempotency_key)
		idem_add(a, j);
	pthread_mutex_lock(&a->m.mtx);
	a->m.submitted++;
	pthread_mutex_unlock(&a->m.mtx);
	buf_init(&b);
	j_queued(&b, j->id, j->type, j->format, j->created);
	return reply_json(x, 200, &b);
full:
	return api_err(x, 503, "SPOOL_FULL", "the spool is short of space; "
	    "try again later");
}

static enum MHD_Result
h_submit(struct rctx *x)
{
	const char *code, *h;
	char err[ERRLEN];
	struct sargs s;
	struct job j;
	enum MHD_Result ret;

	if (!type_valid(x->arg) || config_type(x->a->cfg, x->arg) == NULL)
		return api_err(x, 404, "UNKNOWN_EXPORT_TYPE",
		    "unknown export type");
	job_init(&j);
	j.type = xstrdup(x->arg);
	j.client = xstrdup(x->key->client);
	memset(&s, 0, sizeof(s));
	s.j = &j;
	MHD_get_connection_values(x->c, MHD_GET_ARGUMENT_KIND, sargs_it, &s);
	if (s.err[0]) {
		ret = api_err(x, 400, "INVALID_PARAMETER", "%s", s.err);
		goto out;
	}
	if (s.nfmt > 1 || s.npass > 1 || s.nemail > 1 || s.ncb > 1) {
		ret = api_err(x, 400, "INVALID_PARAMETER",
		    "a parameter is given twice");
		goto out;
	}
	if (s.fmt && (j.format = format_parse(s.fmt)) == FMT_NONE) {
		ret = api_err(x, 400, "UNSUPPORTED_FORMAT",
		    "format must be JSON or CSV");
		goto out;
	}
	h = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND,
	    "X-Export-Password");
	if (h && s.npass) {
		ret = api_err(x, 400, "INVALID_PARAMETER", "the password is "
		    "given both in the query and in X-Export-Password");
		goto out;
	}
	if (h)
		j.password = xstrdup(h);
	h = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND,
	    "Idempotency-Key");
	if (h && !idem_ok(h)) {
		ret = api_err(x, 400, "INVALID_PARAMETER", "Idempotency-Key "
		    "must be 1 to %d printable ASCII characters", IDEM_MAX);
		goto out;
	}
	if (h)
		j.idempotency_key = xstrdup(h);
	if (job_validate(x->a->cfg, &j, &code, err, sizeof(err)) == -1) {
		ret = api_err(x, strcmp(code, "UNKNOWN_EXPORT_TYPE") == 0 ?
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

/* ------------------------------------------------------------ download */

/* parse_range - a single "bytes=A-B", "bytes=A-" or "bytes=-N" range of
 * size: 1 with [*from, *to], 0 to ignore the header (malformed or several
 * ranges: the whole file), -1 when unsatisfiable */
static int
parse_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
	unsigned long long a, b;
	char *end;

	if (strncasecmp(h, "bytes=", 6) != 0 || strchr(h, ','))
		return 0;
	h += 6;
	while (*h == ' ')
		h++;
	if (*h == '-') {
		if (!isdigit((unsigned char)h[1]))
			return 0;
		errno = 0;
		b = strtoull(h + 1, &end, 10);
		if (errno || *end)
			return 0;
		if (b == 0 || size == 0)
			return -1;
		*from = b >= size ? 0 : size - b;
		*to = size - 1;
		return 1;
	}
	if (!isdigit((unsigned char)*h))
		return 0;
	errno = 0;
	a = strtoull(h, &end, 10);
	if (errno || *end != '-')
		return 0;
	h = end + 1;
	if (*h == '\0')
		b = size ? size - 1 : 0;
	else {
		if (!isdigit((unsigned char)*h))
			return 0;
		b = strtoull(h, &end, 10);
		if (errno || *end || b < a)
			return 0;
	}
	if (a >= size)
		return -1;
	*from = a;
	*to = b >= size ? size - 1 : b;
	return 1;
}

/* etag_match - does an If-None-Match / If-Range list name our tag? */
static int
etag_match(const char *h, const char *tag)
{
	size_t n = strlen(tag);
	const char *p;

	if (strcmp(h, "*") == 0)
		return 1;
	for (p = h; (p = strstr(p, tag)) != NULL; p += n)
		return 1;
	return 0;
}

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
	if (h && etag_match(h, etag)) {
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
		return api_errx(x, 416, "RANGE_NOT_SATISFIABLE", NULL,
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

static enum MHD_Result
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
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (fd != -1)
			close(fd);
		ret = api_err(x, 404, "NOT_FOUND", "the result of job %s is "
		    "gone", j.id);
		goto out;
	}
	ret = send_zip(x, &j, fd, &st);
out:
	job_free(&j);
	return ret;
}

/* ------------------------------------------------------------ health */

static enum MHD_Result
h_healthz(struct rctx *x)
{
	char path[4096];
	struct buf b;
	int fd;

	if ((fd = spool_tmpfile(&x->a->sp, path, sizeof(path),
	    "healthz")) == -1) {
		log_warn("healthz: cannot create a file in the spool");
		return api_err(x, 503, "SPOOL_UNAVAILABLE", "the spool is not "
		    "writable: %s", strerror(errno));
	}
	close(fd);
	unlink(path);
	buf_init(&b);
	buf_adds(&b, "{\"status\":\"ok\"}");
	return reply_json(x, 200, &b);
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

static enum MHD_Result
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
	return reply(x, 200, &b, "text/plain; version=0.0.4; charset=utf-8",
	    NULL);
}

/* ------------------------------------------------------------ dispatch */

/* path_match - does path fit route r?  Sets *arg for R_ARG routes. */
static int
path_match(const struct route *r, const char *path, const char **arg)
{
	size_t n = strlen(r->path);

	if (!(r->flags & R_ARG))
		return strcasecmp(path, r->path) == 0;
	if (strncasecmp(path, r->path, n) != 0 || path[n] == '\0' ||
	    strchr(path + n, '/') != NULL)
		return 0;
	*arg = path + n;
	return 1;
}

/* not_allowed - 405 with Allow listing the methods of path's routes */
static enum MHD_Result
not_allowed(struct rctx *x, const char *path)
{
	enum MHD_Result ret;
	const char *arg;
	struct buf allow;
	size_t i;

	buf_init(&allow);
	for (i = 0; i < NROUTES; i++) {
		if (!path_match(&routes[i], path, &arg))
			continue;
		if (allow.len)
			buf_adds(&allow, ", ");
		buf_adds(&allow, routes[i].method);
		if (strcmp(routes[i].method, "GET") == 0)
			buf_adds(&allow, ", HEAD");
	}
	ret = api_errx(x, 405, "METHOD_NOT_ALLOWED", NULL,
	    MHD_HTTP_HEADER_ALLOW, allow.p, "use %s", allow.p);
	buf_free(&allow);
	return ret;
}

struct hsize {
	size_t	 n;
};

static enum MHD_Result
hsize_it(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	((struct hsize *)cls)->n += strlen(k) + (v ? strlen(v) : 0) + 4;
	return MHD_YES;
}

/* path_ok - no control characters once decoded */
static int
path_ok(const char *p)
{
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* dispatch - route the request and run its handler (config read-locked) */
static enum MHD_Result
dispatch(struct api *a, struct MHD_Connection *c, struct req *r,
    const char *url, const char *method)
{
	struct rctx x;
	struct hsize hs = { 0 };
	const char *arg = NULL, *m;
	int seen = 0;
	size_t i;
	enum MHD_Result ret;

	memset(&x, 0, sizeof(x));
	x.a = a;
	x.c = c;
	x.r = r;
	x.head = strcmp(method, "HEAD") == 0;
	m = x.head ? "GET" : method;
	if (strlen(url) > URL_MAX)
		return api_err(&x, 414, "URI_TOO_LONG", "the path is over %d "
		    "bytes", URL_MAX);
	if (r->bad_escape || !path_ok(url))
		return api_err(&x, 400, "INVALID_PARAMETER", "bad "
		    "percent-encoding or a control character in the URL");
	MHD_get_connection_values(c, MHD_HEADER_KIND, hsize_it, &hs);
	if ((int64_t)hs.n > a->cfg->max_header)
		return api_err(&x, 431, "HEADERS_TOO_LARGE", "the request "
		    "headers are over %" PRId64 " bytes", a->cfg->max_header);
	if (r->body > BODY_MAX)
		return api_err(&x, 413, "PAYLOAD_TOO_LARGE", "this API takes "
		    "no request body");
	for (i = 0; i < NROUTES; i++) {
		if (!path_match(&routes[i], url, &arg))
			continue;
		seen = 1;
		if (strcmp(routes[i].method, m) == 0)
			break;
	}
	if (i == NROUTES)
		return seen ? not_allowed(&x, url) :
		    api_err(&x, 404, "NOT_FOUND", "no such path");
	x.arg = arg;
	if ((routes[i].flags & R_AUTH) && auth(&x, &ret) == -1)
		return ret;
	return routes[i].fn(&x);
}

/* ------------------------------------------------------------ MHD glue */

static void
peer_name(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	snprintf(out, len, "-");
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr, out, (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr, out, (socklen_t)len);
}

/* reqid_ok - a caller's X-Request-Id we are willing to echo */
static int
reqid_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 36)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return 0;
	return 1;
}

/* req_new - the first handler call: only set up (see LIBRARY-NOTES) */
static struct req *
req_new(struct api *a, struct MHD_Connection *c, const char *url,
    const char *method)
{
	const union MHD_ConnectionInfo *ci;
	struct conn_ctx *cc;
	struct req *r = xcalloc(1, sizeof(*r));
	const char *h;

	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
	if (h && reqid_ok(h))
		snprintf(r->id, sizeof(r->id), "%s", h);
	else		/* unique per process; no getrandom() per request */
		snprintf(r->id, sizeof(r->id), "%s%08x", a->rid,
		    atomic_fetch_add(&a->nrid, 1));
	snprintf(r->method, sizeof(r->method), "%s", method);
	r->path = xstrdup(url);
	peer_name(c, r->peer, sizeof(r->peer));
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci && (cc = ci->socket_context) != NULL) {
		r->bad_escape = cc->bad_escape;
		cc->bad_escape = 0;
	}
	return r;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct api *a = cls;
	struct req *r = *con_cls;
	enum MHD_Result ret;

	if (r == NULL) {
		*con_cls = req_new(a, c, url, method);
		atomic_fetch_add(&a->inflight, 1);
		return MHD_YES;
	}
	if (*upload_size) {
		/* read to the end so that the client sees our 413 */
		r->body += *upload_size;
		*upload_size = 0;
		if (r->body <= DISCARD_MAX)
			return MHD_YES;
	}
	if (r->status)		/* answered early (body too large) */
		return MHD_YES;
	pthread_rwlock_rdlock(&a->lock);
	ret = dispatch(a, c, r, url, method);
	pthread_rwlock_unlock(&a->lock);
	return ret;
}

/* escape_path - the path for the log: no spaces, controls or non-ASCII */
static void
escape_path(struct buf *b, const char *p)
{
	for (; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch <= 0x20 || ch >= 0x7f || ch == '%' || ch == '"')
			buf_addf(b, "%%%02X", ch);
		else
			buf_addc(b, (char)ch);
	}
}

/* log_writer - the thread that writes the access log: woken by a line,
 * it lets lines gather for LOG_GATHER_NS, then writes them in one
 * write(2) (O_APPEND): under load, a hundred wake-ups and writes a
 * second, not one per request */
static void *
log_writer(void *arg)
{
	const struct timespec gather = { 0, LOG_GATHER_NS };
	struct api *a = arg;
	struct alog *lg = &a->lg;
	struct buf out, t;

	buf_init(&out);
	pthread_mutex_lock(&lg->mtx);
	for (;;) {
		while (lg->b.len == 0 && !lg->stop)
			pthread_cond_wait(&lg->more, &lg->mtx);
		if (lg->b.len == 0)
			break;
		if (!lg->stop) {
			pthread_mutex_unlock(&lg->mtx);
			nanosleep(&gather, NULL);
			pthread_mutex_lock(&lg->mtx);
		}
		t = lg->b;
		lg->b = out;
		out = t;
		pthread_cond_broadcast(&lg->room);
		pthread_mutex_unlock(&lg->mtx);
		if (a->logfd != -1)
			write_all(a->logfd, out.p, out.len);
		buf_reset(&out);
		pthread_mutex_lock(&lg->mtx);
	}
	pthread_mutex_unlock(&lg->mtx);
	buf_free(&out);
	return NULL;
}

/* log_stop - write what is left and end the writer */
static void
log_stop(struct api *a)
{
	if (!a->lg.running)
		return;
	pthread_mutex_lock(&a->lg.mtx);
	a->lg.stop = 1;
	pthread_cond_signal(&a->lg.more);
	pthread_mutex_unlock(&a->lg.mtx);
	pthread_join(a->lg.th, NULL);
	a->lg.running = 0;
}

/* log_time - fmt_time() of now, always with milliseconds; the date and
 * time formatted once a second per thread */
static void
log_time(char *out)
{
	static _Thread_local int64_t sec = -1;
	static _Thread_local char t[32];
	int64_t ms = now_ms();
	int frac = (int)(ms % 1000);

	if (ms / 1000 != sec) {
		sec = ms / 1000;
		fmt_time(sec * 1000 + 1, t);	/* with the ".001" */
	}
	memcpy(out, t, 32);	/* "YYYY-MM-DDTHH:MM:SS.mmmZ" */
	out[20] = (char)('0' + frac / 100);
	out[21] = (char)('0' + frac / 10 % 10);
	out[22] = (char)('0' + frac % 10);
}

/* access_log - one line per request; never the query string */
static void
access_log(struct api *a, const struct req *r, double secs)
{
	struct alog *lg = &a->lg;
	char ts[32];
	uint64_t us = (uint64_t)(secs * 1e6);
	struct buf b;

	if (a->logfd == -1)
		return;
	log_time(ts);
	buf_init(&b);
	buf_addf(&b, "%s %s %s %s %s ", ts, r->id, r->peer,
	    r->keyid[0] ? r->keyid : "-", r->method);
	escape_path(&b, r->path);
	buf_addf(&b, " %u %" PRIu64 " %" PRIu64 ".%03ums\n", r->status,
	    r->bytes, us / 1000, (unsigned)(us % 1000));
	if (!lg->running) {
		write_all(a->logfd, b.p, b.len);
		buf_free(&b);
		return;
	}
	pthread_mutex_lock(&lg->mtx);
	while (lg->b.len >= LOG_MAX && !lg->stop)
		pthread_cond_wait(&lg->room, &lg->mtx);
	if (lg->b.len == 0)
		pthread_cond_signal(&lg->more);
	buf_add(&lg->b, b.p, b.len);
	pthread_mutex_unlock(&lg->mtx);
	buf_free(&b);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct api *a = cls;
	struct req *r = *con_cls;
	struct timespec t1;
	double secs;
	int i;

	if (r == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - r->t0.tv_sec) +
	    (t1.tv_nsec - r->t0.tv_nsec) / 1e9;
	pthread_mutex_lock(&a->m.mtx);
	if (r->status < 600)
		a->m.codes[r->status]++;
	for (i = 0; i < NBUCKETS; i++)
		if (secs <= buckets[i]) {
			a->m.hist[i]++;
			break;
		}
	a->m.count++;
	a->m.sum += secs;
	pthread_mutex_unlock(&a->m.mtx);
	access_log(a, r, secs);
	atomic_fetch_sub(&a->inflight, 1);
	free(r->path);
	free(r);
	*con_cls = NULL;
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_context = xcalloc(1, sizeof(struct conn_ctx));
	else {
		free(*socket_context);
		*socket_context = NULL;
	}
}

/* unescape - strict %XX decoding, '+' is a space as in form encoding (and
 * in the original API's query strings; ids and types hold neither); a bad
 * or %00 escape marks the request (answered 400 by dispatch) */
static size_t
unescape(void *cls, struct MHD_Connection *c, char *s)
{
	const union MHD_ConnectionInfo *ci;
	char *rd = s, *wr = s;
	int bad = 0, hi, lo;

	while (*rd) {
		if (*rd == '%') {
			if ((hi = hex_digit((unsigned char)rd[1])) >= 0 &&
			    (lo = hex_digit((unsigned char)rd[2])) >= 0 &&
			    (hi | lo) != 0) {
				*wr++ = (char)(hi * 16 + lo);
				rd += 3;
				continue;
			}
			bad = 1;
		}
		if (*rd == '+') {
			*wr++ = ' ';
			rd++;
			continue;
		}
		*wr++ = *rd++;
	}
	*wr = '\0';
	if (bad) {
		ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		if (ci && ci->socket_context)
			((struct conn_ctx *)ci->socket_context)->bad_escape = 1;
	}
	return (size_t)(wr - s);
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[1024];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_debug("libmicrohttpd: %s", msg);
}

/* ------------------------------------------------------------ life */

/* open_log - the access log's fd: "-" is stderr, NULL none */
static int
open_log(const char *path)
{
	if (path == NULL || *path == '\0')
		return -1;
	if (strcmp(path, "-") == 0)
		return dup(2);
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

struct api *
api_new(struct config *c, struct keys *k, char *err, size_t errlen)
{
	pthread_rwlockattr_t attr;
	struct api *a = xcalloc(1, sizeof(*a));

	if (spool_open(&a->sp, c->dir, c->node, c->sync, 0, err,
	    errlen) == -1) {
		free(a);
		return NULL;
	}
	if ((a->logfd = open_log(c->access_log)) == -1 && c->access_log) {
		snprintf(err, errlen, "%s: %s", c->access_log,
		    strerror(errno));
		spool_close(&a->sp);
		free(a);
		return NULL;
	}
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&a->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	pthread_mutex_init(&a->submit_mtx, NULL);
	pthread_mutex_init(&a->m.mtx, NULL);
	pthread_mutex_init(&a->loc_mtx, NULL);
	a->loc = xcalloc(LOC_SLOTS, sizeof(*a->loc));
	pthread_mutex_init(&a->lg.mtx, NULL);
	pthread_cond_init(&a->lg.more, NULL);
	pthread_cond_init(&a->lg.room, NULL);
	buf_init(&a->lg.b);
	if (random_hex(a->rid, 4) == -1)
		snprintf(a->rid, sizeof(a->rid), "%08x", (unsigned)getpid());
	a->cfg = c;
	a->keys = k;
	a->qc = qcache_new(&a->sp);
	a->rl = rl_new();
	a->m.js_mark = now_ms() - JS_DELAY_MS;
	return a;
}

/* split_addr - "host:port" / "[v6]:port" / ":port" into host and port */
static int
split_addr(const char *s, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon, *h = s;
	size_t n;

	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':')
			return -1;
		h = s + 1;
		n = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return -1;
		n = (size_t)(colon - s);
	}
	if (n >= hlen || strlen(colon + 1) >= plen || colon[1] == '\0')
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

/* listen_one - one daemon on addr; 0 or -1 with err */
static int
listen_one(struct api *a, const char *addr, int *port, char *err,
    size_t errlen)
{
	struct MHD_OptionItem o[20];
	const union MHD_DaemonInfo *di;
	struct addrinfo hints, *res = NULL;
	struct MHD_Daemon *d;
	const struct config *c = a->cfg;
	char host[256], serv[16];
	unsigned flags, per_ip, tmo;
	size_t pool;
	int n = 0, rc;

	if (a->nd == MAX_LISTEN || split_addr(addr, host, sizeof(host), serv,
	    sizeof(serv)) == -1) {
		snprintf(err, errlen, "listen: bad address \"%s\"", addr);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(*host && strcmp(host, "*") ? host : NULL, serv,
	    &hints, &res)) != 0) {
		snprintf(err, errlen, "listen %s: %s", addr, gai_strerror(rc));
		return -1;
	}
	flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC |
	    MHD_USE_ERROR_LOG;
	if (res->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (a->tls_cert)
		flags |= MHD_USE_TLS;
	per_ip = c->max_per_ip > 0 ? c->max_per_ip : c->max_connections / 2;
	if (per_ip > (unsigned)c->max_connections)
		per_ip = (unsigned)c->max_connections;
	if (per_ip == 0)
		per_ip = 1;
	/* room for a long URL and headers, so that we answer 414 and 431
	 * in JSON ourselves */
	pool = (size_t)c->max_header * 2 + URL_MAX;
	if (pool < POOL_MIN)
		pool = POOL_MIN;
	tmo = c->request_timeout_ms >= 1000 ?
	    (unsigned)(c->request_timeout_ms / 1000) : 1;
#define OPT(k, v, p) o[n++] = (struct MHD_OptionItem){ (k), (intptr_t)(v), (p) }
	OPT(MHD_OPTION_SOCK_ADDR, 0, res->ai_addr);
	OPT(MHD_OPTION_THREAD_POOL_SIZE, c->threads > 0 ? c->threads : 1,
	    NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, c->max_connections, NULL);
	OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, tmo, NULL);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, on_completed, a);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, on_connection, a);
	OPT(MHD_OPTION_UNESCAPE_CALLBACK, unescape, a);
	OPT(MHD_OPTION_EXTERNAL_LOGGER, mhd_log, a);
	if (a->tls_cert) {
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, a->tls_cert);
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, a->tls_key);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, a,
	    MHD_OPTION_ARRAY, o, MHD_OPTION_END);
	freeaddrinfo(res);
	if (d == NULL) {
		snprintf(err, errlen, "cannot listen on %s", addr);
		return -1;
	}
	a->d[a->nd++] = d;
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (port && di)
		*port = di->port;
	fprintf(stderr, "listening on http%s://%s%s%s:%u\n",
	    a->tls_cert ? "s" : "", strchr(host, ':') ? "[" : "",
	    *host ? host : "0.0.0.0", strchr(host, ':') ? "]" : "",
	    di ? di->port : 0);
	return 0;
}

static void
warm_noop(const struct qitem *q, void *arg)
{
}

/* warm - read queued/ once in the background, so that the first listing
 * does not parse every queued job file */
static void *
warm(void *arg)
{
	struct api *a = arg;
	int more;

	qcache_page(a->qc, NULL, 0, NULL, 0, warm_noop, NULL, &more);
	return NULL;
}

int
api_start(struct api *a, int *port, char *err, size_t errlen)
{
	char *list, *s, *tok, *save = NULL;
	size_t len;
	int p, first = 1, rc = 0;

	if (a->cfg->tls_cert && a->cfg->tls_key) {
		if (read_file(a->cfg->tls_cert, 1 << 20, &a->tls_cert,
		    &len) == -1 || read_file(a->cfg->tls_key, 1 << 20,
		    &a->tls_key, &len) == -1) {
			snprintf(err, errlen, "TLS certificate or key: %s",
			    strerror(errno));
			return -1;
		}
	}
	list = xstrdup(a->cfg->listen ? a->cfg->listen : "127.0.0.1:8080");
	for (s = list; (tok = strtok_r(s, ", \t", &save)) != NULL; s = NULL) {
		if ((rc = listen_one(a, tok, &p, err, errlen)) == -1)
			break;
		if (first && port)
			*port = p;
		first = 0;
	}
	free(list);
	if (rc == 0 && a->nd == 0) {
		snprintf(err, errlen, "listen: no address");
		rc = -1;
	}
	if (rc == 0 && pthread_create(&a->warm, NULL, warm, a) == 0)
		a->warming = 1;
	if (rc == 0 && pthread_create(&a->lg.th, NULL, log_writer, a) == 0)
		a->lg.running = 1;
	return rc;
}

void
api_reload(struct api *a, struct config *c, struct keys *k)
{
	struct config *oc;
	struct keys *ok;
	int fd;

	pthread_rwlock_wrlock(&a->lock);
	oc = a->cfg;
	ok = a->keys;
	/* what the running daemons and the open spool were made from */
	free(c->listen);
	c->listen = oc->listen ? xstrdup(oc->listen) : NULL;
	c->threads = oc->threads;
	a->cfg = c;
	a->keys = k;
	pthread_rwlock_unlock(&a->lock);
	if (strcmp(oc->dir, c->dir) != 0)
		log_warnx("reload: a new spool dir needs a restart; "
		    "still serving %s", a->sp.dir);
	if ((fd = open_log(c->access_log)) != -1) {
		if (a->logfd != -1) {
			dup2(fd, a->logfd);	/* atomic for the writers */
			close(fd);
		} else
			a->logfd = fd;
	}
	config_free(oc);
	free(oc);
	keys_free(ok);
	free(ok);
}

void
api_stop(struct api *a, int64_t grace_ms)
{
	int64_t end = mono_ms() + grace_ms;
	int i, fd;

	/* no new connections; requests in flight (a download) may finish,
	 * idle keep-alive connections are not waited for */
	for (i = 0; i < a->nd; i++)
		if ((fd = MHD_quiesce_daemon(a->d[i])) != -1)
			close(fd);
	while (atomic_load(&a->inflight) > 0 && mono_ms() < end)
		usleep(20000);
	for (i = 0; i < a->nd; i++)
		MHD_stop_daemon(a->d[i]);
	a->nd = 0;
	log_stop(a);	/* after the daemons: every request is logged */
}

void
api_free(struct api *a)
{
	size_t i;

	if (a == NULL)
		return;
	if (a->nd)
		api_stop(a, 0);
	log_stop(a);
	if (a->warming)
		pthread_join(a->warm, NULL);
	qcache_free(a->qc);
	rl_free(a->rl);
	for (i = 0; i < a->nidem; i++) {
		free(a->idem[i].client);
		free(a->idem[i].key);
		free(a->idem[i].hash);
	}
	free(a->idem);
	if (a->logfd != -1)
		close(a->logfd);
	spool_close(&a->sp);
	config_free(a->cfg);
	free(a->cfg);
	keys_free(a->keys);
	free(a->keys);
	free(a->tls_cert);
	free(a->tls_key);
	pthread_rwlock_destroy(&a->lock);
	pthread_mutex_destroy(&a->submit_mtx);
	pthread_mutex_destroy(&a->m.mtx);
	pthread_mutex_destroy(&a->loc_mtx);
	for (i = 0; i < LOC_SLOTS; i++)
		loc_forget(&a->loc[i]);
	free(a->loc);
	pthread_mutex_destroy(&a->lg.mtx);
	pthread_cond_destroy(&a->lg.more);
	pthread_cond_destroy(&a->lg.room);
	buf_free(&a->lg.b);
	free(a);
}
