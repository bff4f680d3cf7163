/* t-net.c - the network rules of net.c: addresses and ranges (v4, v6,
 * v4-mapped), host name patterns, address classes and what a callback
 * may reach, e-mail addresses, and callback URLs as libcurl parses them. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "tap.h"

/* A16 - the 16 bytes of an address literal (the test's own parse) */
static const unsigned char *
A16(const char *s)
{
	static unsigned char a[4][16];
	static int k;
	unsigned char *p = a[k++ % 4];
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(p, 0, 10);
		p[10] = p[11] = 0xff;
		memcpy(p + 12, &a4, 4);
	} else if (inet_pton(AF_INET6, s, p) != 1)
		abort();
	return p;
}

/* in_range - does RANGE (net_range_parse) cover ADDR? -1 when malformed */
static int
in_range(const char *range, const char *addr)
{
	unsigned char net[16];
	int bits;

	if (net_range_parse(range, strlen(range), net, &bits) == -1)
		return -1;
	return net_range_match(net, bits, A16(addr));
}

static void
test_addr_parse(void)
{
	unsigned char a[16];

	ok(net_addr_parse("10.1.2.3", 8, a) == 4 &&
	    memcmp(a, A16("::ffff:10.1.2.3"), 16) == 0,
	    "IPv4 is kept v4-mapped");
	ok(net_addr_parse("2001:db8::1", 11, a) == 6 &&
	    memcmp(a, A16("2001:db8::1"), 16) == 0, "IPv6");
	ok(net_addr_parse("::ffff:127.0.0.1", 16, a) == 6 &&
	    memcmp(a, A16("127.0.0.1"), 16) == 0,
	    "a v4-mapped literal is the same 16 bytes as its IPv4");
	ok(net_addr_parse("10.1.2.3/8", 8, a) == 4,
	    "only n bytes are read");
	ok(net_addr_parse("example.com", 11, a) == 0, "a name is not one");
	ok(net_addr_parse("127.1", 5, a) == 0, "127.1 is not a literal");
	ok(net_addr_parse("0x7f.0.0.1", 10, a) == 0, "hex is not a literal");
	ok(net_addr_parse("", 0, a) == 0, "empty");
	ok(net_addr_parse("[::1]", 5, a) == 0, "brackets are not part of it");
	ok(net_addr_parse("1.2.3.4 ", 8, a) == 0, "no trailing blank");
}

static void
test_addr_sa(void)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	struct sockaddr su;
	unsigned char a[16];

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	inet_pton(AF_INET, "192.168.1.5", &s4.sin_addr);
	ok(net_addr_sa((struct sockaddr *)&s4, a) == 0 &&
	    memcmp(a, A16("192.168.1.5"), 16) == 0, "sockaddr_in, mapped");
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "fe80::1", &s6.sin6_addr);
	ok(net_addr_sa((struct sockaddr *)&s6, a) == 0 &&
	    memcmp(a, A16("fe80::1"), 16) == 0, "sockaddr_in6");
	memset(&su, 0, sizeof(su));
	su.sa_family = AF_UNIX;
	ok(net_addr_sa(&su, a) == -1, "AF_UNIX is not an address");
	ok(net_addr_sa(NULL, a) == -1, "NULL");
}

static void
test_addr_text(void)
{
	char out[INET6_ADDRSTRLEN];

	net_addr_text(A16("127.0.0.1"), out, sizeof(out));
	is_str(out, "127.0.0.1", "text: v4-mapped as IPv4");
	net_addr_text(A16("fe80::1"), out, sizeof(out));
	is_str(out, "fe80::1", "text: IPv6");
	net_addr_text(A16("::"), out, sizeof(out));
	is_str(out, "::", "text: ::");
}

