/* notify.c - one delivery try of a notification: the signed webhook
 * (libcurl HTTP, Standard Webhooks headers) and the mail (libcurl SMTP).
 * Which URLs and addresses a callback may reach is net.c's rule; here it
 * is applied at resolution and again at each connect. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "xspool.h"

#define SNIPPET_MAX	200	/* bytes of a refusing answer kept in err */
#define MAIL_TIMEOUT_MS	30000	/* at least this long for one SMTP try */

/* What a try collects from the server while curl runs. */
struct answer {
	char	 snippet[SNIPPET_MAX + 1];
	size_t	 len;
	char	 line[ERRLEN];	/* last SMTP reply line before QUIT's */
	char	 bad[ERRLEN];	/* first 4xx or 5xx reply line */
};

/* What guard_socket checks and found. */
struct guard {
	const char	*allow;		/* callback_allow */
	int		 refused;
	char		 addr[INET6_ADDRSTRLEN];
};

/* The mail text handed to curl's read callback. */
struct reader {
	const char	*p;
	size_t		 left;
};

enum state
notify_event_state(enum state now)
{
	if (now == ST_COMPLETED || now == ST_CANCELLED)
		return now;
	return ST_FAILED;
}

static const char *
event_name(enum state st)
{
	switch (notify_event_state(st)) {
	case ST_COMPLETED:
		return "COMPLETED";
	case ST_CANCELLED:
		return "CANCELLED";
	default:
		return "FAILED";
	}
}

/* cancel_reason - why a CANCELLED event's job was cancelled */
static const char *
cancel_reason(const struct job *j)
{
	if (j->cancelled_by && strcmp(j->cancelled_by, "operator") == 0)
		return "cancelled by an operator while running";
	return j->cancelled_by && strcmp(j->cancelled_by, "attempts") == 0 ?
	    "cancelled after the last attempt" : "cancelled by user";
}

/* event_errors - the errors an event reports; a user's cancel says so */
static void
event_errors(const struct job *j, enum state st, struct buf *b)
{
	const char *why;
	size_t i;

	buf_addc(b, '[');
	for (i = 0; i < j->result.nerrors; i++) {
		if (i > 0)
			buf_addc(b, ',');
		json_quote(b, j->result.errors[i], strlen(j->result.errors[i]));
	}
	if (j->result.nerrors == 0 && notify_event_state(st) == ST_CANCELLED) {
		why = cancel_reason(j);
		json_quote(b, why, strlen(why));
	}
	buf_addc(b, ']');
}

void
notify_webhook_body(const struct job *j, enum state st, struct buf *b)
{
	int done = notify_event_state(st) == ST_COMPLETED;

	buf_adds(b, "{\"idExportJob\":");
	json_quote(b, j->id, strlen(j->id));
	buf_adds(b, ",\"exportType\":");
	json_quote(b, j->type ? j->type : "", j->type ? strlen(j->type) : 0);
	buf_addf(b, ",\"success\":%s,\"status\":\"%s\",\"errorMessages\":",
	    done ? "true" : "false", event_name(st));
	event_errors(j, st, b);
	buf_addf(b, ",\"durationMs\":%lld,\"fileName\":",
	    (long long)(j->result.present ? j->result.duration_ms : 0));
	if (done && j->result.file_name)
		json_quote(b, j->result.file_name, strlen(j->result.file_name));
	else
		buf_adds(b, "null");
	if (done)
		buf_addf(b, ",\"fileSizeBytes\":%lld}",
		    (long long)j->result.file_size);
	else
		buf_adds(b, ",\"fileSizeBytes\":null}");
}

int
notify_sign(const char *secret, const char *msg_id, int64_t ts,
    const char *body, size_t len, char *out, size_t outlen,
    char *err, size_t errlen)
{
	unsigned char key[SECRET_MAX + 3], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t keylen;
	struct buf msg;
	int rc = -1;

	buf_init(&msg);
	if (config_secret_key(secret, key, &keylen, err, errlen) == -1)
		goto fail;
	buf_addf(&msg, "%s.%lld.", msg_id, (long long)ts);
	buf_add(&msg, body, len);
	if (HMAC(EVP_sha256(), key, (int)keylen, (unsigned char *)msg.p,
	    msg.len, md, &mdlen) == NULL || outlen < 3 + 4 * ((mdlen + 2) / 3)
	    + 1) {
		seterr(err, errlen, "HMAC failed");
		goto fail;
	}
	memcpy(out, "v1,", 3);
	EVP_EncodeBlock((unsigned char *)out + 3, md, (int)mdlen);
	rc = 0;
fail:
	OPENSSL_cleanse(key, sizeof(key));
	buf_free(&msg);
	return rc;
}

