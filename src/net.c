/* net.c - the network rules, in one place: IP addresses and ranges, host
 * name patterns, address classes (what a callback may reach), e-mail
 * addresses and callback URLs (parsed by libcurl, as curl delivers them). */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "xspool.h"

#define URL_MAX		2048
#define EMAIL_MAX	254
#define DOMAIN_MAX	253

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};
static const unsigned char nat64[12] = {
	0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0
};

int
net_addr_parse(const char *s, size_t n, unsigned char a[16])
{
	char tmp[INET6_ADDRSTRLEN + 1];
	struct in_addr a4;

	if (s == NULL || n == 0 || n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, &a4) == 1) {
		memcpy(a, v4mapped, 12);
		memcpy(a + 12, &a4, 4);
		return 4;
	}
	if (inet_pton(AF_INET6, tmp, a) == 1)
		return 6;
	return 0;
}

int
net_addr_sa(const struct sockaddr *sa, unsigned char a[16])
{
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		memcpy(a, v4mapped, 12);
		memcpy(a + 12, &s4->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		memcpy(a, &s6->sin6_addr, 16);
		return 0;
	}
	return -1;
}

void
net_addr_text(const unsigned char a[16], char *out, size_t len)
{
	if (memcmp(a, v4mapped, 12) == 0 ?
	    inet_ntop(AF_INET, a + 12, out, (socklen_t)len) == NULL :
	    inet_ntop(AF_INET6, a, out, (socklen_t)len) == NULL)
		snprintf(out, len, "?");
}

int
net_range_parse(const char *s, size_t n, unsigned char net[16], int *bits)
{
	const char *slash = s ? memchr(s, '/', n) : NULL;
	size_t alen = slash ? (size_t)(slash - s) : n;
	int fam, max, b = 0;
	const char *p;

	if ((fam = net_addr_parse(s, alen, net)) == 0)
		return -1;
	max = fam == 4 ? 32 : 128;
	if (slash == NULL)
		b = max;
	else {
		p = slash + 1;
		if (p == s + n || s + n - p > 3)
			return -1;
		for (; p < s + n; p++) {
			if (!isdigit((unsigned char)*p))
				return -1;
			b = b * 10 + (*p - '0');
		}
		if (b > max)
			return -1;
	}
	*bits = fam == 4 ? b + 96 : b;
	return 0;
}

int
net_range_match(const unsigned char net[16], int bits,
    const unsigned char a[16])
{
	int i;

	for (i = 0; i < 16 && bits > 0; i++, bits -= 8) {
		unsigned char m = bits >= 8 ? 0xff :
		    (unsigned char)(0xff << (8 - bits));

		if ((net[i] & m) != (a[i] & m))
			return 0;
	}
	return 1;
}

/* class_v4 - the class of an IPv4 address (host order) */
static enum net_class
class_v4(uint32_t a)
{
	if ((a >> 24) == 0)				/* 0/8 */
		return NET_UNSPECIFIED;
	if ((a >> 24) == 127)
		return NET_LOOPBACK;
	if ((a >> 16) == (169u << 8 | 254))		/* 169.254/16 */
		return NET_LINKLOCAL;
	if ((a >> 24) == 10 ||
	    (a >> 20) == (172u << 4 | 1) ||		/* 172.16/12 */
	    (a >> 16) == (192u << 8 | 168) ||		/* 192.168/16 */
	    (a >> 22) == (100u << 2 | 1))		/* 100.64/10 */
		return NET_PRIVATE;
	if ((a >> 28) == 14)				/* 224/4 */
		return NET_MULTICAST;
	if ((a >> 28) == 15 ||				/* 240/4, broadcast */
	    (a >> 8) == (192u << 16) ||			/* 192.0.0/24 */
	    (a >> 17) == (198u << 7 | 9))		/* 198.18/15 */
		return NET_RESERVED;
	return NET_PUBLIC;
}

