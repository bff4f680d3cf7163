/* api.c - the REST shim's frame: the libmicrohttpd daemons (options,
 * callbacks), a request's life from its first call to the completed
 * callback, dispatch through the route table, and the shim's start,
 * reload and stop (xspool.h's api section).  The handlers are in
 * api_routes.c and api_submit.c; api.h lists the other files. */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"

#define BODY_MAX	(64 * 1024)	/* the API takes no body: a bound */
#define DISCARD_MAX	(16 * 1024 * 1024)	/* read and drop up to this */
#define POOL_MIN	(32 * 1024)	/* per connection: URL and headers (MHD
				 * zeroes it per request: not larger) */

/* ------------------------------------------------------------ dispatch */

/* not_allowed - 405 with Allow listing the methods of path's routes */
static enum MHD_Result
not_allowed(struct rctx *x, const char *path)
{
	enum MHD_Result ret;
	const char *arg;
	struct buf allow;
	size_t i;

	buf_init(&allow);
	for (i = 0; i < api_nroutes; i++) {
		if (!parse_route(&api_routes[i], path, &arg))
			continue;
		if (allow.len)
			buf_adds(&allow, ", ");
		buf_adds(&allow, api_routes[i].method);
		if (strcmp(api_routes[i].method, "GET") == 0)
			buf_adds(&allow, ", HEAD");
	}
	ret = reply_errx(x, 405, "METHOD_NOT_ALLOWED", NULL,
	    MHD_HTTP_HEADER_ALLOW, allow.p, "use %s", allow.p);
	buf_free(&allow);
	return ret;
}

static enum MHD_Result
hsize_it(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	*(size_t *)cls += strlen(k) + (v ? strlen(v) : 0) + 4;
	return MHD_YES;
}

/* dispatch - route the request and run its handler (config read-locked) */
static enum MHD_Result
dispatch(struct api *a, struct MHD_Connection *c, struct req *r,
    const char *url, const char *method)
{
	struct rctx x;
	size_t hsize = 0;
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
		return reply_err(&x, 414, "URI_TOO_LONG", "the path is over "
		    "%d bytes", URL_MAX);
	if (r->many_args)
		return reply_err(&x, 400, "INVALID_PARAMETER", "the query "
		    "has over %d parameters", QUERY_ARGS_MAX);
	if (r->bad_escape || !parse_path_ok(url))
		return reply_err(&x, 400, "INVALID_PARAMETER", "bad "
		    "percent-encoding or a control character in the URL");
	MHD_get_connection_values(c, MHD_HEADER_KIND, hsize_it, &hsize);
	if ((int64_t)hsize > a->cfg->max_header)
		return reply_err(&x, 431, "HEADERS_TOO_LARGE", "the request "
		    "headers are over %" PRId64 " bytes", a->cfg->max_header);
	if (r->body > BODY_MAX)
		return reply_err(&x, 413, "PAYLOAD_TOO_LARGE", "this API "
		    "takes no request body");
	for (i = 0; i < api_nroutes; i++) {
		if (!parse_route(&api_routes[i], url, &arg))
			continue;
		seen = 1;
		if (strcmp(api_routes[i].method, m) == 0)
			break;
	}
	if (i == api_nroutes)
		return seen ? not_allowed(&x, url) :
		    reply_err(&x, 404, "NOT_FOUND", "no such path");
	x.arg = arg;
	if ((api_routes[i].flags & R_AUTH) && auth_check(&x, &ret) == -1)
		return ret;
	return api_routes[i].fn(&x);
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

/* conn_of - the connection's context (NULL: none) */
static struct conn_ctx *
conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* req_new - the first handler call: only set up (see LIBRARY-NOTES) */
static struct req *
req_new(struct api *a, struct MHD_Connection *c, const char *url,
    const char *method)
{
	struct conn_ctx *cc;
	struct req *r = xcalloc(1, sizeof(*r));
	const char *h;

	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
	if (h && parse_request_id(h))
		snprintf(r->id, sizeof(r->id), "%s", h);
	else		/* unique per process; no getrandom() per request */
		snprintf(r->id, sizeof(r->id), "%s%08x", a->rid,
		    atomic_fetch_add(&a->nrid, 1));
	snprintf(r->method, sizeof(r->method), "%s", method);
	r->path = xstrdup(url);
	peer_name(c, r->peer, sizeof(r->peer));
	if ((cc = conn_of(c)) != NULL) {
		r->bad_escape = cc->bad_escape;
		r->many_args = cc->many_args;
		cc->bad_escape = cc->many_args = 0;
		conn_busy(a, cc);	/* the header is in */
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
	auth_keys_refresh(a, 0);	/* a key revoked a second ago */
	pthread_rwlock_rdlock(&a->lock);
	ret = dispatch(a, c, r, url, method);
	pthread_rwlock_unlock(&a->lock);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct api *a = cls;
	struct req *r = *con_cls;
	struct timespec t1;
	double secs;

	conn_idle(a, conn_of(c));	/* the next header's clock starts */
	if (r == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - r->t0.tv_sec) +
	    (t1.tv_nsec - r->t0.tv_nsec) / 1e9;
	metrics_request(a, r->status, secs);
	alog_request(a, r, secs);
	atomic_fetch_sub(&a->inflight, 1);
	free(r->path);
	free(r);
	*con_cls = NULL;
}

/* on_connection - a connection's context from accept to close (called
 * before MHD closes the socket) */
static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *ci;
	struct api *a = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = conn_open(a, ci ? ci->connect_fd : -1);
	} else {
		conn_close(a, *socket_context);
		*socket_context = NULL;
	}
}

