/* t-submit.c - request validation: callback URLs against callback_allow,
 * job_validate's codes and the request hash (the address, e-mail and URL
 * rules themselves are tested in t-net.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "tap.h"

#define T(cond, ...) do {						\
	int t_ = !!(cond);						\
	ok(t_, __VA_ARGS__);						\
} while (0)

static void
test_callback(void)
{
	static const char *good[] = {
		"http://example.com", "https://example.com/hook?a=1#x",
		"http://127.0.0.1:8080/h", "https://[::1]:443/h",
		"HTTPS://Example.COM/", "http://localhost/",
	};
	static const char *bad[] = {
		"ftp://example.com/", "example.com", "http://", "http:///x",
		"http://user:pw@example.com/", "http://exa mple.com/",
		"http://example.com/\r\nX: y", "http://example.com:0/",
		"http://example.com:99999/", "http://example.com:x/",
		"http://[::1/", "http://[nothex]/", "javascript:alert(1)",
		"http://exa_mple.com/",
	};
	struct config c;
	char err[ERRLEN], *longurl;
	size_t i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		T(callback_valid(&c, good[i], err, sizeof(err)) == 0,
		    "callback ok: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T(callback_valid(&c, bad[i], err, sizeof(err)) == -1,
		    "callback refused: %zu", i);
	longurl = xmalloc(2100);
	memcpy(longurl, "http://e.com/", 13);
	memset(longurl + 13, 'a', 2086);
	longurl[2099] = '\0';
	T(callback_valid(&c, longurl, err, sizeof(err)) == -1,
	    "callback over 2048 bytes refused");
	free(longurl);

	c.callback_allow = "*.example.com, 127.0.0.0/8,hooks.test";
	T(callback_valid(&c, "https://a.example.com/", err, sizeof(err)) == 0,
	    "allowed by *.example.com");
	T(callback_valid(&c, "https://example.com/", err, sizeof(err)) == -1,
	    "*.example.com does not cover example.com");
	T(callback_valid(&c, "https://evilexample.com/", err,
	    sizeof(err)) == -1, "*.example.com does not cover evilexample.com");
	T(callback_valid(&c, "http://127.9.9.9:81/", err, sizeof(err)) == 0,
	    "allowed by 127.0.0.0/8");
	T(callback_valid(&c, "http://128.0.0.1/", err, sizeof(err)) == -1,
	    "128.0.0.1 not in 127.0.0.0/8");
	T(callback_valid(&c, "http://HOOKS.test/", err, sizeof(err)) == 0,
	    "exact host, any case");
	T(callback_valid(&c, "http://10.0.0.1/", err, sizeof(err)) == -1 &&
	    strstr(err, "callback_allow") != NULL, "message names callback_allow");
}

static void
test_validate(void)
{
	struct xtype t[2];
	struct config c;
	struct job j, k;
	const char *code;
	char err[ERRLEN], *h1;

	memset(&c, 0, sizeof(c));
	memset(t, 0, sizeof(t));
	t[0].name = "Invoices";
	t[0].formats = FMT_JSON | FMT_CSV;
	t[1].name = "Only";
	t[1].formats = FMT_CSV;
	c.types = t;
	c.ntypes = 2;

	job_init(&j);
	j.type = xstrdup("Nope");
	T(job_validate(&c, &j, &code, err, sizeof(err)) == -1 &&
	    strcmp(code, "UNKNOWN_EXPORT_TYPE") == 0, "unknown type");
	free(j.type);
	j.type = xstrdup("../etc");
	T(job_validate(&c, &j, &code, err, sizeof(err)) == -1 &&
	    strcmp(code, "UNKNOWN_EXPORT_TYPE") == 0, "type ../etc");
	free(j.type);
	j.type = xstrdup("Only");
	T(job_validate(&c, &j, &code, err, sizeof(err)) == -1 &&
	    strcmp(code, "UNSUPPORTED_FORMAT") == 0,
	    "default JSON not supported by a CSV-only type");
	j.format = FMT_CSV;
	T(job_validate(&c, &j, &code, err, sizeof(err)) == 0, "CSV ok");
	T(j.request_hash != NULL && strlen(j.request_hash) == 64,
	    "request hash set");
	free(j.type);
	j.type = xstrdup("Invoices");
	j.format = FMT_NONE;
	T(job_validate(&c, &j, &code, err, sizeof(err)) == 0 &&
	    j.format == FMT_JSON, "format defaults to JSON");
	j.email = xstrdup("a@b.com\r\nBcc: x@y.com");
	T(job_validate(&c, &j, &code, err, sizeof(err)) == -1 &&
	    strcmp(code, "INVALID_PARAMETER") == 0, "bad email");
	free(j.email);
	j.email = NULL;
	j.callback = xstrdup("ftp://x.com/");
	T(job_validate(&c, &j, &code, err, sizeof(err)) == -1 &&
	    strcmp(code, "INVALID_PARAMETER") == 0, "bad callback");
	free(j.callback);
	j.callback = NULL;
	job_set_param(&j, "from", "2026-01-01");
	job_set_param(&j, "to", "2026-02-01");
	T(job_validate(&c, &j, &code, err, sizeof(err)) == 0, "params ok");
	h1 = xstrdup(j.request_hash);

	job_init(&k);
	k.type = xstrdup("Invoices");
	job_set_param(&k, "to", "2026-02-01");
	job_set_param(&k, "from", "2026-01-01");
	T(job_validate(&c, &k, &code, err, sizeof(err)) == 0 &&
	    strcmp(k.request_hash, h1) == 0,
	    "same request, other parameter order: same hash");
	k.format = FMT_CSV;
	job_validate(&c, &k, &code, err, sizeof(err));
	T(strcmp(k.request_hash, h1) != 0, "other format: other hash");
	k.format = FMT_JSON;
	k.client = xstrdup("erp");
	job_validate(&c, &k, &code, err, sizeof(err));
	T(strcmp(k.request_hash, h1) != 0, "other client: other hash");
	job_free(&k);

	job_set_param(&j, "x", "a\nb");
	T(job_validate(&c, &j, &code, err, sizeof(err)) == -1,
	    "control character in a value refused");
	job_free(&j);
	job_init(&j);
	j.type = xstrdup("Invoices");
	job_set_param(&j, "1x", "v");
	T(job_validate(&c, &j, &code, err, sizeof(err)) == -1 &&
	    strcmp(code, "INVALID_PARAMETER") == 0, "bad parameter name");
	job_free(&j);
	free(h1);
}

int
main(void)
{
	test_callback();
	test_validate();
	return done_testing();
}
