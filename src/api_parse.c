/* api_parse.c - the REST shim's pure request parsers: percent-decoding,
 * the path checks and route match, ?limit= and ?cursor=, the submit and
 * listing query arguments, Range, If-None-Match, Idempotency-Key,
 * X-Request-Id and listen addresses.  No I/O and no state: the fuzz
 * target tests/fuzz/fuzz-api.c links this file. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"

/* parse_unescape - strict %XX decoding, '+' is a space as in form encoding
 * (and in the original API's query strings; ids and types hold neither);
 * a bad or %00 escape sets *bad (dispatch answers 400) */
size_t
parse_unescape(char *s, int *bad)
{
	char *rd = s, *wr = s;
	int hi, lo;

	*bad = 0;
	while (*rd) {
		if (*rd == '%') {
			if ((hi = hex_digit((unsigned char)rd[1])) >= 0 &&
			    (lo = hex_digit((unsigned char)rd[2])) >= 0 &&
			    (hi | lo) != 0) {
				*wr++ = (char)(hi * 16 + lo);
				rd += 3;
				continue;
			}
			*bad = 1;
		}
		if (*rd == '+') {
			*wr++ = ' ';
			rd++;
			continue;
		}
		*wr++ = *rd++;
	}
	*wr = '\0';
	return (size_t)(wr - s);
}

/* parse_path_ok - no control characters once decoded */
int
parse_path_ok(const char *p)
{
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* parse_route - does path fit route r?  Sets *arg for R_ARG routes. */
int
parse_route(const struct route *r, const char *path, const char **arg)
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

/* parse_cursor - "CREATEDMS~ID" as written by h_queued */
int
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
int
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

/* parse_queued_arg - one argument of a listing's query */
enum MHD_Result
parse_queued_arg(void *cls, enum MHD_ValueKind kind, const char *k,
    const char *v)
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

/* deep_name - "params[NAME]" (the exporter parameters as a client that
 * serialises objects as deepObject sends them): 1 with NAME in buf */
static int
deep_name(const char *k, char *buf, size_t size)
{
	size_t n = strlen(k);

	if (strncmp(k, "params[", 7) != 0 || n < 9 || k[n - 1] != ']' ||
	    n - 8 >= size)
		return 0;
	memcpy(buf, k + 7, n - 8);
	buf[n - 8] = '\0';
	return param_name_valid(buf);
}

/* parse_submit_arg - one argument of a submit's query */
enum MHD_Result
parse_submit_arg(void *cls, enum MHD_ValueKind kind, const char *k,
    const char *v)
{
	struct sargs *s = cls;
	char name[64 + 1];	/* param_name_valid's limit */
	size_t i;

	if (v == NULL)
		v = "";
	if (deep_name(k, name, sizeof(name)))
		k = name;	/* params[NAME]=V, a deepObject client's NAME=V */
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

/* parse_idem_key - Idempotency-Key: 1 to 255 printable ASCII characters */
int
parse_idem_key(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > IDEM_MAX)
		return 0;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

/* parse_range - a single "bytes=A-B", "bytes=A-" or "bytes=-N" range of
 * size: 1 with [*from, *to], 0 to ignore the header (malformed or several
 * ranges: the whole file), -1 when unsatisfiable */
int
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

/* parse_etag_match - does an If-None-Match / If-Range list name our tag? */
int
parse_etag_match(const char *h, const char *tag)
{
	size_t n = strlen(tag);
	const char *p;

	if (strcmp(h, "*") == 0)
		return 1;
	for (p = h; (p = strstr(p, tag)) != NULL; p += n)
		return 1;
	return 0;
}

/* parse_request_id - a caller's X-Request-Id we are willing to echo */
int
parse_request_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > REQID_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return 0;
	return 1;
}

/* parse_listen - "host:port" / "[v6]:port" / ":port" into host and port */
int
parse_listen(const char *s, char *host, size_t hlen, char *port, size_t plen)
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