enum net_class
net_addr_class(const unsigned char a[16])
{
	static const unsigned char zero[16];

	if (memcmp(a, zero, 16) == 0)
		return NET_UNSPECIFIED;
	if (memcmp(a, zero, 15) == 0 && a[15] == 1)
		return NET_LOOPBACK;
	/* v4-mapped, v4-compatible and NAT64 (64:ff9b::/96) carry a v4 */
	if (memcmp(a, v4mapped, 12) == 0 || memcmp(a, zero, 12) == 0 ||
	    memcmp(a, nat64, 12) == 0)
		return class_v4((uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 |
		    (uint32_t)a[14] << 8 | a[15]);
	if (a[0] == 0xff)
		return NET_MULTICAST;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)	/* fe80::/10 */
		return NET_LINKLOCAL;
	if ((a[0] & 0xfe) == 0xfc ||			/* fc00::/7 */
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0))	/* fec0::/10 */
		return NET_PRIVATE;
	return NET_PUBLIC;
}

const char *
net_class_name(enum net_class c)
{
	static const char *name[] = {
		[NET_PUBLIC] = "public", [NET_LOOPBACK] = "loopback",
		[NET_PRIVATE] = "private", [NET_LINKLOCAL] = "link-local",
		[NET_UNSPECIFIED] = "unspecified",
		[NET_MULTICAST] = "multicast", [NET_RESERVED] = "reserved",
	};

	return (unsigned)c < sizeof(name) / sizeof(name[0]) ? name[c] : "?";
}

int
net_name_match(const char *p, size_t n, const char *host)
{
	size_t hl = strlen(host);

	if (hl > 0 && host[hl - 1] == '.')	/* the root: same name */
		hl--;
	if (n > 0 && p[n - 1] == '.')
		n--;
	if (n == 0 || hl == 0)
		return 0;
	if (n > 2 && p[0] == '*' && p[1] == '.')
		return hl > n - 1 && strncasecmp(host + hl - (n - 1), p + 1,
		    n - 1) == 0;
	return hl == n && strncasecmp(host, p, n) == 0;
}

/* next_entry - the next entry of a comma-separated list, blanks trimmed;
 * NULL at the end */
static const char *
next_entry(const char **list, size_t *n)
{
	const char *p = *list, *e;

	if (p == NULL)
		return NULL;
	e = p + strcspn(p, ",");
	*list = *e == ',' ? e + 1 : NULL;
	while (p < e && isspace((unsigned char)*p))
		p++;
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	*n = (size_t)(e - p);
	return p;
}

int
net_list_ranges_valid(const char *list)
{
	unsigned char net[16];
	const char *p;
	size_t n;
	int bits;

	if (list == NULL || *list == '\0')
		return 0;
	while ((p = next_entry(&list, &n)) != NULL)
		if (net_range_parse(p, n, net, &bits) == -1)
			return 0;
	return 1;
}

int
net_list_has_addr(const char *list, const unsigned char a[16])
{
	unsigned char net[16];
	const char *p;
	size_t n;
	int bits;

	while ((p = next_entry(&list, &n)) != NULL)
		if (net_range_parse(p, n, net, &bits) == 0 &&
		    net_range_match(net, bits, a))
			return 1;
	return 0;
}

int
net_host_allowed(const char *list, const char *host)
{
	unsigned char a[16];
	const char *p;
	size_t n;

	if (list == NULL || host == NULL)
		return 0;
	if (net_addr_parse(host, strlen(host), a) != 0)
		return net_list_has_addr(list, a);
	while ((p = next_entry(&list, &n)) != NULL)
		if (net_name_match(p, n, host))
			return 1;
	return 0;
}

int
net_addr_reachable(const char *allow, const unsigned char a[16])
{
	return net_addr_class(a) == NET_PUBLIC ||
	    (allow != NULL && net_list_has_addr(allow, a));
}