static void
test_ranges(void)
{
	ok(in_range("10.0.0.0/8", "10.200.0.1") == 1, "v4 /8");
	ok(in_range("10.0.0.0/8", "11.0.0.1") == 0, "outside v4 /8");
	ok(in_range("192.168.1.7", "192.168.1.7") == 1, "one v4 address");
	ok(in_range("192.168.1.7", "192.168.1.8") == 0, "... not the next");
	ok(in_range("172.16.0.0/12", "172.31.255.255") == 1, "/12 top");
	ok(in_range("172.16.0.0/12", "172.32.0.0") == 0, "/12 past it");
	ok(in_range("10.1.2.3/32", "10.1.2.3") == 1, "/32");
	ok(in_range("0.0.0.0/0", "8.8.8.8") == 1, "0.0.0.0/0: any v4");
	ok(in_range("0.0.0.0/0", "2001:db8::1") == 0,
	    "0.0.0.0/0 is not every IPv6 address");
	ok(in_range("::/0", "10.0.0.1") == 1, "::/0 takes v4 too (mapped)");
	ok(in_range("2001:db8::/32", "2001:db8:1::9") == 1, "v6 /32");
	ok(in_range("2001:db8::/32", "2001:db9::1") == 0, "outside v6 /32");
	ok(in_range("fd00::/8", "fd12::1") == 1, "v6 /8");
	ok(in_range("fe80::/10", "febf::1") == 1, "v6 /10, last");
	ok(in_range("fe80::/10", "fec0::1") == 0, "v6 /10, past it");
	ok(in_range("::1", "::1") == 1, "::1");
	ok(in_range("::1", "127.0.0.1") == 0, "::1 is not 127.0.0.1");
	ok(in_range("127.0.0.1", "::ffff:127.0.0.1") == 1,
	    "v4 address covers its v4-mapped form");
	ok(in_range("::ffff:127.0.0.0/104", "127.9.9.9") == 1,
	    "a v4-mapped v6 range covers the v4 addresses");
	ok(in_range("10.0.0.0/8", "::a00:1") == 0,
	    "a v4 range does not cover v4-compatible ::10.0.0.1");
	ok(in_range("10.0.0.0/33", "10.0.0.1") == -1, "v4 /33 refused");
	ok(in_range("::/129", "::1") == -1, "v6 /129 refused");
	ok(in_range("10.0.0.0/", "10.0.0.1") == -1, "empty bits refused");
	ok(in_range("10.0.0.0/-1", "10.0.0.1") == -1, "negative refused");
	ok(in_range("10.0.0.0/+8", "10.0.0.1") == -1, "sign refused");
	ok(in_range("10.0.0.0/8x", "10.0.0.1") == -1, "junk refused");
	ok(in_range("10.0.0.0/0008", "10.0.0.1") == -1, "4 digits refused");
	ok(in_range("10.0.0/8", "10.0.0.1") == -1, "short v4 refused");
	ok(in_range("*.example.com", "10.0.0.1") == -1, "a name is no range");
	ok(in_range("/8", "10.0.0.1") == -1, "no address refused");
}

static void
test_lists(void)
{
	static const char *l = " 10.0.0.0/8 ,192.168.1.5,2001:db8::/32,"
	    "*.example.com";

	ok(net_list_has_addr(l, A16("10.1.1.1")), "list: first entry");
	ok(net_list_has_addr(l, A16("::ffff:192.168.1.5")),
	    "list: v4-mapped peer, second entry");
	ok(net_list_has_addr(l, A16("2001:db8::7")), "list: third entry");
	ok(!net_list_has_addr(l, A16("8.8.8.8")), "list: none");
	ok(!net_list_has_addr("", A16("10.0.0.1")), "empty list: none");
	ok(!net_list_has_addr(NULL, A16("10.0.0.1")), "NULL list: none");
	ok(net_list_ranges_valid("10.0.0.0/8,::1,192.168.0.1"),
	    "ranges_valid: all ranges");
	ok(!net_list_ranges_valid("10.0.0.0/8,*.example.com"),
	    "ranges_valid: a name is refused");
	ok(!net_list_ranges_valid("10.0.0.0/8,"), "ranges_valid: empty entry");
	ok(!net_list_ranges_valid(""), "ranges_valid: empty list");
}