/* keep_snippet - curl write callback: keep the start of an answer */
static size_t
keep_snippet(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t i;

	for (i = 0; i < size * n && a->len < SNIPPET_MAX; i++) {
		unsigned char c = (unsigned char)p[i];

		a->snippet[a->len++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	a->snippet[a->len] = '\0';
	return size * n;
}

/* tls_setup - verify the peer, against [notify] ca_file when set */
static void
tls_setup(CURL *c, const struct config *cfg)
{
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cfg->ca_file != NULL && *cfg->ca_file != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file);
}

/*
 * resolve_pin - resolve host once, refuse it when an address is one that
 * callback_allow does not open (net_addr_reachable), and pin curl to the
 * checked addresses.  0, 1 (resolution failed: try later) or -1 (refused).
 */
static int
resolve_pin(const struct config *cfg, const char *host, const char *port,
    struct curl_slist **pin, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char addr[INET6_ADDRSTRLEN];
	struct buf entry;
	unsigned char a[16];
	int r, rc = -1;

	buf_init(&entry);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
		seterr(err, errlen, "cannot resolve %s: %s", host,
		    gai_strerror(r));
		rc = 1;
		goto fail;
	}
	buf_addf(&entry, "%s:%s:", host, port);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (net_addr_sa(ai->ai_addr, a) == -1 ||
		    getnameinfo(ai->ai_addr, ai->ai_addrlen, addr,
		    sizeof(addr), NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		if (!net_addr_reachable(cfg->callback_allow, a)) {
			seterr(err, errlen, "callback host %s: address %s "
			    "is %s, and no address or range in "
			    "callback_allow covers it", host, addr,
			    net_class_name(net_addr_class(a)));
			goto fail;
		}
		if (entry.p[entry.len - 1] != ':')
			buf_addc(&entry, ',');
		buf_addf(&entry, ai->ai_family == AF_INET6 ? "[%s]" : "%s",
		    addr);
	}
	if (entry.p[entry.len - 1] == ':') {
		seterr(err, errlen, "cannot resolve %s", host);
		rc = 1;
		goto fail;
	}
	if (net_addr_parse(host, strlen(host), a) == 0)
		*pin = curl_slist_append(*pin, entry.p);
	rc = 0;
fail:
	if (res)
		freeaddrinfo(res);
	buf_free(&entry);
	return rc;
}

int
notify_deliverable(const struct config *cfg, const struct job *j,
    char *err, size_t errlen)
{
	struct net_url u;
	unsigned char a[16];
	int refused;

	if (j->email != NULL && *j->email != '\0' &&
	    (cfg->smtp == NULL || *cfg->smtp == '\0'))
		return seterr(err, errlen, "an e-mail was asked for, but "
		    "this server has no SMTP relay configured ([notify] "
		    "smtp)"), -1;
	if (j->callback == NULL || net_callback_url(cfg->callback_allow,
	    j->callback, &u, err, errlen) == -1)
		return j->callback == NULL ? 0 : -1;
	/* a name is resolved at delivery, each time; a literal address is
	 * known now (resolve_pin's rule) */
	refused = net_addr_parse(u.host, strlen(u.host), a) != 0 &&
	    !net_addr_reachable(cfg->callback_allow, a);
	if (refused)
		seterr(err, errlen, "callback address %s is %s, and no "
		    "address or range in [notify] callback_allow covers it: "
		    "the webhook would never be sent", u.host,
		    net_class_name(net_addr_class(a)));
	net_url_free(&u);
	return refused ? -1 : 0;
}

/* guard_socket - curl's opensocket callback: the address rule again at
 * each connect, whatever curl resolved (the pin is the usual path) */
static curl_socket_t
guard_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *sa)
{
	struct guard *g = arg;
	unsigned char a[16];

	if (net_addr_sa(&sa->addr, a) == -1 ||
	    !net_addr_reachable(g->allow, a)) {
		g->refused = 1;
		net_addr_text(a, g->addr, sizeof(g->addr));
		return CURL_SOCKET_BAD;
	}
	return socket(sa->family, sa->socktype | SOCK_CLOEXEC, sa->protocol);
}

