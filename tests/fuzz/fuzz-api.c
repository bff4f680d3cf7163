/*
 * fuzz-api.c - the REST shim's own request parsing (src/api_parse.c,
 * linked, through src/api.h) on any bytes, split at NUL into fields: the
 * raw URL path (percent-decoded as our unescape callback does, then
 * checked and routed), ?limit=, ?cursor=, a Range header and a file size,
 * If-None-Match, Idempotency-Key, X-Request-Id, then query arguments in
 * pairs for a submit.  The whole input is also a job file whose status
 * answer (view_job, src/api_view.c) must be valid JSON.
 */
#include "fuzz.h"
#include "../../src/api.h"

/* fz_path - a raw path through unescape, path_ok and the routes */
static void
fz_path(const char *raw)
{
	char *s = xstrdup(raw);
	const char *arg;
	struct buf b;
	size_t n, i;
	int bad, marked;

	n = parse_unescape(s, &marked);
	fuzz_check(n == strlen(s) && n <= strlen(raw), "unescape: %zu bytes"
	    " of %zu", n, strlen(raw));
	/* a '%' not followed by two hex digits (or %00) is a bad escape */
	for (bad = 0, i = 0; raw[i] != '\0' && !bad; i++)
		if (raw[i] == '%')
			bad = hex_digit((unsigned char)raw[i + 1]) < 0 ||
			    hex_digit((unsigned char)raw[i + 2]) < 0 ||
			    (raw[i + 1] == '0' && raw[i + 2] == '0');
	if (bad)
		fuzz_check(marked, "bad escape not marked: %s", raw);
	if (parse_path_ok(s))
		for (i = 0; i < n; i++)
			fuzz_check((unsigned char)s[i] >= 0x20 && s[i] != 0x7f,
			    "path_ok passed a control character");
	for (i = 0; i < api_nroutes; i++) {
		arg = NULL;
		if (parse_route(&api_routes[i], s, &arg) &&
		    (api_routes[i].flags & R_ARG))
			fuzz_check(arg != NULL && *arg != '\0' &&
			    strchr(arg, '/') == NULL, "route argument");
	}
	buf_init(&b);
	alog_path(&b, s);
	for (i = 0; i < b.len; i++)
		fuzz_check(b.p[i] > 0x20 && b.p[i] < 0x7f && b.p[i] != '"',
		    "access log path holds 0x%02x", (unsigned char)b.p[i]);
	buf_free(&b);
	free(s);
}

/* fz_headers - the query and header parsers */
static void
fz_headers(const struct fuzz_fields *ff)
{
	char id[ID_MAX + 1];
	const char *h;
	uint64_t size, from, to;
	int64_t created;
	size_t limit;
	char *end;
	int r;

	if (parse_limit(fuzz_field(ff, 1), &limit) == 0)
		fuzz_check(limit >= 1 && limit <= LIST_MAX, "limit %zu", limit);
	if (parse_cursor(fuzz_field(ff, 2), &created, id) == 0)
		fuzz_check(id_valid(id) && created >= 0, "cursor");
	size = strtoull(fuzz_field(ff, 4), &end, 10);
	r = parse_range(fuzz_field(ff, 3), size, &from, &to);
	if (r == 1)
		fuzz_check(from <= to && to < size, "range %llu-%llu of %llu",
		    (unsigned long long)from, (unsigned long long)to,
		    (unsigned long long)size);
	(void)parse_etag_match(fuzz_field(ff, 5), "\"1a2b-3c4d\"");
	h = fuzz_field(ff, 6);
	if (parse_idem_key(h))
		fuzz_check(strlen(h) <= IDEM_MAX && strpbrk(h, " \r\n") ==
		    NULL, "Idempotency-Key");
	h = fuzz_field(ff, 7);
	if (parse_request_id(h))
		fuzz_check(strlen(h) <= REQID_MAX && strpbrk(h, " \r\n") == NULL,
		    "X-Request-Id");
}

/* fz_submit - query arguments in pairs, as h_submit takes them */
static void
fz_submit(const struct fuzz_fields *ff)
{
	const char *code;
	char err[ERRLEN];
	struct sargs s;
	struct job j;
	size_t i;

	job_init(&j);
	j.type = xstrdup("Invoices");
	j.client = xstrdup("erp");
	memset(&s, 0, sizeof(s));
	s.j = &j;
	for (i = 8; i + 1 < ff->n && *fuzz_field(ff, i); i += 2)
		if (parse_submit_arg(&s, MHD_GET_ARGUMENT_KIND, fuzz_field(ff, i),
		    fuzz_field(ff, i + 1)) == MHD_NO)
			break;
	if (s.err[0] == '\0') {
		if (s.fmt)
			j.format = format_parse(s.fmt);
		(void)job_validate(fuzz_std_config(), &j, &code, err,
		    sizeof(err));
	}
	job_free(&j);
}

/* fz_status - the status answer of any job that parses is JSON */
static void
fz_status(const uint8_t *data, size_t size)
{
	char err[ERRLEN], *text;
	struct jdoc d;
	struct job j;
	struct buf b;
	int st;

	text = xmalloc(size ? size : 1);
	memcpy(text, data, size);
	if (job_parse(&j, text, size, err, sizeof(err)) == 0) {
		buf_init(&b);
		for (st = 0; st < NSTATES; st++) {
			buf_reset(&b);
			view_job(&b, &j, (enum state)st);
			fuzz_check(json_parse(&d, b.p, b.len, err,
			    sizeof(err)) == 0, "status answer: %s\n%s", err,
			    b.p);
			json_free(&d);
		}
		buf_free(&b);
		job_free(&j);
	}
	free(text);
}

int
fuzz_api(const uint8_t *data, size_t size)
{
	struct fuzz_fields ff;

	fuzz_split(&ff, data, size);
	fz_path(fuzz_field(&ff, 0));
	fz_headers(&ff);
	fz_submit(&ff);
	free(ff.copy);
	fz_status(data, size);
	return 0;
}

#ifndef FUZZ_REPLAY
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_api(data, size);
}
#endif