static void
test_names(void)
{
	ok(net_name_match("*.example.com", 13, "a.example.com"), "*. one");
	ok(net_name_match("*.example.com", 13, "a.b.example.com"),
	    "*. several labels");
	ok(!net_name_match("*.example.com", 13, "example.com"),
	    "*.example.com is not example.com");
	ok(!net_name_match("*.example.com", 13, "evilexample.com"),
	    "no suffix trick");
	ok(!net_name_match("*.example.com", 13, "a.example.com.evil.net"),
	    "no prefix trick");
	ok(net_name_match("*.example.com", 13, "A.EXAMPLE.COM"), "any case");
	ok(net_name_match("*.example.com", 13, "a.example.com."),
	    "a trailing dot on the host");
	ok(net_name_match("*.example.com.", 14, "a.example.com"),
	    "a trailing dot on the pattern");
	ok(!net_name_match("*.example.com", 13, "a.example.com.."),
	    "only one trailing dot");
	ok(net_name_match("hooks.test", 10, "HOOKS.test"), "exact, any case");
	ok(!net_name_match("hooks.test", 10, "xhooks.test"), "exact only");
	ok(!net_name_match("*", 1, "anything"), "a lone * matches nothing");
	ok(!net_name_match("", 0, "x"), "empty pattern");
	ok(!net_name_match("x", 1, ""), "empty host");
	ok(!net_name_match(".", 1, "."), "the root alone");

	ok(net_host_allowed("10.0.0.0/8", "10.1.2.3"), "allowed: CIDR");
	ok(!net_host_allowed("10.0.0.0/8", "11.1.2.3"), "allowed: outside");
	ok(net_host_allowed("::1", "::1"), "allowed: IPv6");
	ok(net_host_allowed("127.0.0.1", "::ffff:127.0.0.1"),
	    "allowed: the v4-mapped literal of a v4 entry");
	ok(!net_host_allowed("*.example.com", "10.0.0.1"),
	    "allowed: a name pattern never covers an IP literal");
	ok(!net_host_allowed("10.0.0.0/8", "10.example.com"),
	    "allowed: a range never covers a name");
	ok(!net_host_allowed("192.168.1.7/33", "192.168.1.7"),
	    "allowed: a bad prefix length matches nothing");
	ok(net_host_allowed("a.com , b.com", "b.com"),
	    "allowed: second of two, blanks around");
	ok(!net_host_allowed("", "example.com"), "allowed: empty list");
	ok(!net_host_allowed(NULL, "example.com"), "allowed: NULL list");
}