/* webhook_headers - content type, no Expect, and the signature headers */
static int
webhook_headers(const struct config *cfg, const char *msg_id,
    const struct buf *body, struct curl_slist **h, char *err, size_t errlen)
{
	char sig[128], line[256];
	int64_t ts = (int64_t)time(NULL);

	*h = curl_slist_append(*h, "Content-Type: application/json");
	*h = curl_slist_append(*h, "Expect:");
	snprintf(line, sizeof(line), "webhook-id: %s", msg_id);
	*h = curl_slist_append(*h, line);
	snprintf(line, sizeof(line), "webhook-timestamp: %lld",
	    (long long)ts);
	*h = curl_slist_append(*h, line);
	if (cfg->webhook_secret == NULL || *cfg->webhook_secret == '\0')
		return 0;	/* unsigned: the operator set no secret */
	if (notify_sign(cfg->webhook_secret, msg_id, ts, body->p, body->len,
	    sig, sizeof(sig), err, errlen) == -1)
		return -1;
	snprintf(line, sizeof(line), "webhook-signature: %s", sig);
	*h = curl_slist_append(*h, line);
	return 0;
}

/* webhook_outcome - a finished request's answer as 0, 1 or -1 */
static int
webhook_outcome(CURL *c, CURLcode cc, const char *host,
    const struct answer *a, const char *cerr, int64_t *retry_after_ms,
    char *err, size_t errlen)
{
	long code = 0;
	curl_off_t ra = 0;

	if (cc != CURLE_OK) {
		seterr(err, errlen, "%s: %s", host,
		    *cerr ? cerr : curl_easy_strerror(cc));
		return cc == CURLE_UNSUPPORTED_PROTOCOL ||
		    cc == CURLE_URL_MALFORMAT ? -1 : 1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300) {
		seterr(err, errlen, "%s: HTTP %ld", host, code);
		return 0;
	}
	if (code >= 300 && code < 400)
		seterr(err, errlen, "%s: HTTP %ld, redirect not followed",
		    host, code);
	else
		seterr(err, errlen, "%s: HTTP %ld%s%s", host, code,
		    a->len ? ": " : "", a->snippet);
	if (code == 429 || code >= 500) {
		if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra) ==
		    CURLE_OK && ra > 0)	/* any number a receiver sends */
			*retry_after_ms = ra > INT64_MAX / 1000 ? INT64_MAX :
			    (int64_t)ra * 1000;
		return 1;
	}
	return -1;
}

int
notify_webhook_try(const struct config *cfg, const struct job *j,
    enum state st, int64_t *retry_after_ms, char *err, size_t errlen)
{
	char cerr[CURL_ERROR_SIZE] = "", idbuf[40];
	struct net_url u = { NULL, NULL, NULL };
	struct guard g;
	struct curl_slist *pin = NULL, *hdr = NULL;
	struct answer a;
	struct buf body;
	const char *msg_id = j->webhook.msg_id;
	CURL *c = NULL;
	CURLcode cc;
	int rc = -1;

