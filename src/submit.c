/* submit.c - checks an export request before it is queued (CLI and REST
 * shim alike): type, format, e-mail, callback URL, parameters. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "xspool.h"

#define URL_MAX		2048
#define EMAIL_MAX	254
#define PARAM_VALUE_MAX	4096
#define PARAMS_MAX	64
#define PASSWORD_MAX	1024
#define CLIENT_MAX	128

/* text_ok - well-formed UTF-8 without control characters (tab allowed) */
static int
text_ok(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n > max || !utf8_valid(s, n))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

/* atext - RFC 5322 atext */
static int
atext(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* domain_valid - dotted labels of letters, digits and hyphens */
static int
domain_valid(const char *d, size_t n, int need_dot)
{
	size_t i, label = 0;
	int dots = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.') {
			if (label == 0 || d[i - 1] == '-')
				return 0;
			label = 0;
			dots++;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	if (label == 0 || d[n - 1] == '-')
		return 0;
	if (need_dot && dots == 0 && !(n == 9 &&
	    strncasecmp(d, "localhost", 9) == 0))
		return 0;
	return 1;
}

int
email_valid(const char *addr)
{
	const char *at;
	size_t i, n, local;

	if (addr == NULL || (n = strlen(addr)) == 0 || n > EMAIL_MAX)
		return 0;
	if ((at = strchr(addr, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	local = (size_t)(at - addr);
	if (local == 0 || local > 64 || addr[0] == '.' ||
	    addr[local - 1] == '.')
		return 0;
	for (i = 0; i < local; i++) {
		if (addr[i] == '.') {
			if (addr[i + 1] == '.')
				return 0;
		} else if (!atext((unsigned char)addr[i]))
			return 0;
	}
	return domain_valid(at + 1, n - local - 1, 1);
}

/* ip_parse - an IPv4 or IPv6 literal into 16 bytes (v4 mapped); 4 or 6 */
static int
ip_parse(const char *s, size_t n, unsigned char out[16])
{
	char tmp[INET6_ADDRSTRLEN + 1];
	struct in_addr a4;

	if (n == 0 || n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, &a4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
		return 4;
	}
	if (inet_pton(AF_INET6, tmp, out) == 1)
		return 6;
	return 0;
}

/* cidr_match - host (bytes) in pattern "ADDR" or "ADDR/BITS"? */
static int
cidr_match(const char *p, size_t n, const unsigned char host[16])
{
	unsigned char net[16];
	const char *slash = memchr(p, '/', n);
	size_t alen = slash ? (size_t)(slash - p) : n;
	int fam, bits, i;
	char *end;

	if ((fam = ip_parse(p, alen, net)) == 0)
		return 0;
	bits = fam == 4 ? 32 : 128;
	if (slash != NULL) {
		char num[8];
		size_t bl = n - alen - 1;

		if (bl == 0 || bl >= sizeof(num))
			return 0;
		memcpy(num, slash + 1, bl);
		num[bl] = '\0';
		bits = (int)strtol(num, &end, 10);
		if (*end != '\0' || !isdigit((unsigned char)num[0]) ||
		    bits < 0 || bits > (fam == 4 ? 32 : 128))
			return 0;
	}
	if (fam == 4)
		bits += 96;
	for (i = 0; i < 16 && bits > 0; i++, bits -= 8) {
		unsigned char mask = bits >= 8 ? 0xff :
		    (unsigned char)(0xff << (8 - bits));

		if ((net[i] & mask) != (host[i] & mask))
			return 0;
	}
	return 1;
}

/* pattern_match - one allow-list pattern against a host name */
static int
pattern_match(const char *p, size_t n, const char *host)
{
	unsigned char addr[16];
	size_t hl = strlen(host);

	if (n == 0)
		return 0;
	if (ip_parse(host, hl, addr) != 0)
		return cidr_match(p, n, addr);
	if (n > 2 && p[0] == '*' && p[1] == '.')
		return hl > n - 1 && strncasecmp(host + hl - (n - 1), p + 1,
		    n - 1) == 0;
	return hl == n && strncasecmp(host, p, n) == 0;
}

int
host_allowed(const char *patterns, const char *host)
{
	const char *p, *e;
	size_t n;

	if (patterns == NULL || host == NULL)
		return 0;
	for (p = patterns; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		while (p < e && isspace((unsigned char)*p))
			p++;
		n = (size_t)(e - p);
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		if (pattern_match(p, n, host))
			return 1;
	}
	return 0;
}

/* url_host - the host of an http(s) URL into host (brackets removed) */
static int
url_host(const char *url, char *host, size_t size, char *err, size_t errlen)
{
	const char *a, *e, *h, *he, *port;
	unsigned char addr[16];
	size_t n;

	if (strncasecmp(url, "http://", 7) == 0)
		a = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		a = url + 8;
	else {
		seterr(err, errlen, "callback must be an http:// or https:// "
		    "URL");
		return -1;
	}
	e = a + strcspn(a, "/?#");
	if (memchr(a, '@', (size_t)(e - a)) != NULL) {
		seterr(err, errlen, "callback URL must not hold a user name");
		return -1;
	}
	h = a;
	if (*a == '[') {
		h = a + 1;
		if ((he = memchr(h, ']', (size_t)(e - h))) == NULL ||
		    ip_parse(h, (size_t)(he - h), addr) != 6)
			goto badhost;
		port = he + 1;
	} else {
		he = memchr(a, ':', (size_t)(e - a));
		if (he == NULL)
			he = e;
		port = he;
		if (!domain_valid(h, (size_t)(he - h), 0))
			goto badhost;
	}
	if (port < e) {
		const char *q;
		long pn = 0;

		if (*port != ':' || port + 1 == e || e - port > 6)
			goto badport;
		for (q = port + 1; q < e; q++) {
			if (!isdigit((unsigned char)*q))
				goto badport;
			pn = pn * 10 + (*q - '0');
		}
		if (pn < 1 || pn > 65535)
			goto badport;
	}
	n = (size_t)(he - h);
	if (n >= size)
		goto badhost;
	memcpy(host, h, n);
	host[n] = '\0';
	return 0;
 badhost:
	seterr(err, errlen, "callback URL has no valid host");
	return -1;
 badport:
	seterr(err, errlen, "callback URL has a bad port");
	return -1;
}

int
callback_valid(const struct config *c, const char *url, char *err,
    size_t errlen)
{
	char host[256];
	size_t i, n;

	if (url == NULL || (n = strlen(url)) == 0) {
		seterr(err, errlen, "empty callback URL");
		return -1;
	}
	if (n > URL_MAX) {
		seterr(err, errlen, "callback URL longer than %d bytes",
		    URL_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)url[i];

		if (ch <= 0x20 || ch >= 0x7f) {
			seterr(err, errlen, "callback URL holds a space, a "
			    "control or a non-ASCII character");
			return -1;
		}
	}
	if (url_host(url, host, sizeof(host), err, errlen) == -1)
		return -1;
	if (c != NULL && c->callback_allow != NULL &&
	    c->callback_allow[0] != '\0' &&
	    !host_allowed(c->callback_allow, host)) {
		seterr(err, errlen, "callback host %s is not in "
		    "callback_allow", host);
		return -1;
	}
	return 0;
}

/* param_cmp - qsort by name, then value */
static int
param_cmp(const void *a, const void *b)
{
	const struct param *pa = *(const struct param *const *)a;
	const struct param *pb = *(const struct param *const *)b;
	int r = strcmp(pa->name, pb->name);

	return r ? r : strcmp(pa->value, pb->value);
}

/* request_hash - SHA-256 hex of client, type, format and sorted params */
static char *
request_hash(const struct job *j)
{
	static const char hex[] = "0123456789abcdef";
	const struct param **v;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	struct buf b;
	char *out;
	size_t k;

	buf_init(&b);
	buf_adds(&b, j->client ? j->client : "");
	buf_addc(&b, '\n');
	buf_adds(&b, j->type);
	buf_addc(&b, '\n');
	buf_adds(&b, format_name(j->format));
	v = xreallocarray(NULL, j->nparams ? j->nparams : 1, sizeof(*v));
	for (k = 0; k < j->nparams; k++)
		v[k] = &j->params[k];
	qsort(v, j->nparams, sizeof(*v), param_cmp);
	for (k = 0; k < j->nparams; k++) {
		/* lengths first: no two lists hash alike by splicing */
		buf_addf(&b, "\n%zu:%s=%zu:%s", strlen(v[k]->name),
		    v[k]->name, strlen(v[k]->value), v[k]->value);
	}
	free(v);
	EVP_Digest(b.p, b.len, md, &mdlen, EVP_sha256(), NULL);
	buf_free(&b);
	out = xmalloc(mdlen * 2 + 1);
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[mdlen * 2] = '\0';
	return out;
}

/* params_valid - names legal and unique, values clean text */
static int
params_valid(const struct job *j, char *err, size_t errlen)
{
	size_t i, k;

	if (j->nparams > PARAMS_MAX) {
		seterr(err, errlen, "more than %d parameters", PARAMS_MAX);
		return -1;
	}
	for (i = 0; i < j->nparams; i++) {
		if (!param_name_valid(j->params[i].name)) {
			seterr(err, errlen, "invalid parameter name (letters, "
			    "digits and _, starting with a letter)");
			return -1;
		}
		if (!text_ok(j->params[i].value, PARAM_VALUE_MAX)) {
			seterr(err, errlen, "parameter %s: value is not clean "
			    "UTF-8 text of at most %d bytes",
			    j->params[i].name, PARAM_VALUE_MAX);
			return -1;
		}
		for (k = 0; k < i; k++)
			if (strcmp(j->params[k].name,
			    j->params[i].name) == 0) {
				seterr(err, errlen, "parameter %s given twice",
				    j->params[i].name);
				return -1;
			}
	}
	return 0;
}

int
job_validate(const struct config *c, struct job *j, const char **code,
    char *err, size_t errlen)
{
	const struct xtype *t;

	*code = "INVALID_PARAMETER";
	if (j->type == NULL || !type_valid(j->type) ||
	    (t = config_type(c, j->type)) == NULL) {
		*code = "UNKNOWN_EXPORT_TYPE";
		seterr(err, errlen, "unknown export type");
		return -1;
	}
	if (j->format == FMT_NONE)
		j->format = FMT_JSON;
	if (j->format != FMT_JSON && j->format != FMT_CSV) {
		*code = "UNSUPPORTED_FORMAT";
		seterr(err, errlen, "unknown format");
		return -1;
	}
	if ((t->formats & (unsigned)j->format) == 0) {
		*code = "UNSUPPORTED_FORMAT";
		seterr(err, errlen, "type %s does not support format %s",
		    t->name, format_name(j->format));
		return -1;
	}
	if (j->email != NULL && !email_valid(j->email)) {
		seterr(err, errlen, "invalid e-mail address");
		return -1;
	}
	if (j->callback != NULL &&
	    callback_valid(c, j->callback, err, errlen) == -1)
		return -1;
	if (j->password != NULL && (j->password[0] == '\0' ||
	    !text_ok(j->password, PASSWORD_MAX))) {
		seterr(err, errlen, "the password must be 1 to %d bytes of "
		    "text without control characters", PASSWORD_MAX);
		return -1;
	}
	if (j->client != NULL && !text_ok(j->client, CLIENT_MAX)) {
		seterr(err, errlen, "invalid client name");
		return -1;
	}
	if (params_valid(j, err, errlen) == -1)
		return -1;
	free(j->request_hash);
	j->request_hash = request_hash(j);
	*code = NULL;
	return 0;
}
