/* api.h - what the files of the REST shim (api*.c) share and nobody else
 * sees: the shim's state, a request, a handler's context, and each file's
 * functions under its name.  The public contract is xspool.h's api.c
 * section. */
#ifndef API_H
#define API_H

#include <sys/stat.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include <microhttpd.h>

#include "xspool.h"

#define MAX_LISTEN	8
#define URL_MAX		8192
#define LIST_DEFAULT	100
#define LIST_MAX	1000
#define API_PARAMS_MAX	32
#define API_VALUE_MAX	1024
#define IDEM_MAX	255
#define REQID_MAX	36	/* a caller's X-Request-Id we echo */
#define NBUCKETS	14	/* request duration histogram */
#define NJBUCKETS	10	/* job duration histogram */
#define LOC_SLOTS	1024	/* where jobs were last seen (scache) */
#define KEEP_MAX	4096	/* status answers kept up to this size */
#define QUERY_ARGS_MAX	64	/* more in a query: 400 (MHD's pool holds
				 * about 300 before it stops answering) */

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
	int	 many_args;		/* over QUERY_ARGS_MAX, none parsed */
};

/* per connection (MHD's socket context), from accept to close */
struct conn_ctx {
	int		 bad_escape;	/* set by the unescape callback */
	int		 many_args;	/* set by the URI callback */
	int		 fd;
	int		 waiting;	/* on the header list (hwatch) */
	int64_t		 since;		/* mono_ms() the wait began */
	struct conn_ctx	*prev, *next;
};

/* connections waiting for a request header, oldest first: one thread
 * drops those that waited over header_timeout */
struct hwatch {
	pthread_mutex_t	 mtx;
	pthread_cond_t	 wake;		/* stop */
	struct conn_ctx	*head, *tail;
	atomic_llong	 timeout_ms;	/* header_timeout, kept on reload */
	atomic_ullong	 dropped;	/* connections dropped for it */
	int		 stop;
	int		 running;
	pthread_t	 th;
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
	pthread_cond_t	 room;		/* b is below its bound again */
	struct buf	 b;
	int		 stop;
	int		 running;
	pthread_t	 th;
	int		 fd;		/* -1: no access log */
};

struct idem {
	char	*client;
	char	*key;
	char	*hash;
	char	 id[ID_MAX + 1];
	int64_t	 at;
};

struct jstats;
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
	struct jstats	*st;	/* by type, nodes, notifications: api_metrics.c */
};