	*retry_after_ms = 0;
	err[0] = '\0';
	memset(&a, 0, sizeof(a));
	buf_init(&body);
	if (j->callback == NULL) {
		seterr(err, errlen, "no callback URL");
		goto fail;
	}
	if (msg_id == NULL) {		/* a one-off try, not from the queue */
		memcpy(idbuf, "msg_", 4);
		if (random_hex(idbuf + 4, 16) == -1)
			goto fail;
		msg_id = idbuf;
	}
	if (net_callback_url(cfg->callback_allow, j->callback, &u, err,
	    errlen) == -1)
		goto fail;
	if ((rc = resolve_pin(cfg, u.host, u.port, &pin, err, errlen)) != 0)
		goto fail;
	rc = -1;
	notify_webhook_body(j, st, &body);
	if (webhook_headers(cfg, msg_id, &body, &hdr, err, errlen) == -1)
		goto fail;
	if ((c = curl_easy_init()) == NULL) {
		seterr(err, errlen, "curl_easy_init failed");
		rc = 1;
		goto fail;
	}
	curl_easy_setopt(c, CURLOPT_URL, j->callback);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");	/* no proxy from env */
	curl_easy_setopt(c, CURLOPT_RESOLVE, pin);
	memset(&g, 0, sizeof(g));
	g.allow = cfg->callback_allow;
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, guard_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &g);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.p);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)cfg->webhook_timeout_ms);
	tls_setup(c, cfg);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "xspool/" XSPOOL_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_snippet);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	cc = curl_easy_perform(c);
	if (g.refused) {
		seterr(err, errlen, "callback host %s: address %s is not "
		    "public, and no address or range in callback_allow "
		    "covers it", u.host, g.addr);
		rc = -1;
	} else
		rc = webhook_outcome(c, cc, u.host, &a, cerr, retry_after_ms,
		    err, errlen);
fail:
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(pin);
	curl_slist_free_all(hdr);
	net_url_free(&u);
	buf_free(&body);
	return rc;
}

/* ------------------------------------------------------------ e-mail */

/* mail_addr - the bare address of "Name <a@b>" or "a@b" */
static char *
mail_addr(const char *s)
{
	const char *lt = strrchr(s, '<'), *gt;

	if (lt && (gt = strchr(lt, '>')) != NULL)
		return xstrndup(lt + 1, (size_t)(gt - lt - 1));
	return xstrdup(s);
}

/* mail_from - [notify] from, or xspool@HOSTNAME */
static char *
mail_from(const struct config *cfg)
{
	char host[256] = "localhost";
	char *s;

	if (cfg->from && *cfg->from)
		return xstrdup(cfg->from);
	gethostname(host, sizeof(host) - 1);
	xasprintf(&s, "xspool@%s", host);
	return s;
}

/* add_header_text - a header value, RFC 2047 encoded when not ASCII */
static void
add_header_text(struct buf *b, const char *s)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
	    "rstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)s;
	size_t i, n, len = strlen(s);
	uint32_t v;

	for (i = 0; i < len && p[i] < 0x80; i++)
		;
	if (i == len) {
		buf_adds(b, s);
		return;
	}
	while (len > 0) {	/* words of <= 45 bytes, whole characters */
		n = len < 45 ? len : 45;
		while (n < len && n > 0 && (p[n] & 0xc0) == 0x80)
			n--;
		buf_adds(b, "=?UTF-8?B?");
		for (i = 0; i < n; i += 3) {
			v = (uint32_t)p[i] << 16 |
			    (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			    (i + 2 < n ? p[i + 2] : 0);
			buf_addc(b, b64[v >> 18 & 63]);
			buf_addc(b, b64[v >> 12 & 63]);
			buf_addc(b, i + 1 < n ? b64[v >> 6 & 63] : '=');
			buf_addc(b, i + 2 < n ? b64[v & 63] : '=');
		}
		buf_adds(b, "?=");
		p += n;
		len -= n;
		if (len > 0)
			buf_adds(b, "\r\n ");
	}
}

