/*
 * fuzz-submit.c - submit.c and net.c on any bytes, split at NUL into
 * fields: an e-mail address, a callback URL, host patterns (or an address
 * range list) and a host (or an address), then a request (type, format,
 * password, client, parameter names and values) for job_validate against
 * a fixed config.  What passes has no CR or LF where a header or a file
 * could be split; a URL net.c takes has a clean host and a port in range;
 * an address outside the public class is reachable only through a range
 * that covers it; a valid job written and parsed back is valid again with
 * the same request hash.
 */
#include "fuzz.h"

/* submit_job - the request of fields 4... as a job, validated */
static void
submit_job(const struct fuzz_fields *ff)
{
	const struct config *c = fuzz_std_config();
	const char *code;
	char err[ERRLEN], *hash;
	struct job j, j2;
	struct buf b;
	size_t i;

	job_init(&j);
	j.type = xstrdup(*fuzz_field(ff, 4) ? fuzz_field(ff, 4) : "Invoices");
	j.format = format_parse(fuzz_field(ff, 5));
	if (*fuzz_field(ff, 6))
		j.password = xstrdup(fuzz_field(ff, 6));
	if (*fuzz_field(ff, 7))
		j.client = xstrdup(fuzz_field(ff, 7));
	if (*fuzz_field(ff, 0))
		j.email = xstrdup(fuzz_field(ff, 0));
	if (*fuzz_field(ff, 1))
		j.callback = xstrdup(fuzz_field(ff, 1));
	for (i = 8; i + 1 < ff->n && *fuzz_field(ff, i); i += 2)
		job_set_param(&j, fuzz_field(ff, i), fuzz_field(ff, i + 1));
	if (job_validate(c, &j, &code, err, sizeof(err)) == -1) {
		fuzz_check(code != NULL && err[0] != '\0', "a refusal without"
		    " a code or a reason");
		job_free(&j);
		return;
	}
	fuzz_check(j.request_hash != NULL && strlen(j.request_hash) == 64,
	    "request hash");
	fuzz_check(j.password == NULL || strpbrk(j.password, "\r\n") == NULL,
	    "a password with CR/LF passed");
	/* through the job file and back: still valid, the same request */
	buf_init(&b);
	job_write(&j, &b, 1);
	fuzz_check(job_parse(&j2, b.p, b.len, err, sizeof(err)) == 0,
	    "a valid job's file does not parse: %s\n%s", err, b.p);
	hash = j2.request_hash;
	j2.request_hash = NULL;
	fuzz_check(job_validate(c, &j2, &code, err, sizeof(err)) == 0,
	    "a valid job is not valid after a round trip: %s", err);
	fuzz_check(strcmp(hash, j2.request_hash) == 0, "request hash changed");
	free(hash);
	job_free(&j2);
	buf_free(&b);
	job_free(&j);
}

/* fuzz_url - a URL net.c takes has a clean host and a port in range */
static void
fuzz_url(const char *s)
{
	struct net_url u;
	char err[ERRLEN];
	long port;

	if (net_url_parse(s, &u, err, sizeof(err)) == -1)
		return;
	port = strtol(u.port, NULL, 10);
	fuzz_check(u.host[0] != '\0' && strpbrk(u.host, "@/\\?#[] %") ==
	    NULL && port >= 1 && port <= 65535, "URL '%s' gave host '%s' "
	    "port '%s'", s, u.host, u.port);
	net_url_free(&u);
}

/* fuzz_addr - a range list against an address: an address outside the
 * public class is reachable only through an address or range entry */
static void
fuzz_addr(const char *list, const char *addr)
{
	unsigned char a[16];

	if (net_addr_parse(addr, strlen(addr), a) == 0)
		return;
	(void)net_list_ranges_valid(list);
	if (net_addr_reachable(list, a))
		fuzz_check(net_addr_class(a) == NET_PUBLIC ||
		    net_list_has_addr(list, a), "'%s' reachable through "
		    "'%s'", addr, list);
}

int
fuzz_submit(const uint8_t *data, size_t size)
{
	const struct config *c = fuzz_std_config();
	struct fuzz_fields ff;
	const char *s;
	char err[ERRLEN];

	fuzz_split(&ff, data, size);
	s = fuzz_field(&ff, 0);
	if (net_email_valid(s))
		fuzz_check(strpbrk(s, "\r\n,<>") == NULL && strchr(s, '@'),
		    "e-mail address '%s' passed", s);
	s = fuzz_field(&ff, 1);
	if (callback_valid(NULL, s, err, sizeof(err)) == 0)
		fuzz_check(strpbrk(s, "\r\n \t") == NULL, "callback URL "
		    "'%s' passed", s);
	(void)callback_valid(c, s, err, sizeof(err));
	fuzz_url(s);
	(void)net_host_allowed(fuzz_field(&ff, 2), fuzz_field(&ff, 3));
	(void)net_host_allowed(c->callback_allow, fuzz_field(&ff, 3));
	fuzz_addr(fuzz_field(&ff, 2), fuzz_field(&ff, 3));
	submit_job(&ff);
	free(ff.copy);
	return 0;
}

#ifndef FUZZ_REPLAY
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_submit(data, size);
}
#endif