struct api {
	pthread_rwlock_t  lock;		/* cfg and keys; write: SIGHUP and a
					 * keys reload */
	struct config	*cfg;
	struct keys	*keys;
	int		 keys_bad;	/* the keys file is unreadable: refuse
					 * every key (under lock) */
	pthread_mutex_t	 kmtx;		/* one keys check at a time: */
	atomic_llong	 kcheck;	/* mono_ms() of the last one */
	struct fid	 kfid;		/* the keys file loaded (valid 0: none
					 * known, check again) */
	struct spool	 sp;
	struct qcache	*qc;
	struct ratelimit *rl;
	struct MHD_Daemon *d[MAX_LISTEN];
	int		 nd;
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
	struct hwatch	 hw;
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

#define R_AUTH	1	/* needs X-Api-Key */
#define R_ARG	2	/* prefix, then one path segment */

struct route {
	const char	*method;
	const char	*path;
	int		 flags;
	handler_fn	 fn;
};

/* ---------------------------------------------------------------- api.c */
/* libmicrohttpd glue, the shim's life (api_* of xspool.h) and dispatch. */

/* ---------------------------------------------------------------- api_conn.c */
/* The header deadline: a connection waits for a request header (after the
 * accept, and after each answer on a kept-alive connection) at most
 * header_timeout, however slowly its bytes trickle in; MHD's own timeout,
 * request_timeout, is one of idleness and covers the rest. */
void	 conn_init(struct api *, int64_t timeout_ms);
int	 conn_start(struct api *);	/* the thread: 0 or -1 */
void	 conn_stop(struct api *);	/* after the MHD daemons stopped */
void	 conn_free(struct api *);
void	 conn_timeout(struct api *, int64_t timeout_ms);	/* SIGHUP */
/* A connection accepted (fd): a new context, waiting for a header. */
struct conn_ctx *conn_open(struct api *, int fd);
/* Its header is in (the request runs), or its answer is done (waiting
 * again); closed: cc is freed.  Any thread, cc may be NULL. */
void	 conn_busy(struct api *, struct conn_ctx *cc);
void	 conn_idle(struct api *, struct conn_ctx *cc);
void	 conn_close(struct api *, struct conn_ctx *cc);

/* ---------------------------------------------------------------- api_routes.c */
/* The route table and the handlers of the read and cancel routes. */
extern const struct route api_routes[];
extern const size_t api_nroutes;
enum MHD_Result h_identity(struct rctx *);
enum MHD_Result h_status(struct rctx *);
enum MHD_Result h_queued(struct rctx *);
enum MHD_Result h_download(struct rctx *);
enum MHD_Result h_cancel(struct rctx *);
enum MHD_Result h_livez(struct rctx *);
enum MHD_Result h_healthz(struct rctx *);

/* ---------------------------------------------------------------- api_submit.c */
/* POST /ExportRequest/{type}. */
enum MHD_Result h_submit(struct rctx *);

/* ---------------------------------------------------------------- api_reply.c */
/* Every answer goes out through these: they add X-Request-Id and
 * Cache-Control, note the status and length for the log, and return what
 * MHD_queue_response returned.  body (when not NULL) is taken. */
enum MHD_Result reply(struct rctx *, unsigned status, struct buf *body,
	    const char *ctype, struct MHD_Response *resp);
/* body plus a newline, as application/json */
enum MHD_Result reply_json(struct rctx *, unsigned status, struct buf *body);
/* The error shape {"Code": "...", "Message": "..."} plus extra members
 * (JSON text, or NULL) and one more header (hname NULL: none). */
enum MHD_Result reply_errx(struct rctx *, unsigned status, const char *code,
	    const char *extra, const char *hname, const char *hval,
	    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
#define reply_err(x, status, code, ...) \
	reply_errx(x, status, code, NULL, NULL, NULL, __VA_ARGS__)

/* ---------------------------------------------------------------- api_view.c */
/* The JSON bodies of the answers about jobs; pure. */
void	 view_str(struct buf *, const char *s);	/* NULL: null */
void	 view_time(struct buf *, int64_t ms);	/* 0: null */
/* a QUEUED job as the submit answer, its replay and the listing give it */
void	 view_queued(struct buf *, const char *id, const char *type,
	    enum format, int64_t created);
/* the status answer: every field, never the password (only "encrypted":
 * whether the zip is, or will be, made with one) */
void	 view_job(struct buf *, const struct job *, enum state);

/* ---------------------------------------------------------------- api_parse.c */
/* The pure parsers of request parts (tests/fuzz/fuzz-api.c links them). */
/* Strict %XX decoding in place, '+' is a space; returns the new length;
 * *bad = 1 after a bad or %00 escape (left as it was). */
size_t	 parse_unescape(char *s, int *bad);
/* 1 when the decoded path holds no control character. */
int	 parse_path_ok(const char *path);
/* 1 when path fits route r; for R_ARG routes *arg is its last segment. */
int	 parse_route(const struct route *r, const char *path, const char **arg);
/* ?cursor= "CREATEDMS~ID": 0, or -1 when malformed. */
int	 parse_cursor(const char *s, int64_t *created, char *id);
/* ?limit= 1..LIST_MAX in decimal: 0 or -1. */
int	 parse_limit(const char *s, size_t *limit);
/* A single "bytes=A-B", "bytes=A-" or "bytes=-N" of a file of size: 1
 * with [*from, *to]; 0 to ignore the header (malformed, several ranges);
 * -1 when unsatisfiable. */
int	 parse_range(const char *h, uint64_t size, uint64_t *from,
	    uint64_t *to);
/* 1 when an If-None-Match list names tag (or is "*"). */
int	 parse_etag_match(const char *h, const char *tag);
/* 1 when an Idempotency-Key is 1 to IDEM_MAX printable ASCII bytes. */
int	 parse_idem_key(const char *s);
/* 1 when a caller's X-Request-Id is one we echo (1..36 of [A-Za-z0-9._-]). */
int	 parse_request_id(const char *s);
/* "host:port", "[v6]:port", ":port" into host and port: 0 or -1. */
int	 parse_listen(const char *s, char *host, size_t hlen, char *port,
	    size_t plen);
/* The query of a submit, one argument a call (an MHD iterator): format,
 * password, email, callback are counted, the rest become the job's
 * parameters; MHD_NO with err set on the first bad one. */
struct sargs {
	struct job	*j;
	const char	*fmt;
	int		 nfmt, npass, nemail, ncb;
	char		 err[ERRLEN];
};
enum MHD_Result parse_submit_arg(void *sargs, enum MHD_ValueKind,
	    const char *k, const char *v);
/* The query of a listing: limit and cursor once each; anything else is
 * bad (the first such name). */
struct qargs {
	const char	*limit, *cursor, *bad;
};
enum MHD_Result parse_queued_arg(void *qargs, enum MHD_ValueKind,
	    const char *k, const char *v);

/* ---------------------------------------------------------------- api_auth.c */
void	 auth_init(struct api *);
void	 auth_free(struct api *);
/* Reloads the keys when the keys file is no longer the one loaded (its
 * identity checked with open and fstat at most once a second, or now when
 * force); a file that cannot be read makes auth_check refuse every key.
 * Called without a->lock. */
void	 auth_keys_refresh(struct api *, int force);
/* X-Api-Key and the rate limit: 0 with x->key set, or -1 with the error
 * answer queued in *ret.  Under a->lock (read). */
int	 auth_check(struct rctx *, enum MHD_Result *ret);
/* 1 when the key may see a job of client. */
int	 auth_visible(const struct rctx *, const char *client);

/* ---------------------------------------------------------------- api_scache.c */
/* Where each job was last found, and its status answer as made from the
 * file then: one open and a stat instead of a stat per state directory. */
void	 scache_init(struct api *);
void	 scache_free(struct api *);
/* spool_load, first trying where id was last found; the state, or -1
 * with errno and err.  *fid names the file read when it was the one at
 * the remembered place (else fid->valid = 0). */
int	 scache_lookup(struct api *, const char *id, struct job *,
	    struct fid *fid, char *err, size_t errlen);
/* Keeps b, the status answer of job id in state st made from file fid. */
void	 scache_keep(struct api *, const char *id, int st,
	    const struct fid *fid, const char *client, const struct buf *b);
/* Answers GET Status/{x->arg} from the kept answer when its file is still
 * the one it was made from: 1 with *ret, or 0. */
int	 scache_reply(struct rctx *, enum MHD_Result *ret);

/* ---------------------------------------------------------------- api_idem.c */
/* Idempotency-Key -> the job first queued for it, per client, a day. */
/* 1 with the id (and the request hash first seen, in *hash) or 0; drops
 * expired entries.  Under submit_mtx, like idem_add. */
int	 idem_lookup(struct api *, const char *client, const char *key,
	    char *id, char **hash);
void	 idem_add(struct api *, const struct job *);
void	 idem_free(struct api *);

/* ---------------------------------------------------------------- api_metrics.c */
/* Counters and histograms for GET /metrics. */
void	 metrics_init(struct api *);
void	 metrics_free(struct api *);
void	 metrics_request(struct api *, unsigned status, double secs);
void	 metrics_submitted(struct api *);
enum MHD_Result h_metrics(struct rctx *);

/* api_sched.c */
/* Queued and running jobs per client and per type, as gauges onto b. */
void	 metrics_sched(struct api *, struct buf *b);

/* ---------------------------------------------------------------- api_log.c */
/* The access log: one line per request, written by a thread of its own. */
/* The fd of path: "-" is stderr, NULL or "" none (-1, errno 0). */
int	 alog_open(const char *path);
void	 alog_init(struct api *, int fd);
int	 alog_start(struct api *);	/* 0 or -1 (then lines go direct) */
void	 alog_stop(struct api *);	/* writes what is left */
void	 alog_reopen(struct api *, const char *path);	/* SIGHUP */
void	 alog_free(struct api *);
void	 alog_request(struct api *, const struct req *, double secs);
/* the path as logged: no spaces, controls, '"', '%' or non-ASCII */
void	 alog_path(struct buf *, const char *path);

#endif