/* on_uri - the request line is in, its query not yet split: a query of
 * over QUERY_ARGS_MAX parameters is cut off here and answered 400 by
 * dispatch.  libmicrohttpd 0.9.75 keeps each parameter in the
 * connection's memory pool; when the pool runs out while it splits the
 * request line, it neither answers nor closes until the timeout.  uri
 * is MHD's own writable buffer, split after this call. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct conn_ctx *cc;
	char *q;
	int n = 1;

	if ((q = strchr(uri, '?')) == NULL || q[1] == '\0')
		return NULL;
	for (const char *p = q + 1; *p; p++)
		if (*p == '&' && ++n > QUERY_ARGS_MAX)
			break;
	if (n > QUERY_ARGS_MAX && (cc = conn_of(c)) != NULL) {
		q[1] = '\0';
		cc->many_args = 1;
	}
	return NULL;
}

/* on_unescape - parse_unescape; a bad escape marks the connection's
 * current request (answered 400 by dispatch) */
static size_t
on_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	struct conn_ctx *cc;
	size_t n;
	int bad;

	n = parse_unescape(s, &bad);
	if (bad && (cc = conn_of(c)) != NULL)
		cc->bad_escape = 1;
	return n;
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

struct api *
api_new(struct config *c, struct keys *k, char *err, size_t errlen)
{
	pthread_rwlockattr_t attr;
	struct api *a = xcalloc(1, sizeof(*a));
	int logfd;

	if (spool_open(&a->sp, c->dir, c->node, c->gid, c->sync, 0, err,
	    errlen) == -1) {
		free(a);
		return NULL;
	}
	if ((logfd = alog_open(c->access_log)) == -1 && c->access_log) {
		seterr(err, errlen, "%s: %s", c->access_log,
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
	metrics_init(a);
	scache_init(a);
	alog_init(a, logfd);
	conn_init(a, c->header_timeout_ms);
	if (random_hex(a->rid, 4) == -1)
		snprintf(a->rid, sizeof(a->rid), "%08x", (unsigned)getpid());
	a->cfg = c;
	a->keys = k;
	auth_init(a);
	auth_keys_refresh(a, 1);	/* and the keys file's identity */
	a->qc = qcache_new(&a->sp);
	a->rl = rl_new();
	return a;
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

	if (a->nd == MAX_LISTEN || parse_listen(addr, host, sizeof(host),
	    serv, sizeof(serv)) == -1) {
		seterr(err, errlen, "listen: bad address \"%s\"", addr);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(*host && strcmp(host, "*") ? host : NULL, serv,
	    &hints, &res)) != 0) {
		seterr(err, errlen, "listen %s: %s", addr, gai_strerror(rc));
		return -1;
	}
	flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC |
	    MHD_USE_ERROR_LOG;
	if (res->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (a->tls_cert)
		flags |= MHD_USE_TLS;
	/* a few addresses must not fill every slot */
	per_ip = c->max_per_ip > 0 ? c->max_per_ip : c->max_connections / 16;
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
	OPT(MHD_OPTION_UNESCAPE_CALLBACK, on_unescape, a);
	OPT(MHD_OPTION_URI_LOG_CALLBACK, on_uri, a);
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
		seterr(err, errlen, "cannot listen on %s", addr);
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
			seterr(err, errlen, "TLS certificate or key: %s",
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
		seterr(err, errlen, "listen: no address");
		rc = -1;
	}
	if (rc == 0 && conn_start(a) == -1) {
		seterr(err, errlen, "cannot start a thread: %s",
		    strerror(errno));
		rc = -1;
	}
	if (rc == 0 && pthread_create(&a->warm, NULL, warm, a) == 0)
		a->warming = 1;
	if (rc == 0)
		(void)alog_start(a);
	return rc;
}

void
api_reload(struct api *a, struct config *c, struct keys *k)
{
	struct config *oc;
	struct keys *ok;

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
	auth_keys_refresh(a, 1);	/* the identity of the file read */
	if (strcmp(oc->dir, c->dir) != 0)
		log_warnx("reload: a new spool dir needs a restart; "
		    "still serving %s", a->sp.dir);
	alog_reopen(a, c->access_log);
	conn_timeout(a, c->header_timeout_ms);
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
	conn_stop(a);	/* no connection is left to watch */
	alog_stop(a);	/* after the daemons: every request is logged */
}

void
api_free(struct api *a)
{
	if (a == NULL)
		return;
	if (a->nd)
		api_stop(a, 0);
	alog_stop(a);
	if (a->warming)
		pthread_join(a->warm, NULL);
	qcache_free(a->qc);
	rl_free(a->rl);
	idem_free(a);
	alog_free(a);
	conn_free(a);
	spool_close(&a->sp);
	config_free(a->cfg);
	free(a->cfg);
	keys_free(a->keys);
	free(a->keys);
	free(a->tls_cert);
	free(a->tls_key);
	pthread_rwlock_destroy(&a->lock);
	pthread_mutex_destroy(&a->submit_mtx);
	metrics_free(a);
	scache_free(a);
	auth_free(a);
	free(a);
}