/* atext - RFC 5322 atext */
static int
atext(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* domain_valid - dotted labels of letters, digits and hyphens; a single
 * label only when need_dot is 0 (or it is localhost) */
static int
domain_valid(const char *d, size_t n, int need_dot)
{
	size_t i, label = 0;
	int dots = 0;

	if (n == 0 || n > DOMAIN_MAX)
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
net_email_valid(const char *addr)
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

/* url_text - the URL's bytes before any parsing: length, characters, and
 * "http://" or "https://" then the host (curl would take "http:/h" and
 * "http:///h") */
static int
url_text(const char *url, char *err, size_t errlen)
{
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

		if (ch <= 0x20 || ch >= 0x7f || ch == '\\') {
			seterr(err, errlen, "callback URL holds a space, a "
			    "backslash, a control or a non-ASCII character");
			return -1;
		}
	}
	if (strncasecmp(url, "http://", 7) == 0)
		i = 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		i = 8;
	else {
		seterr(err, errlen, "callback must be an http:// or https:// "
		    "URL");
		return -1;
	}
	if (url[i] == '/' || url[i] == '\0') {
		seterr(err, errlen, "callback URL has no valid host");
		return -1;
	}
	return 0;
}

/* url_host - curl's host, brackets removed, checked: an IP literal or a
 * domain name (one trailing dot allowed) */
static int
url_host(CURLU *cu, struct net_url *u, char *err, size_t errlen)
{
	unsigned char a[16];
	char *h = NULL, *z = NULL;
	size_t n;
	int rc = -1;

	if (curl_url_get(cu, CURLUPART_ZONEID, &z, 0) == CURLUE_OK) {
		seterr(err, errlen, "callback URL must not name an IPv6 zone");
		goto fail;
	}
	if (curl_url_get(cu, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    (n = strlen(h)) == 0)
		goto bad;
	if (h[0] == '[') {
		if (n < 3 || h[n - 1] != ']' ||
		    net_addr_parse(h + 1, n - 2, a) != 6)
			goto bad;
		u->host = xstrndup(h + 1, n - 2);
	} else {
		if (net_addr_parse(h, n, a) == 0 && !domain_valid(h,
		    h[n - 1] == '.' ? n - 1 : n, 0))
			goto bad;
		u->host = xstrdup(h);
	}
	rc = 0;
	goto fail;
 bad:
	seterr(err, errlen, "callback URL has no valid host");
 fail:
	curl_free(h);
	curl_free(z);
	return rc;
}

/* url_port - the port, the scheme's default when none is written */
static int
url_port(CURLU *cu, struct net_url *u, char *err, size_t errlen)
{
	char *p = NULL, *end = NULL;
	long n = 0;

	if (curl_url_get(cu, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK && p[0] != '\0')
		n = strtol(p, &end, 10);
	if (p == NULL || *p == '\0' || *end != '\0' || n < 1 || n > 65535) {
		curl_free(p);
		seterr(err, errlen, "callback URL has a bad port");
		return -1;
	}
	u->port = xstrdup(p);
	curl_free(p);
	return 0;
}

int
net_url_parse(const char *url, struct net_url *u, char *err, size_t errlen)
{
	CURLU *cu = NULL;
	CURLUcode rc;
	char *s = NULL, *user = NULL, *pw = NULL;

	memset(u, 0, sizeof(*u));
	if (url_text(url, err, errlen) == -1)
		return -1;
	if ((cu = curl_url()) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	if ((rc = curl_url_set(cu, CURLUPART_URL, url, 0)) != CURLUE_OK) {
		seterr(err, errlen, "malformed callback URL: %s",
		    curl_url_strerror(rc));
		goto fail;
	}
	if (curl_url_get(cu, CURLUPART_SCHEME, &s, 0) != CURLUE_OK ||
	    (strcasecmp(s, "http") != 0 && strcasecmp(s, "https") != 0)) {
		seterr(err, errlen, "callback must be an http:// or https:// "
		    "URL");
		goto fail;
	}
	if (curl_url_get(cu, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(cu, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK) {
		seterr(err, errlen, "callback URL must not hold a user name");
		goto fail;
	}
	if (url_host(cu, u, err, errlen) == -1 ||
	    url_port(cu, u, err, errlen) == -1)
		goto fail;
	u->scheme = xstrdup(s);
	curl_free(s);
	curl_url_cleanup(cu);
	return 0;
 fail:
	curl_free(s);
	curl_free(user);
	curl_free(pw);
	curl_url_cleanup(cu);
	net_url_free(u);
	return -1;
}

void
net_url_free(struct net_url *u)
{
	free(u->scheme);
	free(u->host);
	free(u->port);
	memset(u, 0, sizeof(*u));
}

int
net_callback_url(const char *allow, const char *url, struct net_url *u,
    char *err, size_t errlen)
{
	if (net_url_parse(url, u, err, errlen) == -1)
		return -1;
	if (allow != NULL && *allow != '\0' &&
	    !net_host_allowed(allow, u->host)) {
		seterr(err, errlen, "callback host %s is not in "
		    "callback_allow", u->host);
		net_url_free(u);
		return -1;
	}
	return 0;
}