static void
test_classes(void)
{
	static const struct {
		const char	*addr;
		enum net_class	 c;
	} t[] = {
		{ "8.8.8.8", NET_PUBLIC },
		{ "93.184.216.34", NET_PUBLIC },
		{ "127.0.0.1", NET_LOOPBACK },
		{ "127.255.255.254", NET_LOOPBACK },
		{ "10.0.0.1", NET_PRIVATE },
		{ "172.16.0.1", NET_PRIVATE },
		{ "172.31.255.255", NET_PRIVATE },
		{ "172.32.0.1", NET_PUBLIC },
		{ "192.168.1.1", NET_PRIVATE },
		{ "100.64.0.1", NET_PRIVATE },
		{ "100.128.0.1", NET_PUBLIC },
		{ "169.254.169.254", NET_LINKLOCAL },
		{ "0.0.0.0", NET_UNSPECIFIED },
		{ "0.1.2.3", NET_UNSPECIFIED },
		{ "224.0.0.1", NET_MULTICAST },
		{ "239.255.255.250", NET_MULTICAST },
		{ "255.255.255.255", NET_RESERVED },
		{ "240.0.0.1", NET_RESERVED },
		{ "192.0.0.8", NET_RESERVED },
		{ "198.18.0.1", NET_RESERVED },
		{ "::", NET_UNSPECIFIED },
		{ "::1", NET_LOOPBACK },
		{ "fe80::1", NET_LINKLOCAL },
		{ "febf::1", NET_LINKLOCAL },
		{ "fc00::1", NET_PRIVATE },
		{ "fd12:3456::1", NET_PRIVATE },
		{ "fec0::1", NET_PRIVATE },
		{ "ff02::1", NET_MULTICAST },
		{ "2001:db8::1", NET_PUBLIC },
		{ "2606:4700::1111", NET_PUBLIC },
		{ "::ffff:127.0.0.1", NET_LOOPBACK },
		{ "::ffff:10.1.2.3", NET_PRIVATE },
		{ "::ffff:169.254.169.254", NET_LINKLOCAL },
		{ "::ffff:0.0.0.0", NET_UNSPECIFIED },
		{ "::ffff:224.0.0.1", NET_MULTICAST },
		{ "::ffff:8.8.8.8", NET_PUBLIC },
		{ "::127.0.0.1", NET_LOOPBACK },		/* v4-compatible */
		{ "64:ff9b::a00:1", NET_PRIVATE },	/* NAT64 of 10.0.0.1 */
		{ "64:ff9b::808:808", NET_PUBLIC },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok(net_addr_class(A16(t[i].addr)) == t[i].c, "%s is %s",
		    t[i].addr, net_class_name(t[i].c));
	ok(strcmp(net_class_name(NET_LINKLOCAL), "link-local") == 0,
	    "class names");
}

static void
test_reachable(void)
{
	ok(net_addr_reachable(NULL, A16("8.8.8.8")), "public: reachable");
	ok(!net_addr_reachable(NULL, A16("127.0.0.1")), "loopback: not");
	ok(!net_addr_reachable("", A16("10.0.0.1")), "private: not");
	ok(!net_addr_reachable("*.example.com,localhost", A16("127.0.0.1")),
	    "a name pattern never opens loopback");
	ok(!net_addr_reachable("*.example.com", A16("::ffff:10.0.0.1")),
	    "... nor a v4-mapped private address");
	ok(net_addr_reachable("*.example.com, 127.0.0.1", A16("127.0.0.1")),
	    "an address entry opens it");
	ok(net_addr_reachable("127.0.0.1", A16("::ffff:127.0.0.1")),
	    "... and its v4-mapped form");
	ok(!net_addr_reachable("127.0.0.1", A16("127.0.0.2")),
	    "... not its neighbour");
	ok(net_addr_reachable("127.0.0.0/8", A16("127.0.0.2")),
	    "a range entry opens its addresses");
	ok(!net_addr_reachable("10.0.0.0/8", A16("127.0.0.1")),
	    "10.0.0.0/8 does not open 127.0.0.1");
	ok(net_addr_reachable("fd00::/8", A16("fd00::5")), "a v6 range");
	ok(!net_addr_reachable("::1", A16("fe80::1")), "::1 is only ::1");
	ok(net_addr_reachable("0.0.0.0/0", A16("169.254.169.254")),
	    "0.0.0.0/0 opens every IPv4 address, as written");
}

static void
test_email(void)
{
	static const char *good[] = {
		"ops@example.com", "a.b+tag@mail.example.org", "x@localhost",
		"o'brien@example.ie", "a_b-c@sub-domain.example.co.uk",
	};
	static const char *bad[] = {
		"", "ops", "@example.com", "ops@", "ops@example",
		"ops@example.com\r\nBcc: x@evil.com", "ops@exa\nmple.com",
		"ops@example.com\n", "ops@example.com\r", "\r\nops@example.com",
		"ops\r@example.com", "a b@example.com", "a,b@example.com",
		"<a@example.com>", "a@b@example.com", ".a@example.com",
		"a.@example.com", "a..b@example.com", "a@-example.com",
		"a@example-.com", "a@exa_mple.com", "a@example..com",
		"\"a\"@example.com", "a\t@example.com", "ops@example.com.",
		"ops@[127.0.0.1]", "ops@example.com>", "ops@ex%0aample.com",
	};
	char longaddr[300];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(net_email_valid(good[i]), "email ok: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!net_email_valid(bad[i]), "email refused: %zu", i);
	ok(!net_email_valid(NULL), "email: NULL");
	memset(longaddr, 'a', 65);
	strcpy(longaddr + 65, "@example.com");
	ok(!net_email_valid(longaddr), "email: local part over 64 bytes");
	memset(longaddr, 'a', 240);
	strcpy(longaddr + 240, "@example.com.x");
	ok(!net_email_valid(longaddr), "email: over 254 bytes");
}

/* url - net_url_parse's host and port as "HOST PORT", or "-" and the
 * reason in err */
static const char *
url(const char *s, char *err, size_t errlen)
{
	static char out[300];
	struct net_url u;

	if (net_url_parse(s, &u, err, errlen) == -1)
		return "-";
	snprintf(out, sizeof(out), "%s %s %s", u.scheme, u.host, u.port);
	net_url_free(&u);
	return out;
}

static void
test_url(void)
{
	static const struct {
		const char	*url;
		const char	*want;	/* "scheme host port", or "-" */
	} t[] = {
		{ "http://example.com", "http example.com 80" },
		{ "https://example.com/hook?a=1#x", "https example.com 443" },
		{ "HTTPS://Example.COM:8443/", "https Example.COM 8443" },
		{ "http://example.com./", "http example.com. 80" },
		{ "http://example.com:/", "http example.com 80" },
		{ "http://127.0.0.1:8080/h", "http 127.0.0.1 8080" },
		{ "http://[::1]:443/h", "http ::1 443" },
		{ "http://[0:0:0:0:0:0:0:1]/", "http ::1 80" },
		{ "http://[::ffff:127.0.0.1]/", "http ::ffff:127.0.0.1 80" },
		{ "http://localhost/", "http localhost 80" },
		/* curl's own IPv4 forms become the address they mean */
		{ "http://2130706433/", "http 127.0.0.1 80" },
		{ "http://0x7f.1/", "http 127.0.0.1 80" },
		{ "http://127.1/", "http 127.0.0.1 80" },
		{ "http://0/", "http 0.0.0.0 80" },
		/* percent-encoding in the host is decoded, then checked */
		{ "http://%31%32%37.0.0.1/", "http 127.0.0.1 80" },
		{ "http://ho%6Fks.example.com/", "http hooks.example.com 80" },
		{ "http://ex%00ample.com/", "-" },
		{ "http://ex%2fample.com/", "-" },
		/* a user name, however hidden */
		{ "http://a@b.example/", "-" },
		{ "http://hooks.example.com@127.0.0.1/", "-" },
		{ "http://user:pw@example.com/", "-" },
		{ "http://:@example.com/", "-" },
		{ "http://@example.com/", "-" },
		{ "http://example.com%2f@evil.example/", "-" },
		/* what is after the host cannot move it */
		{ "http://example.com#@evil.example/", "http example.com 80" },
		{ "http://example.com?@evil.example/", "http example.com 80" },
		/* backslashes: WHATWG reads them as /, curl does not */
		{ "http://evil.example\\@good.example/", "-" },
		{ "http://evil.example\\good.example/", "-" },
		{ "http:\\\\example.com/", "-" },
		/* schemes and slashes */
		{ "ftp://example.com/", "-" },
		{ "gopher://example.com/", "-" },
		{ "file:///etc/passwd", "-" },
		{ "javascript:alert(1)", "-" },
		{ "example.com", "-" },
		{ "http:/example.com/", "-" },
		{ "http:///example.com", "-" },
		{ "http:example.com", "-" },
		{ "http://", "-" },
		{ "", "-" },
		/* hosts */
		{ "http://exa_mple.com/", "-" },
		{ "http://-a.example/", "-" },
		{ "http://a-.example/", "-" },
		{ "http://a..example/", "-" },
		{ "http://example.com../", "-" },
		{ "http://[::1/", "-" },
		{ "http://[nothex]/", "-" },
		{ "http://[::1]x/", "-" },
		{ "http://[fe80::1%25eth0]/", "-" },
		{ "http://b\xc3\xbc" "cher.example/", "-" },
		{ "http://xn--bcher-kva.example/", "http xn--bcher-kva.example 80" },
		/* ports */
		{ "http://example.com:0/", "-" },
		{ "http://example.com:65535/", "http example.com 65535" },
		{ "http://example.com:65536/", "-" },
		{ "http://example.com:99999/", "-" },
		{ "http://example.com:x/", "-" },
		{ "http://example.com:-1/", "-" },
		/* characters */
		{ "http://exa mple.com/", "-" },
		{ "http://example.com/\r\nX: y", "-" },
		{ "http://example.com/\t", "-" },
		{ "http://example.com/\x7f", "-" },
	};
	char err[ERRLEN], *longurl;
	struct net_url u;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = '\0';
		is_str(url(t[i].url, err, sizeof(err)), t[i].want, "url %zu: %s",
		    i, strpbrk(t[i].url, "\r\n\t\x7f") ? "(a control)" :
		    t[i].url);
		if (strcmp(t[i].want, "-") == 0 && err[0] == '\0')
			ok(0, "... and a reason");
	}
	url("http://a@b.example/", err, sizeof(err));
	is_str(err, "callback URL must not hold a user name", "userinfo: why");
	url("http://evil.example\\@good.example/", err, sizeof(err));
	ok(strstr(err, "backslash") != NULL, "backslash: why");
	url("http://example.com:0/", err, sizeof(err));
	is_str(err, "callback URL has a bad port", "port 0: why");
	url("gopher://example.com/", err, sizeof(err));
	is_str(err, "callback must be an http:// or https:// URL",
	    "gopher: why");
	longurl = xmalloc(2100);
	memcpy(longurl, "http://e.com/", 13);
	memset(longurl + 13, 'a', 2086);
	longurl[2099] = '\0';
	is_str(url(longurl, err, sizeof(err)), "-", "over 2048 bytes");
	longurl[2048] = '\0';
	is_str(url(longurl, err, sizeof(err)), "http e.com 80",
	    "2048 bytes are taken");
	free(longurl);

	ok(net_callback_url("*.example.com", "https://a.example.com/", &u, err,
	    sizeof(err)) == 0 && strcmp(u.host, "a.example.com") == 0,
	    "callback_url: within the allow-list");
	net_url_free(&u);
	ok(net_callback_url("*.example.com", "https://a.example.com./", &u,
	    err, sizeof(err)) == 0, "callback_url: a trailing dot");
	net_url_free(&u);
	ok(net_callback_url("*.example.com", "http://evil.example/", &u, err,
	    sizeof(err)) == -1 && strcmp(err, "callback host evil.example is "
	    "not in callback_allow") == 0, "callback_url: outside, and why");
	ok(net_callback_url("127.0.0.1", "http://2130706433/", &u, err,
	    sizeof(err)) == 0, "callback_url: 2130706433 is 127.0.0.1");
	net_url_free(&u);
	ok(net_callback_url("*.example.com", "http://%31%32%37.0.0.1/", &u,
	    err, sizeof(err)) == -1, "callback_url: an encoded literal is "
	    "still an address, which no name pattern allows");
	ok(net_callback_url(NULL, "http://anything.example/", &u, err,
	    sizeof(err)) == 0, "callback_url: no allow-list: any host");
	net_url_free(&u);
}

int
main(void)
{
	test_addr_parse();
	test_addr_sa();
	test_addr_text();
	test_ranges();
	test_lists();
	test_names();
	test_classes();
	test_reachable();
	test_email();
	test_url();
	return done_testing();
}