/* add_date - RFC 5322 date-time, in UTC, locale-free */
static void
add_date(struct buf *b, int64_t when)
{
	static const char *day[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(when / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	buf_addf(b, "%s, %02d %s %04d %02d:%02d:%02d +0000", day[tm.tm_wday],
	    tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

/* add_text_line - one body line: CRLF, no controls, under 998 octets */
static void
add_text_line(struct buf *b, const char *prefix, const char *s)
{
	size_t i, n = strlen(s);

	buf_adds(b, prefix);
	if (n > 900) {		/* cut at a character boundary */
		n = 900;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		buf_addc(b, (c < 0x20 && c != '\t') || c == 0x7f ? ' ' :
		    (char)c);
	}
	buf_adds(b, "\r\n");
}

/* add_from - the From header; a non-ASCII display name RFC 2047 encoded */
static void
add_from(struct buf *b, const char *from)
{
	const char *lt = strrchr(from, '<');
	char *name;
	size_t n;

	buf_adds(b, "From: ");
	if (lt == NULL || lt == from) {
		buf_adds(b, from);
	} else {
		n = (size_t)(lt - from);
		while (n > 0 && from[n - 1] == ' ')
			n--;
		name = xstrndup(from, n);
		add_header_text(b, name);
		buf_addf(b, " %s", lt);
		free(name);
	}
	buf_adds(b, "\r\n");
}

/* mail_headers - From ... Content-Transfer-Encoding, and the blank line */
static void
mail_headers(const struct config *cfg, const struct job *j, enum state st,
    int64_t when, struct buf *b)
{
	static const char *verb[] = { [ST_COMPLETED] = "completed",
	    [ST_FAILED] = "failed", [ST_CANCELLED] = "cancelled" };
	char *from = mail_from(cfg), *addr = mail_addr(from), *subj;
	const char *dom = strchr(addr, '@');
	char rnd[17] = "0";

	random_hex(rnd, 8);
	add_from(b, from);
	buf_addf(b, "To: %s\r\nSubject: ", j->email);
	xasprintf(&subj, "Export %s %.8s %s", j->type ? j->type : "?", j->id,
	    verb[notify_event_state(st)]);
	add_header_text(b, subj);
	buf_adds(b, "\r\nDate: ");
	add_date(b, when);
	buf_addf(b, "\r\nMessage-ID: <%s.%lld.%s@%s>\r\n", j->id,
	    (long long)when, rnd, dom && dom[1] ? dom + 1 : "localhost");
	buf_adds(b, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "Auto-Submitted: auto-generated\r\n\r\n");
	free(subj);
	free(addr);
	free(from);
}

void
notify_email_message(const struct config *cfg, const struct job *j,
    enum state st, int64_t when, struct buf *b)
{
	static const char *what[] = { [ST_COMPLETED] = "has completed",
	    [ST_FAILED] = "failed (it may be tried again)",
	    [ST_CANCELLED] = "was cancelled" };
	enum state ev = notify_event_state(st);
	char line[ERRLEN + 64], sz[32];
	size_t i;

	mail_headers(cfg, j, st, when, b);
	snprintf(line, sizeof(line), "Your export %s %s %s.",
	    j->type ? j->type : "?", j->id, what[ev]);
	add_text_line(b, "", line);
	add_text_line(b, "", "");
	add_text_line(b, "Status:    ", event_name(st));
	add_text_line(b, "Type:      ", j->type ? j->type : "?");
	add_text_line(b, "Format:    ", j->format ? format_name(j->format) :
	    "?");
	snprintf(line, sizeof(line), "%d", j->attempts);
	add_text_line(b, "Attempts:  ", line);
	if (ev == ST_CANCELLED)
		add_text_line(b, "Reason:    ", cancel_reason(j));
	if (ev == ST_COMPLETED) {
		snprintf(line, sizeof(line), "%lld",
		    (long long)j->result.records);
		add_text_line(b, "Records:   ", line);
		snprintf(line, sizeof(line), "%lld bytes (%s)",
		    (long long)j->result.file_size,
		    fmt_size(j->result.file_size, sz));
		add_text_line(b, "Size:      ", line);
		if (j->result.file_name)
			add_text_line(b, "File:      ", j->result.file_name);
	}
	snprintf(line, sizeof(line), "%.3f s",
	    (double)j->result.duration_ms / 1000.0);
	add_text_line(b, "Duration:  ", line);
	if (j->result.nerrors > 0) {
		add_text_line(b, "", "");
		add_text_line(b, "", "Errors:");
		for (i = 0; i < j->result.nerrors; i++)
			add_text_line(b, "  ", j->result.errors[i]);
	}
	if (ev == ST_COMPLETED) {
		add_text_line(b, "", "");
		add_text_line(b, "", "Download it with your API key "
		    "(header X-Api-Key) from:");
		snprintf(line, sizeof(line), "  %s/api/v1/ExportResult/"
		    "Download/%s", cfg->base_url ? cfg->base_url : "", j->id);
		add_text_line(b, "", line);
		add_text_line(b, "", "or on the server with:");
		snprintf(line, sizeof(line), "  xspool download %s", j->id);
		add_text_line(b, "", line);
	}
	add_text_line(b, "", "");
	add_text_line(b, "", "-- ");
	add_text_line(b, "", "xspool, an automatic message");
}

/* mail_read - curl read callback over the message */
static size_t
mail_read(char *p, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t k = size * n < r->left ? size * n : r->left;

	memcpy(p, r->p, k);
	r->p += k;
	r->left -= k;
	return k;
}

/* mail_debug - keep the server's replies for the outcome's message */
static int
mail_debug(CURL *c, curl_infotype t, char *p, size_t n, void *arg)
{
	struct answer *a = arg;
	char *dst;
	size_t i;

	if (t != CURLINFO_HEADER_IN || n < 3 || strncmp(p, "221", 3) == 0)
		return 0;
	if (p[0] == '4' || p[0] == '5')
		dst = a->bad[0] ? NULL : a->bad;
	else
		dst = a->line;
	if (dst == NULL)
		return 0;
	if (n >= ERRLEN)
		n = ERRLEN - 1;
	for (i = 0; i < n && p[i] != '\r' && p[i] != '\n'; i++)
		dst[i] = (unsigned char)p[i] < 0x20 ? ' ' : p[i];
	dst[i] = '\0';
	return 0;
}

/* mail_setup - curl options for one SMTP transaction */
static void
mail_setup(CURL *c, const struct config *cfg, const char *from,
    struct curl_slist *rcpt, struct reader *r, struct answer *a, char *cerr)
{
	int64_t tmo = cfg->webhook_timeout_ms > MAIL_TIMEOUT_MS ?
	    cfg->webhook_timeout_ms : MAIL_TIMEOUT_MS;

	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	tls_setup(c, cfg);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)tmo);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, mail_read);
	curl_easy_setopt(c, CURLOPT_READDATA, r);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);	/* for mail_debug */
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, mail_debug);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, a);
	if (cfg->smtp_user)
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
	if (cfg->smtp_password)
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
}

int
notify_email_try(const struct config *cfg, const struct job *j,
    enum state st, char *err, size_t errlen)
{
	char cerr[CURL_ERROR_SIZE] = "", *from = NULL, *addr = NULL;
	char *bracket = NULL;
	struct curl_slist *rcpt = NULL;
	struct answer a;
	struct reader r;
	struct buf msg;
	CURL *c = NULL;
	CURLcode cc;
	long code = 0;
	int rc = -1;

	err[0] = '\0';
	memset(&a, 0, sizeof(a));
	buf_init(&msg);
	if (cfg->smtp == NULL || *cfg->smtp == '\0') {
		seterr(err, errlen, "no SMTP relay configured");
		goto fail;
	}
	if (j->email == NULL || !net_email_valid(j->email)) {
		seterr(err, errlen, "invalid e-mail address");
		goto fail;
	}
	from = mail_from(cfg);
	addr = mail_addr(from);
	if (strpbrk(from, "\r\n") || strpbrk(addr, "<>\r\n")) {
		seterr(err, errlen, "[notify] from: invalid address");
		goto fail;
	}
	xasprintf(&bracket, "<%s>", j->email);
	rcpt = curl_slist_append(NULL, bracket);
	free(bracket);
	xasprintf(&bracket, "<%s>", addr);
	notify_email_message(cfg, j, st, (int64_t)time(NULL) * 1000, &msg);
	r.p = msg.p;
	r.left = msg.len;
	if ((c = curl_easy_init()) == NULL) {
		seterr(err, errlen, "curl_easy_init failed");
		rc = 1;
		goto fail;
	}
	mail_setup(c, cfg, bracket, rcpt, &r, &a, cerr);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_OK) {
		seterr(err, errlen, "%s", a.line);
		rc = 0;
	} else {
		seterr(err, errlen, "%s%s%s", *cerr ? cerr :
		    curl_easy_strerror(cc), *a.bad ? ": " : "", a.bad);
		rc = code >= 500 && code < 600 ? -1 : 1;
	}
fail:
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	free(bracket);
	free(addr);
	free(from);
	buf_free(&msg);
	return rc;
}
